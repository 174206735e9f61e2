//! The MJ character database (文字情報基盤): the pivot for vendor 外字.
//!
//! Vendors identify their 外字 by an MJ文字図形名, a 住基ネット統一文字コード or a
//! 戸籍統一文字番号; the output needs a Unicode form (with the Moji_Joho IVS that
//! keeps the glyph distinct) or, for systems limited to JIS X 0213, a degenerate
//! character chosen through MJ縮退マップ with the table that justifies it. This module
//! answers both from tables embedded in the binary (`mappings/mj.tsv`,
//! `mappings/mjsm.tsv`, built by [`import`] from the public tables): the tool runs in
//! an isolated network zone and must never read anything else at run time.
//!
//! Start-up cost matters (the tool starts once per batch job, and `ikou mj` once per
//! question), so nothing is copied up front: [`db`] only notes where each line of the
//! embedded table starts (≈ 0.9 ms), a glyph is found by binary search and its line
//! parsed when asked for (≈ 0.2 µs for [`MjDb::written`]), and each other lookup is
//! built from its own column on first use: 住基 ≈ 1.2 ms, 戸籍 ≈ 1.8 ms, MJ縮退マップ
//! ≈ 0.7 ms, 互換漢字 ≈ 1.5 ms, [`MjDb::by_char`] ≈ 3.6 ms. Measured with
//! `cargo test --release --test mj_load -- --nocapture` (release build, 2-core VM).
//!
//! What to write for a glyph is [`MjDb::written`] with an [`IvsPolicy`]:
//! - [`IvsPolicy::Keep`]: the Moji_Joho IVS when the glyph has one, else its 実装したUCS.
//!   17 of the 19 glyphs with neither have a sibling of the same shape named in their
//!   備考; that sibling is written and reported ([`Written::sibling`]). The other 2 were
//!   withdrawn (図形的な差異が大きく…) and are refused.
//! - [`IvsPolicy::Never`]: one JIS X 0213 character. The glyph's own 実装したUCS when it
//!   is a JIS X 0213 character (table [`SAME_GLYPH`]); otherwise the first candidate of
//!   MJ縮退マップ in the order of [`Table`] (authority), 順位, ホップ数, then the
//!   tie-breaks documented in [`import`]. A glyph without code points of its own
//!   takes the form of the same-shape sibling its 備考 names, as under `Keep`
//!   (MJ040579 → MJ040580 → 犂). No candidate: refused (23,010 glyphs, mostly
//!   戸籍 characters outside JIS X 0213 that MJ縮退マップ does not cover). JIS X 0213
//!   maps some positions to CJK compatibility ideographs (241 glyphs are written as
//!   one that NFC rewrites, e.g. MJ000502 → U+FA4A): a `Never` output must not be
//!   NFC-normalised afterwards, or is written with `--nfc-safe` ([`compat`]).

pub mod compat;
pub mod import;
mod jis;
mod load;
pub mod query;
mod table;
mod target;

pub use jis::X0213;
pub use table::Table;
pub use target::{Notation, Target, TargetError, TargetErrorKind, parse_notation};

use std::fmt;
use std::sync::OnceLock;

/// The embedded tables, as checked in under `mappings/` (for manifests: hash these bytes).
pub static EMBEDDED_TABLES: [(&str, &[u8]); 2] = [
    ("mappings/mj.tsv", MJ_TSV.as_bytes()),
    ("mappings/mjsm.tsv", MJSM_TSV.as_bytes()),
];

/// The SHA-256 of each of [`EMBEDDED_TABLES`] (lower-case hex), in that order: worked
/// out by build.rs, since every run's manifest records them.
pub fn embedded_sha256() -> impl Iterator<Item = &'static str> {
    include_str!(concat!(env!("OUT_DIR"), "/mj_sha256.txt")).lines()
}

/// What the MJ table adds to 行政事務標準文字 (`--charset mj+`), as build.rs reads it:
/// each row's 対応するUCS, 実装したUCS and compatibility ideograph, then each row's
/// sequences (実装したMoji_JohoコレクションIVS and the IVD alternative) as (base,
/// selector). The same as walking [`MjDb::glyphs`], without parsing the table at start.
pub(crate) fn plus_members() -> (impl Iterator<Item = u32>, impl Iterator<Item = (u32, u32)>) {
    static CHARS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/mj_plus_chars.bin"));
    static SEQS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/mj_plus_seqs.bin"));
    let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    (
        CHARS.chunks_exact(4).map(word),
        SEQS.chunks_exact(8)
            .map(move |p| (word(&p[..4]), word(&p[4..]))),
    )
}

/// The tables' version line (`MJ文字情報一覧表 Ver.…, MJ縮退マップ Ver.…, IVD …`),
/// read from the header alone: a manifest names it without loading the database.
pub fn version() -> &'static str {
    load::version(MJ_TSV).unwrap_or_else(|e| corrupt(e))
}

// Statics, not consts: a const is a copy at each place it is used, and the copies
// of these 2 MB tables were not always merged (the binary held each twice).
static MJ_TSV: &str = include_str!("../../mappings/mj.tsv");
static MJSM_TSV: &str = include_str!("../../mappings/mjsm.tsv");
/// Where each data line of `MJ_TSV` starts (build.rs).
static MJ_LINES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/mj_lines.bin"));

/// The `table` of a `--ivs never` output when the glyph's own 実装したUCS is already a
/// JIS X 0213 character, so no MJ縮退マップ table was needed.
pub const SAME_GLYPH: &str = "JIS X 0213 同一字形";

/// The database, parsed from the embedded tables on first use.
pub fn db() -> &'static MjDb {
    static DB: OnceLock<MjDb> = OnceLock::new();
    DB.get_or_init(|| MjDb {
        glyphs: load::Lines::embedded(MJ_TSV, MJ_LINES).unwrap_or_else(|e| corrupt(e)),
        candidates: OnceLock::new(),
        juki: OnceLock::new(),
        koseki: OnceLock::new(),
        compat: OnceLock::new(),
        chars: OnceLock::new(),
    })
}

/// The embedded tables are generated and checked by the tests; this cannot happen in
/// a released binary.
fn corrupt(e: String) -> ! {
    panic!("the embedded MJ tables (mappings/) are corrupt: {e}")
}

/// `MJ012345` for 12345.
pub fn mj_name(mj: u32) -> String {
    format!("MJ{mj:06}")
}

/// An ideographic variation sequence: base character + variation selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ivs {
    pub base: char,
    pub selector: char,
}

impl Ivs {
    /// `U+6F22 U+E0101`.
    pub fn codes(self) -> String {
        format!("{} {}", u_plus(self.base), u_plus(self.selector))
    }
}

/// The two characters.
impl fmt::Display for Ivs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.base, self.selector)
    }
}

/// `U+6F22`.
pub fn u_plus(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// One MJ glyph (a row of MJ文字情報一覧表) with the columns ikou uses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Glyph {
    /// MJ文字図形名 as a number: MJ012345 → 12345.
    pub mj: u32,
    /// 対応するUCS.
    pub ucs: Option<char>,
    /// 実装したUCS.
    pub implemented: Option<char>,
    /// 実装したMoji_JohoコレクションIVS.
    pub ivs: Option<Ivs>,
    /// 総画数 (MJ文字情報一覧表 gives it for every glyph; `None` only if a future
    /// version leaves a cell empty).
    pub strokes: Option<u8>,
    /// 戸籍統一文字番号 (the 6 digits as a number).
    pub koseki: Option<u32>,
    /// 住基ネット統一文字コード J+XXXX (the hex value).
    pub juki: Option<u32>,
    /// X0213 (面-区-点). The glyph may only be 包摂 into this position: see
    /// [`Glyph::implemented_in_x0213`].
    pub x0213: Option<X0213>,
    /// True when [`Glyph::implemented`] is itself the JIS X 0213 character at
    /// [`Glyph::x0213`].
    pub implemented_in_x0213: bool,
    /// 対応する互換漢字 (a CJK compatibility ideograph).
    pub compat: Option<char>,
    /// A further Moji_Joho sequence the IVD registers for this glyph (2 glyphs).
    pub ivd_alt: Option<Ivs>,
    /// For a glyph without 実装したUCS and IVS: the glyph its 備考 names as the same shape.
    pub sibling: Option<u32>,
    /// 備考.
    pub note: Option<&'static str>,
}

impl Glyph {
    /// `MJ012345`.
    pub fn name(&self) -> String {
        mj_name(self.mj)
    }
}

/// A degenerate character proposed by MJ縮退マップ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub table: Table,
    /// 順位.
    pub rank: Option<u8>,
    /// ホップ数.
    pub hops: Option<u8>,
    /// 縮退UCS.
    pub ucs: char,
    /// 縮退X0213.
    pub x0213: X0213,
}

/// How to write a glyph that has a Moji_Joho IVS (`--ivs keep|never`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IvsPolicy {
    /// Keep the glyph: IVS when it has one, else 実装したUCS.
    Keep,
    /// A single JIS X 0213 character, through MJ縮退マップ.
    Never,
}

/// What to write for a glyph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The text to write: one character, or base + variation selector.
    pub text: String,
    /// `Never`: the MJ縮退マップ table the character comes from ([`Table::name`]), or
    /// [`SAME_GLYPH`]. `Keep`: `None`.
    pub table: Option<&'static str>,
    /// Set when the glyph has no code point of its own and the sibling its 備考 names
    /// as the same shape was written instead (its `Keep` form, or under `Never` its
    /// JIS X 0213 form).
    pub sibling: Option<u32>,
    /// The JIS X 0213 position of `text` when `text` is a JIS X 0213 character
    /// (always for `Never`; for `Keep` when the implemented character is one).
    pub x0213: Option<X0213>,
}

impl Written {
    /// True when `text` is a JIS X 0213 character outside JIS X 0208: a Shift_JIS
    /// output needs Shift_JIS-2004 for it (UTF-8 is always fine).
    pub fn needs_shift_jis_2004(&self) -> bool {
        self.x0213.is_some_and(|x| !x.in_jis_x0208())
    }
}

/// Why a glyph cannot be written under a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unwritable {
    /// No such MJ文字図形名.
    UnknownMj(u32),
    /// `Keep`: no 実装したUCS, no IVS, and no sibling of the same shape.
    NoCodePoint { mj: u32, note: Option<&'static str> },
    /// `Never`: the glyph is not a JIS X 0213 character and MJ縮退マップ has no
    /// candidate, for it nor for the same-shape sibling that stands in for it.
    NoCandidate { mj: u32 },
}

impl fmt::Display for Unwritable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unwritable::UnknownMj(mj) => {
                write!(f, "{} は MJ文字情報一覧表にありません", mj_name(*mj))
            }
            Unwritable::NoCodePoint { mj, note } => {
                write!(
                    f,
                    "{} には実装したUCSもIVSもなく、備考に同一字形の文字もないため、書けません",
                    mj_name(*mj)
                )?;
                if let Some(note) = note {
                    write!(f, "（備考: {note}）")?;
                }
                Ok(())
            }
            Unwritable::NoCandidate { mj } => write!(
                f,
                "{} は JIS X 0213 の文字ではなく、MJ縮退マップに縮退候補もないため、\
                 --ivs never では書けません",
                mj_name(*mj)
            ),
        }
    }
}

impl std::error::Error for Unwritable {}

/// A [`Target`] that names no glyph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound(pub Target);

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} に該当する MJ 文字図形がありません（{}）",
            self.0,
            version()
        )
    }
}

impl std::error::Error for NotFound {}

/// The embedded tables. Get it with [`db`].
///
/// Nothing is copied out of the tables up front: the database keeps where each line
/// starts and parses a glyph's line when it is asked for (a binary search by MJ
/// number, then one line). The lookups by 住基, 戸籍 and character are built on their
/// first use, each only from its own column.
pub struct MjDb {
    /// One line of mj.tsv per glyph, sorted by MJ number.
    glyphs: load::Lines,
    /// The candidate lines of mjsm.tsv, sorted by MJ number (found on first use).
    candidates: OnceLock<load::Lines>,
    juki: OnceLock<load::JukiIndex>,
    koseki: OnceLock<load::KosekiIndex>,
    compat: OnceLock<load::CompatIndex>,
    chars: OnceLock<load::CharIndex>,
}

impl MjDb {
    /// The versions of the source tables, e.g.
    /// `MJ文字情報一覧表 Ver.006.02, MJ縮退マップ Ver.1.2.0, IVD 2022-09-13 Moji_Joho`.
    pub fn version(&self) -> &'static str {
        version()
    }

    /// Number of glyphs (58,862).
    pub fn len(&self) -> usize {
        self.glyphs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.glyphs.len() == 0
    }

    /// All glyphs, by MJ number.
    pub fn glyphs(&self) -> impl Iterator<Item = Glyph> + '_ {
        (0..self.glyphs.len()).map(|i| self.at(i))
    }

    /// The glyph MJ`mj`.
    pub fn glyph(&self, mj: u32) -> Option<Glyph> {
        self.position(mj).map(|i| self.at(i))
    }

    fn position(&self, mj: u32) -> Option<usize> {
        self.glyphs.find(mj).map(|r| r.start)
    }

    fn at(&self, i: usize) -> Glyph {
        load::glyph(self.glyphs.line(i)).unwrap_or_else(|e| corrupt(e))
    }

    /// The MJ number a vendor notation names.
    pub fn resolve(&self, target: &Target) -> Result<u32, NotFound> {
        let found = match *target {
            Target::Mj(mj) => self.position(mj).map(|_| mj),
            Target::Juki(j) => self
                .juki
                .get_or_init(|| load::JukiIndex::build(&self.glyphs))
                .get(j)
                .map(|i| self.at(i).mj),
            Target::Koseki(k) => self
                .koseki
                .get_or_init(|| load::KosekiIndex::build(&self.glyphs))
                .get(k)
                .map(|i| self.at(i).mj),
        };
        found.ok_or(NotFound(*target))
    }

    /// The MJ縮退マップ candidates of a glyph, in order of preference (empty when none or
    /// when the glyph does not exist).
    pub fn candidates(&self, mj: u32) -> Vec<Candidate> {
        let lines = self
            .candidates
            .get_or_init(|| load::Lines::new(MJSM_TSV).unwrap_or_else(|e| corrupt(e)));
        match lines.find(mj) {
            Some(range) => range
                .map(|i| {
                    load::candidate(lines.line(i))
                        .unwrap_or_else(|e| corrupt(e))
                        .1
                })
                .collect(),
            None => Vec::new(),
        }
    }

    /// What to write for glyph `mj` under `policy` (see the module documentation).
    pub fn written(&self, mj: u32, policy: IvsPolicy) -> Result<Written, Unwritable> {
        let g = self.glyph(mj).ok_or(Unwritable::UnknownMj(mj))?;
        match policy {
            IvsPolicy::Keep => {
                if let Some(w) = keep_form(&g) {
                    return Ok(w);
                }
                if let Some(s) = g.sibling
                    && let Some(mut w) = self.glyph(s).as_ref().and_then(keep_form)
                {
                    w.sibling = Some(s);
                    return Ok(w);
                }
                Err(Unwritable::NoCodePoint { mj, note: g.note })
            }
            IvsPolicy::Never => {
                if let Some(w) = self.never_form(&g) {
                    return Ok(w);
                }
                // The same-shape sibling stands in under both policies: a glyph
                // without code points of its own is that glyph (MJ040579 → MJ040580 → 犂).
                if let Some(s) = g.sibling
                    && g.implemented.is_none()
                    && g.ivs.is_none()
                    && let Some(mut w) = self.glyph(s).and_then(|sg| self.never_form(&sg))
                {
                    w.sibling = Some(s);
                    return Ok(w);
                }
                Err(Unwritable::NoCandidate { mj })
            }
        }
    }

    /// `Never` for a glyph's own code points and MJ縮退マップ candidates.
    fn never_form(&self, g: &Glyph) -> Option<Written> {
        if g.implemented_in_x0213
            && let Some(c) = g.implemented
        {
            return Some(Written {
                text: c.to_string(),
                table: Some(SAME_GLYPH),
                sibling: None,
                x0213: g.x0213,
            });
        }
        self.candidates(g.mj).first().map(|c| Written {
            text: c.ucs.to_string(),
            table: Some(c.table.name()),
            sibling: None,
            x0213: Some(c.x0213),
        })
    }

    fn compat_glyphs(&self, c: char) -> Vec<usize> {
        self.compat.get_or_init(load::CompatIndex::embedded).get(c)
    }

    fn chars(&self) -> &load::CharIndex {
        self.chars
            .get_or_init(|| load::CharIndex::build(&self.glyphs))
    }

    /// The glyph whose 対応する互換漢字 is `c` (a CJK compatibility ideograph, which NFC
    /// would turn into its unified character). When several glyphs give the same
    /// compatibility ideograph (12 glyphs share 7 of them), the one whose 実装したUCS is
    /// `c` itself; see [`MjDb::by_char`] for all of them.
    pub fn by_compat(&self, c: char) -> Option<u32> {
        let all: Vec<Glyph> = self
            .compat_glyphs(c)
            .into_iter()
            .map(|i| self.at(i))
            .collect();
        all.iter()
            .find(|g| g.implemented == Some(c))
            .or(all.first())
            .map(|g| g.mj)
    }

    /// The glyphs a character or an IVS sequence may stand for. For an IVS (base +
    /// U+E0100…U+E01EF): the glyph the Moji_Joho collection registers it for. For one
    /// character: the glyph whose 実装したUCS it is, then those whose 対応する互換漢字
    /// it is, then those whose 対応するUCS it is (variants of the same character), each
    /// by MJ number. Anything else: empty.
    pub fn by_char(&self, s: &str) -> Vec<u32> {
        let mut it = s.chars();
        let ix = self.chars();
        let found: Vec<usize> = match (it.next(), it.next(), it.next()) {
            (Some(c), None, _) => {
                let mut v: Vec<usize> = ix.implemented(c).into_iter().collect();
                v.extend(self.compat_glyphs(c));
                v.extend(ix.ucs(c));
                let mut seen = std::collections::HashSet::new();
                v.retain(|i| seen.insert(*i));
                v
            }
            (Some(base), Some(selector), None) => {
                ix.ivs(Ivs { base, selector }).into_iter().collect()
            }
            _ => Vec::new(),
        };
        found.into_iter().map(|i| self.at(i).mj).collect()
    }
}

// --- h-fidelity: code point targets that are an MJ glyph's form (issue 12, item 5) ---
impl MjDb {
    /// The MJ glyph whose form `s` is, for a code point target (`U+…` in a 外字
    /// table): its Moji_Joho IVS (or the further sequence the IVD registers for it),
    /// its 実装したUCS, or its 対応する互換漢字 (also when written as that one's
    /// standardized variation sequence, base + U+FE00…). None: `s` is no glyph's
    /// form (a non-kanji such as ①, several characters, or an IVS of another
    /// collection).
    pub fn glyph_of_form(&self, s: &str) -> Option<u32> {
        let mut it = s.chars();
        match (it.next(), it.next(), it.next()) {
            (Some(c), None, _) => self
                .by_compat(c)
                .or_else(|| self.chars().implemented(c).map(|i| self.at(i).mj)),
            (Some(base), Some(selector @ '\u{E0100}'..='\u{E01EF}'), None) => self
                .chars()
                .ivs(Ivs { base, selector })
                .map(|i| self.at(i).mj),
            (Some(base), Some(selector @ '\u{FE00}'..='\u{FE0F}'), None) => {
                compat::from_svs(base, selector).and_then(|c| self.by_compat(c))
            }
            _ => None,
        }
    }
}
// --- end h-fidelity ---

/// `Keep` for a glyph's own code points.
fn keep_form(g: &Glyph) -> Option<Written> {
    if let Some(ivs) = g.ivs {
        return Some(Written {
            text: ivs.to_string(),
            table: None,
            sibling: None,
            x0213: None,
        });
    }
    g.implemented.map(|c| Written {
        text: c.to_string(),
        table: None,
        sibling: None,
        x0213: if g.implemented_in_x0213 {
            g.x0213
        } else {
            None
        },
    })
}
