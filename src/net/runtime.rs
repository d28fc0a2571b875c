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
//! - A server must also accept and read while the script computes or sleeps outside any call:
//!   a thread that starts one (see [`keep_driven`]) gets a driver (`driver`), which drives the
//!   runtime while the script is outside calls. A client needs none of this: the kernel buffers
//!   its bytes in between.
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

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};

use tokio::runtime::{Builder, Runtime};
use tokio::sync::Notify;

pub(crate) use super::driver::Driven;
use super::driver::{self, Local};

static BACKGROUND: OnceLock<Runtime> = OnceLock::new();
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static INTERRUPT: Notify = Notify::const_new();
/// Set by [`install_ctrl_c_handler`]: runtimes built after it listen for SIGINT.
static CTRL_C: AtomicBool = AtomicBool::new(false);
/// Closes still lingering (see [`close_later`]).
static CLOSING: Closing = Closing {
    left: AtomicUsize::new(0),
    done: Notify::const_new(),
};

thread_local! {
    static LOCAL: Arc<Local> = Arc::new(Local::new(listening(built(
        Builder::new_current_thread().enable_all().build(),
    ))));
}

/// Keeps the calling thread's runtime driven while the returned guard lives, when the caller is
/// inside this thread's [`block_on`] (a server started there spawns its tasks on it); `None`
/// elsewhere, say inside another runtime, whose own threads drive what it spawns.
pub(crate) fn keep_driven() -> Option<Driven> {
    driver::in_call().then(|| Driven::new(LOCAL.with(Arc::clone)))
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

/// Counts the lingering closes; [`finish_closing`] waits for none to be left.
struct Closing {
    left: AtomicUsize,
    done: Notify,
}

/// One lingering close, counted while its task lives (it ends, or is dropped with its runtime).
struct Lingering;

impl Drop for Lingering {
    fn drop(&mut self) {
        if CLOSING.left.fetch_sub(1, Ordering::SeqCst) == 1 {
            CLOSING.done.notify_waiters();
        }
    }
}

/// Runs `close` (the end of a connection) in the background: polled once now, so that the
/// half-close goes out at once, then, if it must wait for the peer, as a task of the runtime
/// in whose context it is called (a server's task, an embedding program's), or else of this
/// thread's, which runs whenever the thread is inside a call. [`finish_closing`] waits for it.
pub(crate) fn close_later<F: Future<Output = ()> + Send + 'static>(close: F) {
    let handle = match tokio::runtime::Handle::try_current() {
        Ok(h) => h,
        // At thread exit, with the runtime gone, there is nothing left to run it on.
        Err(_) => match LOCAL.try_with(|l| l.rt.handle().clone()) {
            Ok(h) => h,
            Err(_) => return,
        },
    };
    let mut close = Box::pin(close);
    let first = {
        let _context = handle.enter();
        close.as_mut().poll(&mut Context::from_waker(Waker::noop()))
    };
    if first.is_pending() {
        CLOSING.left.fetch_add(1, Ordering::SeqCst);
        let lingering = Lingering;
        handle.spawn(async move {
            close.await;
            drop(lingering);
        });
    }
}

/// Waits until the lingering closes have ended (each within `LINGER`), so that a script's end
/// does not cut what it sent: the binary calls it before it exits. Returns at once on Ctrl-C.
pub fn finish_closing() {
    if CLOSING.left.load(Ordering::SeqCst) == 0 {
        return;
    }
    let all_done = async {
        loop {
            let done = CLOSING.done.notified();
            tokio::pin!(done);
            // Registered before the count is read, so the last close in between is not missed.
            done.as_mut().enable();
            if CLOSING.left.load(Ordering::SeqCst) == 0 {
                return;
            }
            done.await;
        }
    };
    // Each close has its own deadline; this one only guards against a close on a runtime
    // that nobody drives any more.
    let _ = block_on(async {
        tokio::time::timeout(
            super::linger::LINGER + std::time::Duration::from_secs(1),
            all_done,
        )
        .await
    });
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::driver::DRIVER_PERIOD;
    use super::*;

    #[test]
    fn a_driver_ends_with_the_last_server_after_its_thread_ended() {
        let (weak, driven) = std::thread::spawn(|| {
            let driven = block_on(async { keep_driven() }).ok().flatten();
            let weak = driven.as_ref().map(Driven::local).unwrap_or_default();
            // Outside any call long enough for the driver to take the runtime.
            std::thread::sleep(DRIVER_PERIOD * 6);
            (weak, driven)
        })
        .join()
        .unwrap();
        assert!(driven.is_some(), "block_on keeps its runtime driven");
        assert!(
            weak.upgrade()
                .is_some_and(|l| l.driving.load(Ordering::SeqCst))
        );
        drop(driven);
        let t = std::time::Instant::now();
        while weak.upgrade().is_some() {
            assert!(
                t.elapsed() < Duration::from_secs(5),
                "the driver kept the runtime"
            );
            std::thread::sleep(DRIVER_PERIOD);
        }
    }
}
