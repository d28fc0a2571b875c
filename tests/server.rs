//! OPI's server functions and logging (DESIGN.md §2.6): each function, several clients, the
//! pool limit, stop semantics, and logs in memory and in a file.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::*;

#[test]
fn a_client_and_a_server_in_one_script() {
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0);
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        c.SendLine("Hello from client!\n");
        let got = srv.GetNextConnectionData(5000, 8192);
        let sent = srv.SendData(got.connectionId, "Response from server!\n");
        let answer = c.ReadLine((), "\n");
        [type_of(srv), OPI_TCP::IsServerObject(srv), OPI_TCP::IsServerObject("Not a server"),
         got.result, type_of(got.connectionId), got.message.as_string(), sent, answer]
    "#,
    );
    assert_eq!(
        out,
        r#"["TcpServer", true, false, true, "i64", "Hello from client!\n", #{"result": true}, "Response from server!\n"]"#
    );
}

#[test]
fn the_accept_loop_and_readers_run_while_the_script_sleeps() {
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0);
        srv.port
    "#,
    );
    assert!(out.parse::<u16>().is_ok_and(|p| p > 0), "{out}");
    // A raw client talks to the server while the script is inside `sleep`, not a server call.
    let out = {
        let engine = opi_tcp::script::engine();
        let mut scope = rhai::Scope::new();
        let srv: rhai::Dynamic = engine
            .eval_with_scope(&mut scope, "OPI_TCP::StartServer(0)")
            .unwrap();
        scope.push("srv", srv);
        let port: i64 = engine.eval_with_scope(&mut scope, "srv.port").unwrap();
        let client = std::thread::spawn(move || {
            let mut s = TcpStream::connect(("127.0.0.1", port as u16)).unwrap();
            s.write_all(b"early bird\n").unwrap();
            s
        });
        engine
            .eval_with_scope::<()>(&mut scope, "sleep(300)")
            .unwrap();
        let _keep = client.join().unwrap();
        engine
            .eval_with_scope::<rhai::Dynamic>(
                &mut scope,
                "let l = srv.GetConnectionList(); let d = srv.GetNextConnectionData(0); [l.connections[0].buffered, d.message.as_string()]",
            )
            .unwrap()
            .to_string()
    };
    assert_eq!(out, r#"[11, "early bird\n"]"#);
}

#[test]
fn the_accept_loop_and_readers_run_while_the_script_computes() {
    // The script makes no call at all while the client connects and sends: what serves the
    // client then is the driver thread, not a call of the script's.
    let engine = opi_tcp::script::engine();
    let mut scope = rhai::Scope::new();
    let srv: rhai::Dynamic = engine
        .eval_with_scope(&mut scope, "OPI_TCP::StartServer(0)")
        .unwrap();
    scope.push("srv", srv);
    let port: i64 = engine.eval_with_scope(&mut scope, "srv.port").unwrap();
    let client = std::thread::spawn(move || {
        // After the script's sleep: the driver, which slept through that long call, must wake
        // when it ends.
        std::thread::sleep(Duration::from_millis(300));
        let mut s = TcpStream::connect(("127.0.0.1", port as u16)).unwrap();
        s.write_all(b"busy bee\n").unwrap();
        s
    });
    let out = engine
        .eval_with_scope::<rhai::Dynamic>(
            &mut scope,
            r#"
            sleep(100);
            let t = timestamp();
            let seen = ();
            while t.elapsed < 10.0 {
                let l = srv.GetConnectionList().connections;
                if l.len() == 1 && l[0].buffered == 9 { seen = l[0].buffered; break; }
                for i in 0..10000 {}
            }
            [seen, srv.GetNextConnectionData(0).message.as_string()]
            "#,
        )
        .unwrap()
        .to_string();
    let _keep = client.join().unwrap();
    assert_eq!(out, r#"[9, "busy bee\n"]"#);
}

#[test]
fn timeouts_unknown_ids_and_data_by_connection() {
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0, 10);
        let t = srv.GetNextConnectionData(200);
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        sleep(100);
        let id = srv.GetConnectionList().connections[0].connectionId;
        let empty = srv.GetConnectionData(id, 100);
        let got = [];
        for n in 0..6 {
            c.SendLine("Message no. " + n + "\n");
            got.push(srv.GetConnectionData(`${id}`, 2000).message.as_string());
        }
        let unknown = srv.GetConnectionData(999, 10);
        c.CloseConnection();
        sleep(100);
        let after = srv.GetConnectionData(id, 100);
        [t, empty.error, got.len(), got[5], unknown.kind, unknown.error, after.result, after.error,
         srv.GetConnectionList().connections.len()]
    "#,
    );
    assert!(out.starts_with(r#"[#{"error": "timeout", "kind": "timeout", "result": false}, "timeout", 6, "Message no. 5\n", "closed", "#), "{out}");
    assert!(out.contains("no connection with id 999"), "{out}");
    assert!(
        out.ends_with("connection 1 is closed and has no unread data\", 0]"),
        "{out}"
    );
}

#[test]
fn max_size_splits_a_message_and_keeps_the_rest() {
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0);
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        c.SendLine("0123456789");
        sleep(100);
        let a = srv.GetNextConnectionData(1000, 4);
        let b = srv.GetNextConnectionData(1000, 4);
        let rest = srv.GetConnectionData(a.connectionId, 1000, 0);
        [a.message.as_string(), b.message.as_string(), rest.message.as_string()]
    "#,
    );
    assert_eq!(out, r#"["0123", "4567", "89"]"#);
}

#[test]
fn several_clients_at_once_are_served_in_arrival_order() {
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0);
        let addr = `127.0.0.1:${srv.port}`;
        let clients = [];
        for i in 0..5 { clients.push(OPI_TCP::CreateConnection(addr)); }
        for i in 0..5 { clients[i].SendLine("client " + i + "\n"); sleep(20); }
        let seen = [];
        for i in 0..5 {
            let d = srv.GetNextConnectionData(2000);
            seen.push(d.message.as_string());
            srv.SendData(d.connectionId, "reply to " + d.message.as_string());
        }
        let replies = clients.map(|c| c.ReadLine((), "\n", 2000));
        [seen, replies, srv.GetConnectionList().connections.len()]
    "#,
    );
    assert_eq!(
        out,
        r#"[["client 0\n", "client 1\n", "client 2\n", "client 3\n", "client 4\n"], ["reply to client 0\n", "reply to client 1\n", "reply to client 2\n", "reply to client 3\n", "reply to client 4\n"], 5]"#
    );
}

#[test]
fn a_client_that_disconnects_with_unread_data_stays_listed_until_read() {
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0);
        let addr = `127.0.0.1:${srv.port}`;
        let a = OPI_TCP::CreateConnection(addr);
        let b = OPI_TCP::CreateConnection(addr);
        sleep(100);
        let two = srv.GetConnectionList().connections.len();
        a.CloseConnection(); b.CloseConnection();
        let c = OPI_TCP::CreateConnection(addr);
        let d = OPI_TCP::CreateConnection(addr);
        c.SendLine("Yo\n");
        sleep(50);
        c.CloseConnection(); d.CloseConnection();
        sleep(200);
        let list = srv.GetConnectionList().connections;
        let left = list[0];
        let msg = srv.GetNextConnectionData(1000);
        [two, list.len(), left.receiving, left.buffered, msg.message.as_string(),
         srv.GetConnectionList().connections.len()]
    "#,
    );
    assert_eq!(out, r#"[2, 1, false, 3, "Yo\n", 0]"#);
}

#[test]
fn complete_send_then_send_data_fails_and_the_client_sees_eof() {
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0);
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        c.SendLine("Hello!\n");
        let id = srv.GetNextConnectionData(2000).connectionId;
        srv.SendData(id, "last words\n");
        let done = srv.CompleteSend(id);
        let late = srv.SendData(id, "more");
        let heard = c.ReadLine((), (), 2000);
        let still = c.SendLine("client can still send\n");
        let got = srv.GetConnectionData(id, 2000).message.as_string();
        [done, late.result, late.kind, heard, still, got]
    "#,
    );
    assert_eq!(
        out,
        r#"[#{"result": true}, false, "closed", "last words\n", true, "client can still send\n"]"#
    );
    let msg = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0);
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        c.SendLine("x");
        let id = srv.GetNextConnectionData(2000).connectionId;
        srv.CompleteSend(id);
        let r = srv.SendData(id, "more");
        // OPI's phrase alone (its own test compares the whole text); ours in `detail`.
        if r.error != "Write half is closed" { throw r; }
        r.detail
    "#,
    );
    assert!(
        msg.contains("the write half of connection 1 is closed (CompleteSend was called)"),
        "{msg}"
    );
}

#[test]
fn close_incoming_connection_and_finish_receiving() {
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0);
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        c.SendLine("first\n");
        let id = srv.GetNextConnectionData(2000).connectionId;
        let closed = srv.CloseIncomingConnection(id);
        let listed = srv.GetConnectionList().connections.len();
        sleep(100);
        let eof = c.ReadBinaryData(0, "", 1000).len();
        let s1 = c.SendLine("one\n");
        sleep(100);
        let s2 = c.SendLine("two\n");
        let again = srv.CloseIncomingConnection(id);
        [closed, listed, eof, s1, s2, again.kind]
    "#,
    );
    assert_eq!(out, r#"[#{"result": true}, 0, 0, true, false, "closed"]"#);

    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0);
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        c.SendLine("before\n");
        let id = srv.GetNextConnectionData(2000).connectionId;
        let fin = srv.FinishReceiving(id);
        c.SendLine("after\n");
        let after = srv.GetConnectionData(id, 300);
        let sent = srv.SendData(id, "still writable\n");
        [fin, after.result, sent, c.ReadLine((), "\n", 1000), srv.GetConnectionList().connections[0].receiving]
    "#,
    );
    assert_eq!(
        out,
        r#"[#{"result": true}, false, #{"result": true}, "still writable\n", false]"#
    );
}

#[test]
fn stop_server_frees_the_port_and_later_calls_are_error_maps() {
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0);
        let port = srv.port;
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${port}`);
        let stopped = OPI_TCP::StopServer(srv);
        let list = srv.GetConnectionList();
        let next = srv.GetNextConnectionData(100);
        let refused = OPI_TCP::CreateConnection(`127.0.0.1:${port}`);
        let again = OPI_TCP::StartServer(port);
        [stopped, list.result, list.error, next.kind, refused.kind, type_of(again), OPI_TCP::StopServer(srv)]
    "#,
    );
    assert!(out.starts_with(r#"[#{"result": true}, false, "#), "{out}");
    assert!(out.contains("the server is stopped"), "{out}");
    assert!(
        out.ends_with(r#""closed", "refused", "TcpServer", #{"result": true}]"#),
        "{out}"
    );
}

#[test]
fn a_busy_port_is_an_error_map() {
    let taken = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = eval_str(
        "",
        &format!("let r = OPI_TCP::StartServer({port}); [r.result, r.kind, r.error]"),
    );
    assert!(
        out.starts_with(r#"[false, "io", "listen on 0.0.0.0:"#) && out.contains("in use"),
        "{out}"
    );
    // A bad port or pool is a settings map, as OPI's server answers its checks.
    let out = eval_str(
        "",
        r#"[OPI_TCP::StartServer(70000), OPI_TCP::StartServer("localhost:0"),
            OPI_TCP::StartServer(0, 0), OPI_TCP::StartServer(0, "ten")]
           .map(|r| `${r.result} ${r.kind} ${r.error}`)"#,
    );
    for want in [
        "false settings settings for server: the port must be 0-65535",
        r#"on \"ip:port\" such as \"127.0.0.1:0\""#,
        "false settings settings for server: pool_size must be a positive number, not 0",
        r#"not the string \"ten\""#,
    ] {
        assert!(out.contains(want), "{want} in {out}");
    }
    // A connection id that is no number is no connection: the server's own map answers.
    let out = eval_str(
        "",
        r#"let s = OPI_TCP::StartServer("127.0.0.1:0");
           [s.GetConnectionData("abc", 10), s.SendData([1], "x"), s.CloseIncomingConnection(#{}),
            s.CompleteSend("x"), s.FinishReceiving(-3)].map(|r| `${r.result} ${r.kind}`)"#,
    );
    assert_eq!(
        out,
        r#"["false closed", "false closed", "false closed", "false closed", "false closed"]"#
    );
}

#[test]
fn a_server_can_listen_on_loopback_only() {
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer("127.0.0.1:0", 5, OPI_TCP::GetLoggingSettings());
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        c.SendLine("local\n");
        let got = srv.GetNextConnectionData(2000).message.as_string();
        let listening = srv.GetLog().logs[1];
        [got, listening.contains(`] Listening on 127.0.0.1:${srv.port} (pool of 5)`)]
    "#,
    );
    assert_eq!(out, r#"["local\n", true]"#);
}

#[test]
fn the_pool_limit_makes_extra_clients_wait() {
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0, 2, (), #{evict_when_full: false});
        let addr = `127.0.0.1:${srv.port}`;
        let a = OPI_TCP::CreateConnection(addr);
        let b = OPI_TCP::CreateConnection(addr);
        let c = OPI_TCP::CreateConnection(addr);
        c.SendLine("third\n");
        sleep(200);
        let while_full = [srv.GetConnectionList().connections.len(), srv.GetNextConnectionData(300).error];
        a.CloseConnection();
        let admitted = srv.GetNextConnectionData(2000);
        [while_full, admitted.message.as_string(), srv.GetConnectionList().connections.len()]
    "#,
    );
    assert_eq!(out, r#"[[2, "timeout"], "third\n", 2]"#);
}

#[test]
fn a_client_sending_more_than_is_read_is_slowed_not_dropped() {
    // More than a 4 MB per-connection buffer: every byte must arrive, in order. Up to 64 MB,
    // since loopback's autotuned socket buffers (up to tcp_rmem's max, 32 MB on some machines)
    // can take 8 MB more themselves, and then no send of 12 MB timed out.
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0);
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        let chunk = blob(1024 * 1024, 0x61);
        let sent = 0;
        let why = "";
        for i in 0..64 {
            if c.SendBinaryData(chunk, 200) { sent += 1; } else { why = c.GetLastError().error; break; }
        }
        let total = 0;
        loop {
            let d = srv.GetNextConnectionData(500, 0);
            if !d.result { break; }
            total += d.message.len();
        }
        let end = c.SendLine("END");
        [sent, total, end, why]
    "#,
    );
    // A send times out while the buffer is full (the client is slowed). What it says went out is
    // exactly what arrives, and no later send glues a message to the fragment.
    let v: Vec<&str> = out.trim_matches(['[', ']']).splitn(4, ", ").collect();
    let (sent, total, end, why) = (v[0], v[1], v[2], v[3]);
    assert_eq!(end, "false", "{out}");
    let partial: usize = why
        .split("; ")
        .nth(1)
        .and_then(|p| p.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no byte count in {why}"));
    assert!(why.contains(" of 1048576 bytes went out"), "{why}");
    let sent: usize = sent.parse().unwrap();
    assert!(sent < 64, "{out}");
    assert_eq!(
        total.parse::<usize>().unwrap(),
        sent * 1024 * 1024 + partial,
        "{out}"
    );
    let out = eval_str(
        "",
        r#"
        let srv = OPI_TCP::StartServer(0);
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${srv.port}`);
        let chunk = blob(1024 * 1024, 0x61);
        let total = 0;
        for i in 0..12 {
            c.SendBinaryData(chunk, 0);
            loop {
                let d = srv.GetNextConnectionData(20, 0);
                if !d.result { break; }
                total += d.message.len();
            }
        }
        c.FinishSending();
        loop {
            let d = srv.GetNextConnectionData(500, 0);
            if !d.result { break; }
            total += d.message.len();
        }
        total
    "#,
    );
    assert_eq!(out, (12 * 1024 * 1024).to_string());
}

#[test]
fn logging_to_memory_and_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.log");
    let code = format!(
        r#"
        let settings = [OPI_TCP::GetLoggingSettings(true, 100, "{p}"), OPI_TCP::GetLoggingSettings(false, 100, "{p}"), OPI_TCP::GetLoggingSettings()];
        let srv = OPI_TCP::StartServer(0, 10, settings[0]);
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${{srv.port}}`, (), (), OPI_TCP::GetLoggingSettings(true, 3));
        c.SendLine("TCP_LOG_SRV_1\n");
        let got = srv.GetNextConnectionData(2000);
        c.CloseConnection();
        let log = OPI_TCP::GetLog(srv);
        let text = srv.GetLog(true, 2);
        let clog = c.GetLog();
        let none = OPI_TCP::GetLog(OPI_TCP::StartServer(0));
        [settings.map(|s| s.mode), log.result, log.total >= 3, log.returned == log.logs.len(), text.split("\n").len(),
         clog.returned, clog.total, clog.logged, none.kind, settings[2].max_entries]
        "#,
        p = path.display()
    );
    let out = eval_str("", &code);
    assert_eq!(
        out,
        // OPI's total is the entries held (3 at most here); `logged` counts every event.
        r#"[["both", "file", "memory"], true, true, true, 2, 3, 3, 4, "settings", 300]"#
    );
    let file = std::fs::read_to_string(&path).unwrap();
    assert!(file.contains("] Binding to port 0..."), "{file}");
    assert!(
        file.contains("Accepted connection 1 from 127.0.0.1:"),
        "{file}"
    );
    assert!(
        file.contains("Received 14 bytes from connection 1"),
        "{file}"
    );
    assert!(
        !file.contains("TCP_LOG_SRV"),
        "payload bytes must not be logged: {file}"
    );

    // File-only logging: GetLog reads the file back.
    let out = eval_str(
        "",
        &format!(
            r#"let srv = OPI_TCP::StartServer(0, 1, OPI_TCP::GetLoggingSettings(false, 1, "{p}")); OPI_TCP::GetLog(srv, false, 1000).total"#,
            p = dir.path().join("only.log").display()
        ),
    );
    assert_eq!(out, "2");
    // OPI's empty structure for "neither memory nor a file", and passing it means no log.
    let out = eval_str(
        "",
        r#"let none = OPI_TCP::GetLoggingSettings(false);
           let srv = OPI_TCP::StartServer("127.0.0.1:0", 1, none);
           [none.len(), OPI_TCP::IsServerObject(srv), OPI_TCP::GetLog(srv).result]"#,
    );
    assert_eq!(out, "[0, true, false]");
}

#[test]
fn dropping_the_last_handle_stops_the_server() {
    let port: i64 = opi_tcp::script::engine()
        .eval("let s = OPI_TCP::StartServer(0); s.port")
        .unwrap();
    let t = Instant::now();
    loop {
        match TcpStream::connect(("127.0.0.1", port as u16)) {
            Err(_) => break,
            Ok(mut s) => {
                // Accepted by the kernel before the listener closed: it must end.
                let mut b = [0u8; 1];
                let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
                let _ = s.read(&mut b);
            }
        }
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "port {port} still open"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_server_and_logging_answer_to_their_russian_names() {
    let out = eval_str(
        "",
        r#"
        let лог = OPI_TCP::ПолучитьНастройкиЛогирования(true, 50);
        let сервер = OPI_TCP::ЗапуститьСервер("127.0.0.1:0", 10, лог);
        let c = OPI_TCP::ОткрытьСоединение(`127.0.0.1:${сервер.port}`);
        c.SendLine("привет\n");
        let данные = OPI_TCP::ПолучитьДанныеОчередногоСоединения(сервер, 2000);
        let id = данные.connectionId;
        let список = OPI_TCP::ПолучитьСписокСоединений(сервер);
        let отправлено = OPI_TCP::ОтправитьДанные(сервер, id, "ok\n");
        let ответ = c.ReadLine((), "\n", 2000);
        OPI_TCP::ЗавершитьОтправку(сервер, id);
        OPI_TCP::ЗавершитьПолучение(сервер, id);
        let снова = OPI_TCP::ПолучитьДанныеСоединения(сервер, id, 100);
        OPI_TCP::ЗакрытьВходящееСоединение(сервер, id);
        let журнал = OPI_TCP::ПолучитьЛог(сервер, true, 0);
        let стоп = OPI_TCP::ОстановитьСервер(сервер);
        [данные.message.as_string(), список.connections.len(), отправлено.result, ответ,
         снова.result, журнал.len() > 0, стоп.result, OPI_TCP::ЭтоОбъектСервера(сервер),
         OPI_TCP::ИмяКомпоненты(), type_of(OPI_TCP::ПолучитьНастройкиTLS(true))]
    "#,
    );
    assert_eq!(
        out,
        r#"["привет\n", 1, true, "ok\n", false, true, true, true, "TCPServer", "map"]"#
    );
}

#[test]
fn server_functions_given_something_else_answer_as_opi() {
    let out = eval_str(
        "",
        r#"
        let taken = OPI_TCP::StartServer("127.0.0.1:0");
        let failed = OPI_TCP::StartServer(`127.0.0.1:${taken.port}`);
        [OPI_TCP::StopServer(failed), OPI_TCP::GetConnectionList(42),
         OPI_TCP::SendData("x", 1, "data"), OPI_TCP::GetNextConnectionData((), 10),
         OPI_TCP::ПолучитьЛог(#{})].map(|r| `${r.result} ${r.error} ${r.kind}`)
    "#,
    );
    let line = "false The passed value is not a server object settings";
    // GetLog takes a client or a server: OPI_AddIns words its refusal for any add-in.
    let log = "false The passed value is not an AddIn object settings";
    assert_eq!(
        out,
        format!(r#"["{line}", "{line}", "{line}", "{line}", "{log}"]"#)
    );
    // A real server with a wrong argument is still a programming error.
    let e =
        eval(r#"let s = OPI_TCP::StartServer("127.0.0.1:0"); OPI_TCP::SendData(s, 1, 2, 3, 4)"#)
            .unwrap_err();
    assert!(e.contains("its signatures are"), "{e}");
}

#[test]
fn server_maps_carry_opis_fields_and_phrases() {
    let out = eval_str(
        "",
        r#"
        let s = OPI_TCP::StartServer("127.0.0.1:0");
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`);
        c.SendLine("hi\n");
        let d = s.GetNextConnectionData(2000);
        let id = d.connectionId;
        s.CompleteSend(id);
        let entry = s.GetConnectionList().connections[0];
        let late = s.SendData(id, "x");
        let unknown = s.SendData(999, "x");
        c.CloseConnection();
        sleep(100);
        let after = s.GetConnectionList();
        [d.active, d.address.starts_with("127.0.0.1:"), entry.canRead, entry.canWrite,
         late.error.starts_with("Write half is closed"), unknown.error.starts_with("No connection found!"),
         after.connections.len()]
    "#,
    );
    assert_eq!(out, "[true, true, true, false, true, true, 0]");
}

#[test]
fn a_stopped_server_and_a_finished_client_answer_in_opis_words() {
    let out = eval_str(
        "",
        r#"
        let s = OPI_TCP::StartServer("127.0.0.1:0");
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`);
        c.FinishSending();
        c.SendLine("late\n");
        let client = c.GetLastError().error;
        OPI_TCP::StopServer(s);
        let stopped = s.SendData(1, "x");
        [client.starts_with("Write half is closed"), stopped.error.starts_with("Server not started")]
    "#,
    );
    assert_eq!(out, "[true, true]");
}

/// The soak of `bench/soak` (an hour by default), for one second: every step of its
/// conversation works, so a long run measures memory and descriptors, not a broken script.
#[test]
fn the_soak_script_runs() {
    opi()
        .args(["bench/soak.rhai", "1"])
        .timeout(Duration::from_secs(60))
        .assert()
        .success()
        .stdout(predicates::str::contains("SOAK DONE"));
}

/// A client that connected just before GetConnectionList or GetLog is in the answer, with no
/// pause in between (OPI's documentation snippets rely on it).
#[test]
fn a_client_connected_just_before_is_listed_and_logged() {
    let out = eval_str(
        "",
        r#"let s = OPI_TCP::StartServer("127.0.0.1:0", 100, OPI_TCP::GetLoggingSettings());
           let listed = 0;
           let clients = [];
           for i in 0..20 {
               clients.push(OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`));
               if s.GetConnectionList().connections.len() == i + 1 { listed += 1; }
           }
           clients.push(OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`));
           let logs = OPI_TCP::GetLog(s).logs;
           [listed, logs[logs.len() - 1].contains("Accepted connection 21")]"#,
    );
    assert_eq!(out, "[20, true]");
}
