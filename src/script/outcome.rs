//! The maps a call returns: OPI's success map, and the failure map that is the only place a
//! `net::Error` becomes script data (`#{result: false, error: "…", kind: "…"}`).

use rhai::Map;

use crate::net::{self, Gone};

/// OPI's failure map, plus our `kind`: `#{result: false, error: "…", kind: "…"}`. Where OPI's
/// add-in answers with a fixed phrase that a ported script may compare, the text starts with it.
pub(crate) fn error_map(e: &net::Error) -> Map {
    match opi_phrase(e) {
        Some(p) => failure(&format!("{p} ({e})"), e.kind().as_str()),
        None => failure(&e.to_string(), e.kind().as_str()),
    }
}

/// The fixed phrase OPI's add-in answers this failure with, if it has one.
fn opi_phrase(e: &net::Error) -> Option<&'static str> {
    Some(match e.what_is_gone()? {
        Gone::Connection => "No connection found!",
        Gone::WriteHalf => WRITE_HALF_CLOSED,
        Gone::Server => "Server not started",
    })
}

const WRITE_HALF_CLOSED: &str = "Write half is closed";

/// [`error_map`] for a server's `SendData`: OPI's add-in answers a send after CompleteSend with
/// exactly "Write half is closed", and OPI's own test (Check_TCP_CompleteSend) compares the whole
/// text; so there `error` is the phrase alone and our fuller text goes to `detail`.
pub(crate) fn send_data_map(r: net::Result<()>) -> Map {
    match r {
        Err(e) if opi_phrase(&e) == Some(WRITE_HALF_CLOSED) => {
            let mut m = failure(WRITE_HALF_CLOSED, e.kind().as_str());
            m.insert("detail".into(), e.to_string().into());
            m
        }
        r => result_map(r),
    }
}

/// `#{result: true}`, which success maps extend.
pub(crate) fn ok() -> Map {
    let mut m = Map::new();
    m.insert("result".into(), true.into());
    m
}

/// [`ok`] or the error map.
pub(crate) fn result_map(r: net::Result<()>) -> Map {
    match r {
        Ok(()) => ok(),
        Err(e) => error_map(&e),
    }
}

/// A server read that waited in vain: OPI's `#{result: false, error: "timeout"}`, with our kind.
pub(crate) fn timeout_map() -> Map {
    failure("timeout", "timeout")
}

fn failure(error: &str, kind: &str) -> Map {
    let mut m = Map::new();
    m.insert("result".into(), false.into());
    m.insert("error".into(), error.into());
    m.insert("kind".into(), kind.into());
    m
}
