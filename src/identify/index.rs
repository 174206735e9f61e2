//! The reference index: shape features of every MJ glyph of IPAmj明朝 (or of every
//! GJ glyph of an extension font), built from the font on this machine and cached
//! beside nothing else, keyed by the font's SHA-256.
//!
//! The cache is a convenience, never an authority: a file that is not exactly what
//! this version would write for this font (magic, format, feature version, font
//! hash, its own trailing SHA-256) is ignored and rebuilt. It is written to a fresh
//! temporary name and renamed into place, so an interrupted run leaves no file that
//! looks finished.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::features::{self, COARSE_DIMS, DIMS};
use super::glyph::{Bitmap, OutlineFont};
use super::rank::{Candidate, TopK};
use crate::error::Error;

/// Size at which reference glyphs are drawn (pixels per em). Vendor outline fonts
/// are best drawn at the same size.
pub const RENDER_PX: u32 = 64;

const MAGIC: &[u8; 8] = b"IKOUIDX\0";
/// 2: the equalised features after the coarse ones.
const FORMAT: u32 = 2;
/// Candidates the coarse features preselect for the full comparison (3% of the
/// index: comparing them in full costs a fifth of the coarse scan). 300 lost the right
/// glyph of 15 in 2,000 thickened 24-pixel glyphs of the benchmark's set (a).
const PRESELECT: usize = 2000;
/// Candidates the plain fine features keep for the final score (plain and
/// equalised features together). The right glyph is within the plain top 10 for
/// 99.65% of both benchmark sets; keeping 20 or 50 changed top-1 and top-5 by at
/// most 0.05 points.
const RERANK: usize = 30;
/// A cache larger than this is not an index of ours (60,000 glyphs × 1,160 bytes ≈ 70 MB).
const MAX_CACHE: u64 = 1 << 30;

/// One glyph of the font being indexed, for the function that names it.
pub struct GlyphInfo<'a> {
    pub id: u16,
    /// Its `post` table name (`mj012345` in IPAmj明朝), or empty.
    pub name: &'a str,
    /// The code points the font's cmap maps to it.
    pub chars: &'a [char],
}

/// Where an index came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Built from the font (no cache asked for).
    Built,
    /// Read from the cache.
    Cached(PathBuf),
    /// Built from the font and written to the cache.
    BuiltAndCached(PathBuf),
    /// Built from the font; the cache could not be written (why).
    BuiltNotCached(String),
}

/// Features of every reference glyph, quantised to bytes (each vector scaled so its
/// largest value is 255; the scale is kept to undo it): 1,152 bytes a glyph, 68 MB
/// for all of IPAmj明朝's MJ glyphs.
pub struct Index {
    names: Vec<String>,
    fine: Quantised,
    coarse: Quantised,
    equalised: Quantised,
    origin: Origin,
}

/// Vectors of one length as bytes, with each vector's scale.
#[derive(Default, PartialEq)]
struct Quantised {
    scales: Vec<f32>,
    codes: Vec<u8>,
}

impl Quantised {
    fn push(&mut self, (q, s): Bytes) {
        self.scales.push(s);
        self.codes.extend_from_slice(&q);
    }

    /// Cosine of the quantised query `q` (scale `q_scale`) with vector `at`, which
    /// must exist (every vector has the query's length).
    fn cosine(&self, q: &[u8], q_scale: f32, at: usize) -> f32 {
        let dims = q.len();
        let r = &self.codes[at * dims..(at + 1) * dims];
        dot(q, r) as f32 * self.scales[at] * q_scale
    }
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Index({} glyphs, {:?})", self.names.len(), self.origin)
    }
}

/// The name of an MJ glyph of IPAmj明朝: `mj012345` → `MJ012345` when the MJ table
/// knows it (the font also holds `aj…` glyphs and MJ glyphs the table has not
/// published; neither is a valid target).
pub fn mj_name(g: &GlyphInfo<'_>) -> Option<String> {
    let digits = g.name.strip_prefix("mj")?;
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    crate::mj::db().glyph(n)?;
    Some(format!("MJ{digits}"))
}

impl Index {
    /// Index of the MJ glyphs of IPAmj明朝 (`font_bytes` = ipamjm.ttf).
    pub fn build(font_bytes: &[u8]) -> Result<Index, Error> {
        Index::build_named(font_bytes, mj_name)
    }

    /// Index of the glyphs `name` names (others are left out), e.g. the GJ glyphs of
    /// an extension font: `|g| table.gj_of(g.chars)`.
    pub fn build_named(
        font_bytes: &[u8],
        name: impl Fn(&GlyphInfo<'_>) -> Option<String> + Sync,
    ) -> Result<Index, Error> {
        build(font_bytes, Path::new("reference font"), &name)
    }

    /// The MJ index of the font at `font_path`, read from `cache_dir` when a cache of
    /// exactly this font and this version is there, else built and cached.
    pub fn load_or_build(font_path: &Path, cache_dir: &Path) -> Result<Index, Error> {
        Index::load_or_build_named(font_path, cache_dir, "mj", mj_name)
    }

    /// [`Index::load_or_build`] for another naming. `kind` names the cache (ASCII
    /// letters and digits) and must change whenever `name` would name the glyphs
    /// differently: for GJ glyphs named by an extension table, put the table's
    /// SHA-256 in it (`gj` + hex), or a cache of the old table's names is read.
    pub fn load_or_build_named(
        font_path: &Path,
        cache_dir: &Path,
        kind: &str,
        name: impl Fn(&GlyphInfo<'_>) -> Option<String> + Sync,
    ) -> Result<Index, Error> {
        if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::Usage(format!(
                "index kind {kind:?}: use ASCII letters and digits"
            )));
        }
        let bytes = fs::read(font_path).map_err(Error::io(
            font_path,
            "check that the reference font exists and is readable (--reference)",
        ))?;
        let font_sha: [u8; 32] = Sha256::digest(&bytes).into();
        let file = cache_dir.join(format!("{kind}-{}.idx", crate::output::hex(&font_sha)));
        if let Some(index) = read_cache(&file, &font_sha) {
            return Ok(index);
        }
        let mut index = build(&bytes, font_path, &name)?;
        index.origin = match write_cache(&index, &file, cache_dir, &font_sha) {
            Ok(()) => Origin::BuiltAndCached(file),
            Err(why) => Origin::BuiltNotCached(why),
        };
        Ok(index)
    }

    /// Number of reference glyphs.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Names of the reference glyphs, in index order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The `top` reference glyphs most like `glyph`, best first. Empty when the glyph
    /// has no ink.
    pub fn rank(&self, glyph: &Bitmap, top: usize) -> Vec<Candidate> {
        let Some(f) = features::features(glyph) else {
            return Vec::new();
        };
        // Preselect by the coarse features, keep the best by the plain fine ones,
        // then order those by the score (plain and equalised together).
        let (q, _) = quantise(&f.coarse);
        let pre = scan(&q, &self.coarse, COARSE_DIMS, top.max(PRESELECT));
        let (q, q_scale) = quantise(&f.fine);
        let mut kept = TopK::new(top.max(RERANK));
        for (_, i) in pre {
            kept.push(self.fine.cosine(&q, q_scale, i as usize), i);
        }
        let (qe, qe_scale) = quantise(&f.equalised);
        let mut best = TopK::new(top);
        for (fine, i) in kept.into_sorted() {
            best.push(fine + self.equalised.cosine(&qe, qe_scale, i as usize), i);
        }
        best.into_sorted()
            .into_iter()
            .map(|(sum, i)| Candidate {
                name: self.names[i as usize].clone(),
                // The mean of the two cosines, as features::similarity.
                score: (sum * 50.0).clamp(0.0, 100.0),
            })
            .collect()
    }
}

/// The `k` vectors of `set` with the largest dot product with `q` (unscaled by the
/// query's own scale, which is the same for all), best first, ties by index.
fn scan(q: &[u8], set: &Quantised, dims: usize, k: usize) -> Vec<(f32, u32)> {
    let mut sims: Vec<(f32, u32)> = set
        .codes
        .par_chunks_exact(dims)
        .zip(set.scales.par_iter())
        .enumerate()
        .map(|(i, (r, s))| (dot(q, r) as f32 * s, i as u32))
        .collect();
    // Selection, not a sorted insert per candidate: k is in the thousands.
    let order = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if k == 0 {
        return Vec::new();
    }
    if sims.len() > k {
        sims.select_nth_unstable_by(k - 1, order);
        sims.truncate(k);
    }
    sims.sort_unstable_by(order);
    sims
}

fn dot(a: &[u8], b: &[u8]) -> u32 {
    // u8 × u8 summed in u32: 512 × 255² < 2³², and the compiler vectorises it.
    a.iter()
        .zip(b)
        .map(|(&x, &y)| u32::from(x) * u32::from(y))
        .sum()
}

/// A quantised vector and its scale.
type Bytes = (Vec<u8>, f32);

/// A feature vector as bytes and the factor that turns a byte back into its value.
fn quantise(f: &[f32]) -> Bytes {
    let max = f.iter().fold(0f32, |m, &v| m.max(v));
    if max.is_nan() || max <= 0.0 {
        return (vec![0; f.len()], 0.0);
    }
    let k = 255.0 / max;
    (
        f.iter()
            .map(|&v| (v * k).round().clamp(0.0, 255.0) as u8)
            .collect(),
        max / 255.0,
    )
}

fn build(
    bytes: &[u8],
    path: &Path,
    name: &(impl Fn(&GlyphInfo<'_>) -> Option<String> + Sync),
) -> Result<Index, Error> {
    let font = OutlineFont::parse(bytes).map_err(|e| Error::input(path, e))?;
    let names = font.glyph_names();
    let chars = font.chars_by_glyph();
    let picked: Vec<(u16, String)> = (0..font.glyph_count())
        .filter_map(|id| {
            let info = GlyphInfo {
                id,
                name: names.get(usize::from(id)).map_or("", |s| s.as_str()),
                chars: chars.get(usize::from(id)).map_or(&[][..], |v| v.as_slice()),
            };
            name(&info).map(|n| (id, n))
        })
        .collect();
    if picked.is_empty() {
        return Err(Error::input(
            path,
            "no reference glyphs in this font (IPAmj明朝 names its glyphs mj000001…); \
             give ipamjm.ttf with --reference",
        ));
    }
    // Quantised as soon as computed: 60,000 vectors of f32 would take 150 MB.
    let feats: Vec<Option<[Bytes; 3]>> = picked
        .par_iter()
        .map(|&(id, _)| {
            let f = features::features(&font.rasterize(id, RENDER_PX)?)?;
            Some([
                quantise(&f.fine),
                quantise(&f.coarse),
                quantise(&f.equalised),
            ])
        })
        .collect();
    let mut index = Index {
        names: Vec::with_capacity(picked.len()),
        fine: Quantised::default(),
        coarse: Quantised::default(),
        equalised: Quantised::default(),
        origin: Origin::Built,
    };
    // A glyph without ink (a space) cannot be matched by shape and is left out.
    for ((_, n), f) in picked.into_iter().zip(feats) {
        if let Some([fine, coarse, equalised]) = f {
            index.names.push(n);
            index.fine.push(fine);
            index.coarse.push(coarse);
            index.equalised.push(equalised);
        }
    }
    Ok(index)
}

fn header(font_sha: &[u8; 32], n: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(56);
    h.extend_from_slice(MAGIC);
    h.extend_from_slice(&FORMAT.to_le_bytes());
    h.extend_from_slice(&features::VERSION.to_le_bytes());
    h.extend_from_slice(&(DIMS as u32).to_le_bytes());
    h.extend_from_slice(&(COARSE_DIMS as u32).to_le_bytes());
    // The equalised features have DIMS values too.
    h.extend_from_slice(font_sha);
    h.extend_from_slice(&n.to_le_bytes());
    h
}

fn serialise(index: &Index, font_sha: &[u8; 32]) -> Option<Vec<u8>> {
    let n = u32::try_from(index.len()).ok()?;
    let mut out = header(font_sha, n);
    for name in &index.names {
        let b = name.as_bytes();
        out.push(u8::try_from(b.len()).ok()?);
        out.extend_from_slice(b);
    }
    for q in [&index.fine, &index.coarse, &index.equalised] {
        for s in &q.scales {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out.extend_from_slice(&q.codes);
    }
    let sum: [u8; 32] = Sha256::digest(&out).into();
    out.extend_from_slice(&sum);
    Some(out)
}

/// The index in `bytes` if it is whole and is this font's at this version.
fn deserialise(bytes: &[u8], font_sha: &[u8; 32]) -> Option<(Vec<String>, [Quantised; 3])> {
    let body_len = bytes.len().checked_sub(32)?;
    let (body, sum) = bytes.split_at(body_len);
    if Sha256::digest(body).as_slice() != sum {
        return None;
    }
    let fixed = header(font_sha, 0);
    let n_at = fixed.len() - 4;
    if body.get(..n_at)? != &fixed[..n_at] {
        return None;
    }
    let n = u32::from_le_bytes(body.get(n_at..n_at + 4)?.try_into().ok()?) as usize;
    let mut o = n_at + 4;
    let mut names = Vec::with_capacity(n.min(1 << 20));
    for _ in 0..n {
        let len = usize::from(*body.get(o)?);
        let s = std::str::from_utf8(body.get(o + 1..o + 1 + len)?).ok()?;
        names.push(s.to_string());
        o += 1 + len;
    }
    let fine = take_quantised(body, &mut o, n, DIMS)?;
    let coarse = take_quantised(body, &mut o, n, COARSE_DIMS)?;
    let equalised = take_quantised(body, &mut o, n, DIMS)?;
    (o == body.len()).then_some((names, [fine, coarse, equalised]))
}

fn take_quantised(body: &[u8], o: &mut usize, n: usize, dims: usize) -> Option<Quantised> {
    let scales_len = n.checked_mul(4)?;
    let codes_len = n.checked_mul(dims)?;
    let end = o.checked_add(scales_len)?.checked_add(codes_len)?;
    let bytes = body.get(*o..end)?;
    let (s, codes) = bytes.split_at(scales_len);
    let scales: Vec<f32> = s
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if scales.iter().any(|s| !s.is_finite()) {
        return None;
    }
    *o = end;
    Some(Quantised {
        scales,
        codes: codes.to_vec(),
    })
}

fn read_cache(file: &Path, font_sha: &[u8; 32]) -> Option<Index> {
    // Only a regular file of ours: never follow a symlink someone left there.
    let meta = fs::symlink_metadata(file).ok()?;
    if !meta.file_type().is_file() || meta.len() > MAX_CACHE {
        return None;
    }
    let bytes = fs::read(file).ok()?;
    let (names, [fine, coarse, equalised]) = deserialise(&bytes, font_sha)?;
    Some(Index {
        names,
        fine,
        coarse,
        equalised,
        origin: Origin::Cached(file.to_path_buf()),
    })
}

fn write_cache(index: &Index, file: &Path, dir: &Path, font_sha: &[u8; 32]) -> Result<(), String> {
    let bytes = serialise(index, font_sha).ok_or("index too large to cache")?;
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{nanos}",
        file.file_name()
            .map_or("index".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    // create_new: never writes through a file or symlink that is already there.
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, file)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("{}: {e}", file.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EM_BOX: &[u8] = include_bytes!("../../testdata/identify/em_box.ttf");

    fn all(g: &GlyphInfo<'_>) -> Option<String> {
        (!g.name.is_empty()).then(|| g.name.to_uppercase())
    }

    #[test]
    fn ranks_the_drawn_glyph_first() {
        let index = Index::build_named(EM_BOX, all).unwrap();
        assert_eq!(index.names(), ["MJ000001", "MJ000002", "AJ1"]);
        let font = OutlineFont::parse(EM_BOX).unwrap();
        for (id, want) in [(2, "MJ000002"), (3, "AJ1")] {
            let b = font.rasterize(id, 24).unwrap();
            let c = index.rank(&b, 2);
            assert_eq!(c[0].name, want);
            assert!(c[0].score > 99.0, "{c:?}");
            assert!(super::super::rank::margin(&c).unwrap() > 5.0, "{c:?}");
        }
        assert!(index.rank(&Bitmap::blank(24, 24), 5).is_empty());
    }

    #[test]
    fn score_is_the_similarity_of_plain_and_equalised_features() {
        let index = Index::build_named(EM_BOX, all).unwrap();
        let font = OutlineFont::parse(EM_BOX).unwrap();
        let query = font.rasterize(2, 24).unwrap();
        let q = features::features(&query).unwrap();
        for c in index.rank(&query, 3) {
            let id = match c.name.as_str() {
                "MJ000001" => 1,
                "MJ000002" => 2,
                _ => 3,
            };
            let r = features::features(&font.rasterize(id, RENDER_PX).unwrap()).unwrap();
            let want = features::similarity(&q, &r);
            // Only the bytes' rounding apart.
            assert!((c.score - want).abs() < 0.5, "{c:?}: want {want}");
        }
    }

    #[test]
    fn mj_naming_takes_only_published_mj_glyphs() {
        let g = |name| GlyphInfo {
            id: 0,
            name,
            chars: &[],
        };
        assert_eq!(mj_name(&g("mj000001")), Some("MJ000001".into()));
        assert_eq!(mj_name(&g("aj1")), None);
        assert_eq!(mj_name(&g("mj090001")), None);
        assert_eq!(mj_name(&g("mj00001")), None);
        // The test font's two mj glyphs.
        assert_eq!(Index::build(EM_BOX).unwrap().len(), 2);
        assert!(Index::build(b"junk").is_err());
    }

    #[test]
    fn cache_is_written_read_and_never_trusted_blindly() {
        let dir = tempfile::tempdir().unwrap();
        let font = dir.path().join("f.ttf");
        fs::write(&font, EM_BOX).unwrap();
        let cache = dir.path().join("cache");
        let a = Index::load_or_build_named(&font, &cache, "t", all).unwrap();
        let Origin::BuiltAndCached(file) = a.origin().clone() else {
            panic!("{:?}", a.origin())
        };
        let b = Index::load_or_build_named(&font, &cache, "t", all).unwrap();
        assert_eq!(b.origin(), &Origin::Cached(file.clone()));
        assert_eq!(a.names, b.names);
        assert!(a.fine == b.fine && a.coarse == b.coarse && a.equalised == b.equalised);
        // One flipped byte: rebuilt, and the rewritten cache is good again.
        let mut bytes = fs::read(&file).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 1;
        fs::write(&file, &bytes).unwrap();
        let c = Index::load_or_build_named(&font, &cache, "t", all).unwrap();
        assert_eq!(c.origin(), &Origin::BuiltAndCached(file.clone()));
        assert!(c.fine == a.fine && c.coarse == a.coarse && c.equalised == a.equalised);
        // Truncated: rebuilt.
        fs::write(&file, &bytes[..40]).unwrap();
        let d = Index::load_or_build_named(&font, &cache, "t", all).unwrap();
        assert!(matches!(d.origin(), Origin::BuiltAndCached(_)));
        // No temporary files left behind.
        let left: Vec<_> = fs::read_dir(&cache).unwrap().collect();
        assert_eq!(left.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn cache_symlink_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let font = dir.path().join("f.ttf");
        fs::write(&font, EM_BOX).unwrap();
        let cache = dir.path().join("cache");
        let a = Index::load_or_build_named(&font, &cache, "t", all).unwrap();
        let Origin::BuiltAndCached(file) = a.origin().clone() else {
            panic!()
        };
        // A good index moved aside and linked back: not read through the link, and
        // the link is replaced, its target untouched.
        let aside = dir.path().join("aside.idx");
        fs::rename(&file, &aside).unwrap();
        std::os::unix::fs::symlink(&aside, &file).unwrap();
        let before = fs::read(&aside).unwrap();
        let b = Index::load_or_build_named(&font, &cache, "t", all).unwrap();
        assert!(matches!(b.origin(), Origin::BuiltAndCached(_)));
        assert!(
            !fs::symlink_metadata(&file)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&aside).unwrap(), before);
    }

    /// The real reference font, when installed: the MJ glyphs up to MJ000300 (variants
    /// among them) drawn as 24-dot monochrome bitmaps, a pixel thicker, are found.
    #[test]
    fn ipamj_24_dot_thickened_glyphs_are_found() {
        let Ok(bytes) = fs::read("/usr/share/fonts/truetype/ipamj/ipamjm.ttf") else {
            eprintln!("IPAmj明朝 not installed: skipped");
            return;
        };
        let wanted = |g: &GlyphInfo<'_>| mj_name(g).filter(|n| n.as_str() <= "MJ000300");
        let index = Index::build_named(&bytes, wanted).unwrap();
        let font = OutlineFont::parse(&bytes).unwrap();
        let (mut n, mut top1, mut top5) = (0, 0, 0);
        for (id, name) in font.glyph_names().iter().enumerate() {
            let Some(want) = mj_name(&GlyphInfo {
                id: id as u16,
                name,
                chars: &[],
            })
            .filter(|n| n.as_str() <= "MJ000300") else {
                continue;
            };
            let grey = font.rasterize(id as u16, 24).unwrap();
            let mut mono = Bitmap::blank(24, 24);
            for y in 0..24i64 {
                for x in 0..24i64 {
                    if grey.get(x, y) >= 128 || grey.get(x - 1, y - 1) >= 128 {
                        mono.pixels[(y * 24 + x) as usize] = 255;
                    }
                }
            }
            let c = index.rank(&mono, 5);
            n += 1;
            top1 += usize::from(c[0].name == want);
            top5 += usize::from(c.iter().any(|x| x.name == want));
        }
        // MJ000001–MJ000300 as the MJ table publishes them.
        assert_eq!((index.len(), n), (285, 285));
        eprintln!("top-1 {top1}, top-5 {top5} of {n}");
        assert!(
            top1 * 100 >= n * 95 && top5 * 100 >= n * 99,
            "top-1 {top1}, top-5 {top5} of {n}"
        );
    }

    #[test]
    fn missing_font_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = Index::load_or_build(&dir.path().join("nope.ttf"), dir.path()).unwrap_err();
        assert!(e.to_string().contains("nope.ttf"), "{e}");
    }
}
