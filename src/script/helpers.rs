//! Global helpers that ported OneScript code needs and Rhai lacks, named as Rhai names things:
//! `sleep(ms)` (OPI's `OPI_Tools.Pause`), `set_connect_timeout(ms)`, and the few file and clock
//! functions OPI's test suites use (`GetTempFileName`, `FileExists`, file sizes, timestamps for
//! unique markers).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rhai::{Dynamic, Engine, EvalAltResult, FuncRegistration, ImmutableString, NativeCallContext};

use super::args::{RhaiResultOf, interrupted, throw};
use super::session::Session;
use crate::net;

/// `params` lists the parameters and then the return type, as Rhai's metadata wants it.
pub(super) fn reg(name: &str, params: &[&str], doc: &str) -> FuncRegistration {
    FuncRegistration::new(name)
        .with_volatility(true)
        .with_params_info(params)
        .with_comments([doc])
}

/// A path in the system's temporary folder that no other call of this process returns.
fn temp_file_path(ext: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let ext = ext.trim_start_matches('.');
    let name = format!("opi-tcp-{}-{n}-{nanos:x}", std::process::id());
    let name = if ext.is_empty() {
        name
    } else {
        format!("{name}.{ext}")
    };
    std::env::temp_dir().join(name).display().to_string()
}

fn set_connect_timeout(ctx: &NativeCallContext, ms: i64) -> RhaiResultOf<()> {
    if ms <= 0 {
        return Err(throw(
            ctx,
            format!("the connect timeout must be positive milliseconds, not {ms}"),
        ));
    }
    Session::of(ctx).set_connect_timeout(Duration::from_millis(ms as u64));
    Ok(())
}

fn sleep(ctx: &NativeCallContext, ms: i64) -> RhaiResultOf<()> {
    if ms < 0 {
        return Err(throw(
            ctx,
            format!("cannot sleep a negative time ({ms} ms)"),
        ));
    }
    // The timer must be made inside the runtime: build it in the async block.
    let d = Duration::from_millis(ms as u64);
    net::block_on(async move { tokio::time::sleep(d).await }).map_err(|_| interrupted(ctx))
}

fn file_size(ctx: &NativeCallContext, path: &str) -> RhaiResultOf<i64> {
    std::fs::metadata(path)
        .map(|m| i64::try_from(m.len()).unwrap_or(i64::MAX))
        .map_err(|e| throw(ctx, format!("{path}: {e}")))
}

/// What `exit(value)` carries out of a script: Rhai's own `exit` ends the script as if it had
/// returned the value, and the process exited 0 whatever was asked.
#[derive(Debug, Clone)]
pub(crate) struct ScriptExit(pub(crate) Dynamic);

impl ScriptExit {
    /// The process's exit code, as Python's `sys.exit` reads its argument: `()` is 0, an integer
    /// is itself (kept to 0-255), anything else is 1 with the value printed on stderr.
    pub(crate) fn code(&self) -> (u8, Option<String>) {
        if self.0.is_unit() {
            (0, None)
        } else if let Ok(n) = self.0.as_int() {
            (u8::try_from(n.clamp(0, 255)).unwrap_or(255), None)
        } else {
            (1, Some(self.0.to_string()))
        }
    }
}

/// Ends the script (it cannot be caught, as Rhai's own `exit` cannot) with `value`.
fn exit(ctx: &NativeCallContext, value: Dynamic) -> RhaiResultOf<()> {
    Err(
        EvalAltResult::ErrorTerminated(Dynamic::from(ScriptExit(value)), ctx.call_position())
            .into(),
    )
}

pub(crate) fn register(engine: &mut Engine) {
    reg(
        "exit",
        &["()"],
        "/// Ends the script; the process exits with code 0 (in a test, the test fails and says so).",
    )
    .register_into_engine(engine, |ctx: NativeCallContext| exit(&ctx, Dynamic::UNIT));
    reg(
        "exit",
        &["value: Dynamic", "()"],
        "/// Ends the script; the process exits with `value` as its code (an integer, kept to 0-255; anything else is printed on stderr and the code is 1).",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, value: Dynamic| exit(&ctx, value));
    reg("sleep", &["ms: i64", "()"], "/// Pauses the script for `ms` milliseconds (OPI's `OPI_Tools.Pause`); Ctrl-C interrupts it.")
        .register_into_engine(engine, |ctx: NativeCallContext, ms: i64| sleep(&ctx, ms));
    reg(
        "set_connect_timeout",
        &["ms: i64", "()"],
        "/// Sets the deadline of every later connect (DNS, TCP, proxy and TLS handshakes; default 30000 ms).",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, ms: i64| set_connect_timeout(&ctx, ms));
    reg("temp_file_path", &["string"], "/// A fresh path in the temporary folder (OneScript's `GetTempFileName()`); nothing is created.")
        .register_into_engine(engine, || temp_file_path(""));
    reg(
        "temp_file_path",
        &["extension: string", "string"],
        "/// A fresh temporary path ending in `.extension`.",
    )
    .register_into_engine(engine, |ext: ImmutableString| temp_file_path(&ext));
    reg(
        "file_exists",
        &["path: string", "bool"],
        "/// Whether a file or folder exists at `path`.",
    )
    .register_into_engine(engine, |path: ImmutableString| {
        std::path::Path::new(path.as_str()).exists()
    });
    reg(
        "file_size",
        &["path: string", "int"],
        "/// The size of the file at `path` in bytes (throws if it cannot be read).",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, path: ImmutableString| {
        file_size(&ctx, &path)
    });
    reg(
        "remove_file",
        &["path: string", "bool"],
        "/// Deletes the file at `path`; `false` if there was none.",
    )
    .register_into_engine(engine, |path: ImmutableString| {
        std::fs::remove_file(path.as_str()).is_ok()
    });
    reg(
        "unix_time_ms",
        &["int"],
        "/// Milliseconds since 1970-01-01 UTC (for unique markers and timing).",
    )
    .register_into_engine(engine, || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    });
}
