//! One criterion bench per pipeline stage, on the same synthetic resident records
//! as the whole-process comparison (benches/support/synth.rs), so a slow stage can
//! be found without a profiler.
//!
//!     cargo bench --bench stages
//!
//! Throughput is reported in input bytes per second for every stage.

#[path = "support/synth.rs"]
mod synth;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ikou::convert::pipeline::convert_chunk;
use ikou::decode::{Encoding, decode};
use ikou::gaiji::{MapEvents, MapOptions, Mapper, TableSource};
use ikou::items::{Items, split_csv};
use ikou::record::{RecordProcessor, Scratch};
use ikou::split::{Chunk, ChunkReader, Framing, SplitConfig};
use sha2::Digest;
use std::hint::black_box;

const RECORDS: u64 = 20_000;
const LAYOUT: &str = include_str!("../testdata/layouts/juki-kojin.toml");

fn split_config() -> SplitConfig {
    SplitConfig {
        framing: Framing::Csv {
            delimiter: b',',
            quote: b'"',
        },
        encoding: Encoding::Cp932,
        chunk_bytes: SplitConfig::DEFAULT_CHUNK_BYTES,
        max_record: SplitConfig::DEFAULT_MAX_RECORD,
    }
}

fn chunks(data: &[u8]) -> Vec<Chunk> {
    let mut r = ChunkReader::new(data, split_config());
    let mut v = Vec::new();
    while let Ok(Some(c)) = r.next_chunk() {
        v.push(c);
    }
    v
}

fn table() -> TableSource {
    TableSource {
        path: "bench.tsv".into(),
        text: synth::gaiji_table(),
        sha256: String::new(),
    }
}

fn processor(with_table: bool) -> RecordProcessor {
    let layout = ikou::layout::parse(LAYOUT.as_bytes(), "juki-kojin.toml").expect("layout");
    let tables = if with_table { vec![table()] } else { vec![] };
    let mapper = Mapper::new(&tables, Encoding::Cp932, MapOptions::default()).expect("table");
    RecordProcessor::new(layout, Encoding::Cp932, mapper).expect("processor")
}

fn stages(c: &mut Criterion) {
    let plain = synth::cp932_file(RECORDS, 0, 1);
    let gaiji = synth::cp932_file(RECORDS, 20, 1);
    let mut g = c.benchmark_group("stage");
    g.sample_size(20);
    g.measurement_time(std::time::Duration::from_secs(3));
    g.throughput(Throughput::Bytes(plain.len() as u64));

    g.bench_function("split", |b| b.iter(|| chunks(black_box(&plain)).len()));

    let cs = chunks(&plain);
    let records: Vec<&[u8]> = cs
        .iter()
        .flat_map(|c| c.records.iter().map(|s| &c.data[s.start..s.end]))
        .collect();
    g.bench_function("decode", |b| {
        let mut s = String::new();
        b.iter(|| {
            for r in &records {
                s.clear();
                let _ = decode(Encoding::Cp932, black_box(r), &mut s);
            }
        })
    });

    let decoded: Vec<String> = records
        .iter()
        .map(|r| {
            let mut s = String::new();
            let _ = decode(Encoding::Cp932, r, &mut s);
            s
        })
        .collect();
    g.bench_function("items", |b| {
        let mut items = Items::default();
        b.iter(|| {
            for r in &decoded {
                let _ = split_csv(black_box(r), b',', b'"', &mut items);
            }
        })
    });

    let mapper = Mapper::new(&[table()], Encoding::Cp932, MapOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    g.bench_function("map", |b| {
        let (mut out, mut ev) = (String::new(), MapEvents::default());
        b.iter(|| {
            for r in &decoded {
                if mapper.needs_work(r) {
                    out.clear();
                    let _ = mapper.map(black_box(r), &mut out, &mut ev);
                }
                ev.clear();
            }
        })
    });

    for (name, p) in [
        ("record", processor(false)),
        ("record-with-table", processor(true)),
    ] {
        g.bench_function(name, |b| {
            let mut s = Scratch::default();
            b.iter(|| {
                for r in &records {
                    let _ = p.process(black_box(r), None, &mut s);
                }
            })
        });
    }

    let p = processor(true);
    g.bench_function("chunk (record + encode + tally)", |b| {
        let mut s = Scratch::default();
        b.iter(|| {
            cs.iter()
                .map(|c| convert_chunk(&p, false, c, &mut s).output.len())
                .sum::<usize>()
        })
    });
    let gcs = chunks(&gaiji);
    g.bench_function("chunk, 2% names with 外字", |b| {
        let mut s = Scratch::default();
        b.iter(|| {
            gcs.iter()
                .map(|c| convert_chunk(&p, false, c, &mut s).output.len())
                .sum::<usize>()
        })
    });

    g.bench_function("sha256", |b| {
        b.iter(|| sha2::Sha256::digest(black_box(&plain)))
    });
    g.finish();
}

/// Mainframe text: decoding by table and the per-item shift scan, on synthetic
/// 60-byte items (EBCDIC digits, a double-byte run, EBCDIC padding).
fn mainframe(c: &mut Criterion) {
    let item = |si: &[u8], so: &[u8], kanji: &[u8]| -> Vec<u8> {
        let mut v: Vec<u8> = b"\xF0\xF1\xF2\xF3\xF4\xC1\xC2".to_vec();
        v.extend_from_slice(si);
        for _ in 0..10 {
            v.extend_from_slice(kanji);
        }
        v.extend_from_slice(so);
        v.resize(60, 0x40);
        v
    };
    let cases = [
        (
            Encoding::Ibm930,
            item(b"\x0E", b"\x0F", b"\x45\x62\x45\x41"),
        ),
        (
            Encoding::JefEbcdik,
            item(b"\x28", b"\x29", b"\xB0\xA1\xC6\xFC"),
        ),
        (
            Encoding::KeisEbcdik,
            item(b"\x0A\x42", b"\x0A\x41", b"\xB0\xA1\xC6\xFC"),
        ),
    ];
    let mut g = c.benchmark_group("mainframe");
    g.sample_size(20);
    g.measurement_time(std::time::Duration::from_secs(2));
    const ITEMS: usize = 10_000;
    g.throughput(Throughput::Bytes((60 * ITEMS) as u64));
    for (enc, bytes) in &cases {
        let mut s = String::new();
        assert!(
            decode(*enc, bytes, &mut s).is_ok(),
            "{enc}: the bench item decodes"
        );
        g.bench_function(format!("decode {enc}"), |b| {
            b.iter(|| {
                for _ in 0..ITEMS {
                    s.clear();
                    let _ = decode(*enc, black_box(bytes), &mut s);
                }
            })
        });
        g.bench_function(format!("shift scan {enc}"), |b| {
            b.iter(|| {
                (0..ITEMS)
                    .filter(|_| ikou::items::shift::unclosed(*enc, black_box(bytes)).is_some())
                    .count()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, stages, mainframe);
criterion_main!(benches);
