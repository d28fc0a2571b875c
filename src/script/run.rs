//! Running a script source and reporting how it ended: the source with its display name,
//! `ARGV`, a `#!` line, and a failure rendered with the file name, the source line and a caret.

use super::args::StoppedIn;
use super::helpers::ScriptExit;
use rhai::{Array, Dynamic, Engine, EvalAltResult, Position, Scope};

/// A script source with its display name.
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// How a script ended badly.
#[derive(Debug)]
pub enum Failure {
    /// Ctrl-C.
    Interrupted,
    /// A parse or runtime error, rendered with the file name, the line and a caret.
    Error(String),
    /// `exit(value)`: the exit code, and what to say on stderr (for a value that is not one).
    Exit(u8, Option<String>),
}

/// Blanks a `#!` first line, keeping the line count so positions stay right.
pub fn strip_shebang(text: &str) -> &str {
    if text.starts_with("#!") {
        match text.find('\n') {
            Some(i) => &text[i..],
            None => "",
        }
    } else {
        text
    }
}

/// A scope with the constant `ARGV`.
pub fn scope_with_argv(argv: &[String]) -> Scope<'static> {
    let mut scope = Scope::new();
    let args: Array = argv.iter().map(|a| Dynamic::from(a.clone())).collect();
    scope.push_constant("ARGV", args);
    scope
}

/// Compiles and runs `src`; returns the value of the last statement.
pub fn run(engine: &Engine, src: &Source, scope: &mut Scope) -> Result<Dynamic, Failure> {
    let text = strip_shebang(src.text);
    let ast = engine
        .compile_with_scope(scope, text)
        .map_err(|e| Failure::Error(render(src, &EvalAltResult::from(e))))?;
    engine
        .eval_ast_with_scope::<Dynamic>(scope, &ast)
        .map_err(|e| failure(src, &e))
}

/// Classifies and renders an evaluation error. A pending interrupt stays pending: the caller
/// clears it (with `take_interrupt`) before it runs the next input.
pub fn failure(src: &Source, err: &EvalAltResult) -> Failure {
    match innermost(err) {
        EvalAltResult::ErrorTerminated(token, _) if token.is::<ScriptExit>() => {
            let (code, said) = token.clone_cast::<ScriptExit>().code();
            Failure::Exit(code, said)
        }
        EvalAltResult::ErrorTerminated(token, pos)
            if token
                .read_lock::<rhai::ImmutableString>()
                .is_some_and(|t| t.as_str() != super::INTERRUPTED) =>
        {
            // A limit stopped the script: its message, where it was.
            let stopped = EvalAltResult::ErrorRuntime(token.clone(), *pos);
            Failure::Error(render(src, &stopped))
        }
        EvalAltResult::ErrorTerminated(..) => Failure::Interrupted,
        _ => Failure::Error(render(src, err)),
    }
}

/// Where a blocking call was stopped by the interrupt, for a test past its deadline: `in
/// ReadLine at t.rhai:12:5`, then the source line and a caret. `None` when the script was
/// computing, not waiting (Rhai does not say where an operation-count stop happened).
pub fn stopped_at(src: &Source, err: &EvalAltResult) -> Option<String> {
    let EvalAltResult::ErrorTerminated(token, _) = innermost(err) else {
        return None;
    };
    let call = token.read_lock::<StoppedIn>()?;
    let pos = call.position;
    let at = match (pos.line(), pos.position()) {
        (Some(l), Some(c)) => format!(" at {}:{l}:{c}", src.name),
        (Some(l), None) => format!(" at {}:{l}", src.name),
        _ => String::new(),
    };
    let head = format!("in {}{at}", call.function);
    Some(crate::net::redact(&format!("{head}{}", excerpt(src, pos))))
}

fn innermost(err: &EvalAltResult) -> &EvalAltResult {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => innermost(inner),
        EvalAltResult::ErrorInModule(_, inner, _) => innermost(inner),
        e => e,
    }
}

/// The script function in which the error happened (the innermost call), if it happened in one:
/// its position is in the text that defined that function, which the REPL may have loaded from
/// a file.
pub fn failing_function(err: &EvalAltResult) -> Option<&str> {
    match err {
        EvalAltResult::ErrorInFunctionCall(name, _, inner, _) => {
            failing_function(inner).or(Some(name.as_str()))
        }
        EvalAltResult::ErrorInModule(_, inner, _) => failing_function(inner),
        _ => None,
    }
}

/// The error's words without Rhai's ` (line 1, position 10)` suffix: for callers whose source
/// is not the user's (the `request` command's own call).
pub fn message(err: &EvalAltResult) -> String {
    let mut full = err.to_string();
    // Rhai's words, with the closest real names and script type names, wherever it is nested.
    if let EvalAltResult::ErrorFunctionNotFound(signature, _) = innermost(err) {
        let raw = format!("Function not found: {signature}");
        full = full.replacen(&raw, &super::suggest::not_found(signature), 1);
    }
    let suffix = format!(" ({})", err.position());
    crate::net::redact(full.strip_suffix(&suffix).unwrap_or(&full))
}

/// `name:line:col: message`, then the source line and a caret under the position. A proxy
/// password the script has used is hidden, in the message and in the source line alike.
pub fn render(src: &Source, err: &EvalAltResult) -> String {
    crate::net::redact(&render_plain(src, err))
}

fn render_plain(src: &Source, err: &EvalAltResult) -> String {
    let (pos, message) =
        at_open_bracket(src, err).unwrap_or_else(|| (innermost(err).position(), message(err)));
    let (Some(line), col) = (pos.line(), pos.position()) else {
        return format!("{}: {message}", src.name);
    };
    let head = match col {
        Some(c) => format!("{}:{line}:{c}: {message}", src.name),
        None => format!("{}:{line}: {message}", src.name),
    };
    format!("{head}{}", excerpt(src, pos))
}

/// The source line at `pos` and a caret under its column, each on a line of its own (empty when
/// the position has no line in the source).
fn excerpt(src: &Source, pos: Position) -> String {
    let Some((line, code)) = pos
        .line()
        .and_then(|l| Some((l, src.text.lines().nth(l - 1)?)))
    else {
        return String::new();
    };
    let gutter = line.to_string();
    let mut out = format!("\n {gutter} | {code}");
    if let Some(c) = pos.position() {
        // Rhai counts characters; a tab in the line keeps the caret aligned as a tab.
        let pad: String = code
            .chars()
            .take(c.saturating_sub(1))
            .map(|ch| if ch == '\t' { '\t' } else { ' ' })
            .collect();
        out.push_str(&format!("\n {} | {pad}^", " ".repeat(gutter.len())));
    }
    out
}

/// A syntax error where the input ends (a line that does not exist, so nothing to show) is
/// shown at the bracket left open, when there is one.
fn at_open_bracket(src: &Source, err: &EvalAltResult) -> Option<(Position, String)> {
    let EvalAltResult::ErrorParsing(_, pos) = err else {
        return None;
    };
    let text = strip_shebang(src.text);
    // Past the end, or only blanks after the position (Rhai counts characters).
    let rest = match (pos.line(), pos.position()) {
        (Some(l), c) => text
            .lines()
            .skip(l - 1)
            .collect::<Vec<_>>()
            .join("\n")
            .chars()
            .skip(c.unwrap_or(1).saturating_sub(1))
            .collect::<String>(),
        _ => String::new(),
    };
    if !rest.trim().is_empty() {
        return None;
    }
    let (line, col, bracket) = super::brackets::unclosed(text)?;
    let message = format!(
        "{}; the input ends before this '{bracket}' is closed",
        message(err)
    );
    let pos = Position::new(u16::try_from(line).ok()?, u16::try_from(col).ok()?);
    Some((pos, message))
}

/// A value as the REPL and `eval` print it: strings as they are, everything else in its debug
/// form (see [`debug_text`]).
pub fn display(engine: &Engine, value: &Dynamic) -> String {
    if value.is_string() {
        value.to_string()
    } else {
        debug_text(engine, value)
    }
}

/// How the REPL shows a value: a short blob on one line as `blob(5): 48 65 6c 6c 6f |Hello|`, a
/// longer one as `hexdump -C` lines (the first 4 KiB of it, then how many bytes are left);
/// anything else in its debug form.
pub fn view(engine: &Engine, value: &Dynamic) -> String {
    const SHOWN: usize = 4096;
    let Some(blob) = value.read_lock::<rhai::Blob>() else {
        return debug_text(engine, value);
    };
    if blob.len() <= 16 {
        let hex: Vec<String> = blob.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = blob
            .iter()
            .map(|&b| {
                if (0x20..=0x7e).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        return format!("blob({}): {} |{ascii}|", blob.len(), hex.join(" "));
    }
    let head = &blob[..blob.len().min(SHOWN)];
    let mut out = format!("blob({}):\n", blob.len());
    out.push_str(&crate::net::hexdump(head, usize::MAX).unwrap_or_default());
    if blob.len() > SHOWN {
        out.push_str(&format!("\n… {} more bytes", blob.len() - SHOWN));
    }
    out
}

/// A value's debug form as scripts see it: through the engine's `to_debug`, so that handles show
/// as `TcpClient(127.0.0.1:17001, open)`, inside arrays and maps too. Rust's `{:?}` of a Rhai value
/// would print our types by their Rust path.
pub fn debug_text(engine: &Engine, value: &Dynamic) -> String {
    let mut scope = Scope::new();
    scope.push_dynamic("value", value.clone());
    engine
        .eval_with_scope::<rhai::ImmutableString>(&mut scope, "to_debug(value)")
        .map(|s| s.to_string())
        .unwrap_or_else(|_| format!("{value:?}"))
}
