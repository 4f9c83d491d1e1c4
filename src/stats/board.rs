//! The overview a front end shows first (the workbench's 首页): owns choosing the open cases
//! by agency, workflow, step, year and a search word (案号, a party's name, the agency's name
//! or the case id), the agenda of what is due among them (`engine::agenda`, as `yingsu agenda`
//! groups it), and the appearance and loss figures of the year (`stats::compute`, as
//! `yingsu stats` gives them) — from the one pass over the cases that `check` makes
//! (`listing::figures_and_rows`, which sits above the statistics and hands its result in).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::engine::agenda::{self, Agenda};
use crate::engine::{StatusRow, Unreadable};
use crate::error::Result;
use crate::workspace::Workspace;

use super::figures::{Archive, Record, norm_case_number};
use super::{Period, Stats};

/// Which open cases the overview shows. Empty fields keep every case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardFilter {
    /// The agency's id (as in yingsu.yaml).
    pub agency: Option<String>,
    pub workflow: Option<String>,
    /// The current step's id.
    pub step: Option<String>,
    /// The year the case was opened (its year folder under `cases/`).
    pub year: Option<i32>,
    /// Only overdue cases.
    pub overdue: bool,
    /// A word found in the case's id, 案号, a party's name or its agency's name.
    pub query: Option<String>,
}

/// An open case as the overview lists it.
#[derive(Debug, Clone)]
pub struct BoardCase {
    pub row: StatusRow,
    /// The 案号 of a litigation case.
    pub case_number: Option<String>,
    /// The plaintiffs of a litigation case.
    pub parties: Vec<String>,
    pub year: Option<i32>,
}

/// The overview: the open cases the filter keeps (in `status` order), what is due among them
/// by agency, and the figures of the year.
#[derive(Debug)]
pub struct Board {
    pub cases: Vec<BoardCase>,
    pub agenda: Agenda,
    /// The statistics of the year chosen (the current year when none is).
    pub stats: Stats,
    /// The years that have cases, newest first.
    pub years: Vec<i32>,
    pub unreadable: Vec<Unreadable>,
}

/// The year a case was opened: the year folder its file is kept in (`cases/2023/…`).
pub fn case_year(row: &StatusRow) -> Option<i32> {
    std::path::Path::new(&row.file)
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
}

/// The agencies a clerk chooses from, as `(id, full name)`, in the order the bureau configured
/// (groups, then each group's units; see [`super::agency_rank`]).
pub fn agency_choices(ws: &Workspace) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = ws
        .config
        .agencies
        .iter()
        .map(|(id, a)| (id.clone(), a.name.clone()))
        .collect();
    out.sort_by_key(|(id, _)| super::agency_rank(ws, id));
    out
}

/// Whether `query` names the case: part of its id, its 案号 (spaces and full-width brackets
/// ignored), a plaintiff's name or its agency's name (short or full). An empty query names
/// every case.
fn names(ws: &Workspace, case: &BoardCase, query: &str) -> bool {
    let q = query.trim();
    if q.is_empty() {
        return true;
    }
    let nq = norm_case_number(q);
    let row = &case.row;
    let agency_names = row.agency.as_deref().map(|a| {
        [
            ws.config.agency_name(a),
            ws.config.agency_short(a),
            a.to_string(),
        ]
    });
    norm_case_number(&row.id).contains(&nq)
        || case
            .case_number
            .as_deref()
            .is_some_and(|n| norm_case_number(n).contains(&nq))
        || case.parties.iter().any(|p| p.contains(q))
        || row.agency_name.as_deref().is_some_and(|n| n.contains(q))
        || agency_names.is_some_and(|ns| ns.iter().any(|n| n.contains(q)))
}

/// The overview on `today` under `filter`, from the cases' figures and status rows as of
/// `today` (`listing::figures_and_rows`).
pub fn board(
    ws: &Workspace,
    today: NaiveDate,
    filter: &BoardFilter,
    (archive, rows): (Archive, Vec<StatusRow>),
) -> Result<Board> {
    let records: BTreeMap<&str, &Record> =
        archive.records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut years: Vec<i32> = rows.iter().filter_map(case_year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let keep = agenda::Filter {
        open: true,
        agency: filter.agency.clone(),
        workflow: filter.workflow.clone(),
        overdue: filter.overdue,
        ..Default::default()
    };
    let cases: Vec<BoardCase> = agenda::select(rows, &keep, today)
        .into_iter()
        .filter(|r| filter.step.as_ref().is_none_or(|s| &r.step == s))
        .map(|row| {
            let rec = records.get(row.id.as_str());
            BoardCase {
                case_number: rec.map(|r| r.case_number.clone()).filter(|n| !n.is_empty()),
                parties: rec.map(|r| r.plaintiffs.clone()).unwrap_or_default(),
                year: case_year(&row),
                row,
            }
        })
        .filter(|c| filter.year.is_none_or(|y| c.year == Some(y)))
        .filter(|c| filter.query.as_deref().is_none_or(|q| names(ws, c, q)))
        .collect();
    let due: Vec<StatusRow> = cases.iter().map(|c| c.row.clone()).collect();
    let period = Period::year(filter.year.unwrap_or(today.year()))?;
    let stats = super::compute(ws, &archive, &period)?;
    Ok(Board {
        agenda: agenda::agenda_on(&due, today, &ws.calendar),
        cases,
        stats,
        years,
        unreadable: archive.unreadable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(file: &str) -> StatusRow {
        StatusRow {
            id: "x".into(),
            workflow: "appearance".into(),
            workflow_title: "出庭应诉".into(),
            step: "notice".into(),
            step_title: "收到出庭应诉通知".into(),
            closed: false,
            withdrawn: false,
            agency: None,
            agency_name: None,
            deadline: None,
            file: file.into(),
            case_number: None,
        }
    }

    #[test]
    fn a_case_is_of_the_year_of_its_folder() {
        assert_eq!(
            case_year(&row("cases/2023/2023-渝0112行初1.yaml")),
            Some(2023)
        );
        assert_eq!(case_year(&row("cases/2019/TA-2023-045.yaml")), Some(2019));
        assert_eq!(case_year(&row("cases/x.yaml")), None);
        assert_eq!(case_year(&row("x.yaml")), None);
    }
}
