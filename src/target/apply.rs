//! Per record: the source items reshaped into the target's items, and what was
//! converted counted. Nothing here allocates once the buffers have grown to the
//! longest record.

use super::codes::{PADDING, trim_pad};
use super::{ItemPlan, Plan, Source};
use crate::items::Items;
use crate::layout::{Field, Layout, UnmappedCode};
use crate::record::item_reject;
use crate::reject::Reject;
use std::collections::BTreeMap;

/// Reject code of a value that its item's code table has no line for.
pub const UNMAPPED_CODE: &str = "unmapped-code";

/// Target items whose finished new codes a record marks in
/// [`TargetScratch::ready`] (one bit each); later items are always processed.
pub const READY_ITEMS: usize = 64;

/// Buffers reused from record to record (part of [`crate::record::Scratch`]).
#[derive(Debug, Default)]
pub struct TargetScratch {
    /// The source items after the map stage (when some item needed it).
    pub mapped: Items,
    /// The source items of this record are `mapped` (not the items read).
    pub from_mapped: bool,
    /// The plan's [`Shape`], shared: a record's items are read through it
    /// without the plan (see [`Reshaped`]).
    shape: std::sync::Arc<Shape>,
    /// The values the plan made (code-converted, const, split, concat,
    /// default), before the target's cleansing, in target item order. A target
    /// item that is a source item as read is not here: it is read in place.
    made: Vec<Made>,
    /// The made values that are not new codes ([`Made::Own`]).
    own: Items,
    /// The target items joined by commas are the CSV line
    /// [`crate::output::items_line`] would write of them: no item needs quoting.
    pub line: bool,
    /// The source items are a CSV record's own text split at commas, without
    /// quotes (see [`Plan::reshape`]).
    plain: bool,
    /// concat: the joined value.
    joined: String,
    /// Bit `j`: target item `j` is a new code its item's processing leaves as
    /// it is ([`Plan::set_ready`]): the record need not process it.
    pub ready: u64,
    /// Values kept under `unmapped = "keep"`: (target item, range of `kept_text`).
    pub kept: Vec<(usize, usize, usize)>,
    kept_text: String,
}

impl TargetScratch {
    /// Forgets the last record's items and conversions.
    pub fn clear(&mut self) {
        self.made.clear();
        self.own.clear();
        self.line = false;
        self.plain = false;
        self.ready = 0;
        self.kept.clear();
        self.kept_text.clear();
    }

    /// The `k`-th value the plan made for this record.
    #[inline]
    pub fn made(&self, k: usize) -> &str {
        made_value(&self.made, &self.shape.codes, &self.own, k)
    }

    /// Appends a made value that is not a new code.
    #[inline]
    fn push_own(&mut self, v: &str) {
        self.made.push(Made::Own(self.own.len()));
        self.own.push(v);
    }

    /// The code pairs converted in this record ([`Plan::pair`] indices).
    pub fn converted(&self) -> impl Iterator<Item = usize> + '_ {
        self.made.iter().filter_map(|m| match *m {
            Made::New(p) => Some(p),
            Made::Own(_) => None,
        })
    }

    /// The kept values of this record as (target item, value).
    pub fn kept(&self) -> impl Iterator<Item = (usize, &str)> {
        self.kept
            .iter()
            .map(|&(j, a, b)| (j, &self.kept_text[a..b]))
    }

    /// The target items of the record last reshaped from `source` (its source
    /// items: those read, or `mapped`).
    #[inline]
    pub fn view<'a>(&'a self, source: &'a Items) -> Reshaped<'a> {
        Reshaped {
            shape: &self.shape,
            source,
            made: &self.made,
            own: &self.own,
            line: self.line,
            plain: self.plain,
        }
    }
}

/// Where a plan's target items come from, shared by the plan and the
/// scratch of each record it reshapes (one `Arc`).
#[derive(Debug, Default)]
pub struct Shape {
    /// Per target item.
    slots: Box<[Slot]>,
    /// The CSV line of a record read as is (its text split at commas), when
    /// no item needs quoting: runs of source items (each the record's text
    /// from the first to the last) and made values, joined by commas.
    pieces: Box<[Piece]>,
    /// Every table's new codes by pair index ([`Plan::pair`]): a converted
    /// value refers to one of these, not a copy.
    codes: Items,
    /// Per pair, a comma and its new code in one word, and their length
    /// (0: longer than a word): written with one store ([`Reshaped::write_csv`]).
    comma_codes: Box<[([u8; 8], u8)]>,
}

impl Shape {
    /// The shape of a plan whose target items do `ops`; `codes`: every
    /// table's new codes by pair index.
    pub fn of(ops: &[Op], codes: Items) -> Shape {
        let slots = Slot::of(ops);
        let mut pieces = Vec::new();
        let mut j = 0;
        while let Some(&slot) = slots.get(j) {
            pieces.push(match slot {
                Slot::Source { item, run } => {
                    j += run;
                    Piece::Run(item, item + run)
                }
                Slot::Made(k) => Piece::Made(k),
            });
            j += 1;
        }
        let comma_codes = codes
            .iter()
            .map(|c| {
                let mut word = [0u8; 8];
                word[0] = b',';
                match word.get_mut(1..=c.len()) {
                    Some(to) if c.len() < 8 => {
                        to.copy_from_slice(c.as_bytes());
                        (word, c.len() as u8 + 1)
                    }
                    _ => (word, 0),
                }
            })
            .collect();
        Shape {
            slots: slots.into(),
            pieces: pieces.into(),
            codes,
            comma_codes,
        }
    }

    /// The source item target item `j` is, as read.
    #[inline]
    pub fn source(&self, j: usize) -> Option<usize> {
        self.slots.get(j).and_then(|s| s.source())
    }
}

/// A piece of [`Shape`]'s line.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Piece {
    /// Source items `first..=last`.
    Run(usize, usize),
    /// The `k`-th made value.
    Made(usize),
}

/// One value the plan made for a record: the new code of a pair (in the
/// plan's codes, not copied), or an item of [`TargetScratch`]'s `own`.
#[derive(Debug, Clone, Copy)]
enum Made {
    New(usize),
    Own(usize),
}

/// Where the `k`-th made value of `made` is (see [`Made`]): the items that
/// hold it, and its index there.
#[inline(always)]
fn made_at<'a>(made: &[Made], codes: &'a Items, own: &'a Items, k: usize) -> (&'a Items, usize) {
    match made[k] {
        Made::New(p) => (codes, p),
        Made::Own(i) => (own, i),
    }
}

/// The `k`-th made value of `made`.
#[inline(always)]
fn made_value<'a>(made: &[Made], codes: &'a Items, own: &'a Items, k: usize) -> &'a str {
    let (items, i) = made_at(made, codes, own, k);
    items.get(i)
}

/// [`made_value`]'s bytes (no look at character boundaries: for copying).
#[inline(always)]
fn made_bytes<'a>(made: &[Made], codes: &'a Items, own: &'a Items, k: usize) -> &'a [u8] {
    let (items, i) = made_at(made, codes, own, k);
    items.bytes(i)
}

/// Where a record's target item is: a source item as read, or the `k`-th
/// value the plan made ([`TargetScratch::made`]). Fixed per plan, so a target
/// item taken as it is costs no copy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slot {
    /// Source item `item`; the `run` target items after it are the source
    /// items after it, in order (written as one piece of a record read as is).
    Source {
        item: usize,
        run: usize,
    },
    Made(usize),
}

impl Slot {
    /// The source item this slot is, as read (None: a value the plan makes).
    #[inline]
    pub fn source(self) -> Option<usize> {
        match self {
            Slot::Source { item, .. } => Some(item),
            Slot::Made(_) => None,
        }
    }

    /// Each target item's slot for `ops`: the made values are numbered in order.
    pub fn of(ops: &[Op]) -> Vec<Slot> {
        let mut made = 0;
        let mut slots: Vec<Slot> = ops
            .iter()
            .map(|op| match *op {
                Op::Copy(item) => Slot::Source { item, run: 0 },
                Op::Code { .. } | Op::Rule => {
                    made += 1;
                    Slot::Made(made - 1)
                }
            })
            .collect();
        // From the end: a run goes on while the next slot is the next source item.
        for j in (0..slots.len().saturating_sub(1)).rev() {
            if let (Slot::Source { item, .. }, Slot::Source { item: next, run }) =
                (slots[j], slots[j + 1])
                && item.checked_add(1) == Some(next)
            {
                slots[j] = Slot::Source { item, run: run + 1 };
            }
        }
        slots
    }
}

/// One record's target items, reshaped: source items read in place and the
/// plan's values ([`TargetScratch::made`]).
#[derive(Debug, Clone, Copy)]
pub struct Reshaped<'a> {
    shape: &'a Shape,
    source: &'a Items,
    made: &'a [Made],
    own: &'a Items,
    /// No item needs quoting (see [`TargetScratch::line`]).
    line: bool,
    /// See [`TargetScratch`]'s `plain`.
    plain: bool,
}

impl<'a> Reshaped<'a> {
    /// Target item `j`. Panics (as [`Items::get`]) for a made value that a
    /// rejected reshaping did not reach.
    #[inline(always)]
    pub fn get(&self, j: usize) -> &'a str {
        match self.shape.slots[j] {
            Slot::Source { item, .. } => self.source.get(item),
            Slot::Made(k) => made_value(self.made, &self.shape.codes, self.own, k),
        }
    }

    /// The source item target item `j` is, as it is in the source items.
    #[inline]
    pub fn source_item(&self, j: usize) -> Option<usize> {
        self.shape.source(j)
    }

    pub fn len(&self) -> usize {
        self.shape.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shape.slots.is_empty()
    }

    /// Makes `out` these items, joined by commas in its text (runs of source
    /// items of a record read as is copied at once).
    pub fn copy_into(&self, out: &mut Items) {
        out.clear();
        if !self.plain {
            for j in 0..self.len() {
                out.push_after(',', self.get(j));
            }
            return;
        }
        let text = self.source.text();
        let spans = self.source.spans();
        for &piece in self.shape.pieces.iter() {
            match piece {
                Piece::Run(first, last) => out.push_run_after(',', text, &spans[first..=last]),
                Piece::Made(k) => {
                    out.push_after(',', made_value(self.made, &self.shape.codes, self.own, k))
                }
            }
        }
    }

    /// Appends the items as a CSV line (as [`crate::output::csv_line`]).
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        if self.line && self.plain {
            // No item needs quoting, and the source items are the record's
            // text split at commas: the shape's pieces joined by commas.
            let text = self.source.text().as_bytes();
            let spans = self.source.spans();
            let codes = &self.shape.codes;
            for (n, &piece) in self.shape.pieces.iter().enumerate() {
                // A new code after a comma (most made values): comma and code
                // stored as one word, the bytes past them cut off again.
                if let (true, Piece::Made(k)) = (n > 0, piece)
                    && let Some(&Made::New(p)) = self.made.get(k)
                    && let Some(&(word, len @ 1..)) = self.shape.comma_codes.get(p)
                {
                    let at = out.len();
                    out.extend_from_slice(&word);
                    out.truncate(at + usize::from(len));
                    continue;
                }
                if n > 0 {
                    out.push(b',');
                }
                let bytes = match piece {
                    // Panics (as Items::get) for an item the record lacks,
                    // which the splitter never hands over.
                    Piece::Run(first, last) => &text[spans[first].0..spans[last].1],
                    Piece::Made(k) => made_bytes(self.made, codes, self.own, k),
                };
                out.extend_from_slice(bytes);
            }
            out.extend_from_slice(b"\r\n");
            return;
        }
        if self.line {
            // No item needs quoting (nor is the line one empty item): the items
            // joined by commas.
            for j in 0..self.len() {
                if j > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(self.get(j).as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            return;
        }
        crate::output::csv_line(out, (0..self.len()).map(|j| self.get(j)));
    }
}

/// The items of a record to write: those read (or cleansed), or under
/// `convert --to` the target items reshaped from them.
#[derive(Debug, Clone, Copy)]
pub enum Written<'a> {
    Items(&'a Items),
    Reshaped(Reshaped<'a>),
}

impl<'a> Written<'a> {
    #[inline(always)]
    pub fn get(&self, i: usize) -> &'a str {
        match self {
            Written::Items(items) => items.get(i),
            Written::Reshaped(r) => r.get(i),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Written::Items(items) => items.len(),
            Written::Reshaped(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let w = *self;
        (0..w.len()).map(move |i| w.get(i))
    }

    /// Appends the items as a CSV line (as [`crate::output::csv_line`]).
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        match self {
            Written::Items(items) => crate::output::items_line(out, items),
            Written::Reshaped(r) => r.write_csv(out),
        }
    }
}

/// An `Op::Code` whose table is looked up by one multiply ([`CodeTable::hashed`]),
/// with what a record needs of each line in its own slots: a value found
/// there costs one multiply, one compare and no other look-up.
#[derive(Debug, Clone)]
pub struct CodeOp {
    j: usize,
    item: usize,
    table: usize,
    mul: u64,
    shift: u32,
    /// (old code's key, pair, the new code is ready): the table's slots.
    slots: Box<[(u64, u32, bool)]>,
}

impl CodeOp {
    /// The plan's made ops as `CodeOp`s, when every one is an `Op::Code`
    /// over a hashed table (else None: the general loop). `ready(p)`: pair
    /// `p`'s new code is finished ([`Plan::set_ready`]).
    pub fn all_of(
        made_ops: &[(usize, Op)],
        tables: &[super::codes::CodeTable],
        base: &[usize],
        ready: impl Fn(usize) -> bool,
    ) -> Option<Box<[CodeOp]>> {
        made_ops
            .iter()
            .map(|&(j, op)| {
                let Op::Code { item, table } = op else {
                    return None;
                };
                let hashed = tables.get(table)?.hashed()?;
                let first = *base.get(table)?;
                let slots = hashed
                    .slots
                    .iter()
                    .map(|&(key, line)| {
                        let p = first + line as usize;
                        let p32 = u32::try_from(p).ok()?;
                        // Only items below 64 are marked ready (a bit each).
                        Some((key, p32, j < READY_ITEMS && ready(p)))
                    })
                    .collect::<Option<_>>()?;
                Some(CodeOp {
                    j,
                    item,
                    table,
                    mul: hashed.mul,
                    shift: hashed.shift,
                    slots,
                })
            })
            .collect()
    }

    /// The pair converting `value` and whether its new code is ready; None:
    /// not found here (padded, longer than a short code, or no line), for
    /// the general look-up to settle.
    #[inline(always)]
    fn find(&self, value: &[u8]) -> Option<(usize, bool)> {
        // Padding is for the general look-up to trim.
        if !super::codes::unpadded(value) {
            return None;
        }
        let key = super::codes::short_key(value)?;
        let &(k, p, ready) = self
            .slots
            .get(super::codes::hashed_slot(key, self.mul, self.shift))?;
        (k == key).then_some((p as usize, ready))
    }
}

/// What [`Plan::reshape`] does for one target item: the two common rules on
/// their own, so that they take none of the general rule's branches.
#[derive(Debug, Clone, Copy)]
pub enum Op {
    /// The source item as read (`from`, no default, no code table).
    Copy(usize),
    /// The source item through code table `table` (no default).
    Code { item: usize, table: usize },
    /// Any other rule (const, split, concat, default): `Plan::rule`.
    Rule,
}

impl Op {
    pub fn of(it: &ItemPlan) -> Op {
        match (&it.source, it.default.is_some(), it.table) {
            (Source::Item(i), false, None) => Op::Copy(*i),
            (Source::Item(i), false, Some(t)) => Op::Code { item: *i, table: t },
            _ => Op::Rule,
        }
    }
}

impl Plan {
    /// Reshapes `source` (the source items, mapped) into the target's items
    /// ([`TargetScratch::view`]): only the values the plan makes are written
    /// into `s` (new codes by reference). `plain`: the source items are a CSV record's own text
    /// split at commas, without quotes ([`crate::record::Scratch`]'s `plain`);
    /// `quote_free`: no source item holds a comma, quote, CR or LF (known from
    /// the decoder's flags). Err: the reject of a value its table has no line for.
    pub fn reshape(
        &self,
        source: &Items,
        plain: bool,
        quote_free: bool,
        s: &mut TargetScratch,
    ) -> Result<(), Reject> {
        s.clear();
        // Shared with the plan; cloned (one atomic add) only when the scratch
        // last served another plan.
        if !std::sync::Arc::ptr_eq(&s.shape, &self.shape) {
            s.shape = std::sync::Arc::clone(&self.shape);
        }
        let text = source.text().as_bytes();
        if let Some(ops) = &self.code_ops {
            // Every made value a code: a loop with nothing else in it.
            for op in ops.iter() {
                let (a, e) = source.span(op.item);
                match op.find(&text[a..e]) {
                    Some((p, ready)) => {
                        s.ready |= u64::from(ready) << op.j;
                        s.made.push(Made::New(p));
                    }
                    None => self.code_op(op.j, op.item, op.table, source, s)?,
                }
            }
        } else {
            self.make(source, s)?;
        }
        s.plain = plain;
        s.line = self.line_as_is(source, plain, quote_free, s);
        Ok(())
    }

    /// The values the plan makes for a record, in target item order (a
    /// copied item is read where it is).
    fn make(&self, source: &Items, s: &mut TargetScratch) -> Result<(), Reject> {
        for &(j, op) in &self.made_ops {
            match op {
                Op::Copy(_) => {}
                Op::Code { item, table } => self.code_op(j, item, table, source, s)?,
                Op::Rule => self.rule(j, source, s)?,
            }
        }
        Ok(())
    }

    /// `Op::Code`: target item `j` is source item `item` through table `t`.
    #[inline(never)]
    fn code_op(
        &self,
        j: usize,
        item: usize,
        t: usize,
        source: &Items,
        s: &mut TargetScratch,
    ) -> Result<(), Reject> {
        // Looked up by its bytes: most values are a line's old code.
        match self.tables[t].lookup_bytes(source.bytes(item)) {
            Some(k) => {
                let p = self.converted(j, t, k, s);
                s.made.push(Made::New(p));
                Ok(())
            }
            None => self.no_line(j, t, source.get(item), s),
        }
    }

    /// Target item `j`'s value through table `t`: its new code (counted), or
    /// the value itself when it is empty (a target value: not looked up) or
    /// kept under `unmapped = "keep"`. None: the value has no line (the
    /// caller rejects the record with [`Plan::unmapped`]).
    #[inline(always)]
    fn code<'a>(
        &self,
        j: usize,
        t: usize,
        value: &'a str,
        s: &mut TargetScratch,
    ) -> Option<Coded<'a>> {
        // No old code is empty (codes::parse), so an empty value finds no line.
        match self.tables[t].lookup(value) {
            Some(k) => Some(Coded::New(self.converted(j, t, k, s))),
            None => self.not_in_table(j, value, s).map(Coded::As),
        }
    }

    /// Line `k` of target item `j`'s table `t` converts this record's value:
    /// its pair, marked ready in `s` when its new code is finished.
    #[inline(always)]
    fn converted(&self, j: usize, t: usize, k: u32, s: &mut TargetScratch) -> usize {
        let p = self.pair(t, k);
        if self.is_ready(p) {
            s.ready |= 1 << j;
        }
        p
    }

    /// `Op::Code` for a value its table has no line for: the value kept as
    /// it is (empty, or under `unmapped = "keep"`), or the record's reject.
    #[cold]
    #[inline(never)]
    fn no_line(
        &self,
        j: usize,
        t: usize,
        value: &str,
        s: &mut TargetScratch,
    ) -> Result<(), Reject> {
        match self.not_in_table(j, value, s) {
            Some(v) => {
                s.push_own(v);
                Ok(())
            }
            None => Err(self.unmapped(j, t, value)),
        }
    }

    /// [`Plan::code`] for a value its table has no line for.
    #[cold]
    fn not_in_table<'a>(&self, j: usize, value: &'a str, s: &mut TargetScratch) -> Option<&'a str> {
        let key = trim_pad(value);
        if key.is_empty() {
            return Some(value);
        }
        if self.items[j].unmapped != UnmappedCode::Keep {
            return None;
        }
        let a = s.kept_text.len();
        s.kept_text.push_str(key);
        s.kept.push((j, a, s.kept_text.len()));
        Some(value)
    }

    /// The reject of target item `j`'s `value`, which its table `t` has no
    /// line for.
    #[cold]
    fn unmapped(&self, j: usize, t: usize, value: &str) -> Reject {
        unmapped(&self.layout().fields[j], &self.tables[t].path, value)
    }

    /// Target item `j` by its general rule (const, split, concat, default).
    #[inline(never)]
    fn rule(&self, j: usize, source: &Items, s: &mut TargetScratch) -> Result<(), Reject> {
        let it = &self.items[j];
        let value: &str = match &it.source {
            Source::Item(i) => source.get(*i),
            Source::Const(c) => c,
            Source::Split { item, on, part } => {
                let v = trim_pad(source.get(*item));
                v.split(&**on).nth(part - 1).unwrap_or("")
            }
            Source::Concat { items, separator } => {
                s.joined.clear();
                for &i in items {
                    let part = trim_pad(source.get(i));
                    if part.is_empty() {
                        continue;
                    }
                    if !s.joined.is_empty() {
                        s.joined.push_str(separator);
                    }
                    s.joined.push_str(part);
                }
                // Taken out for the rest (no allocation: it moves back below).
                let joined = std::mem::take(&mut s.joined);
                let r = self.finish(j, &joined, s);
                s.joined = joined;
                return r;
            }
        };
        self.finish(j, value, s)
    }

    /// Target item `j`'s `default` and code table applied to `value`, pushed.
    fn finish(&self, j: usize, value: &str, s: &mut TargetScratch) -> Result<(), Reject> {
        let it = &self.items[j];
        let value = match (it.table, &it.default) {
            // An empty value (and a default) is a target value: not looked up.
            (_, Some(d)) if trim_pad(value).is_empty() => d,
            (Some(t), _) => match self.code(j, t, value, s) {
                Some(Coded::New(p)) => {
                    s.made.push(Made::New(p));
                    return Ok(());
                }
                Some(Coded::As(v)) => v,
                None => return Err(self.unmapped(j, t, value)),
            },
            (None, _) => value,
        };
        s.push_own(value);
        Ok(())
    }

    /// The target items (made from `source`) joined by commas are their own
    /// CSV line: no item holds a comma, a quote or a line end, and they are
    /// not one empty item (written `""`).
    #[inline]
    fn line_as_is(&self, source: &Items, plain: bool, quote_free: bool, s: &TargetScratch) -> bool {
        let view = s.view(source);
        if view.len() == 1 && view.get(0).is_empty() {
            return false;
        }
        // Every value is the plan's own (none needs quotes) or made of source
        // items; those of a CSV record read without quotes hold no comma or
        // quote. Line ends are known from the decoder's flags, or found by one
        // scan over the source record.
        if self.statics_plain
            && plain
            && (quote_free || memchr::memchr2(b'\r', b'\n', source.text().as_bytes()).is_none())
        {
            return true;
        }
        (0..view.len()).all(|j| !needs_quotes(view.get(j)))
    }
}

/// What [`Plan::code`] makes of a value: the new code of a pair, or the
/// value as it is (empty, or kept under `unmapped = "keep"`).
enum Coded<'a> {
    New(usize),
    As(&'a str),
}

/// `v` would be quoted in a CSV line ([`crate::output::csv_line`]).
pub fn needs_quotes(v: &str) -> bool {
    v.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

#[cold]
fn unmapped(field: &Field, table: &str, value: &str) -> Reject {
    item_reject(field, UNMAPPED_CODE, || {
        format!(
            "{}: 値「{}」はコード変換表 {table} にありません。変換表に行を加えるか、\
             そのまま書くなら項目に unmapped = \"keep\" を指定してください",
            field.name,
            value.trim_matches(PADDING)
        )
    })
}

/// fixed targets: a value is at most `length` bytes of UTF-8.
#[inline]
pub fn check_bytes(field: &Field, value: &str) -> Result<(), Reject> {
    match field.length {
        Some(max) if value.len() > max => Err(too_many_bytes(field, value.len(), max)),
        _ => Ok(()),
    }
}

#[cold]
fn too_many_bytes(field: &Field, n: usize, max: usize) -> Reject {
    item_reject(field, "too-long", || {
        format!(
            "{}: UTF-8 で{n}バイトあり、上限の{max}バイトを超えています",
            field.name
        )
    })
}

/// Writes one fixed-length record of `layout` (a target: every item has an
/// offset and a length, checked by [`crate::target::apply::check_bytes`]) in
/// UTF-8: each item at its offset, left-aligned and padded with spaces, as are
/// the bytes no item covers; then CRLF when the layout has `newline`.
pub fn fixed_line(out: &mut Vec<u8>, layout: &Layout, order: &[usize], items: Written<'_>) {
    let start = out.len();
    for &j in order {
        let f = &layout.fields[j];
        let at = start + f.offset.unwrap_or(0);
        if out.len() < at {
            out.resize(at, b' ');
        }
        let v = items.get(j).as_bytes();
        out.extend_from_slice(v);
        let end = at + f.length.unwrap_or(v.len()).max(v.len());
        if out.len() < end {
            out.resize(end, b' ');
        }
    }
    let end = start + layout.record_length.unwrap_or(0);
    if out.len() < end {
        out.resize(end, b' ');
    }
    if layout.newline {
        out.extend_from_slice(b"\r\n");
    }
}

impl Plan {
    /// fixed targets: item indices in offset order (for [`fixed_line`]).
    pub fn fixed_order(&self) -> &[usize] {
        &self.order
    }
}

/// Kept values listed per target item at most (the manifest and the report):
/// the first this many in sort order, each with its count; the rest are counted
/// together. A free-form item kept without a table would otherwise list every
/// value of the file, in memory and in the manifest.
pub const MAX_KEPT_LISTED: usize = 100;

/// What a run converted: per (table, line) pair, and the values kept under
/// `unmapped = "keep"` per target item.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CodeCounts {
    /// By [`Plan::pair`] index (empty until the first conversion).
    pub pairs: Vec<u64>,
    /// Target item → its kept values.
    pub kept: BTreeMap<usize, Kept>,
}

/// One target item's values kept without a table line: the first
/// [`MAX_KEPT_LISTED`] in sort order with their counts, and how many records
/// kept another value. Keeping the smallest values (not the first met) makes
/// the lists of chunks and files merge into the run's exactly: a value among
/// the run's first N is among the first N of every part it occurs in.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Kept {
    pub listed: BTreeMap<String, u64>,
    /// Records that kept a value not listed.
    pub more: u64,
}

impl Kept {
    fn add(&mut self, v: &str, n: u64) {
        if let Some(c) = self.listed.get_mut(v) {
            *c += n;
            return;
        }
        let full = self.listed.len() >= MAX_KEPT_LISTED;
        if full
            && self
                .listed
                .last_key_value()
                .is_some_and(|(last, _)| v > last.as_str())
        {
            self.more += n;
            return;
        }
        self.listed.insert(v.to_string(), n);
        if self.listed.len() > MAX_KEPT_LISTED
            && let Some((_, c)) = self.listed.pop_last()
        {
            self.more += c;
        }
    }

    /// Records that kept a value (listed or not).
    pub fn total(&self) -> u64 {
        self.listed.values().sum::<u64>() + self.more
    }
}

impl CodeCounts {
    /// Counts one written record's conversions.
    #[inline]
    pub fn add(&mut self, s: &TargetScratch) {
        for p in s.converted() {
            match self.pairs.get_mut(p) {
                Some(n) => *n += 1,
                None => self.first_of(p),
            }
        }
        if !s.kept.is_empty() {
            self.add_kept(s);
        }
    }

    /// Pair `p` converted for the first time in these counts.
    #[cold]
    #[inline(never)]
    fn first_of(&mut self, p: usize) {
        self.pairs.resize(p + 1, 0);
        self.pairs[p] = 1;
    }

    #[cold]
    #[inline(never)]
    fn add_kept(&mut self, s: &TargetScratch) {
        for (j, v) in s.kept() {
            self.kept.entry(j).or_default().add(v, 1);
        }
    }

    pub fn merge(&mut self, other: &CodeCounts) {
        if self.pairs.len() < other.pairs.len() {
            self.pairs.resize(other.pairs.len(), 0);
        }
        for (a, b) in self.pairs.iter_mut().zip(&other.pairs) {
            *a += b;
        }
        for (j, theirs) in &other.kept {
            let mine = self.kept.entry(*j).or_default();
            for (v, &n) in &theirs.listed {
                mine.add(v, n);
            }
            mine.more += theirs.more;
        }
    }

    /// The manifest's `code_conversions`: every pair converted at least once, in
    /// target item order then table line order; then each item's kept values
    /// (their value shown only when the item is not sensitive).
    pub fn entries(&self, plan: &Plan) -> Vec<crate::manifest::CodeConversionEntry> {
        let mut out = Vec::new();
        for (j, it) in plan.items.iter().enumerate() {
            let field = &plan.layout().fields[j];
            if let Some(t) = it.table {
                let table = &plan.tables[t];
                for (k, line) in table.lines.iter().enumerate() {
                    let count = self.pairs.get(plan.base[t] + k).copied().unwrap_or(0);
                    if count > 0 {
                        out.push(crate::manifest::CodeConversionEntry {
                            item: field.name.clone(),
                            table: table.path.clone(),
                            line: line.line,
                            old: Some(line.old.clone()),
                            new: Some(line.new.clone()),
                            count,
                            kept: false,
                            more: false,
                        });
                    }
                }
            }
            if let Some(per) = self.kept.get(&j) {
                let table = it
                    .table
                    .map(|t| plan.tables[t].path.clone())
                    .unwrap_or_default();
                let entry =
                    |old: Option<&String>, count, more| crate::manifest::CodeConversionEntry {
                        item: field.name.clone(),
                        table: table.clone(),
                        line: 0,
                        old: old.cloned(),
                        new: old.cloned(),
                        count,
                        kept: true,
                        more,
                    };
                if field.sensitive {
                    out.push(entry(None, per.total(), false));
                    continue;
                }
                for (v, &count) in &per.listed {
                    out.push(entry(Some(v), count, false));
                }
                if per.more > 0 {
                    out.push(entry(None, per.more, true));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::LoadedLayout;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A plan of `target` (a layout file written with `tables` beside it) over `source`.
    fn plan(source: &str, target: &str, tables: &[(&str, String)]) -> Plan {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in tables {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let path = dir.path().join("t.toml");
        std::fs::write(&path, target).unwrap();
        let origin = path.to_string_lossy().into_owned();
        let target =
            LoadedLayout::parse(target.as_bytes().to_vec(), &origin, origin.clone()).unwrap();
        let source = crate::layout::parse(source.as_bytes(), "s").unwrap();
        Plan::compile(&source, target).unwrap()
    }

    fn items(values: &[&str]) -> Items {
        let mut it = Items::default();
        for v in values {
            it.push(v);
        }
        it
    }

    const AB: &str =
        "name = \"s\"\nformat = \"csv\"\n[[fields]]\nname = \"a\"\n[[fields]]\nname = \"b\"\n";
    const V: &str = "name = \"s\"\nformat = \"csv\"\n[[fields]]\nname = \"v\"\n";

    proptest! {
        #[test]
        fn concat_then_split_gives_the_parts_back(
            a in "[a-z0-9山田太郎花子アイウ-]{1,8}",
            b in "[a-z0-9山田太郎花子アイウ-]{1,8}",
        ) {
            let join = plan(
                AB,
                "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"j\"\nconcat = [\"a\", \"b\"]\nseparator = \"　\"\n",
                &[],
            );
            let mut s = TargetScratch::default();
            join.reshape(&items(&[&a, &b]), false, false, &mut s).unwrap();
            let joined = s.made(0).to_string();
            prop_assert_eq!(&joined, &format!("{a}　{b}"));
            let split = plan(
                V,
                "name = \"t\"\nformat = \"csv\"\n\
                 [[fields]]\nname = \"p1\"\nsplit = { from = \"v\", on = \"　\", part = 1 }\n\
                 [[fields]]\nname = \"p2\"\nsplit = { from = \"v\", on = \"　\", part = 2 }\n",
                &[],
            );
            split.reshape(&items(&[&joined]), false, false, &mut s).unwrap();
            prop_assert_eq!(s.made(0), a.as_str());
            prop_assert_eq!(s.made(1), b.as_str());
        }

        #[test]
        fn every_code_in_a_table_is_converted_and_counted(
            table in proptest::collection::btree_map("[A-Z0-9]{1,4}", "[0-9]{1,3}", 1..12),
            picks in proptest::collection::vec(any::<proptest::sample::Index>(), 0..40),
        ) {
            let text: String = table.iter().map(|(o, n)| format!("{o}\t{n}\n")).collect();
            let p = plan(
                V,
                "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"c\"\nfrom = \"v\"\ncodes_table = \"c.tsv\"\n",
                &[("c.tsv", text)],
            );
            let olds: Vec<&String> = table.keys().collect();
            let mut counts = CodeCounts::default();
            let mut want: BTreeMap<&str, u64> = BTreeMap::new();
            let mut s = TargetScratch::default();
            // Every line once, then random picks.
            let values: Vec<&str> = olds
                .iter()
                .map(|o| o.as_str())
                .chain(picks.iter().map(|i| olds[i.index(olds.len())].as_str()))
                .collect();
            for v in values {
                p.reshape(&items(&[v]), false, false, &mut s).unwrap();
                prop_assert_eq!(s.made(0), table[v].as_str());
                counts.add(&s);
                *want.entry(v).or_default() += 1;
            }
            let entries = counts.entries(&p);
            prop_assert_eq!(entries.len(), table.len(), "every line converted at least once");
            for e in entries {
                let old = e.old.unwrap();
                prop_assert_eq!(Some(e.count), want.get(old.as_str()).copied());
                prop_assert_eq!(e.new.as_deref(), Some(table[&old].as_str()));
            }
        }

        /// A code found in the one-multiply slots of `CodeOp` gives what the
        /// general look-up gives: the same value, pair, readiness, kept value
        /// or reject, for values in the table, padded, kept, longer or empty.
        #[test]
        fn code_ops_give_what_the_general_look_up_gives(
            table in proptest::collection::btree_map("[A-D1]{1,3}", "[0-9]{1,2}", 1..8),
            values in proptest::collection::vec("[ 　]?[A-D1]{0,9}[ 　]?", 1..20),
            keep in any::<bool>(),
            ready_odd in any::<bool>(),
        ) {
            let text: String = table.iter().map(|(o, n)| format!("{o}\t{n}\n")).collect();
            let unmapped = if keep { "unmapped = \"keep\"\n" } else { "" };
            let target = format!(
                "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"c\"\nfrom = \"a\"\ncodes_table = \"c.tsv\"\n{unmapped}\
                 [[fields]]\nname = \"d\"\nfrom = \"b\"\ncodes_table = \"c.tsv\"\n{unmapped}"
            );
            let mut fast = plan(AB, &target, &[("c.tsv", text)]);
            // Some new codes ready, as the target's processing decides per run.
            fast.set_ready(|_, _, v| ready_odd == (v.len() % 2 == 1));
            prop_assert!(fast.code_ops.is_some());
            let mut general = fast.clone();
            general.code_ops = None;
            let (mut a, mut b) = (TargetScratch::default(), TargetScratch::default());
            for pair in values.chunks(2) {
                let source = items(&[&pair[0], pair.get(1).unwrap_or(&pair[0])]);
                let got = fast.reshape(&source, false, false, &mut a).map_err(|r| r.message);
                let want = general.reshape(&source, false, false, &mut b).map_err(|r| r.message);
                prop_assert_eq!(&got, &want);
                if got.is_ok() {
                    let (va, vb) = (a.view(&source), b.view(&source));
                    prop_assert_eq!((va.get(0), va.get(1)), (vb.get(0), vb.get(1)));
                }
                prop_assert_eq!(a.converted().collect::<Vec<_>>(), b.converted().collect::<Vec<_>>());
                prop_assert_eq!(a.kept().collect::<Vec<_>>(), b.kept().collect::<Vec<_>>());
                prop_assert_eq!(a.ready, b.ready);
            }
        }

        #[test]
        fn an_unmapped_code_never_reaches_the_output(
            table in proptest::collection::btree_map("[A-D]{1,2}", "[0-9]", 1..6),
            values in proptest::collection::vec("[A-D]{1,2}", 1..20),
        ) {
            let text: String = table.iter().map(|(o, n)| format!("{o}\t{n}\n")).collect();
            let p = plan(
                V,
                "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"c\"\nfrom = \"v\"\ncodes_table = \"c.tsv\"\n",
                &[("c.tsv", text)],
            );
            let enc = crate::decode::Encoding::Utf8;
            let mapper = crate::gaiji::Mapper::new(&[], enc, crate::gaiji::MapOptions::default()).unwrap();
            let source = crate::layout::parse(V.as_bytes(), "s").unwrap();
            let rp = crate::record::RecordProcessor::new(source, enc, mapper)
                .unwrap()
                .with_target(p)
                .unwrap();
            let mut s = crate::record::Scratch::default();
            for v in &values {
                match (rp.process(v.as_bytes(), None, &mut s), table.get(v)) {
                    (Ok(()), Some(new)) => prop_assert_eq!(s.written().get(0), new.as_str()),
                    (Err(r), None) => {
                        prop_assert_eq!(r.code, UNMAPPED_CODE);
                        prop_assert_eq!(r.item.as_deref(), Some("c"));
                    }
                    (got, want) => prop_assert!(false, "{v}: {got:?} with table line {want:?}"),
                }
            }
        }
    }

    /// New codes that the target's cleansing changes, counts, or rejects, or
    /// that `--charset jis2004` refuses, beside finished ones.
    const NEW_CODES: [&str; 16] = [
        "1",
        "2",
        "3",
        "\u{FF21}",
        "0001",
        "\u{FF11}",
        "12345",
        "\u{FF76}\u{FF85}",
        "カナ",
        "a,b",
        "x\"y",
        "20240101",
        "令和1年1月1日",
        "a\u{3000}b",
        "𠮷",
        "髙",
    ];

    /// Several types, each new code from [`NEW_CODES`] through its table.
    const READY_TARGET: &str = r#"
name = "t"
format = "csv"
[[fields]]
name = "code"
type = "code"
codes = ["1", "2"]
from = "v"
codes_table = "a.tsv"
[[fields]]
name = "text"
length = 3
required = true
from = "v"
codes_table = "b.tsv"
[[fields]]
name = "kana"
type = "kana"
from = "v"
codes_table = "c.tsv"
[[fields]]
name = "digits"
type = "digits"
length = 4
from = "v"
codes_table = "d.tsv"
[[fields]]
name = "date"
type = "date"
date = "seireki"
from = "v"
codes_table = "e.tsv"
"#;

    /// `target` (CSV, `[[fields]]` with `length` or none) as a fixed-length
    /// UTF-8 target: each item at the next offset, 6 bytes unless it says
    /// `length` (values longer in bytes are rejected as too long).
    fn fixed_target(target: &str) -> String {
        let mut out = String::new();
        let mut offset = 0;
        for (n, part) in target.split("[[fields]]\n").enumerate() {
            if n == 0 {
                out.push_str(&part.replace("format = \"csv\"", "format = \"fixed\""));
                continue;
            }
            let length = part
                .lines()
                .find_map(|l| l.strip_prefix("length = "))
                .and_then(|l| l.parse::<usize>().ok());
            let len = length.unwrap_or(6);
            out.push_str("[[fields]]\n");
            out.push_str(part);
            out.push_str(&format!("offset = {offset}\n"));
            if length.is_none() {
                out.push_str(&format!("length = {len}\n"));
            }
            offset += len;
        }
        out.replacen(
            "format = \"fixed\"",
            &format!("format = \"fixed\"\nrecord_length = {offset}"),
            1,
        )
    }

    /// Everything a record's processing gives: result, items written, rules
    /// applied, what the charset check met.
    fn processed(p: &crate::record::RecordProcessor, v: &str) -> String {
        let mut s = crate::record::Scratch::default();
        let r = p.process(v.as_bytes(), None, &mut s);
        let written: Vec<&str> = match r {
            Ok(()) => s.written().iter().collect(),
            Err(_) => Vec::new(),
        };
        let mut line = Vec::new();
        match (r.is_ok(), p.target()) {
            (true, Some(plan)) if plan.layout().format == crate::layout::Format::Fixed => {
                fixed_line(&mut line, plan.layout(), plan.fixed_order(), s.written())
            }
            (true, _) => s.write_csv(&mut line),
            _ => {}
        }
        format!(
            "{r:?} {written:?} {:?} {:?} {:?} {:?}",
            String::from_utf8_lossy(&line),
            s.changes,
            s.events.nonstandard,
            s.target.converted().collect::<Vec<_>>()
        )
    }

    proptest! {
        /// Checking a code table's new codes once per run (and skipping them
        /// per record) changes nothing a record gives, whatever the new codes,
        /// the item types, `--charset`, and a CSV or fixed-length target.
        #[test]
        fn new_codes_checked_once_give_what_checking_each_record_gives(
            news in proptest::collection::vec(0..NEW_CODES.len(), 15),
            values in proptest::collection::vec("[A-CZ]", 1..12),
            jis in any::<bool>(),
            fixed in any::<bool>(),
        ) {
            let tables: Vec<(&str, String)> = ["a.tsv", "b.tsv", "c.tsv", "d.tsv", "e.tsv"]
                .iter()
                .enumerate()
                .map(|(t, name)| {
                    let text = ["A", "B", "C"]
                        .iter()
                        .enumerate()
                        .map(|(k, old)| format!("{old}\t{}\n", NEW_CODES[news[t * 3 + k]]))
                        .collect();
                    (*name, text)
                })
                .collect();
            let enc = crate::decode::Encoding::Utf8;
            let charset = if jis {
                crate::charset::CharsetKind::Jis2004
            } else {
                crate::charset::CharsetKind::Any
            };
            let target = match fixed {
                true => plan(V, &fixed_target(READY_TARGET), &tables),
                false => plan(V, READY_TARGET, &tables),
            };
            let make = || {
                let options = crate::gaiji::MapOptions { charset, ..Default::default() };
                let mapper = crate::gaiji::Mapper::new(&[], enc, options).unwrap();
                let source = crate::layout::parse(V.as_bytes(), "s").unwrap();
                crate::record::RecordProcessor::new(source, enc, mapper)
                    .unwrap()
                    .with_target(target.clone())
                    .unwrap()
            };
            let (once, each) = (make(), make().without_ready_codes());
            for v in &values {
                prop_assert_eq!(processed(&once, v), processed(&each, v), "value {}", v);
            }
        }
    }

    proptest! {
        /// A run's kept values are its first MAX_KEPT_LISTED values in sort
        /// order with their exact counts, and the rest counted together,
        /// however its records were cut into chunks and files.
        #[test]
        fn kept_values_list_the_first_n_exactly_however_the_run_is_cut(
            values in proptest::collection::vec(0u16..300, 0..600),
            cuts in proptest::collection::vec(any::<proptest::sample::Index>(), 0..6),
        ) {
            let values: Vec<String> = values.iter().map(|v| format!("v{v:03}")).collect();
            let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(values.len() + 1)).collect();
            cuts.sort_unstable();
            let mut run = CodeCounts::default();
            let mut start = 0;
            for end in cuts.into_iter().chain([values.len()]) {
                let mut part = CodeCounts::default();
                for v in &values[start..end.max(start)] {
                    let mut s = TargetScratch::default();
                    s.kept_text.push_str(v);
                    s.kept.push((0, 0, v.len()));
                    part.add(&s);
                }
                run.merge(&part);
                start = end.max(start);
            }
            let mut all: BTreeMap<&str, u64> = BTreeMap::new();
            for v in &values {
                *all.entry(v).or_default() += 1;
            }
            let want: Vec<(&str, u64)> = all.iter().take(MAX_KEPT_LISTED).map(|(v, n)| (*v, *n)).collect();
            let more: u64 = all.values().skip(MAX_KEPT_LISTED).sum();
            let kept = run.kept.get(&0).cloned().unwrap_or_default();
            let got: Vec<(&str, u64)> = kept.listed.iter().map(|(v, n)| (v.as_str(), *n)).collect();
            prop_assert_eq!(got, want);
            prop_assert_eq!(kept.more, more);
            prop_assert_eq!(kept.total(), values.len() as u64);
        }
    }

    /// `TargetScratch::line` (the reshaped items are written joined by commas
    /// as they are) holds exactly when no target item needs quoting, however
    /// the source record was split.
    #[test]
    fn a_reshaped_line_is_written_as_is_only_when_no_item_needs_quotes() {
        let swap = plan(
            AB,
            "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"b\"\n[[fields]]\nname = \"a\"\n",
            &[],
        );
        let mut s = TargetScratch::default();
        for (record, want) in [
            ("p,q", true),
            ("\"p,q\",r", false),
            ("\"p\"\"q\",r", false),
            ("\"p\",r", true),
            ("p\rq,r", false),
            ("p,\"q\nr\"", false),
            ("山田,太郎", true),
        ] {
            let mut source = Items::default();
            let plain =
                crate::items::split_csv_in_place(&mut record.to_string(), b',', b'"', &mut source)
                    .unwrap();
            swap.reshape(&source, plain, false, &mut s).unwrap();
            assert_eq!(s.line, want, "{record:?}");
            let view = s.view(&source);
            let exact = (0..view.len()).all(|j| !needs_quotes(view.get(j)));
            assert_eq!(s.line, exact, "{record:?}");
            assert_eq!(line(view), csv_line(&[source.get(1), source.get(0)]));
        }
        // Items pushed one by one (as mapped items are).
        let source = items(&["x,y", "z"]);
        swap.reshape(&source, false, false, &mut s).unwrap();
        assert!(!s.line);
        assert_eq!(line(s.view(&source)), "z,\"x,y\"\r\n");
        let source = items(&["x", "z"]);
        swap.reshape(&source, false, false, &mut s).unwrap();
        assert!(s.line);
        assert_eq!(line(s.view(&source)), "z,x\r\n");
    }

    /// A run is the source items that follow one another in the target in
    /// their source order.
    #[test]
    fn slots_know_their_runs_of_source_items() {
        let ops = [
            Op::Copy(0),
            Op::Copy(1),
            Op::Copy(2),
            Op::Rule,
            Op::Copy(5),
            Op::Copy(6),
            Op::Copy(3),
            Op::Copy(3),
            Op::Code { item: 4, table: 0 },
        ];
        let src = |item, run| Slot::Source { item, run };
        assert_eq!(
            Slot::of(&ops),
            [
                src(0, 2),
                src(1, 1),
                src(2, 0),
                Slot::Made(0),
                src(5, 1),
                src(6, 0),
                src(3, 0),
                src(3, 0),
                Slot::Made(1),
            ]
        );
        // The line of a record read as is: each run copied at once.
        assert_eq!(
            *Shape::of(&ops, Items::default()).pieces,
            [
                Piece::Run(0, 2),
                Piece::Made(0),
                Piece::Run(5, 6),
                Piece::Run(3, 3),
                Piece::Run(3, 3),
                Piece::Made(1),
            ]
        );
    }

    /// The line [`Reshaped::write_csv`] writes.
    fn line(view: Reshaped<'_>) -> String {
        let mut out = Vec::new();
        view.write_csv(&mut out);
        String::from_utf8(out).unwrap()
    }

    /// The line [`crate::output::csv_line`] writes of `values`.
    fn csv_line(values: &[&str]) -> String {
        let mut out = Vec::new();
        crate::output::csv_line(&mut out, values.iter().copied());
        String::from_utf8(out).unwrap()
    }

    /// A target item that is a source item as read is read in place: only the
    /// values the plan makes are written into the target's buffer.
    #[test]
    fn source_items_taken_as_read_are_not_copied() {
        let p = plan(
            AB,
            "name = \"t\"\nformat = \"csv\"\n\
             [[fields]]\nname = \"b\"\n\
             [[fields]]\nname = \"k\"\nconst = \"K\"\n\
             [[fields]]\nname = \"a\"\n\
             [[fields]]\nname = \"c\"\nfrom = \"a\"\ncodes_table = \"c.tsv\"\n",
            &[("c.tsv", "x\t1\n".to_string())],
        );
        let mut s = TargetScratch::default();
        let source = items(&["x", "山田"]);
        p.reshape(&source, false, false, &mut s).unwrap();
        assert_eq!([s.made(0), s.made(1)], ["K", "1"]);
        let view = s.view(&source);
        let all: Vec<&str> = (0..view.len()).map(|j| view.get(j)).collect();
        assert_eq!(all, ["山田", "K", "x", "1"]);
        assert!(s.line);
        assert_eq!(line(view), "山田,K,x,1\r\n");
    }

    proptest! {
        /// A record read as is, with new codes of every length (those that
        /// fit a word after their comma, and longer ones): its line is the
        /// target items joined by commas.
        #[test]
        fn a_line_with_new_codes_is_its_items_joined(
            news in proptest::collection::vec("[0-9A-Z山]{1,9}", 3),
            pick in 0usize..3,
            b in "[a-z山]{0,5}",
        ) {
            let table: String =
                news.iter().enumerate().map(|(i, n)| format!("{i}\t{n}\n")).collect();
            let p = plan(
                AB,
                "name = \"t\"\nformat = \"csv\"\n\
                 [[fields]]\nname = \"c\"\nfrom = \"a\"\ncodes_table = \"c.tsv\"\n\
                 [[fields]]\nname = \"a\"\n\
                 [[fields]]\nname = \"d\"\nfrom = \"a\"\ncodes_table = \"c.tsv\"\n\
                 [[fields]]\nname = \"b\"\n",
                &[("c.tsv", table)],
            );
            let mut record = format!("{pick},{b}");
            let mut source = Items::default();
            let plain = crate::items::split_csv_in_place(&mut record, b',', b'"', &mut source).unwrap();
            prop_assert!(plain);
            let mut s = TargetScratch::default();
            p.reshape(&source, plain, true, &mut s).unwrap();
            prop_assert!(s.line);
            let code = news[pick].as_str();
            let want = format!("{code},{pick},{code},{b}\r\n");
            prop_assert_eq!(line(s.view(&source)), want);
        }

        /// The reshaped line is the bytes `output::csv_line` writes of the
        /// target items, whatever the items hold, however they were read.
        #[test]
        fn a_reshaped_line_is_the_csv_line_of_its_items(
            a in "[a,\"\r\n山 ]{0,4}",
            b in "[b,\"\r\n田 ]{0,4}",
            split in any::<bool>(),
        ) {
            let p = plan(
                AB,
                "name = \"t\"\nformat = \"csv\"\n\
                 [[fields]]\nname = \"b\"\n\
                 [[fields]]\nname = \"j\"\nconcat = [\"a\", \"b\"]\nseparator = \"-\"\n\
                 [[fields]]\nname = \"a\"\n",
                &[],
            );
            let mut source = Items::default();
            let mut plain = false;
            if split {
                // As read from a CSV record (quoted where needed).
                let record = csv_line(&[&a, &b]);
                let mut record = record.strip_suffix("\r\n").unwrap_or(&record).to_string();
                plain = crate::items::split_csv_in_place(&mut record, b',', b'"', &mut source).unwrap();
            } else {
                source = items(&[&a, &b]);
            }
            let (a, b) = (source.get(0).to_string(), source.get(1).to_string());
            let mut s = TargetScratch::default();
            p.reshape(&source, plain, false, &mut s).unwrap();
            let parts: Vec<&str> =
                [a.trim_matches(PADDING), b.trim_matches(PADDING)].into_iter().filter(|v| !v.is_empty()).collect();
            let joined = parts.join("-");
            prop_assert_eq!(line(s.view(&source)), csv_line(&[&b, &joined, &a]));
            // Source items in their order: written as a run of the record read.
            let run = plan(
                AB,
                "name = \"t\"\nformat = \"csv\"\n\
                 [[fields]]\nname = \"a\"\n[[fields]]\nname = \"b\"\n\
                 [[fields]]\nname = \"j\"\nconcat = [\"a\", \"b\"]\nseparator = \"-\"\n\
                 [[fields]]\nname = \"a2\"\nfrom = \"a\"\n[[fields]]\nname = \"b2\"\nfrom = \"b\"\n",
                &[],
            );
            run.reshape(&source, plain, false, &mut s).unwrap();
            prop_assert_eq!(line(s.view(&source)), csv_line(&[&a, &b, &joined, &a, &b]));
            // Copied for rewriting: the same items, joined by commas.
            let view = s.view(&source);
            let all: Vec<&str> = (0..view.len()).map(|j| view.get(j)).collect();
            let mut copy = Items::default();
            view.copy_into(&mut copy);
            prop_assert_eq!(copy.iter().collect::<Vec<_>>(), all.clone());
            prop_assert_eq!(copy.text(), all.join(","));
        }
    }

    #[test]
    fn fixed_line_pads_items_and_gaps_with_spaces() {
        let layout = crate::layout::parse(
            "name = \"f\"\nformat = \"fixed\"\nrecord_length = 12\nnewline = true\n\
             [[fields]]\nname = \"b\"\noffset = 6\nlength = 3\n\
             [[fields]]\nname = \"a\"\noffset = 0\nlength = 4\n"
                .as_bytes(),
            "f",
        )
        .unwrap();
        let mut items = Items::default();
        items.push("xy");
        items.push("山");
        let mut out = b"prev".to_vec();
        fixed_line(&mut out, &layout, &[1, 0], Written::Items(&items));
        assert_eq!(out, "prev山   xy    \r\n".as_bytes());
        assert_eq!(out.len() - 4, 12 + 2);
    }
}
