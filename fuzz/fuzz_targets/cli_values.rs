//! The values the command line gives as text (`--max-memory`, `--shard`, `--param`,
//! `OPI_TCP_CONNECT_TIMEOUT_MS`, `test --timeout`, OPI's booleans): a value or an error, never
//! a panic. A value is what its option promises, and written back as the binary writes it for
//! a `--jobs` child (a size in bytes, the timeout's `f64`), it reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opi_tcp::script;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(n) = script::parse_size(text) {
        assert!(n > 0, "{text:?}");
        assert_eq!(script::parse_size(&n.to_string()), Ok(n), "{text:?}");
        for (shift, unit) in [(30, "G"), (20, "MiB"), (10, "k")] {
            if n % (1 << shift) == 0 {
                let written = format!("{}{unit}", n >> shift);
                assert_eq!(script::parse_size(&written), Ok(n), "{text:?}");
            }
        }
    }
    if let Ok(s) = script::parse_shard(text) {
        assert!(1 <= s.index && s.index <= s.count, "{text:?}: {s:?}");
        let written = format!("{}/{}", s.index, s.count);
        assert_eq!(script::parse_shard(&written), Ok(s));
    }
    match script::parse_param(text) {
        Ok((name, value)) => {
            let written = format!("{name}={value}");
            assert_eq!(script::parse_param(&written), Ok((name, value)));
        }
        Err(_) => assert!(!text.contains('='), "{text:?}"),
    }
    if let Some(d) = script::parse_millis(text) {
        assert!(!d.is_zero(), "{text:?}");
        let written = d.as_millis().to_string();
        assert_eq!(script::parse_millis(&written), Some(d));
    }
    // clap reads `--timeout` with `f64`'s `FromStr`.
    if let Ok(secs) = text.parse::<f64>() {
        let deadline = script::positive_seconds(secs);
        if let Some(d) = deadline {
            assert!(!d.is_zero() && secs > 0.0, "{text:?}");
        }
        let child = secs.to_string().parse::<f64>().ok();
        assert_eq!(child.and_then(script::positive_seconds), deadline);
    }
    let _ = script::parse_flag(text);
});
