//! Code conversion table parsing (`ikou::target::codes`, the tables of
//! `convert --to` target layouts) on arbitrary bytes.
//!
//! Checks: no panic; errors name lines of the file (0 for the whole file);
//! lines come in order; the strict parse succeeds exactly when the lenient one
//! found no error and no old code twice with different new codes; then every
//! line's old code (also padded with spaces) looks up its first line's new code,
//! and the table written back as TSV parses to the same lines.
#![no_main]

use ikou::target::codes::{parse, parse_lines};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    let lines = data.split(|&b| b == b'\n').count();
    let p = parse_lines(data);
    for (line, e) in &p.errors {
        assert!(*line <= lines, "error on line {line} of {lines}: {e}");
    }
    let mut last = 0;
    let mut first: HashMap<&str, &str> = HashMap::new();
    let mut conflict = false;
    for l in &p.lines {
        assert!(l.line > last && l.line <= lines, "lines in order");
        last = l.line;
        assert!(!l.old.is_empty());
        match first.get(l.old.as_str()) {
            Some(&new) => conflict |= new != l.new,
            None => {
                first.insert(&l.old, &l.new);
            }
        }
    }
    let strict = parse(data, "fuzz.tsv");
    assert_eq!(
        strict.is_ok(),
        p.errors.is_empty() && !conflict,
        "strict parse agrees with the lines: {strict:?}"
    );
    let Ok(t) = strict else {
        return;
    };
    for (old, new) in &first {
        for key in [old.to_string(), format!(" {old}\u{3000}")] {
            let k = t.lookup(&key).expect("every old code is found");
            assert_eq!(t.new_code(k), *new);
        }
    }
    let text: String = t
        .lines
        .iter()
        .map(|l| format!("{}\t{}\n", l.old, l.new))
        .collect();
    let again = parse_lines(text.as_bytes());
    assert!(again.errors.is_empty(), "written back: {:?}", again.errors);
    let pairs = |ls: &[ikou::target::codes::CodeLine]| -> Vec<(String, String)> {
        ls.iter().map(|l| (l.old.clone(), l.new.clone())).collect()
    };
    // A first line "old<TAB>new" written back would read as a header.
    if t.lines.first().is_none_or(|l| l.old != "old" || l.new != "new") {
        assert_eq!(pairs(&again.lines), pairs(&t.lines));
    }
});
