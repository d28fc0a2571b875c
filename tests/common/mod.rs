//! In-process peers on 127.0.0.1:0, each on its own std thread (so plain `#[test]`s can drive the
//! blocking script layer); helpers to run script code through `script::engine()` and the binary
//! through `opi()`; and the one gate of the tests against the real peers.

#![allow(dead_code)]

pub mod proxy;
pub mod tls;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use assert_cmd::Command;
use opi_tcp::script;
use rhai::{Dynamic, Scope};

thread_local! {
    static ON_IPV6: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every peer it starts (echo servers, fake proxies, TLS servers) on `[::1]`.
pub fn on_ipv6<T>(f: impl FnOnce() -> T) -> T {
    ON_IPV6.set(true);
    let out = f();
    ON_IPV6.set(false);
    out
}

/// Accepts forever; each connection is handled on its own thread.
pub fn serve(handler: impl Fn(TcpStream) + Send + Sync + Clone + 'static) -> SocketAddr {
    let bind = if ON_IPV6.get() {
        "[::1]:0"
    } else {
        "127.0.0.1:0"
    };
    let listener = TcpListener::bind(bind).expect("bind a loopback port");
    let addr = listener.local_addr().expect("local addr");
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let h = handler.clone();
            thread::spawn(move || h(stream));
        }
    });
    addr
}

/// Copies `from` to `to` until `from` ends, then half-closes `to`.
pub fn copy(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = [0u8; 65536];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Echoes a connection onto itself.
pub fn pump(s: TcpStream) {
    if let Ok(back) = s.try_clone() {
        copy(s, back);
    }
}

/// Echoes every byte; half-closes after the client does.
pub fn echo() -> SocketAddr {
    serve(pump)
}

/// Sends `banner` first, then echoes.
pub fn speaks_first(banner: &'static [u8]) -> SocketAddr {
    serve(move |mut s| {
        if s.write_all(banner).is_ok() {
            pump(s)
        }
    })
}

/// Sends `data` one byte every `every`, then closes.
pub fn trickle(data: &'static [u8], every: Duration) -> SocketAddr {
    serve(move |mut s| {
        for b in data {
            if s.write_all(&[*b]).is_err() {
                return;
            }
            thread::sleep(every);
        }
    })
}

/// Sends `chunks` with `gap` between them (separate TCP segments), then keeps the socket open
/// for `hold`.
pub fn chunks(chunks: &'static [&'static [u8]], gap: Duration, hold: Duration) -> SocketAddr {
    serve(move |mut s| {
        let _ = s.set_nodelay(true);
        for c in chunks {
            if s.write_all(c).is_err() {
                return;
            }
            thread::sleep(gap);
        }
        thread::sleep(hold);
    })
}

/// Sends `data` and closes at once.
pub fn send_and_close(data: &'static [u8]) -> SocketAddr {
    serve(move |mut s| {
        let _ = s.write_all(data);
    })
}

/// Accepts and never answers nor reads; keeps each connection for a minute.
pub fn silent() -> SocketAddr {
    serve(|s| {
        thread::sleep(Duration::from_secs(60));
        drop(s);
    })
}

/// What keeps an [`unanswered`] port silent: its listener and the connections queued in its
/// backlog.
pub struct Unanswered {
    _listener: TcpListener,
    _queued: Vec<TcpStream>,
}

/// A port that never answers a connect, offline: a listener that never accepts, its backlog
/// filled, so the kernel drops every further SYN and a connect waits for its deadline (as to a
/// black-holed address). Silent while the guard lives.
pub fn unanswered() -> (SocketAddr, Unanswered) {
    let bind = if ON_IPV6.get() {
        "[::1]:0"
    } else {
        "127.0.0.1:0"
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("a runtime");
    // std cannot listen with a backlog of 0 (one connection queued on Linux, then none).
    let listener = rt
        .block_on(async {
            let addr: SocketAddr = bind.parse().expect("a loopback address");
            let socket = if addr.is_ipv6() {
                tokio::net::TcpSocket::new_v6()?
            } else {
                tokio::net::TcpSocket::new_v4()?
            };
            socket.bind(addr)?;
            socket.listen(0)?.into_std()
        })
        .expect("listen with a backlog of 0");
    let addr = listener.local_addr().expect("local addr");
    let mut queued = Vec::new();
    for _ in 0..64 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            Ok(s) => queued.push(s),
            Err(_) => {
                return (
                    addr,
                    Unanswered {
                        _listener: listener,
                        _queued: queued,
                    },
                );
            }
        }
    }
    panic!("the backlog of {addr} never filled");
}

/// Records everything a client sends until it half-closes, then hands it over.
pub fn recorder() -> (SocketAddr, mpsc::Receiver<Vec<u8>>) {
    let (tx, rx) = mpsc::channel();
    let addr = serve(move |mut s| {
        let mut all = Vec::new();
        let _ = s.read_to_end(&mut all);
        let _ = tx.send(all);
    });
    (addr, rx)
}

/// A port on which nothing listens.
pub fn refused_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let a = l.local_addr().expect("addr");
    drop(l);
    a
}

/// Sends SIGINT to `child` and waits for it to end, at most 5 s (else the test fails saying
/// `what` is still going on).
pub fn interrupt_and_wait(child: &mut std::process::Child, what: &str) -> std::process::ExitStatus {
    let t = std::time::Instant::now();
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    loop {
        if let Some(s) = child.try_wait().expect("wait for the child") {
            return s;
        }
        assert!(t.elapsed() < Duration::from_secs(5), "{what} after SIGINT");
        thread::sleep(Duration::from_millis(20));
    }
}

/// The `opi-tcp` binary of this build.
pub fn opi() -> Command {
    Command::cargo_bin("opi-tcp").expect("binary opi-tcp")
}

/// Runs `code` with the `script::engine()`, each of `consts` a constant in scope.
pub fn eval_with(consts: &[(&str, Dynamic)], code: &str) -> Result<Dynamic, String> {
    let engine = script::engine();
    let mut scope = Scope::new();
    for (name, value) in consts {
        scope.push_constant(*name, value.clone());
    }
    engine
        .eval_with_scope::<Dynamic>(&mut scope, code)
        .map_err(|e| e.to_string())
}

/// Runs `code` with the `script::engine()`; `ADDR` is a constant in scope.
pub fn eval_at(addr: impl ToString, code: &str) -> Result<Dynamic, String> {
    eval_with(&[("ADDR", addr.to_string().into())], code)
}

pub fn eval(code: &str) -> Result<Dynamic, String> {
    eval_at("", code)
}

/// The value as a string (panics with the script error otherwise: tests only).
pub fn eval_str(addr: impl ToString, code: &str) -> String {
    match eval_at(addr, code) {
        Ok(v) => v.to_string(),
        Err(e) => panic!("script failed: {e}\n{code}"),
    }
}

/// The gate of the tests against the real peers of `../shared/test-peers`. They are
/// `#[ignore]`d, so a bare `cargo test` counts them as ignored, not passed; `.ci/run` starts the
/// peers and runs them with `OPI_TCP_PEERS=1 cargo test --test integration -- --ignored`. Asked
/// for without the peers, a test fails and says what it needs.
pub fn require_peers() {
    assert!(
        std::env::var("OPI_TCP_PEERS").is_ok_and(|v| v == "1"),
        "this test needs the real peers: start ../shared/test-peers/start-test-servers.sh (root) \
         and set OPI_TCP_PEERS=1 (.ci/run does both)"
    );
}

/// Where the real peers keep their state (logs, the CA): `$STATE`, as in `.ci/run`.
pub fn peers_state_dir() -> String {
    std::env::var("STATE").unwrap_or_else(|_| "/tmp/tcptest".into())
}

/// The CA file of the real peers' certificates.
pub fn peers_ca() -> String {
    std::env::var("OPI_TCP_PEER_CA").unwrap_or_else(|_| format!("{}/ca.pem", peers_state_dir()))
}
