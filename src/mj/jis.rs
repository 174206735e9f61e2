//! JIS X 0213 code positions (面-区-点) and whether a position is also in JIS X 0208.
//!
//! The MJ tables give JIS X 0213 positions as text (`1-01-25`); systems limited to
//! JIS X 0213 (中間サーバー, 住基ネット) need to know the position, and a writer in
//! plain Shift_JIS/EUC-JP needs to know whether the position exists in JIS X 0208,
//! the older set that those encodings carry.

use std::fmt;

/// A JIS X 0213 position: 面 (plane 1 or 2), 区 (row 1–94), 点 (cell 1–94).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct X0213 {
    pub plane: u8,
    pub row: u8,
    pub cell: u8,
}

impl X0213 {
    /// Parses the notation of the MJ tables, `面-区-点` (`1-01-25`; leading zeros optional).
    pub fn parse(s: &str) -> Option<X0213> {
        let mut it = s.split('-');
        let plane = small_number(it.next()?)?;
        let row = small_number(it.next()?)?;
        let cell = small_number(it.next()?)?;
        if it.next().is_some() || !(1..=2).contains(&plane) {
            return None;
        }
        if !(1..=94).contains(&row) || !(1..=94).contains(&cell) {
            return None;
        }
        Some(X0213 { plane, row, cell })
    }

    /// True when this position is also a character of JIS X 0208 (plane 1 only), so
    /// plain Shift_JIS, CP932 and EUC-JP can carry it; false when only Shift_JIS-2004 /
    /// EUC-JIS-2004 (or UTF-8) can. CP932 adds its NEC/IBM extension kanji on top of
    /// JIS X 0208; those are not counted here.
    pub fn in_jis_x0208(self) -> bool {
        if self.plane != 1 {
            return false;
        }
        let c = self.cell;
        match self.row {
            1 => true,
            2 => {
                matches!(c, 1..=14 | 26..=33 | 42..=48 | 60..=74 | 82..=89 | 94)
            }
            3 => matches!(c, 16..=25 | 33..=58 | 65..=90),
            4 => c <= 83,
            5 => c <= 86,
            6 => matches!(c, 1..=24 | 33..=56),
            7 => matches!(c, 1..=33 | 49..=81),
            8 => c <= 32,
            16..=46 | 48..=83 => true,
            47 => c <= 51,
            84 => c <= 6,
            _ => false,
        }
    }
}

/// Written as in the MJ tables: `1-01-25`.
impl fmt::Display for X0213 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}-{:02}", self.plane, self.row, self.cell)
    }
}

fn small_number(s: &str) -> Option<u8> {
    if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        let x = X0213::parse("1-01-25").unwrap();
        assert_eq!(
            x,
            X0213 {
                plane: 1,
                row: 1,
                cell: 25
            }
        );
        assert_eq!(x.to_string(), "1-01-25");
        assert_eq!(X0213::parse("2-94-86").unwrap().to_string(), "2-94-86");
        for bad in [
            "",
            "1-01",
            "3-01-01",
            "1-00-01",
            "1-95-01",
            "1-01-01-1",
            "1-a-01",
            "1-001-1",
        ] {
            assert_eq!(X0213::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn jis_x0208_cells() {
        let p = |s| X0213::parse(s).unwrap().in_jis_x0208();
        assert!(p("1-16-01")); // 亜
        assert!(p("1-84-06")); // 熙
        assert!(!p("1-84-07"));
        assert!(p("1-47-51"));
        assert!(!p("1-47-52"));
        assert!(!p("1-14-01"));
        assert!(!p("2-01-01"));
        assert!(!p("1-02-15"));
    }
}
