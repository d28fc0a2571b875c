//! The one send path of clients and of a server's connections: every byte before the deadline,
//! or a failure that says how far it got, after which the stream sends no more.

use std::io;

use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::deadline::Deadline;
use super::error::{Error, ErrorKind, Phase, Result};

/// How far a send got: `(bytes sent, bytes to send)` while it runs or after it failed part way.
/// It lives beside the stream, not in the send's future, so that a send dropped half-done (a
/// deadline, Ctrl-C) is still known to have broken the stream's framing.
pub(crate) type SendProgress = Option<(usize, usize)>;

/// Writes every byte of `data` and flushes before `deadline`: the one send path of clients and
/// of a server's connections. `peer` names the other side in errors.
///
/// A send that stopped after some bytes left a fragment on the wire: the peer can no longer tell
/// where a message starts, so every later send on the stream fails (kind `io`) instead of gluing
/// the next message to the fragment. The failure says how many bytes went out. A send that wrote
/// nothing leaves the stream as it was.
pub(crate) async fn write_all<W: AsyncWrite + Unpin + ?Sized>(
    w: &mut W,
    data: &[u8],
    deadline: &Deadline,
    peer: &str,
    progress: &mut SendProgress,
) -> Result<()> {
    if let Some((sent, total)) = *progress
        && sent > 0
    {
        return Err(Error::new(
            ErrorKind::Io,
            Phase::Send,
            peer,
            format!(
                "an earlier send stopped after {sent} of {total} bytes, so the stream is no \
                 longer framed; no more sends on this connection (reads still work)"
            ),
        ));
    }
    *progress = Some((0, data.len()));
    let write = async {
        let mut sent = 0;
        while sent < data.len() {
            match w.write(&data[sent..]).await {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(n) => {
                    sent += n;
                    *progress = Some((sent, data.len()));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        w.flush().await
    };
    let result = deadline
        .run(Phase::Send, peer, write)
        .await
        .and_then(|r| r.map_err(|e| Error::io(Phase::Send, peer, &e)));
    match (result, *progress) {
        (Ok(()), _) => {
            *progress = None;
            Ok(())
        }
        (Err(e), Some((sent, total))) if sent > 0 => Err(Error::new(
            e.kind(),
            e.phase(),
            peer,
            format!(
                "{}; {sent} of {total} bytes went out, so this connection sends no more",
                e.detail()
            ),
        )),
        (Err(e), _) => {
            *progress = None;
            Err(e)
        }
    }
}
