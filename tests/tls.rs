//! TLS through the script layer: verification (CA file, unknown CA, names, IP SANs, expiry),
//! the insecure mode, close_notify in both directions, the handshake inside the connect
//! deadline, and the example script. In-process rustls servers with rcgen certificates
//! (`common::tls`); the real peers of `../shared/test-peers` only with `OPI_TCP_PEERS=1`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use opi_tcp::net::{self, ConnectOptions, ErrorKind, ReadLimit, Target, TlsOptions};
use rhai::Dynamic;

use crate::common::tls::*;
use crate::common::{eval_with, opi, silent, speaks_first};

const WAIT: Duration = Duration::from_secs(5);

/// Runs `code` with the constants `ADDR` and `CA` (a CA file path, or "").
fn run(addr: impl ToString, ca: &str, code: &str) -> Result<Dynamic, String> {
    eval_with(
        &[("ADDR", addr.to_string().into()), ("CA", ca.into())],
        code,
    )
}

pub(crate) fn run_str(addr: impl ToString, ca: &str, code: &str) -> String {
    match run(addr, ca, code) {
        Ok(v) => v.to_string(),
        Err(e) => panic!("script failed: {e}\n{code}"),
    }
}

/// Connects with `tls` (script code for the settings) and answers `connected` or
/// `KIND: MESSAGE`.
pub(crate) fn connect_outcome(addr: impl ToString, ca: &str, tls: &str) -> String {
    run_str(
        addr,
        ca,
        &format!(
            r#"
            let c = OPI_TCP::CreateConnection(ADDR, {tls});
            if OPI_TCP::IsClientObject(c) {{
                c.SendLine("ping\n");
                let got = c.ReadLine((), "\n", 5000);
                c.CloseConnection();
                if got == "ping\n" {{ "connected" }} else {{ `echo failed: ${{got}}` }}
            }} else {{
                `${{c.kind}}: ${{c.error}}`
            }}
        "#
        ),
    )
}

fn localhost(a: SocketAddr) -> String {
    format!("localhost:{}", a.port())
}

#[test]
fn verified_with_a_ca_file() {
    let ca = Ca::new("Test CA");
    let a = tls_echo(&ca.leaf(&["localhost"]));
    let file = temp_file(&ca.pem);
    let out = connect_outcome(
        localhost(a),
        &path_of(&file),
        "OPI_TCP::GetTlsSettings(false, CA)",
    );
    assert_eq!(out, "connected");
}

#[test]
fn an_unknown_ca_is_refused() {
    let ca = Ca::new("Untrusted CA");
    let a = tls_echo(&ca.leaf(&["localhost"]));
    let out = connect_outcome(localhost(a), "", "OPI_TCP::GetTlsSettings(false)");
    assert!(
        out.starts_with("tls: tls handshake with localhost:"),
        "{out}"
    );
    assert!(
        out.contains("the certificate is not signed by a trusted CA (unknown issuer)"),
        "{out}"
    );

    // Trusting another CA does not help either.
    let other = Ca::new("Other CA");
    let file = temp_file(&other.pem);
    let out = connect_outcome(
        localhost(a),
        &path_of(&file),
        "OPI_TCP::GetTlsSettings(false, CA)",
    );
    assert!(out.contains("unknown issuer"), "{out}");
}

#[test]
fn a_certificate_for_another_name_is_refused_naming_the_name() {
    let ca = Ca::new("Test CA");
    let a = tls_echo(&ca.leaf(&["example.test"]));
    let file = temp_file(&ca.pem);
    let out = connect_outcome(
        localhost(a),
        &path_of(&file),
        "OPI_TCP::GetTlsSettings(false, CA)",
    );
    assert!(out.starts_with("tls: "), "{out}");
    assert!(
        out.contains("the certificate is not valid for 'localhost' (it is for: example.test)"),
        "{out}"
    );
}

#[test]
fn an_ip_address_needs_an_ip_san() {
    let ca = Ca::new("Test CA");
    let file = temp_file(&ca.pem);
    let with_ip = tls_echo(&ca.leaf(&["localhost", "127.0.0.1"]));
    let out = connect_outcome(
        with_ip,
        &path_of(&file),
        "OPI_TCP::GetTlsSettings(false, CA)",
    );
    assert_eq!(out, "connected");

    let name_only = tls_echo(&ca.leaf(&["localhost"]));
    let out = connect_outcome(
        name_only,
        &path_of(&file),
        "OPI_TCP::GetTlsSettings(false, CA)",
    );
    assert!(
        out.contains("the certificate is not valid for '127.0.0.1' (it is for: localhost)"),
        "{out}"
    );
}

#[test]
fn sni_is_the_hostname_and_absent_for_an_ip() {
    let ca = Ca::new("Test CA");
    let file = temp_file(&ca.pem);
    let (a, sni) = tls_sni_probe(&ca.leaf(&["localhost", "127.0.0.1"]));
    let tls = "OPI_TCP::GetTlsSettings(false, CA)";
    assert_eq!(
        connect_outcome(localhost(a), &path_of(&file), tls),
        "connected"
    );
    assert_eq!(
        sni.recv_timeout(WAIT).unwrap().as_deref(),
        Some("localhost")
    );
    assert_eq!(connect_outcome(a, &path_of(&file), tls), "connected");
    assert_eq!(sni.recv_timeout(WAIT).unwrap(), None);
}

#[test]
fn a_ca_file_with_several_certificates_trusts_each() {
    let ca = Ca::new("Right CA");
    let a = tls_echo(&ca.leaf(&["localhost"]));
    let first = Ca::new("First CA");
    let third = Ca::new("Third CA");
    let file = temp_file(&format!("{}{}{}", first.pem, ca.pem, third.pem));
    let out = connect_outcome(
        localhost(a),
        &path_of(&file),
        "OPI_TCP::GetTlsSettings(false, CA)",
    );
    assert_eq!(out, "connected");
}

#[test]
fn a_missing_or_certificate_less_ca_file_is_a_settings_error_naming_it() {
    let a = silent();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-ca.pem");
    let missing = missing.to_str().unwrap();
    let out = connect_outcome(a, missing, "OPI_TCP::GetTlsSettings(false, CA)");
    assert!(
        out.starts_with("settings: settings for 127.0.0.1:"),
        "{out}"
    );
    assert!(out.contains(&format!("'{missing}'")), "{out}");
    assert!(out.contains("no such file"), "{out}");

    let key_only = temp_file(&self_signed(&["localhost"]).key_pem);
    let out = connect_outcome(a, &path_of(&key_only), "OPI_TCP::GetTlsSettings(false, CA)");
    assert!(out.starts_with("settings: "), "{out}");
    assert!(out.contains(&format!("'{}'", path_of(&key_only))), "{out}");
    assert!(out.contains("no PEM certificate"), "{out}");

    let empty = temp_file("");
    let out = connect_outcome(a, &path_of(&empty), "OPI_TCP::GetTlsSettings(false, CA)");
    assert!(out.contains("no PEM certificate"), "{out}");
}

#[test]
fn an_expired_certificate_is_refused_with_its_date() {
    let ca = Ca::new("Test CA");
    let a = tls_echo(&ca.expired_leaf(&["localhost"]));
    let file = temp_file(&ca.pem);
    let out = connect_outcome(
        localhost(a),
        &path_of(&file),
        "OPI_TCP::GetTlsSettings(false, CA)",
    );
    assert!(out.starts_with("tls: "), "{out}");
    assert!(
        out.contains("the certificate has expired (it was valid until 2020-01-01 00:00:00 UTC)"),
        "{out}"
    );
}

#[test]
fn insecure_mode_accepts_a_self_signed_certificate_for_another_name() {
    let a = tls_echo(&self_signed(&["example.test"]));
    let out = connect_outcome(a, "", "OPI_TCP::GetTlsSettings(true)");
    assert_eq!(out, "connected");
    // The same server is refused when verification is on.
    let out = connect_outcome(a, "", "OPI_TCP::GetTlsSettings(false)");
    assert!(out.starts_with("tls: "), "{out}");
}

#[test]
fn insecure_mode_still_checks_the_handshake_signature() {
    // A server showing a certificate whose key it does not hold.
    let a = tls_impostor(&self_signed(&["localhost"]));
    let out = connect_outcome(a, "", "OPI_TCP::GetTlsSettings(true)");
    assert!(out.starts_with("tls: "), "{out}");
    assert!(out.contains("signature"), "{out}");
}

#[test]
fn a_plain_server_is_not_mistaken_for_tls() {
    let a = speaks_first(b"SSH-2.0-OpenSSH_9.2p1\r\n");
    let out = connect_outcome(a, "", "OPI_TCP::GetTlsSettings(true)");
    assert!(out.starts_with("tls: "), "{out}");
    assert!(out.contains("a TLS port?"), "{out}");
}

#[test]
fn reads_markers_and_leftovers_behave_as_over_plain_tcp() {
    let ca = Ca::new("Test CA");
    let a = tls_echo(&ca.leaf(&["localhost"]));
    let file = temp_file(&ca.pem);
    let out = run_str(
        localhost(a),
        &path_of(&file),
        r#"
        let c = OPI_TCP::CreateConnection(ADDR, OPI_TCP::GetTlsSettings(false, CA));
        c.SendLine("one\ntwo\nthree");
        let a = c.ReadLine((), "\n", 2000);
        let b = c.ReadBinaryData(2, "", 2000).as_string();
        let rest = c.ReadLine((), "\n", 2000);
        let tail = c.ReadLine((), (), 300);
        c.SendBinaryData(blob(3, 65));
        let d = c.ReadBinaryData(3, (), 2000);
        [a, b, rest, tail, d.len(), c.GetLastError()]
    "#,
    );
    assert_eq!(out, r#"["one\n", "tw", "o\n", "three", 3, ()]"#);
}

#[test]
fn data_before_a_missing_close_notify_is_returned_as_at_eof() {
    let ca = Ca::new("Test CA");
    let a = tls_send_and_drop(&ca.leaf(&["localhost"]), b"last words, no close_notify");
    let file = temp_file(&ca.pem);
    let out = run_str(
        localhost(a),
        &path_of(&file),
        r#"
        let c = OPI_TCP::CreateConnection(ADDR, OPI_TCP::GetTlsSettings(false, CA));
        let all = c.ReadLine((), (), 5000);
        let again = c.ReadLine((), (), 300);
        [all, again, c.last_read, c.GetLastError()]
    "#,
    );
    assert_eq!(
        out,
        r#"["last words, no close_notify", "", "eof_without_close_notify", ()]"#
    );
}

#[test]
fn close_connection_sends_close_notify() {
    let ca = Ca::new("Test CA");
    let (a, ending) = tls_observer(&ca.leaf(&["localhost"]), b"");
    let file = temp_file(&ca.pem);
    let out = run_str(
        localhost(a),
        &path_of(&file),
        r#"
        let c = OPI_TCP::CreateConnection(ADDR, OPI_TCP::GetTlsSettings(false, CA));
        c.SendLine("bye");
        c.CloseConnection()
    "#,
    );
    assert_eq!(out, "true");
    assert_eq!(
        ending.recv_timeout(WAIT).unwrap(),
        Ending::CloseNotify(b"bye".to_vec())
    );
}

#[test]
fn finish_sending_sends_close_notify_and_reading_still_works() {
    let ca = Ca::new("Test CA");
    let (a, ending) = tls_observer(&ca.leaf(&["localhost"]), b"got it");
    let file = temp_file(&ca.pem);
    let out = run_str(
        localhost(a),
        &path_of(&file),
        r#"
        let c = OPI_TCP::CreateConnection(ADDR, OPI_TCP::GetTlsSettings(false, CA));
        c.SendLine("request");
        let finished = c.FinishSending();
        let reply = c.ReadLine((), (), 5000);
        [finished, reply, c.GetLastError()]
    "#,
    );
    assert_eq!(out, r#"[true, "got it", ()]"#);
    assert_eq!(
        ending.recv_timeout(WAIT).unwrap(),
        Ending::CloseNotify(b"request".to_vec())
    );
}

#[test]
fn a_stalled_handshake_hits_the_connect_deadline() {
    let a = silent();
    let t = Instant::now();
    let out = run_str(
        a,
        "",
        r#"
        set_connect_timeout(300);
        let c = OPI_TCP::CreateConnection(ADDR, OPI_TCP::GetTlsSettings(false));
        `${c.kind}: ${c.error}`
    "#,
    );
    assert!(
        out.starts_with("timeout: tls handshake with 127.0.0.1:"),
        "{out}"
    );
    assert!(out.ends_with("timed out after 300ms"), "{out}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
}

#[test]
fn process_request_over_tls() {
    let ca = Ca::new("Test CA");
    let a = tls_reverse_lines(&ca.leaf(&["localhost"]));
    let file = temp_file(&ca.pem);
    let out = run_str(
        localhost(a),
        &path_of(&file),
        r#"
        let ok = OPI_TCP::ProcessRequest(ADDR, "hello\n", true, OPI_TCP::GetTlsSettings(false, CA));
        let refused = OPI_TCP::ProcessRequest(ADDR, "hello\n", true, OPI_TCP::GetTlsSettings(false));
        [ok, refused.kind]
    "#,
    );
    assert_eq!(out, r#"["olleh\n", "tls"]"#);
}

#[test]
fn the_insecure_warning_is_printed_once_per_process() {
    let a = tls_echo(&self_signed(&["example.test"]));
    let code = format!(
        r#"
        for i in 0..3 {{
            let c = OPI_TCP::CreateConnection("{a}", OPI_TCP::GetTlsSettings(true));
            c.CloseConnection();
        }}
        print("done");
    "#
    );
    let out = opi()
        .args(["eval", &code])
        .assert()
        .success()
        .stdout("done\n");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(
        stderr,
        "warning: TLS certificate verification is disabled (accept_invalid_certs)\n"
    );
}

#[test]
fn the_tls_echo_example_runs() {
    let ca = Ca::new("Test CA");
    let a = tls_echo(&ca.leaf(&["localhost"]));
    let file = temp_file(&ca.pem);
    opi()
        .args(["scripts/tls_echo.rhai", &localhost(a), &path_of(&file)])
        .assert()
        .success()
        .stdout("echoed: Hello over TLS!\n");
}

// ---- Additions of the net layer that the script map does not carry yet.

fn net_round_trip(addr: &str, tls: TlsOptions) -> Result<String, net::Error> {
    let target = Target::parse(addr)?;
    let opts = ConnectOptions {
        tls: Some(tls),
        ..ConnectOptions::default()
    };
    net::block_on(async {
        let mut conn = net::connect(&target, &opts).await?;
        conn.send(b"ping\n", Some(WAIT)).await?;
        let limit = ReadLimit {
            max: None,
            marker: Some(b"\n".to_vec()),
            timeout: Some(WAIT),
            cap: 1 << 20,
            units: Default::default(),
        };
        let out = conn.read(&limit).await;
        conn.close().await;
        match out.error {
            Some(e) => Err(e),
            None => Ok(String::from_utf8_lossy(&out.data).into_owned()),
        }
    })
    .unwrap()
}

#[test]
fn mutual_tls_with_a_client_certificate() {
    let server_ca = Ca::new("Server CA");
    let client_ca = Ca::new("Client CA");
    let a = serve_mutual_tls(&server_ca.leaf(&["localhost"]), &client_ca, |mut tls| {
        use std::io::{Read, Write};
        let mut buf = [0u8; 64];
        if let Ok(n) = tls.read(&mut buf) {
            let _ = tls.write_all(&buf[..n]).and_then(|_| tls.flush());
        }
        close_tls(&mut tls);
    });
    let ca_file = temp_file(&server_ca.pem);
    let client = client_ca.leaf(&["client.test"]);
    let cert = temp_file(&client.cert_pem);
    let key = temp_file(&client.key_pem);
    let opts = TlsOptions {
        ca_cert_path: Some(ca_file.path().into()),
        client_cert_path: Some(cert.path().into()),
        client_key_path: Some(key.path().into()),
        ..TlsOptions::default()
    };
    assert_eq!(net_round_trip(&localhost(a), opts).unwrap(), "ping\n");

    // Certificate and key in one file.
    let both = temp_file(&format!("{}{}", client.cert_pem, client.key_pem));
    let opts = TlsOptions {
        ca_cert_path: Some(ca_file.path().into()),
        client_cert_path: Some(both.path().into()),
        ..TlsOptions::default()
    };
    assert_eq!(net_round_trip(&localhost(a), opts).unwrap(), "ping\n");

    // A key that is not the certificate's is found before connecting.
    let stranger = self_signed(&["x.test"]);
    let wrong_key = temp_file(&stranger.key_pem);
    let opts = TlsOptions {
        ca_cert_path: Some(ca_file.path().into()),
        client_cert_path: Some(cert.path().into()),
        client_key_path: Some(wrong_key.path().into()),
        ..TlsOptions::default()
    };
    let e = net_round_trip(&localhost(a), opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Settings, "{e}");
}

#[test]
fn a_server_name_override_is_checked_and_sent() {
    let ca = Ca::new("Test CA");
    let (a, sni) = tls_sni_probe(&ca.leaf(&["service.test"]));
    let ca_file = temp_file(&ca.pem);
    let opts = TlsOptions {
        ca_cert_path: Some(ca_file.path().into()),
        server_name: Some("service.test".into()),
        ..TlsOptions::default()
    };
    assert_eq!(net_round_trip(&a.to_string(), opts).unwrap(), "ping\n");
    assert_eq!(
        sni.recv_timeout(WAIT).unwrap().as_deref(),
        Some("service.test")
    );
}

#[test]
fn client_certificate_and_server_name_through_the_settings_map() {
    let server_ca = Ca::new("Server CA");
    let client_ca = Ca::new("Client CA");
    let a = serve_mutual_tls(&server_ca.leaf(&["service.test"]), &client_ca, |mut tls| {
        use std::io::{Read, Write};
        let mut buf = [0u8; 64];
        if let Ok(n) = tls.read(&mut buf) {
            let _ = tls.write_all(&buf[..n]).and_then(|_| tls.flush());
        }
        close_tls(&mut tls);
    });
    let ca_file = temp_file(&server_ca.pem);
    let client = client_ca.leaf(&["client.test"]);
    let both = temp_file(&format!("{}{}", client.cert_pem, client.key_pem));
    let ca = ca_file.path().display().to_string();
    let tls = format!(
        r#"OPI_TCP::GetTlsSettings(false, CA) + #{{client_cert_path: "{}", server_name: "service.test"}}"#,
        both.path().display()
    );
    assert_eq!(connect_outcome(a, &ca, &tls), "connected");
    let out = connect_outcome(a, &ca, r#"#{use_tls: true, ca_cert_path: CA, sni: "x"}"#);
    assert!(
        out.starts_with("settings:") && out.contains("server_name"),
        "{out}"
    );
}

#[test]
fn a_certificate_chain_over_the_handshake_limit_is_not_taken_for_plain_tcp() {
    let ca = Ca::new("Chain CA");
    let mut leaf = ca.leaf(&["localhost"]);
    // Some 300 copies of the CA: a Certificate message far over rustls' 64 KiB.
    leaf.chain.extend(std::iter::repeat_n(ca.der.clone(), 300));
    let a = tls_echo(&leaf);
    let out = connect_outcome(localhost(a), "", "OPI_TCP::GetTlsSettings(true)");
    assert!(out.starts_with("tls: "), "{out}");
    assert!(out.contains("larger than TLS allows"), "{out}");
    assert!(!out.contains("TLS port"), "{out}");
}

#[test]
fn an_international_name_is_sent_and_checked_as_punycode() {
    let ca = Ca::new("IDN CA");
    let (tls, sni) = tls_sni_probe(&ca.leaf(&["xn--bcher-kva.example"]));
    // The name resolves nowhere: a SOCKS5h proxy carries it (and shows what it was sent).
    let (proxy, requests) = crate::common::proxy::socks5(crate::common::proxy::Socks5 {
        upstream: crate::common::proxy::Upstream::To(tls),
        ..Default::default()
    });
    let file = temp_file(&ca.pem);
    let got = run_str(
        "bücher.example:443",
        &path_of(&file),
        &format!(
            r#"let c = OPI_TCP::CreateConnection(ADDR, OPI_TCP::GetTlsSettings(false, CA), "socks5h://{proxy}");
               if !OPI_TCP::IsClientObject(c) {{ return c.error; }}
               c.SendLine("hi\n");
               c.ReadLine((), "\n", 5000)"#
        ),
    );
    assert_eq!(got, "hi\n");
    assert_eq!(
        sni.recv_timeout(WAIT).unwrap().as_deref(),
        Some("xn--bcher-kva.example")
    );
    assert_eq!(
        requests.recv_timeout(WAIT).unwrap().host,
        "xn--bcher-kva.example"
    );
}

/// What `openssl req -x509` makes: self-signed, CA:TRUE. Given itself as the CA file it is
/// trusted, as curl `--cacert` trusts it (webpki alone refuses any CA certificate as a server's).
#[test]
fn a_servers_own_self_signed_ca_certificate_given_as_the_ca_file_is_trusted() {
    let own = self_signed_ca(&["localhost"]);
    let a = tls_echo(&own);
    let file = temp_file(&own.cert_pem);
    let out = connect_outcome(
        localhost(a),
        &path_of(&file),
        "OPI_TCP::GetTlsSettings(false, CA)",
    );
    assert_eq!(out, "connected");

    // Among other certificates in the file too; and a CA:FALSE self-signed one as well.
    let other = Ca::new("Other CA");
    let file = temp_file(&format!("{}{}", other.pem, own.cert_pem));
    let out = connect_outcome(
        localhost(a),
        &path_of(&file),
        "OPI_TCP::GetTlsSettings(false, CA)",
    );
    assert_eq!(out, "connected");
    let plain = self_signed(&["localhost"]);
    let file = temp_file(&plain.cert_pem);
    let out = connect_outcome(
        localhost(tls_echo(&plain)),
        &path_of(&file),
        "OPI_TCP::GetTlsSettings(false, CA)",
    );
    assert_eq!(out, "connected");
}

#[test]
fn an_untrusted_self_signed_certificate_is_refused_saying_so() {
    const SELF_SIGNED: &str = "the certificate is self-signed and not trusted; to trust this \
                               server's own certificate, give that certificate's PEM file as \
                               ca_cert_path";
    let a = tls_echo(&self_signed_ca(&["localhost"]));
    let out = connect_outcome(localhost(a), "", "OPI_TCP::GetTlsSettings(false)");
    assert!(
        out.starts_with("tls: tls handshake with localhost:"),
        "{out}"
    );
    assert!(out.ends_with(SELF_SIGNED), "{out}");

    // Another self-signed CA:TRUE certificate for the same name is not this one.
    let unrelated = self_signed_ca(&["localhost"]);
    let file = temp_file(&unrelated.cert_pem);
    let out = connect_outcome(
        localhost(a),
        &path_of(&file),
        "OPI_TCP::GetTlsSettings(false, CA)",
    );
    assert!(out.ends_with(SELF_SIGNED), "{out}");

    // A CA:FALSE one was "unknown issuer" before; it is self-signed all the same.
    let a = tls_echo(&self_signed(&["localhost"]));
    let out = connect_outcome(localhost(a), "", "OPI_TCP::GetTlsSettings(false)");
    assert!(out.ends_with(SELF_SIGNED), "{out}");
}

/// Trusting the certificate as given skips only the CA flag: its dates, purpose and name hold.
#[test]
fn a_self_signed_certificate_given_as_the_ca_file_is_still_checked() {
    let check = |own: &Leaf| {
        let file = temp_file(&own.cert_pem);
        connect_outcome(
            localhost(tls_echo(own)),
            &path_of(&file),
            "OPI_TCP::GetTlsSettings(false, CA)",
        )
    };
    let out = check(&self_signed_ca(&["example.test"]));
    assert!(
        out.ends_with("the certificate is not valid for 'localhost' (it is for: example.test)"),
        "{out}"
    );
    let out = check(&self_signed_with(&["localhost"], |p| {
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        p.not_before = rcgen::date_time_ymd(2019, 1, 1);
        p.not_after = rcgen::date_time_ymd(2020, 1, 1);
    }));
    assert!(
        out.ends_with("the certificate has expired (it was valid until 2020-01-01 00:00:00 UTC)"),
        "{out}"
    );
    let out = check(&self_signed_with(&["localhost"], |p| {
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    }));
    assert!(
        out.ends_with("the certificate is not meant for a TLS server (extended key usage)"),
        "{out}"
    );
}

#[test]
fn a_ca_certificate_shown_as_a_servers_own_is_refused_saying_so() {
    let ca = Ca::new("Test CA");
    let a = tls_echo(&ca.ca_leaf(&["localhost"]));
    let file = temp_file(&ca.pem);
    let out = connect_outcome(
        localhost(a),
        &path_of(&file),
        "OPI_TCP::GetTlsSettings(false, CA)",
    );
    assert!(
        out.ends_with(
            "the certificate is a CA certificate (CA:TRUE), which cannot identify a server \
             unless that very certificate is given as ca_cert_path"
        ),
        "{out}"
    );
}

/// An encrypted client key (PKCS#8 or OpenSSL's legacy form) is refused before connecting, and
/// the words say how to get a key opi-tcp reads.
#[test]
fn an_encrypted_client_key_is_refused_saying_what_to_do() {
    let ca = Ca::new("Test CA");
    let client = ca.leaf(&["client.test"]);
    let cert = temp_file(&client.cert_pem);
    for key_pem in [
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n",
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n",
    ] {
        let key = temp_file(key_pem);
        let opts = TlsOptions {
            client_cert_path: Some(cert.path().into()),
            client_key_path: Some(key.path().into()),
            ..TlsOptions::default()
        };
        // Nothing listens there: the settings are refused before any connect.
        let e = net_round_trip("127.0.0.1:1", opts).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Settings, "{e}");
        let text = e.to_string();
        assert!(text.contains("the private key is encrypted"), "{text}");
        assert!(text.contains("openssl pkey"), "{text}");
    }
}
