//! Why a TLS handshake failed, in a user's words: certificate problems with the name checked and
//! the names the certificate holds, alerts by their RFC names, incompatible parameters, and a
//! plain-TCP peer behind a TLS setting ("is it a TLS port?").

use std::io;
use std::time::Duration;

use tokio_rustls::rustls::{self, AlertDescription, CertificateError, PeerIncompatible};

use crate::net::clock::utc_text;
use crate::net::error::{io_detail, lowercase_first};

/// Why a handshake failed, from the `io::Error` tokio-rustls hands back (rustls' own error
/// travels inside it).
pub(super) fn describe_io(e: &io::Error, name: &str, peer: &str) -> String {
    if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return describe(tls, name, peer);
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof => {
            format!("the server closed the connection during the handshake (is {peer} a TLS port?)")
        }
        io::ErrorKind::ConnectionReset => {
            format!("the server reset the connection during the handshake (is {peer} a TLS port?)")
        }
        _ => io_detail(e),
    }
}

/// A rustls error in a user's words; `name` is what the certificate was checked against.
fn describe(e: &rustls::Error, name: &str, peer: &str) -> String {
    use rustls::Error as E;
    match e {
        E::InvalidCertificate(c) => describe_certificate(c, name),
        E::AlertReceived(a) => describe_alert(*a, name),
        E::PeerIncompatible(p) => describe_incompatible(p, e),
        // A TLS server that sends a chain over rustls' limit is still a TLS server.
        E::InvalidMessage(
            rustls::InvalidMessage::HandshakePayloadTooLarge
            | rustls::InvalidMessage::MessageTooLarge,
        ) => format!(
            "the server sent a handshake message larger than TLS allows (a certificate chain \
             over 64 KiB?): {}",
            lowercase_first(&e.to_string())
        ),
        E::InvalidMessage(_)
        | E::InappropriateMessage { .. }
        | E::InappropriateHandshakeMessage { .. } => format!(
            "the server did not answer with a valid TLS handshake (is {peer} a TLS port?): {}",
            lowercase_first(&e.to_string())
        ),
        E::NoCertificatesPresented => "the server presented no certificate".into(),
        E::PeerMisbehaved(_) => format!(
            "the server broke the TLS protocol: {}",
            lowercase_first(&e.to_string())
        ),
        _ => lowercase_first(&e.to_string()),
    }
}

fn describe_certificate(c: &CertificateError, name: &str) -> String {
    use CertificateError as C;
    if let Some(refusal) = super::verify::refusal_of(c) {
        return refusal.to_string();
    }
    match c {
        C::UnknownIssuer => "the certificate is not signed by a trusted CA (unknown issuer); \
                             to trust a private CA, give its PEM file as ca_cert_path"
            .into(),
        C::NotValidForName => format!("the certificate is not valid for '{name}'"),
        C::NotValidForNameContext { presented, .. } => {
            let names: Vec<String> = presented.iter().map(|p| presented_name(p)).collect();
            if names.is_empty() {
                format!("the certificate is not valid for '{name}' (it names no host)")
            } else {
                format!(
                    "the certificate is not valid for '{name}' (it is for: {})",
                    names.join(", ")
                )
            }
        }
        C::Expired => "the certificate has expired".into(),
        C::ExpiredContext { not_after, .. } => format!(
            "the certificate has expired (it was valid until {})",
            utc_text(Duration::from_secs(not_after.as_secs()))
        ),
        C::NotValidYet => "the certificate is not valid yet (check the clock)".into(),
        C::NotValidYetContext { not_before, .. } => format!(
            "the certificate is not valid yet (it is valid from {}; check the clock)",
            utc_text(Duration::from_secs(not_before.as_secs()))
        ),
        C::Revoked => "the certificate has been revoked".into(),
        // rustls reports a bad chain signature and a bad handshake signature alike.
        C::BadSignature => "a signature does not verify (in the certificate chain, or in the \
                            handshake: the server may not hold the certificate's key)"
            .into(),
        C::BadEncoding => "the certificate is malformed".into(),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "the certificate is not meant for a TLS server (extended key usage)".into()
        }
        C::UnsupportedSignatureAlgorithmContext { .. }
        | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "the certificate is signed with an unsupported algorithm".into()
        }
        C::UnhandledCriticalExtension => {
            "the certificate has a critical extension we cannot check".into()
        }
        other => format!(
            "the certificate was rejected: {}",
            lowercase_first(&other.to_string())
        ),
    }
}

/// `DnsName("example.test")` → `example.test`, `IpAddress(127.0.0.1)` → `127.0.0.1`. The input
/// is rustls-webpki's `format!("{:?}", …)` of each subject alternative name: the only form in
/// which rustls hands the presented names over.
fn presented_name(p: &str) -> String {
    if let Some(n) = p
        .strip_prefix("DnsName(\"")
        .and_then(|s| s.strip_suffix("\")"))
    {
        return n.to_string();
    }
    if let Some(n) = p
        .strip_prefix("IpAddress(")
        .and_then(|s| s.strip_suffix(')'))
    {
        return n.to_string();
    }
    p.to_string()
}

fn describe_alert(a: AlertDescription, name: &str) -> String {
    let alert = alert_name(a);
    match a {
        AlertDescription::ProtocolVersion => format!(
            "the server does not support TLS 1.2 or 1.3 (protocol version mismatch; it sent a \
             {alert} alert)"
        ),
        AlertDescription::HandshakeFailure | AlertDescription::InsufficientSecurity => format!(
            "the server refused the handshake: no cipher suite or parameters in common, or it \
             requires a client certificate (it sent a {alert} alert)"
        ),
        AlertDescription::CertificateRequired => {
            format!("the server requires a client certificate (it sent a {alert} alert)")
        }
        AlertDescription::BadCertificate
        | AlertDescription::UnsupportedCertificate
        | AlertDescription::CertificateUnknown
        | AlertDescription::CertificateRevoked
        | AlertDescription::CertificateExpired
        | AlertDescription::UnknownCA
        | AlertDescription::AccessDenied => {
            format!("the server rejected our client certificate (it sent a {alert} alert)")
        }
        AlertDescription::UnrecognisedName => {
            format!("the server does not know the name '{name}' (it sent a {alert} alert)")
        }
        _ => format!("the server ended the handshake with a {alert} alert"),
    }
}

/// `HandshakeFailure` → `handshake_failure`, as the RFCs and openssl name alerts.
fn alert_name(a: AlertDescription) -> String {
    let debug = a.as_str().map_or_else(|| format!("{a:?}"), str::to_string);
    let mut out = String::with_capacity(debug.len() + 4);
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    match out.as_str() {
        "unknown_c_a" => "unknown_ca".into(),
        "unrecognised_name" => "unrecognized_name".into(),
        _ => out,
    }
}

fn describe_incompatible(p: &PeerIncompatible, e: &rustls::Error) -> String {
    use PeerIncompatible as P;
    match p {
        P::ServerDoesNotSupportTls12Or13 | P::ServerTlsVersionIsDisabledByOurConfig => {
            "the server does not support TLS 1.2 or 1.3 (protocol version mismatch)".into()
        }
        P::NoCipherSuitesInCommon => "the server has no cipher suite in common with us".into(),
        P::NoKxGroupsInCommon => "the server has no key exchange group in common with us".into(),
        P::NoSignatureSchemesInCommon => {
            "the server has no signature scheme in common with us".into()
        }
        _ => format!(
            "the server's TLS parameters are incompatible with ours: {}",
            lowercase_first(&e.to_string())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_named_as_the_rfcs_do() {
        assert_eq!(
            alert_name(AlertDescription::HandshakeFailure),
            "handshake_failure"
        );
        assert_eq!(alert_name(AlertDescription::UnknownCA), "unknown_ca");
        assert_eq!(
            alert_name(AlertDescription::ProtocolVersion),
            "protocol_version"
        );
    }

    #[test]
    fn presented_names_lose_their_wrapping() {
        assert_eq!(presented_name("DnsName(\"example.test\")"), "example.test");
        assert_eq!(presented_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(presented_name("DirectoryName"), "DirectoryName");
    }
}
