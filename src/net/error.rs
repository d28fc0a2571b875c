//! The one error type of the network layer: what failed (`ErrorKind`), in which phase, against
//! which target. `script` turns it into OPI's error map in exactly one place.
//!
//! Messages are lowercase, name the phase and the target, and never carry credentials: the
//! `target` is always a `host:port` (a proxy is named by its address only).

use std::fmt;
use std::io;
use std::time::Duration;

/// The classes a script can branch on; the names are the `kind` field of the error map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Address,
    Dns,
    Refused,
    Timeout,
    Tls,
    Proxy,
    ProxyAuth,
    Settings,
    Io,
    Closed,
}

impl ErrorKind {
    /// The `kind` field of the error map.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Address => "address",
            ErrorKind::Dns => "dns",
            ErrorKind::Refused => "refused",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Tls => "tls",
            ErrorKind::Proxy => "proxy",
            ErrorKind::ProxyAuth => "proxy_auth",
            ErrorKind::Settings => "settings",
            ErrorKind::Io => "io",
            ErrorKind::Closed => "closed",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in a connection's life the error happened; it prefixes the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Address,
    Settings,
    Resolve,
    Connect,
    Bind,
    Proxy,
    Tls,
    Send,
    Read,
    Shutdown,
}

impl Phase {
    fn prefix(self) -> &'static str {
        match self {
            Phase::Address => "address",
            Phase::Settings => "settings for",
            Phase::Resolve => "resolve",
            Phase::Connect => "connect to",
            Phase::Bind => "listen on",
            Phase::Proxy => "proxy for",
            Phase::Tls => "tls handshake with",
            Phase::Send => "send to",
            Phase::Read => "read from",
            Phase::Shutdown => "shutdown of",
        }
    }
}

/// What a failed call found gone, for callers that answer those cases in fixed words (OPI's
/// add-in has a phrase for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// The connection was closed, or no connection has that id.
    Connection,
    /// Sending was finished (CompleteSend, FinishSending).
    WriteHalf,
    /// The server was stopped.
    Server,
}

/// A failed network operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {target}: {detail}", phase.prefix())]
pub struct Error {
    kind: ErrorKind,
    phase: Phase,
    /// `host:port` (or the address text as given, when it could not be parsed).
    target: String,
    detail: String,
    gone: Option<Gone>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(
        kind: ErrorKind,
        phase: Phase,
        target: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Error {
            kind,
            phase,
            target: target.into(),
            detail: detail.into(),
            gone: None,
        }
    }

    /// A `closed` error that says what is gone.
    pub fn gone(
        gone: Gone,
        phase: Phase,
        target: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Error {
            gone: Some(gone),
            ..Error::new(ErrorKind::Closed, phase, target, detail)
        }
    }

    pub fn timeout(phase: Phase, target: impl Into<String>, after: Duration) -> Self {
        Error::new(
            ErrorKind::Timeout,
            phase,
            target,
            format!("timed out after {}", human_duration(after)),
        )
    }

    /// Classifies an I/O error: refused and timed-out connects get their own kinds so that
    /// scripts can tell "nobody listens" from "the network is slow".
    pub fn io(phase: Phase, target: impl Into<String>, err: &io::Error) -> Self {
        Error::io_described(phase, target, err, io_detail(err))
    }

    /// Like [`Error::io`], with the detail worded by the caller (say, naming the address tried).
    pub fn io_described(
        phase: Phase,
        target: impl Into<String>,
        err: &io::Error,
        detail: impl Into<String>,
    ) -> Self {
        let kind = match err.kind() {
            io::ErrorKind::ConnectionRefused => ErrorKind::Refused,
            io::ErrorKind::TimedOut => ErrorKind::Timeout,
            _ => ErrorKind::Io,
        };
        Error::new(kind, phase, target, detail)
    }

    /// The class a script branches on.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Where in the connection's life it happened.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The target as `host:port` (or the address text as given).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The message without the phase and target prefix.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// What was gone, when that is why it failed.
    pub fn what_is_gone(&self) -> Option<Gone> {
        self.gone
    }
}

/// `Connection refused (os error 111)` → `connection refused (os error 111)`: our messages are
/// lowercase from end to end.
pub(crate) fn io_detail(err: &io::Error) -> String {
    lowercase_first(&err.to_string())
}

pub(crate) fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_uppercase() && !chars.clone().next().is_some_and(char::is_uppercase) => {
            c.to_lowercase().chain(chars).collect()
        }
        _ => s.to_string(),
    }
}

/// `30s`, `1.5s`, `250ms`: how long a deadline was, in the unit a user would write.
pub(crate) fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_phase_and_target() {
        let e = Error::timeout(Phase::Connect, "example.org:443", Duration::from_secs(30));
        assert_eq!(
            e.to_string(),
            "connect to example.org:443: timed out after 30s"
        );
        let io = io::Error::from(io::ErrorKind::ConnectionRefused);
        let e = Error::io(Phase::Connect, "127.0.0.1:1", &io);
        assert_eq!(e.kind(), ErrorKind::Refused);
        assert!(
            e.to_string()
                .starts_with("connect to 127.0.0.1:1: connection refused")
        );
    }

    #[test]
    fn durations_read_like_a_user_wrote_them() {
        assert_eq!(human_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(human_duration(Duration::from_secs(5)), "5s");
    }

    #[test]
    fn acronyms_keep_their_case() {
        assert_eq!(lowercase_first("TLS failed"), "TLS failed");
        assert_eq!(lowercase_first("Broken pipe"), "broken pipe");
    }
}
