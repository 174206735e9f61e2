//! ikou (移行): converts municipal data exports laid out per the 中間標準レイアウト仕様
//! to standard-compliant UTF-8, mapping vendor 外字 to 文字情報基盤 (MJ) glyphs, with a
//! checksummed audit trail.
//!
//! Data flows one way; each stage is a module:
//! read ([`split`]) → decode ([`decode`]) → items ([`items`]) → per item map, cleanse,
//! validate ([`item`]) → encode and write ([`output`]), hashed on the side into the
//! [`manifest`]. [`convert`] drives the stages over chunks of records in parallel.

pub mod layout;
pub mod mj;
