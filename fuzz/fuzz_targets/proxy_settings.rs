//! Proxy URLs and settings maps (JSON, as `opi-tcp request -p` takes them): settings or a
//! settings error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opi_tcp::net::ProxyConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = ProxyConfig::from_url(text) {
        // What parses names a proxy that can be described without its password.
        if let Some(pass) = p.password.as_deref().filter(|p| p.len() > 8) {
            assert!(!format!("{p:?}").contains(pass));
        }
    }
    opi_tcp::script::fuzzing::settings(text);
});
