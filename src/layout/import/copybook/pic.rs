//! A PICTURE string and a USAGE → what the item is in the record: a layout item
//! (type, bytes, digits, scale, double-byte), a gap of known size (bytes ikou does
//! not convert), or an item whose size is not known.
//!
//! Sizes follow IBM Enterprise COBOL and the Japanese vendors' compilers, which agree
//! on them: DISPLAY a byte a character (N/G two), COMP-3 `digits / 2 + 1` bytes,
//! COMP/COMP-4/BINARY/COMP-5 2, 4 or 8 bytes for 1–4, 5–9 or 10–18 digits.

use crate::layout::FieldType;
use crate::layout::MAX_RECORD_LENGTH;
use crate::layout::import::Severity;

/// The most digits a mainframe number item of the layout has (`digits` is 1–18).
pub const MAX_DIGITS: u32 = 18;

/// What a PICTURE string describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picture {
    /// X, A and 9 mixed, at least one X or A: text of `len` characters.
    Alphanumeric { len: usize },
    /// N or G only: `chars` double-byte characters.
    National { chars: usize },
    /// [S] 9… [V 9…]: a number of `digits` digits, `scale` after the point; `p`
    /// when it has scaling positions (P), which the layout cannot express.
    Numeric {
        signed: bool,
        digits: u32,
        scale: u32,
        p: bool,
    },
    /// Editing symbols (Z * , . + - CR DB $ B 0 / E …): `len` character positions;
    /// `national` when made of N (two bytes each).
    Edited { len: usize, national: bool },
}

/// USAGE of an elementary item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Usage {
    Display,
    /// DISPLAY-1: double-byte (PIC G / PIC N).
    Display1,
    /// NATIONAL (PIC N): UTF-16 on IBM compilers.
    National,
    /// COMP, COMP-4, COMPUTATIONAL, BINARY.
    Binary,
    /// COMP-5 (native binary: the full range of the bytes).
    Comp5,
    /// COMP-3, PACKED-DECIMAL.
    Packed,
    /// COMP-1 (4-byte float), COMP-2 (8-byte float).
    Float(usize),
    /// INDEX, POINTER…: a size set by the compiler, not by the copybook.
    Machine(String),
    /// A vendor usage ikou does not know (COMP-X, COMP-6 …).
    Other(String),
}

impl Usage {
    /// The usage a word names, if it names one.
    pub fn of_word(w: &str) -> Option<Usage> {
        let u = w.to_ascii_uppercase();
        let u = u.replace("COMPUTATIONAL", "COMP");
        Some(match u.as_str() {
            "DISPLAY" => Usage::Display,
            "DISPLAY-1" => Usage::Display1,
            "NATIONAL" => Usage::National,
            "COMP" | "COMP-4" | "BINARY" => Usage::Binary,
            "COMP-5" => Usage::Comp5,
            "COMP-3" | "PACKED-DECIMAL" => Usage::Packed,
            "COMP-1" => Usage::Float(4),
            "COMP-2" => Usage::Float(8),
            "INDEX" | "POINTER" | "POINTER-32" | "PROCEDURE-POINTER" | "FUNCTION-POINTER" => {
                Usage::Machine(u)
            }
            "COMP-6" | "COMP-X" | "COMP-N" | "COMP-0" => Usage::Other(u),
            _ => return None,
        })
    }

    fn word(&self) -> &str {
        match self {
            Usage::Display => "DISPLAY",
            Usage::Display1 => "DISPLAY-1",
            Usage::National => "NATIONAL",
            Usage::Binary => "COMP",
            Usage::Comp5 => "COMP-5",
            Usage::Packed => "COMP-3",
            Usage::Float(4) => "COMP-1",
            Usage::Float(_) => "COMP-2",
            Usage::Machine(w) | Usage::Other(w) => w,
        }
    }
}

/// The SIGN clause of a signed DISPLAY number (default: trailing, in the zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sign {
    pub leading: bool,
    pub separate: bool,
}

/// What 88-level values of the item can become: the item's `codes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeBase {
    /// PIC X DISPLAY of this many characters.
    Text(usize),
    /// Unsigned PIC 9 DISPLAY of this many digits.
    Digits(usize),
}

/// An elementary item of the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub kind: FieldType,
    pub size: usize,
    pub digits: Option<u32>,
    pub scale: Option<u32>,
    pub dbcs: bool,
    /// Set when 88-level values may become the item's `codes`.
    pub codes: Option<CodeBase>,
}

/// An elementary item: an item, a gap of known size, or unknown size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Elem {
    Item(Spec),
    Gap(usize),
    Unknown,
}

impl Elem {
    pub fn size(&self) -> Option<usize> {
        match self {
            Elem::Item(s) => Some(s.size),
            Elem::Gap(n) => Some(*n),
            Elem::Unknown => None,
        }
    }
}

/// Parses a PICTURE character string. Err: why it is not one (in Japanese, for
/// the finding).
pub fn parse(text: &str) -> Result<Picture, String> {
    let chars: Vec<char> = text.chars().map(|c| c.to_ascii_uppercase()).collect();
    let pic = &super::shown(text);
    if chars.is_empty() {
        return Err("`PIC` の文字列がありません".into());
    }
    // Symbols with their repetition, in order.
    let mut syms: Vec<(&'static str, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let sym: &'static str = match (c, next) {
            ('C', Some('R')) => {
                i += 1;
                "CR"
            }
            ('D', Some('B')) => {
                i += 1;
                "DB"
            }
            ('X', _) => "X",
            ('A', _) => "A",
            ('9', _) => "9",
            ('N', _) => "N",
            ('G', _) => "G",
            ('S', _) => "S",
            ('V', _) => "V",
            ('P', _) => "P",
            ('Z', _) => "Z",
            ('*', _) => "*",
            (',', _) => ",",
            ('.', _) => ".",
            ('+', _) => "+",
            ('-', _) => "-",
            ('B', _) => "B",
            ('0', _) => "0",
            ('/', _) => "/",
            ('E', _) => "E",
            // Currency signs: $ and the yen sign (￥, ¥, or \ where a Japanese
            // code page shows it as ¥).
            ('$' | '¥' | '￥' | '\\', _) => "$",
            _ => {
                return Err(format!(
                    "`PIC {pic}` の「{}」は PICTURE の記号ではありません",
                    super::shown(&c.to_string())
                ));
            }
        };
        i += 1;
        let mut count = 1usize;
        if chars.get(i) == Some(&'(') {
            let close = chars[i..]
                .iter()
                .position(|&c| c == ')')
                .ok_or_else(|| format!("`PIC {pic}` の括弧が閉じていません"))?;
            let digits: String = chars[i + 1..i + close].iter().collect();
            let digits = digits.trim();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "`PIC {pic}` の括弧の中「{digits}」が数ではありません"
                ));
            }
            count = match digits.parse::<usize>() {
                Ok(0) => return Err(format!("`PIC {pic}` の繰り返し 0 は使えません")),
                Ok(n) if n <= MAX_RECORD_LENGTH => n,
                _ => {
                    return Err(format!(
                        "`PIC {pic}` の繰り返し {digits} は {MAX_RECORD_LENGTH} バイトの上限を超えます"
                    ));
                }
            };
            i += close + 1;
        }
        syms.push((sym, count));
    }
    classify(pic, &syms)
}

fn classify(pic: &str, syms: &[(&'static str, usize)]) -> Result<Picture, String> {
    let count = |want: &[&str]| -> usize {
        syms.iter()
            .filter(|(s, _)| want.contains(s))
            .fold(0usize, |a, (_, n)| a.saturating_add(*n))
    };
    let only = |allowed: &[&str]| syms.iter().all(|(s, _)| allowed.contains(s));
    let too_long = || format!("`PIC {pic}` は {MAX_RECORD_LENGTH} バイトの上限を超えます");
    let bounded = |n: usize| {
        if n > MAX_RECORD_LENGTH {
            Err(too_long())
        } else {
            Ok(n)
        }
    };

    if only(&["X", "A", "9"]) && count(&["X", "A"]) > 0 {
        return Ok(Picture::Alphanumeric {
            len: bounded(count(&["X", "A", "9"]))?,
        });
    }
    if only(&["N"]) || only(&["G"]) {
        return Ok(Picture::National {
            chars: bounded(count(&["N", "G"]))?,
        });
    }
    if only(&["S", "9", "V", "P"]) && count(&["9"]) > 0 {
        // S first and once; V at most once.
        let s_ok = syms
            .iter()
            .enumerate()
            .all(|(i, (s, n))| *s != "S" || (i == 0 && *n == 1));
        let v = syms.iter().filter(|(s, _)| *s == "V").count();
        if !s_ok || v > 1 || count(&["V"]) > 1 {
            return Err(format!("`PIC {pic}` の S は先頭に1つ、V は1つまでです"));
        }
        let mut after_v = false;
        let (mut int, mut frac) = (0usize, 0usize);
        for (s, n) in syms {
            match *s {
                "V" => after_v = true,
                "9" if after_v => frac = frac.saturating_add(*n),
                "9" => int = int.saturating_add(*n),
                _ => {}
            }
        }
        let digits = int.saturating_add(frac);
        // A number longer than any record: refused like any other size past the limit.
        let digits = u32::try_from(bounded(digits)?).map_err(|_| too_long())?;
        let scale = u32::try_from(frac).map_err(|_| too_long())?;
        return Ok(Picture::Numeric {
            signed: count(&["S"]) > 0,
            digits,
            scale,
            p: count(&["P"]) > 0,
        });
    }
    if count(&["S"]) > 0 {
        return Err(format!(
            "`PIC {pic}` の S は 9 と V だけの PICTURE に使います"
        ));
    }
    let width: usize = syms
        .iter()
        .map(|(s, n)| match *s {
            "V" | "P" => 0,
            "CR" | "DB" => n.saturating_mul(2),
            _ => *n,
        })
        .fold(0usize, usize::saturating_add);
    if width == 0 {
        return Err(format!("`PIC {pic}` は長さが 0 です"));
    }
    let national = count(&["N", "G"]) > 0;
    Ok(Picture::Edited {
        len: bounded(width)?,
        national,
    })
}

/// Bytes of a binary item of `digits` digits: 2, 4 or 8.
pub fn binary_bytes(digits: u32) -> Option<usize> {
    match digits {
        1..=4 => Some(2),
        5..=9 => Some(4),
        10..=18 => Some(8),
        _ => None,
    }
}

/// Bytes of a packed item of `digits` digits (the sign takes half a byte).
pub fn packed_bytes(digits: u32) -> usize {
    digits as usize / 2 + 1
}

/// The item an elementary entry describes, with what to tell the user about it.
/// `pic` is the parsed PICTURE (None: no PIC clause), `text` the PICTURE as written.
pub fn elem(
    pic: Option<&Picture>,
    text: &str,
    usage: &Usage,
    sign: Option<Sign>,
) -> (Elem, Vec<(Severity, String)>) {
    let text = &super::shown(text);
    let mut notes = Vec::new();
    let item = |kind, size, digits, scale, dbcs, codes| {
        Elem::Item(Spec {
            kind,
            size,
            digits,
            scale,
            dbcs,
            codes,
        })
    };
    let u = usage.word().to_string();
    let bad_pair = |notes: &mut Vec<(Severity, String)>| {
        notes.push((
            Severity::Skipped,
            format!(
                "`PIC {text}` と `{u}` の組み合わせは解釈できません。長さが分からないため、この後の項目の位置も確かめてください"
            ),
        ));
        Elem::Unknown
    };
    let Some(pic) = pic else {
        return match usage {
            Usage::Float(n) => {
                notes.push((
                    Severity::Skipped,
                    format!(
                        "`{u}`（浮動小数点）は変換できないため、その {n} バイトを空きにしました"
                    ),
                ));
                (Elem::Gap(*n), notes)
            }
            Usage::Machine(_) | Usage::Other(_) => {
                notes.push((
                    Severity::Skipped,
                    format!(
                        "`{u}` の長さはコンパイラが決めるため分かりません。この後の項目の位置も確かめてください"
                    ),
                ));
                (Elem::Unknown, notes)
            }
            _ => {
                notes.push((
                    Severity::Skipped,
                    "`PIC` も下位の項目もないため長さが分かりません。この後の項目の位置も確かめてください"
                        .into(),
                ));
                (Elem::Unknown, notes)
            }
        };
    };
    if let Usage::Other(_) | Usage::Machine(_) = usage {
        notes.push((
            Severity::Skipped,
            format!(
                "`{u}` は読めません（長さも分かりません）。この後の項目の位置も確かめてください"
            ),
        ));
        return (Elem::Unknown, notes);
    }
    if let Usage::Float(n) = usage {
        notes.push((
            Severity::Skipped,
            format!(
                "`{u}`（浮動小数点）は変換できないため、その {n} バイトを空きにしました（`PIC` は使いません）"
            ),
        ));
        return (Elem::Gap(*n), notes);
    }
    let elem = match pic {
        Picture::Alphanumeric { len } => match usage {
            Usage::Display => item(
                FieldType::Text,
                *len,
                None,
                None,
                false,
                Some(CodeBase::Text(*len)),
            ),
            _ => bad_pair(&mut notes),
        },
        Picture::National { chars } => match usage {
            Usage::Display | Usage::Display1 | Usage::National => {
                if *usage == Usage::National {
                    notes.push((
                        Severity::Guessed,
                        "`USAGE NATIONAL` は IBM のコンパイラでは UTF-16 です。ファイルの文字コードの2バイト文字（`dbcs`）としました".into(),
                    ));
                }
                // chars ≤ MAX_RECORD_LENGTH (parse), so doubling cannot wrap.
                item(
                    FieldType::Text,
                    chars.saturating_mul(2),
                    None,
                    None,
                    true,
                    None,
                )
            }
            _ => bad_pair(&mut notes),
        },
        Picture::Numeric {
            signed,
            digits,
            scale,
            p,
        } => numeric(*signed, *digits, *scale, *p, usage, sign, text, &mut notes),
        Picture::Edited { len, national } => match usage {
            Usage::Display | Usage::Display1 if *national => {
                notes.push((
                    Severity::Guessed,
                    format!("編集用の `PIC {text}` は text（2バイト文字）としました"),
                ));
                item(
                    FieldType::Text,
                    len.saturating_mul(2),
                    None,
                    None,
                    true,
                    None,
                )
            }
            Usage::Display => {
                notes.push((
                    Severity::Guessed,
                    format!(
                        "編集用の `PIC {text}` は数値として読まず、{len} 文字の text としました"
                    ),
                ));
                item(FieldType::Text, *len, None, None, false, None)
            }
            _ => bad_pair(&mut notes),
        },
    };
    (elem, notes)
}

#[allow(clippy::too_many_arguments)]
fn numeric(
    signed: bool,
    digits: u32,
    scale: u32,
    p: bool,
    usage: &Usage,
    sign: Option<Sign>,
    text: &str,
    notes: &mut Vec<(Severity, String)>,
) -> Elem {
    let n = digits as usize;
    let text_item = |size| {
        Elem::Item(Spec {
            kind: FieldType::Text,
            size,
            digits: None,
            scale: None,
            dbcs: false,
            codes: None,
        })
    };
    let number = |kind, size| {
        Elem::Item(Spec {
            kind,
            size,
            digits: Some(digits),
            scale: Some(scale),
            dbcs: false,
            codes: None,
        })
    };
    match usage {
        Usage::Display => {
            let sign = if signed {
                sign.unwrap_or_default()
            } else {
                Sign::default()
            };
            if p {
                notes.push((
                    Severity::Guessed,
                    format!(
                        "`PIC {text}` の P（桁位置の調整）は表せないため、数字のままの text としました"
                    ),
                ));
                return text_item(n);
            }
            if sign.separate || sign.leading {
                let size = if sign.separate {
                    n.saturating_add(1)
                } else {
                    n
                };
                let how = match (sign.leading, sign.separate) {
                    (true, true) => "LEADING SEPARATE",
                    (false, true) => "TRAILING SEPARATE",
                    _ => "LEADING",
                };
                notes.push((
                    Severity::Guessed,
                    format!(
                        "`SIGN {how}` の符号付き数字は変換できないため、{size} バイトの text としました（符号は解釈しません）"
                    ),
                ));
                return text_item(size);
            }
            if !signed && scale == 0 {
                return Elem::Item(Spec {
                    kind: FieldType::Digits,
                    size: n,
                    digits: None,
                    scale: None,
                    dbcs: false,
                    codes: Some(CodeBase::Digits(n)),
                });
            }
            if digits > MAX_DIGITS {
                notes.push((
                    Severity::Guessed,
                    format!(
                        "{digits} 桁のゾーン10進数は上限 {MAX_DIGITS} 桁を超えるため、text としました"
                    ),
                ));
                return text_item(n);
            }
            number(FieldType::Zoned, n)
        }
        Usage::Packed => {
            let size = packed_bytes(digits);
            if p || digits > MAX_DIGITS {
                let why = if p {
                    "P（桁位置の調整）は表せない".to_string()
                } else {
                    format!("{digits} 桁は上限 {MAX_DIGITS} 桁を超える")
                };
                notes.push((
                    Severity::Skipped,
                    format!("`PIC {text} COMP-3` の{why}ため、その {size} バイトを空きにしました"),
                ));
                return Elem::Gap(size);
            }
            number(FieldType::Packed, size)
        }
        Usage::Binary | Usage::Comp5 => {
            let Some(size) = binary_bytes(digits) else {
                notes.push((
                    Severity::Skipped,
                    format!(
                        "{digits} 桁の2進数は上限 {MAX_DIGITS} 桁を超えます。長さが分からないため、この後の項目の位置も確かめてください"
                    ),
                ));
                return Elem::Unknown;
            };
            if p {
                notes.push((
                    Severity::Skipped,
                    format!(
                        "`PIC {text}` の P（桁位置の調整）は表せないため、その {size} バイトを空きにしました"
                    ),
                ));
                return Elem::Gap(size);
            }
            if *usage == Usage::Comp5 && !signed {
                notes.push((
                    Severity::Info,
                    format!(
                        "符号なしの `COMP-5` は {size} バイトの全範囲を使えますが、ikou は符号付きとして読みます（最上位ビットが立つ値は負になります）"
                    ),
                ));
            }
            number(FieldType::Binary, size)
        }
        _ => {
            notes.push((
                Severity::Skipped,
                format!(
                    "`PIC {text}` と `{}` の組み合わせは解釈できません。長さが分からないため、この後の項目の位置も確かめてください",
                    usage.word()
                ),
            ));
            Elem::Unknown
        }
    }
}
