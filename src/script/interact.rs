//! `Interact(conn [, escape])`: hand the terminal to the connection mid-script (Tcl `interact`,
//! pwntools `interactive()`), or, when stdin is not a terminal, copy stdin to the connection and
//! the connection to stdout until the peer closes (ncat's mode, half-closing at end of input so
//! the reply is not lost).
//!
//! The terminal stays in its normal line mode: a line is sent when Enter is pressed, with the
//! `"\n"` the terminal gives. The escape (Ctrl-] by default) ends the interaction where it is
//! typed, then Enter. Bytes that arrive after the end stay buffered for the script's next read.

use std::io::{self, IsTerminal, Read, Write};

use rhai::{Dynamic, ImmutableString, NativeCallContext};

use super::args::{self, RhaiResultOf, interrupted, throw};
use super::tcp_client::TcpClient;
use crate::net::{self, InteractEnd};

/// `"^]"` → 0x1d, `"^C"` → 0x03; any one ASCII character → itself.
fn escape_byte(ctx: &NativeCallContext, v: &Dynamic) -> RhaiResultOf<u8> {
    if v.is_unit() {
        return Ok(0x1d);
    }
    let Some(s) = v.read_lock::<ImmutableString>().map(|s| s.to_string()) else {
        return Err(throw(
            ctx,
            format!(
                "the escape must be a string such as \"^]\", not {}",
                args::type_name(ctx, v)
            ),
        ));
    };
    let b = s.as_bytes();
    match b {
        [b'^', c] if (b'@'..=b'_').contains(&c.to_ascii_uppercase()) => {
            Ok(c.to_ascii_uppercase() - b'@')
        }
        [c] if c.is_ascii() => Ok(*c),
        _ => Err(throw(
            ctx,
            format!("the escape must be one character or ^X (such as \"^]\"), not {s:?}"),
        )),
    }
}

pub(crate) fn interact(
    ctx: &NativeCallContext,
    client: &TcpClient,
    escape: &Dynamic,
) -> RhaiResultOf<ImmutableString> {
    let escape = escape_byte(ctx, escape)?;
    let terminal = io::stdin().is_terminal();
    if terminal {
        let _ = writeln!(
            io::stderr(),
            "(interacting with the connection; type ^{} and Enter to give it back to the script)",
            (escape + b'@') as char
        );
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(16);
    // Stdin is read by a thread of the background pool; once the interaction ends the channel
    // is closed, and the thread ends at its next read.
    drop(net::spawn_blocking(move || {
        let mut stdin = io::stdin().lock();
        let mut buf = vec![0u8; 4096];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.blocking_send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    }));
    let mut show = |bytes: &[u8]| {
        let mut out = io::stdout().lock();
        // A closed stdout ends nothing here: the interaction ends on the escape or the input.
        let _ = out.write_all(bytes);
        let _ = out.flush();
    };
    let end = client
        .interact(&mut rx, &mut show, terminal.then_some(escape), !terminal)
        .map_err(|_| interrupted(ctx))?;
    Ok(match end {
        None => "closed",
        Some(InteractEnd::Escape) => "escape",
        Some(InteractEnd::InputEnd) => "input end",
        Some(InteractEnd::PeerClosed) => "peer closed",
        Some(InteractEnd::Failed(_)) => "error",
    }
    .into())
}
