//! Proxies through the script layer: SOCKS5 (methods, credentials, every reply code, every bound
//! address type), SOCKS4 and SOCKS4a, HTTP CONNECT (2xx, 401/407, other codes, an oversized head,
//! the target's first bytes in the proxy's segment), where names are resolved, validation before
//! any byte is sent, deadlines, TLS over each type, and the example scripts. In-process fakes
//! (`common::proxy`); the real proxies of `../shared/test-peers` only with `OPI_TCP_PEERS=1`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rhai::Dynamic;

use crate::common::proxy::*;
use crate::common::tls::*;
use crate::common::{echo, eval, eval_with, opi, refused_port, silent, speaks_first};

const WAIT: Duration = Duration::from_secs(5);
pub(crate) const SECRET: &str = "hunter2-secret";
const BANNER: &[u8] = b"BANNER-FROM-SERVER\n";

/// Runs `code` with the constants `ADDR` (the target), `PROXY` (`host:port` of the proxy),
/// `PROXY_HOST`, `PROXY_PORT` and `SECRET`.
fn run(target: impl ToString, proxy: SocketAddr, code: &str) -> Result<Dynamic, String> {
    eval_with(
        &[
            ("ADDR", target.to_string().into()),
            ("PROXY", proxy.to_string().into()),
            ("PROXY_HOST", proxy.ip().to_string().into()),
            ("PROXY_PORT", i64::from(proxy.port()).into()),
            ("SECRET", SECRET.into()),
        ],
        code,
    )
}

fn run_str(target: impl ToString, proxy: SocketAddr, code: &str) -> String {
    match run(target, proxy, code) {
        Ok(v) => v.to_string(),
        Err(e) => panic!("script failed: {e}\n{code}"),
    }
}

/// Connects through `setting` (script code for the proxy), reads a first line if `banner`, then
/// checks an echo; answers `connected`, `connected <banner>` or `KIND: MESSAGE`. No answer may
/// ever contain the password.
pub(crate) fn outcome(
    target: impl ToString,
    proxy: SocketAddr,
    setting: &str,
    banner: bool,
) -> String {
    outcome_with(target, proxy, "()", setting, banner)
}

pub(crate) fn outcome_with(
    target: impl ToString,
    proxy: SocketAddr,
    tls: &str,
    setting: &str,
    banner: bool,
) -> String {
    let out = run_str(
        target,
        proxy,
        &format!(
            r#"
            let c = OPI_TCP::CreateConnection(ADDR, {tls}, {setting});
            if OPI_TCP::IsClientObject(c) {{
                let first = if {banner} {{ " " + c.ReadLine((), "\n", 5000) }} else {{ "" }};
                c.SendLine("ping\n");
                let got = c.ReadLine((), "\n", 5000);
                c.CloseConnection();
                if got == "ping\n" {{ "connected" + first }} else {{ `echo failed: ${{got}}` }}
            }} else {{
                `${{c.kind}}: ${{c.error}}`
            }}
        "#
        ),
    );
    assert!(!out.contains(SECRET), "the password leaked: {out}");
    out
}

fn socks5_map(kind: &str) -> String {
    format!(r#"OPI_TCP::GetProxySettings(PROXY_HOST, PROXY_PORT, "{kind}")"#)
}

fn with_login(kind: &str, user: &str, password: &str) -> String {
    format!(
        r#"OPI_TCP::GetProxySettings(PROXY_HOST, PROXY_PORT, "{kind}", "{user}", "{password}")"#
    )
}

/// A valid DNS name of `len` bytes (labels of 63), or an invalid one past 253.
fn long_name(len: usize) -> String {
    let mut name = vec!["a".repeat(63); 5].join(".");
    name.truncate(len);
    name
}

fn localhost(a: SocketAddr) -> String {
    format!("localhost:{}", a.port())
}

// ---- SOCKS5 ----

#[test]
fn socks5_without_auth_relays_both_ways() {
    let target = echo();
    let (p, seen) = socks5(Socks5::default());
    assert_eq!(
        outcome(target, p, &socks5_map("socks5"), false),
        "connected"
    );
    let req = seen.recv_timeout(WAIT).unwrap();
    assert_eq!(req.methods, vec![0]);
    assert_eq!(req.login, None);
    assert_eq!((req.atyp, req.host.as_str()), (1, "127.0.0.1"));
    assert_eq!(req.port, target.port());
}

#[test]
fn socks5_with_login_and_password_from_a_map_and_a_url() {
    let target = echo();
    let (p, seen) = socks5(Socks5 {
        credentials: Some(("al ice", "p@ss:w%rd")),
        ..Socks5::default()
    });
    let map = with_login("socks5", "al ice", "p@ss:w%rd");
    assert_eq!(outcome(target, p, &map, false), "connected");
    let req = seen.recv_timeout(WAIT).unwrap();
    assert_eq!(req.methods, vec![0, 2]);
    assert_eq!(req.login, Some(("al ice".into(), "p@ss:w%rd".into())));

    let url = r#"`socks5://al%20ice:p%40ss%3Aw%25rd@${PROXY}`"#;
    assert_eq!(outcome(target, p, url, false), "connected");
    let req = seen.recv_timeout(WAIT).unwrap();
    assert_eq!(req.login, Some(("al ice".into(), "p@ss:w%rd".into())));
}

#[test]
fn socks5_wrong_or_missing_credentials_are_proxy_auth() {
    let (p, _seen) = socks5(Socks5 {
        credentials: Some(("alice", "s3cret")),
        ..Socks5::default()
    });
    let out = outcome(
        "127.0.0.1:9",
        p,
        &with_login("socks5", "alice", SECRET),
        false,
    );
    assert_eq!(
        out,
        format!(
            "proxy_auth: proxy for 127.0.0.1:9: proxy {p} (socks5): authentication failed: \
             the proxy rejected the login or password"
        )
    );
    let out = outcome("127.0.0.1:9", p, &socks5_map("socks5h"), false);
    assert_eq!(
        out,
        format!(
            "proxy_auth: proxy for 127.0.0.1:9: proxy {p} (socks5h): authentication required: \
             the proxy wants a login and password"
        )
    );
}

#[test]
fn socks5_a_method_we_did_not_offer_is_refused() {
    let (p, _) = socks5(Socks5 {
        method: Some(0x01),
        ..Socks5::default()
    });
    let out = outcome("127.0.0.1:9", p, &socks5_map("socks5"), false);
    assert!(
        out.starts_with("proxy: ")
            && out.ends_with("chose authentication method 0x01, which we did not offer"),
        "{out}"
    );
    // Asked for a password although we offered none.
    let (p, _) = socks5(Socks5 {
        method: Some(0x02),
        ..Socks5::default()
    });
    let out = outcome("127.0.0.1:9", p, &socks5_map("socks5"), false);
    assert!(out.starts_with("proxy_auth: "), "{out}");
    assert!(out.contains("authentication required"), "{out}");
    // No acceptable method (0xFF) when we offered a password.
    let (p, _) = socks5(Socks5 {
        method: Some(0xff),
        ..Socks5::default()
    });
    let out = outcome("127.0.0.1:9", p, &with_login("socks5", "u", SECRET), false);
    assert!(out.starts_with("proxy_auth: "), "{out}");
    assert!(
        out.contains("accepts none of our authentication methods"),
        "{out}"
    );
}

#[test]
fn socks5_every_reply_code_has_words() {
    let cases: [(u8, &str); 9] = [
        (
            1,
            "the proxy could not connect to the target: general SOCKS server failure (asked for 127.0.0.1:9)",
        ),
        (
            2,
            "the proxy's rules do not allow this connection (asked for 127.0.0.1:9)",
        ),
        (
            3,
            "target unreachable through the proxy: network unreachable (asked for 127.0.0.1:9)",
        ),
        (
            4,
            "target unreachable through the proxy: host unreachable (asked for 127.0.0.1:9)",
        ),
        (
            5,
            "target refused by proxy: connection refused (asked for 127.0.0.1:9)",
        ),
        (
            6,
            "the proxy's connection to the target timed out: TTL expired (asked for 127.0.0.1:9)",
        ),
        (7, "the proxy does not support the CONNECT command"),
        (
            8,
            "the proxy does not accept IPv4 addresses: address type not supported (asked for 127.0.0.1:9)",
        ),
        (9, "the proxy answered with the unknown reply code 0x09"),
    ];
    for (code, words) in cases {
        let (p, _) = socks5(Socks5 {
            reply: code,
            ..Socks5::default()
        });
        let out = outcome("127.0.0.1:9", p, &socks5_map("socks5"), false);
        assert_eq!(
            out,
            format!("proxy: proxy for 127.0.0.1:9: proxy {p} (socks5): {words}"),
            "reply code {code}"
        );
    }
    // socks5h: the name cannot be carried; the message does not suggest it was resolved here.
    let (p, seen) = socks5(Socks5 {
        reply: 8,
        ..Socks5::default()
    });
    let out = outcome("example.test:443", p, &socks5_map("socks5h"), false);
    assert!(out.contains("does not accept host names"), "{out}");
    assert_eq!(seen.recv_timeout(WAIT).unwrap().atyp, 3);
}

#[test]
fn socks5_bound_address_of_each_type_then_intact_tunnel_data() {
    for bound in [Bound::V4, Bound::V6, Bound::Domain] {
        let (p, _) = socks5(Socks5 {
            bound,
            upstream: Upstream::Echo(BANNER),
            ..Socks5::default()
        });
        let out = outcome("example.test:443", p, &socks5_map("socks5h"), true);
        assert_eq!(out, "connected BANNER-FROM-SERVER\n", "{bound:?}");
    }
}

#[test]
fn socks5_sends_an_ip_and_socks5h_sends_the_name() {
    let target = echo();
    let (p, seen) = socks5(Socks5::default());
    assert_eq!(
        outcome(localhost(target), p, &socks5_map("socks5"), false),
        "connected"
    );
    let req = seen.recv_timeout(WAIT).unwrap();
    assert_eq!((req.atyp, req.host.as_str()), (1, "127.0.0.1"));

    assert_eq!(
        outcome(localhost(target), p, &socks5_map("SOCKS5H"), false),
        "connected"
    );
    let req = seen.recv_timeout(WAIT).unwrap();
    assert_eq!((req.atyp, req.host.as_str()), (3, "localhost"));
    assert_eq!(req.port, target.port());

    // An IPv6 literal goes as ATYP 4.
    let (p, seen) = socks5(Socks5 {
        upstream: Upstream::Echo(b""),
        ..Socks5::default()
    });
    assert_eq!(
        outcome("[::1]:443", p, &socks5_map("socks5h"), false),
        "connected"
    );
    let req = seen.recv_timeout(WAIT).unwrap();
    assert_eq!((req.atyp, req.host.as_str()), (4, "::1"));
}

#[test]
fn socks5_a_name_that_does_not_resolve_here_sends_nothing() {
    let (p, count) = counting();
    let out = outcome("no-such-host.invalid:80", p, &socks5_map("socks5"), false);
    assert!(
        out.starts_with("dns: resolve no-such-host.invalid:80: "),
        "{out}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 0);
}

// ---- SOCKS4 / SOCKS4a ----

#[test]
fn socks4_granted_with_a_userid_and_rejected() {
    let target = echo();
    let (p, seen) = socks4(Socks4::default());
    let setting = r#"OPI_TCP::GetProxySettings(PROXY_HOST, PROXY_PORT, "socks4", "bob")"#;
    assert_eq!(outcome(localhost(target), p, setting, false), "connected");
    let req = seen.recv_timeout(WAIT).unwrap();
    let mut want = vec![4, 1];
    want.extend_from_slice(&target.port().to_be_bytes());
    want.extend_from_slice(&[127, 0, 0, 1]);
    want.extend_from_slice(b"bob\0");
    assert_eq!(req.raw, want);

    let (p, _) = socks4(Socks4 {
        reply: 91,
        ..Socks4::default()
    });
    let out = outcome("127.0.0.1:9", p, &socks5_map("socks4"), false);
    assert_eq!(
        out,
        format!(
            "proxy: proxy for 127.0.0.1:9: proxy {p} (socks4): request rejected or failed \
             (SOCKS4 code 91, asked for 127.0.0.1:9)"
        )
    );
    let (p, _) = socks4(Socks4 {
        reply: 93,
        ..Socks4::default()
    });
    let out = outcome("127.0.0.1:9", p, &socks5_map("socks4"), false);
    assert!(
        out.starts_with("proxy_auth: ") && out.contains("code 93"),
        "{out}"
    );
}

#[test]
fn socks4a_carries_the_name() {
    let (p, seen) = socks4(Socks4 {
        upstream: Upstream::Echo(BANNER),
        ..Socks4::default()
    });
    let setting = r#"`socks4a://bob@${PROXY}`"#;
    assert_eq!(
        outcome("example.test:8080", p, setting, true),
        "connected BANNER-FROM-SERVER\n"
    );
    let req = seen.recv_timeout(WAIT).unwrap();
    let mut want = vec![4, 1, 0x1f, 0x90, 0, 0, 0, 1];
    want.extend_from_slice(b"bob\0example.test\0");
    assert_eq!(req.raw, want);
    assert_eq!(req.name.as_deref(), Some("example.test"));

    // Without a userid: one NUL, then the name.
    assert_eq!(
        outcome("example.test:8080", p, &socks5_map("socks4a"), true),
        "connected BANNER-FROM-SERVER\n"
    );
    let req = seen.recv_timeout(WAIT).unwrap();
    assert_eq!(&req.raw[8..], b"\0example.test\0");

    // A proxy without 4a support rejects; the message says it may be that.
    let (p, _) = socks4(Socks4 {
        reply: 91,
        ..Socks4::default()
    });
    let out = outcome("example.test:80", p, &socks5_map("socks4a"), false);
    assert!(out.contains("without SOCKS4a support"), "{out}");
}

#[test]
fn socks4_cannot_carry_ipv6() {
    let (p, count) = counting();
    for kind in ["socks4", "socks4a"] {
        let out = outcome("[::1]:80", p, &socks5_map(kind), false);
        assert!(
            out.starts_with("settings: ") && out.contains("IPv4 addresses only"),
            "{out}"
        );
    }
    assert_eq!(count.load(Ordering::SeqCst), 0);
}

// ---- HTTP CONNECT ----

#[test]
fn http_200_with_the_targets_first_bytes_in_the_same_segment() {
    let (p, seen) = http(Http {
        upstream: Upstream::Echo(BANNER),
        ..Http::default()
    });
    for _ in 0..20 {
        let out = outcome("example.test:443", p, r#"`http://${PROXY}`"#, true);
        assert_eq!(out, "connected BANNER-FROM-SERVER\n");
    }
    let req = seen.recv_timeout(WAIT).unwrap();
    assert_eq!(
        req,
        "CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n"
    );
}

#[test]
fn http_relays_with_basic_auth_and_brackets_ipv6() {
    let target = speaks_first(BANNER);
    let (p, seen) = http(Http {
        credentials: Some(("tp user", "p@ss")),
        ..Http::default()
    });
    let url = r#"`http://tp%20user:p%40ss@${PROXY}`"#;
    assert_eq!(
        outcome(localhost(target), p, url, true),
        "connected BANNER-FROM-SERVER\n"
    );
    let req = seen.recv_timeout(WAIT).unwrap();
    assert_eq!(
        req,
        format!(
            "CONNECT localhost:{0} HTTP/1.1\r\nHost: localhost:{0}\r\n\
             Proxy-Authorization: Basic dHAgdXNlcjpwQHNz\r\n\r\n",
            target.port()
        )
    );

    let (p, seen) = http(Http {
        upstream: Upstream::Echo(b""),
        ..Http::default()
    });
    assert_eq!(
        outcome("[::1]:443", p, &socks5_map("http"), false),
        "connected"
    );
    assert!(
        seen.recv_timeout(WAIT)
            .unwrap()
            .starts_with("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n"),
    );
}

#[test]
fn http_401_and_407_are_proxy_auth_and_other_codes_are_proxy() {
    let (p, _) = http(Http {
        credentials: Some(("tpuser", "tppass")),
        ..Http::default()
    });
    let out = outcome("example.test:443", p, &socks5_map("http"), false);
    assert_eq!(
        out,
        format!(
            "proxy_auth: proxy for example.test:443: proxy {p} (http): authentication required: \
             CONNECT to example.test:443 answered \"HTTP/1.1 407 Proxy Authentication Required\" \
             (no login was given)"
        )
    );
    let out = outcome(
        "example.test:443",
        p,
        &with_login("http", "tpuser", SECRET),
        false,
    );
    assert_eq!(
        out,
        format!(
            "proxy_auth: proxy for example.test:443: proxy {p} (http): authentication failed: \
             CONNECT to example.test:443 answered \"HTTP/1.1 401 Unauthorized\" \
             (the proxy rejected the login or password)"
        )
    );

    let (p, _) = http(Http {
        answer: Some(Arc::new(
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".to_vec(),
        )),
        ..Http::default()
    });
    let out = outcome(
        "example.org:443",
        p,
        &with_login("http", "u", SECRET),
        false,
    );
    assert_eq!(
        out,
        format!(
            "proxy: proxy for example.org:443: proxy {p} (http): CONNECT to example.org:443 \
             answered \"HTTP/1.1 403 Forbidden\""
        )
    );
    // Any 2xx is success (HTTP/1.0 as tinyproxy answers).
    let (p, _) = http(Http {
        answer: Some(Arc::new(b"HTTP/1.0 204 Fine\r\n\r\n".to_vec())),
        ..Http::default()
    });
    let out = run_str(
        "example.org:443",
        p,
        r#"type_of(OPI_TCP::CreateConnection(ADDR, (), `http://${PROXY}`))"#,
    );
    assert_eq!(out, "TcpClient");
}

#[test]
fn http_a_huge_or_broken_answer_fails_cleanly() {
    let mut huge = b"HTTP/1.1 200 OK\r\n".to_vec();
    while huge.len() < 2 * 1024 * 1024 {
        huge.extend_from_slice(
            b"X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
        );
    }
    huge.extend_from_slice(b"\r\n");
    let (p, _) = http(Http {
        answer: Some(Arc::new(huge)),
        ..Http::default()
    });
    let out = outcome("example.test:443", p, &socks5_map("http"), false);
    assert!(
        out.starts_with("proxy: ") && out.ends_with("has a head over 16 KiB"),
        "{out}"
    );

    let (p, _) = http(Http {
        answer: Some(Arc::new(b"SSH-2.0-OpenSSH_9.2\r\n\r\n".to_vec())),
        ..Http::default()
    });
    let out = outcome("example.test:443", p, &socks5_map("http"), false);
    assert!(
        out.ends_with("is not HTTP: \"SSH-2.0-OpenSSH_9.2\""),
        "{out}"
    );
}

// ---- Failures on the way ----

#[test]
fn a_proxy_that_closes_mid_handshake() {
    for (kind, partial) in [
        ("socks5", &b"\x05"[..]),
        ("socks4", &b"\x00\x5a"[..]),
        ("http", &b"HTTP/1.1 200 Conn"[..]),
    ] {
        let p = closes_mid_handshake(partial);
        let out = outcome("127.0.0.1:443", p, &socks5_map(kind), false);
        assert!(out.starts_with("proxy: "), "{kind}: {out}");
        assert!(out.contains(&format!("proxy {p} ({kind}): ")), "{out}");
        assert!(out.contains("closed the connection"), "{kind}: {out}");
    }
}

#[test]
fn a_stalled_proxy_hits_the_connect_deadline() {
    let p = silent();
    for kind in ["socks5h", "socks4a", "http"] {
        let started = Instant::now();
        let out = run_str(
            "example.test:443",
            p,
            &format!(
                r#"set_connect_timeout(300);
                let c = OPI_TCP::CreateConnection(ADDR, (), {});
                `${{c.kind}}: ${{c.error}}`"#,
                socks5_map(kind)
            ),
        );
        let took = started.elapsed();
        assert_eq!(
            out,
            format!(
                "timeout: proxy for example.test:443: proxy {p} ({kind}): timed out after 300ms \
                 waiting for the proxy's answer"
            )
        );
        assert!(took < Duration::from_secs(3), "{took:?}");
    }
}

#[test]
fn an_unreachable_proxy_keeps_its_kind_and_is_named() {
    let p = refused_port();
    let out = outcome(
        "127.0.0.1:443",
        p,
        &with_login("socks5", "u", SECRET),
        false,
    );
    assert!(
        out.starts_with("refused: proxy for 127.0.0.1:443: "),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "proxy {p} (socks5): cannot reach the proxy: connection refused"
        )),
        "{out}"
    );
}

#[test]
fn invalid_settings_fail_before_any_byte_is_sent() {
    let (p, count) = counting();
    let cases: Vec<(String, String, &str)> = vec![
        // Target names no proxy request can carry (address.rs already caps names at 253).
        (
            format!("{}:80", long_name(257)),
            socks5_map("socks5h"),
            "address: ",
        ),
        ("a b:80".into(), socks5_map("http"), "address: "),
        // tokio-socks 0.5.3 panics past userid + name ≈ 503 bytes; we refuse at 500.
        (
            format!("{}:80", long_name(253)),
            format!(
                r#"OPI_TCP::GetProxySettings(PROXY_HOST, PROXY_PORT, "socks4a", "{}")"#,
                "u".repeat(255)
            ),
            "settings: ",
        ),
        (
            "example.test:80".into(),
            with_login("http", "a:b", SECRET),
            "settings: ",
        ),
        (
            "example.test:80".into(),
            r#"OPI_TCP::GetProxySettings(PROXY_HOST, PROXY_PORT, "socks5", "alice")"#.into(),
            "settings: ",
        ),
        (
            "example.test:80".into(),
            with_login("socks4", "bob", SECRET),
            "settings: ",
        ),
        (
            "example.test:80".into(),
            r#"#{server: PROXY_HOST, port: PROXY_PORT, proxy_type: "socks6"}"#.into(),
            "settings: ",
        ),
        (
            "example.test:80".into(),
            r#"`ftp://${PROXY}`"#.into(),
            "settings: ",
        ),
        (
            "example.test:80".into(),
            r#"#{server: PROXY_HOST, port: 0, proxy_type: "http"}"#.into(),
            "settings: ",
        ),
        (
            "example.test:80".into(),
            format!(r#"`socks5://u:{SECRET}%0d%0a@${{PROXY}}`"#),
            "settings: ",
        ),
    ];
    for (target, setting, kind) in cases {
        let out = outcome(&target, p, &setting, false);
        assert!(out.starts_with(kind), "{target} / {setting}: {out}");
    }
    let out = outcome(
        "example.test:80",
        p,
        r#"#{server: PROXY_HOST, port: PROXY_PORT, proxy_type: "socks6"}"#,
        false,
    );
    assert!(
        out.contains("use one of: socks5, socks5h, socks4, socks4a, http"),
        "{out}"
    );
    let out = outcome(
        format!("{}:80", long_name(253)),
        p,
        &format!(
            r#"OPI_TCP::GetProxySettings(PROXY_HOST, PROXY_PORT, "socks4a", "{}")"#,
            "u".repeat(255)
        ),
        false,
    );
    assert!(out.contains("too long together"), "{out}");
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(count.load(Ordering::SeqCst), 0, "a byte went out");
}

#[test]
fn process_request_goes_through_the_proxy_too() {
    let target = echo();
    let (p, seen) = socks5(Socks5::default());
    let out = run_str(
        localhost(target),
        p,
        r#"OPI_TCP::ProcessRequest(ADDR, "hello\n", true, (), `socks5h://${PROXY}`)"#,
    );
    assert_eq!(out, "hello\n");
    assert_eq!(seen.recv_timeout(WAIT).unwrap().host, "localhost");
}

// ---- TLS over every proxy type ----

#[test]
fn tls_over_every_proxy_type_checks_the_target_name() {
    let ca = Ca::new("Test CA");
    let file = temp_file(&ca.pem);
    let tls = "OPI_TCP::GetTlsSettings(false, CA)";
    let (target, sni) = tls_sni_probe(&ca.leaf(&["localhost"]));
    let (s5, _) = socks5(Socks5 {
        credentials: Some(("alice", SECRET)),
        ..Socks5::default()
    });
    let (s4, _) = socks4(Socks4::default());
    let (h, _) = http(Http::default());
    let cases = [
        (s5, format!(r#"`socks5://alice:{SECRET}@${{PROXY}}`"#)),
        (s5, format!(r#"`socks5h://alice:{SECRET}@${{PROXY}}`"#)),
        (s4, r#"`socks4://${PROXY}`"#.to_string()),
        (s4, r#"`socks4a://${PROXY}`"#.to_string()),
        (h, r#"`http://${PROXY}`"#.to_string()),
    ];
    for (proxy, setting) in &cases {
        let out = run_str(
            localhost(target),
            *proxy,
            &format!(
                r#"
                const CA = "{}";
                let c = OPI_TCP::CreateConnection(ADDR, {tls}, {setting});
                if OPI_TCP::IsClientObject(c) {{
                    c.SendLine("ping\n");
                    let got = c.ReadLine((), "\n", 5000);
                    c.CloseConnection();
                    got
                }} else {{ `${{c.kind}}: ${{c.error}}` }}
            "#,
                path_of(&file)
            ),
        );
        assert_eq!(out, "ping\n", "{setting}");
        assert_eq!(
            sni.recv_timeout(WAIT).unwrap().as_deref(),
            Some("localhost"),
            "{setting}"
        );
    }

    // A certificate for another name is refused through the tunnel, naming the target's name.
    let other = tls_echo(&ca.leaf(&["example.test"]));
    let out = run_str(
        localhost(other),
        h,
        &format!(
            r#"
            const CA = "{}";
            let c = OPI_TCP::CreateConnection(ADDR, {tls}, `http://${{PROXY}}`);
            `${{c.kind}}: ${{c.error}}`
        "#,
            path_of(&file)
        ),
    );
    assert!(out.starts_with("tls: "), "{out}");
    assert!(out.contains("not valid for 'localhost'"), "{out}");
}

// ---- Example scripts ----

#[test]
fn the_socks5_tls_example_runs() {
    let ca = Ca::new("Test CA");
    let file = temp_file(&ca.pem);
    let target = tls_echo(&ca.leaf(&["localhost"]));
    let (p, seen) = socks5(Socks5 {
        credentials: Some(("alice", "s3cret")),
        ..Socks5::default()
    });
    opi()
        .args([
            "scripts/socks5_tls.rhai",
            &localhost(target),
            &format!("socks5h://alice:s3cret@{p}"),
            &path_of(&file),
        ])
        .assert()
        .success()
        .stdout("echoed over TLS: Hello through the proxy!\n");
    assert_eq!(seen.recv_timeout(WAIT).unwrap().host, "localhost");
}

#[test]
fn the_http_connect_example_runs() {
    let (p, _) = http(Http {
        credentials: Some(("tpuser", "tppass")),
        ..Http::default()
    });
    let url = format!("http://tpuser:tppass@{p}");
    opi()
        .args([
            "scripts/http_connect.rhai",
            &speaks_first(BANNER).to_string(),
            &url,
        ])
        .assert()
        .success()
        .stdout("banner: BANNER-FROM-SERVER\necho:   ping\n");
    opi()
        .args(["scripts/http_connect.rhai", &echo().to_string(), &url])
        .assert()
        .success()
        .stdout("banner: (none)\necho:   ping\n");
    opi()
        .args([
            "scripts/http_connect.rhai",
            &echo().to_string(),
            &format!("http://{p}"),
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains("cannot connect (proxy_auth)"));
}

/// The password of the secret sweep, with a byte that percent-encoding changes.
const SWEPT: &str = "s3cret/Pa55";

/// Fails when `text` holds the password in any form: as is, percent-encoded, or in the Basic
/// token of `alice`.
fn assert_no_secret(what: &str, text: &str) {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("alice:{SWEPT}"));
    for secret in [SWEPT, "s3cret%2FPa55", "s3cret%2fPa55", token.as_str()] {
        assert!(!text.contains(secret), "{what} shows {secret:?}: {text}");
    }
}

#[test]
fn no_message_or_log_line_holds_the_password_in_any_form() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("client.log");
    let reflecting = http_reflecting();
    let proxy_url = format!("http://alice:s3cret%2FPa55@{reflecting}");
    let cases = [
        // A user:password without @host: the "port" is the password.
        format!(
            r#"OPI_TCP::CreateConnection("{}", (), "socks5://alice:{SWEPT}")"#,
            echo()
        ),
        // User information in a target.
        format!(r#"OPI_TCP::CreateConnection("http://alice:{SWEPT}@127.0.0.1:80")"#),
        format!(r#"OPI_TCP::CreateConnection("alice:{SWEPT}@127.0.0.1:80")"#),
        // A proxy that quotes our Proxy-Authorization header back in its 407.
        format!(
            r#"OPI_TCP::CreateConnection("{}", (), "{proxy_url}", OPI_TCP::GetLoggingSettings(true, 100, "{}"))"#,
            echo(),
            log.display()
        ),
        format!(
            r#"OPI_TCP::CreateConnection("{}", (), OPI_TCP::GetProxySettings("{}", {}, "http", "alice", "{SWEPT}"))"#,
            echo(),
            reflecting.ip(),
            reflecting.port()
        ),
        format!(
            r#"OPI_TCP::ProcessRequest("{}", "x\n", true, (), "{proxy_url}")"#,
            echo()
        ),
    ];
    for code in &cases {
        let out = match eval(code) {
            Ok(v) => format!("{v:?}"),
            Err(e) => e,
        };
        assert!(out.contains("error"), "{code} failed as it should: {out}");
        assert_no_secret(code, &out);
    }
    let reflected = eval(&cases[3]).map(|v| format!("{v:?}")).unwrap();
    assert!(
        reflected.contains("407 Proxy-Authorization: Basic ***"),
        "{reflected}"
    );
    assert_no_secret("the log file", &std::fs::read_to_string(&log).unwrap());

    // A test report: a failing test whose message is the reflected 407.
    let suite = dir.path().join("sweep.rhai");
    std::fs::write(
        &suite,
        format!(
            "fn test_proxy() {{ let c = OPI_TCP::CreateConnection(\"{}\", (), \"{proxy_url}\"); \
             fail(c.error); }}",
            echo()
        ),
    )
    .unwrap();
    let junit = dir.path().join("report.xml");
    let out = opi()
        .arg("test")
        .arg(&suite)
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(report.contains("Basic ***"), "{report}");
    assert_no_secret("the JUnit report", &report);
    assert_no_secret("the test output", &String::from_utf8_lossy(&out.stdout));
    // Debug output of the settings.
    let p = opi_tcp::net::ProxyConfig::from_url(&proxy_url).unwrap();
    assert_no_secret("ProxyConfig's Debug", &format!("{p:?}"));

    // The command line: a proxy setting that is not JSON, a file or a URL, and broken JSON.
    for proxy in [
        format!("alice:{SWEPT}@127.0.0.1:11080"),
        format!("{{'login': 'alice', 'password': {SWEPT}}}"),
        proxy_url.clone(),
    ] {
        let out = opi()
            .args([
                "request",
                "-a",
                &echo().to_string(),
                "-d",
                r"x\n",
                "-p",
                &proxy,
            ])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{proxy}");
        assert_no_secret(&proxy, &String::from_utf8_lossy(&out.stderr));
        assert_no_secret(&proxy, &String::from_utf8_lossy(&out.stdout));
    }
}

/// A password with bytes that every encoding changes: `/`, `:`, a quote, a non-ASCII letter.
const QUOTED: &str = "pa/ss:wörd\"42";

/// What a hostile proxy might quote back: the password in the encodings its software reaches for.
fn quoted_forms() -> Vec<String> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(QUOTED);
    let hex: String = QUOTED.bytes().map(|b| format!("{b:02x}")).collect();
    vec![
        // Python's quote() keeps '/'; lowercase escapes are as valid as uppercase ones.
        "pa/ss%3Aw%C3%B6rd%2242".into(),
        "pa%2fss%3aw%c3%b6rd%2242".into(),
        "pa/ss%3aw%c3%b6rd%2242".into(),
        // JSON, and Python's json.dumps (ASCII only).
        r#"pa/ss:wörd\"42"#.into(),
        r#"pa/ss:w\u00f6rd\"42"#.into(),
        b64.trim_end_matches('=').to_string(),
        b64,
        hex.to_uppercase(),
        hex,
    ]
}

#[test]
fn a_proxy_quoting_the_password_back_in_any_encoding_shows_none() {
    for form in quoted_forms() {
        let proxy = http_407_saying(format!("you sent {form} but we say no"));
        let user = "alice:pa%2Fss%3Aw%C3%B6rd%2242";
        let code = format!(
            r#"let c = OPI_TCP::CreateConnection("{}", (), "http://{user}@{proxy}");
               print(c.error);"#,
            echo()
        );
        // Through the binary: a fresh process remembers only this script's password.
        let out = opi().args(["eval", &code]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("you sent *** but"), "{form}: {stdout}");
        for f in quoted_forms() {
            assert!(!stdout.contains(&f), "{form}: shows {f}: {stdout}");
        }
    }
}

#[test]
fn a_password_written_in_any_percent_encoding_is_hidden_in_the_source_line() {
    // `%63` is 'c' and `%3a` a lowercase ':': the line shows them as written.
    for (written, code) in [
        (
            "s3%63ret%3a",
            r#"let p = "socks5h://alice:s3%63ret%3a@127.0.0.1:1"; let c = OPI_TCP::CreateConnection("127.0.0.1:1", (), p); throw `failed: ${p}`;"#,
        ),
        (
            "hunter2",
            r#"let p = OPI_TCP::GetProxySettings("127.0.0.1", 1, "socks5", "alice", "hunter2"); throw `failed: ${p}`;"#,
        ),
    ] {
        let out = opi().args(["eval", code]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("***"), "{stderr}");
        for secret in [written, "s3cret:", "hunter2"] {
            assert!(!stderr.contains(secret), "shows {secret}: {stderr}");
        }
    }
}

/// TLS, proxy and logging settings as JSON text or a `.json` file, as OPI (and our CLI) take
/// them; a broken one is a settings error that does not quote it.
#[test]
fn settings_as_json_text_or_a_json_file() {
    let ca = Ca::new("JSON CA");
    let target = tls_echo(&ca.leaf(&["localhost"]));
    let (proxy, _) = socks5(Socks5::default());
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.pem).unwrap();
    let log_file = dir.path().join("log.json");
    std::fs::write(&log_file, r#"{"mode": "memory", "max_entries": 5}"#).unwrap();
    let tls = format!(
        r#"{{"use_tls": true, "ca_cert_path": {:?}}}"#,
        ca_file.display().to_string()
    );
    let proxy_json = format!(
        "{{'server': '{}', 'port': {}, 'proxy_type': 'socks5h'}}",
        proxy.ip(),
        proxy.port()
    );
    let got = eval_with(
        &[
            ("ADDR", format!("localhost:{}", target.port()).into()),
            ("TLS", tls.into()),
            ("PROXY", proxy_json.into()),
            ("LOG", log_file.display().to_string().into()),
        ],
        r#"let c = OPI_TCP::CreateConnection(ADDR, TLS, PROXY, LOG);
           if !OPI_TCP::IsClientObject(c) { return c.error; }
           c.SendLine("json\n");
           [c.ReadLine((), "\n", 5000), OPI_TCP::GetLog(c).result,
            OPI_TCP::CreateConnection(ADDR, "{\"use_tls\": tru}").kind,
            OPI_TCP::CreateConnection(ADDR, (), "{'server': 'h', 'password': 'sekrit'").error.contains("sekrit")]"#,
    )
    .unwrap();
    assert_eq!(got.to_string(), r#"["json\n", true, "settings", false]"#);
}
