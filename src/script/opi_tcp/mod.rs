//! The `OPI_TCP` module: OPI's English names, their aliases and the Russian names, one
//! registration per arity (Rhai has no default arguments). These files are the only place
//! where OPI's names appear; the behaviour is in `script::{client, server, settings, logging}`.
//!
//! Every overload is named for what it adds (`read_line_with_timeout` takes the timeout too).
//! Every function that does I/O is `volatile`, so the optimizer never runs it at compile time.
//! Functions that take the handle first are `global`, which makes `conn.ReadLine()` work.

mod client;
mod conversation;
mod request;
mod server;
mod settings;

use rhai::Module;

/// The whole `OPI_TCP` module, as scripts see it.
pub(super) fn module() -> Module {
    let mut module = rhai::exported_module!(client::client);
    module.combine_flatten(rhai::exported_module!(request::request));
    module.combine_flatten(rhai::exported_module!(conversation::conversation));
    module.combine_flatten(rhai::exported_module!(settings::settings));
    module.combine_flatten(rhai::exported_module!(server::server));
    module
}
