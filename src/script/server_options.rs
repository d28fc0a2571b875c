//! `StartServer`'s options map (an addition to OPI): the server's limits, each optional, `()`
//! for the map or a field taking net's default. Unknown fields, wrong types and values below 1
//! throw, so that a misspelt limit is not silently the default.

use std::time::Duration;

use rhai::{Dynamic, Map, NativeCallContext};

use super::args::{self, RhaiResultOf, throw};
use crate::net::{DEFAULT_RATE_WINDOW, MinRate, ServerLimits};

/// The fields, in the order the error for an unknown one lists them.
const KNOWN: &str = "max_buffered, max_unsent, send_timeout_ms, evict_when_full, idle_timeout_ms, \
                     max_lifetime_ms, min_rate, min_rate_window_ms";

pub(crate) fn server_limits(ctx: &NativeCallContext, v: &Dynamic) -> RhaiResultOf<ServerLimits> {
    let mut limits = ServerLimits::default();
    if v.is_unit() {
        return Ok(limits);
    }
    let Some(map) = v.read_lock::<Map>() else {
        return Err(throw(
            ctx,
            format!(
                "the options must be a map such as #{{max_buffered: 1048576, idle_timeout_ms: 30000}}, not {}",
                args::type_name(ctx, v)
            ),
        ));
    };
    let mut rate = None;
    let mut window = DEFAULT_RATE_WINDOW;
    let ms = |n: u64| Duration::from_millis(n);
    for (key, value) in map.iter() {
        let key = key.as_str();
        match key {
            "max_buffered" => {
                if let Some(n) = positive(ctx, value, key)? {
                    limits.max_buffered = usize::try_from(n).unwrap_or(usize::MAX);
                }
            }
            "max_unsent" => {
                if let Some(n) = positive(ctx, value, key)? {
                    limits.max_unsent = usize::try_from(n).unwrap_or(usize::MAX);
                }
            }
            "send_timeout_ms" => {
                if let Some(n) = positive(ctx, value, key)? {
                    limits.send_timeout = ms(n);
                }
            }
            "evict_when_full" => {
                limits.evict_when_full = args::flag(ctx, value, key, limits.evict_when_full)?;
            }
            "idle_timeout_ms" => limits.idle_timeout = positive(ctx, value, key)?.map(ms),
            "max_lifetime_ms" => limits.max_lifetime = positive(ctx, value, key)?.map(ms),
            "min_rate" => rate = positive(ctx, value, key)?,
            "min_rate_window_ms" => {
                if let Some(n) = positive(ctx, value, key)? {
                    window = ms(n);
                }
            }
            other => {
                return Err(throw(
                    ctx,
                    format!("unknown option '{other}' (known: {KNOWN})"),
                ));
            }
        }
    }
    limits.min_rate = rate.map(|bytes_per_sec| MinRate {
        bytes_per_sec,
        window,
    });
    Ok(limits)
}

/// A positive integer; `()` is `None`.
fn positive(ctx: &NativeCallContext, v: &Dynamic, what: &str) -> RhaiResultOf<Option<u64>> {
    if v.is_unit() {
        return Ok(None);
    }
    match args::int(ctx, v, what, 0)? {
        n if n > 0 => Ok(Some(n.unsigned_abs())),
        n => Err(throw(ctx, format!("{what} must be positive, not {n}"))),
    }
}
