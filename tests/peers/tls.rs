//! TLS against the real peers: ncat, socat and openssl servers with the peers' own CA.

use crate::common::{opi, peers_ca, require_peers};
use crate::tls::{connect_outcome, run_str};

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peers_ncat_and_socat_tls_echo() {
    require_peers();
    let ca = peers_ca();
    let tls = "OPI_TCP::GetTlsSettings(false, CA)";
    for addr in [
        "127.0.0.1:17443",
        "localhost:17443",
        "127.0.0.1:17444",
        "localhost:17444",
    ] {
        assert_eq!(connect_outcome(addr, &ca, tls), "connected", "{addr}");
    }
    // Without the test CA the peers' certificate is refused.
    let out = connect_outcome("localhost:17444", "", "OPI_TCP::GetTlsSettings(false)");
    assert!(out.contains("unknown issuer"), "{out}");
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peers_openssl_reverse_server() {
    require_peers();
    let ca = peers_ca();
    let out = run_str(
        "localhost:17445",
        &ca,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR, OPI_TCP::GetTlsSettings(false, CA));
        c.SendLine("hello\n");
        let got = c.ReadLine((), "\n", 5000);
        c.CloseConnection();
        let req = OPI_TCP::ProcessRequest(ADDR, "abc\n", true, OPI_TCP::GetTlsSettings(false, CA));
        [got, req]
    "#,
    );
    assert_eq!(out, r#"["olleh\n", "cba\n"]"#);
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peers_missing_close_notify() {
    require_peers();
    let ca = peers_ca();
    let out = run_str(
        "localhost:17447",
        &ca,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR, OPI_TCP::GetTlsSettings(false, CA));
        let all = c.ReadLine((), (), 5000);
        [all, c.last_read, c.GetLastError()]
    "#,
    );
    assert_eq!(
        out,
        r#"["bye-without-close-notify\n", "eof_without_close_notify", ()]"#
    );
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peers_tls_echo_example() {
    require_peers();
    let ca = peers_ca();
    opi()
        .args(["scripts/tls_echo.rhai", "localhost:17444", &ca])
        .assert()
        .success()
        .stdout("echoed: Hello over TLS!\n");
}
