//! `convert --to TARGET`: target layouts and code conversion, run as the binary.

mod common;

use common::{read_manifest, root, s};
use std::path::{Path, PathBuf};

const SOURCE: &str = "testdata/target/vendor-juki.toml";
const TARGET: &str = "testdata/target/vendor-to-juki-kojin.toml";
const INPUT: &str = "testdata/target/vendor_juki.csv";

/// Runs ikou from the repository root: (status, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    common::run_in(&root(), args)
}

/// `ikou convert` of the bundled vendor export through its target layout into
/// `out`, with `options` before the output: (status, stdout, stderr).
fn convert_bundled(options: &[&str], out: &Path) -> (i32, String, String) {
    let mut args = vec!["convert", "--layout", SOURCE, "--to", TARGET];
    args.extend_from_slice(options);
    args.extend(["--out", s(out), INPUT]);
    run(&args)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

fn sha256(path: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(std::fs::read(root().join(path)).unwrap());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_bundled_vendor_export_converts_to_juki_kojin() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, _, err) = convert_bundled(&[], &out);
    assert_eq!(code, 3, "one record has a 続柄 the table lacks: {err}");
    let csv = std::fs::read_to_string(out.join("vendor_juki.csv")).unwrap();
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 5);
    // juki-kojin's 23 items, in its order: 和暦 → 西暦, 半角カナ → 全角, codes converted,
    // 氏 and 名 joined, items the vendor lacks empty.
    assert_eq!(
        lines[0],
        "0000000101,5001,,100000000001,山田　太郎,ヤマダ　タロウ,,,19800401,1,01,,,19900515,\
         架空県見本市本町1-2-3,,,,,,,,"
    );
    assert_eq!(
        lines[4],
        "0000000202,5002,,,佐藤　ハル,サトウ　ハル,,,19251103,2,06,,,20190501,\
         架空県見本市東町4丁目5番地,ハイツ見本101,,,,,,,"
    );
    let rejects = std::fs::read_to_string(out.join("vendor_juki.rejects.csv")).unwrap();
    let line = rejects.lines().nth(1).unwrap();
    assert!(
        line.starts_with("7,unmapped-code,")
            && line.contains("続柄コード")
            && line.contains("「99」")
            && line.contains("codes/zokugara.tsv")
            && line.contains(",9項目目,"),
        "{line}"
    );
    // The sensitive 個人番号 is hidden in the record's content.
    assert!(
        line.contains("|*****,") && !line.contains("10000000000"),
        "{line}"
    );

    let m = read_manifest(&out);
    assert_eq!(m["counts"]["read"], 6);
    assert_eq!(m["counts"]["written"], 5);
    // The export's header and trailer (record types): read and checked, not
    // written; the trailer's count is the 6 data records read.
    assert_eq!(m["trailer_checks"][0]["kind"], "count");
    assert_eq!(m["trailer_checks"][0]["expected"], "6");
    assert_eq!(m["trailer_checks"][0]["ok"], true);
    assert!(
        m.get("record_findings").is_none(),
        "{}",
        m["record_findings"]
    );
    assert_eq!(m["options"]["extra"]["to"], TARGET);
    let tables: Vec<(String, String, String)> = m["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["kind"].as_str().unwrap().into(),
                t["path"].as_str().unwrap().into(),
                t["sha256"].as_str().unwrap().into(),
            )
        })
        .filter(|t| t.0 != "mj")
        .collect();
    let codes = |f: &str| format!("testdata/target/codes/{f}");
    assert_eq!(
        tables,
        vec![
            ("layout".into(), SOURCE.into(), sha256(SOURCE)),
            ("target-layout".into(), TARGET.into(), sha256(TARGET)),
            (
                "codes".into(),
                codes("seibetsu.tsv"),
                sha256(&codes("seibetsu.tsv"))
            ),
            (
                "codes".into(),
                codes("zokugara.tsv"),
                sha256(&codes("zokugara.tsv"))
            ),
        ]
    );
    let conv: Vec<String> = m["code_conversions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}→{} {} (line {})",
                c["item"].as_str().unwrap(),
                c["old"].as_str().unwrap(),
                c["new"].as_str().unwrap(),
                c["count"],
                c["line"]
            )
        })
        .collect();
    assert_eq!(
        conv,
        [
            "性別 M→1 3 (line 3)",
            "性別 F→2 2 (line 4)",
            "続柄コード 10→01 2 (line 4)",
            "続柄コード 20→02 1 (line 5)",
            "続柄コード 30→04 1 (line 7)",
            "続柄コード 41→06 1 (line 9)",
        ]
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("id=\"code-conversions\"")
            && html.contains("コード変換")
            && html.contains("コード変換表にないコード"),
        "report has the section and the reason"
    );

    // What was written is a valid juki-kojin file.
    let again = tmp.path().join("again");
    let (code, _, err) = run(&[
        "convert",
        "--layout",
        "juki-kojin",
        "--encoding",
        "utf-8",
        "--out",
        s(&again),
        s(&out.join("vendor_juki.csv")),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(again.join("vendor_juki.csv")).unwrap(),
        csv.as_bytes()
    );
}

#[test]
fn the_output_does_not_depend_on_jobs_or_chunks() {
    let tmp = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    for (jobs, chunk) in [("1", "1048576"), ("2", "64")] {
        let out = tmp.path().join(format!("o{jobs}"));
        let (code, _, err) = convert_bundled(&["--jobs", jobs, "--chunk-bytes", chunk], &out);
        assert_eq!(code, 3, "{err}");
        seen.push((
            std::fs::read(out.join("vendor_juki.csv")).unwrap(),
            std::fs::read(out.join("manifest.json")).unwrap(),
        ));
    }
    assert!(seen[0] == seen[1]);
}

const SRC: &str = r#"
name = "src"
format = "csv"
[[fields]]
name = "番号"
key = true
[[fields]]
name = "氏名"
[[fields]]
name = "区分"
[[fields]]
name = "マイナンバー"
"#;

/// Converts `input` (UTF-8) with SRC and the target `target` (written beside
/// `files`): (status, output, rejects, manifest, stderr).
fn convert_with(
    target: &str,
    files: &[(&str, &str)],
    input: &str,
) -> (i32, String, String, serde_json::Value, String) {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let src = write(d, "src.toml", SRC);
    let tgt = write(d, "map/target.toml", target);
    for (name, text) in files {
        write(d, &format!("map/{name}"), text);
    }
    let input = write(d, "in.csv", input);
    let out = d.join("out");
    let (code, _, err) = run(&[
        "convert",
        "--layout",
        s(&src),
        "--to",
        s(&tgt),
        "--encoding",
        "utf-8",
        "--out",
        s(&out),
        s(&input),
    ]);
    let read = |n: &str| std::fs::read_to_string(out.join(n)).unwrap_or_default();
    let m = if out.join("manifest.json").exists() {
        read_manifest(&out)
    } else {
        serde_json::Value::Null
    };
    (code, read("in.csv"), read("in.rejects.csv"), m, err)
}

#[test]
fn split_default_const_and_kept_codes() {
    let target = r#"
name = "t"
format = "csv"
[[fields]]
name = "番号"
type = "digits"
[[fields]]
name = "氏"
split = { from = "氏名", on = "　", part = 1 }
[[fields]]
name = "名"
split = { from = "氏名", on = "　", part = 2 }
default = "（なし）"
[[fields]]
name = "区分"
type = "code"
codes = ["1", "2", "X"]
codes_table = "k.tsv"
unmapped = "keep"
default = "1"
[[fields]]
name = "版"
const = "v2"
"#;
    let (code, out, rej, m, err) = convert_with(
        target,
        &[("k.tsv", "a\t1\nb\t2\n")],
        "1,山田　太郎,a,\r\n2,鈴木,,\r\n3,佐藤　花子,X,\r\n4,田中　一,Z,\r\n",
    );
    assert_eq!(code, 3, "{err}");
    assert_eq!(
        out,
        "1,山田,太郎,1,v2\r\n2,鈴木,（なし）,1,v2\r\n3,佐藤,花子,X,v2\r\n"
    );
    // Z has no line and is kept, but is not one of the item's codes.
    assert!(rej.contains("4,unknown-code,"), "{rej}");
    let conv = &m["code_conversions"];
    assert_eq!(conv.as_array().unwrap().len(), 2, "{conv}");
    assert_eq!(conv[0]["old"], "a");
    assert_eq!(conv[0]["count"], 1);
    assert_eq!(conv[1]["old"], "X");
    assert_eq!(conv[1]["kept"], true);
}

#[test]
fn fixed_targets_are_written_in_utf8_bytes() {
    let target = r#"
name = "t"
format = "fixed"
record_length = 19
newline = true
[[fields]]
name = "番号"
offset = 0
length = 4
[[fields]]
name = "氏名"
offset = 4
length = 15
"#;
    let (code, out, rej, _, err) =
        convert_with(target, &[], "1,山田　太郎,,\r\n22,山田　太郎です,,\r\n");
    assert_eq!(code, 3, "{err}");
    assert_eq!(out.as_bytes(), "1   山田　太郎\r\n".as_bytes());
    assert!(
        rej.contains("2,too-long,") && rej.contains("21バイト"),
        "{rej}"
    );
}

#[test]
fn a_sensitive_target_item_hides_its_source() {
    let target = r#"
name = "t"
format = "csv"
[[fields]]
name = "番号"
type = "digits"
[[fields]]
name = "個人番号"
type = "digits"
from = "マイナンバー"
sensitive = true
required = true
[[fields]]
name = "区分"
codes_table = "k.tsv"
"#;
    let (code, _, rej, _, err) =
        convert_with(target, &[("k.tsv", "a\t1\n")], "1,x,q,123456789012\r\n");
    assert_eq!(code, 3, "{err}");
    assert!(
        rej.contains("unmapped-code") && !rej.contains("123456789012") && rej.contains("|*****"),
        "{rej}"
    );
}

#[test]
fn plan_errors_stop_before_anything_is_written() {
    for (target, files, want) in [
        (
            "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"生年月日\"\n",
            vec![],
            vec!["target.toml", "生年月日", "has no item"],
        ),
        (
            "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"x\"\nsplit = { from = \"氏名\", on = \"　\", part = 0 }\n",
            vec![],
            vec!["target.toml", "\"x\"", "part 0"],
        ),
        (
            "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"区分\"\ncodes_table = \"none.tsv\"\n",
            vec![],
            vec!["target.toml", "区分", "none.tsv"],
        ),
        (
            "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"区分\"\ncodes_table = \"k.tsv\"\n",
            vec![("k.tsv", "a\t1\nb 2\n")],
            vec!["target.toml", "区分", "k.tsv:2", "two columns"],
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let src = write(d, "src.toml", SRC);
        let tgt = write(d, "target.toml", target);
        for (name, text) in &files {
            write(d, name, text);
        }
        let input = write(d, "in.csv", "1,a,b,c\r\n");
        let out = d.join("out");
        let (code, _, err) = run(&[
            "convert",
            "--layout",
            s(&src),
            "--to",
            s(&tgt),
            "--encoding",
            "utf-8",
            "--out",
            s(&out),
            s(&input),
        ]);
        assert_eq!(code, 2, "{err}");
        for w in want {
            assert!(err.contains(w), "{w}: {err}");
        }
        assert!(!out.exists(), "nothing written");
    }
}

#[test]
fn a_target_layout_given_as_layout_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&[
        "convert",
        "--layout",
        TARGET,
        "--out",
        s(&tmp.path().join("o")),
        INPUT,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--to") && err.contains(TARGET), "{err}");
}

#[test]
fn layouts_shows_each_target_items_source_and_rule() {
    let (code, out, err) = run(&["layouts", TARGET]);
    assert_eq!(code, 0, "{err}");
    for want in [
        "元の項目",
        "住民番号",
        "氏 + 名",
        "concat（区切り \"　\"（全角空白））",
        "const \"\"",
        "codes/zokugara.tsv",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
}

#[test]
fn mappings_check_lints_code_tables() {
    // The bundled example against its own corpus: 99 has no line, 21 and 40 are
    // never reached.
    let (code, out, err) = run(&[
        "mappings", "check", "--to", TARGET, "--layout", SOURCE, "--corpus", INPUT,
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("zokugara.tsv:0: error: 続柄コード: value \"99\" occurs 1 times")
            && out.contains("first in input 1 record 7")
            && out.contains("[missing-code]"),
        "{out}"
    );
    assert!(
        out.contains("zokugara.tsv:6: warning") && out.contains("\"21\" never occurs"),
        "{out}"
    );
    assert!(
        out.contains("zokugara.tsv:8: warning") && out.contains("[unreachable-code]"),
        "{out}"
    );
    assert!(out.contains("1 error, 2 warnings"), "{out}");
    // Without a corpus the tables are clean.
    let (code, out, _) = run(&["mappings", "check", "--to", TARGET]);
    assert_eq!(code, 0, "{out}");

    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let tgt = write(
        d,
        "t.toml",
        "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"性別\"\ntype = \"code\"\n\
         codes = [\"1\", \"2\"]\ncodes_table = \"s.tsv\"\n",
    );
    write(d, "s.tsv", "M\t1\nF\t2\nM\t1\nF\t3\nU 9\n");
    let (code, out, err) = run(&["mappings", "check", "--json", "--to", s(&tgt)]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(u64, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().into(),
                f["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want: Vec<(u64, String, String)> = [
        (5, "error", "code-syntax"),
        (3, "warning", "duplicate-old"),
        (4, "error", "duplicate-old"),
        (4, "error", "new-not-in-codes"),
    ]
    .iter()
    .map(|(l, s, c)| (*l, s.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(v["errors"], 3);
    // A table that cannot be read is exit 2, naming the layout and the item.
    std::fs::remove_file(d.join("s.tsv")).unwrap();
    let (code, _, err) = run(&["mappings", "check", "--to", s(&tgt)]);
    assert_eq!(code, 2);
    assert!(
        err.contains("t.toml") && err.contains("性別") && err.contains("s.tsv"),
        "{err}"
    );
}

#[test]
fn a_gaiji_in_a_source_item_no_target_item_takes_is_not_mapped() {
    // U+E000 (a user-defined 外字 without a table) in 区分, which the target drops;
    // in 氏名, which it writes, the record is rejected at 氏名's place in the source.
    let target = "name = \"t\"\nformat = \"csv\"\n[[fields]]\nname = \"番号\"\n\
                  [[fields]]\nname = \"名前\"\nfrom = \"氏名\"\n";
    let (code, out, rej, m, err) =
        convert_with(target, &[], "1,山田,\u{E000},x\r\n2,\u{E000}田,a,x\r\n");
    assert_eq!(code, 3, "{err}");
    assert_eq!(out, "1,山田\r\n");
    assert!(
        rej.contains("2,unmapped-gaiji,") && rej.contains(",2項目目,"),
        "{rej}"
    );
    assert_eq!(m["counts"]["rejected"], 1);
}

/// A reshaped record is written as its items joined by commas only when no
/// item needs quoting: a source item read in quotes (comma or quote in it), a
/// new code or a const with a comma are quoted as in any CSV line.
#[test]
fn items_that_need_quotes_are_quoted_in_a_reshaped_line() {
    let target = r#"
name = "t"
format = "csv"
[[fields]]
name = "番号"
[[fields]]
name = "氏名"
[[fields]]
name = "区分"
codes_table = "k.tsv"
"#;
    let input = "1,\"山田,太郎\",a,\r\n2,\"say \"\"hi\"\"\",a,\r\n3,鈴木,a,\r\n4,\"佐藤\",b,\r\n5,田中,c,\r\n";
    let table = "a\t1\nb\t2\nc\tx,y\n";
    let (code, out, _, _, err) = convert_with(target, &[("k.tsv", table)], input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "1,\"山田,太郎\",1\r\n2,\"say \"\"hi\"\"\",1\r\n3,鈴木,1\r\n4,佐藤,2\r\n5,田中,\"x,y\"\r\n"
    );
    // A const with a comma, and the same records through it.
    let with_const = format!("{target}[[fields]]\nname = \"版\"\nconst = \"v,2\"\n");
    let table = "a\t1\nb\t2\nc\t3\n";
    let (code, out, _, _, err) = convert_with(&with_const, &[("k.tsv", table)], input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "1,\"山田,太郎\",1,\"v,2\"\r\n2,\"say \"\"hi\"\"\",1,\"v,2\"\r\n3,鈴木,1,\"v,2\"\r\n\
         4,佐藤,2,\"v,2\"\r\n5,田中,3,\"v,2\"\r\n"
    );
}

/// `convert --json` lists the code conversions as the manifest counts them.
#[test]
fn convert_json_lists_the_code_conversions_of_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, stdout, err) = convert_bundled(&["--json"], &out);
    assert_eq!(code, 3, "{err}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let listed = &summary["code_conversions"];
    assert!(!listed.as_array().unwrap().is_empty(), "{stdout}");
    assert_eq!(listed, &read_manifest(&out)["code_conversions"]);
    assert!(listed[0]["item"].is_string() && listed[0]["count"].as_u64().unwrap() > 0);
    // Without --to the list is empty.
    let plain = tmp.path().join("plain");
    let (_, stdout, err) = run(&[
        "convert",
        "--json",
        "--layout",
        "testdata/layouts/juki-kojin.toml",
        "--out",
        s(&plain),
        "testdata/juki_kojin.csv",
    ]);
    let summary: serde_json::Value = serde_json::from_str(&stdout).expect(&err);
    assert_eq!(summary["code_conversions"], serde_json::json!([]));
}

/// An item kept without a table line lists its first MAX_KEPT_LISTED (100)
/// values in sort order, each counted, and counts the rest together.
#[test]
fn kept_values_are_listed_up_to_a_cap_and_the_rest_counted() {
    let target = r#"
name = "t"
format = "csv"
[[fields]]
name = "番号"
[[fields]]
name = "区分"
codes_table = "k.tsv"
unmapped = "keep"
"#;
    let mut input = String::new();
    for n in 0..150 {
        // Values 100..149 twice: 100 of them past the cap.
        for _ in 0..(1 + usize::from(n >= 100)) {
            input.push_str(&format!("{n},氏名,x{n:03},\r\n"));
        }
    }
    let (code, _, _, m, err) = convert_with(target, &[("k.tsv", "a\t1\n")], &input);
    assert_eq!(code, 0, "{err}");
    let conv = m["code_conversions"].as_array().unwrap();
    assert_eq!(conv.len(), 101, "{conv:?}");
    assert_eq!(conv[0]["old"], "x000");
    assert_eq!(conv[99]["old"], "x099");
    assert_eq!(conv[99]["count"], 1);
    let rest = &conv[100];
    assert_eq!(rest["more"], true);
    assert_eq!(rest["kept"], true);
    assert!(rest["old"].is_null());
    assert_eq!(rest["count"], 100);
    assert!(conv[0].get("more").is_none(), "absent when false");
}
