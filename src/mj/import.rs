//! Importer: builds the tables in `mappings/` from the public MJ tables.
//!
//! The tool must not read the public tables at run time (it runs in an isolated zone
//! and must give the same answer everywhere), so they are reduced once, here, to the
//! few columns ikou needs and embedded in the binary. Running the importer again on
//! the same inputs gives the same bytes; a test checks the checked-in files against
//! a fresh run. Decisions that need judgement are taken here, visibly, so that a
//! change shows up as a diff of `mappings/` in review:
//!
//! - the candidates of MJ縮退マップ are written in the order ikou prefers them (the
//!   first one is what `--ivs never` writes), see [`super::Table`] and [`write_mjsm`];
//! - for the glyphs without 実装したUCS and IVS, the sibling glyph that 備考 names as
//!   the same glyph (同一字形) is extracted ([`sibling_from_note`]);
//! - whether a glyph's 実装したUCS is itself a JIS X 0213 character (`impl_x0213`) is
//!   decided from MJ縮退マップ, which lists each JIS X 0213 character with its 面区点:
//!   the `X0213` column of the list alone does not say it. Of the 13,707 glyphs with
//!   an X0213 position, 3,489 have no 実装したUCS and 164 have one that is not the
//!   character at that position (the glyph is 包摂 into it; e.g. MJ006376 乄 U+4E44 at
//!   1-01-26 〆); writing those as "X0213" would not be JIS X 0213 at all.
//!
//! Input: a directory with `mji.tsv`, `mjsm.tsv` and `ivd_moji_joho.tsv` (UTF-8 TSV,
//! one header line, characters stored as themselves). Each file must be exactly the
//! version named in [`SOURCES`] (checked by SHA-256), so the versions written into
//! the tables are true; a new version means updating [`SOURCES`] after review.

use super::Table;
use super::jis::X0213;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// File names of the generated tables in `mappings/`.
pub const MJ_FILE: &str = "mj.tsv";
pub const MJSM_FILE: &str = "mjsm.tsv";
pub const LICENSE_FILE: &str = "LICENSE.md";

/// One input table and the version it must be.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    pub file: &'static str,
    pub version: &'static str,
    pub sha256: &'static str,
}

/// The inputs this importer knows, with the SHA-256 of the extract of each version.
pub const SOURCES: [Source; 3] = [
    Source {
        file: "mji.tsv",
        version: "MJ文字情報一覧表 Ver.006.02",
        sha256: "4044ca7cc0f16166ee3e802131c2715ef61dd0bc1c9dd7a32ee9b1783cb38a57",
    },
    Source {
        file: "mjsm.tsv",
        version: "MJ縮退マップ Ver.1.2.0",
        sha256: "ee412fcb6b66feeff103e46ab615ffeab8ae5197b010b1d062efcce6bb553585",
    },
    Source {
        file: "ivd_moji_joho.tsv",
        version: "IVD 2022-09-13 Moji_Joho",
        sha256: "fbd020e414359bcfde9064560a188dbd0caedeab4e2011395448832c7289b535",
    },
];

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: this is not the {version} extract the importer knows \
         (sha256 {actual}, expected {expected}). If it is a new version, review the \
         changes and update SOURCES in src/mj/import.rs"
    )]
    UnknownSource {
        path: PathBuf,
        version: &'static str,
        actual: String,
        expected: &'static str,
    },
    #[error("{file}:{line}: {message}")]
    Data {
        file: &'static str,
        line: usize,
        message: String,
    },
}

fn data_err(file: &'static str, line: usize, message: impl Into<String>) -> ImportError {
    ImportError::Data {
        file,
        line,
        message: message.into(),
    }
}

/// Reads the three tables from `src` and returns the files to write into `mappings/`
/// (name, content), in a fixed order. Pure: writes nothing.
pub fn import(src: &Path) -> Result<Vec<(&'static str, String)>, ImportError> {
    let [mji_src, mjsm_src, ivd_src] = SOURCES;
    let mji_text = read_source(src, mji_src)?;
    let mjsm_text = read_source(src, mjsm_src)?;
    let ivd_text = read_source(src, ivd_src)?;

    let mut glyphs = parse_mji(&mji_text)?;
    let candidates = parse_mjsm(&mjsm_text, &glyphs)?;
    apply_ivd(&ivd_text, &mut glyphs)?;
    mark_impl_x0213(&mut glyphs, &candidates);
    find_siblings(&mut glyphs);

    let header = header_lines();
    Ok(vec![
        (MJ_FILE, write_mj(&header, &glyphs)),
        (MJSM_FILE, write_mjsm(&header, &glyphs, candidates)),
        (LICENSE_FILE, license_text()),
    ])
}

/// [`import`], then writes the files into `out` (created if missing). Each file is
/// written to a temporary name and renamed, so a reader never sees half a table.
/// Returns the names and sizes written.
pub fn import_to(src: &Path, out: &Path) -> Result<Vec<(&'static str, usize)>, ImportError> {
    let files = import(src)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Io { path, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let mut written = Vec::new();
    for (name, content) in files {
        let path = out.join(name);
        let tmp = out.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, content.as_bytes()).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        written.push((name, content.len()));
    }
    Ok(written)
}

/// The version line recorded in every generated table (and returned by
/// [`super::MjDb::version`]).
pub fn version_line() -> String {
    SOURCES
        .iter()
        .map(|s| s.version)
        .collect::<Vec<_>>()
        .join(", ")
}

fn read_source(dir: &Path, source: Source) -> Result<String, ImportError> {
    let path = dir.join(source.file);
    let bytes = std::fs::read(&path).map_err(|e| ImportError::Io {
        path: path.clone(),
        source: e,
    })?;
    let actual = crate::output::hex(&Sha256::digest(&bytes));
    if actual != source.sha256 {
        return Err(ImportError::UnknownSource {
            path,
            version: source.version,
            actual,
            expected: source.sha256,
        });
    }
    String::from_utf8(bytes).map_err(|e| ImportError::Data {
        file: source.file,
        line: 0,
        message: format!("not UTF-8: {e}"),
    })
}

/// The rows of a TSV file with a header line: (line number, cells), cells addressed
/// by column name through [`Columns`].
struct Tsv<'a> {
    file: &'static str,
    columns: Vec<&'a str>,
    rows: Vec<(usize, Vec<&'a str>)>,
}

impl<'a> Tsv<'a> {
    fn parse(file: &'static str, text: &'a str) -> Result<Tsv<'a>, ImportError> {
        let mut lines = text.lines().enumerate();
        let Some((_, header)) = lines.next() else {
            return Err(data_err(file, 1, "empty file"));
        };
        let columns: Vec<&str> = header.split('\t').collect();
        let mut rows = Vec::new();
        for (i, line) in lines {
            let cells: Vec<&str> = line.split('\t').collect();
            if cells.len() != columns.len() {
                return Err(data_err(
                    file,
                    i + 1,
                    format!("{} cells, the header has {}", cells.len(), columns.len()),
                ));
            }
            rows.push((i + 1, cells));
        }
        Ok(Tsv {
            file,
            columns,
            rows,
        })
    }

    fn column(&self, name: &str) -> Result<usize, ImportError> {
        self.columns
            .iter()
            .position(|c| *c == name)
            .ok_or_else(|| data_err(self.file, 1, format!("no column {name}")))
    }
}

/// One MJ glyph as the importer keeps it.
#[derive(Debug, Clone)]
struct Row {
    mj: u32,
    ucs: Option<char>,
    implemented: Option<char>,
    /// The variation selector of 実装したMoji_JohoコレクションIVS; the base is `ucs`.
    ivs: Option<char>,
    /// 総画数 (1…255; MJ文字情報一覧表 Ver.006.02 has 1…64 for every glyph).
    strokes: Option<u8>,
    koseki: Option<u32>,
    juki: Option<u32>,
    x0213: Option<X0213>,
    impl_x0213: bool,
    compat: Option<char>,
    ivd_alt: Option<(char, char)>,
    sibling: Option<u32>,
    note: Option<String>,
}

type Cell<'a> = (&'static str, usize, &'a str);

fn one_char(name: &str, (file, line, cell): Cell) -> Result<Option<char>, ImportError> {
    let mut it = cell.chars();
    match (it.next(), it.next()) {
        (None, _) => Ok(None),
        (Some(c), None) => Ok(Some(c)),
        _ => Err(data_err(
            file,
            line,
            format!("{name}: one character expected, found {cell:?}"),
        )),
    }
}

fn is_variation_selector(c: char) -> bool {
    ('\u{E0100}'..='\u{E01EF}').contains(&c)
}

fn ivs_cell(name: &str, (file, line, cell): Cell) -> Result<Option<(char, char)>, ImportError> {
    if cell.is_empty() {
        return Ok(None);
    }
    let mut it = cell.chars();
    match (it.next(), it.next(), it.next()) {
        (Some(b), Some(s), None) if is_variation_selector(s) => Ok(Some((b, s))),
        _ => Err(data_err(
            file,
            line,
            format!("{name}: base character + U+E0100…U+E01EF expected, found {cell:?}"),
        )),
    }
}

fn digits(cell: &str, n: usize) -> Option<u32> {
    if cell.len() == n && cell.bytes().all(|b| b.is_ascii_digit()) {
        cell.parse().ok()
    } else {
        None
    }
}

/// A 総画数 cell: 1 to 3 digits, 1…255 (a kanji has at most 84 strokes).
fn stroke_count(cell: &str) -> Option<u8> {
    if cell.is_empty() || cell.len() > 3 || !cell.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    cell.parse::<u8>().ok().filter(|&n| n > 0)
}

fn mj_name((file, line, cell): Cell) -> Result<u32, ImportError> {
    cell.strip_prefix("MJ")
        .and_then(|d| digits(d, 6))
        .ok_or_else(|| data_err(file, line, format!("MJ文字図形名 expected, found {cell:?}")))
}

fn parse_mji(text: &str) -> Result<Vec<Row>, ImportError> {
    let file = "mji.tsv";
    let tsv = Tsv::parse(file, text)?;
    let c_mj = tsv.column("MJ文字図形名")?;
    let c_ucs = tsv.column("対応するUCS")?;
    let c_impl = tsv.column("実装したUCS")?;
    let c_ivs = tsv.column("実装したMoji_JohoコレクションIVS")?;
    let c_koseki = tsv.column("戸籍統一文字番号")?;
    let c_juki = tsv.column("住基ネット統一文字コード")?;
    let c_compat = tsv.column("対応する互換漢字")?;
    let c_x0213 = tsv.column("X0213")?;
    let c_strokes = tsv.column("総画数")?;
    let c_note = tsv.column("備考")?;

    let mut rows = Vec::with_capacity(tsv.rows.len());
    let mut seen = HashSet::new();
    for (line, cells) in &tsv.rows {
        let line = *line;
        let cell = |c: usize| (file, line, cells[c]);
        let mj = mj_name(cell(c_mj))?;
        if !seen.insert(mj) {
            return Err(data_err(file, line, format!("MJ{mj:06} appears twice")));
        }
        let ucs = one_char("対応するUCS", cell(c_ucs))?;
        let ivs = match ivs_cell("実装したMoji_JohoコレクションIVS", cell(c_ivs))? {
            None => None,
            Some((base, sel)) if Some(base) == ucs => Some(sel),
            Some(_) => {
                return Err(data_err(
                    file,
                    line,
                    "the IVS base is not 対応するUCS (mappings/mj.tsv stores only the selector)",
                ));
            }
        };
        let koseki = match cells[c_koseki] {
            "" => None,
            k => Some(digits(k, 6).ok_or_else(|| {
                data_err(
                    file,
                    line,
                    format!("戸籍統一文字番号: 6 digits expected, found {k:?}"),
                )
            })?),
        };
        let juki = match cells[c_juki] {
            "" => None,
            j => Some(
                j.strip_prefix("J+")
                    .filter(|h| h.len() == 4 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        data_err(
                            file,
                            line,
                            format!("住基ネット統一文字コード: J+XXXX expected, found {j:?}"),
                        )
                    })?,
            ),
        };
        let x0213 = match cells[c_x0213] {
            "" => None,
            x => Some(X0213::parse(x).ok_or_else(|| {
                data_err(file, line, format!("X0213: 面-区-点 expected, found {x:?}"))
            })?),
        };
        let strokes = match cells[c_strokes] {
            "" => None,
            n => Some(stroke_count(n).ok_or_else(|| {
                data_err(
                    file,
                    line,
                    format!("総画数: a number from 1 to 255 expected, found {n:?}"),
                )
            })?),
        };
        let note = match cells[c_note] {
            "" => None,
            n if n.contains(['\t', '\r', '\n']) => {
                return Err(data_err(file, line, "備考 contains a tab or line break"));
            }
            n => Some(n.to_string()),
        };
        rows.push(Row {
            mj,
            ucs,
            implemented: one_char("実装したUCS", cell(c_impl))?,
            ivs,
            strokes,
            koseki,
            juki,
            x0213,
            impl_x0213: false,
            compat: one_char("対応する互換漢字", cell(c_compat))?,
            ivd_alt: None,
            sibling: None,
            note,
        });
    }
    rows.sort_by_key(|r| r.mj);
    check_unique(file, &rows, "戸籍統一文字番号", |r| r.koseki)?;
    check_unique(file, &rows, "住基ネット統一文字コード", |r| {
        r.juki
    })?;
    check_unique(file, &rows, "実装したUCS", |r| {
        r.implemented.map(u32::from)
    })?;
    Ok(rows)
}

/// The lookups by 戸籍, 住基 and 実装したUCS promise one glyph per code.
fn check_unique(
    file: &'static str,
    rows: &[Row],
    what: &str,
    key: impl Fn(&Row) -> Option<u32>,
) -> Result<(), ImportError> {
    let mut seen = HashMap::new();
    for r in rows {
        if let Some(k) = key(r)
            && let Some(other) = seen.insert(k, r.mj)
        {
            return Err(data_err(
                file,
                0,
                format!("{what} {k:X} is shared by MJ{other:06} and MJ{:06}", r.mj),
            ));
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
struct Cand {
    mj: u32,
    table: Table,
    rank: Option<u8>,
    hops: Option<u8>,
    ucs: char,
    x0213: X0213,
}

fn small(name: &str, (file, line, cell): Cell) -> Result<Option<u8>, ImportError> {
    match cell {
        "" => Ok(None),
        n => n.parse::<u8>().map(Some).map_err(|_| {
            data_err(
                file,
                line,
                format!("{name}: a small number expected, found {n:?}"),
            )
        }),
    }
}

fn parse_mjsm(text: &str, glyphs: &[Row]) -> Result<Vec<Cand>, ImportError> {
    let file = "mjsm.tsv";
    let tsv = Tsv::parse(file, text)?;
    let c_mj = tsv.column("MJ文字図形名")?;
    let c_ucs = tsv.column("縮退UCS")?;
    let c_x0213 = tsv.column("縮退X0213")?;
    let c_table = tsv.column("表")?;
    let c_rank = tsv.column("順位")?;
    let c_hops = tsv.column("ホップ数")?;
    let mut out = Vec::with_capacity(tsv.rows.len());
    for (line, cells) in &tsv.rows {
        let line = *line;
        let cell = |c: usize| (file, line, cells[c]);
        let mj = mj_name(cell(c_mj))?;
        if glyphs.binary_search_by_key(&mj, |g| g.mj).is_err() {
            return Err(data_err(file, line, format!("MJ{mj:06} is not in mji.tsv")));
        }
        let table = Table::from_name(cells[c_table]).ok_or_else(|| {
            data_err(
                file,
                line,
                format!(
                    "unknown 表 {:?}: add it to mj::Table in its place of authority",
                    cells[c_table]
                ),
            )
        })?;
        let ucs = one_char("縮退UCS", cell(c_ucs))?
            .ok_or_else(|| data_err(file, line, "縮退UCS is empty"))?;
        let x0213 = X0213::parse(cells[c_x0213]).ok_or_else(|| {
            data_err(
                file,
                line,
                format!("縮退X0213: 面-区-点 expected, found {:?}", cells[c_x0213]),
            )
        })?;
        out.push(Cand {
            mj,
            table,
            rank: small("順位", cell(c_rank))?,
            hops: small("ホップ数", cell(c_hops))?,
            ucs,
            x0213,
        });
    }
    Ok(out)
}

/// Adds the IVD's sequences that mji.tsv does not list as a glyph's implemented IVS
/// (`ivd_alt`), and checks that every implemented IVS is registered for its glyph.
fn apply_ivd(text: &str, glyphs: &mut [Row]) -> Result<(), ImportError> {
    let file = "ivd_moji_joho.tsv";
    let tsv = Tsv::parse(file, text)?;
    let c_ivs = tsv.column("IVS")?;
    let c_mj = tsv.column("code")?;
    let mut registered = HashSet::new();
    for (line, cells) in &tsv.rows {
        let line = *line;
        let (base, sel) = ivs_cell("IVS", (file, line, cells[c_ivs]))?
            .ok_or_else(|| data_err(file, line, "empty IVS"))?;
        let mj = mj_name((file, line, cells[c_mj]))?;
        let Ok(i) = glyphs.binary_search_by_key(&mj, |g| g.mj) else {
            return Err(data_err(file, line, format!("MJ{mj:06} is not in mji.tsv")));
        };
        let g = &mut glyphs[i];
        if g.ucs == Some(base) && g.ivs == Some(sel) {
            registered.insert(mj);
        } else if g.ivd_alt.is_none() {
            g.ivd_alt = Some((base, sel));
        } else {
            return Err(data_err(
                file,
                line,
                format!("MJ{mj:06} has more than one further IVD sequence; mj.tsv keeps one"),
            ));
        }
    }
    if let Some(g) = glyphs
        .iter()
        .find(|g| g.ivs.is_some() && !registered.contains(&g.mj))
    {
        return Err(data_err(
            "mji.tsv",
            0,
            format!(
                "the IVS of MJ{:06} is not registered for it in the IVD",
                g.mj
            ),
        ));
    }
    Ok(())
}

/// `impl_x0213`: the glyph's 実装したUCS is the JIS X 0213 character at its X0213
/// position, as witnessed by MJ縮退マップ listing that character at that position.
fn mark_impl_x0213(glyphs: &mut [Row], candidates: &[Cand]) {
    let pairs: HashSet<(char, X0213)> = candidates.iter().map(|c| (c.ucs, c.x0213)).collect();
    for g in glyphs {
        g.impl_x0213 = match (g.implemented, g.x0213) {
            (Some(c), Some(x)) => pairs.contains(&(c, x)),
            _ => false,
        };
    }
}

/// For a glyph with neither 実装したUCS nor IVS, the glyph its 備考 names as having
/// the same shape (同一字形). The notes of MJ文字情報一覧表 Ver.006.02 use two forms:
/// `MJa・MJbは、戸籍統一文字において、同一字形であり…` (the sibling is the other one)
/// and `MJaは、MJbと同一の字形…` (the sibling is MJb). A note that says the glyph was
/// withdrawn (図形的な差異が大きく…) names a glyph that is *not* the same shape; no
/// sibling then.
pub fn sibling_from_note(mj: u32, note: &str) -> Option<u32> {
    let name_at = |s: &str| -> Option<u32> {
        s.get(..8)
            .and_then(|n| n.strip_prefix("MJ"))
            .and_then(|d| digits(d, 6))
    };
    // Form 1: "MJa・MJbは、戸籍統一文字において、同一字形であり"
    if let (Some(a), Some(rest)) = (name_at(note), note.get(8..))
        && let Some(rest) = rest.strip_prefix('・')
        && let Some(b) = name_at(rest)
        && rest
            .get(8..)
            .is_some_and(|r| r.starts_with("は、戸籍統一文字において、同一字形であり"))
    {
        return match (a == mj, b == mj) {
            (true, false) => Some(b),
            (false, true) => Some(a),
            _ => None,
        };
    }
    // Form 2: "…MJbと同一の字形…"
    let at = note.find("と同一の字形")?;
    let start = at.checked_sub(8)?;
    let b = name_at(note.get(start..at)?)?;
    (b != mj).then_some(b)
}

fn find_siblings(glyphs: &mut [Row]) {
    let writable: HashSet<u32> = glyphs
        .iter()
        .filter(|g| g.implemented.is_some() || g.ivs.is_some())
        .map(|g| g.mj)
        .collect();
    for g in glyphs.iter_mut() {
        if g.implemented.is_some() || g.ivs.is_some() {
            continue;
        }
        let Some(note) = &g.note else { continue };
        g.sibling = sibling_from_note(g.mj, note).filter(|s| writable.contains(s));
    }
}

fn header_lines() -> String {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "# Generated by ikou-mj-import (src/mj/import.rs); do not edit by hand."
    );
    let _ = writeln!(h, "# version: {}", version_line());
    for s in SOURCES {
        let _ = writeln!(
            h,
            "# source: {} ({}) sha256 {}",
            s.file, s.version, s.sha256
        );
    }
    let _ = writeln!(
        h,
        "# licence: CC BY-SA 2.1 JP (© IPA, published by CITPC; IVD data © Unicode, Inc., \
         Unicode License v3). See LICENSE.md."
    );
    h
}

/// `mappings/mj.tsv`: one row per MJ glyph.
fn write_mj(header: &str, glyphs: &[Row]) -> String {
    let mut s = String::with_capacity(glyphs.len() * 48);
    s.push_str(
        "# ikou MJ glyph table: one row per glyph of MJ文字情報一覧表, sorted by MJ文字図形名.\n",
    );
    s.push_str(header);
    s.push_str(concat!(
        "# Code points in hex; an empty cell = the source has no value; trailing empty cells are left out.\n",
        "#   mj          MJ文字図形名\n",
        "#   ucs         対応するUCS\n",
        "#   impl        実装したUCS\n",
        "#   ivs         実装したMoji_JohoコレクションIVS: its variation selector (the base is ucs)\n",
        "#   strokes     総画数 (decimal)\n",
        "#   koseki      戸籍統一文字番号\n",
        "#   juki        住基ネット統一文字コード\n",
        "#   x0213       X0213 (面-区-点), including positions the glyph is only 包摂 into\n",
        "#   impl_x0213  1 = impl is itself the JIS X 0213 character at x0213 (listed there in MJ縮退マップ)\n",
        "#   compat      対応する互換漢字\n",
        "#   ivd_alt     a further Moji_Joho IVD sequence naming this glyph (base selector)\n",
        "#   sibling     for a glyph with neither impl nor ivs: the glyph 備考 names as the same shape (同一字形)\n",
        "#   note        備考\n",
        "mj\tucs\timpl\tivs\tstrokes\tkoseki\tjuki\tx0213\timpl_x0213\tcompat\tivd_alt\tsibling\tnote\n",
    ));
    let hexc = |c: Option<char>| {
        c.map(|c| format!("{:04X}", u32::from(c)))
            .unwrap_or_default()
    };
    for g in glyphs {
        let cells = [
            format!("MJ{:06}", g.mj),
            hexc(g.ucs),
            hexc(g.implemented),
            hexc(g.ivs),
            g.strokes.map(|n| n.to_string()).unwrap_or_default(),
            g.koseki.map(|k| format!("{k:06}")).unwrap_or_default(),
            g.juki.map(|j| format!("J+{j:04X}")).unwrap_or_default(),
            g.x0213.map(|x| x.to_string()).unwrap_or_default(),
            if g.impl_x0213 {
                "1".into()
            } else {
                String::new()
            },
            hexc(g.compat),
            g.ivd_alt
                .map(|(b, v)| format!("{:04X} {:04X}", u32::from(b), u32::from(v)))
                .unwrap_or_default(),
            g.sibling.map(|m| format!("MJ{m:06}")).unwrap_or_default(),
            g.note.clone().unwrap_or_default(),
        ];
        let used = cells
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |i| i + 1);
        s.push_str(&cells[..used].join("\t"));
        s.push('\n');
    }
    s
}

/// `mappings/mjsm.tsv`: the candidates of MJ縮退マップ, per glyph in the order ikou
/// prefers them: table authority ([`Table`]), then 順位, then ホップ数 (a missing value
/// after a given one), then the candidate that is the glyph's own 対応するUCS (the
/// least change), then one that is also in JIS X 0208 (plain Shift_JIS can carry
/// it), then the lower 面区点, then the lower code point.
fn write_mjsm(header: &str, glyphs: &[Row], mut cands: Vec<Cand>) -> String {
    let ucs_of: BTreeMap<u32, Option<char>> = glyphs.iter().map(|g| (g.mj, g.ucs)).collect();
    cands.sort_by_key(|c| {
        let own = ucs_of.get(&c.mj).copied().flatten() == Some(c.ucs);
        (
            c.mj,
            c.table,
            (c.rank.is_none(), c.rank),
            (c.hops.is_none(), c.hops),
            !own,
            !c.x0213.in_jis_x0208(),
            c.x0213,
            c.ucs,
        )
    });
    let mut s = String::with_capacity(cands.len() * 36);
    s.push_str(
        "# ikou degenerate candidates (MJ縮退マップ): per MJ glyph, in the order ikou prefers them;\n\
         # the first is what `--ivs never` writes unless the glyph's own 実装したUCS is in JIS X 0213.\n",
    );
    s.push_str(header);
    s.push_str(
        "# Order: table (below, by authority), 順位, ホップ数, the glyph's own 対応するUCS first,\n\
         # a JIS X 0208 character first, lower 面区点, lower code point.\n\
         # Columns: mj = MJ文字図形名, table = 表 (id below), rank = 順位, hops = ホップ数,\n\
         # ucs = 縮退UCS (hex), x0213 = 縮退X0213 (面-区-点).\n",
    );
    for t in Table::ALL {
        let _ = writeln!(s, "#   table {:<10} {}", t.id(), t.name());
    }
    s.push_str("mj\ttable\trank\thops\tucs\tx0213\n");
    let opt = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
    for c in &cands {
        let _ = writeln!(
            s,
            "MJ{:06}\t{}\t{}\t{}\t{:04X}\t{}",
            c.mj,
            c.table.id(),
            opt(c.rank),
            opt(c.hops),
            u32::from(c.ucs),
            c.x0213
        );
    }
    s
}

fn license_text() -> String {
    let [mji, mjsm, ivd] = SOURCES;
    format!(
        "# Licence of the tables in this directory\n\
         \n\
         `{MJ_FILE}` and `{MJSM_FILE}` are generated by ikou's importer (`ikou-mj-import`,\n\
         `src/mj/import.rs`) from:\n\
         \n\
         - **{mji}**, © 独立行政法人情報処理推進機構 (IPA), published by the\n  \
         文字情報技術促進協議会 (CITPC);\n\
         - **{mjsm}**, © 独立行政法人情報処理推進機構 (IPA), published by the\n  \
         文字情報技術促進協議会 (CITPC);\n\
         - **{ivd}**: `IVD_Sequences.txt` of the Unicode Ideographic Variation Database,\n  \
         collection Moji_Joho, © Unicode, Inc.\n\
         \n\
         (as extracted from the `@mandel59/mojidata` 1.8.1 package database; the SHA-256 of\n\
         each extract is in the header of the generated files).\n\
         \n\
         MJ文字情報一覧表 and MJ縮退マップ are licensed under the Creative Commons\n\
         Attribution-ShareAlike 2.1 Japan licence (CC BY-SA 2.1 JP,\n\
         <https://creativecommons.org/licenses/by-sa/2.1/jp/>). The tables here are adapted\n\
         from them (only the columns ikou needs, code points written in hex, the candidates of\n\
         MJ縮退マップ put in ikou's order of preference, derived columns `impl_x0213`, `ivd_alt`\n\
         and `sibling`) and are distributed under the same licence, CC BY-SA 2.1 JP, with this\n\
         attribution.\n\
         \n\
         The IVD data (which the `ivs` column of `{MJ_FILE}` is checked against, and which fills\n\
         its `ivd_alt` column) is © Unicode, Inc., used under the Unicode License v3\n\
         (<https://www.unicode.org/license.txt>).\n\
         \n\
         ## Mainframe code tables (`mainframe/`)\n\
         \n\
         The tables in `mainframe/` (JEF, KEIS78/83, JIPS and their single-byte sets) are\n\
         generated by ikou's importer (`ikou-mainframe-import`, `src/decode/mainframe_import.rs`)\n\
         from the mapping files of **jef4j** (<https://github.com/hidekatsu-izuno/jef4j>, HEAD\n\
         0e4e9fd, `src/test/resources/*_mapping.json`), which its author releases under CC0 1.0\n\
         (public domain dedication); the SHA-256 of each source file is in the header of each\n\
         generated table. The MJ glyph names in them come from the IVD Moji_Joho collection\n\
         above. jef4j's program code (Apache-2.0) is not used.\n\
         \n\
         ## IBM code page tables (`ibm/`)\n\
         \n\
         `ibm/ibm930.txt`, `ibm939.txt`, `ibm1390.txt` and `ibm1399.txt` are generated by ikou's\n\
         importer (`ikou-ibm-import`, `src/bin/ikou-ibm-import.rs`). It copies no source file: it\n\
         runs the `iconv` program of the GNU C Library (the version is in each table's header)\n\
         over every single byte and every double-byte code of IBM930, IBM939, IBM1390 and\n\
         IBM1399 and writes down the code points it answers, leaving out the single bytes\n\
         glibc's IBM1390/IBM1399 decode to U+001A SUB as a substitute (ikou refuses them).\n\
         What they record are IBM's code page definitions (CCSIDs 930, 939, 1390, 1399, with\n\
         the double-byte CCSIDs 300 and 16684) as implemented by glibc (`iconvdata/ibm930.h`\n\
         and the like, © Free Software Foundation, Inc., LGPL-2.1-or-later) and by ICU\n\
         (`ibm-930_P120-1999` and the like, © Unicode, Inc. and others, Unicode License v3);\n\
         `tests/decode_ibm_oracle.rs` checks that they decode every code exactly as ICU's\n\
         `uconv` does. A list of which code stands for which character is a record of facts\n\
         and ikou claims no rights in it; where such a list can be protected, the same\n\
         correspondences are available from ICU under the Unicode License v3, and ikou\n\
         distributes these tables on those terms, with this notice. This assessment has not\n\
         been reviewed by a lawyer: a redistributor who needs certainty should have it\n\
         checked, or regenerate the tables from ICU's data under its licence.\n\
         \n\
         These licences apply to the tables in this directory only, not to ikou's source code.\n",
        mji = mji.version,
        mjsm = mjsm.version,
        ivd = ivd.version,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-glyph extract with the real header of mji.tsv (synthetic rows).
    fn mji(strokes: [&str; 2]) -> String {
        let header = "MJ文字図形名\t対応するUCS\t実装したUCS\t実装したMoji_JohoコレクションIVS\t実装したSVS\t戸籍統一文字番号\t住基ネット統一文字コード\t入管正字コード\t入管外字コード\t漢字施策\t対応する互換漢字\tX0213\tX0213_包摂連番\tX0213_包摂区分\tX0212\tMJ文字図形バージョン\t登記統一文字番号\t総画数\t大漢和\t日本語漢字辞典\t新大字典\t大字源\t大漢語林\t備考";
        let row = |mj: &str, c: &str, n: &str| {
            let mut cells = vec![""; 24];
            cells[0] = mj;
            cells[1] = c;
            cells[2] = c;
            cells[17] = n;
            cells.join("\t")
        };
        format!(
            "{header}\n{}\n{}\n",
            row("MJ000002", "〆", strokes[1]),
            row("MJ000001", "々", strokes[0])
        )
    }

    #[test]
    fn strokes_are_carried_into_mj_tsv() {
        let rows = parse_mji(&mji(["3", "64"])).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.strokes).collect::<Vec<_>>(),
            [Some(3), Some(64)]
        );
        let text = write_mj("", &rows);
        let header = text.lines().find(|l| l.starts_with("mj\t")).unwrap();
        let data: Vec<&str> = text.lines().filter(|l| l.starts_with("MJ")).collect();
        // The column sits before the registry codes, so a row with only code points and
        // 総画数 stays short (trailing empty cells are left out).
        assert_eq!(header.split('\t').nth(4), Some("strokes"));
        assert_eq!(
            data,
            ["MJ000001\t3005\t3005\t\t3", "MJ000002\t3006\t3006\t\t64"]
        );
        // No 総画数 in the source: an empty cell, not a made-up number.
        let rows = parse_mji(&mji(["", "2"])).unwrap();
        assert_eq!(rows[0].strokes, None);
        assert!(write_mj("", &rows).contains("\nMJ000001\t3005\t3005\n"));
    }

    #[test]
    fn a_bad_stroke_count_is_refused_with_its_line() {
        for bad in ["0", "256", "1000", "x", " 3", "３"] {
            let e = parse_mji(&mji([bad, "2"])).unwrap_err().to_string();
            assert!(e.starts_with("mji.tsv:3: 総画数"), "{bad}: {e}");
        }
    }

    #[test]
    fn sibling_notes() {
        let n =
            "MJ003718・MJ003719は、戸籍統一文字において、同一字形であり、字義も同一の内容である。";
        assert_eq!(sibling_from_note(3719, n), Some(3718));
        assert_eq!(sibling_from_note(3718, n), Some(3719));
        let n = "MJ040579は、MJ040580と同一の字形としてデザインされていた。このため、「戸籍統一文字番号」、「対応するUCS」の値を削除する。Ver.005.01よりVer.004.03で対応していた戸籍統一文字番号: 227070に対応する新しいMJ文字図形名はMJ068082となる。";
        assert_eq!(sibling_from_note(40579, n), Some(40580));
        let n = "MJ059043は、MJ059042と同一の字形となっており、戸籍統一文字番号:499580に対応していなかった。";
        assert_eq!(sibling_from_note(59043, n), Some(59042));
        let n = "MJ037229は、図形的な差異が大きく戸籍統一文字番号: 146930に対応しないものと判断した。Ver.005.01よりVer.004.03で対応していた戸籍統一文字番号: 146930に対応する新しいMJ文字図形名はMJ068077となる。";
        assert_eq!(sibling_from_note(37229, n), None);
        assert_eq!(sibling_from_note(1, ""), None);
        assert_eq!(sibling_from_note(1, "と同一の字形"), None);
    }
}
