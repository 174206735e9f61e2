//! Map: vendor 外字 → MJ glyphs, and the other characters whose form is a policy.
//!
//! The map stage runs on each decoded item before cleansing. It rewrites:
//! - vendor 外字 (private-use code points, or any source a table names) to what
//!   their MJ glyph is written as under `--ivs` ([`crate::mj::MjDb::written`]);
//! - CJK compatibility ideographs (U+F900…, U+2F800…) to their MJ glyph's form,
//!   so that the glyph distinction survives (nothing in ikou ever applies NFC or
//!   NFKC to a kanji item: it would silently merge them); those left as they are
//!   (no MJ glyph, or the glyph's form is the character) are counted too, and
//!   `--nfc-safe` writes every one as its standardized variation sequence;
//! - the characters that CP932 and JIS X 0213 map differently (〜 − ‖ — ¢ £ ¬) to
//!   one form, per [`VariantPolicy`] (by default chosen by the input encoding).
//!
//! A `U+` table target that is an MJ glyph's form is that glyph ([`resolve_target`]).
//!
//! A private-use character that no table maps is "unmapped": `--unmapped reject`
//! rejects its record, `geta` writes 〓 (U+3013), `fail` stops the run.
//!
//! Tables are checked when loaded: a syntax error, a target the MJ list does not
//! have, or two tables mapping one source differently (unless the later line says
//! `!` before its source) stop the run with the file and line.

pub mod table;

use crate::charset::ext::{CharsetExt, gj_name};
use crate::charset::{Charset, CharsetKind};
use crate::decode::{Encoding, VARIANTS};
use crate::mj::{self, IvsPolicy};
use crate::profile::charset::{JisSet, class};
use std::collections::HashMap;
use std::fmt;
pub use table::{Entry, Finding, Severity, TargetSpec, code_points, is_user_defined};

/// `--unmapped`: what an unmapped 外字 does to its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnmappedPolicy {
    /// The record goes to the reject file.
    #[default]
    Reject,
    /// 〓 (U+3013 GETA MARK) is written in its place, and counted.
    Geta,
    /// The run stops with exit 1 before any output is published.
    Fail,
}

/// `--variants`: the one form written for the seven JIS X 0208 cells that CP932 and
/// the JIS X 0213 mapping give different code points (1-01-33 〜, 1-01-34 ‖,
/// 1-01-61 −, 1-01-29 —, 1-01-81 ¢, 1-01-82 £, 1-02-44 ¬).
///
/// For four of them (― ￠ ￡ ￢ against — ¢ £ ¬) the two code points are one JIS
/// character, so choosing one form loses nothing. For the other three the CP932
/// code points ～ U+FF5E, ∥ U+2225, － U+FF0D are JIS X 0213 characters of their own
/// (1-02-18, 1-02-52, 1-02-17): in text that was not decoded CP932-style, writing
/// them as 〜 ‖ − merges distinct characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VariantPolicy {
    /// Chosen by the input encoding ([`VariantPolicy::for_encoding`]).
    #[default]
    Auto,
    /// All seven in their JIS X 0213 forms: 〜 U+301C, ‖ U+2016, − U+2212, — U+2014,
    /// ¢ £ ¬ U+00A2/A3/AC. Right for text decoded CP932-style, where U+FF5E can only
    /// be the wave dash 1-01-33.
    Jis,
    /// Only ― ￠ ￡ ￢ become — ¢ £ ¬ (one JIS character each); ～ ∥ － stay, as the
    /// JIS X 0213 characters they are.
    Distinct,
    /// All seven in their CP932 forms: ～ U+FF5E, ∥ U+2225, － U+FF0D, ― U+2015,
    /// ￠ ￡ ￢ U+FFE0–FFE2 (merges 〜 with ～ etc. in Unicode input).
    Cp932,
}

impl VariantPolicy {
    /// What `Auto` means for an input encoding: `Jis` where decoding gives the CP932
    /// code points for the seven cells (cp932, eucjp-ms, the mainframe codes), so
    /// each of them stands for the JIS character; `Distinct` where the text already
    /// carries the JIS X 0213 forms (shift_jis, euc-jp) or any character may be what
    /// it says (UTF-8, UTF-16).
    pub fn for_encoding(self, encoding: Encoding) -> VariantPolicy {
        match self {
            VariantPolicy::Auto => match encoding {
                Encoding::ShiftJis
                | Encoding::EucJp
                | Encoding::Utf8
                | Encoding::Utf16Le
                | Encoding::Utf16Be => VariantPolicy::Distinct,
                _ => VariantPolicy::Jis,
            },
            p => p,
        }
    }

    /// The name used on the command line and in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            VariantPolicy::Auto => "auto",
            VariantPolicy::Jis => "jis",
            VariantPolicy::Distinct => "distinct",
            VariantPolicy::Cp932 => "cp932",
        }
    }
}

pub const GETA: char = '\u{3013}';

/// What a mapping is, for the manifest and the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// From a vendor table.
    Gaiji,
    /// A CJK compatibility ideograph written as its MJ glyph, or (no MJ glyph) as
    /// itself or its standardized variation sequence, and counted.
    Compat,
    /// A CP932/JIS variant written in the policy's form.
    Variant,
}

/// One source character and what is written for it.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub kind: Kind,
    pub source: char,
    /// As the table wrote it (`U+E000`, `0xF040`); for other kinds `U+XXXX`.
    pub source_text: String,
    /// The MJ glyph, when the target is one.
    pub mj: Option<u32>,
    /// The MJ+ extension character (`GJ000123` → 123), when the target is one.
    pub gj: Option<u32>,
    /// The text written.
    pub output: String,
    /// `--ivs never`: the MJ縮退マップ table the character was chosen from.
    pub degenerate_table: Option<&'static str>,
    /// The glyph had no code point; its same-shape sibling was written.
    pub sibling: Option<u32>,
    /// Set when nothing can be written under the policy (`--ivs never` and no JIS X
    /// 0213 form): the source is then treated as unmapped.
    pub unwritable: Option<String>,
    /// `path:line` of the table line (Gaiji only).
    pub origin: Option<String>,
    /// The target as the table wrote it (Gaiji only).
    pub target_text: Option<String>,
    /// From the encoding's own code table ([`crate::decode::mainframe::builtin_mappings`]),
    /// not from a `--gaiji` table: listed in the manifest and report only when used.
    pub builtin: bool,
    /// `--nfc-safe`: compatibility ideographs in `output` were written as their
    /// standardized variation sequences (this many per occurrence).
    pub svs: usize,
}

/// A loaded vendor table: its identity for the manifest.
#[derive(Debug, Clone)]
pub struct LoadedTable {
    /// `gaiji` (a `--gaiji` table) or `encoding` (the encoding's built-in MJ glyphs).
    pub kind: &'static str,
    pub path: String,
    pub sha256: String,
}

/// Why the tables cannot be used (every finding, for the message).
#[derive(Debug)]
pub struct TableErrors(pub Vec<Finding>);

impl fmt::Display for TableErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors: Vec<&Finding> = self
            .0
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .collect();
        writeln!(
            f,
            "the 外字 tables have {} errors; fix them and run again:",
            errors.len()
        )?;
        for e in errors.iter().take(50) {
            writeln!(f, "  {e}")?;
        }
        if errors.len() > 50 {
            writeln!(
                f,
                "  … and {} more (ikou mappings check lists them all)",
                errors.len() - 50
            )?;
        }
        Ok(())
    }
}

/// The settings of the map stage.
#[derive(Debug, Clone, Copy, Default)]
pub struct MapOptions {
    pub ivs: Option<IvsPolicy>,
    pub variants: VariantPolicy,
    pub unmapped: UnmappedPolicy,
    /// `--nfc-safe`: write every CJK compatibility ideograph that would be written
    /// (by a mapping, or passed through from the input) as its standardized
    /// variation sequence, which NFC keeps.
    pub nfc_safe: bool,
    // --- MJ+ (--charset, --charset-ext) ---
    /// `--charset`: the set every written text or kana item is checked against
    /// (a character outside follows `unmapped`).
    pub charset: CharsetKind,
    /// `--charset-ext`: the MJ+ extension (GJ targets, and part of `mj+`). Read once
    /// per process and shared for its lifetime, so that the options stay `Copy`.
    pub ext: Option<&'static CharsetExt>,
}

/// Tables read from files: text and hash. Parsing needs the encoding (for `0x` sources).
#[derive(Debug, Clone)]
pub struct TableSource {
    pub path: String,
    pub text: String,
    pub sha256: String,
}

impl TableSource {
    /// Reads every table named by `--gaiji`. Err (exit 2): a table that cannot be read.
    pub fn read_all(paths: &[std::path::PathBuf]) -> Result<Vec<TableSource>, crate::Error> {
        paths
            .iter()
            .map(|p| {
                TableSource::read(p).map_err(|e| {
                    crate::Error::Config(format!(
                        "{}: cannot read the 外字 table: {e}",
                        p.display()
                    ))
                })
            })
            .collect()
    }

    /// The most a table read from standard input may hold (tables are a few MiB).
    pub const MAX_STDIN_BYTES: u64 = 64 << 20;

    /// The bytes of a table file; `-` is standard input (at most
    /// [`Self::MAX_STDIN_BYTES`]).
    pub fn bytes(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
        if !crate::input::is_stdin(path) {
            return std::fs::read(path);
        }
        crate::input::read_stdin(Self::MAX_STDIN_BYTES)?.ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "standard input holds more than 64 MiB, too much for a 外字 table; give the table's path",
            )
        })
    }

    /// Reads one table; `-` is standard input (at most [`Self::MAX_STDIN_BYTES`]).
    pub fn read(path: &std::path::Path) -> std::io::Result<TableSource> {
        use sha2::Digest;
        let bytes = Self::bytes(path)?;
        let sha256 = crate::output::hex(&sha2::Sha256::digest(&bytes));
        let text = String::from_utf8(bytes).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, "the table is not UTF-8")
        })?;
        Ok(TableSource {
            path: path.to_string_lossy().into_owned(),
            text,
            sha256,
        })
    }
}

/// Merges the entries of several tables in order: a later table may replace an
/// earlier mapping only on a line marked `!`; any other difference is a conflict.
/// Returns the winning entry per source (with its table index) and the findings.
pub fn merge_tables(
    sources: &[TableSource],
    encoding: Encoding,
) -> (Vec<(usize, Entry)>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut by_source: HashMap<char, usize> = HashMap::new();
    let mut merged: Vec<(usize, Entry)> = Vec::new();
    for (t, src) in sources.iter().enumerate() {
        let (entries, f) = table::parse(&src.text, &src.path, encoding);
        findings.extend(f);
        for e in entries {
            match by_source.get(&e.source) {
                None => {
                    if e.overrides {
                        findings.push(finding(
                            src,
                            &e,
                            Severity::Warning,
                            "nothing-to-override",
                            format!(
                                "{} is marked ! (override) but no earlier table maps it",
                                e.source_text
                            ),
                        ));
                    }
                    by_source.insert(e.source, merged.len());
                    merged.push((t, e));
                }
                Some(&i) => {
                    let (pt, prev) = &merged[i];
                    if prev.target == e.target || e.overrides {
                        if e.overrides {
                            merged[i] = (t, e);
                        }
                        continue;
                    }
                    let message = format!(
                        "{} → {} conflicts with {}:{} ({} → {}); mark this line with ! before the source if it is meant to replace it",
                        e.source_text,
                        e.target.notation(),
                        sources[*pt].path,
                        prev.line,
                        prev.source_text,
                        prev.target.notation()
                    );
                    findings.push(finding(src, &e, Severity::Error, "conflict", message));
                }
            }
        }
    }
    (merged, findings)
}

fn finding(
    src: &TableSource,
    e: &Entry,
    severity: Severity,
    code: &'static str,
    message: String,
) -> Finding {
    Finding {
        path: src.path.clone(),
        line: e.line,
        severity,
        code,
        message,
    }
}

/// A table target, resolved under an `--ivs` policy.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// What to write, and the MJ glyph when the target names one.
    Written(Option<u32>, mj::Written),
    /// `--ivs never` and the glyph (or GJ character: `None`) has no JIS X 0213 form:
    /// the source is treated as unmapped (its records follow `--unmapped`), with this
    /// reason.
    NoJisForm(Option<u32>, String),
}

/// Resolves a table target under `ivs`; `ext` is the `--charset-ext` table that
/// `GJ` targets name. Err: the target names no glyph (or no GJ entry), or a glyph
/// that cannot be written at all (a table error).
pub fn resolve_target(
    target: &TargetSpec,
    ivs: IvsPolicy,
    ext: Option<&CharsetExt>,
) -> Result<Resolved, String> {
    let db = mj::db();
    let n = match target {
        // --- MJ+ extension ---
        TargetSpec::Ext(id) => {
            let e = ext.and_then(|x| x.get(*id)).ok_or_else(|| match ext {
                None => format!(
                    "{} は MJ+ 拡張の文字です。その一覧を --charset-ext で指定してください",
                    gj_name(*id)
                ),
                Some(_) => format!("{} は --charset-ext の一覧にありません", gj_name(*id)),
            })?;
            let text = match ivs {
                IvsPolicy::Keep => e.text.clone(),
                IvsPolicy::Never => match e.jis {
                    Some(j) => j.to_string(),
                    None => {
                        return Ok(Resolved::NoJisForm(
                            None,
                            format!(
                                "{} には JIS X 0213 の字形がなく（--charset-ext に jis= がありません）、--ivs never では書けません",
                                gj_name(*id)
                            ),
                        ));
                    }
                },
            };
            return Ok(Resolved::Written(
                None,
                mj::Written {
                    text,
                    table: None,
                    sibling: None,
                    x0213: None,
                },
            ));
        }
        // --- end MJ+ extension ---
        TargetSpec::Glyph(t) => db.resolve(t).map_err(|e| e.to_string())?,
        // --- h-fidelity (issue 12, item 5) ---
        // Code points that are an MJ glyph's form are that glyph: written and
        // degenerated as its MJ文字図形名 would be (U+FA11 → its IVS; an IVS under
        // --ivs never → its JIS X 0213 form).
        TargetSpec::Chars(s) => match db.glyph_of_form(s) {
            Some(n) => n,
            // An IVS of another collection (Hanyo-Denshi, Adobe-Japan1) or of none:
            // flagged by `not-mj-ivs` ([`target_warning`]). It is a glyph variant
            // of its base, so under --ivs never the base is its JIS X 0213 form
            // when the base is a JIS X 0213 character; otherwise it has none.
            None if ivs == IvsPolicy::Never && s.chars().any(is_ivs_selector) => {
                let base: String = s.chars().filter(|c| !is_ivs_selector(*c)).collect();
                let mut chars = base.chars();
                return Ok(match (chars.next(), chars.next()) {
                    (Some(b), None) if class(b) != JisSet::Outside => Resolved::Written(
                        None,
                        mj::Written {
                            text: base,
                            table: Some(IVS_BASE),
                            sibling: None,
                            x0213: None,
                        },
                    ),
                    _ => Resolved::NoJisForm(
                        None,
                        format!(
                            "{} は MJ の IVS ではなく、基底字も JIS X 0213 の文字ではないため、--ivs never では書けません",
                            code_points(s)
                        ),
                    ),
                });
            }
            None => {
                return Ok(Resolved::Written(
                    None,
                    mj::Written {
                        text: s.clone(),
                        table: None,
                        sibling: None,
                        x0213: None,
                    },
                ));
            }
        },
        // --- end h-fidelity ---
    };
    match db.written(n, ivs) {
        Ok(w) => Ok(Resolved::Written(Some(n), w)),
        Err(e @ mj::Unwritable::NoCandidate { .. }) => {
            Ok(Resolved::NoJisForm(Some(n), e.to_string()))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The `degenerate_table` of an IVS that is no MJ glyph, written under `--ivs
/// never` as its base character.
pub const IVS_BASE: &str = "IVS の基底字";

/// A finding about a table target that does not stop the table from being used:
/// `not-mj-ivs` for an IVS that is no MJ glyph's (the MJ+ standard set does not
/// hold it, and ikou cannot tell whether another collection registers it).
pub fn target_warning(target: &TargetSpec) -> Option<(&'static str, String)> {
    let TargetSpec::Chars(s) = target else {
        return None;
    };
    (s.chars().any(is_ivs_selector) && mj::db().glyph_of_form(s).is_none()).then(|| {
        (
            "not-mj-ivs",
            format!(
                "{} is no IVS of an MJ glyph (Moji_Joho collection), so it is no standard character (MJ+); write the MJ文字図形名, or the Moji_Joho IVS `ikou mj` gives for the glyph. Under --ivs never its base is written when that is a JIS X 0213 character",
                code_points(s)
            ),
        )
    })
}

/// An ideographic variation selector (U+E0100–U+E01EF).
fn is_ivs_selector(c: char) -> bool {
    matches!(c, '\u{E0100}'..='\u{E01EF}')
}

/// The compiled map stage, shared read-only by all workers.
#[derive(Debug)]
pub struct Mapper {
    options: MapOptions,
    mappings: Vec<Mapping>,
    /// Index + 1 into `mappings` for U+E000..=U+F8FF (0: none).
    pua: Vec<u32>,
    /// Every other mapped character (compat ideographs, variants, non-PUA sources).
    other: HashMap<char, u32>,
    /// Some table source is outside the ranges the fast scan looks at.
    general_sources: bool,
    tables: Vec<LoadedTable>,
    warnings: Vec<Finding>,
    /// `--charset` (None: `any`).
    charset: Option<Charset>,
    /// The private-use characters of `--charset-ext`, sorted: standard characters
    /// that no table needs to map (they pass the map stage as they are).
    ext_chars: Vec<char>,
}

/// What the map stage did to one record, kept until the record's fate is known.
#[derive(Debug, Default, Clone)]
pub struct MapEvents {
    /// Mapping indexes applied (one per occurrence).
    pub hits: Vec<u32>,
    /// Unmapped private-use characters met (one per occurrence).
    pub unmapped: Vec<char>,
    /// Unmapped 外字 met in `sensitive` items: only counted, so that nothing about
    /// them (which character, which record) is ever listed.
    pub sensitive_unmapped: u64,
    /// Units outside `--charset` met in checked items (one per occurrence): the item
    /// index, and the unit (`None` in a `sensitive` item: counted, never listed).
    pub nonstandard: Vec<(u32, Option<crate::charset::Unit>)>,
}

impl MapEvents {
    /// Something unmapped (listed or only counted) or outside `--charset` was met.
    #[inline]
    pub fn any_unmapped(&self) -> bool {
        !self.unmapped.is_empty() || self.sensitive_unmapped != 0 || !self.nonstandard.is_empty()
    }

    /// Nothing was met: no mapping applied, nothing unmapped or nonstandard.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.hits.is_empty() && !self.any_unmapped()
    }

    pub fn clear(&mut self) {
        self.hits.clear();
        self.unmapped.clear();
        self.sensitive_unmapped = 0;
        self.nonstandard.clear();
    }
}

/// An unmapped 外字 in an item (reject and fail policies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unmapped {
    pub source: char,
    /// 1-based character position in the item.
    pub char_index: usize,
}

impl Mapper {
    /// Builds the map stage from vendor tables (in command-line order).
    /// Err: every finding, when any is an error.
    pub fn new(
        sources: &[TableSource],
        encoding: Encoding,
        options: MapOptions,
    ) -> Result<Mapper, TableErrors> {
        // The --charset set (its plane built on first use, about 2 ms for mj+) is
        // built beside the mappings: both are on the path of every run's start.
        std::thread::scope(|s| {
            let charset = (options.charset != CharsetKind::Any).then(|| {
                let build = move || Charset::new(options.charset, options.ext);
                std::thread::Builder::new()
                    .name("ikou-charset".into())
                    .spawn_scoped(s, build)
                    .map_err(|_| build)
            });
            let mapper = Mapper::with_mappings(sources, encoding, options);
            let charset = charset.map(|c| match c {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
                // No thread could be started: built here.
                Err(build) => build(),
            });
            mapper.map(|m| Mapper { charset, ..m })
        })
    }

    /// [`Mapper::new`] without its `--charset` set.
    fn with_mappings(
        sources: &[TableSource],
        encoding: Encoding,
        options: MapOptions,
    ) -> Result<Mapper, TableErrors> {
        let ivs = options.ivs.unwrap_or(IvsPolicy::Keep);
        let options = MapOptions {
            variants: options.variants.for_encoding(encoding),
            ..options
        };
        let (merged, mut findings) = merge_tables(sources, encoding);
        let mut mappings = Vec::new();
        for (t, e) in merged {
            let origin = Some(format!("{}:{}", sources[t].path, e.line));
            let target_text = Some(e.target.notation());
            if let Some((code, why)) = target_warning(&e.target) {
                findings.push(Finding {
                    path: sources[t].path.clone(),
                    line: e.line,
                    severity: Severity::Warning,
                    code,
                    message: format!("{} → {}: {why}", e.source_text, e.target.notation()),
                });
            }
            let gj = match e.target {
                TargetSpec::Ext(n) => Some(n),
                _ => None,
            };
            match resolve_target(&e.target, ivs, options.ext) {
                Ok(Resolved::Written(mj, w)) => mappings.push(Mapping {
                    kind: Kind::Gaiji,
                    source: e.source,
                    source_text: e.source_text.clone(),
                    mj,
                    gj,
                    output: w.text,
                    degenerate_table: w.table,
                    sibling: w.sibling,
                    unwritable: None,
                    origin,
                    target_text,
                    builtin: false,
                    svs: 0,
                }),
                Ok(Resolved::NoJisForm(n, why)) => {
                    findings.push(Finding {
                        path: sources[t].path.clone(),
                        line: e.line,
                        severity: Severity::Warning,
                        code: "no-jis-form",
                        message: format!(
                            "{} → {}: its records follow --unmapped; reason: 「{why}」",
                            e.source_text,
                            e.target.notation()
                        ),
                    });
                    mappings.push(Mapping {
                        kind: Kind::Gaiji,
                        source: e.source,
                        source_text: e.source_text.clone(),
                        mj: n,
                        gj,
                        output: String::new(),
                        degenerate_table: None,
                        sibling: None,
                        unwritable: Some(why),
                        origin,
                        target_text,
                        builtin: false,
                        svs: 0,
                    });
                }
                Err(m) => findings.push(Finding {
                    path: sources[t].path.clone(),
                    line: e.line,
                    severity: Severity::Error,
                    code: "unknown-target",
                    message: format!(
                        "{} → {}: the target cannot be used; reason: 「{m}」",
                        e.source_text,
                        e.target.notation()
                    ),
                }),
            }
        }
        let mut tables: Vec<LoadedTable> = sources
            .iter()
            .map(|s| LoadedTable {
                kind: "gaiji",
                path: s.path.clone(),
                sha256: s.sha256.clone(),
            })
            .collect();
        if let Some(t) = add_builtin(encoding, ivs, &mut mappings, &mut findings) {
            tables.push(t);
        }
        if findings.iter().any(|f| f.severity == Severity::Error) {
            return Err(TableErrors(findings));
        }
        let gaiji_count = mappings.len();
        let mapped_sources: std::collections::HashSet<char> =
            mappings.iter().map(|m| m.source).collect();
        for (source, output) in variant_pairs(options.variants) {
            if !mapped_sources.contains(&source) {
                mappings.push(simple(
                    Kind::Variant,
                    source,
                    output.to_string(),
                    None,
                    None,
                ));
            }
        }
        // Every compatibility ideograph NFC would rewrite is counted: written as its
        // MJ glyph's form, or (no MJ glyph, or the glyph's form is the character
        // itself) passed through as it is, or under --nfc-safe as its standardized
        // variation sequence.
        for c in mj::compat::compat_ideographs() {
            if mapped_sources.contains(&c) {
                continue;
            }
            let db = mj::db();
            match db.by_compat(c).map(|n| (n, db.written(n, ivs))) {
                Some((n, Ok(w))) => {
                    mappings.push(simple(Kind::Compat, c, w.text, Some(n), w.table));
                }
                // A glyph that cannot be written under the policy: the character
                // stays (as before), counted.
                Some((n, Err(_))) => {
                    mappings.push(simple(Kind::Compat, c, c.to_string(), Some(n), None))
                }
                None => mappings.push(simple(Kind::Compat, c, c.to_string(), None, None)),
            }
        }
        // --- h-fidelity (issue 12, item 7) ---
        if options.nfc_safe {
            for m in &mut mappings {
                let (text, n) = mj::compat::nfc_safe(&m.output);
                m.output = text;
                m.svs = n;
            }
        }
        // --- end h-fidelity ---
        let mut pua = vec![0u32; 0xF900 - 0xE000];
        let mut other = HashMap::new();
        let mut general_sources = false;
        for (i, m) in mappings.iter().enumerate() {
            let idx = i as u32 + 1;
            match m.source as u32 {
                cp @ 0xE000..=0xF8FF => pua[(cp - 0xE000) as usize] = idx,
                _ => {
                    other.insert(m.source, idx);
                    if i < gaiji_count && !in_fast_scan(m.source) {
                        general_sources = true;
                    }
                }
            }
        }
        let mut ext_chars: Vec<char> = options
            .ext
            .map(|x| {
                x.entries()
                    .iter()
                    .filter_map(|e| e.text.chars().next())
                    .collect()
            })
            .unwrap_or_default();
        ext_chars.sort_unstable();
        Ok(Mapper {
            charset: None,
            ext_chars,
            options,
            mappings,
            pua,
            other,
            general_sources,
            warnings: findings,
            tables,
        })
    }

    pub fn options(&self) -> MapOptions {
        self.options
    }

    /// The `--charset` set, unless `any`.
    pub fn charset(&self) -> Option<&Charset> {
        self.charset.as_ref()
    }

    pub fn mappings(&self) -> &[Mapping] {
        &self.mappings
    }

    /// The table mapping of `c`, if a table maps it (written or not).
    pub fn table_mapping(&self, c: char) -> Option<&Mapping> {
        match self.lookup(c) {
            0 => None,
            i => Some(&self.mappings[i as usize - 1]).filter(|m| m.kind == Kind::Gaiji),
        }
    }

    pub fn tables(&self) -> &[LoadedTable] {
        &self.tables
    }

    /// Findings that did not stop the tables from being used (e.g. a real
    /// character remapped), for the user to see.
    pub fn warnings(&self) -> &[Finding] {
        &self.warnings
    }

    /// True when `value` may hold something to map (a cheap byte scan).
    #[inline]
    pub fn needs_work(&self, value: &str) -> bool {
        if value.is_ascii() {
            return false;
        }
        self.general_sources
            || may_hold_mapped(value.as_bytes())
            || (self.options.variants == VariantPolicy::Cp932
                && memchr::memmem::find(value.as_bytes(), "\u{301C}".as_bytes()).is_some())
    }

    /// Writes `value` mapped into `out`, recording what was applied in `ev`.
    /// Err: the first unmapped 外字 under `--unmapped reject|fail` (all unmapped
    /// characters of the item are still recorded in `ev`).
    pub fn map(&self, value: &str, out: &mut String, ev: &mut MapEvents) -> Result<(), Unmapped> {
        let mut first_unmapped = None;
        let mut run_start = 0;
        for (i, c) in value.char_indices() {
            let idx = self.lookup(c);
            if idx == 0 && (!is_user_defined(c) || self.is_ext_char(c)) {
                continue;
            }
            out.push_str(&value[run_start..i]);
            run_start = i + c.len_utf8();
            if idx != 0 {
                let m = &self.mappings[(idx - 1) as usize];
                if m.unwritable.is_none() {
                    ev.hits.push(idx - 1);
                    out.push_str(&m.output);
                    continue;
                }
            }
            ev.unmapped.push(c);
            match self.options.unmapped {
                UnmappedPolicy::Geta => out.push(GETA),
                UnmappedPolicy::Reject | UnmappedPolicy::Fail => {
                    out.push(c);
                    first_unmapped.get_or_insert_with(|| Unmapped {
                        source: c,
                        // Counted as item lengths are (an IVS or か゚ is one).
                        char_index: crate::validate::char_count(&value[..i]) + 1,
                    });
                }
            }
        }
        out.push_str(&value[run_start..]);
        match first_unmapped {
            Some(u) => Err(u),
            None => Ok(()),
        }
    }

    /// An MJ+ extension character (plane 15/16: rare, so a binary search is fine).
    pub fn is_ext_char(&self, c: char) -> bool {
        c >= '\u{F0000}' && self.ext_chars.binary_search(&c).is_ok()
    }

    #[inline]
    fn lookup(&self, c: char) -> u32 {
        match c as u32 {
            cp @ 0xE000..=0xF8FF => self.pua[(cp - 0xE000) as usize],
            // Only these can be in `other`; everything else (kana, full-width letters…)
            // is answered without hashing.
            0xF900..=0xFAFF | 0x2F800..=0x2FA1F | 0xF0000..=0x10FFFF => self.lookup_other(c),
            _ if self.general_sources || is_variant(c) => self.lookup_other(c),
            _ => 0,
        }
    }

    fn lookup_other(&self, c: char) -> u32 {
        self.other.get(&c).copied().unwrap_or(0)
    }
}

fn simple(
    kind: Kind,
    source: char,
    output: String,
    mj: Option<u32>,
    table: Option<&'static str>,
) -> Mapping {
    Mapping {
        kind,
        source,
        source_text: format!("U+{:04X}", source as u32),
        mj,
        gj: None,
        output,
        degenerate_table: table,
        sibling: None,
        unwritable: None,
        origin: None,
        target_text: None,
        builtin: false,
        svs: 0,
    }
}

/// Adds the MJ glyphs the encoding's code table names (JEF/KEIS/JIPS codes whose
/// Hanyo-Denshi IVS is in the Moji_Joho collection) for every source no `--gaiji`
/// table maps: a table of their own, below the user's. Returns that table.
fn add_builtin(
    encoding: Encoding,
    ivs: IvsPolicy,
    mappings: &mut Vec<Mapping>,
    findings: &mut Vec<Finding>,
) -> Option<LoadedTable> {
    use crate::decode::mainframe;
    use sha2::Digest;
    let builtin = mainframe::builtin_mappings(encoding);
    let (path, bytes) = mainframe::builtin_table(encoding)?;
    if builtin.is_empty() {
        return None;
    }
    let origin = format!("embedded:{path}");
    let user: std::collections::HashSet<char> = mappings.iter().map(|m| m.source).collect();
    for &(source, name) in builtin {
        if user.contains(&source) {
            continue;
        }
        let code = (source as u32).saturating_sub(mainframe::INTERNAL_BASE);
        let n = name.strip_prefix("MJ").and_then(|d| d.parse::<u32>().ok());
        let target = TargetSpec::Glyph(crate::mj::Target::Mj(n.unwrap_or(0)));
        let mut m = Mapping {
            kind: Kind::Gaiji,
            source,
            source_text: format!("0x{code:04X}"),
            mj: None,
            output: String::new(),
            degenerate_table: None,
            sibling: None,
            unwritable: None,
            origin: Some(origin.clone()),
            target_text: Some(name.to_string()),
            builtin: true,
            svs: 0,
            gj: None,
        };
        match resolve_target(&target, ivs, None) {
            Ok(Resolved::Written(mj, w)) => {
                m.mj = mj;
                m.output = w.text;
                m.degenerate_table = w.table;
                m.sibling = w.sibling;
            }
            // No warning per code (thousands): the records that hold one say why.
            Ok(Resolved::NoJisForm(n, why)) => {
                m.mj = n;
                m.unwritable = Some(why);
            }
            // The embedded tables and the MJ list disagree: a build defect the tests catch.
            Err(why) => {
                findings.push(Finding {
                    path: origin.clone(),
                    line: 0,
                    severity: Severity::Error,
                    code: "unknown-target",
                    message: format!("0x{code:04X} → {name}: {why}"),
                });
                continue;
            }
        }
        mappings.push(m);
    }
    Some(LoadedTable {
        kind: "encoding",
        path: origin,
        sha256: crate::output::hex(&sha2::Sha256::digest(bytes)),
    })
}

/// (source, output) for the variant policy: the other side's forms become this side's.
fn variant_pairs(policy: VariantPolicy) -> impl Iterator<Item = (char, char)> {
    VARIANTS
        .iter()
        .filter(move |&&(cp932, _)| {
            policy != VariantPolicy::Distinct || !DISTINCT_IN_JIS_X0213.contains(&cp932)
        })
        .map(move |&(cp932, jis)| match policy {
            VariantPolicy::Cp932 => (jis, cp932),
            // Auto is resolved in Mapper::new.
            VariantPolicy::Jis | VariantPolicy::Distinct | VariantPolicy::Auto => (cp932, jis),
        })
}

/// The CP932 forms that are JIS X 0213 characters of their own: ～ 1-02-18,
/// ∥ 1-02-52, － 1-02-17.
pub const DISTINCT_IN_JIS_X0213: [char; 3] = ['\u{FF5E}', '\u{2225}', '\u{FF0D}'];

/// True for both forms of the CP932/JIS variant characters.
fn is_variant(c: char) -> bool {
    VARIANTS.iter().any(|&(cp932, jis)| c == cp932 || c == jis)
}

/// The UTF-8 lead bytes of what the mapper handles: 0xEE/0xEF (PUA U+E000–F8FF,
/// compat U+F900–FAFF, full-width variants U+FF0D/FF5E/FFE0–FFE2), 0xE2 (U+2014–2016,
/// U+2212, U+2225), 0xC2 (U+00A2/A3/AC), 0xF0 (U+2F800…), 0xF3/0xF4 (plane 15/16
/// PUA). U+301C (0xE3 0x80 0x9C, a source only under `--variants cp932`) and table
/// sources elsewhere are checked by the caller.
fn may_hold_mapped(b: &[u8]) -> bool {
    // One branch-free pass (vectorised by the compiler); 0xF1/0xF2 (planes 4–12)
    // are let through too, which costs only a slower look at such rare items.
    let lead = |c: u8| (c >= 0xEE) | (c == 0xE2) | (c == 0xC2);
    if !b.iter().fold(false, |any, &c| any | lead(c)) {
        return false;
    }
    // 0xEF also starts half-width kana and full-width digits and letters, common in
    // legacy data and never mapped: look closer before the caller goes item by item.
    // Steps from character to character (most are three bytes).
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        i += match c {
            0..=0x7F => 1,
            0xEF if !ef_may_be_mapped(b.get(i + 1..i + 3)) => 3,
            _ if lead(c) => return true,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
    }
    false
}

/// For a character U+F000–U+FFFF (0xEF and the two bytes that follow): PUA,
/// compatibility ideographs, or one of the CP932 full-width variants.
fn ef_may_be_mapped(rest: Option<&[u8]>) -> bool {
    match rest {
        Some(&[b1, b2]) => match b1 {
            0x80..=0xAB => true,                 // U+F000–U+FAFF
            0xBC => b2 == 0x8D,                  // U+FF0D －
            0xBD => b2 == 0x9E,                  // U+FF5E ～
            0xBF => (0xA0..=0xA2).contains(&b2), // U+FFE0–U+FFE2 ￠￡￢
            _ => false,
        },
        _ => true,
    }
}

fn in_fast_scan(c: char) -> bool {
    let mut buf = [0u8; 4];
    may_hold_mapped(c.encode_utf8(&mut buf).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(path: &str, text: &str) -> TableSource {
        TableSource {
            path: path.into(),
            text: text.into(),
            sha256: String::new(),
        }
    }

    fn mapper(tables: &[(&str, &str)], opts: MapOptions) -> Result<Mapper, TableErrors> {
        let s: Vec<TableSource> = tables.iter().map(|(p, t)| src(p, t)).collect();
        Mapper::new(&s, Encoding::Cp932, opts)
    }

    fn map(m: &Mapper, v: &str) -> (String, Result<(), Unmapped>, MapEvents) {
        let mut out = String::new();
        let mut ev = MapEvents::default();
        let r = if m.needs_work(v) {
            m.map(v, &mut out, &mut ev)
        } else {
            out.push_str(v);
            Ok(())
        };
        (out, r, ev)
    }

    #[test]
    fn table_targets_resolve_through_the_mj_list() {
        // MJ000001 is 々 (U+3005), no IVS: written as the character itself.
        let m = mapper(
            &[("a.tsv", "U+E000\tMJ000001\nU+E001\tU+2460\n")],
            MapOptions::default(),
        )
        .unwrap();
        let (out, r, ev) = map(&m, "x\u{E000}y\u{E001}");
        assert_eq!(out, "x々y①");
        assert!(r.is_ok());
        assert_eq!(ev.hits.len(), 2);
        assert_eq!(m.mappings()[ev.hits[0] as usize].mj, Some(1));
        assert_eq!(
            m.mappings()[ev.hits[0] as usize].origin.as_deref(),
            Some("a.tsv:1")
        );
    }

    #[test]
    fn unknown_targets_and_conflicts_are_refused_with_file_and_line() {
        let e = mapper(&[("a.tsv", "U+E000\tMJ999999\n")], MapOptions::default()).unwrap_err();
        assert_eq!(e.0[0].code, "unknown-target");
        assert!(e.to_string().contains("a.tsv:1"), "{e}");
        let e = mapper(
            &[
                ("a.tsv", "U+E000\tMJ000001\n"),
                ("b.tsv", "# x\nU+E000\tMJ000002\n"),
            ],
            MapOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e.0[0].code, "conflict");
        assert!(
            e.to_string().contains("b.tsv:2") && e.to_string().contains("a.tsv:1"),
            "{e}"
        );
        // The same mapping twice is no conflict; `!` replaces on purpose.
        let m = mapper(
            &[
                ("a.tsv", "U+E000\tMJ000001\n"),
                ("b.tsv", "U+E000\tMJ000001\n!U+E001\tU+2460\n"),
            ],
            MapOptions::default(),
        )
        .unwrap();
        assert_eq!(
            m.mappings()
                .iter()
                .filter(|x| x.kind == Kind::Gaiji)
                .count(),
            2
        );
        let m = mapper(
            &[
                ("a.tsv", "U+E000\tMJ000001\n"),
                ("b.tsv", "!U+E000\tU+2460\n"),
            ],
            MapOptions::default(),
        )
        .unwrap();
        assert_eq!(map(&m, "\u{E000}").0, "①");
    }

    #[test]
    fn gj_targets_resolve_through_the_extension() {
        let ext: &'static CharsetExt = Box::leak(Box::new(
            CharsetExt::parse_all(&[(
                "e.tsv",
                "GJ000001\tU+100000\nGJ000123\tU+10002A U+E0100\t\tjis=U+5409\n",
                "",
            )])
            .unwrap(),
        ));
        let table = [("a.tsv", "U+E000\tGJ000123\nU+E001\tGJ000001\n")];
        let opts = |ivs| MapOptions {
            ivs: Some(ivs),
            ext: Some(ext),
            ..MapOptions::default()
        };
        let m = mapper(&table, opts(IvsPolicy::Keep)).unwrap();
        let (out, r, ev) = map(&m, "\u{E000}\u{E001}\u{100000}");
        assert_eq!(out, "\u{10002A}\u{E0100}\u{100000}\u{100000}");
        assert!(r.is_ok() && ev.unmapped.is_empty());
        assert_eq!(m.mappings()[ev.hits[0] as usize].gj, Some(123));
        let m = mapper(&table, opts(IvsPolicy::Never)).unwrap();
        let (out, r, _) = map(&m, "\u{E000}\u{E001}");
        assert_eq!(out, "吉\u{E001}");
        assert_eq!(
            r,
            Err(Unmapped {
                source: '\u{E001}',
                char_index: 2
            })
        );
        let why = m
            .table_mapping('\u{E001}')
            .unwrap()
            .unwritable
            .clone()
            .unwrap();
        assert!(
            why.contains("GJ000001") && why.contains("JIS X 0213"),
            "{why}"
        );
        assert!(m.warnings().iter().any(|w| w.code == "no-jis-form"));
        // Unknown ids, and GJ targets without an extension, are table errors.
        let e = mapper(&[("a.tsv", "U+E000\tGJ000999\n")], opts(IvsPolicy::Keep)).unwrap_err();
        assert!(e.to_string().contains("a.tsv:1") && e.to_string().contains("GJ000999"));
        let e = mapper(&table, MapOptions::default()).unwrap_err();
        assert!(e.to_string().contains("--charset-ext"), "{e}");
    }

    #[test]
    fn unmapped_policies() {
        let opts = |unmapped| MapOptions {
            unmapped,
            ..MapOptions::default()
        };
        let m = mapper(&[], opts(UnmappedPolicy::Reject)).unwrap();
        let (_, r, ev) = map(&m, "ab\u{E005}c\u{E006}");
        assert_eq!(
            r,
            Err(Unmapped {
                source: '\u{E005}',
                char_index: 3
            })
        );
        assert_eq!(ev.unmapped, vec!['\u{E005}', '\u{E006}']);
        let m = mapper(&[], opts(UnmappedPolicy::Geta)).unwrap();
        let (out, r, ev) = map(&m, "ab\u{E005}");
        assert_eq!((out.as_str(), r), ("ab\u{3013}", Ok(())));
        assert_eq!(ev.unmapped, vec!['\u{E005}']);
    }

    #[test]
    fn variants_follow_the_policy_both_ways() {
        let m = mapper(&[], MapOptions::default()).unwrap();
        assert_eq!(map(&m, "1\u{FF5E}3\u{2015}").0, "1\u{301C}3\u{2014}");
        assert_eq!(map(&m, "1\u{301C}3").0, "1\u{301C}3");
        let m = mapper(
            &[],
            MapOptions {
                variants: VariantPolicy::Cp932,
                ..MapOptions::default()
            },
        )
        .unwrap();
        assert_eq!(map(&m, "1\u{301C}3\u{00A2}").0, "1\u{FF5E}3\u{FFE0}");
    }

    #[test]
    fn compatibility_ideographs_keep_their_glyph() {
        let m = mapper(&[], MapOptions::default()).unwrap();
        // U+FA10 塚 (compat) must not become U+585A: it is written as its MJ glyph's form.
        let (out, _, ev) = map(&m, "\u{FA10}");
        assert_ne!(out, "\u{585A}");
        let db = mj::db();
        let n = db.by_compat('\u{FA10}').unwrap();
        let want = db.written(n, IvsPolicy::Keep).unwrap().text;
        if want != "\u{FA10}" {
            assert_eq!(out, want);
            assert_eq!(m.mappings()[ev.hits[0] as usize].kind, Kind::Compat);
        } else {
            assert!(ev.hits.is_empty());
        }
    }

    #[test]
    fn plain_text_needs_no_work() {
        let m = mapper(&[], MapOptions::default()).unwrap();
        assert!(!m.needs_work("123"));
        assert!(!m.needs_work("山田　太郎"));
        assert!(m.needs_work("\u{E000}"));
        assert!(m.needs_work("1\u{FF5E}"));
        assert!(!m.needs_work("1\u{301C}"), "already the JIS form");
        assert!(
            !m.needs_work("ﾔﾏﾀﾞ　１２３ＡＢ"),
            "half-width kana, full-width digits"
        );
    }

    /// The quick scan may say yes too often, never no when a character would be mapped:
    /// checked for every character, under both variant policies and with a table.
    #[test]
    fn the_quick_scan_misses_no_character_the_mapper_would_touch() {
        let table = [("t.tsv", "U+E000\tMJ000001\nU+2F800\tMJ000002\n")];
        for variants in [VariantPolicy::Jis, VariantPolicy::Cp932] {
            let opts = MapOptions {
                variants,
                ..MapOptions::default()
            };
            let m = mapper(&table, opts).unwrap();
            assert!(!m.general_sources);
            let mut buf = [0u8; 4];
            for c in (0..=0x10FFFF).filter_map(char::from_u32) {
                if m.lookup(c) != 0 || is_user_defined(c) {
                    let s = c.encode_utf8(&mut buf);
                    assert!(m.needs_work(s), "U+{:04X} under {variants:?}", c as u32);
                    let padded = format!("ｱ{s}１");
                    assert!(m.needs_work(&padded), "U+{:04X} in text", c as u32);
                }
            }
        }
    }

    #[test]
    fn the_encodings_mj_glyphs_are_a_table_of_their_own_below_the_users() {
        // JEF 0xB0A6 is 愛 with a Hanyo-Denshi IVS registered in Moji_Joho (MJ011752).
        let m = Mapper::new(&[], Encoding::JefEbcdik, MapOptions::default()).unwrap();
        let b = m.table_mapping('\u{FB0A6}').unwrap();
        assert!(b.builtin);
        assert_eq!((b.source_text.as_str(), b.mj), ("0xB0A6", Some(11752)));
        assert_eq!(b.output, "\u{611B}\u{E0101}");
        let kinds: Vec<&str> = m.tables().iter().map(|t| t.kind).collect();
        assert_eq!(kinds, ["encoding"]);
        assert_eq!(m.tables()[0].path, "embedded:mappings/mainframe/jef.tsv");
        let (out, r, ev) = map(&m, "x\u{FB0A6}");
        assert_eq!(
            (out.as_str(), r, ev.hits.len()),
            ("x愛\u{E0101}", Ok(()), 1)
        );
        // A user line for the same code wins without `!`.
        let s = [src("u.tsv", "U+FB0A6\tMJ000001\n")];
        let m = Mapper::new(&s, Encoding::JefEbcdik, MapOptions::default()).unwrap();
        let u = m.table_mapping('\u{FB0A6}').unwrap();
        assert!(!u.builtin);
        assert_eq!(u.output, "々");
        let kinds: Vec<&str> = m.tables().iter().map(|t| t.kind).collect();
        assert_eq!(kinds, ["gaiji", "encoding"]);
        // Other encodings have none.
        let m = Mapper::new(&[], Encoding::Cp932, MapOptions::default()).unwrap();
        assert!(m.tables().is_empty() && m.mappings().iter().all(|x| !x.builtin));
    }
}
