//! JOBS.toml parsing (`ikou::batch::jobs::parse`) on arbitrary bytes.
//!
//! Checks: no panic; a file that parses keeps the promises `batch run` relies on:
//! at least one job, unique ids that are usable as names (no `/`, not starting
//! with `.`), distinct out directories, every number in range, indexes in order.
#![no_main]

use ikou::batch::jobs::{self, MAX_JOBS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(spec) = jobs::parse(text, "fuzz.toml") else {
        return;
    };
    assert!(!spec.jobs.is_empty() && spec.jobs.len() <= MAX_JOBS);
    let mut ids = std::collections::HashSet::new();
    let mut outs = std::collections::HashSet::new();
    for (i, j) in spec.jobs.iter().enumerate() {
        assert_eq!(j.index, i);
        assert!(j.line >= 1 && j.line <= text.lines().count().max(1));
        assert!(!j.id.is_empty() && !j.id.starts_with('.') && !j.id.contains('/'));
        assert!(ids.insert(j.id.clone()), "duplicate id {:?}", j.id);
        assert!(outs.insert(j.out.clone()), "duplicate out {:?}", j.out);
        assert!(!j.inputs.is_empty());
        assert!(j.chunk_bytes >= 1 && j.max_record >= 1);
        assert!(j.threads.is_none_or(|t| (1..=256).contains(&t)));
    }
});
