//! Closing without losing a byte: a send that returned `true` reaches a peer that reads nothing
//! for 3 s and then counts, plain and over TLS 1.3, whether the script closes or simply ends;
//! a server's close and stop do the same for its clients.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::common::tls::{Ca, serve_tls};
use crate::common::{opi, serve};

const TOTAL: usize = 2_000_000;
/// How long the peers read nothing: longer than any grace a close used to give.
const QUIET: Duration = Duration::from_secs(3);
const WAIT: Duration = Duration::from_secs(30);

/// Counts bytes until end of stream (or an error) from `read`.
fn count(mut read: impl Read) -> usize {
    let mut n = 0;
    let mut buf = [0u8; 65536];
    loop {
        match read.read(&mut buf) {
            Ok(0) | Err(_) => return n,
            Ok(k) => n += k,
        }
    }
}

/// Sends a 6-byte banner that nobody reads, reads nothing for `QUIET`, then counts.
fn plain_counter() -> (SocketAddr, mpsc::Receiver<usize>) {
    let (tx, rx) = mpsc::channel();
    let addr = serve(move |mut s: TcpStream| {
        let _ = s.write_all(b"hello\n");
        thread::sleep(QUIET);
        let _ = s.set_read_timeout(Some(WAIT));
        let _ = tx.send(count(&mut s));
    });
    (addr, rx)
}

/// A TLS 1.3 server (whose session tickets are bytes the client never reads) that reads nothing
/// for `QUIET`, then counts the application data.
fn tls_counter(ca: &Ca) -> (SocketAddr, mpsc::Receiver<usize>) {
    let (tx, rx) = mpsc::channel();
    let addr = serve_tls(&ca.leaf(&["localhost"]), move |mut tls| {
        thread::sleep(QUIET);
        let _ = tls.sock.set_read_timeout(Some(WAIT));
        let _ = tx.send(count(&mut tls));
    });
    (addr, rx)
}

/// Runs a script that sends `TOTAL` bytes and then `ending` (the close, or nothing).
fn send_then(target: &str, settings: &str, ending: &str) {
    let code = format!(
        r#"
        let c = OPI_TCP::CreateConnection("{target}", {settings});
        if !OPI_TCP::IsClientObject(c) {{ throw c.error; }}
        if !c.SendBinaryData(blob({TOTAL}, 0x61)) {{ throw c.GetLastError(); }}
        {ending}
        print("sent");
    "#
    );
    opi()
        .args(["eval", &code])
        .timeout(WAIT)
        .assert()
        .success()
        .stdout("sent\n");
}

fn received(rx: &mpsc::Receiver<usize>) -> usize {
    rx.recv_timeout(WAIT).expect("the peer counted")
}

#[test]
fn close_after_send_delivers_every_byte() {
    let (a, rx) = plain_counter();
    send_then(&a.to_string(), "()", "c.CloseConnection();");
    assert_eq!(received(&rx), TOTAL);
}

#[test]
fn the_script_ending_after_send_delivers_every_byte() {
    let (a, rx) = plain_counter();
    send_then(&a.to_string(), "()", "");
    assert_eq!(received(&rx), TOTAL);
}

#[test]
fn close_after_send_over_tls_1_3_delivers_every_byte() {
    let ca = Ca::new("Close CA");
    let (a, rx) = tls_counter(&ca);
    let file = crate::common::tls::temp_file(&ca.pem);
    let settings = format!(
        "OPI_TCP::GetTlsSettings(false, {:?})",
        crate::common::tls::path_of(&file)
    );
    send_then(
        &format!("localhost:{}", a.port()),
        &settings,
        "c.CloseConnection();",
    );
    assert_eq!(received(&rx), TOTAL);
}

#[test]
fn the_script_ending_after_send_over_tls_1_3_delivers_every_byte() {
    let ca = Ca::new("Close CA");
    let (a, rx) = tls_counter(&ca);
    let file = crate::common::tls::temp_file(&ca.pem);
    let settings = format!(
        "OPI_TCP::GetTlsSettings(false, {:?})",
        crate::common::tls::path_of(&file)
    );
    send_then(&format!("localhost:{}", a.port()), &settings, "");
    assert_eq!(received(&rx), TOTAL);
}

/// A free port on 127.0.0.1 (bound and let go) for a server started by a child process.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A script server sends `TOTAL` bytes to its client, then `ending`; the client asked with one
/// line, sends another that nobody reads after the close, reads nothing for `QUIET`, then
/// counts what it got.
fn server_sends_then(ending: &str) -> usize {
    let port = free_port();
    let code = format!(
        r#"
        let srv = OPI_TCP::StartServer("127.0.0.1:{port}");
        let got = srv.GetNextConnectionData(20000, 8192);
        if !srv.SendData(got.connectionId, blob({TOTAL}, 0x61)).result {{ throw "send failed"; }}
        {ending}
        print("sent");
    "#
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_opi-tcp"))
        .args(["eval", &code])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start opi-tcp");
    let started = std::time::Instant::now();
    let mut s = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(e) if started.elapsed() > WAIT => panic!("the server never listened: {e}"),
            Err(_) => thread::sleep(Duration::from_millis(20)),
        }
    };
    s.write_all(b"go\n").expect("ask");
    thread::sleep(Duration::from_millis(300));
    // Arrives after the close: a socket already closed would answer it with a reset.
    let _ = s.write_all(b"more\n");
    thread::sleep(QUIET);
    let _ = s.set_read_timeout(Some(WAIT));
    let n = count(&mut s);
    let status = child.wait().expect("opi-tcp ends");
    assert!(status.success(), "{status}");
    n
}

#[test]
fn a_server_close_after_send_delivers_every_byte() {
    let ending = "srv.CloseIncomingConnection(got.connectionId); sleep(1);";
    assert_eq!(server_sends_then(ending), TOTAL);
}

#[test]
fn stopping_a_server_after_send_delivers_every_byte() {
    let ending = "sleep(1); OPI_TCP::StopServer(srv);";
    assert_eq!(server_sends_then(ending), TOTAL);
}

#[test]
fn a_server_script_ending_after_send_delivers_every_byte() {
    assert_eq!(server_sends_then("sleep(1);"), TOTAL);
}

/// Runs `code` through the binary and says how long it took.
fn timed(code: &str) -> Duration {
    let started = std::time::Instant::now();
    opi()
        .args(["eval", code])
        .timeout(WAIT)
        .assert()
        .success()
        .stdout("sent\n");
    started.elapsed()
}

#[test]
fn a_close_ends_at_once_when_the_peer_has_every_byte() {
    // The peer never reads nor closes, but its kernel takes (and acknowledges) the bytes.
    let a = crate::common::silent();
    let took = timed(&format!(
        r#"let c = OPI_TCP::CreateConnection("{a}");
           c.SendBinaryData(blob(1000, 1));
           c.CloseConnection();
           print("sent");"#
    ));
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn the_linger_is_bounded() {
    // The peer never reads nor closes: the bytes past its window stay unacknowledged.
    let a = crate::common::silent();
    let took = timed(&format!(
        r#"let c = OPI_TCP::CreateConnection("{a}");
           c.SendBinaryData(blob({TOTAL}, 1));
           c.CloseConnection();
           print("sent");"#
    ));
    assert!(
        took >= opi_tcp::net::LINGER - Duration::from_millis(500),
        "{took:?}"
    );
    assert!(
        took < opi_tcp::net::LINGER + Duration::from_secs(3),
        "{took:?}"
    );
}

#[test]
fn ctrl_c_ends_the_linger() {
    use std::io::BufRead;
    let a = crate::common::silent();
    let code = format!(
        r#"let c = OPI_TCP::CreateConnection("{a}");
           c.SendBinaryData(blob({TOTAL}, 1));
           c.CloseConnection();
           print("sent");"#
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_opi-tcp"))
        .args(["eval", &code])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start opi-tcp");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read");
    assert_eq!(line, "sent\n");
    let started = std::time::Instant::now();
    crate::common::interrupt_and_wait(&mut child, "the linger went on");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
