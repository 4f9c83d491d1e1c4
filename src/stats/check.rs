//! Target checks and the rectification cases they open.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::{self, Actor, DocumentRenderer, Input};
use crate::error::{Error, Result};
use crate::facts;
use crate::workspace::Workspace;

use super::figures::{self, Archive, UNJUSTIFIED, fmt_permille, norm_case_number};
use super::period::Period;

/// A supervision rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Rate below the floor.
    Floor,
    /// Rate 0%: interview.
    Zero,
    /// A case flagged in `require_full` without the head.
    Full,
    /// Absence without a valid reason.
    Unjustified,
}

impl Rule {
    pub fn slug(self) -> &'static str {
        match self {
            Rule::Floor => "floor",
            Rule::Zero => "zero",
            Rule::Full => "full",
            Rule::Unjustified => "unjustified",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Rule::Floor => "出庭率低于下限",
            Rule::Zero => "出庭率为零（约谈）",
            Rule::Full => "应当出庭的案件未出庭",
            Rule::Unjustified => "无正当理由不出庭",
        }
    }

    /// The `reason` of the rectification workflow.
    pub fn reason(self) -> &'static str {
        match self {
            Rule::Floor | Rule::Full => "出庭率未达标",
            Rule::Zero => "出庭率为零",
            Rule::Unjustified => "无正当理由不出庭",
        }
    }
}

/// One breach of a target by one agency in one period.
#[derive(Debug, Clone, Serialize)]
pub struct Breach {
    pub rule: Rule,
    pub agency: String,
    pub agency_name: String,
    /// Case numbers concerned.
    pub cases: Vec<String>,
    /// The facts found, one sentence (becomes the rectification's `findings`).
    pub detail: String,
    /// The rectification case this breach opens: `ZG-<period>-<agency>-<rule>`.
    pub rect_id: String,
    /// Rectification cases that already cover it (then nothing is opened).
    pub covered_by: Vec<String>,
}

fn agency_name(ws: &Workspace, id: &str) -> String {
    ws.config.agency_name(id)
}

/// Every breach of the targets in `period`, by agency (in the configured order) then rule.
/// Only hearings held by the archive's as-of day count: a case still to be heard, adjourned or
/// not yet recorded is never a hearing without the head.
pub fn check(ws: &Workspace, archive: &Archive, period: &Period) -> Result<Vec<Breach>> {
    let t = &ws.config.targets;
    let floor = super::floor_permille(ws);
    let code = period.code();
    let label = period.label();
    let mut out = Vec::new();
    let rect = |agency: &str, rule: Rule| format!("ZG-{code}-{agency}-{}", rule.slug());
    let covered = |id: &str| {
        if archive.ids.contains(id) {
            vec![id.to_string()]
        } else {
            vec![]
        }
    };

    let as_of = archive.as_of;
    // Rates per agency, in the configured order.
    let counts = figures::count_by_agency(ws, archive, period);
    let mut counts: Vec<(&String, &figures::Counts)> = counts.iter().collect();
    counts.sort_by_key(|(a, _)| super::agency_rank(ws, a));
    let mut by_agency: BTreeMap<&str, Vec<&figures::Record>> = BTreeMap::new();
    for r in &archive.records {
        by_agency.entry(r.agency.as_str()).or_default().push(r);
    }
    for (agency, c) in counts {
        if c.counted == 0 {
            continue;
        }
        let denom = match figures::denominator_of(ws, agency) {
            crate::config::Denominator::Notices => "法院通知负责人出庭应诉并已开庭审理的案件",
            crate::config::Denominator::Hearings => "开庭审理的一审行政诉讼案件",
        };
        // What is left out, said so that the figures add up for the reader.
        let pending = if c.pending > 0 {
            format!("另有{}件尚未开庭，未计入。", c.pending)
        } else {
            String::new()
        };
        let Some(rate) = c.rate().permille() else {
            continue;
        };
        // The counted cases without the head.
        let missing: Vec<String> = by_agency
            .get(agency.as_str())
            .map(|rs| {
                rs.iter()
                    .filter(|r| r.heard(as_of) && !r.appeared(as_of))
                    .filter(|r| match figures::denominator_of(ws, agency) {
                        crate::config::Denominator::Notices => {
                            r.head_required && r.notice_date.is_some_and(|d| period.contains(d))
                        }
                        crate::config::Denominator::Hearings => {
                            r.first_instance()
                                && r.first_hearing(as_of).is_some_and(|d| period.contains(d))
                        }
                    })
                    .map(|r| r.case_number.clone())
                    .collect()
            })
            .unwrap_or_default();
        let name = agency_name(ws, agency);
        if c.appeared == 0 && t.interview_at_zero {
            let id = rect(agency, Rule::Zero);
            out.push(Breach {
                rule: Rule::Zero,
                agency: agency.clone(),
                agency_name: name.clone(),
                detail: format!(
                    "{label}，{name}{denom}{}件，行政机关负责人出庭应诉0件，出庭应诉率为0。{pending}",
                    c.counted
                ),
                cases: missing,
                covered_by: covered(&id),
                rect_id: id,
            });
        } else if rate < floor {
            let id = rect(agency, Rule::Floor);
            out.push(Breach {
                rule: Rule::Floor,
                agency: agency.clone(),
                agency_name: name.clone(),
                detail: format!(
                    "{label}，{name}{denom}{}件，行政机关负责人出庭应诉{}件，出庭应诉率为{}%，低于{}%。{pending}",
                    c.counted,
                    c.appeared,
                    fmt_permille(rate),
                    fmt_permille(floor)
                ),
                cases: missing,
                covered_by: covered(&id),
                rect_id: id,
            });
        }
    }

    // Flagged cases without the head; each flag named by its label in the case's workflow.
    let flag_label = |r: &figures::Record, k: &str| {
        ws.workflows
            .get(&r.workflow)
            .and_then(|wf| wf.field(k))
            .map(|f| f.label.clone())
            .unwrap_or_else(|| k.to_string())
    };
    for (agency, recs) in &by_agency {
        let hits: Vec<&&figures::Record> = recs
            .iter()
            .filter(|r| {
                !r.flags.is_empty()
                    && !r.appeared(as_of)
                    && r.first_hearing(as_of).is_some_and(|d| period.contains(d))
            })
            .collect();
        if hits.is_empty() {
            continue;
        }
        let name = agency_name(ws, agency);
        let id = rect(agency, Rule::Full);
        let list: Vec<String> = hits
            .iter()
            .map(|r| {
                let flags: Vec<String> = r.flags.iter().map(|f| flag_label(r, f)).collect();
                format!("{}（{}）", r.case_number, flags.join("、"))
            })
            .collect();
        out.push(Breach {
            rule: Rule::Full,
            agency: agency.to_string(),
            agency_name: name.clone(),
            detail: format!(
                "{label}，{name}应当由行政机关负责人出庭应诉的案件{}件负责人未出庭：{}。",
                hits.len(),
                list.join("；")
            ),
            cases: hits.iter().map(|r| r.case_number.clone()).collect(),
            covered_by: covered(&id),
            rect_id: id,
        });
    }

    // Absences without a valid reason.
    if t.rectify_unjustified {
        for (agency, recs) in &by_agency {
            let name = agency_name(ws, agency);
            let mut fresh = Vec::new();
            for r in recs {
                for h in r.held(as_of) {
                    let Some(d) = h.date else { continue };
                    if h.appeared != Some(false)
                        || h.absence_reason.as_deref() != Some(UNJUSTIFIED)
                        || !period.contains(d)
                    {
                        continue;
                    }
                    let mut by: Vec<String> = h
                        .opened
                        .iter()
                        .filter(|o| archive.ids.contains(*o))
                        .cloned()
                        .collect();
                    let own = format!("{}-整改", r.id);
                    if archive.ids.contains(&own) && !by.contains(&own) {
                        by.push(own);
                    }
                    let num = norm_case_number(&r.case_number);
                    for x in &archive.rectifications {
                        if x.reason == "无正当理由不出庭"
                            && x.source_cases.iter().any(|s| norm_case_number(s) == num)
                            && !by.contains(&x.id)
                        {
                            by.push(x.id.clone());
                        }
                    }
                    let what = format!(
                        "{}案于{}开庭，行政机关负责人{}未出庭应诉，且无正当理由",
                        r.case_number,
                        facts::format_date_zh(d),
                        h.head_name.clone().unwrap_or_default()
                    );
                    if by.is_empty() {
                        fresh.push((r.case_number.clone(), what));
                    } else {
                        out.push(Breach {
                            rule: Rule::Unjustified,
                            agency: agency.to_string(),
                            agency_name: name.clone(),
                            detail: format!("{what}。"),
                            cases: vec![r.case_number.clone()],
                            rect_id: by[0].clone(),
                            covered_by: by,
                        });
                    }
                }
            }
            if !fresh.is_empty() {
                let id = rect(agency, Rule::Unjustified);
                out.push(Breach {
                    rule: Rule::Unjustified,
                    agency: agency.to_string(),
                    agency_name: name.clone(),
                    detail: format!(
                        "{}。",
                        fresh
                            .iter()
                            .map(|(_, w)| w.as_str())
                            .collect::<Vec<_>>()
                            .join("；")
                    ),
                    cases: fresh.into_iter().map(|(c, _)| c).collect(),
                    covered_by: covered(&id),
                    rect_id: id,
                });
            }
        }
    }
    out.sort_by_cached_key(|b| (super::agency_rank(ws, &b.agency), b.rule));
    Ok(out)
}

/// The workflow rectification cases are opened in: the one that declares
/// `statistics: {rectifications: true}`.
fn rectification_workflow(ws: &Workspace) -> Result<&str> {
    let declared: Vec<&str> = ws
        .workflows
        .values()
        .filter(|wf| wf.statistics().rectification)
        .map(|wf| wf.name())
        .collect();
    match declared.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::user(
            "没有流程声明办理督查整改（statistics: {rectifications: true}），无法开启整改案件",
            "在办理督查整改的流程文件（如 workflows/rectification.yaml）末尾写 statistics: {rectifications: true}",
        )),
        several => Err(Error::user(
            format!(
                "有多个流程都声明办理督查整改（statistics: {{rectifications: true}}）：{}，不知道在哪个流程中开启整改案件",
                several.join("、")
            ),
            "只在一个流程中保留 rectifications: true",
        )),
    }
}

/// Open the rectification case of every breach not yet covered; returns the ids opened.
pub fn open_breaches(
    ws: &Workspace,
    breaches: &[Breach],
    period: &Period,
    actor: &Actor,
    renderer: &dyn DocumentRenderer,
    interview_time: &str,
    interview_place: &str,
) -> Result<Vec<String>> {
    let mut opened = Vec::new();
    for b in breaches {
        if !b.covered_by.is_empty() || engine::case_path(ws, &b.rect_id).is_ok() {
            continue;
        }
        let clean = |s: &str| s.replace(['；', ';'], "，");
        let mut sets = vec![
            format!("agency={}", b.agency),
            format!("reason={}", b.rule.reason()),
            format!("period={}", period.label()),
            format!("findings={}", b.detail),
            format!("issued_date={}", actor.today()),
        ];
        if !b.cases.is_empty() {
            sets.push(format!(
                "source_cases={}",
                b.cases
                    .iter()
                    .map(|c| clean(c))
                    .collect::<Vec<_>>()
                    .join("；")
            ));
        }
        if b.rule == Rule::Zero {
            sets.push("interview=true".into());
            sets.push(format!("interview_time={interview_time}"));
            sets.push(format!("interview_place={interview_place}"));
            sets.push("interview_attendees=单位主要负责人；分管负责人；法制机构负责人".into());
        }
        engine::new_case(
            ws,
            rectification_workflow(ws)?,
            &b.rect_id,
            &Input {
                sets,
                ..Default::default()
            },
            actor,
            renderer,
        )?;
        opened.push(b.rect_id.clone());
    }
    Ok(opened)
}
