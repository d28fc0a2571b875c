//! A proxy's answer to CONNECT, arbitrary bytes: the tunnel opens or the error says why, the
//! head is found however the answer was split, and the password never shows.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let login = data.last().is_some_and(|b| b & 1 == 1);
    let _ = opi_tcp::net::fuzzing::http_answer(data, login);
});
