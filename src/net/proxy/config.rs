//! A proxy's settings: a validated [`ProxyConfig`] built from its parts or from a
//! proxy URL (`socks5h://user:pass@host:1080`, curl's convention).
//!
//! Where names are resolved is the type's promise and is never changed behind the user's back:
//! `socks5` and `socks4` resolve the target here (inside the connect deadline) and send an IP,
//! `socks5h`, `socks4a` and `http` send the name. A name a protocol cannot carry is an error, not
//! a quiet switch to local resolution (curl CVE-2023-38545).
//!
//! Everything the proxy will receive is checked here, before the first byte is sent: credentials
//! (no NUL/CR/LF, lengths the protocol can carry), the target name, the SOCKS4a userid + name sum
//! that makes tokio-socks 0.5.3 panic, an IPv6 target for SOCKS4. Credentials are never printed:
//! `Debug` redacts the password and messages name the proxy by its address and type only.

use std::fmt;
use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::kind::{PROXY_TYPES, ProxyKind};
use crate::net::address::{Host, Target, parse_host};
use crate::net::error::{Error, ErrorKind, Phase, Result};
use crate::net::secret;

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
        // OPI scripts pass "" for "no login"; an empty SOCKS5 field cannot be sent anyway.
        let login = login.filter(|l| !l.is_empty());
        let password = password.filter(|p| !p.is_empty());
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
        // A credential that would not be sent is refused rather than silently dropped: the
        // script believes it authenticates.
        match (kind, &login, &password) {
            (_, None, Some(_)) => {
                return Err(fail("a proxy password was given without a login".into()));
            }
            (ProxyKind::Socks5 | ProxyKind::Socks5h, Some(_), None) => {
                return Err(fail(
                    "SOCKS5 authentication needs a password as well as the login (RFC 1929)".into(),
                ));
            }
            (ProxyKind::Socks4 | ProxyKind::Socks4a, _, Some(_)) => {
                return Err(fail(
                    "SOCKS4 has no password (the login is sent as the userid); \
                     drop the password or use socks5"
                        .into(),
                ));
            }
            _ => {}
        }
        if kind == ProxyKind::Http && login.as_deref().is_some_and(|l| l.contains(':')) {
            return Err(fail(
                "an HTTP proxy login cannot contain ':' (RFC 7617)".into(),
            ));
        }
        let config = ProxyConfig {
            kind,
            host,
            port,
            login,
            password,
        };
        if config.password.is_some() {
            secret::remember(config.secret_forms());
        }
        Ok(config)
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
        let mut written = None;
        let (login, password) = match userinfo {
            None => (None, None),
            Some(u) => {
                let (l, p) = match u.split_once(':') {
                    Some((l, p)) => (l, Some(p)),
                    None => (u, None),
                };
                let dec = |s: &str| percent_decode(s).map_err(|d| fail(d.into()));
                written = p;
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
                // Not echoed: in `socks5://alice:s3cret` (no `@host`) the "port" is a password.
                _ => {
                    return Err(fail(
                        "the proxy URL's port is not a number in 1-65535 (a user:password \
                         needs @host after it)"
                            .into(),
                    ));
                }
            },
        };
        let config = ProxyConfig::new(kind, host, port, login, password)?;
        // As written (`s3%63ret`, `%3a`): the script's source line shows it so, and none of the
        // forms made from the decoded password need match it.
        if let Some(w) = written.filter(|_| config.password.is_some()) {
            secret::hide_secret(w);
        }
        Ok(config)
    }

    /// `host:port` of the proxy, for messages.
    pub fn address(&self) -> String {
        match &self.host {
            Host::Ip(IpAddr::V6(ip)) => format!("[{ip}]:{}", self.port),
            Host::Ip(ip) => format!("{ip}:{}", self.port),
            Host::Name(n) => format!("{n}:{}", self.port),
        }
    }

    /// `proxy 127.0.0.1:1080 (socks5)`: how messages name the proxy (never with credentials).
    pub fn label(&self) -> String {
        format!("proxy {} ({})", self.address(), self.kind)
    }

    /// The `Proxy-Authorization: Basic` token for the login, if there is one.
    pub(crate) fn basic_token(&self) -> Option<String> {
        let login = self.login.as_deref()?;
        let pair = format!("{login}:{}", self.password.as_deref().unwrap_or(""));
        Some(BASE64.encode(pair))
    }

    /// `text` with every form of this proxy's password in it replaced by `***` (see
    /// `secret::forms`): for messages that quote what a proxy sent back, which a hostile or
    /// careless proxy may fill with our own request.
    pub(crate) fn redact(&self, text: &str) -> String {
        self.secret_forms()
            .iter()
            .fold(text.to_string(), |t, s| t.replace(s.as_str(), "***"))
    }

    /// The password as is, percent-encoded, as `{:?}` quotes it, and inside the Basic token.
    fn secret_forms(&self) -> Vec<String> {
        secret::forms(self.password.as_deref(), self.basic_token())
    }

    /// Whether the client resolves the target and sends an IP (`socks5`, `socks4`), rather than
    /// the proxy.
    pub fn resolves_locally(&self) -> bool {
        matches!(self.kind, ProxyKind::Socks5 | ProxyKind::Socks4)
    }

    /// Checks, before any I/O, that this proxy can carry `target`; `peer` names the target.
    pub(crate) fn check_target(&self, target: &Target, peer: &str) -> Result<()> {
        let settings = |d: String| {
            Error::new(
                ErrorKind::Settings,
                Phase::Settings,
                peer,
                format!("{}: {d}", self.label()),
            )
        };
        let address = |d: String| Error::new(ErrorKind::Address, Phase::Address, peer, d);
        if target.port == 0 {
            return Err(address(
                "port 0 is not a valid target port (use 1-65535)".into(),
            ));
        }
        let socks4 = matches!(self.kind, ProxyKind::Socks4 | ProxyKind::Socks4a);
        match &target.host {
            Host::Ip(IpAddr::V6(ip)) if socks4 => Err(settings(format!(
                "SOCKS4 carries IPv4 addresses only and [{ip}] is IPv6 (use socks5)"
            ))),
            Host::Ip(_) => Ok(()),
            Host::Name(name) => {
                // `Target` has public fields: a name built in code skipped `Target::parse`, and
                // this one goes verbatim into a SOCKS request or a CONNECT line.
                parse_host(name).map_err(address)?;
                if self.resolves_locally() {
                    return Ok(());
                }
                if name.len() > MAX_REMOTE_NAME {
                    return Err(settings(format!(
                        "the target name is {} bytes long; a proxy request carries at most \
                         {MAX_REMOTE_NAME}",
                        name.len()
                    )));
                }
                let userid = self.login.as_deref().map_or(0, str::len);
                if self.kind == ProxyKind::Socks4a && userid + name.len() > MAX_SOCKS4A_ID_AND_NAME
                {
                    return Err(settings(format!(
                        "the SOCKS4a userid ({userid} bytes) and the target name ({} bytes) are \
                         too long together (at most {MAX_SOCKS4A_ID_AND_NAME} bytes)",
                        name.len()
                    )));
                }
                Ok(())
            }
        }
    }
}

/// SOCKS5 carries a name in one length byte.
const MAX_REMOTE_NAME: usize = 255;
/// tokio-socks 0.5.3 builds a SOCKS4a request in a 513-byte buffer and panics past it
/// (8 header bytes + userid + NUL + name + NUL); keep a margin.
const MAX_SOCKS4A_ID_AND_NAME: usize = 500;

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
        assert_eq!(e.kind(), ErrorKind::Settings);
        let e = ProxyConfig::new(ProxyKind::Socks5, "h", 1, Some("a\r\nb".into()), None);
        assert!(e.unwrap_err().detail().contains("CR"));
        let e = ProxyConfig::new(ProxyKind::Http, "h", 1, Some("a:b".into()), None);
        assert!(e.unwrap_err().detail().contains("':'"));
        let p = ProxyConfig::from_url("socks5://u:hunter2@h:1").unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn credentials_that_would_not_be_sent_are_refused() {
        let new = |kind, login: Option<&str>, password: Option<&str>| {
            ProxyConfig::new(
                kind,
                "h",
                1,
                login.map(str::to_string),
                password.map(str::to_string),
            )
        };
        let detail = |r: Result<ProxyConfig>| r.unwrap_err().detail().to_string();
        assert!(detail(new(ProxyKind::Http, None, Some("p"))).contains("without a login"));
        assert!(detail(new(ProxyKind::Socks5h, Some("u"), None)).contains("needs a password"));
        assert!(detail(new(ProxyKind::Socks4a, Some("u"), Some("p"))).contains("no password"));
        // Empty strings mean "not given", as OPI scripts pass them.
        let p = new(ProxyKind::Socks5, Some(""), Some("")).unwrap();
        assert_eq!((p.login, p.password), (None, None));
        let p = new(ProxyKind::Http, Some("u"), None).unwrap();
        assert_eq!(p.login.as_deref(), Some("u"));
        let p = new(ProxyKind::Socks4, Some("u"), Some("")).unwrap();
        assert_eq!(p.label(), "proxy h:1 (socks4)");
    }

    fn target(host: Host, port: u16) -> Target {
        Target { host, port }
    }

    #[test]
    fn targets_a_proxy_cannot_carry_are_refused_before_io() {
        let socks4 = ProxyConfig::from_url("socks4://127.0.0.1:1").unwrap();
        let v6 = target(Host::Ip("::1".parse().unwrap()), 80);
        let e = socks4.check_target(&v6, "[::1]:80").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Settings);
        assert!(e.to_string().starts_with(
            "settings for [::1]:80: proxy 127.0.0.1:1 (socks4): SOCKS4 carries IPv4 addresses only"
        ));

        let long = format!("{}@127.0.0.1:1", "u".repeat(255));
        let socks4a = ProxyConfig::from_url(&format!("socks4a://{long}")).unwrap();
        let name = [
            "a".repeat(63),
            "a".repeat(63),
            "a".repeat(63),
            "a".repeat(61),
        ]
        .join(".");
        assert_eq!(name.len(), 253);
        let t = target(Host::Name(name.clone()), 80);
        let e = socks4a.check_target(&t, "t").unwrap_err();
        assert!(e.detail().contains("too long together"), "{e}");
        // The same name with a short userid fits; plain SOCKS4 resolves it here instead.
        let short = ProxyConfig::from_url("socks4a://bob@127.0.0.1:1").unwrap();
        assert!(short.check_target(&t, "t").is_ok());
        let local = ProxyConfig::from_url(&format!("socks4://{long}")).unwrap();
        assert!(local.check_target(&t, "t").is_ok());

        // A name built in code, around `Target::parse`, is checked again.
        let http = ProxyConfig::from_url("http://127.0.0.1:1").unwrap();
        let smuggled = target(Host::Name("a\r\nX-Evil: 1".into()), 80);
        assert_eq!(
            http.check_target(&smuggled, "t").unwrap_err().kind(),
            ErrorKind::Address
        );
        let e = http
            .check_target(&target(Host::Name("a".into()), 0), "t")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Address);
    }
}
