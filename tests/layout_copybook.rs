//! `ikou layout import FILE.cpy` on the synthetic copybooks of the four bundled
//! business areas (testdata/copybooks/: group items, OCCURS, FILLER, REDEFINES,
//! 88 levels, COMP-3, COMP, zoned S9, PIC N/G; fixed format in Shift_JIS and
//! UTF-8, free format). Each layout written must load with the layout loader and
//! pass `ikou layouts`; its items are checked against the lengths listed here,
//! offsets being their running sum (gaps for FILLER).

mod common;

use common::{run, s, testdata};
use ikou::layout::{FieldType, Format, Layout, load};

/// What an item of the expected layout is.
enum E {
    /// text (single-byte or mixed), length.
    T(&'static str, usize),
    /// text with dbcs = true (PIC N/G), length in bytes.
    N(&'static str, usize),
    /// digits, length.
    D(&'static str, usize),
    /// digits marked sensitive (個人番号).
    P(&'static str, usize),
    /// code with its codes, length.
    C(&'static str, usize, &'static [&'static str]),
    /// packed / zoned / binary: name, length, digits, scale.
    Pk(&'static str, usize, u32, u32),
    Zn(&'static str, usize, u32, u32),
    Bn(&'static str, usize, u32, u32),
    /// FILLER (or a REDEFINES left out): bytes with no item.
    Gap(usize),
}
use E::*;

/// Imports `testdata/copybooks/<file>` with the binary; returns the layout it
/// wrote (loaded by the layout loader) and stderr. The exit code must be `exit`.
fn import(file: &str, extra: &[&str], exit: i32) -> (Layout, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("layout.toml");
    let cpy = testdata(&format!("copybooks/{file}"));
    let mut args = vec!["layout", "import", s(&cpy), "--out", s(&out)];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, exit, "exit code; stderr:\n{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let (code, _, err) = run(&["layouts", s(&out)]);
    assert_eq!(code, 0, "ikou layouts accepts the layout: {err}");
    let loaded = load(s(&out)).expect("the layout loads");
    let toml = std::fs::read_to_string(&out).unwrap();
    (loaded.layout, stderr, toml)
}

/// Checks every item of `l` against `want`, in order.
fn check(l: &Layout, want: &[E]) {
    assert_eq!(l.format, Format::Fixed);
    assert!(!l.newline, "mainframe records have no line ends");
    let mut fields = l.fields.iter();
    let mut offset = 0usize;
    for w in want {
        if let Gap(n) = w {
            offset += n;
            continue;
        }
        let f = fields.next().expect("as many items as expected");
        let (name, kind, len) = match w {
            T(n, l) => (n, FieldType::Text, l),
            N(n, l) => (n, FieldType::Text, l),
            D(n, l) | P(n, l) => (n, FieldType::Digits, l),
            C(n, l, _) => (n, FieldType::Code, l),
            Pk(n, l, _, _) => (n, FieldType::Packed, l),
            Zn(n, l, _, _) => (n, FieldType::Zoned, l),
            Bn(n, l, _, _) => (n, FieldType::Binary, l),
            Gap(_) => unreachable!(),
        };
        let at = format!("item {:?}", f.name);
        assert_eq!(&f.name, name, "{at}");
        assert_eq!(f.kind, kind, "{at}");
        assert_eq!(f.offset, Some(offset), "{at}: offset");
        assert_eq!(f.length, Some(*len), "{at}: length");
        assert_eq!(f.dbcs, matches!(w, N(..)), "{at}: dbcs");
        assert_eq!(f.sensitive, matches!(w, P(..)), "{at}: sensitive");
        assert!(!f.key, "{at}: the key is left to the user");
        match w {
            C(_, _, codes) => assert_eq!(f.codes, *codes, "{at}"),
            _ => assert!(f.codes.is_empty(), "{at}"),
        }
        match w {
            Pk(_, _, d, sc) | Zn(_, _, d, sc) | Bn(_, _, d, sc) => {
                assert_eq!((f.digits, f.scale), (Some(*d), Some(*sc)), "{at}")
            }
            _ => assert_eq!((f.digits, f.scale), (None, None), "{at}"),
        }
        offset += len;
    }
    assert!(fields.next().is_none(), "no more items than expected");
    assert_eq!(l.record_length, Some(offset), "record_length is the sum");
}

#[test]
fn juki_kojin_shift_jis_fixed_format() {
    let (l, err, toml) = import("juki-kojin.cpy", &[], 3);
    let mut want = vec![
        D("宛名番号", 15),
        D("世帯番号", 15),
        D("住民票コード", 11),
        P("個人番号", 12),
        N("氏名", 40),
        T("氏名カナ", 40),
        N("旧氏", 20),
        D("生年月日", 8),
        C("性別", 1, &["1", "2"]),
        T("続柄コード", 2),
        D("郵便番号", 7),
        N("住所漢字", 80),
        N("方書", 40),
        Gap(5),
    ];
    for (code, date) in [
        ("異動事由コード_1", "異動年月日_1"),
        ("異動事由コード_2", "異動年月日_2"),
        ("異動事由コード_3", "異動年月日_3"),
    ] {
        want.push(C(code, 2, &["01", "02", "11", "12", "13"]));
        want.push(D(date, 8));
    }
    want.extend([Pk("手数料", 3, 5, 0), Zn("調整額", 7, 7, 2), Gap(10)]);
    check(&l, &want);
    assert_eq!(l.record_length, Some(346));
    assert_eq!(
        (l.name.as_str(), l.title.as_str()),
        ("juki-kojin", "住基個人レコード")
    );
    // The REDEFINES is reported with its lines; the debugging line (D) is no item.
    assert!(
        err.contains("line 14 「生年月日Ｒ」: skipped:") && err.contains("14〜16行目"),
        "{err}"
    );
    assert!(!err.contains("デバッグ"), "{err}");
    assert!(err.contains("fixed format"), "{err}");
    assert!(toml.contains("# No item is the key yet"), "{toml}");
    assert!(toml.contains("# line 6: 05  宛名番号"), "{toml}");
}

#[test]
fn juki_setai_continuation_and_occurs() {
    let (l, err, _) = import("juki-setai.cpy", &["--key", "世帯番号"], 3);
    let mut want = vec![
        D("世帯番号", 15),
        D("世帯主宛名番号", 15),
        N("世帯主氏名", 40),
        T("世帯主氏名カナ", 40),
        D("郵便番号", 7),
        N("住所", 80),
        N("方書", 40),
        D("世帯員数", 3),
    ];
    const ZOKU: &[&str] = &["02", "11", "21", "22"];
    let names = [
        ("宛名番号_1", "続柄_1"),
        ("宛名番号_2", "続柄_2"),
        ("宛名番号_3", "続柄_3"),
        ("宛名番号_4", "続柄_4"),
        ("宛名番号_5", "続柄_5"),
    ];
    for (a, z) in names {
        want.push(D(a, 15));
        want.push(C(z, 2, ZOKU));
    }
    want.extend([
        D("異動事由コード", 2),
        D("異動年月日", 8),
        C("世帯区分", 1, &["1", "2", "3"]),
        Pk("世帯合算所得", 6, 11, 0),
        Zn("按分率", 4, 4, 3),
        T("世帯注記", 30),
        Gap(20),
    ]);
    // --key marks the item; check() expects none, so look first and clear it.
    let mut l = l;
    assert!(l.fields[0].key && l.key_field() == Some(0));
    l.fields[0].key = false;
    check(&l, &want);
    assert!(err.contains("line 19 「異動年月日Ｒ」: skipped:"), "{err}");
    // The continued literal (lines 30–31) is read as one: no finding there.
    assert!(
        !err.contains("line 30") && !err.contains("line 31"),
        "{err}"
    );
}

#[test]
fn kojin_juminzei_packed_amounts_and_group_usage() {
    let (l, err, _) = import("kojin-juminzei.cpy", &[], 3);
    let mut want = vec![
        D("課税年度", 4),
        D("宛名番号", 15),
        P("個人番号", 12),
        N("氏名", 40),
        T("氏名カナ", 40),
        D("生年月日", 8),
        N("賦課期日現在の住所", 80),
        C("課税区分", 1, &["1", "2", "3"]),
        C("徴収区分", 1, &["1", "2", "3"]),
        T("特別徴収義務者指定番号", 10),
        Pk("総所得金額等", 6, 11, 0),
        Pk("合計所得金額", 6, 11, 0),
        Pk("所得控除額合計", 6, 11, 0),
        Pk("課税標準額", 6, 11, 0),
        // USAGE PACKED-DECIMAL on the group 税額 applies to its items.
        Pk("市町村民税所得割額", 5, 9, 0),
        Pk("市町村民税均等割額", 4, 7, 0),
        Pk("道府県民税所得割額", 5, 9, 0),
        Pk("道府県民税均等割額", 4, 7, 0),
        Pk("森林環境税額", 3, 5, 0),
        Pk("年税額", 6, 11, 0),
    ];
    for (d, a) in [
        ("納期限_1", "納期税額_1"),
        ("納期限_2", "納期税額_2"),
        ("納期限_3", "納期税額_3"),
        ("納期限_4", "納期税額_4"),
    ] {
        want.push(D(d, 8));
        want.push(Zn(a, 11, 11, 2));
    }
    want.extend([
        Bn("扶養人数", 2, 4, 0),
        Pk("前年度年税額", 6, 11, 0),
        Gap(16),
    ]);
    check(&l, &want);
    assert_eq!(l.title, "JUMINZEI-REC");
    assert!(
        err.contains("line 38 「前年度年税額Ｘ」: skipped:"),
        "{err}"
    );
    assert!(err.contains("line 8 「個人番号」: note:"), "{err}");
}

#[test]
fn kaigo_hihokensha_free_format_nested_occurs() {
    let (l, err, _) = import("kaigo-hihokensha.cpy", &[], 3);
    let mut want = vec![
        T("被保険者番号", 10),
        D("宛名番号", 15),
        P("個人番号", 12),
        D("世帯番号", 15),
        N("氏名", 40),
        T("氏名カナ", 40),
        D("生年月日", 8),
        C("性別", 1, &["1", "2"]),
        N("住所", 80),
        C("被保険者区分", 1, &["1", "2"]),
        D("資格取得年月日", 8),
        D("資格取得事由コード", 2),
        D("資格喪失年月日", 8),
        D("資格喪失事由コード", 2),
        // VALUE SPACE: an empty value always passes, so it is no code.
        C("住所地特例区分", 1, &["0", "1"]),
        D("住所地特例適用年月日", 8),
    ];
    const YOKAIGO: &[&str] = &["12", "13", "21", "22", "23", "24", "25"];
    for i in 1..=2 {
        let k: &'static str = Box::leak(format!("要介護状態区分_{i}").into_boxed_str());
        want.push(C(k, 2, YOKAIGO));
        for j in 1..=2 {
            let a: &'static str = Box::leak(format!("開始年月日_{i}_{j}").into_boxed_str());
            let b: &'static str = Box::leak(format!("終了年月日_{i}_{j}").into_boxed_str());
            want.push(D(a, 8));
            want.push(D(b, 8));
        }
    }
    want.extend([
        D("保険料段階", 2),
        Pk("年額保険料", 4, 7, 0),
        Zn("減免額", 9, 9, 2),
        Gap(20),
    ]);
    check(&l, &want);
    assert!(err.contains("free format"), "{err}");
    assert!(err.contains("line 38 「保険料Ｘ」: skipped:"), "{err}");
}

#[test]
fn quiet_prints_only_the_problems_and_stdout_gets_the_layout() {
    let cpy = testdata("copybooks/juki-kojin.cpy");
    let (code, stdout, stderr) = run(&["layout", "import", s(&cpy), "--quiet", "--newline"]);
    assert_eq!(code, 3);
    assert!(
        stderr
            .lines()
            .all(|l| l.contains(": skipped:") || l.contains(": guessed:")),
        "{stderr}"
    );
    let l = ikou::layout::parse(stdout.as_bytes(), "stdout").unwrap();
    assert!(l.newline, "--newline");
    let (code, _, stderr) = run(&["layout", "import", s(&cpy), "--format", "csv"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--format csv"), "{stderr}");
}

#[test]
fn a_copybook_read_in_full_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let cpy = dir.path().join("REC.txt");
    std::fs::write(
        &cpy,
        "       01  REC.\n           05  A  PIC X(4).\n           05  B  PIC S9(3) COMP-3.\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(&["layout", "import", s(&cpy)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("0 lines skipped, 0 lines with a guess"),
        "{stderr}"
    );
    let l = ikou::layout::parse(stdout.as_bytes(), "stdout").unwrap();
    assert_eq!((l.name.as_str(), l.record_length), ("REC", Some(6)));
}

#[test]
fn a_copybook_that_is_no_copybook_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let cpy = dir.path().join("x.cpy");
    std::fs::write(&cpy, "this is not COBOL\n").unwrap();
    let (code, stdout, stderr) = run(&["layout", "import", s(&cpy)]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("x.cpy") && stderr.contains("line 1"),
        "{stderr}"
    );
}
