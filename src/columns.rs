//! Aligned text columns for the tables ikou prints in a terminal (`ikou layouts`,
//! `ikou profile`): East Asian wide characters take two columns, as a terminal
//! shows them.

/// Terminal columns of `s`: 2 for East Asian wide and full-width characters (and the
/// private-use 外字, which fonts draw as kanji), 0 for variation selectors and
/// combining marks, 1 for the rest.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xE000..=0xF8FF
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            0xE0100..=0xE01EF | 0xFE00..=0xFE0F | 0x0300..=0x036F => 0,
            _ => 1,
        })
        .sum()
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
    }

    #[test]
    fn columns_line_up() {
        let mut out = String::new();
        let rows: [&[&str]; 2] = [&["名前", "n", "x"], &["a", "123", ""]];
        aligned(&mut out, &rows, |i| i == 1, "  ");
        assert_eq!(out, "  名前    n  x\n  a     123\n");
    }
}
