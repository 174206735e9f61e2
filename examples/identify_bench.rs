//! Accuracy and speed of `ikou identify`'s glyph matching (issue 16). See
//! benches/identify/README.md for the sets and the commands.
//!
//!   identify_bench gen-a OUT_DIR [--count 2000] [--seed 16]
//!       set (a): seeded random MJ glyphs drawn from IPAmj明朝 by glyph name at 24 and
//!       32 px, monochrome, real per-glyph bounding boxes, some thickened or shifted
//!       by a pixel → OUT_DIR/a24.bdf, a32.bdf, a.answers.tsv
//!   identify_bench run --set a|b DIR [--reference ipamjm.ttf] [--cache DIR]
//!       ranks every glyph of the set and prints top-1/5/10, the confusions, a score
//!       threshold for --accept-above, timings and peak RSS.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ikou::identify::glyph::{Bitmap, OutlineFont};
use ikou::identify::{Candidate, Index, RENDER_PX, margin};
use rayon::prelude::*;

const IPAMJ: &str = "/usr/share/fonts/truetype/ipamj/ipamjm.ttf";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let r = match args.first().map(String::as_str) {
        Some("gen-a") => gen_a(&args[1..]),
        Some("run") => run(&args[1..]),
        Some("show") => show(&args[1..]),
        _ => Err("usage: identify_bench gen-a OUT_DIR | run --set a|b DIR".into()),
    };
    if let Err(e) = r {
        eprintln!("identify_bench: {e}");
        std::process::exit(1);
    }
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn positional(args: &[String]) -> Option<String> {
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
        } else if a.starts_with("--") {
            skip = true;
        } else {
            return Some(a.clone());
        }
    }
    None
}

/// splitmix64: a seeded, dependency-free generator (the sets must be reproducible).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A monochrome glyph cut to its ink: `rows[y][x]`, placed at (x0, y0) in the em.
struct Mono {
    w: usize,
    h: usize,
    x0: i64,
    y0: i64,
    ink: Vec<bool>,
}

fn to_mono(b: &Bitmap) -> Option<Mono> {
    let (x0, y0, x1, y1) = b.ink_box(128)?;
    let (w, h) = ((x1 - x0) as usize, (y1 - y0) as usize);
    let mut ink = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            ink[y * w + x] = b.get(x0 as i64 + x as i64, y0 as i64 + y as i64) >= 128;
        }
    }
    Some(Mono {
        w,
        h,
        x0: x0.into(),
        y0: y0.into(),
        ink,
    })
}

/// Strokes one pixel thicker (to the right, down, or both), as a bolder bitmap
/// typeface draws them.
fn thicken(m: &Mono, dx: usize, dy: usize) -> Mono {
    let (w, h) = (m.w + dx, m.h + dy);
    let mut ink = vec![false; w * h];
    for y in 0..m.h {
        for x in 0..m.w {
            if m.ink[y * m.w + x] {
                for (ax, ay) in [(0, 0), (dx, 0), (0, dy), (dx, dy)] {
                    ink[(y + ay) * w + x + ax] = true;
                }
            }
        }
    }
    Mono {
        w,
        h,
        x0: m.x0,
        y0: m.y0,
        ink,
    }
}

fn gen_a(args: &[String]) -> Result<(), String> {
    let out = PathBuf::from(positional(args).ok_or("gen-a OUT_DIR")?);
    let count: usize =
        flag(args, "--count").map_or(Ok(2000), |s| s.parse().map_err(|_| "--count"))?;
    let seed: u64 = flag(args, "--seed").map_or(Ok(16), |s| s.parse().map_err(|_| "--seed"))?;
    let reference = flag(args, "--reference").unwrap_or_else(|| IPAMJ.into());
    let bytes = fs::read(&reference).map_err(|e| format!("{reference}: {e}"))?;
    let font = OutlineFont::parse(&bytes)?;
    let names = font.glyph_names();
    // Every MJ glyph the table publishes and the font draws, variants included.
    let pool: Vec<(u16, String)> = names
        .iter()
        .enumerate()
        .filter_map(|(id, n)| {
            let g = ikou::identify::index::GlyphInfo {
                id: id as u16,
                name: n,
                chars: &[],
            };
            ikou::identify::index::mj_name(&g).map(|m| (id as u16, m))
        })
        .collect();
    let mut rng = Rng(seed);
    let mut picked = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while picked.len() < count.min(pool.len()) {
        let i = rng.below(pool.len() as u64) as usize;
        if seen.insert(i) {
            picked.push(pool[i].clone());
        }
    }
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut answers = String::from("# code\tMJ\tpx\tvariation\n");
    let mut fonts: BTreeMap<u32, Vec<(u32, Mono)>> = BTreeMap::new();
    for (k, (id, mj)) in picked.iter().enumerate() {
        let px = if k % 2 == 0 { 24 } else { 32 };
        let b = font.rasterize(*id, px).ok_or(format!("{mj}: no outline"))?;
        let Some(mut m) = to_mono(&b) else { continue };
        // A quarter as drawn; the rest thickened and/or shifted by a pixel.
        // A quarter as drawn; the rest thickened and/or shifted by a pixel, staying
        // inside the em as a bitmap font's cell does.
        let room = |m: &Mono| (m.w < px as usize) as usize;
        let roomy = |m: &Mono| (m.h < px as usize) as usize;
        let how = match rng.below(4) {
            0 => "as drawn",
            1 => {
                m = thicken(&m, room(&m), roomy(&m));
                "thickened"
            }
            2 => {
                m.x0 += [-1, 0, 1][rng.below(3) as usize];
                m.y0 += [-1, 1][rng.below(2) as usize];
                "shifted"
            }
            _ => {
                let dy = roomy(&m) * rng.below(2) as usize;
                m = thicken(&m, room(&m), dy);
                m.x0 += 1;
                "thickened+shifted"
            }
        };
        m.x0 = m.x0.clamp(0, px as i64 - m.w as i64);
        m.y0 = m.y0.clamp(0, px as i64 - m.h as i64);
        let code = 0xE000 + k as u32;
        answers.push_str(&format!("U+{code:04X}\t{mj}\t{px}\t{how}\n"));
        fonts.entry(px).or_default().push((code, m));
    }
    for (px, glyphs) in &fonts {
        let path = out.join(format!("a{px}.bdf"));
        fs::write(&path, bdf(*px, glyphs)).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let path = out.join("a.answers.tsv");
    fs::write(&path, answers).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("set a: {} glyphs in {}", picked.len(), out.display());
    Ok(())
}

/// A BDF font of the glyphs, each with its own bounding box (the em is `px` × `px`,
/// baseline at 7/8 of it, as IPAmj明朝's em box).
fn bdf(px: u32, glyphs: &[(u32, Mono)]) -> String {
    let descent = (px as i64) / 8;
    let ascent = px as i64 - descent;
    let mut s = format!(
        "STARTFONT 2.1\nFONT -ikou-bench-medium-r-normal--{px}-{pt}-75-75-c-{pt}-iso10646-1\nSIZE {px} 75 75\n\
         FONTBOUNDINGBOX {px} {px} 0 {neg}\nSTARTPROPERTIES 2\nFONT_ASCENT {ascent}\nFONT_DESCENT {descent}\nENDPROPERTIES\nCHARS {n}\n",
        pt = px * 10,
        neg = -descent,
        n = glyphs.len()
    );
    for (code, m) in glyphs {
        // BDF offsets are from the origin (left end of the baseline), y upwards.
        let yoff = ascent - (m.y0 + m.h as i64);
        s.push_str(&format!(
            "STARTCHAR u{code:04X}\nENCODING {code}\nSWIDTH 1000 0\nDWIDTH {px} 0\nBBX {} {} {} {yoff}\nBITMAP\n",
            m.w, m.h, m.x0
        ));
        let bytes_per_row = m.w.div_ceil(8);
        for y in 0..m.h {
            let mut row = vec![0u8; bytes_per_row];
            for x in 0..m.w {
                if m.ink[y * m.w + x] {
                    row[x / 8] |= 0x80 >> (x % 8);
                }
            }
            for b in row {
                s.push_str(&format!("{b:02X}"));
            }
            s.push('\n');
        }
        s.push_str("ENDCHAR\n");
    }
    s.push_str("ENDFONT\n");
    s
}

/// A minimal BDF reader for the benchmark (the CLI has its own, checked one): each
/// glyph drawn on its em at its bounding box.
fn read_bdf(path: &Path) -> Result<Vec<(u32, Bitmap)>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    let (mut px, mut ascent) = (0i64, 0i64);
    let mut code = 0u32;
    let mut bbx = (0i64, 0i64, 0i64, 0i64);
    let mut rows: Option<Vec<Vec<u8>>> = None;
    for line in text.lines() {
        let mut it = line.split_whitespace();
        let key = it.next().unwrap_or("");
        let nums: Vec<i64> = it.filter_map(|t| t.parse().ok()).collect();
        match key {
            "SIZE" => px = nums[0],
            "FONT_ASCENT" => ascent = nums[0],
            "ENCODING" => code = nums[0] as u32,
            "BBX" => bbx = (nums[0], nums[1], nums[2], nums[3]),
            "BITMAP" => rows = Some(Vec::new()),
            "ENDCHAR" => {
                let r = rows.take().ok_or("ENDCHAR without BITMAP")?;
                let mut b = Bitmap::blank(px as u32, px as u32);
                let top = ascent - (bbx.3 + bbx.1);
                for (y, row) in r.iter().enumerate() {
                    for x in 0..bbx.0 {
                        if row
                            .get((x / 8) as usize)
                            .is_some_and(|v| v & (0x80 >> (x % 8)) != 0)
                        {
                            let (gx, gy) = (bbx.2 + x, top + y as i64);
                            if (0..px).contains(&gx) && (0..px).contains(&gy) {
                                b.pixels[(gy * px + gx) as usize] = 255;
                            }
                        }
                    }
                }
                out.push((code, b));
            }
            _ => {
                if let Some(r) = rows.as_mut() {
                    let bytes = (0..line.len() / 2)
                        .filter_map(|i| u8::from_str_radix(&line[2 * i..2 * i + 2], 16).ok())
                        .collect();
                    r.push(bytes);
                }
            }
        }
    }
    Ok(out)
}

fn parse_code(s: &str) -> Option<u32> {
    u32::from_str_radix(s.strip_prefix("U+")?, 16).ok()
}

/// Peak resident set size of this process (VmHWM), in MiB.
fn peak_rss_mib() -> f64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

struct Query {
    code: u32,
    bitmap: Bitmap,
    /// What counts as right: these names.
    right: Vec<String>,
    /// Shown in the confusion list.
    label: String,
}

fn load_set(set: &str, dir: &Path) -> Result<Vec<Query>, String> {
    let answers_path = dir.join(format!("{set}.answers.tsv"));
    let answers = fs::read_to_string(&answers_path)
        .map_err(|e| format!("{}: {e}", answers_path.display()))?;
    let mut answer: HashMap<u32, (String, String)> = HashMap::new();
    for line in answers.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        if let (Some(c), Some(a)) = (cols.first().and_then(|c| parse_code(c)), cols.get(1)) {
            answer.insert(c, (a.to_string(), cols.get(3).unwrap_or(&"").to_string()));
        }
    }
    let mut glyphs = Vec::new();
    match set {
        "a" => {
            for px in [24, 32] {
                glyphs.extend(read_bdf(&dir.join(format!("a{px}.bdf")))?);
            }
        }
        "b" => {
            let path = dir.join("b.ttf");
            let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let font = OutlineFont::parse(&bytes)?;
            for &code in answer.keys() {
                let c = char::from_u32(code).ok_or("bad code")?;
                let id = font
                    .glyph_of(c)
                    .ok_or(format!("U+{code:04X} not in b.ttf"))?;
                let b = font.rasterize(id, RENDER_PX).ok_or("no outline")?;
                glyphs.push((code, b));
            }
        }
        _ => return Err("--set a|b".into()),
    }
    let db = ikou::mj::db();
    let mut out = Vec::new();
    for (code, bitmap) in glyphs {
        let Some((a, how)) = answer.get(&code) else {
            continue;
        };
        let (right, label) = if set == "a" {
            (vec![a.clone()], format!("{a} ({how})"))
        } else {
            // Set b's answer is a code point: right is the MJ glyph whose 実装したUCS it is.
            let cp = parse_code(a).and_then(char::from_u32).ok_or("bad answer")?;
            let mjs: Vec<String> = db
                .glyphs()
                .filter(|g| g.implemented == Some(cp))
                .map(|g| g.name())
                .collect();
            let label = format!("{a} {cp} (U+{code:04X}, right {})", mjs.join("/"));
            (mjs, label)
        };
        if right.is_empty() {
            continue;
        }
        out.push(Query {
            code,
            bitmap,
            right,
            label,
        });
    }
    out.sort_by_key(|q| q.code);
    Ok(out)
}

fn run(args: &[String]) -> Result<(), String> {
    let set = flag(args, "--set").ok_or("--set a|b")?;
    let dir = PathBuf::from(positional(args).ok_or("run --set a|b DIR")?);
    let reference = PathBuf::from(flag(args, "--reference").unwrap_or_else(|| IPAMJ.into()));
    let top = 10;
    println!("load average before: {}", loadavg());
    let t = Instant::now();
    let index = match flag(args, "--cache") {
        Some(c) => Index::load_or_build(&reference, Path::new(&c)),
        None => fs::read(&reference)
            .map_err(|e| ikou::error::Error::io(&reference, "read")(e))
            .and_then(|b| Index::build(&b)),
    }
    .map_err(|e| e.to_string())?;
    println!(
        "index: {} glyphs in {:.1} s ({:?})",
        index.len(),
        t.elapsed().as_secs_f64(),
        index.origin()
    );
    for set in set.split(',') {
        report(&index, set, &dir, top)?;
    }
    println!(
        "peak RSS {:.0} MiB; load average after: {}",
        peak_rss_mib(),
        loadavg()
    );
    Ok(())
}

fn report(index: &Index, set: &str, dir: &Path, top: usize) -> Result<(), String> {
    let queries = load_set(set, dir)?;
    let t = Instant::now();
    let ranked: Vec<Vec<Candidate>> = queries
        .par_iter()
        .map(|q| index.rank(&q.bitmap, top))
        .collect();
    let rank_s = t.elapsed().as_secs_f64();
    println!(
        "ranked {} glyphs against {} in {:.1} s ({} threads)",
        queries.len(),
        index.len(),
        rank_s,
        rayon::current_num_threads()
    );
    let n = queries.len() as f64;
    let mut hits = [0usize; 3];
    let mut confusions: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut scored: Vec<(f32, f32, bool)> = Vec::new();
    for (q, c) in queries.iter().zip(&ranked) {
        let pos = c.iter().position(|x| q.right.contains(&x.name));
        for (k, lim) in [1, 5, 10].iter().enumerate() {
            if pos.is_some_and(|p| p < *lim) {
                hits[k] += 1;
            }
        }
        if pos != Some(0) {
            let got = c
                .first()
                .map_or("-".into(), |x| format!("{} {:.1}", x.name, x.score));
            let at = pos.map_or("not in top 10".into(), |p| {
                format!("right at {}, {:.1}", p + 1, c[p].score)
            });
            *confusions
                .entry((q.label.clone(), format!("→ {got} ({at})")))
                .or_default() += 1;
        }
        if let Some(first) = c.first() {
            scored.push((first.score, margin(c).unwrap_or(100.0), pos == Some(0)));
        }
    }
    println!(
        "set {set}: top-1 {:.2}%  top-5 {:.2}%  top-10 {:.2}%  (n = {})",
        100.0 * hits[0] as f64 / n,
        100.0 * hits[1] as f64 / n,
        100.0 * hits[2] as f64 / n,
        queries.len()
    );
    println!("confusions (vendor glyph → best candidate):");
    for ((a, b), k) in &confusions {
        println!(
            "  {a} {b}{}",
            if *k > 1 {
                format!(" ×{k}")
            } else {
                String::new()
            }
        );
    }
    // Thresholds for --accept-above: the lowest score (and, separately, score with a
    // margin of at least 1 point) whose accepted proposals are ≥ 99% right.
    for (what, min_margin) in [("score", 0.0f32), ("score with margin ≥ 1", 1.0)] {
        let mut s: Vec<&(f32, f32, bool)> = scored.iter().filter(|x| x.1 >= min_margin).collect();
        s.sort_by(|a, b| b.0.total_cmp(&a.0));
        let (mut ok, mut best) = (0usize, None);
        for (i, x) in s.iter().enumerate() {
            if x.2 {
                ok += 1;
            }
            // Cut only between different scores.
            if s.get(i + 1).is_none_or(|y| y.0 < x.0) && ok as f64 / (i + 1) as f64 >= 0.99 {
                best = Some((x.0, i + 1, ok));
            }
        }
        match best {
            Some((t, k, ok)) => println!(
                "accept {what} ≥ {t:.1}: {k} of {} glyphs ({:.1}%) filled, {:.2}% of them right",
                queries.len(),
                100.0 * k as f64 / n,
                100.0 * ok as f64 / k as f64
            ),
            None => println!("accept {what}: no threshold reaches 99% precision"),
        }
    }
    // The thresholds the README suggests, as `identify --accept-above S` applies them
    // (score ≥ S and margin ≥ M).
    for (s, m) in [
        (95.0f32, 1.0f32),
        (97.0, 1.0),
        (98.0, 1.0),
        (95.0, 2.0),
        (97.0, 2.0),
    ] {
        let taken: Vec<_> = scored.iter().filter(|x| x.0 >= s && x.1 >= m).collect();
        let ok = taken.iter().filter(|x| x.2).count();
        println!(
            "--accept-above {s:.0} --accept-margin {m:.0}: {} of {} filled ({:.1}%), {:.2}% of them right",
            taken.len(),
            queries.len(),
            100.0 * taken.len() as f64 / n,
            100.0 * ok as f64 / taken.len().max(1) as f64
        );
    }
    Ok(())
}

/// Debug view: `show OUT.png FONT:CODE|MJ…` draws the glyphs side by side.
fn show(args: &[String]) -> Result<(), String> {
    let out = args.first().ok_or("show OUT.png ITEMS…")?;
    let ipamj = fs::read(IPAMJ).map_err(|e| e.to_string())?;
    let ref_font = OutlineFont::parse(&ipamj)?;
    let names = ref_font.glyph_names();
    let mut tiles = Vec::new();
    for item in &args[1..] {
        let b = if let Some((path, code)) = item.split_once(':') {
            let bytes = fs::read(path).map_err(|e| e.to_string())?;
            let f = OutlineFont::parse(&bytes)?;
            let c = parse_code(code).and_then(char::from_u32).ok_or("code")?;
            f.rasterize(f.glyph_of(c).ok_or("no glyph")?, RENDER_PX)
                .ok_or("no outline")?
        } else {
            let want = item.to_lowercase();
            let id = names
                .iter()
                .position(|n| *n == want)
                .ok_or("no such glyph")?;
            ref_font
                .rasterize(id as u16, RENDER_PX)
                .ok_or("no outline")?
        };
        tiles.push(b);
    }
    use ikou::identify::features::{features, score, similarity};
    let f0 = features(&tiles[0]).ok_or("blank")?;
    for (k, t) in tiles.iter().enumerate() {
        let f = features(t).ok_or("blank")?;
        println!(
            "{}: {:.1} (plain {:.1}, equalised {:.1}) ink box {:?}",
            args[k + 1],
            similarity(&f0, &f),
            score(&f0.fine, &f.fine),
            score(&f0.equalised, &f.equalised),
            t.ink_box(96)
        );
    }
    let z = 3;
    let px = RENDER_PX as usize;
    let w = px * tiles.len() * z;
    let mut img = vec![255u8; w * px * z];
    for (k, t) in tiles.iter().enumerate() {
        for y in 0..px * z {
            for x in 0..px * z {
                img[y * w + k * px * z + x] = if x == 0 {
                    128
                } else {
                    255 - t.pixels[y / z * px + x / z]
                };
            }
        }
    }
    let px = px * z;
    let file = fs::File::create(out).map_err(|e| e.to_string())?;
    let mut enc = png::Encoder::new(file, w as u32, px as u32);
    enc.set_color(png::ColorType::Grayscale);
    enc.write_header()
        .and_then(|mut wr| wr.write_image_data(&img))
        .map_err(|e| e.to_string())?;
    Ok(())
}
