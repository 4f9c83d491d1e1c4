//! `yingsu demo`: the demonstration workspace, every branch of every workflow, and its summary;
//! the workspace is made a git repository whose first commit holds all of it.

use std::io::Write;
use std::path::Path;

use yingsu::error::Result;

use crate::cli::w;

/// `yingsu demo` in `dir`.
pub fn run(dir: &Path, out: &mut dyn Write) -> Result<()> {
    let actor = yingsu::engine::Actor::from_env()?;
    let report = yingsu::demo::run(dir)?;
    if !dir.join(".git").exists() {
        yingsu::vcs::init_repository(dir, &actor)?;
    }
    w(out, report.summary())
}
