//! `OPI_TCP`'s conversation additions (not in OPI): Expect, SendAfter, SendLineAfter,
//! ReadAvailable, ReadUntilQuiet, ExpectConnection (a server's connection), WaitAny, ConnectAll
//! (many connects at once, for WaitAny to serve), SetTrace and Interact, one registration per
//! arity.

use rhai::plugin::*;

// Rhai's plugin macro registers only `pub` functions, which this private module cannot export.
#[allow(unreachable_pub)]
#[export_module]
pub(super) mod conversation {
    use rhai::{Array, Blob, Dynamic, ImmutableString, Map, NativeCallContext};

    use crate::script::args::RhaiResultOf;
    use crate::script::conversation;

    pub type TcpClient = crate::script::tcp_client::TcpClient;
    pub type TcpServer = crate::script::tcp_server::TcpServer;

    const U: Dynamic = Dynamic::UNIT;

    /// Waits up to 5000 ms for the first of `patterns` (a string, blob or `regex(…)`, or an array of them); returns `#{index, reason, before, matched, groups, named}`.
    #[rhai_fn(name = "Expect", global, volatile, return_raw)]
    pub fn expect(ctx: NativeCallContext, conn: TcpClient, patterns: Dynamic) -> RhaiResultOf<Map> {
        conversation::expect(&ctx, &conn, &patterns, &U, &U)
    }

    /// Expect within `timeout_ms` (0 = look once at what has arrived).
    #[rhai_fn(name = "Expect", global, volatile, return_raw)]
    pub fn expect_with_timeout(
        ctx: NativeCallContext,
        conn: TcpClient,
        patterns: Dynamic,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<Map> {
        conversation::expect(&ctx, &conn, &patterns, &timeout_ms, &U)
    }

    /// Expect with string patterns and the texts of the result in `encoding`.
    #[rhai_fn(name = "Expect", global, volatile, return_raw)]
    pub fn expect_with_encoding(
        ctx: NativeCallContext,
        conn: TcpClient,
        patterns: Dynamic,
        timeout_ms: Dynamic,
        encoding: Dynamic,
    ) -> RhaiResultOf<Map> {
        conversation::expect(&ctx, &conn, &patterns, &timeout_ms, &encoding)
    }

    /// Expect `patterns` (5000 ms), then send `data` (blob or string) only on a match; the Expect map plus `sent`.
    #[rhai_fn(name = "SendAfter", global, volatile, return_raw)]
    pub fn send_after(
        ctx: NativeCallContext,
        conn: TcpClient,
        patterns: Dynamic,
        data: Dynamic,
    ) -> RhaiResultOf<Map> {
        conversation::send_after_data(&ctx, &conn, &patterns, &data, &U)
    }

    /// SendAfter, waiting at most `timeout_ms` for the patterns.
    #[rhai_fn(name = "SendAfter", global, volatile, return_raw)]
    pub fn send_after_with_timeout(
        ctx: NativeCallContext,
        conn: TcpClient,
        patterns: Dynamic,
        data: Dynamic,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<Map> {
        conversation::send_after_data(&ctx, &conn, &patterns, &data, &timeout_ms)
    }

    /// Expect `patterns` (5000 ms), then send `text` as SendLine does (appending nothing) only on a match; the Expect map plus `sent`.
    #[rhai_fn(name = "SendLineAfter", global, volatile, return_raw)]
    pub fn send_line_after(
        ctx: NativeCallContext,
        conn: TcpClient,
        patterns: Dynamic,
        text: ImmutableString,
    ) -> RhaiResultOf<Map> {
        conversation::send_line_after(&ctx, &conn, &patterns, &text, &U, &U)
    }

    /// SendLineAfter, waiting at most `timeout_ms` for the patterns.
    #[rhai_fn(name = "SendLineAfter", global, volatile, return_raw)]
    pub fn send_line_after_with_timeout(
        ctx: NativeCallContext,
        conn: TcpClient,
        patterns: Dynamic,
        text: ImmutableString,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<Map> {
        conversation::send_line_after(&ctx, &conn, &patterns, &text, &timeout_ms, &U)
    }

    /// SendLineAfter with the patterns, the text and the result in `encoding`.
    #[rhai_fn(name = "SendLineAfter", global, volatile, return_raw)]
    pub fn send_line_after_with_encoding(
        ctx: NativeCallContext,
        conn: TcpClient,
        patterns: Dynamic,
        text: ImmutableString,
        timeout_ms: Dynamic,
        encoding: Dynamic,
    ) -> RhaiResultOf<Map> {
        conversation::send_line_after(&ctx, &conn, &patterns, &text, &timeout_ms, &encoding)
    }

    /// What has arrived (at most 65536 bytes): the buffered bytes, or the first to come within 5000 ms, plus what the socket holds; an empty blob on timeout or end of stream.
    #[rhai_fn(name = "ReadAvailable", global, volatile, return_raw)]
    pub fn read_available(ctx: NativeCallContext, conn: TcpClient) -> RhaiResultOf<Blob> {
        conversation::read_available(&ctx, &conn, &U, &U)
    }

    /// ReadAvailable of at most `max_size` bytes (0 = the largest a read may return).
    #[rhai_fn(name = "ReadAvailable", global, volatile, return_raw)]
    pub fn read_available_with_max_size(
        ctx: NativeCallContext,
        conn: TcpClient,
        max_size: Dynamic,
    ) -> RhaiResultOf<Blob> {
        conversation::read_available(&ctx, &conn, &max_size, &U)
    }

    /// ReadAvailable waiting at most `timeout_ms` for the first byte (0 = do not wait).
    #[rhai_fn(name = "ReadAvailable", global, volatile, return_raw)]
    pub fn read_available_with_timeout(
        ctx: NativeCallContext,
        conn: TcpClient,
        max_size: Dynamic,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<Blob> {
        conversation::read_available(&ctx, &conn, &max_size, &timeout_ms)
    }

    /// Reads until no byte has come for 200 ms (or 5000 ms in all, or end of stream); returns a blob.
    #[rhai_fn(name = "ReadUntilQuiet", global, volatile, return_raw)]
    pub fn read_until_quiet(ctx: NativeCallContext, conn: TcpClient) -> RhaiResultOf<Blob> {
        conversation::read_until_quiet(&ctx, &conn, &U, &U, &U)
    }

    /// ReadUntilQuiet with a quiet period of `quiet_ms`.
    #[rhai_fn(name = "ReadUntilQuiet", global, volatile, return_raw)]
    pub fn read_until_quiet_with_quiet(
        ctx: NativeCallContext,
        conn: TcpClient,
        quiet_ms: Dynamic,
    ) -> RhaiResultOf<Blob> {
        conversation::read_until_quiet(&ctx, &conn, &quiet_ms, &U, &U)
    }

    /// ReadUntilQuiet within `timeout_ms` in all.
    #[rhai_fn(name = "ReadUntilQuiet", global, volatile, return_raw)]
    pub fn read_until_quiet_with_timeout(
        ctx: NativeCallContext,
        conn: TcpClient,
        quiet_ms: Dynamic,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<Blob> {
        conversation::read_until_quiet(&ctx, &conn, &quiet_ms, &timeout_ms, &U)
    }

    /// ReadUntilQuiet of at most `max_size` bytes.
    #[rhai_fn(name = "ReadUntilQuiet", global, volatile, return_raw)]
    pub fn read_until_quiet_with_max_size(
        ctx: NativeCallContext,
        conn: TcpClient,
        quiet_ms: Dynamic,
        timeout_ms: Dynamic,
        max_size: Dynamic,
    ) -> RhaiResultOf<Blob> {
        conversation::read_until_quiet(&ctx, &conn, &quiet_ms, &timeout_ms, &max_size)
    }

    /// Expect on connection `id` of a server (5000 ms): the Expect map with `connectionId`; a line read is `ExpectConnection(server, id, "\\n")`.
    #[rhai_fn(name = "ExpectConnection", global, volatile, return_raw)]
    pub fn expect_connection(
        ctx: NativeCallContext,
        server: TcpServer,
        id: Dynamic,
        patterns: Dynamic,
    ) -> RhaiResultOf<Map> {
        conversation::expect_connection(&ctx, &server, &id, &patterns, &U, &U)
    }

    /// ExpectConnection within `timeout_ms` (0 = look once).
    #[rhai_fn(name = "ExpectConnection", global, volatile, return_raw)]
    pub fn expect_connection_with_timeout(
        ctx: NativeCallContext,
        server: TcpServer,
        id: Dynamic,
        patterns: Dynamic,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<Map> {
        conversation::expect_connection(&ctx, &server, &id, &patterns, &timeout_ms, &U)
    }

    /// ExpectConnection with string patterns and texts in `encoding`.
    #[rhai_fn(name = "ExpectConnection", global, volatile, return_raw)]
    pub fn expect_connection_with_encoding(
        ctx: NativeCallContext,
        server: TcpServer,
        id: Dynamic,
        patterns: Dynamic,
        timeout_ms: Dynamic,
        encoding: Dynamic,
    ) -> RhaiResultOf<Map> {
        conversation::expect_connection(&ctx, &server, &id, &patterns, &timeout_ms, &encoding)
    }

    /// Waits up to 5000 ms until one of `handles` (connections and servers) has something:
    /// `#{index, event}` with `event` "data", "eof", "error", "connection" (a new client, with its
    /// `connectionId`; server data has one too), or `index: -1, event: "timeout"`.
    #[rhai_fn(name = "WaitAny", volatile, return_raw)]
    pub fn wait_any(ctx: NativeCallContext, handles: Dynamic) -> RhaiResultOf<Map> {
        crate::script::wait::wait_any(&ctx, &handles, &U)
    }

    /// WaitAny within `timeout_ms` (0 = look once).
    #[rhai_fn(name = "WaitAny", volatile, return_raw)]
    pub fn wait_any_with_timeout(
        ctx: NativeCallContext,
        handles: Dynamic,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<Map> {
        crate::script::wait::wait_any(&ctx, &handles, &timeout_ms)
    }

    /// Connects to every one of `addresses` (an array of strings) at once, within one connect
    /// deadline: an array, in their order, of a `TcpClient` or an error map for each.
    #[rhai_fn(name = "ConnectAll", volatile, return_raw)]
    pub fn connect_all(ctx: NativeCallContext, addresses: Dynamic) -> RhaiResultOf<Array> {
        crate::script::connect_all::connect_all(
            &ctx,
            &addresses,
            &crate::script::client::Settings::of(&U, &U, &U),
        )
    }

    /// ConnectAll with TLS settings (`GetTlsSettings`, or `()` for plain TCP).
    #[rhai_fn(name = "ConnectAll", volatile, return_raw)]
    pub fn connect_all_with_tls(
        ctx: NativeCallContext,
        addresses: Dynamic,
        tls: Dynamic,
    ) -> RhaiResultOf<Array> {
        crate::script::connect_all::connect_all(
            &ctx,
            &addresses,
            &crate::script::client::Settings::of(&tls, &U, &U),
        )
    }

    /// ConnectAll with TLS settings and a proxy (`GetProxySettings` map or a proxy URL).
    #[rhai_fn(name = "ConnectAll", volatile, return_raw)]
    pub fn connect_all_with_proxy(
        ctx: NativeCallContext,
        addresses: Dynamic,
        tls: Dynamic,
        proxy: Dynamic,
    ) -> RhaiResultOf<Array> {
        crate::script::connect_all::connect_all(
            &ctx,
            &addresses,
            &crate::script::client::Settings::of(&tls, &proxy, &U),
        )
    }

    /// ConnectAll with one deadline of `timeout_ms`, or options `#{timeout_ms, family}`.
    #[rhai_fn(name = "ConnectAll", volatile, return_raw)]
    pub fn connect_all_with_options(
        ctx: NativeCallContext,
        addresses: Dynamic,
        tls: Dynamic,
        proxy: Dynamic,
        options: Dynamic,
    ) -> RhaiResultOf<Array> {
        crate::script::connect_all::connect_all(
            &ctx,
            &addresses,
            &crate::script::client::Settings::of(&tls, &proxy, &options),
        )
    }

    /// Traces this connection's traffic (`on = true`) to stderr or `--trace`'s file; `false` stops.
    #[rhai_fn(name = "SetTrace", global, volatile, return_raw)]
    pub fn set_trace(ctx: NativeCallContext, conn: TcpClient, on: Dynamic) -> RhaiResultOf<bool> {
        conversation::set_trace(&ctx, &conn, &on, &U)
    }

    /// Traces this connection's traffic, appended to `file`.
    #[rhai_fn(name = "SetTrace", global, volatile, return_raw)]
    pub fn set_trace_to_file(
        ctx: NativeCallContext,
        conn: TcpClient,
        on: Dynamic,
        file: Dynamic,
    ) -> RhaiResultOf<bool> {
        conversation::set_trace(&ctx, &conn, &on, &file)
    }

    /// Hands the terminal to the connection until Ctrl-] and Enter, the end of input or the
    /// peer's close (stdin not a terminal: stdin to the connection, the connection to stdout,
    /// until the peer closes); returns why it ended.
    #[rhai_fn(name = "Interact", global, volatile, return_raw)]
    pub fn interact(ctx: NativeCallContext, conn: TcpClient) -> RhaiResultOf<ImmutableString> {
        crate::script::interact::interact(&ctx, &conn, &U)
    }

    /// Interact with another escape key (`"^X"` or one character).
    #[rhai_fn(name = "Interact", global, volatile, return_raw)]
    pub fn interact_with_escape(
        ctx: NativeCallContext,
        conn: TcpClient,
        escape: Dynamic,
    ) -> RhaiResultOf<ImmutableString> {
        crate::script::interact::interact(&ctx, &conn, &escape)
    }
}
