//! `ConnectAll(addresses [, tls [, proxy [, options]]])` (an addition): every connect in flight
//! at once with the same settings and one deadline, so that a scan of many ports costs one
//! connect deadline rather than one per silent port. The answer is an array in the order of
//! the addresses: a `TcpClient` for each connect that succeeded, the error map of
//! `CreateConnection` for each that did not (a bad address or setting included).

use rhai::{Array, Dynamic, ImmutableString, NativeCallContext};

use super::args::{self, RhaiResultOf, interrupted, throw};
use super::client::{Settings, check_timeout_arg, connect_plan};
use super::outcome::error_map;
use super::tcp_client::TcpClient;
use crate::net::{ConnectOptions, Target};

pub(crate) fn connect_all(
    ctx: &NativeCallContext,
    addresses: &Dynamic,
    with: &Settings,
) -> RhaiResultOf<Array> {
    let Some(list) = addresses.read_lock::<Array>() else {
        return Err(throw(
            ctx,
            format!(
                "the addresses must be an array of strings, not {}",
                args::type_name(ctx, addresses)
            ),
        ));
    };
    check_timeout_arg(ctx, with.options)?;
    // Each address's own plan, so that an error names its address; the options are the same
    // for every one (they come from the same arguments), and the first plan's serve them all.
    let mut slots: Vec<Result<usize, Dynamic>> = Vec::with_capacity(list.len());
    let mut targets: Vec<Target> = Vec::new();
    let mut opts: Option<ConnectOptions> = None;
    for (i, a) in list.iter().enumerate() {
        let Some(text) = a.read_lock::<ImmutableString>() else {
            return Err(throw(
                ctx,
                format!(
                    "address {i} must be a string, not {}",
                    args::type_name(ctx, a)
                ),
            ));
        };
        match connect_plan(ctx, &text, with) {
            Ok((target, o)) => {
                opts.get_or_insert(o);
                slots.push(Ok(targets.len()));
                targets.push(target);
            }
            Err(e) => slots.push(Err(error_map(&e).into())),
        }
    }
    let mut clients: Vec<Option<Dynamic>> = match &opts {
        None => Vec::new(),
        Some(o) => TcpClient::open_all(&targets, o)
            .map_err(|_| interrupted(ctx))?
            .into_iter()
            .map(|r| {
                Some(match r {
                    Ok(c) => Dynamic::from(c),
                    Err(e) => error_map(&e).into(),
                })
            })
            .collect(),
    };
    Ok(slots
        .into_iter()
        .map(|slot| match slot {
            Err(map) => map,
            Ok(k) => clients
                .get_mut(k)
                .and_then(Option::take)
                .unwrap_or(Dynamic::UNIT),
        })
        .collect())
}
