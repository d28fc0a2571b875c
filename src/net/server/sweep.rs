//! The time limits that free a pool slot (additions to OPI, both off by default): the idle
//! timeout and the lifetime. One timer task per server, not one per connection: it sleeps until the earliest moment a limit could fall due, closes the
//! connections that passed one (logging why) and frees their slots for waiting clients.
//!
//! - Idle means idle from the script's side too: a connection with unread bytes, bytes the
//!   reader waits for room to take in, or bytes waiting to go out is never idle, however long
//!   it sits (one whose client takes nothing is `send_timeout`'s, see `outbox`).
//! - The lifetime is a hard limit, counted from the accept: what the client sent that the
//!   script has not read is dropped (the log says how much); what the script sent still goes.
//! - A client that closed holds no pool slot; its listing ends as it always does.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::limits::ServerLimits;
use super::state::{Conn, Shared, lock};

/// Whether a server needs the timer at all.
pub(super) fn needed(limits: &ServerLimits) -> bool {
    limits.idle_timeout.is_some() || limits.max_lifetime.is_some()
}

/// Why the timer closed a connection.
enum Why {
    Idle(Duration),
    Lifetime(Duration),
}

/// Looked at again after this long at the latest, whatever is due.
const MAX_SLEEP: Duration = Duration::from_secs(3600);

pub(super) async fn sweep_loop(shared: Arc<Shared>) {
    let limits = shared.limits;
    loop {
        let now = Instant::now();
        let mut next = now + MAX_SLEEP;
        // A connection accepted from now on, or a busy one turning idle, is due a whole limit
        // after now at the earliest.
        for limit in [limits.idle_timeout, limits.max_lifetime]
            .into_iter()
            .flatten()
        {
            if let Some(due) = now.checked_add(limit) {
                next = next.min(due);
            }
        }
        let closed: Vec<(u64, Conn, Why)> = {
            let mut guard = lock(&shared);
            let state = &mut *guard;
            if state.stopped {
                return;
            }
            let mut due = Vec::new();
            for (id, c) in state.conns.iter() {
                if c.eof {
                    continue;
                }
                if let Some(why) = check(c, &limits, now, &mut next) {
                    due.push((*id, why));
                }
            }
            due.into_iter()
                .filter_map(|(id, why)| shared.remove(state, id).map(|c| (id, c, why)))
                .collect()
        };
        if !closed.is_empty() {
            for (id, conn, why) in closed {
                let unread = conn.buf.len();
                drop(conn);
                log(&shared, id, &why, unread);
            }
            shared.changed.notify_waiters();
        }
        // Activity only moves a connection's moments later, so waking early is merely a
        // re-check.
        tokio::time::sleep_until(next).await;
    }
}

/// The limit connection `c` passed, if any; otherwise `next` is moved to its earliest due
/// moment.
fn check(c: &Conn, limits: &ServerLimits, now: Instant, next: &mut Instant) -> Option<Why> {
    let mut wake = |due: Instant| *next = (*next).min(due);
    if let Some(life) = limits.max_lifetime
        && let Some(due) = c.accepted.checked_add(life)
    {
        if due <= now {
            return Some(Why::Lifetime(now.saturating_duration_since(c.accepted)));
        }
        wake(due);
    }
    if let Some(idle) = limits.idle_timeout {
        let busy = c.pending || !c.buf.is_empty() || c.out.unsent() > 0;
        let active = c.active_at();
        if !busy && let Some(due) = active.checked_add(idle) {
            if due <= now {
                return Some(Why::Idle(now.saturating_duration_since(active)));
            }
            wake(due);
        }
    }
    None
}

fn log(shared: &Shared, id: u64, why: &Why, unread: usize) {
    let dropped = if unread > 0 {
        format!(" ({unread} unread bytes dropped)")
    } else {
        String::new()
    };
    match why {
        Why::Idle(after) => shared.log(format_args!(
            "Closed idle connection {id} after {} ms{dropped}",
            after.as_millis()
        )),
        Why::Lifetime(after) => shared.log(format_args!(
            "Closed connection {id}: its lifetime is over after {} ms{dropped}",
            after.as_millis()
        )),
    }
}
