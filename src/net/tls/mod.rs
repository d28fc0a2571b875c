//! TLS for a connection: the settings ([`TlsOptions`]) and the rustls client configuration they
//! stand for, checked before any I/O and run as one handshake ([`TlsPlan`]). Handshake failures
//! are put in a user's words by [`describe`].
//!
//! Every configuration is built on the ring provider with `builder_with_provider`, never with
//! `ClientConfig::builder()`: that one panics when a second provider is ever compiled in.
//!
//! Trust: the system store (rustls-native-certs, which honours `SSL_CERT_FILE` / `SSL_CERT_DIR`),
//! or the bundled Mozilla roots (webpki-roots) when the system store is empty or unreadable, plus
//! every certificate of the PEM file in `ca_cert_path`; one of those shown by the server itself
//! is trusted as it is, even a CA certificate ([`verify`]). The system roots are loaded once per
//! process, and the default verified configuration is built once, so a script that opens a
//! thousand connections does not read the certificate store a thousand times.
//!
//! The name checked and sent as SNI is the host of the target as the user wrote it (or
//! `server_name` when given). An IP address is checked against the certificate's IP SANs and
//! sends no SNI (RFC 6066), which is what rustls does with `ServerName::IpAddress`.
//!
//! `accept_invalid_certs` skips the chain and name checks (the verifier is in [`danger`]) but still
//! verifies the handshake signatures, so the peer must own the key of the certificate it shows. It prints one
//! warning line to stderr per process, because a silently disabled check is how test settings
//! end up in production.
//!
//! Settings problems (an unreadable CA file, a client key that does not fit) are found before
//! any byte is sent and are `settings` errors naming the file.

mod danger;
mod der;
mod describe;
mod files;
pub(super) mod framing;
mod verify;

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Once, OnceLock};

use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::crypto::{self, CryptoProvider};
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use super::address::{Host, Target};
use super::connection::Io;
use super::deadline::Deadline;
use super::error::{Error, ErrorKind, Phase, Result, lowercase_first};
use files::{ClientIdentity, client_identity, load_ca_file, settings_error};
use framing::Framed;

/// The one line printed when certificate checks are turned off.
const INSECURE_WARNING: &str =
    "warning: TLS certificate verification is disabled (accept_invalid_certs)";

/// What the script asked of TLS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Skip the chain and name checks (handshake signatures are still checked).
    pub accept_invalid_certs: bool,
    /// A PEM file whose certificates are added to the trusted roots.
    pub ca_cert_path: Option<PathBuf>,
    /// A PEM file with the client certificate chain, for servers that ask for one (mutual TLS).
    pub client_cert_path: Option<PathBuf>,
    /// The PEM file with the client certificate's private key; when absent the key is looked for
    /// in `client_cert_path`.
    pub client_key_path: Option<PathBuf>,
    /// The name to send as SNI and to check the certificate against, instead of the target's host
    /// (for a server reached by IP or through an alias).
    pub server_name: Option<String>,
    /// A close without close_notify on a record boundary is an error too, not only one that
    /// cuts a record: for protocols whose messages do not say where they end.
    pub strict_close: bool,
}

/// A checked TLS plan: the configuration and the name, ready before any I/O.
#[derive(Clone)]
pub(crate) struct TlsPlan {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
}

impl std::fmt::Debug for TlsPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsPlan")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl TlsPlan {
    /// Builds the configuration `opts` ask for and the name to verify; `peer` names the target
    /// in errors.
    pub(crate) fn new(target: &Target, opts: &TlsOptions, peer: &str) -> Result<TlsPlan> {
        let name = server_name(target, opts, peer)?;
        let config = client_config(opts, peer)?;
        Ok(TlsPlan { config, name })
    }

    /// The name the certificate is checked against (and the SNI, unless it is an IP).
    pub(crate) fn name(&self) -> String {
        name_text(&self.name)
    }

    /// Runs the handshake over `stream` before `deadline` (the connect deadline). The stream
    /// is [`Framed`], so that a read can tell a cut inside a record from a close between two.
    pub(crate) async fn handshake<S: Io>(
        &self,
        stream: S,
        deadline: &Deadline,
        peer: &str,
    ) -> Result<TlsStream<Framed<S>>> {
        let connector = TlsConnector::from(self.config.clone());
        deadline
            .run(
                Phase::Tls,
                peer,
                connector.connect(self.name.clone(), Framed::new(stream)),
            )
            .await?
            .map_err(|e| {
                Error::new(
                    ErrorKind::Tls,
                    Phase::Tls,
                    peer,
                    describe::describe_io(&e, &self.name(), peer),
                )
            })
    }
}

fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(crypto::ring::default_provider()))
        .clone()
}

fn server_name(target: &Target, opts: &TlsOptions, peer: &str) -> Result<ServerName<'static>> {
    if let Some(name) = opts.server_name.as_deref().filter(|n| !n.is_empty()) {
        return ServerName::try_from(name.to_string()).map_err(|_| {
            settings_error(
                peer,
                format!("TLS server_name '{name}' is not a valid DNS name or IP address"),
            )
        });
    }
    match &target.host {
        Host::Ip(ip) => Ok(ServerName::IpAddress((*ip).into())),
        Host::Name(name) => ServerName::try_from(name.clone()).map_err(|_| {
            Error::new(
                ErrorKind::Address,
                Phase::Address,
                peer,
                format!("'{name}' is not a valid DNS name for TLS"),
            )
        }),
    }
}

fn name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(n) => n.as_ref().to_string(),
        ServerName::IpAddress(ip) => IpAddr::from(*ip).to_string(),
        other => other.to_str().into_owned(),
    }
}

/// The configuration for `opts`: a shared one for the common cases, a fresh one when a file is
/// involved (so an edited CA file takes effect on the next connection).
fn client_config(opts: &TlsOptions, peer: &str) -> Result<Arc<ClientConfig>> {
    static VERIFIED: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    static INSECURE: OnceLock<Arc<ClientConfig>> = OnceLock::new();

    let client_auth = match &opts.client_cert_path {
        Some(cert) => Some(client_identity(
            cert,
            opts.client_key_path.as_deref(),
            peer,
        )?),
        None if opts.client_key_path.is_some() => {
            return Err(settings_error(
                peer,
                "a TLS client key was given without a client certificate",
            ));
        }
        None => None,
    };

    if opts.accept_invalid_certs {
        warn_insecure_once();
        // The CA file is still read: a wrong path is a mistake worth reporting even when it
        // does not matter for this connection.
        if let Some(path) = &opts.ca_cert_path {
            load_ca_file(path, peer)?;
        }
        let cached = client_auth.is_none();
        if cached && let Some(c) = INSECURE.get() {
            return Ok(c.clone());
        }
        let p = provider();
        let builder = ClientConfig::builder_with_provider(p.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| provider_error(&e, peer))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(danger::AcceptAnyCert {
                algorithms: p.signature_verification_algorithms,
            }));
        let config = Arc::new(finish(builder, client_auth, peer)?);
        if cached {
            let _ = INSECURE.set(config.clone());
        }
        return Ok(config);
    }

    let cached = client_auth.is_none() && opts.ca_cert_path.is_none();
    if cached && let Some(c) = VERIFIED.get() {
        return Ok(c.clone());
    }
    let mut roots = (*system_roots()).clone();
    let mut given = Vec::new();
    if let Some(path) = &opts.ca_cert_path {
        given = load_ca_file(path, peer)?;
        for cert in given.iter().cloned() {
            roots.add(cert).map_err(|e| {
                settings_error(
                    peer,
                    format!(
                        "a certificate in the TLS CA file '{}' cannot be used as a root: {}",
                        path.display(),
                        lowercase_first(&e.to_string())
                    ),
                )
            })?;
        }
    }
    let p = provider();
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), p.clone())
        .build()
        .map_err(|e| {
            settings_error(
                peer,
                format!(
                    "the trusted TLS roots cannot be used: {}",
                    lowercase_first(&e.to_string())
                ),
            )
        })?;
    let builder = ClientConfig::builder_with_provider(p)
        .with_safe_default_protocol_versions()
        .map_err(|e| provider_error(&e, peer))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verify::Verifier::new(webpki, given)));
    let config = Arc::new(finish(builder, client_auth, peer)?);
    if cached {
        let _ = VERIFIED.set(config.clone());
    }
    Ok(config)
}

fn finish(
    builder: rustls::ConfigBuilder<ClientConfig, rustls::client::WantsClientCert>,
    client_auth: Option<ClientIdentity>,
    peer: &str,
) -> Result<ClientConfig> {
    match client_auth {
        None => Ok(builder.with_no_client_auth()),
        Some((chain, key)) => builder.with_client_auth_cert(chain, key).map_err(|e| {
            settings_error(
                peer,
                format!(
                    "the TLS client certificate and key cannot be used together: {}",
                    lowercase_first(&e.to_string())
                ),
            )
        }),
    }
}

fn provider_error(e: &rustls::Error, peer: &str) -> Error {
    Error::new(
        ErrorKind::Tls,
        Phase::Settings,
        peer,
        format!(
            "the TLS provider cannot be configured: {}",
            lowercase_first(&e.to_string())
        ),
    )
}

fn warn_insecure_once() {
    static WARNED: Once = Once::new();
    // Not `eprintln!`, which panics when stderr is a closed pipe.
    WARNED.call_once(|| {
        let _ = writeln!(std::io::stderr(), "{INSECURE_WARNING}");
    });
}

/// The system roots, or the bundled Mozilla roots when the system offers none we can use.
fn system_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut roots = RootCertStore::empty();
            // Unreadable files are reported in `errors`; whatever did load is still good.
            let native = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(native.certs);
            if roots.is_empty() {
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
            Arc::new(roots)
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ip_target_is_checked_as_an_ip() {
        let t = Target::parse("127.0.0.1:443").unwrap();
        let n = server_name(&t, &TlsOptions::default(), "p").unwrap();
        assert!(matches!(n, ServerName::IpAddress(_)));
        let t = Target::parse("localhost:443").unwrap();
        let n = server_name(&t, &TlsOptions::default(), "p").unwrap();
        assert_eq!(name_text(&n), "localhost");
    }

    #[test]
    fn a_missing_ca_file_is_a_settings_error_naming_it() {
        let opts = TlsOptions {
            ca_cert_path: Some("/nonexistent/ca.pem".into()),
            ..TlsOptions::default()
        };
        let e = client_config(&opts, "h:1").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Settings);
        assert!(e.detail().contains("/nonexistent/ca.pem"), "{e}");
    }
}
