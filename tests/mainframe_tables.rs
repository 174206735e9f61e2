//! Every entry of every jef4j mapping table in `../shared/mainframe/` decoded by
//! ikou, inside the right shift codes, against the table, with the documented
//! policies (src/decode/mainframe_import.rs):
//! - `encode_only` rows are not decode rows (skipped);
//! - `unmappable` (and U+FFFD) rows decode to the internal code point U+F0000 + code;
//! - a row whose `hd` sequence is in the Moji_Joho collection decodes to the internal
//!   code point, and the encoding's built-in mappings name that MJ glyph;
//! - of two different decode rows of one code, a `cjk_ci` row yields to the other;
//!   any other disagreement decodes to the internal code point;
//! - the single-byte rows of `ERRATA` count at the code they are moved to.
//!
//! And the embedded tables are the importer's output, byte for byte.

mod common;

use ikou::decode::mainframe::builtin_mappings;
use ikou::decode::mainframe_import::{self, ERRATA, Row, Width};
use ikou::decode::{Encoding, decode};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

fn shared(rel: &str) -> PathBuf {
    common::root().join("..").join("shared").join(rel)
}

fn moji_joho() -> HashMap<(u32, u32), String> {
    mainframe_import::read_moji_joho(&shared("mj/ivd_moji_joho.tsv"))
        .unwrap()
        .0
}

fn rows(file: &str) -> Vec<Row> {
    mainframe_import::read_rows(&shared("mainframe"), file)
        .unwrap()
        .0
}

/// The JIPS(E) bytes of JIPS(J) bytes, from the source bijection.
fn jis8_to_ebcdic() -> HashMap<u8, u8> {
    let text = std::fs::read_to_string(shared("mainframe/nec_jis8_ebcdik_mapping.json")).unwrap();
    let v: Vec<HashMap<String, String>> = serde_json::from_str(&text).unwrap();
    v.iter()
        .map(|m| {
            (
                u8::from_str_radix(&m["jis8"], 16).unwrap(),
                u8::from_str_radix(&m["ebcdik"], 16).unwrap(),
            )
        })
        .collect()
}

/// The bytes of `code` as they stand in the data of `enc` (for JIPS(E), EBCDIC).
fn raw_code(enc: Encoding, code: u16, width: Width, j2e: &HashMap<u8, u8>) -> Vec<u8> {
    let b: Vec<u8> = match width {
        Width::Single => vec![code as u8],
        Width::Double => code.to_be_bytes().to_vec(),
    };
    if enc == Encoding::JipsE && width == Width::Double {
        b.iter().map(|x| j2e[x]).collect()
    } else {
        b
    }
}

/// `raw` inside the encoding's shift codes (double-byte) or alone (single-byte).
fn framed(enc: Encoding, raw: &[u8], width: Width) -> Vec<u8> {
    match width {
        Width::Single => raw.to_vec(),
        Width::Double => {
            let (i, o) = enc.shifts().unwrap();
            [i, raw, o].concat()
        }
    }
}

fn internal(raw: &[u8]) -> String {
    let code = raw.iter().fold(0u32, |a, &b| a << 8 | u32::from(b));
    char::from_u32(0xF0000 + code).unwrap().to_string()
}

fn hexcp(s: &str) -> u32 {
    u32::from_str_radix(s, 16).unwrap()
}

/// What a decode row says the code decodes to, by the documented policy:
/// Ok(text) or Err(MJ name) for an MJ glyph.
fn expected(row: &Row, mj: &HashMap<(u32, u32), String>) -> Result<Option<String>, String> {
    let u = hexcp(&row.unicode);
    if row.has("unmappable") || u == 0xFFFD {
        return Ok(None);
    }
    if let Some(hd) = &row.hd
        && let Some(name) = mj.get(&(u, hexcp(hd)))
    {
        return Err(name.clone());
    }
    let mut s = char::from_u32(u).unwrap().to_string();
    if let Some(sp) = &row.sp {
        s.push(char::from_u32(hexcp(sp)).unwrap());
    }
    Ok(Some(s))
}

fn check(file: &str, width: Width, encodings: &[Encoding]) -> usize {
    let mj = moji_joho();
    let j2e = jis8_to_ebcdic();
    // Decode rows per code, with the errata applied (first row of its code only).
    let mut by_code: BTreeMap<u16, Vec<Row>> = BTreeMap::new();
    for row in rows(file) {
        if row.has("encode_only") {
            continue;
        }
        let mut code = hexcp(&row.code) as u16;
        if !by_code.contains_key(&code)
            && let Some(e) = ERRATA
                .iter()
                .find(|e| e.0 == file && e.1 == code && e.2 == hexcp(&row.unicode))
        {
            code = e.3;
        }
        by_code.entry(code).or_default().push(row);
    }
    let mut checked = 0;
    for enc in encodings {
        let builtin: HashMap<char, &str> = builtin_mappings(*enc).iter().copied().collect();
        for (&code, list) in &by_code {
            let mut outcomes: Vec<(Result<Option<String>, String>, bool)> = Vec::new();
            for r in list {
                let e = expected(r, &mj);
                if !outcomes.iter().any(|(x, _)| *x == e) {
                    outcomes.push((e, r.has("cjk_ci")));
                }
            }
            if outcomes.len() > 1 && outcomes.iter().any(|o| !o.1) {
                outcomes.retain(|o| !o.1);
            }
            let raw = raw_code(*enc, code, width, &j2e);
            let mut got = String::new();
            let r = decode(*enc, &framed(*enc, &raw, width), &mut got);
            assert!(r.is_ok(), "{file} {enc} {code:04X}: refused: {r:?}");
            let want = match outcomes.as_slice() {
                [(Ok(Some(s)), _)] => s.clone(),
                [(Ok(None), _)] => internal(&raw),
                [(Err(name), _)] => {
                    let c = internal(&raw);
                    let first = c.chars().next().unwrap();
                    assert_eq!(
                        builtin.get(&first).copied(),
                        Some(name.as_str()),
                        "{file} {enc} {code:04X}: built-in mapping"
                    );
                    c
                }
                // Rows that disagree: a 外字 that needs a table line.
                _ => internal(&raw),
            };
            assert_eq!(got, want, "{file} {enc} {code:04X}");
            checked += 1;
        }
    }
    checked
}

#[test]
fn fujitsu_tables() {
    let n = check(
        "fujitsu_jef_mapping.json",
        Width::Double,
        &[Encoding::JefEbcdic, Encoding::JefEbcdik, Encoding::JefAscii],
    );
    assert!(n > 3 * 11_800, "{n}");
    check(
        "fujitsu_ebcdic_mapping.json",
        Width::Single,
        &[Encoding::JefEbcdic],
    );
    check(
        "fujitsu_ebcdik_mapping.json",
        Width::Single,
        &[Encoding::JefEbcdik],
    );
    check(
        "fujitsu_ascii_mapping.json",
        Width::Single,
        &[Encoding::JefAscii],
    );
}

#[test]
fn hitachi_tables() {
    check(
        "hitachi_keis83_mapping.json",
        Width::Double,
        &[Encoding::KeisEbcdic, Encoding::KeisEbcdik],
    );
    check(
        "hitachi_keis78_mapping.json",
        Width::Double,
        &[Encoding::Keis78Ebcdic, Encoding::Keis78Ebcdik],
    );
    check(
        "hitachi_ebcdic_mapping.json",
        Width::Single,
        &[Encoding::KeisEbcdic, Encoding::Keis78Ebcdic],
    );
    check(
        "hitachi_ebcdik_mapping.json",
        Width::Single,
        &[Encoding::KeisEbcdik, Encoding::Keis78Ebcdik],
    );
}

#[test]
fn nec_tables() {
    let n = check(
        "nec_jips_mapping.json",
        Width::Double,
        &[Encoding::JipsJ, Encoding::JipsE],
    );
    assert!(n > 2 * 7_000, "{n}");
    check("nec_ebcdik_mapping.json", Width::Single, &[Encoding::JipsE]);
    check("nec_jis8_mapping.json", Width::Single, &[Encoding::JipsJ]);
}

#[test]
fn embedded_tables_are_the_importer_output() {
    let fresh =
        mainframe_import::import(&shared("mainframe"), &shared("mj/ivd_moji_joho.tsv")).unwrap();
    assert_eq!(fresh.len(), 12);
    for (name, text) in fresh {
        let shipped = std::fs::read(common::root().join("mappings/mainframe").join(&name)).unwrap();
        assert!(
            shipped == text.as_bytes(),
            "mappings/mainframe/{name} differs from a fresh import; run \
             cargo run --release --bin ikou-mainframe-import -- ../shared/mainframe \
             ../shared/mj/ivd_moji_joho.tsv mappings/mainframe"
        );
    }
}

#[test]
fn the_importer_binary_writes_the_same_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ikou-mainframe-import"))
        .arg(shared("mainframe"))
        .arg(shared("mj/ivd_moji_joho.tsv"))
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for e in std::fs::read_dir(common::root().join("mappings/mainframe")).unwrap() {
        let e = e.unwrap();
        let a = std::fs::read(e.path()).unwrap();
        let b = std::fs::read(dir.path().join(e.file_name())).unwrap();
        assert!(a == b, "{:?}", e.file_name());
    }
}

/// A JEF-EBCDIK fixed-length file end to end: a code the table names as an MJ
/// glyph is written per `--ivs` and counted with its source code, the table
/// shows in the manifest, an `unmappable` code is an unmapped 外字, and a user
/// table line wins over the built-in mapping.
#[test]
fn jef_mj_glyphs_and_unmappable_codes_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("l.toml");
    std::fs::write(
        &layout,
        "name = \"jef\"\nformat = \"fixed\"\nrecord_length = 12\nnewline = false\n\n\
         [[fields]]\nname = \"氏名\"\noffset = 0\nlength = 12\n",
    )
    .unwrap();
    let input = dir.path().join("in.dat");
    // 愛 (0xB0A6, MJ011752 by its Hanyo-Denshi IVS) 亜; then 0x71F7 (unmappable).
    std::fs::write(
        &input,
        b"\x28\xB0\xA6\xB0\xA1\x29\x40\x40\x40\x40\x40\x40\
          \x28\x71\xF7\x29\x40\x40\x40\x40\x40\x40\x40\x40",
    )
    .unwrap();
    let run = |out: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "convert",
            "--layout",
            common::s(&layout),
            "--encoding",
            "jef-ebcdik",
            "--out",
            common::s(out),
        ];
        args.extend_from_slice(extra);
        args.push(common::s(&input));
        common::run(&args)
    };
    let out = dir.path().join("out");
    let (code, _, err) = run(&out, &[]);
    assert_eq!(code, 3, "{err}");
    let csv = std::fs::read_to_string(out.join("in.csv")).unwrap();
    assert_eq!(csv.lines().next(), Some("愛\u{E0101}亜"));
    let rej = std::fs::read_to_string(out.join("in.rejects.csv")).unwrap();
    assert!(
        rej.contains("unmapped-gaiji") && rej.contains("U+F71F7"),
        "{rej}"
    );
    let m = common::read_manifest(&out);
    let table = m["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "encoding")
        .unwrap();
    assert_eq!(table["path"], "embedded:mappings/mainframe/jef.tsv");
    use sha2::Digest;
    let shipped = std::fs::read(common::root().join("mappings/mainframe/jef.tsv")).unwrap();
    let sha: String = sha2::Sha256::digest(&shipped)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(table["sha256"], sha);
    let gaiji = m["gaiji"].as_array().unwrap();
    assert_eq!(gaiji.len(), 1, "only the glyphs met are listed: {gaiji:?}");
    assert_eq!(gaiji[0]["table_source"], "0xB0A6");
    assert_eq!(gaiji[0]["mj"], "MJ011752");
    assert_eq!(gaiji[0]["count"], 1);
    let (code, report, _) = common::run(&["verify", common::s(&out)]);
    assert_eq!(code, 0, "{report}");

    // --ivs never writes the glyph's JIS X 0213 form; a user table wins.
    let table = dir.path().join("g.tsv");
    std::fs::write(&table, "U+FB0A6\tMJ000001\nU+F71F7\tU+2460\n").unwrap();
    let out2 = dir.path().join("out2");
    let (code, _, err) = run(&out2, &["--ivs", "never", "--gaiji", common::s(&table)]);
    assert_eq!(code, 0, "{err}");
    let csv = std::fs::read_to_string(out2.join("in.csv")).unwrap();
    assert_eq!(csv.lines().collect::<Vec<_>>(), ["々亜", "①"]);
    let out3 = dir.path().join("out3");
    let (code, _, err) = run(&out3, &["--ivs", "never", "--unmapped", "geta"]);
    assert_eq!(code, 3, "a 〓 written is worth a look: {err}");
    let csv = std::fs::read_to_string(out3.join("in.csv")).unwrap();
    assert_eq!(csv.lines().collect::<Vec<_>>(), ["愛亜", "〓"]);
}
