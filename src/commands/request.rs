//! `opi-tcp request`, OPI's CLI `ProcessRequest`: connect, send, read the answer up to the first
//! newline, close. It takes OPI's option names. `--tls` and `--proxy` take JSON text or the path
//! of a `.json` file (OPI's documented examples use single quotes, `{'use_tls':true}`; those are
//! accepted too), and `--proxy` also takes a proxy URL. `--data` turns `\n`, `\r`, `\t`, `\\`,
//! `\0` and `\xHH` into bytes, as OPI's CLI does for the first three.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use opi_tcp::script::{self, Session};
use rhai::{Dynamic, Engine, Scope};

use crate::cli::RequestArgs;

/// Connect, send, read up to the first newline, close: `ProcessRequest`, with the read deadline
/// in `timeout` (0 = none). The outcome is `#{answer, error}`, `answer` a blob.
const CONVERSATION: &str = r#"
    let c = OPI_TCP::CreateConnection(address, tls, proxy);
    if !OPI_TCP::IsClientObject(c) { return #{answer: blob(), error: c}; }
    let answer = if c.SendBinaryData(data) { c.ReadBinaryData(0, "\n", timeout) } else { blob() };
    let error = c.GetLastError();
    c.CloseConnection();
    #{answer: answer, error: error}
"#;

pub(super) fn request(session: Session, args: RequestArgs) -> Result<ExitCode> {
    let engine = script::engine_with(session);
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
    scope.push("data", Dynamic::from_blob(unescape(&args.data)?));
    scope.push("tls", tls);
    scope.push("proxy", proxy);
    scope.push("timeout", i64::try_from(args.timeout).unwrap_or(i64::MAX));
    // ProcessRequest's steps, written out so that the read deadline can be set and "no answer"
    // can be told from an empty one.
    let result = engine
        .eval_with_scope::<Dynamic>(&mut scope, CONVERSATION)
        .map_err(|e| anyhow::anyhow!("{}", script::message(&e)))?;
    let Some(outcome) = result.read_lock::<rhai::Map>().map(|m| m.clone()) else {
        bail!("the request returned no outcome");
    };
    let error = outcome
        .get("error")
        .filter(|e| !e.is_unit())
        .and_then(|e| e.read_lock::<rhai::Map>().map(|m| m.clone()))
        .and_then(|m| m.get("error").map(|e| e.to_string()));
    let answer = outcome
        .get("answer")
        .and_then(|a| a.clone().into_blob().ok())
        .unwrap_or_default();
    if answer.is_empty() {
        match error {
            Some(msg) => bail!("{msg}"),
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
            if out.write_all(&bytes).and_then(|_| out.flush()).is_err() {
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
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
    engine
        .parse_json(&text, true)
        .or_else(|e| match text.contains('\'') {
            true => engine.parse_json(text.replace('\'', "\""), true),
            false => Err(e),
        })
        .map_err(|e| match secret {
            true => anyhow::anyhow!("{option}: not a JSON object ({})", e.position()),
            false => anyhow::anyhow!("{option}: not a JSON object: {e}"),
        })
}

/// Turns `\n`, `\r`, `\t`, `\\`, `\0` and `\xHH` into bytes.
fn unescape(s: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('0') => out.push(0),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(b) if hex.len() == 2 => out.push(b),
                    _ => bail!("--data: '\\x{hex}' is not a two-digit hex escape"),
                }
            }
            Some(other) => {
                out.push(b'\\');
                let mut buf = [0; 4];
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
            None => out.push(b'\\'),
        }
    }
    Ok(out)
}
