//! The one decoding loop of the encodings decoded by table (CP932, Shift_JIS,
//! EUC-JP, eucJP-ms): decode, split a CSV record at its delimiters and OR each
//! item's character flags, in one pass over the bytes.
//!
//! What is common is written once here: ASCII copied eight bytes at a time,
//! delimiters and quotes found in the words copied, the flags OR-ed per item.
//! What differs, the step over one non-ASCII character, is the encoding's
//! [`Tables`] ([`super::sjis`], [`super::eucjp`]): one lookup per character
//! (two for an EUC-JP G3 one), its UTF-8 bytes stored with one 4-byte write.

use super::DecodeError;
use std::sync::OnceLock;

/// An entry: UTF-8 bytes in bits 0–23 (little-endian), their count in bits 24–31.
/// Count 0 is an invalid byte or pair; the tables mark lead bytes with counts
/// above 3.
pub(super) type Entry = u32;

/// The entry of `s` when it is the whole decoding of the bytes (one character
/// of at most 3 UTF-8 bytes; 0 otherwise, which the tables read as "no character").
pub(super) fn entry_of(s: &str) -> Entry {
    let b = s.as_bytes();
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(_), None) if b.len() <= 3 => {
            let mut e = (b.len() as u32) << 24;
            for (k, &x) in b.iter().enumerate() {
                e |= (x as u32) << (8 * k);
            }
            e
        }
        _ => 0,
    }
}

/// The text of a non-zero entry, in `buf` (no allocation: this runs for every
/// character of a table at each start).
fn text_of(e: Entry, buf: &mut [u8; 4]) -> Option<&str> {
    *buf = e.to_le_bytes();
    let len = (e >> 24) as usize;
    std::str::from_utf8(buf.get(..len)?).ok()
}

/// Length of [`CharFlags`]: a power of two, so a masked index needs no bounds
/// check. Index 0–0x7F is an ASCII byte, 0x80–0xFF a single non-ASCII byte
/// (CP932 half-width kana), 0x100 on a multi-byte character (the encoding's
/// [`Tables::char_at`] gives the index).
pub(super) const FLAGS_LEN: usize = 1 << 16;

/// What an encoding's tables say of its non-ASCII characters.
pub(super) trait Tables {
    /// The character starting at `bytes[i]` (0x80 or above): its entry (never
    /// 0), its length in bytes and its index in [`CharFlags`] (below
    /// [`FLAGS_LEN`]). None when the tables hold no character there.
    fn char_at(&self, bytes: &[u8], i: usize) -> Option<(Entry, usize, usize)>;

    /// Decodes `bytes` from `i`, where [`Tables::char_at`] found no character,
    /// appending the text before the error to `out`: the error exactly as the
    /// encoding reports it (or Ok when the rest decodes after all).
    fn rest(&self, bytes: &[u8], i: usize, out: &mut String) -> Result<(), DecodeError>;

    /// Every non-ASCII character the tables hold: its index in [`CharFlags`]
    /// and its entry.
    fn each_char(&self, f: &mut dyn FnMut(usize, Entry));

    /// The two-byte character at `bytes[i..i + 2]` by one lookup of the pair,
    /// when the tables hold one there: its entry (never 0) and its index in
    /// [`CharFlags`], as [`Tables::char_at`] gives them. None: not a two-byte
    /// character of this lookup (whatever else it is, `char_at` tells).
    #[inline(always)]
    fn pair_at(&self, _bytes: &[u8], _i: usize) -> Option<(Entry, usize)> {
        None
    }
}

/// A flag byte per character of an encoding (per index its [`Tables`] give),
/// for [`decode_split`] to tell per item what its characters need: the caller's
/// classification of each character, made once ([`char_flags`]).
pub struct CharFlags {
    chars: Box<[u8; FLAGS_LEN]>,
}

fn no_flags() -> &'static CharFlags {
    static NONE: OnceLock<CharFlags> = OnceLock::new();
    NONE.get_or_init(|| CharFlags {
        chars: Box::new([0; FLAGS_LEN]),
    })
}

/// The flags `classify` gives each non-ASCII character of `tables`, each
/// ASCII control character, the comma and the quote (its text; other printable
/// ASCII has no flags). The comma's and the quote's are told only in items
/// decoded whole ([`decode_flagged`]: a fixed-length item holding one needs
/// quoting as CSV); a CSV record's split at them.
pub(super) fn char_flags(tables: &impl Tables, classify: impl Fn(&str) -> u8) -> CharFlags {
    let mut f = CharFlags {
        chars: Box::new([0; FLAGS_LEN]),
    };
    for b in (0..0x20).chain([b'"', b',', 0x7F]) {
        f.chars[b as usize] = classify(&char::from(b).to_string());
    }
    tables.each_char(&mut |index, e| {
        if let Some(s) = text_of(e, &mut [0; 4]) {
            f.chars[index & (FLAGS_LEN - 1)] = classify(s);
        }
    });
    f
}

pub(super) const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The ASCII control bytes (below 0x20, and 0x7F) of `w`: their high bits.
#[inline(always)]
fn controls(w: u64) -> u64 {
    crate::items::bytes_below(w, 0x20) | crate::items::equal_bytes(w, ONES * 0x7F)
}

/// The bytes of `w` below 0x2D (controls, the quote and the comma among
/// them), and 0x7F: their high bits. As cheap as [`controls`]; a space or one
/// of ! # $ % & ' ( ) * + in a word (rare in the data, no flags) costs a look
/// at each of its bytes.
#[inline(always)]
fn flagged_ascii(w: u64) -> u64 {
    crate::items::bytes_below(w, 0x2D) | crate::items::equal_bytes(w, ONES * 0x7F)
}

/// Decodes `bytes` by `tables` and appends the text to `out`. On error `out`
/// holds the text decoded before the bad bytes.
pub(super) fn decode(
    tables: &impl Tables,
    bytes: &[u8],
    out: &mut String,
) -> Result<(), DecodeError> {
    run(tables, bytes, out, &mut NoSplit).map(drop)
}

/// As [`decode`], and the [`CharFlags`] of the characters decoded, OR-ed
/// (None: the decoder could not tell them). Inlined: a fixed-length record
/// calls it once per item ([`super::ItemDecoder::decode_flagged`]).
#[inline(always)]
pub(super) fn decode_flagged(
    tables: &impl Tables,
    bytes: &[u8],
    out: &mut String,
    table: &CharFlags,
) -> Result<Option<u8>, DecodeError> {
    let mut f = Flagged {
        table: &table.chars,
        flags: 0,
    };
    let told = run(tables, bytes, out, &mut f)?;
    Ok(told.then_some(f.flags))
}

/// As [`decode_flagged`] for each piece `a..b` of `bytes` in `pieces` in
/// turn, all into `out`, joined by `sep` (ASCII): of each piece, the first
/// `n` bytes with their flags, then (`keep`) the rest decoded without them,
/// where `(n, keep) = head.head(k, piece)` (its padding: the rest, left out
/// or kept as it is). Each piece's span in `out` into `spans`, its flags
/// OR-ed into `item_flags` (both cleared first). Some: the OR of all the
/// flags. None: a piece is not in `bytes`, or holds bytes the tables do not
/// decode (the buffers then hold part of the record). One call per
/// fixed-length record rather than one per item, `head` (its padding found)
/// inlined into it.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn decode_pieces(
    tables: &impl Tables,
    bytes: &[u8],
    pieces: &[(usize, usize)],
    head: &mut impl super::Heads,
    sep: u8,
    out: &mut String,
    spans: &mut Vec<(usize, usize)>,
    table: &CharFlags,
    item_flags: &mut Vec<u8>,
) -> Option<u8> {
    debug_assert!(sep.is_ascii());
    spans.clear();
    item_flags.clear();
    // Room for every piece's span and flags at once, written in place below
    // (one capacity check a record rather than one a push).
    spans.reserve(pieces.len());
    item_flags.reserve(pieces.len());
    let mut any = 0;
    let mut done = 0;
    let slots = pieces
        .iter()
        .zip(spans.spare_capacity_mut())
        .zip(item_flags.spare_capacity_mut());
    for (k, ((&(a, b), span), item)) in slots.enumerate() {
        let piece = bytes.get(a..b)?;
        let (n, keep) = head.head(k, piece);
        let (start, flags) = match keep {
            false => {
                // The separator written by the loop, in the room it reserves.
                let start = out.len() + usize::from(k > 0);
                let mut f = Flagged {
                    table: &table.chars,
                    flags: 0,
                };
                let lead = (k > 0).then_some(sep);
                let told = matches!(
                    run_from(tables, piece.get(..n)?, out, &mut f, lead),
                    Ok(true)
                );
                (start, told.then_some(f.flags))
            }
            true => {
                if k > 0 {
                    out.push(char::from(sep));
                }
                (out.len(), decode_kept(tables, piece, n, out, table))
            }
        };
        let flags = flags?;
        span.write((start, out.len()));
        item.write(flags);
        any |= flags;
        done = k + 1;
    }
    // SAFETY: the first `done` slots of both were written above (the loop
    // covers every piece: room for all was reserved).
    unsafe {
        spans.set_len(done);
        item_flags.set_len(done);
    }
    (done == pieces.len()).then_some(any)
}

/// [`decode_pieces`]'s item whose padding is kept (rare: NULs): its first
/// `n` bytes with their flags (returned), then the rest without; None: not
/// by the tables alone. Out of the loop, so that the common item costs it
/// nothing.
#[cold]
#[inline(never)]
fn decode_kept(
    tables: &impl Tables,
    piece: &[u8],
    n: usize,
    out: &mut String,
    table: &CharFlags,
) -> Option<u8> {
    let (text, rest) = piece.split_at_checked(n)?;
    let mut f = Flagged {
        table: &table.chars,
        flags: 0,
    };
    let whole = matches!(run(tables, text, out, &mut f), Ok(true))
        && matches!(run(tables, rest, out, &mut NoSplit), Ok(true));
    whole.then_some(f.flags)
}

/// As [`decode`], and in the same loop the items of a CSV record: the spans
/// (in `out`, from where it ended before) between `delimiter` bytes, into `spans`
/// (cleared first). Ok(false): the record holds `quote` (or the loop did not
/// see all of it), so `spans` is not its items (the caller splits the text
/// with the quoting rules). `delimiter` and `quote` are ASCII.
///
/// One pass instead of two: delimiters and quotes are ASCII, and every ASCII byte
/// the loop copies is one ASCII character of the text (a trail byte that
/// happens to equal the delimiter is part of its multi-byte character, read
/// with it), so the bytes found here are exactly those a scan of the text finds.
///
/// With `flags`, also each item's [`CharFlags`] (the flags of its non-ASCII
/// and control characters OR-ed) into `item_flags`, one per span (cleared first).
pub(super) fn decode_split(
    tables: &impl Tables,
    bytes: &[u8],
    out: &mut String,
    delimiter: u8,
    quote: u8,
    spans: &mut Vec<(usize, usize)>,
    flags: Option<(&CharFlags, &mut Vec<u8>)>,
) -> Result<bool, DecodeError> {
    debug_assert!(delimiter.is_ascii() && quote.is_ascii());
    spans.clear();
    let base = out.len();
    let (table, item_flags) = match flags {
        Some((t, f)) => (t, Some(f)),
        None => (no_flags(), None),
    };
    let mut split = Split {
        delimiter,
        quote,
        delimiters: ONES * delimiter as u64,
        quotes: ONES * quote as u64,
        base,
        start: base,
        quoted: false,
        spans,
        table: &table.chars,
        item: 0,
        item_flags,
    };
    if let Some(f) = split.item_flags.as_deref_mut() {
        f.clear();
    }
    // Ok(false) from `run`: the rest was decoded by the encoding's reference,
    // not split here.
    if !run(tables, bytes, out, &mut split)? || split.quoted {
        // The flags of some items only: none, so that no caller takes them for
        // the items' (the caller looks at the text).
        if let Some(f) = split.item_flags.as_deref_mut() {
            f.clear();
        }
        return Ok(false);
    }
    split.spans.push((split.start, out.len()));
    let last = split.item;
    if let Some(f) = split.item_flags.as_deref_mut() {
        f.push(last);
    }
    Ok(true)
}

/// What the decoding loop tells about what it copies (nothing for plain
/// decoding; the item boundaries and each item's character flags for CSV). `at`
/// is a byte's place in the output relative to where decoding started.
trait Sink {
    /// Eight ASCII bytes, `w` (little-endian), copied to `at..at + 8`; the first
    /// `seen` of them were told before (0–7).
    fn word(&mut self, at: usize, w: u64, seen: usize);
    /// One ASCII byte copied to `at`.
    fn byte(&mut self, at: usize, b: u8);
    /// A non-ASCII character, its index in [`CharFlags`].
    fn char(&mut self, index: usize);

    /// Whether the loop reads runs of two-byte characters in a loop of their
    /// own ([`Tables::pair_at`]). Measured per sink (callgrind, CP932): with
    /// [`Flagged`] (the items of a fixed-length record) it saves about 140
    /// instructions a record; with [`Split`] (a CSV record), whose state
    /// takes more registers, the loop spills them and costs about 34 more.
    const PAIR_LOOP: bool;
}

struct NoSplit;

impl Sink for NoSplit {
    const PAIR_LOOP: bool = true;

    #[inline(always)]
    fn word(&mut self, _: usize, _: u64, _: usize) {}
    #[inline(always)]
    fn byte(&mut self, _: usize, _: u8) {}
    #[inline(always)]
    fn char(&mut self, _: usize) {}
}

struct Flagged<'a> {
    /// The flags of [`CharFlags`] (its table itself: one load less a
    /// character than through it).
    table: &'a [u8; FLAGS_LEN],
    flags: u8,
}

impl Sink for Flagged<'_> {
    const PAIR_LOOP: bool = true;

    #[inline(always)]
    fn word(&mut self, _: usize, w: u64, seen: usize) {
        if flagged_ascii(w) & (u64::MAX << (8 * seen)) != 0 {
            for k in seen..8 {
                self.byte(0, (w >> (8 * k)) as u8);
            }
        }
    }

    #[inline(always)]
    fn byte(&mut self, _: usize, b: u8) {
        // ASCII other than controls, comma and quote has no flags: no test.
        self.flags |= self.table[b as usize];
    }

    #[inline(always)]
    fn char(&mut self, index: usize) {
        self.flags |= self.table[index & (FLAGS_LEN - 1)];
    }
}

struct Split<'a> {
    delimiter: u8,
    quote: u8,
    /// The delimiter and the quote repeated in every byte.
    delimiters: u64,
    quotes: u64,
    /// Where decoding started in the output: spans are absolute in it.
    base: usize,
    /// Where the current item starts in the output.
    start: usize,
    /// A quote was met: the spans are incomplete and no longer kept.
    quoted: bool,
    spans: &'a mut Vec<(usize, usize)>,
    /// The flags of [`CharFlags`], as in [`Flagged`].
    table: &'a [u8; FLAGS_LEN],
    /// The flags of the current item so far.
    item: u8,
    item_flags: Option<&'a mut Vec<u8>>,
}

impl Split<'_> {
    #[inline(always)]
    fn hit(&mut self, at: usize, b: u8) {
        if b == self.quote {
            self.quoted = true;
        } else if !self.quoted {
            let at = self.base + at;
            self.spans.push((self.start, at));
            self.start = at + 1;
            let item = std::mem::take(&mut self.item);
            if let Some(f) = self.item_flags.as_deref_mut() {
                f.push(item);
            }
        }
    }
}

impl Sink for Split<'_> {
    const PAIR_LOOP: bool = false;

    #[inline(always)]
    fn word(&mut self, at: usize, w: u64, seen: usize) {
        // A control character (rare): byte by byte, so that its flags go to its item.
        if controls(w) & (u64::MAX << (8 * seen)) != 0 {
            for k in seen..8 {
                self.byte(at + k, (w >> (8 * k)) as u8);
            }
            return;
        }
        let hits = crate::items::equal_bytes(w, self.delimiters)
            | crate::items::equal_bytes(w, self.quotes);
        let mut hits = hits & (u64::MAX << (8 * seen));
        while hits != 0 {
            let k = (hits.trailing_zeros() / 8) as usize;
            self.hit(at + k, (w >> (8 * k)) as u8);
            hits &= hits - 1;
        }
    }

    #[inline(always)]
    fn byte(&mut self, at: usize, b: u8) {
        if b == self.delimiter || b == self.quote {
            self.hit(at, b);
        } else if b < 0x20 || b == 0x7F {
            self.item |= self.table[b as usize];
        }
    }

    #[inline(always)]
    fn char(&mut self, index: usize) {
        self.item |= self.table[index & (FLAGS_LEN - 1)];
    }
}

/// The loop. Ok(true): every character went through `sink`; Ok(false): from
/// the first character the tables do not hold, the encoding's
/// [`Tables::rest`] decoded the rest (the sink saw only what came before).
#[inline(always)]
fn run<T: Tables, S: Sink>(
    t: &T,
    bytes: &[u8],
    out: &mut String,
    sink: &mut S,
) -> Result<bool, DecodeError> {
    run_from(t, bytes, out, sink, None)
}

/// [`run`], and with `lead` the ASCII byte first, written in the room the
/// loop reserves anyway (a fixed-length item after the first: its separator
/// costs no push of its own).
#[inline(always)]
fn run_from<T: Tables, S: Sink>(
    t: &T,
    bytes: &[u8],
    out: &mut String,
    sink: &mut S,
    lead: Option<u8>,
) -> Result<bool, DecodeError> {
    let n = bytes.len();
    // SAFETY: `as_mut_vec` requires `out` to hold UTF-8 whenever it is used as a
    // String again. Only whole characters are committed below (`set_len`): ASCII
    // bytes, or the bytes of a table entry, which the tables took from decoded text.
    let v = unsafe { out.as_mut_vec() };
    // Each byte gives at most 3 (a character of 1 byte, CP932 kana, gives at
    // most 3; entries hold at most 3); 4 more for the last 4-byte store, and
    // the lead byte. Every write below stays within this room (see `put`).
    v.reserve(3 * n + 4 + usize::from(lead.is_some()));
    let start = v.len();
    let dst = v.spare_capacity_mut();
    let (mut i, mut o) = (0, 0);
    if let Some(sep) = lead {
        debug_assert!(sep.is_ascii());
        put(dst, 0, &[sep]);
        o = 1;
    }
    // Where the run of single ASCII characters that ends at `i` starts.
    let mut run = 0;
    let mut stopped = false;
    while i < n {
        let b = bytes[i];
        if b < 0x80 {
            if let Some(w) = bytes.get(i..i + 8) {
                let w: [u8; 8] = w.try_into().unwrap_or_default();
                let word = u64::from_le_bytes(w);
                if word & HIGH_BITS == 0 {
                    put(dst, o, &w);
                    sink.word(o, word, 0);
                    i += 8;
                    o += 8;
                    continue;
                }
            } else if let Some(back) = (i + 8).checked_sub(n).filter(|&k| k <= i - run) {
                // Fewer than 8 bytes left (the end of most items): the last 8 of
                // the input at once when all are ASCII. The `back` bytes before `i`
                // are then copied again onto themselves: they are single ASCII
                // characters (`run`), one output byte each.
                let w: [u8; 8] = bytes[n - 8..].try_into().unwrap_or_default();
                let word = u64::from_le_bytes(w);
                if word & HIGH_BITS == 0 {
                    put(dst, o - back, &w);
                    sink.word(o - back, word, back);
                    o += n - i;
                    i = n;
                    continue;
                }
            }
            put(dst, o, &[b]);
            sink.byte(o, b);
            i += 1;
            o += 1;
            continue;
        }
        // Japanese text runs on in two-byte characters: a loop of their own,
        // one lookup each and no test of the byte first, for the sinks it
        // helps.
        if S::PAIR_LOOP
            && let Some(mut pair) = t.pair_at(bytes, i)
        {
            loop {
                let (e, index) = pair;
                sink.char(index);
                put(dst, o, &e.to_le_bytes());
                i += 2;
                o += (e >> 24) as usize;
                // (Tested first so that `pair_at` needs no overflow test.)
                if i >= n {
                    break;
                }
                match t.pair_at(bytes, i) {
                    Some(next) => pair = next,
                    None => break,
                }
            }
            run = i;
            continue;
        }
        let Some((e, len, index)) = t.char_at(bytes, i) else {
            stopped = true;
            break;
        };
        sink.char(index);
        put(dst, o, &e.to_le_bytes());
        i += len;
        o += (e >> 24) as usize;
        run = i;
    }
    // SAFETY: `dst[..o]` was written above, and holds whole characters only.
    unsafe { v.set_len(start + o) };
    if !stopped {
        return Ok(true);
    }
    t.rest(bytes, i, out).map(|()| false)
}

/// Writes `src` at `dst[at..]`, without a bounds check (about 150 instructions a
/// CP932 record were spent on them): the caller, [`run`], keeps `at + N` within
/// the room it reserved.
#[inline(always)]
fn put<const N: usize>(dst: &mut [std::mem::MaybeUninit<u8>], at: usize, src: &[u8; N]) {
    // Checked in the unit tests (which run the loop over every one- and
    // two-byte input and long random ones) and in debug and fuzz builds.
    if cfg!(any(test, debug_assertions)) {
        assert!(at + N <= dst.len(), "decoder output past its room");
    }
    // SAFETY: `dst` is the spare capacity `run` reserved, 3 × (input length) + 4
    // bytes, one more with a lead byte (written at 0). Every character takes at
    // least one input byte and gives at most 3 output bytes (entries hold at
    // most 3), so with `i` input bytes read, `o <= 3i + lead`. `run` writes 8
    // bytes at `o` with 8 input bytes left (o + 8 <= 3n + lead), 8 at `o - back`
    // with `n - i` left (o - back + 8 = o + n - i <= 3n + lead), and 1 or 4 at
    // `o` with at least one left (o + 4 <= 3n + 1 + lead): all within 3n + 4 + lead.
    unsafe {
        dst.as_mut_ptr()
            .add(at)
            .cast::<[u8; N]>()
            .write_unaligned(*src)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Encoding, char_flags, decode_csv, decode_reference};
    use super::CharFlags;
    use std::sync::OnceLock;

    /// Every encoding the loop serves.
    const ALL: [Encoding; 4] = [
        Encoding::Cp932,
        Encoding::ShiftJis,
        Encoding::EucJp,
        Encoding::EucJpMs,
    ];

    /// A classification that tells characters apart (0–15 from the code point;
    /// 0 for some), so that a flag OR-ed into the wrong item shows.
    fn classify(s: &str) -> u8 {
        let c = s.chars().next().map_or(0, |c| c as u32);
        (c.wrapping_mul(0x9E37_79B9) >> 28) as u8
    }

    fn flags(enc: Encoding) -> &'static CharFlags {
        static TABLES: [OnceLock<CharFlags>; 4] = [const { OnceLock::new() }; 4];
        let k = ALL.iter().position(|&e| e == enc).unwrap();
        TABLES[k].get_or_init(|| char_flags(enc, classify).unwrap())
    }

    /// decode_csv with and without flags: the text of the encoding's reference
    /// decoder, the spans a scan of that text finds (or the same "quoted"
    /// answer), the same error, and per item the flags of its characters OR-ed.
    fn split_as_two_passes(enc: Encoding, bytes: &[u8], delimiter: u8, quote: u8) {
        let mut one = String::from("x");
        let mut spans = vec![(9, 9)];
        let mut item_flags = vec![0xFF];
        let f = Some((flags(enc), &mut item_flags));
        let r1 = decode_csv(enc, bytes, &mut one, delimiter, quote, &mut spans, f);
        let mut plain = String::from("x");
        let mut plain_spans = vec![(9, 9)];
        let r0 = decode_csv(
            enc,
            bytes,
            &mut plain,
            delimiter,
            quote,
            &mut plain_spans,
            None,
        );
        assert_eq!(
            (&plain, format!("{r0:?}")),
            (&one, format!("{r1:?}")),
            "{enc} {bytes:02X?}"
        );
        let mut two = String::from("x");
        let r2 = decode_reference(enc, bytes, &mut two);
        assert_eq!(one, two, "{enc} {bytes:02X?}");
        match (r1, r2) {
            (Ok(whole), Ok(())) => {
                let mut want = Vec::new();
                let scan = crate::items::unquoted_spans_from(&two, 1, delimiter, quote, &mut want);
                assert_eq!(whole, scan, "{enc} {bytes:02X?}");
                if !whole {
                    assert!(item_flags.is_empty(), "{enc} {bytes:02X?}");
                    return;
                }
                assert_eq!((&spans, &plain_spans), (&want, &want), "{enc} {bytes:02X?}");
                let want_flags: Vec<u8> = want
                    .iter()
                    .map(|&(a, b)| {
                        two[a..b]
                            .chars()
                            .filter(|c| !c.is_ascii() || c.is_ascii_control())
                            .fold(0, |f, c| f | classify(c.encode_utf8(&mut [0; 4])))
                    })
                    .collect();
                assert_eq!(item_flags, want_flags, "{enc} {bytes:02X?}");
            }
            (Err(a), Err(b)) => assert_eq!(
                (a.offset, a.bytes, a.kind),
                (b.offset, b.bytes, b.kind),
                "{enc} {bytes:02X?}"
            ),
            (a, b) => panic!("{enc} {bytes:02X?}: {a:?} / {b:?}"),
        }
    }

    proptest::proptest! {
        #[test]
        fn splitting_while_decoding_finds_what_a_scan_of_the_text_finds(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b','),
                    proptest::strategy::Just(b'"'),
                    proptest::strategy::Just(b'|'),
                    proptest::strategy::Just(0x8Eu8),
                    proptest::strategy::Just(0x8Fu8),
                    0x00u8..0x20,
                    0x30u8..0x3A,
                    0x40u8..0x7F,
                    0x81u8..0xA0,
                    0xA1u8..0xE0,
                    0xA1u8..0xFF,
                    proptest::num::u8::ANY,
                ],
                0..48,
            ),
            pipe in proptest::bool::ANY,
        ) {
            // `|` (0x7C) is also a CP932 trail byte: inside a character it is no delimiter.
            for enc in ALL {
                split_as_two_passes(enc, &bytes, if pipe { b'|' } else { b',' }, b'"');
            }
        }
    }

    /// Records in each encoding: ASCII runs ending at every place, controls,
    /// trail bytes equal to the delimiter (CP932 ポ is 0x83 0x7C, `|`), the
    /// characters Shift_JIS and EUC-JP read as JIS forms (〜), half-width kana,
    /// JIS X 0212, user-defined rows (eucJP-ms PUA; an error in EUC-JP) and a
    /// quote at the end.
    fn records(enc: Encoding) -> Vec<u8> {
        match enc {
            Encoding::Cp932 | Encoding::ShiftJis => {
                // The 外字 0xF040 (U+E000) by hand: encoding_rs writes no PUA.
                let text = "12345678,ab|cd,ｶﾅ,漢字\t,ポ|ポ,～￢,";
                let tail = "0123456789,x\"";
                let (a, b) = (
                    encoding_rs::SHIFT_JIS.encode(text).0,
                    encoding_rs::SHIFT_JIS.encode(tail).0,
                );
                [&a[..], b"\xF0\x40,", &b[..]].concat()
            }
            _ => [
                &b"12345678,ab|cd,\x8E\xB6\x8E\xC5,\xB4\xC1\xBB\xFA\t,"[..],
                b"\xA5\xDD|\xA5\xDD,\xA1\xC1\xA2\xCC,\x8F\xB0\xA1\x8F\xF3\xF3,",
                b"0123456789,\xF5\xA1,\x8F\xF5\xA1,x\"",
            ]
            .concat(),
        }
    }

    #[test]
    fn splitting_at_every_length_and_alignment() {
        for enc in ALL {
            let bytes = records(enc);
            assert!(!bytes.contains(&b'&'), "{enc}: every character encoded");
            for from in 0..bytes.len() {
                for to in from..=bytes.len() {
                    for d in [b',', b'|'] {
                        split_as_two_passes(enc, &bytes[from..to], d, b'"');
                    }
                }
            }
        }
    }

    #[test]
    fn flags_are_told_for_every_encoding_the_loop_serves() {
        let want: Vec<u8> = ["漢", "\t", "ｱ"].into_iter().map(classify).collect();
        assert_ne!(want, [0, 0, 0]);
        for enc in ALL {
            let bytes: &[u8] = match enc {
                Encoding::Cp932 | Encoding::ShiftJis => b"\x8A\xBF,a\t,\xB1",
                _ => b"\xB4\xC1,a\t,\x8E\xB1",
            };
            let mut text = String::new();
            let (mut spans, mut item_flags) = (Vec::new(), Vec::new());
            let f = Some((flags(enc), &mut item_flags));
            let r = decode_csv(enc, bytes, &mut text, b',', b'"', &mut spans, f);
            assert_eq!((r, text.as_str()), (Ok(true), "漢,a\t,ｱ"), "{enc}");
            assert_eq!(item_flags, want, "{enc}");
        }
    }

    /// Tables that hold no character, and whose `rest` decodes anything (as
    /// Latin-1): what the loop does when the reference decodes what the tables
    /// do not hold.
    struct Empty;

    impl super::Tables for Empty {
        fn char_at(&self, _: &[u8], _: usize) -> Option<(super::Entry, usize, usize)> {
            None
        }

        fn rest(&self, bytes: &[u8], i: usize, out: &mut String) -> Result<(), super::DecodeError> {
            out.extend(bytes[i..].iter().map(|&b| char::from(b)));
            Ok(())
        }

        fn each_char(&self, _: &mut dyn FnMut(usize, super::Entry)) {}
    }

    #[test]
    fn what_the_reference_decodes_after_the_tables_is_neither_split_nor_flagged() {
        let table = super::char_flags(&Empty, |_| 1);
        let (mut text, mut spans, mut item_flags) = (String::new(), Vec::new(), vec![9]);
        let f = Some((&table, &mut item_flags));
        let r = super::decode_split(&Empty, b"a,b\xE9,c", &mut text, b',', b'"', &mut spans, f);
        // Ok(false): the caller splits the text itself and looks at its characters.
        assert_eq!(
            (r, text.as_str(), item_flags.len()),
            (Ok(false), "a,b\u{E9},c", 0)
        );
        let mut text = String::new();
        let r = super::decode_flagged(&Empty, b"a\x01\xE9", &mut text, &table);
        assert_eq!((r, text.as_str()), (Ok(None), "a\u{1}\u{E9}"));
        let mut text = String::new();
        let r = super::decode_flagged(&Empty, b"a\x01", &mut text, &table);
        assert_eq!((r, text.as_str()), (Ok(Some(1)), "a\u{1}"));
    }
}
