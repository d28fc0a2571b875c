//! The HTTP CONNECT handshake, written by hand: the request (with Basic proxy authentication),
//! then the answer head, peeked so that only its own bytes are consumed. A target that speaks
//! first (a banner sent in the same segment as `200`) loses nothing.

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{Ctx, Dest, Failed, preview};
use crate::net::error::ErrorKind;

/// Real CONNECT answers are a few hundred bytes; a longer head is a broken or hostile proxy.
pub(super) const MAX_HTTP_HEAD: usize = 16 * 1024;

pub(super) async fn connect(cx: &Ctx<'_>, tcp: &mut TcpStream, dest: &Dest) -> Result<(), Failed> {
    // `Dest` prints IPv6 in brackets; names were checked (letters, digits, '-', '_', '.'), so
    // nothing can break out of the request line.
    let mut request = format!("CONNECT {dest} HTTP/1.1\r\nHost: {dest}\r\n");
    if let Some(token) = cx.proxy.basic_token() {
        request.push_str("Proxy-Authorization: Basic ");
        request.push_str(&token);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    tcp.write_all(request.as_bytes())
        .await
        .map_err(|e| cx.io(&e))?;
    let head = read_head(tcp).await.map_err(|e| cx.io(&e))?;
    judge(cx, dest, head)
}

/// What the proxy's answer means: the tunnel is open, or why not. Pure, so it can be fuzzed.
pub(super) fn judge(cx: &Ctx<'_>, dest: &Dest, head: Head) -> Result<(), Failed> {
    let head = match head {
        Head::Complete(head) => head,
        Head::Closed(partial) if partial.is_empty() => {
            return Err(cx.fatal(
                ErrorKind::Proxy,
                format!("the proxy closed the connection without answering CONNECT to {dest}"),
            ));
        }
        Head::Closed(partial) if partial.starts_with(b"HTTP/") => {
            return Err(cx.fatal(
                ErrorKind::Proxy,
                format!(
                    "the proxy closed the connection in the middle of its answer to CONNECT \
                     to {dest}"
                ),
            ));
        }
        Head::Closed(partial) => {
            return Err(cx.fatal(
                ErrorKind::Proxy,
                format!(
                    "the answer to CONNECT to {dest} is not HTTP ({}), and the proxy closed \
                     the connection (is it a SOCKS proxy?)",
                    preview(&partial)
                ),
            ));
        }
        Head::TooLarge => {
            return Err(cx.fatal(
                ErrorKind::Proxy,
                format!(
                    "the answer to CONNECT to {dest} has a head over {} KiB",
                    MAX_HTTP_HEAD / 1024
                ),
            ));
        }
    };
    let status = status_line(&head);
    let lines = head.iter().filter(|&&b| b == b'\n').count();
    let mut headers = vec![httparse::EMPTY_HEADER; lines];
    let mut response = httparse::Response::new(&mut headers);
    let parsed = httparse::ParserConfig::default()
        .allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .parse_response(&mut response, &head);
    let code = match (parsed, response.code) {
        (Ok(httparse::Status::Complete(_)), Some(code)) => code,
        _ => {
            return Err(cx.fatal(
                ErrorKind::Proxy,
                format!("the answer to CONNECT to {dest} is not HTTP: {status:?}"),
            ));
        }
    };
    match code {
        200..=299 => Ok(()),
        401 | 407 if cx.proxy.login.is_some() => Err(cx.fatal(
            ErrorKind::ProxyAuth,
            format!(
                "authentication failed: CONNECT to {dest} answered {status:?} \
                 (the proxy rejected the login or password)"
            ),
        )),
        401 | 407 => Err(cx.fatal(
            ErrorKind::ProxyAuth,
            format!(
                "authentication required: CONNECT to {dest} answered {status:?} \
                 (no login was given)"
            ),
        )),
        _ => Err(cx.fatal(
            ErrorKind::Proxy,
            format!("CONNECT to {dest} answered {status:?}"),
        )),
    }
}

/// How reading a CONNECT answer head ended.
pub(super) enum Head {
    /// Up to and including the blank line.
    Complete(Vec<u8>),
    /// The proxy closed the connection first; what it had sent.
    Closed(Vec<u8>),
    TooLarge,
}

/// Reads the answer head and not one byte more: each chunk is peeked, and only the part up to
/// `\r\n\r\n` is taken off the socket. A target that speaks first may send its greeting in the
/// same segment as the proxy's `200`; those bytes stay in the socket for the connection (and
/// for TLS, which cannot be handed bytes from the side).
async fn read_head(tcp: &mut TcpStream) -> io::Result<Head> {
    let mut head = Vec::with_capacity(256);
    let mut buf = [0u8; 4096];
    loop {
        let room = (MAX_HTTP_HEAD + 1)
            .saturating_sub(head.len())
            .clamp(1, buf.len());
        let window = buf.get_mut(..room).unwrap_or_default();
        let n = tcp.peek(window).await?;
        if n == 0 {
            return Ok(Head::Closed(head));
        }
        let tail = head.get(head.len().saturating_sub(3)..).unwrap_or_default();
        let end = head_end(tail, buf.get(..n).unwrap_or_default());
        let take = end.unwrap_or(n);
        let chunk = buf.get_mut(..take).unwrap_or_default();
        tcp.read_exact(chunk).await?;
        head.extend_from_slice(chunk);
        if end.is_some() {
            return Ok(Head::Complete(head));
        }
        if head.len() > MAX_HTTP_HEAD {
            return Ok(Head::TooLarge);
        }
    }
}

/// How many bytes of `new` complete the first `\r\n\r\n` in `tail` + `new` (`tail` is the end of
/// what was read before, at most 3 bytes, so the marker may straddle reads).
pub(super) fn head_end(tail: &[u8], new: &[u8]) -> Option<usize> {
    let joined: Vec<u8> = tail.iter().chain(new).copied().collect();
    joined
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at + 4).saturating_sub(tail.len()))
}

/// The first line of an answer, for messages: at most 200 characters, lossy UTF-8.
fn status_line(head: &[u8]) -> String {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::proxy::preview;
    use crate::net::proxy::socks::not_socks;

    #[test]
    fn the_head_end_is_found_across_reads() {
        assert_eq!(head_end(b"", b"HTTP/1.1 200 OK\r\n\r\nBANNER"), Some(19));
        assert_eq!(head_end(b"", b"HTTP/1.1 200 OK\r\n"), None);
        assert_eq!(head_end(b"\r\n\r", b"\nBANNER"), Some(1));
        assert_eq!(head_end(b"K\r\n", b"\r\nX"), Some(2));
        assert_eq!(head_end(b"\n\r\n", b"X"), None);
    }

    #[test]
    fn answers_are_described_not_dumped() {
        assert_eq!(
            status_line(b"HTTP/1.1 403 Forbidden\r\nA: b\r\n\r\n"),
            "HTTP/1.1 403 Forbidden"
        );
        assert_eq!(status_line(&[b'x'; 500]).len(), 200);
        assert!(not_socks(b"HTTP/1.1 400 Bad Request", 5).contains("answered in HTTP"));
        assert_eq!(
            not_socks(&[0x48, 0x01], 4),
            "the answer is not valid SOCKS4 (bytes: 48 01)"
        );
        assert!(preview(&[0u8; 40]).ends_with(" …"));
    }
}
