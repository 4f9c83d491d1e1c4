//! `yingsu render`: make the given cases' (or all) documents again, keeping their numbers; with
//! `--reissue`, issue them again from today's data. A progress line on a terminal.

use std::io::Write;

use yingsu::engine::{self, Actor};
use yingsu::error::{Diagnostic, Error, Result};
use yingsu::pipeline::TypstRenderer;
use yingsu::workspace::Workspace;

use crate::cli::progress::Progress;
use crate::cli::w;

/// `yingsu render`.
pub fn run(
    ws: &Workspace,
    ids: Vec<String>,
    all: bool,
    jobs: usize,
    reissue: bool,
    out: &mut dyn Write,
) -> Result<()> {
    if ids.is_empty() && !all {
        return Err(Error::user(
            "请指定要重新生成文书的案件编号，或用 --all 生成全部",
            "例如 yingsu render 2023-行初-123，或 yingsu render --all -j 2",
        ));
    }
    let renderer = TypstRenderer::new();
    let actor = Actor::from_env()?;
    // On a terminal, a progress line while the documents are made.
    let progress = if Progress::wanted() {
        Progress::counting(&renderer, yingsu::listing::documents_to_render(ws, &ids))
    } else {
        None
    };
    let outcome = match &progress {
        Some(p) => {
            let outcome = engine::render_cases(ws, &ids, jobs, p, &actor, reissue);
            p.finish();
            outcome?
        }
        None => engine::render_cases(ws, &ids, jobs, &renderer, &actor, reissue)?,
    };
    for line in &outcome.restored {
        w(out, line)?;
    }
    let done = &outcome.rendered;
    let changed = done.iter().filter(|d| d.changed).count();
    let (lost, drifts): (Vec<_>, Vec<_>) = outcome.drifts.iter().partition(|d| d.lost.is_some());
    for d in done {
        w(
            out,
            format!(
                "{} {}  {}",
                if d.changed {
                    "更新"
                } else if lost.iter().any(|l| l.file == d.record.file) {
                    "无法恢复"
                } else {
                    "不变"
                },
                d.record.file,
                d.record.title
            ),
        )?;
    }
    let skipped = done.iter().filter(|d| !d.typeset).count();
    w(
        out,
        if skipped == 0 {
            format!("共 {} 份文书，更新 {changed} 份。", done.len())
        } else {
            format!(
                "共 {} 份文书，更新 {changed} 份；其中 {skipped} 份的排版所用数据（已印发的文书用印发时的数据）、模板和字体都没有变，未重新排版。",
                done.len()
            )
        },
    )?;
    if !drifts.is_empty() {
        w(
            out,
            format!(
                "已印发的文书与当前数据不一致（{} 份，均保持印发时的原样）：",
                drifts.len()
            ),
        )?;
        for d in &drifts {
            let what = if d.changed.is_empty() {
                "模板或字体已改动，按印发时的数据排出的文书与原件不同".to_string()
            } else {
                format!("现在的数据有变化：{}", d.changed.join("、"))
            };
            w(out, format!("  {}《{}》：{what}", d.file, d.title))?;
        }
        let mut ids: Vec<&str> = drifts
            .iter()
            .map(|d| d.case_id.as_str())
            .filter(|id| !id.is_empty())
            .collect();
        ids.dedup();
        if !ids.is_empty() {
            w(
                out,
                format!(
                    "确需按现在的数据重新印发时运行 `yingsu render --reissue {}`（文号不变，并记入办理记录）。",
                    ids.join(" ")
                ),
            )?;
        }
        if drifts.iter().any(|d| d.case_id.is_empty()) {
            w(
                out,
                "报表（月度报送表、季度通报）确需按现在的模板重新印发时，用生成它的 `yingsu report` 命令加上原来的 --date 和 --reissue。",
            )?;
        }
    }
    if all {
        let missing = engine::store::steps_missing_documents(ws)?;
        if !missing.is_empty() {
            w(
                out,
                format!(
                    "以下 {} 个办理步骤没有印发流程规定的文书（render 只重新生成已印发的文书，不会补发；`yingsu validate` 说明如何补办）：",
                    missing.len()
                ),
            )?;
            for (file, line, message) in &missing {
                w(out, format!("  {file}:{line}：{message}"))?;
            }
        }
    }
    if !lost.is_empty() || !outcome.registries.is_empty() {
        let mut diagnostics = outcome.registries.clone();
        for d in &lost {
            // A report is issued again only by its own command; a case's document by render.
            let reissue = if d.case_id.is_empty() {
                "，用生成它的 `yingsu report` 命令加上 --reissue".to_string()
            } else {
                format!(
                    "运行 `yingsu render --reissue {}`（文号不变，并记入办理记录）",
                    d.case_id
                )
            };
            diagnostics.push(
                Diagnostic::new(format!(
                    "已印发的《{}》无法恢复：{}",
                    d.title,
                    d.lost.as_deref().unwrap_or_default()
                ))
                .in_file(&d.file)
                .help(format!(
                    "从 git 历史中取回原件和它的印发记录（例如 `git checkout -- {} {}`）；确需按现在的数据重新印发时{reissue}",
                    d.file,
                    yingsu::engine::issue::frozen_path(&d.file),
                )),
            );
        }
        yingsu::validate::unreadable(&outcome.unreadable)?;
        return Err(Error::Many(diagnostics));
    }
    yingsu::validate::unreadable(&outcome.unreadable)
}
