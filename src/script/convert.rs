//! Value conversion between Rhai and `net`: the error map (the only place a `net::Error`
//! becomes script data), the settings maps of `GetTlsSettings` / `GetProxySettings` and their
//! validation, and the argument checks that turn a programming error into a thrown Rhai error
//! with the call position.
//!
//! Optional parameters accept `()` as "use the default", so BSL calls with skipped arguments
//! (`ReadLine(conn, , Chars.LF)`) port as `ReadLine(conn, (), "\n")`.

use std::path::PathBuf;
use std::time::Duration;

use rhai::{Dynamic, EvalAltResult, ImmutableString, Map, NativeCallContext, Position};

use super::encoding::Codec;
use crate::net::{self, ErrorKind, Phase, ProxyConfig, ProxyKind, TlsOptions};

pub type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// OPI's failure map, plus our `kind`: `#{result: false, error: "…", kind: "…"}`.
pub fn error_map(e: &net::Error) -> Map {
    let mut m = Map::new();
    m.insert("result".into(), false.into());
    m.insert("error".into(), e.to_string().into());
    m.insert("kind".into(), e.kind.as_str().into());
    m
}

/// A thrown runtime error at the call site, prefixed with the function's name.
pub fn throw(ctx: &NativeCallContext, msg: impl AsRef<str>) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(
        format!("{}: {}", ctx.fn_name(), msg.as_ref()).into(),
        ctx.call_position(),
    )
    .into()
}

/// Ctrl-C during a blocking call: stop the script (not catchable by `try`).
pub fn interrupted(pos: Position) -> Box<EvalAltResult> {
    EvalAltResult::ErrorTerminated("interrupted".into(), pos).into()
}

fn type_name(v: &Dynamic) -> &str {
    v.type_name()
}

/// A timeout in milliseconds; `()` takes `default_ms`; `0` means no limit.
pub fn timeout(
    ctx: &NativeCallContext,
    v: &Dynamic,
    default_ms: u64,
) -> RhaiResult<Option<Duration>> {
    let ms = if v.is_unit() {
        default_ms as i64
    } else if let Ok(n) = v.as_int() {
        n
    } else {
        return Err(throw(
            ctx,
            format!(
                "the timeout must be an integer of milliseconds, not {}",
                type_name(v)
            ),
        ));
    };
    match ms {
        0 => Ok(None),
        n if n > 0 => Ok(Some(Duration::from_millis(n as u64))),
        n => Err(throw(
            ctx,
            format!("the timeout must be 0 (no limit) or positive, not {n}"),
        )),
    }
}

/// A byte count; `()` and `0` mean no limit.
pub fn max_size(ctx: &NativeCallContext, v: &Dynamic) -> RhaiResult<Option<usize>> {
    if v.is_unit() {
        return Ok(None);
    }
    match v.as_int() {
        Ok(0) => Ok(None),
        Ok(n) if n > 0 => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
        Ok(n) => Err(throw(
            ctx,
            format!("max_size must be 0 (no limit) or positive, not {n}"),
        )),
        Err(t) => Err(throw(ctx, format!("max_size must be an integer, not {t}"))),
    }
}

/// An encoding label; `()` is UTF-8.
pub fn encoding(ctx: &NativeCallContext, v: &Dynamic) -> RhaiResult<Codec> {
    if v.is_unit() {
        return Ok(Codec::UTF8);
    }
    match v.read_lock::<ImmutableString>() {
        Some(label) => Codec::for_label(&label).map_err(|e| throw(ctx, e)),
        None => Err(throw(
            ctx,
            format!(
                "the encoding must be a string such as \"UTF-8\", not {}",
                type_name(v)
            ),
        )),
    }
}

/// A read marker: a string (in `codec`), a blob, or `()` / `""` for none.
pub fn marker(ctx: &NativeCallContext, v: &Dynamic, codec: Codec) -> RhaiResult<Option<Vec<u8>>> {
    let bytes = if v.is_unit() {
        return Ok(None);
    } else if let Some(s) = v.read_lock::<ImmutableString>() {
        codec.encode(&s)
    } else if v.is_blob() {
        v.clone().into_blob().unwrap_or_default()
    } else {
        return Err(throw(
            ctx,
            format!(
                "the marker must be a string or a blob, not {}",
                type_name(v)
            ),
        ));
    };
    Ok((!bytes.is_empty()).then_some(bytes))
}

/// Data to send: a blob as is, or a string as UTF-8.
pub fn data(ctx: &NativeCallContext, v: &Dynamic) -> RhaiResult<Vec<u8>> {
    if let Some(s) = v.read_lock::<ImmutableString>() {
        Ok(s.as_bytes().to_vec())
    } else if v.is_blob() {
        Ok(v.clone().into_blob().unwrap_or_default())
    } else if v.is_unit() {
        Ok(Vec::new())
    } else {
        Err(throw(
            ctx,
            format!("the data must be a blob or a string, not {}", type_name(v)),
        ))
    }
}

/// A boolean flag; `()` takes the default.
pub fn flag(ctx: &NativeCallContext, v: &Dynamic, what: &str, default: bool) -> RhaiResult<bool> {
    if v.is_unit() {
        return Ok(default);
    }
    v.as_bool()
        .map_err(|t| throw(ctx, format!("{what} must be true or false, not {t}")))
}

/// An integer argument; `()` takes the default.
pub fn int(ctx: &NativeCallContext, v: &Dynamic, what: &str, default: i64) -> RhaiResult<i64> {
    if v.is_unit() {
        return Ok(default);
    }
    v.as_int()
        .map_err(|t| throw(ctx, format!("{what} must be an integer, not {t}")))
}

/// An optional string argument: `()` is `None`.
pub fn opt_string(ctx: &NativeCallContext, v: &Dynamic, what: &str) -> RhaiResult<Option<String>> {
    if v.is_unit() {
        return Ok(None);
    }
    match v.read_lock::<ImmutableString>() {
        Some(s) => Ok(Some(s.to_string())),
        None => Err(throw(
            ctx,
            format!("{what} must be a string, not {}", type_name(v)),
        )),
    }
}

fn settings_error(detail: impl Into<String>) -> net::Error {
    net::Error::new(ErrorKind::Settings, Phase::Settings, "connection", detail)
}

/// The map of `GetTlsSettings`; false and empty fields are left out, as OPI does.
pub fn tls_settings_map(accept_invalid_certs: bool, ca_cert_path: &str) -> Map {
    let mut m = Map::new();
    m.insert("use_tls".into(), true.into());
    if accept_invalid_certs {
        m.insert("accept_invalid_certs".into(), true.into());
    }
    if !ca_cert_path.is_empty() {
        m.insert("ca_cert_path".into(), ca_cert_path.into());
    }
    m
}

/// A TLS setting as the script gives it: a map, `""`, `()` or `false` (plain TCP).
pub fn tls_options(v: &Dynamic) -> net::Result<Option<TlsOptions>> {
    if v.is_unit() || v.as_bool() == Ok(false) || is_empty_string(v) {
        return Ok(None);
    }
    let Some(map) = v.read_lock::<Map>() else {
        return Err(settings_error(format!(
            "the TLS setting must be a map from GetTlsSettings, not {}",
            type_name(v)
        )));
    };
    let mut opts = TlsOptions::default();
    let mut use_tls = false;
    for (key, value) in map.iter() {
        let bool_field = || {
            value.as_bool().map_err(|t| {
                settings_error(format!("TLS field '{key}' must be true or false, not {t}"))
            })
        };
        match key.as_str() {
            "use_tls" => use_tls = bool_field()?,
            "accept_invalid_certs" => opts.accept_invalid_certs = bool_field()?,
            "ca_cert_path" => opts.ca_cert_path = path_field(key, value)?,
            "client_cert_path" => opts.client_cert_path = path_field(key, value)?,
            "client_key_path" => opts.client_key_path = path_field(key, value)?,
            "server_name" => {
                let Some(name) = value.read_lock::<ImmutableString>() else {
                    return Err(settings_error("TLS field 'server_name' must be a string"));
                };
                opts.server_name = (!name.is_empty()).then(|| name.to_string());
            }
            other => {
                return Err(settings_error(format!(
                    "unknown TLS field '{other}' (known: use_tls, accept_invalid_certs, ca_cert_path, \
                     client_cert_path, client_key_path, server_name)"
                )));
            }
        }
    }
    Ok(use_tls.then_some(opts))
}

/// A path field of the TLS map: a string; empty means not set.
fn path_field(key: &str, value: &Dynamic) -> net::Result<Option<PathBuf>> {
    let Some(path) = value.read_lock::<ImmutableString>() else {
        return Err(settings_error(format!(
            "TLS field '{key}' must be a string"
        )));
    };
    Ok((!path.is_empty()).then(|| PathBuf::from(path.as_str())))
}

/// The map of `GetProxySettings`; login and password only when given.
pub fn proxy_settings_map(
    server: &str,
    port: i64,
    kind: &str,
    login: Option<String>,
    password: Option<String>,
) -> Map {
    let mut m = Map::new();
    m.insert("server".into(), server.into());
    m.insert("port".into(), port.into());
    m.insert("proxy_type".into(), kind.into());
    if let Some(l) = login {
        m.insert("login".into(), l.into());
    }
    if let Some(p) = password {
        m.insert("password".into(), p.into());
    }
    m
}

/// A proxy setting: a map from `GetProxySettings`, a proxy URL string, or `()` / `""` for none.
pub fn proxy_config(v: &Dynamic) -> net::Result<Option<ProxyConfig>> {
    if v.is_unit() || is_empty_string(v) {
        return Ok(None);
    }
    if let Some(url) = v.read_lock::<ImmutableString>() {
        return ProxyConfig::from_url(&url).map(Some);
    }
    let Some(map) = v.read_lock::<Map>() else {
        return Err(settings_error(format!(
            "the proxy setting must be a map from GetProxySettings or a proxy URL, not {}",
            type_name(v)
        )));
    };
    let (mut server, mut port, mut kind, mut login, mut password) =
        (None, None, ProxyKind::Socks5, None, None);
    for (key, value) in map.iter() {
        let text = || {
            value
                .read_lock::<ImmutableString>()
                .map(|s| s.to_string())
                .ok_or_else(|| settings_error(format!("proxy field '{key}' must be a string")))
        };
        match key.as_str() {
            "server" => server = Some(text()?),
            "port" => port = Some(proxy_port(value)?),
            "proxy_type" => kind = text()?.parse().map_err(settings_error)?,
            "login" if !value.is_unit() => login = Some(text()?),
            "password" if !value.is_unit() => password = Some(text()?),
            "login" | "password" => {}
            other => {
                return Err(settings_error(format!(
                    "unknown proxy field '{other}' (known: server, port, proxy_type, login, password)"
                )));
            }
        }
    }
    let server = server.ok_or_else(|| settings_error("proxy field 'server' is required"))?;
    let port = port.ok_or_else(|| settings_error("proxy field 'port' is required"))?;
    ProxyConfig::new(kind, &server, port, login, password).map(Some)
}

/// A proxy port: an int, or a numeric string (OPI's CLI examples pass `'port':'1080'`).
pub fn proxy_port(v: &Dynamic) -> net::Result<u16> {
    let n = if let Ok(n) = v.as_int() {
        Some(n)
    } else {
        v.read_lock::<ImmutableString>()
            .and_then(|s| s.trim().parse::<i64>().ok())
    };
    match n {
        Some(n) if (1..=65535).contains(&n) => Ok(n as u16),
        _ => Err(settings_error(format!(
            "proxy field 'port' must be a number 1-65535, not {v}"
        ))),
    }
}

fn is_empty_string(v: &Dynamic) -> bool {
    v.read_lock::<ImmutableString>()
        .is_some_and(|s| s.is_empty())
}
