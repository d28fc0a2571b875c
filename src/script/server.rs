//! The bodies of OPI's server functions (StartServer … GetConnectionList). Results follow OPI:
//! `#{result: true, …}` on success and an error map otherwise (with our `kind`); a read that
//! times out is `#{result: false, error: "timeout", kind: "timeout"}`. Connection ids are
//! integers; the id functions also take them as numeric strings.

use std::net::SocketAddr;
use std::time::Duration;

use rhai::{Array, Dynamic, ImmutableString, Map, NativeCallContext};

use super::MAX_DATA_SIZE;
use super::args::{self, RhaiResultOf, interrupted};
use super::defaults::{IO_TIMEOUT_MS, SERVER_MAX_SIZE, SERVER_POOL, SERVER_WAIT_MS};
use super::logging;
use super::outcome::{error_map, ok, result_map, send_data_map, timeout_map};
use super::tcp_server::TcpServer;
use crate::net::{Received, Server, block_on_eager};

/// Server calls mostly find their answer at once (data already buffered, room to send), so the
/// future is polled before a `block_on` is paid for.
fn block<T>(ctx: &NativeCallContext, fut: impl std::future::Future<Output = T>) -> RhaiResultOf<T> {
    block_on_eager(fut).map_err(|_| interrupted(ctx))
}

/// A connection id: an integer, or the same as a numeric string. Anything else is id 0, which
/// no connection has, as OPI's `GetNumber` makes it: the server's own "no connection" map
/// answers, not an exception.
pub(crate) fn conn_id(v: &Dynamic) -> u64 {
    super::convert::number(v)
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0)
}

/// A server's settings error, as a map (OPI's server answers its checks with one).
fn refused(detail: String) -> Dynamic {
    error_map(&crate::net::Error::new(
        crate::net::ErrorKind::Settings,
        crate::net::Phase::Settings,
        "server",
        detail,
    ))
    .into()
}

/// Where to listen: a port (all IPv4 interfaces, as OPI), or `"ip:port"` (`"127.0.0.1:0"`).
fn bind_address(ctx: &NativeCallContext, v: &Dynamic) -> Result<SocketAddr, String> {
    if let Some(port) = super::convert::number(v) {
        return u16::try_from(port)
            .map(|p| SocketAddr::from(([0, 0, 0, 0], p)))
            .map_err(|_| format!("the port must be 0-65535 (0 = any free port), not {port}"));
    }
    match v.read_lock::<ImmutableString>() {
        Some(text) => text.trim().parse::<SocketAddr>().map_err(|_| {
            format!(
                "listen on a port, or on \"ip:port\" such as \"127.0.0.1:0\", not {:?}",
                text.as_str()
            )
        }),
        None => Err(format!(
            "the port must be an integer or \"ip:port\", not {}",
            args::type_name(ctx, v)
        )),
    }
}

fn max_size(ctx: &NativeCallContext, v: &Dynamic) -> RhaiResultOf<usize> {
    if v.is_unit() {
        return Ok(SERVER_MAX_SIZE);
    }
    Ok(args::max_size(ctx, v)?.unwrap_or(MAX_DATA_SIZE))
}

pub(crate) fn start_server(
    ctx: &NativeCallContext,
    port: &Dynamic,
    pool: &Dynamic,
    logging: &Dynamic,
    options: &Dynamic,
) -> RhaiResultOf<Dynamic> {
    let bind = match bind_address(ctx, port) {
        Ok(b) => b,
        Err(why) => return Ok(refused(why)),
    };
    let pool = if pool.is_unit() {
        SERVER_POOL
    } else {
        match super::convert::number(pool) {
            Some(n) if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
            _ => {
                return Ok(refused(format!(
                    "pool_size must be a positive number, not {}",
                    args::shown(ctx, pool)
                )));
            }
        }
    };
    let limits = super::server_options::server_limits(ctx, options)?;
    let log = match logging::open(logging) {
        Ok(l) => l,
        Err(e) => return Ok(error_map(&e).into()),
    };
    match block(ctx, Server::start(bind, pool, log.clone(), limits))? {
        Ok(server) => Ok(Dynamic::from(TcpServer::new(server, log))),
        Err(e) => Ok(error_map(&e).into()),
    }
}

pub(crate) fn stop_server(ctx: &NativeCallContext, srv: &TcpServer) -> RhaiResultOf<Map> {
    block(ctx, srv.server().stop())?;
    Ok(ok())
}

/// `#{result: true, connectionId, message, active, address}`: what a server read returns;
/// `active` is whether the client may still send (OPI's field), `address` its `ip:port`.
fn data_map(got: Received) -> Map {
    let mut m = ok();
    m.insert("connectionId".into(), (got.id as i64).into());
    m.insert("message".into(), Dynamic::from_blob(Vec::from(got.data)));
    m.insert("active".into(), got.receiving.into());
    m.insert("address".into(), (&*got.address).into());
    m
}

pub(crate) fn get_next_connection_data(
    ctx: &NativeCallContext,
    srv: &TcpServer,
    timeout: &Dynamic,
    max: &Dynamic,
) -> RhaiResultOf<Map> {
    let timeout = args::timeout(ctx, timeout, SERVER_WAIT_MS)?;
    let max = max_size(ctx, max)?;
    Ok(match block(ctx, srv.server().next_data(timeout, max))? {
        Ok(Some(got)) => data_map(got),
        Ok(None) => timeout_map(),
        Err(e) => error_map(&e),
    })
}

pub(crate) fn get_connection_data(
    ctx: &NativeCallContext,
    srv: &TcpServer,
    id: &Dynamic,
    timeout: &Dynamic,
    max: &Dynamic,
) -> RhaiResultOf<Map> {
    let id = conn_id(id);
    let timeout = args::timeout(ctx, timeout, SERVER_WAIT_MS)?;
    let max = max_size(ctx, max)?;
    Ok(
        match block(ctx, srv.server().connection_data(id, timeout, max))? {
            Ok(Some(got)) => data_map(got),
            Ok(None) => timeout_map(),
            Err(e) => error_map(&e),
        },
    )
}

pub(crate) fn send_data(
    ctx: &NativeCallContext,
    srv: &TcpServer,
    id: &Dynamic,
    data: &Dynamic,
) -> RhaiResultOf<Map> {
    let id = conn_id(id);
    let bytes = args::opi_data(ctx, data.clone())?;
    Ok(send_data_map(block(
        ctx,
        srv.server()
            .send(id, &bytes, Some(Duration::from_millis(IO_TIMEOUT_MS))),
    )?))
}

pub(crate) fn close_incoming_connection(srv: &TcpServer, id: &Dynamic) -> Map {
    let id = conn_id(id);
    result_map(srv.server().close(id))
}

pub(crate) fn complete_send(srv: &TcpServer, id: &Dynamic) -> Map {
    let id = conn_id(id);
    result_map(srv.server().complete_send(id))
}

pub(crate) fn finish_receiving(srv: &TcpServer, id: &Dynamic) -> Map {
    let id = conn_id(id);
    result_map(srv.server().finish_receiving(id))
}

pub(crate) fn get_connection_list(srv: &TcpServer) -> Map {
    srv.catch_up();
    match srv.server().list() {
        Err(e) => error_map(&e),
        Ok(list) => {
            let connections: Array = list
                .into_iter()
                .map(|c| {
                    let mut m = Map::new();
                    m.insert("connectionId".into(), (c.id as i64).into());
                    m.insert("address".into(), c.peer.to_string().into());
                    m.insert("receiving".into(), c.receiving.into());
                    // OPI's names for what the connection can still do.
                    m.insert("canRead".into(), (c.receiving || c.buffered > 0).into());
                    m.insert("canWrite".into(), c.sending.into());
                    m.insert("buffered".into(), (c.buffered as i64).into());
                    m.insert("unsent".into(), (c.unsent as i64).into());
                    m.into()
                })
                .collect();
            let mut m = ok();
            m.insert("connections".into(), connections.into());
            m
        }
    }
}

pub(crate) fn is_server_object(v: &Dynamic) -> bool {
    v.is::<TcpServer>()
}
