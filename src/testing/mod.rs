//! `opi-tcp test`: runs every `fn test_*()` of the given `.rhai` files (folders are searched
//! recursively), each in a fresh scope with the file's other functions available, and reports
//! like a test runner: one line per test, then `N passed, N failed` alone on the last line.
//!
//! - Top-level statements of a test file are not run; put shared setup in functions.
//! - `PARAMS` is a constant map visible everywhere, functions included. Its entries come from, in
//!   rising order of precedence: environment variables `OPI_PARAM_<NAME>` (the prefix is
//!   dropped), `--params FILE.json`, and `--param NAME=VALUE` (last one wins).
//! - Each test has a deadline (`--timeout`, default 120 s). A test past it is stopped — a blocked
//!   read included, through the same interrupt as Ctrl-C — and fails, saying which call it was
//!   in and where; the next test runs. Ctrl-C itself stops the run (exit 130).
//! - A run in which no test ran fails (as nextest's does): a typo in a path or a filter must not
//!   pass in CI.
//! - What a test prints is kept with its outcome: shown under a failure and in the JUnit report.
//! - `--list` prints the plan; `--shard K/N` takes every N-th test of it; `--jobs N` runs files
//!   in N child processes (`jobs`), reporting in file order.
//! - `--junit FILE` writes a JUnit XML report (one `testsuite` per file).

mod jobs;
mod local;
mod plan;
mod report;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use opi_tcp::script::{self, Shard};
use rhai::{Dynamic, Engine, Map};

use crate::exit;

/// What to run, already checked by the command (paths exist, parameters are `NAME=VALUE`).
pub(crate) struct Options {
    pub(crate) paths: Vec<PathBuf>,
    pub(crate) filters: Vec<String>,
    pub(crate) exact: bool,
    pub(crate) shard: Option<Shard>,
    pub(crate) list: bool,
    pub(crate) jobs: usize,
    /// Report records for a `--jobs` parent instead of lines and a summary.
    pub(crate) child: bool,
    /// The options a child needs to run as this process would (timeout, parameters, globals).
    pub(crate) child_args: Vec<OsString>,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) params_file: Option<PathBuf>,
    pub(crate) junit: Option<PathBuf>,
    pub(crate) timeout: Duration,
    /// Show passing tests' output too, as failing ones' always is.
    pub(crate) show_output: bool,
}

/// How one test ended.
pub(crate) struct Outcome {
    pub(crate) file: String,
    pub(crate) name: String,
    pub(crate) elapsed: Duration,
    pub(crate) verdict: Verdict,
    /// What it printed (`print` and `debug`), line by line.
    pub(crate) output: String,
}

impl Outcome {
    fn new(file: &plan::File, name: &str, verdict: Verdict) -> Outcome {
        Outcome {
            file: file.name.clone(),
            name: name.to_string(),
            elapsed: Duration::ZERO,
            verdict,
            output: String::new(),
        }
    }
}

pub(crate) enum Verdict {
    Passed,
    /// An assertion failed (`assert*`, `fail`).
    Failed(String),
    /// Any other error: thrown, a runtime error, a file that does not compile, the deadline.
    Error(String),
    /// Ctrl-C stopped it, and the run.
    Interrupted,
}

impl Verdict {
    fn message(&self) -> Option<&str> {
        match self {
            Verdict::Passed => None,
            Verdict::Failed(m) | Verdict::Error(m) => Some(m),
            Verdict::Interrupted => Some("interrupted"),
        }
    }
}

/// PARAMS: environment, then the JSON file, then `--param` (each overriding the previous).
fn params(engine: &Engine, opts: &Options) -> Result<Map> {
    let mut map = Map::new();
    for (k, v) in std::env::vars() {
        if let Some(name) = k.strip_prefix("OPI_PARAM_").filter(|n| !n.is_empty()) {
            map.insert(name.into(), v.into());
        }
    }
    if let Some(file) = &opts.params_file {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let parsed = script::params_json(engine, &text)
            .map_err(|e| anyhow::anyhow!("{}: not a JSON object: {e}", file.display()))?;
        map.extend(parsed);
    }
    for (k, v) in &opts.params {
        map.insert(k.as_str().into(), v.as_str().into());
    }
    Ok(map)
}

pub(crate) fn run(engine: Engine, opts: Options) -> Result<ExitCode> {
    let selection = plan::Selection {
        filters: &opts.filters,
        exact: opts.exact,
        shard: opts.shard,
    };
    let files = plan::plan(&engine, &opts.paths, &selection)?;
    if opts.list {
        return Ok(list(&files));
    }
    let params = Dynamic::from_map(params(&engine, &opts)?);
    if files.is_empty() && !opts.child {
        outln!("0 passed, 0 failed");
        errln!("Error: no tests ran: {}", why_none(&opts));
        return Ok(ExitCode::from(exit::FAILURE));
    }
    let mut outcomes = Vec::new();
    let mut record = |o: Outcome| {
        match opts.child {
            true => outln!("{}", report::encode(&o)),
            false => report::line(&o, opts.show_output),
        }
        outcomes.push(o);
    };
    let finished = if opts.jobs > 1 && !opts.child {
        let child = jobs::Children {
            args: &opts.child_args,
            jobs: opts.jobs,
            timeout: opts.timeout,
        };
        child.run(&files, &mut record)?
    } else {
        let mut engine = engine;
        // A variable resolver is the one way to make a host value visible inside script
        // functions, which cannot see the caller's scope. Rhai marks `on_var` as volatile API,
        // not deprecated.
        #[allow(deprecated)]
        engine.on_var(move |name, _, _| Ok((name == "PARAMS").then(|| params.clone())));
        let local = local::Local::new(engine, opts.timeout);
        files.iter().all(|f| local.run_file(f, &mut record))
    };
    if opts.child {
        return Ok(ExitCode::SUCCESS);
    }
    let failed = outcomes
        .iter()
        .filter(|o| !matches!(o.verdict, Verdict::Passed))
        .count();
    if let Some(path) = &opts.junit {
        std::fs::write(path, report::junit(&outcomes))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    outln!("{} passed, {failed} failed", outcomes.len() - failed);
    Ok(if !finished {
        ExitCode::from(exit::INTERRUPTED)
    } else {
        exit::from_ok(failed == 0)
    })
}

/// `--list`: the selected tests as `file::name`, one a line; a file that does not compile is
/// said on stderr and fails the listing.
fn list(files: &[plan::File]) -> ExitCode {
    let mut ok = true;
    for file in files {
        match &file.ast {
            Ok(_) => file.tests.iter().for_each(|t| outln!("{}::{t}", file.name)),
            Err(rendered) => {
                errln!("Error: {rendered}");
                ok = false;
            }
        }
    }
    exit::from_ok(ok)
}

fn why_none(opts: &Options) -> String {
    let mut why = String::from("no `fn test_*()` found");
    if !opts.filters.is_empty() {
        let filters: Vec<String> = opts.filters.iter().map(|f| format!("'{f}'")).collect();
        why.push_str(&format!(" matching --filter {}", filters.join(", ")));
    }
    if let Some(s) = opts.shard {
        why.push_str(&format!(" in shard {}/{}", s.index, s.count));
    }
    why
}
