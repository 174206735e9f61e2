//! Candidates for one vendor glyph, best first, with scores a person can read.

use std::cmp::Ordering;

/// A reference glyph proposed for a vendor glyph.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// `MJ012345` (or a GJ name when the index was built from an extension font).
    pub name: String,
    /// Shape similarity, 0–100: 100 is the same shape; see [`margin`] for how far
    /// ahead the best one is.
    pub score: f32,
}

/// How far the best candidate is ahead of the next (score points); `None` with
/// fewer than two candidates. A high score with a small margin means two reference
/// glyphs look alike (e.g. an MJ glyph and its near-identical variant): a person
/// should look.
pub fn margin(candidates: &[Candidate]) -> Option<f32> {
    match candidates {
        [a, b, ..] => Some(a.score - b.score),
        _ => None,
    }
}

/// Keeps the `k` best `(similarity, index)` pairs seen, best first; ties go to the
/// lower index so the order never depends on thread scheduling.
#[derive(Debug)]
pub(crate) struct TopK {
    k: usize,
    items: Vec<(f32, u32)>,
}

impl TopK {
    pub(crate) fn new(k: usize) -> TopK {
        TopK {
            k,
            items: Vec::with_capacity(k.saturating_add(1).min(4096)),
        }
    }

    fn better(a: &(f32, u32), b: &(f32, u32)) -> Ordering {
        b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
    }

    pub(crate) fn push(&mut self, sim: f32, i: u32) {
        if self.k == 0 {
            return;
        }
        let item = (sim, i);
        if self.items.len() == self.k
            && let Some(last) = self.items.last()
            && Self::better(&item, last) != Ordering::Less
        {
            return;
        }
        let at = self
            .items
            .partition_point(|x| Self::better(x, &item) == Ordering::Less);
        self.items.insert(at, item);
        self.items.truncate(self.k);
    }

    pub(crate) fn into_sorted(self) -> Vec<(f32, u32)> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_keeps_best_in_order_with_ties_by_index() {
        let mut t = TopK::new(3);
        for (s, i) in [(0.5, 0), (0.9, 1), (0.1, 2), (0.9, 3), (0.7, 4), (0.95, 5)] {
            t.push(s, i);
        }
        assert_eq!(t.into_sorted(), vec![(0.95, 5), (0.9, 1), (0.9, 3)]);
        let mut z = TopK::new(0);
        z.push(1.0, 0);
        assert!(z.into_sorted().is_empty());
    }

    #[test]
    fn margin_is_lead_over_second() {
        let c = |s| Candidate {
            name: String::new(),
            score: s,
        };
        assert_eq!(margin(&[c(90.0), c(85.5)]), Some(4.5));
        assert_eq!(margin(&[c(90.0)]), None);
    }
}
