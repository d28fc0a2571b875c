//! When a REPL input is complete: lines are gathered while a bracket, a block or a backtick
//! string is open, so a pasted multi-line script runs as one input.

use rhai::{Engine, LexError, ParseErrorType};

/// Whether `input` is an unfinished Rhai input: an open block or bracket at the end, a backtick
/// string still open, or a `"` string continued with a trailing `\`. Anything else that fails to
/// compile is an error to show now, not a reason to wait for more lines.
pub(crate) fn is_incomplete(engine: &Engine, input: &str) -> bool {
    let Err(err) = engine.compile(input) else {
        return false;
    };
    let lines: Vec<&str> = input.split('\n').collect();
    let char_at = |pos: rhai::Position| {
        let (line, col) = (pos.line()?, pos.position()?);
        lines.get(line - 1)?.chars().nth(col - 1)
    };
    // Rhai counts characters; the end of input is past the last character of the last line.
    let at_end = |pos: rhai::Position| match (pos.line(), pos.position()) {
        (Some(line), Some(col)) => {
            let rest: String = lines[line.min(lines.len()) - 1..]
                .join("\n")
                .chars()
                .skip(col.saturating_sub(1))
                .collect();
            line > lines.len() || rest.trim().is_empty()
        }
        _ => true,
    };
    match err.err_type() {
        ParseErrorType::UnexpectedEOF => true,
        ParseErrorType::BadInput(LexError::UnterminatedString) => {
            char_at(err.position()) == Some('`') || input.trim_end_matches('\n').ends_with('\\')
        }
        ParseErrorType::MissingToken(..) => at_end(err.position()),
        _ => false,
    }
}
