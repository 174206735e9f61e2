//! What `ikou identify` found for each vendor 外字: its glyph and its candidates,
//! best first, and the `--json` shape.

use super::rank::Candidate;
use super::source::{Code, VendorGlyph};

/// A vendor 外字 with its candidates, best first.
#[derive(Clone, Debug)]
pub struct Identified {
    pub glyph: VendorGlyph,
    pub candidates: Vec<Candidate>,
}

impl Identified {
    pub fn code(&self) -> Code {
        self.glyph.code
    }

    /// The best candidate.
    pub fn best(&self) -> Option<&Candidate> {
        self.candidates.first()
    }

    /// How far the best candidate is ahead of the next (its score when alone:
    /// nothing else came near).
    pub fn margin(&self) -> f32 {
        super::rank::margin(&self.candidates)
            .or_else(|| self.best().map(|b| b.score))
            .unwrap_or(0.0)
    }

    /// Whether the best candidate may be written into the table unseen: score at
    /// least `score` and ahead of the next by at least `margin`.
    pub fn accepted(&self, score: f32, margin: f32) -> bool {
        self.best()
            .is_some_and(|b| b.score >= score && self.margin() >= margin)
    }
}

/// Most confident first (best score, then margin), then by code: the order of
/// the review page.
pub fn by_confidence(list: &mut [Identified]) {
    list.sort_by(|a, b| {
        let s = |i: &Identified| i.best().map_or(f32::MIN, |b| b.score);
        s(b).total_cmp(&s(a))
            .then(b.margin().total_cmp(&a.margin()))
            .then(a.code().cmp(&b.code()))
    });
}

/// A score as shown and printed: one decimal.
pub fn round(score: f32) -> f64 {
    (f64::from(score) * 10.0).round() / 10.0
}

/// `{"glyphs": [{"code": "U+E000", "candidates": [{"mj": "MJ012345", "score": 97.1}, …]}, …]}`
/// in code order; a GJ candidate has `"gj"` instead of `"mj"`.
pub fn to_json(list: &[Identified]) -> String {
    #[derive(serde::Serialize)]
    struct Out {
        glyphs: Vec<Glyph>,
    }
    #[derive(serde::Serialize)]
    struct Glyph {
        code: String,
        candidates: Vec<Candidate>,
    }
    #[derive(serde::Serialize)]
    struct Candidate {
        #[serde(skip_serializing_if = "Option::is_none")]
        mj: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        gj: Option<String>,
        score: f64,
    }
    let out = Out {
        glyphs: list
            .iter()
            .map(|i| Glyph {
                code: i.code().to_string(),
                candidates: i
                    .candidates
                    .iter()
                    .map(|c| {
                        let gj = c.name.starts_with("GJ");
                        Candidate {
                            mj: (!gj).then(|| c.name.clone()),
                            gj: gj.then(|| c.name.clone()),
                            score: round(c.score),
                        }
                    })
                    .collect(),
            })
            .collect(),
    };
    // Plain data with string keys: serialising it cannot fail.
    let mut s = serde_json::to_string(&out).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::identify::glyph::Bitmap;

    pub(crate) fn found(code: char, cands: &[(&str, f32)]) -> Identified {
        Identified {
            glyph: VendorGlyph {
                code: Code::Char(code),
                bitmap: Bitmap::blank(2, 2),
            },
            candidates: cands
                .iter()
                .map(|(n, s)| Candidate {
                    name: n.to_string(),
                    score: *s,
                })
                .collect(),
        }
    }

    #[test]
    fn json_has_the_issue_shape() {
        let list = [found(
            '\u{E000}',
            &[("MJ012345", 97.1), ("GJ000001", 80.04)],
        )];
        assert_eq!(
            to_json(&list),
            "{\"glyphs\":[{\"code\":\"U+E000\",\"candidates\":[{\"mj\":\"MJ012345\",\"score\":97.1},{\"gj\":\"GJ000001\",\"score\":80.0}]}]}\n"
        );
    }

    #[test]
    fn acceptance_needs_score_and_margin() {
        let i = found('\u{E000}', &[("MJ000001", 95.0), ("MJ000002", 90.0)]);
        assert!((i.margin() - 5.0).abs() < 1e-6);
        assert!(i.accepted(95.0, 5.0));
        assert!(!i.accepted(95.1, 5.0));
        assert!(!i.accepted(90.0, 5.1));
        assert!(!found('\u{E000}', &[]).accepted(0.0, 0.0));
    }

    #[test]
    fn confidence_orders_best_first() {
        let mut l = vec![
            found('\u{E001}', &[("MJ000001", 50.0)]),
            found('\u{E000}', &[("MJ000001", 90.0), ("MJ000002", 89.0)]),
            found('\u{E002}', &[("MJ000001", 90.0), ("MJ000002", 10.0)]),
        ];
        by_confidence(&mut l);
        let codes: Vec<String> = l.iter().map(|i| i.code().to_string()).collect();
        assert_eq!(codes, ["U+E002", "U+E000", "U+E001"]);
    }
}
