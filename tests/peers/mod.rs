//! Every test against the real loopback peers of `../shared/test-peers`, here and in the
//! submodules: echo and banner servers (socat on 17001 and 17002) below, TLS servers in `tls`,
//! proxies in `proxy`, OPI's suites in `opi`, Redis, memcached and an HTTP server in
//! `protocols`. Each is `#[ignore]`d, so a bare `cargo test` shows
//! them as ignored; `.ci/run` starts the peers and runs them with `OPI_TCP_PEERS=1 … --ignored`
//! (`common::require_peers`).

mod opi;
mod protocols;
mod proxy;
mod tls;

use crate::common::{eval_str, opi, require_peers};

pub const ECHO: &str = "127.0.0.1:17001";
pub const BANNER: &str = "127.0.0.1:17002";

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peer_echo_scripts() {
    require_peers();
    opi()
        .args(["scripts/echo.rhai", ECHO])
        .assert()
        .success()
        .stdout(
            "echoed: Hello server!\nfirst:  \"one\\n\"\nsecond: \"two\\n\"\nlast error: none\n",
        );
    opi()
        .args(["scripts/process_request.rhai", ECHO])
        .assert()
        .success()
        .stdout("answer: \"Echo this!\\n\"\n4 bytes: [4141410a]\n");
    opi()
        .args(["request", "-a", ECHO, "-d", r"Echo this!\n"])
        .assert()
        .success()
        .stdout("Echo this!\n");
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peer_echo_half_close_and_leftovers() {
    require_peers();
    let out = eval_str(
        ECHO,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        c.SendLine("a\nb\nПривет\n", "windows-1251");
        c.FinishSending();
        [c.ReadLine((), "\n"), c.ReadLine((), "\n"), c.ReadLine("windows-1251", (), 0), c.GetLastError()]
    "#,
    );
    assert_eq!(out, r#"["a\n", "b\n", "Привет\n", ()]"#);
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peer_banner_twenty_times() {
    require_peers();
    opi()
        .args(["scripts/banner.rhai", BANNER])
        .assert()
        .success()
        .stdout("banner: BANNER-FROM-SERVER\nreply:  ping (5 bytes)\n");
    let out = eval_str(
        BANNER,
        r#"
        let got = [];
        for i in 0..20 {
            let c = OPI_TCP::CreateConnection(ADDR);
            got.push(c.ReadLine((), "\n", 3000));
            c.CloseConnection();
        }
        got.filter(|b| b == "BANNER-FROM-SERVER\n").len()
    "#,
    );
    assert_eq!(out, "20");
}
