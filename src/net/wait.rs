//! `WaitAny`: one wait over several connections and servers, single-threaded and fair. The
//! check runs in a rotating order (the caller moves the start each call), so a connection that
//! always has data cannot hide another one that has some too.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use super::connection::{Connection, Filled};
use super::deadline::Deadline;
use super::error::Error;
use super::server::{Server, ServerEvent};

/// One thing to wait on. A server carries the id of the last connection reported to the caller.
pub enum Waitable<'a> {
    Conn(&'a mut Connection),
    Server {
        server: &'a Server,
        seen: &'a mut u64,
    },
}

/// What happened on the item at the index [`wait_any`] returns.
#[derive(Debug)]
pub enum Event {
    /// Bytes are buffered.
    Data,
    /// The peer closed and nothing is buffered.
    Eof,
    /// The stream failed.
    Failed(Error),
    /// A server event.
    Server(ServerEvent),
}

/// Waits until one of `items` has something, checking from `start` round; `None` when `timeout`
/// passes first (a zero timeout looks once).
pub async fn wait_any(
    items: &mut [Waitable<'_>],
    start: usize,
    timeout: Duration,
) -> Option<(usize, Event)> {
    let deadline = Deadline::after(timeout);
    let n = items.len();
    if n == 0 {
        return None;
    }
    // The calling thread's runtime learns which sockets are readable only when it polls its I/O
    // driver, which a yield lets it do: without it, one socket that is always ready would be
    // the only one ever seen ready.
    tokio::task::yield_now().await;
    loop {
        // Server waits are registered before their state is read, so no change is missed.
        let mut changes: Vec<_> = items
            .iter()
            .map(|item| match item {
                Waitable::Server { server, .. } => Some(Box::pin(server.changed())),
                Waitable::Conn(_) => None,
            })
            .collect();
        for w in changes.iter_mut().flatten() {
            w.as_mut().enable();
        }
        for k in 0..n {
            let i = (start + k) % n;
            match &mut items[i] {
                Waitable::Conn(c) if c.buffered() > 0 => return Some((i, Event::Data)),
                Waitable::Conn(c) if c.at_eof() => return Some((i, Event::Eof)),
                Waitable::Conn(_) => {}
                Waitable::Server { server, seen } => {
                    if let Some(e) = server.next_event(seen) {
                        return Some((i, Event::Server(e)));
                    }
                }
            }
        }
        let mut waits: Vec<Pin<Box<dyn Future<Output = Option<Error>> + Send + '_>>> =
            Vec::with_capacity(n);
        for (item, change) in items.iter_mut().zip(changes) {
            match (item, change) {
                (Waitable::Conn(c), _) => waits.push(Box::pin(async move {
                    match c.fill(&Deadline::NONE, 64 * 1024).await {
                        Filled::Failed(e) => Some(e),
                        _ => None,
                    }
                })),
                (Waitable::Server { .. }, Some(change)) => waits.push(Box::pin(async move {
                    change.await;
                    None
                })),
                (Waitable::Server { .. }, None) => {}
            }
        }
        // Every wait is polled each time, so every stream that is ready fills its buffer and
        // the rotating check above sees all of them, not only the first in the list.
        let ready = poll_fn(|cx| {
            let mut ready = Vec::new();
            for k in 0..waits.len() {
                let i = (start + k) % waits.len();
                if let Poll::Ready(e) = waits[i].as_mut().poll(cx) {
                    ready.push((i, e));
                }
            }
            if ready.is_empty() {
                Poll::Pending
            } else {
                Poll::Ready(ready)
            }
        });
        let ready = deadline.race(ready).await?;
        drop(waits);
        if let Some((i, Some(e))) = ready.into_iter().find(|(_, e)| e.is_some()) {
            return Some((i, Event::Failed(e)));
        }
    }
}
