//! Expect's answer as a script sees it, `#{index, reason, before, matched, groups, named}`, and
//! whether its texts fit in a string's limit before any byte is taken.

use rhai::{Array, Dynamic, Map, NativeCallContext};

use super::args;
use super::encoding::Codec;
use super::outcome::error_map;
use super::tcp_client::TcpClient;
use crate::net::{Expected, Match, Matcher, Pattern};

/// Room for the map's short strings (`reason`) within the engine's string limit, which Rhai
/// applies to all the strings of a value together.
const MAP_TEXT: usize = 64;

/// The most bytes of text one received byte decodes to: an undecodable byte becomes U+FFFD
/// (three bytes), and no single-byte code page maps to more.
const MAX_TEXT_PER_BYTE: usize = 3;

/// Expect's map when nothing matched (and nothing was consumed).
pub(crate) fn no_match(reason: &str, before: String) -> Map {
    let mut map = Map::new();
    map.insert("index".into(), Dynamic::from_int(-1));
    map.insert("reason".into(), reason.into());
    map.insert("before".into(), before.into());
    map.insert("matched".into(), "".into());
    map.insert("groups".into(), Array::new().into());
    map.insert("named".into(), Map::new().into());
    map
}

/// Why the map of match `m` (of `pattern`, in `data`) cannot be returned: its texts, once
/// decoded, are more than a string can hold (`cap`). Rhai counts every string of a map against
/// one limit and its error cannot be caught, so this is asked before anything is consumed.
pub(crate) fn too_large(
    cap: usize,
    pattern: &Pattern,
    m: &Match,
    data: &[u8],
    codec: Codec,
) -> Option<String> {
    // `named` holds a second copy of each named group.
    let named: Vec<bool> = pattern.group_names().iter().map(Option::is_some).collect();
    let spans = std::iter::once((0, m.start))
        .chain(std::iter::once((m.start, m.end)))
        .chain(m.groups.iter().enumerate().flat_map(|(i, g)| {
            let copies = 1 + usize::from(named.get(i).copied().unwrap_or(false));
            std::iter::repeat_n(*g, copies).flatten()
        }));
    let spans: Vec<(usize, usize)> = spans.collect();
    let bound: usize = spans.iter().map(|(s, e)| e - s).sum::<usize>() * MAX_TEXT_PER_BYTE;
    if bound + MAP_TEXT <= cap {
        return None;
    }
    let total = spans
        .iter()
        .map(|&(s, e)| codec.decode(&data[s..e]).len())
        .sum::<usize>()
        + MAP_TEXT;
    (total > cap).then(|| {
        format!(
            "the text before and of the match ({total} bytes once decoded) is more than a \
             string can hold ({} MiB); nothing was consumed",
            cap >> 20
        )
    })
}

/// Expect's map: `#{index, reason, before, matched, groups, named}`. A client's match whose texts
/// would not fit goes back to its buffer, with the reason as the client's error; a server's was
/// never taken (see [`too_large`]), and its map says why.
pub(crate) fn expect_map(
    ctx: &NativeCallContext,
    client: Option<&TcpClient>,
    matcher: &Matcher,
    expected: Expected,
    codec: Codec,
) -> Map {
    let cap = args::string_cap(ctx);
    let Some(m) = expected.found else {
        let (before, _) = codec.decode_within(expected.data, cap.saturating_sub(MAP_TEXT));
        let mut map = no_match(expected.end.as_str(), before);
        // A client keeps its error for GetLastError; a server connection's map carries it.
        if let (None, Some(e)) = (client, &expected.error) {
            map.extend(error_map(e));
        }
        return map;
    };
    let data = &expected.data;
    let pattern = &matcher.patterns()[m.index];
    // A server's match was asked about before it was taken (`expect_connection`).
    if let Some(client) = client
        && let Some(why) = too_large(cap, pattern, &m, data, codec)
    {
        client.unread(data, why);
        return no_match("limit", String::new());
    }
    let text = |bytes: &[u8]| -> Dynamic { codec.decode(bytes).into() };
    let groups: Vec<Dynamic> = m
        .groups
        .iter()
        .map(|g| g.map_or(Dynamic::UNIT, |(s, e)| text(&data[s..e])))
        .collect();
    let mut named = Map::new();
    for (name, value) in pattern.group_names().iter().zip(&groups) {
        if let Some(name) = name {
            named.insert(name.into(), value.clone());
        }
    }
    let mut map = Map::new();
    map.insert("index".into(), (m.index as i64).into());
    map.insert("reason".into(), expected.end.as_str().into());
    map.insert("before".into(), text(&data[..m.start]));
    map.insert("matched".into(), text(&data[m.start..m.end]));
    map.insert("groups".into(), groups.into());
    map.insert("named".into(), named.into());
    map
}
