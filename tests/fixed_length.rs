//! Fixed-length records end to end. The files are built here: each item's text is
//! encoded by iconv (glibc, an encoder independent of ikou) and padded byte by byte
//! as a legacy export pads it, then `ikou convert` must give the text back.

mod common;

use common::{iconv, ikou, read_manifest, run, s};
use std::fs;
use std::path::Path;

#[derive(Clone, Copy, PartialEq)]
enum Pad {
    /// 0x20 after the text.
    Sbcs,
    /// The encoding's ideographic space (CP932 0x8140, EUC 0xA1A1) after the text.
    Dbcs,
    /// NUL after the text.
    Nul,
    /// 0x20 before the text (right-aligned numbers).
    Left,
}

/// An item of the test layout: name, byte offset, byte length, padding.
struct Col(&'static str, usize, usize, Pad);

const COLS: [Col; 6] = [
    Col("番号", 0, 6, Pad::Left),
    Col("氏名", 6, 20, Pad::Dbcs),
    Col("氏名カナ", 26, 20, Pad::Sbcs),
    Col("生年月日", 46, 8, Pad::Sbcs),
    Col("性別", 54, 1, Pad::Sbcs),
    Col("住所", 55, 20, Pad::Nul),
];
/// Bytes 75..80 are a 予備 area that the layout leaves out.
const RECORD_LENGTH: usize = 80;

fn layout(newline: bool) -> String {
    format!(
        r#"name = "fixed-test"
format = "fixed"
record_length = {RECORD_LENGTH}
newline = {newline}

[[fields]]
name = "番号"
type = "digits"
offset = 0
length = 6
required = true
key = true

[[fields]]
name = "氏名"
offset = 6
length = 20
required = true

[[fields]]
name = "氏名カナ"
type = "kana"
offset = 26
length = 20

[[fields]]
name = "生年月日"
type = "date"
date = "seireki"
offset = 46
length = 8

[[fields]]
name = "性別"
type = "code"
codes = ["1", "2", "9"]
offset = 54
length = 1

[[fields]]
name = "住所"
offset = 55
length = 20
"#
    )
}

/// (source items, the items ikou must write). Synthetic people only.
fn rows(gaiji: bool) -> Vec<([&'static str; 6], [&'static str; 6])> {
    let g = if gaiji {
        "\u{E000}田　一郎"
    } else {
        "和田　一郎"
    };
    let g_out = if gaiji {
        "\u{20BB7}田　一郎" // U+E000 → J+AEAC (𠮷) in the 外字 table
    } else {
        "和田　一郎"
    };
    vec![
        (
            [
                "1",
                "山田　太郎",
                "ﾔﾏﾀﾞ ﾀﾛｳ",
                "19800401",
                "1",
                "架空市本町1-2",
            ],
            [
                "1",
                "山田　太郎",
                "ヤマダ　タロウ",
                "19800401",
                "1",
                "架空市本町1-2",
            ],
        ),
        (
            ["000002", g, "ﾜﾀﾞ ｲﾁﾛｳ", "19700115", "1", "架空市東町"],
            [
                "000002",
                g_out,
                "ワダ　イチロウ",
                "19700115",
                "1",
                "架空市東町",
            ],
        ),
        (
            [
                "3",
                "佐藤花子",
                "サトウ　ハナコ",
                "20000229",
                "2",
                "架空市西町三丁目",
            ],
            [
                "3",
                "佐藤花子",
                "サトウ　ハナコ",
                "20000229",
                "2",
                "架空市西町三丁目",
            ],
        ),
        (
            // Items that fill their slice exactly: nothing to trim.
            [
                "123456",
                "一二三四五六七八九十",
                "アイウエオカキクケコ",
                "19991231",
                "9",
                "架空県見本市見本町１",
            ],
            [
                "123456",
                "一二三四五六七八九十",
                "アイウエオカキクケコ",
                "19991231",
                "9",
                "架空県見本市見本町１",
            ],
        ),
    ]
}

/// Encodes every string with iconv in one call (LF never occurs inside a
/// CP932/EUC-JP character, so it separates them).
fn encode_all(texts: &[&str], charset: &str) -> Vec<Vec<u8>> {
    let joined = texts.join("\n") + "\n";
    let bytes = iconv(joined.as_bytes(), "UTF-8", charset);
    let mut parts: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    parts.pop();
    assert_eq!(parts.len(), texts.len());
    parts
}

/// One record: every item encoded and padded into its slice, the 予備 area filled with 0x20.
fn record(items: &[&str], charset: &str) -> Vec<u8> {
    let mut texts = items.to_vec();
    texts.push("\u{3000}");
    let enc = encode_all(&texts, charset);
    let dbcs = enc[items.len()].clone();
    assert_eq!(dbcs.len(), 2, "{charset} writes U+3000 in two bytes");
    let mut rec = vec![b' '; RECORD_LENGTH];
    for (Col(name, off, len, pad), bytes) in COLS.iter().zip(&enc) {
        assert!(bytes.len() <= *len, "{name}: test data too long");
        let fill = len - bytes.len();
        let padding: Vec<u8> = match pad {
            Pad::Sbcs | Pad::Left => vec![b' '; fill],
            Pad::Nul => vec![0; fill],
            Pad::Dbcs => {
                assert_eq!(fill % 2, 0, "{name}: DBCS padding needs an even gap");
                dbcs.repeat(fill / 2)
            }
        };
        let item = if *pad == Pad::Left {
            [padding, bytes.clone()].concat()
        } else {
            [bytes.clone(), padding].concat()
        };
        rec[*off..off + len].copy_from_slice(&item);
    }
    rec
}

fn file(rows: &[[&str; 6]], charset: &str, line_end: &[u8]) -> Vec<u8> {
    rows.iter()
        .flat_map(|r| [record(r, charset), line_end.to_vec()].concat())
        .collect()
}

/// Runs `ikou convert` in the repository root; (exit code, stderr).
fn convert(layout: &Path, out: &Path, extra: &[&str], input: &Path) -> (i32, String) {
    let mut args = vec!["convert", "--layout", s(layout), "--out", s(out)];
    args.extend_from_slice(extra);
    args.push(s(input));
    let o = ikou()
        .current_dir(common::root())
        .args(&args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn expected_csv(rows: &[[&str; 6]]) -> String {
    rows.iter().map(|r| r.join(",") + "\r\n").collect()
}

fn cleansing_count(m: &serde_json::Value, item: &str, rule: &str) -> u64 {
    m["cleansing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["item"] == item && c["rule"] == rule)
        .map_or(0, |c| c["count"].as_u64().unwrap())
}

/// Converts a file built from `rows()` and checks the output item by item.
fn round_trip(encoding: &str, charset: &str, line_end: &[u8], eof_marker: bool, gaiji: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let layout_path = tmp.path().join("fixed.toml");
    fs::write(&layout_path, layout(!line_end.is_empty())).unwrap();
    let rows = rows(gaiji);
    let source: Vec<[&str; 6]> = rows.iter().map(|r| r.0).collect();
    let want: Vec<[&str; 6]> = rows.iter().map(|r| r.1).collect();
    let mut bytes = file(&source, charset, line_end);
    if eof_marker {
        bytes.push(0x1A);
    }
    let input = tmp.path().join("kojin.dat");
    fs::write(&input, &bytes).unwrap();
    // testdata/gaiji/sample.tsv also names CP932 bytes, which EUC-JP inputs refuse.
    let gaiji_table = tmp.path().join("gaiji.tsv");
    fs::write(&gaiji_table, "source\ttarget\nU+E000\tJ+AEAC\n").unwrap();
    let mut reference = None;
    // Chunks of one byte and of a megabyte, one and two workers: the same output.
    for (jobs, chunk) in [("1", "1048576"), ("2", "1")] {
        let out = tmp.path().join(format!("out-{jobs}"));
        let (code, err) = convert(
            &layout_path,
            &out,
            &[
                "--encoding",
                encoding,
                "--gaiji",
                s(&gaiji_table),
                "--jobs",
                jobs,
                "--chunk-bytes",
                chunk,
            ],
            &input,
        );
        let what = format!("{encoding}, line end {line_end:?}, jobs {jobs}");
        assert_eq!(code, 0, "{what}: {err}");
        let csv = fs::read_to_string(out.join("kojin.csv")).unwrap();
        assert_eq!(csv, expected_csv(&want), "{what}");
        let rej = fs::read(out.join("kojin.rejects.csv")).unwrap();
        assert_eq!(ikou::reject::read_lines(&rej).unwrap(), [], "{what}");
        let m = read_manifest(&out);
        assert_eq!(m["counts"]["read"], rows.len(), "{what}");
        assert_eq!(m["inputs"][0]["eof_marker"], eof_marker, "{what}");
        // Every padded item was trimmed once, counted by the kind of padding.
        let padded = |col: usize| {
            source
                .iter()
                .filter(|r| encode_all(&[r[col]], charset)[0].len() < COLS[col].2)
                .count() as u64
        };
        assert_eq!(
            cleansing_count(&m, "氏名", "trim-trailing-fullwidth-space"),
            padded(1),
            "{what}"
        );
        assert_eq!(cleansing_count(&m, "住所", "trim-nul"), padded(5), "{what}");
        assert_eq!(
            cleansing_count(&m, "番号", "trim-leading-space"),
            padded(0),
            "{what}"
        );
        assert_eq!(
            cleansing_count(&m, "氏名カナ", "trim-trailing-space"),
            padded(2),
            "{what}"
        );
        let (code, report, _) = run(&["verify", s(&out)]);
        assert_eq!(code, 0, "{what}: {report}");
        let files: Vec<Vec<u8>> = ["kojin.csv", "manifest.json"]
            .iter()
            .map(|f| fs::read(out.join(f)).unwrap())
            .collect();
        match &reference {
            None => reference = Some(files),
            Some(r) => assert!(r == &files, "{what}: output differs with other jobs/chunks"),
        }
    }
}

#[test]
fn cp932_with_crlf_and_sbcs_dbcs_nul_padding() {
    round_trip("cp932", "CP932", b"\r\n", false, true);
}

#[test]
fn cp932_without_line_ends_and_with_an_eof_marker() {
    round_trip("cp932", "CP932", b"", true, true);
}

#[test]
fn euc_jp_with_lf_and_a1a1_padding() {
    round_trip("euc-jp", "EUC-JP", b"\n", false, false);
}

#[test]
fn eucjp_ms_with_user_defined_rows_with_and_without_line_ends() {
    round_trip("eucjp-ms", "EUC-JP-MS", b"\r\n", true, true);
    round_trip("eucjp-ms", "EUC-JP-MS", b"", false, true);
}

/// The reject lines of `dir/<stem>.rejects.csv`: (record, code, message, original bytes, offset, item).
fn rejects(path: &Path) -> Vec<(u64, String, String, Vec<u8>, usize, String)> {
    ikou::reject::read_lines(&fs::read(path).unwrap())
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.record,
                r.code,
                r.message,
                r.original,
                r.offset as usize,
                r.item,
            )
        })
        .collect()
}

#[test]
fn a_record_of_the_wrong_length_is_rejected_whole_and_the_next_survive() {
    let tmp = tempfile::tempdir().unwrap();
    let rows: Vec<[&str; 6]> = rows(true).iter().map(|r| r.0).collect();
    let good = |i: usize| record(&rows[i], "CP932");

    // With line ends: one record 3 bytes short, one 2 bytes long, then a blank line.
    let short = good(1)[..RECORD_LENGTH - 3].to_vec();
    let long = [good(2), b"xx".to_vec()].concat();
    let parts: Vec<Vec<u8>> = vec![good(0), short.clone(), long.clone(), vec![], good(3)];
    let bytes: Vec<u8> = parts
        .iter()
        .flat_map(|p| [&p[..], b"\r\n"].concat())
        .collect();
    let layout_path = tmp.path().join("nl.toml");
    fs::write(&layout_path, layout(true)).unwrap();
    let input = tmp.path().join("nl.dat");
    fs::write(&input, &bytes).unwrap();
    let out = tmp.path().join("out-nl");
    let (code, err) = convert(&layout_path, &out, &["--unmapped", "geta"], &input);
    assert_eq!(code, 3, "{err}");
    let csv = fs::read_to_string(out.join("nl.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(
        csv.starts_with("1,山田") && csv.contains("123456,"),
        "{csv}"
    );
    let rej = rejects(&out.join("nl.rejects.csv"));
    let got: Vec<(u64, &str, &[u8])> = rej
        .iter()
        .map(|r| (r.0, r.1.as_str(), r.3.as_slice()))
        .collect();
    assert_eq!(
        got,
        vec![
            (2, "wrong-length", &short[..]),
            (3, "wrong-length", &long[..]),
        ]
    );
    // The blank line (record 4) is counted, as in CSV, not rejected.
    let m = read_manifest(&out);
    assert_eq!(m["inputs"][0]["blank_lines"], 1);
    assert_eq!(m["counts"]["read"], 4);
    for r in &rej {
        assert_eq!(
            &bytes[r.4..r.4 + r.3.len()],
            &r.3[..],
            "offset of record {}",
            r.0
        );
    }
    assert!(
        rej[0].2.contains(&format!("{}バイト", RECORD_LENGTH - 3))
            && rej[0].2.contains(&format!("{RECORD_LENGTH}バイト")),
        "{}",
        rej[0].2
    );

    // Without line ends, only the end of the file can be short; the whole records before it are kept.
    let bytes = [good(0), good(3), good(2)[..50].to_vec()].concat();
    let layout_path = tmp.path().join("raw.toml");
    fs::write(&layout_path, layout(false)).unwrap();
    let input = tmp.path().join("raw.dat");
    fs::write(&input, &bytes).unwrap();
    let out = tmp.path().join("out-raw");
    let (code, err) = convert(&layout_path, &out, &[], &input);
    assert_eq!(code, 3, "{err}");
    assert_eq!(
        fs::read_to_string(out.join("raw.csv"))
            .unwrap()
            .lines()
            .count(),
        2
    );
    let rej = rejects(&out.join("raw.rejects.csv"));
    assert_eq!(rej.len(), 1);
    assert_eq!((rej[0].0, rej[0].1.as_str()), (3, "wrong-length"));
    assert_eq!((rej[0].3.as_slice(), rej[0].4), (&bytes[160..], 160));
    let m = read_manifest(&out);
    assert_eq!(m["counts"]["read"], 3);
    let (code, report, _) = run(&["verify", s(&out)]);
    assert_eq!(code, 0, "{report}");
}

/// Layout with 氏名 one byte shorter than in the file, so a character in its last
/// two bytes is cut in half.
fn cut_layout() -> String {
    layout(true).replace("offset = 6\nlength = 20", "offset = 6\nlength = 19")
}

#[test]
fn an_item_that_cuts_a_double_byte_character_is_rejected_naming_the_item() {
    for (encoding, charset) in [("cp932", "CP932"), ("euc-jp", "EUC-JP")] {
        let tmp = tempfile::tempdir().unwrap();
        let layout_path = tmp.path().join("cut.toml");
        fs::write(&layout_path, cut_layout()).unwrap();
        // Record 1 fills 氏名 to the last byte; record 2 is padded with 0x20 after
        // 10 bytes of text, so byte 25 is a space and the cut hurts no character.
        let mut r2 = record(&rows(false)[0].0, charset);
        let name = encode_all(&["山田　太郎"], charset).remove(0);
        r2[6..26].copy_from_slice(&[name, vec![b' '; 10]].concat());
        let bytes = [
            record(&rows(false)[3].0, charset),
            b"\r\n".to_vec(),
            r2,
            b"\r\n".to_vec(),
        ]
        .concat();
        let input = tmp.path().join("cut.dat");
        fs::write(&input, &bytes).unwrap();
        let out = tmp.path().join("out");
        let (code, err) = convert(&layout_path, &out, &["--encoding", encoding], &input);
        assert_eq!(code, 3, "{encoding}: {err}");
        let csv = fs::read_to_string(out.join("cut.csv")).unwrap();
        assert!(csv.starts_with("1,山田　太郎,ヤマダ　タロウ,"), "{csv}");
        let rej = rejects(&out.join("cut.rejects.csv"));
        assert_eq!(rej.len(), 1, "{encoding}");
        let (n, code, message, original, _, item) = &rej[0];
        assert_eq!(
            (*n, code.as_str(), item.as_str()),
            (1, "cut-character", "氏名")
        );
        assert_eq!(original, &bytes[..RECORD_LENGTH]);
        // Bytes 7–25 (1-based); 十 is bytes 25–26.
        for part in [
            "氏名",
            "7〜25バイト目",
            "終わり",
            "（25〜26バイト目の文字）",
            "2バイト文字",
            "offset",
            "length",
        ] {
            assert!(
                message.contains(part),
                "{encoding}: {part:?} missing in {message}"
            );
        }
        assert!(
            !message.contains("十"),
            "no item value in messages: {message}"
        );
    }
}

#[test]
fn nul_padded_files_are_not_mistaken_for_utf16() {
    // Mostly-NUL records (long NUL-padded items) are common in fixed-length exports.
    let tmp = tempfile::tempdir().unwrap();
    let layout_path = tmp.path().join("nul.toml");
    fs::write(
        &layout_path,
        r#"name = "nul"
format = "fixed"
record_length = 64
newline = true
[[fields]]
name = "番号"
type = "digits"
offset = 0
length = 4
[[fields]]
name = "備考"
offset = 4
length = 60
"#,
    )
    .unwrap();
    let mut bytes = Vec::new();
    for i in 0..50 {
        let text = encode_all(&[&format!("{i:04}架空")], "CP932").remove(0);
        let mut rec = text.clone();
        rec.resize(64, 0);
        bytes.extend(rec);
        bytes.extend(b"\r\n");
    }
    let input = tmp.path().join("nul.dat");
    fs::write(&input, &bytes).unwrap();
    let out = tmp.path().join("out");
    let (code, err) = convert(&layout_path, &out, &[], &input);
    assert_eq!(code, 0, "{err}");
    let csv = fs::read_to_string(out.join("nul.csv")).unwrap();
    assert_eq!(csv.lines().nth(7), Some("0007,架空"));
    assert_eq!(
        cleansing_count(&read_manifest(&out), "備考", "trim-nul"),
        50
    );
}

#[test]
fn the_fixed_sample_in_testdata_is_its_script_output_and_converts() {
    let tmp = tempfile::tempdir().unwrap();
    let regenerated = tmp.path().join("regenerated.dat");
    let status = std::process::Command::new("python3")
        .arg(common::testdata("make_fixed_sample.py"))
        .arg(&regenerated)
        .output()
        .unwrap();
    assert!(status.status.success());
    let sample = common::testdata("juki_kojin_fixed.dat");
    assert_eq!(fs::read(&regenerated).unwrap(), fs::read(&sample).unwrap());

    let out = tmp.path().join("out");
    let (code, err) = convert(
        &common::testdata("layouts/juki-kojin-fixed.toml"),
        &out,
        &["--gaiji", "testdata/gaiji/sample.tsv"],
        &sample,
    );
    assert_eq!(code, 3, "{err}");
    let m = read_manifest(&out);
    assert_eq!(
        (
            &m["counts"]["read"],
            &m["counts"]["written"],
            &m["counts"]["rejected"]
        ),
        (&6.into(), &5.into(), &1.into())
    );
    let csv = fs::read_to_string(out.join("juki_kojin_fixed.csv")).unwrap();
    assert!(
        csv.contains("000000000000003,\u{20BB7}田　一郎,ヨシダ　イチロウ,19700115,1,"),
        "{csv}"
    );
    let rej = rejects(&out.join("juki_kojin_fixed.rejects.csv"));
    assert_eq!((rej[0].0, rej[0].1.as_str()), (5, "wrong-length"));
}
