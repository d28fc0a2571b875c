//! The `opi-tcp` binary: parse the command line, run the command, map the outcome to an exit
//! code (0 success, 1 script error, 2 usage error, 130 Ctrl-C). Errors go to stderr as
//! `Error: …` with the whole cause chain on one line.

mod cli;
mod repl;
mod testing;

use std::process::ExitCode;

fn main() -> ExitCode {
    opi_tcp::net::runtime::install_ctrl_c_handler();
    match cli::main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::from(cli::EXIT_FAILURE)
        }
    }
}
