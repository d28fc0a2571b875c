//! opi-tcp: scripting TCP conversations. A Rhai engine with OPI's `OPI_TCP` functions as native
//! bindings, so procedural scripts can connect, send, read and close, plain or over TLS, directly
//! or through SOCKS4/4a/5 and HTTP CONNECT proxies, and serve clients themselves.
//!
//! # Layout
//!
//! Modules are private with one public path per type (re-exported from `net` and `script`);
//! no two files import each other (`.ci/layout-check` fails on a cycle or a file over 400 lines).
//!
//! - [`net`]: the asynchronous core; knows nothing of Rhai. `address` (parse targets, never
//!   resolve) → `connect` (checks, then `tcp` dial, whose `eyeballs` races a name's addresses,
//!   or a `proxy` tunnel: `proxy/{config, kind, socks, http}`, then `tls`: `tls/{describe,
//!   danger}`; its `connect_all` runs many under one deadline) → `connection` (buffered read,
//!   send, half-close) with `read` (when a read stops, pure), `chars` (where an encoding's
//!   characters begin, so a marker is not found inside one), `send` (every byte, or how far it
//!   got) and `linger` (a close that loses nothing: half-close, drain, bounded linger, for clients and
//!   servers alike); `conversation` (Expect, ReadAvailable,
//!   ReadUntilQuiet) with `expect` (which pattern matches, pure), `wait` (WaitAny over many),
//!   `interact` (a connection and a byte source talking directly), `trace` (the wire trace) with
//!   `hexdump`. `server/{limits, state, accept, reads, expect, events, idle}` serves clients in
//!   the background within one buffer budget; `log` writes event logs
//!   (files on a thread of their own) with `clock`'s UTC dates; `deadline` is the one timeout
//!   helper; `error` the one error type; `runtime` each thread's tokio runtime, `block_on` and
//!   the Ctrl-C interrupt; `driver` drives a server's runtime while its script computes.
//! - [`script`]: the Rhai surface and the facade the binary uses ([`script::engine()`], running a
//!   script, the interrupt). `opi_tcp/` registers OPI's names (the only place they appear), one
//!   overload per arity; `client` / `server` / `logging` / `settings` hold the bodies;
//!   `tcp_client` / `tcp_server` the handles; `args` reads arguments, `outcome` builds result
//!   maps, `defaults` holds OPI's defaults, `session` the per-engine settings, `run` running a
//!   source and rendering its failure (`brackets` finds the one left open); `encoding`,
//!   `helpers`, `assert`, `fallback` (with `arity`, the table of which catch-alls to register),
//!   `nesting` (printing, `==` and JSON of nested collections without recursion); `conversation` (Expect, ReadAvailable, ReadUntilQuiet,
//!   regexes, stream properties, SetTrace) with `expect_map` (its answer, and whether the
//!   texts fit before anything is taken), `wait` (WaitAny), `connect_all` (ConnectAll),
//!   `interact` (Interact), `convert` (OPI's type conversions); `bytes` (encodings, hex,
//!   hexdump) and `pack/{format, half}` (Python's `struct` layouts), `files` (files and the
//!   standard streams), `catalog` (what `functions` lists: groups, OPI's names in both
//!   languages, additions); `cli_values` (the binary's values given as text: sizes, shards,
//!   `-d` escapes, settings and PARAMS as JSON; here so that the fuzz targets reach them).
//!
//! The binary (`src/main.rs`) knows only the script facade: `argv` (the words before clap reads them), `cli` (clap types), `commands/`
//! (one file per subcommand; `shell` prints completions and the man page, `tcp` is OPI's CLI
//! form), `exit` (exit codes),
//! `repl/` (`input`: when an input is complete; `complete`: completion and hints), `testing/`
//! (`opi-tcp test`: `plan` chooses the tests, `local` runs them here, `jobs` in child processes,
//! `report` tells the outcomes, JUnit included).

#![warn(unreachable_pub)]

pub mod net;
pub mod script;
