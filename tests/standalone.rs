//! The `yingsu` binary on its own: copied into an empty folder, away from the source tree, it
//! makes every document of the demo with the fonts compiled into it, the rare-character fallback
//! (Hanazono) included, and no path of the build machine's font folder is compiled in.

use std::path::Path;
use std::process::Command;

/// The built binary copied into `dir`, alone.
fn copy_binary(dir: &Path) -> std::path::PathBuf {
    let name = Path::new(env!("CARGO_BIN_EXE_yingsu"))
        .file_name()
        .unwrap()
        .to_owned();
    let to = dir.join(name);
    std::fs::copy(env!("CARGO_BIN_EXE_yingsu"), &to).unwrap();
    to
}

/// Runs the copied binary in `cwd` with nothing pointing at any font folder.
fn run(exe: &Path, cwd: &Path, home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(exe)
        .current_dir(cwd)
        .env_remove("YINGSU_FONTS")
        .env("YINGSU_SYSTEM_FONTS", "0")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home)
        .env("YINGSU_NOW", "2023-04-20T09:00:00+08:00")
        .env("YINGSU_USER", "测试员")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn pdfs(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(pdfs(&path));
        } else if path.extension().is_some_and(|e| e == "pdf") {
            found.push(path);
        }
    }
    found
}

/// The fonts embedded in a PDF, without their subset prefixes, as `pdffonts` lists them.
fn pdf_fonts(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdffonts")
        .arg(pdf)
        .output()
        .expect("pdffonts");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .map(|n| n.split_once('+').map_or(n, |(_, n)| n).to_string())
        .collect()
}

#[test]
fn the_binary_alone_makes_every_document() {
    let bin = tempfile::tempdir().unwrap();
    let exe = copy_binary(bin.path());
    // No path of the source tree's fonts is compiled in, so no build-machine folder is found.
    let bytes = std::fs::read(&exe).unwrap();
    let fonts_dir = format!("{}/fonts", env!("CARGO_MANIFEST_DIR"));
    assert!(
        !bytes
            .windows(fonts_dir.len())
            .any(|w| w == fonts_dir.as_bytes()),
        "the binary names {fonts_dir}"
    );
    drop(bytes);

    let work = tempfile::tempdir().unwrap();
    let (code, out, err) = run(&exe, work.path(), work.path(), &["demo"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let demo = work.path().join("yingsu-demo");
    let made = pdfs(&demo.join("archive"));
    // Every document the demo lists was made.
    let listed = out
        .lines()
        .filter(|l| l.trim_end().ends_with(".pdf"))
        .count();
    assert_eq!(made.len(), listed, "{out}");
    assert_eq!(made.len(), 73, "{out}");
    let bulletin = demo.join("archive/reports/2023/bulletin-2023Q1.pdf");
    assert_eq!(
        pdf_fonts(&bulletin),
        [
            "FandolSong-Bold",
            "FandolFang-Regular",
            "FandolHei-Regular",
            "FandolSong-Regular"
        ]
    );

    // A plaintiff's name with a character only the fallback font has (U+2C317).
    std::fs::write(
        demo.join("notice.yaml"),
        "case_number: (2023)渝0112行初900号\ncourt: ybfy\ncause: 行政处罚\nlevel: 一审\n\
         plaintiffs: [\"王\u{2C317}\"]\nagency: scjgj\nnotice_date: 2023-04-20\n\
         head_required: true\nhearing_date: 2023-05-08\nhearing_time: 上午9时30分\n\
         hearing_place: 区法院第三审判庭\nhead_name: 李某某\nhead_post: 局长\n",
    )
    .unwrap();
    let (code, out, err) = run(
        &exe,
        &demo,
        work.path(),
        &[
            "case",
            "new",
            "appearance",
            "2023-rare",
            "--from",
            "notice.yaml",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let letter = demo.join("archive/2023/2023-rare/01-notice-tishihan.pdf");
    assert!(
        pdf_fonts(&letter).iter().any(|f| f == "HanaMinA"),
        "{:?}",
        pdf_fonts(&letter)
    );
}

/// Only the faces a document uses are loaded: paragraphs in 仿宋 (one of several lines, whose
/// justified line ends typst shapes as a character no font has) with a page number (宋体)
/// leave the other default fonts unread, the 50 MB of Hanazono among them compressed. (The
/// only test of this binary that typesets in-process, so nothing else has loaded a font.)
#[test]
fn only_the_faces_a_document_uses_are_loaded() {
    let ts = yingsu::typeset::Typesetter::with_default_fonts(&[], &[]).unwrap();
    let job = yingsu::typeset::Job::new(
        "#import \"/gbt9704.typ\": *\n#show: page-setup\n#para(\"原告诉被告区司法局。\")\n#para(\"代为出庭应诉参加庭审陈述答辩意见举证质证进行辩论参加调解和解代为签收法律文书，代为出庭应诉参加庭审。\")\n",
        serde_json::json!({}),
        chrono::NaiveDate::from_ymd_opt(2023, 5, 8).unwrap(),
        "lazy",
    );
    ts.layout(&job).unwrap();
    let loaded: Vec<&str> = yingsu_fonts::all()
        .iter()
        .filter(|f| f.is_loaded())
        .map(|f| f.name())
        .collect();
    assert_eq!(
        loaded,
        [
            "fandol/FandolFang-Regular.ttf",
            "fandol/FandolSong-Regular.ttf"
        ]
    );
}
