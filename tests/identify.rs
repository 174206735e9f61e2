//! `ikou identify`: vendor 外字 glyphs (TrueType at PUA code points, BDF, PNG
//! directory) ranked against IPAmj明朝; work list, review page, JSON; bad input.
//!
//! The vendor glyphs are IPAmj明朝 glyphs themselves (packed into
//! testdata/identify/vendor_pua.ttf by benches/identify/make_vendor_fixture.py, or
//! drawn here into a BDF and PNG files), so each right answer is known. Tests that
//! rank need IPAmj明朝 installed (fonts-ipamj-mincho) and say so when it is not.

mod common;

use common::{ikou, root, s};
use ikou::identify::glyph::{Bitmap, OutlineFont};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const REFERENCE: &str = "/usr/share/fonts/truetype/ipamj/ipamjm.ttf";
const VENDOR_TTF: &str = "testdata/identify/vendor_pua.ttf";
/// The glyphs of vendor_pua.ttf: U+E000… → these MJ glyphs.
const PACKED: [&str; 6] = [
    "MJ028902", "MJ032129", "MJ025760", "MJ022336", "MJ008064", "MJ026190",
];

/// The index cache every test shares, built once (the first build takes a while).
/// None when IPAmj明朝 is not installed.
fn cache() -> Option<&'static Path> {
    static CACHE: OnceLock<Option<PathBuf>> = OnceLock::new();
    CACHE
        .get_or_init(|| {
            if !Path::new(REFERENCE).is_file() {
                eprintln!("IPAmj明朝 is not installed ({REFERENCE}): ranking tests skipped");
                return None;
            }
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("identify-cache");
            let o = ikou()
                .env("XDG_CACHE_HOME", &dir)
                .args([
                    "identify",
                    "--font",
                    VENDOR_TTF,
                    "--codes",
                    "U+E000",
                    "--reference",
                    REFERENCE,
                ])
                .current_dir(root())
                .output()
                .expect("ikou runs");
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            Some(dir)
        })
        .as_deref()
}

/// `ikou identify --reference IPAmj args…` with the shared cache: (code, stdout, stderr).
fn identify(cache: &Path, args: &[&str]) -> (i32, String, String) {
    let o = ikou()
        .env("XDG_CACHE_HOME", cache)
        .current_dir(root())
        .arg("identify")
        .args(["--reference", REFERENCE])
        .args(args)
        .output()
        .expect("ikou runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The best candidate of each code in `--json` output.
fn best_of(json: &str) -> Vec<(String, String, f64)> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON");
    v["glyphs"]
        .as_array()
        .expect("glyphs")
        .iter()
        .map(|g| {
            let c = &g["candidates"][0];
            (
                g["code"].as_str().unwrap().to_string(),
                c["mj"].as_str().unwrap().to_string(),
                c["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// Each code in `--json` output with its candidates' names, best first.
fn candidates_of(json: &str) -> Vec<(String, Vec<String>)> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON");
    v["glyphs"]
        .as_array()
        .expect("glyphs")
        .iter()
        .map(|g| {
            let names = g["candidates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["mj"].as_str().unwrap().to_string())
                .collect();
            (g["code"].as_str().unwrap().to_string(), names)
        })
        .collect()
}

/// Each code of `got` is `want`'s, with its MJ glyph among the first five (how
/// well a 32-pixel bitmap matches is the matcher's benchmark, not this test's).
fn assert_found(got: &[(String, Vec<String>)], want: &[(&str, &str)]) {
    assert_eq!(got.len(), want.len(), "{got:?}");
    for ((code, names), (wc, wmj)) in got.iter().zip(want) {
        assert_eq!(code, wc, "{got:?}");
        assert!(
            names.iter().take(5).any(|n| n == wmj),
            "{wc}: {wmj} not in {names:?}"
        );
    }
}

/// MJ glyphs drawn from IPAmj明朝 as 32-pixel monochrome bitmaps (a mainframe
/// 外字 library's glyphs).
fn mj_bitmaps(names: &[&str]) -> Vec<Bitmap> {
    let bytes = fs::read(REFERENCE).unwrap();
    let font = OutlineFont::parse(&bytes).unwrap();
    let all = font.glyph_names();
    names
        .iter()
        .map(|n| {
            let want = n.to_ascii_lowercase();
            let id = all.iter().position(|g| *g == want).expect("glyph in IPAmj");
            let mut b = font.rasterize(id as u16, 32).expect("outline");
            for p in &mut b.pixels {
                *p = if *p >= 128 { 255 } else { 0 };
            }
            b
        })
        .collect()
}

/// A BDF font of `glyphs` at ENCODING `codes`, CHARSET_REGISTRY `registry`.
fn bdf(registry: &str, codes: &[u32], glyphs: &[Bitmap]) -> String {
    let mut out = format!(
        "STARTFONT 2.1\nFONT -ikou-test\nSIZE 32 75 75\nFONTBOUNDINGBOX 32 32 0 -4\nSTARTPROPERTIES 2\nCHARSET_REGISTRY \"{registry}\"\nCHARSET_ENCODING \"0\"\nENDPROPERTIES\nCHARS {}\n",
        glyphs.len()
    );
    for (code, g) in codes.iter().zip(glyphs) {
        out.push_str(&format!("STARTCHAR g{code:04X}\nENCODING {code}\nSWIDTH 1000 0\nDWIDTH 32 0\nBBX 32 32 0 -4\nBITMAP\n"));
        for y in 0..32 {
            let mut row = 0u32;
            for x in 0..32 {
                if g.pixels[y * 32 + x] > 0 {
                    row |= 1 << (31 - x);
                }
            }
            out.push_str(&format!("{row:08X}\n"));
        }
        out.push_str("ENDCHAR\n");
    }
    out.push_str("ENDFONT\n");
    out
}

#[test]
fn each_packed_glyph_is_ranked_first_and_json_has_the_issue_shape() {
    let Some(cache) = cache() else { return };
    let (code, out, err) = identify(cache, &["--font", VENDOR_TTF, "--json", "--top", "5"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let g0 = &v["glyphs"][0];
    assert_eq!(g0.as_object().unwrap().len(), 2, "{g0}");
    assert_eq!(g0["candidates"].as_array().unwrap().len(), 5);
    let c0 = g0["candidates"][0].as_object().unwrap();
    assert_eq!(c0.keys().collect::<Vec<_>>(), ["mj", "score"]);
    let best = best_of(&out);
    let want: Vec<(String, String)> = PACKED
        .iter()
        .enumerate()
        .map(|(i, mj)| (format!("U+{:04X}", 0xE000 + i), mj.to_string()))
        .collect();
    let got: Vec<(String, String)> = best
        .iter()
        .map(|(c, m, _)| (c.clone(), m.clone()))
        .collect();
    assert_eq!(got, want);
    assert!(best.iter().all(|b| b.2 > 95.0), "{best:?}");
    // --codes picks a range.
    let (code, out, err) = identify(
        cache,
        &["--font", VENDOR_TTF, "--json", "--codes", "U+E001-U+E002"],
    );
    assert_eq!(code, 0, "{err}");
    let codes: Vec<String> = best_of(&out).into_iter().map(|b| b.0).collect();
    assert_eq!(codes, ["U+E001", "U+E002"]);
}

#[test]
fn bdf_glyphs_keep_the_codes_their_registry_gives() {
    let Some(cache) = cache() else { return };
    let names = [PACKED[0], PACKED[2], PACKED[3]];
    let glyphs = mj_bitmaps(&names);
    let dir = tempfile::tempdir().unwrap();
    // JIS rows 85–94 are the user-defined area: 0x7521 → U+E000 as in CP932.
    let jis = dir.path().join("jis.bdf");
    fs::write(
        &jis,
        bdf("JISX0208.1983", &[0x7521, 0x7522, 0x3021], &glyphs),
    )
    .unwrap();
    let (code, out, err) = identify(cache, &["--font", s(&jis), "--json"]);
    assert_eq!(code, 0, "{err}");
    // 0x3021 is a standard character, left out.
    assert_found(
        &candidates_of(&out),
        &[("U+E000", names[0]), ("U+E001", names[1])],
    );
    assert!(err.contains("standard JIS"), "{err}");
    // A vendor's own codes stay as the 外字 table writes raw codes.
    let sjis = dir.path().join("vendor.bdf");
    fs::write(
        &sjis,
        bdf("FUJITSU-JEF", &[0xF040, 0xF041, 0xF042], &glyphs),
    )
    .unwrap();
    let (code, out, err) = identify(
        cache,
        &["--font", s(&sjis), "--json", "--codes", "0xF041-0xF042"],
    );
    assert_eq!(code, 0, "{err}");
    assert_found(
        &candidates_of(&out),
        &[("0xF041", names[1]), ("0xF042", names[2])],
    );
}

#[test]
fn png_images_named_by_code_are_glyphs() {
    let Some(cache) = cache() else { return };
    let names = [PACKED[0], PACKED[3], PACKED[5]];
    let glyphs = mj_bitmaps(&names);
    let dir = tempfile::tempdir().unwrap();
    for (file, g) in ["U+E010.png", "e011.png", "0xF040.png"].iter().zip(&glyphs) {
        fs::write(
            dir.path().join(file),
            ikou::identify::source::png::encode(g),
        )
        .unwrap();
    }
    fs::write(dir.path().join("readme.txt"), "not an image").unwrap();
    let (code, out, err) = identify(cache, &["--font", s(dir.path()), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_found(
        &candidates_of(&out),
        &[
            ("U+E010", names[0]),
            ("U+E011", names[1]),
            ("0xF040", names[2]),
        ],
    );
    assert!(err.contains("1 files not named *.png"), "{err}");
}

#[test]
fn the_work_list_proposes_candidates_fills_sure_ones_and_never_replaces_a_file() {
    let Some(cache) = cache() else { return };
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("worklist.tsv");
    let (code, _, err) = identify(cache, &["--font", VENDOR_TTF, "--worklist", s(&w)]);
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(&w).unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(rows[0], "source\ttarget\tnote");
    assert_eq!(rows.len(), 7);
    assert!(
        rows[1].starts_with(&format!("U+E000\t\t候補 {}", PACKED[0])),
        "{text}"
    );
    // Never over an existing file, whatever it is: exit 2, the file as it was.
    fs::write(&w, "mine").unwrap();
    let (code, _, err) = identify(cache, &["--font", VENDOR_TTF, "--worklist", s(&w)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("exists"), "{err}");
    assert_eq!(fs::read_to_string(&w).unwrap(), "mine");
    let link = dir.path().join("link.tsv");
    std::os::unix::fs::symlink(dir.path().join("elsewhere.tsv"), &link).unwrap();
    let (code, _, _) = identify(cache, &["--font", VENDOR_TTF, "--worklist", s(&link)]);
    assert_eq!(code, 2);
    assert!(!dir.path().join("elsewhere.tsv").exists());
    // --accept-above: every packed glyph scores ~100 with a margin of a point or
    // more: a margin of 0.5 takes those ahead by that much, and says how many.
    let w2 = dir.path().join("accepted.tsv");
    let (code, _, err) = identify(
        cache,
        &[
            "--font",
            VENDOR_TTF,
            "--worklist",
            s(&w2),
            "--accept-above",
            "95",
            "--accept-margin",
            "0",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("filled 6 of 6 targets"), "{err}");
    let text = fs::read_to_string(&w2).unwrap();
    assert!(
        text.contains(&format!("U+E000\t{}\t自動", PACKED[0])),
        "{text}"
    );
    // The filled work list is a table ikou reads.
    let o = ikou().args(["mappings", "check", s(&w2)]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let w3 = dir.path().join("none.tsv");
    let (_, _, err) = identify(
        cache,
        &[
            "--font",
            VENDOR_TTF,
            "--worklist",
            s(&w3),
            "--accept-above",
            "100",
            "--accept-margin",
            "100",
        ],
    );
    assert!(err.contains("filled 0 of 6"), "{err}");
}

#[test]
fn the_review_page_shows_vendor_glyphs_beside_their_candidates() {
    let Some(cache) = cache() else { return };
    let dir = tempfile::tempdir().unwrap();
    let h = dir.path().join("review.html");
    let (code, _, err) = identify(
        cache,
        &["--font", VENDOR_TTF, "--html", s(&h), "--top", "3"],
    );
    assert_eq!(code, 0, "{err}");
    let page = fs::read_to_string(&h).unwrap();
    assert_eq!(page.matches("data:image/png;base64,").count(), 6);
    assert_eq!(page.matches("<tr id=\"g-").count(), 6);
    // 髙 MJ028902 is drawn with what ikou writes for it, code points beside.
    assert!(page.contains("<span class=\"glyph\">髙</span>"), "{page}");
    assert!(page.contains("U+9AD9"));
    // With its 総画数 from MJ文字情報一覧表 (髙: 11) beside its codes; no reading is
    // made up (the tables ikou ships have none, and the page says so).
    assert!(page.contains("11画 J+9AD9 戸籍 513280"), "{page}");
    assert!(page.contains("読みは表示していません"), "{page}");
    assert!(page.contains("確認欄") && page.contains("@media print"));
    // Run again: the page is replaced (it is ikou's own output), not a link.
    let (code, _, err) = identify(cache, &["--font", VENDOR_TTF, "--html", s(&h)]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn bad_input_is_named_never_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("eudc.tte");
    fs::write(&garbage, b"\0\x01\0\0\0\x0cgarbage-----------------").unwrap();
    let bad_bdf = dir.path().join("bad.bdf");
    fs::write(
        &bad_bdf,
        "STARTFONT 2.1\nFONTBOUNDINGBOX 8 8 0 0\nCHARS 1\nSTARTCHAR a\nENCODING 57344\nBBX 8 2 0 0\nBITMAP\nFF\nENDCHAR\nENDFONT\n",
    )
    .unwrap();
    let pngs = dir.path().join("pngs");
    fs::create_dir(&pngs).unwrap();
    fs::write(pngs.join("U+E000.png"), b"\x89PNG\r\n\x1a\n not really").unwrap();
    let badname = dir.path().join("badname");
    fs::create_dir(&badname).unwrap();
    fs::write(badname.join("index.png"), b"").unwrap();
    let cases: [(&Path, &str); 4] = [
        (&garbage, "not a TrueType/OpenType font"),
        (
            &bad_bdf,
            "line 9: glyph \"a\": BITMAP has 1 rows, BBX says 2",
        ),
        (&pngs, "not a PNG image"),
        (&badname, "named by its code"),
    ];
    for (path, want) in cases {
        // The reference is not even looked at: the vendor's file is read first.
        let o = ikou()
            .args(["identify", "--font", s(path), "--reference", s(&garbage)])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains(s(path)) && err.contains(want),
            "{err} / wanted {want}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // A font without PUA glyphs.
    let o = ikou()
        .current_dir(root())
        .args([
            "identify",
            "--font",
            "testdata/identify/no_pua.ttf",
            "--reference",
            s(&garbage),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("no 外字 glyph") && err.contains("--codes"),
        "{err}"
    );
}

#[test]
fn flags_are_checked_before_any_work() {
    for (args, want) in [
        (vec!["--codes", "U+E0FF-U+E000"], "ends before it starts"),
        (vec!["--codes", "U+D800"], "not a code"),
        (vec!["--top", "0"], "--top"),
        (vec!["--top", "1000"], "--top"),
        (vec!["--accept-above", "90"], "--worklist"),
        (
            vec!["--worklist", "w.tsv", "--accept-above", "101"],
            "0 to 100",
        ),
    ] {
        let o = ikou()
            .args(["identify", "--font", VENDOR_TTF])
            .args(&args)
            .current_dir(root())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // A reference that is not there: named, with what to do.
    let o = ikou()
        .args([
            "identify",
            "--font",
            VENDOR_TTF,
            "--reference",
            "/nonexistent/ipamjm.ttf",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        err.contains("/nonexistent/ipamjm.ttf") && err.contains("--reference"),
        "{err}"
    );
}

#[test]
fn profile_and_the_report_show_the_vendor_glyph_beside_each_gaiji() {
    // The sample's 外字 are U+E000–U+E004 (cp932 0xF040…); vendor_pua.ttf draws them.
    let layout = common::SAMPLE_LAYOUT;
    let input = "testdata/juki_kojin.csv";
    let o = ikou()
        .current_dir(root())
        .args(["profile", "--layout", layout, "--font", VENDOR_TTF, input])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("外字 as the vendor's font draws them"),
        "{out}"
    );
    assert!(out.contains("U+E000 0xF040") && out.contains('█'), "{out}");
    let o = ikou()
        .current_dir(root())
        .args([
            "profile", "--layout", layout, "--font", VENDOR_TTF, "--json", input,
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for g in v["gaiji"].as_array().unwrap() {
        let uri = g["vendor_glyph"].as_str().unwrap_or("");
        assert!(uri.starts_with("data:image/png;base64,"), "{g}");
    }
    // A glyph directory keyed by the vendor's byte codes: found through the bytes.
    let dir = tempfile::tempdir().unwrap();
    let pngs = dir.path().join("pngs");
    fs::create_dir(&pngs).unwrap();
    let mut cross = Bitmap::blank(16, 16);
    for i in 2..14 {
        cross.pixels[8 * 16 + i] = 255;
        cross.pixels[i * 16 + 8] = 255;
    }
    fs::write(
        pngs.join("0xF041.png"),
        ikou::identify::source::png::encode(&cross),
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let o = ikou()
        .current_dir(root())
        .args([
            "convert",
            "--layout",
            layout,
            "--font",
            s(&pngs),
            "--out",
            s(&out_dir),
            input,
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report = fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(report.contains("外字フォントの字形"), "the column is there");
    assert_eq!(
        report.matches("の字形（外字フォント）").count(),
        1,
        "U+E001 only"
    );
    assert!(report.contains("—（フォントにない）"));
    // Without --font the report is as before.
    let plain = dir.path().join("plain");
    common::run_in(
        &root(),
        &["convert", "--layout", layout, "--out", s(&plain), input],
    );
    let report = fs::read_to_string(plain.join("report.html")).unwrap();
    assert!(!report.contains("外字フォントの字形"));
    // A damaged --font stops before any output, naming the file.
    let bad = dir.path().join("bad.ttf");
    fs::write(&bad, b"junk").unwrap();
    let o = ikou()
        .current_dir(root())
        .args([
            "convert",
            "--layout",
            layout,
            "--font",
            s(&bad),
            "--out",
            s(&dir.path().join("o2")),
            input,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains(s(&bad)));
    assert!(!dir.path().join("o2").exists());
}

#[test]
fn gj_glyphs_of_an_extension_font_are_candidates_named_by_the_table() {
    let Some(cache) = cache() else { return };
    let dir = tempfile::tempdir().unwrap();
    // ext_gj.ttf draws 髙 at U+F0000 and 辻 at U+F0002 (the glyphs of U+E000, U+E002).
    let ext = dir.path().join("ext.tsv");
    fs::write(&ext, "GJ000001\tU+F0000\nGJ000002\tU+F0002\n").unwrap();
    let run = |ext: &Path| {
        let (code, out, err) = identify(
            cache,
            &[
                "--font",
                VENDOR_TTF,
                "--codes",
                "U+E000-U+E002",
                "--top",
                "3",
                "--json",
                "--charset-ext",
                s(ext),
                "--ext-font",
                "testdata/identify/ext_gj.ttf",
            ],
        );
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["glyphs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                g["candidates"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|c| c["gj"].as_str().map(str::to_string))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        run(&ext),
        [
            vec!["GJ000001".to_string()],
            vec![],
            vec!["GJ000002".into()]
        ]
    );
    // Another table naming the same font: its names, not the cached ones.
    let ext2 = dir.path().join("ext2.tsv");
    fs::write(&ext2, "GJ000007\tU+F0000\nGJ000008\tU+F0002\n").unwrap();
    assert_eq!(
        run(&ext2),
        [
            vec!["GJ000007".to_string()],
            vec![],
            vec!["GJ000008".into()]
        ]
    );
    // --ext-font needs --charset-ext and the other way round.
    let (code, _, _) = identify(
        cache,
        &[
            "--font",
            VENDOR_TTF,
            "--ext-font",
            "testdata/identify/ext_gj.ttf",
        ],
    );
    assert_eq!(code, 2);
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The manifest's `font` table entries.
fn font_entries(m: &serde_json::Value) -> Vec<serde_json::Value> {
    m["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "font")
        .cloned()
        .collect()
}

#[test]
fn convert_records_the_vendor_font_in_the_manifest_and_verify_passes() {
    let layout = common::SAMPLE_LAYOUT;
    let input = "testdata/juki_kojin.csv";
    let dir = tempfile::tempdir().unwrap();
    let convert = |font: &str, out: &Path| {
        let args = [
            "convert",
            "--layout",
            layout,
            "--font",
            font,
            "--out",
            s(out),
            input,
        ];
        let (code, _, err) = common::run_in(&root(), &args);
        assert_eq!(code, 3, "{err}");
    };
    // A font file: path as given, the SHA-256 and size of its bytes.
    let out = dir.path().join("ttf");
    convert(VENDOR_TTF, &out);
    let font = fs::read(root().join(VENDOR_TTF)).unwrap();
    let m = common::read_manifest(&out);
    let entries = font_entries(&m);
    assert_eq!(entries.len(), 1, "{m}");
    assert_eq!(entries[0]["path"], VENDOR_TTF);
    assert_eq!(entries[0]["sha256"], sha256_hex(&font));
    assert_eq!(entries[0]["bytes"], font.len() as u64);
    // Just before the built-in MJ tables; the other tables have no `bytes`.
    let tables = m["tables"].as_array().unwrap();
    let at = tables.iter().position(|t| t["kind"] == "font").unwrap();
    assert_eq!(tables[at + 1]["kind"], "mj");
    assert!(
        tables
            .iter()
            .filter(|t| t["kind"] != "font")
            .all(|t| t.get("bytes").is_none())
    );
    // The report names it among the tables used.
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("外字フォント（--font）"),
        "report lists the font"
    );
    assert!(report.contains(&sha256_hex(&font)));
    // The run verifies, with and without its inputs.
    for flags in [&["verify"][..], &["verify", "--inputs"][..]] {
        let (code, stdout, _) = common::run_in(&root(), &[flags, &[s(&out)]].concat());
        assert_eq!(code, 0, "{flags:?}: {stdout}");
    }
    // Without --font there is no font entry (the manifest is as before).
    let plain = dir.path().join("plain");
    ikou()
        .current_dir(root())
        .args(["convert", "--layout", layout, "--out", s(&plain), input])
        .output()
        .unwrap();
    assert!(font_entries(&common::read_manifest(&plain)).is_empty());

    // A directory of glyph images: the SHA-256 of the list of images read
    // (name, SHA-256, bytes), and their total size.
    let pngs = dir.path().join("pngs");
    fs::create_dir(&pngs).unwrap();
    let mut cross = Bitmap::blank(16, 16);
    for i in 2..14 {
        cross.pixels[8 * 16 + i] = 255;
        cross.pixels[i * 16 + 8] = 255;
    }
    let a = ikou::identify::source::png::encode(&cross);
    cross.pixels[0] = 255;
    let b = ikou::identify::source::png::encode(&cross);
    fs::write(pngs.join("U+E001.png"), &b).unwrap();
    fs::write(pngs.join("0xF041.png"), &a).unwrap();
    fs::write(pngs.join("notes.txt"), "not an image").unwrap();
    let out = dir.path().join("png");
    convert(s(&pngs), &out);
    let list = format!(
        "0xF041.png\t{}\t{}\nU+E001.png\t{}\t{}\n",
        sha256_hex(&a),
        a.len(),
        sha256_hex(&b),
        b.len()
    );
    let entries = font_entries(&common::read_manifest(&out));
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["path"], s(&pngs));
    assert_eq!(entries[0]["sha256"], sha256_hex(list.as_bytes()));
    assert_eq!(entries[0]["bytes"], (a.len() + b.len()) as u64);
}
