//! The line editor's helper: Tab completion by what the session holds (the methods of a
//! variable's current type after `conn.`, `OPI_TCP::` names, the user's own functions, variables,
//! keywords and `:` commands), the parameters of a function as a hint once `name(` is typed, and
//! the validator that keeps an unfinished input open.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use opi_tcp::script;
use rhai::Engine;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use super::input::is_incomplete;

const KEYWORDS: &[&str] = &[
    "let",
    "const",
    "fn",
    "if",
    "else",
    "while",
    "loop",
    "for",
    "in",
    "do",
    "until",
    "break",
    "continue",
    "return",
    "throw",
    "try",
    "catch",
    "switch",
    "true",
    "false",
    "import",
    "export",
    "as",
    "private",
    "this",
    "print",
    "debug",
    "type_of",
    "is_def_var",
    "blob",
];

const COMMANDS: &[&str] = &[":help", ":functions", ":vars", ":load", ":quit"];

/// What the session holds, refreshed after every input.
#[derive(Default)]
pub(crate) struct Names {
    /// Variables and the script name of their current type (`TcpClient`, `string`, …).
    pub(crate) vars: Vec<(String, String)>,
    /// The user's own functions and their parameters.
    pub(crate) fns: Vec<(String, Vec<String>)>,
}

/// One script function: its name as called, the type of its first parameter (what a method
/// call's receiver must be) and its parameter names.
struct Function {
    path: String,
    name: String,
    receiver: String,
    params: Vec<String>,
}

/// `OPI_TCP::ReadLine(conn: TcpClient, encoding: Dynamic) -> string` → its parts.
fn parse_signature(sig: &str) -> Option<Function> {
    let (path, rest) = sig.split_once('(')?;
    let params: Vec<(String, String)> = rest
        .split(')')
        .next()?
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| match p.split_once(':') {
            Some((n, t)) => (n.trim().to_string(), t.trim().to_string()),
            None => (p.trim().to_string(), String::new()),
        })
        .collect();
    let name = path.rsplit("::").next()?.to_string();
    Some(Function {
        path: path.to_string(),
        name,
        receiver: params.first().map(|p| p.1.clone()).unwrap_or_default(),
        params: params.into_iter().map(|p| p.0).collect(),
    })
}

pub(crate) struct ReplHelper {
    engine: Engine,
    functions: Vec<Function>,
    words: Vec<String>,
    names: Rc<RefCell<Names>>,
}

impl ReplHelper {
    pub(crate) fn new(names: Rc<RefCell<Names>>) -> ReplHelper {
        let mut functions: Vec<Function> = script::signatures()
            .iter()
            .filter_map(|s| parse_signature(s))
            .collect();
        // The longest overload first, so a hint shows every parameter.
        functions.sort_by(|a, b| {
            a.path
                .cmp(&b.path)
                .then(b.params.len().cmp(&a.params.len()))
        });
        let mut words: Vec<String> = functions.iter().map(|f| f.path.clone()).collect();
        words.extend(KEYWORDS.iter().chain(COMMANDS).map(|k| k.to_string()));
        words.sort();
        words.dedup();
        ReplHelper {
            engine: script::engine(),
            functions,
            words,
            names,
        }
    }

    /// The methods a value of type `ty` answers, and its properties.
    fn members(&self, ty: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .functions
            .iter()
            .filter(|f| f.receiver == ty && f.path.starts_with("OPI_TCP::"))
            .map(|f| f.name.clone())
            .collect();
        match ty {
            "TcpClient" => out.push("result".into()),
            "TcpServer" => out.push("port".into()),
            _ => {}
        }
        out
    }

    /// Candidates for the word that ends at `pos`, and where it starts.
    pub(crate) fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let head = &line[..pos];
        let start = head
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == ':'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let prefix = &head[start..];
        let names = self.names.borrow();
        let mut hits: Vec<String> = if let Some(receiver) = head[..start].strip_suffix('.') {
            let var = receiver
                .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default();
            match names.vars.iter().find(|(n, _)| n == var) {
                Some((_, ty)) => self.members(ty),
                None => Vec::new(),
            }
        } else if prefix.is_empty() {
            Vec::new()
        } else {
            self.words
                .iter()
                .cloned()
                .chain(names.vars.iter().map(|(n, _)| n.clone()))
                .chain(names.fns.iter().map(|(n, _)| n.clone()))
                .collect()
        };
        hits.retain(|w| w.starts_with(prefix));
        hits.sort();
        hits.dedup();
        (start, hits)
    }

    /// The parameters still to type after `name(` at the end of `line`: `encoding, marker,
    /// timeout_ms)` for `conn.ReadLine(` (the receiver is the first parameter).
    pub(crate) fn parameters(&self, line: &str) -> Option<String> {
        let head = line.strip_suffix('(')?;
        let start = head
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map_or(0, |i| {
                i + head[i..].chars().next().map_or(1, char::len_utf8)
            });
        let name = &head[start..];
        if name.is_empty() {
            return None;
        }
        let method = head[..start].ends_with('.');
        let names = self.names.borrow();
        let params: Vec<String> = match names.fns.iter().find(|(n, _)| n == name) {
            Some((_, p)) => p.clone(),
            None => {
                let f = self.functions.iter().find(|f| match method {
                    true => f.name == name && f.path.starts_with("OPI_TCP::"),
                    false => f.path == name,
                })?;
                f.params.iter().skip(usize::from(method)).cloned().collect()
            }
        };
        Some(format!("{})", params.join(", ")))
    }
}

impl Helper for ReplHelper {}

impl Hinter for ReplHelper {
    type Hint = String;
    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        (pos == line.len()).then(|| self.parameters(line)).flatten()
    }
}

impl Highlighter for ReplHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        if input.trim_start().starts_with(':') || !is_incomplete(&self.engine, input) {
            Ok(ValidationResult::Valid(None))
        } else {
            Ok(ValidationResult::Incomplete)
        }
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, hits) = self.candidates(line, pos);
        let pairs = hits
            .into_iter()
            .map(|w| Pair {
                display: w.clone(),
                replacement: w,
            })
            .collect();
        Ok((start, pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper(vars: &[(&str, &str)], fns: &[(&str, &[&str])]) -> ReplHelper {
        let names = Names {
            vars: vars
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
            fns: fns
                .iter()
                .map(|(n, p)| (n.to_string(), p.iter().map(|s| s.to_string()).collect()))
                .collect(),
        };
        ReplHelper::new(Rc::new(RefCell::new(names)))
    }

    #[test]
    fn methods_follow_the_variables_type() {
        let h = helper(
            &[("conn", "TcpClient"), ("srv", "TcpServer"), ("n", "i64")],
            &[],
        );
        let (start, hits) = h.candidates("conn.Read", 9);
        assert_eq!(
            (start, hits),
            (
                5,
                vec![
                    "ReadAvailable".into(),
                    "ReadBinaryData".into(),
                    "ReadLine".into(),
                    "ReadUntilQuiet".into()
                ]
            )
        );
        let (_, all) = h.candidates("let x = conn.", 13);
        assert!(
            all.contains(&"SendLine".into()) && all.contains(&"result".into()),
            "{all:?}"
        );
        assert!(!all.contains(&"StopServer".into()), "{all:?}");
        let (_, server) = h.candidates("srv.", 4);
        assert!(server.contains(&"StopServer".into()) && server.contains(&"port".into()));
        assert!(!server.contains(&"ReadLine".into()), "{server:?}");
        assert_eq!(h.candidates("n.", 2).1, Vec::<String>::new());
    }

    #[test]
    fn words_include_the_users_functions_variables_and_commands() {
        let h = helper(&[("answer", "string")], &[("greet", &["name"])]);
        assert_eq!(h.candidates("gre", 3).1, ["greet"]);
        assert_eq!(h.candidates("ans", 3).1, ["answer"]);
        assert_eq!(h.candidates(":he", 3).1, [":help"]);
        assert!(
            h.candidates("OPI_TCP::Crea", 13)
                .1
                .contains(&"OPI_TCP::CreateConnection".into())
        );
    }

    #[test]
    fn a_hint_shows_the_parameters_once_the_name_and_paren_are_typed() {
        let h = helper(&[("c", "TcpClient")], &[("greet", &["name", "times"])]);
        assert_eq!(
            h.parameters("c.ReadLine(").as_deref(),
            Some("encoding, marker, timeout_ms)")
        );
        assert_eq!(
            h.parameters("OPI_TCP::ReadLine(").as_deref(),
            Some("conn, encoding, marker, timeout_ms)")
        );
        assert_eq!(h.parameters("greet(").as_deref(), Some("name, times)"));
        assert_eq!(h.parameters("c.ReadLine"), None);
        assert_eq!(h.parameters("nosuch("), None);
    }
}
