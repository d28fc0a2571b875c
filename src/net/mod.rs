//! The asynchronous client core. It knows nothing of Rhai: addresses, connecting, the
//! connection with its read buffer, the read policy, errors, and the blocking bridge that
//! synchronous callers (the script layer) use.
//!
//! ```text
//! address  →  connect: [proxy tunnel →] DNS + TCP [→ TLS]  →  connection (read / send / close)
//!                                                              └─ read: when a read stops (pure)
//! server: accept loop and readers in the background; log: event logs of both
//! runtime: one shared tokio runtime, block_on, Ctrl-C interrupt
//! ```

pub mod address;
pub mod connect;
pub mod connection;
pub mod error;
pub mod log;
pub mod proxy;
pub mod read;
pub mod runtime;
pub mod server;
pub mod tls;

pub use address::{Host, Target};
pub use connect::{ConnectOptions, DEFAULT_CONNECT_TIMEOUT, connect};
pub use connection::{Connection, ReadOutcome};
pub use error::{Error, ErrorKind, Phase, Result};
pub use log::{Log, LogConfig};
pub use proxy::{ProxyConfig, ProxyKind};
pub use read::ReadLimit;
pub use server::{ConnectionInfo, Server};
pub use tls::TlsOptions;
