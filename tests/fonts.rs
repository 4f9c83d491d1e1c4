//! Official fonts installed on the computer are found in the system's font folders and
//! preferred; nothing else is taken from there.

use std::path::{Path, PathBuf};

use yingsu::typeset::{Job, Typesetter};

mod common;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn link(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
}

#[test]
fn installed_official_fonts_are_preferred_and_nothing_else_is_taken() {
    let system = tempfile::tempdir().unwrap();
    // An "installed" 仿宋 (a renamed subset of FandolFang) and an unrelated font.
    link(
        &root().join("tests/fixtures/fonts/fangsong-test.otf"),
        &system.path().join("simfang.otf"),
    );
    std::fs::create_dir_all(system.path().join("other")).unwrap();
    link(
        &root().join("fonts/fandol/FandolKai-Regular.ttf"),
        &system.path().join("other/kai.ttf"),
    );
    let bundled = vec![root().join("fonts/fandol"), root().join("fonts/hanazono")];

    let ts = Typesetter::with_system_fonts(&bundled, &[system.path().to_path_buf()]).unwrap();
    let from_system: Vec<String> = ts
        .font_faces()
        .into_iter()
        .filter(|(_, path)| path.starts_with(system.path()))
        .map(|(family, _)| family)
        .collect();
    assert_eq!(from_system, ["FangSong"]);

    let main = "#import \"/gbt9704.typ\": *\n#show: page-setup\n#para(\"原告诉被告区司法局，其余文字用自带字体。\")\n";
    let job = Job::new(
        main,
        serde_json::json!({}),
        chrono::NaiveDate::from_ymd_opt(2023, 5, 8).unwrap(),
        "fonts",
    );
    let doc = ts.layout(&job).unwrap();
    let found = common::frames::glyphs(&doc, 0);
    let text_in = |family: &str| -> String {
        found
            .iter()
            .filter(|g| g.family == family)
            .map(|g| g.text.as_str())
            .collect()
    };
    // The 仿宋 role takes the installed font where it has the glyphs, the bundled one elsewhere.
    assert_eq!(text_in("FangSong"), "原告诉被告区司法局");
    assert_eq!(text_in("FandolFang R"), "，其余文字用自带字体。");

    // Without system folders, only the bundled fonts.
    let ts = Typesetter::new(&bundled).unwrap();
    assert!(ts.font_faces().iter().all(|(f, _)| f != "FangSong"));
}
