//! The dial step: resolve a target's name (unless it is an IP) and open a TCP connection to the
//! first address that accepts, inside the caller's deadline. Used for a target directly and for
//! reaching a proxy.
//!
//! Each resolved address is tried in turn and the last failure is reported, so "refused on ::1,
//! timed out on 127.0.0.1" ends as the error of the last address tried.

use std::net::SocketAddr;

use tokio::net::TcpStream;

use super::address::{Host, Target};
use super::deadline::Deadline;
use super::error::{Error, ErrorKind, Phase, Result, io_detail};

/// Resolves `target` (unless it is an IP) and connects to the first address that accepts,
/// before `deadline`.
pub(crate) async fn dial(target: &Target, deadline: &Deadline) -> Result<TcpStream> {
    let peer = target.to_string();
    let addrs = match &target.host {
        Host::Ip(ip) => vec![SocketAddr::new(*ip, target.port)],
        Host::Name(name) => resolve(name, target.port, deadline, &peer).await?,
    };
    let mut last = None;
    for addr in addrs {
        match deadline
            .run(Phase::Connect, &peer, TcpStream::connect(addr))
            .await?
        {
            Ok(stream) => {
                // Scripts exchange small messages and wait for answers: Nagle would add delay.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => {
                let detail = if addr.ip().to_string() != target.host_str() {
                    format!("{} ({addr})", io_detail(&e))
                } else {
                    io_detail(&e)
                };
                last = Some(Error::io_described(Phase::Connect, &peer, &e, detail));
            }
        }
    }
    Err(last.unwrap_or_else(|| {
        Error::new(
            ErrorKind::Dns,
            Phase::Resolve,
            &peer,
            "the name has no addresses",
        )
    }))
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
