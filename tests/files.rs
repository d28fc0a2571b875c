//! Files and the standard streams: whole files, raw stdout, stdin as bytes and lines, stderr;
//! the streams through the binary (`opi-tcp -e` with a piped stdin).

use std::io::Read;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::common::*;

fn in_dir(code: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let dir_str = dir.path().display().to_string();
    eval_with(&[("DIR", dir_str.into())], code).map(|v| v.to_string())
}

#[test]
fn files_are_written_appended_and_read_back() {
    let out = in_dir(
        r#"
        let p = DIR + "/a.txt";
        write_file(p, "Привет\n");
        append_file(p, encode("мир", "UTF-8"));
        append_file(DIR + "/new.bin", from_hex("00ff"));
        write_file(DIR + "/cp.txt", encode("Ёж", "windows-1251"));
        [read_text(p), read_file(p).len(), read_file(DIR + "/new.bin").hex(),
         read_text(DIR + "/cp.txt", "windows-1251")]
    "#,
    )
    .unwrap();
    assert_eq!(out, r#"["Привет\nмир", 19, "00ff", "Ёж"]"#);
    // write_file replaces what was there.
    let out = in_dir(
        r#"let p = DIR + "/b"; write_file(p, "long text"); write_file(p, "x"); read_text(p)"#,
    );
    assert_eq!(out.unwrap(), "x");
}

#[test]
fn file_errors_name_the_path_the_os_reason_and_the_position() {
    let e = in_dir("let x = 1;\nread_file(DIR + \"/none\")").unwrap_err();
    assert!(
        e.contains("read_file: cannot read '")
            && e.contains("/none': No such file or directory")
            && e.contains("line 2"),
        "{e}"
    );
    let e = in_dir(r#"write_file(DIR + "/no/such/dir/f", "x")"#).unwrap_err();
    assert!(
        e.contains("write_file: cannot write '") && e.contains("No such file or directory"),
        "{e}"
    );
    let e = in_dir(r#"read_text(DIR)"#).unwrap_err();
    assert!(e.contains("Is a directory"), "{e}");
    let e = in_dir(r#"write_file(DIR + "/f", 42)"#).unwrap_err();
    assert!(
        e.contains("the data must be a blob or a string, not int"),
        "{e}"
    );
}

#[test]
fn reads_are_bounded_by_the_blob_and_string_limits() {
    let e = eval(r#"read_file("/dev/zero")"#).unwrap_err();
    assert!(
        e.contains("'/dev/zero' has 33554433 bytes, more than a blob can hold (32 MiB)"),
        "{e}"
    );
    // 12 MB of bytes that are not UTF-8 would be 36 MB of text.
    let e = in_dir(r#"let p = DIR + "/x"; write_file(p, blob(12000000, 0xff)); read_text(p)"#)
        .unwrap_err();
    assert!(
        e.contains("is longer than a string can hold (32 MiB)"),
        "{e}"
    );
}

#[test]
fn write_stdout_writes_raw_bytes_and_nothing_else() {
    let out = opi()
        .args([
            "-e",
            r#"write_stdout(from_hex("00ff0a")); write_stdout("x"); eprint("note")"#,
        ])
        .assert()
        .success()
        .stderr("note\n")
        .get_output()
        .stdout
        .clone();
    assert_eq!(out, b"\x00\xff\nx");
}

#[test]
fn a_script_works_as_a_filter_on_stdin() {
    opi()
        .args(["-e", "write_stdout(read_stdin().hex())"])
        .write_stdin(vec![0u8, 1, 0xfe])
        .assert()
        .success()
        .stdout("0001fe");
    opi()
        .args(["-e", "let a = read_stdin(3); let b = read_stdin(3); let c = read_stdin(3); write_stdout(`${a.len()} ${b.len()} ${c.len()}`)"])
        .write_stdin("abcdefgh")
        .assert()
        .success()
        .stdout("3 3 2");
}

#[test]
fn read_stdin_line_strips_the_newline_and_gives_unit_at_the_end() {
    opi()
        .args([
            "-e",
            r#"let lines = []; loop { let l = read_stdin_line(); if l == () { break } lines.push(l) } eprint(lines); write_stdout(read_stdin().len().to_string())"#,
        ])
        .write_stdin("one\r\ntwo\n\nlast")
        .assert()
        .success()
        .stderr("[\"one\", \"two\", \"\", \"last\"]\n")
        .stdout("0");
    // Lines and bytes share stdin's buffer: nothing is skipped between them.
    opi()
        .args([
            "-e",
            r#"let l = read_stdin_line(); write_stdout(l + "|" + read_stdin(2).decode("UTF-8"))"#,
        ])
        .write_stdin("ab\ncdef")
        .assert()
        .success()
        .stdout("ab|cd");
}

#[test]
fn stdin_past_the_blob_limit_is_an_error_that_says_how_to_read_it() {
    opi()
        .args(["-e", "read_stdin()"])
        .write_stdin(vec![b'a'; (32 << 20) + 1])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "read it in parts with read_stdin(max_size)",
        ));
    opi()
        .args(["-e", "read_stdin(40000000)"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "max_size 40000000 is more than a blob can hold",
        ));
}

#[test]
fn write_stdout_into_a_closed_pipe_ends_quietly() {
    let bin = assert_cmd::cargo::cargo_bin("opi-tcp");
    let mut child = StdCommand::new(bin)
        .args(["-e", "loop { write_stdout(blob(65536, 0x41)) }"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "still writing after the reader left"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!((status.code(), stderr.as_str()), (Some(0), ""));
}

/// A full disk is not a closed pipe: the output is lost, so it is an error with exit code 1.
#[test]
fn output_to_a_full_disk_is_an_error() {
    for args in [
        &["eval", "print(\"x\")"][..],
        &["-e", "1 + 2"],
        &["functions"],
        &["-e", "write_stdout(\"x\")"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = StdCommand::new(assert_cmd::cargo::cargo_bin("opi-tcp"))
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("No space left on device"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn ctrl_c_stops_a_wait_for_stdin_with_exit_130() {
    let bin = assert_cmd::cargo::cargo_bin("opi-tcp");
    let mut child = StdCommand::new(bin)
        .args(["-e", r#"print("ready"); read_stdin_line()"#])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kept open, so the read waits until the interrupt.
    let stdin = child.stdin.take().unwrap();
    let mut ready = [0u8; 6];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut ready)
        .unwrap();
    assert_eq!(&ready, b"ready\n");
    let status = interrupt_and_wait(&mut child, "still waiting for stdin");
    drop(stdin);
    assert_eq!(status.code(), Some(130));
}

/// A FIFO with no writer: opening it for reading waits for one (and for writing, for a reader).
fn fifo(dir: &std::path::Path) -> String {
    let path = dir.join("fifo");
    let made = StdCommand::new("mkfifo").arg(&path).status().unwrap();
    assert!(made.success());
    path.display().to_string()
}

#[test]
fn ctrl_c_stops_a_file_read_or_write_that_waits() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo(dir.path());
    for call in [
        format!("read_file({fifo:?})"),
        format!("read_text({fifo:?})"),
        format!("write_file({fifo:?}, \"x\")"),
        format!("append_file({fifo:?}, \"x\")"),
    ] {
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("opi-tcp"))
            .args(["-e", &format!(r#"print("ready"); {call}"#)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut ready = [0u8; 6];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut ready)
            .unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let status = interrupt_and_wait(&mut child, &format!("{call} still waiting"));
        assert_eq!(status.code(), Some(130), "{call}");
    }
}

#[test]
fn a_test_deadline_ends_a_file_read_that_waits() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo(dir.path());
    std::fs::write(
        dir.path().join("fifo.rhai"),
        format!("fn test_fifo() {{ read_file({fifo:?}); }}\nfn test_after() {{ assert(true); }}\n"),
    )
    .unwrap();
    let t = Instant::now();
    assert_cmd::Command::cargo_bin("opi-tcp")
        .unwrap()
        .current_dir(dir.path())
        .args(["test", "fifo.rhai", "--timeout", "1"])
        .timeout(Duration::from_secs(20))
        .assert()
        .code(1)
        .stdout(predicates::str::contains("timed out after 1 s"))
        .stdout(predicates::str::ends_with("1 passed, 1 failed\n"));
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}
