//! Comparing the court's list of cases (CSV, or the first sheet of an Excel workbook) with the
//! archive.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::facts;
use crate::workspace::Workspace;

use super::figures::{Archive, norm_case_number};
use super::period::Period;

/// A row of the court's list that could not be read.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BadRow {
    pub line: usize,
    pub message: String,
}

/// One difference between the court's list and the archive.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Difference {
    pub case_number: String,
    /// What differs, e.g. 档案中没有, 开庭日期不一致.
    pub kind: String,
    /// What the court's list says.
    pub court: String,
    /// What the archive says.
    pub archive: String,
    /// The line of the court's list.
    pub line: Option<usize>,
    pub case_id: Option<String>,
}

/// The result of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rows: usize,
    pub court_cases: usize,
    pub archive_cases: usize,
    pub bad_rows: Vec<BadRow>,
    pub differences: Vec<Difference>,
}

#[derive(Debug, Clone)]
struct CourtRow {
    line: usize,
    case_number: String,
    notice_date: Option<NaiveDate>,
    hearing_date: Option<NaiveDate>,
    appeared: Option<bool>,
}

/// Split CSV text into records of fields with their starting line (quotes, doubled quotes and
/// line breaks inside quotes are handled).
fn csv_records(text: &str) -> std::result::Result<Vec<(usize, Vec<String>)>, BadRow> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut fields = Vec::new();
    let mut line = 1;
    let mut start = 1;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
                any = true;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                out.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
                any = false;
            }
            _ => {
                field.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err(BadRow {
            line: start,
            message: "引号没有闭合".into(),
        });
    }
    if any || !field.is_empty() {
        fields.push(field);
        out.push((start, fields));
    }
    Ok(out)
}

fn parse_appeared(s: &str) -> Option<bool> {
    match s.trim() {
        "是" | "出庭" | "已出庭" | "Y" | "y" | "1" | "true" | "TRUE" | "True" | "yes" => {
            Some(true)
        }
        "否" | "未出庭" | "不出庭" | "N" | "n" | "0" | "false" | "FALSE" | "False" | "no" => {
            Some(false)
        }
        _ => None,
    }
}

/// The columns: case number, notice date, hearing date, appeared.
fn column_of(h: &str) -> Option<usize> {
    let h = h.trim().trim_start_matches('\u{feff}');
    match h {
        "案号" | "case_number" => Some(0),
        "收到通知日期" | "通知日期" | "出庭通知日期" | "notice_date" | "notice date" => {
            Some(1)
        }
        "开庭日期" | "hearing_date" | "hearing date" => Some(2),
        "负责人是否出庭" | "负责人出庭" | "是否出庭" | "head_appeared" | "head appeared" => {
            Some(3)
        }
        _ => None,
    }
}

/// Whether `path` names an Excel workbook (by its extension).
fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// An Excel cell as the text the row parser reads: dates as 2023-04-20 (date cells or text),
/// whole numbers without a decimal point.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(true) => "是".into(),
        Data::Bool(false) => "否".into(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) => dt.date().to_string(),
            None => d.to_string(),
        },
        Data::DateTimeIso(s) => s.split('T').next().unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The largest court's list read (CSV or .xlsx): a list of ten thousand cases is a few
/// megabytes; a larger file (or `/dev/zero`) is refused without being read.
const MAX_COURT_LIST: u64 = 64 * 1024 * 1024;

/// The rows of the first sheet of the workbook at `path`, numbered as Excel numbers them.
fn xlsx_records(path: &Path) -> Result<Vec<(usize, Vec<String>)>> {
    use calamine::Reader;
    let unreadable = |why: &str, help: &str| -> Error {
        crate::error::Diagnostic::new(format!("无法读取法院清单：{why}"))
            .in_file(path)
            .help(help)
            .into()
    };
    let not_a_workbook = |e: calamine::XlsxError| -> Error {
        match e {
            calamine::XlsxError::Password => {
                unreadable("工作簿设有密码", "请在 Excel 中取消密码后另存为 .xlsx")
            }
            _ => unreadable(
                "不是有效的 Excel 工作簿（.xlsx）",
                "请在 Excel 中打开后“另存为 → Excel 工作簿（*.xlsx）”，或另存为 CSV UTF-8（逗号分隔）",
            ),
        }
    };
    let bytes = crate::jail::read_given(path, MAX_COURT_LIST)?;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(not_a_workbook)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("工作簿中没有工作表", "请把法院的案件清单放在第一个工作表"))?
        .map_err(not_a_workbook)?;
    let first = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let lead = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut fields = vec![String::new(); lead];
            fields.extend(row.iter().map(cell_text));
            // A sheet has no number of columns: empty cells at the end still count as columns.
            if fields.len() < 4 {
                fields.resize(4, String::new());
            }
            (first + i + 1, fields)
        })
        .collect())
}

/// The records of the court's list at `path`: an Excel workbook's first sheet, or CSV text.
fn court_records(path: &Path) -> Result<Vec<(usize, Vec<String>)>> {
    if is_xlsx(path) {
        return xlsx_records(path);
    }
    let bytes = crate::jail::read_given(path, MAX_COURT_LIST)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::from(
            crate::error::Diagnostic::new("法院清单不是 UTF-8 编码")
                .in_file(path)
                .help("请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”，或用 iconv -f GBK -t UTF-8 转换"),
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    csv_records(text).map_err(|b| {
        Error::from(
            crate::error::Diagnostic::new(format!("第 {} 行：{}", b.line, b.message))
                .in_file(path)
                .help("请检查该行的引号"),
        )
    })
}

/// The court's list at `path` (CSV or .xlsx), read into rows and the rows that could not be read.
fn read_court(path: &Path) -> Result<(Vec<CourtRow>, Vec<BadRow>)> {
    let records = court_records(path)?;
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let mut map = [0usize, 1, 2, 3];
    let mut first = true;
    for (line, fields) in records {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if first {
            first = false;
            let cols: Vec<Option<usize>> = fields.iter().map(|f| column_of(f)).collect();
            if cols.iter().any(|c| c.is_some()) {
                let mut m = [usize::MAX; 4];
                for (i, c) in cols.iter().enumerate() {
                    if let Some(c) = c {
                        m[*c] = i;
                    }
                }
                if let Some(k) = m.iter().position(|x| *x == usize::MAX) {
                    let need = ["案号", "收到通知日期", "开庭日期", "负责人是否出庭"][k];
                    return Err(crate::error::Diagnostic::new(format!("法院清单的表头缺少“{need}”列"))
                        .in_file(path)
                        .help("表头应为：案号,收到通知日期,开庭日期,负责人是否出庭（也可以不要表头，按此顺序排列）")
                        .into());
                }
                map = m;
                continue;
            }
        }
        let get = |k: usize| {
            fields
                .get(map[k])
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        if fields.len() < 4 {
            bad.push(BadRow {
                line,
                message: format!(
                    "应有 4 列（案号、收到通知日期、开庭日期、负责人是否出庭），只有 {} 列",
                    fields.len()
                ),
            });
            continue;
        }
        let case_number = get(0);
        if case_number.is_empty() {
            bad.push(BadRow {
                line,
                message: "案号为空".into(),
            });
            continue;
        }
        let mut problems = Vec::new();
        let mut date = |k: usize, what: &str| -> Option<NaiveDate> {
            let v = get(k);
            if v.is_empty() {
                return None;
            }
            match facts::parse_date(&v) {
                Ok(d) => Some(d),
                Err(why) => {
                    problems.push(format!("{what} `{v}` 无效：{why}"));
                    None
                }
            }
        };
        let notice_date = date(1, "收到通知日期");
        let hearing_date = date(2, "开庭日期");
        let a = get(3);
        let appeared = if a.is_empty() {
            None
        } else {
            parse_appeared(&a)
        };
        if !a.is_empty() && appeared.is_none() {
            problems.push(format!("负责人是否出庭 `{a}` 应为“是”或“否”"));
        }
        if !problems.is_empty() {
            bad.push(BadRow {
                line,
                message: problems.join("；"),
            });
            continue;
        }
        rows.push(CourtRow {
            line,
            case_number,
            notice_date,
            hearing_date,
            appeared,
        });
    }
    Ok((rows, bad))
}

fn yes_no(b: Option<bool>) -> String {
    match b {
        Some(true) => "出庭".into(),
        Some(false) => "未出庭".into(),
        None => "未填".into(),
    }
}

fn d(x: Option<NaiveDate>) -> String {
    x.map(|d| d.to_string()).unwrap_or_else(|| "未填".into())
}

/// Compare the court's list at `path` with the archive.
pub fn reconcile(
    _ws: &Workspace,
    archive: &Archive,
    path: &Path,
    period: Option<&Period>,
) -> Result<Reconciliation> {
    let (rows, bad_rows) = read_court(path)?;
    let dates: Vec<NaiveDate> = rows
        .iter()
        .flat_map(|r| [r.notice_date, r.hearing_date])
        .flatten()
        .collect();
    let (from, to) = match period {
        Some(p) => (p.from, p.to),
        None => match (dates.iter().min(), dates.iter().max()) {
            (Some(a), Some(b)) => (*a, *b),
            _ => {
                return Err(Error::user(
                    format!(
                        "法院清单 {} 中没有可用的日期，无法确定比对范围",
                        path.display()
                    ),
                    "请用 --period 指定期间，例如 --period 2023Q1",
                ));
            }
        },
    };
    let inside = |x: Option<NaiveDate>| x.is_some_and(|x| from <= x && x <= to);
    // Court cases by normalised number (only rows in the range when a period was given).
    let mut court: BTreeMap<String, Vec<&CourtRow>> = BTreeMap::new();
    for r in &rows {
        if period.is_some() && !inside(r.notice_date) && !inside(r.hearing_date) {
            continue;
        }
        court
            .entry(norm_case_number(&r.case_number))
            .or_default()
            .push(r);
    }
    let mut ours: BTreeMap<String, &super::figures::Record> = BTreeMap::new();
    let mut all: BTreeMap<String, &super::figures::Record> = BTreeMap::new();
    for r in &archive.records {
        let n = norm_case_number(&r.case_number);
        all.insert(n.clone(), r);
        if inside(r.notice_date) || r.hearings.iter().any(|h| inside(h.date)) {
            ours.insert(n, r);
        }
    }
    let mut diffs = Vec::new();
    for (n, crs) in &court {
        let first = crs[0];
        let Some(rec) = ours.get(n).or_else(|| all.get(n)) else {
            diffs.push(Difference {
                case_number: first.case_number.clone(),
                kind: "档案中没有".into(),
                court: format!(
                    "通知 {}，开庭 {}",
                    d(first.notice_date),
                    d(first.hearing_date)
                ),
                archive: "—".into(),
                line: Some(first.line),
                case_id: None,
            });
            continue;
        };
        let id = Some(rec.id.clone());
        let notices: BTreeSet<NaiveDate> = crs.iter().filter_map(|r| r.notice_date).collect();
        for nd in &notices {
            if rec.notice_date != Some(*nd) {
                let line = crs
                    .iter()
                    .find(|r| r.notice_date == Some(*nd))
                    .map(|r| r.line);
                diffs.push(Difference {
                    case_number: rec.case_number.clone(),
                    kind: "收到通知日期不一致".into(),
                    court: nd.to_string(),
                    archive: d(rec.notice_date),
                    line,
                    case_id: id.clone(),
                });
            }
        }
        let ours_dates: BTreeSet<NaiveDate> = rec.hearings.iter().filter_map(|h| h.date).collect();
        let theirs: BTreeSet<NaiveDate> = crs.iter().filter_map(|r| r.hearing_date).collect();
        for cr in crs {
            let Some(hd) = cr.hearing_date else { continue };
            match rec.hearings.iter().find(|h| h.date == Some(hd)) {
                None => diffs.push(Difference {
                    case_number: rec.case_number.clone(),
                    kind: "档案中没有该次开庭".into(),
                    court: hd.to_string(),
                    archive: if ours_dates.is_empty() {
                        "未记录开庭".into()
                    } else {
                        ours_dates
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join("、")
                    },
                    line: Some(cr.line),
                    case_id: id.clone(),
                }),
                Some(h) => {
                    if cr.appeared.is_some() && cr.appeared != h.appeared {
                        diffs.push(Difference {
                            case_number: rec.case_number.clone(),
                            kind: format!("{hd}负责人出庭情况不一致"),
                            court: yes_no(cr.appeared),
                            archive: yes_no(h.appeared),
                            line: Some(cr.line),
                            case_id: id.clone(),
                        });
                    }
                }
            }
        }
        for od in &ours_dates {
            if inside(Some(*od)) && !theirs.contains(od) {
                diffs.push(Difference {
                    case_number: rec.case_number.clone(),
                    kind: "法院清单中没有该次开庭".into(),
                    court: if theirs.is_empty() {
                        "未列开庭".into()
                    } else {
                        theirs
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join("、")
                    },
                    archive: od.to_string(),
                    line: Some(first.line),
                    case_id: id.clone(),
                });
            }
        }
    }
    for (n, rec) in &ours {
        if !court.contains_key(n) {
            diffs.push(Difference {
                case_number: rec.case_number.clone(),
                kind: "法院清单中没有".into(),
                court: "—".into(),
                archive: format!(
                    "通知 {}，开庭 {}",
                    d(rec.notice_date),
                    rec.hearings
                        .iter()
                        .filter_map(|h| h.date)
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                line: None,
                case_id: Some(rec.id.clone()),
            });
        }
    }
    Ok(Reconciliation {
        from,
        to,
        rows: rows.len(),
        court_cases: court.len(),
        archive_cases: ours.len(),
        bad_rows,
        differences: diffs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_crlf() {
        let r = csv_records("a,\"b,c\",\"d\"\"e\"\r\n1,2,3\r\n").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].1, vec!["a", "b,c", "d\"e"]);
        assert_eq!(r[1], (2, vec!["1".to_string(), "2".into(), "3".into()]));
        assert!(csv_records("\"open").is_err());
    }
}
