//! ikou (移行): converts municipal data exports laid out per the 中間標準レイアウト仕様
//! to standard-compliant UTF-8, mapping vendor 外字 to 文字情報基盤 (MJ) glyphs, with a
//! checksummed audit trail.
//!
//! Data flows one way; each stage is a module:
//! read and split ([`split`]) → decode ([`decode`]) → items ([`items`]) → per item
//! checks ([`validate`]), composed per record in [`record`] → encode and write
//! ([`output`]), with hashing on the side, counted in [`tally`] and recorded in the
//! [`manifest`]. [`convert`] drives the stages over chunks of records in parallel;
//! [`input`] checks the files before any work starts.

pub mod batch;
pub mod charset;
pub mod cleanse;
pub mod columns;
pub mod convert;
pub mod decode;
pub mod error;
pub mod gaiji;
pub mod identify;
pub mod input;
pub mod items;
pub mod layout;
pub mod manifest;
pub mod mappings;
pub mod mj;
pub mod outdir;
pub mod output;
pub mod parallel;
pub mod profile;
pub mod reconcile;
pub mod record;
pub mod records;
pub mod reject;
pub mod report;
pub mod split;
pub mod tally;
pub mod target;
pub mod threads;
pub mod validate;

pub use error::Error;
