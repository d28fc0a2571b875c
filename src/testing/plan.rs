//! The plan of a run: which files, which tests in them (in the order written), after the filters
//! and the shard. Every front of the runner (`--list`, in-process, `--jobs`) works from the same
//! plan, so they agree on what "the tests" are.

use std::path::PathBuf;

use anyhow::{Context, Result};
use opi_tcp::script::{self, Shard, Source};
use rhai::{AST, Engine};

/// Which tests to take.
pub(crate) struct Selection<'a> {
    /// Tests whose `file::name` contains one of these (or equals it, with `exact`); none = all.
    pub(crate) filters: &'a [String],
    pub(crate) exact: bool,
    pub(crate) shard: Option<Shard>,
}

/// One file of the plan.
pub(crate) struct File {
    pub(crate) name: String,
    pub(crate) text: String,
    /// The compiled file, or its rendered compile error (then `tests` holds `(compile)`).
    pub(crate) ast: Result<AST, String>,
    pub(crate) tests: Vec<String>,
}

/// The name under which a file that does not compile is reported: one failing "test", so the
/// run cannot pass with it, and exactly one shard reports it.
pub(crate) const COMPILE: &str = "(compile)";

/// Collects `*.rhai` files: the paths given, folders searched recursively, sorted.
///
/// Links are followed (a test folder may be a link), but a link back up the tree is skipped
/// with a warning instead of walking it again, and a file reached twice runs once. Hidden
/// folders (`.git`) and `target` are not searched, as pytest and cargo skip theirs: given `.`
/// in a Rust checkout, they hold copies and build output, not tests.
fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let defaults = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    for p in paths {
        if !p.is_dir() {
            files.push(p.clone());
            continue;
        }
        let walk = walkdir::WalkDir::new(p)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !skipped_folder(e));
        for entry in walk {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    if e.path().extension().is_some_and(|x| x == "rhai") {
                        files.push(e.into_path());
                    }
                }
                Ok(_) => {}
                Err(e) if e.loop_ancestor().is_some() => {
                    let at = e
                        .path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                    eprintln!("warning: {at} links back to a folder above it; not searched twice");
                }
                Err(e) => {
                    let at = e.path().unwrap_or(p).display().to_string();
                    return Err(anyhow::Error::new(e).context(format!("reading {at}")));
                }
            }
        }
    }
    files.sort();
    files.dedup();
    // The same file under two names (through a link) is one file.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    Ok(files)
}

fn skipped_folder(e: &walkdir::DirEntry) -> bool {
    let name = e.file_name().to_string_lossy();
    e.file_type().is_dir() && (name.starts_with('.') || name == "target")
}

/// Reads and compiles the files, lists their tests and keeps the selected ones. Files left with
/// no test are dropped.
pub(crate) fn plan(engine: &Engine, paths: &[PathBuf], sel: &Selection) -> Result<Vec<File>> {
    let mut files = Vec::new();
    for path in collect(paths)? {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {name}"))?;
        let (ast, tests) = match engine.compile(script::strip_shebang(&text)) {
            Ok(ast) => {
                let tests = tests_of(&ast, &text);
                (Ok(ast), tests)
            }
            Err(e) => {
                let src = Source {
                    name: &name,
                    text: &text,
                };
                (
                    Err(script::render(&src, &e.into())),
                    vec![COMPILE.to_string()],
                )
            }
        };
        files.push(File {
            name,
            text,
            ast,
            tests,
        });
    }
    let mut position = 0;
    for file in &mut files {
        let name = file.name.clone();
        file.tests.retain(|t| {
            let id = format!("{name}::{t}");
            let matches = sel.filters.is_empty()
                || sel.filters.iter().any(|f| match sel.exact {
                    true => id == *f,
                    false => id.contains(f.as_str()),
                });
            // Round robin over the filtered list: deterministic on every machine with the same
            // checkout, and shards differ in size by at most one test.
            let in_shard = sel
                .shard
                .is_none_or(|s| !matches || position % s.count == s.index - 1);
            position += usize::from(matches);
            matches && in_shard
        });
    }
    files.retain(|f| !f.tests.is_empty());
    Ok(files)
}

/// The `fn test_*()` of a file without parameters, in the order they are written.
fn tests_of(ast: &AST, text: &str) -> Vec<String> {
    let mut tests: Vec<String> = ast
        .iter_functions()
        .filter(|f| f.name.starts_with("test_") && f.params.is_empty())
        .map(|f| f.name.to_string())
        .collect();
    tests.sort_by_key(|t| text.find(&format!("fn {t}(")).unwrap_or(usize::MAX));
    tests
}
