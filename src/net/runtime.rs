//! The blocking bridge: one process-wide tokio runtime, `block_on` for synchronous callers, and
//! the interrupt (Ctrl-C) that ends any blocked wait.
//!
//! The runtime has a single worker thread. Every connection of every script shares it (a
//! thousand connections cost one epoll instance, not a thousand), and tasks spawned on it — a
//! server's accept loop — keep running while the script is busy outside a call. Synchronous
//! callers use [`block_on`]; it must never be called from inside the runtime (tokio panics on a
//! nested `block_on`), which is why `main` is a plain `fn main`.
//!
//! An interrupt is a flag plus a [`Notify`]: [`block_on`] races its future against it, so a
//! read blocked for minutes returns as soon as the user presses Ctrl-C. The future is dropped at
//! an await point; a read's bytes stay in the connection's buffer (see `connection`).

use std::future::Future;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::runtime::{Builder, Runtime};
use tokio::sync::Notify;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static INTERRUPT: Notify = Notify::const_new();

/// The shared runtime, built on first use.
fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        match Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("opi-tcp-io")
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            // Without a runtime nothing can work; this only fails when the OS refuses a thread
            // or an epoll instance.
            Err(e) => panic!("cannot start the I/O runtime: {e}"),
        }
    })
}

/// The wait ended because of an interrupt, not because the future finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// Runs `fut` to completion on the shared runtime, unless an interrupt comes first.
pub fn block_on<F: Future>(fut: F) -> Result<F::Output, Interrupted> {
    runtime().block_on(async {
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
    })
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

/// Turns SIGINT into [`interrupt`] for the rest of the process (the binary calls this once; a
/// library embedding the engine may not want it). The handler is in place when this returns, so
/// a Ctrl-C that comes at once is not lost to the default action (killing the process).
pub fn install_ctrl_c_handler() {
    let rt = runtime();
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
