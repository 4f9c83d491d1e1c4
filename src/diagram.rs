//! Workflow pictures: owns drawing a workflow — its steps as boxes with their Chinese titles,
//! the documents, deadlines and cases each step issues or opens, its transitions as arrows
//! labelled with their conditions — as SVG. The picture is laid out by Typst
//! (`src/diagram/workflow.typ`) with the program's fonts, so it reads like the documents; the
//! same workflow and fonts give the same bytes.

use serde_json::{Value, json};

use crate::config::{Config, DeadlineSetting};
use crate::error::{Error, Result};
use crate::typeset::{Job, Typesetter};
use crate::workflow::{DaysSpec, Workflow};
use typst_layout::PagedDocument;

/// The Typst program that draws a workflow from the data of [`data`].
pub(crate) const PROGRAM: &str = include_str!("diagram/workflow.typ");

/// How long a deadline runs, as a clerk says it: 15 个工作日.
fn length(d: DeadlineSetting) -> String {
    match d {
        DeadlineSetting::CalendarDays(0) | DeadlineSetting::WorkingDays(0) => "当日".into(),
        DeadlineSetting::CalendarDays(n) => format!("{n} 日"),
        DeadlineSetting::WorkingDays(n) => format!("{n} 个工作日"),
        DeadlineSetting::Months(n) => format!("{n} 个月"),
    }
}

/// The data the picture is drawn from: each step with the lines in its box, and the
/// transitions between steps (by index) with their conditions. `config` gives the lengths of
/// named deadlines.
pub fn data(wf: &Workflow, config: &Config) -> Value {
    let names: Vec<&str> = wf
        .spec
        .steps
        .0
        .iter()
        .map(|(k, _)| k.value.as_str())
        .collect();
    let label = |field: &str| {
        wf.field(field)
            .map(|f| f.label.clone())
            .unwrap_or_else(|| field.to_string())
    };
    let mut steps = Vec::new();
    let mut edges: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for (i, (k, s)) in wf.spec.steps.0.iter().enumerate() {
        let mut lines = Vec::new();
        for d in &s.documents {
            lines.push(match &d.when {
                Some(c) => format!("文书：{}（当 {}）", d.title, c.value),
                None => format!("文书：{}", d.title),
            });
        }
        for d in &s.deadlines {
            let days = match &d.days.value {
                DaysSpec::Fixed(f) => length(*f),
                DaysSpec::Setting(name) => config
                    .deadlines
                    .get(name)
                    .map(|f| length(*f))
                    .unwrap_or_else(|| name.clone()),
            };
            let mut line = if days == "当日" {
                format!("期限：{}，{}当日", d.title, label(&d.from.value))
            } else {
                format!("期限：{}，自{}起 {days}", d.title, label(&d.from.value))
            };
            if let Some(c) = &d.when {
                line.push_str(&format!("（当 {}）", c.value));
            }
            lines.push(line);
        }
        for o in &s.opens {
            lines.push(match &o.when {
                Some(c) => format!("开启：{} 流程的案件（当 {}）", o.workflow.value, c.value),
                None => format!("开启：{} 流程的案件", o.workflow.value),
            });
        }
        steps.push(json!({
            "name": k.value,
            "title": s.title,
            "start": k.value == wf.spec.start.value,
            "final": s.is_final,
            "lines": lines,
        }));
        for n in &s.next {
            let Some(to) = names.iter().position(|x| *x == n.to.value) else {
                continue;
            };
            let condition = n.when.as_ref().map(|c| c.value.clone()).unwrap_or_default();
            match edges.iter_mut().find(|(f, t, _)| *f == i && *t == to) {
                Some((_, _, conditions)) => conditions.push(condition),
                None => edges.push((i, to, vec![condition])),
            }
        }
    }
    let edges: Vec<Value> = edges
        .into_iter()
        .map(|(from, to, conditions)| {
            // Two ways to the same step: either condition; an unconditional one wins.
            let label = if conditions.iter().any(String::is_empty) {
                String::new()
            } else {
                format!("当 {}", conditions.join("，或 "))
            };
            json!({"from": from, "to": to, "label": label})
        })
        .collect();
    json!({
        "name": wf.name(),
        "title": wf.spec.title,
        "description": wf.spec.description,
        "steps": steps,
        "edges": edges,
    })
}

/// The picture of `wf` laid out (one page).
pub fn layout(ts: &Typesetter, wf: &Workflow, config: &Config) -> Result<PagedDocument> {
    let date = chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
        .ok_or_else(|| Error::Internal("date".into()))?;
    let job = Job::new(
        PROGRAM,
        data(wf, config),
        date,
        format!("workflow-{}", wf.name()),
    );
    ts.layout(&job)
        .map_err(|e| Error::Internal(format!("流程图排版失败：{e}")))
}

/// The picture of `wf` as an SVG document. Its text is drawn as outlines (no font needed to
/// view it); a `<title>` and a `<desc>` (the steps and transitions) say the same in words for
/// search and screen readers.
pub fn svg(ts: &Typesetter, wf: &Workflow, config: &Config) -> Result<String> {
    let document = layout(ts, wf, config)?;
    let page = document
        .pages()
        .first()
        .ok_or_else(|| Error::Internal("流程图没有页面".into()))?;
    let svg = typst_svg::svg(
        page,
        &typst_svg::SvgOptions {
            render_bleed: false,
            pretty: true,
        },
    );
    let steps: Vec<String> = wf
        .spec
        .steps
        .0
        .iter()
        .map(|(k, s)| {
            let next: Vec<&str> = s.next.iter().map(|n| n.to.value.as_str()).collect();
            if next.is_empty() {
                format!("{}（{}）", s.title, k.value)
            } else {
                format!("{}（{}）→ {}", s.title, k.value, next.join("、"))
            }
        })
        .collect();
    let words = format!(
        "<title>{}</title><desc>{}</desc>",
        escape(&format!("流程 {}：{}", wf.name(), wf.spec.title)),
        escape(&format!("步骤：{}", steps.join("；")))
    );
    // Right after the opening tag of the root element.
    let at = svg
        .find("<svg")
        .and_then(|start| svg[start..].find('>').map(|end| start + end + 1))
        .ok_or_else(|| Error::Internal("SVG 没有根元素".into()))?;
    Ok(format!("{}{words}{}", &svg[..at], &svg[at..]))
}

/// Text as XML character data.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
