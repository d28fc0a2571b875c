//! A SOCKS5 or SOCKS4/4a proxy's answers, arbitrary bytes, to our side of the handshake, each
//! piece sent after the message it answers: a tunnel that starts right after the reply or a
//! worded error, never a panic or a hang, and never the password.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, answer)) = data.split_first() else {
        return;
    };
    let _ = opi_tcp::net::fuzzing::socks_answer(
        answer,
        flags & 1 == 1,
        flags & 2 == 2,
        flags & 4 == 4,
        flags & 8 == 8,
    );
});
