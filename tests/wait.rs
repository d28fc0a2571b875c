//! WaitAny: which of several connections and servers has something, fairly.

use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

use crate::common::*;

#[test]
fn a_chatty_connection_does_not_starve_a_quiet_one() {
    // One peer sends without pause, the other once after 200 ms.
    let chatty = serve(|mut s| {
        let chunk = [b'x'; 1024];
        while s.write_all(&chunk).is_ok() {}
    });
    let quiet = serve(|mut s| {
        thread::sleep(Duration::from_millis(200));
        let _ = s.write_all(b"once\n");
        thread::sleep(Duration::from_secs(10));
    });
    let t = Instant::now();
    let out = eval_with(
        &[
            ("A", chatty.to_string().into()),
            ("B", quiet.to_string().into()),
        ],
        r#"
        let a = OPI_TCP::CreateConnection(A);
        let b = OPI_TCP::CreateConnection(B);
        let got_b = "";
        let rounds = 0;
        while got_b == "" && rounds < 100000 {
            rounds += 1;
            let w = OPI_TCP::WaitAny([a, b], 3000);
            if w.index == 0 { a.ReadAvailable(4096, 0); }
            if w.index == 1 { got_b = b.ReadAvailable().as_string(); }
            if w.index < 0 { break; }
        }
        got_b
    "#,
    )
    .unwrap();
    assert_eq!(out.to_string(), "once\n");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}

#[test]
fn events_of_connections_and_servers() {
    let out = eval_str(
        banner_then_close(),
        r#"
        let s = OPI_TCP::StartServer("127.0.0.1:0");
        let quiet = OPI_TCP::WaitAny([s], 100);
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`);
        let first = OPI_TCP::WaitAny([s], 2000);
        c.SendLine("hi\n");
        let second = OPI_TCP::WaitAny([s], 2000);
        let d = s.GetConnectionData(second.connectionId, 1000);
        let again = OPI_TCP::WaitAny([s], 100);
        let b = OPI_TCP::CreateConnection(ADDR);
        let data = OPI_TCP::WaitAny([s, b], 2000);
        b.ReadAvailable();
        let eof = OPI_TCP::WaitAny([s, b], 2000);
        [quiet.event, first.event, first.connectionId, second.event, d.message.as_string(),
         again.index, data.index, data.event, eof.event]
    "#,
    );
    assert_eq!(
        out,
        r#"["timeout", "connection", 1, "data", "hi\n", -1, 1, "data", "eof"]"#
    );
}

fn banner_then_close() -> std::net::SocketAddr {
    send_and_close(b"banner\n")
}

#[test]
fn handles_are_checked() {
    for (code, want) in [
        ("OPI_TCP::WaitAny(42)", "must be an array"),
        (
            "OPI_TCP::WaitAny([1])",
            "handle 0 must be a TcpClient or a TcpServer, not int",
        ),
        (
            "let c = OPI_TCP::CreateConnection(ADDR); OPI_TCP::WaitAny([c, c])",
            "listed twice",
        ),
        ("OPI_TCP::WaitAny([], -1)", "timeout_ms must be 0"),
    ] {
        let e = eval_at(echo(), code).expect_err(code);
        assert!(e.contains(want), "{code}: {e}");
    }
    assert_eq!(eval_str("", "OPI_TCP::WaitAny([], 0).index"), "-1");
}

/// A peer that says `hello`, then hands over all it received once the other side half-closes.
fn talker(hello: &'static [u8]) -> (std::net::SocketAddr, std::sync::mpsc::Receiver<Vec<u8>>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let addr = serve(move |mut s| {
        use std::io::Read;
        let _ = s.write_all(hello);
        let _ = s.shutdown(std::net::Shutdown::Write);
        let mut got = Vec::new();
        let _ = s.read_to_end(&mut got);
        let _ = tx.send(got);
    });
    (addr, rx)
}

#[test]
fn relay_rhai_moves_bytes_both_ways_and_passes_the_close_on() {
    let (a, from_b) = talker(b"ping from a\n");
    let big: &'static [u8] = Box::leak(vec![7u8; 300_000].into_boxed_slice());
    let (b, from_a) = talker(big);
    opi()
        .args(["scripts/relay.rhai", &a.to_string(), &b.to_string()])
        .timeout(Duration::from_secs(30))
        .assert()
        .success()
        .stdout("relayed 12 bytes from the first to the second, 300000 back\n");
    assert_eq!(
        from_a.recv_timeout(Duration::from_secs(5)).unwrap(),
        b"ping from a\n"
    );
    assert_eq!(from_b.recv_timeout(Duration::from_secs(5)).unwrap(), big);
}

#[test]
fn chat_rhai_serves_fifty_clients_from_one_loop() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("opi-tcp"))
        .args(["scripts/chat.rhai", "127.0.0.1:0", "50"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let port: u16 = first.trim().rsplit(' ').next().unwrap().parse().unwrap();
    let clients: Vec<std::net::TcpStream> = (0..50)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    thread::sleep(Duration::from_millis(300));
    for (k, mut c) in clients.iter().enumerate() {
        c.write_all(format!("hello from {k}\n").as_bytes()).unwrap();
    }
    for (k, c) in clients.iter().enumerate() {
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut r = BufReader::new(c);
        let mut lines = Vec::new();
        for _ in 0..49 {
            let mut l = String::new();
            r.read_line(&mut l).unwrap();
            lines.push(l);
        }
        assert!(
            lines.iter().all(|l| l.starts_with("hello from ")),
            "{lines:?}"
        );
        assert!(
            !lines.contains(&format!("hello from {k}\n")),
            "client {k} got its own line"
        );
    }
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(rest, "relayed 50 lines to 50 clients\n");
}
