//! Opening a connection: the checks, then TCP (to the target, or to the proxy and through its
//! tunnel), then TLS when asked, all inside one connect deadline; and [`connect_all`], many of
//! them at once inside one deadline.
//!
//! The path is fixed: [`tcp::dial`] or [`proxy::tunnel`] → (TLS →) [`Connection`]. Everything
//! that can be checked without I/O is checked first, so a bad CA file or a target the proxy
//! cannot carry is a settings error, not a half-open connection.
//!
//! With `--trace`, a connect is traced from its first step under the number its connection will
//! have: the proxy and its user, each address tried and how it failed, the proxy handshake asked
//! for and the step that failed, the TLS handshake, and a last line: `connected …`, or
//! `failed (kind): the error`. A connect that fails is when a trace is most wanted.
//!
//! [`tcp::dial`]: super::tcp::dial

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use super::address::Target;
use super::connection::Connection;
use super::deadline::Deadline;
use super::error::{Error, ErrorKind, Phase, Result};
use super::proxy::{self, ProxyConfig, ProxyKind};
use super::tcp::{self, Dial, Family};
use super::tls::{TlsOptions, TlsPlan};
use super::trace::{Traced, global_trace, note};

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
    /// The family of the target's addresses; [`Family::Any`] races both.
    pub family: Family,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            timeout: DEFAULT_CONNECT_TIMEOUT,
            tls: None,
            proxy: None,
            family: Family::Any,
        }
    }
}

/// Opens a connection to `target`.
pub async fn connect(target: &Target, opts: &ConnectOptions) -> Result<Connection> {
    connect_by(target, opts, &Deadline::after(opts.timeout)).await
}

/// Opens connections to every one of `targets` at once, all inside one deadline (`opts.timeout`
/// from now): their results in the order of `targets`. Returns when the last has finished or
/// the deadline has passed; a connect still in flight then is dropped (its socket closed) and
/// its result is a timeout.
pub async fn connect_all(targets: &[Target], opts: &ConnectOptions) -> Vec<Result<Connection>> {
    let deadline = Deadline::after(opts.timeout);
    let mut done: Vec<Option<Result<Connection>>> = targets.iter().map(|_| None).collect();
    type Flying<'a> = Pin<Box<dyn Future<Output = Result<Connection>> + 'a>>;
    let mut flying: Vec<(usize, Flying<'_>)> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| (i, Box::pin(connect_by(t, opts, &deadline)) as Flying<'_>))
        .collect();
    let all = poll_fn(|cx| {
        flying.retain_mut(|(i, f)| match f.as_mut().poll(cx) {
            Poll::Ready(r) => {
                done[*i] = Some(r);
                false
            }
            Poll::Pending => true,
        });
        if flying.is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    });
    // Each connect keeps the same deadline itself; this one only bounds the whole.
    let _ = deadline.race(all).await;
    drop(flying);
    done.into_iter()
        .zip(targets)
        .map(|(r, t)| {
            r.unwrap_or_else(|| Err(deadline.timeout_error(Phase::Connect, &t.to_string())))
        })
        .collect()
}

async fn connect_by(
    target: &Target,
    opts: &ConnectOptions,
    deadline: &Deadline,
) -> Result<Connection> {
    let peer = target.to_string();
    let trace = global_trace().map(|t| Traced::new(t, &peer));
    match attempt(target, opts, deadline, trace.as_ref(), &peer).await {
        Ok((mut conn, details)) => {
            if let Some(t) = trace {
                conn.set_trace(Some(t));
                conn.trace_event(|| format!("connected{details}"));
            }
            Ok(conn)
        }
        Err(e) => {
            note(trace.as_ref(), || {
                format!("not connected ({}): {e}", e.kind())
            });
            Err(e)
        }
    }
}

/// The connect itself, and the details of its `connected` line when traced.
async fn attempt(
    target: &Target,
    opts: &ConnectOptions,
    deadline: &Deadline,
    trace: Option<&Traced>,
    peer: &str,
) -> Result<(Connection, String)> {
    if let Some(proxy) = &opts.proxy {
        proxy.check_target(target, peer)?;
    }
    let proxy_resolves = opts.proxy.as_ref().is_some_and(|p| !p.resolves_locally());
    opts.family.check(target, proxy_resolves, peer)?;
    if opts.family == Family::Ipv6
        && let Some(p) = opts.proxy.as_ref().filter(|p| p.kind == ProxyKind::Socks4)
    {
        return Err(Error::new(
            ErrorKind::Settings,
            Phase::Settings,
            peer,
            format!(
                "{}: SOCKS4 carries IPv4 only, and the family is pinned to ipv6",
                p.label()
            ),
        ));
    }
    let tls = match &opts.tls {
        Some(t) => Some(TlsPlan::new(target, t, peer)?),
        None => None,
    };
    let mut details = String::new();
    if trace.is_some()
        && let Some(p) = &opts.proxy
    {
        // The user only: never the password.
        details.push_str(&format!(" through {}", p.label()));
        if let Some(user) = &p.login {
            details.push_str(&format!(" as user {user:?}"));
        }
        note(trace, || format!("connecting{details}"));
    }
    let how = Dial {
        deadline,
        family: opts.family,
        trace,
        role: "",
    };
    let tcp = match &opts.proxy {
        None => tcp::dial(target, &how).await?,
        Some(proxy) => proxy::tunnel(proxy, target, &how, peer).await?,
    };
    let socket = super::linger::socket_of(&tcp);
    // Over a tunnel TLS still checks (and sends as SNI) the target's name, never the proxy's.
    let conn = match tls {
        None => Connection::new(Box::new(tcp), peer),
        Some(plan) => {
            note(trace, || format!("TLS handshake, name {}", plan.name()));
            let stream = plan.handshake(tcp, deadline, peer).await?;
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
            Connection::new(Box::new(stream), peer).with_strict_close(strict)
        }
    };
    Ok((conn.with_socket(socket), details))
}
