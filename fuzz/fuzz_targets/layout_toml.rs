//! Layout TOML parsing (`ikou::layout::parse`) on arbitrary bytes; a layout that
//! parses is described (`ikou layouts NAME`) and one record is processed with it.
//!
//! Input: the layout text, optionally followed by a NUL byte and a record (CP932
//! bytes; TOML never holds a NUL, so the split is unambiguous). Checks: no panic;
//! a layout that parses keeps the promises its users rely on (one ASCII delimiter
//! and quote, fixed items inside record_length and apart); processing any record
//! with it either writes one item per field or rejects the record.
#![no_main]

use ikou::decode::Encoding;
use ikou::gaiji::{MapOptions, Mapper};
use ikou::layout::Format;
use ikou::record::{RecordProcessor, Scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, record) = match data.iter().position(|&b| b == 0) {
        Some(nul) => (&data[..nul], Some(&data[nul + 1..])),
        None => (data, None),
    };
    let Ok(layout) = ikou::layout::parse(text, "fuzz.toml") else {
        return;
    };
    assert!(!layout.fields.is_empty());
    let _ = ikou::layout::show::describe(&layout, "fuzz.toml");
    let _ = layout.framing();
    let _ = layout.key_field();
    match layout.format {
        Format::Csv => {
            assert!(layout.delimiter.len() == 1 && layout.quote.len() == 1);
            assert!(layout.delimiter_byte().is_ascii() && layout.quote_byte().is_ascii());
            assert_ne!(layout.delimiter, layout.quote);
        }
        Format::Fixed => {
            let len = layout.record_length.expect("checked");
            let mut spans: Vec<(usize, usize)> = layout
                .fields
                .iter()
                .map(|f| {
                    let (off, n) = (f.offset.expect("checked"), f.length.expect("checked"));
                    let end = off.checked_add(n).expect("offset + length fits");
                    assert!(end <= len, "{:?} runs past record_length", f.name);
                    (off, end)
                })
                .collect();
            spans.sort();
            assert!(
                spans.windows(2).all(|w| w[0].1 <= w[1].0),
                "fixed items overlap"
            );
        }
    }
    let Some(record) = record else { return };
    let mapper = Mapper::new(&[], Encoding::Cp932, MapOptions::default()).expect("no tables");
    let n = layout.fields.len();
    let Ok(p) = RecordProcessor::new(layout, Encoding::Cp932, mapper) else {
        return;
    };
    let mut s = Scratch::default();
    if p.process(record, None, &mut s).is_ok() {
        assert_eq!(s.written().len(), n);
    }
});
