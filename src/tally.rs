//! Tally: what happened to the records of one file, counted per chunk and merged
//! in input order (so the totals, and every "first record", are the same for any
//! number of jobs).

use crate::cleanse::{Applied, RuleCounts};
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
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReasonTally {
    pub count: u64,
    /// The first record numbers with this reason, ascending.
    pub records: Vec<u64>,
}

impl Tally {
    pub fn reject(&mut self, code: &'static str, item: Option<&str>, record: u64) {
        self.read += 1;
        self.rejected += 1;
        let r = self
            .reasons
            .entry((code, item.map(String::from)))
            .or_default();
        r.count += 1;
        if r.records.len() < RECORDS_KEPT_PER_REASON {
            r.records.push(record);
        }
    }

    /// Counts a written record and the cleansing changes made to it.
    pub fn write(&mut self, changes: &[(usize, Applied)]) {
        self.read += 1;
        self.written += 1;
        for &(item, applied) in changes {
            self.rule_counts(item).add_applied(applied);
        }
    }

    fn rule_counts(&mut self, item: usize) -> &mut RuleCounts {
        if self.rules.len() <= item {
            self.rules.resize(item + 1, RuleCounts::new());
        }
        &mut self.rules[item]
    }

    /// Adds a later chunk's tally.
    pub fn merge(&mut self, later: Tally) {
        self.read += later.read;
        self.written += later.written;
        self.rejected += later.rejected;
        self.header += later.header;
        self.blank += later.blank;
        for (k, v) in later.reasons {
            let r = self.reasons.entry(k).or_default();
            r.count += v.count;
            let room = RECORDS_KEPT_PER_REASON.saturating_sub(r.records.len());
            r.records.extend(v.records.into_iter().take(room));
        }
        for (item, counts) in later.rules.iter().enumerate() {
            if !counts.is_empty() {
                self.rule_counts(item).merge(counts);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_in_order_keeps_the_first_records() {
        let mut a = Tally::default();
        a.write(&[]);
        a.reject("too-long", Some("氏名"), 2);
        let mut b = Tally::default();
        for r in 3..300 {
            b.reject("too-long", Some("氏名"), r);
        }
        b.reject("item-count", None, 301);
        a.merge(b);
        assert_eq!((a.read, a.written, a.rejected), (300, 1, 299));
        let r = &a.reasons[&("too-long", Some("氏名".to_string()))];
        assert_eq!(r.count, 298);
        assert_eq!(r.records.len(), RECORDS_KEPT_PER_REASON);
        assert_eq!(r.records[..3], [2, 3, 4]);
    }
}
