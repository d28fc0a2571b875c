//! `opi-tcp functions` and `opi-tcp defs`: the script functions as a list of signatures, and as
//! Rhai definition files (`.d.rhai`) for editors.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use opi_tcp::script;

pub(super) fn functions(filter: Option<&str>) {
    for line in script::function_list(filter) {
        outln!("{line}");
    }
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
