//! The one integration-test binary: in-process peers (`common`), the script contract
//! (`script`), the command line (`cli`), the example scripts (`scripts`) and the tests against
//! the real peers of `../shared/test-peers` (`peers`, run only with `OPI_TCP_PEERS=1`).

mod cli;
mod common;
mod opi;
mod peers;
mod proxy;
mod runner;
mod script;
mod scripts;
mod server;
mod tls;
