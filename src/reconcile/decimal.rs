//! Exact decimal totals for `--sum` (金額は丸めない): an i128 of units at a scale,
//! checked arithmetic only, no floating point anywhere.

use std::fmt;

/// The most digits after the point a total keeps (more is refused, never rounded).
pub const MAX_SCALE: u32 = 18;

/// `units / 10^scale`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Decimal {
    units: i128,
    scale: u32,
}

/// Why a value cannot be summed.
#[derive(Debug, PartialEq, Eq)]
pub enum DecimalError {
    NotANumber,
    TooManyDecimals,
    Overflow,
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecimalError::NotANumber => "is not a decimal number ([sign] digits [. digits])",
            DecimalError::TooManyDecimals => "has more than 18 digits after the decimal point",
            DecimalError::Overflow => "makes the total larger than 38 digits",
        })
    }
}

fn pow10(n: u32) -> Result<i128, DecimalError> {
    10i128.checked_pow(n).ok_or(DecimalError::Overflow)
}

impl Decimal {
    /// `[+-]digits[.digits]` as convert writes number, packed, zoned and digits
    /// items (ASCII after cleansing). An empty value is None (not summed).
    pub fn parse(s: &str) -> Result<Option<Decimal>, DecimalError> {
        if s.is_empty() {
            return Ok(None);
        }
        let (neg, body) = match s.as_bytes()[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) {
            return Err(DecimalError::NotANumber);
        }
        let scale = u32::try_from(frac.len()).map_err(|_| DecimalError::TooManyDecimals)?;
        if scale > MAX_SCALE {
            return Err(DecimalError::TooManyDecimals);
        }
        let mut units: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            units = units
                .checked_mul(10)
                .and_then(|u| u.checked_add(i128::from(b - b'0')))
                .ok_or(DecimalError::Overflow)?;
        }
        Ok(Some(Decimal {
            units: if neg { -units } else { units },
            scale,
        }))
    }

    /// The exact sum.
    pub fn checked_add(self, other: Decimal) -> Result<Decimal, DecimalError> {
        let scale = self.scale.max(other.scale);
        let a = self
            .units
            .checked_mul(pow10(scale - self.scale)?)
            .ok_or(DecimalError::Overflow)?;
        let b = other
            .units
            .checked_mul(pow10(scale - other.scale)?)
            .ok_or(DecimalError::Overflow)?;
        Ok(Decimal {
            units: a.checked_add(b).ok_or(DecimalError::Overflow)?,
            scale,
        })
    }

    /// Zero at the larger scale of the two (to write both alike).
    pub fn zero_like(self, other: Decimal) -> Decimal {
        Decimal {
            units: 0,
            scale: self.scale.max(other.scale),
        }
    }

    /// Equal amounts (1.50 = 1.5).
    pub fn same_amount(self, other: Decimal) -> bool {
        let scale = self.scale.max(other.scale);
        let lift = |d: Decimal| {
            pow10(scale - d.scale)
                .ok()
                .and_then(|p| d.units.checked_mul(p))
        };
        match (lift(self), lift(other)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

/// Every digit: `-1234.50` (the scale is the most digits after the point a
/// summed value had).
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.units.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if self.units < 0 {
            f.write_str("-")?;
        }
        if scale == 0 {
            return f.write_str(&digits);
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (i, d) = padded.split_at(padded.len() - scale);
        write!(f, "{i}.{d}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap().unwrap()
    }

    #[test]
    fn sums_are_exact_at_the_largest_scale() {
        let mut t = Decimal::default();
        for v in ["0.1", "0.2", "-0.3", "1000000000000000000.05", "+7"] {
            t = t.checked_add(d(v)).unwrap();
        }
        assert_eq!(t.to_string(), "1000000000000000007.05");
        assert_eq!(d("-0.05").to_string(), "-0.05");
        assert_eq!(d("-12").to_string(), "-12");
        assert_eq!(d("007").to_string(), "7");
        assert!(d("1.50").same_amount(d("1.5")));
        assert!(!d("1.51").same_amount(d("1.5")));
    }

    #[test]
    fn bad_values_and_overflow_are_refused() {
        assert_eq!(Decimal::parse(""), Ok(None));
        for bad in ["-", ".5", "1.2.3", "1e5", "１", "1,000", " 1"] {
            assert_eq!(Decimal::parse(bad), Err(DecimalError::NotANumber), "{bad}");
        }
        assert_eq!(
            Decimal::parse("0.1234567890123456789"),
            Err(DecimalError::TooManyDecimals)
        );
        let big = d(&"9".repeat(38));
        assert_eq!(big.checked_add(big), Err(DecimalError::Overflow));
        assert_eq!(
            d("1")
                .checked_add(d(&format!("0.{}", "1".repeat(18))))
                .map(|x| x.to_string()),
            Ok(format!("1.{}", "1".repeat(18)))
        );
        assert_eq!(Decimal::parse(&"9".repeat(39)), Err(DecimalError::Overflow));
    }
}
