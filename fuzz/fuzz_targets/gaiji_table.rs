//! 外字 table parsing (`ikou::gaiji::table::parse`) and the map stage built from
//! the table (`Mapper::new`, `Mapper::map`) on arbitrary text.
//!
//! Input: byte 0 picks the encoding (the meaning of `0xHHHH` sources) and the map
//! options; the rest is the table (UTF-8, invalid bytes replaced). Checks: no
//! panic; findings and entries name lines of the table, in order; sources are
//! unique, no target is private-use; every entry's source and target read back
//! from its own notation; a table without errors builds a Mapper, which maps each
//! source (and a line of the table as text) without panicking.
#![no_main]

use ikou::decode::Encoding;
use ikou::gaiji::table::{Severity, TargetSpec, parse, parse_source, parse_target};
use ikou::gaiji::{MapEvents, MapOptions, Mapper, TableSource, UnmappedPolicy, VariantPolicy};
use ikou::mj::IvsPolicy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let enc = Encoding::ALL[pick as usize % Encoding::ALL.len()];
    let text = String::from_utf8_lossy(rest);
    let lines = text.lines().count();
    let (entries, findings) = parse(&text, "fuzz.tsv", enc);
    for f in &findings {
        assert!(
            f.line >= 1 && f.line <= lines,
            "finding on line {} of {lines}",
            f.line
        );
        let _ = f.to_string();
    }
    let mut last = 0;
    let mut seen = std::collections::HashSet::new();
    for e in &entries {
        assert!(e.line > last && e.line <= lines, "entry lines in order");
        last = e.line;
        assert!(seen.insert(e.source), "source {:?} twice", e.source);
        assert_eq!(
            parse_source(&e.source_text, enc),
            Ok(e.source),
            "the source reads back"
        );
        assert_eq!(
            parse_target(&e.target.notation()).as_ref(),
            Ok(&e.target),
            "the target reads back"
        );
        if let TargetSpec::Chars(s) = &e.target {
            assert!(
                !s.chars().any(ikou::gaiji::is_user_defined),
                "private-use target"
            );
        }
    }

    let errors = findings.iter().any(|f| f.severity == Severity::Error);
    let options = MapOptions {
        ivs: [None, Some(IvsPolicy::Keep), Some(IvsPolicy::Never)][(pick as usize >> 3) % 3],
        variants: if pick & 0x20 == 0 {
            VariantPolicy::default()
        } else {
            VariantPolicy::Cp932
        },
        unmapped: [
            UnmappedPolicy::Reject,
            UnmappedPolicy::Geta,
            UnmappedPolicy::Fail,
        ][(pick as usize >> 6) % 3],
        nfc_safe: pick & 0x80 != 0,
        ..MapOptions::default()
    };
    let source = TableSource {
        path: "fuzz.tsv".into(),
        text: text.to_string(),
        sha256: String::new(),
    };
    let mapper = match Mapper::new(&[source], enc, options) {
        Ok(m) => m,
        Err(_) => return, // unknown MJ names and the like are errors only the Mapper finds
    };
    assert!(!errors, "a table with errors built a Mapper");
    let mut ev = MapEvents::default();
    let mut out = String::new();
    let all: String = entries.iter().map(|e| e.source).collect();
    for value in [all.as_str(), text.lines().next().unwrap_or("")] {
        out.clear();
        if mapper.needs_work(value) {
            let _ = mapper.map(value, &mut out, &mut ev);
        }
    }
});
