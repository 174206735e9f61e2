//! Fidelity of the character engine (issue 12, items 5–9): code point targets that
//! are MJ glyphs, the same-shape sibling under `--ivs never`, `--nfc-safe` and the
//! counted compatibility ideographs, `--variants` per encoding, and the sequences
//! JIS X 0213 encodes as one character.

mod common;

use common::{read_manifest, run, s};
use ikou::decode::Encoding;
use ikou::gaiji::{Kind, MapEvents, MapOptions, Mapper, TableSource};
use ikou::mj::{self, IvsPolicy, compat};
use ikou::profile::charset::{JisSet, class};
use serde_json::Value;
use std::fs;
use std::path::Path;

/// id (key), 氏名 (text, 4 characters), カナ (kana, 4 characters).
const LAYOUT: &str = r#"name = "fidelity"
format = "csv"
header = false

[[fields]]
name = "id"
type = "digits"
key = true

[[fields]]
name = "氏名"
type = "text"
length = 4

[[fields]]
name = "カナ"
type = "kana"
length = 4
"#;

/// Converts `input` (bytes) with the layout above; returns (exit code, stderr, output
/// text, manifest).
fn convert(
    dir: &Path,
    table: Option<&str>,
    input: &[u8],
    extra: &[&str],
) -> (i32, String, String, Value) {
    let layout = dir.join("layout.toml");
    fs::write(&layout, LAYOUT).unwrap();
    let data = dir.join("in.csv");
    fs::write(&data, input).unwrap();
    let out = dir.join("out");
    let mut args = vec!["convert", "--layout", s(&layout), "--out", s(&out)];
    let tsv = dir.join("gaiji.tsv");
    if let Some(t) = table {
        fs::write(&tsv, t).unwrap();
        args.extend(["--gaiji", s(&tsv)]);
    }
    args.extend_from_slice(extra);
    args.push(s(&data));
    let (code, _, err) = run(&args);
    let text = fs::read_to_string(out.join("in.csv"))
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let manifest = if out.join("manifest.json").exists() {
        read_manifest(&out)
    } else {
        Value::Null
    };
    (code, err, text, manifest)
}

fn mapper(table: &str, opts: MapOptions) -> Mapper {
    let src = TableSource {
        path: "t.tsv".into(),
        text: table.into(),
        sha256: String::new(),
    };
    Mapper::new(&[src], Encoding::Utf8, opts).unwrap_or_else(|e| panic!("{e}"))
}

fn map(m: &Mapper, v: &str) -> String {
    let mut out = String::new();
    let mut ev = MapEvents::default();
    if m.needs_work(v) {
        let _ = m.map(v, &mut out, &mut ev);
    } else {
        out.push_str(v);
    }
    out
}

fn never() -> MapOptions {
    MapOptions {
        ivs: Some(IvsPolicy::Never),
        ..MapOptions::default()
    }
}

fn u(s: &str) -> String {
    s.chars()
        .map(|c| format!("U+{:04X}", c as u32))
        .collect::<Vec<_>>()
        .join(" ")
}

// ---- item 5: U+ targets ------------------------------------------------------------

#[test]
fn an_ivs_that_is_no_mj_glyph_fails_strict() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.tsv");
    // U+E0102 is MJ022335's Moji_Joho IVS; U+E0109 is none (U+E0100 is Adobe-Japan1's).
    fs::write(
        &t,
        "U+E000\tU+845B U+E0109\nU+E001\tU+845B U+E0102\nU+E002\tU+845B U+E0100\n",
    )
    .unwrap();
    let (code, out, _) = run(&["mappings", "check", "--strict", s(&t)]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(":1: warning:") && out.contains("[not-mj-ivs]"),
        "{out}"
    );
    assert!(!out.contains(":2:"), "葛 U+E0102 is MJ's: {out}");
    assert!(out.contains(":3: warning:"), "{out}");
    let (code, _, _) = run(&["mappings", "check", s(&t)]);
    assert_eq!(code, 0, "a warning: the table can be used");
    // Under --ivs never its base is written (葛 is a JIS X 0213 character); the
    // MJ IVS degenerates as its glyph does.
    let m = mapper(
        "U+E000\tU+845B U+E0109\nU+E001\tU+845B U+E0102\nU+E002\tU+20BB7 U+E0109\n",
        never(),
    );
    assert_eq!(map(&m, "\u{E000}\u{E001}"), "葛葛");
    assert!(m.table_mapping('\u{E002}').unwrap().unwritable.is_some());
    assert!(
        m.warnings()
            .iter()
            .any(|w| w.code == "not-mj-ivs" && w.line == 1)
    );
}

#[test]
fn controls_noncharacters_and_long_targets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.tsv");
    fs::write(
        &t,
        "U+E000\tU+0000\nU+E001\tU+0041 U+001F\nU+E002\tU+FFFF\nU+E003\tU+2460 U+2461 U+2462 U+2463 U+2464\nU+E004\tU+2460\n",
    )
    .unwrap();
    let (code, out, _) = run(&["mappings", "check", s(&t)]);
    assert_eq!(code, 1, "{out}");
    for line in 1..=4 {
        assert!(
            out.contains(&format!(":{line}: error:")),
            "line {line}: {out}"
        );
    }
    assert!(!out.contains(":5:"), "{out}");
    assert!(out.contains("more than one character"), "{out}");
}

#[test]
fn a_code_point_target_that_is_an_mj_glyph_is_that_glyph() {
    let db = mj::db();
    let glyph = db.glyph_of_form("\u{FA11}").unwrap();
    let keep = db.written(glyph, IvsPolicy::Keep).unwrap().text;
    assert_eq!(keep.chars().count(), 2, "﨑 has a Moji_Joho IVS");
    let dir = tempfile::tempdir().unwrap();
    // Input U+FA11 and a 外字 mapped to U+FA11 give the same thing.
    let (code, err, text, m) = convert(
        dir.path(),
        Some("U+E000\tU+FA11\n"),
        "1,\u{E000},\n2,\u{FA11},\n".as_bytes(),
        &["--encoding", "utf-8"],
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("1,{keep},"));
    assert_eq!(m["gaiji"][0]["mj"], mj::mj_name(glyph).as_str());
    assert_eq!(m["gaiji"][0]["output"], u(&keep).as_str());
}

/// The "1,767 of 2,000 sampled targets gave non-JIS output" case: the written form of
/// 2,000 glyphs given as U+ targets, under --ivs never, is each glyph's JIS X 0213
/// form or unmapped, never the code points as given.
#[test]
fn under_ivs_never_a_glyph_form_target_degenerates() {
    let db = mj::db();
    let glyphs: Vec<_> = db
        .glyphs()
        .step_by(29)
        .filter_map(|g| {
            let w = db.written(g.mj, IvsPolicy::Keep).ok()?;
            // A glyph written as its sibling's form names the sibling.
            w.sibling.is_none().then_some((g.mj, w.text))
        })
        .take(2000)
        .collect();
    assert_eq!(glyphs.len(), 2000);
    let table: String = glyphs
        .iter()
        .enumerate()
        .map(|(i, (_, t))| format!("U+{:X}\t{}\n", 0xF0000 + i, u(t)))
        .collect();
    let m = mapper(&table, never());
    let (mut jis, mut unmapped, mut raw) = (0, 0, 0);
    for (i, (n, t)) in glyphs.iter().enumerate() {
        let src = char::from_u32(0xF0000 + i as u32).unwrap();
        let mapping = m.table_mapping(src).unwrap();
        assert_eq!(mapping.mj, Some(*n), "U+ target {}", u(t));
        match db.written(*n, IvsPolicy::Never) {
            Ok(w) => {
                assert_eq!(mapping.output, w.text, "MJ{n:06}");
                let c = w.text.chars().next().unwrap();
                assert_ne!(class(c), JisSet::Outside, "MJ{n:06}");
                jis += 1;
            }
            Err(_) => {
                assert!(mapping.unwritable.is_some(), "MJ{n:06}");
                unmapped += 1;
            }
        }
        if map(&m, &src.to_string()) == *t && class(t.chars().next().unwrap()) == JisSet::Outside {
            raw += 1;
        }
    }
    println!(
        "2,000 U+ targets under --ivs never: {jis} JIS X 0213, {unmapped} unmapped, {raw} non-JIS as given"
    );
    assert_eq!(raw, 0);
}

// ---- item 6: the 備考 sibling under --ivs never ---------------------------------------

#[test]
fn a_glyph_without_code_points_takes_its_siblings_jis_form() {
    let db = mj::db();
    let w = db.written(40579, IvsPolicy::Never).unwrap();
    assert_eq!((w.text.as_str(), w.sibling), ("犂", Some(40580)));
    let dir = tempfile::tempdir().unwrap();
    let (code, err, text, m) = convert(
        dir.path(),
        Some("U+E000\tMJ040579\n"),
        "1,\u{E000},\n".as_bytes(),
        &["--encoding", "utf-8", "--ivs", "never"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(text, "1,犂,\n");
    assert_eq!(m["gaiji"][0]["sibling"], "MJ040580");
    // The README's figure: glyphs with no JIS X 0213 form under --ivs never.
    let refused = db
        .glyphs()
        .filter(|g| db.written(g.mj, IvsPolicy::Never).is_err())
        .count();
    println!(
        "--ivs never: {refused} of {} glyphs have no JIS X 0213 form",
        db.len()
    );
    assert_eq!(refused, 23_010);
}

// ---- item 7: --nfc-safe and the counted compatibility ideographs --------------------

#[test]
fn the_compatibility_ideograph_figures_of_the_readme() {
    let db = mj::db();
    // Glyphs that --ivs never writes as a compatibility ideograph NFC rewrites.
    let degenerate = db
        .glyphs()
        .filter(|g| {
            db.written(g.mj, IvsPolicy::Never)
                .is_ok_and(|w| w.text.chars().any(compat::is_compat_ideograph))
        })
        .count();
    assert_eq!(degenerate, 241);
    // Compatibility ideographs of the input that --ivs never writes as they are
    // (their glyph's JIS X 0213 form is the character itself).
    let m = mapper("", never());
    let kept = m
        .mappings()
        .iter()
        .filter(|x| x.kind == Kind::Compat && x.mj.is_some() && x.output == x.source.to_string())
        .count();
    assert_eq!(kept, 75);
    // Compatibility ideographs that are no MJ row: counted with mj null.
    let no_mj = m
        .mappings()
        .iter()
        .filter(|x| x.kind == Kind::Compat && x.mj.is_none())
        .count();
    assert_eq!(no_mj, 913);
    assert_eq!(compat::compat_ideographs().count(), 1002);
    println!(
        "{degenerate} glyphs degenerate to a compatibility ideograph; {kept} in input stay; {no_mj} are no MJ row"
    );
    // With --nfc-safe nothing the map stage writes is one.
    let safe = mapper(
        "",
        MapOptions {
            nfc_safe: true,
            ..never()
        },
    );
    assert!(
        safe.mappings()
            .iter()
            .all(|x| !x.output.chars().any(compat::is_compat_ideograph))
    );
}

#[test]
fn nfc_safe_writes_standardized_variation_sequences_and_counts_them() {
    // MJ000502 degenerates to U+FA4A; U+FA4A in the input stays under --ivs never;
    // U+F900 is no MJ row (nor in JIS X 0213: --charset any lets it through, so
    // that only the compatibility counting is tested here).
    let input = "1,\u{E000}\u{FA4A},\n2,\u{F900},\n".as_bytes();
    let dir = tempfile::tempdir().unwrap();
    let (code, err, text, m) = convert(
        dir.path(),
        Some("U+E000\tMJ000502\n"),
        input,
        &["--encoding", "utf-8", "--ivs", "never", "--charset", "any"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        text, "1,\u{FA4A}\u{FA4A},\n2,\u{F900},\n",
        "JIS X 0213-exact"
    );
    let compat_entries = m["compat"].as_array().unwrap();
    let f900 = compat_entries
        .iter()
        .find(|e| e["source"] == "U+F900")
        .unwrap();
    assert_eq!(
        (f900["mj"].is_null(), &f900["count"]),
        (true, &Value::from(1))
    );
    assert!(compat_entries.iter().any(|e| e["source"] == "U+FA4A"));
    let report = fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(
        report.contains("互換漢字を 3 文字含む"),
        "the report says the output is not NFC-stable"
    );

    let dir = tempfile::tempdir().unwrap();
    let (code, err, text, m) = convert(
        dir.path(),
        Some("U+E000\tMJ000502\n"),
        input,
        &[
            "--encoding",
            "utf-8",
            "--ivs",
            "never",
            "--nfc-safe",
            "--charset",
            "any",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        text,
        "1,\u{7422}\u{FE00}\u{7422}\u{FE00},\n2,\u{8C48}\u{FE00},\n"
    );
    assert_eq!(m["options"]["extra"]["nfc_safe"], "true");
    assert_eq!(m["gaiji"][0]["svs"], 1);
    let svs: u64 = m["compat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["svs"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(svs, 2);
    let report = fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(report.contains("id=\"nfc-safe\""), "the report counts them");
}

// ---- item 8: --variants per encoding ------------------------------------------------

#[test]
fn unicode_input_keeps_the_jis_x0213_characters_cp932_forms_would_merge() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err, text, m) = convert(
        dir.path(),
        None,
        "1,～∥－―,\n".as_bytes(),
        &["--encoding", "utf-8"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(text, "1,～∥－—,\n");
    assert_eq!(m["options"]["extra"]["variants"], "distinct");
    let v = m["variants"].as_array().unwrap();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0]["source"], "U+2015");
    // Asked for, all seven are merged.
    let dir = tempfile::tempdir().unwrap();
    let (_, _, text, _) = convert(
        dir.path(),
        None,
        "1,～∥－―,\n".as_bytes(),
        &["--encoding", "utf-8", "--variants", "jis"],
    );
    assert_eq!(text, "1,〜‖−—,\n");
    // CP932 input: U+FF5E can only be the wave dash.
    let dir = tempfile::tempdir().unwrap();
    let (_, _, text, m) = convert(dir.path(), None, b"1,\x81\x60,\n", &[]);
    assert_eq!(text, "1,〜,\n");
    assert_eq!(m["options"]["extra"]["variants"], "jis");
}

#[test]
fn euc_jp_changes_are_counted_against_standard_euc_jp() {
    // 0xA1C1 is 〜 U+301C in EUC-JP: nothing to change, nothing counted.
    let dir = tempfile::tempdir().unwrap();
    let (code, err, text, m) = convert(
        dir.path(),
        None,
        b"1,\xA1\xC1\xA1\xDD,\n",
        &["--encoding", "euc-jp"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(text, "1,〜−,\n");
    assert_eq!(
        m["variants"].as_array().unwrap().len(),
        0,
        "{}",
        m["variants"]
    );
    // --variants cp932 changes them, and says so.
    let dir = tempfile::tempdir().unwrap();
    let (_, _, text, m) = convert(
        dir.path(),
        None,
        b"1,\xA1\xC1\xA1\xDD,\n",
        &["--encoding", "euc-jp", "--variants", "cp932"],
    );
    assert_eq!(text, "1,～－,\n");
    let sources: Vec<&str> = m["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["U+301C", "U+2212"]);
}

// ---- item 9: sequences JIS X 0213 encodes as one character ---------------------------

#[test]
fn a_jis_x0213_sequence_is_one_character_and_valid_kana() {
    let dir = tempfile::tempdir().unwrap();
    // 4 characters each: か゚き゚く゚け゚ in a 4-character text item, カ゚キ゚ト゚ㇷ゚ in kana.
    let input =
        "1,か\u{309A}き\u{309A}く\u{309A}け\u{309A},カ\u{309A}キ\u{309A}ト\u{309A}ㇷ\u{309A}\n";
    let (code, err, text, m) =
        convert(dir.path(), None, input.as_bytes(), &["--encoding", "utf-8"]);
    assert_eq!(code, 0, "{err} {}", m["reject_reasons"]);
    assert_eq!(text, input);
    // Five are too many.
    let dir = tempfile::tempdir().unwrap();
    let (code, _, _, m) = convert(
        dir.path(),
        None,
        "1,か\u{309A}き\u{309A}く\u{309A}け\u{309A}こ\u{309A},\n".as_bytes(),
        &["--encoding", "utf-8"],
    );
    assert_eq!(code, 3);
    assert_eq!(m["reject_reasons"][0]["code"], "too-long");
}

/// The 25 sequences are those Python's euc_jis_2004 codec decodes one code to.
#[test]
fn the_sequences_are_those_of_jis_x0213() {
    let script = "seqs=[]\nfor a in range(0xA1,0xFF):\n  for b in range(0xA1,0xFF):\n    try: t=bytes([a,b]).decode('euc_jis_2004')\n    except Exception: continue\n    if len(t)==2: print('%X %X' % (ord(t[0]), ord(t[1])))\n";
    let Ok(out) = std::process::Command::new("python3")
        .args(["-c", script])
        .output()
    else {
        println!("SKIPPED: python3 is not installed");
        return;
    };
    let got: Vec<(char, char)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let mut it = l
                .split(' ')
                .map(|h| char::from_u32(u32::from_str_radix(h, 16).unwrap()).unwrap());
            (it.next().unwrap(), it.next().unwrap())
        })
        .collect();
    assert_eq!(got, ikou::validate::JIS_X0213_SEQUENCES);
}

/// `profile --nfc-safe` shows what `convert --nfc-safe` writes for a compatibility
/// ideograph: its standardized variation sequence, not the ideograph itself.
#[test]
fn profile_shows_what_nfc_safe_writes() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("l.toml");
    fs::write(
        &layout,
        "name = \"l\"\nformat = \"csv\"\n[[fields]]\nname = \"番号\"\ntype = \"digits\"\n\
         [[fields]]\nname = \"氏名\"\n",
    )
    .unwrap();
    let input = dir.path().join("in.csv");
    fs::write(&input, "1,\u{FA4A}\n").unwrap();
    let converted = |extra: &[&str]| -> String {
        let mut args = vec!["profile", "--json", "--layout", s(&layout)];
        args.extend(["--encoding", "utf-8", "--ivs", "never"]);
        args.extend_from_slice(extra);
        args.push(s(&input));
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        v["non_jis"][0]["converted"].to_string()
    };
    assert_eq!(
        converted(&[]),
        "null",
        "without it, U+FA4A is written as it is"
    );
    assert_eq!(converted(&["--nfc-safe"]), "\"U+7422 U+FE00\"");
}
