//! The engine: owns moving cases through their workflows, in rooms of its own —
//!
//! - [`store`]: finding and loading case files;
//! - [`input`]: coercing what a clerk writes into typed facts;
//! - [`view`]: the one view of a case's facts as of a step, which every reader uses;
//! - [`context`]: the names workflow expressions may use, the same for every evaluation;
//! - [`step`]: the step machine (`case new`, `case advance`);
//! - [`issue`]: document requests and issuing, at a step and again by `render`;
//! - [`sheet`]: one case as a clerk reads it (labels, history, next steps);
//! - [`plan`]: what a step would do, without writing (a form's live check and preview), and
//!   committing it;
//! - [`undo`]: taking back the last step (`case undo`);
//! - [`fact`]: facts learned after their step, recorded later (`case fact`);
//! - [`withdraw`]: closing a case opened by mistake (`case withdraw`);
//! - [`deadline`]: deadlines and the status of every case;
//! - [`audit`]: what `validate` checks across the cases' records;
//! - [`agenda`]: the daily overview (filters and order of `status`, the agenda by agency).
//!
//! Data flows one way: case file → [`view::CaseView`] → step → [`issue::DocRequest`] →
//! [`issue::DocumentRenderer`] (the document data and Typst stages, outside the engine: the
//! seam is [`crate::document`]'s, the implementation `crate::pipeline`'s) → archive.

pub mod agenda;
pub mod attach;
pub mod audit;
pub mod context;
pub mod deadline;
pub mod fact;
pub mod input;
pub mod issue;
pub mod plan;
pub mod sheet;
pub mod step;
pub mod store;
pub mod undo;
pub mod view;
pub mod withdraw;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::case::DocRecord;
use crate::error::{Error, Result};
use crate::settings::Settings;

pub use attach::{AttachReport, Upload, attach, read_upload};
pub use context::ExprContext;
pub use deadline::{
    Deadline, Status, StatusRow, deadlines, next_deadline, row_indexed, status, status_of,
};
pub use fact::{FactReport, LaterField, addable_fields, check_facts, record_facts};
pub use input::Input;
pub use issue::{
    DocRequest, DocumentRenderer, Prepared, RenderOutcome, Rendered, issuer_of, render_cases,
};
pub use plan::{
    PlannedDocument, Preview, Problem, StepPlan, Target, commit, plan_advance, plan_new, preview,
    recorded_facts, required_fields,
};
pub use step::{advance, new_case};
pub use store::{Unreadable, case_files, case_path, load_all, load_case, release};
pub use undo::{UndoReport, undo, undo_seen};
pub use view::CaseView;
pub use withdraw::{WithdrawReport, withdraw};

/// Who acts and when: from the settings (`YINGSU_NOW=2023-05-08T09:00:00+08:00`,
/// `YINGSU_USER=张三`, else the login name; see [`crate::settings`]), the clock otherwise.
#[derive(Debug, Clone)]
pub struct Actor {
    pub who: String,
    pub now: DateTime<FixedOffset>,
}

/// The longest name an actor (`YINGSU_USER`) may have.
const MAX_ACTOR_CHARS: usize = 64;

impl Actor {
    /// The actor of the process's settings ([`Settings::current`], which the command line
    /// installs from the environment). Prefer [`Actor::from_settings`] with the workspace's.
    pub fn from_env() -> Result<Actor> {
        Actor::from_settings(Settings::current())
    }

    /// The actor `settings` give: a time given is checked, and the name must fit on one line
    /// of a history entry.
    pub(crate) fn from_settings(settings: &Settings) -> Result<Actor> {
        let now = match &settings.now {
            Some(s) => DateTime::parse_from_rfc3339(s.trim()).map_err(|_| {
                Error::user(
                    format!("环境变量 YINGSU_NOW 的值 `{s}` 不是有效的时间"),
                    "请写成 2023-05-08T09:00:00+08:00 的形式，或删除该变量以使用当前时间",
                )
            })?,
            None => chrono::Local::now().fixed_offset(),
        };
        let (var, who) = match &settings.user {
            Some(who) => ("YINGSU_USER", who.clone()),
            None => (
                "USER",
                settings
                    .login
                    .clone()
                    .filter(|u| !u.trim().is_empty())
                    .unwrap_or_else(|| "经办人".into()),
            ),
        };
        // Recorded as `by:` in every history entry: one line, no control or bidi characters.
        crate::entry::check_text(
            &format!("环境变量 {var}（经办人）"),
            &who,
            crate::entry::Field::LINE,
        )?;
        if who.chars().count() > MAX_ACTOR_CHARS {
            return Err(Error::user(
                format!("环境变量 {var}（经办人）太长：超过 {MAX_ACTOR_CHARS} 个字符"),
                format!("把 {var} 设为经办人的姓名，例如 {var}=张三"),
            ));
        }
        Ok(Actor { who, now })
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// The time as recorded in a history entry's `at`.
    pub fn at(&self) -> String {
        self.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    }
}

impl crate::vcs::Author for Actor {
    fn who(&self) -> &str {
        &self.who
    }
    fn now(&self) -> DateTime<FixedOffset> {
        self.now
    }
}

/// The label of the case `view` in a commit message (see [`crate::vcs::case_label`]).
pub(crate) fn view_label(view: &CaseView<'_>) -> String {
    let facts = view.facts();
    crate::vcs::case_label(
        &view.case.id,
        facts.get("case_number").and_then(|v| v.as_str()),
    )
}

/// What a step did.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub case_id: String,
    pub case_file: String,
    pub step: String,
    pub step_title: String,
    pub documents: Vec<DocRecord>,
    pub opened: Vec<String>,
    pub next: Vec<String>,
    /// The court's case number, when the case has one (for the step's commit message).
    #[serde(skip)]
    pub case_number: Option<String>,
}

impl StepReport {
    /// The step's commit: `（2023）渝0112行初52号 出庭应诉：授权委托书 渝北市监函〔2023〕3号`.
    pub(crate) fn record(&self, command: &str, actor: &Actor) -> crate::vcs::Record {
        let label = crate::vcs::case_label(&self.case_id, self.case_number.as_deref());
        crate::vcs::Record::new(
            command,
            crate::vcs::step_subject(&label, &self.step_title, &self.documents),
            actor,
        )
        .with(crate::vcs::CASE, self.case_id.clone())
        .with(crate::vcs::STEP, self.step.clone())
        .with_documents(&self.documents)
    }
}
