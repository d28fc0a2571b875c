//! A server's limits (additions to OPI, set by `StartServer`'s options map): one budget of
//! unread bytes shared by all connections, with back-pressure and no byte lost, and the idle
//! timeout that frees a pool slot.

use std::collections::BTreeSet;
use std::io::Write;
use std::net::TcpStream;
use std::thread;

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
        let srv = OPI_TCP::StartServer("127.0.0.1:0", 1, OPI_TCP::GetLoggingSettings(), #{idle_timeout_ms: 300});
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
        [type_of(a), type_of(b), type_of(c)]
    "#,
    );
    assert_eq!(ok, r#"["TcpServer", "TcpServer", "TcpServer"]"#);
    for (options, expected) in [
        (
            "#{max_bufferd: 1}",
            "StartServer: unknown option 'max_bufferd' (known: max_buffered, idle_timeout_ms)",
        ),
        (
            "#{idle_timeout_ms: 0}",
            "StartServer: idle_timeout_ms must be positive, not 0",
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
