//! A TCP server whose accept loop and readers go on in the background (see `runtime`), so
//! a script can serve clients between (or while sleeping in) its own calls (OPI's `StartServer`
//! … `StopServer`).
//!
//! Decisions:
//! - It binds the address it is given: the script layer passes `0.0.0.0:port` (all IPv4
//!   interfaces, as OPI's server does) for a bare port, or the `ip:port` the script names (say
//!   `127.0.0.1:0`, to stay off the network). Port 0 picks a free port, which [`Server::port`]
//!   reports.
//! - `pool` bounds the live connections. When the pool is full, the next client is accepted
//!   and a connection closed to make room for it (`evict`: the least useful one, never one with
//!   data the script has not read), so that clients holding slots without being done cannot
//!   keep everyone out. Without [`ServerLimits::evict_when_full`] the accept loop stops
//!   accepting instead: further clients wait in the kernel's backlog until a connection ends,
//!   and nothing they send is lost.
//! - The connections share one budget of unread bytes ([`ServerLimits::max_buffered`], 64 MiB
//!   by default), and each holds at most 4 MiB of it, so memory does not grow with the pool.
//!   When a client sends more than the script reads, its reader pauses (until the script takes
//!   data from any connection) and TCP flow control makes the client's sends wait; no byte is
//!   dropped.
//! - A send is queued and written in the background (`outbox`, `flush`), so a client that does
//!   not read costs the script's one thread nothing; one that falls [`ServerLimits::max_unsent`]
//!   behind is held (the script gets none of its data), and one that takes nothing for
//!   [`ServerLimits::send_timeout`] is closed.
//! - The idle timeout, the lifetime (`sweep`) and the minimum rate (`rate`) close connections
//!   that pass them, freeing their slots; by default none is set (as OPI), since each cuts the
//!   honest clients of some protocol. Every close by a limit is logged with its reason.
//! - Connections are listed while they are live, and after the client closed as long as they
//!   still hold unread data (as OPI).
//! - Stopping (or dropping) the server aborts the accept loop and every reader and closes every
//!   socket; after [`Server::stop`] returns, the port is free.

mod accept;
mod events;
mod evict;
mod expect;
mod flush;
mod limits;
mod outbox;
mod rate;
mod reads;
mod send;
mod state;
mod sweep;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::error::{Error, Gone, Phase, Result, io_detail};
use super::log::Log;
use super::runtime::{Driven, keep_driven};
pub use events::ServerEvent;
pub use expect::TooLarge;
pub use limits::{
    DEFAULT_MAX_BUFFERED, DEFAULT_MAX_UNSENT, DEFAULT_RATE_WINDOW, DEFAULT_SEND_TIMEOUT, MinRate,
    ServerLimits,
};
use state::{Shared, State, lock};

/// A connection as `GetConnectionList` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    pub id: u64,
    pub peer: SocketAddr,
    /// The client has not closed its sending side (and receiving was not finished).
    pub receiving: bool,
    /// The script may still send (CompleteSend was not called).
    pub sending: bool,
    pub buffered: usize,
    /// Bytes sends accepted that the client has not taken yet.
    pub unsent: usize,
}

/// Bytes a read took from a connection, with what the script is told about it alongside.
#[derive(Debug)]
pub struct Received {
    pub id: u64,
    pub data: Bytes,
    /// The client's `ip:port`.
    pub address: Arc<str>,
    /// The client may still send (it has not closed its side, and receiving was not finished).
    pub receiving: bool,
}

fn info(id: u64, c: &state::Conn) -> ConnectionInfo {
    ConnectionInfo {
        id,
        peer: c.peer,
        receiving: !c.finished(),
        sending: !c.write_closed,
        buffered: c.buf.len(),
        unsent: c.out.unsent(),
    }
}

pub struct Server {
    shared: Arc<Shared>,
    port: u16,
    /// The accept loop first, then the timer of the time limits if there is one.
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// Keeps the runtime those tasks run on driven while the script computes.
    driven: Option<Driven>,
}

impl Server {
    /// Binds `bind` and starts accepting in the background, at most `pool` connections at a
    /// time, within `limits`. Called through `runtime::block_on` like every other call.
    pub async fn start(
        bind: SocketAddr,
        pool: usize,
        log: Option<Arc<Log>>,
        limits: ServerLimits,
    ) -> Result<Server> {
        // Its listener is registered with, and its tasks spawned on, the caller's runtime, which
        // the caller drives while inside a call and a driver thread drives while it computes.
        let driven = keep_driven();
        let port = bind.port();
        if let Some(l) = &log {
            l.write(format!("Binding to port {port}..."));
        }
        let listener = TcpListener::bind(bind).await.map_err(|e| {
            if let Some(l) = &log {
                l.write(format!("Bind failed: {}", io_detail(&e)));
            }
            Error::io(Phase::Bind, bind.to_string(), &e)
        })?;
        let bound = listener.local_addr().unwrap_or(bind);
        let port = bound.port();
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Notify::new(),
            space: Notify::new(),
            budget: limits::Budget::new(limits.max_buffered),
            limits,
            log,
            name: format!("server on port {port}"),
        });
        shared.log(format_args!("Listening on {bound} (pool of {pool})"));
        if limits != ServerLimits::default() {
            shared.log(format_args!("Limits: {}", limits.describe()));
        }
        let pool = Arc::new(Semaphore::new(pool.max(1)));
        let mut tasks = vec![tokio::spawn(accept::accept_loop(
            Arc::clone(&shared),
            listener,
            pool,
        ))];
        if sweep::needed(&limits) {
            tasks.push(tokio::spawn(sweep::sweep_loop(Arc::clone(&shared))));
        }
        Ok(Server {
            shared,
            port,
            tasks: Mutex::new(tasks),
            driven,
        })
    }

    /// The bound port (the chosen one when started with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn is_stopped(&self) -> bool {
        lock(&self.shared).stopped
    }

    pub(super) fn check_running(&self, phase: Phase) -> Result<()> {
        if lock(&self.shared).stopped {
            return Err(self.shared.stopped(phase));
        }
        Ok(())
    }

    pub(super) fn unknown(&self, phase: Phase, id: u64) -> Error {
        self.shared.gone(
            Gone::Connection,
            phase,
            format!("no connection with id {id}"),
        )
    }

    /// Stops reading from connection `id`; what is buffered can still be read.
    pub fn finish_receiving(&self, id: u64) -> Result<()> {
        self.check_running(Phase::Read)?;
        let mut state = lock(&self.shared);
        let conn = state
            .conns
            .get_mut(&id)
            .ok_or_else(|| self.unknown(Phase::Read, id))?;
        if let Some(r) = conn.reader.take() {
            r.abort();
        }
        conn.stopped_reading = true;
        conn.pending = false;
        conn.last_active = Instant::now();
        drop(state);
        self.shared
            .log(format_args!("Finished receiving on connection {id}"));
        self.shared.changed.notify_waiters();
        Ok(())
    }

    /// Closes connection `id` and forgets its unread data.
    pub fn close(&self, id: u64) -> Result<()> {
        self.check_running(Phase::Shutdown)?;
        let conn = {
            let mut state = lock(&self.shared);
            self.shared
                .remove(&mut state, id)
                .ok_or_else(|| self.unknown(Phase::Shutdown, id))?
        };
        drop(conn);
        self.shared.log(format_args!("Closed connection {id}"));
        self.shared.changed.notify_waiters();
        Ok(())
    }

    /// Lets the accept loop take the clients already waiting in the backlog (and their readers
    /// what they sent), so an answer about the server includes a client that connected just
    /// before it: OPI's add-in accepts on a task of its own, and OPI's documented snippets list
    /// connections made the moment before. Two turns of the scheduler: one polls the sockets,
    /// one runs the tasks they woke.
    pub async fn catch_up(&self) {
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
    }

    /// Live connections, and closed ones that still hold unread data.
    pub fn list(&self) -> Result<Vec<ConnectionInfo>> {
        self.check_running(Phase::Read)?;
        let mut state = lock(&self.shared);
        state.conns.retain(|_, c| !(c.eof && c.buf.is_empty()));
        Ok(state.conns.iter().map(|(id, c)| info(*id, c)).collect())
    }

    /// Connection `id` as the list shows it, if it is there.
    pub fn info(&self, id: u64) -> Option<ConnectionInfo> {
        lock(&self.shared).conns.get(&id).map(|c| info(id, c))
    }

    /// Stops accepting, closes every connection and frees the port (idempotent).
    pub async fn stop(&self) {
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|p| p.into_inner()));
        for handle in tasks {
            handle.abort();
            // The listener is dropped when the aborted accept task is; wait for it, so the port
            // is free when this returns.
            let _ = handle.await;
        }
        self.shut_all();
    }

    fn shut_all(&self) {
        let conns = {
            let mut state = lock(&self.shared);
            if state.stopped {
                return;
            }
            state.stopped = true;
            state.ready.clear();
            std::mem::take(&mut state.conns)
        };
        for conn in conns.into_values() {
            drop(conn);
        }
        self.shared.log(format_args!("Server stopped"));
        // Everything logged so far is in the log file when the server is stopped.
        if let Some(l) = &self.shared.log {
            l.sync();
        }
        self.shared.changed.notify_waiters();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let tasks = self.tasks.get_mut().unwrap_or_else(|p| p.into_inner());
        for handle in tasks.drain(..) {
            handle.abort();
        }
        self.shut_all();
        if let Some(d) = &self.driven {
            d.settle();
        }
    }
}
