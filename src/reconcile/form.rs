//! Whether two values of one item differ, and how: the same text in another form
//! (`form-only`, with the rule that makes them equal), one empty and the other
//! not (`empty-vs-value`), or `different`.
//!
//! The form rules are the character engine's (MJ glyph data, compatibility
//! ideographs, the width folding of cleansing), applied one after another to both
//! values in a fixed order; the rules that changed either value before they became
//! equal are named, joined by `+`, in the order padding, width, ivs, compat,
//! mj-degenerate (`padding+width`, never `width+padding`). A rule that changed
//! both values alike and is not needed for them to be equal is not named.

use crate::charset;
use crate::mj::{self, IvsPolicy};

/// The rule names, in the order they are tried.
pub const RULES: [&str; 5] = ["padding", "width", "ivs", "compat", "mj-degenerate"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Equal,
    /// The rules that made the values equal, joined by `+`.
    FormOnly(String),
    EmptyVsValue,
    Different,
}

/// Compares the old and the new value of one item.
pub fn compare(old: &str, new: &str) -> Outcome {
    if old == new {
        return Outcome::Equal;
    }
    let (mut a, mut b) = (old.to_string(), new.to_string());
    let mut used: Vec<&str> = Vec::new();
    for (i, rule) in RULES.iter().enumerate() {
        let (na, nb) = (apply(rule, &a), apply(rule, &b));
        if na != a || nb != b {
            used.push(rule);
        }
        (a, b) = (na, nb);
        if i == 0 && a.is_empty() != b.is_empty() {
            // Blank (or padding only) on one side only: not a form of the other.
            return Outcome::EmptyVsValue;
        }
        if a == b {
            return Outcome::FormOnly(needed(old, new, used).join("+"));
        }
    }
    Outcome::Different
}

/// The rules of `used` the values need: a rule that changed both values alike
/// (a U+3000 in both names, for the width rule) is dropped when the others make
/// the values equal without it.
fn needed<'r>(old: &str, new: &str, used: Vec<&'r str>) -> Vec<&'r str> {
    let mut keep = used.clone();
    for r in used {
        if keep.len() == 1 {
            break;
        }
        let fewer: Vec<&str> = keep.iter().copied().filter(|k| *k != r).collect();
        if equal_with(old, new, &fewer) {
            keep = fewer;
        }
    }
    keep
}

/// Whether `rules` (in [`RULES`] order) make the two values equal.
fn equal_with(old: &str, new: &str, rules: &[&str]) -> bool {
    let (mut a, mut b) = (old.to_string(), new.to_string());
    for r in RULES.iter().filter(|r| rules.contains(r)) {
        a = apply(r, &a);
        b = apply(r, &b);
    }
    a == b
}

fn apply(rule: &str, s: &str) -> String {
    match rule {
        "padding" => s.trim_end_matches([' ', '\u{3000}']).to_string(),
        "width" => crate::cleanse::fold_width(s),
        "ivs" => per_unit(s, strip_ivs),
        "compat" => per_unit(s, unify_compat),
        _ => per_unit(s, degenerate),
    }
}

/// `s` with each unit (a character and the selector after it) rewritten by `f`.
fn per_unit(s: &str, f: fn(charset::Unit, &mut String)) -> String {
    let mut out = String::with_capacity(s.len());
    for (_, u) in charset::units(s) {
        f(u, &mut out);
    }
    out
}

/// An MJ glyph's Moji_Joho IVS (base + U+E0100…) as its UCS, the base.
fn strip_ivs(u: charset::Unit, out: &mut String) {
    match u.mark {
        Some('\u{E0100}'..='\u{E01EF}') => out.push(u.base),
        _ => out.push_str(&u.to_string()),
    }
}

/// A compatibility ideograph, or its standardized variation sequence, as the
/// unified ideograph its sequence is built on (what NFC writes).
fn unify_compat(u: charset::Unit, out: &mut String) {
    let base = match u.mark {
        None => mj::compat::svs(u.base).and_then(|s| s.chars().next()),
        Some(sel @ '\u{FE00}'..='\u{FE0F}') => mj::compat::from_svs(u.base, sel).map(|_| u.base),
        Some(_) => None,
    };
    match base {
        Some(b) => out.push(b),
        None => out.push_str(&u.to_string()),
    }
}

/// A character of an MJ glyph as the JIS X 0213 character MJ縮退マップ gives the
/// glyph (what `--ivs never` writes); other characters as they are.
fn degenerate(u: charset::Unit, out: &mut String) {
    let text = u.to_string();
    let db = mj::db();
    let written = db
        .glyph_of_form(&text)
        .and_then(|g| db.written(g, IvsPolicy::Never).ok());
    match written {
        Some(w) => out.push_str(&w.text),
        None => out.push_str(&text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(a: &str, b: &str) -> String {
        match compare(a, b) {
            Outcome::FormOnly(r) => r,
            o => panic!("{a:?} vs {b:?}: {o:?}"),
        }
    }

    #[test]
    fn kinds_of_difference() {
        assert_eq!(compare("山田", "山田"), Outcome::Equal);
        assert_eq!(compare("山田", "山本"), Outcome::Different);
        assert_eq!(compare("", "山田"), Outcome::EmptyVsValue);
        assert_eq!(compare("　 ", "x"), Outcome::EmptyVsValue);
        assert_eq!(form("山田　", "山田"), "padding");
        assert_eq!(form("  ", ""), "padding");
        assert_eq!(form("ﾔﾏﾀﾞ", "ヤマダ"), "width");
        assert_eq!(form("１２３ ", "123"), "padding+width");
        // A U+3000 in both values is folded by the width rule, but the values
        // differ only in their IVS: the rule named is ivs alone.
        assert_eq!(form("葛\u{E0102}西　誠", "葛西　誠"), "ivs");
        assert_eq!(form("ﾔﾏﾀﾞ　太郎", "ヤマダ　太郎"), "width");
    }

    #[test]
    fn character_engine_rules() {
        // 葛 with its Moji_Joho IVS vs the plain character.
        assert_eq!(form("\u{845B}\u{E0100}", "\u{845B}"), "ivs");
        // U+FA4A (a compatibility ideograph) vs its standardized variation sequence
        // and vs the unified ideograph.
        assert_eq!(form("\u{FA4A}", "\u{7422}\u{FE00}"), "compat");
        assert_eq!(form("\u{FA4A}", "\u{7422}"), "compat");
        // Two IVS of one base are two glyphs: not a form of each other unless
        // MJ縮退マップ gives them one JIS X 0213 character.
        assert_eq!(compare("a\u{E0100}", "b"), Outcome::Different);
    }

    #[test]
    fn mj_degenerate_form() {
        // Find a glyph whose --ivs never form is another character than its own
        // implemented UCS, and check the two compare as mj-degenerate.
        let db = mj::db();
        let found = db.glyphs().find_map(|g| {
            let own = g.implemented?;
            let w = db.written(g.mj, IvsPolicy::Never).ok()?;
            let d = w.text.chars().next()?;
            (w.text.chars().count() == 1
                && d != own
                && db.glyph_of_form(&own.to_string()) == Some(g.mj))
            .then_some((own, d))
        });
        let (own, d) = found.expect("the MJ tables have degenerate forms");
        assert_eq!(form(&own.to_string(), &d.to_string()), "mj-degenerate");
    }
}
