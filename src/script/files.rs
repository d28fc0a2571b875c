//! Files and the standard streams for scripts: whole files as blobs or text (`read_file`,
//! `read_text`, `write_file`, `append_file`), raw bytes to stdout (`write_stdout`), stdin as
//! bytes or lines (`read_stdin`, `read_stdin_line`), and lines to stderr (`eprint`).
//!
//! Nothing here writes to stdout but `write_stdout`, so a script can be a filter. Reads are
//! bounded by the engine's blob and string limits. Stdin is read on the runtime's blocking pool
//! so that Ctrl-C ends a wait for input as it ends a network wait (the interrupted read's thread
//! finishes on its own; what it then reads is dropped).

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Read, Write};

use rhai::{Blob, Dynamic, Engine, ImmutableString, NativeCallContext};

use super::args::{self, RhaiResultOf, interrupted, throw};
use super::bytes::{blob_limit, fits_string, size, string_limit};
use super::helpers::reg;
use super::session::Session;
use crate::net;

fn os_error(
    ctx: &NativeCallContext,
    doing: &str,
    path: &str,
    e: io::Error,
) -> Box<rhai::EvalAltResult> {
    throw(ctx, format!("cannot {doing} '{path}': {e}"))
}

/// Runs `work` (an open and a read or write of `path`) here when `path` is a regular file or
/// does not exist yet, which cannot keep it waiting; anything else (a FIFO, whose `open` waits
/// for the other end; a device) on the blocking pool, so that Ctrl-C and a test's deadline end
/// the wait as they end a network wait (the thread finishes on its own; its result is dropped).
fn file_io<T: Send + 'static>(
    ctx: &NativeCallContext,
    path: &str,
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> RhaiResultOf<io::Result<T>> {
    if std::fs::metadata(path).map_or(true, |m| m.is_file()) {
        return Ok(work());
    }
    match net::block_on(async move { net::spawn_blocking(work).await }) {
        Err(_) => Err(interrupted(ctx)),
        Ok(Ok(result)) => Ok(result),
        Ok(Err(e)) => Ok(Err(io::Error::other(e.to_string()))),
    }
}

/// The file's bytes, at most `max` of them (a file that grows while read is cut there).
fn read_bytes(ctx: &NativeCallContext, path: &str, max: usize) -> RhaiResultOf<Vec<u8>> {
    let too_big = |len: u64| {
        throw(
            ctx,
            format!(
                "'{path}' has {len} bytes, more than a blob can hold ({})",
                size(max)
            ),
        )
    };
    let owned = path.to_string();
    // Err(n): the file holds `n` bytes or more, past `max`.
    let read = file_io(ctx, path, move || -> io::Result<Result<Vec<u8>, u64>> {
        let file = File::open(&owned)?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len > max as u64 {
            return Ok(Err(len));
        }
        let mut buf = Vec::with_capacity(len as usize);
        // One byte past the limit tells a file that is larger than it says (a pipe, /dev/zero).
        file.take((max as u64).saturating_add(1))
            .read_to_end(&mut buf)?;
        if buf.len() > max {
            return Ok(Err(buf.len() as u64));
        }
        Ok(Ok(buf))
    })?;
    match read {
        Ok(Ok(buf)) => Ok(buf),
        Ok(Err(len)) => Err(too_big(len)),
        Err(e) => Err(os_error(ctx, "read", path, e)),
    }
}

fn read_text(ctx: &NativeCallContext, path: &str, encoding: &Dynamic) -> RhaiResultOf<String> {
    let codec = args::encoding(ctx, encoding)?;
    let bytes = read_bytes(ctx, path, blob_limit(ctx))?;
    let (text, rest) = codec.decode_within(bytes, string_limit(ctx));
    if !rest.is_empty() {
        return Err(throw(
            ctx,
            format!(
                "the text of '{path}' is longer than a string can hold ({}); read it with \
                 read_file and decode parts",
                size(string_limit(ctx))
            ),
        ));
    }
    Ok(text)
}

fn write(ctx: &NativeCallContext, path: &str, data: &Dynamic, append: bool) -> RhaiResultOf<()> {
    let bytes = args::data(ctx, data.clone())?;
    let owned = path.to_string();
    file_io(ctx, path, move || {
        OpenOptions::new()
            .write(true)
            .create(true)
            .append(append)
            .truncate(!append)
            .open(owned)
            .and_then(|mut f| f.write_all(&bytes))
    })?
    .map_err(|e| os_error(ctx, "write", path, e))
}

fn write_stdout(ctx: &NativeCallContext, data: &Dynamic) -> RhaiResultOf<()> {
    let bytes = args::data(ctx, data.clone())?;
    let mut out = io::stdout().lock();
    match out.write_all(&bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) => {
            drop(out);
            if e.kind() == io::ErrorKind::BrokenPipe {
                // The reader has gone: the binary ends quietly here, as after `print`.
                Session::of(ctx).stdout_closed();
            }
            Err(throw(ctx, format!("cannot write to stdout: {e}")))
        }
    }
}

/// Runs `read` on stdin on the blocking pool; Ctrl-C ends the wait.
fn on_stdin<T: Send + 'static>(
    ctx: &NativeCallContext,
    read: impl FnOnce(&mut io::StdinLock<'static>) -> io::Result<T> + Send + 'static,
) -> RhaiResultOf<T> {
    let joined =
        net::block_on(
            async move { net::spawn_blocking(move || read(&mut io::stdin().lock())).await },
        )
        .map_err(|_| interrupted(ctx))?;
    match joined {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(throw(ctx, format!("cannot read stdin: {e}"))),
        Err(e) => Err(throw(ctx, format!("cannot read stdin: {e}"))),
    }
}

fn read_stdin(ctx: &NativeCallContext, max_size: &Dynamic) -> RhaiResultOf<Blob> {
    let limit = blob_limit(ctx);
    let wanted = args::max_size(ctx, max_size)?;
    if let Some(n) = wanted.filter(|&n| n > limit) {
        return Err(throw(
            ctx,
            format!(
                "max_size {n} is more than a blob can hold ({})",
                size(limit)
            ),
        ));
    }
    let (bytes, more) = on_stdin(ctx, move |stdin| {
        let mut buf = Vec::new();
        stdin
            .by_ref()
            .take(wanted.unwrap_or(limit) as u64)
            .read_to_end(&mut buf)?;
        let more = wanted.is_none() && !stdin.fill_buf()?.is_empty();
        Ok((buf, more))
    })?;
    if more {
        return Err(throw(
            ctx,
            format!(
                "the input is longer than a blob can hold ({}); read it in parts with \
                 read_stdin(max_size)",
                size(limit)
            ),
        ));
    }
    Ok(bytes)
}

fn read_stdin_line(ctx: &NativeCallContext) -> RhaiResultOf<Dynamic> {
    let limit = string_limit(ctx);
    let line = on_stdin(ctx, move |stdin| {
        let mut buf = Vec::new();
        let n = stdin
            .by_ref()
            .take((limit as u64).saturating_add(2))
            .read_until(b'\n', &mut buf)?;
        Ok((n > 0).then_some(buf))
    })?;
    let Some(mut line) = line else {
        return Ok(Dynamic::UNIT);
    };
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    fits_string(ctx, line.len(), "the line")?;
    let text = String::from_utf8_lossy(&line).into_owned();
    fits_string(ctx, text.len(), "the line")?;
    Ok(text.into())
}

fn eprint(ctx: &NativeCallContext, v: &Dynamic) {
    let text = match v.read_lock::<ImmutableString>() {
        Some(s) => s.to_string(),
        None => ctx
            .call_native_fn::<ImmutableString>("to_string", (v.clone(),))
            .map_or_else(|_| v.to_string(), |s| s.to_string()),
    };
    // A closed stderr is ignored: there is no one left to tell.
    let mut err = io::stderr().lock();
    let _ = err
        .write_all(text.as_bytes())
        .and_then(|_| err.write_all(b"\n"));
}

pub(super) fn register(engine: &mut Engine) {
    reg(
        "read_file",
        &["path: string", "Blob"],
        "/// The bytes of the file at `path`.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, p: ImmutableString| {
        read_bytes(&ctx, &p, blob_limit(&ctx))
    });
    reg(
        "read_text",
        &["path: string", "string"],
        "/// The text of the file at `path`, in UTF-8.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, p: ImmutableString| {
        read_text(&ctx, &p, &Dynamic::UNIT)
    });
    reg(
        "read_text",
        &["path: string", "encoding: string", "string"],
        "/// The text of the file at `path`, in `encoding` (any label `ReadLine` takes).",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, p: ImmutableString, e: Dynamic| read_text(&ctx, &p, &e),
    );
    reg(
        "write_file",
        &["path: string", "data: ?", "()"],
        "/// Replaces the file at `path` with `data` (a blob, or a string as UTF-8).",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, p: ImmutableString, d: Dynamic| write(&ctx, &p, &d, false),
    );
    reg(
        "append_file",
        &["path: string", "data: ?", "()"],
        "/// Adds `data` (a blob, or a string as UTF-8) at the end of the file, creating it.",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, p: ImmutableString, d: Dynamic| write(&ctx, &p, &d, true),
    );
    reg(
        "write_stdout",
        &["data: ?", "()"],
        "/// Writes `data` (a blob, or a string as UTF-8) to stdout as is, no newline, and flushes.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, d: Dynamic| write_stdout(&ctx, &d));
    reg("read_stdin", &["Blob"], "/// Stdin to its end, as bytes.")
        .register_into_engine(engine, |ctx: NativeCallContext| {
            read_stdin(&ctx, &Dynamic::UNIT)
        });
    reg(
        "read_stdin",
        &["max_size: int", "Blob"],
        "/// Up to `max_size` bytes of stdin (fewer only at its end; 0 = to the end).",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, n: Dynamic| {
        read_stdin(&ctx, &n)
    });
    reg(
        "read_stdin_line",
        &["Dynamic"],
        "/// The next line of stdin without its `\\n` (or `\\r\\n`), or `()` at the end of input.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext| read_stdin_line(&ctx));
    reg(
        "eprint",
        &["text: ?", "()"],
        "/// Prints `text` and a newline to stderr.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, v: Dynamic| {
        eprint(&ctx, &v)
    });
}
