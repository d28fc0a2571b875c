//! The documentation stays true: `docs/api.md` is what the engine documents, README's first
//! script runs with no server of anyone else's, and the links between the documents resolve.

use std::path::{Path, PathBuf};

use crate::common::*;

const UPDATE_API: &str = "cargo run -- functions --markdown > docs/api.md";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// docs/api.md is generated from the engine's metadata, so it cannot drift from the functions
/// and their doc comments.
#[test]
fn api_md_is_what_the_engine_documents() {
    let out = opi().args(["functions", "--markdown"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let generated = String::from_utf8(out.stdout).unwrap();
    let path = root().join("docs/api.md");
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    if written != generated {
        let line = written
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| written.lines().count().min(generated.lines().count()));
        panic!(
            "docs/api.md is not what the engine documents (first difference at line {}): \
             run `{UPDATE_API}` to update docs/api.md",
            line + 1
        );
    }
    for needle in [
        "### `OPI_TCP::CreateConnection`",
        "### `OPI_TCP::ОткрытьСоединение`",
        "### `conn.last_read`",
        "### `hexdump`",
        "## assertions (additions)",
    ] {
        assert!(generated.contains(needle), "{needle} missing");
    }
}

/// README's first script is the one a newcomer copies: it starts its own server.
#[test]
fn readme_first_script_runs_with_nothing_listening() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let script = readme
        .split("```rhai\n")
        .nth(1)
        .and_then(|block| block.split("```").next())
        .expect("a ```rhai block in README.md");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("first.rhai");
    std::fs::write(&path, script).unwrap();
    opi()
        .arg(&path)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .success()
        .stdout("Hello server!\n\n");
}

/// The Markdown files whose links are checked.
fn documents() -> Vec<PathBuf> {
    let mut files = vec![
        root().join("README.md"),
        root().join("scripts/opi/README.md"),
    ];
    for entry in std::fs::read_dir(root().join("docs")).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "md") {
            files.push(entry.path());
        }
    }
    files
}

/// GitHub's anchors of the headings of a Markdown text (code blocks skipped): lowercase, spaces
/// as `-`, punctuation but `-` and `_` dropped, `-1`, `-2` … for repeats.
fn anchors(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut bases: Vec<String> = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        let Some(title) = line.strip_prefix('#').filter(|_| !in_code) else {
            continue;
        };
        let title = title.trim_start_matches('#').trim();
        let slug: String = title
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let repeats = bases.iter().filter(|b| **b == slug).count();
        found.push(match repeats {
            0 => slug.clone(),
            n => format!("{slug}-{n}"),
        });
        bases.push(slug);
    }
    found
}

/// The relative link targets of a Markdown text, `](target)`, outside code.
fn links(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if in_code {
            continue;
        }
        for part in line.split("](").skip(1) {
            if let Some((target, _)) = part.split_once(')')
                && !target.contains("://")
                && !target.starts_with("mailto:")
            {
                found.push(target.to_string());
            }
        }
    }
    found
}

/// Every relative link of README, docs/ and the porting guide names a file that exists, and an
/// anchor a heading of that file has: moving a section cannot leave a link behind.
#[test]
fn links_between_the_documents_resolve() {
    let mut checked = 0;
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        for link in links(&text) {
            let (file, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                doc.clone()
            } else {
                doc.parent().unwrap().join(file)
            };
            assert!(
                target.exists(),
                "{}: the link ({link}) names {}, which does not exist",
                doc.display(),
                target.display()
            );
            if !anchor.is_empty() {
                let heads = anchors(&std::fs::read_to_string(&target).unwrap());
                assert!(
                    heads.iter().any(|h| h == anchor),
                    "{}: the link ({link}) names no heading of {}",
                    doc.display(),
                    target.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} links checked");
    assert_eq!(
        anchors(
            "# From pwntools / expect\n```\n# not a heading\n```\n## Test runner\n## Test runner"
        ),
        ["from-pwntools--expect", "test-runner", "test-runner-1"]
    );
    assert_eq!(
        links("[a](docs/guide.md#tls) [b](https://x.org)\n```\n[c](d)\n```"),
        ["docs/guide.md#tls"]
    );
}
