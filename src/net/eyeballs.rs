//! Happy eyeballs (RFC 8305): the addresses of a name are raced rather than tried one after
//! another, so a silent first address (a broken IPv6 route, a black-holed host) costs 250 ms
//! instead of the whole connect deadline.
//!
//! The resolver's order is kept within each family and the families alternate, starting with the
//! family of the resolver's first answer (§4). An attempt starts 250 ms after the previous one,
//! or at once when one fails (§5); the first to connect wins and the others are dropped, their
//! sockets closed before they were answered. When none connects, the error names every address
//! and what became of it. Names are resolved by the system's resolver, one call for both
//! families, so §3's separate AAAA and A queries and their resolution delay do not apply.

use std::future::{Future, poll_fn};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::time::Instant;

use super::deadline::Deadline;
use super::error::{Error, ErrorKind, Phase, Result, human_duration, io_detail};
use super::trace::{Traced, note};

/// RFC 8305's recommended Connection Attempt Delay.
pub(crate) const STAGGER: Duration = Duration::from_millis(250);

/// The order to try `addrs` in: duplicates dropped, families alternating from the first.
pub(crate) fn interleave(addrs: &[SocketAddr]) -> Vec<SocketAddr> {
    let mut unique: Vec<SocketAddr> = Vec::with_capacity(addrs.len());
    for a in addrs {
        if !unique.contains(a) {
            unique.push(*a);
        }
    }
    let first_v6 = unique.first().is_some_and(SocketAddr::is_ipv6);
    let (mut first, mut other): (Vec<_>, Vec<_>) =
        unique.into_iter().partition(|a| a.is_ipv6() == first_v6);
    first.reverse();
    other.reverse();
    let mut out = Vec::with_capacity(first.len() + other.len());
    while !first.is_empty() || !other.is_empty() {
        out.extend(first.pop());
        out.extend(other.pop());
    }
    out
}

type Attempt = Pin<Box<dyn Future<Output = io::Result<TcpStream>> + Send>>;

/// Where a race writes what it does: the trace, and how its lines name the addresses (`""` for
/// a target's, `"proxy "` for a proxy's).
#[derive(Clone, Copy)]
pub(crate) struct Seen<'a> {
    pub(crate) trace: Option<&'a Traced>,
    pub(crate) role: &'static str,
}

/// Connects to the first of `addrs` that answers, racing them as the RFC says, before
/// `deadline`. `peer` names the target in errors and `host` is its host as written (an address
/// is added to a single address's error only when it differs).
pub(crate) async fn race(
    addrs: &[SocketAddr],
    deadline: &Deadline,
    how: Seen<'_>,
    peer: &str,
    host: &str,
) -> Result<TcpStream> {
    let order = interleave(addrs);
    let mut failed: Vec<Option<io::Error>> = order.iter().map(|_| None).collect();
    let mut started = 0;
    let won = deadline
        .race(attempts(&order, how, &mut failed, &mut started))
        .await;
    match won {
        Some(Some((i, stream))) => {
            if order.len() > 1 {
                let dropped: Vec<String> = (0..started)
                    .filter(|&k| k != i && failed[k].is_none())
                    .map(|k| order[k].to_string())
                    .collect();
                note(how.trace, || {
                    let mut line = format!("{}{} answered first", how.role, order[i]);
                    if !dropped.is_empty() {
                        line.push_str(&format!("; dropping {}", dropped.join(", ")));
                    }
                    line
                });
            }
            Ok(stream)
        }
        Some(None) => Err(all_failed(&order, &failed, peer, host)),
        None if order.len() == 1 => Err(deadline.timeout_error(Phase::Connect, peer)),
        None => {
            let each: Vec<String> = order
                .iter()
                .zip(&failed)
                .enumerate()
                .map(|(k, (a, f))| match f {
                    Some(e) => format!("{a}: {}", io_detail(e)),
                    None if k < started => format!("{a}: no answer"),
                    None => format!("{a}: not tried"),
                })
                .collect();
            Err(Error::new(
                ErrorKind::Timeout,
                Phase::Connect,
                peer,
                format!(
                    "timed out after {} ({})",
                    human_duration(deadline.budget()),
                    each.join("; ")
                ),
            ))
        }
    }
}

/// Runs the attempts: the index of the one that connected and its stream, or `None` when every
/// address failed (each failure in `failed`). `started` counts the attempts begun.
async fn attempts(
    order: &[SocketAddr],
    how: Seen<'_>,
    failed: &mut [Option<io::Error>],
    started: &mut usize,
) -> Option<(usize, TcpStream)> {
    let mut flying: Vec<(usize, Attempt)> = Vec::new();
    let stagger = tokio::time::sleep(STAGGER);
    tokio::pin!(stagger);
    // The address whose failure has not started the next attempt yet.
    let mut just_failed: Option<usize> = None;
    poll_fn(|cx| {
        loop {
            // The stagger timer is polled last before returning whenever an attempt is left to
            // start (the `||` reaches it after each start), so its wake-up is registered.
            let due = *started < order.len()
                && (flying.is_empty()
                    || just_failed.is_some()
                    || stagger.as_mut().poll(cx).is_ready());
            if due {
                let i = *started;
                *started += 1;
                let why = match (i, just_failed.take()) {
                    (0, _) => String::new(),
                    (_, Some(f)) => format!(" ({} failed)", order[f]),
                    (_, None) => format!(
                        " (no answer from {} in {})",
                        order[i - 1],
                        human_duration(STAGGER)
                    ),
                };
                note(how.trace, || {
                    format!("trying {}{}{why}", how.role, order[i])
                });
                flying.push((i, Box::pin(TcpStream::connect(order[i]))));
                stagger.as_mut().reset(Instant::now() + STAGGER);
                continue;
            }
            let mut k = 0;
            while k < flying.len() {
                match flying[k].1.as_mut().poll(cx) {
                    Poll::Pending => k += 1,
                    Poll::Ready(Ok(stream)) => return Poll::Ready(Some((flying[k].0, stream))),
                    Poll::Ready(Err(e)) => {
                        let (i, _) = flying.swap_remove(k);
                        note(how.trace, || {
                            format!(
                                "attempt to {}{} failed: {}",
                                how.role,
                                order[i],
                                io_detail(&e)
                            )
                        });
                        failed[i] = Some(e);
                        just_failed = Some(i);
                    }
                }
            }
            if just_failed.is_some() && *started < order.len() {
                continue;
            }
            return if flying.is_empty() {
                Poll::Ready(None)
            } else {
                Poll::Pending
            };
        }
    })
    .await
}

/// Every address failed: one address keeps the words it always had; several are each named
/// with their failure, and the kind is the last one's (the order's last, as when they were
/// tried one by one).
fn all_failed(order: &[SocketAddr], failed: &[Option<io::Error>], peer: &str, host: &str) -> Error {
    let (Some(last_addr), Some(Some(last))) = (order.last(), failed.last()) else {
        return Error::new(
            ErrorKind::Dns,
            Phase::Resolve,
            peer,
            "the name has no addresses",
        );
    };
    if order.len() == 1 {
        let detail = if last_addr.ip().to_string() != host {
            format!("{} ({last_addr})", io_detail(last))
        } else {
            io_detail(last)
        };
        return Error::io_described(Phase::Connect, peer, last, detail);
    }
    let each: Vec<String> = order
        .iter()
        .zip(failed)
        .filter_map(|(a, f)| f.as_ref().map(|e| format!("{a}: {}", io_detail(e))))
        .collect();
    Error::io_described(
        Phase::Connect,
        peer,
        last,
        format!("every address failed: {}", each.join("; ")),
    )
}

#[cfg(test)]
mod tests;
