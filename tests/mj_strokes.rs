//! 総画数 (issue 16): carried from MJ文字情報一覧表 into the embedded table, shown by
//! `ikou mj` (text and --json). The oracle is the public table itself
//! (../shared/mj/mji.tsv), read here independently of the importer.

mod common;

use common::{root, run};
use std::collections::HashMap;

/// MJ文字図形名 → the 総画数 cell of mji.tsv, as written there.
fn strokes_in_mji() -> HashMap<String, String> {
    let text = std::fs::read_to_string(root().join("../shared/mj/mji.tsv")).expect("mji.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let at = |name: &str| header.iter().position(|c| *c == name).expect(name);
    let (mj, strokes) = (at("MJ文字図形名"), at("総画数"));
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            (cells[mj].to_string(), cells[strokes].to_string())
        })
        .collect()
}

#[test]
fn every_glyphs_stroke_count_is_the_one_in_mji_tsv() {
    let want = strokes_in_mji();
    let db = ikou::mj::db();
    assert_eq!(db.len(), want.len(), "one row per glyph");
    let mut checked = 0;
    for g in db.glyphs() {
        let cell = want.get(&g.name()).expect("glyph of mji.tsv");
        let expected = (!cell.is_empty()).then(|| cell.parse::<u8>().expect("small number"));
        assert_eq!(g.strokes, expected, "{}", g.name());
        checked += 1;
    }
    assert_eq!(checked, 58_862);
}

#[test]
fn ikou_mj_shows_the_stroke_count() {
    let want = strokes_in_mji();
    // 髙 MJ028902: 11 strokes in MJ文字情報一覧表 Ver.006.02.
    assert_eq!(want["MJ028902"], "11");
    let (code, out, err) = run(&["mj", "髙"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("MJ028902 髙\n  総画数: 11 画\n"), "{out}");
    let (code, out, err) = run(&["mj", "--json", "MJ028902", "J+AD1D"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["glyphs"][0]["strokes"], 11);
    // 々 MJ000001 (J+AD1D): 3.
    assert_eq!(want["MJ000001"], "3");
    assert_eq!(v[1]["glyphs"][0]["mj"], "MJ000001");
    assert_eq!(v[1]["glyphs"][0]["strokes"], 3);
}
