//! The script contract of DESIGN.md §2.2, one test per semantic, through `script::engine()`.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::common::*;

const MS: Duration = Duration::from_millis(1);

#[test]
fn echo_round_trip_with_marker() {
    let a = echo();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        OPI_TCP::SendLine(c, "Hello server!\n");
        let s = OPI_TCP::ReadLine(c, "UTF-8", "\n");
        OPI_TCP::CloseConnection(c);
        s
    "#,
    );
    assert_eq!(out, "Hello server!\n");
}

#[test]
fn marker_split_across_chunks_is_found() {
    static PARTS: &[&[u8]] = &[b"HTTP/1.1 200 OK\r", b"\n\r", b"\nbody"];
    let a = chunks(PARTS, 60 * MS, Duration::from_secs(5));
    let t = Instant::now();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let head = c.ReadLine((), "\r\n\r\n", 3000);
        let body = c.ReadLine((), (), 300);
        [head, body]
    "#,
    );
    assert_eq!(out, r#"["HTTP/1.1 200 OK\r\n\r\n", "body"]"#);
    assert!(
        t.elapsed() < Duration::from_millis(2500),
        "waited for the deadline: {:?}",
        t.elapsed()
    );
}

#[test]
fn max_size_is_exact_and_the_rest_stays_buffered() {
    let a = send_and_close(b"0123456789");
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        sleep(100);
        let first = c.ReadBinaryData(4);
        let second = c.ReadBinaryData(4);
        let rest = c.ReadBinaryData();
        [first.len(), first.as_string(), second.as_string(), rest.as_string()]
    "#,
    );
    assert_eq!(out, r#"[4, "0123", "4567", "89"]"#);
}

#[test]
fn bytes_after_the_marker_are_kept_for_the_next_read() {
    let a = send_and_close(b"one\ntwo\nthree");
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        sleep(100);
        [c.ReadLine((), "\n"), c.ReadLine((), "\n"), c.ReadLine((), "\n"), c.ReadLine((), "\n")]
    "#,
    );
    assert_eq!(out, r#"["one\n", "two\n", "three", ""]"#);
}

#[test]
fn deadline_returns_partial_data_without_an_error() {
    let a = trickle(b"abcdefghijklmnopqrstuvwxyz", 40 * MS);
    let t = Instant::now();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let got = c.ReadBinaryData(0, "", 300);
        [got.len() > 0 && got.len() < 26, c.GetLastError()]
    "#,
    );
    assert_eq!(out, "[true, ()]");
    // A per-chunk idle timeout would never fire on a trickle; the total deadline does.
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn timeout_zero_means_no_limit() {
    // The server sends its last byte after ~1.3 s, well past any short default slice.
    let a = trickle(b"0123456789abc", 100 * MS);
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        c.ReadLine((), "c", 0)
    "#,
    );
    assert_eq!(out, "0123456789abc");
}

#[test]
fn end_of_stream_ends_a_read_without_error() {
    let a = send_and_close(b"bye");
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        [c.ReadLine((), (), 0), c.ReadLine((), (), 0), c.GetLastError()]
    "#,
    );
    assert_eq!(out, r#"["bye", "", ()]"#);
}

#[test]
fn server_first_banner_is_read() {
    let a = speaks_first(b"BANNER-FROM-SERVER\n");
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::OpenConnection(ADDR);
        c.ReadLine((), "\n")
    "#,
    );
    assert_eq!(out, "BANNER-FROM-SERVER\n");
}

fn kind_of(addr: impl ToString, code: &str) -> String {
    eval_str(
        addr,
        &format!("let r = {{ {code} }}; `${{r.result}} ${{r.kind}}: ${{r.error}}`"),
    )
}

#[test]
fn refused_port_is_an_error_map() {
    let a = refused_port();
    let out = kind_of(a, "OPI_TCP::CreateConnection(ADDR)");
    assert!(
        out.starts_with("false refused: connect to 127.0.0.1:"),
        "{out}"
    );
}

#[test]
fn unresolvable_name_is_a_dns_error() {
    let out = kind_of(
        "",
        r#"OPI_TCP::CreateConnection("no-such-host.invalid:80")"#,
    );
    assert!(
        out.starts_with("false dns: resolve no-such-host.invalid:80"),
        "{out}"
    );
}

#[test]
fn bad_addresses_are_address_errors() {
    for bad in [
        "nohost",
        "host:0",
        "host:99999",
        "[::1",
        "",
        "a b:1",
        "host:x",
    ] {
        let out = kind_of(bad, "OPI_TCP::CreateConnection(ADDR)");
        assert!(out.starts_with("false address: address"), "{bad:?} → {out}");
    }
}

#[test]
fn settings_errors_name_the_field() {
    let out = kind_of(
        "127.0.0.1:1",
        r#"OPI_TCP::CreateConnection(ADDR, #{use_tls: true, verify: 1})"#,
    );
    assert!(
        out.starts_with("false settings:") && out.contains("'verify'"),
        "{out}"
    );
    let out = kind_of(
        "127.0.0.1:1",
        r#"OPI_TCP::CreateConnection(ADDR, (), #{server: "h", port: 1, proxy_type: "socks9"})"#,
    );
    assert!(
        out.contains("socks5, socks5h, socks4, socks4a, http"),
        "{out}"
    );
    let out = kind_of(
        "127.0.0.1:1",
        r#"OPI_TCP::CreateConnection(ADDR, (), "socks5://h:70000")"#,
    );
    assert!(out.starts_with("false settings:"), "{out}");
}

#[test]
fn send_timeout_is_a_timeout_error() {
    let a = silent();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let big = blob(32 * 1024 * 1024, 0x41);
        let ok = c.SendBinaryData(big, 300);
        let e = c.GetLastError();
        `${ok} ${e.kind}: ${e.error}`
    "#,
    );
    assert!(
        out.starts_with("false timeout: send to 127.0.0.1:"),
        "{out}"
    );
    assert!(
        out.contains(": timed out after 300ms; ") && out.contains(" of 33554432 bytes went out"),
        "{out}"
    );
}

#[test]
fn after_a_partial_send_later_sends_fail_and_reads_still_work() {
    // Speaks first, then never reads: a 32 MiB send fills the socket buffers and stops part way.
    let a = serve(|mut s| {
        let _ = s.write_all(b"HELLO\n");
        std::thread::sleep(Duration::from_secs(3));
    });
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let first = c.SendBinaryData(blob(32 * 1024 * 1024, 0x41), 300);
        let e1 = c.GetLastError();
        let marker = c.SendLine("MARKER\n");
        let e2 = c.GetLastError();
        let hello = c.ReadLine((), "\n", 2000);
        [first, e1.kind, marker, e2.kind, e2.error, hello]
    "#,
    );
    assert!(
        out.starts_with(r#"[false, "timeout", false, "io", "send to 127.0.0.1:"#),
        "{out}"
    );
    assert!(out.contains("an earlier send stopped after "), "{out}");
    assert!(
        out.contains(" of 33554432 bytes, so the stream is no longer framed"),
        "{out}"
    );
    assert!(out.ends_with(r#", "HELLO\n"]"#), "{out}");
}

#[test]
fn last_error_is_sticky_and_send_after_close_fails() {
    let a = echo();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let before = c.GetLastError();
        c.CloseConnection();
        let sent = c.SendLine("x\n");
        let e1 = c.GetLastError();
        let read = c.ReadBinaryData();
        let again = c.CloseConnection();
        let e2 = c.GetLastError();
        [before, sent, e1.kind, e1.error, read.len(), again, e2.kind]
    "#,
    );
    assert!(
        out.starts_with(r#"[(), false, "closed", "No connection found! (send to 127.0.0.1:"#),
        "{out}"
    );
    assert!(out.contains("the connection is closed"), "{out}");
    assert!(out.ends_with(r#", 0, true, "closed"]"#), "{out}");

    // A later success does not clear it.
    let a = echo();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        c.ReadLine((), (), 1);
        c.SendLine("x", "UTF-8", 1);
        c.FinishSending();
        c.SendLine("late");
        let e = c.GetLastError();
        let echoed = c.ReadLine((), (), 2000);
        [e.kind, c.GetLastError().kind, echoed]
    "#,
    );
    assert_eq!(out, r#"["closed", "closed", "x"]"#);
}

#[test]
fn finish_sending_half_closes_and_reading_goes_on() {
    let (a, rx) = recorder();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        c.SendBinaryData("part one, ");
        c.SendBinaryData(blob(3, 0x21));
        c.FinishSending()
    "#,
    );
    assert_eq!(out, "true");
    let got = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("recorder got EOF");
    assert_eq!(got, b"part one, !!!");
}

#[test]
fn encodings_including_windows_1251() {
    let (a, rx) = recorder();
    eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        c.SendLine("Привет\n", "windows-1251");
        c.SendLine("Я", "koi8-r");
        c.SendLine("Ж", "utf-16le");
        c.FinishSending();
    "#,
    );
    let got = rx.recv_timeout(Duration::from_secs(5)).expect("recorder");
    assert_eq!(
        got,
        [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2, b'\n', 0xF1, 0x16, 0x04]
    );

    let a = send_and_close(&[
        0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2, 0x0A, 0x8F, 0xE0, 0xA8, 0xA2, 0xA5, 0xE2,
    ]);
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        [c.ReadLine("Windows-1251", "\n"), c.ReadLine("cp866")]
    "#,
    );
    assert_eq!(out, r#"["Привет\n", "Привет"]"#);

    // The marker is matched in the text's encoding.
    let a = send_and_close(&[0xE0, 0xE1, 0xFF, 0xE2, 0xE3]);
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        [c.ReadLine("windows-1251", "я"), c.ReadLine("windows-1251")]
    "#,
    );
    assert_eq!(out, r#"["абя", "вг"]"#);
}

#[test]
fn undecodable_bytes_become_replacement_characters() {
    let a = send_and_close(&[b'o', b'k', 0xFF]);
    let out = eval_str(a, "OPI_TCP::CreateConnection(ADDR).ReadLine()");
    assert_eq!(out, "ok\u{FFFD}");
}

#[test]
fn blob_marker_and_binary_data() {
    let a = send_and_close(&[1, 2, 0, 0, 3, 4]);
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let m = blob(2, 0);
        [c.ReadBinaryData(0, m), c.ReadBinaryData()]
    "#,
    );
    assert_eq!(out, "[[01020000], [0304]]");
}

#[test]
fn method_syntax_namespaced_calls_and_copies_share_one_connection() {
    let a = echo();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let copy = c;
        c.SendLine("a\n");
        let x = OPI_TCP::ReadLine(copy, (), "\n");
        const k = c;
        k.SendLine("b\n");
        [type_of(c), OPI_TCP::IsClientObject(c), OPI_TCP::IsClientObject("c"), x, k.ReadLine((), "\n")]
    "#,
    );
    assert_eq!(out, r#"["TcpClient", true, false, "a\n", "b\n"]"#);
}

#[test]
fn russian_aliases() {
    let a = echo();
    let out = eval_str(
        a,
        r#"
        let соединение = OPI_TCP::ОткрытьСоединение(ADDR);
        OPI_TCP::ОтправитьСтроку(соединение, "Привет\n");
        OPI_TCP::ОтправитьДвоичныеДанные(соединение, "мир\n".to_blob());
        let строка = OPI_TCP::ПрочитатьСтроку(соединение, "UTF-8", "\n");
        let данные = OPI_TCP::ПрочитатьДвоичныеДанные(соединение, 0, "\n");
        let ошибка = OPI_TCP::ПолучитьПоследнююОшибку(соединение);
        let это = OPI_TCP::ЭтоОбъектКлиента(соединение);
        OPI_TCP::ЗакрытьСоединение(соединение);
        let tls = OPI_TCP::ПолучитьНастройкиTls(true);
        let прокси = OPI_TCP::ПолучитьНастройкиПрокси("127.0.0.1", 1080);
        [строка, данные.as_string(), ошибка, это, tls.use_tls, прокси.proxy_type]
    "#,
    );
    assert_eq!(out, r#"["Привет\n", "мир\n", (), true, true, "socks5"]"#);
}

#[test]
fn process_request_round_trip_and_errors() {
    let a = echo();
    let out = eval_str(
        a,
        r#"[
        OPI_TCP::ProcessRequest(ADDR, "Echo this!\nand more\n"),
        OPI_TCP::ProcessRequest(ADDR, "bin\n", false),
        OPI_TCP::ОбработатьЗапрос(ADDR, blob(2, 0x41) + "\n".to_blob()),
    ]"#,
    );
    assert_eq!(out, r#"["Echo this!\n", [62696e0a], "AA\n"]"#);
    let out = kind_of(refused_port(), "OPI_TCP::ProcessRequest(ADDR, \"x\\n\")");
    assert!(out.starts_with("false refused"), "{out}");
}

#[test]
fn settings_maps_follow_opi() {
    let out = eval_str(
        "",
        r#"[
        OPI_TCP::GetTlsSettings(true),
        OPI_TCP::GetTLSSettings(false, "ca.pem"),
        OPI_TCP::GetTlsSettings(false),
        OPI_TCP::GetProxySettings("127.0.0.1", 1080, "socks5", "user", "pass"),
        OPI_TCP::GetProxySettings("127.0.0.1", "1080", "HTTP"),
    ]"#,
    );
    assert_eq!(
        out,
        r#"[#{"accept_invalid_certs": true, "use_tls": true}, #{"ca_cert_path": "ca.pem", "use_tls": true}, #{"use_tls": true}, #{"login": "user", "password": "pass", "port": 1080, "proxy_type": "socks5", "server": "127.0.0.1"}, #{"port": 1080, "proxy_type": "HTTP", "server": "127.0.0.1"}]"#
    );
}

#[test]
fn proxy_settings_are_used_and_empty_ones_mean_none() {
    let a = echo();
    let p = refused_port();
    for setting in [
        format!(
            r#"OPI_TCP::CreateConnection(ADDR, (), OPI_TCP::GetProxySettings("127.0.0.1", {}))"#,
            p.port()
        ),
        format!(r#"OPI_TCP::CreateConnection(ADDR, (), "http://{p}")"#),
    ] {
        let out = kind_of(a, &setting);
        assert!(
            out.starts_with("false refused: proxy for 127.0.0.1:")
                && out.contains(&format!("proxy {p} (")),
            "{out}"
        );
    }
    // Plain TCP spelled three ways.
    let out = eval_str(
        a,
        r#"[
        type_of(OPI_TCP::CreateConnection(ADDR, "")),
        type_of(OPI_TCP::CreateConnection(ADDR, #{use_tls: false}, "")),
        type_of(OPI_TCP::CreateConnection(ADDR, (), ())),
    ]"#,
    );
    assert_eq!(out, r#"["TcpClient", "TcpClient", "TcpClient"]"#);
}

#[test]
fn programming_errors_throw_with_position_and_are_catchable() {
    let a = echo();
    let cases = [
        (r#"c.ReadLine("klingon")"#, "unknown encoding 'klingon'"),
        (
            r#"c.ReadLine((), (), -1)"#,
            "must be 0 (no limit) or positive",
        ),
        (r#"c.ReadBinaryData("ten")"#, "max_size must be a number"),
        // A number is sent as its text (OPI's GetBinaryData); a function is no data.
        (r#"c.SendBinaryData(|| 1)"#, "must be a blob or a string"),
        (r#"c.ReadLine(1, 2, 3, 4, 5)"#, "its signatures are"),
        (
            r#"OPI_TCP::ReadLine("not a conn")"#,
            "ReadLine(conn: TcpClient) -> string",
        ),
        (
            r#"OPI_TCP::GetProxySettings("h", 1, "socks9")"#,
            "unknown proxy type",
        ),
        (r#"sleep(-1)"#, "negative"),
    ];
    for (call, expected) in cases {
        let code = format!(
            "let c = OPI_TCP::CreateConnection(ADDR);\nlet r = \"no error\";\ntry {{\n {call};\n}} catch (e) {{ r = e; }}\nr"
        );
        let out = eval_str(a, &code);
        assert!(out.contains(expected), "{call}: {out}");
    }
    // Uncaught: the error carries the call's line and column.
    let err = eval_at(
        a,
        "let c = OPI_TCP::CreateConnection(ADDR);\n  c.ReadLine(\"klingon\")",
    )
    .unwrap_err();
    assert!(err.contains("line 2, position 5"), "{err}");
}

#[test]
fn an_error_map_passed_as_a_connection_is_explained() {
    let err = eval_at(
        refused_port(),
        "let c = OPI_TCP::CreateConnection(ADDR); c.ReadLine()",
    )
    .unwrap_err();
    assert!(
        err.contains("the first argument is an error map, not a connection: connect to"),
        "{err}"
    );
}

#[test]
fn io_functions_are_not_run_by_the_optimizer() {
    // With full optimization a non-volatile native with constant arguments would run at compile
    // time; compiling must not connect.
    let a = echo();
    let mut engine = opi_tcp::script::engine();
    engine.set_optimization_level(rhai::OptimizationLevel::Full);
    let ast = engine
        .compile(format!(r#"OPI_TCP::ProcessRequest("{a}", "x\n")"#))
        .unwrap();
    let body = format!("{:?}", ast.statements());
    assert!(
        body.contains("ProcessRequest"),
        "folded at compile time: {body}"
    );
}

#[test]
fn a_read_larger_than_the_engine_limit_fails_clearly_without_losing_data() {
    use opi_tcp::net::{self, ReadLimit, Target};
    let a = send_and_close(b"0123456789");
    let target = Target::parse(&a.to_string()).unwrap();
    net::block_on(async {
        let mut conn = net::connect(&target, &Default::default()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let out = conn.read(&ReadLimit::to_eof(4)).await;
        assert_eq!(&out.data[..], b"0123");
        let e = out.error.expect("cap error");
        assert_eq!(e.kind(), net::ErrorKind::Io);
        assert!(e.detail().contains("size limit of 4 bytes"), "{e}");
        let rest = conn.read(&ReadLimit::to_eof(100)).await;
        assert_eq!(&rest.data[..], b"456789");
    })
    .unwrap();
}

#[test]
fn text_too_long_for_a_string_is_cut_where_it_fits_and_the_rest_stays_buffered() {
    // 12 MiB of bytes that are not UTF-8 decode to 36 MiB of U+FFFD: more than a string holds.
    let mut data = vec![0xFF_u8; 12 * 1024 * 1024];
    data.push(b'\n');
    let a = send_and_close(Box::leak(data.into_boxed_slice()));
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let first = c.ReadLine((), "\n", 10000);
        let e = c.GetLastError();
        let second = c.ReadLine((), "\n", 10000);
        [first.len() + second.len(), second.ends_with("\n"), e.kind, e.error]
    "#,
    );
    assert!(
        out.starts_with(&format!(
            "[{}, true, \"io\", \"read from 127.0.0.1:",
            12 * 1024 * 1024 + 1
        )),
        "{out}"
    );
    assert!(
        out.contains("longer than a string can hold (32 MiB)"),
        "{out}"
    );
    assert!(out.contains("the rest stays buffered"), "{out}");
}

#[test]
fn process_request_with_an_answer_too_long_for_a_string_says_so() {
    // Answers after the request has arrived, so no reset cuts the answer short.
    let a = serve(|mut s| {
        let mut line = [0u8; 2];
        if std::io::Read::read_exact(&mut s, &mut line).is_ok() {
            let mut data = vec![0xFF_u8; 12 * 1024 * 1024];
            data.push(b'\n');
            let _ = s.write_all(&data);
        }
    });
    let out = eval_str(
        a,
        r#"let r = OPI_TCP::ProcessRequest(ADDR, "x\n"); [r.kind, r.error]"#,
    );
    assert!(out.starts_with(r#"["io", "read from "#), "{out}");
    assert!(out.contains("response_string = false"), "{out}");
}

#[test]
fn arguments_convert_as_opis_type_conversion_does() {
    let a = echo();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let sent = [c.SendLine(42), c.SendLine("\n", "UTF-8", "1000"), c.SendLine(#{a: 1})];
        let n = c.ReadBinaryData("3", (), "2000");
        let rest = c.ReadLine("UTF-8", "}", 2000.0);
        let tls = OPI_TCP::GetTlsSettings("true");
        let log = OPI_TCP::GetLoggingSettings("Истина", "100");
        let s = OPI_TCP::StartServer("0", "10");
        let next = OPI_TCP::GetNextConnectionData(s, "50", "8192");
        [sent, n.as_string(), rest, tls.accept_invalid_certs, log.max_entries, type_of(s), next.error]
    "#,
    );
    assert_eq!(
        out,
        r#"[[true, true, true], "42\n", "{\"a\":1}", true, 100, "TcpServer", "timeout"]"#
    );
}

#[test]
fn what_opi_cannot_convert_throws_in_script_words() {
    for (code, want) in [
        (
            r#"OPI_TCP::GetTlsSettings("perhaps")"#,
            r#"not the string "perhaps""#,
        ),
        (
            r#"OPI_TCP::GetLoggingSettings(true, [])"#,
            "max_entries must be a number, not array",
        ),
    ] {
        let e = eval(code).expect_err(code);
        assert!(e.contains(want), "{code}: {e}");
        assert!(
            !e.contains("DynamicReadLock") && !e.contains("ImmutableString"),
            "{e}"
        );
    }
}

#[test]
fn an_empty_proxy_map_means_no_proxy_and_ansi_is_windows_1251() {
    let a = echo();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR, (), #{});
        c.SendLine("Привет\n", "ANSI");
        let raw = c.ReadBinaryData(7, (), 2000);
        c.SendLine("Я\n", "OEM");
        [type_of(c), raw.len(), raw[0], c.ReadLine("oem", "\n", 2000)]
    "#,
    );
    assert_eq!(out, r#"["TcpClient", 7, 207, "Я\n"]"#);
}

#[test]
fn opis_data_parameters_take_files_and_collections() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("payload.bin");
    std::fs::write(&file, b"FROM-A-FILE\n").unwrap();
    let (a, got) = recorder();
    let out = eval_with(
        &[
            ("ADDR", a.to_string().into()),
            ("FILE", file.display().to_string().into()),
        ],
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let r = [c.SendBinaryData(FILE), c.SendBinaryData(#{k: [1, "x"]}), c.SendBinaryData("plain text"),
                 c.SendAfter("never", FILE, 0).sent];
        c.FinishSending();
        r
    "#,
    )
    .unwrap();
    assert_eq!(out.to_string(), "[true, true, true, false]");
    let sent = got.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
    assert_eq!(
        String::from_utf8(sent).unwrap(),
        "FROM-A-FILE\n{\"k\":[1,\"x\"]}plain text"
    );
}

#[test]
fn an_opi_name_in_the_wrong_case_names_the_right_spelling() {
    for (call, want) in [
        (
            r#"OPI_TCP::createconnection("x")"#,
            "did you mean OPI_TCP::CreateConnection?",
        ),
        ("OPI_TCP::GetTLSsettings(true)", "OPI_TCP::GetTlsSettings"),
        (
            "OPI_TCP::запуститьсервер(0)",
            "did you mean OPI_TCP::ЗапуститьСервер?",
        ),
    ] {
        let out = opi().args(["-e", call]).output().unwrap();
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && e.contains(want), "{call}: {e}");
    }
}

#[test]
fn a_udp_address_is_refused_not_dialled_over_tcp() {
    let got =
        eval(r#"let c = OPI_TCP::CreateConnection("udp://127.0.0.1:53"); [c.result, c.kind]"#)
            .unwrap();
    assert_eq!(got.to_string(), r#"[false, "address"]"#);
}

/// OPI's client functions given the error map of a failed connect (a script that skipped the
/// check): CloseConnection answers true, the reads and sends answer the map, ReadLine and
/// GetLastError throw.
#[test]
fn client_functions_given_an_error_map_answer_as_opi() {
    let a = refused_port();
    let got = eval_at(
        a,
        r#"let c = OPI_TCP::CreateConnection(ADDR);
           let threw = |f| { let t = false; try { f.call(); } catch { t = true; } t };
           [OPI_TCP::CloseConnection(c), OPI_TCP::ЗакрытьСоединение(c),
            OPI_TCP::ReadBinaryData(c) == c, OPI_TCP::ReadBinaryData(c, 10, "\n", 100) == c,
            OPI_TCP::SendBinaryData(c, blob(3)) == c, c.SendBinaryData("x", 100) == c,
            OPI_TCP::SendLine(c, "x") == c, OPI_TCP::ОтправитьСтроку(c, "x", "UTF-8", 100) == c,
            threw.call(|| OPI_TCP::ReadLine(c)), threw.call(|| OPI_TCP::GetLastError(c)),
            threw.call(|| OPI_TCP::CloseConnection("not a connection"))]"#,
    )
    .unwrap();
    assert_eq!(
        got.to_string(),
        "[true, true, true, true, true, true, true, true, true, true, true]"
    );
}

/// Numbers and booleans as data are sent as their text, as OPI's GetBinaryData / GetLine do.
#[test]
fn numbers_and_booleans_as_data_are_sent_as_their_text() {
    let got = eval_at(
        "",
        r#"let s = OPI_TCP::StartServer("127.0.0.1:0");
           let c = OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`);
           let sent = [c.SendLine(42), c.SendLine(true), c.SendBinaryData(3.5),
                       OPI_TCP::SendBinaryData(c, false), c.SendLine("|")];
           let got = "";
           let id = 0;
           while !got.ends_with("|") {
               let d = s.GetNextConnectionData(2000, 100);
               id = d.connectionId;
               got += d.message.as_string();
           }
           s.SendData(id, 7); s.SendData(id, false);
           [sent, got, c.ReadBinaryData(6, (), 2000).as_string()]"#,
    )
    .unwrap();
    assert_eq!(
        got.to_string(),
        r#"[[true, true, true, true, true], "42true3.5false|", "7false"]"#
    );
}
