//! How a connection ends without losing what it sent: the lingering close.
//!
//! A socket closed while bytes it received sit unread makes the kernel answer with RST, which
//! throws away everything still in its send queue: a send that returned `true`, then a close,
//! could deliver 6% of its bytes (a banner left unread; over TLS 1.3 the server's session
//! tickets are such bytes). So a close goes the way ncat's and socat's do:
//!
//! 1. half-close: TLS close_notify, then FIN (reading what comes meanwhile, so that a peer
//!    blocked on sending to us can go on and take our bytes);
//! 2. read and discard until the peer closes, or every byte sent (the FIN included) has been
//!    acknowledged by the peer's TCP (`SIOCOUTQ` is 0, Linux), or [`LINGER`] passes;
//! 3. drop the socket, with nothing unread: a FIN, never a reset.
//!
//! Step 2 ends at once in the usual case (a loopback or LAN peer acknowledges within a round
//! trip), and takes up to [`LINGER`] only while the peer leaves our bytes unacknowledged and the
//! connection open. Whatever the peer sends after the close is discarded.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::time::{Instant, timeout, timeout_at};

/// The longest a close waits for the peer to take what was sent.
pub const LINGER: Duration = Duration::from_secs(5);

/// How often the drain looks at the send queue while the peer is silent: first soon (the
/// acknowledgement of the FIN is usually a round trip away), then less often.
const FIRST_TICK: Duration = Duration::from_millis(1);
const MAX_TICK: Duration = Duration::from_millis(50);

/// The raw socket under a stream, for asking the kernel about its send queue.
#[cfg(unix)]
pub(crate) type Socket = std::os::fd::RawFd;
#[cfg(not(unix))]
pub(crate) type Socket = ();

/// The socket of `stream`, for [`drain`].
#[cfg(unix)]
pub(crate) fn socket_of(stream: &impl std::os::fd::AsRawFd) -> Option<Socket> {
    Some(stream.as_raw_fd())
}

#[cfg(not(unix))]
pub(crate) fn socket_of<T>(_stream: &T) -> Option<Socket> {
    None
}

/// How a lingering close ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed {
    /// Bytes the peer sent that nobody read: buffered at the close, or arriving during it.
    pub(crate) discarded: usize,
    /// Why the linger ended.
    pub(crate) end: LingerEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LingerEnd {
    /// The peer closed its side (or the connection failed): nothing more can come.
    PeerClosed,
    /// Every byte sent was acknowledged.
    Delivered,
    /// [`LINGER`] passed with bytes still unacknowledged.
    TimedOut,
}

impl Closed {
    /// A line for the wire trace: why it ended only when that is news (the linger ran out), and
    /// what nobody read.
    pub(crate) fn describe(&self) -> String {
        let mut line = match self.end {
            LingerEnd::PeerClosed | LingerEnd::Delivered => "closed".to_string(),
            LingerEnd::TimedOut => format!(
                "closed after the {} s linger, with bytes the peer had not acknowledged",
                LINGER.as_secs()
            ),
        };
        if self.discarded > 0 {
            line.push_str(&format!(" ({} unread bytes discarded)", self.discarded));
        }
        line
    }
}

/// A server connection's read half, shared by its reader task and its close: reads as it comes.
struct SharedRead(Arc<OwnedReadHalf>);

impl AsyncRead for SharedRead {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let tcp: &TcpStream = (*self.0).as_ref();
        loop {
            ready!(tcp.poll_read_ready(cx))?;
            match tcp.try_read(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

/// Bytes sent and not yet acknowledged by the peer (`None`: the system cannot tell).
#[cfg(target_os = "linux")]
fn unacknowledged(socket: Option<Socket>) -> Option<usize> {
    let fd = socket?;
    let mut n: libc::c_int = 0;
    // SAFETY: SIOCOUTQ (TIOCOUTQ on a socket) writes one int through the pointer; `fd` is a
    // socket that the caller's stream keeps open for this call.
    let r = unsafe { libc::ioctl(fd, libc::TIOCOUTQ, &mut n) };
    (r == 0).then(|| usize::try_from(n).unwrap_or(0))
}

#[cfg(not(target_os = "linux"))]
fn unacknowledged(_socket: Option<Socket>) -> Option<usize> {
    None
}

/// Takes what is readable now, without waiting. `false` once the peer closed or failed.
async fn discard_ready<R: AsyncRead + Unpin>(
    r: &mut R,
    buf: &mut BytesMut,
    discarded: &mut usize,
) -> bool {
    loop {
        buf.clear();
        buf.reserve(16 * 1024);
        // A zero timeout still polls the read first: what is there is taken.
        match timeout(Duration::ZERO, r.read_buf(buf)).await {
            Err(_) => return true,
            Ok(Ok(0)) | Ok(Err(_)) => return false,
            Ok(Ok(n)) => *discarded += n,
        }
    }
}

/// Step 2: discards what comes until the peer closes, everything sent is acknowledged, or
/// `deadline`.
pub(crate) async fn drain<R: AsyncRead + Unpin>(
    r: &mut R,
    socket: Option<Socket>,
    deadline: Instant,
    buf: &mut BytesMut,
    discarded: &mut usize,
) -> LingerEnd {
    let mut tick = FIRST_TICK;
    loop {
        if unacknowledged(socket) == Some(0) {
            // What came meanwhile is taken, so the drop below is a FIN and not a reset.
            return if discard_ready(r, buf, discarded).await {
                LingerEnd::Delivered
            } else {
                LingerEnd::PeerClosed
            };
        }
        let now = Instant::now();
        if now >= deadline {
            return LingerEnd::TimedOut;
        }
        buf.clear();
        buf.reserve(16 * 1024);
        match timeout_at((now + tick).min(deadline), r.read_buf(buf)).await {
            Err(_) => tick = (tick * 2).min(MAX_TICK),
            Ok(Ok(0)) | Ok(Err(_)) => return LingerEnd::PeerClosed,
            Ok(Ok(n)) => *discarded += n,
        }
    }
}

/// The whole close of a client stream: half-close unless `write_closed` (FinishSending did it),
/// then the drain; `buf` holds the bytes nobody read (counted as discarded).
pub(crate) async fn close_stream<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut S,
    socket: Option<Socket>,
    write_closed: bool,
    buf: &mut BytesMut,
) -> Closed {
    let deadline = Instant::now() + LINGER;
    let mut discarded = buf.len();
    let mut peer_closed = false;
    if !write_closed {
        // The close_notify may not fit while the peer reads nothing: keep taking what it sends
        // between tries, so that a peer blocked on sending to us can go on and read.
        loop {
            match timeout_at((Instant::now() + MAX_TICK).min(deadline), io.shutdown()).await {
                Ok(_) => break,
                Err(_) if Instant::now() >= deadline => {
                    return Closed {
                        discarded,
                        end: LingerEnd::TimedOut,
                    };
                }
                Err(_) => {
                    if !peer_closed && !discard_ready(io, buf, &mut discarded).await {
                        peer_closed = true;
                    }
                }
            }
        }
    }
    let end = if peer_closed {
        LingerEnd::PeerClosed
    } else {
        drain(io, socket, deadline, buf, &mut discarded).await
    };
    Closed { discarded, end }
}

/// The close of a server's connection: FIN on the write half, then the drain of the read half.
pub(crate) async fn close_server_side(
    write: Option<OwnedWriteHalf>,
    read: Option<Arc<OwnedReadHalf>>,
) {
    let deadline = Instant::now() + LINGER;
    let socket = read.as_deref().and_then(|r| socket_of(r.as_ref()));
    if let Some(mut w) = write {
        let _ = timeout_at(deadline, w.shutdown()).await;
    }
    if let Some(r) = read {
        let mut buf = BytesMut::new();
        let mut discarded = 0;
        drain(
            &mut SharedRead(r),
            socket,
            deadline,
            &mut buf,
            &mut discarded,
        )
        .await;
    }
}

/// Runs `fut` (the rest of a closed server connection's sends) while taking and discarding what
/// the client sends on `read`, so that a client blocked on sending to us can go on and read.
pub(crate) async fn discarding<F: std::future::Future>(
    read: &Arc<OwnedReadHalf>,
    fut: F,
) -> F::Output {
    let mut r = SharedRead(Arc::clone(read));
    let mut buf = BytesMut::new();
    tokio::pin!(fut);
    loop {
        buf.clear();
        buf.reserve(16 * 1024);
        tokio::select! {
            biased;
            out = &mut fut => return out,
            got = r.read_buf(&mut buf) => {
                if !matches!(got, Ok(n) if n > 0) {
                    // The client closed or failed: nothing more to take.
                    return fut.await;
                }
            }
        }
    }
}
