//! The passwords this process has been given, in every form a message could show them, so that
//! whatever quotes one (an error of a proxy, a script error that shows the source line holding
//! a proxy URL, a test report) can hide it. A password is remembered when a proxy setting that
//! holds it is accepted.

use std::sync::Mutex;

static FORMS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Every form of `password` a message could show (none under 3 bytes: hiding every "a" would make
/// a message unreadable and protect nothing), and the Basic token that carries it.
pub(crate) fn forms(password: Option<&str>, basic_token: Option<String>) -> Vec<String> {
    let mut forms: Vec<String> = basic_token.into_iter().collect();
    if let Some(p) = password.filter(|p| p.len() >= 3) {
        forms.push(percent_encode(p));
        // As quoted in a message's `{:?}` of what a peer said (`"` and `\` escaped).
        let quoted = format!("{p:?}");
        forms.push(quoted.trim_matches('"').to_string());
        forms.push(p.to_string());
    }
    forms
}

/// Every byte but RFC 3986's unreserved ones as `%XX`: the form a password takes in a URL.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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
