//! `--tls` and `--proxy` as JSON text (single quotes as in OPI's examples too), read as
//! `opi-tcp request` reads them and turned into settings as a connect does: settings or a
//! settings error, never a panic; settings printed back as JSON read as the same settings.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        opi_tcp::script::fuzzing::settings_json(text);
    }
});
