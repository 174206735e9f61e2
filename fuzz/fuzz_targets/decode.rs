//! Every decoder on arbitrary bytes. Byte 0 picks the encoding; the rest is decoded.
//! Checks: no panic; output appended (text already in the buffer kept); an error
//! points inside the input at the bytes it names; the text before an error is
//! exactly the decoding of the bytes before it; no U+FFFD is made up; and where a
//! reference exists, the same result as the reference:
//! - cp932: encoding_rs Shift_JIS with the lone byte 0x80 refused (the table
//!   decoder is built from it);
//! - shift_jis: cp932 with the seven JIS X 0213 forms;
//! - euc-jp and eucjp-ms: encoding_rs EUC-JP when no byte reaches the rows the
//!   two treat apart (0x8F, 0xF5–0xFE), euc-jp with the seven JIS X 0213 forms;
//! - utf-8: std; utf-16: String::from_utf16.
#![no_main]

use ikou::decode::{DecodeError, DecodeErrorKind, Encoding, VARIANTS, decode};
use libfuzzer_sys::fuzz_target;

const PREFIX: &str = "前";

/// (text, error offset and bytes)
type Outcome = (String, Option<(usize, Vec<u8>)>);

fn run(enc: Encoding, bytes: &[u8]) -> (Outcome, Option<DecodeError>) {
    let mut out = String::from(PREFIX);
    let r = decode(enc, bytes, &mut out);
    assert!(
        out.starts_with(PREFIX),
        "{enc}: the text already in the buffer was changed"
    );
    let text = out[PREFIX.len()..].to_string();
    let err = r.err();
    (
        (text, err.as_ref().map(|e| (e.offset, e.bytes.clone()))),
        err,
    )
}

/// encoding_rs, reporting the first malformed sequence as ikou does (up to 4 bytes).
fn by_encoding_rs(enc: &'static encoding_rs::Encoding, bytes: &[u8]) -> Outcome {
    use encoding_rs::DecoderResult;
    let mut d = enc.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        d.max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(0),
    );
    let (r, read) = d.decode_to_string_without_replacement(bytes, &mut out, true);
    match r {
        DecoderResult::InputEmpty => (out, None),
        DecoderResult::Malformed(bad, pending) => {
            let at = (read - pending as usize).saturating_sub(bad as usize);
            let end = (at + (bad as usize).clamp(1, 4)).min(bytes.len());
            (out, Some((at, bytes[at..end].to_vec())))
        }
        DecoderResult::OutputFull => panic!("buffer sized by encoding_rs"),
    }
}

/// CP932 as Windows and iconv read it: encoding_rs, but a lone 0x80 is refused.
fn cp932_reference(bytes: &[u8]) -> Outcome {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0x80 => {
                let (text, err) = by_encoding_rs(encoding_rs::SHIFT_JIS, &bytes[..i]);
                return (text, err.or(Some((i, vec![0x80]))));
            }
            0x81..=0x9F | 0xE0..=0xFC => i += 2,
            _ => i += 1,
        }
    }
    by_encoding_rs(encoding_rs::SHIFT_JIS, bytes)
}

/// CP932 text with the seven JIS X 0213 forms.
fn jis_forms(cp932: &str) -> String {
    cp932
        .chars()
        .map(|c| {
            VARIANTS
                .iter()
                .find(|(cp, _)| *cp == c)
                .map_or(c, |(_, j)| *j)
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let enc = Encoding::ALL[pick as usize % Encoding::ALL.len()];
    let ((text, bad), err) = run(enc, bytes);

    if let Some(e) = &err {
        assert!(
            e.offset < bytes.len(),
            "{enc}: error offset {} outside {} bytes",
            e.offset,
            bytes.len()
        );
        assert!(
            !e.bytes.is_empty() && e.bytes.len() <= 4,
            "{enc}: {} bad bytes",
            e.bytes.len()
        );
        assert_eq!(
            &bytes[e.offset..e.offset + e.bytes.len()],
            &e.bytes[..],
            "{enc}: the bad bytes are not at the offset"
        );
        if e.kind == DecodeErrorKind::EucUserDefinedRow {
            assert_eq!(enc, Encoding::EucJp);
        }
        // The text before the error is the decoding of the bytes before it.
        let ((mut before, mut before_err), before_e) = run(enc, &bytes[..e.offset]);
        // In a shift-coded encoding an error inside a double-byte run leaves the
        // bytes before it ending in that run: closed by a shift back, they decode.
        if let (Some(b), Some((_, back))) = (&before_e, enc.shifts())
            && b.kind == DecodeErrorKind::UnclosedShift
        {
            let mut closed = bytes[..e.offset].to_vec();
            closed.extend_from_slice(back);
            ((before, before_err), _) = run(enc, &closed);
        }
        assert_eq!(
            before_err, None,
            "{enc}: the bytes before the error do not decode"
        );
        assert_eq!(text, before, "{enc}: the text left before the error");
    }
    if !matches!(enc, Encoding::Utf8 | Encoding::Utf16Le | Encoding::Utf16Be) {
        assert!(!text.contains('\u{FFFD}'), "{enc}: U+FFFD made up");
    }

    match enc {
        Encoding::Cp932 => assert_eq!((text, bad), cp932_reference(bytes), "cp932 vs encoding_rs"),
        Encoding::ShiftJis => {
            let (cp932, cp932_bad) = cp932_reference(bytes);
            assert_eq!(bad, cp932_bad, "shift_jis fails where cp932 does");
            if bad.is_none() {
                assert_eq!(
                    text,
                    jis_forms(&cp932),
                    "shift_jis = cp932 with the JIS forms"
                );
            }
        }
        Encoding::EucJp | Encoding::EucJpMs => {
            if !bytes.iter().any(|&b| b == 0x8F || b >= 0xF5) {
                let (rs, rs_bad) = by_encoding_rs(encoding_rs::EUC_JP, bytes);
                // Plain EUC-JP gives the seven cells their JIS X 0213 code points.
                let rs = if enc == Encoding::EucJp { jis_forms(&rs) } else { rs };
                assert_eq!((text, bad), (rs, rs_bad), "{enc} vs encoding_rs");
            }
        }
        Encoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(s) => assert_eq!((text.as_str(), bad), (s, None)),
            Err(e) => assert_eq!(bad.map(|b| b.0), Some(e.valid_up_to())),
        },
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|p| {
                    if enc == Encoding::Utf16Le {
                        u16::from_le_bytes([p[0], p[1]])
                    } else {
                        u16::from_be_bytes([p[0], p[1]])
                    }
                })
                .collect();
            let std_ok = bytes.len() % 2 == 0 && String::from_utf16(&units).is_ok();
            assert_eq!(
                bad.is_none(),
                std_ok,
                "{enc}: accepted differently from std"
            );
            if std_ok {
                assert_eq!(text, String::from_utf16(&units).unwrap_or_default());
            }
        }
        // Mainframe codes: the invariants above only; their oracles are glibc/ICU
        // (tests/decode_ibm_oracle.rs) and every table row (tests/mainframe_tables.rs).
        _ => {}
    }
});
