//! Read policy: when a read stops, and what a read tells ([`ReadOutcome`], [`ReadEnd`]). Pure
//! functions over the bytes buffered so far, unit-tested without sockets; `connection` runs the
//! loop that feeds them.
//!
//! A read stops at the first of: the marker (the result ends with it), `max` bytes (exactly that
//! many), or the `cap` (the engine's largest blob). End of stream, errors and the deadline are
//! the mechanism's business. The marker search resumes where the previous scan ended, less
//! `marker.len() - 1` bytes, so a marker split across chunks is found and the total cost stays
//! linear in the bytes read.

use std::time::Duration;

use super::chars::{CharUnits, Walker};
use super::error::Error;

/// What the caller wants from one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLimit {
    /// Stop after exactly this many bytes.
    pub max: Option<usize>,
    /// Stop right after the first occurrence of these bytes (never empty).
    pub marker: Option<Vec<u8>>,
    /// One total deadline for the whole read; `None` waits for a stop condition or EOF.
    pub timeout: Option<Duration>,
    /// Hard upper bound of one read's result, whatever else was asked.
    pub cap: usize,
    /// Where the marker may be found: only where a character of the read's encoding begins.
    pub units: CharUnits,
}

impl ReadLimit {
    /// No marker, no maximum, no deadline: read to end of stream (bounded by `cap`).
    pub fn to_eof(cap: usize) -> Self {
        ReadLimit {
            max: None,
            marker: None,
            timeout: None,
            cap,
            units: CharUnits::Bytes,
        }
    }
}

/// The result of a read: the bytes (possibly empty), why it stopped, and the error that ended
/// it, if any. Timeouts and end of stream are not errors.
#[derive(Debug)]
pub struct ReadOutcome {
    pub data: Vec<u8>,
    pub end: ReadEnd,
    pub error: Option<Error>,
}

/// Why a read stopped; the names are what `conn.last_read` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadEnd {
    /// The marker came (the data ends with it).
    Marker,
    /// `max_size` bytes came.
    MaxSize,
    /// The deadline passed.
    Timeout,
    /// The peer closed its side and nothing more is buffered.
    Eof,
    /// As `Eof`, but a TLS peer closed TCP without close_notify (on a record boundary).
    EofWithoutCloseNotify,
    /// The size limit of one read was reached first.
    Limit,
    /// The stream failed (the error says how).
    Error,
    /// An Expect pattern matched.
    Match,
    /// ReadAvailable returned what had arrived.
    Available,
    /// ReadUntilQuiet saw no byte for its quiet period.
    Quiet,
}

impl ReadEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            ReadEnd::Marker => "marker",
            ReadEnd::MaxSize => "max_size",
            ReadEnd::Timeout => "timeout",
            ReadEnd::Eof => "eof",
            ReadEnd::EofWithoutCloseNotify => "eof_without_close_notify",
            ReadEnd::Limit => "limit",
            ReadEnd::Error => "error",
            ReadEnd::Match => "match",
            ReadEnd::Available => "available",
            ReadEnd::Quiet => "quiet",
        }
    }
}

/// Why a read stopped with bytes still possibly in the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The marker ends at this length.
    Marker(usize),
    /// `max` bytes are there.
    Max(usize),
    /// The cap was reached without any other stop condition.
    Cap(usize),
}

impl Stop {
    pub(crate) fn end(self) -> usize {
        match self {
            Stop::Marker(n) | Stop::Max(n) | Stop::Cap(n) => n,
        }
    }
}

/// Incremental stop detection for one read.
#[derive(Debug, Default)]
pub(crate) struct Scanner {
    /// Bytes before this index have been searched for the marker without a match.
    scanned: usize,
    /// Where characters begin (made on the first use, from the limit's units).
    walker: Option<Walker>,
}

impl Scanner {
    /// Decides whether `buf` (all bytes buffered for this read) satisfies the limit.
    pub(crate) fn check(&mut self, buf: &[u8], limit: &ReadLimit) -> Option<Stop> {
        let bound = limit.max.map_or(limit.cap, |m| m.min(limit.cap));
        let window = &buf[..buf.len().min(bound)];
        if let Some(marker) = limit.marker.as_deref().filter(|m| !m.is_empty()) {
            let mut from = self.scanned.saturating_sub(marker.len() - 1);
            while let Some(at) = find(&window[from..], marker).map(|at| from + at) {
                let walker = self.walker.get_or_insert_with(|| Walker::new(limit.units));
                if walker.may_begin(window, at, marker) {
                    return Some(Stop::Marker(at + marker.len()));
                }
                // Inside a character: not the marker.
                from = at + 1;
            }
            self.scanned = window.len();
        }
        if buf.len() >= bound {
            return Some(match limit.max {
                Some(m) if m <= limit.cap => Stop::Max(bound),
                _ => Stop::Cap(bound),
            });
        }
        None
    }
}

/// The first index of `needle` in `hay`, at memory speed (SIMD `memchr` / `memmem`).
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    match needle {
        [] => Some(0),
        [b] => memchr::memchr(*b, hay),
        _ => memchr::memmem::find(hay, needle),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(max: Option<usize>, marker: &str) -> ReadLimit {
        ReadLimit {
            max,
            marker: (!marker.is_empty()).then(|| marker.as_bytes().to_vec()),
            timeout: None,
            cap: 1 << 20,
            units: CharUnits::Bytes,
        }
    }

    /// Feeds `chunks` one by one, as the socket would deliver them.
    fn feed(chunks: &[&str], l: &ReadLimit) -> Option<(usize, Stop)> {
        let mut s = Scanner::default();
        let mut buf = Vec::new();
        for (i, c) in chunks.iter().enumerate() {
            buf.extend_from_slice(c.as_bytes());
            if let Some(stop) = s.check(&buf, l) {
                return Some((i, stop));
            }
        }
        None
    }

    use proptest::prelude::Strategy;

    #[test]
    fn marker_split_across_chunks() {
        let l = limit(None, "\r\n\r\n");
        assert_eq!(
            feed(&["HTTP/1.1 200\r", "\n\r", "\nbody"], &l),
            Some((2, Stop::Marker(16)))
        );
    }

    #[test]
    fn first_marker_wins_and_rest_is_not_taken() {
        let l = limit(None, "\n");
        assert_eq!(feed(&["one\ntwo\n"], &l), Some((0, Stop::Marker(4))));
    }

    #[test]
    fn max_is_exact() {
        let l = limit(Some(5), "");
        assert_eq!(feed(&["abc", "defgh"], &l), Some((1, Stop::Max(5))));
    }

    #[test]
    fn marker_past_max_does_not_count() {
        let l = limit(Some(5), "\n\n");
        assert_eq!(feed(&["abcd\n\n"], &l), Some((0, Stop::Max(5))));
        assert_eq!(feed(&["ab\n\nxyz"], &l), Some((0, Stop::Marker(4))));
    }

    #[test]
    fn no_stop_without_condition() {
        assert_eq!(feed(&["abc", "def"], &limit(None, "")), None);
        assert_eq!(feed(&["abc", "def"], &limit(None, "x")), None);
    }

    #[test]
    fn cap_stops_an_unbounded_read() {
        let mut l = limit(None, "");
        l.cap = 4;
        assert_eq!(feed(&["ab", "cdef"], &l), Some((1, Stop::Cap(4))));
        l.max = Some(10);
        assert_eq!(feed(&["abcdef"], &l), Some((0, Stop::Cap(4))));
    }

    /// Where one read of `data` (all of it there) must stop: after the first marker that ends
    /// inside the bound, else at the bound, else nowhere yet.
    fn model(data: &[u8], l: &ReadLimit) -> Option<usize> {
        let bound = l.max.map_or(l.cap, |m| m.min(l.cap));
        let window = &data[..data.len().min(bound)];
        if let Some(m) = l.marker.as_deref().filter(|m| !m.is_empty())
            && let Some(at) = window.windows(m.len()).position(|w| w == m)
        {
            return Some(at + m.len());
        }
        (data.len() >= bound).then_some(bound)
    }

    proptest::proptest! {
        /// However the bytes arrive, the scanner stops where the model says, at the first chunk
        /// that makes it possible, and never before.
        #[test]
        fn the_scanner_agrees_with_a_model_over_any_chunking(
            data in proptest::collection::vec(proptest::prelude::any::<u8>().prop_map(|b| b % 4), 0..200),
            cuts in proptest::collection::vec(1usize..20, 0..40),
            marker in proptest::collection::vec(proptest::prelude::any::<u8>().prop_map(|b| b % 4), 0..4),
            max in proptest::option::of(1usize..150),
            cap in 1usize..200,
        ) {
            let l = ReadLimit {
                max,
                marker: (!marker.is_empty()).then(|| marker.clone()),
                timeout: None,
                cap,
                units: CharUnits::Bytes,
            };
            let mut s = Scanner::default();
            let mut buf = Vec::new();
            let mut rest = &data[..];
            let mut got = None;
            for cut in cuts.iter().copied().chain(std::iter::repeat(usize::MAX)) {
                let (chunk, tail) = rest.split_at(cut.min(rest.len()));
                buf.extend_from_slice(chunk);
                rest = tail;
                if let Some(stop) = s.check(&buf, &l) {
                    got = Some(stop.end());
                    break;
                }
                proptest::prop_assert_eq!(model(&buf, &l), None, "missed a stop at {}", buf.len());
                if rest.is_empty() {
                    break;
                }
            }
            proptest::prop_assert_eq!(got, model(&buf, &l));
        }
    }

    #[test]
    fn scanning_is_incremental() {
        // One byte at a time over 100k bytes: quadratic rescanning would take seconds here.
        let l = limit(None, "END");
        let mut s = Scanner::default();
        let mut buf = Vec::new();
        for _ in 0..100_000 {
            buf.push(b'x');
            assert_eq!(s.check(&buf, &l), None);
        }
        buf.extend_from_slice(b"EN");
        assert_eq!(s.check(&buf, &l), None);
        buf.push(b'D');
        assert_eq!(s.check(&buf, &l), Some(Stop::Marker(100_003)));
    }
}
