//! Validate: the checks every item gets after cleansing, whatever its type.

use crate::layout::{Field, FieldType, Format};
use crate::record::item_reject;
use crate::reject::Reject;

/// Characters as a person counts them: variation selectors belong to the
/// character before them, so an MJ glyph written as base + IVS is one character.
pub fn char_count(s: &str) -> usize {
    // Characters are the bytes that do not continue a UTF-8 sequence.
    let chars = s.bytes().filter(|&b| (b as i8) >= -0x40).count();
    // Variation selectors are U+FE00–FE0F (EF B8 80–8F) or U+E0100–E01EF (F3 A0 84–87 …).
    if memchr::memchr2(0xEF, 0xF3, s.as_bytes()).is_none() {
        return chars;
    }
    chars - s.chars().filter(|c| is_variation_selector(*c)).count()
}

fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Checks a cleansed item value against its field: required, and length in
/// characters for CSV layouts (fixed layouts bound lengths by the byte slice).
#[inline]
pub fn check(field: &Field, format: Format, value: &str) -> Result<(), Reject> {
    if value.is_empty() {
        return if field.required {
            Err(required(field))
        } else {
            Ok(())
        };
    }
    // A date's length is the source's (和暦 7 digits → 西暦 8): the date rule
    // has already checked its form, so its length is not checked again here.
    match (field.length, format) {
        // A value has at most as many characters as bytes: most values need no count.
        (Some(max), Format::Csv) if value.len() > max && field.kind != FieldType::Date => {
            let n = char_count(value);
            if n > max {
                Err(too_long(field, n, max))
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
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
    fn char_count_matches_chars_without_selectors() {
        for t in [
            "",
            "abc",
            "山田",
            "葛\u{E0100}城\u{FE00}",
            "\u{E000}ｱ\u{20000}",
        ] {
            let want = t.chars().filter(|c| !is_variation_selector(*c)).count();
            assert_eq!(char_count(t), want, "{t}");
        }
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
