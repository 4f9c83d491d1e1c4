//! Many workspaces: owns combining the figures of several workspaces — a city or provincial
//! justice bureau reading its districts' archives (their git clones) side by side. Each
//! workspace is read on its own (in parallel), by its own configuration; the combined figures
//! are the sums of the counts, with rates computed from the sums, never averages of rates.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Archive, Counts, Period, Row, Stats, compute, floor_permille};
use crate::error::{Error, Result};
use crate::workspace::Workspace;

/// One member workspace's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    /// Its folder, as given.
    pub dir: String,
    /// Its `region` from `yingsu.yaml`.
    pub region: String,
    pub stats: Stats,
    /// Case files of this member that could not be read (the figures leave them out).
    pub unreadable: Vec<String>,
}

/// The figures of every member and their sum.
#[derive(Debug, Clone, Serialize)]
pub struct Combined {
    pub members: Vec<Member>,
    /// One row per member (its region's total) and, last, the sum of all of them.
    pub rows: Vec<Row>,
}

/// The member workspaces of `ws`: the `members:` of its `yingsu.yaml`, relative to its folder.
pub fn configured(ws: &Workspace) -> Vec<PathBuf> {
    ws.config
        .members
        .iter()
        .map(|m| {
            let p = Path::new(m);
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                ws.root.join(p)
            }
        })
        .collect()
}

/// Open every workspace of `dirs` (each must hold a `yingsu.yaml`). A workspace named twice
/// (`w20` and `./w20/`, or a link to it) is an error: its figures would count twice in the total.
pub fn open(dirs: &[PathBuf]) -> Result<Vec<(String, Workspace)>> {
    use rayon::prelude::*;
    let mut seen: Vec<(PathBuf, &PathBuf)> = Vec::new();
    for d in dirs {
        let Ok(real) = d.canonicalize() else { continue };
        if let Some((_, first)) = seen.iter().find(|(r, _)| *r == real) {
            return Err(Error::user(
                format!(
                    "工作区 {} 与 {} 是同一个目录，汇总时会被计算两次",
                    d.display(),
                    first.display()
                ),
                "--workspace 和 yingsu.yaml 的 members 中每个工作区只写一次",
            ));
        }
        seen.push((real, d));
    }
    dirs.par_iter()
        .map(|d| {
            if !d.join("yingsu.yaml").is_file() {
                return Err(Error::user(
                    format!("{} 不是 yingsu 工作区（找不到 yingsu.yaml）", d.display()),
                    "--workspace 和 yingsu.yaml 的 members 写各区县工作区（git 克隆）的目录",
                ));
            }
            Ok((d.display().to_string(), Workspace::open(d)?))
        })
        .collect()
}

/// The figures of `period` in every member, and their sum.
pub fn combined(members: &[(String, Workspace)], period: &Period) -> Result<Combined> {
    use rayon::prelude::*;
    let each: Vec<Member> = members
        .par_iter()
        .map(|(dir, ws)| {
            let archive = Archive::load(ws)?;
            let stats = compute(ws, &archive, period)?;
            Ok(Member {
                dir: dir.clone(),
                region: ws.config.region.clone(),
                stats,
                unreadable: archive.unreadable.iter().map(|u| u.file.clone()).collect(),
            })
        })
        .collect::<Result<_>>()?;
    let floor = members
        .first()
        .map(|(_, ws)| floor_permille(ws))
        .unwrap_or(900);
    let mut rows = Vec::new();
    let (mut cur, mut prev) = (Counts::default(), Counts::default());
    let mut denoms: Vec<&'static str> = Vec::new();
    for m in &each {
        let Some(t) = m.stats.total() else { continue };
        cur.add(&t.counts);
        prev.add(&t.previous);
        denoms.push(t.denominator);
        let name = if m.region.is_empty() {
            m.dir.clone()
        } else {
            m.region.clone()
        };
        rows.push(Row::build(
            "member",
            &m.dir,
            &name,
            t.denominator,
            t.counts.clone(),
            t.previous.clone(),
            floor,
        ));
    }
    denoms.sort();
    denoms.dedup();
    let denominator = if denoms.len() == 1 {
        denoms[0]
    } else {
        "mixed"
    };
    rows.push(Row::build(
        "total",
        "total",
        "合计",
        denominator,
        cur,
        prev,
        floor,
    ));
    Ok(Combined {
        members: each,
        rows,
    })
}
