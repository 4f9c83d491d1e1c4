//! Shared test helpers: a workspace in a temporary folder, a fixed actor, a renderer that records
//! requests instead of typesetting.
#![allow(dead_code)]

pub mod archive;
pub mod bless;
pub mod frames;
pub mod http;
pub mod text;
pub mod webdriver;

use std::path::Path;
use std::sync::Mutex;

use chrono::{FixedOffset, TimeZone};
use yingsu::engine::{Actor, DocRequest, DocumentRenderer, Input};
use yingsu::{Result, Workspace};

/// A renderer that returns a small fixed "PDF" naming the request, and remembers requests.
#[derive(Default)]
pub struct FakeRenderer {
    pub requests: Mutex<Vec<DocRequest>>,
}

impl DocumentRenderer for FakeRenderer {
    fn render(&self, _ws: &Workspace, req: &DocRequest) -> Result<Vec<u8>> {
        self.requests.lock().unwrap().push(req.clone());
        Ok(format!(
            "%PDF-fake {} {} {:?}",
            req.case_id, req.template, req.number
        )
        .into_bytes())
    }
}

pub fn actor(date: &str) -> Actor {
    let tz = FixedOffset::east_opt(8 * 3600).unwrap();
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    Actor {
        who: "测试员".into(),
        now: tz
            .from_local_datetime(&d.and_hms_opt(9, 0, 0).unwrap())
            .unwrap(),
    }
}

/// The test clerk acting at an RFC 3339 time (`2023-05-08T09:00:00+08:00`).
pub fn actor_at(at: &str) -> Actor {
    Actor {
        who: "测试员".into(),
        now: chrono::DateTime::parse_from_rfc3339(at).unwrap(),
    }
}

pub fn sets(pairs: &[&str]) -> Input {
    Input {
        sets: pairs.iter().map(|s| s.to_string()).collect(),
        from: None,
        again: false,
    }
}

/// A fresh workspace made by `init`.
pub fn workspace(dir: &Path) -> Workspace {
    yingsu::workspace::init(dir).unwrap();
    Workspace::open(dir).unwrap()
}

/// The sequence number of case `id`'s 案号 in tests: distinct ids, distinct 案号.
pub fn case_seq(id: &str) -> u32 {
    id.bytes()
        .fold(7u32, |h, b| (h * 31 + u32::from(b)) % 90_000)
        + 1000
}

/// The court's notice for case `id`, with a 案号 of its own (one 案号, one case).
pub fn notice(id: &str) -> Input {
    let seq = case_seq(id);
    let mut input = sets(NOTICE);
    input.sets[0] = format!("case_number=(2023)渝0112行初{seq}号");
    input
}

pub const NOTICE: &[&str] = &[
    "case_number=(2023)渝0112行初123号",
    "court=ybfy",
    "cause=行政处罚",
    "level=一审",
    "plaintiffs=重庆某食品有限公司",
    "agency=scjgj",
    "notice_date=2023-04-20",
    "head_required=true",
    "hearing_date=2023-05-08",
    "hearing_place=区法院第三审判庭",
    "head_name=李某某",
    "head_post=局长",
];

/// The demo workspace built at `dir` by the `yingsu` binary (`yingsu demo DIR`).
pub fn demo_at(dir: &Path) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .arg("demo")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Run the `yingsu` binary in `dir` at the moment `now` (as 测试员), with extra environment:
/// exit code, standard output, standard error.
pub fn run_env(
    dir: &Path,
    args: &[&str],
    now: &str,
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(dir)
        .env("YINGSU_NOW", now)
        .env("YINGSU_USER", "测试员")
        .envs(env.iter().copied())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `root`, by its path relative to `root`, with its bytes: compared before and
/// after a command to prove it wrote nothing (or exactly what it should).
pub fn snapshot(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}
