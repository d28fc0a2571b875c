//! OPI's ported suites (`scripts/opi`) run through `opi-tcp test`: against in-process peers in
//! every `cargo test`, and against the real peers in `peers::opi`.

use predicates::prelude::*;

use crate::common::proxy::socks5_auth_proxy;
use crate::common::tls::{Ca, tls_echo};
use crate::common::{echo, opi};

#[test]
fn tc_server_and_tc_extended_check() {
    // TC_Server's GetLog logs a connection to TCP_Address, as OPI's.
    let echo = echo();
    opi()
        .args([
            "test",
            "scripts/opi/TC_Server.rhai",
            "scripts/opi/TC_ExtendedCheck.rhai",
        ])
        .args(["--param", &format!("TCP_Address={echo}")])
        .assert()
        .success()
        .stdout(predicate::str::ends_with("19 passed, 0 failed\n"));
}

#[test]
fn tc_client_against_in_process_peers() {
    let echo = echo();
    let ca = Ca::new("Test CA");
    let tls = tls_echo(&ca.leaf(&["localhost", "127.0.0.1"]));
    let (proxy, user, password) = socks5_auth_proxy();
    opi()
        .args(["test", "scripts/opi/TC_Client.rhai", "--timeout", "60"])
        .args(["--param", &format!("TCP_Address={echo}")])
        .args(["--param", &format!("TCP_AddressTLS={tls}")])
        .args(["--param", &format!("Socks5_IP={}", proxy.ip())])
        .args(["--param", &format!("Socks5_Port={}", proxy.port())])
        .args(["--param", &format!("Proxy_User={user}")])
        .args(["--param", &format!("Proxy_Password={password}")])
        .args(["--param", "TCP_ReadTimeout=500"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with("10 passed, 0 failed\n"));
}
