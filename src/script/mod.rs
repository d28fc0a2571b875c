//! The Rhai surface: [`engine()`], the one constructor every front end uses (runner, REPL, tests,
//! examples), so they cannot drift apart; running a script with `ARGV`; and the display of a
//! script error with the file name, the source line and a caret.
//!
//! Engine limits are set here explicitly and are the same in debug and release builds (Rhai's
//! debug defaults allow only 8 nested calls). The largest string or blob is [`MAX_DATA_SIZE`]:
//! it also bounds a single read.

mod api;
mod assert;
mod client;
mod convert;
mod encoding;
mod fallback;
mod helpers;
mod logging;
mod opi_tcp;
mod server;

use std::time::Duration;

use rhai::{Array, Dynamic, Engine, EvalAltResult, Position, Scope};

pub use api::Session;
pub use client::TcpClient;
pub use encoding::Codec;
pub use server::TcpServer;

/// The largest string or blob a script can hold, and so the largest single read.
pub const MAX_DATA_SIZE: usize = 32 * 1024 * 1024;

/// Builds the engine with the `OPI_TCP` module, the helpers and the limits.
pub fn engine() -> Engine {
    engine_with(Session::default())
}

/// Like [`engine()`], with session settings chosen by the caller (the CLI's connect timeout).
pub fn engine_with(session: Session) -> Engine {
    let mut engine = bare_engine(session);
    let mut module = rhai::exported_module!(opi_tcp::opi_tcp);
    fallback::add_signature_fallbacks(&mut module);
    engine.register_static_module("OPI_TCP", module.into());
    engine
}

/// The engine without the signature fallbacks: what `functions` and `defs` describe.
pub fn documented_engine() -> Engine {
    let mut engine = bare_engine(Session::default());
    engine.register_static_module("OPI_TCP", rhai::exported_module!(opi_tcp::opi_tcp).into());
    engine
}

fn bare_engine(session: Session) -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_call_levels(64)
        .set_max_expr_depths(128, 64)
        .set_max_operations(0)
        .set_max_string_size(MAX_DATA_SIZE)
        .set_max_array_size(MAX_DATA_SIZE)
        .set_max_map_size(1 << 20)
        .set_max_variables(100_000)
        .set_max_functions(100_000)
        .set_max_modules(256)
        .set_default_tag(Dynamic::from(session));
    // Ctrl-C while the script computes (a blocked call watches the same flag itself).
    engine.on_progress(|_| {
        (crate::net::runtime::is_interrupted() && crate::net::runtime::take_interrupt())
            .then(|| Dynamic::from("interrupted"))
    });
    engine.register_type_with_name::<TcpClient>("TcpClient");
    engine.register_fn("to_string", |c: &mut TcpClient| format!("{c:?}"));
    engine.register_fn("to_debug", |c: &mut TcpClient| format!("{c:?}"));
    engine.register_type_with_name::<TcpServer>("TcpServer");
    engine.register_fn("to_string", |s: &mut TcpServer| format!("{s:?}"));
    engine.register_fn("to_debug", |s: &mut TcpServer| format!("{s:?}"));
    helpers::register(&mut engine);
    assert::register(&mut engine);
    engine
}

/// Every documented script function, one signature per line, sorted (`opi-tcp functions`).
pub fn signatures() -> Vec<String> {
    let mut sigs: Vec<String> = documented_engine()
        .gen_fn_signatures(false)
        .into_iter()
        .filter(|s| {
            s.starts_with("OPI_TCP::")
                || s.starts_with("sleep")
                || s.starts_with("set_connect_timeout")
        })
        .map(|s| readable_signature(&s))
        .collect();
    sigs.sort();
    sigs.dedup();
    sigs
}

/// `-> R<bool>` → `-> bool`, `ImmutableString` → `string`: signatures as a script author reads them.
pub(crate) fn readable_signature(sig: &str) -> String {
    let sig = sig.replace("ImmutableString", "string");
    match sig.split_once("-> R<") {
        Some((head, ret)) => format!("{head}-> {}", ret.strip_suffix('>').unwrap_or(ret)),
        None => sig,
    }
}

/// A script source with its display name.
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// How a script ended badly.
#[derive(Debug)]
pub enum Failure {
    /// Ctrl-C.
    Interrupted,
    /// A parse or runtime error, rendered with the file name, the line and a caret.
    Error(String),
}

/// Blanks a `#!` first line, keeping the line count so positions stay right.
pub fn strip_shebang(text: &str) -> &str {
    if text.starts_with("#!") {
        match text.find('\n') {
            Some(i) => &text[i..],
            None => "",
        }
    } else {
        text
    }
}

/// A scope with the constant `ARGV`.
pub fn scope_with_argv(argv: &[String]) -> Scope<'static> {
    let mut scope = Scope::new();
    let args: Array = argv.iter().map(|a| Dynamic::from(a.clone())).collect();
    scope.push_constant("ARGV", args);
    scope
}

/// Compiles and runs `src`; returns the value of the last statement.
pub fn run(engine: &Engine, src: &Source, scope: &mut Scope) -> Result<Dynamic, Failure> {
    let text = strip_shebang(src.text);
    let ast = engine
        .compile_with_scope(scope, text)
        .map_err(|e| Failure::Error(render(src, &EvalAltResult::from(e))))?;
    engine
        .eval_ast_with_scope::<Dynamic>(scope, &ast)
        .map_err(|e| failure(src, &e))
}

/// Classifies and renders an evaluation error.
pub fn failure(src: &Source, err: &EvalAltResult) -> Failure {
    crate::net::runtime::take_interrupt();
    match innermost(err) {
        EvalAltResult::ErrorTerminated(..) => Failure::Interrupted,
        _ => Failure::Error(render(src, err)),
    }
}

fn innermost(err: &EvalAltResult) -> &EvalAltResult {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => innermost(inner),
        EvalAltResult::ErrorInModule(_, inner, _) => innermost(inner),
        e => e,
    }
}

/// `name:line:col: message`, then the source line and a caret under the position.
pub fn render(src: &Source, err: &EvalAltResult) -> String {
    let pos = innermost(err).position();
    let full = err.to_string();
    let suffix = format!(" ({})", err.position());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    let (Some(line), col) = (pos.line(), pos.position()) else {
        return format!("{}: {message}", src.name);
    };
    let mut out = match col {
        Some(c) => format!("{}:{line}:{c}: {message}", src.name),
        None => format!("{}:{line}: {message}", src.name),
    };
    if let Some(code) = src.text.lines().nth(line - 1) {
        let gutter = line.to_string();
        out.push_str(&format!("\n {gutter} | {code}"));
        if let Some(c) = col {
            // Rhai counts characters; a tab in the line keeps the caret aligned as a tab.
            let pad: String = code
                .chars()
                .take(c.saturating_sub(1))
                .map(|ch| if ch == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!("\n {} | {pad}^", " ".repeat(gutter.len())));
        }
    }
    out
}

/// A position-less runtime error (for front ends that report their own failures).
pub fn runtime_error(msg: impl Into<String>) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(msg.into().into(), Position::NONE).into()
}

/// The session's connect timeout from the environment (`OPI_TCP_CONNECT_TIMEOUT_MS`), if set.
pub fn connect_timeout_from_env() -> Result<Option<Duration>, String> {
    match std::env::var("OPI_TCP_CONNECT_TIMEOUT_MS") {
        Err(_) => Ok(None),
        Ok(v) => match v.trim().parse::<u64>() {
            Ok(ms) if ms > 0 => Ok(Some(Duration::from_millis(ms))),
            _ => Err(format!(
                "OPI_TCP_CONNECT_TIMEOUT_MS must be a positive number of milliseconds, not '{v}'"
            )),
        },
    }
}
