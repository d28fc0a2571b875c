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

/// Prints the man page (roff) on stdout: the options from clap, then the functions a script
/// can call, as `opi-tcp functions` lists them.
pub(super) fn man() -> Result<ExitCode> {
    let mut page = Vec::new();
    clap_mangen::Man::new(crate::cli::command())
        .render(&mut page)
        .context("rendering the man page")?;
    page.extend_from_slice(functions_section().as_bytes());
    print(&page)
}

/// `.SH FUNCTIONS`: each group of `opi-tcp functions` as a subsection of verbatim lines.
fn functions_section() -> String {
    let mut roff = String::from(
        ".SH FUNCTIONS\nWhat a script can call (\\fBopi\\-tcp functions\\fR lists the same, with a \
         filter).\n",
    );
    let mut open = false;
    for line in opi_tcp::script::function_list(None) {
        match line.strip_prefix("  ") {
            Some(sig) => {
                if !open {
                    roff.push_str(".nf\n");
                    open = true;
                }
                // Verbatim, but a backslash is roff's escape and a leading dot its request.
                roff.push_str(&format!("\\&{}\n", sig.replace('\\', "\\e")));
            }
            None => {
                if open {
                    roff.push_str(".fi\n");
                    open = false;
                }
                roff.push_str(&format!(".SS {line}\n"));
            }
        }
    }
    if open {
        roff.push_str(".fi\n");
    }
    roff
}

/// Writes `bytes` to stdout; a reader that has gone (`| head`) is not an error.
fn print(bytes: &[u8]) -> Result<ExitCode> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(ExitCode::SUCCESS),
    }
}
