//! `ikou reconcile`: does the new system hold what the old one did (移行結果の確認)?
//!
//! The types here are the contract between the comparison and what is written from
//! it: `reconcile.json` is [`Summary`] as JSON, `differences.csv` is [`Difference`]
//! rows, `reconcile.html` renders both.

pub mod decimal;
pub mod engine;
pub mod form;
pub mod page;
pub mod spill;

pub use engine::{Options, Outcome, Side, reconcile};

use serde::{Deserialize, Serialize};

/// What kind of difference a line of differences.csv is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Different,
    FormOnly,
    EmptyVsValue,
    OnlyOld,
    OnlyNew,
    DuplicateOld,
    DuplicateNew,
    /// A record of that side that could not be read (broken record, bad bytes).
    UnreadableOld,
    UnreadableNew,
}

impl Kind {
    /// The name in differences.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Different => "different",
            Kind::FormOnly => "form-only",
            Kind::EmptyVsValue => "empty-vs-value",
            Kind::OnlyOld => "only-old",
            Kind::OnlyNew => "only-new",
            Kind::DuplicateOld => "duplicate-old",
            Kind::DuplicateNew => "duplicate-new",
            Kind::UnreadableOld => "unreadable-old",
            Kind::UnreadableNew => "unreadable-new",
        }
    }
}

/// 件数.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub old: u64,
    pub new: u64,
    pub matched: u64,
    pub only_old: u64,
    pub only_new: u64,
    pub duplicate_old: u64,
    pub duplicate_new: u64,
    /// Records that could not be read; counted in `old`/`new`, never dropped.
    pub unreadable_old: u64,
    pub unreadable_new: u64,
}

/// Per compared item: how many matched records differ, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemCounts {
    pub item: String,
    pub different: u64,
    pub form_only: u64,
    pub empty_vs_value: u64,
    /// `form-only` per rule name (e.g. `ivs`, `mj-degenerate`, `compat`, `width`, `padding`).
    pub form_only_rules: std::collections::BTreeMap<String, u64>,
}

/// One total: overall (`group_item` None) or for one group value. Sums are decimal
/// strings so that no amount is rounded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SumEntry {
    pub item: String,
    pub group_item: Option<String>,
    pub group_value: Option<String>,
    pub old: String,
    pub new: String,
}

/// 人数 per group value: records on each side whose `group_item` has `group_value`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCount {
    pub group_item: String,
    pub group_value: String,
    pub old: u64,
    pub new: u64,
}

/// `reconcile.json` (more fields may be added beside these).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// True when nothing differs (exit 0).
    pub matches: bool,
    pub counts: Counts,
    pub items: Vec<ItemCounts>,
    pub sums: Vec<SumEntry>,
    pub groups: Vec<GroupCount>,
    /// Items only one side's layout has: listed, not compared.
    pub items_only_old: Vec<String>,
    pub items_only_new: Vec<String>,
}

/// One line of differences.csv (`key,item,kind,old,new`), with where it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The key items' values joined by `|`.
    pub key: String,
    /// Empty for a record only on one side or a duplicate key.
    pub item: String,
    pub kind: Kind,
    /// The values; empty when the item is `sensitive` or under `--no-values`.
    pub old: String,
    pub new: String,
    /// The rule that made the values equal, for `form-only`.
    pub rule: Option<String>,
    /// Record numbers (1-based, as in convert's rejects) on each side.
    pub old_record: Option<u64>,
    pub new_record: Option<u64>,
}
