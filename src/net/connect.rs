//! Opening a connection: the checks, then TCP (to the target, or to the proxy and through its
//! tunnel), then TLS when asked, all inside one connect deadline.
//!
//! The path is fixed: [`tcp::dial`] or [`proxy::tunnel`] → (TLS →) [`Connection`]. Everything
//! that can be checked without I/O is checked first, so a bad CA file or a target the proxy
//! cannot carry is a settings error, not a half-open connection.
//!
//! [`tcp::dial`]: super::tcp::dial

use std::time::Duration;

use super::address::Target;
use super::connection::Connection;
use super::deadline::Deadline;
use super::error::Result;
use super::proxy::{self, ProxyConfig};
use super::tcp;
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
    if let Some(proxy) = &opts.proxy {
        proxy.check_target(target, &peer)?;
    }
    let tls = match &opts.tls {
        Some(t) => Some(TlsPlan::new(target, t, &peer)?),
        None => None,
    };
    let deadline = Deadline::after(opts.timeout);
    let tcp = match &opts.proxy {
        None => tcp::dial(target, &deadline).await?,
        Some(proxy) => proxy::tunnel(proxy, target, &deadline, &peer).await?,
    };
    let socket = super::linger::socket_of(&tcp);
    let trace = super::trace::global_trace();
    let mut details = String::new();
    if trace.is_some()
        && let Some(p) = &opts.proxy
    {
        // The user only: never the password.
        details.push_str(&format!(" through {}", p.label()));
        if let Some(user) = &p.login {
            details.push_str(&format!(" as user {user:?}"));
        }
    }
    // Over a tunnel TLS still checks (and sends as SNI) the target's name, never the proxy's.
    let mut conn = match tls {
        None => Connection::new(Box::new(tcp), peer.clone()),
        Some(plan) => {
            let stream = plan.handshake(tcp, &deadline, &peer).await?;
            if trace.is_some() {
                let c = stream.get_ref().1;
                let version = c.protocol_version().map(|v| format!("{v:?}"));
                let suite = c
                    .negotiated_cipher_suite()
                    .map(|s| format!("{:?}", s.suite()));
                let check = match &opts.tls {
                    Some(t) if t.accept_invalid_certs => "certificate NOT verified",
                    _ => "certificate verified",
                };
                details.push_str(&format!(
                    ", TLS {} {}, name {}, {check}",
                    version.unwrap_or_default(),
                    suite.unwrap_or_default(),
                    plan.name()
                ));
            }
            let strict = opts.tls.as_ref().is_some_and(|t| t.strict_close);
            Connection::new(Box::new(stream), peer.clone()).with_strict_close(strict)
        }
    };
    conn = conn.with_socket(socket);
    if let Some(t) = trace {
        conn.set_trace(Some(super::trace::Traced::new(t, &peer)));
        conn.trace_event(|| format!("connected{details}"));
    }
    Ok(conn)
}
