//! Making room when the pool is full and a client waits (on by default): the connection that is
//! least useful to keep goes, so that clients which hold a slot without being done (a hundred
//! slowloris dribbling a byte a second) cannot keep everyone else out.
//!
//! Which one: first a held connection (its client does not take what the script sends it, see
//! `outbox`), then the one least recently active (no byte in, no read, no send: nginx reuses
//! its idle keep-alive connections first the same way). Never one with data the script has not
//! read, unless it is held: the script would lose a request it has not seen. When every
//! connection has unread data, the client waits until one ends or is read.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::state::{Shared, State, lock};

/// How often a waiting client looks again for a connection to take the place of, when none
/// could go: a connection turning held (a send to it) wakes nobody.
const RECHECK: Duration = Duration::from_millis(100);

/// A pool slot for the client waiting to be admitted: a free one, or one taken back from a
/// connection that is closed for it (logged). `None` once the pool is closed.
pub(super) async fn make_room(
    shared: &Shared,
    pool: &Arc<Semaphore>,
) -> Option<OwnedSemaphorePermit> {
    loop {
        if let Ok(p) = Arc::clone(pool).try_acquire_owned() {
            return Some(p);
        }
        let changed = shared.changed.notified();
        tokio::pin!(changed);
        // Registered before the connections are looked at, so a change in between is seen.
        changed.as_mut().enable();
        let evicted = {
            let mut state = lock(shared);
            victim(shared, &state)
                .and_then(|(id, held)| shared.remove(&mut state, id).map(|c| (id, held, c)))
        };
        if let Some((id, held, conn)) = evicted {
            let idle = Instant::now().saturating_duration_since(conn.active_at());
            let unread = conn.buf.len();
            // Its permit goes back to the pool here.
            drop(conn);
            if held {
                shared.log(format_args!(
                    "Pool full: closed connection {id}, whose client takes none of the data \
                     sent to it, to admit a new client ({unread} unread bytes dropped)"
                ));
            } else {
                shared.log(format_args!(
                    "Pool full: closed connection {id}, idle for {} ms, to admit a new client",
                    idle.as_millis()
                ));
            }
            shared.changed.notify_waiters();
            continue;
        }
        tokio::select! {
            p = Arc::clone(pool).acquire_owned() => return p.ok(),
            _ = changed => {}
            _ = tokio::time::sleep(RECHECK) => {}
        }
    }
}

/// The connection to close for a waiting client, and whether it is held.
fn victim(shared: &Shared, state: &State) -> Option<(u64, bool)> {
    let max_unsent = shared.limits.max_unsent;
    state
        .conns
        .iter()
        // Only a connection that holds a slot frees one.
        .filter(|(_, c)| c.permit.is_some())
        .filter_map(|(id, c)| {
            let held = c.out.held(max_unsent);
            (held || c.buf.is_empty()).then_some((!held, c.active_at(), *id))
        })
        .min()
        .map(|(not_held, _, id)| (id, !not_held))
}
