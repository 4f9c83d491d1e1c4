//! Reading the archive's history back: owns `yingsu log` (who did what and when, from the
//! commits' trailers) and `yingsu show 文号` (the commit that issued a document, and restoring
//! the issued PDF from it when the file is lost or altered).

use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use serde::Serialize;

use super::{CASE, DOCUMENT, FILE, git_error, open};
use crate::error::{Error, Result};
use crate::workspace::Workspace;

/// One commit as `yingsu log` tells it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LogEntry {
    pub commit: String,
    pub at: String,
    pub who: String,
    pub subject: String,
    /// The trailers, in order.
    pub trailers: Vec<(String, String)>,
}

impl LogEntry {
    /// The values of trailer `key`.
    pub fn values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.trailers
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The time as a clerk reads it: `2023-05-08 09:00`.
    pub fn when(&self) -> String {
        DateTime::parse_from_rfc3339(&self.at)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|_| self.at.clone())
    }
}

/// The trailers of a commit message (`Key: value` lines of its last paragraph).
pub fn trailers(message: &str) -> Vec<(String, String)> {
    let last = message.trim_end().rsplit("\n\n").next().unwrap_or("");
    let mut out = Vec::new();
    for line in last.lines() {
        match line.split_once(": ") {
            Some((k, v)) if k.starts_with("Yingsu-") && !k.contains(' ') => {
                out.push((k.to_string(), v.to_string()));
            }
            _ => return Vec::new(),
        }
    }
    out
}

fn entry_of(c: &git2::Commit) -> LogEntry {
    let message = String::from_utf8_lossy(c.message_raw_bytes()).into_owned();
    let time = c.author().when();
    let at = FixedOffset::east_opt(time.offset_minutes() * 60)
        .and_then(|o| o.timestamp_opt(time.seconds(), 0).single())
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
        .unwrap_or_default();
    LogEntry {
        commit: c.id().to_string(),
        at,
        who: String::from_utf8_lossy(c.author().name_bytes()).into_owned(),
        subject: message.lines().next().unwrap_or("").to_string(),
        trailers: trailers(&message),
    }
}

fn not_a_repository() -> Error {
    Error::user(
        "本工作区还不是 git 仓库，没有历史可查",
        "运行 `yingsu init --git` 把它变成仓库，此后每一步都会记入历史",
    )
}

/// Walk the history from `HEAD`, newest first, calling `keep` on each commit's raw message
/// (a cheap filter before the commit is parsed into an entry); stops when `more` says so.
fn walk(repo: &git2::Repository, mut visit: impl FnMut(&git2::Commit) -> bool) -> Result<()> {
    let mut revwalk = repo.revwalk().map_err(|e| git_error("读取历史", e))?;
    // git's own order (newest first, a commit before its parents), streamed: no sorting pass
    // over the whole history first.
    revwalk
        .set_sorting(git2::Sort::NONE)
        .map_err(|e| git_error("读取历史", e))?;
    match revwalk.push_head() {
        Ok(()) => {}
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => return Ok(()),
        Err(e) => return Err(git_error("读取历史", e)),
    }
    for id in revwalk {
        let id = id.map_err(|e| git_error("读取历史", e))?;
        let c = repo.find_commit(id).map_err(|e| git_error("读取历史", e))?;
        if !visit(&c) {
            break;
        }
    }
    Ok(())
}

/// The history of the workspace (of case `case` only, when given; from `since` on, when
/// given), newest first.
pub fn log(root: &Path, case: Option<&str>, since: Option<NaiveDate>) -> Result<Vec<LogEntry>> {
    let repo = open(root).ok_or_else(not_a_repository)?;
    let after = |c: &git2::Commit| {
        since.is_none_or(|since| {
            let t = c.author().when();
            FixedOffset::east_opt(t.offset_minutes() * 60)
                .and_then(|o| o.timestamp_opt(t.seconds(), 0).single())
                .is_none_or(|d| d.date_naive() >= since)
        })
    };
    let mut out = Vec::new();
    match case {
        Some(id) => {
            for oid in case_commits(root, &repo, id)? {
                let c = repo
                    .find_commit(oid)
                    .map_err(|e| git_error("读取历史", e))?;
                if after(&c) {
                    out.push(entry_of(&c));
                }
            }
        }
        None => walk(&repo, |c| {
            if after(c) {
                out.push(entry_of(c));
            }
            true
        })?,
    }
    Ok(out)
}

/// The derived list of which commits name which case: `.yingsu/history.tsv` (yingsu's cache,
/// never committed), its first line the commit it covers up to, then `case<TAB>commit` lines,
/// newest first. Brought up to date by walking only the commits made since.
const CASE_INDEX: &str = ".yingsu/history.tsv";

/// The commits whose trailers name case `id`, newest first.
fn case_commits(root: &Path, repo: &git2::Repository, id: &str) -> Result<Vec<git2::Oid>> {
    let path = root.join(CASE_INDEX);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut lines = text.lines();
    let covered = lines
        .next()
        .and_then(|l| git2::Oid::from_str(l.trim()).ok());
    let head = repo.head().ok().and_then(|h| h.target());
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut reached = false;
    if head.is_some() && head != covered {
        walk(repo, |c| {
            if Some(c.id()) == covered {
                reached = true;
                return false;
            }
            let message = String::from_utf8_lossy(c.message_raw_bytes()).into_owned();
            for (k, v) in trailers(&message) {
                if k == CASE {
                    rows.push((v, c.id().to_string()));
                }
            }
            true
        })?;
    } else {
        reached = covered.is_some();
    }
    // The lines already listed hold when the walk reached the commit they cover.
    let mut listed: Vec<(String, String)> = rows;
    let fresh = head != covered;
    if reached {
        listed.extend(lines.filter_map(|l| {
            let (case, oid) = l.split_once('\t')?;
            Some((case.to_string(), oid.to_string()))
        }));
    }
    if fresh && let Some(head) = head {
        let mut out = format!("{head}\n");
        for (case, oid) in &listed {
            out.push_str(&format!("{case}\t{oid}\n"));
        }
        // Only a shortcut: a failure to save it costs the walk next time.
        let _ = crate::archive::write_atomic(&path, out.as_bytes());
    }
    Ok(listed
        .iter()
        .filter(|(case, _)| case == id)
        .filter_map(|(_, oid)| git2::Oid::from_str(oid).ok())
        .collect())
}

/// Whether the raw message `hay` holds `needle` (std's substring search).
fn contains(hay: &[u8], needle: &str) -> bool {
    String::from_utf8_lossy(hay).contains(needle)
}

/// The largest document file `show` compares (larger ones count as altered).
const MAX_PDF: u64 = 1 << 30;

/// What `yingsu show 文号` found and did.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    /// The commit that issued the document.
    pub entry: LogEntry,
    /// The document's file, relative to the workspace.
    pub file: String,
    /// What was done: `None` the file was as issued; `Some("缺失")` / `Some("被改动")` it was
    /// restored from history.
    pub restored: Option<&'static str>,
}

/// Find the commit that issued the document numbered `number` (the newest one, after a
/// re-issue) and restore its file from that commit, byte for byte, when it is missing or
/// differs.
pub fn show(ws: &Workspace, number: &str, actor: &impl super::Author) -> Result<Shown> {
    let repo = open(&ws.root).ok_or_else(not_a_repository)?;
    let needle = format!("\n{DOCUMENT}: {number}\n");
    let mut found: Option<(LogEntry, String, git2::Oid)> = None;
    walk(&repo, |c| {
        if !contains(c.message_raw_bytes(), &needle) {
            return true;
        }
        let entry = entry_of(c);
        let mut file = None;
        let mut it = entry.trailers.iter();
        while let Some((k, v)) = it.next() {
            if k == DOCUMENT && v == number {
                file = it.next().filter(|(k, _)| k == FILE).map(|(_, v)| v.clone());
                break;
            }
        }
        match file {
            Some(f) => {
                found = Some((entry, f, c.id()));
                false
            }
            None => true,
        }
    })?;
    let Some((entry, file, id)) = found else {
        return Err(Error::user(
            format!("历史中没有印发文号为 {number} 的文书"),
            "核对文号（含括号和年份），或用 `yingsu log 案件编号` 查看案件的历史",
        ));
    };
    let blob = repo
        .find_commit(id)
        .and_then(|c| c.tree())
        .and_then(|t| t.get_path(Path::new(&file)))
        .and_then(|e| e.to_object(&repo))
        .and_then(|o| o.peel_to_blob())
        .map_err(|e| git_error(&format!("从历史读取 {file} "), e))?;
    let issued = blob.content();
    let path = ws.output_path(&file)?;
    let restored = match crate::jail::read_file_inside(&ws.root, Path::new(&file), MAX_PDF) {
        Ok(read) if read.bytes == issued => None,
        Ok(_) => Some("被改动"),
        Err(_) if std::fs::symlink_metadata(&path).is_err() => Some("缺失"),
        Err(_) => Some("被改动"),
    };
    if restored.is_some() {
        let lock = ws.lock_for_writing()?;
        crate::archive::write_atomic(&path, issued)?;
        lock.record(
            ws,
            actor,
            &super::Record::new("show", format!("从历史恢复 {number}"), actor)
                .with(DOCUMENT, number)
                .with(FILE, file.clone()),
        );
    }
    Ok(Shown {
        entry,
        file,
        restored,
    })
}
