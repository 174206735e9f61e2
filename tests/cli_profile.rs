//! `ikou profile` run as a user runs it: what it finds, against `convert` and
//! against Python's codecs; the work list round trip through `convert --gaiji`.

mod common;

use common::{iconv, ikou, read_manifest, s, testdata};
use serde_json::Value;
use std::fs;
use std::path::Path;

const LAYOUT: &str = "testdata/layouts/juki-kojin.toml";
const GAIJI: &str = "testdata/gaiji/sample.tsv";

/// Runs `ikou args…` from the repository root; (exit code, stdout, stderr).
fn ikou_at(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let o = ikou().current_dir(cwd).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn profile_json(extra: &[&str], inputs: &[&Path]) -> (i32, Value) {
    let mut args = vec!["profile", "--layout", LAYOUT, "--json"];
    args.extend_from_slice(extra);
    args.extend(inputs.iter().map(|p| s(p)));
    let (code, out, err) = ikou_at(&common::root(), &args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v)
}

fn convert(out: &Path, extra: &[&str], inputs: &[&Path]) -> (i32, String) {
    let mut args = vec!["convert", "--layout", LAYOUT, "--out", s(out)];
    args.extend_from_slice(extra);
    args.extend(inputs.iter().map(|p| s(p)));
    let (code, _, err) = ikou_at(&common::root(), &args);
    (code, err)
}

#[test]
fn the_json_has_the_contract_keys_and_predicts_convert() {
    let input = testdata("juki_kojin.csv");
    let (code, p) = profile_json(&["--gaiji", GAIJI], &[&input]);
    assert_eq!(code, 3, "records would be rejected: {p}");
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(convert(dir.path(), &["--gaiji", GAIJI], &[&input]).0, 3);
    let m = read_manifest(dir.path());

    // CONTRACT.md: records, gaiji[{source,count,mj,first_record}], defects[{item,reason,count}].
    assert!(p["records"].is_u64());
    for g in p["gaiji"].as_array().unwrap() {
        for k in ["source", "count", "mj", "first_record"] {
            assert!(g.get(k).is_some(), "gaiji entry without {k}: {g}");
        }
    }
    for d in p["defects"].as_array().unwrap() {
        for k in ["item", "reason", "count"] {
            assert!(d.get(k).is_some(), "defect without {k}: {d}");
        }
    }

    assert_eq!(p["records"], m["counts"]["read"]);
    assert_eq!(p["would_reject"], m["counts"]["rejected"]);
    assert_eq!(p["changes"], m["cleansing"], "cleansing predicted exactly");
    // Each reject reason of convert is a defect of profile (profile judges every
    // item, so it may find more, never fewer).
    for r in m["reject_reasons"].as_array().unwrap() {
        let d = p["defects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| {
                d["reason"] == r["code"]
                    && d["item"] == r.get("item").cloned().unwrap_or(Value::Null)
            })
            .unwrap_or_else(|| panic!("no defect for {r}"));
        assert!(d["count"].as_u64() >= r["count"].as_u64(), "{d} vs {r}");
        assert_eq!(d["first_record"], r["first_records"][0]["record"]);
    }
    // Every unmapped 外字 of convert, with its first record; every mapped one with
    // the MJ glyph the manifest names.
    for u in m["unmapped"].as_array().unwrap() {
        let g = find(&p["gaiji"], "source", &u["source"]);
        assert_eq!(
            (&g["status"], &g["mj"]),
            (&Value::from("unmapped"), &Value::Null)
        );
        assert_eq!(g["first_record"], u["first_record"]);
    }
    for e in m["gaiji"].as_array().unwrap() {
        let g = find(&p["gaiji"], "source", &e["source"]);
        assert_eq!(
            (&g["status"], &g["mj"], &g["output"]),
            (&Value::from("mapped"), &e["mj"], &e["output"])
        );
        assert!(g["count"].as_u64() >= e["count"].as_u64());
    }
    assert_eq!(
        find(&p["gaiji"], "source", &"U+E000".into())["bytes"],
        "0xF040"
    );
    assert_eq!(
        find(&p["gaiji"], "source", &"U+E000".into())["first_key"],
        "000000000000003"
    );
}

fn find<'a>(list: &'a Value, key: &str, want: &Value) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| &x[key] == want)
        .unwrap_or_else(|| panic!("no {key} = {want} in {list}"))
}

/// The characters of the input (decoded by Python's cp932 codec) that are neither
/// private-use nor in Python's shift_jis set: what profile must list as non_jis.
#[test]
fn characters_outside_jis_x_0208_are_the_ones_python_finds() {
    let input = testdata("juki_kojin.csv");
    let script = r#"
import sys
text = open(sys.argv[1], "rb").read().decode("cp932", errors="ignore")
def ok(c, codec):
    try:
        c.encode(codec); return True
    except UnicodeEncodeError:
        return False
found = {}
for c in text:
    cp = ord(c)
    if cp < 0x80 or 0xE000 <= cp <= 0xF8FF or ok(c, "shift_jis"):
        continue
    found.setdefault(cp, "jisx0213" if ok(c, "shift_jis_2004") else "none")
for cp in sorted(found):
    print(f"U+{cp:04X} {found[cp]}")
"#;
    let out = match std::process::Command::new("python3")
        .args(["-c", script, s(&input)])
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("SKIPPED: python3 is not available ({e})");
            return;
        }
    };
    assert!(out.status.success());
    let want: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let (_, p) = profile_json(&["--gaiji", GAIJI], &[&input]);
    let got: Vec<String> = p["non_jis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["code"].as_str().unwrap(),
                c["set"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(!got.is_empty(), "the sample has ① and the CP932 ～");
    // The CP932 ～ is written as 〜 by convert (--variants jis).
    assert_eq!(
        find(&p["non_jis"], "code", &"U+FF5E".into())["converted"],
        "U+301C"
    );
}

#[test]
fn the_result_is_the_same_for_any_jobs_and_chunk_size() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("many.csv");
    let sample = fs::read(testdata("juki_kojin.csv")).unwrap();
    let many: Vec<u8> = std::iter::repeat_n(&sample[..], 300)
        .flatten()
        .copied()
        .collect();
    fs::write(&input, many).unwrap();
    let mut first: Option<String> = None;
    for (jobs, chunk) in [("1", "1048576"), ("2", "100"), ("3", "1"), ("4", "999")] {
        let (code, out, err) = ikou_at(
            &common::root(),
            &[
                "profile",
                "--layout",
                LAYOUT,
                "--gaiji",
                GAIJI,
                "--json",
                "--jobs",
                jobs,
                "--chunk-bytes",
                chunk,
                s(&input),
            ],
        );
        assert_eq!(code, 3, "{err}");
        match &first {
            None => first = Some(out),
            Some(f) => assert!(f == &out, "jobs {jobs} chunk {chunk} differs"),
        }
    }
    let p: Value = serde_json::from_str(first.as_deref().unwrap()).unwrap();
    // The sample repeated: record 8 of the first copy is the first U+E002.
    assert_eq!(p["records"], 17 * 300);
    assert_eq!(
        find(&p["gaiji"], "source", &"U+E002".into())["first_record"],
        8
    );
    assert_eq!(find(&p["gaiji"], "source", &"U+E002".into())["count"], 300);
}

#[test]
fn the_work_list_is_refused_until_filled_in_then_maps_every_gaiji() {
    let tmp = tempfile::tempdir().unwrap();
    let wl = tmp.path().join("worklist.tsv");
    let input = testdata("juki_kojin.csv");
    let (code, table, err) = ikou_at(
        &common::root(),
        &[
            "profile",
            "--layout",
            LAYOUT,
            "--gaiji",
            GAIJI,
            "--worklist",
            s(&wl),
            s(&input),
        ],
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        table.contains("U+E002") && table.contains("unmapped"),
        "{table}"
    );
    assert!(err.contains("1 unmapped 外字"), "{err}");
    let text = fs::read_to_string(&wl).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let n = 1 + lines
        .iter()
        .position(|l| l.starts_with("U+E002\t"))
        .expect("a line for U+E002");
    assert_eq!(
        lines.iter().filter(|l| !l.starts_with('#')).count(),
        2,
        "header + 1 line: {text}"
    );
    let fields: Vec<&str> = lines[n - 1].split('\t').collect();
    assert_eq!(fields[1], "", "the target is left empty");
    assert!(
        fields[2].contains("0xF042") && fields[2].contains("1件") && fields[2].contains(":8"),
        "{}",
        fields[2]
    );

    // Unfilled: convert refuses it, naming the file and the line.
    let out = tmp.path().join("out");
    let (code, err) = convert(&out, &["--gaiji", GAIJI, "--gaiji", s(&wl)], &[&input]);
    assert_eq!(code, 2, "{err}");
    let want = format!("{}:{n}: error: the target of U+E002 is empty", wl.display());
    assert!(err.contains(&want), "{want:?} not in {err}");
    assert!(!out.join("manifest.json").exists());

    // Filled in (MJ000001 stands in for whatever 文字同定 decides): accepted, and
    // nothing is unmapped any more.
    fs::write(&wl, text.replace("U+E002\t\t", "U+E002\tMJ000001\t")).unwrap();
    let (code, err) = convert(&out, &["--gaiji", GAIJI, "--gaiji", s(&wl)], &[&input]);
    assert_eq!(code, 3, "other records are still rejected: {err}");
    let m = read_manifest(&out);
    assert_eq!(m["unmapped"], Value::Array(vec![]));
    assert_eq!(m["counts"]["rejected"], 7);
    let (code, p) = profile_json(&["--gaiji", GAIJI, "--gaiji", s(&wl)], &[&input]);
    assert_eq!(code, 3);
    assert!(
        p["gaiji"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["status"] == "mapped")
    );
}

#[test]
fn profile_writes_nothing_and_exits_0_on_clean_input() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("clean.csv");
    let data = "000000000000001,山田　太郎,ﾔﾏﾀﾞ ﾀﾛｳ,19800401,1,架空県見本市本町,100000000001\r\n\
                000000000000002,佐藤　花子,サトウ　ハナコ,19851231,2,架空県見本市本町,\r\n";
    fs::write(&input, iconv(data.as_bytes(), "UTF-8", "CP932")).unwrap();
    let work = tempfile::tempdir().unwrap();
    let layout = common::root().join(LAYOUT);
    let (code, out, err) = ikou_at(work.path(), &["profile", "--layout", s(&layout), s(&input)]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 records; convert would reject 0"), "{out}");
    assert!(err.is_empty(), "nothing on stderr: {err}");
    assert_eq!(
        fs::read_dir(work.path()).unwrap().count(),
        0,
        "no file written"
    );
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "no file written"
    );
    // Personal data never goes to stderr, and stdout shows no item values but the key.
    for value in ["山田", "佐藤", "ﾔﾏﾀﾞ", "19800401", "100000000001", "架空県"] {
        assert!(
            !out.contains(value) && !err.contains(value),
            "{value} shown"
        );
    }
}

#[test]
fn fixed_length_records_are_profiled_as_convert_converts_them() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("fixed.toml");
    fs::write(
        &layout,
        r#"
name = "fixed-test"
format = "fixed"
record_length = 24
newline = true
[[fields]]
name = "番号"
type = "digits"
offset = 0
length = 4
key = true
[[fields]]
name = "カナ"
type = "kana"
offset = 4
length = 12
[[fields]]
name = "生年月日"
type = "date"
date = "seireki"
offset = 16
length = 8
"#,
    )
    .unwrap();
    // 3 good records (one with a 外字 in カナ), one impossible date, one short record.
    let mut data = Vec::new();
    for (no, kana, date) in [
        ("0001", "ﾔﾏﾀﾞ ﾀﾛｳ    ", "19800401"),
        ("0002", "サトウ      ", "19990230"),
        ("0003", "ｲﾄｳ         ", "20000101"),
    ] {
        data.extend(iconv(
            format!("{no}{kana}{date}\r\n").as_bytes(),
            "UTF-8",
            "CP932",
        ));
    }
    data.extend(b"0004\xF0\x40          19700101\r\n");
    data.extend(b"0005short\r\n");
    let input = tmp.path().join("fixed.dat");
    fs::write(&input, &data).unwrap();
    let (code, out, err) = ikou_at(
        &common::root(),
        &["profile", "--layout", s(&layout), "--json", s(&input)],
    );
    assert_eq!(code, 3, "{err}");
    let p: Value = serde_json::from_str(&out).unwrap();
    let conv = tmp.path().join("out");
    let (ccode, _, err) = ikou_at(
        &common::root(),
        &[
            "convert",
            "--layout",
            s(&layout),
            "--out",
            s(&conv),
            s(&input),
        ],
    );
    assert_eq!(ccode, 3, "{err}");
    let m = read_manifest(&conv);
    assert_eq!(p["records"], m["counts"]["read"]);
    assert_eq!(p["would_reject"], m["counts"]["rejected"]);
    assert_eq!(p["changes"], m["cleansing"]);
    assert_eq!(
        find(&p["gaiji"], "source", &"U+E000".into())["first_key"],
        "0004"
    );
    let d = find(&p["defects"], "reason", &"wrong-length".into());
    assert_eq!(
        (&d["item"], &d["first_record"]),
        (&Value::Null, &Value::from(5))
    );
}
