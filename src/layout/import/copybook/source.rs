//! The text of a copybook: its lines in fixed or free format, without comments and
//! with continuation lines joined, as tokens (words, literals, separator periods),
//! each with the line it starts on.
//!
//! Fixed format (the mainframe card layout): columns 1–6 sequence area (ignored),
//! column 7 indicator (`*` `/` comment, `-` continuation, `D` debugging line:
//! ignored), columns 8–72 the text (areas A and B), 73–80 ignored. A column is one
//! byte of Shift_JIS: 1 for ASCII and 半角カナ, 2 for other characters (as a
//! Japanese COBOL editor counts them); a tab moves to the next multiple of 8.
//!
//! Free format (no sequence area, no column limits, `*>` comments) is read when a
//! `>>SOURCE FORMAT FREE` (or `$SET SOURCEFORMAT"FREE"`) directive says so, or when
//! no line has a sequence number (six digits in columns 1–6) and some line cannot
//! be fixed format: text past column 80, a word running from column 72 into 73, or
//! columns 1–7 that are not a sequence number and an indicator (a line starting
//! `01 NAME` or `  05 ITEM`). `>>SOURCE FORMAT FIXED` forces fixed format.
//!
//! In both formats a line whose first character other than a space is `*` in
//! columns 1–6 is a comment (a comment typed from column 1 instead of 7), and so
//! in free format is any line starting with `*` (`*>` included); `*>` also ends a
//! line anywhere outside a literal.

use crate::layout::import::Severity;

/// Something to report about a line of the copybook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub line: usize,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// A COBOL word, a number or a PICTURE string.
    Word(String),
    /// A literal: its text without quotes; `prefix` X, N, G, NX, Z… (upper case) or "".
    Lit { prefix: String, text: String },
    /// The separator period that ends an entry.
    Period,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub line: usize,
    pub tok: Tok,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub free: bool,
    pub tokens: Vec<Token>,
    /// The code text of each line (index = line − 1), "" for comments and blank lines.
    pub code: Vec<String>,
    pub notes: Vec<Note>,
}

/// The copybook's bytes as text: UTF-8 (BOM optional) or CP932 (Shift_JIS, as
/// Japanese COBOL sources are kept off the mainframe).
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(body) {
        return Ok(s.to_string());
    }
    // A copybook copied off the mainframe without conversion is EBCDIC: spaces
    // are 0x40, and there are no line ends.
    let ebcdic_spaces = body.iter().filter(|&&b| b == 0x40).count();
    if !body.contains(&b'\n') && ebcdic_spaces > body.len() / 8 {
        return Err(
            "the copybook looks like EBCDIC (spaces are 0x40, no line ends): transfer it from the \
             mainframe as text (converted to Shift_JIS or UTF-8, with line ends), then import that"
                .into(),
        );
    }
    let mut s = String::new();
    crate::decode::decode(crate::decode::Encoding::Cp932, body, &mut s).map_err(|e| {
        format!(
            "the copybook is neither UTF-8 nor Shift_JIS (CP932): byte {} is {}; save it as UTF-8 \
             or Shift_JIS text",
            e.offset + 1,
            e.hex()
        )
    })?;
    Ok(s)
}

/// Columns a character takes in fixed-format source (its bytes in Shift_JIS).
fn width(c: char) -> usize {
    if c.is_ascii() || ('\u{FF61}'..='\u{FF9F}').contains(&c) {
        1
    } else {
        2
    }
}

/// A line's characters with the column each starts in (1-based), tabs expanded.
fn columns(line: &str) -> Vec<(usize, char)> {
    let mut out = Vec::with_capacity(line.len());
    let mut col = 1usize;
    for c in line.chars() {
        if c == '\t' {
            let next = (col - 1) / 8 * 8 + 9;
            while col < next {
                out.push((col, ' '));
                col += 1;
            }
        } else {
            out.push((col, c));
            col = col.saturating_add(width(c));
        }
    }
    out
}

fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// A compiler directive line (`>>SOURCE …`, `$SET …`) and the format it sets.
fn directive(text: &str) -> Option<Option<bool>> {
    let t = text.trim_start();
    let upper = t.to_ascii_uppercase();
    if !(upper.starts_with(">>") || upper.starts_with("$SET")) {
        return None;
    }
    let squeezed: String = upper
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let format = if squeezed.contains("SOURCEFORMATISFREE")
        || squeezed.contains("SOURCEFORMATFREE")
        || squeezed.contains("SOURCEFORMATFREE")
        || squeezed.contains("SOURCEFREE")
    {
        Some(true)
    } else if squeezed.contains("SOURCEFORMATISFIXED")
        || squeezed.contains("SOURCEFORMATFIXED")
        || squeezed.contains("SOURCEFIXED")
    {
        Some(false)
    } else {
        None
    };
    Some(format)
}

/// A comment typed with `*` in columns 1–6 (not the indicator column).
fn early_comment(cols: &[(usize, char)]) -> bool {
    cols.iter()
        .find(|(_, ch)| !is_space(*ch))
        .is_some_and(|(c, ch)| *ch == '*' && *c <= 6)
}

/// Six digits in columns 1–6 and an indicator: a fixed-format line for sure.
fn sequence_number(cols: &[(usize, char)]) -> bool {
    let seq: Vec<char> = cols
        .iter()
        .filter(|(c, _)| *c <= 6)
        .map(|(_, ch)| *ch)
        .collect();
    let indicator = cols
        .iter()
        .find(|(c, _)| *c == 7)
        .map_or(' ', |(_, ch)| *ch);
    seq.len() == 6
        && seq.iter().all(char::is_ascii_digit)
        && matches!(indicator, ' ' | '*' | '/' | '-' | 'D' | 'd')
}

/// Whether a line rules out fixed format.
fn not_fixed(cols: &[(usize, char)]) -> bool {
    let seq: String = cols
        .iter()
        .filter(|(c, _)| *c <= 6)
        .map(|(_, ch)| ch)
        .collect();
    let seq_t = seq.trim_end();
    let seq_ok = seq_t.is_empty() || (!seq_t.starts_with(is_space) && !seq_t.contains(is_space));
    let indicator = cols
        .iter()
        .find(|(c, _)| *c == 7)
        .map_or(' ', |(_, ch)| *ch);
    let ind_ok = matches!(indicator, ' ' | '*' | '/' | '-' | 'D' | 'd');
    let past_80 = cols.iter().any(|(c, ch)| *c > 80 && !is_space(*ch));
    let at = |col: usize| cols.iter().find(|(c, _)| *c == col).map(|(_, ch)| *ch);
    let split_word = matches!((at(72), at(73)), (Some(a), Some(b)) if !is_space(a) && !is_space(b));
    !(seq_ok && ind_ok) || past_80 || split_word
}

/// One line of code: its text and how it joins the line before.
struct Code {
    number: usize,
    text: Vec<char>,
    /// Column-7 `-`: continues the previous code line.
    cont: bool,
    /// Spaces from the end of the text to column 72 (part of a continued literal).
    pad: usize,
}

/// Reads the copybook's text into tokens.
pub fn read(text: &str) -> Source {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut notes = Vec::new();
    // The format: a directive, else what the lines allow.
    let mut said = None;
    let mut free_seen = false;
    let mut numbered = false;
    for line in &lines {
        let cols = columns(line);
        let after_seq: String = cols
            .iter()
            .filter(|(c, _)| *c >= 7)
            .map(|(_, ch)| ch)
            .collect();
        if let Some(f) = directive(line).or_else(|| directive(&after_seq)) {
            if said.is_none() {
                said = f;
            }
            continue;
        }
        if line.trim().is_empty() || early_comment(&cols) {
            continue;
        }
        free_seen |= not_fixed(&cols);
        numbered |= sequence_number(&cols);
    }
    let free = said.unwrap_or(free_seen && !numbered);

    let mut code_lines: Vec<Code> = Vec::new();
    let mut code = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let number = i + 1;
        let cols = columns(line);
        let after_seq: String = cols
            .iter()
            .filter(|(c, _)| *c >= 7)
            .map(|(_, ch)| ch)
            .collect();
        code.push(String::new());
        if let Some(f) = directive(line).or_else(|| directive(&after_seq)) {
            if f.is_none() {
                notes.push(Note {
                    line: number,
                    severity: Severity::Info,
                    message: "コンパイラ指示の行は読みません".into(),
                });
            }
            continue;
        }
        if early_comment(&cols) {
            continue;
        }
        if free {
            let t: Vec<char> = cols.iter().map(|(_, c)| *c).collect();
            let s: String = t.iter().collect();
            let trimmed = s.trim();
            if trimmed.is_empty() || trimmed.starts_with('*') {
                continue;
            }
            code[i] = trimmed.to_string();
            code_lines.push(Code {
                number,
                text: t,
                cont: false,
                pad: 0,
            });
            continue;
        }
        let indicator = cols
            .iter()
            .find(|(c, _)| *c == 7)
            .map_or(' ', |(_, ch)| *ch);
        let mut area: Vec<(usize, char)> = cols
            .iter()
            .copied()
            .filter(|(c, _)| (8..=72).contains(c))
            .collect();
        while area.last().is_some_and(|(_, ch)| is_space(*ch)) {
            area.pop();
        }
        let cont = match indicator {
            '*' | '/' | 'D' | 'd' => continue,
            '-' => true,
            ' ' => false,
            other => {
                notes.push(Note {
                    line: number,
                    severity: Severity::Skipped,
                    message: format!(
                        "7桁目の「{other}」は標識（`*` `/` `-` `D` または空白）ではないため、この行を読みません"
                    ),
                });
                continue;
            }
        };
        if area.is_empty() {
            if cont {
                notes.push(Note {
                    line: number,
                    severity: Severity::Guessed,
                    message: "継続行（7桁目 `-`）に続ける文字がありません".into(),
                });
            }
            continue;
        }
        let end = area
            .last()
            .map_or(8, |(c, ch)| c.saturating_add(width(*ch)));
        let text: Vec<char> = area.iter().map(|(_, c)| *c).collect();
        code[i] = text.iter().collect::<String>().trim().to_string();
        code_lines.push(Code {
            number,
            text,
            cont,
            pad: 73usize.saturating_sub(end),
        });
    }
    let tokens = tokenize(&code_lines, &mut notes);
    Source {
        free,
        tokens,
        code,
        notes,
    }
}

/// A literal being read, perhaps across continuation lines.
struct OpenLit {
    quote: char,
    prefix: String,
    text: String,
    line: usize,
}

fn tokenize(lines: &[Code], notes: &mut Vec<Note>) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word: Option<(String, usize)> = None;
    let mut lit: Option<OpenLit> = None;
    let end_word = |word: &mut Option<(String, usize)>, tokens: &mut Vec<Token>| {
        if let Some((w, line)) = word.take() {
            tokens.push(Token {
                line,
                tok: Tok::Word(w),
            });
        }
    };
    let end_lit = |l: OpenLit, tokens: &mut Vec<Token>| {
        tokens.push(Token {
            line: l.line,
            tok: Tok::Lit {
                prefix: l.prefix,
                text: l.text,
            },
        });
    };
    for (idx, line) in lines.iter().enumerate() {
        let next_cont = lines.get(idx + 1).is_some_and(|l| l.cont);
        let t = &line.text;
        let mut i = 0;
        if line.cont {
            while i < t.len() && is_space(t[i]) {
                i += 1;
            }
            if let Some(l) = &lit {
                if t.get(i) == Some(&l.quote) || matches!(t.get(i), Some('"' | '\'')) {
                    i += 1;
                } else if let Some(l) = lit.take() {
                    notes.push(Note {
                        line: line.number,
                        severity: Severity::Guessed,
                        message: "続く文字定数の継続行は引用符で始めます。前の行の文字定数はそこで終わりとしました"
                            .into(),
                    });
                    end_lit(l, &mut tokens);
                }
            }
        }
        while i < t.len() {
            let c = t[i];
            if let Some(l) = &mut lit {
                if c == l.quote {
                    if t.get(i + 1) == Some(&l.quote) {
                        l.text.push(c);
                        i += 2;
                        continue;
                    }
                    if let Some(l) = lit.take() {
                        end_lit(l, &mut tokens);
                    }
                } else {
                    l.text.push(c);
                }
                i += 1;
                continue;
            }
            let next = t.get(i + 1).copied();
            let sep_follows = next.is_none_or(is_space);
            match c {
                c if is_space(c) => end_word(&mut word, &mut tokens),
                '*' if next == Some('>') => {
                    end_word(&mut word, &mut tokens);
                    break;
                }
                '.' if sep_follows => {
                    end_word(&mut word, &mut tokens);
                    tokens.push(Token {
                        line: line.number,
                        tok: Tok::Period,
                    });
                }
                ',' | ';' if sep_follows => end_word(&mut word, &mut tokens),
                '"' | '\'' => {
                    // X"…", N"…", G"…", NX"…": the letters before the quote are its prefix.
                    let prefix = match &word {
                        Some((w, _))
                            if matches!(
                                w.to_ascii_uppercase().as_str(),
                                "X" | "N" | "G" | "NX" | "Z" | "U" | "B" | "BX" | "NC"
                            ) =>
                        {
                            word.take().map(|(w, _)| w.to_ascii_uppercase())
                        }
                        _ => None,
                    };
                    end_word(&mut word, &mut tokens);
                    lit = Some(OpenLit {
                        quote: c,
                        prefix: prefix.unwrap_or_default(),
                        text: String::new(),
                        line: line.number,
                    });
                }
                c => match &mut word {
                    Some((w, _)) => w.push(c),
                    None => word = Some((c.to_string(), line.number)),
                },
            }
            i += 1;
        }
        // The end of the line ends a word or a literal, unless the next line continues it.
        if let Some(l) = &mut lit {
            if next_cont {
                l.text.extend(std::iter::repeat_n(' ', line.pad));
            } else if let Some(l) = lit.take() {
                notes.push(Note {
                    line: l.line,
                    severity: Severity::Guessed,
                    message: "文字定数の引用符が閉じていないため、行の終わりまでとしました".into(),
                });
                end_lit(l, &mut tokens);
            }
        } else if !next_cont {
            end_word(&mut word, &mut tokens);
        }
    }
    end_word(&mut word, &mut tokens);
    if let Some(l) = lit.take() {
        end_lit(l, &mut tokens);
    }
    tokens
}
