//! OPI's logging settings map and `GetLog`, for clients and servers alike.

use std::path::PathBuf;
use std::sync::Arc;

use rhai::{Array, Dynamic, ImmutableString, Map, NativeCallContext};

use super::client::TcpClient;
use super::convert::{self, RhaiResult, throw};
use super::server::TcpServer;
use crate::net::{self, ErrorKind, Log, LogConfig, Phase};

/// OPI's default number of entries kept in memory.
const DEFAULT_MAX_ENTRIES: i64 = 300;
/// `GetLog`'s default number of entries returned.
const DEFAULT_COUNT: i64 = 100;

/// `GetLoggingSettings([memory [, max_entries [, file_path]]])`.
pub fn settings_map(
    ctx: &NativeCallContext,
    memory: &Dynamic,
    max_entries: &Dynamic,
    file_path: &Dynamic,
) -> RhaiResult<Map> {
    let memory = convert::flag(ctx, memory, "memory", true)?;
    let max = convert::int(ctx, max_entries, "max_entries", DEFAULT_MAX_ENTRIES)?;
    if max < 1 {
        return Err(throw(
            ctx,
            format!("max_entries must be positive, not {max}"),
        ));
    }
    let path = convert::opt_string(ctx, file_path, "file_path")?.unwrap_or_default();
    if !memory && path.is_empty() {
        return Err(throw(
            ctx,
            "logging to neither memory nor a file: give a file_path or memory = true",
        ));
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
pub fn open(v: &Dynamic) -> net::Result<Option<Arc<Log>>> {
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
    let mut mode = String::from("memory");
    let mut max = DEFAULT_MAX_ENTRIES;
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

/// `GetLog(object [, as_string [, count]])`.
pub fn get_log(
    ctx: &NativeCallContext,
    object: &Dynamic,
    as_string: &Dynamic,
    count: &Dynamic,
) -> RhaiResult<Dynamic> {
    let as_string = convert::flag(ctx, as_string, "as_string", false)?;
    let count = convert::int(ctx, count, "count", DEFAULT_COUNT)?;
    let log = if let Some(c) = object.read_lock::<TcpClient>() {
        c.log()
    } else if let Some(s) = object.read_lock::<TcpServer>() {
        s.log()
    } else {
        return Err(throw(
            ctx,
            format!(
                "the object must be a TcpClient or a TcpServer, not {}",
                object.type_name()
            ),
        ));
    };
    let Some(log) = log else {
        let e = net::Error::new(
            ErrorKind::Settings,
            Phase::Settings,
            "log",
            "this object was created without logging settings (see GetLoggingSettings)",
        );
        return Ok(convert::error_map(&e).into());
    };
    let (lines, total) = log.tail(usize::try_from(count.max(0)).unwrap_or(0));
    if as_string {
        return Ok(lines.join("\n").into());
    }
    let mut m = Map::new();
    m.insert("result".into(), true.into());
    m.insert("returned".into(), (lines.len() as i64).into());
    m.insert("total".into(), (total as i64).into());
    let logs: Array = lines.into_iter().map(Dynamic::from).collect();
    m.insert("logs".into(), logs.into());
    Ok(m.into())
}
