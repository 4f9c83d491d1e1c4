//! Loading the archive into litigation records and counting them (see the module docs of
//! [`crate::stats`] for every definition).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::case::HistoryEntry;
use crate::config::Denominator;
use crate::engine::CaseView;
use crate::error::{Error, Result};
use crate::facts::{self, Facts};
use crate::workflow::STATISTICS_OUTCOME;
use crate::workspace::Workspace;

use super::period::Period;

/// The outcomes the built-in `appearance` workflow declares a loss (its `statistics.losses`), in
/// its order: for making archives to test against. The figures never read this list: a case is
/// lost when its own workflow declares its outcome a loss (see [`LossClass`]).
pub const LOSS_OUTCOMES: &[&str] = &[
    "撤销",
    "部分撤销",
    "确认违法",
    "确认无效",
    "责令履行法定职责",
    "变更",
    "判决赔偿",
];

/// How a lost case's outcome is counted, as its workflow declares it (`statistics.losses`): its
/// place in the workflow's list (the order a sentence names the losses in) and the words a
/// sentence counts it by (判决撤销). One declaration, so what is counted and what the sentence
/// says it counted cannot drift apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossClass {
    pub rank: usize,
    pub words: String,
}

/// The absence reason that triggers rectification.
pub const UNJUSTIFIED: &str = "无正当理由";

/// One hearing (an entry of the step the workflow declares records a hearing).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hearing {
    /// Index of the history entry.
    pub entry: usize,
    pub date: Option<NaiveDate>,
    pub appeared: Option<bool>,
    pub spoke: Option<bool>,
    pub absence_reason: Option<String>,
    pub head_name: Option<String>,
    pub head_post: Option<String>,
    /// Cases this entry opened (e.g. the workflow's own `<case-id>-整改`).
    pub opened: Vec<String>,
    /// The entry records a session that did not take place as a hearing (延期开庭, 休庭:
    /// `hearing_adjourned: true`): nobody could appear, so it counts for nothing.
    #[serde(default)]
    pub adjourned: bool,
}

impl Hearing {
    /// The hearing took place by `as_of` (every recorded one when `as_of` is `None`): not
    /// adjourned, and not dated after `as_of`.
    pub fn held(&self, as_of: Option<NaiveDate>) -> bool {
        !self.adjourned && self.date.zip(as_of).is_none_or(|(d, t)| d <= t)
    }
}

/// A litigation case as the statistics see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// The case file, relative to the workspace.
    pub file: String,
    pub workflow: String,
    pub case_number: String,
    pub agency: String,
    pub level: String,
    pub cause: String,
    pub plaintiffs: Vec<String>,
    pub notice_date: Option<NaiveDate>,
    pub head_required: bool,
    /// The `targets.require_full` flags set on this case.
    pub flags: Vec<String>,
    pub hearings: Vec<Hearing>,
    /// The hearing date the case's facts hold now (the next or last hearing the court set).
    #[serde(default)]
    pub scheduled: Option<NaiveDate>,
    pub judgment_date: Option<NaiveDate>,
    pub outcome: Option<String>,
    /// Set when the outcome is one the case's workflow declares a loss.
    #[serde(default)]
    pub loss: Option<LossClass>,
    /// The first-instance case of this lawsuit, for a second instance opened by an appeal
    /// (its `first_instance`): the lawsuit is concluded by this case's judgment, not that one's.
    #[serde(default)]
    pub first_instance_case: Option<String>,
}

impl Record {
    pub fn first_instance(&self) -> bool {
        self.level.is_empty() || self.level == "一审"
    }

    /// The hearings held by `as_of` (see [`Hearing::held`]).
    pub fn held(&self, as_of: Option<NaiveDate>) -> impl Iterator<Item = &Hearing> {
        self.hearings.iter().filter(move |h| h.held(as_of))
    }

    /// The date of the first hearing held by `as_of` (places the case among "cases heard").
    pub fn first_hearing(&self, as_of: Option<NaiveDate>) -> Option<NaiveDate> {
        self.held(as_of).filter_map(|h| h.date).min()
    }

    /// A hearing has been held by `as_of`: only then can the head have appeared or not. A case
    /// whose hearing is still to come, or adjourned, or not yet recorded, is *pending*.
    pub fn heard(&self, as_of: Option<NaiveDate>) -> bool {
        self.held(as_of).next().is_some()
    }

    /// The head appeared at one hearing held by `as_of` at least (one appearance per level
    /// suffices, SPC rules art. 7).
    pub fn appeared(&self, as_of: Option<NaiveDate>) -> bool {
        self.held(as_of).any(|h| h.appeared == Some(true))
    }

    /// The head appeared at a hearing and did not speak there.
    pub fn silent(&self, as_of: Option<NaiveDate>) -> bool {
        self.held(as_of)
            .any(|h| h.appeared == Some(true) && h.spoke == Some(false))
    }

    /// The date that places a pending first-instance case: the hearing date the court set
    /// (else its notice date).
    pub fn pending_date(&self) -> Option<NaiveDate> {
        self.scheduled.or(self.notice_date)
    }

    /// This case's judgment is the lawsuit's last: a first-instance case no appeal in the
    /// archive took on (`appealed`: the cases a second instance names as its first), or a
    /// second instance opened by an appeal (it names its first instance). A second-instance
    /// case recorded without that link stays out, as before: its first instance counts.
    pub fn ends_lawsuit(&self, appealed: &std::collections::HashSet<&str>) -> bool {
        if self.first_instance_case.is_some() {
            return true;
        }
        self.first_instance() && !appealed.contains(self.id.as_str())
    }

    pub fn concluded(&self) -> bool {
        self.judgment_date.is_some()
    }

    pub fn lost(&self) -> bool {
        self.loss.is_some()
    }
}

/// A rectification case (to detect what is already open).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rectification {
    pub id: String,
    pub agency: String,
    pub reason: String,
    pub source_cases: Vec<String>,
}

/// What the figures read of one case.
type Summary = (Option<Record>, Option<Rectification>);

/// The kind (and version) of [`Summary`] in the case index: another name when it changes.
const SUMMARY_KIND: &str = "stats-record-5";

/// [`Summary`] as the case index makes it whenever it parses a case file (see
/// [`crate::index::cases::kinds`]): what [`CaseFigures::read`] makes when the index lacks it.
pub const FIGURES_SUMMARY: crate::index::cases::SummaryKind = crate::index::cases::SummaryKind {
    kind: SUMMARY_KIND,
    make: |ws, v| crate::index::cases::kinds::encode(&read(ws, v, &ws.config.targets.require_full)),
};

/// Everything the statistics read from the archive.
#[derive(Debug, Default)]
pub struct Archive {
    pub records: Vec<Record>,
    pub rectifications: Vec<Rectification>,
    /// Every case id in the archive.
    pub ids: std::collections::BTreeSet<String>,
    /// Case files that could not be read (left out of every figure).
    pub unreadable: Vec<crate::engine::Unreadable>,
    /// The day the figures are taken on: a hearing dated after it has not been held yet.
    /// `None`: every recorded hearing counts as held.
    pub as_of: Option<NaiveDate>,
}

fn text(f: &Facts, k: &str) -> String {
    match f.get(k) {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn opt_text(f: &Facts, k: &str) -> Option<String> {
    Some(text(f, k)).filter(|s| !s.is_empty())
}

fn date(f: &Facts, k: &str) -> Option<NaiveDate> {
    f.get(k)
        .and_then(|v| v.as_str())
        .and_then(|s| facts::parse_date(s).ok())
}

fn boolean(f: &Facts, k: &str) -> Option<bool> {
    match f.get(k) {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) => facts::parse_bool(s),
        _ => None,
    }
}

fn list(f: &Facts, k: &str) -> Vec<String> {
    match f.get(k) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(|s| s.trim().to_string()))
            .collect(),
        Some(Value::String(s)) => s
            .split(['；', ';'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect(),
        _ => vec![],
    }
}

/// Normalise a case number for matching: no spaces, half-width parentheses.
pub fn norm_case_number(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect()
}

/// Read one case file into a record (litigation cases) or a rectification.
fn read(
    ws: &Workspace,
    view: &CaseView<'_>,
    require_full: &[String],
) -> (Option<Record>, Option<Rectification>) {
    let case = &view.case;
    // A withdrawn case (opened by mistake) is not counted.
    if case.is_withdrawn() {
        return (None, None);
    }
    let id = case.id.as_str();
    // What the case's workflow declares the statistics read (see `StatisticsSpec`).
    let declared = view.wf.statistics();
    let took = |step: Option<&str>| {
        step.is_some_and(|s| case.history.iter().any(|h| h.step.as_deref() == Some(s)))
    };
    let facts = view.facts();
    let file = ws.rel(&case.path);
    if took(declared.notice()) || took(declared.hearing()) {
        let is_hearing = |h: &HistoryEntry| {
            declared
                .hearing()
                .is_some_and(|s| h.step.as_deref() == Some(s))
        };
        let several = case.history.iter().filter(|x| is_hearing(x)).count() > 1;
        let mut hearings = Vec::new();
        for (i, h) in case.history.iter().enumerate() {
            if !is_hearing(h) {
                continue;
            }
            let f = view.facts_at(i);
            // What this entry recorded wins over later typed facts only when several hearings exist:
            // the typed facts of a case describe one hearing, not each of several.
            let own = |k: &str| h.facts.get(k).cloned();
            let pick = |k: &str| -> Option<Value> {
                if several {
                    own(k).or_else(|| f.get(k).cloned())
                } else {
                    f.get(k).cloned().or_else(|| own(k))
                }
            };
            let mut hf = Facts::new();
            for k in [
                "hearing_date",
                "head_appeared",
                "head_spoke",
                "absence_reason",
                "head_name",
                "head_post",
                "hearing_adjourned",
            ] {
                if let Some(v) = pick(k) {
                    hf.insert(k.to_string(), v);
                }
            }
            hearings.push(Hearing {
                entry: i,
                date: date(&hf, "hearing_date"),
                appeared: boolean(&hf, "head_appeared"),
                spoke: boolean(&hf, "head_spoke"),
                absence_reason: opt_text(&hf, "absence_reason"),
                head_name: opt_text(&hf, "head_name"),
                head_post: opt_text(&hf, "head_post"),
                opened: h.opened.clone(),
                // Said of this session only: a later hearing is held unless it says otherwise.
                adjourned: boolean(if several { &h.facts } else { &hf }, "hearing_adjourned")
                    == Some(true),
            });
        }
        let judged = took(declared.judgment());
        let outcome = if judged {
            opt_text(&facts, STATISTICS_OUTCOME)
        } else {
            None
        };
        let loss = outcome.as_deref().and_then(|o| {
            let (rank, (_, words)) = declared.losses().enumerate().find(|(_, (x, _))| *x == o)?;
            Some(LossClass {
                rank,
                words: words.to_string(),
            })
        });
        let rec = Record {
            id: id.to_string(),
            file,
            workflow: case.workflow.value.clone(),
            case_number: text(&facts, "case_number"),
            agency: text(&facts, "agency"),
            level: text(&facts, "level"),
            cause: text(&facts, "cause"),
            plaintiffs: list(&facts, "plaintiffs"),
            notice_date: date(&facts, "notice_date"),
            head_required: boolean(&facts, "head_required").unwrap_or(false),
            flags: require_full
                .iter()
                .filter(|k| boolean(&facts, k) == Some(true))
                .cloned()
                .collect(),
            hearings,
            scheduled: date(&facts, "hearing_date"),
            judgment_date: if judged {
                date(&facts, "judgment_date")
            } else {
                None
            },
            outcome,
            loss,
            first_instance_case: opt_text(&facts, crate::workflow::FIRST_INSTANCE),
        };
        return (Some(rec), None);
    }
    if declared.rectification || facts.contains_key("reason") && facts.contains_key("findings") {
        let r = Rectification {
            id: id.to_string(),
            agency: text(&facts, "agency"),
            reason: text(&facts, "reason"),
            source_cases: list(&facts, "source_cases"),
        };
        return (None, Some(r));
    }
    (None, None)
}

/// What the figures read of one case (its [`Record`] or [`Rectification`]).
#[derive(Debug)]
pub struct CaseFigures {
    id: String,
    summary: Summary,
}

impl CaseFigures {
    /// What the figures read of a case, through the case index (kept there as the case's
    /// summary).
    pub fn read(
        ws: &Workspace,
        case: &crate::index::cases::CaseRef<'_, '_>,
    ) -> Result<CaseFigures> {
        let full = &ws.config.targets.require_full;
        Ok(CaseFigures {
            id: case.id().to_string(),
            summary: case.summary(SUMMARY_KIND, |v| read(ws, v, full))?,
        })
    }
}

impl Archive {
    /// Load every case file of the workspace (in parallel; files are independent). Files that
    /// cannot be read are kept in [`Archive::unreadable`]; the figures leave them out.
    ///
    /// What the figures read of each case (its [`Record`] or [`Rectification`]) is kept in the
    /// case index as the case's summary, so an unchanged case file is not even decoded.
    pub fn load(ws: &Workspace) -> Result<Archive> {
        let (summaries, unreadable, index) =
            crate::engine::store::each_case(ws, |index, id, path| {
                CaseFigures::read(ws, &crate::index::cases::CaseRef::new(index, ws, id, path))
            })?;
        index.save();
        let mut archive = Archive::of_figures(summaries, unreadable);
        archive.as_of = Some(crate::engine::Actor::from_env()?.today());
        Ok(archive)
    }

    /// The archive of what the figures read of each case, and of the unreadable case files.
    pub fn of_figures(
        cases: Vec<CaseFigures>,
        unreadable: Vec<crate::engine::Unreadable>,
    ) -> Archive {
        let mut a = Archive::default();
        for CaseFigures { id, summary } in cases {
            let (rec, rect) = summary;
            a.records.extend(rec);
            a.rectifications.extend(rect);
            a.ids.insert(id);
        }
        a.ids.extend(unreadable.iter().map(|u| u.id.clone()));
        a.unreadable = unreadable;
        a
    }

    /// For figures that are published (reports, letters): refuse while any case file cannot
    /// be read, naming the files, since the figures would leave those cases out.
    pub fn complete(&self) -> Result<()> {
        if self.unreadable.is_empty() {
            return Ok(());
        }
        let mut diags: Vec<crate::error::Diagnostic> = self
            .unreadable
            .iter()
            .flat_map(|u| u.diagnostics())
            .collect();
        diags.push(
            crate::error::Diagnostic::new(format!(
                "有 {} 个案件文件无法读取（{}），统计数字会漏计这些案件，因此不生成对外发布的数字",
                self.unreadable.len(),
                self.unreadable
                    .iter()
                    .map(|u| u.file.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ))
            .help("按上面的提示修正这些案件文件，运行 `yingsu validate` 确认后重试"),
        );
        Err(Error::Many(diags))
    }
}

/// A rate kept exactly as a fraction; displayed rounded half up to one decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub num: u64,
    pub den: u64,
}

impl Rate {
    pub fn new(num: u64, den: u64) -> Rate {
        Rate { num, den }
    }

    /// Tenths of a percent, rounded half up (integer arithmetic); `None` when nothing was counted.
    pub fn permille(&self) -> Option<i64> {
        if self.den == 0 {
            return None;
        }
        Some(((self.num as u128 * 2000 + self.den as u128) / (2 * self.den as u128)) as i64)
    }
}

/// Tenths of a percent as the letters print them: 1000 → "100", 941 → "94.1", 900 → "90".
pub fn fmt_permille(p: i64) -> String {
    let sign = if p < 0 { "-" } else { "" };
    let a = p.abs();
    if a % 10 == 0 {
        format!("{sign}{}", a / 10)
    } else {
        format!("{sign}{}.{}", a / 10, a % 10)
    }
}

/// A change in percentage points with its sign: "+38.1", "-2.5", "0".
pub fn fmt_change(p: i64) -> String {
    if p > 0 {
        format!("+{}", fmt_permille(p))
    } else {
        fmt_permille(p)
    }
}

/// Counts for one unit (agency, group, kind, or the whole region) in one period.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Court notices requiring the head (placed by notice_date).
    pub notices: u64,
    /// Of those, cases where the head appeared.
    pub notices_appeared: u64,
    /// First-instance cases heard (placed by the first hearing date).
    pub heard: u64,
    /// Of those, cases where the head appeared.
    pub heard_appeared: u64,
    /// What the unit's rate counts (notices or heard, per group setting).
    pub counted: u64,
    pub appeared: u64,
    /// Counted cases where the head appeared but did not speak.
    pub silent: u64,
    /// Cases the unit's rate would count whose hearing has not been held yet (still to come,
    /// adjourned, or not recorded): left out of `counted` until it is.
    pub pending: u64,
    /// First-instance cases concluded (placed by judgment_date).
    pub concluded: u64,
    /// Of those, lost (an outcome the case's workflow declares a loss).
    pub losses: u64,
    /// The losses per outcome, in the order the workflows declare them (zeros left out).
    pub losses_by: Vec<OutcomeCount>,
}

/// The losses of one outcome in [`Counts::losses_by`]: written as `[outcome, count]`; the
/// words a sentence counts them by and their place in the declared order come with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeCount {
    pub outcome: String,
    pub count: u64,
    pub class: LossClass,
}

impl Serialize for OutcomeCount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        (&self.outcome, self.count).serialize(s)
    }
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.notices += o.notices;
        self.notices_appeared += o.notices_appeared;
        self.heard += o.heard;
        self.heard_appeared += o.heard_appeared;
        self.counted += o.counted;
        self.appeared += o.appeared;
        self.silent += o.silent;
        self.pending += o.pending;
        self.concluded += o.concluded;
        self.losses += o.losses;
        for l in &o.losses_by {
            self.add_loss(&l.outcome, &l.class, l.count);
        }
    }

    /// Count `n` losses of outcome `outcome`, keeping the declared order.
    fn add_loss(&mut self, outcome: &str, class: &LossClass, n: u64) {
        match self.losses_by.iter_mut().find(|l| l.outcome == outcome) {
            Some(l) => l.count += n,
            None => {
                self.losses_by.push(OutcomeCount {
                    outcome: outcome.to_string(),
                    count: n,
                    class: class.clone(),
                });
                self.losses_by.sort_by_key(|l| l.class.rank);
            }
        }
    }

    /// The losses as a sentence says them: “判决撤销2件、判决赔偿1件”.
    pub fn losses_text(&self) -> String {
        self.losses_by
            .iter()
            .map(|l| format!("{}{}件", l.class.words, l.count))
            .collect::<Vec<_>>()
            .join("、")
    }

    /// Counts a case in the unit's rate (it falls under the unit's denominator).
    fn count_rated(&mut self, appeared: bool, silent: bool) {
        self.counted += 1;
        self.appeared += appeared as u64;
        self.silent += silent as u64;
    }

    pub fn rate(&self) -> Rate {
        Rate::new(self.appeared, self.counted)
    }

    pub fn loss_rate(&self) -> Rate {
        Rate::new(self.losses, self.concluded)
    }
}

/// The denominator setting of an agency (through its group; `hearings` when unknown).
pub fn denominator_of(ws: &Workspace, agency: &str) -> Denominator {
    ws.config
        .agencies
        .get(agency)
        .and_then(|a| ws.config.groups.get(&a.group))
        .map(|g| g.denominator)
        .unwrap_or(Denominator::Hearings)
}

/// Counts per agency id for a period.
pub fn count_by_agency(ws: &Workspace, archive: &Archive, p: &Period) -> BTreeMap<String, Counts> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    for id in ws.config.agencies.keys() {
        out.insert(id.clone(), Counts::default());
    }
    let mut denoms: BTreeMap<&str, Denominator> = BTreeMap::new();
    // The first-instance cases an appeal took on to a second instance in the archive: their
    // judgment did not end the lawsuit (see the module's “one lawsuit” rules).
    let appealed: std::collections::HashSet<&str> = archive
        .records
        .iter()
        .filter_map(|r| r.first_instance_case.as_deref())
        .collect();
    for r in &archive.records {
        let denom = *denoms
            .entry(r.agency.as_str())
            .or_insert_with(|| denominator_of(ws, &r.agency));
        let c = out.entry(r.agency.clone()).or_default();
        let as_of = archive.as_of;
        let appeared = r.appeared(as_of);
        let heard = r.heard(as_of);
        if r.head_required && r.notice_date.is_some_and(|d| p.contains(d)) {
            c.notices += 1;
            c.notices_appeared += appeared as u64;
            if denom == Denominator::Notices {
                if heard {
                    c.count_rated(appeared, r.silent(as_of));
                } else {
                    c.pending += 1;
                }
            }
        }
        if r.first_instance() {
            match r.first_hearing(as_of) {
                Some(d) if p.contains(d) => {
                    c.heard += 1;
                    c.heard_appeared += appeared as u64;
                    if denom == Denominator::Hearings {
                        c.count_rated(appeared, r.silent(as_of));
                    }
                }
                None if denom == Denominator::Hearings
                    && r.pending_date().is_some_and(|d| p.contains(d)) =>
                {
                    c.pending += 1;
                }
                _ => {}
            }
        }
        if r.ends_lawsuit(&appealed) && r.judgment_date.is_some_and(|d| p.contains(d)) {
            c.concluded += 1;
            if let (Some(class), Some(o)) = (&r.loss, &r.outcome) {
                c.losses += 1;
                c.add_loss(o, class, 1);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_up_and_exact() {
        assert_eq!(Rate::new(333, 354).permille(), Some(941));
        assert_eq!(Rate::new(27, 370).permille(), Some(73));
        assert_eq!(Rate::new(13, 21).permille(), Some(619));
        assert_eq!(Rate::new(1, 16).permille(), Some(63)); // 6.25% → 6.3
        assert_eq!(Rate::new(1, 8).permille(), Some(125));
        assert_eq!(Rate::new(0, 0).permille(), None);
        assert_eq!(fmt_permille(1000), "100");
        assert_eq!(fmt_permille(941), "94.1");
        assert_eq!(fmt_permille(900), "90");
        assert_eq!(fmt_change(381), "+38.1");
        assert_eq!(fmt_change(-25), "-2.5");
        assert_eq!(fmt_change(0), "0");
    }

    /// The list kept for making test archives is the built-in workflow's declaration.
    #[test]
    fn loss_outcomes_are_the_built_in_declaration() {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::workspace::init(dir.path()).expect("init");
        let ws = Workspace::open(dir.path()).expect("open");
        let wf = ws.workflow("appearance").expect("built-in workflow");
        let declared: Vec<&str> = wf.statistics().losses().map(|(o, _)| o).collect();
        assert_eq!(declared, LOSS_OUTCOMES);
    }

    #[test]
    fn case_numbers_normalise() {
        assert_eq!(
            norm_case_number(" （2023）渝0112行初1号 "),
            "(2023)渝0112行初1号"
        );
    }
}
