//! Event logs of connections and servers (OPI's `GetLoggingSettings` / `GetLog`): timestamped
//! lines kept in a bounded ring in memory, appended to a file, or both.
//!
//! Lines say what happened (bind, accept, bytes in and out, close, errors), never the payload
//! and never credentials. Timestamps are UTC, `[YYYY-MM-DD HH:MM:SS.mmm]`, so two machines'
//! logs line up.
//!
//! A file is written by a thread of its own: a server logs from the one I/O thread that serves
//! every connection, and a slow disk must not stall them. [`Log::sync`] waits until every line
//! written so far is on disk; reading the log back, stopping a server and dropping the log do,
//! so nothing logged before them is missing from the file.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::SystemTime;

use super::clock::timestamp;
use super::error::{Error, ErrorKind, Phase, Result, io_detail};

/// Where entries go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// Keep the last `max_entries` lines in memory (0 = memory logging off).
    pub max_entries: usize,
    /// Append every line to this file.
    pub file: Option<PathBuf>,
}

/// A log shared by a connection or server and the tasks that serve it.
#[derive(Debug)]
pub struct Log {
    memory: Arc<Memory>,
    file: Option<FileSink>,
}

/// The in-memory ring, the event count, and the first failure of the file (said once).
#[derive(Debug)]
struct Memory {
    max_entries: usize,
    state: Mutex<MemoryState>,
}

#[derive(Debug, Default)]
struct MemoryState {
    entries: VecDeque<String>,
    total: u64,
    file_error: Option<String>,
}

#[derive(Debug)]
struct FileSink {
    path: PathBuf,
    lines: Option<Sender<ToFile>>,
    writer: Option<JoinHandle<()>>,
}

enum ToFile {
    Line(String),
    /// Answered once every line sent before it is written and flushed.
    Sync(Sender<()>),
}

impl Memory {
    fn lock(&self) -> MutexGuard<'_, MemoryState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, s: &mut MemoryState, line: String) {
        if self.max_entries == 0 {
            return;
        }
        if s.entries.len() == self.max_entries {
            s.entries.pop_front();
        }
        s.entries.push_back(line);
    }
}

impl Log {
    /// Opens the file (created, appended to) if there is one.
    pub fn open(config: &LogConfig) -> Result<Log> {
        let memory = Arc::new(Memory {
            max_entries: config.max_entries,
            state: Mutex::new(MemoryState::default()),
        });
        let file = match &config.file {
            None => None,
            Some(path) => {
                let f = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| {
                        Error::new(
                            ErrorKind::Settings,
                            Phase::Settings,
                            "log",
                            format!(
                                "cannot open the log file {}: {}",
                                path.display(),
                                io_detail(&e)
                            ),
                        )
                    })?;
                let (lines, rx) = mpsc::channel();
                let sink = Arc::clone(&memory);
                let writer = std::thread::Builder::new()
                    .name("opi-tcp-log".into())
                    .spawn(move || write_lines(f, rx, &sink))
                    .map_err(|e| {
                        Error::new(
                            ErrorKind::Settings,
                            Phase::Settings,
                            "log",
                            format!("cannot start the log writer: {}", io_detail(&e)),
                        )
                    })?;
                Some(FileSink {
                    path: path.clone(),
                    lines: Some(lines),
                    writer: Some(writer),
                })
            }
        };
        Ok(Log { memory, file })
    }

    /// Records one event.
    pub fn write(&self, event: impl AsRef<str>) {
        self.write_args(format_args!("{}", event.as_ref()));
    }

    /// Records one event, formatted straight into its line.
    pub fn write_args(&self, event: std::fmt::Arguments<'_>) {
        let line = format!("[{}] {event}", timestamp(SystemTime::now()));
        if let Some(tx) = self.file.as_ref().and_then(|f| f.lines.as_ref()) {
            let _ = tx.send(ToFile::Line(line.clone()));
        }
        let mut s = self.memory.lock();
        s.total += 1;
        self.memory.push(&mut s, line);
    }

    /// Waits until every line written so far has reached the file.
    pub fn sync(&self) {
        let Some(tx) = self.file.as_ref().and_then(|f| f.lines.as_ref()) else {
            return;
        };
        let (done, wait) = mpsc::channel();
        if tx.send(ToFile::Sync(done)).is_ok() {
            let _ = wait.recv();
        }
    }

    /// The last `count` entries (from memory, or from the file when memory logging is off), how
    /// many entries there are to take them from, and the number of events logged in all.
    pub fn tail(&self, count: usize) -> (Vec<String>, usize, u64) {
        self.sync();
        let s = self.memory.lock();
        let lines: Vec<String> = match &self.file {
            Some(f) if self.memory.max_entries == 0 => std::fs::read_to_string(&f.path)
                .map(|t| t.lines().map(str::to_string).collect())
                .unwrap_or_default(),
            _ => s.entries.iter().cloned().collect(),
        };
        let held = lines.len();
        let skip = held.saturating_sub(count);
        (lines.into_iter().skip(skip).collect(), held, s.total)
    }
}

impl Drop for Log {
    fn drop(&mut self) {
        if let Some(f) = &mut self.file {
            // Closing the channel ends the writer once it has written everything.
            f.lines.take();
            if let Some(w) = f.writer.take() {
                let _ = w.join();
            }
        }
    }
}

/// The writer thread: appends and flushes each line; a failing file is said once, in memory,
/// instead of silently losing every entry.
fn write_lines(mut file: File, rx: Receiver<ToFile>, memory: &Memory) {
    for msg in rx {
        match msg {
            ToFile::Line(line) => {
                if let Err(e) = writeln!(file, "{line}").and_then(|_| file.flush()) {
                    let mut s = memory.lock();
                    if s.file_error.is_none() {
                        s.file_error = Some(e.to_string());
                        let note = format!(
                            "[{}] Log file write failed: {e}",
                            timestamp(SystemTime::now())
                        );
                        memory.push(&mut s, note);
                    }
                }
            }
            ToFile::Sync(done) => {
                let _ = done.send(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_ring_keeps_the_last_entries() {
        let log = Log::open(&LogConfig {
            max_entries: 2,
            file: None,
        })
        .unwrap();
        for i in 0..5 {
            log.write(format!("event {i}"));
        }
        let (lines, held, total) = log.tail(10);
        assert_eq!((held, total), (2, 5));
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with("] event 4"));
        assert_eq!(log.tail(1).0.len(), 1);
    }

    #[test]
    fn file_lines_are_on_disk_after_sync_and_after_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let log = Log::open(&LogConfig {
            max_entries: 0,
            file: Some(path.clone()),
        })
        .unwrap();
        for i in 0..1000 {
            log.write(format!("event {i}"));
        }
        log.sync();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap().lines().count(),
            1000
        );
        log.write("last");
        drop(log);
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .ends_with("] last\n")
        );
    }
}
