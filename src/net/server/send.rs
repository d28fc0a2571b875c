//! The script's sends on a server's connections: SendData and CompleteSend. A send hands its
//! message to the connection's outbox and returns once it is accepted there; the outbox's
//! flusher writes it (see `outbox`). So a send waits only when `max_unsent` bytes already wait
//! for that client, and then for room, within the send's deadline.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use super::Server;
use super::flush::{Flush, flush};
use super::outbox::{Offer, Outbox};
use super::state::lock;
use crate::net::deadline::Deadline;
use crate::net::error::{ErrorKind, Gone, Phase, Result};
use crate::net::runtime::close_later;
use crate::net::trace::Traced;

impl Server {
    /// Sends `data` to connection `id`: `Ok` once it is accepted whole (it goes out in order,
    /// unless the connection ends first), within `timeout` of waiting for room.
    pub async fn send(&self, id: u64, data: &[u8], timeout: Option<Duration>) -> Result<()> {
        let deadline = Deadline::within(timeout);
        let message = Bytes::copy_from_slice(data);
        let max_unsent = self.shared.limits.max_unsent;
        loop {
            let (out, trace) = self.sending(id, Phase::Send)?;
            let room = out.room.notified();
            tokio::pin!(room);
            // Registered before the offer, so room made in between is not missed.
            room.as_mut().enable();
            match out.offer(&message, max_unsent) {
                Offer::Accepted(start) => {
                    if start {
                        self.start_flush(id, Arc::clone(&out), trace);
                    }
                    self.shared
                        .log(format_args!("Sent {} bytes to connection {id}", data.len()));
                    return Ok(());
                }
                Offer::Failed(e) => {
                    self.shared.log(format_args!(
                        "Send to connection {id} failed: {}",
                        e.detail()
                    ));
                    return Err(e);
                }
                Offer::Full => {
                    if deadline.race(room).await.is_none() {
                        let e = self.shared.err(
                            ErrorKind::Timeout,
                            Phase::Send,
                            format!(
                                "nothing of the {} bytes was sent: {} bytes sent before them \
                                 wait for connection {id}'s client to take them",
                                data.len(),
                                out.unsent()
                            ),
                        );
                        self.shared.log(format_args!(
                            "Send to connection {id} failed: {}",
                            e.detail()
                        ));
                        return Err(e);
                    }
                }
            }
        }
    }

    /// The outbox of connection `id` if the script may send on it, restarting its idle clock.
    fn sending(&self, id: u64, phase: Phase) -> Result<(Arc<Outbox>, Option<Arc<Traced>>)> {
        let mut state = lock(&self.shared);
        if state.stopped {
            return Err(self.shared.stopped(phase));
        }
        let conn = state
            .conns
            .get_mut(&id)
            .ok_or_else(|| self.unknown(phase, id))?;
        if conn.write_closed {
            return Err(self.shared.gone(
                Gone::WriteHalf,
                phase,
                format!("the write half of connection {id} is closed (CompleteSend was called)"),
            ));
        }
        conn.last_active = Instant::now();
        Ok((Arc::clone(&conn.out), conn.trace.clone()))
    }

    /// Starts the flusher of connection `id`: its first attempt runs now, and the end of the
    /// script waits for it (as for a lingering close).
    fn start_flush(&self, id: u64, out: Arc<Outbox>, trace: Option<Arc<Traced>>) {
        close_later(flush(Flush {
            out,
            shared: Arc::clone(&self.shared),
            id,
            trace,
        }));
    }

    /// Half-closes connection `id` (FIN) once what waits for the client is out: the client
    /// reads to end of stream; it may still send.
    pub fn complete_send(&self, id: u64) -> Result<()> {
        self.check_running(Phase::Shutdown)?;
        let (out, trace) = {
            let mut state = lock(&self.shared);
            let conn = state
                .conns
                .get_mut(&id)
                .ok_or_else(|| self.unknown(Phase::Shutdown, id))?;
            conn.write_closed = true;
            conn.last_active = Instant::now();
            (Arc::clone(&conn.out), conn.trace.clone())
        };
        if out.shut() {
            self.start_flush(id, out, trace.clone());
        }
        if let Some(t) = trace {
            t.event("half-close (CompleteSend)");
        }
        self.shared
            .log(format_args!("Completed sending on connection {id}"));
        Ok(())
    }
}
