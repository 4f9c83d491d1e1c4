//! `yingsu completions`: the command line's completion script for a shell.

use std::io::Write;

use yingsu::error::Result;

use crate::cli::{Shell, command};

/// `yingsu completions <shell>`.
pub fn run(shell: Shell, out: &mut dyn Write) -> Result<()> {
    let mut cmd = command();
    clap_complete::generate(clap_complete::Shell::from(shell), &mut cmd, "yingsu", out);
    Ok(())
}
