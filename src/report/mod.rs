//! report.html: the evidence of a run for people (municipal staff checking a
//! migration), in Japanese, as one self-contained page.
//!
//! What it shows: a table of contents; per input file the counts (read, written,
//! rejected) and a chart of the outcome; every 外字 written through a table
//! (source code, MJ glyph, what was written, the degenerate form and its table
//! when one was used, count, first record and its key) and every unmapped one;
//! compatibility ideographs and CP932/JIS variants rewritten; cleansing changes
//! per item and rule; rejected records by reason, each with its key and its line
//! in the reject file; the SHA-256 of every file; the tables used; a sign-off
//! block. Printed, every page carries the run id ([`run_id`]) and its number.
//!
//! Personal data: the only record data on the page are the single 外字 characters
//! and the value of the layout's `key` item (宛名番号) for the first record of each
//! line, both HTML-escaped. No other item value is read, and the tally never
//! holds a character of a `sensitive` item (only a count of its unmapped 外字,
//! see [`crate::record`]), so `sensitive` items can never appear.
//!
//! The page has no time stamp and depends only on the run's results, so the same
//! inputs give the same bytes for any `--jobs`. It loads nothing: the style and the
//! one small script (which warns when IPAmj明朝 is not installed) are inline, and
//! the MJ font is only ever `local()`. The markup comes from the shared [`kit`].

pub mod kit;

use crate::convert::FileResult;
use crate::gaiji::{Kind, Mapper, UnmappedPolicy};
use crate::layout::Layout;
use crate::manifest::Manifest;
use crate::mj;
use crate::tally::{ReasonTally, Seen};
use kit::{Bar, Markup, Section, bar_chart, glyph, html, num, t};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The report's name in the output directory.
pub const FILE_NAME: &str = "report.html";

/// What the report is made from: the results of a finished run.
pub struct Run<'a> {
    pub manifest: &'a Manifest,
    pub files: &'a [FileResult],
    pub layout: &'a Layout,
    pub mapper: &'a Mapper,
    /// `--font`: the vendor's glyphs, shown beside each 外字.
    pub vendor: Option<&'a crate::identify::source::VendorImages>,
}

/// A reject reason code in Japanese, for people.
pub fn reason_label(code: &str) -> &'static str {
    match code {
        "broken-quote" => "引用符の使い方の誤り",
        "unclosed-quote" => "閉じられていない引用符",
        "record-too-long" => "改行のない長すぎるレコード",
        "wrong-length" => "レコード長の誤り（固定長）",
        "item-count" => "項目数の誤り",
        "undecodable" => "文字コードとして読めないバイト",
        "unclosed-shift" => "シフトインのない2バイト文字列（途中で切れた項目）",
        crate::record::UNMAPPED => "外字対応表にない外字",
        crate::record::NONSTANDARD => "標準外の文字（--charset の文字集合にない文字）",
        "required" => "必須項目が空",
        "too-long" => "桁数（文字数）の超過",
        "not-kana" => "カナ項目にカナ以外の文字",
        "stray-voiced-mark" => "単独の濁点・半濁点",
        "not-digits" => "数字項目に数字以外の文字",
        "not-number" => "数値として読めない値",
        "unknown-code" => "コード表にない値",
        "invalid-date" => "存在しない日付",
        "unknown-era" => "元号コードが不明",
        "era-out-of-range" => "元号の期間外の日付",
        "meiji-lunar-calendar" => "明治5年以前（旧暦）の日付",
        "cut-character" => "項目の境界が文字の途中",
        "bad-packed" => "パック10進数として読めない値",
        "bad-zoned" => "ゾーン10進数として読めない値",
        "binary-overflow" => "2進数の値が桁数を超過",
        "short-item" => "項目の途中で終わる可変長レコード",
        "bad-rdw" => "不正なレコード記述語（RDW）",
        "after-bad-rdw" => "不正な RDW 以降のバイト",
        crate::target::apply::UNMAPPED_CODE => "コード変換表にないコード",
        crate::records::UNKNOWN_TYPE => "どのレコード種別にもあたらないレコード",
        _ => "その他",
    }
}

/// The run identifier (実行ID): the first 12 hex digits of a SHA-256 over what
/// decides a run's results: the tool and its version, the inputs' SHA-256 in
/// order, the tables' kinds and SHA-256 (the layout, 外字 tables and the embedded
/// MJ tables), the encoding and the other options. File paths are not part of it.
/// The same inputs, tables and options give the same id; it can be in the report
/// (and in manifest.json) because it does not depend on any output.
pub fn run_id(manifest: &Manifest) -> String {
    let m = manifest;
    // JSON, so that no value can run into the next; object keys are sorted.
    let facts = serde_json::json!({
        "run-id": 1,
        "tool": [&m.tool.name, &m.tool.version],
        "inputs": m.inputs.iter().map(|i| &i.sha256).collect::<Vec<_>>(),
        "tables": m.tables.iter().map(|t| [&t.kind, &t.sha256]).collect::<Vec<_>>(),
        "encoding": &m.options.encoding,
        "options": &m.options.extra,
    });
    crate::output::hex(&Sha256::digest(facts.to_string().as_bytes()))[..12].to_string()
}

/// The whole page.
pub fn render(run: &Run) -> String {
    let m = run.manifest;
    let title = format!(
        "変換結果報告書 — {}",
        if run.layout.title.is_empty() {
            &run.layout.name
        } else {
            &run.layout.title
        }
    );
    let run_id = run_id(m);
    let gaiji = gaiji_rows(run);
    let unmapped = unmapped_rows(run);
    let reasons = reason_rows(run);
    let mut sections = vec![
        summary(run, &gaiji, &unmapped, &reasons),
        gaiji_section(run, &gaiji, &unmapped),
    ];
    sections.extend(nonstandard_section(run));
    sections.extend(other_mappings(run));
    sections.extend(code_conversions(m));
    sections.extend(record_types(run));
    sections.push(cleansing(m));
    sections.extend(kept_dates(run)); // dates
    sections.push(rejects(run, &reasons));
    sections.push(files(m));
    sections.push(tables(m));
    sections.push(about(run));
    kit::Page {
        title: &title,
        subtitle: html! {
            p { "レイアウト: " (t(&run.layout.name)) " （" (t(&m.options.layout)) "）" }
        },
        run_id: &run_id,
        sections,
        sign_off: true,
    }
    .render()
}

/// Where something was first met: file index, record number and key.
struct First<'a> {
    file: usize,
    seen: &'a Seen,
}

/// The first file (in input order) in which `seen(file)` was met, and the total count.
fn over_files<'a>(
    files: &'a [FileResult],
    seen: impl Fn(&'a FileResult) -> Option<&'a Seen>,
) -> (u64, Option<First<'a>>) {
    let mut total = 0;
    let mut first = None;
    for (i, f) in files.iter().enumerate() {
        if let Some(s) = seen(f).filter(|s| s.count > 0) {
            total += s.count;
            first.get_or_insert(First { file: i, seen: s });
        }
    }
    (total, first)
}

/// `レコード 4（宛名番号 000…4）`, with the file name when there are several inputs.
fn first_cell(run: &Run, first: Option<&First>) -> Markup {
    let Some(f) = first else {
        return html! { "—" };
    };
    html! {
        @if run.files.len() > 1 { (t(file_name(run, f.file))) br; }
        "レコード " (f.seen.first_record)
        @if let (Some(key), Some(k)) = (&f.seen.first_key, key_field(run.layout)) {
            br; span class="note" { (t(&run.layout.fields[k].name)) } " " (t(key))
        }
    }
}

/// The key item, unless it is marked sensitive (the layout refuses both, but the
/// report does not rely on that).
fn key_field(layout: &Layout) -> Option<usize> {
    layout.key_field().filter(|&k| !layout.fields[k].sensitive)
}

fn file_name(run: &Run, i: usize) -> String {
    run.manifest
        .inputs
        .get(i)
        .map(|e| e.path.clone())
        .unwrap_or_default()
}

/// One vendor table line that was used.
struct GaijiRow<'a> {
    mapping: &'a crate::gaiji::Mapping,
    count: u64,
    first: Option<First<'a>>,
}

fn gaiji_rows<'a>(run: &Run<'a>) -> Vec<GaijiRow<'a>> {
    run.mapper
        .mappings()
        .iter()
        .enumerate()
        .filter(|(_, m)| m.kind == Kind::Gaiji && m.unwritable.is_none())
        .map(|(i, mapping)| {
            let (count, first) = over_files(run.files, |f| f.tally.mapped.get(i));
            GaijiRow {
                mapping,
                count,
                first,
            }
        })
        // The encoding's built-in glyphs are thousands: only those met are shown.
        .filter(|r| !(r.mapping.builtin && r.count == 0))
        .collect()
}

struct UnmappedRow<'a> {
    source: char,
    count: u64,
    first: Option<First<'a>>,
}

fn unmapped_rows<'a>(run: &Run<'a>) -> Vec<UnmappedRow<'a>> {
    let mut chars: Vec<char> = run
        .files
        .iter()
        .flat_map(|f| f.tally.unmapped.keys().copied())
        .collect();
    chars.sort_unstable();
    chars.dedup();
    chars
        .into_iter()
        .map(|c| {
            let (count, first) = over_files(run.files, |f| f.tally.unmapped.get(&c));
            UnmappedRow {
                source: c,
                count,
                first,
            }
        })
        .collect()
}

/// One reject reason (code and item) over all files.
struct ReasonRow<'a> {
    code: &'static str,
    item: Option<&'a str>,
    count: u64,
    /// Per input file (index) that has it: its records.
    files: Vec<(usize, &'a ReasonTally)>,
}

/// Reject reasons, most frequent first (so the reason to fix first is on top),
/// then by code and item.
fn reason_rows<'a>(run: &Run<'a>) -> Vec<ReasonRow<'a>> {
    let mut by: BTreeMap<(&'static str, Option<&'a str>), ReasonRow<'a>> = BTreeMap::new();
    for (i, f) in run.files.iter().enumerate() {
        for ((code, item), r) in &f.tally.reasons {
            let row = by
                .entry((code, item.as_deref()))
                .or_insert_with(|| ReasonRow {
                    code,
                    item: item.as_deref(),
                    count: 0,
                    files: Vec::new(),
                });
            row.count += r.count;
            row.files.push((i, r));
        }
    }
    let mut rows: Vec<ReasonRow> = by.into_values().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.count));
    rows
}

fn summary(
    run: &Run,
    gaiji: &[GaijiRow],
    unmapped: &[UnmappedRow],
    reasons: &[ReasonRow],
) -> Section {
    let m = run.manifest;
    let c = m.counts;
    let written_gaiji: u64 = gaiji.iter().map(|g| g.count).sum();
    let unmapped_n: u64 = unmapped.iter().map(|u| u.count).sum();
    let hidden: u64 = run.files.iter().map(|f| f.tally.sensitive_unmapped).sum();
    // --- MJ+ (--charset) ---
    let nonstandard: u64 = run
        .files
        .iter()
        .flat_map(|f| f.tally.nonstandard.values())
        .map(|s| s.count)
        .sum();
    // Rejected records per reason code (items together), in the order of the list.
    let mut by_code: Vec<(&str, u64)> = Vec::new();
    for r in reasons {
        match by_code.iter_mut().find(|(code, _)| *code == r.code) {
            Some((_, n)) => *n += r.count,
            None => by_code.push((r.code, r.count)),
        }
    }
    let mut records = vec![Bar {
        label: "出力".into(),
        count: c.written,
        class: "ok",
    }];
    records.extend(by_code.iter().map(|&(code, count)| Bar {
        label: format!("不正: {}", reason_label(code)),
        count,
        class: "bad",
    }));
    let chars = vec![
        Bar {
            label: "外字対応表で変換".into(),
            count: written_gaiji,
            class: "map",
        },
        Bar {
            label: "外字対応表にない".into(),
            count: unmapped_n,
            class: "unmapped",
        },
    ];
    let chart = bar_chart(
        "outcome-chart",
        "図: 変換の結果（レコードの件数と外字の箇所数）",
        &[("レコード（件）", records), ("外字（か所）", chars)],
    );
    Section {
        id: "summary",
        title: "概要".into(),
        body: html! {
            @if c.rejected == 0 && unmapped.is_empty() && hidden == 0 && nonstandard == 0 {
                p class="ok" { "すべてのレコード（" (num(c.read)) "件）を変換しました。" }
            } @else {
                div class="warn" {
                    @if c.rejected > 0 {
                        p {
                            span class="bad" { (num(c.rejected)) "件のレコードは変換できませんでした。" }
                            "元のままの内容を不正レコードファイル（*.rejects.csv）に保存してあります。理由は「"
                            a href="#rejects" { "不正レコード" } "」を見てください。"
                        }
                    }
                    @if !unmapped.is_empty() {
                        p {
                            span class="bad" { "外字対応表にない外字が" (num(unmapped.len() as u64)) "種類（" (num(unmapped_n)) "か所）ありました。" }
                            "「" a href="#unmapped" { "外字対応表にない外字" } "」を見てください。"
                        }
                    }
                    @if nonstandard > 0 {
                        p {
                            span class="bad" { "文字集合（--charset）にない文字が" (num(nonstandard)) "か所ありました。" }
                            "「" a href="#nonstandard" { "標準外の文字" } "」を見てください。"
                        }
                    }
                    @if hidden > 0 {
                        // Which 外字 and where would tell something of the sensitive value.
                        p {
                            span class="bad" { "sensitive の項目に外字対応表にない外字が" (num(hidden)) "か所ありました。" }
                            "sensitive の項目のため、文字とレコードは表示しません（"
                            (match run.mapper.options().unmapped {
                                UnmappedPolicy::Geta => "〓 を書きました",
                                _ => "そのレコードは不正レコードファイルにあります",
                            })
                            "）。"
                        }
                    }
                }
            }
            table id="counts" {
                thead { tr { th { "入力ファイル" } th { "読込件数" } th { "出力件数" } th { "不正件数" } th { "確認" } } }
                tbody {
                    @for input in &m.inputs {
                        tr {
                            td { (t(&input.path)) }
                            td class="n" { (num(input.records)) }
                            td class="n" { (num(input.written)) }
                            td class="n" { (num(input.rejected)) }
                            td { (adds_up(input.records, input.written, input.rejected)) }
                        }
                    }
                    @if m.inputs.len() > 1 {
                        tr {
                            th { "合計" }
                            td class="n" { (num(c.read)) }
                            td class="n" { (num(c.written)) }
                            td class="n" { (num(c.rejected)) }
                            td { (adds_up(c.read, c.written, c.rejected)) }
                        }
                    }
                }
            }
            p { "外字対応表で変換した外字: " (num(written_gaiji)) "か所。" }
            (chart)
            p class="note" {
                "件数はヘッダ行と空行を含みません。レコード番号は入力ファイルの先頭から数えた番号で、不正レコードファイルの番号と同じです。"
            }
        },
    }
}

fn adds_up(read: u64, written: u64, rejected: u64) -> Markup {
    html! {
        @if Some(read) == written.checked_add(rejected) {
            "読込 = 出力 + 不正 ✓"
        } @else {
            span class="bad" { "件数が合いません" }
        }
    }
}

fn gaiji_section(run: &Run, rows: &[GaijiRow], unmapped: &[UnmappedRow]) -> Section {
    let db = mj::db();
    let enc = crate::decode::Encoding::parse(&run.manifest.options.encoding);
    let source_bytes = |c: char| enc.and_then(|e| crate::profile::source_bytes(e, c));
    let used: Vec<&GaijiRow> = rows.iter().filter(|r| r.count > 0).collect();
    let unused = rows.len() - used.len();
    let action = match run.mapper.options().unmapped {
        UnmappedPolicy::Geta => "〓（ゲタ記号）を出力しました",
        _ => "レコードを不正レコードにしました",
    };
    let body = html! {
        p class="note" {
            "字形は IPAmj明朝 で表示します。各字形の右にコードポイント（U+…）を書いてあります。字形が見分けにくいとき、またはフォントがないときは、コードポイントで確認してください。"
            (kit::FONT_INSTALL)
        }
        h3 { "外字対応表で変換した外字" }
        @if used.is_empty() {
            p { "ありません。" }
        } @else {
            table id="gaiji-table" {
                thead { tr {
                    th { "外字コード" }
                    @if run.vendor.is_some() { th { "外字フォントの字形" } }
                    th { "対応表の指定" } th { "MJ文字図形名" } th { "MJの字形" }
                    th { "出力した文字" } th { "件数" } th { "最初のレコード" }
                } }
                tbody {
                    @for r in &used {
                        @let m = r.mapping;
                        tr {
                            td {
                                (mj::u_plus(m.source))
                                @if m.source_text != mj::u_plus(m.source) {
                                    br; code { (t(&m.source_text)) }
                                } @else if let Some(b) = source_bytes(m.source) {
                                    br; code { (b) }
                                }
                            }
                            @if let Some(v) = run.vendor {
                                td { (vendor_glyph(v, m.source, source_bytes(m.source).as_deref())) }
                            }
                            td {
                                (t(m.target_text.as_deref().unwrap_or("")))
                                br; span class="note" { (t(m.origin.as_deref().unwrap_or(""))) }
                            }
                            @match (m.mj, m.gj) {
                                (None, Some(gj)) => {
                                    // --- MJ+ extension: the GJ id, and its code points ---
                                    td { (crate::charset::ext::gj_name(gj)) br; span class="note" { "MJ+ 拡張" } }
                                    td {
                                        @match run.mapper.options().ext.and_then(|x| x.get(gj)) {
                                            Some(e) => (glyph(&e.text)),
                                            None => "—",
                                        }
                                    }
                                }
                                (Some(n), _) => {
                                    td { (mj::mj_name(n)) }
                                    td {
                                        @match db.written(n, mj::IvsPolicy::Keep).ok() {
                                            Some(w) => (glyph(&w.text)),
                                            None => "—",
                                        }
                                    }
                                }
                                (None, None) => { td { "—" } td { "—（文字の直接指定）" } }
                            }
                            td {
                                (glyph(&m.output))
                                @if let Some(tbl) = m.degenerate_table {
                                    br; span class="note" { "縮退: " (tbl) }
                                }
                                @if let Some(s) = m.sibling {
                                    br; span class="note" { "同じ字形の " (mj::mj_name(s)) " で出力" }
                                }
                            }
                            td class="n" { (num(r.count)) }
                            td { (first_cell(run, r.first.as_ref())) }
                        }
                    }
                }
            }
        }
        @if unused > 0 {
            p class="note" { "外字対応表のほかの" (num(unused as u64)) "行の外字は、今回のデータ（出力したレコード）にはありませんでした。" }
        }
        h3 id="unmapped" { "外字対応表にない外字" }
        @if unmapped.is_empty() {
            p { "ありません。" }
        } @else {
            table id="unmapped-table" {
                thead { tr {
                    th { "外字コード" }
                    @if run.vendor.is_some() { th { "外字フォントの字形" } }
                    th { "件数" } th { "最初のレコード" } th { "扱い" }
                } }
                tbody {
                    @for u in unmapped {
                        tr {
                            td {
                                (mj::u_plus(u.source))
                                @if let Some(b) = source_bytes(u.source) { br; code { (b) } }
                            }
                            @if let Some(v) = run.vendor {
                                td { (vendor_glyph(v, u.source, source_bytes(u.source).as_deref())) }
                            }
                            td class="n" { (num(u.count)) }
                            td { (first_cell(run, u.first.as_ref())) }
                            td {
                                (action)
                                @if let Some(m) = run.mapper.table_mapping(u.source) {
                                    @if let Some(why) = &m.unwritable {
                                        br; span class="note" {
                                            "対応表の " (t(m.target_text.as_deref().unwrap_or("")))
                                            "（" (t(m.origin.as_deref().unwrap_or(""))) "）: " (t(why))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p class="note" {
                "文字同定を済ませて外字対応表に加えてから、もう一度変換してください。"
                code { "ikou profile --worklist" } " で、これらの外字を並べた対応表のひな形を作れます。"
            }
        }
    };
    Section {
        id: "gaiji",
        title: "外字".into(),
        body,
    }
}

/// The vendor's glyph of a 外字 (`--font`), or a dash when the font has none.
fn vendor_glyph(v: &crate::identify::source::VendorImages, c: char, bytes: Option<&str>) -> Markup {
    match v.data_uri(c, bytes) {
        Some(uri) => html! {
            img alt={ (mj::u_plus(c)) " の字形（外字フォント）" } src=(uri)
                style="width:2.6rem;height:2.6rem;image-rendering:pixelated;border:1px solid #999;background:#fff";
        },
        None => html! { span class="note" { "—（フォントにない）" } },
    }
}

// --- MJ+ (--charset) ---

/// 標準外の文字: every unit outside `--charset`, per item, with its first record;
/// for a `sensitive` item only the count. None under `--charset any`.
fn nonstandard_section(run: &Run) -> Option<Section> {
    let charset = run.mapper.charset()?.kind();
    let mut keys: Vec<(u32, Option<crate::charset::Unit>)> = run
        .files
        .iter()
        .flat_map(|f| f.tally.nonstandard.keys().copied())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let action = match run.mapper.options().unmapped {
        UnmappedPolicy::Geta => "〓（ゲタ記号）を出力しました",
        _ => "レコードを不正レコードにしました",
    };
    let rows: Vec<_> = keys
        .iter()
        .map(|k| {
            let (count, first) = over_files(run.files, |f| f.tally.nonstandard.get(k));
            let item = run
                .layout
                .fields
                .get(k.0 as usize)
                .map_or("", |f| f.name.as_str());
            (item, k.1, count, first)
        })
        .collect();
    Some(Section {
        id: "nonstandard",
        title: "標準外の文字".into(),
        body: html! {
            p class="note" {
                "文字・カナ項目に出力する文字は、すべて --charset " (charset.id()) "（" (charset.label_ja()) "）の文字集合にあるか確かめました。"
                "異体字セレクタ付きの文字は、その組で1文字です。"
            }
            @if rows.is_empty() {
                p class="ok" { "ありません。出力した文字はすべてこの文字集合にあります。" }
            } @else {
                table id="nonstandard-table" {
                    thead { tr { th { "項目" } th { "文字" } th { "件数" } th { "最初のレコード" } th { "扱い" } } }
                    tbody {
                        @for (item, unit, count, first) in &rows {
                            tr {
                                td { (t(*item)) }
                                @match unit {
                                    Some(u) => {
                                        td { (glyph(&u.to_string())) }
                                        td class="n" { (num(*count)) }
                                        td { (first_cell(run, first.as_ref())) }
                                    }
                                    None => {
                                        td { "（sensitive の項目のため表示しません）" }
                                        td class="n" { (num(*count)) }
                                        td { "—" }
                                    }
                                }
                                td { (action) }
                            }
                        }
                    }
                }
                p class="note" {
                    "外字対応表で MJ 字形または MJ+ 拡張の文字（GJ）を指定するか、--charset-ext で MJ+ 拡張の一覧を指定してください。"
                }
            }
        },
    })
}

/// Compatibility ideographs and CP932/JIS variants that were rewritten.
fn other_mappings(run: &Run) -> Option<Section> {
    let mut compat = Vec::new();
    let mut variants = Vec::new();
    // --- h-fidelity (issue 12, item 7) ---
    let mut svs = 0u64;
    // Written compatibility ideographs: the output is not NFC-stable.
    let mut unstable = 0u64;
    // --- end h-fidelity ---
    for (i, m) in run.mapper.mappings().iter().enumerate() {
        let (count, first) = over_files(run.files, |f| f.tally.mapped.get(i));
        svs += count * m.svs as u64;
        if m.output.chars().any(mj::compat::is_compat_ideograph) {
            unstable += count;
        }
        if !matches!(m.kind, Kind::Compat | Kind::Variant) {
            continue;
        }
        if count == 0 {
            continue;
        }
        let row = (m, count, first);
        if m.kind == Kind::Compat {
            compat.push(row);
        } else {
            variants.push(row);
        }
    }
    if compat.is_empty() && variants.is_empty() && svs == 0 && unstable == 0 {
        return None;
    }
    let parts = [
        (
            "compat",
            "互換漢字",
            "互換漢字（U+F900 など）は、後で NFC 正規化されると別のコードポイントに変わります。\
             MJ 字形のあるものはその MJ 字形の表し方で出力し、ないもの（MJ文字図形名が —）は\
             そのまま出力して、すべて数えました。",
            &compat,
        ),
        (
            "variants",
            "CP932 と JIS で表し方の違う文字",
            "〜 − ‖ — ¢ £ ¬ は、--variants の指定に従って一つの表し方にそろえました。",
            &variants,
        ),
    ];
    Some(Section {
        id: "other-mappings",
        title: "書き換えたそのほかの文字".into(),
        body: html! {
            @if run.mapper.options().nfc_safe {
                p id="nfc-safe" class="note" {
                    "--nfc-safe: 互換漢字 " (num(svs)) " 文字を、NFC 正規化で変わらない標準化された異体字シーケンス（統合漢字 + U+FE00 など）で出力しました。"
                }
            } @else if unstable > 0 {
                p id="nfc-safe" class="note" {
                    "出力は JIS X 0213 のとおりですが、互換漢字を " (num(unstable)) " 文字含むため、NFC 正規化に対して安定ではありません（--nfc-safe で、NFC 正規化で変わらない標準化された異体字シーケンスにできます）。"
                }
            }
            @for (id, heading, note, rows) in parts {
                @if !rows.is_empty() {
                    h3 { (heading) }
                    p class="note" { (note) }
                    table id={ (id) "-table" } {
                        thead { tr { th { "元の文字" } th { "MJ文字図形名" } th { "出力した文字" } th { "件数" } th { "最初のレコード" } } }
                        tbody {
                            @for (m, count, first) in rows.iter() {
                                tr {
                                    td { (glyph(&m.source.to_string())) }
                                    td { @match m.mj { Some(n) => (mj::mj_name(n)), None => "—" } }
                                    td { (glyph(&m.output)) }
                                    td class="n" { (num(*count)) }
                                    td { (first_cell(run, first.as_ref())) }
                                }
                            }
                        }
                    }
                }
            }
        },
    })
}

/// `convert --to`: every code converted by a target item's code table, per
/// item and pair, and the values kept without a line. Shown when some were.
fn code_conversions(m: &Manifest) -> Option<Section> {
    if m.code_conversions.is_empty() {
        return None;
    }
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "（sensitive）".into());
    Some(Section {
        id: "code-conversions",
        title: "コード変換".into(),
        body: html! {
            p class="note" {
                "出力したレコードで、変換先レイアウト（--to）の項目のコード変換表により変換したコードの数です。"
                "「変換表にないまま出力」は unmapped = \"keep\" の項目で、変換表に行のない値をそのまま書いたものです。"
            }
            table id="code-conversions-table" {
                thead { tr { th { "項目" } th { "変換前" } th { "変換後" } th { "件数" } th { "変換表（行）" } } }
                tbody {
                    @for c in &m.code_conversions {
                        tr {
                            td { (t(&c.item)) }
                            @if c.more {
                                td { "ほかの値（先頭" (crate::target::apply::MAX_KEPT_LISTED) "種類のほか）" }
                            } @else {
                                td { code { (t(shown(&c.old))) } }
                            }
                            @if c.kept {
                                td { "変換表にないまま出力" }
                            } @else {
                                td { code { (t(shown(&c.new))) } }
                            }
                            td class="n" { (num(c.count)) }
                            td class="note" {
                                (t(&c.table))
                                @if c.line > 0 { "（" (c.line) "行目）" }
                            }
                        }
                    }
                }
            }
        },
    })
}

/// A finding's code in Japanese.
fn finding_label(code: &str) -> &'static str {
    match code {
        "missing-header" => "ヘッダレコードがない",
        "missing-trailer" => "トレーラレコードがない",
        "repeated-header" => "ヘッダレコードが2つ以上",
        "repeated-trailer" => "トレーラレコードが2つ以上",
        "header-not-first" => "ヘッダレコードが先頭にない",
        "data-after-trailer" => "トレーラの後にデータレコード",
        "invalid-header" => "ヘッダレコードが読めない",
        "invalid-trailer" => "トレーラレコードが読めない",
        _ => "その他",
    }
}

/// Layouts with record types: the records per type (they reconcile: data read =
/// written + rejected), the header and trailer checks, and the findings.
fn record_types(run: &Run) -> Option<Section> {
    let m = run.manifest;
    if m.record_types.is_empty() {
        return None;
    }
    let kind_label = |k: &str| match k {
        "header" => "ヘッダ",
        "data" => "データ",
        "trailer" => "トレーラ",
        _ => "種別不明（不受理）",
    };
    let failed = m.trailer_checks.iter().filter(|c| !c.ok).count();
    Some(Section {
        id: "record-types",
        title: "レコード種別とトレーラ検査".into(),
        body: html! {
            p class="note" {
                "レコード区分により各レコードの種別を判定しました。ヘッダとトレーラは読んで検査し、出力しません。"
                "データの読込件数 = 出力件数 + 不受理件数です（種別ごと、合計とも）。"
            }
            table id="record-types-table" {
                thead { tr { th { "種別" } th { "区分" } th { "読込" } th { "出力" } th { "不受理" } } }
                tbody {
                    @for e in &m.record_types {
                        tr {
                            td { (t(e.of_type.as_deref().unwrap_or("—"))) }
                            td { (kind_label(&e.kind)) }
                            td class="n" { (num(e.read)) }
                            td class="n" { (num(e.written)) }
                            td class="n" { (num(e.rejected)) }
                        }
                    }
                }
            }
            @if !m.trailer_checks.is_empty() {
                h3 { "トレーラ（ヘッダ）の件数・合計の検査" }
                @if failed == 0 {
                    p { "すべて一致しました。" }
                } @else {
                    p class="bad" { (failed) " 件の検査が一致しません。データは書き換えていません。発生元に確認してください。" }
                }
                table id="trailer-checks-table" {
                    thead { tr { th { "ファイル" } th { "レコード" } th { "項目" } th { "検査" } th { "記載値" } th { "実際" } th { "結果" } } }
                    tbody {
                        @for c in &m.trailer_checks {
                            tr {
                                td { (t(file_name(run, c.file))) }
                                td class="n" { (c.record) }
                                td { (t(&c.item)) }
                                td { @if c.kind == "count" { "件数" } @else { "合計" } }
                                td class="n" { code { (t(&c.expected)) } }
                                td class="n" {
                                    code { (t(&c.actual)) }
                                    @if c.not_summed > 0 { br; span class="note" { "数値として読めない " (num(c.not_summed)) " 件を除く" } }
                                }
                                td { @if c.ok { "一致" } @else { strong { "不一致" } } }
                            }
                        }
                    }
                }
            }
            @if !m.record_findings.is_empty() {
                h3 { "ヘッダ・トレーラの指摘" }
                table id="record-findings-table" {
                    thead { tr { th { "ファイル" } th { "レコード" } th { "指摘" } th { "詳細" } } }
                    tbody {
                        @for f in &m.record_findings {
                            tr {
                                td { (t(file_name(run, f.file))) }
                                td class="n" { @if let Some(r) = f.record { (r) } @else { "—" } }
                                td { (finding_label(&f.code)) br; code class="note" { (t(&f.code)) } }
                                td class="note" { (t(&f.message)) }
                            }
                        }
                    }
                }
            }
        },
    })
}

fn cleansing(m: &Manifest) -> Section {
    Section {
        id: "cleansing",
        title: "クレンジング（データの整形）".into(),
        body: html! {
            @if m.cleansing.is_empty() {
                p { "値を変えた項目はありません。" }
            } @else {
                p class="note" { "出力したレコードで、規則に従って値を整えた項目の数です（1つの項目値につき規則ごとに1回）。" }
                table id="cleansing-table" {
                    thead { tr { th { "項目" } th { "規則" } th { "件数" } } }
                    tbody {
                        @for c in &m.cleansing {
                            tr {
                                td { (t(&c.item)) }
                                td { (t(&c.label)) " " code class="note" { (t(&c.rule)) } }
                                td class="n" { (num(c.count)) }
                            }
                        }
                    }
                }
            }
        },
    }
}

// ---- dates ----
/// Dates written under `date_policy = "keep"` that are not in the calendar or are
/// 不詳: per item and reason, the count and the first record (with its key), never
/// the value. Shown when some item keeps dates.
fn kept_dates(run: &Run) -> Option<Section> {
    use crate::layout::{DatePolicy, FieldType};
    let keeping: Vec<(usize, &str)> = run
        .layout
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind == FieldType::Date && f.date_policy == Some(DatePolicy::Keep))
        .map(|(i, f)| (i, f.name.as_str()))
        .collect();
    if keeping.is_empty() {
        return None;
    }
    let mut rows = Vec::new();
    for &(i, name) in &keeping {
        for rule in crate::tally::KEPT_DATE_RULES {
            let (count, first) = over_files(run.files, |f| f.tally.kept_dates.get(&(i, rule)));
            if count > 0 {
                rows.push((name, rule, count, first));
            }
        }
    }
    let items: Vec<&str> = keeping.iter().map(|&(_, n)| n).collect();
    Some(Section {
        id: "kept-dates",
        title: "保持した日付（暦にない日付・不詳の日付）".into(),
        body: html! {
            p class="note" {
                "date_policy = \"keep\" の項目（" (t(items.join("、"))) "）では、暦にない日付（2月30日、平年の2月29日など）と不詳の日付（年月日不詳、00の月・日、頃など）を不正レコードにせず出力しました。"
                "年がわかる日付は西暦8桁（わからない月・日は00）で、年がわからない日付と「頃」の日付は元の表記のまま出力しています。元の記録で確認してください。"
            }
            @if rows.is_empty() {
                p { "ありません。" }
            } @else {
                table id="kept-dates-table" {
                    thead { tr { th { "項目" } th { "種類" } th { "件数" } th { "最初のレコード" } } }
                    tbody {
                        @for (name, rule, count, first) in &rows {
                            tr {
                                td { (t(*name)) }
                                td { (rule.label_ja()) " " code class="note" { (rule.id()) } }
                                td class="n" { (num(*count)) }
                                td { (first_cell(run, first.as_ref())) }
                            }
                        }
                    }
                }
            }
        },
    })
}
// ---- end dates ----

/// Rejected records: a table of reasons, then per reason the records kept by the
/// tally, each with its key and its line in the reject file. When a reason has
/// more records than were kept, the page says how many are not listed and where
/// they are.
fn rejects(run: &Run, reasons: &[ReasonRow]) -> Section {
    let key = key_field(run.layout).map(|k| run.layout.fields[k].name.as_str());
    let several = run.files.len() > 1;
    let item = |r: &ReasonRow| -> Markup {
        html! { @match r.item { Some(i) => (t(i)), None => "—" } }
    };
    let body = html! {
        @if reasons.is_empty() {
            p { "ありません。" }
        } @else {
            p class="note" {
                "変換できなかったレコードは、元のバイト列のまま不正レコードファイル（*.rejects.csv、このフォルダにあります）に、"
                "1行に1レコードずつ、レコード番号と理由を付けて保存してあります。"
            }
            table id="rejects-table" {
                thead { tr { th { "理由" } th { "項目" } th { "件数" } th { "一覧" } } }
                tbody {
                    @for (n, r) in reasons.iter().enumerate() {
                        tr {
                            td { (reason_label(r.code)) " " code class="note" { (r.code) } }
                            td { (item(r)) }
                            td class="n" { (num(r.count)) }
                            td { a href={ "#reject-" (n + 1) } { "レコードの一覧" } }
                        }
                    }
                }
            }
            @for (n, r) in reasons.iter().enumerate() {
                h3 id={ "reject-" (n + 1) } {
                    (reason_label(r.code))
                    @if let Some(i) = r.item { "（" (t(i)) "）" }
                    " — " (num(r.count)) "件"
                }
                table class="reject-list" {
                    thead { tr {
                        @if several { th { "入力ファイル" } }
                        th { "レコード番号" }
                        @if let Some(k) = key { th { (t(k)) } }
                        th { "不正レコードファイルの行" }
                    } }
                    tbody {
                        @for (f, rt) in &r.files {
                            @for rec in &rt.records {
                                tr {
                                    @if several { td { (t(file_name(run, *f))) } }
                                    td class="n" { (rec.record) }
                                    @if key.is_some() {
                                        td { @match &rec.key { Some(v) => (t(v)), None => "—" } }
                                    }
                                    td { code { (t(&run.files[*f].rejects_name)) } " " (num(rec.line)) "行目" }
                                }
                            }
                        }
                    }
                }
                @for (f, rt) in &r.files {
                    @let listed = rt.records.len() as u64;
                    @if rt.count > listed {
                        p class="note truncated" {
                            @if several { (t(file_name(run, *f))) ": " }
                            "最初の" (num(listed)) "件だけを載せています。このほか" (num(rt.count - listed))
                            "件は載せていません。すべて不正レコードファイル " code { (t(&run.files[*f].rejects_name)) }
                            " にあります（2列目が " code { (r.code) } " の行）。"
                        }
                    }
                }
            }
            @if key.is_some() {
                p class="note" {
                    "「—」: レコードを項目に分けられなかった（または理由がキー項目そのものにある）ため、キー項目の値はわかりません。レコード番号と行で探してください。"
                }
            }
        }
    };
    Section {
        id: "rejects",
        title: "不正レコード".into(),
        body,
    }
}

fn files(m: &Manifest) -> Section {
    let rows = m
        .inputs
        .iter()
        .map(|i| ("入力", &i.path, i.records, i.bytes, &i.sha256))
        .chain(
            m.outputs
                .iter()
                .map(|o| ("出力", &o.path, o.records, o.bytes, &o.sha256)),
        )
        .chain(
            m.rejects
                .iter()
                .map(|r| ("不正レコード", &r.path, r.records, r.bytes, &r.sha256)),
        );
    Section {
        id: "files",
        title: "ファイルとハッシュ値（SHA-256）".into(),
        body: html! {
            p class="note" {
                "ファイルの内容が変換時と同じであることは、ハッシュ値で確かめられます（"
                code { "ikou verify 出力フォルダ" } "、または " code { "sha256sum ファイル名" } "）。"
            }
            table id="files-table" {
                thead { tr { th { "種類" } th { "ファイル" } th { "レコード数" } th { "バイト数" } th { "SHA-256" } } }
                tbody {
                    @for (kind, path, records, bytes, sha) in rows {
                        tr {
                            td { (kind) }
                            td { (t(path)) }
                            td class="n" { (num(records)) }
                            td class="n" { (num(bytes)) }
                            td class="hash" { (t(sha)) }
                        }
                    }
                }
            }
        },
    }
}

fn tables(m: &Manifest) -> Section {
    Section {
        id: "tables",
        title: "使用した表".into(),
        body: html! {
            table id="tables-table" {
                thead { tr { th { "種類" } th { "ファイル" } th { "版" } th { "SHA-256" } } }
                tbody {
                    @for tb in &m.tables {
                        tr {
                            td { (match tb.kind.as_str() {
                                "layout" => "レイアウト",
                                "gaiji" => "外字対応表",
                                "encoding" => "文字コード表（組込み）",
                                "mj" => "MJ文字情報（組込み）",
                                "charset-ext" => "MJ+ 拡張の一覧（--charset-ext）",
                                "font" => "外字フォント（--font）",
                                _ => "表",
                            }) }
                            td { (t(&tb.path)) }
                            td { (t(tb.version.as_deref().unwrap_or(""))) }
                            td class="hash" { (t(&tb.sha256)) }
                        }
                    }
                }
            }
        },
    }
}

fn about(run: &Run) -> Section {
    let m = run.manifest;
    let opts: Vec<String> = std::iter::once(format!("--encoding {}", m.options.encoding))
        .chain(m.options.extra.iter().map(|(k, v)| format!("--{k} {v}")))
        .collect();
    Section {
        id: "about",
        title: "この報告書について".into(),
        body: html! {
            p {
                (t(&m.tool.name)) " " (t(&m.tool.version)) " が作成しました。変換の指定: "
                code { (t(opts.join(" "))) } "。"
            }
            p class="note" {
                "実行IDは、入力ファイルと使用した表（レイアウト・外字対応表・MJ文字情報）の SHA-256、ikou の版、変換の指定から計算した SHA-256 の先頭12桁です"
                "（ファイルの置き場所は含みません）。同じ入力・表・指定で変換すると同じ実行IDになります。"
                "印刷すると、各ページの下に実行IDとページ番号が入ります。"
            }
            p class="note" {
                "この報告書は変換結果（manifest.json）から作ったもので、日時を含みません。"
                "この報告書自体のハッシュ値は manifest.json の " code { "report" } " に記録されています。"
                "レコードの内容は、外字1文字と、レコードを探すための"
                @match key_field(run.layout) {
                    Some(k) => { "キー項目（" (t(&run.layout.fields[k].name)) "）の値" }
                    None => "（キー項目がないため）レコード番号",
                }
                "だけを表示しています。"
            }
        },
    }
}
#[cfg(test)]
mod tests;
