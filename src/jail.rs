//! Paths derived or checked: owns keeping every path taken from untrusted input inside the
//! workspace.
//!
//! Case files travel between offices by git, so a path recorded in one (a document's `file` in
//! `history`) is untrusted: it could name `/etc/passwd`, climb out with `..`, or pass through a
//! symlink that points out of the workspace. This module has the three checks the engine needs:
//!
//! - [`check_recorded_path`]: the text of a recorded, workspace-relative path — `/`-separated,
//!   no absolute path, `..`, drive or UNC prefix, backslash, empty component, control character,
//!   or name Windows cannot create ([`check_file_name`]), and under an allowed folder.
//! - [`resolve_inside`]: the real location of a relative path under a root, refused when a
//!   symlink on the way leads out of the root (one that stays inside is fine).
//! - [`read_inside`] / [`read_to_string_inside`]: read a regular file under the root, refusing
//!   symlinks out, special files (FIFOs, devices) and files over a size limit, without reading
//!   or quoting a refused file's content.
//!
//! Every refusal is a user error (exit code 1) carrying one [`Diagnostic`]: message and help in
//! Chinese, naming the path; the caller may attach the file and position it came from.
//!
//! The checks are made at the moment of the call; the engine holds the workspace lock while it
//! writes, so only someone else changing the workspace at that very moment could race them.

use std::path::{Component, Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};

mod read;
#[cfg(test)]
mod tests;

pub use read::{
    NotOwn, ReadFile, not_utf8, open_own, read_file_inside, read_given, read_inside,
    read_to_string_inside,
};

/// Help shown for a recorded path that is refused.
#[cfg(test)]
const RECORDED_HELP: &str = "案件记录中的文件路径必须是工作区内的相对路径，用“/”分隔，例如 archive/2023/ZG-2023-001/01-notice-notice.pdf；请改正这条记录，或删除它后重新生成该文书";

/// Names Windows reserves for devices, whatever the extension (`CON.txt` is the console too).
const RESERVED_NAMES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "COM¹", "COM²", "COM³", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8",
    "LPT9", "LPT¹", "LPT²", "LPT³",
];

/// Characters no Windows file name may contain (besides control characters and `/`, `\`).
const WINDOWS_FORBIDDEN: &[char] = &['<', '>', ':', '"', '|', '?', '*'];

/// Checks one file or folder name so that it can be created on Linux, macOS and Windows alike:
/// not empty, not `.` or `..`, no `/`, `\`, control or invisible format character or `<>:"|?*`,
/// not a Windows device name (`CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`, `LPT1`–`LPT9`, in any
/// case, with or without an extension), and not ending in a dot or a space. `label` says where
/// the name comes from (e.g. `案件编号` or `history[0].documents[1].file`).
pub(crate) fn check_file_name(label: &str, name: &str) -> Result<()> {
    match file_name_problem(name) {
        None => Ok(()),
        Some(why) => Err(Diagnostic::new(format!(
            "{label} 中的名称“{}”不能用作文件名：{why}",
            shown(name)
        ))
        .help("改用由汉字、字母、数字、连字符“-”和下划线“_”组成的名称，末尾不要有点或空格")
        .into()),
    }
}

/// Why `name` cannot be a file name everywhere (see [`check_file_name`]), or `None`.
pub(crate) fn file_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("名称为空".into());
    }
    if name == "." || name == ".." {
        return Some("“.”和“..”表示目录本身或上级目录".into());
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Some(format!("含有控制字符（U+{:04X}）", c as u32));
    }
    if let Some(c) = name.chars().find(|c| is_invisible_format(*c)) {
        return Some(format!(
            "含有不可见的格式字符（U+{:04X}），会改变文字的显示顺序或让名称看起来与实际不同",
            c as u32
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| *c == '/' || *c == '\\' || WINDOWS_FORBIDDEN.contains(c))
    {
        return Some(format!(
            "含有字符“{c}”，Windows 的文件名不能含有 / \\ < > : \" | ? *"
        ));
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some("Windows 的文件名不能以点或空格结尾".into());
    }
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    if RESERVED_NAMES
        .iter()
        .any(|r| r.to_lowercase() == stem.to_lowercase())
    {
        return Some(format!(
            "“{stem}”是 Windows 保留的设备名（CON、PRN、AUX、NUL、COM1–COM9、LPT1–LPT9），加上扩展名也不行"
        ));
    }
    None
}

/// Checks a workspace-relative path recorded in a case file (e.g. `history[].documents[].file`)
/// and returns it as a [`PathBuf`]. It must be written with `/`, have no empty, `.` or `..`
/// component, no absolute start, drive (`C:`) or UNC (`\\server`) prefix, no backslash or NUL,
/// every component must pass [`check_file_name`], and it must lie strictly under `under` (a
/// `/`-separated folder such as `archive`). `label` says where the path is recorded.
#[cfg(test)]
pub(crate) fn check_recorded_path(label: &str, recorded: &str, under: &str) -> Result<PathBuf> {
    let refuse = |why: String| {
        Err(Diagnostic::new(format!(
            "{label} 记录的路径“{}”不可用：{why}",
            shown(recorded)
        ))
        .help(RECORDED_HELP)
        .into())
    };
    if recorded.is_empty() {
        return refuse("路径为空".into());
    }
    if recorded.contains('\0') {
        return refuse("含有空字符（U+0000）".into());
    }
    if recorded.contains('\\') {
        return refuse("含有反斜杠“\\”（Windows 路径或 UNC 网络路径）；路径一律用“/”分隔".into());
    }
    if recorded.starts_with('/') {
        return refuse("是绝对路径，会指向工作区之外".into());
    }
    let bytes = recorded.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return refuse("以 Windows 盘符开头，会指向工作区之外".into());
    }
    let parts: Vec<&str> = recorded.split('/').collect();
    if parts.contains(&"..") {
        return refuse("含有“..”，会指向上级目录".into());
    }
    if parts.contains(&"") {
        return refuse("含有空的路径段（连续的“//”或以“/”结尾）".into());
    }
    if parts.contains(&".") {
        return refuse("含有“.”路径段".into());
    }
    for part in &parts {
        if let Some(reason) = file_name_problem(part) {
            return refuse(format!("其中的“{}”{reason}", shown(part)));
        }
    }
    let prefix: Vec<&str> = under.split('/').filter(|p| !p.is_empty()).collect();
    if parts.len() <= prefix.len() || parts[..prefix.len()] != prefix[..] {
        return refuse(format!("不在 {}/ 目录下", prefix.join("/")));
    }
    Ok(parts.iter().collect())
}

/// The real location of `rel` under `root`: the existing part of `root/rel` with every symlink
/// resolved, followed by the part that does not exist yet. Refused when `rel` is absolute or has
/// a `..` component, when a symlink on the way leads out of `root` (one pointing elsewhere inside
/// is fine), or when it is a dangling symlink (writing through it could create a file anywhere).
/// The returned path starts with the canonical `root`.
pub(crate) fn resolve_inside(root: &Path, rel: &Path) -> Result<PathBuf> {
    let shown_rel = rel.display().to_string();
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(Diagnostic::new(format!(
            "路径“{shown_rel}”不在工作区内：不能是绝对路径，也不能含有“..”"
        ))
        .help("请使用工作区内的相对路径")
        .into());
    }
    let canonical_root = root
        .canonicalize()
        .map_err(|e| Error::io("访问", root, e))?;
    let full = canonical_root.join(rel);
    // The deepest existing ancestor (the path itself included), and what follows it.
    let mut existing = full.as_path();
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    while std::fs::symlink_metadata(existing).is_err() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            // Only the root itself has no parent, and it exists.
            _ => break,
        }
    }
    let resolved = match existing.canonicalize() {
        Ok(p) => p,
        Err(e) => {
            let is_link = std::fs::symlink_metadata(existing)
                .map(|m| m.file_type().is_symlink())
                .unwrap_or(false);
            if is_link {
                let at = existing.strip_prefix(&canonical_root).unwrap_or(existing);
                return Err(Diagnostic::new(format!(
                    "路径“{shown_rel}”经过的符号链接“{}”指向不存在的位置",
                    at.display()
                ))
                .help("删除该符号链接，或换成真实的文件或目录")
                .into());
            }
            return Err(Error::io("访问", existing, e));
        }
    };
    if !resolved.starts_with(&canonical_root) {
        let link = first_symlink(&canonical_root, rel).unwrap_or_else(|| rel.to_path_buf());
        return Err(Diagnostic::new(format!(
            "路径“{shown_rel}”经符号链接“{}”指向工作区之外（{}）",
            link.display(),
            resolved.display()
        ))
        .help("删除该符号链接，或换成工作区内真实的文件或目录；工作区内的文件不能指向工作区之外")
        .into());
    }
    Ok(rest.iter().rev().fold(resolved, |p, name| p.join(name)))
}

/// The first component of `rel` (relative to `root`, as a relative path) that is a symlink.
fn first_symlink(root: &Path, rel: &Path) -> Option<PathBuf> {
    let mut at = PathBuf::new();
    for c in rel.components() {
        at.push(c);
        let is_link = std::fs::symlink_metadata(root.join(&at))
            .map(|m| m.file_type().is_symlink())
            .ok()?;
        if is_link {
            return Some(at);
        }
    }
    None
}

/// The canonical form of each workspace root, and the folders under it already found to be
/// real folders (not symlinks), for this process: reading ten thousand case files then costs a
/// `stat` each rather than the resolution of every component of their paths.
static KNOWN: std::sync::Mutex<Option<Known>> = std::sync::Mutex::new(None);

#[derive(Default)]
struct Known {
    roots: std::collections::HashMap<PathBuf, PathBuf>,
    folders: std::collections::HashSet<PathBuf>,
}

/// [`resolve_inside`] for a file to be read, when every component of `rel` is a plain name, no
/// folder on the way is a symlink and the file itself is none (or does not exist): its path
/// under the canonical root, found by one `lstat` per folder not seen before and one for the
/// file (whose metadata comes with it). `None` when a symlink or anything unusual is on the
/// way, or the file does not exist (the caller then resolves the path in full).
fn resolve_plain(root: &Path, rel: &Path) -> Option<(PathBuf, std::fs::Metadata)> {
    let names: Vec<&std::ffi::OsStr> = rel
        .components()
        .map(|c| match c {
            Component::Normal(n) => Some(n),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let (file, folders) = names.split_last()?;
    let canonical_root = {
        let mut known = KNOWN.lock().ok()?;
        let known = known.get_or_insert_with(Known::default);
        match known.roots.get(root) {
            Some(c) => c.clone(),
            None => {
                let c = root.canonicalize().ok()?;
                known.roots.insert(root.to_path_buf(), c.clone());
                c
            }
        }
    };
    let mut at = canonical_root;
    for name in folders {
        at.push(name);
        let seen = KNOWN
            .lock()
            .ok()?
            .as_ref()
            .is_some_and(|k| k.folders.contains(&at));
        if !seen {
            let meta = std::fs::symlink_metadata(&at).ok()?;
            if !meta.file_type().is_dir() {
                return None;
            }
            KNOWN
                .lock()
                .ok()?
                .get_or_insert_with(Known::default)
                .folders
                .insert(at.clone());
        }
    }
    at.push(file);
    let meta = std::fs::symlink_metadata(&at).ok()?;
    (!meta.file_type().is_symlink()).then_some((at, meta))
}

/// A name as quoted in a message: control characters shown as `\u{..}` escapes so a message
/// never carries them to the terminal, and at most 80 characters.
pub(crate) fn shown(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 80 {
            out.push('…');
            break;
        }
        if c.is_control() || is_invisible_format(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Bidi and zero-width format characters, which would make a quoted name read differently.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}
