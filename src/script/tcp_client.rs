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
    self, ConnectOptions, Connection, ErrorKind, Expected, Gone, Interrupted, Log, Matcher, Phase,
    ReadEnd, ReadLimit, Target, block_on,
};

/// One of the reads a handle runs.
enum Read<'a> {
    Limit(&'a ReadLimit),
    Available {
        max: usize,
        timeout: Duration,
    },
    Quiet {
        quiet: Duration,
        timeout: Duration,
        max: usize,
    },
}

/// A connection as a script holds it; clones drive the same connection.
#[derive(Clone)]
pub struct TcpClient(Rc<RefCell<State>>);

struct State {
    conn: Option<Connection>,
    peer: String,
    last_error: Option<net::Error>,
    last_read: Option<ReadEnd>,
    log: Option<Arc<Log>>,
}

impl State {
    fn log(&self, event: impl AsRef<str>) {
        if let Some(l) = &self.log {
            l.write(event);
        }
    }

    /// Formats the event only when there is a log: the I/O path of an unlogged connection
    /// allocates nothing for it.
    fn log_with(&self, event: impl FnOnce() -> String) {
        if let Some(l) = &self.log {
            l.write(event());
        }
    }
}

impl fmt::Debug for TcpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.borrow();
        match &s.conn {
            Some(c) if c.buffered() > 0 => {
                write!(
                    f,
                    "TcpClient({}, open, {} bytes buffered)",
                    s.peer,
                    c.buffered()
                )
            }
            Some(c) if c.at_eof() => write!(f, "TcpClient({}, open, peer closed)", s.peer),
            Some(_) => write!(f, "TcpClient({}, open)", s.peer),
            None => write!(f, "TcpClient({}, closed)", s.peer),
        }
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
        Ok(conn.map(|conn| TcpClient::holding(conn, log)))
    }

    /// Connects (blocking) to every one of `targets` at once, inside one deadline: the results
    /// in the order of `targets`.
    pub(crate) fn open_all(
        targets: &[Target],
        opts: &ConnectOptions,
    ) -> Result<Vec<Result<Self, net::Error>>, Interrupted> {
        let conns = block_on(net::connect_all(targets, opts))?;
        Ok(conns
            .into_iter()
            .map(|c| c.map(|conn| TcpClient::holding(conn, None)))
            .collect())
    }

    fn holding(conn: Connection, log: Option<Arc<Log>>) -> Self {
        TcpClient(Rc::new(RefCell::new(State {
            peer: conn.peer().to_string(),
            conn: Some(conn),
            last_error: None,
            last_read: None,
            log,
        })))
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
            let e = net::Error::gone(
                Gone::Connection,
                phase,
                &state.peer,
                "the connection is closed",
            );
            Self::fail(state, e);
        }
        state.conn.as_mut()
    }

    /// OPI's boolean outcome: logs `event` on success, records the error otherwise.
    fn settle(state: &mut State, result: net::Result<()>, event: impl FnOnce() -> String) -> bool {
        match result {
            Ok(()) => {
                state.log_with(event);
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
        let result = net::block_on_eager(conn.send(data, timeout))?;
        Ok(Self::settle(&mut state, result, || {
            format!("Sent {} bytes", data.len())
        }))
    }

    /// Reads as `limit` says; returns the bytes that arrived (maybe none).
    pub(crate) fn read(&self, limit: &ReadLimit) -> Result<Vec<u8>, Interrupted> {
        self.read_as(Read::Limit(limit))
    }

    /// What is buffered or first arrives within `timeout`, at most `max` bytes.
    pub(crate) fn read_available(
        &self,
        max: usize,
        timeout: Duration,
    ) -> Result<Vec<u8>, Interrupted> {
        self.read_as(Read::Available { max, timeout })
    }

    /// Reads until `quiet` passes without a byte (or `timeout`, or `max` bytes).
    pub(crate) fn read_until_quiet(
        &self,
        quiet: Duration,
        timeout: Duration,
        max: usize,
    ) -> Result<Vec<u8>, Interrupted> {
        self.read_as(Read::Quiet {
            quiet,
            timeout,
            max,
        })
    }

    fn read_as(&self, read: Read) -> Result<Vec<u8>, Interrupted> {
        let mut state = self.0.borrow_mut();
        let Some(conn) = Self::open_conn(&mut state, Phase::Read) else {
            state.last_read = Some(ReadEnd::Error);
            return Ok(Vec::new());
        };
        // Bytes already buffered mostly answer the read at once (a response read line by
        // line); an empty buffer means waiting for the peer, where polling first only adds a poll.
        let run = if conn.buffered() > 0 {
            net::block_on_eager
        } else {
            block_on
        };
        let outcome = run(async {
            match read {
                Read::Limit(limit) => conn.read(limit).await,
                Read::Available { max, timeout } => conn.read_available(max, timeout).await,
                Read::Quiet {
                    quiet,
                    timeout,
                    max,
                } => conn.read_until_quiet(quiet, timeout, max).await,
            }
        })?;
        Self::settle_read(&mut state, outcome.data.len(), outcome.end, outcome.error);
        Ok(outcome.data)
    }

    /// After a read that consumed `taken` bytes: its log line, why it stopped, its error.
    fn settle_read(state: &mut State, taken: usize, end: ReadEnd, error: Option<net::Error>) {
        if taken > 0 {
            state.log_with(|| format!("Received {taken} bytes"));
        }
        state.last_read = Some(end);
        if let Some(e) = error {
            Self::fail(state, e);
        }
    }

    /// Waits for the first of `matcher`'s patterns within `timeout`, searching at most `cap`
    /// bytes; consumes bytes only on a match.
    pub(crate) fn expect(
        &self,
        matcher: &mut Matcher,
        timeout: Duration,
        cap: usize,
    ) -> Result<Expected, Interrupted> {
        let mut state = self.0.borrow_mut();
        let Some(conn) = Self::open_conn(&mut state, Phase::Read) else {
            state.last_read = Some(ReadEnd::Error);
            return Ok(Expected {
                found: None,
                data: Vec::new(),
                end: ReadEnd::Error,
                error: state.last_error.clone(),
            });
        };
        let expected = block_on(conn.expect(matcher, timeout, cap))?;
        // Without a match `data` is a copy of what stays buffered: nothing was taken.
        let taken = if expected.found.is_some() {
            expected.data.len()
        } else {
            0
        };
        Self::settle_read(&mut state, taken, expected.end, expected.error.clone());
        Ok(expected)
    }

    /// The open connection, borrowed for a wait over several handles (`None` once closed).
    pub(crate) fn conn_mut(&self) -> Option<std::cell::RefMut<'_, Connection>> {
        std::cell::RefMut::filter_map(self.0.borrow_mut(), |s| s.conn.as_mut()).ok()
    }

    /// Starts or stops tracing this connection: to `trace`, or with `None` not at all.
    pub(crate) fn set_trace(&self, trace: Option<Arc<net::Trace>>) {
        let mut state = self.0.borrow_mut();
        let peer = state.peer.clone();
        if let Some(conn) = state.conn.as_mut() {
            conn.set_trace(trace.map(|t| net::Traced::new(t, &peer)));
        }
    }

    /// Whether two handles drive the same connection.
    pub(crate) fn same(&self, other: &TcpClient) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// Records a failure seen outside the handle's own calls (a wait over several handles).
    pub(crate) fn record(&self, e: net::Error) {
        Self::fail(&mut self.0.borrow_mut(), e);
    }

    /// Runs `net`'s interaction on the open connection (`None` when it is closed).
    pub(crate) fn interact(
        &self,
        input: &mut tokio::sync::mpsc::Receiver<Vec<u8>>,
        show: &mut (dyn FnMut(&[u8]) + Send),
        escape: Option<u8>,
        until_peer_closes: bool,
    ) -> Result<Option<net::InteractEnd>, Interrupted> {
        let mut state = self.0.borrow_mut();
        let Some(conn) = state.conn.as_mut() else {
            return Ok(None);
        };
        let end = block_on(conn.interact(input, show, escape, until_peer_closes))?;
        if let net::InteractEnd::Failed(e) = &end {
            Self::fail(&mut state, e.clone());
        }
        Ok(Some(end))
    }

    /// Why the last read stopped (`None` before the first).
    pub(crate) fn last_read(&self) -> Option<ReadEnd> {
        self.0.borrow().last_read
    }

    /// Bytes received and not read yet.
    pub(crate) fn buffered(&self) -> usize {
        self.0
            .borrow()
            .conn
            .as_ref()
            .map_or(0, Connection::buffered)
    }

    /// The peer has closed and nothing is buffered (a closed handle counts as ended too).
    pub(crate) fn at_eof(&self) -> bool {
        self.0.borrow().conn.as_ref().is_none_or(Connection::at_eof)
    }

    /// `CloseConnection` has not been called.
    pub(crate) fn is_open(&self) -> bool {
        self.0.borrow().conn.is_some()
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
        Ok(Self::settle(&mut state, result, || {
            "Finished sending".into()
        }))
    }

    /// Closes the connection (idempotent) without losing what was sent: the half-close (TLS
    /// close_notify, then FIN) goes out now, and the connection lingers in the background until
    /// the peer has every byte (see `net`'s `linger`); the script's end waits for that.
    pub(crate) fn close(&self) -> Result<(), Interrupted> {
        let conn = self.0.borrow_mut().conn.take();
        if let Some(conn) = conn {
            self.0.borrow().log("Connection closed");
            conn.close_in_background();
        }
        Ok(())
    }
}

impl Drop for State {
    /// A connection the script let go of without closing it closes the same way.
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            conn.close_in_background();
        }
    }
}
