//! `profile --worklist FILE`: never over a table the run reads; an existing work
//! list is added to, line for line, unless --force replaces it.

mod common;

use common::{ikou, root, s};
use std::fs;
use std::path::Path;

const LAYOUT: &str = common::SAMPLE_LAYOUT;
const INPUT: &str = "testdata/juki_kojin.csv";

fn profile(extra: &[&str]) -> (i32, String) {
    let mut a = vec!["profile", "--layout", LAYOUT];
    a.extend_from_slice(extra);
    a.push(INPUT);
    let o = ikou()
        .current_dir(root())
        .args(&a)
        .output()
        .expect("ikou runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A filled table: the sample's four mappings (U+E000, 0xF041, 0xF043, U+E004).
fn filled_table(dir: &Path) -> std::path::PathBuf {
    let t = dir.join("table.tsv");
    fs::copy(root().join("testdata/gaiji/sample.tsv"), &t).unwrap();
    t
}

#[test]
fn a_work_list_is_never_written_over_a_table_the_run_reads() {
    let dir = tempfile::tempdir().unwrap();
    let t = filled_table(dir.path());
    let before = fs::read(&t).unwrap();
    let other = dir.path().join("sub");
    fs::create_dir(&other).unwrap();
    let linked = dir.path().join("hard.tsv");
    fs::hard_link(&t, &linked).unwrap();
    let symlinked = dir.path().join("sym.tsv");
    std::os::unix::fs::symlink(&t, &symlinked).unwrap();
    // The same file, spelled as given, another way, through a hard link and a
    // symbolic link; with and without --force.
    let spellings = [
        t.clone(),
        other.join("..").join("table.tsv"),
        linked.clone(),
        symlinked.clone(),
    ];
    for w in &spellings {
        for force in [false, true] {
            let mut a = vec!["--gaiji", s(&t), "--worklist", s(w)];
            if force {
                a.push("--force");
            }
            let (code, err) = profile(&a);
            assert_eq!(code, 2, "{w:?} force={force}: {err}");
            assert!(err.contains("--gaiji"), "{err}");
            assert_eq!(fs::read(&t).unwrap(), before, "{w:?}: the table changed");
        }
    }
}

#[test]
fn an_existing_work_list_keeps_its_lines_and_gets_the_new_codes() {
    let dir = tempfile::tempdir().unwrap();
    // Four lines filled in by hand (two sources written as bytes), one comment.
    let w = filled_table(dir.path());
    let before = fs::read_to_string(&w).unwrap();
    let (code, err) = profile(&["--worklist", s(&w)]);
    assert_eq!(code, 3, "{err}");
    let after = fs::read_to_string(&w).unwrap();
    assert!(
        after.starts_with(&before),
        "every line is kept as it was:\n{after}"
    );
    let added: Vec<&str> = after[before.len()..].lines().collect();
    // Of the five unmapped 外字 only U+E002 is not listed yet.
    assert_eq!(added.len(), 1, "{after}");
    assert!(added[0].starts_with("U+E002\t\t"), "{after}");
    assert!(
        err.contains(&format!(
            "kept its {} lines and added 1",
            before.lines().count()
        )),
        "{err}"
    );
    // Run again: nothing more to add, the file is the same.
    let (_, err) = profile(&["--worklist", s(&w)]);
    assert!(err.contains("added 0"), "{err}");
    assert_eq!(fs::read_to_string(&w).unwrap(), after);
}

#[test]
fn force_replaces_an_existing_work_list() {
    let dir = tempfile::tempdir().unwrap();
    let w = filled_table(dir.path());
    let (code, err) = profile(&["--worklist", s(&w), "--force"]);
    assert_eq!(code, 3, "{err}");
    let after = fs::read_to_string(&w).unwrap();
    let sources: Vec<&str> = after
        .lines()
        .filter(|l| l.starts_with("U+"))
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(sources, ["U+E000", "U+E001", "U+E002", "U+E003", "U+E004"]);
    assert!(!after.contains("J+AEAC"), "the old lines are gone");
}

#[test]
fn a_new_work_list_is_written_whole_and_a_symlink_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("new.tsv");
    let (code, err) = profile(&["--worklist", s(&w)]);
    assert_eq!(code, 3, "{err}");
    let text = fs::read_to_string(&w).unwrap();
    assert!(text.starts_with("# 外字作業リスト") && text.contains("U+E002\t\t"));
    // A link ikou did not make is not written through, even to a file no table is.
    let target = dir.path().join("elsewhere.tsv");
    fs::write(&target, "keep me\n").unwrap();
    let link = dir.path().join("link.tsv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let (code, err) = profile(&["--worklist", s(&link)]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me\n");
}
