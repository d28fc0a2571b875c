//! Nested arrays and maps as text, as JSON and under `==`, walked with an explicit stack.
//!
//! Rhai's own `to_string`/`to_debug`/`print`/`debug` and `==` for arrays and maps recurse once
//! per level through its function dispatch, about 1.7 KB of stack a level: a nest a few hundred
//! thousand deep overflowed even the script thread's 1 GiB and aborted the process. The versions
//! here are registered over Rhai's (the engine's own functions are found before its packages),
//! give the same text and answers, and need no stack per level; leaves still go through the
//! engine's `to_debug` and `==`, so a handle or a regex shows and compares as it does alone.
//!
//! What still recurses is Rhai's: cloning, dropping and its data-size check (110–210 bytes of
//! stack a level; SECURITY.md gives the depth that fits).

use rhai::{
    Array, Dynamic, Engine, EvalAltResult, Identifier, ImmutableString, Map, NativeCallContext,
};

/// One step of a walk over a value: containers open with their length and end with `End`; a
/// map's values are preceded by their key.
enum Token {
    Array(usize),
    Map(usize),
    Key(Identifier),
    Leaf(Dynamic),
    End,
}

enum Level {
    Array(std::vec::IntoIter<Dynamic>),
    Map(std::collections::btree_map::IntoIter<Identifier, Dynamic>),
}

/// Walks an owned value depth first. It takes the value apart as it goes, so dropping what it
/// has walked never recurses either.
struct Tokens {
    stack: Vec<Level>,
    next: Option<Dynamic>,
}

impl Tokens {
    fn new(value: Dynamic) -> Self {
        Self {
            stack: Vec::new(),
            next: Some(value),
        }
    }
}

impl Iterator for Tokens {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        if let Some(v) = self.next.take() {
            return Some(if v.is::<Array>() {
                let a = v.cast::<Array>();
                let len = a.len();
                self.stack.push(Level::Array(a.into_iter()));
                Token::Array(len)
            } else if v.is::<Map>() {
                let m = v.cast::<Map>();
                let len = m.len();
                self.stack.push(Level::Map(m.into_iter()));
                Token::Map(len)
            } else {
                Token::Leaf(v)
            });
        }
        let step = match self.stack.last_mut()? {
            Level::Array(items) => items.next().map(|v| (None, v)),
            Level::Map(entries) => entries.next().map(|(k, v)| (Some(k), v)),
        };
        match step {
            None => {
                self.stack.pop();
                Some(Token::End)
            }
            Some((key, v)) => {
                self.next = Some(v);
                match key {
                    Some(k) => Some(Token::Key(k)),
                    None => self.next(),
                }
            }
        }
    }
}

/// Registers the walk-based printing and comparison for arrays and maps.
pub(crate) fn register(engine: &mut Engine) {
    register_for::<Array>(engine, "array");
    register_for::<Map>(engine, "map");
}

/// Printing under Rhai's four names, `==` and `!=`, for one collection type `T` (an `Array` or
/// a `Map`, which `Dynamic::from` stores as such).
fn register_for<T: rhai::Variant + Clone>(engine: &mut Engine, ty: &str) {
    const TEXT: &str = "/// The value as text: `[1, \"a\"]`, `#{\"k\": ()}` (any depth).";
    const EQ: &str = "/// Whether the two have the same shape, keys and leaves (any depth).";
    const NE: &str = "/// Whether the two differ in shape, a key or a leaf (any depth).";
    let value = format!("value: {ty}");
    for name in ["print", "to_string", "debug", "to_debug"] {
        reg(name, &[&value, "string"], TEXT)
            .register_into_engine(engine, |ctx: NativeCallContext, v: &mut T| {
                text(&ctx, Dynamic::from(v.clone()))
            });
    }
    let (a, b) = (format!("a: {ty}"), format!("b: {ty}"));
    let params = [a.as_str(), b.as_str(), "bool"];
    reg("==", &params, EQ).register_into_engine(
        engine,
        |ctx: NativeCallContext, a: &mut T, b: T| {
            equal(&ctx, Dynamic::from(a.clone()), Dynamic::from(b))
        },
    );
    reg("!=", &params, NE).register_into_engine(
        engine,
        |ctx: NativeCallContext, a: &mut T, b: T| {
            equal(&ctx, Dynamic::from(a.clone()), Dynamic::from(b)).map(|e| !e)
        },
    );
}

/// Pure: printing and comparing change nothing (Rhai may then call them on constants).
fn reg(name: &str, params: &[&str], doc: &str) -> rhai::FuncRegistration {
    rhai::FuncRegistration::new(name)
        .with_purity(true)
        .with_params_info(params)
        .with_comments([doc])
}

/// Rhai's text of a collection: `[1, "a"]`, `#{"k": [()]}`; each leaf as its `to_debug` says.
fn text(ctx: &NativeCallContext, value: Dynamic) -> ImmutableString {
    let mut out = String::new();
    let style = Style {
        map_open: "#{",
        separator: ", ",
    };
    write(
        value,
        &mut out,
        &style,
        |k, out| out.push_str(&format!("{:?}: ", k.as_str())),
        |v, out| out.push_str(&leaf_debug(ctx, v)),
    );
    out.into()
}

/// JSON text of a value: strings, numbers, booleans and `()` as JSON, collections walked here,
/// other leaves as `leaf` writes them.
pub(crate) fn json(
    value: Dynamic,
    out: &mut String,
    mut key: impl FnMut(&str, &mut String),
    leaf: impl FnMut(&mut Dynamic, &mut String),
) {
    let style = Style {
        map_open: "{",
        separator: ",",
    };
    write(value, out, &style, |k, out| key(k.as_str(), out), leaf);
}

struct Style {
    map_open: &'static str,
    separator: &'static str,
}

fn write(
    value: Dynamic,
    out: &mut String,
    style: &Style,
    mut key: impl FnMut(&Identifier, &mut String),
    mut leaf: impl FnMut(&mut Dynamic, &mut String),
) {
    // Per open container: whether it is a map, and whether it has had an item yet.
    let mut open: Vec<(bool, bool)> = Vec::new();
    let mut after_key = false;
    for token in Tokens::new(value) {
        if !after_key
            && !matches!(token, Token::End)
            && let Some((_, started)) = open.last_mut()
        {
            if *started {
                out.push_str(style.separator);
            }
            *started = true;
        }
        after_key = false;
        match token {
            Token::Array(_) => {
                out.push('[');
                open.push((false, false));
            }
            Token::Map(_) => {
                out.push_str(style.map_open);
                open.push((true, false));
            }
            Token::End => {
                let is_map = open.pop().is_some_and(|(is_map, _)| is_map);
                out.push(if is_map { '}' } else { ']' });
            }
            Token::Key(k) => {
                key(&k, out);
                after_key = true;
            }
            Token::Leaf(mut v) => leaf(&mut v, out),
        }
    }
}

/// A leaf as Rhai's printing shows it inside a collection (`print_with_func` with `to_debug`).
fn leaf_debug(ctx: &NativeCallContext, v: &mut Dynamic) -> String {
    match ctx.call_native_fn_raw("to_debug", true, &mut [v]) {
        Ok(r) if r.is_string() => r.cast::<ImmutableString>().to_string(),
        Ok(r) => ctx.engine().map_type_name(r.type_name()).to_string(),
        Err(_) => ctx.engine().map_type_name(&format!("{v:?}")).to_string(),
    }
}

/// Rhai's `==` for collections: same shape, same keys, and leaves equal by the engine's `==`
/// (a leaf type without `==` is an error against its own type and unequal to any other).
fn equal(ctx: &NativeCallContext, a: Dynamic, b: Dynamic) -> Result<bool, Box<EvalAltResult>> {
    let (mut a, mut b) = (Tokens::new(a), Tokens::new(b));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ok(true),
            (Some(Token::Array(n)), Some(Token::Array(m)))
            | (Some(Token::Map(n)), Some(Token::Map(m))) => {
                if n != m {
                    return Ok(false);
                }
            }
            (Some(Token::End), Some(Token::End)) => {}
            (Some(Token::Key(k)), Some(Token::Key(l))) => {
                if k != l {
                    return Ok(false);
                }
            }
            (Some(Token::Leaf(mut x)), Some(Token::Leaf(mut y))) => {
                if !leaf_equal(ctx, &mut x, &mut y)? {
                    return Ok(false);
                }
            }
            _ => return Ok(false),
        }
    }
}

fn leaf_equal(
    ctx: &NativeCallContext,
    x: &mut Dynamic,
    y: &mut Dynamic,
) -> Result<bool, Box<EvalAltResult>> {
    let same_type = x.type_id() == y.type_id();
    match ctx.call_native_fn_raw("==", true, &mut [x, y]) {
        Ok(r) => Ok(r.as_bool().unwrap_or(false)),
        Err(e) if !same_type && matches!(*e, EvalAltResult::ErrorFunctionNotFound(..)) => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use rhai::{Dynamic, Engine, Scope};

    /// Values whose text and equality must come out as Rhai's own printing gives them.
    const VALUES: &str = r#"[
        [], #{}, [1, 2.5, "a\"b\n", 'c', true, ()], #{"k y": [#{}], a: #{b: [[]]}, "é": blob(2)},
        [[1, [2, [3]]], #{x: "y"}], [1, "1"], [#{a: 1}, #{a: 1.0}]
    ]"#;

    fn texts(engine: &Engine) -> Vec<String> {
        let code = format!(
            "let out = []; for v in {VALUES} {{ out += [v.to_string(), v.to_debug(), `${{v}}`]; \
             for w in {VALUES} {{ out.push(`${{v == w}} ${{v != w}}`); }} }} out"
        );
        engine
            .eval::<rhai::Array>(&code)
            .unwrap()
            .into_iter()
            .map(|v| v.to_string())
            .collect()
    }

    #[test]
    fn text_and_equality_are_rhais() {
        let ours = texts(&super::super::engine());
        let rhais = texts(&Engine::new());
        assert_eq!(ours.len(), rhais.len());
        for (o, r) in ours.iter().zip(&rhais) {
            assert_eq!(o, r);
        }
    }

    #[test]
    fn json_is_walked_the_same_way() {
        let v: Dynamic = super::super::engine()
            .eval(r#"#{a: [1, [2, #{b: ()}]], "q\"": "x"}"#)
            .unwrap();
        assert_eq!(
            super::super::to_json(&v),
            r#"{"a":[1,[2,{"b":null}]],"q\"":"x"}"#
        );
    }

    /// A million levels: Rhai's recursive printing needs about 1.7 GB of stack for this and
    /// aborted the whole process; the walk needs none, so this runs on the script thread's stack.
    /// (Even at the 10,000 levels a script may build, Rhai's would need 17 MB, more than a main
    /// thread has.)
    #[test]
    fn a_million_levels_print_compare_and_write_json() {
        const DEPTH: usize = 1_000_000;
        let run = || {
            let mut nest = Dynamic::from_array(vec![]);
            for _ in 0..DEPTH {
                nest = Dynamic::from_array(vec![nest]);
            }
            let mut scope = Scope::new();
            scope.push("a", nest);
            // A host can hand a script a value deeper than scripts may build (MAX_DATA_DEPTH).
            let mut engine = super::super::engine();
            engine.set_max_data_depth(0);
            let r: rhai::Array = engine
                .eval_with_scope(
                    &mut scope,
                    "[`${a}`.len(), a.to_debug().len(), a == a, a != [a]]",
                )
                .unwrap();
            let mut got: Vec<String> = r.into_iter().map(|v| v.to_string()).collect();
            let json = super::super::to_json(scope.get("a").unwrap());
            got.push(json.len().to_string());
            got
        };
        let got = std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
        let len = (2 * DEPTH + 2).to_string();
        assert_eq!(got, [&*len, &*len, "true", "true", &*len]);
    }
}
