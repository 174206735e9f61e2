//! A `sensitive` item (個人番号) holding every kind of trouble: nothing derived from
//! its value — bytes, code points, the characters, lengths, positions, the value
//! itself — may reach stdout, stderr, manifest.json, report.html, a work list, a
//! `mappings diff --corpus` listing or the reasons column of the reject file. Only
//! the reject file's base64 of the whole record holds it.
//!
//! Each check is run twice: with the item marked sensitive (nothing may show) and
//! with the same layout without the mark (the same needles must show, so the scan
//! is known to look where the values would be).

mod common;

use base64::Engine;
use common::{read_manifest, run_in, s};
use std::fs;
use std::path::Path;

const LAYOUT: &str = r#"
name = "s"
format = "csv"
[[fields]]
name = "宛名番号"
key = true
[[fields]]
name = "氏名"
[[fields]]
name = "個人番号"
sensitive = true
length = 12
"#;

/// The table maps U+E001 only: U+E000 stays unmapped.
const TABLE: &str = "U+E001\tMJ000001\n";
/// A NEW table for `mappings diff`: U+E000 is added.
const TABLE_NEW: &str = "U+E001\tMJ000001\nU+E000\tMJ000001\n";

/// The records, in CP932. 個人番号 holds, record by record: a clean value; an
/// undecodable byte 0xFF; the unmapped 外字 U+E000 (0xF040); the compatibility
/// ideograph U+F929 (0xEDC4); the CP932 variant ～ U+FF5E (0x8160); a character
/// outside JIS X 0208 (纊 U+7E8A, 0xED40); 13 digits (over its 12); the mapped
/// 外字 U+E001 (0xF041). Record 9 has one item too many, with a bad byte in it.
fn data() -> Vec<u8> {
    let recs: [&[u8]; 9] = [
        b"0001,\x8eR\x93c,123456789012",
        b"0002,\x93c\x92\x86,91827\xff364",
        b"0003,\x8d\xb2\x93\xa1,52739\xf0\x40",
        b"0004,\x97\xe9\x96\xd8,73915\xed\xc4",
        b"0005,\x8d\x82\x8b\xb4,84261\x81\x60",
        b"0006,\x88\xc9\x93\xa1,61948\xed\x40",
        b"0007,\x93n\x95\xd3,2718281828459",
        b"0008,\x92\x86\x91\xba,43617\xf0\x41",
        b"0009,x,1,56473\xff",
    ];
    let mut d = recs.join(&b"\r\n"[..]);
    d.extend_from_slice(b"\r\n");
    d
}

/// What must not show for the sensitive item. (Values: no run of them can occur
/// in a hash, which is hex.)
const NEEDLES: &[&str] = &[
    "0xFF",
    "U+E000",
    "\u{E000}",
    "0xF040",
    "U+F929",
    "\u{F929}",
    "U+FF5E",
    "\u{FF5E}",
    "U+7E8A",
    "\u{7E8A}",
    "13文字",
    "文字目",
    "バイト目",
    "91827",
    "52739",
    "73915",
    "84261",
    "61948",
    "2718281828459",
    "43617",
    "56473",
];

/// Everything people see from the runs over `layout`, as (what, text); and the
/// reject lines of the default run.
fn everything(dir: &Path, layout: &str) -> (Vec<(String, String)>, Vec<ikou::reject::RejectLine>) {
    fs::write(dir.join("l.toml"), layout).unwrap();
    fs::write(dir.join("g.tsv"), TABLE).unwrap();
    fs::write(dir.join("g2.tsv"), TABLE_NEW).unwrap();
    fs::write(dir.join("in.csv"), data()).unwrap();
    let mut seen = Vec::new();
    let mut add = |what: &str, (code, out, err): (i32, String, String)| {
        seen.push((format!("{what} stdout (exit {code})"), out));
        seen.push((format!("{what} stderr"), err));
        code
    };
    let base = ["--layout", "l.toml", "--gaiji", "g.tsv"];
    let conv = |out: &str, extra: &[&str]| {
        let mut a = vec!["convert", "--out", out];
        a.extend_from_slice(&base);
        a.extend_from_slice(extra);
        a.push("in.csv");
        run_in(dir, &a)
    };
    assert_eq!(add("convert", conv("out", &[])), 3);
    assert_eq!(
        add(
            "convert --unmapped geta",
            conv("geta", &["--unmapped", "geta"])
        ),
        3,
        "an unmapped 外字 in a sensitive item is still counted for the exit status"
    );
    assert_eq!(
        add(
            "convert --unmapped fail",
            conv("fail", &["--unmapped", "fail"])
        ),
        1
    );
    let mut prof = vec!["profile"];
    prof.extend_from_slice(&base);
    prof.push("in.csv");
    assert_eq!(add("profile", run_in(dir, &prof)), 3);
    let mut json = prof.clone();
    json.insert(1, "--json");
    add("profile --json", run_in(dir, &json));
    let mut wl = prof.clone();
    wl.splice(1..1, ["--worklist", "wl.tsv"]);
    add("profile --worklist", run_in(dir, &wl));
    for extra in [&[][..], &["--json"][..]] {
        let mut a = vec![
            "mappings", "diff", "--layout", "l.toml", "--old", "g.tsv", "--new", "g2.tsv",
            "--corpus", "in.csv",
        ];
        a.extend_from_slice(extra);
        let (code, out, err) = run_in(dir, &a);
        // The table diff itself names U+E000 (it is the tables' text, not data):
        // only the corpus part is about records.
        let corpus = match out.find("Corpus") {
            Some(i) => out[i..].to_string(),
            None => match serde_json::from_str::<serde_json::Value>(&out) {
                Ok(v) => v["corpus"].to_string(),
                Err(_) => out.clone(),
            },
        };
        seen.push((
            format!("mappings diff {extra:?} corpus (exit {code})"),
            corpus,
        ));
        seen.push((format!("mappings diff {extra:?} stderr"), err));
    }
    for name in [
        "out/manifest.json",
        "out/report.html",
        "geta/manifest.json",
        "geta/report.html",
        "wl.tsv",
    ] {
        seen.push((
            name.into(),
            fs::read_to_string(dir.join(name)).unwrap_or_default(),
        ));
    }
    let rej = ikou::reject::read_lines(&fs::read(dir.join("out/in.rejects.csv")).unwrap()).unwrap();
    for r in &rej {
        seen.push((
            format!("reject reason of record {}", r.record),
            r.message.clone(),
        ));
        // Every column of the reject line but the base64 of the whole record.
        for (col, text) in [
            ("key", &r.key),
            ("item", &r.item),
            ("position", &r.position),
            ("record content", &r.content),
        ] {
            seen.push((format!("reject {col} of record {}", r.record), text.clone()));
        }
    }
    (seen, rej)
}

fn hits(seen: &[(String, String)]) -> Vec<String> {
    let mut v = Vec::new();
    for (what, text) in seen {
        for n in NEEDLES {
            if text.contains(n) {
                v.push(format!("{n:?} in {what}"));
            }
        }
    }
    v
}

#[test]
fn nothing_of_a_sensitive_item_reaches_people() {
    let dir = tempfile::tempdir().unwrap();
    let (seen, rej) = everything(dir.path(), LAYOUT);
    let found = hits(&seen);
    assert!(found.is_empty(), "{}", found.join("\n"));

    // The records are rejected as before, each for its rule, naming the item.
    let got: Vec<(u64, &str, &str)> = rej
        .iter()
        .map(|r| (r.record, r.code.as_str(), r.item.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (2, "undecodable", "個人番号"),
            (3, "unmapped-gaiji", "個人番号"),
            (7, "too-long", "個人番号"),
            (9, "undecodable", ""),
        ]
    );
    assert!(
        rej[0].message.contains("個人番号") && rej[0].message.contains("sensitive"),
        "{}",
        rej[0].message
    );
    // No position for the sensitive item; the record's items are shown with the
    // sensitive one hidden, when the record could be read into its items.
    let cols: Vec<(u64, &str, &str, &str)> = rej
        .iter()
        .map(|r| {
            (
                r.record,
                r.key.as_str(),
                r.position.as_str(),
                r.content.as_str(),
            )
        })
        .collect();
    assert_eq!(
        cols,
        [
            (2, "", "", ""),
            (3, "0003", "", "0003|佐藤|*****"),
            (7, "0007", "", "0007|渡辺|*****"),
            (9, "", "", ""),
        ]
    );
    // The whole record is still kept verbatim.
    let input = data();
    for r in &rej {
        let at = r.offset as usize;
        assert_eq!(&input[at..at + r.original.len()], &r.original[..]);
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(&rej[0].original);
    assert!(
        fs::read_to_string(dir.path().join("out/in.rejects.csv"))
            .unwrap()
            .contains(&b64)
    );

    // Counts add up; the map stage's lists hold nothing from the sensitive item.
    let m = read_manifest(&dir.path().join("out"));
    let c = &m["counts"];
    assert_eq!(
        (
            c["read"].as_u64(),
            c["written"].as_u64(),
            c["rejected"].as_u64()
        ),
        (Some(9), Some(5), Some(4))
    );
    let e001 = m["gaiji"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["source"] == "U+E001")
        .unwrap();
    assert_eq!(e001["count"], 0, "{e001}");
    assert!(e001["first_record"].is_null(), "{e001}");
    for list in ["unmapped", "compat", "variants"] {
        assert!(
            m[list].as_array().is_none_or(|a| a.is_empty()),
            "{list}: {}",
            m[list]
        );
    }
    // The output still holds the mapped items (the record is handled as before).
    let out = fs::read_to_string(dir.path().join("out/in.csv")).unwrap();
    assert!(out.contains("0005,高橋,84261\u{301C}"), "{out}");

    // With geta the report says that something was met, without saying what.
    let report = fs::read_to_string(dir.path().join("geta/report.html")).unwrap();
    assert!(
        report.contains("sensitive の項目に外字対応表にない外字が1か所"),
        "{report}"
    );
    let geta = fs::read_to_string(dir.path().join("geta/in.csv")).unwrap();
    assert!(geta.contains("0003,佐藤,52739\u{3013}"), "{geta}");
}

/// The same runs without the sensitive mark show every needle: the scan above
/// looks where the values would be.
#[test]
fn the_same_item_not_sensitive_shows_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let open = LAYOUT.replace("sensitive = true\n", "");
    let (seen, rej) = everything(dir.path(), &open);
    let found = hits(&seen);
    for n in [
        "0xFF",
        "U+E000",
        "U+F929",
        "U+FF5E",
        "U+7E8A",
        "13文字",
        "文字目",
        "バイト目",
    ] {
        assert!(
            found.iter().any(|f| f.starts_with(&format!("{n:?}"))),
            "{n} shows nowhere: {found:?}"
        );
    }
    assert_eq!(rej[0].item, "個人番号");
    assert!(rej[3].message.contains("0xFF"), "{}", rej[3].message);
    let _ = s;
}
