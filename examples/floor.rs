//! The floor of `ikou convert` on one file, as issue 15 defines it: the work
//! any converter that proves its input and output must do, and nothing else —
//! read the file, SHA-256 of the input, decode it to UTF-8, SHA-256 of the
//! output, write it. No records, no items, no cleansing, no manifest.
//!
//!     cargo build --release --example floor
//!     /usr/bin/time -f '%e s wall %U user %S sys' \
//!         target/release/examples/floor INPUT OUTPUT [ENCODING]
//!
//! The input is hashed on one thread and decoded, hashed and written on
//! another, so on two free cores the wall time is about the larger of the two;
//! the floor the README compares ikou with is the CPU time (user + sys) halved,
//! the best two cores can do with this work.

use ikou::decode::{Encoding, decode};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::mpsc::sync_channel;

/// Bytes read at a time.
const BLOCK: usize = 4 << 20;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Err(e) = run(&args) {
        eprintln!("floor: {e}");
        std::process::exit(2);
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let (input, output) = match args {
        [_, i, o] | [_, i, o, _] => (i, o),
        _ => return Err("usage: floor INPUT OUTPUT [ENCODING]".into()),
    };
    let encoding = match args.get(3) {
        Some(name) => Encoding::parse(name).ok_or(format!("unknown encoding {name:?}"))?,
        None => Encoding::Cp932,
    };
    let mut file = std::fs::File::open(input).map_err(|e| format!("{input}: {e}"))?;
    let mut out = std::io::BufWriter::with_capacity(
        BLOCK,
        std::fs::File::create(output).map_err(|e| format!("{output}: {e}"))?,
    );
    let (to_hash, hash_rx) = sync_channel::<Arc<Vec<u8>>>(2);
    let hasher = std::thread::spawn(move || {
        let mut h = Sha256::new();
        for block in hash_rx {
            h.update(&block[..]);
        }
        h.finalize()
    });
    let (to_decode, decode_rx) = sync_channel::<Arc<Vec<u8>>>(2);
    let decoder = std::thread::spawn(move || -> Result<_, String> {
        let mut h = Sha256::new();
        let mut text = String::with_capacity(BLOCK * 2);
        for block in decode_rx {
            text.clear();
            decode(encoding, &block, &mut text).map_err(|e| format!("{e:?}"))?;
            h.update(text.as_bytes());
            out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
        }
        out.flush().map_err(|e| e.to_string())?;
        Ok(h.finalize())
    });
    // Blocks end at a line end, so no character is cut between two.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut block = std::mem::take(&mut carry);
        let start = block.len();
        block.resize(start + BLOCK, 0);
        let n = file.read(&mut block[start..]).map_err(|e| e.to_string())?;
        block.truncate(start + n);
        if n > 0
            && let Some(end) = block.iter().rposition(|&b| b == b'\n')
        {
            carry = block.split_off(end + 1);
        }
        if block.is_empty() {
            break;
        }
        let block = Arc::new(block);
        to_hash
            .send(Arc::clone(&block))
            .map_err(|e| e.to_string())?;
        to_decode.send(block).map_err(|e| e.to_string())?;
    }
    drop((to_hash, to_decode));
    let input_hash = hasher.join().map_err(|_| "hash thread failed")?;
    let output_hash = decoder.join().map_err(|_| "decode thread failed")??;
    println!(
        "input  {}\noutput {}",
        ikou::output::hex(&input_hash),
        ikou::output::hex(&output_hash)
    );
    Ok(())
}
