//! `ikou identify`: rank MJ candidates for each vendor 外字 from its glyph (文字同定).
//!
//! Data flows one way: a vendor glyph ([`glyph::Bitmap`], from TrueType, BDF or PNG)
//! → its shape features ([`features`]) → compared with every reference glyph's
//! features in the [`index`] (built from IPAmj明朝 and cached) → candidates best first
//! with a 0–100 score and the margin to the next ([`rank`]).
//!
//! - [`source`]: the vendor's glyphs (outline font, BDF, PNG directory) by 外字 code.
//! - [`ranked`]: each vendor 外字 with its candidates, and the `--json` shape.
//! - [`worklist`]: the 外字 table skeleton with the best candidate proposed.
//! - [`page`]: the review page (文字同定 確認表).

pub mod features;
pub mod glyph;
pub mod index;
pub mod page;
pub mod rank;
pub mod ranked;
pub mod source;
pub mod worklist;

pub use glyph::Bitmap;
pub use index::{Index, RENDER_PX};
pub use rank::{Candidate, margin};
