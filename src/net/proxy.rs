//! Proxy settings: the proxy types, and a validated [`ProxyConfig`] built from a map's fields or
//! from a proxy URL (`socks5h://user:pass@host:1080`, curl's convention).
//!
//! Credentials are checked here, before any byte is sent (no NUL/CR/LF, lengths the protocol can
//! carry), and never printed: `Debug` redacts the password and error messages name the proxy by
//! its address only.
//!
//! The tunnels themselves are not built yet: `connect` refuses a proxy with a `settings` error
//! that says so, rather than connecting directly behind the user's back.

use std::fmt;
use std::str::FromStr;

use super::address::{Host, parse_host};
use super::error::{Error, ErrorKind, Phase, Result};

/// Where target names are resolved and which protocol is spoken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// SOCKS5, the client resolves the target and sends an IP.
    Socks5,
    /// SOCKS5, the proxy resolves: the hostname is sent.
    Socks5h,
    /// SOCKS4, the client resolves (IPv4 only).
    Socks4,
    /// SOCKS4a, the proxy resolves.
    Socks4a,
    /// HTTP CONNECT, the proxy resolves.
    Http,
}

pub const PROXY_TYPES: &str = "socks5, socks5h, socks4, socks4a, http";

impl ProxyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProxyKind::Socks5 => "socks5",
            ProxyKind::Socks5h => "socks5h",
            ProxyKind::Socks4 => "socks4",
            ProxyKind::Socks4a => "socks4a",
            ProxyKind::Http => "http",
        }
    }
}

impl fmt::Display for ProxyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProxyKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "socks5" => ProxyKind::Socks5,
            "socks5h" => ProxyKind::Socks5h,
            "socks4" => ProxyKind::Socks4,
            "socks4a" => ProxyKind::Socks4a,
            "http" => ProxyKind::Http,
            _ => {
                return Err(format!(
                    "unknown proxy type '{s}' (use one of: {PROXY_TYPES})"
                ));
            }
        })
    }
}

/// A proxy to tunnel through.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyConfig {
    pub kind: ProxyKind,
    pub host: Host,
    pub port: u16,
    pub login: Option<String>,
    pub password: Option<String>,
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("kind", &self.kind)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("login", &self.login)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl ProxyConfig {
    /// Builds and validates a proxy from its parts.
    pub fn new(
        kind: ProxyKind,
        server: &str,
        port: u16,
        login: Option<String>,
        password: Option<String>,
    ) -> Result<Self> {
        let fail = |d: String| Error::new(ErrorKind::Settings, Phase::Settings, "proxy", d);
        if port == 0 {
            return Err(fail("proxy port 0 is not valid (use 1-65535)".into()));
        }
        let host = parse_host(server.trim_start_matches('[').trim_end_matches(']'))
            .map_err(|d| fail(format!("proxy server: {d}")))?;
        for (what, v) in [("login", &login), ("password", &password)] {
            if let Some(v) = v {
                if v.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n')) {
                    return Err(fail(format!("the proxy {what} contains NUL, CR or LF")));
                }
                if v.len() > 255 {
                    return Err(fail(format!("the proxy {what} is longer than 255 bytes")));
                }
            }
        }
        if kind == ProxyKind::Http && login.as_deref().is_some_and(|l| l.contains(':')) {
            return Err(fail(
                "an HTTP proxy login cannot contain ':' (RFC 7617)".into(),
            ));
        }
        Ok(ProxyConfig {
            kind,
            host,
            port,
            login,
            password,
        })
    }

    /// Parses `type://[user[:password]@]host[:port]`; user and password are percent-decoded. The
    /// port defaults to 1080, as in curl.
    pub fn from_url(url: &str) -> Result<Self> {
        let fail = |d: String| Error::new(ErrorKind::Settings, Phase::Settings, "proxy", d);
        let Some((scheme, rest)) = url.trim().split_once("://") else {
            return Err(fail(format!(
                "a proxy URL looks like socks5h://host:1080 (types: {PROXY_TYPES})"
            )));
        };
        let kind = scheme.parse::<ProxyKind>().map_err(fail)?;
        let rest = rest.trim_end_matches('/');
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (login, password) = match userinfo {
            None => (None, None),
            Some(u) => {
                let (l, p) = match u.split_once(':') {
                    Some((l, p)) => (l, Some(p)),
                    None => (u, None),
                };
                let dec = |s: &str| percent_decode(s).map_err(|d| fail(d.into()));
                (Some(dec(l)?), p.map(dec).transpose()?)
            }
        };
        let (host, port) = match hostport.strip_prefix('[') {
            Some(v6) => match v6.split_once(']') {
                Some((h, "")) => (h, None),
                Some((h, p)) => (h, Some(p.trim_start_matches(':'))),
                None => return Err(fail("unclosed '[' in the proxy address".into())),
            },
            None => match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            },
        };
        let port = match port {
            None => 1080,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 => n,
                _ => return Err(fail(format!("proxy port '{p}' is not a number in 1-65535"))),
            },
        };
        ProxyConfig::new(kind, host, port, login, password)
    }

    /// `host:port` of the proxy, for messages.
    pub fn address(&self) -> String {
        match &self.host {
            Host::Ip(std::net::IpAddr::V6(ip)) => format!("[{ip}]:{}", self.port),
            Host::Ip(ip) => format!("{ip}:{}", self.port),
            Host::Name(n) => format!("{n}:{}", self.port),
        }
    }
}

fn percent_decode(s: &str) -> Result<String, &'static str> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(v) => out.push(v),
                None => return Err("bad percent-escape in the proxy URL's user or password"),
            }
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the proxy URL's user or password is not UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let p = ProxyConfig::from_url("SOCKS5H://al%40ice:p%3Ass@127.0.0.1:11080").unwrap();
        assert_eq!(p.kind, ProxyKind::Socks5h);
        assert_eq!(p.login.as_deref(), Some("al@ice"));
        assert_eq!(p.password.as_deref(), Some("p:ss"));
        assert_eq!(p.address(), "127.0.0.1:11080");
        let p = ProxyConfig::from_url("http://proxy.local").unwrap();
        assert_eq!((p.kind, p.port, p.login), (ProxyKind::Http, 1080, None));
        assert_eq!(
            ProxyConfig::from_url("socks4://[::1]:9").unwrap().address(),
            "[::1]:9"
        );
    }

    #[test]
    fn bad_settings_and_no_password_in_debug() {
        let e = ProxyConfig::from_url("ftp://h:1").unwrap_err();
        assert!(e.to_string().contains(PROXY_TYPES), "{e}");
        assert_eq!(e.kind, ErrorKind::Settings);
        let e = ProxyConfig::new(ProxyKind::Socks5, "h", 1, Some("a\r\nb".into()), None);
        assert!(e.unwrap_err().detail.contains("CR"));
        let e = ProxyConfig::new(ProxyKind::Http, "h", 1, Some("a:b".into()), None);
        assert!(e.unwrap_err().detail.contains("':'"));
        let p = ProxyConfig::from_url("socks5://u:hunter2@h:1").unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}
