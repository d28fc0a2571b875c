//! A connection's outgoing side: the bytes a send accepted that the client's TCP has not taken
//! yet, and the bookkeeping of the flusher that writes them (`flush`), so that a send never
//! waits on a client that does not read (the script has one thread for all its clients).
//!
//! Decisions:
//! - A send is accepted whole or not at all: a message starts only when fewer than
//!   `max_unsent` bytes wait before it (it may take the queue past that, by itself alone). So
//!   the bytes on the wire are always whole messages in order, and a send that fails sent
//!   nothing (no stream is left with half a message).
//! - One flusher per connection writes while bytes wait, started by the send that found the
//!   queue empty; its first attempt runs inside that send (see `runtime::close_later`, which
//!   also makes the end of the script wait for it), so a reply to a reading client is on the
//!   wire when the send returns, as before.
//! - A client that takes none of the waiting bytes for `send_timeout` is closed (nginx's
//!   `send_timeout`): its flusher gives up, and the connection goes, logged.
//! - A connection with `max_unsent` or more waiting is *held*: the script is given none of its
//!   data and its reader pauses, so a client that sends without reading the answers is slowed
//!   by TCP flow control instead of filling the queue (an HTTP server answers pipelined requests
//!   the same way).
//! - A connection closed while bytes wait (CloseIncomingConnection, StopServer, a limit, the
//!   script's end) is closed by its flusher once they are out: within `send_timeout` of the
//!   client's last progress and [`LINGER`] of the close, whichever comes first, taking what the
//!   client sends meanwhile; then the lingering close, as any connection.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::net::error::Error;
use crate::net::linger::LINGER;

pub(super) struct Outbox {
    queue: Mutex<Queue>,
    /// Bytes went out, or the outbox failed: wakes a send waiting for room.
    pub(super) room: Notify,
}

#[derive(Default)]
struct Queue {
    chunks: VecDeque<Bytes>,
    queued: usize,
    /// The write half, while no flusher has it.
    half: Option<OwnedWriteHalf>,
    flushing: bool,
    /// CompleteSend was called: FIN once the queue is out.
    shut: bool,
    /// Since when the client has taken nothing while bytes waited.
    stalled_since: Option<Instant>,
    /// When the client last took bytes.
    last_taken: Option<Instant>,
    /// Why sends fail from now on (a write failed, or the client took nothing for too long).
    failed: Option<Error>,
    /// The connection was closed while the flusher ran: it closes the socket when it is done.
    closing: Option<Closing>,
}

pub(super) struct Closing {
    pub(super) read: Option<Arc<OwnedReadHalf>>,
    at: Instant,
}

/// What [`Outbox::offer`] did with a message.
pub(super) enum Offer {
    /// Accepted; `true`: a flusher must be started (see `flush`).
    Accepted(bool),
    /// `max_unsent` or more wait: wait for [`Outbox::room`] and offer again.
    Full,
    Failed(Error),
}

/// How [`Outbox::close`] left the connection.
pub(super) enum Closed {
    Now(Option<OwnedWriteHalf>, Option<Arc<OwnedReadHalf>>),
    ByFlusher,
}

/// A flusher's next step (see `flush`), decided under the queue's lock; each but the last hands
/// the write half back to the flusher.
pub(super) enum Step {
    /// Write (some of) `chunk` before `due`; `read` is the read half of a closed connection,
    /// whose incoming bytes are taken meanwhile.
    Write {
        half: OwnedWriteHalf,
        chunk: Bytes,
        due: Option<Instant>,
        read: Option<Arc<OwnedReadHalf>>,
    },
    /// Send the FIN CompleteSend asked for.
    Shut(OwnedWriteHalf),
    /// Nothing waits and the connection was closed meanwhile: close it now.
    Close(OwnedWriteHalf, Closing),
    /// Nothing waits: the half is back in the outbox, and the next send starts a new flusher.
    Done,
}

impl Outbox {
    pub(super) fn new(half: OwnedWriteHalf) -> Outbox {
        Outbox {
            queue: Mutex::new(Queue {
                half: Some(half),
                ..Queue::default()
            }),
            room: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // The queue is consistent between statements; a panic elsewhere leaves nothing half-done.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Bytes waiting to go out.
    pub(super) fn unsent(&self) -> usize {
        self.lock().queued
    }

    /// `max_unsent` or more wait: the client is not keeping up with what the script sends.
    pub(super) fn held(&self, max_unsent: usize) -> bool {
        self.unsent() >= max_unsent.max(1)
    }

    /// Queues `data` whole if fewer than `max_unsent` bytes wait.
    pub(super) fn offer(&self, data: &Bytes, max_unsent: usize) -> Offer {
        let mut q = self.lock();
        if let Some(e) = &q.failed {
            return Offer::Failed(e.clone());
        }
        if q.queued > 0 && q.queued >= max_unsent.max(1) {
            return Offer::Full;
        }
        if !data.is_empty() {
            q.chunks.push_back(data.clone());
            q.queued += data.len();
            q.stalled_since.get_or_insert_with(Instant::now);
        }
        Offer::Accepted(start(&mut q))
    }

    /// CompleteSend: FIN after what waits; `true` if a flusher must be started for it.
    pub(super) fn shut(&self) -> bool {
        let mut q = self.lock();
        q.shut = true;
        start(&mut q)
    }

    /// The connection is being closed: the halves to close now, or [`Closed::ByFlusher`] when a
    /// flusher has the write half and closes the connection once what waits is out (it takes
    /// `read` for that).
    pub(super) fn close(&self, read: Option<Arc<OwnedReadHalf>>) -> Closed {
        let mut q = self.lock();
        if q.flushing {
            q.closing = Some(Closing {
                read,
                at: Instant::now(),
            });
            return Closed::ByFlusher;
        }
        Closed::Now(q.half.take(), read)
    }

    /// The write half for a flusher that was just started.
    pub(super) fn take_half(&self) -> Option<OwnedWriteHalf> {
        let mut q = self.lock();
        let half = q.half.take();
        if half.is_none() {
            q.flushing = false;
        }
        half
    }

    /// What the flusher holding `half` does next. A client that takes nothing is given
    /// `send_timeout` from its last progress, and [`LINGER`] from the close once the
    /// connection is closed.
    pub(super) fn next_step(&self, half: OwnedWriteHalf, send_timeout: Duration) -> Step {
        let mut q = self.lock();
        if let Some(chunk) = q.chunks.front().cloned() {
            let stalled = q.stalled_since.unwrap_or_else(Instant::now);
            let mut due = stalled.checked_add(send_timeout);
            let mut read = None;
            if let Some(c) = &q.closing {
                due = Some(due.map_or(c.at + LINGER, |d| d.min(c.at + LINGER)));
                read = c.read.clone();
            }
            return Step::Write {
                half,
                chunk,
                due,
                read,
            };
        }
        if q.shut {
            q.shut = false;
            return Step::Shut(half);
        }
        // Under the same lock as the check: a send from now on starts a new flusher.
        q.flushing = false;
        match q.closing.take() {
            Some(c) => Step::Close(half, c),
            None => {
                q.half = Some(half);
                Step::Done
            }
        }
    }

    /// The client took `n` bytes of the front chunk. `true` if that ended the hold (see
    /// [`Outbox::held`]).
    pub(super) fn taken(&self, n: usize, max_unsent: usize) -> bool {
        let mut q = self.lock();
        let max_unsent = max_unsent.max(1);
        let was_held = q.queued >= max_unsent;
        if let Some(front) = q.chunks.front_mut() {
            let _ = front.split_to(n.min(front.len()));
            if front.is_empty() {
                q.chunks.pop_front();
            }
        }
        q.queued = q.queued.saturating_sub(n);
        let now = Instant::now();
        q.last_taken = Some(now);
        q.stalled_since = (q.queued > 0).then_some(now);
        was_held && q.queued < max_unsent
    }

    /// When the client last took bytes, if ever.
    pub(super) fn last_taken(&self) -> Option<Instant> {
        self.lock().last_taken
    }

    /// How long the client has taken nothing.
    pub(super) fn stalled_for(&self) -> Duration {
        self.lock()
            .stalled_since
            .map_or(Duration::ZERO, |t| t.elapsed())
    }

    /// The flusher could not write what waits: sends fail with `why` from now on, and what
    /// waits is dropped. Returns the bytes dropped, and whether the connection was closed
    /// meanwhile (then `half` is let go: a client that failed or took nothing will not take a
    /// FIN either); otherwise `half` goes back for the connection's own close.
    pub(super) fn fail(&self, half: OwnedWriteHalf, why: Error) -> (usize, bool) {
        let mut q = self.lock();
        let unsent = q.queued;
        q.failed = Some(why);
        q.chunks.clear();
        q.queued = 0;
        q.stalled_since = None;
        q.flushing = false;
        let closed_already = q.closing.take().is_some();
        if !closed_already {
            q.half = Some(half);
        }
        drop(q);
        self.room.notify_waiters();
        (unsent, closed_already)
    }
}

/// Marks a flusher as running if none does and there is work for one.
fn start(q: &mut Queue) -> bool {
    let work = q.queued > 0 || (q.shut && q.half.is_some());
    if q.flushing || !work || q.half.is_none() {
        return false;
    }
    q.flushing = true;
    true
}
