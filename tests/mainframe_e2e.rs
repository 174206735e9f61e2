//! End to end on the synthetic mainframe 住民 exports of testdata/mainframe/
//! (written by make_samples.py): IBM930 with packed and binary numbers, JEF
//! RECFM=VB with zoned numbers and a bad RDW, KEIS and JIPS(E). Each converts
//! with its 外字 table; the rejects are the records make_samples.py broke, kept
//! verbatim; the manifest's counts reconcile; `verify --inputs` passes; and
//! every chunk size and --jobs give the same files.

mod common;

use common::{ikou, root, s};
use std::fs;
use std::path::Path;

struct Sample {
    data: &'static str,
    layout: &'static str,
    encoding: &'static str,
    /// The reason code make_samples.py's "bad-number" record gets.
    bad_number: &'static str,
    /// 税額 of record 1 as written.
    tax: &'static str,
    /// 宛名番号 of record 1 as written.
    number: &'static str,
}

const SAMPLES: [Sample; 4] = [
    Sample {
        data: "ibm930_fb.dat",
        layout: "ibm930_fb.toml",
        encoding: "ibm930",
        bad_number: "bad-packed",
        tax: "12345",
        number: "0000000001",
    },
    Sample {
        data: "jef_vb.dat",
        layout: "jef_vb.toml",
        encoding: "jef-ebcdik",
        bad_number: "bad-zoned",
        tax: "123.45",
        number: "1",
    },
    Sample {
        data: "keis_fb.dat",
        layout: "keis_fb.toml",
        encoding: "keis-ebcdik",
        bad_number: "bad-packed",
        tax: "12345",
        number: "0000000001",
    },
    Sample {
        data: "jipse_fb.dat",
        layout: "jipse_fb.toml",
        encoding: "jips-e",
        bad_number: "binary-overflow",
        tax: "12345",
        number: "0000000001",
    },
];

fn mainframe(rel: &str) -> String {
    format!("testdata/mainframe/{rel}")
}

/// Converts `sample` into `out` with extra options; returns (exit code, stderr).
fn convert(sample: &Sample, out: &Path, extra: &[&str]) -> (i32, String) {
    let (layout, gaiji, data) = (
        mainframe(sample.layout),
        mainframe("gaiji.tsv"),
        mainframe(sample.data),
    );
    let mut args = vec![
        "convert",
        "--layout",
        &layout,
        "--encoding",
        sample.encoding,
        "--gaiji",
        &gaiji,
        "--out",
        s(out),
    ];
    args.extend_from_slice(extra);
    args.push(&data);
    let o = ikou()
        .current_dir(root())
        .args(&args)
        .output()
        .expect("ikou runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn expected() -> serde_json::Value {
    let text = fs::read_to_string(root().join(mainframe("expected.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn stem(sample: &Sample) -> &str {
    sample.data.trim_end_matches(".dat")
}

#[test]
fn each_family_converts_end_to_end() {
    let expected = expected();
    for sample in &SAMPLES {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let (code, err) = convert(sample, &out, &[]);
        let name = sample.data;
        assert_eq!(code, 3, "{name}: records were rejected: {err}");
        let want = &expected[name];
        let want_records = want["records"].as_u64().unwrap();
        let want_rejects = want["rejects"].as_object().unwrap();

        // The manifest's counts reconcile with the file and the reject file.
        let m = common::read_manifest(&out);
        let input = &m["inputs"][0];
        let (read, written, rejected) = (
            input["records"].as_u64().unwrap(),
            input["written"].as_u64().unwrap(),
            input["rejected"].as_u64().unwrap(),
        );
        assert_eq!(read, want_records, "{name}: {err}");
        assert_eq!(rejected, want_rejects.len() as u64, "{name}: {err}");
        assert_eq!(read, written + rejected, "{name}");

        // Each reject is the record make_samples.py broke, for its reason, verbatim.
        let bytes = fs::read(root().join(mainframe(name))).unwrap();
        let rejects = ikou::reject::read_lines(
            &fs::read(out.join(format!("{}.rejects.csv", stem(sample)))).unwrap(),
        )
        .unwrap();
        assert_eq!(rejects.len(), want_rejects.len(), "{name}: {rejects:#?}");
        for r in &rejects {
            let why = want_rejects[&r.record.to_string()].as_str().unwrap();
            let code = match why {
                "bad-number" => sample.bad_number,
                other => other,
            };
            assert_eq!(r.code, code, "{name} record {}: {}", r.record, r.message);
            let at = r.offset as usize;
            assert_eq!(
                &bytes[at..at + r.original.len()],
                &r.original[..],
                "{name} record {}: the original bytes are the file's",
                r.record
            );
            if code == "bad-rdw" {
                assert_eq!(at + r.original.len(), bytes.len(), "the rest of the file");
            }
            if code == "unclosed-shift" || code == sample.bad_number {
                assert_eq!(
                    r.item,
                    if code == "unclosed-shift" {
                        "住所"
                    } else {
                        "税額"
                    }
                );
            }
        }

        // The items of record 1, decoded, cleansed and written as text.
        let csv = fs::read_to_string(out.join(format!("{}.csv", stem(sample)))).unwrap();
        let first = csv.lines().next().unwrap_or_default();
        let items: Vec<&str> = first.split(',').collect();
        assert_eq!(items[0], sample.number, "{name}: {first}");
        assert_eq!(items[1], "山田\u{3000}太郎", "{name}: dbcs padding trimmed");
        assert_eq!(items[2], "ヤマダ\u{3000}タロウ", "{name}");
        assert_eq!(items[3], "見本市本町1-2", "{name}: mixed text");
        assert_eq!(items[4], sample.tax, "{name}");
        if sample.encoding == "ibm930" {
            assert_eq!(items[5], "3", "{name}: binary 世帯人数");
        }
        assert_eq!(csv.lines().count() as u64, written, "{name}");

        // The double-byte space padding of 氏名 is trimmed and counted.
        let trimmed = m["cleansing"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["item"] == "氏名" && c["rule"] == "trim-trailing-fullwidth-space")
            .map(|c| c["count"].as_u64().unwrap());
        assert_eq!(trimmed, Some(written), "{name}: {}", m["cleansing"]);
        // 外字 U+E000 and U+E002 went through the table.
        assert!(
            m["gaiji"].to_string().contains("U+E000"),
            "{name}: {}",
            m["gaiji"]
        );

        let v = ikou()
            .args(["verify", "--inputs", s(&out)])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(
            v.status.success(),
            "{name}: verify: {}",
            String::from_utf8_lossy(&v.stdout) + String::from_utf8_lossy(&v.stderr)
        );
    }
}

#[test]
fn every_chunk_size_and_job_count_gives_the_same_files() {
    for sample in &SAMPLES {
        let tmp = tempfile::tempdir().unwrap();
        let mut runs = Vec::new();
        for (i, extra) in [
            &["--jobs", "1"][..],
            &["--jobs", "2", "--chunk-bytes", "1"],
            &["--jobs", "2", "--chunk-bytes", "100"],
        ]
        .iter()
        .enumerate()
        {
            let out = tmp.path().join(format!("run{i}"));
            let (code, err) = convert(sample, &out, extra);
            assert_eq!(code, 3, "{}: {err}", sample.data);
            let files: Vec<Vec<u8>> = [".csv", ".rejects.csv"]
                .iter()
                .map(|ext| fs::read(out.join(format!("{}{ext}", stem(sample)))).unwrap())
                .collect();
            runs.push(files);
        }
        assert!(runs.windows(2).all(|w| w[0] == w[1]), "{}", sample.data);
    }
}

/// Each sample's copybook (`testdata/mainframe/*.cpy`) imports to a layout with the
/// hand-written layout's items (place, length, number type, digits, scale, dbcs;
/// a copybook has no kana type, so 氏名カナ comes in as text), and converting
/// the sample with it reads, writes and rejects the same records.
#[test]
fn each_sample_converts_with_the_layout_its_copybook_imports_to() {
    use ikou::layout::{FieldType, Layout};
    let load = |path: &Path| -> Layout { ikou::layout::load(s(path)).unwrap().layout };
    let expected = expected();
    for sample in &SAMPLES {
        let tmp = tempfile::tempdir().unwrap();
        let cpy = mainframe(&sample.layout.replace(".toml", ".cpy"));
        let imported = tmp.path().join("imported.toml");
        let o = ikou()
            .current_dir(root())
            .args(["layout", "import", &cpy, "--key", "宛名番号", "--out"])
            .arg(&imported)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{cpy}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        // RECFM is not in a copybook (it is the data set's, in the JCL).
        let hand = load(&root().join(mainframe(sample.layout)));
        if hand.recfm == Some(ikou::layout::Recfm::Vb) {
            let text = fs::read_to_string(&imported).unwrap();
            let text = text.replacen(
                "format = \"fixed\"",
                "format = \"fixed\"\nrecfm = \"vb\"",
                1,
            );
            fs::write(&imported, text).unwrap();
        }
        let got = load(&imported);
        let shape = |l: &Layout| -> Vec<_> {
            l.fields
                .iter()
                .map(|f| {
                    let kind = if f.kind == FieldType::Kana {
                        FieldType::Text
                    } else {
                        f.kind
                    };
                    (
                        f.name.clone(),
                        f.offset,
                        f.length,
                        kind,
                        f.digits,
                        f.scale.unwrap_or(0),
                        f.dbcs,
                    )
                })
                .collect()
        };
        assert_eq!(shape(&got), shape(&hand), "{cpy}");

        let out = tmp.path().join("out");
        let layout_arg = s(&imported).to_string();
        let data = mainframe(sample.data);
        let gaiji = mainframe("gaiji.tsv");
        let o = ikou()
            .current_dir(root())
            .args([
                "convert",
                "--layout",
                &layout_arg,
                "--encoding",
                sample.encoding,
            ])
            .args(["--gaiji", &gaiji, "--out", s(&out), &data])
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(3),
            "{cpy}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let m = common::read_manifest(&out);
        let want = &expected[sample.data];
        assert_eq!(
            m["inputs"][0]["records"].as_u64(),
            want["records"].as_u64(),
            "{cpy}"
        );
        assert_eq!(
            m["inputs"][0]["rejected"].as_u64(),
            Some(want["rejects"].as_object().unwrap().len() as u64),
            "{cpy}"
        );
    }
}
