//! Every `scripts/*.rhai` runs here, through the binary, against in-process peers.

use predicates::prelude::*;

use crate::common::*;

/// Scripts whose runs live next to the feature they show.
const RUN_ELSEWHERE: &[(&str, &str)] = &[
    ("tls_echo.rhai", "tests/tls.rs"),
    ("socks5_tls.rhai", "tests/proxy.rs"),
    ("http_connect.rhai", "tests/proxy.rs"),
    ("redis.rhai", "tests/protocols.rs"),
    ("memcached.rhai", "tests/protocols.rs"),
    ("http_get.rhai", "tests/protocols.rs"),
    ("smtp.rhai", "tests/protocols.rs"),
    ("pipe.rhai", "tests/protocols.rs"),
    ("relay.rhai", "tests/wait.rs"),
    ("chat.rhai", "tests/wait.rs"),
];

fn run(script: &str, args: &[String]) -> assert_cmd::assert::Assert {
    opi().arg(format!("scripts/{script}")).args(args).assert()
}

#[test]
fn hello_rhai() {
    let out = run("hello.rhai", &[]).success().get_output().stdout.clone();
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("server listening on 127.0.0.1:"),
        "{out}"
    );
    assert_eq!(
        lines[1..].join("\n"),
        r#"server got from connection 1: "Hello, server!\n"
client got: "Hello, client! You said 15 bytes.\n"
live connections: 1
server got: "bye\n"
server log: 8 entries, the first: Binding to port 0...
client log: 7 entries"#
    );
}

#[test]
fn echo_rhai() {
    run("echo.rhai", &[echo().to_string()]).success().stdout(
        "echoed: Hello server!\nfirst:  \"one\\n\"\nsecond: \"two\\n\"\nlast error: none\n",
    );
}

#[test]
fn banner_rhai() {
    run(
        "banner.rhai",
        &[speaks_first(b"BANNER-FROM-SERVER\n").to_string()],
    )
    .success()
    .stdout("banner: BANNER-FROM-SERVER\nreply:  ping (5 bytes)\n");
}

#[test]
fn process_request_rhai() {
    run("process_request.rhai", &[echo().to_string()])
        .success()
        .stdout("answer: \"Echo this!\\n\"\n4 bytes: [4141410a]\n");
    run("process_request.rhai", &[refused_port().to_string()])
        .code(1)
        .stderr(predicate::str::contains("request failed (refused)"));
}

#[test]
fn errors_rhai() {
    run("errors.rhai", &[])
        .success()
        .stdout(predicate::str::contains(
            "127.0.0.1:1: refused: connect to 127.0.0.1:1",
        ))
        .stdout(predicate::str::contains("nohost: address: "))
        .stdout(predicate::str::contains("no-such-host.invalid:80: dns: "))
        .stdout(predicate::str::contains(
            "caught: GetProxySettings: unknown proxy type 'socks9'",
        ));
}

/// A new script without a test fails here.
#[test]
fn every_script_has_a_test() {
    let tests = std::fs::read_to_string("tests/scripts.rs").unwrap();
    for entry in std::fs::read_dir("scripts").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rhai") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let here = tests.contains(&format!("\"{name}\""));
        let elsewhere = RUN_ELSEWHERE.iter().any(|(n, file)| {
            *n == name
                && std::fs::read_to_string(file)
                    .is_ok_and(|t| t.contains(&format!("scripts/{name}")))
        });
        assert!(here || elsewhere, "scripts/{name} is not run by any test");
    }
}
