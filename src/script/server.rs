//! The `TcpServer` handle and the synchronous operations behind OPI's server functions.
//!
//! Results follow OPI: `#{result: true, …}` on success and an error map otherwise (with our
//! `kind`); a read that times out is `#{result: false, error: "timeout", kind: "timeout"}`.
//! Connection ids are integers; the id functions also take them as numeric strings. The server
//! stops when its last handle is dropped (the end of the script), and `StopServer` stops it now.

use std::fmt;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use rhai::{Array, Dynamic, ImmutableString, Map, NativeCallContext};

use super::convert::{self, RhaiResult, error_map, interrupted, throw};
use super::logging;
use crate::net::{self, Log, Server, runtime};

/// OPI's defaults for reading from a server.
pub const DEFAULT_WAIT_MS: u64 = 1000;
pub const DEFAULT_MAX_SIZE: usize = 8192;
const DEFAULT_POOL: usize = 100;
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct TcpServer(Rc<Handle>);

struct Handle {
    server: Server,
    log: Option<Arc<Log>>,
}

impl fmt::Debug for TcpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.0.server.is_stopped() {
            "stopped"
        } else {
            "listening"
        };
        write!(f, "TcpServer(port {}, {state})", self.0.server.port())
    }
}

impl TcpServer {
    pub fn port(&self) -> i64 {
        i64::from(self.0.server.port())
    }

    pub fn log(&self) -> Option<Arc<Log>> {
        self.0.log.clone()
    }
}

fn ok() -> Map {
    let mut m = Map::new();
    m.insert("result".into(), true.into());
    m
}

fn outcome(r: net::Result<()>) -> Map {
    match r {
        Ok(()) => ok(),
        Err(e) => error_map(&e),
    }
}

fn timeout_map() -> Map {
    let mut m = Map::new();
    m.insert("result".into(), false.into());
    m.insert("error".into(), "timeout".into());
    m.insert("kind".into(), "timeout".into());
    m
}

fn block<T>(ctx: &NativeCallContext, fut: impl std::future::Future<Output = T>) -> RhaiResult<T> {
    runtime::block_on(fut).map_err(|_| interrupted(ctx.call_position()))
}

/// A connection id: an integer, or the same as a numeric string.
fn conn_id(ctx: &NativeCallContext, v: &Dynamic) -> RhaiResult<u64> {
    let n = v.as_int().ok().or_else(|| {
        v.read_lock::<ImmutableString>()
            .and_then(|s| s.trim().parse::<i64>().ok())
    });
    match n {
        Some(n) if n > 0 => Ok(n as u64),
        _ => Err(throw(
            ctx,
            format!("a connection id is a positive integer, not {v:?}"),
        )),
    }
}

/// Where to listen: a port (all IPv4 interfaces, as OPI), or `"ip:port"` (`"127.0.0.1:0"`).
fn bind_address(ctx: &NativeCallContext, v: &Dynamic) -> RhaiResult<SocketAddr> {
    if let Ok(port) = v.as_int() {
        return u16::try_from(port)
            .map(|p| SocketAddr::from(([0, 0, 0, 0], p)))
            .map_err(|_| {
                throw(
                    ctx,
                    format!("the port must be 0-65535 (0 = any free port), not {port}"),
                )
            });
    }
    match v.read_lock::<ImmutableString>() {
        Some(text) => text.trim().parse::<SocketAddr>().map_err(|_| {
            throw(
                ctx,
                format!(
                    "listen on a port, or on \"ip:port\" such as \"127.0.0.1:0\", not {text:?}"
                ),
            )
        }),
        None => Err(throw(
            ctx,
            format!(
                "the port must be an integer or \"ip:port\", not {}",
                v.type_name()
            ),
        )),
    }
}

fn max_size(ctx: &NativeCallContext, v: &Dynamic) -> RhaiResult<usize> {
    if v.is_unit() {
        return Ok(DEFAULT_MAX_SIZE);
    }
    Ok(convert::max_size(ctx, v)?.unwrap_or(super::MAX_DATA_SIZE))
}

pub fn start_server(
    ctx: &NativeCallContext,
    port: &Dynamic,
    pool: &Dynamic,
    logging: &Dynamic,
) -> RhaiResult<Dynamic> {
    let bind = bind_address(ctx, port)?;
    let pool = if pool.is_unit() {
        DEFAULT_POOL
    } else {
        match pool.as_int() {
            Ok(n) if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
            _ => {
                return Err(throw(
                    ctx,
                    format!("pool_size must be a positive integer, not {pool}"),
                ));
            }
        }
    };
    let log = match logging::open(logging) {
        Ok(l) => l,
        Err(e) => return Ok(error_map(&e).into()),
    };
    match block(ctx, Server::start(bind, pool, log.clone()))? {
        Ok(server) => Ok(Dynamic::from(TcpServer(Rc::new(Handle { server, log })))),
        Err(e) => Ok(error_map(&e).into()),
    }
}

pub fn stop_server(ctx: &NativeCallContext, srv: &TcpServer) -> RhaiResult<Map> {
    block(ctx, srv.0.server.stop())?;
    Ok(ok())
}

fn data_map(id: u64, data: &[u8]) -> Map {
    let mut m = ok();
    m.insert("connectionId".into(), (id as i64).into());
    m.insert("message".into(), Dynamic::from_blob(data.to_vec()));
    m
}

pub fn get_next_connection_data(
    ctx: &NativeCallContext,
    srv: &TcpServer,
    timeout: &Dynamic,
    max: &Dynamic,
) -> RhaiResult<Map> {
    let timeout = convert::timeout(ctx, timeout, DEFAULT_WAIT_MS)?;
    let max = max_size(ctx, max)?;
    Ok(match block(ctx, srv.0.server.next_data(timeout, max))? {
        Ok(Some((id, data))) => data_map(id, &data),
        Ok(None) => timeout_map(),
        Err(e) => error_map(&e),
    })
}

pub fn get_connection_data(
    ctx: &NativeCallContext,
    srv: &TcpServer,
    id: &Dynamic,
    timeout: &Dynamic,
    max: &Dynamic,
) -> RhaiResult<Map> {
    let id = conn_id(ctx, id)?;
    let timeout = convert::timeout(ctx, timeout, DEFAULT_WAIT_MS)?;
    let max = max_size(ctx, max)?;
    Ok(
        match block(ctx, srv.0.server.connection_data(id, timeout, max))? {
            Ok(Some(data)) => data_map(id, &data),
            Ok(None) => timeout_map(),
            Err(e) => error_map(&e),
        },
    )
}

pub fn send_data(
    ctx: &NativeCallContext,
    srv: &TcpServer,
    id: &Dynamic,
    data: &Dynamic,
) -> RhaiResult<Map> {
    let id = conn_id(ctx, id)?;
    let bytes = convert::data(ctx, data)?;
    Ok(outcome(block(
        ctx,
        srv.0.server.send(id, &bytes, Some(SEND_TIMEOUT)),
    )?))
}

pub fn close_incoming_connection(
    ctx: &NativeCallContext,
    srv: &TcpServer,
    id: &Dynamic,
) -> RhaiResult<Map> {
    let id = conn_id(ctx, id)?;
    Ok(outcome(srv.0.server.close(id)))
}

pub fn complete_send(ctx: &NativeCallContext, srv: &TcpServer, id: &Dynamic) -> RhaiResult<Map> {
    let id = conn_id(ctx, id)?;
    Ok(outcome(block(ctx, srv.0.server.complete_send(id))?))
}

pub fn finish_receiving(ctx: &NativeCallContext, srv: &TcpServer, id: &Dynamic) -> RhaiResult<Map> {
    let id = conn_id(ctx, id)?;
    Ok(outcome(srv.0.server.finish_receiving(id)))
}

pub fn get_connection_list(srv: &TcpServer) -> Map {
    match srv.0.server.list() {
        Err(e) => error_map(&e),
        Ok(list) => {
            let connections: Array = list
                .into_iter()
                .map(|c| {
                    let mut m = Map::new();
                    m.insert("connectionId".into(), (c.id as i64).into());
                    m.insert("address".into(), c.peer.to_string().into());
                    m.insert("receiving".into(), c.receiving.into());
                    m.insert("buffered".into(), (c.buffered as i64).into());
                    m.into()
                })
                .collect();
            let mut m = ok();
            m.insert("connections".into(), connections.into());
            m
        }
    }
}

pub fn is_server_object(v: &Dynamic) -> bool {
    v.is::<TcpServer>()
}
