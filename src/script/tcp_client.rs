//! The `TcpClient` handle scripts hold: one connection, driven by blocking operations.
//!
//! A handle is an `Rc<RefCell<…>>`: Rhai clones values freely, and every copy must drive the
//! same connection. Each operation crosses into `net` through `block_on`. Failures
//! follow OPI: sends return `false`, reads return what arrived, and both record the handle's
//! last error, which stays until the next failure replaces it (a success does not clear it).

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use super::defaults::SHUTDOWN_TIMEOUT;
use crate::net::{
    self, ConnectOptions, Connection, ErrorKind, Interrupted, Log, Phase, ReadLimit, Target,
    block_on,
};

/// A connection as a script holds it; clones drive the same connection.
#[derive(Clone)]
pub struct TcpClient(Rc<RefCell<State>>);

struct State {
    conn: Option<Connection>,
    peer: String,
    last_error: Option<net::Error>,
    log: Option<Arc<Log>>,
}

impl State {
    fn log(&self, event: impl AsRef<str>) {
        if let Some(l) = &self.log {
            l.write(event);
        }
    }
}

impl fmt::Debug for TcpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.borrow();
        let state = if s.conn.is_some() { "open" } else { "closed" };
        write!(f, "TcpClient({}, {state})", s.peer)
    }
}

impl TcpClient {
    /// Connects (blocking) to `target` as `opts` say; `log` records what happens.
    pub(crate) fn open(
        target: &Target,
        opts: &ConnectOptions,
        log: Option<Arc<Log>>,
    ) -> Result<Result<Self, net::Error>, Interrupted> {
        if let Some(l) = &log {
            l.write(format!("Connecting to {target}..."));
        }
        let conn = block_on(net::connect(target, opts))?;
        if let Some(l) = &log {
            match &conn {
                Ok(_) => l.write(format!("Connected to {target}")),
                Err(e) => l.write(format!("Connection failed: {e}")),
            }
        }
        Ok(conn.map(|conn| {
            TcpClient(Rc::new(RefCell::new(State {
                peer: conn.peer().to_string(),
                conn: Some(conn),
                last_error: None,
                log,
            })))
        }))
    }

    /// The event log given at connect time, if any.
    pub(crate) fn log(&self) -> Option<Arc<Log>> {
        self.0.borrow().log.clone()
    }

    /// The sticky last error.
    pub(crate) fn last_error(&self) -> Option<net::Error> {
        self.0.borrow().last_error.clone()
    }

    fn fail(state: &mut State, e: net::Error) {
        state.log(format!("Error: {e}"));
        state.last_error = Some(e);
    }

    /// The open connection; on a closed handle, records a `closed` last error and gives `None`.
    fn open_conn(state: &mut State, phase: Phase) -> Option<&mut Connection> {
        if state.conn.is_none() {
            let e = net::Error::closed(phase, &state.peer, "the connection is closed");
            Self::fail(state, e);
        }
        state.conn.as_mut()
    }

    /// OPI's boolean outcome: logs `event` on success, records the error otherwise.
    fn settle(state: &mut State, result: net::Result<()>, event: impl AsRef<str>) -> bool {
        match result {
            Ok(()) => {
                state.log(event);
                true
            }
            Err(e) => {
                Self::fail(state, e);
                false
            }
        }
    }

    /// Sends every byte of `data` before the deadline; `false` (and a last error) otherwise.
    pub(crate) fn send(&self, data: &[u8], timeout: Option<Duration>) -> Result<bool, Interrupted> {
        let mut state = self.0.borrow_mut();
        let Some(conn) = Self::open_conn(&mut state, Phase::Send) else {
            return Ok(false);
        };
        let result = block_on(conn.send(data, timeout))?;
        Ok(Self::settle(
            &mut state,
            result,
            format!("Sent {} bytes", data.len()),
        ))
    }

    /// Reads as `limit` says; returns the bytes that arrived (maybe none).
    pub(crate) fn read(&self, limit: &ReadLimit) -> Result<Vec<u8>, Interrupted> {
        let mut state = self.0.borrow_mut();
        let Some(conn) = Self::open_conn(&mut state, Phase::Read) else {
            return Ok(Vec::new());
        };
        let outcome = block_on(conn.read(limit))?;
        if !outcome.data.is_empty() {
            state.log(format!("Received {} bytes", outcome.data.len()));
        }
        if let Some(e) = outcome.error {
            Self::fail(&mut state, e);
        }
        Ok(outcome.data)
    }

    /// Gives back the bytes of a read its caller could not return, to the front of the buffer,
    /// and records why as the last error (kind `io`).
    pub(crate) fn unread(&self, rest: &[u8], why: impl Into<String>) {
        let mut state = self.0.borrow_mut();
        if let Some(conn) = state.conn.as_mut() {
            conn.unread(rest);
        }
        let e = net::Error::new(ErrorKind::Io, Phase::Read, &state.peer, why);
        Self::fail(&mut state, e);
    }

    /// Half-close: no more sends, reads still work.
    pub(crate) fn finish_sending(&self) -> Result<bool, Interrupted> {
        let mut state = self.0.borrow_mut();
        let Some(conn) = Self::open_conn(&mut state, Phase::Shutdown) else {
            return Ok(false);
        };
        let result = block_on(conn.shutdown_write(SHUTDOWN_TIMEOUT))?;
        Ok(Self::settle(&mut state, result, "Finished sending"))
    }

    /// Closes the connection (idempotent). TLS sends close_notify first, best effort.
    pub(crate) fn close(&self) -> Result<(), Interrupted> {
        let conn = self.0.borrow_mut().conn.take();
        match conn {
            Some(conn) => {
                self.0.borrow().log("Connection closed");
                block_on(conn.close())
            }
            None => Ok(()),
        }
    }
}
