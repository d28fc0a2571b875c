//! The minimum sending rate (off by default): what a byte stream's "message" is, and when a
//! client sends one too slowly.
//!
//! The server does not know where a client's messages end; the script reads whatever arrived.
//! So a *run* stands in for a message: bytes with no pause as long as the rate's window between
//! them. A run that lasts a whole window must have brought `bytes_per_sec` for each second of
//! it, and so on for each further window of the same run. Hence:
//! - a client that sends a request in one go and waits (or goes quiet) is never judged, however
//!   small the request: its run ends with the pause;
//! - a client dribbling a byte a second (slowloris) keeps one run going and is closed at the
//!   end of its first window;
//! - a client that sends a little every few seconds, less than a window apart, *is* judged by
//!   its average: a person typing into a terminal looks exactly like that, which is why the rate
//!   is off by default, and why a protocol with such clients wants a window shorter than their
//!   pauses (or no minimum rate).
//! - a window in which the server paused the reader (its budget was spent, or the client was
//!   held: see `outbox`) is not held against the client; the next one starts afresh.

use std::time::Duration;

use tokio::time::Instant;

use super::limits::MinRate;

/// One connection's account of its current run.
#[derive(Debug, Default)]
pub(super) struct RateWindow {
    /// When the current window began (the run's first byte, or where the last window ended).
    from: Option<Instant>,
    /// Bytes that came since `from`.
    bytes: u64,
    last: Option<Instant>,
    paused: bool,
}

/// A run that was too slow: the bytes of its last window, and how long that window was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TooSlow {
    pub(super) bytes: u64,
    pub(super) over: Duration,
}

impl RateWindow {
    /// `n` bytes came in at `now`; `Some` when they end a window that brought too few.
    pub(super) fn add(&mut self, rule: &MinRate, now: Instant, n: u64) -> Option<TooSlow> {
        let paused_long = self
            .last
            .is_none_or(|last| now.saturating_duration_since(last) >= rule.window);
        let from = match self.from {
            Some(from) if !paused_long => from,
            _ => {
                self.restart(now);
                now
            }
        };
        self.bytes = self.bytes.saturating_add(n);
        self.last = Some(now);
        let over = now.saturating_duration_since(from);
        if over < rule.window {
            return None;
        }
        let slow = (!self.paused && self.bytes < rule.required(over)).then_some(TooSlow {
            bytes: self.bytes,
            over,
        });
        self.restart(now);
        slow
    }

    /// The server stopped reading for a while: this window says nothing about the client.
    pub(super) fn pause(&mut self) {
        self.paused = true;
    }

    fn restart(&mut self, now: Instant) {
        self.from = Some(now);
        self.bytes = 0;
        self.paused = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: MinRate = MinRate {
        bytes_per_sec: 100,
        window: Duration::from_secs(10),
    };

    /// Feeds `n` bytes at each of `at` (ms from a common start); the first verdict, if any.
    fn run(at: &[(u64, u64)]) -> Option<(u64, TooSlow)> {
        let start = Instant::now();
        let mut w = RateWindow::default();
        at.iter().find_map(|&(ms, n)| {
            w.add(&RULE, start + Duration::from_millis(ms), n)
                .map(|v| (ms, v))
        })
    }

    #[test]
    fn a_byte_a_second_is_closed_at_the_end_of_its_first_window() {
        let drip: Vec<(u64, u64)> = (0..30).map(|s| (s * 1000, 1)).collect();
        assert_eq!(
            run(&drip),
            Some((
                10_000,
                TooSlow {
                    bytes: 11,
                    over: Duration::from_secs(10)
                }
            ))
        );
    }

    #[test]
    fn a_request_then_a_pause_is_never_judged() {
        // A small request every 15 s: each run ends with its pause.
        let requests: Vec<(u64, u64)> = (0..10).map(|i| (i * 15_000, 20)).collect();
        assert_eq!(run(&requests), None);
    }

    #[test]
    fn a_run_fast_enough_goes_on_window_after_window() {
        let steady: Vec<(u64, u64)> = (0..100).map(|i| (i * 500, 60)).collect();
        assert_eq!(run(&steady), None);
        // The same run slowing down is judged by its own window, not by its past.
        let mut slowing = steady.clone();
        slowing.extend((0..30).map(|i| (50_000 + i * 500, 1)));
        assert!(matches!(run(&slowing), Some((ms, _)) if ms > 50_000));
    }

    #[test]
    fn a_window_with_a_paused_reader_is_not_held_against_the_client() {
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        let mut w = RateWindow::default();
        assert_eq!(w.add(&RULE, at(0), 1), None);
        w.pause();
        assert_eq!(w.add(&RULE, at(5), 1), None);
        assert_eq!(w.add(&RULE, at(10), 1), None);
        // The next window of the same run counts again.
        assert_eq!(w.add(&RULE, at(15), 1), None);
        assert_eq!(
            w.add(&RULE, at(20), 1),
            Some(TooSlow {
                bytes: 2,
                over: Duration::from_secs(10)
            })
        );
    }
}
