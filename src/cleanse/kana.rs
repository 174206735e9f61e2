//! `kana` items (氏名カナ etc.): one script, full-width, U+3000 between name parts.
//!
//! Decisions (the issue is silent on these; this is what vendors' cleansing does):
//! - ｶﾞ/ﾊﾟ/ｳﾞ/ﾜﾞ/ｦﾞ and the full-width カ゛, カ+U+3099 become one precomposed
//!   letter (ガ パ ヴ ヷ ヺ ガ); a mark that has no letter to go on (ｱﾞ, ﾞ at the
//!   start, after ー or a space) is refused as `stray-voiced-mark`, not turned into
//!   a lone ゛: standard systems do not accept a lone mark in a kana item and the
//!   intended letter cannot be known. A semi-voiced mark on カ キ ク ケ コ セ ツ ト ㇷ
//!   (or か き く け こ) is no stray: JIS X 0213 has these as characters (鼻濁音 カ゚,
//!   アイヌ語 ㇷ゚), written letter + U+309A (ｶﾟ and カ゜ become that too).
//! - Output script: katakana unless the layout says `kana = "hiragana"`; letters of
//!   the other script are converted and counted (a lossless change); a katakana
//!   letter without a hiragana form (ヷヸヹヺ, small Ainu kana) is refused.
//! - Allowed besides letters: ー, ・, U+3000, small kana, ヽヾ/ゝゞ, and in katakana
//!   items the small kana of U+31F0–U+31FF (JIS X 0213). ｰ and ･ become ー and ・.
//! - U+0020 becomes U+3000, one for one: runs of spaces are not collapsed and
//!   leading spaces are kept (only trailing padding is removed, by the caller).
//! - Refused as `not-kana`: kanji, Latin letters, digits, the half-width ｡｢｣､, and
//!   lookalikes of ー such as －, −, ‐ (which one was meant is a guess).

use super::{Applied, Fail, Rule};
use crate::layout::KanaScript;

/// Full-width forms of U+FF65–U+FF9D (･ to ﾝ), in code point order.
const HALF_TO_FULL: [char; 57] = [
    '・', 'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ッ', 'ー', 'ア', 'イ', 'ウ', 'エ',
    'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ', 'チ', 'ツ', 'テ', 'ト',
    'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ', 'ム', 'メ', 'モ', 'ヤ',
    'ユ', 'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ', 'ン',
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mark {
    Voiced,
    SemiVoiced,
}

/// A voicing mark, and whether it is the half-width one.
#[inline]
fn mark(c: char) -> Option<(Mark, bool)> {
    match c {
        '\u{FF9E}' => Some((Mark::Voiced, true)),
        '\u{FF9F}' => Some((Mark::SemiVoiced, true)),
        '\u{3099}' | '\u{309B}' => Some((Mark::Voiced, false)),
        '\u{309A}' | '\u{309C}' => Some((Mark::SemiVoiced, false)),
        _ => None,
    }
}

/// The precomposed letter for `base` + `mark`, in either script.
const fn compose(base: char, mark: Mark) -> Option<char> {
    let step = match (mark, base) {
        (
            Mark::Voiced,
            'カ' | 'キ' | 'ク' | 'ケ' | 'コ' | 'サ' | 'シ' | 'ス' | 'セ' | 'ソ' | 'タ' | 'チ'
            | 'ツ' | 'テ' | 'ト' | 'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' | 'ヽ' | 'か' | 'き' | 'く'
            | 'け' | 'こ' | 'さ' | 'し' | 'す' | 'せ' | 'そ' | 'た' | 'ち' | 'つ' | 'て' | 'と'
            | 'は' | 'ひ' | 'ふ' | 'へ' | 'ほ' | 'ゝ',
        ) => 1,
        (Mark::SemiVoiced, 'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' | 'は' | 'ひ' | 'ふ' | 'へ' | 'ほ') => {
            2
        }
        (Mark::Voiced, 'ウ') => return Some('ヴ'),
        (Mark::Voiced, 'う') => return Some('ゔ'),
        (Mark::Voiced, 'ワ') => return Some('ヷ'),
        (Mark::Voiced, 'ヰ') => return Some('ヸ'),
        (Mark::Voiced, 'ヱ') => return Some('ヹ'),
        (Mark::Voiced, 'ヲ') => return Some('ヺ'),
        _ => return None,
    };
    char::from_u32(base as u32 + step)
}

/// UTF-8 of a character of U+0800–U+FFFF (three bytes).
const fn utf8_3(c: char) -> [u8; 3] {
    assert!(c.len_utf8() == 3);
    let mut b = [0u8; 3];
    c.encode_utf8(&mut b);
    b
}

/// Per half-width letter U+FF65–U+FF9D, in UTF-8: its full-width form, and the
/// letter it makes with ﾞ and with ﾟ after it (`[0; 3]`: none), as
/// [`HALF_TO_FULL`] and [`compose`] give them (made from those at compile time).
const HALF_UTF8: [[[u8; 3]; 3]; 57] = {
    let mut t = [[[0u8; 3]; 3]; 57];
    let mut k = 0;
    while k < 57 {
        let full = HALF_TO_FULL[k];
        t[k][0] = utf8_3(full);
        if let Some(c) = compose(full, Mark::Voiced) {
            t[k][1] = utf8_3(c);
        }
        if let Some(c) = compose(full, Mark::SemiVoiced) {
            t[k][2] = utf8_3(c);
        }
        k += 1;
    }
    t
};

/// [`cleanse`] of a katakana item in one pass over its bytes, for the values
/// legacy exports hold: clean full-width letters, half-width letters (with a
/// ﾞ or ﾟ that composes into them) and U+0020. True: done, as [`general`]
/// would do it (`out` and `applied` as it leaves them). False: the value holds
/// something else (hiragana, a mark that does not compose, a character that is
/// not kana, …): nothing is written or counted, and [`general`] is asked.
#[inline]
fn katakana_fast(s: &str, out: &mut String, applied: &mut Applied) -> bool {
    let b = s.as_bytes();
    let start = out.len();
    // Written only once something changes; until then the value is as it is.
    let mut copied = 0; // bytes of `s` already in `out`
    let (mut half, mut space) = (false, false);
    let mut i = 0;
    // SAFETY: only whole UTF-8 characters are appended to the string's bytes:
    // pieces of `s` from one character's start to another's (`copied` and `i`
    // are always at the start of a character of `s`) and the three-byte
    // encodings of `HALF_UTF8` and U+3000; a value given up is truncated back
    // to `start`, where it began. Nothing here panics between writes.
    let v = unsafe { out.as_mut_vec() };
    while let Some(&c0) = b.get(i) {
        let (put, next): (&[u8; 3], usize) = match (c0, b.get(i + 1..i + 3)) {
            (b' ', _) => {
                space = true;
                (&IDEOGRAPHIC_SPACE, i + 1)
            }
            (0xE3, Some(&[c1, c2])) => {
                // A clean letter, ー, ・ or U+3000 stays (a mark after it is
                // met as a character of its own, and given up).
                if clean_katakana(offset_3000(c1, c2)) {
                    i += 3;
                    continue;
                }
                break;
            }
            (0xEF, Some(&[c1, c2])) => {
                let k =
                    ((usize::from(c1 & 0x3F) << 6) | usize::from(c2 & 0x3F)).wrapping_sub(0xF65);
                let Some(forms) = HALF_UTF8.get(k) else {
                    break;
                };
                // ﾞ or ﾟ after the letter composes with it (any other mark
                // after it is met as a character of its own, and given up).
                match b.get(i + 3..i + 6) {
                    Some(&[0xEF, 0xBE, m @ (0x9E | 0x9F)]) => {
                        let composed = &forms[usize::from(m - 0x9D)];
                        if composed[0] == 0 {
                            break;
                        }
                        half = true;
                        (composed, i + 6)
                    }
                    _ => {
                        half = true;
                        (&forms[0], i + 3)
                    }
                }
            }
            _ => break,
        };
        if copied < i {
            v.extend_from_slice(&b[copied..i]);
        }
        v.extend_from_slice(put);
        i = next;
        copied = next;
    }
    if i < b.len() {
        v.truncate(start);
        return false;
    }
    if copied > 0 {
        v.extend_from_slice(&b[copied..]);
    }
    debug_assert!(std::str::from_utf8(&v[start..]).is_ok());
    if half {
        applied.set(Rule::HalfwidthKana);
    }
    if space {
        applied.set(Rule::SpaceToFullwidth);
    }
    true
}

/// U+3000 in UTF-8.
const IDEOGRAPHIC_SPACE: [u8; 3] = utf8_3('\u{3000}');

/// Offset from U+3000 of the three-byte character 0xE3 `c1` `c2`.
#[inline(always)]
fn offset_3000(c1: u8, c2: u8) -> u32 {
    (u32::from(c1 & 0x3F) << 6) | u32::from(c2 & 0x3F)
}

/// The character at offset `o` from U+3000 ([`offset_3000`]) is one a clean
/// katakana value holds: U+30A1–U+30FE (letters, ・ ー ヽ ヾ), U+31F0–U+31FF,
/// U+3000. With no branch.
#[inline(always)]
fn clean_katakana(o: u32) -> bool {
    (o.wrapping_sub(0xA1) <= 0x5D) | (o >> 4 == 0x1F) | (o == 0)
}

/// True when every character of `s` is a letter of `script`, U+3000, ー or ・: a
/// value with nothing to change. All of them are U+3000–U+31FF, three bytes 0xE3 …
/// in UTF-8, so this looks at bytes, without a branch per character (it runs on
/// every kana item).
pub(super) fn is_clean(s: &[u8], script: KanaScript) -> bool {
    let all = |ok: fn(u32) -> bool| {
        s.chunks_exact(3).fold(true, |all, c| {
            all & (c[0] == 0xE3) & ok(offset_3000(c[1], c[2]))
        })
    };
    s.len().is_multiple_of(3)
        && match script {
            KanaScript::Katakana => all(clean_katakana),
            // U+3041–U+3096, ゝ ゞ, ・ ー, U+3000.
            KanaScript::Hiragana => {
                all(|o| (o.wrapping_sub(0x41) <= 0x55) | matches!(o, 0x9D | 0x9E | 0xFB | 0xFC | 0))
            }
        }
}

/// True when `s` holds no ASCII byte; eight bytes at a time. With every
/// non-ASCII character known clean (from a per-character table), the value is
/// then clean ([`is_clean`]).
#[inline(always)]
pub(super) fn no_ascii(s: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |w: &[u8]| u64::from_le_bytes(w.try_into().unwrap_or_default()) & HIGH == HIGH;
    if s.len() < 8 {
        return s.iter().all(|&b| b >= 0x80);
    }
    // The last eight bytes as one more word, overlapping the others; the
    // words combined by `&`, with no branch but the loop's.
    s.chunks_exact(8).fold(true, |all, w| all & word(w)) & word(&s[s.len() - 8..])
}

/// Katakana letters (incl. small, ヴ, ヷ–ヺ, ヽヾ and U+31F0–U+31FF); not ー・.
#[inline]
fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | '\u{30FD}' | '\u{30FE}' | '\u{31F0}'..='\u{31FF}')
}

/// Hiragana letters (incl. small, ゔ ゕ ゖ and ゝゞ).
#[inline]
fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}')
}

fn to_katakana(c: char) -> char {
    // ぁ–ゖ and ゝゞ are exactly 0x60 below ァ–ヶ and ヽヾ.
    char::from_u32(c as u32 + 0x60).unwrap_or(c)
}

fn to_hiragana(c: char) -> Option<char> {
    match c {
        '\u{30A1}'..='\u{30F6}' | '\u{30FD}' | '\u{30FE}' => char::from_u32(c as u32 - 0x60),
        _ => None,
    }
}

/// `s` with its width folded, for comparing values (`ikou reconcile`'s `width`
/// rule): half-width katakana and ｡｢｣､ become full-width, a voicing mark joined
/// to the letter before it where that letter has a voiced form (else ゛ ゜), and
/// full-width ASCII (U+FF01–U+FF5E) and U+3000 become ASCII. Nothing is refused:
/// this says whether two values are one text in two widths, it writes nothing.
pub fn fold_width(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let wide = match c {
            '\u{FF61}' => '。',
            '\u{FF62}' => '「',
            '\u{FF63}' => '」',
            '\u{FF64}' => '、',
            '\u{FF65}'..='\u{FF9D}' => HALF_TO_FULL[(c as u32 - 0xFF65) as usize],
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        };
        if let Some((m, _)) = mark(wide) {
            let joined = out.chars().next_back().and_then(|b| compose(b, m));
            if let Some(j) = joined {
                out.pop();
                out.push(j);
            } else {
                out.push(match m {
                    Mark::Voiced => '゛',
                    Mark::SemiVoiced => '゜',
                });
            }
            continue;
        }
        out.push(wide);
    }
    out
}

const STRAY: &str = "濁点・半濁点を付けられない位置にあります";
const NOT_KANA: &str = "カナでない文字があります";

/// Cleanses a kana value (trailing padding already removed): writes it to
/// `out` when a rule changed it, else leaves `out` as it was. Ok(true): what
/// it wrote is clean kana of `script` ([`is_clean`]; false: not known).
pub(super) fn cleanse(
    s: &str,
    script: KanaScript,
    out: &mut String,
    applied: &mut Applied,
) -> Result<bool, Fail> {
    // Most values are already clean: letters of the layout's script, ー ・ and
    // U+3000, with no mark to compose. Such a value is left as it is (not
    // written); the katakana pass finds that too, and rewrites the half-width
    // names of legacy exports at once.
    let done = match script {
        KanaScript::Katakana => katakana_fast(s, out, applied),
        KanaScript::Hiragana => is_clean(s.as_bytes(), script),
    };
    if done {
        // The katakana pass writes nothing but clean letters and U+3000.
        return Ok(true);
    }
    general(s, script, out, applied).map(|()| false)
}

/// [`cleanse`] character by character: every rule. Copies unchanged runs in
/// one piece.
fn general(
    s: &str,
    script: KanaScript,
    out: &mut String,
    applied: &mut Applied,
) -> Result<(), Fail> {
    let mut copied = 0; // bytes of `s` already in `out`
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let (base, half) = match c {
            '\u{3000}' | 'ー' | '・' => continue,
            ' ' => {
                out.push_str(&s[copied..i]);
                out.push('\u{3000}');
                copied = i + 1;
                applied.set(Rule::SpaceToFullwidth);
                continue;
            }
            '\u{FF65}'..='\u{FF9D}' => (HALF_TO_FULL[(c as u32 - 0xFF65) as usize], true),
            _ if is_katakana(c) || is_hiragana(c) => (c, false),
            _ if mark(c).is_some() => return Err(Fail::at("stray-voiced-mark", i, STRAY)),
            _ => return Err(Fail::at("not-kana", i, NOT_KANA)),
        };
        let mut end = i + c.len_utf8();
        let mut letter = base;
        let mut changed = half;
        if half {
            applied.set(Rule::HalfwidthKana);
        }
        // か゚ カ゚ セ゚ ツ゚ ト゚ ㇷ゚ …: one JIS X 0213 character each, written as the letter +
        // U+309A (Unicode has no precomposed form).
        let mut semi_voiced_sequence = false;
        if let Some(&(j, m)) = chars.peek()
            && let Some((kind, half_mark)) = mark(m)
        {
            let rule = if half_mark {
                Rule::HalfwidthKana
            } else {
                Rule::ComposeVoicedMark
            };
            match compose(base, kind) {
                Some(l) => {
                    letter = l;
                    applied.set(rule);
                    changed = true;
                }
                None if kind == Mark::SemiVoiced
                    && crate::validate::is_jis_x0213_sequence(base, '\u{309A}') =>
                {
                    semi_voiced_sequence = true;
                    if m != '\u{309A}' {
                        applied.set(rule);
                        changed = true;
                    }
                }
                None => return Err(Fail::at("stray-voiced-mark", j, STRAY)),
            }
            end = j + m.len_utf8();
            chars.next();
        }
        match script {
            KanaScript::Katakana if is_hiragana(letter) => {
                letter = to_katakana(letter);
                applied.set(Rule::HiraganaToKatakana);
                changed = true;
            }
            KanaScript::Hiragana if is_katakana(letter) => {
                letter = to_hiragana(letter).ok_or(Fail::at(
                    "not-kana",
                    i,
                    "ひらがなにできない文字があります",
                ))?;
                applied.set(Rule::KatakanaToHiragana);
                changed = true;
            }
            _ => {}
        }
        if semi_voiced_sequence && !crate::validate::is_jis_x0213_sequence(letter, '\u{309A}') {
            // せ゚ つ゚ と゚ are no JIS X 0213 characters (only セ゚ ツ゚ ト゚ are).
            return Err(Fail::at("not-kana", i, "ひらがなにできない文字があります"));
        }
        if changed {
            out.push_str(&s[copied..i]);
            out.push(letter);
            if semi_voiced_sequence {
                out.push('\u{309A}');
            }
            copied = end;
        }
    }
    out.push_str(&s[copied..]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_width_joins_marks_and_narrows_ascii() {
        assert_eq!(fold_width("ｶﾞｯｺｳ ﾊﾟﾝ"), "ガッコウ パン");
        assert_eq!(fold_width("ガッコウ　１２Ａ"), "ガッコウ 12A");
        assert_eq!(fold_width("ｱﾞ"), "ア゛");
        assert_eq!(fold_width("漢字"), "漢字");
    }
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    fn kata(s: &str) -> Result<(String, Applied), Fail> {
        run(s, KanaScript::Katakana)
    }

    fn run(s: &str, script: KanaScript) -> Result<(String, Applied), Fail> {
        let mut out = String::new();
        let mut a = Applied::default();
        cleanse(s, script, &mut out, &mut a).map(|_| (super::super::result_of(s, out, a), a))
    }

    #[test]
    fn the_byte_check_agrees_with_the_character_classes() {
        let by_chars = |v: &str, script| {
            v.chars().all(|c| {
                matches!(c, '\u{3000}' | 'ー' | '・')
                    || match script {
                        KanaScript::Katakana => is_katakana(c),
                        KanaScript::Hiragana => is_hiragana(c),
                    }
            })
        };
        let mut buf = [0u8; 4];
        for script in [KanaScript::Katakana, KanaScript::Hiragana] {
            for c in (0..=0x10FFFF).filter_map(char::from_u32) {
                let one = c.encode_utf8(&mut buf);
                assert_eq!(
                    is_clean(one.as_bytes(), script),
                    by_chars(one, script),
                    "U+{:04X}",
                    c as u32
                );
                let two = format!("ア{one}");
                assert_eq!(
                    is_clean(two.as_bytes(), script),
                    by_chars(&two, script),
                    "U+{:04X}",
                    c as u32
                );
            }
        }
    }

    #[test]
    fn no_ascii_agrees_with_a_byte_loop() {
        for b in [0u8, b'a', 0x7F, 0x80, 0xE3, 0xFF] {
            for len in 1..=25 {
                for at in 0..len {
                    let mut v = vec![0xE3; len];
                    v[at] = b;
                    assert_eq!(no_ascii(&v), b >= 0x80, "{b:02X} at {at} of {len}");
                }
            }
        }
        assert!(no_ascii(b""));
    }

    fn rules(a: Applied) -> Vec<Rule> {
        Rule::ALL.into_iter().filter(|&r| a.has(r)).collect()
    }

    #[test]
    fn full_width_katakana_unchanged() {
        let (o, a) = kata("ヤマダ　タロウ・ジョーンズ").unwrap();
        assert_eq!(o, "ヤマダ　タロウ・ジョーンズ");
        assert_eq!(a, Applied::default());
    }

    #[test]
    fn halfwidth_with_voiced_marks() {
        for (h, f) in [
            ("ｶﾞ", "ガ"),
            ("ﾊﾟ", "パ"),
            ("ｳﾞ", "ヴ"),
            ("ﾜﾞ", "ヷ"),
            ("ｦﾞ", "ヺ"),
            ("ﾎﾟ", "ポ"),
            ("ﾄﾞ", "ド"),
            ("ｯ", "ッ"),
            ("ｧｨｩｪｫｬｭｮ", "ァィゥェォャュョ"),
            ("ｼﾞｮｰﾝｽﾞ･ｽﾐｽ", "ジョーンズ・スミス"),
            ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ"),
        ] {
            let (o, a) = kata(h).unwrap();
            assert_eq!(o, f, "{h}");
            assert!(a.has(Rule::HalfwidthKana), "{h}");
            assert!(!a.has(Rule::ComposeVoicedMark), "{h}");
        }
        let (_, a) = kata("ﾔﾏﾀﾞ ﾀﾛｳ").unwrap();
        assert_eq!(rules(a), [Rule::HalfwidthKana, Rule::SpaceToFullwidth]);
    }

    #[test]
    fn mixed_widths_keep_the_full_width_parts() {
        let (o, _) = kata("ヤマﾀﾞ　タﾛウ").unwrap();
        assert_eq!(o, "ヤマダ　タロウ");
        // full-width letter, half-width mark
        let (o, a) = kata("カﾞ").unwrap();
        assert_eq!(o, "ガ");
        assert_eq!(rules(a), [Rule::HalfwidthKana]);
    }

    #[test]
    fn full_width_marks_composed() {
        for s in ["カ゛", "カ\u{3099}"] {
            let (o, a) = kata(s).unwrap();
            assert_eq!(o, "ガ");
            assert_eq!(rules(a), [Rule::ComposeVoicedMark]);
        }
        assert_eq!(kata("ハ゜ヒ\u{309A}ウ゛ヽ゛").unwrap().0, "パピヴヾ");
        assert_eq!(kata("は゜").unwrap().0, "パ");
    }

    #[test]
    fn semi_voiced_letters_of_jis_x0213_are_kana() {
        for s in [
            "カ\u{309A}",
            "ヤマカ\u{309A}タ",
            "セ\u{309A}ツ\u{309A}ト\u{309A}ㇷ\u{309A}",
        ] {
            let (o, a) = kata(s).unwrap();
            assert_eq!((o.as_str(), a), (s, Applied::default()), "{s}");
        }
        let (o, a) = kata("ｶﾟ").unwrap();
        assert_eq!(o, "カ\u{309A}");
        assert_eq!(rules(a), [Rule::HalfwidthKana]);
        let (o, a) = kata("カ゜").unwrap();
        assert_eq!(o, "カ\u{309A}");
        assert_eq!(rules(a), [Rule::ComposeVoicedMark]);
        let (o, a) = kata("か\u{309A}").unwrap();
        assert_eq!(o, "カ\u{309A}");
        assert_eq!(rules(a), [Rule::HiraganaToKatakana]);
        let (o, _) = run("カ\u{309A}", KanaScript::Hiragana).unwrap();
        assert_eq!(o, "か\u{309A}");
        let e = run("セ\u{309A}", KanaScript::Hiragana).unwrap_err();
        assert_eq!((e.reason, e.at), ("not-kana", 0));
    }

    #[test]
    fn stray_marks_refused_at_the_mark() {
        for (s, at) in [
            ("ﾞ", 0),
            ("ｱﾞ", 3),
            ("ｱｲﾟ", 6),
            ("ｶ ﾞ", 4),
            ("ｰﾞ", 3),
            ("ｶﾞﾞ", 6),
            ("ア゛", 3),
            ("マ\u{309A}", 3),
            ("゜", 0),
            ("\u{3000}\u{3099}", 3),
        ] {
            let e = kata(s).unwrap_err();
            assert_eq!((e.reason, e.at), ("stray-voiced-mark", at), "{s}");
        }
    }

    #[test]
    fn not_kana_refused_at_the_character() {
        for (s, at) in [
            ("ヤマダ太郎", 9),
            ("YAMADA", 0),
            ("ﾔﾏﾀﾞ1", 12),
            ("ｱ｡", 3),
            ("｢ｱ｣", 0),
            ("ア－ル", 3),
            ("ア\tイ", 3),
            ("Ａ", 0),
            ("ヿ", 0),
            ("\u{00A0}", 0),
        ] {
            let e = kata(s).unwrap_err();
            assert_eq!((e.reason, e.at), ("not-kana", at), "{s}");
        }
    }

    #[test]
    fn hiragana_made_katakana_by_default() {
        let (o, a) = kata("やまだ　たろう").unwrap();
        assert_eq!(o, "ヤマダ　タロウ");
        assert_eq!(rules(a), [Rule::HiraganaToKatakana]);
        assert_eq!(kata("ゔぁゕゖゝゞ").unwrap().0, "ヴァヵヶヽヾ");
        assert_eq!(kata("か゛").unwrap().0, "ガ");
        assert_eq!(kata("ㇰㇱ").unwrap().0, "ㇰㇱ");
    }

    #[test]
    fn hiragana_items_convert_katakana() {
        let (o, a) = run("ﾔﾏﾀﾞ ﾀﾛｳ", KanaScript::Hiragana).unwrap();
        assert_eq!(o, "やまだ　たろう");
        assert_eq!(
            rules(a),
            [
                Rule::HalfwidthKana,
                Rule::SpaceToFullwidth,
                Rule::KatakanaToHiragana
            ]
        );
        let (o, a) = run("すずき・じろー", KanaScript::Hiragana).unwrap();
        assert_eq!(o, "すずき・じろー");
        assert_eq!(a, Applied::default());
        assert_eq!(run("ヴヵヶヾ", KanaScript::Hiragana).unwrap().0, "ゔゕゖゞ");
        for s in ["ﾜﾞ", "ヸ", "ㇰ"] {
            let e = run(s, KanaScript::Hiragana).unwrap_err();
            assert_eq!((e.reason, e.at), ("not-kana", 0), "{s}");
        }
    }

    #[test]
    fn spaces_one_for_one_leading_kept() {
        assert_eq!(kata(" ｱ  ｲ").unwrap().0, "\u{3000}ア\u{3000}\u{3000}イ");
    }

    #[test]
    fn every_halfwidth_letter_matches_nfkc() {
        for cp in 0xFF65..=0xFF9D {
            let c = char::from_u32(cp).unwrap();
            let s = c.to_string();
            assert_eq!(
                kata(&s).unwrap().0,
                s.nfkc().collect::<String>(),
                "U+{cp:X}"
            );
        }
    }

    /// Half-width letters, each followed by ﾞ/ﾟ only where it composes.
    fn halfwidth_name() -> impl Strategy<Value = String> {
        let unit = (0xFF65u32..=0xFF9D, 0u8..3).prop_map(|(cp, m)| {
            let c = char::from_u32(cp).unwrap();
            let full = HALF_TO_FULL[(cp - 0xFF65) as usize];
            let mut s = c.to_string();
            match m {
                1 if compose(full, Mark::Voiced).is_some() => s.push('\u{FF9E}'),
                2 if compose(full, Mark::SemiVoiced).is_some() => s.push('\u{FF9F}'),
                _ => {}
            }
            s
        });
        proptest::collection::vec(unit, 1..12).prop_map(|v| v.concat())
    }

    #[test]
    fn the_katakana_pass_takes_the_values_of_legacy_exports() {
        for s in [
            "",
            "ヤマダ　タロウ・ジョーンズ",
            "ﾔﾏﾀﾞ ﾀﾛｳ",
            "ｼﾞｮｰﾝｽﾞ･ｽﾐｽ",
            "ﾔﾏダ ﾒグﾐ",
            "ｳﾞｧﾜﾞｦﾞﾎﾟ",
            " ｱ  ｲ",
            "ㇰㇱヽヾ",
        ] {
            let (mut out, mut a) = (String::new(), Applied::default());
            assert!(katakana_fast(s, &mut out, &mut a), "{s}");
        }
        // Left to the general code, with nothing written or counted.
        for s in [
            "ｶﾟ",
            "ｱﾞ",
            "ﾞ",
            "ア゛",
            "ｶ゛",
            "ｶ\u{3099}",
            "やまだ",
            "ヤマダ太郎",
            "ｱ｡",
            "A",
        ] {
            let (mut out, mut a) = (String::from("x"), Applied::default());
            assert!(!katakana_fast(s, &mut out, &mut a), "{s}");
            assert_eq!((out.as_str(), a), ("x", Applied::default()), "{s}");
        }
    }

    /// Pieces of kana values: what the katakana pass takes, and what it
    /// leaves to the general code (marks that do not compose, hiragana,
    /// characters that are not kana, the neighbours of the ranges it reads).
    fn kana_piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "ｱ", "ｶ", "ﾊ", "ｳ", "ﾜ", "ｦ", "ｰ", "･", "ｯ", "ﾝ", "ﾞ", "ﾟ", "ｶﾞ", "ﾊﾟ", "ｶﾟ", "ｱﾞ", "ｳﾞ", "ﾜﾞ",
            "ｦﾞ", "ﾎﾟ", "ｧ", "ア", "カ", "ハ", "セ", "ヽ", "ー", "・", "　", "゛", "゜", "\u{3099}",
            "\u{309A}", "ヷ", "ヺ", "ヿ", "ㇷ", "ㇰ", "\u{30A0}", "あ", "か", "ゝ", "ゔ", " ",
            "  ", "A", "1", "漢", "｡", "｢", "､", "－", "\u{FF01}", "\u{FF9E}", "\u{FF9F}",
            "\u{FFA0}", "\u{FF64}", "\u{3001}", "\u{3100}", "\u{E000}", "\t",
        ])
    }

    proptest! {
        /// The katakana pass gives what the general code gives: the value,
        /// the rules counted, or the same refusal (which the general code
        /// gives when the pass leaves a value to it); and what it writes is
        /// clean katakana, as `cleanse` says.
        #[test]
        fn the_katakana_pass_gives_what_the_general_code_gives(
            v in proptest::collection::vec(kana_piece(), 0..10)
        ) {
            let s = v.concat();
            let (mut fast, mut a_fast) = (String::from("x"), Applied::default());
            let got = cleanse(&s, KanaScript::Katakana, &mut fast, &mut a_fast);
            let (mut slow, mut a_slow) = (String::from("x"), Applied::default());
            let want = general(&s, KanaScript::Katakana, &mut slow, &mut a_slow);
            prop_assert_eq!(got.map(|_| ()), want);
            if want.is_ok() {
                prop_assert_eq!(a_fast, a_slow);
                // What is written when no rule applied is not read (the
                // caller takes the value as it is).
                if !a_slow.is_empty() {
                    prop_assert_eq!(&fast, &slow);
                }
                if got == Ok(true) && !a_fast.is_empty() {
                    prop_assert!(is_clean(&fast.as_bytes()[1..], KanaScript::Katakana), "{}", fast);
                }
            }
        }

        /// NFKC (unicode-normalization) is an independent oracle for width and
        /// composition of half-width katakana.
        #[test]
        fn halfwidth_names_convert_like_nfkc(s in halfwidth_name()) {
            let (o, a) = kata(&s).unwrap();
            prop_assert_eq!(o, s.nfkc().collect::<String>());
            prop_assert_eq!(rules(a), vec![Rule::HalfwidthKana]);
        }

        /// Hiragana → katakana → hiragana gives back the input.
        #[test]
        fn scripts_round_trip(s in "[ぁ-ゖゝゞー・　]{1,12}") {
            let (k, _) = kata(&s).unwrap();
            let (h, _) = run(&k, KanaScript::Hiragana).unwrap();
            prop_assert_eq!(h, s);
        }
    }
}
