//! Errors of the typesetting stage, with Chinese messages for the user.

use std::fmt;

use std::ops::Range;
use typst::World;
use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};

use typst::syntax::{DiagSpan, DiagSpanKind, Source};

/// A typst diagnostic resolved to a file position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether this is an error (`false` for a warning).
    pub error: bool,
    /// Virtual path of the template file (e.g. `/main.typ`), if known.
    pub file: Option<String>,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column (in characters), if known.
    pub column: Option<usize>,
    /// Characters the span covers on its first line (at least 1 when a column is known).
    pub span_chars: usize,
    /// The compiler's message.
    pub message: String,
    /// The compiler's hints.
    pub hints: Vec<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.error { "错误" } else { "警告" };
        match (&self.file, self.line, self.column) {
            (Some(file), Some(line), Some(col)) => {
                write!(f, "模板 {file} 第 {line} 行第 {col} 列{kind}：")?
            }
            (Some(file), _, _) => write!(f, "模板 {file} {kind}：")?,
            _ => write!(f, "模板{kind}：")?,
        }
        write!(f, "{}", self.message)?;
        for hint in &self.hints {
            write!(f, "（提示：{hint}）")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong while typesetting.
#[derive(Debug, thiserror::Error)]
pub enum TypesetError {
    /// The laid-out document has more pages than [`super::MAX_PAGES`].
    #[error("文书排版后有 {pages} 页，超过 {max} 页的上限")]
    TooLong {
        /// Pages laid out.
        pages: usize,
        /// The limit.
        max: usize,
    },
    /// No usable font in any of the font directories.
    #[error("在字体目录中未找到任何可用字体：{}", .dirs.join("、"))]
    NoFonts {
        /// The directories that were searched.
        dirs: Vec<String>,
    },
    /// A font file could not be opened or mapped.
    #[error("无法读取字体文件 {path}：{reason}")]
    FontFile {
        /// The font file.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// A virtual path in the job is malformed.
    #[error("模板路径“{path}”无效：必须是以 / 开头、不含 .. 的虚拟路径")]
    BadPath {
        /// The offending path.
        path: String,
    },
    /// The main template is not among the job's files.
    #[error("主模板 {path} 不在作业的模板文件中")]
    MainMissing {
        /// The main template's virtual path.
        path: String,
    },
    /// The document date cannot be represented.
    #[error("成文日期 {date} 无效")]
    BadDate {
        /// The date.
        date: String,
    },
    /// A character in the data is covered by no font of the body chain.
    #[error(
        "字段 {field} 中的字符{}（U+{code:04X}）无法排版：正文字体及后备字体均不包含该字符，请改用常用字或造字后再试",
        shown(*.ch)
    )]
    MissingGlyph {
        /// The character.
        ch: char,
        /// Its code point.
        code: u32,
        /// JSON path of the field, e.g. `parties.plaintiffs[0].name`.
        field: String,
    },
    /// A bidirectional formatting character, which would reorder the text when displayed.
    #[error(
        "字段 {field} 含有不可见的文字方向控制字符（U+{code:04X}），它会改变文字的显示顺序，不能排版；请删除该字符后再试（常见于从网页或聊天软件复制的文字）"
    )]
    BidiControl {
        /// Its code point.
        code: u32,
        /// JSON path of the field.
        field: String,
    },
    /// The template failed to compile.
    #[error("模板编译失败：{}", join(.0))]
    Compile(Vec<Diagnostic>),
    /// PDF export failed (e.g. a PDF/A violation).
    #[error("PDF 导出失败：{}", join(.0))]
    Pdf(Vec<Diagnostic>),
    /// A worker thread pool could not be created.
    #[error("无法创建排版线程池：{0}")]
    ThreadPool(String),
}

impl TypesetError {
    /// The diagnostics of a compile or export failure (empty otherwise).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Self::Compile(d) | Self::Pdf(d) => d,
            _ => &[],
        }
    }
}

fn join(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("；")
}

/// typst's messages about the files a template reads, in Chinese (a seal image, an attachment):
/// they are what a clerk meets when a file is missing or linked out of the workspace. Other
/// messages (about the template's own code) are left as typst says them.
fn message_zh(m: &str) -> String {
    if m.starts_with("failed to load file (access denied)") {
        return "无法读取模板要用的文件：它在工作区之外，或经符号链接指向工作区之外（yingsu 只读取工作区内真实的文件，例如把印章图片放在工作区的 seals/ 目录中，不要用指向别处的链接）".into();
    }
    if m.starts_with("failed to load file (is a directory)") {
        return "模板要读取的是一个目录，不是文件：请检查文件路径".into();
    }
    if let Some(rest) = m.strip_prefix("file not found (searched at ") {
        let path = rest.strip_suffix(')').unwrap_or(rest);
        return format!("找不到模板要用的文件 {path}：请检查文件路径，或把文件放到工作区内");
    }
    m.to_string()
}

/// Resolves typst diagnostics against the world's sources.
pub(crate) fn convert(world: &dyn World, diags: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    diags
        .iter()
        .map(|d| {
            let (file, line, column, span_chars) = locate(world, d.span);
            Diagnostic {
                error: d.severity == Severity::Error,
                file,
                line,
                column,
                span_chars,
                message: message_zh(&d.message),
                hints: d.hints.iter().map(|h| h.v.to_string()).collect(),
            }
        })
        .collect()
}

fn locate(
    world: &dyn World,
    span: DiagSpan,
) -> (Option<String>, Option<usize>, Option<usize>, usize) {
    let Some(id) = span.id() else {
        return (None, None, None, 0);
    };
    let file = Some(id.vpath().get_with_slash().to_string());
    let Some(range) = world.range(span) else {
        return (file, None, None, 0);
    };
    match world.source(id) {
        Ok(source) => {
            let (line, column, chars) = position(&source, range);
            (file, line, column, chars)
        }
        Err(_) => (file, None, None, 0),
    }
}

/// 1-based line and column of a byte range's start, and the characters it covers on that line.
fn position(source: &Source, range: Range<usize>) -> (Option<usize>, Option<usize>, usize) {
    let lines = source.lines();
    let line = lines.byte_to_line(range.start).map(|l| l + 1);
    let column = lines.byte_to_column(range.start).map(|c| c + 1);
    let text = source.text().get(range).unwrap_or("");
    let chars = text.lines().next().map_or(0, |l| l.chars().count()).max(1);
    (line, column, chars)
}

/// The syntax errors of a template (`path` is its virtual path, e.g. `/tishihan.typ`), found
/// without evaluating it: what `yingsu validate` reports.
pub fn syntax_errors(path: &str, text: &str) -> Result<Vec<Diagnostic>, TypesetError> {
    let id = super::world::file_id(path)?;
    let source = Source::new(id, text.to_string());
    let (errors, _) = source.root().errors_and_warnings();
    Ok(errors
        .into_iter()
        .map(|e| {
            let range = match e.span.get() {
                DiagSpanKind::Number { num, sub_range, .. } => source.range(num, sub_range),
                DiagSpanKind::Range { range, .. } => Some(range),
                DiagSpanKind::Detached => None,
            };
            let (line, column, span_chars) =
                range.map_or((None, None, 0), |r| position(&source, r));
            Diagnostic {
                error: true,
                file: Some(path.to_string()),
                line,
                column,
                span_chars,
                message: message_zh(&e.message),
                hints: e.hints.iter().map(|h| h.v.to_string()).collect(),
            }
        })
        .collect())
}

/// A character as quoted in a message: itself in quotes, or "不可见字符" when it would not show.
fn shown(ch: char) -> String {
    let invisible = ch.is_whitespace()
        || ch.is_control()
        || matches!(
            ch as u32,
            0xAD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180E
        )
        || matches!(ch as u32, 0x2000..=0x200F | 0x2028..=0x202F | 0x205F..=0x206F)
        || matches!(ch as u32, 0xFE00..=0xFE0F | 0xFFF0..=0xFFFB | 0xE0000..=0xE0FFF);
    if invisible {
        "（不可见字符）".to_string()
    } else {
        format!("“{ch}”")
    }
}

#[cfg(test)]
mod file_message_tests {
    use super::message_zh;

    #[test]
    fn messages_about_files_are_said_in_chinese() {
        assert_eq!(
            message_zh("failed to load file (access denied)"),
            "无法读取模板要用的文件：它在工作区之外，或经符号链接指向工作区之外（yingsu 只读取工作区内真实的文件，例如把印章图片放在工作区的 seals/ 目录中，不要用指向别处的链接）"
        );
        assert_eq!(
            message_zh("file not found (searched at /ws/seals/a.png)"),
            "找不到模板要用的文件 /ws/seals/a.png：请检查文件路径，或把文件放到工作区内"
        );
        assert_eq!(message_zh("unknown variable: foo"), "unknown variable: foo");
    }
}
