//! Data description entries: the tokens from a level number to the separator
//! period, read clause by clause (PIC, USAGE, OCCURS, REDEFINES, VALUE, SIGN …).
//! Sentences that are no entry are reported (COPY, statements) or passed over
//! (division and section headers, FD entries, listing control words).

use super::pic::{Sign, Usage};
use super::source::{Tok, Token};
use super::{MAX_NAME_CHARS, Said, shown};
use crate::layout::import::Severity;

/// A literal of a VALUE clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value {
    /// 'text' or "text".
    Text(String),
    /// 123, +1, 1.5.
    Number(String),
    Zero,
    Space,
    /// Anything else (HIGH-VALUE, X'00', ALL '*' …), as written.
    Other(String),
}

/// A value, or a THRU range, of an 88 entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Cond {
    One(Value),
    Range(Value, Value),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Occurs {
    pub(super) max: u64,
    pub(super) depending: bool,
    pub(super) line: usize,
}

/// One data description entry (level number to separator period).
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) line: usize,
    pub(super) level: u32,
    /// None: FILLER or no name.
    pub(super) name: Option<String>,
    /// The PICTURE string as written, and its line.
    pub(super) pic: Option<(String, usize)>,
    pub(super) usage: Option<Usage>,
    pub(super) occurs: Option<Occurs>,
    pub(super) redefines: Option<String>,
    pub(super) sign: Option<Sign>,
    pub(super) sync: Option<usize>,
    pub(super) conds: Vec<Cond>,
    /// The last line of the entry.
    pub(super) end: usize,
}

/// A level number: 1–2 ASCII digits, 1–49, 66, 77 or 88.
pub(super) fn level_number(w: &str) -> Option<u32> {
    if w.is_empty() || w.len() > 2 || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = w.parse().ok()?;
    matches!(n, 1..=49 | 66 | 77 | 88).then_some(n)
}

/// Listing-control words (no period follows them).
pub(super) fn is_listing_word(w: &str) -> bool {
    matches!(
        w.to_ascii_uppercase().as_str(),
        "EJECT" | "SKIP1" | "SKIP2" | "SKIP3"
    )
}

/// Words that start a clause of a data description entry (never a data name).
pub(super) fn is_clause_word(w: &str) -> bool {
    Usage::of_word(w).is_some()
        || matches!(
            w.to_ascii_uppercase().as_str(),
            "PIC"
                | "PICTURE"
                | "USAGE"
                | "VALUE"
                | "VALUES"
                | "OCCURS"
                | "REDEFINES"
                | "RENAMES"
                | "SIGN"
                | "LEADING"
                | "TRAILING"
                | "JUSTIFIED"
                | "JUST"
                | "SYNCHRONIZED"
                | "SYNC"
                | "BLANK"
                | "GLOBAL"
                | "EXTERNAL"
                | "IS"
        )
}

fn figurative(w: &str) -> Option<Value> {
    Some(match w.to_ascii_uppercase().as_str() {
        "ZERO" | "ZEROS" | "ZEROES" => Value::Zero,
        "SPACE" | "SPACES" => Value::Space,
        "HIGH-VALUE" | "HIGH-VALUES" | "LOW-VALUE" | "LOW-VALUES" | "QUOTE" | "QUOTES" | "NULL"
        | "NULLS" => Value::Other(w.to_string()),
        _ => return None,
    })
}

fn is_number(w: &str) -> bool {
    let body = w.strip_prefix(['+', '-']).unwrap_or(w);
    !body.is_empty()
        && body.bytes().any(|b| b.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        && body.bytes().filter(|&b| b == b'.' || b == b',').count() <= 1
}

/// The tokens of one entry, read clause by clause.
struct Clauses<'t> {
    toks: &'t [Token],
    i: usize,
}

impl<'t> Clauses<'t> {
    fn peek(&self) -> Option<&'t Token> {
        self.toks.get(self.i)
    }

    fn word(&self) -> Option<String> {
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Word(w)) => Some(w.to_ascii_uppercase()),
            _ => None,
        }
    }

    /// Skips optional words (IS, ARE, TIMES, ON …).
    fn skip(&mut self, optional: &[&str]) {
        while self.word().is_some_and(|w| optional.contains(&w.as_str())) {
            self.i += 1;
        }
    }

    /// A literal of a VALUE clause, if one is next.
    fn value(&mut self) -> Option<Value> {
        let t = self.peek()?;
        let v = match &t.tok {
            Tok::Lit { prefix, text } => {
                self.i += 1;
                // "ab" & "cd": concatenated.
                let mut text = text.clone();
                while matches!(self.peek().map(|t| &t.tok), Some(Tok::Word(w)) if w == "&")
                    && let Some(Tok::Lit { text: more, .. }) =
                        self.toks.get(self.i + 1).map(|t| &t.tok)
                {
                    text.push_str(more);
                    self.i += 2;
                }
                if prefix.is_empty() || prefix == "N" || prefix == "G" || prefix == "NC" {
                    Value::Text(text)
                } else {
                    Value::Other(format!("{prefix}'{text}'"))
                }
            }
            Tok::Word(w) if is_number(w) => {
                self.i += 1;
                Value::Number(w.clone())
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("ALL") => {
                self.i += 1;
                let what = match self.peek().map(|t| &t.tok) {
                    Some(Tok::Lit { text, .. }) => {
                        self.i += 1;
                        format!("ALL '{text}'")
                    }
                    Some(Tok::Word(w)) => {
                        self.i += 1;
                        format!("ALL {w}")
                    }
                    _ => "ALL".into(),
                };
                Value::Other(what)
            }
            Tok::Word(w) => {
                let v = figurative(w)?;
                self.i += 1;
                v
            }
            Tok::Period => return None,
        };
        Some(v)
    }
}

/// Reads entries, noting what it cannot read.
pub(super) struct Parser<'n> {
    pub(super) notes: &'n mut Vec<Said>,
}

impl Parser<'_> {
    fn say(&mut self, line: usize, item: Option<&str>, severity: Severity, message: String) {
        self.notes.push(Said {
            line,
            item: item.map(String::from),
            severity,
            message,
        });
    }

    /// The data description entries of the tokens; other sentences are reported
    /// (or passed over: division and section headers, FD entries).
    pub(super) fn entries(&mut self, tokens: &[Token]) -> Vec<Entry> {
        let mut out = Vec::new();
        let mut skipping_division = false;
        for sentence in tokens.split(|t| t.tok == Tok::Period) {
            // Listing control words stand alone, without a period.
            let start = sentence
                .iter()
                .position(|t| !matches!(&t.tok, Tok::Word(w) if is_listing_word(w)))
                .unwrap_or(sentence.len());
            let mut sentence = &sentence[start..];
            if let Some(Token {
                tok: Tok::Word(w), ..
            }) = sentence.first()
                && w.eq_ignore_ascii_case("TITLE")
            {
                sentence = sentence.get(2..).unwrap_or(&[]);
            }
            let Some(first) = sentence.first() else {
                continue;
            };
            let word = |k: usize| match sentence.get(k).map(|t| &t.tok) {
                Some(Tok::Word(w)) => w.to_ascii_uppercase(),
                _ => String::new(),
            };
            let (w0, w1) = (word(0), word(1));
            if w1 == "DIVISION" {
                if w0 == "PROCEDURE" {
                    self.say(
                        first.line,
                        None,
                        Severity::Info,
                        "`PROCEDURE DIVISION` から後は読みません".into(),
                    );
                    break;
                }
                skipping_division = w0 != "DATA";
                continue;
            }
            if skipping_division || w1 == "SECTION" {
                continue;
            }
            if matches!(w0.as_str(), "FD" | "SD" | "RD" | "CD") {
                continue;
            }
            if w0 == "COPY" {
                self.say(
                    first.line,
                    None,
                    Severity::Skipped,
                    format!(
                        "`COPY {}` の中身はこのファイルにないため読めません。コピー句の本文をここに貼り込んでから取り込んでください",
                        shown(&w1)
                    ),
                );
                continue;
            }
            if level_number(&w0).is_none() {
                let what: String = shown(&word_text(&first.tok)).chars().take(30).collect();
                self.say(
                    first.line,
                    None,
                    Severity::Skipped,
                    format!("「{what}」で始まる文はデータ記述項（レベル番号で始まる）ではないため読みません"),
                );
                continue;
            }
            self.entry_list(sentence, &mut out);
        }
        out
    }

    /// One sentence that starts with a level number; a level number where a clause
    /// should be means a period is missing: it starts the next entry.
    fn entry_list(&mut self, toks: &[Token], out: &mut Vec<Entry>) {
        let mut start = 0;
        while start < toks.len() {
            let (entry, next) = self.entry(&toks[start..]);
            out.push(entry);
            match next {
                Some(n) => {
                    let line = toks[start + n].line;
                    self.say(
                        line,
                        None,
                        Severity::Guessed,
                        "前の項の終わりにピリオドがないため、ここから次の項としました".into(),
                    );
                    start += n;
                }
                None => break,
            }
        }
    }

    /// Parses one entry; returns it and, if another level number follows before
    /// the period, where that entry starts.
    fn entry(&mut self, toks: &[Token]) -> (Entry, Option<usize>) {
        let line = toks.first().map_or(0, |t| t.line);
        let level = match toks.first().map(|t| &t.tok) {
            Some(Tok::Word(w)) => level_number(w).unwrap_or(0),
            _ => 0,
        };
        let mut e = Entry {
            line,
            level,
            name: None,
            pic: None,
            usage: None,
            occurs: None,
            redefines: None,
            sign: None,
            sync: None,
            conds: Vec::new(),
            end: toks.last().map_or(line, |t| t.line),
        };
        let mut c = Clauses { toks, i: 1 };
        if let Some(Tok::Word(w)) = c.peek().map(|t| &t.tok) {
            if w.eq_ignore_ascii_case("FILLER") {
                c.i += 1;
            } else if !is_clause_word(w) && level_number(w).is_none() {
                if w.chars().count() > MAX_NAME_CHARS {
                    self.say(
                        line,
                        None,
                        Severity::Skipped,
                        format!(
                            "名前「{}」が {MAX_NAME_CHARS} 文字を超えるため、FILLER（空き）としました",
                            shown(w)
                        ),
                    );
                } else {
                    e.name = Some(w.clone());
                }
                c.i += 1;
            }
        }
        let name = e.name.clone();
        let item = name.as_deref();
        while let Some(tok) = c.peek() {
            let at = tok.line;
            let Tok::Word(raw) = &tok.tok else {
                let what = shown(&word_text(&tok.tok));
                self.say(
                    at,
                    item,
                    Severity::Guessed,
                    format!("「{what}」を解釈できないため無視しました"),
                );
                c.i += 1;
                continue;
            };
            let w = raw.to_ascii_uppercase();
            if level_number(&w).is_some() {
                e.end = toks[..c.i].last().map_or(line, |t| t.line);
                return (e, Some(c.i));
            }
            c.i += 1;
            match w.as_str() {
                "PIC" | "PICTURE" => {
                    c.skip(&["IS"]);
                    match c.peek().map(|t| &t.tok) {
                        Some(Tok::Word(p)) => {
                            e.pic = Some((p.clone(), at));
                            c.i += 1;
                        }
                        _ => self.say(
                            at,
                            item,
                            Severity::Guessed,
                            "`PIC` の後に PICTURE 文字列がありません".into(),
                        ),
                    }
                }
                "USAGE" => {
                    c.skip(&["IS"]);
                    match c.word().as_deref().and_then(Usage::of_word) {
                        Some(u) => {
                            e.usage = Some(u);
                            c.i += 1;
                        }
                        None => self.say(
                            at,
                            item,
                            Severity::Guessed,
                            "`USAGE` の後の語を解釈できません".into(),
                        ),
                    }
                }
                "OCCURS" => self.occurs(&mut c, &mut e, at),
                "REDEFINES" => match c.peek().map(|t| &t.tok) {
                    Some(Tok::Word(t)) => {
                        e.redefines = Some(t.clone());
                        c.i += 1;
                    }
                    _ => {
                        e.redefines = Some(String::new());
                    }
                },
                "RENAMES" => c.i = toks.len(),
                "VALUE" | "VALUES" => {
                    c.skip(&["IS", "ARE"]);
                    let mut any = false;
                    while let Some(v) = c.value() {
                        any = true;
                        let cond = if matches!(c.word().as_deref(), Some("THRU" | "THROUGH")) {
                            c.i += 1;
                            match c.value() {
                                Some(to) => Cond::Range(v, to),
                                None => Cond::One(v),
                            }
                        } else {
                            Cond::One(v)
                        };
                        e.conds.push(cond);
                        if e.level != 88 {
                            break;
                        }
                        // 88 … WHEN SET TO FALSE IS literal: for SET statements only.
                        if c.word().as_deref() == Some("WHEN") {
                            c.skip(&["WHEN", "SET", "TO", "FALSE", "IS"]);
                            let _ = c.value();
                        }
                    }
                    if !any {
                        self.say(
                            at,
                            item,
                            Severity::Guessed,
                            "`VALUE` の後の値を解釈できません".into(),
                        );
                    }
                }
                "SIGN" | "LEADING" | "TRAILING" => {
                    let mut word = w.clone();
                    if word == "SIGN" {
                        c.skip(&["IS"]);
                        word = c.word().unwrap_or_default();
                        if matches!(word.as_str(), "LEADING" | "TRAILING") {
                            c.i += 1;
                        }
                    }
                    let mut sign = Sign {
                        leading: word == "LEADING",
                        separate: false,
                    };
                    if c.word().as_deref() == Some("SEPARATE") {
                        c.i += 1;
                        c.skip(&["CHARACTER"]);
                        sign.separate = true;
                    }
                    e.sign = Some(sign);
                }
                "JUSTIFIED" | "JUST" => c.skip(&["RIGHT"]),
                "SYNCHRONIZED" | "SYNC" => {
                    e.sync = Some(at);
                    c.skip(&["LEFT", "RIGHT"]);
                }
                "BLANK" => c.skip(&["WHEN", "ZERO", "ZEROS", "ZEROES"]),
                "GLOBAL" | "EXTERNAL" | "IS" => {}
                _ => match Usage::of_word(&w) {
                    Some(u) => e.usage = Some(u),
                    None => {
                        let what = shown(raw);
                        self.say(
                            at,
                            item,
                            Severity::Guessed,
                            format!("「{what}」を解釈できないため無視しました"),
                        );
                    }
                },
            }
        }
        (e, None)
    }

    fn occurs(&mut self, c: &mut Clauses, e: &mut Entry, at: usize) {
        let item = e.name.clone();
        let number = |c: &mut Clauses| -> Option<u64> {
            let w = c.word()?;
            let n = w.parse::<u64>().ok()?;
            c.i += 1;
            Some(n)
        };
        let Some(mut max) = number(c) else {
            self.say(
                at,
                item.as_deref(),
                Severity::Guessed,
                "`OCCURS` の回数を読めないため、1回としました".into(),
            );
            return;
        };
        let mut depending = false;
        if c.word().as_deref() == Some("TO") {
            c.i += 1;
            if let Some(m) = number(c) {
                max = m;
            }
        }
        c.skip(&["TIMES"]);
        if c.word().as_deref() == Some("DEPENDING") {
            c.i += 1;
            c.skip(&["ON"]);
            if c.word().is_some() {
                c.i += 1;
            }
            depending = true;
        }
        // ASCENDING/DESCENDING KEY IS names, INDEXED BY names: for the program only.
        loop {
            match c.word().as_deref() {
                Some("ASCENDING" | "DESCENDING") => {
                    c.i += 1;
                    c.skip(&["KEY", "IS"]);
                }
                Some("INDEXED") => {
                    c.i += 1;
                    c.skip(&["BY"]);
                }
                _ => break,
            }
            while let Some(w) = c.word() {
                if is_clause_word(&w)
                    || level_number(&w).is_some()
                    || matches!(w.as_str(), "ASCENDING" | "DESCENDING" | "INDEXED")
                {
                    break;
                }
                c.i += 1;
            }
        }
        e.occurs = Some(Occurs {
            max,
            depending,
            line: at,
        });
    }
}

/// A token as written, for a message.
pub(super) fn word_text(t: &Tok) -> String {
    match t {
        Tok::Word(w) => w.clone(),
        Tok::Lit { prefix, text } => format!("{prefix}'{text}'"),
        Tok::Period => ".".into(),
    }
}
