//! The proxy types: which protocol is spoken, and so where a target's name is resolved.

use std::fmt;
use std::str::FromStr;

/// Where target names are resolved and which protocol is spoken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// SOCKS5, the client resolves the target and sends an IP.
    Socks5,
    /// SOCKS5, the proxy resolves: the hostname is sent.
    Socks5h,
    /// SOCKS4, the client resolves (IPv4 only).
    Socks4,
    /// SOCKS4a, the proxy resolves.
    Socks4a,
    /// HTTP CONNECT, the proxy resolves.
    Http,
}

pub(crate) const PROXY_TYPES: &str = "socks5, socks5h, socks4, socks4a, http";

impl ProxyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProxyKind::Socks5 => "socks5",
            ProxyKind::Socks5h => "socks5h",
            ProxyKind::Socks4 => "socks4",
            ProxyKind::Socks4a => "socks4a",
            ProxyKind::Http => "http",
        }
    }
}

impl fmt::Display for ProxyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProxyKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "socks5" => ProxyKind::Socks5,
            "socks5h" => ProxyKind::Socks5h,
            "socks4" => ProxyKind::Socks4,
            "socks4a" => ProxyKind::Socks4a,
            "http" => ProxyKind::Http,
            _ => {
                return Err(format!(
                    "unknown proxy type '{s}' (use one of: {PROXY_TYPES})"
                ));
            }
        })
    }
}
