//! Synthetic resident records for benchmarks (shared by `examples/gen_residents.rs`
//! and the criterion benches). Every value is made up; the generator is
//! deterministic, so a figure can be reproduced from the command alone.

#![allow(dead_code)]

const SURNAMES: &[&str] = &[
    "山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田", "山本",
    "松本", "井上", "木村", "林", "斎藤", "清水", "山口", "森", "池田", "橋本", "阿部", "石川",
];
const SURNAME_KANA: &[&str] = &[
    "ヤマダ",
    "サトウ",
    "スズキ",
    "タカハシ",
    "タナカ",
    "イトウ",
    "ワタナベ",
    "ナカムラ",
    "コバヤシ",
    "カトウ",
    "ヨシダ",
    "ヤマモト",
    "マツモト",
    "イノウエ",
    "キムラ",
    "ハヤシ",
    "サイトウ",
    "シミズ",
    "ヤマグチ",
    "モリ",
    "イケダ",
    "ハシモト",
    "アベ",
    "イシカワ",
];
const GIVEN: &[&str] = &[
    "太郎", "花子", "一郎", "美咲", "健一", "由美", "翔太", "陽子", "大輔", "直子", "誠", "恵",
];
const GIVEN_KANA: &[&str] = &[
    "タロウ",
    "ハナコ",
    "イチロウ",
    "ミサキ",
    "ケンイチ",
    "ユミ",
    "ショウタ",
    "ヨウコ",
    "ダイスケ",
    "ナオコ",
    "マコト",
    "メグミ",
];
const TOWNS: &[&str] = &[
    "本町",
    "東町",
    "西町",
    "南町",
    "北町",
    "中央",
    "緑が丘",
    "桜台",
    "旭町",
    "栄町",
];

/// splitmix64: small, fast, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// One resident record as UTF-8 text, items in the order of the `juki-kojin (testdata/layouts/juki-kojin.toml)`
/// layout (宛名番号, 氏名, 氏名カナ, 生年月日, 性別, 住所, 個人番号), without line end.
/// With probability `gaiji_per_mille`/1000 the name holds a vendor 外字 (U+E000…).
pub fn record(i: u64, rng: &mut Rng, gaiji_per_mille: u32) -> String {
    let s = rng.below(SURNAMES.len());
    let g = rng.below(GIVEN.len());
    let mut surname = SURNAMES[s].to_string();
    if rng.below(1000) < gaiji_per_mille as usize {
        // Replace the first character by one of 94 vendor 外字 (CP932 0xF040…).
        let pua = char::from_u32(0xE000 + rng.below(94) as u32).unwrap_or('\u{E000}');
        surname = std::iter::once(pua)
            .chain(surname.chars().skip(1))
            .collect();
    }
    let kana_half = rng.below(10) == 0;
    let kana = format!("{}　{}", SURNAME_KANA[s], GIVEN_KANA[g]);
    let kana = if kana_half { to_halfwidth(&kana) } else { kana };
    let year = 1930 + rng.below(90);
    let month = 1 + rng.below(12);
    let day = 1 + rng.below(28);
    let sex = 1 + rng.below(2);
    let town = TOWNS[rng.below(TOWNS.len())];
    format!(
        "{i:015},{surname}　{},{kana},{year:04}{month:02}{day:02},{sex},架空県見本市{town}{}丁目{}番{}号,{:012}",
        GIVEN[g],
        1 + rng.below(9),
        1 + rng.below(30),
        1 + rng.below(20),
        100_000_000_000 + i
    )
}

/// A few full-width katakana as legacy systems store them (half-width), to give
/// cleansing work.
fn to_halfwidth(s: &str) -> String {
    const FULL: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
    const HALF: &str = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ";
    let half: Vec<char> = HALF.chars().collect();
    s.chars()
        .map(|c| match c {
            '　' => ' ',
            _ => FULL.chars().position(|f| f == c).map_or(c, |p| half[p]),
        })
        .collect()
}

/// `n` records encoded as CP932 with CRLF line ends.
pub fn cp932_file(n: u64, gaiji_per_mille: u32, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for i in 1..=n {
        let r = record(i, &mut rng, gaiji_per_mille);
        out.extend_from_slice(&encode_cp932(&r));
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// CP932 bytes of `s`; PUA U+E000… becomes the user-defined area 0xF040…
pub fn encode_cp932(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find(|c: char| ('\u{E000}'..='\u{E757}').contains(&c)) {
        let (enc, _, _) = encoding_rs::SHIFT_JIS.encode(&rest[..p]);
        out.extend_from_slice(&enc);
        let c = rest[p..].chars().next().unwrap_or('\u{E000}');
        let k = c as u32 - 0xE000;
        let lead = 0xF0 + (k / 188) as u8;
        let t = (k % 188) as u8;
        out.push(lead);
        out.push(if t < 63 { 0x40 + t } else { 0x80 + t - 63 });
        rest = &rest[p + c.len_utf8()..];
    }
    let (enc, _, _) = encoding_rs::SHIFT_JIS.encode(rest);
    out.extend_from_slice(&enc);
    out
}

/// A vendor 外字 table for the 94 外字 `record` uses (U+E000…): each mapped to a
/// real MJ glyph, a third of them by 住基 code, so that mapping does real work.
pub fn gaiji_table() -> String {
    let db = ikou::mj::db();
    db.glyphs()
        .filter(|g| g.ivs.is_some())
        .step_by(97)
        .take(94)
        .enumerate()
        .map(|(i, g)| match g.juki {
            Some(j) if i % 3 == 0 => format!("U+{:04X}\tJ+{j:04X}\n", 0xE000 + i),
            _ => format!("U+{:04X}\tMJ{:06}\n", 0xE000 + i, g.mj),
        })
        .collect()
}
