//! A directory of glyph images, one PNG file per 外字 named by its code:
//! `U+E000.png`, `E000.png` (code points) or `0xF040.png` (a double-byte code),
//! e.g. cut from a scanned 外字一覧表. Decoded by the `png` crate (pure Rust,
//! memory limits). Dark ink on light paper; transparency counts as paper.

use super::{Code, Codes, Glyphs, MAX_SIDE, VendorGlyph};
use crate::Error;
use crate::identify::glyph::Bitmap;
use std::path::Path;

/// The largest image file read.
const MAX_PNG_BYTES: u64 = 16 << 20;

/// The smallest image taken as a glyph: smaller says nothing about a shape.
const MIN_SIDE: u32 = 8;

/// Ink below this (of 255) is paper: scans have grey paper and JPEG-like noise.
const PAPER: u8 = 48;

/// Reads every `*.png` in `dir` (other files are left out, and said).
pub fn read_dir(dir: &Path, codes: &Codes) -> Result<Glyphs, Error> {
    read_dir_hashed(dir, codes).map(|(found, _)| found)
}

/// [`read_dir`], with the name, SHA-256 and size of each image read (for the
/// digest of the directory, [`super::ReadDigest`]).
pub(super) fn read_dir_hashed(
    dir: &Path,
    codes: &Codes,
) -> Result<(Glyphs, Vec<(String, super::ReadDigest)>), Error> {
    use sha2::{Digest, Sha256};
    let entries =
        std::fs::read_dir(dir).map_err(Error::io(dir, "check that the directory is readable"))?;
    let mut glyphs = Vec::new();
    let mut files = Vec::new();
    let mut pixels = 0usize;
    let (mut other, mut outside, mut not_regular) = (0usize, 0usize, 0usize);
    for entry in entries {
        let entry = entry.map_err(Error::io(dir, "check that the directory is readable"))?;
        let path = entry.path();
        let name = entry.file_name();
        let Some(stem) = name
            .to_str()
            .and_then(|n| {
                n.len()
                    .checked_sub(4)
                    .filter(|&i| n.is_char_boundary(i))
                    .map(|i| (n, i))
            })
            .filter(|(n, i)| n[*i..].eq_ignore_ascii_case(".png"))
            .map(|(n, i)| &n[..i])
        else {
            other += 1;
            continue;
        };
        // Only files ikou can read as they are: a link may lead anywhere.
        let kind = entry
            .file_type()
            .map_err(Error::io(&path, "check that the file is readable"))?;
        if !kind.is_file() {
            not_regular += 1;
            continue;
        }
        let code = Code::parse(stem).map_err(|e| {
            Error::input(
                &path,
                format!("a glyph image is named by its code (U+E000.png, E000.png or 0xF040.png): {e}; rename the file or move it out of the directory"),
            )
        })?;
        if glyphs.len() >= super::MAX_GLYPHS {
            return Err(Error::input(
                dir,
                format!("more than {} images", super::MAX_GLYPHS),
            ));
        }
        if !codes.contains(code) {
            outside += 1;
            continue;
        }
        let data = super::read_limited(&path, MAX_PNG_BYTES)?;
        files.push((
            name.to_string_lossy().into_owned(),
            super::ReadDigest {
                sha256: crate::output::hex(&Sha256::digest(&data)),
                bytes: data.len() as u64,
            },
        ));
        let bitmap = decode(&data).map_err(|e| Error::input(&path, e))?;
        pixels = pixels.saturating_add(bitmap.pixels.len());
        if pixels > super::MAX_TOTAL_PIXELS {
            return Err(Error::input(
                dir,
                format!(
                    "the images hold more than {} pixels; crop each to its one 外字",
                    super::MAX_TOTAL_PIXELS
                ),
            ));
        }
        glyphs.push(VendorGlyph { code, bitmap });
    }
    let glyphs = super::finish(glyphs).map_err(|e| {
        Error::input(
            dir,
            format!("{e} (two files name the same code, e.g. U+E000.png and E000.png)"),
        )
    })?;
    let mut notes = Vec::new();
    if other > 0 {
        notes.push(format!("{other} files not named *.png left out"));
    }
    if not_regular > 0 {
        notes.push(format!(
            "{not_regular} *.png entries that are links or not files left out"
        ));
    }
    if outside > 0 {
        notes.push(format!(
            "{outside} images outside the codes asked for left out"
        ));
    }
    Ok((Glyphs { glyphs, notes }, files))
}

/// One PNG image as a glyph bitmap: ink = darkness over white paper. Refuses an
/// image that is not a glyph (blank, all ink, too small or too large).
pub fn decode(data: &[u8]) -> Result<Bitmap, String> {
    // 1024×1024 RGBA is 4 MiB; the decoder's own buffers fit in the rest.
    let limits = png::Limits { bytes: 16 << 20 };
    let mut d = png::Decoder::new_with_limits(std::io::Cursor::new(data), limits);
    d.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = d
        .read_info()
        .map_err(|e| format!("not a PNG image ({e})"))?;
    let (width, height) = (reader.info().width, reader.info().height);
    if width > MAX_SIDE || height > MAX_SIDE || width < MIN_SIDE || height < MIN_SIDE {
        return Err(format!(
            "{width}×{height} pixels: a glyph image is {MIN_SIDE} to {MAX_SIDE} pixels each way; crop it to the one 外字"
        ));
    }
    let size = reader
        .output_buffer_size()
        .ok_or("the image is too large to decode")?;
    let mut buf = vec![0; size];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("the PNG image is damaged ({e})"))?;
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err("the PNG palette could not be expanded".into()),
    };
    let mut out = Bitmap::blank(width, height);
    for y in 0..height as usize {
        let row = buf
            .get(y * info.line_size..)
            .ok_or("the PNG image is shorter than its header says")?;
        for x in 0..width as usize {
            let p = row
                .get(x * channels..(x + 1) * channels)
                .ok_or("the PNG image is shorter than its header says")?;
            let (lum, alpha) = match p {
                [g] => (u32::from(*g), 255),
                [g, a] => (u32::from(*g), u32::from(*a)),
                [r, g, b] => (
                    (299 * u32::from(*r) + 587 * u32::from(*g) + 114 * u32::from(*b)) / 1000,
                    255,
                ),
                [r, g, b, a] => (
                    (299 * u32::from(*r) + 587 * u32::from(*g) + 114 * u32::from(*b)) / 1000,
                    u32::from(*a),
                ),
                _ => (255, 255),
            };
            // Over white paper: transparent is paper.
            let on_white = (lum * alpha + 255 * (255 - alpha)) / 255;
            let ink = 255 - on_white.min(255) as u8;
            out.pixels[y * width as usize + x] = if ink < PAPER { 0 } else { ink };
        }
    }
    let inked = out.pixels.iter().filter(|&&p| p > 0).count();
    if inked == 0 {
        return Err("the image is blank: no dark pixel to match; it is not a glyph".into());
    }
    if inked * 100 >= out.pixels.len() * 95 {
        return Err("the image is nearly all dark; a glyph is dark ink on light paper (invert it if it is light on dark)".into());
    }
    Ok(out)
}

/// `b` as a greyscale PNG (ink dark on white), for the review page.
pub fn encode(b: &Bitmap) -> Vec<u8> {
    let paper: Vec<u8> = b.pixels.iter().map(|p| 255 - p).collect();
    let mut out = Vec::new();
    // Writing to memory fails only if the sizes disagree, which Bitmap rules out.
    let written = {
        let mut e = png::Encoder::new(&mut out, b.width, b.height);
        e.set_color(png::ColorType::Grayscale);
        e.set_depth(png::BitDepth::Eight);
        e.write_header()
            .and_then(|mut w| w.write_image_data(&paper).and_then(|()| w.finish()))
    };
    if written.is_err() {
        out.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph() -> Bitmap {
        let mut b = Bitmap::blank(10, 10);
        for i in 2..8 {
            b.pixels[5 * 10 + i] = 255;
            b.pixels[i * 10 + 5] = 255;
        }
        b
    }

    #[test]
    fn an_encoded_glyph_decodes_to_itself() {
        let b = glyph();
        assert_eq!(decode(&encode(&b)).unwrap(), b);
    }

    #[test]
    fn images_that_are_not_glyphs_are_refused() {
        assert!(
            decode(b"\x89PNG\r\n\x1a\nxx")
                .unwrap_err()
                .contains("not a PNG")
        );
        assert!(
            decode(&encode(&Bitmap::blank(10, 10)))
                .unwrap_err()
                .contains("blank")
        );
        let mut dark = Bitmap::blank(10, 10);
        dark.pixels.fill(255);
        assert!(decode(&encode(&dark)).unwrap_err().contains("dark"));
        let mut tiny = Bitmap::blank(4, 4);
        tiny.pixels[5] = 255;
        assert!(decode(&encode(&tiny)).unwrap_err().contains("4×4"));
        let mut cut = encode(&glyph());
        cut.truncate(cut.len() - 20);
        assert!(decode(&cut).is_err());
    }
}
