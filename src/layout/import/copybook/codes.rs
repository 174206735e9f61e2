//! The values of 88 entries as the `codes` of their item: the text the item holds
//! for each value (numbers padded with zeros to the item's digits), THRU ranges
//! listed, SPACE left out (an empty value always passes).

use super::entry::Value;
use super::pic::CodeBase;
use super::{MAX_CODE_CHARS, MAX_CODES, shown};

/// Whether a value can be compared as a code (the cleanser compares values after
/// trimming spaces and making 全角数字 ASCII).
fn clean_code(s: &str) -> bool {
    let pad = |c: char| matches!(c, ' ' | '\u{3000}' | '\0');
    !s.is_empty()
        && !s.starts_with(pad)
        && !s.ends_with(pad)
        && !s.chars().any(|c| ('０'..='９').contains(&c))
        && !s.chars().any(char::is_control)
}

/// One 88 value as the code the item's text holds (None: SPACE, an empty value).
pub(super) fn code_of(v: &Value, base: CodeBase) -> Result<Option<String>, String> {
    let (CodeBase::Text(len) | CodeBase::Digits(len)) = base;
    if len > MAX_CODE_CHARS {
        return Err(format!(
            "長さ {len} の項目は codes にしません（{MAX_CODE_CHARS} 文字まで）"
        ));
    }
    match (v, base) {
        (Value::Space, _) => Ok(None),
        (Value::Zero, CodeBase::Text(n) | CodeBase::Digits(n)) => Ok(Some("0".repeat(n))),
        (Value::Other(what), _) => Err(format!("値 {} は文字で書けません", shown(what))),
        (Value::Text(s), CodeBase::Text(n)) => {
            let s = s.trim_end_matches(' ');
            if s.is_empty() {
                return Ok(None);
            }
            if s.chars().count() > n {
                return Err(format!("値「{}」が項目の長さ {n} より長いです", shown(s)));
            }
            if !clean_code(s) {
                return Err(format!(
                    "値「{}」は前の空白か全角数字があるため codes と比べられません",
                    shown(s)
                ));
            }
            Ok(Some(s.to_string()))
        }
        (Value::Number(s), CodeBase::Text(n)) => {
            if s.chars().count() > n {
                return Err(format!("値 {} が項目の長さ {n} より長いです", shown(s)));
            }
            Ok(Some(s.clone()))
        }
        (Value::Text(s) | Value::Number(s), CodeBase::Digits(n)) => {
            let digits = s.strip_prefix('+').unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("値 {} は符号なしの整数ではありません", shown(s)));
            }
            let digits = digits.trim_start_matches('0');
            if digits.len() > n {
                return Err(format!("値 {} が項目の桁数 {n} より長いです", shown(s)));
            }
            Ok(Some(format!("{digits:0>n$}")))
        }
    }
}

/// The codes of a THRU range: numbers (as digits of the item), or single ASCII
/// characters; at most `room` of them.
pub(super) fn range(
    a: &Value,
    b: &Value,
    base: CodeBase,
    room: usize,
) -> Result<Vec<String>, String> {
    let too_many = || format!("範囲の値が {MAX_CODES} 個を超えます");
    let (Some(from), Some(to)) = (code_of(a, base)?, code_of(b, base)?) else {
        return Err("空白を含む範囲は一覧にできません".into());
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if digits(&from) && digits(&to) && from.len() == to.len() && from.len() <= 18 {
        let (x, y): (u64, u64) = match (from.parse(), to.parse()) {
            (Ok(x), Ok(y)) => (x, y),
            _ => return Err(too_many()),
        };
        if x > y {
            return Err(format!("範囲 {from} THRU {to} が逆です"));
        }
        if y - x >= room as u64 {
            return Err(too_many());
        }
        let w = from.len();
        return Ok((x..=y).map(|v| format!("{v:0>w$}")).collect());
    }
    let one = |s: &str| {
        let mut it = s.chars();
        match (it.next(), it.next()) {
            (Some(c), None) if c.is_ascii_graphic() => Some(c),
            _ => None,
        }
    };
    if let (Some(x), Some(y)) = (one(&from), one(&to)) {
        if x > y {
            return Err(format!("範囲 {from} THRU {to} が逆です"));
        }
        if (y as usize - x as usize) >= room {
            return Err(too_many());
        }
        return Ok((x..=y).map(String::from).collect());
    }
    Err(format!(
        "範囲 {} THRU {} は一覧にできません（同じ桁数の数か1文字どうしの範囲だけです）",
        shown(&from),
        shown(&to)
    ))
}
