//! The bodies of the conversation additions (Expect, SendAfter, SendLineAfter, ReadAvailable,
//! ReadUntilQuiet), the `Regex` pattern type made by `regex("…")`, and a connection's stream
//! properties (`last_read`, `eof`, `buffered`, `open`); `opi_tcp` registers the functions.

use std::fmt;
use std::time::Duration;

use rhai::{
    Array, Blob, Dynamic, Engine, FuncRegistration, ImmutableString, Map, NativeCallContext,
};

use super::args::{self, RhaiResultOf, interrupted, throw};
use super::defaults::IO_TIMEOUT_MS;
use super::encoding::Codec;
use super::expect_map::{expect_map, no_match, too_large};
use super::outcome::error_map;
use super::tcp_client::TcpClient;
use super::tcp_server::TcpServer;
use crate::net::{DEFAULT_MAX_SPAN, Match, Matcher, Pattern, block_on};

/// What `ReadAvailable` returns at most when no size is given (pwntools' `recv` default is 4096;
/// one loopback segment is up to 64 KiB).
const AVAILABLE_MAX: i64 = 65536;
/// How long `ReadUntilQuiet` waits for silence when no time is given (pwntools' `recvrepeat`).
const QUIET_MS: i64 = 200;

/// A compiled byte regex as scripts hold it: `let r = regex("\\d+");`.
#[derive(Clone)]
pub struct Regex(Pattern);

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "regex({:?})", self.0.source())
    }
}

/// Registers `regex(…)`, the `Regex` type and the stream properties of a `TcpClient`.
pub(crate) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Regex>("Regex");
    engine.register_fn("to_string", |r: &mut Regex| format!("{r:?}"));
    engine.register_fn("to_debug", |r: &mut Regex| format!("{r:?}"));
    // With parameter names and a line each, so that `opi-tcp functions` lists them.
    property("source", "r: &mut Regex", "string", "the regex's text")
        .register_into_engine(engine, |r: &mut Regex| r.0.source());
    property(
        "last_read",
        "conn: &mut TcpClient",
        "Dynamic",
        "why the last read stopped",
    )
    .register_into_engine(engine, |c: &mut TcpClient| {
        c.last_read().map_or(Dynamic::UNIT, |e| e.as_str().into())
    });
    property(
        "eof",
        "conn: &mut TcpClient",
        "bool",
        "the peer closed and nothing is buffered",
    )
    .register_into_engine(engine, |c: &mut TcpClient| c.at_eof());
    property(
        "buffered",
        "conn: &mut TcpClient",
        "i64",
        "bytes received and not read yet",
    )
    .register_into_engine(engine, |c: &mut TcpClient| c.buffered() as i64);
    property(
        "open",
        "conn: &mut TcpClient",
        "bool",
        "CloseConnection has not been called",
    )
    .register_into_engine(engine, |c: &mut TcpClient| c.is_open());
    FuncRegistration::new("regex")
        .with_params_info(["source: &str", "Regex"])
        .with_comments([
            "/// A byte regex pattern for Expect (`regex` crate syntax); a bad one throws.",
        ])
        .register_into_engine(engine, |ctx: NativeCallContext, source: &str| {
            regex(&ctx, source, DEFAULT_SPAN)
        });
    FuncRegistration::new("regex")
        .with_params_info(["source: &str", "max_span: int", "Regex"])
        .with_comments([
            "/// A byte regex whose matches span at most `max_span` bytes (default 4096): a \
             longer match that began before the last search can be missed.",
        ])
        .register_into_engine(
            engine,
            |ctx: NativeCallContext, source: &str, max_span: i64| regex(&ctx, source, max_span),
        );
}

/// A property getter, registered with what `opi-tcp functions` shows of it.
pub(crate) fn property(name: &str, object: &str, ty: &str, doc: &str) -> FuncRegistration {
    FuncRegistration::new(format!("get${name}"))
        .with_params_info([object, ty])
        .with_comments([format!("/// {doc}")])
}

/// `regex(source [, max_span])`: a bad regex throws with regex's own message, which shows the
/// position.
pub(crate) fn regex(ctx: &NativeCallContext, source: &str, max_span: i64) -> RhaiResultOf<Regex> {
    if max_span <= 0 {
        return Err(throw(
            ctx,
            format!("max_span must be a positive number of bytes, not {max_span}"),
        ));
    }
    let span = usize::try_from(max_span).unwrap_or(usize::MAX);
    Pattern::regex_with_span(source, span)
        .map(Regex)
        .map_err(|e| throw(ctx, format!("bad regex: {e}")))
}

pub(crate) const DEFAULT_SPAN: i64 = DEFAULT_MAX_SPAN as i64;

/// A wait in milliseconds for the additions: `()` takes the default, 0 looks once without
/// waiting; there is no "wait for ever".
pub(crate) fn wait(
    ctx: &NativeCallContext,
    v: &Dynamic,
    what: &str,
    default: i64,
) -> RhaiResultOf<Duration> {
    let ms = args::int(ctx, v, what, default)?;
    if ms < 0 {
        return Err(throw(
            ctx,
            format!("{what} must be 0 (do not wait) or positive milliseconds, not {ms}"),
        ));
    }
    Ok(Duration::from_millis(ms as u64))
}

/// A size in bytes: `()` takes the default, 0 is the largest a read may return.
fn size(ctx: &NativeCallContext, v: &Dynamic, what: &str, default: i64) -> RhaiResultOf<usize> {
    let n = args::int(ctx, v, what, default)?;
    match n {
        0 => Ok(args::read_cap(ctx)),
        n if n > 0 => Ok(usize::try_from(n)
            .unwrap_or(usize::MAX)
            .min(args::read_cap(ctx))),
        n => Err(throw(
            ctx,
            format!("{what} must be 0 (the largest) or positive, not {n}"),
        )),
    }
}

/// One pattern or an array of them: strings (in `codec`), blobs, `regex(…)`s.
fn patterns(ctx: &NativeCallContext, v: &Dynamic, codec: Codec) -> RhaiResultOf<Vec<Pattern>> {
    let one = |p: &Dynamic| -> RhaiResultOf<Pattern> {
        let literal = if let Some(s) = p.read_lock::<ImmutableString>() {
            codec.encode(&s)
        } else if p.is_blob() {
            p.clone().into_blob().unwrap_or_default()
        } else if let Some(r) = p.read_lock::<Regex>() {
            return Ok(r.0.clone());
        } else {
            return Err(throw(
                ctx,
                format!(
                    "a pattern must be a string, a blob or regex(\"…\"), not {}",
                    args::type_name(ctx, p)
                ),
            ));
        };
        Pattern::literal(&literal)
            .ok_or_else(|| throw(ctx, "an empty pattern would match anywhere; give some text"))
    };
    if let Some(list) = v.read_lock::<Array>() {
        if list.is_empty() {
            return Err(throw(ctx, "the list of patterns is empty"));
        }
        return list.iter().map(one).collect();
    }
    Ok(vec![one(v)?])
}

/// `Expect(conn, patterns [, timeout_ms [, encoding]])`.
pub(crate) fn expect(
    ctx: &NativeCallContext,
    client: &TcpClient,
    pats: &Dynamic,
    timeout: &Dynamic,
    encoding: &Dynamic,
) -> RhaiResultOf<Map> {
    let codec = args::encoding(ctx, encoding)?;
    let mut matcher = Matcher::new(patterns(ctx, pats, codec)?).in_units(codec.units());
    let timeout = wait(ctx, timeout, "timeout_ms", IO_TIMEOUT_MS as i64)?;
    let expected = client
        .expect(&mut matcher, timeout, args::read_cap(ctx))
        .map_err(|_| interrupted(ctx))?;
    Ok(expect_map(ctx, Some(client), &matcher, expected, codec))
}

/// `SendAfter` / `SendLineAfter`: Expect, then send `bytes` only on a match; the Expect map
/// with `sent` (whether every byte went out).
pub(crate) fn send_after(
    ctx: &NativeCallContext,
    client: &TcpClient,
    pats: &Dynamic,
    bytes: &[u8],
    timeout: &Dynamic,
    codec: Codec,
) -> RhaiResultOf<Map> {
    let mut matcher = Matcher::new(patterns(ctx, pats, codec)?).in_units(codec.units());
    let timeout = wait(ctx, timeout, "timeout_ms", IO_TIMEOUT_MS as i64)?;
    let expected = client
        .expect(&mut matcher, timeout, args::read_cap(ctx))
        .map_err(|_| interrupted(ctx))?;
    let mut map = expect_map(ctx, Some(client), &matcher, expected, codec);
    let matched = map.get("index").and_then(|i| i.as_int().ok()).unwrap_or(-1) >= 0;
    let sent = matched
        && client
            .send(bytes, Some(Duration::from_millis(IO_TIMEOUT_MS)))
            .map_err(|_| interrupted(ctx))?;
    map.insert("sent".into(), sent.into());
    Ok(map)
}

pub(crate) fn send_after_data(
    ctx: &NativeCallContext,
    client: &TcpClient,
    pats: &Dynamic,
    data: &Dynamic,
    timeout: &Dynamic,
) -> RhaiResultOf<Map> {
    let bytes = args::data(ctx, data.clone())?;
    send_after(ctx, client, pats, &bytes, timeout, Codec::UTF8)
}

pub(crate) fn send_line_after(
    ctx: &NativeCallContext,
    client: &TcpClient,
    pats: &Dynamic,
    text: &str,
    timeout: &Dynamic,
    encoding: &Dynamic,
) -> RhaiResultOf<Map> {
    let codec = args::encoding(ctx, encoding)?;
    send_after(ctx, client, pats, &codec.encode(text), timeout, codec)
}

/// `ReadAvailable(conn [, max_size [, timeout_ms]])`.
pub(crate) fn read_available(
    ctx: &NativeCallContext,
    client: &TcpClient,
    max_size: &Dynamic,
    timeout: &Dynamic,
) -> RhaiResultOf<Blob> {
    let max = size(ctx, max_size, "max_size", AVAILABLE_MAX)?;
    let timeout = wait(ctx, timeout, "timeout_ms", IO_TIMEOUT_MS as i64)?;
    client
        .read_available(max, timeout)
        .map_err(|_| interrupted(ctx))
}

/// `ReadUntilQuiet(conn [, quiet_ms [, timeout_ms [, max_size]]])`.
pub(crate) fn read_until_quiet(
    ctx: &NativeCallContext,
    client: &TcpClient,
    quiet: &Dynamic,
    timeout: &Dynamic,
    max_size: &Dynamic,
) -> RhaiResultOf<Blob> {
    let quiet = wait(ctx, quiet, "quiet_ms", QUIET_MS)?;
    let timeout = wait(ctx, timeout, "timeout_ms", IO_TIMEOUT_MS as i64)?;
    let max = size(ctx, max_size, "max_size", 0)?;
    client
        .read_until_quiet(quiet, timeout, max)
        .map_err(|_| interrupted(ctx))
}

/// `ExpectConnection(server, id, patterns [, timeout_ms [, encoding]])`: Expect on one accepted
/// connection; the Expect map with `connectionId`, or with a server error's `error` and `kind`.
pub(crate) fn expect_connection(
    ctx: &NativeCallContext,
    srv: &TcpServer,
    id: &Dynamic,
    pats: &Dynamic,
    timeout: &Dynamic,
    encoding: &Dynamic,
) -> RhaiResultOf<Map> {
    let id = super::server::conn_id(id);
    let codec = args::encoding(ctx, encoding)?;
    let mut matcher = Matcher::new(patterns(ctx, pats, codec)?).in_units(codec.units());
    let timeout = wait(ctx, timeout, "timeout_ms", IO_TIMEOUT_MS as i64)?;
    let cap = args::read_cap(ctx);
    let string_cap = args::string_cap(ctx);
    // A server's bytes cannot be put back once taken: whether the texts fit is asked first.
    let too_large = |p: &Pattern, m: &Match, data: &[u8]| too_large(string_cap, p, m, data, codec);
    let got = block_on(
        srv.server()
            .expect_connection(id, &mut matcher, timeout, cap, &too_large),
    )
    .map_err(|_| interrupted(ctx))?;
    let mut map = match got {
        Ok(expected) => expect_map(ctx, None, &matcher, expected, codec),
        Err(e) => {
            let mut map = no_match("error", String::new());
            map.extend(error_map(&e));
            map
        }
    };
    map.insert("connectionId".into(), (id as i64).into());
    Ok(map)
}

/// `SetTrace(conn, on [, file])`: trace this connection's traffic to `file` (appended), or to the
/// command line's `--trace` destination, or to stderr; `false` stops it.
pub(crate) fn set_trace(
    ctx: &NativeCallContext,
    client: &TcpClient,
    on: &Dynamic,
    file: &Dynamic,
) -> RhaiResultOf<bool> {
    let on = args::flag(ctx, on, "on", true)?;
    if !on {
        client.set_trace(None);
        return Ok(true);
    }
    let file = args::opt_string(ctx, file, "file")?;
    let trace = match (&file, crate::net::global_trace()) {
        (None, Some(t)) => t,
        _ => crate::net::Trace::open(crate::net::TraceConfig {
            file: file.as_ref().map(|f| f.into()),
            ..Default::default()
        })
        .map_err(|e| throw(ctx, format!("cannot open the trace file {file:?}: {e}")))?,
    };
    client.set_trace(Some(trace));
    Ok(true)
}
