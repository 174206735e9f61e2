//! Cleansing (データクレンジング): per item type, normalise what a legacy export writes
//! into the form a standard-compliant system expects, count every change, and refuse
//! what cannot be made valid.
//!
//! Runs after decoding and 外字 mapping and before length/required validation. The
//! rules are chosen by the item's type in the layout, never globally (DOMAIN.md §5):
//!
//! | type     | what happens                                                                |
//! |----------|-----------------------------------------------------------------------------|
//! | all      | trailing U+0020, U+3000 and NUL removed (padding of fixed-length records)    |
//! | first    | the first item: leading U+FEFF removed (a doubled or concatenated BOM)       |
//! | `text`   | nothing else (外字 and variants are mapped before this stage)               |
//! | `kana`   | see `kana.rs`: 半角カナ→全角, 濁点 composed, separators → U+3000, script      |
//! | `digits` | leading spaces removed, 全角数字→半角, anything else refused                 |
//! | `number` | as digits, plus one leading sign and one decimal point, 全角→半角            |
//! | `code`   | leading spaces removed, 全角数字→半角, then the value must be in `codes`     |
//! | `date`   | see `date.rs`: 8-digit 西暦 checked, 和暦 or text converted to 西暦; `keep`  |
//!
//! An empty value (or one that is empty after trimming) is returned empty and never
//! refused: whether the item is required is the caller's check.
//!
//! Counting: [`Cleanser::cleanse`] adds 1 to each rule that changed the value, once
//! per item value (not per character), and only when it returns `Ok`: a refused value
//! goes to the reject file unchanged, so none of its changes happened.
//!
//! Personal data: a [`Defect`] message is built from the item name and fixed texts
//! only; the submodules report a byte offset and a `&'static str`, so no part of a
//! value can reach a message or a log.

mod date;
mod digits;
mod kana;
/// For `ikou reconcile`: whether two values differ only in width.
pub use kana::fold_width;
mod trim;

use crate::layout::{DatePolicy, DateStyle, FieldType, KanaScript, Layout};
use std::fmt;

/// Every cleansing rule. The discriminant is the index into [`RuleCounts`].
///
/// The ids ([`Rule::id`]) appear in `manifest.json` and are a stable interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Rule {
    /// Trailing U+0020 removed.
    TrimTrailingSpace,
    /// Trailing U+3000 removed (DBCS padding of fixed-length records).
    TrimTrailingFullwidthSpace,
    /// Trailing NUL removed (NUL padding).
    TrimNul,
    /// Leading U+0020/U+3000 removed (right-aligned numeric, code and date items only).
    TrimLeadingSpace,
    /// Half-width katakana (U+FF65–U+FF9F) made full-width, ﾞ/ﾟ composed into the letter.
    HalfwidthKana,
    /// A full-width kana followed by ゛/゜ (U+309B/U+309C) or a combining mark
    /// (U+3099/U+309A) written as the one precomposed letter (カ゛→ガ).
    ComposeVoicedMark,
    /// U+0020 between the parts of a kana name written as U+3000.
    SpaceToFullwidth,
    /// ひらがな in a katakana item converted to カタカナ.
    HiraganaToKatakana,
    /// カタカナ in a hiragana item converted to ひらがな.
    KatakanaToHiragana,
    /// 全角数字 (U+FF10–U+FF19) → ASCII digits.
    FullwidthDigit,
    /// ＋, －, − (U+FF0B, U+FF0D, U+2212) → ASCII `+`/`-` in number items.
    FullwidthSign,
    /// ． (U+FF0E) → ASCII `.` in number items.
    FullwidthDecimalPoint,
    /// A date of only zeros (00000000, 0000000), the legacy "no date", made empty.
    ZeroDateToEmpty,
    /// 和暦 (era code + YYMMDD) → 8-digit 西暦.
    WarekiToSeireki,
    /// U+FEFF at the start of a record's first item removed: a second byte-order
    /// mark (the file's own is not data), or one left mid-file by joining files.
    /// Output never starts with a BOM.
    Bom,
    // ---- dates as the standard systems keep them (date_policy, text dates) ----
    /// `date_policy = "keep"`: a date not in the calendar (2月30日, 2月29日 of a
    /// common year) written, not refused.
    NonexistentDate,
    /// `date_policy = "keep"`: a partly or wholly unknown date (年月日不詳, month
    /// or day 00, 頃) written, not refused.
    UnknownDate,
    /// A date written in words (平成元年1月8日, 1989年1月8日) written as 8 digits.
    DateTextToDigits,
    // ---- end dates ----
}

impl Rule {
    /// Every rule, in discriminant order.
    pub const ALL: [Rule; 18] = [
        Rule::TrimTrailingSpace,
        Rule::TrimTrailingFullwidthSpace,
        Rule::TrimNul,
        Rule::TrimLeadingSpace,
        Rule::HalfwidthKana,
        Rule::ComposeVoicedMark,
        Rule::SpaceToFullwidth,
        Rule::HiraganaToKatakana,
        Rule::KatakanaToHiragana,
        Rule::FullwidthDigit,
        Rule::FullwidthSign,
        Rule::FullwidthDecimalPoint,
        Rule::ZeroDateToEmpty,
        Rule::WarekiToSeireki,
        Rule::Bom,
        // dates
        Rule::NonexistentDate,
        Rule::UnknownDate,
        Rule::DateTextToDigits,
    ];
    pub const COUNT: usize = Rule::ALL.len();

    /// Stable kebab-case id (manifest.json, reports).
    pub fn id(self) -> &'static str {
        match self {
            Rule::TrimTrailingSpace => "trim-trailing-space",
            Rule::TrimTrailingFullwidthSpace => "trim-trailing-fullwidth-space",
            Rule::TrimNul => "trim-nul",
            Rule::TrimLeadingSpace => "trim-leading-space",
            Rule::HalfwidthKana => "halfwidth-kana",
            Rule::ComposeVoicedMark => "compose-voiced-mark",
            Rule::SpaceToFullwidth => "space-to-fullwidth",
            Rule::HiraganaToKatakana => "hiragana-to-katakana",
            Rule::KatakanaToHiragana => "katakana-to-hiragana",
            Rule::FullwidthDigit => "fullwidth-digit",
            Rule::FullwidthSign => "fullwidth-sign",
            Rule::FullwidthDecimalPoint => "fullwidth-decimal-point",
            Rule::ZeroDateToEmpty => "zero-date-to-empty",
            Rule::WarekiToSeireki => "wareki-to-seireki",
            Rule::Bom => "bom",
            Rule::NonexistentDate => "nonexistent-date",
            Rule::UnknownDate => "unknown-date",
            Rule::DateTextToDigits => "date-text-to-digits",
        }
    }

    /// Short Japanese label for people (report.html).
    pub fn label_ja(self) -> &'static str {
        match self {
            Rule::TrimTrailingSpace => "末尾の半角空白を除去",
            Rule::TrimTrailingFullwidthSpace => "末尾の全角空白を除去",
            Rule::TrimNul => "末尾のNULを除去",
            Rule::TrimLeadingSpace => "先頭の空白を除去",
            Rule::HalfwidthKana => "半角カナ→全角",
            Rule::ComposeVoicedMark => "濁点・半濁点を合成",
            Rule::SpaceToFullwidth => "半角空白→全角空白",
            Rule::HiraganaToKatakana => "ひらがな→カタカナ",
            Rule::KatakanaToHiragana => "カタカナ→ひらがな",
            Rule::FullwidthDigit => "全角数字→半角",
            Rule::FullwidthSign => "全角符号→半角",
            Rule::FullwidthDecimalPoint => "全角小数点→半角",
            Rule::ZeroDateToEmpty => "ゼロ埋め日付→空",
            Rule::WarekiToSeireki => "和暦→西暦",
            Rule::Bom => "先頭のBOM（U+FEFF）を除去",
            Rule::NonexistentDate => "暦にない日付を保持",
            Rule::UnknownDate => "不詳の日付を保持",
            Rule::DateTextToDigits => "文字で書いた日付→8桁",
        }
    }

    /// The rule with this id (for reading a manifest back).
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }
}

/// How many item values each rule changed. A plain array: cheap to keep one per
/// field (or per field and record) and to merge across threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleCounts([u64; Rule::COUNT]);

impl Default for RuleCounts {
    fn default() -> Self {
        RuleCounts([0; Rule::COUNT])
    }
}

impl RuleCounts {
    pub fn new() -> Self {
        Self::default()
    }

    #[inline]
    pub fn add(&mut self, rule: Rule) {
        self.0[rule as usize] += 1;
    }

    /// Counts `rule` `n` times.
    #[inline]
    pub fn add_n(&mut self, rule: Rule, n: u64) {
        self.0[rule as usize] += n;
    }

    pub fn get(&self, rule: Rule) -> u64 {
        self.0[rule as usize]
    }

    pub fn merge(&mut self, other: &RuleCounts) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }

    /// True when no rule changed anything.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&n| n == 0)
    }

    /// The rules with a non-zero count, in [`Rule::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Rule, u64)> + '_ {
        Rule::ALL.into_iter().zip(self.0).filter(|&(_, n)| n != 0)
    }

    /// Counts each rule of `applied` once.
    #[inline]
    pub fn add_applied(&mut self, applied: Applied) {
        let mut bits = applied.0;
        while bits != 0 {
            self.0[bits.trailing_zeros() as usize] += 1;
            bits &= bits - 1;
        }
    }
}

/// The rules applied to one value: a bit set, so each counts once per value, and
/// so cheap that a caller can keep one per item of a record until it knows whether
/// the record is written ([`RuleCounts::add_applied`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied(u32);

const _: () = assert!(Rule::COUNT <= 32);

impl Applied {
    /// True when no rule changed the value.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The rules other than padding removal (the rules of the item's type).
    #[inline]
    fn without_trims(self) -> Applied {
        const TRIMS: u32 = 1 << Rule::TrimTrailingSpace as u32
            | 1 << Rule::TrimTrailingFullwidthSpace as u32
            | 1 << Rule::TrimNul as u32
            | 1 << Rule::TrimLeadingSpace as u32
            | 1 << Rule::Bom as u32;
        Applied(self.0 & !TRIMS)
    }

    #[inline]
    pub(crate) fn set(&mut self, rule: Rule) {
        self.0 |= 1 << rule as u32;
    }

    /// True when `rule` changed the value.
    #[inline]
    pub fn has(self, rule: Rule) -> bool {
        self.0 & (1 << rule as u32) != 0
    }
}

/// What a type's rule function made of `s`: what it wrote to `out` when it applied
/// a rule, else `s` as it is (the functions write only changed values).
#[cfg(test)]
fn result_of(s: &str, out: String, applied: Applied) -> String {
    if applied.is_empty() {
        s.to_string()
    } else {
        out
    }
}

/// Why a value cannot be made valid. Goes with the record into the reject file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    /// Stable kebab-case id: `not-kana`, `stray-voiced-mark`, `not-digits`,
    /// `not-number`, `unknown-code`, `invalid-date`, `unknown-era`,
    /// `era-out-of-range`, `meiji-lunar-calendar`.
    pub reason: &'static str,
    /// 1-based character position in the item value as given (before trimming).
    pub char_index: usize,
    /// Japanese, `"<item name>: <what is wrong>（N文字目）"`. Never contains the value
    /// or any part of it (personal data).
    pub message: String,
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Defect {}

/// What a submodule reports: offsets and fixed texts only, never value content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fail {
    pub reason: &'static str,
    /// Byte offset of the problem in the slice the submodule was given.
    pub at: usize,
    /// Fixed Japanese text saying what is wrong.
    pub detail: &'static str,
    /// The problem spans from `at` on (a date part, a code), not one character.
    pub from: bool,
}

impl Fail {
    pub(crate) const fn at(reason: &'static str, at: usize, detail: &'static str) -> Fail {
        Fail {
            reason,
            at,
            detail,
            from: false,
        }
    }

    pub(crate) const fn from(reason: &'static str, at: usize, detail: &'static str) -> Fail {
        Fail {
            reason,
            at,
            detail,
            from: true,
        }
    }
}

impl Defect {
    /// `base`: where the submodule's slice starts in `value`.
    #[cold]
    fn new(item: &str, value: &str, fail: Fail, base: usize) -> Defect {
        let at = base + fail.at;
        // Positions count characters as lengths do (an IVS or か゚ is one).
        let char_index = value
            .get(..at)
            .map_or(1, |s| crate::validate::char_count(s) + 1);
        let suffix = if fail.from { "から" } else { "" };
        Defect {
            reason: fail.reason,
            char_index,
            message: format!("{item}: {}（{char_index}文字目{suffix}）", fail.detail),
        }
    }
}

/// The compiled rules of one item.
#[derive(Debug, Clone)]
struct ItemRule {
    name: Box<str>,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Text,
    Kana(KanaScript),
    /// Right-aligned items: leading spaces are padding too.
    Aligned(Strict),
}

/// Items with a fixed grammar.
#[derive(Debug, Clone)]
enum Strict {
    Digits,
    Number,
    /// Allowed values, sorted for binary search (code tables such as 市区町村コード
    /// have thousands of entries).
    Code(Vec<Box<str>>),
    Date(date::DateRule),
}

/// True when the one character `c` is one a clean value of a kana item of
/// `script` holds (a letter of the script, U+3000, ー, ・): for a per-character
/// table ([`Cleanser::only_trims`]'s `kana_chars`).
pub fn is_clean_kana(c: &str, script: KanaScript) -> bool {
    kana::is_clean(c.as_bytes(), script)
}

/// The cleansing rules of a layout, compiled once and shared (read-only) by all
/// worker threads.
#[derive(Debug, Clone)]
pub struct Cleanser {
    items: Vec<ItemRule>,
    /// Per item, its type's check of a value in standard form
    /// ([`Cleanser::only_trims`]): one byte, decided once.
    quick: Vec<Quick>,
}

/// How [`Cleanser::only_trims`] checks a value of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quick {
    /// Any value (only the ends matter).
    Text,
    Kana(KanaScript),
    /// Digits and numbers: ASCII digits only.
    Digits,
    /// An ASCII code of the list.
    Code,
    /// A 西暦 date of 8 ASCII digits.
    Date,
    /// Only an empty value (和暦 dates are always converted).
    Empty,
}

impl Quick {
    fn of(kind: &Kind) -> Quick {
        match kind {
            Kind::Text => Quick::Text,
            Kind::Kana(script) => Quick::Kana(*script),
            Kind::Aligned(Strict::Digits | Strict::Number) => Quick::Digits,
            Kind::Aligned(Strict::Code(_)) => Quick::Code,
            Kind::Aligned(Strict::Date(rule)) => match rule.style {
                date::DateStyle::Seireki => Quick::Date,
                date::DateStyle::Wareki(_) => Quick::Empty,
            },
        }
    }
}

impl Cleanser {
    /// Compiles the rules of every item of `layout`. Err: a setting that could never
    /// match cleansed data (a code or era code with 全角数字 or spaces, an unknown era
    /// name), or a date item without `date`; the message names the item.
    pub fn new(layout: &Layout) -> Result<Self, String> {
        let eras = date::EraTable::new(layout.eras.as_ref())?;
        let mut items = Vec::with_capacity(layout.fields.len());
        for (i, f) in layout.fields.iter().enumerate() {
            let at = || format!("field {} ({:?})", i + 1, f.name);
            let kind = match f.kind {
                FieldType::Text => Kind::Text,
                FieldType::Kana => Kind::Kana(f.kana.unwrap_or_default()),
                FieldType::Digits => Kind::Aligned(Strict::Digits),
                // Mainframe numbers arrive here already as decimal text.
                FieldType::Number | FieldType::Packed | FieldType::Zoned | FieldType::Binary => {
                    Kind::Aligned(Strict::Number)
                }
                FieldType::Code => {
                    if f.codes.is_empty() {
                        return Err(format!("{}: type \"code\" needs a `codes` list", at()));
                    }
                    let mut codes = Vec::with_capacity(f.codes.len());
                    for c in &f.codes {
                        if !digits::is_clean_code(c) {
                            return Err(format!(
                                "{}: code {c:?} can never match: codes are compared after \
                                 trimming spaces and converting 全角数字 to ASCII, so write \
                                 them without spaces and with ASCII digits",
                                at()
                            ));
                        }
                        codes.push(Box::<str>::from(c.as_str()));
                    }
                    codes.sort_unstable();
                    codes.dedup();
                    Kind::Aligned(Strict::Code(codes))
                }
                FieldType::Date => {
                    let style = match f.date {
                        Some(DateStyle::Seireki) => date::DateStyle::Seireki,
                        Some(DateStyle::Wareki) => date::DateStyle::Wareki(eras.clone()),
                        None => {
                            return Err(format!(
                                "{}: type \"date\" needs date = \"seireki\" or \"wareki\"",
                                at()
                            ));
                        }
                    };
                    let keep = f.date_policy == Some(DatePolicy::Keep);
                    Kind::Aligned(Strict::Date(date::DateRule { style, keep }))
                }
            };
            items.push(ItemRule {
                name: f.name.as_str().into(),
                kind,
            });
        }
        let quick = items.iter().map(|item| Quick::of(&item.kind)).collect();
        Ok(Cleanser { items, quick })
    }

    /// Number of items (the layout's fields).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Writes the cleansed value of item `field` into `out` (cleared by the caller;
    /// appended to otherwise), counting every rule applied in `counts`.
    ///
    /// Err: the value cannot be made valid; `out` is then left as it was and
    /// `counts` untouched. Allocates nothing but `out`'s growth and, on Err, the
    /// message.
    ///
    /// Panics if `field` is not an item index of the layout (a caller bug).
    pub fn cleanse(
        &self,
        field: usize,
        value: &str,
        out: &mut String,
        counts: &mut RuleCounts,
    ) -> Result<(), Defect> {
        let applied = self.cleanse_applied(field, value, out)?;
        if applied.is_empty() {
            out.push_str(value);
        }
        counts.add_applied(applied);
        Ok(())
    }

    /// As [`Cleanser::cleanse`], but returns the rules applied instead of counting
    /// them (for callers that count only once the whole record is accepted), and
    /// writes only a changed value: when no rule applied (most values), `out` is
    /// left as it was and the cleansed value is `value` itself, so the caller can
    /// skip a copy.
    pub fn cleanse_applied(
        &self,
        field: usize,
        value: &str,
        out: &mut String,
    ) -> Result<Applied, Defect> {
        let (applied, result) = self.cleanse_padded(field, value, Padding::default(), out)?;
        if let Cleansed::Piece(from, to) = result {
            out.push_str(&value[from..to]);
        }
        Ok(applied)
    }

    /// `Some((applied, end))` when [`Cleanser::cleanse_padded`] (with the same
    /// `pad`) would only remove padding from the end of `value`, or nothing:
    /// the result is `value[..end]`, `applied` holds only the trims (empty:
    /// the value as it is, `end` its length), and it is not refused. None says
    /// nothing (the caller then asks `cleanse_padded`). The padding is trimmed
    /// as there, then the type's fast check of a value already in its
    /// standard form (clean kana, ASCII digits, a known ASCII code, an 8-digit
    /// 西暦 date) instead of the rules' general code.
    ///
    /// `kana_chars`: the caller knows (from the decoder's flags, see
    /// [`is_clean_kana`]) that every non-ASCII character of `value` is one a
    /// clean item of this kana item's script holds; then only its bytes'
    /// high bits are looked at. False: not known.
    #[inline(always)]
    pub fn only_trims(
        &self,
        field: usize,
        value: &str,
        pad: Padding,
        kana_chars: bool,
    ) -> Option<(Applied, usize)> {
        let quick = *self.quick.get(field)?;
        // A BOM starting the record is removed from the front.
        if field == 0 && trim::starts_with_bom(value.as_bytes()) {
            return None;
        }
        let mut applied = Applied::default();
        let b = match value.as_bytes().last() {
            // Most values: one look at the last byte shows no padding (and
            // none was left out when the item was read: its rules count).
            Some(&last) if pad == Padding::default() && !matches!(last, b' ' | 0 | 0x80) => {
                value.as_bytes()
            }
            _ => trim::trailing_padded(value, pad, &mut applied).as_bytes(),
        };
        // Leading padding of a right-aligned item is neither a digit nor in a
        // code list (codes have no spaces: `new`), so the checks below see it.
        // An empty value is never refused (whether it is required is the
        // caller's check).
        let clean = b.is_empty()
            || match quick {
                Quick::Text => true,
                Quick::Kana(script) => {
                    (kana_chars && kana::no_ascii(b)) || kana::is_clean(b, script)
                }
                Quick::Digits => digits::all_ascii_digits(b),
                Quick::Code => match &self.items[field].kind {
                    Kind::Aligned(Strict::Code(codes)) => {
                        b.is_ascii() && digits::is_known(codes, b)
                    }
                    _ => false,
                },
                Quick::Date => date::is_clean(b),
                Quick::Empty => false,
            };
        clean.then_some((applied, b.len()))
    }

    /// [`Cleanser::only_trims`]'s type checks, for all items of a record at
    /// once ([`RecordChecks::failing`]); None for a layout of more than 64
    /// items (one bit each).
    pub(crate) fn record_checks(&self) -> Option<RecordChecks> {
        if self.items.len() > 64 {
            return None;
        }
        let mut c = RecordChecks::default();
        for (i, (quick, item)) in self.quick.iter().zip(&self.items).enumerate() {
            match quick {
                Quick::Text => {}
                Quick::Kana(_) => c.kana.push(i),
                Quick::Digits => c.digits.push(i),
                Quick::Date => c.dates.push(i),
                Quick::Empty => c.empty_only |= 1 << i,
                Quick::Code => {
                    let Kind::Aligned(Strict::Code(codes)) = &item.kind else {
                        c.empty_only |= 1 << i;
                        continue;
                    };
                    // only_trims takes an ASCII value in the list: the ASCII
                    // codes are all it can match.
                    let ascii: Vec<Box<str>> =
                        codes.iter().filter(|c| c.is_ascii()).cloned().collect();
                    let words: Option<Vec<u64>> = match ascii.len() <= 16 {
                        true => ascii.iter().map(|c| code_word(c.as_bytes())).collect(),
                        false => None,
                    };
                    c.codes.push(CodeCheck {
                        item: i,
                        words,
                        ascii,
                    });
                }
            }
        }
        Some(c)
    }

    /// As [`Cleanser::cleanse_applied`], with `pad` known of `value`'s end (found
    /// on the raw bytes of a fixed-length item, so its padding is not looked at
    /// again), and a value that only lost padding is not copied: it is a piece
    /// of `value` ([`Cleansed::Piece`]). The rules applied and the result are
    /// those of [`Cleanser::cleanse_applied`].
    // Not inlined into cleanse_applied: the type rules below are then inlined
    // here, into their one caller (measured: 2% fewer instructions per record).
    #[inline(never)]
    pub fn cleanse_padded(
        &self,
        field: usize,
        value: &str,
        pad: Padding,
        out: &mut String,
    ) -> Result<(Applied, Cleansed), Defect> {
        let item = &self.items[field];
        let mut applied = Applied::default();
        let start = out.len();
        // Where the rules' input starts in `value` (after a removed BOM).
        let lead = if field == 0 {
            trim::bom(value, &mut applied)
        } else {
            0
        };
        let mut body = trim::trailing_padded(&value[lead..], pad, &mut applied);
        // Where `body` starts in `value`.
        let mut from = lead;
        // What a kana item's rules wrote is clean kana.
        let mut clean_kana = false;
        // A type's rules write their result only when they applied a rule of their
        // own; otherwise the result is `body` as it is.
        let result = match &item.kind {
            Kind::Text => Ok(()),
            Kind::Kana(script) => kana::cleanse(body, *script, out, &mut applied)
                .map(|clean| clean_kana = clean)
                .map_err(|f| (f, lead)),
            Kind::Aligned(strict) => {
                let (rest, base) = trim::leading(body, &mut applied);
                body = rest;
                from += base;
                let r = match strict {
                    _ if body.is_empty() => Ok(()),
                    Strict::Digits => digits::digits(body, out, &mut applied),
                    Strict::Number => digits::number(body, out, &mut applied),
                    Strict::Code(codes) => digits::code(body, codes, out, &mut applied),
                    Strict::Date(rule) => date::cleanse(rule, body, out, &mut applied),
                };
                r.map_err(|f| (f, lead + base))
            }
        };
        match result {
            Ok(()) => {
                if !applied.without_trims().is_empty() {
                    let written = match clean_kana {
                        true => Cleansed::CleanKana,
                        false => Cleansed::Written,
                    };
                    return Ok((applied, written));
                }
                // The type's rules changed nothing: the result is `body`.
                out.truncate(start);
                if applied.is_empty() {
                    Ok((applied, Cleansed::Same))
                } else {
                    Ok((applied, Cleansed::Piece(from, from + body.len())))
                }
            }
            Err((fail, base)) => {
                out.truncate(start);
                Err(Defect::new(&item.name, value, fail, base))
            }
        }
    }
}

/// The type checks of [`Cleanser::only_trims`] for a whole record: the items
/// grouped by type once per layout, so that a record's items are checked
/// type by type with no dispatch per item (a jump whose target changes from
/// item to item is mispredicted at almost every item).
#[derive(Debug, Clone, Default)]
pub(crate) struct RecordChecks {
    digits: Vec<usize>,
    kana: Vec<usize>,
    dates: Vec<usize>,
    codes: Vec<CodeCheck>,
    /// Items only an empty value of which is as read (和暦 dates).
    empty_only: u64,
}

impl RecordChecks {
    /// These checks made on other items: check `i` on item `at[i]` (dropped
    /// where `at[i]` is 64 or more: `usize::MAX` for none). For `convert
    /// --to`, whose target items are source items; the caller gives distinct
    /// items, and `at[0] == 0` (the byte order mark is looked for in item 0).
    pub(crate) fn on_items(&self, at: &[usize]) -> RecordChecks {
        let to = |i: usize| at.get(i).copied().filter(|&a| a < 64);
        let list = |v: &[usize]| v.iter().filter_map(|&i| to(i)).collect();
        let empty_only = (0..64)
            .filter(|&i| self.empty_only >> i & 1 != 0)
            .filter_map(to)
            .fold(0, |bits, a| bits | 1 << a);
        RecordChecks {
            digits: list(&self.digits),
            kana: list(&self.kana),
            dates: list(&self.dates),
            codes: self
                .codes
                .iter()
                .filter_map(|c| {
                    Some(CodeCheck {
                        item: to(c.item)?,
                        ..c.clone()
                    })
                })
                .collect(),
            empty_only,
        }
    }
}

/// A code item's list, as [`RecordChecks::failing`] compares it.
#[derive(Debug, Clone)]
struct CodeCheck {
    item: usize,
    /// A short list (at most 16) of short codes (at most 7 bytes) as words
    /// ([`code_word`]), compared all at once.
    words: Option<Vec<u64>>,
    /// The ASCII codes, sorted (as the layout's list), otherwise.
    ascii: Vec<Box<str>>,
}

/// A value of at most 7 bytes as one word: its bytes, and its length in the
/// top byte (so that values with NUL bytes stay apart). None: longer.
#[inline]
fn code_word(b: &[u8]) -> Option<u64> {
    let mut w = [0u8; 8];
    w.get_mut(..b.len())
        .filter(|_| b.len() <= 7)?
        .copy_from_slice(b);
    w[7] = b.len() as u8;
    Some(u64::from_le_bytes(w))
}

/// The bytes of `text` from `start` with `len` bytes, at most 7, as
/// [`code_word`] makes them: one load when eight bytes are there (the rest
/// masked off).
#[inline(always)]
fn word_at(text: &[u8], start: usize, len: usize) -> Option<u64> {
    if len > 7 {
        return None;
    }
    let w = match text.get(start..start.wrapping_add(8)) {
        Some(w) => u64::from_le_bytes(w.try_into().ok()?),
        None => return code_word(text.get(start..start.checked_add(len)?)?),
    };
    let mask = (1u64 << (8 * len)) - 1;
    Some((w & mask) | (len as u64) << 56)
}

impl RecordChecks {
    /// One bit per item of a record (`spans` of `text`, as [`crate::items::Items`]
    /// holds them) that [`Cleanser::only_trims`] with no padding told may not
    /// leave as it is. A clear bit says: item `i` ends in no padding (no
    /// U+0020, NUL or U+3000), is not the first item starting with a BOM,
    /// and is empty or passes its type's check of a value in standard form,
    /// so `only_trims(i, item, Padding::default(), kana_chars)` is
    /// `Some((no rules, its length))`, for a kana item when `kana_chars`
    /// (told by the caller, who checks its characters' flags: here only that
    /// it holds no ASCII is checked). A span not in `text` sets its bit.
    ///
    /// `other(len)`: the caller's checks of the next item (of `len` bytes),
    /// done in the same pass over the items, in order (true sets its bit).
    #[inline(always)]
    pub(crate) fn failing(
        &self,
        text: &[u8],
        spans: &[(usize, usize)],
        mut other: impl FnMut(usize) -> bool,
    ) -> u64 {
        let item = |i: usize| spans.get(i).and_then(|&(a, e)| text.get(a..e));
        let mut bad = 0u64;
        // Every item: its end (a value of a text item needs no other look).
        for (i, &(a, e)) in spans.iter().enumerate() {
            let len = e.wrapping_sub(a);
            // Not in the text: no last byte, taken as NUL (padding: sent on).
            let last = text.get(e.wrapping_sub(1)).copied().unwrap_or(0);
            // U+0020, NUL, or the last byte of U+3000 (0x80): compared
            // without a branch.
            let padded = (len != 0) & ((last & 0x7F == 0) | (last == b' '));
            // A span ending before it starts has a length no text has.
            let inverted = len > isize::MAX as usize;
            bad |= u64::from(padded | inverted | other(len)) << (i & 63);
        }
        if let Some(first) = item(0) {
            bad |= u64::from(trim::starts_with_bom(first));
        }
        if self.empty_only != 0 {
            for (i, &(a, e)) in spans.iter().enumerate() {
                bad |= self.empty_only & u64::from(e != a) << (i & 63);
            }
        }
        // By type; an empty value is never refused (whether it is required
        // is the caller's check).
        for &i in &self.digits {
            bad |= u64::from(fails(item(i), digits::all_ascii_digits)) << (i & 63);
        }
        for &i in &self.kana {
            bad |= u64::from(fails(item(i), kana::no_ascii)) << (i & 63);
        }
        for &i in &self.dates {
            bad |= u64::from(fails(item(i), date::is_clean)) << (i & 63);
        }
        for c in &self.codes {
            let known = match (spans.get(c.item), &c.words) {
                (Some(&(a, e)), _) if e == a => true,
                // No branch per code: the words are compared all at once (a
                // value longer than 7 bytes is none of them).
                (Some(&(a, e)), Some(words)) => word_at(text, a, e.wrapping_sub(a))
                    .is_some_and(|w| words.iter().fold(false, |k, &c| k | (c == w))),
                (Some(&(a, e)), None) => text
                    .get(a..e)
                    .is_some_and(|b| digits::is_known(&c.ascii, b)),
                (None, _) => false,
            };
            bad |= u64::from(!known) << (c.item & 63);
        }
        bad
    }
}

/// Whether item bytes `b` (None: not in the record) fail `check`; an empty
/// value never does.
#[inline(always)]
fn fails(b: Option<&[u8]>, check: impl Fn(&[u8]) -> bool) -> bool {
    match b {
        Some(b) => !b.is_empty() & !check(b),
        None => true,
    }
}

/// Where [`Cleanser::cleanse_padded`] left a cleansed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cleansed {
    /// No rule applied: the value itself.
    Same,
    /// Only padding (or a BOM) was removed: `value[from..to]`, nothing written.
    Piece(usize, usize),
    /// Written to `out`.
    Written,
    /// Written to `out`, and clean kana of the item's script: letters, ー, ・
    /// and U+3000 only ([`is_clean_kana`]).
    CleanKana,
}

/// What is known of a value's end before cleansing: its last `len` bytes are
/// U+0020 and NUL (`spaces`: one at least is U+0020; `nuls`: one at least is
/// NUL). The default knows nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Padding {
    pub len: usize,
    pub spaces: bool,
    pub nuls: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::parse;

    pub(crate) fn layout(fields: &str) -> Layout {
        let text = format!("name = \"t\"\nformat = \"csv\"\n{fields}");
        parse(text.as_bytes(), "t").unwrap()
    }

    /// (output, counts) or the defect.
    fn run(c: &Cleanser, field: usize, v: &str) -> Result<(String, RuleCounts), Defect> {
        let mut out = String::new();
        let mut counts = RuleCounts::new();
        c.cleanse(field, v, &mut out, &mut counts)
            .map(|()| (out, counts))
    }

    fn all_types() -> Cleanser {
        Cleanser::new(&layout(
            r#"
[[fields]]
name = "氏名"
[[fields]]
name = "氏名カナ"
type = "kana"
[[fields]]
name = "宛名番号"
type = "digits"
[[fields]]
name = "金額"
type = "number"
[[fields]]
name = "性別"
type = "code"
codes = ["1", "2", "9"]
[[fields]]
name = "生年月日"
type = "date"
date = "wareki"
"#,
        ))
        .unwrap()
    }

    /// cleanse_padded with the padding told gives what cleanse_applied gives.
    #[test]
    fn told_padding_changes_nothing_but_the_work() {
        let c = all_types();
        let bodies = [
            "",
            "ｱｲ",
            "ｶﾞ 　",
            "１２",
            "+1.5",
            "2",
            "R010508",
            "0000000",
            "\u{FEFF}9",
            "ab",
        ];
        let pads = ["", " ", "\0", "  \0 ", "\0\0", "　 ", " 　\0"];
        for field in 0..c.len() {
            for body in bodies {
                for pad in pads {
                    let v = format!("{body}{pad}");
                    let b = v.as_bytes();
                    let n = b.iter().rev().take_while(|&&x| x == b' ' || x == 0).count();
                    let tail = &b[b.len() - n..];
                    let told = Padding {
                        len: n,
                        spaces: tail.contains(&b' '),
                        nuls: tail.contains(&0),
                    };
                    let mut want = String::new();
                    let a = c.cleanse_applied(field, &v, &mut want);
                    let mut out = String::new();
                    let got = c
                        .cleanse_padded(field, &v, told, &mut out)
                        .map(|(applied, r)| {
                            let text = match r {
                                Cleansed::Same => v.clone(),
                                Cleansed::Piece(from, to) => {
                                    assert!(out.is_empty());
                                    v[from..to].to_string()
                                }
                                Cleansed::Written | Cleansed::CleanKana => out.clone(),
                            };
                            (applied, text)
                        });
                    let want = a.map(|applied| {
                        let text = if applied.is_empty() { v.clone() } else { want };
                        (applied, text)
                    });
                    assert_eq!(got, want, "field {field} {v:?}");
                }
            }
        }
    }

    #[test]
    fn rule_ids_are_unique_kebab_case_and_match_discriminants() {
        let mut seen = std::collections::HashSet::new();
        for (i, r) in Rule::ALL.into_iter().enumerate() {
            assert_eq!(r as usize, i);
            assert!(seen.insert(r.id()));
            assert!(
                r.id().bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                r.id()
            );
            assert!(!r.label_ja().is_empty());
            assert_eq!(Rule::from_id(r.id()), Some(r));
        }
        assert_eq!(Rule::from_id("nope"), None);
    }

    #[test]
    fn rule_counts_add_get_merge_iter() {
        let mut a = RuleCounts::new();
        assert!(a.is_empty());
        a.add(Rule::TrimNul);
        a.add(Rule::TrimNul);
        let mut b = RuleCounts::new();
        b.add(Rule::WarekiToSeireki);
        b.add(Rule::TrimNul);
        a.merge(&b);
        assert_eq!(a.get(Rule::TrimNul), 3);
        assert_eq!(a.get(Rule::WarekiToSeireki), 1);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            vec![(Rule::TrimNul, 3), (Rule::WarekiToSeireki, 1)]
        );
    }

    #[test]
    fn text_is_trimmed_at_the_end_only_each_rule_once() {
        let c = all_types();
        let (out, n) = run(&c, 0, "  山田　太郎 \u{3000} \0\0").unwrap();
        assert_eq!(out, "  山田　太郎");
        assert_eq!(n.get(Rule::TrimTrailingSpace), 1);
        assert_eq!(n.get(Rule::TrimTrailingFullwidthSpace), 1);
        assert_eq!(n.get(Rule::TrimNul), 1);
        assert_eq!(n.iter().count(), 3);
        let (out, n) = run(&c, 0, "山田").unwrap();
        assert_eq!(out, "山田");
        assert!(n.is_empty());
    }

    #[test]
    fn a_bom_starting_the_first_item_is_removed_and_counted() {
        let c = all_types();
        for (value, want) in [
            ("\u{FEFF}山田", "山田"),
            ("\u{FEFF}\u{FEFF}山田 ", "山田"),
            ("\u{FEFF}", ""),
            ("山\u{FEFF}田", "山\u{FEFF}田"),
        ] {
            let (out, n) = run(&c, 0, value).unwrap();
            assert_eq!(out, want, "{value:?}");
            assert_eq!(n.get(Rule::Bom), value.starts_with('\u{FEFF}') as u64);
        }
        // Only the first item starts a record; elsewhere U+FEFF is data, for the
        // item's type to judge.
        assert_eq!(run(&c, 1, "\u{FEFF}ヤマダ").unwrap_err().reason, "not-kana");
        // A defect after a BOM is placed in the value as given.
        let c = Cleanser::new(&layout(
            "[[fields]]\nname = \"宛名番号\"\ntype = \"digits\"\n",
        ))
        .unwrap();
        assert_eq!(
            run(&c, 0, "\u{FEFF}\u{FEFF} 12x").unwrap_err().char_index,
            6
        );
        assert_eq!(run(&c, 0, "\u{FEFF}１２").unwrap().0, "12");
    }

    #[test]
    fn empty_items_stay_empty_for_every_type() {
        let c = all_types();
        for field in 0..c.len() {
            let (out, n) = run(&c, field, "").unwrap();
            assert_eq!(out, "");
            assert!(n.is_empty(), "field {field}");
            let (out, n) = run(&c, field, " \u{3000}\0").unwrap();
            assert_eq!(out, "", "field {field}");
            assert_eq!(n.get(Rule::TrimNul), 1);
        }
    }

    #[test]
    fn out_is_appended_to_and_restored_on_error() {
        let c = all_types();
        let mut out = String::from("keep");
        let mut n = RuleCounts::new();
        c.cleanse(2, "１２", &mut out, &mut n).unwrap();
        assert_eq!(out, "keep12");
        let e = c.cleanse(2, "１２x ", &mut out, &mut n).unwrap_err();
        assert_eq!(out, "keep12");
        assert_eq!(e.reason, "not-digits");
        assert_eq!(e.char_index, 3);
        // counts only for the value that succeeded
        assert_eq!(n.get(Rule::FullwidthDigit), 1);
        assert_eq!(n.get(Rule::TrimTrailingSpace), 0);
    }

    #[test]
    fn defect_messages_name_the_item_and_position_never_the_value() {
        let c = all_types();
        let cases: &[(usize, &str, &str, usize)] = &[
            (1, "ﾔﾏﾀﾞ 太郎", "not-kana", 6),
            (2, " 12三4", "not-digits", 4),
            (3, "1.2.3", "not-number", 4),
            (4, "  7", "unknown-code", 3),
            (5, "4010107", "era-out-of-range", 1),
            (5, "4010230", "invalid-date", 6),
            (5, "1050101", "meiji-lunar-calendar", 1),
            (5, "9010101", "unknown-era", 1),
        ];
        for &(field, value, reason, pos) in cases {
            let e = run(&c, field, value).unwrap_err();
            assert_eq!((e.reason, e.char_index), (reason, pos), "{value}: {e}");
            let name = &c.items[field].name;
            assert!(e.message.starts_with(&format!("{name}: ")), "{e}");
            assert!(e.message.contains(&format!("（{pos}文字目")), "{e}");
            // what is wrong, without the item name and the position
            let detail = &e.message[name.len()..e.message.rfind('（').unwrap()];
            let chars: Vec<char> = value.trim().chars().collect();
            for ch in chars.iter().filter(|c| !c.is_ascii()) {
                assert!(!detail.contains(*ch), "{e} shows {ch:?} of the value");
            }
            for w in chars.windows(3) {
                let w: String = w.iter().collect();
                assert!(!detail.contains(&w), "{e} shows {w:?} of the value");
            }
        }
    }

    #[test]
    fn new_refuses_codes_that_could_never_match() {
        let mut l = layout("[[fields]]\nname = \"性別\"\ntype = \"code\"\ncodes = [\"1\"]\n");
        l.fields[0].codes = vec!["１".into()];
        assert!(Cleanser::new(&l).unwrap_err().contains("性別"));
        l.fields[0].codes = vec![" 1".into()];
        assert!(Cleanser::new(&l).is_err());
        l.fields[0].codes = vec![];
        assert!(Cleanser::new(&l).is_err());
        l.fields[0].codes = vec!["A1".into(), "1".into()];
        let c = Cleanser::new(&l).unwrap();
        assert_eq!(run(&c, 0, "A１").unwrap().0, "A1");
    }

    proptest::proptest! {
        /// The pipeline writes a record as it came when no rule was applied to any
        /// item; that is only right if "no rule applied" means "value unchanged", for
        /// every type and seireki dates too.
        #[test]
        fn no_rule_applied_means_the_value_is_unchanged(
            v in "[0-9０-９a-zｱ-ﾝﾞﾟァ-ヶぁ-んー・ 　\u{0}+\\-．.漢]{0,10}",
            field in 0usize..7,
        ) {
            let mut l = layout(
                "[[fields]]\nname = \"a\"\n[[fields]]\nname = \"b\"\ntype = \"kana\"\n\
                 [[fields]]\nname = \"c\"\ntype = \"digits\"\n[[fields]]\nname = \"d\"\ntype = \"number\"\n\
                 [[fields]]\nname = \"e\"\ntype = \"code\"\ncodes = [\"1\", \"12\", \"a\"]\n\
                 [[fields]]\nname = \"f\"\ntype = \"date\"\ndate = \"seireki\"\n\
                 [[fields]]\nname = \"g\"\ntype = \"kana\"\nkana = \"hiragana\"\n",
            );
            l.fields.truncate(7);
            let c = Cleanser::new(&l).unwrap();
            for v in [v.clone(), "19991231".to_string(), "20000229".to_string()] {
                let mut out = String::new();
                if let Ok(applied) = c.cleanse_applied(field, &v, &mut out) {
                    // Nothing applied: nothing written, and the value stays as given.
                    proptest::prop_assert!(!applied.is_empty() || out.is_empty(), "{v:?} → {out:?} with no rule");
                    out.clear();
                    let mut counts = RuleCounts::new();
                    c.cleanse(field, &v, &mut out, &mut counts).unwrap();
                    proptest::prop_assert!(!applied.is_empty() || out == v, "{v:?} → {out:?} with no rule");
                }
            }
        }
    }

    /// One of each type and variant, for the fast-path tests.
    fn every_kind() -> Cleanser {
        let mut long_codes: Vec<String> = (0..40).map(|n| format!("\"{n:02}\"")).collect();
        long_codes.push("\"A1\"".into());
        Cleanser::new(&layout(&format!(
            "[[fields]]\nname = \"a\"\n\
             [[fields]]\nname = \"b\"\ntype = \"kana\"\n\
             [[fields]]\nname = \"c\"\ntype = \"kana\"\nkana = \"hiragana\"\n\
             [[fields]]\nname = \"d\"\ntype = \"digits\"\n\
             [[fields]]\nname = \"e\"\ntype = \"number\"\n\
             [[fields]]\nname = \"f\"\ntype = \"code\"\ncodes = [\"1\", \"12\", \"a\"]\n\
             [[fields]]\nname = \"g\"\ntype = \"code\"\ncodes = [{}]\n\
             [[fields]]\nname = \"h\"\ntype = \"date\"\ndate = \"seireki\"\n\
             [[fields]]\nname = \"i\"\ntype = \"date\"\ndate = \"seireki\"\ndate_policy = \"keep\"\n\
             [[fields]]\nname = \"j\"\ntype = \"date\"\ndate = \"wareki\"\n\
             [[fields]]\nname = \"k\"\n",
            long_codes.join(", ")
        )))
        .unwrap()
    }

    /// Whether the general path agrees with what the fast check said of `v`
    /// (`pad` told): the same trims applied, `v[..end]` as a piece (or `v`
    /// as it is when nothing applied), nothing written, not refused.
    fn general_agrees(
        c: &Cleanser,
        field: usize,
        v: &str,
        pad: Padding,
        fast: (Applied, usize),
    ) -> bool {
        let (applied, end) = fast;
        let mut out = String::new();
        let r = c.cleanse_padded(field, v, pad, &mut out);
        let want = if applied.is_empty() {
            end == v.len() && r == Ok((applied, Cleansed::Same))
        } else {
            r == Ok((applied, Cleansed::Piece(0, end)))
        };
        want && out.is_empty()
    }

    /// The fast check of a value as read (no padding told) says "unchanged".
    fn fast_unchanged(c: &Cleanser, field: usize, v: &str) -> bool {
        c.only_trims(field, v, Padding::default(), false) == Some((Applied::default(), v.len()))
    }

    fn general_leaves_unchanged(c: &Cleanser, field: usize, v: &str) -> bool {
        general_agrees(
            c,
            field,
            v,
            Padding::default(),
            (Applied::default(), v.len()),
        )
    }

    /// The fast check says "unchanged" for the standard forms of every type
    /// (else it would be no fast path).
    #[test]
    fn standard_values_take_the_fast_path() {
        let c = every_kind();
        for (field, v) in [
            (0, "山田　太郎"),
            (0, ""),
            (1, "ヤマダ　タロウ・ジョーンズ"),
            (2, "やまだ　たろう"),
            (3, "000123456789"),
            (4, "123"),
            (5, "12"),
            (6, "07"),
            (6, "A1"),
            (7, "19510922"),
            (7, "20000229"),
            (8, "20241231"),
            (10, " 先頭の空白"),
        ] {
            assert!(fast_unchanged(&c, field, v), "field {field} {v:?}");
            assert!(
                general_leaves_unchanged(&c, field, v),
                "field {field} {v:?}"
            );
        }
        for (field, v) in [
            (0, "\u{FEFF}山田"),
            (1, "ｱ"),
            (3, " 1"),
            (3, "1 "),
            (3, "１"),
            (4, "-1"),
            (5, "3"),
            (6, "40"),
            (7, "19000229"),
            (7, "20240001"),
            (7, "00000000"),
            (9, "4010108"),
            (10, "x\u{3000}"),
        ] {
            assert!(!fast_unchanged(&c, field, v), "field {field} {v:?}");
        }
    }

    /// For 8 ASCII digits in a 西暦 item, the fast check is exactly the
    /// general rule's "unchanged" (strict or keep): every month and day
    /// around the calendar's edges, leap and common years, year 0.
    #[test]
    fn the_fast_date_check_is_the_general_rule_on_eight_digits() {
        let c = every_kind();
        for y in [0, 1, 4, 100, 400, 1900, 1989, 2000, 2023, 2024, 9999] {
            for m in 0..=19 {
                for d in 0..=39 {
                    let v = format!("{y:04}{m:02}{d:02}");
                    for field in [7, 8] {
                        assert_eq!(
                            fast_unchanged(&c, field, &v),
                            general_leaves_unchanged(&c, field, &v),
                            "field {field} {v}"
                        );
                    }
                    assert!(!fast_unchanged(&c, 9, &v), "wareki {v}");
                }
            }
        }
    }

    proptest::proptest! {
        /// Whenever the fast check says a value is left as it is or only loses
        /// padding, the general path agrees: the same rules applied (so the
        /// same counts), the same piece, nothing written, not refused. For any
        /// mix of the characters the rules look at, padding told or not.
        #[test]
        fn the_fast_check_never_hides_a_change_or_a_refusal(
            v in "[0-9０-９a-zA\u{FEFF}ｱ-ﾝﾞﾟァ-ヶぁ-んー・ 　\u{0}+\\-．.漢゛゜\u{3099}\u{309A}ㇰ]{0,10}",
            digits in "[0-9]{0,9}",
            field in 0usize..11,
        ) {
            let c = every_kind();
            for v in [v, digits] {
                // As a table of the characters would tell it.
                let kana_chars = |script| {
                    v.chars()
                        .filter(|c| !c.is_ascii())
                        .all(|c| is_clean_kana(c.encode_utf8(&mut [0; 4]), script))
                };
                let told = [
                    false,
                    kana_chars(KanaScript::Katakana) && field == 1,
                    kana_chars(KanaScript::Hiragana) && field == 2,
                ];
                // Padding told as a fixed item's bytes show it (spaces and NULs).
                let b = v.as_bytes();
                let n = b.iter().rev().take_while(|&&x| x == b' ' || x == 0).count();
                let tail = &b[b.len() - n..];
                let pads = [
                    Padding::default(),
                    Padding { len: n, spaces: tail.contains(&b' '), nuls: tail.contains(&0) },
                ];
                for kana_chars in told {
                    for pad in pads {
                        if let Some(fast) = c.only_trims(field, &v, pad, kana_chars) {
                            proptest::prop_assert!(
                                general_agrees(&c, field, &v, pad, fast),
                                "field {field} {v:?} {pad:?} {fast:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// [`RecordChecks::failing`] of a record of `values` (items joined by
    /// commas), with no checks of the caller's.
    fn failing_of(c: &Cleanser, values: &[&str]) -> u64 {
        let mut text = String::new();
        let mut spans = Vec::new();
        for v in values {
            if !spans.is_empty() {
                text.push(',');
            }
            spans.push((text.len(), text.len() + v.len()));
            text.push_str(v);
        }
        let checks = c.record_checks().unwrap();
        checks.failing(text.as_bytes(), &spans, |_| false)
    }

    /// The record checks leave clear the bits of the standard forms (else they
    /// would be no fast path), and set those of values only_trims refuses.
    #[test]
    fn the_record_checks_pass_standard_values() {
        let c = every_kind();
        let standard = [
            "山田　太郎",
            "ヤマダ　タロウ",
            "やまだ　たろう",
            "000123456789",
            "123",
            "12",
            "07",
            "19510922",
            "20000229",
            "",
            " 先頭の空白",
        ];
        assert_eq!(failing_of(&c, &standard), 0);
        let mut v = standard;
        for (i, odd) in [
            (0, "\u{FEFF}山田"),
            (0, "山田　"),
            (1, "ヤマダ タロウ"),
            (3, "1 "),
            (3, "１"),
            (5, "3"),
            (5, "123"),
            (6, "40"),
            (7, "19000229"),
            (8, "1951092"),
            (9, "4010108"),
            (10, "x\0"),
        ] {
            v[i] = odd;
            assert_eq!(failing_of(&c, &v), 1 << i, "{i} {odd:?}");
            v[i] = standard[i];
        }
        // A code read near the end of the text (fewer than 8 bytes left).
        let checks = c.record_checks().unwrap();
        let mut spans = [(0, 0); 11];
        spans[5] = (0, 2);
        assert_eq!(checks.failing(b"12", &spans, |_| false), 0);
        assert_eq!(checks.failing(b"13", &spans, |_| false), 1 << 5);
        // A span outside the text, or an item not there, is never told as read.
        spans[10] = (0, 3);
        assert_eq!(checks.failing(b"12", &spans, |_| false), 1 << 10);
        assert_eq!(checks.failing(b"12", &spans[..6], |_| false), 0b111 << 6);
        spans[10] = (3, 2);
        assert_eq!(checks.failing(b"12", &spans, |_| false), 1 << 10);
        spans[10] = (0, 0);
        // The caller's checks set bits too, item by item in order.
        let mut i = 0;
        let third = |_| {
            i += 1;
            i == 3
        };
        assert_eq!(checks.failing(b"12", &spans, third), 1 << 2);
    }

    proptest::proptest! {
        /// A clear bit of the record checks is what only_trims says of the
        /// item (told its kana's characters are clean): as it is, no rule,
        /// for any mix of the characters the rules look at, in any item.
        #[test]
        fn the_record_checks_tell_only_what_only_trims_tells(
            values in proptest::collection::vec(
                "[0-9０-９a1\u{FEFF}ｱﾞァ-ヶぁ-んー 　\u{0}\\-．.漢ム゛\u{309A}]{0,9}",
                11,
            ),
            digits in proptest::collection::vec("(19|20|00)[0-9]{2}(0[0-9]|1[0-3])[0-3][0-9]|[0-9]{1,16}|12|a", 11),
            pick in proptest::collection::vec(proptest::bool::ANY, 11),
        ) {
            let c = every_kind();
            let v: Vec<&str> = (0..11)
                .map(|i| if pick[i] { digits[i].as_str() } else { values[i].as_str() })
                .collect();
            let bad = failing_of(&c, &v);
            for (i, v) in v.iter().enumerate() {
                if bad & (1 << i) == 0 {
                    proptest::prop_assert_eq!(
                        c.only_trims(i, v, Padding::default(), true),
                        Some((Applied::default(), v.len())),
                        "item {} {:?}", i, v
                    );
                }
            }
        }
    }

    #[test]
    fn new_refuses_date_without_style() {
        let mut l = layout("[[fields]]\nname = \"日\"\ntype = \"date\"\ndate = \"seireki\"\n");
        l.fields[0].date = None;
        assert!(Cleanser::new(&l).unwrap_err().contains("日"));
    }
}
