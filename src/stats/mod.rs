//! Statistics and supervision: owns the figures the justice bureau publishes (appearance and loss
//! rates) computed from the archive, the target checks and the rectification cases they open
//! (`check`), the comparison with the court's list (`reconcile`), and the monthly return and the
//! quarterly bulletin (`report`, issued through the engine's document path). The statistics read
//! the archive beside the pipeline, through the engine's one view of a case's facts, and return
//! values (rows, findings, differences); the command line formats them. The figures the reply
//! letter prints are taken from here ([`letter_figures`]) by `crate::pipeline`.
//!
//! # Which cases are counted
//!
//! A *litigation case* is any case whose history has reached the step its workflow declares
//! records the court's notice or a hearing (`statistics.notice_step`, `statistics.hearing_step` in the
//! workflow file; the built-in `appearance` workflow: `notice`, `appearance`). Facts are read as the engine reads them:
//! the history's facts with the clerk's typed `facts:` on top, in canonical form
//! ([`crate::engine::CaseView`]).
//! Each history entry of the hearing step is one **hearing**, with its own `hearing_date`,
//! `head_appeared`, `head_spoke` and `absence_reason` (when a case has several hearings, what each
//! entry recorded is used; with one hearing, a typed correction applies to it).
//! A case belongs to its `agency`; the agency's `group` (yingsu.yaml) decides the denominator,
//! its `kind` the per-kind totals.
//!
//! # Definitions (one period = a month, quarter, year or `--from/--to` range, both ends included)
//!
//! | figure | counts | the date that places a case in the period |
//! |---|---|---|
//! | 出庭通知 `notices` | cases with `head_required: true` (court notice requiring the head), any level | `notice_date` |
//! | 通知出庭 `notices_appeared` | of those, cases where the head appeared at one hearing held at least | (same case, same period as its notice) |
//! | 开庭 `heard` | first-instance cases (`level` 一审 or missing) with at least one hearing held | the date of the case's **first** hearing held |
//! | 开庭出庭 `heard_appeared` | of those, cases where the head appeared at one hearing at least | (same case, same period as its first hearing) |
//! | 计数 `counted` / 出庭 `appeared` | for agencies whose group has `denominator: notices`, the notices whose hearing has been held and of those the ones the head appeared at; `heard`/`heard_appeared` for `denominator: hearings` | as above |
//! | 待开庭 `pending` | cases the rate would count whose hearing has not been held: none recorded yet, dated after the as-of day, or adjourned (`hearing_adjourned: true`); never counted as a hearing without the head | notice date (`notices`), the hearing date the court set (`hearings`) |
//! | 出庭率 `rate` | `appeared ÷ counted` | |
//! | 出庭未发言 `silent` | counted cases where the head appeared at a hearing with `head_spoke: false` (not counted when `head_spoke` was not recorded) | as `counted` |
//! | 审结 `concluded` | lawsuits concluded, each once: the case holding the lawsuit's last judgment reached the step its workflow declares records the judgment (`statistics.judgment_step`) — every outcome, including 撤诉 and 调解. That case is a first-instance case no appeal took on, or the second instance an appeal opened (see **One lawsuit** below) | the last judgment's `judgment_date` |
//! | 败诉 `losses` | concluded cases whose outcome the case's workflow declares a loss (`statistics.losses`; the built-in: 撤销, 部分撤销, 确认违法, 确认无效, 责令履行法定职责, 变更 — the act changed — and 判决赔偿 — compensation, no act changed); `losses_by` counts each outcome, and a sentence names them by the words the workflow's `statistics.losses` gives each (判决撤销), never as “改变行政机关决定” alone | `judgment_date` |
//! | 败诉率 `loss_rate` | `losses ÷ concluded` | |
//! | 同比 `change` | this period's rate minus the rate of the same period one year earlier, in percentage points, computed from the two **displayed** (rounded) rates so that the printed figures add up (61.9% → 100% is +38.1) | |
//!
//! **Hearings held.** A hearing is held when its entry is dated on or before the
//! as-of day (today for `stats` and `check`, the document's date for reports) and is not
//! adjourned. Only a held hearing can show the head absent: a case heard next week is pending,
//! counted in `pending`, and neither lowers a rate nor opens a rectification.
//!
//! **Several hearings of one case.** Following the SPC rules art. 7, one appearance per level
//! fulfils the duty: a case counts once (in the period of its first hearing), and counts as
//! "appeared" if the head appeared at any of its hearings, whenever that hearing was. Each level
//! (一审, 二审, 再审) is its own case file with its own duty; only first-instance cases enter
//! `heard`, `concluded` and `losses` (as the reply letters count "一审案件"), while a notice
//! requiring the head counts at any level. A court's renewed request to appear is not modelled.
//!
//! **One lawsuit, two instances.** An appeal (the `appeal_decision` step of the built-in
//! workflow) opens the second instance as a case of its own that names its first instance in
//! `first_instance` (the first names it back in `second_instance`). The lawsuit is counted once:
//! in `heard` by its first instance (the letters count first-instance cases heard), in
//! `concluded` and `losses` by its **last** judgment — the second instance's outcome, placed by
//! the second instance's `judgment_date` — and not at all while the second instance is
//! pending (the first-instance judgment did not take effect). The appearance duty is per
//! instance (SPC rules art. 7): each instance's notice requiring the head counts in `notices`,
//! each with its own hearings. A second-instance case recorded by hand without
//! `first_instance` is not linked: its first instance stays the lawsuit's conclusion, as
//! before. The link is read from the case's own summary in the case index (no pass over other
//! case files).
//!
//! **Totals.** A group's figures are the sums over its agencies (all share the group's
//! denominator); a kind's and the region's `counted`/`appeared` are the sums of each agency's own
//! counted/appeared, so the region total mixes notices and hearings when groups differ (shown as
//! 口径 “混合”).
//!
//! **Rounding.** Rates are kept as exact fractions and shown in tenths of a percent, rounded half
//! up with integer arithmetic (`(2000·n + d) div 2d`): 333/354 → 94.1, 27/370 → 7.3. A trailing
//! “.0” is dropped as the letters do (“100%”). With nothing counted the rate is empty (“—”, JSON
//! `null`).
//!
//! # Targets (`check`)
//!
//! Per agency and period (default: the current quarter), from `targets` in yingsu.yaml:
//! - `floor` — the agency counted at least one case and its displayed rate is below `floor`
//!   (rule `floor`, reason 出庭率未达标);
//! - `interview_at_zero` — the agency counted at least one case and the head appeared in none
//!   (rule `zero`, reason 出庭率为零, an interview 约谈; replaces `floor` for that agency);
//! - `require_full` — a case with one of these flags set, heard in the period (first hearing), in
//!   which the head appeared at no hearing, any level (rule `full`, reason 出庭率未达标);
//! - `rectify_unjustified` — a hearing in the period with `head_appeared: false` and
//!   `absence_reason: 无正当理由` (rule `unjustified`, reason 无正当理由不出庭). A hearing already
//!   covered — its entry opened a case (the workflow's own `<case-id>-整改`), such a case exists,
//!   or a rectification case with reason 无正当理由不出庭 lists its case number — is reported as
//!   covered and never opened again.
//!
//! `check --open` lists the rectification cases it would open (id, agency, rule, the finding)
//! and writes nothing; `check --open --yes` opens one case of the rectification workflow (the one declaring `statistics: {rectifications: true}`) per agency and rule with the id
//! `ZG-<period code>-<agency>-<rule>` (e.g. `ZG-2023Q1-scjgj-floor`); an existing id is skipped,
//! so running it twice opens nothing the second time.
//!
//! # Reconciliation (`reconcile`)
//!
//! The court's CSV (案号, 收到通知日期, 开庭日期, 负责人是否出庭; header optional; BOM and CRLF
//! accepted; one row per hearing) is compared, by normalised case number, with the archive's
//! litigation cases whose notice or a hearing falls in the period (`--period`, or by default the
//! range of dates in the CSV). Differences: case only on one side, notice date, hearing dates,
//! appearance. Bad rows are reported with their line numbers. The exit code is 0 when everything
//! matches and 1 when there is any difference or bad row (like `diff`).

pub mod board;
pub mod cells;
mod check;
mod figures;
mod letter;
pub mod members;
mod period;
mod reconcile;
mod report;

use serde::Serialize;

use crate::config::Denominator;
use crate::error::Result;
use crate::workspace::Workspace;

pub use check::{Breach, Rule, check, open_breaches};
pub use figures::{
    Archive, CaseFigures, Counts, FIGURES_SUMMARY, Hearing, LOSS_OUTCOMES, LossClass, OutcomeCount,
    Rate, Record, fmt_change, fmt_permille, norm_case_number,
};
pub use letter::letter_figures;
pub use period::{Kind as PeriodKind, Period};
pub use reconcile::{Difference, reconcile};
pub use report::{
    ReportPreview, bulletin, bulletin_file, bulletin_preview, monthly, monthly_file,
    monthly_preview,
};

/// A period as reported.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodInfo {
    pub code: String,
    pub label: String,
    pub from: String,
    pub to: String,
}

impl From<&Period> for PeriodInfo {
    fn from(p: &Period) -> Self {
        PeriodInfo {
            code: p.code(),
            label: p.label(),
            from: p.from.to_string(),
            to: p.to.to_string(),
        }
    }
}

/// One line of the statistics: the region, a group, a kind or an agency.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `total`, `group`, `kind` or `agency`.
    pub scope: &'static str,
    pub id: String,
    pub name: String,
    /// `notices`, `hearings` or `mixed`.
    pub denominator: &'static str,
    #[serde(flatten)]
    pub counts: Counts,
    /// Displayed rate without “%”, e.g. "94.1"; `None` when nothing was counted.
    pub rate: Option<String>,
    pub previous_rate: Option<String>,
    /// Percentage points, e.g. "+38.1"; `None` unless both rates exist.
    pub change: Option<String>,
    pub loss_rate: Option<String>,
    pub previous_loss_rate: Option<String>,
    pub loss_change: Option<String>,
    /// Agencies only: the rate reaches the floor (`None` when nothing was counted).
    pub target_met: Option<bool>,
    /// The same figures for the same period of the previous year.
    pub previous: Counts,
}

impl Row {
    pub(crate) fn build(
        scope: &'static str,
        id: &str,
        name: &str,
        denominator: &'static str,
        cur: Counts,
        prev: Counts,
        floor: i64,
    ) -> Row {
        let r = cur.rate().permille();
        let pr = prev.rate().permille();
        let l = cur.loss_rate().permille();
        let pl = prev.loss_rate().permille();
        let diff = |a: Option<i64>, b: Option<i64>| a.zip(b).map(|(a, b)| fmt_change(a - b));
        Row {
            scope,
            id: id.to_string(),
            name: name.to_string(),
            denominator,
            rate: r.map(fmt_permille),
            previous_rate: pr.map(fmt_permille),
            change: diff(r, pr),
            loss_rate: l.map(fmt_permille),
            previous_loss_rate: pl.map(fmt_permille),
            loss_change: diff(l, pl),
            target_met: if scope == "agency" {
                r.map(|r| r >= floor)
            } else {
                None
            },
            counts: cur,
            previous: prev,
        }
    }

    pub fn rate_permille(&self) -> Option<i64> {
        self.counts.rate().permille()
    }
}

/// The statistics of a period.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub period: PeriodInfo,
    pub previous_period: PeriodInfo,
    /// The floor in tenths of a percent, displayed (e.g. "90").
    pub floor: String,
    pub rows: Vec<Row>,
}

impl Stats {
    pub fn rows_of<'a>(&'a self, scope: &'a str) -> impl Iterator<Item = &'a Row> + 'a {
        self.rows.iter().filter(move |r| r.scope == scope)
    }

    pub fn total(&self) -> Option<&Row> {
        self.rows_of("total").next()
    }

    /// The rows a table lists (`yingsu stats`, the workbench): the total, the groups and the
    /// kinds, and the agencies with a case in the period or in the same period of the
    /// previous year.
    pub fn listed(&self) -> impl Iterator<Item = &Row> + '_ {
        self.rows.iter().filter(|r| {
            r.scope != "agency" || r.counts != Counts::default() || r.previous != Counts::default()
        })
    }
}

/// Where agency `id` stands in the order the bureau configured: its group's place among
/// `groups` (government, departments, towns and streets …), then its own place among
/// `agencies` in yingsu.yaml; an id the configuration does not know comes last, by spelling.
/// Every list of units (the statistics, the findings, the bulletin's table, chart and lists)
/// follows it, never the spelling of the ids (`bm10, bm100, bm11`).
pub fn agency_rank(ws: &Workspace, id: &str) -> (usize, usize, String) {
    let cfg = &ws.config;
    let group = cfg.agencies.get(id).map(|a| a.group.as_str());
    let g = cfg
        .groups
        .keys()
        .position(|k| Some(k) == group)
        .unwrap_or(usize::MAX);
    let a = cfg
        .agency_order
        .iter()
        .position(|k| k == id)
        .unwrap_or(usize::MAX);
    (g, a, id.to_string())
}

/// The floor of yingsu.yaml in tenths of a percent.
pub fn floor_permille(ws: &Workspace) -> i64 {
    (ws.config.targets.floor * 10.0).round() as i64
}

fn denom_name(d: Denominator) -> &'static str {
    match d {
        Denominator::Notices => "notices",
        Denominator::Hearings => "hearings",
    }
}

/// Compute the statistics of `period` (and the same period of the previous year).
pub fn compute(ws: &Workspace, archive: &Archive, period: &Period) -> Result<Stats> {
    let prev_period = period.previous_year()?;
    let cur = figures::count_by_agency(ws, archive, period);
    let prev = figures::count_by_agency(ws, archive, &prev_period);
    let floor = floor_permille(ws);
    let cfg = &ws.config;
    let mut rows = Vec::new();
    let mut agencies: Vec<&String> = cur.keys().collect();
    agencies.sort_by_key(|a| agency_rank(ws, a));
    let denom_of = |a: &str| denom_name(figures::denominator_of(ws, a));
    let sum = |ids: &[&String]| {
        let mut c = Counts::default();
        let mut p = Counts::default();
        for id in ids {
            if let Some(x) = cur.get(*id) {
                c.add(x);
            }
            if let Some(x) = prev.get(*id) {
                p.add(x);
            }
        }
        (c, p)
    };
    let mixed = |ids: &[&String]| {
        let mut ds: Vec<&'static str> = ids.iter().map(|a| denom_of(a)).collect();
        ds.sort();
        ds.dedup();
        if ds.len() == 1 { ds[0] } else { "mixed" }
    };
    let (c, p) = sum(&agencies);
    rows.push(Row::build(
        "total",
        "total",
        &format!("{}合计", cfg.region),
        mixed(&agencies),
        c,
        p,
        floor,
    ));
    for (gid, g) in cfg.groups.iter() {
        let ids: Vec<&String> = agencies
            .iter()
            .copied()
            .filter(|a| cfg.agencies.get(*a).is_some_and(|x| x.group == gid))
            .collect();
        let (c, p) = sum(&ids);
        rows.push(Row::build(
            "group",
            gid,
            &g.title,
            denom_name(g.denominator),
            c,
            p,
            floor,
        ));
    }
    // Kinds in the order their first agency is configured.
    let mut kinds: Vec<(String, Vec<&String>)> = Vec::new();
    for a in &agencies {
        let k = cfg
            .agencies
            .get(*a)
            .and_then(|x| x.kind.clone())
            .unwrap_or_else(|| "未分类".into());
        match kinds.iter_mut().find(|(x, _)| *x == k) {
            Some((_, ids)) => ids.push(a),
            None => kinds.push((k, vec![a])),
        }
    }
    for (k, ids) in &kinds {
        let (c, p) = sum(ids);
        rows.push(Row::build("kind", k, k, mixed(ids), c, p, floor));
    }
    for a in &agencies {
        let (c, p) = sum(&[*a]);
        let name = cfg.agency_short(a);
        rows.push(Row::build("agency", a, &name, denom_of(a), c, p, floor));
    }
    Ok(Stats {
        period: period.into(),
        previous_period: (&prev_period).into(),
        floor: fmt_permille(floor),
        rows,
    })
}
