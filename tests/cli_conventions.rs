//! Conventions every ikou command follows (issue 17): shell completions and man pages
//! generated from the argument definitions, targets accepted as people type them,
//! -q/--json, and output that survives a closed pipe.

mod common;
use common::{ikou, run, s};
use std::path::Path;
use std::process::Stdio;

/// The subcommand names `ikou --help` lists.
fn subcommands() -> Vec<String> {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    let list = out
        .split("Commands:")
        .nth(1)
        .and_then(|t| t.split("\n\n").next())
        .expect("a Commands: section");
    let names: Vec<String> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect();
    assert!(names.len() >= 9, "{names:?}");
    names
}

#[test]
fn completion_scripts_cover_every_subcommand() {
    let names = subcommands();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        for n in &names {
            assert!(out.contains(n.as_str()), "{shell}: no {n}");
        }
    }
    let (code, _, err) = run(&["completions", "tcsh"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_bash_script_is_valid_bash() {
    let (code, script, _) = run(&["completions", "bash"]);
    assert_eq!(code, 0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ikou.bash");
    std::fs::write(&path, &script).unwrap();
    match std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
    {
        Ok(o) => assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => eprintln!("bash not found ({e}): syntax check skipped"),
    }
}

#[test]
fn the_man_page_names_every_subcommand() {
    let (code, page, err) = run(&["manpage"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        page.starts_with(".ie") || page.contains(".TH ikou 1"),
        "{page}"
    );
    for n in subcommands() {
        assert!(
            page.contains(&format!("ikou\\-{n}(1)")),
            "no {n} in\n{page}"
        );
    }
    let (code, page, _) = run(&["manpage", "mappings", "check"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH ikou-mappings-check 1"), "{page}");
    assert!(page.contains("\\-\\-strict"), "{page}");
    let (code, out, err) = run(&["manpage", "nosuch"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("mappings check"), "{err}");
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn manpage_out_writes_one_page_per_command_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let (code, stdout, err) = run(&["manpage", "--out", s(&out)]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{err}");
    let pages = listing(&out);
    for n in subcommands() {
        assert!(pages.contains(&format!("ikou-{n}.1")), "{pages:?}");
    }
    assert!(pages.contains(&"ikou.1".to_string()));
    assert!(pages.contains(&"ikou-mappings-diff.1".to_string()));
    let before: Vec<Vec<u8>> = pages
        .iter()
        .map(|p| std::fs::read(out.join(p)).unwrap())
        .collect();

    // A second run refuses, and changes nothing.
    let (code, _, err) = run(&["manpage", "-q", "--out", s(&out)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not overwriting"), "{err}");
    let after: Vec<Vec<u8>> = pages
        .iter()
        .map(|p| std::fs::read(out.join(p)).unwrap())
        .collect();
    assert_eq!(before, after);

    // One page of someone else's in the way: nothing at all is written.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("ikou-mj.1"), "mine").unwrap();
    let (code, _, err) = run(&["manpage", "--out", s(&other)]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(listing(&other), ["ikou-mj.1"]);
    assert_eq!(
        std::fs::read_to_string(other.join("ikou-mj.1")).unwrap(),
        "mine"
    );
}

/// Every spelling of a target people type: (as typed, the canonical notation, the MJ
/// glyph it names).
const SPELLINGS: [(&str, &str, &str); 8] = [
    ("MJ022335", "MJ022335", "MJ022335"),
    ("ＭＪ０２２３３５", "MJ022335", "MJ022335"),
    ("mj022335", "MJ022335", "MJ022335"),
    ("j+aeac", "J+AEAC", "MJ032129"),
    ("Ｊ＋ＡＥＡＣ", "J+AEAC", "MJ032129"),
    ("koseki:123450", "KOSEKI:123450", "MJ001238"),
    ("ＫＯＳＥＫＩ：１２３４５０", "KOSEKI:123450", "MJ001238"),
    ("u+845b", "U+845B", "MJ022336"),
];

#[test]
fn ikou_mj_accepts_every_spelling_of_a_target() {
    for (typed, _, mj) in SPELLINGS {
        let (code, out, err) = run(&["mj", typed]);
        assert_eq!(code, 0, "{typed}: {err}");
        assert!(out.contains(&format!("{mj} ")), "{typed}: {out}");
    }
    let (code, out, err) = run(&["mj", "Ｕ＋８４５Ｂ", "Ｕ＋Ｅ０１０３"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("MJ022336 "), "one IVS query: {out}");
}

#[test]
fn a_table_accepts_every_spelling_of_a_target() {
    let dir = tempfile::tempdir().unwrap();
    let mut table = String::from("source\ttarget\n");
    for (i, (typed, _, _)) in SPELLINGS.iter().enumerate() {
        table.push_str(&format!("U+{:04X}\t{typed}\n", 0xE000 + i));
    }
    table.push_str("U+E100\tＵ＋８４５Ｂ　Ｕ＋Ｅ０１０３\n");
    let path = dir.path().join("t.tsv");
    std::fs::write(&path, &table).unwrap();
    let (code, out, err) = run(&["mappings", "check", s(&path)]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("OK: 1 table, 9 entries"), "{out}");

    // convert records each target in its one canonical notation.
    let (code, out, err) = run(&["mappings", "check", "--json", s(&path)]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["errors"], 0, "{j}");
    assert_eq!(j["warnings"], 0, "{j}");
    let (entries, _) = ikou::gaiji::table::parse(&table, "t.tsv", ikou::decode::Encoding::Cp932);
    let got: Vec<String> = entries.iter().map(|e| e.target.notation()).collect();
    let mut want: Vec<&str> = SPELLINGS.iter().map(|(_, n, _)| *n).collect();
    want.push("U+845B U+E0103");
    assert_eq!(got, want);
}

#[test]
fn a_bad_spelling_is_refused_alike_in_a_table_and_in_ikou_mj() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.tsv");
    std::fs::write(&path, "U+E000\tｍｊ１２３４５\n").unwrap();
    let (code, out, _) = run(&["mappings", "check", s(&path)]);
    assert_eq!(code, 1);
    assert!(out.contains("an MJ文字図形名 is MJ and 6 digits"), "{out}");
    let (code, out, err) = run(&["mj", "ｍｊ１２３４５"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("MJ文字図形名は MJ の後に6桁の数字です"),
        "{err}"
    );
}

#[test]
fn ikou_mj_looks_up_each_argument() {
    let (code, out, err) = run(&["mj", "髙", "﨑"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("MJ028902 髙"), "{out}");
    assert!(
        out.contains("「﨑」(U+FA11) に該当する MJ 文字図形: 2 件"),
        "﨑 is not folded to 崎: {out}"
    );
    // One query not found: the others are still printed, and the status says so.
    let (code, out, err) = run(&["mj", "髙", "MJ999999"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("MJ028902 髙"), "{out}");
    assert!(err.contains("MJ999999"), "{err}");
}

#[test]
fn ikou_mj_quiet_and_json() {
    let (code, out, _) = run(&["mj", "-q", "j+aeac"]);
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, out, _) = run(&["mj", "--quiet", "MJ999999"]);
    assert_eq!((code, out.as_str()), (1, ""));
    let (code, out, err) = run(&["mj", "--json", "Ｊ＋ＡＥＡＣ", "﨑"]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j[0]["query"], "Ｊ＋ＡＥＡＣ");
    let g = &j[0]["glyphs"][0];
    assert_eq!(
        (&g["mj"], &g["juki"], &g["koseki"]),
        (&"MJ032129".into(), &"J+AEAC".into(), &"038140".into())
    );
    assert_eq!(g["keep"]["text"], "𠮷");
    assert_eq!(j[1]["glyphs"].as_array().unwrap().len(), 2);
    let (code, _, _) = run(&["mj", "-q", "--json", "葛"]);
    assert_eq!(code, 2, "-q and --json conflict");
}

#[test]
fn mappings_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.tsv");
    std::fs::write(&good, "U+E000\tJ+AEAC\n").unwrap();
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "U+E000\tMJ1\n").unwrap();
    let (code, out, _) = run(&["mappings", "check", "-q", s(&good)]);
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, out, _) = run(&["mappings", "check", "--quiet", s(&bad)]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 1, "the finding, no summary: {out}");
    let (code, out, _) = run(&["mappings", "diff", "-q", s(&good), s(&bad)]);
    assert_eq!((code, out.as_str()), (2, ""), "bad.tsv has an error");
    let other = dir.path().join("other.tsv");
    std::fs::write(&other, "U+E000\tMJ000001\n").unwrap();
    let (code, out, _) = run(&["mappings", "diff", "-q", s(&good), s(&other)]);
    assert_eq!((code, out.as_str()), (1, ""));
    let (code, out, _) = run(&["mappings", "diff", "--quiet", s(&good), s(&good)]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn output_to_a_closed_pipe_is_not_a_crash_and_keeps_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "U+E000\tMJ1\n").unwrap();
    let good = dir.path().join("good.tsv");
    std::fs::write(&good, "U+E000\tJ+AEAC\n").unwrap();
    let other = dir.path().join("other.tsv");
    std::fs::write(&other, "U+E000\tMJ000001\n").unwrap();
    let cases: [(&[&str], i32); 7] = [
        (&["mj", "葛"], 0),
        (&["mj", "葛", "MJ999999"], 1),
        (&["completions", "bash"], 0),
        (&["manpage"], 0),
        (&["mappings", "check", s(&bad)], 1),
        (&["mappings", "check", "--json", s(&bad)], 1),
        (&["mappings", "diff", s(&good), s(&other)], 1),
    ];
    for (args, want) in cases {
        let mut child = ikou()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(o.status.code(), Some(want), "{args:?}: {err}");
    }
}
