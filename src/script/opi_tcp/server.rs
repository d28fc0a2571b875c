//! `OPI_TCP`'s server functions: StartServer … GetConnectionList, IsServerObject, the `port`
//! property, and GetLog of a server.

use rhai::plugin::*;

// Rhai's plugin macro registers only `pub` functions, which this private module cannot export.
#[allow(unreachable_pub)]
#[export_module]
pub(super) mod server {
    use rhai::{Dynamic, Map, NativeCallContext};

    use crate::script::args::RhaiResultOf;
    use crate::script::{logging, server as body};

    /// A server made by `StartServer`; `type_of(server) == "TcpServer"`.
    pub type TcpServer = crate::script::tcp_server::TcpServer;

    const U: Dynamic = Dynamic::UNIT;

    /// Starts a server on `port` of all IPv4 interfaces (0 = any free port; see `server.port`),
    /// or on `"ip:port"` (`"127.0.0.1:0"` stays off the network), with a pool of 100 connections.
    /// Returns a `TcpServer`, or an error map.
    #[rhai_fn(name = "StartServer", name = "ЗапуститьСервер", volatile, return_raw)]
    pub fn start_server(ctx: NativeCallContext, port: Dynamic) -> RhaiResultOf<Dynamic> {
        body::start_server(&ctx, &port, &U, &U, &U)
    }

    /// Starts a server admitting at most `pool_size` live connections (others wait).
    #[rhai_fn(name = "StartServer", name = "ЗапуститьСервер", volatile, return_raw)]
    pub fn start_server_with_pool_size(
        ctx: NativeCallContext,
        port: Dynamic,
        pool_size: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        body::start_server(&ctx, &port, &pool_size, &U, &U)
    }

    /// Starts a server with logging settings (`GetLoggingSettings`).
    #[rhai_fn(name = "StartServer", name = "ЗапуститьСервер", volatile, return_raw)]
    pub fn start_server_with_logging(
        ctx: NativeCallContext,
        port: Dynamic,
        pool_size: Dynamic,
        logging: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        body::start_server(&ctx, &port, &pool_size, &logging, &U)
    }

    /// Starts a server with `options` (an addition, not in OPI), each optional: `max_buffered`
    /// (unread bytes of all connections, 64 MiB; at most 4 MiB each; readers then wait, nothing
    /// is dropped), `max_unsent` (bytes waiting to go out per connection before its data is
    /// held back from the script, 256 KiB), `send_timeout_ms` (a client taking none of them
    /// for this long is closed, 10000), `evict_when_full` (a full pool closes its least
    /// recently active connection for a new client, true), `idle_timeout_ms`,
    /// `max_lifetime_ms`, `min_rate` (bytes/s of a client that keeps sending) with
    /// `min_rate_window_ms` (10000): none by default.
    #[rhai_fn(name = "StartServer", name = "ЗапуститьСервер", volatile, return_raw)]
    pub fn start_server_with_options(
        ctx: NativeCallContext,
        port: Dynamic,
        pool_size: Dynamic,
        logging: Dynamic,
        options: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        body::start_server(&ctx, &port, &pool_size, &logging, &options)
    }

    /// Stops the server: closes every connection and frees the port. `#{result: true}`.
    #[rhai_fn(
        name = "StopServer",
        name = "ОстановитьСервер",
        global,
        volatile,
        return_raw
    )]
    pub fn stop_server(ctx: NativeCallContext, server: TcpServer) -> RhaiResultOf<Map> {
        body::stop_server(&ctx, &server)
    }

    /// Waits up to 1000 ms for data from any client: `#{result: true, connectionId, message}`
    /// (at most 8192 bytes), or `#{result: false, error: "timeout"}`.
    #[rhai_fn(
        name = "GetNextConnectionData",
        name = "ПолучитьДанныеОчередногоСоединения",
        global,
        volatile,
        return_raw
    )]
    pub fn get_next_connection_data(
        ctx: NativeCallContext,
        server: TcpServer,
    ) -> RhaiResultOf<Map> {
        body::get_next_connection_data(&ctx, &server, &U, &U)
    }

    /// Waits up to `timeout_ms` (0 = no limit).
    #[rhai_fn(
        name = "GetNextConnectionData",
        name = "ПолучитьДанныеОчередногоСоединения",
        global,
        volatile,
        return_raw
    )]
    pub fn get_next_connection_data_with_timeout(
        ctx: NativeCallContext,
        server: TcpServer,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<Map> {
        body::get_next_connection_data(&ctx, &server, &timeout_ms, &U)
    }

    /// Waits up to `timeout_ms` and returns at most `max_size` bytes.
    #[rhai_fn(
        name = "GetNextConnectionData",
        name = "ПолучитьДанныеОчередногоСоединения",
        global,
        volatile,
        return_raw
    )]
    pub fn get_next_connection_data_with_max_size(
        ctx: NativeCallContext,
        server: TcpServer,
        timeout_ms: Dynamic,
        max_size: Dynamic,
    ) -> RhaiResultOf<Map> {
        body::get_next_connection_data(&ctx, &server, &timeout_ms, &max_size)
    }

    /// Waits up to 1000 ms for data from connection `id`.
    #[rhai_fn(
        name = "GetConnectionData",
        name = "ПолучитьДанныеСоединения",
        global,
        volatile,
        return_raw
    )]
    pub fn get_connection_data(
        ctx: NativeCallContext,
        server: TcpServer,
        id: Dynamic,
    ) -> RhaiResultOf<Map> {
        body::get_connection_data(&ctx, &server, &id, &U, &U)
    }

    /// Waits up to `timeout_ms` for data from connection `id`.
    #[rhai_fn(
        name = "GetConnectionData",
        name = "ПолучитьДанныеСоединения",
        global,
        volatile,
        return_raw
    )]
    pub fn get_connection_data_with_timeout(
        ctx: NativeCallContext,
        server: TcpServer,
        id: Dynamic,
        timeout_ms: Dynamic,
    ) -> RhaiResultOf<Map> {
        body::get_connection_data(&ctx, &server, &id, &timeout_ms, &U)
    }

    /// Waits up to `timeout_ms` and returns at most `max_size` bytes.
    #[rhai_fn(
        name = "GetConnectionData",
        name = "ПолучитьДанныеСоединения",
        global,
        volatile,
        return_raw
    )]
    pub fn get_connection_data_with_max_size(
        ctx: NativeCallContext,
        server: TcpServer,
        id: Dynamic,
        timeout_ms: Dynamic,
        max_size: Dynamic,
    ) -> RhaiResultOf<Map> {
        body::get_connection_data(&ctx, &server, &id, &timeout_ms, &max_size)
    }

    /// Sends `data` (a blob, or a string as UTF-8) to connection `id`: `#{result: true}` once
    /// it is accepted whole (it is written in the background); waits up to 5 s for room when
    /// the client is 256 KiB behind.
    #[rhai_fn(
        name = "SendData",
        name = "ОтправитьДанные",
        global,
        volatile,
        return_raw
    )]
    pub fn send_data(
        ctx: NativeCallContext,
        server: TcpServer,
        id: Dynamic,
        data: Dynamic,
    ) -> RhaiResultOf<Map> {
        body::send_data(&ctx, &server, &id, &data)
    }

    /// Closes connection `id`; its unread data is dropped.
    #[rhai_fn(
        name = "CloseIncomingConnection",
        name = "ЗакрытьВходящееСоединение",
        global,
        volatile
    )]
    pub fn close_incoming_connection(server: TcpServer, id: Dynamic) -> Map {
        body::close_incoming_connection(&server, &id)
    }

    /// Half-closes connection `id` (FIN); a later `SendData` fails.
    #[rhai_fn(name = "CompleteSend", name = "ЗавершитьОтправку", global, volatile)]
    pub fn complete_send(server: TcpServer, id: Dynamic) -> Map {
        body::complete_send(&server, &id)
    }

    /// Stops reading from connection `id`; buffered data can still be read.
    #[rhai_fn(
        name = "FinishReceiving",
        name = "ЗавершитьПолучение",
        global,
        volatile
    )]
    pub fn finish_receiving(server: TcpServer, id: Dynamic) -> Map {
        body::finish_receiving(&server, &id)
    }

    /// `#{result: true, connections: [#{connectionId, address, receiving, buffered, unsent}]}`:
    /// live connections, and closed ones that still hold unread data. `unsent` is what sends
    /// accepted that the client has not taken yet.
    #[rhai_fn(
        name = "GetConnectionList",
        name = "ПолучитьСписокСоединений",
        global,
        volatile
    )]
    pub fn get_connection_list(server: TcpServer) -> Map {
        body::get_connection_list(&server)
    }

    /// Whether `value` is a `TcpServer`.
    #[rhai_fn(name = "IsServerObject", name = "ЭтоОбъектСервера")]
    pub fn is_server_object(value: Dynamic) -> bool {
        body::is_server_object(&value)
    }

    /// The name of OPI's server add-in, `"TCPServer"` (OPI's generic server code asks for it).
    #[rhai_fn(name = "AddInName", name = "ИмяКомпоненты")]
    pub fn add_in_name() -> ImmutableString {
        "TCPServer".into()
    }

    /// The port the server listens on.
    #[rhai_fn(get = "port", pure)]
    pub fn port(server: &mut TcpServer) -> i64 {
        server.port()
    }

    /// The last 100 log entries of the server: `#{result, logs, total, returned}`.
    #[rhai_fn(name = "GetLog", name = "ПолучитьЛог", global, volatile, return_raw)]
    pub fn get_log(ctx: NativeCallContext, server: TcpServer) -> RhaiResultOf<Dynamic> {
        logging::get_log(&ctx, server.caught_up_log(), &U, &U)
    }
    /// The log entries, as one string joined with "\n" when `as_string` is true.
    #[rhai_fn(name = "GetLog", name = "ПолучитьЛог", global, volatile, return_raw)]
    pub fn get_log_with_as_string(
        ctx: NativeCallContext,
        server: TcpServer,
        as_string: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        logging::get_log(&ctx, server.caught_up_log(), &as_string, &U)
    }
    /// The last `count` log entries.
    #[rhai_fn(name = "GetLog", name = "ПолучитьЛог", global, volatile, return_raw)]
    pub fn get_log_with_count(
        ctx: NativeCallContext,
        server: TcpServer,
        as_string: Dynamic,
        count: Dynamic,
    ) -> RhaiResultOf<Dynamic> {
        logging::get_log(&ctx, server.caught_up_log(), &as_string, &count)
    }
}
