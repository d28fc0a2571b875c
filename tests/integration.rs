//! The one integration-test binary (ripgrep's shape: one module per area, one comment each).

// The byte helpers: encodings, hex, hexdump, pack/unpack against Python's struct.
mod bytes;
// `opi-tcp functions` as the reference: OPI's names in both languages, groups, additions.
mod catalog;
// Closing without losing a byte: send, then close or end, against peers that read late.
mod close;
// The command line: eval, run, request, functions and defs, the REPL, Ctrl-C.
mod cli;
// ConnectAll (many connects, one deadline) and the connect options (timeout_ms, family).
mod connect;
// Expect, SendAfter, ReadAvailable, ReadUntilQuiet and the stream properties.
mod conversation;
// The documents: docs/api.md generated from the engine, README's first script, links.
mod docs;
// Interact: ncat's mode off a terminal, the terminal mode in a pty.
mod interact;
// In-process peers, fake proxies, rcgen CAs, the script and binary helpers, the real-peer gate.
mod common;
// Files and the standard streams: whole files, raw stdout, stdin, stderr, closed pipes.
mod files;
// Hostile peers: endless senders, endless or binary proxy answers.
mod hostile;
// IPv6 end to end on ::1: client, server, TLS, proxies.
mod ipv6;
// The network core alone: connect, tunnel and read without Rhai.
mod net;
// OPI's ported suites through `opi-tcp test`, against in-process peers.
mod opi;
// OPI's TCP documentation examples through `opi-tcp test`, with no pauses added.
mod opi_docs;
// Every test against the real peers of ../shared/test-peers (only with OPI_TCP_PEERS=1).
mod peers;
// The real-protocol scripts (Redis, memcached, HTTP, SMTP, a filter) against stand-ins.
mod protocols;
// SOCKS5/4/4a and HTTP CONNECT through well-behaved and misbehaving fake proxies.
mod proxy;
// The test runner: reports, PARAMS, deadlines, JUnit, --list, --jobs, --shard.
mod runner;
// The script contract of the client functions.
mod script;
// Every scripts/*.rhai, run through the binary.
mod scripts;
// The server functions and logging.
mod server;
// A server's limits: one buffer budget, queued sends, eviction when full, idle time, lifetime,
// minimum rate, the options map; a new client served under slowloris and non-readers.
mod server_limits;
// The first hour: syntax errors at their cause, `.result`, raw strings, completions, the man page,
// request's progress line.
mod usability;
// WaitAny over connections and servers: events, fairness.
mod wait;
// The wire trace: exact lines, text and hex, cuts, SetTrace, no secrets.
mod trace;
// TLS: verification, names, client certificates, close_notify, against rcgen peers.
mod tls;
// How a TLS stream ends: close_notify, a close between records, a cut inside one, strict_close.
mod tls_end;
