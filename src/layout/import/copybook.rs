//! `ikou layout import FILE.cpy`: a COBOL copybook (the record description of a
//! mainframe file) → a fixed-length layout.
//!
//! The copybook is read as COBOL source ([`source`]: fixed or free format, comments,
//! continuation lines), split into data description entries, and built into the
//! tree of levels 01–49. The first record (the first 01 entry, or the entries
//! before it when the copybook starts below level 01) becomes the layout; its
//! elementary items become items at the running offset ([`pic`] gives the type and
//! size), OCCURS tables are flattened (`氏名_1`, `氏名_2`, nested `_1_2`), FILLER is
//! a gap. What the layout cannot hold is reported with its line:
//! - skipped (left out of the layout): REDEFINES (the first definition is used),
//!   another record after the first, COMP-1/COMP-2 (a gap of their size), entries
//!   whose size is unknown, text that is no entry;
//! - guessed (in the layout, with an assumption): editing PICs and SIGN
//!   LEADING/SEPARATE (as text), OCCURS DEPENDING ON (the maximum), SYNC, 88 values
//!   that cannot be codes, words not understood (ignored);
//! - notes: 66 (RENAMES) and 77 entries (not part of the record), 88 values made
//!   `codes`, names qualified to be unique, 個人番号 items made sensitive.
//!
//! 88 values become the `codes` of their item (type `code`) when it is PIC X or
//! unsigned PIC 9 DISPLAY: numbers padded with zeros to the item's digits (the
//! file holds `01` for VALUE 1 in PIC 99), SPACE left out (an empty value always
//! passes), THRU ranges listed (up to 1,000 values).
//!
//! Names are kept as written (Japanese names and hyphens too). A name used twice
//! is qualified as COBOL does, `年 OF 生年月日`, by as many enclosing groups as
//! make it unique.

mod codes;
mod entry;
mod pic;
mod source;

use super::read::{MAX_FILE_BYTES, MAX_ROWS};
use super::{Finding, ImportOptions, Imported, Origin, Severity, Unit, words};
use crate::layout::{Field, FieldType, MAX_RECORD_LENGTH};
use entry::{Cond, Entry, is_listing_word, level_number};
use pic::{CodeBase, Elem, Sign, Usage};
use source::{Note, Tok};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Items a copybook may give once OCCURS tables are flattened: as many as a
/// layout sheet may have rows.
pub const MAX_ITEMS: usize = MAX_ROWS as usize;
/// Values the 88 levels of one item may list, THRU ranges expanded.
pub const MAX_CODES: usize = 1000;
/// Characters of one code value (an item with more is no code item).
pub const MAX_CODE_CHARS: usize = 100;
/// Code values of the whole layout, once OCCURS tables are listed.
pub const MAX_ALL_CODES: usize = 100_000;
/// Characters of a data name (COBOL allows 30, COBOL 2002 63).
pub const MAX_NAME_CHARS: usize = 100;

/// Extensions that always mean a copybook.
const EXTENSIONS: &[&str] = &["cpy", "cob", "cbl", "copy"];
/// Extensions that always mean a sheet.
const SHEET_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "tsv", "tab"];

/// Whether `file` (its name and bytes) is a copybook: by its extension (.cpy, .cob,
/// .cbl, .copy), or for other extensions (.txt, none) by its text: the first entry
/// is a level number (01–49, 77) and a name, and a PIC clause follows somewhere.
pub fn is_copybook(file: &str, bytes: &[u8]) -> bool {
    let ext = Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if EXTENSIONS.contains(&ext.as_str()) {
        return true;
    }
    if SHEET_EXTENSIONS.contains(&ext.as_str())
        || bytes.starts_with(b"PK")
        || bytes.len() as u64 > MAX_FILE_BYTES
    {
        return false;
    }
    let Ok(text) = source::decode(bytes) else {
        return false;
    };
    let src = source::read(&text);
    let first = src.tokens.iter().find(|t| match &t.tok {
        Tok::Word(w) => !is_listing_word(w),
        _ => true,
    });
    let starts_with_level = first.is_some_and(
        |t| matches!(&t.tok, Tok::Word(w) if level_number(w).is_some_and(|l| l <= 49 || l == 77)),
    );
    starts_with_level
        && src.tokens.iter().any(|t| {
            matches!(&t.tok, Tok::Word(w) if w.eq_ignore_ascii_case("PIC") || w.eq_ignore_ascii_case("PICTURE"))
        })
}

/// Makes a layout of a copybook's bytes; `file` is its name (the layout's name is
/// its stem unless `opts.name` is given). Err: why no layout could be made.
pub fn import(bytes: &[u8], file: &str, opts: &ImportOptions) -> Result<Imported, String> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the file is larger than {} MiB, which no copybook is",
            MAX_FILE_BYTES >> 20
        ));
    }
    if opts.sheet.is_some() {
        return Err("--sheet applies to layout definition sheets; a copybook has no sheets".into());
    }
    let text = source::decode(bytes)?;
    let src = source::read(&text);
    let mut b = Builder {
        notes: src.notes.iter().cloned().map(Said::from).collect(),
        nodes: Vec::new(),
        info: Vec::new(),
    };
    let entries = entry::Parser {
        notes: &mut b.notes,
    }
    .entries(&src.tokens);
    if entries.is_empty() {
        return Err(b.with_notes(
            "no data description entries (level numbers 01–49 with PIC clauses) found: is it a COBOL copybook?"
                .into(),
        ));
    }
    let tops = b.tree(entries);
    let record = b.record(&tops).map_err(|e| b.with_notes(e))?;
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty());
    let name = opts
        .name
        .clone()
        .or(stem.clone())
        .unwrap_or_else(|| "copybook".into());
    let title = opts.title.clone().unwrap_or_else(|| {
        record
            .title
            .clone()
            .or(stem)
            .unwrap_or_else(|| name.clone())
    });
    let mut items = b.flatten(&record).map_err(|e| b.with_notes(e))?;
    b.unique_names(&mut items);
    let mut fields: Vec<Field> = items.iter().map(|i| i.field.clone()).collect();
    if let Some(key) = &opts.key {
        super::mark_key(fields.iter_mut(), key)?;
    }
    for (item, f) in items.iter_mut().zip(&fields) {
        item.field.key = f.key;
    }
    let newline = opts.newline.unwrap_or(false);
    let findings: Vec<Finding> = {
        let mut notes = b.notes;
        notes.sort_by_key(|n| n.line);
        notes
            .into_iter()
            .map(|n| Finding {
                row: n.line,
                item: n.item,
                severity: n.severity,
                message: n.message,
                unit: Unit::Line,
            })
            .collect()
    };
    let toml = toml(
        &TomlHead {
            name: &name,
            title: &title,
            version: &opts.version,
            file,
            free: src.free,
            record: &record,
            record_length: record.size,
            newline,
            keyed: opts.key.is_some(),
        },
        &items,
        &findings,
        &src.code,
    );
    let layout = crate::layout::parse(toml.as_bytes(), "the imported layout").map_err(|e| {
        format!(
            "the copybook's items do not make a valid layout ({e}); fix the copybook or edit the layout by hand"
        )
    })?;
    Ok(Imported {
        toml,
        layout,
        sheet: file.to_string(),
        header_row: record.first_line,
        columns: Vec::new(),
        other_sheets: Vec::new(),
        findings,
        origin: Origin::Copybook {
            free_format: src.free,
            record: record.title.clone().unwrap_or_default(),
            lines: (record.first_line, record.last_line),
        },
    })
}

/// A note with the item it is about.
struct Said {
    line: usize,
    item: Option<String>,
    severity: Severity,
    message: String,
}

impl From<Note> for Said {
    fn from(n: Note) -> Said {
        Said {
            line: n.line,
            item: None,
            severity: n.severity,
            message: n.message,
        }
    }
}

/// An entry in the tree of levels, with its 88 entries.
struct Node {
    e: Entry,
    children: Vec<usize>,
    conds: Vec<Entry>,
}

/// What the analysis found for a node in the record.
#[derive(Clone)]
struct Info {
    /// None for a group.
    elem: Option<Elem>,
    /// Bytes of one occurrence (capped at MAX_RECORD_LENGTH + 1).
    one: u64,
    /// Occurrences (1 without OCCURS).
    times: u64,
    /// Items of one occurrence (capped at MAX_ITEMS + 1).
    items: u64,
    /// Code values of one occurrence, items under it included (capped).
    all_codes: u64,
    codes: Vec<String>,
    sensitive: bool,
}

/// The record the layout is made of.
struct Record {
    nodes: Vec<usize>,
    title: Option<String>,
    size: usize,
    first_line: usize,
    last_line: usize,
}

/// An item of the layout with where it came from.
struct Item {
    line: usize,
    /// Lines of its 88 entries (their notes go with the item).
    cond_lines: Vec<usize>,
    base: String,
    subs: Vec<u64>,
    /// Names of the enclosing groups, nearest first.
    quals: Vec<String>,
    field: Field,
}

const CAP_BYTES: u64 = MAX_RECORD_LENGTH as u64 + 1;
const CAP_ITEMS: u64 = MAX_ITEMS as u64 + 1;
const CAP_CODES: u64 = MAX_ALL_CODES as u64 + 1;

struct Builder {
    notes: Vec<Said>,
    nodes: Vec<Node>,
    info: Vec<Option<Info>>,
}

/// A word of the copybook as a message shows it: no control characters, at most
/// 40 characters (a word may be as long as the file).
fn shown(s: &str) -> String {
    const MAX: usize = 40;
    let mut out = comment_text(&s.chars().take(MAX).collect::<String>());
    if s.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// Text for a comment of the layout file: one line, no control characters.
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl Builder {
    /// An error with the lines not understood so far, which may be why.
    fn with_notes(&self, error: String) -> String {
        const SHOWN: usize = 5;
        let mut problems: Vec<&Said> = self
            .notes
            .iter()
            .filter(|n| n.severity != Severity::Info)
            .collect();
        if problems.is_empty() {
            return error;
        }
        problems.sort_by_key(|n| n.line);
        let mut s = format!("{error}. Lines not understood:");
        for n in problems.iter().take(SHOWN) {
            s += &format!(" line {}: 「{}」", n.line, comment_text(&n.message));
        }
        if problems.len() > SHOWN {
            s += &format!(" (and {} more)", problems.len() - SHOWN);
        }
        s
    }

    fn say(&mut self, line: usize, item: Option<&str>, severity: Severity, message: String) {
        self.notes.push(Said {
            line,
            item: item.map(String::from),
            severity,
            message,
        });
    }

    /// Builds the tree of levels; returns the entries at the top (01, or the
    /// highest level of a copybook that starts below 01).
    fn tree(&mut self, entries: Vec<Entry>) -> Vec<usize> {
        let mut tops = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        let mut last: Option<usize> = None;
        for e in entries {
            let item = e.name.clone();
            match e.level {
                88 => match last {
                    Some(l) => self.nodes[l].conds.push(e),
                    None => self.say(
                        e.line,
                        item.as_deref(),
                        Severity::Skipped,
                        "レベル 88 の条件名の前に、その値を持つ項目がありません".into(),
                    ),
                },
                66 => {
                    self.say(
                        e.line,
                        item.as_deref(),
                        Severity::Info,
                        "レベル 66（`RENAMES`）は別名なので layout に入れません（名前の付け直しはしません）"
                            .into(),
                    );
                    last = None;
                }
                77 => {
                    self.say(
                        e.line,
                        item.as_deref(),
                        Severity::Info,
                        "レベル 77 は独立した項目で、レコードの一部ではないため layout に入れません"
                            .into(),
                    );
                    stack.clear();
                    last = None;
                }
                0 => {}
                level => {
                    while stack
                        .last()
                        .is_some_and(|&t| self.nodes[t].e.level >= level)
                    {
                        stack.pop();
                    }
                    let idx = self.nodes.len();
                    match stack.last() {
                        Some(&p) => self.nodes[p].children.push(idx),
                        None => tops.push(idx),
                    }
                    self.nodes.push(Node {
                        e,
                        children: Vec::new(),
                        conds: Vec::new(),
                    });
                    stack.push(idx);
                    last = Some(idx);
                }
            }
        }
        self.info = vec![None; self.nodes.len()];
        tops
    }

    /// The last line of a node and everything under it.
    fn last_line(&self, idx: usize) -> usize {
        let n = &self.nodes[idx];
        let mut end = n.e.end;
        for c in &n.conds {
            end = end.max(c.end);
        }
        for &c in &n.children {
            end = end.max(self.last_line(c));
        }
        end
    }

    /// Chooses the record, reports the others, and analyses it.
    fn record(&mut self, tops: &[usize]) -> Result<Record, String> {
        let Some(&first) = tops.first() else {
            return Err(
                "no data description entries at levels 01–49 found (only 66, 77 or 88 entries)"
                    .into(),
            );
        };
        let explicit = self.nodes[first].e.level == 1;
        let count = if explicit {
            1
        } else {
            tops.iter()
                .take_while(|&&t| self.nodes[t].e.level != 1)
                .count()
        };
        let (chosen, others) = tops.split_at(count);
        let first_line = self.nodes[first].e.line;
        let last_line = chosen
            .iter()
            .map(|&t| self.last_line(t))
            .max()
            .unwrap_or(first_line);
        let mut size = 0u64;
        for &t in chosen {
            self.analyse(t, None, None);
            let i = self.info[t]
                .as_ref()
                .map_or(0, |i| i.one.saturating_mul(i.times));
            size = size.saturating_add(i).min(CAP_BYTES);
        }
        for &t in others {
            let e = &self.nodes[t].e;
            let (line, name) = (e.line, e.name.clone());
            let end = self.last_line(t);
            let also = match &e.redefines {
                Some(r) => format!("（`REDEFINES {}`）", shown(r)),
                None => String::new(),
            };
            self.say(
                line,
                name.as_deref(),
                Severity::Skipped,
                format!(
                    "2つ目のレコード記述{also}です。ikou は最初のレコード（{first_line}行目）だけを layout にします。{}のレコードが要るなら、それだけのファイルにして取り込んでください",
                    span(line, end)
                ),
            );
        }
        let items: u64 = chosen
            .iter()
            .map(|&t| {
                self.info[t]
                    .as_ref()
                    .map_or(0, |i| i.items.saturating_mul(i.times))
            })
            .fold(0u64, |a, b| a.saturating_add(b).min(CAP_ITEMS));
        let all_codes: u64 = chosen
            .iter()
            .map(|&t| {
                self.info[t]
                    .as_ref()
                    .map_or(0, |i| i.all_codes.saturating_mul(i.times))
            })
            .fold(0u64, |a, b| a.saturating_add(b).min(CAP_CODES));
        if all_codes > MAX_ALL_CODES as u64 {
            return Err(format!(
                "the record (lines {first_line}–{last_line}) has more than {MAX_ALL_CODES} code values (88 levels) once its OCCURS tables are listed one by one; check the 88 levels with THRU ranges under an OCCURS"
            ));
        }
        if size > MAX_RECORD_LENGTH as u64 {
            return Err(format!(
                "the record (lines {first_line}–{last_line}) is longer than ikou's limit of {MAX_RECORD_LENGTH} bytes (1 MiB); check the PIC lengths and OCCURS counts"
            ));
        }
        if items > MAX_ITEMS as u64 {
            return Err(format!(
                "the record (lines {first_line}–{last_line}) has more than {MAX_ITEMS} items once its OCCURS tables are listed one by one, more than ikou makes a layout of; check the OCCURS counts"
            ));
        }
        if items == 0 {
            return Err(format!(
                "the record (lines {first_line}–{last_line}) has no item ikou can convert (every elementary item is FILLER or was not understood)"
            ));
        }
        let title = if explicit {
            self.nodes[first].e.name.clone()
        } else {
            None
        };
        Ok(Record {
            nodes: chosen.to_vec(),
            title,
            // Checked against MAX_RECORD_LENGTH above.
            size: usize::try_from(size).unwrap_or(MAX_RECORD_LENGTH),
            first_line,
            last_line,
        })
    }

    /// Works out each node's type, size and item count (USAGE and SIGN of a group
    /// apply to the items under it), reporting what it cannot take.
    fn analyse(&mut self, idx: usize, usage: Option<&Usage>, sign: Option<Sign>) {
        let e = self.nodes[idx].e.clone();
        let item = e.name.clone();
        let item = item.as_deref();
        let usage = e.usage.clone().or_else(|| usage.cloned());
        let sign = e.sign.or(sign);
        let times = match e.occurs {
            None => 1,
            Some(o) => {
                if o.depending {
                    self.say(
                        o.line,
                        item,
                        Severity::Guessed,
                        format!(
                            "`OCCURS DEPENDING ON`（可変回数）は表せないため、最大の {} 回として項目を並べました。回数が最大でないレコードは長さが合いません",
                            o.max
                        ),
                    );
                } else if o.max == 0 {
                    self.say(
                        o.line,
                        item,
                        Severity::Guessed,
                        "`OCCURS 0` のため、この項目は layout に入りません".into(),
                    );
                }
                o.max
            }
        };
        if let Some(at) = e.sync {
            self.say(
                at,
                item,
                Severity::Guessed,
                "`SYNC` は汎用機で2進項目の前に詰め物のバイトを入れることがありますが、ikou は入れていません。位置を確かめてください".into(),
            );
        }
        let children = self.nodes[idx].children.clone();
        let is_elementary = e.pic.is_some() || children.is_empty();
        let mut info = Info {
            elem: None,
            one: 0,
            times,
            items: 0,
            all_codes: 0,
            codes: Vec::new(),
            sensitive: false,
        };
        if is_elementary {
            for &c in &children {
                let ce = &self.nodes[c].e;
                let (line, name, end) = (ce.line, ce.name.clone(), self.last_line(c));
                self.say(
                    line,
                    name.as_deref(),
                    Severity::Skipped,
                    format!(
                        "上の項目には `PIC` があるので下位の項目を持てません。{}は layout に入りません",
                        span(line, end)
                    ),
                );
            }
            let picture = match &e.pic {
                Some((p, at)) => {
                    match pic::parse(p) {
                        Ok(pic) => Some(Ok(pic)),
                        Err(why) => {
                            self.say(
                            *at,
                            item,
                            Severity::Skipped,
                            format!("{why}。長さが分からないため、この後の項目の位置も確かめてください"),
                        );
                            Some(Err(()))
                        }
                    }
                }
                None => None,
            };
            let (elem, notes) = match picture {
                Some(Err(())) => (Elem::Unknown, Vec::new()),
                pic_ok => {
                    let pic = pic_ok.and_then(Result::ok);
                    let text = e.pic.as_ref().map_or("", |(p, _)| p.as_str());
                    pic::elem(
                        pic.as_ref(),
                        text,
                        usage.as_ref().unwrap_or(&Usage::Display),
                        sign,
                    )
                }
            };
            // A FILLER is a gap whatever it holds: only an unknown size matters.
            if item.is_some() || elem == Elem::Unknown {
                let at = e.pic.as_ref().map_or(e.line, |(_, l)| *l);
                for (severity, message) in notes {
                    self.say(at, item, severity, message);
                }
            }
            if item.is_none() {
                // FILLER: a gap, whatever it holds.
                info.one = elem.size().map_or(0, |n| n as u64);
                info.elem = Some(Elem::Gap(info.one as usize));
            } else {
                if let Elem::Item(spec) = &elem {
                    info.items = 1;
                    info.codes = self.codes(idx, spec.codes);
                    info.all_codes = info.codes.len() as u64;
                    if let Some(name) = item
                        && words::is_personal_number(name)
                    {
                        info.sensitive = true;
                        self.say(
                            e.line,
                            item,
                            Severity::Info,
                            "個人番号のため sensitive（どこにも表示しない）にしました".into(),
                        );
                    }
                } else {
                    self.unused_conds(idx, "この項目は layout に入らないため");
                }
                info.one = elem.size().map_or(0, |n| n as u64);
                info.elem = Some(elem);
            }
        } else {
            self.unused_conds(idx, "集団項目の条件名は使いません");
            let (mut one, mut items, mut all_codes) = (0u64, 0u64, 0u64);
            let mut previous: Option<usize> = None;
            for &c in &children {
                if let Some(target) = self.nodes[c].e.redefines.clone() {
                    self.redefines(c, previous, &target);
                    continue;
                }
                self.analyse(c, usage.as_ref(), sign);
                if let Some(ci) = &self.info[c] {
                    one = one
                        .saturating_add(ci.one.saturating_mul(ci.times))
                        .min(CAP_BYTES);
                    items = items
                        .saturating_add(ci.items.saturating_mul(ci.times))
                        .min(CAP_ITEMS);
                    all_codes = all_codes
                        .saturating_add(ci.all_codes.saturating_mul(ci.times))
                        .min(CAP_CODES);
                }
                previous = Some(c);
            }
            info.one = one;
            info.items = items;
            info.all_codes = all_codes;
        }
        self.info[idx] = Some(info);
    }

    /// Reports a REDEFINES entry (not in the layout) with the lines it covers.
    fn redefines(&mut self, idx: usize, previous: Option<usize>, target: &str) {
        let e = &self.nodes[idx].e;
        let (line, name) = (e.line, e.name.clone());
        let end = self.last_line(idx);
        let target_text = shown(target);
        let original = previous
            .filter(|&p| {
                self.nodes[p]
                    .e
                    .name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(target))
            })
            .map(|p| self.nodes[p].e.line);
        let whose = match original {
            Some(l) => format!("{l}行目の「{target_text}」"),
            None => format!("「{target_text}」（直前の同じレベルの項目ではありません）"),
        };
        self.say(
            line,
            name.as_deref(),
            Severity::Skipped,
            format!(
                "`REDEFINES` は{whose}と同じバイトの別の定義です。ikou は最初の定義を使います（{}は layout に入りません）",
                span(line, end)
            ),
        );
    }

    /// Reports 88 entries that give no codes.
    fn unused_conds(&mut self, idx: usize, why: &str) {
        let lines: Vec<(usize, Option<String>)> = self.nodes[idx]
            .conds
            .iter()
            .map(|c| (c.line, c.name.clone()))
            .collect();
        for (line, name) in lines {
            self.say(
                line,
                name.as_deref(),
                Severity::Info,
                format!("{why}、レベル 88 の値は codes にしません"),
            );
        }
    }

    /// The codes of an item from its 88 entries (empty: none, or not all usable).
    fn codes(&mut self, idx: usize, base: Option<CodeBase>) -> Vec<String> {
        let conds = self.nodes[idx].conds.clone();
        if conds.is_empty() {
            return Vec::new();
        }
        let Some(base) = base else {
            self.unused_conds(
                idx,
                "codes にできるのは `PIC X` と符号なし `PIC 9` の DISPLAY 項目だけなので",
            );
            return Vec::new();
        };
        let item = self.nodes[idx].e.name.clone();
        let mut codes: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        for c in &conds {
            for cond in &c.conds {
                let got = match cond {
                    Cond::One(v) => {
                        codes::code_of(v, base).map(|c| c.into_iter().collect::<Vec<_>>())
                    }
                    Cond::Range(a, b) => {
                        codes::range(a, b, base, MAX_CODES.saturating_sub(codes.len()))
                    }
                };
                match got {
                    Ok(list) => {
                        for v in list {
                            if seen.insert(v.clone()) {
                                codes.push(v);
                            }
                        }
                    }
                    Err(why) => {
                        let kind = match base {
                            CodeBase::Text(_) => "text",
                            CodeBase::Digits(_) => "digits",
                        };
                        self.say(
                            c.line,
                            c.name.as_deref(),
                            Severity::Guessed,
                            format!(
                                "{why}。値の一覧が作れないため、「{}」は codes なしの {kind} のままにしました",
                                item.as_deref().unwrap_or("")
                            ),
                        );
                        return Vec::new();
                    }
                }
                if codes.len() > MAX_CODES {
                    self.say(
                        c.line,
                        c.name.as_deref(),
                        Severity::Guessed,
                        format!("値が {MAX_CODES} 個を超えるため codes にしませんでした"),
                    );
                    return Vec::new();
                }
            }
        }
        if !codes.is_empty() {
            let line = self.nodes[idx].e.line;
            let n = codes.len();
            self.say(
                line,
                item.as_deref(),
                Severity::Info,
                format!(
                    "レベル 88 の値 {n} 個を codes（type = \"code\"）にしました。ほかの値の記録は不適合になります"
                ),
            );
        }
        codes
    }

    /// Lists the items of the record: offsets, flattened OCCURS, names.
    fn flatten(&mut self, record: &Record) -> Result<Vec<Item>, String> {
        let mut out = Vec::new();
        let mut offset = 0usize;
        let mut subs = Vec::new();
        let mut quals = Vec::new();
        for &t in &record.nodes {
            let size = self.walk(t, offset, &mut subs, &mut quals, &mut out)?;
            offset = offset.checked_add(size).ok_or("record size overflow")?;
        }
        Ok(out)
    }

    /// Adds the items of a node at `offset`; returns its size (all occurrences).
    fn walk(
        &self,
        idx: usize,
        offset: usize,
        subs: &mut Vec<u64>,
        quals: &mut Vec<String>,
        out: &mut Vec<Item>,
    ) -> Result<usize, String> {
        let Some(info) = &self.info[idx] else {
            return Ok(0);
        };
        let node = &self.nodes[idx];
        // Both within the record, which is at most MAX_RECORD_LENGTH (checked).
        let too_big = || format!("line {}: the item does not fit in the record", node.e.line);
        let one = usize::try_from(info.one).map_err(|_| too_big())?;
        let total = || {
            one.checked_mul(usize::try_from(info.times).map_err(|_| too_big())?)
                .ok_or_else(too_big)
        };
        // Nothing to list (FILLER, unknown sizes): no need to go through the occurrences.
        if info.items == 0 {
            return total();
        }
        let occurs = node.e.occurs.is_some();
        for k in 0..info.times {
            let at = one
                .checked_mul(usize::try_from(k).map_err(|_| too_big())?)
                .and_then(|d| d.checked_add(offset))
                .ok_or_else(too_big)?;
            if occurs {
                subs.push(k + 1);
            }
            match &info.elem {
                Some(Elem::Item(spec)) => {
                    if let Some(name) = &node.e.name {
                        let length = (spec.size > 0).then_some(spec.size);
                        let kind = if info.codes.is_empty() {
                            spec.kind
                        } else {
                            FieldType::Code
                        };
                        out.push(Item {
                            line: node.e.line,
                            cond_lines: node.conds.iter().map(|c| c.line).collect(),
                            base: name.clone(),
                            subs: subs.clone(),
                            quals: quals.iter().rev().cloned().collect(),
                            field: Field {
                                name: name.clone(),
                                kind,
                                length,
                                offset: Some(at),
                                codes: info.codes.clone(),
                                sensitive: info.sensitive,
                                digits: spec.digits,
                                scale: spec.scale,
                                dbcs: spec.dbcs,
                                ..Field::default()
                            },
                        });
                    }
                }
                Some(_) => {}
                None => {
                    if let Some(name) = &node.e.name {
                        quals.push(name.clone());
                    }
                    let mut off = at;
                    for &c in &node.children {
                        if self.nodes[c].e.redefines.is_some() {
                            continue;
                        }
                        let n = self.walk(c, off, subs, quals, out)?;
                        off = off.checked_add(n).ok_or_else(too_big)?;
                    }
                    if node.e.name.is_some() {
                        quals.pop();
                    }
                }
            }
            if occurs {
                subs.pop();
            }
        }
        total()
    }

    /// Makes the items' names unique: OCCURS numbers (`氏名_1`), then for a name
    /// still used twice its enclosing groups (`年 OF 生年月日`), then a number.
    fn unique_names(&mut self, items: &mut [Item]) {
        let numbered = |i: &Item| {
            let mut s = i.base.clone();
            for n in &i.subs {
                s.push('_');
                s.push_str(&n.to_string());
            }
            s
        };
        let mut depth = vec![0usize; items.len()];
        let name_at = |i: &Item, d: usize| {
            let mut s = numbered(i);
            for q in i.quals.iter().take(d) {
                s.push_str(" OF ");
                s.push_str(q);
            }
            s
        };
        // Each round qualifies every name still shared by one more group; at most
        // 49 levels, so it ends.
        loop {
            let mut count: HashMap<String, usize> = HashMap::new();
            for (i, item) in items.iter().enumerate() {
                *count.entry(name_at(item, depth[i])).or_default() += 1;
            }
            let mut changed = false;
            for (i, item) in items.iter().enumerate() {
                if count[&name_at(item, depth[i])] > 1 && depth[i] < item.quals.len() {
                    depth[i] += 1;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        // Names the groups do not tell apart are numbered as written, not qualified.
        let mut count: HashMap<String, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            *count.entry(name_at(item, depth[i])).or_default() += 1;
        }
        for (i, item) in items.iter().enumerate() {
            if count[&name_at(item, depth[i])] > 1 {
                depth[i] = 0;
            }
        }
        let mut used: HashSet<String> = HashSet::new();
        let mut told: HashSet<usize> = HashSet::new();
        // The next number to try for each name (so that n repeats cost n, not n²).
        let mut next: HashMap<String, usize> = HashMap::new();
        for (i, item) in items.iter_mut().enumerate() {
            let name = name_at(item, depth[i]);
            let mut unique = name.clone();
            if used.contains(&unique) {
                let k = next.entry(name.clone()).or_insert(2);
                loop {
                    unique = format!("{name}（{k}）");
                    *k += 1;
                    if !used.contains(&unique) {
                        break;
                    }
                }
            }
            if unique != name {
                self.say(
                    item.line,
                    Some(&item.base),
                    Severity::Guessed,
                    format!("同じ名前の項目があるため「{unique}」としました"),
                );
            } else if depth[i] > 0 && told.insert(item.line) {
                self.say(
                    item.line,
                    Some(&item.base),
                    Severity::Info,
                    format!(
                        "同じ名前の項目がほかにあるため、上位の集団項目の名前を付けて「{unique}」のようにしました"
                    ),
                );
            }
            used.insert(unique.clone());
            item.field.name = unique;
        }
    }
}

/// Lines `a` to `b`, in a finding: 「12行目」 or 「12〜15行目」.
fn span(a: usize, b: usize) -> String {
    if a == b {
        format!("{a}行目")
    } else {
        format!("{a}〜{b}行目")
    }
}

/// The parts of the layout file before the items.
struct TomlHead<'a> {
    name: &'a str,
    title: &'a str,
    version: &'a str,
    file: &'a str,
    free: bool,
    record: &'a Record,
    record_length: usize,
    newline: bool,
    keyed: bool,
}

fn toml(h: &TomlHead, items: &[Item], findings: &[Finding], code: &[String]) -> String {
    use super::toml_str;
    let file = comment_text(h.file);
    let format = if h.free { "free" } else { "fixed" };
    let (first, last) = (h.record.first_line, h.record.last_line);
    let mut t = format!(
        "# Made by `ikou layout import` from the COBOL copybook {file} ({format}-format source), \
         record on lines {first}–{last}.\n\
         # Check it before use: ikou layouts <this file>\n"
    );
    if !h.keyed {
        t += "# No item is the key yet: add `key = true` to the item that identifies a record \
              (宛名番号 …),\n# which reports show to find a record, or import again with --key ITEM.\n";
    }
    t += &format!(
        "# newline = {}: {}\n\
         # recfm: fixed-length records (RECFM=FB) as written; for RECFM=VB (a 4-byte record\n\
         # descriptor word before each record) add recfm = \"vb\".\n",
        h.newline,
        if h.newline {
            "each record is followed by a line end."
        } else {
            "records follow each other without line ends, as in mainframe files."
        }
    );
    t += &format!("name = {}\n", toml_str(h.name));
    t += &format!("title = {}\n", toml_str(h.title));
    t += &format!("version = {}\n", toml_str(h.version));
    let note = format!(
        "{cmd} で COBOL コピー句 {file} の{first}〜{last}行目のレコードから作成。",
        cmd = "ikou layout import",
        file = h.file
    );
    t += &format!("note = {}\n", toml_str(&note));
    t += &format!(
        "format = \"fixed\"\nrecord_length = {}\nnewline = {}\n",
        h.record_length, h.newline
    );
    let mut by_line: HashMap<usize, Vec<&Finding>> = HashMap::new();
    for f in findings {
        by_line.entry(f.row).or_default().push(f);
    }
    let mut commented: HashSet<usize> = HashSet::new();
    for item in items {
        let f = &item.field;
        let src = code
            .get(item.line.wrapping_sub(1))
            .map(|s| comment_text(s))
            .unwrap_or_default();
        let src: String = src.chars().take(100).collect();
        t += &format!("\n[[fields]]\n# line {}: {src}\n", item.line);
        // What was decided for this entry, where the person editing the file sees it
        // (once, on the first item of a flattened table).
        if commented.insert(item.line) {
            let on = std::iter::once(&item.line).chain(&item.cond_lines);
            for finding in on.flat_map(|l| by_line.get(l).into_iter().flatten()) {
                let kind = match finding.severity {
                    Severity::Guessed => "guessed",
                    Severity::Skipped => "skipped",
                    Severity::Info => "note",
                };
                t += &format!(
                    "# {kind} (line {}): {}\n",
                    finding.row,
                    comment_text(&finding.message)
                );
            }
        }
        t += &super::field_toml(f);
    }
    t
}

#[cfg(test)]
mod tests;
