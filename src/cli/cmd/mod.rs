//! One file per command (as mdBook's `src/cmd/`): each reads its options, calls the library and
//! prints what it returns. Nothing here decides anything about cases.

pub mod agenda;
pub mod case;
pub mod check;
pub mod completions;
pub mod demo;
pub mod history;
pub mod init;
pub mod man;
pub mod reconcile;
pub mod render;
pub mod report;
pub mod schema;
pub mod serve;
pub mod stats;
pub mod status;
pub mod template;
pub mod user;
pub mod validate;
pub mod workflow;
