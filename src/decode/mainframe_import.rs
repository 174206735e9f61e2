//! Builds the mainframe code tables ikou embeds (`mappings/mainframe/`) from the
//! CC0 mapping files of jef4j (`../shared/mainframe/*.json`) and the IVD Moji_Joho
//! collection (`../shared/mj/ivd_moji_joho.tsv`).
//!
//! Deterministic: the same inputs give the same bytes (the tests check the shipped
//! tables against a fresh run). What a code decodes to is decided here, once, so
//! the decoder only looks values up:
//! - `encode_only` rows are not decode rows and are dropped;
//! - rows repeated identically are one row; where a code keeps two different decode
//!   rows, a `cjk_ci` row (a CJK compatibility ideograph, which NFC would fold into
//!   its unified form and so lose the glyph) yields to the other row, which names the
//!   glyph with an IVS; any other disagreement has no faithful answer and the code
//!   becomes `gaiji` (it needs a 外字 table line);
//! - a few single-byte rows whose code is evidently one too high are moved
//!   ([`ERRATA`], each with the evidence);
//! - `unmappable` rows and rows whose `unicode` is U+FFFD are `gaiji`;
//! - a row with a Hanyo-Denshi selector (`hd`) whose sequence is in the Moji_Joho
//!   collection is that MJ glyph (`MJ######`);
//! - any other row is its `unicode` (followed by `sp`, a combining mark, when given).
//!
//! Output lines: `CODE<TAB>VALUE[<TAB>note]`, VALUE one of `U+XXXX`, `U+XXXX U+YYYY`,
//! `MJ######`, `gaiji`; the byte bijection of JIPS(E) is `EBCDIC<TAB>JIS8`.

use serde::Deserialize;
use sha2::Digest;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

/// One shipped table: its file name in `mappings/mainframe/`, the JSON it comes
/// from, and whether its codes are one byte or two.
pub const TABLES: [(&str, &str, Width); 11] = [
    (
        "fujitsu_ebcdic.tsv",
        "fujitsu_ebcdic_mapping.json",
        Width::Single,
    ),
    (
        "fujitsu_ebcdik.tsv",
        "fujitsu_ebcdik_mapping.json",
        Width::Single,
    ),
    (
        "fujitsu_ascii.tsv",
        "fujitsu_ascii_mapping.json",
        Width::Single,
    ),
    (
        "hitachi_ebcdic.tsv",
        "hitachi_ebcdic_mapping.json",
        Width::Single,
    ),
    (
        "hitachi_ebcdik.tsv",
        "hitachi_ebcdik_mapping.json",
        Width::Single,
    ),
    ("nec_ebcdik.tsv", "nec_ebcdik_mapping.json", Width::Single),
    ("nec_jis8.tsv", "nec_jis8_mapping.json", Width::Single),
    ("jef.tsv", "fujitsu_jef_mapping.json", Width::Double),
    ("keis78.tsv", "hitachi_keis78_mapping.json", Width::Double),
    ("keis83.tsv", "hitachi_keis83_mapping.json", Width::Double),
    ("jips.tsv", "nec_jips_mapping.json", Width::Double),
];

/// The JIPS(E) ↔ JIPS(J) byte bijection.
pub const JIPS_E_BYTES: (&str, &str) = ("jips_e_bytes.tsv", "nec_jis8_ebcdik_mapping.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    Single,
    Double,
}

/// Single-byte rows of the source files whose code is one too high: the row is
/// the first of two different rows for that code, and the code below has none.
/// (file, code given, unicode, code meant, evidence). The importer fails if a row
/// is no longer there, so a corrected source cannot be "fixed" twice.
pub const ERRATA: [(&str, u16, u32, u16, &str); 6] = [
    (
        "hitachi_ebcdic_mapping.json",
        0x8F,
        0xFF88,
        0x8E,
        "the kana run ﾄﾅﾆﾇﾈﾉﾊ fills 0x8A–0x90; 0x8E had no row",
    ),
    (
        "nec_ebcdik_mapping.json",
        0xA8,
        0xFF92,
        0xA7,
        "hitachi_ebcdik has ﾒ at 0xA7 and ﾓ at 0xA8; 0xA7 had no row",
    ),
    (
        "nec_jis8_mapping.json",
        0x4E,
        0x4D,
        0x4D,
        "JIS X 0201 Roman: M is 0x4D; 0x4D had no row",
    ),
    (
        "nec_jis8_mapping.json",
        0x5E,
        0x5D,
        0x5D,
        "JIS X 0201 Roman: ] is 0x5D; 0x5D had no row",
    ),
    (
        "nec_jis8_mapping.json",
        0x6E,
        0x6D,
        0x6D,
        "JIS X 0201 Roman: m is 0x6D; 0x6D had no row",
    ),
    (
        "nec_jis8_mapping.json",
        0x7E,
        0x7D,
        0x7D,
        "JIS X 0201 Roman: } is 0x7D; 0x7D had no row",
    ),
];

/// A row of a jef4j mapping file.
#[derive(Debug, Clone, Deserialize)]
pub struct Row {
    pub code: String,
    pub unicode: String,
    #[serde(default)]
    pub hd: Option<String>,
    #[serde(default)]
    pub sp: Option<String>,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub options: Vec<String>,
}

impl Row {
    pub fn has(&self, option: &str) -> bool {
        self.options.iter().any(|o| o == option)
    }
}

/// A row of `nec_jis8_ebcdik_mapping.json`.
#[derive(Debug, Deserialize)]
struct BytePair {
    jis8: String,
    ebcdik: String,
}

/// What one code decodes to, as the importer decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// These code points (one, or a base and a combining mark).
    Chars(Vec<u32>),
    /// An MJ glyph (`MJ######`): decoded to the internal code, mapped by the 外字 engine.
    Mj(String),
    /// No faithful Unicode form: decoded to the internal code, needs a 外字 table line.
    Gaiji,
}

/// Parses a hex field of a source file (`"4E02"`), naming the file on error.
fn hex(s: &str, what: &str, file: &str) -> Result<u32, String> {
    u32::from_str_radix(s, 16).map_err(|_| format!("{file}: {what} {s:?} is not hexadecimal"))
}

/// Reads a JSON source file. Err: unreadable or not the expected shape.
pub fn read_rows(dir: &Path, file: &str) -> Result<(Vec<Row>, String), String> {
    let bytes = std::fs::read(dir.join(file))
        .map_err(|e| format!("{}: cannot read: {e}", dir.join(file).display()))?;
    let sha = crate::output::hex(&sha2::Sha256::digest(&bytes));
    let rows: Vec<Row> =
        serde_json::from_slice(&bytes).map_err(|e| format!("{file}: not a mapping file: {e}"))?;
    Ok((rows, sha))
}

/// The Moji_Joho collection: (base, selector) → MJ glyph name.
pub type MojiJoho = HashMap<(u32, u32), String>;

/// Reads the Moji_Joho collection, with the SHA-256 of the file.
pub fn read_moji_joho(path: &Path) -> Result<(MojiJoho, String), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let sha = crate::output::hex(&sha2::Sha256::digest(&bytes));
    let text = String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8", path.display()))?;
    let mut map = HashMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let mut cols = line.split('\t');
        let (Some(seq), Some(name)) = (cols.next(), cols.next()) else {
            return Err(format!(
                "{}:{}: expected IVS<TAB>MJ name",
                path.display(),
                i + 1
            ));
        };
        let mut cs = seq.chars();
        let (Some(base), Some(vs), None) = (cs.next(), cs.next(), cs.next()) else {
            return Err(format!(
                "{}:{}: {seq:?} is not one IVS",
                path.display(),
                i + 1
            ));
        };
        map.insert((base as u32, vs as u32), name.to_string());
    }
    Ok((map, sha))
}

/// Decides the value of every code of one source file. Returns code → (value, note).
pub fn decide(
    file: &str,
    rows: &[Row],
    width: Width,
    moji_joho: &MojiJoho,
) -> Result<BTreeMap<u16, (Value, String)>, String> {
    let mut by_code: BTreeMap<u16, Vec<Row>> = BTreeMap::new();
    let mut errata_used = 0;
    for row in rows {
        if row.has("encode_only") {
            continue;
        }
        let code = hex(&row.code, "code", file)?;
        let expect_len = match width {
            Width::Single => 2,
            Width::Double => 4,
        };
        if row.code.len() != expect_len {
            return Err(format!("{file}: code {:?} has the wrong length", row.code));
        }
        let unicode = hex(&row.unicode, "unicode", file)?;
        let mut code =
            u16::try_from(code).map_err(|_| format!("{file}: code {:?} out of range", row.code))?;
        // An erratum applies to the first of the two rows of its code.
        let first = !by_code.contains_key(&code);
        if let Some(e) = ERRATA
            .iter()
            .find(|e| first && e.0 == file && e.1 == code && e.2 == unicode)
        {
            code = e.3;
            errata_used += 1;
        }
        by_code.entry(code).or_default().push(row.clone());
    }
    let expected = ERRATA.iter().filter(|e| e.0 == file).count();
    if errata_used != expected {
        return Err(format!(
            "{file}: {expected} errata are listed for this file but {errata_used} matched; \
             the source changed: review ERRATA in src/decode/mainframe_import.rs"
        ));
    }
    let mut out = BTreeMap::new();
    for (code, mut list) in by_code {
        let mut values: Vec<(Value, String, bool)> = Vec::new();
        for row in &list {
            let v = value_of(file, row, moji_joho)?;
            if !values.iter().any(|(x, _, _)| *x == v.0) {
                values.push((v.0, v.1, row.has("cjk_ci")));
            }
        }
        if values.len() > 1 && values.iter().any(|v| !v.2) {
            values.retain(|v| !v.2);
            list.retain(|r| !r.has("cjk_ci"));
        }
        let decided = if values.len() == 1 {
            let (v, note, _) = values.remove(0);
            (v, note)
        } else {
            let alts: Vec<String> = list.iter().map(|r| format!("U+{}", r.unicode)).collect();
            (
                Value::Gaiji,
                format!("the source gives {} different rows", alts.join(" / ")),
            )
        };
        out.insert(code, decided);
    }
    Ok(out)
}

/// The value of one decode row, with the note written beside it.
fn value_of(file: &str, row: &Row, moji_joho: &MojiJoho) -> Result<(Value, String), String> {
    let unicode = hex(&row.unicode, "unicode", file)?;
    if row.has("unmappable") || unicode == 0xFFFD {
        return Ok((Value::Gaiji, format!("unmappable {}", row.text)));
    }
    if char::from_u32(unicode).is_none() {
        return Err(format!(
            "{file}: code {}: U+{unicode:X} is not a character",
            row.code
        ));
    }
    if let Some(hd) = &row.hd {
        let vs = hex(hd, "hd", file)?;
        if let Some(name) = moji_joho.get(&(unicode, vs)) {
            return Ok((Value::Mj(name.clone()), format!("U+{unicode:04X} U+{vs:X}")));
        }
    }
    let mut cps = vec![unicode];
    if let Some(sp) = &row.sp {
        let sp = hex(sp, "sp", file)?;
        if char::from_u32(sp).is_none() {
            return Err(format!(
                "{file}: code {}: sp U+{sp:X} is not a character",
                row.code
            ));
        }
        cps.push(sp);
    }
    Ok((Value::Chars(cps), String::new()))
}

/// The text of one shipped table.
fn render(
    name: &str,
    file: &str,
    sha: &str,
    ivd_sha: &str,
    width: Width,
    values: &BTreeMap<u16, (Value, String)>,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {name}: generated by ikou-mainframe-import; do not edit."
    );
    let _ = writeln!(
        s,
        "# source: jef4j (github.com/hidekatsu-izuno/jef4j, HEAD 0e4e9fd) src/test/resources/{file}, CC0"
    );
    let _ = writeln!(s, "# source sha256: {sha}");
    let _ = writeln!(s, "# IVD Moji_Joho (ivd_moji_joho.tsv) sha256: {ivd_sha}");
    let _ = writeln!(
        s,
        "# code<TAB>value[<TAB>note]; value: U+XXXX [U+YYYY] | MJ###### (an MJ glyph) | gaiji (needs a 外字 table line)"
    );
    for (code, (v, note)) in values {
        match width {
            Width::Single => {
                let _ = write!(s, "{code:02X}\t");
            }
            Width::Double => {
                let _ = write!(s, "{code:04X}\t");
            }
        }
        match v {
            Value::Chars(cps) => {
                let parts: Vec<String> = cps.iter().map(|c| format!("U+{c:04X}")).collect();
                s.push_str(&parts.join(" "));
            }
            Value::Mj(n) => s.push_str(n),
            Value::Gaiji => s.push_str("gaiji"),
        }
        if !note.is_empty() {
            s.push('\t');
            s.push_str(note);
        }
        s.push('\n');
    }
    s
}

/// Builds every table: (file name, text). `mainframe_dir` holds the jef4j JSON
/// files, `ivd` is `ivd_moji_joho.tsv`.
pub fn import(mainframe_dir: &Path, ivd: &Path) -> Result<Vec<(String, String)>, String> {
    let (moji_joho, ivd_sha) = read_moji_joho(ivd)?;
    let mut out = Vec::new();
    for (name, file, width) in TABLES {
        let (rows, sha) = read_rows(mainframe_dir, file)?;
        let values = decide(file, &rows, width, &moji_joho)?;
        out.push((
            name.to_string(),
            render(name, file, &sha, &ivd_sha, width, &values),
        ));
    }
    let (name, file) = JIPS_E_BYTES;
    let bytes =
        std::fs::read(mainframe_dir.join(file)).map_err(|e| format!("{file}: cannot read: {e}"))?;
    let sha = crate::output::hex(&sha2::Sha256::digest(&bytes));
    let pairs: Vec<BytePair> =
        serde_json::from_slice(&bytes).map_err(|e| format!("{file}: not a byte table: {e}"))?;
    let mut e2j = [None::<u32>; 256];
    for p in &pairs {
        let j = hex(&p.jis8, "jis8", file)?;
        let e = hex(&p.ebcdik, "ebcdik", file)?;
        let slot = usize::try_from(e)
            .ok()
            .and_then(|e| e2j.get_mut(e))
            .ok_or_else(|| format!("{file}: byte {e:X} out of range"))?;
        if slot.is_some() || j > 0xFF {
            return Err(format!("{file}: not a byte bijection at EBCDIC 0x{e:02X}"));
        }
        *slot = Some(j);
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {name}: generated by ikou-mainframe-import; do not edit."
    );
    let _ = writeln!(
        s,
        "# source: jef4j (github.com/hidekatsu-izuno/jef4j, HEAD 0e4e9fd) src/test/resources/{file}, CC0"
    );
    let _ = writeln!(s, "# source sha256: {sha}");
    let _ = writeln!(
        s,
        "# JIPS(E) byte<TAB>JIPS(J) byte: each byte of a JIPS(E) double-byte code is the EBCDIC byte of the JIPS(J) byte"
    );
    for (e, j) in e2j.iter().enumerate() {
        let Some(j) = j else {
            return Err(format!("{file}: EBCDIC byte 0x{e:02X} has no JIS8 byte"));
        };
        let _ = writeln!(s, "{e:02X}\t{j:02X}");
    }
    out.push((name.to_string(), s));
    Ok(out)
}

/// Runs [`import`] and writes the tables into `out_dir` (created if missing).
/// Returns (file name, bytes written).
pub fn import_to(
    mainframe_dir: &Path,
    ivd: &Path,
    out_dir: &Path,
) -> Result<Vec<(String, usize)>, String> {
    let tables = import(mainframe_dir, ivd)?;
    std::fs::create_dir_all(out_dir)
        .map_err(|e| format!("{}: cannot create: {e}", out_dir.display()))?;
    let mut written = Vec::new();
    for (name, text) in tables {
        let path = out_dir.join(&name);
        std::fs::write(&path, &text)
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        written.push((name, text.len()));
    }
    Ok(written)
}
