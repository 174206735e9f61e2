//! Inputs: the checks made on every input file before any work starts, so that a
//! missing file, an empty export or a file in another encoding stops the run with
//! a message naming the file instead of filling a reject file with every record.

use crate::decode::{self, Encoding};
use crate::error::Error;
use crate::items::fixed::{ItemFault, decode_item};
use crate::layout::{Field, Format, Layout};
use crate::split::{ChunkReader, Framing, SplitConfig};
use std::io::Read;
use std::path::Path;

/// An input named `-` is standard input. It is read to the end into a file of
/// ikou's own (a new private directory under the system's temporary directory),
/// so that it is checked, sized and hashed like any file, and read once; the
/// directory is removed when the spool is dropped.
pub struct StdinSpool {
    dir: std::path::PathBuf,
    file: std::path::PathBuf,
}

impl StdinSpool {
    /// The name a spooled input has: its outputs are `stdin.csv` and `stdin.rejects.csv`.
    pub const NAME: &'static str = "stdin";

    /// Spools standard input when one of `inputs` is `-` (at most one may be).
    pub fn for_inputs(inputs: &[std::path::PathBuf]) -> Result<Option<StdinSpool>, Error> {
        match inputs.iter().filter(|p| is_stdin(p)).count() {
            0 => Ok(None),
            1 => StdinSpool::read(&mut std::io::stdin().lock()).map(Some),
            _ => Err(Error::Usage(
                "- (standard input) is given more than once; it can be read only once".into(),
            )),
        }
    }

    /// Reads `from` to its end into a new spool file.
    pub fn read(from: &mut impl Read) -> Result<StdinSpool, Error> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let tmp = std::env::temp_dir();
        let mut dir = None;
        for attempt in 0..100u32 {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let d = tmp.join(format!(
                "ikou-stdin-{}-{nanos}-{attempt}",
                std::process::id()
            ));
            // A new directory only ikou can enter: nothing of someone else's is written.
            match std::fs::DirBuilder::new().mode(0o700).create(&d) {
                Ok(()) => {
                    dir = Some(d);
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(Error::io(
                        &d,
                        "cannot make a temporary directory for standard input (set TMPDIR)",
                    )(e));
                }
            }
        }
        let dir = dir.ok_or_else(|| {
            Error::input(
                &tmp,
                "cannot make a temporary directory for standard input (set TMPDIR)",
            )
        })?;
        let spool = StdinSpool {
            file: dir.join(Self::NAME),
            dir,
        };
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&spool.file)
            .map_err(Error::io(&spool.file, "cannot spool standard input"))?;
        std::io::copy(from, &mut f)
            .and_then(|_| f.sync_all())
            .map_err(Error::io(
                &spool.file,
                "cannot spool standard input (is the disk full? set TMPDIR)",
            ))?;
        Ok(spool)
    }

    pub fn path(&self) -> &Path {
        &self.file
    }

    /// The paths to read: `inputs` with `-` replaced by the spool (when there is one).
    pub fn resolve(
        spool: Option<&StdinSpool>,
        inputs: &[std::path::PathBuf],
    ) -> Vec<std::path::PathBuf> {
        inputs
            .iter()
            .map(|p| match spool {
                Some(s) if is_stdin(p) => s.file.clone(),
                _ => p.clone(),
            })
            .collect()
    }
}

impl Drop for StdinSpool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Standard input read whole, for the small files that may come from it (a
/// layout, a 外字 table); None when it holds more than `max` bytes, which are not
/// read into memory.
pub fn read_stdin(max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

/// `-`: standard input (a file really named `-` is `./-`).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How much of each file the encoding check reads.
const SAMPLE_BYTES: usize = 64 * 1024;
/// Records of the sample that are decoded.
const SAMPLE_RECORDS: usize = 1000;

/// Checks that `path` is a readable, non-empty file that looks like `enc`, read
/// as `layout` frames its records (a fixed record's text items one by one).
pub fn check(path: &Path, enc: Encoding, layout: &Layout, allow_empty: bool) -> Result<u64, Error> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory => {
            Error::input(path, "no such file; check the path")
        }
        // Anything else may pass (a network share, a full table of open files):
        // an I/O error, which `ikou batch` reports as worth retrying.
        _ => Error::io(path, "check that the file is readable")(e),
    })?;
    if meta.is_dir() {
        return Err(Error::input(
            path,
            "is a directory; give the export files themselves",
        ));
    }
    if meta.len() == 0 {
        if allow_empty {
            return Ok(0);
        }
        return Err(Error::input(
            path,
            "the file is empty (0 bytes): the export may have failed. If an empty file is expected, pass --allow-empty",
        ));
    }
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    std::fs::File::open(path)
        .and_then(|f| f.take(SAMPLE_BYTES as u64).read_to_end(&mut sample))
        .map_err(Error::io(path, "check that the file is readable"))?;
    let whole = sample.len() as u64 == meta.len();
    let items = match layout.format {
        Format::Fixed => &layout.fields[..],
        Format::Csv => &[],
    };
    if let Some(problem) = encoding_problem(&sample, whole, enc, layout.framing(), items) {
        return Err(Error::input(path, problem));
    }
    Ok(meta.len())
}

/// Why `sample` (the start of a file; `whole` if it is all of it) is not `enc`, if it is not.
/// With `items` (the fields of a fixed layout), a record's text items are decoded one
/// by one, as `convert` does: a record of pure double-byte (`dbcs`) and packed items
/// is not text as a whole.
pub fn encoding_problem(
    sample: &[u8],
    whole: bool,
    enc: Encoding,
    framing: Framing,
    items: &[Field],
) -> Option<String> {
    // UTF-16 puts the NUL of each ASCII character at the same parity; NUL padding
    // of fixed-length records comes in runs, spread over both.
    let (mut nuls, mut odd) = (0, 0);
    for p in memchr::memchr_iter(0, sample) {
        nuls += 1;
        odd += p & 1;
    }
    let one_parity = odd.max(nuls - odd) * 10 >= nuls * 9;
    if enc.unit_width() == 1 && nuls * 10 > sample.len() && one_parity {
        return Some(format!(
            "does not look like {enc}: {}% of the first {} bytes are NUL, as in UTF-16. \
             Try --encoding utf-16le or --encoding utf-16be",
            nuls * 100 / sample.len(),
            sample.len()
        ));
    }
    let single_byte_legacy = enc.unit_width() == 1 && enc != Encoding::Utf8;
    if single_byte_legacy && looks_like_utf8(sample) {
        return Some(format!(
            "does not look like {enc}: the first {} bytes are valid UTF-8 with Japanese text. Try --encoding utf-8",
            sample.len()
        ));
    }
    if let Some(problem) = family_problem(sample, enc) {
        return Some(problem);
    }
    if matches!(enc, Encoding::Cp932 | Encoding::ShiftJis)
        && looks_like_euc_read_as_sjis(sample, whole, framing, items)
    {
        return Some(format!(
            "does not look like {enc}: it is valid EUC-JP with kana where {enc} would read half-width katakana. \
             Try --encoding euc-jp or --encoding eucjp-ms"
        ));
    }
    let (good, bad, first_bad) = decode_sample(sample, whole, enc, framing, items);
    let sampled = good + bad;
    if sampled > 0 && bad * 2 > sampled {
        // EBCDIC decoders read almost any bytes: suggest only the family the text is in.
        let ebcdic = Marks::of(sample).looks_ebcdic();
        let others: Vec<&str> = Encoding::ALL
            .iter()
            .filter(|&&e| e != enc && e.is_ebcdic() == ebcdic)
            .filter(|&&e| decode_sample(sample, whole, e, framing, items).1 == 0)
            .map(|e| e.name())
            .collect();
        let hint = if others.is_empty() {
            "Check --encoding, and that this is the export file.".to_string()
        } else {
            format!("It decodes as {}: check --encoding.", others.join(", "))
        };
        return Some(format!(
            "does not look like {enc}: {bad} of the first {sampled} records have bytes that are not {enc} ({}). {hint}",
            first_bad.unwrap_or_default()
        ));
    }
    if let (Framing::Csv { delimiter, .. }, 2) = (framing, enc.unit_width()) {
        let mut text = String::new();
        let head = &sample[..sample.len() & !1];
        let _ = decode::decode(enc, &head[..head.len().min(4096)], &mut text);
        let structural = text
            .bytes()
            .any(|b| b == delimiter || b == b'\n' || b == b'\r');
        if !structural && sample.len() >= 64 {
            return Some(format!(
                "does not look like {enc}: the first {} bytes read as {enc} hold no delimiter and no line end. \
                 Check --encoding (the other byte order, or a single-byte encoding)",
                head.len().min(4096)
            ));
        }
    }
    None
}

/// The commonest bytes of text in each family, counted in adjacent pairs so that a
/// stray byte (in a binary or packed item, or a double-byte character) does not count:
/// two spaces or two digits. EBCDIC: 0x40 (space; 0x4040 is also the double-byte
/// space of every mainframe kanji code) and 0xF0–0xF9. ASCII family (CP932, EUC-JP,
/// UTF-8, JIPS(J)): 0x20 and 0x30–0x39, which in EBCDIC are control codes.
/// Neither pair occurs in the other family's text: CP932's 全角スペース is 0x81 0x40,
/// never 0x40 0x40.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Marks {
    ebcdic: usize,
    ascii: usize,
}

impl Marks {
    /// Pairs needed before the sample says anything: a few records' worth.
    const MIN: usize = 8;

    fn of(sample: &[u8]) -> Marks {
        let digits =
            |a: u8, b: u8, zero: u8| a.wrapping_sub(zero) < 10 && b.wrapping_sub(zero) < 10;
        let next = sample.get(1..).unwrap_or_default();
        Marks {
            ebcdic: count_pairs(sample, next, |a, b| {
                (a == 0x40 && b == 0x40) | digits(a, b, 0xF0)
            }),
            ascii: count_pairs(sample, next, |a, b| {
                (a == 0x20 && b == 0x20) | digits(a, b, 0x30)
            }),
        }
    }

    /// Clearly EBCDIC: enough pairs, four times as many as the ASCII ones.
    fn looks_ebcdic(self) -> bool {
        self.ebcdic >= Marks::MIN && self.ebcdic > 4 * self.ascii
    }

    fn looks_ascii(self) -> bool {
        self.ascii >= Marks::MIN && self.ascii > 4 * self.ebcdic
    }
}

/// How many `k` have `pair(a[k], b[k])`, over the shorter of the two. Counted
/// in bytes, 255 pairs at a time, so that the compiler compares a vector of
/// pairs a step: every input's first 64 KB is looked at this way.
fn count_pairs(a: &[u8], b: &[u8], pair: impl Fn(u8, u8) -> bool) -> usize {
    let mut total = 0;
    for (a, b) in a.chunks(255).zip(b.chunks(255)) {
        let mut n = 0u8;
        for (&x, &y) in a.iter().zip(b) {
            n += u8::from(pair(x, y));
        }
        total += usize::from(n);
    }
    total
}

/// How many bytes of `s` have `pred` (as [`count_pairs`], one byte a pair).
fn count_bytes(s: &[u8], pred: impl Fn(u8) -> bool) -> usize {
    count_pairs(s, s, |b, _| pred(b))
}

/// The mainframe encodings with an EBCDIC single-byte side, one per family, and
/// how a message names the family.
const EBCDIC_FAMILIES: [(Encoding, &str); 4] = [
    (Encoding::Ibm930, "ibm930, ibm939, ibm1390 or ibm1399 (IBM)"),
    (Encoding::JefEbcdik, "jef-ebcdik or jef-ebcdic (富士通 JEF)"),
    (
        Encoding::KeisEbcdik,
        "keis-ebcdik or keis-ebcdic (日立 KEIS)",
    ),
    (Encoding::JipsE, "jips-e (NEC JIPS)"),
];

/// How many double-byte runs of `enc`'s family `sample` holds: its shift out, an
/// even number (at least 2) of bytes 0x40–0xFE, its shift in. Text in another code
/// almost never has one, and binary items have few.
fn shift_runs(sample: &[u8], enc: Encoding) -> usize {
    let Some((out, back)) = enc.shifts() else {
        return 0;
    };
    let mut runs = 0;
    let mut rest = sample;
    while let Some(p) = memchr::memmem::find(rest, out) {
        rest = &rest[p + out.len()..];
        let Some(q) = memchr::memmem::find(rest, back) else {
            break;
        };
        let inner = &rest[..q];
        if inner.len() >= 2
            && inner.len().is_multiple_of(2)
            && inner.iter().all(|b| (0x40..=0xFE).contains(b))
        {
            runs += 1;
            rest = &rest[q + back.len()..];
        }
    }
    runs
}

/// `0x0A42` for the shift bytes 0x0A 0x42.
fn shift_hex(b: &[u8]) -> String {
    format!("0x{}", crate::output::hex(b).to_ascii_uppercase())
}

/// EBCDIC (mainframe) data read as an ASCII-family encoding, ASCII-family data read
/// as an EBCDIC one, or one mainframe family's data read as another's: these mostly
/// decode without an error, into the wrong text, so the bytes themselves are
/// looked at (see [`Marks`] and [`shift_runs`]).
fn family_problem(sample: &[u8], enc: Encoding) -> Option<String> {
    if enc.unit_width() != 1 {
        return None;
    }
    let marks = Marks::of(sample);
    let families_seen = || -> Vec<&'static str> {
        let mut seen: Vec<(usize, &str)> = EBCDIC_FAMILIES
            .iter()
            .map(|&(e, name)| (shift_runs(sample, e), name))
            .filter(|&(n, _)| n >= 2)
            .collect();
        seen.sort_by_key(|s| std::cmp::Reverse(s.0));
        seen.into_iter().map(|(_, name)| name).collect()
    };
    if enc.is_ebcdic() {
        if marks.looks_ascii() {
            return Some(format!(
                "does not look like {enc}: it looks like ASCII-family text, not EBCDIC ({} pairs of ASCII \
                 spaces or digits 0x20/0x30–0x39, control codes in EBCDIC, against {} of EBCDIC \
                 0x40/0xF0–0xF9 in the first {} bytes). Try --encoding cp932, euc-jp or utf-8 \
                 (jips-j for a NEC mainframe export with a JIS8 single-byte side)",
                marks.ascii,
                marks.ebcdic,
                sample.len()
            ));
        }
        // Another mainframe family's double-byte runs, and none of this one's.
        let own = EBCDIC_FAMILIES
            .iter()
            .find(|(e, _)| e.shifts() == enc.shifts())
            .map(|(_, name)| *name);
        let seen = families_seen();
        if shift_runs(sample, enc) == 0 && !seen.is_empty() && !seen.iter().any(|s| Some(*s) == own)
        {
            let (so, si) = enc.shifts().unwrap_or_default();
            return Some(format!(
                "does not look like {enc}: its kanji are not between {enc}'s shift codes ({} … {}) \
                 but between those of another mainframe code. Try --encoding {}",
                shift_hex(so),
                shift_hex(si),
                seen.join(", or ")
            ));
        }
        return None;
    }
    if marks.looks_ebcdic() {
        let seen = families_seen();
        let all: Vec<&str> = EBCDIC_FAMILIES.iter().map(|(_, name)| *name).collect();
        return Some(format!(
            "does not look like {enc}: it looks like EBCDIC (mainframe) data ({} pairs of EBCDIC \
             spaces or digits 0x40/0xF0–0xF9 against {} of ASCII 0x20/0x30–0x39 in the first {} \
             bytes). Try --encoding {}",
            marks.ebcdic,
            marks.ascii,
            sample.len(),
            if seen.is_empty() { all } else { seen }.join(", or ")
        ));
    }
    None
}

/// Valid UTF-8 (but for a character cut off at the end) with several multi-byte characters:
/// Shift_JIS and EUC-JP text is almost never that.
fn looks_like_utf8(sample: &[u8]) -> bool {
    let valid = match std::str::from_utf8(sample) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&sample[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    valid.chars().filter(|c| c.len_utf8() > 1).take(4).count() == 4
}

/// EUC-JP read as Shift_JIS mostly decodes without error (its bytes are half-width
/// katakana and kanji there too), so look at the EUC-JP reading instead: it must be
/// valid, and kana (rows 4 and 5, lead 0xA4/0xA5) must be common, as they are in
/// Japanese names and addresses. Shift_JIS text with any hiragana, katakana or
/// level-1 kanji is never valid EUC-JP (its lead bytes are below 0xA1).
fn looks_like_euc_read_as_sjis(
    sample: &[u8],
    whole: bool,
    framing: Framing,
    items: &[Field],
) -> bool {
    kana_rich(sample) && decode_sample(sample, whole, Encoding::EucJp, framing, items).1 == 0
}

/// Whether `sample`, walked as EUC-JP characters, holds at least 8 non-ASCII ones
/// and at least 15 % of them kana (lead byte 0xA4 or 0xA5).
fn kana_rich(sample: &[u8]) -> bool {
    // A bound first, from two counts the compiler vectorises: each character the
    // walk counts starts with a byte ≥ 0x80 and holds at most three, so there are
    // at least a third as many characters as such bytes; each kana starts with
    // 0xA4 or 0xA5. Too few of those bytes for 15 %, and the walk (a branch a
    // byte, mispredicted in Shift_JIS text) cannot say yes.
    let high = count_bytes(sample, |b| b >= 0x80);
    let kana_bytes = count_bytes(sample, |b| b & 0xFE == 0xA4);
    if kana_bytes * 100 < high.div_ceil(3) * 15 {
        return false;
    }
    let (chars, kana) = euc_kana_share(sample);
    chars >= 8 && kana * 100 >= chars * 15
}

/// The non-ASCII characters of `sample` walked as EUC-JP, and the kana among them.
fn euc_kana_share(sample: &[u8]) -> (usize, usize) {
    let (mut chars, mut kana) = (0usize, 0usize);
    let mut i = 0;
    while i < sample.len() {
        let b = sample[i];
        i += match b {
            0x00..=0x7F => 1,
            0x8F => 3,
            _ => 2,
        };
        if b >= 0x80 {
            chars += 1;
            kana += matches!(b, 0xA4 | 0xA5) as usize;
        }
    }
    (chars, kana)
}

/// Decodes the first records of `sample`: (good, bad, where the first bad one is).
fn decode_sample(
    sample: &[u8],
    whole: bool,
    enc: Encoding,
    framing: Framing,
    items: &[Field],
) -> (usize, usize, Option<String>) {
    let cfg = SplitConfig {
        framing,
        encoding: enc,
        chunk_bytes: sample.len().clamp(1, SplitConfig::MAX_CHUNK_BYTES),
        max_record: SplitConfig::DEFAULT_MAX_RECORD,
    };
    let mut reader = ChunkReader::new(sample, cfg);
    reader.without_hash();
    let (mut good, mut bad, mut first_bad) = (0, 0, None);
    let mut text = String::new();
    let mut wrap = Vec::new();
    while let Ok(Some(chunk)) = reader.next_chunk() {
        let n = chunk.records.len();
        for (k, span) in chunk.records.iter().enumerate() {
            // The sample's last record may be cut off mid-character.
            let last = !whole
                && k + 1 == n
                && chunk.offset as usize + span.end >= sample.len().saturating_sub(2);
            if last || good + bad >= SAMPLE_RECORDS || span.start == span.end {
                continue;
            }
            text.clear();
            let raw = &chunk.data[span.start..span.end];
            match decode_record(enc, raw, items, &mut text, &mut wrap) {
                Ok(()) => good += 1,
                Err((at, e)) => {
                    bad += 1;
                    first_bad.get_or_insert_with(|| {
                        format!(
                            "first at byte {}: {}",
                            chunk.offset as usize + span.start + at + e.offset,
                            e.hex()
                        )
                    });
                }
            }
        }
    }
    (good, bad, first_bad)
}

/// Decodes one sampled record: whole, or (with the `items` of a fixed layout)
/// its text items one by one; numbers hold bytes, not text, whatever the
/// encoding. Err: where the failing slice starts in the record, and the error.
fn decode_record(
    enc: Encoding,
    raw: &[u8],
    items: &[Field],
    text: &mut String,
    wrap: &mut Vec<u8>,
) -> Result<(), (usize, decode::DecodeError)> {
    if items.is_empty() {
        return decode::decode(enc, raw, text).map_err(|e| (0, e));
    }
    for f in items.iter().filter(|f| f.number_length().is_none()) {
        let off = f.offset.unwrap_or(0).min(raw.len());
        let end = off.saturating_add(f.length.unwrap_or(0)).min(raw.len());
        // Only bytes that are no text of `enc` tell the encoding: an unclosed
        // shift is a defect of the data, reported by convert.
        if let Err(ItemFault::Decode(e)) = decode_item(enc, f, &raw[off..end], text, wrap) {
            return Err((off, e));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kana_bound_never_turns_away_a_kana_rich_sample() {
        // Samples of EUC-JP-like characters: kana, three-byte (0x8F) ones, other
        // two-byte ones and ASCII, with the kana share swept across the 15 % the
        // walk asks for and a few stray bytes, so that the bound is tried where
        // it is tight (three-byte characters) and where it is not.
        let mut x: u32 = 0x9E37_79B9;
        let mut next = |n: u32| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x % n
        };
        let (mut rich, mut poor) = (0, 0);
        for kana_pct in 0..30 {
            for three_pct in [0, 10, 50, 90, 100] {
                for len in [10, 40, 200] {
                    let mut sample = Vec::new();
                    for _ in 0..len {
                        let trail = 0xA1 + next(0x5E) as u8;
                        if next(100) < kana_pct {
                            sample.extend([0xA4 + next(2) as u8, trail]);
                        } else if next(100) < three_pct {
                            sample.extend([0x8F, trail, 0xA1 + next(0x5E) as u8]);
                        } else if next(4) == 0 {
                            sample.push(0x20 + next(0x5F) as u8);
                        } else {
                            sample.extend([0xB0 + next(0x4F) as u8, trail]);
                        }
                        if next(50) == 0 {
                            sample.push(next(256) as u8);
                        }
                    }
                    let (chars, kana) = euc_kana_share(&sample);
                    let want = chars >= 8 && kana * 100 >= chars * 15;
                    if want {
                        rich += 1
                    } else {
                        poor += 1
                    }
                    assert_eq!(kana_rich(&sample), want, "{sample:02X?}");
                }
            }
        }
        // Both answers were met.
        assert!(rich > 50 && poor > 50, "{rich} {poor}");
    }

    #[test]
    fn marks_count_the_pairs_a_match_on_each_pair_counts() {
        let want = |sample: &[u8]| {
            let mut m = Marks::default();
            for w in sample.windows(2) {
                match (w[0], w[1]) {
                    (0x40, 0x40) | (0xF0..=0xF9, 0xF0..=0xF9) => m.ebcdic += 1,
                    (0x20, 0x20) | (0x30..=0x39, 0x30..=0x39) => m.ascii += 1,
                    _ => {}
                }
            }
            m
        };
        // Runs and mixtures of every class and of their neighbours.
        let alphabet = [
            0x00, 0x1F, 0x20, 0x21, 0x2F, 0x30, 0x35, 0x39, 0x3A, 0x3F, 0x40, 0x41, 0xEF, 0xF0,
            0xF9, 0xFA, 0xFF,
        ];
        let mut x: u32 = 0x2545_F491;
        for len in 0..300 {
            let sample: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    alphabet[(x % alphabet.len() as u32) as usize]
                })
                .collect();
            assert_eq!(Marks::of(&sample), want(&sample), "{sample:02X?}");
        }
        for b in 0..=255u8 {
            let run = [b; 5];
            assert_eq!(Marks::of(&run), want(&run), "{b:02X}");
        }
    }

    const CSV: Framing = Framing::Csv {
        delimiter: b',',
        quote: b'"',
    };

    #[test]
    fn the_right_encoding_passes() {
        let sjis = b"1,\x8ER\x93c\r\n2,\xF0\x40\r\n";
        assert_eq!(
            encoding_problem(sjis, true, Encoding::Cp932, CSV, &[]),
            None
        );
        // One bad record among good ones is a reject, not a wrong encoding.
        let mixed = b"1,a\r\n2,b\r\n3,\x82\r\n";
        assert_eq!(
            encoding_problem(mixed, true, Encoding::Cp932, CSV, &[]),
            None
        );
    }

    #[test]
    fn fixed_records_are_checked_item_by_item() {
        // 山田 in CP932, then a packed 80000 (0x80 0x00 0x0C): the record is no
        // CP932 text as a whole (a lone 0x80), its text item is.
        let layout = crate::layout::parse(
            br#"
name = "p"
format = "fixed"
record_length = 7
[[fields]]
name = "name"
offset = 0
length = 4
[[fields]]
name = "amount"
type = "packed"
offset = 4
digits = 5
"#,
            "p",
        )
        .unwrap();
        let data = b"\x8ER\x93c\x80\x00\x0C".repeat(20);
        let framing = layout.framing();
        assert!(encoding_problem(&data, true, Encoding::Cp932, framing, &[]).is_some());
        assert_eq!(
            encoding_problem(&data, true, Encoding::Cp932, framing, &layout.fields),
            None
        );
        // Text items that are not CP932 are still found, at their byte.
        let bad = b"\x8E\xFF\x93c\x80\x00\x0C".repeat(20);
        let p = encoding_problem(&bad, true, Encoding::Cp932, framing, &layout.fields).unwrap();
        assert!(p.contains("first at byte 0: 0x8E 0xFF"), "{p}");
    }

    #[test]
    fn a_file_in_another_encoding_is_named() {
        let utf8 = "1,山田\r\n2,佐藤\r\n3,鈴木\r\n".as_bytes();
        let p = encoding_problem(utf8, true, Encoding::Cp932, CSV, &[]).unwrap();
        assert!(
            p.contains("does not look like cp932") && p.contains("utf-8"),
            "{p}"
        );
        let utf16: Vec<u8> = "1,山田\r\n2,佐藤\r\n"
            .repeat(10)
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let p = encoding_problem(&utf16, true, Encoding::Cp932, CSV, &[]).unwrap();
        assert!(p.contains("utf-16le"), "{p}");
        let p = encoding_problem(&utf16, true, Encoding::Utf16Be, CSV, &[]);
        assert!(p.is_some());
        // NUL padding is not UTF-16.
        let fixed = Framing::Fixed {
            length: 16,
            newline: true,
        };
        let padded = b"0001\x8ER\x93c\0\0\0\0\0\0\0\0\r\n".repeat(20);
        assert_eq!(
            encoding_problem(&padded, true, Encoding::Cp932, fixed, &[]),
            None
        );
        // "山田,ヤマダ" in EUC-JP reads as half-width katakana in CP932.
        let euc = b"1,\xBB\xB3\xC5\xC4,\xA5\xE4\xA5\xDE\xA5\xC0\r\n2,\xBA\xB4\xC6\xA3,\xA5\xB5\xA5\xC8\xA5\xA6\r\n";
        let p = encoding_problem(euc, true, Encoding::Cp932, CSV, &[]).unwrap();
        assert!(p.contains("euc-jp"), "{p}");
    }

    /// Fixed-length records without line ends, as a mainframe writes them.
    const FIXED: Framing = Framing::Fixed {
        length: 24,
        newline: false,
    };

    /// 24-byte IBM930 records: number 0001…, "ABC", 日日 in double-byte, EBCDIC spaces.
    fn ibm930_records() -> Vec<u8> {
        let mut v = Vec::new();
        for n in 0..40u32 {
            let digits: Vec<u8> = format!("{n:04}").bytes().map(|d| d - b'0' + 0xF0).collect();
            v.extend(&digits);
            v.extend(b"\x40\xC1\xC2\xC3\x0E\x45\x62\x45\x62\x0F");
            v.extend([0x40; 10]);
        }
        v
    }

    #[test]
    fn ebcdic_read_as_an_ascii_family_encoding_is_named() {
        let ebcdic = ibm930_records();
        // It decodes as CP932 (half-width kana, 外字) without an error: only the bytes tell.
        assert_eq!(
            decode_sample(&ebcdic, true, Encoding::Cp932, FIXED, &[]).1,
            0
        );
        for enc in [
            Encoding::Cp932,
            Encoding::EucJp,
            Encoding::Utf8,
            Encoding::JipsJ,
        ] {
            let p = encoding_problem(&ebcdic, true, enc, FIXED, &[]).unwrap();
            assert!(
                p.contains("EBCDIC") && p.contains("Try --encoding ibm930"),
                "{enc}: {p}"
            );
            // The IBM shifts are seen: the other families are not suggested.
            assert!(!p.contains("keis"), "{p}");
        }
        // Without double-byte runs every EBCDIC family is a candidate.
        let plain: Vec<u8> = ebcdic
            .iter()
            .map(|&b| if b < 0x40 { 0x40 } else { b })
            .collect();
        let p = encoding_problem(&plain, true, Encoding::Cp932, FIXED, &[]).unwrap();
        assert!(
            p.contains("ibm930") && p.contains("keis-ebcdik") && p.contains("jips-e"),
            "{p}"
        );
        // Declared right, nothing to say.
        for enc in [Encoding::Ibm930, Encoding::Ibm1390] {
            assert_eq!(
                encoding_problem(&ebcdic, true, enc, FIXED, &[]),
                None,
                "{enc}"
            );
        }
    }

    #[test]
    fn ascii_family_text_read_as_ebcdic_is_named() {
        let sjis =
            b"0001,\x8ER\x93c,19800101,  \r\n0002,\x8D\xB2\x93\xA1,19791231,  \r\n".repeat(10);
        for enc in [
            Encoding::Ibm930,
            Encoding::Ibm939,
            Encoding::JefEbcdik,
            Encoding::KeisEbcdic,
            Encoding::JipsE,
            Encoding::JefAscii,
        ] {
            let p = encoding_problem(&sjis, true, enc, CSV, &[]).unwrap();
            assert!(
                p.contains("ASCII-family") && p.contains("cp932"),
                "{enc}: {p}"
            );
        }
        // Fixed-length CP932 padded with 全角スペース (0x81 0x40) is not EBCDIC.
        let padded = b"0001\x8ER\x93c\x81\x40\x81\x40\x81\x40\x81\x40\x81\x40\x81\x40".repeat(40);
        let fixed = Framing::Fixed {
            length: 20,
            newline: false,
        };
        assert_eq!(
            encoding_problem(&padded, true, Encoding::Cp932, fixed, &[]),
            None
        );
    }

    #[test]
    fn another_mainframe_familys_kanji_are_named() {
        // KEIS: 0x0A42 … 0x0A41 around the double-byte text, read as IBM930 (where
        // 0x0A and 0x42 are a control code and a katakana: no decoding error).
        let mut keis = Vec::new();
        for _ in 0..20 {
            keis.extend(b"\xF0\xF0\xF1\x40\x0A\x42\xB0\xA1\xB0\xA2\x0A\x41\x40\x40\x40\x40");
        }
        let fixed = Framing::Fixed {
            length: 16,
            newline: false,
        };
        let p = encoding_problem(&keis, true, Encoding::Ibm930, fixed, &[]).unwrap();
        assert!(
            p.contains("keis-ebcdik") && p.contains("0x0E … 0x0F"),
            "{p}"
        );
        // (Only the family check: the KEIS decoder is another branch's.)
        assert_eq!(family_problem(&keis, Encoding::KeisEbcdik), None);
    }
}
