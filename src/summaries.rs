//! The summaries of the case index: owns the list of every command group's summary kind that
//! the index makes whenever it parses a case file ([`KINDS`]; see
//! [`crate::index::cases::kinds`]), and installing it for the process ([`install`]). It sits
//! above the engine and the statistics, whose makers it names, so that the index below them
//! never does.
//!
//! After a change of the configuration, of the workflows or of the program, every entry of the
//! index is dropped; the first command over the archive then parses each case file once and
//! leaves every group's summary behind it: `stats` and `check` (the figures, the status rows),
//! `status` and `agenda` (the rows), `validate` (the audit's numbers, the characters of the
//! histories for the fonts), `case new` (the 案号), `render` (the documents, the steps missing
//! theirs).

use crate::index::cases::SummaryKind;

/// Every summary kind the case index fills in the pass that parses a case file.
pub static KINDS: &[SummaryKind] = &[
    crate::stats::FIGURES_SUMMARY,
    crate::engine::deadline::ROW_SUMMARY,
    crate::engine::audit::AUDIT_SUMMARY,
    crate::engine::audit::GLYPHS_SUMMARY,
    crate::engine::store::MISSING_SUMMARY,
    crate::engine::issue::rerender::DOCS_SUMMARY,
];

/// Install [`KINDS`] for the process (what the command line does at its start; a front end of
/// its own calls this too). `false` when a list was installed already.
pub fn install() -> bool {
    crate::index::cases::kinds::install(KINDS)
}
