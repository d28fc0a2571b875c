//! opi-tcp: scripting TCP conversations. A Rhai engine with OPI's `OPI_TCP` functions as native
//! bindings, so procedural scripts can connect, send, read and close, plain or over TLS.
//!
//! # Layout
//!
//! - [`net`]: the asynchronous client core (addresses, connecting, the connection and its read
//!   buffer, read policy, typed errors, the blocking bridge). Knows nothing of Rhai.
//! - [`script`]: the Rhai surface: [`script::engine()`], the `OPI_TCP` module, value conversion,
//!   error maps, script error display. Knows nothing of sockets beyond `net`'s API.
//!
//! The binary (`src/main.rs`, `src/cli.rs`, `src/repl.rs`) knows only `script::engine()` and
//! the error types.

pub mod net;
pub mod script;
