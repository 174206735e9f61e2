//! The reading edges: where the header is, which numbers the flags take, what a
//! BOM or 0x1A at the edges of a file is, and a file that changes while it is read.

mod common;

use common::{ikou, read_manifest, run, s};
use ikou::reject::read_lines;
use std::fs;
use std::path::Path;

fn csv_layout(dir: &Path, header: bool) -> std::path::PathBuf {
    let path = dir.join(format!("layout-{header}.toml"));
    fs::write(
        &path,
        format!(
            "name = \"t\"\nformat = \"csv\"\nheader = {header}\n\n\
             [[fields]]\nname = \"番号\"\nkey = true\n\n[[fields]]\nname = \"氏名\"\n"
        ),
    )
    .unwrap();
    path
}

/// `ikou convert --layout LAYOUT --out OUT extra… input`: (exit code, stderr).
fn convert(layout: &Path, out: &Path, extra: &[&str], input: &Path) -> (i32, String) {
    let mut args = vec!["convert", "-q", "--layout", s(layout), "--out", s(out)];
    args.extend_from_slice(extra);
    args.push(s(input));
    let (code, _, err) = run(&args);
    (code, err)
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

// Finding 7 ------------------------------------------------------------------

#[test]
fn the_header_is_the_first_non_blank_record_for_any_chunk_size_and_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = csv_layout(tmp.path(), true);
    let input = tmp.path().join("h.csv");
    fs::write(
        &input,
        "\r\n\r\n番号,氏名\r\n1,山田\r\n\r\n2,\u{E000}田\r\n",
    )
    .unwrap();
    for (jobs, chunk) in [("1", "1048576"), ("2", "1"), ("3", "7")] {
        let out = tmp.path().join(format!("o-{jobs}-{chunk}"));
        let (code, err) = convert(
            &layout,
            &out,
            &[
                "--encoding",
                "utf-8",
                "--jobs",
                jobs,
                "--chunk-bytes",
                chunk,
                "--unmapped",
                "geta",
            ],
            &input,
        );
        assert_eq!(code, 3, "{err}");
        let written = fs::read_to_string(out.join("h.csv")).unwrap();
        assert_eq!(written, "1,山田\r\n2,〓田\r\n", "jobs {jobs} chunk {chunk}");
        let m = read_manifest(&out);
        assert_eq!(m["inputs"][0]["header_records"], 1);
        assert_eq!(m["inputs"][0]["blank_lines"], 3);
        assert_eq!(m["counts"]["read"], 2);

        // profile counts the same records.
        let (code, json, err) = run(&[
            "profile",
            "--json",
            "--layout",
            s(&layout),
            "--encoding",
            "utf-8",
            "--jobs",
            jobs,
            "--chunk-bytes",
            chunk,
            s(&input),
        ]);
        assert!(code == 0 || code == 3, "{err}");
        let p: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(p["inputs"][0]["header_records"], 1, "{json}");
        assert_eq!(p["records"], 2, "{json}");
    }
    // mappings diff --corpus compares the same records: the header is not one.
    let old = tmp.path().join("old.tsv");
    let new = tmp.path().join("new.tsv");
    fs::write(&old, "U+E001\tMJ000001\n").unwrap();
    fs::write(&new, "U+E001\tMJ000001\nU+E000\tMJ000001\n").unwrap();
    let (_, out, err) = run(&[
        "mappings",
        "diff",
        "--json",
        "--encoding",
        "utf-8",
        "--layout",
        s(&layout),
        s(&old),
        s(&new),
        "--corpus",
        s(&input),
        "--jobs",
        "2",
    ]);
    let d: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    assert_eq!(d["corpus"]["records"], 2, "{out}");
}

// Finding 8 ------------------------------------------------------------------

#[test]
fn numbers_from_flags_are_range_checked_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = csv_layout(tmp.path(), false);
    let input = tmp.path().join("a.csv");
    fs::write(&input, "1,a\r\n2,b\r\n").unwrap();
    let out = tmp.path().join("o");
    for (flag, value) in [
        ("--max-record-bytes", "18446744073709551615"),
        ("--max-record-bytes", "0"),
        ("--max-record-bytes", "268435457"),
        ("--chunk-bytes", "1099511627776"),
        ("--chunk-bytes", "0"),
        ("--jobs", "100000"),
        ("--jobs", "0"),
    ] {
        let started = std::time::Instant::now();
        let (code, err) = convert(&layout, &out, &["--encoding", "utf-8", flag, value], &input);
        assert_eq!(code, 2, "{flag} {value}: {err}");
        assert!(err.contains(flag), "{flag} {value}: {err}");
        assert!(!out.join("manifest.json").exists());
        assert!(
            started.elapsed().as_secs() < 20,
            "{flag} {value} took too long"
        );
        let (code, _, err) = run(&["profile", "--layout", s(&layout), flag, value, s(&input)]);
        assert_eq!(code, 2, "profile {flag} {value}: {err}");
    }
    // The limits themselves are accepted.
    let (code, err) = convert(
        &layout,
        &out,
        &[
            "--encoding",
            "utf-8",
            "--jobs",
            "256",
            "--chunk-bytes",
            "268435456",
            "--max-record-bytes",
            "1",
        ],
        &input,
    );
    assert_eq!(code, 3, "every record is longer than 1 byte: {err}");
    let help = ikou().args(["convert", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("1 to 256") && help.contains("256 MiB"),
        "{help}"
    );
}

#[test]
fn library_callers_get_an_error_not_a_clamped_size() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = csv_layout(tmp.path(), false);
    let input = tmp.path().join("a.csv");
    fs::write(&input, "1,a\r\n").unwrap();
    let loaded = ikou::layout::load(s(&layout)).unwrap();
    for (chunk, max, jobs) in [
        (1usize << 40, 1usize << 20, 1usize),
        (1 << 20, usize::MAX, 1),
        (0, 1, 1),
        (1, 1, 100_000),
    ] {
        let mut opts = ikou::convert::ConvertOptions::new(loaded.clone(), tmp.path().join("o"));
        opts.encoding = ikou::decode::Encoding::Utf8;
        opts.chunk_bytes = chunk;
        opts.max_record = max;
        opts.jobs = jobs;
        let e = ikou::convert::convert(&opts, std::slice::from_ref(&input)).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{chunk} {max} {jobs}: {e}");
    }
}

// Finding 12 -----------------------------------------------------------------

#[test]
fn a_fixed_record_longer_than_max_record_bytes_is_a_configuration_error() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("f.dat");
    fs::write(&input, "0001abcd".repeat(1000)).unwrap();
    for record_length in ["9223372036854775807", "1048577"] {
        let layout = tmp.path().join("fixed.toml");
        fs::write(
            &layout,
            format!(
                "name = \"f\"\nformat = \"fixed\"\nrecord_length = {record_length}\nnewline = false\n\n\
                 [[fields]]\nname = \"番号\"\noffset = 0\nlength = 4\n"
            ),
        )
        .unwrap();
        let out = tmp.path().join("o");
        let (code, err) = convert(&layout, &out, &[], &input);
        assert_eq!(code, 2, "{record_length}: {err}");
        assert!(err.contains("record_length"), "{err}");
        assert!(!out.join("manifest.json").exists());
    }
    // Raising --max-record-bytes to the record length is the way out.
    let layout = tmp.path().join("fixed8.toml");
    fs::write(
        &layout,
        "name = \"f\"\nformat = \"fixed\"\nrecord_length = 8\nnewline = false\n\n\
         [[fields]]\nname = \"番号\"\noffset = 0\nlength = 4\n",
    )
    .unwrap();
    let out = tmp.path().join("o8");
    assert_eq!(
        convert(&layout, &out, &["--max-record-bytes", "7"], &input).0,
        2
    );
    let (code, err) = convert(&layout, &out, &["--max-record-bytes", "8"], &input);
    assert_eq!(code, 0, "{err}");
}

// Finding 10 -----------------------------------------------------------------

#[test]
fn the_output_never_starts_with_a_bom_however_many_the_input_has() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = csv_layout(tmp.path(), false);
    let text = "1,山田\r\n2,佐藤\r\n";
    for boms in 1..=3 {
        let inputs: [(&str, Vec<u8>); 3] = [
            (
                "utf-8",
                ["\u{FEFF}".repeat(boms), text.into()].concat().into_bytes(),
            ),
            (
                "utf-16le",
                utf16(&["\u{FEFF}".repeat(boms), text.into()].concat(), false),
            ),
            (
                "utf-16be",
                utf16(&["\u{FEFF}".repeat(boms), text.into()].concat(), true),
            ),
        ];
        for (enc, bytes) in inputs {
            let input = tmp.path().join(format!("b{boms}-{enc}.csv"));
            fs::write(&input, &bytes).unwrap();
            let out = tmp.path().join(format!("o{boms}-{enc}"));
            let (code, err) = convert(&layout, &out, &["--encoding", enc], &input);
            assert_eq!(code, 0, "{enc} with {boms} BOMs: {err}");
            let written = fs::read(out.join(format!("b{boms}-{enc}.csv"))).unwrap();
            assert!(
                !written.starts_with(b"\xEF\xBB\xBF"),
                "{enc} with {boms} BOMs"
            );
            assert_eq!(written, text.as_bytes(), "{enc} with {boms} BOMs");
            let m = read_manifest(&out);
            assert_eq!(m["inputs"][0]["bom"], true);
            let bom_rule: Vec<_> = m["cleansing"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["rule"] == "bom")
                .collect();
            if boms == 1 {
                assert!(bom_rule.is_empty(), "{enc}: the file's own BOM is not data");
            } else {
                assert_eq!(bom_rule.len(), 1, "{enc}");
                assert_eq!(bom_rule[0]["count"], 1);
                assert_eq!(bom_rule[0]["item"], "番号");
                assert!(bom_rule[0]["label"].as_str().unwrap().contains("BOM"));
            }
        }
    }
}

// Finding 11 -----------------------------------------------------------------

#[test]
fn a_0x1a_inside_the_last_record_is_data_and_its_reject_is_verbatim() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = csv_layout(tmp.path(), false);
    // UTF-16BE with an odd byte count ending in a misaligned 00 1A.
    let mut odd = utf16(&"1,a\r\n".repeat(5), true);
    let last = [&utf16("2,b", true)[..], b"\x41\x00\x1A"].concat();
    odd.extend_from_slice(&last);
    // An unclosed quoted last record ending in 0x1A.
    let open = b"1,a\r\n2,\"x\x1A".to_vec();
    for (name, enc, bytes, last) in [
        ("odd.csv", "utf-16be", odd.clone(), last),
        ("open.csv", "utf-8", open, b"2,\"x\x1A".to_vec()),
    ] {
        let input = tmp.path().join(name);
        fs::write(&input, &bytes).unwrap();
        let out = tmp.path().join(format!("o-{name}"));
        let (code, err) = convert(&layout, &out, &["--encoding", enc], &input);
        assert_eq!(code, 3, "{name}: {err}");
        let rejects =
            read_lines(&fs::read(out.join(name.replace(".csv", ".rejects.csv"))).unwrap()).unwrap();
        assert_eq!(rejects.len(), 1, "{name}");
        assert_eq!(
            rejects[0].original, last,
            "{name}: the reject is the record as it is in the file"
        );
        assert_eq!(
            read_manifest(&out)["inputs"][0]["eof_marker"],
            false,
            "{name}"
        );
    }
    // A 0x1A after the last complete record is still a marker.
    let input = tmp.path().join("dos.csv");
    fs::write(&input, b"1,a\r\n2,\"b\"\r\n\x1A").unwrap();
    let out = tmp.path().join("o-dos");
    let (code, err) = convert(&layout, &out, &["--encoding", "utf-8"], &input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read_manifest(&out)["inputs"][0]["eof_marker"], true);
}

// Finding 9 ------------------------------------------------------------------

/// Runs a file through the workers; `during` changes it while the first chunk's
/// result is consumed (the reader is then at most a few chunks in, far from the end).
fn read_while(during: impl Fn(&Path)) -> Result<ikou::split::StreamInfo, ikou::Error> {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("growing.csv");
    let text: String = (0..200_000).map(|i| format!("{i},x\n")).collect();
    fs::write(&path, text).unwrap();
    // Built field by field, as a library caller may.
    let cfg = ikou::split::SplitConfig {
        framing: ikou::split::Framing::Csv {
            delimiter: b',',
            quote: b'"',
        },
        encoding: ikou::decode::Encoding::Utf8,
        chunk_bytes: 4096,
        max_record: 1 << 20,
    };
    let workers = ikou::parallel::Workers::new(1).unwrap();
    workers.run_file(
        &path,
        cfg,
        |c| c.seq,
        |seq| {
            if seq == 0 {
                during(&path);
            }
            Ok(())
        },
    )
}

#[test]
fn a_file_that_grows_or_shrinks_while_it_is_read_stops_the_run() {
    assert!(read_while(|_| {}).is_ok());
    let e = read_while(|p| {
        use std::io::Write;
        let mut f = fs::OpenOptions::new().append(true).open(p).unwrap();
        f.write_all(b"200000,x\n".repeat(100_000).as_slice())
            .unwrap();
    })
    .unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert!(e.to_string().contains("grew while it was read"), "{e}");
    let e = read_while(|p| {
        fs::OpenOptions::new()
            .write(true)
            .open(p)
            .unwrap()
            .set_len(500_000)
            .unwrap();
    })
    .unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert!(e.to_string().contains("shrank while it was read"), "{e}");
}
