//! `ikou identify`: rank MJ candidates for each vendor 外字 from its glyph (文字同定).
//!
//! Data flows one way: a vendor glyph ([`glyph::Bitmap`], from TrueType, BDF or PNG)
//! → its shape features ([`features`]) → compared with every reference glyph's
//! features in the [`index`] (built from IPAmj明朝 and cached) → candidates best first
//! with a 0–100 score and the margin to the next ([`rank`]).

pub mod features;
pub mod glyph;
pub mod index;
pub mod rank;

pub use glyph::Bitmap;
pub use index::{Index, RENDER_PX};
pub use rank::{Candidate, margin};
