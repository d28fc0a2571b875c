//! The dial step: resolve a target's name (unless it is an IP), keep the addresses of the family
//! the caller pinned, and race them (`eyeballs`: RFC 8305's happy eyeballs) inside the caller's
//! deadline. Used for a target directly and for reaching a proxy.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use tokio::net::TcpStream;

use super::address::{Host, Target};
use super::deadline::Deadline;
use super::error::{Error, ErrorKind, Phase, Result, io_detail};
use super::eyeballs;
use super::trace::{Traced, note};

/// Which addresses of a target a connect may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Family {
    /// Every address, IPv4 and IPv6 raced.
    #[default]
    Any,
    Ipv4,
    Ipv6,
}

impl Family {
    /// The name scripts write: `"any"`, `"ipv4"`, `"ipv6"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Any => "any",
            Family::Ipv4 => "ipv4",
            Family::Ipv6 => "ipv6",
        }
    }

    fn admits(self, ip: IpAddr) -> bool {
        match self {
            Family::Any => true,
            Family::Ipv4 => ip.is_ipv4(),
            Family::Ipv6 => ip.is_ipv6(),
        }
    }

    /// `IPv4` / `IPv6`, as messages name an address's family.
    fn of(ip: IpAddr) -> &'static str {
        if ip.is_ipv4() { "IPv4" } else { "IPv6" }
    }

    /// Checks, before any I/O, that a connect to `target` can keep to this family: an IP of the
    /// other family, or a name a proxy resolves where we cannot choose, is a settings error.
    pub(crate) fn check(self, target: &Target, proxy_resolves: bool, peer: &str) -> Result<()> {
        let settings = |d: String| Error::new(ErrorKind::Settings, Phase::Settings, peer, d);
        match &target.host {
            _ if self == Family::Any => Ok(()),
            Host::Ip(ip) if !self.admits(*ip) => Err(settings(format!(
                "the family is pinned to {self}, and {ip} is an {} address",
                Family::of(*ip)
            ))),
            Host::Name(_) if proxy_resolves => Err(settings(format!(
                "the family cannot be pinned to {self} through a proxy that resolves the name \
                 itself (socks5h, socks4a, http): use socks5, or socks4 for ipv4"
            ))),
            _ => Ok(()),
        }
    }

    /// The addresses of `name` this family admits, in the resolver's order; none is a `dns`
    /// error that says what the name has.
    pub(crate) fn keep(
        self,
        addrs: Vec<SocketAddr>,
        name: &str,
        peer: &str,
    ) -> Result<Vec<SocketAddr>> {
        let kept: Vec<SocketAddr> = addrs
            .iter()
            .copied()
            .filter(|a| self.admits(a.ip()))
            .collect();
        if kept.is_empty() {
            let has: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
            return Err(Error::new(
                ErrorKind::Dns,
                Phase::Resolve,
                peer,
                format!(
                    "'{name}' has no {self} address (the family is pinned; it has {})",
                    has.join(", ")
                ),
            ));
        }
        Ok(kept)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Family {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "any" => Ok(Family::Any),
            "ipv4" => Ok(Family::Ipv4),
            "ipv6" => Ok(Family::Ipv6),
            _ => Err(format!(
                "the family must be \"ipv4\", \"ipv6\" or \"any\", not {s:?}"
            )),
        }
    }
}

/// What a dial needs besides its target: the one deadline, the family, the trace.
#[derive(Clone, Copy)]
pub(crate) struct Dial<'a> {
    pub(crate) deadline: &'a Deadline,
    pub(crate) family: Family,
    pub(crate) trace: Option<&'a Traced>,
    /// How trace lines name the addresses dialled: `""` for the target, `"proxy "` for a proxy.
    pub(crate) role: &'static str,
}

/// Resolves `target` (unless it is an IP) and connects to the first of its addresses of the
/// dial's family to answer, before the dial's deadline.
pub(crate) async fn dial(target: &Target, how: &Dial<'_>) -> Result<TcpStream> {
    let peer = target.to_string();
    let addrs = match &target.host {
        Host::Ip(ip) => vec![SocketAddr::new(*ip, target.port)],
        Host::Name(name) => {
            let all = resolve(name, target.port, how.deadline, &peer).await?;
            let kept = how.family.keep(all, name, &peer)?;
            note(how.trace, || {
                let list: Vec<String> = kept.iter().map(|a| a.ip().to_string()).collect();
                format!("resolved {}{name} to {}", how.role, list.join(", "))
            });
            kept
        }
    };
    let seen = eyeballs::Seen {
        trace: how.trace,
        role: how.role,
    };
    let stream = eyeballs::race(&addrs, how.deadline, seen, &peer, &target.host_str()).await?;
    // Scripts exchange small messages and wait for answers: Nagle would add delay.
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// Resolves a name to socket addresses before `deadline`.
pub(crate) async fn resolve(
    name: &str,
    port: u16,
    deadline: &Deadline,
    peer: &str,
) -> Result<Vec<SocketAddr>> {
    match deadline
        .run(Phase::Resolve, peer, tokio::net::lookup_host((name, port)))
        .await?
    {
        Err(e) => Err(Error::new(
            ErrorKind::Dns,
            Phase::Resolve,
            peer,
            format!("cannot resolve '{name}': {}", io_detail(&e)),
        )),
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(Error::new(
                    ErrorKind::Dns,
                    Phase::Resolve,
                    peer,
                    format!("'{name}' has no addresses"),
                ))
            } else {
                Ok(addrs)
            }
        }
    }
}
