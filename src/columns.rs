//! Aligned text columns for the tables ikou prints in a terminal (`ikou layouts`,
//! `ikou profile`): East Asian wide characters take two columns, as a terminal
//! shows them.

/// Terminal columns of `s`, by Unicode's East Asian Width (the `unicode-width`
/// crate): 2 for wide and full-width characters, 0 for variation selectors and
/// combining marks. Private-use characters (外字) count 2: fonts draw them as kanji,
/// though Unicode calls their width ambiguous.
pub fn display_width(s: &str) -> usize {
    use unicode_width::UnicodeWidthStr;
    // Each private-use character is 1 in `width()`; one more makes it 2.
    s.width() + s.chars().filter(|&c| is_private_use(c)).count()
}

fn is_private_use(c: char) -> bool {
    matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}')
}

/// Appends `rows` as lines of cells padded to the widest cell of their column, two
/// spaces apart, each line after `indent`; `right(i)`: right-align column i.
/// Trailing spaces are not written.
pub fn aligned<S: AsRef<str>>(
    out: &mut String,
    rows: &[&[S]],
    right: impl Fn(usize) -> bool,
    indent: &str,
) {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let w = display_width(cell.as_ref());
            match widths.get_mut(i) {
                Some(m) => *m = (*m).max(w),
                None => widths.push(w),
            }
        }
    }
    for row in rows {
        let mut line = String::from(indent);
        for (i, cell) in row.iter().enumerate() {
            let cell = cell.as_ref();
            let pad = " ".repeat(widths[i] - display_width(cell));
            if i > 0 {
                line.push_str("  ");
            }
            if right(i) {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&pad);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(display_width("ab"), 2);
        assert_eq!(display_width("宛名番号"), 8);
        assert_eq!(display_width("ｱｲ"), 2);
        assert_eq!(display_width("\u{20BB7}"), 2);
        assert_eq!(display_width("葛\u{E0102}"), 2);
        assert_eq!(
            display_width("\u{E000}\u{F8FF}"),
            4,
            "外字 are drawn as kanji"
        );
        assert_eq!(display_width("ｶﾞ"), 2, "half-width kana and voiced mark");
        assert_eq!(display_width("か\u{3099}"), 2, "combining voiced mark");
        assert_eq!(display_width("①Ω"), 2, "ambiguous width counts 1");
    }

    #[test]
    fn columns_line_up() {
        let mut out = String::new();
        let rows: [&[&str]; 2] = [&["名前", "n", "x"], &["a", "123", ""]];
        aligned(&mut out, &rows, |i| i == 1, "  ");
        assert_eq!(out, "  名前    n  x\n  a     123\n");
    }
}
