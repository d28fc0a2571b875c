//! The command line: exit codes, the error display with a caret, `eval`, `request`, piped stdin,
//! `#!` and ARGV, `functions`, `defs`, the piped REPL and Ctrl-C.

use std::io::Write;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::common::*;

#[test]
fn eval_prints_a_result_and_exits_0() {
    opi()
        .args(["eval", "40 + 2"])
        .assert()
        .success()
        .stdout("42\n");
    opi()
        .args(["-e", r#"OPI_TCP::GetTlsSettings(true)"#])
        .assert()
        .success()
        .stdout("#{\"accept_invalid_certs\": true, \"use_tls\": true}\n");
    opi()
        .args(["eval", "let x = 1;"])
        .assert()
        .success()
        .stdout("");
}

#[test]
fn a_script_error_shows_file_line_and_caret_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.rhai");
    std::fs::write(
        &path,
        "let a = 1;\nlet b = a +\n    OPI_TCP::ReadLine(42);\n",
    )
    .unwrap();
    opi()
        .arg(&path)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with(format!(
            "Error: {}:3:14: ",
            path.display()
        )))
        .stderr(predicate::str::contains(
            "ReadLine(conn: TcpClient) -> string",
        ))
        .stderr(predicate::str::contains(
            " 3 |     OPI_TCP::ReadLine(42);\n   |              ^",
        ));
}

#[test]
fn a_parse_error_is_shown_the_same_way() {
    opi()
        .args(["eval", "let x = ;"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("Error: <eval>:1:9: "))
        .stderr(predicate::str::contains(" 1 | let x = ;\n   |         ^"));
}

#[test]
fn usage_errors_exit_2_and_help_has_examples() {
    opi().arg("--no-such-flag").assert().code(2);
    opi().args(["request"]).assert().code(2);
    opi()
        .arg("no-such-file.rhai")
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "Error: reading no-such-file.rhai: ",
        ));
    for cmd in [
        &["--help"][..],
        &["request", "--help"],
        &["run", "--help"],
        &["eval", "--help"],
    ] {
        opi()
            .args(cmd)
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
}

#[test]
fn piped_stdin_is_a_script_with_shebang_and_argv() {
    let script = "#!/usr/bin/env opi-tcp\nprint(`args: ${ARGV}`);\n";
    opi()
        .write_stdin(script)
        .assert()
        .success()
        .stdout("args: []\n");
    opi()
        .args(["run", "-", "one", "--two"])
        .write_stdin(script)
        .assert()
        .success()
        .stdout("args: [\"one\", \"--two\"]\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.rhai");
    std::fs::write(
        &path,
        "#!/usr/bin/env opi-tcp\nprint(ARGV.len());\nthrow \"boom\";\n",
    )
    .unwrap();
    opi()
        .arg(&path)
        .args(["a", "-b"])
        .assert()
        .code(1)
        .stdout("2\n")
        .stderr(predicate::str::contains(":3:1: Runtime error: boom"));
}

#[test]
fn request_sends_unescaped_data_and_prints_the_answer() {
    let a = echo();
    opi()
        .args(["request", "-a", &a.to_string(), "-d", r"Echo this!\nrest\n"])
        .assert()
        .success()
        .stdout("Echo this!\n");
    opi()
        .args([
            "ProcessRequest",
            "--address",
            &a.to_string(),
            "--data",
            r"\x41\tB\n",
            "--string",
            "false",
        ])
        .assert()
        .success()
        .stdout("A\tB\n");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("answer.bin");
    opi()
        .args(["request", "-a", &a.to_string(), "-d", r"file\n", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote 5 bytes"));
    assert_eq!(std::fs::read(&out).unwrap(), b"file\n");
}

#[test]
fn request_failures_exit_1_with_the_message() {
    opi()
        .args(["request", "-a", &refused_port().to_string(), "-d", "x"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("Error: connect to 127.0.0.1:"));
    opi()
        .args([
            "request",
            "-a",
            "127.0.0.1:9",
            "--tls",
            "{'use_tls': true, 'bogus': 1}",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown TLS field 'bogus'"));
    opi()
        .args(["request", "-a", "127.0.0.1:9", "--proxy", "{not json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--proxy"));
}

#[test]
fn connect_timeout_option_is_validated() {
    opi()
        .args(["--connect-timeout", "0", "eval", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "--connect-timeout must be positive",
        ));
    opi()
        .env("OPI_TCP_CONNECT_TIMEOUT_MS", "soon")
        .args(["eval", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("OPI_TCP_CONNECT_TIMEOUT_MS"));
}

#[test]
fn functions_lists_signatures_and_defs_writes_definition_files() {
    opi()
        .args(["functions", "readline"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "OPI_TCP::ReadLine(conn: TcpClient, encoding: Dynamic, marker: Dynamic, timeout_ms: Dynamic) -> string",
        ))
        .stdout(predicate::str::contains("SendLine").not());
    opi()
        .arg("functions")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "OPI_TCP::ПрочитатьСтроку(conn: TcpClient) -> string",
        ))
        .stdout(predicate::str::contains("sleep(ms: i64)"));
    let dir = tempfile::tempdir().unwrap();
    opi().arg("defs").arg(dir.path()).assert().success();
    let defs = std::fs::read_to_string(dir.path().join("OPI_TCP.d.rhai")).unwrap();
    assert!(defs.contains("fn ReadLine("), "{defs}");
    assert!(
        defs.contains("Closes the connection"),
        "doc comments carried over"
    );
}

/// A definition's name, its `(name, type)` parameters and its return type.
type Definition<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

/// One `fn Name(param: type, …) -> type;` line of a definition file, split into its parts.
fn parse_definition(line: &str) -> Option<Definition<'_>> {
    let rest = line.strip_prefix("fn ")?.strip_suffix(';')?;
    let (name, rest) = rest.split_once('(')?;
    let (params, ret) = rest.rsplit_once(") -> ")?;
    let params = params
        .split(", ")
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once(": "))
        .collect::<Option<Vec<_>>>()?;
    Some((name, params, ret))
}

/// A type of a definition file: a name (`string`, `TcpClient`, `Map`), `?` (any) or `()`.
fn is_definition_type(t: &str) -> bool {
    t == "?" || t == "()" || (!t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '_'))
}

/// A function name of a definition file: an identifier, or `get x` / `set x` for a property.
fn is_definition_name(n: &str) -> bool {
    let n = n
        .strip_prefix("get ")
        .or_else(|| n.strip_prefix("set "))
        .unwrap_or(n);
    !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_')
}

#[test]
fn defs_files_parse_back_with_a_return_type_on_every_function() {
    let dir = tempfile::tempdir().unwrap();
    opi().arg("defs").arg(dir.path()).assert().success();
    let mut names = std::collections::BTreeSet::new();
    for file in ["OPI_TCP.d.rhai", "__static__.d.rhai"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(
            text.starts_with("module "),
            "{file} starts with its module line"
        );
        // Every line is Rhai definition syntax: a comment, the module line, or a definition (of
        // a function, or of an operator: `nesting` registers `==` and `!=` for collections).
        for line in text.lines() {
            let module = line
                .strip_prefix("module ")
                .and_then(|m| m.strip_suffix(';'))
                .is_some_and(is_definition_name);
            assert!(
                line.is_empty()
                    || line.starts_with("//")
                    || line.starts_with("fn ")
                    || line.starts_with("op ")
                    || module,
                "{file}: not definition syntax: {line}"
            );
        }
        for line in text.lines().filter(|l| l.starts_with("fn ")) {
            let Some((name, params, ret)) = parse_definition(line) else {
                panic!("{file}: not a definition: {line}");
            };
            assert!(
                is_definition_type(ret) && !ret.contains("Result"),
                "{file}: return type of {line}"
            );
            assert!(is_definition_name(name), "{file}: name of {line}");
            assert!(
                params
                    .iter()
                    .all(|(n, t)| is_definition_name(n) && is_definition_type(t)),
                "{file}: parameters of {line}"
            );
            names.insert(format!(
                "{}{name}",
                if file == "OPI_TCP.d.rhai" {
                    "OPI_TCP::"
                } else {
                    ""
                }
            ));
        }
    }
    // Everything `functions` lists is defined for editors too: its lines are indented under
    // group headings, and a property (`server.port`) is a `get port` definition.
    let out = opi().arg("functions").output().unwrap();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let Some(sig) = line.strip_prefix("  ") else {
            continue;
        };
        // A property of the module's types is `OPI_TCP::get port`; a global one `get eof`.
        let names_of = match sig
            .split_once(" -> ")
            .filter(|_| sig.contains("(property of"))
        {
            Some((prop, _)) => match prop.rsplit_once('.') {
                Some((_, p)) => vec![format!("OPI_TCP::get {p}"), format!("get {p}")],
                None => panic!("not a property line: {line}"),
            },
            None => vec![sig.split('(').next().unwrap_or_default().to_string()],
        };
        assert!(
            names_of.iter().any(|n| names.contains(n)),
            "{names_of:?} is missing from the definition files"
        );
    }
    assert!(names.contains("OPI_TCP::ReadLine") && names.contains("sleep"));
    assert!(names.contains("OPI_TCP::get port") && names.contains("unpack"));
}

#[test]
fn piped_repl_keeps_variables_and_functions_without_prompts() {
    let input = "let x = 20;\nfn double(v) {\n  v * 2\n}\ndouble(x) + 2\nlet s = `multi\nline`;\ns.len()\nlet t = \"open\n:vars\nthrow \"oops\";\nx\n";
    opi()
        .arg("repl")
        .write_stdin(input)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("=> 42\n=> 10\n"))
        .stdout(predicate::str::contains("let x = 20"))
        .stdout(predicate::str::ends_with("=> 20\n"))
        .stdout(predicate::str::contains(">>").not())
        .stderr(predicate::str::contains("Runtime error: oops"))
        .stderr(predicate::str::contains("Open string is not terminated"));
}

#[test]
fn ctrl_c_stops_a_blocked_read_with_exit_130() {
    let a = silent();
    let bin = assert_cmd::cargo::cargo_bin("opi-tcp");
    let mut child = StdCommand::new(bin)
        .args([
            "eval",
            &format!(
                r#"let c = OPI_TCP::CreateConnection("{a}"); print("ready"); c.ReadLine((), (), 0)"#
            ),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = [0u8; 6];
    std::io::Read::read_exact(&mut stdout, &mut buf).unwrap();
    assert_eq!(&buf, b"ready\n");
    let status = interrupt_and_wait(&mut child, "still blocked");
    assert_eq!(status.code(), Some(130));
}

#[test]
fn ctrl_c_stops_a_busy_loop_too() {
    let bin = assert_cmd::cargo::cargo_bin("opi-tcp");
    let mut child = StdCommand::new(bin)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"print(\"ready\"); let i = 0; loop { i += 1; }")
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = [0u8; 6];
    std::io::Read::read_exact(&mut stdout, &mut buf).unwrap();
    let status = interrupt_and_wait(&mut child, "the loop runs on");
    assert_eq!(status.code(), Some(130));
}

/// The REPL in a real terminal (a pty from util-linux's `script`): Ctrl-C stops a blocked read
/// and returns to the prompt, Ctrl-C on a half-typed line drops it, variables survive, Ctrl-D quits.
#[test]
fn repl_in_a_terminal_ctrl_c_returns_to_the_prompt() {
    let bin = assert_cmd::cargo::cargo_bin("opi-tcp");
    let history = tempfile::NamedTempFile::new().unwrap();
    let mut child = StdCommand::new("script")
        .args(["-qfec", &format!("{} repl", bin.display()), "/dev/null"])
        .env("OPI_TCP_HISTORY", history.path())
        .env("TERM", "dumb")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("util-linux `script` runs the REPL in a pty");
    let mut stdin = child.stdin.take().unwrap();
    let mut send = |bytes: &[u8], wait_ms: u64| {
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
        std::thread::sleep(Duration::from_millis(wait_ms));
    };
    std::thread::sleep(Duration::from_millis(1500));
    send(b"let s = OPI_TCP::StartServer(0); let c = OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`);\r", 600);
    send(b"c.ReadLine((), (), 0)\r", 1200);
    send(b"\x03", 600);
    send(b"throw \"half typed\"\x03", 400);
    send(b"type_of(c) + \" still here\"\r", 500);
    send(b"\x04", 500);
    let t = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "the REPL did not quit on Ctrl-D"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(out.contains("interrupted\r\n>> "), "{out:?}");
    assert!(out.contains("=> \"TcpClient still here\""), "{out:?}");
    assert!(!out.contains("Runtime error: half typed"), "{out:?}");
}

/// Runs the binary with `args`, its stdout or stderr a pipe whose reader is already gone.
fn into_a_closed_pipe(args: &[&str], close_stdout: bool) -> (Option<i32>, String) {
    let bin = assert_cmd::cargo::cargo_bin("opi-tcp");
    let mut cmd = StdCommand::new(bin);
    cmd.args(args).stdin(Stdio::null());
    if close_stdout {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    } else {
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    }
    let mut child = cmd.spawn().unwrap();
    let mut other = String::new();
    if close_stdout {
        drop(child.stdout.take());
        let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut other);
    } else {
        drop(child.stderr.take());
    }
    (child.wait().unwrap().code(), other)
}

#[test]
fn a_closed_stdout_or_stderr_pipe_ends_quietly() {
    for args in [
        &["functions"][..],
        &["-e", "blob(2000000)"],
        &[
            "test",
            "scripts/opi/TC_Client.rhai",
            "--param",
            "TCP_Address=127.0.0.1:1",
        ],
    ] {
        let (code, stderr) = into_a_closed_pipe(args, true);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(code.is_some_and(|c| c != 101), "{args:?}: exit {code:?}");
    }
    // debug() output and a long error, with stderr closed.
    for args in [
        &[
            "-e",
            r#"for i in 0..20000 { debug("a line of debug output"); }"#,
        ][..],
        &["-e", r#"throw "x".pad(100000, "y")"#],
    ] {
        let (code, _) = into_a_closed_pipe(args, false);
        assert!(code.is_some_and(|c| c != 101), "{args:?}: exit {code:?}");
    }
}

#[test]
fn a_test_deadline_too_large_for_a_duration_is_a_usage_error() {
    opi()
        .args(["test", "scripts/opi", "--timeout", "1e300"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--timeout must be a positive number",
        ));
}

#[test]
fn handles_show_in_their_own_words_not_as_rust_paths() {
    opi()
        .args(["eval", r#"[OPI_TCP::StartServer("127.0.0.1:0"), "x"]"#])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("[TcpServer(port "))
        .stdout(predicate::str::contains("opi_tcp::").not());
    opi()
        .arg("repl")
        .write_stdin("let s = OPI_TCP::StartServer(\"127.0.0.1:0\");\ns\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("=> TcpServer(port "))
        .stdout(predicate::str::contains("opi_tcp::").not());
    opi()
        .args([
            "eval",
            r#"assert_eq(OPI_TCP::StartServer("127.0.0.1:0"), 1)"#,
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("actual: TcpServer(port "))
        .stderr(predicate::str::contains("(TcpServer)"))
        .stderr(predicate::str::contains("opi_tcp::").not());
}

#[test]
fn max_memory_stops_a_script_whose_data_outgrows_it() {
    // Six values of 30 MiB, each within the engine's per-value limit: 180 MiB in all.
    let code = "let n = 30 * 1024 * 1024; let a = blob(n); let b = blob(n); let c = blob(n); \
                let d = blob(n); let e = blob(n); let f = blob(n); a.len() + f.len()";
    opi()
        .args(["--max-memory", "64M", "-e", code])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the script's data outgrew the memory limit of 64 MiB",
        ));
    opi()
        .args(["-e", code])
        .assert()
        .success()
        .stdout("62914560\n");
    opi()
        .args(["--max-memory", "lots", "-e", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a size such as 512M"));
}

#[test]
fn request_past_32_mib_without_a_newline_says_where_the_limit_and_what_to_do() {
    static ENDLESS: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let body: &'static [u8] = ENDLESS.get_or_init(|| vec![b'a'; 33 << 20]);
    let a = send_and_close(body);
    opi()
        .args(["request", "-a", &a.to_string(), "--timeout", "20000"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "the answer from {a} passed 32 MiB"
        )))
        .stderr(predicate::str::contains("append_file"));
}

#[test]
fn request_without_an_answer_fails_and_says_so() {
    let started = Instant::now();
    opi()
        .args([
            "request",
            "-a",
            &silent().to_string(),
            "-d",
            r"x\n",
            "--timeout",
            "300",
        ])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("no answer within 300 ms"));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    // An answer without the newline is printed, and the missing newline is said on stderr.
    opi()
        .args(["request", "-a", &send_and_close(b"partial").to_string()])
        .assert()
        .success()
        .stdout("partial")
        .stderr(predicate::str::contains("does not end with a newline"));
    opi()
        .args(["request", "-a", &echo().to_string(), "-d", r"full\n"])
        .assert()
        .success()
        .stdout("full\n")
        .stderr("");
}

#[test]
fn a_misspelled_function_names_the_closest_real_ones_in_script_words() {
    opi()
        .args(["-e", r#"OPI_TCP::CreateConection("x")"#])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Function not found: OPI_TCP::CreateConection (string); did you mean OPI_TCP::CreateConnection?",
        ));
    opi()
        .args([
            "-e",
            r#"fn f() { let s = OPI_TCP::StartServer("127.0.0.1:0"); s.getconnectionlist() } f()"#,
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "getconnectionlist (TcpServer); did you mean GetConnectionList?",
        ))
        .stderr(predicate::str::contains("ImmutableString").not());
}

#[test]
fn a_mistyped_command_is_a_usage_error_with_the_command_meant() {
    for (typed, meant) in [
        ("reqest", "request"),
        ("tset", "test"),
        ("functoins", "functions"),
    ] {
        opi()
            .args([typed, "-a", "x"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "'{typed}' is neither a command nor a file; did you mean `{meant}`?"
            )));
    }
    // A name that looks like a file is still read as one.
    opi()
        .arg("no-such-file.rhai")
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "Error: reading no-such-file.rhai: ",
        ));
}

#[test]
fn opis_cli_form_prints_the_settings_structures_as_json() {
    opi()
        .args(["tcp", "GetProxySettings", "-a", "127.0.0.1", "-p", "1080", "-t", "http", "-l", "u", "-s", "pw"])
        .assert()
        .success()
        .stdout("{\"login\":\"u\",\"password\":\"pw\",\"port\":1080,\"proxy_type\":\"http\",\"server\":\"127.0.0.1\"}\n");
    opi()
        .args([
            "tcp",
            "GetTlsSettings",
            "--trust",
            "Истина",
            "--cert",
            "/tmp/ca.pem",
        ])
        .assert()
        .success()
        .stdout(
            "{\"accept_invalid_certs\":true,\"ca_cert_path\":\"/tmp/ca.pem\",\"use_tls\":true}\n",
        );
    opi()
        .args([
            "tcp",
            "GetLoggingSettings",
            "-m",
            "false",
            "-c",
            "5",
            "-p",
            "/tmp/l.log",
        ])
        .assert()
        .success()
        .stdout("{\"file_path\":\"/tmp/l.log\",\"mode\":\"file\"}\n");
    opi()
        .args(["tcp", "GetTlsSettings", "--trust", "perhaps"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("'perhaps' is not a boolean"));
}

#[test]
fn opis_cli_process_request_takes_opis_options_and_prints_the_error_map() {
    let a = echo();
    opi()
        .args([
            "tcp",
            "ProcessRequest",
            "--address",
            &a.to_string(),
            "--data",
            "a\\fb\\vc\\n",
            "--string",
            "да",
        ])
        .assert()
        .success()
        .stdout("a\u{c}b\u{b}c\n");
    // A settings structure from the CLI feeds the next call, as in OPI's docs.
    let proxy = opi()
        .args([
            "tcp",
            "GetProxySettings",
            "-a",
            "127.0.0.1",
            "-p",
            &refused_port().port().to_string(),
        ])
        .output()
        .unwrap();
    let proxy = String::from_utf8(proxy.stdout).unwrap();
    let out = opi()
        .args([
            "tcp",
            "ProcessRequest",
            "-a",
            &a.to_string(),
            "-d",
            "x\\n",
            "-p",
            proxy.trim(),
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("Error: proxy for"))
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.starts_with("{\"error\":\"proxy for") && out.contains("\"result\":false"),
        "{out}"
    );
}

#[test]
fn request_data_naming_a_file_sends_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("req.txt");
    std::fs::write(&file, "from the file\n").unwrap();
    opi()
        .args([
            "request",
            "-a",
            &echo().to_string(),
            "-d",
            &file.display().to_string(),
        ])
        .assert()
        .success()
        .stdout("from the file\n");
}

#[test]
fn the_repl_shows_blobs_as_hex_and_handles_by_their_state() {
    let a = echo();
    let input = format!(
        "let c = OPI_TCP::CreateConnection(\"{a}\");\nc.SendLine(\"hello\\n\");\nc.Expect(\"zz\", 300);\nc\nblob(5, 0x48)\nblob(20, 0)\n:vars\n"
    );
    let out = opi()
        .arg("repl")
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains(&format!("=> TcpClient({a}, open, 6 bytes buffered)")),
        "{out}"
    );
    assert!(out.contains("=> blob(5): 48 48 48 48 48 |HHHHH|"), "{out}");
    assert!(
        out.contains("=> blob(20):\n00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n00000010  00 00 00 00"),
        "{out}"
    );
    assert!(
        out.contains(&format!("let c = TcpClient({a}, open, 6 bytes buffered)")),
        "{out}"
    );
    assert!(!out.contains("opi_tcp::"), "a Rust type path leaked: {out}");
}

#[test]
fn a_script_run_alone_keeps_the_helpful_answers_to_wrong_calls() {
    // A script run from the command line sets up the catch-alls of the names it mentions only.
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        r#"print(OPI_TCP::SendData(5, 1, "x").error);
        let c = OPI_TCP::CreateConnection(1, 2, 3, 4, 5, 6);"#,
    )
    .unwrap();
    opi()
        .arg(file.path())
        .assert()
        .code(1)
        .stdout("The passed value is not a server object\n")
        .stderr(predicates::str::contains(
            "no variant of CreateConnection takes these arguments",
        ));
    opi()
        .args(["-e", "OPI_TCP::GetLastError(1, 2, 3)"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no variant of GetLastError"));
}

#[test]
fn exit_sets_the_exit_code_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.rhai");
    std::fs::write(&file, "print(\"before\"); exit(3); print(\"after\");").unwrap();
    opi().arg(&file).assert().code(3).stdout("before\n");
    opi().args(["eval", "exit(3)"]).assert().code(3);
    opi()
        .args([
            "-e",
            "fn f() { exit(4) } try { f() } catch { print(\"caught\") }",
        ])
        .assert()
        .code(4)
        .stdout("");
    opi().args(["eval", "exit()"]).assert().code(0);
    opi().args(["eval", "exit(300)"]).assert().code(255);
    opi()
        .args(["eval", r#"exit("no config")"#])
        .assert()
        .code(1)
        .stderr("no config\n");
    opi().arg("-").write_stdin("exit(6);").assert().code(6);
    // The REPL (piped) quits with the code, running nothing after.
    opi()
        .write_stdin("print(\"one\");\nexit(7);\nprint(\"two\");\n")
        .assert()
        .code(7)
        .stdout("one\n");
    // A test that calls exit fails and says so; the others run.
    let suite = dir.path().join("e.rhai");
    std::fs::write(
        &suite,
        "fn test_a() { exit(3); }\nfn test_b() { assert(true); }\n",
    )
    .unwrap();
    opi()
        .arg("test")
        .arg(&suite)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("the test called exit(3)"))
        .stdout(predicate::str::ends_with("1 passed, 1 failed\n"));
}

/// `--trace` takes a file only as `--trace=FILE`: the word after it is the script (or the
/// command), which is never written to.
#[test]
fn trace_never_takes_the_next_word_as_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.rhai");
    let b = dir.path().join("b.rhai");
    let text = "let c = OPI_TCP::CreateConnection(\"127.0.0.1:1\"); print(`ran ${ARGV.len()}`);";
    std::fs::write(&a, text).unwrap();
    std::fs::write(&b, text).unwrap();
    let a_s = a.display().to_string();
    let b_s = b.display().to_string();
    for (args, out) in [
        (vec!["--trace", &a_s, "ARG"], "ran 1\n"),
        (vec!["--trace", &a_s, &b_s], "ran 1\n"),
        (vec!["--trace", "run", &a_s], "ran 0\n"),
        (vec!["--trace", "eval", "print(`ran 0`)"], "ran 0\n"),
    ] {
        let got = opi()
            .current_dir(dir.path())
            .args(&args)
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&got.stdout), out, "{args:?}");
        assert!(got.status.success(), "{args:?}");
        if args[1] != "eval" {
            // The trace went to stderr.
            let stderr = String::from_utf8_lossy(&got.stderr);
            assert!(
                stderr.contains("not connected (refused)"),
                "{args:?}: {stderr}"
            );
        }
    }
    assert_eq!(std::fs::read_to_string(&a).unwrap(), text);
    assert_eq!(std::fs::read_to_string(&b).unwrap(), text);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no file named after a word: {names:?}");
    // The file form.
    let log = dir.path().join("t.log");
    opi()
        .arg(format!("--trace={}", log.display()))
        .arg(&a)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("not connected (refused)")
    );
}

#[test]
fn global_options_work_before_any_subcommand() {
    opi()
        .args(["--connect-timeout", "100", "eval", "1+1"])
        .assert()
        .success()
        .stdout("2\n");
    opi()
        .args([
            "--max-memory=64M",
            "--trace",
            "--trace-hex",
            "eval",
            "print(3)",
        ])
        .assert()
        .success()
        .stdout("3\n");
    opi()
        .args(["--connect-timeout", "100", "functions", "ConnectAll"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ConnectAll"));
}
