//! The bundled layouts: `ikou layouts` lists and shows them, and each one converts
//! a small synthetic file made from its own item list.

mod common;

use common::{iconv, read_manifest, run, s};
use ikou::layout::{Field, FieldType, bundled, parse};
use std::fs;

#[test]
fn layouts_lists_every_bundled_layout() {
    let (code, out, err) = run(&["layouts"]);
    assert_eq!(code, 0, "{err}");
    assert!(bundled::ALL.len() >= 4);
    for (name, text) in bundled::ALL {
        let l = parse(text.as_bytes(), name).unwrap();
        let line = out
            .lines()
            .find(|line| line.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name} not listed:\n{out}"));
        let n = l.fields.len().to_string();
        for part in [l.version.as_str(), n.as_str(), l.title.as_str()] {
            assert!(line.contains(part), "{part:?} missing in {line:?}");
        }
    }
    for required in [
        "juki-kojin",
        "juki-setai",
        "kojin-juminzei",
        "kaigo-hihokensha",
    ] {
        assert!(bundled::get(required).is_some(), "{required}");
    }
}

#[test]
fn layouts_name_shows_the_items_or_the_exact_toml() {
    for (name, text) in bundled::ALL {
        let (code, out, err) = run(&["layouts", name, "--toml"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out, *text, "{name}: --toml is the file itself");

        let (code, out, err) = run(&["layouts", name]);
        assert_eq!(code, 0, "{err}");
        let l = parse(text.as_bytes(), name).unwrap();
        assert!(out.contains(&l.note), "{name}: the note is shown");
        for (i, f) in l.fields.iter().enumerate() {
            let line = out
                .lines()
                .find(|line| line.split_whitespace().nth(1) == Some(f.name.as_str()))
                .unwrap_or_else(|| panic!("{name}: {} missing:\n{out}", f.name));
            assert!(
                line.trim_start().starts_with(&(i + 1).to_string()),
                "{line}"
            );
        }
    }
    let (code, _, err) = run(&["layouts", "no-such-layout"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no-such-layout") && err.contains("juki-kojin"),
        "{err}"
    );
    // A layout file can be shown too.
    let (code, out, _) = run(&["layouts", s(&common::testdata("layouts/juki-kojin.toml"))]);
    assert_eq!(code, 0);
    assert!(out.contains("宛名番号"));
}

/// A value for an item, as written in the export and as ikou must write it.
fn sample(f: &Field, record: usize) -> (String, String) {
    let same = |v: String| (v.clone(), v);
    match f.kind {
        FieldType::Text => same(format!("架空{}の{record}", f.name)),
        FieldType::Kana => ("ｶｸｳ ﾀﾛｳ".into(), "カクウ　タロウ".into()),
        FieldType::Digits => {
            let n = f.length.unwrap_or(6);
            same(format!("{record:0n$}"))
        }
        FieldType::Number => same(format!("{}", 1000 * record + 7)),
        FieldType::Date => same("20000229".into()),
        FieldType::Code => same(f.codes[record % f.codes.len()].clone()),
        FieldType::Packed | FieldType::Zoned | FieldType::Binary => {
            unreachable!("no bundled layout has mainframe number items")
        }
    }
}

#[test]
fn every_bundled_layout_converts_a_synthetic_file() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in bundled::ALL {
        let l = parse(text.as_bytes(), name).unwrap();
        // Record 1 has every item; record 2 only the required ones.
        let mut source = String::new();
        let mut want = String::new();
        for record in 1..=2 {
            let items: Vec<(String, String)> = l
                .fields
                .iter()
                .map(|f| {
                    if record == 1 || f.required {
                        sample(f, record)
                    } else {
                        (String::new(), String::new())
                    }
                })
                .collect();
            let line = |pick: fn(&(String, String)) -> &String| {
                items
                    .iter()
                    .map(pick)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(",")
            };
            source += &(line(|p| &p.0) + "\r\n");
            want += &(line(|p| &p.1) + "\r\n");
        }
        let input = tmp.path().join(format!("{name}.csv"));
        fs::write(&input, iconv(source.as_bytes(), "UTF-8", "CP932")).unwrap();
        let out = tmp.path().join(format!("out-{name}"));
        let (code, _, err) = run(&["convert", "--layout", name, "--out", s(&out), s(&input)]);
        assert_eq!(code, 0, "{name}: {err}");
        let got = fs::read_to_string(out.join(format!("{name}.csv"))).unwrap();
        assert_eq!(got, want, "{name}");
        let m = read_manifest(&out);
        assert_eq!(m["counts"]["written"], 2, "{name}");
        let layout_entry = m["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["kind"] == "layout")
            .unwrap();
        assert_eq!(layout_entry["path"], format!("bundled:{name}"));
    }
}
