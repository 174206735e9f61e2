//! Target layouts (`convert --to`): a layout whose items say where their values
//! come from, compiled against the source layout into a [`Plan`].
//!
//! Data flow: the source record's items (decoded, 外字 mapped) → [`Plan::reshape`]
//! (from / const / concat / split, then `default`, then the item's code table) →
//! the target's cleansing and checks by its types ([`crate::record`]) → written in
//! the target's item order and format ([`apply::fixed_line`] for fixed).
//!
//! Everything that can be wrong with a plan is found here, before any record is
//! read: an unknown source item, a split part out of range, a code table that
//! cannot be read. Each error names the target layout file and the item.

pub mod apply;
pub mod codes;
pub mod survey;

use crate::error::Error;
use crate::layout::{Field, FieldType, Format, Layout, LoadedLayout, Recfm, UnmappedCode};
use codes::CodeTable;
use std::path::Path;

/// The highest `split` part (1-based): an item cut into more parts than this is
/// not a name or an address but a typo in `part`.
pub const MAX_SPLIT_PART: usize = 100;

/// Where one target item's value comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A source item, by index.
    Item(usize),
    Const(Box<str>),
    /// Source items joined by the separator, empty ones (after padding) left out.
    Concat {
        items: Vec<usize>,
        separator: Box<str>,
    },
    /// Part `part` (1-based) of a source item cut at every `on`.
    Split {
        item: usize,
        on: Box<str>,
        part: usize,
    },
}

/// One target item's rule.
#[derive(Debug, Clone)]
pub struct ItemPlan {
    pub source: Source,
    pub default: Option<Box<str>>,
    /// Index into [`Plan::tables`].
    pub table: Option<usize>,
    pub unmapped: UnmappedCode,
}

/// A target layout compiled against a source layout.
#[derive(Debug, Clone)]
pub struct Plan {
    target: LoadedLayout,
    source_names: Vec<String>,
    items: Vec<ItemPlan>,
    tables: Vec<CodeTable>,
    /// Where each table's conversions start in the run's pair counts
    /// ([`apply::CodeCounts::pairs`]): table `t` line `k` is `base[t] + k`.
    base: Vec<usize>,
    /// fixed targets: item indices in offset order.
    order: Vec<usize>,
    /// Per source item: some target item is made from it.
    used: Vec<bool>,
    /// Every target item is the source item at the same position, as read (no
    /// default, no code table): reshaping copies nothing.
    identity: bool,
    /// The target items the plan makes a value for, in order, with what
    /// [`Plan::reshape`] does for each ([`apply::Op`]: the two common rules
    /// without the general rule's branches). The others are copied: nothing
    /// to do per record.
    made_ops: Vec<(usize, apply::Op)>,
    /// `made_ops` as [`apply::CodeOp`]s, when every made value is a code of a
    /// hashed table (the common plan; rebuilt by [`Plan::set_ready`]).
    code_ops: Option<Box<[apply::CodeOp]>>,
    /// Per target item, where a record's value is: the source item itself
    /// (`Op::Copy`: never copied), or the plan's k-th made value; and every
    /// table's new codes, which a record's converted values refer to.
    shape: std::sync::Arc<apply::Shape>,
    /// No value the plan itself writes (const, default, separator, new code)
    /// holds a character CSV quotes: only values taken from the source can.
    statics_plain: bool,
    /// Per pair ([`Plan::pair`]; each item has a table of its own, so a pair
    /// is one item's line): the line's new code is a finished value of the
    /// item (the target's cleansing, `--charset` and validation leave it as it
    /// is and count nothing), so a record need not check it again. Empty until
    /// [`Plan::set_ready`]; items from [`apply::READY_ITEMS`] on are always
    /// checked.
    ready: Vec<bool>,
}

/// The static checks of an item's source rule (those that need no source
/// layout), for [`Layout`]'s own checks. Err says what is wrong (the caller
/// names the item).
pub fn check_field(f: &Field) -> Result<(), String> {
    let rules = [
        f.from.is_some(),
        f.constant.is_some(),
        f.concat.is_some(),
        f.split.is_some(),
    ];
    if rules.iter().filter(|&&r| r).count() > 1 {
        return Err(
            "give at most one of from, const, concat and split (where the value comes from)".into(),
        );
    }
    if f.separator.is_some() && f.concat.is_none() {
        return Err("`separator` applies only with `concat`".into());
    }
    if let Some(c) = &f.concat
        && c.is_empty()
    {
        return Err("`concat` needs at least one source item".into());
    }
    if let Some(s) = &f.split {
        if s.on.is_empty() {
            return Err(
                "split: `on` is empty; give the text the value is cut at (e.g. \"　\")".into(),
            );
        }
        if !(1..=MAX_SPLIT_PART).contains(&s.part) {
            return Err(format!(
                "split: part {} is out of range: parts are counted from 1 (1 to {MAX_SPLIT_PART})",
                s.part
            ));
        }
    }
    if f.unmapped.is_some() && f.codes_table.is_none() {
        return Err("`unmapped` applies only with `codes_table`".into());
    }
    if f.constant.is_some() && (f.codes_table.is_some() || f.default.is_some()) {
        return Err(
            "`const` is already the value written: it takes no codes_table or default".into(),
        );
    }
    Ok(())
}

/// Loads the target layout `spec` (a path, or a bundled layout name).
pub fn load(spec: &str) -> Result<LoadedLayout, Error> {
    Ok(crate::layout::load(spec)?)
}

impl Plan {
    /// Compiles `target` against `source`, reading its code tables (paths
    /// relative to the target layout file). Err (exit 2) names the target layout
    /// file and the item.
    pub fn compile(source: &Layout, target: LoadedLayout) -> Result<Plan, Error> {
        Self::compile_with(source, target, true)
    }

    /// As [`Plan::compile`] without reading the code tables: the plan writes the
    /// values as the tables would look them up (for surveying a corpus).
    pub fn compile_sources(source: &Layout, target: LoadedLayout) -> Result<Plan, Error> {
        Self::compile_with(source, target, false)
    }

    /// The directory a target layout's code table paths are relative to (None
    /// for a bundled layout).
    pub fn table_dir(target: &LoadedLayout) -> Option<std::path::PathBuf> {
        (!target.origin.starts_with("bundled:"))
            .then(|| Path::new(&target.origin).parent().map(Path::to_path_buf))
            .flatten()
    }

    fn compile_with(source: &Layout, target: LoadedLayout, read: bool) -> Result<Plan, Error> {
        let origin = target.origin.clone();
        let err = |msg: String| Error::Config(format!("target layout {origin}: {msg}"));
        let t = &target.layout;
        Self::check_writable(t).map_err(err)?;
        let base_dir = Self::table_dir(&target);
        let index_of = |at: &str, name: &str| -> Result<usize, String> {
            source
                .fields
                .iter()
                .position(|f| f.name == name)
                .ok_or_else(|| {
                    format!(
                        "{at}: the source layout {:?} has no item {name:?}; name one of its items \
                         (ikou layouts SOURCE lists them), or give const = \"\" for an item the source does not have",
                        source.name
                    )
                })
        };
        let mut items = Vec::with_capacity(t.fields.len());
        let mut tables: Vec<CodeTable> = Vec::new();
        let mut base = Vec::new();
        let mut next = 0usize;
        for (j, f) in t.fields.iter().enumerate() {
            let at = format!("field {} ({:?})", j + 1, f.name);
            let source_rule = if let Some(c) = &f.constant {
                Source::Const(c.as_str().into())
            } else if let Some(names) = &f.concat {
                let items = names
                    .iter()
                    .map(|n| index_of(&at, n))
                    .collect::<Result<_, _>>()
                    .map_err(err)?;
                Source::Concat {
                    items,
                    separator: f.separator.as_deref().unwrap_or("").into(),
                }
            } else if let Some(s) = &f.split {
                Source::Split {
                    item: index_of(&at, &s.from).map_err(err)?,
                    on: s.on.as_str().into(),
                    part: s.part,
                }
            } else {
                Source::Item(index_of(&at, f.from.as_deref().unwrap_or(&f.name)).map_err(err)?)
            };
            let table = match &f.codes_table {
                None => None,
                Some(_) if !read => None,
                Some(rel) => {
                    let path = match &base_dir {
                        Some(dir) => dir.join(rel),
                        None => {
                            return Err(err(format!(
                                "{at}: codes_table {rel:?}: a bundled layout has no directory to \
                                 find it in; save the layout (ikou layouts NAME --toml) beside the table"
                            )));
                        }
                    };
                    let shown = path.to_string_lossy().into_owned();
                    let table =
                        codes::read(&path, &shown).map_err(|e| err(format!("{at}: {e}")))?;
                    base.push(next);
                    next = next
                        .checked_add(table.lines.len())
                        .ok_or_else(|| err(format!("{at}: too many code table lines")))?;
                    tables.push(table);
                    Some(tables.len() - 1)
                }
            };
            items.push(ItemPlan {
                source: source_rule,
                // A survey sees the values looked up: an empty one is not.
                default: f.default.as_deref().filter(|_| read).map(Into::into),
                table,
                unmapped: f.unmapped.unwrap_or_default(),
            });
        }
        let mut used = vec![false; source.fields.len()];
        for it in &items {
            match &it.source {
                Source::Item(i) | Source::Split { item: i, .. } => used[*i] = true,
                Source::Concat { items, .. } => items.iter().for_each(|&i| used[i] = true),
                Source::Const(_) => {}
            }
        }
        let identity = items.len() == source.fields.len()
            && items.iter().enumerate().all(|(j, it)| {
                matches!(it.source, Source::Item(i) if i == j)
                    && it.default.is_none()
                    && it.table.is_none()
            });
        let mut order: Vec<usize> = (0..t.fields.len()).collect();
        order.sort_by_key(|&j| t.fields[j].offset.unwrap_or(0));
        let ops: Vec<apply::Op> = items.iter().map(apply::Op::of).collect();
        let made_ops: Vec<(usize, apply::Op)> = ops
            .iter()
            .enumerate()
            .filter(|(_, op)| !matches!(op, apply::Op::Copy(_)))
            .map(|(j, &op)| (j, op))
            .collect();
        let statics_plain = items.iter().all(|it| {
            let own: Option<&str> = match &it.source {
                Source::Const(c) => Some(c),
                Source::Concat { separator, .. } => Some(separator),
                Source::Item(_) | Source::Split { .. } => None,
            };
            own.into_iter()
                .chain(it.default.as_deref())
                .all(|v| !apply::needs_quotes(v))
        }) && tables
            .iter()
            .all(|t| t.lines.iter().all(|l| !apply::needs_quotes(&l.new)));
        let mut codes = crate::items::Items::default();
        for l in tables.iter().flat_map(|t| &t.lines) {
            codes.push(&l.new);
        }
        let code_ops = apply::CodeOp::all_of(&made_ops, &tables, &base, |_| false);
        Ok(Plan {
            shape: apply::Shape::of(&ops, codes).into(),
            source_names: source.fields.iter().map(|f| f.name.clone()).collect(),
            target,
            items,
            tables,
            base,
            order,
            used,
            identity,
            code_ops,
            made_ops,
            statics_plain,
            ready: Vec::new(),
        })
    }

    /// What ikou can write: UTF-8 CSV with commas and double quotes and no
    /// header line, or fixed-length records without a record descriptor word.
    fn check_writable(t: &Layout) -> Result<(), String> {
        match t.format {
            Format::Csv if t.delimiter != "," || t.quote != "\"" || t.header => {
                return Err(
                    "ikou writes RFC 4180 CSV (comma, double quote) without a header line: \
                     leave delimiter, quote and header out of a target layout"
                        .into(),
                );
            }
            Format::Fixed if t.recfm == Some(Recfm::Vb) => {
                return Err("ikou writes fixed-length records in UTF-8, not recfm = \"vb\"".into());
            }
            _ => {}
        }
        for (j, f) in t.fields.iter().enumerate() {
            let at = format!("field {} ({:?})", j + 1, f.name);
            if f.number_length().is_some() || f.dbcs {
                return Err(format!(
                    "{at}: a target item is written as UTF-8 text; type {:?}{} describes source bytes",
                    f.kind.as_str(),
                    if f.dbcs { " with dbcs" } else { "" }
                ));
            }
            if f.kind == FieldType::Code
                && let Some(d) = &f.default
                && !f.codes.contains(d)
            {
                return Err(format!(
                    "{at}: default {d:?} is not one of its codes ({})",
                    f.codes.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The target layout.
    pub fn layout(&self) -> &Layout {
        &self.target.layout
    }

    pub fn loaded(&self) -> &LoadedLayout {
        &self.target
    }

    pub fn items(&self) -> &[ItemPlan] {
        &self.items
    }

    pub fn tables(&self) -> &[CodeTable] {
        &self.tables
    }

    /// Number of (table, line) pairs: the length of a run's pair counts.
    pub fn pair_count(&self) -> usize {
        self.base
            .last()
            .zip(self.tables.last())
            .map_or(0, |(b, t)| b + t.lines.len())
    }

    /// Checks each code table's new codes once for the run: `finished(target,
    /// j, v)` says whether value `v` of target item `j` comes out of the target's
    /// processing as it went in, with nothing counted or rejected (see
    /// `ready`). A record whose new code is finished skips that processing.
    pub fn set_ready(&mut self, finished: impl Fn(&Layout, usize, &str) -> bool) {
        let target = &self.target.layout;
        let mut ready = vec![false; self.pair_count()];
        for (j, it) in self.items.iter().enumerate().take(apply::READY_ITEMS) {
            if let Some(t) = it.table {
                for (k, l) in self.tables[t].lines.iter().enumerate() {
                    ready[self.base[t] + k] = finished(target, j, &l.new);
                }
            }
        }
        self.ready = ready;
        self.code_ops = apply::CodeOp::all_of(&self.made_ops, &self.tables, &self.base, |p| {
            self.is_ready(p)
        });
    }

    /// The source item target item `j` is, as read (`from` or the same name,
    /// no rule): a record's value is that item itself.
    #[inline]
    pub(crate) fn copied_from(&self, j: usize) -> Option<usize> {
        self.shape.source(j)
    }

    /// Pair `p` ([`Plan::pair`]) gives a finished value of its item (see `ready`).
    #[inline(always)]
    pub(crate) fn is_ready(&self, p: usize) -> bool {
        self.ready.get(p).is_some_and(|&r| r)
    }

    /// The pair index of table `t`, line `k`.
    #[inline]
    pub fn pair(&self, t: usize, k: u32) -> usize {
        self.base[t] + k as usize
    }

    /// The source item a target item's value is read from, when it is one item
    /// (for saying where a rejected value was in the record).
    pub fn source_item(&self, target_item: &str) -> Option<&str> {
        let j = self
            .layout()
            .fields
            .iter()
            .position(|f| f.name == target_item)?;
        match &self.items[j].source {
            Source::Item(i) | Source::Split { item: i, .. } => {
                self.source_names.get(*i).map(String::as_str)
            }
            _ => None,
        }
    }

    /// Marks `sensitive` each item of `source` (the layout the plan was compiled
    /// against) that a sensitive target item is made from, so that nothing the
    /// source stages report (reject content, 外字 events) shows its value.
    pub fn hide_sources(&self, source: &mut Layout) {
        for (j, it) in self.items.iter().enumerate() {
            if !self.layout().fields[j].sensitive {
                continue;
            }
            let from: &[usize] = match &it.source {
                Source::Item(i) | Source::Split { item: i, .. } => std::slice::from_ref(i),
                Source::Concat { items, .. } => items,
                Source::Const(_) => &[],
            };
            for &i in from {
                if let Some(f) = source.fields.get_mut(i) {
                    f.sensitive = true;
                    // A sensitive item is never shown, so it cannot locate a record.
                    f.key = false;
                }
            }
        }
    }

    /// Every target item is the source item at its position, unchanged: the
    /// source items are the target items (see [`Plan`]'s `identity`).
    pub fn is_identity(&self) -> bool {
        self.identity
    }

    /// Whether some target item is made from source item `i` (an item no target
    /// item takes is not mapped: its 外字 cannot reach the output).
    #[inline]
    pub fn uses(&self, i: usize) -> bool {
        self.used.get(i).copied().unwrap_or(false)
    }

    /// The source items' names (for describing a plan).
    pub fn source_names(&self) -> &[String] {
        &self.source_names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"
name = "vendor"
format = "csv"
[[fields]]
name = "番号"
[[fields]]
name = "氏"
[[fields]]
name = "名"
[[fields]]
name = "氏名"
[[fields]]
name = "性別CD"
"#;

    fn loaded(text: &str) -> LoadedLayout {
        LoadedLayout::parse(text.as_bytes().to_vec(), "t.toml", "t.toml".into()).unwrap()
    }

    fn compile(target: &str) -> Result<Plan, String> {
        let source = crate::layout::parse(SOURCE.as_bytes(), "s.toml").unwrap();
        Plan::compile(&source, loaded(target)).map_err(|e| e.to_string())
    }

    #[test]
    fn compiles_each_kind_of_rule() {
        let p = compile(
            r#"
name = "t"
format = "csv"
[[fields]]
name = "番号"
[[fields]]
name = "氏名"
concat = ["氏", "名"]
separator = "　"
[[fields]]
name = "名だけ"
split = { from = "氏名", on = "　", part = 2 }
[[fields]]
name = "区分"
const = "1"
[[fields]]
name = "性"
from = "性別CD"
default = "9"
"#,
        )
        .unwrap();
        assert!(matches!(p.items[0].source, Source::Item(0)));
        assert!(matches!(&p.items[1].source, Source::Concat { items, .. } if items == &[1, 2]));
        assert!(matches!(
            p.items[2].source,
            Source::Split {
                item: 3,
                part: 2,
                ..
            }
        ));
        assert!(matches!(p.items[3].source, Source::Const(_)));
        assert!(matches!(p.items[4].source, Source::Item(4)));
        assert_eq!(p.source_item("性"), Some("性別CD"));
        assert_eq!(p.source_item("氏名"), None);
    }

    #[test]
    fn refuses_unknown_source_items_naming_layout_and_item() {
        let e = compile("name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"生年月日\"\n")
            .unwrap_err();
        assert!(
            e.contains("t.toml") && e.contains("生年月日") && e.contains("field 1"),
            "{e}"
        );
        let e = compile(
            "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"x\"\nconcat = [\"氏\", \"ミドル\"]\n",
        )
        .unwrap_err();
        assert!(e.contains("ミドル") && e.contains("\"x\""), "{e}");
    }

    #[test]
    fn refuses_bad_rules_in_the_layout_itself() {
        for (rule, want) in [
            (
                "split = { from = \"氏名\", on = \"　\", part = 0 }",
                "part 0",
            ),
            (
                "split = { from = \"氏名\", on = \"　\", part = 101 }",
                "part 101",
            ),
            (
                "split = { from = \"氏名\", on = \"\", part = 1 }",
                "`on` is empty",
            ),
            ("from = \"氏\"\nconst = \"a\"", "at most one"),
            ("separator = \"-\"", "separator"),
            ("unmapped = \"keep\"", "codes_table"),
            ("const = \"1\"\ndefault = \"2\"", "const"),
        ] {
            let text =
                format!("name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"x\"\n{rule}\n");
            let e = crate::layout::parse(text.as_bytes(), "t.toml")
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("t.toml") && e.contains("\"x\"") && e.contains(want),
                "{rule}: {e}"
            );
        }
    }

    #[test]
    fn refuses_unreadable_tables_and_unwritable_targets() {
        let e = compile(
            "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"番号\"\ncodes_table = \"no/such.tsv\"\n",
        )
        .unwrap_err();
        assert!(
            e.contains("t.toml") && e.contains("番号") && e.contains("no/such.tsv"),
            "{e}"
        );
        let e = compile(
            "name = \"t\"\nformat = \"csv\"\ndelimiter = \"\\t\"\n[[fields]]\nname = \"番号\"\n",
        )
        .unwrap_err();
        assert!(e.contains("RFC 4180"), "{e}");
        let e = compile(
            "name = \"t\"\nformat = \"fixed\"\nrecord_length = 4\n[[fields]]\nname = \"番号\"\ntype = \"packed\"\ndigits = 5\noffset = 0\n",
        )
        .unwrap_err();
        assert!(e.contains("\"番号\"") && e.contains("packed"), "{e}");
    }
}
