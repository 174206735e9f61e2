//! CJK compatibility ideographs and their standardized variation sequences.
//!
//! NFC (applied by many databases, web forms and programming languages on the way
//! in) replaces each of the 1,002 CJK compatibility ideographs that have a canonical
//! decomposition (U+F900…, U+2F800…) by another code point, so a glyph written as one
//! does not survive a downstream normalisation. Unicode gives each of them a
//! standardized variation sequence (StandardizedVariants.txt: unified ideograph +
//! U+FE00…U+FE02) that NFC leaves alone and that names the same glyph. The data is
//! that of the `unicode-normalization` crate (`cjk_compat_variants`), which ikou
//! already uses; nothing is read at run time.

use std::collections::HashMap;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// True for a CJK compatibility ideograph that NFC rewrites (the 12 unified
/// ideographs of the block, e.g. U+FA11 﨑, are not: NFC leaves them alone).
pub fn is_compat_ideograph(c: char) -> bool {
    in_blocks(c) && svs(c).is_some()
}

fn in_blocks(c: char) -> bool {
    matches!(c, '\u{F900}'..='\u{FAFF}' | '\u{2F800}'..='\u{2FA1F}')
}

/// Every CJK compatibility ideograph NFC rewrites, in code point order.
pub fn compat_ideographs() -> impl Iterator<Item = char> {
    ('\u{F900}'..='\u{FAFF}')
        .chain('\u{2F800}'..='\u{2FA1F}')
        .filter(|&c| is_compat_ideograph(c))
}

/// The standardized variation sequence of a compatibility ideograph (U+FA4A →
/// U+7422 U+FE00); None for any other character.
pub fn svs(c: char) -> Option<String> {
    if !in_blocks(c) {
        return None;
    }
    let s: String = c.cjk_compat_variants().collect();
    let mut it = s.chars();
    match (it.next(), it.next(), it.next()) {
        (Some(_), Some('\u{FE00}'..='\u{FE0F}'), None) => Some(s),
        _ => None,
    }
}

/// The compatibility ideograph whose standardized variation sequence is `base` +
/// `selector`.
pub fn from_svs(base: char, selector: char) -> Option<char> {
    static BACK: OnceLock<HashMap<(char, char), char>> = OnceLock::new();
    BACK.get_or_init(|| {
        compat_ideographs()
            .filter_map(|c| {
                let s = svs(c)?;
                let mut it = s.chars();
                Some(((it.next()?, it.next()?), c))
            })
            .collect()
    })
    .get(&(base, selector))
    .copied()
}

/// `text` with each compatibility ideograph written as its standardized variation
/// sequence (`--nfc-safe`), and how many were.
pub fn nfc_safe(text: &str) -> (String, usize) {
    let mut n = 0;
    let mut out = String::with_capacity(text.len() + 3);
    for c in text.chars() {
        match svs(c) {
            Some(s) => {
                out.push_str(&s);
                n += 1;
            }
            None => out.push(c),
        }
    }
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_1002_that_nfc_rewrites_each_have_a_sequence_that_nfc_keeps() {
        let all: Vec<char> = compat_ideographs().collect();
        assert_eq!(all.len(), 1002);
        for c in &all {
            let nfc: String = c.to_string().nfc().collect();
            assert_ne!(nfc, c.to_string(), "U+{:04X}", *c as u32);
            let s = svs(*c).unwrap();
            assert_eq!(s.nfc().collect::<String>(), s, "NFC keeps the sequence");
            let mut it = s.chars();
            let (b, v) = (it.next().unwrap(), it.next().unwrap());
            assert_eq!(from_svs(b, v), Some(*c));
            assert_eq!(nfc, b.to_string(), "the base is what NFC would give");
        }
        assert!(!is_compat_ideograph('\u{FA11}'), "a unified ideograph");
        assert_eq!(svs('\u{FA4A}').as_deref(), Some("\u{7422}\u{FE00}"));
        assert_eq!(svs('漢'), None);
        assert_eq!(
            nfc_safe("a\u{FA4A}b\u{2F800}"),
            ("a\u{7422}\u{FE00}b\u{4E3D}\u{FE00}".to_string(), 2)
        );
    }
}
