//! `pack` and `unpack` formats (Python's `struct`), arbitrary format text over arbitrary bytes:
//! values or a worded error, never a panic; what unpacks packs again, and unpacks to the same.
//! The first byte is the format's length, the second the offset `unpack` starts at.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [len, at, rest @ ..] = data else {
        return;
    };
    let (format, bytes) = rest.split_at(usize::from(*len).min(rest.len()));
    let Ok(format) = std::str::from_utf8(format) else {
        return;
    };
    // Now and then an offset outside the blob, for its error.
    let at = i64::from(*at) % (bytes.len() as i64 + 2) - i64::from(*at == 255);
    opi_tcp::script::fuzzing::pack(format, bytes, at);
});
