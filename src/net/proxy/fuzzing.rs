//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`; not an API): a proxy's
//! answer, arbitrary bytes, judged by the same code that judges a real one. Each checks what
//! must hold for any answer: no panic, no hang, and no form of the password in the error.

use tokio::io::AsyncWriteExt;

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

/// A SOCKS5 (`socks4 == false`) or SOCKS4/4a answer, fed to tokio-socks' handshake on our side.
pub fn socks_answer(data: &[u8], socks4: bool, login: bool, by_name: bool) -> Result<(), String> {
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
    let (mut ours, mut theirs) = tokio::io::duplex(64 * 1024);
    let result = block_on(async {
        let answer = async move {
            let _ = theirs.write_all(data).await;
            // Dropped: after its answer the proxy is gone, so no handshake can wait for ever.
        };
        let handshake = async {
            if socks4 {
                socks::socks4(&cx, &mut ours, &dest).await
            } else {
                socks::socks5(&cx, &mut ours, &dest).await
            }
        };
        tokio::join!(answer, handshake).1
    });
    match result {
        Ok(r) => words(&proxy, r),
        Err(_) => Err("interrupted".into()),
    }
}
