//! `ikou mj QUERY`: everything the database knows about a glyph, for people.
//!
//! 文字同定 is done by municipal staff and vendors who think in 住基 and 戸籍 codes and
//! in glyphs, not in code points. They need to see, in Japanese, every code a glyph
//! has and what each `--ivs` policy would write and why, before they trust a table.

use super::{
    Glyph, IvsPolicy, Notation, Target, Unwritable, Written, db, mj_name, parse_notation, target,
    u_plus,
};
use std::fmt::{self, Write as _};

/// A query [`describe`] cannot answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// The query is not in any accepted form.
    Syntax { query: String, reason: String },
    /// Well-formed, but no glyph matches.
    NotFound { query: String },
}

/// The forms [`describe`] accepts, for error messages.
pub const ACCEPTED_FORMS: &str = "指定できるもの: MJ文字図形名（MJ012345）、\
住基ネット統一文字コード（J+6F22）、戸籍統一文字番号（123450 または KOSEKI:123450）、\
文字（漢）、IVS（漢 + 異体字セレクタ）、コードポイント（U+6F22、U+6F22 U+E0101）";

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Syntax { query, reason } => {
                write!(f, "「{query}」を読めません: {reason}\n{ACCEPTED_FORMS}")
            }
            QueryError::NotFound { query } => write!(
                f,
                "「{query}」に該当する MJ 文字図形はありません（{}）。\n{ACCEPTED_FORMS}",
                super::version()
            ),
        }
    }
}

impl std::error::Error for QueryError {}

/// What `ikou mj QUERY` prints: for each glyph matching `query`, its codes, what
/// `--ivs keep` and `--ivs never` write (and from which table), and its MJ縮退マップ
/// candidates. `query` is an MJ文字図形名, `J+XXXX`, a 戸籍統一文字番号 (6 digits or
/// `KOSEKI:######`), one character, an IVS sequence, or `U+XXXX` (several separated by
/// spaces, e.g. `U+6F22 U+E0101`); prefixes and hex digits in either case.
pub fn describe(query: &str) -> Result<String, QueryError> {
    let (mjs, text) = find(query)?;
    let q = query.trim();
    if mjs.is_empty() {
        return Err(QueryError::NotFound {
            query: q.to_string(),
        });
    }
    let mut out = String::new();
    if mjs.len() > 1 {
        let what = match text {
            Some(t) => format!("「{t}」({})", codes(&t)),
            None => format!("「{q}」"),
        };
        let _ = writeln!(out, "{what} に該当する MJ 文字図形: {} 件\n", mjs.len());
    }
    for (i, mj) in mjs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if let Some(g) = db().glyph(*mj) {
            glyph_block(&mut out, &g);
        }
    }
    Ok(out)
}

/// [`describe`] as JSON, for scripts (`ikou mj --json`): `{"query", "glyphs": [{"mj",
/// "glyph", "ucs", "implemented", "ivs", "ivd_alt", "strokes", "juki", "koseki", "x0213",
/// "implemented_in_x0213", "compat", "note", "keep", "never", "candidates"}]}`. Codes
/// are written as in the text (`U+845B`, `J+AEAC`, `061560`, `1-15-55`); `strokes` (総画数)
/// is a number; absent ones are null.
pub fn describe_json(query: &str) -> Result<serde_json::Value, QueryError> {
    use serde_json::{Value, json};
    let (mjs, _) = find(query)?;
    let q = query.trim();
    if mjs.is_empty() {
        return Err(QueryError::NotFound {
            query: q.to_string(),
        });
    }
    let d = db();
    let opt = |c: Option<char>| c.map_or(Value::Null, |c| json!(u_plus(c)));
    let written = |mj, policy| match d.written(mj, policy) {
        Ok(w) => json!({
            "text": w.text,
            "codes": codes(&w.text),
            "table": w.table,
            "sibling": w.sibling.map(mj_name),
            "x0213": w.x0213.map(|x| x.to_string()),
            "needs_shift_jis_2004": w.needs_shift_jis_2004(),
        }),
        Err(e) => json!({"unwritable": e.to_string()}),
    };
    let glyphs: Vec<Value> = mjs
        .iter()
        .filter_map(|&mj| d.glyph(mj))
        .map(|g| {
            let candidates: Vec<Value> = d
                .candidates(g.mj)
                .iter()
                .map(|c| {
                    json!({
                        "text": c.ucs.to_string(),
                        "ucs": u_plus(c.ucs),
                        "x0213": c.x0213.to_string(),
                        "table": c.table.name(),
                        "rank": c.rank,
                        "hops": c.hops,
                    })
                })
                .collect();
            json!({
                "mj": g.name(),
                "ucs": opt(g.ucs),
                "implemented": opt(g.implemented),
                "ivs": g.ivs.map(|s| s.codes()),
                "ivd_alt": g.ivd_alt.map(|s| s.codes()),
                "strokes": g.strokes,
                "juki": g.juki.map(|j| format!("J+{j:04X}")),
                "koseki": g.koseki.map(|k| format!("{k:06}")),
                "x0213": g.x0213.map(|x| x.to_string()),
                "implemented_in_x0213": g.implemented_in_x0213,
                "compat": opt(g.compat),
                "note": g.note,
                "keep": written(g.mj, IvsPolicy::Keep),
                "never": written(g.mj, IvsPolicy::Never),
                "candidates": candidates,
            })
        })
        .collect();
    Ok(json!({"query": q, "glyphs": glyphs}))
}

fn syntax(query: &str, reason: impl Into<String>) -> QueryError {
    QueryError::Syntax {
        query: query.to_string(),
        reason: reason.into(),
    }
}

/// The MJ numbers a query names, and the text looked up when it is a character query.
fn find(query: &str) -> Result<(Vec<u32>, Option<String>), QueryError> {
    let q = query.trim_matches(|c: char| c.is_whitespace());
    if q.is_empty() {
        return Err(syntax(q, "空です"));
    }
    let by_code = |t: Target| {
        (
            db().resolve(&t).map(|mj| vec![mj]).unwrap_or_default(),
            None,
        )
    };
    // One parser for the notations, shared with the 外字 tables: a form accepted in a
    // table is accepted here, and the other way round.
    let text: String = if target::looks_like_notation(q) {
        match parse_notation(q).map_err(|e| syntax(q, e.japanese()))? {
            Notation::Glyph(t) => return Ok(by_code(t)),
            Notation::CodePoints(text) => text,
            // Answered by [`ext_entry`] when the caller has the extension.
            Notation::Ext(_) => {
                return Err(syntax(
                    q,
                    "GJ で始まるのは MJ+ 拡張の文字です。その一覧を --charset-ext で指定してください",
                ));
            }
        }
    } else {
        let folded = target::fold(q);
        if folded.len() == 6 && folded.bytes().all(|b| b.is_ascii_digit()) {
            let t = Target::Koseki(
                folded
                    .parse()
                    .map_err(|_| syntax(q, "数字ではありません"))?,
            );
            return Ok(by_code(t));
        }
        // A character query as typed: folding would change the glyph asked about.
        q.to_string()
    };
    let n = text.chars().count();
    let is_ivs = n == 2 && text.chars().nth(1).is_some_and(is_variation_selector);
    if n != 1 && !is_ivs {
        return Err(syntax(
            q,
            "1文字、または文字と異体字セレクタ（IVS）を1組だけ指定します（複数の文字は空白で区切ります）",
        ));
    }
    Ok((db().by_char(&text), Some(text)))
}

/// The queries of `ikou mj ARG…`: one per argument, so `ikou mj 髙 﨑` looks up both,
/// except that a variation selector (`U+E0100`, or the character itself) joins the
/// argument before it: `ikou mj U+845B U+E0100` is one IVS. Arguments holding several
/// space-separated code points (`"U+845B U+E0100"`) stay one query.
pub fn split_queries<S: AsRef<str>>(args: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in args {
        let a = a.as_ref();
        let t = a.trim();
        let mut chars = t.chars();
        let (written, raw) = match parse_notation(t) {
            Ok(Notation::CodePoints(c)) => (c.chars().all(is_variation_selector), false),
            _ => (
                false,
                matches!((chars.next(), chars.next()), (Some(v), None) if is_variation_selector(v)),
            ),
        };
        match out.last_mut() {
            // U+845B U+E0100: code points are separated by a space.
            Some(prev) if written => {
                prev.push(' ');
                prev.push_str(t);
            }
            // 葛 then the selector character itself: one IVS.
            Some(prev) if raw => prev.push_str(t),
            _ => out.push(a.to_string()),
        }
    }
    out
}

fn is_variation_selector(c: char) -> bool {
    ('\u{E0100}'..='\u{E01EF}').contains(&c)
}

fn code(c: Option<char>) -> String {
    c.map_or("なし".into(), |c| format!("{} {c}", u_plus(c)))
}

fn codes(text: &str) -> String {
    text.chars().map(u_plus).collect::<Vec<_>>().join(" ")
}

fn glyph_block(out: &mut String, g: &Glyph) {
    let d = db();
    let keep = d.written(g.mj, IvsPolicy::Keep);
    let shape = match &keep {
        Ok(w) if w.sibling.is_none() => w.text.clone(),
        Ok(w) => format!(
            "（UCS なし。同一字形 {} は {}）",
            w.sibling.map(mj_name).unwrap_or_default(),
            w.text
        ),
        Err(_) => "（UCS なし）".into(),
    };
    let _ = writeln!(out, "{} {shape}", g.name());
    let strokes = g.strokes.map_or("なし".into(), |n| format!("{n} 画"));
    let _ = writeln!(out, "  総画数: {strokes}");
    let _ = writeln!(out, "  対応するUCS: {}", code(g.ucs));
    let _ = writeln!(out, "  実装したUCS: {}", code(g.implemented));
    let ivs = g
        .ivs
        .map_or("なし".into(), |s| format!("{} {s}", s.codes()));
    let _ = writeln!(out, "  IVS (Moji_Joho): {ivs}");
    if let Some(alt) = g.ivd_alt {
        let _ = writeln!(out, "  IVS (IVD の別の登録): {} {alt}", alt.codes());
    }
    let juki = g.juki.map_or("なし".into(), |j| format!("J+{j:04X}"));
    let _ = writeln!(out, "  住基ネット統一文字コード: {juki}");
    let koseki = g.koseki.map_or("なし".into(), |k| format!("{k:06}"));
    let _ = writeln!(out, "  戸籍統一文字番号: {koseki}");
    let x0213 = match g.x0213 {
        None => "なし".into(),
        Some(x) if g.implemented_in_x0213 => format!("{x}（実装したUCSがこの位置の文字）"),
        Some(x) => {
            format!("{x}（この位置に包摂される字形。実装したUCSはこの位置の文字ではありません）")
        }
    };
    let _ = writeln!(out, "  JIS X 0213 (面-区-点): {x0213}");
    let _ = writeln!(out, "  対応する互換漢字: {}", code(g.compat));
    if let Some(note) = g.note {
        let _ = writeln!(out, "  備考: {note}");
    }
    let _ = writeln!(
        out,
        "  --ivs keep で書く文字: {}",
        written(&keep, IvsPolicy::Keep)
    );
    let never = d.written(g.mj, IvsPolicy::Never);
    let _ = writeln!(
        out,
        "  --ivs never で書く文字: {}",
        written(&never, IvsPolicy::Never)
    );
    let cands = d.candidates(g.mj);
    if cands.is_empty() {
        let _ = writeln!(out, "  縮退候補 (MJ縮退マップ): なし");
    } else {
        let _ = writeln!(out, "  縮退候補 (MJ縮退マップ、ikou の優先順):");
        for (i, c) in cands.iter().enumerate() {
            let mut extra = String::new();
            if let Some(r) = c.rank {
                let _ = write!(extra, " 順位 {r}");
            }
            if let Some(h) = c.hops {
                let _ = write!(extra, " ホップ数 {h}");
            }
            let _ = writeln!(
                out,
                "    {}. {} {} {} {}{extra}",
                i + 1,
                c.ucs,
                u_plus(c.ucs),
                c.x0213,
                c.table.name()
            );
        }
    }
}

fn written(w: &Result<Written, Unwritable>, policy: IvsPolicy) -> String {
    let w = match w {
        Ok(w) => w,
        Err(e) => return format!("書けません — {e}"),
    };
    let mut s = format!("{} ({})", w.text, codes(&w.text));
    let how = match (policy, w.text.chars().count()) {
        (IvsPolicy::Keep, 2) => "Moji_Joho IVS".to_string(),
        (IvsPolicy::Keep, _) => "実装したUCS".to_string(),
        (IvsPolicy::Never, _) => format!("表: {}", w.table.unwrap_or("?")),
    };
    let _ = write!(s, "、{how}");
    if let Some(sib) = w.sibling {
        let _ = write!(s, "、備考が同一字形とする {} の文字", mj_name(sib));
    }
    match w.x0213 {
        Some(x) if w.needs_shift_jis_2004() => {
            let _ = write!(
                s,
                "、JIS X 0213 {x}（JIS X 0208 外: Shift_JIS-2004 が必要）"
            );
        }
        Some(x) => {
            let _ = write!(s, "、JIS X 0213 {x}（JIS X 0208 の範囲）");
        }
        None => {}
    }
    s
}

// --- MJ+ extension (--charset-ext) ---

use crate::charset::ext::{CharsetExt, ExtEntry};

/// The extension entry a query names: `GJ000123`, or the entry's code points
/// (`U+10002A U+E0100`, or the characters). None: the query is neither (ask
/// [`describe`]). Err: a `GJ` id the extension does not list.
pub fn ext_entry<'a>(query: &str, ext: &'a CharsetExt) -> Option<Result<&'a ExtEntry, QueryError>> {
    let q = query.trim();
    let text = match parse_notation(q) {
        Ok(Notation::Ext(n)) => {
            return Some(ext.get(n).ok_or_else(|| QueryError::Syntax {
                query: q.to_string(),
                reason: format!(
                    "{} は --charset-ext の一覧にありません",
                    crate::charset::ext::gj_name(n)
                ),
            }));
        }
        Ok(Notation::CodePoints(t)) => t,
        _ => q.to_string(),
    };
    ext.entries().iter().find(|e| e.text == text).map(Ok)
}

/// What `ikou mj GJ000123` prints for an extension entry.
pub fn describe_ext(e: &ExtEntry) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}（行政事務標準文字 MJ+ 拡張）", e.name());
    let _ = writeln!(out, "  文字: {}  {}", e.text, codes(&e.text));
    if !e.note.is_empty() {
        let _ = writeln!(out, "  備考: {}", e.note);
    }
    let _ = writeln!(out, "  --ivs keep:  {}（{}）", e.text, codes(&e.text));
    let _ = match e.jis {
        Some(j) => writeln!(out, "  --ivs never: {j}（{}、jis= の指定）", u_plus(j)),
        None => writeln!(
            out,
            "  --ivs never: 書けません（JIS X 0213 の字形がありません: jis= の指定なし）"
        ),
    };
    let _ = writeln!(out, "  定義: {}", e.origin);
    out
}

/// [`describe_ext`] as JSON.
pub fn describe_ext_json(query: &str, e: &ExtEntry) -> serde_json::Value {
    serde_json::json!({
        "query": query.trim(),
        "gj": e.name(),
        "text": e.text,
        "codes": codes(&e.text),
        "note": e.note,
        "jis": e.jis.map(u_plus),
        "origin": e.origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_malformed_queries() {
        assert!(matches!(find(""), Err(QueryError::Syntax { .. })));
        assert!(matches!(find("MJ12"), Err(QueryError::Syntax { .. })));
        assert!(matches!(find("U+12"), Err(QueryError::Syntax { .. })));
        assert!(matches!(find("U+110000"), Err(QueryError::Syntax { .. })));
        assert!(matches!(find("漢字"), Err(QueryError::Syntax { .. })));
        let e = describe("MJ999999").unwrap_err();
        assert!(matches!(e, QueryError::NotFound { .. }));
        assert!(e.to_string().contains("指定できるもの"), "{e}");
    }
}
