//! An open connection: one byte stream (plain TCP or TLS, behind one trait object), its read
//! buffer, and the read / send / half-close / close mechanisms.
//!
//! Reads follow the policy of [`super::read`]: bytes are appended to the buffer, the scanner
//! decides when to stop, and only the bytes up to the stop point leave the buffer. Whatever
//! arrived past it stays for the next read; nothing is discarded (OPI discards it). A read future
//! that is dropped (Ctrl-C) leaves every byte it received in the buffer too.
//!
//! Deadlines are total: one [`Deadline`] for the whole call, every await run inside it. Reaching
//! a read's deadline is not an error: the bytes that arrived are returned.

use std::io;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::deadline::Deadline;
use super::error::{Error, ErrorKind, Gone, Phase, Result};
use super::linger::{self, Socket};
use super::read::{ReadEnd, ReadLimit, ReadOutcome, Scanner, Stop};
use super::send::{SendProgress, write_all};
use super::tls::framing::cut_inside_record;
use super::trace::Traced;

/// A bidirectional byte stream: `TcpStream`, or a TLS stream over one.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// What one wait for more bytes gave.
pub(super) enum Filled {
    Data,
    Eof,
    Timeout,
    Failed(Error),
}

pub struct Connection {
    io: Box<dyn Io>,
    pub(super) buf: BytesMut,
    /// How much room a read makes in `buf` at most: it starts small and doubles while reads
    /// fill it (see `fill`).
    chunk: usize,
    peer: String,
    pub(super) eof: bool,
    write_closed: bool,
    send_progress: SendProgress,
    trace: Option<Traced>,
    /// The TCP socket under `io`, which a close asks whether the peer has every byte.
    socket: Option<Socket>,
    /// TLS: a close without close_notify is an error (`strict_close`); whether one came.
    strict_close: bool,
    no_close_notify: bool,
}

/// A connection's first read makes this much room; each read that fills it doubles it, up to
/// `MAX_CHUNK` (a typical segment burst; the buffer itself grows past it as a long read needs).
const FIRST_CHUNK: usize = 4 * 1024;
const MAX_CHUNK: usize = 64 * 1024;

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("peer", &self.peer)
            .field("buffered", &self.buf.len())
            .field("eof", &self.eof)
            .field("write_closed", &self.write_closed)
            .finish()
    }
}

impl Connection {
    /// Wraps an established stream; `peer` names the target in messages.
    pub fn new(io: Box<dyn Io>, peer: impl Into<String>) -> Self {
        Connection {
            io,
            buf: BytesMut::new(),
            chunk: FIRST_CHUNK,
            peer: peer.into(),
            eof: false,
            write_closed: false,
            send_progress: None,
            trace: None,
            socket: None,
            strict_close: false,
            no_close_notify: false,
        }
    }

    /// Names the TCP socket under the stream, so that a close can end as soon as the peer has
    /// acknowledged every byte (see `linger`) rather than wait for it to close.
    pub(crate) fn with_socket(mut self, socket: Option<Socket>) -> Self {
        self.socket = socket;
        self
    }

    /// Makes a TLS close without close_notify an error (the `strict_close` setting).
    pub(crate) fn with_strict_close(mut self, strict: bool) -> Self {
        self.strict_close = strict;
        self
    }

    /// Starts (or with `None` stops) tracing this connection's traffic.
    pub fn set_trace(&mut self, trace: Option<Traced>) {
        self.trace = trace;
    }

    /// Writes one event line to the connection's trace, if it has one.
    pub fn trace_event(&self, what: impl FnOnce() -> String) {
        if let Some(t) = &self.trace {
            t.event(&what());
        }
    }

    /// The target as `host:port`.
    pub fn peer(&self) -> &str {
        &self.peer
    }

    /// Puts `data` back at the front of the read buffer: bytes a read took that its caller
    /// could not use (a text too long for a string) are read again next time, not lost.
    pub fn unread(&mut self, data: &[u8]) {
        let mut buf = BytesMut::with_capacity(data.len() + self.buf.len());
        buf.extend_from_slice(data);
        buf.extend_from_slice(&self.buf);
        self.buf = buf;
    }

    /// Bytes waiting in the buffer.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The peer has closed its side and every byte it sent has been read.
    pub fn at_eof(&self) -> bool {
        self.eof && self.buf.is_empty()
    }

    /// Reads until the limit's stop condition, end of stream, an error or the deadline.
    pub async fn read(&mut self, limit: &ReadLimit) -> ReadOutcome {
        let deadline = Deadline::within(limit.timeout);
        let mut scanner = Scanner::default();
        loop {
            if let Some(stop) = scanner.check(&self.buf, limit) {
                let data = self.take(stop.end());
                let (end, error) = match stop {
                    Stop::Marker(_) => (ReadEnd::Marker, None),
                    Stop::Max(_) => (ReadEnd::MaxSize, None),
                    Stop::Cap(_) => (ReadEnd::Limit, Some(self.cap_error(limit))),
                };
                return ReadOutcome { data, end, error };
            }
            if self.eof {
                return self.take_all(self.end_of_stream(), None);
            }
            let want = limit.max.unwrap_or(usize::MAX).min(limit.cap);
            match self.fill(&deadline, want).await {
                Filled::Data | Filled::Eof => {}
                Filled::Timeout => return self.take_all(ReadEnd::Timeout, None),
                Filled::Failed(e) => return self.take_all(ReadEnd::Error, Some(e)),
            }
        }
    }

    fn cap_error(&self, limit: &ReadLimit) -> Error {
        Error::new(
            ErrorKind::Io,
            Phase::Read,
            &self.peer,
            match limit.marker {
                Some(_) => format!(
                    "the read reached the size limit of {} bytes before the marker came (the \
                     rest stays buffered; read on to find it)",
                    limit.cap
                ),
                None => format!(
                    "the read reached the size limit of {} bytes without a stop condition; give \
                     max_size or a marker (the rest stays buffered)",
                    limit.cap
                ),
            },
        )
    }

    /// Waits once for more bytes (at most about `want` more) until `deadline`.
    pub(super) async fn fill(&mut self, deadline: &Deadline, want: usize) -> Filled {
        // Room for what recent reads brought, never more than the read still needs: a huge
        // `max_size` must not preallocate, and a connection that reads a line at a time keeps a
        // small buffer (10,000 of them held 64 KiB each, 655 MB, when every read made that much
        // room).
        self.buf
            .reserve((want.saturating_sub(self.buf.len())).clamp(1, self.chunk));
        let room = self.buf.capacity() - self.buf.len();
        let before = self.buf.len();
        let Some(result) = deadline.race(self.io.read_buf(&mut self.buf)).await else {
            return Filled::Timeout;
        };
        match result {
            Ok(0) => {
                self.eof = true;
                self.trace_event(|| "peer closed (end of stream)".into());
                Filled::Eof
            }
            Ok(n) => {
                if n == room {
                    self.chunk = (self.chunk * 2).min(MAX_CHUNK);
                }
                if let Some(t) = &self.trace {
                    t.chunk(false, &self.buf[before..]);
                }
                Filled::Data
            }
            // TLS without close_notify, after the data of every whole record.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => self.unclean_end(&e),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Filled::Data,
            Err(e) => Filled::Failed(Error::io(Phase::Read, &self.peer, &e)),
        }
    }

    /// A TLS stream that ended without close_notify: an error when the end cut a record (data
    /// was lost) or under `strict_close`, else the end of the stream under its own name. An
    /// error does not set `eof`: every later read fails the same way, as after a reset.
    fn unclean_end(&mut self, e: &io::Error) -> Filled {
        let first = !std::mem::replace(&mut self.no_close_notify, true);
        let detail = match cut_inside_record(e) {
            Some(cut) => format!("{cut}: the peer closed without close_notify and data was lost"),
            None if self.strict_close => {
                "the peer closed without TLS close_notify (strict_close): the data may be cut \
                 short"
                    .to_string()
            }
            None => {
                self.eof = true;
                if first {
                    self.trace_event(|| {
                        "peer closed without TLS close_notify (end of stream)".into()
                    });
                }
                return Filled::Eof;
            }
        };
        if first {
            self.trace_event(|| detail.clone());
        }
        Filled::Failed(Error::new(ErrorKind::Tls, Phase::Read, &self.peer, detail))
    }

    /// Why a read that met the end of the stream stopped.
    pub(super) fn end_of_stream(&self) -> ReadEnd {
        if self.no_close_notify {
            ReadEnd::EofWithoutCloseNotify
        } else {
            ReadEnd::Eof
        }
    }

    pub(super) fn take_all(&mut self, end: ReadEnd, error: Option<Error>) -> ReadOutcome {
        let data = self.take(self.buf.len());
        ReadOutcome { data, end, error }
    }

    /// The first `n` buffered bytes, as a `Vec` that a script's blob can take over without a
    /// copy when they are most of the buffer: a 32 MiB read then costs 32 MiB, not twice that.
    /// Either way at most `n` bytes are copied, so reading a large backlog piece by piece stays
    /// linear.
    pub(super) fn take(&mut self, n: usize) -> Vec<u8> {
        // A small result (a line, an answer) is copied out and the buffer kept: handing over
        // its 64 KiB allocation would make the next read allocate one again.
        if n <= 16 * 1024 {
            let n = n.min(self.buf.len());
            let out = self.buf[..n].to_vec();
            bytes::Buf::advance(&mut self.buf, n);
            return out;
        }
        let rest = self.buf.len().saturating_sub(n);
        if rest == 0 {
            Vec::from(std::mem::take(&mut self.buf))
        } else if rest <= n {
            let tail = BytesMut::from(&self.buf[n..]);
            self.buf.truncate(n);
            Vec::from(std::mem::replace(&mut self.buf, tail))
        } else {
            self.buf.split_to(n).to_vec()
        }
    }

    /// Writes every byte of `data` (and flushes) before the deadline, or fails.
    pub async fn send(&mut self, data: &[u8], timeout: Option<Duration>) -> Result<()> {
        if self.write_closed {
            return Err(Error::gone(
                Gone::WriteHalf,
                Phase::Send,
                &self.peer,
                "the write half is closed (FinishSending was called)",
            ));
        }
        let deadline = Deadline::within(timeout);
        let result = write_all(
            &mut self.io,
            data,
            &deadline,
            &self.peer,
            &mut self.send_progress,
        )
        .await;
        if let Some(t) = &self.trace {
            match &result {
                Ok(()) => t.chunk(true, data),
                Err(e) => t.event(&format!("send of {} bytes failed: {e}", data.len())),
            }
        }
        result
    }

    /// Half-close: TCP FIN, or TLS close_notify then FIN. Reading still works.
    pub async fn shutdown_write(&mut self, timeout: Duration) -> Result<()> {
        if self.write_closed {
            return Ok(());
        }
        self.write_closed = true;
        self.trace_event(|| "half-close (no more sends)".into());
        let deadline = Deadline::after(timeout);
        match deadline
            .run(Phase::Shutdown, &self.peer, self.io.shutdown())
            .await?
        {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            Err(e) => Err(Error::io(Phase::Shutdown, &self.peer, &e)),
        }
    }

    /// Closes the connection without losing what was sent (see `linger`): half-close (TLS
    /// close_notify, then FIN), then discard what comes until the peer closes, every byte is
    /// acknowledged, or [`linger::LINGER`] passes; then the socket is dropped.
    pub async fn close(mut self) {
        if !self.write_closed {
            self.trace_event(|| "half-close (no more sends)".into());
        }
        let closed =
            linger::close_stream(&mut self.io, self.socket, self.write_closed, &mut self.buf).await;
        self.trace_event(|| closed.describe());
    }

    /// [`Connection::close`] without waiting for it: the half-close goes out now, the rest
    /// goes on in the background of this thread's runtime, and `finish_closing` waits for it.
    pub fn close_in_background(self) {
        super::runtime::close_later(self.close());
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    /// A connection that reads a line at a time keeps a small buffer; one that is sent a lot
    /// makes more room per read, up to `MAX_CHUNK`.
    #[tokio::test]
    async fn read_room_starts_small_and_grows_with_full_reads() {
        let (ours, mut theirs) = tokio::io::duplex(1 << 20);
        let mut conn = Connection::new(Box::new(ours), "test");
        let line = ReadLimit {
            marker: Some(b"\n".to_vec()),
            ..ReadLimit::to_eof(1 << 25)
        };
        theirs.write_all(b"x\n").await.unwrap();
        assert_eq!(conn.read(&line).await.data, b"x\n");
        assert!(
            conn.buf.capacity() <= FIRST_CHUNK,
            "{}",
            conn.buf.capacity()
        );

        theirs.write_all(&vec![b'a'; 1 << 20]).await.unwrap();
        let max = ReadLimit {
            max: Some(1 << 20),
            ..ReadLimit::to_eof(1 << 25)
        };
        assert_eq!(conn.read(&max).await.data.len(), 1 << 20);
        assert_eq!(conn.chunk, MAX_CHUNK);
    }
}
