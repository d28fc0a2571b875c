//! The blocking bridge: [`block_on`] for synchronous callers, the driver that keeps a thread's
//! runtime going between its calls while it has a server, and the interrupt (Ctrl-C) that ends
//! any blocked wait.
//!
//! - [`block_on`] runs on a current-thread runtime of the calling thread (one per thread, built
//!   on first use). Every socket of the thread's script is registered with it: clients' and, since
//!   a server's accept loop and readers are spawned on it too, servers'. While the script is inside
//!   a call, the calling thread drives them itself, so a read, a send or a server's next message
//!   costs no thread wake-up on the way (a round trip through a worker thread paid two, and a
//!   server echo paid one per message plus contention on each socket's lock).
//! - A server must also accept and read while the script computes or sleeps outside any call. A
//!   thread that starts a server (see [`keep_driven`]) gets a driver thread: every
//!   [`DRIVER_PERIOD`] it looks whether the script has stayed outside calls for a whole period,
//!   and if so drives the runtime itself until the script's next call asks for it back. So a busy
//!   script pays nothing, and one that computes leaves its clients unserved for at most two
//!   periods. Through a call that lasts a whole period (an idle server's script waits in calls of
//!   a second) the driver sleeps until the call's end wakes it: checking every period cost an
//!   idle server 0.85% of a core. A client needs none of this: the kernel buffers its bytes in
//!   between.
//! - The background runtime (one worker thread, built on first use) runs blocking reads of stdin
//!   ([`spawn_blocking`]), which must outlive the thread that asked.
//!
//! [`block_on`] must never be called from inside a runtime (tokio panics on a nested
//! `block_on`), which is why `main` is a plain `fn main`.
//!
//! An interrupt is a flag plus a [`Notify`]: [`block_on`] races its future against it, so a
//! read blocked for minutes returns as soon as the user presses Ctrl-C. The future is dropped at
//! an await point; a read's bytes stay in the connection's buffer (see `connection`).
//!
//! SIGINT sets the flag from a plain signal action, which needs no runtime, and each thread's
//! runtime listens for it to wake its waits. So a script that never waits builds no runtime at
//! all: the background one used to be built at start-up for the handler, a sixth of an empty
//! script's run.

use std::cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::task::{Context, Poll, Waker};
use std::thread::Thread;
use std::time::Duration;

use tokio::runtime::{Builder, Runtime};
use tokio::sync::Notify;

static BACKGROUND: OnceLock<Runtime> = OnceLock::new();
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static INTERRUPT: Notify = Notify::const_new();
/// Set by [`install_ctrl_c_handler`]: runtimes built after it listen for SIGINT.
static CTRL_C: AtomicBool = AtomicBool::new(false);

/// How often a driver looks whether its script has left the runtime alone.
const DRIVER_PERIOD: Duration = Duration::from_millis(5);

thread_local! {
    static LOCAL: Arc<Local> = Arc::new(Local {
        rt: listening(built(Builder::new_current_thread().enable_all().build())),
        in_call: AtomicBool::new(false),
        calls: AtomicU64::new(0),
        driving: AtomicBool::new(false),
        give_back: Notify::new(),
        servers: AtomicUsize::new(0),
        driver: AtomicBool::new(false),
        parked: AtomicBool::new(false),
        driver_thread: Mutex::new(None),
    });
    /// Inside this thread's [`block_on`]: what is spawned now runs on its runtime.
    static IN_CALL: Cell<bool> = const { Cell::new(false) };
}

/// A thread's runtime, and what its driver and its script tell each other.
struct Local {
    rt: Runtime,
    /// The script is inside a call (its thread drives the runtime, or waits to).
    in_call: AtomicBool,
    /// Calls begun: the driver's way to see that the script has not called for a while.
    calls: AtomicU64,
    /// The driver holds the runtime.
    driving: AtomicBool,
    /// Asks the driver to give the runtime back (a permit, so an ask is never missed).
    give_back: Notify,
    /// Servers that keep this runtime driven.
    servers: AtomicUsize,
    /// A driver thread is running.
    driver: AtomicBool,
    /// The driver sleeps until the call in progress ends (it has lasted a whole period: a long
    /// wait, which the driver need not watch every period).
    parked: AtomicBool,
    driver_thread: Mutex<Option<Thread>>,
}

impl Local {
    /// Runs `f` inside a call: a driver that holds the runtime hands it back.
    fn call<R>(&self, f: impl FnOnce(&Runtime) -> R) -> R {
        struct Leave<'a>(&'a Local, bool);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.in_call.store(false, Ordering::SeqCst);
                // Paired with the driver's store of `parked` and load of `in_call`.
                if self.0.parked.load(Ordering::SeqCst)
                    && let Some(t) = &*self
                        .0
                        .driver_thread
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                {
                    t.unpark();
                }
                IN_CALL.set(self.1);
            }
        }
        let _leave = Leave(self, IN_CALL.replace(true));
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.in_call.store(true, Ordering::SeqCst);
        // Paired with the driver's store of `driving` and load of `in_call`: one of the two sees
        // the other, so the driver never keeps the runtime from a call that needs it.
        if self.driving.load(Ordering::SeqCst) {
            self.give_back.notify_one();
        }
        f(&self.rt)
    }
}

/// Keeps the calling thread's runtime driven while the returned guard lives, when the caller is
/// inside this thread's [`block_on`] (a server started there spawns its tasks on it); `None`
/// elsewhere, say inside another runtime, whose own threads drive what it spawns.
pub(crate) fn keep_driven() -> Option<Driven> {
    if !IN_CALL.get() {
        return None;
    }
    let local = LOCAL.with(Arc::clone);
    local.servers.fetch_add(1, Ordering::SeqCst);
    start_driver(&local);
    Some(Driven(local))
}

/// Holds a thread's runtime (and its driver) for a server: the runtime outlives the thread
/// while a server on it lives.
pub(crate) struct Driven(Arc<Local>);

impl Driven {
    /// Lets the runtime run the tasks just aborted (a stopped server's), so that the sockets
    /// they own close now, not whenever the runtime next runs. Inside a runtime, that runtime's
    /// own driving does it.
    pub(crate) fn settle(&self) {
        if tokio::runtime::Handle::try_current().is_ok() {
            return;
        }
        self.0.call(|rt| {
            rt.block_on(async {
                // An aborted task is dropped when the scheduler next runs it: after a yield.
                for _ in 0..4 {
                    tokio::task::yield_now().await;
                }
            })
        });
    }
}

impl Drop for Driven {
    fn drop(&mut self) {
        self.0.servers.fetch_sub(1, Ordering::SeqCst);
    }
}

fn start_driver(local: &Arc<Local>) {
    if local.driver.swap(true, Ordering::SeqCst) {
        return;
    }
    let weak = Arc::downgrade(local);
    let spawned = std::thread::Builder::new()
        .name("opi-tcp-driver".into())
        .spawn(move || drive(&weak));
    if spawned.is_err() {
        // No thread: the server is served only while the script is inside a call.
        local.driver.store(false, Ordering::SeqCst);
    }
}

/// The driver thread: drives the runtime whenever the script has made no call for a period,
/// until it calls again; ends when no server needs it.
fn drive(weak: &Weak<Local>) {
    if let Some(local) = weak.upgrade() {
        *local
            .driver_thread
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(std::thread::current());
    }
    let mut seen = u64::MAX;
    loop {
        std::thread::sleep(DRIVER_PERIOD);
        let Some(local) = weak.upgrade() else { return };
        if local.servers.load(Ordering::SeqCst) == 0 {
            local.driver.store(false, Ordering::SeqCst);
            // A server started since the check above found no driver to start: go on for it.
            if local.servers.load(Ordering::SeqCst) == 0
                || local.driver.swap(true, Ordering::SeqCst)
            {
                return;
            }
        }
        let calls = local.calls.load(Ordering::Relaxed);
        if local.in_call.load(Ordering::SeqCst) {
            if calls == seen {
                // One call for a whole period: sleep until it ends instead of looking every
                // period (an idle server's script waits in calls of a second or more).
                local.parked.store(true, Ordering::SeqCst);
                while local.in_call.load(Ordering::SeqCst)
                    && local.calls.load(Ordering::Relaxed) == calls
                {
                    std::thread::park();
                }
                local.parked.store(false, Ordering::SeqCst);
            }
            seen = calls;
            continue;
        }
        if calls != seen {
            seen = calls;
            continue;
        }
        local.driving.store(true, Ordering::SeqCst);
        if !local.in_call.load(Ordering::SeqCst) {
            local.rt.block_on(local.give_back.notified());
        }
        local.driving.store(false, Ordering::SeqCst);
    }
}

fn built(rt: std::io::Result<Runtime>) -> Runtime {
    match rt {
        Ok(rt) => rt,
        // Without a runtime nothing can work; this only fails when the OS refuses a thread or
        // an epoll instance.
        Err(e) => panic!("cannot start the I/O runtime: {e}"),
    }
}

/// The background runtime (one worker thread), built on first use, for [`spawn_blocking`].
pub(crate) fn background() -> &'static Runtime {
    BACKGROUND.get_or_init(|| {
        listening(built(
            Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("opi-tcp-io")
                .enable_all()
                .build(),
        ))
    })
}

/// With the Ctrl-C handler installed, a task of `rt` turns each SIGINT into [`interrupt`], so
/// that the waits this runtime drives wake. (The signal action has set the flag already; a
/// signal that came before this listener existed is seen by the flag check of
/// [`interruptible`].)
fn listening(rt: Runtime) -> Runtime {
    if CTRL_C.load(Ordering::SeqCst) {
        let _context = rt.enter();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            if let Ok(mut sigint) = signal(SignalKind::interrupt()) {
                rt.spawn(async move {
                    while sigint.recv().await.is_some() {
                        interrupt();
                    }
                });
            }
        }
        #[cfg(not(unix))]
        rt.spawn(async {
            while tokio::signal::ctrl_c().await.is_ok() {
                interrupt();
            }
        });
    }
    rt
}

/// Runs a blocking function (a read of stdin) on the background runtime's thread pool, which
/// lives as long as the process: a thread's own runtime would wait for it when the thread ends,
/// so a script stopped by Ctrl-C in the middle of a read could not exit.
pub fn spawn_blocking<F, R>(f: F) -> tokio::task::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    background().spawn_blocking(f)
}

/// The wait ended because of an interrupt, not because the future finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// Runs `fut` to completion on the calling thread's runtime, unless an interrupt comes first.
pub fn block_on<F: Future>(fut: F) -> Result<F::Output, Interrupted> {
    // Boxed once here: a read's future is large, and tokio's block_on moves it by value on
    // its way in (about 800 instructions of a 18,400-instruction round trip, callgrind).
    let fut = Box::pin(fut);
    LOCAL.with(|l| l.call(|rt| rt.block_on(interruptible(fut))))
}

/// Like [`block_on`], for a future that usually finishes at once (a send into a socket with
/// room): it is polled once in the runtime's context first, and only if it must wait does it pay
/// for a `block_on` (about 2,000 instructions of the runtime's own per call, callgrind).
pub fn block_on_eager<F: Future>(fut: F) -> Result<F::Output, Interrupted> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(Interrupted);
    }
    let mut fut = Box::pin(fut);
    LOCAL.with(|l| {
        l.call(|rt| {
            let first = {
                let _context = rt.enter();
                // What it registers with this waker is registered again, with the runtime's,
                // when the future is polled under block_on.
                fut.as_mut().poll(&mut Context::from_waker(Waker::noop()))
            };
            match first {
                Poll::Ready(out) => Ok(out),
                Poll::Pending => rt.block_on(interruptible(fut)),
            }
        })
    })
}

async fn interruptible<F: Future>(fut: F) -> Result<F::Output, Interrupted> {
    let notified = INTERRUPT.notified();
    tokio::pin!(notified);
    // Registered before the flag is read, so an interrupt between the two is not lost.
    notified.as_mut().enable();
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(Interrupted);
    }
    tokio::select! {
        biased;
        _ = notified => Err(Interrupted),
        out = fut => Ok(out),
    }
}

/// Requests that the current and the next blocking waits end. Safe from any thread.
pub fn interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
    INTERRUPT.notify_waiters();
}

/// Reads and clears the interrupt flag.
pub fn take_interrupt() -> bool {
    INTERRUPTED.swap(false, Ordering::SeqCst)
}

/// Whether an interrupt is pending (without clearing it).
pub fn is_interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Turns SIGINT into [`interrupt`] for the rest of the process (the binary calls this once, before
/// any runtime is built; a library embedding the engine may not want it). The handler is in
/// place when this returns, so a Ctrl-C that comes at once is not lost to the default action
/// (killing the process).
pub fn install_ctrl_c_handler() {
    CTRL_C.store(true, Ordering::SeqCst);
    #[cfg(unix)]
    {
        // SAFETY: the action only stores to an atomic, which is async-signal-safe.
        let installed = unsafe {
            signal_hook_registry::register(libc::SIGINT, || {
                INTERRUPTED.store(true, Ordering::SeqCst)
            })
        };
        if installed.is_err() {
            // No signal action: a runtime listening through tokio still catches it.
            background();
        }
    }
    #[cfg(not(unix))]
    background();
}
