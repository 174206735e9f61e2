//! BDF bitmap fonts (Glyph Bitmap Distribution Format 2.1): the form a mainframe's
//! 24×24 / 32×32 外字 library is usually exported in.
//!
//! The parser is strict about structure (STARTFONT, FONTBOUNDINGBOX, CHARS and as
//! many STARTCHAR…ENDCHAR blocks, each with ENCODING, BBX and exactly BBX-height
//! BITMAP rows of the right width, ENDFONT), because a short or shifted bitmap
//! would silently be matched as another shape. Header keywords it does not need
//! are skipped.
//!
//! Codes: the font's `CHARSET_REGISTRY` property says what ENCODING numbers are.
//! - `ISO10646`: code points; written `U+E000`.
//! - `JISX0208`: JIS row and cell (0x7521). The user-defined rows 85–94 are the
//!   外字 and become PUA U+E000… as CP932 and eucJP-ms decode them (row 85 cell 1 →
//!   U+E000), so the codes match what ikou reads from those exports. Rows 1–84
//!   are standard characters and are left out (counted in a note).
//! - anything else or none (a vendor's own code: JEF, KEIS, Shift_JIS 0xF040…):
//!   the number as a double-byte code `0xF040`, the way the vendor's 外字 table
//!   names raw codes.

use super::{Code, Codes, Glyphs, MAX_GLYPHS, MAX_SIDE, MAX_TOTAL_PIXELS, VendorGlyph};
use crate::identify::glyph::Bitmap;

/// Whether `data` is a BDF font (its first line starts with `STARTFONT`).
pub fn looks_like_bdf(data: &[u8]) -> bool {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    data.trim_ascii_start().starts_with(b"STARTFONT")
}

/// How ENCODING numbers become codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Registry {
    Unicode,
    Jis,
    Vendor,
}

struct Lines<'a> {
    lines: std::iter::Enumerate<std::str::Lines<'a>>,
    /// The 1-based number of the last line read.
    number: usize,
}

impl<'a> Lines<'a> {
    /// The next non-empty line, split into its keyword and the rest.
    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        for (i, line) in self.lines.by_ref() {
            self.number = i + 1;
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            return Some(match line.split_once(char::is_whitespace) {
                Some((k, rest)) => (k, rest.trim()),
                None => (line, ""),
            });
        }
        None
    }

    fn err(&self, what: impl std::fmt::Display) -> String {
        format!("line {}: {what}", self.number)
    }
}

/// `n` integers from `rest`, or an error naming `keyword`.
fn ints<const N: usize>(rest: &str, keyword: &str, l: &Lines<'_>) -> Result<[i64; N], String> {
    let mut out = [0i64; N];
    let mut words = rest.split_whitespace();
    for slot in out.iter_mut() {
        *slot = words
            .next()
            .and_then(|w| w.parse::<i64>().ok())
            .filter(|v| v.abs() <= 1 << 24)
            .ok_or_else(|| l.err(format!("{keyword} needs {N} whole numbers, found {rest:?}")))?;
    }
    Ok(out)
}

/// Reads a BDF font: the glyphs at `codes` (see the module notes for codes).
pub fn parse(data: &[u8], codes: &Codes) -> Result<Glyphs, String> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let text = std::str::from_utf8(data)
        .map_err(|e| format!("not a BDF font: byte {} is not ASCII text", e.valid_up_to()))?;
    let mut l = Lines {
        lines: text.lines().enumerate(),
        number: 0,
    };
    match l.next() {
        Some(("STARTFONT", _)) => {}
        _ => return Err(l.err("a BDF font starts with STARTFONT")),
    }
    let mut font_box: Option<[i64; 4]> = None;
    let mut registry = Registry::Vendor;
    let chars = loop {
        let Some((k, rest)) = l.next() else {
            return Err(l.err("the font ends before CHARS"));
        };
        match k {
            "FONTBOUNDINGBOX" => font_box = Some(ints::<4>(rest, k, &l)?),
            "CHARSET_REGISTRY" => {
                let r = rest.trim_matches('"').to_ascii_uppercase();
                registry = if r.starts_with("ISO10646") {
                    Registry::Unicode
                } else if r.starts_with("JISX0208") {
                    Registry::Jis
                } else {
                    Registry::Vendor
                };
            }
            "CHARS" => {
                let [n] = ints::<1>(rest, k, &l)?;
                break usize::try_from(n)
                    .ok()
                    .filter(|&n| n <= MAX_GLYPHS)
                    .ok_or_else(|| {
                        l.err(format!(
                            "CHARS {n}: a 外字 font has 0 to {MAX_GLYPHS} glyphs"
                        ))
                    })?;
            }
            "STARTCHAR" | "ENDFONT" => return Err(l.err(format!("{k} before CHARS"))),
            _ => {}
        }
    };
    let font_box = font_box.ok_or_else(|| l.err("no FONTBOUNDINGBOX before CHARS"))?;
    check_box(font_box, "FONTBOUNDINGBOX", &l)?;
    let mut found = Vec::new();
    let mut pixels = 0usize;
    let (mut outside, mut empty, mut standard, mut unencoded) = (0usize, 0usize, 0usize, 0usize);
    for _ in 0..chars {
        let name = match l.next() {
            Some(("STARTCHAR", name)) => name.to_string(),
            Some(("ENDFONT", _)) | None => {
                return Err(l.err(format!(
                    "CHARS says {chars} glyphs, the font has {}",
                    found.len() + outside + empty + standard + unencoded
                )));
            }
            Some((k, _)) => return Err(l.err(format!("expected STARTCHAR, found {k}"))),
        };
        let at = |l: &Lines<'_>, what: String| l.err(format!("glyph {name:?}: {what}"));
        let mut encoding: Option<i64> = None;
        let mut bbx: Option<[i64; 4]> = None;
        loop {
            match l.next() {
                Some(("ENCODING", rest)) => {
                    let mut w = rest.split_whitespace().map(str::parse::<i64>);
                    let (first, second) = (w.next(), w.next());
                    encoding = match (first, second) {
                        // `ENCODING -1 n`: not in the standard encoding; n in the font's own.
                        (Some(Ok(-1)), Some(Ok(n))) => Some(n),
                        (Some(Ok(n)), _) => Some(n),
                        _ => {
                            return Err(at(&l, format!("ENCODING needs a number, found {rest:?}")));
                        }
                    };
                }
                Some(("BBX", rest)) => bbx = Some(ints::<4>(rest, "BBX", &l)?),
                Some(("BITMAP", _)) => break,
                Some(("ENDCHAR" | "STARTCHAR" | "ENDFONT", _)) | None => {
                    return Err(at(&l, "no BITMAP".into()));
                }
                Some(_) => {}
            }
        }
        let encoding = encoding.ok_or_else(|| at(&l, "no ENCODING before BITMAP".into()))?;
        let bbx = bbx.ok_or_else(|| at(&l, "no BBX before BITMAP".into()))?;
        check_box(bbx, "BBX", &l).map_err(|e| format!("{e} (glyph {name:?})"))?;
        let [w, h, ..] = bbx;
        let row_digits =
            usize::try_from((w + 7) / 8 * 2).map_err(|_| at(&l, "BBX width".into()))?;
        let want_rows = usize::try_from(h).map_err(|_| at(&l, "BBX height".into()))?;
        let mut rows = Vec::with_capacity(want_rows);
        loop {
            match l.next() {
                Some(("ENDCHAR", _)) => break,
                Some((row, "")) if rows.len() < want_rows => {
                    if row.len() != row_digits || !row.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return Err(at(
                            &l,
                            format!(
                                "BITMAP row {:?}: expected {row_digits} hex digits for a width of {w}",
                                row
                            ),
                        ));
                    }
                    rows.push(row);
                }
                Some((k, _)) => {
                    return Err(at(
                        &l,
                        format!(
                            "BITMAP has more than BBX's {h} rows or a stray {k:?}; expected ENDCHAR"
                        ),
                    ));
                }
                None => return Err(at(&l, "the font ends inside BITMAP".into())),
            }
        }
        if rows.len() != want_rows {
            return Err(at(
                &l,
                format!("BITMAP has {} rows, BBX says {h}", rows.len()),
            ));
        }
        if encoding < 0 {
            // `ENCODING -1`: a glyph without a code, which no record can hold.
            unencoded += 1;
            continue;
        }
        let code = match code_of(encoding, registry) {
            Ok(Some(c)) => c,
            Ok(None) => {
                standard += 1;
                continue;
            }
            Err(e) => return Err(at(&l, e)),
        };
        if !codes.contains(code) {
            outside += 1;
            continue;
        }
        let bitmap = draw(font_box, bbx, &rows).map_err(|e| at(&l, e))?;
        if bitmap.is_blank() {
            empty += 1;
            continue;
        }
        pixels = pixels.saturating_add(bitmap.pixels.len());
        if pixels > MAX_TOTAL_PIXELS {
            return Err(at(
                &l,
                format!(
                    "the glyphs so far hold more than {MAX_TOTAL_PIXELS} pixels; FONTBOUNDINGBOX is far larger than a 外字"
                ),
            ));
        }
        found.push(VendorGlyph { code, bitmap });
    }
    match l.next() {
        Some(("ENDFONT", _)) => {}
        Some(("STARTCHAR", _)) => return Err(l.err(format!("more glyphs than CHARS {chars}"))),
        _ => return Err(l.err("expected ENDFONT after the last glyph")),
    }
    let glyphs = super::finish(found)?;
    let mut notes = Vec::new();
    if standard > 0 {
        notes.push(format!(
            "{standard} glyphs at standard JIS positions (rows 1–84) left out"
        ));
    }
    if outside > 0 {
        notes.push(format!(
            "{outside} glyphs outside the codes asked for left out"
        ));
    }
    if unencoded > 0 {
        notes.push(format!(
            "{unencoded} glyphs without a code (ENCODING -1) left out"
        ));
    }
    if empty > 0 {
        notes.push(format!("{empty} empty glyphs left out"));
    }
    Ok(Glyphs { glyphs, notes })
}

/// A bounding box `w h x y` must have a size a glyph can have.
fn check_box(b: [i64; 4], what: &str, l: &Lines<'_>) -> Result<(), String> {
    let [w, h, x, y] = b;
    let side = i64::from(MAX_SIDE);
    if !(0..=side).contains(&w) || !(0..=side).contains(&h) || x.abs() > side || y.abs() > side {
        return Err(l.err(format!(
            "{what} {w} {h} {x} {y}: a glyph box is 0 to {MAX_SIDE} pixels each way, offsets within ±{MAX_SIDE}"
        )));
    }
    Ok(())
}

/// The code of ENCODING `e` (None: a standard JIS character, not a 外字).
fn code_of(e: i64, registry: Registry) -> Result<Option<Code>, String> {
    match registry {
        Registry::Unicode => u32::try_from(e)
            .ok()
            .and_then(char::from_u32)
            .map(|c| Some(Code::Char(c)))
            .ok_or_else(|| {
                format!("ENCODING {e} is not a Unicode code point (CHARSET_REGISTRY is ISO10646)")
            }),
        Registry::Jis => {
            let (row, cell) = (e >> 8, e & 0xFF);
            if !((0..=0xFFFF).contains(&e)
                && (0x21..=0x7E).contains(&row)
                && (0x21..=0x7E).contains(&cell))
            {
                return Err(format!(
                    "ENCODING {e} (0x{e:X}) is not a JIS row and cell 0x2121–0x7E7E (CHARSET_REGISTRY is JISX0208)"
                ));
            }
            if row < 0x75 {
                return Ok(None);
            }
            // Rows 85–94 → U+E000…: 94 cells a row, as CP932 and eucJP-ms.
            let pua = 0xE000 + (row - 0x75) * 94 + (cell - 0x21);
            Ok(u32::try_from(pua)
                .ok()
                .and_then(char::from_u32)
                .map(Code::Char))
        }
        Registry::Vendor => u16::try_from(e)
            .map(|b| Some(Code::Bytes(b)))
            .map_err(|_| format!("ENCODING {e} is not a double-byte code 0–65535")),
    }
}

/// The glyph drawn in the font's bounding box (grown to hold a glyph that sticks
/// out of it), so that every glyph keeps its place on the em.
fn draw(font: [i64; 4], bbx: [i64; 4], rows: &[&str]) -> Result<Bitmap, String> {
    let [fw, fh, fx, fy] = font;
    let [w, h, x, y] = bbx;
    // Values are within ±MAX_SIDE (check_box), so these sums cannot overflow.
    let left = fx.min(x);
    let right = (fx + fw).max(x + w);
    let bottom = fy.min(y);
    let top = (fy + fh).max(y + h);
    let width = u32::try_from(right - left).map_err(|_| "bounding box".to_string())?;
    let height = u32::try_from(top - bottom).map_err(|_| "bounding box".to_string())?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(format!(
            "BBX {w} {h} {x} {y} lies too far outside FONTBOUNDINGBOX {fw} {fh} {fx} {fy}"
        ));
    }
    let mut out = Bitmap::blank(width, height);
    let (dx, dy) = ((x - left) as usize, (top - (y + h)) as usize);
    for (r, row) in rows.iter().enumerate() {
        for c in 0..w as usize {
            let digit = row.as_bytes()[c / 4];
            let nibble = (digit as char).to_digit(16).unwrap_or(0);
            if nibble & (8 >> (c % 4)) != 0 {
                out.pixels[(dy + r) * width as usize + dx + c] = 255;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font(registry: &str, chars: &str, n: usize) -> String {
        format!(
            "STARTFONT 2.1\nFONT -x\nSIZE 8 75 75\nFONTBOUNDINGBOX 8 8 0 -1\nSTARTPROPERTIES 1\nCHARSET_REGISTRY \"{registry}\"\nENDPROPERTIES\nCHARS {n}\n{chars}ENDFONT\n"
        )
    }

    const CROSS: &str = "STARTCHAR a\nENCODING 57344\nSWIDTH 1000 0\nDWIDTH 8 0\nBBX 3 3 1 0\nBITMAP\n40\nE0\n40\nENDCHAR\n";

    #[test]
    fn a_glyph_sits_where_its_box_says() {
        let g = parse(font("ISO10646", CROSS, 1).as_bytes(), &Codes::all_gaiji()).unwrap();
        assert_eq!(g.glyphs.len(), 1);
        let v = &g.glyphs[0];
        assert_eq!(v.code, Code::Char('\u{E000}'));
        assert_eq!((v.bitmap.width, v.bitmap.height), (8, 8));
        // Baseline one row above the bottom (font box y = -1): rows 4..7 hold the cross.
        let ink: Vec<(usize, usize)> = (0..64)
            .filter(|i| v.bitmap.pixels[*i] > 0)
            .map(|i| (i % 8, i / 8))
            .collect();
        assert_eq!(ink, [(2, 4), (1, 5), (2, 5), (3, 5), (2, 6)]);
    }

    #[test]
    fn jis_user_rows_become_pua_and_vendor_codes_stay_codes() {
        let jis = CROSS.replace("ENCODING 57344", "ENCODING 29985"); // 0x7521
        let g = parse(
            font("JISX0208.1983", &jis, 1).as_bytes(),
            &Codes::all_gaiji(),
        )
        .unwrap();
        assert_eq!(g.glyphs[0].code, Code::Char('\u{E000}'));
        let std = CROSS.replace("ENCODING 57344", "ENCODING 12321"); // 0x3021
        let g = parse(
            font("JISX0208.1983", &std, 1).as_bytes(),
            &Codes::all_gaiji(),
        )
        .unwrap();
        assert!(
            g.glyphs.is_empty() && g.notes[0].contains("standard JIS"),
            "{:?}",
            g.notes
        );
        let sjis = CROSS.replace("ENCODING 57344", "ENCODING 61504"); // 0xF040
        let g = parse(font("FUJITSU", &sjis, 1).as_bytes(), &Codes::all_gaiji()).unwrap();
        assert_eq!(g.glyphs[0].code, Code::Bytes(0xF040));
    }

    #[test]
    fn a_huge_font_box_cannot_exhaust_memory() {
        // One dot a glyph, each drawn in a 1024×1024 box: 300 glyphs would be 300 MiB.
        let dot = "STARTCHAR a\nENCODING 0\nBBX 1 1 0 0\nBITMAP\n80\nENDCHAR\n";
        let chars: String = (0..300)
            .map(|i| dot.replace("ENCODING 0", &format!("ENCODING {}", 0xE000 + i)))
            .collect();
        let text = font("ISO10646", &chars, 300)
            .replace("FONTBOUNDINGBOX 8 8 0 -1", "FONTBOUNDINGBOX 1024 1024 0 0");
        let e = parse(text.as_bytes(), &Codes::all_gaiji()).unwrap_err();
        assert!(e.contains("FONTBOUNDINGBOX is far larger"), "{e}");
    }

    #[test]
    fn garbage_is_refused_with_its_line() {
        let cases = [
            (font("ISO10646", CROSS, 2), "CHARS says 2"),
            (
                font("ISO10646", &CROSS.replace("E0\n", "E\n"), 1),
                "line 16: glyph \"a\": BITMAP row \"E\"",
            ),
            (
                font("ISO10646", &CROSS.replace("40\nENDCHAR", "ENDCHAR"), 1),
                "2 rows, BBX says 3",
            ),
            (
                font(
                    "ISO10646",
                    &CROSS.replace("BBX 3 3 1 0", "BBX 3 99999 1 0"),
                    1,
                ),
                "BBX 3 99999",
            ),
            (
                font(
                    "ISO10646",
                    &CROSS.replace("ENCODING 57344", "ENCODING 55296"),
                    1,
                ),
                "not a Unicode",
            ),
            (
                font("ISO10646", &CROSS.replace("BBX 3 3 1 0\n", ""), 1),
                "no BBX",
            ),
            (
                font("ISO10646", &format!("{CROSS}{CROSS}"), 2),
                "two glyphs",
            ),
            (
                font("ISO10646", CROSS, 1).replace("ENDFONT\n", ""),
                "ENDFONT",
            ),
            (
                "STARTFONT 2.1\nCHARS 0\nENDFONT\n".into(),
                "FONTBOUNDINGBOX",
            ),
            ("\u{0}\u{FF}".into(), "STARTFONT"),
        ];
        for (text, want) in cases {
            let e = parse(text.as_bytes(), &Codes::all_gaiji()).unwrap_err();
            assert!(e.contains(want), "{e} / wanted {want}");
        }
        assert!(
            parse(b"\xFF\xFE", &Codes::all_gaiji())
                .unwrap_err()
                .contains("ASCII")
        );
    }
}
