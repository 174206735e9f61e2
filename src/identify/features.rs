//! Shape features of a glyph, comparable across sizes, typefaces and rasterisers.
//!
//! A vendor's 外字 arrives as a 24×24 or 32×32 monochrome bitmap with its own
//! bounding box, often a pixel thicker or shifted, or as another typeface's outline;
//! the reference is IPAmj明朝 drawn in grey. What survives all of that is where the
//! strokes run and in which direction, relative to the glyph's own extent, so:
//!
//! 1. the ink's bounding box is mapped onto a fixed canvas, the long side filling it
//!    and the short side scaled by the square root of the aspect ratio (so 一 stays
//!    flat but thick enough to measure, and position or size in the em drop out);
//! 2. the canvas is blurred (a pixel of thickening or a staircase edge moves the
//!    blurred edge very little);
//! 3. the gradient at each point is split between the two nearest of 8 directions
//!    (the two sides of a stroke point opposite ways, so a thicker stroke moves
//!    each side's response by half a pixel instead of changing it);
//! 4. each direction plane is pooled into a coarse grid with overlapping
//!    (bilinear) cells, so a one-pixel shift moves weight between neighbouring
//!    cells smoothly;
//! 5. square root, then unit length: similarity is the cosine.
//!
//! The same planes pooled on a 4×4 grid give coarse features that preselect the few
//! hundred nearest reference glyphs at a quarter of the cost.
//!
//! On a fixed 8×8 grid a glyph's long open strokes take most of the weight, and that
//! is where another typeface differs most (lengths, proportions), while MJ variants
//! differ in small busy parts (a dot, a short stroke inside a component). So a
//! second family of the same direction features is taken after *line-density
//! equalisation* (as in handwritten-kanji recognition): each row of the canvas gets
//! room in proportion to the stroke edges along it plus the average (so empty rows
//! keep some), each column likewise; busy parts spread over more cells, sparse ones
//! shrink. The score is the mean of the two cosines ([`similarity`]). Measured on
//! the benchmark: another typeface's glyphs (set b) found first 94.0% → 95.4% of
//! the time, the MJ font's own (set a) unchanged; the equalised features alone lose
//! set a (94.9%), as they blur a glyph's own proportions.

use super::glyph::Bitmap;

/// Side of the canvas the glyph is normalised onto.
const CANVAS: usize = 64;
/// Empty border around the glyph on the canvas (so the blur and gradient see its
/// outer edges whole).
const MARGIN: usize = 4;
/// Gradient directions.
pub const DIRS: usize = 8;
/// Cells per side of the pooling grid of the features that decide the ranking.
pub const GRID: usize = 8;
/// Length of those features.
pub const DIMS: usize = DIRS * GRID * GRID;
/// Cells per side of the coarse grid that preselects candidates (a quarter of the
/// work of a full comparison; see `index::PRESELECT`).
pub const COARSE_GRID: usize = 4;
/// Length of the coarse features.
pub const COARSE_DIMS: usize = DIRS * COARSE_GRID * COARSE_GRID;
/// Blur applied to the canvas before the gradient, in canvas pixels. Measured on the
/// benchmark: 1.0 keeps variants apart (set a) while tolerating another typeface's
/// proportions (set b) about as well as wider blurs.
const SIGMA: f32 = 1.0;
/// Blur before the gradient for the equalised features: the equalisation stretches
/// busy rows, so their edges need a little more smoothing. 1.0–2.0 measured alike.
const EQUALISED_SIGMA: f32 = 1.5;
/// Room every row (column) gets on top of its edge count, as a multiple of the
/// average count: 0 would give empty rows none, large values undo the equalisation.
/// 0.7–1.5 measured alike on the benchmark.
const EQUALISE_FLOOR: f32 = 1.0;
/// Pixels at or above this ink count when finding the bounding box: faint
/// anti-aliasing at an outline's edge is not part of the shape.
const INK: u8 = 96;

/// Changes whenever the features change, so cached indexes of older features are
/// rebuilt rather than compared with new ones.
pub const VERSION: u32 = 2;

/// A glyph's shape features: both unit length, values ≥ 0.
#[derive(Clone, Debug, PartialEq)]
pub struct Features {
    /// [`DIMS`] values: what the ranking and the score use.
    pub fine: Vec<f32>,
    /// [`COARSE_DIMS`] values: to preselect candidates cheaply.
    pub coarse: Vec<f32>,
    /// [`DIMS`] values: the fine features after line-density equalisation, half of
    /// the score.
    pub equalised: Vec<f32>,
}

/// The features of a glyph, or `None` when it has no ink (or its pixels do not
/// match its size).
pub fn features(b: &Bitmap) -> Option<Features> {
    let canvas = normalise(b)?;
    let blurred = blur(&canvas, CANVAS, SIGMA);
    let mut fine = directions(&blurred, CANVAS, GRID);
    unit(&mut fine)?;
    let mut coarse = directions(&blurred, CANVAS, COARSE_GRID);
    unit(&mut coarse)?;
    let even = blur(
        &equalise(&canvas, CANVAS, EQUALISE_FLOOR),
        CANVAS,
        EQUALISED_SIGMA,
    );
    let mut equalised = directions(&even, CANVAS, GRID);
    unit(&mut equalised)?;
    Some(Features {
        fine,
        coarse,
        equalised,
    })
}

/// How alike two glyphs are, as a score a person can read (100 = the same shape):
/// the mean of the plain and the equalised features' cosines.
pub fn similarity(a: &Features, b: &Features) -> f32 {
    (score(&a.fine, &b.fine) + score(&a.equalised, &b.equalised)) / 2.0
}

/// Square root of each value (so a few strong strokes do not drown the rest), then
/// unit length.
fn unit(f: &mut [f32]) -> Option<()> {
    for v in f.iter_mut() {
        *v = v.sqrt();
    }
    let norm = f.iter().map(|v| v * v).sum::<f32>().sqrt();
    // Also refuses NaN.
    if norm.is_nan() || norm <= 0.0 {
        return None;
    }
    for v in f.iter_mut() {
        *v /= norm;
    }
    Some(())
}

/// Similarity of two feature vectors as a score a person can read: 100 = the same
/// shape, 0 = nothing in common.
pub fn score(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    (dot * 100.0).clamp(0.0, 100.0)
}

/// The ink's bounding box mapped onto the canvas (grey levels 0–1). `None`: no ink.
fn normalise(b: &Bitmap) -> Option<Vec<f32>> {
    // A bitmap whose pixels do not fill its stated size is not read past its end.
    if (b.width as usize).checked_mul(b.height as usize) != Some(b.pixels.len()) {
        return None;
    }
    let (x0, y0, x1, y1) = b.ink_box(INK).or_else(|| b.ink_box(1))?;
    let (w, h) = ((x1 - x0) as f32, (y1 - y0) as f32);
    let inner = (CANVAS - 2 * MARGIN) as f32;
    let long = w.max(h);
    // The short side keeps √(short/long) of the long side's length.
    let short_len = inner * (w.min(h) / long).sqrt();
    let (tw, th) = if w >= h {
        (inner, short_len)
    } else {
        (short_len, inner)
    };
    let (ox, oy) = ((CANVAS as f32 - tw) / 2.0, (CANVAS as f32 - th) / 2.0);
    // Area-weighted resampling, separable: rows first, then columns.
    let src_w = b.width as usize;
    let xs = weights(x0 as f32, w, ox, tw);
    let ys = weights(y0 as f32, h, oy, th);
    let mut rows = vec![0f32; b.height as usize * CANVAS];
    for y in y0 as usize..y1 as usize {
        let src = &b.pixels[y * src_w..(y + 1) * src_w];
        let dst = &mut rows[y * CANVAS..(y + 1) * CANVAS];
        for &(sx, dx, wt) in &xs {
            dst[dx] += wt * f32::from(src[sx]) / 255.0;
        }
    }
    let mut out = vec![0f32; CANVAS * CANVAS];
    for &(sy, dy, wt) in &ys {
        let src = &rows[sy * CANVAS..(sy + 1) * CANVAS];
        let dst = &mut out[dy * CANVAS..(dy + 1) * CANVAS];
        for (d, s) in dst.iter_mut().zip(src) {
            *d += wt * s;
        }
    }
    Some(out)
}

/// Resampling weights `(source index, canvas index, weight)` mapping source pixels
/// `start .. start + len` onto canvas span `off .. off + target`: each canvas pixel
/// takes the source pixels it overlaps, weighted by the overlap.
fn weights(start: f32, len: f32, off: f32, target: f32) -> Vec<(usize, usize, f32)> {
    let mut out = Vec::new();
    let per = len / target; // source pixels per canvas pixel
    for d in 0..CANVAS {
        // The canvas pixel's span in source coordinates.
        let a = ((d as f32 - off) * per).max(0.0);
        let b = ((d as f32 + 1.0 - off) * per).min(len);
        if b <= a {
            continue;
        }
        let mut s = a.floor();
        while s < b {
            let overlap = (s + 1.0).min(b) - s.max(a);
            if overlap > 0.0 {
                // Normalised so a canvas pixel fully over ink is 1 whatever the scale.
                out.push(((start + s) as usize, d, overlap / per));
            }
            s += 1.0;
        }
    }
    out
}

/// Line-density equalisation of a `n` × `n` image: row `y` gets room in proportion
/// to the stroke edges along it (the sum of |horizontal differences|) plus `floor`
/// times the average, column `x` likewise with vertical differences; the image is
/// resampled (bilinear) onto the new rows and columns.
fn equalise(img: &[f32], n: usize, floor: f32) -> Vec<f32> {
    let mut rows = vec![0f32; n];
    let mut cols = vec![0f32; n];
    for y in 0..n {
        for x in 0..n {
            let p = img[y * n + x];
            if x + 1 < n {
                rows[y] += (img[y * n + x + 1] - p).abs();
            }
            if y + 1 < n {
                cols[x] += (img[(y + 1) * n + x] - p).abs();
            }
        }
    }
    let (Some(ys), Some(xs)) = (stretch(&rows, floor), stretch(&cols, floor)) else {
        return img.to_vec();
    };
    let at = |x: isize, y: isize| {
        if x < 0 || y < 0 || x >= n as isize || y >= n as isize {
            0.0
        } else {
            img[y as usize * n + x as usize]
        }
    };
    let mut out = vec![0f32; n * n];
    for (y, &sy) in ys.iter().enumerate() {
        let (y0, fy) = (sy.floor(), sy - sy.floor());
        for (x, &sx) in xs.iter().enumerate() {
            let (x0, fx) = (sx.floor(), sx - sx.floor());
            let (ix, iy) = (x0 as isize, y0 as isize);
            out[y * n + x] = at(ix, iy) * (1.0 - fx) * (1.0 - fy)
                + at(ix + 1, iy) * fx * (1.0 - fy)
                + at(ix, iy + 1) * (1.0 - fx) * fy
                + at(ix + 1, iy + 1) * fx * fy;
        }
    }
    out
}

/// For each of `density.len()` output pixels, the source coordinate (pixel centres
/// at integers) it samples so that every source pixel's share of the output is its
/// density plus `floor` times the average. `None`: no density at all.
fn stretch(density: &[f32], floor: f32) -> Option<Vec<f32>> {
    let n = density.len();
    let extra = floor * density.iter().sum::<f32>() / n as f32;
    // cum[i]: the share of source pixels before pixel i.
    let mut cum = Vec::with_capacity(n + 1);
    cum.push(0f32);
    for d in density {
        cum.push(cum.last().copied().unwrap_or(0.0) + d + extra);
    }
    let total = cum.last().copied().unwrap_or(0.0);
    if total.is_nan() || total <= 0.0 {
        return None;
    }
    let mut out = Vec::with_capacity(n);
    let mut j = 0;
    for t in 0..n {
        let want = (t as f32 + 0.5) / n as f32 * total;
        while j + 1 < n && cum[j + 1] < want {
            j += 1;
        }
        let span = cum[j + 1] - cum[j];
        let f = if span > 0.0 {
            (want - cum[j]) / span
        } else {
            0.0
        };
        out.push(j as f32 + f - 0.5);
    }
    Some(out)
}

/// Separable Gaussian blur of a `n` × `n` image.
fn blur(img: &[f32], n: usize, sigma: f32) -> Vec<f32> {
    let r = (sigma * 3.0).ceil() as isize;
    let k: Vec<f32> = (-r..=r)
        .map(|i| (-((i * i) as f32) / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f32 = k.iter().sum();
    let k: Vec<f32> = k.iter().map(|v| v / sum).collect();
    let mut tmp = vec![0f32; n * n];
    for y in 0..n {
        for x in 0..n {
            let mut acc = 0.0;
            for (j, kv) in k.iter().enumerate() {
                let sx = x as isize + j as isize - r;
                if sx >= 0 && (sx as usize) < n {
                    acc += kv * img[y * n + sx as usize];
                }
            }
            tmp[y * n + x] = acc;
        }
    }
    let mut out = vec![0f32; n * n];
    for y in 0..n {
        for (j, kv) in k.iter().enumerate() {
            let sy = y as isize + j as isize - r;
            if sy >= 0 && (sy as usize) < n {
                let src = &tmp[sy as usize * n..(sy as usize + 1) * n];
                let dst = &mut out[y * n..(y + 1) * n];
                for (d, s) in dst.iter_mut().zip(src) {
                    *d += kv * s;
                }
            }
        }
    }
    out
}

/// Gradient direction planes pooled on the grid: `[dir][cell_y][cell_x]`.
fn directions(img: &[f32], n: usize, grid: usize) -> Vec<f32> {
    let mut f = vec![0f32; DIRS * grid * grid];
    let cell = n as f32 / grid as f32;
    let step = std::f32::consts::TAU / DIRS as f32;
    for y in 1..n - 1 {
        for x in 1..n - 1 {
            let p = |dx: isize, dy: isize| {
                img[(y as isize + dy) as usize * n + (x as isize + dx) as usize]
            };
            // Sobel.
            let gx = (p(1, -1) + 2.0 * p(1, 0) + p(1, 1)) - (p(-1, -1) + 2.0 * p(-1, 0) + p(-1, 1));
            let gy = (p(-1, 1) + 2.0 * p(0, 1) + p(1, 1)) - (p(-1, -1) + 2.0 * p(0, -1) + p(1, -1));
            let m = (gx * gx + gy * gy).sqrt();
            if m < 1e-4 {
                continue;
            }
            let mut a = gy.atan2(gx) / step;
            if a < 0.0 {
                a += DIRS as f32;
            }
            let d0 = (a.floor() as usize) % DIRS;
            let d1 = (d0 + 1) % DIRS;
            let t = a - a.floor();
            // Bilinear spread over the 4 nearest cell centres.
            let cx = (x as f32 + 0.5) / cell - 0.5;
            let cy = (y as f32 + 0.5) / cell - 0.5;
            let (ix, iy) = (cx.floor() as isize, cy.floor() as isize);
            let (fx, fy) = (cx - cx.floor(), cy - cy.floor());
            for (jy, wy) in [(iy, 1.0 - fy), (iy + 1, fy)] {
                if jy < 0 || jy >= grid as isize {
                    continue;
                }
                for (jx, wx) in [(ix, 1.0 - fx), (ix + 1, fx)] {
                    if jx < 0 || jx >= grid as isize {
                        continue;
                    }
                    let c = jy as usize * grid + jx as usize;
                    let w = m * wx * wy;
                    f[d0 * grid * grid + c] += w * (1.0 - t);
                    f[d1 * grid * grid + c] += w * t;
                }
            }
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(size: u32, x0: u32, y0: u32, side: u32) -> Bitmap {
        let mut b = Bitmap::blank(size, size);
        for y in y0..y0 + side {
            for x in x0..x0 + side {
                b.pixels[(y * size + x) as usize] = 255;
            }
        }
        b
    }

    fn cross(size: u32, thick: u32) -> Bitmap {
        let mut b = Bitmap::blank(size, size);
        let mid = size / 2;
        for i in 2..size - 2 {
            for t in 0..thick {
                b.pixels[((mid + t) * size + i) as usize] = 255;
                b.pixels[(i * size + mid + t) as usize] = 255;
            }
        }
        b
    }

    #[test]
    fn blank_or_malformed_has_no_features() {
        assert!(features(&Bitmap::blank(24, 24)).is_none());
        // Fewer pixels than its size says: refused, not read past the end.
        let mut b = cross(32, 2);
        b.pixels.truncate(100);
        assert!(features(&b).is_none());
    }

    #[test]
    fn unit_length() {
        let f = features(&cross(32, 2)).unwrap();
        assert_eq!(f.fine.len(), DIMS);
        assert_eq!(f.coarse.len(), COARSE_DIMS);
        for v in [&f.fine, &f.coarse] {
            let n: f32 = v.iter().map(|v| v * v).sum();
            assert!((n - 1.0).abs() < 1e-4);
            assert!((score(v, v) - 100.0).abs() < 0.01);
        }
    }

    #[test]
    fn position_and_size_drop_out() {
        // The same square anywhere, at any size: the same features.
        let a = features(&square(24, 2, 3, 10)).unwrap().fine;
        let b = features(&square(32, 15, 10, 16)).unwrap().fine;
        assert!(score(&a, &b) > 99.0, "{}", score(&a, &b));
    }

    #[test]
    fn thickening_changes_little_and_shape_a_lot() {
        let thin = features(&cross(32, 2)).unwrap().fine;
        let thick = features(&cross(32, 3)).unwrap().fine;
        let sq = features(&square(32, 4, 4, 20)).unwrap().fine;
        assert!(score(&thin, &thick) > 90.0, "{}", score(&thin, &thick));
        assert!(score(&thin, &sq) < score(&thin, &thick) - 20.0);
    }

    fn rects(rs: &[(u32, u32, u32, u32)]) -> Bitmap {
        let mut b = Bitmap::blank(64, 64);
        for &(x0, y0, x1, y1) in rs {
            for y in y0..y1 {
                for x in x0..x1 {
                    b.pixels[(y * 64 + x) as usize] = 255;
                }
            }
        }
        b
    }

    /// A frame (long open strokes) with `bars` short bars packed near its corner at
    /// (`at`, `at`) (a small busy part, where MJ variants tend to differ).
    fn framed_detail(bars: u32, at: u32) -> Bitmap {
        let mut r = vec![
            (4, 4, 60, 7),
            (4, 57, 60, 60),
            (4, 4, 7, 60),
            (57, 4, 60, 60),
        ];
        for i in 0..bars {
            let y = at + i * 4;
            r.push((at, y, at + 12, y + 2));
        }
        rects(&r)
    }

    #[test]
    fn stretch_gives_busy_rows_more_room() {
        // Edges only in source rows 4..6 of 10: with the floor at the average, those
        // 2 rows hold 6 of the 10 shares, so 6 output rows sample them.
        let mut d = vec![0f32; 10];
        d[4] = 5.0;
        d[5] = 5.0;
        let s = stretch(&d, 1.0).unwrap();
        let inside = s.iter().filter(|&&v| (3.5..5.5).contains(&v)).count();
        assert_eq!(inside, 6, "{s:?}");
        // Increasing, and within the source.
        assert!(s.windows(2).all(|w| w[0] < w[1]), "{s:?}");
        assert!(s[0] >= -0.5 && s[9] <= 9.5, "{s:?}");
        // Even density: the identity.
        let s = stretch(&[1.0; 8], 1.0).unwrap();
        for (i, v) in s.iter().enumerate() {
            assert!((v - i as f32).abs() < 1e-4, "{s:?}");
        }
        assert!(stretch(&[0.0; 8], 1.0).is_none());
    }

    #[test]
    fn equalised_features_magnify_a_small_busy_part() {
        // Two glyphs differing only in the number of short bars in one corner: the
        // equalised features, which give that busy corner more of the grid, tell them
        // apart better than the plain ones (with no equalisation they would agree).
        let (a, b) = (
            features(&framed_detail(3, 12)).unwrap(),
            features(&framed_detail(4, 12)).unwrap(),
        );
        let plain = 100.0 - score(&a.fine, &b.fine);
        let equalised = 100.0 - score(&a.equalised, &b.equalised);
        assert!(
            equalised > 2.0 * plain,
            "distance plain {plain}, equalised {equalised}"
        );
    }

    #[test]
    fn similarity_tolerates_shift_and_thickening_but_not_another_shape() {
        // The same glyph a pixel thicker and shifted stays closer to itself than a
        // glyph with its detail elsewhere does.
        let a = framed_detail(3, 12);
        let mut moved = Bitmap::blank(64, 64);
        for y in 1..64i64 {
            for x in 1..64i64 {
                if a.get(x - 1, y - 1) > 0 || a.get(x - 2, y - 1) > 0 {
                    moved.pixels[(y * 64 + x) as usize] = 255;
                }
            }
        }
        let fa = features(&a).unwrap();
        let same = similarity(&fa, &features(&moved).unwrap());
        let other = similarity(&fa, &features(&framed_detail(3, 40)).unwrap());
        assert!(same > other + 1.0, "same {same}, other {other}");
        assert!((similarity(&fa, &fa) - 100.0).abs() < 0.01);
    }
}
