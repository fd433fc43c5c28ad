//! TLS for the endpoint (rustls on ring): a certificate and key the operator gives, or a
//! certificate made for one run, whose key never leaves memory and whose certificate is
//! written out for clients to trust (boto3's `verify=`, `AWS_CA_BUNDLE`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Where the endpoint's certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// A PEM certificate chain (the server's certificate first) and its PEM private key.
    Files { cert: PathBuf, key: PathBuf },
    /// A self-signed certificate made at start for `localhost`, the loopback addresses, the
    /// address listened on and `names`; written (PEM) to `cert_out`.
    SelfSigned {
        cert_out: PathBuf,
        names: Vec<String>,
    },
}

/// The endpoint's TLS: what accepts connections, and what clients are told to trust.
pub struct Tls {
    pub acceptor: TlsAcceptor,
    /// The SHA-256 fingerprint of the server's certificate (`AB:CD:...`, as OpenSSL prints it).
    pub fingerprint: String,
    /// The certificate file clients can trust (the operator's, or the one written).
    pub cert_file: PathBuf,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("fingerprint", &self.fingerprint)
            .field("cert_file", &self.cert_file)
            .finish_non_exhaustive()
    }
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, message)
}

impl TlsSource {
    /// The certificate and key, ready to accept connections on `listen`.
    pub fn load(&self, listen: SocketAddr) -> std::io::Result<Tls> {
        let (chain, key, cert_file) = match self {
            Self::Files { cert, key } => (read_chain(cert)?, read_key(key)?, cert.clone()),
            Self::SelfSigned { cert_out, names } => {
                let (cert, pem, key) = self_signed(listen, names)?;
                std::fs::write(cert_out, pem).map_err(|e| {
                    std::io::Error::new(
                        e.kind(),
                        format!(
                            "cannot write the certificate to {}: {e}",
                            cert_out.display()
                        ),
                    )
                })?;
                (vec![cert], key, cert_out.clone())
            }
        };
        let fingerprint = fingerprint(&chain[0]);
        let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| invalid(format!("TLS: {e}")))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| {
                invalid(format!(
                    "TLS: the certificate and key do not go together: {e}"
                ))
            })?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            fingerprint,
            cert_file,
        })
    }
}

fn read_chain(path: &Path) -> std::io::Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            invalid(format!(
                "cannot read a certificate from {}: {e}",
                path.display()
            ))
        })?;
    if chain.is_empty() {
        return Err(invalid(format!(
            "{} holds no PEM certificate",
            path.display()
        )));
    }
    Ok(chain)
}

/// The private key in `path`; the error names the file, never what it holds.
fn read_key(path: &Path) -> std::io::Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path).map_err(|_| {
        invalid(format!(
            "cannot read a PEM private key from {}",
            path.display()
        ))
    })
}

/// A certificate for `localhost`, the loopback addresses, the address listened on (unless it
/// is 0.0.0.0 or ::) and `names`, with a fresh key: the certificate as DER and PEM, the key.
fn self_signed(
    listen: SocketAddr,
    names: &[String],
) -> std::io::Result<(CertificateDer<'static>, String, PrivateKeyDer<'static>)> {
    let mut sans = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let listened = (!listen.ip().is_unspecified()).then(|| listen.ip().to_string());
    for name in listened.into_iter().chain(names.iter().cloned()) {
        if !sans.contains(&name) {
            sans.push(name);
        }
    }
    let made = rcgen::generate_simple_self_signed(sans)
        .map_err(|e| invalid(format!("cannot make a certificate: {e}")))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    Ok((made.cert.der().clone(), made.cert.pem(), key))
}

/// SHA-256 over the certificate's DER, as colon-separated upper-case hex.
pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    Sha256::digest(cert.as_ref())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTEN: &str = "127.0.0.1:4566";

    #[test]
    fn a_self_signed_certificate_is_written_and_its_fingerprint_is_the_written_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ca.pem");
        let tls = TlsSource::SelfSigned {
            cert_out: out.clone(),
            names: vec!["vault.lan".into()],
        }
        .load(LISTEN.parse().unwrap())
        .unwrap();
        assert_eq!(tls.cert_file, out);
        let written = read_chain(&out).unwrap();
        assert_eq!(written.len(), 1);
        assert_eq!(tls.fingerprint, fingerprint(&written[0]));
        assert_eq!(tls.fingerprint.len(), 32 * 3 - 1);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(!text.contains("PRIVATE KEY"), "the key stays in memory");
    }

    #[test]
    fn an_operators_certificate_and_key_load_and_a_key_of_another_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        std::fs::write(&cert, made.cert.pem()).unwrap();
        std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
        let source = TlsSource::Files {
            cert: cert.clone(),
            key: key.clone(),
        };
        let tls = source.load(LISTEN.parse().unwrap()).unwrap();
        assert_eq!(tls.fingerprint, fingerprint(made.cert.der()));

        let other = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        std::fs::write(&key, other.signing_key.serialize_pem()).unwrap();
        let e = source.load(LISTEN.parse().unwrap()).unwrap_err();
        assert!(e.to_string().contains("do not go together"), "{e}");
    }

    #[test]
    fn a_missing_or_bad_key_file_is_named_and_its_content_is_not_shown() {
        let dir = tempfile::tempdir().unwrap();
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let cert = dir.path().join("cert.pem");
        std::fs::write(&cert, made.cert.pem()).unwrap();
        let key = dir.path().join("key.pem");
        std::fs::write(&key, "not a key: hunter2").unwrap();
        let e = TlsSource::Files { cert, key }
            .load(LISTEN.parse().unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("key.pem"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }
}
