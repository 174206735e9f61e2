//! 行政事務標準文字 (MJ+) through the binary: `--charset-ext` tables, `GJ######`
//! targets under `--ivs keep|never`, `--charset` checking every written character
//! (manifest `nonstandard`, report 標準外の文字, `profile`), `ikou mj GJ…`, and the
//! `outside-charset` warning of `mappings check`.

mod common;

use common::{ikou, read_manifest, run, s};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

const LAYOUT: &str = r#"name = "mjplus-test"
format = "csv"
header = false

[[fields]]
name = "番号"
type = "digits"
key = true

[[fields]]
name = "氏名"
type = "text"

[[fields]]
name = "住所"
type = "text"

[[fields]]
name = "備考"
type = "text"
sensitive = true
"#;

const EXT: &str = "# MJ+ extension (synthetic)\nid\tcode points\tnote\nGJ000001\tU+100000\tjis なし\nGJ000123\tU+10002A U+E0100\tつちよし\tjis=U+5409\n";

const TABLE: &str = "source\ttarget\nU+E000\tGJ000123\nU+E001\tGJ000001\n";

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(input: &str) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("layout.toml"), LAYOUT).unwrap();
        fs::write(dir.path().join("ext.tsv"), EXT).unwrap();
        fs::write(dir.path().join("table.tsv"), TABLE).unwrap();
        fs::write(dir.path().join("in.csv"), input).unwrap();
        Fixture { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        fs::write(&p, text).unwrap();
        p
    }

    fn out(&self) -> PathBuf {
        self.path("out")
    }

    /// `ikou convert` of in.csv (UTF-8) into out/ with `extra`.
    fn convert(&self, extra: &[&str]) -> (i32, String) {
        let layout = self.path("layout.toml");
        let out = self.out();
        let input = self.path("in.csv");
        let mut args = vec![
            "convert",
            "--layout",
            s(&layout),
            "--encoding",
            "utf-8",
            "--out",
            s(&out),
        ];
        args.extend_from_slice(extra);
        args.push(s(&input));
        let (code, _, err) = run(&args);
        (code, err)
    }

    fn output(&self) -> String {
        fs::read_to_string(self.out().join("in.csv")).unwrap()
    }

    fn rejects(&self) -> String {
        fs::read_to_string(self.out().join("in.rejects.csv")).unwrap()
    }

    fn report(&self) -> String {
        fs::read_to_string(self.out().join("report.html")).unwrap()
    }

    fn with_ext(&self, extra: &[&str]) -> (i32, String) {
        let (t, e) = (self.path("table.tsv"), self.path("ext.tsv"));
        let mut args = vec!["--gaiji", s(&t), "--charset-ext", s(&e)];
        args.extend_from_slice(extra);
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.convert(&refs)
    }
}

fn sha256(p: &Path) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(fs::read(p).unwrap());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_gj_target_under_ivs_keep_writes_the_extension_code_points() {
    let f = Fixture::new("1,山\u{E000}太郎,東京,x\r\n2,\u{E001}子,大阪,y\r\n");
    let (code, err) = f.with_ext(&["--ivs", "keep"]);
    assert_eq!(code, 0, "{err}");
    let out = f.output();
    assert!(out.contains("山\u{10002A}\u{E0100}太郎"), "{out}");
    assert!(out.contains("\u{100000}子"), "{out}");
    let m = read_manifest(&f.out());
    let gaiji = m["gaiji"].as_array().unwrap();
    let g = gaiji.iter().find(|g| g["source"] == "U+E000").unwrap();
    assert_eq!(g["gj"], "GJ000123");
    assert_eq!(g["target"], "GJ000123");
    assert_eq!(g["output"], "U+10002A U+E0100");
    assert_eq!(g["count"], 1);
    assert!(g["mj"].is_null());
    let ext = m["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "charset-ext")
        .expect("the extension table is in the manifest");
    assert_eq!(ext["sha256"], sha256(&f.path("ext.tsv")).as_str());
    assert_eq!(m["options"]["extra"]["charset"], "mj+");
    assert!(m.get("nonstandard").is_none(), "the extension is standard");
    // The report's 外字 table shows the GJ id and the code points.
    let report = f.report();
    assert!(report.contains("GJ000123"), "GJ id in the report");
    assert!(report.contains("U+10002A U+E0100"));
}

#[test]
fn a_gj_target_under_ivs_never_writes_its_jis_form_or_follows_unmapped() {
    let f = Fixture::new("1,山\u{E000}太郎,東京,x\r\n2,\u{E001}子,大阪,y\r\n");
    let (code, err) = f.with_ext(&["--ivs", "never"]);
    assert_eq!(code, 3, "{err}");
    let out = f.output();
    assert!(out.contains("山吉太郎"), "jis=U+5409: {out}");
    assert!(!out.contains('\u{100000}'));
    let rejects = f.rejects();
    assert!(
        rejects.contains("GJ000001") && rejects.contains("JIS X 0213"),
        "{rejects}"
    );
    let m = read_manifest(&f.out());
    let u = &m["unmapped"][0];
    assert_eq!(u["source"], "U+E001");
    assert!(u["reason"].as_str().unwrap().contains("GJ000001"), "{u}");
    // --unmapped geta writes 〓 for it instead.
    let (code, err) = f.with_ext(&["--ivs", "never", "--unmapped", "geta"]);
    assert_eq!(code, 3, "{err}");
    assert!(f.output().contains("\u{3013}子"), "{}", f.output());
}

#[test]
fn unknown_gj_ids_and_a_missing_extension_are_refused_with_file_and_line() {
    let f = Fixture::new("1,a,b,c\r\n");
    let t = f.write("bad.tsv", "U+E000\tGJ000123\n# x\nU+E001\tGJ000999\n");
    let e = f.path("ext.tsv");
    let (code, err) = f.convert(&["--gaiji", s(&t), "--charset-ext", s(&e)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad.tsv:3") && err.contains("GJ000999"),
        "{err}"
    );
    assert!(!f.out().join("manifest.json").exists());
    let (code, err) = f.convert(&["--gaiji", s(&t)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad.tsv:1") && err.contains("--charset-ext"),
        "{err}"
    );
}

#[test]
fn extension_errors_name_file_and_line() {
    let f = Fixture::new("1,a,b,c\r\n");
    let e = f.write(
        "bad-ext.tsv",
        "GJ000001\tU+100000\nGJ000002\tU+E000\nGJ000001\tU+100001\n",
    );
    let (code, err) = f.convert(&["--charset-ext", s(&e)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad-ext.tsv:2:") && err.contains("plane 15/16"),
        "{err}"
    );
    assert!(
        err.contains("bad-ext.tsv:3:") && err.contains("listed twice"),
        "{err}"
    );
}

#[test]
fn the_extension_can_come_from_standard_input() {
    let f = Fixture::new("1,山\u{E000}太郎,東京,x\r\n");
    let (layout, out, input, t) = (
        f.path("layout.toml"),
        f.out(),
        f.path("in.csv"),
        f.path("table.tsv"),
    );
    let mut child = ikou()
        .args([
            "convert",
            "--layout",
            s(&layout),
            "--encoding",
            "utf-8",
            "--out",
            s(&out),
            "--gaiji",
            s(&t),
            "--charset-ext",
            "-",
            s(&input),
        ])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(EXT.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let m = read_manifest(&out);
    let ext = m["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "charset-ext")
        .unwrap();
    assert_eq!(ext["path"], "-");
    // Standard input twice is refused.
    let (code, _, err) = run(&[
        "convert",
        "--layout",
        "-",
        "--out",
        s(&out),
        "--charset-ext",
        "-",
        s(&input),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("more than once"), "{err}");
}

const NONSTANDARD: &str = "1,山田\u{1F600},東京,x\r\n2,葛\u{E01EF}西,大阪,y\r\n3,\u{20BB7}野,京都,z\r\n4,佐藤,名古屋,\u{1F600}\r\n";

#[test]
fn characters_outside_the_charset_are_counted_and_follow_unmapped() {
    let f = Fixture::new(NONSTANDARD);
    let (code, err) = f.convert(&[]);
    assert_eq!(code, 3, "{err}");
    let out = f.output();
    // 𠮷 is an MJ glyph: standard under mj+.
    assert!(out.contains("\u{20BB7}野"), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    let rejects = f.rejects();
    assert!(rejects.contains("nonstandard-char"), "{rejects}");
    assert!(rejects.contains("U+1F600"), "{rejects}");
    assert!(
        !rejects.contains("備考: 「"),
        "a sensitive item's character is not shown: {rejects}"
    );
    let m = read_manifest(&f.out());
    let ns = m["nonstandard"].as_array().unwrap();
    let find = |item: &str, chars: Option<&str>| {
        ns.iter()
            .find(|e| e["item"] == item && e["chars"].as_str() == chars)
            .unwrap_or_else(|| panic!("{item} {chars:?} in {ns:?}"))
    };
    let e = find("氏名", Some("U+1F600"));
    assert_eq!(e["count"], 1);
    assert_eq!(e["first_record"]["record"], 1);
    assert_eq!(e["action"], "reject");
    let ivs = find("氏名", Some("U+845B U+E01EF"));
    assert_eq!(ivs["text"], "葛\u{E01EF}", "a base + selector is one unit");
    assert_eq!(ivs["first_record"]["record"], 2);
    let hidden = find("備考", None);
    assert_eq!(hidden["count"], 1);
    assert!(hidden["first_record"].is_null() && hidden["text"].is_null());
    assert_eq!(ns.len(), 3, "{ns:?}");
    let report = f.report();
    assert!(report.contains("標準外の文字"), "report section");
    assert!(report.contains("id=\"nonstandard-table\""));
    assert!(report.contains("U+845B U+E01EF"));
    assert!(report.contains("sensitive の項目のため表示しません"));
}

#[test]
fn geta_writes_the_geta_mark_and_any_checks_nothing() {
    let f = Fixture::new(NONSTANDARD);
    let (code, err) = f.convert(&["--unmapped", "geta"]);
    assert_eq!(code, 3, "{err}");
    let out = f.output();
    assert!(out.contains("山田\u{3013}"), "{out}");
    assert!(out.contains("\u{3013}西"), "the whole IVS is one 〓: {out}");
    assert_eq!(out.lines().count(), 4);
    let m = read_manifest(&f.out());
    assert!(
        m["nonstandard"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] == "geta")
    );
    let (code, err) = f.convert(&["--charset", "any"]);
    assert_eq!(code, 0, "{err}");
    assert!(f.output().contains("山田\u{1F600}"));
    let m = read_manifest(&f.out());
    assert!(m.get("nonstandard").is_none());
    assert_eq!(m["options"]["extra"]["charset"], "any");
    assert!(!f.report().contains("id=\"nonstandard\""));
}

#[test]
fn jis2004_leaves_out_mj_glyphs_and_ivs() {
    let f = Fixture::new("1,\u{20BB7}野,東京,x\r\n2,山田,葛\u{E0102}城,y\r\n3,山田,東京,y\r\n");
    let (code, err) = f.convert(&["--charset", "jis2004"]);
    assert_eq!(code, 3, "{err}");
    let m = read_manifest(&f.out());
    let chars: Vec<&str> = m["nonstandard"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["chars"].as_str())
        .collect();
    assert_eq!(chars, ["U+20BB7", "U+845B U+E0102"]);
    let (code, err) = f.convert(&[]);
    assert_eq!(code, 0, "both are MJ glyph forms: {err}");
}

#[test]
fn profile_lists_the_characters_outside_the_charset() {
    let f = Fixture::new(NONSTANDARD);
    let (layout, input) = (f.path("layout.toml"), f.path("in.csv"));
    let (code, out, err) = run(&[
        "profile",
        "--layout",
        s(&layout),
        "--encoding",
        "utf-8",
        "--json",
        s(&input),
    ]);
    assert_eq!(code, 3, "{err}");
    let p: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(p["charset"], "mj+");
    let ns = p["nonstandard"].as_array().unwrap();
    let codes: Vec<(&str, &str)> = ns
        .iter()
        .map(|e| (e["item"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [("氏名", "U+845B U+E01EF"), ("氏名", "U+1F600")]);
    assert_eq!(ns[1]["first_record"], 1);
    assert!(
        p["defects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["reason"] == "nonstandard-char" && d["item"] == "備考"),
        "a sensitive item is counted as a defect only"
    );
    let (_, text, _) = run(&[
        "profile",
        "--layout",
        s(&layout),
        "--encoding",
        "utf-8",
        s(&input),
    ]);
    assert!(
        text.contains("Nonstandard characters (outside --charset mj+") && text.contains("U+1F600"),
        "{text}"
    );
    // With the extension, its characters are standard in profile too.
    let g = Fixture::new("1,\u{100000},東京,x\r\n");
    let (layout, input, ext) = (g.path("layout.toml"), g.path("in.csv"), g.path("ext.tsv"));
    let (code, out, err) = run(&[
        "profile",
        "--layout",
        s(&layout),
        "--encoding",
        "utf-8",
        "--charset-ext",
        s(&ext),
        "--json",
        s(&input),
    ]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn ikou_mj_shows_an_extension_entry() {
    let f = Fixture::new("");
    let ext = f.path("ext.tsv");
    let (code, out, err) = run(&["mj", "GJ000123", "--charset-ext", s(&ext)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("GJ000123"), "{out}");
    assert!(out.contains("U+10002A U+E0100"), "{out}");
    assert!(out.contains("U+5409"), "{out}");
    assert!(out.contains("つちよし"), "{out}");
    let (code, out, _) = run(&["mj", "--json", "gj000001", "--charset-ext", s(&ext)]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["gj"], "GJ000001");
    assert!(v[0]["jis"].is_null());
    let (code, _, err) = run(&["mj", "GJ000999", "--charset-ext", s(&ext)]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("GJ000999"), "{err}");
    let (code, _, err) = run(&["mj", "GJ000123"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--charset-ext"), "{err}");
}

#[test]
fn mappings_check_warns_about_code_point_targets_outside_the_charset() {
    let f = Fixture::new("");
    let t = f.write(
        "t.tsv",
        "U+E000\tU+1F600\nU+E001\tU+20BB7\nU+E002\tU+2460\nU+E003\tGJ000123\n",
    );
    let ext = f.path("ext.tsv");
    let (code, out, err) = run(&[
        "mappings",
        "check",
        "--encoding",
        "utf-8",
        "--charset-ext",
        s(&ext),
        s(&t),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("t.tsv:1:") && out.contains("--charset mj+"),
        "{out}"
    );
    assert!(!out.contains("t.tsv:2:"), "𠮷 is an MJ glyph form: {out}");
    assert!(!out.contains("t.tsv:3:"), "① is JIS X 0213: {out}");
    assert!(
        !out.contains("t.tsv:4:"),
        "GJ000123 is in the extension: {out}"
    );
    let (code, _, _) = run(&[
        "mappings",
        "check",
        "--encoding",
        "utf-8",
        "--strict",
        "--charset-ext",
        s(&ext),
        s(&t),
    ]);
    assert_eq!(code, 1);
    let (code, out, _) = run(&[
        "mappings",
        "check",
        "--encoding",
        "utf-8",
        "--json",
        "--charset-ext",
        s(&ext),
        s(&t),
    ]);
    assert_eq!(code, 0);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<(u64, &str)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["line"].as_u64().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [(1, "outside-charset")]);
    // Without the extension the GJ target is an error; with --charset any, no warning.
    let (code, out, _) = run(&[
        "mappings",
        "check",
        "--encoding",
        "utf-8",
        "--charset",
        "any",
        s(&t),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("t.tsv:4:") && !out.contains("t.tsv:1:"),
        "{out}"
    );
}

#[test]
fn extension_characters_in_the_input_are_standard_not_unmapped() {
    let f = Fixture::new("1,\u{100000}子,東京,x\r\n");
    let e = f.path("ext.tsv");
    let (code, err) = f.convert(&["--charset-ext", s(&e)]);
    assert_eq!(code, 0, "{err}");
    assert!(f.output().contains("\u{100000}子"));
    let (code, _) = f.convert(&[]);
    assert_eq!(code, 3, "without the extension it is an unmapped 外字");
}
