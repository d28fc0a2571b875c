//! In-process fake proxies on 127.0.0.1:0, one std thread per connection (as the peers in
//! `common`): SOCKS5, SOCKS4/4a and HTTP CONNECT servers that report what the client sent and can
//! be told to misbehave (a method we did not offer, any reply code, any bound address type, a
//! fixed HTTP answer). Behind a successful handshake they either relay to the real target or play
//! the target themselves (`Upstream::Echo`), sending its first bytes in the same write as the
//! proxy's reply: the case that loses bytes in a client that over-reads.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{copy, pump, serve};

/// How long a fake waits on a silent client before giving up on it.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// What stands behind the proxy once the handshake succeeded.
#[derive(Debug, Clone, Copy)]
pub enum Upstream {
    /// Connect to the requested target and relay both ways.
    Relay,
    /// Be the target: send these bytes in the same write as the success reply, then echo.
    Echo(&'static [u8]),
    /// Relay to this address whatever was asked (a name that resolves nowhere).
    To(SocketAddr),
}

/// The address type of the BND.ADDR in a SOCKS5 reply.
#[derive(Debug, Clone, Copy)]
pub enum Bound {
    V4,
    V6,
    Domain,
}

/// A SOCKS5 fake.
#[derive(Debug, Clone)]
pub struct Socks5 {
    /// Required login and password (method 0x02); `None`: no authentication (method 0x00).
    pub credentials: Option<(&'static str, &'static str)>,
    /// Select this method whatever the client offered.
    pub method: Option<u8>,
    /// The reply code (0 = succeeded).
    pub reply: u8,
    pub bound: Bound,
    pub upstream: Upstream,
}

impl Default for Socks5 {
    fn default() -> Self {
        Socks5 {
            credentials: None,
            method: None,
            reply: 0,
            bound: Bound::V4,
            upstream: Upstream::Relay,
        }
    }
}

/// What a SOCKS5 client sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Socks5Request {
    pub methods: Vec<u8>,
    pub login: Option<(String, String)>,
    /// 1 = IPv4, 3 = domain name, 4 = IPv6; 0 when the client never got to the request.
    pub atyp: u8,
    pub host: String,
    pub port: u16,
}

fn read_exact(s: &mut TcpStream, n: usize) -> Option<Vec<u8>> {
    let mut v = vec![0u8; n];
    s.read_exact(&mut v).ok()?;
    Some(v)
}

fn byte(s: &mut TcpStream) -> Option<u8> {
    read_exact(s, 1).map(|v| v[0])
}

fn timeouts(s: &TcpStream) {
    let _ = s.set_read_timeout(Some(IO_TIMEOUT));
    let _ = s.set_write_timeout(Some(IO_TIMEOUT));
    let _ = s.set_nodelay(true);
}

/// Reads what the client still sends until it closes (so our close is a FIN, not a reset).
fn drain(s: &mut TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let mut sink = [0u8; 4096];
    while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
}

/// Relays both ways until each side has closed.
fn relay(client: TcpStream, target: TcpStream) {
    let _ = client.set_read_timeout(None);
    let _ = target.set_nodelay(true);
    let (c2, t2) = match (client.try_clone(), target.try_clone()) {
        (Ok(c), Ok(t)) => (c, t),
        _ => return,
    };
    let up = thread::spawn(move || copy(client, target));
    copy(t2, c2);
    let _ = up.join();
}

/// Plays the target: `first` (already sent with the reply), then an echo.
fn echo(s: TcpStream) {
    let _ = s.set_read_timeout(Some(IO_TIMEOUT));
    pump(s);
}

fn connect_target(host: &str, port: u16) -> Option<TcpStream> {
    let addrs = (host, port).to_socket_addrs().ok()?;
    addrs
        .into_iter()
        .find_map(|a| TcpStream::connect_timeout(&a, Duration::from_secs(5)).ok())
}

/// Starts a SOCKS5 fake; each request (complete or not) is reported on the channel as soon as it
/// is read, before the reply.
pub fn socks5(cfg: Socks5) -> (SocketAddr, mpsc::Receiver<Socks5Request>) {
    let (tx, rx) = mpsc::channel();
    let addr = serve(move |mut s| {
        timeouts(&s);
        let mut seen = Socks5Request::default();
        let complete = socks5_request(&cfg, &mut s, &mut seen).is_some();
        let _ = tx.send(seen.clone());
        if complete {
            socks5_answer(&cfg, s, &seen);
        }
    });
    (addr, rx)
}

fn socks5_request(cfg: &Socks5, s: &mut TcpStream, seen: &mut Socks5Request) -> Option<()> {
    let head = read_exact(s, 2)?;
    if head[0] != 5 {
        return None;
    }
    seen.methods = read_exact(s, head[1] as usize)?;
    let natural = match cfg.credentials {
        Some(_) if seen.methods.contains(&2) => 2,
        None if seen.methods.contains(&0) => 0,
        _ => 0xff,
    };
    let method = cfg.method.unwrap_or(natural);
    s.write_all(&[5, method]).ok()?;
    if method == 0xff || method != natural {
        drain(s);
        return None;
    }
    if method == 2 {
        let _version = byte(s)?;
        let ulen = byte(s)? as usize;
        let user = String::from_utf8_lossy(&read_exact(s, ulen)?).to_string();
        let plen = byte(s)? as usize;
        let pass = String::from_utf8_lossy(&read_exact(s, plen)?).to_string();
        let ok = cfg.credentials.is_some_and(|(u, p)| u == user && p == pass);
        seen.login = Some((user, pass));
        s.write_all(&[1, if ok { 0 } else { 1 }]).ok()?;
        if !ok {
            drain(s);
            return None;
        }
    }
    let req = read_exact(s, 4)?;
    seen.atyp = req[3];
    seen.host = match req[3] {
        1 => Ipv4Addr::from(<[u8; 4]>::try_from(read_exact(s, 4)?).ok()?).to_string(),
        4 => Ipv6Addr::from(<[u8; 16]>::try_from(read_exact(s, 16)?).ok()?).to_string(),
        3 => {
            let n = byte(s)? as usize;
            String::from_utf8_lossy(&read_exact(s, n)?).to_string()
        }
        _ => return None,
    };
    let p = read_exact(s, 2)?;
    seen.port = u16::from_be_bytes([p[0], p[1]]);
    Some(())
}

fn socks5_answer(cfg: &Socks5, mut s: TcpStream, seen: &Socks5Request) {
    let mut reply = vec![5, cfg.reply, 0];
    match cfg.bound {
        Bound::V4 => reply.extend_from_slice(&[1, 127, 0, 0, 1]),
        Bound::V6 => {
            reply.push(4);
            reply.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        }
        Bound::Domain => {
            let name = b"bound.proxy.test";
            reply.push(3);
            reply.push(name.len() as u8);
            reply.extend_from_slice(name);
        }
    }
    reply.extend_from_slice(&4321u16.to_be_bytes());
    if cfg.reply != 0 {
        let _ = s.write_all(&reply);
        drain(&mut s);
        return;
    }
    match cfg.upstream {
        Upstream::Echo(first) => {
            reply.extend_from_slice(first);
            if s.write_all(&reply).is_ok() {
                echo(s);
            }
        }
        Upstream::Relay | Upstream::To(_) => match match cfg.upstream {
            Upstream::To(a) => TcpStream::connect(a).ok(),
            _ => connect_target(&seen.host, seen.port),
        } {
            Some(target) => {
                if s.write_all(&reply).is_ok() {
                    relay(s, target);
                }
            }
            None => {
                reply[1] = 5;
                let _ = s.write_all(&reply);
            }
        },
    }
}

/// A SOCKS5 proxy that requires a login and password, relaying to any target: for suites that
/// only need "a working authenticated SOCKS5 proxy".
pub fn socks5_auth_proxy() -> (SocketAddr, &'static str, &'static str) {
    let (addr, _rx) = socks5(Socks5 {
        credentials: Some(("alice", "s3cret")),
        ..Socks5::default()
    });
    (addr, "alice", "s3cret")
}

/// A SOCKS4 fake.
#[derive(Debug, Clone)]
pub struct Socks4 {
    /// The reply code (90 = granted).
    pub reply: u8,
    pub upstream: Upstream,
}

impl Default for Socks4 {
    fn default() -> Self {
        Socks4 {
            reply: 90,
            upstream: Upstream::Relay,
        }
    }
}

/// What a SOCKS4 client sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Socks4Request {
    /// Every byte of the request, as received.
    pub raw: Vec<u8>,
    pub userid: Vec<u8>,
    pub ip: Option<Ipv4Addr>,
    pub port: u16,
    /// The SOCKS4a host name (DSTIP 0.0.0.x).
    pub name: Option<String>,
}

fn until_nul(s: &mut TcpStream, raw: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut field = Vec::new();
    loop {
        let b = byte(s)?;
        raw.push(b);
        if b == 0 {
            return Some(field);
        }
        field.push(b);
        if field.len() > 1024 {
            return None;
        }
    }
}

/// Starts a SOCKS4/4a fake.
pub fn socks4(cfg: Socks4) -> (SocketAddr, mpsc::Receiver<Socks4Request>) {
    let (tx, rx) = mpsc::channel();
    let addr = serve(move |mut s| {
        timeouts(&s);
        let mut seen = Socks4Request::default();
        let granted = socks4_request(&mut s, &mut seen).is_some();
        let _ = tx.send(seen.clone());
        if granted {
            socks4_answer(&cfg, s, &seen);
        }
    });
    (addr, rx)
}

fn socks4_request(s: &mut TcpStream, seen: &mut Socks4Request) -> Option<()> {
    let head = read_exact(s, 8)?;
    seen.raw.extend_from_slice(&head);
    seen.port = u16::from_be_bytes([head[2], head[3]]);
    let ip = Ipv4Addr::new(head[4], head[5], head[6], head[7]);
    seen.userid = until_nul(s, &mut seen.raw)?;
    let o = ip.octets();
    if o[0] == 0 && o[1] == 0 && o[2] == 0 && o[3] != 0 {
        let name = until_nul(s, &mut seen.raw)?;
        seen.name = Some(String::from_utf8_lossy(&name).to_string());
    } else {
        seen.ip = Some(ip);
    }
    Some(())
}

fn socks4_answer(cfg: &Socks4, mut s: TcpStream, seen: &Socks4Request) {
    let mut reply = vec![0, cfg.reply, 0, 0, 0, 0, 0, 0];
    if cfg.reply != 90 {
        let _ = s.write_all(&reply);
        drain(&mut s);
        return;
    }
    match cfg.upstream {
        Upstream::Echo(first) => {
            reply.extend_from_slice(first);
            if s.write_all(&reply).is_ok() {
                echo(s);
            }
        }
        Upstream::To(a) => {
            if let Ok(target) = TcpStream::connect(a)
                && s.write_all(&reply).is_ok()
            {
                relay(s, target);
            }
        }
        Upstream::Relay => {
            let host = match (&seen.name, seen.ip) {
                (Some(n), _) => n.clone(),
                (None, Some(ip)) => ip.to_string(),
                _ => return,
            };
            match connect_target(&host, seen.port) {
                Some(target) => {
                    if s.write_all(&reply).is_ok() {
                        relay(s, target);
                    }
                }
                None => {
                    reply[1] = 91;
                    let _ = s.write_all(&reply);
                }
            }
        }
    }
}

/// An HTTP CONNECT fake.
#[derive(Debug, Clone)]
pub struct Http {
    /// Required Basic credentials: none sent → 407, wrong ones → 401 (as tinyproxy answers).
    pub credentials: Option<(&'static str, &'static str)>,
    /// Answer this (a whole head, or anything) instead, then close.
    pub answer: Option<Arc<Vec<u8>>>,
    pub upstream: Upstream,
}

impl Default for Http {
    fn default() -> Self {
        Http {
            credentials: None,
            answer: None,
            upstream: Upstream::Relay,
        }
    }
}

/// Starts an HTTP CONNECT fake; each request head is reported as text.
pub fn http(cfg: Http) -> (SocketAddr, mpsc::Receiver<String>) {
    let (tx, rx) = mpsc::channel();
    let addr = serve(move |mut s| {
        timeouts(&s);
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
            match byte(&mut s) {
                Some(b) => head.push(b),
                None => break,
            }
        }
        let text = String::from_utf8_lossy(&head).to_string();
        let _ = tx.send(text.clone());
        http_answer(&cfg, s, &text);
    });
    (addr, rx)
}

fn http_answer(cfg: &Http, mut s: TcpStream, request: &str) {
    if let Some(answer) = &cfg.answer {
        let _ = s.write_all(answer);
        let _ = s.shutdown(Shutdown::Write);
        drain(&mut s);
        return;
    }
    if let Some((user, pass)) = cfg.credentials {
        let given = request.lines().find_map(|l| {
            l.strip_prefix("Proxy-Authorization: Basic ")
                .map(str::to_string)
        });
        let refusal: Option<&[u8]> = match given {
            None => Some(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                  Proxy-Authenticate: Basic realm=\"fake\"\r\nContent-Length: 0\r\n\r\n",
            ),
            Some(v) if v != STANDARD.encode(format!("{user}:{pass}")) => {
                Some(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
            }
            Some(_) => None,
        };
        if let Some(r) = refusal {
            let _ = s.write_all(r);
            drain(&mut s);
            return;
        }
    }
    let ok: &[u8] = b"HTTP/1.1 200 Connection established\r\n\r\n";
    match cfg.upstream {
        Upstream::Echo(first) => {
            let mut out = ok.to_vec();
            out.extend_from_slice(first);
            if s.write_all(&out).is_ok() {
                echo(s);
            }
        }
        Upstream::To(a) => {
            if let Ok(target) = TcpStream::connect(a)
                && s.write_all(ok).is_ok()
            {
                relay(s, target);
            }
        }
        Upstream::Relay => {
            let authority = request
                .lines()
                .next()
                .and_then(|l| l.split(' ').nth(1))
                .unwrap_or_default();
            let Some((host, port)) = authority.rsplit_once(':') else {
                return;
            };
            let host = host.trim_start_matches('[').trim_end_matches(']');
            match port.parse().ok().and_then(|p| connect_target(host, p)) {
                Some(target) => {
                    if s.write_all(ok).is_ok() {
                        relay(s, target);
                    }
                }
                None => {
                    let _ = s.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
                }
            }
        }
    }
}

/// A proxy that reads the client's first message, answers `partial`, and closes.
pub fn closes_mid_handshake(partial: &'static [u8]) -> SocketAddr {
    serve(move |mut s| {
        timeouts(&s);
        let mut buf = [0u8; 4096];
        if matches!(s.read(&mut buf), Ok(n) if n > 0) {
            let _ = s.write_all(partial);
        }
        let _ = s.shutdown(Shutdown::Write);
        drain(&mut s);
    })
}

/// A listener that only counts the connections it gets (and closes them).
pub fn counting() -> (SocketAddr, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let addr = serve(move |_s| {
        c.fetch_add(1, Ordering::SeqCst);
    });
    (addr, count)
}

/// An HTTP proxy that answers 407 with our own `Proxy-Authorization` line as its reason
/// phrase: what a careless or hostile proxy may send back for us to quote.
pub fn http_reflecting() -> SocketAddr {
    serve(|mut s| {
        timeouts(&s);
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
            match byte(&mut s) {
                Some(b) => head.push(b),
                None => return,
            }
        }
        let text = String::from_utf8_lossy(&head).to_string();
        let auth = text
            .lines()
            .find(|l| l.starts_with("Proxy-Authorization"))
            .unwrap_or("none");
        let _ = s.write_all(format!("HTTP/1.1 407 {auth}\r\nContent-Length: 0\r\n\r\n").as_bytes());
        drain(&mut s);
    })
}

/// An HTTP proxy that answers every CONNECT with `407 {reason}`: a hostile proxy quoting back
/// whatever it likes.
pub fn http_407_saying(reason: String) -> SocketAddr {
    serve(move |mut s| {
        timeouts(&s);
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
            match byte(&mut s) {
                Some(b) => head.push(b),
                None => return,
            }
        }
        let _ =
            s.write_all(format!("HTTP/1.1 407 {reason}\r\nContent-Length: 0\r\n\r\n").as_bytes());
        drain(&mut s);
    })
}
