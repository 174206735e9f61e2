//! `<stem>.rejects.csv` as a clerk reads it: a header, the key, the item and its
//! position, the record's items (sensitive ones hidden), then the byte offset
//! and the original bytes (base64) last; `--rejects-excel` adds a UTF-8 BOM.

mod common;

use common::{convert_sample_layout, read_manifest, run, s, testdata};
use ikou::reject::{HEADER, read_lines};
use std::fs;
use std::path::Path;

const GAIJI: &str = "testdata/gaiji/sample.tsv";

fn header_line() -> String {
    format!("{}\r\n", HEADER.join(","))
}

fn convert(out: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["--gaiji", GAIJI];
    args.extend_from_slice(extra);
    let (code, err) = convert_sample_layout(out, &args, &[&testdata("juki_kojin.csv")]);
    assert_eq!(code, 3, "some records are rejected: {err}");
    fs::read(out.join("juki_kojin.rejects.csv")).unwrap()
}

#[test]
fn the_reject_file_has_a_header_and_columns_a_clerk_can_act_on() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = convert(dir.path(), &[]);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with(&header_line()), "{text}");
    assert!(text.starts_with(
        "レコード番号,理由コード,理由,キー,項目,位置,レコード内容,バイト位置,元のバイト(base64)\r\n"
    ));

    let rej = read_lines(&bytes).unwrap();
    let by = |n: u64| rej.iter().find(|r| r.record == n).unwrap();
    // An item's rule broken: the key, the item and where it is, the items as read.
    let r = by(10);
    assert_eq!(
        (r.code.as_str(), r.key.as_str()),
        ("too-long", "000000000000010")
    );
    assert_eq!((r.item.as_str(), r.position.as_str()), ("氏名", "2項目目"));
    let items: Vec<&str> = r.content.split('|').collect();
    assert_eq!(items.len(), 7, "{}", r.content);
    assert_eq!(items[0], "000000000000010");
    assert_eq!(items[1], "長".repeat(41));
    assert_eq!(items[6], "*****", "個人番号 is sensitive: {}", r.content);
    // Not read into items (undecodable, wrong item count): no key, no content.
    for n in [9, 12] {
        let r = by(n);
        assert_eq!((r.key.as_str(), r.content.as_str()), ("", ""), "record {n}");
    }
    assert_eq!(by(12).position, "2項目目", "the item is known all the same");
    // A reject about the key item itself names no key (its value is what is wrong).
    assert_eq!(
        (by(11).item.as_str(), by(11).key.as_str()),
        ("宛名番号", "")
    );

    // Nothing lost: each record's original bytes are the input's at its offset.
    let input = fs::read(testdata("juki_kojin.csv")).unwrap();
    for r in &rej {
        let at = r.offset as usize;
        assert_eq!(
            &input[at..at + r.original.len()],
            &r.original[..],
            "record {}",
            r.record
        );
    }
    // Counts are of records, not lines.
    let m = read_manifest(dir.path());
    assert_eq!(m["rejects"][0]["records"], rej.len());
    assert_eq!(m["counts"]["rejected"], rej.len());
    assert!(m["options"]["extra"].get("rejects_bom").is_none());
    let (code, out, _) = run(&["verify", "--inputs", s(dir.path())]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn rejects_excel_starts_the_file_with_a_bom_and_it_still_verifies() {
    let plain = tempfile::tempdir().unwrap();
    let excel = tempfile::tempdir().unwrap();
    let without = convert(plain.path(), &[]);
    let with = convert(excel.path(), &["--rejects-excel"]);
    assert!(with.starts_with(b"\xEF\xBB\xBF"));
    assert!(with[3..].starts_with(header_line().as_bytes()));
    assert_eq!(&with[3..], &without[..], "the BOM is the only difference");
    assert_eq!(read_lines(&with).unwrap(), read_lines(&without).unwrap());

    let m = read_manifest(excel.path());
    assert_eq!(m["options"]["extra"]["rejects_bom"], "true");
    assert_eq!(m["counts"], read_manifest(plain.path())["counts"]);
    assert_eq!(m["rejects"][0]["records"], read_lines(&with).unwrap().len());
    let (code, out, err) = run(&["verify", "--inputs", s(excel.path())]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("OK"), "{out}");
}

#[test]
fn a_file_of_rejects_only_converts_and_verifies() {
    // Every record is rejected: one item too few, or (read into its items, one
    // holding a quoted line break) for the kana item.
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("all.csv");
    let n = 20_000u64;
    let mut data = Vec::new();
    for i in 0..n {
        if i % 7 == 0 {
            data.extend_from_slice(
                format!("{i:015},\"a\r\nb\",x,19800101,1,c,123456789012\r\n").as_bytes(),
            );
        } else {
            data.extend_from_slice(format!("{i:015},y,x\r\n").as_bytes());
        }
    }
    fs::write(&input, &data).unwrap();
    let out = tmp.path().join("out");
    let (code, err) =
        convert_sample_layout(&out, &["--jobs", "2", "--chunk-bytes", "65536"], &[&input]);
    assert_eq!(code, 3, "{err}");
    let bytes = fs::read(out.join("all.rejects.csv")).unwrap();
    let rej = read_lines(&bytes).unwrap();
    assert_eq!(rej.len() as u64, n);
    assert_eq!(read_manifest(&out)["rejects"][0]["records"], n);
    let split = rej.iter().find(|r| r.record == 1).unwrap();
    assert_eq!(split.content, "000000000000000|a↵b|x|19800101|1|c|*****");
    // One line per reject after the header, whatever the record holds.
    assert_eq!(bytes.split(|&b| b == b'\n').count() as u64, n + 2);
    let (code, stdout, _) = run(&["verify", "--inputs", s(&out)]);
    assert_eq!(code, 0, "{stdout}");
}
