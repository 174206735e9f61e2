//! `ikou profile` reads layouts with record types (`[[records]]`) as convert
//! does: each record classified by its type, data records profiled with their
//! type's items, header and trailer records counted apart and never profiled.

mod common;

use common::{read_manifest, run, s, testdata};
use serde_json::Value;
use std::path::Path;

fn layout(name: &str) -> String {
    s(&testdata(&format!("rectypes/{name}"))).to_string()
}

fn profile(layout: &str, extra: &[&str], input: &Path) -> (i32, Value, String) {
    let mut args = vec!["profile", "--json", "--layout", layout];
    args.extend_from_slice(extra);
    args.push(s(input));
    let (code, out, err) = run(&args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v, err)
}

/// (reason, item, count, first record) of each defect of a profile.
fn defects(p: &Value) -> Vec<(String, Option<String>, u64, u64)> {
    let mut v: Vec<_> = p["defects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["reason"].as_str().unwrap().to_string(),
                d["item"].as_str().map(String::from),
                d["count"].as_u64().unwrap(),
                d["first_record"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The same from convert's manifest.
fn rejects(m: &Value) -> Vec<(String, Option<String>, u64, u64)> {
    let mut v: Vec<_> = m["reject_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_string(),
                r["item"].as_str().map(String::from),
                r["count"].as_u64().unwrap(),
                r["first_records"][0]["record"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn data_records_are_profiled_as_convert_reads_them() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("juminzei.csv");
    // Header; a data record with an unmapped 外字 (0xF040); a key too long; a
    // record of no declared type; a tax that is no number; the trailer.
    std::fs::write(
        &input,
        b"1,132012,20260401\r\n2,100000000000001,\x8eR\x93c\xf0\x40,12345\r\n\
          2,1000000000000022,\x8d\xb2\x93\xa1,13456\r\n5,x,y\r\n\
          2,100000000000003,\x97\xe9\x96\xd8,abc\r\n9,4,25801\r\n",
    )
    .unwrap();
    let l = layout("juminzei.toml");
    let out = tmp.path().join("out");
    let (code, _, err) = run(&["convert", "--layout", &l, "--out", s(&out), s(&input)]);
    assert_eq!(code, 3, "{err}");
    let m = read_manifest(&out);
    for jobs in ["1", "2"] {
        let (code, p, err) = profile(&l, &["--jobs", jobs, "--chunk-bytes", "20"], &input);
        assert_eq!(code, 3, "{err}");
        assert_eq!(p["records"], m["counts"]["read"], "{p}");
        assert_eq!(p["would_reject"], m["counts"]["rejected"], "{p}");
        assert_eq!(p["inputs"][0]["control_records"], 2, "{p}");
        assert_eq!(defects(&p), rejects(&m), "{p}");
        assert_eq!(p["gaiji"][0]["source"], "U+E000");
        assert_eq!(p["gaiji"][0]["first_record"], 2);
        assert_eq!(p["gaiji"][0]["first_key"], "100000000000001");
    }
    // The header's and the trailer's items are never profiled as data: the
    // good sample has no defect at all, and its 10 data records are counted.
    let (code, p, err) = profile(&l, &[], &testdata("rectypes/good.csv"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (p["records"].as_u64(), p["would_reject"].as_u64()),
        (Some(10), Some(0))
    );
    let (code, table, err) = run(&["profile", "--layout", &l, s(&testdata("rectypes/good.csv"))]);
    assert_eq!(code, 0, "{err}");
    assert!(
        table.contains("10 records (0 would be rejected, 2 header/trailer)"),
        "{table}"
    );
}

#[test]
fn each_data_type_is_read_with_its_own_items() {
    // Two data types (個人, 法人) with different items: a defect is named by the
    // item of the record's own type.
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("two.csv");
    let long = "A".repeat(61);
    let text = format!(
        "1,20260401\r\n2,100000000000001,kojin,1000\r\n3,7000000000002,{long},addr,150002\r\n\
         3,70000000000029,name,addr,1\r\n2,100000000000004,kojin,x\r\n9,2,2,4,0\r\n"
    );
    std::fs::write(&input, text.as_bytes()).unwrap();
    let l = layout("two_types.toml");
    let out = tmp.path().join("out");
    let (code, _, err) = run(&["convert", "--layout", &l, "--out", s(&out), s(&input)]);
    assert_eq!(code, 3, "{err}");
    let m = read_manifest(&out);
    let (code, p, err) = profile(&l, &[], &input);
    assert_eq!(code, 3, "{err}");
    assert_eq!(p["records"], m["counts"]["read"], "{p}");
    assert_eq!(defects(&p), rejects(&m), "{p}");
    let items: Vec<Option<String>> = defects(&p).into_iter().map(|d| d.1).collect();
    for want in ["名称", "法人番号", "税額"] {
        assert!(items.contains(&Some(want.into())), "{want}: {p}");
    }
}

#[test]
fn fixed_length_record_types_are_profiled() {
    let l = layout("fixed_ibm930.toml");
    let input = testdata("rectypes/fixed_ibm930.dat");
    let (code, p, err) = profile(&l, &["--encoding", "ibm930"], &input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(p["records"], 6, "{p}");
    assert_eq!(p["inputs"][0]["control_records"], 2, "{p}");
    assert_eq!(p["defects"], Value::Array(Vec::new()), "{p}");
}
