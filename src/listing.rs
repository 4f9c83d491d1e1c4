//! What the listing commands decide about cases, once, for every front end: which status rows
//! are overdue or lack a deadline's start date, which findings of `check` would open a
//! rectification case and with which notices, how many documents `render` will make, and the one
//! pass over the cases that gives `check` both its figures and its status rows. The command line
//! only prints these.

use chrono::NaiveDate;

use crate::engine::{self, StatusRow};
use crate::error::Result;
use crate::stats::{Archive, Breach, CaseFigures, Rule};
use crate::workspace::Workspace;

/// An open case whose next deadline has passed.
pub fn is_overdue(r: &StatusRow) -> bool {
    !r.closed && r.deadline.as_ref().is_some_and(|d| d.overdue)
}

/// An open case whose next deadline cannot be counted: a start date is missing.
pub fn lacks_start(r: &StatusRow) -> bool {
    !r.closed && r.deadline.as_ref().is_some_and(|d| d.due.is_none())
}

/// The findings `check --open --yes` would open a rectification case for: none covers them
/// yet and no case of their id exists.
pub fn would_open<'a>(ws: &Workspace, breaches: &'a [Breach]) -> Vec<&'a Breach> {
    breaches
        .iter()
        .filter(|b| b.covered_by.is_empty() && engine::case_path(ws, &b.rect_id).is_err())
        .collect()
}

/// The notices the rectification case opened for `b` issues.
pub fn notices_opened(b: &Breach) -> &'static str {
    if b.rule == Rule::Zero {
        "整改通知书、约谈通知书"
    } else {
        "整改通知书"
    }
}

/// The cases' figures and their status rows as of `today`, read in one pass, each case through
/// its summaries in the case index; the archive is as of `today` and names the unreadable files.
pub fn figures_and_rows(ws: &Workspace, today: NaiveDate) -> Result<(Archive, Vec<StatusRow>)> {
    let (both, unreadable, index) = engine::store::each_case(ws, |index, id, path| {
        let case = crate::index::cases::CaseRef::new(index, ws, id, path);
        Ok((
            CaseFigures::read(ws, &case)?,
            engine::row_indexed(ws, &case, today)?,
        ))
    })?;
    index.save();
    let (figures, rows): (Vec<_>, Vec<_>) = both.into_iter().unzip();
    let mut archive = Archive::of_figures(figures, unreadable);
    archive.as_of = Some(today);
    Ok((archive, rows))
}

/// About how many documents `render` makes for the cases `ids` (all when empty): those their
/// histories record. Unreadable cases count none.
pub fn documents_to_render(ws: &Workspace, ids: &[String]) -> usize {
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
