//! `opi-tcp completions SHELL` and `opi-tcp man`: what an installation puts next to the binary,
//! generated from the clap description so they cannot fall behind the options.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap_complete::Shell;

/// Prints the completion script for `shell` on stdout.
pub(super) fn completions(shell: Shell) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut crate::cli::command(), "opi-tcp", &mut script);
    print(&script)
}

/// Prints the man page (roff) on stdout.
pub(super) fn man() -> Result<ExitCode> {
    let mut page = Vec::new();
    clap_mangen::Man::new(crate::cli::command())
        .render(&mut page)
        .context("rendering the man page")?;
    print(&page)
}

/// Writes `bytes` to stdout; a reader that has gone (`| head`) is not an error.
fn print(bytes: &[u8]) -> Result<ExitCode> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(ExitCode::SUCCESS),
    }
}
