//! Issued reports under `render --all`: owns finding the reports issued in
//! `archive/reports/<year>/`, their identity in the PDF, and making each again from its frozen
//! record (restored when lost, reported when its record no longer gives it).

use std::path::Path;

use chrono::NaiveDate;

use crate::archive::{self, Staged};
use crate::case::DocRecord;
use crate::document::{DocRequest, DocumentRenderer, Prepared};
use crate::error::Result;
use crate::workspace::Workspace;

use super::frozen::{Drift, Frozen};
use super::run::{Known, Rendered};

/// An issued report (a bulletin, a monthly return) as found in `archive/reports/<year>/`: its
/// PDF and its frozen record (relative to the workspace), either of which may be missing.
#[derive(Debug, Clone)]
pub struct IssuedReport {
    pub file: String,
    pub record: String,
}

/// Every issued report: each `.pdf` or `.json` under `archive/reports/<year>/` (folders and
/// files behind links are not followed; a link is reported by `validate`), in name order.
pub fn issued_reports(ws: &Workspace) -> Vec<IssuedReport> {
    let base = ws.root.join("archive").join("reports");
    let real_dir = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    if !real_dir(&ws.root.join("archive")) || !real_dir(&base) {
        return Vec::new();
    }
    let mut stems = std::collections::BTreeSet::new();
    let Ok(years) = std::fs::read_dir(&base) else {
        return Vec::new();
    };
    for year in years.flatten() {
        let name = year.file_name().to_string_lossy().to_string();
        if name.parse::<i32>().is_err() || !year.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(year.path()) else {
            continue;
        };
        for f in files.flatten() {
            let file = f.file_name().to_string_lossy().to_string();
            let stem = file
                .strip_suffix(".pdf")
                .or_else(|| file.strip_suffix(".json"));
            if let Some(stem) = stem
                && !stem.starts_with('.')
            {
                stems.insert(format!("archive/reports/{name}/{stem}"));
            }
        }
    }
    stems
        .into_iter()
        .map(|s| IssuedReport {
            file: format!("{s}.pdf"),
            record: format!("{s}.json"),
        })
        .collect()
}

/// The request that made the report whose frozen record is `f`, at `file`: its template,
/// title, number and date, with the data it was issued with.
fn report_request(ws: &Workspace, f: &Frozen, file: &str) -> Option<DocRequest> {
    let date = NaiveDate::parse_from_str(&f.date, "%Y-%m-%d").ok()?;
    Some(DocRequest {
        case_id: String::new(),
        workflow: String::new(),
        step: String::new(),
        template: f.template.clone(),
        title: f.title.clone(),
        issuer: None,
        number: f.number.clone(),
        date,
        facts: Default::default(),
        history: Vec::new(),
        prepared: Some(Prepared {
            data: f.data.clone(),
            ident: report_ident(file)?,
        }),
        declared: ws.declared(&f.template).unwrap_or_default(),
    })
}

/// `render --all` over the issued reports, as over the cases' documents: each made again from
/// its frozen record unless the render index knows these inputs give the PDF on disk; a lost or
/// damaged one restored byte for byte; one the record no longer gives (a template or font
/// changed) left as issued and reported; one whose record cannot give it back reported as lost
/// (with why).
pub(super) fn rerender_reports(
    ws: &Workspace,
    renderer: &dyn DocumentRenderer,
    known: &Known<'_>,
) -> Result<(Vec<Rendered>, Vec<Staged>, Vec<Drift>)> {
    let mut out = Vec::new();
    let mut staged = Vec::new();
    let mut drifts = Vec::new();
    for r in issued_reports(ws) {
        let Some(f) = Frozen::read(ws, &r.file) else {
            // A PDF without a readable record: nothing to check it against (`validate` says so).
            continue;
        };
        let on_disk = std::fs::read(ws.root.join(&r.file))
            .ok()
            .map(|b| archive::sha256(&b));
        let intact = on_disk.as_deref() == Some(f.sha256.as_str());
        let record = DocRecord {
            title: f.title.clone(),
            template: f.template.clone(),
            number: f.number.clone(),
            file: r.file.clone(),
            sha256: f.sha256.clone(),
        };
        let drift = |lost: Option<String>| Drift {
            case_id: String::new(),
            file: r.file.clone(),
            title: f.title.clone(),
            changed: Vec::new(),
            lost,
        };
        let rendered = |changed: bool, typeset: bool| Rendered {
            case_id: String::new(),
            record: record.clone(),
            changed,
            typeset,
        };
        if !f.data_intact() {
            drifts.push(drift(Some(format!(
                "印发记录 {} 中的数据在印发后被改动过（与记录的数据哈希不符），不能用它恢复原件",
                r.record
            ))));
            out.push(rendered(false, false));
            continue;
        }
        let inputs = crate::index::document_inputs(known.inputs, &f.data);
        if intact && known.index.gives(&r.file, &inputs, &f.sha256) {
            out.push(rendered(false, false));
            continue;
        }
        let Some(req) = report_request(ws, &f, &r.file) else {
            drifts.push(drift(Some(format!(
                "印发记录 {} 不是 yingsu 写下的报表记录（日期或文件名无法识别）",
                r.record
            ))));
            out.push(rendered(false, false));
            continue;
        };
        let pdf = renderer.render_data(ws, &req, &f.data)?;
        let sha = archive::sha256(&pdf);
        if sha == f.sha256 {
            known.index.record(&r.file, &inputs, &sha);
            if !intact {
                // Lost or damaged: restored byte for byte.
                staged.push(archive::stage(&ws.output_path(&r.file)?, &pdf)?);
            }
            out.push(rendered(!intact, true));
            continue;
        }
        let same_inputs = f.inputs.as_deref() == Some(known.inputs);
        let lost = if intact && same_inputs {
            Some("原件在印发后被改动过：程序、模板和字体都与印发时相同，按印发记录排出的报表却与原件不同（原件和记录中的哈希被一同改动过）".to_string())
        } else if intact {
            // A template or font changed since: the issued report stays as it is.
            None
        } else if on_disk.is_none() {
            Some(
                "原件缺失，且按印发记录已排不出原件（印发记录被改动，或模板、字体已改动）"
                    .to_string(),
            )
        } else {
            Some("原件已损坏或被替换，且按印发记录已排不出原件（印发记录被改动，或模板、字体已改动）".to_string())
        };
        drifts.push(drift(lost));
        out.push(rendered(false, true));
    }
    Ok((out, staged, drifts))
}

/// The identity in the PDF of the report issued at `file` (as `stats::monthly` and `stats::bulletin`
/// name their files): `archive/reports/2023/monthly-2023-03-scjgj.pdf` → `report#monthly#scjgj#2023-03`,
/// `archive/reports/2023/bulletin-2023Q1.pdf` → `report#bulletin#2023Q1`. `render --all` makes
/// a lost report again from its frozen record with it.
pub fn report_ident(file: &str) -> Option<String> {
    let name = std::path::Path::new(file).file_name()?.to_str()?;
    let stem = name.strip_suffix(".pdf")?;
    if let Some(code) = stem.strip_prefix("bulletin-") {
        return Some(format!("report#bulletin#{code}"));
    }
    let rest = stem.strip_prefix("monthly-")?;
    // The month's code is `YYYY-MM`; the agency id follows it.
    let (code, agency) = (rest.get(..7)?, rest.get(8..)?);
    (rest.get(7..8) == Some("-") && !agency.is_empty())
        .then(|| format!("report#monthly#{agency}#{code}"))
}

#[cfg(test)]
mod ident_tests {
    use super::report_ident as ident_of;

    #[test]
    fn a_report_file_names_its_identity() {
        assert_eq!(
            ident_of("archive/reports/2023/monthly-2023-03-scjgj.pdf").as_deref(),
            Some("report#monthly#scjgj#2023-03")
        );
        assert_eq!(
            ident_of("archive/reports/2023/monthly-2023-03-a-b.pdf").as_deref(),
            Some("report#monthly#a-b#2023-03")
        );
        assert_eq!(
            ident_of("archive/reports/2023/bulletin-2023Q1.pdf").as_deref(),
            Some("report#bulletin#2023Q1")
        );
        assert_eq!(ident_of("archive/reports/2023/other.pdf"), None);
        assert_eq!(ident_of("archive/reports/2023/monthly-2023-03.pdf"), None);
    }
}
