//! Writes a synthetic CP932 resident export for benchmarks (not committed data).
//!
//!     cargo run --release --example gen_residents -- 1000000 > /tmp/residents.csv
//!     cargo run --release --example gen_residents -- 1000000 20 > /tmp/residents-gaiji.csv
//!
//! Arguments: record count (default 1,000,000), names with a vendor 外字 per mille
//! (default 0; 20 = 2%), seed (default 1). `table` instead writes the vendor 外字
//! table (TSV) that maps every 外字 the generator uses:
//!
//!     cargo run --release --example gen_residents -- table > /tmp/residents-gaiji.tsv

#[path = "../benches/support/synth.rs"]
mod synth;

use std::io::Write;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("table") {
        return std::io::stdout().write_all(synth::gaiji_table().as_bytes());
    }
    let arg = |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (n, per_mille, seed) = (arg(0, 1_000_000), arg(1, 0) as u32, arg(2, 1));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut rng = synth::Rng::new(seed);
    for i in 1..=n {
        out.write_all(&synth::encode_cp932(&synth::record(i, &mut rng, per_mille)))?;
        out.write_all(b"\r\n")?;
    }
    out.flush()
}
