//! Reading inside the workspace: owns reading a regular file under a root (refusing links out,
//! special files and files over a size limit without reading or quoting their content) and
//! opening a file the process itself created ([`open_own`]).

use std::io::Read;
use std::path::Path;

use super::{resolve_inside, resolve_plain, shown};
use crate::error::{Diagnostic, Error, Result};

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
