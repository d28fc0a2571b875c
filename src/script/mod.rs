//! The Rhai surface, and the one facade the binary and embedders use: [`engine()`] (every front
//! end builds its engine here, so they cannot drift apart), running a script ([`run()`]), its
//! failure display, the interrupt (Ctrl-C), and the function list. Sockets are reached only
//! through `net`.
//!
//! Engine limits are set here explicitly and are the same in debug and release builds (Rhai's
//! debug defaults allow only 8 nested calls). The largest string or blob is [`MAX_DATA_SIZE`]:
//! it also bounds a single read.

mod args;
mod arity;
mod assert;
mod brackets;
mod bytes;
mod catalog;
mod cli_values;
mod client;
mod connect_all;
mod conversation;
mod convert;
mod defaults;
mod encoding;
mod expect_map;
mod fallback;
mod files;
/// Entry points for the fuzz targets in `fuzz/`; not an API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod helpers;
mod interact;
mod logging;
mod nesting;
mod opi_tcp;
mod outcome;
mod pack;
mod run;
mod server;
mod server_options;
mod session;
mod settings;
mod suggest;
mod tcp_client;
mod tcp_server;
mod wait;

use rhai::{Dynamic, Engine};

pub use crate::net::{
    DEFAULT_CONNECT_TIMEOUT, TraceConfig, finish_closing, install_ctrl_c_handler, interrupt,
    is_interrupted, take_interrupt, trace_all,
};
pub use assert::is_assertion;
pub use catalog::{Group, OPI_NAMES, OpiName};
pub use cli_values::{
    Shard, params_json, parse_millis, parse_param, parse_shard, parse_size, positive_seconds,
    settings_json, unescape_data,
};
pub use conversation::Regex;
pub use run::{
    Failure, Source, debug_text, display, failing_function, failure, message, render, run,
    scope_with_argv, stopped_at, strip_shebang, view,
};
pub use session::{MemoryLimit, Session};
pub use suggest::nearest;
pub use tcp_client::TcpClient;
pub use tcp_server::TcpServer;

/// The token of a script stopped by Ctrl-C (any other token is a limit's message).
pub(crate) const INTERRUPTED: &str = "interrupted";

/// The largest string or blob a script can hold, and so the largest single read.
pub const MAX_DATA_SIZE: usize = 32 * 1024 * 1024;

/// How deeply arrays, maps and closures' captures may nest. Rhai clones, drops and sizes data
/// recursively (about 200 bytes of stack a level), so an unbounded nest overflowed the stack and
/// aborted the process; this keeps the deepest value under 2 MiB of stack and its checks cheap,
/// far deeper than any data a conversation carries (JSON parsers stop at 128 to 1,000 levels).
pub const MAX_DATA_DEPTH: usize = 10_000;

/// Builds the engine with the `OPI_TCP` module, the helpers and the limits.
pub fn engine() -> Engine {
    engine_with(Session::default())
}

/// Like [`engine()`], with session settings chosen by the caller (the CLI's connect timeout).
pub fn engine_with(session: Session) -> Engine {
    with_module(bare_engine(session), fallback::Names::All)
}

/// [`engine_with`] for running `text` and nothing else (no REPL input, no other file): the
/// helpful errors of wrong calls are set up only for the `OPI_TCP` names the text mentions
/// (all of them when it imports a module or evaluates code).
pub fn engine_for(session: Session, text: &str) -> Engine {
    with_module(bare_engine(session), fallback::Names::mentioned_in(text))
}

fn with_module(mut engine: Engine, names: fallback::Names) -> Engine {
    let mut module = opi_tcp::module();
    fallback::add_signature_fallbacks(&mut module, &names);
    engine.register_static_module("OPI_TCP", module.into());
    engine
}

/// The engine without the signature fallbacks: what `functions` and `defs` describe.
pub fn documented_engine() -> Engine {
    let mut engine = bare_engine(Session::default());
    engine.register_static_module("OPI_TCP", opi_tcp::module().into());
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
        .set_max_data_depth(MAX_DATA_DEPTH)
        .set_max_variables(100_000)
        .set_max_functions(100_000)
        .set_max_modules(256)
        .set_default_tag(Dynamic::from(session.clone()));
    // Ctrl-C while the script computes (a blocked call watches the same flag itself), and the
    // memory limit, checked between operations: one operation can pass it by one value (a
    // string or blob is at most MAX_DATA_SIZE), never by more.
    let memory = session.memory_limit();
    engine.on_progress(move |_| {
        if is_interrupted() && take_interrupt() {
            return Some(Dynamic::from(INTERRUPTED));
        }
        let limit = memory?;
        let used = (limit.in_use)();
        (used > limit.max).then(|| {
            Dynamic::from(format!(
                "the script's data outgrew the memory limit of {} MiB ({} MiB in use); \
                 raise it with --max-memory",
                limit.max >> 20,
                used >> 20
            ))
        })
    });
    engine.register_type_with_name::<TcpClient>("TcpClient");
    // OPI's idiom `if !c.result` works for both outcomes: a failed connect is a `result: false` map.
    conversation::property(
        "result",
        "conn: &mut TcpClient",
        "bool",
        "always true: a failed connect is a map whose result is false",
    )
    .register_into_engine(&mut engine, |_: &mut TcpClient| true);
    engine.register_fn("to_string", |c: &mut TcpClient| format!("{c:?}"));
    engine.register_fn("to_debug", |c: &mut TcpClient| format!("{c:?}"));
    engine.register_type_with_name::<TcpServer>("TcpServer");
    engine.register_fn("to_string", |s: &mut TcpServer| format!("{s:?}"));
    engine.register_fn("to_debug", |s: &mut TcpServer| format!("{s:?}"));
    helpers::register(&mut engine);
    conversation::register(&mut engine);
    bytes::register(&mut engine);
    pack::register(&mut engine);
    files::register(&mut engine);
    assert::register(&mut engine);
    nesting::register(&mut engine);
    engine
}

/// A script value as JSON text (maps and arrays as OPI's `JSONString` writes them).
pub fn to_json(v: &Dynamic) -> String {
    let mut out = String::new();
    convert::json(v, &mut out);
    out
}

/// OPI's boolean spellings (`true`, `Ложь`, `да`, `1`, …), as `GetBoolean` reads a string.
pub fn parse_flag(s: &str) -> Option<bool> {
    convert::flag_word(s)
}

/// Every documented script function a script calls by name, one signature per line, sorted
/// (the REPL completes these names).
pub fn signatures() -> Vec<String> {
    let mut sigs: Vec<String> = all_signatures()
        .into_iter()
        .filter(|s| {
            let name = s.split('(').next().unwrap_or("");
            !s.contains('$') && !catalog::is_unlisted(name)
        })
        .collect();
    sigs.sort();
    sigs.dedup();
    sigs
}

/// What `opi-tcp functions [TEXT]` prints: every script function under its group's heading,
/// those not in OPI marked, properties as `server.port` (see `catalog`).
pub fn function_list(filter: Option<&str>) -> Vec<String> {
    catalog::listing(&all_signatures(), filter)
}

fn all_signatures() -> Vec<String> {
    documented_engine()
        .gen_fn_signatures(false)
        .into_iter()
        .map(|s| readable_signature(&s))
        .collect()
}

/// `-> Result<bool, Box<EvalAltResult>>` → `-> bool`, `ImmutableString` → `string`: signatures
/// as a script author reads them. (Rhai expands our `RhaiResultOf<T>` alias into that form.)
fn readable_signature(sig: &str) -> String {
    let sig = sig.replace("ImmutableString", "string");
    match sig.split_once("-> Result<") {
        Some((head, ret)) => {
            let ret = ret.strip_suffix(", Box<EvalAltResult>>").unwrap_or(ret);
            format!("{head}-> {ret}")
        }
        None => sig,
    }
}
