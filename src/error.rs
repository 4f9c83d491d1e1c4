//! Errors and diagnostics: owns how every failure is described to the user.
//!
//! A [`Diagnostic`] names the file, line and column, quotes the offending source line with a caret,
//! says what was expected, and how to fix it — in Chinese, the language of our users. The layout
//! follows the compiler-style reports of `rustc`, `ripgrep` and `just`:
//!
//! ```text
//! 错误：流程 appearance 的步骤 notice 转向未定义的步骤 `judgement`
//!   --> workflows/appearance.yaml:42:13
//!    |
//! 42 |       - to: judgement
//!    |             ^^^^^^^^^
//!    = 帮助：可用的步骤：notice、appearance、judgment、loss_review、closed
//! ```
//!
//! [`Error`] is the library's error type; [`Error::exit_code`] maps it to the CLI's exit codes
//! (1 for user errors, 2 for internal errors).

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in a source file (1-based line and column, counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A user-facing error about a specific place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What went wrong, in Chinese.
    pub message: String,
    /// The file the error is about (shown relative to the workspace where possible).
    pub file: Option<PathBuf>,
    /// Where in the file; `None` when the error is about the file as a whole.
    pub pos: Option<Pos>,
    /// The source line at `pos`, for the snippet: of a long line, only the part around the
    /// column (see [`Diagnostic::snippet_skipped`]).
    pub snippet: Option<String>,
    /// Characters of the source line left out before `snippet` (a long line is kept only
    /// around the column).
    pub snippet_skipped: usize,
    /// Whether the source line goes on after `snippet`.
    pub snippet_cut: bool,
    /// Width of the underline in characters (at least 1).
    pub width: usize,
    /// How to fix it, in Chinese.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            file: None,
            pos: None,
            snippet: None,
            snippet_skipped: 0,
            snippet_cut: false,
            width: 1,
            help: None,
        }
    }

    /// Attach a file without a position.
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// Attach a file and position, quoting the line from `source` (of a long line, only the
    /// part around the column, so a diagnostic stays small whatever the line).
    pub fn at(mut self, file: impl AsRef<Path>, source: &str, pos: Pos) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        if pos.line > 0 {
            self.pos = Some(pos);
            self.snippet = None;
            self.snippet_skipped = 0;
            self.snippet_cut = false;
            if let Some(line) = source.lines().nth(pos.line - 1) {
                let line = line.trim_end();
                let column = pos.column.saturating_sub(1);
                // Underline the token that starts at the column.
                let rest = line
                    .char_indices()
                    .nth(column)
                    .map_or("", |(i, _)| &line[i..]);
                self.width = token_width(rest).max(1);
                let (lo, hi, len) = window(line, column, KEPT_COLUMNS, KEPT_BEFORE);
                self.snippet = Some(line.chars().skip(lo).take(hi - lo).collect());
                self.snippet_skipped = lo;
                self.snippet_cut = hi < len;
            }
        }
        self
    }

    /// Underline `chars` characters from the column (at least one column wide), e.g. the span a
    /// compiler pointed at; the part past the end of the quoted line is not counted.
    pub(crate) fn underline_chars(mut self, chars: usize) -> Self {
        if let (Some(p), Some(line)) = (self.pos, &self.snippet) {
            let from = p
                .column
                .saturating_sub(1)
                .saturating_sub(self.snippet_skipped);
            self.width = line
                .chars()
                .skip(from)
                .take(chars)
                .map(display_width)
                .sum::<usize>()
                .max(1);
        }
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Replace the file path (e.g. to make it relative to the workspace).
    pub(crate) fn relative_to(mut self, base: &Path) -> Self {
        if let Some(f) = &self.file
            && let Ok(rel) = f.strip_prefix(base)
        {
            self.file = Some(rel.to_path_buf());
        }
        self
    }
}

/// Columns of a long source line kept in a diagnostic, around its column.
const KEPT_COLUMNS: usize = 400;
/// Of [`KEPT_COLUMNS`], at most this many before the column.
const KEPT_BEFORE: usize = 200;
/// Columns of a source line shown in a snippet; a longer line is shown around the column, cut
/// with “…”.
const SHOWN_COLUMNS: usize = 100;
/// Of [`SHOWN_COLUMNS`], at most this many before the column (more when the line ends first).
const SHOWN_BEFORE: usize = 40;
/// Characters of a message or help line shown; the rest is cut with “…” (a message quoting a
/// whole line of a hostile file stays readable).
const SHOWN_CHARS: usize = 1000;

/// The part of `line` to show around the character at index `column` (0-based; at or past the
/// end points after the last character): character indices `lo..hi` taking at most `columns`
/// terminal columns, at most `before` of them before `column` unless the line ends first; and
/// the line's length in characters.
fn window(line: &str, column: usize, columns: usize, before: usize) -> (usize, usize, usize) {
    let widths: Vec<usize> = line.chars().map(display_width).collect();
    let len = widths.len();
    if widths.iter().sum::<usize>() <= columns {
        return (0, len, len);
    }
    let at = column.min(len);
    let (mut lo, mut hi, mut used) = (at, at, 0);
    while lo > 0 && used + widths[lo - 1] <= before {
        lo -= 1;
        used += widths[lo];
    }
    while hi < len && used + widths[hi] <= columns {
        used += widths[hi];
        hi += 1;
    }
    // The line ended first: the room left goes to what comes before.
    while lo > 0 && used + widths[lo - 1] <= columns {
        lo -= 1;
        used += widths[lo];
    }
    (lo, hi, len)
}

/// `s` cut to [`SHOWN_CHARS`] characters, with “…” where it was cut.
fn bounded(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(SHOWN_CHARS) {
        Some((i, _)) => format!("{}…（以下省略）", &s[..i]).into(),
        None => s.into(),
    }
}

/// Width in terminal columns of the first "token" of `s`: a scalar up to a YAML delimiter.
fn token_width(s: &str) -> usize {
    let mut width = 0;
    let mut chars = s.chars().peekable();
    let quote = match chars.peek() {
        Some('"') | Some('\'') => chars.next(),
        _ => None,
    };
    if let Some(q) = quote {
        width += 1;
        for c in chars {
            width += display_width(c);
            if c == q {
                break;
            }
        }
        return width;
    }
    for c in chars {
        if c == '#' || (quote.is_none() && (c == ',' || c == ']' || c == '}')) {
            break;
        }
        width += display_width(c);
    }
    // Trim trailing spaces.
    let trailing = s.chars().rev().take_while(|c| *c == ' ').count();
    if width > trailing && s.chars().all(|c| c != '#') {
        width -= trailing;
    }
    width
}

/// Columns a character takes in a terminal: CJK and full-width forms take two.
pub(crate) fn display_width(c: char) -> usize {
    let cp = c as u32;
    let wide = matches!(cp,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF |
        0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF |
        0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// Columns a string takes in a terminal.
pub fn str_width(s: &str) -> usize {
    s.chars().map(display_width).sum()
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No width argument in a format string here: the widths come from the user's file
        // (a column past 65,535 made `{:width$}` panic).
        writeln!(f, "错误：{}", bounded(&self.message))?;
        let gutter = match (self.pos, &self.file) {
            (Some(p), _) => p.line.to_string().len(),
            (None, Some(_)) => 1,
            (None, None) => 0,
        };
        let margin = " ".repeat(gutter);
        if let Some(file) = &self.file {
            match self.pos {
                Some(p) => writeln!(f, "{margin}--> {}:{}:{}", file.display(), p.line, p.column)?,
                None => writeln!(f, "{margin}--> {}", file.display())?,
            }
        }
        if let (Some(p), Some(line)) = (self.pos, &self.snippet) {
            let column = p
                .column
                .saturating_sub(1)
                .saturating_sub(self.snippet_skipped);
            let (lo, hi, len) = window(line, column, SHOWN_COLUMNS, SHOWN_BEFORE);
            let left = if lo > 0 || self.snippet_skipped > 0 {
                "…"
            } else {
                ""
            };
            let right = if hi < len || self.snippet_cut {
                "…"
            } else {
                ""
            };
            let shown: String = line.chars().skip(lo).take(hi - lo).collect();
            let at = column.clamp(lo, hi) - lo;
            let before = str_width(left) + shown.chars().take(at).map(display_width).sum::<usize>();
            // The underline stops where the quoted text does.
            let room = shown.chars().skip(at).map(display_width).sum::<usize>();
            let caret = self.width.min(room).max(1);
            writeln!(f, "{margin} |")?;
            writeln!(f, "{} | {left}{shown}{right}", p.line)?;
            writeln!(f, "{margin} | {}{}", " ".repeat(before), "^".repeat(caret))?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "{margin} = 帮助：{}", bounded(help))?;
        }
        Ok(())
    }
}

/// The library's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something the user can fix: a bad file, a refused command.
    #[error("{0}")]
    User(Box<Diagnostic>),
    /// Several user errors found at once (e.g. validating a workflow).
    #[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Many(Vec<Diagnostic>),
    /// An I/O failure.
    #[error("{}", io_message(action, path, source))]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A bug or an environment problem we cannot attribute to the user.
    #[error("内部错误：{0}")]
    Internal(String),
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::User(Box::new(d))
    }
}

impl Error {
    /// A plain user error with a message and a help line.
    pub fn user(message: impl Into<String>, help: impl Into<String>) -> Self {
        Diagnostic::new(message).help(help).into()
    }

    pub fn io(action: &'static str, path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// The process exit code for this error: 1 for errors the user can fix, 2 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::User(_) | Error::Many(_) => 1,
            Error::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound
                | std::io::ErrorKind::PermissionDenied
                | std::io::ErrorKind::IsADirectory
                | std::io::ErrorKind::NotADirectory
                | std::io::ErrorKind::ReadOnlyFilesystem
                | std::io::ErrorKind::StorageFull
                | std::io::ErrorKind::AlreadyExists => 1,
                _ => 2,
            },
            Error::Internal(_) => 2,
        }
    }

    /// The diagnostics carried by a user error.
    pub fn diagnostics(&self) -> Vec<&Diagnostic> {
        match self {
            Error::User(d) => vec![d],
            Error::Many(ds) => ds.iter().collect(),
            _ => vec![],
        }
    }

    /// Make all file paths relative to `base`.
    pub(crate) fn relative_to(self, base: &Path) -> Self {
        match self {
            Error::User(d) => Error::User(Box::new(d.relative_to(base))),
            Error::Many(ds) => Error::Many(ds.into_iter().map(|d| d.relative_to(base)).collect()),
            other => other,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Collects several diagnostics and turns them into one error.
#[derive(Default)]
pub struct Errors(pub Vec<Diagnostic>);

impl Errors {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub(crate) fn into_result(self) -> Result<()> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(self
                .0
                .into_iter()
                .next()
                .map(Error::from)
                .unwrap_or_else(|| Error::Internal("empty".into()))),
            _ => Err(Error::Many(self.0)),
        }
    }
}

/// An I/O error as the clerk reads it: what could not be done to which file, why in Chinese
/// (the system's own words only for a kind without a translation), and what to do.
fn io_message(action: &str, path: &Path, source: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let (why, help) = match source.kind() {
        K::NotFound => ("文件或目录不存在", "请检查路径是否正确"),
        K::PermissionDenied => (
            "没有权限",
            "请检查这个文件和所在目录的权限，或请管理员开放读写权限",
        ),
        K::ReadOnlyFilesystem => (
            "它所在的磁盘或共享是只读的",
            "请在可以写入的位置操作（例如把工作区复制到本机硬盘），或请管理员开放写入",
        ),
        K::StorageFull => (
            "磁盘空间已满",
            "请清理磁盘空间后重试；没有写完的文件不会留下",
        ),
        K::NotADirectory => ("路径中有一段不是目录", "请检查路径是否正确"),
        K::IsADirectory => ("这是一个目录，不是文件", "请检查路径是否正确"),
        K::AlreadyExists => ("已经存在", "请换一个名称，或先移走已有的文件"),
        _ => {
            return format!(
                "错误：无法{action} {}：{source}\n = 帮助：请检查磁盘和文件系统后重试",
                path.display()
            );
        }
    };
    format!(
        "错误：无法{action} {}：{why}\n = 帮助：{help}",
        path.display()
    )
}

#[cfg(test)]
mod io_tests {
    use super::*;

    /// A file-system failure names the file, says why in Chinese and what to do; a kind without
    /// a translation keeps the system's words.
    #[test]
    fn io_errors_are_said_in_chinese() {
        let e = Error::io(
            "打开目录",
            "/nonexistent",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert_eq!(
            e.to_string(),
            "错误：无法打开目录 /nonexistent：文件或目录不存在\n = 帮助：请检查路径是否正确"
        );
        assert_eq!(e.exit_code(), 1);
        let e = Error::io(
            "写入",
            "cases/2023/A1.yaml",
            std::io::Error::from(std::io::ErrorKind::ReadOnlyFilesystem),
        );
        assert_eq!(
            e.to_string(),
            "错误：无法写入 cases/2023/A1.yaml：它所在的磁盘或共享是只读的\n = 帮助：请在可以写入的位置操作（例如把工作区复制到本机硬盘），或请管理员开放写入"
        );
        let e = Error::io("读取", "x", std::io::Error::other("坏道"));
        assert_eq!(
            e.to_string(),
            "错误：无法读取 x：坏道\n = 帮助：请检查磁盘和文件系统后重试"
        );
        assert_eq!(e.exit_code(), 2);
    }
}

#[cfg(test)]
mod snippet_tests {
    use super::*;

    /// A long line is quoted around the column, cut with “…” on both sides, the caret under
    /// the character the column names and the underline ending where the quote does.
    #[test]
    fn a_long_line_is_shown_around_the_column() {
        let line = format!("{}BAD{}", "x".repeat(200), "y".repeat(100));
        let d = Diagnostic::new("坏").at(
            "x.yaml",
            &line,
            Pos {
                line: 1,
                column: 201,
            },
        );
        assert_eq!(
            d.to_string(),
            format!(
                "错误：坏\n --> x.yaml:1:201\n  |\n1 | …{}BAD{}…\n  | {}{}\n",
                "x".repeat(40),
                "y".repeat(57),
                " ".repeat(41),
                "^".repeat(60)
            )
        );
        // Kept small whatever the line: the part around the column only.
        assert_eq!(d.snippet.as_deref().map(str::len), Some(303));
        let long = format!("{}中{}", "x".repeat(70_000), "y".repeat(70_000));
        let d = Diagnostic::new("坏")
            .at(
                "x.yaml",
                &long,
                Pos {
                    line: 1,
                    column: 70_001,
                },
            )
            .help("帮");
        assert!(d.snippet.as_deref().is_some_and(|s| s.len() < 1_000));
        assert_eq!(
            d.to_string(),
            format!(
                "错误：坏\n --> x.yaml:1:70001\n  |\n1 | …{}中{}…\n  | {}{}\n  = 帮助：帮\n",
                "x".repeat(40),
                "y".repeat(58),
                " ".repeat(41),
                "^".repeat(60)
            )
        );
    }

    /// Near the end of a long line the room goes to what comes before; past the end, the
    /// caret follows the last character; at the start nothing is cut before.
    #[test]
    fn the_ends_of_a_long_line() {
        let line = "x".repeat(70_000);
        let d = Diagnostic::new("坏").at(
            "x.yaml",
            &line,
            Pos {
                line: 1,
                column: 70_001,
            },
        );
        assert_eq!(
            d.to_string(),
            format!(
                "错误：坏\n --> x.yaml:1:70001\n  |\n1 | …{}\n  | {}^\n",
                "x".repeat(100),
                " ".repeat(101)
            )
        );
        let d = Diagnostic::new("坏").at("x.yaml", &line, Pos { line: 1, column: 1 });
        assert_eq!(
            d.to_string(),
            format!(
                "错误：坏\n --> x.yaml:1:1\n  |\n1 | {}…\n  | {}\n",
                "x".repeat(100),
                "^".repeat(100)
            )
        );
        // A huge line number and message, and no file: nothing panics, the message is cut.
        let d = Diagnostic::new("长".repeat(5_000));
        assert_eq!(d.to_string().chars().count(), 3 + 1_000 + 7 + 1);
        let d = Diagnostic::new("坏").at(
            "x.yaml",
            "a\n",
            Pos {
                line: 9,
                column: 99_999,
            },
        );
        assert_eq!(d.to_string(), "错误：坏\n --> x.yaml:9:99999\n");
    }
}
