//! Exit codes, shared by every command: 0 success, 1 a script or test failed, 2 a usage error,
//! 130 Ctrl-C (the shell's 128 + SIGINT). How a script's outcome becomes one is decided here once.

use std::process::ExitCode;

use opi_tcp::script::Failure;
use rhai::Dynamic;

pub(crate) const FAILURE: u8 = 1;
pub(crate) const USAGE: u8 = 2;
pub(crate) const INTERRUPTED: u8 = 130;

/// Maps a script's outcome to the exit code, printing the error.
pub(crate) fn report(result: Result<Dynamic, Failure>) -> ExitCode {
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(Failure::Interrupted) => {
            errln!("Error: interrupted");
            ExitCode::from(INTERRUPTED)
        }
        Err(Failure::Error(msg)) => {
            errln!("Error: {msg}");
            ExitCode::from(FAILURE)
        }
        Err(Failure::Exit(code, said)) => {
            if let Some(said) = said {
                errln!("{said}");
            }
            ExitCode::from(code)
        }
    }
}

/// A usage error found after parsing: said on stderr, exit 2.
pub(crate) fn usage(msg: &str) -> ExitCode {
    errln!("Error: {msg}");
    ExitCode::from(USAGE)
}

/// Success or failure, for commands that only count.
pub(crate) fn from_ok(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FAILURE)
    }
}
