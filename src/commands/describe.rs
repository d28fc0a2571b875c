//! `opi-tcp functions` and `opi-tcp defs`: the script functions as a list of signatures, as the
//! Markdown API reference (`docs/api.md`), and as Rhai definition files (`.d.rhai`) for editors.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use opi_tcp::script;
use rhai::{Array, Dynamic, Map};

pub(super) fn functions(filter: Option<&str>, markdown: bool) -> Result<ExitCode> {
    if markdown {
        outln!("{}", reference(filter)?.trim_end());
    } else {
        for line in script::function_list(filter) {
            outln!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn defs(dir: &PathBuf) -> Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    script::documented_engine()
        .definitions()
        .with_headers(true)
        .include_standard_packages(false)
        .write_to_dir(dir)
        .with_context(|| format!("writing definitions to {}", dir.display()))?;
    errln!("wrote Rhai definitions to {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

const REFERENCE_HEAD: &str = "\
# API reference

<!-- Generated: `cargo run -- functions --markdown > docs/api.md`. Do not edit by hand. -->

Every function a script can call, in the groups of `opi-tcp functions`, with the doc comments
the engine holds (what `opi-tcp defs` writes for editors). It is generated from the engine's
metadata, and `cargo test` fails when this file differs from it. `Dynamic` is any value: see
\"Arguments convert as OPI's\" in [opi-differences.md](opi-differences.md). Behaviour in depth
(deadlines, what a read keeps, errors, the server's limits) is in [guide.md](guide.md).
";

/// One name of the listing: its signatures (with their marks) and their doc comments.
struct Name {
    name: String,
    overloads: Vec<(String, String)>,
}

impl Name {
    /// OPI's English names and our own: not a Russian name, not marked as an alias.
    fn is_primary(&self) -> bool {
        self.name.is_ascii() && !self.overloads.iter().any(|(s, _)| s.contains("(alias of"))
    }

    /// Whether each overload of `self` is one of `other`'s: the same parameters, the same doc.
    fn is_documented_as(&self, other: &Name) -> bool {
        self.overloads.iter().all(|(sig, doc)| {
            !doc.is_empty()
                && other
                    .overloads
                    .iter()
                    .any(|(theirs, their_doc)| their_doc == doc && params(theirs) == params(sig))
        })
    }
}

/// `opi-tcp functions --markdown`: the listing of `function_list`, each name with its
/// signatures and doc comments. A name whose every overload is documented as one of OPI's
/// English names or ours (OPI's Russian names, our aliases) points at that name instead of
/// repeating it.
fn reference(filter: Option<&str>) -> Result<String> {
    let docs = doc_comments()?;
    let mut groups: Vec<(String, Vec<Name>)> = Vec::new();
    for line in script::function_list(filter) {
        let Some(entry) = line.strip_prefix("  ") else {
            groups.push((line, Vec::new()));
            continue;
        };
        let Some((_, names)) = groups.last_mut() else {
            continue;
        };
        let (name, key) = key_of(entry);
        let overload = (
            entry.to_string(),
            docs.get(&key).cloned().unwrap_or_default(),
        );
        match names.last_mut() {
            Some(last) if last.name == name => last.overloads.push(overload),
            _ => names.push(Name {
                name,
                overloads: vec![overload],
            }),
        }
    }
    let primaries: Vec<&Name> = groups
        .iter()
        .flat_map(|(_, names)| names)
        .filter(|n| n.is_primary())
        .collect();
    let mut out = String::from(REFERENCE_HEAD);
    for (heading, names) in &groups {
        out.push_str(&format!("\n## {heading}\n"));
        for name in names {
            let twin = (!name.is_primary())
                .then(|| primaries.iter().find(|p| name.is_documented_as(p)))
                .flatten();
            write_name(&mut out, name, twin.map(|t| t.name.as_str()));
        }
    }
    Ok(out)
}

/// One name: each signature as an item, followed by its doc comment once for the overloads in a
/// row that share it; or, for another name of `twin`'s, its signatures and a pointer.
fn write_name(out: &mut String, name: &Name, twin: Option<&str>) {
    out.push_str(&format!("\n### `{}`\n\n", name.name));
    let overloads = &name.overloads;
    let mut i = 0;
    while i < overloads.len() {
        let doc = &overloads[i].1;
        let run = overloads[i..].iter().take_while(|(_, d)| d == doc).count();
        for (entry, _) in &overloads[i..i + run] {
            let sig = signature(entry);
            match entry[sig.len()..].trim() {
                "" => out.push_str(&format!("- `{sig}`\n")),
                mark => out.push_str(&format!("- `{sig}` {mark}\n")),
            }
        }
        if twin.is_none() && !doc.is_empty() {
            out.push('\n');
            for line in doc.lines() {
                match line {
                    "" => out.push('\n'),
                    line => out.push_str(&format!("  {line}\n")),
                }
            }
            if i + run < overloads.len() {
                out.push('\n');
            }
        }
        i += run;
    }
    if let Some(twin) = twin {
        out.push_str(&format!("\nThe same as [`{twin}`](#{}).\n", anchor(twin)));
    }
}

/// GitHub's anchor of a `### `name`` heading: lowercase, punctuation but `-` and `_` dropped.
fn anchor(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A listing entry's name (`OPI_TCP::ReadLine`, `conn.eof`) and the key of its doc comment.
fn key_of(entry: &str) -> (String, String) {
    let sig = signature(entry);
    match sig.split_once('(') {
        Some((name, _)) => (name.to_string(), format!("{name}({})", params(sig))),
        // A property, `conn.eof -> bool`: Rhai's getter `get$eof(conn)`.
        None => {
            let name = sig.split(" ->").next().unwrap_or(sig).trim();
            let (object, prop) = name.split_once('.').unwrap_or(("", name));
            (name.to_string(), format!("get${prop}({object})"))
        }
    }
}

/// An entry without its mark: `SendLine(conn: TcpClient, …) -> bool`.
fn signature(entry: &str) -> &str {
    entry.split("  (").next().unwrap_or(entry)
}

/// The parameter names of a signature, `conn, text`.
fn params(sig: &str) -> String {
    let sig = signature(sig);
    let inner = sig
        .split_once('(')
        .and_then(|(_, rest)| rest.rsplit_once(')'))
        .map_or("", |(inner, _)| inner);
    inner
        .split(',')
        .map(|p| p.split(':').next().unwrap_or(p).trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The doc comments of every registered function, by `name(param names)` (`OPI_TCP::` for the
/// module's), without their `///`, read from the engine's JSON metadata.
fn doc_comments() -> Result<HashMap<String, String>> {
    let engine = script::documented_engine();
    let json = engine
        .gen_fn_metadata_to_json(false)
        .context("the engine's metadata")?;
    let meta = engine
        .parse_json(json, true)
        .map_err(|e| anyhow!("reading the engine's metadata: {e}"))?;
    let mut docs = HashMap::new();
    collect(&meta, "", &mut docs);
    if let Some(modules) = meta
        .get("modules")
        .and_then(|m| m.clone().try_cast::<Map>())
    {
        for (module, body) in modules {
            if let Some(body) = body.try_cast::<Map>() {
                collect(&body, &format!("{module}::"), &mut docs);
            }
        }
    }
    Ok(docs)
}

fn collect(module: &Map, prefix: &str, docs: &mut HashMap<String, String>) {
    let functions = module
        .get("functions")
        .and_then(|f| f.clone().try_cast::<Array>());
    for f in functions.unwrap_or_default() {
        let Some(f) = f.try_cast::<Map>() else {
            continue;
        };
        let text = |v: Option<&Dynamic>| v.and_then(|v| v.clone().into_string().ok());
        let Some(name) = text(f.get("name")) else {
            continue;
        };
        let params: Vec<String> = f
            .get("params")
            .and_then(|p| p.clone().try_cast::<Array>())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| text(p.try_cast::<Map>()?.get("name")))
            .collect();
        let comments: Vec<String> = f
            .get("docComments")
            .and_then(|d| d.clone().try_cast::<Array>())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|d| d.into_string().ok())
            .collect();
        let doc = comments
            .iter()
            .flat_map(|c| c.lines())
            .map(|l| {
                l.trim_start()
                    .trim_start_matches("///")
                    .trim_start_matches(' ')
            })
            .collect::<Vec<_>>()
            .join("\n");
        // A getter is used as `conn.eof` wherever it is registered: keyed without its module.
        let prefix = if name.contains('$') { "" } else { prefix };
        let key = format!("{prefix}{name}({})", params.join(", "));
        docs.entry(key).or_insert_with(|| doc.trim().to_string());
    }
}
