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
