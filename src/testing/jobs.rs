//! `--jobs N`: each file's tests run in a child `opi-tcp test` of their own, N at a time. A
//! script can hold the process (a blocked call, a busy loop, a global interrupt), so separate
//! files get separate processes rather than threads. Children send one record per test; the
//! parent reports whole files in file order, so the output reads as a serial run's.

use std::collections::{BTreeMap, VecDeque};
use std::ffi::OsString;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use opi_tcp::script;

use super::plan::File;
use super::{Outcome, Verdict, report};

/// How long a child may take beyond its tests' deadlines: starting, compiling, reporting.
const STARTUP_SLACK: Duration = Duration::from_secs(30);

/// How often the parent looks at its children and at Ctrl-C.
const POLL: Duration = Duration::from_millis(10);

pub(crate) struct Children<'a> {
    /// Options every child gets (timeout, parameters, global options).
    pub(crate) args: &'a [OsString],
    pub(crate) jobs: usize,
    pub(crate) timeout: Duration,
}

struct Running {
    index: usize,
    child: Child,
    stdout: JoinHandle<String>,
    deadline: Instant,
}

impl Children<'_> {
    /// Runs `files`, calling `report` for every outcome in file order; false after Ctrl-C.
    pub(crate) fn run(&self, files: &[File], report: &mut dyn FnMut(Outcome)) -> Result<bool> {
        let mut pending: VecDeque<usize> = (0..files.len()).collect();
        let mut running: Vec<Running> = Vec::new();
        let mut done: BTreeMap<usize, Vec<Outcome>> = BTreeMap::new();
        let mut next = 0;
        let mut interrupted = false;
        while !(pending.is_empty() && running.is_empty()) {
            while running.len() < self.jobs
                && let Some(index) = pending.pop_front()
            {
                match &files[index].ast {
                    Err(rendered) => {
                        let verdict = Verdict::Error(rendered.clone());
                        done.insert(
                            index,
                            vec![Outcome::new(&files[index], super::plan::COMPILE, verdict)],
                        );
                    }
                    Ok(_) => running.push(self.spawn(index, &files[index])?),
                }
            }
            if script::is_interrupted() {
                interrupted = true;
                pending.clear();
            }
            let mut still = Vec::new();
            for mut r in running.drain(..) {
                let ended = r.child.try_wait().context("waiting for a test process")?;
                let late = Instant::now() >= r.deadline;
                let status = match ended {
                    Some(status) => status.to_string(),
                    None if late || interrupted => {
                        let _ = r.child.kill();
                        let _ = r.child.wait();
                        match interrupted {
                            true => "stopped by Ctrl-C".to_string(),
                            false => "killed: it outlived its tests' deadlines".to_string(),
                        }
                    }
                    None => {
                        still.push(r);
                        continue;
                    }
                };
                let text = r.stdout.join().unwrap_or_default();
                done.insert(r.index, outcomes(&files[r.index], &text, &status));
            }
            running = still;
            while let Some(outcomes) = done.remove(&next) {
                for o in outcomes {
                    interrupted |= matches!(o.verdict, Verdict::Interrupted);
                    report(o);
                }
                next += 1;
            }
            std::thread::sleep(POLL);
        }
        Ok(!interrupted)
    }

    fn spawn(&self, index: usize, file: &File) -> Result<Running> {
        let exe = std::env::current_exe().context("finding the opi-tcp binary for --jobs")?;
        let mut cmd = Command::new(exe);
        cmd.arg("test")
            .args(self.args)
            .args(["--child-report", "--exact"]);
        for t in &file.tests {
            cmd.arg("--filter").arg(format!("{}::{t}", file.name));
        }
        let mut child = cmd
            .arg(&file.name)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .context("starting a test process")?;
        let mut out = child.stdout.take();
        // Read while it runs: a child must never block on a full pipe.
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(out) = &mut out {
                let _ = out.read_to_string(&mut text);
            }
            text
        });
        let tests = u32::try_from(file.tests.len()).unwrap_or(u32::MAX);
        let budget = self.timeout.saturating_mul(tests.saturating_add(1)) + STARTUP_SLACK;
        Ok(Running {
            index,
            child,
            stdout,
            deadline: Instant::now() + budget,
        })
    }
}

/// The outcomes a child reported for `file`; a test it did not report (it crashed, or was
/// killed) is an error that says how the process ended.
fn outcomes(file: &File, text: &str, status: &str) -> Vec<Outcome> {
    let mut got: Vec<Outcome> = text.lines().filter_map(report::decode).collect();
    let stopped = got
        .iter()
        .any(|o| matches!(o.verdict, Verdict::Interrupted));
    for t in &file.tests {
        if !stopped && !got.iter().any(|o| o.name == *t) {
            let msg = format!("the test process ended ({status}) before reporting this test");
            got.push(Outcome::new(file, t, Verdict::Error(msg)));
        }
    }
    got
}
