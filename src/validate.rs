//! `validate` as data: owns checking a whole workspace — configuration links, templates, every
//! case, the registries and the issued documents — and returning what was found (the problems,
//! the warnings and hints, the counts and the fonts in use) for a front end to show. Nothing here
//! prints; the caller decides how to say it and which exit code follows.
//!
//! Two ways to the same answer: through the summaries in the case index when it can tell that
//! nothing is wrong, else the whole check over every case. Either way a case file the index holds
//! unchanged, found clean under the same fonts and templates, is not checked again
//! ([`history_problems`] makes that decision, for both).

use std::path::Path;

use chrono::NaiveDate;

use crate::engine::{self, StatusRow};
use crate::error::{Diagnostic, Error, Result};
use crate::index::cases::CaseIndex;
use crate::render::{self, RoleFont, TypstRenderer};
use crate::workspace::Workspace;

/// What `validate` found.
#[derive(Debug)]
pub struct Validation {
    /// Registry lines written back from the issued documents' records (said first).
    pub restored: Vec<String>,
    /// Warnings about the documents (said after the restored lines, whatever the verdict).
    pub warnings: Vec<String>,
    /// The verdict.
    pub outcome: Outcome,
}

/// `validate`'s verdict.
#[derive(Debug)]
pub enum Outcome {
    /// Problems, each at its place; when there are several, the last is their count (a
    /// diagnostic without a file).
    Problems(Vec<Diagnostic>),
    /// Nothing wrong.
    Passed(Passed),
}

/// What a workspace found without problems is made of.
#[derive(Debug)]
pub struct Passed {
    /// Workflows, templates and cases checked.
    pub workflows: usize,
    pub templates: usize,
    pub cases: usize,
    /// 提示 lines: deadlines counted through years the holiday calendar does not cover.
    pub hints: Vec<String>,
    /// Values `init` left to fill in, each with its line in `yingsu.yaml` (see
    /// [`crate::config::Config::unfilled`]).
    pub unfilled: Vec<String>,
    /// The font serving each role of the documents, or why they could not be found (said after
    /// the rest).
    pub fonts: Result<Vec<RoleFont>>,
}

impl Validation {
    /// The verdict as a result: the problems as one error (`Error::Many`), or what passed.
    pub fn into_result(self) -> Result<Passed> {
        match self.outcome {
            Outcome::Problems(found) => Err(Error::Many(found)),
            Outcome::Passed(p) => Ok(p),
        }
    }
}

/// `yingsu validate`: configuration, workflows, templates and every case as of `today`; the
/// fonts in use. Every problem found is reported, not only the first. Registry lines missing
/// from the issued documents' records are written back (as `validate` always did) and said in
/// [`Validation::restored`].
pub fn validate(ws: &Workspace, renderer: &TypstRenderer, today: NaiveDate) -> Result<Validation> {
    let mut problems: Vec<Diagnostic> = Vec::new();
    // Each workspace template compiled, then typeset once on sample data within its limits.
    let templates = render::check_templates(ws).and_then(|()| render::check_template_bounds(ws));
    let templates_ok = templates.is_ok();
    collect(&mut problems, templates);
    let links = ws.links_out();
    let links_ok = links.is_empty();
    if !links_ok {
        collect(&mut problems, Err(Error::Many(links)));
    }
    // Attached files are not case files: checked on every run, before the index's shortcut.
    let attachments = engine::attach::check_files(ws);
    let attachments_ok = attachments.is_empty();
    problems.extend(attachments);
    let mut restored: Vec<String> = Vec::new();
    if templates_ok && links_ok && attachments_ok {
        let (found, lines) = through_index(ws, renderer, today)?;
        restored = lines;
        if let Some((cases, rows)) = found {
            return passed(ws, renderer, cases, &rows, restored);
        }
    }
    let (loaded, unreadable_files, index) = engine::store::load_all_indexed(ws)?;
    let (views, shas): (Vec<_>, Vec<_>) = loaded.into_iter().unzip();
    collect(&mut problems, unreadable(&unreadable_files));
    let docs: Vec<engine::audit::IssuedDoc> = views
        .iter()
        .flat_map(|v| engine::audit::issued_docs(ws, v))
        .collect();
    // Before the audit, which compares the histories' numbers with the registries.
    let (more, registry_problems) = engine::audit::registries(ws, &docs);
    restored.extend(more);
    problems.extend(registry_problems);
    problems.extend(engine::audit::audit(ws, &views));
    problems.extend(engine::audit::issued_files(ws, &docs));
    problems.extend(engine::audit::issued_report_files(ws));
    // One typesetter for every character checked.
    let typesetter = renderer.typesetter(ws).ok();
    let covers = |c: char| typesetter.as_ref().is_none_or(|t| t.covers_body(c));
    {
        use rayon::prelude::*;
        let inputs = crate::index::inputs_fingerprint(ws);
        let found: Vec<Vec<Diagnostic>> = views
            .par_iter()
            .zip(&shas)
            .map(|(v, sha)| {
                let known = sha.as_deref();
                history_problems(&index, &v.case.path, known, &inputs, || {
                    let found = engine::audit::history_values(ws, v, &covers);
                    let markable = typesetter.is_some();
                    Ok((found, known.map(str::to_string).filter(|_| markable)))
                })
            })
            .collect::<Result<_>>()?;
        problems.extend(found.into_iter().flatten());
    }
    index.save();
    problems.extend(engine::audit::stale_temps(ws));
    if !problems.is_empty() {
        if problems.len() > 1 {
            let n = problems.len();
            problems.push(
                Diagnostic::new(format!("检查发现 {n} 处问题"))
                    .help("逐条修正后重新运行 `yingsu validate`"),
            );
        }
        return Ok(Validation {
            restored,
            warnings: engine::audit::document_warnings(ws, None),
            outcome: Outcome::Problems(problems),
        });
    }
    let rows = engine::status_of(ws, &views, today)?;
    let cases = views.len();
    engine::release(views);
    passed(ws, renderer, cases, &rows, restored)
}

/// Add the problems of `r` (its diagnostics, or its message) to `problems`.
fn collect(problems: &mut Vec<Diagnostic>, r: Result<()>) {
    if let Err(e) = r {
        let found: Vec<Diagnostic> = e.diagnostics().into_iter().cloned().collect();
        if found.is_empty() {
            problems.push(Diagnostic::new(e.to_string()));
        } else {
            problems.extend(found);
        }
    }
}

/// The problems in a case's history values, through the index's marks: none when the index
/// holds the file at `path` unchanged (`known`, its SHA-256) and found it clean under the same
/// fonts and templates (`inputs`); else `check`'s, which also gives the SHA-256 to mark the file
/// clean under when it found nothing (`None` when it cannot be marked: no SHA-256, or the fonts
/// were not known, so a character was not checked against them). The one place that decides.
fn history_problems(
    index: &CaseIndex,
    path: &Path,
    known: Option<&str>,
    inputs: &str,
    check: impl FnOnce() -> Result<(Vec<Diagnostic>, Option<String>)>,
) -> Result<Vec<Diagnostic>> {
    if let Some(sha) = known.filter(|s| !s.is_empty())
        && index.is_clean(path, sha, inputs)
    {
        return Ok(Vec::new());
    }
    let (found, sha) = check()?;
    if let Some(sha) = sha.filter(|s| found.is_empty() && !s.is_empty()) {
        index.mark_clean(path, &sha, inputs);
    }
    Ok(found)
}

/// What `validate` says when it found nothing wrong in `cases` cases (whose status rows are
/// `rows`): the counts, the calendar's gaps, what `init` left to fill in, the fonts in use.
fn passed(
    ws: &Workspace,
    renderer: &TypstRenderer,
    cases: usize,
    rows: &[StatusRow],
    restored: Vec<String>,
) -> Result<Validation> {
    let warnings = engine::audit::document_warnings(ws, None);
    let source = std::fs::read_to_string(ws.root.join("yingsu.yaml")).unwrap_or_default();
    let passed = Passed {
        workflows: ws.workflows.len(),
        templates: ws.templates.len(),
        cases,
        hints: calendar_hints(rows),
        unfilled: ws.config.unfilled(&source),
        fonts: render::role_fonts(ws, renderer),
    };
    Ok(Validation {
        restored,
        warnings,
        outcome: Outcome::Passed(passed),
    })
}

/// The number of cases checked and their status rows.
type Checked = (usize, Vec<StatusRow>);

/// `validate`'s check of every case through the summaries in the case index, when it can tell
/// that nothing is wrong: the number of cases and their status rows. `None` as soon as anything
/// may be wrong (an unreadable file, a problem in a history, a 案号 or number used twice, a
/// temporary file left behind) or the index is off: the whole check then runs and reports it.
/// Also the registry lines it wrote back from the issued documents' records.
fn through_index(
    ws: &Workspace,
    renderer: &TypstRenderer,
    today: NaiveDate,
) -> Result<(Option<Checked>, Vec<String>)> {
    use engine::audit;
    if !crate::index::enabled() {
        return Ok((None, Vec::new()));
    }
    // Looking through the archive's folders for leftovers waits on the file system more than
    // it computes: it runs on a thread of its own while the cases are read.
    let (read, no_leftovers) = crate::par::beside(
        || indexed_cases(ws, renderer, today),
        || audit::stale_temps(ws).is_empty(),
    );
    read.map(|(found, restored)| (found.filter(|_| no_leftovers), restored))
}

/// [`through_index`] but for temporary files left behind.
fn indexed_cases(
    ws: &Workspace,
    renderer: &TypstRenderer,
    today: NaiveDate,
) -> Result<(Option<Checked>, Vec<String>)> {
    use engine::audit::{self, AUDIT_KIND, AuditSummary};
    let inputs = crate::index::inputs_fingerprint(ws);
    // Built only if a history must be checked (its characters against the fonts).
    let typesetter = std::sync::OnceLock::new();
    let fonts = || typesetter.get_or_init(|| renderer.typesetter(ws).ok());
    let covers = |c: char| fonts().as_ref().is_none_or(|t| t.covers_body(c));
    let (found, unreadable, index) = engine::store::each_case(ws, |index, id, path| {
        let case = crate::index::cases::CaseRef::new(index, ws, id, path);
        let summary: AuditSummary = case.summary(AUDIT_KIND, |v| audit::summary(ws, v))?;
        let row = engine::row_indexed(ws, &case, today)?;
        let problems = history_problems(index, path, case.sha256(), &inputs, || {
            // Nothing to find when the fonts show every character the check would ask about
            // (kept in the index, so the case need not be at hand).
            let glyphs: Option<String> =
                case.summary(audit::GLYPHS_KIND, |v| audit::history_glyphs(ws, v))?;
            if glyphs.is_some_and(|g| g.chars().all(covers)) {
                let sha = case.sha256().map(str::to_string);
                return Ok((Vec::new(), sha.filter(|_| fonts().is_some())));
            }
            let (view, sha) = case.load()?;
            let problems = audit::history_values(ws, view, &covers);
            Ok((problems, sha.clone().filter(|_| fonts().is_some())))
        })?;
        Ok((summary, row, problems.is_empty()))
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

/// 提示 lines for deadlines counted through years the holiday calendar does not cover (said by
/// `validate`, `status` and `agenda`).
pub fn calendar_hints(rows: &[StatusRow]) -> Vec<String> {
    let mut years: Vec<i32> = rows
        .iter()
        .filter_map(|r| r.deadline.as_ref())
        .flat_map(|d| d.uncovered_years.iter().copied())
        .collect();
    years.sort();
    years.dedup();
    if years.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "提示：{}",
        crate::calendar::uncovered_message(&years)
    )]
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
