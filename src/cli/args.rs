//! Flags shared by several subcommands, parsed once into the library's types.

use clap::builder::RangedU64ValueParser;
use ikou::charset::CharsetKind;
use ikou::charset::ext::CharsetExt;
use ikou::decode::Encoding;
use ikou::gaiji::{MapOptions, UnmappedPolicy, VariantPolicy};
use ikou::mj::IvsPolicy;
use ikou::parallel::Workers;
use ikou::split::SplitConfig;
use std::path::PathBuf;

/// `--encoding`.
pub fn parse_encoding(s: &str) -> Result<Encoding, String> {
    Encoding::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Encoding::ALL.iter().map(|e| e.name()).collect();
        format!("unknown encoding {s:?}; use one of {}", names.join(", "))
    })
}

/// `--ivs`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Ivs {
    Keep,
    Never,
}

impl From<Ivs> for IvsPolicy {
    fn from(i: Ivs) -> IvsPolicy {
        match i {
            Ivs::Keep => IvsPolicy::Keep,
            Ivs::Never => IvsPolicy::Never,
        }
    }
}

/// `--unmapped`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Unmapped {
    Reject,
    Geta,
    Fail,
}

impl From<Unmapped> for UnmappedPolicy {
    fn from(u: Unmapped) -> UnmappedPolicy {
        match u {
            Unmapped::Reject => UnmappedPolicy::Reject,
            Unmapped::Geta => UnmappedPolicy::Geta,
            Unmapped::Fail => UnmappedPolicy::Fail,
        }
    }
}

/// `--variants`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Variants {
    Auto,
    Jis,
    Distinct,
    Cp932,
}

impl From<Variants> for VariantPolicy {
    fn from(v: Variants) -> VariantPolicy {
        match v {
            Variants::Auto => VariantPolicy::Auto,
            Variants::Jis => VariantPolicy::Jis,
            Variants::Distinct => VariantPolicy::Distinct,
            Variants::Cp932 => VariantPolicy::Cp932,
        }
    }
}

/// The help of `--variants` (convert, mappings diff, profile).
pub const VARIANTS_HELP: &str = "\
The one form written for the seven JIS X 0208 cells CP932 maps to other code points \
(〜 ‖ − — ¢ £ ¬). jis: all seven as the JIS X 0213 mapping writes them (U+301C U+2016 \
U+2212 U+2014 U+00A2 U+00A3 U+00AC), right for text decoded CP932-style; distinct: only \
― ￠ ￡ ￢ become — ¢ £ ¬ (one JIS character each) and ～ ∥ － stay, as the JIS X 0213 \
characters of their own they are (1-02-18, 1-02-52, 1-02-17); cp932: all seven in the \
CP932 forms (in Unicode input this merges 〜 with ～, ‖ with ∥, − with －). \
auto: jis for cp932, eucjp-ms and the mainframe codes, distinct for shift_jis, euc-jp, \
utf-8 and utf-16 (whose text already says which character it is).";

/// The map-stage options of `convert` and `mappings diff`.
#[derive(clap::Args)]
pub struct MapArgs {
    /// keep: write an MJ glyph's Moji_Joho IVS (base + selector) when it has one;
    /// never: write one JIS X 0213 character chosen through MJ縮退マップ.
    #[arg(long, value_name = "MODE", value_enum, default_value = "keep")]
    pub ivs: Ivs,
    /// What an unmapped 外字 does: reject its record; write 〓 (geta) and count it;
    /// or fail (stop with exit 1, nothing published).
    #[arg(long, value_name = "MODE", value_enum, default_value = "reject")]
    pub unmapped: Unmapped,
    #[arg(long, value_name = "FORM", value_enum, default_value = "auto", long_help = VARIANTS_HELP)]
    /// The one form written for 〜 ‖ − — ¢ £ ¬: auto (by --encoding), jis, distinct or cp932.
    pub variants: Variants,
    /// Write each CJK compatibility ideograph (U+F900…, U+2F800…) that would be
    /// written, mapped or passed through, as its standardized variation sequence
    /// (base + U+FE00…), which NFC keeps; each is counted. Without it the output
    /// is JIS X 0213-exact but not NFC-stable: a later NFC turns those characters
    /// into other code points.
    #[arg(long)]
    pub nfc_safe: bool,
}

impl MapArgs {
    pub fn options(&self) -> MapOptions {
        MapOptions {
            ivs: Some(self.ivs.into()),
            unmapped: self.unmapped.into(),
            variants: self.variants.into(),
            nfc_safe: self.nfc_safe,
            ..MapOptions::default()
        }
    }

    /// The flags `ikou profile` takes that are not their default (it has no --unmapped).
    pub fn profile_flags(&self) -> Vec<String> {
        map_flags(self.ivs, self.variants)
    }
}

/// `--ivs` and `--variants` as words for a suggested command, when not the default.
pub fn map_flags(ivs: Ivs, variants: Variants) -> Vec<String> {
    let mut f = Vec::new();
    if matches!(ivs, Ivs::Never) {
        f.extend(["--ivs".to_string(), "never".into()]);
    }
    let v = VariantPolicy::from(variants);
    if v != VariantPolicy::Auto {
        f.extend(["--variants".to_string(), v.name().into()]);
    }
    f
}

/// `--jobs`: 1 to [`Workers::MAX_JOBS`] (for every subcommand with worker threads).
pub fn jobs_parser() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(1..=Workers::MAX_JOBS as u64)
}

/// A size in bytes from 1 to `max`.
fn bytes_parser(max: usize) -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(1..=max as u64)
}

/// How `convert` and `profile` read their inputs.
#[derive(clap::Args)]
pub struct ReadArgs {
    /// Worker threads, 1 to 256 [default: the number of CPUs]. Never changes the result.
    #[arg(long, short = 'j', value_name = "N", value_parser = jobs_parser())]
    pub jobs: Option<usize>,
    /// Do not check that each input looks like --encoding before starting.
    #[arg(long)]
    pub skip_encoding_check: bool,
    /// Bytes of input per unit of parallel work, 1 to 268435456 (256 MiB).
    #[arg(long, value_name = "BYTES", default_value_t = SplitConfig::DEFAULT_CHUNK_BYTES,
          value_parser = bytes_parser(SplitConfig::MAX_CHUNK_BYTES), hide_short_help = true)]
    pub chunk_bytes: usize,
    /// A record with no line end within this many bytes is cut, and rejected;
    /// 1 to 268435456 (256 MiB). Fixed-length records must not be longer.
    #[arg(long, value_name = "BYTES", default_value_t = SplitConfig::DEFAULT_MAX_RECORD,
          value_parser = bytes_parser(SplitConfig::MAX_RECORD))]
    pub max_record_bytes: usize,
}

/// The most a layout read from standard input may hold: layouts are a few KiB, so
/// more is not a layout (and is not read into memory).
const MAX_STDIN_LAYOUT: u64 = 4 * 1024 * 1024;

/// `--layout`: a path, a bundled layout's name, or `-` for standard input (read
/// whole, at most [`MAX_STDIN_LAYOUT`] bytes; recorded as `-`).
pub fn load_layout(spec: &str) -> Result<ikou::layout::LoadedLayout, ikou::Error> {
    if spec != "-" {
        return Ok(ikou::layout::load(spec)?);
    }
    let bytes = ikou::input::read_stdin(MAX_STDIN_LAYOUT)
        .map_err(|e| ikou::Error::Config(format!("--layout -: cannot read standard input: {e}")))?
        .ok_or_else(|| {
            ikou::Error::Config(format!(
                "--layout -: standard input holds more than {MAX_STDIN_LAYOUT} bytes, too much for a layout; give the layout file's path"
            ))
        })?;
    Ok(ikou::layout::LoadedLayout::parse(bytes, "-", "-".into())?)
}

/// Standard input can be read once: `-` given twice among `--layout`, `--gaiji`,
/// `--charset-ext` and the inputs is refused (exit 2). `gaiji` holds the
/// `--charset-ext` files too (see [`ExtArgs::tables_with`]).
pub fn stdin_once(
    layout: &str,
    gaiji: &[std::path::PathBuf],
    inputs: &[std::path::PathBuf],
) -> Result<(), ikou::Error> {
    let dash = |p: &&std::path::PathBuf| ikou::input::is_stdin(p);
    let n = usize::from(layout == "-")
        + gaiji.iter().filter(dash).count()
        + inputs.iter().filter(dash).count();
    if n > 1 {
        return Err(ikou::Error::Usage(
            "- (standard input) is given more than once among --layout, --gaiji, --charset-ext and the inputs; it can be read only once: give the others as files".into(),
        ));
    }
    Ok(())
}

// --- MJ+ (--charset, --charset-ext) ---

/// `--charset`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Charset {
    /// 行政事務標準文字: JIS X 0213:2004 ∪ MJ glyph forms ∪ --charset-ext.
    #[value(name = "mj+")]
    MjPlus,
    /// JIS X 0213:2004 only.
    Jis2004,
    /// No check.
    Any,
}

impl From<Charset> for CharsetKind {
    fn from(c: Charset) -> CharsetKind {
        match c {
            Charset::MjPlus => CharsetKind::MjPlus,
            Charset::Jis2004 => CharsetKind::Jis2004,
            Charset::Any => CharsetKind::Any,
        }
    }
}

/// `--charset-ext` (convert, profile, mappings check/diff, mj).
#[derive(clap::Args)]
pub struct ExtArgs {
    /// MJ+ extension table (TSV: id<TAB>code points<TAB>note[<TAB>jis=U+XXXX], ids
    /// GJ000001…; - for standard input). Repeatable. 外字 tables may then target
    /// GJ###### ids, and --charset mj+ holds its characters.
    #[arg(long = "charset-ext", value_name = "TSV")]
    pub charset_ext: Vec<PathBuf>,
}

impl ExtArgs {
    /// Reads the tables once for the process (None: none given). Err (exit 2): a
    /// table that cannot be read or has errors (each with file and line).
    pub fn load(&self) -> Result<Option<&'static CharsetExt>, ikou::Error> {
        if self.charset_ext.is_empty() {
            return Ok(None);
        }
        let ext = CharsetExt::read_all(&self.charset_ext)?;
        // One per process, read before any work and used until it ends.
        Ok(Some(Box::leak(Box::new(ext))))
    }

    /// `gaiji` followed by the extension tables (for [`stdin_once`]).
    pub fn tables_with(&self, gaiji: &[PathBuf]) -> Vec<PathBuf> {
        gaiji.iter().chain(&self.charset_ext).cloned().collect()
    }
}

/// `--charset` and `--charset-ext`.
#[derive(clap::Args)]
pub struct CharsetArgs {
    /// The set every character written into a text or kana item must be in:
    /// mj+ (行政事務標準文字: JIS X 0213:2004, every MJ glyph form, --charset-ext),
    /// jis2004 (JIS X 0213:2004 only) or any. A character outside is counted in the
    /// manifest (nonstandard) and its record follows --unmapped.
    #[arg(long, value_name = "SET", value_enum, default_value = "mj+")]
    pub charset: Charset,
    #[command(flatten)]
    pub ext: ExtArgs,
}

impl CharsetArgs {
    /// `map` with `--charset` and the extension set.
    pub fn apply(&self, map: MapOptions) -> Result<MapOptions, ikou::Error> {
        Ok(MapOptions {
            charset: self.charset.into(),
            ext: self.ext.load()?,
            ..map
        })
    }
}
