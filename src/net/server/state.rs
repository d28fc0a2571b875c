//! A server's shared state: the connections with their unread bytes, the order in which data
//! arrived, and the notifications that wake a waiting script call or a paused reader. The
//! script side and the background tasks meet here, under one lock held only for bookkeeping
//! (never across I/O or a log write).

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::{Bytes, BytesMut};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{Notify, OwnedSemaphorePermit};
use tokio::task::AbortHandle;

use crate::net::connection::SendProgress;
use crate::net::error::{Error, ErrorKind, Phase};
use crate::net::log::Log;

/// Unread bytes one connection may hold before its reader pauses.
pub(super) const MAX_BUFFERED: usize = 4 * 1024 * 1024;

pub(super) struct Shared {
    pub(super) state: Mutex<State>,
    /// Data arrived, a connection came or went, or the server stopped.
    pub(super) changed: Notify,
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
}

pub(super) struct Conn {
    pub(super) peer: SocketAddr,
    pub(super) buf: BytesMut,
    /// The client closed its sending side, or a read failed.
    pub(super) eof: bool,
    /// `FinishReceiving` was called.
    pub(super) stopped_reading: bool,
    pub(super) writer: Arc<tokio::sync::Mutex<Writer>>,
    pub(super) write_closed: bool,
    pub(super) reader: Option<AbortHandle>,
    /// Wakes the reader paused on a full buffer.
    pub(super) space: Arc<Notify>,
    /// Held while the connection counts against the pool.
    pub(super) permit: Option<OwnedSemaphorePermit>,
}

/// The sending side of a connection, and how far its last send got.
pub(super) struct Writer {
    pub(super) half: Option<OwnedWriteHalf>,
    pub(super) progress: SendProgress,
}

pub(super) fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    // A panic while holding the lock cannot leave the state half-updated in a way that matters
    // more than stopping the server would; keep serving.
    shared.state.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub(super) fn log(&self, event: impl AsRef<str>) {
        if let Some(l) = &self.log {
            l.write(event);
        }
    }

    pub(super) fn err(&self, kind: ErrorKind, phase: Phase, detail: impl Into<String>) -> Error {
        Error::new(kind, phase, &self.name, detail)
    }
}

impl Conn {
    pub(super) fn shut(mut self) {
        if let Some(r) = self.reader.take() {
            r.abort();
        }
        // Dropping the write half (and the aborted reader's read half) closes the socket.
        if let Ok(mut w) = self.writer.try_lock() {
            w.half.take();
        }
        self.permit.take();
        self.space.notify_one();
    }
}

pub(super) fn take(conn: &mut Conn, max: usize) -> Bytes {
    let n = conn.buf.len().min(max.max(1));
    let data = conn.buf.split_to(n).freeze();
    conn.space.notify_one();
    data
}
