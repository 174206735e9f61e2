//! Every one of the 58,862 MJ rows, named in a vendor 外字 table by every notation
//! it has (MJ名, 住基 J+ code, 戸籍統一文字番号), goes through the whole table path
//! (parse → merge → resolve → map) to the same output; the output is checked
//! against `../shared/mj/` read independently here.

use ikou::decode::Encoding;
use ikou::gaiji::{MapEvents, MapOptions, Mapper, TableSource};
use ikou::mj::IvsPolicy;
use std::collections::HashMap;

struct Row {
    mj: String,
    implemented: String,
    ivs: String,
    koseki: String,
    juki: String,
}

fn shared(name: &str) -> Option<String> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/mj")
        .join(name);
    match std::fs::read_to_string(&p) {
        Ok(t) => Some(t),
        Err(e) => {
            eprintln!(
                "SKIPPED: {} is not readable ({e}); this test needs ../shared/mj",
                p.display()
            );
            None
        }
    }
}

fn rows() -> Option<Vec<Row>> {
    let text = shared("mji.tsv")?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next()?.split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let (c_mj, c_impl, c_ivs, c_koseki, c_juki) = (
        col("MJ文字図形名"),
        col("実装したUCS"),
        col("実装したMoji_JohoコレクションIVS"),
        col("戸籍統一文字番号"),
        col("住基ネット統一文字コード"),
    );
    Some(
        lines
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                Row {
                    mj: f[c_mj].into(),
                    implemented: f[c_impl].into(),
                    ivs: f[c_ivs].into(),
                    koseki: f[c_koseki].into(),
                    juki: f[c_juki].into(),
                }
            })
            .collect(),
    )
}

/// MJ名 → the characters MJ縮退マップ offers for it.
fn candidates() -> Option<HashMap<String, Vec<String>>> {
    let text = shared("mjsm.tsv")?;
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split('\t').collect();
        m.entry(f[0].to_string())
            .or_default()
            .push(f[1].to_string());
    }
    Some(m)
}

/// The source of row `i`: a supplementary private-use code point, so that every row
/// gets its own source.
fn source(i: usize) -> char {
    char::from_u32(0xF0000 + i as u32).expect("plane 15")
}

/// Maps every row's source through a table of `notation`; None where the row has no
/// such code; Some(None) where the source stayed unmapped.
fn run(
    rows: &[Row],
    notation: fn(&Row) -> Option<String>,
    ivs: IvsPolicy,
    skip: &[&str],
) -> Vec<Option<Option<String>>> {
    let mut table = String::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(n) = notation(r).filter(|_| !skip.contains(&r.mj.as_str())) {
            table.push_str(&format!("U+{:X}\t{n}\n", source(i) as u32));
        }
    }
    let src = TableSource {
        path: "all.tsv".into(),
        text: table,
        sha256: String::new(),
    };
    let opts = MapOptions {
        ivs: Some(ivs),
        ..MapOptions::default()
    };
    let mapper = Mapper::new(&[src], Encoding::Utf8, opts).unwrap_or_else(|e| panic!("{e}"));
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            notation(r).filter(|_| !skip.contains(&r.mj.as_str()))?;
            let mut out = String::new();
            let mut ev = MapEvents::default();
            let ok = mapper
                .map(&source(i).to_string(), &mut out, &mut ev)
                .is_ok();
            Some(ok.then_some(out))
        })
        .collect()
}

fn by_mj(r: &Row) -> Option<String> {
    Some(r.mj.clone())
}
fn by_juki(r: &Row) -> Option<String> {
    (!r.juki.is_empty()).then(|| r.juki.clone())
}
fn by_koseki(r: &Row) -> Option<String> {
    (!r.koseki.is_empty()).then(|| format!("KOSEKI:{}", r.koseki))
}

/// The two glyphs that have no code point and no same-shape sibling (withdrawn).
const NO_FORM: [&str; 2] = ["MJ037229", "MJ042077"];

#[test]
fn every_mj_row_in_every_notation_maps_to_the_same_glyph() {
    let (Some(rows), Some(cands)) = (rows(), candidates()) else {
        return;
    };
    assert_eq!(rows.len(), 58_862);
    for ivs in [IvsPolicy::Keep, IvsPolicy::Never] {
        let mj = run(&rows, by_mj, ivs, &NO_FORM);
        let juki = run(&rows, by_juki, ivs, &NO_FORM);
        let koseki = run(&rows, by_koseki, ivs, &NO_FORM);
        let (mut n_juki, mut n_koseki, mut unmapped) = (0, 0, 0);
        for (i, r) in rows.iter().enumerate() {
            if NO_FORM.contains(&r.mj.as_str()) {
                continue;
            }
            let want = mj[i].clone().expect("every row has an MJ名");
            if let Some(j) = &juki[i] {
                assert_eq!(j, &want, "{} via {} ({ivs:?})", r.mj, r.juki);
                n_juki += 1;
            }
            if let Some(k) = &koseki[i] {
                assert_eq!(k, &want, "{} via KOSEKI:{} ({ivs:?})", r.mj, r.koseki);
                n_koseki += 1;
            }
            match (ivs, want) {
                (IvsPolicy::Keep, Some(out)) => {
                    if !r.ivs.is_empty() {
                        assert_eq!(out, r.ivs, "{}: keep writes the Moji_Joho IVS", r.mj);
                    } else if !r.implemented.is_empty() {
                        assert_eq!(out, r.implemented, "{}: keep writes 実装したUCS", r.mj);
                    } else {
                        // One of the 17 with a same-shape sibling named in 備考.
                        assert!(!out.is_empty(), "{}", r.mj);
                    }
                }
                (IvsPolicy::Keep, None) => {
                    panic!("{}: keep must write every glyph but the withdrawn", r.mj)
                }
                (IvsPolicy::Never, Some(out)) => {
                    // A glyph without code points takes its same-shape sibling's form.
                    let sibling = (r.implemented.is_empty() && r.ivs.is_empty())
                        .then(|| {
                            let n: u32 = r.mj[2..].parse().ok()?;
                            ikou::mj::db().glyph(n)?.sibling.map(ikou::mj::mj_name)
                        })
                        .flatten();
                    let offered = [Some(&r.mj), sibling.as_ref()]
                        .into_iter()
                        .flatten()
                        .any(|m| cands.get(m).is_some_and(|c| c.contains(&out)));
                    assert!(
                        out == r.implemented || offered,
                        "{}: never wrote {out:?}, neither its own character nor an MJ縮退マップ candidate",
                        r.mj
                    );
                    assert_eq!(out.chars().count(), 1, "{}: one character", r.mj);
                }
                (IvsPolicy::Never, None) => unmapped += 1,
            }
        }
        eprintln!(
            "{ivs:?}: {} rows by MJ名, {n_juki} also by J+, {n_koseki} also by KOSEKI; {unmapped} without a JIS X 0213 form",
            rows.len() - 2
        );
        assert!(n_juki > 19_000 && n_koseki > 55_000);
    }
}

#[test]
fn a_table_naming_a_withdrawn_glyph_is_refused_with_its_line() {
    let src = TableSource {
        path: "w.tsv".into(),
        text: format!("U+E000\tMJ000001\nU+E001\t{}\n", NO_FORM[0]),
        sha256: String::new(),
    };
    let e = Mapper::new(&[src], Encoding::Cp932, MapOptions::default()).unwrap_err();
    assert!(e.to_string().contains("w.tsv:2"), "{e}");
}
