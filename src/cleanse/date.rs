//! `date` items: 8-digit 西暦 (YYYYMMDD) checked, or 和暦 (era code + YYMMDD)
//! converted to it; in either item, a date written in words (平成元年1月8日,
//! 1989年1月8日) too. Gregorian calendar, no date library: the rules are few and
//! must be exactly these.
//!
//! Forms read (全角数字 anywhere; spaces between the words of a text form):
//! - 西暦 items: `YYYYMMDD`.
//! - 和暦 items: era code + `YYMMDD`, or era code + `元` + `MMDD` (元年 as `01` or `元`).
//! - Words, in either item: [元号名] N年 [N月 [N日]], and the 不詳 and 頃 forms
//!   (年月日不詳, 不詳, 年不詳[M月D日], 昭和45年月日不詳, 昭和45年3月日不詳,
//!   昭和45年頃); see [`text`]. After an era name (明治…令和) the year is 1–2 digits
//!   or `元`; without one it is a 4-digit 西暦 year.
//!
//! Era boundaries (改元): 明治→大正 and 大正→昭和 took effect on the day the
//! emperor died, so 1912-07-30 is both 明治45年7月30日 and 大正元年7月30日, and
//! 1926-12-25 both 大正15年12月25日 and 昭和元年12月25日. 平成 began the day after
//! (昭和64年1月7日 is the last 昭和 day, 1989-01-08 = 平成元年1月8日), and 令和 on
//! 2019-05-01 by the 退位 law (平成31年4月30日 is the last 平成 day). See
//! [`Era::start`] and [`Era::last_day`].
//!
//! Decisions (the issue is silent on these):
//! - A value of only zeros (00000000, 0000000, ０…) is the legacy way of writing "no
//!   date" in fixed-length exports: it becomes empty, counted as `zero-date-to-empty`,
//!   and the caller's `required` check decides, under either `date_policy`.
//! - Partly unknown dates (year, month or day 00: 生年月日の一部不詳; the 不詳 and
//!   頃 text forms) and days past the month's end (2月30日; 2月29日 of a common
//!   year) are refused as `invalid-date` under `date_policy = "strict"` (the
//!   default). Under `keep` they are written and counted (`unknown-date`,
//!   `nonexistent-date`): as 8 西暦 digits when the year is known, with `00` for an
//!   unknown month or day (昭和45年月日不詳 → 19700000, 昭和50年2月30日 → 19750230);
//!   as the value was given when the year is unknown or the date is approximate
//!   (年月日不詳, 平成00年, 昭和45年頃: 8 digits cannot say 頃). A month above 12 or a
//!   day above 31 is no date at all and is refused under both policies.
//! - 西暦 dates are not checked against eras or the lunar calendar: the source
//!   already chose 西暦. Year 0000 is an unknown year.
//! - Era codes: the prefix before the last 6 digits (or before `元` + 4 digits),
//!   全角数字 made ASCII. If it is not in the table but is all digits, a table code
//!   with the same number is used ("01" ≡ "1"): 年号コード is 2 digits in the layout
//!   and 1 digit in 既存住基. Letters are compared exactly (case matters).
//! - 明治1–5年 are lunar (天保暦) dates: `meiji-lunar-calendar` once the month is
//!   1–12 and the day 1–30 (a lunar month has at most 30 days), never converted,
//!   under either policy (not even their 西暦 year is certain).
//! - A date outside its era (昭和64年1月8日, 平成元年1月7日) is `era-out-of-range`
//!   under either policy: most often a wrong era code, and the 西暦 would be a guess.
//! - Checks, in order: form, era code, year, month, day (in the Gregorian year;
//!   lunar for 明治1–5年), then the era's period.

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

    /// Last day (YYYYMMDD), None for the current era. 明治 and 大正 ended on the day
    /// the next era began (改元 the day of 崩御: 大正 from 1912-07-30, 昭和 from
    /// 1926-12-25), so those days belong to both; 昭和 ended the day before 平成
    /// (改元 1989-01-08 by 政令), 平成 the day before 令和 (2019-05-01).
    fn last_day(self) -> Option<u32> {
        match self {
            Era::Meiji => Some(19120730),
            Era::Taisho => Some(19261225),
            Era::Showa => Some(19890107),
            Era::Heisei => Some(20190430),
            Era::Reiwa => None,
        }
    }

    fn first_year(self) -> u32 {
        self.start() / 10000
    }

    fn name(self) -> &'static str {
        KNOWN_ERAS[self as usize]
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

/// How the source writes a date item.
#[derive(Debug, Clone)]
pub(super) enum DateStyle {
    Seireki,
    Wareki(EraTable),
}

/// The compiled rule of a date item.
#[derive(Debug, Clone)]
pub(super) struct DateRule {
    pub style: DateStyle,
    /// `date_policy = "keep"`: dates not in the calendar and 不詳 forms are written
    /// and counted, not refused.
    pub keep: bool,
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

/// The digit value of an ASCII or 全角 digit; a 全角 one sets `wide`.
#[inline]
fn digit(c: char, wide: &mut bool) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - '0' as u32);
    }
    let d = fullwidth_digit(c)?;
    *wide = true;
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

/// The year of a read date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Year {
    /// Year `n` (1–99) of an era; 1 is 元年.
    Era(Era, u32),
    /// A 西暦 year (1–9999).
    Western(u32),
    Unknown,
}

/// What a date value says, before the calendar checks. Month or day 0: unknown.
#[derive(Debug, Clone, Copy)]
struct Parsed {
    year: Year,
    m: u32,
    d: u32,
    /// Byte offsets of the year, month and day in the value (for messages).
    at: [usize; 3],
    /// Why `strict` refuses an unknown year, month or day.
    unknown: [Option<Fail>; 3],
    /// A 頃 form: why `strict` refuses it.
    approx: Option<Fail>,
    /// Written in words (年, 月, 日), not as digits only.
    text: bool,
    /// 全角数字 were read.
    wide: bool,
}

// The messages of the digit forms are those strict has always given (reject
// files are compared across runs); the 不詳 words say what `keep` would do.
const YEAR_00: &str = "和暦の年が00です（元年は01）";
const MONTH_00: &str = "月が1月〜12月の範囲にありません";
const NO_SUCH_DAY: &str = "その月に存在しない日付です";
const UNKNOWN: &str = "不詳の日付です（date_policy = \"keep\" の項目で保持できます）";
const APPROX: &str =
    "「頃」のついたおおよその日付です（date_policy = \"keep\" の項目で保持できます）";
const UNREADABLE: &str =
    "日付の書き方が読めません（例: 平成元年1月8日、1989年1月8日、昭和45年月日不詳）";

pub(super) fn cleanse(
    rule: &DateRule,
    s: &str,
    out: &mut String,
    applied: &mut Applied,
) -> Result<(), Fail> {
    let parsed = if is_text(s) {
        Some(text(s)?)
    } else {
        match &rule.style {
            DateStyle::Seireki => seireki(s)?,
            DateStyle::Wareki(eras) => wareki(eras, s)?,
        }
    };
    match parsed {
        Some(p) => settle(&p, rule.keep, s, out, applied),
        None => {
            applied.set(Rule::ZeroDateToEmpty);
            Ok(())
        }
    }
}

/// True when [`cleanse`] leaves `s` as it is in a 西暦 item (strict or keep):
/// 8 ASCII digits that are a day of the calendar (year not 0). Each item of
/// most files is one; this reads it in one go instead of character by
/// character.
#[inline(always)]
pub(super) fn is_clean(s: &[u8]) -> bool {
    let Ok(bytes) = <[u8; 8]>::try_from(s) else {
        return false;
    };
    // The 8 bytes as one little-endian word: the digits and the calendar
    // checked with no branch (a date item is checked on every record, and
    // which of its checks fails varies from record to record).
    let w = u64::from_le_bytes(bytes);
    const THREES: u64 = 0x3030_3030_3030_3030;
    const LANES: u64 = 0x00FF_00FF_00FF_00FF;
    let digits = super::digits::digit_word(w);
    // Each byte's digit value (garbage when not digits: then `digits` fails,
    // and no lane below overflows: a byte is at most 255).
    let d = w.wrapping_sub(THREES);
    // Pairs of digits in 16-bit lanes: lane k is digit 2k × 10 + digit 2k+1.
    let pairs = (d & LANES).wrapping_mul(10).wrapping_add((d >> 8) & LANES);
    let lane = |k: u32| ((pairs >> (16 * k)) & 0xFFFF) as u32;
    let (y, m, dd) = (lane(0) * 100 + lane(1), lane(2), lane(3));
    // days_in_month as a table; February of a leap year gets one more. A
    // year is a multiple of 400 when it is one of 100 (of 25 and 4) and of 16.
    const DAYS: [u32; 16] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0, 0, 0];
    let leap = (y & 3 == 0) & (!y.is_multiple_of(25) | (y & 15 == 0));
    let days = DAYS[(m & 15) as usize] + u32::from((m == 2) & leap);
    // Year 0 or month or day 00 is unknown, past the month's end nonexistent:
    // refused or kept and counted, never left as it is.
    digits & (y != 0) & (m.wrapping_sub(1) < 12) & (dd != 0) & (dd <= days)
}

/// A date written in words rather than digits only.
fn is_text(s: &str) -> bool {
    // Most dates are ASCII digits: one word-at-a-time check instead of two searches.
    !s.is_ascii() && (s.contains(['年', '月', '日', '頃']) || s.contains("不詳"))
}

/// Checks a read date against the calendar and the policy, and writes it.
///
/// Written: 8 西暦 digits when the year is known and the date is not approximate
/// (`00` for an unknown month or day); otherwise, under `keep`, the value as given.
/// A valid 8-digit 西暦 value is left to the caller unchanged (nothing written).
fn settle(
    p: &Parsed,
    keep: bool,
    s: &str,
    out: &mut String,
    applied: &mut Applied,
) -> Result<(), Fail> {
    let refuse = |f: Option<Fail>| match f {
        Some(f) if !keep => Err(f),
        _ => Ok(()),
    };
    refuse(p.unknown[0])?;
    if p.m > 12 {
        return Err(Fail::from(
            INVALID,
            p.at[1],
            "月が1月〜12月の範囲にありません",
        ));
    }
    refuse(p.unknown[1])?;
    if p.d > 31 {
        return Err(Fail::from(INVALID, p.at[2], "その月に存在しない日付です"));
    }
    refuse(p.unknown[2])?;
    refuse(p.approx)?;
    if let Year::Era(Era::Meiji, 1..=5) = p.year {
        if p.d > 30 {
            return Err(Fail::from(INVALID, p.at[2], "旧暦の日は1日〜30日です"));
        }
        return Err(Fail::from(
            "meiji-lunar-calendar",
            0,
            "明治5年以前は旧暦の日付のため西暦に換算できません。元の記録で確認してください",
        ));
    }
    let y = match p.year {
        // yy ≤ 99 (two digits): no overflow.
        Year::Era(era, yy) => Some(era.first_year() + yy - 1),
        Year::Western(y) => Some(y),
        Year::Unknown => None,
    };
    // With the year unknown, a day no year has (2月30日) is still not in the calendar.
    let nonexistent = p.m != 0 && p.d != 0 && p.d > days_in_month(y.unwrap_or(2000), p.m);
    if nonexistent && !keep {
        return Err(Fail::from(INVALID, p.at[2], NO_SUCH_DAY));
    }
    if let (Year::Era(era, _), Some(y)) = (p.year, y) {
        // The days the date may be (one day when it is fully known).
        let or = |v: u32, unknown: u32| if v == 0 { unknown } else { v };
        let lo = y * 10000 + or(p.m, 1) * 100 + or(p.d, 1);
        let hi = y * 10000 + or(p.m, 12) * 100 + or(p.d, 31);
        if hi < era.start() {
            return Err(Fail::from(
                "era-out-of-range",
                0,
                "元号の始まる前の日付です。元号コードを確認してください",
            ));
        }
        if era.last_day().is_some_and(|last| lo > last) {
            return Err(Fail::from(
                "era-out-of-range",
                0,
                "次の元号に改元された後の日付です。元号コードを確認してください",
            ));
        }
    }
    let unknown = y.is_none() || p.m == 0 || p.d == 0 || p.approx.is_some();
    if unknown {
        applied.set(Rule::UnknownDate);
    }
    if nonexistent {
        applied.set(Rule::NonexistentDate);
    }
    match y {
        Some(y) if p.approx.is_none() => {
            let era = matches!(p.year, Year::Era(..));
            if era {
                applied.set(Rule::WarekiToSeireki);
            }
            if p.text {
                applied.set(Rule::DateTextToDigits);
            }
            if p.wide {
                applied.set(Rule::FullwidthDigit);
            }
            if era || p.text || p.wide || unknown || nonexistent {
                push_date(out, y * 10000 + p.m * 100 + p.d);
            }
        }
        // Year unknown, or 頃: 8 digits cannot say it; the value as given.
        _ => out.push_str(s),
    }
    Ok(())
}

/// `YYYYMMDD`; None: the all-zero "no date".
fn seireki(s: &str) -> Result<Option<Parsed>, Fail> {
    let mut wide = false;
    let mut d = [0u32; 8];
    let mut at = [0usize; 8];
    let mut n = 0;
    for (i, c) in s.char_indices() {
        let Some(v) = digit(c, &mut wide) else {
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
        return Ok(None);
    }
    let (y, m, dd) = (ymd / 10000, ymd / 100 % 100, ymd % 100);
    Ok(Some(Parsed {
        year: if y == 0 {
            Year::Unknown
        } else {
            Year::Western(y)
        },
        m,
        d: dd,
        at: [0, at[4], at[6]],
        unknown: [
            (y == 0).then_some(Fail::from(INVALID, 0, "西暦の年が0年です")),
            (m == 0).then_some(Fail::from(INVALID, at[4], MONTH_00)),
            (dd == 0).then_some(Fail::from(INVALID, at[6], NO_SUCH_DAY)),
        ],
        approx: None,
        text: false,
        wide,
    }))
}

/// Era code + `YYMMDD`, or era code + `元` + `MMDD`; None: the all-zero "no date".
fn wareki(eras: &EraTable, s: &str) -> Result<Option<Parsed>, Fail> {
    let mut wide = false;
    // The last 6 characters are YYMMDD (or the last 5 元MMDD); everything before
    // is the era code.
    let mut d = [0u32; 6];
    let mut at = [0usize; 6];
    let mut n = 0;
    let mut gan = None;
    for (i, c) in s.char_indices().rev() {
        if n == 4 && c == '元' {
            gan = Some(i);
            break;
        }
        let Some(v) = digit(c, &mut wide) else {
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
    let start = match gan {
        Some(i) => {
            (d[0], d[1]) = (0, 1);
            (at[0], at[1]) = (i, i);
            i
        }
        None if n == 6 => at[0],
        None => {
            return Err(Fail::from(
                INVALID,
                0,
                "和暦の日付は元号コードと6桁の年月日です",
            ));
        }
    };
    let prefix = &s[..start];
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
        return Ok(None);
    }
    if code != prefix {
        wide = true;
    }
    let Some(era) = eras.get(code) else {
        return Err(Fail::from(
            "unknown-era",
            0,
            "元号コードが元号表にありません",
        ));
    };
    let (yy, m, dd) = (yymmdd / 10000, yymmdd / 100 % 100, yymmdd % 100);
    Ok(Some(Parsed {
        year: if yy == 0 {
            Year::Unknown
        } else {
            Year::Era(era, yy)
        },
        m,
        d: dd,
        at: [at[0], at[2], at[4]],
        unknown: [
            (yy == 0).then_some(Fail::from(INVALID, at[0], YEAR_00)),
            (m == 0).then_some(Fail::from(INVALID, at[2], MONTH_00)),
            (dd == 0).then_some(Fail::from(INVALID, at[4], NO_SUCH_DAY)),
        ],
        approx: None,
        text: false,
        wide,
    }))
}

/// Reads a date in words, spaces (U+0020, U+3000) allowed between the words:
///
/// ```text
/// 年月日不詳 | 不詳                                   all unknown
/// [元号名] 年 [月 [日]] [頃]                          a full date, or 日/月日 not given
/// [元号名] 年 (月日不詳 | 不詳)                       月日不詳
/// [元号名] 年 月 (日不詳 | 不詳)                      日不詳
/// 年不詳 [月 [日]]                                    年不詳
/// ```
///
/// 年 is `N年` (N: 1–2 digits after an era name, or `元`; 4 digits without one:
/// 西暦), 月 `N月`, 日 `N日`; digits ASCII or 全角. A year alone (昭和45年) is
/// 月日不詳. Era names: 明治, 大正, 昭和, 平成, 令和.
fn text(s: &str) -> Result<Parsed, Fail> {
    let mut c = Cursor {
        s,
        i: 0,
        wide: false,
    };
    let mut p = Parsed {
        year: Year::Unknown,
        m: 0,
        d: 0,
        at: [0; 3],
        unknown: [None; 3],
        approx: None,
        text: true,
        wide: false,
    };
    c.spaces();
    if c.eat("年月日不詳") || c.eat("不詳") {
        c.end()?;
        p.unknown = [Some(Fail::from(INVALID, 0, UNKNOWN)); 3];
        return Ok(p);
    }
    let era = Era::ALL.into_iter().find(|e| c.eat(e.name()));
    c.spaces();
    p.at[0] = c.i;
    if era.is_none() && c.eat("年不詳") {
        p.unknown[0] = Some(Fail::from(INVALID, p.at[0], UNKNOWN));
    } else {
        let n = if era.is_some() && c.eat("元") {
            1
        } else {
            let (n, digits) = c.number()?;
            match era {
                Some(_) if (1..=2).contains(&digits) && n >= 1 => n,
                None if digits == 4 && n >= 1 => n,
                Some(_) => {
                    return Err(Fail::from(
                        INVALID,
                        p.at[0],
                        "和暦の年は1〜2桁の数字か元です",
                    ));
                }
                None => {
                    return Err(Fail::from(
                        INVALID,
                        p.at[0],
                        "元号名のない年は4桁の西暦です",
                    ));
                }
            }
        };
        c.spaces();
        c.expect("年")?;
        p.year = match era {
            Some(e) => Year::Era(e, n),
            None => Year::Western(n),
        };
    }
    c.spaces();
    p.at[1] = c.i;
    p.at[2] = c.i;
    if c.eat("頃") {
        p.approx = Some(Fail::from(INVALID, p.at[1], APPROX));
    } else if c.done() || c.eat("月日不詳") || c.eat("不詳") {
        p.unknown[1] = Some(Fail::from(INVALID, p.at[1], UNKNOWN));
        p.unknown[2] = p.unknown[1];
    } else {
        p.m = c.part("月", "月が1月〜12月の範囲にありません")?;
        c.spaces();
        p.at[2] = c.i;
        if c.eat("頃") {
            p.approx = Some(Fail::from(INVALID, p.at[2], APPROX));
        } else if c.done() || c.eat("日不詳") || c.eat("不詳") {
            p.unknown[2] = Some(Fail::from(INVALID, p.at[2], UNKNOWN));
        } else {
            p.d = c.part("日", "その月に存在しない日付です")?;
            c.spaces();
            if c.eat("頃") {
                p.approx = Some(Fail::from(INVALID, p.at[2], APPROX));
            }
        }
    }
    c.end()?;
    p.wide = c.wide;
    Ok(p)
}

/// A position in a text date.
struct Cursor<'a> {
    s: &'a str,
    i: usize,
    wide: bool,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.s[self.i..]
    }

    fn done(&self) -> bool {
        self.i == self.s.len()
    }

    fn eat(&mut self, word: &str) -> bool {
        let found = self.rest().starts_with(word);
        if found {
            self.i += word.len();
        }
        found
    }

    fn spaces(&mut self) {
        while let Some(c) = self.rest().chars().next()
            && (c == ' ' || c == '\u{3000}')
        {
            self.i += c.len_utf8();
        }
    }

    fn expect(&mut self, word: &str) -> Result<(), Fail> {
        if self.eat(word) {
            Ok(())
        } else {
            Err(Fail::at(INVALID, self.i, UNREADABLE))
        }
    }

    fn end(&mut self) -> Result<(), Fail> {
        self.spaces();
        if self.done() {
            Ok(())
        } else {
            Err(Fail::at(INVALID, self.i, UNREADABLE))
        }
    }

    /// Digits (ASCII or 全角) as (value, how many).
    fn number(&mut self) -> Result<(u32, usize), Fail> {
        let (mut n, mut digits) = (0u32, 0usize);
        let start = self.i;
        while let Some(c) = self.rest().chars().next() {
            let Some(v) = digit(c, &mut self.wide) else {
                break;
            };
            // More than 4 digits is no part of a date; stop before overflowing.
            if digits == 4 {
                return Err(Fail::from(INVALID, start, UNREADABLE));
            }
            n = n * 10 + v;
            digits += 1;
            self.i += c.len_utf8();
        }
        if digits == 0 {
            return Err(Fail::at(INVALID, self.i, UNREADABLE));
        }
        Ok((n, digits))
    }

    /// A month or day: 1–2 digits, not 0, then `unit`.
    fn part(&mut self, unit: &str, zero: &'static str) -> Result<u32, Fail> {
        let at = self.i;
        let (n, digits) = self.number()?;
        if digits > 2 {
            return Err(Fail::from(INVALID, at, UNREADABLE));
        }
        if n == 0 {
            return Err(Fail::from(INVALID, at, zero));
        }
        self.spaces();
        self.expect(unit)?;
        Ok(n)
    }
}

#[cfg(test)]
mod word_tests {
    use super::*;

    /// The word check is the calendar's rule (is_leap, days_in_month) for
    /// every year, month 00–99 and day 00–99 around the edges, and refuses
    /// anything but 8 ASCII digits.
    #[test]
    fn the_word_check_is_the_calendar() {
        for y in 0..=9999u32 {
            for m in [0, 1, 2, 3, 4, 9, 11, 12, 13, 20, 99] {
                for d in [0, 1, 28, 29, 30, 31, 32, 99] {
                    let v = format!("{y:04}{m:02}{d:02}");
                    let want =
                        y != 0 && (1..=12).contains(&m) && d != 0 && d <= days_in_month(y, m);
                    assert_eq!(is_clean(v.as_bytes()), want, "{v}");
                }
            }
        }
        for bad in [
            &b"2024022a"[..],
            b"2024/2/1",
            b"\xFF0240229",
            b"2024022",
            b"202402290",
        ] {
            assert!(!is_clean(bad), "{bad:?}");
        }
        for at in 0..8 {
            for b in (0..=255u8).filter(|b| !b.is_ascii_digit()) {
                let mut v = *b"20240229";
                v[at] = b;
                assert!(!is_clean(&v), "{v:?}");
            }
        }
    }
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

    /// A `wareki` item (strict) with era table `eras`.
    fn wareki_into(
        eras: &EraTable,
        s: &str,
        out: &mut String,
        applied: &mut Applied,
    ) -> Result<(), Fail> {
        let rule = DateRule {
            style: DateStyle::Wareki(eras.clone()),
            keep: false,
        };
        cleanse(&rule, s, out, applied)
    }

    /// A `seireki` item (strict).
    fn seireki_into(s: &str, out: &mut String, applied: &mut Applied) -> Result<(), Fail> {
        let rule = DateRule {
            style: DateStyle::Seireki,
            keep: false,
        };
        cleanse(&rule, s, out, applied)
    }

    fn w(s: &str) -> Result<String, Fail> {
        let mut out = String::new();
        wareki_into(&default_eras(), s, &mut out, &mut Applied::default()).map(|()| out)
    }

    fn sei(s: &str) -> Result<(String, Applied), Fail> {
        let mut out = String::new();
        let mut a = Applied::default();
        seireki_into(s, &mut out, &mut a).map(|()| (super::super::result_of(s, out, a), a))
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
            seireki_into(s, &mut out, &mut a).unwrap();
            assert_eq!(out, "");
            assert!(a.has(Rule::ZeroDateToEmpty));
        }
        let mut a = Applied::default();
        let mut out = String::new();
        wareki_into(&default_eras(), "0000000", &mut out, &mut a).unwrap();
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
        // 大正: 1912-07-30 .. 1926-12-25 (its last day is 昭和元年12月25日 too)
        assert_eq!(reason(w("2010729")), ("era-out-of-range", 0));
        assert_eq!(w("2010730").unwrap(), "19120730");
        assert_eq!(w("2151224").unwrap(), "19261224");
        assert_eq!(w("2151225").unwrap(), "19261225");
        assert_eq!(reason(w("2151226")), ("era-out-of-range", 0));
        // 昭和元年 is 7 days long
        assert_eq!(reason(w("3011224")), ("era-out-of-range", 0));
        assert_eq!(w("3011225").unwrap(), "19261225");
        // 明治: 6年1月1日 is the first solar date; 45年7月30日 the last (= 大正元年7月30日)
        assert_eq!(w("1060101").unwrap(), "18730101");
        assert_eq!(w("1450729").unwrap(), "19120729");
        assert_eq!(w("1450730").unwrap(), "19120730");
        assert_eq!(reason(w("1450731")), ("era-out-of-range", 0));
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
        wareki_into(&letters, "H010108", &mut out, &mut Applied::default()).unwrap();
        assert_eq!(out, "19890108");
        let e = wareki_into(
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
        wareki_into(&two, "4010108", &mut out, &mut Applied::default()).unwrap();
        assert_eq!(out, "19890108");
        // full-width everywhere
        let mut a = Applied::default();
        let mut out = String::new();
        wareki_into(&default_eras(), "４０１０１０８", &mut out, &mut a).unwrap();
        assert_eq!(out, "19890108");
        assert!(a.has(Rule::FullwidthDigit) && a.has(Rule::WarekiToSeireki));
        let mut a = Applied::default();
        wareki_into(&letters, "Ｈ010108", &mut String::new(), &mut a).unwrap_err();
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
            seireki_into(&s, &mut out, &mut a).unwrap();
            assert_eq!(
                (out.as_str(), a),
                ("", Applied::default()),
                "valid: unchanged, not written"
            );
            let (era, yy) = oracle_era(ymd);
            let wa = format!("{}{:02}{:02}{:02}", era + 1, yy, m, d);
            out.clear();
            let mut a = Applied::default();
            wareki_into(&eras, &wa, &mut out, &mut a).unwrap_or_else(|e| panic!("{wa}: {e:?}"));
            assert_eq!(out, s, "{wa}");
            assert!(a.has(Rule::WarekiToSeireki));
            if era > 0 {
                let prev_yy = y - Era::ALL[era - 1].first_year() + 1;
                if prev_yy <= 99 {
                    let old = format!("{}{:02}{:02}{:02}", era, prev_yy, m, d);
                    let mut out = String::new();
                    let r = wareki_into(&eras, &old, &mut out, &mut Applied::default());
                    // 改元 on the day of 崩御: the first 大正 and 昭和 days are the
                    // last 明治 and 大正 days too.
                    if [19120730, 19261225].contains(&ymd) {
                        assert_eq!(out, s, "{old}");
                    } else {
                        assert_eq!(reason(r), ("era-out-of-range", 0), "{old}");
                    }
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
            wareki_into(&letter_eras(), &mixed, &mut out, &mut Applied::default()).unwrap();
            prop_assert_eq!(out, format!("{ymd:08}"));
        }
    }

    // ---- era boundaries on both sides, in every form ----

    /// `item` (a date style, strict or keep) applied to `s`: the value written
    /// (the value itself when nothing was written) and the rules applied.
    fn run(style: DateStyle, keep: bool, s: &str) -> Result<(String, Applied), Fail> {
        let mut out = String::new();
        let mut a = Applied::default();
        cleanse(&DateRule { style, keep }, s, &mut out, &mut a)
            .map(|()| (super::super::result_of(s, out, a), a))
    }

    fn wa(s: &str) -> Result<String, Fail> {
        run(DateStyle::Wareki(default_eras()), false, s).map(|(o, _)| o)
    }

    fn wa_letters(s: &str) -> Result<String, Fail> {
        run(DateStyle::Wareki(letter_eras()), false, s).map(|(o, _)| o)
    }

    /// Every way the cleanser reads 和暦 day `yy`/`m`/`d` of era `e` (0 = 明治):
    /// era codes 1 digit, 2 digits and letters, 全角; 元年 as 01 and as 元; in
    /// words with 元, 1 and 01, 全角 and spaces. Each is read by a `wareki` item (the
    /// text forms by a `seireki` item too).
    fn forms(e: usize, yy: u32, m: u32, d: u32) -> Vec<(String, bool)> {
        let wide = |s: &str| -> String {
            s.chars()
                .map(|c| match c.to_digit(10) {
                    Some(v) => char::from_u32('０' as u32 + v).unwrap(),
                    None => c,
                })
                .collect()
        };
        let letter = ["M", "T", "S", "H", "R"][e];
        let name = KNOWN_ERAS[e];
        let mut v = vec![
            (format!("{}{yy:02}{m:02}{d:02}", e + 1), false),
            (format!("0{}{yy:02}{m:02}{d:02}", e + 1), false),
            (wide(&format!("{}{yy:02}{m:02}{d:02}", e + 1)), false),
            (format!("{letter}{yy:02}{m:02}{d:02}"), true),
            (format!("{name}{yy}年{m}月{d}日"), false),
            (format!("{name}{yy:02}年{m:02}月{d:02}日"), false),
            (wide(&format!("{name}{yy}年{m}月{d}日")), false),
            (format!("{name} {yy}年\u{3000}{m}月 {d}日"), false),
        ];
        if yy == 1 {
            v.push((format!("{}元{m:02}{d:02}", e + 1), false));
            v.push((format!("{letter}元{m:02}{d:02}"), true));
            v.push((wide(&format!("{}元{m:02}{d:02}", e + 1)), false));
            v.push((format!("{name}元年{m}月{d}日"), false));
            v.push((wide(&format!("{name}元年{m:02}月{d:02}日")), false));
        }
        v
    }

    /// `s` read as a date of era `e` (see [`forms`]); text forms by a seireki
    /// item too, which must agree.
    fn read_form(s: &str, letters: bool) -> Result<String, Fail> {
        let r = if letters { wa_letters(s) } else { wa(s) };
        if is_text(s) {
            let sei = run(DateStyle::Seireki, false, s).map(|(o, _)| o);
            assert_eq!(sei, r, "{s}: seireki and wareki items read words alike");
        }
        r
    }

    /// The era boundaries, checked by hand against the 改元 instruments:
    /// - 明治→大正: 明治天皇崩御 1912-07-30, 改元の詔書 the same day (大正元年7月30日);
    ///   明治45年7月30日 is the same day.
    /// - 大正→昭和: 大正天皇崩御 1926-12-25, 改元の詔書 the same day (昭和元年12月25日);
    ///   大正15年12月25日 is the same day.
    /// - 昭和→平成: 元号を改める政令 (昭和64年政令第1号) 施行 1989-01-08; 昭和64年1月7日
    ///   is the last 昭和 day.
    /// - 平成→令和: 元号を改める政令 (平成31年政令第143号) 施行 2019-05-01; 平成31年4月30日
    ///   is the last 平成 day.
    /// - 明治: the solar calendar from 明治6年1月1日 = 1873-01-01 (明治5年太政官布告第337号:
    ///   明治5年12月3日 became 明治6年1月1日); earlier 明治 dates are lunar.
    ///
    /// (era, yy, m, d, the 西暦 day or None when that day is not in the era).
    const BOUNDARIES: &[(usize, u32, u32, u32, Option<u32>)] = &[
        // 明治 → 大正
        (0, 45, 7, 29, Some(19120729)),
        (0, 45, 7, 30, Some(19120730)),
        (0, 45, 7, 31, None),
        (1, 1, 7, 29, None),
        (1, 1, 7, 30, Some(19120730)),
        (1, 1, 7, 31, Some(19120731)),
        // 大正 → 昭和
        (1, 15, 12, 24, Some(19261224)),
        (1, 15, 12, 25, Some(19261225)),
        (1, 15, 12, 26, None),
        (2, 1, 12, 24, None),
        (2, 1, 12, 25, Some(19261225)),
        (2, 1, 12, 26, Some(19261226)),
        // 昭和 → 平成
        (2, 64, 1, 6, Some(19890106)),
        (2, 64, 1, 7, Some(19890107)),
        (2, 64, 1, 8, None),
        (3, 1, 1, 7, None),
        (3, 1, 1, 8, Some(19890108)),
        (3, 1, 1, 9, Some(19890109)),
        // 平成 → 令和
        (3, 31, 4, 29, Some(20190429)),
        (3, 31, 4, 30, Some(20190430)),
        (3, 31, 5, 1, None),
        (4, 1, 4, 30, None),
        (4, 1, 5, 1, Some(20190501)),
        (4, 1, 5, 2, Some(20190502)),
        // 明治: the first solar day
        (0, 6, 1, 1, Some(18730101)),
    ];

    #[test]
    fn every_era_boundary_on_both_sides_in_every_form() {
        for &(e, yy, m, d, day) in BOUNDARIES {
            for (s, letters) in forms(e, yy, m, d) {
                let r = read_form(&s, letters);
                match day {
                    Some(day) => assert_eq!(r, Ok(format!("{day:08}")), "{s}"),
                    None => assert_eq!(reason(r).0, "era-out-of-range", "{s}"),
                }
            }
        }
        // The last lunar day is flagged, never converted.
        for (s, letters) in forms(0, 5, 12, 2) {
            assert_eq!(
                reason(read_form(&s, letters)).0,
                "meiji-lunar-calendar",
                "{s}"
            );
        }
    }

    #[test]
    fn gannen_is_only_year_one_and_needs_an_era() {
        assert_eq!(wa("4元0108").unwrap(), "19890108");
        assert_eq!(wa("平成元年1月8日").unwrap(), "19890108");
        // 元 is no digit: not in the month or day, not without an era
        assert_eq!(reason(wa("401元08")).0, INVALID);
        assert_eq!(reason(wa("元0108")), ("unknown-era", 0));
        assert_eq!(reason(wa("元年1月8日")).0, INVALID);
        assert_eq!(reason(wa("平成元元年1月8日")).0, INVALID);
        assert_eq!(reason(wa("平成0年1月8日")).0, INVALID);
        assert_eq!(reason(wa("平成100年1月8日")).0, INVALID);
        assert_eq!(reason(wa("平成元年0月8日")).0, INVALID);
        assert_eq!(reason(wa("平成元年1月0日")).0, INVALID);
        assert_eq!(reason(wa("平成元年1月8")).0, INVALID);
        assert_eq!(reason(wa("平成元年1月8日x")).0, INVALID);
        assert_eq!(
            reason(wa("89年1月8日")).0,
            INVALID,
            "a year without an era is 4 digits"
        );
        assert_eq!(reason(wa("光文元年1月8日")).0, INVALID);
        // 西暦 in words
        let (o, a) = run(DateStyle::Seireki, false, "1989年1月8日").unwrap();
        assert_eq!(o, "19890108");
        assert!(a.has(Rule::DateTextToDigits) && !a.has(Rule::WarekiToSeireki));
        let (_, a) = run(DateStyle::Seireki, false, "平成元年1月8日").unwrap();
        assert!(a.has(Rule::DateTextToDigits) && a.has(Rule::WarekiToSeireki));
    }

    // ---- an independent oracle of eras (start and last day, by the table above) ----

    /// The eras (index, year in era) day `ymd` belongs to: two on the days of
    /// 改元 that followed a 崩御.
    fn oracle_eras(ymd: u32) -> Vec<(usize, u32)> {
        const SPANS: [(u32, u32); 5] = [
            (18681023, 19120730), // 明治 from 改元 (明治元年9月8日 = 1868-10-23)
            (19120730, 19261225),
            (19261225, 19890107),
            (19890108, 20190430),
            (20190501, 99991231),
        ];
        SPANS
            .iter()
            .enumerate()
            .filter(|(_, (a, b))| (*a..=*b).contains(&ymd))
            .map(|(i, (a, _))| {
                // 明治元年 = 1868 (the era counts its years from 1868-01-01 lunar).
                let first = if i == 0 { 1868 } else { a / 10000 };
                (i, ymd / 10000 - first + 1)
            })
            .collect()
    }

    const DAY_1868_10_23: i64 = -36_959;
    const DAY_2030_12_31: i64 = 22_279;

    #[test]
    fn oracle_range_anchors() {
        assert_eq!(civil(DAY_1868_10_23), (1868, 10, 23));
        assert_eq!(civil(DAY_2030_12_31), (2030, 12, 31));
        assert_eq!(oracle_eras(19120730), [(0, 45), (1, 1)]);
        assert_eq!(oracle_eras(19261225), [(1, 15), (2, 1)]);
        assert_eq!(oracle_eras(19890107), [(2, 64)]);
        assert_eq!(oracle_eras(19890108), [(3, 1)]);
    }

    /// Every day from 明治's 改元 to 2030: 西暦 → 和暦 (in each era it belongs to,
    /// every form) → 西暦 is the same day; 明治1–5年 (before 1873) is flagged as
    /// lunar, never converted.
    #[test]
    fn every_day_1868_to_2030_round_trips_in_each_of_its_eras() {
        let mut both = 0;
        for z in DAY_1868_10_23..=DAY_2030_12_31 {
            let (y, m, d) = civil(z);
            let ymd = y * 10000 + m * 100 + d;
            let eras = oracle_eras(ymd);
            assert!(!eras.is_empty(), "{ymd}");
            both += usize::from(eras.len() == 2);
            for (e, yy) in eras {
                // All forms on the boundaries and on each 1st of the month; the
                // cheap ones every day.
                let all = d == 1 || yy == 1 || BOUNDARIES.iter().any(|b| b.4 == Some(ymd));
                let every = forms(e, yy, m, d);
                let some = if all { &every[..] } else { &every[..1] };
                for (s, letters) in some {
                    let r = read_form(s, *letters);
                    if y < 1873 {
                        // A lunar month has at most 30 days.
                        let why = if d == 31 {
                            INVALID
                        } else {
                            "meiji-lunar-calendar"
                        };
                        assert_eq!(reason(r).0, why, "{s}");
                    } else {
                        assert_eq!(r, Ok(format!("{ymd:08}")), "{s}");
                    }
                }
            }
            // 西暦 in words, the same day.
            if d == 1 || d == 31 {
                let s = format!("{y}年{m}月{d}日");
                let r = run(DateStyle::Seireki, false, &s).map(|(o, _)| o);
                assert_eq!(r, Ok(format!("{ymd:08}")), "{s}");
            }
        }
        assert_eq!(both, 2, "two days belong to two eras");
    }

    // ---- date_policy ----

    /// (input, written, rules) under `keep`; `None` written: refused under keep too.
    fn keep(style: DateStyle, s: &str) -> Result<(String, Applied), Fail> {
        run(style, true, s)
    }

    #[test]
    fn keep_writes_nonexistent_and_unknown_dates_and_marks_them() {
        use Rule::{NonexistentDate as N, UnknownDate as U};
        let wareki = || DateStyle::Wareki(default_eras());
        // (style, input, written, rules that must be set, refused by strict)
        let cases: &[(DateStyle, &str, &str, &[Rule])] = &[
            // not in the calendar: 西暦 digits
            (wareki(), "3500230", "19750230", &[N]),
            (wareki(), "4050229", "19930229", &[N]),
            (wareki(), "4元0230", "19890230", &[N]),
            (
                wareki(),
                "昭和50年2月30日",
                "19750230",
                &[N, Rule::DateTextToDigits],
            ),
            (DateStyle::Seireki, "20230229", "20230229", &[N]),
            (DateStyle::Seireki, "19000229", "19000229", &[N]),
            (
                DateStyle::Seireki,
                "２０２３０２３１",
                "20230231",
                &[N, Rule::FullwidthDigit],
            ),
            (DateStyle::Seireki, "1975年4月31日", "19750431", &[N]),
            // 不詳 with the year known: 西暦 digits, 00 for what is unknown
            (wareki(), "3450000", "19700000", &[U]),
            (wareki(), "3450300", "19700300", &[U]),
            (wareki(), "3450015", "19700015", &[U]),
            (wareki(), "3640100", "19890100", &[U]),
            (wareki(), "4010100", "19890100", &[U]),
            (wareki(), "4元0000", "19890000", &[U]),
            (wareki(), "5010000", "20190000", &[U]),
            (wareki(), "昭和45年月日不詳", "19700000", &[U]),
            (wareki(), "昭和45年不詳", "19700000", &[U]),
            (wareki(), "昭和45年", "19700000", &[U]),
            (wareki(), "昭和45年3月日不詳", "19700300", &[U]),
            (wareki(), "昭和45年3月", "19700300", &[U]),
            (wareki(), "平成元年 月日不詳", "19890000", &[U]),
            (DateStyle::Seireki, "19700000", "19700000", &[U]),
            (DateStyle::Seireki, "19700300", "19700300", &[U]),
            (DateStyle::Seireki, "1970年月日不詳", "19700000", &[U]),
            // year unknown, or 頃: as given
            (wareki(), "年月日不詳", "年月日不詳", &[U]),
            (wareki(), "不詳", "不詳", &[U]),
            (wareki(), "年不詳", "年不詳", &[U]),
            (wareki(), "年不詳3月5日", "年不詳3月5日", &[U]),
            (wareki(), "年不詳2月30日", "年不詳2月30日", &[U, N]),
            (wareki(), "4000315", "4000315", &[U]),
            (wareki(), "4000000", "4000000", &[U]),
            (wareki(), "昭和45年頃", "昭和45年頃", &[U]),
            (wareki(), "昭和４５年３月頃", "昭和４５年３月頃", &[U]),
            (wareki(), "昭和45年3月5日頃", "昭和45年3月5日頃", &[U]),
            (DateStyle::Seireki, "00000315", "00000315", &[U]),
            (DateStyle::Seireki, "1970年頃", "1970年頃", &[U]),
            (DateStyle::Seireki, "年月日不詳", "年月日不詳", &[U]),
        ];
        for (style, s, written, rules) in cases {
            let (o, a) = keep(style.clone(), s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
            assert_eq!(o, *written, "{s}");
            for r in *rules {
                assert!(a.has(*r), "{s}: {r:?} in {a:?}");
            }
            for r in [N, U] {
                assert_eq!(a.has(r), rules.contains(&r), "{s}: {r:?}");
            }
            // strict refuses each as invalid-date
            assert_eq!(reason(run(style.clone(), false, s)).0, INVALID, "{s}");
        }
    }

    #[test]
    fn keep_still_refuses_what_is_no_date() {
        let wareki = || DateStyle::Wareki(default_eras());
        let cases: &[(DateStyle, &str, &str)] = &[
            (wareki(), "3501301", INVALID),
            (wareki(), "3500132", INVALID),
            (wareki(), "3640108", "era-out-of-range"),
            (wareki(), "3640200", "era-out-of-range"),
            (wareki(), "4010107", "era-out-of-range"),
            (wareki(), "5010400", "era-out-of-range"),
            (wareki(), "令和元年2月30日", "era-out-of-range"),
            (wareki(), "1030000", "meiji-lunar-calendar"),
            (wareki(), "明治3年頃", "meiji-lunar-calendar"),
            (wareki(), "9500230", "unknown-era"),
            (wareki(), "昭和45年13月", INVALID),
            (wareki(), "昭和45年頃頃", INVALID),
            (wareki(), "不詳不詳", INVALID),
            (wareki(), "昭和年不詳", INVALID),
            (DateStyle::Seireki, "20231301", INVALID),
            (DateStyle::Seireki, "20230132", INVALID),
            (DateStyle::Seireki, "2023022", INVALID),
        ];
        for (style, s, why) in cases {
            assert_eq!(reason(keep(style.clone(), s)).0, *why, "{s}");
        }
        // the legacy "no date" stays empty under keep
        for (style, s) in [(wareki(), "0000000"), (DateStyle::Seireki, "00000000")] {
            let (o, a) = keep(style, s).unwrap();
            assert_eq!(o, "");
            assert!(a.has(Rule::ZeroDateToEmpty) && !a.has(Rule::UnknownDate));
        }
        // a date that exists is written as under strict, and not marked
        let (o, a) = keep(wareki(), "4040229").unwrap();
        assert_eq!(o, "19920229");
        assert!(!a.has(Rule::NonexistentDate) && !a.has(Rule::UnknownDate));
        let (o, a) = keep(DateStyle::Seireki, "20240229").unwrap();
        assert_eq!((o.as_str(), a), ("20240229", Applied::default()));
    }

    #[test]
    fn strict_says_where_and_for_words_that_keep_would_hold_it() {
        let cases = [
            ("3500230", 5, "存在しない日付", false),
            ("3450000", 3, "月が1月〜12月", false),
            ("3450300", 5, "存在しない日付", false),
            ("4000315", 1, "和暦の年が00", false),
            ("昭和45年月日不詳", 5, "不詳", true),
            ("昭和45年頃", 5, "頃", true),
            ("年月日不詳", 0, "不詳", true),
        ];
        for (s, at, says, keep) in cases {
            let e = run(DateStyle::Wareki(default_eras()), false, s).unwrap_err();
            assert_eq!(e.reason, INVALID, "{s}");
            assert_eq!(s[..e.at].chars().count(), at, "{s}");
            assert!(e.detail.contains(says), "{s}: {}", e.detail);
            assert_eq!(e.detail.contains("keep"), keep, "{s}: {}", e.detail);
        }
    }
}
