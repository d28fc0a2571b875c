//! Running a file's tests in this process, one after the other, each in a fresh scope under a
//! deadline, with what it prints captured for its report.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use opi_tcp::script::{self, Failure, Source};
use rhai::{CallFnOptions, Dynamic, Engine, Scope};

use super::plan::{self, File};
use super::{Outcome, Verdict};

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

/// Runs tests, keeping the engine's print and debug output per test.
pub(crate) struct Local {
    engine: Engine,
    output: Rc<RefCell<String>>,
    timeout: Duration,
}

impl Local {
    pub(crate) fn new(mut engine: Engine, timeout: Duration) -> Local {
        let output = Rc::new(RefCell::new(String::new()));
        let printed = Rc::clone(&output);
        engine.on_print(move |s| {
            let mut out = printed.borrow_mut();
            out.push_str(s);
            out.push('\n');
        });
        let debugged = Rc::clone(&output);
        engine.on_debug(move |s, src, pos| {
            let mut out = debugged.borrow_mut();
            let line = match (src, pos.is_none()) {
                (Some(src), false) => format!("{src}:{pos}: {s}\n"),
                _ => format!("{s}\n"),
            };
            out.push_str(&line);
        });
        Local {
            engine,
            output,
            timeout,
        }
    }

    /// Runs the tests of `file`, calling `report` after each; stops after a Ctrl-C (its test is
    /// the last outcome, `Verdict::Interrupted`).
    pub(crate) fn run_file(&self, file: &File, report: &mut dyn FnMut(Outcome)) -> bool {
        let ast = match &file.ast {
            Ok(ast) => ast,
            Err(rendered) => {
                report(Outcome::new(
                    file,
                    plan::COMPILE,
                    Verdict::Error(rendered.clone()),
                ));
                return true;
            }
        };
        let src = Source {
            name: &file.name,
            text: &file.text,
        };
        for test in &file.tests {
            script::take_interrupt();
            self.output.borrow_mut().clear();
            let watchdog = Watchdog::start(self.timeout);
            let started = Instant::now();
            let result = self.engine.call_fn_with_options::<Dynamic>(
                CallFnOptions::new().eval_ast(false).rewind_scope(true),
                &mut Scope::new(),
                ast,
                test,
                (),
            );
            let timed_out = watchdog.finish();
            let elapsed = started.elapsed();
            let verdict = match result {
                Ok(_) => Verdict::Passed,
                Err(e) => match script::failure(&src, &e) {
                    Failure::Interrupted if timed_out => {
                        let secs = self.timeout.as_secs_f64();
                        Verdict::Error(match script::stopped_at(&src, &e) {
                            // The position leads the excerpt; the deadline's words stay on line 1.
                            Some(at) => match at.split_once('\n') {
                                Some((head, excerpt)) => format!(
                                    "timed out after {secs} s {head} (the test deadline; see \
                                     --timeout)\n{excerpt}"
                                ),
                                None => format!(
                                    "timed out after {secs} s {at} (the test deadline; see --timeout)"
                                ),
                            },
                            None => format!(
                                "timed out after {secs} s while computing in {test} (the test \
                                 deadline; see --timeout)"
                            ),
                        })
                    }
                    Failure::Interrupted => Verdict::Interrupted,
                    Failure::Exit(code, said) => Verdict::Failed(format!(
                        "the test called exit({}): a test ends by returning (or fails with \
                         assert or fail)",
                        match (said, code) {
                            (Some(said), _) => format!("{said:?}"),
                            (None, 0) => String::new(),
                            (None, code) => code.to_string(),
                        }
                    )),
                    Failure::Error(msg) if script::is_assertion(&e) => Verdict::Failed(msg),
                    Failure::Error(msg) => Verdict::Error(msg),
                },
            };
            let interrupted = matches!(verdict, Verdict::Interrupted);
            let mut outcome = Outcome::new(file, test, verdict);
            outcome.elapsed = elapsed;
            outcome.output = std::mem::take(&mut *self.output.borrow_mut());
            report(outcome);
            if interrupted {
                return false;
            }
        }
        true
    }
}
