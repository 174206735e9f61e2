//! Load time of the embedded MJ tables, and the main lookups on a few known glyphs.

use ikou::mj::{self, IvsPolicy, Target};
use std::time::Instant;

#[test]
fn loads_fast_and_answers() {
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let db = mj::db();
    let open = ms(t);
    let t = Instant::now();
    let by_juki = db.resolve(&Target::Juki(0xFA10));
    let juki = ms(t);
    let t = Instant::now();
    let by_koseki = db.resolve(&Target::Koseki(61090));
    let koseki = ms(t);
    let t = Instant::now();
    let never = db.written(4, IvsPolicy::Never);
    let mjsm = ms(t);
    let t = Instant::now();
    let by_compat = db.by_compat('\u{FA10}');
    let compat = ms(t);
    let t = Instant::now();
    let by_char = db.by_char("\u{FA10}");
    let chars = ms(t);
    let t = Instant::now();
    let n = (1..=68_101)
        .filter(|&mj| db.written(mj, IvsPolicy::Keep).is_ok())
        .count();
    let per = ms(t) / 68_101.0 * 1e6;
    println!(
        "MJ tables: open {open:.2} ms; first use of: 住基 lookup {juki:.2} ms, 戸籍 lookup \
         {koseki:.2} ms, MJ縮退マップ {mjsm:.2} ms, 互換漢字 {compat:.2} ms, by_char {chars:.2} ms; \
         written(Keep) {per:.0} ns per call"
    );
    assert_eq!(db.len(), 58_862);
    assert_eq!(n, 58_862 - 2);
    assert!(db.version().contains("Ver.006.02"));
    assert_eq!(by_juki, Ok(30194));
    assert_eq!(by_koseki, Ok(30194));
    assert_eq!(never.map(|w| w.text), Ok("丘".to_string()));
    assert_eq!(by_compat, Some(30194));
    assert_eq!(by_char.first(), Some(&30194));
    let w = db.written(30194, IvsPolicy::Keep).unwrap();
    assert_eq!(w.text, "\u{585A}\u{E0105}");
}
