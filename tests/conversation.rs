//! The conversation additions: Expect (each pattern kind, earliest-wins, ties, split packets,
//! timeout / eof / limit with nothing consumed), SendAfter / SendLineAfter, ReadAvailable,
//! ReadUntilQuiet and the stream properties, against in-process peers.

use std::io::{Read, Write};
use std::net::Shutdown;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use opi_tcp::script;
use rhai::{Dynamic, Scope};

use crate::common::*;

const MS: Duration = Duration::from_millis(1);

#[test]
fn a_literal_match_consumes_up_to_its_end_and_the_rest_stays_buffered() {
    let a = send_and_close(b"220 ready\r\n+OK done\r\ntail");
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let r = c.Expect("+OK", 2000);
        let rest = c.ReadLine((), "\r\n", 2000);
        [r.index, r.reason, r.before, r.matched, rest, c.last_read]
    "#,
    );
    assert_eq!(
        out,
        r#"[0, "match", "220 ready\r\n", "+OK", " done\r\n", "marker"]"#
    );
}

#[test]
fn a_blob_pattern_matches_bytes() {
    let a = send_and_close(b"\x00\x01\xff\xfeEND");
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let marker = blob(2, 0xfe);
        marker[0] = 0xff;
        let r = OPI_TCP::Expect(c, marker, 2000);
        [r.index, r.before.len(), c.ReadBinaryData().as_string()]
    "#,
    );
    assert_eq!(out, r#"[0, 2, "END"]"#);
}

#[test]
fn a_regex_gives_its_groups_and_named_groups() {
    let a = send_and_close(b"*1\r\n$5\r\nhello\r\n");
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let r = c.Expect(regex("\\$(?P<len>\\d+)\r\n(x)?"), 2000);
        [r.index, r.before, r.matched, r.groups, r.named.len, c.buffered]
    "#,
    );
    assert_eq!(out, r#"[0, "*1\r\n", "$5\r\n", ["5", ()], "5", 7]"#);
}

#[test]
fn the_earliest_match_wins_and_a_tie_goes_to_the_first_listed() {
    let a = send_and_close(b"xx-ERR oops +OK");
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        sleep(100);
        let r = c.Expect(["+OK", "-ERR"], 2000);
        let t = c.Expect([regex("o+"), "oo"], 2000);
        [r.index, r.matched, t.index, t.matched]
    "#,
    );
    assert_eq!(out, r#"[1, "-ERR", 0, "oo"]"#);
}

#[test]
fn a_pattern_split_across_packets_is_found_as_soon_as_it_is_complete() {
    static PARTS: &[&[u8]] = &[b"user", b"na", b"me: ", b"late"];
    let a = chunks(PARTS, 80 * MS, Duration::from_secs(5));
    let t = Instant::now();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let r = c.Expect(["password:", regex("name: $")], 3000);
        [r.index, r.before]
    "#,
    );
    assert_eq!(out, r#"[1, "user"]"#);
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn a_timeout_is_a_result_and_consumes_nothing() {
    static PARTS: &[&[u8]] = &[b"partial answer"];
    let a = chunks(PARTS, MS, Duration::from_secs(5));
    let t = Instant::now();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let r = c.Expect(["+OK", regex("\\d+")], 300);
        [r.index, r.reason, r.before, c.last_read, c.buffered, c.ReadBinaryData(0, (), 100).as_string()]
    "#,
    );
    assert_eq!(
        out,
        r#"[-1, "timeout", "partial answer", "timeout", 14, "partial answer"]"#
    );
    let took = t.elapsed();
    assert!(took >= 300 * MS && took < 2000 * MS, "{took:?}");
}

#[test]
fn a_zero_timeout_looks_once_without_waiting() {
    let a = silent();
    let t = Instant::now();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let r = c.Expect("x", 0);
        let b = c.ReadAvailable(10, 0);
        [r.reason, b.len(), c.last_read]
    "#,
    );
    assert_eq!(out, r#"["timeout", 0, "timeout"]"#);
    assert!(
        t.elapsed() < Duration::from_millis(1000),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn end_of_stream_without_a_match_says_eof_at_once() {
    let a = send_and_close(b"bye");
    let t = Instant::now();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let r = c.Expect("+OK", 5000);
        let eof_before_read = c.eof;
        let rest = c.ReadBinaryData();
        let again = c.ReadLine((), "\n", 5000);
        [r.index, r.reason, r.before, eof_before_read, rest.as_string(), c.eof, again, c.last_read, c.open]
    "#,
    );
    assert_eq!(
        out,
        r#"[-1, "eof", "bye", false, "bye", true, "", "eof", true]"#
    );
    assert!(
        t.elapsed() < Duration::from_millis(2500),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn a_full_search_window_says_limit_and_keeps_the_bytes() {
    let a = send_and_close(&[b'a'; 5000]);
    let mut engine = script::engine();
    engine.set_max_string_size(1000);
    let mut scope = Scope::new();
    scope.push_constant("ADDR", a.to_string());
    let out = engine
        .eval_with_scope::<Dynamic>(
            &mut scope,
            r#"
            let c = OPI_TCP::CreateConnection(ADDR);
            let r = c.Expect("b", 2000);
            let why = c.last_read;
            let first = c.ReadBinaryData(600);
            [r.index, r.reason, why, first.len(), c.buffered > 0]
        "#,
        )
        .map(|v| v.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out, r#"[-1, "limit", "limit", 600, true]"#);
}

#[test]
fn patterns_are_checked() {
    for (code, want) in [
        (r#"c.Expect(regex("a(b"))"#, "bad regex"),
        (r#"c.Expect("")"#, "empty pattern"),
        (r#"c.Expect([])"#, "list of patterns is empty"),
        (
            r#"c.Expect(42)"#,
            "a pattern must be a string, a blob or regex",
        ),
        (r#"c.Expect("x", -1)"#, "timeout_ms must be 0"),
        (r#"regex("x", 0)"#, "max_span must be a positive"),
    ] {
        let a = silent();
        let e = eval_at(
            a,
            &format!("let c = OPI_TCP::CreateConnection(ADDR); {code}"),
        )
        .expect_err(code);
        assert!(e.contains(want), "{code}: {e}");
    }
    let e = eval(r#"regex("a(b")"#).unwrap_err();
    assert!(e.contains("a(b") && e.contains('^'), "{e}");
}

#[test]
fn expect_decodes_in_the_encoding_given() {
    // "Пароль: " in windows-1251, then a byte that is not valid UTF-8 on its own.
    static CP1251: &[u8] = b"\xcf\xe0\xf0\xee\xeb\xfc: ";
    let a = send_and_close(CP1251);
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let r = c.Expect(": ", 2000, "windows-1251");
        r.before
    "#,
    );
    assert_eq!(out, "Пароль");
}

/// A peer that sends `prompt`, then hands over everything it receives until the client
/// half-closes.
fn prompter(prompt: &'static [u8]) -> (std::net::SocketAddr, mpsc::Receiver<Vec<u8>>) {
    let (tx, rx) = mpsc::channel();
    let addr = serve(move |mut s| {
        let _ = s.write_all(prompt);
        let mut all = Vec::new();
        let _ = s.read_to_end(&mut all);
        let _ = tx.send(all);
        let _ = s.shutdown(Shutdown::Both);
    });
    (addr, rx)
}

#[test]
fn send_line_after_sends_nothing_when_the_prompt_never_comes() {
    let (a, got) = prompter(b"login: ");
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let r = c.SendLineAfter("password: ", "secret\n", 200);
        c.FinishSending();
        [r.index, r.reason, r.sent, r.before]
    "#,
    );
    assert_eq!(out, r#"[-1, "timeout", false, "login: "]"#);
    let sent = got
        .recv_timeout(Duration::from_secs(5))
        .expect("peer report");
    assert!(sent.is_empty(), "the peer got {sent:?}");
}

#[test]
fn send_after_reports_the_match_and_the_send() {
    let (a, got) = prompter(b"Name? ");
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let r = c.SendLineAfter(["Who?", "Name?"], "alice\n");
        let s = OPI_TCP::SendAfter(c, "never", blob(1, 0x2e), 100);
        c.SendBinaryData(blob(1, 0x21));
        c.FinishSending();
        [r.index, r.sent, r.matched, s.sent]
    "#,
    );
    assert_eq!(out, r#"[1, true, "Name?", false]"#);
    let sent = got
        .recv_timeout(Duration::from_secs(5))
        .expect("peer report");
    assert_eq!(sent, b"alice\n!");
}

#[test]
fn read_available_returns_a_banner_at_once_and_leaves_the_rest() {
    let a = speaks_first(b"SSH-2.0-OpenSSH_9.6 banner\r\n");
    let t = Instant::now();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let first = c.ReadAvailable(8, 3000);
        let rest = c.ReadAvailable();
        [first.as_string(), rest.as_string(), c.last_read]
    "#,
    );
    assert_eq!(
        out,
        r#"["SSH-2.0-", "OpenSSH_9.6 banner\r\n", "available"]"#
    );
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn read_available_gives_an_empty_blob_on_timeout_and_at_end_of_stream() {
    let out = eval_str(
        silent(),
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let b = c.ReadAvailable(100, 200);
        [b.len(), c.last_read, c.eof]
    "#,
    );
    assert_eq!(out, r#"[0, "timeout", false]"#);
    let out = eval_str(
        send_and_close(b""),
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let b = c.ReadAvailable(100, 2000);
        [b.len(), c.last_read, c.eof]
    "#,
    );
    assert_eq!(out, r#"[0, "eof", true]"#);
}

#[test]
fn read_until_quiet_collects_a_burst_and_stops_on_silence() {
    static PARTS: &[&[u8]] = &[b"line 1\n", b"line 2\n", b"line 3\n"];
    let a = chunks(PARTS, 50 * MS, Duration::from_secs(10));
    let t = Instant::now();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let b = c.ReadUntilQuiet(400, 5000);
        [b.as_string(), c.last_read]
    "#,
    );
    assert_eq!(out, r#"["line 1\nline 2\nline 3\n", "quiet"]"#);
    let took = t.elapsed();
    assert!(took >= 400 * MS && took < 3000 * MS, "{took:?}");
}

#[test]
fn read_until_quiet_keeps_its_total_deadline_and_max_size() {
    let a = trickle(&[b'z'; 400], 20 * MS);
    let t = Instant::now();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let b = c.ReadUntilQuiet(500, 600);
        let capped = c.ReadUntilQuiet(500, 5000, 3);
        [b.len() > 5, c.last_read, capped.len()]
    "#,
    );
    assert_eq!(out, r#"[true, "max_size", 3]"#);
    assert!(
        t.elapsed() < Duration::from_millis(3000),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn opi_reads_say_why_they_stopped() {
    let a = speaks_first(b"abc\ndefgh");
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let before = c.last_read;
        c.ReadLine((), "\n");
        let marker = c.last_read;
        c.ReadBinaryData(2);
        let max = c.last_read;
        c.ReadBinaryData(0, "", 200);
        [before, marker, max, c.last_read, c.buffered]
    "#,
    );
    assert_eq!(out, r#"[(), "marker", "max_size", "timeout", 0]"#);
}

#[test]
fn a_closed_connection_answers_expect_with_error() {
    let out = eval_str(
        echo(),
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        c.CloseConnection();
        let r = c.Expect("x", 100);
        [r.index, r.reason, c.open, c.eof, c.GetLastError().kind]
    "#,
    );
    assert_eq!(out, r#"[-1, "error", false, true, "closed"]"#);
}

#[test]
fn expect_after_a_match_finds_the_next_one_in_the_leftover() {
    // Both answers arrive in one segment: the second Expect must not wait for the network.
    let a = chunks(&[b"+OK 1\r\n+OK 2\r\n"], MS, Duration::from_secs(10));
    let t = Instant::now();
    let out = eval_str(
        a,
        r#"
        let c = OPI_TCP::CreateConnection(ADDR);
        let one = c.Expect(regex("\\+OK (\\d)\r\n"), 3000);
        let two = c.Expect(regex("\\+OK (\\d)\r\n"), 3000);
        [one.groups[0], two.groups[0], two.before]
    "#,
    );
    assert_eq!(out, r#"["1", "2", ""]"#);
    assert!(
        t.elapsed() < Duration::from_millis(2000),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn expect_connection_reads_a_server_side_dialogue() {
    let out = eval_str(
        "",
        r#"
        let s = OPI_TCP::StartServer("127.0.0.1:0");
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`);
        c.SendLine("USER alice\r\nPA");
        sleep(100);
        let id = s.GetConnectionList().connections[0].connectionId;
        let r = s.ExpectConnection(id, regex("USER (\\w+)\r\n"), 2000);
        c.SendLine("SS x\r\n");
        let p = OPI_TCP::ExpectConnection(s, id, "\r\n", 2000);
        let t = s.ExpectConnection(id, "nothing", 100);
        let e = s.ExpectConnection(999, "x", 100);
        c.CloseConnection();
        let eof = s.ExpectConnection(id, "x", 2000);
        [r.groups[0], r.connectionId == id, p.before, p.matched, t.reason, e.reason, e.kind, eof.reason]
    "#,
    );
    assert_eq!(
        out,
        r#"["alice", true, "PASS x", "\r\n", "timeout", "error", "closed", "eof"]"#
    );
}

#[test]
fn a_match_whose_texts_would_not_fit_a_string_consumes_nothing_on_either_side() {
    // Ten groups each holding the whole 3.5 MB match come to more than the 32 MiB a string (and
    // so a map's texts) may hold. A server connection's match was taken from its buffer first,
    // and those bytes were gone.
    let out = eval_str(
        "",
        r#"
        let s = OPI_TCP::StartServer("127.0.0.1:0");
        let c = OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`);
        let big = "";
        big.pad(3500000, 'a');
        big += "b";
        let re = regex("((((((((((a+))))))))))b", 4000000);
        c.SendLine(big);
        sleep(200);
        let id = s.GetConnectionList().connections[0].connectionId;
        let on_server = s.ExpectConnection(id, re, 5000);
        let got = 0;
        while got < 3500001 {
            let d = OPI_TCP::GetNextConnectionData(s, 5000, 4000000);
            if !d.result { break; }
            got += d.message.len();
        }
        s.SendData(id, big);
        let on_client = c.Expect(re, 5000);
        let why = c.GetLastError().error;
        let back = c.ReadBinaryData(3500001, "", 5000).len();
        [on_server.reason, on_server.error.contains("nothing was consumed"), got,
         on_client.reason, why.contains("nothing was consumed"), back]
    "#,
    );
    assert_eq!(out, r#"["limit", true, 3500001, "limit", true, 3500001]"#);
}

/// Sends 16 MB of a non-ASCII letter (where a Unicode `\b` runs on the slow PikeVM), then holds
/// the connection open without a match.
fn slow_regex_flood() -> std::net::SocketAddr {
    serve(|mut s| {
        let chunk = "é".repeat(32 * 1024);
        for _ in 0..256 {
            if s.write_all(chunk.as_bytes()).is_err() {
                return;
            }
        }
        std::thread::sleep(Duration::from_secs(30));
    })
}

/// A regex with a window as large as a read, over a backlog: the search is quadratic, and
/// steps keep it inside its deadline (it overran 1 s by seconds when one search took it all).
const SLOW_EXPECT: &str = r#"c.Expect(regex("\\b\\w+\\d\\b", 33554432), TIMEOUT).reason"#;

#[test]
fn a_slow_regex_over_a_backlog_keeps_its_deadline() {
    let a = slow_regex_flood();
    let code = format!(
        "let c = OPI_TCP::CreateConnection(ADDR); sleep(0.5); {}",
        SLOW_EXPECT.replace("TIMEOUT", "1000")
    );
    let started = Instant::now();
    assert_eq!(eval_str(a, &code), "timeout");
    let took = started.elapsed();
    assert!(took < Duration::from_millis(2500), "{took:?}");
}

#[test]
fn ctrl_c_ends_a_slow_regex_over_a_backlog() {
    let a = slow_regex_flood();
    let code = format!(
        "let c = OPI_TCP::CreateConnection(\"{a}\"); print(\"waiting\"); {}",
        SLOW_EXPECT.replace("TIMEOUT", "60000")
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_opi-tcp"))
        .args(["eval", &code])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 8];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    let status = interrupt_and_wait(&mut child, "the search went on");
    assert_eq!(status.code(), Some(130));
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

/// The first reply of a peer that sends `bytes` and then echoes.
fn read_with(bytes: &'static [u8], code: &str) -> String {
    eval_str(
        speaks_first(bytes),
        &format!("let c = OPI_TCP::CreateConnection(ADDR); {code}"),
    )
}

#[test]
fn a_marker_is_found_only_where_a_character_begins() {
    // UTF-16LE "\u{0A41}\u{4200}\n": the bytes 0A 00 straddle the first two characters.
    let got = read_with(
        b"\x41\x0a\x00\x42\x0a\x00",
        r#"let l = c.ReadLine("utf-16le", "\n", 2000); [l.len(), l == "\u0A41\u4200\n", c.last_read]"#,
    );
    assert_eq!(got, r#"[3, true, "marker"]"#);
    // Shift_JIS 表 is 95 5C, whose trail byte is a backslash.
    let got = read_with(
        b"\x95\x5c\x8e\xa6\\rest",
        r#"let l = c.ReadLine("shift_jis", "\\", 2000); [l, c.buffered]"#,
    );
    assert_eq!(got, r#"["表示\\", 4]"#);
    // Big5 功 is A5 5C.
    let got = read_with(b"\xa5\x5c|\\", r#"c.ReadLine("big5", "\\", 2000)"#);
    assert_eq!(got, "功|\\");
}

#[test]
fn an_expect_literal_is_found_only_where_a_character_begins() {
    // GBK 丂 is 81 40: its trail byte is '@'.
    let got = read_with(
        b"\x81\x40@tail",
        r#"let r = c.Expect("@", 2000, "gbk"); [r.before, r.matched, c.buffered]"#,
    );
    assert_eq!(got, r#"["丂", "@", 4]"#);
    // ISO-2022-JP: in two-byte mode the kanji 0x30 0x40 holds an '@' byte.
    let got = read_with(
        b"\x1b$B\x30\x40\x1b(B@!",
        r#"let r = c.Expect("@", 2000, "iso-2022-jp"); [r.before, c.buffered]"#,
    );
    assert_eq!(got, r#"["粟", 1]"#);
}
