//! Interact: ncat's mode when stdin is not a terminal (the reply after the end of input is not
//! lost), and the terminal mode in a real pty (type, see the echo, escape, the script goes on and
//! reads what arrived after).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::*;

#[test]
fn off_a_terminal_stdin_goes_out_and_the_reply_after_its_end_comes_back() {
    // Answers only once the client has half-closed: ncat's classic way to lose the reply.
    let a = serve(|mut s| {
        let mut got = Vec::new();
        let _ = s.read_to_end(&mut got);
        let _ = s.write_all(format!("you sent {} bytes\n", got.len()).as_bytes());
    });
    opi()
        .args([
            "-e",
            &format!(
                r#"let c = OPI_TCP::CreateConnection("{a}"); let why = c.Interact(); eprint(why);"#
            ),
        ])
        .write_stdin("line one\nline two\n")
        .timeout(Duration::from_secs(20))
        .assert()
        .success()
        .stdout("you sent 18 bytes\n")
        .stderr("peer closed\n");
}

#[test]
fn escapes_are_checked() {
    let e = eval_at(
        echo(),
        r#"let c = OPI_TCP::CreateConnection(ADDR); c.Interact("ab")"#,
    )
    .unwrap_err();
    assert!(e.contains("one character or ^X"), "{e}");
}

#[test]
fn in_a_terminal_the_user_talks_and_the_script_goes_on_after_the_escape() {
    // Echoes each line, and 600 ms after the first one sends one more line on its own.
    let a = serve(|s| {
        let mut w = s.try_clone().unwrap();
        let mut r = BufReader::new(s);
        let mut line = String::new();
        let mut first = true;
        while r.read_line(&mut line).unwrap_or(0) > 0 {
            let _ = w.write_all(format!("echo: {line}").as_bytes());
            line.clear();
            if first {
                first = false;
                let mut late = w.try_clone().unwrap();
                thread::spawn(move || {
                    thread::sleep(Duration::from_millis(600));
                    let _ = late.write_all(b"late line\n");
                });
            }
        }
    });
    let code = format!(
        r#"let c = OPI_TCP::CreateConnection("{a}"); let why = c.Interact(); print("back: " + why); print("left: " + c.ReadLine((), "\n", 3000));"#
    );
    let out = in_a_pty(&code, &[(800, b"hello\r"), (250, b"\x1d\r")]);
    assert!(out.contains("echo: hello"), "{out:?}");
    assert!(out.contains("back: escape"), "{out:?}");
    assert!(
        out.contains("left: late line"),
        "the late line must stay buffered: {out:?}"
    );
}

#[test]
fn after_the_escape_the_next_line_typed_is_the_script_s() {
    // The thread that read the terminal for Interact stayed blocked in its read and took the
    // next line typed; the script's own read then waited for ever.
    let code = format!(
        r#"let c = OPI_TCP::CreateConnection("{}"); print("back: " + c.Interact()); print("next: " + read_stdin_line());"#,
        echo()
    );
    let out = in_a_pty(
        &code,
        &[(800, b"hello\r"), (250, b"\x1d\r"), (400, b"after\r")],
    );
    assert!(out.contains("back: escape"), "{out:?}");
    assert!(out.contains("next: after"), "{out:?}");
}

/// Runs `opi-tcp -e CODE` with a pty as its terminal (util-linux `script`), typing each input
/// after its pause in ms; its output once it ends (within 10 s of the last input).
fn in_a_pty(code: &str, inputs: &[(u64, &[u8])]) -> String {
    let bin = assert_cmd::cargo::cargo_bin("opi-tcp");
    let mut child = Command::new("script")
        .args([
            "-qfec",
            &format!("{} -e '{code}'", bin.display()),
            "/dev/null",
        ])
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("util-linux `script` gives the binary a pty");
    let mut stdin = child.stdin.take().unwrap();
    for (pause, bytes) in inputs {
        thread::sleep(Duration::from_millis(*pause));
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the script did not end after its input");
        }
        thread::sleep(Duration::from_millis(20));
    }
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    out
}
