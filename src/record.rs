//! One record, start to finish: raw bytes → decoded items → per item map
//! ([`crate::gaiji`]), cleanse ([`crate::cleanse`]) and validate
//! ([`crate::validate`]) → the items to write, or the reason the record is rejected.

use crate::cleanse::{Applied, Cleansed, Cleanser, Padding};
use crate::decode::{self, DecodeError, DecodeErrorKind, Encoding};
use crate::gaiji::{MapEvents, Mapper, Unmapped, UnmappedPolicy};
use crate::items::fixed::{self, ItemFault};
use crate::items::number::{NumberError, NumberFault};
use crate::items::shift::{self, Unclosed};
use crate::items::{self, Items};
use crate::layout::{Field, FieldType, Format, KanaScript, Layout, Recfm};
use crate::reject::Reject;
use crate::split::{Flaw, RdwFault};
use crate::target::apply::{READY_ITEMS, Reshaped, TargetScratch, Written};
use crate::validate;

/// Turns records of one layout and encoding into output items.
pub struct RecordProcessor {
    layout: Layout,
    encoding: Encoding,
    /// Shared with the processors of the other record types of the layout.
    mapper: std::sync::Arc<Mapper>,
    cleanser: Cleanser,
    /// Some item is `sensitive`: a record-level reason may then carry nothing
    /// taken from the record's bytes (they may be the sensitive item's).
    any_sensitive: bool,
    /// `convert --to`: the items written are the target layout's, reshaped from
    /// the source items (then `cleanser` is the target's).
    target: Option<crate::target::Plan>,
    /// An encoding whose decoder tells per item what its characters need
    /// ([`decode::decode_csv`], [`decode::decode_flagged`]): the flag of each
    /// character.
    flags: Option<std::sync::Arc<Flags>>,
    /// Per item read, what [`RecordProcessor::item_as_read`] needs of its field
    /// (empty only in tests, to compare with the general path).
    read_plan: Vec<ReadPlan>,
    /// Fixed-length records are read as CSV lines ([`RecordProcessor::split_fixed`]):
    /// items joined by commas, padding of spaces left out. Not under `--to`,
    /// whose reshaping takes the items as read, padding and all.
    lean_fixed: bool,
    /// Lean records (of layouts of at most 64 items) count the trailing
    /// spaces left out of their items by a mask ([`Scratch::spaces_trimmed`]),
    /// not by an entry in `changes` per item. Not for record types, whose
    /// counts are moved to the layout's item numbers entry by entry.
    trims_by_mask: bool,
    /// Per item of a fixed-length layout: where it is, made once.
    slots: Vec<Slot>,
    /// The encoding's decoder, looked up once (fixed-length items are
    /// decoded one by one).
    item_decoder: decode::ItemDecoder,
    /// Lean records whose items are all padded text ([`Slot::padded`]),
    /// their trims counted by the mask: read by
    /// [`RecordProcessor::split_fixed_fast`] first.
    fast_fixed: bool,
    /// Per item of a fixed-length layout: `off..end` of its bytes (`slots`).
    ranges: Vec<(usize, usize)>,
    /// A layout whose decoder tells each item's flags: the checks of
    /// [`RecordProcessor::item_as_read`] for all items of a record at once
    /// ([`RecordProcessor::not_as_read`]).
    record_plan: Option<RecordPlan>,
    /// `convert --to`: [`RecordPlan`] of the target's items, for those that
    /// are source items as read ([`RecordProcessor::target_not_as_read`]).
    target_checks: Option<TargetChecks>,
}

/// [`RecordPlan`] of a target layout's items: each checked on the source
/// item it is as read.
struct TargetChecks {
    /// By the target's fields and cleanser; `never` holds the items the
    /// plan makes (those are processed one by one).
    plan: RecordPlan,
    /// Per target item, the source item it is as read (`usize::MAX`: a value
    /// the plan makes).
    at: Vec<usize>,
    /// The same checks in the source's item order, when they can be: run on
    /// the items as read, with nothing gathered per record.
    by_source: Option<BySource>,
}

/// [`TargetChecks`] on the source items as they are, for a plan whose
/// target items are distinct source items (or made), the first the source's
/// first: the plain record checks ([`RecordProcessor::not_as_read`]), each
/// source item by the target field that copies it, then each source item's
/// bit moved to its target item's.
struct BySource {
    /// In source item order; a source item no target item copies is checked
    /// by nothing but its padding, and its bit is not moved.
    plan: RecordPlan,
    /// (source item, target item, mask): the bits of a run of source items
    /// that are target items in the same order.
    moves: Vec<(usize, usize, u64)>,
    /// The bits of the target items the plan makes.
    made: u64,
}

impl BySource {
    /// None: a source item copied twice, the first target item not the first
    /// source item, or more than 64 items.
    fn of(plan: &RecordPlan, at: &[usize], sources: usize) -> Option<BySource> {
        if at.first() != Some(&0) || sources > 64 || at.len() > 64 {
            return None;
        }
        let pass = ItemLimits {
            bad_flags: 0,
            required: false,
            max_len: usize::MAX,
        };
        let mut items = vec![pass; sources];
        let (mut seen, mut never, mut made) = (0u64, 0u64, 0u64);
        let mut moves: Vec<(usize, usize, u64)> = Vec::new();
        for (j, &a) in at.iter().enumerate() {
            if a == usize::MAX {
                made |= 1 << j;
                continue;
            }
            if a >= sources || seen >> a & 1 != 0 {
                return None;
            }
            seen |= 1 << a;
            items[a] = *plan.items.get(j)?;
            never |= (plan.never >> j & 1) << a;
            // The next source item as the next target item: the same run.
            match moves.last_mut() {
                Some((from, to, mask)) if a > *from && a - *from == j - *to => {
                    *mask |= 1 << (a - *from);
                }
                _ => moves.push((a, j, 1)),
            }
        }
        Some(BySource {
            plan: RecordPlan {
                checks: plan.checks.on_items(at),
                items,
                never,
            },
            moves,
            made,
        })
    }

    /// The target's bits of the source's `bits` (all set stays all set).
    #[inline(always)]
    fn to_target(&self, bits: u64) -> u64 {
        if bits == u64::MAX {
            return u64::MAX;
        }
        self.moves
            .iter()
            .fold(self.made, |t, &(a, j, mask)| t | ((bits >> a) & mask) << j)
    }
}

impl TargetChecks {
    /// None: as [`RecordPlan::of`].
    fn of(
        target: &crate::target::Plan,
        cleanser: &Cleanser,
        flags: Option<&Flags>,
        read_plan: &[ReadPlan],
    ) -> Option<TargetChecks> {
        let mut plan = RecordPlan::of(target.layout(), cleanser, flags, read_plan)?;
        let n = target.layout().fields.len();
        let at: Vec<usize> = (0..n)
            .map(|j| target.copied_from(j).unwrap_or(usize::MAX))
            .collect();
        for (j, &a) in at.iter().enumerate() {
            if a == usize::MAX {
                plan.never |= 1 << (j & 63);
            }
        }
        let by_source = BySource::of(&plan, &at, target.source_names().len());
        Some(TargetChecks {
            plan,
            at,
            by_source,
        })
    }
}

/// [`RecordProcessor::item_as_read`]'s checks of a whole record, made
/// once per layout: the type checks grouped by type
/// ([`crate::cleanse::RecordChecks`]), and per item what its flags and
/// length must not be.
struct RecordPlan {
    checks: crate::cleanse::RecordChecks,
    items: Vec<ItemLimits>,
    /// Items the plan never tells (their charset is not known by flags).
    never: u64,
}

/// What [`RecordPlan`] checks of one item besides its type.
#[derive(Debug, Clone, Copy)]
struct ItemLimits {
    /// Flags of characters that send the item to `item_as_read` (outside
    /// `--charset`; of a kana item, not clean kana).
    bad_flags: u8,
    required: bool,
    /// The most bytes of a value that pass its limits without a count of
    /// its characters ([`validate::Limits::by_bytes`]).
    max_len: usize,
}

impl ItemLimits {
    /// Whether an item of `len` bytes whose characters' flags are `flags` goes
    /// to [`RecordProcessor::item_as_read`] (computed with no branch).
    #[inline(always)]
    fn sends_on(&self, len: usize, flags: u8) -> bool {
        ((len == 0) & self.required) | (len > self.max_len) | (flags & self.bad_flags != 0)
    }
}

impl RecordPlan {
    /// None: no flags told by the decoder, or more than 64 items.
    fn of(
        layout: &Layout,
        cleanser: &Cleanser,
        flags: Option<&Flags>,
        read_plan: &[ReadPlan],
    ) -> Option<RecordPlan> {
        let flags = flags?;
        if read_plan.len() != layout.fields.len() {
            return None;
        }
        let checks = cleanser.record_checks()?;
        let mut never = 0u64;
        let mut items = Vec::with_capacity(read_plan.len());
        for (i, plan) in read_plan.iter().enumerate() {
            // As in_charset_by_flags: known only when all printable ASCII is in.
            let mut bad_flags = plan.not_kana.unwrap_or(0);
            if plan.charset {
                bad_flags |= NOT_IN_CHARSET;
                if !flags.ascii_in_charset {
                    never |= 1 << i;
                }
            }
            if plan.max_bytes.is_some() {
                never |= 1 << i;
            }
            let (required, max_len) = plan.limits.by_bytes();
            items.push(ItemLimits {
                bad_flags,
                required,
                max_len,
            });
        }
        Some(RecordPlan {
            checks,
            items,
            never,
        })
    }
}

/// What [`RecordProcessor::item_as_read`] needs of an item's field, decided
/// once per layout rather than per record.
#[derive(Debug, Clone, Copy)]
struct ReadPlan {
    /// `--charset` is checked on the item (a text or kana item, a charset given).
    charset: bool,
    /// A kana item: the flag of the characters its script does not hold.
    not_kana: Option<u8>,
    limits: validate::Limits,
    /// A fixed-length target item: at most this many bytes of UTF-8
    /// ([`crate::target::apply::check_bytes`]).
    max_bytes: Option<usize>,
    /// A kana item whose clean values are all in `--charset` (every
    /// character [`crate::cleanse::is_clean_kana`] takes of its script is):
    /// a value cleansed into clean kana ([`Cleansed::CleanKana`]) needs no
    /// look at its characters.
    clean_kana_in_charset: bool,
}

impl ReadPlan {
    /// Each item's plan for `layout` (the target's under `--to`: the items
    /// written are its items). `target`: the layout is a `--to` target.
    fn of(layout: &Layout, mapper: &Mapper, target: bool) -> Vec<ReadPlan> {
        layout
            .fields
            .iter()
            .map(|f| ReadPlan {
                charset: mapper.charset().is_some()
                    && matches!(f.kind, FieldType::Text | FieldType::Kana),
                not_kana: (f.kind == FieldType::Kana).then(|| match f.kana.unwrap_or_default() {
                    KanaScript::Katakana => NOT_KATAKANA,
                    KanaScript::Hiragana => NOT_HIRAGANA,
                }),
                limits: validate::Limits::new(f, layout.format),
                max_bytes: (target && layout.format == Format::Fixed)
                    .then_some(f.length)
                    .flatten(),
                clean_kana_in_charset: match (f.kind, mapper.charset()) {
                    (FieldType::Kana, Some(cs)) => clean_kana_in(cs, f.kana.unwrap_or_default()),
                    _ => false,
                },
            })
            .collect()
    }
}

/// Whether every character a clean kana value of `script` holds (all are in
/// U+3000–U+31FF) is in `cs`. Then so is every clean value: none of these
/// characters joins another into one unit (only variation selectors and
/// combining marks do, and those are not clean kana).
fn clean_kana_in(cs: &crate::charset::Charset, script: KanaScript) -> bool {
    let mut buf = [0u8; 4];
    (0x3000..=0x31FF).filter_map(char::from_u32).all(|c| {
        let c = c.encode_utf8(&mut buf);
        !crate::cleanse::is_clean_kana(c, script) || cs.all_in(c)
    })
}

/// A fixed-length item's bytes in the record, and whether its padding is
/// found on them ([`fixed::padded_text`]).
#[derive(Debug, Clone, Copy)]
struct Slot {
    off: usize,
    end: usize,
    padded: bool,
}

/// Each item's padding, found on its bytes as the decoder comes to it
/// ([`RecordProcessor::split_fixed_fast`]), noted as the item loop
/// ([`RecordProcessor::split_fixed_lean`]) notes it: spaces only are left
/// out and go into the mask `dropped`; padding with NULs is kept in the text
/// and its item goes into the mask `kept` (at most 64 items). Two words, so
/// that the decoding loop keeps its registers.
#[derive(Default)]
struct Unpadded {
    dropped: u64,
    kept: u64,
}

impl decode::Heads for Unpadded {
    #[inline(always)]
    fn head(&mut self, k: usize, bytes: &[u8]) -> (usize, bool) {
        let pad = fixed::trailing_padding(bytes);
        let bit = 1 << (k & 63);
        match pad.nuls {
            true => self.kept |= bit,
            false if pad.len > 0 => self.dropped |= bit,
            false => {}
        }
        (bytes.len() - pad.len, pad.nuls)
    }
}

/// What one character needs, found once per character of the encoding (not
/// per record): the map stage may change it ([`Mapper::needs_work`]), it is
/// not in `--charset` ([`crate::charset::Charset::all_in`]), or a kana item
/// holding it is not clean as it is.
struct Flags {
    table: decode::CharFlags,
    /// Every printable ASCII character is in `--charset` (or there is none):
    /// then an item none of whose other characters (non-ASCII, or ASCII control
    /// characters, which have flags of their own) is flagged is in it.
    ascii_in_charset: bool,
}

const MAY_MAP: u8 = 1;
const NOT_IN_CHARSET: u8 = 2;
/// Not a character a clean katakana (hiragana) item holds
/// ([`crate::cleanse::is_clean_kana`]): an item as read with no such character
/// and no ASCII needs no look at its characters.
const NOT_KATAKANA: u8 = 16;
const NOT_HIRAGANA: u8 = 32;
/// A comma, quote, CR or LF: written as CSV, the item is quoted.
const NEEDS_QUOTES: u8 = 4;

impl Flags {
    fn new(encoding: Encoding, mapper: &Mapper) -> Option<Flags> {
        let cs = mapper.charset();
        // Whether character `c` is in the charset. all_in of ASCII text is true
        // whatever it holds, so an ASCII character is asked beside 亜 (and is
        // taken as outside when the charset lacks 亜: then it is always asked).
        let member = |c: &str| {
            cs.is_none_or(|cs| match c.is_ascii() {
                true => cs.all_in("亜") && cs.all_in(&format!("{c}亜")),
                false => cs.all_in(c),
            })
        };
        let table = decode::char_flags(encoding, |c| {
            let mut f = 0;
            if mapper.needs_work(c) {
                f |= MAY_MAP;
            }
            if !member(c) {
                f |= NOT_IN_CHARSET;
            }
            if !crate::cleanse::is_clean_kana(c, KanaScript::Katakana) {
                f |= NOT_KATAKANA;
            }
            if !crate::cleanse::is_clean_kana(c, KanaScript::Hiragana) {
                f |= NOT_HIRAGANA;
            }
            if matches!(c, "," | "\"" | "\r" | "\n") {
                f |= NEEDS_QUOTES;
            }
            f
        })?;
        let ascii_in_charset = (0x20..0x7Fu8).all(|b| member(&char::from(b).to_string()));
        Some(Flags {
            table,
            ascii_in_charset,
        })
    }
}

/// Buffers reused from record to record (one per worker), so a record costs no allocation.
#[derive(Default)]
pub struct Scratch {
    decoded: String,
    /// The decoded items (before mapping and cleansing).
    pub items: Items,
    mapped: String,
    cleaned: String,
    /// Pure double-byte items between shift codes, for the decoder.
    wrap: Vec<u8>,
    /// Per item of a fixed-length record: the padding its bytes end in, found
    /// while decoding it (empty for CSV; a lean record's only when one of its
    /// items keeps padding: empty reads as no padding known).
    pads: Vec<Padding>,
    /// A lean record (`trims_by_mask`): bit `i` set when item `i` was read
    /// without its trailing padding of spaces (its `pads` entry then knows
    /// nothing; a rejected record gets them back by it).
    dropped: u64,
    /// The items of `dropped` whose trim is counted from this mask, one bit
    /// per item: those without an entry in `changes` (an entry counts it
    /// with the item's other rules, [`Scratch::push_change`]).
    trimmed: u64,
    /// The items are a lean fixed-length record's (see `lean_fixed`): joined
    /// by commas, without the trailing spaces of those items whose `pads` tell
    /// spaces of no length (given back if it is rejected).
    lean: bool,
    /// No item read holds a comma, quote, CR or LF (known for lean fixed
    /// records, and for CSV records split at commas whose flags are known):
    /// the items need no quoting as CSV.
    quote_free: bool,
    /// Buffer for [`Items::pad_back`].
    padded: String,
    /// `--to`: per target item, the span of the source item it is as read
    /// ([`RecordProcessor::target_not_as_read`]).
    target_spans: Vec<(usize, usize)>,
    /// Per item, when `flags_known`: its characters' flags (`MAY_MAP`,
    /// `NOT_IN_CHARSET`, `NOT_KATAKANA`, `NOT_HIRAGANA`) OR-ed, found while decoding it (a fixed item's
    /// padding is not among them: spaces and NULs, trimmed before the checks).
    item_flags: Vec<u8>,
    flags_known: bool,
    /// With `flags_known`: the item flags OR-ed, the record's (worked out once).
    record_flags: u8,
    /// An item with the units outside `--charset` replaced by 〓 (`--unmapped geta`).
    checked: String,
    /// What the map stage did to this record (its sensitive items only counted:
    /// see [`MapEvents::sensitive_unmapped`]).
    pub events: MapEvents,
    /// What the map stage did to a sensitive item: discarded, never tallied.
    hidden: MapEvents,
    /// The items to write, once one of them differs from the item read: then the
    /// items read are copied here at once, and each item that differs is narrowed
    /// (padding removed) or replaced. Until then the items read are the items to
    /// write, and nothing is copied (most records: see [`Scratch::written`]).
    out: Items,
    differs: bool,
    /// The length of `out`'s text when the items were copied into it: the
    /// values replaced since are after it.
    copied: usize,
    /// The items are the record's own text, split at commas, with no quote in it
    /// (see [`Scratch::unchanged_csv_line`]); for a lean fixed-length record,
    /// its items joined by commas, none needing quotes (`quote_free`).
    plain: bool,
    /// The cleansing rules applied to this record, per item index (only items
    /// something was applied to). Counted only when the record is written.
    pub changes: Vec<(usize, Applied)>,
    /// Buffers for telling a record's type ([`crate::records::RecordTypes::classify`]).
    pub classify: (String, Vec<u8>),
    /// `convert --to`: the source items after the map stage, the values the
    /// plan made, and the codes converted.
    pub target: crate::target::apply::TargetScratch,
    /// The items processed are the target's (the record went through a plan):
    /// [`target_view`] of `items` and `target`.
    targeted: bool,
    /// With `targeted`: the plan is the identity and nothing was mapped, so the
    /// target items are `items` themselves (nothing reshaped).
    passthrough: bool,
}

/// The target items of a record reshaped by a plan: its source items (those
/// read, or `target.mapped`) and the values the plan made. Fields, not a
/// `Scratch`, so that the other buffers stay free to write.
#[inline]
fn target_view<'a>(items: &'a Items, target: &'a TargetScratch) -> Reshaped<'a> {
    let source = if target.from_mapped {
        &target.mapped
    } else {
        items
    };
    target.view(source)
}

/// The items processed: those read, or (`reshaped`) the target items made
/// from them ([`target_view`]).
#[inline]
fn items_read<'a>(items: &'a Items, target: &'a TargetScratch, reshaped: bool) -> Written<'a> {
    match reshaped {
        true => Written::Reshaped(target_view(items, target)),
        false => Written::Items(items),
    }
}

/// The first item of a record that differs: the items to write start as the
/// items processed (`read`), and each that differs is then narrowed or
/// replaced in `out`. Returns the length of `out`'s text: a value replaced
/// later is appended after it (see [`Scratch::quote_free_items`]).
fn copy_written(out: &mut Items, read: Written<'_>) -> usize {
    match read {
        Written::Items(items) => out.copy_from(items),
        // Joined by commas, as the items read are: output::joined_line then
        // copies the items not replaced as one run.
        Written::Reshaped(r) => r.copy_into(out),
    }
    out.text().len()
}

impl Scratch {
    /// Whether the decoder told every item's flags (`item_flags`); if so, the
    /// record's are their OR.
    fn know_flags(&mut self, known: bool) {
        self.flags_known = known;
        self.record_flags = match known {
            true => self.item_flags.iter().fold(0, |a, f| a | f),
            false => 0,
        };
    }

    /// A lean record was read: the items of `mask` lost trailing spaces, all
    /// counted by the mask until a rule's entry counts one ([`Scratch::push_change`]).
    #[inline(always)]
    fn spaces_left_out(&mut self, mask: u64) {
        self.dropped = mask;
        self.trimmed = mask;
    }

    /// The padding item `i` of a lean record was read with (`told`), in
    /// `pads` (first needed here: the items before it knew none); `masked`:
    /// its spaces, left out, are counted by the mask (`dropped`) instead.
    #[cold]
    fn keep_padding(&mut self, i: usize, told: fixed::Told, masked: bool) {
        let pad = if masked { Padding::default() } else { told.pad };
        self.pads.resize(i, Padding::default());
        self.pads.push(pad);
    }

    /// After a successful [`RecordProcessor::process`]: the items (below 64)
    /// whose only count besides `changes` is `trim-trailing-space`, one bit
    /// each ([`crate::tally::Tally::spaces_trimmed`]).
    #[inline]
    pub fn spaces_trimmed(&self) -> u64 {
        self.trimmed
    }

    /// The rules applied to item `i` go into `changes`; a trim of spaces left
    /// out when it was read is counted there with them (not also by the mask).
    #[inline(always)]
    fn push_change(&mut self, i: usize, mut applied: Applied) {
        if self.dropped != 0 && self.dropped & (1 << (i & 63)) != 0 {
            applied.set(crate::cleanse::Rule::TrimTrailingSpace);
            self.trimmed &= !(1 << (i & 63));
        }
        self.changes.push((i, applied));
    }

    /// After a successful [`RecordProcessor::process`]: each item's rules
    /// counted, by item (`changes` and the mask together), for comparisons.
    #[cfg(test)]
    pub(crate) fn counted(&self) -> Vec<(usize, Applied)> {
        let mut all = self.changes.clone();
        let mask = self.spaces_trimmed();
        for i in (0..64).filter(|i| mask & (1 << i) != 0) {
            let mut a = Applied::default();
            a.set(crate::cleanse::Rule::TrimTrailingSpace);
            all.push((i, a));
        }
        all.sort_by_key(|c| c.0);
        all
    }

    /// After a successful [`RecordProcessor::process`]: appends the record's CSV
    /// line (RFC 4180, CRLF) — not for a fixed-length `--to` target.
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        if let Some(line) = self.unchanged_csv_line() {
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(b"\r\n");
        } else if let Some(items) = self.quote_free_items() {
            crate::output::joined_line(out, items);
        } else {
            self.written().write_csv(out);
        }
    }

    /// The items to write when they differ from those read and none needs
    /// quoting: the items read (or, reshaped, the target items: see
    /// [`TargetScratch::line`]) held no comma, quote, CR or LF, and neither do
    /// the values rules rewrote. Those are appended after the copy of the items
    /// in `out` ([`Items::replace`]), so only they are looked at.
    fn quote_free_items(&self) -> Option<&Items> {
        let clean = match self.reshaped_items() {
            true => self.target.line,
            false => self.quote_free,
        };
        if !(clean && self.differs) {
            return None;
        }
        let rewritten = self.out.text().get(self.copied..)?;
        let one_empty = self.out.len() == 1 && self.out.get(0).is_empty();
        (!one_empty && !crate::output::needs_quotes(rewritten.as_bytes())).then_some(&self.out)
    }

    /// After a successful [`RecordProcessor::process`]: the items to write, in
    /// layout order.
    pub fn written(&self) -> Written<'_> {
        match self.differs {
            true => Written::Items(&self.out),
            false => items_read(&self.items, &self.target, self.reshaped_items()),
        }
    }

    /// The items processed are target items made by a plan (not the items
    /// read themselves, as through an identity plan).
    #[inline]
    fn reshaped_items(&self) -> bool {
        self.targeted && !self.passthrough
    }

    /// `convert --to`: the target items as reshaped (before the target's
    /// cleansing), when the record got that far (partial when the reshaping
    /// itself rejected it).
    pub fn reshaped(&self) -> Option<Written<'_>> {
        self.targeted
            .then(|| items_read(&self.items, &self.target, !self.passthrough))
    }

    /// After a successful [`RecordProcessor::process`]: the output line (without its
    /// line end) when it is the record exactly as read — a CSV record split at
    /// commas (or a lean fixed-length record's items joined by commas), without
    /// quotes, that no stage changed (no cleansing rule applied, no
    /// character mapped). Most records are; writing them costs one copy. Under
    /// `convert --to`, only through an identity plan (a reshaped record's
    /// items are written one by one: [`Written::write_csv`]).
    pub fn unchanged_csv_line(&self) -> Option<&str> {
        // A reshaped record (convert --to) is the record read only through an
        // identity plan; its line is then what `output::items_line` writes when
        // no item holds a line end (the record has no comma or quote in an item).
        if self.reshaped_items() {
            return None;
        }
        let text = self.items.text();
        let as_read = !self.targeted
            || (self.passthrough
                && (self.quote_free || memchr::memchr2(b'\r', b'\n', text.as_bytes()).is_none()));
        let unchanged = self.plain && !self.differs && as_read && !text.is_empty();
        unchanged.then_some(text)
    }
}

impl RecordProcessor {
    /// Err: the layout's cleansing settings are unusable (the message names the item).
    pub fn new(
        layout: Layout,
        encoding: Encoding,
        mapper: Mapper,
    ) -> Result<RecordProcessor, String> {
        if !layout.records.is_empty() {
            // Its records need crate::records to be told apart.
            return Err(format!(
                "layout {:?} declares record types ([[records]]); only convert and profile read them so far (use a layout of one record type here)",
                layout.name
            ));
        }
        Self::with_mapper(layout, encoding, std::sync::Arc::new(mapper))
    }

    /// The processor of another record type (a flat layout of its items) with the
    /// same encoding and map stage (so the map stage's counts are one); with
    /// `reshaped`, also this processor's `--to` target (data records).
    pub fn for_record_type(
        &self,
        layout: Layout,
        reshaped: bool,
    ) -> Result<RecordProcessor, String> {
        let mut p = Self::with_mapper(layout, self.encoding, std::sync::Arc::clone(&self.mapper))?;
        p.trims_by_mask = false;
        p.fast_fixed = false;
        match &self.target {
            Some(plan) if reshaped => p.with_target(plan.clone()),
            _ => Ok(p),
        }
    }

    fn with_mapper(
        layout: Layout,
        encoding: Encoding,
        mapper: std::sync::Arc<Mapper>,
    ) -> Result<RecordProcessor, String> {
        let cleanser = Cleanser::new(&layout)?;
        layout.check_encoding(encoding)?;
        if layout.format == Format::Fixed && encoding.unit_width() == 2 {
            check_even_offsets(&layout, encoding)?;
        }
        let flags = Flags::new(encoding, &mapper).map(std::sync::Arc::new);
        let read_plan = ReadPlan::of(&layout, &mapper, false);
        let slots = match layout.format {
            Format::Fixed => layout
                .fields
                .iter()
                .map(|f| {
                    let off = f.offset.unwrap_or(0);
                    Slot {
                        off,
                        end: off.saturating_add(f.length.unwrap_or(0)),
                        padded: fixed::padded_text(encoding, f),
                    }
                })
                .collect(),
            Format::Csv => Vec::new(),
        };
        let fast_fixed = layout.format == Format::Fixed
            && fixed::plain_bytes(encoding)
            && layout.fields.len() <= 64
            && slots.iter().all(|s: &Slot| s.padded);
        let ranges = slots.iter().map(|s: &Slot| (s.off, s.end)).collect();
        let record_plan = RecordPlan::of(&layout, &cleanser, flags.as_deref(), &read_plan);
        Ok(RecordProcessor {
            record_plan,
            target_checks: None,
            flags,
            read_plan,
            item_decoder: decode::ItemDecoder::new(encoding),
            slots,
            lean_fixed: layout.format == Format::Fixed && fixed::plain_bytes(encoding),
            trims_by_mask: layout.fields.len() <= 64,
            fast_fixed,
            ranges,
            any_sensitive: layout.fields.iter().any(|f| f.sensitive),
            layout,
            encoding,
            mapper,
            cleanser,
            target: None,
        })
    }

    /// Writes the target layout of `plan` instead of the source layout: its
    /// cleansing rules replace the source's. Err names the target item.
    pub fn with_target(mut self, mut plan: crate::target::Plan) -> Result<RecordProcessor, String> {
        self.cleanser = Cleanser::new(plan.layout())?;
        // The items written are the target's: their fields decide.
        self.read_plan = ReadPlan::of(plan.layout(), &self.mapper, true);
        // A code table's new codes are the same in every record: checked here
        // once, not per record (see `finished`).
        plan.set_ready(|target, j, v| self.finished(target, j, v));
        // process_target checks the target's items (those taken as read) at
        // once, by the target's fields.
        self.record_plan = None;
        self.target_checks = TargetChecks::of(
            &plan,
            &self.cleanser,
            self.flags.as_deref(),
            &self.read_plan,
        );
        self.target = Some(plan);
        self.lean_fixed = false;
        self.fast_fixed = false;
        Ok(self)
    }

    /// `value` as target item `j` of `target` (made by the plan, not read) is
    /// finished: [`RecordProcessor::process_item`] would leave it as it is,
    /// apply no cleansing rule, find nothing outside `--charset` and not
    /// reject it. Run once per code-table line (see [`crate::target::Plan::set_ready`]),
    /// with this processor's target cleanser.
    fn finished(&self, target: &Layout, j: usize, value: &str) -> bool {
        let Some(field) = target.fields.get(j) else {
            return false;
        };
        let mut out = String::new();
        let cleansed = self
            .cleanser
            .cleanse_padded(j, value, Padding::default(), &mut out);
        let untouched = matches!(cleansed, Ok((applied, Cleansed::Same)) if applied.is_empty());
        let in_charset = match self.mapper.charset() {
            Some(cs) if matches!(field.kind, FieldType::Text | FieldType::Kana) => cs.all_in(value),
            _ => true,
        };
        let fits = target.format != Format::Fixed
            || crate::target::apply::check_bytes(field, value).is_ok();
        untouched && in_charset && fits && validate::check(field, target.format, value).is_ok()
    }

    /// This processor checking every target value per record (as before the
    /// per-run check of code tables), to compare with.
    #[cfg(test)]
    pub(crate) fn without_ready_codes(mut self) -> RecordProcessor {
        if let Some(plan) = &mut self.target {
            plan.set_ready(|_, _, _| false);
        }
        self
    }

    /// The layout records are read by (the source layout).
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The layout of the items written: the target's under `convert --to`.
    pub fn output_layout(&self) -> &Layout {
        self.target.as_ref().map_or(&self.layout, |p| p.layout())
    }

    pub fn target(&self) -> Option<&crate::target::Plan> {
        self.target.as_ref()
    }

    pub fn mapper(&self) -> &Mapper {
        &self.mapper
    }

    /// Processes one record; on success [`Scratch::written`] holds its items in
    /// layout order; on failure [`Scratch::items`] holds those read, as read.
    pub fn process(&self, raw: &[u8], flaw: Option<Flaw>, s: &mut Scratch) -> Result<(), Reject> {
        let r = self.process_record(raw, flaw, s);
        if r.is_err() && s.lean {
            self.unlean(raw, s);
        }
        r
    }

    fn process_record(
        &self,
        raw: &[u8],
        flaw: Option<Flaw>,
        s: &mut Scratch,
    ) -> Result<(), Reject> {
        s.events.clear();
        s.plain = false;
        s.lean = false;
        s.quote_free = false;
        s.targeted = false;
        s.passthrough = false;
        // A reject names the key only from this record's items, never the last one's.
        s.items.clear();
        s.pads.clear();
        s.spaces_left_out(0);
        s.flags_known = false;
        if let Some(f) = flaw {
            return Err(flaw_reject(f, raw.len(), &self.layout));
        }
        match self.layout.format {
            Format::Csv => self.split_csv(raw, s)?,
            Format::Fixed => self.split_fixed(raw, s)?,
        }
        s.out.clear();
        s.differs = false;
        s.changes.clear();
        // The decoder's flags, or one scan of the whole record, usually show that
        // no item needs the map stage.
        let may_map = if s.flags_known {
            s.record_flags & MAY_MAP != 0
        } else {
            self.mapper.needs_work(s.items.text())
        };
        if let Some(plan) = &self.target {
            return self.process_target(plan, may_map, s);
        }
        // Most records: every item known as read at once (no map stage, the
        // decoder's flags told, no padding told of any item: a lean record's
        // spaces left out are counted by its mask, whatever item_as_read
        // finds); one bit per item that needs a closer look.
        let closer = match &self.record_plan {
            Some(plan) if s.flags_known && !may_map && s.pads.is_empty() => {
                self.not_as_read(plan, s)
            }
            _ => u64::MAX,
        };
        if closer == 0 {
            return Ok(());
        }
        for i in 0..self.layout.fields.len() {
            // An item the plan told as read: item_as_read would take it as it is.
            if closer >> (i & 63) & 1 == 0 || self.item_as_read(i, i, may_map, s) {
                continue;
            }
            if let Err(r) = self.process_item(i, may_map, s) {
                // Still map the remaining items, so that every unmapped 外字 of the
                // record is counted, whatever the record was rejected for.
                for j in i + 1..self.layout.fields.len() {
                    let value = s.items.get(j);
                    if self.mapper.needs_work(value) {
                        s.mapped.clear();
                        let _ =
                            self.map_item(j, value, &mut s.mapped, &mut s.events, &mut s.hidden);
                    }
                }
                return Err(r);
            }
        }
        Ok(())
    }

    /// `convert --to`: maps the source items (外字), reshapes them into the
    /// target's items by `plan`, then cleanses and validates those by the
    /// target's types.
    fn process_target(
        &self,
        plan: &crate::target::Plan,
        may_map: bool,
        s: &mut Scratch,
    ) -> Result<(), Reject> {
        let mapped = may_map && self.map_source_items(plan, s)?;
        s.target.from_mapped = mapped;
        if !mapped && plan.is_identity() {
            // The items read are the target items: nothing to copy.
            s.target.clear();
            s.targeted = true;
            s.passthrough = true;
            for i in 0..plan.layout().fields.len() {
                if !self.item_as_read(i, i, false, s) {
                    self.process_item(i, false, s)?;
                }
            }
            return Ok(());
        }
        let r = match mapped {
            false => plan.reshape(&s.items, s.plain, s.quote_free, &mut s.target),
            true => {
                // Taken out for the call (no allocation: its buffers move back after).
                let mapped_items = std::mem::take(&mut s.target.mapped);
                let r = plan.reshape(&mapped_items, false, false, &mut s.target);
                s.target.mapped = mapped_items;
                r
            }
        };
        // `target` holds only the values the plan made: the others are read
        // from the source items (see `target_view`).
        // From here a reject names a target item (even one of the reshaping).
        s.targeted = true;
        r?;
        // Most records: the target items that are source items as read known
        // at once (as in process_record); one bit per item to look at closer.
        let closer = match &self.target_checks {
            Some(tc) if !mapped && s.flags_known && s.pads.is_empty() => {
                self.target_not_as_read(tc, s)
            }
            _ => u64::MAX,
        };
        // Only the items below 64 the checks did not tell as read, and that
        // are not a new code checked once for the run: one bit each.
        let n = plan.layout().fields.len();
        let low = n.min(READY_ITEMS);
        let below = match low {
            64 => u64::MAX,
            _ => (1 << low) - 1,
        };
        let mut todo = closer & !s.target.ready & below;
        while todo != 0 {
            let j = todo.trailing_zeros() as usize;
            todo &= todo - 1;
            self.target_item(plan, j, mapped, s)?;
        }
        // From item 64 on, nothing is known at once (closer is all ones).
        for j in low..n {
            self.target_item(plan, j, mapped, s)?;
        }
        Ok(())
    }

    /// Target item `j` processed: taken as read when it is a source item as
    /// read (not mapped) its bytes' facts tell, else by [`process_item`].
    #[inline(always)]
    fn target_item(
        &self,
        plan: &crate::target::Plan,
        j: usize,
        mapped: bool,
        s: &mut Scratch,
    ) -> Result<(), Reject> {
        if !mapped
            && let Some(at) = plan.copied_from(j)
            && self.item_as_read(j, at, false, s)
        {
            return Ok(());
        }
        self.process_item(j, false, s)
    }

    /// The source items after the map stage, into `s.target.mapped`; false when
    /// no item needed it (the items read are the source items). Err: the reject
    /// of the first unmapped 外字, after every item is mapped (all are counted).
    fn map_source_items(
        &self,
        plan: &crate::target::Plan,
        s: &mut Scratch,
    ) -> Result<bool, Reject> {
        s.target.mapped.clear();
        let mut first = None;
        let mut any = false;
        for i in 0..self.layout.fields.len() {
            let value = s.items.get(i);
            if !plan.uses(i) || !self.mapper.needs_work(value) {
                s.target.mapped.push(value);
                continue;
            }
            any = true;
            s.mapped.clear();
            if let Err(u) = self.map_item(i, value, &mut s.mapped, &mut s.events, &mut s.hidden) {
                first.get_or_insert_with(|| self.unmapped_reject(&self.layout.fields[i], u));
            }
            s.target.mapped.push(&s.mapped);
        }
        match first {
            Some(r) => Err(r),
            None => Ok(any),
        }
    }

    /// The items of a record that [`RecordProcessor::item_as_read`] may
    /// not take as they are, one bit each (all when not known): a clear bit
    /// says the item is as read, with no rule to apply (no padding), its
    /// type's check passed, no flag of its characters sending it on, and its
    /// length within its limits. For records with no map stage to run and
    /// the decoder's flags told.
    #[inline(always)]
    fn not_as_read(&self, plan: &RecordPlan, s: &Scratch) -> u64 {
        let spans = s.items.spans();
        let n = plan.items.len();
        if spans.len() != n || s.item_flags.len() != n {
            return u64::MAX;
        }
        let mut items = plan.items.iter().zip(&s.item_flags);
        let off = |len: usize| items.next().is_none_or(|(item, &f)| item.sends_on(len, f));
        plan.never | plan.checks.failing(s.items.text().as_bytes(), spans, off)
    }

    /// [`RecordProcessor::not_as_read`] of the target items, each on the
    /// source item it is as read (the items the plan makes: always set).
    #[inline(always)]
    fn target_not_as_read(&self, tc: &TargetChecks, s: &mut Scratch) -> u64 {
        if let Some(b) = &tc.by_source {
            return b.to_target(self.not_as_read(&b.plan, s));
        }
        let spans = s.items.spans();
        let n = tc.plan.items.len();
        if tc.at.len() != n || s.item_flags.len() != spans.len() {
            return u64::MAX;
        }
        // A made item's span is empty (its bit is set by `never`).
        s.target_spans.resize(n, (0, 0));
        for (t, &a) in s.target_spans.iter_mut().zip(&tc.at) {
            *t = spans.get(a).copied().unwrap_or((0, 0));
        }
        let flags = &s.item_flags;
        let mut items = tc.plan.items.iter().zip(&tc.at);
        let off = |len: usize| {
            items
                .next()
                .is_none_or(|(item, &a)| flags.get(a).is_none_or(|&f| item.sends_on(len, f)))
        };
        tc.plan.never
            | tc.plan
                .checks
                .failing(s.items.text().as_bytes(), &s.target_spans, off)
    }

    /// Item `i` written (a target item under `--to`) is item `at` as read,
    /// and is written as it is or only loses padding at its end: the map
    /// stage has nothing in it, no cleansing rule but the trims applies
    /// ([`Cleanser::only_trims`]), it is in `--charset` by its flags, and it
    /// passes validation. Then what [`RecordProcessor::process_item`] would
    /// do is done here (the item narrowed, its trims counted) and true is
    /// returned (most items of most records). False says nothing: the caller
    /// sends the item to `process_item`.
    #[inline(always)]
    fn item_as_read(&self, i: usize, at: usize, may_map: bool, s: &mut Scratch) -> bool {
        let Some((applied, end)) = self.read_as_is(i, at, may_map, s) else {
            return false;
        };
        // Padding left out when the item was read (a lean fixed-length
        // record) is counted, but there is nothing to narrow.
        if !applied.is_empty() && end < s.items.get(at).len() {
            // Only padding removed: the item read, narrowed.
            if !s.differs {
                s.differs = true;
                let read = items_read(&s.items, &s.target, s.reshaped_items());
                s.copied = copy_written(&mut s.out, read);
            }
            s.out.narrow(i, 0, end);
        }
        if !applied.is_empty() {
            s.push_change(i, applied);
        }
        true
    }

    /// [`RecordProcessor::item_as_read`]'s check: `Some((applied, end))`, the
    /// trims applied and the bytes of item `at` left; None: not known.
    #[inline(always)]
    fn read_as_is(
        &self,
        i: usize,
        at: usize,
        may_map: bool,
        s: &Scratch,
    ) -> Option<(Applied, usize)> {
        let plan = self.read_plan.get(i)?;
        let value = s.items.get(at);
        if may_map && self.mapper.needs_work(value) {
            return None;
        }
        // Padding found in a fixed item's bytes, not looked at again.
        let pad = s.pads.get(at).copied().unwrap_or_default();
        let kana = self.kana_by_flags(plan, at, s);
        let (applied, end) = self.cleanser.only_trims(i, value, pad, kana)?;
        // The flags of the item read hold those of any piece of it.
        let ok = (!plan.charset || self.in_charset_by_flags(at, s))
            && plan.limits.pass_by_bytes(end)
            && plan.max_bytes.is_none_or(|max| end <= max);
        ok.then_some((applied, end))
    }

    fn process_item(&self, i: usize, may_map: bool, s: &mut Scratch) -> Result<(), Reject> {
        let (fields, format) = match &self.target {
            Some(plan) if s.targeted => (&plan.layout().fields, plan.layout().format),
            _ => (&self.layout.fields, self.layout.format),
        };
        let field = &fields[i];
        let read = items_read(&s.items, &s.target, s.reshaped_items());
        let mut value = read.get(i);
        let mut changed = false;
        // `value` is (a piece of) item `at` as decoded, so what its bytes showed
        // holds for it: its padding, its characters' flags. Under --to, so is a
        // target item that is a source item as read, not mapped: those are
        // facts of its characters, whatever its target field.
        let (mut from_read, at) = match read {
            Written::Items(_) => (true, i),
            Written::Reshaped(r) => match r.source_item(i) {
                Some(k) if !s.target.from_mapped => (true, k),
                _ => (false, i),
            },
        };
        let mut pad = match from_read {
            true => s.pads.get(at).copied().unwrap_or_default(),
            false => Padding::default(),
        };
        if may_map && self.mapper.needs_work(value) {
            s.mapped.clear();
            if let Err(u) = self.map_item(i, value, &mut s.mapped, &mut s.events, &mut s.hidden) {
                return Err(self.unmapped_reject(field, u));
            }
            value = &s.mapped;
            changed = true;
            // The padding's place is not known in the mapped text (it is
            // there, and looked for, unless left out when read: then the
            // rules it gives are still told).
            pad = Padding { len: 0, ..pad };
            from_read = false;
        }
        // `value` as a piece of the item read (only padding removed): written by
        // narrowing that item, without a copy.
        let mut piece = None;
        let mut clean_kana = false;
        s.cleaned.clear();
        let (applied, cleansed) = self
            .cleanser
            .cleanse_padded(i, value, pad, &mut s.cleaned)
            .map_err(|d| item_reject(field, d.reason, || d.message))?;
        match cleansed {
            Cleansed::Same => {}
            // Padding was counted that is not in the item (left out when read).
            Cleansed::Piece(0, to) if to == value.len() => {}
            Cleansed::Piece(from, to) => {
                if !changed {
                    piece = Some((from, to));
                }
                value = &value[from..to];
                changed = true;
            }
            Cleansed::Written | Cleansed::CleanKana => {
                value = &s.cleaned;
                changed = true;
                from_read = false;
                clean_kana = cleansed == Cleansed::CleanKana;
            }
        }
        // --- MJ+ (--charset): every character written into a text or kana item ---
        if let Some(cs) = self.mapper.charset()
            && matches!(field.kind, FieldType::Text | FieldType::Kana)
            && !(from_read && self.in_charset_by_flags(at, s))
            && !(clean_kana
                && self
                    .read_plan
                    .get(i)
                    .is_some_and(|p| p.clean_kana_in_charset))
            && !cs.all_in(value)
        {
            s.checked.clear();
            self.check_charset(i, field, cs, value, &mut s.checked, &mut s.events)?;
            value = &s.checked;
            changed = true;
            piece = None;
        }
        validate::check(field, format, value)?;
        if s.targeted && format == Format::Fixed {
            crate::target::apply::check_bytes(field, value)?;
        }
        if changed {
            if !s.differs {
                // The first item that differs: the others are written as read
                // unless they differ too.
                s.differs = true;
                s.copied = copy_written(&mut s.out, read);
            }
            match piece {
                Some((from, to)) => s.out.narrow(i, from, to),
                None => s.out.replace(i, value),
            }
        }
        if !applied.is_empty() {
            s.push_change(i, applied);
        }
        Ok(())
    }

    /// Whether the decoder's flags show that every non-ASCII character of
    /// item `i` as read is one a clean value of its kana item holds.
    #[inline]
    fn kana_by_flags(&self, plan: &ReadPlan, i: usize, s: &Scratch) -> bool {
        plan.not_kana
            .is_some_and(|bit| s.flags_known && s.item_flags.get(i).is_some_and(|f| f & bit == 0))
    }

    /// Whether the decoder's flags show item `i` (as decoded, or a piece of it)
    /// in `--charset`: none of its characters is outside it (printable ASCII
    /// being in it). False: not known, the caller asks the charset.
    fn in_charset_by_flags(&self, i: usize, s: &Scratch) -> bool {
        self.flags.as_deref().is_some_and(|flags| {
            s.flags_known
                && flags.ascii_in_charset
                && s.item_flags.get(i).is_some_and(|f| f & NOT_IN_CHARSET == 0)
        })
    }

    /// Maps item `i`. The characters of a sensitive item are mapped all the same
    /// (its record is written or rejected as any other), but what was met in it is
    /// never listed by character or record: only its unmapped 外字 are counted.
    fn map_item(
        &self,
        i: usize,
        value: &str,
        out: &mut String,
        events: &mut MapEvents,
        hidden: &mut MapEvents,
    ) -> Result<(), Unmapped> {
        if !self.layout.fields[i].sensitive {
            return self.mapper.map(value, out, events);
        }
        hidden.clear();
        let r = self.mapper.map(value, out, hidden);
        events.sensitive_unmapped += hidden.unmapped.len() as u64;
        r
    }

    /// Item `i` holds a unit outside `--charset`: records each (in `events`), and
    /// writes the item with 〓 for them into `out` under `--unmapped geta`; otherwise
    /// Err: the reject naming the first.
    #[cold]
    fn check_charset(
        &self,
        i: usize,
        field: &Field,
        cs: &crate::charset::Charset,
        value: &str,
        out: &mut String,
        events: &mut MapEvents,
    ) -> Result<(), Reject> {
        let policy = self.mapper.options().unmapped;
        let mut first = None;
        for (pos, (range, u)) in crate::charset::units(value).enumerate() {
            if cs.contains(u) {
                out.push_str(&value[range]);
                continue;
            }
            events
                .nonstandard
                .push((i as u32, (!field.sensitive).then_some(u)));
            first.get_or_insert((pos + 1, u));
            match policy {
                UnmappedPolicy::Geta => out.push(crate::gaiji::GETA),
                UnmappedPolicy::Reject | UnmappedPolicy::Fail => out.push_str(&value[range]),
            }
        }
        match first {
            Some((at, u)) if policy != UnmappedPolicy::Geta => {
                let when = match policy {
                    UnmappedPolicy::Fail => "--unmapped fail のため変換を中止しました",
                    _ => "このレコードは変換しません",
                };
                let kind = cs.kind();
                Err(item_reject(field, NONSTANDARD, || {
                    // A control character is named by its code point only.
                    let shown = if u.base.is_control() {
                        String::new()
                    } else {
                        format!("「{u}」")
                    };
                    format!(
                        "{}: {shown}（{}、{at}文字目）は --charset {}（{}）にない文字です。{when}",
                        field.name,
                        u.codes(),
                        kind.id(),
                        kind.label_ja()
                    )
                }))
            }
            _ => Ok(()),
        }
    }

    #[cold]
    fn unmapped_reject(&self, field: &Field, u: Unmapped) -> Reject {
        let when = match self.mapper.options().unmapped {
            UnmappedPolicy::Fail => "--unmapped fail のため変換を中止しました",
            _ => "このレコードは変換しません",
        };
        let r = item_reject(field, UNMAPPED, || {
            let mapping = self.mapper.table_mapping(u.source);
            let target = mapping.and_then(|m| match (m.mj, m.gj) {
                (Some(mj), _) => Some(crate::mj::mj_name(mj)),
                (None, Some(gj)) => Some(crate::charset::ext::gj_name(gj)),
                _ => None,
            });
            let what = match target {
                // The table maps it, but the glyph cannot be written (--ivs never).
                Some(target) => format!(
                    "外字 U+{:04X} は対応表で {target} に対応付けられていますが、JIS X 0213 の文字に縮退できません",
                    u.source as u32,
                ),
                None => format!("外字 U+{:04X} は外字対応表にありません", u.source as u32),
            };
            format!("{}: {what}（{}文字目）", field.name, u.char_index)
        });
        Reject {
            message: format!("{}。{when}", r.message),
            ..r
        }
    }

    fn split_csv(&self, raw: &[u8], s: &mut Scratch) -> Result<(), Reject> {
        s.decoded.clear();
        let (delimiter, quote) = (self.layout.delimiter_byte(), self.layout.quote_byte());
        // Decoded and split at its delimiters in one pass when it holds no quote
        // (most records): the text becomes the items' buffer, not copied.
        let flags = self.flags.as_ref().map(|f| (&f.table, &mut s.item_flags));
        let decoded = s.items.fill_in_place(&mut s.decoded, |text, spans| {
            decode::decode_csv(self.encoding, raw, text, delimiter, quote, spans, flags)
        });
        let in_place = match decoded {
            Ok(true) => {
                s.know_flags(self.flags.is_some());
                true
            }
            Ok(false) => self.split_quoted(s)?,
            Err(e) => return Err(self.csv_decode_reject(&e, &s.decoded)),
        };
        // As RFC 4180 output, the record's own text needs no quoting only when it
        // was split at commas and holds no double quote.
        s.plain = in_place && self.layout.delimiter == "," && self.layout.quote == "\"";
        // Split at commas without quotes, so no item holds either; the flags
        // show a CR or LF (control characters are flagged).
        s.quote_free = s.plain && s.flags_known && s.record_flags & NEEDS_QUOTES == 0;
        let want = self.layout.fields.len();
        if s.items.len() != want {
            return Err(Reject::record(
                ITEM_COUNT,
                format!(
                    "項目数が{}です（レイアウト「{}」は{}項目）",
                    s.items.len(),
                    self.layout.name,
                    want
                ),
            ));
        }
        Ok(())
    }

    /// A decoded CSV record, `decoded` the text before the bad bytes: the reject
    /// names the item they are in when the text shows it.
    #[cold]
    fn csv_decode_reject(&self, e: &DecodeError, decoded: &str) -> Reject {
        match self.csv_item_at(decoded) {
            Some(i) => {
                let field = &self.layout.fields[i];
                let r = self.decode_reject(e, 0);
                item_reject(field, r.code, || format!("{}: {}", field.name, r.message))
            }
            None if self.any_sensitive => Reject::record(
                "undecodable",
                format!(
                    "{} として読めないバイトがあります（項目に分けられず、sensitive の項目のものかもしれないため、\
                     バイトと位置は表示しません）",
                    self.encoding
                ),
            ),
            None => self.decode_reject(e, 0),
        }
    }

    /// A decoded CSV record (in `s.decoded`) that holds a quote: split by the
    /// quoting rules. Ok(true): it turned out to be its own items' text.
    fn split_quoted(&self, s: &mut Scratch) -> Result<bool, Reject> {
        items::split_csv_in_place(
            &mut s.decoded,
            self.layout.delimiter_byte(),
            self.layout.quote_byte(),
            &mut s.items,
        )
        .map_err(|e| {
            let what = format!(
                "引用符（{}）の使い方が RFC 4180 に合いません",
                self.layout.quote
            );
            // The position is shown only when it is not in a sensitive item.
            let item = s.decoded.get(..e.at).and_then(|p| self.csv_item_at(p));
            match item {
                Some(i) if self.layout.fields[i].sensitive => {
                    item_reject(&self.layout.fields[i], "broken-quote", String::new)
                }
                None if self.any_sensitive => Reject::record("broken-quote", what),
                _ => Reject::record(
                    "broken-quote",
                    format!("{what}（復号後 {} バイト目）", e.at + 1),
                ),
            }
        })
    }

    /// The layout item that decoded CSV text following `prefix` (the start of a
    /// record) belongs to, if the prefix shows it.
    fn csv_item_at(&self, prefix: &str) -> Option<usize> {
        items::item_at(
            prefix,
            self.layout.delimiter_byte(),
            self.layout.quote_byte(),
        )
        .filter(|&i| i < self.layout.fields.len())
    }

    /// A fixed-length record into its items. Lean (`lean_fixed`, most runs):
    /// the items are joined by commas in the buffer and their padding of
    /// spaces is left out (cleansing would remove it), so that a record no rule
    /// changes is its CSV line as it stands ([`Scratch::unchanged_csv_line`]).
    fn split_fixed(&self, raw: &[u8], s: &mut Scratch) -> Result<(), Reject> {
        s.items.clear();
        s.item_flags.clear();
        let table = self.flags.as_deref().map(|f| &f.table);
        let lean = self.lean_fixed;
        s.lean = lean;
        let all_told = match lean {
            true if table.is_some_and(|t| self.split_fixed_fast(raw, s, t)) => true,
            // It works out the record's flags itself.
            true => self.split_fixed_lean(raw, s, table)?,
            false => {
                let all_told = self.split_fixed_whole(raw, s, table)?;
                s.know_flags(all_told);
                all_told
            }
        };
        if lean {
            s.quote_free = if all_told {
                s.record_flags & NEEDS_QUOTES == 0
            } else {
                // In these encodings a comma, quote, CR or LF is its byte, never
                // part of another character, and numbers decode to digits, sign
                // and point: none in the bytes, none in the items.
                memchr::memchr3(b',', b'"', b'\n', raw).is_none()
                    && memchr::memchr(b'\r', raw).is_none()
            };
            s.plain = s.quote_free;
        }
        Ok(())
    }

    /// The bytes of item `slot` (Layout::check guarantees offset and length
    /// for fixed layouts, and the splitter the record length, so the slice is
    /// in range; a VB record may end early: its last items are then cut or empty).
    #[inline(always)]
    fn slot_bytes<'r>(slot: &Slot, raw: &'r [u8]) -> (&'r [u8], usize) {
        let end = slot.end.min(raw.len());
        (&raw[slot.off.min(end)..end], end)
    }

    /// The items of a fixed record, each with its padding, end to end; true
    /// when the decoder told every item's flags.
    fn split_fixed_whole(
        &self,
        raw: &[u8],
        s: &mut Scratch,
        table: Option<&decode::CharFlags>,
    ) -> Result<bool, Reject> {
        let mut all_told = table.is_some();
        for (slot, f) in self.slots.iter().zip(&self.layout.fields) {
            let (bytes, end) = Self::slot_bytes(slot, raw);
            let wrap = &mut s.wrap;
            let told = s
                .items
                .push_with(|out| {
                    fixed::decode_item_padded(self.encoding, f, bytes, out, wrap, table, false)
                })
                .map_err(|e| self.fixed_item_reject(e, raw, f, slot.off, end))?;
            s.pads.push(told.pad);
            all_told &= told.flags.is_some();
            s.item_flags.push(told.flags.unwrap_or(0));
        }
        Ok(all_told)
    }

    /// The fast path of [`RecordProcessor::split_fixed_lean`], for a
    /// `fast_fixed` layout (every item padded text): all items decoded in one
    /// call ([`decode::ItemDecoder::decode_items`]), each one's padding found
    /// on its bytes as the decoder comes to it ([`Unpadded`]); what the items
    /// tell is noted once per record. False (the items left empty): not for
    /// this record (bytes the tables do not hold, a short record); the item
    /// loop reads it, and says why it is rejected.
    #[inline(never)]
    fn split_fixed_fast(&self, raw: &[u8], s: &mut Scratch, table: &decode::CharFlags) -> bool {
        if !self.fast_fixed {
            return false;
        }
        let mut head = Unpadded::default();
        let item_flags = &mut s.item_flags;
        let decoded = s.items.fill(|text, spans| {
            self.item_decoder.decode_items(
                raw,
                &self.ranges,
                &mut head,
                b',',
                text,
                spans,
                table,
                item_flags,
            )
        });
        let Unpadded { dropped, kept } = head;
        let Some(any) = decoded else {
            s.item_flags.clear();
            return false;
        };
        if kept != 0 {
            self.keep_nul_padding(raw, kept, &mut s.pads);
        }
        s.spaces_left_out(dropped);
        s.flags_known = true;
        s.record_flags = any;
        true
    }

    /// The padding of the items of `kept` (a mask) that kept it (NULs), in
    /// `pads`, the other items knowing none (as the item loop has them).
    #[cold]
    fn keep_nul_padding(&self, raw: &[u8], kept: u64, pads: &mut Vec<Padding>) {
        pads.clear();
        for (i, slot) in self.slots.iter().enumerate() {
            let pad = match kept & (1 << (i & 63)) != 0 {
                true => fixed::trailing_padding(Self::slot_bytes(slot, raw).0),
                false => Padding::default(),
            };
            pads.push(pad);
        }
    }

    /// The items of a fixed record read lean: joined by commas, padding of
    /// spaces left out ([`fixed::decode_head`], inlined into one loop over the
    /// record's items with no call per item but the decoder's). What is noted
    /// per item is kept in locals and stored once (`dropped`, the flags' OR).
    // Not inlined into process_record: its loop gets registers of its own
    // (measured: fewer instructions a record, fixed-length and CSV).
    #[inline(never)]
    fn split_fixed_lean(
        &self,
        raw: &[u8],
        s: &mut Scratch,
        table: Option<&decode::CharFlags>,
    ) -> Result<bool, Reject> {
        let mut all_told = table.is_some();
        let (mut dropped, mut any) = (0u64, 0u8);
        let by_mask = self.trims_by_mask;
        for (i, (slot, f)) in self.slots.iter().zip(&self.layout.fields).enumerate() {
            let (bytes, end) = Self::slot_bytes(slot, raw);
            let start = s.items.open(',');
            let out = s.items.buf();
            let head = match slot.padded {
                true => fixed::decode_head(self.item_decoder, bytes, out, table, true),
                false => None,
            };
            let told = match head {
                Some(told) => told,
                // Not padded text, or bad bytes: decoded whole, so the error is
                // exactly the one the item gives.
                None => {
                    let r = fixed::decode_item(self.encoding, f, bytes, out, &mut s.wrap);
                    if let Err(e) = r {
                        // Closed as read so far: a rejected record's items are shown.
                        s.items.close(start);
                        s.spaces_left_out(dropped);
                        return Err(self.fixed_item_reject(e, raw, f, slot.off, end));
                    }
                    fixed::Told::default()
                }
            };
            s.items.close(start);
            // Spaces left out: one bit (`by_mask` holds only for layouts of at
            // most 64 items); any other padding told goes to `pads`.
            let masked = by_mask && told.dropped > 0;
            dropped |= (masked as u64) << (i & 63);
            if (!masked && told.pad != Padding::default()) || !s.pads.is_empty() {
                s.keep_padding(i, told, masked);
            }
            all_told &= told.flags.is_some();
            let flags = told.flags.unwrap_or(0);
            any |= flags;
            s.item_flags.push(flags);
        }
        s.spaces_left_out(dropped);
        s.flags_known = all_told;
        s.record_flags = if all_told { any } else { 0 };
        Ok(all_told)
    }

    #[cold]
    fn fixed_item_reject(
        &self,
        e: ItemFault,
        raw: &[u8],
        f: &Field,
        off: usize,
        end: usize,
    ) -> Reject {
        let len = end.saturating_sub(off.min(end));
        match e {
            ItemFault::Decode(e) => self.fixed_decode_reject(&e, raw, f, off, end),
            ItemFault::Number(e) => number_reject(&e, f, off, end, len),
            ItemFault::Unclosed(u) => self.unclosed_reject(u, raw, f, off, end),
        }
    }

    /// A rejected lean fixed-length record: its items as read, padding and
    /// all, end to end (for the reject file and the counts of the rejected).
    /// The spaces left out are those the item's bytes end in, where its
    /// padding tells spaces of no length.
    #[cold]
    fn unlean(&self, raw: &[u8], s: &mut Scratch) {
        let in_mask = |i: usize| i < 64 && s.dropped & (1 << i) != 0;
        let dropped = |i: usize| match (s.pads.get(i), self.slots.get(i)) {
            (_, Some(slot)) if in_mask(i) => {
                let end = slot.end.min(raw.len());
                fixed::trailing_padding(&raw[slot.off.min(end)..end]).len
            }
            (Some(p), Some(slot)) if p.len == 0 && p.spaces => {
                let end = slot.end.min(raw.len());
                fixed::trailing_padding(&raw[slot.off.min(end)..end]).len
            }
            _ => 0,
        };
        s.items.pad_back(dropped, &mut s.padded);
        s.lean = false;
        s.plain = false;
        s.quote_free = false;
    }

    /// Mixed text that ends inside a double-byte run. Ending inside a character
    /// too is what an offset that does not fit the file looks like: that is
    /// said as for any cut character.
    fn unclosed_reject(
        &self,
        u: Unclosed,
        raw: &[u8],
        field: &Field,
        off: usize,
        end: usize,
    ) -> Reject {
        if u.mid_character
            && let Some(r) = self.cut_character_reject(raw, field, off, end)
        {
            return r;
        }
        let item = &field.name;
        item_reject(field, UNCLOSED_SHIFT, || {
            let at = off + u.shift_in;
            let n = shift::shift_in_at(self.encoding, raw, at).max(1);
            let code = raw.get(at..at + n).unwrap_or_default();
            let code: Vec<String> = code.iter().map(|b| format!("0x{b:02X}")).collect();
            format!(
                "項目「{item}」（{}〜{end}バイト目）が2バイト文字の途中で終わっています\
                 （{}バイト目のシフトコード {} で2バイト文字に切り替えたまま、1バイト文字に戻っていません）。\
                 項目は1バイト文字の状態で終わる必要があります",
                off + 1,
                at + 1,
                code.join(" ")
            )
        })
    }

    /// A fixed item that does not decode. When its slice starts or ends inside a
    /// character (the layout's offsets do not fit the file), say so: the fix is in
    /// the layout, not in the data. Only then, because a wrong offset usually
    /// shows on every record; a record with bad bytes is the data's fault.
    fn fixed_decode_reject(
        &self,
        e: &DecodeError,
        raw: &[u8],
        field: &Field,
        off: usize,
        end: usize,
    ) -> Reject {
        if let Some(r) = self.cut_character_reject(raw, field, off, end) {
            return r;
        }
        let item = &field.name;
        let range = format!("{}〜{}バイト目", off + 1, end);
        let r = self.decode_reject(e, off);
        item_reject(field, r.code, || {
            format!("項目「{item}」（{range}）: {}", r.message)
        })
    }

    /// When the slice of `field` starts or ends inside a character (the
    /// layout's offsets do not fit the file), the reject that says so.
    fn cut_character_reject(
        &self,
        raw: &[u8],
        field: &Field,
        off: usize,
        end: usize,
    ) -> Option<Reject> {
        let item = &field.name;
        // The item's place in the record is the layout's, not the data's.
        let range = format!("{}〜{}バイト目", off + 1, end);
        let fix = "レイアウトの offset と length がこのファイルと合っているか確認してください";
        for (pos, edge) in [(end, "終わり"), (off, "始まり")] {
            if let Some((start, len)) = character_around(self.encoding, &self.layout, raw, pos) {
                // The cut character's bytes may be a sensitive item's, this
                // item's or its neighbour's: then its size and place are not shown.
                let hidden = self.layout.fields.iter().find(|f| {
                    f.sensitive && {
                        let fo = f.offset.unwrap_or(0);
                        let fe = fo.saturating_add(f.length.unwrap_or(0));
                        fo < start.saturating_add(len) && start < fe
                    }
                });
                if let Some(h) = hidden {
                    return Some(Reject::item(
                        CUT_CHARACTER,
                        item,
                        format!(
                            "項目「{item}」（{range}）の{edge}が文字の途中で切れています（{}: sensitive の項目のため内容は表示しません）。{fix}",
                            h.name
                        ),
                    ));
                }
                return Some(Reject::item(
                    CUT_CHARACTER,
                    item,
                    format!(
                        "項目「{item}」（{range}）の{edge}が{len}バイト文字の途中で切れています\
                         （{}〜{}バイト目の文字）。{fix}",
                        start + 1,
                        start + len
                    ),
                ));
            }
        }
        None
    }

    fn decode_reject(&self, e: &DecodeError, base: usize) -> Reject {
        let at = base + e.offset + 1;
        let shift_hex = |b: &[u8]| {
            let parts: Vec<String> = b.iter().map(|x| format!("0x{x:02X}")).collect();
            parts.join(" ")
        };
        let message = match e.kind {
            DecodeErrorKind::UnclosedShift => {
                let (so, si) = self.encoding.shifts().unwrap_or((b"", b""));
                return Reject::record(
                    "unclosed-shift",
                    format!(
                        "レコードの{at}バイト目のシフトアウト {} のあと、シフトイン {} がないまま終わっています\
                         （2バイト文字の途中で切れています）。layout の offset・length を確認してください。\
                         正しければ元データの欠陥です",
                        shift_hex(so),
                        shift_hex(si)
                    ),
                );
            }
            DecodeErrorKind::Malformed => format!(
                "{} として読めないバイト {} がレコードの{at}バイト目にあります",
                self.encoding,
                e.hex()
            ),
            DecodeErrorKind::EucUserDefinedRow => format!(
                "EUC-JP の利用者定義領域（85〜94区）のバイト {} がレコードの{at}バイト目にあります。\
                 外字であれば --encoding eucjp-ms を指定してください",
                e.hex()
            ),
            DecodeErrorKind::KeisExtension3 => format!(
                "KEIS の拡張文字セット3（0x59A1〜0x80FE）のコード {} がレコードの{at}バイト目にあります。\
                 この領域の文字は対応が公開されていないため変換できません。発生元システムで\
                 文字を確認し、ユーザ定義領域の外字として出力し直すか、データを修正してください",
                e.hex()
            ),
        };
        Reject::record("undecodable", message)
    }
}

/// The reject of `field` for rule `code`. The one place that decides what a
/// reason may say about an item: `detail` (which may quote bytes, code points,
/// lengths or positions of the value) for an ordinary item; for a `sensitive` item
/// only its name and the rule, and `detail` is never built.
pub fn item_reject(field: &Field, code: &'static str, detail: impl FnOnce() -> String) -> Reject {
    let message = if field.sensitive {
        sensitive_message(&field.name, code)
    } else {
        detail()
    };
    Reject::item(code, &field.name, message)
}

/// The reason given for a sensitive item: its name and the rule broken.
pub fn sensitive_message(item: &str, code: &str) -> String {
    format!(
        "{item}: {}（sensitive の項目のため内容は表示しません）",
        crate::report::reason_label(code)
    )
}

/// Reject code of a record with an unmapped 外字.
pub const UNMAPPED: &str = "unmapped-gaiji";
/// Reject code of a record with a character outside `--charset`.
pub const NONSTANDARD: &str = "nonstandard-char";
/// The reason code of a record with the wrong number of items.
pub const ITEM_COUNT: &str = "item-count";

/// Reject code of a fixed-length record whose item boundary cuts a character in half.
pub const CUT_CHARACTER: &str = "cut-character";

/// Reject code of a mixed item that ends inside a double-byte run.
pub const UNCLOSED_SHIFT: &str = "unclosed-shift";

/// The reject of a packed, zoned or binary item that is not one. `off..end` is
/// the item's place in the record (1-based in the message), `len` its bytes.
#[cold]
fn number_reject(e: &NumberError, field: &Field, off: usize, end: usize, len: usize) -> Reject {
    let item = &field.name;
    let at = off + e.offset + 1;
    item_reject(field, e.fault.code(), || {
        let what = match e.fault {
            NumberFault::BadPacked => format!(
                "パック10進数として読めないバイト 0x{:02X} がレコードの{at}バイト目にあります\
                 （半バイトごとに数字 0〜9、最後の半バイトは符号 C・D・F など）",
                e.byte
            ),
            NumberFault::BadZoned => format!(
                "ゾーン10進数として読めないバイト 0x{:02X} がレコードの{at}バイト目にあります\
                 （下位の半バイトは数字 0〜9、最後のバイトの上位は符号 C・D・F）",
                e.byte
            ),
            NumberFault::BinaryOverflow => format!(
                "2進数の値が digits（{}桁）に収まりません",
                field.digits.unwrap_or(0)
            ),
            NumberFault::WrongSize => format!(
                "レコードがこの項目の途中で終わっています（{}バイトのうち{len}バイト）",
                field.number_length().unwrap_or(0)
            ),
        };
        format!("項目「{item}」（{}〜{end}バイト目）: {what}", off + 1)
    })
}

/// The character of `raw` that byte position `pos` falls strictly inside of, as
/// (start, length), reading characters from the start of the record by the
/// encoding's byte structure alone (lead bytes, or the shift state of mainframe
/// encodings, where a layout's `dbcs` items are double-byte throughout), without
/// decoding.
fn character_around(
    enc: Encoding,
    layout: &Layout,
    raw: &[u8],
    pos: usize,
) -> Option<(usize, usize)> {
    let mut cursor = shift::Cursor::new(enc);
    let shifted = enc.shifts().is_some();
    let mut i = 0;
    while i < pos && i < raw.len() {
        let dbcs_item = shifted && cursor.open().is_none() && starts_dbcs_item(layout, i);
        let n = if dbcs_item {
            2
        } else if shifted {
            cursor.step(raw, i)
        } else {
            char_len(enc, raw, i)
        };
        if i + n > pos {
            return Some((i, n));
        }
        i += n;
        // The rest of a pure double-byte item goes two by two, from its offset.
        if dbcs_item {
            while let Some(f) = dbcs_item_at(layout, i) {
                let end = f.offset.unwrap_or(0).saturating_add(f.length.unwrap_or(0));
                if i + 2 > end || i >= pos {
                    break;
                }
                if i + 2 > pos {
                    return Some((i, 2));
                }
                i += 2;
            }
        }
    }
    None
}

/// Whether a `dbcs` item starts at byte `i` of the record.
fn starts_dbcs_item(layout: &Layout, i: usize) -> bool {
    layout
        .fields
        .iter()
        .any(|f| f.dbcs && f.offset == Some(i) && f.length.unwrap_or(0) >= 2)
}

/// The `dbcs` item whose bytes include `i`, if any.
fn dbcs_item_at(layout: &Layout, i: usize) -> Option<&Field> {
    layout.fields.iter().find(|f| {
        let off = f.offset.unwrap_or(0);
        f.dbcs && off <= i && i < off.saturating_add(f.length.unwrap_or(0))
    })
}

/// Bytes of the character starting at `raw[i]`, judged by its first byte (or unit).
fn char_len(enc: Encoding, raw: &[u8], i: usize) -> usize {
    let b = raw[i];
    match enc {
        Encoding::Cp932 | Encoding::ShiftJis => match b {
            0x81..=0x9F | 0xE0..=0xFC => 2,
            _ => 1,
        },
        Encoding::EucJp | Encoding::EucJpMs => match b {
            0x8F => 3,
            0x8E | 0xA1..=0xFE => 2,
            _ => 1,
        },
        Encoding::Utf8 => match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        },
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let hi = if enc == Encoding::Utf16Le {
                raw.get(i + 1).copied().unwrap_or(0)
            } else {
                b
            };
            if (0xD8..=0xDB).contains(&hi) { 4 } else { 2 }
        }
        // Shift-coded encodings: the byte alone does not say (the shift state
        // does); see the mainframe item checks.
        _ => 1,
    }
}

/// UTF-16 fixed layouts count bytes too, so every slice must start and end on a
/// 2-byte unit, or each item would decode as garbage.
fn check_even_offsets(layout: &Layout, encoding: Encoding) -> Result<(), String> {
    if layout.record_length.is_some_and(|n| n % 2 != 0) {
        return Err(format!(
            "record_length must be even for --encoding {encoding} (2 bytes per unit)"
        ));
    }
    for f in &layout.fields {
        let (off, len) = (f.offset.unwrap_or(0), f.length.unwrap_or(0));
        if off % 2 != 0 || len % 2 != 0 {
            return Err(format!(
                "item {:?}: offset {off} and length {len} must be even for --encoding {encoding} (2 bytes per unit)",
                f.name
            ));
        }
    }
    Ok(())
}

fn flaw_reject(f: Flaw, len: usize, layout: &Layout) -> Reject {
    match f {
        Flaw::BrokenQuote => Reject::record(
            "broken-quote",
            format!(
                "引用符（{}）の使い方が RFC 4180 に合いません（項目の途中の引用符、または閉じ引用符の後に区切り文字がありません）",
                layout.quote
            ),
        ),
        Flaw::UnclosedQuote => Reject::record(
            "unclosed-quote",
            "引用符が閉じられていません。この行だけを不正レコードとし、次の行から読み直しました"
                .into(),
        ),
        Flaw::TooLong => Reject::record(
            "record-too-long",
            format!("改行がないまま{len}バイトを超えました。レコードの区切りを確認してください"),
        ),
        Flaw::WrongLength if layout.recfm == Some(Recfm::Vb) => Reject::record(
            f.code(),
            format!(
                "レコード（RDW の後）が{len}バイトです（レイアウト「{}」は最大{}バイト）",
                layout.name,
                layout.record_length.unwrap_or(0)
            ),
        ),
        Flaw::WrongLength => Reject::record(
            "wrong-length",
            format!(
                "レコード長が{len}バイトです（レイアウト「{}」は{}バイト）",
                layout.name,
                layout.record_length.unwrap_or(0)
            ),
        ),
        Flaw::BadRdw(fault) => {
            let what = match fault {
                RdwFault::Truncated => format!(
                    "ファイルの終わりに、RDW（レコード記述語、4バイト）に満たない{len}バイトが残っています"
                ),
                RdwFault::TooShort(n) => format!(
                    "RDW（レコード記述語）の長さが{n}です（RDW 自身の4バイトを含むため4以上のはずです）"
                ),
                RdwFault::Reserved { spanned: true } => {
                    "RDW（レコード記述語）の3バイト目がスパンレコード（RECFM=VBS）の区分を示しています。\
                     ikou が読めるのは RECFM=VB です"
                        .to_string()
                }
                RdwFault::Reserved { spanned: false } => {
                    "RDW（レコード記述語）の3〜4バイト目が0ではありません".to_string()
                }
                RdwFault::TooLong(n) => format!(
                    "RDW（レコード記述語）の長さ{n}が、許される最長のレコード（--max-record-bytes）を超えています"
                ),
                RdwFault::PastEnd(k) => format!(
                    "RDW（レコード記述語）の長さがファイルの終わりを{k}バイト超えています"
                ),
            };
            Reject::record(
                f.code(),
                format!(
                    "{what}。ここから後はレコードの区切りが分からないため、このバイト位置からファイルの終わりまでを\
                     不正レコードとしました（長い場合は続きを「after-bad-rdw」として分けて出力します）"
                ),
            )
        }
        Flaw::AfterBadRdw => Reject::record(
            f.code(),
            "前の不正な RDW（レコード記述語）に続くバイトです。レコードの区切りが分からないため変換しません"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn processor(layout: &str, enc: Encoding) -> RecordProcessor {
        let mapper = Mapper::new(&[], enc, crate::gaiji::MapOptions::default()).unwrap();
        RecordProcessor::new(
            crate::layout::parse(layout.as_bytes(), "t").unwrap(),
            enc,
            mapper,
        )
        .unwrap()
    }

    const CSV: &str = r#"
name = "t"
format = "csv"
[[fields]]
name = "番号"
required = true
[[fields]]
name = "氏名"
length = 4
"#;

    fn run(p: &RecordProcessor, raw: &[u8]) -> Result<Vec<String>, Reject> {
        let mut s = Scratch::default();
        p.process(raw, None, &mut s)?;
        Ok(s.written().iter().map(String::from).collect())
    }

    const PADDED: &str = r#"
name = "f"
format = "fixed"
record_length = 20
[[fields]]
name = "番号"
type = "digits"
offset = 0
length = 6
[[fields]]
name = "氏名"
offset = 6
length = 10
[[fields]]
name = "カナ"
type = "kana"
offset = 16
length = 4
"#;

    /// The items written and the rules counted per item, as `process` gives them.
    fn written_and_counted(
        p: &RecordProcessor,
        raw: &[u8],
    ) -> (Vec<String>, Vec<(usize, Applied)>) {
        let mut s = Scratch::default();
        p.process(raw, None, &mut s).unwrap();
        let items = s.written().iter().map(String::from).collect();
        (items, s.counted())
    }

    #[test]
    fn fixed_padding_found_in_the_bytes_is_removed_and_counted_as_before() {
        use crate::cleanse::Rule::*;
        let p = processor(PADDED, Encoding::Cp932);
        let rules = |rs: &[crate::cleanse::Rule]| {
            let mut a = Applied::default();
            for &r in rs {
                a.set(r);
            }
            a
        };
        // Spaces; U+3000 (0x8140) under spaces; NUL and spaces mixed; ｶﾅ made
        // full-width (a type rule) with its padding.
        let (items, changes) = written_and_counted(&p, b"12    \x8ER\x81\x40 \0 \0  \xB6\xC5  ");
        assert_eq!(items, ["12", "山", "カナ"]);
        assert_eq!(
            changes,
            [
                (0, rules(&[TrimTrailingSpace])),
                (
                    1,
                    rules(&[TrimTrailingSpace, TrimNul, TrimTrailingFullwidthSpace])
                ),
                (2, rules(&[TrimTrailingSpace, HalfwidthKana])),
            ]
        );
        // Unpadded items: nothing counted, the items as read.
        let (items, changes) =
            written_and_counted(&p, b"123456\x8ER\x93c\x8ER\x93c\x8ER\x83J\x83i");
        assert_eq!(items, ["123456", "山田山田山", "カナ"]);
        assert!(changes.is_empty());
        // Only the second item differs: the others are written as read.
        let (items, _) = written_and_counted(&p, b"123456\x8ER\x93c\0\0\0\0\0\0\x83J\x83i");
        assert_eq!(items, ["123456", "山田", "カナ"]);
        // A rejected record keeps its items as read (padding too) for the reject file.
        let mut s = Scratch::default();
        let e = p
            .process(b"12    \x8ER    \0\0\0\0x   ", None, &mut s)
            .unwrap_err();
        assert_eq!(e.item.as_deref(), Some("カナ"));
        assert_eq!(s.items.get(0), "12    ");
        assert_eq!(s.items.get(1), "山    \0\0\0\0");
    }

    const FLAGGED: &str = r#"
name = "t"
format = "csv"
[[fields]]
name = "番号"
type = "digits"
[[fields]]
name = "氏名"
[[fields]]
name = "カナ"
type = "kana"
[[fields]]
name = "住所"
"#;

    /// Appends `item` as a fixed-length item of `width` bytes: cut to it and
    /// filled from the start of `fill`.
    fn push_fixed(raw: &mut Vec<u8>, item: &[u8], fill: &[u8], width: usize) {
        let item = &item[..item.len().min(width)];
        raw.extend_from_slice(item);
        raw.extend_from_slice(&fill[..width - item.len()]);
    }

    /// Everything `process` gives for a record: the items written, the rules
    /// counted, what the map stage and the charset check met, or the reject.
    /// Two CP932 processors of `layout` (with the one-line 外字 table when
    /// `table`): one using the decoder's per-item flags, one without them.
    fn with_and_without_flags(layout: &str, table: bool) -> (RecordProcessor, RecordProcessor) {
        with_and_without_flags_in(layout, Encoding::Cp932, table.then_some("0xF040"))
    }

    /// As [`with_and_without_flags`] in `enc`, with a 外字 table for `gaiji`.
    fn with_and_without_flags_in(
        layout: &str,
        enc: Encoding,
        gaiji: Option<&str>,
    ) -> (RecordProcessor, RecordProcessor) {
        with_and_without_flags_under(layout, enc, gaiji, crate::charset::CharsetKind::default())
    }

    /// As [`with_and_without_flags_in`], under `--charset charset`.
    fn with_and_without_flags_under(
        layout: &str,
        enc: Encoding,
        gaiji: Option<&str>,
        charset: crate::charset::CharsetKind,
    ) -> (RecordProcessor, RecordProcessor) {
        let options = crate::gaiji::MapOptions {
            charset,
            ..Default::default()
        };
        let make = || {
            let tables = match gaiji {
                Some(code) => vec![crate::gaiji::TableSource {
                    path: "g.tsv".into(),
                    text: format!("{code}\tMJ000001\n"),
                    sha256: String::new(),
                }],
                None => Vec::new(),
            };
            let mapper = Mapper::new(&tables, enc, options).unwrap();
            RecordProcessor::new(
                crate::layout::parse(layout.as_bytes(), "t").unwrap(),
                enc,
                mapper,
            )
            .unwrap()
        };
        let mut plain = make();
        plain.flags = None;
        (make(), plain)
    }

    fn outcome(p: &RecordProcessor, raw: &[u8]) -> String {
        outcome_in(p, raw, &mut Scratch::default())
    }

    /// [`outcome`] with a scratch kept from record to record.
    fn outcome_in(p: &RecordProcessor, raw: &[u8], s: &mut Scratch) -> String {
        let r = p.process(raw, None, s);
        let items: Vec<&str> = match &r {
            Ok(()) => s.written().iter().collect(),
            Err(_) => s.items.iter().collect(),
        };
        // The line written too: whether it is the record read, joined or quoted.
        let mut line = Vec::new();
        if r.is_ok() && p.output_layout().format == Format::Csv {
            s.write_csv(&mut line);
        }
        format!(
            "{r:?} {items:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            // Counted only when written.
            r.is_ok().then(|| s.counted()),
            s.events.hits,
            s.events.unmapped,
            s.events.nonstandard,
            s.unchanged_csv_line(),
            String::from_utf8_lossy(&line)
        )
    }

    /// Characters for records (CP932): ASCII and controls (CR among them: it
    /// makes a line quoted), kanji, spaces, 〜,
    /// ¬ (a CP932 variant), 外字 (0xF040), NEC and IBM extensions, half-width
    /// kana, and a lone lead byte (undecodable).
    const TOKENS: [&[u8]; 19] = [
        b"a",
        b"1",
        b" ",
        b"\t",
        b"\r",
        b"\x7F",
        b"\x01",
        b"\x88\x9F",
        b"\x81\x40",
        b"\x81\x60",
        b"\x81\xCA",
        b"\xF0\x40",
        b"\xED\x40",
        b"\x87\x40",
        b"\xFA\x55",
        b"\xB1",
        b"\xDE",
        b"\x83\x41",
        b"\x81",
    ];

    proptest::proptest! {
        /// The decoder's per-item flags (map stage, --charset, quoting) decide
        /// only what is looked at: a processor without them gives the same for
        /// any record.
        #[test]
        fn the_decoders_flags_change_nothing_but_the_work(
            items in proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(TOKENS.to_vec()), 0..6),
                4,
            ),
            table in proptest::bool::ANY,
            any in proptest::bool::ANY,
        ) {
            // Under --charset any a control character (CR among them) is written.
            let charset = match any {
                true => crate::charset::CharsetKind::Any,
                false => crate::charset::CharsetKind::default(),
            };
            let gaiji = table.then_some("0xF040");
            let (flagged, plain) = with_and_without_flags_under(FLAGGED, Encoding::Cp932, gaiji, charset);
            proptest::prop_assert!(flagged.flags.is_some());
            let items: Vec<Vec<u8>> = items.into_iter().map(|t| t.concat()).collect();
            let raw = items.join(&b',');
            proptest::prop_assert_eq!(outcome(&flagged, &raw), outcome(&plain, &raw));
            // Under --to, a target item taken as read keeps its item's flags.
            let (flagged, plain) = (to_flagged(flagged), to_flagged(plain));
            proptest::prop_assert_eq!(outcome(&flagged, &raw), outcome(&plain, &raw));
        }
    }

    #[test]
    fn a_line_end_in_an_item_is_quoted_under_to_with_and_without_flags() {
        // Written under --charset any; the decoder's flags show the CR.
        let (flagged, plain) = with_and_without_flags_under(
            FLAGGED,
            Encoding::Cp932,
            None,
            crate::charset::CharsetKind::Any,
        );
        for p in [to_flagged(flagged), to_flagged(plain)] {
            let mut s = Scratch::default();
            p.process(b"1,,,a\rb", None, &mut s).unwrap();
            let mut line = Vec::new();
            s.write_csv(&mut line);
            assert_eq!(line, b"\"a\rb\",,x,1,,\r\n");
        }
    }

    /// [`TOKENS`] in EUC-JP: 外字 is row 85 (eucJP-ms PUA, an error in
    /// EUC-JP), the IBM extension is in G3 (eucJP-ms), and a JIS X 0212 kanji.
    const EUC_TOKENS: [&[u8]; 18] = [
        b"a",
        b"1",
        b" ",
        b"\t",
        b"\x7F",
        b"\x01",
        b"\xB0\xA1",
        b"\xA1\xA1",
        b"\xA1\xC1",
        b"\xA2\xCC",
        b"\xF5\xA1",
        b"\x8F\xB0\xA1",
        b"\xAD\xA1",
        b"\x8F\xF3\xF3",
        b"\x8E\xB1",
        b"\x8E\xDE",
        b"\xA5\xA2",
        b"\xA1",
    ];

    proptest::proptest! {
        /// As for CP932: EUC-JP's flags (told by the same loop) change nothing
        /// but the work, CSV and fixed, in both readings of EUC-JP.
        #[test]
        fn the_decoders_flags_change_nothing_for_euc_jp(
            items in proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(EUC_TOKENS.to_vec()), 0..5),
                4,
            ),
            pad in proptest::collection::vec(proptest::sample::select(vec![b' ', 0u8]), 8),
            table in proptest::bool::ANY,
            ms in proptest::bool::ANY,
        ) {
            let (enc, gaiji) = match ms {
                true => (Encoding::EucJpMs, table.then_some("0xF5A1")),
                false => (Encoding::EucJp, None),
            };
            let items: Vec<Vec<u8>> = items.into_iter().map(|t| t.concat()).collect();
            let csv = items.join(&b',');
            let mut fixed = Vec::new();
            for item in &items {
                push_fixed(&mut fixed, item, &pad, 8);
            }
            for (layout, raw) in [(FLAGGED, &csv), (FLAGGED_FIXED, &fixed)] {
                let (flagged, plain) = with_and_without_flags_in(layout, enc, gaiji);
                proptest::prop_assert!(flagged.flags.is_some());
                proptest::prop_assert_eq!(outcome(&flagged, raw), outcome(&plain, raw));
                let (flagged, plain) = (to_flagged(flagged), to_flagged(plain));
                proptest::prop_assert_eq!(outcome(&flagged, raw), outcome(&plain, raw));
            }
        }
    }

    /// Every item type, for the fast path against the general one.
    const EVERY_KIND: &str = r#"
name = "t"
format = "csv"
[[fields]]
name = "番号"
type = "digits"
length = 4
required = true
[[fields]]
name = "氏名"
[[fields]]
name = "カナ"
type = "kana"
[[fields]]
name = "住所"
length = 3
[[fields]]
name = "かな"
type = "kana"
kana = "hiragana"
[[fields]]
name = "額"
type = "number"
[[fields]]
name = "性別"
type = "code"
codes = ["1", "2", "9"]
[[fields]]
name = "生年月日"
type = "date"
date = "seireki"
length = 8
[[fields]]
name = "異動日"
type = "date"
date = "seireki"
date_policy = "keep"
[[fields]]
name = "和暦"
type = "date"
date = "wareki"
"#;

    /// Pieces of items: the digit runs dates and codes are made of, 全角数字
    /// (０), spaces of both widths, letters of both kana scripts in both
    /// widths, a voiced mark, kanji, 外字, a CP932 variant, and NEC and IBM
    /// extensions (outside some `--charset`).
    const KIND_TOKENS: [&[u8]; 19] = [
        b"1",
        b"2024",
        b"0229",
        b"1231",
        b"00",
        b" ",
        b"\x81\x40",
        b"\x82\x4F",
        b"\x83\x41",
        b"\x82\xA0",
        b"\xB1",
        b"\xDE",
        b"\x88\x9F",
        b"\xF0\x40",
        b"\x81\x60",
        b"\xED\x40",
        b"\xFA\x55",
        b"-",
        b"a",
    ];

    /// The same processor with the fast path ([`RecordProcessor::item_as_read`])
    /// and without it; with `target`, both writing that target layout.
    fn fast_and_general(
        p: RecordProcessor,
        target: Option<&str>,
    ) -> impl Fn(&[u8]) -> (String, String) {
        let mut general = p.for_record_type(p.layout().clone(), false).unwrap();
        general.flags = p.flags.clone();
        let (fast, general) = match target {
            Some(t) => (retarget(p, t), retarget(general, t)),
            None => (p, general),
        };
        let general = RecordProcessor {
            read_plan: Vec::new(),
            record_plan: None,
            target_checks: None,
            ..general
        };
        move |raw: &[u8]| (outcome(&fast, raw), outcome(&general, raw))
    }

    proptest::proptest! {
        /// Items told unchanged by the fast path come out as the general path
        /// makes them: the same items, rules counted, map-stage and charset
        /// events, rejects, and the record written as read, for every type,
        /// with and without the decoder's flags and a 外字 table.
        #[test]
        fn the_fast_path_gives_what_the_general_path_gives(
            items in proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(KIND_TOKENS.to_vec()), 0..5),
                10,
            ),
            table in proptest::bool::ANY,
        ) {
            let items: Vec<Vec<u8>> = items.into_iter().map(|t| t.concat()).collect();
            let raw = items.join(&b',');
            let (flagged, plain) = with_and_without_flags(EVERY_KIND, table);
            for p in [flagged, plain] {
                let run = fast_and_general(p, None);
                let (fast, general) = run(&raw);
                proptest::prop_assert_eq!(fast, general);
            }
        }

        /// As for CSV, for fixed items with and without padding.
        #[test]
        fn the_fast_path_gives_what_the_general_path_gives_for_fixed_items(
            items in proptest::collection::vec(
                (
                    proptest::collection::vec(proptest::sample::select(KIND_TOKENS.to_vec()), 0..5),
                    proptest::collection::vec(proptest::sample::select(vec![b' ', 0u8]), 8),
                    proptest::bool::ANY,
                ),
                4,
            ),
            table in proptest::bool::ANY,
        ) {
            let (flagged, plain) = with_and_without_flags(FLAGGED_FIXED, table);
            let mut raw = Vec::new();
            for (chars, pad, padded) in items {
                let fill: &[u8] = if padded { &pad } else { b"11111111" };
                push_fixed(&mut raw, &chars.concat(), fill, 8);
            }
            for p in [flagged, plain] {
                let run = fast_and_general(p, None);
                let (fast, general) = run(&raw);
                proptest::prop_assert_eq!(fast, general);
            }
        }
    }

    /// The inputs of the record-check proptests: a few pieces per EVERY_KIND
    /// item, the fixed-length padding (spaces and NULs), with a 外字 table or
    /// not, under `--charset any` or the default.
    #[allow(clippy::type_complexity)]
    fn record_check_inputs()
    -> impl proptest::strategy::Strategy<Value = (Vec<Vec<&'static [u8]>>, Vec<u8>, bool, bool)>
    {
        let items: Vec<_> = every_kind_tokens()
            .into_iter()
            .map(|t| proptest::collection::vec(proptest::sample::select(t), 0..4))
            .collect();
        let pad = proptest::collection::vec(proptest::sample::select(vec![b' ', 0u8]), 8);
        (items, pad, proptest::bool::ANY, proptest::bool::ANY)
    }

    /// A case of the record-check proptests: the `--charset` (`any` or the
    /// default), the generated items as an EVERY_KIND CSV record and as a
    /// FLAGGED_FIXED record (whose four items are EVERY_KIND's first four types),
    /// padded with `pad`.
    fn record_check_case(
        items: Vec<Vec<&[u8]>>,
        pad: &[u8],
        any: bool,
    ) -> (crate::charset::CharsetKind, Vec<u8>, Vec<u8>) {
        let charset = match any {
            true => crate::charset::CharsetKind::Any,
            false => crate::charset::CharsetKind::default(),
        };
        let items: Vec<Vec<u8>> = items.into_iter().map(|t| t.concat()).collect();
        let csv = items.join(&b',');
        let mut fixed = Vec::new();
        for item in &items[..4] {
            push_fixed(&mut fixed, item, pad, 8);
        }
        (charset, csv, fixed)
    }

    /// Pieces of each item of [`EVERY_KIND`], mostly of its type (so that
    /// most records are written, and every item's outcome shows), with what
    /// the record's checks look at: spaces of both widths and NUL at the
    /// end, a tab, ム (its last UTF-8 byte is 0xA0), 全角数字, half-width kana,
    /// the other script, 外字 and NEC and IBM extensions.
    fn every_kind_tokens() -> Vec<Vec<&'static [u8]>> {
        let ends: [&[u8]; 3] = [b" ", b"\x81\x40", b"\x00"];
        let digits: Vec<&[u8]> = vec![b"1", b"12", b"0", b"\x82\x4F", b"-", b"a"];
        let kana: Vec<&[u8]> = vec![
            b"\x83\x41",
            b"\x83\x80",
            b"\x82\xA0",
            b"\xB1",
            b"\xDE",
            b"\x81\x5B",
            b"\x88\x9F",
            b"a",
        ];
        let text: Vec<&[u8]> = vec![
            b"a",
            b"\t",
            b"\x88\x9F",
            b"\xF0\x40",
            b"\x81\x60",
            b"\xED\x40",
            b"\xFA\x55",
            b"\x83\x80",
        ];
        let code: Vec<&[u8]> = vec![b"1", b"2", b"9", b"3", b"12", b"\x82\x50"];
        let date: Vec<&[u8]> = vec![b"2024", b"0229", b"1231", b"1301", b"0000", b"1"];
        let wareki: Vec<&[u8]> = vec![b"4", b"010108"];
        let with_ends = |mut t: Vec<&'static [u8]>| {
            t.extend(ends);
            t
        };
        vec![
            with_ends(digits.clone()),
            with_ends(text.clone()),
            with_ends(kana.clone()),
            with_ends(text),
            with_ends(kana),
            with_ends(digits),
            with_ends(code),
            with_ends(date.clone()),
            with_ends(date),
            wareki,
        ]
    }

    proptest::proptest! {
        /// The record's checks at once ([`RecordProcessor::not_as_read`]) give
        /// what the checks item by item give: the same items, counts, events,
        /// rejects and lines, for every type, CSV and fixed-length (padded
        /// with spaces and NULs), under `--charset` (default and `any`) and
        /// with and without a 外字 table.
        #[test]
        fn the_record_checks_give_what_the_item_checks_give(
            (items, pad, table, any) in record_check_inputs(),
        ) {
            let (charset, csv, fixed) = record_check_case(items, &pad, any);
            let gaiji = table.then_some("0xF040");
            for (layout, raw) in [(EVERY_KIND, &csv), (FLAGGED_FIXED, &fixed)] {
                let (p, _) = with_and_without_flags_under(layout, Encoding::Cp932, gaiji, charset);
                proptest::prop_assert!(p.record_plan.is_some());
                let mut item_wise = p.for_record_type(p.layout().clone(), false).unwrap();
                item_wise.flags = p.flags.clone();
                item_wise.record_plan = None;
                // As read by `p` (for_record_type leaves the lean reading out).
                item_wise.trims_by_mask = p.trims_by_mask;
                item_wise.fast_fixed = p.fast_fixed;
                proptest::prop_assert_eq!(outcome(&p, raw), outcome(&item_wise, raw));
            }
        }
    }

    proptest::proptest! {
        /// Under `--to`, the target items' checks at once
        /// ([`RecordProcessor::target_not_as_read`]) give what the checks item
        /// by item give: the same items, counts, events, rejects and lines,
        /// CSV and fixed-length sources, CSV and fixed targets, under
        /// `--charset` (default and `any`) and with and without a 外字 table.
        #[test]
        fn the_target_checks_give_what_the_item_checks_give(
            (items, pad, table, any) in record_check_inputs(),
        ) {
            let (charset, csv, fixed) = record_check_case(items, &pad, any);
            let gaiji = table.then_some("0xF040");
            let runs = [
                (EVERY_KIND, TO_EVERY_KIND, &csv),
                (EVERY_KIND, TO_FROM_THE_FIRST, &csv),
                (FLAGGED_FIXED, TO_FLAGGED, &fixed),
                (FLAGGED_FIXED, TO_FIXED, &fixed),
            ];
            for (layout, target, raw) in runs {
                let make = || {
                    let (p, _) =
                        with_and_without_flags_under(layout, Encoding::Cp932, gaiji, charset);
                    retarget(p, target)
                };
                let at_once = make();
                let tc = at_once.target_checks.as_ref();
                proptest::prop_assert!(tc.is_some());
                // In the source's order where the plan allows (TO_FROM_THE_FIRST
                // must), else gathered per record: both give what the item
                // checks give.
                let by_source = tc.is_some_and(|tc| tc.by_source.is_some());
                proptest::prop_assert_eq!(by_source, target == TO_FROM_THE_FIRST);
                let mut gathered = make();
                if let Some(tc) = &mut gathered.target_checks {
                    tc.by_source = None;
                }
                let item_wise = RecordProcessor {
                    target_checks: None,
                    ..make()
                };
                let want = outcome(&item_wise, raw);
                proptest::prop_assert_eq!(&outcome(&at_once, raw), &want, "{} → {}", layout, target);
                proptest::prop_assert_eq!(&outcome(&gathered, raw), &want, "{} → {}", layout, target);
            }
        }
    }

    /// `EVERY_KIND`'s items as another system's: other order, other types,
    /// stricter lengths and codes, a value the plan makes.
    const TO_EVERY_KIND: &str = r#"
name = "to"
format = "csv"
[[fields]]
name = "生年月日"
type = "date"
date = "seireki"
length = 8
[[fields]]
name = "番号"
length = 2
[[fields]]
name = "かな2"
type = "kana"
from = "氏名"
[[fields]]
name = "カナ"
type = "kana"
kana = "hiragana"
[[fields]]
name = "性別"
type = "code"
codes = ["1", "2"]
[[fields]]
name = "c"
const = "x"
[[fields]]
name = "住所"
required = true
[[fields]]
name = "和暦"
[[fields]]
name = "額"
type = "digits"
"#;

    /// `EVERY_KIND`'s items as another system's whose first item is the
    /// source's first: its other items distinct source items, reordered in
    /// runs, with stricter rules and a value the plan makes (the target's
    /// checks run in the source's item order: [`BySource`]).
    const TO_FROM_THE_FIRST: &str = r#"
name = "to"
format = "csv"
[[fields]]
name = "番号"
length = 2
[[fields]]
name = "氏名"
type = "kana"
[[fields]]
name = "c"
const = "x"
[[fields]]
name = "性別"
type = "code"
codes = ["1", "2"]
[[fields]]
name = "生年月日"
type = "date"
date = "seireki"
length = 8
[[fields]]
name = "カナ"
type = "kana"
kana = "hiragana"
[[fields]]
name = "住所"
required = true
[[fields]]
name = "和暦"
[[fields]]
name = "額"
type = "digits"
"#;

    /// The target items' runs of source items, and what cannot be checked
    /// in the source's order.
    #[test]
    fn target_checks_move_each_run_of_source_items_to_its_target_items() {
        let plan = |n: usize, never: u64| RecordPlan {
            checks: crate::cleanse::RecordChecks::default(),
            items: vec![
                ItemLimits {
                    bad_flags: 0,
                    required: false,
                    max_len: 9,
                };
                n
            ],
            never,
        };
        let m = usize::MAX;
        // EVERY_KIND → TO_FROM_THE_FIRST.
        let at = [0, 1, m, 6, 7, 2, 3, 9, 5];
        let b = BySource::of(&plan(9, 1 << 3), &at, 10).unwrap();
        assert_eq!(
            b.moves,
            [
                (0, 0, 0b11),
                (6, 3, 0b11),
                (2, 5, 0b11),
                (9, 7, 1),
                (5, 8, 1)
            ]
        );
        assert_eq!(b.made, 1 << 2);
        assert_eq!(b.plan.never, 1 << 6, "target item 3 is source item 6");
        assert_eq!(b.plan.items.len(), 10);
        assert_eq!(
            b.plan.items[4].max_len,
            usize::MAX,
            "source item 4 is not copied"
        );
        // Source item 2 failing: target item 5; made items always.
        assert_eq!(b.to_target(1 << 2), 1 << 5 | 1 << 2);
        assert_eq!(b.to_target(0), 1 << 2);
        assert_eq!(b.to_target(u64::MAX), u64::MAX);
        // A gap in both: one run with a hole in its mask.
        let b = BySource::of(&plan(3, 0), &[0, m, 2], 3).unwrap();
        assert_eq!(b.moves, [(0, 0, 0b101)]);
        assert_eq!(b.to_target(0b010), 0b010, "source item 1 is no target item");
        for at in [&[1, 0][..], &[0, 0], &[0, 5]] {
            assert!(BySource::of(&plan(at.len(), 0), at, 3).is_none(), "{at:?}");
        }
    }

    /// `FLAGGED_FIXED`'s items written fixed-length in UTF-8 (byte limits).
    const TO_FIXED: &str = r#"
name = "tf"
format = "fixed"
record_length = 20
[[fields]]
name = "住所"
offset = 0
length = 4
[[fields]]
name = "番号"
type = "digits"
offset = 4
length = 8
[[fields]]
name = "カナ"
type = "kana"
offset = 12
length = 8
"#;

    proptest::proptest! {
        /// Under `--to`, a target item that is a source item as read takes the
        /// fast path by its target field (type, lengths, codes, charset) and
        /// the source item's flags and padding, and comes out as the general
        /// path makes it: CSV and fixed sources, CSV and fixed targets.
        #[test]
        fn the_fast_path_gives_what_the_general_path_gives_under_to(
            items in proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(KIND_TOKENS.to_vec()), 0..5),
                10,
            ),
            pad in proptest::collection::vec(proptest::sample::select(vec![b' ', 0u8]), 8),
            table in proptest::bool::ANY,
        ) {
            let items: Vec<Vec<u8>> = items.into_iter().map(|t| t.concat()).collect();
            let csv = items.join(&b',');
            let mut fixed = Vec::new();
            for item in &items[..4] {
                push_fixed(&mut fixed, item, &pad, 8);
            }
            let runs = [
                (EVERY_KIND, TO_EVERY_KIND, &csv),
                (FLAGGED_FIXED, TO_FLAGGED, &fixed),
                (FLAGGED_FIXED, TO_FIXED, &fixed),
            ];
            for (layout, target, raw) in runs {
                let (flagged, plain) = with_and_without_flags(layout, table);
                for p in [flagged, plain] {
                    let (fast, general) = fast_and_general(p, Some(target))(raw);
                    proptest::prop_assert_eq!(fast, general, "{} → {}", layout, target);
                }
            }
        }
    }

    const FLAGGED_FIXED: &str = r#"
name = "t"
format = "fixed"
record_length = 32
[[fields]]
name = "番号"
type = "digits"
offset = 0
length = 8
[[fields]]
name = "氏名"
offset = 8
length = 8
[[fields]]
name = "カナ"
type = "kana"
offset = 16
length = 8
[[fields]]
name = "住所"
offset = 24
length = 8
"#;

    proptest::proptest! {
        /// As for CSV: fixed items' flags change nothing but the work, with
        /// padding of spaces and NULs after the characters.
        #[test]
        fn the_decoders_flags_change_nothing_for_fixed_items(
            items in proptest::collection::vec(
                (
                    proptest::collection::vec(proptest::sample::select(TOKENS.to_vec()), 0..5),
                    proptest::collection::vec(proptest::sample::select(vec![b' ', 0u8]), 8),
                ),
                4,
            ),
            table in proptest::bool::ANY,
        ) {
            let (flagged, plain) = with_and_without_flags(FLAGGED_FIXED, table);
            proptest::prop_assert!(flagged.flags.is_some());
            let mut raw = Vec::new();
            for (chars, pad) in items {
                push_fixed(&mut raw, &chars.concat(), &pad, 8);
            }
            proptest::prop_assert_eq!(outcome(&flagged, &raw), outcome(&plain, &raw));
            // Under --to, a target item taken as read keeps its item's flags
            // and padding.
            let (flagged, plain) = (to_flagged(flagged), to_flagged(plain));
            proptest::prop_assert_eq!(outcome(&flagged, &raw), outcome(&plain, &raw));
        }
    }

    /// Characters for fixed items (CP932): those CSV quotes, kanji, U+3000,
    /// 外字, half-width kana (a rule rewrites them), a full-width digit, NUL,
    /// and a lone lead byte (undecodable).
    const FIXED_TOKENS: [&[u8]; 17] = [
        b"a",
        b"1",
        b" ",
        b"\0",
        b",",
        b"\"",
        b"\r",
        b"\n",
        b"\t",
        b"\x88\x9F",
        b"\x81\x40",
        b"\xF0\x40",
        b"\xB1",
        b"\xDE",
        b"\x83\x41",
        b"\x82\x50",
        b"\x81",
    ];

    /// An item of [`FIXED_TOKENS`] (`kind` 0), of printable ASCII only (1:
    /// whole words for the decoder), or of kana (2: written full-width, so a
    /// rule rewrites the item), one character per token.
    fn fixed_item(tokens: &[&[u8]], kind: u8) -> Vec<u8> {
        match kind {
            0 => tokens.concat(),
            1 => tokens
                .iter()
                .map(|t| b"a1,\" "[t[0] as usize % 5])
                .collect(),
            _ => tokens
                .iter()
                .flat_map(|t| [b"\xB1" as &[u8], b"\x83\x41", b"\xDE"][t[0] as usize % 3])
                .copied()
                .collect(),
        }
    }

    /// Items long enough for the decoder's eight-byte ASCII words.
    const LEAN_FIXED: &str = r#"
name = "t"
format = "fixed"
record_length = 64
[[fields]]
name = "番号"
offset = 0
length = 16
[[fields]]
name = "氏名"
offset = 16
length = 16
[[fields]]
name = "カナ"
type = "kana"
offset = 32
length = 16
[[fields]]
name = "住所"
offset = 48
length = 16
"#;

    proptest::proptest! {
        /// A fixed record read lean (items joined by commas, padding of spaces
        /// left out, written as its line when nothing changed it) gives the
        /// line, counts and rejects of one read item by item with its padding.
        #[test]
        fn lean_fixed_records_give_what_items_read_whole_give(
            items in proptest::collection::vec(
                (
                    proptest::collection::vec(proptest::sample::select(FIXED_TOKENS.to_vec()), 0..14),
                    proptest::collection::vec(proptest::sample::select(vec![b' ', 0u8]), 16),
                    0..3u8,
                ),
                4,
            ),
            table in proptest::bool::ANY,
            flags in proptest::bool::ANY,
        ) {
            let (mut lean, _) = with_and_without_flags(LEAN_FIXED, table);
            if !flags {
                lean.flags = None;
            }
            let (mut whole, _) = with_and_without_flags(LEAN_FIXED, table);
            whole.flags = lean.flags.clone();
            whole.lean_fixed = false;
            proptest::prop_assert!(lean.lean_fixed);
            let mut raw = Vec::new();
            for (chars, pad, kind) in items {
                push_fixed(&mut raw, &fixed_item(&chars, kind), &pad, 16);
            }
            proptest::prop_assert_eq!(outcome(&lean, &raw), outcome(&whole, &raw));
        }
    }

    /// A lean processor of `layout` in `enc` and the same without the
    /// one-call reading of all-padded records (`fast_fixed`).
    fn fast_and_item_loop(
        layout: &str,
        enc: Encoding,
        table: bool,
    ) -> (RecordProcessor, RecordProcessor) {
        // A 外字 code of the encoding's user-defined area.
        let gaiji = match enc {
            Encoding::Cp932 => "0xF040",
            _ => "0xF5A1",
        };
        let (fast, _) = with_and_without_flags_in(layout, enc, table.then_some(gaiji));
        let (mut slow, _) = with_and_without_flags_in(layout, enc, table.then_some(gaiji));
        slow.fast_fixed = false;
        assert!(fast.fast_fixed && fast.lean_fixed && slow.lean_fixed);
        (fast, slow)
    }

    proptest::proptest! {
        /// A lean record of padded text items read in one decoder call
        /// ([`RecordProcessor::split_fixed_fast`], its spaces counted by the
        /// mask) gives the line, counts and rejects the loop item by item
        /// gives, records one after another in one scratch each.
        #[test]
        fn fast_fixed_records_give_what_the_item_loop_gives(
            records in proptest::collection::vec(
                proptest::collection::vec(
                    (
                        proptest::collection::vec(proptest::sample::select(FIXED_TOKENS.to_vec()), 0..14),
                        0..3u8,
                        proptest::bool::weighted(0.1),
                    ),
                    4,
                ),
                1..4,
            ),
            table in proptest::bool::ANY,
            euc in proptest::bool::ANY,
        ) {
            let enc = if euc { Encoding::EucJpMs } else { Encoding::Cp932 };
            let (fast, slow) = fast_and_item_loop(LEAN_FIXED, enc, table);
            let (mut a, mut b) = (Scratch::default(), Scratch::default());
            for items in records {
                let mut raw = Vec::new();
                for (chars, kind, nul) in items {
                    let fill: &[u8] = if nul { b"  \0             " } else { &[b' '; 16] };
                    push_fixed(&mut raw, &fixed_item(&chars, kind), fill, 16);
                }
                proptest::prop_assert_eq!(
                    outcome_in(&fast, &raw, &mut a),
                    outcome_in(&slow, &raw, &mut b)
                );
            }
        }
    }

    #[test]
    fn a_record_of_padded_text_is_read_in_one_call() {
        let (fast, _) = fast_and_item_loop(LEAN_FIXED, Encoding::Cp932, false);
        let table = &fast.flags.as_deref().unwrap().table;
        let mut s = Scratch::default();
        let mut raw = Vec::new();
        for item in [
            &b"12"[..],
            b"\x8ER\x93c",
            b"\x83J\x83i",
            b"abcdefghijklmnop",
        ] {
            push_fixed(&mut raw, item, &[b' '; 16], 16);
        }
        assert!(fast.split_fixed_fast(&raw, &mut s, table));
        assert_eq!(s.items.text(), "12,山田,カナ,abcdefghijklmnop");
        assert_eq!(s.spaces_trimmed(), 0b0111);
        // NUL padding is kept in the text, and told in `pads`.
        raw[20] = 0;
        assert!(fast.split_fixed_fast(&raw, &mut s, table));
        assert_eq!(s.items.get(1), "山田\0           ");
        assert_eq!(s.spaces_trimmed(), 0b0101);
        let nul = Padding {
            len: 12,
            spaces: true,
            nuls: true,
        };
        assert_eq!(
            s.pads,
            [
                Padding::default(),
                nul,
                Padding::default(),
                Padding::default()
            ]
        );
        // Bytes the tables do not hold: the item loop's.
        raw[20] = b' ';
        raw[16] = 0x81;
        raw[17] = 0x20;
        assert!(!fast.split_fixed_fast(&raw, &mut s, table));
        assert!(s.items.is_empty());
    }

    #[test]
    fn good_records_come_out_in_layout_order() {
        let p = processor(CSV, Encoding::Cp932);
        assert_eq!(
            run(&p, b"1,\x8ER\x93c\x81\x60").unwrap(),
            ["1", "山田\u{301C}"]
        );
        assert_eq!(run(&p, b"2,\"a,b\"").unwrap(), ["2", "a,b"]);
    }

    #[test]
    fn each_defect_has_its_reason() {
        let p = processor(CSV, Encoding::Cp932);
        assert_eq!(run(&p, b"1").unwrap_err().code, "item-count");
        assert_eq!(run(&p, b"1,2,3").unwrap_err().code, "item-count");
        assert_eq!(run(&p, b",x").unwrap_err().code, "required");
        assert_eq!(run(&p, b"1,abcde").unwrap_err().code, "too-long");
        let e = run(&p, b"1,\x82").unwrap_err();
        assert_eq!(e.code, "undecodable");
        assert!(
            e.message.contains("3バイト目") && e.message.contains("cp932"),
            "{}",
            e.message
        );
        let mut s = Scratch::default();
        assert_eq!(
            p.process(b"x", Some(Flaw::UnclosedQuote), &mut s)
                .unwrap_err()
                .code,
            "unclosed-quote"
        );
    }

    #[test]
    fn items_are_cleansed_by_type_and_changes_counted() {
        let p = processor(
            r#"
name = "t"
format = "csv"
[[fields]]
name = "カナ"
type = "kana"
[[fields]]
name = "番号"
type = "digits"
"#,
            Encoding::Utf8,
        );
        let mut s = Scratch::default();
        p.process("ｶﾞｸ ﾀﾛｳ,１２ ".as_bytes(), None, &mut s).unwrap();
        assert_eq!(
            s.written().iter().collect::<Vec<_>>(),
            ["ガク\u{3000}タロウ", "12"]
        );
        assert_eq!(s.changes.len(), 2);
        let e = p.process("ｶﾞｸ,1a".as_bytes(), None, &mut s).unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), ("not-digits", Some("番号")));
    }

    /// `processor(CSV)` writing the target layout `target` (no code tables).
    fn targeted(target: &str) -> RecordProcessor {
        retarget(processor(CSV, Encoding::Utf8), target)
    }

    /// `p` writing `TO_FLAGGED`, a target of `FLAGGED`'s items (in another
    /// order, some under another type, among values the plan makes).
    fn to_flagged(p: RecordProcessor) -> RecordProcessor {
        retarget(p, TO_FLAGGED)
    }

    /// `p` writing the target layout `target` (no code tables).
    fn retarget(p: RecordProcessor, target: &str) -> RecordProcessor {
        let loaded = crate::layout::LoadedLayout::parse(
            target.as_bytes().to_vec(),
            "to.toml",
            "to.toml".into(),
        )
        .unwrap();
        let plan = crate::target::Plan::compile(p.layout(), loaded).unwrap();
        p.with_target(plan).unwrap()
    }

    const TO_FLAGGED: &str = r#"
name = "to"
format = "csv"
[[fields]]
name = "住所"
[[fields]]
name = "かな"
type = "kana"
from = "氏名"
[[fields]]
name = "c"
const = "x"
[[fields]]
name = "番号"
[[fields]]
name = "j"
concat = ["氏名", "カナ"]
[[fields]]
name = "カナ"
"#;

    #[test]
    fn an_identity_target_writes_the_record_as_it_was_read() {
        let p = targeted(&CSV.replace("name = \"t\"", "name = \"id\""));
        let mut s = Scratch::default();
        p.process("1,山田".as_bytes(), None, &mut s).unwrap();
        assert_eq!(s.unchanged_csv_line(), Some("1,山田"));
        assert_eq!(s.reshaped().map(|i| i.get(1)), Some("山田"));
        p.process("1,山田 ".as_bytes(), None, &mut s).unwrap();
        assert_eq!(s.unchanged_csv_line(), None, "a trailing space was trimmed");
        assert_eq!(s.written().iter().collect::<Vec<_>>(), ["1", "山田"]);
        p.process("1,\u{FF5E}".as_bytes(), None, &mut s).unwrap();
        let joined = s.written().iter().collect::<Vec<_>>().join(",");
        assert_eq!(line_written(&s), joined + "\r\n", "through the map stage");
        let e = p.process(",山田".as_bytes(), None, &mut s).unwrap_err();
        assert_eq!(e.item.as_deref(), Some("番号"));
        // Swapped items are a reshaping: never the line read.
        let swap = targeted(
            "name = \"sw\"\nformat = \"csv\"\n[[fields]]\nname = \"氏名\"\n[[fields]]\nname = \"番号\"\n",
        );
        swap.process("1,山田".as_bytes(), None, &mut s).unwrap();
        assert_eq!(line_written(&s), "山田,1\r\n", "joined by commas");
        assert_eq!(s.written().iter().collect::<Vec<_>>(), ["山田", "1"]);
        for (raw, why) in [
            ("1,\"山,田\"", "a comma"),
            ("1,\"山\"\"田\"", "a quote"),
            ("1,\"山\r\n\"", "a line end"),
        ] {
            swap.process(raw.as_bytes(), None, &mut s).unwrap();
            assert_eq!(s.unchanged_csv_line(), None, "{why} needs quoting");
            assert_eq!(s.written().get(1), "1");
            let mut quoted = Vec::new();
            crate::output::csv_line(&mut quoted, s.written().iter());
            assert_eq!(line_written(&s).as_bytes(), quoted, "{why} is quoted");
        }
    }

    /// The line convert writes of the record `s` holds (CSV).
    fn line_written(s: &Scratch) -> String {
        let mut out = Vec::new();
        match s.unchanged_csv_line() {
            Some(line) => out.extend_from_slice(format!("{line}\r\n").as_bytes()),
            None => s.written().write_csv(&mut out),
        }
        String::from_utf8(out).unwrap()
    }

    /// Both charsets hold every character of a clean kana value, so a value
    /// cleansed into clean kana is written without a look at its characters;
    /// a charset lacking one of them (none without --charset any) would be asked.
    #[test]
    fn the_charsets_hold_every_clean_kana_character() {
        use crate::charset::{Charset, CharsetKind};
        for kind in [CharsetKind::MjPlus, CharsetKind::Jis2004] {
            let cs = Charset::new(kind, None);
            for script in [KanaScript::Katakana, KanaScript::Hiragana] {
                assert!(clean_kana_in(&cs, script), "{kind:?} {script:?}");
            }
            // What the check asks: each character, not the set's name.
            assert!(cs.all_in("ヷヴㇰヽヾ　ー・ゔゝゞ"), "{kind:?}");
        }
    }

    #[test]
    fn an_unchanged_record_is_written_as_it_was_read() {
        let p = processor(CSV, Encoding::Utf8);
        let mut s = Scratch::default();
        p.process("1,山田".as_bytes(), None, &mut s).unwrap();
        assert_eq!(s.unchanged_csv_line(), Some("1,山田"));
        p.process("1,山田 ".as_bytes(), None, &mut s).unwrap();
        assert_eq!(s.unchanged_csv_line(), None, "a trailing space was trimmed");
        p.process("1,\"山田\"".as_bytes(), None, &mut s).unwrap();
        assert_eq!(s.unchanged_csv_line(), None, "quotes are not copied");
        p.process("1,\u{FF5E}".as_bytes(), None, &mut s).unwrap();
        assert_eq!(s.unchanged_csv_line(), None, "a variant was mapped");
    }

    #[test]
    fn fixed_items_are_decoded_slice_by_slice() {
        let p = processor(
            r#"
name = "f"
format = "fixed"
record_length = 6
[[fields]]
name = "a"
offset = 0
length = 2
[[fields]]
name = "b"
offset = 2
length = 4
"#,
            Encoding::Cp932,
        );
        assert_eq!(run(&p, b"01\x8ER\x93c").unwrap(), ["01", "山田"]);
        let e = run(&p, b"01\x8ER\x93\xFF").unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), ("undecodable", Some("b")));
        assert!(
            e.message.contains("5バイト目") && e.message.contains("3〜6バイト目"),
            "{}",
            e.message
        );
    }

    const CUT: &str = r#"
name = "f"
format = "fixed"
record_length = 6
[[fields]]
name = "a"
offset = 0
length = 3
[[fields]]
name = "b"
offset = 3
length = 3
"#;

    #[test]
    fn an_item_end_inside_a_character_is_named() {
        let p = processor(CUT, Encoding::Cp932);
        // 山 (0x8E 0x52) at bytes 3–4 (1-based): `a` ends on its first byte.
        let e = run(&p, b"00\x8ER\x93c").unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), (CUT_CHARACTER, Some("a")));
        assert!(
            e.message.contains("「a」（1〜3バイト目）の終わり")
                && e.message.contains("2バイト文字")
                && e.message.contains("（3〜4バイト目の文字）"),
            "{}",
            e.message
        );
        // EUC-JP JIS X 0212 characters are 3 bytes (0x8F 0xB0 0xA1 = 丂).
        let p = processor(CUT, Encoding::EucJp);
        let e = run(&p, b"ab\x8F\xB0\xA1x").unwrap_err();
        assert_eq!(e.code, CUT_CHARACTER);
        assert!(
            e.message.contains("3バイト文字") && e.message.contains("3〜5バイト目"),
            "{}",
            e.message
        );
        assert_eq!(run(&p, b"\x8F\xB0\xA1xyz").unwrap(), ["\u{4E02}", "xyz"]);
    }

    #[test]
    fn an_item_start_inside_a_character_is_named() {
        // `x` comes first in the layout, so its start is what fails.
        let p = processor(
            r#"
name = "f"
format = "fixed"
record_length = 6
[[fields]]
name = "x"
offset = 3
length = 3
[[fields]]
name = "b"
offset = 0
length = 3
"#,
            Encoding::EucJp,
        );
        // 漢 (0xB4 0xC1) at bytes 3–4: `x` (bytes 4–6) starts on its second byte.
        let e = run(&p, b"ab\xB4\xC1cd").unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), (CUT_CHARACTER, Some("x")));
        assert!(
            e.message.contains("の始まり") && e.message.contains("3〜4バイト目の文字"),
            "{}",
            e.message
        );
    }

    const SENSITIVE: &str = r#"
name = "t"
format = "csv"
[[fields]]
name = "番号"
[[fields]]
name = "個人番号"
sensitive = true
length = 4
"#;

    /// Nothing of a sensitive item's value in a reason: no byte, code point,
    /// length or position; its name and the rule instead.
    fn assert_hidden(r: &Reject, code: &str) {
        assert_eq!(
            (r.code, r.item.as_deref()),
            (code, Some("個人番号")),
            "{r:?}"
        );
        assert!(
            r.message.starts_with("個人番号: ") && r.message.contains("sensitive"),
            "{r:?}"
        );
        for bad in ["0x", "U+", "文字目", "バイト目", "5文字", "\u{E000}"] {
            assert!(!r.message.contains(bad), "{bad} in {}", r.message);
        }
    }

    #[test]
    fn a_sensitive_item_is_named_never_shown() {
        let p = processor(SENSITIVE, Encoding::Cp932);
        assert_hidden(&run(&p, b"1,12\x82").unwrap_err(), "undecodable");
        assert_hidden(&run(&p, b"1,12\xF0\x40").unwrap_err(), UNMAPPED);
        assert_hidden(&run(&p, b"1,12345").unwrap_err(), "too-long");
        assert_hidden(&run(&p, b"1,\"12\"3").unwrap_err(), "broken-quote");
        // In the other item the details are still given.
        let e = run(&p, b"\x82,1").unwrap_err();
        assert_eq!(e.item.as_deref(), Some("番号"));
        assert!(
            e.message.contains("0x82") && e.message.contains("1バイト目"),
            "{}",
            e.message
        );
        let e = run(&p, b"1\"2,1").unwrap_err();
        assert!(e.message.contains("2 バイト目"), "{}", e.message);
        // Bytes that cannot be placed in an item are not shown when some item is
        // sensitive (they may be its), and are when none is.
        let e = run(&p, b"1,2,3\x82").unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), ("undecodable", None));
        assert!(
            !e.message.contains("0x82") && !e.message.contains("バイト目"),
            "{}",
            e.message
        );
        let open = processor(
            &SENSITIVE.replace("sensitive = true\n", ""),
            Encoding::Cp932,
        );
        let e = run(&open, b"1,2,3\x82").unwrap_err();
        assert!(e.message.contains("0x82"), "{}", e.message);
    }

    #[test]
    fn what_is_met_in_a_sensitive_item_is_only_counted() {
        let p = processor(SENSITIVE, Encoding::Cp932);
        let mut s = Scratch::default();
        // 〜 (0x8160) is mapped in both items; U+E000 (0xF040) is unmapped.
        p.process(b"\x81\x60,\x81\x60", None, &mut s).unwrap();
        assert_eq!(
            s.events.hits.len(),
            1,
            "only the first item's mapping is listed"
        );
        assert_eq!(
            s.written().get(1),
            "\u{301C}",
            "the sensitive item is mapped as before"
        );
        let e = p.process(b"\xF0\x40,\xF0\x40", None, &mut s).unwrap_err();
        assert_eq!(e.item.as_deref(), Some("番号"));
        assert_eq!(s.events.unmapped, ['\u{E000}']);
        assert_eq!(s.events.sensitive_unmapped, 1);
    }

    #[test]
    fn a_fixed_sensitive_item_is_named_never_shown() {
        let layout = CUT.replace("name = \"b\"", "name = \"個人番号\"\nsensitive = true");
        let p = processor(&layout, Encoding::Cp932);
        assert_hidden(&run(&p, b"000\xFF12").unwrap_err(), "undecodable");
        // `a` ends inside a character that starts in it and ends in 個人番号.
        let e = run(&p, b"00\x8ER\x93c").unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), (CUT_CHARACTER, Some("a")));
        assert!(
            e.message.contains("個人番号")
                && !e.message.contains("バイト文字")
                && !e.message.contains("3〜4"),
            "{}",
            e.message
        );
    }

    const NUMBERS: &str = r#"
name = "n"
format = "fixed"
record_length = 12
[[fields]]
name = "金額"
type = "packed"
offset = 0
digits = 7
scale = 2
[[fields]]
name = "点数"
type = "zoned"
offset = 4
digits = 3
[[fields]]
name = "件数"
type = "binary"
offset = 7
digits = 4
[[fields]]
name = "区分"
offset = 9
length = 3
"#;

    #[test]
    fn mainframe_numbers_become_decimal_text() {
        // 区分 is plain text of EBCDIC 0x40 spaces: nothing to decode there yet
        // but spaces (the decoders of the mainframe encodings are not merged).
        let layout = NUMBERS
            .replace("length = 3", "length = 3\ntype = \"zoned\"\ndigits = 3")
            .replace(
                "name = \"区分\"\noffset = 9\nlength = 3",
                "name = \"区分\"\noffset = 9",
            );
        let p = processor(&layout, Encoding::Ibm930);
        let rec = b"\x12\x34\x56\x7D\xF0\xF4\xC2\xFF\xFE\x40\x40\x40";
        assert_eq!(run(&p, rec).unwrap(), ["-12345.67", "42", "-2", ""]);
        // A bad half byte: the item and its byte in the record are named.
        let e = run(&p, b"\x12\x3A\x56\x7D\xF0\xF4\xC2\xFF\xFE\x40\x40\x40").unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), ("bad-packed", Some("金額")));
        assert!(
            e.message.contains("0x3A") && e.message.contains("2バイト目"),
            "{}",
            e.message
        );
        let e = run(&p, b"\x12\x34\x56\x7D\xF0\x44\xC2\xFF\xFE\x40\x40\x40").unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), ("bad-zoned", Some("点数")));
        assert!(
            e.message.contains("6バイト目") && e.message.contains("5〜7バイト目"),
            "{}",
            e.message
        );
        let e = run(&p, b"\x12\x34\x56\x7D\xF0\xF4\xC2\x27\x10\x40\x40\x40").unwrap_err();
        assert_eq!(
            (e.code, e.item.as_deref()),
            ("binary-overflow", Some("件数"))
        );
        // Sensitive: named, never shown.
        let hidden = layout.replace("name = \"金額\"", "name = \"金額\"\nsensitive = true");
        let p = processor(&hidden, Encoding::Ibm930);
        let e = run(&p, b"\x12\x3A\x56\x7D\xF0\xF4\xC2\xFF\xFE\x40\x40\x40").unwrap_err();
        assert!(
            !e.message.contains("0x3A") && e.message.contains("sensitive"),
            "{}",
            e.message
        );
    }

    const MIXED: &str = r#"
name = "m"
format = "fixed"
record_length = 8
[[fields]]
name = "氏名"
offset = 0
length = 4
[[fields]]
name = "住所"
offset = 4
length = 4
"#;

    #[test]
    fn a_mixed_item_ending_in_a_double_byte_run_is_a_defect() {
        let p = processor(MIXED, Encoding::Ibm930);
        // SO + one double-byte character, no SI: ends on a character boundary.
        let e = run(&p, b"\xC1\x0E\x45\x41\x40\x40\x40\x40").unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), (UNCLOSED_SHIFT, Some("氏名")));
        assert!(
            e.message.contains("2バイト目のシフトコード"),
            "{}",
            e.message
        );
        // Ending inside a character as well: the layout's offsets are the suspects.
        let e = run(&p, b"\x40\x40\x0E\x45\x41\x0F\x40\x40").unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), (CUT_CHARACTER, Some("氏名")));
        assert!(
            e.message.contains("（4〜5バイト目の文字）"),
            "{}",
            e.message
        );
        // KEIS: the two-byte shift codes.
        let p = processor(MIXED, Encoding::KeisEbcdik);
        let e = run(&p, b"\x0A\x42\xB0\xA1\x40\x40\x40\x40").unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), (UNCLOSED_SHIFT, Some("氏名")));
    }

    #[test]
    fn dbcs_items_decode_without_shift_codes_and_their_padding_is_trimmed() {
        let layout = MIXED.replace(
            "offset = 0\nlength = 4",
            "offset = 0\nlength = 4\ndbcs = true",
        );
        let p = processor(&layout, Encoding::JefEbcdik);
        let mut s = Scratch::default();
        // 山 (0xBBB3) + the double-byte space 0x4040; 住所: 田 between K and A.
        p.process(b"\xBB\xB3\x40\x40\x28\xC5\xC4\x29", None, &mut s)
            .unwrap();
        assert_eq!(s.written().iter().collect::<Vec<_>>(), ["山", "田"]);
        let trim = crate::cleanse::Rule::TrimTrailingFullwidthSpace;
        assert!(
            s.changes.iter().any(|(i, a)| *i == 0 && a.has(trim)),
            "the U+3000 padding is trimmed and counted"
        );
        // A bad pair is placed in the item's bytes, not in the wrapped copy.
        let e = run(&p, b"\xBB\xB3\x40\xFF\x28\xC5\xC4\x29").unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), ("undecodable", Some("氏名")));
        assert!(e.message.contains("レコードの3バイト目"), "{}", e.message);
    }

    #[test]
    fn cut_characters_follow_the_shift_state() {
        let layout = crate::layout::parse(MIXED.as_bytes(), "m").unwrap();
        let raw = b"\x40\x0E\x45\x41\x45\x42\x0F\x40";
        // Bytes 2–3 (0-based) and 4–5 are characters; the shift codes are 1 byte each.
        assert_eq!(character_around(Encoding::Ibm930, &layout, raw, 4), None);
        assert_eq!(
            character_around(Encoding::Ibm930, &layout, raw, 3),
            Some((2, 2))
        );
        assert_eq!(
            character_around(Encoding::Ibm930, &layout, raw, 5),
            Some((4, 2))
        );
        assert_eq!(character_around(Encoding::Ibm930, &layout, raw, 2), None);
        // Without the shift state every byte would be a character (the old answer).
        let jef = b"\x40\x30\xE2\xB0\xA1\x29\x40\x40";
        assert_eq!(
            character_around(Encoding::JefEbcdik, &layout, jef, 4),
            Some((3, 2))
        );
        assert_eq!(
            character_around(Encoding::JefEbcdik, &layout, jef, 2),
            Some((1, 2))
        );
        // A dbcs item is double-byte from its offset, with no shift code.
        let dbcs = crate::layout::parse(
            MIXED
                .replace(
                    "offset = 0\nlength = 4",
                    "offset = 0\nlength = 4\ndbcs = true",
                )
                .as_bytes(),
            "m",
        )
        .unwrap();
        assert!(dbcs.fields[0].dbcs);
        let raw = b"\x45\x41\x45\x42\x40\x40\x40\x40";
        assert_eq!(
            character_around(Encoding::Ibm930, &dbcs, raw, 1),
            Some((0, 2))
        );
        assert_eq!(
            character_around(Encoding::Ibm930, &dbcs, raw, 3),
            Some((2, 2))
        );
        assert_eq!(character_around(Encoding::Ibm930, &dbcs, raw, 5), None);
    }

    #[test]
    fn vb_records_shorter_than_the_layout_lose_only_missing_items() {
        let layout = NUMBERS
            .replace("record_length = 12", "record_length = 12\nrecfm = \"vb\"")
            .replace(
                "name = \"区分\"\noffset = 9\nlength = 3",
                "name = \"区分\"\noffset = 9\ntype = \"zoned\"\ndigits = 3",
            );
        let p = processor(&layout, Encoding::Ibm930);
        // Ends after 件数: 区分 is absent (empty).
        assert_eq!(
            run(&p, b"\x12\x34\x56\x7D\xF0\xF4\xC2\xFF\xFE").unwrap(),
            ["-12345.67", "42", "-2", ""]
        );
        // Ends inside 件数.
        let e = run(&p, b"\x12\x34\x56\x7D\xF0\xF4\xC2\xFF").unwrap_err();
        assert_eq!((e.code, e.item.as_deref()), ("short-item", Some("件数")));
        let mut s = Scratch::default();
        let e = p
            .process(
                b"\x00\x03\x00\x00",
                Some(Flaw::BadRdw(RdwFault::TooShort(3))),
                &mut s,
            )
            .unwrap_err();
        assert_eq!(e.code, "bad-rdw");
        assert!(e.message.contains("長さが3"), "{}", e.message);
        let e = p
            .process(b"x", Some(Flaw::WrongLength), &mut s)
            .unwrap_err();
        assert!(e.message.contains("最大12バイト"), "{}", e.message);
    }

    #[test]
    fn utf16_fixed_layouts_need_even_offsets() {
        let layout = crate::layout::parse(CUT.as_bytes(), "t").unwrap();
        let mapper =
            Mapper::new(&[], Encoding::Utf16Le, crate::gaiji::MapOptions::default()).unwrap();
        let e = RecordProcessor::new(layout, Encoding::Utf16Le, mapper)
            .err()
            .unwrap();
        assert!(e.contains("\"a\"") && e.contains("even"), "{e}");
        let even = CUT
            .replace("record_length = 6", "record_length = 8")
            .replace("length = 3", "length = 4")
            .replace("offset = 3", "offset = 4");
        let p = processor(&even, Encoding::Utf16Le);
        let raw: Vec<u8> = "山田ab".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(run(&p, &raw).unwrap(), ["山田", "ab"]);
    }
}
