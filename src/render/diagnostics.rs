//! Template diagnostics: owns how a template that does not compile is reported — the
//! workspace's (or built-in) template file, line and column, the line quoted and the span
//! underlined, the compiler's common messages in Chinese — for `validate` and for a document
//! that fails to typeset.

use crate::error::{Error, Result};
use crate::workspace::Workspace;

/// At most this many compiler errors are shown; the rest are counted.
const MAX_TEMPLATE_ERRORS: usize = 3;

/// A typesetting failure of document `what` (e.g. `《出庭应诉提示函》（案件 X）`) rendered from
/// template `main` (e.g. `tishihan.typ`), as the user should read it: compiler errors point at
/// the workspace's template file (or the built-in one), line and column, with the line quoted.
pub fn template_error(
    ws: &Workspace,
    what: &str,
    main: &str,
    e: crate::typeset::TypesetError,
) -> Error {
    use crate::typeset::TypesetError;
    match e {
        TypesetError::Compile(diags) | TypesetError::Pdf(diags) => {
            let mut out = template_diagnostics(ws, &diags, &format!("生成{what}失败："), main);
            match out.len() {
                0 => Error::user(
                    format!("生成{what}失败：模板 {main} 无法排版"),
                    "请修改模板后重试",
                ),
                1 => out.remove(0).into(),
                _ => Error::Many(out),
            }
        }
        TypesetError::BidiControl { .. } => Error::user(
            format!("生成{what}失败：{e}"),
            "在案件文件（或 --set、--from 给出的值）中删除该字符后重新运行",
        ),
        TypesetError::TooLong { .. } => Error::user(
            format!("生成{what}失败：{e}"),
            "请精简案件文件中过长的文字（篇幅长的材料可作为附件另行报送），再重新运行",
        ),
        TypesetError::MissingGlyph { .. } => Error::user(
            format!("生成{what}失败：{e}"),
            "请核对该字段的文字；确需生僻字时，在工作区 fonts/ 中放入包含该字的字体（.ttf/.otf）",
        ),
        other => {
            let file = ws
                .templates
                .get(main)
                .map(|t| t.origin.display().to_string())
                .unwrap_or_else(|| main.to_string());
            Error::user(
                format!("生成{what}（模板 {file}）失败：{other}"),
                "请检查模板与字体目录（工作区的 fonts/ 或 yingsu.yaml 的 font_paths）",
            )
        }
    }
}

/// Up to [`MAX_TEMPLATE_ERRORS`] compiler errors as the user reads them: the workspace's (or
/// built-in) template file, line and column, the line quoted and the span underlined, common
/// messages in Chinese; the first message starts with `prefix`, the last help line counts the
/// errors not shown. `main` is the template to name when an error has no file.
fn template_diagnostics(
    ws: &Workspace,
    diags: &[crate::typeset::Diagnostic],
    prefix: &str,
    main: &str,
) -> Vec<crate::error::Diagnostic> {
    use crate::error::{Diagnostic, Pos};
    let origin = |virtual_path: &str| {
        ws.templates
            .get(virtual_path.trim_start_matches('/'))
            .map(|t| (t.origin.clone(), t.source.clone()))
    };
    let errors: Vec<_> = diags.iter().filter(|d| d.error).collect();
    let shown = errors.len().min(MAX_TEMPLATE_ERRORS);
    let mut out = Vec::new();
    for (i, d) in errors.iter().take(shown).enumerate() {
        let lead = if i == 0 { prefix } else { "" };
        let (message, original) = d.chinese();
        let mut diag = Diagnostic::new(format!("{lead}模板有误：{message}"));
        match (d.file.as_deref().and_then(origin), d.line, d.column) {
            (Some((file, source)), Some(line), Some(column)) => {
                // Underline what the compiler pointed at (up to the end of the line).
                diag = diag
                    .at(file, &source, Pos { line, column })
                    .underline_chars(d.span_chars);
            }
            (Some((file, _)), _, _) => diag = diag.in_file(file),
            _ => {
                if let Some((file, _)) = origin(main) {
                    diag = diag.in_file(file);
                }
            }
        }
        let mut help: Vec<String> = d.hints_zh();
        // The compiler's own words, for whoever helps the clerk.
        if let Some(original) = original {
            help.push(format!("排版程序原文：{original}"));
        }
        if i + 1 == shown {
            if errors.len() > shown {
                help.push(format!("另有 {} 处错误未列出", errors.len() - shown));
            }
            help.push("请修改模板后重试；工作区 templates/ 中的同名文件会替代内置模板".into());
        }
        if !help.is_empty() {
            diag = diag.help(help.join("；"));
        }
        out.push(diag);
    }
    out
}

/// Checks the syntax of every template (workspace and built-in) without typesetting: what
/// `yingsu validate` reports about templates.
pub fn check_templates(ws: &Workspace) -> Result<()> {
    let mut all = Vec::new();
    for (path, t) in &ws.templates {
        let diags = crate::typeset::syntax_errors(&format!("/{path}"), &t.source)
            .map_err(|e| Error::Internal(e.to_string()))?;
        all.extend(template_diagnostics(ws, &diags, "", path));
        // The declaration of its format, 文种 and direction (see `docformat`).
        if let Some(name) = path.strip_suffix(".typ")
            && let Err(e) = ws.declared(name)
        {
            match e {
                Error::Many(v) => all.extend(v),
                Error::User(d) => all.push(*d),
                other => return Err(other),
            }
        }
    }
    match all.len() {
        0 => Ok(()),
        1 => Err(all.remove(0).into()),
        _ => Err(Error::Many(all)),
    }
}
