//! opi-tcp: scripting TCP conversations. A Rhai engine with OPI's `OPI_TCP` functions as native
//! bindings, so procedural scripts can connect, send, read and close, plain or over TLS, directly
//! or through SOCKS4/4a/5 and HTTP CONNECT proxies, and serve clients themselves.
//!
//! # Layout
//!
//! - [`net`]: the asynchronous core: addresses, connecting (proxy tunnels, TCP, TLS), the
//!   connection and its read buffer, the read policy, the background server, event logs, typed
//!   errors, and the blocking bridge (one shared runtime, Ctrl-C). Knows nothing of Rhai.
//! - [`script`]: the Rhai surface: [`script::engine()`], the `OPI_TCP` module and its handles,
//!   value conversion and error maps, helpers and assertions, script error display. Reaches
//!   sockets only through `net`.
//!
//! The binary (`src/main.rs`, `src/cli.rs`, `src/repl.rs`, `src/testing.rs` for `opi-tcp test`)
//! knows only `script::engine()` and the error types.

#![warn(unreachable_pub)]

pub mod net;
pub mod script;
