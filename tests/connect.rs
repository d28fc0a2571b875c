//! ConnectAll (many connects at once, one deadline, answers in input order) and the connect
//! options (`timeout_ms`, `family`). The race of a name's addresses is tested in
//! `net::eyeballs` on explicit address lists: no name resolves to two loopback addresses
//! everywhere.

use std::time::{Duration, Instant};

use rhai::Dynamic;

use crate::common::proxy::{Socks5, socks5};
use crate::common::*;

fn list(addrs: &[String]) -> Dynamic {
    addrs
        .iter()
        .map(|a| Dynamic::from(a.clone()))
        .collect::<Vec<_>>()
        .into()
}

#[test]
fn connect_all_answers_in_input_order_with_clients_and_error_maps() {
    let (silent, _guard) = unanswered();
    let addrs = [
        echo().to_string(),
        refused_port().to_string(),
        "no port".to_string(),
        silent.to_string(),
        speaks_first(b"HELLO\n").to_string(),
    ];
    let out = eval_with(
        &[("ADDRS", list(&addrs))],
        r#"
        let all = OPI_TCP::ConnectAll(ADDRS, (), (), 1000);
        let said = [];
        for c in all {
            said.push(if OPI_TCP::IsClientObject(c) { "client" } else { c.kind });
        }
        all[0].SendLine("ping\n");
        said.push(all[0].ReadLine((), "\n", 3000));
        said.push(all[4].ReadLine((), "\n", 3000));
        said.push(all[3].error);
        said
    "#,
    )
    .unwrap();
    let said: Vec<String> = out
        .into_array()
        .unwrap()
        .into_iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        said,
        [
            "client",
            "refused",
            "address",
            "timeout",
            "client",
            "ping\n",
            "HELLO\n",
            &format!("connect to {silent}: timed out after 1s"),
        ]
    );
}

#[test]
fn connect_all_runs_every_connect_at_once_within_one_deadline() {
    let guards: Vec<_> = (0..8).map(|_| unanswered()).collect();
    let mut addrs: Vec<String> = guards.iter().map(|(a, _)| a.to_string()).collect();
    addrs.push(echo().to_string());
    let deadline = 2000;
    let t = Instant::now();
    let out = eval_with(
        &[("ADDRS", list(&addrs))],
        &format!(
            r#"let all = OPI_TCP::ConnectAll(ADDRS, (), (), {deadline});
               all.map(|c| OPI_TCP::IsClientObject(c))"#
        ),
    )
    .unwrap();
    let took = t.elapsed();
    assert_eq!(
        out.to_string(),
        "[false, false, false, false, false, false, false, false, true]"
    );
    // One after another they would take 8 deadlines.
    assert!(
        took >= Duration::from_millis(deadline) && took < Duration::from_millis(deadline * 12 / 10),
        "{took:?} for a deadline of {deadline} ms"
    );
}

#[test]
fn connect_all_goes_through_a_proxy_and_takes_the_session_deadline() {
    let (proxy, _) = socks5(Socks5::default());
    let addrs = [echo().to_string(), echo().to_string()];
    let out = eval_with(
        &[
            ("ADDRS", list(&addrs)),
            ("PROXY", format!("socks5://{proxy}").into()),
        ],
        r#"
        let all = OPI_TCP::ConnectAll(ADDRS, (), PROXY);
        all[0].SendLine("one\n");
        all[1].SendLine("two\n");
        all[0].ReadLine((), "\n", 3000) + all[1].ReadLine((), "\n", 3000)
    "#,
    );
    assert_eq!(out.unwrap().to_string(), "one\ntwo\n");
    let out = eval(r#"set_connect_timeout(1500); OPI_TCP::ConnectAll([]).len()"#);
    assert_eq!(out.unwrap().to_string(), "0");
}

#[test]
fn connect_all_throws_on_what_is_not_a_list_of_addresses_or_a_timeout() {
    for (code, says) in [
        (
            r#"OPI_TCP::ConnectAll("127.0.0.1:1")"#,
            "the addresses must be an array of strings, not string",
        ),
        (
            r#"OPI_TCP::ConnectAll(["127.0.0.1:1", 80])"#,
            "address 1 must be a string, not int",
        ),
        (
            r#"OPI_TCP::ConnectAll(["127.0.0.1:1"], (), (), 0)"#,
            "the connect timeout must be positive milliseconds, not 0",
        ),
    ] {
        let e = eval(code).unwrap_err();
        assert!(e.contains(says), "{code}: {e}");
    }
}

#[test]
fn a_bad_setting_is_each_addresses_settings_error() {
    let out = eval(
        r#"let all = OPI_TCP::ConnectAll(["127.0.0.1:1", "127.0.0.1:2"], (), (), #{family: "ipv5"});
           all.map(|m| m.kind + ": " + m.error)"#,
    )
    .unwrap();
    assert_eq!(
        out.to_string(),
        r#"["settings: settings for 127.0.0.1:1: the family must be \"ipv4\", \"ipv6\" or \"any\", not \"ipv5\"", "settings: settings for 127.0.0.1:2: the family must be \"ipv4\", \"ipv6\" or \"any\", not \"ipv5\""]"#
    );
}

#[test]
fn the_family_option_pins_the_targets_addresses() {
    let v4 = echo();
    let v6 = on_ipv6(echo);
    let (proxy, _) = socks5(Socks5::default());
    let connect = |address: String, options: &str, proxy: &str| {
        eval_with(
            &[("A", address.into()), ("P", proxy.to_string().into())],
            &format!(
                r#"let c = OPI_TCP::CreateConnection(A, (), P, (), {options});
                   if OPI_TCP::IsClientObject(c) {{ "client" }} else {{ c.kind + ": " + c.error }}"#
            ),
        )
        .unwrap()
        .to_string()
    };
    assert_eq!(
        connect(v4.to_string(), r#"#{family: "ipv4"}"#, ""),
        "client"
    );
    assert_eq!(
        connect(v6.to_string(), r#"#{family: "IPv6"}"#, ""),
        "client"
    );
    assert_eq!(
        connect(v6.to_string(), r#"#{family: "ipv4"}"#, ""),
        format!(
            "settings: settings for {v6}: the family is pinned to ipv4, and ::1 is an IPv6 address"
        )
    );
    assert_eq!(
        connect(
            format!("localhost:{}", v4.port()),
            r#"#{family: "ipv4"}"#,
            &format!("socks5h://{proxy}")
        ),
        format!(
            "settings: settings for localhost:{}: the family cannot be pinned to ipv4 through a \
             proxy that resolves the name itself (socks5h, socks4a, http): use socks5, or socks4 \
             for ipv4",
            v4.port()
        )
    );
    // socks5 resolves here, and keeps to the family.
    assert_eq!(
        connect(
            format!("localhost:{}", v4.port()),
            r#"#{family: "ipv4"}"#,
            &format!("socks5://{proxy}")
        ),
        "client"
    );
    assert_eq!(
        connect(
            format!("localhost:{}", v6.port()),
            r#"#{family: "ipv6"}"#,
            "socks4://127.0.0.1:1"
        ),
        format!(
            "settings: settings for localhost:{}: proxy 127.0.0.1:1 (socks4): SOCKS4 carries IPv4 \
             only, and the family is pinned to ipv6",
            v6.port()
        )
    );
    assert_eq!(
        connect(v4.to_string(), r#"#{colour: "red"}"#, ""),
        format!(
            "settings: settings for {v4}: unknown connect option 'colour' (known: timeout_ms, family)"
        )
    );
}

#[test]
fn the_timeout_option_is_this_connects_deadline() {
    let (silent, _guard) = unanswered();
    let t = Instant::now();
    let out = eval_at(
        silent,
        r#"let c = OPI_TCP::CreateConnection(ADDR, (), (), (), #{timeout_ms: 300}); c.error"#,
    )
    .unwrap();
    assert_eq!(
        out.to_string(),
        format!("connect to {silent}: timed out after 300ms")
    );
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    let out = eval_at(
        silent,
        r#"let c = OPI_TCP::CreateConnection(ADDR, (), (), (), 400); c.error"#,
    )
    .unwrap();
    assert_eq!(
        out.to_string(),
        format!("connect to {silent}: timed out after 400ms")
    );
}

#[test]
fn ctrl_c_ends_a_connect_all_still_waiting_with_exit_130() {
    let (silent, _guard) = unanswered();
    let bin = assert_cmd::cargo::cargo_bin("opi-tcp");
    let mut child = std::process::Command::new(bin)
        .args([
            "eval",
            &format!(
                r#"print("ready"); OPI_TCP::ConnectAll(["{silent}", "{silent}"], (), (), 60000)"#
            ),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = [0u8; 6];
    std::io::Read::read_exact(&mut stdout, &mut buf).unwrap();
    assert_eq!(&buf, b"ready\n");
    // Into the wait: the connects are in flight.
    std::thread::sleep(Duration::from_millis(300));
    let status = interrupt_and_wait(&mut child, "ConnectAll still waits");
    assert_eq!(status.code(), Some(130));
}
