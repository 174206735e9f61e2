use super::*;
use crate::decode::Encoding;
use crate::gaiji::{MapOptions, Mapper};

const CSV: &str = r#"
name = "r"
format = "csv"
[[records]]
type = "header"
when = { item = "区分", equals = "1" }
fields = [{ name = "区分" }, { name = "作成日" }]
[[records]]
type = "data"
when = { item = "区分", equals = "2" }
fields = [{ name = "区分" }, { name = "番号", type = "digits" }, { name = "税額", type = "number" }]
[[records]]
type = "trailer"
when = { item = "区分", equals = "9" }
fields = [
  { name = "区分" },
  { name = "件数", type = "digits", count_of = "data" },
  { name = "合計", type = "number", sum_of = { type = "data", item = "税額" } },
]
"#;

fn types(text: &str, enc: Encoding) -> RecordTypes {
    let layout = crate::layout::parse(text.as_bytes(), "r").unwrap();
    let flat = Layout {
        records: Vec::new(),
        ..layout.clone()
    };
    let mapper = Mapper::new(&[], enc, MapOptions::default()).unwrap();
    let base = RecordProcessor::new(flat, enc, mapper).unwrap();
    RecordTypes::new(&layout, &base).unwrap().unwrap()
}

#[test]
fn csv_records_are_told_by_their_first_item() {
    let rt = types(CSV, Encoding::Utf8);
    let (mut buf, mut wrap) = (String::new(), Vec::new());
    let mut kind = |raw: &[u8]| rt.classify(raw, &mut buf, &mut wrap).map_err(|r| r.message);
    assert_eq!(kind(b"1,20260401"), Ok(0));
    assert_eq!(kind(b"2,1,100"), Ok(1));
    assert_eq!(kind(b"\"9\",1,100"), Ok(2), "a quoted first item");
    assert_eq!(kind(b"9"), Ok(2), "a record of one item");
    let e = kind(b"3,1,100").unwrap_err();
    assert!(e.contains("「3」") && e.contains("2=data"), "{e}");
    let e = kind(b"\"2,1\",5").unwrap_err();
    assert!(
        e.contains("「2,1」"),
        "the delimiter inside quotes is not the end: {e}"
    );
}

#[test]
fn utf16_and_shift_encodings_decode_the_whole_record_to_tell_it() {
    let rt = types(CSV, Encoding::Utf16Le);
    let raw: Vec<u8> = "2,1,5".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let (mut buf, mut wrap) = (String::new(), Vec::new());
    assert_eq!(rt.classify(&raw, &mut buf, &mut wrap).ok(), Some(1));
}

const FIXED: &str = r#"
name = "f"
format = "fixed"
record_length = 8
[[records]]
type = "data"
when = { item = "区分", equals = "D" }
fields = [{ name = "区分", offset = 0, length = 1 }, { name = "額", type = "digits", offset = 1, length = 7 }]
[[records]]
type = "trailer"
when = { offset = 0, length = 1, equals = "T" }
fields = [{ name = "件数", type = "packed", digits = 5, offset = 1, length = 3, count_of = "data" }]
"#;

#[test]
fn fixed_records_are_told_by_bytes_in_their_encoding() {
    let rt = types(FIXED, Encoding::JefEbcdik);
    let (mut buf, mut wrap) = (String::new(), Vec::new());
    // EBCDIK 'D' = 0xC4, 'T' = 0xE3.
    let data = [0xC4, 0xF0, 0xF0, 0xF0, 0xF0, 0xF1, 0xF2, 0xF3];
    assert_eq!(rt.classify(&data, &mut buf, &mut wrap).ok(), Some(0));
    let trailer = [0xE3, 0x00, 0x00, 0x2C, 0x40, 0x40, 0x40, 0x40];
    assert_eq!(rt.classify(&trailer, &mut buf, &mut wrap).ok(), Some(1));
    let other = [0xC1, 0, 0, 0, 0, 0, 0, 0];
    let e = rt.classify(&other, &mut buf, &mut wrap).unwrap_err();
    assert_eq!(e.code, UNKNOWN_TYPE);
    assert!(e.message.contains("1〜1バイト目"), "{}", e.message);
}

/// The records of a file as (record, type, value), fed in chunks of `size`.
fn run(rt: &RecordTypes, records: &[(u64, usize, &str)], size: usize) -> Outcome {
    let mut all = rt.partial();
    for chunk in records.chunks(size) {
        let mut p = rt.partial();
        for &(record, t, v) in chunk {
            match rt.types[t].kind {
                RecordKind::Data => {
                    for &(_, slot) in rt.sums_of(t) {
                        p.add_to_sum(slot, record, Some(v));
                    }
                    p.data(t, record, true);
                }
                _ => {
                    let values = rt
                        .checks
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.of_type == t)
                        .map(|(i, c)| {
                            let field = if c.item == 1 {
                                v.split('/').next()
                            } else {
                                v.split('/').nth(1)
                            };
                            (i, Decimal::parse(field.unwrap_or("")).unwrap())
                        })
                        .collect();
                    p.control(t, record, Ok(values));
                }
            }
        }
        all.merge(p);
    }
    all.finish(rt)
}

#[test]
fn findings_and_checks_are_the_same_for_any_chunking() {
    let rt = types(CSV, Encoding::Utf8);
    let good = [
        (1, 0, ""),
        (2, 1, "0.10"),
        (3, 1, "0.20"),
        (4, 1, "-1"),
        (5, 2, "3/-0.7"),
    ];
    for size in 1..=5 {
        let o = run(&rt, &good, size);
        assert!(o.findings.is_empty(), "{:?}", o.findings);
        assert_eq!(o.checks.len(), 2);
        assert!(o.checks.iter().all(|c| c.ok), "{:?}", o.checks);
        assert_eq!(o.checks[1].actual, "-0.70");
    }
    // Out of order: data before the header, a second trailer, data after the trailer.
    let bad = [
        (1, 1, "5"),
        (2, 0, ""),
        (3, 2, "2/5"),
        (4, 1, "7"),
        (5, 1, "1"),
        (6, 2, "3/13"),
    ];
    let first = run(&rt, &bad, 1);
    for size in 2..=6 {
        assert_eq!(run(&rt, &bad, size).findings, first.findings, "size {size}");
        assert_eq!(run(&rt, &bad, size).checks, first.checks, "size {size}");
    }
    let codes: Vec<_> = first.findings.iter().map(|f| (f.code, f.record)).collect();
    assert_eq!(
        codes,
        [
            ("header-not-first", Some(2)),
            ("data-after-trailer", Some(4)),
            ("repeated-trailer", Some(6)),
        ]
    );
    assert!(
        first.findings[1].message.contains("2 data record"),
        "{:?}",
        first.findings[1]
    );
    // The first trailer is checked: 3 data records read, not its 2.
    assert_eq!(
        (
            first.checks[0].expected.as_str(),
            first.checks[0].actual.as_str(),
            first.checks[0].ok
        ),
        ("2", "3", false)
    );
    assert_eq!(
        (first.checks[1].actual.as_str(), first.checks[1].ok),
        ("13", false)
    );
    let none = run(&rt, &[(1, 1, "5")], 1);
    let codes: Vec<_> = none.findings.iter().map(|f| (f.code, f.record)).collect();
    assert_eq!(codes, [("missing-header", None), ("missing-trailer", None)]);
    assert!(none.checks.is_empty());
}
