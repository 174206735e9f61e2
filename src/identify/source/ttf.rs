//! Outline fonts with 外字 at private-use code points: TrueType or OpenType
//! (`.ttf`, `.otf`, Windows EUDC `.tte`; the first font of a collection). Parsed by
//! ttf-parser (no unsafe code, never panics on bad data, bounds every read) and
//! drawn by [`crate::identify::glyph::rasterize`] (ab_glyph).

use super::{Code, Codes, Glyphs, OUTLINE_PX, VendorGlyph, is_private_use};
use crate::identify::glyph::OutlineFont;
use std::collections::BTreeMap;
use ttf_parser::{Face, GlyphId};

/// Unicode cmap subtables consulted: real fonts have one to three.
const MAX_SUBTABLES: usize = 16;

/// How far outside the em square (in ems) a glyph may reach before the font is
/// taken as corrupt: the rasteriser's work grows with the glyph's area.
const MAX_EMS: i64 = 4;

/// The code points looked up: `--codes` when given, else every private-use one.
/// Walking the wanted codes, not the font's cmap, bounds the work whatever the
/// font claims (a format-12 group may claim four billion codes).
fn wanted(codes: &Codes) -> Vec<char> {
    let all = ('\u{E000}'..='\u{10FFFD}').filter(|&c| is_private_use(c));
    if !codes.is_given() {
        return all.collect();
    }
    ('\0'..=char::MAX)
        .filter(|&c| codes.contains(Code::Char(c)))
        .collect()
}

/// Reads the glyphs of an outline font at the code points `codes` selects.
pub fn parse(data: &[u8], codes: &Codes) -> Result<Glyphs, String> {
    let face = Face::parse(data, 0).map_err(|e| {
        format!("not a TrueType/OpenType font, a BDF font or a directory of PNG files ({e})")
    })?;
    let cmap = face
        .tables()
        .cmap
        .ok_or("the font has no character map (cmap), so no glyph has a code")?;
    let subtables: Vec<_> = cmap
        .subtables
        .into_iter()
        .filter(|s| s.is_unicode())
        .take(MAX_SUBTABLES)
        .collect();
    if subtables.is_empty() {
        return Err(
            "the font's character map has no Unicode table, so no glyph has a code point".into(),
        );
    }
    let mut ids: BTreeMap<char, GlyphId> = BTreeMap::new();
    for c in wanted(codes) {
        if let Some(id) = subtables
            .iter()
            .find_map(|s| s.glyph_index(u32::from(c)))
            .filter(|id| id.0 != 0)
        {
            ids.insert(c, id);
        }
    }
    let font = OutlineFont::parse(data)?;
    let upem = i64::from(face.units_per_em());
    let mut glyphs = Vec::new();
    let mut empty = 0usize;
    for (c, id) in ids {
        let code = Code::Char(c);
        // No outline: an unused 外字 slot.
        let Some(b) = face.glyph_bounding_box(id) else {
            empty += 1;
            continue;
        };
        let reach = [b.x_min, b.y_min, b.x_max, b.y_max]
            .iter()
            .map(|v| i64::from(*v).abs())
            .max()
            .unwrap_or(0);
        if reach > MAX_EMS * upem {
            return Err(format!(
                "the glyph of {code} (glyph {}) reaches {reach} units from the origin with {upem} units per em; the font looks corrupt",
                id.0
            ));
        }
        match font.rasterize(id.0, OUTLINE_PX) {
            Some(bitmap) if !bitmap.is_blank() => glyphs.push(VendorGlyph { code, bitmap }),
            _ => empty += 1,
        }
    }
    let mut notes = Vec::new();
    if empty > 0 {
        notes.push(format!("{empty} glyphs without an outline left out"));
    }
    if glyphs.is_empty() && !codes.is_given() {
        notes.push(
            "the font has no glyph at a private-use code point (U+E000–U+F8FF, planes 15–16)"
                .into(),
        );
    }
    Ok(Glyphs {
        glyphs: super::finish(glyphs)?,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_font() {
        for data in [
            &b""[..],
            b"\0\x01\0\0\0\x05garbage",
            b"OTTO",
            b"ttcf\0\0\0\0",
        ] {
            let e = parse(data, &Codes::all_gaiji()).unwrap_err();
            assert!(e.contains("not a TrueType"), "{e}");
        }
    }
}
