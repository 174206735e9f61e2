//! Each command says what to run next, and prints a summary as text, quietly (-q),
//! or as JSON (--json) without failing on a closed pipe.

mod common;

use common::{run, s, testdata};
use std::path::Path;
use std::process::Stdio;

const LAYOUT: &str = "testdata/layouts/juki-kojin.toml";

fn sample() -> String {
    s(&testdata("juki_kojin.csv")).to_string()
}

fn layout() -> String {
    s(&common::root().join(LAYOUT)).to_string()
}

fn convert(out: &Path, extra: &[&str], inputs: &[&str]) -> (i32, String, String) {
    let (l, o) = (layout(), s(out).to_string());
    let mut args = vec!["convert", "--layout", &l, "--out", &o];
    args.extend_from_slice(extra);
    args.extend_from_slice(inputs);
    run(&args)
}

#[test]
fn convert_lists_rejects_by_reason_and_points_to_profile_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let input = sample();
    let (code, _, err) = convert(&out, &[], &[&input]);
    assert_eq!(code, 3, "{err}");
    // Per reason code (and item), with the Japanese label apart.
    assert!(
        err.lines()
            .any(|l| l.contains("unmapped-gaiji 「外字対応表にない外字」, item: 氏名")),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l.contains(" 1  item-count 「項目数の誤り」")),
        "{err}"
    );
    // The work list command for this run's settings, not manifest.json.
    let want = format!(
        "ikou profile --layout {} --encoding cp932 --worklist worklist.tsv {input}",
        layout()
    );
    assert!(err.contains(&want), "{err}");
    assert!(!err.contains("manifest.json"), "{err}");
    assert!(err.contains(&format!("ikou verify {}", s(&out))), "{err}");
}

#[test]
fn the_suggested_profile_command_keeps_the_tables_and_map_flags() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let gaiji = testdata("gaiji/sample.tsv");
    let (_, _, err) = convert(
        &out,
        &[
            "--gaiji",
            s(&gaiji),
            "--ivs",
            "never",
            "--encoding",
            "CP932",
        ],
        &[&sample()],
    );
    assert!(
        err.contains(&format!(
            "--encoding cp932 --gaiji {} --ivs never --worklist worklist.tsv",
            s(&gaiji)
        )),
        "{err}"
    );
}

#[test]
fn every_record_with_the_wrong_item_count_asks_about_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("other.csv");
    std::fs::write(&input, "a,b,c\r\nd,e,f\r\ng,h,i\r\n").unwrap();
    let (code, _, err) = convert(&dir.path().join("out"), &[], &[s(&input)]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(
            "3 of 3 records have the wrong number of items: 7 expected, 3 found — is --layout"
        ),
        "{err}"
    );
    // Several counts, across chunks of one record each: the range.
    std::fs::write(&input, "a,b,c\r\nd,e\r\ng,h,i,j\r\n").unwrap();
    let (code, _, err) = convert(
        &dir.path().join("out2"),
        &["--chunk-bytes", "1", "--jobs", "2"],
        &[s(&input)],
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("7 expected, 2 to 4 found"), "{err}");
    assert!(err.contains("the right layout?"), "{err}");
}

#[test]
fn every_record_undecodable_asks_about_the_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bytes.csv");
    std::fs::write(&input, b"\xFF\xFE,1\r\n\xFF\xFF,2\r\n").unwrap();
    let (code, _, err) = convert(
        &dir.path().join("out"),
        &["--encoding", "utf-8", "--skip-encoding-check"],
        &[s(&input)],
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("2 of 2 records hold bytes that are not utf-8 — is --encoding right?"),
        "{err}"
    );
}

#[test]
fn every_record_of_the_wrong_length_asks_about_record_length() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = common::root().join("testdata/layouts/juki-kojin-fixed.toml");
    let out = dir.path().join("out");
    let (code, _, err) = run(&[
        "convert",
        "--layout",
        s(&fixed),
        "--out",
        s(&out),
        &sample(),
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("records have the wrong length (the layout has record_length = 160) — is record_length right?"),
        "{err}"
    );
}

#[test]
fn a_mixed_run_has_no_all_same_hint() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, err) = convert(&dir.path().join("out"), &[], &[&sample()]);
    assert!(!err.contains(" of 17 records"), "{err}");
}

#[test]
fn convert_json_prints_one_summary_object() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, stdout, err) = convert(&out, &["--json"], &[&sample()]);
    assert_eq!(code, 3, "{err}");
    // The text summary is replaced, not doubled.
    assert!(!err.contains("records read"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["exit_status"], 3);
    assert!(v["meaning"].as_str().unwrap().contains("rejected"));
    assert_eq!(v["counts"]["read"], 17);
    assert_eq!(v["counts"]["written"], 5);
    assert_eq!(v["counts"]["rejected"], 12);
    assert_eq!(v["files"][0]["rejected"], 12);
    assert!(
        v["files"][0]["output"]
            .as_str()
            .unwrap()
            .ends_with("juki_kojin.csv")
    );
    let reasons = v["rejects_by_reason"].as_array().unwrap();
    let gaiji = reasons
        .iter()
        .find(|r| r["code"] == "unmapped-gaiji")
        .unwrap();
    assert_eq!(gaiji["label"], "外字対応表にない外字");
    assert_eq!(gaiji["item"], "氏名");
    let total: u64 = reasons.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 12);
    assert_eq!(v["unmapped"]["distinct"], 5);
    assert_eq!(v["unmapped"]["count"], 6);
    assert_eq!(v["report"], s(&out.join("report.html")));
    assert_eq!(v["manifest"], s(&out.join("manifest.json")));
}

#[test]
fn quiet_and_json_together_are_refused_as_for_mj() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = convert(&out, &["-q", "--json"], &[&sample()]);
    assert_eq!(code, 2, "{err}");
    assert!(!out.exists());
    let (code, _, _) = run(&["verify", "-q", "--json", s(dir.path())]);
    assert_eq!(code, 2);
    let l = layout();
    let (code, _, _) = run(&["profile", "-q", "--json", "--layout", &l, &sample()]);
    assert_eq!(code, 2);
}

#[test]
fn verify_quiet_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    convert(&out, &["-q"], &[&sample()]);
    let (code, stdout, _) = run(&["verify", "-q", s(&out)]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    let (code, stdout, _) = run(&["verify", "--json", s(&out)]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["files_checked"], 3);
    assert_eq!(v["problems"], serde_json::json!([]));

    std::fs::write(out.join("juki_kojin.csv"), "changed\r\n").unwrap();
    let (code, stdout, _) = run(&["verify", "-q", s(&out)]);
    assert_eq!(code, 1);
    assert!(stdout.lines().all(|l| l.starts_with("FAIL: ")), "{stdout}");
    assert!(stdout.contains("juki_kojin.csv"), "{stdout}");
    let (code, stdout, _) = run(&["verify", "--json", s(&out)]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(!v["problems"].as_array().unwrap().is_empty());

    // No manifest: one problem, still JSON.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (code, stdout, _) = run(&["verify", "--json", s(&empty)]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (v["ok"].clone(), v["files_checked"].clone()),
        (false.into(), 0.into())
    );
    assert_eq!(v["problems"].as_array().unwrap().len(), 1);
}

#[test]
fn profile_points_to_the_work_list_then_to_convert() {
    let dir = tempfile::tempdir().unwrap();
    let l = layout();
    let input = sample();
    let (code, stdout, err) = run(&["profile", "--layout", &l, &input]);
    assert_eq!(code, 3);
    assert!(!stdout.is_empty());
    assert!(
        err.contains(&format!(
            "5 unmapped 外字; write a work list of them: ikou profile --layout {l} --encoding cp932 --worklist worklist.tsv {input}"
        )),
        "{err}"
    );
    let wl = dir.path().join("work list.tsv");
    let (_, _, err) = run(&["profile", "--layout", &l, "--worklist", s(&wl), &input]);
    assert!(
        err.contains(&format!(
            "then convert with it: ikou convert --layout {l} --encoding cp932 --gaiji '{}' --out DIR {input}",
            s(&wl)
        )),
        "{err}"
    );
    // -q: nothing but the exit status (and errors); the work list is still written.
    let wl2 = dir.path().join("w2.tsv");
    let (code, stdout, err) = run(&[
        "profile",
        "-q",
        "--layout",
        &l,
        "--worklist",
        s(&wl2),
        &input,
    ]);
    assert_eq!((code, stdout.as_str(), err.as_str()), (3, "", ""));
    assert!(wl2.exists());
}

#[test]
fn summaries_to_a_closed_pipe_are_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    convert(&out, &["-q"], &[&sample()]);
    let (l, input) = (layout(), sample());
    let out2 = dir.path().join("out2");
    let cases: [(&[&str], i32); 5] = [
        (&["verify", s(&out)], 0),
        (&["verify", "--json", s(&out)], 0),
        (&["profile", "--layout", &l, &input], 3),
        (&["profile", "--json", "--layout", &l, &input], 3),
        (
            &[
                "convert",
                "--json",
                "--layout",
                &l,
                "--out",
                s(&out2),
                &input,
            ],
            3,
        ),
    ];
    for (args, want) in cases {
        let mut child = common::ikou()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(o.status.code(), Some(want), "{args:?}: {err}");
    }
}

#[test]
fn layout_import_points_to_layouts_and_is_quiet_with_q() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = testdata("sheets/kojin-items.csv");
    let out = dir.path().join("k.toml");
    let (code, _, err) = run(&["layout", "import", s(&sheet), "--out", s(&out)]);
    assert!(code == 0 || code == 3, "{err}");
    assert!(
        err.contains(&format!("next: check it with: ikou layouts {}", s(&out))),
        "{err}"
    );
    let out2 = dir.path().join("k2.toml");
    let (code2, stdout, err) = run(&["layout", "import", "-q", s(&sheet), "--out", s(&out2)]);
    assert_eq!(code2, code);
    assert_eq!(stdout, "");
    assert!(
        !err.contains("items →") && !err.contains("header on row"),
        "{err}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&out2).unwrap());
}

#[test]
fn layouts_to_a_closed_pipe_are_not_a_crash() {
    let cases: [&[&str]; 3] = [
        &["layouts"],
        &["layouts", "juki-kojin"],
        &["layouts", "--toml", "juki-kojin"],
    ];
    for args in cases {
        let mut child = common::ikou()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
    }
}

fn with_stdin(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    with_stdin_in(std::env::temp_dir().as_path(), args, stdin)
}

/// As [`with_stdin`], with `tmp` as the temporary directory (TMPDIR) of ikou.
fn with_stdin_in(tmp: &Path, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    use std::io::Write;
    let mut child = common::ikou()
        .env("TMPDIR", tmp)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // The command may stop reading early (too much input): a closed pipe is fine.
    let _ = input.write_all(stdin);
    drop(input);
    let o = child.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_layout_can_come_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let toml = std::fs::read(common::root().join(LAYOUT)).unwrap();
    let out = dir.path().join("out");
    let input = sample();
    let (code, _, err) = with_stdin(
        &["convert", "-q", "--layout", "-", "--out", s(&out), &input],
        &toml,
    );
    assert_eq!(code, 3, "{err}");
    let m = common::read_manifest(&out);
    assert_eq!(m["options"]["layout"], "-");
    // The same output as from the file.
    let out2 = dir.path().join("out2");
    convert(&out2, &["-q"], &[&input]);
    assert_eq!(
        std::fs::read(out.join("juki_kojin.csv")).unwrap(),
        std::fs::read(out2.join("juki_kojin.csv")).unwrap()
    );
    let (code, stdout, err) = with_stdin(&["layouts", "-"], &toml);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("氏名"), "{stdout}");
    // Bounded: more than any layout is refused, not read whole.
    let big = vec![b'#'; 5 * 1024 * 1024];
    let (code, _, err) = with_stdin(&["layouts", "-"], &big);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("too much for a layout"), "{err}");
}

#[test]
fn a_table_can_come_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let table = std::fs::read(common::root().join("testdata/gaiji/sample.tsv")).unwrap();
    let out = dir.path().join("out");
    let l = layout();
    let input = sample();
    let (code, _, err) = with_stdin(
        &[
            "convert",
            "-q",
            "--layout",
            &l,
            "--gaiji",
            "-",
            "--out",
            s(&out),
            &input,
        ],
        &table,
    );
    assert_eq!(code, 3, "{err}");
    let m = common::read_manifest(&out);
    let t = m["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "gaiji")
        .unwrap();
    assert_eq!(t["path"], "-");
    // The same output as from the file.
    let out2 = dir.path().join("out2");
    let g = common::root().join("testdata/gaiji/sample.tsv");
    convert(&out2, &["-q", "--gaiji", s(&g)], &[&input]);
    assert_eq!(
        std::fs::read(out.join("juki_kojin.csv")).unwrap(),
        std::fs::read(out2.join("juki_kojin.csv")).unwrap()
    );
    // mappings check and diff read it too.
    let (code, stdout, err) = with_stdin(&["mappings", "check", "-"], &table);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("no findings"), "{stdout}");
    let (code, _, err) = with_stdin(&["mappings", "diff", "-", s(&g)], &table);
    assert_eq!(code, 0, "{err}");
    // Bounded.
    let big = vec![b'#'; (64 << 20) + 10];
    let (code, _, err) = with_stdin(
        &[
            "convert",
            "-q",
            "--layout",
            &l,
            "--gaiji",
            "-",
            "--out",
            s(&dir.path().join("b")),
            &input,
        ],
        &big,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("too much for a 外字 table"), "{err}");
}

#[test]
fn an_input_can_come_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let bytes = std::fs::read(common::root().join("testdata/juki_kojin.csv")).unwrap();
    let (l, g) = (layout(), common::root().join("testdata/gaiji/sample.tsv"));
    let out = dir.path().join("out");
    let child = |args: &[&str], input: &[u8]| {
        let (code, _, err) = with_stdin_in(&tmp, args, input);
        (code, err)
    };
    let (code, err) = child(
        &[
            "convert",
            "-q",
            "--layout",
            &l,
            "--gaiji",
            s(&g),
            "--out",
            s(&out),
            "-",
        ],
        &bytes,
    );
    assert_eq!(code, 3, "{err}");
    // Named `-` in the manifest, with the bytes' hash; outputs named stdin.
    let m = common::read_manifest(&out);
    assert_eq!(m["inputs"][0]["path"], "-");
    assert_eq!(m["inputs"][0]["bytes"], bytes.len() as u64);
    // The same output as from the file, and the spool is gone.
    let out2 = dir.path().join("out2");
    convert(&out2, &["-q", "--gaiji", s(&g)], &[&sample()]);
    assert_eq!(
        std::fs::read(out.join("stdin.csv")).unwrap(),
        std::fs::read(out2.join("juki_kojin.csv")).unwrap()
    );
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "spool left behind"
    );
    // verify checks the run; --inputs says standard input cannot be read again.
    let (code, _, err) = run(&["verify", s(&out)]);
    assert_eq!(code, 0, "{err}");
    let (code, stdout, _) = run(&["verify", "--inputs", s(&out)]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("standard input, which cannot be read again"),
        "{stdout}"
    );
    // An empty standard input is named `-`, not by the spool's path.
    let (code, err) = child(
        &[
            "convert",
            "--layout",
            &l,
            "--out",
            s(&dir.path().join("e")),
            "-",
        ],
        b"",
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("ikou: error: -: the file is empty"), "{err}");
    // profile reads it too; standard input only once.
    let (code, err) = child(&["profile", "-q", "--layout", &l, "-"], &bytes);
    assert_eq!(code, 3, "{err}");
    let (code, err) = child(
        &[
            "convert",
            "--layout",
            &l,
            "--out",
            s(&dir.path().join("t")),
            "-",
            "-",
        ],
        &bytes,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("more than once"), "{err}");
    let (code, err) = child(
        &[
            "convert",
            "--layout",
            "-",
            "--out",
            s(&dir.path().join("u")),
            "-",
        ],
        &bytes,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("read only once"), "{err}");
}
