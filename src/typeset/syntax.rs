//! A template's syntax errors, found by parsing alone (no world, no evaluation): owns what
//! `yingsu validate` says about a template that does not parse.

use typst::syntax::{DiagSpanKind, Source};

use super::error::{Diagnostic, TypesetError, message_zh, position};
use super::world::file_id;

/// The syntax errors of a template (`path` is its virtual path, e.g. `/tishihan.typ`), found
/// without evaluating it: what `yingsu validate` reports.
pub fn syntax_errors(path: &str, text: &str) -> Result<Vec<Diagnostic>, TypesetError> {
    let id = file_id(path)?;
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
