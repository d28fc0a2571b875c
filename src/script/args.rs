//! Argument readers: each turns one script argument into the Rust value a call needs, or throws
//! a Rhai error at the call position that names the function and says what was expected. A
//! wrong argument is a programming error, so it throws; a failing network is data (an error map).
//!
//! Optional parameters accept `()` as "use the default", so BSL calls with skipped arguments
//! (`ReadLine(conn, , Chars.LF)`) port as `ReadLine(conn, (), "\n")`.

use std::time::Duration;

use rhai::{Dynamic, EvalAltResult, ImmutableString, NativeCallContext, Position};

use super::convert;
use super::encoding::Codec;

/// What a native function returns to Rhai. Named as Rhai names it, so that `opi-tcp defs` and
/// `functions` show the inner type (`-> bool`), which Rhai's metadata does for this name only.
pub(crate) type RhaiResultOf<T> = Result<T, Box<EvalAltResult>>;

/// A thrown runtime error at the call site, prefixed with the function's name.
pub(crate) fn throw(ctx: &NativeCallContext, msg: impl AsRef<str>) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(
        format!("{}: {}", ctx.fn_name(), msg.as_ref()).into(),
        ctx.call_position(),
    )
    .into()
}

/// A value's type as scripts name it (`TcpClient`, `string`), not by its Rust path.
pub(crate) fn type_name<'a>(ctx: &'a NativeCallContext, v: &'a Dynamic) -> &'a str {
    match v.type_name() {
        "i64" | "i32" => "int",
        "f64" | "f32" => "float",
        name => ctx.engine().map_type_name(name),
    }
}

/// A value as an error message shows it: a short string or number as written, anything else by
/// its script type name (never a Rust debug form).
pub(crate) fn shown(ctx: &NativeCallContext, v: &Dynamic) -> String {
    if let Some(s) = v.read_lock::<ImmutableString>() {
        let mut s: String = s.chars().take(40).collect();
        s = format!("{s:?}");
        return format!("the string {s}");
    }
    if v.is_int() || v.is_float() || v.is_bool() {
        return v.to_string();
    }
    type_name(ctx, v).to_string()
}

/// The token of a blocking call stopped by the interrupt: the function and the call's position,
/// so that a test past its deadline can say where it hung. The position is kept here because
/// Rhai moves a termination's own position to the outermost call as it unwinds.
#[derive(Clone)]
pub(crate) struct StoppedIn {
    pub(crate) function: ImmutableString,
    pub(crate) position: Position,
}

/// Ctrl-C (or a test's deadline) during a blocking call: stop the script (not catchable by
/// `try`) at the call.
pub(crate) fn interrupted(ctx: &NativeCallContext) -> Box<EvalAltResult> {
    let token = Dynamic::from(StoppedIn {
        function: ctx.fn_name().into(),
        position: ctx.call_position(),
    });
    EvalAltResult::ErrorTerminated(token, ctx.call_position()).into()
}

/// A timeout in milliseconds; `()` takes `default_ms`; `0` means no limit.
pub(crate) fn timeout(
    ctx: &NativeCallContext,
    v: &Dynamic,
    default_ms: u64,
) -> RhaiResultOf<Option<Duration>> {
    let ms = if v.is_unit() {
        default_ms as i64
    } else if let Some(n) = convert::number(v) {
        n
    } else {
        return Err(throw(
            ctx,
            format!(
                "the timeout must be a number of milliseconds, not {}",
                shown(ctx, v)
            ),
        ));
    };
    match ms {
        0 => Ok(None),
        n if n > 0 => Ok(Some(Duration::from_millis(n as u64))),
        n => Err(throw(
            ctx,
            format!("the timeout must be 0 (no limit) or positive, not {n}"),
        )),
    }
}

/// A byte count; `()` and `0` mean no limit.
pub(crate) fn max_size(ctx: &NativeCallContext, v: &Dynamic) -> RhaiResultOf<Option<usize>> {
    if v.is_unit() {
        return Ok(None);
    }
    match convert::number(v) {
        Some(0) => Ok(None),
        Some(n) if n > 0 => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
        Some(n) => Err(throw(
            ctx,
            format!("max_size must be 0 (no limit) or positive, not {n}"),
        )),
        None => Err(throw(
            ctx,
            format!("max_size must be a number, not {}", shown(ctx, v)),
        )),
    }
}

/// An encoding label; `()` is UTF-8.
pub(crate) fn encoding(ctx: &NativeCallContext, v: &Dynamic) -> RhaiResultOf<Codec> {
    if v.is_unit() {
        return Ok(Codec::UTF8);
    }
    match v.read_lock::<ImmutableString>() {
        Some(label) => Codec::for_label(&label).map_err(|e| throw(ctx, e)),
        None => Err(throw(
            ctx,
            format!(
                "the encoding must be a string such as \"UTF-8\", not {}",
                type_name(ctx, v)
            ),
        )),
    }
}

/// A read marker: a string (in `codec`), a blob, or `()` / `""` for none.
pub(crate) fn marker(
    ctx: &NativeCallContext,
    v: &Dynamic,
    codec: Codec,
) -> RhaiResultOf<Option<Vec<u8>>> {
    let bytes = if v.is_unit() {
        return Ok(None);
    } else if let Some(s) = v.read_lock::<ImmutableString>() {
        codec.encode(&s)
    } else if v.is_blob() {
        v.clone().into_blob().unwrap_or_default()
    } else {
        return Err(throw(
            ctx,
            format!(
                "the marker must be a string or a blob, not {}",
                type_name(ctx, v)
            ),
        ));
    };
    Ok((!bytes.is_empty()).then_some(bytes))
}

/// Data to send: a blob as is (taken over, not copied), or a string as UTF-8.
pub(crate) fn data(ctx: &NativeCallContext, v: Dynamic) -> RhaiResultOf<Vec<u8>> {
    if let Some(s) = v.read_lock::<ImmutableString>() {
        Ok(s.as_bytes().to_vec())
    } else if v.is_blob() {
        Ok(v.into_blob().unwrap_or_default())
    } else if v.is_unit() {
        Ok(Vec::new())
    } else {
        Err(throw(
            ctx,
            format!(
                "the data must be a blob or a string, not {}",
                type_name(ctx, &v)
            ),
        ))
    }
}

/// Data as OPI's `GetBinaryData` reads it, for SendBinaryData, SendData and ProcessRequest: a
/// blob; a string that names an existing file (its bytes); a map or array (its JSON text); any
/// other string (its UTF-8 bytes). OPI's URL download and Base64 guessing are left out.
pub(crate) fn opi_data(ctx: &NativeCallContext, v: Dynamic) -> RhaiResultOf<Vec<u8>> {
    if v.is_map() || v.is_array() {
        let mut text = String::new();
        convert::json(&v, &mut text);
        return Ok(text.into_bytes());
    }
    if let Some(path) = v.read_lock::<ImmutableString>().map(|s| s.clone()) {
        let p = std::path::Path::new(path.as_str());
        // A short string only: a long text is data, and the check costs a syscall.
        if !path.is_empty() && path.len() < 4096 && !path.contains('\n') && p.is_file() {
            let cap = read_cap(ctx) as u64;
            let size = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            if size > cap {
                return Err(throw(
                    ctx,
                    format!(
                        "the file {path} ({size} bytes) is larger than a blob can hold ({cap} bytes)"
                    ),
                ));
            }
            return std::fs::read(p)
                .map_err(|e| throw(ctx, format!("reading the file {path}: {e}")));
        }
    }
    // A number or a boolean: its text, as OPI's GetBinaryData hands it to GetLine.
    if v.is_int() || v.is_float() || v.is_bool() {
        return Ok(convert::data_text(&v).unwrap_or_default().into_bytes());
    }
    data(ctx, v)
}

/// A boolean flag; `()` takes the default.
pub(crate) fn flag(
    ctx: &NativeCallContext,
    v: &Dynamic,
    what: &str,
    default: bool,
) -> RhaiResultOf<bool> {
    if v.is_unit() {
        return Ok(default);
    }
    convert::boolean(v).ok_or_else(|| {
        throw(
            ctx,
            format!("{what} must be true or false, not {}", shown(ctx, v)),
        )
    })
}

/// An integer argument; `()` takes the default.
pub(crate) fn int(
    ctx: &NativeCallContext,
    v: &Dynamic,
    what: &str,
    default: i64,
) -> RhaiResultOf<i64> {
    if v.is_unit() {
        return Ok(default);
    }
    convert::number(v).ok_or_else(|| {
        throw(
            ctx,
            format!("{what} must be a number, not {}", shown(ctx, v)),
        )
    })
}

/// An optional string argument: `()` is `None`; numbers become their text (OPI's GetLine).
pub(crate) fn opt_string(
    ctx: &NativeCallContext,
    v: &Dynamic,
    what: &str,
) -> RhaiResultOf<Option<String>> {
    if v.is_unit() {
        return Ok(None);
    }
    match convert::text(v) {
        Some(s) if !v.is_map() && !v.is_array() => Ok(Some(s)),
        _ => Err(throw(
            ctx,
            format!("{what} must be a string, not {}", type_name(ctx, v)),
        )),
    }
}

/// The largest read result the engine can hold as a blob and as a string.
pub(crate) fn read_cap(ctx: &NativeCallContext) -> usize {
    let e = ctx.engine();
    [e.max_array_size(), e.max_string_size()]
        .into_iter()
        .filter(|&n| n > 0)
        .min()
        .unwrap_or(usize::MAX)
}

/// The largest string the engine can hold, in bytes.
pub(crate) fn string_cap(ctx: &NativeCallContext) -> usize {
    match ctx.engine().max_string_size() {
        0 => usize::MAX,
        n => n,
    }
}
