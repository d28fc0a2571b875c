//! Opening a connection: resolve, TCP connect, then the layers the options ask for, all inside
//! one connect deadline.
//!
//! The path is fixed: TCP (to the target, or to the proxy and through its tunnel, see
//! [`proxy::tunnel`]) → (TLS →) [`Connection`]. Each resolved address is tried in turn and the
//! last failure is reported, so "refused on ::1, timed out on 127.0.0.1" ends as the error of the
//! last address tried.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use super::address::{Host, Target};
use super::connection::Connection;
use super::error::{Error, ErrorKind, Phase, Result};
use super::proxy::{self, ProxyConfig};
use super::tls::{TlsOptions, TlsPlan};

/// The connect deadline when the caller gives none. Long enough for a slow proxy chain and a TLS
/// handshake across the world; short enough that a black-holed address does not hang a script
/// for the OS's two minutes.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// One deadline for DNS, TCP, the proxy handshake and the TLS handshake together.
    pub timeout: Duration,
    pub tls: Option<TlsOptions>,
    pub proxy: Option<ProxyConfig>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            timeout: DEFAULT_CONNECT_TIMEOUT,
            tls: None,
            proxy: None,
        }
    }
}

/// Opens a connection to `target`.
pub async fn connect(target: &Target, opts: &ConnectOptions) -> Result<Connection> {
    let peer = target.to_string();
    // Both checked before any I/O: a bad CA file or a target the proxy cannot carry is a
    // settings error, not a half-open connection.
    if let Some(proxy) = &opts.proxy {
        proxy.check_target(target, &peer)?;
    }
    let tls = match &opts.tls {
        Some(t) => Some(TlsPlan::new(target, t, &peer)?),
        None => None,
    };
    let deadline = Instant::now() + opts.timeout;
    let tcp = match &opts.proxy {
        None => tcp_connect(target, deadline, opts.timeout).await?,
        Some(proxy) => proxy::tunnel(proxy, target, deadline, opts.timeout, &peer).await?,
    };
    // Over a tunnel TLS still checks (and sends as SNI) the target's name, never the proxy's.
    match tls {
        None => Ok(Connection::new(Box::new(tcp), peer)),
        Some(plan) => {
            let stream = plan.handshake(tcp, deadline, opts.timeout, &peer).await?;
            Ok(Connection::new(Box::new(stream), peer))
        }
    }
}

/// Resolves `target` (unless it is an IP) and connects to the first address that accepts,
/// before `deadline`.
pub async fn tcp_connect(
    target: &Target,
    deadline: Instant,
    budget: Duration,
) -> Result<TcpStream> {
    let peer = target.to_string();
    let addrs = match &target.host {
        Host::Ip(ip) => vec![SocketAddr::new(*ip, target.port)],
        Host::Name(name) => resolve(name, target.port, deadline, budget, &peer).await?,
    };
    let mut last = None;
    for addr in addrs {
        match timeout_at(deadline, TcpStream::connect(addr)).await {
            Err(_) => return Err(Error::timeout(Phase::Connect, &peer, budget)),
            Ok(Ok(stream)) => {
                // Scripts exchange small messages and wait for answers: Nagle would add delay.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Ok(Err(e)) => {
                let mut err = Error::io(Phase::Connect, &peer, &e);
                if addr.ip().to_string() != target.host_str() {
                    err.detail = format!("{} ({addr})", err.detail);
                }
                last = Some(err);
            }
        }
    }
    Err(last.unwrap_or_else(|| {
        Error::new(
            ErrorKind::Dns,
            Phase::Resolve,
            &peer,
            "the name has no addresses",
        )
    }))
}

/// Resolves a name to socket addresses before `deadline`.
pub async fn resolve(
    name: &str,
    port: u16,
    deadline: Instant,
    budget: Duration,
    peer: &str,
) -> Result<Vec<SocketAddr>> {
    match timeout_at(deadline, tokio::net::lookup_host((name, port))).await {
        Err(_) => Err(Error::timeout(Phase::Resolve, peer, budget)),
        Ok(Err(e)) => Err(Error::new(
            ErrorKind::Dns,
            Phase::Resolve,
            peer,
            format!("cannot resolve '{name}': {}", super::error::io_detail(&e)),
        )),
        Ok(Ok(addrs)) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(Error::new(
                    ErrorKind::Dns,
                    Phase::Resolve,
                    peer,
                    format!("'{name}' has no addresses"),
                ))
            } else {
                Ok(addrs)
            }
        }
    }
}
