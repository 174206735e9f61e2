//! The embedded MJ database against the public tables in `../shared/mj/`, read here
//! with this file's own parser (not the importer's), and against Python's
//! `shift_jis_2004` / `euc_jis_2004` / `shift_jis` codecs as an independent oracle for
//! JIS X 0213 and JIS X 0208.

use ikou::mj::{self, IvsPolicy, Target, Unwritable, Written, X0213};
use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// One row of a TSV file, by column name.
type Row = HashMap<String, String>;

fn read_tsv(name: &str) -> Vec<Row> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/mj")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split('\t')
        .map(String::from)
        .collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            assert_eq!(cells.len(), header.len(), "{name}: {l}");
            header
                .iter()
                .cloned()
                .zip(cells.iter().map(|c| c.to_string()))
                .collect()
        })
        .collect()
}

fn mji() -> &'static [Row] {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| read_tsv("mji.tsv"))
}

fn mjsm() -> &'static BTreeMap<u32, Vec<Row>> {
    static ROWS: OnceLock<BTreeMap<u32, Vec<Row>>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let mut m: BTreeMap<u32, Vec<Row>> = BTreeMap::new();
        for r in read_tsv("mjsm.tsv") {
            m.entry(number(&r["MJ文字図形名"])).or_default().push(r);
        }
        m
    })
}

fn number(name: &str) -> u32 {
    assert!(name.starts_with("MJ") && name.len() == 8, "{name}");
    name[2..].parse().unwrap()
}

fn one(s: &str) -> Option<char> {
    let mut it = s.chars();
    let c = it.next()?;
    assert!(it.next().is_none(), "{s:?}");
    Some(c)
}

fn python() -> bool {
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("SKIPPED: python3 is not installed; the JIS X 0213 oracle checks did not run");
    }
    ok
}

/// Runs `script` with a file of `lines` as its argument; returns its stdout lines.
fn python_check(script: &str, lines: &[String]) -> Vec<String> {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
    f.flush().unwrap();
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(f.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// The 19 glyphs without 実装したUCS and IVS, and the sibling their 備考 names as the
/// same shape (read by hand from the 備考 of MJ文字情報一覧表 Ver.006.02). None: the
/// note says the glyph was withdrawn (図形的な差異が大きく…) and names no same shape.
const NO_CODE_POINT: [(u32, Option<u32>); 19] = [
    (3719, Some(3718)),
    (6065, Some(6064)),
    (14004, Some(14005)),
    (29825, Some(29826)),
    (29893, Some(29894)),
    (33216, Some(33215)),
    (35887, Some(35886)),
    (37229, None),
    (37904, Some(37903)),
    (37910, Some(37909)),
    (40282, Some(40281)),
    (40579, Some(40580)),
    (41326, Some(41325)),
    (41470, Some(41469)),
    (42077, None),
    (43219, Some(43218)),
    (53026, Some(53025)),
    (55353, Some(55352)),
    (59043, Some(59042)),
];

fn keep_text(r: &Row) -> Option<String> {
    let ivs = &r["実装したMoji_JohoコレクションIVS"];
    let imp = &r["実装したUCS"];
    if !ivs.is_empty() {
        Some(ivs.clone())
    } else if !imp.is_empty() {
        Some(imp.clone())
    } else {
        None
    }
}

#[test]
fn every_row_every_notation_resolves_and_writes_the_same() {
    let db = mj::db();
    let rows = mji();
    assert_eq!(rows.len(), 58_862);
    assert_eq!(db.len(), rows.len());
    let by_mj: HashMap<u32, &Row> = rows
        .iter()
        .map(|r| (number(&r["MJ文字図形名"]), r))
        .collect();
    let no_code: HashMap<u32, Option<u32>> = NO_CODE_POINT.into_iter().collect();
    let (mut notations, mut ivs_written, mut siblings) = (0, 0, 0);
    for r in rows {
        let name = &r["MJ文字図形名"];
        let mj = number(name);
        let juki = &r["住基ネット統一文字コード"];
        let koseki = &r["戸籍統一文字番号"];
        let mut targets = vec![name.clone()];
        if !juki.is_empty() {
            targets.push(juki.clone());
        }
        if !koseki.is_empty() {
            targets.push(format!("KOSEKI:{koseki}"));
        }
        let expected_keep = db.written(mj, IvsPolicy::Keep);
        let expected_never = db.written(mj, IvsPolicy::Never);
        for t in &targets {
            let target = Target::parse(t).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(target.to_string(), *t);
            let got = db.resolve(&target).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(got, mj, "{t}");
            assert_eq!(db.written(got, IvsPolicy::Keep), expected_keep, "{t}");
            assert_eq!(db.written(got, IvsPolicy::Never), expected_never, "{t}");
            notations += 1;
        }

        // The record carries the row's codes.
        let g = db.glyph(mj).unwrap();
        assert_eq!(g.ucs, one(&r["対応するUCS"]), "{name}");
        assert_eq!(g.implemented, one(&r["実装したUCS"]), "{name}");
        assert_eq!(
            g.ivs.map(|s| s.to_string()).unwrap_or_default(),
            r["実装したMoji_JohoコレクションIVS"],
            "{name}"
        );
        assert_eq!(
            g.koseki.map(|k| format!("{k:06}")).unwrap_or_default(),
            *koseki
        );
        assert_eq!(
            g.juki.map(|j| format!("J+{j:04X}")).unwrap_or_default(),
            *juki
        );
        assert_eq!(
            g.x0213.map(|x| x.to_string()).unwrap_or_default(),
            r["X0213"]
        );
        assert_eq!(g.compat, one(&r["対応する互換漢字"]), "{name}");
        assert_eq!(g.note.unwrap_or_default(), r["備考"], "{name}");

        // Keep: the IVS, else 実装したUCS; the 19 explicitly.
        match (keep_text(r), no_code.get(&mj)) {
            (Some(text), None) => {
                let w = expected_keep.as_ref().unwrap();
                assert_eq!(w.text, text, "{name}");
                assert_eq!((w.table, w.sibling), (None, None), "{name}");
                if text.chars().count() == 2 {
                    ivs_written += 1;
                }
            }
            (None, Some(Some(sibling))) => {
                let w = expected_keep.as_ref().unwrap();
                let sib_text = keep_text(by_mj[sibling]).unwrap();
                assert_eq!(w.text, sib_text, "{name}");
                assert_eq!(w.sibling, Some(*sibling), "{name}");
                assert!(r["備考"].contains(&mj::mj_name(*sibling)), "{name}");
                siblings += 1;
            }
            (None, Some(None)) => {
                assert_eq!(
                    expected_keep,
                    Err(Unwritable::NoCodePoint { mj, note: g.note }),
                    "{name}"
                );
                let msg = expected_keep.as_ref().unwrap_err().to_string();
                assert!(msg.contains(name) && msg.contains("備考"), "{msg}");
            }
            (Some(_), Some(_)) => panic!("{name} has a code point but is listed in NO_CODE_POINT"),
            (None, None) => panic!("{name} has no code point and is missing from NO_CODE_POINT"),
        }
        // The IVS (and 実装したUCS) lead back to the glyph.
        if let Some(ivs) = g.ivs {
            assert_eq!(db.by_char(&ivs.to_string()), [mj], "{name}");
        }
        if let Some(c) = g.implemented {
            assert_eq!(db.by_char(&c.to_string()).first(), Some(&mj), "{name}");
        }
    }
    println!(
        "{} glyphs, {notations} notations resolved; Keep writes an IVS for {ivs_written}, \
         a sibling for {siblings}, refuses {}",
        rows.len(),
        NO_CODE_POINT.iter().filter(|(_, s)| s.is_none()).count()
    );
    assert_eq!(siblings, 17);
    assert_eq!(notations, 58_862 + 19_563 + 55_270);
}

#[test]
fn unknown_codes_are_not_found() {
    let db = mj::db();
    for t in ["MJ000000", "MJ999999", "J+0000", "KOSEKI:999999"] {
        let t = Target::parse(t).unwrap();
        let e = db.resolve(&t).unwrap_err();
        assert!(e.to_string().contains(&t.to_string()), "{e}");
    }
    assert_eq!(
        db.written(999_999, IvsPolicy::Keep),
        Err(Unwritable::UnknownMj(999_999))
    );
    assert!(db.candidates(999_999).is_empty());
}

/// The order of authority of MJ縮退マップ's tables (CONTRACT: JIS包摂規準 first,
/// 読み字形による類推 last), as names of the `表` column.
const AUTHORITY: [&str; 10] = [
    "JIS包摂規準UCS統合規則",
    "法務省告示582号別表第四_一",
    "法務省告示582号別表第四_二",
    "戸籍統一文字情報_親字正字",
    "民一2842号通達別表_誤字俗字正字一覧表_俗字",
    "民一2842号通達別表_誤字俗字正字一覧表_無印",
    "民一2842号通達別表_誤字俗字正字一覧表_別字",
    "民二5202号通知別表_正字俗字等対照表",
    "辞書類等による関連字",
    "読み字形による類推",
];

fn authority(table: &str) -> usize {
    AUTHORITY
        .iter()
        .position(|t| *t == table)
        .unwrap_or_else(|| panic!("unknown 表 {table}"))
}

fn rank_key(r: &Row) -> (usize, Option<u32>, Option<u32>) {
    let n = |s: &str| (!s.is_empty()).then(|| s.parse::<u32>().unwrap());
    (authority(&r["表"]), n(&r["順位"]), n(&r["ホップ数"]))
}

#[test]
fn never_writes_one_of_the_glyphs_own_candidates_by_authority() {
    let db = mj::db();
    let mut refused: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_table: BTreeMap<&str, usize> = BTreeMap::new();
    let mut outputs = Vec::new();
    for r in mji() {
        let name = &r["MJ文字図形名"];
        let mj = number(name);
        let cands = mjsm().get(&mj).map(Vec::as_slice).unwrap_or_default();
        // candidates() lists exactly the rows of mjsm.tsv for the glyph.
        let mut listed: Vec<String> = db
            .candidates(mj)
            .iter()
            .map(|c| format!("{}|{}|{}", c.ucs, c.x0213, c.table.name()))
            .collect();
        let mut expected: Vec<String> = cands
            .iter()
            .map(|c| format!("{}|{}|{}", c["縮退UCS"], c["縮退X0213"], c["表"]))
            .collect();
        listed.sort();
        expected.sort();
        assert_eq!(listed, expected, "{name}");

        let own = one(&r["実装したUCS"]).filter(|c| {
            !r["X0213"].is_empty()
                && cands
                    .iter()
                    .any(|k| k["縮退UCS"] == c.to_string() && k["縮退X0213"] == r["X0213"])
        });
        match db.written(mj, IvsPolicy::Never) {
            Ok(w) if w.sibling.is_some() => {
                // A glyph without code points takes its same-shape sibling's form.
                let s = w.sibling.unwrap();
                assert!(NO_CODE_POINT.contains(&(mj, Some(s))), "{name}");
                assert!(cands.is_empty() && own.is_none(), "{name}");
                let mut sw = db.written(s, IvsPolicy::Never).unwrap();
                sw.sibling = Some(s);
                assert_eq!(w, sw, "{name}");
                *by_table.entry("（同一字形の兄弟）").or_default() += 1;
            }
            Ok(w) => {
                assert_eq!(w.text.chars().count(), 1, "{name}");
                assert!(w.sibling.is_none());
                let x = w.x0213.expect("a Never output has a JIS X 0213 position");
                if w.table == Some(mj::SAME_GLYPH) {
                    assert_eq!(own.map(String::from), Some(w.text.clone()), "{name}");
                    assert_eq!(x.to_string(), r["X0213"], "{name}");
                } else {
                    let table = w.table.unwrap();
                    assert!(own.is_none(), "{name}: its own character is in JIS X 0213");
                    let chosen = cands
                        .iter()
                        .find(|c| {
                            c["縮退UCS"] == w.text
                                && c["縮退X0213"] == x.to_string()
                                && c["表"] == table
                        })
                        .unwrap_or_else(|| panic!("{name}: {w:?} is not one of its candidates"));
                    let best = cands.iter().map(rank_key).min().unwrap();
                    assert_eq!(
                        rank_key(chosen),
                        best,
                        "{name}: not the most authoritative candidate"
                    );
                }
                *by_table.entry(w.table.unwrap()).or_default() += 1;
                outputs.push((name.clone(), w));
            }
            Err(e) => {
                assert_eq!(e, Unwritable::NoCandidate { mj }, "{name}");
                assert!(cands.is_empty() && own.is_none(), "{name}");
                let why = match (r["実装したUCS"].is_empty(), r["X0213"].is_empty()) {
                    (_, false) => "JIS X 0213 に包摂されるが縮退候補なし",
                    (false, true) => "実装したUCSあり・JIS X 0213外・縮退候補なし",
                    (true, true) => "IVSのみ（または符号なし）・縮退候補なし",
                };
                *refused.entry(why).or_default() += 1;
            }
        }
    }
    let total: usize = refused.values().sum();
    println!(
        "--ivs never: {} glyphs written, by table: {by_table:#?}",
        outputs.len()
    );
    println!(
        "--ivs never: {total} glyphs refused (no JIS X 0213 form, no 縮退 candidate): {refused:#?}"
    );
    assert_eq!(
        outputs.len() + total + by_table.get("（同一字形の兄弟）").unwrap_or(&0),
        58_862
    );

    if !python() {
        return;
    }
    // Every output is one JIS X 0213 character at the position reported, and
    // needs_shift_jis_2004 is true exactly when plain Shift_JIS (JIS X 0208) cannot
    // carry it.
    let lines: Vec<String> = outputs
        .iter()
        .map(|(name, w)| {
            let x = w.x0213.unwrap();
            format!(
                "{name}\t{}\t{x}\t{}",
                w.text,
                u8::from(!w.needs_shift_jis_2004())
            )
        })
        .collect();
    let problems = python_check(JIS_ORACLE, &lines);
    assert!(
        problems.is_empty(),
        "{} outputs fail the Python oracle:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let compat = outputs
        .iter()
        .filter(|(_, w)| {
            w.text.chars().all(|c| {
                ('\u{F900}'..='\u{FAFF}').contains(&c) || ('\u{2F800}'..='\u{2FA1F}').contains(&c)
            })
        })
        .count();
    println!(
        "--ivs never: all {} outputs encode in Shift_JIS-2004 (Python); {} need Shift_JIS-2004 \
         (outside JIS X 0208); {compat} are CJK compatibility ideographs (NFC would change them)",
        outputs.len(),
        outputs
            .iter()
            .filter(|(_, w)| w.needs_shift_jis_2004())
            .count()
    );
}

/// Reads `name \t text \t 面-区-点 \t in-JIS-X-0208 (1/0)` lines; prints every line where
/// Python's codecs disagree.
const JIS_ORACLE: &str = r#"
import sys
for line in open(sys.argv[1], encoding='utf-8'):
    name, text, x, j0208 = line.rstrip('\n').split('\t')
    try:
        text.encode('shift_jis_2004')
    except UnicodeEncodeError:
        print(f'{name}\tnot encodable in Shift_JIS-2004\t{text!r}')
        continue
    e = text.encode('euc_jis_2004')
    if len(e) == 3 and e[0] == 0x8f:
        p, r, c = 2, e[1] - 0xa0, e[2] - 0xa0
    elif len(e) == 2 and e[0] >= 0xa1:
        p, r, c = 1, e[0] - 0xa0, e[1] - 0xa0
    else:
        print(f'{name}\tnot one JIS X 0213 character\t{e!r}')
        continue
    if f'{p}-{r:02}-{c:02}' != x:
        print(f'{name}\tJIS X 0213 {p}-{r:02}-{c:02}, ikou says {x}')
    try:
        text.encode('shift_jis')
        in0208 = '1'
    except UnicodeEncodeError:
        in0208 = '0'
    if in0208 != j0208:
        print(f'{name}\tin JIS X 0208: Python {in0208}, ikou {j0208}')
"#;

#[test]
fn keep_outputs_in_jis_x0213_are_reported_correctly() {
    if !python() {
        return;
    }
    let db = mj::db();
    let lines: Vec<String> = db
        .glyphs()
        .filter_map(|g| {
            let w: Written = db.written(g.mj, IvsPolicy::Keep).ok()?;
            let x = w.x0213?;
            Some(format!(
                "{}\t{}\t{x}\t{}",
                g.name(),
                w.text,
                u8::from(!w.needs_shift_jis_2004())
            ))
        })
        .collect();
    assert!(lines.len() > 5_000, "{}", lines.len());
    let problems = python_check(JIS_ORACLE, &lines);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // And the 実装したUCS of every other glyph is indeed not a JIS X 0213 character.
    let others: Vec<String> = db
        .glyphs()
        .filter(|g| !g.implemented_in_x0213)
        .filter_map(|g| g.implemented.map(|c| format!("{}\t{c}", g.name())))
        .collect();
    let script = r#"
import sys
for line in open(sys.argv[1], encoding='utf-8'):
    name, c = line.rstrip('\n').split('\t')
    try:
        c.encode('shift_jis_2004')
        print(f'{name}\t{c} is in JIS X 0213 but not marked so')
    except UnicodeEncodeError:
        pass
"#;
    let problems = python_check(script, &others);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn jis_x0208_cells_match_python() {
    if !python() {
        return;
    }
    // Each plane-1 position as EUC-JP bytes; Python's euc_jp decodes exactly the
    // JIS X 0208 positions there.
    let script = r#"
import sys
for line in open(sys.argv[1]):
    r, c, mine = map(int, line.split())
    try:
        bytes([0xa0 + r, 0xa0 + c]).decode('euc_jp')
        ok = 1
    except UnicodeDecodeError:
        ok = 0
    if ok != mine:
        print(f'1-{r:02}-{c:02}: Python {ok}, ikou {mine}')
"#;
    let lines: Vec<String> = (1..=94u8)
        .flat_map(|row| (1..=94u8).map(move |cell| (row, cell)))
        .map(|(row, cell)| {
            let x = X0213 {
                plane: 1,
                row,
                cell,
            };
            format!("{row} {cell} {}", u8::from(x.in_jis_x0208()))
        })
        .collect();
    let problems = python_check(script, &lines);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn compatibility_ideographs_map_back_to_their_glyph() {
    use unicode_normalization::UnicodeNormalization;
    let db = mj::db();
    let mut by_compat: BTreeMap<char, Vec<(u32, Option<char>)>> = BTreeMap::new();
    for r in mji() {
        if let Some(c) = one(&r["対応する互換漢字"]) {
            by_compat
                .entry(c)
                .or_default()
                .push((number(&r["MJ文字図形名"]), one(&r["実装したUCS"])));
        }
    }
    let rows: usize = by_compat.values().map(Vec::len).sum();
    assert_eq!(rows, 101);
    let mut shared = 0;
    for (c, glyphs) in &by_compat {
        // NFC destroys the distinction: that is why the lookup exists.
        assert_ne!(c.to_string().nfc().collect::<String>(), c.to_string());
        let expected = if glyphs.len() == 1 {
            glyphs[0].0
        } else {
            shared += glyphs.len() - 1;
            // Several glyphs give this compatibility ideograph: the one that implements it.
            let own: Vec<u32> = glyphs
                .iter()
                .filter(|(_, imp)| *imp == Some(*c))
                .map(|(mj, _)| *mj)
                .collect();
            assert_eq!(own.len(), 1, "{c}");
            own[0]
        };
        assert_eq!(db.by_compat(*c), Some(expected), "U+{:04X}", u32::from(*c));
        // All of them are found by by_char.
        let found = db.by_char(&c.to_string());
        for (mj, _) in glyphs {
            assert!(found.contains(mj), "U+{:04X} MJ{mj:06}", u32::from(*c));
        }
        // Their Keep form is an IVS, which NFC leaves alone.
        let w = db.written(expected, IvsPolicy::Keep).unwrap();
        assert_eq!(w.text.chars().count(), 2);
        assert_eq!(w.text.nfc().collect::<String>(), w.text);
    }
    println!(
        "{rows} rows with 対応する互換漢字 ({} characters); {shared} rows share theirs with another",
        by_compat.len()
    );
    assert_eq!(shared, 12);
    assert_eq!(db.by_compat('漢'), None);
    assert_eq!(db.by_compat('\u{F900}'), None);
}
