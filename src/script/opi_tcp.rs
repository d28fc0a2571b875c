//! The `OPI_TCP` module: OPI's English names, their aliases and the Russian names, one
//! registration per arity (Rhai has no default arguments). This is the only file where OPI's
//! names appear; the behaviour is in `api`.
//!
//! Every function that does I/O is `volatile`, so the optimizer never runs it at compile time.
//! Functions that take the connection first are `global`, which makes `conn.ReadLine()` work.

use rhai::plugin::*;

#[export_module]
pub mod opi_tcp {
    use super::super::api;
    use rhai::{Blob, Dynamic, ImmutableString, Map, NativeCallContext};

    /// A connection made by `CreateConnection`; `type_of(conn) == "TcpClient"`.
    pub type TcpClient = super::super::client::TcpClient;

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
        api::create_connection(&ctx, address, &U, &U)
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
        api::create_connection(&ctx, address, &tls, &U)
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
        api::create_connection(&ctx, address, &tls, &proxy)
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
}
