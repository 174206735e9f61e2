//! `--charset`: the character set every written text or kana item must stay in.
//!
//! - `mj+` (行政事務標準文字): JIS X 0213:2004 characters ∪ every MJ glyph form (its
//!   実装したUCS, 対応するUCS, 対応する互換漢字, Moji_Joho IVS) ∪ the `--charset-ext`
//!   entries ([`ext`]).
//! - `jis2004`: JIS X 0213:2004 characters only (`mappings/jis-sets.txt`, as
//!   [`crate::profile::charset`]).
//! - `any`: no check.
//!
//! The unit checked is what a reader sees as one character ([`units`]): a base
//! character with the variation selector or the combining semi-voiced mark U+309A
//! that follows it (か゚ is one JIS X 0213 character, 葛󠄀 one MJ glyph). A base +
//! selector is in the set only as that sequence: 葛 being standard does not make
//! every 葛 + selector standard. Both sets also hold the standardized variation
//! sequence (base + FE00…) of each of their CJK compatibility ideographs: it is the
//! same character, written so that NFC cannot change it.
//!
//! Both also hold the CP932 forms `--variants cp932` writes for the seven cells
//! CP932 and JIS X 0213 map differently (～ ∥ － ― ￠ ￡ ￢).
//!
//! The test is one bit of a 64 Ki-bit map for a BMP character, a binary search of a
//! sorted array for the rest and for sequences; nothing is allocated per character.

pub mod ext;

use ext::CharsetExt;
use std::fmt;
use std::sync::OnceLock;

/// `--charset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum CharsetKind {
    /// 行政事務標準文字: JIS X 0213 ∪ MJ glyph forms ∪ the extension.
    #[default]
    MjPlus,
    /// JIS X 0213:2004 only.
    Jis2004,
    /// Nothing is checked.
    Any,
}

impl CharsetKind {
    /// `mj+`, `jis2004`, `any` (the flag's words, the manifest's `charset` option).
    pub fn id(self) -> &'static str {
        match self {
            CharsetKind::MjPlus => "mj+",
            CharsetKind::Jis2004 => "jis2004",
            CharsetKind::Any => "any",
        }
    }

    /// The set's name in Japanese (reject reasons, the report).
    pub fn label_ja(self) -> &'static str {
        match self {
            CharsetKind::MjPlus => "行政事務標準文字（MJ+）",
            CharsetKind::Jis2004 => "JIS X 0213:2004",
            CharsetKind::Any => "制限なし",
        }
    }
}

/// What a reader sees as one character: a base, and the variation selector or
/// U+309A that follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Unit {
    pub base: char,
    pub mark: Option<char>,
}

impl Unit {
    /// `U+845B U+E0100`.
    pub fn codes(self) -> String {
        match self.mark {
            Some(m) => format!("U+{:04X} U+{:04X}", self.base as u32, m as u32),
            None => format!("U+{:04X}", self.base as u32),
        }
    }
}

/// The characters.
impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.base)?;
        if let Some(m) = self.mark {
            write!(f, "{m}")?;
        }
        Ok(())
    }
}

/// A mark that joins the character before it into one [`Unit`].
#[inline]
fn is_mark(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{309A}')
}

/// The units of `s`, each with its byte range. A mark with no character before it
/// (or after another mark) is a unit of its own.
pub fn units(s: &str) -> impl Iterator<Item = (std::ops::Range<usize>, Unit)> + '_ {
    let mut it = s.char_indices().peekable();
    std::iter::from_fn(move || {
        let (i, base) = it.next()?;
        let mut end = i + base.len_utf8();
        let mut mark = None;
        if !is_mark(base)
            && let Some(&(j, m)) = it.peek()
            && is_mark(m)
        {
            mark = Some(m);
            end = j + m.len_utf8();
            it.next();
        }
        Some((i..end, Unit { base, mark }))
    })
}

/// One set: a bit per BMP code point, sorted arrays for the rest.
#[cfg_attr(test, derive(PartialEq, Debug))]
struct Plane {
    bmp: Box<[u64; 1024]>,
    astral: Vec<u32>,
    seqs: Vec<(u32, u32)>,
}

impl Plane {
    fn new() -> Plane {
        Plane {
            bmp: Box::new([0; 1024]),
            astral: Vec::new(),
            seqs: Vec::new(),
        }
    }

    fn insert(&mut self, c: char) {
        // A mark is never a member on its own: [`Charset::all_in`] relies on it.
        if is_mark(c) {
            return;
        }
        let cp = c as u32;
        if cp < 0x10000 {
            self.bmp[cp as usize / 64] |= 1 << (cp % 64);
        } else {
            self.astral.push(cp);
        }
    }

    #[inline]
    fn has(&self, c: char) -> bool {
        let cp = c as u32;
        if cp < 0x10000 {
            self.bmp[cp as usize / 64] & (1 << (cp % 64)) != 0
        } else {
            self.astral.binary_search(&cp).is_ok()
        }
    }

    fn finish(mut self) -> Plane {
        // Each compatibility ideograph of the set is also in it as its standardized
        // variation sequence (what --nfc-safe writes).
        use unicode_normalization::UnicodeNormalization;
        for c in ('\u{F900}'..='\u{FAFF}').chain('\u{2F800}'..='\u{2FA1F}') {
            if self.has(c) {
                let mut v = std::iter::once(c).cjk_compat_variants();
                if let (Some(b), Some(s), None) = (v.next(), v.next(), v.next()) {
                    self.seqs.push((b as u32, s as u32));
                }
            }
        }
        // Stable sort: it merges the sorted runs the plane is made of (JIS, then MJ).
        self.astral.sort();
        self.astral.dedup();
        self.seqs.sort();
        self.seqs.dedup();
        self
    }
}

/// The JIS X 0213 sequences of a base and U+309A (か゚ き゚ く゚ け゚ こ゚, カ゚ キ゚ ク゚ ケ゚
/// コ゚ セ゚ ツ゚ ト゚, ㇷ゚): 1-04-87…91, 1-05-87…94, 1-06-88.
const JIS_SEMI_VOICED: [char; 14] = [
    'か', 'き', 'く', 'け', 'こ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'セ', 'ツ', 'ト', 'ㇷ',
];

fn jis2004_plane() -> Plane {
    let mut p = Plane::new();
    for c in crate::profile::charset::members() {
        p.insert(c);
    }
    for b in JIS_SEMI_VOICED {
        p.seqs.push((b as u32, 0x309A));
    }
    // The CP932 forms `--variants cp932` writes (～ ∥ － ― ￠ ￡ ￢) are the same JIS
    // cells in Microsoft's mapping: a deliberate choice of form, not another character.
    for (cp932, _) in crate::decode::VARIANTS {
        p.insert(cp932);
    }
    p
}

/// JIS X 0213 and what the MJ table adds (read at build time, see
/// [`crate::mj::plus_members`]).
fn mj_plus_plane() -> Plane {
    let mut p = jis2004_plane();
    let (chars, seqs) = crate::mj::plus_members();
    for c in chars.filter_map(char::from_u32) {
        p.insert(c);
    }
    p.seqs.extend(seqs);
    p
}

fn plane(kind: CharsetKind) -> Option<&'static Plane> {
    static JIS: OnceLock<Plane> = OnceLock::new();
    static MJ: OnceLock<Plane> = OnceLock::new();
    match kind {
        CharsetKind::Any => None,
        CharsetKind::Jis2004 => Some(JIS.get_or_init(|| jis2004_plane().finish())),
        CharsetKind::MjPlus => Some(MJ.get_or_init(|| mj_plus_plane().finish())),
    }
}

/// A character set ready to test units against.
pub struct Charset {
    kind: CharsetKind,
    plane: Option<&'static Plane>,
    ext_chars: Vec<u32>,
    ext_seqs: Vec<(u32, u32)>,
}

impl fmt::Debug for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Charset")
            .field("kind", &self.kind)
            .field("ext", &(self.ext_chars.len() + self.ext_seqs.len()))
            .finish()
    }
}

impl Charset {
    /// The set `kind`; `ext` adds its entries to `mj+` (and nothing to `jis2004`).
    pub fn new(kind: CharsetKind, ext: Option<&CharsetExt>) -> Charset {
        let mut cs = Charset {
            kind,
            plane: plane(kind),
            ext_chars: Vec::new(),
            ext_seqs: Vec::new(),
        };
        if kind == CharsetKind::MjPlus
            && let Some(ext) = ext
        {
            for e in ext.entries() {
                let mut it = e.text.chars();
                match (it.next(), it.next()) {
                    (Some(b), None) => cs.ext_chars.push(b as u32),
                    (Some(b), Some(m)) => cs.ext_seqs.push((b as u32, m as u32)),
                    _ => {}
                }
            }
            cs.ext_chars.sort_unstable();
            cs.ext_seqs.sort_unstable();
        }
        cs
    }

    pub fn kind(&self) -> CharsetKind {
        self.kind
    }

    /// True when `u` is in the set.
    #[inline]
    pub fn contains(&self, u: Unit) -> bool {
        let Some(p) = self.plane else {
            return true;
        };
        match u.mark {
            None => {
                p.has(u.base)
                    || (u.base as u32 >= 0xF0000
                        && self.ext_chars.binary_search(&(u.base as u32)).is_ok())
            }
            Some(m) => {
                let key = (u.base as u32, m as u32);
                p.seqs.binary_search(&key).is_ok() || self.ext_seqs.binary_search(&key).is_ok()
            }
        }
    }

    /// True when every unit of `s` is in the set. ASCII text is answered by one
    /// byte scan; other text one character at a time against the BMP bit map, and
    /// only text with an astral character or a mark unit by unit.
    #[inline]
    pub fn all_in(&self, s: &str) -> bool {
        let Some(p) = self.plane else {
            return true;
        };
        if s.is_ascii() {
            return true;
        }
        // No mark is in the bit map, so text that passes this holds single
        // characters only, each a member.
        let bmp_members = s.chars().all(|c| {
            let cp = c as u32;
            cp < 0x10000 && p.bmp[cp as usize / 64] & (1 << (cp % 64)) != 0
        });
        bmp_members || units(s).all(|(_, u)| self.contains(u))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Unit {
        let mut v: Vec<Unit> = units(s).map(|(_, u)| u).collect();
        assert_eq!(v.len(), 1, "{s:?} is one unit");
        v.remove(0)
    }

    fn ext() -> CharsetExt {
        CharsetExt::parse_all(&[(
            "x.tsv",
            "GJ000001\tU+100000\nGJ000002\tU+10002A U+E0100\n",
            "",
        )])
        .unwrap()
    }

    #[test]
    fn units_join_selectors_and_the_semi_voiced_mark() {
        let v: Vec<(std::ops::Range<usize>, String)> = units("a葛\u{E0100}か\u{309A}\u{E0100}x")
            .map(|(r, u)| (r, u.to_string()))
            .collect();
        assert_eq!(
            v,
            [
                (0..1, "a".to_string()),
                (1..8, "葛\u{E0100}".into()),
                (8..14, "か\u{309A}".into()),
                (14..18, "\u{E0100}".into()),
                (18..19, "x".into()),
            ]
        );
        assert_eq!(u("葛\u{E0100}").codes(), "U+845B U+E0100");
    }

    #[test]
    fn mj_plus_holds_jis_mj_forms_and_the_extension() {
        let ext = ext();
        let cs = Charset::new(CharsetKind::MjPlus, Some(&ext));
        // JIS X 0213 characters, plane 2 included, and a JIS X 0213 sequence.
        for s in ["a", "葛", "①", "\u{20B9F}", "か\u{309A}", "ㇷ\u{309A}", "ｱ"] {
            assert!(cs.contains(u(s)), "{s}");
        }
        // MJ forms: 𠮷 (implemented UCS, not JIS X 0213) and a Moji_Joho IVS.
        let db = crate::mj::db();
        assert!(cs.contains(u("\u{20BB7}")));
        let g = db.glyphs().find(|g| g.ivs.is_some()).unwrap();
        assert!(cs.contains(u(&g.ivs.unwrap().to_string())), "{}", g.name());
        // The extension: a single character and a sequence.
        assert!(cs.contains(u("\u{100000}")));
        assert!(cs.contains(u("\u{10002A}\u{E0100}")));
        // Outside: other PUA, a non-MJ IVS, a base of the extension alone, emoji,
        // a lone semi-voiced mark, semi-voiced ア.
        for s in [
            "\u{E000}",
            "\u{100001}",
            "\u{10FFFD}",
            "\u{F0000}",
            "葛\u{E01EF}",
            "葛\u{E0100}", // an Adobe-Japan1 sequence, no Moji_Joho one
            "a\u{E0100}",
            "\u{10002A}",
            "\u{1F600}",
            "\u{309A}",
            "ア\u{309A}",
        ] {
            assert!(!cs.contains(u(s)), "{s:?}");
        }
        // Random plane 15/16 code points are out.
        let mut x: u32 = 0x9E37_79B9;
        for _ in 0..1000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let cp = 0xF0000 + (x % 0x1FFFE);
            if let Some(c) = char::from_u32(cp)
                && cp != 0x100000
            {
                assert!(
                    !cs.contains(Unit {
                        base: c,
                        mark: None
                    }),
                    "U+{cp:X}"
                );
            }
        }
        assert!(cs.all_in("山田　太郎 abc"));
        assert!(!cs.all_in("山田\u{E000}"));
    }

    /// The planes as they were built before build.rs and [`crate::profile::charset::members`]:
    /// every code point asked of `class`, every MJ row parsed by `mj::db()`.
    fn plane_by_asking_each(mj: bool) -> Plane {
        use crate::profile::charset::{JisSet, class};
        let mut p = Plane::new();
        for c in (0..0x30000u32).filter_map(char::from_u32) {
            if class(c) != JisSet::Outside {
                p.insert(c);
            }
        }
        for b in JIS_SEMI_VOICED {
            p.seqs.push((b as u32, 0x309A));
        }
        for (cp932, _) in crate::decode::VARIANTS {
            p.insert(cp932);
        }
        if mj {
            for g in crate::mj::db().glyphs() {
                for c in [g.implemented, g.ucs, g.compat].into_iter().flatten() {
                    p.insert(c);
                }
                for ivs in [g.ivs, g.ivd_alt].into_iter().flatten() {
                    p.seqs.push((ivs.base as u32, ivs.selector as u32));
                }
            }
        }
        p.finish()
    }

    #[test]
    fn the_planes_are_what_asking_each_code_point_and_parsing_each_row_gives() {
        assert_eq!(jis2004_plane().finish(), plane_by_asking_each(false));
        assert_eq!(mj_plus_plane().finish(), plane_by_asking_each(true));
    }

    #[test]
    fn jis2004_is_jis_x_0213_only() {
        let cs = Charset::new(CharsetKind::Jis2004, Some(&ext()));
        assert!(cs.contains(u("葛")));
        assert!(cs.contains(u("\u{20B9F}")));
        assert!(!cs.contains(u("\u{20BB7}")), "𠮷 is MJ, not JIS X 0213");
        assert!(!cs.contains(u("葛\u{E0100}")), "an IVS is not JIS X 0213");
        assert!(!cs.contains(u("\u{100000}")), "the extension is MJ+ only");
        assert!(
            cs.contains(u("\u{FF5E}")),
            "the --variants cp932 form of 〜"
        );
        assert!(!cs.contains(u("\u{FF5F}")));
    }

    #[test]
    fn a_compatibility_ideograph_and_its_standardized_sequence_go_together() {
        // U+FA10 塚 is a JIS X 0213 character; its sequence is U+585A U+FE00.
        let cs = Charset::new(CharsetKind::Jis2004, None);
        assert!(cs.contains(u("\u{FA10}")));
        assert!(cs.contains(u("\u{585A}\u{FE00}")));
        assert!(!cs.contains(u("\u{585A}\u{FE01}")));
    }

    #[test]
    fn no_mark_is_a_member_on_its_own() {
        for kind in [CharsetKind::MjPlus, CharsetKind::Jis2004] {
            let cs = Charset::new(kind, None);
            for c in ('\u{FE00}'..='\u{FE0F}')
                .chain('\u{E0100}'..='\u{E01EF}')
                .chain(['\u{309A}'])
            {
                assert!(
                    !cs.contains(Unit {
                        base: c,
                        mark: None
                    }),
                    "U+{:04X}",
                    c as u32
                );
                assert!(!cs.all_in(&format!("山{c}")), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn any_holds_everything() {
        let cs = Charset::new(CharsetKind::Any, None);
        assert!(cs.all_in("\u{E000}\u{1F600}"));
    }
}
