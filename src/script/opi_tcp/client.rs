//! `OPI_TCP`'s connection functions: CreateConnection, the sends and reads, FinishSending,
//! CloseConnection, GetLastError, IsClientObject, and GetLog of a connection.

use rhai::plugin::*;

// Rhai's plugin macro registers only `pub` functions, which this private module cannot export.
#[allow(unreachable_pub)]
#[export_module]
pub(super) mod client {
    use rhai::{Blob, Dynamic, ImmutableString, NativeCallContext};

    use crate::script::args::RhaiResultOf;
    use crate::script::{client, logging};

    /// A connection made by `CreateConnection`; `type_of(conn) == "TcpClient"`.
    pub type TcpClient = crate::script::tcp_client::TcpClient;

    const U: Dynamic = Dynamic::UNIT;

    /// Connects to `address` (`host:port`, `[v6]:port` or `scheme://host[:port]`).
    /// Returns a `TcpClient`, or `#{result: false, error, kind}`.
    #[rhai_fn(
        name = "CreateConnection",
        name = "OpenConnection",
        name = "ОткрытьСоединение",
        volatile,
        return_raw
    )]
    pub fn create_connection(ctx: NativeCallContext, address: &str) -> RhaiResultOf<Dynamic> {
        client::create_connection(&ctx, address, &client::Settings::of(&U, &U, &U), &U)
    }

    /// Connects with TLS settings (`GetTlsSettings`, or `()` for plain TCP).
    #[rhai_fn(
        name = "CreateConnection",
        name = "OpenConnection",
        name = "ОткрытьСоединение",
        volatile,
        return_raw
    )]
    pub fn create_connection_with_tls(
        ctx: NativeCallContext,
        address: &str,
        tls: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        client::create_connection(&ctx, address, &client::Settings::of(&tls, &U, &U), &U)
    }

    /// Connects with TLS settings and a proxy (`GetProxySettings` map or a proxy URL).
    #[rhai_fn(
        name = "CreateConnection",
        name = "OpenConnection",
        name = "ОткрытьСоединение",
        volatile,
        return_raw
    )]
    pub fn create_connection_with_proxy(
        ctx: NativeCallContext,
        address: &str,
        tls: Dynamic,
        proxy: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        client::create_connection(&ctx, address, &client::Settings::of(&tls, &proxy, &U), &U)
    }

    /// Connects with TLS, proxy and logging settings (`GetLoggingSettings`), as OPI's newest version.
    #[rhai_fn(
        name = "CreateConnection",
        name = "OpenConnection",
        name = "ОткрытьСоединение",
        volatile,
        return_raw
    )]
    pub fn create_connection_with_logging(
        ctx: NativeCallContext,
        address: &str,
        tls: Dynamic,
        proxy: Dynamic,
        logging: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        client::create_connection(
            &ctx,
            address,
            &client::Settings::of(&tls, &proxy, &U),
            &logging,
        )
    }

    /// Connects with `options` too: `timeout_ms` or `#{timeout_ms, family: "ipv4" | "ipv6"}` (an addition).
    #[rhai_fn(
        name = "CreateConnection",
        name = "OpenConnection",
        volatile,
        return_raw
    )]
    pub fn create_connection_with_options(
        ctx: NativeCallContext,
        address: &str,
        tls: Dynamic,
        proxy: Dynamic,
        logging: Dynamic,
        options: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        client::create_connection(
            &ctx,
            address,
            &client::Settings::of(&tls, &proxy, &options),
            &logging,
        )
    }

    /// Closes the connection (TLS: close_notify first). Always `true`.
    #[rhai_fn(
        name = "CloseConnection",
        name = "ЗакрытьСоединение",
        global,
        volatile,
        return_raw
    )]
    pub fn close_connection(ctx: NativeCallContext, conn: TcpClient) -> RhaiResultOf<bool> {
        client::close_connection(&ctx, &conn)
    }

    /// Sends every byte of `data` (a blob, or a string as UTF-8) within 5000 ms.
    #[rhai_fn(
        name = "SendBinaryData",
        name = "ОтправитьДвоичныеДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn send_binary_data(
        ctx: NativeCallContext,
        conn: TcpClient,
        data: Dynamic,
    ) -> RhaiResultOf<bool> {
        client::send_binary_data(&ctx, &conn, data, &U)
    }

    /// Sends every byte of `data` within `timeout_ms` (0 = no limit).
    #[rhai_fn(
        name = "SendBinaryData",
        name = "ОтправитьДвоичныеДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn send_binary_data_with_timeout(
        ctx: NativeCallContext,
        conn: TcpClient,
        data: Dynamic,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<bool> {
        client::send_binary_data(&ctx, &conn, data, &timeout_ms)
    }

    /// Sends `text` as UTF-8. Appends nothing: add `"\n"` yourself.
    #[rhai_fn(
        name = "SendLine",
        name = "ОтправитьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn send_line(ctx: NativeCallContext, conn: TcpClient, text: Dynamic) -> RhaiResultOf<bool> {
        client::send_line(&ctx, &conn, &text, &U, &U)
    }

    /// Sends `text` in `encoding` (`"windows-1251"`, `"koi8-r"`, …).
    #[rhai_fn(
        name = "SendLine",
        name = "ОтправитьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn send_line_with_encoding(
        ctx: NativeCallContext,
        conn: TcpClient,
        text: Dynamic,
        encoding: Dynamic,
    ) -> RhaiResultOf<bool> {
        client::send_line(&ctx, &conn, &text, &encoding, &U)
    }

    /// Sends `text` in `encoding` within `timeout_ms`.
    #[rhai_fn(
        name = "SendLine",
        name = "ОтправитьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn send_line_with_timeout(
        ctx: NativeCallContext,
        conn: TcpClient,
        text: Dynamic,
        encoding: Dynamic,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<bool> {
        client::send_line(&ctx, &conn, &text, &encoding, &timeout_ms)
    }

    /// Reads until end of stream or 5000 ms; returns a blob (maybe empty).
    #[rhai_fn(
        name = "ReadBinaryData",
        name = "ПрочитатьДвоичныеДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn read_binary_data(ctx: NativeCallContext, conn: TcpClient) -> RhaiResultOf<Blob> {
        client::read_binary_data(&ctx, &conn, &U, &U, &U)
    }

    /// Reads at most `max_size` bytes (0 = no limit).
    #[rhai_fn(
        name = "ReadBinaryData",
        name = "ПрочитатьДвоичныеДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn read_binary_data_with_max_size(
        ctx: NativeCallContext,
        conn: TcpClient,
        max_size: Dynamic,
    ) -> RhaiResultOf<Blob> {
        client::read_binary_data(&ctx, &conn, &max_size, &U, &U)
    }

    /// Reads up to and including `marker` (a string or a blob).
    #[rhai_fn(
        name = "ReadBinaryData",
        name = "ПрочитатьДвоичныеДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn read_binary_data_with_marker(
        ctx: NativeCallContext,
        conn: TcpClient,
        max_size: Dynamic,
        marker: Dynamic,
    ) -> RhaiResultOf<Blob> {
        client::read_binary_data(&ctx, &conn, &max_size, &marker, &U)
    }

    /// Reads until the marker, `max_size`, end of stream or `timeout_ms` (0 = no limit).
    #[rhai_fn(
        name = "ReadBinaryData",
        name = "ПрочитатьДвоичныеДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn read_binary_data_with_timeout(
        ctx: NativeCallContext,
        conn: TcpClient,
        max_size: Dynamic,
        marker: Dynamic,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<Blob> {
        client::read_binary_data(&ctx, &conn, &max_size, &marker, &timeout_ms)
    }

    /// Reads text (UTF-8) until end of stream or 5000 ms.
    #[rhai_fn(
        name = "ReadLine",
        name = "ПрочитатьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn read_line(ctx: NativeCallContext, conn: TcpClient) -> RhaiResultOf<ImmutableString> {
        client::read_line(&ctx, &conn, &U, &U, &U)
    }

    /// Reads text in `encoding`.
    #[rhai_fn(
        name = "ReadLine",
        name = "ПрочитатьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn read_line_with_encoding(
        ctx: NativeCallContext,
        conn: TcpClient,
        encoding: Dynamic,
    ) -> RhaiResultOf<ImmutableString> {
        client::read_line(&ctx, &conn, &encoding, &U, &U)
    }

    /// Reads text up to and including `marker` (in the same encoding).
    #[rhai_fn(
        name = "ReadLine",
        name = "ПрочитатьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn read_line_with_marker(
        ctx: NativeCallContext,
        conn: TcpClient,
        encoding: Dynamic,
        marker: Dynamic,
    ) -> RhaiResultOf<ImmutableString> {
        client::read_line(&ctx, &conn, &encoding, &marker, &U)
    }

    /// Reads text until the marker, end of stream or `timeout_ms` (0 = no limit).
    #[rhai_fn(
        name = "ReadLine",
        name = "ПрочитатьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn read_line_with_timeout(
        ctx: NativeCallContext,
        conn: TcpClient,
        encoding: Dynamic,
        marker: Dynamic,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<ImmutableString> {
        client::read_line(&ctx, &conn, &encoding, &marker, &timeout_ms)
    }

    /// Half-closes the connection (TCP FIN; TLS close_notify); reading still works. Not in OPI.
    #[rhai_fn(name = "FinishSending", global, volatile, return_raw)]
    pub fn finish_sending(ctx: NativeCallContext, conn: TcpClient) -> RhaiResultOf<bool> {
        client::finish_sending(&ctx, &conn)
    }

    /// The last error of the connection, `#{result: false, error, kind}`, or `()`. Sticky.
    #[rhai_fn(
        name = "GetLastError",
        name = "ПолучитьПоследнююОшибку",
        global,
        volatile
    )]
    pub fn get_last_error(conn: TcpClient) -> Dynamic {
        client::get_last_error(&conn)
    }

    /// Whether `value` is a `TcpClient`.
    #[rhai_fn(name = "IsClientObject", name = "ЭтоОбъектКлиента")]
    pub fn is_client_object(value: Dynamic) -> bool {
        client::is_client_object(&value)
    }

    /// The last 100 log entries of the connection: `#{result, logs, total, returned}`.
    #[rhai_fn(name = "GetLog", name = "ПолучитьЛог", global, volatile, return_raw)]
    pub fn get_log(ctx: NativeCallContext, conn: TcpClient) -> RhaiResultOf<Dynamic> {
        logging::get_log(&ctx, conn.log(), &U, &U)
    }
    /// The log entries, as one string joined with "\n" when `as_string` is true.
    #[rhai_fn(name = "GetLog", name = "ПолучитьЛог", global, volatile, return_raw)]
    pub fn get_log_with_as_string(
        ctx: NativeCallContext,
        conn: TcpClient,
        as_string: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        logging::get_log(&ctx, conn.log(), &as_string, &U)
    }
    /// The last `count` log entries.
    #[rhai_fn(name = "GetLog", name = "ПолучитьЛог", global, volatile, return_raw)]
    pub fn get_log_with_count(
        ctx: NativeCallContext,
        conn: TcpClient,
        as_string: Dynamic,
        count: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        logging::get_log(&ctx, conn.log(), &as_string, &count)
    }
}
