//! The maps a call returns: OPI's success map, and the failure map that is the only place a
//! `net::Error` becomes script data (`#{result: false, error: "…", kind: "…"}`).

use rhai::Map;

use crate::net;

/// OPI's failure map, plus our `kind`: `#{result: false, error: "…", kind: "…"}`. Where OPI's
/// add-in answers with a fixed phrase that a ported script may compare, the text starts with it.
pub(crate) fn error_map(e: &net::Error) -> Map {
    let phrase = if e.detail().starts_with("no connection with id")
        || e.detail() == "the connection is closed"
    {
        Some("No connection found!")
    } else if e.detail().contains("write half") {
        Some("Write half is closed")
    } else if e.detail() == "the server is stopped" {
        Some("Server not started")
    } else {
        None
    };
    match phrase {
        Some(p) => failure(&format!("{p} ({e})"), e.kind().as_str()),
        None => failure(&e.to_string(), e.kind().as_str()),
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
