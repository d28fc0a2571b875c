//! What the command line's words become before clap reads them: `opi-tcp FILE` alone built
//! directly (the commonest form, without clap's whole command tree), global options given
//! before the subcommand moved after it, and OPI's method names taken in any case.

use clap::Parser;

use crate::cli::{Cli, Common, SUBCOMMANDS};

/// Parses the command line (clap prints help or a usage error and exits by itself).
/// `opi-tcp FILE` alone, the commonest form, is built directly: it is the
/// `Cli` clap would build (a test checks), and building clap's whole command tree, every
/// subcommand's options and help, was 7% of an empty script's start-up.
pub(crate) fn parse() -> Cli {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    just_a_script(&argv)
        .unwrap_or_else(|| Cli::parse_from(opi_method_names(globals_after_subcommand(argv))))
}

/// OPI's method names in `opi-tcp tcp METHOD`, whose spelling OPI's CLI does not care about
/// (it upper-cases the name; its own tests write `GetTLSSettings`).
const TCP_METHODS: &[&str] = &[
    "ProcessRequest",
    "GetProxySettings",
    "GetTlsSettings",
    "GetLoggingSettings",
];

/// `opi-tcp tcp gettlssettings …` as `opi-tcp tcp GetTlsSettings …`.
fn opi_method_names(mut argv: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let at = past_globals(&argv, 2);
    if argv.get(1).and_then(|w| w.to_str()) == Some("tcp")
        && let Some(method) = argv.get(at).and_then(|w| w.to_str())
        && let Some(canonical) = TCP_METHODS.iter().find(|m| m.eq_ignore_ascii_case(method))
    {
        argv[at] = (*canonical).into();
    }
    argv
}

/// The index of the first word at or after `from` that is not a global option or its value.
fn past_globals(argv: &[std::ffi::OsString], from: usize) -> usize {
    let mut i = from;
    while let Some(word) = argv.get(i).and_then(|w| w.to_str()) {
        let name = word.split_once('=').map_or(word, |(n, _)| n);
        match GLOBALS.iter().find(|(g, _)| *g == name) {
            Some((_, takes_value)) => {
                i += if *takes_value && !word.contains('=') {
                    2
                } else {
                    1
                }
            }
            None => break,
        }
    }
    i
}

/// The global options, and whether each takes a value as the next word.
const GLOBALS: &[(&str, bool)] = &[
    ("--connect-timeout", true),
    ("--max-memory", true),
    ("--trace", false),
    ("--trace-hex", false),
    ("--trace-full", false),
];

/// `opi-tcp --connect-timeout 100 eval '1+1'` as `opi-tcp eval --connect-timeout 100 '1+1'`:
/// global options before a subcommand work, as in cargo and git. (clap would take the subcommand
/// for a script's name, since the options belong to the script form as well.)
fn globals_after_subcommand(argv: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let i = past_globals(&argv, 1);
    let at_subcommand = argv
        .get(i)
        .and_then(|w| w.to_str())
        .is_some_and(|w| SUBCOMMANDS.contains(&w));
    if i == 1 || !at_subcommand || i >= argv.len() {
        return argv;
    }
    let mut out = Vec::with_capacity(argv.len());
    out.push(argv[0].clone());
    out.push(argv[i].clone());
    out.extend(argv[1..i].iter().cloned());
    out.extend(argv[i + 1..].iter().cloned());
    out
}

fn just_a_script(argv: &[std::ffi::OsString]) -> Option<Cli> {
    let [_, script] = argv else { return None };
    let script = script.to_str()?;
    if script.is_empty()
        || script.starts_with('-')
        || script == "help"
        || SUBCOMMANDS.contains(&script)
    {
        return None;
    }
    Some(Cli {
        command: None,
        eval: None,
        common: Common::default(),
        script: Some(script.to_string()),
        args: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::command;

    #[test]
    fn opi_method_names_are_taken_in_any_case() {
        let fixed = |line: &str| {
            opi_method_names(line.split(' ').map(Into::into).collect())
                .iter()
                .map(|w| w.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            fixed("opi-tcp tcp GetTLSSettings -t true"),
            "opi-tcp tcp GetTlsSettings -t true"
        );
        assert_eq!(
            fixed("opi-tcp tcp PROCESSREQUEST -a h:1"),
            "opi-tcp tcp ProcessRequest -a h:1"
        );
        assert_eq!(fixed("opi-tcp tcp Nonsense"), "opi-tcp tcp Nonsense");
        assert_eq!(
            fixed("opi-tcp tcp --connect-timeout 5 --trace getlogGingsettings"),
            "opi-tcp tcp --connect-timeout 5 --trace GetLoggingSettings"
        );
        // Every name here is one clap knows.
        let cmd = command();
        let tcp = cmd.find_subcommand("tcp").unwrap();
        for m in TCP_METHODS {
            assert!(tcp.find_subcommand(m).is_some(), "{m}");
        }
    }

    #[test]
    fn global_options_before_a_subcommand_move_after_it() {
        let args =
            |line: &str| -> Vec<std::ffi::OsString> { line.split(' ').map(Into::into).collect() };
        let moved = |line: &str| {
            globals_after_subcommand(args(line))
                .iter()
                .map(|w| w.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            moved("opi-tcp --connect-timeout 100 --trace eval 1"),
            "opi-tcp eval --connect-timeout 100 --trace 1"
        );
        assert_eq!(
            moved("opi-tcp --trace=t.log --max-memory=1G test x"),
            "opi-tcp test --trace=t.log --max-memory=1G x"
        );
        // A script (not a subcommand) after the options, or no options: left to clap.
        for line in [
            "opi-tcp --trace a.rhai run",
            "opi-tcp eval 1",
            "opi-tcp --trace",
        ] {
            assert_eq!(moved(line), line);
        }
    }

    #[test]
    fn a_lone_script_is_what_clap_makes_of_it_and_nothing_else_is_taken() {
        for line in [
            "x.rhai",
            "-",
            "-e",
            "--trace",
            "run",
            "help",
            "ProcessRequest",
            "x.rhai a",
            "",
            "scripts/hello.rhai",
        ] {
            let mut argv: Vec<std::ffi::OsString> = vec!["opi-tcp".into()];
            argv.extend(line.split(' ').map(Into::into));
            let Some(fast) = just_a_script(&argv) else {
                assert!(
                    matches!(
                        line,
                        "-" | "-e"
                            | "--trace"
                            | "run"
                            | "help"
                            | "ProcessRequest"
                            | "x.rhai a"
                            | ""
                    ),
                    "{line:?} was not taken"
                );
                continue;
            };
            let clap = Cli::try_parse_from(&argv).expect("a script path parses");
            assert!(clap.command.is_none() && fast.command.is_none(), "{line:?}");
            assert_eq!(
                (&fast.eval, &fast.script, &fast.args, &fast.common),
                (&clap.eval, &clap.script, &clap.args, &clap.common),
                "{line:?}"
            );
        }
    }
}
