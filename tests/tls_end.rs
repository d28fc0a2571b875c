//! How a TLS stream ends, as reads report it: close_notify (`eof`), a TCP close between two
//! records without close_notify (`eof_without_close_notify`, an error under `strict_close`), and
//! a cut inside a record (always a `tls` error, after the data of every whole record). Against
//! in-process rustls servers that end each way (`common::tls`).

use std::net::SocketAddr;

use crate::common::tls::*;
use crate::tls::{connect_outcome, run_str};

fn localhost(a: SocketAddr) -> String {
    format!("localhost:{}", a.port())
}

/// Runs `code` against `addr` with `TLS` bound to the verified settings plus `extra` (script
/// code for a map) and `TRACE` to a trace file; returns the value and the trace's text.
fn run_traced(ca: &Ca, addr: SocketAddr, extra: &str, code: &str) -> (String, String) {
    let file = temp_file(&ca.pem);
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.txt");
    let out = run_str(
        localhost(addr),
        &path_of(&file),
        &format!(
            r#"
            let TLS = OPI_TCP::GetTlsSettings(false, CA) + {extra};
            let c = OPI_TCP::CreateConnection(ADDR, TLS);
            OPI_TCP::SetTrace(c, true, "{trace}");
            {code}
            "#,
            trace = trace.display()
        ),
    );
    (out, std::fs::read_to_string(&trace).unwrap_or_default())
}

#[test]
fn a_close_without_close_notify_between_records_has_its_own_reason_and_trace_line() {
    let ca = Ca::new("Test CA");
    let a = tls_send_and_drop(&ca.leaf(&["localhost"]), b"last words\nno close_notify");
    let (out, trace) = run_traced(
        &ca,
        a,
        "#{}",
        r#"
        let line = c.ReadLine((), "\n", 5000);
        let marker = c.last_read;
        let rest = c.ReadLine((), (), 5000);
        let end = c.last_read;
        let again = c.ReadBinaryData(0, (), 300);
        let expect = c.Expect("never", 300);
        [line, marker, rest, end, again.len(), c.last_read, expect.reason, c.eof, c.GetLastError()]
        "#,
    );
    assert_eq!(
        out,
        r#"["last words\n", "marker", "no close_notify", "eof_without_close_notify", 0, "eof_without_close_notify", "eof_without_close_notify", true, ()]"#
    );
    assert_eq!(
        trace
            .matches("peer closed without TLS close_notify (end of stream)")
            .count(),
        1,
        "{trace}"
    );
}

#[test]
fn a_close_with_close_notify_is_a_plain_eof_even_under_strict_close() {
    let ca = Ca::new("Test CA");
    let a = tls_send_and_close(&ca.leaf(&["localhost"]), b"bye");
    for extra in ["#{}", "#{strict_close: true}"] {
        let (out, trace) = run_traced(
            &ca,
            a,
            extra,
            r#"
            let all = c.ReadLine((), (), 5000);
            [all, c.last_read, c.eof, c.GetLastError()]
            "#,
        );
        assert_eq!(out, r#"["bye", "eof", true, ()]"#, "{extra}");
        assert!(trace.contains("peer closed (end of stream)"), "{trace}");
    }
}

#[test]
fn strict_close_makes_a_close_without_close_notify_a_tls_error() {
    let ca = Ca::new("Test CA");
    let a = tls_send_and_drop(&ca.leaf(&["localhost"]), b"maybe cut short");
    let (out, trace) = run_traced(
        &ca,
        a,
        "#{strict_close: true}",
        r#"
        let all = c.ReadLine((), (), 5000);
        let e = c.GetLastError();
        let again = c.ReadLine((), (), 300);
        [all, c.last_read, c.eof, e.kind, e.error, again]
        "#,
    );
    let port = a.port();
    assert_eq!(
        out,
        format!(
            r#"["maybe cut short", "error", false, "tls", "read from localhost:{port}: the peer closed without TLS close_notify (strict_close): the data may be cut short", ""]"#
        )
    );
    assert_eq!(
        trace
            .matches("without TLS close_notify (strict_close)")
            .count(),
        1,
        "{trace}"
    );
}

#[test]
fn a_cut_inside_a_record_is_a_tls_error_after_the_data_of_every_whole_record() {
    let ca = Ca::new("Test CA");
    let leaf = ca.leaf(&["localhost"]);
    // 12 bytes of the record: its header and 7 bytes of its body.
    let a = tls_cut_inside_record(&leaf, b"whole line\n", b"the lost tail", 12);
    let (out, trace) = run_traced(
        &ca,
        a,
        "#{}",
        r#"
        let line = c.ReadLine((), "\n", 5000);
        let marker = c.last_read;
        let rest = c.ReadLine((), (), 5000);
        let e = c.GetLastError();
        let again = c.ReadBinaryData(0, (), 300);
        [line, marker, rest, c.last_read, c.eof, e.kind, e.error, again.len(), c.last_read]
        "#,
    );
    let port = a.port();
    assert!(
        out.starts_with(&format!(
            r#"["whole line\n", "marker", "", "error", false, "tls", "read from localhost:{port}: the stream ended inside a TLS record ("#
        )),
        "{out}"
    );
    assert!(
        out.ends_with(
            r#" bytes never came): the peer closed without close_notify and data was lost", 0, "error"]"#
        ),
        "{out}"
    );
    assert_eq!(trace.matches("inside a TLS record").count(), 1, "{trace}");

    // The data before the cut comes with the error, in one read; so does a cut header.
    let a = tls_cut_inside_record(&leaf, b"whole line\n", b"the lost tail", 3);
    let (out, _) = run_traced(
        &ca,
        a,
        "#{}",
        r#"
        let all = c.ReadLine((), (), 5000);
        [all, c.last_read, c.GetLastError().error]
        "#,
    );
    assert!(
        out.starts_with(r#"["whole line\n", "error", "read from localhost:"#)
            && out.contains(
                "the stream ended inside a TLS record header (3 of its 5 bytes came): the \
                 peer closed without close_notify and data was lost"
            ),
        "{out}"
    );
}

#[test]
fn strict_close_must_be_true_or_false_and_is_a_known_field() {
    let ca = Ca::new("Test CA");
    let a = tls_echo(&ca.leaf(&["localhost"]));
    let out = connect_outcome(
        localhost(a),
        "",
        r#"OPI_TCP::GetTlsSettings(false) + #{strict_close: "yes"}"#,
    );
    assert!(
        out.starts_with("settings: ")
            && out.contains("TLS field 'strict_close' must be true or false"),
        "{out}"
    );
    let out = connect_outcome(
        localhost(a),
        "",
        r#"OPI_TCP::GetTlsSettings(false) + #{strict: true}"#,
    );
    assert!(out.contains("unknown TLS field 'strict'"), "{out}");
    assert!(out.contains("server_name, strict_close)"), "{out}");
}
