//! `date` items: 8-digit 西暦 (YYYYMMDD) checked, or 和暦 (era code + YYMMDD)
//! converted to it. Gregorian calendar, no date library: the rules are few and
//! must be exactly these.
//!
//! Decisions (the issue is silent on these):
//! - A value of only zeros (00000000, 0000000, ０…) is the legacy way of writing "no
//!   date" in fixed-length exports: it becomes empty, counted as `zero-date-to-empty`,
//!   and the caller's `required` check decides. Partly unknown dates (month or day
//!   00, 生年月日の一部不詳) are refused as `invalid-date`: they need their own
//!   layout support.
//! - 西暦 dates are not checked against eras or the lunar calendar: the source
//!   already chose 西暦. Year 0000 is refused.
//! - Era codes: the prefix before the last 6 digits, 全角数字 made ASCII. If it is
//!   not in the table but is all digits, a table code with the same number is used
//!   ("01" ≡ "1"): 年号コード is 2 digits in the layout and 1 digit in 既存住基.
//!   Letters are compared exactly (case matters).
//! - 明治1–5年 are lunar (天保暦) dates: `meiji-lunar-calendar` once the month is
//!   1–12 and the day 1–30 (a lunar month has at most 30 days), never converted.
//! - Checks, in order: digits and length, era code, year 00, month, day (in the
//!   Gregorian year; lunar for 明治1–5年), then the era's period.

use super::{Applied, Fail, Rule, digits::fullwidth_digit};
use crate::layout::KNOWN_ERAS;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Era {
    Meiji,
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

impl Era {
    const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    fn from_name(name: &str) -> Option<Era> {
        let i = KNOWN_ERAS.iter().position(|&n| n == name)?;
        Era::ALL.get(i).copied()
    }

    /// First day (Gregorian, YYYYMMDD). 明治: 明治元年1月1日 (lunar) = 1868-01-25.
    fn start(self) -> u32 {
        match self {
            Era::Meiji => 18680125,
            Era::Taisho => 19120730,
            Era::Showa => 19261225,
            Era::Heisei => 19890108,
            Era::Reiwa => 20190501,
        }
    }

    fn first_year(self) -> u32 {
        self.start() / 10000
    }

    fn next(self) -> Option<Era> {
        Era::ALL.get(self as usize + 1).copied()
    }
}

/// Era code → era, from the layout's `eras` (default "1"–"5" = 明治…令和).
#[derive(Debug, Clone)]
pub(super) struct EraTable(Vec<(Box<str>, Era)>);

impl EraTable {
    pub(super) fn new(eras: Option<&BTreeMap<String, String>>) -> Result<EraTable, String> {
        let Some(eras) = eras else {
            return Ok(EraTable(
                Era::ALL
                    .iter()
                    .enumerate()
                    .map(|(i, &e)| ((i + 1).to_string().into(), e))
                    .collect(),
            ));
        };
        let mut table = Vec::with_capacity(eras.len());
        for (code, name) in eras {
            let era = Era::from_name(name).ok_or_else(|| {
                format!(
                    "eras: code {code:?} names {name:?}; the known eras are {}",
                    KNOWN_ERAS.join(", ")
                )
            })?;
            if !super::digits::is_clean_code(code) {
                return Err(format!(
                    "eras: code {code:?} can never match: write era codes without spaces \
                     and with ASCII digits (全角数字 in the data are converted)"
                ));
            }
            table.push((code.as_str().into(), era));
        }
        Ok(EraTable(table))
    }

    fn get(&self, code: &str) -> Option<Era> {
        if let Some((_, e)) = self.0.iter().find(|(c, _)| c.as_ref() == code) {
            return Some(*e);
        }
        let number = |s: &str| -> Option<u32> {
            if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let n = number(code)?;
        self.0
            .iter()
            .find(|(c, _)| number(c) == Some(n))
            .map(|(_, e)| *e)
    }
}

#[derive(Debug, Clone)]
pub(super) enum DateRule {
    Seireki,
    Wareki(EraTable),
}

fn is_leap(y: u32) -> bool {
    y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const INVALID: &str = "invalid-date";

/// The digit value of an ASCII or 全角 digit.
#[inline]
fn digit(c: char, applied: &mut Applied) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - '0' as u32);
    }
    let d = fullwidth_digit(c)?;
    applied.set(Rule::FullwidthDigit);
    Some(u32::from(d - b'0'))
}

/// Decimal digits as one number.
fn number(d: &[u32]) -> u32 {
    d.iter().fold(0, |n, &x| n * 10 + x)
}

fn push_date(out: &mut String, ymd: u32) {
    let mut buf = [0u8; 8];
    let mut n = ymd;
    for b in buf.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
    for b in buf {
        out.push(b as char);
    }
}

/// Month and day checked for Gregorian year `y`; `m_at`/`d_at`: where they are.
fn check_month_day(y: u32, m: u32, d: u32, m_at: usize, d_at: usize) -> Result<(), Fail> {
    if !(1..=12).contains(&m) {
        return Err(Fail::from(INVALID, m_at, "月が1月〜12月の範囲にありません"));
    }
    if d == 0 || d > days_in_month(y, m) {
        return Err(Fail::from(INVALID, d_at, "その月に存在しない日付です"));
    }
    Ok(())
}

pub(super) fn cleanse(
    rule: &DateRule,
    s: &str,
    out: &mut String,
    applied: &mut Applied,
) -> Result<(), Fail> {
    match rule {
        DateRule::Seireki => seireki(s, out, applied),
        DateRule::Wareki(eras) => wareki(eras, s, out, applied),
    }
}

fn seireki(s: &str, out: &mut String, applied: &mut Applied) -> Result<(), Fail> {
    let before = *applied;
    let mut d = [0u32; 8];
    let mut at = [0usize; 8];
    let mut n = 0;
    for (i, c) in s.char_indices() {
        let Some(v) = digit(c, applied) else {
            return Err(Fail::at(INVALID, i, "日付に数字でない文字があります"));
        };
        if n == 8 {
            return Err(Fail::at(INVALID, i, "西暦の日付は8桁（年月日）です"));
        }
        d[n] = v;
        at[n] = i;
        n += 1;
    }
    if n < 8 {
        return Err(Fail::from(INVALID, 0, "西暦の日付は8桁（年月日）です"));
    }
    let ymd = number(&d);
    if ymd == 0 {
        applied.set(Rule::ZeroDateToEmpty);
        return Ok(());
    }
    let (y, m, dd) = (ymd / 10000, ymd / 100 % 100, ymd % 100);
    if y == 0 {
        return Err(Fail::from(INVALID, 0, "西暦の年が0年です"));
    }
    check_month_day(y, m, dd, at[4], at[6])?;
    if *applied != before {
        push_date(out, ymd); // 全角数字 made ASCII; else the value stays as it is
    }
    Ok(())
}

fn wareki(eras: &EraTable, s: &str, out: &mut String, applied: &mut Applied) -> Result<(), Fail> {
    // The last 6 characters are YYMMDD; everything before is the era code.
    let mut d = [0u32; 6];
    let mut at = [0usize; 6];
    let mut n = 0;
    let mut chars = s.char_indices().rev();
    for (i, c) in chars.by_ref() {
        let Some(v) = digit(c, applied) else {
            return Err(Fail::at(
                INVALID,
                i,
                "和暦の年月日に数字でない文字があります",
            ));
        };
        n += 1;
        d[6 - n] = v;
        at[6 - n] = i;
        if n == 6 {
            break;
        }
    }
    if n < 6 {
        return Err(Fail::from(
            INVALID,
            0,
            "和暦の日付は元号コードと6桁の年月日です",
        ));
    }
    let prefix = &s[..at[0]];
    if prefix.is_empty() {
        return Err(Fail::from("unknown-era", 0, "元号コードがありません"));
    }
    // Era code with 全角数字 made ASCII, on the stack (codes are a few characters).
    let mut buf = [0u8; 16];
    let mut len = 0;
    for c in prefix.chars() {
        let c = fullwidth_digit(c).map_or(c, char::from);
        if len + c.len_utf8() > buf.len() {
            return Err(Fail::from(
                "unknown-era",
                0,
                "元号コードが元号表にありません",
            ));
        }
        c.encode_utf8(&mut buf[len..]);
        len += c.len_utf8();
    }
    let code = std::str::from_utf8(&buf[..len]).unwrap_or("");
    let yymmdd = number(&d);
    if yymmdd == 0 && code.bytes().all(|b| b == b'0') {
        applied.set(Rule::ZeroDateToEmpty);
        return Ok(());
    }
    if code != prefix {
        applied.set(Rule::FullwidthDigit);
    }
    let Some(era) = eras.get(code) else {
        return Err(Fail::from(
            "unknown-era",
            0,
            "元号コードが元号表にありません",
        ));
    };
    let (yy, m, dd) = (yymmdd / 10000, yymmdd / 100 % 100, yymmdd % 100);
    if yy == 0 {
        return Err(Fail::from(INVALID, at[0], "和暦の年が00です（元年は01）"));
    }
    if era == Era::Meiji && yy <= 5 {
        if !(1..=12).contains(&m) {
            return Err(Fail::from(
                INVALID,
                at[2],
                "月が1月〜12月の範囲にありません",
            ));
        }
        if !(1..=30).contains(&dd) {
            return Err(Fail::from(INVALID, at[4], "旧暦の日は1日〜30日です"));
        }
        return Err(Fail::from(
            "meiji-lunar-calendar",
            0,
            "明治5年以前は旧暦の日付のため西暦に換算できません。元の記録で確認してください",
        ));
    }
    let y = era.first_year() + yy - 1;
    check_month_day(y, m, dd, at[2], at[4])?;
    let ymd = y * 10000 + m * 100 + dd;
    if ymd < era.start() {
        return Err(Fail::from(
            "era-out-of-range",
            0,
            "元号の始まる前の日付です。元号コードを確認してください",
        ));
    }
    if era.next().is_some_and(|next| ymd >= next.start()) {
        return Err(Fail::from(
            "era-out-of-range",
            0,
            "次の元号に改元された後の日付です。元号コードを確認してください",
        ));
    }
    applied.set(Rule::WarekiToSeireki);
    push_date(out, ymd);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn default_eras() -> EraTable {
        EraTable::new(None).unwrap()
    }

    fn letter_eras() -> EraTable {
        let m: BTreeMap<String, String> = [
            ("M", "明治"),
            ("T", "大正"),
            ("S", "昭和"),
            ("H", "平成"),
            ("R", "令和"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        EraTable::new(Some(&m)).unwrap()
    }

    fn w(s: &str) -> Result<String, Fail> {
        let mut out = String::new();
        wareki(&default_eras(), s, &mut out, &mut Applied::default()).map(|()| out)
    }

    fn sei(s: &str) -> Result<(String, Applied), Fail> {
        let mut out = String::new();
        let mut a = Applied::default();
        seireki(s, &mut out, &mut a).map(|()| (super::super::result_of(s, out, a), a))
    }

    fn reason(r: Result<impl std::fmt::Debug, Fail>) -> (&'static str, usize) {
        let e = r.unwrap_err();
        (e.reason, e.at)
    }

    #[test]
    fn seireki_valid_unchanged() {
        let (o, a) = sei("19890108").unwrap();
        assert_eq!(o, "19890108");
        assert_eq!(a, Applied::default());
    }

    #[test]
    fn seireki_leap_years() {
        assert!(sei("20000229").is_ok());
        assert!(sei("20240229").is_ok());
        assert_eq!(reason(sei("19000229")), (INVALID, 6));
        assert_eq!(reason(sei("20230229")), (INVALID, 6));
    }

    #[test]
    fn seireki_impossible_dates() {
        assert_eq!(reason(sei("20210230")), (INVALID, 6));
        assert_eq!(reason(sei("20210431")), (INVALID, 6));
        assert_eq!(reason(sei("20211301")), (INVALID, 4));
        assert_eq!(reason(sei("20210001")), (INVALID, 4));
        assert_eq!(reason(sei("20210100")), (INVALID, 6));
        assert_eq!(reason(sei("00000101")), (INVALID, 0));
        assert!(sei("20211231").is_ok());
    }

    #[test]
    fn seireki_shape() {
        assert_eq!(reason(sei("1989018")), (INVALID, 0));
        assert_eq!(reason(sei("198901080")), (INVALID, 8));
        assert_eq!(reason(sei("1989/01/08")), (INVALID, 4));
        assert_eq!(reason(sei("H010108")), (INVALID, 0));
    }

    #[test]
    fn seireki_fullwidth_digits() {
        let (o, a) = sei("１９８９０１０８").unwrap();
        assert_eq!(o, "19890108");
        assert!(a.has(Rule::FullwidthDigit));
        assert_eq!(reason(sei("１９８９０２３０")), (INVALID, 18));
    }

    #[test]
    fn zero_dates_become_empty() {
        for s in ["00000000", "０００００００0"] {
            let mut out = String::new();
            let mut a = Applied::default();
            seireki(s, &mut out, &mut a).unwrap();
            assert_eq!(out, "");
            assert!(a.has(Rule::ZeroDateToEmpty));
        }
        let mut a = Applied::default();
        let mut out = String::new();
        wareki(&default_eras(), "0000000", &mut out, &mut a).unwrap();
        assert_eq!(out, "");
        assert!(a.has(Rule::ZeroDateToEmpty));
        assert_eq!(w("00000000").unwrap(), "");
        // an era code with a zero date is not "no date"
        assert_eq!(reason(w("4000000")), (INVALID, 1));
    }

    #[test]
    fn era_boundaries() {
        // 平成元年1月8日 valid, 1月7日 before 平成
        assert_eq!(w("4010108").unwrap(), "19890108");
        assert_eq!(reason(w("4010107")), ("era-out-of-range", 0));
        // 昭和64年1月7日 valid, 1月8日 after 平成 began; S64-02-01 too
        assert_eq!(w("3640107").unwrap(), "19890107");
        assert_eq!(reason(w("3640108")), ("era-out-of-range", 0));
        assert_eq!(reason(w("3640201")), ("era-out-of-range", 0));
        // 令和1年4月30日 invalid, 5月1日 valid; 平成31年4月30日 valid, 5月1日 not
        assert_eq!(reason(w("5010430")), ("era-out-of-range", 0));
        assert_eq!(w("5010501").unwrap(), "20190501");
        assert_eq!(w("4310430").unwrap(), "20190430");
        assert_eq!(reason(w("4310501")), ("era-out-of-range", 0));
        // 大正: 1912-07-30 .. 1926-12-24
        assert_eq!(reason(w("2010729")), ("era-out-of-range", 0));
        assert_eq!(w("2010730").unwrap(), "19120730");
        assert_eq!(w("2151224").unwrap(), "19261224");
        assert_eq!(reason(w("2151225")), ("era-out-of-range", 0));
        // 昭和元年 is 7 days long
        assert_eq!(reason(w("3011224")), ("era-out-of-range", 0));
        assert_eq!(w("3011225").unwrap(), "19261225");
        // 明治: 6年1月1日 is the first solar date; 45年7月29日 the last
        assert_eq!(w("1060101").unwrap(), "18730101");
        assert_eq!(w("1450729").unwrap(), "19120729");
        assert_eq!(reason(w("1450730")), ("era-out-of-range", 0));
        // far beyond the era
        assert_eq!(reason(w("3990101")), ("era-out-of-range", 0));
        // 令和 has no end
        assert_eq!(w("5991231").unwrap(), "21171231");
    }

    #[test]
    fn meiji_lunar_flagged_never_computed() {
        assert_eq!(reason(w("1010101")), ("meiji-lunar-calendar", 0));
        assert_eq!(reason(w("1051202")), ("meiji-lunar-calendar", 0));
        // lunar months have 30 days: 2月30日 exists, 31日 does not
        assert_eq!(reason(w("1030230")), ("meiji-lunar-calendar", 0));
        assert_eq!(reason(w("1030231")), (INVALID, 5));
        assert_eq!(reason(w("1031301")), (INVALID, 3));
    }

    #[test]
    fn wareki_leap_years_in_gregorian() {
        assert_eq!(w("4120229").unwrap(), "20000229"); // 平成12年
        assert_eq!(reason(w("1330229")), (INVALID, 5)); // 明治33年 = 1900
        assert_eq!(w("3630229").unwrap(), "19880229");
        assert_eq!(reason(w("4010230")), (INVALID, 5));
    }

    #[test]
    fn wareki_year_zero_and_shape() {
        assert_eq!(reason(w("4000108")), (INVALID, 1));
        assert_eq!(reason(w("401010")), ("unknown-era", 0));
        assert_eq!(reason(w("40101")), (INVALID, 0));
        assert_eq!(reason(w("40101x8")), (INVALID, 5));
        assert_eq!(reason(w("6010101")), ("unknown-era", 0));
        assert_eq!(reason(w("平成010108")), ("unknown-era", 0));
    }

    #[test]
    fn wareki_era_code_variants() {
        let letters = letter_eras();
        let mut out = String::new();
        wareki(&letters, "H010108", &mut out, &mut Applied::default()).unwrap();
        assert_eq!(out, "19890108");
        let e = wareki(
            &letters,
            "h010108",
            &mut String::new(),
            &mut Applied::default(),
        );
        assert_eq!(reason(e), ("unknown-era", 0));
        // 2-digit codes in data, 1-digit table and the other way round
        assert_eq!(w("04010108").unwrap(), "19890108");
        let two: BTreeMap<String, String> = [("01", "明治"), ("04", "平成")]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let two = EraTable::new(Some(&two)).unwrap();
        let mut out = String::new();
        wareki(&two, "4010108", &mut out, &mut Applied::default()).unwrap();
        assert_eq!(out, "19890108");
        // full-width everywhere
        let mut a = Applied::default();
        let mut out = String::new();
        wareki(&default_eras(), "４０１０１０８", &mut out, &mut a).unwrap();
        assert_eq!(out, "19890108");
        assert!(a.has(Rule::FullwidthDigit) && a.has(Rule::WarekiToSeireki));
        let mut a = Applied::default();
        wareki(&letters, "Ｈ010108", &mut String::new(), &mut a).unwrap_err();
    }

    #[test]
    fn era_table_refuses_bad_settings() {
        let one = |code: &str, name: &str| {
            let m: BTreeMap<String, String> = [(code.to_string(), name.to_string())].into();
            EraTable::new(Some(&m)).map(|_| ())
        };
        assert!(one("H", "平成").is_ok());
        assert!(one("H", "光文").is_err());
        assert!(one("４", "平成").is_err());
        assert!(one("", "平成").is_err());
        assert!(one(" 4", "平成").is_err());
    }

    // ---- oracle: days since 1970-01-01 → civil date (Howard Hinnant's algorithm),
    // independent of `days_in_month`/`is_leap` above.
    fn civil(z: i64) -> (u32, u32, u32) {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y as u32, m as u32, d as u32)
    }

    /// The era of a Gregorian date from 1873 on, by the published start dates.
    fn oracle_era(ymd: u32) -> (usize, u32) {
        const STARTS: [(u32, u32); 5] = [
            (18680125, 1868),
            (19120730, 1912),
            (19261225, 1926),
            (19890108, 1989),
            (20190501, 2019),
        ];
        let i = STARTS.iter().rposition(|&(s, _)| ymd >= s).unwrap();
        (i, ymd / 10000 - STARTS[i].1 + 1)
    }

    const DAY_1873_01_01: i64 = -35_428;
    const DAY_2100_12_31: i64 = 47_846;

    #[test]
    fn oracle_anchors() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(DAY_1873_01_01), (1873, 1, 1));
        assert_eq!(civil(DAY_2100_12_31), (2100, 12, 31));
    }

    /// Every day from 1873-01-01 to 2100-12-31: its 西暦 form passes unchanged, its
    /// 和暦 form (by the oracle) converts back to it, and the same MMDD in the
    /// previous era's numbering is refused as out of range.
    #[test]
    fn every_day_1873_to_2100_round_trips() {
        let eras = default_eras();
        let mut out = String::new();
        for z in DAY_1873_01_01..=DAY_2100_12_31 {
            let (y, m, d) = civil(z);
            let ymd = y * 10000 + m * 100 + d;
            let s = format!("{ymd:08}");
            out.clear();
            let mut a = Applied::default();
            seireki(&s, &mut out, &mut a).unwrap();
            assert_eq!(
                (out.as_str(), a),
                ("", Applied::default()),
                "valid: unchanged, not written"
            );
            let (era, yy) = oracle_era(ymd);
            let wa = format!("{}{:02}{:02}{:02}", era + 1, yy, m, d);
            out.clear();
            let mut a = Applied::default();
            wareki(&eras, &wa, &mut out, &mut a).unwrap_or_else(|e| panic!("{wa}: {e:?}"));
            assert_eq!(out, s, "{wa}");
            assert!(a.has(Rule::WarekiToSeireki));
            if era > 0 {
                let prev_yy = y - Era::ALL[era - 1].first_year() + 1;
                if prev_yy <= 99 {
                    let old = format!("{}{:02}{:02}{:02}", era, prev_yy, m, d);
                    let e = wareki(&eras, &old, &mut String::new(), &mut Applied::default());
                    assert_eq!(reason(e), ("era-out-of-range", 0), "{old}");
                }
            }
        }
    }

    /// Every month end from 1873 to 2100 per the oracle: `days_in_month` agrees and
    /// the days after it are refused.
    #[test]
    fn every_month_end_1873_to_2100() {
        let mut ends = 0;
        for z in DAY_1873_01_01..=DAY_2100_12_31 {
            let (y, m, d) = civil(z);
            if civil(z + 1).2 != 1 {
                continue;
            }
            ends += 1;
            assert_eq!(days_in_month(y, m), d, "{y}-{m}");
            for bad in d + 1..=31 {
                assert_eq!(reason(sei(&format!("{y:04}{m:02}{bad:02}"))), (INVALID, 6));
            }
        }
        assert_eq!(ends, (2100 - 1873 + 1) * 12);
    }

    proptest! {
        /// Random days with letter codes and 全角 digits mixed in convert back.
        #[test]
        fn wareki_round_trip_letters_and_widths(z in DAY_1873_01_01..=DAY_2100_12_31, wide in any::<u8>()) {
            let (y, m, d) = civil(z);
            let ymd = y * 10000 + m * 100 + d;
            let (era, yy) = oracle_era(ymd);
            let plain = format!("{}{:02}{:02}{:02}", ["M", "T", "S", "H", "R"][era], yy, m, d);
            let mixed: String = plain
                .chars()
                .enumerate()
                .map(|(i, c)| match c.to_digit(10) {
                    Some(v) if wide & (1 << (i % 8)) != 0 => char::from_u32('０' as u32 + v).unwrap(),
                    _ => c,
                })
                .collect();
            let mut out = String::new();
            wareki(&letter_eras(), &mixed, &mut out, &mut Applied::default()).unwrap();
            prop_assert_eq!(out, format!("{ymd:08}"));
        }
    }
}
