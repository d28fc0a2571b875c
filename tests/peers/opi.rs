//! OPI's ported suites (`scripts/opi`) against the real peers: echo, TLS echo and SOCKS5 with
//! the credentials of `../shared/test-peers`.

use predicates::prelude::*;

use crate::common::{opi, require_peers};

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peers_opi_suites() {
    require_peers();
    opi()
        // The three suites by name: scripts/opi/docs has its own run (tests/opi_docs.rs).
        .args([
            "test",
            "scripts/opi/TC_Client.rhai",
            "scripts/opi/TC_Server.rhai",
            "scripts/opi/TC_ExtendedCheck.rhai",
            "--timeout",
            "60",
        ])
        .args(["--param", &format!("TCP_Address={}", super::ECHO)])
        .args(["--param", "TCP_AddressTLS=127.0.0.1:17444"])
        .args([
            "--param",
            "Socks5_IP=127.0.0.1",
            "--param",
            "Socks5_Port=11080",
        ])
        .args([
            "--param",
            "Proxy_User=alice",
            "--param",
            "Proxy_Password=s3cret",
        ])
        .args(["--param", "TCP_ReadTimeout=1000"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with("29 passed, 0 failed\n"));
}
