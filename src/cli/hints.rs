//! What to run next: the commands ikou suggests when a command ends, written so they
//! can be pasted into a shell as they are.

use std::path::Path;

/// `s` as one shell word: as it is when it holds only safe characters, else in
/// single quotes (a `'` inside written as `'\''`).
pub fn shell_word(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || "-_./:+=,@%".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

pub fn path_word(p: &Path) -> String {
    shell_word(&p.to_string_lossy())
}

/// A command line from its words, each already quoted.
pub fn command(words: &[String]) -> String {
    words.join(" ")
}

/// `ikou profile … --worklist FILE INPUTS` for the run described by the arguments:
/// the same layout, encoding, 外字 tables and map flags (`map`, already words).
pub fn profile_worklist(
    layout: &str,
    encoding: &str,
    gaiji: &[std::path::PathBuf],
    map: &[String],
    worklist: &str,
    inputs: &[std::path::PathBuf],
) -> String {
    let mut w = vec![
        "ikou".to_string(),
        "profile".into(),
        "--layout".into(),
        shell_word(layout),
        "--encoding".into(),
        shell_word(encoding),
    ];
    for g in gaiji {
        w.push("--gaiji".into());
        w.push(path_word(g));
    }
    w.extend(map.iter().cloned());
    w.push("--worklist".into());
    w.push(shell_word(worklist));
    w.extend(inputs.iter().map(|p| path_word(p)));
    command(&w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("testdata/a.csv"), "testdata/a.csv");
        assert_eq!(shell_word("住民 記録.csv"), "'住民 記録.csv'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("$HOME"), "'$HOME'");
    }
}
