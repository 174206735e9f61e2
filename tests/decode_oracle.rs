//! Every code point of the legacy encodings, decoded by ikou and by an independent
//! oracle (glibc iconv through Python's ctypes, or Python's codecs).

use ikou::decode::{DecodeErrorKind, Encoding, VARIANTS, decode};
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs tests/oracle/decode.py on `(oracle, bytes)` pairs; None per refused input.
fn oracle(queries: &[(&str, Vec<u8>)]) -> Option<Vec<Option<String>>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/decode.py");
    let mut child = match Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("SKIPPED: python3 is not available ({e}); the oracle tests need it");
            return None;
        }
    };
    let mut input = String::new();
    for (o, b) in queries {
        let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
        input.push_str(&format!("{o} {hex}\n"));
    }
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("python3 ran");
    writer.join().expect("writer").expect("wrote queries");
    assert!(out.status.success(), "oracle failed");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<Option<String>> = text
        .lines()
        .map(|l| (l != "-").then(|| l.to_string()))
        .collect();
    assert_eq!(lines.len(), queries.len());
    Some(lines)
}

fn ours(enc: Encoding, b: &[u8]) -> Option<String> {
    let mut s = String::new();
    decode(enc, b, &mut s).ok()?;
    Some(
        s.chars()
            .map(|c| format!("{:X}", c as u32))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Every single byte, and every lead byte of a double-byte encoding with every trail byte.
fn double_byte_space(leads: impl Iterator<Item = u8> + Clone) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
    for lead in leads {
        for trail in 0..=255u8 {
            v.push(vec![lead, trail]);
        }
    }
    v
}

fn cp932_space() -> Vec<Vec<u8>> {
    double_byte_space((0x81..=0x9F).chain(0xE0..=0xFC))
}

fn euc_space() -> Vec<Vec<u8>> {
    let mut v = double_byte_space(std::iter::once(0x8E).chain(0xA1..=0xFE));
    for row in 0xA1..=0xFEu8 {
        for cell in 0xA1..=0xFEu8 {
            v.push(vec![0x8F, row, cell]);
        }
    }
    v
}

/// Compares ikou against the oracle over `space`; `expect` may adjust the oracle's answer.
fn compare(
    enc: Encoding,
    oracle_name: &str,
    space: &[Vec<u8>],
    expect: impl Fn(&[u8], Option<String>) -> Option<String>,
) {
    let queries: Vec<(&str, Vec<u8>)> = space.iter().map(|b| (oracle_name, b.clone())).collect();
    let Some(answers) = oracle(&queries) else {
        return;
    };
    let mut mismatches = Vec::new();
    let mut decoded = 0;
    for (b, want) in space.iter().zip(answers) {
        let want = expect(b, want);
        let got = ours(enc, b);
        decoded += got.is_some() as usize;
        if got != want {
            mismatches.push(format!("{b:02X?}: ikou {got:?}, oracle {want:?}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} byte sequences differ from {oracle_name}, e.g.\n{}",
        mismatches.len(),
        space.len(),
        mismatches[..mismatches.len().min(60)].join("\n")
    );
    eprintln!(
        "{enc}: {decoded} of {} sequences decode, all as {oracle_name}",
        space.len()
    );
}

#[test]
fn cp932_matches_glibc_iconv_on_every_code() {
    let space = cp932_space();
    compare(Encoding::Cp932, "iconv:CP932", &space, |_, w| w);
    // 外字 area: all 1,880 cells are PUA, none is U+FFFD or a kanji.
    let mut cells = 0;
    for lead in 0xF0..=0xF9u8 {
        for trail in (0x40..=0x7Eu8).chain(0x80..=0xFC) {
            let s = ours(Encoding::Cp932, &[lead, trail]).expect("user-defined cell decodes");
            let cp = u32::from_str_radix(&s, 16).expect("one code point");
            assert!(
                (0xE000..=0xE757).contains(&cp),
                "{lead:02X}{trail:02X} → {s}"
            );
            cells += 1;
        }
    }
    assert_eq!(cells, 1880);
}

#[test]
fn shift_jis_is_cp932_with_the_jis_x_0213_forms() {
    let space = cp932_space();
    // CP932 as oracle, with the JIS forms of the seven characters where the mappings differ.
    let jis: Vec<(String, String)> = VARIANTS
        .iter()
        .map(|(cp, j)| (format!("{:X}", *cp as u32), format!("{:X}", *j as u32)))
        .collect();
    compare(Encoding::ShiftJis, "iconv:CP932", &space, |_, w| {
        w.map(|w| {
            jis.iter()
                .find(|(cp, _)| *cp == w)
                .map_or(w, |(_, j)| j.clone())
        })
    });
    let variant_bytes: Vec<Vec<u8>> = [
        [0x81, 0x60],
        [0x81, 0x61],
        [0x81, 0x7C],
        [0x81, 0x5C],
        [0x81, 0x91],
        [0x81, 0x92],
        [0x81, 0xCA],
    ]
    .iter()
    .map(|b| b.to_vec())
    .collect();
    // glibc SHIFT_JISX0213 follows the JIS X 0213:2004 table (0x815C → U+2014);
    // Python's shift_jis_2004 differs there (U+2015).
    compare(
        Encoding::ShiftJis,
        "iconv:SHIFT_JISX0213",
        &variant_bytes,
        |_, w| w,
    );
}

/// glibc reads a lone byte 0x80–0xA0 in EUC-JP-MS as a C1 control character; in a
/// municipal export such a byte is corruption, so ikou refuses it (the record is rejected).
fn refuse_lone_c1(b: &[u8], w: Option<String>) -> Option<String> {
    if b.len() == 1 && b[0] >= 0x80 {
        None
    } else {
        w
    }
}

#[test]
fn eucjp_ms_matches_glibc_iconv_on_every_code() {
    compare(
        Encoding::EucJpMs,
        "iconv:EUC-JP-MS",
        &euc_space(),
        refuse_lone_c1,
    );
}

fn is_user_defined_row(b: &[u8]) -> bool {
    match b {
        [0x8F, row, _] => *row >= 0xF3,
        [lead, _] => *lead >= 0xF5,
        _ => false,
    }
}

#[test]
fn eucjp_is_eucjp_ms_without_the_user_defined_rows() {
    let space = euc_space();
    // Outside the user-defined rows and eucJP-ms's two JIS X 0212 choices, plain EUC-JP
    // decodes as eucJP-ms does.
    // eucJP-ms reads the seven JIS X 0208 cells of VARIANTS as CP932 does; plain
    // EUC-JP gives them their JIS X 0213 code points.
    let jis_hex = |w: String| {
        w.split(' ')
            .map(|h| {
                VARIANTS
                    .iter()
                    .find(|(cp, _)| format!("{:X}", *cp as u32) == h)
                    .map_or(h.to_string(), |(_, j)| format!("{:X}", *j as u32))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    compare(Encoding::EucJp, "iconv:EUC-JP-MS", &space, |b, w| {
        if is_user_defined_row(b) || b == [0x8F, 0xA2, 0xB7] || b == [0x8F, 0xA2, 0xC3] {
            ours(Encoding::EucJp, b)
        } else if b.len() == 2 {
            refuse_lone_c1(b, w).map(jis_hex)
        } else {
            refuse_lone_c1(b, w)
        }
    });
    // …and the user-defined rows are refused by name, never decoded as IBM kanji.
    for b in space
        .iter()
        .filter(|b| b.len() > 1 && b[b.len() - 1] >= 0xA1)
    {
        let row = if b[0] == 0x8F { b[1] } else { b[0] };
        if row >= 0xF5 && b[b.len() - 1] <= 0xFE {
            let mut s = String::new();
            let e = decode(Encoding::EucJp, b, &mut s).expect_err("user-defined row refused");
            assert_eq!(e.kind, DecodeErrorKind::EucUserDefinedRow, "{b:02X?}");
        }
    }
}

#[test]
fn utf16_matches_python_on_every_bmp_unit_and_some_pairs() {
    let mut space: Vec<Vec<u8>> = (0..=0xFFFFu16).map(|u| u.to_le_bytes().to_vec()).collect();
    for hi in (0xD800..=0xDBFFu16).step_by(61) {
        for lo in (0xDC00..=0xDFFFu16).step_by(97) {
            space.push([hi.to_le_bytes(), lo.to_le_bytes()].concat());
            space.push([lo.to_le_bytes(), hi.to_le_bytes()].concat());
        }
    }
    space.push(vec![0x41]);
    compare(Encoding::Utf16Le, "py:utf-16-le", &space, |_, w| w);
    let be: Vec<Vec<u8>> = space
        .iter()
        .map(|b| b.chunks(2).flat_map(|c| c.iter().rev().copied()).collect())
        .collect();
    compare(Encoding::Utf16Be, "py:utf-16-be", &be, |_, w| w);
}
