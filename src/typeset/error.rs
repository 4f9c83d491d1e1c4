//! Errors of the typesetting stage, with Chinese messages for the user.

use std::fmt;

use std::ops::Range;
use typst::World;
use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};

use typst::syntax::{DiagSpan, Source};

/// A typst diagnostic resolved to a file position (serialisable: the bounded worker of
/// `render::bounded` sends it to its parent as it is).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
        let (message, original) = self.chinese();
        write!(f, "{message}")?;
        for hint in self.hints_zh() {
            write!(f, "（{hint}）")?;
        }
        if let Some(original) = original {
            write!(f, "（排版程序原文：{original}）")?;
        }
        Ok(())
    }
}

impl Diagnostic {
    /// The message in Chinese, and the compiler's own words when it said it in English (for
    /// a second line: whoever helps the clerk may need them).
    pub(crate) fn chinese(&self) -> (String, Option<String>) {
        translate(&self.message)
    }

    /// The compiler's hints in Chinese (one it has no translation for is marked as its words).
    pub(crate) fn hints_zh(&self) -> Vec<String> {
        self.hints
            .iter()
            .map(|h| match translate(h) {
                (zh, None) => zh,
                (_, Some(_)) if !has_known_translation(h) => format!("排版程序提示：{h}"),
                (zh, Some(_)) => zh,
            })
            .collect()
    }
}

/// Exact compiler messages (and hints) a clerk editing a template meets most, in Chinese.
const EXACT: &[(&str, &str)] = &[
    ("unclosed delimiter", "括号或引号没有闭合"),
    ("unclosed string", "字符串的引号没有闭合"),
    ("unclosed raw text", "代码文本的反引号没有闭合"),
    ("unclosed label", "标签的尖括号没有闭合"),
    ("unexpected closing delimiter", "多余的右括号"),
    ("unexpected closing bracket", "多余的右方括号"),
    ("unexpected closing brace", "多余的右花括号"),
    ("unexpected closing paren", "多余的右圆括号"),
    ("expected expression", "此处缺少表达式"),
    ("expected closing paren", "缺少右圆括号"),
    ("expected closing bracket", "缺少右方括号"),
    ("expected closing brace", "缺少右花括号"),
    ("expected comma", "缺少逗号"),
    ("expected colon", "缺少冒号"),
    ("expected identifier", "此处应为名称"),
    ("expected semicolon or line break", "缺少分号或换行"),
    ("expected body", "缺少花括号或方括号括起的内容"),
    ("unexpected equals sign", "多余的等号"),
    ("unexpected colon", "多余的冒号"),
    ("unexpected comma", "多余的逗号"),
    ("you are already in code mode", "这里已经是代码，不需要 #"),
    ("try removing the `#`", "去掉 #"),
    (
        "maximum function call depth exceeded",
        "函数调用层数过多（可能是无穷递归）",
    ),
    ("maximum show rule depth exceeded", "show 规则层层套用过深"),
    ("maximum grouping depth exceeded", "内容嵌套过深，无法排版"),
    ("loop seems to be infinite", "循环似乎不会结束"),
    ("assertion failed", "模板中的断言（assert）不成立"),
    ("cannot divide by zero", "除数为零"),
    ("array index out of bounds", "数组下标越界"),
    ("string index out of bounds", "字符串下标越界"),
];

/// Compiler messages by their beginning: (English prefix, Chinese, whether the rest of the
/// message is a name to keep after the Chinese).
const PREFIX: &[(&str, &str, bool)] = &[
    ("unknown variable: ", "未定义的变量：", true),
    (
        "dictionary does not contain key ",
        "数据中没有这个字段：",
        true,
    ),
    ("unknown font family: ", "未知的字体：", true),
    ("missing argument: ", "缺少参数：", true),
    ("unexpected argument: ", "多余的参数：", true),
    ("unexpected argument", "多余的参数", false),
    ("unknown field ", "没有这个字段：", true),
    ("panicked with: ", "模板主动报错：", true),
    ("panicked", "模板主动报错", false),
    ("assertion failed", "模板中的断言（assert）不成立", false),
    ("file not found", "找不到文件", false),
    ("failed to load file", "无法读取文件", false),
    (
        "the character `#` is not valid in code",
        "代码中不能出现 #",
        false,
    ),
    ("cannot ", "无法进行这个运算（类型不符）", false),
    ("expected ", "语法有误", false),
    ("unexpected ", "语法有误", false),
    ("unknown ", "未定义的名称", false),
    (
        "PDF/A",
        "生成的 PDF 不符合存档格式 PDF/A 的要求（常见原因：标题、署名等文字过长）",
        false,
    ),
    ("PDF", "导出 PDF 失败", false),
];

/// Whether `m` has a Chinese translation in [`EXACT`] or [`PREFIX`].
fn has_known_translation(m: &str) -> bool {
    EXACT.iter().any(|(en, _)| *en == m) || PREFIX.iter().any(|(en, _, _)| m.starts_with(en))
}

/// A compiler message in Chinese, and the compiler's own words when they were English: the
/// common messages translated; any other said as a mistake in the template's code, its words
/// kept for the second line. A message already in Chinese (about a file the template reads,
/// see [`message_zh`]) is kept as it is.
fn translate(m: &str) -> (String, Option<String>) {
    if m.chars().any(|c| crate::error::display_width(c) == 2) {
        return (m.to_string(), None);
    }
    if let Some((_, zh)) = EXACT.iter().find(|(en, _)| *en == m) {
        return ((*zh).to_string(), Some(m.to_string()));
    }
    if let Some((en, zh, keep)) = PREFIX.iter().find(|(en, _, _)| m.starts_with(en)) {
        let text = if *keep {
            format!("{zh}{}", &m[en.len()..])
        } else {
            (*zh).to_string()
        };
        return (text, Some(m.to_string()));
    }
    ("模板代码有误".to_string(), Some(m.to_string()))
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
pub(super) fn message_zh(m: &str) -> String {
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
pub(super) fn position(
    source: &Source,
    range: Range<usize>,
) -> (Option<usize>, Option<usize>, usize) {
    let lines = source.lines();
    let line = lines.byte_to_line(range.start).map(|l| l + 1);
    let column = lines.byte_to_column(range.start).map(|c| c + 1);
    let text = source.text().get(range).unwrap_or("");
    let chars = text.lines().next().map_or(0, |l| l.chars().count()).max(1);
    (line, column, chars)
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

#[cfg(test)]
mod translation_tests {
    use super::Diagnostic;

    fn diag(message: &str, hints: &[&str]) -> Diagnostic {
        Diagnostic {
            error: true,
            file: Some("/tishihan.typ".into()),
            line: Some(3),
            column: Some(6),
            span_chars: 1,
            message: message.into(),
            hints: hints.iter().map(|h| h.to_string()).collect(),
        }
    }

    /// The compiler's English is never the message: the common ones are translated, any other
    /// is said to be a mistake in the template's code; its words follow, marked as its own.
    #[test]
    fn compiler_messages_are_said_in_chinese_with_their_words_after() {
        assert_eq!(
            diag("unknown variable: foo", &[]).chinese(),
            (
                "未定义的变量：foo".to_string(),
                Some("unknown variable: foo".to_string())
            )
        );
        assert_eq!(
            diag("maximum grouping depth exceeded", &[]).chinese(),
            (
                "内容嵌套过深，无法排版".to_string(),
                Some("maximum grouping depth exceeded".to_string())
            )
        );
        assert_eq!(
            diag("something new in typst", &[]).chinese(),
            (
                "模板代码有误".to_string(),
                Some("something new in typst".to_string())
            )
        );
        // Already Chinese (a file the template reads): kept, nothing to add.
        let zh = super::message_zh("failed to load file (is a directory)");
        assert_eq!(diag(&zh, &[]).chinese(), (zh.clone(), None));
        let d = diag(
            "the character `#` is not valid in code",
            &["try removing the `#`", "a hint never seen"],
        );
        assert_eq!(
            d.to_string(),
            "模板 /tishihan.typ 第 3 行第 6 列错误：代码中不能出现 #（去掉 #）（排版程序提示：a hint never seen）（排版程序原文：the character `#` is not valid in code）"
        );
    }
}
