//! OPI's defaults, in one place: what a call uses when a script leaves an argument out. They are
//! OPI's numbers, so that a ported script behaves as it did in OneScript.

use std::time::Duration;

/// The send and read deadline of the client functions.
pub(crate) const IO_TIMEOUT_MS: u64 = 5000;
/// How long a server read waits for data.
pub(crate) const SERVER_WAIT_MS: u64 = 1000;
/// The most bytes one server read returns.
pub(crate) const SERVER_MAX_SIZE: usize = 8192;
/// How many live connections a server admits.
pub(crate) const SERVER_POOL: usize = 100;
/// Log entries kept in memory.
pub(crate) const LOG_MAX_ENTRIES: i64 = 300;
/// Log entries `GetLog` returns.
pub(crate) const LOG_COUNT: i64 = 100;
/// `ProcessRequest` reads up to this marker.
pub(crate) const REQUEST_MARKER: &[u8] = b"\n";

/// How long a half-close (`FinishSending`, `CompleteSend`) and a server's send may wait for the
/// peer: OPI's I/O deadline.
pub(crate) const SHUTDOWN_TIMEOUT: Duration = Duration::from_millis(IO_TIMEOUT_MS);
