//! The background side of a server: the accept loop (admitting clients as the pool allows, or
//! making room for them: see `evict`) and one reader per connection (buffering what the client
//! sends, pausing when the script falls behind so that TCP flow control, not a dropped byte,
//! slows the client).
//!
//! A reader waits for its socket to be readable before it sets aside room in the server's budget,
//! and reads without blocking into exactly that room, so a silent connection holds none of the
//! budget and the connections together never buffer more than it.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::{BufMut, BytesMut};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::evict;
use super::state::{Conn, Shared, lock};
use crate::net::error::io_detail;
use crate::net::trace::Traced;

/// A reader's first read buffer; it doubles while reads fill it, up to the budget's chunk.
const FIRST_READ: usize = 4 * 1024;

pub(super) async fn accept_loop(shared: Arc<Shared>, listener: TcpListener, pool: Arc<Semaphore>) {
    loop {
        let permit = match Arc::clone(&pool).try_acquire_owned() {
            Ok(p) => p,
            Err(_) if shared.limits.evict_when_full => {
                // Accept the waiting client first: a connection is closed only for one that
                // is really there (see `evict`).
                let Some((stream, peer)) = accept(&shared, &listener).await else {
                    continue;
                };
                let Some(permit) = evict::make_room(&shared, &pool).await else {
                    return;
                };
                admit(&shared, stream, peer, permit);
                continue;
            }
            Err(_) => {
                shared.log(format_args!(
                    "Connection pool is full: new clients wait until a connection ends"
                ));
                let Ok(permit) = Arc::clone(&pool).acquire_owned().await else {
                    return;
                };
                permit
            }
        };
        if let Some((stream, peer)) = accept(&shared, &listener).await {
            admit(&shared, stream, peer, permit);
        }
    }
}

async fn accept(shared: &Shared, listener: &TcpListener) -> Option<(TcpStream, SocketAddr)> {
    match listener.accept().await {
        Ok(s) => Some(s),
        Err(e) => {
            // Out of descriptors and the like: say so, back off, go on.
            shared.log(format_args!("Accept failed: {}", io_detail(&e)));
            tokio::time::sleep(Duration::from_millis(50)).await;
            None
        }
    }
}

/// Makes `stream` a connection of the server, holding `permit`, and starts its reader.
fn admit(shared: &Arc<Shared>, stream: TcpStream, peer: SocketAddr, permit: OwnedSemaphorePermit) {
    let _ = stream.set_nodelay(true);
    let (read, write) = stream.into_split();
    let read = Arc::new(read);
    let trace = crate::net::trace::global_trace().map(|t| {
        Arc::new(Traced::new(
            t,
            &format!("{peer} (client of {})", shared.name),
        ))
    });
    if let Some(t) = &trace {
        t.event("accepted");
    }
    let id = {
        let mut state = lock(shared);
        state.next_id += 1;
        let id = state.next_id;
        let mut conn = Conn::new(peer, Arc::clone(&read), write, permit);
        conn.trace = trace;
        state.conns.insert(id, conn);
        id
    };
    shared.log(format_args!("Accepted connection {id} from {peer}"));
    let reader = tokio::spawn(read_loop(Arc::clone(shared), id, read));
    if let Some(c) = lock(shared).conns.get_mut(&id) {
        c.reader = Some(reader.abort_handle());
    }
    shared.changed.notify_waiters();
}

async fn read_loop(shared: Arc<Shared>, id: u64, read: Arc<OwnedReadHalf>) {
    // Not zeroed, and small at first: a connection that sends lines never holds a whole chunk,
    // and thousands of them would otherwise pin a chunk each. It grows while reads fill it.
    let mut chunk = BytesMut::new();
    let mut size = FIRST_READ.min(shared.budget.chunk);
    loop {
        // Readable also means end of stream or an error, which the read below then reports.
        let ready = read.readable().await;
        let room = match ready {
            Ok(()) => match wait_for_room(&shared, id).await {
                Some(room) => room,
                None => return,
            },
            Err(_) => 0,
        };
        let want = room.min(size);
        chunk.reserve(want);
        // No await from here to the commit below, so an abort cannot strand the room set aside.
        let result = ready.and_then(|()| read.try_read_buf(&mut (&mut chunk).limit(want)));
        let mut guard = lock(&shared);
        let state = &mut *guard;
        let Some(conn) = state.conns.get_mut(&id) else {
            shared.give_back(state, room);
            return;
        };
        // Written after the lock is let go: a slow trace file must not hold up the server.
        let mut traced = None;
        let mut too_slow = None;
        if let Some(t) = &conn.trace {
            match &result {
                Ok(n) if *n > 0 => traced = Some((Arc::clone(t), Some(chunk[..*n].to_vec()))),
                Ok(_) => traced = Some((Arc::clone(t), None)),
                _ => {}
            }
        }
        let ended = match result {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                shared.give_back(state, room);
                continue;
            }
            Ok(n) if n > 0 => {
                if conn.buf.is_empty() {
                    state.ready.push_back(id);
                }
                conn.buf.extend_from_slice(&chunk);
                chunk.clear();
                let now = Instant::now();
                conn.last_active = now;
                if let Some(rule) = &shared.limits.min_rate
                    && let Some(slow) = conn.rate.add(rule, now, n as u64)
                {
                    too_slow = Some((rule.bytes_per_sec, slow));
                }
                shared.give_back(state, room - n);
                if n == want {
                    size = (size * 2).min(shared.budget.chunk);
                }
                // Logged before the data can be seen: a script that has read these bytes and
                // stops the server finds their line in the file. Under the lock is cheap, as a
                // log file is written by its own thread (this only queues the line).
                shared.log(format_args!("Received {n} bytes from connection {id}"));
                false
            }
            end => {
                conn.eof = true;
                conn.permit.take();
                conn.reader.take();
                shared.give_back(state, room);
                match end {
                    Err(e) => shared.log(format_args!("Connection {id} failed: {}", io_detail(&e))),
                    _ => shared.log(format_args!("Connection {id} closed by the client")),
                }
                true
            }
        };
        let slow_conn = too_slow.and_then(|_| shared.remove(state, id));
        drop(guard);
        match traced {
            Some((t, Some(bytes))) => t.chunk(false, &bytes),
            Some((t, None)) => t.event("closed by the client"),
            None => {}
        }
        if let (Some(conn), Some((rate, slow))) = (slow_conn, too_slow) {
            let unread = conn.buf.len();
            // Also ends this task (the connection's reader) at its next await.
            drop(conn);
            shared.log(format_args!(
                "Closed connection {id}: it sent {} bytes in {} ms, slower than the minimum \
                 rate of {rate} bytes/s ({unread} unread bytes dropped)",
                slow.bytes,
                slow.over.as_millis()
            ));
            shared.changed.notify_waiters();
            return;
        }
        shared.changed.notify_waiters();
        if ended {
            return;
        }
    }
}

/// Back-pressure: waits until a chunk fits in the connection's share and in the server's budget,
/// and sets it aside. `None` when the connection is gone.
async fn wait_for_room(shared: &Shared, id: u64) -> Option<usize> {
    loop {
        let notified = shared.space.notified();
        tokio::pin!(notified);
        // Registered before the budget is read, so room given back in between is not missed.
        notified.as_mut().enable();
        let room = shared.reserve(&mut lock(shared), id)?;
        if room > 0 {
            return Some(room);
        }
        notified.await;
    }
}
