//! TLS settings. The handshake itself is not built yet: `connect` refuses a TLS setting with a
//! `settings` error that says so, rather than sending plain text.

use std::path::PathBuf;

/// What the script asked of TLS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Skip the chain and name checks (handshake signatures are still checked).
    pub accept_invalid_certs: bool,
    /// A PEM file whose certificates are added to the trusted roots.
    pub ca_cert_path: Option<PathBuf>,
}
