//! `opi-tcp test`: checks the arguments once, here, and hands the runner options it can trust.

use std::ffi::OsString;
use std::process::ExitCode;

use anyhow::Result;
use opi_tcp::script::{self, Session};

use crate::cli::{Common, TestArgs};
use crate::exit;
use crate::testing::{self, Options};

pub(super) fn test(session: Session, common: &Common, args: TestArgs) -> Result<ExitCode> {
    let timeout = match script::positive_seconds(args.timeout) {
        Some(t) => t,
        None => {
            return Ok(exit::usage(
                "--timeout must be a positive number of seconds",
            ));
        }
    };
    if args.jobs == 0 {
        return Ok(exit::usage("--jobs must be at least 1"));
    }
    if let Some(p) = args.paths.iter().find(|p| !p.exists()) {
        return Ok(exit::usage(&format!(
            "no such file or folder: {}",
            p.display()
        )));
    }
    let mut params = Vec::with_capacity(args.params.len());
    for p in &args.params {
        match script::parse_param(p) {
            Ok(kv) => params.push(kv),
            Err(e) => return Ok(exit::usage(&e)),
        }
    }
    let opts = Options {
        child_args: child_args(common, &args),
        paths: args.paths,
        filters: args.filters,
        exact: args.exact,
        shard: args.shard,
        list: args.list,
        jobs: args.jobs,
        child: args.child_report,
        params,
        params_file: args.params_file,
        junit: args.junit,
        timeout,
        show_output: args.show_output,
    };
    testing::run(super::engine(session), opts)
}

/// What a `--jobs` child is told so that it runs a test as this process would; the files and
/// tests it runs are added by the runner.
fn child_args(common: &Common, args: &TestArgs) -> Vec<OsString> {
    let mut out: Vec<OsString> = vec!["--timeout".into(), args.timeout.to_string().into()];
    for p in &args.params {
        out.extend(["--param".into(), p.into()]);
    }
    if let Some(file) = &args.params_file {
        out.extend(["--params".into(), file.into()]);
    }
    if let Some(ms) = common.connect_timeout {
        out.extend(["--connect-timeout".into(), ms.to_string().into()]);
    }
    if let Some(max) = common.max_memory {
        out.extend(["--max-memory".into(), max.to_string().into()]);
    }
    out
}
