//! In-process TLS peers: an rcgen CA and leaf certificates, and blocking rustls servers on
//! 127.0.0.1:0 (one std thread per connection, as the plain peers in `common`), so plain
//! `#[test]`s can drive the blocking script layer against them.

#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{
    self, RootCertStore, ServerConfig, ServerConnection, StreamOwned, crypto,
};

use super::serve;

pub type TlsServerStream = StreamOwned<ServerConnection, TcpStream>;

/// How long a test server waits on a silent client before giving up on it.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// A test certificate authority.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pub pem: String,
    pub der: CertificateDer<'static>,
}

/// A certificate chain (leaf first) and its key, in DER and PEM.
pub struct Leaf {
    pub chain: Vec<CertificateDer<'static>>,
    key_der: Vec<u8>,
    pub cert_pem: String,
    pub key_pem: String,
}

impl Leaf {
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Ca {
            pem: cert.pem(),
            der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf for `names` (DNS names or IP addresses), signed by this CA.
    pub fn leaf(&self, names: &[&str]) -> Leaf {
        self.leaf_with(names, |_| {})
    }

    /// A certificate for `names` that says CA:TRUE, signed by this CA (a CA shown as a server).
    pub fn ca_leaf(&self, names: &[&str]) -> Leaf {
        self.leaf_with(names, |p| {
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained)
        })
    }

    /// A leaf that expired on 2020-01-01.
    pub fn expired_leaf(&self, names: &[&str]) -> Leaf {
        self.leaf_with(names, |p| {
            p.not_before = rcgen::date_time_ymd(2019, 1, 1);
            p.not_after = rcgen::date_time_ymd(2020, 1, 1);
        })
    }

    fn leaf_with(&self, names: &[&str], edit: impl FnOnce(&mut CertificateParams)) -> Leaf {
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, names.first().copied().unwrap_or("leaf"));
        edit(&mut params);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            chain: vec![cert.der().clone(), self.der.clone()],
            key_der: key.serialize_der(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

/// A self-signed leaf for `names`.
pub fn self_signed(names: &[&str]) -> Leaf {
    self_signed_with(names, |_| {})
}

/// A self-signed certificate for `names` that says CA:TRUE, as `openssl req -x509` makes.
pub fn self_signed_ca(names: &[&str]) -> Leaf {
    self_signed_with(names, |p| {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    })
}

/// A self-signed certificate for `names`, after `edit`.
pub fn self_signed_with(names: &[&str], edit: impl FnOnce(&mut CertificateParams)) -> Leaf {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    edit(&mut params);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    Leaf {
        chain: vec![cert.der().clone()],
        key_der: key.serialize_der(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// A temporary file holding `text` (kept until the handle is dropped).
pub fn temp_file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f.flush().unwrap();
    f
}

/// The path of a temp file as a string a script can hold.
pub fn path_of(f: &tempfile::NamedTempFile) -> String {
    f.path().to_str().unwrap().to_string()
}

fn provider() -> Arc<crypto::CryptoProvider> {
    Arc::new(crypto::ring::default_provider())
}

fn server_config(leaf: &Leaf, client_ca: Option<&Ca>) -> Arc<ServerConfig> {
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots.add(ca.der.clone()).unwrap();
            let verifier = WebPkiClientVerifier::builder_with_provider(roots.into(), provider())
                .build()
                .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
    };
    Arc::new(
        builder
            .with_single_cert(leaf.chain.clone(), leaf.key())
            .unwrap(),
    )
}

/// Accepts TLS connections with `leaf`; each one that completes its handshake goes to
/// `handler` on its own thread. Failed handshakes (the client refused us) are dropped.
pub fn serve_tls(
    leaf: &Leaf,
    handler: impl Fn(TlsServerStream) + Send + Sync + Clone + 'static,
) -> SocketAddr {
    serve_tls_with(server_config(leaf, None), handler)
}

/// As [`serve_tls`], requiring a client certificate signed by `client_ca`.
pub fn serve_mutual_tls(
    leaf: &Leaf,
    client_ca: &Ca,
    handler: impl Fn(TlsServerStream) + Send + Sync + Clone + 'static,
) -> SocketAddr {
    serve_tls_with(server_config(leaf, Some(client_ca)), handler)
}

fn serve_tls_with(
    config: Arc<ServerConfig>,
    handler: impl Fn(TlsServerStream) + Send + Sync + Clone + 'static,
) -> SocketAddr {
    serve(move |tcp: TcpStream| {
        let _ = tcp.set_read_timeout(Some(IO_TIMEOUT));
        let _ = tcp.set_write_timeout(Some(IO_TIMEOUT));
        let Ok(conn) = ServerConnection::new(config.clone()) else {
            return;
        };
        let mut tls = StreamOwned::new(conn, tcp);
        while tls.conn.is_handshaking() {
            if tls.conn.complete_io(&mut tls.sock).is_err() {
                return;
            }
        }
        handler(tls)
    })
}

/// Ends our side properly: close_notify, then FIN.
pub fn close_tls(tls: &mut TlsServerStream) {
    tls.conn.send_close_notify();
    let _ = tls.flush();
    let _ = tls.sock.shutdown(Shutdown::Write);
}

/// Echoes every byte; after the client's close_notify (or EOF) it closes properly too.
pub fn tls_echo(leaf: &Leaf) -> SocketAddr {
    serve_tls(leaf, |mut tls| {
        let mut buf = [0u8; 16384];
        loop {
            match tls.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tls.write_all(&buf[..n]).and_then(|_| tls.flush()).is_err() {
                        return;
                    }
                }
            }
        }
        close_tls(&mut tls);
    })
}

/// Sends `data`, then closes the TCP socket **without** close_notify.
pub fn tls_send_and_drop(leaf: &Leaf, data: &'static [u8]) -> SocketAddr {
    serve_tls(leaf, move |mut tls| {
        if tls.write_all(data).and_then(|_| tls.flush()).is_err() {
            return;
        }
        let _ = tls.sock.shutdown(Shutdown::Write);
        // Drain what the client still sends, so the close is a FIN and not a reset.
        let _ = tls.sock.set_read_timeout(Some(Duration::from_secs(2)));
        let mut sink = [0u8; 4096];
        while matches!(tls.sock.read(&mut sink), Ok(n) if n > 0) {}
    })
}

/// Sends `data`, then ends properly: close_notify, then FIN.
pub fn tls_send_and_close(leaf: &Leaf, data: &'static [u8]) -> SocketAddr {
    serve_tls(leaf, move |mut tls| {
        if tls.write_all(data).and_then(|_| tls.flush()).is_ok() {
            close_tls(&mut tls);
            drain(&mut tls.sock);
        }
    })
}

/// Sends `whole` in full, then only the first `keep` bytes of the TLS record that carries
/// `cut`, then FIN: a stream cut inside a record (`keep` < 5 cuts its header).
pub fn tls_cut_inside_record(
    leaf: &Leaf,
    whole: &'static [u8],
    cut: &'static [u8],
    keep: usize,
) -> SocketAddr {
    serve_tls(leaf, move |mut tls| {
        if tls.write_all(whole).and_then(|_| tls.flush()).is_err() {
            return;
        }
        let mut record = Vec::new();
        if tls.conn.writer().write_all(cut).is_err() || tls.conn.write_tls(&mut record).is_err() {
            return;
        }
        assert!(
            keep < record.len(),
            "keep {keep} of a {}-byte record",
            record.len()
        );
        if tls.sock.write_all(&record[..keep]).is_ok() {
            let _ = tls.sock.shutdown(Shutdown::Write);
            drain(&mut tls.sock);
        }
    })
}

/// Reads what the client still sends, so that our close is a FIN and not a reset.
fn drain(sock: &mut TcpStream) {
    let _ = sock.set_read_timeout(Some(Duration::from_secs(2)));
    let mut sink = [0u8; 4096];
    while matches!(sock.read(&mut sink), Ok(n) if n > 0) {}
}

/// How the client's side of a connection ended, as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// A clean TLS end: close_notify received (`read` returned `Ok(0)`).
    CloseNotify(Vec<u8>),
    /// TCP closed without close_notify.
    NoCloseNotify(Vec<u8>),
    Error(String),
}

/// Reads until the client ends its side, reports how it ended, then sends `reply` and closes
/// properly (a client that half-closed can still read it).
pub fn tls_observer(leaf: &Leaf, reply: &'static [u8]) -> (SocketAddr, mpsc::Receiver<Ending>) {
    let (tx, rx) = mpsc::channel();
    let addr = serve_tls(leaf, move |mut tls| {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        let ending = loop {
            match tls.read(&mut buf) {
                Ok(0) => break Ending::CloseNotify(got),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    break Ending::NoCloseNotify(got);
                }
                Err(e) => break Ending::Error(e.to_string()),
            }
        };
        let _ = tx.send(ending);
        if tls.write_all(reply).and_then(|_| tls.flush()).is_ok() {
            close_tls(&mut tls);
        }
    });
    (addr, rx)
}

/// Answers each line with the line reversed (as `openssl s_server -rev`), then closes properly
/// at the client's close_notify.
pub fn tls_reverse_lines(leaf: &Leaf) -> SocketAddr {
    serve_tls(leaf, |mut tls| {
        let mut line = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match tls.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    for &b in &buf[..n] {
                        if b != b'\n' {
                            line.push(b);
                            continue;
                        }
                        line.reverse();
                        line.push(b'\n');
                        if tls.write_all(&line).and_then(|_| tls.flush()).is_err() {
                            return;
                        }
                        line.clear();
                    }
                }
            }
        }
        close_tls(&mut tls);
    })
}

/// Reports the SNI each client sent (`None`: no SNI), then echoes like [`tls_echo`].
pub fn tls_sni_probe(leaf: &Leaf) -> (SocketAddr, mpsc::Receiver<Option<String>>) {
    let (tx, rx) = mpsc::channel();
    let addr = serve_tls(leaf, move |mut tls| {
        let _ = tx.send(tls.conn.server_name().map(str::to_string));
        let mut buf = [0u8; 4096];
        while let Ok(n) = tls.read(&mut buf) {
            if n == 0 || tls.write_all(&buf[..n]).and_then(|_| tls.flush()).is_err() {
                break;
            }
        }
        close_tls(&mut tls);
    });
    (addr, rx)
}

/// A server that shows `leaf`'s certificate but signs the handshake with another key: an
/// impostor that copied a certificate. Every client must refuse it, even one that skips the
/// certificate checks.
pub fn tls_impostor(leaf: &Leaf) -> SocketAddr {
    let p = provider();
    let other = self_signed(&["impostor.test"]);
    let key = p.key_provider.load_private_key(other.key()).unwrap();
    let certified = rustls::sign::CertifiedKey::new(leaf.chain.clone(), key);
    let config = ServerConfig::builder_with_provider(p)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(certified)));
    serve_tls_with(Arc::new(config), |mut tls| close_tls(&mut tls))
}
