//! `opi-tcp tcp METHOD …`: OPI's CLI form, the library word then OPI's method with OPI's options.
//! `ProcessRequest` is `opi-tcp request`; the settings methods print the structure the script
//! function returns, as JSON, so that `--proxy "$(opi-tcp tcp GetProxySettings …)"` works.

use std::process::ExitCode;

use anyhow::Result;
use opi_tcp::script::{self, Session};
use rhai::{Dynamic, Scope};

use crate::cli::TcpMethod;

pub(super) fn tcp(session: Session, method: TcpMethod) -> Result<ExitCode> {
    let mut scope = Scope::new();
    let text = |v: Option<String>| v.map_or(Dynamic::UNIT, Dynamic::from);
    let code = match method {
        TcpMethod::ProcessRequest(args) => return super::request::request(session, args),
        TcpMethod::GetProxySettings(a) => {
            scope.push("addr", a.addr);
            scope.push("port", a.port);
            scope.push("kind", a.kind);
            scope.push("login", text(a.login));
            scope.push("pass", text(a.pass));
            "OPI_TCP::GetProxySettings(addr, port, kind, login, pass)"
        }
        TcpMethod::GetTlsSettings(a) => {
            scope.push("trust", a.trust);
            scope.push("cert", text(a.cert));
            "OPI_TCP::GetTlsSettings(trust, cert)"
        }
        TcpMethod::GetLoggingSettings(a) => {
            scope.push("memory", a.memory);
            scope.push("count", a.count);
            scope.push("path", text(a.path));
            "OPI_TCP::GetLoggingSettings(memory, count, path)"
        }
    };
    let value = script::engine_with(session)
        .eval_with_scope::<Dynamic>(&mut scope, code)
        .map_err(|e| anyhow::anyhow!("{}", script::message(&e)))?;
    outln!("{}", script::to_json(&value));
    Ok(ExitCode::SUCCESS)
}
