//! Conversation reads on a [`Connection`]: Expect (wait for the first of several patterns),
//! ReadAvailable (what has arrived) and ReadUntilQuiet (until the peer falls silent).
//!
//! Every one has a total deadline; a zero timeout looks once at what has arrived without
//! waiting. Expect consumes bytes only on a match, and only up to its end: everything after it,
//! and everything when nothing matched, stays buffered for the next read.

use std::time::Duration;

use tokio::time::Instant;

use super::connection::{Connection, Filled};
use super::deadline::Deadline;
use super::error::Error;
use super::expect::{Match, Matcher, Step};
use super::read::{ReadEnd, ReadOutcome};

/// What an Expect gave: on a match, the bytes consumed (up to the match's end) and where the
/// match lies in them; otherwise a copy of what is buffered, none of it consumed.
#[derive(Debug)]
pub struct Expected {
    pub found: Option<Match>,
    pub data: Vec<u8>,
    pub end: ReadEnd,
    pub error: Option<Error>,
}

impl Connection {
    /// Waits until one of `matcher`'s patterns matches the buffered bytes, within `timeout`,
    /// searching at most `cap` bytes.
    pub async fn expect(
        &mut self,
        matcher: &mut Matcher,
        timeout: Duration,
        cap: usize,
    ) -> Expected {
        let deadline = Deadline::after(timeout);
        // A zero timeout looks at everything that has arrived, however long the search takes.
        let bounded = !timeout.is_zero();
        let mut last_look = false;
        loop {
            let window = self.buf.len().min(cap);
            let unmatched = |this: &Self, end, error| Expected {
                found: None,
                data: this.buf[..window].to_vec(),
                end,
                error,
            };
            let step = matcher.step(&self.buf[..window]);
            if let Step::Found(m) = step {
                let data = self.take(m.end);
                return Expected {
                    found: Some(m),
                    data,
                    end: ReadEnd::Match,
                    error: None,
                };
            }
            // A long backlog is searched in steps, and a peer that never stops sending keeps
            // every wait for bytes ready at once: between steps the deadline and Ctrl-C (which
            // `block_on` races against this future, so this must yield for it) get their turn.
            // Past the deadline, what the socket already holds gets one last look.
            if bounded && deadline.passed() {
                if step == Step::Partial || last_look {
                    return unmatched(self, ReadEnd::Timeout, None);
                }
                last_look = true;
            }
            if super::runtime::is_interrupted() {
                tokio::task::yield_now().await;
            }
            if step == Step::Partial {
                continue;
            }
            if window >= cap {
                return unmatched(self, ReadEnd::Limit, None);
            }
            if self.eof {
                return unmatched(self, self.end_of_stream(), None);
            }
            match self.fill(&deadline, cap).await {
                Filled::Data | Filled::Eof => {}
                Filled::Timeout => return unmatched(self, ReadEnd::Timeout, None),
                Filled::Failed(e) => return unmatched(self, ReadEnd::Error, Some(e)),
            }
        }
    }

    /// What is buffered, or else the first bytes to arrive within `timeout`; either way plus
    /// whatever the socket already holds, at most `max` bytes. Empty on timeout or end of stream.
    pub async fn read_available(&mut self, max: usize, timeout: Duration) -> ReadOutcome {
        let max = max.max(1);
        let mut error = None;
        if self.buf.is_empty() && !self.eof {
            match self.fill(&Deadline::after(timeout), max).await {
                Filled::Data | Filled::Eof => {}
                Filled::Timeout => return self.take_all(ReadEnd::Timeout, None),
                Filled::Failed(e) => return self.take_all(ReadEnd::Error, Some(e)),
            }
        }
        // Only what is already there: a zero deadline polls the socket once.
        while self.buf.len() < max && !self.eof {
            match self.fill(&Deadline::after(Duration::ZERO), max).await {
                Filled::Data => {}
                Filled::Eof | Filled::Timeout => break,
                Filled::Failed(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        let n = self.buf.len().min(max);
        let data = self.take(n);
        let end = match (&error, data.is_empty()) {
            (Some(_), true) => ReadEnd::Error,
            (_, true) => self.end_of_stream(),
            _ => ReadEnd::Available,
        };
        ReadOutcome { data, end, error }
    }

    /// Reads until no byte has come for `quiet`, `timeout` has passed in all, `max` bytes are
    /// there, or the stream ends; returns what is buffered then (at most `max` bytes).
    pub async fn read_until_quiet(
        &mut self,
        quiet: Duration,
        timeout: Duration,
        max: usize,
    ) -> ReadOutcome {
        let end_at = Instant::now() + timeout;
        loop {
            if self.buf.len() >= max {
                let data = self.take(max);
                return ReadOutcome {
                    data,
                    end: ReadEnd::MaxSize,
                    error: None,
                };
            }
            if self.eof {
                return self.take_all(self.end_of_stream(), None);
            }
            let left = end_at.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return self.take_all(ReadEnd::Timeout, None);
            }
            let wait = quiet.min(left);
            match self.fill(&Deadline::after(wait), max).await {
                Filled::Data | Filled::Eof => {}
                Filled::Timeout if wait < left => return self.take_all(ReadEnd::Quiet, None),
                Filled::Timeout => return self.take_all(ReadEnd::Timeout, None),
                Filled::Failed(e) => return self.take_all(ReadEnd::Error, Some(e)),
            }
        }
    }
}
