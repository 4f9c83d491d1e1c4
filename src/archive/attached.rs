//! Attached files as a document uses them: owns reading the files of the attachments a
//! document's data lists (`attachments[].files[]`, placed by `yingsu case attach`) — once each,
//! only from where yingsu places them (`attachments/…`, through the jail), and only when they
//! still have the SHA-256 the data records. A file changed or gone since is refused, naming the
//! document, the attachment, both hashes and how to put it right: a document is never made
//! with other bytes than it records, and a re-render of an issued one never silently differs.

use std::path::Path;

use serde_json::Value;

use crate::case::{ATTACHMENTS_DIR, MAX_ATTACHMENT_BYTES, attachment_kind, attachment_sources};
use crate::error::{Error, Result};

/// One attached file, read and checked.
pub struct CheckedFile {
    /// The attachment's number in the document (1-based) and its title.
    pub number: usize,
    pub title: String,
    /// Where it lies, relative to the workspace.
    pub file: String,
    /// A PDF (its pages are served as images), else a page image.
    pub pdf: bool,
    /// The virtual paths its pages are read at (see [`attachment_sources`]).
    pub sources: Vec<String>,
    pub bytes: Vec<u8>,
}

/// How to put a changed or missing attached file right.
pub fn fix(file: &str, case_id: &str) -> String {
    format!(
        "请恢复该文件（例如用 git 取回：git checkout -- {file}），或按现在的附件重新印发该文书：yingsu render --reissue {case_id}"
    )
}

/// The files of the attachments `data` lists, read and checked (see the module's
/// documentation) under the workspace folder `root`; `what` names the document (《…》（案件
/// X）), `case_id` its case. Data without attachments has none.
pub fn read_checked(
    root: &Path,
    what: &str,
    case_id: &str,
    data: &Value,
) -> Result<Vec<CheckedFile>> {
    let mut out = Vec::new();
    let Some(list) = data.get("attachments").and_then(Value::as_array) else {
        return Ok(out);
    };
    for (i, a) in list.iter().enumerate() {
        let n = i + 1;
        let title = a.get("title").and_then(Value::as_str).unwrap_or_default();
        let files = a.get("files").and_then(Value::as_array);
        for (j, f) in files.into_iter().flatten().enumerate() {
            let text = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or_default();
            let (file, expected) = (text("file"), text("sha256"));
            let pages = f
                .get("pages")
                .and_then(Value::as_u64)
                .and_then(|p| usize::try_from(p).ok())
                .unwrap_or(0);
            let sources = attachment_sources(n, j + 1, file, pages);
            let given: Option<Vec<&str>> = f
                .get("sources")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect());
            let under = file
                .strip_prefix(ATTACHMENTS_DIR)
                .is_some_and(|rest| rest.starts_with('/'));
            let same = sources
                .as_ref()
                .map(|s| s.iter().map(String::as_str).collect::<Vec<_>>())
                == given;
            let Some(sources) = sources.filter(|_| under && same) else {
                return Err(Error::user(
                    format!(
                        "{what}的附件{n}《{title}》记录的文件“{}”不是 yingsu 放置附件的位置",
                        crate::jail::shown(file)
                    ),
                    "附件只能用 `yingsu case attach` 添加；请不要手工修改印发记录或案件文件",
                ));
            };
            if std::fs::symlink_metadata(root.join(file)).is_err() {
                return Err(Error::user(
                    format!(
                        "{what}的附件{n}《{title}》的文件 {file} 不存在（印发时的 SHA-256 为 {expected}）"
                    ),
                    fix(file, case_id),
                ));
            }
            let bytes = crate::jail::read_inside(root, Path::new(file), MAX_ATTACHMENT_BYTES)
                .map_err(|e| {
                    let why = match &e {
                        Error::User(d) => d.message.clone(),
                        other => other.to_string(),
                    };
                    Error::user(
                        format!("{what}的附件{n}《{title}》的文件 {file} 无法读取：{why}"),
                        fix(file, case_id),
                    )
                })?;
            let actual = crate::archive::sha256(&bytes);
            if actual != expected {
                return Err(Error::user(
                    format!(
                        "{what}的附件{n}《{title}》的文件 {file} 已改变：印发时的 SHA-256 为 {expected}，现在为 {actual}"
                    ),
                    fix(file, case_id),
                ));
            }
            out.push(CheckedFile {
                number: n,
                title: title.to_string(),
                file: file.to_string(),
                pdf: attachment_kind(file) == Some("pdf"),
                sources,
                bytes,
            });
        }
    }
    Ok(out)
}
