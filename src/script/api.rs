//! What each `OPI_TCP` client function does, under idiomatic names. `opi_tcp` only registers
//! these under OPI's English and Russian names; argument conversion lives in `convert`.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use rhai::{Blob, Dynamic, ImmutableString, Map, NativeCallContext};

use super::client::TcpClient;
use super::convert::{self, RhaiResult, error_map, interrupted, throw};
use super::encoding::Codec;
use crate::net::{self, ConnectOptions, ReadLimit, Target};

/// OPI's default send / read deadline.
pub const DEFAULT_IO_TIMEOUT_MS: u64 = 5000;
/// `ProcessRequest` reads up to this marker.
const REQUEST_MARKER: &[u8] = b"\n";

/// Per-engine settings that scripts change with helper functions (carried as the engine's tag).
#[derive(Clone, Debug)]
pub struct Session {
    connect_timeout: Rc<Cell<Duration>>,
}

impl Default for Session {
    fn default() -> Self {
        Session::new(net::DEFAULT_CONNECT_TIMEOUT)
    }
}

impl Session {
    pub fn new(connect_timeout: Duration) -> Self {
        Session {
            connect_timeout: Rc::new(Cell::new(connect_timeout)),
        }
    }

    pub fn of(ctx: &NativeCallContext) -> Session {
        ctx.tag()
            .and_then(|t| t.read_lock::<Session>().map(|s| s.clone()))
            .unwrap_or_default()
    }

    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout.get()
    }

    pub fn set_connect_timeout(&self, d: Duration) {
        self.connect_timeout.set(d);
    }
}

/// The largest read result the engine can hold as a blob and as a string.
fn read_cap(ctx: &NativeCallContext) -> usize {
    let e = ctx.engine();
    [e.max_array_size(), e.max_string_size()]
        .into_iter()
        .filter(|&n| n > 0)
        .min()
        .unwrap_or(usize::MAX)
}

/// Parses the address and the settings; a failure is the error map, not a throw.
fn connect_plan(
    ctx: &NativeCallContext,
    address: &str,
    tls: &Dynamic,
    proxy: &Dynamic,
) -> Result<(Target, ConnectOptions), net::Error> {
    let target = Target::parse(address)?;
    let with_target = |mut e: net::Error| {
        e.target = target.to_string();
        e
    };
    let tls = convert::tls_options(tls).map_err(with_target)?;
    let proxy = convert::proxy_config(proxy).map_err(with_target)?;
    Ok((
        target.clone(),
        ConnectOptions {
            timeout: Session::of(ctx).connect_timeout(),
            tls,
            proxy,
        },
    ))
}

fn open(
    ctx: &NativeCallContext,
    address: &str,
    tls: &Dynamic,
    proxy: &Dynamic,
    logging: &Dynamic,
) -> RhaiResult<Result<TcpClient, Map>> {
    let plan = connect_plan(ctx, address, tls, proxy)
        .and_then(|plan| Ok((plan, super::logging::open(logging)?)));
    let ((target, opts), log) = match plan {
        Ok(plan) => plan,
        Err(e) => return Ok(Err(error_map(&e))),
    };
    match TcpClient::open(&target, &opts, log) {
        Err(_) => Err(interrupted(ctx.call_position())),
        Ok(Ok(client)) => Ok(Ok(client)),
        Ok(Err(e)) => Ok(Err(error_map(&e))),
    }
}

pub fn create_connection(
    ctx: &NativeCallContext,
    address: &str,
    tls: &Dynamic,
    proxy: &Dynamic,
    logging: &Dynamic,
) -> RhaiResult<Dynamic> {
    Ok(match open(ctx, address, tls, proxy, logging)? {
        Ok(client) => Dynamic::from(client),
        Err(map) => map.into(),
    })
}

pub fn close_connection(ctx: &NativeCallContext, client: &TcpClient) -> RhaiResult<bool> {
    client
        .close()
        .map_err(|_| interrupted(ctx.call_position()))?;
    Ok(true)
}

pub fn send_binary_data(
    ctx: &NativeCallContext,
    client: &TcpClient,
    data: &Dynamic,
    timeout: &Dynamic,
) -> RhaiResult<bool> {
    let bytes = convert::data(ctx, data)?;
    let timeout = convert::timeout(ctx, timeout, DEFAULT_IO_TIMEOUT_MS)?;
    client
        .send(&bytes, timeout)
        .map_err(|_| interrupted(ctx.call_position()))
}

pub fn send_line(
    ctx: &NativeCallContext,
    client: &TcpClient,
    text: &Dynamic,
    encoding: &Dynamic,
    timeout: &Dynamic,
) -> RhaiResult<bool> {
    let codec = convert::encoding(ctx, encoding)?;
    let timeout = convert::timeout(ctx, timeout, DEFAULT_IO_TIMEOUT_MS)?;
    let Some(text) = text.read_lock::<ImmutableString>().map(|s| s.clone()) else {
        return Err(throw(
            ctx,
            format!("the text must be a string, not {}", text.type_name()),
        ));
    };
    client
        .send(&codec.encode(&text), timeout)
        .map_err(|_| interrupted(ctx.call_position()))
}

pub fn read_binary_data(
    ctx: &NativeCallContext,
    client: &TcpClient,
    max_size: &Dynamic,
    marker: &Dynamic,
    timeout: &Dynamic,
) -> RhaiResult<Blob> {
    let limit = ReadLimit {
        max: convert::max_size(ctx, max_size)?,
        marker: convert::marker(ctx, marker, Codec::UTF8)?,
        timeout: convert::timeout(ctx, timeout, DEFAULT_IO_TIMEOUT_MS)?,
        cap: read_cap(ctx),
    };
    client
        .read(&limit)
        .map_err(|_| interrupted(ctx.call_position()))
}

pub fn read_line(
    ctx: &NativeCallContext,
    client: &TcpClient,
    encoding: &Dynamic,
    marker: &Dynamic,
    timeout: &Dynamic,
) -> RhaiResult<ImmutableString> {
    let codec = convert::encoding(ctx, encoding)?;
    let limit = ReadLimit {
        max: None,
        marker: convert::marker(ctx, marker, codec)?,
        timeout: convert::timeout(ctx, timeout, DEFAULT_IO_TIMEOUT_MS)?,
        cap: read_cap(ctx),
    };
    let bytes = client
        .read(&limit)
        .map_err(|_| interrupted(ctx.call_position()))?;
    Ok(codec.decode(&bytes).into())
}

pub fn finish_sending(ctx: &NativeCallContext, client: &TcpClient) -> RhaiResult<bool> {
    client
        .finish_sending()
        .map_err(|_| interrupted(ctx.call_position()))
}

pub fn get_last_error(client: &TcpClient) -> Dynamic {
    client
        .last_error()
        .map_or(Dynamic::UNIT, |e| error_map(&e).into())
}

/// Connect, send `data`, read up to the first `"\n"` (5 s), close. The response wins over an
/// error that came after some of it; with nothing received, a failure is the error map.
pub fn process_request(
    ctx: &NativeCallContext,
    address: &str,
    data: &Dynamic,
    response_string: &Dynamic,
    tls: &Dynamic,
    proxy: &Dynamic,
) -> RhaiResult<Dynamic> {
    let bytes = convert::data(ctx, data)?;
    let as_string = convert::flag(ctx, response_string, "response_string", true)?;
    let client = match open(ctx, address, tls, proxy, &Dynamic::UNIT)? {
        Ok(c) => c,
        Err(map) => return Ok(map.into()),
    };
    let pos = ctx.call_position();
    let timeout = Some(Duration::from_millis(DEFAULT_IO_TIMEOUT_MS));
    let result = (|| {
        if !client.send(&bytes, timeout)? {
            return Ok(None);
        }
        let limit = ReadLimit {
            max: None,
            marker: Some(REQUEST_MARKER.to_vec()),
            timeout,
            cap: read_cap(ctx),
        };
        let response = client.read(&limit)?;
        Ok(Some(response))
    })();
    let response = result.map_err(|_: net::runtime::Interrupted| interrupted(pos))?;
    client.close().map_err(|_| interrupted(pos))?;
    match (response, client.last_error()) {
        (Some(r), Some(e)) if r.is_empty() => Ok(error_map(&e).into()),
        (None, Some(e)) => Ok(error_map(&e).into()),
        (Some(r), _) if as_string => Ok(Codec::UTF8.decode(&r).into()),
        (Some(r), _) => Ok(Dynamic::from_blob(r)),
        (None, None) => Ok(Dynamic::UNIT),
    }
}

pub fn get_tls_settings(
    ctx: &NativeCallContext,
    disable_cert_verification: &Dynamic,
    ca_cert_path: &Dynamic,
) -> RhaiResult<Map> {
    let insecure = convert::flag(
        ctx,
        disable_cert_verification,
        "disable_cert_verification",
        false,
    )?;
    let path = convert::opt_string(ctx, ca_cert_path, "ca_cert_path")?.unwrap_or_default();
    Ok(convert::tls_settings_map(insecure, &path))
}

pub fn get_proxy_settings(
    ctx: &NativeCallContext,
    address: &str,
    port: &Dynamic,
    kind: &Dynamic,
    login: &Dynamic,
    password: &Dynamic,
) -> RhaiResult<Map> {
    let port = convert::proxy_port(port).map_err(|e| throw(ctx, e.detail))?;
    let kind = convert::opt_string(ctx, kind, "the proxy type")?.unwrap_or_else(|| "socks5".into());
    kind.parse::<net::ProxyKind>().map_err(|e| throw(ctx, e))?;
    Ok(convert::proxy_settings_map(
        address,
        i64::from(port),
        &kind,
        convert::opt_string(ctx, login, "the login")?,
        convert::opt_string(ctx, password, "the password")?,
    ))
}

pub fn is_client_object(value: &Dynamic) -> bool {
    value.is::<TcpClient>()
}

pub fn set_connect_timeout(ctx: &NativeCallContext, ms: i64) -> RhaiResult<()> {
    if ms <= 0 {
        return Err(throw(
            ctx,
            format!("the connect timeout must be positive milliseconds, not {ms}"),
        ));
    }
    Session::of(ctx).set_connect_timeout(Duration::from_millis(ms as u64));
    Ok(())
}

pub fn sleep(ctx: &NativeCallContext, ms: i64) -> RhaiResult<()> {
    if ms < 0 {
        return Err(throw(
            ctx,
            format!("cannot sleep a negative time ({ms} ms)"),
        ));
    }
    // The timer must be made inside the runtime: build it in the async block.
    let d = Duration::from_millis(ms as u64);
    net::runtime::block_on(async move { tokio::time::sleep(d).await })
        .map_err(|_| interrupted(ctx.call_position()))
}
