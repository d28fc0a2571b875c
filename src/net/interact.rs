//! Interact: the connection and a byte source (the user's terminal, or standard input) talk to
//! each other directly until an escape byte, the end of the input, or the peer's close. What
//! arrives is handed to the caller as it arrives; nothing that came after the end is taken.

use tokio::sync::mpsc::Receiver;

use super::connection::{Connection, Filled};
use super::deadline::Deadline;
use super::error::Error;

/// Why an interaction ended.
#[derive(Debug)]
pub enum InteractEnd {
    /// The escape byte was typed (what came before it on that line was sent).
    Escape,
    /// The input ended; with `until_peer_closes` unset (a terminal) this ends the interaction.
    InputEnd,
    /// The peer closed and everything it sent was shown.
    PeerClosed,
    Failed(Error),
}

impl Connection {
    /// Sends what `input` yields and hands what arrives to `show`, until `escape` is seen in the
    /// input, the input ends, or the peer closes. With `until_peer_closes` (input that is not a
    /// terminal), the end of input half-closes the connection and the interaction goes on until
    /// the peer closes: a reply that comes after the request's end is not lost.
    pub async fn interact(
        &mut self,
        input: &mut Receiver<Vec<u8>>,
        show: &mut (dyn FnMut(&[u8]) + Send),
        escape: Option<u8>,
        until_peer_closes: bool,
    ) -> InteractEnd {
        let mut input_open = true;
        loop {
            if !self.buf.is_empty() {
                let n = self.buf.len();
                show(&self.take(n));
            }
            if self.eof {
                return InteractEnd::PeerClosed;
            }
            tokio::select! {
                chunk = input.recv(), if input_open => match chunk {
                    Some(bytes) => {
                        let (part, escaped) = match escape.and_then(|e| bytes.iter().position(|&b| b == e)) {
                            Some(i) => (&bytes[..i], true),
                            None => (&bytes[..], false),
                        };
                        if !part.is_empty()
                            && let Err(e) = self.send(part, None).await
                        {
                            return InteractEnd::Failed(e);
                        }
                        if escaped {
                            return InteractEnd::Escape;
                        }
                    }
                    None => {
                        input_open = false;
                        if !until_peer_closes {
                            return InteractEnd::InputEnd;
                        }
                        if let Err(e) = self.shutdown_write(std::time::Duration::from_secs(5)).await {
                            return InteractEnd::Failed(e);
                        }
                    }
                },
                filled = self.fill(&Deadline::NONE, 64 * 1024) => {
                    if let Filled::Failed(e) = filled {
                        return InteractEnd::Failed(e);
                    }
                }
            }
        }
    }
}
