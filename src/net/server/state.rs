//! A server's shared state: the connections with their unread bytes, the order in which data
//! arrived, the budget of unread bytes they share, and the notifications that wake a waiting
//! script call or a paused reader. The script side and the background tasks meet here, under one
//! lock held only for bookkeeping (never across I/O; a log line is only queued for its writer).

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::{Bytes, BytesMut};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{Notify, OwnedSemaphorePermit};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::limits::{Budget, ServerLimits};
use super::outbox::{Closed, Outbox};
use super::rate::RateWindow;
use crate::net::error::{Error, ErrorKind, Gone, Phase};
use crate::net::log::Log;
use crate::net::trace::Traced;

pub(super) struct Shared {
    pub(super) state: Mutex<State>,
    /// Data arrived, a connection came or went, or the server stopped.
    pub(super) changed: Notify,
    /// Room came free in the budget: wakes every paused reader, since the room a reader waits
    /// for may be given back by any connection.
    pub(super) space: Notify,
    pub(super) budget: Budget,
    pub(super) limits: ServerLimits,
    pub(super) log: Option<Arc<Log>>,
    pub(super) name: String,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) conns: BTreeMap<u64, Conn>,
    /// Connections with unread data, in the order their data arrived.
    pub(super) ready: VecDeque<u64>,
    pub(super) next_id: u64,
    pub(super) stopped: bool,
    /// Unread bytes of all connections, plus what readers have set aside for the read they are
    /// making; never more than the budget's total.
    pub(super) used: usize,
}

pub(super) struct Conn {
    pub(super) peer: SocketAddr,
    /// `peer` as `ip:port`, formatted once: every read hands it to the script.
    pub(super) address: Arc<str>,
    pub(super) buf: BytesMut,
    /// The client closed its sending side, or a read failed.
    pub(super) eof: bool,
    /// `FinishReceiving` was called.
    pub(super) stopped_reading: bool,
    /// What sends accepted and the client has not taken yet, and the write half.
    pub(super) out: Arc<Outbox>,
    pub(super) write_closed: bool,
    /// The read half, shared with the reader task: the close drains it (see `linger`).
    read: Option<Arc<OwnedReadHalf>>,
    pub(super) reader: Option<AbortHandle>,
    /// Held while the connection counts against the pool.
    pub(super) permit: Option<OwnedSemaphorePermit>,
    pub(super) accepted: Instant,
    /// The last time bytes came in, or the script read, sent or half-closed.
    pub(super) last_active: Instant,
    /// The client's account for the minimum rate.
    pub(super) rate: RateWindow,
    /// The client sent bytes that the reader waits for room to take in: not idle.
    pub(super) pending: bool,
    /// The wire trace of this connection (`--trace`), if any.
    pub(super) trace: Option<Arc<Traced>>,
}

impl Conn {
    pub(super) fn new(
        peer: SocketAddr,
        read: Arc<OwnedReadHalf>,
        write: OwnedWriteHalf,
        permit: OwnedSemaphorePermit,
    ) -> Conn {
        let now = Instant::now();
        Conn {
            peer,
            address: peer.to_string().into(),
            buf: BytesMut::new(),
            eof: false,
            stopped_reading: false,
            out: Arc::new(Outbox::new(write)),
            write_closed: false,
            read: Some(read),
            reader: None,
            permit: Some(permit),
            accepted: now,
            last_active: now,
            rate: RateWindow::default(),
            pending: false,
            trace: None,
        }
    }

    /// The last sign of life either way: bytes came in, the script read, sent or half-closed,
    /// or the client took bytes sent to it (a long send to a slow reader is activity until its
    /// end).
    pub(super) fn active_at(&self) -> Instant {
        self.out
            .last_taken()
            .map_or(self.last_active, |t| t.max(self.last_active))
    }

    /// No more bytes will come: the client closed its side, a read failed, or receiving was
    /// finished.
    pub(super) fn finished(&self) -> bool {
        self.eof || self.stopped_reading
    }
}

impl Drop for Conn {
    /// However the connection goes (closed, idle, stopped, evicted, or listed after its client
    /// left), it closes without losing what was sent: what waits in the outbox goes out first
    /// (its flusher closes the connection then, see `outbox`), then FIN, then the read half is
    /// drained until the client has every byte (see `linger`), in the background.
    fn drop(&mut self) {
        if let Some(r) = self.reader.take() {
            r.abort();
        }
        if let Closed::Now(write, read) = self.out.close(self.read.take())
            && (write.is_some() || read.is_some())
        {
            crate::net::runtime::close_later(crate::net::linger::close_server_side(write, read));
        }
        self.permit.take();
    }
}

pub(super) fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    // A panic while holding the lock cannot leave the state half-updated in a way that matters
    // more than stopping the server would; keep serving.
    shared.state.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    /// Records an event; it is formatted only when there is a log (a server without one
    /// pays nothing per message).
    pub(super) fn log(&self, event: std::fmt::Arguments<'_>) {
        if let Some(l) = &self.log {
            l.write_args(event);
        }
    }

    pub(super) fn err(&self, kind: ErrorKind, phase: Phase, detail: impl Into<String>) -> Error {
        Error::new(kind, phase, &self.name, detail)
    }

    /// A `closed` error saying what is gone.
    pub(super) fn gone(&self, gone: Gone, phase: Phase, detail: impl Into<String>) -> Error {
        Error::gone(gone, phase, &self.name, detail)
    }

    /// The error of a call on a stopped server.
    pub(super) fn stopped(&self, phase: Phase) -> Error {
        self.gone(Gone::Server, phase, "the server is stopped")
    }

    /// Takes up to `max` unread bytes of connection `id` (`None` when it has none), giving their
    /// room back to the budget. The caller keeps `ready` in order.
    pub(super) fn take(&self, state: &mut State, id: u64, max: usize) -> Option<Bytes> {
        let conn = state.conns.get_mut(&id).filter(|c| !c.buf.is_empty())?;
        let n = conn.buf.len().min(max.max(1));
        let data = conn.buf.split_to(n).freeze();
        if conn.buf.is_empty() {
            // An emptied buffer would still pin its allocation; let it go with the data.
            conn.buf = BytesMut::new();
        }
        conn.last_active = Instant::now();
        self.give_back(state, n);
        Some(data)
    }

    /// Where in `ready` the next connection whose data the script may have is: the first one
    /// that is not held (see `outbox`).
    pub(super) fn next_ready(&self, state: &State) -> Option<usize> {
        let max_unsent = self.limits.max_unsent;
        state
            .ready
            .iter()
            .position(|id| state.conns.get(id).is_none_or(|c| !c.out.held(max_unsent)))
    }

    /// Removes connection `id`, giving back the room its unread bytes held.
    pub(super) fn remove(&self, state: &mut State, id: u64) -> Option<Conn> {
        let conn = state.conns.remove(&id)?;
        state.ready.retain(|r| *r != id);
        self.give_back(state, conn.buf.len());
        Some(conn)
    }

    /// Sets aside room for one read of connection `id`: `Some(n)` bytes, `Some(0)` when a chunk
    /// does not fit (in its share or in the total) and the reader must wait for
    /// [`Shared::space`], `None` when the connection is gone.
    pub(super) fn reserve(&self, state: &mut State, id: u64) -> Option<usize> {
        let b = self.budget;
        let conn = state.conns.get_mut(&id)?;
        let room = (b.per_connection.saturating_sub(conn.buf.len()))
            .min(b.total.saturating_sub(state.used));
        // A client that does not take its answers is not read from either (see `outbox`).
        conn.pending = room < b.chunk || conn.out.held(self.limits.max_unsent);
        if conn.pending {
            conn.rate.pause();
            return Some(0);
        }
        state.used += b.chunk;
        Some(b.chunk)
    }

    /// Gives back `n` bytes of room; paused readers are woken once a whole chunk is free (none
    /// of them could read before).
    pub(super) fn give_back(&self, state: &mut State, n: usize) {
        state.used = state.used.saturating_sub(n);
        if n > 0 && self.budget.total.saturating_sub(state.used) >= self.budget.chunk {
            self.space.notify_waiters();
        }
    }
}
