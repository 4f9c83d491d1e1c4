//! A workspace received by git is hostile: links committed in place of the lock file, the
//! derived index, the record folders or case files must never make yingsu write, truncate or
//! delete anything outside the workspace, nor hang, and every refusal says what to do in Chinese.
//! Each test builds the workspace the way git delivers it (links committed, no lock file) with
//! its victims in a temporary folder of their own.
#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

mod common;

const T: &str = "2023-05-08T09:00:00+08:00";

fn yingsu(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::run_env(dir, args, T, &[])
}

/// `case new appearance ID` with the test notice, as a clerk types it.
fn case_new_args(id: &str) -> Vec<String> {
    let mut args: Vec<String> = ["case", "new", "appearance", id]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for set in common::notice(id).sets {
        args.push("--set".into());
        args.push(set);
    }
    args
}

fn run(dir: &Path, args: &[String]) -> (i32, String, String) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    yingsu(dir, &args)
}

/// A workspace made by `init` holding one case (A1, its notice issued), then handed over as git
/// would: no lock file.
fn received_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = yingsu(dir.path(), &["init", "."]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dir.path(), &case_new_args("A1"));
    assert_eq!(code, 0, "{err}");
    let _ = std::fs::remove_file(dir.path().join(".yingsu.lock"));
    let _ = std::fs::remove_dir_all(dir.path().join(".yingsu"));
    dir
}

/// A victim file outside the workspace, with its content.
fn victim() -> (tempfile::TempDir, std::path::PathBuf) {
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("victim.txt");
    std::fs::write(&file, "别人的重要文件\n").unwrap();
    (outside, file)
}

const LOCK_HELP: &str = " = 帮助：.yingsu.lock 只应是 yingsu 自己创建的普通文件（不提交到 git）：请删除它（rm .yingsu.lock），yingsu 下次运行时会重新创建\n";

/// Every writing command refuses a lock file that is a link to a file outside, and the file
/// outside keeps its bytes.
#[test]
fn a_lock_file_linked_out_is_refused_and_its_target_untouched() {
    let ws = received_workspace();
    let p = ws.path();
    let (_outside, file) = victim();
    symlink(&file, p.join(".yingsu.lock")).unwrap();
    let expected = format!(
        "错误：工作区的锁文件 .yingsu.lock 是指向“{}”的符号链接，yingsu 不会写入它\n{LOCK_HELP}",
        file.display()
    );
    let commands: Vec<Vec<String>> = vec![
        case_new_args("A2"),
        vec!["render".into(), "--all".into()],
        vec!["render".into(), "A1".into()],
        vec![
            "report".into(),
            "bulletin".into(),
            "--quarter".into(),
            "2023Q2".into(),
        ],
    ];
    for args in commands {
        let (code, _, err) = run(p, &args);
        assert_eq!((code, err.as_str()), (1, expected.as_str()), "{args:?}");
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "别人的重要文件\n",
            "{args:?}"
        );
    }
    // Reading commands do not need the lock and still answer.
    let (code, out, err) = yingsu(p, &["status"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("A1"), "{out}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "别人的重要文件\n");
}

/// A hard link, a link to /dev/null, a folder and a FIFO in the lock file's place are refused
/// at once (a FIFO made every writing command wait forever).
#[test]
fn a_lock_file_that_is_not_a_plain_file_of_its_own_is_refused_without_waiting() {
    let ws = received_workspace();
    let p = ws.path();
    let lock = p.join(".yingsu.lock");
    let (_outside, file) = victim();
    let render = vec!["render".to_string(), "A1".to_string()];

    std::fs::hard_link(&file, &lock).unwrap();
    let (code, _, err) = run(p, &render);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            format!("错误：工作区的锁文件 .yingsu.lock 与别处的 1 个文件是同一个文件（硬链接），yingsu 不会写入它\n{LOCK_HELP}").as_str()
        )
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "别人的重要文件\n");
    std::fs::remove_file(&lock).unwrap();

    symlink("/dev/null", &lock).unwrap();
    let (code, _, err) = run(p, &render);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            format!("错误：工作区的锁文件 .yingsu.lock 是指向“/dev/null”的符号链接，yingsu 不会写入它\n{LOCK_HELP}").as_str()
        )
    );
    std::fs::remove_file(&lock).unwrap();

    std::fs::create_dir(&lock).unwrap();
    let (code, _, err) = run(p, &render);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            format!("错误：工作区的锁文件 .yingsu.lock 是目录，不是普通文件，yingsu 不会写入它\n{LOCK_HELP}").as_str()
        )
    );
    std::fs::remove_dir(&lock).unwrap();

    let made = std::process::Command::new("mkfifo").arg(&lock).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // No mkfifo here.
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(p)
        .env("YINGSU_NOW", T)
        .env("YINGSU_USER", "测试员")
        .args(["render", "A1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("render waited on a FIFO lock file for a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "错误：工作区的锁文件 .yingsu.lock 是命名管道（FIFO），不是普通文件，yingsu 不会写入它\n{LOCK_HELP}"
        )
    );
}

/// The derived index is never written through a `.yingsu/` or `.yingsu/index/` linked out of
/// the workspace, not even by a reading command; the commands answer as without an index.
#[test]
fn the_derived_index_is_not_written_through_a_link() {
    for linked in [".yingsu", ".yingsu/index"] {
        let ws = received_workspace();
        let p = ws.path();
        let outside = tempfile::tempdir().unwrap();
        if linked != ".yingsu" {
            std::fs::create_dir_all(p.join(".yingsu")).unwrap();
        }
        symlink(outside.path(), p.join(linked)).unwrap();
        // A file the index would replace, waiting outside.
        std::fs::write(outside.path().join("render.tsv"), "victim\n").unwrap();
        for args in [
            &["status"][..],
            &["stats", "--year", "2023"],
            &["render", "--all"],
        ] {
            let (code, out, err) = yingsu(p, args);
            assert_eq!(code, 0, "{linked} {args:?}: {out}{err}");
        }
        // `validate` names the link.
        let (code, _, err) = yingsu(p, &["validate"]);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.starts_with(&format!(
                "错误：{linked} 是指向工作区之外的符号链接，yingsu 不会经由它读取或写入：路径“{linked}”经符号链接“{linked}”指向工作区之外（"
            )),
            "{linked}: {err}"
        );
        let left: Vec<String> = std::fs::read_dir(outside.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, vec!["render.tsv".to_string()], "{linked}");
        assert_eq!(
            std::fs::read_to_string(outside.path().join("render.tsv")).unwrap(),
            "victim\n"
        );
    }
}

/// The sweep of temporary files left by a run cut short stays inside the workspace: an
/// `archive/` or `cases/` linked out is not walked, and the file outside that looks like one of
/// yingsu's temporary files is not deleted.
#[test]
fn the_temp_sweep_does_not_follow_a_record_folder_linked_out() {
    for folder in ["archive", "cases"] {
        let ws = received_workspace();
        let p = ws.path();
        let outside = tempfile::tempdir().unwrap();
        let moved = outside.path().join(folder);
        std::fs::rename(p.join(folder), &moved).unwrap();
        symlink(&moved, p.join(folder)).unwrap();
        let bait = moved.join(".yingsu-ABC123.tmp");
        std::fs::write(&bait, "not yours").unwrap();
        // A writing command starts by sweeping (a fresh clone has no lock file saying clean).
        let (_code, _, err) = run(p, &case_new_args("A2"));
        assert!(!err.contains("已清理"), "{folder}: {err}");
        assert_eq!(
            std::fs::read_to_string(&bait).unwrap(),
            "not yours",
            "{folder}"
        );
        let (code, _, err) = yingsu(p, &["validate"]);
        assert_eq!(code, 1, "{folder}: {err}");
        // `cases/` linked out cannot be listed at all; `archive/` is named among the problems.
        let expected = match folder {
            "cases" => "错误：路径“cases”经符号链接“cases”指向工作区之外（".to_string(),
            _ => {
                format!("错误：{folder} 是指向工作区之外的符号链接，yingsu 不会经由它读取或写入：")
            }
        };
        assert!(err.contains(&expected), "{folder}: {err}");
        assert!(bait.exists());
    }
}

/// A case file under another name in a year folder is an error naming it and the name to give
/// it, for every command that lists cases; nothing is skipped in silence.
#[test]
fn a_year_folder_holds_only_case_files() {
    let ws = received_workspace();
    let p = ws.path();
    let case = std::fs::read_to_string(p.join("cases/2023/A1.yaml")).unwrap();
    let rename = "如果这是案件记录，请把它改名为 cases/2023/B.yaml（小写扩展名 .yaml，不以点开头）；如果是备份或副本，请把它移出 cases/ 目录";
    let cases = [
        ("B.yml", rename),
        ("B.YAML", rename),
        (".B.yaml", rename),
        ("B.yaml.bak", rename),
        (
            "B.txt",
            "请把它移出 cases/ 目录（年份目录中只能有案件文件）",
        ),
    ];
    for (name, help) in cases {
        let at = p.join("cases/2023").join(name);
        std::fs::write(&at, &case).unwrap();
        let expected = format!(
            "错误：cases/2023/{name} 不是案件文件：年份目录中只能放以 .yaml 结尾的案件文件，它不会被任何统计计入\n = 帮助：{help}\n"
        );
        for args in [&["status"][..], &["validate"], &["stats", "--year", "2023"]] {
            let (code, _, err) = yingsu(p, args);
            assert_eq!(
                (code, err.as_str()),
                (1, expected.as_str()),
                "{name} {args:?}"
            );
        }
        std::fs::remove_file(&at).unwrap();
    }
    // What operating systems and git leave in folders is passed over.
    for name in [".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep"] {
        std::fs::write(p.join("cases/2023").join(name), "").unwrap();
    }
    let (code, _, err) = yingsu(p, &["validate"]);
    assert_eq!(code, 0, "{err}");
}

/// `cases/` itself linked out of the workspace is refused, not read.
#[test]
fn a_cases_folder_linked_out_is_refused() {
    let ws = received_workspace();
    let p = ws.path();
    let outside = tempfile::tempdir().unwrap();
    let moved = outside.path().join("cases");
    std::fs::rename(p.join("cases"), &moved).unwrap();
    symlink(&moved, p.join("cases")).unwrap();
    let (code, _, err) = yingsu(p, &["status"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with("错误：路径“cases”经符号链接“cases”指向工作区之外（"),
        "{err}"
    );
}

/// `validate` names every folder linked out of the workspace: `fonts/` (whose fonts are then
/// not used) and a case's archive folder.
#[test]
fn validate_reports_folders_linked_out() {
    let ws = received_workspace();
    let p = ws.path();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir(outside.path().join("fonts")).unwrap();
    symlink(outside.path().join("fonts"), p.join("fonts")).unwrap();
    let moved = outside.path().join("A1");
    std::fs::rename(p.join("archive/2023/A1"), &moved).unwrap();
    symlink(&moved, p.join("archive/2023/A1")).unwrap();
    let (code, _, err) = yingsu(p, &["validate"]);
    assert_eq!(code, 1, "{err}");
    for (name, help) in [
        (
            "archive/2023/A1",
            "把它换成工作区内真实的目录（从 git 收到的工作区不应含有指向工作区之外的链接），再运行 `yingsu validate`",
        ),
        (
            "fonts",
            "把它换成工作区内真实的目录；要使用工作区之外的字体目录，请在 yingsu.yaml 的 font_paths 中写明",
        ),
    ] {
        assert!(
            err.contains(&format!("错误：{name} 是指向工作区之外的符号链接，yingsu 不会经由它读取或写入：路径“{name}”经符号链接“{name}”指向工作区之外（")),
            "{name}: {err}"
        );
        assert!(err.contains(help), "{name}: {err}");
    }
}

/// A number registry received as a link to a file elsewhere is neither read for allocating nor
/// written through: the step is refused and the file outside keeps its bytes.
#[test]
fn a_registry_linked_out_is_not_written_through() {
    let ws = received_workspace();
    let p = ws.path();
    let (code, _, err) = yingsu(p, &["report", "bulletin", "--quarter", "2023Q2"]);
    assert_eq!(code, 0, "{err}");
    let numbers = p.join("archive/numbers");
    let registry = std::fs::read_dir(&numbers)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| f.extension().is_some_and(|x| x == "tsv"))
        .expect("a registry after the first notice");
    let name = registry.file_name().unwrap().to_string_lossy().into_owned();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join(&name);
    std::fs::copy(&registry, &victim).unwrap();
    let before = std::fs::read(&victim).unwrap();
    std::fs::remove_file(&registry).unwrap();
    symlink(&victim, &registry).unwrap();
    let (code, _, err) = yingsu(p, &["report", "bulletin", "--quarter", "2023Q1"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "错误：路径“archive/numbers/{name}”经符号链接“archive/numbers/{name}”指向工作区之外（"
        )),
        "{err}"
    );
    assert_eq!(std::fs::read(&victim).unwrap(), before);
    assert!(!p.join("archive/reports/2023/bulletin-2023Q1.pdf").exists());
    // A hard link to the file outside: the same file under two names.
    std::fs::remove_file(&registry).unwrap();
    std::fs::hard_link(&victim, &registry).unwrap();
    let (code, _, err) = yingsu(p, &["report", "bulletin", "--quarter", "2023Q1"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("与别处的 1 个文件是同一个文件（硬链接），yingsu 不会读写它\n"),
        "{err}"
    );
    assert_eq!(std::fs::read(&victim).unwrap(), before);
    assert!(!p.join("archive/reports/2023/bulletin-2023Q1.pdf").exists());
}
