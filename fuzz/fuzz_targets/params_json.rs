//! `opi-tcp test --params FILE.json`, arbitrary text, read by the engine the tests run in: the
//! PARAMS map or an error, never a panic or a stack overflow; PARAMS printed as JSON read back
//! as the same map.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        opi_tcp::script::fuzzing::params(text);
    }
});
