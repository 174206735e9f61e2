//! BDF font reading (`ikou::identify::source::bdf::parse`) on arbitrary bytes.
//!
//! Input: byte 0 picks the codes asked for (every 外字, a PUA range, a byte-code
//! range); the rest is the font. Checks: no panic; a font read has glyphs in code
//! order, each unique and asked for, each with ink and a bitmap of its stated size
//! within the limits; an error names a line or says what the file is not.
#![no_main]

use ikou::identify::source::{Codes, MAX_SIDE, bdf};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let codes = match pick % 3 {
        0 => Codes::all_gaiji(),
        1 => Codes::parse("U+E000-U+E0FF").unwrap(),
        _ => Codes::parse("0xF040-0xF0FC").unwrap(),
    };
    match bdf::parse(rest, &codes) {
        Ok(found) => {
            for w in found.glyphs.windows(2) {
                assert!(w[0].code < w[1].code, "codes in order, unique");
            }
            for g in &found.glyphs {
                assert!(codes.contains(g.code));
                let b = &g.bitmap;
                assert!(b.width <= MAX_SIDE && b.height <= MAX_SIDE);
                assert_eq!(b.pixels.len(), b.width as usize * b.height as usize);
                assert!(!b.is_blank());
            }
        }
        Err(e) => assert!(
            e.starts_with("line ") || e.starts_with("not a BDF") || e.contains("two glyphs"),
            "{e}"
        ),
    }
});
