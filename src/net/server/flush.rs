//! The flusher of a connection's outbox (see `outbox`): one task per connection while bytes
//! wait, writing them in order, giving up on a client that takes nothing for `send_timeout`
//! (the connection is then closed, logged), and closing a connection that was closed while it
//! wrote once the bytes are out.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::time::{Instant, timeout_at};

use super::outbox::{Outbox, Step};
use super::state::{Shared, lock};
use crate::net::error::{Error, ErrorKind, Phase, io_detail};
use crate::net::linger::{LINGER, close_server_side, discarding};
use crate::net::trace::Traced;

/// What a flusher needs to know about its connection.
pub(super) struct Flush {
    pub(super) out: Arc<Outbox>,
    pub(super) shared: Arc<Shared>,
    pub(super) id: u64,
    pub(super) trace: Option<Arc<Traced>>,
}

/// Why a flusher stopped writing before the queue was out.
enum Failure {
    Io(std::io::Error),
    /// The client took nothing for this long.
    Stalled(Duration),
}

/// Writes what waits in `f.out` until nothing does, then gives the write half back. Run
/// through `runtime::close_later`: its first attempt runs inside the send that started it, and
/// the end of the script waits for it.
pub(super) async fn flush(f: Flush) {
    let Some(mut half) = f.out.take_half() else {
        return;
    };
    let send_timeout = f.shared.limits.send_timeout;
    let max_unsent = f.shared.limits.max_unsent;
    let failure = loop {
        let (h, chunk, due, read) = match f.out.next_step(half, send_timeout) {
            Step::Write {
                half,
                chunk,
                due,
                read,
            } => (half, chunk, due, read),
            Step::Shut(mut h) => {
                // Best effort, as a close's FIN: a client that takes nothing may keep it waiting.
                let _ = timeout_at(Instant::now() + LINGER, h.shutdown()).await;
                half = h;
                continue;
            }
            Step::Close(h, closing) => {
                close_server_side(Some(h), closing.read).await;
                return;
            }
            Step::Done => return,
        };
        half = h;
        // Once the connection is closed nobody reads it: take what the client sends meanwhile,
        // so that one blocked on sending to us can go on and read.
        let wrote = match &read {
            Some(r) => before(due, discarding(r, half.write(&chunk))).await,
            None => before(due, half.write(&chunk)).await,
        };
        let n = match wrote {
            Some(Ok(n)) if n > 0 => n,
            Some(Ok(_)) => break Failure::Io(std::io::ErrorKind::WriteZero.into()),
            Some(Err(e)) => break Failure::Io(e),
            None => break Failure::Stalled(f.out.stalled_for()),
        };
        if let Some(t) = &f.trace {
            t.chunk(true, &chunk[..n]);
        }
        let unheld = f.out.taken(n, max_unsent);
        f.out.room.notify_waiters();
        if unheld {
            // The script may have its data again, and its reader go on.
            f.shared.space.notify_waiters();
            f.shared.changed.notify_waiters();
        }
    };
    failed(&f, half, failure);
}

/// Runs `fut` until `due` (`None`: no limit); `None` when `due` came first.
async fn before<F: std::future::Future>(due: Option<Instant>, fut: F) -> Option<F::Output> {
    match due {
        Some(at) => timeout_at(at, fut).await.ok(),
        None => Some(fut.await),
    }
}

/// The flusher could not write what waits: later sends fail, and a client that took nothing
/// for `send_timeout` is closed (its pool slot and unread bytes go too).
fn failed(f: &Flush, half: OwnedWriteHalf, failure: Failure) {
    let id = f.id;
    let why = match &failure {
        Failure::Io(e) => Error::io(Phase::Send, format!("connection {id}"), e),
        Failure::Stalled(after) => f.shared.err(
            ErrorKind::Closed,
            Phase::Send,
            format!(
                "connection {id} was closed: its client took no data for {} ms",
                after.as_millis()
            ),
        ),
    };
    // A client that failed or took nothing will not take a FIN either: a connection closed
    // meanwhile is let go at once.
    let (unsent, closed_already) = f.out.fail(half, why);
    match failure {
        Failure::Io(e) => f.shared.log(format_args!(
            "Send to connection {id} failed: {} ({unsent} bytes unsent)",
            io_detail(&e)
        )),
        Failure::Stalled(after) => {
            f.shared.log(format_args!(
                "Closed connection {id}: its client took no data for {} ms ({unsent} bytes unsent)",
                after.as_millis()
            ));
            if !closed_already {
                let conn = f.shared.remove(&mut lock(&f.shared), id);
                drop(conn);
                f.shared.changed.notify_waiters();
            }
        }
    }
}
