//! Document issuing: owns the one way a document is asked for — a [`DocRequest`] built by
//! [`request()`] from a step's document declaration (issuer, date, number, facts as of the step) —
//! and the ways it is made, each in a room of its own:
//!
//! - [`request`](mod@request): where a step's documents are made and the request for each;
//! - [`issuing`]: when a step is taken ([`issue_step_documents`]: numbers reserved, PDFs staged
//!   with the case file), and a report whose data its maker prepared ([`issue_prepared`]);
//! - [`frozen`]: the record kept beside each issued document, and drift against today's data;
//! - [`rerender`]: when `render` makes the cases' documents again ([`render_cases`]: same
//!   requests, same numbers, only changed files rewritten);
//! - [`reports`]: the issued reports under `render --all`;
//! - [`run`]: what a `render` run knows (the render index, the inputs) and what it reports.
//!
//! The request types and the [`DocumentRenderer`] seam that turns a request into its data and
//! PDF live in [`crate::document`]; they are named here too.

pub mod frozen;
pub mod issuing;
pub mod reports;
pub mod request;
pub mod rerender;
pub mod run;

pub use crate::document::{DocRequest, DocumentRenderer, Prepared};
pub use frozen::{Drift, Frozen, Replaced, data_hash, differences, frozen_path, record_edited};
pub use issuing::{ReportIssue, issue_prepared, issue_step_documents};
pub use reports::{IssuedReport, issued_reports, report_ident};
pub use request::{
    StepAt, StepDocument, issuer_of, number_key, request, step_deadline, step_deadlines,
    step_documents,
};
pub use rerender::{RenderOutcome, render_cases, year_folder};
pub use run::Rendered;
