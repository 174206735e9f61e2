//! Layout files: which items a record has, their types and limits.
//!
//! A layout is versioned data (the 中間標準レイアウト仕様 changes several times a
//! year), never code: it is read from a TOML file or from the layouts bundled in
//! the binary (see [`bundled`]). [`import`] makes one from a layout definition
//! sheet; [`show`] describes one for people.

pub mod bundled;
pub mod import;
mod records;
pub mod show;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A parsed and checked layout.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Id used by `--layout`.
    pub name: String,
    #[serde(default)]
    pub title: String,
    /// The version of the specification this layout follows.
    #[serde(default)]
    pub version: String,
    /// What the layout follows and how faithfully (free text, shown by `ikou layouts`).
    #[serde(default)]
    pub note: String,
    pub format: Format,
    /// csv: item separator (one ASCII character).
    #[serde(default = "default_delimiter")]
    pub delimiter: String,
    /// csv: quote character (one ASCII character).
    #[serde(default = "default_quote")]
    pub quote: String,
    /// csv: the first record is a header line, not data.
    #[serde(default)]
    pub header: bool,
    /// fixed: bytes per record, not counting a line end.
    #[serde(default)]
    pub record_length: Option<usize>,
    /// fixed: records are followed by a line end (CRLF or LF).
    #[serde(default)]
    pub newline: bool,
    /// fixed: the mainframe record format: `fb` (fixed blocked, the default:
    /// `record_length` bytes each) or `vb` (each record starts with a 4-byte
    /// record descriptor word: length including the RDW, big-endian, 2 zero bytes).
    #[serde(default)]
    pub recfm: Option<Recfm>,
    /// Era code → era name (明治, 大正, 昭和, 平成, 令和) for `wareki` dates.
    /// Default: 1–5 = 明治…令和.
    #[serde(default)]
    pub eras: Option<BTreeMap<String, String>>,
    /// The items of a record. With `[[records]]`, each record type has its own
    /// and this is left out: after parsing it holds the data types' items (each
    /// name once, in order of first appearance), the names the counts use.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Record types told apart by an item (`[[records]]`): a header, data and a
    /// trailer, each with its own items. Empty: every record is data of `fields`.
    #[serde(default)]
    pub records: Vec<RecordType>,
}

/// One record type of a layout with `[[records]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordType {
    /// Its name (`<stem>.<type>.csv` when several data types are declared).
    #[serde(rename = "type")]
    pub name: String,
    /// `header`, `data` or `trailer`; default: `header` and `trailer` for types
    /// of those names, else `data`.
    #[serde(default)]
    pub kind: Option<RecordKind>,
    /// Which records are of this type.
    pub when: When,
    pub fields: Vec<Field>,
}

/// A record is of a type when the item (or the bytes at `offset`/`length` of a
/// fixed record; the first item of a CSV record) equals `equals`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    #[serde(default)]
    pub item: Option<String>,
    #[serde(default)]
    pub offset: Option<usize>,
    #[serde(default)]
    pub length: Option<usize>,
    pub equals: String,
}

/// What a record type is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    /// Read and checked, never written; at most one, first.
    Header,
    /// Written, each data type to its own output when there are several.
    Data,
    /// Read and checked (its `count_of` / `sum_of` items), never written; last.
    Trailer,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Header => "header",
            RecordKind::Data => "data",
            RecordKind::Trailer => "trailer",
        }
    }
}

impl RecordType {
    pub fn kind(&self) -> RecordKind {
        self.kind.unwrap_or(match self.name.as_str() {
            "header" => RecordKind::Header,
            "trailer" => RecordKind::Trailer,
            _ => RecordKind::Data,
        })
    }
}

/// `sum_of = { type = "data", item = "税額" }`: a header or trailer item that
/// holds the sum of a data item.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SumOf {
    #[serde(rename = "type")]
    pub of_type: String,
    pub item: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Fixed,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: FieldType,
    /// Maximum length: characters (csv) or bytes of the source encoding (fixed).
    #[serde(default)]
    pub length: Option<usize>,
    #[serde(default)]
    pub required: bool,
    /// Shown in reports to locate a record.
    #[serde(default)]
    pub key: bool,
    /// Never shown in reports or logs (個人番号).
    #[serde(default)]
    pub sensitive: bool,
    /// fixed: byte offset of the item in the record.
    #[serde(default)]
    pub offset: Option<usize>,
    /// code: the allowed values.
    #[serde(default)]
    pub codes: Vec<String>,
    /// date: how the source writes it.
    #[serde(default)]
    pub date: Option<DateStyle>,
    /// kana: the script the output must be in (default katakana, as the
    /// 中間標準レイアウト仕様 writes カナ items); the other script is converted.
    #[serde(default)]
    pub kana: Option<KanaScript>,
    /// date: `strict` (default) rejects a date that is not in the calendar;
    /// `keep` writes what it can and counts it (standard systems must hold
    /// 2月30日 and 不詳 forms).
    #[serde(default)]
    pub date_policy: Option<DatePolicy>,
    /// packed / zoned / binary: number of decimal digits (1–18).
    #[serde(default)]
    pub digits: Option<u32>,
    /// packed / zoned / binary: digits after the decimal point.
    #[serde(default)]
    pub scale: Option<u32>,
    /// text / kana in a mainframe encoding: pure double-byte with no shift codes
    /// (COBOL PIC N / PIC G).
    #[serde(default)]
    pub dbcs: bool,
    /// header / trailer item: the number of records of this data type (or of
    /// every data type: `"data"` when no type has that name).
    #[serde(default)]
    pub count_of: Option<String>,
    /// header / trailer item: the sum of an item over the records of a data type.
    #[serde(default)]
    pub sum_of: Option<SumOf>,
    // ---- target layouts (convert --to): where the item's value comes from ----
    /// The source item it is read from (default: the source item of the same name).
    #[serde(default)]
    pub from: Option<String>,
    /// A fixed value, whatever the source holds.
    #[serde(default, rename = "const")]
    pub constant: Option<String>,
    /// Source items joined by `separator` (empty ones left out).
    #[serde(default)]
    pub concat: Option<Vec<String>>,
    /// concat: what goes between two non-empty items (default: nothing).
    #[serde(default)]
    pub separator: Option<String>,
    /// One part of a source item cut at every `on`.
    #[serde(default)]
    pub split: Option<SplitRule>,
    /// Code conversion table (TSV old<TAB>new, relative to the layout file).
    #[serde(default)]
    pub codes_table: Option<String>,
    /// The value when the source value is empty (a target value: not converted).
    #[serde(default)]
    pub default: Option<String>,
    /// codes_table: what a value with no line does (default: reject the record).
    #[serde(default)]
    pub unmapped: Option<UnmappedCode>,
}

/// `split = { from = "氏名", on = "　", part = 1 }`: part is 1-based.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitRule {
    pub from: String,
    pub on: String,
    pub part: usize,
}

/// What a value that its item's code table has no line for does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnmappedCode {
    /// The record is rejected as `unmapped-code` (the default).
    #[default]
    Reject,
    /// The value is written as it is (then checked by the item's type) and counted.
    Keep,
}

impl Field {
    /// Whether the item says where its value comes from (only target layouts do).
    pub fn has_source_rule(&self) -> bool {
        self.from.is_some()
            || self.constant.is_some()
            || self.concat.is_some()
            || self.separator.is_some()
            || self.split.is_some()
            || self.codes_table.is_some()
            || self.default.is_some()
            || self.unmapped.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    #[default]
    Text,
    Kana,
    Digits,
    Number,
    Date,
    Code,
    /// COBOL COMP-3: two digits a byte, the sign in the last nibble.
    Packed,
    /// COBOL zoned decimal (PIC S9 DISPLAY): a digit a byte, the sign in the
    /// zone of the last byte.
    Zoned,
    /// COBOL COMP: big-endian two's complement, 2, 4 or 8 bytes.
    Binary,
}

impl Field {
    /// The bytes a packed, zoned or binary item of its digits takes (None for
    /// the other types, or without digits).
    pub fn number_length(&self) -> Option<usize> {
        let d = self.digits.unwrap_or(0).min(MAX_DIGITS);
        match self.kind {
            FieldType::Packed => Some(crate::items::number::packed_len(d)),
            FieldType::Zoned => Some(crate::items::number::zoned_len(d)),
            FieldType::Binary => Some(crate::items::number::binary_len(d)),
            _ => None,
        }
    }
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Kana => "kana",
            FieldType::Digits => "digits",
            FieldType::Number => "number",
            FieldType::Date => "date",
            FieldType::Code => "code",
            FieldType::Packed => "packed",
            FieldType::Zoned => "zoned",
            FieldType::Binary => "binary",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateStyle {
    /// 8-digit 西暦 YYYYMMDD.
    Seireki,
    /// Era code followed by YYMMDD.
    Wareki,
}

/// The mainframe record format of a fixed layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Recfm {
    /// Fixed-length records (RECFM=FB).
    Fb,
    /// Variable-length records, each after a record descriptor word (RECFM=VB).
    Vb,
}

/// What a date item does with a date that is not in the calendar or is 不詳.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatePolicy {
    /// Reject the record (the default).
    #[default]
    Strict,
    /// Write what can be written and count it.
    Keep,
}

/// The script of a `kana` item's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KanaScript {
    /// 全角カタカナ (the default).
    #[default]
    Katakana,
    /// ひらがな.
    Hiragana,
}

/// Why a layout was refused. The message names the layout and the item.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("cannot read layout {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("layout {path} is not valid TOML for a layout: {message}")]
    Parse { path: String, message: String },
    #[error("layout {path}: {message}")]
    Invalid { path: String, message: String },
    #[error(
        "no layout named {0:?}: give a path to a layout file, or one of the bundled layouts (ikou layouts)"
    )]
    Unknown(String),
}

fn default_delimiter() -> String {
    ",".into()
}
fn default_quote() -> String {
    "\"".into()
}

/// The layout source as recorded in the manifest: the path, or `bundled:<name>`.
#[derive(Debug, Clone)]
pub struct LoadedLayout {
    pub layout: Layout,
    pub origin: String,
    /// The exact bytes the layout was parsed from (hashed into the manifest).
    pub bytes: Vec<u8>,
}

impl LoadedLayout {
    /// The layout in `bytes` (named `name` in messages), recorded as read
    /// from `origin`.
    pub fn parse(bytes: Vec<u8>, name: &str, origin: String) -> Result<LoadedLayout, LayoutError> {
        let layout = parse(&bytes, name)?;
        Ok(LoadedLayout {
            layout,
            origin,
            bytes,
        })
    }
}

/// Loads `spec`: a path to a layout file if one exists there, else a bundled layout name.
pub fn load(spec: &str) -> Result<LoadedLayout, LayoutError> {
    let path = Path::new(spec);
    if path.exists() {
        let bytes = read_bounded(path).map_err(|source| LayoutError::Read {
            path: spec.to_string(),
            source,
        })?;
        return LoadedLayout::parse(bytes, spec, spec.to_string());
    }
    match bundled::get(spec) {
        Some(text) => {
            LoadedLayout::parse(text.as_bytes().to_vec(), spec, format!("bundled:{spec}"))
        }
        None => Err(LayoutError::Unknown(spec.to_string())),
    }
}

/// Bytes per fixed record and per item at most (1 MiB): a layout sheet's records
/// are at most a few thousand bytes, and the splitter holds a whole record in
/// memory, so a larger number is a typo that would make it buffer the file.
pub const MAX_RECORD_LENGTH: usize = 1 << 20;

/// The most digits of a packed, zoned or binary item.
pub const MAX_DIGITS: u32 = crate::items::number::MAX_DIGITS;

/// The longest body of a variable-length record: an RDW's 16-bit length counts
/// its own 4 bytes.
pub const MAX_VB_BODY: usize = u16::MAX as usize - 4;

/// A layout file is at most this many bytes (a layout of thousands of items is
/// well under 1 MiB); more is not a layout, and is not read into memory.
pub const MAX_LAYOUT_FILE: u64 = 16 << 20;

/// Reads a layout file, refusing one larger than [`MAX_LAYOUT_FILE`] (also a
/// device or pipe that never ends) without reading more than one byte past it.
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_LAYOUT_FILE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_LAYOUT_FILE {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB, which no layout file is; give the layout's .toml file",
            MAX_LAYOUT_FILE >> 20
        )));
    }
    Ok(bytes)
}

/// Parses and checks a layout; `path` is only used in messages.
pub fn parse(bytes: &[u8], path: &str) -> Result<Layout, LayoutError> {
    let text = std::str::from_utf8(bytes).map_err(|e| LayoutError::Parse {
        path: path.to_string(),
        message: format!("not UTF-8 ({e})"),
    })?;
    let mut layout: Layout = toml::from_str(text).map_err(|e| LayoutError::Parse {
        path: path.to_string(),
        message: e.to_string(),
    })?;
    let invalid = |message| LayoutError::Invalid {
        path: path.to_string(),
        message,
    };
    if !layout.records.is_empty() {
        layout.check_records().map_err(invalid)?;
        return Ok(layout);
    }
    layout.fill_number_lengths();
    layout.check().map_err(invalid)?;
    Ok(layout)
}

impl Layout {
    /// The item separator as a byte (checked to be ASCII by [`Layout::check`]).
    pub fn delimiter_byte(&self) -> u8 {
        self.delimiter.as_bytes()[0]
    }

    pub fn quote_byte(&self) -> u8 {
        self.quote.as_bytes()[0]
    }

    /// A packed, zoned or binary item's byte length follows from its digits: a
    /// layout may leave `length` out (check() compares a given one).
    fn fill_number_lengths(&mut self) {
        for f in &mut self.fields {
            if f.length.is_none()
                && let (Some(n), Some(d)) = (f.number_length(), f.digits)
                && (1..=MAX_DIGITS).contains(&d)
            {
                f.length = Some(n);
            }
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.fields.is_empty() {
            return Err("the layout has no [[fields]]".into());
        }
        // First, as the items are measured against it.
        if let Some(len) = self.record_length
            && len > MAX_RECORD_LENGTH
        {
            return Err(format!(
                "record_length {len} is above ikou's limit of {MAX_RECORD_LENGTH} bytes (1 MiB) \
                 per fixed-length record; check the number (bytes per record, not per file)"
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, f) in self.fields.iter().enumerate() {
            let at = format!("field {} ({:?})", i + 1, f.name);
            if f.name.trim().is_empty() {
                return Err(format!("field {} has an empty name", i + 1));
            }
            if !seen.insert(f.name.as_str()) {
                return Err(format!("{at}: the name is used twice"));
            }
            if f.length == Some(0) {
                return Err(format!(
                    "{at}: length 0 allows nothing; leave length out for no limit"
                ));
            }
            for (what, v) in [("length", f.length), ("offset", f.offset)] {
                if let Some(v) = v
                    && v > MAX_RECORD_LENGTH
                {
                    return Err(format!(
                        "{at}: {what} {v} is above ikou's limit of {MAX_RECORD_LENGTH} (1 MiB); \
                         check the number (an item is at most a few hundred bytes)"
                    ));
                }
            }
            if f.kind == FieldType::Code && f.codes.is_empty() {
                return Err(format!("{at}: type \"code\" needs a `codes` list"));
            }
            if f.kind == FieldType::Date && f.date.is_none() {
                return Err(format!(
                    "{at}: type \"date\" needs date = \"seireki\" or \"wareki\""
                ));
            }
            // ---- dates: date_policy ----
            if f.date_policy.is_some() && f.kind != FieldType::Date {
                return Err(format!(
                    "{at}: `date_policy` applies only to items of type \"date\", not {:?}; \
                     remove it or set type = \"date\"",
                    f.kind.as_str()
                ));
            }
            // ---- end dates ----
            if f.kana.is_some() && f.kind != FieldType::Kana {
                return Err(format!(
                    "{at}: `kana` applies only to items of type \"kana\", not {:?}",
                    f.kind.as_str()
                ));
            }
            if f.key && f.sensitive {
                return Err(format!(
                    "{at}: an item cannot be both key (shown in reports) and sensitive (never shown)"
                ));
            }
            self.check_mainframe_item(f, &at)?;
            crate::target::check_field(f).map_err(|m| format!("{at}: {m}"))?;
        }
        if self.recfm.is_some() && self.format != Format::Fixed {
            return Err("recfm applies only to format = \"fixed\" layouts".into());
        }
        if self.recfm == Some(Recfm::Vb) {
            if self.newline {
                return Err(
                    "recfm = \"vb\" records are framed by their record descriptor word, not by \
                     line ends: leave newline out"
                        .into(),
                );
            }
            if let Some(len) = self.record_length
                && len > MAX_VB_BODY
            {
                return Err(format!(
                    "record_length {len} is above {MAX_VB_BODY}, the longest body a record \
                     descriptor word can give (65,535 bytes including its 4): check the number"
                ));
            }
        }
        match self.format {
            Format::Csv => {
                for (what, v) in [("delimiter", &self.delimiter), ("quote", &self.quote)] {
                    if v.len() != 1 || !v.is_ascii() || v == "\r" || v == "\n" {
                        return Err(format!(
                            "{what} must be one ASCII character other than a line end, not {v:?}"
                        ));
                    }
                }
                if self.delimiter == self.quote {
                    return Err("delimiter and quote must differ".into());
                }
            }
            Format::Fixed => {
                let len = self
                    .record_length
                    .ok_or("format \"fixed\" needs record_length (bytes per record)")?;
                if len == 0 {
                    return Err("record_length must be at least 1".into());
                }
                for (i, f) in self.fields.iter().enumerate() {
                    let at = format!("field {} ({:?})", i + 1, f.name);
                    let off = f.offset.ok_or_else(|| {
                        format!("{at}: a fixed layout needs offset for every item")
                    })?;
                    let n = f.length.ok_or_else(|| {
                        format!("{at}: a fixed layout needs length for every item")
                    })?;
                    // Both are at most MAX_RECORD_LENGTH (checked above): the sum cannot
                    // wrap, but stay checked in case the bound is ever raised.
                    match off.checked_add(n) {
                        Some(end) if end <= len => {}
                        end => {
                            return Err(format!(
                                "{at}: bytes {off}..{} run past record_length {len}",
                                end.map_or("(beyond any record)".into(), |e| e.to_string())
                            ));
                        }
                    }
                }
                self.check_no_overlap()?;
            }
        }
        if let Some(eras) = &self.eras {
            for (code, era) in eras {
                if !KNOWN_ERAS.contains(&era.as_str()) {
                    return Err(format!(
                        "eras: code {code:?} names {era:?}; the known eras are {}",
                        KNOWN_ERAS.join(", ")
                    ));
                }
            }
        }
        Ok(())
    }

    /// The checks of the mainframe item settings that need no encoding: digits
    /// and scale of numbers, `dbcs` text.
    fn check_mainframe_item(&self, f: &Field, at: &str) -> Result<(), String> {
        let kind = f.kind.as_str();
        match f.number_length() {
            Some(_) => {
                let d = f.digits.ok_or_else(|| {
                    format!("{at}: type {kind:?} needs digits (the number of decimal digits, 1–{MAX_DIGITS})")
                })?;
                if !(1..=MAX_DIGITS).contains(&d) {
                    return Err(format!(
                        "{at}: digits {d} is out of range: a {kind} item has 1 to {MAX_DIGITS} digits"
                    ));
                }
                let scale = f.scale.unwrap_or(0);
                if scale > d {
                    return Err(format!(
                        "{at}: scale {scale} is more than its {d} digits (scale is the digits after the decimal point)"
                    ));
                }
                if self.format != Format::Fixed {
                    return Err(format!(
                        "{at}: type {kind:?} holds bytes, not characters: it needs format = \"fixed\""
                    ));
                }
                // fill_number_lengths() gave a missing length the right one.
                let want = f.number_length().unwrap_or(0);
                if let Some(n) = f.length
                    && n != want
                {
                    return Err(format!(
                        "{at}: length {n} does not match {d} digits of type {kind:?}, which take {want} bytes; \
                         leave length out or give {want}"
                    ));
                }
                if f.dbcs {
                    return Err(format!("{at}: dbcs applies only to text and kana items"));
                }
            }
            None => {
                for (what, v) in [("digits", f.digits), ("scale", f.scale)] {
                    if v.is_some() {
                        return Err(format!(
                            "{at}: {what} applies only to items of type \"packed\", \"zoned\" or \"binary\", not {kind:?}"
                        ));
                    }
                }
            }
        }
        if f.dbcs {
            if !matches!(f.kind, FieldType::Text | FieldType::Kana) {
                return Err(format!(
                    "{at}: dbcs applies only to text and kana items, not {kind:?}"
                ));
            }
            if self.format != Format::Fixed {
                return Err(format!(
                    "{at}: dbcs (pure double-byte, PIC N) needs format = \"fixed\""
                ));
            }
            if let Some(n) = f.length
                && n % 2 != 0
            {
                return Err(format!(
                    "{at}: a dbcs item holds 2 bytes a character: its length {n} must be even"
                ));
            }
        }
        Ok(())
    }

    /// The checks that need the source encoding (call them where it is known,
    /// before any record is read). Err names the item.
    pub fn check_encoding(&self, enc: crate::decode::Encoding) -> Result<(), String> {
        if enc.is_ebcdic() && (self.format == Format::Csv || self.newline) {
            let what = if self.format == Format::Csv {
                "format = \"csv\""
            } else {
                "newline = true"
            };
            return Err(format!(
                "--encoding {enc} is EBCDIC, whose line ends are not ASCII CR/LF: a layout with {what} \
                 cannot frame its records. Use format = \"fixed\" without newline (recfm = \"fb\" or \"vb\"), \
                 or check --encoding"
            ));
        }
        for (i, f) in self.fields.iter().enumerate() {
            let at = format!("field {} ({:?})", i + 1, f.name);
            if f.dbcs && enc.shifts().is_none() {
                return Err(format!(
                    "{at}: dbcs (pure double-byte text without shift codes) needs a mainframe encoding \
                     with shift codes (ibm930…, jef-…, keis-…, jips-…), not --encoding {enc}"
                ));
            }
            if f.number_length().is_some() && enc.unit_width() != 1 {
                return Err(format!(
                    "{at}: type {:?} is a mainframe number in bytes; it cannot be read in --encoding {enc}",
                    f.kind.as_str()
                ));
            }
        }
        Ok(())
    }

    /// Two items of a fixed layout sharing bytes is almost always a typo in an
    /// offset, which would silently duplicate or cut data; refuse it, naming both.
    fn check_no_overlap(&self) -> Result<(), String> {
        let mut spans: Vec<(usize, usize, usize)> = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                // check() has bounded offset + length by record_length.
                let off = f.offset.unwrap_or(0);
                (off, off.saturating_add(f.length.unwrap_or(0)), i)
            })
            .collect();
        spans.sort();
        // The item reaching furthest so far: any later start before its end overlaps it.
        let mut reach: Option<(usize, usize, usize)> = None;
        for s in spans {
            if let Some(r) = reach
                && s.0 < r.1
            {
                let (a, b) = (&self.fields[r.2], &self.fields[s.2]);
                return Err(format!(
                    "field {} ({:?}, bytes {}..{}) overlaps field {} ({:?}, bytes {}..{}): \
                         items of a fixed layout must not share bytes; check their offset and length",
                    s.2 + 1,
                    b.name,
                    s.0,
                    s.1,
                    r.2 + 1,
                    a.name,
                    r.0,
                    r.1
                ));
            }
            if reach.is_none_or(|r| s.1 > r.1) {
                reach = Some(s);
            }
        }
        Ok(())
    }

    /// How records of this layout are framed in the byte stream.
    pub fn framing(&self) -> crate::split::Framing {
        match self.format {
            Format::Csv => crate::split::Framing::Csv {
                delimiter: self.delimiter_byte(),
                quote: self.quote_byte(),
            },
            Format::Fixed if self.recfm == Some(Recfm::Vb) => crate::split::Framing::Variable {
                max_body: self.record_length.unwrap_or(1),
            },
            Format::Fixed => crate::split::Framing::Fixed {
                length: self.record_length.unwrap_or(1),
                newline: self.newline,
            },
        }
    }

    /// Whether some item says where its value comes from: a target layout, for
    /// `convert --to` (see [`crate::target`]).
    pub fn is_target(&self) -> bool {
        self.fields.iter().any(Field::has_source_rule)
    }

    /// Index of the first item marked `key`, if any.
    pub fn key_field(&self) -> Option<usize> {
        self.fields.iter().position(|f| f.key)
    }
}

/// Era names a layout's `eras` table may use.
pub const KNOWN_ERAS: [&str; 5] = ["明治", "大正", "昭和", "平成", "令和"];

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
name = "t"
format = "csv"
[[fields]]
name = "宛名番号"
type = "digits"
length = 15
required = true
key = true
[[fields]]
name = "氏名"
"#;

    #[test]
    fn parses_minimal_csv_layout_with_defaults() {
        let l = parse(MINIMAL.as_bytes(), "t.toml").unwrap();
        assert_eq!(l.format, Format::Csv);
        assert_eq!(l.delimiter_byte(), b',');
        assert_eq!(l.quote_byte(), b'"');
        assert!(!l.header);
        assert_eq!(l.fields.len(), 2);
        assert_eq!(l.fields[1].kind, FieldType::Text);
        assert_eq!(l.key_field(), Some(0));
    }

    #[test]
    fn refuses_unknown_keys_naming_them() {
        let bad = MINIMAL.replace("required = true", "requird = true");
        let e = parse(bad.as_bytes(), "t.toml").unwrap_err().to_string();
        assert!(e.contains("t.toml") && e.contains("requird"), "{e}");
    }

    #[test]
    fn refuses_code_without_codes_and_date_without_style() {
        let bad = MINIMAL.replace("name = \"氏名\"", "name = \"性別\"\ntype = \"code\"");
        assert!(
            parse(bad.as_bytes(), "t")
                .unwrap_err()
                .to_string()
                .contains("codes")
        );
        let bad = MINIMAL.replace("name = \"氏名\"", "name = \"生年月日\"\ntype = \"date\"");
        assert!(
            parse(bad.as_bytes(), "t")
                .unwrap_err()
                .to_string()
                .contains("seireki")
        );
    }

    #[test]
    fn refuses_duplicate_names_and_bad_delimiters() {
        let bad = MINIMAL.replace("name = \"氏名\"", "name = \"宛名番号\"");
        assert!(
            parse(bad.as_bytes(), "t")
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        let bad = MINIMAL.replace("format = \"csv\"", "format = \"csv\"\ndelimiter = \"、\"");
        assert!(
            parse(bad.as_bytes(), "t")
                .unwrap_err()
                .to_string()
                .contains("delimiter")
        );
    }

    #[test]
    fn fixed_layout_needs_offsets_within_the_record() {
        let fixed = r#"
name = "f"
format = "fixed"
record_length = 10
[[fields]]
name = "a"
offset = 0
length = 4
[[fields]]
name = "b"
offset = 4
length = 7
"#;
        let e = parse(fixed.as_bytes(), "f").unwrap_err().to_string();
        assert!(e.contains("record_length 10"), "{e}");
        assert!(parse(fixed.replace("length = 7", "length = 6").as_bytes(), "f").is_ok());
    }

    #[test]
    fn fixed_items_must_not_overlap() {
        let fixed = r#"
name = "f"
format = "fixed"
record_length = 20
[[fields]]
name = "a"
offset = 0
length = 10
[[fields]]
name = "b"
offset = 12
length = 4
[[fields]]
name = "c"
offset = 10
length = 2
"#;
        assert!(
            parse(fixed.as_bytes(), "f").is_ok(),
            "adjacent items, any order"
        );
        // c inside a (a reaches further than c's end: b must be compared with a).
        let bad = fixed.replace("offset = 10\nlength = 2", "offset = 2\nlength = 2");
        let e = parse(bad.as_bytes(), "f").unwrap_err().to_string();
        assert!(
            e.contains("overlaps")
                && e.contains("\"a\"")
                && e.contains("\"c\"")
                && e.contains("2..4"),
            "{e}"
        );
        let bad = fixed.replace("offset = 12\nlength = 4", "offset = 9\nlength = 4");
        let e = parse(bad.as_bytes(), "f").unwrap_err().to_string();
        assert!(e.contains("\"b\"") && e.contains("9..13"), "{e}");
    }

    #[test]
    fn kana_script_option_only_on_kana_items() {
        let l = parse(MINIMAL.as_bytes(), "t").unwrap();
        assert_eq!(l.fields[0].kana, None);
        let ok = MINIMAL.replace(
            "name = \"氏名\"",
            "name = \"氏名かな\"\ntype = \"kana\"\nkana = \"hiragana\"",
        );
        let l = parse(ok.as_bytes(), "t").unwrap();
        assert_eq!(l.fields[1].kana, Some(KanaScript::Hiragana));
        let bad = MINIMAL.replace("name = \"氏名\"", "name = \"氏名\"\nkana = \"katakana\"");
        let e = parse(bad.as_bytes(), "t").unwrap_err().to_string();
        assert!(e.contains("kana") && e.contains("氏名"), "{e}");
        let bad = MINIMAL.replace(
            "name = \"氏名\"",
            "name = \"氏名\"\ntype = \"kana\"\nkana = \"romaji\"",
        );
        assert!(parse(bad.as_bytes(), "t").is_err());
    }

    const MAINFRAME: &str = r#"
name = "m"
format = "fixed"
record_length = 20
[[fields]]
name = "金額"
type = "packed"
offset = 0
digits = 7
scale = 2
[[fields]]
name = "氏名"
offset = 4
length = 8
dbcs = true
[[fields]]
name = "件数"
type = "binary"
offset = 12
digits = 9
"#;

    fn err(text: &str) -> String {
        parse(text.as_bytes(), "m").unwrap_err().to_string()
    }

    #[test]
    fn number_items_take_the_bytes_their_digits_need() {
        let l = parse(MAINFRAME.as_bytes(), "m").unwrap();
        assert_eq!(l.fields[0].length, Some(4), "7 digits packed");
        assert_eq!(l.fields[2].length, Some(4), "9 digits binary");
        let zoned = MAINFRAME.replace("type = \"packed\"", "type = \"zoned\"");
        let e = err(&zoned);
        assert!(
            e.contains("\"金額\"") && e.contains("overlaps"),
            "7 bytes run into 氏名: {e}"
        );
        // An explicit length must match.
        let e = err(&MAINFRAME.replace("digits = 7", "digits = 7\nlength = 5"));
        assert!(
            e.contains("\"金額\"") && e.contains("length 5") && e.contains("4 bytes"),
            "{e}"
        );
        assert!(
            parse(
                MAINFRAME
                    .replace("digits = 7", "digits = 7\nlength = 4")
                    .as_bytes(),
                "m"
            )
            .is_ok()
        );
        for (bad, want) in [
            ("digits = 7", "needs digits"),
            ("digits = 0", "digits 0"),
            ("digits = 19", "digits 19"),
            ("scale = 2", "scale = 8"),
        ] {
            let text = match want {
                "needs digits" => MAINFRAME.replacen(bad, "", 1),
                "scale = 8" => MAINFRAME.replace(bad, "scale = 8"),
                _ => MAINFRAME.replace("digits = 7", bad),
            };
            let e = err(&text);
            assert!(e.contains("\"金額\""), "{bad}: {e}");
        }
        assert!(err(&MAINFRAME.replace("scale = 2", "scale = 8")).contains("scale 8"));
        // digits on a text item, a number in a CSV layout.
        let e = err(&MAINFRAME.replace("dbcs = true", "digits = 3"));
        assert!(
            e.contains("\"氏名\"") && e.contains("digits applies"),
            "{e}"
        );
        let csv = "name = \"c\"\nformat = \"csv\"\n[[fields]]\nname = \"n\"\ntype = \"packed\"\ndigits = 3\n";
        assert!(err(csv).contains("format = \"fixed\""));
    }

    #[test]
    fn dbcs_items_are_even_text_in_fixed_layouts() {
        let e = err(&MAINFRAME.replace("length = 8", "length = 7"));
        assert!(e.contains("\"氏名\"") && e.contains("even"), "{e}");
        let e = err(&MAINFRAME.replace("scale = 2", "scale = 2\ndbcs = true"));
        assert!(e.contains("\"金額\"") && e.contains("dbcs"), "{e}");
        let l = parse(MAINFRAME.as_bytes(), "m").unwrap();
        use crate::decode::Encoding;
        assert!(l.check_encoding(Encoding::Ibm930).is_ok());
        assert!(l.check_encoding(Encoding::KeisEbcdik).is_ok());
        let e = l.check_encoding(Encoding::Cp932).unwrap_err();
        assert!(
            e.contains("\"氏名\"") && e.contains("dbcs") && e.contains("cp932"),
            "{e}"
        );
        let plain = MAINFRAME.replace("dbcs = true", "");
        let l = parse(plain.as_bytes(), "m").unwrap();
        let e = l.check_encoding(Encoding::Utf16Le).unwrap_err();
        assert!(e.contains("\"金額\""), "{e}");
    }

    #[test]
    fn recfm_and_ebcdic_framing() {
        use crate::decode::Encoding;
        let vb = MAINFRAME.replace("record_length = 20", "record_length = 20\nrecfm = \"vb\"");
        let l = parse(vb.as_bytes(), "m").unwrap();
        assert_eq!(
            l.framing(),
            crate::split::Framing::Variable { max_body: 20 }
        );
        let e = err(&vb.replace("recfm", "newline = true\nrecfm"));
        assert!(e.contains("newline"), "{e}");
        let e = err(&vb.replace("record_length = 20", "record_length = 70000"));
        assert!(e.contains("65531") || e.contains("65,535"), "{e}");
        let e = err(&format!("recfm = \"fb\"\n{MINIMAL}"));
        assert!(e.contains("recfm"), "{e}");
        // EBCDIC has no ASCII line ends: csv and newline layouts are refused for it.
        let csv = parse(MINIMAL.as_bytes(), "t").unwrap();
        let e = csv.check_encoding(Encoding::JefEbcdik).unwrap_err();
        assert!(e.contains("EBCDIC") && e.contains("jef-ebcdik"), "{e}");
        assert!(csv.check_encoding(Encoding::JipsJ).is_ok());
        let nl = parse(
            MAINFRAME
                .replace("record_length = 20", "record_length = 20\nnewline = true")
                .as_bytes(),
            "m",
        )
        .unwrap();
        assert!(
            nl.check_encoding(Encoding::Ibm939)
                .unwrap_err()
                .contains("newline")
        );
    }

    #[test]
    fn date_policy_only_on_date_items() {
        let date = MINIMAL.replace(
            "name = \"氏名\"",
            "name = \"生年月日\"\ntype = \"date\"\ndate = \"wareki\"\ndate_policy = \"keep\"",
        );
        let l = parse(date.as_bytes(), "t").unwrap();
        assert_eq!(l.fields[1].date_policy, Some(DatePolicy::Keep));
        let strict = date.replace("\"keep\"", "\"strict\"");
        let l = parse(strict.as_bytes(), "t").unwrap();
        assert_eq!(l.fields[1].date_policy, Some(DatePolicy::Strict));
        assert!(parse(date.replace("\"keep\"", "\"lenient\"").as_bytes(), "t").is_err());
        let bad = MINIMAL.replace("name = \"氏名\"", "name = \"氏名\"\ndate_policy = \"keep\"");
        let e = parse(bad.as_bytes(), "t").unwrap_err().to_string();
        assert!(
            e.contains("date_policy") && e.contains("氏名") && e.contains("\"text\""),
            "{e}"
        );
        let bad = MINIMAL.replace(
            "name = \"宛名番号\"",
            "name = \"宛名番号\"\ndate_policy = \"strict\"",
        );
        let e = parse(bad.as_bytes(), "t").unwrap_err().to_string();
        assert!(e.contains("宛名番号") && e.contains("\"digits\""), "{e}");
    }

    #[test]
    fn era_table_names_must_be_known_eras() {
        let l = format!("{MINIMAL}\n");
        let with = l.replace(
            "format = \"csv\"",
            "format = \"csv\"\neras = { \"1\" = \"明治\", \"9\" = \"光文\" }",
        );
        assert!(
            parse(with.as_bytes(), "t")
                .unwrap_err()
                .to_string()
                .contains("光文")
        );
    }
}
