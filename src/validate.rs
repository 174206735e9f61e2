//! Validate: the checks every item gets after cleansing, whatever its type.

use crate::layout::{Field, FieldType, Format};
use crate::record::item_reject;
use crate::reject::Reject;

/// Characters as a person counts them, and as JIS X 0213 counts them: variation
/// selectors belong to the character before them (an MJ glyph written as base +
/// IVS is one character), and so does the combining mark of the 25 sequences
/// JIS X 0213 encodes as one character ([`JIS_X0213_SEQUENCES`]: か゚ is U+304B
/// U+309A, one character 1-04-87). The one length rule: every count of an item's
/// length, and every character position in a message, goes through here.
pub fn char_count(s: &str) -> usize {
    // Characters are the bytes that do not continue a UTF-8 sequence.
    let chars = s.bytes().filter(|&b| (b as i8) >= -0x40).count();
    // Variation selectors are U+FE00–FE0F (EF B8 80–8F) or U+E0100–E01EF (F3 A0 84–87 …);
    // the second characters of the sequences start with CB (U+02E5/02E9), CC
    // (U+0300/0301) or E3 82 9A (U+309A). Text without those bytes needs no look.
    let b = s.as_bytes();
    if memchr::memchr3(0xEF, 0xF3, 0xCB, b).is_none()
        && memchr::memchr(0xCC, b).is_none()
        && memchr::memmem::find(b, "\u{309A}".as_bytes()).is_none()
    {
        return chars;
    }
    let mut prev = None;
    let joined = s
        .chars()
        .filter(|&c| {
            let j = joins_previous(prev, c);
            // A mark that joined ends the character: ˩˥˩ is ˩˥ and ˩.
            prev = (!j).then_some(c);
            j
        })
        .count();
    chars - joined
}

/// True when `c` is part of the character that `prev` starts (see [`char_count`]).
pub fn joins_previous(prev: Option<char>, c: char) -> bool {
    is_variation_selector(c) || prev.is_some_and(|p| is_jis_x0213_sequence(p, c))
}

fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// The pairs of code points JIS X 0213 plane 1 encodes as one character (its
/// Unicode mapping; checked against Python's euc_jis_2004 codec by
/// tests/fidelity.rs): か゚…こ゚ カ゚…コ゚ セ゚ ツ゚ ト゚ ㇷ゚ (+ U+309A), æ̀ ɔ̀ ɔ́ ʌ̀ ʌ́ ə̀ ə́ ɚ̀ ɚ́
/// (+ U+0300/U+0301), ˩˥ ˥˩.
pub const JIS_X0213_SEQUENCES: [(char, char); 25] = [
    ('\u{304B}', '\u{309A}'),
    ('\u{304D}', '\u{309A}'),
    ('\u{304F}', '\u{309A}'),
    ('\u{3051}', '\u{309A}'),
    ('\u{3053}', '\u{309A}'),
    ('\u{30AB}', '\u{309A}'),
    ('\u{30AD}', '\u{309A}'),
    ('\u{30AF}', '\u{309A}'),
    ('\u{30B1}', '\u{309A}'),
    ('\u{30B3}', '\u{309A}'),
    ('\u{30BB}', '\u{309A}'),
    ('\u{30C4}', '\u{309A}'),
    ('\u{30C8}', '\u{309A}'),
    ('\u{31F7}', '\u{309A}'),
    ('\u{00E6}', '\u{0300}'),
    ('\u{0254}', '\u{0300}'),
    ('\u{0254}', '\u{0301}'),
    ('\u{028C}', '\u{0300}'),
    ('\u{028C}', '\u{0301}'),
    ('\u{0259}', '\u{0300}'),
    ('\u{0259}', '\u{0301}'),
    ('\u{025A}', '\u{0300}'),
    ('\u{025A}', '\u{0301}'),
    ('\u{02E9}', '\u{02E5}'),
    ('\u{02E5}', '\u{02E9}'),
];

/// True when `base` + `mark` is one JIS X 0213 character.
pub fn is_jis_x0213_sequence(base: char, mark: char) -> bool {
    matches!(
        mark,
        '\u{309A}' | '\u{0300}' | '\u{0301}' | '\u{02E5}' | '\u{02E9}'
    ) && JIS_X0213_SEQUENCES.contains(&(base, mark))
}

/// What [`check`] checks of a field's values, decided once per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    required: bool,
    /// The most characters a value may have (CSV layouts; fixed layouts bound
    /// lengths by the byte slice).
    max_chars: Option<usize>,
}

impl Limits {
    pub fn new(field: &Field, format: Format) -> Limits {
        // A date's length is the source's (和暦 7 digits → 西暦 8): the date rule
        // has already checked its form, so its length is not checked again here.
        let max_chars = match format {
            Format::Csv if field.kind != FieldType::Date => field.length,
            _ => None,
        };
        Limits {
            required: field.required,
            max_chars,
        }
    }

    /// True when a value of `bytes` bytes passes [`check`] without a count of
    /// its characters (most values: a value has at most as many characters as
    /// bytes). False says nothing: ask [`check`].
    #[inline]
    pub fn pass_by_bytes(self, bytes: usize) -> bool {
        let (required, max) = self.by_bytes();
        !(bytes == 0 && required) && bytes <= max
    }

    /// [`Limits::pass_by_bytes`] as two numbers, for checks without a
    /// branch: a value of `n` bytes passes when `!(n == 0 && required) && n <= max`
    /// (`max` is `usize::MAX` when the field has no limit).
    #[inline]
    pub(crate) fn by_bytes(self) -> (bool, usize) {
        (self.required, self.max_chars.unwrap_or(usize::MAX))
    }
}

/// Checks a cleansed item value against its field: required, and length in
/// characters for CSV layouts (fixed layouts bound lengths by the byte slice).
#[inline]
pub fn check(field: &Field, format: Format, value: &str) -> Result<(), Reject> {
    let limits = Limits::new(field, format);
    if limits.pass_by_bytes(value.len()) {
        return Ok(());
    }
    if value.is_empty() {
        return Err(required(field));
    }
    match limits.max_chars {
        Some(max) => {
            let n = char_count(value);
            if n > max {
                Err(too_long(field, n, max))
            } else {
                Ok(())
            }
        }
        None => Ok(()),
    }
}

#[cold]
fn required(field: &Field) -> Reject {
    item_reject(field, "required", || {
        format!("{}: 必須項目が空です", field.name)
    })
}

#[cold]
fn too_long(field: &Field, n: usize, max: usize) -> Reject {
    // The limit is the layout's; the count is the value's (not shown when sensitive).
    item_reject(field, "too-long", || {
        format!("{}: {n}文字あり、上限の{max}文字を超えています", field.name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Field;

    fn field(required: bool, length: Option<usize>) -> Field {
        Field {
            name: "氏名".into(),
            kind: FieldType::Text,
            length,
            required,
            ..Field::default()
        }
    }

    #[test]
    fn required_items_must_not_be_empty() {
        let e = check(&field(true, None), Format::Csv, "").unwrap_err();
        assert_eq!(e.code, "required");
        assert!(check(&field(false, None), Format::Csv, "").is_ok());
    }

    #[test]
    fn char_count_matches_chars_without_selectors_and_sequence_marks() {
        for t in [
            "",
            "abc",
            "山田",
            "葛\u{E0100}城\u{FE00}",
            "\u{E000}ｱ\u{20000}",
            "か\u{309A}き",
            "\u{309A}か\u{309A}\u{309A}",
        ] {
            let want = t.chars().filter(|c| !is_variation_selector(*c)).count();
            let want = want - t.matches("か\u{309A}").count();
            assert_eq!(char_count(t), want, "{t}");
        }
    }

    #[test]
    fn a_jis_x0213_sequence_is_one_character() {
        assert_eq!(char_count("か\u{309A}"), 1);
        assert_eq!(char_count("カ\u{309A}キ\u{309A}ト\u{309A}ㇷ\u{309A}"), 4);
        assert_eq!(char_count("\u{02E9}\u{02E5}\u{0254}\u{0301}"), 2);
        assert_eq!(char_count("\u{02E9}\u{02E5}\u{02E9}"), 2);
        // Not sequences of JIS X 0213: counted as they are.
        assert_eq!(char_count("マ\u{309A}"), 2);
        assert_eq!(char_count("a\u{0300}"), 2);
        assert_eq!(char_count("\u{309A}"), 1);
        let f = field(false, Some(2));
        assert!(check(&f, Format::Csv, "か\u{309A}カ\u{309A}").is_ok());
        assert_eq!(
            check(&f, Format::Csv, "か\u{309A}カ\u{309A}ア")
                .unwrap_err()
                .code,
            "too-long"
        );
    }

    #[test]
    fn length_counts_characters_and_ivs_as_one() {
        let f = field(false, Some(2));
        assert!(check(&f, Format::Csv, "山田").is_ok());
        assert!(check(&f, Format::Csv, "葛\u{E0100}城\u{E0101}").is_ok());
        let e = check(&f, Format::Csv, "山田太").unwrap_err();
        assert_eq!(e.code, "too-long");
        assert!(
            e.message.contains("3文字") && !e.message.contains("山田"),
            "{}",
            e.message
        );
        assert!(check(&f, Format::Fixed, "山田太").is_ok());
    }

    #[test]
    fn a_wareki_date_converted_to_8_digits_fits_its_7_digit_length() {
        let mut f = field(false, Some(7));
        f.kind = FieldType::Date;
        assert!(check(&f, Format::Csv, "19980401").is_ok());
    }
}
