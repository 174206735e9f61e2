//! `ikou reconcile`'s value parsers: exact decimals (`--sum`) and the comparison
//! of two item values (`form::compare`).
//!
//! Input: the old and the new value, separated by the first NUL (UTF-8, invalid
//! bytes replaced). Checks: no panic; a parsed decimal writes back as the same
//! amount; the sum of two amounts is exact (a + b − b = a, when it fits);
//! `compare` says Equal exactly for equal values, and gives the same kind (and
//! the same rules) whichever side a value is on.
#![no_main]

use ikou::reconcile::decimal::Decimal;
use ikou::reconcile::form::{Outcome, compare};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&x| x == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    for s in [&a, &b] {
        if let Ok(Some(d)) = Decimal::parse(s) {
            let back = Decimal::parse(&d.to_string())
                .expect("a written decimal parses")
                .expect("not empty");
            assert!(back.same_amount(d), "{s:?} → {d}");
        }
    }
    if let (Ok(Some(x)), Ok(Some(y))) = (Decimal::parse(&a), Decimal::parse(&b))
        && let Ok(sum) = x.checked_add(y)
    {
        let neg = Decimal::parse(&format!("-{y}").replace("--", "")).ok().flatten();
        if let Some(neg) = neg
            && let Ok(back) = sum.checked_add(neg)
        {
            assert!(back.same_amount(x), "{x} + {y} - {y} = {back}");
        }
    }
    let ab = compare(&a, &b);
    assert_eq!(ab == Outcome::Equal, a == b, "{a:?} {b:?}");
    assert_eq!(ab, compare(&b, &a), "{a:?} {b:?}");
});
