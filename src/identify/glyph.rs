//! A glyph as a grey-level bitmap, whatever it was read from, and the rasteriser that
//! draws outline-font glyphs in their real place on the em square.

use ab_glyph::{Font, FontRef, GlyphId};

/// A glyph image: `pixels[y * width + x]` is ink coverage, 0 (paper) to 255 (ink).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

impl Bitmap {
    /// A blank bitmap of the given size.
    pub fn blank(width: u32, height: u32) -> Bitmap {
        Bitmap {
            width,
            height,
            pixels: vec![0; width as usize * height as usize],
        }
    }

    /// Whether no pixel carries ink.
    pub fn is_blank(&self) -> bool {
        self.pixels.iter().all(|&p| p == 0)
    }

    /// The ink at (x, y); paper outside the bitmap.
    pub fn get(&self, x: i64, y: i64) -> u8 {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
            return 0;
        }
        self.pixels
            .get(y as usize * self.width as usize + x as usize)
            .copied()
            .unwrap_or(0)
    }

    /// Smallest rectangle `(x0, y0, x1, y1)` (x1, y1 exclusive) holding every pixel
    /// with ink ≥ `threshold`; `None` when there is none.
    pub fn ink_box(&self, threshold: u8) -> Option<(u32, u32, u32, u32)> {
        let w = self.width as usize;
        if w == 0 {
            return None;
        }
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0u32, 0u32);
        for (y, row) in self.pixels.chunks(w).enumerate() {
            for (x, &p) in row.iter().enumerate() {
                if p >= threshold.max(1) {
                    x0 = x0.min(x as u32);
                    y0 = y0.min(y as u32);
                    x1 = x1.max(x as u32 + 1);
                    y1 = y1.max(y as u32 + 1);
                }
            }
        }
        (x1 > 0).then_some((x0, y0, x1, y1))
    }
}

/// An outline font with its em square located, so that glyphs are drawn where the
/// typeface puts them (their bounding boxes within the em are real, as in a vendor's
/// bitmap font).
pub struct OutlineFont<'a> {
    font: FontRef<'a>,
    face: ttf_parser::Face<'a>,
    /// Font units per em.
    upm: f32,
    /// The em square's top edge, in font units above the baseline.
    em_top: f32,
}

impl<'a> OutlineFont<'a> {
    /// Parses a TrueType/OpenType font. The error says what is wrong, for the caller
    /// to prefix with the file name.
    pub fn parse(bytes: &'a [u8]) -> Result<OutlineFont<'a>, String> {
        let face = ttf_parser::Face::parse(bytes, 0)
            .map_err(|e| format!("not a TrueType/OpenType font ({e})"))?;
        let font = FontRef::try_from_slice(bytes)
            .map_err(|_| "not a TrueType/OpenType font the rasteriser can read".to_string())?;
        let upm = f32::from(face.units_per_em());
        if !(16.0..=16384.0).contains(&upm) {
            return Err(format!("units per em {upm} is outside 16–16384"));
        }
        let em_top = em_top(&face, upm);
        Ok(OutlineFont {
            font,
            face,
            upm,
            em_top,
        })
    }

    /// Number of glyphs.
    pub fn glyph_count(&self) -> u16 {
        self.face.number_of_glyphs()
    }

    /// The glyph the font's cmap gives `c`.
    pub fn glyph_of(&self, c: char) -> Option<u16> {
        self.face.glyph_index(c).map(|g| g.0)
    }

    /// Every glyph name of the `post` table, by glyph id (empty where it has none or
    /// uses one of the 258 standard Macintosh names, which no MJ glyph does). Read in one pass: looking names up one by one is quadratic in a font of
    /// 60,000 glyphs.
    pub fn glyph_names(&self) -> Vec<String> {
        let n = usize::from(self.glyph_count());
        let raw = self
            .face
            .raw_face()
            .table(ttf_parser::Tag::from_bytes(b"post"));
        let mut names = raw.and_then(|t| post_names(t, n)).unwrap_or_default();
        names.resize(n, String::new());
        names
    }

    /// The code points the cmap maps to each glyph, by glyph id.
    pub fn chars_by_glyph(&self) -> Vec<Vec<char>> {
        let mut out = vec![Vec::new(); usize::from(self.glyph_count())];
        let Some(cmap) = self.face.tables().cmap else {
            return out;
        };
        for sub in cmap.subtables.into_iter().filter(|s| s.is_unicode()) {
            sub.codepoints(|cp| {
                if let (Some(c), Some(g)) = (char::from_u32(cp), sub.glyph_index(cp))
                    && let Some(v) = out.get_mut(usize::from(g.0))
                    && !v.contains(&c)
                {
                    v.push(c);
                }
            });
        }
        out
    }

    /// Draws glyph `id` on a `px` × `px` em square, or `None` when it has no outline
    /// or `px` is outside 1–4096.
    pub fn rasterize(&self, id: u16, px: u32) -> Option<Bitmap> {
        draw(&self.font, id, px, self.upm, self.em_top)
    }
}

/// Where the em square's top lies. CJK fonts mark the ideographic em box with the
/// OS/2 typographic metrics (ascender − descender = units per em); failing that the
/// hhea metrics when they span exactly one em; otherwise the em is centred on the
/// hhea ascent–descent band.
fn em_top(face: &ttf_parser::Face<'_>, upm: f32) -> f32 {
    let typo = (
        face.typographic_ascender().map(f32::from),
        face.typographic_descender().map(f32::from),
    );
    if let (Some(a), Some(d)) = typo
        && (a - d - upm).abs() < 1.0
    {
        return a;
    }
    let (a, d) = (f32::from(face.ascender()), f32::from(face.descender()));
    if (a - d - upm).abs() < 1.0 {
        a
    } else {
        a - ((a - d) - upm) / 2.0
    }
}

/// Glyph names of a `post` table of version 2.0; `None` for other versions (which
/// hold no names) or a table that does not add up.
fn post_names(t: &[u8], n: usize) -> Option<Vec<String>> {
    let u16_at = |o: usize| -> Option<u16> {
        Some(u16::from_be_bytes([*t.get(o)?, *t.get(o.checked_add(1)?)?]))
    };
    if t.get(0..4)? != [0, 2, 0, 0] {
        return None;
    }
    let count = usize::from(u16_at(32)?);
    let index: Vec<u16> = (0..count)
        .map(|i| u16_at(34 + 2 * i))
        .collect::<Option<_>>()?;
    // The Pascal strings after the index: names 258, 259, ….
    let mut strings = Vec::new();
    let mut o = 34 + 2 * count;
    while o < t.len() {
        let len = usize::from(t[o]);
        let s = t.get(o + 1..o + 1 + len)?;
        strings.push(String::from_utf8_lossy(s).into_owned());
        o += 1 + len;
    }
    Some(
        index
            .iter()
            .take(n)
            .map(|&i| {
                usize::from(i)
                    .checked_sub(258)
                    .and_then(|k| strings.get(k).cloned())
                    .unwrap_or_default()
            })
            .collect(),
    )
}

/// Draws glyph `id` of `font` on a `px` × `px` em square, or `None` when the glyph
/// has no outline. Prefer [`OutlineFont::rasterize`], which finds the em square from
/// the typographic metrics; this one has only the hhea metrics to go by.
pub fn rasterize(font: &FontRef<'_>, id: u16, px: u32) -> Option<Bitmap> {
    let upm = font.units_per_em()?;
    let (a, d) = (font.ascent_unscaled(), font.descent_unscaled());
    let top = if (a - d - upm).abs() < 1.0 {
        a
    } else {
        a - ((a - d) - upm) / 2.0
    };
    draw(font, id, px, upm, top)
}

fn draw(font: &FontRef<'_>, id: u16, px: u32, upm: f32, em_top: f32) -> Option<Bitmap> {
    if !(1..=4096).contains(&px) || upm <= 0.0 {
        return None;
    }
    // ab_glyph scales by the ascent–descent height; ask for the scale that makes one
    // em `px` pixels.
    let per_unit = px as f32 / upm;
    let scale = ab_glyph::PxScale::from(font.height_unscaled() * per_unit);
    let glyph = GlyphId(id).with_scale_and_position(scale, ab_glyph::point(0.0, em_top * per_unit));
    let outlined = font.outline_glyph(glyph)?;
    let mut out = Bitmap::blank(px, px);
    let bounds = outlined.px_bounds();
    outlined.draw(|x, y, c| {
        let gx = bounds.min.x as i64 + x as i64;
        let gy = bounds.min.y as i64 + y as i64;
        if gx >= 0 && gy >= 0 && (gx as u32) < px && (gy as u32) < px {
            let i = gy as usize * px as usize + gx as usize;
            out.pixels[i] = out.pixels[i].max((c.clamp(0.0, 1.0) * 255.0).round() as u8);
        }
    });
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_blank() {
        assert!(Bitmap::blank(3, 2).is_blank());
        assert_eq!(Bitmap::blank(3, 2).pixels.len(), 6);
    }

    #[test]
    fn ink_box_is_tight() {
        let mut b = Bitmap::blank(5, 4);
        b.pixels[5 + 1] = 255;
        b.pixels[2 * 5 + 3] = 10;
        assert_eq!(b.ink_box(1), Some((1, 1, 4, 3)));
        assert_eq!(b.ink_box(128), Some((1, 1, 2, 2)));
        assert_eq!(Bitmap::blank(2, 2).ink_box(1), None);
    }

    const EM_BOX: &[u8] = include_bytes!("../../testdata/identify/em_box.ttf");

    /// The test font's hhea spans 1.4 em; its OS/2 typographic metrics mark the em.
    /// Glyph 1 fills the em exactly, glyph 2 is a bar at 0.28–0.38 em from the top.
    #[test]
    fn glyphs_sit_in_their_em_position() {
        let font = OutlineFont::parse(EM_BOX).unwrap();
        let full = font.rasterize(1, 32).unwrap();
        assert_eq!(full.ink_box(128), Some((0, 0, 32, 32)));
        let bar = font.rasterize(2, 100).unwrap();
        assert_eq!(bar.ink_box(128), Some((10, 28, 90, 38)));
        // The hhea-only path cannot see the em box but must still scale one em to px.
        let ab = FontRef::try_from_slice(EM_BOX).unwrap();
        let (x0, y0, x1, y1) = rasterize(&ab, 2, 100).unwrap().ink_box(128).unwrap();
        assert_eq!((x0, x1, y1 - y0), (10, 90, 10));
    }

    #[test]
    fn glyph_names_come_from_post() {
        let font = OutlineFont::parse(EM_BOX).unwrap();
        assert_eq!(font.glyph_names(), vec!["", "mj000001", "mj000002", "aj1"]);
        assert_eq!(font.glyph_of('\u{E001}'), Some(2));
        assert!(OutlineFont::parse(b"not a font").is_err());
    }

    #[test]
    fn post_names_reads_version_2() {
        // 3 glyphs: .notdef (standard 0), "ab" (258), "c" (259).
        let mut t = vec![0, 2, 0, 0];
        t.extend([0u8; 28]);
        t.extend([0, 3, 0, 0, 1, 2, 1, 3]);
        t.extend([2, b'a', b'b', 1, b'c']);
        assert_eq!(post_names(&t, 3).unwrap(), vec!["", "ab", "c"]);
        // Truncated strings: refused, not read past the end.
        assert!(post_names(&t[..t.len() - 1], 3).is_none());
    }
}
