//! Event logs as scripts see them: OPI's logging settings map (`GetLoggingSettings`), the log it
//! opens for a client or a server, and `GetLog` over that log. Nothing here knows which handle a
//! log belongs to: each handle type registers its own `GetLog` and passes its log in.

use std::path::PathBuf;
use std::sync::Arc;

use rhai::{Array, Dynamic, ImmutableString, Map, NativeCallContext};

use super::args::{self, RhaiResultOf, throw};
use super::defaults::{LOG_COUNT, LOG_MAX_ENTRIES};
use super::outcome::error_map;
use crate::net::{self, ErrorKind, Log, LogConfig, Phase};

/// `GetLoggingSettings([memory [, max_entries [, file_path]]])`.
pub(crate) fn settings_map(
    ctx: &NativeCallContext,
    memory: &Dynamic,
    max_entries: &Dynamic,
    file_path: &Dynamic,
) -> RhaiResultOf<Map> {
    let memory = args::flag(ctx, memory, "memory", true)?;
    let max = args::int(ctx, max_entries, "max_entries", LOG_MAX_ENTRIES)?;
    if max < 1 {
        return Err(throw(
            ctx,
            format!("max_entries must be positive, not {max}"),
        ));
    }
    let path = args::opt_string(ctx, file_path, "file_path")?.unwrap_or_default();
    if !memory && path.is_empty() {
        // OPI's empty structure: passed on, it means "no logging".
        return Ok(Map::new());
    }
    let mode = match (memory, path.is_empty()) {
        (true, true) => "memory",
        (true, false) => "both",
        _ => "file",
    };
    let mut m = Map::new();
    m.insert("mode".into(), mode.into());
    if memory {
        m.insert("max_entries".into(), max.into());
    }
    if !path.is_empty() {
        m.insert("file_path".into(), path.into());
    }
    Ok(m)
}

fn settings_error(detail: impl Into<String>) -> net::Error {
    net::Error::new(ErrorKind::Settings, Phase::Settings, "log", detail)
}

/// A logging setting (the map above, or `()` / `""` / `false` for none) → an open log.
pub(crate) fn open(v: &Dynamic) -> net::Result<Option<Arc<Log>>> {
    if let Some(parsed) = super::settings::from_json_text(v, "logging setting") {
        return open(&parsed.map_err(settings_error)?);
    }
    if v.is_unit()
        || v.as_bool() == Ok(false)
        || v.read_lock::<ImmutableString>()
            .is_some_and(|s| s.is_empty())
    {
        return Ok(None);
    }
    let Some(map) = v.read_lock::<Map>() else {
        return Err(settings_error(format!(
            "the logging setting must be a map from GetLoggingSettings, not {}",
            v.type_name()
        )));
    };
    if map.is_empty() {
        return Ok(None);
    }
    let mut mode = String::from("memory");
    let mut max = LOG_MAX_ENTRIES;
    let mut file = None;
    for (key, value) in map.iter() {
        match key.as_str() {
            "mode" => mode = value.to_string().to_ascii_lowercase(),
            "max_entries" => {
                max = value
                    .as_int()
                    .map_err(|_| settings_error("logging field 'max_entries' must be an integer"))?
            }
            "file_path" => {
                let p = value.to_string();
                if !p.is_empty() {
                    file = Some(PathBuf::from(p));
                }
            }
            other => {
                return Err(settings_error(format!(
                    "unknown logging field '{other}' (known: mode, max_entries, file_path)"
                )));
            }
        }
    }
    let memory = match mode.as_str() {
        "memory" | "both" => true,
        "file" => false,
        m => {
            return Err(settings_error(format!(
                "logging mode '{m}' is not memory, file or both"
            )));
        }
    };
    if mode != "memory" && file.is_none() {
        return Err(settings_error(format!(
            "logging mode '{mode}' needs a file_path"
        )));
    }
    if mode == "memory" {
        file = None;
    }
    let config = LogConfig {
        max_entries: if memory {
            usize::try_from(max.max(1)).unwrap_or(1)
        } else {
            0
        },
        file,
    };
    Log::open(&config).map(|l| Some(Arc::new(l)))
}

/// `GetLog(object [, as_string [, count]])`, given the object's log.
pub(crate) fn get_log(
    ctx: &NativeCallContext,
    log: Option<Arc<Log>>,
    as_string: &Dynamic,
    count: &Dynamic,
) -> RhaiResultOf<Dynamic> {
    let as_string = args::flag(ctx, as_string, "as_string", false)?;
    let count = args::int(ctx, count, "count", LOG_COUNT)?;
    let Some(log) = log else {
        let e = net::Error::new(
            ErrorKind::Settings,
            Phase::Settings,
            "log",
            "this object was created without logging settings (see GetLoggingSettings)",
        );
        return Ok(error_map(&e).into());
    };
    // OPI: "0 > no limits".
    let count = match count {
        0 => usize::MAX,
        n if n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
        n => {
            return Err(throw(
                ctx,
                format!("count must be 0 (every entry) or positive, not {n}"),
            ));
        }
    };
    let (lines, held, logged) = log.tail(count);
    if as_string {
        return Ok(lines.join("\n").into());
    }
    let mut m = Map::new();
    m.insert("result".into(), true.into());
    m.insert("returned".into(), (lines.len() as i64).into());
    // OPI's `total` counts the entries held (at most max_entries), not every event.
    m.insert("total".into(), (held as i64).into());
    m.insert(
        "logged".into(),
        i64::try_from(logged).unwrap_or(i64::MAX).into(),
    );
    let logs: Array = lines.into_iter().map(Dynamic::from).collect();
    m.insert("logs".into(), logs.into());
    Ok(m.into())
}
