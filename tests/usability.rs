//! What a new user meets in the first hour: a syntax error that points at its cause, `.result`
//! on a connection, raw backtick strings kept off the wire in every example, shell completions
//! and the man page, and `request --out`'s progress line.

use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::common::*;

#[test]
fn an_unclosed_brace_is_shown_where_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("open.rhai"),
        "let x = 1;\nif x == 1 {\n    print(\"a\");\n",
    )
    .unwrap();
    opi()
        .current_dir(dir.path())
        .arg("open.rhai")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "open.rhai:2:11: Syntax error: Expecting '}' to terminate this block; \
             the input ends before this '{' is closed\n 2 | if x == 1 {\n   |           ^\n",
        ));
}

#[test]
fn a_connection_answers_result_true_as_a_failed_one_answers_false() {
    let out = eval_with(
        &[
            ("GOOD", echo().to_string().into()),
            ("BAD", refused_port().to_string().into()),
        ],
        "let c = OPI_TCP::CreateConnection(GOOD);\n\
         let f = OPI_TCP::CreateConnection(BAD);\n\
         [c.result, f.result, if !c.result { \"failed\" } else { \"connected\" }]",
    )
    .unwrap();
    assert_eq!(out.to_string(), r#"[true, false, "connected"]"#);
}

/// `.rhai` files and the ```` ```rhai ```` blocks of the READMEs under `dir` and of `docs/`.
fn rhai_sources(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() && !name.starts_with('.') && name != "target" && name != "fuzz" {
            rhai_sources(&path, out);
        } else if name.ends_with(".rhai") {
            out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
        } else if name == "README.md"
            || (name.ends_with(".md") && path.parent() == Some(&docs_dir()))
        {
            let text = std::fs::read_to_string(&path).unwrap();
            for block in text.split("```rhai\n").skip(1) {
                let code = block.split("```").next().unwrap_or_default();
                out.push((path.clone(), code.to_string()));
            }
        }
    }
}

/// The user documentation that README links to.
fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

/// The backtick strings of Rhai `code` that contain a backslash (comments and `"…"` skipped).
fn raw_escapes(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(s) = chars.next() {
                    match s {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                while chars.peek().is_some_and(|&s| s != '\n') {
                    chars.next();
                }
            }
            '`' => {
                let literal: String = chars.by_ref().take_while(|&s| s != '`').collect();
                if literal.contains('\\') {
                    found.push(literal);
                }
            }
            _ => {}
        }
    }
    found
}

/// Backtick strings are raw: `\r\n` in one goes on the wire as four characters. No example may
/// teach that by accident.
#[test]
fn no_example_puts_an_escape_in_a_raw_backtick_string() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    rhai_sources(root, &mut sources);
    assert!(sources.len() > 5, "found only {} sources", sources.len());
    assert!(
        sources.iter().any(|(path, _)| path.starts_with(docs_dir())),
        "no ```rhai block of docs/ was read"
    );
    for (path, code) in &sources {
        let bad = raw_escapes(code);
        assert!(bad.is_empty(), "{}: {bad:?}", path.display());
    }
    assert_eq!(raw_escapes(r#"// `\n`"#), Vec::<String>::new());
    assert_eq!(
        raw_escapes(r#"let s = "`\n`"; c.SendLine(`*${n}\r\n`)"#),
        [r"*${n}\r\n"]
    );
}

#[test]
fn completions_for_each_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = opi().args(["completions", shell]).assert().success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(text.len() > 500, "{shell}: {text}");
        assert!(
            text.contains("request") && text.contains("completions"),
            "{shell}: {text}"
        );
    }
    opi().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_prints_a_roff_page() {
    let out = opi().arg("man").assert().success();
    let page = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "{page}");
    assert!(page.contains(".TH opi-tcp 1"), "{page}");
    assert!(page.contains("request"), "{page}");
}

/// A peer that reads the request, then answers 300 kB and a newline in pieces, then more.
fn big_answer() -> std::net::SocketAddr {
    serve(|mut s| {
        use std::io::{Read, Write};
        let mut req = [0u8; 64];
        let _ = s.read(&mut req);
        for _ in 0..3 {
            if s.write_all(&[b'x'; 100_000]).is_err() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(150));
        }
        let _ = s.write_all(b"end\nafter the newline");
        std::thread::sleep(std::time::Duration::from_millis(300));
    })
}

#[test]
fn request_out_reads_a_long_answer_in_chunks_and_shows_no_progress_off_a_terminal() {
    let addr = big_answer();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answer.bin");
    let out = opi()
        .args([
            "request",
            "-a",
            &addr.to_string(),
            "-d",
            "get\\n",
            "-s",
            "false",
        ])
        .arg("--out")
        .arg(&file)
        .assert()
        .success();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(
        stderr,
        format!("wrote 300004 bytes to {}\n", file.display()),
        "{stderr:?}"
    );
    let answer = std::fs::read(&file).unwrap();
    assert_eq!(answer.len(), 300_004);
    assert!(answer.ends_with(b"xend\n"));
}

/// In a terminal (a pty from util-linux's `script`), the count and the rate are redrawn with `\r`.
#[test]
fn request_out_shows_bytes_and_rate_on_a_terminal() {
    let addr = big_answer();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answer.bin");
    let bin = assert_cmd::cargo::cargo_bin("opi-tcp");
    let cmd = format!(
        "{} request -a {addr} -d 'get\\n' --out {}",
        bin.display(),
        file.display()
    );
    let mut child = std::process::Command::new("script")
        .args(["-qfec", &cmd, "/dev/null"])
        .env("TERM", "dumb")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("util-linux `script` gives the request a terminal");
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            panic!("request did not finish");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(out.contains("\r293.0 KiB received, "), "{out:?}");
    assert!(out.contains("/s"), "{out:?}");
    assert!(out.contains("wrote 300004 bytes to"), "{out:?}");
}

/// The REPL in a pty (util-linux's `script`): Tab after `c.ReadL` completes the method of the
/// variable's type, and `(` shows its parameters as a hint.
#[test]
fn repl_completes_a_connections_methods_and_hints_their_parameters() {
    use std::io::Write;
    let bin = assert_cmd::cargo::cargo_bin("opi-tcp");
    let history = tempfile::NamedTempFile::new().unwrap();
    let mut child = std::process::Command::new("script")
        .args(["-qfec", &format!("{} repl", bin.display()), "/dev/null"])
        .env("OPI_TCP_HISTORY", history.path())
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("util-linux `script` runs the REPL in a pty");
    let mut stdin = child.stdin.take().unwrap();
    let mut send = |bytes: &[u8], wait_ms: u64| {
        let _ = stdin.write_all(bytes);
        let _ = stdin.flush();
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
    };
    std::thread::sleep(std::time::Duration::from_millis(1500));
    send(b"let s = OPI_TCP::StartServer(\"127.0.0.1:0\"); let c = OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`);\r", 800);
    send(b"c.ReadL\t", 500);
    send(b"(", 500);
    send(b"\x03", 300);
    send(b"\x04", 300);
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(5) {
            let _ = child.kill();
            panic!("the REPL did not quit on Ctrl-D");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(out.contains("c.ReadLine"), "{out:?}");
    assert!(out.contains("encoding, marker, timeout_ms)"), "{out:?}");
}

#[test]
fn the_reference_lists_properties_and_the_man_page_lists_functions() {
    opi()
        .args(["functions", "last_read"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "conn.last_read -> Dynamic  (property of TcpClient; addition)",
        ));
    let out = opi().arg("functions").output().unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    for prop in [
        "conn.eof",
        "conn.buffered",
        "conn.open",
        "server.port",
        "r.source",
    ] {
        assert!(list.contains(prop), "{prop} missing");
    }
    opi()
        .arg("man")
        .assert()
        .success()
        .stdout(predicates::str::contains(".SH FUNCTIONS"))
        .stdout(predicates::str::contains(
            "\\&OPI_TCP::CreateConnection(address: string) -> Dynamic",
        ));
}

#[test]
fn an_error_in_a_loaded_function_shows_the_files_line() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.rhai");
    std::fs::write(&lib, "// helpers\nfn g() {\n    throw \"boom\"\n}\n").unwrap();
    let out = opi()
        .arg("repl")
        .write_stdin(format!(
            ":load {}\ng()\nfn h() {{ throw \"bam\" }}\nh()\n",
            lib.display()
        ))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:3:5: Runtime error: boom", lib.display())),
        "{stderr}"
    );
    assert!(stderr.contains(" 3 |     throw \"boom\""), "{stderr}");
    assert!(
        stderr.contains("<stdin> (input 3):1:10: Runtime error: bam"),
        "{stderr}"
    );
}
