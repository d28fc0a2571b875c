//! The bodies of the `OPI_TCP` client functions (CreateConnection … ProcessRequest,
//! FinishSending) under idiomatic names; `opi_tcp` registers them under OPI's names.

use std::time::Duration;

use rhai::{Blob, Dynamic, ImmutableString, Map, NativeCallContext};

use super::args::{self, RhaiResultOf, interrupted, throw};
use super::defaults::{IO_TIMEOUT_MS, REQUEST_MARKER};
use super::encoding::Codec;
use super::outcome::error_map;
use super::session::Session;
use super::settings;
use super::tcp_client::TcpClient;
use crate::net::{
    self, CharUnits, ConnectOptions, ErrorKind, Interrupted, Phase, ReadLimit, Target,
};

/// The settings a connect takes after its address: TLS, proxy, and the options (an addition:
/// `timeout_ms` or `#{timeout_ms, family}`).
pub(crate) struct Settings<'a> {
    pub(crate) tls: &'a Dynamic,
    pub(crate) proxy: &'a Dynamic,
    pub(crate) options: &'a Dynamic,
}

impl<'a> Settings<'a> {
    pub(crate) fn of(tls: &'a Dynamic, proxy: &'a Dynamic, options: &'a Dynamic) -> Self {
        Settings {
            tls,
            proxy,
            options,
        }
    }
}

/// Parses the address and the settings; a failure is the error map, not a throw.
pub(crate) fn connect_plan(
    ctx: &NativeCallContext,
    address: &str,
    with: &Settings,
) -> Result<(Target, ConnectOptions), net::Error> {
    let target = Target::parse(address)?;
    let peer = target.to_string();
    let tls = settings::tls_options(with.tls, &peer)?;
    let proxy = settings::proxy_config(with.proxy, &peer)?;
    let (timeout, family) = settings::connect_options(with.options, &peer)?;
    Ok((
        target.clone(),
        ConnectOptions {
            timeout: timeout.unwrap_or_else(|| Session::of(ctx).connect_timeout()),
            tls,
            proxy,
            family,
        },
    ))
}

/// A positional `timeout_ms` that is not positive is a programming error, as every timeout
/// argument's is; inside the options map it is a setting, and its error a value.
pub(crate) fn check_timeout_arg(ctx: &NativeCallContext, options: &Dynamic) -> RhaiResultOf<()> {
    match options.as_int() {
        Ok(ms) if ms <= 0 => Err(throw(
            ctx,
            format!("the connect timeout must be positive milliseconds, not {ms}"),
        )),
        _ => Ok(()),
    }
}

fn open(
    ctx: &NativeCallContext,
    address: &str,
    with: &Settings,
    logging: &Dynamic,
) -> RhaiResultOf<Result<TcpClient, Map>> {
    check_timeout_arg(ctx, with.options)?;
    let plan = connect_plan(ctx, address, with)
        .and_then(|plan| Ok((plan, super::logging::open(logging)?)));
    let ((target, opts), log) = match plan {
        Ok(plan) => plan,
        Err(e) => return Ok(Err(error_map(&e))),
    };
    match TcpClient::open(&target, &opts, log) {
        Err(_) => Err(interrupted(ctx)),
        Ok(Ok(client)) => Ok(Ok(client)),
        Ok(Err(e)) => Ok(Err(error_map(&e))),
    }
}

pub(crate) fn create_connection(
    ctx: &NativeCallContext,
    address: &str,
    with: &Settings,
    logging: &Dynamic,
) -> RhaiResultOf<Dynamic> {
    Ok(match open(ctx, address, with, logging)? {
        Ok(client) => Dynamic::from(client),
        Err(map) => map.into(),
    })
}

pub(crate) fn close_connection(ctx: &NativeCallContext, client: &TcpClient) -> RhaiResultOf<bool> {
    client.close().map_err(|_| interrupted(ctx))?;
    Ok(true)
}

pub(crate) fn send_binary_data(
    ctx: &NativeCallContext,
    client: &TcpClient,
    data: Dynamic,
    timeout: &Dynamic,
) -> RhaiResultOf<bool> {
    let bytes = args::opi_data(ctx, data)?;
    let timeout = args::timeout(ctx, timeout, IO_TIMEOUT_MS)?;
    client.send(&bytes, timeout).map_err(|_| interrupted(ctx))
}

pub(crate) fn send_line(
    ctx: &NativeCallContext,
    client: &TcpClient,
    text: &Dynamic,
    encoding: &Dynamic,
    timeout: &Dynamic,
) -> RhaiResultOf<bool> {
    let codec = args::encoding(ctx, encoding)?;
    let timeout = args::timeout(ctx, timeout, IO_TIMEOUT_MS)?;
    // OPI's GetLine: numbers and booleans as their text, blobs as UTF-8, maps and arrays as JSON.
    let Some(text) = super::convert::data_text(text) else {
        return Err(throw(
            ctx,
            format!(
                "the text must be a string, not {}",
                args::type_name(ctx, text)
            ),
        ));
    };
    client
        .send(&codec.encode(&text), timeout)
        .map_err(|_| interrupted(ctx))
}

pub(crate) fn read_binary_data(
    ctx: &NativeCallContext,
    client: &TcpClient,
    max_size: &Dynamic,
    marker: &Dynamic,
    timeout: &Dynamic,
) -> RhaiResultOf<Blob> {
    let limit = ReadLimit {
        max: args::max_size(ctx, max_size)?,
        marker: args::marker(ctx, marker, Codec::UTF8)?,
        timeout: args::timeout(ctx, timeout, IO_TIMEOUT_MS)?,
        cap: args::read_cap(ctx),
        units: CharUnits::Bytes,
    };
    client.read(&limit).map_err(|_| interrupted(ctx))
}

pub(crate) fn read_line(
    ctx: &NativeCallContext,
    client: &TcpClient,
    encoding: &Dynamic,
    marker: &Dynamic,
    timeout: &Dynamic,
) -> RhaiResultOf<ImmutableString> {
    let codec = args::encoding(ctx, encoding)?;
    let limit = ReadLimit {
        max: None,
        marker: args::marker(ctx, marker, codec)?,
        timeout: args::timeout(ctx, timeout, IO_TIMEOUT_MS)?,
        cap: args::read_cap(ctx),
        units: codec.units(),
    };
    let bytes = client.read(&limit).map_err(|_| interrupted(ctx))?;
    // Decoded before anything is given up: text that would outgrow a string is cut where it
    // fits and the rest goes back to the buffer, never lost to Rhai's (uncatchable) size error.
    let read = bytes.len();
    let (text, rest) = codec.decode_within(bytes, args::string_cap(ctx));
    if !rest.is_empty() {
        let why = too_long(read - rest.len(), read, args::string_cap(ctx));
        client.unread(&rest, why);
    }
    Ok(text.into())
}

fn too_long(used: usize, read: usize, cap: usize) -> String {
    format!(
        "the text of {read} bytes is longer than a string can hold ({} MiB) once decoded; the \
         first {used} bytes were returned and the rest stays buffered (read a blob with \
         ReadBinaryData to take it whole)",
        cap >> 20
    )
}

pub(crate) fn finish_sending(ctx: &NativeCallContext, client: &TcpClient) -> RhaiResultOf<bool> {
    client.finish_sending().map_err(|_| interrupted(ctx))
}

pub(crate) fn get_last_error(client: &TcpClient) -> Dynamic {
    client
        .last_error()
        .map_or(Dynamic::UNIT, |e| error_map(&e).into())
}

/// Connect, send `data`, read up to the first `"\n"` (5 s), close. The response wins over an
/// error that came after some of it; with nothing received, a failure is the error map.
pub(crate) fn process_request(
    ctx: &NativeCallContext,
    address: &str,
    data: &Dynamic,
    response_string: &Dynamic,
    tls: &Dynamic,
    proxy: &Dynamic,
) -> RhaiResultOf<Dynamic> {
    let bytes = args::opi_data(ctx, data.clone())?;
    let as_string = args::flag(ctx, response_string, "response_string", true)?;
    let with = Settings {
        tls,
        proxy,
        options: &Dynamic::UNIT,
    };
    let client = match open(ctx, address, &with, &Dynamic::UNIT)? {
        Ok(c) => c,
        Err(map) => return Ok(map.into()),
    };
    let timeout = Some(Duration::from_millis(IO_TIMEOUT_MS));
    let result = (|| {
        if !client.send(&bytes, timeout)? {
            return Ok(None);
        }
        let limit = ReadLimit {
            max: None,
            marker: Some(REQUEST_MARKER.to_vec()),
            timeout,
            cap: args::read_cap(ctx),
            units: CharUnits::Bytes,
        };
        let response = client.read(&limit)?;
        Ok(Some(response))
    })();
    let response = result.map_err(|_: Interrupted| interrupted(ctx))?;
    client.close().map_err(|_| interrupted(ctx))?;
    match (response, client.last_error()) {
        (Some(r), Some(e)) if r.is_empty() => Ok(error_map(&e).into()),
        (None, Some(e)) => Ok(error_map(&e).into()),
        (Some(r), _) if as_string => {
            let read = r.len();
            let (text, rest) = Codec::UTF8.decode_within(r, args::string_cap(ctx));
            if !rest.is_empty() {
                // The connection is closed: a cut answer would lose the rest without a word.
                let e = net::Error::new(
                    ErrorKind::Io,
                    Phase::Read,
                    address,
                    format!(
                        "the answer of {read} bytes is longer than a string can hold ({} MiB) \
                         once decoded; ask for a blob (response_string = false)",
                        args::string_cap(ctx) >> 20
                    ),
                );
                return Ok(error_map(&e).into());
            }
            Ok(text.into())
        }
        (Some(r), _) => Ok(Dynamic::from_blob(r)),
        (None, None) => Ok(Dynamic::UNIT),
    }
}

pub(crate) fn is_client_object(value: &Dynamic) -> bool {
    value.is::<TcpClient>()
}
