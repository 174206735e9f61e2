//! Cleansing throughput for a typical item mix: an ASCII 宛名番号, a half-width kana
//! name, a 和暦 date, plus the unchanged forms the bulk of a re-run sees.
//!
//! `cargo bench --bench cleanse`; the figure is items per second on one core.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ikou::cleanse::{Cleanser, RuleCounts};
use std::hint::black_box;

const LAYOUT: &str = r#"
name = "bench"
format = "csv"
[[fields]]
name = "宛名番号"
type = "digits"
[[fields]]
name = "氏名カナ"
type = "kana"
[[fields]]
name = "生年月日"
type = "date"
date = "wareki"
[[fields]]
name = "性別"
type = "code"
codes = ["1", "2", "9"]
[[fields]]
name = "氏名"
"#;

fn bench(c: &mut Criterion) {
    let layout = ikou::layout::parse(LAYOUT.as_bytes(), "bench").expect("bench layout");
    let cleanser = Cleanser::new(&layout).expect("bench cleanser");
    let mut group = c.benchmark_group("cleanse");

    let mixed: &[(usize, &str)] = &[(0, "000012345678901"), (1, "ﾔﾏﾀﾞ ﾀﾛｳ"), (2, "4020315")];
    let typical: &[(usize, &str)] = &[
        (0, "000012345678901"),
        (1, "ﾔﾏﾀﾞ ﾀﾛｳ"),
        (2, "4020315"),
        (0, "１２３４５"),
        (1, "スズキ　ハナコ"),
        (2, "3640107"),
        (3, "1"),
        (4, "山田　太郎　　　　"),
    ];
    for (name, items) in [
        ("digits+halfkana+wareki", mixed),
        ("typical-record", typical),
    ] {
        group.throughput(Throughput::Elements(items.len() as u64));
        group.bench_function(name, |b| {
            let mut out = String::with_capacity(64);
            let mut counts = [RuleCounts::new(); 5];
            b.iter(|| {
                for &(field, value) in items {
                    out.clear();
                    let r = cleanser.cleanse(field, black_box(value), &mut out, &mut counts[field]);
                    black_box((&r, &out));
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
