//! `opi-tcp request`, OPI's CLI `ProcessRequest`: connect, send, read the answer up to the first
//! newline, close. It takes OPI's option names. `--tls` and `--proxy` take JSON text or the path
//! of a `.json` file (OPI's documented examples use single quotes, `{'use_tls':true}`; those are
//! accepted too), and `--proxy` also takes a proxy URL. `--data` turns OPI's escapes `\n`, `\r`,
//! `\f`, `\v` and our `\t`, `\\`, `\0`, `\xHH` into bytes. On failure the error map is printed
//! as JSON on stdout, as OPI's CLI prints a function's result, and the error on stderr.

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use opi_tcp::script::{self, Session};
use rhai::{Dynamic, Engine, Scope};

use crate::cli::RequestArgs;

/// Connect, send, read up to the first newline, close: `ProcessRequest`, with the read deadline
/// in `timeout` (0 = none). The outcome is `#{answer, error}`, `answer` a blob. The answer is
/// read in chunks, each ending at the newline or after 64 KiB and all within the one deadline,
/// so that `progress` can be told the count as it grows.
const CONVERSATION: &str = r#"
    let c = OPI_TCP::CreateConnection(address, tls, proxy);
    if !OPI_TCP::IsClientObject(c) { return #{answer: blob(), error: c}; }
    let answer = blob();
    if c.SendBinaryData(data) {
        let started = unix_time_ms();
        loop {
            let left = if timeout == 0 { 0 } else { timeout - (unix_time_ms() - started) };
            if timeout != 0 && left <= 0 { break; }
            let chunk = c.ReadBinaryData(65536, "\n", left);
            if chunk.is_empty() { break; }
            if answer.len() + chunk.len() > max_answer {
                c.CloseConnection();
                return #{answer: blob(), error: (), too_large: answer.len()};
            }
            answer += chunk;
            progress(answer.len());
            if chunk[chunk.len() - 1] == 10 { break; }
        }
    }
    let error = c.GetLastError();
    c.CloseConnection();
    #{answer: answer, error: error}
"#;

pub(super) fn request(session: Session, args: RequestArgs) -> Result<ExitCode> {
    let mut engine = script::engine_with(session);
    let progress = Rc::new(RefCell::new(
        (args.out.is_some() && io::stderr().is_terminal()).then(Progress::start),
    ));
    let shown = Rc::clone(&progress);
    engine.register_fn("progress", move |bytes: i64| {
        if let Some(p) = shown.borrow_mut().as_mut() {
            p.show(bytes);
        }
    });
    let mut scope = Scope::new();
    let tls = match &args.tls {
        Some(t) => Dynamic::from_map(json_setting(&engine, t, "--tls")?),
        None => Dynamic::UNIT,
    };
    let proxy = match &args.proxy {
        Some(p) if p.contains("://") && !p.trim_start().starts_with('{') => {
            Dynamic::from(p.clone())
        }
        Some(p) => Dynamic::from_map(json_setting(&engine, p, "--proxy")?),
        None => Dynamic::UNIT,
    };
    scope.push("address", args.address.clone());
    // As OPI's GetBinaryData: the path of an existing file sends the file's bytes.
    let data = if !args.data.is_empty() && std::path::Path::new(&args.data).is_file() {
        std::fs::read(&args.data).with_context(|| format!("reading --data file {}", args.data))?
    } else {
        script::unescape_data(&args.data).map_err(anyhow::Error::msg)?
    };
    scope.push("data", Dynamic::from_blob(data));
    scope.push("tls", tls);
    scope.push("proxy", proxy);
    scope.push("timeout", i64::try_from(args.timeout).unwrap_or(i64::MAX));
    scope.push(
        "max_answer",
        i64::try_from(script::MAX_DATA_SIZE).unwrap_or(i64::MAX),
    );
    // ProcessRequest's steps, written out so that the read deadline can be set and "no answer"
    // can be told from an empty one.
    let result = engine
        .eval_with_scope::<Dynamic>(&mut scope, CONVERSATION)
        .map_err(|e| anyhow::anyhow!("{}", script::message(&e)))?;
    if let Some(p) = progress.borrow_mut().take() {
        p.finish();
    }
    let Some(outcome) = result.read_lock::<rhai::Map>().map(|m| m.clone()) else {
        bail!("the request returned no outcome");
    };
    if let Some(got) = outcome.get("too_large") {
        bail!(
            "the answer from {} passed {} MiB (the largest blob) after {got} bytes without a \
             newline: `request` returns one line; for a longer answer, write a script that reads \
             it in pieces (ReadBinaryData in a loop) and writes each to a file with append_file",
            args.address,
            script::MAX_DATA_SIZE >> 20
        );
    }
    let error_map = outcome
        .get("error")
        .filter(|e| !e.is_unit())
        .and_then(|e| e.read_lock::<rhai::Map>().map(|m| m.clone()));
    let error = error_map
        .as_ref()
        .and_then(|m| m.get("error").map(|e| e.to_string()));
    let answer = outcome
        .get("answer")
        .and_then(|a| a.clone().into_blob().ok())
        .unwrap_or_default();
    if answer.is_empty() {
        match error {
            Some(msg) => {
                // OPI's CLI prints the function's result, the error map, as JSON on stdout.
                if let Some(map) = error_map {
                    outln!("{}", script::to_json(&map.into()));
                }
                bail!("{msg}")
            }
            None if args.timeout == 0 => bail!("no answer: the peer closed the connection"),
            None => bail!(
                "no answer within {} ms (set the deadline with --timeout MS)",
                args.timeout
            ),
        }
    }
    if !answer.ends_with(b"\n") {
        errln!(
            "note: the answer ({} bytes) does not end with a newline: the peer closed the \
             connection or the {} ms deadline passed",
            answer.len(),
            args.timeout
        );
    }
    let bytes = if args.string {
        String::from_utf8_lossy(&answer).into_owned().into_bytes()
    } else {
        answer
    };
    match args.out {
        Some(path) => {
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            errln!("wrote {} bytes to {}", bytes.len(), path.display());
        }
        None if !args.string && io::stdout().is_terminal() => {
            bail!(
                "the answer is binary ({} bytes); use --out FILE or pipe it",
                bytes.len()
            );
        }
        None => {
            let mut out = io::stdout().lock();
            if let Err(e) = out.write_all(&bytes).and_then(|_| out.flush()) {
                if e.kind() == io::ErrorKind::BrokenPipe {
                    return Ok(ExitCode::SUCCESS);
                }
                return Err(e).context("writing to stdout");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The bytes received and the rate on one stderr line, rewritten in place (`\r`); only for a
/// terminal, where a long download would otherwise look hung.
struct Progress {
    started: Instant,
    shown: Option<Instant>,
    bytes: i64,
}

impl Progress {
    fn start() -> Progress {
        Progress {
            started: Instant::now(),
            shown: None,
            bytes: 0,
        }
    }

    fn show(&mut self, bytes: i64) {
        self.bytes = bytes;
        // A few redraws a second: a terminal is slower than a fast loopback.
        if self
            .shown
            .is_none_or(|t| t.elapsed() >= Duration::from_millis(100))
        {
            self.shown = Some(Instant::now());
            self.draw();
        }
    }

    fn draw(&self) {
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let mut err = io::stderr().lock();
        let _ = write!(
            err,
            "\r{} received, {}/s   ",
            human(self.bytes as f64),
            human(self.bytes as f64 / secs)
        );
        let _ = err.flush();
    }

    /// The last count, and the line ended so that later messages start on their own.
    fn finish(self) {
        if self.shown.is_some() {
            self.draw();
            let _ = writeln!(io::stderr());
        }
    }
}

fn human(bytes: f64) -> String {
    match bytes {
        b if b >= 1024.0 * 1024.0 => format!("{:.1} MiB", b / (1024.0 * 1024.0)),
        b if b >= 1024.0 => format!("{:.1} KiB", b / 1024.0),
        b => format!("{b:.0} B"),
    }
}

/// JSON text (single quotes allowed, as in OPI's docs) or the path of a `.json` file. A proxy
/// setting may hold a password, so its text is never echoed in an error, only where it failed.
fn json_setting(engine: &Engine, value: &str, option: &str) -> Result<rhai::Map> {
    let secret = option == "--proxy";
    let text = if value.trim_start().starts_with('{') {
        value.to_string()
    } else {
        std::fs::read_to_string(value).with_context(|| match secret {
            true => format!(
                "{option}: neither JSON text, a readable .json file nor a proxy URL \
                 (type://[user:password@]host:port)"
            ),
            false => format!("{option}: '{value}' is neither JSON text nor a readable file"),
        })?
    };
    script::settings_json(engine, &text).map_err(|e| match secret {
        true => anyhow::anyhow!("{option}: not a JSON object ({})", e.position()),
        false => anyhow::anyhow!("{option}: not a JSON object: {e}"),
    })
}
