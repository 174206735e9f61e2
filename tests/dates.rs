//! Dates as the standard systems keep them: era boundary days in both eras, 元年,
//! dates in words, and `date_policy = "keep"` for dates not in the calendar and
//! 不詳 forms (issue 12, items 10 and 11). Run as a user runs `ikou convert`.

mod common;

use common::{read_manifest, run, s};
use std::fs;
use std::path::Path;

/// A CSV layout: 宛名番号 (key), 生年月日 (wareki, `policy`), 異動日 (seireki, strict).
fn layout(policy: &str) -> String {
    format!(
        r#"name = "dates"
format = "csv"
[[fields]]
name = "宛名番号"
key = true
[[fields]]
name = "生年月日"
type = "date"
date = "wareki"
{policy}
[[fields]]
name = "異動日"
type = "date"
date = "seireki"
"#
    )
}

/// Converts `records` (UTF-8 lines) with `layout`; returns (exit code, stderr,
/// output lines, reject reasons by record number).
fn convert(
    dir: &Path,
    layout: &str,
    records: &[&str],
) -> (i32, String, Vec<String>, Vec<(u64, String)>) {
    let l = dir.join("dates.toml");
    fs::write(&l, layout).unwrap();
    let input = dir.join("in.csv");
    fs::write(&input, records.join("\r\n") + "\r\n").unwrap();
    let out = dir.join("out");
    let (code, _, err) = run(&[
        "convert",
        "--layout",
        s(&l),
        "--encoding",
        "utf-8",
        "--out",
        s(&out),
        s(&input),
    ]);
    let lines = fs::read_to_string(out.join("in.csv"))
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect();
    let rejects = fs::read_to_string(out.join("in.rejects.csv"))
        .unwrap_or_default()
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            let n = f.next().unwrap().parse().unwrap();
            (n, f.next().unwrap().to_string())
        })
        .collect();
    (code, err, lines, rejects)
}

/// Both sides of every era boundary, with 元年 as 01 and as 元, in codes and in
/// words: the last day of the old era and the first of the new one are written,
/// the day after / before refused. 明治45年7月30日 = 大正元年7月30日 and 大正15年12月25日 =
/// 昭和元年12月25日 (改元 on the day of 崩御); 昭和64年1月7日 and 平成元年1月8日,
/// 平成31年4月30日 and 令和元年5月1日 are one day apart.
#[test]
fn era_boundary_days_are_written_in_both_eras_and_their_neighbours_refused() {
    let dir = tempfile::tempdir().unwrap();
    // (生年月日, the 西暦 written, or None: refused as era-out-of-range)
    let cases: &[(&str, Option<&str>)] = &[
        ("1450730", Some("19120730")),
        ("2010730", Some("19120730")),
        ("2元0730", Some("19120730")),
        ("明治45年7月30日", Some("19120730")),
        ("大正元年7月30日", Some("19120730")),
        ("1450731", None),
        ("2元0729", None),
        ("2151225", Some("19261225")),
        ("3010225", None),
        ("3元1225", Some("19261225")),
        ("昭和元年12月25日", Some("19261225")),
        ("大正15年12月25日", Some("19261225")),
        ("2151226", None),
        ("3元1224", None),
        ("3640107", Some("19890107")),
        ("昭和64年1月7日", Some("19890107")),
        ("3640108", None),
        ("4010108", Some("19890108")),
        ("4元0108", Some("19890108")),
        ("平成元年1月8日", Some("19890108")),
        ("4元0107", None),
        ("平成元年1月7日", None),
        ("4310430", Some("20190430")),
        ("平成31年4月30日", Some("20190430")),
        ("4310501", None),
        ("5元0501", Some("20190501")),
        ("令和元年5月1日", Some("20190501")),
        ("５元０５０１", Some("20190501")),
        ("5010430", None),
        ("令和元年4月30日", None),
    ];
    let records: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(i, (d, _))| format!("{:04},{d},20240101", i + 1))
        .collect();
    let refs: Vec<&str> = records.iter().map(String::as_str).collect();
    let (code, err, lines, rejects) = convert(dir.path(), &layout(""), &refs);
    assert_eq!(code, 3, "{err}");
    let mut written = lines.iter();
    for (i, (d, want)) in cases.iter().enumerate() {
        let n = i as u64 + 1;
        match want {
            Some(w) => assert_eq!(
                written.next().map(String::as_str),
                Some(format!("{n:04},{w},20240101").as_str()),
                "{d}"
            ),
            None => assert!(
                rejects.contains(&(n, "era-out-of-range".to_string())),
                "{d}: {rejects:?}"
            ),
        }
    }
    assert!(written.next().is_none());
}

/// `keep`: the dates the standard systems must hold are written and counted
/// (manifest: per item and reason, count and first record; report: a section),
/// never rejected. The strict item next to it still rejects them.
#[test]
fn keep_writes_nonexistent_and_unknown_dates_counts_and_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let records = [
        "0001,3500230,20240101",          // 昭和50年2月30日
        "0002,4050229,20240101",          // 平成5年2月29日 (a common year)
        "0003,年月日不詳,20240101",       //
        "0004,昭和45年月日不詳,20240101", //
        "0005,3450000,20240101",          // 昭和45年 月日 00
        "0006,昭和45年頃,20240101",       //
        "0007,年不詳3月5日,20240101",     //
        "0008,4010108,20240101",          // an ordinary date
        "0009,3640108,20240101",          // not in 昭和: still refused
        "0010,4010108,20230229",          // the strict item refuses
        "0011,3501301,20240101",          // month 13: no date at all
    ];
    let (code, err, lines, rejects) =
        convert(dir.path(), &layout("date_policy = \"keep\""), &records);
    assert_eq!(code, 3, "{err}");
    assert_eq!(
        lines,
        [
            "0001,19750230,20240101",
            "0002,19930229,20240101",
            "0003,年月日不詳,20240101",
            "0004,19700000,20240101",
            "0005,19700000,20240101",
            "0006,昭和45年頃,20240101",
            "0007,年不詳3月5日,20240101",
            "0008,19890108,20240101",
        ]
    );
    assert_eq!(
        rejects,
        [
            (9, "era-out-of-range".to_string()),
            (10, "invalid-date".to_string()),
            (11, "invalid-date".to_string()),
        ]
    );
    let out = dir.path().join("out");
    let m = read_manifest(&out);
    let kept = m["kept_dates"].as_array().expect("kept_dates");
    let entry = |reason: &str| {
        kept.iter()
            .find(|e| e["reason"] == reason)
            .unwrap_or_else(|| panic!("{reason} in {kept:?}"))
    };
    let n = entry("nonexistent-date");
    assert_eq!(n["item"], "生年月日");
    assert_eq!(n["count"], 2);
    assert_eq!(n["first_record"]["record"], 1);
    let u = entry("unknown-date");
    assert_eq!(u["count"], 5);
    assert_eq!(u["first_record"]["record"], 3);
    assert_eq!(kept.len(), 2);
    // The same counts among the cleansing changes, per rule.
    let cleansing = m["cleansing"].as_array().unwrap();
    let count = |rule: &str| {
        cleansing
            .iter()
            .find(|e| e["rule"] == rule && e["item"] == "生年月日")
            .map(|e| e["count"].as_u64().unwrap())
    };
    assert_eq!(count("nonexistent-date"), Some(2));
    assert_eq!(count("unknown-date"), Some(5));
    assert_eq!(count("date-text-to-digits"), Some(1), "昭和45年月日不詳");
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    let section = &report[report
        .find("id=\"kept-dates\"")
        .expect("a kept-dates section")..];
    let section = &section[..section.find("</section>").unwrap_or(section.len())];
    assert!(
        section.contains("生年月日")
            && section.contains("nonexistent-date")
            && section.contains("レコード 1")
            && section.contains("宛名番号</span> 0003"),
        "{section}"
    );
    // The page names records, never the dates.
    for v in ["19750230", "昭和45年頃", "年不詳3月5日", "3500230"] {
        assert!(!report.contains(v), "{v} on the page");
    }
    let (code, _, err) = run(&["verify", s(&out)]);
    assert_eq!(code, 0, "{err}");
}

/// Under `strict` (the default, and when written out) the same dates are
/// rejected as before; a 不詳 form in words says `keep` would hold it.
#[test]
fn strict_rejects_them_and_says_keep_would_hold_them() {
    for policy in ["", "date_policy = \"strict\""] {
        let dir = tempfile::tempdir().unwrap();
        let (code, err, lines, rejects) = convert(
            dir.path(),
            &layout(policy),
            &[
                "0001,3500230,20240101",
                "0002,年月日不詳,20240101",
                "0003,4010108,20240101",
            ],
        );
        assert_eq!(code, 3, "{err}");
        assert_eq!(lines, ["0003,19890108,20240101"]);
        assert_eq!(
            rejects,
            [(1, "invalid-date".into()), (2, "invalid-date".into())]
        );
        let text = fs::read_to_string(dir.path().join("out/in.rejects.csv")).unwrap();
        assert!(text.contains("date_policy"), "{text}");
        let m = read_manifest(&dir.path().join("out"));
        assert!(m.get("kept_dates").is_none(), "absent when none were kept");
        let report = fs::read_to_string(dir.path().join("out/report.html")).unwrap();
        assert!(!report.contains("id=\"kept-dates\""));
    }
}

/// `date_policy` on an item that is no date is a layout error naming the item.
#[test]
fn date_policy_on_a_non_date_item_is_a_layout_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = layout("").replace(
        "name = \"宛名番号\"\nkey = true",
        "name = \"宛名番号\"\nkey = true\ndate_policy = \"keep\"",
    );
    let (code, err, _, _) = convert(dir.path(), &bad, &["0001,4010108,20240101"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("宛名番号") && err.contains("date_policy"),
        "{err}"
    );
    assert!(!dir.path().join("out/manifest.json").exists());
}
