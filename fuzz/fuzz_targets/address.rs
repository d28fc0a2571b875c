//! Target addresses as a user or a script writes them: parsed or refused with words, never a
//! panic; what parses prints back as something that parses to the same target.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opi_tcp::net::Target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Target::parse(text) {
        Ok(t) => {
            let again = Target::parse(&t.to_string());
            assert_eq!(again.as_ref().ok(), Some(&t), "{text:?} → {t}");
        }
        Err(e) => {
            // A refused address with an '@' is shown without what precedes it (user
            // information, maybe a password): `scheme://***@rest` or `***@rest`.
            if let Some((before, after)) = text.rsplit_once('@') {
                let expected = match before.split_once("://") {
                    Some((s, _))
                        if s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
                    {
                        format!("{s}://***@{after}")
                    }
                    _ => format!("***@{after}"),
                };
                assert_eq!(e.target(), expected, "{e}");
            }
        }
    }
});
