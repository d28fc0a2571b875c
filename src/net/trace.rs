//! The wire trace: every chunk a connection sends and receives, as it happens, with lines for
//! its connect (each address tried, the proxy and its user, the handshake step that failed, the
//! proxy and TLS details of a success), half-close and close. Text shows as an escaped string,
//! anything else as `hexdump -C` lines. Secrets never appear: a proxy is named with its user
//! only, and the bytes of a proxy handshake are not traced (only the step it is at, and where it
//! failed; chunks start with the tunnel).
//!
//! Off, it costs one `Option` check per send and read: nothing is formatted or allocated.

use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use super::clock::timestamp;
use super::hexdump::hexdump;

/// A chunk is cut after this many bytes unless the trace is `full`.
pub const TRACE_CUT: usize = 4096;

/// Where a trace goes and how it shows bytes.
#[derive(Debug, Clone, Default)]
pub struct TraceConfig {
    /// A file to append to; `None` is stderr.
    pub file: Option<std::path::PathBuf>,
    /// Show every chunk as hex, text too.
    pub hex: bool,
    /// Do not cut long chunks.
    pub full: bool,
}

/// An open trace, shared by the connections that write to it.
pub struct Trace {
    out: Mutex<Box<dyn Write + Send>>,
    config: TraceConfig,
}

/// Connection numbers are stable within a run, whichever trace a connection writes to.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static GLOBAL: OnceLock<Arc<Trace>> = OnceLock::new();

impl Trace {
    pub fn open(config: TraceConfig) -> io::Result<Arc<Trace>> {
        let out: Box<dyn Write + Send> = match &config.file {
            Some(path) => Box::new(OpenOptions::new().create(true).append(true).open(path)?),
            None => Box::new(io::stderr()),
        };
        Ok(Arc::new(Trace {
            out: Mutex::new(out),
            config,
        }))
    }

    fn write(&self, text: &str) {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        // A trace that cannot be written (a closed stderr, a full disk) must not stop the
        // conversation it describes.
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
}

/// Traces every connection made from now on (the command line's `--trace`); the first call wins.
pub fn trace_all(config: TraceConfig) -> io::Result<()> {
    let trace = Trace::open(config)?;
    let _ = GLOBAL.set(trace);
    Ok(())
}

/// The process-wide trace, if `--trace` was given.
pub fn global_trace() -> Option<Arc<Trace>> {
    GLOBAL.get().cloned()
}

/// One connection's view of a trace: its number and its peer.
pub struct Traced {
    trace: Arc<Trace>,
    id: u64,
    peer: String,
}

impl Traced {
    pub fn new(trace: Arc<Trace>, peer: &str) -> Traced {
        Traced {
            trace,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            peer: peer.to_string(),
        }
    }

    fn head(&self) -> String {
        let t = timestamp(SystemTime::now());
        // `2026-05-02 11:05:53.665` → the time of day; the date is in every log line already.
        let time = t.get(11..).unwrap_or(&t);
        format!("{time} #{} {}", self.id, self.peer)
    }

    /// One line about the connection: `connected …`, `half-close`, `closed`.
    pub fn event(&self, what: &str) {
        self.trace.write(&format!("{} {what}\n", self.head()));
    }

    /// A chunk that went out (`>`) or came in (`<`).
    pub fn chunk(&self, outgoing: bool, bytes: &[u8]) {
        let arrow = if outgoing { '>' } else { '<' };
        let mut text = format!("{} {arrow} {} bytes\n", self.head(), bytes.len());
        let shown = if self.trace.config.full {
            bytes
        } else {
            &bytes[..bytes.len().min(TRACE_CUT)]
        };
        match std::str::from_utf8(shown) {
            Ok(s) if !self.trace.config.hex && is_text(s) => {
                let _ = writeln!(text, "  {s:?}");
            }
            _ => {
                for line in hexdump(shown, usize::MAX).unwrap_or_default().lines() {
                    let _ = writeln!(text, "  {line}");
                }
            }
        }
        if shown.len() < bytes.len() {
            let _ = writeln!(text, "  … {} more bytes", bytes.len() - shown.len());
        }
        self.trace.write(&text);
    }
}

/// Writes an event line when there is a trace; `what` is formatted only then.
pub(crate) fn note(trace: Option<&Traced>, what: impl FnOnce() -> String) {
    if let Some(t) = trace {
        t.event(&what());
    }
}

/// Text a reader would rather see as a string: no control characters but line ends and tabs.
fn is_text(s: &str) -> bool {
    s.chars()
        .all(|c| !c.is_control() || matches!(c, '\r' | '\n' | '\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_binary_chunks() {
        assert!(is_text("PING\r\n"));
        assert!(is_text("привет\n"));
        assert!(!is_text("a\u{0}b"));
    }
}
