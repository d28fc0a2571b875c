//! "Did you mean": the registered functions closest to a name a script called that does not
//! exist, as Python and rustc answer. BSL is case-insensitive and Rhai is not, so a name that
//! differs only in case (`OPI_TCP::createconnection`) is the first suggestion; then names within
//! a couple of edits. Argument types are shown in script words (`string`, `int`), not Rhai's.

use std::sync::OnceLock;

/// `Function not found: NAME (TYPES)` in script words, with the closest names.
pub(crate) fn not_found(signature: &str) -> String {
    let (name, types) = match signature.split_once(" (") {
        Some((n, t)) => (n.trim(), format!(" ({}", script_types(t))),
        None => (signature.trim(), String::new()),
    };
    let mut out = format!("Function not found: {name}{types}");
    let close = closest(name);
    if !close.is_empty() {
        out.push_str(&format!("; did you mean {}?", close.join(" or ")));
    }
    out
}

fn script_types(types: &str) -> String {
    types
        .replace("&str | ImmutableString | String", "string")
        .replace("ImmutableString", "string")
        .replace("i64", "int")
        .replace("f64", "float")
}

/// Every function name a script can call: `OPI_TCP::X` (also callable as a method `conn.X`),
/// the helpers and assertions, and Rhai's standard functions.
fn names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = super::documented_engine()
            .gen_fn_signatures(true)
            .into_iter()
            .filter_map(|s| s.split('(').next().map(str::to_string))
            .filter(|n| !n.contains('$') && !n.is_empty())
            .collect();
        names.sort();
        names.dedup();
        names
    })
}

/// Up to three names: those equal but for case first, then the nearest by edit distance. A
/// method call (`conn.Readline`) is matched against the module's names without the prefix.
fn closest(name: &str) -> Vec<String> {
    let wanted = name.to_lowercase();
    let qualified = name.contains("::");
    let mut scored: Vec<(usize, String)> = names()
        .iter()
        .filter_map(|full| {
            let candidate = match (qualified, full.strip_prefix("OPI_TCP::")) {
                (false, Some(bare)) => bare,
                _ => full.as_str(),
            };
            let d = distance(&wanted, &candidate.to_lowercase());
            let allowed = (wanted.chars().count() / 4).clamp(1, 3);
            (d <= allowed && candidate != name).then(|| (d, candidate.to_string()))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// The candidate nearest to `word` (case-insensitive, within a couple of edits), if any: for the
/// command line's "did you mean `request`?".
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let wanted = word.to_lowercase();
    let allowed = (wanted.chars().count() / 3).clamp(2, 3);
    candidates
        .iter()
        .map(|c| (distance(&wanted, &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= allowed)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(here + 1);
            prev = here;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelled_and_miscased_names_find_the_real_one() {
        assert_eq!(distance("kitten", "sitting"), 3);
        let m = not_found("OPI_TCP::createconnection (&str | ImmutableString | String)");
        assert!(m.contains("(string)"), "{m}");
        assert!(m.contains("did you mean OPI_TCP::CreateConnection"), "{m}");
        assert!(
            not_found("OPI_TCP::CreateConection (string)").contains("OPI_TCP::CreateConnection")
        );
        assert!(not_found("Readline (TcpClient, i64)").contains("did you mean ReadLine"));
        assert!(not_found("GetTLSsettings (bool)").contains("GetTlsSettings"));
        assert!(!not_found("zzzzzzzzzzzz ()").contains("did you mean"));
    }
}
