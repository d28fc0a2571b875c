//! OPI's ported suites (`scripts/opi`) against the real peers: echo, TLS echo and SOCKS5 with
//! the credentials of `../shared/test-peers`.

use predicates::prelude::*;

use crate::common::{opi, peers_enabled};

#[test]
fn peers_opi_suites() {
    if !peers_enabled("peers_opi_suites") {
        return;
    }
    opi()
        .args(["test", "scripts/opi", "--timeout", "60"])
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
