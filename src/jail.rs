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

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};

/// Help shown for a recorded path that is refused.
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
pub fn check_file_name(label: &str, name: &str) -> Result<()> {
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
pub fn check_recorded_path(label: &str, recorded: &str, under: &str) -> Result<PathBuf> {
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
pub fn resolve_inside(root: &Path, rel: &Path) -> Result<PathBuf> {
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

/// Reads the regular file `rel` under `root` (see [`resolve_inside`]), at most `max_bytes`
/// long. A symlink leading out of `root`, a folder, FIFO or device file, or a file over the limit
/// is refused without its content being read.
pub fn read_inside(root: &Path, rel: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    read_file_inside(root, rel, max_bytes).map(|r| r.bytes)
}

/// A file read by [`read_file_inside`].
pub struct ReadFile {
    pub bytes: Vec<u8>,
    /// The metadata of the file as opened (and read).
    pub meta: std::fs::Metadata,
    /// No folder on the way and not the file itself is a symlink (`false` also when the path
    /// could only be resolved in full, for whatever reason).
    pub plain_path: bool,
}

/// [`read_inside`], with the metadata of the file read.
pub fn read_file_inside(root: &Path, rel: &Path, max_bytes: u64) -> Result<ReadFile> {
    let (path, meta, plain_path) = match resolve_plain(root, rel) {
        Some((p, meta)) => (p, meta, true),
        None => {
            let path = resolve_inside(root, rel)?;
            let meta = std::fs::symlink_metadata(&path).map_err(|e| Error::io("读取", rel, e))?;
            (path, meta, false)
        }
    };
    let (bytes, opened) = read_regular(&path, &rel.display().to_string(), &meta, max_bytes)?;
    Ok(ReadFile {
        bytes,
        meta: opened,
        plain_path,
    })
}

/// Reads the file at `path`, a path the clerk gave on the command line (a link is followed: the
/// clerk chose it), at most `max_bytes` long. A folder, FIFO, device (`/dev/zero`) or a file over
/// the limit is refused in Chinese without being read, and without waiting for a writer.
pub fn read_given(path: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Diagnostic::new("文件不存在")
            .in_file(path)
            .help("请检查路径是否正确")
            .into(),
        _ => Error::io("读取", path, e),
    })?;
    read_regular(path, &path.display().to_string(), &meta, max_bytes).map(|(bytes, _)| bytes)
}

/// Reads the file at `path` (named `shown` in messages) that `meta` describes, refused unless
/// a regular file of at most `max_bytes`: opened without waiting (a FIFO put in its place does
/// not block), checked to be the file `meta` describes, read up to one byte over the limit.
/// The bytes and the metadata of the file opened.
fn read_regular(
    path: &Path,
    shown: &str,
    meta: &std::fs::Metadata,
    max_bytes: u64,
) -> Result<(Vec<u8>, std::fs::Metadata)> {
    let not_regular = || -> Error {
        Diagnostic::new(format!("“{shown}”不是普通文件"))
            .help("请检查路径是否正确：这里需要一个文件，不能是目录、管道或设备")
            .into()
    };
    if !meta.is_file() {
        return Err(not_regular());
    }
    let too_big = |size: u64| -> Error {
        Diagnostic::new(format!(
            "文件“{shown}”太大（{size} 字节，上限为 {max_bytes} 字节）"
        ))
        .help("请检查是否选错了文件")
        .into()
    };
    if meta.len() > max_bytes {
        return Err(too_big(meta.len()));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options
        .open(path)
        .map_err(|e| Error::io("读取", shown, e))?;
    let opened = file.metadata().map_err(|e| Error::io("读取", shown, e))?;
    if !opened.is_file() {
        return Err(not_regular());
    }
    // The file opened must be the one checked (not swapped for a symlink in between).
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if opened.dev() != meta.dev() || opened.ino() != meta.ino() {
            return Err(Diagnostic::new(format!("文件“{shown}”在读取时被替换"))
                .help("请确认没有其他程序正在修改工作区，然后重试")
                .into());
        }
    }
    // Room for the whole file and the byte that would make it too big: read in one go.
    let mut bytes =
        Vec::with_capacity(usize::try_from(opened.len().min(max_bytes) + 1).unwrap_or(0));
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("读取", shown, e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_big(bytes.len() as u64));
    }
    Ok((bytes, opened))
}

/// Why [`open_own`] did not open a file.
#[derive(Debug)]
pub enum NotOwn {
    /// What is at the path instead of a file of the workspace's own, in words to follow its
    /// name: `是指向“/etc/passwd”的符号链接`, `是命名管道（FIFO），不是普通文件`, ...
    Not(String),
    /// Opening it failed for another reason.
    Io(std::io::Error),
}

/// Opens the file at `path` with `options` as a file the workspace owns and may write: never
/// through a symbolic link at its name (opened with `O_NOFOLLOW`), without blocking on a FIFO
/// (`O_NONBLOCK`), and only when what was opened is a regular file with no other name (a hard
/// link would carry the writes to a file elsewhere). A file that does not exist is created when
/// `options` say so. Folders on the way are the caller's to check ([`resolve_inside`]).
pub fn open_own(
    path: &Path,
    options: &mut std::fs::OpenOptions,
) -> std::result::Result<std::fs::File, NotOwn> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    // What is at the path, looked at without following a link.
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.file_type().is_symlink() {
            let to = std::fs::read_link(path)
                .map(|t| shown(&t.display().to_string()))
                .unwrap_or_default();
            return Err(NotOwn::Not(format!("是指向“{to}”的符号链接")));
        }
        if let Some(kind) = special_kind(&meta) {
            return Err(NotOwn::Not(format!("是{kind}，不是普通文件")));
        }
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return NotOwn::Not("是符号链接".into());
        }
        NotOwn::Io(e)
    })?;
    let meta = file.metadata().map_err(NotOwn::Io)?;
    if let Some(kind) = special_kind(&meta) {
        return Err(NotOwn::Not(format!("是{kind}，不是普通文件")));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(NotOwn::Not(format!(
                "与别处的 {} 个文件是同一个文件（硬链接）",
                meta.nlink() - 1
            )));
        }
    }
    Ok(file)
}

/// What kind of thing other than a regular file `meta` describes, in words, or `None` for a
/// regular file.
pub(crate) fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("目录");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("命名管道（FIFO）");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("设备文件");
        }
        if t.is_socket() {
            return Some("套接字");
        }
    }
    Some("特殊文件")
}

/// [`read_inside`] for a UTF-8 text file.
pub fn read_to_string_inside(root: &Path, rel: &Path, max_bytes: u64) -> Result<String> {
    let bytes = read_inside(root, rel, max_bytes)?;
    String::from_utf8(bytes).map_err(|_| not_utf8(rel).into())
}

/// The file `rel` is not UTF-8 text.
pub fn not_utf8(rel: &Path) -> Diagnostic {
    Diagnostic::new("文件不是 UTF-8 编码的文本")
        .in_file(rel)
        .help("请用 UTF-8 编码保存该文件（记事本“另存为”时选择 UTF-8）")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: Error) -> String {
        e.diagnostics()[0].message.clone()
    }

    fn help(e: Error) -> Option<String> {
        e.diagnostics()[0].help.clone()
    }

    fn recorded_err(p: &str) -> String {
        message(check_recorded_path("history[0].documents[0].file", p, "archive").unwrap_err())
    }

    #[test]
    fn recorded_paths_under_archive_are_accepted() {
        let p = check_recorded_path(
            "history[0].documents[0].file",
            "archive/2023/ZG-2023-001/01-notice-notice.pdf",
            "archive",
        )
        .unwrap();
        assert_eq!(
            p,
            Path::new("archive")
                .join("2023")
                .join("ZG-2023-001")
                .join("01-notice-notice.pdf")
        );
        assert!(check_recorded_path("x", "archive/a.pdf", "archive/").is_ok());
    }

    #[test]
    fn recorded_paths_that_leave_are_refused_with_the_reason() {
        let cases = [
            (
                "",
                "history[0].documents[0].file 记录的路径“”不可用：路径为空",
            ),
            (
                "/etc/passwd",
                "history[0].documents[0].file 记录的路径“/etc/passwd”不可用：是绝对路径，会指向工作区之外",
            ),
            (
                "archive/../../etc/passwd",
                "history[0].documents[0].file 记录的路径“archive/../../etc/passwd”不可用：含有“..”，会指向上级目录",
            ),
            (
                "C:/Windows/win.ini",
                "history[0].documents[0].file 记录的路径“C:/Windows/win.ini”不可用：以 Windows 盘符开头，会指向工作区之外",
            ),
            (
                "\\\\server\\share\\a.pdf",
                "history[0].documents[0].file 记录的路径“\\\\server\\share\\a.pdf”不可用：含有反斜杠“\\”（Windows 路径或 UNC 网络路径）；路径一律用“/”分隔",
            ),
            (
                "archive\\a.pdf",
                "history[0].documents[0].file 记录的路径“archive\\a.pdf”不可用：含有反斜杠“\\”（Windows 路径或 UNC 网络路径）；路径一律用“/”分隔",
            ),
            (
                "archive//a.pdf",
                "history[0].documents[0].file 记录的路径“archive//a.pdf”不可用：含有空的路径段（连续的“//”或以“/”结尾）",
            ),
            (
                "archive/2023/",
                "history[0].documents[0].file 记录的路径“archive/2023/”不可用：含有空的路径段（连续的“//”或以“/”结尾）",
            ),
            (
                "archive/./a.pdf",
                "history[0].documents[0].file 记录的路径“archive/./a.pdf”不可用：含有“.”路径段",
            ),
            (
                "archive/a\0.pdf",
                "history[0].documents[0].file 记录的路径“archive/a\\u{0000}.pdf”不可用：含有空字符（U+0000）",
            ),
            (
                "cases/a.yaml",
                "history[0].documents[0].file 记录的路径“cases/a.yaml”不可用：不在 archive/ 目录下",
            ),
            (
                "archive",
                "history[0].documents[0].file 记录的路径“archive”不可用：不在 archive/ 目录下",
            ),
            (
                "archives/a.pdf",
                "history[0].documents[0].file 记录的路径“archives/a.pdf”不可用：不在 archive/ 目录下",
            ),
            (
                "archive/con.pdf",
                "history[0].documents[0].file 记录的路径“archive/con.pdf”不可用：其中的“con.pdf”“con”是 Windows 保留的设备名（CON、PRN、AUX、NUL、COM1–COM9、LPT1–LPT9），加上扩展名也不行",
            ),
            (
                "archive/2023./a.pdf",
                "history[0].documents[0].file 记录的路径“archive/2023./a.pdf”不可用：其中的“2023.”Windows 的文件名不能以点或空格结尾",
            ),
            (
                "archive/a:b.pdf",
                "history[0].documents[0].file 记录的路径“archive/a:b.pdf”不可用：其中的“a:b.pdf”含有字符“:”，Windows 的文件名不能含有 / \\ < > : \" | ? *",
            ),
            (
                "archive/a\u{202E}fdp.exe",
                "history[0].documents[0].file 记录的路径“archive/a\\u{202E}fdp.exe”不可用：其中的“a\\u{202E}fdp.exe”含有不可见的格式字符（U+202E），会改变文字的显示顺序或让名称看起来与实际不同",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(recorded_err(input), expected, "input {input:?}");
        }
        let e = check_recorded_path("x", "/etc/passwd", "archive").unwrap_err();
        assert_eq!(help(e).as_deref(), Some(RECORDED_HELP));
    }

    #[test]
    fn windows_reserved_names_are_refused_in_any_case_and_with_any_extension() {
        for name in [
            "CON",
            "con",
            "Con.txt",
            "PRN",
            "aux.pdf",
            "NUL",
            "nul.tar.gz",
            "COM1",
            "com9.pdf",
            "LPT1",
            "lpt9",
            "COM¹",
            "CON .txt",
        ] {
            assert!(check_file_name("文件名", name).is_err(), "{name}");
        }
        for name in [
            "CONSOLE",
            "con-1.pdf",
            "COM10",
            "LPT0",
            "com0",
            "aux_",
            "contract.pdf",
            "NULL",
            "起诉状.pdf",
            ".yingsu-abc.tmp",
        ] {
            assert!(check_file_name("文件名", name).is_ok(), "{name}");
        }
        let e = check_file_name("案件编号", "NUL").unwrap_err();
        assert_eq!(
            e.diagnostics()[0].message,
            "案件编号 中的名称“NUL”不能用作文件名：“NUL”是 Windows 保留的设备名（CON、PRN、AUX、NUL、COM1–COM9、LPT1–LPT9），加上扩展名也不行"
        );
        assert_eq!(
            help(e).as_deref(),
            Some("改用由汉字、字母、数字、连字符“-”和下划线“_”组成的名称，末尾不要有点或空格")
        );
        assert_eq!(
            message(check_file_name("案件编号", "a ").unwrap_err()),
            "案件编号 中的名称“a ”不能用作文件名：Windows 的文件名不能以点或空格结尾"
        );
        assert_eq!(
            message(check_file_name("案件编号", "a\u{7}").unwrap_err()),
            "案件编号 中的名称“a\\u{0007}”不能用作文件名：含有控制字符（U+0007）"
        );
        assert_eq!(
            message(check_file_name("案件编号", "..").unwrap_err()),
            "案件编号 中的名称“..”不能用作文件名：“.”和“..”表示目录本身或上级目录"
        );
    }

    #[cfg(unix)]
    fn workspace() -> (tempfile::TempDir, tempfile::TempDir) {
        use std::os::unix::fs::symlink;
        let ws = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = ws.path();
        std::fs::create_dir_all(root.join("cases")).unwrap();
        std::fs::create_dir_all(root.join("archive/2023")).unwrap();
        std::fs::write(root.join("cases/a.yaml"), "id: a\n").unwrap();
        std::fs::write(outside.path().join("secret.txt"), "top secret\n").unwrap();
        symlink(root.join("cases/a.yaml"), root.join("cases/b.yaml")).unwrap();
        symlink("../archive", root.join("cases/arch")).unwrap();
        symlink(outside.path().join("secret.txt"), root.join("cases/c.yaml")).unwrap();
        symlink("/etc/passwd", root.join("cases/passwd.yaml")).unwrap();
        symlink(outside.path(), root.join("archive/out")).unwrap();
        symlink(root.join("nowhere"), root.join("archive/dangling.pdf")).unwrap();
        (ws, outside)
    }

    #[test]
    #[cfg(unix)]
    fn symlinks_inside_are_followed_and_symlinks_out_are_refused() {
        let (ws, outside) = workspace();
        let root = ws.path().canonicalize().unwrap();
        assert_eq!(
            resolve_inside(ws.path(), Path::new("cases/b.yaml")).unwrap(),
            root.join("cases/a.yaml")
        );
        // A path that does not exist yet, through a symlink that stays inside.
        assert_eq!(
            resolve_inside(ws.path(), Path::new("cases/arch/2023/new/01.pdf")).unwrap(),
            root.join("archive/2023/new/01.pdf")
        );
        assert_eq!(
            resolve_inside(ws.path(), Path::new("archive/2024/01.pdf")).unwrap(),
            root.join("archive/2024/01.pdf")
        );
        let out = outside.path().canonicalize().unwrap();
        let err = resolve_inside(ws.path(), Path::new("archive/out/new.pdf")).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "错误：路径“archive/out/new.pdf”经符号链接“archive/out”指向工作区之外（{}）\n = 帮助：删除该符号链接，或换成工作区内真实的文件或目录；工作区内的文件不能指向工作区之外\n",
                out.display()
            )
        );
        let err = resolve_inside(ws.path(), Path::new("archive/dangling.pdf")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "错误：路径“archive/dangling.pdf”经过的符号链接“archive/dangling.pdf”指向不存在的位置\n = 帮助：删除该符号链接，或换成真实的文件或目录\n"
        );
        for bad in ["../x", "/etc/passwd", "cases/../../x"] {
            assert_eq!(
                resolve_inside(ws.path(), Path::new(bad))
                    .unwrap_err()
                    .diagnostics()[0]
                    .message,
                format!("路径“{bad}”不在工作区内：不能是绝对路径，也不能含有“..”")
            );
        }
    }

    #[test]
    #[cfg(unix)]
    fn a_case_file_symlinked_out_is_refused_without_its_content() {
        let (ws, outside) = workspace();
        assert_eq!(
            read_to_string_inside(ws.path(), Path::new("cases/b.yaml"), 1 << 20).unwrap(),
            "id: a\n"
        );
        for link in ["cases/c.yaml", "cases/passwd.yaml"] {
            let err = read_inside(ws.path(), Path::new(link), 1 << 20).unwrap_err();
            let text = err.to_string();
            assert!(
                text.starts_with(&format!(
                    "错误：路径“{link}”经符号链接“{link}”指向工作区之外（"
                )),
                "{text}"
            );
            assert!(
                !text.contains("top secret") && !text.contains("root:"),
                "{text}"
            );
            assert_eq!(err.exit_code(), 1);
        }
        let _ = outside;
        assert_eq!(
            read_inside(ws.path(), Path::new("cases"), 1 << 20)
                .unwrap_err()
                .to_string(),
            "错误：“cases”不是普通文件\n = 帮助：请检查路径是否正确：这里需要一个文件，不能是目录、管道或设备\n"
        );
        assert_eq!(
            read_inside(ws.path(), Path::new("cases/a.yaml"), 3)
                .unwrap_err()
                .to_string(),
            "错误：文件“cases/a.yaml”太大（6 字节，上限为 3 字节）\n = 帮助：请检查是否选错了文件\n"
        );
        std::fs::write(ws.path().join("cases/bin.yaml"), [0xff, 0xfe]).unwrap();
        assert_eq!(
            read_to_string_inside(ws.path(), Path::new("cases/bin.yaml"), 100)
                .unwrap_err()
                .to_string(),
            "错误：文件不是 UTF-8 编码的文本\n --> cases/bin.yaml\n  = 帮助：请用 UTF-8 编码保存该文件（记事本“另存为”时选择 UTF-8）\n"
        );
        let missing = read_inside(ws.path(), Path::new("cases/none.yaml"), 100).unwrap_err();
        assert_eq!(missing.exit_code(), 1);
    }

    #[test]
    #[cfg(unix)]
    fn a_fifo_is_refused_without_blocking() {
        let ws = tempfile::tempdir().unwrap();
        let fifo = ws.path().join("case.yaml");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !status.is_ok_and(|s| s.success()) {
            return; // No mkfifo on this system.
        }
        assert_eq!(
            read_inside(ws.path(), Path::new("case.yaml"), 100)
                .unwrap_err()
                .diagnostics()[0]
                .message,
            "“case.yaml”不是普通文件"
        );
    }
}
