//! Where a TLS stream ended: on a record boundary, or inside a record.
//!
//! A peer that closes TCP without close_notify reaches us through rustls (0.23) as one
//! `UnexpectedEof`, whether its last record came whole or was cut part way, and rustls offers no
//! public way to tell the two apart: the bytes of an unfinished record sit in its private
//! deframer buffer. They must be told apart all the same: a close on a boundary may be how the
//! peer ends a message (many servers never send close_notify), while a cut inside a record always
//! lost data (curl's error 56).
//!
//! So [`Framed`] sits between the TCP stream (or proxy tunnel) and rustls and follows the record
//! framing of the bytes it passes up: each record is a 5-byte header (type, version, a 16-bit
//! length) and that many bytes. At the end of the stream it knows whether it stopped on a
//! boundary. Inside a record, it answers the end with an error ([`CutInsideRecord`]) instead of
//! `Ok(0)`, which rustls and tokio-rustls hand on unchanged, after the data of every complete
//! record; on a boundary it leaves the end to rustls, which reports the missing close_notify.
//! The framing is the same in the handshake and after it, in TLS 1.2 and 1.3, so the count holds
//! from the first byte; it costs a few comparisons per record.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

const HEADER: usize = 5;

/// A TLS stream that ended inside a record: bytes the peer sent (or meant to) were lost.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CutInsideRecord {
    #[error("the stream ended inside a TLS record header ({0} of its 5 bytes came)")]
    Header(usize),
    #[error("the stream ended inside a TLS record ({missing} of its {length} bytes never came)")]
    Body { length: usize, missing: usize },
}

/// The cut that ended `e`'s stream, when it is one.
pub(crate) fn cut_inside_record(e: &io::Error) -> Option<&CutInsideRecord> {
    e.get_ref()?.downcast_ref()
}

/// Where the bytes seen so far leave the record framing.
#[derive(Debug, Default)]
struct Framing {
    header: [u8; HEADER],
    /// Header bytes of the current record seen (`HEADER`: the header is whole, the body follows).
    have: usize,
    /// Body bytes of the current record still to come.
    body_left: usize,
}

impl Framing {
    fn pass(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.have < HEADER {
                let n = (HEADER - self.have).min(bytes.len());
                self.header[self.have..self.have + n].copy_from_slice(&bytes[..n]);
                self.have += n;
                bytes = &bytes[n..];
                if self.have == HEADER {
                    self.body_left =
                        usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
                }
            } else {
                let n = self.body_left.min(bytes.len());
                self.body_left -= n;
                bytes = &bytes[n..];
            }
            if self.have == HEADER && self.body_left == 0 {
                self.have = 0;
            }
        }
    }

    fn cut(&self) -> Option<CutInsideRecord> {
        match self.have {
            0 => None,
            HEADER => Some(CutInsideRecord::Body {
                length: usize::from(u16::from_be_bytes([self.header[3], self.header[4]])),
                missing: self.body_left,
            }),
            n => Some(CutInsideRecord::Header(n)),
        }
    }
}

/// The stream under TLS, following its record framing (see the module's comment).
#[derive(Debug)]
pub(crate) struct Framed<S> {
    inner: S,
    framing: Framing,
}

impl<S> Framed<S> {
    pub(crate) fn new(inner: S) -> Self {
        Framed {
            inner,
            framing: Framing::default(),
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Framed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        // A read with no room returns nothing without being the end.
        let room = buf.remaining() > 0;
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let got = &buf.filled()[before..];
        if got.is_empty() && room {
            if let Some(cut) = this.framing.cut() {
                return Poll::Ready(Err(io::Error::new(io::ErrorKind::UnexpectedEof, cut)));
            }
        } else {
            this.framing.pass(got);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Framed<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    fn record(body: &[u8]) -> Vec<u8> {
        let mut r = vec![23, 3, 3];
        r.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    /// Reads `wire` through `Framed` in pieces of `step` bytes, then the end.
    async fn end_after(wire: &[u8], step: usize) -> io::Result<usize> {
        let (mut theirs, ours) = tokio::io::duplex(1 << 16);
        theirs.write_all(wire).await.unwrap();
        drop(theirs);
        let mut framed = Framed::new(ours);
        let mut buf = vec![0u8; step];
        let mut total = 0;
        loop {
            match framed.read(&mut buf).await? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    #[tokio::test]
    async fn whole_records_end_cleanly_however_they_are_split() {
        let mut wire = record(b"hello");
        wire.extend(record(b""));
        wire.extend(record(&[7; 300]));
        for step in [1, 2, 5, 6, 7, 1000] {
            assert_eq!(
                end_after(&wire, step).await.unwrap(),
                wire.len(),
                "step {step}"
            );
        }
    }

    #[tokio::test]
    async fn a_cut_inside_a_body_or_a_header_is_an_error_saying_where() {
        let mut wire = record(b"whole");
        wire.extend(&record(&[1; 40])[..20]);
        for step in [1, 3, 1000] {
            let e = end_after(&wire, step).await.unwrap_err();
            assert_eq!(
                cut_inside_record(&e),
                Some(&CutInsideRecord::Body {
                    length: 40,
                    missing: 25
                })
            );
        }
        let e = end_after(&[23, 3], 1).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(cut_inside_record(&e), Some(&CutInsideRecord::Header(2)));
        assert!(cut_inside_record(&io::Error::from(io::ErrorKind::UnexpectedEof)).is_none());
    }
}
