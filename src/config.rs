//! Workspace configuration: owns `yingsu.yaml` — issuing bodies and their document-number
//! prefixes, agencies and their groups, courts, supervision targets, deadlines and the working-day
//! calendar. Everything the engine knows about the local organisation comes from here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::calendar::{DeadlineSetting, WorkCalendar};
use crate::yaml::{self, Spanned};

mod check;
#[cfg(test)]
mod tests;

pub use check::{MAX_NAME_CHARS, is_placeholder};

/// The parsed `yingsu.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The region, e.g. 重庆市渝北区.
    pub region: String,
    /// Issuing bodies (发文机关) by id.
    #[serde(default)]
    pub issuers: BTreeMap<String, Issuer>,
    /// Agencies that can be sued, by id.
    #[serde(default)]
    pub agencies: BTreeMap<String, Agency>,
    /// Agency groups for statistics, by id.
    #[serde(default)]
    pub groups: crate::yaml::OrderedMap<Group>,
    /// Courts by id.
    #[serde(default)]
    pub courts: BTreeMap<String, String>,
    #[serde(default)]
    pub targets: Targets,
    /// Named deadlines that workflows refer to.
    #[serde(default)]
    pub deadlines: BTreeMap<String, DeadlineSetting>,
    /// Local holidays and working days, added to the official calendar.
    #[serde(default)]
    pub calendar: Calendar,
    /// Extra font folders, searched after the workspace's `fonts/` and before the bundled fonts.
    #[serde(default)]
    pub font_paths: Vec<String>,
    /// Whether the official fonts (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体 …) installed on
    /// the computer are used when present (default: yes).
    #[serde(default = "yes")]
    pub system_fonts: bool,
    /// Member workspaces (a city's districts, as git clones) whose figures `stats` combines,
    /// relative to this workspace's folder.
    #[serde(default)]
    pub members: Vec<String>,
    /// Bounds of one document typeset from the workspace's own templates (`templates/`).
    #[serde(default)]
    pub template_limits: TemplateLimits,
    /// The agencies' ids in the order `yingsu.yaml` writes them (the order the bureau lists its
    /// units in; `agencies` itself is kept by id).
    #[serde(skip)]
    pub agency_order: Vec<String>,
    /// The supervising justice bureau, its level and its region words (see [`Bureau`]).
    #[serde(default)]
    pub bureau: Bureau,
    /// Where a number sequence continues from numbers given outside yingsu: by 文号代字, then
    /// year, the first number yingsu gives (`numbering: {渝北司函: {2023: 5}}`); see
    /// [`Config::check_numbering`].
    #[serde(default)]
    pub numbering: BTreeMap<String, BTreeMap<i32, Spanned<u32>>>,
}

/// How long and how much memory one document typeset from the workspace's own templates may
/// take (built-in templates are part of the program and run without these bounds); see
/// [`crate::render::bounded`].
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TemplateLimits {
    /// Seconds one document may take (default 60).
    pub seconds: u64,
    /// Memory of the typesetting process, in MB (default 2048).
    pub memory_mb: u64,
}

impl TemplateLimits {
    /// The accepted range of `seconds`.
    pub(crate) const SECONDS: std::ops::RangeInclusive<u64> = 1..=3600;
    /// The accepted range of `memory_mb`: below 256 MB not even the fonts fit.
    pub(crate) const MEMORY_MB: std::ops::RangeInclusive<u64> = 256..=65536;
}

impl Default for TemplateLimits {
    fn default() -> Self {
        TemplateLimits {
            seconds: 60,
            memory_mb: 2048,
        }
    }
}

/// Only the order of the `agencies:` keys of `yingsu.yaml`.
#[derive(Deserialize)]
struct AgencyOrder {
    #[serde(default)]
    agencies: yaml::OrderedMap<serde::de::IgnoredAny>,
}

fn yes() -> bool {
    true
}

/// An issuing body: who signs a document and how its numbers are formed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// Full name, e.g. 重庆市渝北区司法局.
    pub name: String,
    /// Short name used in running text, e.g. 区司法局.
    #[serde(default)]
    pub short: Option<String>,
    /// 发文机关标志 for the 公文 header; defaults to name + 文件.
    #[serde(default)]
    pub mark: Option<String>,
    /// Document-number prefix of its 函 (信函格式), e.g. 渝北司函.
    #[serde(default)]
    pub prefix: Option<String>,
    /// Document-number prefixes by 文种 or format, e.g. `{函: 渝北司函, 文件: 渝北司发,
    /// 报告: 渝北司文}` (see [`crate::docformat::prefix`]).
    #[serde(default)]
    pub prefixes: std::collections::BTreeMap<String, String>,
    /// The principal (负责人), e.g. for signatures.
    #[serde(default)]
    pub principal: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// The seal (印章): absent or `false` for the no-seal layout (7.3.5.2); `true` for the
    /// layout a printed document is stamped on by hand (7.3.5.1); or the path of a seal image
    /// in the workspace (PNG/JPEG/SVG, e.g. `seals/sfj.png`), placed on the document.
    #[serde(default)]
    pub seal: Option<Spanned<Seal>>,
    /// The 文种 or formats (e.g. `[函]`, `[信函]`) this body issues without a 发文字号: such a
    /// document keeps its letterhead and has no number line.
    #[serde(default)]
    pub unnumbered: Vec<String>,
}

/// See [`Issuer::seal`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Seal {
    Stamp(bool),
    Image(String),
}

impl Issuer {
    /// The seal as document templates read it: `none` (no seal), `true` (stamped by hand) or
    /// the image's path in the typesetting world (`/seals/sfj.png`).
    pub fn seal_value(&self) -> serde_json::Value {
        match self.seal.as_ref().map(|s| &s.value) {
            None | Some(Seal::Stamp(false)) => serde_json::Value::Null,
            Some(Seal::Stamp(true)) => serde_json::Value::Bool(true),
            Some(Seal::Image(p)) => serde_json::Value::String(format!(
                "/{}",
                p.replace('\\', "/").trim_start_matches('/')
            )),
        }
    }
}

/// An agency that can be sued (被诉行政机关).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub name: String,
    #[serde(default)]
    pub short: Option<String>,
    /// Group id for statistics (see `groups`).
    pub group: String,
    /// Type label, e.g. 区政府, 部门, 镇街.
    #[serde(default)]
    pub kind: Option<String>,
    /// The issuer id this agency signs its own documents as.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The principal (主要负责人), e.g. 法定代表人 in a 授权委托书.
    #[serde(default)]
    pub principal: Option<String>,
    #[serde(default)]
    pub principal_post: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// Where the agency stands to the justice bureau: 上级 (the government the bureau belongs
    /// to, which the bureau reports to and never orders) or 下级 (a unit it supervises); see
    /// [`Config::relation`].
    #[serde(default)]
    pub relation: Option<Relation>,
    /// The body its loss report (败诉案件总结报告) goes to: an issuer id, an agency id or a full
    /// name; see [`Config::reports_to`].
    #[serde(default)]
    pub reports_to: Option<String>,
}

/// See [`Agency::relation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Relation {
    #[serde(rename = "上级")]
    Above,
    #[serde(rename = "下级")]
    Below,
}

impl Relation {
    pub fn name(self) -> &'static str {
        match self {
            Relation::Above => "上级",
            Relation::Below => "下级",
        }
    }
}

/// The level of a justice bureau (and of the government it belongs to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Level {
    #[serde(rename = "区")]
    District,
    #[serde(rename = "县")]
    County,
    #[serde(rename = "市")]
    City,
    #[serde(rename = "省")]
    Province,
}

impl Level {
    /// The one-character name: 区, 县, 市, 省.
    pub fn name(self) -> &'static str {
        match self {
            Level::District => "区",
            Level::County => "县",
            Level::City => "市",
            Level::Province => "省",
        }
    }

    /// The level a region's name ends with (重庆市渝北区 → 区; 某某自治县 → 县; 某某自治区 → 省).
    pub(crate) fn of_region(region: &str) -> Option<Level> {
        let r = region.trim();
        if r.ends_with("自治区") || r.ends_with('省') {
            Some(Level::Province)
        } else if r.ends_with('区') {
            Some(Level::District)
        } else if r.ends_with('县') || r.ends_with('旗') {
            Some(Level::County)
        } else if r.ends_with('市') || r.ends_with('州') || r.ends_with('盟') {
            Some(Level::City)
        } else {
            None
        }
    }

    /// The units a bureau of this level supervises, as its notices address them.
    fn addressees(self) -> &'static str {
        match self {
            Level::District => "区政府各部门，各镇人民政府、街道办事处",
            Level::County => "县政府各部门，各乡镇人民政府、街道办事处",
            Level::City => "各区县人民政府，市政府各部门",
            Level::Province => "各市（州）人民政府，省政府各部门",
        }
    }

    /// The supervised units other than the government itself, as a table note names them.
    fn others(self) -> &'static str {
        match self {
            Level::District => "部门、镇街",
            Level::County => "部门、乡镇街道",
            Level::City => "部门、区县政府",
            Level::Province => "部门、市（州）政府",
        }
    }
}

/// The supervising justice bureau (`bureau:` in `yingsu.yaml`). Every key has a default: the
/// issuer `sfj`, the level the region's name ends with, the government named “<region>人民政府”
/// among the agencies, and the region words of that level.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Bureau {
    /// The issuer id of the bureau when this workspace issues as the bureau (default `sfj`).
    #[serde(default)]
    pub issuer: Option<String>,
    /// The bureau's full name when it is not one of this workspace's issuers (an agency's
    /// workspace): the body its loss reports go to (default: region + 司法局).
    #[serde(default)]
    pub name: Option<String>,
    /// Its short name in running text (default: the issuer's short name, else level + 司法局).
    #[serde(default)]
    pub short: Option<String>,
    /// 区, 县, 市 or 省 (default: from the region's name).
    #[serde(default)]
    pub level: Option<Level>,
    /// The agency id of the government the bureau belongs to (default: the agency named
    /// region + 人民政府).
    #[serde(default)]
    pub government: Option<String>,
    /// The body the government's own loss reports go to (default: the government of the region
    /// above, e.g. 重庆市人民政府 for 重庆市渝北区).
    #[serde(default)]
    pub superior: Option<String>,
    /// Region words replacing the level's defaults.
    #[serde(default)]
    pub words: Words,
}

/// Region words (see [`Config::words`]); each replaces the default of the bureau's level.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Words {
    /// 全区 / 全县 / 全市 / 全省.
    #[serde(default)]
    pub all: Option<String>,
    /// The units a notice of the bureau is addressed to.
    #[serde(default)]
    pub addressees: Option<String>,
    /// The government in running text: 区政府.
    #[serde(default)]
    pub government: Option<String>,
    /// The government counted on its own: 区政府本级.
    #[serde(default)]
    pub government_self: Option<String>,
    /// The other supervised units as a table note names them: 部门、镇街.
    #[serde(default)]
    pub others: Option<String>,
    /// The region in running text: 渝北区.
    #[serde(default)]
    pub local: Option<String>,
}

/// How an agency group's appearance rate is counted.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Denominator {
    /// Court notices that require the head to appear.
    Notices,
    /// Hearings held (first-instance cases heard).
    Hearings,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub title: String,
    pub denominator: Denominator,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Minimum appearance rate per agency, in percent.
    #[serde(default = "default_floor")]
    pub floor: f64,
    /// Case flags (bool fields) that require a 100% appearance rate.
    #[serde(default = "default_full")]
    pub require_full: Vec<String>,
    /// Interview (约谈) units whose rate is 0% in a period.
    #[serde(default = "default_true")]
    pub interview_at_zero: bool,
    /// Open a rectification case for an absence without a valid reason.
    #[serde(default = "default_true")]
    pub rectify_unjustified: bool,
}

fn default_floor() -> f64 {
    90.0
}
fn default_true() -> bool {
    true
}
fn default_full() -> Vec<String> {
    vec![
        "major_public_interest".into(),
        "high_concern".into(),
        "mass_incident_risk".into(),
        "procuratorate_suit".into(),
    ]
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            floor: default_floor(),
            require_full: default_full(),
            interview_at_zero: true,
            rectify_unjustified: true,
        }
    }
}

/// Additions to the official calendar ([`crate::calendar`]). `official` holds the State
/// Council's notices for years the built-in table does not cover yet (national: they count for
/// every deadline, statutory periods included, and end the 预估 of that year). `holidays` are
/// local holidays or days the office is closed, `workdays` are days worked although the official
/// table or the weekend says otherwise: both are local, win over the official calendar, and count
/// for internal deadlines only.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    #[serde(default)]
    pub holidays: Vec<Spanned<String>>,
    #[serde(default)]
    pub workdays: Vec<Spanned<String>>,
    /// A year's notice (国务院办公厅关于XXXX年部分节假日安排的通知), by year.
    #[serde(default)]
    pub official: BTreeMap<i32, OfficialNotice>,
}

/// A year's holiday notice as a bureau copies it into `yingsu.yaml`: its 文号 (`number`, optional), the
/// holidays (放假) and the adjusted working days (调休上班), each a date or a range
/// `2027-02-05..2027-02-11`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialNotice {
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub holidays: Vec<Spanned<String>>,
    #[serde(default)]
    pub workdays: Vec<Spanned<String>>,
}

impl Calendar {
    /// The working-day calendar these additions make, every bad date reported at its line.
    pub(crate) fn work_calendar(
        &self,
        file: &std::path::Path,
        source: &str,
        errors: &mut crate::error::Errors,
    ) -> WorkCalendar {
        let mut read = |list: &[Spanned<String>], ranges: bool| -> Vec<chrono::NaiveDate> {
            let mut out = Vec::new();
            for d in list {
                let parsed = if ranges && d.value.contains("..") {
                    crate::calendar::dates(&d.value)
                } else {
                    crate::facts::parse_date(&d.value).map(|d| vec![d])
                };
                match parsed {
                    Ok(dates) => out.extend(dates),
                    Err(why) => errors.push(
                        yaml::at(file, source, d, format!("日期 `{}` 无效：{why}", d.value)).help(
                            if ranges {
                                "日期写成 2027-05-01 的形式，连续几天写成 2027-05-01..2027-05-05"
                            } else {
                                "日期写成 2023-05-08 的形式"
                            },
                        ),
                    ),
                }
            }
            out
        };
        let mut cal = WorkCalendar::new(read(&self.holidays, false), read(&self.workdays, false));
        for (year, n) in &self.official {
            let (holidays, workdays) = (read(&n.holidays, true), read(&n.workdays, true));
            cal = cal.with_notice(*year, holidays, workdays);
        }
        cal
    }
}

impl Config {
    /// The display name of an agency id, or the id itself.
    pub fn agency_name(&self, id: &str) -> String {
        self.agencies
            .get(id)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// The agency's short name (区市场监管局) where it has one, else its name.
    pub(crate) fn agency_short(&self, id: &str) -> String {
        self.agencies
            .get(id)
            .map(|a| a.short.clone().unwrap_or_else(|| a.name.clone()))
            .unwrap_or_else(|| id.to_string())
    }

    /// The bureau's level: `bureau.level`, else the level the region's name ends with.
    pub fn level(&self) -> Option<Level> {
        self.bureau.level.or_else(|| Level::of_region(&self.region))
    }

    /// The region words of the bureau's level, each replaced by `bureau.words` where given:
    /// 全区, 区政府各部门，各镇人民政府、街道办事处, 区政府, 区政府本级, 部门、镇街, 渝北区.
    pub fn words(&self) -> Words {
        let level = self.level().unwrap_or(Level::District);
        let l = level.name();
        let w = &self.bureau.words;
        let or = |v: &Option<String>, d: String| {
            Some(v.clone().filter(|s| !s.trim().is_empty()).unwrap_or(d))
        };
        Words {
            all: or(&w.all, format!("全{l}")),
            addressees: or(&w.addressees, level.addressees().to_string()),
            government: or(&w.government, format!("{l}政府")),
            government_self: or(&w.government_self, format!("{l}政府本级")),
            others: or(&w.others, level.others().to_string()),
            local: or(&w.local, local_name(&self.region)),
        }
    }

    /// The issuer id of the supervising bureau: `bureau.issuer`, else `sfj` when it is an
    /// issuer of this workspace.
    pub(crate) fn bureau_issuer(&self) -> Option<&str> {
        match &self.bureau.issuer {
            Some(i) => Some(i.as_str()),
            None => self.issuers.contains_key("sfj").then_some("sfj"),
        }
    }

    /// The supervising bureau's full and short names.
    pub(crate) fn bureau_names(&self) -> (String, String) {
        let issuer = self.bureau_issuer().and_then(|i| self.issuers.get(i));
        let level = self.level().unwrap_or(Level::District).name();
        let name = self
            .bureau
            .name
            .clone()
            .or_else(|| issuer.map(|i| i.name.clone()))
            .unwrap_or_else(|| format!("{}司法局", self.region));
        let short = self
            .bureau
            .short
            .clone()
            .or_else(|| issuer.and_then(|i| i.short.clone()))
            .unwrap_or_else(|| format!("{level}司法局"));
        (name, short)
    }

    /// The agency id of the government the bureau belongs to: `bureau.government`, else the
    /// agency named region + 人民政府.
    pub fn government(&self) -> Option<&str> {
        if let Some(g) = &self.bureau.government {
            return Some(g.as_str());
        }
        let name = format!("{}人民政府", self.region);
        self.agencies
            .iter()
            .find(|(_, a)| a.name == name)
            .map(|(id, _)| id.as_str())
    }

    /// Where agency `id` stands to the bureau: its `relation`, else 上级 for the bureau's own
    /// government and 下级 for every other unit.
    pub(crate) fn relation(&self, id: &str) -> Relation {
        match self.agencies.get(id).and_then(|a| a.relation) {
            Some(r) => r,
            None if self.government() == Some(id) => Relation::Above,
            None => Relation::Below,
        }
    }

    /// The government of the region above (重庆市渝北区 → 重庆市人民政府): `bureau.superior`,
    /// else derived from the region's name; `None` for a region without a named parent.
    pub fn superior(&self) -> Option<String> {
        if let Some(s) = &self.bureau.superior {
            return Some(s.clone());
        }
        let parts = region_parts(&self.region);
        (parts.len() >= 2).then(|| format!("{}人民政府", parts[..parts.len() - 1].concat()))
    }

    /// The full and short names of the body agency `id`'s loss report goes to: its
    /// `reports_to` (an issuer id, an agency id or a name), else the bureau for a unit it
    /// supervises and the government above for the bureau's own government.
    pub fn reports_to(&self, id: &str) -> Option<(String, String)> {
        let named = |n: &str| -> (String, String) {
            if let Some(i) = self.issuers.get(n) {
                (
                    i.name.clone(),
                    i.short.clone().unwrap_or_else(|| i.name.clone()),
                )
            } else if let Some(a) = self.agencies.get(n) {
                (
                    a.name.clone(),
                    a.short.clone().unwrap_or_else(|| a.name.clone()),
                )
            } else {
                (n.to_string(), n.to_string())
            }
        };
        if let Some(r) = self.agencies.get(id).and_then(|a| a.reports_to.as_deref()) {
            return Some(named(r));
        }
        match self.relation(id) {
            Relation::Below => Some(self.bureau_names()),
            Relation::Above => self.superior().map(|s| (s.clone(), s)),
        }
    }

    /// The entries a field's `of:` names (`agencies`, `courts` or `issuers`), each as (id, full
    /// name), in id order; none for any other word (a workflow naming one is refused).
    pub fn entries(&self, of: &str) -> Vec<(&str, &str)> {
        match of {
            "agencies" => self
                .agencies
                .iter()
                .map(|(id, a)| (id.as_str(), a.name.as_str()))
                .collect(),
            "courts" => self
                .courts
                .iter()
                .map(|(id, n)| (id.as_str(), n.as_str()))
                .collect(),
            "issuers" => self
                .issuers
                .iter()
                .map(|(id, i)| (id.as_str(), i.name.as_str()))
                .collect(),
            "groups" => self
                .groups
                .0
                .iter()
                .map(|(id, g)| (id.value.as_str(), g.title.as_str()))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn court_name(&self, id: &str) -> String {
        self.courts
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}

/// A region's name cut into its units: 重庆市渝北区 → [重庆市, 渝北区]; a unit is at least two
/// characters (济南市市中区 → [济南市, 市中区]).
fn region_parts(region: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    for c in region.trim().chars() {
        cur.push(c);
        if "省市区县州盟旗".contains(c) && cur.chars().count() >= 2 {
            parts.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
}

/// The region as running text names it: its last unit (重庆市渝北区 → 渝北区).
fn local_name(region: &str) -> String {
    region_parts(region)
        .pop()
        .unwrap_or_else(|| region.to_string())
}
