//! Layouts shipped inside the binary, usable by name with `--layout`.
//!
//! They are references modelled on the 中間標準レイアウト仕様, not copies of the
//! official item lists (which are published as spreadsheets): each says in its
//! `note` what it follows and what is ikou's own choice. For a real migration,
//! import the official sheet with `ikou layout import`.

/// (name, TOML text) of every bundled layout, in the order `ikou layouts` lists them.
pub const ALL: &[(&str, &str)] = &[
    ("juki-kojin", include_str!("bundled/juki-kojin.toml")),
    ("juki-setai", include_str!("bundled/juki-setai.toml")),
    (
        "kojin-juminzei",
        include_str!("bundled/kojin-juminzei.toml"),
    ),
    (
        "kaigo-hihokensha",
        include_str!("bundled/kaigo-hihokensha.toml"),
    ),
];

/// The TOML text of the bundled layout `name`.
pub fn get(name: &str) -> Option<&'static str> {
    ALL.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The names of the bundled layouts, comma-separated (for messages).
pub fn names() -> String {
    ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use crate::layout::{FieldType, parse};

    #[test]
    fn every_bundled_layout_parses_and_has_its_own_name() {
        for (name, text) in super::ALL {
            let l = parse(text.as_bytes(), name).unwrap();
            assert_eq!(&l.name, name);
            assert!(!l.title.is_empty() && !l.version.is_empty(), "{name}");
            // The note must say that this is not the official item list.
            assert!(l.note.contains("公式の項目一覧"), "{name}");
            assert!(l.key_field().is_some(), "{name}: a key item for reports");
        }
    }

    #[test]
    fn personal_numbers_are_sensitive_everywhere() {
        for (name, text) in super::ALL {
            let l = parse(text.as_bytes(), name).unwrap();
            for f in l.fields.iter().filter(|f| f.name.contains("個人番号")) {
                assert!(f.sensitive && f.kind == FieldType::Digits, "{name}");
                assert_eq!(f.length, Some(12), "{name}");
            }
        }
    }

    #[test]
    fn no_compatibility_ideographs_in_the_files() {
        // They would be changed by any tool that normalises text (see DOMAIN.md).
        for (name, text) in super::ALL {
            assert!(
                !text
                    .chars()
                    .any(|c| matches!(c, '\u{F900}'..='\u{FAFF}' | '\u{2F800}'..='\u{2FA1F}')),
                "{name}"
            );
        }
    }

    #[test]
    fn unknown_names_list_the_bundled_ones() {
        assert!(super::get("juki-kojin").is_some());
        assert!(super::get("nope").is_none());
        assert!(super::names().contains("kaigo-hihokensha"));
    }
}
