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

/// 40 ports (20 speak first, 4 accept and stay silent, 4 never answer a connect, 12 refuse)
/// are grabbed within one connect deadline plus 20%, the binary's start and end included.
#[test]
fn scan_rhai() {
    let mut ports: Vec<(u16, &str)> = Vec::new();
    let mut guards = Vec::new();
    for _ in 0..20 {
        ports.push((speaks_first(b"SSH-2.0-test\r\n").port(), "open"));
    }
    for _ in 0..4 {
        ports.push((silent().port(), "silent"));
        let (a, guard) = unanswered();
        guards.push(guard);
        ports.push((a.port(), "filtered"));
    }
    for _ in 0..12 {
        ports.push((refused_port().port(), "closed"));
    }
    let list: Vec<String> = ports.iter().map(|(p, _)| p.to_string()).collect();
    let deadline = 3000;
    let t = std::time::Instant::now();
    let out = run(
        "scan.rhai",
        &["127.0.0.1".into(), list.join(","), deadline.to_string()],
    )
    .success()
    .get_output()
    .stdout
    .clone();
    let took = t.elapsed();
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 42, "{out}");
    assert_eq!(lines[0], "ADDRESS          STATE     BANNER");
    for ((port, state), line) in ports.iter().zip(&lines[1..41]) {
        let want = match *state {
            "open" => format!("127.0.0.1:{port:<5}  open      SSH-2.0-test"),
            s => format!("127.0.0.1:{port:<5}  {s}"),
        };
        assert_eq!(line.trim_end(), want.trim_end(), "{out}");
    }
    assert!(
        lines[41].ends_with(&format!(
            "(deadline {deadline} ms): 20 open, 4 silent, 12 closed, 4 filtered"
        )),
        "{out}"
    );
    assert!(
        took < std::time::Duration::from_millis(deadline * 12 / 10),
        "the scan took {took:?} for a connect deadline of {deadline} ms:\n{out}"
    );
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
