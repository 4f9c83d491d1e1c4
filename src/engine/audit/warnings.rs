//! What is worth a second look though nothing fails: numbers given out of date order,
//! documents dated on a public holiday ([`document_warnings`]), and temporary files a crashed
//! run left ([`stale_temps`]).

use crate::archive;
use crate::error::Diagnostic;
use crate::workspace::Workspace;

/// What is worth a second look in the issued documents, though not wrong in the records
/// (`validate` and the issuing commands say it; nothing fails): a number given out of date
/// order in its registry (2号 dated after 3号), and a document dated on a public holiday by the
/// workspace's calendar (the official table with `yingsu.yaml`'s local days). With `only`, just
/// what concerns those documents (PDFs relative to the workspace). Voided documents are left out.
pub fn document_warnings(ws: &Workspace, only: Option<&[String]>) -> Vec<String> {
    let records = crate::numbers::records_in_archive_with(&ws.root, ws.settings().index);
    let shown = |r: &crate::numbers::RecordLine| {
        let title = if r.title.is_empty() {
            r.file.clone()
        } else {
            format!("《{}》", r.title)
        };
        let number = if r.number.is_empty() {
            String::new()
        } else {
            format!("{}，", r.number)
        };
        format!("{title}（{number}{}，{}）", r.date, r.file)
    };
    let mut out = Vec::new();
    for (later, earlier) in crate::numbers::out_of_date_order(&records, only) {
        out.push(format!(
            "提示：文号没有按日期先后编排：{}的日期早于文号在前的{}。请核对两份文书的日期；日期写错的，更正案件事实后运行 `yingsu render --reissue 案件编号` 重新印发",
            shown(later),
            shown(earlier)
        ));
    }
    for r in &records {
        if r.voided() || only.is_some_and(|o| !o.contains(&r.file)) {
            continue;
        }
        let Ok(date) = chrono::NaiveDate::parse_from_str(&r.date, "%Y-%m-%d") else {
            continue;
        };
        if let Some(name) = holiday(ws, date) {
            let fix = if r.file.starts_with("archive/reports/") {
                "用生成它的 `yingsu report` 命令加上正确的 --date 和 --reissue 重新印发"
            } else {
                "更正案件事实后运行 `yingsu render --reissue 案件编号` 重新印发"
            };
            out.push(format!(
                "提示：{}的日期是{name}。请核对文书日期（落款日期一般为签发或印发之日）；日期写错的，{fix}；当天确实办公的，在 yingsu.yaml 的 calendar.workdays 中加上这一天",
                shown(r)
            ));
        }
    }
    out
}

/// The public holiday `d` falls on in the workspace's calendar: the official holiday's name, or
/// a local holiday of `yingsu.yaml`; `None` on a working day or an ordinary weekend.
fn holiday(ws: &Workspace, d: chrono::NaiveDate) -> Option<String> {
    use chrono::Datelike;
    if ws.calendar.is_workday(d) {
        return None;
    }
    match crate::calendar::official_day(d) {
        Some(crate::calendar::OfficialDay::Holiday(name)) => Some(format!("法定节假日（{name}）")),
        _ if !matches!(d.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) => {
            Some("本地放假日（yingsu.yaml 的 calendar.holidays）".to_string())
        }
        _ => None,
    }
}

/// Temporary files a crashed run left in the archive or the case folders (a writing command
/// removes them; `validate` only reports them). None when the last writing command ended
/// cleanly: it started by removing what an earlier one left (see
/// [`Workspace::lock_for_writing`]), so the folders are not walked.
pub fn stale_temps(ws: &Workspace) -> Vec<Diagnostic> {
    if ws.last_write_ended_cleanly() {
        return Vec::new();
    }
    ws.record_dirs()
        .iter()
        .flat_map(|d| archive::find_stale_temps(d))
        .map(|p| {
            Diagnostic::new("上次运行中断时留下的临时文件（不是文书，也不是案件记录）")
                .in_file(ws.rel_path(&p))
                .help("下次运行修改记录的命令（render、case advance 等）时会自动删除；也可以直接删除它")
        })
        .collect()
}
