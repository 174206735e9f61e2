//! The comparison, start to finish: resolve the items ([`Plan`]), read each side
//! as `convert` reads it into key partitions on disk ([`read_side`]), join the
//! partitions one by one ([`join_partition`]), then merge their sorted
//! differences into differences.csv and publish with the manifest last.
//!
//! Memory is bounded by one partition per worker, never by the inputs: the number
//! of partitions is chosen from the input sizes ([`partitions_for`]). Outputs
//! depend neither on `--jobs` nor on the number of partitions: every difference is
//! sorted by (key, item, kind, record) before it is written.

use super::decimal::Decimal;
use super::form::{self, Outcome as Compared};
use super::spill::{self, Cursor, TempFile};
use super::{Counts, Difference, GroupCount, ItemCounts, Kind, SumEntry, Summary};
use crate::decode::Encoding;
use crate::error::Error;
use crate::gaiji::{MapOptions, Mapper, TableSource, UnmappedPolicy};
use crate::layout::{FieldType, Layout, LoadedLayout};
use crate::manifest::{self, FileEntry, Manifest, TableEntry};
use crate::outdir::OutDir;
use crate::output::{self, PendingFile};
use crate::parallel::Workers;
use crate::record::{RecordProcessor, Scratch};
use crate::split::{Chunk, SplitConfig};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// differences.csv.
pub const DIFFERENCES: &str = "differences.csv";
/// reconcile.json.
pub const SUMMARY: &str = "reconcile.json";
/// reconcile.html.
pub const PAGE: &str = "reconcile.html";
/// The header of differences.csv: the five columns, then where each
/// difference is (the rule of a form-only line and the record on each side).
pub const HEADER: [&str; 8] = [
    "key",
    "item",
    "kind",
    "old",
    "new",
    "rule",
    "old_record",
    "new_record",
];
/// Examples per item and kind handed to the page (it shows 100; the CSV has all).
pub const PAGE_EXAMPLES: usize = 100;
/// Most partitions (two files each are open while a side is read).
pub const MAX_PARTITIONS: usize = 256;
/// What the join of all partitions in flight may hold (see [`partitions_for`]).
pub const JOIN_BUDGET: u64 = 512 << 20;
/// Most distinct values of all `--group` items together (each is kept in memory).
pub const MAX_GROUP_VALUES: usize = 1_000_000;

/// One side: its files, how to read them.
pub struct Side {
    pub files: Vec<PathBuf>,
    pub layout: LoadedLayout,
    pub encoding: Encoding,
    /// 外字 tables (the old side's; the new system's export is standard text).
    pub gaiji: Vec<PathBuf>,
}

/// Everything `reconcile` needs.
pub struct Options {
    pub old: Side,
    pub new: Side,
    /// Key items (names on the old side, or the new names of `--map`); empty: the
    /// layouts' `key = true` items.
    pub key: Vec<String>,
    /// `--map OLD=NEW`.
    pub map: Vec<(String, String)>,
    pub sum: Vec<String>,
    pub group: Vec<String>,
    /// `--ivs` (and the rest of the map stage) for both sides.
    pub map_options: MapOptions,
    /// Blank every value in the outputs (kind and key only).
    pub no_values: bool,
    pub out_dir: PathBuf,
    pub jobs: usize,
    pub force: bool,
    pub chunk_bytes: usize,
    pub max_record: usize,
    pub skip_encoding_check: bool,
    /// Fixed number of partitions (tests); None: from the input sizes.
    pub partitions: Option<usize>,
}

/// A finished run.
#[derive(Debug)]
pub struct Outcome {
    pub summary: Summary,
    /// Lines in differences.csv (without the header).
    pub differences: u64,
    pub partitions: usize,
    pub warnings: Vec<String>,
}

impl Outcome {
    /// 0: everything matches; 1: differences (CONTRACT.md).
    pub fn exit_code(&self) -> u8 {
        if self.summary.matches { 0 } else { 1 }
    }
}

// ---------------------------------------------------------------- plan

/// An item on both sides.
#[derive(Debug, Clone)]
struct Slot {
    name: String,
    old: usize,
    new: usize,
    sensitive: bool,
}

#[derive(Debug)]
struct Plan {
    keys: Vec<Slot>,
    items: Vec<Slot>,
    sums: Vec<Slot>,
    groups: Vec<Slot>,
    items_only_old: Vec<String>,
    items_only_new: Vec<String>,
}

fn usage(msg: String) -> Error {
    Error::Usage(msg)
}

fn names(layout: &Layout) -> String {
    layout
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Plan {
    fn new(opts: &Options) -> Result<Plan, Error> {
        let (old, new) = (&opts.old.layout.layout, &opts.new.layout.layout);
        let (old_origin, new_origin) = (&opts.old.layout.origin, &opts.new.layout.origin);
        let pos = |l: &Layout, n: &str| l.fields.iter().position(|f| f.name == n);
        let mut map: BTreeMap<&str, &str> = BTreeMap::new();
        for (o, n) in &opts.map {
            if pos(old, o).is_none() {
                return Err(usage(format!(
                    "--map {o}={n}: the old layout {old_origin} has no item {o} (its items: {})",
                    names(old)
                )));
            }
            if pos(new, n).is_none() {
                return Err(usage(format!(
                    "--map {o}={n}: the new layout {new_origin} has no item {n} (its items: {})",
                    names(new)
                )));
            }
            if map.insert(o, n).is_some() {
                return Err(usage(format!(
                    "--map {o}=…: given twice; map each old item once"
                )));
            }
        }
        if let Some((n, _)) = {
            let mut seen = BTreeMap::new();
            map.values()
                .find_map(|n| seen.insert(*n, ()).map(|_| (*n, ())))
        } {
            return Err(usage(format!(
                "--map: two old items are mapped to the new item {n}; map one item to each"
            )));
        }
        let new_name = |o: &str| map.get(o).copied().unwrap_or(o).to_string();
        let slot = |oi: usize, flag: &str, given: &str| -> Result<Slot, Error> {
            let o = &old.fields[oi];
            let nn = new_name(&o.name);
            let ni = pos(new, &nn).ok_or_else(|| {
                usage(format!(
                    "{flag} {given}: the new layout {new_origin} has no item {nn}; if it has another name there, add --map {}=NEW_NAME (its items: {})",
                    o.name,
                    names(new)
                ))
            })?;
            Ok(Slot {
                name: o.name.clone(),
                old: oi,
                new: ni,
                sensitive: o.sensitive || new.fields[ni].sensitive,
            })
        };
        // A name given on the command line: an old item, or the new name of a --map.
        let find = |flag: &str, given: &str| -> Result<Slot, Error> {
            let oi = pos(old, given)
                .or_else(|| {
                    map.iter()
                        .find(|(_, n)| **n == given)
                        .and_then(|(o, _)| pos(old, o))
                })
                .ok_or_else(|| {
                    usage(format!(
                        "{flag} {given}: no such item in the old layout {old_origin} (its items: {})",
                        names(old)
                    ))
                })?;
            slot(oi, flag, given)
        };
        let keys: Vec<Slot> = if opts.key.is_empty() {
            let marked: Vec<usize> = (0..old.fields.len())
                .filter(|&i| old.fields[i].key)
                .collect();
            if marked.is_empty() {
                return Err(usage(format!(
                    "no key: the old layout {old_origin} marks no item key = true; give --key ITEM[,ITEM] (e.g. --key 宛名番号)"
                )));
            }
            marked
                .into_iter()
                .map(|i| slot(i, "key", &old.fields[i].name))
                .collect::<Result<_, _>>()?
        } else {
            opts.key
                .iter()
                .map(|k| find("--key", k))
                .collect::<Result<_, _>>()?
        };
        for k in &keys {
            if k.sensitive {
                return Err(usage(format!(
                    "--key {}: the item is sensitive, and key values are written in differences.csv; choose another key",
                    k.name
                )));
            }
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(k) = keys.iter().find(|k| !seen.insert(k.old)) {
            return Err(usage(format!("--key {}: given twice", k.name)));
        }
        let mut items = Vec::new();
        let mut items_only_old = Vec::new();
        for (i, f) in old.fields.iter().enumerate() {
            if keys.iter().any(|k| k.old == i) {
                continue;
            }
            match pos(new, &new_name(&f.name)) {
                Some(_) => items.push(slot(i, "item", &f.name)?),
                None => items_only_old.push(f.name.clone()),
            }
        }
        let items_only_new = new
            .fields
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                !keys.iter().any(|k| k.new == *i) && !items.iter().any(|s| s.new == *i)
            })
            .map(|(_, f)| f.name.clone())
            .collect();
        let numeric = |t: FieldType| {
            matches!(
                t,
                FieldType::Number
                    | FieldType::Packed
                    | FieldType::Zoned
                    | FieldType::Digits
                    | FieldType::Binary
            )
        };
        let mut sums = Vec::new();
        for s in &opts.sum {
            let slot = find("--sum", s)?;
            for (side, l, i) in [("old", old, slot.old), ("new", new, slot.new)] {
                let t = l.fields[i].kind;
                if !numeric(t) {
                    return Err(usage(format!(
                        "--sum {s}: the item is of type {} in the {side} layout; only number, packed, zoned, binary and digits items are summed",
                        t.as_str()
                    )));
                }
            }
            if slot.sensitive {
                return Err(usage(format!(
                    "--sum {s}: the item is sensitive; its total is not shown"
                )));
            }
            sums.push(slot);
        }
        let mut groups = Vec::new();
        for g in &opts.group {
            let slot = find("--group", g)?;
            if slot.sensitive {
                return Err(usage(format!(
                    "--group {g}: the item is sensitive, and group values are shown; choose another item"
                )));
            }
            groups.push(slot);
        }
        Ok(Plan {
            keys,
            items,
            sums,
            groups,
            items_only_old,
            items_only_new,
        })
    }

    /// The field index of each stored value on one side: keys, then items.
    fn columns(&self, old: bool) -> Vec<usize> {
        self.keys
            .iter()
            .chain(&self.items)
            .map(|s| if old { s.old } else { s.new })
            .collect()
    }
}

// ---------------------------------------------------------------- partitions

/// Partitions for `bytes` of input on both sides: each partition's join holds
/// about three times its share of the spilled records (the records, their index
/// and its differences), spilled records being at most twice the input (UTF-8
/// from double-byte text, plus framing); `jobs` partitions are joined at once.
/// So `P = next_power_of_two(ceil(6 × bytes × jobs / JOIN_BUDGET))`, 1 to
/// [`MAX_PARTITIONS`]: 10 M × 10 M records of 150 bytes (3 GB) with 2 jobs is 128
/// partitions of about 12 MB a side.
pub fn partitions_for(bytes: u64, jobs: usize) -> usize {
    let need = bytes
        .saturating_mul(6)
        .saturating_mul(jobs as u64)
        .div_ceil(JOIN_BUDGET)
        .max(1);
    let p = usize::try_from(need)
        .unwrap_or(MAX_PARTITIONS)
        .min(MAX_PARTITIONS);
    p.next_power_of_two().min(MAX_PARTITIONS)
}

/// Partitions joined at once: `jobs`, fewer when that many partitions would hold
/// more than [`JOIN_BUDGET`] together by the model of [`partitions_for`] (at most
/// [`MAX_PARTITIONS`] partitions cannot always divide very large inputs finely
/// enough for many jobs).
pub fn join_threads(bytes: u64, partitions: usize, jobs: usize) -> usize {
    let each = bytes.saturating_mul(6) / partitions.max(1) as u64;
    let fit = JOIN_BUDGET / each.max(1);
    usize::try_from(fit)
        .unwrap_or(usize::MAX)
        .clamp(1, jobs.max(1))
}

fn partition_of(key: &[u8], n: usize) -> usize {
    (spill::hash(key) % n as u64) as usize
}

// ---------------------------------------------------------------- reading

#[derive(Debug, Default, Clone)]
struct GroupAcc {
    count: u64,
    sums: Vec<Decimal>,
}

/// What reading one side found besides its records.
#[derive(Debug, Default)]
struct Tally {
    records: u64,
    unreadable: u64,
    totals: Vec<Decimal>,
    /// (group index, value) → count and sums.
    groups: BTreeMap<(usize, String), GroupAcc>,
}

impl Tally {
    fn new(sums: usize) -> Tally {
        Tally {
            totals: vec![Decimal::default(); sums],
            ..Tally::default()
        }
    }

    fn merge(&mut self, o: Tally) -> Result<(), String> {
        self.records += o.records;
        self.unreadable += o.unreadable;
        for (t, v) in self.totals.iter_mut().zip(o.totals) {
            *t = t.checked_add(v).map_err(|e| format!("a total {e}"))?;
        }
        for (k, g) in o.groups {
            let e = self.groups.entry(k).or_insert_with(|| GroupAcc {
                count: 0,
                sums: vec![Decimal::default(); g.sums.len()],
            });
            e.count += g.count;
            for (t, v) in e.sums.iter_mut().zip(g.sums) {
                *t = t.checked_add(v).map_err(|e| format!("a group total {e}"))?;
            }
        }
        if self.groups.len() > MAX_GROUP_VALUES {
            return Err(format!(
                "the --group items have more than {MAX_GROUP_VALUES} distinct values; group by an item with fewer values (地区コード, 性別, …)"
            ));
        }
        Ok(())
    }
}

/// One chunk's records, by partition, and its unreadable records.
struct ChunkOut {
    parts: Vec<Vec<u8>>,
    unreadable: Vec<u8>,
    tally: Tally,
    /// A value that cannot be summed: the run stops (message for the user).
    stop: Option<String>,
}

/// How one side is read.
struct Reader<'a> {
    old: bool,
    plan: &'a Plan,
    processor: RecordProcessor,
    columns: Vec<usize>,
    sum_cols: Vec<usize>,
    group_cols: Vec<usize>,
    nparts: usize,
    no_values: bool,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The unreadable records of a side, as differences (key empty: they sort first,
/// in input order).
fn unreadable_diff(old: bool, file: u32, record: u64, reason: String) -> Diff {
    let loc = Some((file, record));
    Diff {
        key: Vec::new(),
        item: 0,
        kind: if old {
            Kind::UnreadableOld
        } else {
            Kind::UnreadableNew
        },
        old_loc: if old { loc } else { None },
        new_loc: if old { None } else { loc },
        old: if old { reason.clone() } else { String::new() },
        new: if old { String::new() } else { reason },
        rule: None,
    }
}

impl Reader<'_> {
    fn chunk(&self, file: u32, chunk: &Chunk, s: &mut Scratch) -> ChunkOut {
        let mut out = ChunkOut {
            parts: vec![Vec::new(); self.nparts],
            unreadable: Vec::new(),
            tally: Tally::new(self.sum_cols.len()),
            stop: None,
        };
        let header = self.processor.layout().header;
        let nkeys = self.plan.keys.len();
        let mut body = Vec::new();
        for (k, span) in chunk.records.iter().enumerate() {
            let record = chunk.first_record + k as u64;
            let raw = &chunk.data[span.start..span.end];
            if chunk.is_header(header, k) || (raw.is_empty() && span.flaw.is_none()) {
                continue;
            }
            match self.processor.process(raw, span.flaw, s) {
                Ok(()) => {
                    out.tally.records += 1;
                    let items = s.written();
                    body.clear();
                    spill::put_u32(&mut body, file);
                    spill::put_u64(&mut body, record);
                    let key_start = body.len();
                    let mut bad = None;
                    for &c in &self.columns {
                        if let Err(e) = spill::put_str(&mut body, items.get(c)) {
                            bad = Some(e);
                        }
                    }
                    if let Some(e) = bad {
                        out.stop = Some(format!("record {record}: {e}"));
                        return out;
                    }
                    let mut key_end = key_start;
                    for &c in &self.columns[..nkeys] {
                        key_end += 4 + items.get(c).len();
                    }
                    let p = partition_of(&body[key_start..key_end], self.nparts);
                    if let Err(e) = spill::put_frame(&mut out.parts[p], &body) {
                        out.stop = Some(format!("record {record}: {e}"));
                        return out;
                    }
                    if let Err(e) = self.add(&mut out.tally, items) {
                        let offset = chunk.offset + span.start as u64;
                        out.stop = Some(format!("record {record} (byte offset {offset}): {e}"));
                        return out;
                    }
                }
                Err(r) => {
                    out.tally.unreadable += 1;
                    let offset = chunk.offset + span.start as u64;
                    let reason = if self.no_values {
                        format!("byte offset {offset}: {}", r.code)
                    } else {
                        format!("byte offset {offset}: {}: {}", r.code, r.message)
                    };
                    let d = unreadable_diff(self.old, file, record, reason);
                    if let Err(e) = d.encode(&mut out.unreadable) {
                        out.stop = Some(format!("record {record}: {e}"));
                        return out;
                    }
                }
            }
        }
        out
    }

    /// Adds a readable record's amounts and group values.
    fn add(&self, t: &mut Tally, items: crate::target::apply::Written<'_>) -> Result<(), String> {
        let mut amounts = Vec::with_capacity(self.sum_cols.len());
        for (slot, &c) in self.plan.sums.iter().zip(&self.sum_cols) {
            let v = items.get(c);
            let d = Decimal::parse(v)
                .map_err(|e| format!("the value of {} {e}", slot.name))?
                .unwrap_or_default();
            amounts.push(d);
        }
        for (tot, d) in t.totals.iter_mut().zip(&amounts) {
            *tot = tot.checked_add(*d).map_err(|e| format!("a total {e}"))?;
        }
        for (g, &c) in self.group_cols.iter().enumerate() {
            let e = t
                .groups
                .entry((g, items.get(c).to_string()))
                .or_insert_with(|| GroupAcc {
                    count: 0,
                    sums: vec![Decimal::default(); amounts.len()],
                });
            e.count += 1;
            for (tot, d) in e.sums.iter_mut().zip(&amounts) {
                *tot = tot
                    .checked_add(*d)
                    .map_err(|e| format!("a group total {e}"))?;
            }
        }
        Ok(())
    }
}

/// One input as read (for the manifest).
#[derive(Debug, Clone)]
struct InputRead {
    path: String,
    sha256: String,
    bytes: u64,
    records: u64,
    unreadable: u64,
}

struct SideRead {
    parts: Vec<TempFile>,
    unreadable: TempFile,
    tally: Tally,
    inputs: Vec<InputRead>,
}

fn mapper_for(side: &Side, opts: &MapOptions) -> Result<Mapper, Error> {
    let sources = TableSource::read_all(&side.gaiji)?;
    Mapper::new(&sources, side.encoding, *opts).map_err(|e| Error::Config(e.to_string()))
}

fn read_side(
    opts: &Options,
    plan: &Plan,
    old: bool,
    processor: RecordProcessor,
    workers: &Workers,
    nparts: usize,
) -> Result<SideRead, Error> {
    let side = if old { &opts.old } else { &opts.new };
    let tag = if old { "old" } else { "new" };
    let tmp_err = |p: &Path| {
        Error::io(
            p,
            "cannot write a temporary file in --out; the disk may be full",
        )
    };
    let mut parts = Vec::with_capacity(nparts);
    for p in 0..nparts {
        parts.push(
            TempFile::create(&opts.out_dir, &format!("{tag}-{p}")).map_err(Error::io(
                &opts.out_dir,
                "cannot create a temporary file in --out",
            ))?,
        );
    }
    let mut unreadable = TempFile::create(&opts.out_dir, &format!("{tag}-unreadable")).map_err(
        Error::io(&opts.out_dir, "cannot create a temporary file in --out"),
    )?;
    let reader = Reader {
        old,
        plan,
        columns: plan.columns(old),
        sum_cols: plan
            .sums
            .iter()
            .map(|s| if old { s.old } else { s.new })
            .collect(),
        group_cols: plan
            .groups
            .iter()
            .map(|s| if old { s.old } else { s.new })
            .collect(),
        processor,
        nparts,
        no_values: opts.no_values,
    };
    let cfg = SplitConfig::new(
        side.layout.layout.framing(),
        side.encoding,
        opts.chunk_bytes,
        opts.max_record,
    )?;
    let mut tally = Tally::new(plan.sums.len());
    let mut inputs = Vec::new();
    for (f, path) in side.files.iter().enumerate() {
        let file = u32::try_from(f).map_err(|_| usage("too many input files".into()))?;
        let mut t = Tally::new(plan.sums.len());
        let info = workers.run_file(
            path,
            cfg,
            |c: &Chunk| SCRATCH.with_borrow_mut(|s| reader.chunk(file, c, s)),
            |c: ChunkOut| -> Result<(), Error> {
                if let Some(why) = c.stop {
                    return Err(Error::input(
                        path,
                        format!("{why}. Nothing was published; check the layout's item types"),
                    ));
                }
                for (p, bytes) in c.parts.iter().enumerate() {
                    if !bytes.is_empty() {
                        parts[p]
                            .write_all(bytes)
                            .map_err(|e| tmp_err(parts[p].path())(e))?;
                    }
                }
                unreadable
                    .write_all(&c.unreadable)
                    .map_err(|e| tmp_err(unreadable.path())(e))?;
                t.merge(c.tally).map_err(|e| Error::input(path, e))
            },
        )?;
        inputs.push(InputRead {
            path: path.to_string_lossy().into_owned(),
            sha256: output::hex(&info.sha256),
            bytes: info.bytes,
            records: t.records + t.unreadable,
            unreadable: t.unreadable,
        });
        tally.merge(t).map_err(|e| Error::input(path, e))?;
    }
    Ok(SideRead {
        parts,
        unreadable,
        tally,
        inputs,
    })
}

// ---------------------------------------------------------------- differences

/// One difference as sorted and spilled: the derived order is the order of
/// differences.csv (key, item, kind, old record, new record).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Diff {
    key: Vec<String>,
    /// 0: the record (only-old, duplicates, unreadable); n: the n-th compared item.
    item: u32,
    kind: Kind,
    old_loc: Option<(u32, u64)>,
    new_loc: Option<(u32, u64)>,
    old: String,
    new: String,
    rule: Option<String>,
}

const KINDS: [Kind; 9] = [
    Kind::Different,
    Kind::FormOnly,
    Kind::EmptyVsValue,
    Kind::OnlyOld,
    Kind::OnlyNew,
    Kind::DuplicateOld,
    Kind::DuplicateNew,
    Kind::UnreadableOld,
    Kind::UnreadableNew,
];

fn put_loc(b: &mut Vec<u8>, loc: Option<(u32, u64)>) {
    match loc {
        Some((f, r)) => {
            spill::put_u8(b, 1);
            spill::put_u32(b, f);
            spill::put_u64(b, r);
        }
        None => spill::put_u8(b, 0),
    }
}

fn get_loc(c: &mut Cursor) -> std::io::Result<Option<(u32, u64)>> {
    Ok(match c.u8()? {
        0 => None,
        _ => Some((c.u32()?, c.u64()?)),
    })
}

impl Diff {
    /// Appends the diff as one frame.
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), String> {
        let mut b = Vec::new();
        spill::put_u32(&mut b, self.key.len() as u32);
        for k in &self.key {
            spill::put_str(&mut b, k)?;
        }
        spill::put_u32(&mut b, self.item);
        let kind = KINDS.iter().position(|k| *k == self.kind).unwrap_or(0) as u8;
        spill::put_u8(&mut b, kind);
        put_loc(&mut b, self.old_loc);
        put_loc(&mut b, self.new_loc);
        spill::put_str(&mut b, &self.old)?;
        spill::put_str(&mut b, &self.new)?;
        match &self.rule {
            Some(r) => {
                spill::put_u8(&mut b, 1);
                spill::put_str(&mut b, r)?;
            }
            None => spill::put_u8(&mut b, 0),
        }
        spill::put_frame(out, &b)
    }

    fn decode(b: &[u8]) -> std::io::Result<Diff> {
        let mut c = Cursor::new(b);
        let n = c.u32()?;
        let mut key = Vec::new();
        for _ in 0..n {
            key.push(c.str()?.to_string());
        }
        let item = c.u32()?;
        let kind = *KINDS.get(c.u8()? as usize).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, "damaged temporary file")
        })?;
        let old_loc = get_loc(&mut c)?;
        let new_loc = get_loc(&mut c)?;
        let old = c.str()?.to_string();
        let new = c.str()?.to_string();
        let rule = match c.u8()? {
            0 => None,
            _ => Some(c.str()?.to_string()),
        };
        Ok(Diff {
            key,
            item,
            kind,
            old_loc,
            new_loc,
            old,
            new,
            rule,
        })
    }
}

// ---------------------------------------------------------------- join

/// A partition's counts.
#[derive(Debug, Default)]
struct PartCounts {
    matched: u64,
    only_old: u64,
    only_new: u64,
    duplicate_old: u64,
    duplicate_new: u64,
    /// Per compared item: different, form-only, empty-vs-value, rules.
    items: Vec<ItemCounts>,
}

struct Rec<'a> {
    file: u32,
    record: u64,
    key: &'a [u8],
    rest: &'a [u8],
}

fn parse_records(buf: &[u8], nkeys: usize) -> std::io::Result<Vec<Rec<'_>>> {
    let mut out = Vec::new();
    let mut c = Cursor::new(buf);
    while !c.at_end() {
        let n = c.u32()? as usize;
        let body = c.bytes(n)?;
        let mut r = Cursor::new(body);
        let file = r.u32()?;
        let record = r.u64()?;
        let ks = r.pos;
        for _ in 0..nkeys {
            r.str()?;
        }
        let key = &body[ks..r.pos];
        out.push(Rec {
            file,
            record,
            key,
            rest: &body[r.pos..],
        });
    }
    Ok(out)
}

fn strings(b: &[u8], n: usize) -> std::io::Result<Vec<&str>> {
    let mut c = Cursor::new(b);
    (0..n).map(|_| c.str()).collect()
}

/// Joins one partition: every key's records on both sides; the differences,
/// sorted, into a temporary file.
fn join_partition(
    plan: &Plan,
    no_values: bool,
    old: &mut TempFile,
    new: &mut TempFile,
    out: &mut TempFile,
) -> std::io::Result<PartCounts> {
    let (ob, nb) = (old.read_all()?, new.read_all()?);
    let nkeys = plan.keys.len();
    let (orecs, nrecs) = (parse_records(&ob, nkeys)?, parse_records(&nb, nkeys)?);
    // (key, side, index): equal keys side by side, each side in input order.
    let mut all: Vec<(&[u8], u8, u32)> = Vec::with_capacity(orecs.len() + nrecs.len());
    all.extend(orecs.iter().enumerate().map(|(i, r)| (r.key, 0, i as u32)));
    all.extend(nrecs.iter().enumerate().map(|(i, r)| (r.key, 1, i as u32)));
    all.sort_unstable();
    let mut counts = PartCounts {
        items: plan
            .items
            .iter()
            .map(|s| ItemCounts {
                item: s.name.clone(),
                ..ItemCounts::default()
            })
            .collect(),
        ..PartCounts::default()
    };
    let mut diffs = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let run = &all[i..j];
        let olds: Vec<&Rec> = run
            .iter()
            .filter(|e| e.1 == 0)
            .map(|e| &orecs[e.2 as usize])
            .collect();
        let news: Vec<&Rec> = run
            .iter()
            .filter(|e| e.1 == 1)
            .map(|e| &nrecs[e.2 as usize])
            .collect();
        let key: Vec<String> = strings(all[i].0, nkeys)?
            .into_iter()
            .map(String::from)
            .collect();
        let record_diff = |kind: Kind, r: &Rec, old: bool| Diff {
            key: key.clone(),
            item: 0,
            kind,
            old_loc: old.then_some((r.file, r.record)),
            new_loc: (!old).then_some((r.file, r.record)),
            old: String::new(),
            new: String::new(),
            rule: None,
        };
        match (olds.len(), news.len()) {
            (1, 1) => {
                counts.matched += 1;
                let (o, n) = (olds[0], news[0]);
                let ov = strings(o.rest, plan.items.len())?;
                let nv = strings(n.rest, plan.items.len())?;
                for (k, slot) in plan.items.iter().enumerate() {
                    let (kind, rule) = match form::compare(ov[k], nv[k]) {
                        Compared::Equal => continue,
                        Compared::FormOnly(r) => (Kind::FormOnly, Some(r)),
                        Compared::EmptyVsValue => (Kind::EmptyVsValue, None),
                        Compared::Different => (Kind::Different, None),
                    };
                    let c = &mut counts.items[k];
                    match kind {
                        Kind::FormOnly => {
                            c.form_only += 1;
                            if let Some(r) = &rule {
                                *c.form_only_rules.entry(r.clone()).or_insert(0) += 1;
                            }
                        }
                        Kind::EmptyVsValue => c.empty_vs_value += 1,
                        _ => c.different += 1,
                    }
                    // A sensitive item: kind and key only.
                    let show = !(no_values || slot.sensitive);
                    diffs.push(Diff {
                        key: key.clone(),
                        item: k as u32 + 1,
                        kind,
                        old_loc: Some((o.file, o.record)),
                        new_loc: Some((n.file, n.record)),
                        old: if show {
                            ov[k].to_string()
                        } else {
                            String::new()
                        },
                        new: if show {
                            nv[k].to_string()
                        } else {
                            String::new()
                        },
                        rule: if slot.sensitive { None } else { rule },
                    });
                }
            }
            (1, 0) => {
                counts.only_old += 1;
                diffs.push(record_diff(Kind::OnlyOld, olds[0], true));
            }
            (0, 1) => {
                counts.only_new += 1;
                diffs.push(record_diff(Kind::OnlyNew, news[0], false));
            }
            _ => {
                // The key is not unique: no record of it can be paired, and
                // every one is listed (never collapsed).
                for r in &olds {
                    counts.duplicate_old += 1;
                    diffs.push(record_diff(Kind::DuplicateOld, r, true));
                }
                for r in &news {
                    counts.duplicate_new += 1;
                    diffs.push(record_diff(Kind::DuplicateNew, r, false));
                }
            }
        }
        i = j;
    }
    drop(all);
    diffs.sort_unstable();
    let mut buf = Vec::new();
    for d in &diffs {
        d.encode(&mut buf)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        if buf.len() > 1 << 20 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    Ok(counts)
}

// ---------------------------------------------------------------- run

/// Compares the two sides and writes reconcile.json, differences.csv,
/// reconcile.html and manifest.json into `opts.out_dir`.
pub fn reconcile(opts: &Options) -> Result<Outcome, Error> {
    for (flag, side) in [("--old", &opts.old), ("--new", &opts.new)] {
        if side.files.is_empty() {
            return Err(usage(format!("{flag}: give at least one file")));
        }
        if let Some(p) = side.files.iter().find(|p| crate::input::is_stdin(p)) {
            return Err(usage(format!(
                "{flag} {}: reconcile reads files, not standard input; save it to a file first",
                p.display()
            )));
        }
    }
    if !(1..=Workers::MAX_JOBS).contains(&opts.jobs) {
        return Err(usage(format!(
            "--jobs must be from 1 to {}",
            Workers::MAX_JOBS
        )));
    }
    if let Some(p) = opts.partitions
        && !(1..=MAX_PARTITIONS).contains(&p)
    {
        return Err(usage(format!(
            "--partitions must be from 1 to {MAX_PARTITIONS}"
        )));
    }
    let plan = Plan::new(opts)?;
    let all_inputs: Vec<PathBuf> = opts
        .old
        .files
        .iter()
        .chain(&opts.new.files)
        .cloned()
        .collect();
    crate::outdir::check_inputs(&opts.out_dir, &all_inputs)?;
    let mut total = 0u64;
    for side in [&opts.old, &opts.new] {
        SplitConfig::new(
            side.layout.layout.framing(),
            side.encoding,
            opts.chunk_bytes,
            opts.max_record,
        )?;
        for path in &side.files {
            let checked = crate::input::check(path, side.encoding, &side.layout.layout, false);
            let n = if opts.skip_encoding_check {
                checked.or_else(|e| std::fs::metadata(path).map(|m| m.len()).map_err(|_| e))
            } else {
                checked
            }?;
            total = total.saturating_add(n);
        }
    }
    let processor = |side: &Side| -> Result<RecordProcessor, Error> {
        let mapper = mapper_for(side, &opts.map_options)?;
        RecordProcessor::new(side.layout.layout.clone(), side.encoding, mapper)
            .map_err(|e| Error::Config(format!("layout {}: {e}", side.layout.origin)))
    };
    let old_proc = processor(&opts.old)?;
    let new_proc = processor(&opts.new)?;
    let mut warnings: Vec<String> = old_proc
        .mapper()
        .warnings()
        .iter()
        .map(ToString::to_string)
        .collect();
    let tables = table_entries(opts, old_proc.mapper());
    let planned: Vec<String> = [DIFFERENCES, SUMMARY, PAGE].map(String::from).to_vec();
    let out_dir = OutDir::open(&opts.out_dir, &all_inputs, &planned, opts.force)?;
    let nparts = opts
        .partitions
        .unwrap_or_else(|| partitions_for(total, opts.jobs));
    let workers = Workers::new(opts.jobs)?;

    let mut old = read_side(opts, &plan, true, old_proc, &workers, nparts)?;
    let mut new = read_side(opts, &plan, false, new_proc, &workers, nparts)?;

    // Join partition by partition, `jobs` at a time.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(join_threads(total, nparts, opts.jobs))
        .build()
        .map_err(|e| usage(format!("cannot start {} worker threads: {e}", opts.jobs)))?;
    let mut work: Vec<(TempFile, TempFile, TempFile)> = Vec::with_capacity(nparts);
    for (p, (o, n)) in old.parts.drain(..).zip(new.parts.drain(..)).enumerate() {
        let d = TempFile::create(&opts.out_dir, &format!("diff-{p}")).map_err(Error::io(
            &opts.out_dir,
            "cannot create a temporary file in --out",
        ))?;
        work.push((o, n, d));
    }
    let joined: Vec<Result<(PartCounts, TempFile), Error>> = pool.install(|| {
        use rayon::prelude::*;
        work.into_par_iter()
            .map(|(mut o, mut n, mut d)| {
                let r = join_partition(&plan, opts.no_values, &mut o, &mut n, &mut d);
                drop((o, n));
                r.map(|c| (c, d)).map_err(Error::io(
                    &opts.out_dir,
                    "joining a partition failed; the disk may be full",
                ))
            })
            .collect()
    });
    let mut counts = Counts {
        old: old.tally.records + old.tally.unreadable,
        new: new.tally.records + new.tally.unreadable,
        unreadable_old: old.tally.unreadable,
        unreadable_new: new.tally.unreadable,
        ..Counts::default()
    };
    let mut items: Vec<ItemCounts> = plan
        .items
        .iter()
        .map(|s| ItemCounts {
            item: s.name.clone(),
            ..ItemCounts::default()
        })
        .collect();
    let mut sources = vec![old.unreadable, new.unreadable];
    for j in joined {
        let (c, d) = j?;
        counts.matched += c.matched;
        counts.only_old += c.only_old;
        counts.only_new += c.only_new;
        counts.duplicate_old += c.duplicate_old;
        counts.duplicate_new += c.duplicate_new;
        for (a, b) in items.iter_mut().zip(c.items) {
            a.different += b.different;
            a.form_only += b.form_only;
            a.empty_vs_value += b.empty_vs_value;
            for (r, n) in b.form_only_rules {
                *a.form_only_rules.entry(r).or_insert(0) += n;
            }
        }
        sources.push(d);
    }

    // differences.csv: the sorted partitions merged.
    let dpath = opts.out_dir.join(DIFFERENCES);
    let mut csv = PendingFile::create(&dpath).map_err(Error::io(
        &dpath,
        "check that the output directory is writable",
    ))?;
    let (ndiff, examples) = merge_differences(opts, &plan, &mut sources, &mut csv)?;
    drop(sources);
    let dw = csv
        .finish()
        .map_err(Error::io(&dpath, "the disk may be full"))?;

    let (sums, groups) = sums_and_groups(&plan, &old.tally, &new.tally);
    let sums_match = sums.iter().all(|s| same_decimal(&s.old, &s.new));
    let groups_match = groups.iter().all(|g| g.old == g.new);
    let summary = Summary {
        matches: ndiff == 0 && sums_match && groups_match,
        counts,
        items,
        sums,
        groups,
        items_only_old: plan.items_only_old.clone(),
        items_only_new: plan.items_only_new.clone(),
    };
    let json = serde_json::to_string_pretty(&summary)
        .map_err(|e| Error::Config(format!("cannot write {SUMMARY}: {e}")))?
        + "\n";
    let (jfile, jw) = crate::convert::write_pending(&opts.out_dir.join(SUMMARY), json.as_bytes())?;

    let old_files: Vec<String> = opts
        .old
        .files
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let new_files: Vec<String> = opts
        .new
        .files
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let key_items: Vec<String> = plan.keys.iter().map(|k| k.name.clone()).collect();
    let run_id = run_id(&old.inputs, &new.inputs, &tables);
    let html = super::page::render(&super::page::PageInput {
        summary: &summary,
        differences: &examples,
        old_files: &old_files,
        new_files: &new_files,
        old_layout: &opts.old.layout.origin,
        new_layout: &opts.new.layout.origin,
        key_items: &key_items,
        run_id: &run_id,
    });
    let (hfile, hw) = crate::convert::write_pending(&opts.out_dir.join(PAGE), html.as_bytes())?;

    let manifest = build_manifest(
        opts,
        &plan,
        tables,
        &old.inputs,
        &new.inputs,
        [
            FileEntry {
                path: DIFFERENCES.into(),
                sha256: dw.sha256,
                bytes: dw.bytes,
                records: ndiff,
            },
            FileEntry {
                path: SUMMARY.into(),
                sha256: jw.sha256,
                bytes: jw.bytes,
                records: 0,
            },
        ],
        FileEntry {
            path: PAGE.into(),
            sha256: hw.sha256,
            bytes: hw.bytes,
            records: 0,
        },
    );
    let mjson = manifest
        .to_json()
        .map_err(|e| Error::Config(format!("cannot write the manifest: {e}")))?;
    let (mfile, _) =
        crate::convert::write_pending(&opts.out_dir.join(manifest::FILE_NAME), mjson.as_bytes())?;
    out_dir.publish(vec![csv, jfile], hfile, mfile)?;
    warnings.sort();
    Ok(Outcome {
        summary,
        differences: ndiff,
        partitions: nparts,
        warnings,
    })
}

fn same_decimal(a: &str, b: &str) -> bool {
    match (Decimal::parse(a), Decimal::parse(b)) {
        (Ok(Some(x)), Ok(Some(y))) => x.same_amount(y),
        _ => a == b,
    }
}

/// Where a record is, as differences.csv writes it: `15`, or `2:15` (file 2 of
/// the side's files, record 15) when the side has several files.
fn loc_text(loc: Option<(u32, u64)>, files: usize) -> String {
    match loc {
        None => String::new(),
        Some((_, r)) if files <= 1 => r.to_string(),
        Some((f, r)) => format!("{}:{r}", u64::from(f) + 1),
    }
}

/// Merges the sorted sources into differences.csv; returns the number of lines
/// and the first [`PAGE_EXAMPLES`] differences per item and kind, for the page.
fn merge_differences(
    opts: &Options,
    plan: &Plan,
    sources: &mut [TempFile],
    csv: &mut PendingFile,
) -> Result<(u64, Vec<Difference>), Error> {
    let dpath = csv.dest().to_path_buf();
    let mut readers = Vec::with_capacity(sources.len());
    for s in sources.iter_mut() {
        readers.push(BufReader::with_capacity(
            64 * 1024,
            s.reader()
                .map_err(|e| Error::io(&opts.out_dir, "reading a temporary file failed")(e))?,
        ));
    }
    let mut heap = BinaryHeap::new();
    let mut frame = Vec::new();
    for (i, r) in readers.iter_mut().enumerate() {
        if spill::read_frame(r, &mut frame)
            .map_err(|e| Error::io(&opts.out_dir, "reading a temporary file failed")(e))?
        {
            let d = Diff::decode(&frame)
                .map_err(|e| Error::io(&opts.out_dir, "reading a temporary file failed")(e))?;
            heap.push(std::cmp::Reverse((d, i)));
        }
    }
    let mut buf = Vec::with_capacity(1 << 20);
    output::csv_line(&mut buf, HEADER);
    let mut n = 0u64;
    let mut shown: HashMap<(u32, Kind), usize> = HashMap::new();
    let mut examples = Vec::new();
    while let Some(std::cmp::Reverse((d, i))) = heap.pop() {
        n += 1;
        let item = match d.item {
            0 => "",
            k => plan
                .items
                .get(k as usize - 1)
                .map_or("", |s| s.name.as_str()),
        };
        let key = d.key.join("|");
        let ol = loc_text(d.old_loc, opts.old.files.len());
        let nl = loc_text(d.new_loc, opts.new.files.len());
        output::csv_line(
            &mut buf,
            [
                key.as_str(),
                item,
                d.kind.as_str(),
                d.old.as_str(),
                d.new.as_str(),
                d.rule.as_deref().unwrap_or(""),
                ol.as_str(),
                nl.as_str(),
            ],
        );
        if buf.len() >= 1 << 20 {
            csv.write_all(&buf)
                .map_err(Error::io(&dpath, "the disk may be full"))?;
            buf.clear();
        }
        let seen = shown.entry((d.item, d.kind)).or_insert(0);
        if *seen < PAGE_EXAMPLES {
            *seen += 1;
            examples.push(Difference {
                key,
                item: item.to_string(),
                kind: d.kind,
                old: d.old,
                new: d.new,
                rule: d.rule,
                old_record: d.old_loc.map(|l| l.1),
                new_record: d.new_loc.map(|l| l.1),
            });
        }
        if spill::read_frame(&mut readers[i], &mut frame)
            .map_err(|e| Error::io(&opts.out_dir, "reading a temporary file failed")(e))?
        {
            let d = Diff::decode(&frame)
                .map_err(|e| Error::io(&opts.out_dir, "reading a temporary file failed")(e))?;
            heap.push(std::cmp::Reverse((d, i)));
        }
    }
    csv.write_all(&buf)
        .map_err(Error::io(&dpath, "the disk may be full"))?;
    Ok((n, examples))
}

/// Totals and group counts of both sides; groups and group totals that differ
/// come first (flagged for the clerk), then the rest, each in item then value
/// order.
fn sums_and_groups(plan: &Plan, old: &Tally, new: &Tally) -> (Vec<SumEntry>, Vec<GroupCount>) {
    let text = |a: Decimal, b: Decimal| {
        // Both at one scale: 1.5 and 1.50 are written alike.
        let z = a.zero_like(b);
        (
            z.checked_add(a).unwrap_or(a).to_string(),
            z.checked_add(b).unwrap_or(b).to_string(),
        )
    };
    let mut sums = Vec::new();
    for (i, s) in plan.sums.iter().enumerate() {
        let (o, n) = text(old.totals[i], new.totals[i]);
        sums.push(SumEntry {
            item: s.name.clone(),
            group_item: None,
            group_value: None,
            old: o,
            new: n,
        });
    }
    let mut keys: Vec<&(usize, String)> = old.groups.keys().chain(new.groups.keys()).collect();
    keys.sort();
    keys.dedup();
    let empty = GroupAcc::default();
    let (mut gdiff, mut gsame) = (Vec::new(), Vec::new());
    let (mut sdiff, mut ssame) = (Vec::new(), Vec::new());
    for k in keys {
        let (g, value) = k;
        let o = old.groups.get(k).unwrap_or(&empty);
        let n = new.groups.get(k).unwrap_or(&empty);
        let group_item = plan.groups[*g].name.clone();
        let mut differs = o.count != n.count;
        let mut entries = Vec::new();
        for (i, s) in plan.sums.iter().enumerate() {
            let a = o.sums.get(i).copied().unwrap_or_default();
            let b = n.sums.get(i).copied().unwrap_or_default();
            differs |= !a.same_amount(b);
            let (os, ns) = text(a, b);
            entries.push((
                !a.same_amount(b),
                SumEntry {
                    item: s.name.clone(),
                    group_item: Some(group_item.clone()),
                    group_value: Some(value.clone()),
                    old: os,
                    new: ns,
                },
            ));
        }
        let gc = GroupCount {
            group_item,
            group_value: value.clone(),
            old: o.count,
            new: n.count,
        };
        if differs {
            gdiff.push(gc);
        } else {
            gsame.push(gc);
        }
        for (d, e) in entries {
            if d { sdiff.push(e) } else { ssame.push(e) }
        }
    }
    sums.extend(sdiff);
    sums.extend(ssame);
    gdiff.extend(gsame);
    (sums, gdiff)
}

// ---------------------------------------------------------------- manifest

fn table_entries(opts: &Options, old_mapper: &Mapper) -> Vec<TableEntry> {
    let mut tables = vec![
        TableEntry::layout("layout", &opts.old.layout),
        TableEntry::layout("layout", &opts.new.layout),
    ];
    tables.extend(TableEntry::of_mapper(old_mapper));
    tables.extend(TableEntry::embedded_mj());
    tables
}

/// Hex digits naming the run: a hash of what was compared (no time: the same
/// inputs give the same page).
fn run_id(old: &[InputRead], new: &[InputRead], tables: &[TableEntry]) -> String {
    let mut h = Sha256::new();
    for i in old.iter().chain(new) {
        h.update(i.sha256.as_bytes());
    }
    for t in tables {
        h.update(t.sha256.as_bytes());
    }
    output::hex(&h.finalize())[..12].to_string()
}

#[allow(clippy::too_many_arguments)]
fn build_manifest(
    opts: &Options,
    plan: &Plan,
    tables: Vec<TableEntry>,
    old: &[InputRead],
    new: &[InputRead],
    outputs: [FileEntry; 2],
    page: FileEntry,
) -> Manifest {
    let mut extra = BTreeMap::new();
    extra.insert("command".to_string(), "reconcile".to_string());
    extra.insert("new_layout".to_string(), opts.new.layout.origin.clone());
    extra.insert("new_encoding".to_string(), opts.new.encoding.name().into());
    extra.insert(
        "key".to_string(),
        plan.keys
            .iter()
            .map(|k| k.name.as_str())
            .collect::<Vec<_>>()
            .join(","),
    );
    let joined = |v: Vec<String>| v.join(",");
    if !opts.map.is_empty() {
        extra.insert(
            "map".into(),
            joined(opts.map.iter().map(|(o, n)| format!("{o}={n}")).collect()),
        );
    }
    if !plan.sums.is_empty() {
        extra.insert(
            "sum".into(),
            joined(plan.sums.iter().map(|s| s.name.clone()).collect()),
        );
    }
    if !plan.groups.is_empty() {
        extra.insert(
            "group".into(),
            joined(plan.groups.iter().map(|s| s.name.clone()).collect()),
        );
    }
    extra.insert(
        "ivs".into(),
        match opts.map_options.ivs {
            Some(crate::mj::IvsPolicy::Never) => "never",
            _ => "keep",
        }
        .into(),
    );
    if opts.no_values {
        extra.insert("no_values".into(), "true".into());
    }
    let compared = |side: &str, list: &[InputRead]| {
        list.iter()
            .map(|i| manifest::ComparedInput {
                side: side.into(),
                path: i.path.clone(),
                sha256: i.sha256.clone(),
                bytes: i.bytes,
                records: i.records,
                unreadable: i.unreadable,
            })
            .collect::<Vec<_>>()
    };
    let mut all = compared("old", old);
    all.extend(compared("new", new));
    let [d, j] = outputs;
    Manifest {
        tool: manifest::Tool::this(),
        options: manifest::Options {
            layout: opts.old.layout.origin.clone(),
            encoding: opts.old.encoding.name().into(),
            extra,
        },
        inputs: Vec::new(),
        outputs: vec![d, j],
        rejects: Vec::new(),
        report: Some(page),
        tables,
        counts: manifest::Counts::default(),
        gaiji: Vec::new(),
        unmapped: Vec::new(),
        compat: Vec::new(),
        variants: Vec::new(),
        reject_reasons: Vec::new(),
        cleansing: Vec::new(),
        kept_dates: Vec::new(),
        nonstandard: Vec::new(),
        record_types: Vec::new(),
        trailer_checks: Vec::new(),
        record_findings: Vec::new(),
        code_conversions: Vec::new(),
        compared: all,
    }
}

/// The map stage as reconcile uses it: an unmapped 外字 makes its record
/// unreadable (listed, counted), never stops the run; every character is
/// compared, whatever set it is in.
pub fn map_options(ivs: Option<crate::mj::IvsPolicy>) -> MapOptions {
    MapOptions {
        ivs,
        unmapped: UnmappedPolicy::Reject,
        charset: crate::charset::CharsetKind::Any,
        ..MapOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_model() {
        assert_eq!(partitions_for(0, 1), 1);
        assert_eq!(partitions_for(80 << 20, 1), 1);
        assert_eq!(partitions_for(100 << 20, 2), 4);
        // 10 M × 10 M records of 150 bytes, 2 jobs.
        assert_eq!(partitions_for(3_000_000_000, 2), 128);
        assert_eq!(partitions_for(u64::MAX, 256), MAX_PARTITIONS);
        // 10 M × 10 M with 256 jobs: 256 partitions, but only as many joined at
        // once as fit the budget.
        assert_eq!(partitions_for(3_000_000_000, 256), 256);
        assert_eq!(join_threads(3_000_000_000, 256, 256), 7);
        assert_eq!(join_threads(1000, 1, 4), 4);
        assert_eq!(join_threads(u64::MAX, 1, 4), 1);
    }

    #[test]
    fn diff_round_trip_and_order() {
        let d = Diff {
            key: vec!["001".into(), "a|b".into()],
            item: 3,
            kind: Kind::FormOnly,
            old_loc: Some((0, 5)),
            new_loc: Some((1, 9)),
            old: "ﾔﾏﾀﾞ".into(),
            new: "ヤマダ".into(),
            rule: Some("width".into()),
        };
        let mut b = Vec::new();
        d.encode(&mut b).unwrap();
        let mut r = &b[..];
        let mut frame = Vec::new();
        assert!(spill::read_frame(&mut r, &mut frame).unwrap());
        assert_eq!(Diff::decode(&frame).unwrap(), d);
        let unreadable = unreadable_diff(true, 0, 1, "x".into());
        assert!(unreadable < d, "unreadable records come first");
        let mut other = d.clone();
        other.item = 0;
        other.kind = Kind::OnlyOld;
        assert!(other < d, "the record before its items");
    }

    #[test]
    fn locations() {
        assert_eq!(loc_text(Some((0, 7)), 1), "7");
        assert_eq!(loc_text(Some((1, 7)), 2), "2:7");
        assert_eq!(loc_text(None, 2), "");
    }
}
