//! A server's limits (additions to OPI, set by `StartServer`'s options map): one budget of
//! unread bytes shared by all connections, with back-pressure and no byte lost; sends that never
//! hold the script up on a client that does not read; a full pool that makes room for a new
//! client; and the idle timeout, the lifetime and the minimum rate that free a pool slot. Under
//! slowloris and clients that never read, a new client is still served within a second.

use std::collections::BTreeSet;
use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use rhai::{Dynamic, Map, Scope};

use crate::common::*;

/// Client `k`'s bytes: distinct per client and per position, so a lost, doubled or reordered
/// chunk shows.
fn payload(k: usize, len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i % 251) + k * 7) as u8).collect()
}

#[test]
fn one_budget_bounds_all_connections_and_every_byte_arrives_in_order() {
    const BUDGET: usize = 1024 * 1024;
    const CLIENTS: usize = 8;
    let engine = opi_tcp::script::engine();
    let mut scope = Scope::new();
    let srv: Dynamic = engine
        .eval_with_scope(
            &mut scope,
            &format!(r#"OPI_TCP::StartServer("127.0.0.1:0", 10, (), #{{max_buffered: {BUDGET}}})"#),
        )
        .unwrap();
    scope.push("srv", srv);
    let port: i64 = engine.eval_with_scope(&mut scope, "srv.port").unwrap();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|k| {
            thread::spawn(move || {
                let mut s = TcpStream::connect(("127.0.0.1", port as u16)).unwrap();
                s.write_all(&payload(k, BUDGET)).unwrap();
                s
            })
        })
        .collect();
    // Sampled while the clients send (8 MiB against a 1 MiB budget: most of it waits in the
    // clients), then while the script reads everything.
    let out: Map = engine
        .eval_with_scope(
            &mut scope,
            &format!(
                r#"
                fn buffered(srv) {{
                    let sum = 0;
                    for c in srv.GetConnectionList().connections {{ sum += c.buffered; }}
                    sum
                }}
                let most = 0;
                for i in 0..40 {{ most = max(most, buffered(srv)); sleep(10); }}
                let before_reading = most;
                let got = #{{}};
                let total = 0;
                while total < {CLIENTS} * {BUDGET} {{
                    let d = srv.GetNextConnectionData(5000, 0);
                    if !d.result {{ throw d.error; }}
                    let id = `${{d.connectionId}}`;
                    if id in got {{ got[id] += d.message; }} else {{ got[id] = d.message; }}
                    total += d.message.len();
                    most = max(most, buffered(srv));
                }}
                #{{before_reading: before_reading, most: most, got: got}}
            "#
            ),
        )
        .unwrap();
    let before_reading = out["before_reading"].as_int().unwrap() as usize;
    let most = out["most"].as_int().unwrap() as usize;
    assert!(most <= BUDGET, "{most} bytes buffered, budget {BUDGET}");
    // The budget was really used: the readers paused on it, not on something else.
    assert!(before_reading >= BUDGET / 2, "{before_reading}");
    let got = out["got"].clone().cast::<Map>();
    assert_eq!(got.len(), CLIENTS);
    let mut matched = BTreeSet::new();
    for (id, data) in got {
        let data = data.into_blob().unwrap();
        let k = (0..CLIENTS)
            .find(|&k| data == payload(k, BUDGET))
            .unwrap_or_else(|| panic!("connection {id}: {} bytes, not a client's", data.len()));
        matched.insert(k);
    }
    assert_eq!(matched.len(), CLIENTS);
    for c in clients {
        drop(c.join().unwrap());
    }
}

#[test]
fn room_given_back_by_any_connection_wakes_a_paused_reader() {
    // Connection 1 fills the budget: a reader waits for a whole 64 KiB chunk of room, so after
    // its first chunk (and a short read or two) less than a chunk is left. Connection 2's line
    // waits until connection 1 is closed, or stops receiving and its data is read.
    for release in [
        "srv.CloseIncomingConnection(1);",
        "srv.FinishReceiving(1); let n = srv.GetConnectionData(1, 1000, 0).message.len();",
    ] {
        let out = eval_str(
            "",
            &format!(
                r#"
                let srv = OPI_TCP::StartServer("127.0.0.1:0", 10, (), #{{max_buffered: 131072}});
                let addr = `127.0.0.1:${{srv.port}}`;
                let a = OPI_TCP::CreateConnection(addr);
                a.SendBinaryData(blob(1048576, 0x61), 300);
                sleep(100);
                let b = OPI_TCP::CreateConnection(addr);
                b.SendLine("from b\n");
                sleep(200);
                let held = srv.GetConnectionList().connections.map(|c| c.buffered);
                let filled = held[0] > 131072 - 65536 && held[0] <= 131072;
                let waiting = srv.GetConnectionData(2, 300).error;
                {release}
                [filled, held[1], waiting, srv.GetConnectionData(2, 2000).message.as_string()]
            "#
            ),
        );
        assert_eq!(out, r#"[true, 0, "timeout", "from b\n"]"#, "{release}");
    }
}

#[test]
fn an_idle_connection_is_closed_and_frees_its_pool_slot() {
    let out = eval(
        r#"
        let srv = OPI_TCP::StartServer("127.0.0.1:0", 1, OPI_TCP::GetLoggingSettings(), #{idle_timeout_ms: 300, evict_when_full: false});
        let addr = `127.0.0.1:${srv.port}`;
        let idle = OPI_TCP::CreateConnection(addr);
        let second = OPI_TCP::CreateConnection(addr);
        second.SendLine("second\n");
        let got = srv.GetNextConnectionData(3000);
        srv.SendData(got.connectionId, "served\n");
        let reply = second.ReadLine((), "\n", 2000);
        let closed = idle.ReadBinaryData(0, "", 1000).len();
        [got.connectionId, got.message.as_string(), reply, closed, srv.GetLog(true)]
    "#,
    )
    .unwrap()
    .cast::<rhai::Array>();
    let log = out[4].to_string();
    assert_eq!(
        &out[..4].iter().map(|v| v.to_string()).collect::<Vec<_>>(),
        &["2", "second\n", "served\n", "0"],
        "{log}"
    );
    let idle_ms: u64 = log
        .split("Closed idle connection 1 after ")
        .nth(1)
        .and_then(|rest| rest.split(" ms").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no idle close in {log}"));
    assert!(idle_ms >= 300, "{log}");
    assert!(!log.contains("Closed idle connection 2"), "{log}");
}

#[test]
fn unread_data_keeps_a_connection_from_being_idle() {
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer("127.0.0.1:0", 1, (), #{idle_timeout_ms: 400});
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        c.SendLine("unread\n");
        sleep(800);
        let kept = srv.GetConnectionList().connections.len();
        let got = srv.GetNextConnectionData(1000).message.as_string();
        sleep(150);
        let after_read = srv.GetConnectionList().connections.len();
        sleep(700);
        [kept, got, after_read, srv.GetConnectionList().connections.len()]
    "#,
    );
    assert_eq!(out, r#"[1, "unread\n", 1, 0]"#);
}

#[test]
fn the_options_map_is_checked() {
    let ok = eval_str(
        "",
        r#"
        let a = OPI_TCP::StartServer("127.0.0.1:0", 1, (), ());
        let b = OPI_TCP::StartServer("127.0.0.1:0", 1, (), #{max_buffered: (), idle_timeout_ms: ()});
        let c = OPI_TCP::StartServer("127.0.0.1:0", (), (), #{max_buffered: 1});
        let d = OPI_TCP::StartServer("127.0.0.1:0", 5, OPI_TCP::GetLoggingSettings(), #{
            max_unsent: 1024, send_timeout_ms: 2000, evict_when_full: false,
            max_lifetime_ms: 60000, min_rate: 10, min_rate_window_ms: 5000});
        let e = OPI_TCP::StartServer("127.0.0.1:0", 1, (), #{max_unsent: (), send_timeout_ms: (),
            evict_when_full: (), max_lifetime_ms: (), min_rate: (), min_rate_window_ms: ()});
        [type_of(a), type_of(b), type_of(c), type_of(e), d.GetLog(true)]
    "#,
    );
    assert!(
        ok.starts_with(r#"["TcpServer", "TcpServer", "TcpServer", "TcpServer", "#),
        "{ok}"
    );
    assert!(
        ok.contains(
            "Limits: 67108864 bytes buffered in all, 1024 bytes unsent per connection, send \
             timeout 2000 ms, eviction when full off, idle timeout none, lifetime 60000 ms, \
             minimum rate 10 bytes/s over 5000 ms"
        ),
        "{ok}"
    );
    for (options, expected) in [
        (
            "#{max_bufferd: 1}",
            "StartServer: unknown option 'max_bufferd' (known: max_buffered, max_unsent, send_timeout_ms, evict_when_full, idle_timeout_ms, max_lifetime_ms, min_rate, min_rate_window_ms)",
        ),
        (
            "#{idle_timeout_ms: 0}",
            "StartServer: idle_timeout_ms must be positive, not 0",
        ),
        (
            "#{send_timeout_ms: 0}",
            "StartServer: send_timeout_ms must be positive, not 0",
        ),
        (
            "#{min_rate: -1}",
            "StartServer: min_rate must be positive, not -1",
        ),
        (
            r#"#{evict_when_full: "sometimes"}"#,
            r#"StartServer: evict_when_full must be true or false, not the string "sometimes""#,
        ),
        (
            "#{max_buffered: -5}",
            "StartServer: max_buffered must be positive, not -5",
        ),
        (
            r#"#{max_buffered: "1MB"}"#,
            r#"StartServer: max_buffered must be a number, not the string "1MB""#,
        ),
        (
            "1000",
            "StartServer: the options must be a map such as #{max_buffered: 1048576, idle_timeout_ms: 30000}, not int",
        ),
    ] {
        let err = eval(&format!(
            "let x = 1;\nOPI_TCP::StartServer(\"127.0.0.1:0\", 1, (), {options})"
        ))
        .unwrap_err();
        assert!(
            err.contains(expected) && err.contains("line 2"),
            "{options}: {err}"
        );
    }
}

/// Clients that hold a server without being served: slowloris (one byte a second, never done)
/// and clients that send and never read. Each kind runs on one thread of non-blocking sockets
/// (a loaded 2-core machine runs 110 of them without 110 threads) and reconnects when the
/// server closes it, as an attacker would, until `stop`.
mod attack {
    use std::io::{ErrorKind, Read, Write};
    use std::net::TcpStream;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::thread::{self, JoinHandle};
    use std::time::{Duration, Instant};

    fn connect(port: u16) -> Option<TcpStream> {
        let s = TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.set_nonblocking(true).ok()?;
        Some(s)
    }

    /// `n` clients sending one byte every `every`; they read (and drop) what comes back, so that
    /// a close is seen and they reconnect.
    pub fn slowloris(
        port: u16,
        n: usize,
        every: Duration,
        stop: Arc<AtomicBool>,
    ) -> JoinHandle<()> {
        thread::spawn(move || {
            let mut socks: Vec<Option<TcpStream>> = (0..n).map(|_| connect(port)).collect();
            let mut buf = [0u8; 4096];
            while !stop.load(Ordering::SeqCst) {
                let tick = Instant::now();
                for slot in &mut socks {
                    let alive = slot.as_mut().is_some_and(|s| {
                        let ended = loop {
                            match s.read(&mut buf) {
                                Ok(0) => break true,
                                Ok(_) => {}
                                Err(e) if e.kind() == ErrorKind::WouldBlock => break false,
                                Err(_) => break true,
                            }
                        };
                        !ended && s.write(b"x").is_ok()
                    });
                    if !alive {
                        *slot = connect(port);
                    }
                }
                thread::sleep(every.saturating_sub(tick.elapsed()));
            }
        })
    }

    /// `n` clients that send as fast as the server takes it and never read.
    pub fn non_readers(port: u16, n: usize, stop: Arc<AtomicBool>) -> JoinHandle<()> {
        thread::spawn(move || {
            let chunk = vec![b'n'; 64 * 1024];
            let mut socks: Vec<Option<TcpStream>> = (0..n).map(|_| connect(port)).collect();
            while !stop.load(Ordering::SeqCst) {
                for slot in &mut socks {
                    let alive = slot.as_mut().is_some_and(|s| {
                        loop {
                            match s.write(&chunk) {
                                Ok(0) => break false,
                                Ok(_) => {}
                                Err(e) => break e.kind() == ErrorKind::WouldBlock,
                            }
                        }
                    });
                    if !alive {
                        *slot = connect(port);
                    }
                }
                thread::sleep(Duration::from_millis(10));
            }
        })
    }

    /// How long a new client waits from its connect to the echo of its line; `limit` when the
    /// echo does not come within it.
    pub fn probe(port: u16, line: &str, limit: Duration) -> Duration {
        let started = Instant::now();
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
            return limit;
        };
        let _ = s.set_read_timeout(Some(limit));
        if s.write_all(line.as_bytes()).is_err() {
            return limit;
        }
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while got.len() < line.len() && started.elapsed() < limit {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return limit,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        if got != line.as_bytes() {
            return limit;
        }
        started.elapsed().min(limit)
    }
}

/// A server started by a script, for a test to run script code against while its own threads
/// play the clients (the server lives on this thread's runtime, so the script must run here).
struct ScriptServer {
    engine: rhai::Engine,
    scope: Scope<'static>,
    port: u16,
}

impl ScriptServer {
    /// `StartServer("127.0.0.1:0", pool, logging, options)`; `done()` in its scripts says whether
    /// `done` is set.
    fn start(pool: &str, logging: &str, options: &str, done: &Arc<AtomicBool>) -> ScriptServer {
        let mut engine = opi_tcp::script::engine();
        let flag = Arc::clone(done);
        engine.register_fn("done", move || flag.load(Ordering::SeqCst));
        let mut scope = Scope::new();
        let srv: Dynamic = engine
            .eval_with_scope(
                &mut scope,
                &format!(r#"OPI_TCP::StartServer("127.0.0.1:0", {pool}, {logging}, {options})"#),
            )
            .unwrap();
        scope.push("srv", srv);
        let kind: String = engine.eval_with_scope(&mut scope, "type_of(srv)").unwrap();
        assert_eq!(kind, "TcpServer", "{:?}", scope.get_value::<Dynamic>("srv"));
        let port: i64 = engine.eval_with_scope(&mut scope, "srv.port").unwrap();
        ScriptServer {
            engine,
            scope,
            port: port as u16,
        }
    }

    fn eval(&mut self, code: &str) -> Dynamic {
        self.engine
            .eval_with_scope(&mut self.scope, code)
            .unwrap_or_else(|e| panic!("{e}\n{code}"))
    }

    /// The typical OPI loop (GetNextConnectionData → SendData of what came) until `done()`.
    /// Returns what it saw: the most connections listed at once and the most bytes waiting for
    /// one client (both sampled every 200 ms), and its slowest SendData in ms.
    fn echo_until_done(&mut self) -> Echoed {
        let out = self
            .eval(
                r#"
            let most = 0;
            let unsent = 0;
            let slowest = 0.0;
            let t = timestamp();
            while !done() {
                let d = srv.GetNextConnectionData(100);
                if d.result {
                    let s = timestamp();
                    srv.SendData(d.connectionId, d.message);
                    slowest = max(slowest, s.elapsed);
                }
                if t.elapsed > 0.2 {
                    let l = srv.GetConnectionList().connections;
                    most = max(most, l.len());
                    for c in l { unsent = max(unsent, c.unsent); }
                    t = timestamp();
                }
            }
            [most, unsent, (slowest * 1000.0).to_int()]
            "#,
            )
            .cast::<rhai::Array>();
        let n = |i: usize| out[i].as_int().unwrap();
        Echoed {
            most: n(0),
            unsent: n(1),
            slowest_send_ms: n(2),
        }
    }
}

#[derive(Debug)]
struct Echoed {
    most: i64,
    unsent: i64,
    slowest_send_ms: i64,
}

/// Probes `n` times, `gap` apart, after `warm_up`; then sets `done`.
fn prober(
    port: u16,
    warm_up: Duration,
    n: usize,
    done: &Arc<AtomicBool>,
) -> thread::JoinHandle<Vec<Duration>> {
    let done = Arc::clone(done);
    thread::spawn(move || {
        thread::sleep(warm_up);
        let waits = (0..n)
            .map(|i| {
                let w = attack::probe(port, &format!("probe {i}\n"), Duration::from_secs(10));
                thread::sleep(Duration::from_millis(300));
                w
            })
            .collect();
        done.store(true, Ordering::SeqCst);
        waits
    })
}

#[test]
fn a_new_client_is_served_within_a_second_under_slowloris_and_non_readers() {
    let done = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    // Every limit at its default: the pool of 100 included.
    let mut srv = ScriptServer::start("()", "()", "()", &done);
    let port = srv.port;
    let attackers = [
        attack::slowloris(port, 100, Duration::from_secs(1), Arc::clone(&stop)),
        attack::non_readers(port, 10, Arc::clone(&stop)),
    ];
    // Long enough for the attack to fill the pool and the non-readers' buffers.
    let prober = prober(port, Duration::from_secs(3), 5, &done);
    let seen = srv.echo_until_done();
    let waits = prober.join().unwrap();
    stop.store(true, Ordering::SeqCst);
    for a in attackers {
        a.join().unwrap();
    }
    eprintln!("probe echo after {waits:?}; {seen:?}");
    // The attack did fill the pool and the non-readers' queues, and every probe was served
    // within a second all the same.
    assert_eq!(seen.most, 100, "{waits:?} {seen:?}");
    assert!(seen.unsent >= 256 * 1024, "{waits:?} {seen:?}");
    let slowest = waits.iter().max().copied().unwrap_or_default();
    assert!(slowest < Duration::from_secs(1), "{waits:?} {seen:?}");
}

#[test]
fn a_client_that_never_reads_costs_the_script_no_wait() {
    let done = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    // A pool with room for everyone: only the sends are at stake.
    let mut srv = ScriptServer::start("50", "()", "()", &done);
    let port = srv.port;
    let attacker = attack::non_readers(port, 3, Arc::clone(&stop));
    let prober = prober(port, Duration::from_secs(2), 3, &done);
    let seen = srv.echo_until_done();
    let waits = prober.join().unwrap();
    stop.store(true, Ordering::SeqCst);
    attacker.join().unwrap();
    eprintln!("probe echo after {waits:?}; {seen:?}");
    // They were there, and their answers did pile up (the script sent them more than their
    // sockets took), yet no SendData waited for them: a send blocked on a full socket used to
    // take its whole 5 s.
    assert!(seen.most >= 3, "{waits:?} {seen:?}");
    assert!(seen.unsent >= 256 * 1024, "{waits:?} {seen:?}");
    assert!(seen.slowest_send_ms < 1000, "{waits:?} {seen:?}");
    let slowest = waits.iter().max().copied().unwrap_or_default();
    assert!(slowest < Duration::from_secs(1), "{waits:?} {seen:?}");
}

#[test]
fn a_client_that_takes_nothing_is_closed_after_the_send_timeout() {
    let out = eval(
        r#"
        let srv = OPI_TCP::StartServer("127.0.0.1:0", 10, OPI_TCP::GetLoggingSettings(), #{send_timeout_ms: 500});
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        c.SendLine("hi\n");
        let id = srv.GetNextConnectionData(2000).connectionId;
        // Far more than the client's and our socket buffers take: most of it waits.
        let t = timestamp();
        let sent = srv.SendData(id, blob(16 * 1024 * 1024, 0x61));
        let send_ms = t.elapsed * 1000.0;
        let unsent = srv.GetConnectionList().connections[0].unsent;
        while srv.GetConnectionList().connections.len() > 0 && t.elapsed < 10.0 { sleep(20); }
        let closed_ms = t.elapsed * 1000.0;
        let late = srv.SendData(id, "x");
        [sent.result, send_ms, unsent, closed_ms, late.result, srv.GetLog(true)]
    "#,
    )
    .unwrap()
    .cast::<rhai::Array>();
    let log = out[5].to_string();
    let f = |i: usize| out[i].as_float().unwrap();
    assert_eq!(out[0].as_bool(), Ok(true), "{log}");
    // The send returned at once, with most of its bytes waiting.
    assert!(f(1) < 1000.0, "{out:?}");
    assert!(out[2].as_int().unwrap() > 1024 * 1024, "{out:?}");
    // Closed once the client had taken nothing for 500 ms, not before, not much later.
    assert!((500.0..5000.0).contains(&f(3)), "{out:?}");
    assert_eq!(out[4].as_bool(), Ok(false), "{log}");
    assert!(
        log.contains("Closed connection 1: its client took no data for "),
        "{log}"
    );
}

#[test]
fn a_full_pool_admits_a_new_client_in_place_of_the_least_recently_active() {
    let out = eval(
        r#"
        let srv = OPI_TCP::StartServer("127.0.0.1:0", 2, OPI_TCP::GetLoggingSettings());
        let addr = `127.0.0.1:${srv.port}`;
        let ids = || srv.GetConnectionList().connections.map(|x| x.connectionId);
        let a = OPI_TCP::CreateConnection(addr);
        a.SendLine("a\n");
        srv.GetNextConnectionData(2000);
        sleep(200);
        let b = OPI_TCP::CreateConnection(addr);
        b.SendLine("b\n");
        srv.GetNextConnectionData(2000);
        // The pool is full; a came and spoke first and has been quiet longest.
        let c = OPI_TCP::CreateConnection(addr);
        c.SendLine("c\n");
        let got = srv.GetNextConnectionData(1000);
        srv.SendData(got.connectionId, "served\n");
        let reply = c.ReadLine((), "\n", 1000);
        let a_end = a.ReadBinaryData(0, "", 1000).len();
        let after_c = ids.call();
        // Both connections now have data the script has not read: neither goes for d.
        b.SendLine("unread b\n");
        c.SendLine("unread c\n");
        sleep(200);
        let d = OPI_TCP::CreateConnection(addr);
        d.SendLine("d\n");
        sleep(300);
        let while_unread = ids.call();
        // Read b's: b can go now (c still has unread data), and d comes in its place.
        srv.GetConnectionData(2, 1000);
        sleep(300);
        [got.message.as_string(), reply, a_end, after_c, while_unread, ids.call(), srv.GetLog(true)]
    "#,
    )
    .unwrap()
    .cast::<rhai::Array>();
    let log = out[6].to_string();
    let shown: Vec<String> = out[..6].iter().map(|v| v.to_string()).collect();
    assert_eq!(
        shown,
        ["c\n", "served\n", "0", "[2, 3]", "[2, 3]", "[3, 4]"],
        "{log}"
    );
    assert!(
        log.contains("Pool full: closed connection 1, idle for ")
            && log.contains("Pool full: closed connection 2, idle for "),
        "{log}"
    );
}

#[test]
fn a_connection_lives_no_longer_than_its_lifetime() {
    let out = eval(
        r#"
        let srv = OPI_TCP::StartServer("127.0.0.1:0", 10, OPI_TCP::GetLoggingSettings(), #{max_lifetime_ms: 600});
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        let t = timestamp();
        let echoes = 0;
        // Busy all along: a lifetime is not an idle timeout.
        while srv.GetConnectionList().connections.len() < 1 { sleep(10); }
        while t.elapsed < 5.0 && srv.GetConnectionList().connections.len() > 0 {
            c.SendLine("ping\n");
            let d = srv.GetNextConnectionData(100);
            if d.result { srv.SendData(d.connectionId, d.message); }
            if c.ReadLine((), "\n", 200) == "ping\n" { echoes += 1; }
            sleep(30);
        }
        [t.elapsed * 1000.0, echoes, srv.GetLog(true)]
    "#,
    )
    .unwrap()
    .cast::<rhai::Array>();
    let log = out[2].to_string();
    let ms = out[0].as_float().unwrap();
    assert!((600.0..3000.0).contains(&ms), "{ms} {log}");
    assert!(out[1].as_int().unwrap() >= 2, "{out:?}");
    assert!(
        log.contains("Closed connection 1: its lifetime is over after "),
        "{log}"
    );
}

#[test]
fn a_client_that_keeps_sending_below_the_minimum_rate_is_closed() {
    let out = eval(
        r#"
        let srv = OPI_TCP::StartServer("127.0.0.1:0", 10, OPI_TCP::GetLoggingSettings(),
            #{min_rate: 100, min_rate_window_ms: 1000});
        let addr = `127.0.0.1:${srv.port}`;
        let trickle = OPI_TCP::CreateConnection(addr);
        let fast = OPI_TCP::CreateConnection(addr);
        let once = OPI_TCP::CreateConnection(addr);
        once.SendLine("one request, then a pause\n");
        let t = timestamp();
        // 5 bytes every 100 ms at most (50 bytes/s) against 500 (5000 bytes/s).
        while t.elapsed < 3.0 {
            trickle.SendBinaryData(blob(5, 0x74));
            fast.SendBinaryData(blob(500, 0x66));
            while srv.GetNextConnectionData(1).result {}
            sleep(100);
        }
        [srv.GetConnectionList().connections.map(|x| x.connectionId), srv.GetLog(true)]
    "#,
    )
    .unwrap()
    .cast::<rhai::Array>();
    let log = out[1].to_string();
    assert_eq!(out[0].to_string(), "[2, 3]", "{log}");
    assert!(
        log.contains("Closed connection 1: it sent ")
            && log.contains(" slower than the minimum rate of 100 bytes/s"),
        "{log}"
    );
}
