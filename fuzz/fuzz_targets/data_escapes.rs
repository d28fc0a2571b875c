//! `opi-tcp request -d`'s escapes: any bytes, written with the escapes, come back as they were;
//! any text reads as a model that works byte by byte says (the escapes are ASCII, so bytes and
//! characters agree): `\n \r \t \f \v \0 \\`, `\x` and exactly two hex digits, and a backslash
//! before anything else or at the end kept as it is.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opi_tcp::script::unescape_data;

/// `bytes` as `-d` text: printable ASCII as is, the named escapes, `\xHH` for the rest, its
/// hex digits in the case the byte's parity picks (both are read).
fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x0c => out.push_str("\\f"),
            0x0b => out.push_str("\\v"),
            0 => out.push_str("\\0"),
            0x20..=0x7e => out.push(char::from(b)),
            _ if b % 2 == 0 => out.push_str(&format!("\\x{b:02x}")),
            _ => out.push_str(&format!("\\x{b:02X}")),
        }
    }
    out
}

fn model(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if text[i] != b'\\' {
            out.push(text[i]);
            i += 1;
            continue;
        }
        let Some(&next) = text.get(i + 1) else {
            out.push(b'\\');
            break;
        };
        i += 2;
        match next {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'f' => out.push(0x0c),
            b'v' => out.push(0x0b),
            b'0' => out.push(0),
            b'\\' => out.push(b'\\'),
            b'x' => {
                let digit = |at: usize| text.get(at).and_then(|&d| char::from(d).to_digit(16));
                let (Some(hi), Some(lo)) = (digit(i), digit(i + 1)) else {
                    return None;
                };
                out.push((hi * 16 + lo) as u8);
                i += 2;
            }
            other => out.extend([b'\\', other]),
        }
    }
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    let written = escape(data);
    assert_eq!(unescape_data(&written).as_deref(), Ok(data), "{written:?}");
    if let Ok(text) = std::str::from_utf8(data) {
        assert_eq!(unescape_data(text).ok(), model(data), "{text:?}");
    }
});
