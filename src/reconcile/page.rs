//! reconcile.html: the clerk's page, built with the report kit.
//!
//! Order: 概要 (一致 / 不一致 and the 件数), 合計と内訳 (sums and 人数 per group,
//! groups that differ first), 項目ごとの照合, 不一致の例 (the first
//! [`EXAMPLES_PER_LIST`] per item and per record-level kind, saying how many more
//! differences.csv has), 入力ファイルとレイアウト, 確認欄.
//!
//! Values come only from [`PageInput`]: the engine has already blanked those of
//! `sensitive` items (and all of them under `--no-values`), so the page never
//! sees them. Every piece of data goes through the kit's `t()`/`glyph()`. The page
//! depends only on its input (no time stamp), so it is byte-identical run to run.

use super::{Difference, GroupCount, ItemCounts, Kind, SumEntry, Summary};
use crate::report::kit::{Bar, Markup, Page, Section, bar_chart, glyph, html, num, t};
use std::collections::BTreeMap;

/// The page's name in the output directory.
pub const FILE_NAME: &str = "reconcile.html";

/// How many differences the page lists per item (and per record-level kind);
/// differences.csv has them all.
pub const EXAMPLES_PER_LIST: usize = 100;

/// What the page shows besides the summary.
pub struct PageInput<'a> {
    pub summary: &'a Summary,
    /// Every difference in differences.csv order; the page shows the first 100 per
    /// item and says how many more the CSV has.
    pub differences: &'a [Difference],
    /// Input paths as given, with their layouts.
    pub old_files: &'a [String],
    pub new_files: &'a [String],
    pub old_layout: &'a str,
    pub new_layout: &'a str,
    /// Key item names, joined by `|` in `Difference::key`.
    pub key_items: &'a [String],
    /// Hex digits identifying the run (as report.html's 実行ID).
    pub run_id: &'a str,
}

/// The page as written (self-contained HTML).
pub fn render(input: &PageInput) -> String {
    let lists = Lists::new(input.differences);
    let groups = group_tables(input.summary);
    let mut sections = vec![
        summary(input, &groups),
        sums(input.summary, &groups),
        items(input.summary),
    ];
    sections.push(examples(input, &lists));
    sections.push(files(input));
    Page {
        title: "移行結果の照合報告書",
        subtitle: html! {
            p {
                "旧システム: " (t(input.old_layout)) "　→　新システム: " (t(input.new_layout))
            }
        },
        run_id: input.run_id,
        sections,
        sign_off: true,
    }
    .render()
}

/// Differences by item (in the order items first appear) and by record-level kind.
struct Lists<'a> {
    /// Item name → its differences in CSV order.
    items: Vec<(&'a str, Vec<&'a Difference>)>,
    /// Record-level kinds (item empty) → their differences in CSV order.
    records: BTreeMap<Kind, Vec<&'a Difference>>,
}

impl<'a> Lists<'a> {
    fn new(differences: &'a [Difference]) -> Lists<'a> {
        let mut items: Vec<(&str, Vec<&Difference>)> = Vec::new();
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        let mut records: BTreeMap<Kind, Vec<&Difference>> = BTreeMap::new();
        for d in differences {
            if is_record_level(d.kind) {
                records.entry(d.kind).or_default().push(d);
                continue;
            }
            let i = *index.entry(d.item.as_str()).or_insert_with(|| {
                items.push((d.item.as_str(), Vec::new()));
                items.len() - 1
            });
            items[i].1.push(d);
        }
        Lists { items, records }
    }
}

fn is_record_level(kind: Kind) -> bool {
    !matches!(kind, Kind::Different | Kind::FormOnly | Kind::EmptyVsValue)
}

/// A record-level kind in Japanese, for headings and cells.
fn record_kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::OnlyOld => "旧システムだけにあるレコード",
        Kind::OnlyNew => "新システムだけにあるレコード",
        Kind::DuplicateOld => "旧システムでキーが重複したレコード",
        Kind::DuplicateNew => "新システムでキーが重複したレコード",
        Kind::UnreadableOld => "旧システムの読めなかったレコード",
        Kind::UnreadableNew => "新システムの読めなかったレコード",
        Kind::Different => "値の違い",
        Kind::FormOnly => "表記の違いのみ",
        Kind::EmptyVsValue => "空欄と値",
    }
}

/// A form-only rule in Japanese (the engine's rule names; an unknown one as given).
fn rule_label(rule: &str) -> Option<&'static str> {
    Some(match rule {
        "ivs" => "異体字セレクタ（IVS）の有無",
        "mj-degenerate" => "MJ縮退（JIS X 0213 の縮退字形と MJ 字形）",
        "compat" => "互換漢字と MJ 字形",
        "width" => "全角と半角（カナ・数字）",
        "padding" => "末尾の空白",
        _ => return None,
    })
}

/// A rule, or rules joined by `+` (applied one after another), in Japanese.
fn rule_cell(rule: &str) -> Markup {
    html! {
        @for (i, r) in rule.split('+').enumerate() {
            @if i > 0 { "＋" }
            @match rule_label(r) {
                Some(l) => { (l) }
                None => { (t(r)) }
            }
        }
    }
}

/// 人数 and sums per value of one group item.
struct GroupTable<'a> {
    group_item: &'a str,
    /// Sum items, in the order the summary first names them.
    sum_items: Vec<&'a str>,
    /// Rows: those that differ first, then the others, each in the summary's order.
    rows: Vec<GroupRow<'a>>,
}

struct GroupRow<'a> {
    value: &'a str,
    count: Option<&'a GroupCount>,
    /// Per sum item (same order as `sum_items`).
    sums: Vec<Option<&'a SumEntry>>,
    differs: bool,
}

impl GroupTable<'_> {
    fn differing(&self) -> usize {
        self.rows.iter().filter(|r| r.differs).count()
    }
}

fn group_tables(s: &Summary) -> Vec<GroupTable<'_>> {
    // Group items, their values and sum items in the order the summary first names them.
    let mut tables: Vec<GroupTable> = Vec::new();
    let mut values: Vec<Vec<&str>> = Vec::new();
    let named = s
        .groups
        .iter()
        .map(|g| (g.group_item.as_str(), g.group_value.as_str(), None))
        .chain(s.sums.iter().filter_map(|e| {
            Some((
                e.group_item.as_deref()?,
                e.group_value.as_deref()?,
                Some(e.item.as_str()),
            ))
        }));
    for (item, value, sum_item) in named {
        let ti = match tables.iter().position(|g| g.group_item == item) {
            Some(i) => i,
            None => {
                tables.push(GroupTable {
                    group_item: item,
                    sum_items: Vec::new(),
                    rows: Vec::new(),
                });
                values.push(Vec::new());
                tables.len() - 1
            }
        };
        if let Some(si) = sum_item
            && !tables[ti].sum_items.contains(&si)
        {
            tables[ti].sum_items.push(si);
        }
        if !values[ti].contains(&value) {
            values[ti].push(value);
        }
    }
    for (ti, table) in tables.iter_mut().enumerate() {
        let vals = values.get(ti).map(Vec::as_slice).unwrap_or_default();
        let mut rows: Vec<GroupRow> = vals
            .iter()
            .map(|&value| {
                let count = s
                    .groups
                    .iter()
                    .find(|g| g.group_item == table.group_item && g.group_value == value);
                let sums: Vec<Option<&SumEntry>> = table
                    .sum_items
                    .iter()
                    .map(|&item| {
                        s.sums.iter().find(|e| {
                            e.item == item
                                && e.group_item.as_deref() == Some(table.group_item)
                                && e.group_value.as_deref() == Some(value)
                        })
                    })
                    .collect();
                // A missing side of a row is a difference too (one side has no such value).
                let differs = count.is_none_or(|c| c.old != c.new)
                    || sums.iter().any(|e| e.is_none_or(sum_differs));
                GroupRow {
                    value,
                    count,
                    sums,
                    differs,
                }
            })
            .collect();
        // Stable: within each half the summary's order stays.
        rows.sort_by_key(|r| !r.differs);
        table.rows = rows;
    }
    tables
}

/// An exact decimal (value × 10^-scale), as sums are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Decimal {
    units: i128,
    scale: u32,
}

/// Longest fraction the page does arithmetic on (sums have the scale of their item,
/// at most 18 digits).
const MAX_SCALE: u32 = 18;

impl Decimal {
    /// `-1234.50`, `0`, `+7`; None for anything else or beyond i128.
    fn parse(s: &str) -> Option<Decimal> {
        let (neg, body) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let scale = u32::try_from(frac.len()).ok().filter(|&n| n <= MAX_SCALE)?;
        let mut units: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            units = units.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        Some(Decimal {
            units: if neg { units.checked_neg()? } else { units },
            scale,
        })
    }

    fn rescaled(self, scale: u32) -> Option<i128> {
        self.units
            .checked_mul(10i128.checked_pow(scale.checked_sub(self.scale)?)?)
    }

    /// `new - old`, exactly; None when it cannot be computed.
    fn difference(old: Decimal, new: Decimal) -> Option<Decimal> {
        let scale = old.scale.max(new.scale);
        Some(Decimal {
            units: new.rescaled(scale)?.checked_sub(old.rescaled(scale)?)?,
            scale,
        })
    }

    /// With thousands separators and a sign when `signed` (for differences).
    fn display(self, signed: bool) -> String {
        let pow = 10u128.pow(self.scale);
        let abs = self.units.unsigned_abs();
        let (int, frac) = (abs / pow, abs % pow);
        let mut out = String::new();
        if self.units < 0 {
            out.push('-');
        } else if signed && self.units > 0 {
            out.push('+');
        }
        out.push_str(&group_digits(&int.to_string()));
        if self.scale > 0 {
            out.push('.');
            out.push_str(&format!("{frac:0width$}", width = self.scale as usize));
        }
        out
    }
}

/// `1234567` → `1,234,567` (for digits beyond u64, which `num` takes).
fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Whether a sum differs: numerically when both sides are decimals (`100.0` and
/// `100` are the same amount), else as text.
fn sum_differs(e: &SumEntry) -> bool {
    match (Decimal::parse(&e.old), Decimal::parse(&e.new)) {
        (Some(o), Some(n)) => Decimal::difference(o, n).is_none_or(|d| d.units != 0),
        _ => e.old != e.new,
    }
}

/// An amount as written in the summary, grouped when it is a decimal.
fn amount(s: &str) -> Markup {
    html! {
        @match Decimal::parse(s) {
            Some(d) => { (d.display(false)) }
            None => { (t(s)) }
        }
    }
}

/// 差 (new − old) of a sum, flagged when not zero.
fn amount_difference(e: &SumEntry) -> Markup {
    let d = Decimal::parse(&e.old)
        .zip(Decimal::parse(&e.new))
        .and_then(|(o, n)| Decimal::difference(o, n));
    html! {
        @match d {
            Some(d) if d.units == 0 => { "0" }
            Some(d) => { span class="bad" { (d.display(true)) } }
            None if e.old == e.new => { "0" }
            None => { span class="bad" { "計算できません" } }
        }
    }
}

/// 差 of two counts (new − old), flagged when not zero.
fn count_difference(old: u64, new: u64) -> Markup {
    html! {
        @if new == old {
            "0"
        } @else if new > old {
            span class="bad" { "+" (num(new - old)) }
        } @else {
            span class="bad" { "-" (num(old - new)) }
        }
    }
}

fn verdict(same: bool) -> Markup {
    html! {
        @if same { "一致 ✓" } @else { span class="bad" { "不一致" } }
    }
}

fn item_total(i: &ItemCounts) -> u64 {
    i.different
        .saturating_add(i.form_only)
        .saturating_add(i.empty_vs_value)
}

fn summary(input: &PageInput, groups: &[GroupTable]) -> Section {
    let s = input.summary;
    let c = &s.counts;
    let totals: Vec<&SumEntry> = s.sums.iter().filter(|e| e.group_item.is_none()).collect();
    let sums_differ = totals.iter().filter(|e| sum_differs(e)).count();
    let groups_differ: usize = groups.iter().map(GroupTable::differing).sum();
    let items_differ: Vec<&ItemCounts> = s.items.iter().filter(|i| item_total(i) > 0).collect();
    let records = vec![
        Bar {
            label: "キーで対応したレコード".into(),
            count: c.matched,
            class: "ok",
        },
        Bar {
            label: "旧システムだけ".into(),
            count: c.only_old,
            class: "bad",
        },
        Bar {
            label: "新システムだけ".into(),
            count: c.only_new,
            class: "bad",
        },
        Bar {
            label: "キーの重複（旧・新）".into(),
            count: c.duplicate_old.saturating_add(c.duplicate_new),
            class: "bad",
        },
        Bar {
            label: "読めなかった（旧・新）".into(),
            count: c.unreadable_old.saturating_add(c.unreadable_new),
            class: "unmapped",
        },
    ];
    let mut chart_groups = vec![("レコード（件）", records)];
    if !items_differ.is_empty() {
        chart_groups.push((
            "項目ごとの違い（件）",
            items_differ
                .iter()
                .map(|i| Bar {
                    label: i.item.clone(),
                    count: item_total(i),
                    class: "bad",
                })
                .collect(),
        ));
    }
    let chart = bar_chart(
        "reconcile-chart",
        "図: 照合の結果（レコードの件数と、項目ごとの違いの件数）",
        &chart_groups,
    );
    let counts_row = |label: &str, old: u64, new: u64, same: bool| {
        html! {
            tr {
                th { (label) }
                td class="n" { (num(old)) }
                td class="n" { (num(new)) }
                td { (verdict(same)) }
            }
        }
    };
    Section {
        id: "summary",
        title: "概要".into(),
        body: html! {
            @if s.matches {
                p id="verdict" class="ok" {
                    strong { "一致" } "：旧システムと新システムのデータは一致しました。"
                    "件数（" (num(c.old)) "件）、人数、金額・合計、照合したすべての項目の値が同じです。"
                }
            } @else {
                div id="verdict" class="warn" {
                    p { strong class="bad" { "不一致" } "：旧システムと新システムのデータに違いがあります。" }
                    ul {
                        @if c.old != c.new { li { "レコードの件数が違います（旧 " (num(c.old)) "件、新 " (num(c.new)) "件）。" } }
                        @if c.only_old > 0 || c.only_new > 0 {
                            li { "片方だけにあるレコード: 旧システムだけ " (num(c.only_old)) "件、新システムだけ " (num(c.only_new)) "件。「" a href="#records" { "レコード単位の違い" } "」を見てください。" }
                        }
                        @if c.duplicate_old > 0 || c.duplicate_new > 0 {
                            li { "キーが重複したレコード: 旧 " (num(c.duplicate_old)) "件、新 " (num(c.duplicate_new)) "件（どれも照合せずに一覧にしました）。" }
                        }
                        @if c.unreadable_old > 0 || c.unreadable_new > 0 {
                            li { "読めなかったレコード: 旧 " (num(c.unreadable_old)) "件、新 " (num(c.unreadable_new)) "件（件数に含めてあります）。" }
                        }
                        @if sums_differ > 0 {
                            li { "合計が違う項目が " (num(sums_differ as u64)) " 項目あります。「" a href="#sums" { "合計と内訳" } "」を見てください。" }
                        }
                        @if groups_differ > 0 {
                            li { "人数または合計が違う区分が " (num(groups_differ as u64)) " 区分あります（「" a href="#sums" { "合計と内訳" } "」の各表の先頭）。" }
                        }
                        @if !items_differ.is_empty() {
                            li { "値が違う項目が " (num(items_differ.len() as u64)) " 項目あります。「" a href="#items" { "項目ごとの照合" } "」を見てください。" }
                        }
                    }
                }
            }
            table id="counts" {
                thead { tr { th { "件数" } th { "旧システム" } th { "新システム" } th { "確認" } } }
                tbody {
                    (counts_row("レコードの件数", c.old, c.new, c.old == c.new))
                    tr {
                        th { "キーで対応したレコード（照合した件数）" }
                        td class="n" colspan="2" { (num(c.matched)) }
                        td { "—" }
                    }
                    (counts_row("片方だけにあるレコード", c.only_old, c.only_new, c.only_old == 0 && c.only_new == 0))
                    (counts_row("キーが重複したレコード", c.duplicate_old, c.duplicate_new, c.duplicate_old == 0 && c.duplicate_new == 0))
                    (counts_row("読めなかったレコード", c.unreadable_old, c.unreadable_new, c.unreadable_old == 0 && c.unreadable_new == 0))
                }
            }
            @if !totals.is_empty() {
                table id="totals" {
                    thead { tr { th { "合計する項目" } th { "旧システム" } th { "新システム" } th { "差（新 − 旧）" } th { "確認" } } }
                    tbody {
                        @for e in &totals {
                            tr {
                                th { (t(&e.item)) }
                                td class="n" { (amount(&e.old)) }
                                td class="n" { (amount(&e.new)) }
                                td class="n" { (amount_difference(e)) }
                                td { (verdict(!sum_differs(e))) }
                            }
                        }
                    }
                }
            }
            (chart)
            p class="note" {
                "レコードはキー（" (key_names(input)) "）で対応させました。"
                "件数はヘッダ行と空行を含みません。読めなかったレコードも件数に含め、一覧にしてあります。"
                "すべての違いは differences.csv（1行に1つの違い）にあります。"
            }
        },
    }
}

fn key_names(input: &PageInput) -> Markup {
    html! {
        @for (i, k) in input.key_items.iter().enumerate() {
            @if i > 0 { "・" }
            (t(k))
        }
    }
}

fn sums(s: &Summary, groups: &[GroupTable]) -> Section {
    let totals: Vec<&SumEntry> = s.sums.iter().filter(|e| e.group_item.is_none()).collect();
    Section {
        id: "sums",
        title: "合計と内訳".into(),
        body: html! {
            @if totals.is_empty() && groups.is_empty() {
                p { "合計する項目（--sum）も内訳の項目（--group）も指定されていません。" }
            }
            @if !totals.is_empty() {
                h3 { "全体の合計" }
                table id="sums-total" {
                    thead { tr { th { "項目" } th { "旧システム" } th { "新システム" } th { "差（新 − 旧）" } th { "確認" } } }
                    tbody {
                        @for e in &totals {
                            tr {
                                td { (t(&e.item)) }
                                td class="n" { (amount(&e.old)) }
                                td class="n" { (amount(&e.new)) }
                                td class="n" { (amount_difference(e)) }
                                td { (verdict(!sum_differs(e))) }
                            }
                        }
                    }
                }
            }
            @for (gi, g) in groups.iter().enumerate() {
                h3 id={ "group-" (gi) } { (t(g.group_item)) " ごとの人数と合計" }
                @if g.differing() > 0 {
                    p class="warn" {
                        span class="bad" { "人数または合計が違う区分が " (num(g.differing() as u64)) " 区分あります。" }
                        "表の先頭に並べました。"
                    }
                } @else {
                    p class="ok" { "すべての区分で人数と合計が一致しました。" }
                }
                table id={ "group-table-" (gi) } {
                    thead {
                        tr {
                            th rowspan="2" { (t(g.group_item)) }
                            th colspan="3" { "人数（件数）" }
                            @for item in &g.sum_items { th colspan="3" { (t(*item)) " の合計" } }
                            th rowspan="2" { "確認" }
                        }
                        tr {
                            th { "旧" } th { "新" } th { "差" }
                            @for _ in &g.sum_items { th { "旧" } th { "新" } th { "差" } }
                        }
                    }
                    tbody {
                        @for r in &g.rows {
                            tr class=[r.differs.then_some("differs")] {
                                td { (t(r.value)) }
                                @match r.count {
                                    Some(c) => {
                                        td class="n" { (num(c.old)) }
                                        td class="n" { (num(c.new)) }
                                        td class="n" { (count_difference(c.old, c.new)) }
                                    }
                                    None => { td { "—" } td { "—" } td { "—" } }
                                }
                                @for e in &r.sums {
                                    @match e {
                                        Some(e) => {
                                            td class="n" { (amount(&e.old)) }
                                            td class="n" { (amount(&e.new)) }
                                            td class="n" { (amount_difference(e)) }
                                        }
                                        None => { td { "—" } td { "—" } td { "—" } }
                                    }
                                }
                                td { (verdict(!r.differs)) }
                            }
                        }
                    }
                }
            }
            p class="note" {
                "合計は小数も含めて丸めずに計算しました。差は「新システム − 旧システム」です。"
                "人数は、その区分の値を持つレコードの件数です。"
            }
        },
    }
}

fn items(s: &Summary) -> Section {
    Section {
        id: "items",
        title: "項目ごとの照合".into(),
        body: html! {
            p class="note" {
                "キーで対応したレコードどうしで、同じ項目の値を比べた結果です（件数はレコードの数）。"
                "「表記の違いのみ」は、文字の表し方だけが違い、文字としては同じ値です（規則を書いてあります）。"
                "「空欄と値」は、片方が空欄で、もう片方に値があるものです。"
            }
            @if s.items.is_empty() {
                p { "照合した項目はありません。" }
            } @else {
                table id="items-table" {
                    thead { tr {
                        th { "項目" } th { "値の違い" } th { "表記の違いのみ" } th { "空欄と値" } th { "確認" }
                    } }
                    tbody {
                        @for (i, item) in s.items.iter().enumerate() {
                            tr {
                                td {
                                    @if item_total(item) > 0 {
                                        a href={ "#ex-" (i) } { (t(&item.item)) }
                                    } @else {
                                        (t(&item.item))
                                    }
                                }
                                td class="n" { (num(item.different)) }
                                td class="n" {
                                    (num(item.form_only))
                                    @for (rule, n) in &item.form_only_rules {
                                        @if *n > 0 { br; span class="note" { (rule_cell(rule)) " " (num(*n)) } }
                                    }
                                }
                                td class="n" { (num(item.empty_vs_value)) }
                                td { (verdict(item_total(item) == 0)) }
                            }
                        }
                    }
                }
            }
            h3 { "片方のレイアウトだけにある項目（照合していません）" }
            @if s.items_only_old.is_empty() && s.items_only_new.is_empty() {
                p { "ありません。すべての項目を照合しました。" }
            } @else {
                table id="items-one-side" {
                    thead { tr { th { "旧システムだけ" } th { "新システムだけ" } } }
                    tbody {
                        tr {
                            td { @for n in &s.items_only_old { (t(n)) br; } @if s.items_only_old.is_empty() { "—" } }
                            td { @for n in &s.items_only_new { (t(n)) br; } @if s.items_only_new.is_empty() { "—" } }
                        }
                    }
                }
                p class="note" { "名前の違う同じ項目は --map 旧の項目=新の項目 で対応させて照合できます。" }
            }
        },
    }
}

fn examples(input: &PageInput, lists: &Lists) -> Section {
    let s = input.summary;
    // Items in the summary's order, then any the summary does not name. The totals
    // come from the summary: the engine may hand the page only the first
    // differences of each item.
    let mut ordered: Vec<(usize, &str, &[&Difference], u64)> = Vec::new();
    for (i, item) in s.items.iter().enumerate() {
        if let Some((_, v)) = lists.items.iter().find(|(n, _)| *n == item.item) {
            ordered.push((i, item.item.as_str(), v, item_total(item)));
        }
    }
    let mut extra = s.items.len();
    for (name, v) in &lists.items {
        if !s.items.iter().any(|i| i.item == *name) {
            ordered.push((extra, name, v, 0));
            extra += 1;
        }
    }
    Section {
        id: "examples",
        title: "違いの一覧（例）".into(),
        body: html! {
            p class="note" {
                "項目ごと、種類ごとに最初の " (EXAMPLES_PER_LIST) " 件を載せます。すべての違いは differences.csv にあります。"
                "sensitive の項目（個人番号など）の値は表示しません（--no-values のときはすべての値を表示しません）。"
                "字形は IPAmj明朝 で、違う部分の文字にはコードポイント（U+…）を添えました。"
                "レコード番号は各ファイルの先頭から数えた番号（見出し行を含む）で、ikou convert の不正レコードファイルの番号と同じです。"
            }
            h3 id="records" { "レコード単位の違い" }
            @if lists.records.is_empty() {
                p class="ok" { "ありません。すべてのレコードがキーで一つずつ対応しました。" }
            }
            @for (kind, list) in &lists.records {
                @let total = record_total(&s.counts, *kind).max(list.len() as u64);
                h3 { (record_kind_label(*kind)) "（" (num(total)) "件）" }
                (record_table(input, *kind, list))
                (more_note(total))
            }
            @for (i, name, list, total) in &ordered {
                @let total = (*total).max(list.len() as u64);
                h3 id={ "ex-" (i) } { "項目: " (t(*name)) "（" (num(total)) "件）" }
                (value_table(input, list))
                (more_note(total))
            }
        },
    }
}

/// How many differences of a record-level kind there are (the summary's count).
fn record_total(c: &super::Counts, kind: Kind) -> u64 {
    match kind {
        Kind::OnlyOld => c.only_old,
        Kind::OnlyNew => c.only_new,
        Kind::DuplicateOld => c.duplicate_old,
        Kind::DuplicateNew => c.duplicate_new,
        Kind::UnreadableOld => c.unreadable_old,
        Kind::UnreadableNew => c.unreadable_new,
        Kind::Different | Kind::FormOnly | Kind::EmptyVsValue => 0,
    }
}

fn more_note(total: u64) -> Markup {
    let shown = EXAMPLES_PER_LIST as u64;
    html! {
        @if total > shown {
            p class="note more" {
                "ほかに " (num(total - shown)) " 件あります（全 " (num(total)) " 件）。すべて differences.csv にあります。"
            }
        }
    }
}

fn record_number(n: Option<u64>) -> Markup {
    html! {
        @match n {
            Some(n) => { (num(n)) }
            None => { "—" }
        }
    }
}

fn record_table(input: &PageInput, kind: Kind, list: &[&Difference]) -> Markup {
    // An unreadable record has no key; the engine says why in its side's value.
    let unreadable = matches!(kind, Kind::UnreadableOld | Kind::UnreadableNew);
    html! {
        table class="examples" {
            thead { tr {
                @if !unreadable { th { "キー（" (key_names(input)) "）" } }
                th { "旧のレコード番号" } th { "新のレコード番号" }
                @if unreadable { th { "読めなかった理由" } }
            } }
            tbody {
                @for d in list.iter().take(EXAMPLES_PER_LIST) {
                    tr {
                        @if !unreadable { td { (t(&d.key)) } }
                        td class="n" { (record_number(d.old_record)) }
                        td class="n" { (record_number(d.new_record)) }
                        @if unreadable {
                            td { (t(if d.old.is_empty() { &d.new } else { &d.old })) }
                        }
                    }
                }
            }
        }
        @if unreadable {
            p class="note" { "読めなかったレコードは照合していません（件数には含めてあります）。ikou convert の不正レコードと同じ理由です。" }
        }
    }
}

fn value_table(input: &PageInput, list: &[&Difference]) -> Markup {
    html! {
        table class="examples" {
            thead { tr {
                th { "キー（" (key_names(input)) "）" } th { "旧のレコード番号" } th { "新のレコード番号" }
                th { "種類" } th { "旧システムの値" } th { "新システムの値" }
            } }
            tbody {
                @for d in list.iter().take(EXAMPLES_PER_LIST) {
                    tr {
                        td { (t(&d.key)) }
                        td class="n" { (record_number(d.old_record)) }
                        td class="n" { (record_number(d.new_record)) }
                        td {
                            (record_kind_label(d.kind))
                            @if let Some(rule) = &d.rule { br; span class="note" { (rule_cell(rule)) } }
                        }
                        @if d.old.is_empty() && d.new.is_empty() {
                            // Both blank: the engine withheld them (sensitive or --no-values).
                            td colspan="2" class="note hidden-value" { "（値は表示しません）" }
                        } @else {
                            @let (old_part, new_part) = differing_parts(&d.old, &d.new);
                            td { (value_cell(&d.old, old_part)) }
                            td { (value_cell(&d.new, new_part)) }
                        }
                    }
                }
            }
        }
    }
}

/// A value, then the part of it that differs from the other side as glyphs with
/// their code points (so an IVS, a 外字 or a full-width digit is visible).
fn value_cell(value: &str, part: &str) -> Markup {
    html! {
        @if value.is_empty() {
            span class="note" { "（空欄）" }
        } @else {
            (t(value))
            @if !part.is_empty() && !part.is_ascii() {
                br; span class="note" { "違う部分: " } (glyph(part))
            } @else if !part.is_empty() && part.chars().any(|c| c.is_ascii_whitespace() || c.is_ascii_control()) {
                br; span class="note" { "違う部分: " } code class="cp" { (crate::gaiji::code_points(part)) }
            }
        }
    }
}

/// The parts of `a` and `b` between their common prefix and suffix, widened to
/// whole characters: a variation selector or combining mark keeps its base.
fn differing_parts<'s>(a: &'s str, b: &'s str) -> (&'s str, &'s str) {
    let prefix = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    // The prefix ends on a char boundary of both (the chars before it are equal).
    let prefix = back_to_base(a, b, prefix);
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    let suffix = ra
        .chars()
        .rev()
        .zip(rb.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum::<usize>();
    // Never cut a character from its trailing selector or mark.
    let mut suffix = suffix;
    while suffix > 0 {
        let start = ra.len() - suffix;
        match ra[start..].chars().next() {
            Some(c) if is_attached(c) => {
                suffix -= c.len_utf8();
            }
            _ => break,
        }
    }
    (&ra[..ra.len() - suffix], &rb[..rb.len() - suffix])
}

/// Moves `i` back over selectors and marks (in either string) to the character
/// they belong to; `a[..i]` and `b[..i]` are equal.
fn back_to_base(a: &str, b: &str, mut i: usize) -> usize {
    let attached_at = |s: &str, i: usize| s[i..].chars().next().is_some_and(is_attached);
    while attached_at(a, i) || attached_at(b, i) {
        match a[..i].chars().next_back() {
            Some(prev) => i -= prev.len_utf8(),
            None => break,
        }
    }
    i
}

/// Variation selectors and the combining marks JIS X 0213 composes (゙ ゚ ̀ ́).
fn is_attached(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{3099}' | '\u{309A}' | '\u{0300}' | '\u{0301}')
}

fn files(input: &PageInput) -> Section {
    Section {
        id: "files",
        title: "入力ファイルとレイアウト".into(),
        body: html! {
            table id="inputs" {
                thead { tr { th { "" } th { "ファイル" } th { "レイアウト" } } }
                tbody {
                    tr {
                        th { "旧システム" }
                        td { @for f in input.old_files { (t(f)) br; } }
                        td { (t(input.old_layout)) }
                    }
                    tr {
                        th { "新システム" }
                        td { @for f in input.new_files { (t(f)) br; } }
                        td { (t(input.new_layout)) }
                    }
                }
            }
            p { "キー: " (key_names(input)) }
            p class="note" {
                "両方のファイルを変換（ikou convert）と同じ規則で読みました（文字コード、外字対応表、クレンジング）。"
                "各ファイルと使用した表の SHA-256 は manifest.json にあります（ikou verify で確かめられます）。"
                "機械で読む結果は reconcile.json、違いの全件は differences.csv（key,item,kind,old,new）にあります。"
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::Counts;

    fn diff(key: &str, item: &str, kind: Kind, old: &str, new: &str) -> Difference {
        Difference {
            key: key.into(),
            item: item.into(),
            kind,
            old: old.into(),
            new: new.into(),
            rule: None,
            old_record: Some(1),
            new_record: Some(2),
        }
    }

    fn page(summary: &Summary, differences: &[Difference]) -> String {
        render(&PageInput {
            summary,
            differences,
            old_files: &["old/KOJIN.CSV".to_string()],
            new_files: &["new/kojin.csv".to_string()],
            old_layout: "old.toml",
            new_layout: "new.toml",
            key_items: &["宛名番号".to_string()],
            run_id: "0123456789ab",
        })
    }

    fn item(name: &str, different: u64) -> ItemCounts {
        ItemCounts {
            item: name.into(),
            different,
            ..ItemCounts::default()
        }
    }

    #[test]
    fn hostile_values_are_escaped_and_neutralised() {
        let hostile = "<script>alert(1)</script>\u{202E}&\"";
        let summary = Summary {
            items: vec![item(hostile, 1)],
            items_only_old: vec!["<b>x</b>".into()],
            groups: vec![GroupCount {
                group_item: "<i>".into(),
                group_value: "<img src=x onerror=alert(1)>".into(),
                old: 1,
                new: 1,
            }],
            ..Summary::default()
        };
        let d = vec![diff(hostile, hostile, Kind::Different, hostile, "ok")];
        let html = page(&summary, &d);
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>x"), "{html}");
        assert!(!html.contains('\u{202E}'), "bidi override neutralised");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;\u{FFFD}&amp;&quot;"));
        // The only script is the kit's font check.
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn examples_stop_at_100_per_item_and_say_how_many_more() {
        let summary = Summary {
            items: vec![item("氏名", 130), item("住所", 3)],
            counts: Counts {
                only_old: 101,
                ..Counts::default()
            },
            ..Summary::default()
        };
        let mut d: Vec<Difference> = (0..130)
            .map(|i| diff(&format!("K{i:04}"), "氏名", Kind::Different, "a", "b"))
            .collect();
        d.extend((0..3).map(|i| diff(&format!("A{i}"), "住所", Kind::Different, "a", "b")));
        d.extend((0..101).map(|i| diff(&format!("O{i:04}"), "", Kind::OnlyOld, "", "")));
        let html = page(&summary, &d);
        assert!(
            html.contains("K0099") && !html.contains("K0100"),
            "first 100 only"
        );
        assert!(
            html.contains("ほかに 30 件あります（全 130 件）。すべて differences.csv にあります。"),
            "{html}"
        );
        assert!(html.contains("A2"));
        assert!(html.contains("O0099") && !html.contains("O0100"));
        assert!(html.contains("ほかに 1 件あります（全 101 件）"));
        assert_eq!(
            html.matches("class=\"note more\"").count(),
            2,
            "not for 住所"
        );
    }

    #[test]
    fn a_differing_group_comes_first() {
        let g = |v: &str, old, new| GroupCount {
            group_item: "地区コード".into(),
            group_value: v.into(),
            old,
            new,
        };
        let sum = |gv: Option<&str>, old: &str, new: &str| SumEntry {
            item: "税額".into(),
            group_item: gv.map(|_| "地区コード".to_string()),
            group_value: gv.map(str::to_string),
            old: old.into(),
            new: new.into(),
        };
        let summary = Summary {
            groups: vec![g("01", 5, 5), g("02", 4, 4), g("03", 3, 3)],
            sums: vec![
                sum(None, "600", "650"),
                sum(Some("01"), "100", "100"),
                sum(Some("02"), "200.00", "200"),
                sum(Some("03"), "300", "350"),
            ],
            ..Summary::default()
        };
        let html = page(&summary, &[]);
        let table = &html[html.find("id=\"group-table-0\"").unwrap()..];
        let pos = |v: &str| table.find(&format!("<td>{v}</td>")).unwrap();
        assert!(pos("03") < pos("01") && pos("01") < pos("02"), "{table}");
        assert!(table.contains("+50"), "the difference is shown");
        assert!(html.contains("人数または合計が違う区分が 1 区分あります。"));
        // 200.00 and 200 are the same amount.
        let row02 = &table[pos("02")..];
        let row02 = &row02[..row02.find("</tr>").unwrap()];
        assert!(row02.contains("一致 ✓"), "{row02}");
    }

    #[test]
    fn a_group_differing_only_in_its_count_comes_first() {
        let summary = Summary {
            groups: vec![
                GroupCount {
                    group_item: "性別".into(),
                    group_value: "1".into(),
                    old: 2,
                    new: 2,
                },
                GroupCount {
                    group_item: "性別".into(),
                    group_value: "2".into(),
                    old: 3,
                    new: 2,
                },
            ],
            ..Summary::default()
        };
        let html = page(&summary, &[]);
        let table = &html[html.find("id=\"group-table-0\"").unwrap()..];
        assert!(table.find("<td>2</td>").unwrap() < table.find("<td>1</td>").unwrap());
        assert!(table.contains("<span class=\"bad\">-1</span>"));
    }

    #[test]
    fn the_verdict_comes_first() {
        let matching = Summary {
            matches: true,
            counts: Counts {
                old: 3,
                new: 3,
                matched: 3,
                ..Counts::default()
            },
            ..Summary::default()
        };
        let html = page(&matching, &[]);
        assert!(html.contains("id=\"verdict\" class=\"ok\""));
        let differing = Summary {
            counts: Counts {
                old: 3,
                new: 2,
                matched: 2,
                only_old: 1,
                ..Counts::default()
            },
            ..Summary::default()
        };
        let html = page(&differing, &[]);
        let verdict = html.find("id=\"verdict\" class=\"warn\"").unwrap();
        assert!(verdict < html.find("id=\"sums\"").unwrap());
        assert!(html.contains("旧システムだけ 1件"));
    }

    #[test]
    fn withheld_values_are_not_shown_as_empty() {
        let summary = Summary {
            items: vec![item("個人番号", 1)],
            ..Summary::default()
        };
        let html = page(&summary, &[diff("K1", "個人番号", Kind::Different, "", "")]);
        assert!(html.contains("（値は表示しません）"));
    }

    #[test]
    fn the_differing_part_keeps_its_base_character() {
        assert_eq!(
            differing_parts("葛\u{E0102}飾", "葛飾"),
            ("葛\u{E0102}", "葛")
        );
        assert_eq!(
            differing_parts("葛飾", "葛\u{E0101}飾"),
            ("葛", "葛\u{E0101}")
        );
        assert_eq!(differing_parts("1-2-3", "１-2-3"), ("1", "１"));
        assert_eq!(differing_parts("山田　", "山田"), ("　", ""));
        assert_eq!(differing_parts("abc", "abc"), ("", ""));
        assert_eq!(differing_parts("", "x"), ("", "x"));
        assert_eq!(differing_parts("葛", "葛\u{E0101}"), ("葛", "葛\u{E0101}"));
        assert_eq!(differing_parts("葛\u{E0101}", "葛"), ("葛\u{E0101}", "葛"));
        assert_eq!(
            rule_cell("padding+width").into_string(),
            "末尾の空白＋全角と半角（カナ・数字）"
        );
        assert_eq!(rule_cell("<x>").into_string(), "&lt;x&gt;");
        let html = value_cell("葛\u{E0102}飾", "葛\u{E0102}").into_string();
        assert!(html.contains("U+845B U+E0102"), "{html}");
    }

    #[test]
    fn decimals_are_exact() {
        let d = |s| Decimal::parse(s).unwrap();
        assert_eq!(
            Decimal::difference(d("100.5"), d("99"))
                .unwrap()
                .display(true),
            "-1.5"
        );
        assert_eq!(d("-1234567.05").display(false), "-1,234,567.05");
        assert_eq!(
            Decimal::difference(d("0"), d("170141183460469231731687303715884105727"))
                .unwrap()
                .display(true),
            "+170,141,183,460,469,231,731,687,303,715,884,105,727"
        );
        assert!(
            Decimal::difference(d("-170141183460469231731687303715884105727"), d("1")).is_none()
        );
        for bad in ["", "-", ".", "1e3", "1.2.3", "١", "--1"] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
    }
}
