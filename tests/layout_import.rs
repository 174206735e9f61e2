//! `ikou layout import` on sheets written here with real writers: xlsx with
//! rust_xlsxwriter, CSV with the csv crate (then CP932 through iconv, as Excel on
//! Japanese Windows saves it). The layouts made must load and convert files.

mod common;

use common::{iconv, read_manifest, run, s};
use ikou::layout::{DateStyle, FieldType, Format, parse};
use rust_xlsxwriter::{Format as XFormat, Workbook, Worksheet};
use std::fs;
use std::path::Path;

/// One cell: text, or a number cell as Excel stores 桁数 and 項番.
enum C {
    T(&'static str),
    N(f64),
    E,
}
use C::{E, N, T};

/// The item sheet of a 住民基本台帳 個人 file (synthetic), with a title row, a
/// blank row, the header on row 3 and some rows ikou cannot fully understand.
fn kojin_rows() -> Vec<Vec<C>> {
    vec![
        vec![T("住民基本台帳（個人）移行項目定義（合成データ）")],
        vec![],
        vec![
            T("項目\n番号"),
            T("項目名"),
            T("データ型"),
            T("桁数"),
            T("必須"),
            T("コード値"),
            T("備考"),
        ],
        vec![N(1.0), T("宛名番号"), T("数字"), N(15.0), T("○")],
        vec![N(2.0), T("氏名"), T("漢字"), N(40.0), T("○")],
        vec![N(3.0), T("氏名カナ"), T("半角カナ"), N(60.0), E],
        vec![
            N(4.0),
            T("生年月日"),
            T("日付"),
            N(8.0),
            T("○"),
            E,
            T("西暦"),
        ],
        vec![
            N(5.0),
            T("性別"),
            T("コード"),
            N(1.0),
            T("○"),
            T("1:男\n2:女\n9:不明"),
        ],
        // Row 9: a group heading, not an item.
        vec![E, T("【住所】")],
        vec![N(6.0), T("住所"), T("文字"), N(100.0)],
        // Row 11: no name.
        vec![N(7.0), E, T("文字"), N(10.0)],
        // Row 12: a type ikou does not know.
        vec![N(8.0), T("顔写真"), T("画像"), N(100.0)],
        // Row 13: a 必須 mark ikou does not know.
        vec![N(9.0), T("転入日"), T("和暦日付"), N(7.0), T("たぶん")],
        vec![N(10.0), T("個人番号"), T("数字"), N(12.0)],
    ]
}

fn setai_rows() -> Vec<Vec<C>> {
    vec![
        vec![T("項番"), T("項目名"), T("型"), T("桁数"), T("必須")],
        vec![N(1.0), T("世帯番号"), T("数字"), N(15.0), T("○")],
        vec![N(2.0), T("世帯主氏名"), T("文字"), N(40.0)],
    ]
}

fn put(ws: &mut Worksheet, rows: &[Vec<C>]) {
    put_at(ws, 0, rows);
}

/// Writes `rows` from sheet row `first` (0-based, as rust_xlsxwriter counts).
fn put_at(ws: &mut Worksheet, first: u32, rows: &[Vec<C>]) {
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (first + r as u32, c as u16);
            match cell {
                T(t) => ws.write_string(r, c, *t).map(|_| ()),
                N(n) => ws.write_number(r, c, *n).map(|_| ()),
                E => Ok(()),
            }
            .unwrap();
        }
    }
}

/// A workbook as vendors send it: a cover sheet, then one sheet per file.
fn write_workbook(path: &Path) {
    let mut wb = Workbook::new();
    let cover = wb.add_worksheet();
    cover.set_name("表紙").unwrap();
    cover
        .merge_range(0, 0, 0, 5, "移行データ項目定義書（合成）", &XFormat::new())
        .unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("個人").unwrap();
    let rows = kojin_rows();
    // The title is a merged cell over the table's width, as official sheets have it.
    ws.merge_range(
        0,
        0,
        0,
        6,
        "住民基本台帳（個人）移行項目定義（合成データ）",
        &XFormat::new(),
    )
    .unwrap();
    put_at(ws, 1, &rows[1..]);
    let ws = wb.add_worksheet();
    ws.set_name("世帯").unwrap();
    put(ws, &setai_rows());
    wb.save(path).unwrap();
}

/// Runs ikou in `dir`; (exit code, stdout, stderr).
fn ikou_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = common::ikou().current_dir(dir).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn an_xlsx_sheet_becomes_a_layout_with_a_report_of_the_rows_not_understood() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("項目定義.xlsx");
    write_workbook(&book);
    let out = tmp.path().join("kojin.toml");
    let (code, stdout, err) = run(&[
        "layout",
        "import",
        s(&book),
        "--sheet",
        "個人",
        "--name",
        "test-kojin",
        "--spec-version",
        "2.7",
        "--key",
        "宛名番号",
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 3, "some rows were not understood: {err}");
    assert!(stdout.is_empty(), "the layout goes to --out");
    assert!(err.contains("header on row 3"), "{err}");
    for line in [
        "row 9 「【住所】」: skipped: ",
        "row 11: skipped: 項目名がありません",
        "row 12 「顔写真」: guessed: 型「画像」を解釈できないため text としました",
        "row 13 「転入日」: guessed: 必須欄「たぶん」を解釈できないため任意としました",
        "row 14 「個人番号」: note: ",
        "9 items",
        "2 rows skipped, 2 rows with a guessed cell",
    ] {
        assert!(err.contains(line), "{line:?} missing in:\n{err}");
    }

    let text = fs::read(&out).unwrap();
    let l = parse(&text, "kojin.toml").unwrap();
    assert_eq!(
        (l.name.as_str(), l.version.as_str(), l.title.as_str()),
        ("test-kojin", "2.7", "個人")
    );
    assert_eq!(l.format, Format::Csv);
    let names: Vec<&str> = l.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "宛名番号",
            "氏名",
            "氏名カナ",
            "生年月日",
            "性別",
            "住所",
            "顔写真",
            "転入日",
            "個人番号"
        ]
    );
    let f = |n: &str| l.fields.iter().find(|f| f.name == n).unwrap();
    assert!(f("宛名番号").key && f("宛名番号").required);
    assert_eq!(
        (f("宛名番号").kind, f("宛名番号").length),
        (FieldType::Digits, Some(15))
    );
    assert_eq!(f("氏名カナ").kind, FieldType::Kana);
    assert_eq!(f("生年月日").date, Some(DateStyle::Seireki));
    assert_eq!(f("性別").codes, ["1", "2", "9"]);
    assert_eq!(f("顔写真").kind, FieldType::Text);
    assert_eq!(
        (f("転入日").kind, f("転入日").date, f("転入日").required),
        (FieldType::Date, Some(DateStyle::Wareki), false)
    );
    assert!(f("個人番号").sensitive);

    // The layout converts a file with these items.
    let source =
        "000000000000001,山田　太郎,ﾔﾏﾀﾞ ﾀﾛｳ,19800401,1,架空市本町1,,4100401,123456789012\r\n";
    let input = tmp.path().join("kojin.csv");
    fs::write(&input, iconv(source.as_bytes(), "UTF-8", "CP932")).unwrap();
    let dir = tmp.path().join("converted");
    let (code, _, err) = run(&["convert", "--layout", s(&out), "--out", s(&dir), s(&input)]);
    let rejects = fs::read_to_string(dir.join("kojin.rejects.csv")).unwrap_or_default();
    assert_eq!(code, 0, "{err}{rejects}");
    assert_eq!(
        fs::read_to_string(dir.join("kojin.csv")).unwrap(),
        "000000000000001,山田　太郎,ヤマダ　タロウ,19800401,1,架空市本町1,,19980401,123456789012\r\n",
        "平成10年4月1日 = 1998-04-01"
    );
    assert_eq!(read_manifest(&dir)["counts"]["written"], 1);
}

#[test]
fn the_first_sheet_with_an_item_list_is_used_and_the_others_named() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("book.xlsx");
    write_workbook(&book);
    let (code, stdout, err) = ikou_in(tmp.path(), &["layout", "import", "book.xlsx"]);
    assert_eq!(code, 3, "{err}");
    let l = parse(stdout.as_bytes(), "stdout").unwrap();
    assert_eq!(l.name, "book", "named after the file");
    assert_eq!(l.fields[0].name, "宛名番号");
    assert!(
        err.contains("sheet \"個人\"") && err.contains("世帯") && err.contains("--sheet"),
        "{err}"
    );

    let (code, stdout, err) = ikou_in(
        tmp.path(),
        &["layout", "import", "book.xlsx", "--sheet", "世帯"],
    );
    assert_eq!(code, 0, "every row understood: {err}");
    let l = parse(stdout.as_bytes(), "stdout").unwrap();
    assert_eq!(l.fields.len(), 2);
}

/// The 個人 sheet saved as CSV in CP932 gives the same items as the workbook.
#[test]
fn a_cp932_csv_sheet_gives_the_same_items_as_the_workbook() {
    let tmp = tempfile::tempdir().unwrap();
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for row in kojin_rows() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                T(t) => t.to_string(),
                N(n) => format!("{n}"),
                E => String::new(),
            })
            .collect();
        // An empty row is written as one empty field, as spreadsheet programs do.
        if cells.is_empty() {
            w.write_record([""]).unwrap();
        } else {
            w.write_record(&cells).unwrap();
        }
    }
    let utf8 = w.into_inner().unwrap();
    let csv_path = tmp.path().join("kojin.csv");
    fs::write(&csv_path, iconv(&utf8, "UTF-8", "CP932")).unwrap();
    let book = tmp.path().join("book.xlsx");
    write_workbook(&book);

    let (code_csv, from_csv, err) = run(&["layout", "import", s(&csv_path), "--name", "x"]);
    assert_eq!(code_csv, 3, "{err}");
    assert!(err.contains("row 12 「顔写真」"), "same row numbers: {err}");
    let (_, from_xlsx, _) = run(&[
        "layout",
        "import",
        s(&book),
        "--sheet",
        "個人",
        "--name",
        "x",
    ]);
    let items = |t: &str| t[t.find("[[fields]]").unwrap()..].to_string();
    assert_eq!(items(&from_csv), items(&from_xlsx));
}

#[test]
fn a_fixed_layout_takes_its_offsets_from_the_lengths() {
    let tmp = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("固定長").unwrap();
    put(
        ws,
        &[
            vec![
                T("No"),
                T("項目名"),
                T("属性"),
                T("桁数（バイト）"),
                T("必須"),
            ],
            vec![N(1.0), T("番号"), T("9"), N(6.0), T("○")],
            vec![N(2.0), T("氏名"), T("漢字"), N(20.0), T("○")],
            vec![N(3.0), T("予備"), T("X"), N(4.0)],
            vec![N(4.0), T("カナ"), T("半角カナ"), N(10.0)],
            vec![N(5.0), T("生年月日"), T("日付"), N(8.0)],
        ],
    );
    let book = tmp.path().join("fixed.xlsx");
    wb.save(&book).unwrap();
    let layout = tmp.path().join("fixed.toml");
    let (code, _, err) = run(&[
        "layout",
        "import",
        s(&book),
        "--format",
        "fixed",
        "--no-newline",
        "--out",
        s(&layout),
    ]);
    assert_eq!(code, 0, "予備 is a gap, not a problem: {err}");
    assert!(err.contains("row 4 「予備」: note: "), "{err}");
    let l = parse(&fs::read(&layout).unwrap(), "fixed.toml").unwrap();
    assert_eq!(
        (l.format, l.record_length, l.newline),
        (Format::Fixed, Some(48), false)
    );
    let spans: Vec<(usize, usize)> = l
        .fields
        .iter()
        .map(|f| (f.offset.unwrap(), f.length.unwrap()))
        .collect();
    assert_eq!(spans, [(0, 6), (6, 20), (30, 10), (40, 8)]);

    // A file in that layout: items encoded by iconv, padded with spaces.
    let mut record = Vec::new();
    for (text, width) in [
        ("000042", 6),
        ("山田　花子", 20),
        ("    ", 4),
        ("ﾊﾅｺ", 10),
        ("19991231", 8),
    ] {
        let mut b = iconv(text.as_bytes(), "UTF-8", "CP932");
        b.resize(width, b' ');
        record.extend(b);
    }
    let input = tmp.path().join("fixed.dat");
    fs::write(&input, [record.clone(), record].concat()).unwrap();
    let dir = tmp.path().join("out");
    let (code, _, err) = run(&[
        "convert",
        "--layout",
        s(&layout),
        "--out",
        s(&dir),
        s(&input),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        fs::read_to_string(dir.join("fixed.csv")).unwrap(),
        "000042,山田　花子,ハナコ,19991231\r\n".repeat(2)
    );
}

#[test]
fn unreadable_sheets_exit_2_and_say_why() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["layout", "import", s(&tmp.path().join("missing.xlsx"))]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.xlsx"), "{err}");

    let junk = tmp.path().join("junk.xlsx");
    fs::write(&junk, b"PK\x03\x04 not really a workbook").unwrap();
    let (code, _, err) = run(&["layout", "import", s(&junk)]);
    assert_eq!(code, 2);
    assert!(err.contains("junk.xlsx") && err.contains("CSV"), "{err}");

    let mut wb = Workbook::new();
    wb.add_worksheet().write_string(0, 0, "ただの表").unwrap();
    let plain = tmp.path().join("plain.xlsx");
    wb.save(&plain).unwrap();
    let (code, stdout, err) = run(&["layout", "import", s(&plain)]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(err.contains("項目名") && err.contains("桁数"), "{err}");

    let book = tmp.path().join("book.xlsx");
    write_workbook(&book);
    let (code, _, err) = run(&["layout", "import", s(&book), "--sheet", "なし"]);
    assert_eq!(code, 2);
    assert!(err.contains("表紙, 個人, 世帯"), "{err}");
}

/// The sheet the README's example imports.
#[test]
fn the_sample_sheet_in_testdata_imports_with_its_problems_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("kojin.toml");
    let (code, _, err) = run(&[
        "layout",
        "import",
        s(&common::testdata("sheets/kojin-items.csv")),
        "--name",
        "kojin",
        "--key",
        "宛名番号",
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("row 9 「【住所】」: skipped") && err.contains("row 11: skipped"),
        "{err}"
    );
    let l = parse(&fs::read(&out).unwrap(), "kojin.toml").unwrap();
    assert_eq!(l.fields.len(), 9);
}
