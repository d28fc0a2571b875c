//! Event logs of connections and servers (OPI's `GetLoggingSettings` / `GetLog`): timestamped
//! lines kept in a bounded ring in memory, appended and flushed to a file, or both.
//!
//! Lines say what happened (bind, accept, bytes in and out, close, errors), never the payload
//! and never credentials. Timestamps are UTC, `[YYYY-MM-DD HH:MM:SS.mmm]`, so two machines'
//! logs line up.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use super::error::{Error, ErrorKind, Phase, Result};

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
    max_entries: usize,
    state: Mutex<LogState>,
}

#[derive(Debug)]
struct LogState {
    entries: VecDeque<String>,
    total: u64,
    file: Option<(PathBuf, File)>,
    file_error: Option<String>,
}

impl Log {
    /// Opens the file (created, appended to) if there is one.
    pub fn open(config: &LogConfig) -> Result<Log> {
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
                                super::error::io_detail(&e)
                            ),
                        )
                    })?;
                Some((path.clone(), f))
            }
        };
        Ok(Log {
            max_entries: config.max_entries,
            state: Mutex::new(LogState {
                entries: VecDeque::new(),
                total: 0,
                file,
                file_error: None,
            }),
        })
    }

    /// Records one event.
    pub fn write(&self, event: impl AsRef<str>) {
        let line = format!("[{}] {}", timestamp(SystemTime::now()), event.as_ref());
        let Ok(mut s) = self.state.lock() else { return };
        s.total += 1;
        let failed = match s.file.as_mut() {
            Some((_, f)) => writeln!(f, "{line}").and_then(|_| f.flush()).err(),
            None => None,
        };
        // A failing file is said once, in memory, instead of silently losing every entry.
        if let Some(e) = failed
            && s.file_error.is_none()
        {
            s.file_error = Some(e.to_string());
            if self.max_entries > 0 {
                s.entries.push_back(format!(
                    "[{}] Log file write failed: {e}",
                    timestamp(SystemTime::now())
                ));
            }
        }
        if self.max_entries > 0 {
            if s.entries.len() == self.max_entries {
                s.entries.pop_front();
            }
            s.entries.push_back(line);
        }
    }

    /// The last `count` entries (from memory, or from the file when memory logging is off), and
    /// the number of events logged in all.
    pub fn tail(&self, count: usize) -> (Vec<String>, u64) {
        let Ok(s) = self.state.lock() else {
            return (Vec::new(), 0);
        };
        let lines: Vec<String> = if self.max_entries > 0 {
            s.entries.iter().cloned().collect()
        } else if let Some((path, _)) = &s.file {
            std::fs::read_to_string(path)
                .map(|t| t.lines().map(str::to_string).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let skip = lines.len().saturating_sub(count);
        (lines.into_iter().skip(skip).collect(), s.total)
    }
}

/// `2026-05-02 11:05:53.665` (UTC).
pub fn timestamp(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, day) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{day:02} {:02}:{:02}:{:02}.{:03}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian; Howard Hinnant's algorithm.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        let t = UNIX_EPOCH + Duration::from_millis(1_777_719_953_665);
        assert_eq!(timestamp(t), "2026-05-02 11:05:53.665");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01 00:00:00.000");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(&timestamp(leap)[..10], "2000-02-29");
    }

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
        let (lines, total) = log.tail(10);
        assert_eq!(total, 5);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with("] event 4"));
        assert_eq!(log.tail(1).0.len(), 1);
    }
}
