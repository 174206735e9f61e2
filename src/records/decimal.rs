//! Exact decimal numbers for trailer sums: a trailer's 税額合計 is compared
//! with the sum of the data records' 税額 digit for digit, never through a float.

use std::cmp::Ordering;
use std::fmt;

/// `units × 10^-scale`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Decimal {
    units: i128,
    scale: u32,
}

/// The most digits after the point (and the most digits in all, within i128).
const MAX_SCALE: u32 = 18;
const MAX_DIGITS: usize = 36;

impl Decimal {
    pub const ZERO: Decimal = Decimal { units: 0, scale: 0 };

    /// Reads `[+-]digits[.digits]` (ASCII, as cleansing writes a number; spaces
    /// around it allowed). An empty value is zero. None: not such a number, or
    /// more digits than a sum can hold.
    pub fn parse(s: &str) -> Option<Decimal> {
        let s = s.trim_matches(' ');
        if s.is_empty() {
            return Some(Decimal::ZERO);
        }
        let (negative, rest) = match s.as_bytes()[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = match rest.split_once('.') {
            Some((i, f)) => (i, f),
            None => (rest, ""),
        };
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !all_digits(int) || !all_digits(frac) {
            return None;
        }
        if frac.len() > MAX_SCALE as usize || int.len() + frac.len() > MAX_DIGITS {
            return None;
        }
        let mut units: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            units = units.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        Some(Decimal {
            units: if negative { -units } else { units },
            scale: frac.len() as u32,
        })
    }

    /// Both at the larger scale; None if that does not fit.
    fn aligned(self, other: Decimal) -> Option<(i128, i128, u32)> {
        let scale = self.scale.max(other.scale);
        let up = |d: Decimal| d.units.checked_mul(10i128.checked_pow(scale - d.scale)?);
        Some((up(self)?, up(other)?, scale))
    }

    /// The exact sum; None when it does not fit.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let (a, b, scale) = self.aligned(other)?;
        Some(Decimal {
            units: a.checked_add(b)?,
            scale,
        })
    }

    /// Equal in value (`1.50` = `1.5` = `+1.5`); None when they cannot be compared.
    pub fn cmp_value(self, other: Decimal) -> Option<Ordering> {
        let (a, b, _) = self.aligned(other)?;
        Some(a.cmp(&b))
    }
}

impl fmt::Display for Decimal {
    /// The plain form: `-1234.50` (the scale kept, no leading zeros).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.units.unsigned_abs().to_string();
        let sign = if self.units < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn parses_and_prints_exactly() {
        for (s, shown) in [
            ("0", "0"),
            ("007", "7"),
            ("-12.50", "-12.50"),
            ("+0.05", "0.05"),
            (" 3 ", "3"),
            ("", "0"),
        ] {
            assert_eq!(d(s).to_string(), shown, "{s:?}");
        }
        for bad in ["1,000", "1.2.3", "-", ".5", "１", "1e3", &"9".repeat(40)] {
            assert!(Decimal::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn sums_are_exact_where_floats_are_not() {
        // 0.1 + 0.2 = 0.3 exactly (a float gives 0.30000000000000004).
        let s = d("0.1").checked_add(d("0.2")).unwrap();
        assert_eq!(s.cmp_value(d("0.30")), Some(Ordering::Equal));
        assert_eq!(s.to_string(), "0.3");
        let mut total = Decimal::ZERO;
        for _ in 0..1000 {
            total = total.checked_add(d("12345.67")).unwrap();
        }
        assert_eq!(total.to_string(), "12345670.00");
        assert_eq!(d("-1").cmp_value(d("0")), Some(Ordering::Less));
        let big = d(&"9".repeat(36));
        assert!(big.checked_add(big).is_some());
        let huge = Decimal {
            units: i128::MAX,
            scale: 0,
        };
        assert!(huge.checked_add(d("1")).is_none());
        assert!(huge.checked_add(d("0.1")).is_none(), "rescaling overflows");
    }
}
