//! A glyph as a grey-level bitmap, whatever it was read from.

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
}

/// Draws glyph `id` of `font` on a `px` × `px` em square (baseline at the em's
/// descent), or `None` when the glyph has no outline.
pub fn rasterize(font: &FontRef<'_>, id: u16, px: u32) -> Option<Bitmap> {
    let scale = ab_glyph::PxScale::from(px as f32);
    let scaled = ab_glyph::Font::as_scaled(font, scale);
    let ascent = ab_glyph::ScaleFont::ascent(&scaled);
    let glyph = GlyphId(id).with_scale_and_position(scale, ab_glyph::point(0.0, ascent));
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
}
