//! Lines to stdout and stderr that never panic: `println!` panics when the reader of a pipe has
//! gone (`opi-tcp functions | head -1`). A closed stdout ends the process quietly, as `print()`
//! in a script does (the reader wants no more); any other failure to write stdout (a full disk)
//! ends it with an error and exit code 1, as coreutils and Python do, since the output is lost;
//! a closed stderr is ignored (there is no one left to tell).

use std::fmt;
use std::io::{self, Write};

/// `println!` that ends the process quietly when stdout is closed.
macro_rules! outln {
    ($($arg:tt)*) => { $crate::output::out(format_args!($($arg)*)) };
}

/// `eprintln!` that ignores a closed stderr.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::output::err(format_args!($($arg)*)) };
}

pub(crate) fn out(args: fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    let written = out
        .write_fmt(args)
        .and_then(|_| out.write_all(b"\n"))
        .and_then(|_| out.flush());
    if let Err(e) = written {
        drop(out);
        stdout_failed(&e);
    }
}

/// Ends the process after a failed write to stdout: quietly when the reader has gone, with an
/// error and exit code 1 otherwise.
pub(crate) fn stdout_failed(e: &io::Error) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        stdout_closed();
    }
    err(format_args!("Error: writing to stdout: {e}"));
    std::process::exit(i32::from(crate::exit::FAILURE));
}

/// The reader of stdout has gone: end quietly, for `print` and a script's `write_stdout` alike.
pub(crate) fn stdout_closed() {
    std::process::exit(0);
}

pub(crate) fn err(args: fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|_| err.write_all(b"\n"));
}
