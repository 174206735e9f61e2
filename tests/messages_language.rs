//! One language per message: no string literal in src/ holds both a Japanese
//! sentence part and an English sentence part.
//!
//! The policy: what a clerk reads (report.html, reject reasons, work list comments)
//! is Japanese; ikou's own stderr/stdout messages are English. An English message that
//! carries a Japanese reason keeps it apart (`…: reason: 「…」`), never inside its
//! sentence. Japanese terms (外字, 中間標準レイアウト), item names and file names are
//! data and may stand anywhere: a term alone is not a Japanese sentence part.
//!
//! The scan covers every string literal in src/**/*.rs outside `#[cfg(test)]` code.

use std::path::{Path, PathBuf};

/// Literals allowed to mix, as (file, a part of the literal, why). Keep it short.
const EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "src/layout/import/mod.rs",
    "ikou layout import で",
    "a Japanese note for clerks (in the layout file) naming the command that wrote it",
)];

/// Japanese names holding hiragana (column names of the MJ tables, header names a
/// layout sheet may use): they are terms, not a Japanese sentence part.
const TERMS: &[&str] = &[
    "実装したMoji_JohoコレクションIVS",
    "実装したUCS",
    "対応するUCS",
    "長さ",
];

/// Words that are names, not English: they do not make an English sentence part.
const TECHNICAL: &[&str] = &[
    "JIS", "X", "CSV", "TSV", "TOML", "UTF", "BOM", "CRLF", "LF", "CR", "IVS", "PUA", "MJ", "SHA",
    "EUC", "JP", "CP", "NUL", "EOF", "HTML", "JSON", "OK", "FAIL", "U", "J", "KOSEKI",
];

fn is_hiragana(c: char) -> bool {
    ('\u{3041}'..='\u{309F}').contains(&c)
}

fn is_kanji(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// Hiragana, or Japanese sentence punctuation with kanji.
fn japanese_sentence(s: &str) -> bool {
    let mut s = s.to_string();
    for t in TERMS {
        s = s.replace(t, " ");
    }
    s.chars().any(is_hiragana) || (s.contains(['。', '、']) && s.chars().any(is_kanji))
}

/// `s` with what is not prose removed: `{…}` placeholders, `` `…` `` code spans,
/// `--option` names, and words holding a digit, `+`, `_`, `-`, `.` or `/`
/// (`U+E000`, `MJ012345`, `utf-8`, `record_length`, `manifest.json`).
fn prose(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                }
                out.push(' ');
            }
            '`' => {
                for d in chars.by_ref() {
                    if d == '`' {
                        break;
                    }
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out.split(|c: char| c.is_whitespace())
        .map(|w| {
            let w = w.trim_matches(|c: char| ",;:()[]\"'!?«»".contains(c));
            let token = w.starts_with('-')
                || w.chars()
                    .any(|c| c.is_ascii_digit() || "+_-./=<>|\\".contains(c));
            if token { "" } else { w }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Two or more consecutive English words (letters only, not a technical name).
fn english_sentence(s: &str) -> bool {
    let mut run = 0;
    for w in prose(s).split(' ') {
        let word =
            !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic()) && !TECHNICAL.contains(&w);
        if word {
            run += 1;
            if run >= 2 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// The string literals of Rust source `src` (normal and raw; byte strings too),
/// each with its line, skipping comments, char literals and `#[cfg(test)]` items.
fn literals(src: &str) -> Vec<(usize, String)> {
    // Tests sit in `#[cfg(test)] mod tests` at the end of a file.
    let src = match src.find("#[cfg(test)]") {
        Some(i) => &src[..i],
        None => src,
    };
    let b: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0usize, 1usize);
    let at = |i: usize| b.get(i).copied().unwrap_or('\0');
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            i += 2;
            while i < b.len() && !(b[i] == '*' && at(i + 1) == '/') {
                if b[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                i += 2;
                while i < b.len() && b[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if (c == 'r' || (c == 'b' && at(i + 1) == 'r'))
            && !at(i.wrapping_sub(1)).is_alphanumeric()
            && i > 0
            && {
                let mut j = i + if c == 'b' { 2 } else { 1 };
                while at(j) == '#' {
                    j += 1;
                }
                at(j) == '"'
            }
        {
            let mut j = i + if c == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            let (start, start_line) = (j, line);
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                    break;
                }
                if b[j] == '\n' {
                    line += 1;
                }
                j += 1;
            }
            out.push((start_line, b[start..j.min(b.len())].iter().collect()));
            i = j + 1 + hashes;
        } else if c == '"' {
            let (start_line, mut text) = (line, String::new());
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    if at(i + 1) == '\n' {
                        line += 1;
                    }
                    text.push(' ');
                    i += 2;
                    continue;
                }
                if b[i] == '\n' {
                    line += 1;
                }
                text.push(b[i]);
                i += 1;
            }
            i += 1;
            out.push((start_line, text));
        } else {
            i += 1;
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The mixed literals under `root`/src, as `file:line: literal`.
fn mixed(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut found = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(root)
            .expect("under the root")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&f).expect("source is UTF-8");
        for (line, lit) in literals(&text) {
            if !(japanese_sentence(&lit) && english_sentence(&lit)) {
                continue;
            }
            let excepted = EXCEPTIONS
                .iter()
                .any(|(file, part, _)| *file == rel && lit.contains(part));
            if !excepted {
                found.push(format!("{rel}:{line}: {lit}"));
            }
        }
    }
    found
}

#[test]
fn no_message_mixes_japanese_and_english() {
    let found = mixed(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(
        found.is_empty(),
        "{} string literals mix a Japanese and an English sentence part; \
         keep one language per message (a Japanese reason stands apart, as `reason: 「…」`):\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn every_exception_still_matches_a_literal() {
    // An exception nobody needs any more should be removed, not kept.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, part, _) in EXCEPTIONS {
        let text = std::fs::read_to_string(root.join(file)).expect("excepted file exists");
        assert!(
            literals(&text)
                .iter()
                .any(|(_, l)| l.contains(part) && japanese_sentence(l) && english_sentence(l)),
            "{file}: no mixed literal holds {part:?}: remove the exception"
        );
    }
}

#[test]
fn the_detector_tells_the_languages_apart() {
    assert!(japanese_sentence("項目数が{}です"));
    assert!(japanese_sentence("外字、漢字"));
    assert!(!japanese_sentence("unmapped 外字"));
    assert!(english_sentence("no such file"));
    assert!(!english_sentence("--unmapped reject"));
    assert!(!english_sentence("U+E000 MJ012345"));
    assert!(!english_sentence("JIS X 0208"));
    assert!(!english_sentence("`ikou profile`"));
    let mixed = "{}: 読めません。Nothing was published";
    assert!(japanese_sentence(mixed) && english_sentence(mixed));
    let apart = "{path}: reason: 「{why}」";
    assert!(!english_sentence(apart) || !japanese_sentence(apart));
    let lits = literals("let a = \"x\"; // \"no\"\nlet c = 'a'; let r = r#\"raw \"q\" \"#;");
    assert_eq!(
        lits.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>(),
        ["x", "raw \"q\" "]
    );
}

/// Lines of ikou's output allowed to mix for now, as (a part of the line, why).
const RUNTIME_EXCEPTIONS: &[(&str, &str)] = &[];

/// `line` with its quoted parts (`「…」`) removed: a Japanese reason set apart.
fn unquoted(line: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in line.chars() {
        match c {
            '「' => depth += 1,
            '」' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The lines of `text` that mix the languages outside quotes: a Japanese sentence
/// with an English one, or after an English `error:`/`warning:` label.
fn mixed_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            let u = unquoted(l);
            let label = u.contains("error:") || u.contains("warning:");
            japanese_sentence(&u) && (english_sentence(&u) || label)
        })
        .filter(|l| !RUNTIME_EXCEPTIONS.iter().any(|(part, _)| l.contains(part)))
        .map(str::to_string)
        .collect()
}

fn ikou(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ikou"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("ikou runs");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

/// Messages that carry a Japanese reason (from the MJ tables, a reject) keep it
/// apart from their English sentence.
#[test]
fn japanese_reasons_stand_apart_in_english_messages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = dir.path().join("t.tsv");
    std::fs::write(&table, "U+E000\tMJ999999\n").expect("write table");
    let out = dir.path().join("out");
    let outs = [
        // unknown-target: the MJ database's reason.
        ikou(&["mappings", "check", table.to_str().expect("utf-8")]),
        // no-jis-form, in mappings check and as a warning of convert.
        ikou(&[
            "mappings",
            "check",
            "--ivs",
            "never",
            "testdata/corpus/gaiji/vendor-a.tsv",
        ]),
        ikou(&[
            "convert",
            "--layout",
            "testdata/corpus/layouts/kojin.toml",
            "--gaiji",
            "testdata/corpus/gaiji/vendor-a.tsv",
            "--ivs",
            "never",
            "--out",
            out.to_str().expect("utf-8"),
            "testdata/corpus/input/kojin_sjis.csv",
        ]),
        // A stopped run: the reject's reason.
        ikou(&[
            "convert",
            "--layout",
            "testdata/corpus/layouts/kojin.toml",
            "--unmapped",
            "fail",
            "--out",
            dir.path().join("stopped").to_str().expect("utf-8"),
            "testdata/corpus/input/kojin_sjis.csv",
        ]),
        ikou(&[
            "profile",
            "--layout",
            "testdata/corpus/layouts/kojin.toml",
            "testdata/corpus/input/kojin_sjis.csv",
        ]),
    ];
    let all = outs.join("");
    assert!(all.contains("MJ999999"), "{all}");
    assert!(all.contains("no-jis-form"), "{all}");
    let found = mixed_lines(&all);
    assert!(
        found.is_empty(),
        "lines mixing Japanese and English outside 「…」:\n{}",
        found.join("\n")
    );
}
