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
use crate::layout::LoadedLayout;
use crate::manifest::{
    self, CleansingEntry, Counts, FileEntry, GaijiEntry, InputEntry, Manifest, MappedEntry,
    NonstandardEntry, ReasonEntry, RecordRef, TableEntry, UnmappedEntry,
};
use crate::mj;
use crate::outdir::OutDir;
use crate::output::{self, PendingFile, Written};
use crate::parallel::Workers;
use crate::record::RecordProcessor;
use crate::split::{Framing, SplitConfig, StreamInfo};
use crate::tally::Tally;
use sha2::{Digest, Sha256};
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
        {
            3
        } else {
            0
        }
    }
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
    pipeline::split_config(opts)?;
    if !(1..=crate::parallel::Workers::MAX_JOBS).contains(&opts.jobs) {
        return Err(Error::Usage(format!(
            "--jobs must be from 1 to {}",
            crate::parallel::Workers::MAX_JOBS
        )));
    }
    // Before anything reads the inputs: an input ikou would remove is refused first.
    crate::outdir::check_inputs(&opts.out_dir, inputs)?;
    let names = output_names(inputs, &opts.out_dir)?;
    let mut total_bytes = 0;
    for (path, label) in inputs.iter().zip(labels) {
        let checked = input::check(path, opts.encoding, &opts.layout.layout, opts.allow_empty);
        total_bytes += if opts.skip_encoding_check {
            checked.or_else(|e| std::fs::metadata(path).map(|m| m.len()).map_err(|_| e))
        } else {
            checked
        }
        .map_err(|e| e.shown_as(path, label))?;
    }
    let mapper = opts.mapper()?;
    let warnings = mapper.warnings().iter().map(ToString::to_string).collect();
    let processor = RecordProcessor::new(opts.layout.layout.clone(), opts.encoding, mapper)
        .map_err(|e| Error::Config(format!("layout {}: {e}", opts.layout.origin)))?;
    let planned: Vec<String> = names
        .iter()
        .flat_map(|(o, r)| [o.clone(), r.clone()])
        .collect();
    let out_dir = OutDir::open(&opts.out_dir, inputs, &planned, opts.force)?;
    if let Some(pb) = &opts.progress {
        pb.set_length(total_bytes);
    }

    let workers = Workers::new(opts.jobs)?;

    let mut pending = Vec::new();
    let mut files = Vec::new();
    for ((path, label), (out_name, rej_name)) in inputs.iter().zip(labels).zip(&names) {
        let mut out = PendingFile::create(&opts.out_dir.join(out_name)).map_err(Error::io(
            &opts.out_dir.join(out_name),
            "check that the output directory is writable",
        ))?;
        let mut rej = PendingFile::create(&opts.out_dir.join(rej_name)).map_err(Error::io(
            &opts.out_dir.join(rej_name),
            "check that the output directory is writable",
        ))?;
        let (stream, tally) =
            pipeline::run_file(opts, &workers, &processor, path, &mut out, &mut rej)
                .map_err(|e| e.shown_as(path, label))?;
        let output = out
            .finish()
            .map_err(Error::io(out.dest(), "the disk may be full"))?;
        let rejects = rej
            .finish()
            .map_err(Error::io(rej.dest(), "the disk may be full"))?;
        files.push(FileResult {
            input: label.clone(),
            output_name: out_name.clone(),
            rejects_name: rej_name.clone(),
            stream,
            tally,
            output,
            rejects,
        });
        pending.push(out);
        pending.push(rej);
    }
    if let Some(pb) = &opts.progress {
        pb.finish_and_clear();
    }

    // The report and the manifest are written whole before anything is published,
    // so that a full disk cannot strike between publishing one and the other.
    let mut manifest = build_manifest(opts, processor.mapper(), &files);
    let (report, entry) = write_report(opts, &processor, &manifest, &files)?;
    manifest.report = Some(entry);
    let json = manifest
        .to_json()
        .map_err(|e| Error::Config(format!("cannot write the manifest: {e}")))?;
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
        layout: &opts.layout.layout,
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
/// published.
fn write_pending(dest: &Path, data: &[u8]) -> Result<(PendingFile, Written), Error> {
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

/// `<stem>.csv` and `<stem>.rejects.csv` for each input; refuses names that collide
/// with each other or with an input.
fn output_names(inputs: &[PathBuf], out_dir: &Path) -> Result<Vec<(String, String)>, Error> {
    let mut seen = HashSet::new();
    let mut names = Vec::new();
    for path in inputs {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::input(path, "has no file name"))?;
        let pair = (format!("{stem}.csv"), format!("{stem}.rejects.csv"));
        if stem.starts_with(crate::outdir::RESERVED_PREFIX) {
            return Err(Error::Usage(format!(
                "{}: ikou keeps names starting with {} for its own files in --out; rename the input",
                path.display(),
                crate::outdir::RESERVED_PREFIX
            )));
        }
        for name in [&pair.0, &pair.1] {
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

fn build_manifest(opts: &ConvertOptions, mapper: &Mapper, files: &[FileResult]) -> Manifest {
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
        });
        outputs.push(FileEntry {
            path: f.output_name.clone(),
            sha256: f.output.sha256.clone(),
            bytes: f.output.bytes,
            records: t.written,
        });
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
    let mut tables = vec![TableEntry {
        kind: "layout".into(),
        path: layout.origin.clone(),
        sha256: output::hex(&Sha256::digest(&layout.bytes)),
        version: Some(layout.layout.version.clone()).filter(|v| !v.is_empty()),
    }];
    for t in mapper.tables() {
        tables.push(TableEntry {
            kind: t.kind.into(),
            path: t.path.clone(),
            sha256: t.sha256.clone(),
            version: None,
        });
    }
    // --- MJ+ (--charset-ext) ---
    for t in mapper.options().ext.map(|x| x.files()).unwrap_or_default() {
        tables.push(TableEntry {
            kind: "charset-ext".into(),
            path: t.path.clone(),
            sha256: t.sha256.clone(),
            version: None,
        });
    }
    for (path, bytes) in mj::EMBEDDED_TABLES {
        tables.push(TableEntry {
            kind: "mj".into(),
            path: format!("embedded:{path}"),
            sha256: output::hex(&Sha256::digest(bytes)),
            version: Some(mj::db().version().to_string()),
        });
    }
    let map = mapper.options();
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
        map.variants.name().to_string(),
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
    Manifest {
        tool: manifest::Tool::this(),
        options: manifest::Options {
            layout: layout.origin.clone(),
            encoding: opts.encoding.name().into(),
            extra,
        },
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
        kept_dates: manifest::kept_dates(&layout.layout, files.iter().map(|f| &f.tally)),
        nonstandard: nonstandard_entries(mapper, &layout.layout, files),
        cleansing: rules
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                let item = &layout.layout.fields[i].name;
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
