//! Hostile peers: each ends in its documented result within its deadline. The cases the other
//! modules do not cover already (see `proxy::http_a_huge_or_broken_answer_fails_cleanly`,
//! `tls::a_stalled_handshake_hits_the_connect_deadline`, `script::send_timeout_is_a_timeout_error`,
//! `server::a_client_sending_more_than_is_read_is_slowed_not_dropped`).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::common::{eval_str, serve};

/// A peer that sends `pattern` again and again until the client goes away.
fn endless(pattern: &'static [u8], first: &'static [u8]) -> std::net::SocketAddr {
    serve(move |mut s| {
        if s.write_all(first).is_err() {
            return;
        }
        while s.write_all(pattern).is_ok() {}
    })
}

/// Runs `code` and returns its result with how long it took.
fn timed(addr: impl ToString, code: &str) -> (String, Duration) {
    let started = Instant::now();
    let out = eval_str(addr, code);
    (out, started.elapsed())
}

#[test]
fn an_endless_sender_is_read_up_to_the_cap_or_the_deadline() {
    let a = endless(b"0123456789abcdef", b"");
    // No marker, no size: the 32 MiB cap (or the 5 s deadline) ends the read, with words.
    let (out, took) = timed(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let got = c.ReadBinaryData();
        let e = c.GetLastError();
        [got.len() <= 32 * 1024 * 1024, got.len() > 0, if e == () { "deadline" } else { e.kind }]
    "#,
    );
    assert!(out.starts_with("[true, true, "), "{out}");
    assert!(took < Duration::from_secs(7), "{took:?}");
    // A marker that never comes: the same bounds, and the error says the marker did not come.
    let (out, took) = timed(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let got = c.ReadLine((), "\n", 20000);
        [got.len() == 32 * 1024 * 1024, c.GetLastError().error]
    "#,
    );
    assert!(out.starts_with("[true, "), "{out}");
    assert!(out.contains("before the marker came"), "{out}");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn an_http_proxy_that_sends_headers_for_ever_is_cut_at_16_kib() {
    let p = endless(
        b"X-Forever: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
        b"HTTP/1.1 200 OK\r\n",
    );
    let (out, took) = timed(
        "example.test:443",
        &format!(
            r#"let c = OPI_TCP::CreateConnection(ADDR, (), "http://{p}"); `${{c.kind}}: ${{c.error}}`"#
        ),
    );
    assert!(
        out.starts_with("proxy: ") && out.ends_with("has a head over 16 KiB"),
        "{out}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn binary_garbage_from_any_proxy_type_is_a_proxy_error() {
    let garbage: &'static [u8] = &[0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x13, 0x37, 0x42, 0x99];
    for kind in ["socks5", "socks5h", "socks4", "socks4a", "http"] {
        let p = serve(move |mut s| {
            let mut first = [0u8; 64];
            let _ = s.read(&mut first);
            let _ = s.write_all(garbage);
            let _ = s.write_all(garbage);
        });
        let (out, took) = timed(
            "localhost:443",
            &format!(
                r#"let c = OPI_TCP::CreateConnection(ADDR, (), "{kind}://{p}"); `${{c.kind}}: ${{c.error}}`"#
            ),
        );
        assert!(out.starts_with("proxy: "), "{kind}: {out}");
        assert!(!out.contains("TLS port"), "{kind}: {out}");
        assert!(took < Duration::from_secs(5), "{kind}: {took:?}");
    }
}

#[test]
fn an_endless_socks_answer_is_a_proxy_error_not_a_hang() {
    for kind in ["socks5", "socks4"] {
        let p = endless(&[0x07; 512], b"");
        let (out, took) = timed(
            "127.0.0.1:443",
            &format!(
                r#"let c = OPI_TCP::CreateConnection(ADDR, (), "{kind}://{p}"); `${{c.kind}}: ${{c.error}}`"#
            ),
        );
        assert!(out.starts_with("proxy: "), "{kind}: {out}");
        assert!(took < Duration::from_secs(5), "{kind}: {took:?}");
    }
}

/// The peak resident memory (VmHWM, KiB) of the binary running `code`, read when it prints a
/// line (and then sleeps).
#[cfg(target_os = "linux")]
fn peak_kib(code: &str) -> u64 {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("opi-tcp"))
        .args(["-e", code])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let _ = std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("ready"), "{line}");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_32_mib_read_costs_at_most_twice_its_size() {
    let a = serve(|mut s| {
        if s.write_all(&vec![b'A'; 32 * 1024 * 1024]).is_ok() {
            std::thread::sleep(Duration::from_secs(5));
        }
    });
    let base = peak_kib(r#"print("ready"); sleep(2000);"#);
    let size = 32 * 1024;
    for read in [
        "c.ReadBinaryData(32 * 1024 * 1024, (), 20000)",
        r#"c.ReadLine((), "\n", 3000)"#,
    ] {
        let peak = peak_kib(&format!(
            r#"let c = OPI_TCP::CreateConnection("{a}"); let got = {read}; print(`ready ${{got.len()}}`); sleep(2000);"#
        ));
        // What the read adds to an idle process, against twice the 32 MiB it returns (and 4 MiB
        // of slack for the allocator).
        assert!(
            peak.saturating_sub(base) <= 2 * size + 4096,
            "{read}: {peak} KiB at the peak, {base} KiB idle"
        );
    }
}

#[test]
fn a_value_nested_thousands_deep_prints_and_drops_without_a_crash() {
    // 5,000 levels overflowed the main thread's stack (exit 134): scripts now run on a thread
    // with a 1 GiB stack, and printing walks without recursion (script::nesting's unit test
    // prints a million levels).
    crate::common::opi()
        .args([
            "-e",
            "let a = []; for i in 0..5000 { a = [a]; } let s = `${a}`; s.len()",
        ])
        .assert()
        .success()
        .stdout("10002\n");
}

#[test]
fn nesting_deeper_than_the_limit_is_a_clear_error_on_every_path_that_builds_it() {
    // Each of these built a nest deeper than any stack holds in linear time (the curried and
    // captured ones past every size check) and aborted the process when it was dropped.
    for build in [
        "a = [take(a)];",
        "a = Fn(\"f\").curry(take(a));",
        "let b = take(a); a = || b;",
        "let b = []; b.push(take(a)); a = take(b);",
        "let m = #{}; m.x = take(a); a = take(m);",
    ] {
        let script = format!("let a = []; for i in 0..20000 {{ {build} }}");
        crate::common::opi()
            .args(["-e", &script])
            .assert()
            .code(1)
            .stderr(predicates::str::contains(
                "Nesting of data (more than 10000 levels) too large",
            ));
    }
}

#[test]
fn nesting_up_to_the_limit_works_and_a_closure_that_holds_itself_is_measured_once() {
    // 9,998 levels of arrays inside the top one (10,000 in all), and a variable whose closure
    // captures it.
    crate::common::opi()
        .args([
            "-e",
            "let a = []; for i in 0..9998 { a = [take(a)]; } \
             let v = 1; let f = || v; v = f; let c = [v, v, a]; \
             `${c.len()} ${`${c[2]}`.len()}`",
        ])
        .assert()
        .success()
        .stdout("3 19998\n");
}
