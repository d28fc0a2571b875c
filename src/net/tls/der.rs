//! The one certificate field the verifier reads itself: the extended key usage. webpki checks it
//! on every certificate it accepts, but not on the one case the verifier accepts beyond webpki
//! (a CA certificate given itself as `ca_cert_path`), and it offers no public way to read it.
//! The DER walk is minimal: only certificates that webpki has already parsed whole come here.

/// `id-ce-extKeyUsage`, 2.5.29.37.
const EKU: &[u8] = &[0x55, 0x1d, 0x25];
/// `id-kp-serverAuth`, 1.3.6.1.5.5.7.3.1.
const SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];

const SEQUENCE: u8 = 0x30;
const OCTET_STRING: u8 = 0x04;
/// `extensions [3] EXPLICIT` in a TBSCertificate.
const EXTENSIONS: u8 = 0xa3;

/// Whether the certificate may identify a TLS server: it has no extended key usage, or one
/// that lists serverAuth (webpki's rule for the certificates it checks). A certificate that
/// cannot be read may not.
pub(super) fn allows_server_auth(cert: &[u8]) -> bool {
    match key_purposes(cert) {
        Some(None) => true,
        Some(Some(purposes)) => purposes.contains(&SERVER_AUTH),
        None => false,
    }
}

/// The extended key usage's purposes (`Some(None)`: the certificate has none); `None` when the
/// DER does not read.
fn key_purposes(cert: &[u8]) -> Option<Option<Vec<&[u8]>>> {
    let (SEQUENCE, cert, _) = element(cert)? else {
        return None;
    };
    let (SEQUENCE, tbs, _) = element(cert)? else {
        return None;
    };
    let Some((_, extensions)) = elements(tbs).find(|(tag, _)| *tag == EXTENSIONS) else {
        return Some(None);
    };
    let (SEQUENCE, extensions, _) = element(extensions)? else {
        return None;
    };
    for (_, extension) in elements(extensions) {
        let mut parts = elements(extension);
        if parts.next()?.1 != EKU {
            continue;
        }
        // `critical BOOLEAN DEFAULT FALSE` may come first.
        let (_, value) = parts.find(|(tag, _)| *tag == OCTET_STRING)?;
        let (SEQUENCE, purposes, _) = element(value)? else {
            return None;
        };
        return Some(Some(elements(purposes).map(|(_, oid)| oid).collect()));
    }
    Some(None)
}

/// The first DER element of `input`: its tag, its contents and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (len, rest) = rest.split_at(n);
        (
            len.iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b)),
            rest,
        )
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The elements of a constructed value's contents, as (tag, contents).
fn elements(mut input: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    std::iter::from_fn(move || {
        let (tag, contents, rest) = element(input)?;
        input = rest;
        Some((tag, contents))
    })
}

#[cfg(test)]
mod tests {
    use rcgen::{CertificateParams, ExtendedKeyUsagePurpose, KeyPair};

    use super::*;

    fn cert(purposes: Vec<ExtendedKeyUsagePurpose>) -> Vec<u8> {
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.extended_key_usages = purposes;
        let key = KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn server_auth_is_allowed_without_an_eku_or_when_it_lists_it() {
        use ExtendedKeyUsagePurpose::{ClientAuth, ServerAuth};
        assert!(allows_server_auth(&cert(vec![])));
        assert!(allows_server_auth(&cert(vec![ClientAuth, ServerAuth])));
        assert!(!allows_server_auth(&cert(vec![ClientAuth])));
    }

    #[test]
    fn what_does_not_read_allows_nothing() {
        let good = cert(vec![]);
        assert!(!allows_server_auth(&good[..good.len() / 2]));
        assert!(!allows_server_auth(b""));
        assert!(!allows_server_auth(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]));
    }
}
