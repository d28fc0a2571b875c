//! The interactive REPL: one persistent `Scope` for variables, an `AST` that keeps every `fn`
//! defined so far (statements are dropped after each run), multi-line input while brackets or a
//! string are open, history, completion, and `:` commands that cannot collide with Rhai code.
//!
//! With stdin not a terminal no prompt is printed: lines are collected until they form a complete
//! input, run, and the results printed as `=> value` (so `printf '…' | opi-tcp repl` is testable).
//! Ctrl-C clears the line being edited, or stops the running input (a blocked read included) and
//! returns to the prompt; Ctrl-D quits.

mod complete;
mod input;

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::Result;
use opi_tcp::script::{self, Failure, Source};
use rhai::{AST, Dynamic, Engine, EvalAltResult, Scope};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Config, Editor};

use complete::{Names, ReplHelper};
use input::is_incomplete;

const HELP: &str = "\
Enter Rhai code; an input continues while brackets or a string are open.
Backtick strings are raw: `a\\n` is a backslash and an n; use \"a\\n\" for bytes to send.
  :help              this text
  :functions [TEXT]  script functions (with signatures), optionally filtered
  :vars              variables in scope
  :load FILE         run a script file in this session (its functions stay defined)
  :quit              leave (or Ctrl-D)
Ctrl-C clears the line, or stops a running input and a blocked read.
Example:
  let c = OPI_TCP::CreateConnection(\"127.0.0.1:17001\");
  c.SendLine(\"hello\\n\"); c.ReadLine((), \"\\n\")";

/// Session state shared by the evaluator and the line editor's helper.
struct Repl {
    engine: Engine,
    scope: Scope<'static>,
    functions: AST,
    /// The code a script's `exit(n)` asked for: the REPL quits with it.
    exit: Option<u8>,
    /// Where each function was last defined (a `:load`ed file, or an earlier input) and its
    /// text: an error inside one is shown at its line there, not at a line of the input that
    /// called it.
    origins: HashMap<String, Rc<(String, String)>>,
    /// Inputs run so far, to name the earlier ones.
    inputs: usize,
}

impl Repl {
    /// Runs one complete input; prints `=> value` for a non-unit result.
    fn run(&mut self, name: &str, input: &str) -> bool {
        // A Ctrl-C that stopped the previous input must not stop this one.
        script::take_interrupt();
        let src = Source { name, text: input };
        let ast = match self.engine.compile_with_scope(&self.scope, input) {
            Ok(ast) => ast,
            Err(e) => {
                errln!("Error: {}", script::render(&src, &EvalAltResult::from(e)));
                return false;
            }
        };
        self.inputs += 1;
        if ast.iter_functions().next().is_some() {
            // A file by its name; an earlier input by its number, as it is no longer on screen.
            let label = if name == "<repl>" || name == "<stdin>" {
                format!("{name} (input {})", self.inputs)
            } else {
                name.to_string()
            };
            let origin = Rc::new((label, input.to_string()));
            for f in ast.iter_functions() {
                self.origins.insert(f.name.to_string(), Rc::clone(&origin));
            }
        }
        let program = self.functions.merge(&ast);
        let result = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut self.scope, &program);
        self.functions = program;
        self.functions.clear_statements();
        match result {
            Ok(v) if v.is_unit() => true,
            Ok(v) => {
                outln!("=> {}", script::view(&self.engine, &v));
                true
            }
            Err(e) => {
                let origin = script::failing_function(&e).and_then(|f| self.origins.get(f));
                let src = match origin {
                    Some(file) => Source {
                        name: &file.0,
                        text: &file.1,
                    },
                    None => src,
                };
                match script::failure(&src, &e) {
                    Failure::Interrupted => errln!("interrupted"),
                    Failure::Error(msg) => errln!("Error: {msg}"),
                    Failure::Exit(code, said) => {
                        if let Some(said) = said {
                            errln!("{said}");
                        }
                        self.exit = Some(code);
                    }
                }
                false
            }
        }
    }

    /// Handles a `:command`; `false` means quit.
    fn command(&mut self, line: &str) -> bool {
        let (cmd, arg) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let arg = arg.trim();
        match cmd {
            ":quit" | ":q" | ":exit" => return false,
            ":help" | ":h" => outln!("{HELP}"),
            ":functions" | ":funcs" => {
                for line in script::function_list((!arg.is_empty()).then_some(arg)) {
                    outln!("{line}");
                }
                for f in self.functions.iter_functions() {
                    outln!("fn {}({})", f.name, f.params.join(", "));
                }
            }
            ":vars" => {
                for (name, constant, value) in self.scope.iter_raw() {
                    let kw = if constant { "const" } else { "let" };
                    outln!("{kw} {name} = {}", script::view(&self.engine, value));
                }
            }
            ":load" if !arg.is_empty() => match std::fs::read_to_string(arg) {
                Ok(text) => {
                    self.run(arg, script::strip_shebang(&text));
                }
                Err(e) => errln!("Error: reading {arg}: {e}"),
            },
            _ => errln!("Error: unknown command '{line}' (try :help)"),
        }
        true
    }

    /// The variables with their current types and the functions defined, for completion.
    fn names(&self) -> Names {
        Names {
            vars: self
                .scope
                .iter_raw()
                .map(|(n, _, v)| {
                    let ty = self.engine.map_type_name(v.type_name());
                    (n.to_string(), ty.to_string())
                })
                .collect(),
            fns: self
                .functions
                .iter_functions()
                .map(|f| {
                    (
                        f.name.to_string(),
                        f.params.iter().map(|p| p.to_string()).collect(),
                    )
                })
                .collect(),
        }
    }
}

fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("OPI_TCP_HISTORY") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join("opi-tcp").join("history"))
}

pub(crate) fn run(engine: Engine) -> Result<ExitCode> {
    let mut repl = Repl {
        engine,
        scope: script::scope_with_argv(&[]),
        functions: AST::empty(),
        exit: None,
        origins: HashMap::new(),
        inputs: 0,
    };
    if !io::stdin().is_terminal() {
        return piped(&mut repl);
    }
    let names = Rc::new(RefCell::new(repl.names()));
    let config = Config::builder()
        .auto_add_history(false)
        .completion_type(rustyline::CompletionType::List)
        .bracketed_paste(true)
        .history_ignore_space(true)
        .max_history_size(10_000)?
        .build();
    let mut rl: Editor<ReplHelper, FileHistory> = Editor::with_config(config)?;
    rl.set_helper(Some(ReplHelper::new(Rc::clone(&names))));
    let history = history_path();
    if let Some(h) = &history {
        let _ = rl.load_history(h);
    }
    outln!(
        "opi-tcp {} REPL. :help for help, Ctrl-D to quit.",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        match rl.readline(">> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = rl.add_history_entry(line.as_str());
                let trimmed = line.trim();
                if trimmed.starts_with(':') {
                    if !repl.command(trimmed) {
                        break;
                    }
                } else {
                    repl.run("<repl>", &line);
                    if repl.exit.is_some() {
                        break;
                    }
                }
                *names.borrow_mut() = repl.names();
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = rl.save_history(h);
    }
    Ok(repl.exit.map_or(ExitCode::SUCCESS, ExitCode::from))
}

/// No terminal: no prompts; collect lines into complete inputs and run them.
fn piped(repl: &mut Repl) -> Result<ExitCode> {
    let mut ok = true;
    let mut buf = String::new();
    for line in io::stdin().lock().lines() {
        let line = line?;
        if buf.is_empty() && line.trim_start().starts_with(':') {
            if !repl.command(line.trim()) {
                break;
            }
            continue;
        }
        buf.push_str(&line);
        buf.push('\n');
        if buf.trim().is_empty() {
            buf.clear();
        } else if !is_incomplete(&repl.engine, &buf) {
            ok &= repl.run("<stdin>", &buf);
            buf.clear();
            if let Some(code) = repl.exit {
                return Ok(ExitCode::from(code));
            }
        }
    }
    if !buf.trim().is_empty() {
        ok &= repl.run("<stdin>", &buf);
    }
    if let Some(code) = repl.exit {
        return Ok(ExitCode::from(code));
    }
    Ok(crate::exit::from_ok(ok))
}
