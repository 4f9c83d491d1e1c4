//! The demo: owns building the demonstration workspace — a realistic set of about 30 fictitious
//! cases (several agencies, courts and outcomes) covering every branch of the three built-in
//! workflows, run through their steps with every document rendered — and its summary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{FixedOffset, NaiveDate, TimeZone};
use serde::Deserialize;
use serde_json::Value;

use crate::engine::{self, Actor, Input};
use crate::error::{Error, Result};
use crate::pipeline::TypstRenderer;
use crate::workspace::Workspace;

/// The demo workspace's configuration (fictitious agencies of a real district's structure).
pub const DEMO_CONFIG: &str = include_str!("demo/yingsu.yaml");
/// The demo's cases and their steps.
pub(crate) const DEMO_CASES: &str = include_str!("demo/cases.yaml");

/// One item of the demo: a case and its steps, or a run of `check --open --yes`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum DemoItem {
    Case(DemoCase),
    Check(DemoCheck),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoCase {
    workflow: String,
    id: String,
    /// The case was opened by an earlier `check` item: every step advances it.
    #[serde(default)]
    opened: bool,
    steps: Vec<DemoStep>,
}

/// `yingsu check --period <check> --open --yes` on day `at`: the rectification and interview
/// notices the figures call for are opened from the archive as the bureau would open them,
/// never typed, so they cannot contradict the bulletin or `yingsu stats`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoCheck {
    check: String,
    at: String,
    interview_time: String,
    interview_place: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoStep {
    step: String,
    at: String,
    #[serde(default)]
    facts: BTreeMap<String, Value>,
    /// A judgment attached to the case before the step (`yingsu case attach`).
    #[serde(default)]
    attach: Option<DemoJudgment>,
}

/// A short fictitious judgment, typeset by yingsu from [`JUDGMENT_TEMPLATE`] into the PDF the
/// demo attaches, as a clerk attaches the court's.
#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct DemoJudgment {
    title: String,
    court: String,
    number: String,
    date: String,
    paragraphs: Vec<String>,
}

/// The Typst source of the demo's judgment PDF.
const JUDGMENT_TEMPLATE: &str = include_str!("demo/judgment.typ");

/// The demo judgment `j` as a PDF (the same bytes every time: fixed date and identity).
fn judgment_pdf(
    ws: &Workspace,
    renderer: &TypstRenderer,
    j: &DemoJudgment,
    day: NaiveDate,
) -> Result<Vec<u8>> {
    let data = serde_json::to_value(j).map_err(|e| Error::Internal(e.to_string()))?;
    let job = crate::typeset::Job::new(
        JUDGMENT_TEMPLATE,
        data,
        day,
        format!("demo-judgment:{}", j.number),
    );
    renderer
        .typesetter(ws)?
        .pdf(&job)
        .map_err(|e| Error::Internal(format!("演示判决书排版失败：{e}")))
}

/// What the demo built.
#[derive(Debug)]
pub struct DemoReport {
    pub root: PathBuf,
    /// Cases per workflow title.
    pub cases: BTreeMap<String, usize>,
    /// (document title, path relative to root)
    pub documents: Vec<(String, String)>,
    pub steps: usize,
}

impl DemoReport {
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let total: usize = self.cases.values().sum();
        s.push_str(&format!("演示工作区：{}\n", self.root.display()));
        s.push_str(&format!(
            "案件 {total} 件（{}），办理步骤 {} 次，生成文书 {} 份：\n",
            self.cases
                .iter()
                .map(|(k, v)| format!("{k} {v} 件"))
                .collect::<Vec<_>>()
                .join("，"),
            self.steps,
            self.documents.len()
        ));
        let mut by_title: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (t, p) in &self.documents {
            by_title.entry(t.as_str()).or_default().push(p.as_str());
        }
        for (t, paths) in by_title {
            s.push_str(&format!("\n{t}（{} 份）\n", paths.len()));
            for p in paths {
                s.push_str(&format!("  {}\n", self.root.join(p).display()));
            }
        }
        s.push_str(&format!(
            "\n下一步：cd {} 后运行 `yingsu serve --open` 在浏览器中办理，或用 `yingsu status` 查看全部案件、`yingsu case show 2023-渝0112行初22` 查看一个案件。\n",
            self.root.display()
        ));
        s
    }
}

/// Build the demo workspace at `dir` (which must be empty, absent, or a previous demo).
pub fn run(dir: &Path) -> Result<DemoReport> {
    prepare(dir)?;
    let cfg = dir.join("yingsu.yaml");
    crate::archive::write_atomic(&cfg, DEMO_CONFIG.as_bytes())?;
    for sub in ["cases", "archive"] {
        std::fs::create_dir_all(dir.join(sub))
            .map_err(|e| Error::io("创建目录", dir.join(sub), e))?;
    }
    crate::archive::write_atomic(&dir.join(".yingsu-demo"), "yingsu demo\n".as_bytes())?;
    let ws = Workspace::open(dir)?;
    let items: Vec<DemoItem> = crate::yaml::parse(Path::new("内置演示/cases.yaml"), DEMO_CASES)?;
    let renderer = TypstRenderer::new();
    let mut report = DemoReport {
        root: dir.to_path_buf(),
        cases: BTreeMap::new(),
        documents: Vec::new(),
        steps: 0,
    };
    for event in timeline(&items)? {
        let (c, i, s) = match event {
            Event::Step(c, i, s) => (c, i, s),
            Event::Check(k) => {
                let actor = demo_actor(&k.at)?;
                let period = crate::stats::Period::parse(&k.check)?;
                let mut archive = crate::stats::Archive::load(&ws)?;
                archive.as_of = Some(actor.today());
                let breaches = crate::stats::check(&ws, &archive, &period)?;
                let opened = crate::stats::open_breaches(
                    &ws,
                    &breaches,
                    &period,
                    &actor,
                    &renderer,
                    &k.interview_time,
                    &k.interview_place,
                )?;
                for id in opened {
                    report.steps += 1;
                    for h in &engine::load_case(&ws, &id)?.case.history {
                        for d in &h.documents {
                            report.documents.push((d.title.clone(), d.file.clone()));
                        }
                    }
                }
                continue;
            }
        };
        let actor = demo_actor(&s.at)?;
        let sets = s
            .facts
            .iter()
            .map(|(k, v)| format!("{k}={}", as_set(v)))
            .collect();
        let input = Input {
            sets,
            ..Default::default()
        };
        if let Some(j) = &s.attach {
            let pdf = judgment_pdf(&ws, &renderer, j, actor.today())?;
            let upload = engine::Upload {
                name: "判决书.pdf".into(),
                bytes: pdf,
            };
            engine::attach(&ws, &c.id, &[upload], Some(&j.title), &actor, &renderer)
                .map_err(|e| Error::Internal(format!("演示案件 {} 添加附件失败：{e}", c.id)))?;
        }
        let r = if i == 0 && !c.opened {
            engine::new_case(&ws, &c.workflow, &c.id, &input, &actor, &renderer)
        } else {
            engine::advance(&ws, &c.id, &s.step, &input, &actor, &renderer)
        }
        .map_err(|e| Error::Internal(format!("演示案件 {} 的步骤 {} 失败：{e}", c.id, s.step)))?;
        report.steps += 1;
        for d in &r.documents {
            report.documents.push((d.title.clone(), d.file.clone()));
        }
    }
    // The supervision reports: the bureau's quarterly bulletin and an agency's monthly return,
    // each dated on a working day (2023-04-05 was 清明节).
    let made = [
        crate::stats::bulletin(
            &ws,
            &renderer,
            "2023Q1",
            &ws.config.words().addressees.unwrap_or_default(),
            None,
            NaiveDate::from_ymd_opt(2023, 4, 10).unwrap_or_default(),
            false,
        )?,
        crate::stats::monthly(
            &ws,
            &renderer,
            "scjgj",
            "2023-03",
            NaiveDate::from_ymd_opt(2023, 4, 6).unwrap_or_default(),
            false,
        )?,
    ];
    for m in made {
        report.documents.push((m.title, m.file));
    }
    // Count cases (including those opened by the engine) per workflow.
    for row in engine::status(&ws, chrono::Local::now().date_naive())?.rows {
        *report.cases.entry(row.workflow_title).or_default() += 1;
    }
    // Documents of cases the engine opened (e.g. a rectification for an absence without reason).
    let known: std::collections::BTreeSet<String> =
        report.documents.iter().map(|(_, f)| f.clone()).collect();
    for (id, _) in engine::case_files(&ws)? {
        let view = engine::load_case(&ws, &id)?;
        for h in &view.case.history {
            for d in &h.documents {
                if !known.contains(&d.file) {
                    report.documents.push((d.title.clone(), d.file.clone()));
                }
            }
        }
    }
    Ok(report)
}

/// One thing the demo does on a day: a case's step (the case, the step's index in it, the step)
/// or a run of `check --open`.
enum Event<'a> {
    Step(&'a DemoCase, usize, &'a DemoStep),
    Check(&'a DemoCheck),
}

/// The demo's items as the office would do them: every case's steps and every check merged by
/// date, so the numbers a registry gives follow the documents' dates (as `validate` expects).
/// Things done on the same day keep the order `cases.yaml` lists them in; a case's own steps
/// must be listed in date order.
fn timeline(items: &[DemoItem]) -> Result<Vec<Event<'_>>> {
    let mut events: Vec<(NaiveDate, Event<'_>)> = Vec::new();
    for item in items {
        match item {
            DemoItem::Check(k) => events.push((demo_date(&k.at)?, Event::Check(k))),
            DemoItem::Case(c) => {
                let mut last = NaiveDate::MIN;
                for (i, s) in c.steps.iter().enumerate() {
                    let date = demo_date(&s.at)?;
                    if date < last {
                        return Err(Error::Internal(format!(
                            "演示案件 {} 的步骤 {} 早于前一步骤",
                            c.id, s.step
                        )));
                    }
                    last = date;
                    events.push((date, Event::Step(c, i, s)));
                }
            }
        }
    }
    // A stable sort: the same day keeps the listed order.
    events.sort_by_key(|(date, _)| *date);
    Ok(events.into_iter().map(|(_, e)| e).collect())
}

fn demo_date(at: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(at, "%Y-%m-%d")
        .map_err(|e| Error::Internal(format!("demo date {at}: {e}")))
}

/// The demo's clerk, at 9 o'clock Beijing time on day `at` (2023-04-10).
fn demo_actor(at: &str) -> Result<Actor> {
    let tz = FixedOffset::east_opt(8 * 3600).ok_or_else(|| Error::Internal("tz".into()))?;
    let date = demo_date(at)?;
    let now = tz
        .from_local_datetime(&date.and_hms_opt(9, 0, 0).unwrap_or_default())
        .single()
        .ok_or_else(|| Error::Internal("demo time".into()))?;
    Ok(Actor {
        who: "演示经办人".into(),
        now,
    })
}

/// A demo fact as a `--set` value.
fn as_set(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(as_set).collect::<Vec<_>>().join("；"),
        other => other.to_string(),
    }
}

/// Make `dir` ready: absent or empty is fine; a previous demo is cleared; anything else is refused.
fn prepare(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return std::fs::create_dir_all(dir).map_err(|e| Error::io("创建目录", dir, e));
    }
    let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io("读取目录", dir, e))?;
    if entries.next().is_none() {
        return Ok(());
    }
    if dir.join(".yingsu-demo").is_file() {
        for sub in ["cases", "archive", "attachments", "yingsu.yaml"] {
            let p = dir.join(sub);
            if p.is_dir() {
                std::fs::remove_dir_all(&p).map_err(|e| Error::io("清理", &p, e))?;
            } else if p.is_file() {
                std::fs::remove_file(&p).map_err(|e| Error::io("清理", &p, e))?;
            }
        }
        return Ok(());
    }
    Err(Error::user(
        format!(
            "目录 {} 不是空目录，也不是以前生成的演示工作区",
            dir.display()
        ),
        "请指定一个新目录，例如 `yingsu demo /tmp/yingsu-demo`",
    ))
}
