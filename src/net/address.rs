//! Connection targets: parsing `host:port`, `[v6]:port` and `scheme://host[:port]` into a
//! [`Target`] that keeps the hostname as written.
//!
//! Nothing is resolved here. The name travels on unchanged: to the resolver when we connect
//! directly, to the proxy when the proxy resolves, and to TLS for SNI and the certificate check.
//! (OPI resolves first and keeps only the IP; that is why its TLS tests must turn verification off.)
//!
//! Checked here, before any byte is sent: a port in 1–65535, an IP literal or a DNS name of at most
//! 253 bytes whose labels are 1–63 bytes of letters, digits, `-` and `_`. Anything else (spaces,
//! CR/LF/NUL) is refused, so no name can smuggle bytes into a proxy request. An international
//! name (`bücher.example`) becomes its punycode (`xn--bcher-kva.example`, UTS #46 as browsers
//! and curl do it) here, once: that is the name resolved, sent to a proxy, sent as SNI and checked
//! against the certificate, and the one messages show.

use std::fmt;
use std::net::IpAddr;

use super::error::{Error, ErrorKind, Phase, Result};

/// The host part of a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A DNS name, kept as the user wrote it (without a trailing dot).
    Name(String),
    Ip(IpAddr),
}

/// Where to connect: a host and a port, never yet resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: Host,
    pub port: u16,
}

/// The ports OPI gives URL schemes without an explicit port.
const SCHEME_PORTS: &[(&str, u16)] = &[
    ("http", 80),
    ("https", 443),
    ("ftp", 21),
    ("ssh", 22),
    ("telnet", 23),
];

impl Target {
    /// Parses `host:port`, `[v6]:port`, `v4:port` or `scheme://host[:port][/path]`.
    pub fn parse(text: &str) -> Result<Target> {
        let shown = without_userinfo(text);
        let fail = |detail: String| Error::new(ErrorKind::Address, Phase::Address, &*shown, detail);
        let s = text.trim();
        if s.is_empty() {
            return Err(fail("the address is empty (expected host:port)".into()));
        }
        // Before any part of it is quoted: what precedes an `@` may be a password, and one with a
        // `/` in it would otherwise end the authority early.
        if s.contains('@') {
            return Err(fail(
                "user information in a target address is not supported".into(),
            ));
        }
        let (authority, default_port) = match s.split_once("://") {
            Some((scheme, rest)) => {
                let scheme_lc = scheme.to_ascii_lowercase();
                // Any other scheme names a transport or a protocol we would not speak: a
                // `udp://host:53` dialled over TCP is a silent surprise.
                if scheme_lc != "tcp" && !SCHEME_PORTS.iter().any(|(n, _)| *n == scheme_lc) {
                    return Err(fail(format!(
                        "the scheme '{scheme_lc}://' is not supported: opi-tcp speaks TCP (write \
                         host:port or tcp://host:port; http, https, ftp, ssh and telnet URLs \
                         give their default port)"
                    )));
                }
                let port = SCHEME_PORTS
                    .iter()
                    .find(|(name, _)| *name == scheme_lc)
                    .map(|(_, p)| *p);
                let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
                (&rest[..end], port.ok_or(scheme_lc))
            }
            None => (s, Err(String::new())),
        };
        let (host, port) = split_host_port(authority).map_err(&fail)?;
        let port = match (port, default_port) {
            (Some(p), _) => parse_port(p).map_err(&fail)?,
            (None, Ok(p)) => p,
            (None, Err(scheme)) if scheme.is_empty() => {
                return Err(fail(format!(
                    "missing port in '{authority}' (expected host:port)"
                )));
            }
            (None, Err(scheme)) => {
                return Err(fail(format!(
                    "no default port for scheme '{scheme}'; give one, as in {scheme}://host:port"
                )));
            }
        };
        Ok(Target {
            host: parse_host(host).map_err(&fail)?,
            port,
        })
    }

    /// The host as text: the name, or the IP without brackets.
    pub fn host_str(&self) -> String {
        match &self.host {
            Host::Name(n) => n.clone(),
            Host::Ip(ip) => ip.to_string(),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            Host::Name(n) => write!(f, "{n}:{}", self.port),
            Host::Ip(IpAddr::V4(ip)) => write!(f, "{ip}:{}", self.port),
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]:{}", self.port),
        }
    }
}

/// The address as messages show it: everything before its last `@` (a `user:password@` part,
/// refused, but maybe a real password, `/` and all) becomes `***`.
fn without_userinfo(text: &str) -> std::borrow::Cow<'_, str> {
    let Some(at) = text.rfind('@') else {
        return text.into();
    };
    let scheme = text.split_once("://").map(|(s, _)| s).filter(|s| {
        s.len() < at
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    });
    match scheme {
        Some(s) => format!("{s}://***{}", &text[at..]).into(),
        None => format!("***{}", &text[at..]).into(),
    }
}

/// Splits `host:port` / `[v6]:port` / `host` into the host and the port text, if any.
fn split_host_port(s: &str) -> Result<(&str, Option<&str>), String> {
    if let Some(rest) = s.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return Err("unclosed '[' in an IPv6 address (expected [v6]:port)".into());
        };
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(format!("unexpected '{after}' after ']' (expected ]:port)")),
            },
        };
    }
    match s.rsplit_once(':') {
        Some((host, _)) if host.contains(':') => {
            Err("an IPv6 address needs brackets, as in [::1]:port".into())
        }
        Some((host, port)) => Ok((host, Some(port))),
        None => Ok((s, None)),
    }
}

fn parse_port(p: &str) -> Result<u16, String> {
    if p.is_empty() {
        return Err("missing port after ':'".into());
    }
    if !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("port '{p}' is not a number"));
    }
    match p.parse::<u32>() {
        Ok(0) => Err("port 0 is not a valid target port (use 1-65535)".into()),
        Ok(n) if n <= 65535 => Ok(n as u16),
        _ => Err(format!("port {p} is out of range (use 1-65535)")),
    }
}

/// Validates an IP literal or a DNS name.
pub(crate) fn parse_host(h: &str) -> Result<Host, String> {
    if h.is_empty() {
        return Err("the host is empty".into());
    }
    if let Ok(ip) = h.parse::<IpAddr>() {
        return Ok(Host::Ip(ip));
    }
    let ascii;
    let h = if h.is_ascii() {
        h
    } else {
        if let Some(c) = h.chars().find(|c| c.is_control() || c.is_whitespace()) {
            return Err(format!(
                "the host name contains the forbidden character {c:?}"
            ));
        }
        ascii = idna::domain_to_ascii(h).map_err(|_| {
            "the host name is not a valid international name (UTS #46); write it in punycode \
             (xn--…)"
                .to_string()
        })?;
        &ascii
    };
    validate_dns_name(h)?;
    let name = h.strip_suffix('.').unwrap_or(h);
    // `3.7.7.7.` is the address 3.7.7.7 (as resolvers read it), not a name to send a proxy.
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Ok(Host::Ip(ip));
    }
    Ok(Host::Name(name.to_string()))
}

fn validate_dns_name(h: &str) -> Result<(), String> {
    if let Some(c) = h
        .chars()
        .find(|c| !c.is_ascii() || c.is_ascii_control() || *c == ' ')
    {
        return Err(format!(
            "the host name contains the forbidden character {c:?}"
        ));
    }
    let name = h.strip_suffix('.').unwrap_or(h);
    if name.len() > 253 {
        return Err(format!(
            "the host name is {} bytes long (at most 253)",
            name.len()
        ));
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err(format!("the host name '{h}' has an empty label"));
        }
        if label.len() > 63 {
            return Err(format!(
                "a label of the host name is {} bytes long (at most 63)",
                label.len()
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(format!(
                "the host name contains the forbidden character {c:?}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        Target::parse(s)
            .map(|t| t.to_string())
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }
    fn err(s: &str) -> String {
        match Target::parse(s) {
            Ok(t) => panic!("{s} parsed as {t}"),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Address);
                e.detail().to_string()
            }
        }
    }

    #[test]
    fn plain_forms() {
        assert_eq!(ok("example.org:443"), "example.org:443");
        assert_eq!(ok("127.0.0.1:17001"), "127.0.0.1:17001");
        assert_eq!(ok("[::1]:80"), "[::1]:80");
        assert_eq!(ok("  localhost:1  "), "localhost:1");
        assert_eq!(ok("example.org.:1"), "example.org:1");
        assert_eq!(
            Target::parse("Example.ORG:7").unwrap().host,
            Host::Name("Example.ORG".into())
        );
    }

    #[test]
    fn urls_take_the_scheme_port() {
        assert_eq!(ok("https://example.org"), "example.org:443");
        assert_eq!(ok("http://example.org/path?q"), "example.org:80");
        assert_eq!(ok("HTTP://example.org:8080/"), "example.org:8080");
        assert_eq!(ok("ftp://h"), "h:21");
        assert_eq!(ok("ssh://h"), "h:22");
        assert_eq!(ok("telnet://[::1]"), "[::1]:23");
        assert!(err("gopher://h").contains("is not supported"));
    }

    #[test]
    fn user_information_is_never_quoted() {
        // Found by fuzzing: an '@' before the "://", and a password holding a '/'.
        for (text, shown) in [
            ("http://alice:s3cret@host:80", "http://***@host:80"),
            ("http://alice:s3/cret@host:80", "http://***@host:80"),
            ("al@ce://x@host:1", "***@host:1"),
            ("alice:s3cret@host:80", "***@host:80"),
        ] {
            let e = Target::parse(text).unwrap_err();
            assert_eq!(e.target(), shown, "{text}");
            assert!(e.detail().contains("user information"), "{e}");
        }
    }

    #[test]
    fn an_ip_with_a_trailing_dot_is_the_ip() {
        let t = Target::parse("3.7.7.7.:1").unwrap();
        assert_eq!(t.host, Host::Ip("3.7.7.7".parse().unwrap()));
        assert_eq!(Target::parse(&t.to_string()).unwrap(), t);
    }

    #[test]
    fn an_international_name_becomes_punycode() {
        let t = Target::parse("Bücher.example:443").unwrap();
        assert_eq!(t.host, Host::Name("xn--bcher-kva.example".into()));
        let t = Target::parse("https://пример.рф").unwrap();
        assert_eq!(t.to_string(), "xn--e1afmkfd.xn--p1ai:443");
    }

    #[test]
    fn only_tcp_schemes_are_taken() {
        assert_eq!(Target::parse("tcp://h:7").unwrap().to_string(), "h:7");
        assert!(err("tcp://h").contains("no default port for scheme 'tcp'"));
        for other in [
            "udp://h:53",
            "UDP://h:53",
            "sctp://h:1",
            "unix://x:1",
            "quic://h:443",
        ] {
            let e = err(other);
            assert!(
                e.contains("is not supported") && e.contains("TCP"),
                "{other}: {e}"
            );
        }
    }

    #[test]
    fn bad_addresses_say_why() {
        assert!(err("").contains("empty"));
        assert!(err("nohost").contains("missing port"));
        assert!(err("host:0").contains("port 0"));
        assert!(err("host:99999").contains("out of range"));
        assert!(err("host:http").contains("not a number"));
        assert!(err("[::1").contains("unclosed"));
        assert!(err("::1:80").contains("brackets"));
        assert!(err("a b:80").contains("forbidden"));
        assert!(err("a\r\nb:80").contains("forbidden"));
        assert!(err("a..b:80").contains("empty label"));
        assert!(err(&format!("{}:1", "a".repeat(64))).contains("at most 63"));
        assert!(err(&format!("{}:1", ["a"; 130].join("."))).contains("at most 253"));
        assert!(err("a\u{85}b.рф:80").contains("forbidden"));
        assert!(err("xn--a.рф:80").contains("punycode"));
        assert!(err("host:").contains("missing port"));
        assert!(err("http://u:p@h").contains("user information"));
    }
}
