//! `opi-tcp test` itself: passing, failing, throwing and hanging tests, PARAMS and their
//! precedence, filters, exit codes, the last line, and the JUnit report parsed back.

use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::common::opi;

const SUITE: &str = r#"
fn helper(x) { x * 2 }
fn test_passes() { assert_eq(helper(2), 4); }
fn test_fails() { assert_eq(helper(2), 5, "doubling"); }
fn test_throws() { throw "boom"; }
fn test_params() { assert_eq(PARAMS.Where, "cli"); assert_eq(PARAMS.FromFile, "file"); }
fn not_a_test() { throw "never run"; }
"#;

fn suite() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("suite.rhai"), SUITE).unwrap();
    std::fs::write(
        dir.path().join("params.json"),
        r#"{"Where": "file", "FromFile": "file"}"#,
    )
    .unwrap();
    dir
}

#[test]
fn reports_each_test_and_ends_with_the_counts() {
    let dir = suite();
    let out = opi()
        .current_dir(dir.path())
        .env("OPI_PARAM_Where", "env")
        .args([
            "test",
            "suite.rhai",
            "--params",
            "params.json",
            "--param",
            "Where=cli",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.last(), Some(&"2 passed, 2 failed"), "{out}");
    assert!(
        lines[0].starts_with("ok      suite.rhai::test_passes ("),
        "{out}"
    );
    assert!(out.contains("FAILED  suite.rhai::test_fails ("), "{out}");
    assert!(
        out.contains("suite.rhai:4:19: Runtime error: doubling: assert_eq failed"),
        "{out}"
    );
    assert!(
        out.contains("expected: 5 (int)") && out.contains("actual: 4 (int)"),
        "{out}"
    );
    assert!(
        out.contains("FAILED  suite.rhai::test_throws (") && out.contains("Runtime error: boom"),
        "{out}"
    );
    assert!(out.contains("ok      suite.rhai::test_params ("), "{out}");
    assert!(!out.contains("never run"), "{out}");
}

#[test]
fn params_precedence_env_then_file_then_cli() {
    let dir = suite();
    std::fs::write(
        dir.path().join("p.rhai"),
        "fn test_where() { assert_eq(PARAMS.Where, \"cli\"); }",
    )
    .unwrap();
    opi()
        .current_dir(dir.path())
        .env("OPI_PARAM_Where", "env")
        .args(["test", "p.rhai", "--params", "params.json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "expected: \"cli\" (string)\n            actual: \"file\" (string)",
        ));
    opi()
        .current_dir(dir.path())
        .env("OPI_PARAM_Where", "cli")
        .args(["test", "p.rhai"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with("1 passed, 0 failed\n"));
}

#[test]
fn filter_and_all_passing_exit_0() {
    let dir = suite();
    opi()
        .current_dir(dir.path())
        .args(["test", ".", "--filter", "passes"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with("1 passed, 0 failed\n"));
}

#[test]
fn a_hanging_test_is_stopped_at_its_deadline_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hang.rhai"),
        "fn test_blocked_read() { let s = OPI_TCP::StartServer(0); let c = OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`); c.ReadLine((), (), 0); }\n\
         fn test_busy_loop() { loop { } }\n\
         fn test_after() { assert(true); }\n",
    )
    .unwrap();
    let t = Instant::now();
    opi()
        .current_dir(dir.path())
        .args(["test", "hang.rhai", "--timeout", "0.5"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FAILED  hang.rhai::test_blocked_read",
        ))
        .stdout(predicate::str::contains(
            "FAILED  hang.rhai::test_busy_loop",
        ))
        .stdout(predicate::str::contains("timed out after 0.5 s"))
        .stdout(predicate::str::contains("ok      hang.rhai::test_after"))
        .stdout(predicate::str::ends_with("1 passed, 2 failed\n"));
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
}

#[test]
fn a_file_that_does_not_compile_is_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.rhai"), "fn test_x() { let = ; }").unwrap();
    opi()
        .current_dir(dir.path())
        .args(["test", "bad.rhai"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAILED  bad.rhai::(compile)"))
        .stdout(predicate::str::ends_with("0 passed, 1 failed\n"));
}

#[test]
fn usage_errors_exit_2() {
    opi().args(["test", "no/such/dir"]).assert().code(2);
    opi()
        .args(["test", ".", "--param", "novalue"])
        .assert()
        .code(2);
    opi().args(["test", ".", "--timeout", "0"]).assert().code(2);
    opi().args(["test", "--bogus"]).assert().code(2);
}

#[test]
fn junit_report_is_valid_and_complete() {
    let dir = suite();
    opi()
        .current_dir(dir.path())
        .args([
            "test",
            "suite.rhai",
            "--param",
            "Where=cli",
            "--params",
            "params.json",
            "--junit",
            "report.xml",
        ])
        .assert()
        .code(1);
    let xml = std::fs::read_to_string(dir.path().join("report.xml")).unwrap();
    let doc =
        roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("invalid XML: {e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("4"));
    assert_eq!(root.attribute("failures"), Some("2"));
    let cases: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<_> = cases.iter().filter_map(|c| c.attribute("name")).collect();
    assert_eq!(
        names,
        ["test_passes", "test_fails", "test_throws", "test_params"]
    );
    let failure = cases[1]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .contains("doubling: assert_eq failed")
    );
    assert!(
        failure
            .text()
            .unwrap()
            .contains("assert_eq(helper(2), 5, \"doubling\")")
    );
    assert!(cases[0].children().all(|n| !n.has_tag_name("failure")));
}
