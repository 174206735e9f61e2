//! The words of layout definition sheets: column headings, type words, required
//! marks and code value lists, as Japanese official and vendor sheets write them.
//!
//! Everything is compared after [`norm`]: NFKC (full-width letters and digits to
//! ASCII, half-width kana to full-width), whitespace removed, ASCII lowercased.
//! NFKC is safe here: these strings are only compared, never written out.

use crate::layout::{DateStyle, FieldType, KanaScript};
use unicode_normalization::UnicodeNormalization;

/// What a column of the sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Number,
    Name,
    Type,
    Length,
    Required,
    Codes,
    Note,
    Offset,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Number => "項番",
            Role::Name => "項目名",
            Role::Type => "型",
            Role::Length => "桁数",
            Role::Required => "必須",
            Role::Codes => "コード値",
            Role::Note => "備考",
            Role::Offset => "開始位置",
        }
    }
}

pub fn norm(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Headings, exact after [`norm`] and after dropping a bracketed tail such as
/// 桁数（バイト） or 必須(○).
const HEADINGS: &[(Role, &[&str])] = &[
    (
        Role::Number,
        &[
            "項番",
            "項目番号",
            "項目no",
            "項目no.",
            "no",
            "no.",
            "番号",
            "#",
            "連番",
            "項目id",
            "seq",
        ],
    ),
    (
        Role::Name,
        &[
            "項目名",
            "項目名称",
            "データ項目名",
            "名称",
            "項目",
            "論理名",
            "フィールド名",
            "項目名(日本語)",
            "name",
        ],
    ),
    (
        Role::Type,
        &[
            "型",
            "データ型",
            "属性",
            "データ属性",
            "型属性",
            "種別",
            "文字種",
            "文字種別",
            "データタイプ",
            "タイプ",
            "形式",
            "データ形式",
            "type",
        ],
    ),
    (
        Role::Length,
        &[
            "桁数",
            "長さ",
            "最大桁数",
            "桁",
            "バイト数",
            "サイズ",
            "最大長",
            "文字数",
            "最大文字数",
            "最大バイト数",
            "レングス",
            "length",
        ],
    ),
    (
        Role::Required,
        &[
            "必須",
            "必須区分",
            "必須項目",
            "必須有無",
            "必須/任意",
            "必須・任意",
            "必須フラグ",
            "必須可否",
            "required",
        ],
    ),
    (
        Role::Codes,
        &[
            "コード値",
            "コード",
            "値",
            "設定値",
            "区分値",
            "コード定義",
            "値の範囲",
            "取りうる値",
            "許容値",
            "コード一覧",
            "コード内容",
            "codes",
        ],
    ),
    (
        Role::Note,
        &[
            "備考",
            "説明",
            "補足",
            "摘要",
            "内容",
            "記述内容",
            "注記",
            "note",
        ],
    ),
    (
        Role::Offset,
        &[
            "開始位置",
            "位置",
            "開始",
            "オフセット",
            "相対位置",
            "開始バイト",
            "offset",
        ],
    ),
];

/// The role of a heading cell, if it is one.
pub fn role_of(heading: &str) -> Option<Role> {
    let n = norm(heading);
    if n.is_empty() {
        return None;
    }
    let stripped = strip_bracket_tail(&n);
    for key in [n.as_str(), stripped] {
        for (role, words) in HEADINGS {
            if words.contains(&key) {
                return Some(*role);
            }
        }
    }
    None
}

/// "桁数(バイト)" → "桁数"; brackets are ASCII after NFKC, 【】 and 「」 stay.
fn strip_bracket_tail(s: &str) -> &str {
    match s.find(['(', '[', '【']) {
        Some(i) if i > 0 => &s[..i],
        _ => s,
    }
}

/// True when the length heading says the unit is bytes.
pub fn says_bytes(heading: &str) -> bool {
    let n = norm(heading);
    n.contains("バイト") || n.contains("byte")
}

/// What a type word means for ikou.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeWord {
    pub kind: FieldType,
    pub date: Option<DateStyle>,
    pub kana: Option<KanaScript>,
    /// A length written inside the type word (COBOL-style `X(10)`, `9(8)`).
    pub length: Option<usize>,
}

impl TypeWord {
    fn of(kind: FieldType) -> TypeWord {
        TypeWord {
            kind,
            date: None,
            kana: None,
            length: None,
        }
    }
}

const TYPE_WORDS: &[(&[&str], FieldType)] = &[
    (
        &[
            "文字",
            "文字列",
            "漢字",
            "全角",
            "全角文字",
            "全角文字列",
            "混在",
            "混在文字",
            "日本語",
            "半角",
            "半角文字",
            "英数",
            "英数字",
            "半角英数",
            "半角英数字",
            "英字",
            "全半角",
            "全角半角混在",
            "x",
            "n",
            "nchar",
            "char",
            "varchar",
            "nvarchar",
            "varchar2",
            "nvarchar2",
            "string",
            "text",
            "文字型",
            "可変長文字",
            "固定長文字",
            "文字列型",
        ],
        FieldType::Text,
    ),
    (
        &[
            "カナ",
            "全角カナ",
            "半角カナ",
            "カタカナ",
            "全角カタカナ",
            "半角カタカナ",
            "かな",
            "フリガナ",
            "kana",
        ],
        FieldType::Kana,
    ),
    (
        &[
            "数字",
            "数字列",
            "半角数字",
            "9",
            "数字(文字)",
            "数字文字列",
            "digits",
            "年月",
            "年",
            "月",
            "日",
            "時刻",
            "時分",
            "時分秒",
            "日時",
            "年度",
        ],
        FieldType::Digits,
    ),
    (
        &[
            "数値",
            "数",
            "整数",
            "金額",
            "数量",
            "小数",
            "number",
            "numeric",
            "decimal",
            "integer",
            "int",
            "数値型",
            "符号付数値",
            "符号付き数値",
        ],
        FieldType::Number,
    ),
    (
        &[
            "日付",
            "年月日",
            "日付型",
            "date",
            "西暦日付",
            "西暦年月日",
            "西暦",
        ],
        FieldType::Date,
    ),
    (
        &["コード", "区分", "コード値", "code", "区分コード"],
        FieldType::Code,
    ),
];

/// Interprets a type cell. None: not a word ikou knows.
pub fn type_word(cell: &str) -> Option<TypeWord> {
    let n = norm(cell);
    if let Some(t) = cobol_picture(&n) {
        return Some(t);
    }
    // These decide wherever they are written: 日付（和暦）, 全角ひらがな.
    if n.contains("ひらがな") || n.contains("平仮名") {
        return Some(TypeWord {
            kana: Some(KanaScript::Hiragana),
            ..TypeWord::of(FieldType::Kana)
        });
    }
    if n.contains("和暦") {
        return Some(TypeWord {
            date: Some(DateStyle::Wareki),
            ..TypeWord::of(FieldType::Date)
        });
    }
    let n = strip_bracket_tail(&n);
    for (words, kind) in TYPE_WORDS {
        if words.contains(&n) {
            let mut t = TypeWord::of(*kind);
            if n.starts_with("西暦") {
                t.date = Some(DateStyle::Seireki);
            }
            return Some(t);
        }
    }
    // Longer words: the most specific part decides (カナ文字 is kana, 日付文字列 a date).
    let contains = |ws: &[&str]| ws.iter().any(|w| n.contains(w));
    let kind = if contains(&["カナ", "かな"]) {
        FieldType::Kana
    } else if contains(&["日付", "年月日"]) {
        FieldType::Date
    } else if contains(&["金額", "数値"]) {
        FieldType::Number
    } else if contains(&["数字"]) {
        FieldType::Digits
    } else if contains(&["コード", "区分"]) {
        FieldType::Code
    } else if contains(&["文字", "漢字", "英数"]) {
        FieldType::Text
    } else {
        return None;
    };
    Some(TypeWord::of(kind))
}

/// `x(10)`, `9(8)`, `n(20)` (after [`norm`]).
fn cobol_picture(n: &str) -> Option<TypeWord> {
    let (pic, rest) = n.split_at_checked(1)?;
    let len: usize = rest.strip_prefix('(')?.strip_suffix(')')?.parse().ok()?;
    let kind = match pic {
        "x" | "n" => FieldType::Text,
        "9" => FieldType::Digits,
        _ => return None,
    };
    Some(TypeWord {
        length: Some(len),
        ..TypeWord::of(kind)
    })
}

/// A required cell: Some(true/false), None when the mark is not understood.
pub fn required(cell: &str) -> Option<bool> {
    let n = norm(cell);
    let yes = [
        "○", "◯", "〇", "●", "◎", "必須", "必", "y", "yes", "true", "1", "required", "m", "要",
        "レ", "✓", "✔", "有",
    ];
    // 条件付き必須 (△) cannot be checked record by record: optional for ikou.
    let no = [
        "",
        "×",
        "x",
        "-",
        "−",
        "―",
        "ー",
        "任意",
        "n",
        "no",
        "false",
        "0",
        "optional",
        "o",
        "省略可",
        "可",
        "△",
        "▲",
        "条件付き",
        "条件付必須",
        "条件付き必須",
        "無",
        "なし",
    ];
    if yes.contains(&n.as_str()) {
        Some(true)
    } else if no.contains(&n.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// A length cell: Ok(None) when empty or variable, Ok(Some((digits, decimals)))
/// for `15`, `15桁`, `8バイト`, `7,2`, `7.2`; Err when not understood.
pub fn length(cell: &str) -> Result<Option<(usize, usize)>, ()> {
    let n = norm(cell);
    let n = n
        .trim_end_matches("bytes")
        .trim_end_matches("byte")
        .trim_end_matches("バイト")
        .trim_end_matches("桁")
        .trim_end_matches("文字")
        .trim_end_matches('b');
    if n.is_empty() || matches!(n, "可変" | "-" | "−" | "―" | "ー" | "*" | "任意") {
        return Ok(None);
    }
    if let Ok(d) = n.parse::<usize>() {
        return Ok(Some((d, 0)));
    }
    for sep in [',', '.', '、'] {
        if let Some((a, b)) = n.split_once(sep)
            && let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>())
        {
            return Ok(Some((a, b)));
        }
    }
    Err(())
}

/// The allowed values in a コード値 cell: `1:男 2:女`, `1=男、2=女`, `1,2,9`,
/// `01 明治` on separate lines, ranges `01～47`. Text without codes (別表参照) gives none.
pub fn codes(cell: &str) -> Vec<String> {
    let n: String = cell.nfkc().collect();
    let mut out: Vec<String> = Vec::new();
    let mut push = |c: String| {
        if !out.contains(&c) {
            out.push(c);
        }
    };
    let separators = |c: char| {
        c.is_whitespace() || matches!(c, ',' | '、' | ';' | '/' | '・' | '|' | '，' | '；')
    };
    for token in n.split(separators).filter(|t| !t.is_empty()) {
        if let Some(range) = code_range(token) {
            range.into_iter().for_each(&mut push);
            continue;
        }
        let code: String = token
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if code.is_empty() {
            continue;
        }
        // "1:男", "1=男", "1.男", "1)男", "1男" and a bare "1" are codes; "2020年" too,
        // but a word such as "別表1" is not (it does not start with the code).
        push(code);
    }
    out
}

/// `01～47`, `1-9`: every number between, keeping the start's width (at most 1000 values).
fn code_range(token: &str) -> Option<Vec<String>> {
    let (a, b) = token.split_once(['～', '〜', '~', '-', '–'])?;
    let (x, y): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    if y < x || y - x >= 1000 || !a.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let width = if a.len() == b.len() { a.len() } else { 0 };
    Some((x..=y).map(|v| format!("{v:0width$}")).collect())
}

/// Items that are gaps in a fixed-length record (not converted).
pub fn is_filler(name: &str) -> bool {
    matches!(
        norm(name).as_str(),
        "予備" | "空き" | "空白" | "リザーブ" | "reserve" | "reserved" | "filler" | "未使用"
    )
}

/// Items holding the 個人番号, which must never be shown.
pub fn is_personal_number(name: &str) -> bool {
    let n = norm(name);
    n.contains("個人番号") || n.contains("マイナンバー")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_as_sheets_write_them() {
        for (h, r) in [
            ("項番", Role::Number),
            ("項目\n番号", Role::Number),
            ("Ｎｏ．", Role::Number),
            ("項目名", Role::Name),
            ("項目名称", Role::Name),
            ("データ型", Role::Type),
            ("属性", Role::Type),
            ("桁数", Role::Length),
            ("桁数（バイト）", Role::Length),
            ("必須", Role::Required),
            ("必須(○)", Role::Required),
            ("コード値", Role::Codes),
            ("備考", Role::Note),
            ("開始位置", Role::Offset),
        ] {
            assert_eq!(role_of(h), Some(r), "{h}");
        }
        assert_eq!(role_of("宛名番号"), None);
        assert_eq!(role_of(""), None);
        assert!(says_bytes("桁数（バイト）") && !says_bytes("桁数"));
    }

    #[test]
    fn type_words() {
        let k = |s| type_word(s).map(|t| t.kind);
        assert_eq!(k("文字"), Some(FieldType::Text));
        assert_eq!(k("全角文字"), Some(FieldType::Text));
        assert_eq!(k("漢字"), Some(FieldType::Text));
        assert_eq!(k("ｶﾅ"), Some(FieldType::Kana));
        assert_eq!(k("半角カナ"), Some(FieldType::Kana));
        assert_eq!(k("カナ文字"), Some(FieldType::Kana));
        assert_eq!(k("数字"), Some(FieldType::Digits));
        assert_eq!(k("９"), Some(FieldType::Digits));
        assert_eq!(k("数値"), Some(FieldType::Number));
        assert_eq!(k("金額"), Some(FieldType::Number));
        assert_eq!(k("日付"), Some(FieldType::Date));
        assert_eq!(k("コード"), Some(FieldType::Code));
        assert_eq!(k("区分"), Some(FieldType::Code));
        assert_eq!(k("画像"), None);
        let h = type_word("ひらがな").unwrap();
        assert_eq!(
            (h.kind, h.kana),
            (FieldType::Kana, Some(KanaScript::Hiragana))
        );
        let w = type_word("日付（和暦）").unwrap();
        assert_eq!((w.kind, w.date), (FieldType::Date, Some(DateStyle::Wareki)));
        assert_eq!(type_word("西暦").unwrap().date, Some(DateStyle::Seireki));
        let p = type_word("9(8)").unwrap();
        assert_eq!((p.kind, p.length), (FieldType::Digits, Some(8)));
        assert_eq!(type_word("X（１０）").unwrap().length, Some(10));
    }

    #[test]
    fn required_marks() {
        for y in ["○", "◯", "〇", "必須", "Y", "ｙ", "1", "TRUE"] {
            assert_eq!(required(y), Some(true), "{y}");
        }
        for n in ["", " ", "×", "-", "任意", "N", "0", "FALSE", "△"] {
            assert_eq!(required(n), Some(false), "{n:?}");
        }
        assert_eq!(required("たぶん"), None);
    }

    #[test]
    fn lengths() {
        assert_eq!(length("15"), Ok(Some((15, 0))));
        assert_eq!(length("１５"), Ok(Some((15, 0))));
        assert_eq!(length("8バイト"), Ok(Some((8, 0))));
        assert_eq!(length("40桁"), Ok(Some((40, 0))));
        assert_eq!(length("7,2"), Ok(Some((7, 2))));
        assert_eq!(length("9.3"), Ok(Some((9, 3))));
        assert_eq!(length(""), Ok(None));
        assert_eq!(length("可変"), Ok(None));
        assert_eq!(length("たくさん"), Err(()));
    }

    #[test]
    fn code_lists() {
        assert_eq!(codes("1:男 2:女"), ["1", "2"]);
        assert_eq!(codes("1：男、2：女、9：不明"), ["1", "2", "9"]);
        assert_eq!(codes("1=男\n2=女"), ["1", "2"]);
        assert_eq!(codes("1,2,9"), ["1", "2", "9"]);
        assert_eq!(codes("01 明治\n02 大正\n03 昭和"), ["01", "02", "03"]);
        assert_eq!(codes("１：男　２：女"), ["1", "2"]);
        assert_eq!(codes("A:あり B:なし"), ["A", "B"]);
        assert_eq!(codes("01～03"), ["01", "02", "03"]);
        assert!(codes("別表参照").is_empty());
        assert!(codes("").is_empty());
    }

    #[test]
    fn fillers_and_personal_numbers() {
        assert!(is_filler("予備") && is_filler("FILLER") && !is_filler("予備校"));
        assert!(is_personal_number("個人番号") && is_personal_number("世帯主の個人番号"));
        assert!(!is_personal_number("宛名番号"));
    }
}
