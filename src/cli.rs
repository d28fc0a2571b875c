//! The command line's shape, as clap types and nothing else: the subcommands, their options and
//! help texts. What each command does is in `commands`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  opi-tcp scripts/hello.rhai                  run a script
  echo 'print(1 + 1)' | opi-tcp               run stdin
  opi-tcp eval 'OPI_TCP::GetTlsSettings(true)'
  opi-tcp request -a HOST:PORT -d 'PING\\r\\n'    one request, the answer up to its first newline
  opi-tcp tcp GetProxySettings -a 127.0.0.1 -p 1080
                                              OPI's CLI form: a settings structure as JSON
  opi-tcp test scripts/opi/TC_Server.rhai     a test suite (it starts its own server)
  opi-tcp functions Read                      signatures containing 'Read'
  opi-tcp                                     interactive REPL";

#[derive(Parser)]
#[command(
    name = "opi-tcp",
    version,
    about = "Script TCP conversations with OPI_TCP functions in Rhai",
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// Evaluate CODE and print a non-unit result
    #[arg(short = 'e', long = "eval", value_name = "CODE")]
    pub(crate) eval: Option<String>,
    #[command(flatten)]
    pub(crate) common: Common,
    /// A script file to run (`-` = stdin)
    pub(crate) script: Option<String>,
    /// Arguments for the script (the constant array ARGV)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub(crate) args: Vec<String>,
}

#[derive(Args, Clone, Default, Debug, PartialEq)]
pub(crate) struct Common {
    /// Deadline of each connect (DNS, TCP, proxy and TLS handshakes), in ms [default: 30000,
    /// or $OPI_TCP_CONNECT_TIMEOUT_MS]
    #[arg(long, value_name = "MS", global = true)]
    pub(crate) connect_timeout: Option<u64>,
    /// Trace every connection's traffic to stderr, or with --trace=FILE appended to FILE (text as
    /// escaped strings, binary as hexdump -C; proxy passwords never shown)
    // `=` only: with a space, `--trace script.rhai` took the script as the trace file and
    // appended the trace to it.
    #[arg(
        long,
        value_name = "FILE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "-",
        global = true
    )]
    pub(crate) trace: Option<String>,
    /// With --trace: show every chunk as hex, text too
    #[arg(long, global = true)]
    pub(crate) trace_hex: bool,
    /// With --trace: do not cut chunks after 4096 bytes
    #[arg(long, global = true)]
    pub(crate) trace_full: bool,
    /// Stop a script whose data outgrows SIZE (512M, 2G, …) with an error [default: no limit]
    #[arg(long, value_name = "SIZE", global = true, value_parser = opi_tcp::script::parse_size)]
    pub(crate) max_memory: Option<usize>,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run a script file (`-` = stdin)
    #[command(
        after_help = "Example:\n  opi-tcp run scripts/hello.rhai one two   # ARGV == [\"one\", \"two\"]"
    )]
    Run {
        script: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Interactive REPL
    #[command(
        after_help = "Example:\n  opi-tcp repl\n  >> let c = OPI_TCP::CreateConnection(\"127.0.0.1:17001\");"
    )]
    Repl,
    /// Evaluate code and print a non-unit result
    #[command(
        after_help = "Example:\n  opi-tcp eval 'OPI_TCP::GetProxySettings(\"127.0.0.1\", 1080)'"
    )]
    Eval { code: String },
    /// Connect, send, read the answer up to the first newline, close (OPI's ProcessRequest)
    #[command(
        alias = "ProcessRequest",
        after_help = "Examples:\n  opi-tcp request -a 127.0.0.1:17001 -d 'Echo this!\\n'\n  \
                      opi-tcp request -a example.org:443 -d 'x\\n' -t '{\"use_tls\":true}'"
    )]
    Request(RequestArgs),
    /// OPI's CLI form: `opi-tcp tcp METHOD --option …` (ProcessRequest, GetProxySettings,
    /// GetTlsSettings, GetLoggingSettings); the settings methods print their structure as JSON
    Tcp {
        #[command(subcommand)]
        method: TcpMethod,
    },
    /// Run the `fn test_*()` functions of test scripts; ends with `N passed, N failed`
    #[command(
        after_help = "Examples:\n  opi-tcp test scripts/opi/TC_Server.rhai\n  \
                            opi-tcp test scripts/opi --filter Server --jobs 2 --junit report.xml\n  \
                            opi-tcp test scripts/opi --list --shard 2/3\n\n\
                            PARAMS precedence (highest first): --param, --params FILE.json, \
                            environment variables OPI_PARAM_<NAME>. A run in which no test ran \
                            fails."
    )]
    Test(TestArgs),
    /// List every script function with its signature
    #[command(
        after_help = "Examples:\n  opi-tcp functions ReadLine\n  opi-tcp functions --markdown > docs/api.md"
    )]
    Functions {
        /// Show only signatures containing this text
        filter: Option<String>,
        /// Print the API reference in Markdown, with each function's documentation (docs/api.md)
        #[arg(long)]
        markdown: bool,
    },
    /// Write Rhai definition files (.d.rhai) for editors into DIR
    #[command(after_help = "Example:\n  opi-tcp defs .rhai-defs")]
    Defs { dir: PathBuf },
    /// Print a completion script for a shell
    #[command(
        after_help = "Examples:\n  opi-tcp completions bash > ~/.local/share/bash-completion/completions/opi-tcp\n  \
                      opi-tcp completions zsh > ~/.zfunc/_opi-tcp\n  \
                      opi-tcp completions fish > ~/.config/fish/completions/opi-tcp.fish"
    )]
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff)
    #[command(after_help = "Example:\n  opi-tcp man > ~/.local/share/man/man1/opi-tcp.1")]
    Man,
}

#[derive(Args)]
pub(crate) struct TestArgs {
    /// Test files, or folders searched for *.rhai (not hidden ones or target/) [default: .]
    pub(crate) paths: Vec<PathBuf>,
    /// Run only tests whose `file::test_name` contains TEXT (repeatable: any of them)
    #[arg(long = "filter", value_name = "TEXT")]
    pub(crate) filters: Vec<String>,
    /// A filter must equal `file::test_name`, not just occur in it
    #[arg(long)]
    pub(crate) exact: bool,
    /// Print the tests that would run, one `file::test_name` a line, and run none
    #[arg(long)]
    pub(crate) list: bool,
    /// Run N files at a time, each in a process of its own (output stays in file order)
    #[arg(long, short = 'j', value_name = "N", default_value_t = 1)]
    pub(crate) jobs: usize,
    /// Run the K-th of N parts of the tests (1-based), for a CI matrix: every N-th test
    #[arg(long, value_name = "K/N", value_parser = opi_tcp::script::parse_shard)]
    pub(crate) shard: Option<opi_tcp::script::Shard>,
    /// Report for a --jobs parent (one record per test)
    #[arg(long, hide = true)]
    pub(crate) child_report: bool,
    /// A test parameter, visible as PARAMS.NAME (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub(crate) params: Vec<String>,
    /// Test parameters from a JSON object
    #[arg(long = "params", value_name = "FILE.json")]
    pub(crate) params_file: Option<PathBuf>,
    /// Write a JUnit XML report
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,
    /// Show what passing tests printed too (a failing test's output is always shown)
    #[arg(long)]
    pub(crate) show_output: bool,
    /// Deadline of each test, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    pub(crate) timeout: f64,
}

#[derive(Args)]
pub(crate) struct RequestArgs {
    /// host:port, [v6]:port or scheme://host[:port]
    #[arg(short, long)]
    pub(crate) address: String,
    /// Data to send; \n \r \f \v \t \\ \0 \xHH become bytes
    #[arg(short, long, default_value = "")]
    pub(crate) data: String,
    /// Return the answer as text (false: raw bytes); OPI's spellings of true and false work
    #[arg(short, long, default_value = "true", value_parser = opi_bool, action = clap::ArgAction::Set)]
    pub(crate) string: bool,
    /// TLS settings: JSON text or a .json file, e.g. '{"use_tls":true}'
    #[arg(short, long)]
    pub(crate) tls: Option<String>,
    /// Proxy: JSON text, a .json file, or a URL such as socks5h://user:pass@host:1080
    #[arg(short, long)]
    pub(crate) proxy: Option<String>,
    /// Write the answer to FILE instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Deadline of the read, in ms (0 = until the newline or the end of the stream)
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub(crate) timeout: u64,
}

/// OPI's CLI methods of the `tcp` library, with OPI's option names and short flags.
#[derive(Subcommand)]
pub(crate) enum TcpMethod {
    /// Connect, send, read the answer up to the first newline, close
    #[command(name = "ProcessRequest")]
    ProcessRequest(RequestArgs),
    /// Print a proxy settings structure as JSON
    #[command(name = "GetProxySettings")]
    GetProxySettings(ProxySettingsArgs),
    /// Print a TLS settings structure as JSON
    #[command(name = "GetTlsSettings")]
    GetTlsSettings(TlsSettingsArgs),
    /// Print a logging settings structure as JSON
    #[command(name = "GetLoggingSettings")]
    GetLoggingSettings(LoggingSettingsArgs),
}

#[derive(Args)]
pub(crate) struct ProxySettingsArgs {
    /// Proxy address
    #[arg(short = 'a', long = "addr")]
    pub(crate) addr: String,
    /// Proxy port
    #[arg(short, long)]
    pub(crate) port: String,
    /// Proxy type: socks5, socks5h, socks4, socks4a, http
    #[arg(short = 't', long = "type", default_value = "socks5")]
    pub(crate) kind: String,
    /// Authorization login, if required
    #[arg(short, long)]
    pub(crate) login: Option<String>,
    /// Authorization password, if required
    #[arg(short = 's', long = "pass")]
    pub(crate) pass: Option<String>,
}

#[derive(Args)]
pub(crate) struct TlsSettingsArgs {
    /// Accept invalid certificates, self-signed ones included (true / false)
    #[arg(short, long, value_parser = opi_bool, action = clap::ArgAction::Set)]
    pub(crate) trust: bool,
    /// Path to a root PEM file, if the certificate's root is not in the system store
    #[arg(short, long)]
    pub(crate) cert: Option<String>,
}

#[derive(Args)]
pub(crate) struct LoggingSettingsArgs {
    /// Keep the log in memory for GetLog (true / false)
    #[arg(short, long, default_value = "true", value_parser = opi_bool, action = clap::ArgAction::Set)]
    pub(crate) memory: bool,
    /// The most entries kept in memory
    #[arg(short, long, default_value_t = 300)]
    pub(crate) count: i64,
    /// A file to append the whole log to
    #[arg(short, long)]
    pub(crate) path: Option<String>,
}

/// OPI's boolean spellings (`true`, `false`, `Истина`, `да`, `1`, …).
fn opi_bool(s: &str) -> Result<bool, String> {
    opi_tcp::script::parse_flag(s)
        .ok_or_else(|| format!("'{s}' is not a boolean (true, false, 1, 0, истина, ложь, да, нет)"))
}

/// Every subcommand's name and alias, as clap knows them besides `help` (a test checks).
pub(crate) const SUBCOMMANDS: &[&str] = &[
    "run",
    "repl",
    "eval",
    "request",
    "ProcessRequest",
    "tcp",
    "test",
    "functions",
    "defs",
    "completions",
    "man",
];

/// The command line's description, for completion scripts and the man page.
pub(crate) fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subcommand_list_is_clap_s() {
        let cmd = command();
        let mut clap: Vec<&str> = cmd
            .get_subcommands()
            .flat_map(|c| std::iter::once(c.get_name()).chain(c.get_all_aliases()))
            .chain(["help"])
            .collect();
        let mut ours = [SUBCOMMANDS, &["help"]].concat();
        clap.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, clap);
    }
}
