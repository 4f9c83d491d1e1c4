//! `yingsu demo`: the demonstration workspace, every branch of every workflow, and its summary.

use std::io::Write;
use std::path::Path;

use yingsu::error::Result;

use crate::cli::w;

/// `yingsu demo` in `dir`.
pub fn run(dir: &Path, out: &mut dyn Write) -> Result<()> {
    let report = yingsu::demo::run(dir)?;
    w(out, report.summary())
}
