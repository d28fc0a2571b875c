//! `opi-tcp test`: runs every `fn test_*()` of the given `.rhai` files (folders are searched
//! recursively), each in a fresh scope with the file's other functions available, and reports
//! like a test runner: one line per test, then `N passed, N failed` alone on the last line.
//!
//! - Top-level statements of a test file are not run; put shared setup in functions.
//! - `PARAMS` is a constant map visible everywhere, functions included. Its entries come from, in
//!   rising order of precedence: environment variables `OPI_PARAM_<NAME>` (the prefix is
//!   dropped), `--params FILE.json`, and `--param NAME=VALUE` (last one wins).
//! - Each test has a deadline (`--timeout`, default 120 s). A test past it is stopped — a blocked
//!   read included, through the same interrupt as Ctrl-C — and fails; the next test runs.
//!   Ctrl-C itself stops the run (exit 130).
//! - `--junit FILE` writes a JUnit XML report (one `testsuite` per file).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use opi_tcp::script::{self, Failure, Source};
use rhai::{CallFnOptions, Dynamic, Engine, Map, Scope};

use crate::exit;

/// What to run, already checked by the command (paths exist, parameters are `NAME=VALUE`).
pub(crate) struct Options {
    pub(crate) paths: Vec<PathBuf>,
    pub(crate) filter: Option<String>,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) params_file: Option<PathBuf>,
    pub(crate) junit: Option<PathBuf>,
    pub(crate) timeout: Duration,
}

struct Outcome {
    file: String,
    name: String,
    elapsed: Duration,
    failure: Option<String>,
}

/// Collects `*.rhai` files: the paths given, folders searched recursively, sorted.
fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "rhai") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    let defaults = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files)?;
        } else {
            files.push(p.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
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
        let parsed = engine
            .parse_json(&text, true)
            .map_err(|e| anyhow::anyhow!("{}: not a JSON object: {e}", file.display()))?;
        map.extend(parsed);
    }
    for (k, v) in &opts.params {
        map.insert(k.as_str().into(), v.as_str().into());
    }
    Ok(map)
}

/// Stops the running test at its deadline by raising the interrupt.
struct Watchdog {
    cancel: mpsc::Sender<()>,
    fired: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Watchdog {
    fn start(limit: Duration) -> Watchdog {
        let (cancel, rx) = mpsc::channel::<()>();
        let fired = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&fired);
        let thread = std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(limit) {
                flag.store(true, Ordering::SeqCst);
                script::interrupt();
            }
        });
        Watchdog {
            cancel,
            fired,
            thread,
        }
    }

    /// Ends the watch; true when the deadline had passed.
    fn finish(self) -> bool {
        let _ = self.cancel.send(());
        // Joined, so a deadline that fires at the last moment cannot interrupt the next test.
        let _ = self.thread.join();
        self.fired.load(Ordering::SeqCst)
    }
}

pub(crate) fn run(engine: Engine, opts: Options) -> Result<ExitCode> {
    let files = collect(&opts.paths)?;
    let params = Dynamic::from_map(params(&engine, &opts)?);
    let mut engine = engine;
    // A variable resolver is the one way to make a host value visible inside script functions,
    // which cannot see the caller's scope. Rhai marks `on_var` as volatile API, not deprecated.
    #[allow(deprecated)]
    engine.on_var(move |name, _, _| Ok((name == "PARAMS").then(|| params.clone())));

    let mut outcomes = Vec::new();
    let mut interrupted = false;
    'files: for file in &files {
        let name = file.display().to_string();
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {name}"))?;
        let src = Source {
            name: &name,
            text: &text,
        };
        let ast = match engine.compile(script::strip_shebang(&text)) {
            Ok(ast) => ast,
            Err(e) => {
                outcomes.push(Outcome {
                    file: name.clone(),
                    name: "(compile)".into(),
                    elapsed: Duration::ZERO,
                    failure: Some(script::render(&src, &e.into())),
                });
                report_line(outcomes.last());
                continue;
            }
        };
        let mut tests: Vec<String> = ast
            .iter_functions()
            .filter(|f| f.name.starts_with("test_") && f.params.is_empty())
            .map(|f| f.name.to_string())
            .filter(|t| {
                opts.filter
                    .as_deref()
                    .is_none_or(|f| format!("{name}::{t}").contains(f))
            })
            .collect();
        // In the order they are written.
        tests.sort_by_key(|t| text.find(&format!("fn {t}(")).unwrap_or(usize::MAX));
        for test in tests {
            script::take_interrupt();
            let watchdog = Watchdog::start(opts.timeout);
            let started = Instant::now();
            let result = engine.call_fn_with_options::<Dynamic>(
                CallFnOptions::new().eval_ast(false).rewind_scope(true),
                &mut Scope::new(),
                &ast,
                &test,
                (),
            );
            let timed_out = watchdog.finish();
            let elapsed = started.elapsed();
            let failure = match result {
                Ok(_) => None,
                Err(e) => match script::failure(&src, &e) {
                    Failure::Interrupted if timed_out => Some(format!(
                        "timed out after {} s (the test deadline; see --timeout)",
                        opts.timeout.as_secs_f64()
                    )),
                    Failure::Interrupted => {
                        interrupted = true;
                        Some("interrupted".into())
                    }
                    Failure::Error(msg) => Some(msg),
                },
            };
            outcomes.push(Outcome {
                file: name.clone(),
                name: test,
                elapsed,
                failure,
            });
            report_line(outcomes.last());
            if interrupted {
                break 'files;
            }
        }
    }
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    if let Some(path) = &opts.junit {
        std::fs::write(path, junit(&outcomes))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    outln!("{} passed, {failed} failed", outcomes.len() - failed);
    Ok(if interrupted {
        ExitCode::from(exit::INTERRUPTED)
    } else {
        exit::from_ok(failed == 0)
    })
}

fn report_line(o: Option<&Outcome>) {
    let Some(o) = o else { return };
    let ms = o.elapsed.as_millis();
    match &o.failure {
        None => outln!("ok      {}::{} ({ms} ms)", o.file, o.name),
        Some(msg) => {
            outln!("FAILED  {}::{} ({ms} ms)", o.file, o.name);
            for line in msg.lines() {
                outln!("        {line}");
            }
        }
    }
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .fold(String::new(), |mut out, c| {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                c => out.push(c),
            }
            out
        })
}

/// A JUnit XML report: one `testsuite` per file.
fn junit(outcomes: &[Outcome]) -> String {
    let mut files: Vec<&str> = outcomes.iter().map(|o| o.file.as_str()).collect();
    files.dedup();
    let total_failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    let total_time: f64 = outcomes.iter().map(|o| o.elapsed.as_secs_f64()).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"opi-tcp\" tests=\"{}\" failures=\"{total_failed}\" time=\"{total_time:.3}\">",
        outcomes.len()
    );
    for file in files {
        let cases: Vec<&Outcome> = outcomes.iter().filter(|o| o.file == file).collect();
        let failed = cases.iter().filter(|o| o.failure.is_some()).count();
        let time: f64 = cases.iter().map(|o| o.elapsed.as_secs_f64()).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" time=\"{time:.3}\">",
            xml(file),
            cases.len()
        );
        for c in cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                xml(file),
                xml(&c.name),
                c.elapsed.as_secs_f64()
            );
            match &c.failure {
                None => out.push_str("/>\n"),
                Some(msg) => {
                    let first = msg.lines().next().unwrap_or_default();
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml(first),
                        xml(msg)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
