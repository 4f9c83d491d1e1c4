//! yingsu（应诉）: an engine for administrative-litigation response work.
//!
//! One pipeline, one module per stage:
//!
//! ```text
//! case data ──> workflow step ──> document data ──> Typst template ──> PDF ──> archive
//!  case.rs       engine.rs         render.rs         typeset/           typeset/  archive.rs
//!  facts.rs      workflow.rs       numbers.rs        templates/*.typ              (atomic writes)
//!  yaml.rs       expr.rs
//! ```
//!
//! - [`yaml`] parses every user-written YAML file and turns parser errors into Chinese diagnostics.
//! - [`config`] is `yingsu.yaml`; [`workspace`] is the folder layout and resource resolution.
//! - [`workflow`] defines and validates workflows; [`expr`] evaluates their conditions.
//! - [`case`] and [`facts`] are case records and the values in them.
//! - [`engine`] moves cases through steps; [`render`] builds document data and drives
//!   [`typeset`], which owns Typst; [`archive`] and [`numbers`] own what is written.
//! - [`stats`] computes supervision figures; [`demo`] builds the demonstration workspace.
//! - [`jail`] keeps paths from untrusted input inside the workspace; [`entry`] checks text values
//!   as they enter; [`casenum`] reads and normalises 案号.
//! - [`error`] is how all of the above report problems.
//!
//! The CLI (`src/main.rs` + [`cli`]) only parses arguments and calls this library.

pub mod archive;
pub mod case;
pub mod casenum;
pub mod cli;
pub mod config;
pub mod demo;
pub mod engine;
pub mod entry;
pub mod error;
pub mod expr;
pub mod facts;
pub mod jail;
pub mod numbers;
pub mod render;
pub mod stats;
pub mod typeset;
pub mod workflow;
pub mod workspace;
pub mod yaml;

pub use engine::{Actor, Input, StepReport};
pub use error::{Diagnostic, Error, Result};
pub use workspace::Workspace;
