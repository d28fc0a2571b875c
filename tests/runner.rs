//! `opi-tcp test` itself: passing, failing, throwing and hanging tests, PARAMS and their
//! precedence, filters, exit codes, the last line, the JUnit report parsed back, runs where no
//! test ran, `--list`, `--jobs`, `--shard`, and the help's examples.

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
    // The assertion is a failure, the thrown string an error.
    assert_eq!(root.attribute("failures"), Some("1"));
    assert_eq!(root.attribute("errors"), Some("1"));
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

#[test]
fn no_test_found_or_a_filter_matching_nothing_fails() {
    let dir = suite();
    std::fs::write(dir.path().join("empty.rhai"), "fn helper() { 1 }").unwrap();
    opi()
        .current_dir(dir.path())
        .args(["test", "empty.rhai"])
        .assert()
        .code(1)
        .stdout(predicate::str::ends_with("0 passed, 0 failed\n"))
        .stderr(predicate::str::contains("no tests ran"));
    opi()
        .current_dir(dir.path())
        .args(["test", ".", "--filter", "no_such_test"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no tests ran: no `fn test_*()` found matching --filter 'no_such_test'",
        ));
}

#[test]
fn a_test_past_its_deadline_says_which_call_blocked_and_where() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.rhai"),
        "fn wait(c) {\n    c.ReadLine((), (), 0)\n}\n\
         fn test_read() {\n    let s = OPI_TCP::StartServer(\"127.0.0.1:0\");\n    \
         let c = OPI_TCP::CreateConnection(`127.0.0.1:${s.port}`);\n    print(\"connected\");\n    \
         wait(c);\n}\n\
         fn test_sleep() {\n    sleep(60000);\n}\n",
    )
    .unwrap();
    let out = opi()
        .current_dir(dir.path())
        .args(["test", "t.rhai", "--timeout", "0.5", "--junit", "r.xml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "timed out after 0.5 s in ReadLine at t.rhai:2:7 (the test deadline; see --timeout)\n\
             \x20        2 |     c.ReadLine((), (), 0)\n",
        ))
        .stdout(predicate::str::contains(
            "timed out after 0.5 s in sleep at t.rhai:11:5",
        ))
        .stdout(predicate::str::contains(
            "        output:\n          connected\n",
        ));
    drop(out);
    let xml = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let case = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("test_read"))
        .unwrap();
    let error = case.children().find(|n| n.has_tag_name("error")).unwrap();
    assert!(
        error
            .attribute("message")
            .unwrap()
            .contains("in ReadLine at t.rhai:2:7")
    );
    let out = case
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .unwrap();
    assert_eq!(out.text(), Some("connected\n"));
    assert!(case.children().all(|n| !n.has_tag_name("failure")));
}

#[test]
fn list_prints_the_tests_and_runs_none() {
    let dir = suite();
    opi()
        .current_dir(dir.path())
        .args(["test", "suite.rhai", "--list"])
        .assert()
        .success()
        .stdout(
            "suite.rhai::test_passes\nsuite.rhai::test_fails\nsuite.rhai::test_throws\n\
             suite.rhai::test_params\n",
        );
}

fn many_files() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (i, ms) in [(1, 600), (2, 0), (3, 300), (4, 0)] {
        std::fs::write(
            dir.path().join(format!("f{i}.rhai")),
            format!(
                "fn test_a() {{ sleep({ms}); print(\"f{i}\"); }}\n\
                 fn test_b() {{ assert_eq({i}, 2); }}\n"
            ),
        )
        .unwrap();
    }
    dir
}

/// Names and verdicts of the report lines, in order.
fn report(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| l.starts_with("ok ") || l.starts_with("FAILED "))
        .map(|l| l.split(" (").next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn jobs_run_files_in_parallel_and_report_in_file_order() {
    let dir = many_files();
    let serial = opi()
        .current_dir(dir.path())
        .args(["test", "."])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let t = Instant::now();
    let parallel = opi()
        .current_dir(dir.path())
        .args(["test", ".", "--jobs", "4", "--junit", "r.xml"])
        .assert()
        .code(1)
        .stdout(predicate::str::ends_with("5 passed, 3 failed\n"))
        .stdout(predicate::str::contains("expected: 2 (int)"))
        .get_output()
        .stdout
        .clone();
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!(report(&parallel), report(&serial));
    assert_eq!(report(&parallel).len(), 8);
    let xml = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().attribute("failures"), Some("3"));
    let outs: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("system-out"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(outs, ["f1\n", "f2\n", "f3\n", "f4\n"]);
    opi()
        .current_dir(dir.path())
        .args(["test", ".", "--jobs", "0"])
        .assert()
        .code(2);
}

#[test]
fn shards_split_the_tests_deterministically_and_cover_them_once() {
    let dir = many_files();
    let list = |args: &[&str]| -> Vec<String> {
        let out = opi()
            .current_dir(dir.path())
            .args(["test", ".", "--list"])
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    };
    let all = list(&[]);
    assert_eq!(all.len(), 8);
    let shards: Vec<Vec<String>> = (1..=3)
        .map(|k| list(&["--shard", &format!("{k}/3")]))
        .collect();
    assert_eq!(shards[0], list(&["--shard", "1/3"]), "not deterministic");
    assert_eq!(shards.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 2]);
    let mut union: Vec<String> = shards.concat();
    union.sort();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(union, sorted);
    opi()
        .current_dir(dir.path())
        .args(["test", ".", "--shard", "2/3"])
        .assert()
        .code(1)
        .stdout(predicate::str::ends_with("1 passed, 2 failed\n"));
    for bad in ["0/3", "4/3", "x"] {
        opi().args(["test", ".", "--shard", bad]).assert().code(2);
    }
}

/// The help's first example runs as written, from a fresh checkout, with no peers.
#[test]
fn the_help_examples_run_as_written() {
    let help = opi()
        .args(["test", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(help).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    for example in [
        "opi-tcp test scripts/opi/TC_Server.rhai",
        "opi-tcp test scripts/opi --list --shard 2/3",
    ] {
        assert!(help.contains(example), "{help}");
        let args: Vec<&str> = example.split(' ').skip(1).collect();
        opi().current_dir(root).args(&args).assert().success();
    }
    let top = opi()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let top = String::from_utf8(top).unwrap();
    assert!(top.contains("opi-tcp test scripts/opi/TC_Server.rhai"));
    let offline = "opi-tcp tcp GetProxySettings -a 127.0.0.1 -p 1080";
    assert!(top.contains(offline), "{top}");
    let args: Vec<&str> = offline.split(' ').skip(1).collect();
    opi().args(&args).assert().success();
}

#[test]
fn show_output_prints_what_passing_tests_printed_and_it_is_hidden_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.rhai"),
        "fn test_talks() { print(\"said by a pass\"); }",
    )
    .unwrap();
    for (flag, shown) in [(None, false), (Some("--show-output"), true)] {
        let mut cmd = opi();
        cmd.current_dir(dir.path()).args(["test", "t.rhai"]);
        cmd.args(flag);
        let out = cmd.assert().success().get_output().stdout.clone();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out.contains("          said by a pass"),
            shown,
            "{flag:?}: {out}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_folder_walk_skips_link_loops_hidden_folders_and_target() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("t.rhai"), "fn test_one() {}").unwrap();
    // A link back up the tree: walked naively, `t.rhai` runs once per link level.
    std::os::unix::fs::symlink(".", root.join("a")).unwrap();
    // A linked folder is searched, and a file reached twice through links runs once.
    std::fs::create_dir(root.join("real")).unwrap();
    std::fs::write(root.join("real/u.rhai"), "fn test_two() {}").unwrap();
    std::os::unix::fs::symlink("real", root.join("linked")).unwrap();
    for skipped in [".git", "target"] {
        std::fs::create_dir(root.join(skipped)).unwrap();
        std::fs::write(
            root.join(skipped).join("x.rhai"),
            "fn test_no() { throw 1 }",
        )
        .unwrap();
    }
    let out = opi()
        .current_dir(root)
        .args(["test", "--list"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(
        out.lines().filter(|l| l.contains("test_one")).count(),
        1,
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.contains("test_two")).count(),
        1,
        "{out}"
    );
    assert!(!out.contains("test_no"), "{out}");
    let out = opi().current_dir(root).arg("test").assert().success();
    let out = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(out.lines().last(), Some("2 passed, 0 failed"), "{out}");
}
