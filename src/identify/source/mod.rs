//! The vendor's 外字 glyphs, read from what the vendor has: an outline font with
//! glyphs at PUA code points ([`ttf`]: TrueType, OpenType, Windows EUDC `.tte`), a
//! BDF bitmap font ([`bdf`]) or a directory of images named by code ([`png`]).
//!
//! Every reader gives the same thing, a list of [`VendorGlyph`]s in code order, and
//! refuses garbage with a message naming the file and the glyph or line: vendor
//! files come from old systems and are often damaged, and a clerk must learn which
//! file to ask for again, not see a crash.

pub mod bdf;
pub mod png;
pub mod ttf;

use super::glyph::Bitmap;
use crate::Error;
use std::fmt;
use std::path::Path;

/// The largest glyph image accepted from any source, in pixels each way. Vendor
/// 外字 are 16–64 px bitmaps or outlines drawn at [`OUTLINE_PX`]; anything larger
/// is not a glyph (or is a scan of a whole 外字一覧表 page).
pub const MAX_SIDE: u32 = 1024;

/// The most glyphs one source may hold: a 外字 area has at most a few thousand
/// codes (CP932's 1,880, JEF's ~10,000), so this only stops runaway inputs.
pub const MAX_GLYPHS: usize = 100_000;

/// The most pixels all glyphs of one source may hold together (256 MiB): a tiny
/// glyph drawn in a huge font box costs a whole box, so the boxes are counted.
pub const MAX_TOTAL_PIXELS: usize = 1 << 28;

/// The em size outline glyphs are drawn at: the reference glyphs' size.
pub const OUTLINE_PX: u32 = crate::identify::RENDER_PX;

/// A 外字 code as a vendor 外字 table names it (the `source` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// A code point after decoding: `U+E000`.
    Char(char),
    /// A double-byte code in the vendor's own encoding: `0xF040`.
    Bytes(u16),
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::Char(c) => write!(f, "U+{:04X}", u32::from(*c)),
            Code::Bytes(b) => write!(f, "0x{b:04X}"),
        }
    }
}

impl Code {
    /// `U+E000`, `E000` (a code point) or `0xF040` (a double-byte code), as in
    /// `--codes` and PNG file names.
    pub fn parse(s: &str) -> Result<Code, String> {
        let hex_value = |h: &str, max_digits: usize| -> Option<u32> {
            (!h.is_empty() && h.len() <= max_digits && h.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| u32::from_str_radix(h, 16).ok())
                .flatten()
        };
        if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            return hex_value(h, 4)
                .and_then(|v| u16::try_from(v).ok())
                .map(Code::Bytes)
                .ok_or_else(|| {
                    format!("{s:?}: 0x must be followed by 1 to 4 hex digits of a double-byte code (e.g. 0xF040)")
                });
        }
        let h = s
            .strip_prefix("U+")
            .or_else(|| s.strip_prefix("u+"))
            .unwrap_or(s);
        hex_value(h, 6)
            .filter(|_| h.len() >= 4)
            .and_then(char::from_u32)
            .map(Code::Char)
            .ok_or_else(|| {
                format!("{s:?}: not a code: write U+ and 4 to 6 hex digits of a code point (U+E000), or 0x and a double-byte code (0xF040)")
            })
    }
}

/// Private-use code points: where vendors put 外字 in Unicode.
pub fn is_private_use(c: char) -> bool {
    matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}')
}

/// Which codes to read (`--codes`): ranges `U+E000-U+E0FF`, single codes, or
/// several of them separated by commas. Without it, every private-use code point
/// and every double-byte code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Codes {
    ranges: Vec<(Code, Code)>,
}

impl Codes {
    /// Every private-use code point and every double-byte code.
    pub fn all_gaiji() -> Codes {
        Codes::default()
    }

    /// Parses `--codes`: `U+E000-U+E0FF`, `0xF040-0xF0FC`, `U+E000`, comma-separated.
    pub fn parse(s: &str) -> Result<Codes, String> {
        let mut ranges = Vec::new();
        for part in s.split(',').map(str::trim) {
            if part.is_empty() {
                return Err(format!(
                    "--codes {s:?}: an empty item; separate ranges by single commas"
                ));
            }
            let (a, b) = match part.split_once('-') {
                Some((a, b)) => (Code::parse(a.trim())?, Code::parse(b.trim())?),
                None => {
                    let c = Code::parse(part)?;
                    (c, c)
                }
            };
            let same_kind = matches!(
                (a, b),
                (Code::Char(_), Code::Char(_)) | (Code::Bytes(_), Code::Bytes(_))
            );
            if !same_kind {
                return Err(format!(
                    "--codes {part:?}: both ends of a range must be code points (U+) or both double-byte codes (0x)"
                ));
            }
            if a > b {
                return Err(format!(
                    "--codes {part:?}: the range ends before it starts; write the lower code first"
                ));
            }
            ranges.push((a, b));
        }
        Ok(Codes { ranges })
    }

    /// Whether `code` is to be read.
    pub fn contains(&self, code: Code) -> bool {
        if self.ranges.is_empty() {
            return match code {
                Code::Char(c) => is_private_use(c),
                Code::Bytes(_) => true,
            };
        }
        self.ranges.iter().any(|&(a, b)| a <= code && code <= b)
    }

    /// Whether `--codes` was given.
    pub fn is_given(&self) -> bool {
        !self.ranges.is_empty()
    }
}

/// One vendor 外字: its code and its image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendorGlyph {
    pub code: Code,
    pub bitmap: Bitmap,
}

/// What a reader found.
#[derive(Clone, Debug, Default)]
pub struct Glyphs {
    /// The glyphs with ink, in code order.
    pub glyphs: Vec<VendorGlyph>,
    /// Glyphs left out, and why (empty glyphs, codes outside `--codes`…), for a
    /// line on stderr.
    pub notes: Vec<String>,
}

/// Reads the vendor glyphs at `path`: a directory of PNG files, a BDF font (it
/// starts with `STARTFONT`) or an outline font.
pub fn read(path: &Path, codes: &Codes) -> Result<Glyphs, Error> {
    read_hashed(path, codes).map(|(found, _)| found)
}

/// What a reader read, for the audit trail (manifest.json `tables`): a font or BDF
/// file, its SHA-256 and size; a directory, the SHA-256 of the list of the images
/// read (one line `name<TAB>sha256<TAB>bytes` each, by name) and their total size.
/// Worked out from the bytes the glyphs were made from, not from a second read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadDigest {
    pub sha256: String,
    pub bytes: u64,
}

/// [`read`], with the digest of what was read.
pub fn read_hashed(path: &Path, codes: &Codes) -> Result<(Glyphs, ReadDigest), Error> {
    use sha2::{Digest, Sha256};
    let meta = std::fs::metadata(path).map_err(Error::io(
        path,
        "check the --font path: a TrueType/OpenType font, a BDF font or a directory of PNG files",
    ))?;
    let (found, digest) = if meta.is_dir() {
        let (found, mut files) = png::read_dir_hashed(path, codes)?;
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut list = String::new();
        let mut bytes = 0u64;
        for (name, d) in &files {
            list.push_str(&format!("{name}\t{}\t{}\n", d.sha256, d.bytes));
            bytes = bytes.saturating_add(d.bytes);
        }
        let sha256 = crate::output::hex(&Sha256::digest(list.as_bytes()));
        (found, ReadDigest { sha256, bytes })
    } else {
        let data = read_limited(path, MAX_FONT_BYTES)?;
        let digest = ReadDigest {
            sha256: crate::output::hex(&Sha256::digest(&data)),
            bytes: data.len() as u64,
        };
        let found = if bdf::looks_like_bdf(&data) {
            bdf::parse(&data, codes).map_err(|e| Error::input(path, e))?
        } else {
            ttf::parse(&data, codes).map_err(|e| Error::input(path, e))?
        };
        (found, digest)
    };
    if found.glyphs.is_empty() {
        let why = if found.notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", found.notes.join("; "))
        };
        let codes_hint = if codes.is_given() {
            "check --codes against the codes the file uses"
        } else {
            "give --codes with the range of the vendor's 外字 codes"
        };
        return Err(Error::input(
            path,
            format!("no 外字 glyph with ink to identify{why}; {codes_hint}"),
        ));
    }
    Ok((found, digest))
}

/// The largest font file read: a full CJK font is ~50 MB; a 外字 font far less.
pub const MAX_FONT_BYTES: u64 = 256 << 20;

/// The bytes of `path`, refused when larger than `max` (before reading them).
pub(crate) fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(Error::io(
        path,
        "check that the file exists and is readable",
    ))?;
    let mut data = Vec::new();
    f.take(max.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(Error::io(path, "check that the file is readable"))?;
    if data.len() as u64 > max {
        return Err(Error::input(
            path,
            format!(
                "larger than {} MiB; this is not a 外字 font or glyph image",
                max >> 20
            ),
        ));
    }
    Ok(data)
}

/// Sorts by code and refuses a code given twice (`what(code)` names where).
pub(crate) fn finish(mut glyphs: Vec<VendorGlyph>) -> Result<Vec<VendorGlyph>, String> {
    glyphs.sort_by_key(|g| g.code);
    if let Some(w) = glyphs.windows(2).find(|w| w[0].code == w[1].code) {
        return Err(format!(
            "{} has two glyphs; keep one glyph per code",
            w[0].code
        ));
    }
    Ok(glyphs)
}

/// The vendor's glyphs as images to show beside each 外字 (`convert --font`,
/// `profile --font`), by code.
#[derive(Clone, Debug, Default)]
pub struct VendorImages {
    /// What was read, as given (for the page).
    pub font: String,
    /// SHA-256 and size of what was read ([`ReadDigest`]), for manifest.json.
    pub digest: ReadDigest,
    glyphs: std::collections::BTreeMap<Code, Bitmap>,
}

impl VendorImages {
    /// Every glyph of the font, BDF or directory at `path`.
    pub fn read(path: &Path) -> Result<VendorImages, Error> {
        let (found, digest) = read_hashed(path, &Codes::all_gaiji())?;
        Ok(VendorImages {
            font: path.display().to_string(),
            digest,
            glyphs: found
                .glyphs
                .into_iter()
                .map(|g| (g.code, g.bitmap))
                .collect(),
        })
    }

    /// The glyph of the 外字 decoded as `c`, whose raw bytes are `bytes` (`0xF040`)
    /// when known: by code point, else by the vendor's double-byte code.
    pub fn glyph(&self, c: char, bytes: Option<&str>) -> Option<&Bitmap> {
        self.glyphs.get(&Code::Char(c)).or_else(|| {
            let b = Code::parse(bytes?).ok()?;
            matches!(b, Code::Bytes(_)).then_some(())?;
            self.glyphs.get(&b)
        })
    }

    /// [`VendorImages::glyph`] as a `data:image/png;base64,…` URI.
    pub fn data_uri(&self, c: char, bytes: Option<&str>) -> Option<String> {
        use base64::Engine;
        let b = self.glyph(c, bytes)?;
        Some(format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png::encode(b))
        ))
    }

    pub fn len(&self) -> usize {
        self.glyphs.len()
    }

    /// The glyphs of `codes` (a 外字 and its raw bytes, as in [`VendorImages::glyph`])
    /// drawn in text, four to a row with the code above each, for a terminal: the
    /// vendor's shape beside profile's list of 外字.
    pub fn text_art(&self, codes: &[(char, Option<String>)]) -> String {
        const COLS: usize = 16;
        const PER_ROW: usize = 4;
        let mut out = String::new();
        for row in codes.chunks(PER_ROW) {
            let arts: Vec<(String, Vec<String>)> = row
                .iter()
                .map(|(c, b)| {
                    let label = format!(
                        "U+{:04X}{}",
                        u32::from(*c),
                        b.as_deref().map(|b| format!(" {b}")).unwrap_or_default()
                    );
                    let art = match self.glyph(*c, b.as_deref()) {
                        Some(g) => text_art(g, COLS),
                        None => vec!["(no glyph in --font)".to_string()],
                    };
                    (label, art)
                })
                .collect();
            let lines = arts.iter().map(|a| a.1.len()).max().unwrap_or(0);
            let cell = |s: &str| {
                format!(
                    "{s}{}",
                    " ".repeat((COLS + 4).saturating_sub(s.chars().count()))
                )
            };
            out.push_str("  ");
            out.push_str(
                arts.iter()
                    .map(|a| cell(&a.0))
                    .collect::<String>()
                    .trim_end(),
            );
            out.push('\n');
            for i in 0..lines {
                let line: String = arts
                    .iter()
                    .map(|a| cell(a.1.get(i).map_or("", String::as_str)))
                    .collect();
                out.push_str("  ");
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.glyphs.is_empty()
    }
}

/// `b` scaled to at most `cols` columns and drawn with half blocks (two pixel
/// rows a line): `█` both inked, `▀` top, `▄` bottom.
pub fn text_art(b: &Bitmap, cols: usize) -> Vec<String> {
    let (w, h) = (b.width as usize, b.height as usize);
    if w == 0 || h == 0 || cols == 0 {
        return Vec::new();
    }
    // Pixels per text column, the same both ways so the shape keeps its proportions.
    let step = w.max(h).div_ceil(cols).max(1);
    let (gw, gh) = (w.div_ceil(step), h.div_ceil(step));
    let inked = |gx: usize, gy: usize| -> bool {
        let (mut sum, mut n) = (0u32, 0u32);
        for y in gy * step..((gy + 1) * step).min(h) {
            for x in gx * step..((gx + 1) * step).min(w) {
                sum += u32::from(b.pixels[y * w + x]);
                n += 1;
            }
        }
        // A cell a quarter inked shows: thin strokes stay visible when scaled down.
        n > 0 && sum * 4 >= n * 255
    };
    (0..gh.div_ceil(2))
        .map(|r| {
            (0..gw)
                .map(
                    |x| match (inked(x, 2 * r), 2 * r + 1 < gh && inked(x, 2 * r + 1)) {
                        (true, true) => '█',
                        (true, false) => '▀',
                        (false, true) => '▄',
                        (false, false) => ' ',
                    },
                )
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_written_as_tables_write_them() {
        assert_eq!(Code::Char('\u{E000}').to_string(), "U+E000");
        assert_eq!(Code::Char('\u{F0001}').to_string(), "U+F0001");
        assert_eq!(Code::Bytes(0xF040).to_string(), "0xF040");
        assert_eq!(Code::parse("U+E000"), Ok(Code::Char('\u{E000}')));
        assert_eq!(Code::parse("e000"), Ok(Code::Char('\u{E000}')));
        assert_eq!(Code::parse("0xf040"), Ok(Code::Bytes(0xF040)));
        for bad in [
            "U+D800",
            "U+110000",
            "0x10000",
            "E0",
            "U+",
            "0x",
            "U+E00G",
            "U+1234567",
        ] {
            assert!(Code::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_art_keeps_the_shape() {
        let mut b = Bitmap::blank(4, 4);
        for i in 0..4 {
            b.pixels[i] = 255; // top row
            b.pixels[i * 4] = 255; // left column
        }
        assert_eq!(text_art(&b, 4), ["█▀▀▀", "█   "]);
        assert_eq!(text_art(&b, 2), ["█▀"]);
    }

    #[test]
    fn ranges_are_checked() {
        let c = Codes::parse("U+E000-U+E0FF, U+F000").unwrap();
        assert!(c.contains(Code::Char('\u{E0FF}')));
        assert!(c.contains(Code::Char('\u{F000}')));
        assert!(!c.contains(Code::Char('\u{E100}')));
        assert!(!c.contains(Code::Bytes(0xE000)));
        assert!(Codes::parse("U+E0FF-U+E000").is_err());
        assert!(Codes::parse("U+E000-0xF040").is_err());
        assert!(Codes::parse("U+E000,,U+E001").is_err());
        let all = Codes::all_gaiji();
        assert!(all.contains(Code::Char('\u{E000}')) && !all.contains(Code::Char('漢')));
        assert!(all.contains(Code::Bytes(0x2121)));
    }
}
