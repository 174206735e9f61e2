//! `ikou identify`: rank MJ candidates for each vendor 外字 from its glyph (文字同定).
//!
//! - [`glyph`]: the one bitmap type every source of glyphs produces (vendor TrueType,
//!   BDF, PNG; the IPAmj明朝 reference) and the rasteriser for outline fonts.

pub mod glyph;
