//! The values the command line gives as text: sizes (`--max-memory`), shards (`--shard K/N`),
//! `--param NAME=VALUE`, milliseconds (`OPI_TCP_CONNECT_TIMEOUT_MS`), seconds (`test
//! --timeout`), `request -d`'s escapes, and settings and `PARAMS` as JSON text. Only the binary
//! uses them, but they live in the library so that the fuzz targets in `fuzz/` reach them: a
//! fuzz target can depend on a library, never on a binary. Pure: no file, no environment.

use std::time::Duration;

use rhai::{Engine, EvalAltResult, Map};

/// `512M`, `2G`, `64MiB`, `1048576`: a size in bytes (K, M, G are powers of 1024).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (digits, shift) = match t.char_indices().last() {
        Some((i, 'K' | 'k')) => (&t[..i], 10),
        Some((i, 'M' | 'm')) => (&t[..i], 20),
        Some((i, 'G' | 'g')) => (&t[..i], 30),
        _ => (t, 0),
    };
    digits
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("'{text}' is not a size such as 512M, 2G or 1048576"))
}

/// `--shard K/N`: the K-th of N parts (1-based).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// Parses `K/N` with 1 ≤ K ≤ N (clap's value parser: a bad value is a usage error).
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let bad = || format!("'{text}' is not K/N with 1 <= K <= N (e.g. 2/4)");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (index, count) = (
        k.trim().parse::<usize>().map_err(|_| bad())?,
        n.trim().parse::<usize>().map_err(|_| bad())?,
    );
    if index == 0 || index > count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// `--param NAME=VALUE`: the name trimmed, the value as given (it may hold `=` itself).
pub fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) => Ok((k.trim().to_string(), v.to_string())),
        None => Err(format!("--param takes NAME=VALUE, not '{text}'")),
    }
}

/// A positive whole number of milliseconds, spaces around it allowed (an environment value).
pub fn parse_millis(text: &str) -> Option<Duration> {
    match text.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Some(Duration::from_millis(ms)),
        _ => None,
    }
}

/// A deadline in seconds, as clap hands `--timeout` over: positive and finite, or `None`.
/// (`Duration::from_secs_f64` panics on 1e300, hence `try_`.)
pub fn positive_seconds(secs: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|t| !t.is_zero())
}

/// `request -d`: `\n`, `\r`, `\t`, `\f`, `\v`, `\0`, `\\` and `\xHH` become bytes; a backslash
/// before anything else, or at the end, stays as it is.
pub fn unescape_data(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('f') => out.push(0x0c),
            Some('v') => out.push(0x0b),
            Some('0') => out.push(0),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                // Digits only: `from_str_radix` alone takes a sign too (`\x+f`).
                let digits = hex.len() == 2 && hex.bytes().all(|d| d.is_ascii_hexdigit());
                match u8::from_str_radix(&hex, 16) {
                    Ok(b) if digits => out.push(b),
                    _ => return Err(format!("--data: '\\x{hex}' is not a two-digit hex escape")),
                }
            }
            Some(other) => {
                out.push(b'\\');
                let mut buf = [0; 4];
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
            None => out.push(b'\\'),
        }
    }
    Ok(out)
}

/// `--tls` / `--proxy` JSON text, with the single quotes of OPI's documented examples
/// (`{'use_tls':true}`) read as double ones when the text is not JSON as it stands.
pub fn settings_json(engine: &Engine, text: &str) -> Result<Map, Box<EvalAltResult>> {
    engine
        .parse_json(text, true)
        .or_else(|e| match text.contains('\'') {
            true => engine.parse_json(text.replace('\'', "\""), true),
            false => Err(e),
        })
}

/// `test --params FILE.json`: the file's text as the map that `PARAMS` starts from. `engine`
/// is the one the tests run in, whose nesting limits hold for the JSON too.
pub fn params_json(engine: &Engine, text: &str) -> Result<Map, Box<EvalAltResult>> {
    engine.parse_json(text, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert!(parse_size("0").is_err() && parse_size("lots").is_err());
    }

    #[test]
    fn shards_are_k_of_n() {
        assert_eq!(parse_shard("2/4"), Ok(Shard { index: 2, count: 4 }));
        assert_eq!(parse_shard("1/1"), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/3", "4/3", "1", "a/b", "1/0", "-1/2", ""] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn params_durations_and_escapes() {
        assert_eq!(parse_param(" a =b=c"), Ok(("a".into(), "b=c".into())));
        assert!(parse_param("a").is_err());
        assert_eq!(parse_millis(" 250 "), Some(Duration::from_millis(250)));
        assert_eq!(parse_millis("0"), None);
        assert_eq!(positive_seconds(1.5), Some(Duration::from_millis(1500)));
        for bad in [0.0, -1.0, 1e300, f64::NAN, f64::INFINITY] {
            assert_eq!(positive_seconds(bad), None, "{bad}");
        }
        assert_eq!(
            unescape_data(r"a\r\n\x41\\\q\"),
            Ok(b"a\r\nA\\\\q\\".to_vec())
        );
        assert!(unescape_data(r"\x4").is_err());
    }

    /// Found by fuzzing: `u8::from_str_radix` takes a sign, so `\x+f` was the byte 0x0f.
    #[test]
    fn a_hex_escape_is_two_hex_digits_and_nothing_else() {
        for bad in [r"\x+f", r"\x-1", r"\x 1", r"\xé", r"\x1"] {
            assert!(unescape_data(bad).is_err(), "{bad}");
        }
        assert_eq!(unescape_data(r"\xfF\x0a"), Ok(vec![0xff, 0x0a]));
    }

    #[test]
    fn settings_take_single_quotes() {
        let engine = Engine::new_raw();
        let map = settings_json(&engine, "{'use_tls': true}").unwrap();
        assert_eq!(map.get("use_tls").map(|v| v.as_bool()), Some(Ok(true)));
        assert!(params_json(&engine, "[1]").is_err());
    }
}
