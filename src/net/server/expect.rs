//! Expect on one accepted connection: the same search as a client's (earliest match wins,
//! bytes consumed only on a match), run over the connection's buffer as its reader fills it.

use std::time::Duration;

use super::Server;
use super::state::lock;
use crate::net::ReadEnd;
use crate::net::conversation::Expected;
use crate::net::error::{ErrorKind, Phase, Result};
use crate::net::expect::{Match, Matcher, Pattern};

/// Why a match cannot be returned (see [`Server::expect_connection`]), or `None`.
pub type TooLarge<'a> = dyn Fn(&Pattern, &Match, &[u8]) -> Option<String> + 'a;

impl Server {
    /// Waits until one of `matcher`'s patterns matches the unread bytes of connection `id`,
    /// within `timeout`, searching at most `cap` bytes (and at most the connection's share of
    /// the buffer budget, which is all a connection can hold).
    ///
    /// `too_large` is asked about a match before its bytes are taken, since they cannot be put
    /// back: a reason means the caller could not return it (its texts would not fit), and the
    /// answer is then no match, that reason as its error, and nothing consumed.
    pub async fn expect_connection(
        &self,
        id: u64,
        matcher: &mut Matcher,
        timeout: Duration,
        cap: usize,
        too_large: &TooLarge<'_>,
    ) -> Result<Expected> {
        self.check_running(Phase::Read)?;
        let shared = &self.shared;
        let limit = cap.min(shared.budget.per_connection).max(1);
        let unmatched = |data: &[u8], end| Expected {
            found: None,
            data: data.to_vec(),
            end,
            error: None,
        };
        let got = self
            .wait(Some(timeout), |state| {
                if state.stopped {
                    return Some(Err(self.shared.stopped(Phase::Read)));
                }
                let Some(conn) = state.conns.get(&id) else {
                    return Some(Err(self.unknown(Phase::Read, id)));
                };
                let window = conn.buf.len().min(limit);
                if let Some(m) = matcher.check(&conn.buf[..window]) {
                    let pattern = &matcher.patterns()[m.index];
                    if let Some(why) = too_large(pattern, &m, &conn.buf[..m.end]) {
                        return Some(Ok(Expected {
                            found: None,
                            data: Vec::new(),
                            end: ReadEnd::Limit,
                            error: Some(shared.err(ErrorKind::Io, Phase::Read, why)),
                        }));
                    }
                    let data = shared.take(state, id, m.end).unwrap_or_default();
                    if state.conns.get(&id).is_some_and(|c| c.buf.is_empty()) {
                        state.ready.retain(|r| *r != id);
                    }
                    return Some(Ok(Expected {
                        found: Some(m),
                        data: data.to_vec(),
                        end: ReadEnd::Match,
                        error: None,
                    }));
                }
                // Its reader pauses once its share is full: nothing more can come for the search.
                let budget = shared.budget;
                let share_full =
                    conn.pending && conn.buf.len() + budget.chunk > budget.per_connection;
                if window >= limit || share_full {
                    return Some(Ok(unmatched(&conn.buf[..window], ReadEnd::Limit)));
                }
                if conn.finished() {
                    return Some(Ok(unmatched(&conn.buf[..window], ReadEnd::Eof)));
                }
                None
            })
            .await?;
        match got {
            Some(result) => result,
            None => {
                let state = lock(shared);
                match state.conns.get(&id) {
                    Some(conn) => Ok(unmatched(
                        &conn.buf[..conn.buf.len().min(limit)],
                        ReadEnd::Timeout,
                    )),
                    None => Err(self.unknown(Phase::Read, id)),
                }
            }
        }
    }
}
