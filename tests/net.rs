//! The network core without Rhai: connect, tunnel and read against the in-process fakes, through
//! `opi_tcp::net` alone, so a fault here is the core's and not the script layer's.

use std::io::Read;
use std::time::{Duration, Instant};

use opi_tcp::net::{self, ConnectOptions, ErrorKind, ProxyConfig, ReadLimit, Target};

use crate::common::proxy::{Socks5, socks5};
use crate::common::{chunks, echo, refused_port, silent};

const CAP: usize = 1 << 20;

fn target(addr: impl ToString) -> Target {
    Target::parse(&addr.to_string()).unwrap()
}

fn until(marker: &str, timeout_ms: u64) -> ReadLimit {
    ReadLimit {
        max: None,
        marker: Some(marker.as_bytes().to_vec()),
        timeout: Some(Duration::from_millis(timeout_ms)),
        cap: CAP,
        units: Default::default(),
    }
}

#[test]
fn a_read_stops_at_the_marker_and_keeps_what_follows() {
    let t = target(echo());
    let (first, second) = net::block_on(async {
        let mut conn = net::connect(&t, &ConnectOptions::default()).await.unwrap();
        conn.send(b"one\ntwo\n", Some(Duration::from_secs(5)))
            .await
            .unwrap();
        let first = conn.read(&until("\n", 5000)).await;
        let second = conn.read(&until("\n", 5000)).await;
        conn.close().await;
        (first, second)
    })
    .unwrap();
    assert_eq!((&first.data[..], first.error), (&b"one\n"[..], None));
    assert_eq!((&second.data[..], second.error), (&b"two\n"[..], None));
}

#[test]
fn a_marker_split_across_segments_is_found() {
    let t = target(chunks(
        &[b"HTTP/1.1 200 OK\r", b"\n\r", b"\nbody"],
        Duration::from_millis(30),
        Duration::from_secs(2),
    ));
    let got = net::block_on(async {
        let mut conn = net::connect(&t, &ConnectOptions::default()).await.unwrap();
        conn.read(&until("\r\n\r\n", 5000)).await
    })
    .unwrap();
    assert_eq!(&got.data[..], b"HTTP/1.1 200 OK\r\n\r\n");
}

#[test]
fn a_read_deadline_is_not_an_error_and_holds() {
    let t = target(silent());
    let started = Instant::now();
    let got = net::block_on(async {
        let mut conn = net::connect(&t, &ConnectOptions::default()).await.unwrap();
        conn.read(&until("\n", 300)).await
    })
    .unwrap();
    let waited = started.elapsed();
    assert!(got.data.is_empty() && got.error.is_none(), "{got:?}");
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
}

#[test]
fn nobody_listening_is_refused() {
    let t = target(refused_port());
    let e = net::block_on(net::connect(&t, &ConnectOptions::default()))
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
    assert!(
        e.to_string().starts_with(&format!("connect to {t}:")),
        "{e}"
    );
}

#[test]
fn a_socks5h_tunnel_sends_the_name_and_carries_the_bytes() {
    let (proxy, requests) = socks5(Socks5::default());
    let port = echo().port();
    let opts = ConnectOptions {
        proxy: Some(ProxyConfig::from_url(&format!("socks5h://{proxy}")).unwrap()),
        ..ConnectOptions::default()
    };
    let t = target(format!("localhost:{port}"));
    let got = net::block_on(async {
        let mut conn = net::connect(&t, &opts).await.unwrap();
        conn.send(b"through\n", Some(Duration::from_secs(5)))
            .await
            .unwrap();
        conn.read(&until("\n", 5000)).await
    })
    .unwrap();
    assert_eq!(&got.data[..], b"through\n");
    let req = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        (req.atyp, req.host.as_str(), req.port),
        (3, "localhost", port)
    );
}

#[test]
fn a_server_send_is_accepted_whole_or_not_at_all() {
    let server = net::block_on(net::Server::start(
        "127.0.0.1:0".parse().unwrap(),
        10,
        None,
        net::ServerLimits::default(),
    ))
    .unwrap()
    .unwrap();
    // A client that reads nothing for now: the server's first send fills the socket buffers and
    // waits in the outbox; the next one finds the outbox full and sends nothing of itself.
    let mut client = std::net::TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    let started = Instant::now();
    let id = loop {
        if let Some(c) = server.list().unwrap().first() {
            break c.id;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "never accepted");
        std::thread::sleep(Duration::from_millis(10));
    };
    let big = vec![b'A'; 32 * 1024 * 1024];
    let send = |data: &[u8], ms| {
        net::block_on(server.send(id, data, Some(Duration::from_millis(ms)))).unwrap()
    };
    let waited = Instant::now();
    send(&big, 300).unwrap();
    assert!(
        waited.elapsed() < Duration::from_millis(250),
        "{:?}",
        waited.elapsed()
    );
    let second = send(b"MARKER\n", 300).unwrap_err();
    assert_eq!(second.kind(), ErrorKind::Timeout, "{second}");
    assert!(
        second.detail().contains("nothing of the 7 bytes was sent"),
        "{second}"
    );
    // The stream is still framed: once the client reads, every byte of the first message comes,
    // and a later send follows it.
    let reader = std::thread::spawn(move || {
        let mut got = vec![0u8; big.len() + 4];
        client.read_exact(&mut got).map(|()| got)
    });
    send(b"TAIL", 10_000).unwrap();
    let got = reader.join().unwrap().unwrap();
    assert!(got[..32 * 1024 * 1024].iter().all(|b| *b == b'A'));
    assert_eq!(&got[32 * 1024 * 1024..], b"TAIL");
}

#[test]
fn a_read_that_reaches_the_cap_before_its_marker_says_so() {
    let t = target(crate::common::send_and_close(b"0123456789\n"));
    let out = net::block_on(async {
        let mut conn = net::connect(&t, &ConnectOptions::default()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut limit = until("\n", 5000);
        limit.cap = 4;
        conn.read(&limit).await
    })
    .unwrap();
    assert_eq!(&out.data[..], b"0123");
    let e = out.error.expect("a cap error");
    assert!(e.detail().contains("before the marker came"), "{e}");
    assert!(!e.detail().contains("give max_size or a marker"), "{e}");
}
