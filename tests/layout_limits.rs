//! Numbers in a layout file near the integer limits: refused at load with a
//! message naming the layout file and the item (exit 2), never wrapped, never
//! buffering a whole file as one record.

mod common;

use common::{run, s};
use ikou::layout::{Format, MAX_RECORD_LENGTH, parse};
use proptest::prelude::*;

fn fixed(record_length: &str, a: (&str, &str), b: (&str, &str), newline: bool) -> String {
    format!(
        "name = \"f\"\nformat = \"fixed\"\nrecord_length = {record_length}\nnewline = {newline}\n\
         [[fields]]\nname = \"a\"\noffset = {}\nlength = {}\n\
         [[fields]]\nname = \"b\"\noffset = {}\nlength = {}\n",
        a.0, a.1, b.0, b.1
    )
}

/// Finding 8: `off + n` wrapped, so an item at offset u64::MAX passed and was
/// empty on every record.
#[test]
fn an_offset_near_u64_max_is_refused_naming_file_and_item() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("wrap.toml");
    std::fs::write(
        &p,
        fixed("4", ("0", "2"), ("18446744073709551615", "1"), true),
    )
    .unwrap();
    let (code, _, err) = run(&["layouts", s(&p)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("wrap.toml") && err.contains("\"b\""), "{err}");
    assert!(err.contains("offset"), "{err}");
    // The sum wrapping to exactly the record's end, with small parts each.
    let e = parse(
        fixed("4", ("0", "2"), ("2", "18446744073709551615"), true).as_bytes(),
        "x.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("x.toml") && e.contains("\"b\""), "{e}");
}

/// Finding 12 (layout side): a record_length of 2^63-1 without line ends made
/// the reader buffer the whole file as one record.
#[test]
fn a_huge_record_length_is_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.toml");
    std::fs::write(
        &p,
        fixed(
            "9223372036854775807",
            ("0", "2"),
            ("2", "9223372036854775805"),
            false,
        ),
    )
    .unwrap();
    let (code, _, err) = run(&["layouts", s(&p)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("huge.toml") && err.contains("record_length") && err.contains("1 MiB"),
        "{err}"
    );
    let input = dir.path().join("in.dat");
    std::fs::write(&input, b"abcd").unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = run(&[
        "convert",
        s(&input),
        "--layout",
        s(&p),
        "--encoding",
        "cp932",
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("record_length"), "{err}");
}

#[test]
fn the_limit_itself_is_allowed_and_one_more_is_not() {
    let m = MAX_RECORD_LENGTH.to_string();
    let ok = fixed(
        &m,
        ("0", "2"),
        ("2", &(MAX_RECORD_LENGTH - 2).to_string()),
        false,
    );
    assert!(parse(ok.as_bytes(), "t").is_ok());
    let one_more = (MAX_RECORD_LENGTH + 1).to_string();
    let e = parse(
        fixed(&one_more, ("0", "2"), ("2", "2"), false).as_bytes(),
        "t",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("record_length") && e.contains("1 MiB"), "{e}");
    // csv item lengths are bounded too (characters per item).
    let csv =
        format!("name = \"c\"\nformat = \"csv\"\n[[fields]]\nname = \"a\"\nlength = {one_more}\n");
    let e = parse(csv.as_bytes(), "c.toml").unwrap_err().to_string();
    assert!(
        e.contains("c.toml") && e.contains("\"a\"") && e.contains("length"),
        "{e}"
    );
}

/// Numbers at and near the limits of u32, u64 and usize, and small ones.
fn number() -> impl Strategy<Value = u64> {
    prop_oneof![
        prop::sample::select(vec![
            0,
            1,
            2,
            u32::MAX as u64 - 1,
            u32::MAX as u64,
            u32::MAX as u64 + 1,
            i64::MAX as u64,
            i64::MAX as u64 + 1,
            u64::MAX - 1,
            u64::MAX,
            (usize::MAX - 1) as u64,
            MAX_RECORD_LENGTH as u64 - 1,
            MAX_RECORD_LENGTH as u64,
            MAX_RECORD_LENGTH as u64 + 1,
        ]),
        0u64..64,
        any::<u64>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Load never panics, and what it accepts has every item inside the record.
    #[test]
    fn layout_numbers_near_the_limits(
        rl in number(),
        a in (number(), number()),
        b in (number(), number()),
        newline in any::<bool>(),
    ) {
        let text = fixed(
            &rl.to_string(),
            (&a.0.to_string(), &a.1.to_string()),
            (&b.0.to_string(), &b.1.to_string()),
            newline,
        );
        match std::panic::catch_unwind(|| parse(text.as_bytes(), "p.toml")) {
            Err(_) => prop_assert!(false, "parse panicked on {text}"),
            Ok(Err(e)) => prop_assert!(e.to_string().contains("p.toml"), "{e}"),
            Ok(Ok(l)) => {
                prop_assert_eq!(l.format, Format::Fixed);
                let len = l.record_length.unwrap();
                prop_assert!((1..=MAX_RECORD_LENGTH).contains(&len));
                for f in &l.fields {
                    let end = f.offset.unwrap().checked_add(f.length.unwrap());
                    prop_assert!(end.is_some_and(|e| e <= len), "{} past {len}", f.name);
                }
            }
        }
    }
}
