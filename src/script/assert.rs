//! Assertions for test scripts (`opi-tcp test`), registered in every engine so they also work
//! in the REPL: `assert`, `assert_eq`, `assert_ne`, `assert_match` (`*` / `?` wildcards),
//! `assert_contains`, `assert_type`, `fail`. A failure throws a runtime error at the call's
//! position whose message shows the expected and the actual value.

use rhai::{Dynamic, Engine, EvalAltResult, FuncRegistration, ImmutableString, NativeCallContext};

type R = Result<(), Box<EvalAltResult>>;

fn failure(ctx: &NativeCallContext, msg: String, extra: Option<&Dynamic>) -> Box<EvalAltResult> {
    let msg = match extra {
        Some(m) if !m.is_unit() => format!("{m}: {msg}"),
        _ => msg,
    };
    let mut value = Dynamic::from(msg);
    value.set_tag(ASSERTION_TAG);
    EvalAltResult::ErrorRuntime(value, ctx.call_position()).into()
}

/// The tag on the thrown value that marks a failed assertion (`fail` included), so that a test
/// report can tell it from any other error; a script that catches and rethrows it keeps it.
const ASSERTION_TAG: i32 = 0x0A55;

/// Whether `err` is a failed assertion, wherever it was thrown.
pub fn is_assertion(err: &EvalAltResult) -> bool {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _)
        | EvalAltResult::ErrorInModule(_, inner, _) => is_assertion(inner),
        EvalAltResult::ErrorRuntime(value, _) => value.tag() == ASSERTION_TAG,
        _ => false,
    }
}

/// Rhai's own `==` (arrays, maps, blobs and strings compare by value), or, for types without
/// one, their debug forms.
fn equal(ctx: &NativeCallContext, a: &Dynamic, b: &Dynamic) -> bool {
    match ctx.call_native_fn::<bool>("==", (a.clone(), b.clone())) {
        Ok(eq) => eq,
        Err(_) => format!("{a:?}") == format!("{b:?}"),
    }
}

/// The value in its script debug form (handles by their own words, not a Rust path).
fn show(ctx: &NativeCallContext, v: &Dynamic) -> String {
    let text = ctx
        .call_native_fn::<ImmutableString>("to_debug", (v.clone(),))
        .map_or_else(|_| format!("{v:?}"), |s| s.to_string());
    format!("{text} ({})", super::args::type_name(ctx, v))
}

fn check(ctx: &NativeCallContext, cond: &Dynamic, msg: Option<&Dynamic>) -> R {
    match cond.as_bool() {
        Ok(true) => Ok(()),
        Ok(false) => Err(failure(ctx, "assertion failed".into(), msg)),
        Err(t) => Err(failure(ctx, format!("assert needs a bool, got {t}"), msg)),
    }
}

fn check_eq(
    ctx: &NativeCallContext,
    actual: &Dynamic,
    expected: &Dynamic,
    msg: Option<&Dynamic>,
) -> R {
    if equal(ctx, actual, expected) {
        return Ok(());
    }
    Err(failure(
        ctx,
        format!(
            "assert_eq failed\n  expected: {}\n    actual: {}",
            show(ctx, expected),
            show(ctx, actual)
        ),
        msg,
    ))
}

fn check_ne(
    ctx: &NativeCallContext,
    actual: &Dynamic,
    other: &Dynamic,
    msg: Option<&Dynamic>,
) -> R {
    if !equal(ctx, actual, other) {
        return Ok(());
    }
    Err(failure(
        ctx,
        format!("assert_ne failed: both are {}", show(ctx, actual)),
        msg,
    ))
}

/// Glob match: `*` is any run of characters, `?` any one character.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn check_match(ctx: &NativeCallContext, text: &Dynamic, pattern: &str, msg: Option<&Dynamic>) -> R {
    let s = text.to_string();
    if text.is_string() && glob(pattern, &s) {
        return Ok(());
    }
    Err(failure(
        ctx,
        format!(
            "assert_match failed\n  pattern: {pattern:?}\n   actual: {}",
            show(ctx, text)
        ),
        msg,
    ))
}

fn check_contains(
    ctx: &NativeCallContext,
    hay: &Dynamic,
    needle: &Dynamic,
    msg: Option<&Dynamic>,
) -> R {
    let found = ctx
        .call_native_fn::<bool>("contains", (hay.clone(), needle.clone()))
        .unwrap_or(false);
    if found {
        return Ok(());
    }
    Err(failure(
        ctx,
        format!(
            "assert_contains failed\n  wanted: {}\n      in: {}",
            show(ctx, needle),
            show(ctx, hay)
        ),
        msg,
    ))
}

fn check_type(ctx: &NativeCallContext, v: &Dynamic, name: &str, msg: Option<&Dynamic>) -> R {
    let actual = super::args::type_name(ctx, v);
    if actual == name {
        return Ok(());
    }
    Err(failure(
        ctx,
        format!(
            "assert_type failed\n  expected type: {name}\n    actual: {} ({actual})",
            format_args!("{v:?}")
        ),
        msg,
    ))
}

pub(crate) fn register(engine: &mut Engine) {
    // Every assertion returns `()`; the metadata's last entry is the return type.
    let reg = |name: &str, params: &[&str], doc: &str| {
        FuncRegistration::new(name)
            .with_params_info(params.iter().copied().chain(["()"]))
            .with_comments([doc])
    };
    reg(
        "assert",
        &["condition: bool"],
        "/// Fails unless `condition` is true.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, c: Dynamic| {
        check(&ctx, &c, None)
    });
    reg(
        "assert",
        &["condition: bool", "message: string"],
        "/// Fails with `message` unless `condition` is true.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, c: Dynamic, m: Dynamic| {
        check(&ctx, &c, Some(&m))
    });
    reg(
        "assert_eq",
        &["actual: ?", "expected: ?"],
        "/// Fails unless `actual == expected`; shows both.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, a: Dynamic, e: Dynamic| {
        check_eq(&ctx, &a, &e, None)
    });
    reg(
        "assert_eq",
        &["actual: ?", "expected: ?", "message: string"],
        "/// `assert_eq` with a message.",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, a: Dynamic, e: Dynamic, m: Dynamic| {
            check_eq(&ctx, &a, &e, Some(&m))
        },
    );
    reg(
        "assert_ne",
        &["actual: ?", "other: ?"],
        "/// Fails if `actual == other`.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, a: Dynamic, o: Dynamic| {
        check_ne(&ctx, &a, &o, None)
    });
    reg(
        "assert_ne",
        &["actual: ?", "other: ?", "message: string"],
        "/// `assert_ne` with a message.",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, a: Dynamic, o: Dynamic, m: Dynamic| {
            check_ne(&ctx, &a, &o, Some(&m))
        },
    );
    reg(
        "assert_match",
        &["text: string", "pattern: string"],
        "/// Fails unless `text` matches the glob `pattern` (`*`, `?`).",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, t: Dynamic, p: ImmutableString| check_match(&ctx, &t, &p, None),
    );
    reg(
        "assert_match",
        &["text: string", "pattern: string", "message: string"],
        "/// `assert_match` with a message.",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, t: Dynamic, p: ImmutableString, m: Dynamic| {
            check_match(&ctx, &t, &p, Some(&m))
        },
    );
    reg(
        "assert_contains",
        &["haystack: ?", "needle: ?"],
        "/// Fails unless a string, array, blob or map contains `needle`.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, h: Dynamic, n: Dynamic| {
        check_contains(&ctx, &h, &n, None)
    });
    reg(
        "assert_type",
        &["value: ?", "type_name: string"],
        "/// Fails unless `type_of(value) == type_name`.",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, v: Dynamic, n: ImmutableString| check_type(&ctx, &v, &n, None),
    );
    reg(
        "assert_type",
        &["value: ?", "type_name: string", "message: string"],
        "/// `assert_type` with a message.",
    )
    .register_into_engine(
        engine,
        |ctx: NativeCallContext, v: Dynamic, n: ImmutableString, m: Dynamic| {
            check_type(&ctx, &v, &n, Some(&m))
        },
    );
    reg(
        "fail",
        &["message: string"],
        "/// Fails the test with `message`.",
    )
    .register_into_engine(engine, |ctx: NativeCallContext, m: Dynamic| -> R {
        Err(failure(&ctx, m.to_string(), None))
    });
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("Hello*!", "Hello, world!"));
        assert!(glob("a?c", "abc"));
        assert!(glob("*", ""));
        assert!(!glob("a*d", "abc"));
        assert!(glob("*.rhai", "x.rhai"));
        assert!(!glob("x", "xy"));
    }
}
