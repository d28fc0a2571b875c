//! The `opi-tcp` binary: parse the command line, run the command, map the outcome to an exit
//! code (0 success, 1 script error, 2 usage error, 130 Ctrl-C). Errors go to stderr as
//! `Error: …` with the whole cause chain on one line.

#[macro_use]
mod output;

mod argv;
mod cli;
mod commands;
mod exit;
mod memory;
mod repl;
mod testing;

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: memory::Counting = memory::Counting;

/// The stack of the thread that runs commands (and so scripts). Rhai prints, compares, clones
/// and drops nested values recursively: on the main thread's 8 MiB an array nested 5,000 deep
/// overflowed it when printed. The memory is reserved, not used, until a script goes that deep.
const SCRIPT_STACK: usize = 1 << 30;

fn main() -> ExitCode {
    memory::one_arena();
    opi_tcp::script::install_ctrl_c_handler();
    let run = || {
        let code = match commands::run(argv::parse()) {
            Ok(code) => code,
            Err(e) => {
                errln!("Error: {e:#}");
                ExitCode::from(exit::FAILURE)
            }
        };
        // Connections closed (or let go) by the script deliver what they sent before we exit.
        opi_tcp::script::finish_closing();
        code
    };
    let script = std::thread::Builder::new()
        .name("opi-tcp-script".into())
        .stack_size(SCRIPT_STACK)
        .spawn(run);
    match script {
        // A panic has been reported by the panic hook; 101 is Rust's exit code for one.
        Ok(thread) => thread.join().unwrap_or(ExitCode::from(101)),
        // No thread of that size (a tight ulimit): run on this one.
        Err(_) => run(),
    }
}
