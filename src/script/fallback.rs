//! Helpful errors for calls that match no `OPI_TCP` signature.
//!
//! Rhai's own answer to a wrong argument type or count is a bare "Function not found". For every
//! `OPI_TCP` name and every arity up to seven (and one past the longest), this registers a catch-all
//! whose parameters are all `Dynamic`. Rhai tries exact types first, and among `Dynamic`
//! variants the one with the fewest `Dynamic` parameters, so a catch-all runs only when nothing
//! else fits. It throws a catchable error at the call position that lists the real signatures,
//! and says so when the "connection" passed is in fact the error map of a failed connect.
//!
//! A server function given something that is not a server answers as OPI's generic server does,
//! with `#{result: false, error: "The passed value is not a server object", kind: "settings"}`.
//! And as OPI's client does, given the error map of a failed connect (a script that skipped the
//! check): `CloseConnection` answers `true`, and `ReadBinaryData`, `SendBinaryData`, `SendLine`
//! answer that map; `ReadLine` and `GetLastError` throw, as they do in OPI.
//!
//! The help text is built on the first failed call of its name, not at start-up: every script
//! pays for registering the catch-alls, only a failing one for wording the signatures. Which
//! arities to cover comes from `arity::TABLE`, not from the signatures, for the same reason.
//! A script run alone gets the catch-alls of the names its text mentions only ([`Names`]):
//! all of them were a seventh of an empty script's start-up.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, OnceLock};

use rhai::{Dynamic, FuncRegistration, Map, Module, NativeCallContext};

use super::args::{self, RhaiResultOf, throw};
use super::tcp_client::TcpClient;
use super::tcp_server::TcpServer;

/// Catch-alls are registered up to two arguments past a name's longest signature (a call with one
/// too many, as a method too), and never past one more than this: every catch-all costs
/// start-up time.
const MAX_ARITY: usize = 7;

/// One name's help text, shared by its catch-alls and worded on the first failed call.
struct Help {
    name: &'static str,
    text: OnceLock<String>,
}

impl Help {
    fn text(&self) -> &str {
        self.text.get_or_init(|| {
            let mut sigs: Vec<String> = signatures()
                .get(self.name)
                .into_iter()
                .flatten()
                .map(|s| super::readable_signature(s))
                .collect();
            sigs.sort_by_key(|s| s.matches(": ").count());
            format!(
                "no variant of {} takes these arguments; its signatures are:\n  {}",
                self.name,
                sigs.join("\n  ")
            )
        })
    }
}

/// Every `OPI_TCP` name's signatures as Rhai writes them, built once, on the first failed call.
fn signatures() -> &'static BTreeMap<String, Vec<String>> {
    static SIGNATURES: OnceLock<BTreeMap<String, Vec<String>>> = OnceLock::new();
    SIGNATURES.get_or_init(|| {
        let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for sig in super::opi_tcp::module().gen_fn_signatures_with_mapper(|s| s.into()) {
            if let Some((name, _)) = sig.split_once('(') {
                by_name.entry(name.to_string()).or_default().push(sig);
            }
        }
        by_name
    })
}

/// Which names get catch-alls: all of them, or those a script's text mentions.
pub(crate) enum Names<'a> {
    All,
    Mentioned(HashSet<&'a str>),
}

impl<'a> Names<'a> {
    /// The words of `text` (a call of a name spells it out, `Fn("…")` included), or all names
    /// when it imports modules or evaluates code, which may call names it does not hold.
    pub(crate) fn mentioned_in(text: &'a str) -> Self {
        let words: HashSet<&str> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        if words.contains("import") || words.contains("eval") {
            Names::All
        } else {
            Names::Mentioned(words)
        }
    }

    fn wants(&self, name: &str) -> bool {
        match self {
            Names::All => true,
            Names::Mentioned(words) => words.contains(name),
        }
    }
}

pub(crate) fn add_signature_fallbacks(module: &mut Module, names: &Names) {
    for &(name, longest, all_dynamic, server) in super::arity::TABLE {
        if !names.wants(name) {
            continue;
        }
        let help = Arc::new(Help {
            name,
            text: OnceLock::new(),
        });
        for arity in 0..=(usize::from(longest) + 2).min(MAX_ARITY + 1) {
            if all_dynamic & (1 << arity) == 0 {
                let server = server & (1 << arity) != 0;
                register(
                    module,
                    name,
                    arity,
                    Fallback::new(Arc::clone(&help), server),
                );
            }
        }
    }
}

/// What a catch-all does: OPI's answer for a server function given something that is not a
/// server (a value, not an exception), or else the list of signatures.
#[derive(Clone)]
struct Fallback {
    help: Arc<Help>,
    server: bool,
}

impl Fallback {
    fn new(help: Arc<Help>, server: bool) -> Self {
        Fallback { help, server }
    }

    fn answer(&self, ctx: &NativeCallContext, args: &[&Dynamic]) -> RhaiResultOf<Dynamic> {
        if let Some(answer) = given_an_error_map(self.help.name, args) {
            return Ok(answer);
        }
        let first = args.first();
        let not_a_handle = first.is_some_and(|a| !a.is::<TcpServer>() && !a.is::<TcpClient>());
        if self.server && not_a_handle {
            // OPI_GenericServer's NotAddinParameterError, with our kind; GetLog takes a client
            // or a server, and OPI_AddIns words it for any add-in.
            let error = if matches!(self.help.name, "GetLog" | "ПолучитьЛог") {
                "The passed value is not an AddIn object"
            } else {
                "The passed value is not a server object"
            };
            let mut m = Map::new();
            m.insert("result".into(), false.into());
            m.insert("error".into(), error.into());
            m.insert("kind".into(), "settings".into());
            return Ok(m.into());
        }
        Err(explain(ctx, &self.help, args))
    }
}

/// OPI's client answers when its connection argument is the error map of a failed connect:
/// each name, with the argument counts of its real signatures, and what it answers.
const GIVEN_AN_ERROR_MAP: &[(&[&str], usize, usize, bool)] = &[
    // (names, fewest arguments, most arguments, answers true rather than the map)
    (&["CloseConnection", "ЗакрытьСоединение"], 1, 1, true),
    (&["ReadBinaryData", "ПрочитатьДвоичныеДанные"], 1, 4, false),
    (&["SendBinaryData", "ОтправитьДвоичныеДанные"], 2, 3, false),
    (&["SendLine", "ОтправитьСтроку"], 2, 4, false),
];

fn given_an_error_map(name: &str, args: &[&Dynamic]) -> Option<Dynamic> {
    let first = args.first()?;
    let is_error_map = first
        .read_lock::<Map>()
        .is_some_and(|m| m.get("result").is_some_and(|r| r.as_bool() == Ok(false)));
    if !is_error_map {
        return None;
    }
    let &(_, fewest, most, true_answer) = GIVEN_AN_ERROR_MAP
        .iter()
        .find(|(names, ..)| names.contains(&name))?;
    if !(fewest..=most).contains(&args.len()) {
        return None;
    }
    Some(if true_answer {
        true.into()
    } else {
        (*first).clone()
    })
}

fn explain(ctx: &NativeCallContext, help: &Help, args: &[&Dynamic]) -> Box<rhai::EvalAltResult> {
    let types: Vec<&str> = args.iter().map(|a| args::type_name(ctx, a)).collect();
    let mut msg = format!("called with ({}); {}", types.join(", "), help.text());
    if let Some(map) = args.first().and_then(|a| a.read_lock::<Map>())
        && let Some(err) = map.get("error")
    {
        msg.push_str(&format!(
            "\n  (the first argument is an error map, not a connection: {err})"
        ));
    }
    throw(ctx, msg)
}

fn register(module: &mut Module, name: &str, arity: usize, fallback: Fallback) {
    let reg = || {
        FuncRegistration::new(name)
            .in_global_namespace()
            .with_volatility(true)
    };
    macro_rules! arity {
        ($($a:ident),*) => {
            reg().set_into_module(module, move |ctx: NativeCallContext, $($a: Dynamic),*| -> RhaiResultOf<Dynamic> {
                fallback.answer(&ctx, &[$(&$a),*])
            })
        };
    }
    match arity {
        0 => arity!(),
        1 => arity!(a),
        2 => arity!(a, b),
        3 => arity!(a, b, c),
        4 => arity!(a, b, c, d),
        5 => arity!(a, b, c, d, e),
        6 => arity!(a, b, c, d, e, f),
        7 => arity!(a, b, c, d, e, f, g),
        _ => arity!(a, b, c, d, e, f, g, h),
    };
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn a_script_gets_the_catch_alls_of_the_names_it_mentions_or_all_when_it_may_reach_others() {
        let text = "let c = OPI_TCP::CreateConnection(a); c.SendLine(\"x\"); Fn(\"ReadLine\")";
        let wants = |text, name| Names::mentioned_in(text).wants(name);
        assert!(wants(text, "CreateConnection") && wants(text, "SendLine"));
        assert!(
            wants(text, "ReadLine"),
            "a name in a string may be called through Fn"
        );
        assert!(!wants(text, "StartServer") && !wants(text, "Закрыть"));
        for reaching in ["import \"lib\" as lib;", "eval(code)"] {
            assert!(wants(reaching, "StartServer"), "{reaching}");
        }
        assert!(Names::All.wants("StartServer"));
    }
}
