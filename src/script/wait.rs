//! `WaitAny(handles [, timeout_ms])`: which of several connections and servers has something —
//! data, the peer's close, a new client — as `#{index, event[, connectionId]}`. The handles
//! are checked from a start that moves on every call, so none can starve the others.

use std::cell::Cell;

use rhai::{Array, Dynamic, Map, NativeCallContext};

use super::args::{self, RhaiResultOf, interrupted, throw};
use super::conversation::wait;
use super::defaults::IO_TIMEOUT_MS;
use super::tcp_client::TcpClient;
use super::tcp_server::TcpServer;
use crate::net::{Event, ServerEvent, Waitable, block_on, wait_any as net_wait_any};

thread_local! {
    /// Where the next WaitAny starts looking: one further each call.
    static NEXT_START: Cell<usize> = const { Cell::new(0) };
}

enum Handle {
    Client(TcpClient),
    Server(TcpServer),
}

fn handles(ctx: &NativeCallContext, v: &Dynamic) -> RhaiResultOf<Vec<Handle>> {
    let Some(list) = v.read_lock::<Array>() else {
        return Err(throw(
            ctx,
            format!(
                "the handles must be an array of connections and servers, not {}",
                args::type_name(ctx, v)
            ),
        ));
    };
    let mut out: Vec<Handle> = Vec::with_capacity(list.len());
    for (i, h) in list.iter().enumerate() {
        if let Some(c) = h.read_lock::<TcpClient>() {
            if out
                .iter()
                .any(|o| matches!(o, Handle::Client(d) if d.same(&c)))
            {
                return Err(throw(
                    ctx,
                    format!("handle {i} is a connection listed twice"),
                ));
            }
            out.push(Handle::Client(c.clone()));
        } else if let Some(s) = h.read_lock::<TcpServer>() {
            out.push(Handle::Server(s.clone()));
        } else {
            return Err(throw(
                ctx,
                format!(
                    "handle {i} must be a TcpClient or a TcpServer, not {}",
                    args::type_name(ctx, h)
                ),
            ));
        }
    }
    Ok(out)
}

pub(crate) fn wait_any(
    ctx: &NativeCallContext,
    list: &Dynamic,
    timeout: &Dynamic,
) -> RhaiResultOf<Map> {
    let handles = handles(ctx, list)?;
    let timeout = wait(ctx, timeout, "timeout_ms", IO_TIMEOUT_MS as i64)?;
    // One slot per handle that takes part (closed connections do not), in the handles' order;
    // `.0` is the handle's index.
    enum Slot<'a> {
        Conn(std::cell::RefMut<'a, crate::net::Connection>),
        Server(&'a TcpServer, u64),
    }
    let mut slots: Vec<(usize, Slot<'_>)> = handles
        .iter()
        .enumerate()
        .filter_map(|(i, h)| match h {
            Handle::Client(c) => c.conn_mut().map(|g| (i, Slot::Conn(g))),
            Handle::Server(s) => Some((i, Slot::Server(s, s.seen()))),
        })
        .collect();
    let start = NEXT_START.with(|n| {
        let s = n.get();
        n.set(s.wrapping_add(1));
        s
    });
    let got = {
        let mut items: Vec<Waitable<'_>> = slots
            .iter_mut()
            .map(|(_, slot)| match slot {
                Slot::Conn(g) => Waitable::Conn(g),
                Slot::Server(s, seen) => Waitable::Server {
                    server: s.server(),
                    seen,
                },
            })
            .collect();
        let n = items.len().max(1);
        block_on(net_wait_any(&mut items, start % n, timeout)).map_err(|_| interrupted(ctx))?
    };
    let index: Vec<usize> = slots.iter().map(|(i, _)| *i).collect();
    for (_, slot) in slots {
        if let Slot::Server(s, seen) = slot {
            s.set_seen(seen);
        }
    }
    let mut m = Map::new();
    let Some((k, event)) = got else {
        m.insert("index".into(), Dynamic::from_int(-1));
        m.insert("event".into(), "timeout".into());
        return Ok(m);
    };
    let i = index.get(k).copied().unwrap_or(0);
    m.insert("index".into(), (i as i64).into());
    let name = match event {
        Event::Data => "data",
        Event::Eof => "eof",
        Event::Failed(e) => {
            if let Handle::Client(c) = &handles[i] {
                c.record(e);
            }
            "error"
        }
        Event::Server(ServerEvent::Connection(id)) => {
            m.insert("connectionId".into(), (id as i64).into());
            "connection"
        }
        Event::Server(ServerEvent::Data(id)) => {
            m.insert("connectionId".into(), (id as i64).into());
            "data"
        }
    };
    m.insert("event".into(), name.into());
    Ok(m)
}
