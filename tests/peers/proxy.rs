//! Proxies against the real peers: microsocks, dante, ssh -D, tinyproxy and squid, with the
//! target's name resolved where each type says, credentials, TLS through tunnels, and a target
//! that speaks first.

use std::net::SocketAddr;
use std::time::Duration;

use crate::common::{opi, peers_ca, peers_state_dir, require_peers};
use crate::proxy::{SECRET, outcome, outcome_with};

const ECHO: &str = "localhost:17001";
const TLS_ECHO: &str = "localhost:17444";
const BANNER_PEER: &str = "127.0.0.1:17002";

/// Connects to `target` through the proxy URL `url`, reads a banner if asked, checks an echo.
fn through(target: &str, url: &str, banner: bool) -> String {
    let any: SocketAddr = "127.0.0.1:1".parse().unwrap();
    outcome(target, any, &format!("{url:?}"), banner)
}

fn log_len(name: &str) -> usize {
    std::fs::read_to_string(format!("{}/{name}", peers_state_dir()))
        .map(|s| s.len())
        .unwrap_or(0)
}

/// What `name` logged since it was `from` bytes long.
fn log_since(name: &str, from: usize) -> String {
    // microsocks writes its line when the tunnel opens; give it a moment.
    std::thread::sleep(Duration::from_millis(200));
    std::fs::read_to_string(format!("{}/{name}", peers_state_dir()))
        .map(|s| s.get(from..).unwrap_or_default().to_string())
        .unwrap_or_default()
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peers_microsocks_resolves_where_the_type_says() {
    require_peers();
    for (log, url) in [
        ("microsocks-noauth.log", "socks5h://127.0.0.1:11081"),
        (
            "microsocks-auth.log",
            "socks5h://alice:s3cret@127.0.0.1:11080",
        ),
    ] {
        let from = log_len(log);
        assert_eq!(through(ECHO, url, false), "connected", "{url}");
        let logged = log_since(log, from);
        assert!(
            logged.contains("connected to localhost:17001"),
            "{log}: {logged}"
        );

        let local = url.replace("socks5h", "socks5");
        let from = log_len(log);
        assert_eq!(through(ECHO, &local, false), "connected", "{local}");
        let logged = log_since(log, from);
        assert!(
            logged.contains("connected to 127.0.0.1:17001"),
            "{log}: {logged}"
        );
        assert!(!logged.contains("localhost"), "{log}: {logged}");
        eprintln!("{log}: socks5h logged 'localhost:17001', socks5 logged '127.0.0.1:17001'");
    }
    let out = through(
        ECHO,
        &format!("socks5://alice:{SECRET}@127.0.0.1:11080"),
        false,
    );
    assert!(
        out.starts_with("proxy_auth: ") && out.contains("authentication failed"),
        "{out}"
    );
    let out = through(ECHO, "socks5://127.0.0.1:11080", false);
    assert!(
        out.starts_with("proxy_auth: ") && out.contains("authentication required"),
        "{out}"
    );
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peers_danted_socks5_with_auth_and_socks4_with_userid() {
    require_peers();
    assert_eq!(
        through(ECHO, "socks5://sockuser:sockpass@127.0.0.1:11085", false),
        "connected"
    );
    assert_eq!(
        through(ECHO, "socks5h://sockuser:sockpass@127.0.0.1:11085", false),
        "connected"
    );
    assert_eq!(
        through(ECHO, "socks4://sockuser@127.0.0.1:11085", false),
        "connected"
    );
    assert_eq!(
        through(ECHO, "socks4://127.0.0.1:11085", false),
        "connected"
    );
    let out = through(
        ECHO,
        &format!("socks5://sockuser:{SECRET}@127.0.0.1:11085"),
        false,
    );
    assert!(out.starts_with("proxy_auth: "), "{out}");
    // danted has no SOCKS4a: it must fail, never quietly resolve here.
    let out = through(ECHO, "socks4a://127.0.0.1:11085", false);
    assert!(
        out.starts_with("proxy: ") && out.contains("SOCKS4 code 91"),
        "{out}"
    );
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peers_ssh_dynamic_forwarding_socks4a_and_friends() {
    require_peers();
    for url in [
        "socks4a://127.0.0.1:11090",
        "socks4a://someone@127.0.0.1:11090",
        "socks4://127.0.0.1:11090",
        "socks5://127.0.0.1:11090",
        "socks5h://127.0.0.1:11090",
    ] {
        assert_eq!(through(ECHO, url, false), "connected", "{url}");
    }
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peers_http_connect_with_basic_auth() {
    require_peers();
    for (url, wrong, none) in [
        ("http://tpuser:tppass@127.0.0.1:18888", "401", "407"),
        ("http://squser:sqpass@127.0.0.1:13128", "407", "407"),
        ("http://ncuser:ncpass@127.0.0.1:18890", "407", "407"),
    ] {
        assert_eq!(through(ECHO, url, false), "connected", "{url}");
        let (user, rest) = url.trim_start_matches("http://").split_once(':').unwrap();
        let host = rest.split_once('@').unwrap().1;
        let out = through(ECHO, &format!("http://{user}:{SECRET}@{host}"), false);
        assert!(
            out.starts_with("proxy_auth: ") && out.contains(&format!(" {wrong} ")),
            "{url}: {out}"
        );
        let out = through(ECHO, &format!("http://{host}"), false);
        assert!(
            out.starts_with("proxy_auth: ") && out.contains(&format!(" {none} ")),
            "{url}: {out}"
        );
    }
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peers_tls_through_socks5_and_connect() {
    require_peers();
    let ca = peers_ca();
    for url in [
        "socks5h://alice:s3cret@127.0.0.1:11080",
        "socks5://127.0.0.1:11081",
        "socks4://127.0.0.1:11085",
        "socks4a://127.0.0.1:11090",
        "http://tpuser:tppass@127.0.0.1:18888",
        "http://squser:sqpass@127.0.0.1:13128",
        "http://ncuser:ncpass@127.0.0.1:18890",
    ] {
        let any: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let out = outcome_with(
            TLS_ECHO,
            any,
            &format!("OPI_TCP::GetTlsSettings(false, {ca:?})"),
            &format!("{url:?}"),
            false,
        );
        assert_eq!(out, "connected", "{url}");
    }
    opi()
        .args([
            "scripts/socks5_tls.rhai",
            TLS_ECHO,
            "socks5h://127.0.0.1:11081",
            &ca,
        ])
        .assert()
        .success()
        .stdout("echoed over TLS: Hello through the proxy!\n");
    opi()
        .args([
            "scripts/http_connect.rhai",
            BANNER_PEER,
            "http://tpuser:tppass@127.0.0.1:18888",
        ])
        .assert()
        .success()
        .stdout("banner: BANNER-FROM-SERVER\necho:   ping\n");
}

#[test]
#[ignore = "needs the real peers: OPI_TCP_PEERS=1 (.ci/run)"]
fn peers_server_speaks_first_through_every_proxy_type_20_times() {
    require_peers();
    let mut report = Vec::new();
    for url in [
        "socks5://127.0.0.1:11081",
        "socks5h://alice:s3cret@127.0.0.1:11080",
        "socks5://sockuser:sockpass@127.0.0.1:11085",
        "socks4://127.0.0.1:11085",
        "socks4a://127.0.0.1:11090",
        "http://tpuser:tppass@127.0.0.1:18888",
        "http://squser:sqpass@127.0.0.1:13128",
        "http://ncuser:ncpass@127.0.0.1:18890",
    ] {
        let mut good = 0;
        let mut bad = Vec::new();
        for _ in 0..20 {
            let out = through(BANNER_PEER, url, true);
            if out == "connected BANNER-FROM-SERVER\n" {
                good += 1;
            } else {
                bad.push(out);
            }
        }
        report.push(format!("{url}: banner {good}/20"));
        assert_eq!(good, 20, "{url}: {bad:?}");
    }
    eprintln!("{}", report.join("\n"));
}
