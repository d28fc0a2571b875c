//! The driver: keeps a thread's runtime going while the thread is outside calls, for as long as
//! a server on it lives. The thread drives its runtime itself inside a call (see `runtime`); a
//! server must also accept and read while its script computes or sleeps outside any call.
//!
//! Every [`DRIVER_PERIOD`] the driver thread looks whether the script has stayed outside calls
//! for a whole period, and if so drives the runtime itself until the script's next call asks for
//! it back. So a busy script pays nothing (a few atomics per call), and one that computes leaves
//! its clients unserved for at most two periods. Through a call that lasts a whole period (an
//! idle server's script waits in calls of a second) the driver sleeps until the call's end wakes
//! it: checking every period cost an idle server 0.85% of a core. It ends with the last server,
//! letting the runtime go, so a script thread that ended does not leave one behind.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::thread::Thread;
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio::sync::Notify;

/// How often a driver looks whether its script has left the runtime alone.
pub(super) const DRIVER_PERIOD: Duration = Duration::from_millis(5);

thread_local! {
    /// Inside this thread's `block_on`: what is spawned now runs on its runtime.
    static IN_CALL: Cell<bool> = const { Cell::new(false) };
}

/// Whether the calling thread is inside a call (its `block_on`).
pub(super) fn in_call() -> bool {
    IN_CALL.get()
}

/// A thread's runtime, and what its driver and its script tell each other.
pub(super) struct Local {
    pub(super) rt: Runtime,
    /// The script is inside a call (its thread drives the runtime, or waits to).
    in_call: AtomicBool,
    /// Calls begun: the driver's way to see that the script has not called for a while.
    calls: AtomicU64,
    /// The driver holds the runtime.
    pub(super) driving: AtomicBool,
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
    pub(super) fn new(rt: Runtime) -> Local {
        Local {
            rt,
            in_call: AtomicBool::new(false),
            calls: AtomicU64::new(0),
            driving: AtomicBool::new(false),
            give_back: Notify::new(),
            servers: AtomicUsize::new(0),
            driver: AtomicBool::new(false),
            parked: AtomicBool::new(false),
            driver_thread: Mutex::new(None),
        }
    }

    /// Runs `f` inside a call: a driver that holds the runtime hands it back.
    pub(super) fn call<R>(&self, f: impl FnOnce(&Runtime) -> R) -> R {
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

/// Holds a thread's runtime (and its driver) for a server: the runtime outlives the thread
/// while a server on it lives.
pub(crate) struct Driven(Arc<Local>);

impl Driven {
    pub(super) fn new(local: Arc<Local>) -> Driven {
        local.servers.fetch_add(1, Ordering::SeqCst);
        start_driver(&local);
        Driven(local)
    }

    #[cfg(test)]
    pub(super) fn local(&self) -> Weak<Local> {
        Arc::downgrade(&self.0)
    }

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
        // The last server gone: a driver that holds the runtime lets it go and ends (its script
        // thread may have ended, and no call would ask for the runtime back).
        if self.0.servers.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.give_back.notify_one();
        }
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
