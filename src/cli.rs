//! The command line: running files and stdin, `eval`, `request` (OPI's CLI `ProcessRequest`),
//! `functions`, `defs`, and the choice between REPL and script when no command is given.
//!
//! `request` takes OPI's option names. `--tls` and `--proxy` take JSON text or the path of a
//! `.json` file (OPI's documented examples use single quotes, `{'use_tls':true}`; those are
//! accepted too), and `--proxy` also takes a proxy URL. `--data` turns `\n`, `\r`, `\t`, `\\`,
//! `\0` and `\xHH` into bytes, as OPI's CLI does for the first three.

use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use opi_tcp::script::{self, Failure, Session, Source};
use rhai::{Dynamic, Engine, Scope};

pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INTERRUPTED: u8 = 130;

const EXAMPLES: &str = "\
Examples:
  opi-tcp scripts/hello.rhai                  run a script
  echo 'print(1 + 1)' | opi-tcp               run stdin
  opi-tcp eval 'OPI_TCP::GetTlsSettings(true)'
  opi-tcp request -a tcpbin.com:4242 -d 'Echo this!\\n'
  opi-tcp test scripts/opi --param TCP_Address=127.0.0.1:17001
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
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Evaluate CODE and print a non-unit result
    #[arg(short = 'e', long = "eval", value_name = "CODE")]
    eval: Option<String>,
    #[command(flatten)]
    common: Common,
    /// A script file to run (`-` = stdin)
    script: Option<String>,
    /// Arguments for the script (the constant array ARGV)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

#[derive(Args, Clone, Default)]
struct Common {
    /// Deadline of each connect (DNS, TCP, proxy and TLS handshakes), in ms [default: 30000,
    /// or $OPI_TCP_CONNECT_TIMEOUT_MS]
    #[arg(long, value_name = "MS", global = true)]
    connect_timeout: Option<u64>,
}

#[derive(Subcommand)]
enum Command {
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
    /// Run the `fn test_*()` functions of test scripts; ends with `N passed, N failed`
    #[command(
        after_help = "Examples:\n  opi-tcp test scripts/opi --param TCP_Address=127.0.0.1:17001\n  \
                            opi-tcp test tests.rhai --filter read --junit report.xml\n\n\
                            PARAMS precedence (highest first): --param, --params FILE.json, \
                            environment variables OPI_PARAM_<NAME>."
    )]
    Test(TestArgs),
    /// List every script function with its signature
    #[command(after_help = "Example:\n  opi-tcp functions ReadLine")]
    Functions {
        /// Show only signatures containing this text
        filter: Option<String>,
    },
    /// Write Rhai definition files (.d.rhai) for editors into DIR
    #[command(after_help = "Example:\n  opi-tcp defs .rhai-defs")]
    Defs { dir: PathBuf },
}

#[derive(Args)]
struct TestArgs {
    /// Test files, or folders searched for *.rhai [default: .]
    paths: Vec<PathBuf>,
    /// Run only tests whose `file::test_name` contains TEXT
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// A test parameter, visible as PARAMS.NAME (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// Test parameters from a JSON object
    #[arg(long = "params", value_name = "FILE.json")]
    params_file: Option<PathBuf>,
    /// Write a JUnit XML report
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Deadline of each test, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    timeout: f64,
}

#[derive(Args)]
struct RequestArgs {
    /// host:port, [v6]:port or scheme://host[:port]
    #[arg(short, long)]
    address: String,
    /// Data to send; \n \r \t \\ \0 \xHH become bytes
    #[arg(short, long, default_value = "")]
    data: String,
    /// Return the answer as text (false: raw bytes)
    #[arg(short, long, default_value_t = true, action = clap::ArgAction::Set)]
    string: bool,
    /// TLS settings: JSON text or a .json file, e.g. '{"use_tls":true}'
    #[arg(short, long)]
    tls: Option<String>,
    /// Proxy: JSON text, a .json file, or a URL such as socks5h://user:pass@host:1080
    #[arg(short, long)]
    proxy: Option<String>,
    /// Write the answer to FILE instead of stdout
    #[arg(short, long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    let session = session(&cli.common)?;
    if let Some(code) = cli.eval {
        return eval(session, &code);
    }
    match cli.command {
        Some(Command::Run { script, args }) => run_path(session, &script, &args),
        Some(Command::Repl) => crate::repl::run(prepare(script::engine_with(session))),
        Some(Command::Eval { code }) => eval(session, &code),
        Some(Command::Request(args)) => request(session, args),
        Some(Command::Test(args)) => test(session, args),
        Some(Command::Functions { filter }) => {
            functions(filter.as_deref());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Defs { dir }) => defs(&dir),
        None => match cli.script {
            Some(script) => run_path(session, &script, &cli.args),
            None if io::stdin().is_terminal() => {
                crate::repl::run(prepare(script::engine_with(session)))
            }
            None => run_path(session, "-", &cli.args),
        },
    }
}

fn session(common: &Common) -> Result<Session> {
    let timeout = match common.connect_timeout {
        Some(0) => bail!("--connect-timeout must be positive"),
        Some(ms) => Some(Duration::from_millis(ms)),
        None => script::connect_timeout_from_env().map_err(anyhow::Error::msg)?,
    };
    Ok(Session::new(
        timeout.unwrap_or(opi_tcp::net::DEFAULT_CONNECT_TIMEOUT),
    ))
}

/// Output hooks of the binary: `print` to stdout, where a closed pipe ends the process quietly.
pub fn prepare(mut engine: Engine) -> Engine {
    engine.on_print(|s| {
        let mut out = io::stdout().lock();
        if writeln!(out, "{s}").and_then(|_| out.flush()).is_err() {
            std::process::exit(0);
        }
    });
    engine.on_debug(|s, src, pos| match (src, pos.is_none()) {
        (Some(src), false) => eprintln!("{src}:{pos}: {s}"),
        (None, false) => eprintln!("{pos}: {s}"),
        _ => eprintln!("{s}"),
    });
    engine
}

/// Maps a script's failure to the exit code, printing the error.
pub fn report(result: Result<Dynamic, Failure>) -> Result<ExitCode> {
    match result {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(Failure::Interrupted) => {
            eprintln!("Error: interrupted");
            Ok(ExitCode::from(EXIT_INTERRUPTED))
        }
        Err(Failure::Error(msg)) => {
            eprintln!("Error: {msg}");
            Ok(ExitCode::from(EXIT_FAILURE))
        }
    }
}

fn run_path(session: Session, path: &str, args: &[String]) -> Result<ExitCode> {
    let (name, text) = if path == "-" {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .context("reading the script from stdin")?;
        ("<stdin>".to_string(), text)
    } else {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
        (path.to_string(), text)
    };
    let engine = prepare(script::engine_with(session));
    let mut scope = script::scope_with_argv(args);
    report(script::run(
        &engine,
        &Source {
            name: &name,
            text: &text,
        },
        &mut scope,
    ))
}

fn eval(session: Session, code: &str) -> Result<ExitCode> {
    let engine = prepare(script::engine_with(session));
    let mut scope = script::scope_with_argv(&[]);
    let result = script::run(
        &engine,
        &Source {
            name: "<eval>",
            text: code,
        },
        &mut scope,
    );
    if let Ok(value) = &result
        && !value.is_unit()
    {
        println!("{}", display(value));
    }
    report(result)
}

/// A value as the REPL and `eval` print it: strings as they are, everything else as Rhai shows it.
pub fn display(value: &Dynamic) -> String {
    if let Some(client) = value.read_lock::<opi_tcp::script::TcpClient>() {
        format!("{:?}", *client)
    } else if value.is_string() {
        value.to_string()
    } else {
        format!("{value:?}")
    }
}

fn request(session: Session, args: RequestArgs) -> Result<ExitCode> {
    let engine = script::engine_with(session);
    let mut scope = Scope::new();
    let tls = match &args.tls {
        Some(t) => Dynamic::from_map(json_setting(&engine, t, "--tls")?),
        None => Dynamic::UNIT,
    };
    let proxy = match &args.proxy {
        Some(p) if p.contains("://") && !p.trim_start().starts_with('{') => {
            Dynamic::from(p.clone())
        }
        Some(p) => Dynamic::from_map(json_setting(&engine, p, "--proxy")?),
        None => Dynamic::UNIT,
    };
    scope.push("address", args.address.clone());
    scope.push("data", Dynamic::from_blob(unescape(&args.data)?));
    scope.push("as_string", args.string);
    scope.push("tls", tls);
    scope.push("proxy", proxy);
    let result = engine
        .eval_with_scope::<Dynamic>(
            &mut scope,
            "OPI_TCP::ProcessRequest(address, data, as_string, tls, proxy)",
        )
        .map_err(|e| anyhow::anyhow!("{}", e))?;
    if let Some(map) = result.read_lock::<rhai::Map>() {
        let msg = map.get("error").map(|e| e.to_string()).unwrap_or_default();
        bail!("{msg}");
    }
    let bytes = if result.is_blob() {
        result.into_blob().unwrap_or_default()
    } else {
        result.to_string().into_bytes()
    };
    match args.out {
        Some(path) => {
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {} bytes to {}", bytes.len(), path.display());
        }
        None if !args.string && io::stdout().is_terminal() => {
            bail!(
                "the answer is binary ({} bytes); use --out FILE or pipe it",
                bytes.len()
            );
        }
        None => {
            let mut out = io::stdout().lock();
            if out.write_all(&bytes).and_then(|_| out.flush()).is_err() {
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// JSON text (single quotes allowed, as in OPI's docs) or the path of a `.json` file.
fn json_setting(engine: &Engine, value: &str, option: &str) -> Result<rhai::Map> {
    let text = if value.trim_start().starts_with('{') {
        value.to_string()
    } else {
        std::fs::read_to_string(value).with_context(|| {
            format!("{option}: '{value}' is neither JSON text nor a readable file")
        })?
    };
    engine
        .parse_json(&text, true)
        .or_else(|e| match text.contains('\'') {
            true => engine.parse_json(text.replace('\'', "\""), true),
            false => Err(e),
        })
        .map_err(|e| anyhow::anyhow!("{option}: not a JSON object: {e}"))
}

/// Turns `\n`, `\r`, `\t`, `\\`, `\0` and `\xHH` into bytes.
fn unescape(s: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('0') => out.push(0),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(b) if hex.len() == 2 => out.push(b),
                    _ => bail!("--data: '\\x{hex}' is not a two-digit hex escape"),
                }
            }
            Some(other) => {
                out.push(b'\\');
                let mut buf = [0; 4];
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
            None => out.push(b'\\'),
        }
    }
    Ok(out)
}

fn test(session: Session, args: TestArgs) -> Result<ExitCode> {
    let usage = |msg: String| {
        eprintln!("Error: {msg}");
        Ok(ExitCode::from(EXIT_USAGE))
    };
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        return usage("--timeout must be a positive number of seconds".into());
    }
    if let Some(p) = args.paths.iter().find(|p| !p.exists()) {
        return usage(format!("no such file or folder: {}", p.display()));
    }
    if let Some(p) = args.params.iter().find(|p| !p.contains('=')) {
        return usage(format!("--param takes NAME=VALUE, not '{p}'"));
    }
    let opts = crate::testing::Options {
        paths: args.paths,
        filter: args.filter,
        params: args.params,
        params_file: args.params_file,
        junit: args.junit,
        timeout: Duration::from_secs_f64(args.timeout),
    };
    crate::testing::run(prepare(script::engine_with(session)), opts)
}

fn functions(filter: Option<&str>) {
    for sig in script::signatures() {
        if filter.is_none_or(|f| sig.to_lowercase().contains(&f.to_lowercase())) {
            println!("{sig}");
        }
    }
}

fn defs(dir: &PathBuf) -> Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    script::documented_engine()
        .definitions()
        .with_headers(true)
        .include_standard_packages(false)
        .write_to_dir(dir)
        .with_context(|| format!("writing definitions to {}", dir.display()))?;
    eprintln!("wrote Rhai definitions to {}", dir.display());
    Ok(ExitCode::SUCCESS)
}
