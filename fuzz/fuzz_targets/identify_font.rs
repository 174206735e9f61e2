//! Vendor outline font reading (`ikou::identify::source::ttf::parse`: ttf-parser's
//! cmap, bounding-box checks, ab_glyph drawing) and PNG glyph images
//! (`source::png::decode`) on arbitrary bytes.
//!
//! Input: byte 0 picks the reader (even: font, odd: PNG) and, for fonts, the codes
//! asked for; the rest is the file. Checks: no panic, no runaway memory (the
//! bounding-box limit guards the rasteriser); glyphs found are unique, asked for,
//! inked and of the drawing size; a decoded image is within the size limits.
#![no_main]

use ikou::identify::source::{Codes, MAX_SIDE, OUTLINE_PX, png, ttf};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    if pick & 1 == 1 {
        if let Ok(b) = png::decode(rest) {
            assert!(b.width <= MAX_SIDE && b.height <= MAX_SIDE);
            assert!(!b.is_blank());
            assert_eq!(b.pixels.len(), b.width as usize * b.height as usize);
        }
        return;
    }
    let codes = if pick & 2 == 0 {
        Codes::all_gaiji()
    } else {
        Codes::parse("U+E000-U+E0FF").unwrap()
    };
    if let Ok(found) = ttf::parse(rest, &codes) {
        for w in found.glyphs.windows(2) {
            assert!(w[0].code < w[1].code, "codes in order, unique");
        }
        for g in &found.glyphs {
            assert!(codes.contains(g.code));
            assert_eq!((g.bitmap.width, g.bitmap.height), (OUTLINE_PX, OUTLINE_PX));
            assert!(!g.bitmap.is_blank());
        }
    }
});
