//! Workflows: owns the YAML definition of a workflow (its fields, steps, transitions, documents,
//! deadlines and the cases it opens) and its validation (in `check`). A workflow is checked completely when it is
//! loaded — unknown keys, unknown or unreachable steps, transitions to nowhere, expressions that do
//! not compile or name undeclared fields, missing templates — before any case moves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{Config, DeadlineSetting};
use crate::error::{Diagnostic, Result};
use crate::facts::FieldType;
use crate::yaml::{self, Spanned};

pub use crate::yaml::OrderedMap;

mod check;

/// A field declaration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Chinese label, e.g. 案号.
    pub label: String,
    /// Help text shown when the field is missing or wrong.
    #[serde(default)]
    pub help: Option<String>,
    /// `true`, `false`, or a condition (a minijinja expression over the facts).
    #[serde(default)]
    pub required: Option<Spanned<Value>>,
    /// Allowed values of an enum.
    #[serde(default)]
    pub values: Vec<String>,
    /// The columns of a table (`type: table`), in order.
    #[serde(default)]
    pub columns: Vec<crate::facts::Column>,
    /// For text fields: the value must be an id from `yingsu.yaml` (`agencies`, `courts`, `issuers`).
    #[serde(default)]
    pub of: Option<Spanned<String>>,
    /// For date fields: the date may not be before this other date field (a hearing after the
    /// notice, a judgment after the hearing…), unless the case explains the exception in
    /// [`DATE_ORDER_NOTE`].
    #[serde(default)]
    pub not_before: Option<Spanned<String>>,
    /// For date fields: the date may not be after this other date field (a statement that must
    /// reach the court before the hearing), unless the case explains the exception.
    #[serde(default)]
    pub not_after: Option<Spanned<String>>,
}

/// The field whose value `statistics.losses` of a workflow lists (the judgment's outcome).
pub(crate) const STATISTICS_OUTCOME: &str = "outcome";

/// The field of a second-instance case that holds its first-instance case's id: the instances
/// of one lawsuit name each other through it and [`SECOND_INSTANCE`] (`case show`, the case
/// page, and the statistics, which count a lawsuit once).
pub const FIRST_INSTANCE: &str = "first_instance";

/// The field of a first-instance case that holds the id of the second-instance case its
/// appeal opened.
pub const SECOND_INSTANCE: &str = "second_instance";

/// The field in which a case explains dates out of the usual order (checked by `not_before`).
pub(crate) const DATE_ORDER_NOTE: &str = "date_order_note";

/// A document a step renders.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocSpec {
    /// Template name (a `.typ` file under `templates/`, without the extension).
    pub template: Spanned<String>,
    /// Chinese title of the document, e.g. 授权委托书.
    pub title: String,
    /// Render only when this condition holds.
    #[serde(default)]
    pub when: Option<Spanned<String>>,
    /// Who issues it: `agency` (the case's agency), `bureau` (the supervising justice bureau,
    /// `bureau.issuer` in `yingsu.yaml`, default `sfj`), or an issuer id from `yingsu.yaml`.
    #[serde(default = "default_issuer")]
    pub issuer: Spanned<String>,
    /// The date field that dates the document (defaults to the step's `date`).
    #[serde(default)]
    pub date: Option<Spanned<String>>,
    /// Whether the document gets a 发文字号.
    #[serde(default = "default_true")]
    pub numbered: bool,
    /// The format of this document when it is not the one its template declares (文件, 信函,
    /// 纪要, 普通; see [`crate::docformat`]).
    #[serde(default)]
    pub format: Option<Spanned<String>>,
    /// The case's attachments (`yingsu case attach`: the judgment) are appended after the
    /// document as its 附件, and listed in its 附件说明.
    #[serde(default)]
    pub attachments: bool,
}

fn default_issuer() -> Spanned<String> {
    Spanned {
        value: "agency".into(),
        referenced: serde_saphyr::Location::UNKNOWN,
        defined: serde_saphyr::Location::UNKNOWN,
    }
}
fn default_true() -> bool {
    true
}

/// A transition out of a step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextSpec {
    pub to: Spanned<String>,
    #[serde(default)]
    pub when: Option<Spanned<String>>,
}

/// How long a deadline runs: a fixed length or the name of a setting in `yingsu.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DaysSpec {
    Setting(String),
    Fixed(DeadlineSetting),
}

/// A deadline that runs while the case is in a step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineSpec {
    /// What must be done, e.g. 报送败诉案件总结报告.
    pub title: String,
    /// The date field the deadline counts from.
    pub from: Spanned<String>,
    /// Length: `{calendar_days: N}`, `{working_days: N}`, `{months: N}` or a setting name.
    pub days: Spanned<DaysSpec>,
    #[serde(default)]
    pub when: Option<Spanned<String>>,
    /// The document of this step that sets the deadline (its template): the deadline runs only
    /// when the step issues that document, so a 报送整改报告 deadline follows the 督查整改通知书
    /// sent down to a unit and never a 专报 sent up in its place.
    #[serde(default)]
    pub document: Option<Spanned<String>>,
    /// The step may not be taken while this deadline applies and its start date is missing
    /// (otherwise the deadline shows as “待补充” until the date is added).
    #[serde(default)]
    pub required: bool,
    /// A date field that, once given, is the due date instead of the count (the date a
    /// document prints, e.g. `report_due`): the deadline tracked is the deadline given.
    #[serde(default)]
    pub due: Option<Spanned<String>>,
    /// A period the law sets (答辩、上诉): counted on the national calendar, without the
    /// office's closure days (`calendar.holidays`), which count for internal deadlines only.
    #[serde(default)]
    pub statutory: bool,
    /// Fields holding the event's time of day (`hearing_time`) and place, for calendar files.
    #[serde(default)]
    pub time: Option<Spanned<String>>,
    #[serde(default)]
    pub place: Option<Spanned<String>>,
}

/// A case of another workflow that a step opens (e.g. rectification after an unjustified absence).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenSpec {
    pub workflow: Spanned<String>,
    #[serde(default)]
    pub when: Option<Spanned<String>>,
    /// Id of the new case, a minijinja template over the facts and `case_id`.
    pub id: Spanned<String>,
    /// Facts of the new case: field → minijinja template.
    #[serde(default)]
    pub facts: BTreeMap<String, String>,
    /// The step of the opened workflow the new case starts at (default: its `start`): a case
    /// opened before the court's notice arrives (a second instance after an appeal) starts at a
    /// step that records what is known and leads to the notice.
    #[serde(default)]
    pub step: Option<Spanned<String>>,
    /// A field of this workflow that records the opened case's id in this step's entry (e.g.
    /// `second_instance`), so that the two cases name each other.
    #[serde(default)]
    pub link: Option<Spanned<String>>,
}

/// A step of a workflow.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub title: String,
    #[serde(default)]
    pub help: Option<String>,
    /// The date field that dates this step (e.g. `judgment_date`).
    #[serde(default)]
    pub date: Option<Spanned<String>>,
    /// Fields recorded at this step.
    #[serde(default)]
    pub records: Vec<Spanned<String>>,
    #[serde(default)]
    pub documents: Vec<DocSpec>,
    #[serde(default)]
    pub deadlines: Vec<DeadlineSpec>,
    #[serde(default)]
    pub next: Vec<NextSpec>,
    #[serde(default)]
    pub opens: Vec<OpenSpec>,
    /// A final step ends the case.
    #[serde(default, rename = "final")]
    pub is_final: bool,
    /// Each visit of this step records its facts afresh (e.g. every hearing): what an earlier
    /// visit recorded does not carry over. Otherwise a revisited step starts from earlier values.
    #[serde(default)]
    pub fresh: bool,
    /// The roles of the workbench's users who may take this step (e.g. `[领导]`); none: anyone.
    #[serde(default)]
    pub roles: Vec<Spanned<String>>,
}

impl StepSpec {
    /// Whether a workbench user of `role` may take this step: any role when the step lists
    /// none. The command line is not bound (who runs it has the files anyway).
    pub fn allows(&self, role: &str) -> bool {
        self.roles.is_empty() || self.roles.iter().any(|r| r.value == role)
    }
}

/// What the statistics read from a workflow's cases (`statistics:` in the workflow file): which
/// steps record the court's notice, each hearing and the judgment, which judgment outcomes are
/// losses and how a figure's sentence names them, and whether the workflow handles
/// rectifications. Nothing in the library knows a step by its name: a workflow without this
/// block has no cases in the figures, and its documents list no hearings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatisticsSpec {
    /// The step that records the court's notice to appear (a case that took it is counted).
    #[serde(default)]
    #[serde(rename = "notice_step")]
    pub notice: Option<Spanned<String>>,
    /// The step that records one hearing and whether the head appeared (taken once per
    /// hearing; its entries are the case's hearings).
    #[serde(default)]
    #[serde(rename = "hearing_step")]
    pub hearing: Option<Spanned<String>>,
    /// The step that records the judgment (`judgment_date`, `outcome`): a case is concluded
    /// once it took it.
    #[serde(default)]
    #[serde(rename = "judgment_step")]
    pub judgment: Option<Spanned<String>>,
    /// The values of `outcome` that are a loss (败诉), in the order a sentence lists them, each
    /// with the words it counts them by (`撤销: 判决撤销`).
    #[serde(default)]
    pub losses: OrderedMap<String>,
    /// The workflow's cases are rectifications (督查整改): `check --open` opens its breaches in
    /// it, and the figures see which are already open.
    #[serde(default, rename = "rectifications")]
    pub rectification: bool,
}

impl StatisticsSpec {
    fn step(s: &Option<Spanned<String>>) -> Option<&str> {
        s.as_ref().map(|s| s.value.as_str())
    }

    /// The step that records the court's notice, if the workflow declares one.
    pub fn notice(&self) -> Option<&str> {
        Self::step(&self.notice)
    }

    /// The step that records a hearing, if the workflow declares one.
    pub fn hearing(&self) -> Option<&str> {
        Self::step(&self.hearing)
    }

    /// The step that records the judgment, if the workflow declares one.
    pub fn judgment(&self) -> Option<&str> {
        Self::step(&self.judgment)
    }

    /// The outcomes that are a loss, in order, with the words a sentence counts them by.
    pub fn losses(&self) -> impl Iterator<Item = (&str, &str)> {
        self.losses.iter().map(|(o, w)| (o, w.as_str()))
    }
}

/// A workflow file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSpec {
    pub name: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub start: Spanned<String>,
    pub fields: OrderedMap<FieldSpec>,
    pub steps: OrderedMap<StepSpec>,
    /// What the statistics read from the workflow's cases (see [`StatisticsSpec`]).
    #[serde(default)]
    pub statistics: StatisticsSpec,
}

/// A loaded, validated workflow.
#[derive(Debug, Clone)]
pub struct Workflow {
    pub spec: WorkflowSpec,
    /// Where it came from (a workspace file or `内置:<name>.yaml`).
    pub file: PathBuf,
    pub source: String,
}

/// A summary of a workflow for display (`workflow show`, `status --json`).
#[derive(Debug, Clone, Serialize)]
pub struct StepSummary {
    pub name: String,
    pub title: String,
    pub next: Vec<String>,
    pub documents: Vec<String>,
    pub is_final: bool,
}

/// What a workflow needs from its surroundings to validate.
pub struct Context<'a> {
    pub config: &'a Config,
    pub templates: &'a BTreeSet<String>,
    pub workflows: &'a BTreeSet<String>,
}

impl Workflow {
    pub fn name(&self) -> &str {
        &self.spec.name.value
    }

    pub fn step(&self, name: &str) -> Option<&StepSpec> {
        self.spec.steps.get(name)
    }

    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.spec.fields.get(name)
    }

    /// What the statistics read from the workflow's cases (its `statistics:`).
    pub fn statistics(&self) -> &StatisticsSpec {
        &self.spec.statistics
    }

    pub fn step_names(&self) -> Vec<&str> {
        self.spec.steps.keys().collect()
    }

    pub fn summary(&self) -> Vec<StepSummary> {
        self.spec
            .steps
            .0
            .iter()
            .map(|(k, s)| StepSummary {
                name: k.value.clone(),
                title: s.title.clone(),
                next: s.next.iter().map(|n| n.to.value.clone()).collect(),
                documents: s.documents.iter().map(|d| d.title.clone()).collect(),
                is_final: s.is_final,
            })
            .collect()
    }

    /// Parse and fully validate a workflow.
    pub fn load(file: &Path, source: &str, cx: &Context) -> Result<Workflow> {
        let spec: WorkflowSpec = yaml::parse(file, source)?;
        let wf = Workflow {
            spec,
            file: file.to_path_buf(),
            source: source.to_string(),
        };
        wf.validate(cx)?;
        Ok(wf)
    }

    fn at<T>(&self, v: &Spanned<T>, msg: impl Into<String>) -> Diagnostic {
        if v.referenced.line() == 0 {
            Diagnostic::new(msg).in_file(&self.file)
        } else {
            yaml::at(&self.file, &self.source, v, msg)
        }
    }
}

/// Step, field and workflow names: ASCII lower-case identifiers.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
