//! Raw Rust references and helpers for `bench/run`: the same work as the opi-tcp scripts in
//! `bench/`, written directly on std and tokio, plus the servers both sides talk to.
//!
//! Servers bind `127.0.0.1:0`, print `PORT <n>` and serve until killed. Clients print
//! `ELAPSED <seconds>` for the measured part only, so process start-up is not counted.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> &str { args.get(i).map(String::as_str).unwrap_or_else(|| usage()) };
    let num = |i: usize| -> usize { arg(i).parse().unwrap_or_else(|_| usage()) };
    match arg(0) {
        "echo-std" => serve_threads(|mut s| {
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(n @ 1..) = s.read(&mut buf) {
                if s.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }),
        "sink" => serve_threads(|mut s| {
            let mut buf = vec![0u8; 1 << 20];
            while let Ok(1..) = s.read(&mut buf) {}
        }),
        "source" => {
            let total = num(1);
            let marker = args.get(2).cloned().unwrap_or_default();
            serve_threads(move |mut s| {
                let chunk = vec![b'x'; 1 << 20];
                let mut sent = 0;
                while sent < total {
                    let n = chunk.len().min(total - sent);
                    if s.write_all(&chunk[..n]).is_err() {
                        return;
                    }
                    sent += n;
                }
                let _ = s.write_all(marker.as_bytes());
                let _ = s.shutdown(Shutdown::Write);
                // Wait for the client to close, so no unread byte turns the close into a reset.
                let _ = s.read(&mut [0u8; 16]);
            })
        }
        "echo-tokio" => echo_tokio(),
        "rt-std" => {
            let mut s = connect(arg(1));
            let n = num(2);
            let mut buf = [0u8; 64];
            let t = Instant::now();
            for _ in 0..n {
                s.write_all(b"x\n").unwrap();
                let mut got = 0;
                while got == 0 || buf[got - 1] != b'\n' {
                    got += s.read(&mut buf[got..]).unwrap();
                }
            }
            elapsed(t);
        }
        "send-std" => {
            let mut s = connect(arg(1));
            let (total, chunk) = (num(2), vec![b'x'; num(3)]);
            let t = Instant::now();
            let mut sent = 0;
            while sent < total {
                s.write_all(&chunk).unwrap();
                sent += chunk.len();
            }
            elapsed(t);
        }
        "send-tokio" => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let (addr, total, chunk) = (arg(1).to_string(), num(2), vec![b'x'; num(3)]);
            rt.block_on(async move {
                use tokio::io::AsyncWriteExt;
                let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                s.set_nodelay(true).unwrap();
                let t = Instant::now();
                let mut sent = 0;
                while sent < total {
                    s.write_all(&chunk).await.unwrap();
                    sent += chunk.len();
                }
                elapsed(t);
            });
        }
        "recv-std" => {
            let mut s = connect(arg(1));
            let (total, mut buf) = (num(2), vec![0u8; num(3)]);
            let t = Instant::now();
            let mut got = 0;
            while got < total {
                match s.read(&mut buf).unwrap() {
                    0 => break,
                    n => got += n,
                }
            }
            elapsed(t);
            assert_eq!(got, total, "short stream");
        }
        "load" => load(arg(1), num(2), num(3), num(4)),
        "scan" => scan(num(1)),
        _ => usage(),
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: opi-tcp-bench-refs echo-std | echo-tokio | sink | source BYTES [MARKER] \
         | rt-std ADDR N | send-std ADDR TOTAL CHUNK | send-tokio ADDR TOTAL CHUNK \
         | recv-std ADDR TOTAL CHUNK | load ADDR CLIENTS MSGS SIZE | scan BYTES"
    );
    std::process::exit(2)
}

fn elapsed(t: Instant) {
    println!("ELAPSED {:.6}", t.elapsed().as_secs_f64());
}

fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_nodelay(true).unwrap();
    s
}

fn announce(port: u16) {
    println!("PORT {port}");
    std::io::stdout().flush().unwrap();
}

/// A thread per connection: the plainest fast server for one or a few clients.
fn serve_threads(handle: impl Fn(TcpStream) + Send + Sync + Clone + 'static) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    announce(listener.local_addr().unwrap().port());
    for s in listener.incoming().flatten() {
        let _ = s.set_nodelay(true);
        let h = handle.clone();
        std::thread::spawn(move || h(s));
    }
}

/// The small tokio echo: a task per connection, a deep backlog so 10,000 clients that connect
/// at once are not dropped by the accept queue.
fn echo_tokio() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(4096).unwrap();
        announce(listener.local_addr().unwrap().port());
        loop {
            let Ok((mut s, _)) = listener.accept().await else { continue };
            let _ = s.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                while let Ok(n @ 1..) = s.read(&mut buf).await {
                    if s.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
}

/// The server figure's load: `clients` connections at once, each sending `msgs` messages of
/// `size` bytes and waiting for each whole echo before the next.
fn load(addr: &str, clients: usize, msgs: usize, size: usize) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let addr = addr.to_string();
    rt.block_on(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut conns = Vec::new();
        for _ in 0..clients {
            let s = tokio::net::TcpStream::connect(&addr).await.unwrap();
            s.set_nodelay(true).unwrap();
            conns.push(s);
        }
        let t = Instant::now();
        let tasks: Vec<_> = conns
            .into_iter()
            .map(|mut s| {
                tokio::spawn(async move {
                    let mut msg = vec![b'm'; size];
                    msg[size - 1] = b'\n';
                    let mut buf = vec![0u8; size];
                    for _ in 0..msgs {
                        s.write_all(&msg).await.unwrap();
                        s.read_exact(&mut buf).await.unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        elapsed(t);
        println!("MESSAGES {}", clients * msgs);
    });
}

/// The marker search as opi-tcp does it today (`windows().position`) against memchr's
/// `memmem`, over `bytes` with a 16-byte marker at the end; and one byte (`iter().position`
/// against `memchr`).
fn scan(bytes: usize) {
    // Opaque to the optimiser: opi-tcp's marker length is known only at run time, which is what
    // makes each `windows()` comparison a call to memcmp.
    let marker: &[u8] = std::hint::black_box(b"--END-OF-DATA--\n");
    let mut hay = vec![b'x'; bytes];
    hay.extend_from_slice(marker);
    let time = |f: &dyn Fn() -> Option<usize>| {
        let t = Instant::now();
        let at = std::hint::black_box(f());
        assert_eq!(at.map(|a| a + 1 >= bytes), Some(true));
        t.elapsed().as_secs_f64()
    };
    let windows = time(&|| hay.windows(marker.len()).position(|w| w == marker));
    let memmem = time(&|| memchr::memmem::find(&hay, marker));
    let position = time(&|| hay.iter().position(|b| *b == b'\n'));
    let memchr = time(&|| memchr::memchr(b'\n', &hay));
    let mb = bytes as f64 / 1e6;
    println!(
        "windows {:.4} s ({:.0} MB/s), memmem {:.4} s ({:.0} MB/s), iter().position {:.4} s \
         ({:.0} MB/s), memchr {:.4} s ({:.0} MB/s)",
        windows, mb / windows, memmem, mb / memmem, position, mb / position, memchr, mb / memchr
    );
}
