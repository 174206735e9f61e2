//! Record types (`[[records]]`): header, data and trailer records told apart by
//! an item, trailer checks (count_of, sum_of), findings with record numbers, one
//! output per data type, the same results for any --jobs and --chunk-bytes.

mod common;

use common::{read_manifest, run, s, testdata};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn layout(name: &str) -> String {
    s(&testdata(&format!("rectypes/{name}"))).to_string()
}

/// The good sample's lines (CP932 bytes, the line end cut off).
fn good_lines() -> Vec<Vec<u8>> {
    let bytes = std::fs::read(testdata("rectypes/good.csv")).unwrap();
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .collect()
}

fn write_lines(dir: &Path, name: &str, lines: &[Vec<u8>]) -> PathBuf {
    let path = dir.join(name);
    let mut bytes = Vec::new();
    for l in lines {
        bytes.extend_from_slice(l);
        bytes.extend_from_slice(b"\r\n");
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Converts `input` with the juminzei layout; returns (exit, manifest, out dir).
fn convert(dir: &Path, input: &Path, extra: &[&str]) -> (i32, Value, PathBuf, String) {
    let out = dir.join(format!("out-{}", extra.join("_").replace(['-', '/'], "")));
    let l = layout("juminzei.toml");
    let mut args = vec!["convert", "--layout", &l, "--out", s(&out)];
    args.extend_from_slice(extra);
    args.push(s(input));
    let (code, _, err) = run(&args);
    let m = if out.join("manifest.json").exists() {
        read_manifest(&out)
    } else {
        Value::Null
    };
    (code, m, out, err)
}

fn verify_ok(out: &Path) {
    let (code, stdout, err) = run(&["verify", s(out)]);
    assert_eq!(code, 0, "verify: {stdout}{err}");
}

fn checks(m: &Value) -> Vec<(String, String, String, bool)> {
    m["trailer_checks"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    (
                        c["kind"].as_str().unwrap().to_string(),
                        c["expected"].as_str().unwrap().to_string(),
                        c["actual"].as_str().unwrap().to_string(),
                        c["ok"].as_bool().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn findings(m: &Value) -> Vec<(String, Option<u64>)> {
    m["record_findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["code"].as_str().unwrap().to_string(),
                        f["record"].as_u64(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_good_file_converts_its_data_and_checks_its_trailer() {
    let dir = tempfile::tempdir().unwrap();
    let (code, m, out, err) = convert(dir.path(), &testdata("rectypes/good.csv"), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(m["counts"]["read"], 10);
    assert_eq!(m["counts"]["written"], 10);
    let written = std::fs::read_to_string(out.join("good.csv")).unwrap();
    assert_eq!(
        written.lines().count(),
        10,
        "header and trailer are not data"
    );
    assert!(
        written.starts_with("2,100000000000001,山田太郎,12345\r\n"),
        "{written}"
    );
    assert_eq!(
        checks(&m),
        [
            ("count".into(), "10".into(), "10".into(), true),
            ("sum".into(), "173445".into(), "173445".into(), true)
        ]
    );
    assert!(findings(&m).is_empty());
    let types: Vec<_> = m["record_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["type"].as_str().unwrap().to_string(),
                t["read"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            ("header".into(), 1),
            ("data".into(), 10),
            ("trailer".into(), 1)
        ]
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("レコード種別とトレーラ検査") && html.contains("すべて一致しました"));
    verify_ok(&out);
}

#[test]
fn a_trailer_count_or_sum_that_differs_is_a_finding_and_the_data_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, good_out, _) = convert(dir.path(), &testdata("rectypes/good.csv"), &[]);
    let good = std::fs::read(good_out.join("good.csv")).unwrap();
    for (trailer, want) in [
        ("9,11,173445", ("count", "11", "10")),
        ("9,10,173446", ("sum", "173446", "173445")),
    ] {
        let mut lines = good_lines();
        *lines.last_mut().unwrap() = trailer.as_bytes().to_vec();
        let sub = dir.path().join(&trailer[2..4]);
        std::fs::create_dir(&sub).unwrap();
        let input = write_lines(&sub, "good.csv", &lines);
        let (code, m, out, err) = convert(&sub, &input, &[]);
        assert_eq!(code, 3, "{trailer}: {err}");
        let bad: Vec<_> = checks(&m).into_iter().filter(|c| !c.3).collect();
        assert_eq!(
            bad,
            [(want.0.into(), want.1.into(), want.2.into(), false)],
            "{trailer}"
        );
        assert_eq!(
            m["counts"]["rejected"], 0,
            "a trailer check rejects no record"
        );
        assert_eq!(std::fs::read(out.join("good.csv")).unwrap(), good);
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(html.contains("不一致"), "{trailer}");
        verify_ok(&out);
    }
}

#[test]
fn a_missing_or_repeated_header_or_trailer_is_reported_with_its_record() {
    let dir = tempfile::tempdir().unwrap();
    let lines = good_lines();
    let (header, trailer) = (lines[0].clone(), lines[11].clone());
    type Case<'a> = (&'a str, Vec<Vec<u8>>, Vec<(String, Option<u64>)>);
    let cases: Vec<Case> = vec![
        (
            "no-header",
            lines[1..].to_vec(),
            vec![("missing-header".into(), None)],
        ),
        (
            "no-trailer",
            lines[..11].to_vec(),
            vec![("missing-trailer".into(), None)],
        ),
        (
            "two-headers",
            [&lines[..3], std::slice::from_ref(&header), &lines[3..]].concat(),
            vec![("repeated-header".into(), Some(4))],
        ),
        (
            "two-trailers",
            [&lines[..], std::slice::from_ref(&trailer)].concat(),
            vec![("repeated-trailer".into(), Some(13))],
        ),
        (
            "data-after-trailer",
            [&lines[..], &lines[1..3]].concat(),
            vec![("data-after-trailer".into(), Some(13))],
        ),
        (
            "header-late",
            [&lines[1..3], &lines[..1], &lines[3..]].concat(),
            vec![("header-not-first".into(), Some(3))],
        ),
    ];
    for (name, lines, want) in cases {
        let sub = dir.path().join(name);
        std::fs::create_dir(&sub).unwrap();
        let input = write_lines(&sub, "good.csv", &lines);
        let (code, m, out, err) = convert(&sub, &input, &[]);
        assert_eq!(code, 3, "{name}: {err}");
        assert_eq!(findings(&m), want, "{name}");
        verify_ok(&out);
    }
    // Data after the trailer is converted and counted, but was not in its count.
    let sub = dir.path().join("data-after-trailer");
    let m = read_manifest(&sub.join("out-"));
    assert_eq!(m["counts"]["written"], 12);
    assert_eq!(
        checks(&m)[0],
        ("count".into(), "10".into(), "12".into(), false)
    );
}

#[test]
fn a_record_of_no_type_is_rejected_with_its_record_number() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = good_lines();
    lines.insert(5, b"5,1,x,1".to_vec());
    let input = write_lines(dir.path(), "good.csv", &lines);
    let (code, m, out, err) = convert(dir.path(), &input, &[]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(m["counts"]["read"], 11);
    assert_eq!(m["counts"]["rejected"], 1);
    assert_eq!(m["reject_reasons"][0]["code"], "unknown-record-type");
    assert_eq!(m["reject_reasons"][0]["first_records"][0]["record"], 6);
    let rejects = std::fs::read_to_string(out.join("good.rejects.csv")).unwrap();
    assert!(
        rejects.contains("unknown-record-type") && rejects.contains("「5」"),
        "{rejects}"
    );
    let unknown = m["record_types"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (unknown["kind"].as_str(), unknown["rejected"].as_u64()),
        (Some("unknown"), Some(1))
    );
    // The trailer counts the data records read: the record of no type is not one.
    assert!(checks(&m).iter().all(|c| c.3), "{:?}", checks(&m));
    verify_ok(&out);
    let (code, stdout, err) = run(&["verify", "--inputs", s(&out)]);
    assert_eq!(code, 0, "{stdout}{err}");
}

#[test]
fn a_data_record_rejected_still_counts_for_the_trailer() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = good_lines();
    // 宛名番号 not digits: rejected, but read (count) and its 税額 summed.
    lines[3] = b"2,ABC,x,14567".to_vec();
    let input = write_lines(dir.path(), "good.csv", &lines);
    let (code, m, out, _) = convert(dir.path(), &input, &[]);
    assert_eq!(code, 3);
    assert_eq!(m["counts"]["rejected"], 1);
    assert!(checks(&m).iter().all(|c| c.3), "{:?}", checks(&m));
    let data = &m["inputs"][0]["record_types"][1];
    assert_eq!(
        (
            data["read"].as_u64(),
            data["written"].as_u64(),
            data["rejected"].as_u64()
        ),
        (Some(10), Some(9), Some(1))
    );
    verify_ok(&out);
}

#[test]
fn two_data_types_are_written_to_two_outputs_and_verify_passes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let l = layout("two_types.toml");
    let input = testdata("rectypes/two_types.csv");
    let (code, _, err) = run(&["convert", "--layout", &l, "--out", s(&out), s(&input)]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.join("two_types.csv").exists());
    let kojin = std::fs::read_to_string(out.join("two_types.kojin.csv")).unwrap();
    let hojin = std::fs::read_to_string(out.join("two_types.hojin.csv")).unwrap();
    assert_eq!((kojin.lines().count(), hojin.lines().count()), (4, 2));
    assert!(
        hojin
            .lines()
            .all(|l| l.starts_with("3,") && l.split(',').count() == 5),
        "{hojin}"
    );
    let m = read_manifest(&out);
    let outputs: Vec<_> = m["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["path"].as_str().unwrap().to_string(),
                o["records"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outputs,
        [
            ("two_types.kojin.csv".into(), 4),
            ("two_types.hojin.csv".into(), 2)
        ]
    );
    assert_eq!(checks(&m).len(), 4);
    assert!(checks(&m).iter().all(|c| c.3), "{:?}", checks(&m));
    verify_ok(&out);
    // A changed per-type output is caught.
    std::fs::write(out.join("two_types.hojin.csv"), "3,1,x,y,1\r\n").unwrap();
    let (code, stdout, _) = run(&["verify", s(&out)]);
    assert_ne!(code, 0, "{stdout}");
    assert!(stdout.contains("two_types.hojin.csv"), "{stdout}");
}

#[test]
fn results_are_byte_identical_for_any_jobs_and_chunk_size() {
    let dir = tempfile::tempdir().unwrap();
    // Many records, a rejected one, a record of no type, data after the trailer
    // and a second trailer: every finding depends on order across chunks.
    let lines = good_lines();
    let mut big = vec![lines[0].clone()];
    let mut total = 0u64;
    for i in 0..3000u64 {
        let tax = 1000 + i % 977;
        total += tax;
        big.push(format!("2,{},name{i},{tax}", 100000000000000 + i).into_bytes());
    }
    big.push(b"2,XYZ,bad,5".to_vec());
    big.push(b"7,unknown".to_vec());
    big.push(format!("9,3000,{total}").into_bytes());
    big.push(b"2,100000000009999,late,1".to_vec());
    big.push(format!("9,3000,{total}").into_bytes());
    let input = write_lines(dir.path(), "big.csv", &big);
    let mut first: Option<(Vec<u8>, Vec<u8>, Vec<u8>)> = None;
    for (jobs, chunk) in [
        ("1", "1048576"),
        ("2", "1048576"),
        ("2", "4096"),
        ("1", "4096"),
        ("2", "65536"),
    ] {
        let (code, m, out, err) = convert(
            dir.path(),
            &input,
            &["--jobs", jobs, "--chunk-bytes", chunk],
        );
        assert_eq!(code, 3, "{err}");
        let got = (
            std::fs::read(out.join("big.csv")).unwrap(),
            std::fs::read(out.join("big.rejects.csv")).unwrap(),
            std::fs::read(out.join("manifest.json")).unwrap(),
        );
        let codes: Vec<_> = findings(&m).into_iter().map(|f| f.0).collect();
        assert_eq!(
            codes,
            ["data-after-trailer", "repeated-trailer"],
            "jobs {jobs}, chunk {chunk}"
        );
        // 3001 data records were read before the first trailer, 3002 in all.
        assert_eq!(checks(&m)[0].2, "3002");
        match &first {
            None => first = Some(got),
            Some(f) => assert!(*f == got, "jobs {jobs}, chunk {chunk}: outputs differ"),
        }
        verify_ok(&out);
    }
}

#[test]
fn a_fixed_mainframe_file_has_header_and_trailer_of_their_own_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let l = layout("fixed_ibm930.toml");
    let input = testdata("rectypes/fixed_ibm930.dat");
    let out = dir.path().join("out");
    let (code, _, err) = run(&[
        "convert",
        "--layout",
        &l,
        "--encoding",
        "ibm930",
        "--out",
        s(&out),
        s(&input),
    ]);
    assert_eq!(code, 0, "{err}");
    let m = read_manifest(&out);
    assert_eq!(
        checks(&m),
        [
            ("count".into(), "6".into(), "6".into(), true),
            ("sum".into(), "79500".into(), "79500".into(), true)
        ]
    );
    let csv = std::fs::read_to_string(out.join("fixed_ibm930.csv")).unwrap();
    assert_eq!(csv.lines().next(), Some("2,1000000001,12000,"), "{csv}");
    verify_ok(&out);
    // The packed total one less: a sum finding; the record type byte made 'X'
    // (EBCDIC 0xE7): a record of no type.
    let mut bytes = std::fs::read(&input).unwrap();
    // The trailer is record 8 (bytes 140..160); its total, 11 digits packed, is
    // bytes 145..151, ending ...0C: ...1C makes it 79501.
    assert_eq!(bytes[150], 0x0C);
    bytes[150] = 0x1C;
    bytes[40] = 0xE7;
    let bad = dir.path().join("fixed_ibm930.dat");
    std::fs::write(&bad, &bytes).unwrap();
    let out2 = dir.path().join("out2");
    let (code, _, err) = run(&[
        "convert",
        "--layout",
        &l,
        "--encoding",
        "ibm930",
        "--out",
        s(&out2),
        s(&bad),
    ]);
    assert_eq!(code, 3, "{err}");
    let m = read_manifest(&out2);
    assert_eq!(m["reject_reasons"][0]["code"], "unknown-record-type");
    assert_eq!(m["reject_reasons"][0]["first_records"][0]["record"], 3);
    let c = checks(&m);
    assert_eq!((c[0].2.as_str(), c[0].3), ("5", false), "{c:?}");
    assert!(!c[1].3, "{c:?}");
    verify_ok(&out2);
}

#[test]
fn ikou_layouts_shows_the_record_types() {
    let l = layout("juminzei.toml");
    let (code, stdout, err) = run(&["layouts", &l]);
    assert_eq!(code, 0, "{err}");
    for want in [
        "header",
        "data",
        "trailer",
        "レコード区分 = \"9\"",
        "count_of data",
        "sum_of data.税額",
    ] {
        assert!(stdout.contains(want), "{want}: {stdout}");
    }
}
