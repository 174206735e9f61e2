//! Files through the stages: a reader thread splits chunks, rayon workers
//! convert them, a file's writer writes its results back in input order.

use super::ConvertOptions;
use crate::error::Error;
use crate::gaiji::UnmappedPolicy;
use crate::layout::RecordKind;
use crate::layout::{Format, Layout};
use crate::output::PendingFile;
use crate::parallel::{FileFeed, Workers};
use crate::record::{RecordProcessor, Scratch};
use crate::records::{Partial, RecordTypes};
use crate::reject;
use crate::split::{Chunk, SplitConfig, StreamInfo};
use crate::tally::Tally;
use std::cell::RefCell;
use std::path::Path;

thread_local! {
    /// One set of per-record buffers per worker thread, kept across chunks.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// What a worker makes of one chunk.
#[derive(Debug, Default)]
pub struct ChunkOutput {
    pub seq: u64,
    /// Input bytes the chunk covered (for progress).
    pub input_bytes: usize,
    pub output: Vec<u8>,
    pub rejects: Vec<u8>,
    pub tally: Tally,
    /// `--unmapped fail` met an unmapped 外字: the run must stop (message for the user).
    pub stop: Option<String>,
    /// With record types: their counts, sums and order in this chunk, and the
    /// data of outputs 1.. (`output` is output 0).
    pub types: Option<Partial>,
    /// `--to`: the codes converted in the chunk's written records.
    pub codes: crate::target::apply::CodeCounts,
}

/// Converts one chunk. Pure: the same chunk always gives the same output.
pub fn convert_chunk(
    processor: &RecordProcessor,
    header: bool,
    chunk: &Chunk,
    scratch: &mut Scratch,
) -> ChunkOutput {
    convert_chunk_into(
        processor,
        None,
        header,
        chunk,
        scratch,
        Vec::new(),
        Vec::new(),
    )
}

/// Room for a chunk's output: UTF-8 from a double-byte encoding is at most 1.5
/// times as long, so a buffer of this size is never grown for most chunks.
fn output_room(input: usize) -> usize {
    input.saturating_add(input / 2)
}

/// As [`convert_chunk`], writing the output and the rejects into `buf` and
/// `rejects` (recycled buffers).
fn convert_chunk_into(
    processor: &RecordProcessor,
    typed: Option<&RecordTypes>,
    header: bool,
    chunk: &Chunk,
    scratch: &mut Scratch,
    mut buf: Vec<u8>,
    mut rejects: Vec<u8>,
) -> ChunkOutput {
    buf.clear();
    buf.reserve(output_room(chunk.data.len()));
    rejects.clear();
    let mut out = ChunkOutput {
        seq: chunk.seq,
        input_bytes: chunk.data.len(),
        output: buf,
        rejects,
        ..ChunkOutput::default()
    };
    // The key of a written record is the output's; of a rejected one, the source's.
    let key_field = processor.output_layout().key_field();
    let fixed_out = processor
        .target()
        .filter(|p| p.layout().format == Format::Fixed);
    // With record types: this chunk's counts, sums and order, made at its first
    // typed record and handed over in `out.types` when the chunk ends.
    let mut partial: Option<Partial> = None;
    for (k, span) in chunk.records.iter().enumerate() {
        let record = chunk.first_record + k as u64;
        let raw = &chunk.data[span.start..span.end];
        if chunk.is_header(header, k) {
            out.tally.header += 1;
            continue;
        }
        if raw.is_empty() && span.flaw.is_none() {
            out.tally.blank += 1;
            continue;
        }
        if let Some(rt) = typed {
            let offset = chunk.offset + span.start as u64;
            let p = partial.get_or_insert_with(|| rt.partial());
            if typed_record(
                processor, rt, record, offset, raw, span.flaw, scratch, &mut out, p,
            ) {
                out.types = partial;
                return out;
            }
            continue;
        }
        match processor.process(raw, span.flaw, scratch) {
            Ok(()) => {
                write_line(&mut out.output, fixed_out, scratch);
                if processor.target().is_some() {
                    out.codes.add(&scratch.target);
                }
                let key = || key_field.map(|k| scratch.written().get(k));
                out.tally
                    .write_keyed(&scratch.changes, &scratch.events, record, key);
                out.tally.spaces_trimmed(scratch.spaces_trimmed());
            }
            Err(r) => {
                let offset = chunk.offset + span.start as u64;
                if reject_record(processor, r, record, offset, raw, scratch, &mut out) {
                    return out;
                }
            }
        }
    }
    out.types = partial;
    out
}

/// Writes a converted record's line (`fixed_out`: the fixed-length target of
/// `--to`).
fn write_line(buf: &mut Vec<u8>, fixed_out: Option<&crate::target::Plan>, scratch: &Scratch) {
    match fixed_out {
        Some(plan) => crate::target::apply::fixed_line(
            buf,
            plan.layout(),
            plan.fixed_order(),
            scratch.written(),
        ),
        None => scratch.write_csv(buf),
    }
}

/// Writes the reject line of a record `processor` refused with `r`, and counts
/// it. True: `--unmapped fail` stops the run here (`out.stop` says why).
fn reject_record(
    processor: &RecordProcessor,
    r: reject::Reject,
    record: u64,
    offset: u64,
    raw: &[u8],
    scratch: &Scratch,
    out: &mut ChunkOutput,
) -> bool {
    let source_key = processor.layout().key_field();
    let key = source_key
        .filter(|&k| k < scratch.items.len())
        .map(|k| scratch.items.get(k));
    out.tally.unmapped_in(&scratch.events, record, key);
    if (r.code == crate::record::UNMAPPED || r.code == crate::record::NONSTANDARD)
        && processor.mapper().options().unmapped == UnmappedPolicy::Fail
    {
        // The reason is Japanese (as in the reject file): it stands apart.
        out.stop = Some(format!(
            "record {record} (byte offset {offset}), reason: 「{}」",
            r.message
        ));
        return true;
    }
    let key = reject_key(processor, &r, scratch);
    let position = item_position(processor, &r, scratch.reshaped().is_some());
    let content = record_content(processor.layout(), scratch);
    reject::write(
        &mut out.rejects,
        &reject::Line {
            record,
            offset,
            reject: &r,
            key,
            position: position.as_deref(),
            content: content.as_deref(),
            original: raw,
        },
    );
    out.tally.reject(r.code, r.item.as_deref(), record, key);
    if r.code == crate::record::ITEM_COUNT {
        // The record was split: its items are what the data holds.
        out.tally.items_found(scratch.items.len());
    }
    false
}

/// One record of a layout with record types: classified, read with its type's
/// items, then written (data), checked (header, trailer) or rejected. True:
/// `--unmapped fail` stops the run here.
#[allow(clippy::too_many_arguments)]
fn typed_record(
    base: &RecordProcessor,
    rt: &RecordTypes,
    record: u64,
    offset: u64,
    raw: &[u8],
    flaw: Option<crate::split::Flaw>,
    scratch: &mut Scratch,
    out: &mut ChunkOutput,
    partial: &mut Partial,
) -> bool {
    // A record the splitter could not frame has no type: the base processor
    // rejects it for its flaw.
    let ty = match flaw {
        Some(_) => base.process(raw, flaw, scratch).err(),
        None => match rt.classify(raw, &mut scratch.classify.0, &mut scratch.classify.1) {
            Ok(t) => {
                return typed_known(rt, t, record, offset, raw, scratch, out, partial);
            }
            Err(r) => {
                scratch.items.clear();
                Some(r)
            }
        },
    };
    partial.unclassified();
    match ty {
        Some(r) => reject_record(base, r, record, offset, raw, scratch, out),
        None => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn typed_known(
    rt: &RecordTypes,
    t: usize,
    record: u64,
    offset: u64,
    raw: &[u8],
    scratch: &mut Scratch,
    out: &mut ChunkOutput,
    partial: &mut Partial,
) -> bool {
    let info = &rt.types[t];
    let p = &info.processor;
    let res = p.process(raw, None, scratch);
    if info.kind != RecordKind::Data {
        // Read and checked, never written: its values, or why it is unreadable.
        let values = res.map_err(|r| r.message).and_then(|()| {
            rt.checks
                .iter()
                .enumerate()
                .filter(|(_, c)| c.of_type == t)
                .map(|(i, c)| {
                    let v = scratch.written().get(c.item);
                    crate::records::Decimal::parse(v)
                        .map(|d| (i, d))
                        .ok_or_else(|| format!("{}: 「{v}」を数として読めません", c.item_name))
                })
                .collect()
        });
        partial.control(t, record, values);
        return false;
    }
    // The per-item counts are by the layout's data item names (under --to, by
    // the target's, which the items written already are).
    if p.target().is_none() {
        for c in &mut scratch.changes {
            c.0 = info.to_union.get(c.0).copied().unwrap_or(c.0);
        }
        for e in &mut scratch.events.nonstandard {
            e.0 = info.to_union.get(e.0 as usize).map_or(e.0, |&u| u as u32);
        }
    }
    let written = res.is_ok();
    for &(item, slot) in rt.sums_of(t) {
        // Under --to the items written are the target's: the source item as read.
        let value = if written && p.target().is_none() {
            Some(scratch.written().get(item))
        } else {
            // A rejected record's item as read, if it was read into its items.
            (scratch.items.len() == p.layout().fields.len()).then(|| scratch.items.get(item))
        };
        partial.add_to_sum(slot, record, value);
    }
    partial.data(t, record, written);
    match res {
        Ok(()) => {
            let buf = match info.output {
                Some(o) if o > 0 => &mut partial.outputs[o - 1],
                _ => &mut out.output,
            };
            let fixed_out = p.target().filter(|t| t.layout().format == Format::Fixed);
            write_line(buf, fixed_out, scratch);
            if p.target().is_some() {
                out.codes.add(&scratch.target);
            }
            let key = || {
                p.output_layout()
                    .key_field()
                    .map(|k| scratch.written().get(k))
            };
            out.tally
                .write_keyed(&scratch.changes, &scratch.events, record, key);
            // Zero: record types count every trim in `changes` (by item name).
            out.tally.spaces_trimmed(scratch.spaces_trimmed());
            false
        }
        Err(r) => reject_record(p, r, record, offset, raw, scratch, out),
    }
}

/// How `convert` splits its inputs. Err (exit 2): a size out of range, or
/// fixed-length records longer than `max_record`; call it before anything is
/// written to say so first.
pub fn split_config(opts: &ConvertOptions) -> Result<SplitConfig, Error> {
    SplitConfig::new(
        opts.framing(),
        opts.encoding,
        opts.chunk_bytes,
        opts.max_record,
    )
}

/// The key item of a rejected record, when it is known: the reject is about one
/// item's value (so the record was split into all its items; before that, the
/// items may still be an earlier record's) and that item is not the key itself.
fn reject_key<'s>(
    processor: &RecordProcessor,
    r: &reject::Reject,
    scratch: &'s Scratch,
) -> Option<&'s str> {
    let fields = &processor.layout().fields;
    let k = processor.layout().key_field()?;
    let item = r.item.as_deref()?;
    let known = scratch.items.len() == fields.len() && item != fields[k].name;
    // The layout refuses a key that is sensitive; never show one all the same.
    (known && !fields[k].sensitive).then(|| scratch.items.get(k))
}

/// Where the reject's item is in the record, from the layout: "3項目目" (csv)
/// or "11〜20バイト目" (fixed). None without an item, or for a sensitive item
/// (as its reason, the reject line says nothing of where its value went wrong).
///
/// `reshaped`: the record reached the target's items (`convert --to`), so the
/// reject names a target item: its position is that of the source item its
/// value was made from, when that is one item.
fn item_position(
    processor: &RecordProcessor,
    r: &reject::Reject,
    reshaped: bool,
) -> Option<String> {
    let layout = processor.layout();
    let mut name = r.item.as_deref()?;
    if let Some(plan) = processor.target().filter(|_| reshaped) {
        if plan
            .layout()
            .fields
            .iter()
            .any(|f| f.name == name && f.sensitive)
        {
            return None;
        }
        name = plan.source_item(name)?;
    }
    let (i, f) = layout
        .fields
        .iter()
        .enumerate()
        .find(|(_, f)| f.name == name)?;
    if f.sensitive {
        return None;
    }
    match layout.format {
        Format::Csv => Some(format!("{}項目目", i.saturating_add(1))),
        Format::Fixed => {
            let off = f.offset?;
            let end = off.checked_add(f.length?)?;
            Some(format!("{}〜{}バイト目", off.saturating_add(1), end))
        }
    }
}

/// The rejected record's items as text, joined by [`reject::ITEM_SEPARATOR`],
/// each sensitive item shown as [`reject::HIDDEN`]; None when the record was
/// not read into all its items (then only its original bytes show it).
fn record_content(layout: &Layout, scratch: &Scratch) -> Option<String> {
    let items = &scratch.items;
    if items.len() != layout.fields.len() {
        return None;
    }
    let mut s = String::with_capacity(items.text().len().saturating_add(layout.fields.len()));
    for (i, f) in layout.fields.iter().enumerate() {
        if i > 0 {
            s.push(reject::ITEM_SEPARATOR);
        }
        s.push_str(if f.sensitive {
            reject::HIDDEN
        } else {
            items.get(i)
        });
    }
    Some(s)
}

/// What the workers run on each chunk of every input (the same for all: a chunk
/// converts alike whatever file it is of).
pub(super) fn chunk_work<'a>(
    cfg: SplitConfig,
    workers: &'a Workers,
    processor: &'a RecordProcessor,
    typed: Option<&'a RecordTypes>,
) -> impl Fn(&Chunk) -> ChunkOutput + Sync + 'a {
    let header = processor.layout().header;
    let (buffers, rejects) = (&workers.buffers, &workers.rejects);
    move |chunk: &Chunk| {
        SCRATCH.with_borrow_mut(|scratch| {
            let out = buffers.take(output_room(cfg.chunk_bytes.saturating_add(64 * 1024)));
            convert_chunk_into(
                processor,
                typed,
                header,
                chunk,
                scratch,
                out,
                rejects.take(0),
            )
        })
    }
}

/// Writes one input's converted chunks (from `feed`, in input order) to its
/// outputs; returns what the splitter saw and the tally. With record types,
/// `typed` gives them and `extra` the outputs 1.. (one per data type after the
/// first); the partial returned is the file's.
#[allow(clippy::too_many_arguments)]
pub(super) fn write_file(
    opts: &ConvertOptions,
    workers: &Workers,
    typed: Option<&RecordTypes>,
    path: &Path,
    feed: FileFeed<'_, ChunkOutput>,
    out: &mut PendingFile,
    extra: &mut [PendingFile],
    rej: &mut PendingFile,
) -> Result<
    (
        StreamInfo,
        Tally,
        Option<Partial>,
        crate::target::apply::CodeCounts,
    ),
    Error,
> {
    let rejects = &workers.rejects;
    let mut tally = Tally::default();
    let mut types = typed.map(RecordTypes::partial);
    let mut codes = crate::target::apply::CodeCounts::default();
    let mut head = Vec::new();
    reject::write_header(&mut head, opts.rejects_bom);
    rej.write_all(&head).map_err(Error::io(
        rej.dest(),
        "writing the reject file failed; the disk may be full",
    ))?;
    let write = |mut c: ChunkOutput| -> Result<(), Error> {
        if let Some(why) = c.stop {
            return Err(Error::Stopped(format!(
                "{}: stopped at {why}. Nothing was published; add the 外字 to a table (ikou profile --worklist helps), or use --unmapped reject|geta",
                path.display()
            )));
        }
        out.write_owned(c.output).map_err(Error::io(
            out.dest(),
            "writing the output failed; the disk may be full",
        ))?;
        rej.write_all(&c.rejects).map_err(Error::io(
            rej.dest(),
            "writing the reject file failed; the disk may be full",
        ))?;
        if let (Some(all), Some(mut part)) = (types.as_mut(), c.types.take()) {
            for (f, data) in extra.iter_mut().zip(std::mem::take(&mut part.outputs)) {
                f.write_all(&data).map_err(Error::io(
                    f.dest(),
                    "writing the output failed; the disk may be full",
                ))?;
            }
            all.merge(part);
        }
        if let Some(pb) = &opts.progress {
            pb.inc(c.input_bytes as u64);
            let records = tally.read + c.tally.read;
            let secs = pb.elapsed().as_secs_f64().max(1e-3);
            pb.set_message(format!(
                "{records} records, {:.0} records/s",
                records as f64 / secs
            ));
        }
        rejects.put(c.rejects);
        tally.merge(c.tally);
        codes.merge(&c.codes);
        Ok(())
    };
    let info = feed.consume(write)?;
    Ok((info, tally, types, codes))
}
