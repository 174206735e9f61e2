//! An IBM930 fixed-length export end to end: mixed single- and double-byte items, a
//! 外字 in the user-defined rows mapped by a table that names it by its double-byte
//! code (`0x6941`, no shift codes), an item cut inside a double-byte run
//! (`unclosed-shift`) and an undefined byte (`undecodable`). The bytes are written
//! here by hand (EBCDIC digits 0xF0–0xF9, SO 0x0E … SI 0x0F, 日 = 0x4562).

mod common;

use common::{read_manifest, run, s};
use std::fs;

const LAYOUT: &str = r#"name = "ibm-test"
format = "fixed"
record_length = 24
newline = false

[[fields]]
name = "番号"
type = "digits"
offset = 0
length = 4
key = true

[[fields]]
name = "氏名"
offset = 4
length = 20
"#;

fn records() -> Vec<u8> {
    let mut v = Vec::new();
    // 0001: 日 and the 外字 0x6941, then EBCDIC spaces.
    v.extend(b"\xF0\xF0\xF0\xF1\x0E\x45\x62\x69\x41\x0F");
    v.extend([0x40; 14]);
    // 0002: "A", then nine 日 and the item ends without SI.
    v.extend(b"\xF0\xF0\xF0\xF2\xC1\x0E");
    v.extend(b"\x45\x62".repeat(9));
    // 0003: 0x57 is not a character in IBM930.
    v.extend(b"\xF0\xF0\xF0\xF3\xC1\x57");
    v.extend([0x40; 18]);
    // 0004: katakana ｱ (0x81 in IBM930) and A.
    v.extend(b"\xF0\xF0\xF0\xF4\x81\xC1");
    v.extend([0x40; 18]);
    v
}

#[test]
fn ibm930_fixed_export_converts_with_its_gaiji_and_defects() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    fs::write(p("in.dat"), records()).unwrap();
    fs::write(p("layout.toml"), LAYOUT).unwrap();
    fs::write(p("gaiji.tsv"), "source\ttarget\n0x6941\tU+9AD9\n").unwrap();

    // profile names the 外字 by the code a table takes.
    let (code, out, err) = run(&[
        "profile",
        "--layout",
        s(&p("layout.toml")),
        "--encoding",
        "ibm930",
        "--json",
        s(&p("in.dat")),
    ]);
    assert!(code == 0 || code == 3, "{err}");
    let profile: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(profile["gaiji"][0]["source"], "U+E000");
    assert_eq!(profile["gaiji"][0]["bytes"], "0x6941");

    let (code, _, err) = run(&[
        "convert",
        "--layout",
        s(&p("layout.toml")),
        "--encoding",
        "ibm930",
        "--gaiji",
        s(&p("gaiji.tsv")),
        "--out",
        s(&p("out")),
        s(&p("in.dat")),
    ]);
    assert_eq!(code, 3, "{err}");
    let csv = fs::read_to_string(p("out/in.csv")).unwrap();
    assert_eq!(csv, "0001,日髙\r\n0004,ｱA\r\n");
    let rejects = fs::read_to_string(p("out/in.rejects.csv")).unwrap();
    let lines: Vec<&str> = rejects.lines().skip(1).collect();
    assert!(lines[0].starts_with("2,unclosed-shift,"), "{}", lines[0]);
    assert!(
        lines[0].contains("「氏名」") && lines[0].contains("6バイト目のシフトコード 0x0E"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("3,undecodable,"), "{}", lines[1]);
    assert!(lines[1].contains("0x57"), "{}", lines[1]);
    let m = read_manifest(&p("out"));
    assert_eq!(m["counts"]["read"], 4);
    assert_eq!(m["counts"]["written"], 2);
    assert_eq!(m["counts"]["rejected"], 2);
    assert_eq!(m["gaiji"][0]["table_source"], "0x6941");
    assert_eq!(m["gaiji"][0]["count"], 1);
    assert_eq!(m["reject_reasons"][0]["code"], "unclosed-shift");
}

#[test]
fn ebcdic_declared_as_cp932_stops_with_the_family() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let mut data = Vec::new();
    for _ in 0..20 {
        data.extend(b"\xF0\xF0\xF0\xF1\x0E\x45\x62\x45\x62\x0F");
        data.extend([0x40; 14]);
    }
    fs::write(p("in.dat"), data).unwrap();
    fs::write(p("layout.toml"), LAYOUT).unwrap();
    let (code, _, err) = run(&[
        "convert",
        "--layout",
        s(&p("layout.toml")),
        "--out",
        s(&p("out")),
        s(&p("in.dat")),
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("EBCDIC") && err.contains("--encoding ibm930"),
        "{err}"
    );
    assert!(!p("out/manifest.json").exists());
}
