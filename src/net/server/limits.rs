//! What a server may hold and for how long: the unread bytes of all its connections together
//! (one budget per server, so memory does not grow with the pool) and one connection's share of
//! them; the bytes a connection may have waiting to go out; how long a client may take nothing
//! of them; and the limits that free a pool slot (eviction when the pool is full, idle time,
//! lifetime, a minimum sending rate). These are net's own limits, not OPI's (OPI buffers without
//! bound and never closes a connection), so their defaults live here.
//!
//! Defaults, and why:
//! - a slot is taken back from the least recently active connection when a client waits for a
//!   full pool (on): otherwise a hundred clients dribbling a byte a second hold the default pool
//!   for ever, and nothing in a byte stream tells them from a slow but honest client;
//! - 256 KiB may wait to go out per connection, on top of the kernel's socket buffer, and a
//!   client that takes none of it for 10 s is closed: a client that never reads then costs the
//!   script no wait at all, and the memory it can pin is bounded;
//! - no idle timeout, no lifetime, no minimum rate (as OPI): each of them cuts honest clients
//!   of some protocol (a person typing sends a few bytes a second), so an operator turns them
//!   on knowing the protocol.

use std::time::Duration;

/// The default budget of unread bytes for all of a server's connections together: enough for
/// sixteen connections at the per-connection cap, yet a pool of 200 slow readers stays in the
/// tens of megabytes instead of growing with the pool.
pub const DEFAULT_MAX_BUFFERED: usize = 64 * 1024 * 1024;

/// The default of [`ServerLimits::max_unsent`].
pub const DEFAULT_MAX_UNSENT: usize = 256 * 1024;

/// The default of [`ServerLimits::send_timeout`].
pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The default window of [`MinRate`].
pub const DEFAULT_RATE_WINDOW: Duration = Duration::from_secs(10);

/// Unread bytes one connection may hold before its reader pauses, whatever the budget.
const MAX_PER_CONNECTION: usize = 4 * 1024 * 1024;

/// The most a reader takes from its socket at once.
const CHUNK: usize = 64 * 1024;

/// A server's limits, as [`Server::start`](super::Server::start) takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Unread bytes all connections together may hold; readers wait when it is spent.
    pub max_buffered: usize,
    /// Bytes a connection may have waiting to go out (accepted by a send, not yet taken by the
    /// client's TCP) before a send waits for room and the script is given none of its data.
    pub max_unsent: usize,
    /// A client that takes none of the bytes waiting for it for this long is closed.
    pub send_timeout: Duration,
    /// When the pool is full and a client waits, close the least recently active connection
    /// to admit it (`false`: the client waits until a connection ends).
    pub evict_when_full: bool,
    /// A connection with nothing unread and no traffic either way for this long is closed;
    /// `None` keeps it open (as OPI).
    pub idle_timeout: Option<Duration>,
    /// A connection is closed this long after it was accepted; `None`: never (as OPI).
    pub max_lifetime: Option<Duration>,
    /// A client that keeps sending, but slower than this, is closed; `None`: any rate will do
    /// (as OPI).
    pub min_rate: Option<MinRate>,
}

/// The least a client that keeps sending must send: `bytes_per_sec` over each `window` of a run
/// of bytes without a pause as long as the window (see `rate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinRate {
    /// Bytes per second.
    pub bytes_per_sec: u64,
    pub window: Duration,
}

impl MinRate {
    /// The bytes a run of `over` must bring (at least one).
    pub(super) fn required(&self, over: Duration) -> u64 {
        let ms = u64::try_from(over.as_millis()).unwrap_or(u64::MAX);
        self.bytes_per_sec.saturating_mul(ms).div_ceil(1000).max(1)
    }
}

impl Default for ServerLimits {
    fn default() -> ServerLimits {
        ServerLimits {
            max_buffered: DEFAULT_MAX_BUFFERED,
            max_unsent: DEFAULT_MAX_UNSENT,
            send_timeout: DEFAULT_SEND_TIMEOUT,
            evict_when_full: true,
            idle_timeout: None,
            max_lifetime: None,
            min_rate: None,
        }
    }
}

impl ServerLimits {
    /// The limits as the log's start line shows them.
    pub(super) fn describe(&self) -> String {
        let ms =
            |d: Option<Duration>| d.map_or("none".to_string(), |t| format!("{} ms", t.as_millis()));
        let rate = self.min_rate.map_or("none".to_string(), |r| {
            format!(
                "{} bytes/s over {} ms",
                r.bytes_per_sec,
                r.window.as_millis()
            )
        });
        format!(
            "{} bytes buffered in all, {} bytes unsent per connection, send timeout {} ms, \
             eviction when full {}, idle timeout {}, lifetime {}, minimum rate {rate}",
            self.max_buffered,
            self.max_unsent,
            self.send_timeout.as_millis(),
            if self.evict_when_full { "on" } else { "off" },
            ms(self.idle_timeout),
            ms(self.max_lifetime),
        )
    }
}

/// The byte limits a reader checks, derived once from [`ServerLimits::max_buffered`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Budget {
    pub(super) total: usize,
    pub(super) per_connection: usize,
    /// What a reader sets aside before each read. A reader waits until a whole chunk fits, so a
    /// script taking a few bytes at a time does not wake every paused reader for a tiny read.
    pub(super) chunk: usize,
}

impl Budget {
    pub(super) fn new(max_buffered: usize) -> Budget {
        let total = max_buffered.max(1);
        let per_connection = MAX_PER_CONNECTION.min(total);
        Budget {
            total,
            per_connection,
            chunk: CHUNK.min(per_connection),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_never_gets_more_than_the_total_or_its_cap() {
        let small = Budget::new(1000);
        assert_eq!(
            (small.total, small.per_connection, small.chunk),
            (1000, 1000, 1000)
        );
        let big = Budget::new(DEFAULT_MAX_BUFFERED);
        assert_eq!(big.per_connection, MAX_PER_CONNECTION);
        assert_eq!(big.chunk, CHUNK);
        assert_eq!(Budget::new(0).chunk, 1);
    }

    #[test]
    fn a_rate_asks_for_at_least_one_byte() {
        let r = |bytes_per_sec| MinRate {
            bytes_per_sec,
            window: Duration::from_secs(1),
        };
        assert_eq!(r(100).required(Duration::from_secs(10)), 1000);
        assert_eq!(r(1).required(Duration::from_millis(1500)), 2);
        assert_eq!(r(1).required(Duration::from_millis(1)), 1);
        assert_eq!(r(u64::MAX).required(Duration::MAX), u64::MAX / 1000 + 1);
    }
}
