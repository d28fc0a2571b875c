//! A TCP server whose accept loop and readers run in the background on the shared runtime, so
//! a script can serve clients between (or while sleeping in) its own calls (OPI's `StartServer`
//! … `StopServer`).
//!
//! Decisions:
//! - It binds the address it is given: the script layer passes `0.0.0.0:port` (all IPv4
//!   interfaces, as OPI's server does) for a bare port, or the `ip:port` the script names (say
//!   `127.0.0.1:0`, to stay off the network). Port 0 picks a free port, which [`Server::port`]
//!   reports.
//! - `pool` bounds the live connections. When the pool is full the accept loop stops accepting:
//!   further clients wait in the kernel's backlog until a connection ends, rather than being
//!   refused. Nothing they send is lost; it is read once they are admitted.
//! - Each connection buffers at most 4 MiB of unread bytes. When a client sends more than
//!   the script reads, the reader pauses and TCP flow control makes the client's sends wait; no
//!   byte is dropped.
//! - Connections are listed while they are live, and after the client closed as long as they
//!   still hold unread data (as OPI).
//! - Stopping (or dropping) the server aborts the accept loop and every reader and closes every
//!   socket; after [`Server::stop`] returns, the port is free.

mod accept;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinHandle;

use super::connection::write_all;
use super::deadline::Deadline;
use super::error::{Error, ErrorKind, Phase, Result, io_detail};
use super::log::Log;
use state::{Shared, State, Writer, lock, take};

/// A connection as `GetConnectionList` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    pub id: u64,
    pub peer: SocketAddr,
    /// The client has not closed its sending side (and receiving was not finished).
    pub receiving: bool,
    pub buffered: usize,
}

pub struct Server {
    shared: Arc<Shared>,
    port: u16,
    accept: Mutex<Option<JoinHandle<()>>>,
}

impl Server {
    /// Binds `bind` and starts accepting in the background. Must be called inside the
    /// runtime (through `runtime::block_on`).
    pub async fn start(bind: SocketAddr, pool: usize, log: Option<Arc<Log>>) -> Result<Server> {
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
            log,
            name: format!("server on port {port}"),
        });
        shared.log(format!("Listening on {bound} (pool of {pool})"));
        let pool = Arc::new(Semaphore::new(pool.max(1)));
        let accept = tokio::spawn(accept::accept_loop(Arc::clone(&shared), listener, pool));
        Ok(Server {
            shared,
            port,
            accept: Mutex::new(Some(accept)),
        })
    }

    /// The bound port (the chosen one when started with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn is_stopped(&self) -> bool {
        lock(&self.shared).stopped
    }

    fn check_running(&self, phase: Phase) -> Result<()> {
        if lock(&self.shared).stopped {
            return Err(self
                .shared
                .err(ErrorKind::Closed, phase, "the server is stopped"));
        }
        Ok(())
    }

    fn unknown(&self, phase: Phase, id: u64) -> Error {
        self.shared.err(
            ErrorKind::Closed,
            phase,
            format!("no connection with id {id}"),
        )
    }

    /// Waits for data on any connection (in arrival order) and takes up to `max` bytes of it.
    /// `Ok(None)` when the deadline passes first.
    pub async fn next_data(
        &self,
        timeout: Option<Duration>,
        max: usize,
    ) -> Result<Option<(u64, Bytes)>> {
        let got = self
            .wait(timeout, |state| {
                if state.stopped {
                    return Some(Err(()));
                }
                while let Some(id) = state.ready.pop_front() {
                    if let Some(conn) = state.conns.get_mut(&id).filter(|c| !c.buf.is_empty()) {
                        let data = take(conn, max);
                        if !conn.buf.is_empty() {
                            state.ready.push_back(id);
                        }
                        return Some(Ok((id, data)));
                    }
                }
                None
            })
            .await?;
        match got {
            None => Ok(None),
            Some(Ok(v)) => Ok(Some(v)),
            Some(Err(())) => {
                Err(self
                    .shared
                    .err(ErrorKind::Closed, Phase::Read, "the server is stopped"))
            }
        }
    }

    /// Waits for data from connection `id` and takes up to `max` bytes. `Ok(None)` on timeout.
    pub async fn connection_data(
        &self,
        id: u64,
        timeout: Option<Duration>,
        max: usize,
    ) -> Result<Option<Bytes>> {
        self.check_running(Phase::Read)?;
        enum Got {
            Data(Bytes),
            Done,
            Unknown,
            Stopped,
        }
        let got = self
            .wait(timeout, |state| {
                if state.stopped {
                    return Some(Got::Stopped);
                }
                let Some(conn) = state.conns.get_mut(&id) else {
                    return Some(Got::Unknown);
                };
                if !conn.buf.is_empty() {
                    let data = take(conn, max);
                    if conn.buf.is_empty() {
                        state.ready.retain(|r| *r != id);
                    }
                    return Some(Got::Data(data));
                }
                if conn.eof || conn.stopped_reading {
                    if conn.eof {
                        state.conns.remove(&id);
                    }
                    return Some(Got::Done);
                }
                None
            })
            .await?;
        match got {
            None => Ok(None),
            Some(Got::Data(d)) => Ok(Some(d)),
            Some(Got::Done) => Err(self.shared.err(
                ErrorKind::Closed,
                Phase::Read,
                format!("connection {id} is closed and has no unread data"),
            )),
            Some(Got::Unknown) => Err(self.unknown(Phase::Read, id)),
            Some(Got::Stopped) => {
                Err(self
                    .shared
                    .err(ErrorKind::Closed, Phase::Read, "the server is stopped"))
            }
        }
    }

    /// Runs `check` under the lock until it yields, or the deadline passes (`Ok(None)`).
    async fn wait<T>(
        &self,
        timeout: Option<Duration>,
        mut check: impl FnMut(&mut State) -> Option<T>,
    ) -> Result<Option<T>> {
        let deadline = Deadline::within(timeout);
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            // Registered before the state is read, so a change in between is not missed.
            notified.as_mut().enable();
            if let Some(v) = check(&mut lock(&self.shared)) {
                return Ok(Some(v));
            }
            if deadline.race(notified).await.is_none() {
                return Ok(None);
            }
        }
    }

    /// Sends every byte of `data` to connection `id` before the deadline.
    pub async fn send(&self, id: u64, data: &[u8], timeout: Option<Duration>) -> Result<()> {
        self.check_running(Phase::Send)?;
        let writer = {
            let state = lock(&self.shared);
            let conn = state
                .conns
                .get(&id)
                .ok_or_else(|| self.unknown(Phase::Send, id))?;
            if conn.write_closed {
                return Err(self.shared.err(
                    ErrorKind::Closed,
                    Phase::Send,
                    format!(
                        "the write half of connection {id} is closed (CompleteSend was called)"
                    ),
                ));
            }
            Arc::clone(&conn.writer)
        };
        let mut guard = writer.lock().await;
        let Writer { half, progress } = &mut *guard;
        let Some(w) = half.as_mut() else {
            return Err(self.shared.err(
                ErrorKind::Closed,
                Phase::Send,
                format!("connection {id} is closed"),
            ));
        };
        let peer = format!("connection {id}");
        let result = write_all(w, data, &Deadline::within(timeout), &peer, progress).await;
        match &result {
            Ok(()) => self
                .shared
                .log(format!("Sent {} bytes to connection {id}", data.len())),
            Err(e) => self
                .shared
                .log(format!("Send to connection {id} failed: {}", e.detail())),
        }
        result
    }

    /// Half-closes connection `id` (FIN): the client reads to end of stream; it may still send.
    /// The FIN is sent within `timeout`, best effort.
    pub async fn complete_send(&self, id: u64, timeout: Duration) -> Result<()> {
        self.check_running(Phase::Shutdown)?;
        let writer = {
            let mut state = lock(&self.shared);
            let conn = state
                .conns
                .get_mut(&id)
                .ok_or_else(|| self.unknown(Phase::Shutdown, id))?;
            conn.write_closed = true;
            Arc::clone(&conn.writer)
        };
        if let Some(w) = writer.lock().await.half.as_mut() {
            let _ = Deadline::after(timeout).race(w.shutdown()).await;
        }
        self.shared
            .log(format!("Completed sending on connection {id}"));
        Ok(())
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
        drop(state);
        self.shared
            .log(format!("Finished receiving on connection {id}"));
        self.shared.changed.notify_waiters();
        Ok(())
    }

    /// Closes connection `id` and forgets its unread data.
    pub fn close(&self, id: u64) -> Result<()> {
        self.check_running(Phase::Shutdown)?;
        let conn = {
            let mut state = lock(&self.shared);
            state.ready.retain(|r| *r != id);
            state
                .conns
                .remove(&id)
                .ok_or_else(|| self.unknown(Phase::Shutdown, id))?
        };
        conn.shut();
        self.shared.log(format!("Closed connection {id}"));
        self.shared.changed.notify_waiters();
        Ok(())
    }

    /// Live connections, and closed ones that still hold unread data.
    pub fn list(&self) -> Result<Vec<ConnectionInfo>> {
        self.check_running(Phase::Read)?;
        let mut state = lock(&self.shared);
        state.conns.retain(|_, c| !(c.eof && c.buf.is_empty()));
        Ok(state
            .conns
            .iter()
            .map(|(id, c)| ConnectionInfo {
                id: *id,
                peer: c.peer,
                receiving: !(c.eof || c.stopped_reading),
                buffered: c.buf.len(),
            })
            .collect())
    }

    /// Stops accepting, closes every connection and frees the port (idempotent).
    pub async fn stop(&self) {
        let accept = self.accept.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(handle) = accept {
            handle.abort();
            // The listener is dropped when the aborted task is; wait for it, so the port is
            // free when this returns.
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
            conn.shut();
        }
        self.shared.log("Server stopped");
        // Everything logged so far is in the log file when the server is stopped.
        if let Some(l) = &self.shared.log {
            l.sync();
        }
        self.shared.changed.notify_waiters();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(handle) = self
            .accept
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            handle.abort();
        }
        self.shut_all();
    }
}
