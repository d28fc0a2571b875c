//! The `OPI_TCP` module: OPI's English names, their aliases and the Russian names, one
//! registration per arity (Rhai has no default arguments). This is the only file where OPI's
//! names appear; the behaviour is in `api`.
//!
//! Every function that does I/O is `volatile`, so the optimizer never runs it at compile time.
//! Functions that take the connection first are `global`, which makes `conn.ReadLine()` work.

use rhai::plugin::*;

#[export_module]
pub mod opi_tcp {
    use super::super::{api, logging, server};
    use rhai::{Blob, Dynamic, ImmutableString, Map, NativeCallContext};

    /// A connection made by `CreateConnection`; `type_of(conn) == "TcpClient"`.
    pub type TcpClient = super::super::client::TcpClient;
    /// A server made by `StartServer`; `type_of(server) == "TcpServer"`.
    pub type TcpServer = super::super::server::TcpServer;

    type R<T> = Result<T, Box<rhai::EvalAltResult>>;
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
    pub fn create_connection(ctx: NativeCallContext, address: &str) -> R<Dynamic> {
        api::create_connection(&ctx, address, &U, &U, &U)
    }
    /// Connects with TLS settings (`GetTlsSettings`, or `()` for plain TCP).
    #[rhai_fn(
        name = "CreateConnection",
        name = "OpenConnection",
        name = "ОткрытьСоединение",
        volatile,
        return_raw
    )]
    pub fn create_connection_tls(
        ctx: NativeCallContext,
        address: &str,
        tls: Dynamic,
    ) -> R<Dynamic> {
        api::create_connection(&ctx, address, &tls, &U, &U)
    }
    /// Connects with TLS settings and a proxy (`GetProxySettings` map or a proxy URL).
    #[rhai_fn(
        name = "CreateConnection",
        name = "OpenConnection",
        name = "ОткрытьСоединение",
        volatile,
        return_raw
    )]
    pub fn create_connection_proxy(
        ctx: NativeCallContext,
        address: &str,
        tls: Dynamic,
        proxy: Dynamic,
    ) -> R<Dynamic> {
        api::create_connection(&ctx, address, &tls, &proxy, &U)
    }
    /// Connects with TLS, proxy and logging settings (`GetLoggingSettings`), as OPI's newest version.
    #[rhai_fn(
        name = "CreateConnection",
        name = "OpenConnection",
        name = "ОткрытьСоединение",
        volatile,
        return_raw
    )]
    pub fn create_connection_log(
        ctx: NativeCallContext,
        address: &str,
        tls: Dynamic,
        proxy: Dynamic,
        logging: Dynamic,
    ) -> R<Dynamic> {
        api::create_connection(&ctx, address, &tls, &proxy, &logging)
    }

    /// Closes the connection (TLS: close_notify first). Always `true`.
    #[rhai_fn(
        name = "CloseConnection",
        name = "ЗакрытьСоединение",
        global,
        volatile,
        return_raw
    )]
    pub fn close_connection(ctx: NativeCallContext, conn: TcpClient) -> R<bool> {
        api::close_connection(&ctx, &conn)
    }

    /// Sends every byte of `data` (a blob, or a string as UTF-8) within 5000 ms.
    #[rhai_fn(
        name = "SendBinaryData",
        name = "ОтправитьДвоичныеДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn send_binary_data(ctx: NativeCallContext, conn: TcpClient, data: Dynamic) -> R<bool> {
        api::send_binary_data(&ctx, &conn, &data, &U)
    }
    /// Sends every byte of `data` within `timeout_ms` (0 = no limit).
    #[rhai_fn(
        name = "SendBinaryData",
        name = "ОтправитьДвоичныеДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn send_binary_data_t(
        ctx: NativeCallContext,
        conn: TcpClient,
        data: Dynamic,
        timeout_ms: Dynamic,
    ) -> R<bool> {
        api::send_binary_data(&ctx, &conn, &data, &timeout_ms)
    }

    /// Sends `text` as UTF-8. Appends nothing: add `"\n"` yourself.
    #[rhai_fn(
        name = "SendLine",
        name = "ОтправитьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn send_line(ctx: NativeCallContext, conn: TcpClient, text: Dynamic) -> R<bool> {
        api::send_line(&ctx, &conn, &text, &U, &U)
    }
    /// Sends `text` in `encoding` (`"windows-1251"`, `"koi8-r"`, …).
    #[rhai_fn(
        name = "SendLine",
        name = "ОтправитьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn send_line_e(
        ctx: NativeCallContext,
        conn: TcpClient,
        text: Dynamic,
        encoding: Dynamic,
    ) -> R<bool> {
        api::send_line(&ctx, &conn, &text, &encoding, &U)
    }
    /// Sends `text` in `encoding` within `timeout_ms`.
    #[rhai_fn(
        name = "SendLine",
        name = "ОтправитьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn send_line_t(
        ctx: NativeCallContext,
        conn: TcpClient,
        text: Dynamic,
        encoding: Dynamic,
        timeout_ms: Dynamic,
    ) -> R<bool> {
        api::send_line(&ctx, &conn, &text, &encoding, &timeout_ms)
    }

    /// Reads until end of stream or 5000 ms; returns a blob (maybe empty).
    #[rhai_fn(
        name = "ReadBinaryData",
        name = "ПрочитатьДвоичныеДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn read_binary_data(ctx: NativeCallContext, conn: TcpClient) -> R<Blob> {
        api::read_binary_data(&ctx, &conn, &U, &U, &U)
    }
    /// Reads at most `max_size` bytes (0 = no limit).
    #[rhai_fn(
        name = "ReadBinaryData",
        name = "ПрочитатьДвоичныеДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn read_binary_data_m(
        ctx: NativeCallContext,
        conn: TcpClient,
        max_size: Dynamic,
    ) -> R<Blob> {
        api::read_binary_data(&ctx, &conn, &max_size, &U, &U)
    }
    /// Reads up to and including `marker` (a string or a blob).
    #[rhai_fn(
        name = "ReadBinaryData",
        name = "ПрочитатьДвоичныеДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn read_binary_data_mk(
        ctx: NativeCallContext,
        conn: TcpClient,
        max_size: Dynamic,
        marker: Dynamic,
    ) -> R<Blob> {
        api::read_binary_data(&ctx, &conn, &max_size, &marker, &U)
    }
    /// Reads until the marker, `max_size`, end of stream or `timeout_ms` (0 = no limit).
    #[rhai_fn(
        name = "ReadBinaryData",
        name = "ПрочитатьДвоичныеДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn read_binary_data_t(
        ctx: NativeCallContext,
        conn: TcpClient,
        max_size: Dynamic,
        marker: Dynamic,
        timeout_ms: Dynamic,
    ) -> R<Blob> {
        api::read_binary_data(&ctx, &conn, &max_size, &marker, &timeout_ms)
    }

    /// Reads text (UTF-8) until end of stream or 5000 ms.
    #[rhai_fn(
        name = "ReadLine",
        name = "ПрочитатьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn read_line(ctx: NativeCallContext, conn: TcpClient) -> R<ImmutableString> {
        api::read_line(&ctx, &conn, &U, &U, &U)
    }
    /// Reads text in `encoding`.
    #[rhai_fn(
        name = "ReadLine",
        name = "ПрочитатьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn read_line_e(
        ctx: NativeCallContext,
        conn: TcpClient,
        encoding: Dynamic,
    ) -> R<ImmutableString> {
        api::read_line(&ctx, &conn, &encoding, &U, &U)
    }
    /// Reads text up to and including `marker` (in the same encoding).
    #[rhai_fn(
        name = "ReadLine",
        name = "ПрочитатьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn read_line_mk(
        ctx: NativeCallContext,
        conn: TcpClient,
        encoding: Dynamic,
        marker: Dynamic,
    ) -> R<ImmutableString> {
        api::read_line(&ctx, &conn, &encoding, &marker, &U)
    }
    /// Reads text until the marker, end of stream or `timeout_ms` (0 = no limit).
    #[rhai_fn(
        name = "ReadLine",
        name = "ПрочитатьСтроку",
        global,
        volatile,
        return_raw
    )]
    pub fn read_line_t(
        ctx: NativeCallContext,
        conn: TcpClient,
        encoding: Dynamic,
        marker: Dynamic,
        timeout_ms: Dynamic,
    ) -> R<ImmutableString> {
        api::read_line(&ctx, &conn, &encoding, &marker, &timeout_ms)
    }

    /// Half-closes the connection (TCP FIN; TLS close_notify); reading still works. Not in OPI.
    #[rhai_fn(name = "FinishSending", global, volatile, return_raw)]
    pub fn finish_sending(ctx: NativeCallContext, conn: TcpClient) -> R<bool> {
        api::finish_sending(&ctx, &conn)
    }

    /// The last error of the connection, `#{result: false, error, kind}`, or `()`. Sticky.
    #[rhai_fn(
        name = "GetLastError",
        name = "ПолучитьПоследнююОшибку",
        global,
        volatile
    )]
    pub fn get_last_error(conn: TcpClient) -> Dynamic {
        api::get_last_error(&conn)
    }

    /// Connects, reads the answer up to the first "\n" (5 s), closes. A string, or an error map.
    #[rhai_fn(
        name = "ProcessRequest",
        name = "ОбработатьЗапрос",
        volatile,
        return_raw
    )]
    pub fn process_request(ctx: NativeCallContext, address: &str) -> R<Dynamic> {
        api::process_request(&ctx, address, &U, &U, &U, &U)
    }
    /// Sends `data` (a string or a blob) and returns the answer up to the first "\n".
    #[rhai_fn(
        name = "ProcessRequest",
        name = "ОбработатьЗапрос",
        volatile,
        return_raw
    )]
    pub fn process_request_d(ctx: NativeCallContext, address: &str, data: Dynamic) -> R<Dynamic> {
        api::process_request(&ctx, address, &data, &U, &U, &U)
    }
    /// As above; `response_string = false` returns a blob.
    #[rhai_fn(
        name = "ProcessRequest",
        name = "ОбработатьЗапрос",
        volatile,
        return_raw
    )]
    pub fn process_request_s(
        ctx: NativeCallContext,
        address: &str,
        data: Dynamic,
        response_string: Dynamic,
    ) -> R<Dynamic> {
        api::process_request(&ctx, address, &data, &response_string, &U, &U)
    }
    /// As above, with TLS settings.
    #[rhai_fn(
        name = "ProcessRequest",
        name = "ОбработатьЗапрос",
        volatile,
        return_raw
    )]
    pub fn process_request_tls(
        ctx: NativeCallContext,
        address: &str,
        data: Dynamic,
        response_string: Dynamic,
        tls: Dynamic,
    ) -> R<Dynamic> {
        api::process_request(&ctx, address, &data, &response_string, &tls, &U)
    }
    /// As above, with TLS settings and a proxy.
    #[rhai_fn(
        name = "ProcessRequest",
        name = "ОбработатьЗапрос",
        volatile,
        return_raw
    )]
    pub fn process_request_proxy(
        ctx: NativeCallContext,
        address: &str,
        data: Dynamic,
        response_string: Dynamic,
        tls: Dynamic,
        proxy: Dynamic,
    ) -> R<Dynamic> {
        api::process_request(&ctx, address, &data, &response_string, &tls, &proxy)
    }

    /// TLS settings: `#{use_tls: true[, accept_invalid_certs: true]}`.
    #[rhai_fn(
        name = "GetTlsSettings",
        name = "GetTLSSettings",
        name = "ПолучитьНастройкиTls",
        return_raw
    )]
    pub fn get_tls_settings(ctx: NativeCallContext, disable_cert_verification: Dynamic) -> R<Map> {
        api::get_tls_settings(&ctx, &disable_cert_verification, &U)
    }
    /// TLS settings with a PEM file of extra trusted CA certificates.
    #[rhai_fn(
        name = "GetTlsSettings",
        name = "GetTLSSettings",
        name = "ПолучитьНастройкиTls",
        return_raw
    )]
    pub fn get_tls_settings_ca(
        ctx: NativeCallContext,
        disable_cert_verification: Dynamic,
        ca_cert_path: Dynamic,
    ) -> R<Map> {
        api::get_tls_settings(&ctx, &disable_cert_verification, &ca_cert_path)
    }

    /// Proxy settings `#{server, port, proxy_type: "socks5"}`.
    #[rhai_fn(
        name = "GetProxySettings",
        name = "ПолучитьНастройкиПрокси",
        return_raw
    )]
    pub fn get_proxy_settings(ctx: NativeCallContext, address: &str, port: Dynamic) -> R<Map> {
        api::get_proxy_settings(&ctx, address, &port, &U, &U, &U)
    }
    /// Proxy settings of a type: socks5, socks5h, socks4, socks4a, http.
    #[rhai_fn(
        name = "GetProxySettings",
        name = "ПолучитьНастройкиПрокси",
        return_raw
    )]
    pub fn get_proxy_settings_t(
        ctx: NativeCallContext,
        address: &str,
        port: Dynamic,
        proxy_type: Dynamic,
    ) -> R<Map> {
        api::get_proxy_settings(&ctx, address, &port, &proxy_type, &U, &U)
    }
    /// Proxy settings with a login (SOCKS4 userid).
    #[rhai_fn(
        name = "GetProxySettings",
        name = "ПолучитьНастройкиПрокси",
        return_raw
    )]
    pub fn get_proxy_settings_l(
        ctx: NativeCallContext,
        address: &str,
        port: Dynamic,
        proxy_type: Dynamic,
        login: Dynamic,
    ) -> R<Map> {
        api::get_proxy_settings(&ctx, address, &port, &proxy_type, &login, &U)
    }
    /// Proxy settings with a login and a password.
    #[rhai_fn(
        name = "GetProxySettings",
        name = "ПолучитьНастройкиПрокси",
        return_raw
    )]
    pub fn get_proxy_settings_lp(
        ctx: NativeCallContext,
        address: &str,
        port: Dynamic,
        proxy_type: Dynamic,
        login: Dynamic,
        password: Dynamic,
    ) -> R<Map> {
        api::get_proxy_settings(&ctx, address, &port, &proxy_type, &login, &password)
    }

    /// Whether `value` is a `TcpClient`.
    #[rhai_fn(name = "IsClientObject", name = "ЭтоОбъектКлиента")]
    pub fn is_client_object(value: Dynamic) -> bool {
        api::is_client_object(&value)
    }

    // ---- server -------------------------------------------------------------------------

    /// Starts a server on `port` of all IPv4 interfaces (0 = any free port; see `server.port`),
    /// or on `"ip:port"` (`"127.0.0.1:0"` stays off the network), with a pool of 100 connections.
    /// Returns a `TcpServer`, or an error map.
    #[rhai_fn(name = "StartServer", volatile, return_raw)]
    pub fn start_server(ctx: NativeCallContext, port: Dynamic) -> R<Dynamic> {
        server::start_server(&ctx, &port, &U, &U)
    }
    /// Starts a server admitting at most `pool_size` live connections (others wait).
    #[rhai_fn(name = "StartServer", volatile, return_raw)]
    pub fn start_server_p(ctx: NativeCallContext, port: Dynamic, pool_size: Dynamic) -> R<Dynamic> {
        server::start_server(&ctx, &port, &pool_size, &U)
    }
    /// Starts a server with logging settings (`GetLoggingSettings`).
    #[rhai_fn(name = "StartServer", volatile, return_raw)]
    pub fn start_server_l(
        ctx: NativeCallContext,
        port: Dynamic,
        pool_size: Dynamic,
        logging: Dynamic,
    ) -> R<Dynamic> {
        server::start_server(&ctx, &port, &pool_size, &logging)
    }

    /// Stops the server: closes every connection and frees the port. `#{result: true}`.
    #[rhai_fn(name = "StopServer", global, volatile, return_raw)]
    pub fn stop_server(ctx: NativeCallContext, server: TcpServer) -> R<Map> {
        server::stop_server(&ctx, &server)
    }

    /// Waits up to 1000 ms for data from any client: `#{result: true, connectionId, message}`
    /// (at most 8192 bytes), or `#{result: false, error: "timeout"}`.
    #[rhai_fn(name = "GetNextConnectionData", global, volatile, return_raw)]
    pub fn next_data(ctx: NativeCallContext, server: TcpServer) -> R<Map> {
        server::get_next_connection_data(&ctx, &server, &U, &U)
    }
    /// Waits up to `timeout_ms` (0 = no limit).
    #[rhai_fn(name = "GetNextConnectionData", global, volatile, return_raw)]
    pub fn next_data_t(ctx: NativeCallContext, server: TcpServer, timeout_ms: Dynamic) -> R<Map> {
        server::get_next_connection_data(&ctx, &server, &timeout_ms, &U)
    }
    /// Waits up to `timeout_ms` and returns at most `max_size` bytes.
    #[rhai_fn(name = "GetNextConnectionData", global, volatile, return_raw)]
    pub fn next_data_m(
        ctx: NativeCallContext,
        server: TcpServer,
        timeout_ms: Dynamic,
        max_size: Dynamic,
    ) -> R<Map> {
        server::get_next_connection_data(&ctx, &server, &timeout_ms, &max_size)
    }

    /// Waits up to 1000 ms for data from connection `id`.
    #[rhai_fn(name = "GetConnectionData", global, volatile, return_raw)]
    pub fn conn_data(ctx: NativeCallContext, server: TcpServer, id: Dynamic) -> R<Map> {
        server::get_connection_data(&ctx, &server, &id, &U, &U)
    }
    /// Waits up to `timeout_ms` for data from connection `id`.
    #[rhai_fn(name = "GetConnectionData", global, volatile, return_raw)]
    pub fn conn_data_t(
        ctx: NativeCallContext,
        server: TcpServer,
        id: Dynamic,
        timeout_ms: Dynamic,
    ) -> R<Map> {
        server::get_connection_data(&ctx, &server, &id, &timeout_ms, &U)
    }
    /// Waits up to `timeout_ms` and returns at most `max_size` bytes.
    #[rhai_fn(name = "GetConnectionData", global, volatile, return_raw)]
    pub fn conn_data_m(
        ctx: NativeCallContext,
        server: TcpServer,
        id: Dynamic,
        timeout_ms: Dynamic,
        max_size: Dynamic,
    ) -> R<Map> {
        server::get_connection_data(&ctx, &server, &id, &timeout_ms, &max_size)
    }

    /// Sends `data` (a blob, or a string as UTF-8) to connection `id` (5 s deadline).
    #[rhai_fn(name = "SendData", global, volatile, return_raw)]
    pub fn send_data(
        ctx: NativeCallContext,
        server: TcpServer,
        id: Dynamic,
        data: Dynamic,
    ) -> R<Map> {
        server::send_data(&ctx, &server, &id, &data)
    }

    /// Closes connection `id`; its unread data is dropped.
    #[rhai_fn(name = "CloseIncomingConnection", global, volatile, return_raw)]
    pub fn close_incoming(ctx: NativeCallContext, server: TcpServer, id: Dynamic) -> R<Map> {
        server::close_incoming_connection(&ctx, &server, &id)
    }

    /// Half-closes connection `id` (FIN); a later `SendData` fails.
    #[rhai_fn(name = "CompleteSend", global, volatile, return_raw)]
    pub fn complete_send(ctx: NativeCallContext, server: TcpServer, id: Dynamic) -> R<Map> {
        server::complete_send(&ctx, &server, &id)
    }

    /// Stops reading from connection `id`; buffered data can still be read.
    #[rhai_fn(name = "FinishReceiving", global, volatile, return_raw)]
    pub fn finish_receiving(ctx: NativeCallContext, server: TcpServer, id: Dynamic) -> R<Map> {
        server::finish_receiving(&ctx, &server, &id)
    }

    /// `#{result: true, connections: [#{connectionId, address, receiving, buffered}]}`: live
    /// connections, and closed ones that still hold unread data.
    #[rhai_fn(name = "GetConnectionList", global, volatile)]
    pub fn connection_list(server: TcpServer) -> Map {
        server::get_connection_list(&server)
    }

    /// Whether `value` is a `TcpServer`.
    #[rhai_fn(name = "IsServerObject")]
    pub fn is_server_object(value: Dynamic) -> bool {
        server::is_server_object(&value)
    }

    /// The port the server listens on.
    #[rhai_fn(get = "port", pure)]
    pub fn port(server: &mut TcpServer) -> i64 {
        server.port()
    }

    // ---- logging ------------------------------------------------------------------------

    /// Logging settings: memory, 300 entries: `#{mode: "memory", max_entries: 300}`.
    #[rhai_fn(name = "GetLoggingSettings", return_raw)]
    pub fn logging_settings(ctx: NativeCallContext) -> R<Map> {
        logging::settings_map(&ctx, &U, &U, &U)
    }
    /// Logging settings: to memory or not.
    #[rhai_fn(name = "GetLoggingSettings", return_raw)]
    pub fn logging_settings_m(ctx: NativeCallContext, memory: Dynamic) -> R<Map> {
        logging::settings_map(&ctx, &memory, &U, &U)
    }
    /// Logging settings with the number of entries kept in memory.
    #[rhai_fn(name = "GetLoggingSettings", return_raw)]
    pub fn logging_settings_n(
        ctx: NativeCallContext,
        memory: Dynamic,
        max_entries: Dynamic,
    ) -> R<Map> {
        logging::settings_map(&ctx, &memory, &max_entries, &U)
    }
    /// Logging settings with a file that every entry is appended to.
    #[rhai_fn(name = "GetLoggingSettings", return_raw)]
    pub fn logging_settings_f(
        ctx: NativeCallContext,
        memory: Dynamic,
        max_entries: Dynamic,
        file_path: Dynamic,
    ) -> R<Map> {
        logging::settings_map(&ctx, &memory, &max_entries, &file_path)
    }

    /// The last 100 log entries of a client or server: `#{result, logs, total, returned}`.
    #[rhai_fn(name = "GetLog", global, volatile, return_raw)]
    pub fn get_log(ctx: NativeCallContext, object: Dynamic) -> R<Dynamic> {
        logging::get_log(&ctx, &object, &U, &U)
    }
    /// The log entries, as one string joined with "\n" when `as_string` is true.
    #[rhai_fn(name = "GetLog", global, volatile, return_raw)]
    pub fn get_log_s(ctx: NativeCallContext, object: Dynamic, as_string: Dynamic) -> R<Dynamic> {
        logging::get_log(&ctx, &object, &as_string, &U)
    }
    /// The last `count` log entries.
    #[rhai_fn(name = "GetLog", global, volatile, return_raw)]
    pub fn get_log_n(
        ctx: NativeCallContext,
        object: Dynamic,
        as_string: Dynamic,
        count: Dynamic,
    ) -> R<Dynamic> {
        logging::get_log(&ctx, &object, &as_string, &count)
    }
}
