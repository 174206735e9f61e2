//! report.html: the evidence of a run for people (municipal staff checking a
//! migration), in Japanese, as one self-contained page.
//!
//! What it shows: per input file the counts (read, written, rejected) and the
//! SHA-256 of every file; every 外字 written through a table (source code, MJ
//! glyph, what was written, the degenerate form and its table when one was used,
//! count, first record and its key) and every unmapped one; compatibility
//! ideographs and CP932/JIS variants rewritten; cleansing changes per item and
//! rule; rejected records by reason with record numbers; the tables used.
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
//! the MJ font is only ever `local()`.

mod html;

use crate::convert::FileResult;
use crate::gaiji::{Kind, Mapper, UnmappedPolicy};
use crate::layout::Layout;
use crate::manifest::Manifest;
use crate::mj;
use crate::tally::Seen;
use html::{esc, glyph, num};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The report's name in the output directory.
pub const FILE_NAME: &str = "report.html";

/// What the report is made from: the results of a finished run.
pub struct Run<'a> {
    pub manifest: &'a Manifest,
    pub files: &'a [FileResult],
    pub layout: &'a Layout,
    pub mapper: &'a Mapper,
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
        crate::record::UNMAPPED => "外字対応表にない外字",
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
        _ => "その他",
    }
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
    let mut p = html::head(&title);
    p.push_str("<body>\n");
    let _ = writeln!(p, "<h1>{}</h1>", esc(&title));
    let gaiji = gaiji_rows(run);
    let unmapped = unmapped_rows(run);
    summary(&mut p, run, &gaiji, &unmapped);
    gaiji_section(&mut p, run, &gaiji, &unmapped);
    other_mappings(&mut p, run);
    cleansing(&mut p, m);
    rejects(&mut p, run);
    files(&mut p, m);
    tables(&mut p, run);
    about(&mut p, run);
    p.push_str(html::FONT_CHECK);
    p.push_str("</body>\n</html>\n");
    p
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
fn first_cell(run: &Run, first: Option<&First>) -> String {
    let Some(f) = first else {
        return "—".into();
    };
    let mut s = String::new();
    if run.files.len() > 1 {
        let _ = write!(s, "{}<br>", esc(&file_name(run, f.file)));
    }
    let _ = write!(s, "レコード {}", f.seen.first_record);
    if let (Some(key), Some(k)) = (&f.seen.first_key, key_field(run.layout)) {
        let _ = write!(
            s,
            "<br><span class=\"note\">{}</span> {}",
            esc(&run.layout.fields[k].name),
            esc(key)
        );
    }
    s
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

fn summary(p: &mut String, run: &Run, gaiji: &[GaijiRow], unmapped: &[UnmappedRow]) {
    let m = run.manifest;
    let c = m.counts;
    p.push_str("<section id=\"summary\">\n<h2>概要</h2>\n");
    let written_gaiji: u64 = gaiji.iter().map(|g| g.count).sum();
    let unmapped_n: u64 = unmapped.iter().map(|u| u.count).sum();
    let hidden: u64 = run.files.iter().map(|f| f.tally.sensitive_unmapped).sum();
    if c.rejected == 0 && unmapped.is_empty() && hidden == 0 {
        let _ = writeln!(
            p,
            "<p class=\"ok\">すべてのレコード（{}件）を変換しました。</p>",
            num(c.read)
        );
    } else {
        p.push_str("<div class=\"warn\">\n");
        if c.rejected > 0 {
            let _ = writeln!(
                p,
                "<p><span class=\"bad\">{}件のレコードは変換できませんでした。</span>\
                 元のままの内容を不正レコードファイル（*.rejects.csv）に保存してあります。\
                 理由は「<a href=\"#rejects\">不正レコード</a>」を見てください。</p>",
                num(c.rejected)
            );
        }
        if !unmapped.is_empty() {
            let _ = writeln!(
                p,
                "<p><span class=\"bad\">外字対応表にない外字が{}種類（{}か所）ありました。</span>\
                 「<a href=\"#unmapped\">外字対応表にない外字</a>」を見てください。</p>",
                num(unmapped.len() as u64),
                num(unmapped_n)
            );
        }
        if hidden > 0 {
            // Which 外字 and where would tell something of the sensitive value.
            let _ = writeln!(
                p,
                "<p><span class=\"bad\">sensitive の項目に外字対応表にない外字が{}か所ありました。</span>\
                 sensitive の項目のため、文字とレコードは表示しません（{}）。</p>",
                num(hidden),
                match run.mapper.options().unmapped {
                    UnmappedPolicy::Geta => "〓 を書きました",
                    _ => "そのレコードは不正レコードファイルにあります",
                }
            );
        }
        p.push_str("</div>\n");
    }
    p.push_str(
        "<table id=\"counts\">\n<thead><tr><th>入力ファイル</th><th>読込件数</th><th>出力件数</th>\
         <th>不正件数</th><th>確認</th></tr></thead>\n<tbody>\n",
    );
    for input in &m.inputs {
        let _ = writeln!(
            p,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&input.path),
            num(input.records),
            num(input.written),
            num(input.rejected),
            adds_up(input.records, input.written, input.rejected),
        );
    }
    if m.inputs.len() > 1 {
        let _ = writeln!(
            p,
            "<tr><th>合計</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            num(c.read),
            num(c.written),
            num(c.rejected),
            adds_up(c.read, c.written, c.rejected),
        );
    }
    p.push_str("</tbody>\n</table>\n");
    let _ = writeln!(
        p,
        "<p>外字対応表で変換した外字: {}か所。レイアウト: {}（{}）。</p>",
        num(written_gaiji),
        esc(&run.layout.name),
        esc(&m.options.layout),
    );
    p.push_str(
        "<p class=\"note\">件数はヘッダ行と空行を含みません。レコード番号は入力ファイルの先頭から数えた番号で、\
         不正レコードファイルの番号と同じです。</p>\n</section>\n",
    );
}

fn adds_up(read: u64, written: u64, rejected: u64) -> &'static str {
    if read == written + rejected {
        "読込 = 出力 + 不正 ✓"
    } else {
        "<span class=\"bad\">件数が合いません</span>"
    }
}

fn gaiji_section(p: &mut String, run: &Run, rows: &[GaijiRow], unmapped: &[UnmappedRow]) {
    let db = mj::db();
    let enc = crate::decode::Encoding::parse(&run.manifest.options.encoding);
    p.push_str("<section id=\"gaiji\">\n<h2>外字</h2>\n");
    p.push_str(
        "<p class=\"note\">字形は IPAmj明朝 で表示します。各字形の右にコードポイント（U+…）を書いてあります。\
         字形が見分けにくいとき、またはフォントがないときは、コードポイントで確認してください。</p>\n\
         <p id=\"font-missing\" class=\"warn\" hidden>この端末には IPAmj明朝 がないため、字形が正しく表示されていません。\
         コードポイントで確認するか、IPAmj明朝（Debian では fonts-ipamj-mincho）をインストールしてください。</p>\n",
    );
    let used: Vec<&GaijiRow> = rows.iter().filter(|r| r.count > 0).collect();
    p.push_str("<h3>外字対応表で変換した外字</h3>\n");
    if used.is_empty() {
        p.push_str("<p>ありません。</p>\n");
    } else {
        p.push_str(
            "<table id=\"gaiji-table\">\n<thead><tr><th>外字コード</th><th>対応表の指定</th>\
             <th>MJ文字図形名</th><th>MJの字形</th><th>出力した文字</th><th>件数</th><th>最初のレコード</th></tr></thead>\n<tbody>\n",
        );
        for r in &used {
            let m = r.mapping;
            let mut source = esc(&mj::u_plus(m.source));
            if m.source_text != mj::u_plus(m.source) {
                let _ = write!(source, "<br><code>{}</code>", esc(&m.source_text));
            } else if let Some(b) = enc.and_then(|e| crate::profile::source_bytes(e, m.source)) {
                let _ = write!(source, "<br><code>{}</code>", esc(&b));
            }
            let target = format!(
                "{}<br><span class=\"note\">{}</span>",
                esc(m.target_text.as_deref().unwrap_or("")),
                esc(m.origin.as_deref().unwrap_or(""))
            );
            let (name, mj_glyph) = match m.mj {
                Some(n) => {
                    let keep = db.written(n, mj::IvsPolicy::Keep).ok();
                    (
                        esc(&mj::mj_name(n)),
                        keep.map_or_else(|| "—".to_string(), |w| glyph(&w.text)),
                    )
                }
                None => ("—".into(), "—（文字の直接指定）".into()),
            };
            let mut out = glyph(&m.output);
            if let Some(t) = m.degenerate_table {
                let _ = write!(out, "<br><span class=\"note\">縮退: {}</span>", esc(t));
            }
            if let Some(s) = m.sibling {
                let _ = write!(
                    out,
                    "<br><span class=\"note\">同じ字形の {} で出力</span>",
                    esc(&mj::mj_name(s))
                );
            }
            let _ = writeln!(
                p,
                "<tr><td>{source}</td><td>{target}</td><td>{name}</td><td>{mj_glyph}</td><td>{out}</td>\
                 <td class=\"n\">{}</td><td>{}</td></tr>",
                num(r.count),
                first_cell(run, r.first.as_ref()),
            );
        }
        p.push_str("</tbody>\n</table>\n");
    }
    let unused = rows.len() - used.len();
    if unused > 0 {
        let _ = writeln!(
            p,
            "<p class=\"note\">外字対応表のほかの{}行の外字は、今回のデータ（出力したレコード）にはありませんでした。</p>",
            num(unused as u64)
        );
    }

    p.push_str("<h3 id=\"unmapped\">外字対応表にない外字</h3>\n");
    if unmapped.is_empty() {
        p.push_str("<p>ありません。</p>\n</section>\n");
        return;
    }
    let action = match run.mapper.options().unmapped {
        UnmappedPolicy::Geta => "〓（ゲタ記号）を出力しました",
        _ => "レコードを不正レコードにしました",
    };
    p.push_str(
        "<table id=\"unmapped-table\">\n<thead><tr><th>外字コード</th><th>件数</th><th>最初のレコード</th>\
         <th>扱い</th></tr></thead>\n<tbody>\n",
    );
    for u in unmapped {
        let mut source = esc(&mj::u_plus(u.source));
        if let Some(b) = enc.and_then(|e| crate::profile::source_bytes(e, u.source)) {
            let _ = write!(source, "<br><code>{}</code>", esc(&b));
        }
        let mut what = action.to_string();
        if let Some(m) = run.mapper.table_mapping(u.source)
            && let Some(why) = &m.unwritable
        {
            let _ = write!(
                what,
                "<br><span class=\"note\">対応表の {}（{}）: {}</span>",
                esc(m.target_text.as_deref().unwrap_or("")),
                esc(m.origin.as_deref().unwrap_or("")),
                esc(why)
            );
        }
        let _ = writeln!(
            p,
            "<tr><td>{source}</td><td class=\"n\">{}</td><td>{}</td><td>{what}</td></tr>",
            num(u.count),
            first_cell(run, u.first.as_ref()),
        );
    }
    p.push_str(
        "</tbody>\n</table>\n<p class=\"note\">文字同定を済ませて外字対応表に加えてから、もう一度変換してください。\
         <code>ikou profile --worklist</code> で、これらの外字を並べた対応表のひな形を作れます。</p>\n</section>\n",
    );
}

/// Compatibility ideographs and CP932/JIS variants that were rewritten.
fn other_mappings(p: &mut String, run: &Run) {
    let mut compat = Vec::new();
    let mut variants = Vec::new();
    for (i, m) in run.mapper.mappings().iter().enumerate() {
        if !matches!(m.kind, Kind::Compat | Kind::Variant) {
            continue;
        }
        let (count, first) = over_files(run.files, |f| f.tally.mapped.get(i));
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
    if compat.is_empty() && variants.is_empty() {
        return;
    }
    p.push_str("<section id=\"other-mappings\">\n<h2>書き換えたそのほかの文字</h2>\n");
    for (id, heading, note, rows) in [
        (
            "compat",
            "互換漢字",
            "互換漢字（U+F900 など）は、正規化で別の字形に変わらないよう、その MJ 字形の表し方で出力しました。",
            &compat,
        ),
        (
            "variants",
            "CP932 と JIS で表し方の違う文字",
            "〜 − ‖ — ¢ £ ¬ は、--variants の指定に従って一つの表し方にそろえました。",
            &variants,
        ),
    ] {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            p,
            "<h3>{heading}</h3>\n<p class=\"note\">{note}</p>\n<table id=\"{id}-table\">\n<thead><tr><th>元の文字</th>\
             <th>MJ文字図形名</th><th>出力した文字</th><th>件数</th><th>最初のレコード</th></tr></thead>\n<tbody>"
        );
        for (m, count, first) in rows.iter() {
            let _ = writeln!(
                p,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                glyph(&m.source.to_string()),
                m.mj.map_or_else(|| "—".to_string(), |n| esc(&mj::mj_name(n))),
                glyph(&m.output),
                num(*count),
                first_cell(run, first.as_ref()),
            );
        }
        p.push_str("</tbody>\n</table>\n");
    }
    p.push_str("</section>\n");
}

fn cleansing(p: &mut String, m: &Manifest) {
    p.push_str("<section id=\"cleansing\">\n<h2>クレンジング（データの整形）</h2>\n");
    if m.cleansing.is_empty() {
        p.push_str("<p>値を変えた項目はありません。</p>\n</section>\n");
        return;
    }
    p.push_str(
        "<p class=\"note\">出力したレコードで、規則に従って値を整えた項目の数です（1つの項目値につき規則ごとに1回）。</p>\n\
         <table id=\"cleansing-table\">\n<thead><tr><th>項目</th><th>規則</th><th>件数</th></tr></thead>\n<tbody>\n",
    );
    for c in &m.cleansing {
        let _ = writeln!(
            p,
            "<tr><td>{}</td><td>{} <code class=\"note\">{}</code></td><td class=\"n\">{}</td></tr>",
            esc(&c.item),
            esc(&c.label),
            esc(&c.rule),
            num(c.count)
        );
    }
    p.push_str("</tbody>\n</table>\n</section>\n");
}

fn rejects(p: &mut String, run: &Run) {
    let m = run.manifest;
    p.push_str("<section id=\"rejects\">\n<h2>不正レコード</h2>\n");
    if m.reject_reasons.is_empty() {
        p.push_str("<p>ありません。</p>\n</section>\n");
        return;
    }
    p.push_str(
        "<p class=\"note\">変換できなかったレコードは、元のバイト列のまま不正レコードファイル（*.rejects.csv）に、\
         レコード番号と理由を付けて保存してあります。</p>\n\
         <table id=\"rejects-table\">\n<thead><tr><th>理由</th><th>項目</th><th>件数</th><th>レコード番号</th></tr></thead>\n<tbody>\n",
    );
    // Most frequent first, so the reason to fix first is on top.
    let mut reasons: Vec<_> = m.reject_reasons.iter().collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.count));
    for r in reasons {
        let mut by_file: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for rr in &r.first_records {
            by_file
                .entry(rr.file)
                .or_default()
                .push(rr.record.to_string());
        }
        let mut list = String::new();
        for (f, recs) in &by_file {
            if m.inputs.len() > 1 {
                let _ = write!(list, "{}: ", esc(&file_name(run, *f)));
            }
            let _ = write!(list, "{}<br>", recs.join(", "));
        }
        let shown = r.first_records.len() as u64;
        if r.count > shown {
            let _ = write!(
                list,
                "<span class=\"note\">ほか{}件（すべて不正レコードファイルにあります）</span>",
                num(r.count - shown)
            );
        }
        let _ = writeln!(
            p,
            "<tr><td>{} <code class=\"note\">{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"records\">{}</td></tr>",
            esc(reason_label(&r.code)),
            esc(&r.code),
            r.item.as_deref().map_or_else(|| "—".to_string(), esc),
            num(r.count),
            list
        );
    }
    p.push_str("</tbody>\n</table>\n</section>\n");
}

fn files(p: &mut String, m: &Manifest) {
    p.push_str(
        "<section id=\"files\">\n<h2>ファイルとハッシュ値（SHA-256）</h2>\n\
         <p class=\"note\">ファイルの内容が変換時と同じであることは、ハッシュ値で確かめられます\
         （<code>ikou verify 出力フォルダ</code>、または <code>sha256sum ファイル名</code>）。</p>\n\
         <table id=\"files-table\">\n<thead><tr><th>種類</th><th>ファイル</th><th>レコード数</th><th>バイト数</th>\
         <th>SHA-256</th></tr></thead>\n<tbody>\n",
    );
    let row = |p: &mut String, kind: &str, path: &str, records: u64, bytes: u64, sha: &str| {
        let _ = writeln!(
            p,
            "<tr><td>{kind}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"hash\">{}</td></tr>",
            esc(path),
            num(records),
            num(bytes),
            esc(sha)
        );
    };
    for i in &m.inputs {
        row(p, "入力", &i.path, i.records, i.bytes, &i.sha256);
    }
    for o in &m.outputs {
        row(p, "出力", &o.path, o.records, o.bytes, &o.sha256);
    }
    for r in &m.rejects {
        row(p, "不正レコード", &r.path, r.records, r.bytes, &r.sha256);
    }
    p.push_str("</tbody>\n</table>\n</section>\n");
}

fn tables(p: &mut String, run: &Run) {
    let m = run.manifest;
    p.push_str(
        "<section id=\"tables\">\n<h2>使用した表</h2>\n<table id=\"tables-table\">\n<thead><tr><th>種類</th>\
         <th>ファイル</th><th>版</th><th>SHA-256</th></tr></thead>\n<tbody>\n",
    );
    for t in &m.tables {
        let kind = match t.kind.as_str() {
            "layout" => "レイアウト",
            "gaiji" => "外字対応表",
            "mj" => "MJ文字情報（組込み）",
            _ => "表",
        };
        let _ = writeln!(
            p,
            "<tr><td>{kind}</td><td>{}</td><td>{}</td><td class=\"hash\">{}</td></tr>",
            esc(&t.path),
            t.version.as_deref().map_or_else(String::new, esc),
            esc(&t.sha256)
        );
    }
    p.push_str("</tbody>\n</table>\n</section>\n");
}

fn about(p: &mut String, run: &Run) {
    let m = run.manifest;
    let key = match key_field(run.layout) {
        Some(k) => format!("キー項目（{}）の値", esc(&run.layout.fields[k].name)),
        None => "（キー項目がないため）レコード番号".into(),
    };
    let opts: Vec<String> = std::iter::once(format!("--encoding {}", m.options.encoding))
        .chain(m.options.extra.iter().map(|(k, v)| format!("--{k} {v}")))
        .collect();
    let _ = writeln!(
        p,
        "<section id=\"about\">\n<h2>この報告書について</h2>\n<p>{} {} が作成しました。変換の指定: <code>{}</code>。</p>\n\
         <p class=\"note\">この報告書は変換結果（manifest.json）から作ったもので、日時を含みません。\
         この報告書自体のハッシュ値は manifest.json の <code>report</code> に記録されています。\
         レコードの内容は、外字1文字と、レコードを探すための{key}だけを表示しています。</p>\n</section>",
        esc(&m.tool.name),
        esc(&m.tool.version),
        esc(&opts.join(" ")),
    );
}

#[cfg(test)]
mod tests;
