//! Layouts shipped inside the binary, usable by name with `--layout`.

/// (name, TOML text) of every bundled layout, in the order `ikou layouts` lists them.
pub const ALL: &[(&str, &str)] = &[("sample-juki", include_str!("bundled/sample-juki.toml"))];

/// The TOML text of the bundled layout `name`.
pub fn get(name: &str) -> Option<&'static str> {
    ALL.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_bundled_layout_parses_and_has_its_own_name() {
        for (name, text) in super::ALL {
            let l = crate::layout::parse(text.as_bytes(), name).unwrap();
            assert_eq!(&l.name, name);
        }
    }
}
