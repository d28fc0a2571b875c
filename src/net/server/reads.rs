//! The script's reads from a server: the next data of any connection (in arrival order, past
//! connections whose client does not take their answers: see `outbox`), or of one connection.
//! Taking data gives its room back to the server's budget, which is what lets a paused reader
//! go on.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use super::state::{Conn, State, lock};
use super::{Received, Server};
use crate::net::deadline::Deadline;
use crate::net::error::{ErrorKind, Phase, Result};

impl Server {
    /// Waits for data on any connection (in arrival order) and takes up to `max` bytes of it.
    /// `Ok(None)` when the deadline passes first.
    pub async fn next_data(
        &self,
        timeout: Option<Duration>,
        max: usize,
    ) -> Result<Option<Received>> {
        let shared = &self.shared;
        let got = self
            .wait(timeout, |state| {
                if state.stopped {
                    return Some(Err(()));
                }
                // Held connections keep their place: their data comes once their client reads.
                while let Some(id) = shared.next_ready(state).and_then(|p| state.ready.remove(p)) {
                    if let Some(data) = shared.take(state, id, max) {
                        let conn = state.conns.get(&id)?;
                        if !conn.buf.is_empty() {
                            state.ready.push_back(id);
                        }
                        return Some(Ok(received(id, data, conn)));
                    }
                }
                None
            })
            .await?;
        match got {
            None => Ok(None),
            Some(Ok(v)) => Ok(Some(v)),
            Some(Err(())) => Err(shared.stopped(Phase::Read)),
        }
    }

    /// Waits for data from connection `id` and takes up to `max` bytes. `Ok(None)` on timeout.
    pub async fn connection_data(
        &self,
        id: u64,
        timeout: Option<Duration>,
        max: usize,
    ) -> Result<Option<Received>> {
        self.check_running(Phase::Read)?;
        enum Got {
            Data(Received),
            Done,
            Unknown,
            Stopped,
        }
        let shared = &self.shared;
        let got = self
            .wait(timeout, |state| {
                if state.stopped {
                    return Some(Got::Stopped);
                }
                let Some(conn) = state.conns.get(&id) else {
                    return Some(Got::Unknown);
                };
                let finished = conn.finished();
                let eof = conn.eof;
                if let Some(data) = shared.take(state, id, max) {
                    let conn = state.conns.get(&id)?;
                    let got = received(id, data, conn);
                    if conn.buf.is_empty() {
                        state.ready.retain(|r| *r != id);
                    }
                    return Some(Got::Data(got));
                }
                if finished {
                    if eof {
                        shared.remove(state, id);
                    }
                    return Some(Got::Done);
                }
                None
            })
            .await?;
        match got {
            None => Ok(None),
            Some(Got::Data(d)) => Ok(Some(d)),
            Some(Got::Done) => Err(shared.err(
                ErrorKind::Closed,
                Phase::Read,
                format!("connection {id} is closed and has no unread data"),
            )),
            Some(Got::Unknown) => Err(self.unknown(Phase::Read, id)),
            Some(Got::Stopped) => Err(shared.stopped(Phase::Read)),
        }
    }

    /// Runs `check` under the lock until it yields, or the deadline passes (`Ok(None)`).
    pub(super) async fn wait<T>(
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
}

fn received(id: u64, data: Bytes, conn: &Conn) -> Received {
    Received {
        id,
        data,
        address: Arc::clone(&conn.address),
        receiving: !conn.finished(),
    }
}
