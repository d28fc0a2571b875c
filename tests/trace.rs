//! The wire trace: the exact lines of a TLS-over-SOCKS5 conversation, of connects that fail
//! (refused, timed out, a refused proxy login, a failed TLS handshake), text and hex chunks, the
//! cut of long chunks, SetTrace for one connection, and no secret in any line.

use crate::common::proxy::{Http, Socks5, http, socks5};
use crate::common::tls::{Ca, path_of, temp_file, tls_echo};
use crate::common::*;

/// The trace's lines without their time of day (`12:00:01.234 `).
fn lines(trace: &str) -> Vec<String> {
    trace
        .lines()
        .map(|l| match l.split_once(' ') {
            Some((time, rest)) if time.len() == 12 && time.as_bytes()[2] == b':' => rest.into(),
            _ => l.to_string(),
        })
        .collect()
}

#[test]
fn a_tls_conversation_through_socks5_traced_line_by_line() {
    let ca = Ca::new("Trace CA");
    let ca_file = temp_file(&ca.pem);
    let target = tls_echo(&ca.leaf(&["localhost"]));
    let (proxy, _) = socks5(Socks5 {
        credentials: Some(("alice", "s3cret")),
        ..Socks5::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.txt");
    let script = format!(
        r#"let tls = OPI_TCP::GetTlsSettings(false, "{ca}");
           let c = OPI_TCP::CreateConnection("localhost:{port}", tls, "socks5h://alice:s3cret@{proxy}");
           c.SendLine("PING\r\n");
           c.ReadLine((), "\n", 3000);
           c.SendBinaryData(blob(3, 0));
           c.ReadBinaryData(3, (), 3000);
           c.CloseConnection();"#,
        ca = path_of(&ca_file),
        port = target.port(),
    );
    opi()
        .args([&format!("--trace={}", trace.display()), "-e", &script])
        .assert()
        .success();
    let text = std::fs::read_to_string(&trace).unwrap();
    let got = lines(&text);
    let peer = format!("#1 localhost:{}", target.port());
    let connected = format!(
        "{peer} connected through proxy {proxy} (socks5h) as user \"alice\", TLS TLSv1_3 \
         TLS13_AES_256_GCM_SHA384, name localhost, certificate verified"
    );
    let want = vec![
        format!("{peer} connecting through proxy {proxy} (socks5h) as user \"alice\""),
        format!("{peer} trying proxy {proxy}"),
        format!(
            "{peer} socks5h handshake, asking for localhost:{}",
            target.port()
        ),
        format!("{peer} TLS handshake, name localhost"),
        connected,
        format!("{peer} > 6 bytes"),
        r#"  "PING\r\n""#.to_string(),
        format!("{peer} < 6 bytes"),
        r#"  "PING\r\n""#.to_string(),
        format!("{peer} > 3 bytes"),
        "  00000000  00 00 00                                          |...|".to_string(),
        "  00000003".to_string(),
        format!("{peer} < 3 bytes"),
        "  00000000  00 00 00                                          |...|".to_string(),
        "  00000003".to_string(),
        format!("{peer} half-close (no more sends)"),
        format!("{peer} closed"),
    ];
    assert_eq!(got, want, "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}

/// The lines of a script run with `--trace=FILE`, without their time of day.
fn traced(script: &str) -> (Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.txt");
    opi()
        .args([&format!("--trace={}", trace.display()), "-e", script])
        .assert()
        .success();
    let text = std::fs::read_to_string(&trace).unwrap_or_default();
    (lines(&text), text)
}

#[test]
fn a_refused_and_a_timed_out_connect_are_traced() {
    let refused = refused_port();
    let (silent, _guard) = unanswered();
    let (got, text) = traced(&format!(
        r#"OPI_TCP::CreateConnection("{refused}");
           set_connect_timeout(500);
           OPI_TCP::CreateConnection("{silent}");"#
    ));
    let (r, s) = (format!("#1 {refused}"), format!("#2 {silent}"));
    assert_eq!(
        got,
        [
            format!("{r} trying {refused}"),
            format!("{r} attempt to {refused} failed: connection refused (os error 111)"),
            format!(
                "{r} not connected (refused): connect to {refused}: connection refused (os error 111)"
            ),
            format!("{s} trying {silent}"),
            format!("{s} not connected (timeout): connect to {silent}: timed out after 500ms"),
        ],
        "{text}"
    );
}

#[test]
fn a_refused_socks5_login_is_traced_with_the_user_and_not_the_password() {
    let (proxy, _) = socks5(Socks5 {
        credentials: Some(("alice", "s3cret")),
        ..Socks5::default()
    });
    let (got, text) = traced(&format!(
        r#"OPI_TCP::CreateConnection("localhost:9", (), "socks5h://alice:wrong-one@{proxy}");"#
    ));
    let p = "#1 localhost:9";
    assert_eq!(
        got,
        [
            format!("{p} connecting through proxy {proxy} (socks5h) as user \"alice\""),
            format!("{p} trying proxy {proxy}"),
            format!("{p} socks5h handshake, asking for localhost:9"),
            format!("{p} socks5h handshake failed at the login"),
            format!(
                "{p} not connected (proxy_auth): proxy for localhost:9: proxy {proxy} (socks5h): \
                 authentication failed: the proxy rejected the login or password"
            ),
        ],
        "{text}"
    );
    assert!(!text.contains("wrong-one"), "{text}");
}

#[test]
fn a_refused_proxy_and_a_failed_tls_handshake_are_traced() {
    let dead = refused_port();
    let target = tls_echo(&crate::common::tls::self_signed(&["localhost"]));
    let (got, text) = traced(&format!(
        r#"OPI_TCP::CreateConnection("127.0.0.1:9", (), "http://{dead}");
           OPI_TCP::CreateConnection("{target}", OPI_TCP::GetTlsSettings(false));"#
    ));
    let (p, t) = ("#1 127.0.0.1:9", format!("#2 {target}"));
    assert_eq!(
        got[..4],
        [
            format!("{p} connecting through proxy {dead} (http)"),
            format!("{p} trying proxy {dead}"),
            format!("{p} attempt to proxy {dead} failed: connection refused (os error 111)"),
            format!(
                "{p} not connected (refused): proxy for 127.0.0.1:9: proxy {dead} (http): cannot \
                 reach the proxy: connection refused (os error 111)"
            ),
        ],
        "{text}"
    );
    assert_eq!(
        got[4..7],
        [
            format!("{t} trying {target}"),
            format!("{t} TLS handshake, name 127.0.0.1"),
            got[6].clone(),
        ],
        "{text}"
    );
    assert!(
        got[6].starts_with(&format!(
            "{t} not connected (tls): tls handshake with {target}: "
        )),
        "{text}"
    );
    assert_eq!(got.len(), 7, "{text}");
}

#[test]
fn no_trace_line_holds_a_proxy_password_or_its_basic_token() {
    let token = "YWxpY2U6czNjcmV0"; // base64("alice:s3cret")
    for creds in [("alice", "s3cret"), ("alice", "wrong")] {
        let (proxy, _) = http(Http {
            credentials: Some(("alice", "s3cret")),
            ..Http::default()
        });
        let dir = tempfile::tempdir().unwrap();
        let trace = dir.path().join("t.txt");
        let script = format!(
            r#"let c = OPI_TCP::CreateConnection("{target}", (), "http://{}:{}@{proxy}");
               if OPI_TCP::IsClientObject(c) {{ c.SendLine("hi\n"); c.ReadLine((), "\n", 2000); c.CloseConnection(); }}"#,
            creds.0,
            creds.1,
            target = echo(),
        );
        opi()
            .args([&format!("--trace={}", trace.display()), "-e", &script])
            .assert()
            .success();
        let text = std::fs::read_to_string(&trace).unwrap_or_default();
        for secret in ["s3cret", "wrong", token, "Proxy-Authorization"] {
            assert!(!text.contains(secret), "{secret} in the trace:\n{text}");
        }
        if creds.1 == "s3cret" {
            assert!(text.contains("as user \"alice\""), "{text}");
        }
    }
}

#[test]
fn long_chunks_are_cut_unless_full_and_hex_can_be_forced() {
    let a = echo();
    let dir = tempfile::tempdir().unwrap();
    let run = |flags: &[&str]| {
        let trace = dir.path().join(format!("t{}.txt", flags.len()));
        let mut args = vec![format!("--trace={}", trace.display())];
        args.extend(flags.iter().map(|f| f.to_string()));
        args.push("-e".into());
        args.push(format!(
            r#"let c = OPI_TCP::CreateConnection("{a}"); let s = "x"; s.pad(5000, "y"); c.SendLine(s + "\n"); c.ReadBinaryData(5001, (), 3000); c.SendLine("ok\n"); c.ReadLine((), "\n", 3000);"#
        ));
        opi().args(&args).assert().success();
        std::fs::read_to_string(trace).unwrap()
    };
    let cut = run(&[]);
    assert!(cut.contains("  … 905 more bytes"), "{cut}");
    let full = run(&["--trace-full"]);
    assert!(
        !full.contains("more bytes") && full.contains(&"y".repeat(4999)),
        "{full}"
    );
    let hex = run(&["--trace-full", "--trace-hex"]);
    assert!(hex.contains("|ok.|") && !hex.contains(r#""ok\n""#), "{hex}");
}

#[test]
fn set_trace_traces_one_connection_and_tracing_off_writes_nothing() {
    let a = echo();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.txt");
    let out = eval_with(
        &[
            ("ADDR", a.to_string().into()),
            ("FILE", file.display().to_string().into()),
        ],
        r#"
        let quiet = OPI_TCP::CreateConnection(ADDR);
        let loud = OPI_TCP::CreateConnection(ADDR);
        loud.SetTrace(true, FILE);
        quiet.SendLine("not traced\n");
        loud.SendLine("traced\n");
        loud.ReadLine((), "\n", 2000);
        loud.SetTrace(false);
        loud.SendLine("after\n");
        true
    "#,
    );
    assert!(out.is_ok(), "{out:?}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(r#""traced\n""#), "{text}");
    assert!(
        !text.contains("not traced") && !text.contains("after"),
        "{text}"
    );
    assert_eq!(text.matches("> 7 bytes").count(), 1, "{text}");
}

#[test]
fn trace_flags_without_trace_are_a_usage_error() {
    opi()
        .args(["--trace-hex", "-e", "1"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "--trace-hex and --trace-full go with --trace",
        ));
}

#[test]
fn a_servers_accepted_connections_are_traced_too() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("srv.txt");
    let script = r#"let s = OPI_TCP::StartServer("127.0.0.1:0");
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`);
        c.SendLine("to the server\n");
        let d = s.GetNextConnectionData(2000);
        s.SendData(d.connectionId, "to the client\n");
        c.ReadLine((), "\n", 2000);
        s.CompleteSend(d.connectionId);
        c.CloseConnection();
        sleep(200);"#;
    opi()
        .args([&format!("--trace={}", trace.display()), "-e", script])
        .assert()
        .success();
    let text = std::fs::read_to_string(&trace).unwrap();
    let got = lines(&text);
    let server_side: Vec<&String> = got.iter().filter(|l| l.contains("(client of ")).collect();
    assert!(
        server_side.iter().any(|l| l.ends_with(" accepted")),
        "{text}"
    );
    assert!(
        server_side.iter().any(|l| l.ends_with(" < 14 bytes")),
        "{text}"
    );
    assert!(
        server_side.iter().any(|l| l.ends_with(" > 14 bytes")),
        "{text}"
    );
    assert!(
        server_side
            .iter()
            .any(|l| l.ends_with(" half-close (CompleteSend)")),
        "{text}"
    );
    assert!(
        server_side
            .iter()
            .any(|l| l.ends_with(" closed by the client")),
        "{text}"
    );
    assert_eq!(
        text.matches(r#""to the server\n""#).count(),
        2,
        "both sides show it: {text}"
    );
}
