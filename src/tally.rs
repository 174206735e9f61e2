//! Tally: what happened to the records of one file, counted per chunk and merged
//! in input order (so the totals, and every "first record", are the same for any
//! number of jobs).

use crate::charset::Unit;
use crate::cleanse::{Applied, Rule, RuleCounts};
use crate::gaiji::MapEvents;
use std::collections::BTreeMap;

/// How many record numbers of each reject reason are kept for the report (the
/// reject file has them all).
pub const RECORDS_KEPT_PER_REASON: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Data records read (not the header, not blank lines): `read = written + rejected`.
    pub read: u64,
    pub written: u64,
    pub rejected: u64,
    pub header: u64,
    pub blank: u64,
    /// Reject reasons by (code, item).
    pub reasons: BTreeMap<(&'static str, Option<String>), ReasonTally>,
    /// Cleansing rules applied in written records, per item index.
    pub rules: Vec<RuleCounts>,
    /// Per mapping index of the map stage: occurrences written, and where first.
    pub mapped: Vec<Seen>,
    /// Unmapped 外字 met (in written and rejected records alike).
    pub unmapped: BTreeMap<char, Seen>,
    /// Unmapped 外字 met in `sensitive` items: counted only, never listed by
    /// character or record (they are not in `unmapped`).
    pub sensitive_unmapped: u64,
    /// Fewest and most items found in records rejected for the wrong number of
    /// items, so that a run where all are rejected can say what the data holds.
    pub items_found: Option<(usize, usize)>,
    // ---- dates ----
    /// Dates written under `date_policy = "keep"` although not in the calendar
    /// ([`Rule::NonexistentDate`]) or 不詳 ([`Rule::UnknownDate`]), by (item index,
    /// rule): how many, and the first record. Never the value.
    pub kept_dates: BTreeMap<(usize, Rule), Seen>,
    // ---- end dates ----
    // --- MJ+ (--charset) ---
    /// Units outside `--charset` met (in written and rejected records alike), by
    /// (item index, unit); the unit is `None` for a `sensitive` item.
    pub nonstandard: BTreeMap<(u32, Option<Unit>), Seen>,
    /// `trim-trailing-space` counts not yet in `rules`: (mask, n), n written
    /// records in a row had the items of `mask` trimmed ([`Tally::spaces_trimmed`]).
    /// Added to `rules` when the mask changes and by [`Tally::merge`] (a
    /// chunk's tally is read only once merged).
    trims: (u64, u64),
}

/// The rules that mark a date kept under `date_policy = "keep"`.
pub const KEPT_DATE_RULES: [Rule; 2] = [Rule::NonexistentDate, Rule::UnknownDate];

/// Whether [`Tally::write`] notes where something of a record was met (a
/// date kept, a mapping, an unmapped 外字 or a unit outside `--charset`):
/// only then is its key item needed. Rules are only counted.
fn names_the_record(changes: &[(usize, Applied)], events: &MapEvents) -> bool {
    let kept = changes
        .iter()
        .any(|&(_, a)| KEPT_DATE_RULES.iter().any(|&r| a.has(r)));
    kept || !events.is_empty()
}

/// How often something was met, and the first record it was met in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub count: u64,
    /// Record number (0: never).
    pub first_record: u64,
    /// The key item of that record (for people to find it), if the layout has one.
    pub first_key: Option<String>,
}

impl Seen {
    /// Counts `n` more, met in `record` (whose key item is `key`).
    pub fn add(&mut self, n: u64, record: u64, key: Option<&str>) {
        if self.count == 0 || record < self.first_record {
            self.first_record = record;
            self.first_key = key.map(String::from);
        }
        self.count += n;
    }

    /// Adds counts from another chunk of the same file. The first record is the
    /// smaller one, so the result does not depend on the order of the merges.
    pub fn merge(&mut self, other: Seen) {
        if other.count > 0 {
            let (n, record) = (other.count, other.first_record);
            self.add(n, record, None);
            if self.first_record == record {
                self.first_key = other.first_key;
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReasonTally {
    pub count: u64,
    /// The first records with this reason, ascending.
    pub records: Vec<Rejected>,
}

/// A rejected record, as the report lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rejected {
    pub record: u64,
    /// Its line in the reject file (1-based): the file has a header line, then one
    /// line per rejected record, in record order, so this is one more than the
    /// number of rejects up to this one.
    pub line: u64,
    /// The key item, when the record was read into its items.
    pub key: Option<String>,
}

impl Tally {
    /// Counts a rejected record; call it in record order, as its reject line is written.
    pub fn reject(
        &mut self,
        code: &'static str,
        item: Option<&str>,
        record: u64,
        key: Option<&str>,
    ) {
        self.read += 1;
        self.rejected += 1;
        let line = self.rejected.saturating_add(crate::reject::HEADER_LINES);
        let r = self
            .reasons
            .entry((code, item.map(String::from)))
            .or_default();
        r.count += 1;
        if r.records.len() < RECORDS_KEPT_PER_REASON {
            r.records.push(Rejected {
                record,
                line,
                key: key.map(String::from),
            });
        }
    }

    /// Counts a written record, the cleansing changes and the mappings made to it.
    #[inline]
    pub fn write(
        &mut self,
        changes: &[(usize, Applied)],
        events: &MapEvents,
        record: u64,
        key: Option<&str>,
    ) {
        self.write_keyed(changes, events, record, || key);
    }

    /// As [`Tally::write`], the key item asked of `key` only when something
    /// is counted with its record (most records: nothing is).
    #[inline]
    pub fn write_keyed<'k>(
        &mut self,
        changes: &[(usize, Applied)],
        events: &MapEvents,
        record: u64,
        key: impl FnOnce() -> Option<&'k str>,
    ) {
        self.read += 1;
        self.written += 1;
        // Most records: no rule applied, nothing mapped or met.
        if !changes.is_empty() || !events.is_empty() {
            let key = match names_the_record(changes, events) {
                true => key(),
                false => None,
            };
            self.write_changes(changes, events, record, key);
        }
    }

    /// [`Tally::write`]'s counts of the rules applied and of what the map
    /// stage and the charset check met.
    #[inline(never)]
    fn write_changes(
        &mut self,
        changes: &[(usize, Applied)],
        events: &MapEvents,
        record: u64,
        key: Option<&str>,
    ) {
        for &(item, applied) in changes {
            self.rule_counts(item).add_applied(applied);
            // ---- dates ----
            for rule in KEPT_DATE_RULES {
                if applied.has(rule) {
                    self.kept_dates
                        .entry((item, rule))
                        .or_default()
                        .add(1, record, key);
                }
            }
            // ---- end dates ----
        }
        for &m in &events.hits {
            let m = m as usize;
            if self.mapped.len() <= m {
                self.mapped.resize(m + 1, Seen::default());
            }
            self.mapped[m].add(1, record, key);
        }
        // Most records met none: no call.
        if events.any_unmapped() {
            self.unmapped_in(events, record, key);
        }
    }

    /// Counts the unmapped 外字 of a record (written with 〓, or rejected).
    pub fn unmapped_in(&mut self, events: &MapEvents, record: u64, key: Option<&str>) {
        for &c in &events.unmapped {
            self.unmapped.entry(c).or_default().add(1, record, key);
        }
        self.sensitive_unmapped += events.sensitive_unmapped;
        for &(item, u) in &events.nonstandard {
            // A sensitive item's record is not named either.
            let (record, key) = match u {
                Some(_) => (record, key),
                None => (0, None),
            };
            self.nonstandard
                .entry((item, u))
                .or_default()
                .add(1, record, key);
        }
    }

    /// Counts `trim-trailing-space` once for each item whose bit is set in
    /// `mask` (items below 64), for a written record: the padding of spaces
    /// of a lean fixed-length record's items ([`crate::record::Scratch::spaces_trimmed`]).
    /// Records in a row mostly have the same items padded: such a run is
    /// counted, and added to the items' counts once.
    #[inline]
    pub fn spaces_trimmed(&mut self, mask: u64) {
        if mask == self.trims.0 {
            self.trims.1 += 1;
        } else {
            self.add_trims();
            self.trims = (mask, 1);
        }
    }

    /// Adds the run of [`Tally::spaces_trimmed`] to `rules`.
    fn add_trims(&mut self) {
        let (mask, n) = std::mem::take(&mut self.trims);
        if mask == 0 {
            return;
        }
        let top = 64 - mask.leading_zeros() as usize;
        if self.rules.len() < top {
            self.rules.resize(top, RuleCounts::new());
        }
        let mut bits = mask;
        while bits != 0 {
            if let Some(r) = self.rules.get_mut(bits.trailing_zeros() as usize) {
                r.add_n(Rule::TrimTrailingSpace, n);
            }
            bits &= bits - 1;
        }
    }

    fn rule_counts(&mut self, item: usize) -> &mut RuleCounts {
        if self.rules.len() <= item {
            self.rules.resize(item + 1, RuleCounts::new());
        }
        &mut self.rules[item]
    }

    /// Notes the number of items found in a record rejected for the wrong number.
    pub fn items_found(&mut self, n: usize) {
        self.items_found = Some(
            self.items_found
                .map_or((n, n), |(lo, hi)| (lo.min(n), hi.max(n))),
        );
    }

    /// Adds a later chunk's tally.
    pub fn merge(&mut self, mut later: Tally) {
        self.add_trims();
        later.add_trims();
        if let Some((lo, hi)) = later.items_found {
            self.items_found(lo);
            self.items_found(hi);
        }
        // The later chunk's reject lines follow this tally's.
        let lines_before = self.rejected;
        self.read += later.read;
        self.written += later.written;
        self.rejected += later.rejected;
        self.header += later.header;
        self.blank += later.blank;
        for (k, v) in later.reasons {
            let r = self.reasons.entry(k).or_default();
            r.count += v.count;
            let room = RECORDS_KEPT_PER_REASON.saturating_sub(r.records.len());
            r.records
                .extend(v.records.into_iter().take(room).map(|mut rec| {
                    rec.line += lines_before;
                    rec
                }));
        }
        for (item, counts) in later.rules.iter().enumerate() {
            if !counts.is_empty() {
                self.rule_counts(item).merge(counts);
            }
        }
        if self.mapped.len() < later.mapped.len() {
            self.mapped.resize(later.mapped.len(), Seen::default());
        }
        for (m, seen) in later.mapped.into_iter().enumerate() {
            self.mapped[m].merge(seen);
        }
        for (c, seen) in later.unmapped {
            self.unmapped.entry(c).or_default().merge(seen);
        }
        self.sensitive_unmapped += later.sensitive_unmapped;
        // ---- dates ----
        for (k, seen) in later.kept_dates {
            self.kept_dates.entry(k).or_default().merge(seen);
        }
        // ---- end dates ----
        for (k, seen) in later.nonstandard {
            self.nonstandard.entry(k).or_default().merge(seen);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key item is asked only of a record something is counted with,
    /// and the counts are those of `write` with the key given.
    #[test]
    fn the_key_is_asked_only_when_counted_with_the_record() {
        let mut kana = Applied::default();
        kana.set(Rule::HalfwidthKana);
        let mut kept = Applied::default();
        kept.set(Rule::UnknownDate);
        let cases: [&[(usize, Applied)]; 3] = [&[], &[(2, kana)], &[(1, kept), (2, kana)]];
        let (mut given, mut asked) = (Tally::default(), Tally::default());
        let mut asks = 0;
        for (r, changes) in cases.into_iter().enumerate() {
            let record = r as u64 + 1;
            given.write(changes, &MapEvents::default(), record, Some("k"));
            asked.write_keyed(changes, &MapEvents::default(), record, || {
                asks += 1;
                Some("k")
            });
        }
        assert_eq!(asks, 1);
        assert_eq!(asked, given);
        assert_eq!(
            asked.kept_dates[&(1, Rule::UnknownDate)]
                .first_key
                .as_deref(),
            Some("k")
        );
    }

    /// The trims of a mask per record, counted by runs, are those of an
    /// entry per trimmed item, once merged (in any split into chunks).
    #[test]
    fn spaces_trimmed_by_mask_count_as_entries_do() {
        let mut space = Applied::default();
        space.set(Rule::TrimTrailingSpace);
        let masks = [0b101u64, 0b101, 0, 0b1, 1 << 63, 0b101, 0b101, 0b10];
        let mut by_entries = Tally::default();
        for (r, &m) in masks.iter().enumerate() {
            let changes: Vec<_> = (0..64)
                .filter(|i| m & (1 << i) != 0)
                .map(|i| (i, space))
                .collect();
            by_entries.write(&changes, &MapEvents::default(), r as u64 + 1, None);
        }
        for cut in 0..=masks.len() {
            let mut total = Tally::default();
            for part in [&masks[..cut], &masks[cut..]] {
                let mut chunk = Tally::default();
                for &m in part {
                    chunk.write(&[], &MapEvents::default(), 1, None);
                    chunk.spaces_trimmed(m);
                }
                total.merge(chunk);
            }
            assert_eq!(total.rules, by_entries.rules, "cut at {cut}");
            assert_eq!(total.rules[0].get(Rule::TrimTrailingSpace), 5);
            assert_eq!(total.rules[63].get(Rule::TrimTrailingSpace), 1);
        }
    }

    #[test]
    fn merging_in_order_keeps_the_first_records() {
        let mut a = Tally::default();
        a.write(&[], &MapEvents::default(), 1, None);
        a.reject("too-long", Some("氏名"), 2, Some("k2"));
        let mut b = Tally::default();
        for r in 3..300 {
            b.reject("too-long", Some("氏名"), r, None);
        }
        b.reject("item-count", None, 301, None);
        a.merge(b);
        assert_eq!((a.read, a.written, a.rejected), (300, 1, 299));
        let r = &a.reasons[&("too-long", Some("氏名".to_string()))];
        assert_eq!(r.count, 298);
        assert_eq!(r.records.len(), RECORDS_KEPT_PER_REASON);
        let firsts: Vec<_> = r.records[..3]
            .iter()
            .map(|r| (r.record, r.line, r.key.as_deref()))
            .collect();
        assert_eq!(firsts, [(2, 2, Some("k2")), (3, 3, None), (4, 4, None)]);
        // Its reject line counts every reason: the header and 298 too-long lines come before it.
        let other = &a.reasons[&("item-count", None)].records[0];
        assert_eq!((other.record, other.line), (301, 300));
    }

    #[test]
    fn kept_dates_are_counted_per_item_with_their_first_record() {
        let mut kept = Applied::default();
        kept.set(Rule::UnknownDate);
        kept.set(Rule::WarekiToSeireki);
        let mut odd = Applied::default();
        odd.set(Rule::NonexistentDate);
        let mut a = Tally::default();
        a.write(&[(1, kept)], &MapEvents::default(), 5, Some("k5"));
        let mut b = Tally::default();
        b.write(&[(1, kept), (2, odd)], &MapEvents::default(), 9, Some("k9"));
        b.write(&[(1, kept)], &MapEvents::default(), 10, None);
        // a rejected record counts nothing
        b.reject("invalid-date", Some("d"), 11, None);
        a.merge(b);
        let u = &a.kept_dates[&(1, Rule::UnknownDate)];
        assert_eq!(
            (u.count, u.first_record, u.first_key.as_deref()),
            (3, 5, Some("k5"))
        );
        let n = &a.kept_dates[&(2, Rule::NonexistentDate)];
        assert_eq!((n.count, n.first_record), (1, 9));
        assert_eq!(a.kept_dates.len(), 2);
        assert_eq!(a.rules[1].get(Rule::UnknownDate), 3);
    }

    #[test]
    fn mappings_keep_the_first_record_across_chunks() {
        let ev = MapEvents {
            hits: vec![2, 2],
            unmapped: vec!['\u{E001}'],
            sensitive_unmapped: 0,
            ..MapEvents::default()
        };
        let mut a = Tally::default();
        a.write(&[], &MapEvents::default(), 1, None);
        let mut b = Tally::default();
        b.write(&[], &ev, 7, Some("000007"));
        let mut c = Tally::default();
        c.unmapped_in(&ev, 9, None);
        a.merge(b);
        a.merge(c);
        assert_eq!(a.mapped[2].count, 2);
        assert_eq!(
            (a.mapped[2].first_record, a.mapped[2].first_key.as_deref()),
            (7, Some("000007"))
        );
        let u = &a.unmapped[&'\u{E001}'];
        assert_eq!((u.count, u.first_record), (2, 7));
    }

    #[test]
    fn nonstandard_units_keep_their_first_record_and_sensitive_ones_none() {
        let emoji = Unit {
            base: '\u{1F600}',
            mark: None,
        };
        let ev = |item| MapEvents {
            nonstandard: vec![(item, Some(emoji)), (item, Some(emoji)), (9, None)],
            ..MapEvents::default()
        };
        let mut a = Tally::default();
        a.unmapped_in(&ev(1), 5, Some("k5"));
        let mut b = Tally::default();
        b.write(&[], &ev(1), 3, Some("k3"));
        a.merge(b);
        let s = &a.nonstandard[&(1, Some(emoji))];
        assert_eq!(
            (s.count, s.first_record, s.first_key.as_deref()),
            (4, 3, Some("k3"))
        );
        let h = &a.nonstandard[&(9, None)];
        assert_eq!(
            (h.count, h.first_record, h.first_key.as_deref()),
            (2, 0, None)
        );
    }
}
