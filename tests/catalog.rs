//! `opi-tcp functions` as the reference: every public name of OPI's `OPI_TCP` (both languages)
//! is listed, under the group its table says, with additions marked and no internal names.

use opi_tcp::script::OPI_NAMES;

use crate::common::*;

fn functions() -> String {
    let out = opi().arg("functions").output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_public_opi_name_in_both_languages_is_listed() {
    let list = functions();
    let missing: Vec<&str> = OPI_NAMES
        .iter()
        .flat_map(|n| [n.english, n.russian])
        .filter(|name| !list.contains(&format!("  OPI_TCP::{name}(")))
        .collect();
    assert!(
        missing.is_empty(),
        "OPI names missing from `opi-tcp functions`: {missing:?}"
    );
    assert_eq!(OPI_NAMES.len(), 23, "OPI_TCP.os has 23 public functions");
}

#[test]
fn functions_are_grouped_with_additions_marked_and_no_internal_names() {
    let list = functions();
    let headings: Vec<&str> = list.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        headings,
        [
            "client",
            "server",
            "logging",
            "settings",
            "helpers (additions)",
            "bytes & files (additions)",
            "assertions (additions)"
        ]
    );
    let group_of = |needle: &str| {
        let mut group = "";
        for line in list.lines() {
            if !line.starts_with(' ') {
                group = line;
            } else if line.contains(needle) {
                return (group, line.trim());
            }
        }
        panic!("{needle} is not listed:\n{list}");
    };
    assert_eq!(
        group_of("OPI_TCP::FinishSending("),
        (
            "client",
            "OPI_TCP::FinishSending(conn: TcpClient) -> bool  (addition)"
        )
    );
    assert_eq!(
        group_of("OPI_TCP::ReadLine(conn: TcpClient) ->"),
        ("client", "OPI_TCP::ReadLine(conn: TcpClient) -> string")
    );
    assert!(
        group_of("OPI_TCP::OpenConnection(")
            .1
            .ends_with("(alias of CreateConnection)")
    );
    assert_eq!(group_of("OPI_TCP::GetLog(").0, "logging");
    assert_eq!(group_of("OPI_TCP::GetTlsSettings(").0, "settings");
    assert_eq!(group_of("OPI_TCP::StopServer(").0, "server");
    assert_eq!(
        group_of("server.port"),
        (
            "server",
            "server.port -> i64  (property of TcpServer; addition)"
        )
    );
    assert_eq!(group_of("  sleep(").0, "helpers (additions)");
    assert_eq!(group_of("  temp_file_path(").0, "helpers (additions)");
    assert_eq!(group_of("  hexdump(").0, "bytes & files (additions)");
    assert_eq!(
        group_of("  read_stdin_line(").0,
        "bytes & files (additions)"
    );
    assert_eq!(group_of("  assert_eq(").0, "assertions (additions)");
    assert!(
        !list.contains('$') && !list.contains("to_string("),
        "{list}"
    );
    // A filter keeps the headings of the groups it matches.
    opi()
        .args(["functions", "hex"])
        .assert()
        .success()
        .stdout("bytes & files (additions)\n  from_hex(text: string) -> Blob\n  hex(data: blob) -> string\n  hexdump(data: blob) -> string\n");
}

#[test]
fn opis_internal_add_in_name_is_not_called_an_addition() {
    let list = functions();
    assert!(
        list.contains("OPI_TCP::AddInName() -> string  (OPI's internal AddInName)"),
        "{list}"
    );
    assert!(
        !list.contains("AddInName() -> string  (addition)"),
        "{list}"
    );
}
