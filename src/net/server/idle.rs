//! Closing idle connections (an addition to OPI, off by default): one timer task per server, not
//! one per connection. It sleeps until the earliest moment a connection could have been idle for
//! the whole timeout, closes those that were, and frees their pool slots for waiting clients.
//!
//! Idle means idle from the script's side too: a connection with unread bytes, bytes the reader
//! waits for room to take in, or bytes waiting to go out is never closed, however long it sits
//! (one whose client takes nothing is `send_timeout`'s, see `outbox`).

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::state::{Conn, Shared, lock};

pub(super) async fn idle_loop(shared: Arc<Shared>, timeout: Duration) {
    loop {
        let now = Instant::now();
        // A timeout past the end of the clock never comes.
        let Some(mut next) = now.checked_add(timeout) else {
            return;
        };
        let closed: Vec<(u64, Conn)> = {
            let mut guard = lock(&shared);
            let state = &mut *guard;
            if state.stopped {
                return;
            }
            let mut idle = Vec::new();
            for (id, c) in &state.conns {
                // A client that closed holds no pool slot; its listing ends as it always does.
                let busy = c.eof || c.pending || !c.buf.is_empty() || c.out.unsent() > 0;
                if busy {
                    continue;
                }
                match c.active_at().checked_add(timeout) {
                    Some(due) if due <= now => idle.push(*id),
                    Some(due) => next = next.min(due),
                    None => {}
                }
            }
            idle.into_iter()
                .filter_map(|id| shared.remove(state, id).map(|c| (id, c)))
                .collect()
        };
        if !closed.is_empty() {
            for (id, conn) in closed {
                let ms = now.saturating_duration_since(conn.active_at()).as_millis();
                drop(conn);
                shared.log(format_args!("Closed idle connection {id} after {ms} ms"));
            }
            shared.changed.notify_waiters();
        }
        // Activity only moves a connection's moment later, so waking early is merely a re-check;
        // a connection accepted while asleep is due a whole timeout after now at the earliest.
        tokio::time::sleep_until(next).await;
    }
}
