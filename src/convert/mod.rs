//! `convert`: drives the stages over every input and publishes the results.
//!
//! Per file, one thread reads and splits chunks of whole records, rayon workers
//! turn each chunk into output bytes and reject lines, and the calling thread
//! writes the results in input order. At most `2 × jobs` chunks are in flight, so
//! memory is bounded by chunk size and jobs, never by file size.
//!
//! Nothing is published until every file is done: outputs, the report and the
//! manifest are written whole under temporary names, then renamed, the manifest
//! last ([`crate::outdir`]). The earlier run's manifest is moved aside before the
//! first byte is written, so a run that fails or is killed leaves nothing that
//! looks complete.

pub mod pipeline;

use crate::cleanse::RuleCounts;
use crate::decode::Encoding;
use crate::error::Error;
use crate::gaiji::{Kind, MapOptions, Mapper, TableSource, UnmappedPolicy, code_points};
use crate::input;
use crate::layout::{LoadedLayout, RecordKind};
use crate::manifest::{
    self, CleansingEntry, Counts, FileEntry, GaijiEntry, InputEntry, Manifest, MappedEntry,
    NonstandardEntry, ReasonEntry, RecordFindingEntry, RecordRef, RecordTypeEntry, TableEntry,
    TrailerCheckEntry, UnmappedEntry,
};
use crate::mj;
use crate::outdir::OutDir;
use crate::output::{self, PendingFile, Written};
use crate::parallel::Workers;
use crate::record::RecordProcessor;
use crate::split::{Framing, SplitConfig, StreamInfo};
use crate::tally::Tally;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

pub use pipeline::ChunkOutput;

/// Everything `convert` needs besides the input paths.
pub struct ConvertOptions {
    pub layout: LoadedLayout,
    pub encoding: Encoding,
    pub out_dir: PathBuf,
    /// Worker threads (≥ 1). Never changes the output.
    pub jobs: usize,
    pub chunk_bytes: usize,
    pub max_record: usize,
    /// Accept 0-byte inputs (as files with no records) instead of stopping.
    pub allow_empty: bool,
    /// Skip the check that each input looks like `encoding`.
    pub skip_encoding_check: bool,
    /// Vendor 外字 tables, in order (later tables may replace earlier lines marked `!`).
    pub gaiji: Vec<PathBuf>,
    /// `--ivs`, `--variants`, `--unmapped`.
    pub map: MapOptions,
    /// Drawn on stderr when set (the CLI sets it when stderr is a terminal).
    pub progress: Option<indicatif::ProgressBar>,
    /// Write into an `--out` that holds files ikou did not write (never replacing
    /// or removing any of them).
    pub force: bool,
    /// `--rejects-excel`: each reject file starts with a UTF-8 BOM, so that Excel
    /// on Japanese Windows reads it as UTF-8 (recorded as `rejects_bom` in the
    /// manifest's options).
    pub rejects_bom: bool,
    /// `--to`: the target layout the items are reshaped into and written by
    /// (see [`crate::target`]).
    pub target: Option<LoadedLayout>,
    /// `--font`: the vendor's 外字 glyphs, shown in report.html beside each 外字.
    pub vendor: Option<crate::identify::source::VendorImages>,
}

impl ConvertOptions {
    pub fn new(layout: LoadedLayout, out_dir: PathBuf) -> ConvertOptions {
        ConvertOptions {
            layout,
            encoding: Encoding::Cp932,
            out_dir,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            chunk_bytes: SplitConfig::DEFAULT_CHUNK_BYTES,
            max_record: SplitConfig::DEFAULT_MAX_RECORD,
            allow_empty: false,
            skip_encoding_check: false,
            gaiji: Vec::new(),
            map: MapOptions::default(),
            progress: None,
            force: false,
            rejects_bom: false,
            target: None,
            vendor: None,
        }
    }

    /// Reads the 外字 tables and builds the map stage. Err (exit 2): a table that
    /// cannot be read, or any error in the tables (all listed, with file and line).
    pub fn mapper(&self) -> Result<Mapper, Error> {
        let sources = TableSource::read_all(&self.gaiji)?;
        Mapper::new(&sources, self.encoding, self.map).map_err(|e| Error::Config(e.to_string()))
    }

    fn framing(&self) -> Framing {
        self.layout.layout.framing()
    }
}

/// One converted input.
#[derive(Debug)]
pub struct FileResult {
    pub input: PathBuf,
    pub output_name: String,
    pub rejects_name: String,
    pub stream: StreamInfo,
    pub tally: Tally,
    pub output: Written,
    pub rejects: Written,
    /// With several data types: the outputs after `output` (the first data
    /// type's), one per data type, in layout order.
    pub extra_outputs: Vec<(String, Written)>,
    /// With record types: counts per type, trailer checks and findings.
    pub types: Option<crate::records::Outcome>,
    /// `--to`: the codes converted in the written records.
    pub codes: crate::target::apply::CodeCounts,
}

/// A finished run.
#[derive(Debug)]
pub struct RunResult {
    pub files: Vec<FileResult>,
    pub manifest: Manifest,
    /// Table findings that did not stop the run (e.g. a real character remapped).
    pub warnings: Vec<String>,
}

impl RunResult {
    /// 0 when every record was converted, 3 when some were rejected (CONTRACT.md).
    pub fn exit_code(&self) -> i32 {
        if self.manifest.counts.rejected > 0
            || !self.manifest.unmapped.is_empty()
            || !self.manifest.nonstandard.is_empty()
            || self.files.iter().any(|f| f.tally.sensitive_unmapped > 0)
            || self
                .files
                .iter()
                .any(|f| f.types.as_ref().is_some_and(|t| t.has_findings()))
        {
            3
        } else {
            0
        }
    }
}

/// Checks each input's sample (its encoding, its records; [`input::check`]) on up to
/// `--jobs` threads: many small files are not checked one after another. The
/// first input that fails, in the order given, is the error; otherwise the
/// inputs' total size.
fn check_inputs(
    inputs: &[PathBuf],
    labels: &[PathBuf],
    opts: &ConvertOptions,
) -> Result<u64, Error> {
    let one = |i: usize| -> Result<u64, Error> {
        let path = &inputs[i];
        let checked = input::check(path, opts.encoding, &opts.layout.layout, opts.allow_empty);
        if opts.skip_encoding_check {
            checked.or_else(|e| std::fs::metadata(path).map(|m| m.len()).map_err(|_| e))
        } else {
            checked
        }
        .map_err(|e| e.shown_as(path, labels.get(i).unwrap_or(path)))
    };
    let threads = opts.jobs.min(inputs.len()).max(1);
    let one = &one;
    let mut results: Vec<(usize, Result<u64, Error>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t..inputs.len())
                        .step_by(threads)
                        .map(|i| (i, one(i)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join())
            .collect::<Result<Vec<_>, _>>()
    })
    .map_err(|_| Error::Config("checking the inputs stopped unexpectedly".into()))?
    .into_iter()
    .flatten()
    .collect();
    results.sort_by_key(|r| r.0);
    results
        .into_iter()
        .try_fold(0u64, |total, (_, r)| Ok(total.saturating_add(r?)))
}

/// Converts `inputs` into `opts.out_dir`. An input `-` is standard input (read
/// once, to the end, before anything else; its outputs are `stdin.csv` and
/// `stdin.rejects.csv`, and the manifest names it `-`).
pub fn convert(opts: &ConvertOptions, inputs: &[PathBuf]) -> Result<RunResult, Error> {
    if inputs.is_empty() {
        return Err(Error::Usage("no input files given".into()));
    }
    let stdin = input::StdinSpool::for_inputs(inputs)?;
    let labels = inputs;
    let inputs = &input::StdinSpool::resolve(stdin.as_ref(), inputs)[..];
    // Sizes and jobs are checked before the output directory is touched.
    let cfg = pipeline::split_config(opts)?;
    if !(1..=crate::parallel::Workers::MAX_JOBS).contains(&opts.jobs) {
        return Err(Error::Usage(format!(
            "--jobs must be from 1 to {}",
            crate::parallel::Workers::MAX_JOBS
        )));
    }
    // Before anything reads the inputs: an input ikou would remove is refused first.
    crate::outdir::check_inputs(&opts.out_dir, inputs)?;
    let layout = &opts.layout.layout;
    let split_types: Vec<&str> = match layout
        .records
        .iter()
        .filter(|r| r.kind() == RecordKind::Data)
        .count()
    {
        0 | 1 => Vec::new(),
        _ => layout
            .records
            .iter()
            .filter(|r| r.kind() == RecordKind::Data)
            .map(|r| r.name.as_str())
            .collect(),
    };
    let names = output_names(inputs, &opts.out_dir, &split_types)?;
    // The inputs are checked while this thread builds the plan and the 外字 mapper
    // (a few milliseconds each, serial before). Errors come in the same order as
    // before: the first input that fails, then the plan's, then the mapper's.
    let (checked, plan, mapper) = std::thread::scope(|s| {
        let checks = s.spawn(|| check_inputs(inputs, labels, opts));
        let plan = target_plan(opts);
        let mapper = opts.mapper();
        (checks.join(), plan, mapper)
    });
    let total_bytes =
        checked.map_err(|_| Error::Config("checking the inputs stopped unexpectedly".into()))??;
    let plan = plan?;
    let mapper = mapper?;
    let warnings = mapper.warnings().iter().map(ToString::to_string).collect();
    let mut source = opts.layout.layout.clone();
    if let Some(plan) = &plan {
        if split_types.len() > 1 {
            return Err(Error::Config(format!(
                "layout {}: --to reshapes one data record type, and this layout declares {} ({}); \
                 give a layout with one data type",
                opts.layout.origin,
                split_types.len(),
                split_types.join(", ")
            )));
        }
        plan.hide_sources(&mut source);
        // The data type's items are the source items it hides.
        let hidden: Vec<String> = source
            .fields
            .iter()
            .filter(|f| f.sensitive)
            .map(|f| f.name.clone())
            .collect();
        for rt in &mut source.records {
            let data = rt.kind() == RecordKind::Data;
            for f in rt
                .fields
                .iter_mut()
                .filter(|f| data && hidden.contains(&f.name))
            {
                f.sensitive = true;
            }
        }
    }
    // With record types, the base processor reads the data items (it rejects
    // the records the splitter could not frame); each type has its own.
    let flat = crate::layout::Layout {
        records: Vec::new(),
        ..source.clone()
    };
    let mut processor = RecordProcessor::new(flat, opts.encoding, mapper)
        .map_err(|e| Error::Config(format!("layout {}: {e}", opts.layout.origin)))?;
    if let Some(plan) = plan {
        let origin = plan.loaded().origin.clone();
        processor = processor
            .with_target(plan)
            .map_err(|e| Error::Config(format!("target layout {origin}: {e}")))?;
    }
    let typed = crate::records::RecordTypes::new(&source, &processor)
        .map_err(|e| Error::Config(format!("layout {}: {e}", opts.layout.origin)))?;
    let planned: Vec<String> = names
        .iter()
        .flat_map(|(o, r)| o.iter().chain([r]).cloned())
        .collect();
    let out_dir = OutDir::open(&opts.out_dir, inputs, &planned, opts.force)?;
    if let Some(pb) = &opts.progress {
        pb.set_length(total_bytes);
    }

    let workers = Workers::new(opts.jobs)?;

    // Several files at once (each through the shared workers): every file is
    // written to its own outputs and counted on its own, so the results are the
    // same as one after another.
    let work = pipeline::chunk_work(cfg, &workers, &processor, typed.as_ref());
    let done = workers.read_files(inputs, cfg, work, |i, feed| {
        let (path, label, (out_names, rej_name)) = (&inputs[i], &labels[i], &names[i]);
        let create = |name: &String| {
            PendingFile::create(&opts.out_dir.join(name)).map_err(Error::io(
                &opts.out_dir.join(name),
                "check that the output directory is writable",
            ))
        };
        let out_name = &out_names[0];
        let mut out = create(out_name)?;
        let mut extra = out_names[1..]
            .iter()
            .map(create)
            .collect::<Result<Vec<_>, _>>()?;
        let mut rej = create(rej_name)?;
        // The output is hashed beside its writer; its buffers go back to the workers.
        out.hash_apart(std::sync::Arc::clone(&workers.buffers));
        let (stream, tally, partial, codes) = pipeline::write_file(
            opts,
            &workers,
            typed.as_ref(),
            path,
            feed,
            &mut out,
            &mut extra,
            &mut rej,
        )
        .map_err(|e| e.shown_as(path, label))?;
        // Synced in the background; publishing waits for every sync at once.
        let output = out
            .finish_deferred()
            .map_err(Error::io(out.dest(), "the disk may be full"))?;
        let mut extra_outputs = Vec::new();
        for (f, name) in extra.iter_mut().zip(&out_names[1..]) {
            let w = f
                .finish_deferred()
                .map_err(Error::io(f.dest(), "the disk may be full"))?;
            extra_outputs.push((name.clone(), w));
        }
        let rejects = rej
            .finish_deferred()
            .map_err(Error::io(rej.dest(), "the disk may be full"))?;
        let types = typed.as_ref().zip(partial).map(|(rt, p)| p.finish(rt));
        let result = FileResult {
            input: label.clone(),
            output_name: out_name.clone(),
            rejects_name: rej_name.clone(),
            stream,
            tally,
            output,
            rejects,
            extra_outputs,
            types,
            codes,
        };
        Ok((result, out, extra, rej))
    })?;
    // The records are done: the workers' buffers are freed (on a thread of their
    // own) while the report and the manifest are written and synced.
    drop(workers);
    let mut pending = Vec::with_capacity(2 * done.len());
    let mut files = Vec::with_capacity(done.len());
    for (f, out, extra, rej) in done {
        files.push(f);
        pending.push(out);
        pending.extend(extra);
        pending.push(rej);
    }
    if let Some(pb) = &opts.progress {
        pb.finish_and_clear();
    }

    // The report and the manifest are written whole before anything is published,
    // so that a full disk cannot strike between publishing one and the other.
    let mut manifest = build_manifest(opts, &processor, &files);
    let (report, entry) = write_report(opts, &processor, &manifest, &files)?;
    manifest.report = Some(entry);
    let json = manifest
        .to_json()
        .map_err(|e| Error::Config(format!("cannot write the manifest: {e}")))?;
    // Every output's sync was started when it was finished; all are waited for
    // here, before anything is published.
    for f in &mut pending {
        f.synced()
            .map_err(Error::io(f.dest(), "the disk may be full"))?;
    }
    let mpath = opts.out_dir.join(manifest::FILE_NAME);
    let (mfile, _) = write_pending(&mpath, json.as_bytes())?;
    out_dir.publish(pending, report, mfile)?;
    Ok(RunResult {
        files,
        manifest,
        warnings,
    })
}

/// Writes report.html under its temporary name (it is published just before the
/// manifest, which records it).
fn write_report(
    opts: &ConvertOptions,
    processor: &RecordProcessor,
    manifest: &Manifest,
    files: &[FileResult],
) -> Result<(PendingFile, FileEntry), Error> {
    let html = crate::report::render(&crate::report::Run {
        manifest,
        files,
        layout: processor.output_layout(),
        mapper: processor.mapper(),
        vendor: opts.vendor.as_ref(),
    });
    let path = opts.out_dir.join(crate::report::FILE_NAME);
    let (f, w) = write_pending(&path, html.as_bytes())?;
    let entry = FileEntry {
        path: crate::report::FILE_NAME.into(),
        sha256: w.sha256,
        bytes: w.bytes,
        records: 0,
    };
    Ok((f, entry))
}

/// `data` written and synced under a temporary name beside `dest`, ready to be
/// published (convert's and reconcile's pages, summaries and manifests).
pub(crate) fn write_pending(dest: &Path, data: &[u8]) -> Result<(PendingFile, Written), Error> {
    let mut f = PendingFile::create(dest).map_err(Error::io(
        dest,
        "check that the output directory is writable",
    ))?;
    f.write_all(data)
        .map_err(Error::io(dest, "the disk may be full"))?;
    let w = f
        .finish()
        .map_err(Error::io(dest, "the disk may be full"))?;
    Ok((f, w))
}

/// `<stem>.csv` (or `<stem>.<type>.csv` for each of `split_types`, the data
/// types when there are several) and `<stem>.rejects.csv` for each input;
/// refuses names that collide with each other or with an input.
fn output_names(
    inputs: &[PathBuf],
    out_dir: &Path,
    split_types: &[&str],
) -> Result<Vec<(Vec<String>, String)>, Error> {
    let mut seen = HashSet::new();
    let mut names = Vec::new();
    for path in inputs {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::input(path, "has no file name"))?;
        let outputs = if split_types.is_empty() {
            vec![format!("{stem}.csv")]
        } else {
            split_types
                .iter()
                .map(|t| format!("{stem}.{t}.csv"))
                .collect()
        };
        let pair = (outputs, format!("{stem}.rejects.csv"));
        if stem.starts_with(crate::outdir::RESERVED_PREFIX) {
            return Err(Error::Usage(format!(
                "{}: ikou keeps names starting with {} for its own files in --out; rename the input",
                path.display(),
                crate::outdir::RESERVED_PREFIX
            )));
        }
        for name in pair.0.iter().chain([&pair.1]) {
            if name == manifest::FILE_NAME || !seen.insert(name.clone()) {
                return Err(Error::Usage(format!(
                    "{}: its output {name} would collide with another input's output; rename one of the inputs",
                    path.display()
                )));
            }
            let dest = out_dir.join(name);
            if let (Ok(a), Ok(b)) = (dest.canonicalize(), path.canonicalize())
                && a == b
            {
                return Err(Error::Usage(format!(
                    "{}: the output {} would overwrite this input; choose another --out",
                    path.display(),
                    dest.display()
                )));
            }
        }
        names.push(pair);
    }
    Ok(names)
}

/// The `--to` plan, compiled against the source layout (exit 2 naming the
/// target layout and the item); a layout with source rules given as `--layout`
/// is refused, as its rules would be ignored.
fn target_plan(opts: &ConvertOptions) -> Result<Option<crate::target::Plan>, Error> {
    if opts.layout.layout.is_target() {
        return Err(Error::Usage(format!(
            "layout {} says where its items come from (from, const, concat, split, codes_table, \
             default): it is a target layout; give it with --to, and the layout of the input with --layout",
            opts.layout.origin
        )));
    }
    opts.target
        .clone()
        .map(|t| crate::target::Plan::compile(&opts.layout.layout, t))
        .transpose()
}

fn build_manifest(
    opts: &ConvertOptions,
    processor: &RecordProcessor,
    files: &[FileResult],
) -> Manifest {
    let mapper = processor.mapper();
    let out_layout = processor.output_layout();
    let mut counts = Counts::default();
    let mut rules: Vec<RuleCounts> = Vec::new();
    let mut reasons: BTreeMap<(&'static str, Option<String>), ReasonEntry> = BTreeMap::new();
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    let mut rejects = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let t = &f.tally;
        counts.read += t.read;
        counts.written += t.written;
        counts.rejected += t.rejected;
        inputs.push(InputEntry {
            path: f.input.to_string_lossy().into_owned(),
            sha256: output::hex(&f.stream.sha256),
            bytes: f.stream.bytes,
            records: t.read,
            written: t.written,
            rejected: t.rejected,
            output: f.output_name.clone(),
            rejects: f.rejects_name.clone(),
            header_records: t.header,
            blank_lines: t.blank,
            bom: f.stream.bom,
            eof_marker: f.stream.eof_marker,
            record_types: type_entries(&opts.layout.layout, f),
        });
        if f.extra_outputs.is_empty() {
            outputs.push(FileEntry {
                path: f.output_name.clone(),
                sha256: f.output.sha256.clone(),
                bytes: f.output.bytes,
                records: t.written,
            });
        } else {
            // One output per data type: each holds that type's written records.
            let by_type = type_entries(&opts.layout.layout, f);
            let written = |name: &str| {
                by_type
                    .iter()
                    .find(|e| e.output.as_deref() == Some(name))
                    .map_or(0, |e| e.written)
            };
            let all = std::iter::once((&f.output_name, &f.output))
                .chain(f.extra_outputs.iter().map(|(n, w)| (n, w)));
            for (name, w) in all {
                outputs.push(FileEntry {
                    path: name.clone(),
                    sha256: w.sha256.clone(),
                    bytes: w.bytes,
                    records: written(name),
                });
            }
        }
        rejects.push(FileEntry {
            path: f.rejects_name.clone(),
            sha256: f.rejects.sha256.clone(),
            bytes: f.rejects.bytes,
            records: t.rejected,
        });
        for (item, c) in t.rules.iter().enumerate() {
            if rules.len() <= item {
                rules.resize(item + 1, RuleCounts::new());
            }
            rules[item].merge(c);
        }
        for ((code, item), r) in &t.reasons {
            let e = reasons
                .entry((code, item.clone()))
                .or_insert_with(|| ReasonEntry {
                    code: code.to_string(),
                    item: item.clone(),
                    count: 0,
                    first_records: Vec::new(),
                });
            e.count += r.count;
            let room = crate::tally::RECORDS_KEPT_PER_REASON.saturating_sub(e.first_records.len());
            e.first_records
                .extend(r.records.iter().take(room).map(|r| RecordRef {
                    file: i,
                    record: r.record,
                }));
        }
    }
    let layout = &opts.layout;
    let (gaiji, compat, variants, unmapped) = mapping_entries(mapper, files);
    let mut tables = vec![TableEntry::layout("layout", layout)];
    if let Some(plan) = processor.target() {
        tables.push(TableEntry::layout("target-layout", plan.loaded()));
        let mut seen = HashSet::new();
        for c in plan.tables() {
            if seen.insert(c.path.as_str()) {
                tables.push(TableEntry {
                    kind: "codes".into(),
                    path: c.path.clone(),
                    sha256: c.sha256.clone(),
                    version: None,
                    bytes: None,
                });
            }
        }
    }
    tables.extend(TableEntry::of_mapper(mapper));
    // --font: the glyphs report.html draws come from this font.
    tables.extend(opts.vendor.as_ref().map(TableEntry::vendor_font));
    tables.extend(TableEntry::embedded_mj());
    let (record_types, trailer_checks, record_findings) = record_type_totals(&inputs, files);
    let code_conversions = processor.target().map_or_else(Vec::new, |plan| {
        let mut all = crate::target::apply::CodeCounts::default();
        for f in files {
            all.merge(&f.codes);
        }
        all.entries(plan)
    });
    let mut options = recorded_options(opts, &mapper.options());
    if let Some(plan) = processor.target() {
        options
            .extra
            .insert("to".to_string(), plan.loaded().origin.clone());
    }
    Manifest {
        record_types,
        trailer_checks,
        record_findings,
        tool: manifest::Tool::this(),
        options,
        inputs,
        outputs,
        rejects,
        report: None,
        tables,
        counts,
        gaiji,
        unmapped,
        compat,
        variants,
        reject_reasons: reasons.into_values().collect(),
        kept_dates: manifest::kept_dates(out_layout, files.iter().map(|f| &f.tally)),
        nonstandard: nonstandard_entries(mapper, out_layout, files),
        code_conversions,
        compared: Vec::new(),
        cleansing: rules
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                let item = &out_layout.fields[i].name;
                c.iter().map(move |(rule, count)| CleansingEntry {
                    item: item.clone(),
                    rule: rule.id().into(),
                    label: rule.label_ja().into(),
                    count,
                })
            })
            .collect(),
    }
}

/// The options a run records in its manifest (those that shape the output), from
/// `opts` and the map stage's settings as resolved for the encoding. `ikou batch`
/// compares them with a finished run's to tell whether it is still current.
pub fn recorded_options(opts: &ConvertOptions, map: &MapOptions) -> manifest::Options {
    let mut extra = BTreeMap::new();
    extra.insert(
        "ivs".to_string(),
        match map.ivs {
            Some(mj::IvsPolicy::Never) => "never",
            _ => "keep",
        }
        .to_string(),
    );
    extra.insert(
        "variants".to_string(),
        // As resolved for the encoding (never `auto`).
        map.variants.for_encoding(opts.encoding).name().to_string(),
    );
    if map.nfc_safe {
        extra.insert("nfc_safe".to_string(), "true".to_string());
    }
    extra.insert(
        "unmapped".to_string(),
        match map.unmapped {
            UnmappedPolicy::Reject => "reject",
            UnmappedPolicy::Geta => "geta",
            UnmappedPolicy::Fail => "fail",
        }
        .to_string(),
    );
    if opts.rejects_bom {
        extra.insert("rejects_bom".to_string(), "true".to_string());
    }
    extra.insert("charset".to_string(), map.charset.id().to_string());
    manifest::Options {
        layout: opts.layout.origin.clone(),
        encoding: opts.encoding.name().into(),
        extra,
    }
}

/// One input's records per type (empty without record types): the data types
/// with their output, the header and trailer, then those of no type.
fn type_entries(layout: &crate::layout::Layout, f: &FileResult) -> Vec<RecordTypeEntry> {
    let Some(o) = &f.types else {
        return Vec::new();
    };
    let mut outputs = std::iter::once(&f.output_name).chain(f.extra_outputs.iter().map(|(n, _)| n));
    let mut entries: Vec<RecordTypeEntry> = layout
        .records
        .iter()
        .zip(&o.counts)
        .map(|(rt, c)| RecordTypeEntry {
            of_type: Some(rt.name.clone()),
            kind: rt.kind().as_str().into(),
            read: c.read,
            written: c.written,
            rejected: c.rejected,
            output: None,
        })
        .collect();
    // Outputs are in layout order of the data types (all to the first when one).
    let split = !f.extra_outputs.is_empty();
    for e in entries.iter_mut().filter(|e| e.kind == "data") {
        e.output = if split {
            outputs.next()
        } else {
            Some(&f.output_name)
        }
        .cloned();
    }
    if o.unclassified > 0 {
        entries.push(RecordTypeEntry {
            of_type: None,
            kind: "unknown".into(),
            read: o.unclassified,
            written: 0,
            rejected: o.unclassified,
            output: None,
        });
    }
    entries
}

/// Record types over all files (in layout order), and every file's trailer
/// checks and findings (in input order).
fn record_type_totals(
    inputs: &[InputEntry],
    files: &[FileResult],
) -> (
    Vec<RecordTypeEntry>,
    Vec<TrailerCheckEntry>,
    Vec<RecordFindingEntry>,
) {
    let mut totals: Vec<RecordTypeEntry> = Vec::new();
    for input in inputs {
        for e in &input.record_types {
            match totals.iter_mut().find(|t| t.of_type == e.of_type) {
                Some(t) => {
                    t.read += e.read;
                    t.written += e.written;
                    t.rejected += e.rejected;
                }
                None => totals.push(RecordTypeEntry {
                    output: None,
                    ..e.clone()
                }),
            }
        }
    }
    // Those of no type last, whichever file first had some.
    totals.sort_by_key(|t| t.of_type.is_none());
    let mut checks = Vec::new();
    let mut findings = Vec::new();
    for (file, f) in files.iter().enumerate() {
        let Some(o) = &f.types else { continue };
        checks.extend(o.checks.iter().map(|c| TrailerCheckEntry {
            file,
            of_type: c.of_type.clone(),
            record: c.record,
            item: c.item.clone(),
            kind: c.kind.into(),
            expected: c.expected.clone(),
            actual: c.actual.clone(),
            not_summed: c.not_summed,
            ok: c.ok,
        }));
        findings.extend(o.findings.iter().map(|x| RecordFindingEntry {
            file,
            record: x.record,
            code: x.code.into(),
            of_type: x.of_type.clone(),
            message: x.message.clone(),
        }));
    }
    (totals, checks, findings)
}

/// The map stage's counts over all files, as manifest entries: (gaiji, compat,
/// variants, unmapped), each in a fixed order (table order; code point order).
/// The units outside `--charset`, per item over all files (items in layout order).
fn nonstandard_entries(
    mapper: &Mapper,
    layout: &crate::layout::Layout,
    files: &[FileResult],
) -> Vec<NonstandardEntry> {
    let mut all: BTreeMap<(u32, Option<crate::charset::Unit>), (u64, Option<RecordRef>)> =
        BTreeMap::new();
    for (f, file) in files.iter().enumerate() {
        for (&(item, u), seen) in &file.tally.nonstandard {
            let e = all.entry((item, u)).or_insert((0, None));
            e.0 += seen.count;
            if u.is_some() {
                e.1.get_or_insert(RecordRef {
                    file: f,
                    record: seen.first_record,
                });
            }
        }
    }
    let action = match mapper.options().unmapped {
        UnmappedPolicy::Geta => "geta",
        _ => "reject",
    };
    all.into_iter()
        .map(|((item, u), (count, first_record))| NonstandardEntry {
            item: layout
                .fields
                .get(item as usize)
                .map(|f| f.name.clone())
                .unwrap_or_default(),
            chars: u.map(|u| u.codes()),
            text: u.map(|u| u.to_string()),
            count,
            first_record,
            action: action.into(),
        })
        .collect()
}

fn mapping_entries(
    mapper: &Mapper,
    files: &[FileResult],
) -> (
    Vec<GaijiEntry>,
    Vec<MappedEntry>,
    Vec<MappedEntry>,
    Vec<UnmappedEntry>,
) {
    let n = mapper.mappings().len();
    let mut count = vec![0u64; n];
    let mut first: Vec<Option<RecordRef>> = vec![None; n];
    let mut unmapped: BTreeMap<char, (u64, RecordRef)> = BTreeMap::new();
    for (f, file) in files.iter().enumerate() {
        for (m, seen) in file.tally.mapped.iter().enumerate() {
            if seen.count > 0 {
                count[m] += seen.count;
                first[m].get_or_insert(RecordRef {
                    file: f,
                    record: seen.first_record,
                });
            }
        }
        for (c, seen) in &file.tally.unmapped {
            let e = unmapped.entry(*c).or_insert((
                0,
                RecordRef {
                    file: f,
                    record: seen.first_record,
                },
            ));
            e.0 += seen.count;
        }
    }
    let (mut gaiji, mut compat, mut variants) = (Vec::new(), Vec::new(), Vec::new());
    for (i, m) in mapper.mappings().iter().enumerate() {
        let mj_name = m.mj.map(mj::mj_name);
        match m.kind {
            Kind::Gaiji if m.unwritable.is_some() || (m.builtin && count[i] == 0) => {}
            Kind::Gaiji => gaiji.push(GaijiEntry {
                source: format!("U+{:04X}", m.source as u32),
                mj: mj_name,
                gj: m.gj.map(crate::charset::ext::gj_name),
                output: code_points(&m.output),
                count: count[i],
                written: m.output.clone(),
                target: m.target_text.clone().unwrap_or_default(),
                table: m.origin.clone().unwrap_or_default(),
                table_source: (m.source_text != format!("U+{:04X}", m.source as u32))
                    .then(|| m.source_text.clone()),
                degenerate_table: m.degenerate_table.map(String::from),
                sibling: m.sibling.map(mj::mj_name),
                first_record: first[i],
                svs: count[i] * m.svs as u64,
            }),
            Kind::Compat | Kind::Variant if count[i] > 0 => {
                let e = MappedEntry {
                    source: format!("U+{:04X}", m.source as u32),
                    mj: mj_name,
                    output: code_points(&m.output),
                    count: count[i],
                    degenerate_table: m.degenerate_table.map(String::from),
                    svs: count[i] * m.svs as u64,
                };
                if m.kind == Kind::Compat {
                    compat.push(e);
                } else {
                    variants.push(e);
                }
            }
            _ => {}
        }
    }
    let action = match mapper.options().unmapped {
        UnmappedPolicy::Geta => "geta",
        _ => "reject",
    };
    let unmapped = unmapped
        .into_iter()
        .map(|(c, (count, first))| {
            let m = mapper.table_mapping(c);
            UnmappedEntry {
                source: format!("U+{:04X}", c as u32),
                count,
                first_record: first.record,
                file: first.file,
                action: action.to_string(),
                mj: m.and_then(|m| m.mj).map(mj::mj_name),
                reason: m.and_then(|m| m.unwritable.clone()),
            }
        })
        .collect();
    (gaiji, compat, variants, unmapped)
}
