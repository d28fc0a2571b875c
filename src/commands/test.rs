//! `opi-tcp test`: checks the arguments once, here, and hands the runner options it can trust.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use opi_tcp::script::Session;

use crate::cli::TestArgs;
use crate::exit;
use crate::testing::{self, Options};

pub(super) fn test(session: Session, args: TestArgs) -> Result<ExitCode> {
    // `try_from`: `Duration::from_secs_f64(1e300)` panics.
    let timeout = match Duration::try_from_secs_f64(args.timeout) {
        Ok(t) if !t.is_zero() => t,
        _ => {
            return Ok(exit::usage(
                "--timeout must be a positive number of seconds",
            ));
        }
    };
    if let Some(p) = args.paths.iter().find(|p| !p.exists()) {
        return Ok(exit::usage(&format!(
            "no such file or folder: {}",
            p.display()
        )));
    }
    let mut params = Vec::with_capacity(args.params.len());
    for p in &args.params {
        match p.split_once('=') {
            Some((k, v)) => params.push((k.trim().to_string(), v.to_string())),
            None => return Ok(exit::usage(&format!("--param takes NAME=VALUE, not '{p}'"))),
        }
    }
    let opts = Options {
        paths: args.paths,
        filter: args.filter,
        params,
        params_file: args.params_file,
        junit: args.junit,
        timeout,
    };
    testing::run(super::engine(session), opts)
}
