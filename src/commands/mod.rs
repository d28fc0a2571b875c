//! What each command does, one file per subcommand, and what they share: the session built from
//! `--connect-timeout` or `OPI_TCP_CONNECT_TIMEOUT_MS`, and the engine with the binary's output
//! hooks.

mod describe;
mod request;
mod run;
mod shell;
mod tcp;
mod test;

use std::io::{self, IsTerminal};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use opi_tcp::script::{self, MemoryLimit, Session};
use rhai::Engine;

use crate::cli::{Cli, Command, Common, SUBCOMMANDS as COMMANDS};

/// Runs the command the command line names.
pub(crate) fn run(cli: Cli) -> Result<ExitCode> {
    let session = session(&cli.common)?;
    if let Some(code) = cli.eval {
        return run::eval(session, &code);
    }
    match cli.command {
        Some(Command::Run { script, args }) => run::file(session, &script, &args),
        Some(Command::Repl) => crate::repl::run(engine(session)),
        Some(Command::Eval { code }) => run::eval(session, &code),
        Some(Command::Request(args)) => request::request(session, args),
        Some(Command::Tcp { method }) => tcp::tcp(session, method),
        Some(Command::Test(args)) => test::test(session, &cli.common, args),
        Some(Command::Functions { filter, markdown }) => {
            describe::functions(filter.as_deref(), markdown)
        }
        Some(Command::Defs { dir }) => describe::defs(&dir),
        Some(Command::Completions { shell }) => shell::completions(shell),
        Some(Command::Man) => shell::man(),
        None => match cli.script {
            Some(word) if looks_like_a_command(&word) => Ok(unknown_command(&word)),
            Some(script) => run::file(session, &script, &cli.args),
            None if io::stdin().is_terminal() => crate::repl::run(engine(session)),
            None => run::file(session, "-", &cli.args),
        },
    }
}

/// A first word that is no file and does not look like one (no `.`, no `/`): a mistyped command,
/// not a script to read.
fn looks_like_a_command(word: &str) -> bool {
    word != "-" && !word.contains(['.', '/']) && !std::path::Path::new(word).exists()
}

fn unknown_command(word: &str) -> ExitCode {
    let hint = match script::nearest(word, COMMANDS) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!("the commands are {}", COMMANDS.join(", ")),
    };
    crate::exit::usage(&format!(
        "'{word}' is neither a command nor a file; {hint} (see opi-tcp --help)"
    ))
}

fn session(common: &Common) -> Result<Session> {
    if let Some(to) = &common.trace {
        let config = script::TraceConfig {
            file: (to != "-").then(|| to.into()),
            hex: common.trace_hex,
            full: common.trace_full,
        };
        script::trace_all(config).map_err(|e| anyhow::anyhow!("--trace {to}: {e}"))?;
    } else if common.trace_hex || common.trace_full {
        bail!("--trace-hex and --trace-full go with --trace");
    }
    let timeout = match common.connect_timeout {
        Some(0) => bail!("--connect-timeout must be positive"),
        Some(ms) => Some(Duration::from_millis(ms)),
        None => connect_timeout_from_env()?,
    };
    let session = Session::new(timeout.unwrap_or(script::DEFAULT_CONNECT_TIMEOUT))
        .with_stdout_closed(crate::output::stdout_closed);
    Ok(match common.max_memory {
        Some(max) => session.with_memory_limit(MemoryLimit {
            in_use: crate::memory::in_use,
            max,
        }),
        None => session,
    })
}

/// The session's connect timeout from the environment (`OPI_TCP_CONNECT_TIMEOUT_MS`), if set.
fn connect_timeout_from_env() -> Result<Option<Duration>> {
    match std::env::var("OPI_TCP_CONNECT_TIMEOUT_MS") {
        Err(_) => Ok(None),
        Ok(v) => match script::parse_millis(&v) {
            Some(ms) => Ok(Some(ms)),
            None => bail!(
                "OPI_TCP_CONNECT_TIMEOUT_MS must be a positive number of milliseconds, not '{v}'"
            ),
        },
    }
}

/// The engine with the binary's output hooks: `print` to stdout, where a closed pipe ends the
/// process quietly; `debug` to stderr with the position, where a closed pipe is ignored.
fn engine(session: Session) -> Engine {
    with_output(script::engine_with(session))
}

/// [`engine`] for running `text` alone (see `script::engine_for`).
fn engine_for(session: Session, text: &str) -> Engine {
    with_output(script::engine_for(session, text))
}

fn with_output(mut engine: Engine) -> Engine {
    engine.on_print(|s| outln!("{s}"));
    engine.on_debug(|s, src, pos| match (src, pos.is_none()) {
        (Some(src), false) => errln!("{src}:{pos}: {s}"),
        (None, false) => errln!("{pos}: {s}"),
        _ => errln!("{s}"),
    });
    engine
}
