//! Attachments: owns `case attach` — placing a judgment (one PDF, or its scanned pages as PNG or
//! JPEG images) in a case. The content is checked (by its first bytes, its size, and for a PDF
//! that it can be read and has pages), the files are copied under a path yingsu derives
//! (`attachments/<case-id>/<n>.pdf`, `attachments/<case-id>/<n>-<k>.png`; never a name the
//! clerk gave), and one history entry records who placed which file when, with its SHA-256,
//! written together with the files in one atomic batch. Documents declared to carry the
//! attachments (`attachments: true` in the workflow) append them as their 附件.

use std::path::Path;

use serde::Serialize;

use crate::archive::Batch;
use crate::case::{
    ATTACHMENTS_DIR, AttachedFile, AttachmentRecord, HistoryEntry, MAX_ATTACHMENT_BYTES,
};
use crate::document::DocumentRenderer;
use crate::error::{Diagnostic, Error, Result};
use crate::workspace::Workspace;

use super::{Actor, store};

/// What the history entry of an attachment says it is.
pub const EVENT: &str = "添加附件";

/// The longest title of an attachment (it is printed in the 附件说明).
pub const MAX_TITLE_CHARS: usize = 60;

/// A file given to be attached: the name it had (shown only, and the default title) and its
/// content.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What `case attach` did.
#[derive(Debug, Clone, Serialize)]
pub struct AttachReport {
    pub case_id: String,
    /// The attachment's number among the case's attachments (1-based).
    pub number: usize,
    /// The history entry recorded, counted from 1.
    pub entry: usize,
    pub record: AttachmentRecord,
}

/// Reads the file at `path` the clerk named to be attached: refused when it is a symbolic link
/// (the file itself must be given), not a regular file, or over [`MAX_ATTACHMENT_BYTES`].
pub fn read_upload(path: &Path) -> Result<Upload> {
    let shown = path.display().to_string();
    if let Ok(meta) = std::fs::symlink_metadata(path)
        && meta.file_type().is_symlink()
    {
        return Err(
            Diagnostic::new(format!("“{shown}”是符号链接，不能作为附件"))
                .help("请直接指定文件本身，不要指定指向它的链接")
                .into(),
        );
    }
    let bytes = crate::jail::read_given(path, MAX_ATTACHMENT_BYTES)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    Ok(Upload { name, bytes })
}

/// The kind of a file by its first bytes: `pdf`, `png` or `jpg`.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(b"\xFF\xD8\xFF") {
        Some("jpg")
    } else {
        None
    }
}

/// Why the name a file was given under is not usable, if it is not: it must be a plain file
/// name (no folder, no `..`, nothing a file system treats specially).
fn name_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        return Some("文件名为空".into());
    }
    if name.contains('/') || name.contains('\\') {
        return Some("含有“/”或“\\”，只能是文件名本身，不能带目录".into());
    }
    if name == "." || name == ".." {
        return Some("不是文件名".into());
    }
    crate::jail::file_name_problem(name)
}

/// Places `uploads` in case `id` as one attachment titled `title` (default: the first file's
/// name without its extension), as done by `actor` (see the module's documentation). One PDF,
/// or one or more page images; `renderer` reads the PDF's pages as documents will.
pub fn attach(
    ws: &Workspace,
    id: &str,
    uploads: &[Upload],
    title: Option<&str>,
    actor: &Actor,
    renderer: &dyn DocumentRenderer,
) -> Result<AttachReport> {
    crate::case::check_id(id)?;
    let kinds_help = "附件可以是一个 PDF 文件（法院送达的判决书），或扫描得到的一页或多页 PNG/JPEG 图片（按页序给出）";
    if uploads.is_empty() {
        return Err(Error::user("没有给出要添加的附件文件", kinds_help));
    }
    // Content first: nothing is locked or written for a file that cannot be an attachment.
    let mut kinds = Vec::new();
    let mut pages = Vec::new();
    for u in uploads {
        let shown = crate::jail::shown(&u.name);
        if let Some(why) = name_problem(&u.name) {
            return Err(Diagnostic::new(format!("文件名“{shown}”不可用：{why}"))
                .help("附件保存时的文件名由 yingsu 决定；请给出文件本身")
                .into());
        }
        if u.bytes.len() as u64 > MAX_ATTACHMENT_BYTES {
            return Err(Diagnostic::new(format!(
                "文件“{shown}”太大（{} 字节，上限为 {MAX_ATTACHMENT_BYTES} 字节）",
                u.bytes.len()
            ))
            .help("请检查是否选错了文件；扫描件可以降低分辨率后再添加")
            .into());
        }
        let Some(kind) = sniff(&u.bytes) else {
            return Err(Diagnostic::new(format!(
                "文件“{shown}”不是 PDF、PNG 或 JPEG 文件（按文件内容判断，与扩展名无关）"
            ))
            .help(kinds_help)
            .into());
        };
        let n = if kind == "pdf" {
            renderer.pdf_pages(&u.bytes).ok_or_else(|| {
                Error::user(
                    format!("文件“{shown}”无法作为 PDF 读取（文件已损坏、加密或没有页面）"),
                    "请取得未加密的完整 PDF 后再添加，或改用扫描图片",
                )
            })?
        } else {
            1
        };
        kinds.push(kind);
        pages.push(n);
    }
    if kinds.contains(&"pdf") && uploads.len() > 1 {
        return Err(Error::user(
            "一次只能添加一个 PDF 文件，且不能与图片混在一起",
            format!("{kinds_help}；多个文件请分别运行 `yingsu case attach`，每次一个附件"),
        ));
    }
    let title = match title {
        Some(t) => t.trim().to_string(),
        None => uploads[0]
            .name
            .rsplit_once('.')
            .map_or(uploads[0].name.as_str(), |(stem, _)| stem)
            .trim()
            .to_string(),
    };
    crate::entry::check_text("--title（附件标题）", &title, crate::entry::Field::LINE)?;
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(Error::user(
            format!("附件标题太长（超过 {MAX_TITLE_CHARS} 个字符）"),
            "用 --title 给一个简短的标题，例如 --title \"（2023）渝0112行初31号行政判决书\"",
        ));
    }

    let _lock = ws.lock_for_writing()?;
    let view = store::load_case(ws, id)?;
    let case = &view.case;
    if case.is_withdrawn() {
        return Err(Error::user(
            format!("案件 `{id}` 已经撤回，不能再添加附件"),
            "用 `yingsu case show` 查看撤回的原因",
        ));
    }
    // Numbered after every attachment ever placed (one taken back keeps its number and files).
    let number = case
        .history
        .iter()
        .map(|h| h.attachments.len())
        .sum::<usize>()
        + 1;
    let mut batch = Batch::default();
    let mut files = Vec::new();
    for (k, (u, (kind, pages))) in uploads.iter().zip(kinds.iter().zip(&pages)).enumerate() {
        let name = if uploads.len() == 1 {
            format!("{number}.{kind}")
        } else {
            format!("{number}-{}.{kind}", k + 1)
        };
        let rel = format!("{ATTACHMENTS_DIR}/{id}/{name}");
        let path = ws.output_path(&rel)?;
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(Error::user(
                format!("工作区中已有文件 {rel}，附件没有添加"),
                "这个位置的文件不是 yingsu 在本案件的办理记录中登记的附件；请查明它的来历，移走后重试",
            ));
        }
        batch.stage(&path, &u.bytes)?;
        files.push(AttachedFile {
            file: rel,
            from: u.name.clone(),
            sha256: crate::archive::sha256(&u.bytes),
            pages: *pages,
        });
    }
    let record = AttachmentRecord { title, files };
    let mut entry = HistoryEntry::event(EVENT, actor.at(), actor.who.clone());
    entry.attachments.push(record.clone());
    let text = case.with_entry(&entry)?;
    batch.stage(&case.path, text.as_bytes())?;
    batch.commit()?;
    Ok(AttachReport {
        case_id: id.to_string(),
        number,
        entry: case.history.len() + 1,
        record,
    })
}

/// Every attached file checked against the hash its case's history recorded: a file changed or
/// gone since is reported naming the case, the attachment, both hashes, and the issued documents
/// that carry it (their frozen records list it), with how to put it right. Only the cases with
/// an `attachments/<case-id>/` folder are read.
pub fn check_files(ws: &Workspace) -> Vec<Diagnostic> {
    let dir = ws.root.join(ATTACHMENTS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|id| crate::case::check_id(id).is_ok())
        .collect();
    ids.sort();
    let mut out = Vec::new();
    for id in ids {
        let Ok(view) = store::load_case(ws, &id) else {
            continue;
        };
        let case = &view.case;
        // The issued documents of the case whose frozen records carry attachments.
        let carriers: Vec<(String, serde_json::Value)> = case
            .history
            .iter()
            .flat_map(|h| &h.documents)
            .filter_map(|d| {
                let f = super::issue::Frozen::read(ws, &d.file)?;
                let list = f.data.get("attachments")?.clone();
                Some((d.label(), list))
            })
            .collect();
        let mut number = 0;
        for h in &case.history {
            for a in &h.attachments {
                number += 1;
                for f in &a.files {
                    let actual = crate::jail::read_inside(
                        &ws.root,
                        Path::new(&f.file),
                        MAX_ATTACHMENT_BYTES,
                    )
                    .ok()
                    .map(|b| crate::archive::sha256(&b));
                    if actual.as_deref() == Some(f.sha256.as_str()) {
                        continue;
                    }
                    let now = match &actual {
                        Some(sha) => format!("现在为 {sha}"),
                        None => "现在文件不存在或无法读取".to_string(),
                    };
                    let mut docs: Vec<&str> = Vec::new();
                    for (label, list) in &carriers {
                        if list.to_string().contains(&f.sha256) && !docs.contains(&label.as_str()) {
                            docs.push(label);
                        }
                    }
                    let carried = if docs.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "；印发的《{}》带有这个附件，无法按原样重新生成",
                            docs.join("》《")
                        )
                    };
                    out.push(
                        Diagnostic::new(format!(
                            "案件 {id} 的第 {number} 个附件《{}》的文件 {} 已改变：添加时的 SHA-256 为 {}，{now}{carried}",
                            a.title, f.file, f.sha256
                        ))
                        .help(format!(
                            "请恢复该文件（例如用 git 取回：git checkout -- {}），或按现在的附件重新印发该文书：yingsu render --reissue {id}",
                            f.file
                        )),
                    );
                }
            }
        }
    }
    out
}
