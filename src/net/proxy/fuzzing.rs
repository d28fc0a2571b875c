//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`; not an API): a proxy's
//! answer, arbitrary bytes, judged by the same code that judges a real one. Each checks what
//! must hold for any answer: no panic, no hang, and no form of the password in the error.

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

use super::config::ProxyConfig;
use super::http::{Head, MAX_HTTP_HEAD, head_end, judge};
use super::kind::ProxyKind;
use super::{Ctx, Dest, Failed, socks};
use crate::net::runtime::block_on;

const PASSWORD: &str = "fuzz-Secret/1";

fn proxy(kind: ProxyKind, login: bool) -> ProxyConfig {
    let (user, pass) = match (kind, login) {
        (_, false) => (None, None),
        (ProxyKind::Socks4 | ProxyKind::Socks4a, true) => (Some("alice".to_string()), None),
        (_, true) => (Some("alice".to_string()), Some(PASSWORD.to_string())),
    };
    match ProxyConfig::new(kind, "127.0.0.1", 1080, user, pass) {
        Ok(p) => p,
        Err(e) => panic!("the fuzz proxy settings are valid: {e}"),
    }
}

fn dest(by_name: bool) -> Dest {
    if by_name {
        Dest::Name("example.org".into(), 443)
    } else {
        Dest::Addr(([192, 0, 2, 1], 443).into())
    }
}

/// The error's text, checked for the password in every form it could take.
fn words(proxy: &ProxyConfig, result: Result<(), Failed>) -> Result<(), String> {
    let Err(f) = result else { return Ok(()) };
    let text = f.error.to_string();
    if proxy.password.is_none() {
        // Not our secret: the answer may hold these bytes and be quoted.
        return Err(text);
    }
    let token = proxy.basic_token();
    let secrets = [Some(PASSWORD), Some("fuzz-Secret%2F1"), token.as_deref()];
    for secret in secrets.into_iter().flatten() {
        assert!(!text.contains(secret), "the password leaked: {text}");
    }
    Err(text)
}

/// An HTTP CONNECT answer. The first byte picks where the answer is split in two reads, and the
/// head found across the split must be the one found in one piece.
pub fn http_answer(data: &[u8], login: bool) -> Result<(), String> {
    let whole = head_end(&[], data);
    let split = usize::from(data.first().copied().unwrap_or(0)).min(data.len());
    let (a, b) = data.split_at(split);
    let across = head_end(&[], a).or_else(|| {
        let tail = &a[a.len().saturating_sub(3)..];
        head_end(tail, b).map(|n| n + split)
    });
    assert_eq!(
        whole, across,
        "the head end depends on how the answer was read"
    );
    let head = match whole {
        Some(n) if n <= MAX_HTTP_HEAD => Head::Complete(data[..n].to_vec()),
        Some(_) => Head::TooLarge,
        None if data.len() > MAX_HTTP_HEAD => Head::TooLarge,
        None => Head::Closed(data.to_vec()),
    };
    let proxy = proxy(ProxyKind::Http, login);
    let cx = Ctx {
        proxy: &proxy,
        peer: "example.org:443",
    };
    words(&proxy, judge(&cx, &dest(true), head))
}

/// A SOCKS5 (`socks4 == false`) or SOCKS4/4a answer, fed to tokio-socks' handshake on our side
/// by a proxy that reads each of our messages and answers it with the next piece of `data`, as
/// a real one would: two bytes to SOCKS5's method offer, two to its login, the rest to the
/// request (all of it for SOCKS4). `trickle` sends each piece a byte at a time, so that every
/// read of the handshake is also tried across a split. A handshake that succeeds must leave
/// what follows the reply to the tunnel, byte for byte.
pub fn socks_answer(
    data: &[u8],
    socks4: bool,
    login: bool,
    by_name: bool,
    trickle: bool,
) -> Result<(), String> {
    let kind = match (socks4, by_name) {
        (false, false) => ProxyKind::Socks5,
        (false, true) => ProxyKind::Socks5h,
        (true, false) => ProxyKind::Socks4,
        (true, true) => ProxyKind::Socks4a,
    };
    let proxy = proxy(kind, login);
    let cx = Ctx {
        proxy: &proxy,
        peer: "example.org:443",
    };
    let dest = dest(by_name);
    let (mut ours, theirs) = tokio::io::duplex(64 * 1024);
    let result = block_on(async {
        let handshake = async {
            let result = if socks4 {
                socks::socks4(&cx, &mut ours, &dest).await
            } else {
                socks::socks5(&cx, &mut ours, &dest).await
            };
            let mut tunnel = Vec::new();
            if result.is_ok() {
                let _ = ours.read_to_end(&mut tunnel).await;
            }
            // Our end goes here, so that the proxy's reads end too.
            drop(ours);
            (result, tunnel)
        };
        tokio::join!(fake_proxy(theirs, data, socks4, trickle), handshake).1
    });
    let Ok((result, tunnel)) = result else {
        return Err("interrupted".into());
    };
    if result.is_ok() {
        let reply_end = reply_end(data, socks4);
        assert_eq!(
            data.get(reply_end..),
            Some(&tunnel[..]),
            "the tunnel does not start right after the proxy's reply"
        );
    }
    words(&proxy, result)
}

/// The proxy's side of the pipe. It keeps its end open until ours is gone, so that every write
/// of the handshake lands, and closes its sending side once `answer` is all sent, so that a
/// handshake waiting for more ends with the stream instead of waiting for ever.
async fn fake_proxy(mut theirs: DuplexStream, mut answer: &[u8], socks4: bool, trickle: bool) {
    let mut message = [0u8; 1024];
    let mut first = true;
    let mut closed = false;
    loop {
        if answer.is_empty() && !closed {
            let _ = theirs.shutdown().await;
            closed = true;
        }
        // tokio-socks writes each message whole and waits for the answer before the next, and
        // the largest (a SOCKS4a request: userid and name, 255 bytes each) fits: one read is
        // one message.
        let n = match theirs.read(&mut message).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if closed {
            continue;
        }
        let socks5_login = !first && message[..n].first() == Some(&1);
        let take = match socks4 {
            false if first || socks5_login => answer.len().min(2),
            _ => answer.len(),
        };
        first = false;
        let (piece, rest) = answer.split_at(take);
        answer = rest;
        let step = if trickle { 1 } else { piece.len().max(1) };
        for chunk in piece.chunks(step) {
            if theirs.write_all(chunk).await.is_err() {
                return;
            }
            tokio::task::yield_now().await;
        }
    }
}

/// Where the proxy's reply ends in `data`, for a handshake that succeeded: SOCKS4's is 8 bytes;
/// SOCKS5's follows the method choice (and the login's answer when the method is 2) and is as
/// long as its address type says.
fn reply_end(data: &[u8], socks4: bool) -> usize {
    if socks4 {
        return 8;
    }
    let at = if data.get(1) == Some(&2) { 4 } else { 2 };
    let address = match data.get(at + 3) {
        Some(1) => 4,
        Some(4) => 16,
        _ => 1 + usize::from(data.get(at + 4).copied().unwrap_or(0)),
    };
    at + 4 + address + 2
}

#[cfg(test)]
mod tests {
    use super::socks_answer;

    /// The harness reaches the reply and the tunnel: what the fuzzer needs to get anywhere.
    #[test]
    fn answers_reach_the_parser_and_the_tunnel() {
        let ipv4 = [5, 0, 5, 0, 0, 1, 192, 0, 2, 1, 1, 187];
        let login = [&[5, 2, 1, 0][..], &ipv4[2..]].concat();
        let named = [5, 0, 5, 0, 0, 3, 1, b'x', 0, 80];
        let socks4 = [0, 90, 1, 187, 192, 0, 2, 1];
        for trickle in [false, true] {
            for (data, socks4, login) in [
                (&ipv4[..], false, false),
                (&login[..], false, true),
                (&named[..], false, false),
                (&socks4[..], true, false),
            ] {
                let with_tunnel = [data, b"hello"].concat();
                assert_eq!(
                    socks_answer(&with_tunnel, socks4, login, false, trickle),
                    Ok(())
                );
            }
        }
        let refused = [5, 0, 5, 5, 0, 1, 0, 0, 0, 0, 0, 0];
        let words = socks_answer(&refused, false, false, false, false).unwrap_err();
        assert!(words.contains("connection refused"), "{words}");
        let cut = socks_answer(&[5], false, false, false, true).unwrap_err();
        assert!(!cut.contains("pipe"), "{cut}");
    }
}
