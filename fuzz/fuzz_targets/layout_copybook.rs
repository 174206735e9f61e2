//! `ikou layout import FILE.cpy` (`ikou::layout::import::import_bytes`) on
//! arbitrary bytes as a COBOL copybook.
//!
//! Byte 0 picks how the rest is given: bit 0 the file name (`x.cpy`, or `x.txt`,
//! read as a copybook only when its text looks like one), bit 1 a --key, bit 2
//! line ends between records. Checks: no panic, no abort, bounded time; an import
//! that succeeds gives a layout file that parses to the same items, in storage
//! order within the record, and findings that name lines of the input.
#![no_main]

use ikou::layout::import::{ImportOptions, import_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let file = if mode & 1 == 0 { "x.cpy" } else { "x.txt" };
    let opts = ImportOptions {
        key: (mode & 2 != 0).then(|| "宛名番号".to_string()),
        newline: (mode & 4 != 0).then_some(true),
        ..ImportOptions::default()
    };
    let Ok(imported) = import_bytes(rest, file, &opts) else {
        return;
    };
    let again = ikou::layout::parse(imported.toml.as_bytes(), "imported.toml")
        .expect("the imported layout file parses");
    assert_eq!(again.fields.len(), imported.layout.fields.len());
    let record = again.record_length.expect("a fixed layout");
    let mut end = 0usize;
    for (a, b) in again.fields.iter().zip(&imported.layout.fields) {
        assert_eq!((&a.name, a.offset, a.length), (&b.name, b.offset, b.length));
        let (off, len) = (a.offset.expect("offset"), a.length.expect("length"));
        assert!(off >= end, "items in storage order, apart");
        end = off + len;
        assert!(end <= record);
    }
    // A copybook read as text has at most one line per line end, plus one.
    let lines = rest.iter().filter(|&&b| b == b'\n').count() + 1;
    for f in &imported.findings {
        assert!(f.row >= 1 && f.row <= lines, "finding on line {}: {f}", f.row);
        let _ = f.to_string();
    }
});
