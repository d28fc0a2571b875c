//! OPI's TCP documentation examples (`scripts/opi/docs`), ported with syntax changes only and no
//! pauses, run through `opi-tcp test` against in-process peers: OPI's docs drop the `Pause(1)`
//! its tests have, so a server's list, log and data must be there without one.

use predicates::prelude::*;

use crate::common::proxy::socks5_auth_proxy;
use crate::common::tls::{Ca, tls_echo};
use crate::common::{echo, opi};

/// One test per example of OPI's `docs/en/examples/TCP` (ProcessConnection's is in
/// WaitIncomingConnections.rhai, which calls it).
const EXAMPLES: usize = 25;

#[test]
fn opi_docs_examples_pass_against_in_process_peers() {
    let echo = echo();
    let ca = Ca::new("Test CA");
    let tls = tls_echo(&ca.leaf(&["localhost", "127.0.0.1"]));
    let (proxy, user, password) = socks5_auth_proxy();
    opi()
        .args(["test", "scripts/opi/docs", "--timeout", "60"])
        .args(["--param", &format!("TCP_Address={echo}")])
        .args(["--param", &format!("TCP_AddressTLS={tls}")])
        .args(["--param", &format!("Socks5_IP={}", proxy.ip())])
        .args(["--param", &format!("Socks5_Port={}", proxy.port())])
        .args(["--param", &format!("Proxy_User={user}")])
        .args(["--param", &format!("Proxy_Password={password}")])
        .assert()
        .success()
        .stdout(predicate::str::ends_with(format!(
            "{EXAMPLES} passed, 0 failed\n"
        )));
}

/// GetTlsSettings' example calls OPI's test harness, which runs the function or OPI's CLI
/// (`oint tcp GetTLSSettings --trust true`); the script makes the call, this the CLI's.
#[test]
fn opi_docs_get_tls_settings_through_the_cli() {
    opi()
        .args(["tcp", "GetTLSSettings", "--trust", "true"])
        .assert()
        .success()
        .stdout(r#"{"accept_invalid_certs":true,"use_tls":true}"#.to_owned() + "\n");
}
