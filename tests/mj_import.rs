//! The checked-in `mappings/` are exactly what the importer makes from `../shared/mj/`.

use ikou::mj::import;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sources() -> PathBuf {
    root().join("../shared/mj")
}

#[test]
fn mappings_are_the_importers_output() {
    let files = import::import(&sources()).expect("import ../shared/mj");
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [import::MJ_FILE, import::MJSM_FILE, import::LICENSE_FILE]
    );
    for (name, content) in &files {
        let checked_in = std::fs::read(root().join("mappings").join(name)).unwrap();
        assert!(
            checked_in == content.as_bytes(),
            "mappings/{name} differs from the importer's output: run \
             `cargo run --release --bin ikou-mj-import -- ../shared/mj mappings` and review the diff"
        );
    }
    // The embedded copies are the checked-in files.
    for (path, bytes) in ikou::mj::EMBEDDED_TABLES {
        assert_eq!(std::fs::read(root().join(path)).unwrap(), bytes, "{path}");
    }
}

#[test]
fn import_to_writes_the_same_bytes_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let written = import::import_to(&sources(), dir.path()).unwrap();
    let again = import::import(&sources()).unwrap();
    assert_eq!(written.len(), again.len());
    for ((name, size), (name2, content)) in written.iter().zip(&again) {
        assert_eq!(name, name2);
        let on_disk = std::fs::read(dir.path().join(name)).unwrap();
        assert_eq!(on_disk.len(), *size);
        assert!(on_disk == content.as_bytes(), "{name}");
    }
    // Nothing else (no temporary files) is left behind.
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["LICENSE.md", "mj.tsv", "mjsm.tsv"]);
}

#[test]
fn generated_tables_record_versions_and_licence() {
    let mj = std::fs::read_to_string(root().join("mappings/mj.tsv")).unwrap();
    let version =
        "# version: MJ文字情報一覧表 Ver.006.02, MJ縮退マップ Ver.1.2.0, IVD 2022-09-13 Moji_Joho";
    assert!(mj.lines().any(|l| l == version));
    let mjsm = std::fs::read_to_string(root().join("mappings/mjsm.tsv")).unwrap();
    assert!(mjsm.lines().any(|l| l == version));
    let licence = std::fs::read_to_string(root().join("mappings/LICENSE.md")).unwrap();
    for needle in [
        "CC BY-SA 2.1 JP",
        "情報処理推進機構 (IPA)",
        "CITPC",
        "Unicode, Inc.",
        "Unicode License v3",
        "MJ文字情報一覧表 Ver.006.02",
        "MJ縮退マップ Ver.1.2.0",
        "IVD 2022-09-13 Moji_Joho",
    ] {
        assert!(licence.contains(needle), "LICENSE.md lacks {needle}");
    }
    assert_eq!(ikou::mj::db().version(), &version["# version: ".len()..]);
}

#[test]
fn refuses_an_unknown_source_version() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["mji.tsv", "mjsm.tsv", "ivd_moji_joho.tsv"] {
        std::fs::copy(sources().join(f), dir.path().join(f)).unwrap();
    }
    let ivd = dir.path().join("ivd_moji_joho.tsv");
    let mut text = std::fs::read_to_string(&ivd).unwrap();
    text.push_str("x\tMJ000001\n");
    std::fs::write(&ivd, text).unwrap();
    let err = import::import(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("IVD 2022-09-13 Moji_Joho") && err.contains("SOURCES"),
        "{err}"
    );
    let missing = import::import(Path::new("/nonexistent"))
        .unwrap_err()
        .to_string();
    assert!(missing.contains("mji.tsv"), "{missing}");
}
