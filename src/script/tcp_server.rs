//! The `TcpServer` handle scripts hold. The server stops when its last handle is dropped (the
//! end of the script), and `StopServer` stops it now.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use crate::net::{Log, Server};

/// A server as a script holds it; clones share it.
#[derive(Clone)]
pub struct TcpServer(Rc<Handle>);

struct Handle {
    server: Server,
    log: Option<Arc<Log>>,
    /// The last connection id `WaitAny` reported.
    seen: Cell<u64>,
}

impl fmt::Debug for TcpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.0.server.is_stopped() {
            "stopped"
        } else {
            "listening"
        };
        write!(f, "TcpServer(port {}, {state})", self.0.server.port())
    }
}

impl TcpServer {
    pub(crate) fn new(server: Server, log: Option<Arc<Log>>) -> TcpServer {
        TcpServer(Rc::new(Handle {
            server,
            log,
            seen: Cell::new(0),
        }))
    }

    pub(crate) fn server(&self) -> &Server {
        &self.0.server
    }

    /// The bound port (the chosen one when started with port 0).
    pub(crate) fn port(&self) -> i64 {
        i64::from(self.0.server.port())
    }

    /// The last connection id `WaitAny` reported, and setting it.
    pub(crate) fn seen(&self) -> u64 {
        self.0.seen.get()
    }

    pub(crate) fn set_seen(&self, id: u64) {
        self.0.seen.set(id);
    }

    /// The event log given at start, if any.
    /// Takes the clients already waiting to be accepted before an answer about the server (see
    /// `Server::catch_up`); a Ctrl-C here only cuts that short.
    pub(crate) fn catch_up(&self) {
        let _ = crate::net::block_on(self.server().catch_up());
    }

    /// The log, once what is pending has been taken (its accepts are logged).
    pub(crate) fn caught_up_log(&self) -> Option<Arc<Log>> {
        self.catch_up();
        self.log()
    }

    pub(crate) fn log(&self) -> Option<Arc<Log>> {
        self.0.log.clone()
    }
}
