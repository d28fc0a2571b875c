//! Proxy tunnels: [`tunnel`] opens the TCP connection to the proxy and runs the handshake its
//! type speaks ([`socks`] for SOCKS5 / SOCKS4 / SOCKS4a, [`http`] for HTTP CONNECT), so that the
//! stream it returns carries the target's bytes from the first one on.
//!
//! We connect to the proxy ourselves (its addresses raced as a target's, each failure named)
//! rather than let tokio-socks do it with a blocking resolver that hides why each address
//! failed, and run its `*_with_socket` handshakes on our socket. The trace shows the handshake
//! asked for and the step that failed, never its bytes (they hold the credentials).

mod config;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod http;
mod kind;
mod socks;

pub use config::ProxyConfig;
pub use kind::ProxyKind;

use std::fmt;
use std::io;
use std::net::SocketAddr;

use tokio::net::TcpStream;
use tokio_socks::TargetAddr;

use super::address::{Host, Target};
use super::error::{Error, ErrorKind, Phase, Result, io_detail};
use super::tcp::{self, Dial, Family};
use super::trace::note;

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

/// A failed handshake, the step it failed at, and whether asking for another resolved address
/// of the target may work (the proxy could not reach this one; auth and protocol failures would
/// repeat).
struct Failed {
    error: Error,
    next_address_may_help: bool,
    /// `greeting`, `login` or `CONNECT request`, for the trace.
    step: &'static str,
}

/// The step of every handshake but SOCKS5's greeting and login.
const CONNECT_STEP: &str = "CONNECT request";

/// Names the proxy and the target in every error of the tunnel.
struct Ctx<'a> {
    proxy: &'a ProxyConfig,
    peer: &'a str,
}

impl Ctx<'_> {
    /// Every error of a tunnel passes here, so the password never leaves in one, whatever the
    /// proxy sent back for us to quote.
    fn error(&self, kind: ErrorKind, detail: impl fmt::Display) -> Error {
        Error::new(
            kind,
            Phase::Proxy,
            self.peer,
            self.proxy
                .redact(&format!("{}: {detail}", self.proxy.label())),
        )
    }

    fn fatal(&self, kind: ErrorKind, detail: impl fmt::Display) -> Failed {
        Failed {
            error: self.error(kind, detail),
            next_address_may_help: false,
            step: CONNECT_STEP,
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

/// Opens a tunnel to `target` through `proxy` before the dial's deadline: resolves the target
/// when the type says the client does (keeping the dial's family), connects to the proxy and runs
/// the handshake. The caller has checked that the proxy can carry the target
/// ([`ProxyConfig::check_target`]; `connect` does); `peer` names the target.
pub(crate) async fn tunnel(
    proxy: &ProxyConfig,
    target: &Target,
    how: &Dial<'_>,
    peer: &str,
) -> Result<TcpStream> {
    let cx = Ctx { proxy, peer };
    let dests = destinations(proxy, target, how, peer).await?;
    let mut last = None;
    for dest in dests {
        let mut tcp = reach(&cx, how).await?;
        note(how.trace, || {
            format!("{} handshake, asking for {dest}", proxy.kind)
        });
        match how
            .deadline
            .run(Phase::Proxy, peer, handshake(&cx, &mut tcp, &dest))
            .await
        {
            Err(timeout) => {
                return Err(cx.error(
                    ErrorKind::Timeout,
                    format!("{} waiting for the proxy's answer", timeout.detail()),
                ));
            }
            Ok(Ok(())) => return Ok(tcp),
            Ok(Err(f)) => {
                note(how.trace, || {
                    format!("{} handshake failed at the {}", proxy.kind, f.step)
                });
                if !f.next_address_may_help {
                    return Err(f.error);
                }
                last = Some(f.error);
            }
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
    how: &Dial<'_>,
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
    let all = tcp::resolve(name, port, how.deadline, peer).await?;
    let mut addrs = how.family.keep(all, name, peer)?;
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

/// The TCP connection to the proxy, the addresses of a proxy name raced as a target's are. The
/// family pins the target's addresses, not the proxy's: the proxy may reach the target over
/// another family than the one this machine reaches the proxy over.
async fn reach(cx: &Ctx<'_>, how: &Dial<'_>) -> Result<TcpStream> {
    let at = Target {
        host: cx.proxy.host.clone(),
        port: cx.proxy.port,
    };
    let how = Dial {
        family: Family::Any,
        role: "proxy ",
        ..*how
    };
    // Kinds stay (refused, timeout, dns): the script can tell a dead proxy from a slow one.
    tcp::dial(&at, &how)
        .await
        .map_err(|e| cx.error(e.kind(), format!("cannot reach the proxy: {}", e.detail())))
}

async fn handshake(cx: &Ctx<'_>, tcp: &mut TcpStream, dest: &Dest) -> Result<(), Failed> {
    match cx.proxy.kind {
        ProxyKind::Socks5 | ProxyKind::Socks5h => socks::socks5(cx, tcp, dest).await,
        ProxyKind::Socks4 | ProxyKind::Socks4a => socks::socks4(cx, tcp, dest).await,
        ProxyKind::Http => http::connect(cx, tcp, dest).await,
    }
}

/// The first bytes of an unexpected answer, in hex, for messages.
fn preview(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let more = if bytes.len() > 16 { " …" } else { "" };
    format!("bytes: {}{more}", hex.join(" "))
}
