//! `mappings check`: every problem of a set of vendor 外字 tables, each with its
//! file and line, in one pass.
//!
//! Findings (stable codes; the first group comes from [`crate::gaiji`]):
//!
//! | code                 | severity | what                                                        |
//! |----------------------|----------|-------------------------------------------------------------|
//! | `syntax`             | error    | not `source<TAB>target`                                     |
//! | `bad-source`         | error    | not `U+XXXX` / `0xHHHH`, or not a character in `--encoding` |
//! | `bad-target`         | error    | not `MJ######`, `J+XXXX`, `KOSEKI:######`, `U+XXXX…`        |
//! | `duplicate-source`   | error    | a source listed twice in one table                          |
//! | `pua-target`         | error    | the target is itself a private-use code                     |
//! | `conflict`           | error    | two tables map one source differently (no `!`)              |
//! | `unknown-target`     | error    | the MJ list has no such glyph, or it cannot be written      |
//! | `not-utf8`           | error    | the file is not UTF-8 (the rest is still checked)           |
//! | `not-user-defined`   | warning  | the source is a real character: it is being remapped        |
//! | `nothing-to-override`| warning  | `!` on a line that replaces nothing                         |
//! | `unreachable-source` | warning  | a `U+` source that decoding `--encoding` never produces     |
//! | `no-jis-form`        | warning  | `--ivs never` only: the glyph has no JIS X 0213 form, so its records follow `--unmapped` |
//! | `not-mj-ivs`         | warning  | a `U+` target holding an IVS that is no MJ glyph's (no standard character) |
//! | `outside-charset`    | warning  | a `U+` target that is not in `--charset` and no MJ glyph form |
//!
//! Every line's target is resolved, including lines that lose to a conflict or an
//! override, so a table is clean on its own, not only where it wins.

use super::TableFile;
use crate::charset::ext::CharsetExt;
use crate::charset::{Charset, CharsetKind};
use crate::decode::{self, Encoding};
use crate::gaiji::TargetSpec;
use crate::gaiji::{
    Finding, Resolved, Severity, TableSource, merge_tables, resolve_target, table, target_warning,
};
use crate::mj::IvsPolicy;
use serde::Serialize;
use sha2::Digest;
use std::collections::HashSet;

/// What the tables are checked against.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The input encoding: the meaning of `0xHHHH` sources, and which `U+` sources
    /// can occur at all.
    pub encoding: Encoding,
    /// `Never` adds the `no-jis-form` warning.
    pub ivs: IvsPolicy,
    /// The layout named with `--layout`, for the record (see the CLI's help).
    pub layout: Option<String>,
    // --- MJ+ (--charset, --charset-ext) ---
    /// `--charset`: a `U+` target outside it (and no MJ glyph form) is `outside-charset`.
    pub charset: CharsetKind,
    /// `--charset-ext`: what `GJ` targets name.
    pub ext: Option<&'static CharsetExt>,
}

/// The result of a check, as printed by `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub tables: Vec<TableSummary>,
    pub options: Checked,
    pub errors: usize,
    pub warnings: usize,
    /// In table order (as given), then line order.
    pub findings: Vec<Reported>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableSummary {
    pub path: String,
    pub sha256: String,
    /// Usable lines (a line with an error is not counted).
    pub entries: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub encoding: String,
    pub ivs: String,
    pub layout: Option<String>,
}

/// One finding, for printing.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Reported {
    pub path: String,
    pub line: usize,
    pub severity: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl From<&Finding> for Reported {
    fn from(f: &Finding) -> Reported {
        Reported {
            path: f.path.clone(),
            line: f.line,
            severity: severity_name(f.severity),
            code: f.code,
            message: f.message.clone(),
        }
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

impl CheckReport {
    /// 0 clean (warnings allowed unless `strict`), 1 findings.
    pub fn exit_code(&self, strict: bool) -> i32 {
        if self.errors > 0 || (strict && self.warnings > 0) {
            1
        } else {
            0
        }
    }
}

/// Checks `tables` (in the order `convert --gaiji` would load them).
pub fn check(tables: &[TableFile], opts: &CheckOptions) -> CheckReport {
    let sources: Vec<TableSource> = tables.iter().map(|t| t.source.clone()).collect();
    let mut findings: Vec<Finding> = Vec::new();
    for t in tables {
        if let Some((line, message)) = t.not_utf8 {
            findings.push(Finding {
                path: t.source.path.clone(),
                line,
                severity: Severity::Error,
                code: "not-utf8",
                message: message.into(),
            });
        }
    }
    // Parse findings of every table, then what only shows across tables.
    let (_, merged) = merge_tables(&sources, opts.encoding);
    findings.extend(merged);
    let reachable = Reachable::new(opts.encoding);
    let charset = Charset::new(opts.charset, opts.ext);
    let mut summaries = Vec::new();
    for src in &sources {
        let (entries, _) = table::parse(&src.text, &src.path, opts.encoding);
        for e in &entries {
            let mut find = |severity, code, message| {
                findings.push(Finding {
                    path: src.path.clone(),
                    line: e.line,
                    severity,
                    code,
                    message,
                })
            };
            let arrow = format!("{} → {}", e.source_text, e.target.notation());
            if let Some((code, why)) = target_warning(&e.target) {
                find(Severity::Warning, code, format!("{arrow}: {why}"));
            }
            if let Err(m) = resolve_target(&e.target, IvsPolicy::Keep, opts.ext) {
                find(
                    Severity::Error,
                    "unknown-target",
                    format!("{arrow}: the target cannot be used; reason: 「{m}」"),
                );
            } else if opts.ivs == IvsPolicy::Never
                && let Ok(Resolved::NoJisForm(_, why)) =
                    resolve_target(&e.target, IvsPolicy::Never, opts.ext)
            {
                find(
                    Severity::Warning,
                    "no-jis-form",
                    format!(
                        "{arrow}: under --ivs never its records follow --unmapped; reason: 「{why}」"
                    ),
                );
            }
            if let TargetSpec::Chars(s) = &e.target
                && !charset.all_in(s)
                && crate::mj::db().by_char(s).is_empty()
            {
                find(
                    Severity::Warning,
                    "outside-charset",
                    format!(
                        "{arrow}: the target is not in --charset {} ({}) and is no MJ glyph form: converted records holding it follow --unmapped",
                        opts.charset.id(),
                        opts.charset.label_ja()
                    ),
                );
            }
            if e.source_text.starts_with("U+") && !reachable.contains(e.source) {
                find(
                    Severity::Warning,
                    "unreachable-source",
                    format!(
                        "source {} never occurs in {} input{}; is the table meant for another --encoding?",
                        e.source_text,
                        opts.encoding,
                        reachable.hint()
                    ),
                );
            }
        }
        summaries.push(TableSummary {
            path: src.path.clone(),
            sha256: src.sha256.clone(),
            entries: entries.len(),
        });
    }
    // Table order as given (a path given twice sorts with its first position).
    let order = |path: &str| sources.iter().position(|s| s.path == path);
    findings.sort_by_key(|f| (order(&f.path), f.line));
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    CheckReport {
        tables: summaries,
        options: Checked {
            encoding: opts.encoding.name().into(),
            ivs: match opts.ivs {
                IvsPolicy::Keep => "keep",
                IvsPolicy::Never => "never",
            }
            .into(),
            layout: opts.layout.clone(),
        },
        errors,
        warnings: findings.len() - errors,
        findings: findings.iter().map(Reported::from).collect(),
    }
}

/// The characters decoding an encoding can produce. For the legacy encodings this
/// is found by decoding every 1-, 2- and (EUC) 3-byte sequence with ikou's own
/// decoder, so it is exactly what `convert` can meet; Unicode encodings produce any
/// character.
struct Reachable {
    /// None: every character.
    chars: Option<HashSet<char>>,
    encoding: Encoding,
}

impl Reachable {
    fn new(encoding: Encoding) -> Reachable {
        if encoding.unit_width() != 1 || encoding == Encoding::Utf8 {
            return Reachable {
                chars: None,
                encoding,
            };
        }
        let mut chars = HashSet::new();
        let mut out = String::new();
        let mut add = |bytes: &[u8]| {
            out.clear();
            if decode::decode_code(encoding, bytes, &mut out).is_ok() {
                let mut it = out.chars();
                if let (Some(c), None) = (it.next(), it.next()) {
                    chars.insert(c);
                }
            }
        };
        // Mainframe double-byte codes have first bytes below 0x80 too.
        let mainframe = encoding.shifts().is_some();
        for a in 0..=0xFFu8 {
            add(&[a]);
            if a >= 0x80 || mainframe {
                for b in 0..=0xFFu8 {
                    add(&[a, b]);
                }
            }
        }
        if matches!(encoding, Encoding::EucJp | Encoding::EucJpMs) {
            for b in 0xA1..=0xFEu8 {
                for c in 0xA1..=0xFEu8 {
                    add(&[0x8F, b, c]);
                }
            }
        }
        Reachable {
            chars: Some(chars),
            encoding,
        }
    }

    fn contains(&self, c: char) -> bool {
        self.chars.as_ref().is_none_or(|s| s.contains(&c))
    }

    /// Where the user-defined area of the encoding decodes to, for the message.
    fn hint(&self) -> &'static str {
        match self.encoding {
            Encoding::Cp932 | Encoding::ShiftJis | Encoding::EucJpMs => {
                " (its user-defined area decodes to U+E000–U+E757)"
            }
            Encoding::EucJp => {
                " (euc-jp refuses the user-defined rows 85–94; vendor 外字 need --encoding eucjp-ms)"
            }
            Encoding::Ibm930 | Encoding::Ibm939 => {
                " (its user-defined rows 0x69–0x7F decode to U+E000–U+F111)"
            }
            Encoding::Ibm1390 | Encoding::Ibm1399 => {
                " (its user-defined rows 0x6941–0x89BD decode to U+E000–U+F83C)"
            }
            _ => "",
        }
    }
}

// ---- code tables (convert --to) ----

impl CheckReport {
    /// Adds findings and tables checked apart from the 外字 tables (the code
    /// tables of a target layout), recounting errors and warnings.
    pub fn extend(&mut self, tables: Vec<TableSummary>, findings: Vec<Reported>) {
        self.tables.extend(tables);
        self.findings.extend(findings);
        self.errors = self
            .findings
            .iter()
            .filter(|f| f.severity == "error")
            .count();
        self.warnings = self.findings.len() - self.errors;
    }
}

/// Lints the code tables of target layout `target` (`mappings check --to`):
///
/// | code              | severity        | what                                                   |
/// |-------------------|-----------------|--------------------------------------------------------|
/// | `code-syntax`     | error           | a line that is not `old<TAB>new`, or not UTF-8         |
/// | `duplicate-old`   | error / warning | an old code twice: with another new code (convert refuses the table) / the same line again |
/// | `new-not-in-codes`| error           | a new code that is not one of the item's `codes` (its records would be rejected) |
/// | `unreachable-code`| warning         | with `--corpus`: a line whose old code the corpus never gives the item |
/// | `missing-code`    | error / warning | with `--corpus`: a value with no line: its records are rejected (`unmapped-code`) / written as is (`unmapped = "keep"`) |
///
/// Err (exit 2): a table cannot be read, or the target layout names none.
pub fn check_codes(
    target: &crate::layout::LoadedLayout,
    survey: Option<&crate::target::survey::CodeSurvey>,
) -> Result<(Vec<TableSummary>, Vec<Reported>), crate::Error> {
    use crate::target::codes;
    let dir = crate::target::Plan::table_dir(target);
    let mut tables = Vec::new();
    let mut findings = Vec::new();
    for (j, f) in target.layout.fields.iter().enumerate() {
        let Some(rel) = &f.codes_table else {
            continue;
        };
        let at = format!(
            "target layout {}: field {} ({:?})",
            target.origin,
            j + 1,
            f.name
        );
        let Some(dir) = &dir else {
            return Err(crate::Error::Config(format!(
                "{at}: a bundled layout has no directory to find codes_table {rel:?} in"
            )));
        };
        let path = dir.join(rel);
        let shown = path.to_string_lossy().into_owned();
        let bytes = codes::read_bytes(&path, &shown)
            .map_err(|e| crate::Error::Config(format!("{at}: {e}")))?;
        let parsed = codes::parse_lines(&bytes);
        let mut find =
            |line: usize, severity: &'static str, code: &'static str, message: String| {
                findings.push(Reported {
                    path: shown.clone(),
                    line,
                    severity,
                    code,
                    message: format!("{}: {message}", f.name),
                })
            };
        for (line, e) in &parsed.errors {
            find(*line, "error", "code-syntax", e.clone());
        }
        let mut first: std::collections::HashMap<&str, &codes::CodeLine> =
            std::collections::HashMap::new();
        for l in &parsed.lines {
            match first.get(l.old.as_str()) {
                Some(prev) if prev.new != l.new => find(
                    l.line,
                    "error",
                    "duplicate-old",
                    format!(
                        "old code {:?} is converted to {:?} on line {} and to {:?} here;                          convert refuses the table: keep one line",
                        l.old, prev.new, prev.line, l.new
                    ),
                ),
                Some(prev) => find(
                    l.line,
                    "warning",
                    "duplicate-old",
                    format!("the same line as line {}; remove one", prev.line),
                ),
                None => {
                    first.insert(&l.old, l);
                }
            }
            if f.kind == crate::layout::FieldType::Code && !f.codes.contains(&l.new) {
                find(
                    l.line,
                    "error",
                    "new-not-in-codes",
                    format!(
                        "{:?} → {:?}: the new code is not one of the item's codes ({}); \
                         records with {:?} would be rejected as unknown-code",
                        l.old,
                        l.new,
                        f.codes.join(", "),
                        l.old
                    ),
                );
            }
        }
        if let Some(sv) = survey {
            let empty = Default::default();
            let seen = sv.values.get(&j).unwrap_or(&empty);
            for l in &parsed.lines {
                if !seen.contains_key(&l.old) && first.get(l.old.as_str()) == Some(&l) {
                    find(
                        l.line,
                        "warning",
                        "unreachable-code",
                        format!(
                            "old code {:?} never occurs in the corpus ({} records); \
                             is the line for another item or system?",
                            l.old, sv.records
                        ),
                    );
                }
            }
            let keep = f.unmapped == Some(crate::layout::UnmappedCode::Keep);
            for (v, s) in seen {
                if first.contains_key(v.as_str()) {
                    continue;
                }
                let value = if f.sensitive {
                    "a value (sensitive: not shown)".to_string()
                } else {
                    format!("value {v:?}")
                };
                let what = if keep {
                    "they are written as they are (unmapped = \"keep\")"
                } else {
                    "those records would be rejected as unmapped-code; add a line"
                };
                find(
                    0,
                    if keep { "warning" } else { "error" },
                    "missing-code",
                    format!(
                        "{value} occurs {} times in the corpus (first in input {} record {}) \
                         and has no line: {what}",
                        s.count,
                        s.file + 1,
                        s.record
                    ),
                );
            }
        }
        tables.push(TableSummary {
            path: shown.clone(),
            sha256: crate::output::hex(&sha2::Sha256::digest(&bytes)),
            entries: parsed.lines.len(),
        });
    }
    if tables.is_empty() {
        return Err(crate::Error::Usage(format!(
            "target layout {} names no codes_table: nothing to check",
            target.origin
        )));
    }
    Ok((tables, findings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> TableFile {
        TableFile {
            source: TableSource {
                path: path.into(),
                text: text.into(),
                sha256: String::new(),
            },
            not_utf8: None,
        }
    }

    fn codes(r: &CheckReport) -> Vec<(String, usize, &'static str)> {
        r.findings
            .iter()
            .map(|f| (f.path.clone(), f.line, f.code))
            .collect()
    }

    fn opts(encoding: Encoding, ivs: IvsPolicy) -> CheckOptions {
        CheckOptions {
            encoding,
            ivs,
            layout: None,
            charset: CharsetKind::MjPlus,
            ext: None,
        }
    }

    #[test]
    fn findings_of_parse_merge_and_resolution_in_table_and_line_order() {
        // MJ000437 (㗻 with IVS) has no JIS X 0213 form and no MJ縮退マップ candidate.
        let a = file(
            "a.tsv",
            "U+E000\tMJ000001\nU+E001\tMJ999999\nU+E002\tMJ000437\nU+E800\tMJ000001\n",
        );
        let b = file(
            "b.tsv",
            "U+E000\tMJ000002\n!U+E005\tMJ000001\nU+E006\tJ+FFFF\n0x8140\tMJ000001\n",
        );
        let r = check(
            &[a.clone(), b.clone()],
            &opts(Encoding::Cp932, IvsPolicy::Keep),
        );
        let s = |p: &str| p.to_string();
        assert_eq!(
            codes(&r),
            vec![
                (s("a.tsv"), 2, "unknown-target"),
                (s("a.tsv"), 4, "unreachable-source"),
                (s("b.tsv"), 1, "conflict"),
                (s("b.tsv"), 2, "nothing-to-override"),
                (s("b.tsv"), 3, "unknown-target"),
                (s("b.tsv"), 4, "not-user-defined"),
            ]
        );
        assert_eq!((r.errors, r.warnings), (3, 3));
        assert_eq!(r.exit_code(false), 1);
        assert_eq!(r.tables[0].entries, 4);
        // The same tables read as UTF-8 input: U+E800 can occur; --ivs never warns.
        let r = check(&[a], &opts(Encoding::Utf8, IvsPolicy::Never));
        assert_eq!(
            codes(&r),
            vec![
                (s("a.tsv"), 2, "unknown-target"),
                (s("a.tsv"), 3, "no-jis-form")
            ]
        );
    }

    #[test]
    fn warnings_alone_fail_only_when_strict() {
        let r = check(
            &[file("a.tsv", "U+E000\tMJ000001\nU+6F22\tMJ000001\n")],
            &opts(Encoding::Cp932, IvsPolicy::Keep),
        );
        assert_eq!((r.errors, r.warnings), (0, 1));
        assert_eq!((r.exit_code(false), r.exit_code(true)), (0, 1));
        let clean = check(
            &[file("a.tsv", "source\ttarget\nU+E000\tMJ000001\n")],
            &opts(Encoding::Cp932, IvsPolicy::Keep),
        );
        assert!(clean.findings.is_empty());
        assert_eq!(clean.exit_code(true), 0);
    }

    #[test]
    fn a_table_that_is_not_utf8_is_an_error_at_its_line_and_still_checked() {
        let mut t = file("a.tsv", "U+E000\tMJ000001\nU+E001\tMJ999999\tx\u{FFFD}\n");
        t.not_utf8 = Some((2, "not UTF-8"));
        let r = check(&[t], &opts(Encoding::Cp932, IvsPolicy::Keep));
        let got: Vec<_> = r.findings.iter().map(|f| (f.line, f.code)).collect();
        assert_eq!(got, vec![(2, "not-utf8"), (2, "unknown-target")]);
    }

    #[test]
    fn reachable_sources_follow_the_decoder() {
        let cp = Reachable::new(Encoding::Cp932);
        assert!(cp.contains('\u{E000}') && cp.contains('\u{E757}'));
        assert!(!cp.contains('\u{E758}'));
        assert!(cp.contains('漢') && !cp.contains('\u{20B9F}'));
        let ms = Reachable::new(Encoding::EucJpMs);
        assert!(ms.contains('\u{E000}') && ms.contains('\u{E3AC}') && ms.contains('\u{E757}'));
        let euc = Reachable::new(Encoding::EucJp);
        assert!(!euc.contains('\u{E000}') && euc.contains('漢'));
        assert!(Reachable::new(Encoding::Utf16Le).contains('\u{F8FF}'));
        // IBM: double-byte codes are read between SO and SI; 外字 rows 0x69–0x7F.
        let ibm = Reachable::new(Encoding::Ibm930);
        assert!(ibm.contains('\u{E000}') && ibm.contains('\u{F111}') && !ibm.contains('\u{F112}'));
        assert!(ibm.contains('日') && ibm.contains('ｱ') && ibm.contains('\u{3000}'));
        assert!(Reachable::new(Encoding::Ibm1399).contains('\u{F83C}'));
    }
}
