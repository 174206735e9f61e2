//! 外字 through `ikou convert`: tables, --ivs, --unmapped, compatibility ideographs,
//! and `ikou mj`.

mod common;

use common::{read_manifest, run, s, testdata};
use std::fs;
use std::path::Path;

const GAIJI: &str = "testdata/gaiji/sample.tsv";

fn convert(out: &Path, extra: &[&str], input: &Path) -> (i32, String) {
    common::convert_sample_layout(out, extra, &[input])
}

fn output(dir: &Path) -> String {
    fs::read_to_string(dir.join("juki_kojin.csv")).unwrap()
}

/// Encodes `text` with Python's shift_jis_2004 codec; returns the characters it cannot encode.
fn not_in_shift_jis_2004(text: &str) -> Vec<char> {
    let script = "import sys\nbad=set()\nfor c in sys.stdin.read():\n    try: c.encode('shift_jis_2004')\n    except UnicodeEncodeError: bad.add(c)\nprint(''.join(sorted(bad)))";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .chars()
        .collect()
}

#[test]
fn ivs_never_writes_jis_x_0213_and_names_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = convert(
        dir.path(),
        &["--gaiji", GAIJI, "--ivs", "never"],
        &testdata("juki_kojin.csv"),
    );
    assert_eq!(code, 3, "{err}");
    let text = output(dir.path());
    assert!(text.contains("吉田　一郎"), "𠮷 degenerates to 吉");
    assert!(text.contains("葛城　次郎"), "葛󠄂 degenerates to 葛");
    assert!(!text.contains('\u{E0102}') && !text.contains('\u{20BB7}'));
    // Line breaks and the ㉑ of the explicit U+ target aside, everything is Shift_JIS-2004.
    let bad: Vec<char> = not_in_shift_jis_2004(&text.replace(['\r', '\n'], ""));
    assert!(bad.is_empty(), "not encodable in Shift_JIS-2004: {bad:?}");
    let m = read_manifest(dir.path());
    let e = m["gaiji"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["source"] == "U+E000")
        .unwrap()
        .clone();
    assert_eq!(e["written"], "吉");
    assert_eq!(e["degenerate_table"], "JIS包摂規準UCS統合規則");
    assert_eq!(m["options"]["extra"]["ivs"], "never");
}

#[test]
fn unmapped_geta_writes_the_geta_mark_and_counts_it() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = convert(
        dir.path(),
        &["--gaiji", GAIJI, "--unmapped", "geta"],
        &testdata("juki_kojin.csv"),
    );
    assert_eq!(code, 3, "unmapped 外字 make exit 3: {err}");
    assert!(output(dir.path()).contains("中村　〓男"));
    let m = read_manifest(dir.path());
    assert_eq!(m["unmapped"][0]["source"], "U+E002");
    assert_eq!(m["unmapped"][0]["count"], 1);
    assert_eq!(m["unmapped"][0]["first_record"], 8);
    assert_eq!(m["unmapped"][0]["action"], "geta");
    assert_eq!(m["counts"]["rejected"], 7, "record 8 is written");
}

#[test]
fn unmapped_fail_stops_before_anything_is_published() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, err) = convert(
        &out,
        &["--gaiji", GAIJI, "--unmapped", "fail"],
        &testdata("juki_kojin.csv"),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("juki_kojin.csv") && err.contains("record 8") && err.contains("U+E002"),
        "{err}"
    );
    let left: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        left.is_empty(),
        "nothing published, no temporary left: {left:?}"
    );
}

#[test]
fn tables_are_checked_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.tsv");
    let b = dir.path().join("b.tsv");
    fs::write(&a, "U+E000\tJ+AEAC\n").unwrap();
    fs::write(&b, "# later table\nU+E000\tMJ000001\n").unwrap();
    let out = dir.path().join("out");
    let (code, err) = convert(
        &out,
        &["--gaiji", s(&a), "--gaiji", s(&b)],
        &testdata("juki_kojin.csv"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("b.tsv:2") && err.contains("a.tsv:1") && err.contains("conflict"),
        "{err}"
    );
    assert!(!out.exists(), "nothing was written");

    fs::write(&b, "# later table\n!U+E000\tMJ000001\n").unwrap();
    let (code, err) = convert(
        &out,
        &["--gaiji", s(&a), "--gaiji", s(&b)],
        &testdata("juki_kojin.csv"),
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        output(&out).contains("々田　一郎"),
        "the later table replaces, as its line says"
    );

    fs::write(&b, "U+E000\tMJ999999\nU+E001\tJ+0000\n").unwrap();
    let (code, err) = convert(&out, &["--gaiji", s(&b)], &testdata("juki_kojin.csv"));
    assert_eq!(code, 2);
    assert!(
        err.contains("b.tsv:1") && err.contains("MJ999999") && err.contains("b.tsv:2"),
        "{err}"
    );

    let (code, err) = convert(
        &out,
        &["--gaiji", "no/such.tsv"],
        &testdata("juki_kojin.csv"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("no/such.tsv"), "{err}");
}

#[test]
fn compatibility_ideographs_keep_their_glyph_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("compat.csv");
    // U+FA10 (塚, compatibility ideograph): NFC would make it U+585A and lose the glyph.
    fs::write(
        &input,
        "000000000000001,\u{FA10}本　一郎,ツカモト　イチロウ,19800101,1,見本,\r\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, err) = convert(&out, &["--encoding", "utf-8"], &input);
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(out.join("compat.csv")).unwrap();
    let name = text.split(',').nth(1).unwrap();
    // MJ030194 (対応する互換漢字 U+FA10) has the Moji_Joho IVS U+585A U+E0105.
    assert!(name.starts_with("\u{585A}\u{E0105}本"), "{name:?}");
    let m = read_manifest(&out);
    assert_eq!(m["compat"][0]["source"], "U+FA10");
    assert_eq!(m["compat"][0]["mj"], "MJ030194");
    assert_eq!(m["compat"][0]["output"], "U+585A U+E0105");
    assert_eq!(m["compat"][0]["count"], 1);
}

#[test]
fn variants_option_writes_the_cp932_forms() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _) = convert(
        dir.path(),
        &["--gaiji", GAIJI, "--variants", "cp932"],
        &testdata("juki_kojin.csv"),
    );
    assert_eq!(code, 3);
    assert!(output(dir.path()).contains("1\u{FF5E}3"));
    let m = read_manifest(dir.path());
    assert_eq!(
        m["variants"].as_array().unwrap().len(),
        0,
        "the source already had the CP932 form"
    );
}

#[test]
fn mj_lookup_prints_every_code_and_says_when_nothing_matches() {
    for q in [
        "J+AEAC",
        "MJ032129",
        "038140",
        "KOSEKI:038140",
        "𠮷",
        "U+20BB7",
    ] {
        let (code, out, err) = run(&["mj", q]);
        assert_eq!(code, 0, "{q}: {err}");
        assert!(
            out.contains("MJ032129") && out.contains("J+AEAC") && out.contains("038140"),
            "{q}: {out}"
        );
        assert!(out.contains("--ivs never"), "{out}");
    }
    let (code, _, err) = run(&["mj", "MJ999999"]);
    assert_eq!(code, 1);
    assert!(!err.is_empty());
}

#[test]
fn a_glyph_without_a_jis_form_under_ivs_never_follows_unmapped_and_says_why() {
    let db = ikou::mj::db();
    let mj = db
        .glyphs()
        .find(|g| {
            matches!(
                db.written(g.mj, ikou::mj::IvsPolicy::Never),
                Err(ikou::mj::Unwritable::NoCandidate { .. })
            )
        })
        .expect("such glyphs exist")
        .mj;
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t.tsv");
    fs::write(&table, format!("U+E002\tMJ{mj:06}\n")).unwrap();
    let out = dir.path().join("out");
    let (code, err) = convert(
        &out,
        &["--gaiji", GAIJI, "--gaiji", s(&table), "--ivs", "never"],
        &testdata("juki_kojin.csv"),
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("t.tsv:1") && err.contains("--unmapped"),
        "a warning names the line: {err}"
    );
    let rej = fs::read_to_string(out.join("juki_kojin.rejects.csv")).unwrap();
    let line = rej.lines().find(|l| l.starts_with("8,")).unwrap();
    assert!(
        line.contains(&format!("MJ{mj:06}")) && line.contains("縮退できません"),
        "{line}"
    );
    let m = read_manifest(&out);
    assert_eq!(m["unmapped"][0]["mj"], format!("MJ{mj:06}"));
    assert!(
        m["unmapped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("--ivs never")
    );
}
