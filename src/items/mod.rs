//! Items: one decoded record → its items (CSV here; fixed-length items by
//! type in [`fixed`], with mainframe numbers in [`number`] and the shift
//! structure of mixed text in [`shift`]).
//!
//! CSV records are split after decoding, where the delimiter and the quote are
//! plain characters; the splitter has already refused records whose quotes are
//! not RFC 4180, so this parser only has to undo the quoting.

pub mod fixed;
pub mod number;
pub mod shift;

use memchr::memchr;

/// The items of one record: ranges of one buffer (no allocation per item).
#[derive(Debug, Default)]
pub struct Items {
    text: String,
    spans: Vec<(usize, usize)>,
}

impl Items {
    pub fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    #[inline]
    pub fn get(&self, i: usize) -> &str {
        let (start, end) = self.spans[i];
        &self.text[start..end]
    }

    /// Item `i`'s bytes (as [`Items::get`], without a look at character
    /// boundaries: for copying).
    #[inline]
    pub fn bytes(&self, i: usize) -> &[u8] {
        let (start, end) = self.spans[i];
        &self.text.as_bytes()[start..end]
    }

    /// The buffer the items are in: for items made by [`Items::push`], all items end
    /// to end; after [`split_csv_in_place`], the record with its delimiters. For checks
    /// that look at the whole record at once.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where item `i` is in [`Items::text`].
    #[inline]
    pub fn span(&self, i: usize) -> (usize, usize) {
        self.spans[i]
    }

    /// Where each item is in [`Items::text`], in order.
    #[inline]
    pub fn spans(&self) -> &[(usize, usize)] {
        &self.spans
    }

    /// Makes `record` the items' buffer with the spans `fill` finds in it (after
    /// `record`'s old length: the decoders write the record and find its items in
    /// one pass, [`crate::decode::decode_csv`]); `record` gets the items' old
    /// buffer, to reuse. `fill` returns false (or Err) when the spans are not the
    /// items: then nothing is swapped and the items are left empty.
    pub fn fill_in_place<E>(
        &mut self,
        record: &mut String,
        fill: impl FnOnce(&mut String, &mut Vec<(usize, usize)>) -> Result<bool, E>,
    ) -> Result<bool, E> {
        self.text.clear();
        let whole = fill(record, &mut self.spans);
        if let Ok(true) = whole {
            std::mem::swap(&mut self.text, record);
        } else {
            // Never spans into a buffer that does not hold them.
            self.spans.clear();
        }
        whole
    }

    /// Fills the items (cleared first) by `fill`, which appends their text to
    /// the buffer and their spans in it. None: the items are left empty.
    #[inline(always)]
    pub fn fill<T>(
        &mut self,
        fill: impl FnOnce(&mut String, &mut Vec<(usize, usize)>) -> Option<T>,
    ) -> Option<T> {
        self.clear();
        let r = fill(&mut self.text, &mut self.spans);
        if r.is_none() {
            self.clear();
        }
        r
    }

    /// Makes these items a copy of `other` (buffers reused), so that single items
    /// can then be narrowed ([`Items::narrow`]) or replaced ([`Items::replace`])
    /// without copying the others.
    pub fn copy_from(&mut self, other: &Items) {
        self.text.clear();
        self.text.push_str(&other.text);
        self.spans.clear();
        self.spans.extend_from_slice(&other.spans);
    }

    /// Item `i` becomes `start..end` of itself (a piece of it: trimmed).
    #[inline]
    pub fn narrow(&mut self, i: usize, start: usize, end: usize) {
        let (s, e) = self.spans[i];
        debug_assert!(start <= end && s + end <= e);
        self.spans[i] = (s + start, (s + end).min(e));
    }

    /// Item `i` becomes `item` (appended to the buffer: [`Items::text`] then holds
    /// more than the items end to end).
    pub fn replace(&mut self, i: usize, item: &str) {
        let start = self.text.len();
        self.text.push_str(item);
        self.spans[i] = (start, self.text.len());
    }

    /// The item pushed last.
    #[inline]
    pub fn last(&self) -> &str {
        self.get(self.spans.len().saturating_sub(1))
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.spans
            .iter()
            .map(|&(start, end)| &self.text[start..end])
    }

    /// Appends one item.
    #[inline]
    pub fn push(&mut self, item: &str) {
        let start = self.text.len();
        self.text.push_str(item);
        self.spans.push((start, self.text.len()));
    }

    /// Appends the items `spans` of `text` (in order, each after the last),
    /// after `sep` unless they are the first, as one copy of `text` from the
    /// first to the last: what lies between them (their separators) comes
    /// along.
    pub fn push_run_after(&mut self, sep: char, text: &str, spans: &[(usize, usize)]) {
        let (Some(&(from, _)), Some(&(_, to))) = (spans.first(), spans.last()) else {
            return;
        };
        if !self.spans.is_empty() {
            self.text.push(sep);
        }
        let at = self.text.len();
        self.text.push_str(&text[from..to]);
        self.spans
            .extend(spans.iter().map(|&(a, e)| (at + a - from, at + e - from)));
    }

    /// Appends one item, after `sep` unless it is the first: the buffer is then
    /// the items joined by `sep` (see [`Items::text`]).
    #[inline]
    pub fn push_after(&mut self, sep: char, item: &str) {
        if !self.spans.is_empty() {
            self.text.push(sep);
        }
        self.push(item);
    }

    /// As [`Items::push_with`], after `sep` unless it is the first item: the
    /// buffer is then the items joined by `sep` (see [`Items::push_after`]).
    #[inline]
    pub fn push_with_after<T, E>(
        &mut self,
        sep: char,
        fill: impl FnOnce(&mut String) -> Result<T, E>,
    ) -> Result<T, E> {
        if !self.spans.is_empty() {
            self.text.push(sep);
        }
        self.push_with(fill)
    }

    /// Starts an item written straight into the buffer ([`Items::buf`]), after
    /// `sep` unless it is the first; [`Items::close`] ends it. Returns where it
    /// starts. For loops that write items without a closure per item.
    #[inline(always)]
    pub fn open(&mut self, sep: char) -> usize {
        if !self.spans.is_empty() {
            self.text.push(sep);
        }
        self.text.len()
    }

    /// The buffer the open item is written into.
    #[inline(always)]
    pub fn buf(&mut self) -> &mut String {
        &mut self.text
    }

    /// Ends the item opened at `start` ([`Items::open`]).
    #[inline(always)]
    pub fn close(&mut self, start: usize) {
        self.spans.push((start, self.text.len()));
    }

    /// Gives each item `i` back the `spaces(i)` trailing spaces it was read
    /// with: the buffer becomes the items end to end. `tmp` is a buffer to
    /// reuse. For a fixed-length record whose padding was left out when it was
    /// decoded, once it is rejected: the reject file shows its items as read.
    pub fn pad_back(&mut self, spaces: impl Fn(usize) -> usize, tmp: &mut String) {
        tmp.clear();
        for (i, span) in self.spans.iter_mut().enumerate() {
            let start = tmp.len();
            tmp.push_str(&self.text[span.0..span.1]);
            tmp.extend(std::iter::repeat_n(' ', spaces(i)));
            *span = (start, tmp.len());
        }
        std::mem::swap(&mut self.text, tmp);
    }

    /// Appends one item written by `fill` into the shared buffer.
    pub fn push_with<T, E>(
        &mut self,
        fill: impl FnOnce(&mut String) -> Result<T, E>,
    ) -> Result<T, E> {
        let start = self.text.len();
        let r = fill(&mut self.text);
        self.spans.push((start, self.text.len()));
        r
    }
}

/// As [`split_csv`], but a record without quotes is not copied: its buffer becomes
/// the items' buffer (and `record` gets the items' old buffer, to reuse). Ok(true):
/// that happened, so [`Items::text`] is the record as it was.
pub fn split_csv_in_place(
    record: &mut String,
    delimiter: u8,
    quote: u8,
    items: &mut Items,
) -> Result<bool, QuoteError> {
    if !unquoted_spans(record.as_bytes(), delimiter, quote, &mut items.spans) {
        return split_csv(record, delimiter, quote, items).map(|()| false);
    }
    std::mem::swap(&mut items.text, record);
    Ok(true)
}

/// The items of a record without quotes, as spans of `record` (`spans` is cleared
/// first): one pass finds the delimiters. False, and `spans` incomplete, at the
/// first quote.
fn unquoted_spans(
    record: &[u8],
    delimiter: u8,
    quote: u8,
    spans: &mut Vec<(usize, usize)>,
) -> bool {
    spans.clear();
    let mut start = 0;
    let quoted = for_each_of_two(record, delimiter, quote, |p, b| {
        if b == quote {
            return false;
        }
        spans.push((start, p));
        start = p + 1;
        true
    });
    if !quoted {
        spans.push((start, record.len()));
    }
    !quoted
}

/// As `unquoted_spans`, for the record `text[start..]` (the spans absolute in
/// `text`): true when it holds no quote and `spans` are its items.
pub(crate) fn unquoted_spans_from(
    text: &str,
    start: usize,
    delimiter: u8,
    quote: u8,
    spans: &mut Vec<(usize, usize)>,
) -> bool {
    let whole = unquoted_spans(&text.as_bytes()[start..], delimiter, quote, spans);
    if start > 0 {
        for s in spans.iter_mut() {
            *s = (s.0 + start, s.1 + start);
        }
    }
    whole
}

/// Calls `f(position, byte)` for each byte of `hay` equal to `a` or `b`, in order,
/// until `f` returns false; returns true when it stopped early.
///
/// Records are short (about a hundred bytes, items of a few): eight bytes at a time
/// in a plain u64 beats a vector search whose setup is paid again for every item.
#[inline]
fn for_each_of_two(hay: &[u8], a: u8, b: u8, mut f: impl FnMut(usize, u8) -> bool) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let equal = equal_bytes;
    let (pa, pb) = (ONES * a as u64, ONES * b as u64);
    let words = hay.chunks_exact(8);
    let tail = words.remainder();
    for (k, word) in words.enumerate() {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        let mut hits = equal(w, pa) | equal(w, pb);
        while hits != 0 {
            let i = (hits.trailing_zeros() / 8) as usize;
            if !f(k * 8 + i, word[i]) {
                return true;
            }
            hits &= hits - 1;
        }
    }
    let base = hay.len() - tail.len();
    for (i, &c) in tail.iter().enumerate() {
        if (c == a || c == b) && !f(base + i, c) {
            return true;
        }
    }
    false
}

/// The high bit of the bytes of `w` below `n` (at most 0x80): exact for
/// whether there is one and for the lowest; a byte above one may be marked
/// too (the borrow crosses it), so a caller that needs each looks at them.
#[inline(always)]
pub(crate) fn bytes_below(w: u64, n: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH
}

/// The high bit of each byte of `w` equal to the byte repeated in `pat`; exact
/// (no carry crosses a byte, unlike the shorter `(x - ONES) & !x` form).
#[inline(always)]
pub(crate) fn equal_bytes(w: u64, pat: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = w ^ pat;
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// A CSV record whose quoting is not RFC 4180.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteError {
    /// Byte offset in the decoded record.
    pub at: usize,
}

/// Splits a decoded CSV record into `items` (cleared first).
pub fn split_csv(
    record: &str,
    delimiter: u8,
    quote: u8,
    items: &mut Items,
) -> Result<(), QuoteError> {
    items.clear();
    let b = record.as_bytes();
    // The common case, no quotes at all: the items are the record's own text.
    if unquoted_spans(b, delimiter, quote, &mut items.spans) {
        items.text.push_str(record);
        return Ok(());
    }
    items.spans.clear();
    let mut i = 0;
    loop {
        if b.get(i) == Some(&quote) {
            // Quoted item: copy runs between quotes, "" is one quote.
            let mut run = i + 1;
            let mut j = i + 1;
            items.push_with(|out| {
                loop {
                    match memchr(quote, &b[j..]) {
                        None => return Err(QuoteError { at: i }),
                        Some(p) => {
                            let q = j + p;
                            if b.get(q + 1) == Some(&quote) {
                                out.push_str(&record[run..=q]);
                                j = q + 2;
                                run = j;
                            } else {
                                out.push_str(&record[run..q]);
                                j = q + 1;
                                return Ok(());
                            }
                        }
                    }
                }
            })?;
            match b.get(j) {
                None => return Ok(()),
                Some(&d) if d == delimiter => i = j + 1,
                Some(_) => return Err(QuoteError { at: j }),
            }
            if i == b.len() {
                items.push("");
                return Ok(());
            }
        } else {
            let end = memchr(delimiter, &b[i..]).map_or(b.len(), |p| i + p);
            let item = &record[i..end];
            if let Some(p) = memchr(quote, item.as_bytes()) {
                return Err(QuoteError { at: i + p });
            }
            items.push(item);
            if end == b.len() {
                return Ok(());
            }
            i = end + 1;
            if i == b.len() {
                items.push("");
                return Ok(());
            }
        }
    }
}

/// The index of the item that text following `prefix` (the start of a decoded CSV
/// record) belongs to: the delimiters outside quotes in `prefix`. None: `prefix`
/// is not the start of an RFC 4180 record (a quote inside an unquoted item, or
/// text after a closing quote), so no item can be named with confidence.
pub fn item_at(prefix: &str, delimiter: u8, quote: u8) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        Start,
        Plain,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::Start;
    let mut index = 0usize;
    for &b in prefix.as_bytes() {
        state = match state {
            State::Start | State::Plain | State::QuoteInQuoted if b == delimiter => {
                index = index.checked_add(1)?;
                State::Start
            }
            State::Start if b == quote => State::Quoted,
            State::Start | State::Plain if b == quote => return None,
            State::Start | State::Plain => State::Plain,
            State::Quoted if b == quote => State::QuoteInQuoted,
            State::Quoted => State::Quoted,
            State::QuoteInQuoted if b == quote => State::Quoted,
            State::QuoteInQuoted => return None,
        };
    }
    Some(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Result<Vec<String>, QuoteError> {
        let mut items = Items::default();
        split_csv(s, b',', b'"', &mut items)?;
        Ok(items.iter().map(String::from).collect())
    }

    #[test]
    fn plain_and_quoted_items() {
        assert_eq!(split("a,b,,c").unwrap(), ["a", "b", "", "c"]);
        assert_eq!(split("").unwrap(), [""]);
        assert_eq!(split(",").unwrap(), ["", ""]);
        assert_eq!(
            split("\"a,b\",\"c\"\"d\",\"\"").unwrap(),
            ["a,b", "c\"d", ""]
        );
        assert_eq!(split("\"x\r\ny\",z,").unwrap(), ["x\r\ny", "z", ""]);
        assert_eq!(split("山田,\"太郎\"").unwrap(), ["山田", "太郎"]);
    }

    #[test]
    fn in_place_splitting_gives_the_same_items() {
        for rec in ["a,b,,c", "", ",", "\"a,b\",c", "山田,太郎,"] {
            let mut items = Items::default();
            let mut record = rec.to_string();
            split_csv_in_place(&mut record, b',', b'"', &mut items).unwrap();
            assert_eq!(
                items.iter().map(String::from).collect::<Vec<_>>(),
                split(rec).unwrap(),
                "{rec}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn the_word_scan_finds_what_a_byte_loop_finds(
            hay in proptest::collection::vec(proptest::sample::select(vec![b',', b'"', b'a', 0x80, 0xAC, 0xA2, 0x2B, 0x2D, 0x21, 0x23, 0xFF, 0]), 0..40),
            stop in 0usize..20,
        ) {
            let want: Vec<(usize, u8)> = hay
                .iter()
                .enumerate()
                .filter(|&(_, &c)| c == b',' || c == b'"')
                .map(|(i, &c)| (i, c))
                .collect();
            let mut got = Vec::new();
            let stopped = for_each_of_two(&hay, b',', b'"', |p, c| {
                got.push((p, c));
                got.len() <= stop
            });
            let n = want.len().min(stop + 1);
            proptest::prop_assert_eq!(&got[..], &want[..n]);
            proptest::prop_assert_eq!(stopped, want.len() > stop);
        }

        #[test]
        fn in_place_splitting_agrees_with_splitting_a_copy(
            rec in proptest::collection::vec(proptest::sample::select(vec!["a", ",", "山", "\"", "ｱ", ""]), 0..150),
        ) {
            let rec: String = rec.concat();
            let mut copy = Items::default();
            let want = split_csv(&rec, b',', b'"', &mut copy).map(|()| copy.iter().map(String::from).collect::<Vec<_>>());
            let mut items = Items::default();
            let mut record = rec.clone();
            let got = split_csv_in_place(&mut record, b',', b'"', &mut items).map(|_| items.iter().map(String::from).collect::<Vec<_>>());
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn item_at_counts_delimiters_outside_quotes() {
        let at = |p: &str| item_at(p, b',', b'"');
        assert_eq!(at(""), Some(0));
        assert_eq!(at("a,b,"), Some(2));
        assert_eq!(at("a,\"x,y"), Some(1), "inside a quoted item");
        assert_eq!(at("a,\"x,\"\"y\","), Some(2));
        assert_eq!(at("a\"b"), None);
        assert_eq!(at("\"a\"b"), None);
        for rec in ["a,b,,c", "\"a,b\",\"c\"\"d\",x", "山田,\"太,郎\",1"] {
            let items = split(rec).unwrap();
            // The start of each item is in that item.
            let mut start = 0;
            for (i, item) in items.iter().enumerate() {
                assert_eq!(at(&rec[..start]), Some(i), "{rec} {i}");
                let quoted = rec[start..].starts_with('"');
                start += item.len() + item.matches('"').count() + if quoted { 2 } else { 0 } + 1;
            }
        }
    }

    #[test]
    fn padding_given_back_makes_the_items_end_to_end() {
        let mut items = Items::default();
        for item in ["ab", "", "山"] {
            items.push_after(',', item);
        }
        items.pad_back(|i| [2, 1].get(i).copied().unwrap_or(0), &mut String::new());
        assert_eq!(items.text(), "ab   山");
        assert_eq!(items.iter().collect::<Vec<_>>(), ["ab  ", " ", "山"]);
    }

    #[test]
    fn bad_quotes_are_located() {
        assert_eq!(split("ab\"c,d").unwrap_err().at, 2);
        assert_eq!(split("\"ab\"c,d").unwrap_err().at, 4);
        assert_eq!(split("x,\"ab").unwrap_err().at, 2);
    }

    #[test]
    fn other_delimiters() {
        let mut items = Items::default();
        split_csv("a\t'b\tc'\t", b'\t', b'\'', &mut items).unwrap();
        assert_eq!(items.iter().collect::<Vec<_>>(), ["a", "b\tc", ""]);
    }
}
