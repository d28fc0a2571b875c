//! Per-engine settings that scripts change with helper functions, carried as the engine's tag so
//! that two engines in one process (tests, an embedding program) never share them.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use rhai::NativeCallContext;

use crate::net;

/// The settings of one engine; clones share them.
#[derive(Clone, Debug)]
pub struct Session {
    connect_timeout: Rc<Cell<Duration>>,
    memory: Option<MemoryLimit>,
    stdout_closed: Option<fn()>,
}

/// A bound on the memory of everything a script holds: `in_use` says how many bytes the process
/// has allocated (the binary counts them in its allocator), and a script past `max` is stopped.
#[derive(Clone, Copy, Debug)]
pub struct MemoryLimit {
    pub in_use: fn() -> usize,
    pub max: usize,
}

impl Default for Session {
    fn default() -> Self {
        Session::new(net::DEFAULT_CONNECT_TIMEOUT)
    }
}

impl Session {
    /// A session whose connects have `connect_timeout` (DNS, TCP, proxy and TLS together).
    pub fn new(connect_timeout: Duration) -> Self {
        Session {
            connect_timeout: Rc::new(Cell::new(connect_timeout)),
            memory: None,
            stdout_closed: None,
        }
    }

    /// This session, with its scripts stopped when the process holds more than `limit`.
    pub fn with_memory_limit(mut self, limit: MemoryLimit) -> Self {
        self.memory = Some(limit);
        self
    }

    /// This session, with `hook` called when `write_stdout` finds stdout closed (the binary
    /// ends the process quietly, as it does after `print`). Without one, the call throws.
    pub fn with_stdout_closed(mut self, hook: fn()) -> Self {
        self.stdout_closed = Some(hook);
        self
    }

    pub(crate) fn stdout_closed(&self) {
        if let Some(hook) = self.stdout_closed {
            hook();
        }
    }

    pub(crate) fn memory_limit(&self) -> Option<MemoryLimit> {
        self.memory
    }

    /// The session of the engine running the call.
    pub(crate) fn of(ctx: &NativeCallContext) -> Session {
        ctx.tag()
            .and_then(|t| t.read_lock::<Session>().map(|s| s.clone()))
            .unwrap_or_default()
    }

    pub(crate) fn connect_timeout(&self) -> Duration {
        self.connect_timeout.get()
    }

    pub(crate) fn set_connect_timeout(&self, d: Duration) {
        self.connect_timeout.set(d);
    }
}
