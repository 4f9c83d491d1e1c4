//! yingsu（应诉）: an engine for administrative-litigation response work.
//!
//! Data flows one way, one module per stage:
//!
//! ```text
//! case file ──> facts as of a step ──> workflow step ──> document request ──> document data
//!  case.rs       view.rs                engine/step.rs     engine/issue/         document/
//!  yaml.rs       engine/input.rs        workflow.rs, expr.rs
//!
//!   ──> Typst template ──> PDF ──────────────> archive
//!       render/            typeset/            archive.rs, numbers/
//!       templates/*.typ                        (atomic batches, document numbers)
//! ```
//!
//! Beside the pipeline, [`stats`] reads the archive through the same facts view and computes the
//! supervision figures; its reports (monthly return, quarterly bulletin) are issued through the
//! engine's document path like any step's documents.
//!
//! - [`yaml`] parses every user-written YAML file and turns parser errors into Chinese diagnostics;
//!   [`yaml_edit`] changes one entry of such a file in place, keeping its comments.
//! - [`config`] is `yingsu.yaml`; [`config_file`] writes changes back to it, keeping its comments;
//!   [`workspace`] is the folder layout and resource resolution.
//! - [`workflow`] defines and validates workflows; [`expr`] evaluates their conditions.
//! - [`case`] is the case file; [`facts`] the values in it; [`view`] the one view of a case's
//!   facts as of a step.
//! - [`engine`] loads cases ([`engine::store`]), coerces input ([`engine::input`]), moves cases
//!   through steps ([`engine::step`]),
//!   issues documents ([`engine::issue`]) and computes deadlines ([`engine::deadline`]).
//! - [`document`] is what a template receives (a pure function, and the request types);
//!   [`render`] is the Typst adapter, which receives complete data and never calls back;
//!   [`pipeline`] computes a document's deadline and figures, its data, then its PDF (the
//!   engine's [`engine::DocumentRenderer`]); [`typeset`] owns Typst itself.
//! - [`archive`] and [`numbers`] own what is written.
//! - [`stats`] computes supervision figures; [`demo`] builds the demonstration workspace.
//! - [`jail`] keeps paths from untrusted input inside the workspace; [`entry`] checks text values
//!   as they enter; [`casenum`] reads and normalises 案号.
//! - [`diagram`] draws a workflow as a picture (SVG, through Typst).
//! - [`schema`] describes the YAML files as JSON Schema for editors.
//! - [`error`] is how all of the above report problems; [`settings`] is what the environment
//!   says (`YINGSU_*`), read by the command line only.
//!
//! The library never prints and never parses arguments: the command line (`src/main.rs` and
//! `src/cli/`, one file per command group) parses arguments, calls the library and prints what
//! it returns.

pub mod archive;
pub mod calendar;
pub mod case;
pub mod casenum;
pub mod config;
pub mod config_file;
pub mod demo;
pub mod derived;
pub mod diagram;
pub mod docformat;
pub mod document;
pub mod engine;
pub mod entry;
pub mod error;
pub mod expr;
pub mod facts;
pub mod ics;
pub mod index;
pub mod jail;
pub mod journal;
pub mod listing;
pub mod natural;
pub mod numbers;
pub mod par;
pub mod pipeline;
pub mod prose;
pub mod render;
pub mod schema;
pub mod serve;
pub mod settings;
pub mod stats;
pub mod suggest;
pub mod summaries;
pub mod typeset;
pub mod users;
pub mod validate;
pub mod vcs;
pub mod view;
pub mod workflow;
pub mod workspace;
pub mod yaml;
pub mod yaml_edit;

pub use engine::{Actor, Input, StepReport};
pub use error::{Diagnostic, Error, Result};
pub use settings::Settings;
pub use workspace::Workspace;
