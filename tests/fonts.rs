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

/// One renderer serving two workspaces with different fonts keeps a typesetter for each: the
/// second workspace's own 仿宋 serves its documents, not the first workspace's fonts.
#[test]
fn one_renderer_keeps_each_workspaces_fonts() {
    let open = |with_font: bool| {
        let dir = tempfile::tempdir().unwrap();
        yingsu::workspace::init(dir.path()).unwrap();
        let cfg = dir.path().join("yingsu.yaml");
        let text = std::fs::read_to_string(&cfg).unwrap();
        std::fs::write(
            &cfg,
            text.replace("system_fonts: true", "system_fonts: false"),
        )
        .unwrap();
        if with_font {
            std::fs::create_dir_all(dir.path().join("fonts")).unwrap();
            link(
                &root().join("tests/fixtures/fonts/fangsong-test.otf"),
                &dir.path().join("fonts/simfang.otf"),
            );
        }
        let ws = yingsu::Workspace::open(dir.path()).unwrap();
        (dir, ws)
    };
    let body = |fonts: Vec<yingsu::render::RoleFont>| {
        fonts
            .into_iter()
            .find(|f| f.role.contains("正文"))
            .map(|f| (f.family, f.source))
            .unwrap()
    };
    let renderer = yingsu::render::TypstRenderer::new();
    let (_a, plain) = open(false);
    let (_b, own) = open(true);
    assert_eq!(
        body(yingsu::render::role_fonts(&plain, &renderer).unwrap()),
        ("FandolFang R".to_string(), "yingsu 自带".to_string())
    );
    assert_eq!(
        body(yingsu::render::role_fonts(&own, &renderer).unwrap()),
        ("FangSong".to_string(), "工作区 fonts/".to_string())
    );
}
