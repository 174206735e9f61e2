//! `ikou convert` and `ikou verify` run as a user runs them, on testdata/.

mod common;

use base64::Engine;
use common::{iconv, ikou, read_manifest, run, s, testdata};
use std::fs;
use std::path::Path;

const LAYOUT: &str = common::SAMPLE_LAYOUT;
const GAIJI: &str = "testdata/gaiji/sample.tsv";

fn convert(out: &Path, extra: &[&str], inputs: &[&Path]) -> (i32, String) {
    common::convert_sample_layout(out, extra, inputs)
}

#[test]
fn the_sample_converts_with_its_rejects_and_counts_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let input = testdata("juki_kojin.csv");
    let (code, err) = convert(dir.path(), &["--gaiji", GAIJI], &[&input]);
    assert_eq!(code, 3, "some records are rejected: {err}");
    let m = read_manifest(dir.path());
    let c = &m["counts"];
    assert_eq!(c["read"], 17);
    assert_eq!(
        c["read"].as_u64().unwrap(),
        c["written"].as_u64().unwrap() + c["rejected"].as_u64().unwrap()
    );
    assert_eq!(c["rejected"], 8);

    // Output: UTF-8 without BOM, CRLF, one line per written record (one item holds a line break).
    let out = fs::read(dir.path().join("juki_kojin.csv")).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(!text.starts_with('\u{FEFF}'));
    for l in text.split('\n').filter(|l| !l.is_empty()) {
        assert!(l.ends_with('\r'), "CRLF line ends: {l:?}");
    }
    assert!(
        text.contains("\u{20BB7}田　一郎"),
        "外字 U+E000 → J+AEAC (𠮷)"
    );
    assert!(
        text.contains("\u{845B}\u{E0102}城"),
        "外字 0xF041 → MJ022335 with its IVS"
    );
    assert!(
        text.contains("\u{9AD9}橋"),
        "外字 0xF043 → KOSEKI:513280 (髙)"
    );
    assert!(text.contains("\u{3251}号"), "外字 U+E004 → U+3251");
    assert!(
        text.contains("1\u{301C}3"),
        "CP932 〜 written in the JIS form"
    );
    assert!(!text.contains('\u{FFFD}') && !text.chars().any(ikou::gaiji::is_user_defined));
    assert!(text.contains("\"架空県見本市西町7-8, ハイツ見本101\""));
    assert!(text.contains("サトウ　ハナコ"), "half-width kana cleansed");

    // Every rejected record is the input's bytes at its offset, with a reason.
    let input_bytes = fs::read(&input).unwrap();
    let rej = fs::read(dir.path().join("juki_kojin.rejects.csv")).unwrap();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&rej[..]);
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        ikou::reject::HEADER,
        "the reject file starts with its column names"
    );
    let mut records = Vec::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let original = base64::engine::general_purpose::STANDARD
            .decode(&r[8])
            .unwrap();
        let offset: usize = r[7].parse().unwrap();
        assert_eq!(&input_bytes[offset..offset + original.len()], &original[..]);
        assert!(!r[2].is_empty());
        records.push((r[0].parse::<u64>().unwrap(), r[1].to_string()));
    }
    let want: Vec<(u64, String)> = [
        (8, "unmapped-gaiji"),
        (9, "item-count"),
        (10, "too-long"),
        (11, "required"),
        (12, "undecodable"),
        (13, "broken-quote"),
        (14, "invalid-date"),
        (15, "unknown-code"),
    ]
    .iter()
    .map(|(n, c)| (*n, c.to_string()))
    .collect();
    assert_eq!(records, want);

    let (code, out, _) = run(&["verify", s(dir.path())]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn reject_messages_never_hold_item_values() {
    let dir = tempfile::tempdir().unwrap();
    convert(
        dir.path(),
        &["--gaiji", GAIJI],
        &[&testdata("juki_kojin.csv")],
    );
    let rej = fs::read_to_string(dir.path().join("juki_kojin.rejects.csv")).unwrap();
    for value in ["井上", "19990230", "木村", "長長長", "小林"] {
        for line in rej.lines() {
            let message = line.split(',').nth(2).unwrap_or("");
            assert!(!message.contains(value), "{value} in {message}");
        }
    }
}

/// Several inputs converted together (files at once for any --jobs) give each
/// file exactly the outputs it gets alone, and the same manifest and report for
/// any --jobs and chunk size.
#[test]
fn several_files_at_once_are_byte_identical_to_one_by_one() {
    let tmp = tempfile::tempdir().unwrap();
    let all = many_records();
    // Files of different sizes (so that they finish in another order than they
    // start), each cut at a record boundary: CRLF followed by a record number.
    let mut inputs = Vec::new();
    let mut start = 0;
    for (k, records) in [900usize, 40, 1500, 7, 553].iter().enumerate() {
        let mut end = start;
        for _ in 0..*records {
            end = match all[end..].windows(2).position(|w| w == b"\r\n") {
                Some(p) => end + p + 2,
                None => all.len(),
            };
        }
        let path = tmp.path().join(format!("part{k}.csv"));
        fs::write(&path, &all[start..end]).unwrap();
        inputs.push(path);
        start = end;
    }
    let refs: Vec<&Path> = inputs.iter().map(|p| p.as_path()).collect();
    let mut first: Option<Vec<Vec<u8>>> = None;
    for (jobs, chunk) in [("1", "1048576"), ("2", "100"), ("4", "1000"), ("3", "1")] {
        let out = tmp.path().join(format!("together-{jobs}-{chunk}"));
        let (code, err) = convert(
            &out,
            &["--gaiji", GAIJI, "--jobs", jobs, "--chunk-bytes", chunk],
            &refs,
        );
        assert_eq!(code, 3, "{err}");
        let mut files = Vec::new();
        for name in ["manifest.json", "report.html"] {
            files.push(fs::read(out.join(name)).unwrap());
        }
        for (k, input) in refs.iter().enumerate() {
            let alone = tmp.path().join(format!("alone-{jobs}-{chunk}-{k}"));
            let (code, err) = convert(&alone, &["--gaiji", GAIJI, "--jobs", "1"], &[input]);
            assert!(code == 0 || code == 3, "{err}");
            for name in [format!("part{k}.csv"), format!("part{k}.rejects.csv")] {
                let together = fs::read(out.join(&name)).unwrap();
                assert!(
                    together == fs::read(alone.join(&name)).unwrap(),
                    "{name} differs from the file converted alone (jobs {jobs} chunk {chunk})"
                );
                files.push(together);
            }
        }
        match &first {
            None => first = Some(files),
            Some(f) => assert!(f == &files, "jobs {jobs} chunk {chunk} differs"),
        }
    }
}

/// With --unmapped fail, the run stops at the first input (in the order given)
/// that holds an unmapped 外字, whatever file finished first.
#[test]
fn several_files_stop_at_the_first_failing_input_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let all = many_records();
    let clean: Vec<u8> = iconv(
        &(0..2000)
            .map(|i| format!("{i:015},山田　太郎,ﾔﾏﾀﾞ ﾀﾛｳ,19800101,1,本町{i},1\r\n"))
            .collect::<String>()
            .into_bytes(),
        "UTF-8",
        "CP932",
    );
    let names = ["a0.csv", "a1.csv", "a2.csv", "a3.csv"];
    // a0 is long and clean; a1 and a3 hold unmapped 外字 (a3 is small, so it
    // fails first when files run at once); a1 must be the one reported.
    let data = [
        clean.repeat(4),
        all.clone(),
        clean.clone(),
        all[..2000].to_vec(),
    ];
    let paths: Vec<_> = names.iter().map(|n| tmp.path().join(n)).collect();
    for (p, d) in paths.iter().zip(&data) {
        fs::write(p, d).unwrap();
    }
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    for jobs in ["1", "2", "4"] {
        let out = tmp.path().join(format!("o{jobs}"));
        let (code, err) = convert(&out, &["--unmapped", "fail", "--jobs", jobs], &refs);
        assert_ne!(code, 0, "{err}");
        assert!(err.contains("a1.csv"), "jobs {jobs}: {err}");
        assert!(!err.contains("a3.csv"), "jobs {jobs}: {err}");
        assert!(!out.join("manifest.json").exists());
    }
}

/// Records with quoted line breaks, 外字 and broken lines, big enough for many chunks.
fn many_records() -> Vec<u8> {
    let mut v = Vec::new();
    for i in 0..3000u32 {
        let name = if i % 7 == 0 {
            "\u{E000}田　太郎".to_string()
        } else {
            format!("山田　{i}")
        };
        let addr = if i % 5 == 0 {
            format!("\"本町{i}\r\n二行目, x\"")
        } else {
            format!("本町{i}")
        };
        let line = if i % 97 == 0 {
            format!("{i:015},\"broken,ﾔﾏﾀﾞ,19800101,1,{addr},1\r\n")
        } else {
            format!("{i:015},{name},ﾔﾏﾀﾞ ﾀﾛｳ,19800101,1,{addr},1\r\n")
        };
        v.extend(line.into_bytes());
    }
    iconv(&v, "UTF-8", "CP932")
}

#[test]
fn output_is_byte_identical_for_any_jobs_and_chunk_size() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("many.csv");
    fs::write(&input, many_records()).unwrap();
    let mut first: Option<Vec<Vec<u8>>> = None;
    for (jobs, chunk) in [("1", "1048576"), ("2", "100"), ("4", "1000"), ("3", "1")] {
        let out = tmp.path().join(format!("out-{jobs}-{chunk}"));
        let (code, err) = convert(
            &out,
            &["--gaiji", GAIJI, "--jobs", jobs, "--chunk-bytes", chunk],
            &[&input],
        );
        assert_eq!(code, 3, "{err}");
        let files: Vec<Vec<u8>> = ["many.csv", "many.rejects.csv", "manifest.json"]
            .iter()
            .map(|f| fs::read(out.join(f)).unwrap())
            .collect();
        match &first {
            None => first = Some(files),
            Some(f) => assert!(f == &files, "jobs {jobs} chunk {chunk} differs"),
        }
    }
    let m = read_manifest(&tmp.path().join("out-1-1048576"));
    // A broken record is cut at its first line end, so the 7 broken ones that hold a
    // quoted line break are two rejected records each: 31 + 7 rejects, all lines kept.
    assert_eq!(m["counts"]["read"], 3007);
    assert_eq!(m["counts"]["rejected"], 38);
}

#[test]
fn every_encoding_gives_the_same_output() {
    let tmp = tempfile::tempdir().unwrap();
    let cp932 = fs::read(testdata("juki_kojin.csv")).unwrap();
    // Drop the record with a byte that is not CP932, so iconv can convert the rest.
    let clean: Vec<u8> = cp932
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| !l.windows(2).any(|w| w == b"\x82 "))
        .flatten()
        .copied()
        .collect();
    let utf8 = iconv(&clean, "CP932", "UTF-8");
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("cp932", clean.clone()),
        ("eucjp-ms", iconv(&utf8, "UTF-8", "EUC-JP-MS")),
        ("utf-8", [b"\xEF\xBB\xBF".to_vec(), utf8.clone()].concat()),
        (
            "utf-16le",
            [b"\xFF\xFE".to_vec(), iconv(&utf8, "UTF-8", "UTF-16LE")].concat(),
        ),
        ("utf-16be", iconv(&utf8, "UTF-8", "UTF-16BE")),
    ];
    let mut outputs = Vec::new();
    for (enc, bytes) in &variants {
        let input = tmp.path().join(format!("{enc}.csv"));
        fs::write(&input, bytes).unwrap();
        let out = tmp.path().join(format!("out-{enc}"));
        let (code, err) = convert(&out, &["--encoding", enc, "--unmapped", "geta"], &[&input]);
        assert_eq!(code, 3, "{enc}: {err}");
        outputs.push((enc, fs::read(out.join(format!("{enc}.csv"))).unwrap()));
    }
    // 〜 (0x8160) is U+FF5E in CP932 and U+301C in EUC-JP-MS via UTF-8; compare the rest.
    let norm = |b: &Vec<u8>| {
        String::from_utf8(b.clone())
            .unwrap()
            .replace('\u{301C}', "\u{FF5E}")
    };
    for (enc, o) in &outputs[1..] {
        assert_eq!(norm(o), norm(&outputs[0].1), "{enc} differs from cp932");
    }
}

#[test]
fn verify_names_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    convert(
        dir.path(),
        &["--gaiji", GAIJI],
        &[&testdata("juki_kojin.csv")],
    );
    let (code, _, _) = run(&["verify", "--inputs", s(dir.path())]);
    assert_eq!(code, 0);

    // One byte of the output.
    let out = dir.path().join("juki_kojin.csv");
    let mut bytes = fs::read(&out).unwrap();
    bytes[5] ^= 1;
    fs::write(&out, &bytes).unwrap();
    let (code, stdout, _) = run(&["verify", s(dir.path())]);
    assert_eq!(code, 1);
    assert!(stdout.contains("juki_kojin.csv: changed"), "{stdout}");
    bytes[5] ^= 1;
    fs::write(&out, &bytes).unwrap();

    // A missing reject file.
    let rej = dir.path().join("juki_kojin.rejects.csv");
    let saved = fs::read(&rej).unwrap();
    fs::remove_file(&rej).unwrap();
    let (code, stdout, _) = run(&["verify", s(dir.path())]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("juki_kojin.rejects.csv: missing"),
        "{stdout}"
    );
    fs::write(&rej, saved).unwrap();

    // Counts that disagree.
    let mpath = dir.path().join("manifest.json");
    let text = fs::read_to_string(&mpath).unwrap();
    fs::write(
        &mpath,
        text.replacen("\"written\": 9", "\"written\": 10", 1),
    )
    .unwrap();
    let (code, stdout, _) = run(&["verify", s(dir.path())]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("do not add up") || stdout.contains("written"),
        "{stdout}"
    );
    fs::write(&mpath, text).unwrap();
    assert_eq!(run(&["verify", s(dir.path())]).0, 0);
}

#[test]
fn a_killed_run_leaves_nothing_that_looks_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("big.csv");
    let one = many_records();
    let big: Vec<u8> = std::iter::repeat_n(&one[..], 200)
        .flatten()
        .copied()
        .collect();
    fs::write(&input, &big).unwrap();
    let out = tmp.path().join("out");
    // A finished earlier run in the same directory…
    fs::create_dir(&out).unwrap();
    assert_eq!(convert(&out, &[], &[&testdata("juki_kojin.csv")]).0, 3);
    assert!(out.join("manifest.json").exists());
    // …then a run killed while it works.
    let mut child = ikou()
        .current_dir(common::root())
        .args([
            "convert",
            "--layout",
            LAYOUT,
            "--jobs",
            "1",
            "--out",
            s(&out),
            s(&input),
        ])
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !fs::read_dir(&out).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".ikou-tmp-")
    }) {
        assert!(
            started.elapsed().as_secs() < 30,
            "no temporary file appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !out.join("manifest.json").exists(),
        "the old manifest is gone"
    );
    assert!(
        !out.join("big.csv").exists(),
        "no output under its real name"
    );
    let (code, stdout, _) = run(&["verify", s(&out)]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("did not finish"), "{stdout}");
    // The next run cleans up the temporary files.
    assert_eq!(convert(&out, &[], &[&testdata("juki_kojin.csv")]).0, 3);
    assert!(!fs::read_dir(&out).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".ikou")
    }));
}

#[test]
fn bad_inputs_stop_with_a_message_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let missing = tmp.path().join("missing.csv");
    let (code, err) = convert(&out, &[], &[&missing]);
    assert_eq!(code, 1);
    assert!(
        err.contains("missing.csv") && err.contains("no such file"),
        "{err}"
    );

    let empty = tmp.path().join("empty.csv");
    fs::write(&empty, b"").unwrap();
    let (code, err) = convert(&out, &[], &[&empty]);
    assert_eq!(code, 1);
    assert!(
        err.contains("empty.csv") && err.contains("--allow-empty"),
        "{err}"
    );
    assert_eq!(convert(&out, &["--allow-empty"], &[&empty]).0, 0);
    assert_eq!(read_manifest(&out)["counts"]["read"], 0);

    let utf8 = tmp.path().join("utf8.csv");
    fs::write(
        &utf8,
        iconv(
            &fs::read(testdata("juki_kojin.csv")).unwrap()[..700],
            "CP932",
            "UTF-8",
        ),
    )
    .unwrap();
    let (code, err) = convert(&out, &[], &[&utf8]);
    assert_eq!(code, 1);
    assert!(
        err.contains("utf8.csv") && err.contains("does not look like cp932"),
        "{err}"
    );
    // Inputs are checked several at once; the error is still the first failing
    // input in the order given, and nothing is written.
    let utf8_b = tmp.path().join("utf8-b.csv");
    fs::copy(&utf8, &utf8_b).unwrap();
    let (good, good_b) = (tmp.path().join("good.csv"), tmp.path().join("good-b.csv"));
    fs::copy(testdata("juki_kojin.csv"), &good).unwrap();
    fs::copy(testdata("juki_kojin.csv"), &good_b).unwrap();
    for jobs in ["1", "2", "3"] {
        let (code, err) = convert(
            &out,
            &["-j", jobs],
            &[&good, &good_b, &utf8_b, &utf8, &empty],
        );
        assert_eq!(code, 1, "-j{jobs}");
        assert!(
            err.contains("utf8-b.csv") && !err.contains("utf8.csv"),
            "-j{jobs}: {err}"
        );
    }

    let blocker = tmp.path().join("file-not-dir");
    fs::write(&blocker, b"x").unwrap();
    let (code, err) = convert(&blocker.join("out"), &[], &[&testdata("juki_kojin.csv")]);
    assert_eq!(code, 1);
    assert!(err.contains("file-not-dir"), "{err}");

    let (code, _, err) = run(&[
        "convert",
        "--layout",
        "no-such-layout",
        "--out",
        s(&out),
        s(&missing),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-layout"), "{err}");
    let (code, _, err) = run(&[
        "convert",
        "--layout",
        LAYOUT,
        "--encoding",
        "latin1",
        "--out",
        s(&out),
        s(&missing),
    ]);
    assert_eq!(code, 2, "{err}");

    let a = tmp.path().join("a");
    fs::create_dir(&a).unwrap();
    fs::copy(testdata("juki_kojin.csv"), a.join("juki_kojin.csv")).unwrap();
    let (code, err) = convert(
        &out,
        &[],
        &[&testdata("juki_kojin.csv"), &a.join("juki_kojin.csv")],
    );
    assert_eq!(code, 2);
    assert!(err.contains("collide"), "{err}");
    let (code, err) = convert(&a, &[], &[&a.join("juki_kojin.csv")]);
    assert_eq!(code, 2);
    assert!(err.contains("overwrite"), "{err}");
}
