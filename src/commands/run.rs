//! Running a script file, stdin (`-`), or `eval` code, with `ARGV`.

use std::io::{self, Read};
use std::process::ExitCode;

use anyhow::{Context, Result};
use opi_tcp::script::{self, Session, Source};

use crate::exit;

/// Runs the script at `path` (`-` = stdin) with `args` as `ARGV`.
pub(super) fn file(session: Session, path: &str, args: &[String]) -> Result<ExitCode> {
    let (name, text) = if path == "-" {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .context("reading the script from stdin")?;
        ("<stdin>".to_string(), text)
    } else {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
        (path.to_string(), text)
    };
    let engine = super::engine_for(session, &text);
    let mut scope = script::scope_with_argv(args);
    let result = script::run(
        &engine,
        &Source {
            name: &name,
            text: &text,
        },
        &mut scope,
    );
    leave(engine);
    Ok(exit::report(result))
}

/// The process ends next: freeing the engine's thousand-odd functions one by one took 14% of an
/// empty script's run. The engine holds only functions (the script's values, whose drops close
/// connections and flush logs, are in the scope, dropped as usual).
fn leave(engine: rhai::Engine) {
    std::mem::forget(engine);
}

/// Evaluates `code` and prints a non-unit result.
pub(super) fn eval(session: Session, code: &str) -> Result<ExitCode> {
    let engine = super::engine_for(session, code);
    let mut scope = script::scope_with_argv(&[]);
    let result = script::run(
        &engine,
        &Source {
            name: "<eval>",
            text: code,
        },
        &mut scope,
    );
    if let Ok(value) = &result
        && !value.is_unit()
    {
        outln!("{}", script::display(&engine, value));
    }
    leave(engine);
    Ok(exit::report(result))
}
