//! The settings maps of `GetTlsSettings` / `GetProxySettings`, and the settings a connect takes:
//! a map or a URL turned into [`TlsOptions`] / [`ProxyConfig`], with unknown fields and wrong
//! types refused by name. A bad setting is the connect's error map (kind `settings`), not a throw.

use std::path::PathBuf;
use std::time::Duration;

use rhai::{Dynamic, ImmutableString, Map, NativeCallContext};

use super::args::{self, RhaiResultOf, throw};

use crate::net::{self, ErrorKind, Family, Phase, ProxyConfig, ProxyKind, TlsOptions};

pub(crate) fn get_tls_settings(
    ctx: &NativeCallContext,
    disable_cert_verification: &Dynamic,
    ca_cert_path: &Dynamic,
) -> RhaiResultOf<Map> {
    let insecure = args::flag(
        ctx,
        disable_cert_verification,
        "disable_cert_verification",
        false,
    )?;
    let path = args::opt_string(ctx, ca_cert_path, "ca_cert_path")?.unwrap_or_default();
    Ok(tls_settings_map(insecure, &path))
}

pub(crate) fn get_proxy_settings(
    ctx: &NativeCallContext,
    address: &str,
    port: &Dynamic,
    kind: &Dynamic,
    login: &Dynamic,
    password: &Dynamic,
) -> RhaiResultOf<Map> {
    let port = proxy_port(port, "proxy").map_err(|e| throw(ctx, e.detail()))?;
    let kind = args::opt_string(ctx, kind, "the proxy type")?.unwrap_or_else(|| "socks5".into());
    kind.parse::<net::ProxyKind>().map_err(|e| throw(ctx, e))?;
    let password = args::opt_string(ctx, password, "the password")?;
    // The map holds it from now on, and anything that shows the map or the line that made it
    // (an error's source line, a test report) must not show it.
    if let Some(p) = &password {
        net::hide_secret(p);
    }
    Ok(proxy_settings_map(
        address,
        i64::from(port),
        &kind,
        args::opt_string(ctx, login, "the login")?,
        password,
    ))
}

fn settings_error(peer: &str, detail: impl Into<String>) -> net::Error {
    net::Error::new(ErrorKind::Settings, Phase::Settings, peer, detail)
}

/// A proxy's own error (it names no target) about the connection to `peer`.
fn about(peer: &str, e: net::Error) -> net::Error {
    net::Error::new(e.kind(), e.phase(), peer, e.detail())
}

/// The map of `GetTlsSettings`; false and empty fields are left out, as OPI does.
pub(crate) fn tls_settings_map(accept_invalid_certs: bool, ca_cert_path: &str) -> Map {
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

/// A setting given as OPI also takes it: JSON text (`{"use_tls": true}`, OPI's single quotes
/// too) or the path of a `.json` file holding it, as the map it stands for; `None` when `v` is
/// no such string. The text is never quoted in an error: a proxy's may hold a password.
pub(crate) fn from_json_text(v: &Dynamic, what: &str) -> Option<Result<Dynamic, String>> {
    let s = v.read_lock::<ImmutableString>()?;
    let text = s.trim();
    let json = if text.starts_with('{') {
        text.to_string()
    } else if text.to_ascii_lowercase().ends_with(".json") {
        match std::fs::read_to_string(text) {
            Ok(t) => t,
            Err(e) => return Some(Err(format!("cannot read the {what} file '{text}': {e}"))),
        }
    } else {
        return None;
    };
    Some(
        super::cli_values::settings_json(&rhai::Engine::new_raw(), &json)
            .map(Dynamic::from_map)
            .map_err(|e| format!("the {what} is not a JSON object ({})", e.position())),
    )
}

/// A TLS setting as the script gives it: a map (or its JSON text, or a `.json` file), `""`,
/// `()` or `false` (plain TCP). `peer` names the connection's target in errors.
pub(crate) fn tls_options(v: &Dynamic, peer: &str) -> net::Result<Option<TlsOptions>> {
    if let Some(parsed) = from_json_text(v, "TLS setting") {
        let map = parsed.map_err(|e| settings_error(peer, e))?;
        return tls_options(&map, peer);
    }
    if v.is_unit() || v.as_bool() == Ok(false) || is_empty_string(v) {
        return Ok(None);
    }
    let Some(map) = v.read_lock::<Map>() else {
        return Err(settings_error(
            peer,
            format!(
                "the TLS setting must be a map from GetTlsSettings, not {}",
                v.type_name()
            ),
        ));
    };
    let mut opts = TlsOptions::default();
    let mut use_tls = false;
    for (key, value) in map.iter() {
        let bool_field = || {
            value.as_bool().map_err(|t| {
                settings_error(
                    peer,
                    format!("TLS field '{key}' must be true or false, not {t}"),
                )
            })
        };
        match key.as_str() {
            "use_tls" => use_tls = bool_field()?,
            "accept_invalid_certs" => opts.accept_invalid_certs = bool_field()?,
            "strict_close" => opts.strict_close = bool_field()?,
            "ca_cert_path" => opts.ca_cert_path = path_field(key, value, peer)?,
            "client_cert_path" => opts.client_cert_path = path_field(key, value, peer)?,
            "client_key_path" => opts.client_key_path = path_field(key, value, peer)?,
            "server_name" => {
                let Some(name) = value.read_lock::<ImmutableString>() else {
                    return Err(settings_error(
                        peer,
                        "TLS field 'server_name' must be a string",
                    ));
                };
                opts.server_name = (!name.is_empty()).then(|| name.to_string());
            }
            other => {
                return Err(settings_error(
                    peer,
                    format!(
                        "unknown TLS field '{other}' (known: use_tls, accept_invalid_certs, ca_cert_path, \
                     client_cert_path, client_key_path, server_name, strict_close)"
                    ),
                ));
            }
        }
    }
    Ok(use_tls.then_some(opts))
}

/// A path field of the TLS map: a string; empty means not set.
fn path_field(key: &str, value: &Dynamic, peer: &str) -> net::Result<Option<PathBuf>> {
    let Some(path) = value.read_lock::<ImmutableString>() else {
        return Err(settings_error(
            peer,
            format!("TLS field '{key}' must be a string"),
        ));
    };
    Ok((!path.is_empty()).then(|| PathBuf::from(path.as_str())))
}

/// The map of `GetProxySettings`; login and password only when given.
pub(crate) fn proxy_settings_map(
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

/// A proxy setting: a map from `GetProxySettings`, a proxy URL string, or `()` / `""` / `#{}`
/// (OPI's unfilled structure) for none.
pub(crate) fn proxy_config(v: &Dynamic, peer: &str) -> net::Result<Option<ProxyConfig>> {
    if let Some(parsed) = from_json_text(v, "proxy setting") {
        let map = parsed.map_err(|e| settings_error(peer, e))?;
        return proxy_config(&map, peer);
    }
    if v.is_unit() || is_empty_string(v) || v.read_lock::<Map>().is_some_and(|m| m.is_empty()) {
        return Ok(None);
    }
    if let Some(url) = v.read_lock::<ImmutableString>() {
        return ProxyConfig::from_url(&url)
            .map(Some)
            .map_err(|e| about(peer, e));
    }
    let Some(map) = v.read_lock::<Map>() else {
        return Err(settings_error(
            peer,
            format!(
                "the proxy setting must be a map from GetProxySettings or a proxy URL, not {}",
                v.type_name()
            ),
        ));
    };
    let (mut server, mut port, mut kind, mut login, mut password) =
        (None, None, ProxyKind::Socks5, None, None);
    for (key, value) in map.iter() {
        let text = || {
            value
                .read_lock::<ImmutableString>()
                .map(|s| s.to_string())
                .ok_or_else(|| {
                    settings_error(peer, format!("proxy field '{key}' must be a string"))
                })
        };
        match key.as_str() {
            "server" => server = Some(text()?),
            "port" => port = Some(proxy_port(value, peer)?),
            "proxy_type" => kind = text()?.parse().map_err(|d| settings_error(peer, d))?,
            "login" if !value.is_unit() => login = Some(text()?),
            "password" if !value.is_unit() => password = Some(text()?),
            "login" | "password" => {}
            other => {
                return Err(settings_error(
                    peer,
                    format!(
                        "unknown proxy field '{other}' (known: server, port, proxy_type, login, password)"
                    ),
                ));
            }
        }
    }
    let server = server.ok_or_else(|| settings_error(peer, "proxy field 'server' is required"))?;
    let port = port.ok_or_else(|| settings_error(peer, "proxy field 'port' is required"))?;
    ProxyConfig::new(kind, &server, port, login, password)
        .map(Some)
        .map_err(|e| about(peer, e))
}

/// A proxy port: an int, or a numeric string (OPI's CLI examples pass `'port':'1080'`).
pub(crate) fn proxy_port(v: &Dynamic, peer: &str) -> net::Result<u16> {
    let n = if let Ok(n) = v.as_int() {
        Some(n)
    } else {
        v.read_lock::<ImmutableString>()
            .and_then(|s| s.trim().parse::<i64>().ok())
    };
    match n {
        Some(n) if (1..=65535).contains(&n) => Ok(n as u16),
        _ => Err(settings_error(
            peer,
            format!("proxy field 'port' must be a number 1-65535, not {v}"),
        )),
    }
}

/// The connect options a script passes after the proxy (an addition): `()` for none, a
/// positive `timeout_ms` alone, or a map `#{timeout_ms, family}` with `family` `"ipv4"`,
/// `"ipv6"` or `"any"`. The connect's deadline (`None`: the session's) and family.
pub(crate) fn connect_options(v: &Dynamic, peer: &str) -> net::Result<(Option<Duration>, Family)> {
    if v.is_unit() {
        return Ok((None, Family::Any));
    }
    if v.is_int() {
        return Ok((Some(connect_ms(v, peer)?), Family::Any));
    }
    let Some(map) = v.read_lock::<Map>() else {
        return Err(settings_error(
            peer,
            format!(
                "the connect options must be timeout_ms or a map #{{timeout_ms, family}}, not {}",
                v.type_name()
            ),
        ));
    };
    let (mut timeout, mut family) = (None, Family::Any);
    for (key, value) in map.iter() {
        match key.as_str() {
            "timeout_ms" => timeout = Some(connect_ms(value, peer)?),
            "family" => {
                let Some(name) = value.read_lock::<ImmutableString>() else {
                    return Err(settings_error(
                        peer,
                        format!("connect option 'family' must be a string, not {value}"),
                    ));
                };
                family = name.parse().map_err(|d| settings_error(peer, d))?;
            }
            other => {
                return Err(settings_error(
                    peer,
                    format!("unknown connect option '{other}' (known: timeout_ms, family)"),
                ));
            }
        }
    }
    Ok((timeout, family))
}

fn connect_ms(v: &Dynamic, peer: &str) -> net::Result<Duration> {
    match v.as_int() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms as u64)),
        _ => Err(settings_error(
            peer,
            format!("the connect timeout must be positive milliseconds, not {v}"),
        )),
    }
}

fn is_empty_string(v: &Dynamic) -> bool {
    v.read_lock::<ImmutableString>()
        .is_some_and(|s| s.is_empty())
}
