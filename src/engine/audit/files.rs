//! The issued files audited: every issued document against its frozen record and its case
//! ([`issued_files`], remembered in `.yingsu/index/issued.tsv` while intact), every issued
//! report against its record ([`issued_report_files`]), and the number registries against the
//! numbers issued documents hold ([`registries`]).

use crate::archive;
use crate::error::Diagnostic;
use crate::workspace::Workspace;

use super::IssuedDoc;
use crate::engine::issue;

/// The number registries checked against the numbers the issued documents hold (their frozen
/// records, and `docs` as their histories record them), lines they lack written back when the
/// holders say which document each belongs to: what was restored, and what could not be.
pub fn registries<'a>(
    ws: &Workspace,
    docs: impl IntoIterator<Item = &'a IssuedDoc>,
) -> (Vec<String>, Vec<Diagnostic>) {
    let mut held = crate::numbers::held_in_records_with(&ws.root, ws.settings().index);
    held.extend(docs.into_iter().filter_map(|d| {
        crate::numbers::Held::of(d.number.as_deref()?, Some(d.key.clone()), &d.file)
    }));
    crate::numbers::restore(&ws.root, &held)
}

/// The derived file remembering the issued documents found intact (see [`issued_files`]).
const ISSUED_FILE: &str = "issued.tsv";
const ISSUED_HEADER: &str = "# yingsu issued files v1: file\tkey (derived; safe to delete)";

/// Every issued document checked against its frozen record and its case: the PDF exists and
/// has the hash the history recorded, the record has that hash too, the record's number is the
/// case's, its data is as issued. Each finding says which file was changed and what to do. A
/// document whose PDF and record have the stamps they had when a run found it intact (and the
/// same recorded hash and number) is not read again (`.yingsu/index/issued.tsv`).
pub fn issued_files<'a>(
    ws: &Workspace,
    docs: impl IntoIterator<Item = &'a IssuedDoc>,
) -> Vec<Diagnostic> {
    let docs: Vec<&IssuedDoc> = docs.into_iter().collect();
    if docs.is_empty() {
        return Vec::new();
    }
    let dir = crate::index::dir(ws);
    let enabled = ws.settings().index;
    let mut known = std::collections::HashSet::new();
    if enabled
        && let Some(bytes) = crate::derived::read_derived(&dir.join(ISSUED_FILE))
        && let Some(body) = crate::derived::unseal(&bytes)
        && let Ok(text) = std::str::from_utf8(body)
        && text.lines().next() == Some(ISSUED_HEADER)
    {
        known.extend(text.lines().skip(1).map(str::to_string));
    }
    let now = crate::derived::now_ns();
    let inputs = std::sync::OnceLock::new();
    let registered = std::sync::OnceLock::new();
    let render_index = std::sync::OnceLock::new();
    use rayon::prelude::*;
    let found: Vec<(Option<String>, Vec<Diagnostic>)> = docs
        .par_iter()
        .map(|d| {
            let key = intact_key(ws, d, now);
            if let Some(k) = &key
                && known.contains(k)
            {
                return (key, Vec::new());
            }
            let problems = check_issued(ws, d, &|| {
                (
                    inputs
                        .get_or_init(|| crate::index::inputs_fingerprint(ws))
                        .as_str(),
                    registered.get_or_init(|| crate::numbers::Registered::read(&ws.archive_dir())),
                    render_index.get_or_init(|| crate::index::RenderIndex::load(ws)),
                )
            });
            (key.filter(|_| problems.is_empty()), problems)
        })
        .collect();
    let mut out = Vec::new();
    let mut keep = Vec::new();
    for (key, problems) in found {
        keep.extend(key);
        out.extend(problems);
    }
    keep.sort();
    keep.dedup();
    let unchanged = keep.len() == known.len() && keep.iter().all(|k| known.contains(k));
    if enabled && !unchanged {
        let mut text = format!("{ISSUED_HEADER}\n");
        for k in &keep {
            text.push_str(k);
            text.push('\n');
        }
        crate::derived::write_derived(&dir, ISSUED_FILE, &crate::derived::seal(text.into_bytes()));
    }
    out
}

/// What an intact document is remembered by: its file, the stamps of its PDF and record (both
/// settled), the hash and number its history recorded. `None` when a stamp is missing or new.
fn intact_key(ws: &Workspace, d: &IssuedDoc, now: i64) -> Option<String> {
    use crate::derived::Stamp;
    let pdf = Stamp::of_path(&ws.root.join(&d.file)).filter(|s| s.settled(now))?;
    let json =
        Stamp::of_path(&ws.root.join(issue::frozen_path(&d.file))).filter(|s| s.settled(now))?;
    let mut bytes = Vec::new();
    for part in [
        d.file.as_str(),
        &d.sha256,
        d.number.as_deref().unwrap_or(""),
        &d.key,
    ] {
        bytes.extend_from_slice(part.as_bytes());
        bytes.push(0);
    }
    bytes.extend_from_slice(&pdf.bytes());
    bytes.extend_from_slice(&json.bytes());
    Some(archive::sha256(&bytes))
}

/// What [`issued_files`] finds wrong with one document. `more` gives, when first needed, the
/// workspace's document inputs, the registries and the render index.
fn check_issued<'m>(
    ws: &Workspace,
    d: &IssuedDoc,
    more: &dyn Fn() -> (
        &'m str,
        &'m crate::numbers::Registered,
        &'m crate::index::RenderIndex,
    ),
) -> Vec<Diagnostic> {
    use issue::Frozen;
    let json = issue::frozen_path(&d.file);
    let what = crate::case::numbered_title(&format!("《{}》", d.title), d.number.as_deref());
    let restore_all = format!("git checkout -- {} {} {}", d.file, json, d.case_file);
    let mut out = Vec::new();
    let problem = |message: String, file: &str, help: String| {
        Diagnostic::new(message).in_file(file).help(help)
    };
    // The frozen record.
    let record: Option<Frozen> = match std::fs::symlink_metadata(ws.root.join(&json)) {
        Ok(m) if m.is_file() => {
            let parsed = std::fs::read(ws.root.join(&json))
                .ok()
                .and_then(|b| serde_json::from_slice::<Frozen>(&b).ok());
            if parsed.is_none() {
                out.push(problem(
                    format!("{what}的印发记录无法读取：它不是 yingsu 写下的印发记录，可能被改动或损坏了"),
                    &json,
                    format!("从 git 历史中恢复它（git checkout -- {json}）；`yingsu render --all` 不会用它重新生成文书"),
                ));
            }
            parsed
        }
        Ok(_) => {
            out.push(problem(
                format!("{what}的印发记录不是普通文件（是链接或文件夹）"),
                &json,
                format!("删除它，从 git 历史中恢复原来的印发记录（git checkout -- {json}）"),
            ));
            None
        }
        Err(_) => {
            out.push(problem(
                format!("{what}的印发记录缺失（案件 {} 记录了这份文书）", d.case_file),
                &json,
                format!("从 git 历史中恢复它（git checkout -- {json}）；没有印发记录，这份文书就不能按印发时的样子重新生成"),
            ));
            None
        }
    };
    // The PDF.
    let pdf_sha = match std::fs::symlink_metadata(ws.root.join(&d.file)) {
        Ok(m) if m.is_file() => match std::fs::read(ws.root.join(&d.file)) {
            Ok(bytes) => Some((archive::sha256(&bytes), bytes.len())),
            Err(_) => {
                out.push(problem(
                    format!("已印发的{what}无法读取"),
                    &d.file,
                    "检查这个文件的权限（当前用户须能读取它）后重新运行 `yingsu validate`"
                        .to_string(),
                ));
                return out;
            }
        },
        Ok(_) => {
            out.push(problem(
                format!("已印发的{what}不是普通文件（是链接或文件夹）"),
                &d.file,
                "删除它后运行 `yingsu render --all`，按印发记录恢复原件".to_string(),
            ));
            None
        }
        Err(_) => {
            out.push(problem(
                format!("已印发的{what}缺失（案件 {} 记录了它）", d.case_file),
                &d.file,
                if record.is_some() {
                    "运行 `yingsu render --all`，按它的印发记录恢复原件".to_string()
                } else {
                    format!("从 git 历史中恢复它（git checkout -- {}）", d.file)
                },
            ));
            None
        }
    };
    let Some(record) = record else {
        return out;
    };
    let recorded = d.sha256.as_str();
    match &pdf_sha {
        Some((sha, len)) if sha != recorded => {
            if record.sha256 == recorded {
                out.push(problem(
                    format!("已印发的{what}被改动或损坏：它现在的内容（{len} 字节）与印发记录和案件文件记录的哈希都不符"),
                    &d.file,
                    "运行 `yingsu render --all`，按印发记录恢复原件（恢复的文件与印发时逐字节相同）".to_string(),
                ));
            } else if record.sha256 == *sha {
                out.push(problem(
                    format!("案件文件 {} 中记录的{what}的哈希与原件及其印发记录都不符：案件文件的这条记录被改动过（或原件与印发记录被一同替换）", d.case_file),
                    &d.case_file,
                    format!("从 git 历史中恢复案件文件（必要时连同原件和印发记录：{restore_all}）"),
                ));
            } else {
                out.push(problem(
                    format!("已印发的{what}、它的印发记录和案件文件 {} 记录的哈希互不相同：原件和印发记录都被改动过", d.case_file),
                    &d.file,
                    format!("从 git 历史中恢复它们（{restore_all}）"),
                ));
            }
        }
        Some(_) if record.sha256 != recorded => out.push(problem(
            format!(
                "{what}的印发记录中的哈希与原件和案件文件 {} 记录的都不符：印发记录被改动过",
                d.case_file
            ),
            &json,
            format!("从 git 历史中恢复印发记录（git checkout -- {json}）"),
        )),
        _ => {}
    }
    if record.number != d.number {
        let (_, registered, _) = more();
        let by_registry = registered.by_key.get(&d.key);
        // The case file changed instead (its number is not the registry's): reported at the
        // case file by the audit.
        if by_registry.is_none() || by_registry == d.number.as_ref() {
            out.push(problem(
                format!(
                    "{what}的印发记录中的文号是 {}，与案件文件 {} 和文号登记簿中的 {} 不符：印发记录被改动过",
                    record.number.as_deref().unwrap_or("（无）"),
                    d.case_file,
                    d.number.as_deref().unwrap_or("（无）")
                ),
                &json,
                format!("从 git 历史中恢复印发记录（git checkout -- {json}）；被改动的印发记录不会被用来重新生成文书"),
            ));
        }
    }
    if !record.data_intact() {
        out.push(problem(
            format!("{what}的印发记录中的数据在印发后被改动过（与记录的数据哈希不符）"),
            &json,
            format!("从 git 历史中恢复印发记录（git checkout -- {json}）；被改动的印发记录不会被用来重新生成文书。确需按现在的数据重新印发时运行 `yingsu render --reissue`"),
        ));
    }
    // All three hashes agree: the render index may know that the record, made with the same
    // program, templates and fonts, gives other bytes (the PDF altered, its hashes with it).
    if out.is_empty()
        && pdf_sha.as_ref().is_some_and(|(s, _)| s == recorded)
        && !record.data.is_null()
    {
        let (inputs, _, index) = more();
        if record.inputs.as_deref() == Some(inputs)
            && let Some(gave) = index.gave(
                &d.file,
                &crate::index::document_inputs(inputs, &record.data),
            )
            && gave != recorded
        {
            out.push(problem(
                format!("已印发的{what}在印发后被改动过：程序、模板和字体都与印发时相同，按印发记录排出的文书却与它不同（原件、印发记录和案件文件中的哈希被一同改动过）"),
                &d.file,
                format!("从 git 历史中恢复它们（{restore_all}）"),
            ));
        }
    }
    out
}

/// Every issued report (bulletin, monthly return; see [`issue::issued_reports`]) checked
/// against its frozen record: the record is readable and its data as issued, the PDF exists and
/// has the record's hash. Reports have no case history: their record is all there is.
pub fn issued_report_files(ws: &Workspace) -> Vec<Diagnostic> {
    use issue::Frozen;
    let mut out = Vec::new();
    for r in issue::issued_reports(ws) {
        let read = |p: &str| match std::fs::symlink_metadata(ws.root.join(p)) {
            Ok(m) if m.is_file() => Some(std::fs::read(ws.root.join(p)).ok()),
            Ok(_) => Some(None),
            Err(_) => None,
        };
        let json = &r.record;
        let record = match read(json) {
            None => {
                out.push(
                    Diagnostic::new(format!(
                        "报表 {} 没有印发记录（{json} 缺失）",
                        r.file
                    ))
                    .in_file(json)
                    .help(format!("从 git 历史中恢复它（git checkout -- {json}）；没有印发记录，这份报表就不能按印发时的样子重新生成")),
                );
                continue;
            }
            Some(bytes) => match bytes.and_then(|b| serde_json::from_slice::<Frozen>(&b).ok()) {
                Some(f) => f,
                None => {
                    out.push(
                        Diagnostic::new(format!(
                            "报表 {} 的印发记录无法读取：它不是 yingsu 写下的印发记录（或不是普通文件），可能被改动或损坏了",
                            r.file
                        ))
                        .in_file(json)
                        .help(format!("从 git 历史中恢复它（git checkout -- {json}）；`yingsu render --all` 不会用它重新生成报表")),
                    );
                    continue;
                }
            },
        };
        let what =
            crate::case::numbered_title(&format!("《{}》", record.title), record.number.as_deref());
        if !record.data_intact() {
            out.push(
                Diagnostic::new(format!("{what}的印发记录中的数据在印发后被改动过（与记录的数据哈希不符）"))
                    .in_file(json)
                    .help(format!("从 git 历史中恢复印发记录（git checkout -- {json}）；被改动的印发记录不会被用来重新生成报表")),
            );
            continue;
        }
        match read(&r.file) {
            None => out.push(
                Diagnostic::new(format!("已印发的{what}缺失（印发记录 {json} 记录了它）"))
                    .in_file(&r.file)
                    .help("运行 `yingsu render --all`，按它的印发记录恢复原件（恢复的文件与印发时逐字节相同）"),
            ),
            Some(None) => out.push(
                Diagnostic::new(format!("已印发的{what}无法读取，或不是普通文件（是链接或文件夹）"))
                    .in_file(&r.file)
                    .help("删除它后运行 `yingsu render --all`，按印发记录恢复原件"),
            ),
            Some(Some(bytes)) if archive::sha256(&bytes) != record.sha256 => out.push(
                Diagnostic::new(format!(
                    "已印发的{what}被改动或损坏：它现在的内容（{} 字节）与印发记录中的哈希不符",
                    bytes.len()
                ))
                .in_file(&r.file)
                .help("运行 `yingsu render --all`，按印发记录恢复原件（恢复的文件与印发时逐字节相同）"),
            ),
            Some(Some(_)) => {}
        }
    }
    out
}
