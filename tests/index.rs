//! The case index (`.yingsu/index/cases-*.bin`) can never change an answer: every listing over
//! the demo archive gives, with the index, exactly what it gives with the index switched off
//! (`YINGSU_INDEX=off`, every file parsed) — with no index, a fresh one, a corrupt, truncated,
//! foreign or deleted one, after a case file is edited behind its back (its old modification
//! time put back), replaced by an older copy with an older time, deleted, added or broken.

mod common;

use std::path::{Path, PathBuf};

const T: &str = "2023-12-20T09:00:00+08:00";

/// The commands compared, each as (arguments, what it answers).
const COMMANDS: &[&[&str]] = &[
    &["stats", "--year", "2023", "--json"],
    &["stats", "--quarter", "2023Q1"],
    &["status", "--json"],
    &["status", "--open", "--due", "30"],
    &["check", "--year", "2023"],
    &["agenda"],
    &["validate"],
];

/// Every command's exit code, output and errors, with the index (`on`) or without.
fn answers(ws: &Path, on: bool) -> Vec<(i32, String, String)> {
    let env: &[(&str, &str)] = if on { &[] } else { &[("YINGSU_INDEX", "off")] };
    COMMANDS
        .iter()
        .map(|args| common::run_env(ws, args, T, env))
        .collect()
}

/// The index files of the workspace.
fn index_files(ws: &Path) -> Vec<PathBuf> {
    let dir = ws.join(".yingsu/index");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("cases-") || n == "fonts.bin")
    });
    files.sort();
    files
}

/// With the index, twice (building or renewing it, then reading it), the answers are those
/// without it.
#[track_caller]
fn same_answers(ws: &Path, what: &str) {
    let truth = answers(ws, false);
    for round in ["first", "second"] {
        let got = answers(ws, true);
        for ((args, want), got) in COMMANDS.iter().zip(&truth).zip(&got) {
            assert_eq!(
                got, want,
                "{what}, {round} run with the index: yingsu {args:?}"
            );
        }
    }
    assert!(!index_files(ws).is_empty(), "{what}: no index written");
}

/// `render --all` says the same with the indexes as without (but for how many documents it did
/// not need to typeset), and changes no file of the archive.
#[track_caller]
fn same_render(ws: &Path, what: &str) {
    let archive = || -> Vec<(String, Vec<u8>)> {
        walkdir::WalkDir::new(ws.join("archive"))
            .sort_by_file_name()
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
    };
    let before = archive();
    let said = |on: bool| {
        let env: &[(&str, &str)] = if on { &[] } else { &[("YINGSU_INDEX", "off")] };
        let (code, out, err) = common::run_env(ws, &["render", "--all", "-j", "2"], T, env);
        let out = without_skip_count(&out);
        (code, out, err)
    };
    let truth = said(false);
    assert_eq!(truth.0, 0, "{what}: {}", truth.2);
    for round in ["first", "second"] {
        assert_eq!(said(true), truth, "{what}, {round} render with the indexes");
    }
    assert!(archive() == before, "{what}: render changed the archive");
}

/// The summary without the count of documents not typeset again.
fn without_skip_count(out: &str) -> String {
    out.lines()
        .map(|l| match l.find("；其中 ") {
            Some(i) if l.ends_with("未重新排版。") => format!("{}。", &l[..i]),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sets a file's modification time (seconds since 1970) with `touch`, as a copy or a careless
/// tool would.
fn set_mtime(path: &Path, secs: i64) {
    let ok = std::process::Command::new("touch")
        .arg("-m")
        .arg("-d")
        .arg(format!("@{secs}"))
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "touch failed");
}

fn mtime(path: &Path) -> i64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().mtime()
}

#[test]
fn the_index_never_changes_an_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("demo");
    common::demo_at(&ws);
    let _ = std::fs::remove_dir_all(ws.join(".yingsu/index"));
    same_answers(&ws, "no index, then a fresh one");

    // Once the files are older than the clock's resolution, a run that finds nothing changed
    // trusts every entry and writes nothing (so the index is stable, and was used).
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let _ = answers(&ws, true);
    let read = |ws: &Path| -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
        index_files(ws)
            .into_iter()
            .map(|f| {
                let m = std::fs::metadata(&f).unwrap().modified().unwrap();
                (f.clone(), std::fs::read(&f).unwrap(), m)
            })
            .collect()
    };
    let settled = read(&ws);
    same_answers(&ws, "a settled index");
    assert_eq!(
        read(&ws),
        settled,
        "a run that found nothing changed rewrote the index"
    );
    same_render(&ws, "a settled archive");
    let settled = read(&ws);
    let (code, _, err) = common::run_env(&ws, &["render", "--all"], T, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        read(&ws),
        settled,
        "a render that found nothing changed rewrote the index"
    );

    let cases = ws.join("cases/2023");
    let n = std::fs::read_dir(&cases).unwrap().count();
    assert!(n > 20, "the demo has {n} cases");

    // Edited behind its back, the file's old time put back (same size: another agency).
    let file = cases.join("2023-渝0112行初15.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    let old = tmp.path().join("old-copy.yaml");
    std::fs::copy(&file, &old).unwrap();
    let t0 = mtime(&file);
    set_mtime(&old, t0 - 86_400);
    let edited = before.replacen("agency: scjgj", "agency: sthjj", 1);
    assert_ne!(edited, before);
    assert_eq!(edited.len(), before.len());
    std::fs::write(&file, &edited).unwrap();
    set_mtime(&file, t0);
    let truth_edited = answers(&ws, false);
    same_answers(&ws, "a case edited behind the index's back");
    same_render(&ws, "a case edited behind the index's back");

    // Replaced by the older copy, with its older time (`cp -p`).
    let ok = std::process::Command::new("cp")
        .arg("-p")
        .arg(&old)
        .arg(&file)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    let truth_old = answers(&ws, false);
    assert_ne!(
        truth_old, truth_edited,
        "the edit must show in the answers, or this test proves nothing"
    );
    same_answers(&ws, "a case replaced by an older copy");
    same_render(&ws, "a case replaced by an older copy");

    // Broken index files: garbage, cut in half, another program's, deleted.
    for (what, damage) in [
        (
            "garbage",
            &(|b: Vec<u8>| b.iter().map(|x| x ^ 0x5a).collect()) as &dyn Fn(Vec<u8>) -> Vec<u8>,
        ),
        ("cut in half", &|b: Vec<u8>| b[..b.len() / 2].to_vec()),
        ("a byte flipped in the middle", &|mut b: Vec<u8>| {
            let mid = b.len() / 2;
            b[mid] ^= 0x01;
            b
        }),
        // A flip that still decodes (say, inside a case number) is caught by the seal.
        ("a byte flipped at a third", &|mut b: Vec<u8>| {
            let at = b.len() / 3;
            b[at] ^= 0x04;
            b
        }),
        ("empty", &|_| Vec::new()),
    ] {
        for f in index_files(&ws) {
            let bytes = std::fs::read(&f).unwrap();
            std::fs::write(&f, damage(bytes)).unwrap();
        }
        same_answers(&ws, &format!("an index {what}"));
    }
    std::fs::remove_dir_all(ws.join(".yingsu/index")).unwrap();
    same_answers(&ws, "the index deleted");

    // Two cases with one 案号: validate tells it, with the index as without (the summaries
    // of both cases are clean on their own).
    let twin = cases.join("2023-渝0112行初45.yaml");
    let twin_text = std::fs::read_to_string(&twin).unwrap();
    let own = "case_number: （2023）渝0112行初45号";
    assert!(twin_text.contains(own));
    std::fs::write(
        &twin,
        twin_text.replacen(own, "case_number: （2023）渝0112行初31号", 1),
    )
    .unwrap();
    let (code, _, err) = common::run_env(&ws, &["validate"], T, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("与案件 2023-渝0112行初31"), "{err}");
    same_answers(&ws, "two cases with one 案号");
    // `validate` now reads every case, the parsed ones from the data files (`cases-*.data`):
    // damaged there, or an older data file put back, the cases are parsed again.
    let data_files = || -> Vec<PathBuf> {
        index_files(&ws)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "data"))
            .collect()
    };
    let data = data_files();
    assert!(!data.is_empty(), "no data file: {:?}", index_files(&ws));
    let older: Vec<Vec<u8>> = data.iter().map(|f| std::fs::read(f).unwrap()).collect();
    // The flip turns 行初31号 into 行初30号 where the cases hold it: read as it is, the two
    // cases would no longer share a 案号 (each parsed case carries its own checksum).
    let needle = "行初31号".as_bytes();
    let mut flipped = 0;
    for f in &data {
        let mut bytes = std::fs::read(f).unwrap();
        for i in 0..bytes.len().saturating_sub(needle.len()) {
            if bytes[i..].starts_with(needle) {
                bytes[i + needle.len() - 4] ^= 0x01;
                flipped += 1;
            }
        }
        std::fs::write(f, bytes).unwrap();
    }
    assert!(flipped > 0, "no 案号 found in the data files");
    same_answers(&ws, "a data file with a 案号 changed in it");
    for f in &data {
        let mut bytes = std::fs::read(f).unwrap();
        let i = bytes.len() / 2;
        bytes[i] ^= 0x04;
        std::fs::write(f, bytes).unwrap();
    }
    same_answers(&ws, "a data file with a byte flipped in the middle");
    std::fs::write(&twin, &twin_text).unwrap();
    same_answers(&ws, "the 案号 put back");
    assert!(
        data.iter()
            .zip(&older)
            .any(|(f, old)| std::fs::read(f).unwrap() != *old),
        "a case parsed again was not kept"
    );
    for (f, old) in data.iter().zip(&older) {
        std::fs::write(f, old).unwrap();
    }
    same_answers(&ws, "an older data file put back");

    // A case deleted, another added (a copy under a new id), one broken.
    let gone = cases.join("2023-渝0112行初22.yaml");
    let kept = std::fs::read_to_string(&gone).unwrap();
    std::fs::remove_file(&gone).unwrap();
    same_answers(&ws, "a case deleted");
    std::fs::write(
        cases.join("2023-渝0112行初922.yaml"),
        kept.replace("行初22号", "行初922号"),
    )
    .unwrap();
    same_answers(&ws, "a case added");
    std::fs::write(
        &file,
        before.replacen("workflow: appearance", "workflow: [", 1),
    )
    .unwrap();
    let (code, _, err) = common::run_env(&ws, &["status"], T, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("2023-渝0112行初15.yaml"), "{err}");
    same_answers(&ws, "a case file broken");
}

/// A record the index holds is what the file says, positions included: a fact with a character
/// no font has is reported by `validate` at its line and column, from the index as from the file.
#[test]
fn messages_point_where_the_file_says() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("demo");
    common::demo_at(&ws);
    let file = ws.join("cases/2023/2023-渝0112行初15.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replacen(
        "  # hearing_place: 区法院第三审判庭",
        "  hearing_place: \"渝北区人民法院第\u{E000}审判庭\"",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(&file, &edited).unwrap();
    let (code, _, without) = common::run_env(&ws, &["validate"], T, &[("YINGSU_INDEX", "off")]);
    assert_eq!(code, 1, "{without}");
    assert!(
        without.contains("--> cases/2023/2023-渝0112行初15.yaml:7:"),
        "{without}"
    );
    for _ in 0..3 {
        let (_, _, with) = common::run_env(&ws, &["validate"], T, &[]);
        assert_eq!(with, without);
    }
    assert!(!index_files(&ws).is_empty());
}

/// A deadline whose `when:` names the day is counted from the case each day: `status` with the
/// index answers as without it, on a day the condition is false and on one it is true.
#[test]
fn a_deadline_that_names_the_day_is_decided_each_day() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("demo");
    common::demo_at(&ws);
    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows/appearance.yaml"),
    )
    .unwrap();
    let loss = "days: loss_report,\n         when: \"outcome in";
    assert!(builtin.contains(loss));
    let by_day = builtin.replace(
        loss,
        "days: loss_report,\n         when: \"today >= '2023-12-25' and outcome in",
    );
    std::fs::create_dir_all(ws.join("workflows")).unwrap();
    std::fs::write(ws.join("workflows/appearance.yaml"), by_day).unwrap();
    let status = |now: &str, on: bool| {
        let env: &[(&str, &str)] = if on { &[] } else { &[("YINGSU_INDEX", "off")] };
        let (code, out, err) = common::run_env(&ws, &["status"], now, env);
        assert_eq!(code, 0, "{err}");
        out
    };
    let before = "2023-12-20T09:00:00+08:00";
    let after = "2023-12-26T09:00:00+08:00";
    let first = status(before, true);
    // Settled: the summaries made by the first run are what answers now.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let _ = status(before, true);
    for now in [before, after] {
        assert_eq!(status(now, true), status(now, false), "{now}");
    }
    assert_eq!(first, status(before, false));
    let count = |out: &str| out.matches("报送败诉案件总结报告").count();
    assert_eq!(count(&status(before, true)), 0);
    assert!(count(&status(after, true)) > 0);
}

/// A change of the configuration that every index entry depends on: one agency more.
fn add_agency(ws: &Path, n: usize) {
    let config = ws.join("yingsu.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let added = text.replacen(
        "agencies:\n",
        &format!(
            "agencies:\n  new{n}:\n    name: 重庆市渝北区新设局{n}\n    short: 区新设局{n}\n    group: departments\n    kind: 部门\n    issuer: qzf\n"
        ),
        1,
    );
    assert_ne!(added, text);
    std::fs::write(&config, added).unwrap();
}

/// After the configuration changes (every entry of the index is dropped), the first command over
/// the archive, whichever group it belongs to, parses each case file once and leaves every
/// group's summary behind it: `stats`, `check`, `status`, `case new`'s 案号 check, `validate`
/// and `render`'s list of steps missing their documents then parse nothing — and answer what
/// they answer with the index switched off. Watched in process, through the count of files the
/// index parsed.
#[test]
fn the_first_command_after_a_change_fills_every_groups_summary() {
    use yingsu::index::cases::parsed_files;
    let tmp = tempfile::tempdir().unwrap();
    let ws_dir = tmp.path().join("demo");
    common::demo_at(&ws_dir);
    let cases = std::fs::read_dir(ws_dir.join("cases/2023"))
        .unwrap()
        .count();
    assert!(cases > 20, "{cases}");
    yingsu::summaries::install();
    let today = chrono::NaiveDate::from_ymd_opt(2023, 12, 20).unwrap();
    let open = |index: bool| {
        let settings = yingsu::Settings {
            index,
            ..yingsu::Settings::default()
        };
        yingsu::Workspace::open_with(&ws_dir, settings).unwrap()
    };
    type Group = (
        &'static str,
        fn(&yingsu::Workspace, chrono::NaiveDate) -> String,
    );
    let groups: [Group; 6] = [
        ("stats", |ws, _| {
            let a = yingsu::stats::Archive::load(ws).unwrap();
            format!("{:?} {:?}", a.records, a.rectifications)
        }),
        ("check", |ws, today| {
            let (a, rows) = yingsu::listing::figures_and_rows(ws, today).unwrap();
            format!("{:?} {rows:?}", a.records)
        }),
        ("status", |ws, today| {
            format!("{:?}", yingsu::engine::status(ws, today).unwrap().rows)
        }),
        ("case new", |ws, _| {
            let r =
                yingsu::engine::audit::check_case_number_unused(ws, "（2023）渝0112行初15号", "x");
            format!("{r:?}")
        }),
        ("validate", |ws, today| {
            let renderer = yingsu::render::TypstRenderer::new();
            format!(
                "{:?}",
                yingsu::validate::validate(ws, &renderer, today).unwrap()
            )
        }),
        ("render", |ws, _| {
            format!(
                "{:?}",
                yingsu::engine::store::steps_missing_documents(ws).unwrap()
            )
        }),
    ];
    for (n, (first, run_first)) in groups.iter().enumerate() {
        add_agency(&ws_dir, n);
        let truth: Vec<String> = groups
            .iter()
            .map(|(_, run)| run(&open(false), today))
            .collect();
        // The case files settle (their times older than the index's clock resolution), so
        // that an entry made now is believed by the next command.
        std::thread::sleep(std::time::Duration::from_millis(2100));
        let ws = open(true);
        let before = parsed_files();
        let _ = run_first(&ws, today);
        assert_eq!(
            parsed_files() - before,
            cases,
            "{first} first: every file parsed once"
        );
        for ((other, run), want) in groups.iter().zip(&truth) {
            let before = parsed_files();
            let got = run(&ws, today);
            assert_eq!(
                parsed_files() - before,
                0,
                "{other} after {first}: parsed again"
            );
            assert_eq!(&got, want, "{other} after {first}");
        }
    }
}
