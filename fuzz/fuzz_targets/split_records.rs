//! The splitter and the record processor on arbitrary bytes.
//!
//! Input: byte 0 picks the framing and the encoding, byte 1 a small chunk size,
//! byte 2 the longest record, byte 3 whether the rest is repeated past 64 KiB
//! (the splitter reads 64 KiB at a time: only a longer file has records that
//! straddle a read); the rest is the file. Checks:
//! - a small chunk size and a large one give the same records, spans, flaws and
//!   stream info (nothing changes at a chunk boundary);
//! - every byte of the file is in exactly one record, or is the BOM, a line end
//!   after a record, or a trailing EOF marker, as StreamInfo says;
//! - every reject's original bytes (and record number, offset, reason) come back
//!   from the reject line format unchanged.
#![no_main]

use ikou::decode::Encoding;
use ikou::gaiji::{MapOptions, Mapper};
use ikou::layout::Layout;
use ikou::record::{RecordProcessor, Scratch};
use ikou::split::{ChunkPool, ChunkReader, Flaw, Framing, SplitConfig, StreamInfo};
use libfuzzer_sys::fuzz_target;
use sha2::Digest;
use std::sync::{Arc, OnceLock};

const CSV_LAYOUT: &str = r#"
name = "fuzz"
format = "csv"
[[fields]]
name = "a"
type = "digits"
length = 4
[[fields]]
name = "b"
type = "kana"
[[fields]]
name = "c"
"#;

const FIXED_LAYOUT: &str = r#"
name = "fuzz"
format = "fixed"
record_length = 4
newline = NEWLINE
[[fields]]
name = "a"
offset = 0
length = 2
type = "digits"
[[fields]]
name = "b"
offset = 2
length = 2
"#;

/// (record number, file offset, bytes, flaw)
type Rec = (u64, u64, Vec<u8>, Option<Flaw>);

fn split_all(input: &[u8], cfg: SplitConfig) -> (Vec<Rec>, StreamInfo) {
    // Chunk buffers go back to the pool, as the converter does (and without it every
    // chunk allocates 64 KiB, which makes tiny chunk sizes slow to fuzz).
    let pool = Arc::new(ChunkPool::default());
    let mut r = ChunkReader::with_pool(input, cfg, Arc::clone(&pool));
    let mut out = Vec::new();
    let mut seq = 0;
    while let Some(ch) = r.next_chunk().expect("reading a slice cannot fail") {
        assert_eq!(ch.seq, seq);
        seq += 1;
        for (i, s) in ch.records.iter().enumerate() {
            assert!(s.start <= s.end && s.end <= ch.data.len());
            out.push((
                ch.first_record + i as u64,
                ch.offset + s.start as u64,
                ch.data[s.start..s.end].to_vec(),
                s.flaw,
            ));
        }
        pool.recycle(ch);
    }
    (out, r.finish().expect("hashing here cannot fail"))
}

/// True when `gap` is nothing or one line end (CR, LF, CRLF) in code units of `enc`.
fn is_line_end_or_nothing(gap: &[u8], enc: Encoding) -> bool {
    let unit = |c: u8| enc.ascii_unit(c)[2 - enc.unit_width()..].to_vec();
    let (cr, lf) = (unit(b'\r'), unit(b'\n'));
    gap.is_empty() || gap == cr || gap == lf || gap == [cr, lf].concat()
}

const FRAMINGS: usize = 4;

/// The layout of a framing (`mode & 3`).
fn layout(framing: usize) -> Layout {
    let text = match framing {
        0 | 1 => CSV_LAYOUT.to_string(),
        2 => FIXED_LAYOUT.replace("NEWLINE", "false"),
        _ => FIXED_LAYOUT.replace("NEWLINE", "true"),
    };
    ikou::layout::parse(text.as_bytes(), "fuzz.toml").expect("the layout is valid")
}

/// The record processors per framing and encoding, built before fuzzing starts (a
/// Mapper takes far longer to build than a record to process).
static PROCESSORS: OnceLock<Vec<Option<RecordProcessor>>> = OnceLock::new();

fn processors() -> Vec<Option<RecordProcessor>> {
    let mut all = Vec::new();
    for framing in 0..FRAMINGS {
        for enc in Encoding::ALL {
            let mapper = Mapper::new(&[], enc, MapOptions::default()).expect("no tables");
            all.push(RecordProcessor::new(layout(framing), enc, mapper).ok());
        }
    }
    all
}

fuzz_target!(init: { PROCESSORS.get_or_init(processors); }, |data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (mode, max_record) = (data[0], data[2] as usize);
    let repeated;
    let (input, chunk_bytes) = match &data[4..] {
        rest if data[3] & 1 == 1 && !rest.is_empty() => {
            repeated = rest.repeat((1 << 16) / rest.len() + 1 + (data[3] as usize >> 1) % 3);
            // Each chunk copies what is left of the read: tiny chunks of 64 KiB
            // cost quadratic time, so larger ones here.
            (&repeated[..], (data[1] as usize + 1) * 512)
        }
        rest => (rest, data[1] as usize % 64 + 1),
    };
    let e = (mode as usize >> 2) % Encoding::ALL.len();
    let enc = Encoding::ALL[e];
    let Some(processors) = PROCESSORS.get() else { return };
    let processor = processors[(mode as usize & 3) * Encoding::ALL.len() + e].as_ref();
    let framing = processor.map_or_else(|| layout(mode as usize & 3).framing(), |p| p.layout().framing());
    // Even the smallest limit the flag allows; more than the file: no cut.
    let max_record = if mode & 1 == 1 { max_record % 16 + 1 } else { max_record * 64 + 1 };
    // Sizes out of range are refused (tested elsewhere); only valid ones split.
    let (Ok(small), Ok(big)) = (
        SplitConfig::new(framing, enc, chunk_bytes, max_record),
        SplitConfig::new(framing, enc, 1 << 20, max_record),
    ) else {
        return;
    };

    let (recs, info) = split_all(input, small);
    let (recs_big, info_big) = split_all(input, big);
    if recs != recs_big {
        // The first difference only: a long file has thousands of records.
        let i = recs.iter().zip(&recs_big).take_while(|(a, b)| a == b).count();
        panic!(
            "chunk size {chunk_bytes} changes the records: {} against {} records; record {}: {:?} against {:?}",
            recs.len(),
            recs_big.len(),
            i + 1,
            recs.get(i),
            recs_big.get(i)
        );
    }
    assert_eq!(info, info_big, "chunk size {chunk_bytes} changes the stream info");
    assert_eq!(info.bytes, input.len() as u64);
    assert_eq!(info.records, recs.len() as u64);
    assert_eq!(info.sha256[..], sha2::Sha256::digest(input)[..]);

    // Coverage: the records in order, with only line ends between them.
    let bom = enc.bom();
    let unframed = matches!(framing, Framing::Fixed { newline: false, .. });
    let mut pos = 0usize;
    if info.bom {
        assert!(!bom.is_empty() && input.starts_with(bom));
        pos = bom.len();
    } else {
        assert!(bom.is_empty() || !input.starts_with(bom), "a BOM was not skipped");
    }
    for (i, (number, offset, bytes, _)) in recs.iter().enumerate() {
        assert_eq!(*number, i as u64 + 1);
        let offset = *offset as usize;
        assert!(offset >= pos, "record {number} overlaps the one before");
        let gap = &input[pos..offset];
        assert!(
            is_line_end_or_nothing(gap, enc) && (gap.is_empty() || !unframed),
            "bytes {pos}..{offset} before record {number} are in no record"
        );
        assert_eq!(&input[offset..offset + bytes.len()], &bytes[..]);
        pos = offset + bytes.len();
    }
    // The tail: one line end, then EOF markers (only if the splitter saw them).
    let mut tail = &input[pos..];
    let w = enc.unit_width();
    let marker = &enc.ascii_unit(0x1A)[2 - w..];
    let mut markers = 0;
    while tail.ends_with(marker) && tail.len() >= w {
        tail = &tail[..tail.len() - w];
        markers += 1;
    }
    assert!(is_line_end_or_nothing(tail, enc), "the tail {:?} is in no record", &input[pos..]);
    assert_eq!(info.eof_marker, markers > 0, "EOF markers");

    // Every record through the processor; rejects through the reject line format.
    // The long repeated files are for the splitter; records are processed in short ones.
    let Some(processor) = processor.filter(|_| input.len() < 1 << 16) else { return };
    let mut scratch = Scratch::default();
    let mut rejects = Vec::new();
    ikou::reject::write_header(&mut rejects, false);
    let mut expected = Vec::new();
    for (number, offset, raw, flaw) in &recs {
        if raw.is_empty() && flaw.is_none() {
            continue; // a blank line: counted, not processed
        }
        match processor.process(raw, *flaw, &mut scratch) {
            Ok(()) => {
                assert!(flaw.is_none());
                assert_eq!(scratch.written().len(), processor.layout().fields.len());
                let mut line = Vec::new();
                scratch.written().write_csv(&mut line);
            }
            Err(r) => {
                ikou::reject::write_line(&mut rejects, *number, *offset, &r, raw);
                expected.push((*number, *offset, r, raw.clone()));
            }
        }
    }
    let lines = ikou::reject::read_lines(&rejects).expect("the reject lines read back");
    assert_eq!(lines.len(), expected.len());
    for (line, (number, offset, r, raw)) in lines.iter().zip(&expected) {
        assert_eq!(line.record, *number);
        assert_eq!(line.offset, *offset);
        assert_eq!(line.code, r.code);
        assert_eq!(line.message, r.message);
        assert_eq!(line.item, r.item.clone().unwrap_or_default());
        assert_eq!(&line.original, raw, "record {number}: the original bytes do not round-trip");
    }
});
