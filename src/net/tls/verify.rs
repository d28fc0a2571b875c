//! The server certificate check: rustls' webpki verifier, plus the one certificate it refuses
//! that curl (OpenSSL) accepts, and clearer reasons for the self-signed refusals.
//!
//! A self-signed certificate made the usual way (`openssl req -x509`) says CA:TRUE. webpki
//! refuses any CA certificate as a server's own (`CaUsedAsEndEntity`), before it even looks at
//! the trusted roots, so giving that very certificate as `ca_cert_path` could not trust it. curl
//! `--cacert` does, as OpenSSL trusts a certificate found in its trust store as it is. So does
//! this verifier, for exactly that case: the server shows a certificate **byte for byte equal**
//! to one of the `ca_cert_path` file. What webpki would still have checked is checked here: the
//! validity dates (webpki checks them before the CA flag, so a refusal for the flag means they
//! hold; a test keeps that order honest), the purpose (extended key usage, [`der`]) and the
//! name. The handshake signatures are verified as always, so the server must hold its key. The
//! system roots are never trusted this way, and nothing else is accepted that webpki refuses.
//!
//! [`der`]: super::der

use std::sync::Arc;

use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::client::{WebPkiServerVerifier, verify_server_name};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::server::ParsedCertificate;
use tokio_rustls::rustls::{
    self, CertificateError, DigitallySignedStruct, DistinguishedName, OtherError, SignatureScheme,
};

use super::der::allows_server_auth;

/// Why a certificate was refused, where webpki's own reason would not say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(super) enum Refusal {
    #[error(
        "the certificate is self-signed and not trusted; to trust this server's own \
         certificate, give that certificate's PEM file as ca_cert_path"
    )]
    SelfSigned,
    #[error(
        "the certificate is a CA certificate (CA:TRUE), which cannot identify a server unless \
         that very certificate is given as ca_cert_path"
    )]
    CaAsServer,
}

#[derive(Debug)]
pub(super) struct Verifier {
    webpki: Arc<WebPkiServerVerifier>,
    /// The certificates of `ca_cert_path`: a server that shows one of them is trusted.
    given: Vec<CertificateDer<'static>>,
}

impl Verifier {
    pub(super) fn new(
        webpki: Arc<WebPkiServerVerifier>,
        given: Vec<CertificateDer<'static>>,
    ) -> Self {
        Verifier { webpki, given }
    }

    fn is_given(&self, cert: &CertificateDer<'_>) -> bool {
        self.given.iter().any(|g| g.as_ref() == cert.as_ref())
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let refused = match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => return Ok(verified),
            Err(e) => e,
        };
        let rustls::Error::InvalidCertificate(why) = &refused else {
            return Err(refused);
        };
        if is_ca_used_as_end_entity(why) {
            if self.is_given(end_entity) {
                return trusted_as_given(end_entity, server_name);
            }
            return Err(refusal(if self_issued(end_entity) {
                Refusal::SelfSigned
            } else {
                Refusal::CaAsServer
            }));
        }
        if matches!(why, CertificateError::UnknownIssuer) && self_issued(end_entity) {
            return Err(refusal(Refusal::SelfSigned));
        }
        Err(refused)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        self.webpki.root_hint_subjects()
    }
}

/// A certificate the user gave as `ca_cert_path`, shown by the server itself: webpki refused it
/// only for its CA flag, after its dates held, so the purpose and the name are what is left.
fn trusted_as_given(
    cert: &CertificateDer<'_>,
    name: &ServerName<'_>,
) -> Result<ServerCertVerified, rustls::Error> {
    if !allows_server_auth(cert) {
        return Err(CertificateError::InvalidPurpose.into());
    }
    verify_server_name(&ParsedCertificate::try_from(cert)?, name)?;
    Ok(ServerCertVerified::assertion())
}

fn is_ca_used_as_end_entity(why: &CertificateError) -> bool {
    matches!(why, CertificateError::Other(OtherError(e))
        if matches!(e.downcast_ref::<webpki::Error>(), Some(webpki::Error::CaUsedAsEndEntity)))
}

/// Issued by itself (its issuer is its subject), as every self-signed certificate is.
fn self_issued(cert: &CertificateDer<'_>) -> bool {
    webpki::EndEntityCert::try_from(cert).is_ok_and(|c| c.issuer() == c.subject())
}

fn refusal(why: Refusal) -> rustls::Error {
    CertificateError::Other(OtherError(Arc::new(why))).into()
}

/// The words of a refusal made here, for `describe`.
pub(super) fn refusal_of(why: &CertificateError) -> Option<Refusal> {
    match why {
        CertificateError::Other(OtherError(e)) => e.downcast_ref::<Refusal>().copied(),
        _ => None,
    }
}
