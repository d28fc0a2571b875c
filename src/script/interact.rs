//! `Interact(conn [, escape])`: hand the terminal to the connection mid-script (Tcl `interact`,
//! pwntools `interactive()`), or, when stdin is not a terminal, copy stdin to the connection and
//! the connection to stdout until the peer closes (ncat's mode, half-closing at end of input so
//! the reply is not lost).
//!
//! The terminal stays in its normal line mode: a line is sent when Enter is pressed, with the
//! `"\n"` the terminal gives. The escape (Ctrl-] by default) ends the interaction where it is
//! typed, then Enter. Bytes that arrive after the end stay buffered for the script's next read,
//! and the terminal is read only while the interaction lasts.

use std::io::{self, IsTerminal, Read, Write};

use rhai::{Dynamic, ImmutableString, NativeCallContext};
use tokio::sync::mpsc::Sender;

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
    // is closed, and the thread ends.
    drop(net::spawn_blocking(move || pump(&tx, terminal)));
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

/// Reads stdin into `tx` until it ends or the interaction does. On a terminal each read waits
/// for a line first, and only while the interaction lasts: a read left blocked after the escape
/// took the next line typed, which was the script's (and held stdin's lock until then).
fn pump(tx: &Sender<Vec<u8>>, terminal: bool) {
    let mut buf = vec![0u8; 4096];
    loop {
        if terminal && !input_waiting(tx) {
            return;
        }
        let n = match io::stdin().lock().read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if tx.blocking_send(buf[..n].to_vec()).is_err() {
            return;
        }
    }
}

/// Waits until stdin has input (`true`) or the interaction has ended (`false`).
#[cfg(unix)]
fn input_waiting(tx: &Sender<Vec<u8>>) -> bool {
    loop {
        if tx.is_closed() {
            return false;
        }
        let mut fd = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, borrowed for the call only.
        let n = unsafe { libc::poll(&mut fd, 1, 50) };
        // Readable, closed or failed: the read that follows says which.
        if n > 0 || (n < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted) {
            return !tx.is_closed();
        }
    }
}

#[cfg(not(unix))]
fn input_waiting(tx: &Sender<Vec<u8>>) -> bool {
    !tx.is_closed()
}
