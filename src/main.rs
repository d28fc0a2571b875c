//! The `opi-tcp` binary: parse the command line, run the command, map the outcome to an exit
//! code (0 success, 1 script error, 2 usage error, 130 Ctrl-C). Errors go to stderr as
//! `Error: …` with the whole cause chain on one line.

#[macro_use]
mod output;

mod cli;
mod commands;
mod exit;
mod memory;
mod repl;
mod testing;

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: memory::Counting = memory::Counting;

fn main() -> ExitCode {
    opi_tcp::script::install_ctrl_c_handler();
    match commands::run(cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            errln!("Error: {e:#}");
            ExitCode::from(exit::FAILURE)
        }
    }
}
