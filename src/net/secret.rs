//! The passwords this process has been given, in every form a message could show them, so that
//! whatever quotes one (an error of a proxy, a script error that shows the source line holding
//! a proxy URL, a test report) can hide it. A password is remembered when a proxy setting that
//! holds it is accepted.

use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};

static FORMS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Every form of `password` a message could show (none under 3 bytes: hiding every "a" would make
/// a message unreadable and protect nothing), and the Basic token that carries it. A hostile
/// proxy can quote what we sent back in any encoding it likes; these are the ones its software
/// reaches for: percent-encoding in either case, with or without `/` kept (Python's `quote`),
/// `{:?}` and JSON string escapes (`ensure_ascii` too), base64 (standard and URL-safe, with and
/// without padding), hex in either case.
pub(crate) fn forms(password: Option<&str>, basic_token: Option<String>) -> Vec<String> {
    let mut forms: Vec<String> = basic_token.into_iter().collect();
    if let Some(p) = password.filter(|p| p.len() >= 3) {
        for keep_slash in [false, true] {
            let upper = percent_encode(p, keep_slash);
            forms.push(lower_escapes(&upper));
            forms.push(upper);
        }
        // As quoted in a message's `{:?}` of what a peer said (`"` and `\` escaped).
        let quoted = format!("{p:?}");
        forms.push(quoted.trim_matches('"').to_string());
        forms.push(json_escape(p, false));
        forms.push(json_escape(p, true));
        for engine in [&STANDARD, &URL_SAFE] {
            let b64 = engine.encode(p);
            forms.push(b64.trim_end_matches('=').to_string());
            forms.push(b64);
        }
        let hex: String = p.bytes().map(|b| format!("{b:02x}")).collect();
        forms.push(hex.to_uppercase());
        forms.push(hex);
        forms.push(p.to_string());
        // Our messages quote what a proxy said with `{:?}`, which escapes each form once more.
        let escaped: Vec<String> = forms
            .iter()
            .map(|f| format!("{f:?}").trim_matches('"').to_string())
            .collect();
        forms.extend(escaped);
    }
    forms.retain(|f| f.len() >= 3);
    forms.sort();
    forms.dedup();
    // Longest first, so that a form holding a shorter one (a padded base64, a Basic token) is
    // hidden whole.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms
}

/// Every byte but RFC 3986's unreserved ones (and `/` when `keep_slash`) as `%XX`: the form a
/// password takes in a URL.
fn percent_encode(s: &str, keep_slash: bool) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b'/' if keep_slash => "/".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `%3A` as `%3a`: percent-encoding with lowercase hex, which RFC 3986 allows.
fn lower_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut hex_left = 0;
    for c in s.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            if c == '%' {
                hex_left = 2;
            }
            out.push(c);
        }
    }
    out
}

/// The inside of a JSON string holding `s`; with `ascii_only`, as Python's `json.dumps` writes
/// it by default (everything past ASCII as `\uXXXX`, in UTF-16 units).
fn json_escape(s: &str, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || (ascii_only && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Hides `password` (in every form of [`forms`]) in messages from now on: for a password that a
/// script holds before any proxy setting is accepted (`GetProxySettings`'s map), and for one as
/// written in a URL (`s3%63ret`, which decodes to a password whose canonical forms differ).
pub fn hide_secret(password: &str) {
    remember(forms(Some(password), None));
}

/// Remembers `forms` (a password as is, encoded, inside a Basic token); empty ones are skipped.
pub(crate) fn remember(forms: impl IntoIterator<Item = String>) {
    let mut known = FORMS.lock().unwrap_or_else(|p| p.into_inner());
    for f in forms {
        if !f.is_empty() && !known.contains(&f) {
            known.push(f);
        }
    }
    // Longest first: a Basic token may hold a shorter form's text.
    known.sort_by_key(|f| std::cmp::Reverse(f.len()));
}

/// `text` with every remembered form replaced by `***`.
pub fn redact(text: &str) -> String {
    let known = FORMS.lock().unwrap_or_else(|p| p.into_inner());
    known
        .iter()
        .fold(text.to_string(), |t, f| t.replace(f.as_str(), "***"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_a_proxy_could_quote_back() {
        let f = forms(Some("p/ss:wörd\""), None);
        for want in [
            "p/ss:wörd\"",
            "p%2Fss%3Aw%C3%B6rd%22",
            "p%2fss%3aw%c3%b6rd%22",
            "p/ss%3Aw%C3%B6rd%22",
            "p/ss%3aw%c3%b6rd%22",
            "p/ss:wörd\\\"",
            "p/ss:w\\u00f6rd\\\"",
            "cC9zczp3w7ZyZCI=",
            "cC9zczp3w7ZyZCI",
            "702f73733a77c3b6726422",
            "702F73733A77C3B6726422",
        ] {
            assert!(f.iter().any(|x| x == want), "{want} missing from {f:?}");
        }
        assert!(forms(Some("ab"), None).is_empty());
    }

    #[test]
    fn a_hidden_password_is_hidden_in_every_form() {
        hide_secret("hunter2-secret");
        for text in [
            "hunter2-secret",
            "68756e746572322d736563726574",
            "aHVudGVyMi1zZWNyZXQ=",
        ] {
            assert_eq!(redact(&format!("said {text}!")), "said ***!", "{text}");
        }
    }
}
