//! Validate: the checks every item gets after cleansing, whatever its type.

use crate::layout::{Field, Format};
use crate::reject::Reject;

/// Characters as a person counts them: variation selectors belong to the
/// character before them, so an MJ glyph written as base + IVS is one character.
pub fn char_count(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars().filter(|c| !is_variation_selector(*c)).count()
}

fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Checks a cleansed item value against its field: required, and length in
/// characters for CSV layouts (fixed layouts bound lengths by the byte slice).
pub fn check(field: &Field, format: Format, value: &str) -> Result<(), Reject> {
    if value.is_empty() {
        if field.required {
            return Err(Reject::item(
                "required",
                &field.name,
                format!("{}: 必須項目が空です", field.name),
            ));
        }
        return Ok(());
    }
    if let (Some(max), Format::Csv) = (field.length, format) {
        let n = char_count(value);
        if n > max {
            return Err(Reject::item(
                "too-long",
                &field.name,
                format!("{}: {n}文字あり、上限の{max}文字を超えています", field.name),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{Field, FieldType};

    fn field(required: bool, length: Option<usize>) -> Field {
        Field {
            name: "氏名".into(),
            kind: FieldType::Text,
            length,
            required,
            key: false,
            sensitive: false,
            offset: None,
            codes: vec![],
            date: None,
            kana: None,
        }
    }

    #[test]
    fn required_items_must_not_be_empty() {
        let e = check(&field(true, None), Format::Csv, "").unwrap_err();
        assert_eq!(e.code, "required");
        assert!(check(&field(false, None), Format::Csv, "").is_ok());
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
}
