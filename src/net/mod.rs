//! The asynchronous client and server core. It knows nothing of Rhai. Its modules are private;
//! what callers use is re-exported here, one path per type.
//!
//! ```text
//! address → connect: checks → tcp::dial | proxy::tunnel (→ tcp::dial) → [tls] → connection
//!           connect_all: many connects under one deadline
//!                                                  eyeballs: tcp::dial's race of a name's addresses
//!                                                  connection: read / send / half-close / close
//!                                                  linger: a close that loses nothing
//!                                                  read: when a read stops (pure)
//!                                                  chars: where characters begin
//!                                                  send: every byte, or how far it got
//!                                      conversation: Expect, ReadAvailable, ReadUntilQuiet
//!                                                  expect: which pattern matches (pure)
//! server: accept loop and readers in the background   log: event logs (clock: UTC dates)
//! deadline: the one timeout helper   error: the one error type
//! runtime: the runtimes, block_on, Ctrl-C interrupt   wait: WaitAny over many
//! driver: drives a server's runtime while its script computes
//! ```

mod address;
mod chars;
mod clock;
mod connect;
mod connection;
mod conversation;
mod deadline;
mod driver;
mod error;
mod expect;
mod eyeballs;
mod hexdump;
mod interact;
mod linger;
mod log;
mod proxy;
mod read;
mod runtime;
mod secret;
mod send;
mod server;
mod tcp;
mod tls;
mod trace;
mod wait;

pub use address::{Host, Target};
pub use chars::CharUnits;
pub use connect::{ConnectOptions, DEFAULT_CONNECT_TIMEOUT, connect, connect_all};
pub use connection::Connection;
pub use conversation::Expected;
pub use error::{Error, ErrorKind, Gone, Phase, Result};
pub use expect::{BadPattern, DEFAULT_MAX_SPAN, Match, Matcher, Pattern, Step};
pub use hexdump::hexdump;
pub use interact::InteractEnd;
pub use linger::LINGER;
pub use log::{Log, LogConfig};
/// Entry points for the fuzz targets in `fuzz/`; not an API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use proxy::fuzzing;
pub use proxy::{ProxyConfig, ProxyKind};
pub use read::{ReadEnd, ReadLimit, ReadOutcome};
pub use runtime::{
    Interrupted, block_on, block_on_eager, finish_closing, install_ctrl_c_handler, interrupt,
    is_interrupted, spawn_blocking, take_interrupt,
};
pub use secret::{hide_secret, redact};
pub use server::{
    ConnectionInfo, DEFAULT_MAX_BUFFERED, DEFAULT_MAX_UNSENT, DEFAULT_RATE_WINDOW,
    DEFAULT_SEND_TIMEOUT, MinRate, Received, Server, ServerEvent, ServerLimits, TooLarge,
};
pub use tcp::Family;
pub use tls::TlsOptions;
pub use trace::{TRACE_CUT, Trace, TraceConfig, Traced, global_trace, trace_all};
pub use wait::{Event, Waitable, wait_any};
