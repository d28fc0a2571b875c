//! The files of the TLS settings: the CA file (`ca_cert_path`) and the client certificate and
//! key, read as PEM. A file that cannot be used is a `settings` error naming it, found before
//! any byte is sent.

use std::path::Path;

use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::net::error::{Error, ErrorKind, Phase, Result, io_detail, lowercase_first};

pub(super) type ClientIdentity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

pub(super) fn settings_error(peer: &str, detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::Settings, Phase::Settings, peer, detail)
}

/// Every certificate of a PEM file; none at all is an error too (a key file or a DER file given
/// by mistake would otherwise trust nothing, silently).
pub(super) fn load_ca_file(path: &Path, peer: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs = read_pem_certs(path).map_err(|why| {
        settings_error(
            peer,
            format!("cannot use the TLS CA file '{}': {why}", path.display()),
        )
    })?;
    Ok(certs)
}

fn read_pem_certs(path: &Path) -> std::result::Result<Vec<CertificateDer<'static>>, String> {
    let iter = CertificateDer::pem_file_iter(path).map_err(|e| pem_error(&e))?;
    let certs = iter
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| pem_error(&e))?;
    if certs.is_empty() {
        return Err("it holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into());
    }
    Ok(certs)
}

fn pem_error(e: &rustls::pki_types::pem::Error) -> String {
    match e {
        rustls::pki_types::pem::Error::Io(io) => io_detail(io),
        other => format!(
            "it is not valid PEM ({})",
            lowercase_first(&other.to_string())
        ),
    }
}

/// A PEM key file whose key is encrypted: PKCS#8 (`ENCRYPTED PRIVATE KEY`) or OpenSSL's
/// legacy form (`Proc-Type: 4,ENCRYPTED` in a `RSA PRIVATE KEY`).
fn is_encrypted_key(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|bytes| {
        let text = String::from_utf8_lossy(&bytes);
        text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
            || text.contains("Proc-Type: 4,ENCRYPTED")
    })
}

pub(super) fn client_identity(
    cert: &Path,
    key: Option<&Path>,
    peer: &str,
) -> Result<ClientIdentity> {
    let chain = read_pem_certs(cert).map_err(|why| {
        settings_error(
            peer,
            format!(
                "cannot use the TLS client certificate file '{}': {why}",
                cert.display()
            ),
        )
    })?;
    let key_path = key.unwrap_or(cert);
    if is_encrypted_key(key_path) {
        // Decrypting needs PKCS#8's PBES2 (and scrypt, AES, 3DES for older files); a key a
        // script must unlock is rare enough that a clear way out beats that much code.
        return Err(settings_error(
            peer,
            format!(
                "cannot use the TLS client key file '{}': the private key is encrypted (a \
                 passphrase protects it), which opi-tcp does not read; write a decrypted copy \
                 with `openssl pkey -in KEY -out KEY.plain`, keep it private, and give that",
                key_path.display()
            ),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| {
        let why = match e {
            rustls::pki_types::pem::Error::NoItemsFound => {
                "it holds no PEM private key".to_string()
            }
            other => pem_error(&other),
        };
        settings_error(
            peer,
            format!(
                "cannot use the TLS client key file '{}': {why}",
                key_path.display()
            ),
        )
    })?;
    Ok((chain, key))
}
