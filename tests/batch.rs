//! `ikou batch`: run, skip what is current, re-run what a table change touched,
//! exit status per job, status, roll-up and the sbatch script.

mod common;

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A copy of testdata (without outputs of earlier runs) in a temporary
/// directory; returns it and its JOBS file.
pub fn sandbox() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(
        &common::root().join("testdata"),
        &tmp.path().join("testdata"),
    );
    let jobs = tmp.path().join("testdata/batch/JOBS.toml");
    (tmp, jobs)
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let ft = e.file_type().unwrap();
        let dest = to.join(e.file_name());
        if ft.is_dir() {
            if e.path().ends_with("batch/out") {
                continue;
            }
            copy_tree(&e.path(), &dest);
        } else if ft.is_file() {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn batch(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = common::ikou();
    c.arg("batch").args(args);
    c.env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The ids on stderr lines saying `word` (converted, skipped, failed).
fn ids(stderr: &str, word: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("ikou batch: job ")?;
            let mut parts = rest.splitn(3, ' ');
            let _index = parts.next()?;
            let id = parts.next()?.trim_end_matches(':');
            parts.next()?.starts_with(word).then(|| id.to_string())
        })
        .collect()
}

const ALL: [&str; 6] = [
    "mihon-juki",
    "mihon-juki-fixed",
    "mihon-kojin",
    "shiken-juki",
    "shiken-kojin",
    "shiken-kojin-euc",
];

fn out_dir(jobs: &Path, id: &str) -> PathBuf {
    jobs.parent().unwrap().join("out").join(id)
}

#[test]
fn runs_all_skips_current_and_reruns_exactly_the_jobs_of_a_changed_table() {
    let (_tmp, jobs) = sandbox();
    let j = common::s(&jobs);
    let (code, _, err) = batch(&["run", j, "--jobs", "2"], &[]);
    // Every sample has rejects: each job 3, and so the whole run.
    assert_eq!(code, 3, "{err}");
    assert_eq!(ids(&err, "converted"), ALL, "{err}");
    for id in ALL {
        let m = common::read_manifest(&out_dir(&jobs, id));
        assert!(m["counts"]["read"].as_u64().unwrap() > 0, "{id}");
    }
    let before = fs::read(out_dir(&jobs, "mihon-juki").join("manifest.json")).unwrap();

    let (code, _, err) = batch(&["run", j], &[]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(ids(&err, "skipped"), ALL, "{err}");
    assert!(ids(&err, "converted").is_empty(), "{err}");

    // vendor-a.tsv is used by mihon-kojin and shiken-kojin only.
    let table = jobs.parent().unwrap().join("../corpus/gaiji/vendor-a.tsv");
    let mut text = fs::read_to_string(&table).unwrap();
    text.push_str("U+E002\tJ+AEAC\ttable changed by the test\n");
    fs::write(&table, text).unwrap();

    let (code, out, _) = batch(&["status", j, "--json"], &[]);
    assert_eq!(code, 1);
    let st: Value = serde_json::from_str(&out).unwrap();
    let stale: Vec<&str> = st["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["state"] == "stale")
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(stale, ["mihon-kojin", "shiken-kojin"], "{out}");
    assert!(out.contains("外字 table changed"), "{out}");
    assert_eq!(st["summary"]["done"], 4);

    let (code, _, err) = batch(&["run", j], &[]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(
        ids(&err, "converted"),
        ["mihon-kojin", "shiken-kojin"],
        "{err}"
    );
    assert_eq!(ids(&err, "skipped").len(), 4, "{err}");
    // The skipped jobs' outputs were not touched.
    let after = fs::read(out_dir(&jobs, "mihon-juki").join("manifest.json")).unwrap();
    assert_eq!(before, after);
    let (code, _, _) = batch(&["status", j], &[]);
    assert_eq!(code, 0);

    // --force redoes a current job.
    let (code, _, err) = batch(&["run", j, "--index", "0", "--force"], &[]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(ids(&err, "converted"), ["mihon-juki"], "{err}");
}

#[test]
fn changed_input_option_layout_or_output_makes_a_job_stale() {
    let (_tmp, jobs) = sandbox();
    let j = common::s(&jobs);
    let (code, _, err) = batch(&["run", j], &[]);
    assert_eq!(code, 3, "{err}");
    let dir = jobs.parent().unwrap();
    // An output removed by hand.
    fs::remove_file(out_dir(&jobs, "shiken-kojin-euc").join("kojin_euc.csv")).unwrap();
    // An input changed (used by mihon-juki-fixed only).
    let input = dir.join("../juki_kojin_fixed.dat");
    let mut b = fs::read(&input).unwrap();
    b.extend_from_slice(&b.clone()[..b.len() / 6]);
    fs::write(&input, b).unwrap();
    // An option changed in the JOBS file (shiken-juki).
    let text = fs::read_to_string(&jobs).unwrap().replace(
        "id = \"shiken-juki\"\n",
        "id = \"shiken-juki\"\nivs = \"never\"\n",
    );
    fs::write(&jobs, text).unwrap();
    let (_, out, _) = batch(&["status", j], &[]);
    for (id, why) in [
        (
            "shiken-kojin-euc",
            "output missing or changed since it was written: kojin_euc.csv",
        ),
        ("mihon-juki-fixed", "input changed"),
        ("shiken-juki", "option ivs: keep then, never now"),
    ] {
        // The job's line, then its reasons (indented).
        let block: String = out
            .lines()
            .skip_while(|l| !l.contains(&format!(" {id} ")))
            .skip(1)
            .take_while(|l| l.starts_with("        "))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(block.contains(why), "{id}: {why}: {block}");
    }
    let (_, _, err) = batch(&["run", j], &[]);
    let mut rerun = ids(&err, "converted");
    rerun.sort();
    assert_eq!(
        rerun,
        ["mihon-juki-fixed", "shiken-juki", "shiken-kojin-euc"],
        "{err}"
    );
}

#[test]
fn index_comes_from_the_flag_slurm_or_kubernetes() {
    let (_tmp, jobs) = sandbox();
    let j = common::s(&jobs);
    let (code, _, err) = batch(&["run", j, "--index", "1"], &[]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(ids(&err, "converted"), ["mihon-juki-fixed"]);
    let (_, _, err) = batch(&["run", j], &[("SLURM_ARRAY_TASK_ID", "3")]);
    assert_eq!(ids(&err, "converted"), ["shiken-juki"], "{err}");
    let (_, _, err) = batch(&["run", j], &[("JOB_COMPLETION_INDEX", "5")]);
    assert_eq!(ids(&err, "converted"), ["shiken-kojin-euc"], "{err}");
    // The flag wins over the environment.
    let (_, _, err) = batch(&["run", j, "--index", "4"], &[("SLURM_ARRAY_TASK_ID", "0")]);
    assert_eq!(ids(&err, "converted"), ["shiken-kojin"], "{err}");
    let (code, _, err) = batch(&["run", j, "--index", "6"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("lists 6 jobs (0 to 5)"), "{err}");
    let (code, _, err) = batch(&["run", j], &[("SLURM_ARRAY_TASK_ID", "x1")]);
    assert_eq!(code, 2);
    assert!(err.contains("SLURM_ARRAY_TASK_ID"), "{err}");
    let (_, out, _) = batch(&["status", j, "--json"], &[]);
    let st: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(st["summary"]["done"], 4);
    assert_eq!(st["summary"]["not-run"], 2);
}

/// A JOBS file in `dir` over the bundled CSV sample with extra jobs.
fn jobs_file(dir: &Path, jobs: &str) -> PathBuf {
    let sample = common::testdata("juki_kojin.csv");
    let layout = common::testdata("layouts/juki-kojin.toml");
    let text = format!(
        "[defaults]\nlayout = {layout:?}\nout_root = \"out\"\n\n[[jobs]]\nid = \"ok\"\nmunicipality = \"見本市\"\narea = \"住基\"\ninputs = [{sample:?}]\n{jobs}"
    );
    let p = dir.join("JOBS.toml");
    fs::write(&p, text).unwrap();
    p
}

#[test]
fn exit_status_per_job_and_overall_worst() {
    let tmp = tempfile::tempdir().unwrap();
    // io: its out directory is a file, so it cannot be created (exit 1).
    fs::write(tmp.path().join("blocked"), "x").unwrap();
    let j = jobs_file(
        tmp.path(),
        r#"
[[jobs]]
id = "missing-input"
municipality = "見本市"
area = "住基"
inputs = ["nowhere/juki.csv"]

[[jobs]]
id = "no-match"
municipality = "見本市"
area = "住基"
inputs = ["nowhere/*.csv"]

[[jobs]]
id = "io"
municipality = "試験町"
area = "住基"
out = "blocked/io"
inputs = ["JOBS.toml"]
skip_encoding_check = true
"#,
    );
    let js = common::s(&j);
    let (code, _, err) = batch(&["run", js], &[]);
    // Configuration (the glob matching nothing) is the worst.
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("job 0 ok: converted, exit 3"), "{err}");
    assert!(err.contains("job 1 missing-input: failed, exit 3"), "{err}");
    assert!(err.contains("no such file"), "{err}");
    assert!(err.contains("job 2 no-match: failed, exit 2"), "{err}");
    assert!(err.contains("matches no file"), "{err}");
    assert!(
        err.contains("job 3 io: failed, exit 1 (I/O; retryable)"),
        "{err}"
    );
    assert!(
        err.contains("4 jobs: 1 converted, 0 skipped (current), 3 failed; exit 2"),
        "{err}"
    );
    for (i, want) in [(1, 3), (2, 2), (3, 1)] {
        let (code, _, _) = batch(&["run", js, "--index", &i.to_string()], &[]);
        assert_eq!(code, want, "job {i}");
    }
    // Without the configuration error, the I/O error decides: worth retrying.
    let text = fs::read_to_string(&j)
        .unwrap()
        .replace("nowhere/*.csv", "JOBS.tom?");
    fs::write(&j, text).unwrap();
    let (code, _, err) = batch(&["run", js], &[]);
    assert_eq!(code, 1, "{err}");
    let (code, out, _) = batch(&["status", js, "--json"], &[]);
    assert_eq!(code, 1);
    let st: Value = serde_json::from_str(&out).unwrap();
    let state = |i: usize| st["jobs"][i]["state"].as_str().unwrap().to_string();
    assert_eq!(state(0), "done");
    assert_eq!(state(1), "failed");
    assert_eq!(st["jobs"][1]["exit_status"], 3);
    assert!(
        st["jobs"][1]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("no such file"),
        "{out}"
    );
    // The directory could not even be made: nothing says it was tried.
    assert_eq!(state(3), "not-run");
}

#[test]
fn jobs_file_errors_name_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let j = jobs_file(
        tmp.path(),
        "\n[[jobs]]\nid = \"x\"\nmunicipality = \"a\"\narea = \"b\"\ninput = [\"y\"]\n",
    );
    let (code, _, err) = batch(&["run", common::s(&j)], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("line 15") && err.contains("input"), "{err}");
    let j = jobs_file(
        tmp.path(),
        "\n[[jobs]]\nid = \"ok\"\nmunicipality = \"a\"\narea = \"b\"\ninputs = [\"y\"]\n",
    );
    let (code, _, err) = batch(&["status", common::s(&j)], &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 11") && err.contains("already used by the job on line 5"),
        "{err}"
    );
    let (code, _, err) = batch(&["run", common::s(&tmp.path().join("none.toml"))], &[]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn rollup_per_municipality_and_area_links_each_report() {
    let (tmp, jobs) = sandbox();
    let j = common::s(&jobs);
    let out = tmp.path().join("rollup");
    // Before any run: every job not run, no links.
    let (code, _, err) = batch(&["report", j, "--out", common::s(&out)], &[]);
    assert_eq!(code, 0, "{err}");
    let r: Value =
        serde_json::from_str(&fs::read_to_string(out.join("rollup.json")).unwrap()).unwrap();
    assert!(
        r["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["state"] == "not-run" && x["report"].is_null())
    );

    batch(&["run", j], &[]);
    let (code, _, err) = batch(&["report", j, "--out", common::s(&out)], &[]);
    assert_eq!(code, 0, "{err}");
    let r: Value =
        serde_json::from_str(&fs::read_to_string(out.join("rollup.json")).unwrap()).unwrap();
    let groups = r["groups"].as_array().unwrap();
    let names: Vec<(String, String)> = groups
        .iter()
        .map(|g| {
            (
                g["municipality"].as_str().unwrap().into(),
                g["area"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(names.len(), 6);
    assert!(names.contains(&("試験町".into(), "住基".into())));
    // Totals agree with the manifests, per group.
    let mut sum = 0;
    for id in ALL {
        let m = common::read_manifest(&out_dir(&jobs, id));
        sum += m["counts"]["rejected"].as_u64().unwrap();
    }
    let total: u64 = groups.iter().map(|g| g["rejected"].as_u64().unwrap()).sum();
    assert_eq!(sum, total);
    // 試験町 住基 runs without a 外字 table: its 外字 are unmapped.
    let g = groups
        .iter()
        .find(|g| g["municipality"] == "試験町" && g["area"] == "住基")
        .unwrap();
    assert!(!g["unmapped"].as_object().unwrap().is_empty(), "{g}");
    assert!(
        g["rejects_by_reason"]["unmapped-gaiji"].as_u64().unwrap() > 0,
        "{g}"
    );
    // Each job's report linked relatively, and the link leads to it.
    let html = fs::read_to_string(out.join("rollup.html")).unwrap();
    for x in r["jobs"].as_array().unwrap() {
        let link = x["report"].as_str().unwrap();
        assert!(link.starts_with("../testdata/batch/out/"), "{link}");
        assert!(out.join(link).is_file(), "{link}");
        assert!(html.contains(&format!("href=\"{link}\"")), "{link}");
    }
    assert!(html.contains("市区町村・業務別") && html.contains("未対応外字"));
    assert!(
        !html.contains("<script src") && !html.contains("http://") && !html.contains("https://")
    );
}

#[test]
fn slurm_script_runs_the_array_by_absolute_paths() {
    let (_tmp, jobs) = sandbox();
    // A relative JOBS path still gives an absolute one in the script.
    let (code, out, err) = common::ikou()
        .current_dir(jobs.parent().unwrap())
        .args([
            "batch",
            "slurm",
            "JOBS.toml",
            "--max-parallel",
            "2",
            "--partition",
            "ikou",
        ])
        .output()
        .map(|o| {
            (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("#!/bin/sh\n"));
    assert!(out.contains("#SBATCH --array=0-5%2\n"), "{out}");
    assert!(out.contains("#SBATCH --partition=ikou\n"), "{out}");
    let bin = fs::canonicalize(env!("CARGO_BIN_EXE_ikou")).unwrap();
    let want = format!(
        "exec '{}' batch run '{}' --index \"$SLURM_ARRAY_TASK_ID\"\n",
        bin.display(),
        fs::canonicalize(&jobs).unwrap().display()
    );
    assert!(out.contains(&want), "{out}\nwant {want}");
    let (code, _, err) = batch(&["slurm", common::s(&jobs), "--partition", "a;b"], &[]);
    assert_eq!(code, 2, "{err}");
    // sh reads the script (syntax only).
    let script = jobs.parent().unwrap().join("ikou.sbatch");
    fs::write(&script, &out).unwrap();
    let st = Command::new("sh").arg("-n").arg(&script).status().unwrap();
    assert!(st.success());
}

#[test]
fn a_directory_of_someone_elses_files_gets_nothing_from_ikou() {
    let tmp = tempfile::tempdir().unwrap();
    let theirs = tmp.path().join("theirs");
    fs::create_dir(&theirs).unwrap();
    fs::write(theirs.join("notes.txt"), "not ikou's").unwrap();
    let j = jobs_file(
        tmp.path(),
        "\n[[jobs]]\nid = \"foreign\"\nmunicipality = \"a\"\narea = \"b\"\nout = \"theirs\"\ninputs = [\"JOBS.toml\"]\nskip_encoding_check = true\n",
    );
    let (code, _, err) = batch(&["run", common::s(&j), "--index", "1"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("files ikou did not write"), "{err}");
    let names: Vec<_> = fs::read_dir(&theirs)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"]);
}
