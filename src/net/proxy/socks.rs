//! The SOCKS5, SOCKS4 and SOCKS4a handshakes, run by tokio-socks on our socket, and their
//! failures in a user's words. A [`Recorder`] keeps the proxy's first bytes, so a failure is
//! described by what the proxy said rather than by tokio-socks' variant names alone.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_socks::Error as SocksError;
use tokio_socks::tcp::{Socks4Stream, Socks5Stream};

use super::{CONNECT_STEP, Ctx, Dest, Failed, preview};
use crate::net::error::{ErrorKind, lowercase_first};

/// Enough of a SOCKS answer to describe any reply (method, auth, 4 + 1 + 255 + 2 bytes).
const MAX_RECORDED: usize = 600;

pub(super) async fn socks5<S: AsyncRead + AsyncWrite + Unpin>(
    cx: &Ctx<'_>,
    tcp: &mut S,
    dest: &Dest,
) -> Result<(), Failed> {
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
    result.map_err(|e| {
        let step = socks5_step(&rec.seen, &e);
        Failed {
            step,
            ..socks5_failure(cx, dest, &rec.seen, e)
        }
    })
}

/// Which step of a SOCKS5 handshake failed, by the error and how much the proxy had answered:
/// the greeting (method choice), the login, or the CONNECT request.
fn socks5_step(seen: &[u8], e: &SocksError) -> &'static str {
    let method = seen.get(1).copied();
    match e {
        SocksError::PasswordAuthFailure(_) => "login",
        SocksError::NoAcceptableAuthMethods | SocksError::AuthorizationRequired => "greeting",
        _ if seen.len() < 2 => "greeting",
        SocksError::UnknownAuthMethod if method != Some(0x02) && seen.len() == 2 => "greeting",
        _ if method == Some(0x02) && seen.len() < 4 => "login",
        _ => CONNECT_STEP,
    }
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
        step: CONNECT_STEP,
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

pub(super) async fn socks4<S: AsyncRead + AsyncWrite + Unpin>(
    cx: &Ctx<'_>,
    tcp: &mut S,
    dest: &Dest,
) -> Result<(), Failed> {
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
                step: CONNECT_STEP,
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
pub(super) fn not_socks(seen: &[u8], version: u8) -> String {
    if seen.starts_with(b"HTTP/") {
        return format!("the proxy answered in HTTP, not SOCKS{version} (is it an HTTP proxy?)");
    }
    format!("the answer is not valid SOCKS{version} ({})", preview(seen))
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
