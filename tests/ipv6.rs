//! IPv6 end to end on `::1`: a client, a script server, TLS with an IP SAN, and every proxy type
//! that can carry it (SOCKS5, SOCKS5h and HTTP CONNECT, with the proxy and the target on `::1`;
//! SOCKS4 reached over IPv6 for an IPv4 target).

use crate::common::proxy::{Http, Socks4, Socks5, http, socks4, socks5};
use crate::common::tls::{Ca, path_of, temp_file, tls_echo};
use crate::common::{echo, eval_at, eval_str, on_ipv6};

/// Sends a line through `conn_args` (CreateConnection's arguments after the address) to
/// `target` and reads it back.
fn round_trip(target: &str, conn_args: &str) -> String {
    eval_str(
        target,
        &format!(
            r#"let c = OPI_TCP::CreateConnection(ADDR{conn_args});
               if !OPI_TCP::IsClientObject(c) {{ return c.error; }}
               c.SendLine("over six\n");
               let got = c.ReadLine((), "\n", 5000);
               c.CloseConnection();
               got"#
        ),
    )
}

#[test]
fn a_client_talks_to_an_ipv6_peer() {
    let a = on_ipv6(echo);
    assert!(a.is_ipv6());
    assert_eq!(round_trip(&a.to_string(), ""), "over six\n");
}

#[test]
fn a_script_server_serves_on_ipv6() {
    let got = eval_at(
        "",
        r#"let s = OPI_TCP::StartServer("[::1]:0");
           let c = OPI_TCP::CreateConnection(`[::1]:${s.port}`);
           c.SendLine("hi\n");
           let d = s.GetNextConnectionData(5000, 100);
           s.SendData(d.connectionId, "yo\n");
           [d.address.starts_with("[::1]:"), d.message.as_string(), c.ReadLine((), "\n", 5000)]"#,
    )
    .unwrap();
    assert_eq!(got.to_string(), r#"[true, "hi\n", "yo\n"]"#);
}

#[test]
fn tls_over_ipv6_checks_the_ip_san() {
    let ca = Ca::new("v6 CA");
    let a = on_ipv6(|| tls_echo(&ca.leaf(&["::1"])));
    let file = temp_file(&ca.pem);
    let tls = format!(", OPI_TCP::GetTlsSettings(false, {:?})", path_of(&file));
    assert_eq!(round_trip(&a.to_string(), &tls), "over six\n");
    // A certificate for 127.0.0.1 only is refused at ::1.
    let b = on_ipv6(|| tls_echo(&ca.leaf(&["127.0.0.1"])));
    assert!(round_trip(&b.to_string(), &tls).contains("not valid for"));
}

#[test]
fn every_proxy_type_that_can_carries_ipv6_both_ways() {
    let target = on_ipv6(echo);
    let (s5, _) = on_ipv6(|| socks5(Socks5::default()));
    let (h, _) = on_ipv6(|| http(Http::default()));
    for (kind, proxy) in [("socks5", s5), ("socks5h", s5), ("http", h)] {
        let url = format!(", (), \"{kind}://{proxy}\"");
        assert_eq!(
            round_trip(&target.to_string(), &url),
            "over six\n",
            "{kind}"
        );
    }
    // SOCKS4 cannot name an IPv6 target, but a SOCKS4 proxy can be reached over IPv6.
    let (s4, _) = on_ipv6(|| socks4(Socks4::default()));
    let v4_target = echo();
    for kind in ["socks4", "socks4a"] {
        let url = format!(", (), \"{kind}://{s4}\"");
        assert_eq!(
            round_trip(&v4_target.to_string(), &url),
            "over six\n",
            "{kind}"
        );
    }
}
