//! `validate`, `status` and `render`: the commands over all of a workspace's records.

use std::io::Write;

use super::progress::Progress;

use yingsu::engine::{self, Actor};
use yingsu::error::{Diagnostic, Error, Result};
use yingsu::render::{self, TypstRenderer};
use yingsu::workspace::Workspace;

use super::{print_table, w};

/// `yingsu validate`: configuration, workflows, templates and every case; the fonts in use.
/// Every problem found is reported, not only the first.
pub fn validate(ws: &Workspace, out: &mut dyn Write) -> Result<()> {
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut collect = |r: Result<()>| {
        if let Err(e) = r {
            let found: Vec<Diagnostic> = e.diagnostics().into_iter().cloned().collect();
            if found.is_empty() {
                problems.push(Diagnostic::new(e.to_string()));
            } else {
                problems.extend(found);
            }
        }
    };
    // Each workspace template compiled, then typeset once on sample data within its limits.
    let templates = render::check_templates(ws).and_then(|()| render::check_template_bounds(ws));
    let templates_ok = templates.is_ok();
    collect(templates);
    let links = ws.links_out();
    let links_ok = links.is_empty();
    if !links_ok {
        collect(Err(Error::Many(links)));
    }
    // Registry lines written back from the issued documents' records (said before the rest).
    let mut restored: Vec<String> = Vec::new();
    if templates_ok && links_ok {
        let (found, lines) = validate_through_index(ws)?;
        restored = lines;
        if let Some((cases, rows)) = found {
            return validated(ws, cases, &rows, &restored, out);
        }
    }
    let (loaded, unreadable_files, index) = engine::store::load_all_indexed(ws)?;
    let (views, shas): (Vec<_>, Vec<_>) = loaded.into_iter().unzip();
    collect(unreadable(&unreadable_files));
    let docs: Vec<engine::audit::IssuedDoc> = views
        .iter()
        .flat_map(|v| engine::audit::issued_docs(ws, v))
        .collect();
    // Before the audit, which compares the histories' numbers with the registries.
    let (more, registry_problems) = engine::audit::registries(ws, &docs);
    restored.extend(more);
    for line in &restored {
        w(out, line)?;
    }
    problems.extend(registry_problems);
    problems.extend(engine::audit::audit(ws, &views));
    problems.extend(engine::audit::issued_files(ws, &docs));
    problems.extend(engine::audit::issued_report_files(ws));
    let renderer = TypstRenderer::new();
    // One typesetter for every character checked.
    let typesetter = renderer.typesetter(ws).ok();
    let covers = |c: char| typesetter.as_ref().is_none_or(|t| t.covers_body(c));
    {
        use rayon::prelude::*;
        // A case file the index holds unchanged, found clean under the same fonts and
        // templates, is not checked again.
        let inputs = yingsu::index::inputs_fingerprint(ws);
        let found: Vec<Vec<Diagnostic>> = views
            .par_iter()
            .zip(&shas)
            .map(|(v, sha)| {
                let sha = sha.as_deref().unwrap_or("");
                if !sha.is_empty() && index.is_clean(&v.case.path, sha, &inputs) {
                    return Vec::new();
                }
                let found = engine::audit::history_values(ws, v, &covers);
                if found.is_empty() && typesetter.is_some() && !sha.is_empty() {
                    index.mark_clean(&v.case.path, sha, &inputs);
                }
                found
            })
            .collect();
        problems.extend(found.into_iter().flatten());
    }
    index.save();
    problems.extend(engine::audit::stale_temps(ws));
    if !problems.is_empty() {
        for line in engine::audit::document_warnings(ws, None) {
            w(out, line)?;
        }
    }
    if problems.len() == 1 {
        return Err(Error::Many(problems));
    }
    if !problems.is_empty() {
        let n = problems.len();
        problems.push(
            Diagnostic::new(format!("检查发现 {n} 处问题"))
                .help("逐条修正后重新运行 `yingsu validate`"),
        );
        return Err(Error::Many(problems));
    }
    let rows = engine::status_of(ws, &views, Actor::from_env()?.today())?;
    let cases = views.len();
    engine::release(views);
    validated(ws, cases, &rows, &[], out)
}

/// What `validate` says when it found nothing wrong in `cases` cases (whose status rows are
/// `rows`): the counts, the calendar's gaps, the fonts in use.
fn validated(
    ws: &Workspace,
    cases: usize,
    rows: &[engine::StatusRow],
    restored: &[String],
    out: &mut dyn Write,
) -> Result<()> {
    for line in restored {
        w(out, line)?;
    }
    for line in engine::audit::document_warnings(ws, None) {
        w(out, line)?;
    }
    w(
        out,
        format!(
            "检查通过：{} 个流程，{} 个模板，{} 个案件。",
            ws.workflows.len(),
            ws.templates.len(),
            cases
        ),
    )?;
    for line in super::status::calendar_warnings(rows) {
        w(out, line)?;
    }
    // Placeholders `init` wrote (issue 26): documents leave them out until they are filled
    // in. Said on standard error, like other warnings: standard output stays the report.
    let source = std::fs::read_to_string(ws.root.join("yingsu.yaml")).unwrap_or_default();
    for line in ws.config.unfilled(&source) {
        eprintln!("未填写：{line}，文书中不印这一项；请改为实际的内容");
    }
    w(out, "文书使用的字体：")?;
    let fonts: Vec<Vec<String>> = render::role_fonts(ws, &TypstRenderer::new())?
        .into_iter()
        .map(|f| {
            let note = match f.instead_of {
                Some(o) => format!("（未找到{o}，以此代替）"),
                None => String::new(),
            };
            vec![f.role, format!("{}{note}", f.family), f.source]
        })
        .collect();
    print_table(out, &["用途", "字体", "来源"], &fonts)
}

/// `validate`'s check of every case through the summaries in the case index, when it can tell
/// that nothing is wrong: the number of cases and their status rows. `None` as soon as anything
/// may be wrong (an unreadable file, a problem in a history, a 案号 or number used twice, a
/// temporary file left behind) or the index is off: the whole check then runs and reports it.
/// A case whose history was found clean under the same fonts and templates is not read again.
/// Also the registry lines it wrote back from the issued documents' records.
fn validate_through_index(ws: &Workspace) -> Result<(Option<Checked>, Vec<String>)> {
    use engine::audit;
    if !yingsu::index::enabled() {
        return Ok((None, Vec::new()));
    }
    // Looking through the archive's folders for leftovers waits on the file system more than
    // it computes: it runs on a thread of its own while the cases are read.
    let (read, no_leftovers) =
        yingsu::par::beside(|| validate_cases(ws), || audit::stale_temps(ws).is_empty());
    read.map(|(found, restored)| (found.filter(|_| no_leftovers), restored))
}

/// The number of cases checked and their status rows.
type Checked = (usize, Vec<engine::StatusRow>);

/// [`validate_through_index`] but for temporary files left behind.
fn validate_cases(ws: &Workspace) -> Result<(Option<Checked>, Vec<String>)> {
    use engine::audit::{self, AUDIT_KIND, AuditSummary};
    let today = Actor::from_env()?.today();
    let inputs = yingsu::index::inputs_fingerprint(ws);
    let renderer = TypstRenderer::new();
    // Built only if a history must be checked (its characters against the fonts).
    let typesetter = std::sync::OnceLock::new();
    let fonts = || typesetter.get_or_init(|| renderer.typesetter(ws).ok());
    let covers = |c: char| fonts().as_ref().is_none_or(|t| t.covers_body(c));
    let (found, unreadable, index) = engine::store::each_case(ws, |index, id, path| {
        let case = yingsu::index::cases::CaseRef::new(index, ws, id, path);
        let summary: AuditSummary = case.summary(AUDIT_KIND, |v| audit::summary(ws, v))?;
        let row = engine::row_indexed(ws, &case, today)?;
        let clean = match case.sha256() {
            Some(sha) if index.is_clean(path, sha, &inputs) => true,
            _ => {
                let (view, sha) = case.load()?;
                let problems = audit::history_values(ws, view, &covers);
                let fonts_known = fonts().is_some();
                if let Some(sha) = sha
                    .as_deref()
                    .filter(|_| problems.is_empty() && fonts_known)
                {
                    index.mark_clean(path, sha, &inputs);
                }
                problems.is_empty()
            }
        };
        Ok((summary, row, clean))
    })?;
    index.save();
    let all_clean = found.iter().all(|(_, _, clean)| *clean);
    let docs = || found.iter().flat_map(|(s, _, _)| &s.documents);
    // Before the audit, which compares the histories' numbers with the registries.
    let (restored, registry_problems) = audit::registries(ws, docs());
    if !unreadable.is_empty()
        || !all_clean
        || !registry_problems.is_empty()
        || !audit::all_clear(ws, found.iter().map(|(s, _, _)| s))
        || !audit::issued_files(ws, docs()).is_empty()
        || !audit::issued_report_files(ws).is_empty()
    {
        return Ok((None, restored));
    }
    let cases = found.len();
    Ok((
        Some((cases, found.into_iter().map(|(_, r, _)| r).collect())),
        restored,
    ))
}

/// The case files a listing could not read, as the command's error (after its output): each
/// at its place, then how many.
pub fn unreadable(list: &[engine::Unreadable]) -> Result<()> {
    if list.is_empty() {
        return Ok(());
    }
    let mut diags: Vec<Diagnostic> = list.iter().flat_map(|u| u.diagnostics()).collect();
    diags.push(
        Diagnostic::new(format!(
            "以上 {} 个案件文件无法读取，未列入结果：{}",
            list.len(),
            list.iter()
                .map(|u| u.file.as_str())
                .collect::<Vec<_>>()
                .join("、")
        ))
        .help("按上面的提示修正这些文件后重新运行；其余案件已照常列出"),
    );
    Err(Error::Many(diags))
}

/// `yingsu render`: make the given cases' (or all) documents again.
/// About how many documents `render` makes for these cases (all when `ids` is empty): those
/// their histories record. Unreadable cases count none.
fn documents_of(ws: &Workspace, ids: &[String]) -> usize {
    let count = |v: &engine::CaseView<'_>| {
        v.case
            .history
            .iter()
            .map(|h| h.documents.len())
            .sum::<usize>()
    };
    if ids.is_empty() {
        // Through the case index, which `render` then finds up to date.
        return engine::load_all(ws)
            .map(|(views, _)| views.iter().map(count).sum())
            .unwrap_or(0);
    }
    ids.iter()
        .filter_map(|id| engine::load_case(ws, id).ok())
        .map(|v| count(&v))
        .sum()
}

pub fn render(
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
        Progress::counting(&renderer, documents_of(ws, &ids))
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
        unreadable(&outcome.unreadable)?;
        return Err(Error::Many(diagnostics));
    }
    unreadable(&outcome.unreadable)
}
