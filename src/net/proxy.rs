//! Proxies: the proxy types, a validated [`ProxyConfig`] built from a map's fields or from a proxy
//! URL (`socks5h://user:pass@host:1080`, curl's convention), and [`tunnel`], which opens the TCP
//! connection to the proxy and runs the SOCKS5 / SOCKS4 / SOCKS4a / HTTP CONNECT handshake on it.
//!
//! Where names are resolved is the type's promise and is never changed behind the user's back:
//! `socks5` and `socks4` resolve the target here (inside the connect deadline) and send an IP,
//! `socks5h`, `socks4a` and `http` send the name. A name a protocol cannot carry is an error, not
//! a quiet switch to local resolution (curl CVE-2023-38545).
//!
//! Everything the proxy will receive is checked before the first byte is sent: credentials
//! (no NUL/CR/LF, lengths the protocol can carry), the target name, the SOCKS4a userid + name sum
//! that makes tokio-socks 0.5.3 panic, an IPv6 target for SOCKS4. Credentials are never printed:
//! `Debug` redacts the password and messages name the proxy by its address and type only.
//!
//! We connect to the proxy ourselves (every address tried, the last error kept) rather than let
//! tokio-socks do it with a blocking resolver that hides why each address failed, and run its
//! `*_with_socket` handshakes on our socket. HTTP CONNECT is written by hand: the reply head is
//! peeked and only its own bytes are consumed, so a target that speaks first (a banner sent in the
//! same segment as `200`) loses nothing.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::str::FromStr;
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_socks::Error as SocksError;
use tokio_socks::TargetAddr;
use tokio_socks::tcp::{Socks4Stream, Socks5Stream};

use super::address::{Host, Target, parse_host};
use super::connect::{resolve, tcp_connect};
use super::error::{Error, ErrorKind, Phase, Result, human_duration, io_detail, lowercase_first};

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
            Host::Ip(IpAddr::V6(ip)) => format!("[{ip}]:{}", self.port),
            Host::Ip(ip) => format!("{ip}:{}", self.port),
            Host::Name(n) => format!("{n}:{}", self.port),
        }
    }

    /// `proxy 127.0.0.1:1080 (socks5)`: how messages name the proxy (never with credentials).
    pub fn label(&self) -> String {
        format!("proxy {} ({})", self.address(), self.kind)
    }

    /// Whether the client resolves the target and sends an IP (`socks5`, `socks4`), rather than
    /// the proxy.
    pub fn resolves_locally(&self) -> bool {
        matches!(self.kind, ProxyKind::Socks5 | ProxyKind::Socks4)
    }

    /// Checks, before any I/O, that this proxy can carry `target`; `peer` names the target.
    pub fn check_target(&self, target: &Target, peer: &str) -> Result<()> {
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
/// Real CONNECT answers are a few hundred bytes; a longer head is a broken or hostile proxy.
const MAX_HTTP_HEAD: usize = 16 * 1024;
/// Enough of a SOCKS answer to describe any reply (method, auth, 4 + 1 + 255 + 2 bytes).
const MAX_RECORDED: usize = 600;

/// What the proxy is asked to connect to: an address resolved here, or a name it resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Dest {
    Addr(SocketAddr),
    Name(String, u16),
}

impl Dest {
    fn socks(&self) -> TargetAddr<'_> {
        match self {
            Dest::Addr(a) => TargetAddr::Ip(*a),
            Dest::Name(n, port) => TargetAddr::Domain(n.as_str().into(), *port),
        }
    }
}

impl fmt::Display for Dest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dest::Addr(a) => write!(f, "{a}"),
            Dest::Name(n, port) => write!(f, "{n}:{port}"),
        }
    }
}

/// A failed handshake, and whether asking for another resolved address of the target may work
/// (the proxy could not reach this one; auth and protocol failures would repeat).
struct Failed {
    error: Error,
    next_address_may_help: bool,
}

/// Names the proxy and the target in every error of the tunnel.
struct Ctx<'a> {
    proxy: &'a ProxyConfig,
    peer: &'a str,
}

impl Ctx<'_> {
    fn error(&self, kind: ErrorKind, detail: impl fmt::Display) -> Error {
        Error::new(
            kind,
            Phase::Proxy,
            self.peer,
            format!("{}: {detail}", self.proxy.label()),
        )
    }

    fn fatal(&self, kind: ErrorKind, detail: impl fmt::Display) -> Failed {
        Failed {
            error: self.error(kind, detail),
            next_address_may_help: false,
        }
    }

    fn io(&self, e: &io::Error) -> Failed {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            self.fatal(
                ErrorKind::Proxy,
                "the proxy closed the connection during the handshake",
            )
        } else {
            self.fatal(
                ErrorKind::Proxy,
                format!("the handshake failed: {}", io_detail(e)),
            )
        }
    }
}

/// Opens a tunnel to `target` through `proxy` before `deadline`: checks, resolves the target when
/// the type says the client does, connects to the proxy and runs the handshake. The stream that
/// comes back carries the target's bytes from the first one on. `budget` is the whole connect
/// timeout (named in timeout messages), `peer` names the target.
pub async fn tunnel(
    proxy: &ProxyConfig,
    target: &Target,
    deadline: Instant,
    budget: Duration,
    peer: &str,
) -> Result<TcpStream> {
    proxy.check_target(target, peer)?;
    let cx = Ctx { proxy, peer };
    let dests = destinations(proxy, target, deadline, budget, peer).await?;
    let mut last = None;
    for dest in dests {
        let mut tcp = reach(&cx, deadline, budget).await?;
        match timeout_at(deadline, handshake(&cx, &mut tcp, &dest)).await {
            Err(_) => {
                return Err(cx.error(
                    ErrorKind::Timeout,
                    format!(
                        "timed out after {} waiting for the proxy's answer",
                        human_duration(budget)
                    ),
                ));
            }
            Ok(Ok(())) => return Ok(tcp),
            Ok(Err(f)) if f.next_address_may_help => last = Some(f.error),
            Ok(Err(f)) => return Err(f.error),
        }
    }
    Err(last.unwrap_or_else(|| {
        Error::new(
            ErrorKind::Dns,
            Phase::Resolve,
            peer,
            "the name has no addresses",
        )
    }))
}

/// The addresses to ask for, in the resolver's order, or the name itself when the proxy
/// resolves: the choice is the proxy type's alone.
async fn destinations(
    proxy: &ProxyConfig,
    target: &Target,
    deadline: Instant,
    budget: Duration,
    peer: &str,
) -> Result<Vec<Dest>> {
    let port = target.port;
    // Only a `Target` built in code holds an IP as a name; sent as a name it would reach a
    // CONNECT line without brackets.
    let host = match &target.host {
        Host::Name(n) => n
            .parse()
            .map(Host::Ip)
            .unwrap_or_else(|_| target.host.clone()),
        ip => ip.clone(),
    };
    let name = match &host {
        Host::Ip(ip) => return Ok(vec![Dest::Addr(SocketAddr::new(*ip, port))]),
        Host::Name(name) if !proxy.resolves_locally() => {
            return Ok(vec![Dest::Name(name.clone(), port)]);
        }
        Host::Name(name) => name,
    };
    let mut addrs = resolve(name, port, deadline, budget, peer).await?;
    if proxy.kind == ProxyKind::Socks4 {
        addrs.retain(SocketAddr::is_ipv4);
        if addrs.is_empty() {
            return Err(Error::new(
                ErrorKind::Settings,
                Phase::Settings,
                peer,
                format!(
                    "{}: '{name}' has IPv6 addresses only and SOCKS4 carries IPv4 only \
                     (use socks4a or socks5h to let the proxy resolve it, or socks5)",
                    proxy.label()
                ),
            ));
        }
    }
    Ok(addrs.into_iter().map(Dest::Addr).collect())
}

/// The TCP connection to the proxy, every address of a proxy name tried in turn.
async fn reach(cx: &Ctx<'_>, deadline: Instant, budget: Duration) -> Result<TcpStream> {
    let at = Target {
        host: cx.proxy.host.clone(),
        port: cx.proxy.port,
    };
    // Kinds stay (refused, timeout, dns): the script can tell a dead proxy from a slow one.
    tcp_connect(&at, deadline, budget)
        .await
        .map_err(|e| cx.error(e.kind, format!("cannot reach the proxy: {}", e.detail)))
}

async fn handshake(cx: &Ctx<'_>, tcp: &mut TcpStream, dest: &Dest) -> Result<(), Failed> {
    match cx.proxy.kind {
        ProxyKind::Socks5 | ProxyKind::Socks5h => socks5(cx, tcp, dest).await,
        ProxyKind::Socks4 | ProxyKind::Socks4a => socks4(cx, tcp, dest).await,
        ProxyKind::Http => http_connect(cx, tcp, dest).await,
    }
}

async fn socks5(cx: &Ctx<'_>, tcp: &mut TcpStream, dest: &Dest) -> Result<(), Failed> {
    let mut rec = Recorder::new(tcp);
    let result = match (&cx.proxy.login, &cx.proxy.password) {
        (Some(user), Some(pass)) => {
            Socks5Stream::connect_with_password_and_socket(&mut rec, dest.socks(), user, pass)
                .await
                .map(drop)
        }
        _ => Socks5Stream::connect_with_socket(&mut rec, dest.socks())
            .await
            .map(drop),
    };
    result.map_err(|e| socks5_failure(cx, dest, &rec.seen, e))
}

/// Words for a SOCKS5 failure. tokio-socks reports an unknown reply code as an unknown auth
/// method, so the recorded answer says which it was.
fn socks5_failure(cx: &Ctx<'_>, dest: &Dest, seen: &[u8], e: SocksError) -> Failed {
    let method = seen.get(1).copied();
    let reply_at = if method == Some(0x02) { 4 } else { 2 };
    let in_reply = seen.len() > reply_at;
    let asked = |what: &str| format!("{what} (asked for {dest})");
    let reply = |detail: String| Failed {
        error: cx.error(ErrorKind::Proxy, detail),
        next_address_may_help: true,
    };
    match e {
        SocksError::Io(io) => cx.io(&io),
        SocksError::NoAcceptableAuthMethods if cx.proxy.login.is_some() => cx.fatal(
            ErrorKind::ProxyAuth,
            "the proxy accepts none of our authentication methods (none, login and password)",
        ),
        SocksError::NoAcceptableAuthMethods | SocksError::AuthorizationRequired => cx.fatal(
            ErrorKind::ProxyAuth,
            "authentication required: the proxy wants a login and password",
        ),
        SocksError::PasswordAuthFailure(_) => cx.fatal(
            ErrorKind::ProxyAuth,
            "authentication failed: the proxy rejected the login or password",
        ),
        SocksError::UnknownAuthMethod if !in_reply => cx.fatal(
            ErrorKind::Proxy,
            format!(
                "the proxy chose authentication method 0x{:02x}, which we did not offer",
                method.unwrap_or(0)
            ),
        ),
        SocksError::UnknownAuthMethod => cx.fatal(
            ErrorKind::Proxy,
            format!(
                "the proxy answered with the unknown reply code 0x{:02x}",
                seen.get(reply_at + 1).copied().unwrap_or(0)
            ),
        ),
        SocksError::GeneralSocksServerFailure => reply(asked(
            "the proxy could not connect to the target: general SOCKS server failure",
        )),
        SocksError::ConnectionNotAllowedByRuleset => cx.fatal(
            ErrorKind::Proxy,
            asked("the proxy's rules do not allow this connection"),
        ),
        SocksError::NetworkUnreachable => reply(asked(
            "target unreachable through the proxy: network unreachable",
        )),
        SocksError::HostUnreachable => reply(asked(
            "target unreachable through the proxy: host unreachable",
        )),
        SocksError::ConnectionRefused => {
            reply(asked("target refused by proxy: connection refused"))
        }
        SocksError::TtlExpired => reply(asked(
            "the proxy's connection to the target timed out: TTL expired",
        )),
        SocksError::CommandNotSupported => cx.fatal(
            ErrorKind::Proxy,
            "the proxy does not support the CONNECT command",
        ),
        SocksError::AddressTypeNotSupported => cx.fatal(
            ErrorKind::Proxy,
            match dest {
                Dest::Name(..) => asked(
                    "the proxy does not accept host names: address type not supported \
                     (socks5 instead of socks5h resolves the name on this machine)",
                ),
                Dest::Addr(SocketAddr::V6(_)) => {
                    asked("the proxy does not accept IPv6 addresses: address type not supported")
                }
                Dest::Addr(SocketAddr::V4(_)) => {
                    asked("the proxy does not accept IPv4 addresses: address type not supported")
                }
            },
        ),
        SocksError::InvalidResponseVersion => cx.fatal(ErrorKind::Proxy, not_socks(seen, 5)),
        SocksError::InvalidReservedByte => cx.fatal(
            ErrorKind::Proxy,
            "malformed SOCKS5 reply: the reserved byte is not 0",
        ),
        SocksError::UnknownAddressType => cx.fatal(
            ErrorKind::Proxy,
            format!(
                "malformed SOCKS5 reply: unknown address type 0x{:02x}",
                seen.get(reply_at + 3).copied().unwrap_or(0)
            ),
        ),
        SocksError::InvalidTargetAddress(what) => cx.fatal(
            ErrorKind::Proxy,
            format!("malformed SOCKS5 reply: the bound address is {what}"),
        ),
        SocksError::InvalidAuthValues(what) => cx.fatal(ErrorKind::Settings, what),
        other => cx.fatal(
            ErrorKind::Proxy,
            format!(
                "the handshake failed: {}",
                lowercase_first(&other.to_string())
            ),
        ),
    }
}

async fn socks4(cx: &Ctx<'_>, tcp: &mut TcpStream, dest: &Dest) -> Result<(), Failed> {
    let mut rec = Recorder::new(tcp);
    let result = match &cx.proxy.login {
        Some(userid) => {
            Socks4Stream::connect_with_userid_and_socket(&mut rec, dest.socks(), userid)
                .await
                .map(drop)
        }
        None => Socks4Stream::connect_with_socket(&mut rec, dest.socks())
            .await
            .map(drop),
    };
    result.map_err(|e| socks4_failure(cx, dest, &rec.seen, e))
}

fn socks4_failure(cx: &Ctx<'_>, dest: &Dest, seen: &[u8], e: SocksError) -> Failed {
    match e {
        SocksError::Io(io) => cx.io(&io),
        SocksError::GeneralSocksServerFailure => {
            let hint = match dest {
                Dest::Name(..) => "; a proxy without SOCKS4a support answers so too",
                Dest::Addr(_) => "",
            };
            Failed {
                error: cx.error(
                    ErrorKind::Proxy,
                    format!("request rejected or failed (SOCKS4 code 91, asked for {dest}){hint}"),
                ),
                next_address_may_help: true,
            }
        }
        SocksError::IdentdAuthFailure => cx.fatal(
            ErrorKind::ProxyAuth,
            "request rejected: the proxy cannot reach identd on this machine (SOCKS4 code 92)",
        ),
        SocksError::InvalidUserIdAuthFailure => cx.fatal(
            ErrorKind::ProxyAuth,
            "request rejected: identd reports another userid than the login (SOCKS4 code 93)",
        ),
        SocksError::UnknownError => cx.fatal(
            ErrorKind::Proxy,
            format!(
                "the proxy answered with the unknown SOCKS4 reply code {}",
                seen.get(1).copied().unwrap_or(0)
            ),
        ),
        SocksError::InvalidResponseVersion => cx.fatal(ErrorKind::Proxy, not_socks(seen, 4)),
        SocksError::AddressTypeNotSupported => cx.fatal(
            ErrorKind::Settings,
            format!("SOCKS4 cannot carry {dest} (IPv4 only)"),
        ),
        SocksError::InvalidAuthValues(what) => cx.fatal(ErrorKind::Settings, what),
        other => cx.fatal(
            ErrorKind::Proxy,
            format!(
                "the handshake failed: {}",
                lowercase_first(&other.to_string())
            ),
        ),
    }
}

/// Describes an answer whose version byte is wrong: often an HTTP proxy behind a socks URL.
fn not_socks(seen: &[u8], version: u8) -> String {
    if seen.starts_with(b"HTTP/") {
        return format!("the proxy answered in HTTP, not SOCKS{version} (is it an HTTP proxy?)");
    }
    format!("the answer is not valid SOCKS{version} ({})", preview(seen))
}

/// The first bytes of an unexpected answer, in hex, for messages.
fn preview(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let more = if bytes.len() > 16 { " …" } else { "" };
    format!("bytes: {}{more}", hex.join(" "))
}

async fn http_connect(cx: &Ctx<'_>, tcp: &mut TcpStream, dest: &Dest) -> Result<(), Failed> {
    // `Dest` prints IPv6 in brackets; names were checked (letters, digits, '-', '_', '.'), so
    // nothing can break out of the request line.
    let mut request = format!("CONNECT {dest} HTTP/1.1\r\nHost: {dest}\r\n");
    if let Some(login) = &cx.proxy.login {
        let pair = format!("{login}:{}", cx.proxy.password.as_deref().unwrap_or(""));
        request.push_str("Proxy-Authorization: Basic ");
        request.push_str(&BASE64.encode(pair));
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    tcp.write_all(request.as_bytes())
        .await
        .map_err(|e| cx.io(&e))?;
    let head = match read_head(tcp).await.map_err(|e| cx.io(&e))? {
        Head::Complete(head) => head,
        Head::Closed(partial) if partial.is_empty() => {
            return Err(cx.fatal(
                ErrorKind::Proxy,
                format!("the proxy closed the connection without answering CONNECT to {dest}"),
            ));
        }
        Head::Closed(partial) if partial.starts_with(b"HTTP/") => {
            return Err(cx.fatal(
                ErrorKind::Proxy,
                format!(
                    "the proxy closed the connection in the middle of its answer to CONNECT \
                     to {dest}"
                ),
            ));
        }
        Head::Closed(partial) => {
            return Err(cx.fatal(
                ErrorKind::Proxy,
                format!(
                    "the answer to CONNECT to {dest} is not HTTP ({}), and the proxy closed \
                     the connection (is it a SOCKS proxy?)",
                    preview(&partial)
                ),
            ));
        }
        Head::TooLarge => {
            return Err(cx.fatal(
                ErrorKind::Proxy,
                format!(
                    "the answer to CONNECT to {dest} has a head over {} KiB",
                    MAX_HTTP_HEAD / 1024
                ),
            ));
        }
    };
    let status = status_line(&head);
    let lines = head.iter().filter(|&&b| b == b'\n').count();
    let mut headers = vec![httparse::EMPTY_HEADER; lines];
    let mut response = httparse::Response::new(&mut headers);
    let parsed = httparse::ParserConfig::default()
        .allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .parse_response(&mut response, &head);
    let code = match (parsed, response.code) {
        (Ok(httparse::Status::Complete(_)), Some(code)) => code,
        _ => {
            return Err(cx.fatal(
                ErrorKind::Proxy,
                format!("the answer to CONNECT to {dest} is not HTTP: {status:?}"),
            ));
        }
    };
    match code {
        200..=299 => Ok(()),
        401 | 407 if cx.proxy.login.is_some() => Err(cx.fatal(
            ErrorKind::ProxyAuth,
            format!(
                "authentication failed: CONNECT to {dest} answered {status:?} \
                 (the proxy rejected the login or password)"
            ),
        )),
        401 | 407 => Err(cx.fatal(
            ErrorKind::ProxyAuth,
            format!(
                "authentication required: CONNECT to {dest} answered {status:?} \
                 (no login was given)"
            ),
        )),
        _ => Err(cx.fatal(
            ErrorKind::Proxy,
            format!("CONNECT to {dest} answered {status:?}"),
        )),
    }
}

/// How reading a CONNECT answer head ended.
enum Head {
    /// Up to and including the blank line.
    Complete(Vec<u8>),
    /// The proxy closed the connection first; what it had sent.
    Closed(Vec<u8>),
    TooLarge,
}

/// Reads the answer head and not one byte more: each chunk is peeked, and only the part up to
/// `\r\n\r\n` is taken off the socket. A target that speaks first may send its greeting in the
/// same segment as the proxy's `200`; those bytes stay in the socket for the connection (and
/// for TLS, which cannot be handed bytes from the side).
async fn read_head(tcp: &mut TcpStream) -> io::Result<Head> {
    let mut head = Vec::with_capacity(256);
    let mut buf = [0u8; 4096];
    loop {
        let room = (MAX_HTTP_HEAD + 1)
            .saturating_sub(head.len())
            .clamp(1, buf.len());
        let window = buf.get_mut(..room).unwrap_or_default();
        let n = tcp.peek(window).await?;
        if n == 0 {
            return Ok(Head::Closed(head));
        }
        let tail = head.get(head.len().saturating_sub(3)..).unwrap_or_default();
        let end = head_end(tail, buf.get(..n).unwrap_or_default());
        let take = end.unwrap_or(n);
        let chunk = buf.get_mut(..take).unwrap_or_default();
        tcp.read_exact(chunk).await?;
        head.extend_from_slice(chunk);
        if end.is_some() {
            return Ok(Head::Complete(head));
        }
        if head.len() > MAX_HTTP_HEAD {
            return Ok(Head::TooLarge);
        }
    }
}

/// How many bytes of `new` complete the first `\r\n\r\n` in `tail` + `new` (`tail` is the end of
/// what was read before, at most 3 bytes, so the marker may straddle reads).
fn head_end(tail: &[u8], new: &[u8]) -> Option<usize> {
    let joined: Vec<u8> = tail.iter().chain(new).copied().collect();
    joined
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at + 4).saturating_sub(tail.len()))
}

/// The first line of an answer, for messages: at most 200 characters, lossy UTF-8.
fn status_line(head: &[u8]) -> String {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).chars().take(200).collect()
}

/// Keeps a copy of the first bytes the proxy sends, so a failure can be described by what the
/// proxy said rather than by tokio-socks' variant names alone.
struct Recorder<S> {
    inner: S,
    seen: Vec<u8>,
}

impl<S> Recorder<S> {
    fn new(inner: S) -> Self {
        Recorder {
            inner,
            seen: Vec::new(),
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorder<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            let room = MAX_RECORDED.saturating_sub(self.seen.len());
            let new = buf.filled().get(before..).unwrap_or_default();
            let keep = new.get(..new.len().min(room)).unwrap_or_default();
            self.seen.extend_from_slice(keep);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorder<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
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
        let detail = |r: Result<ProxyConfig>| r.unwrap_err().detail;
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
        assert_eq!(e.kind, ErrorKind::Settings);
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
        assert!(e.detail.contains("too long together"), "{e}");
        // The same name with a short userid fits; plain SOCKS4 resolves it here instead.
        let short = ProxyConfig::from_url("socks4a://bob@127.0.0.1:1").unwrap();
        assert!(short.check_target(&t, "t").is_ok());
        let local = ProxyConfig::from_url(&format!("socks4://{long}")).unwrap();
        assert!(local.check_target(&t, "t").is_ok());

        // A name built in code, around `Target::parse`, is checked again.
        let http = ProxyConfig::from_url("http://127.0.0.1:1").unwrap();
        let smuggled = target(Host::Name("a\r\nX-Evil: 1".into()), 80);
        assert_eq!(
            http.check_target(&smuggled, "t").unwrap_err().kind,
            ErrorKind::Address
        );
        let e = http
            .check_target(&target(Host::Name("a".into()), 0), "t")
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Address);
    }

    #[test]
    fn the_head_end_is_found_across_reads() {
        assert_eq!(head_end(b"", b"HTTP/1.1 200 OK\r\n\r\nBANNER"), Some(19));
        assert_eq!(head_end(b"", b"HTTP/1.1 200 OK\r\n"), None);
        assert_eq!(head_end(b"\r\n\r", b"\nBANNER"), Some(1));
        assert_eq!(head_end(b"K\r\n", b"\r\nX"), Some(2));
        assert_eq!(head_end(b"\n\r\n", b"X"), None);
    }

    #[test]
    fn answers_are_described_not_dumped() {
        assert_eq!(
            status_line(b"HTTP/1.1 403 Forbidden\r\nA: b\r\n\r\n"),
            "HTTP/1.1 403 Forbidden"
        );
        assert_eq!(status_line(&[b'x'; 500]).len(), 200);
        assert!(not_socks(b"HTTP/1.1 400 Bad Request", 5).contains("answered in HTTP"));
        assert_eq!(
            not_socks(&[0x48, 0x01], 4),
            "the answer is not valid SOCKS4 (bytes: 48 01)"
        );
        assert!(preview(&[0u8; 40]).ends_with(" …"));
    }
}
