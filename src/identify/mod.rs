//! `ikou identify`: rank MJ candidates for each vendor 外字 from its glyph (文字同定).
//!
//! - [`glyph`]: the one bitmap type every source of glyphs produces (vendor TrueType,
//!   BDF, PNG; the IPAmj明朝 reference) and the rasteriser for outline fonts.
//! - [`source`]: the vendor's glyphs (outline font, BDF, PNG directory) by 外字 code.
//! - [`worklist`]: the 外字 table skeleton with the best candidate proposed.
//! - [`page`]: the review page (文字同定 確認表).

pub mod glyph;
pub mod page;
pub mod ranked;
pub mod source;
pub mod worklist;
