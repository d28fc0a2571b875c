//! The background side of a server: the accept loop (admitting clients as the pool allows) and
//! one reader per connection (buffering what the client sends, pausing when the script falls
//! behind so that TCP flow control, not a dropped byte, slows the client).

use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::net::tcp::OwnedReadHalf;
use tokio::sync::{Notify, Semaphore};

use super::state::{Conn, MAX_BUFFERED, Shared, Writer, lock};
use crate::net::error::io_detail;

pub(super) async fn accept_loop(shared: Arc<Shared>, listener: TcpListener, pool: Arc<Semaphore>) {
    loop {
        if pool.available_permits() == 0 {
            shared.log("Connection pool is full: new clients wait until a connection ends");
        }
        let Ok(permit) = Arc::clone(&pool).acquire_owned().await else {
            return;
        };
        let (stream, peer) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                // Out of descriptors and the like: say so, back off, go on.
                shared.log(format!("Accept failed: {}", io_detail(&e)));
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (read, write) = stream.into_split();
        let space = Arc::new(Notify::new());
        let id = {
            let mut state = lock(&shared);
            state.next_id += 1;
            let id = state.next_id;
            state.conns.insert(
                id,
                Conn {
                    peer,
                    buf: BytesMut::new(),
                    eof: false,
                    stopped_reading: false,
                    writer: Arc::new(tokio::sync::Mutex::new(Writer {
                        half: Some(write),
                        progress: None,
                    })),
                    write_closed: false,
                    reader: None,
                    space: Arc::clone(&space),
                    permit: Some(permit),
                },
            );
            id
        };
        shared.log(format!("Accepted connection {id} from {peer}"));
        let reader = tokio::spawn(read_loop(Arc::clone(&shared), id, read, space));
        if let Some(c) = lock(&shared).conns.get_mut(&id) {
            c.reader = Some(reader.abort_handle());
        }
        shared.changed.notify_waiters();
    }
}

async fn read_loop(shared: Arc<Shared>, id: u64, mut read: OwnedReadHalf, space: Arc<Notify>) {
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        // Back-pressure: wait while the script has not read what is buffered.
        loop {
            let full = lock(&shared)
                .conns
                .get(&id)
                .map(|c| c.buf.len() >= MAX_BUFFERED);
            match full {
                None => return,
                Some(true) => space.notified().await,
                Some(false) => break,
            }
        }
        let result = read.read(&mut chunk).await;
        let mut guard = lock(&shared);
        let state = &mut *guard;
        let Some(conn) = state.conns.get_mut(&id) else {
            return;
        };
        let event = match result {
            Ok(n) if n > 0 => {
                if conn.buf.is_empty() {
                    state.ready.push_back(id);
                }
                conn.buf.extend_from_slice(&chunk[..n]);
                Ok(format!("Received {n} bytes from connection {id}"))
            }
            end => {
                conn.eof = true;
                conn.permit.take();
                conn.reader.take();
                Err(match end {
                    Err(e) => format!("Connection {id} failed: {}", io_detail(&e)),
                    _ => format!("Connection {id} closed by the client"),
                })
            }
        };
        // Logged after the lock is released: a log write never holds up the script's calls.
        drop(guard);
        shared.changed.notify_waiters();
        match event {
            Ok(line) => shared.log(line),
            Err(line) => {
                shared.log(line);
                return;
            }
        }
    }
}
