//! The TLS client configuration of the database rotators' logins: rustls with ring.
//!
//! Certificates: with a CA file (the secret's `sslrootcert`), the server's certificate must
//! chain to one of its certificates and name the host, as libpq's `sslmode=verify-full`.
//! Without one, any certificate is taken, as libpq's `sslmode=require`: the login and the
//! statements (which carry new passwords) are encrypted against anyone listening, and the
//! handshake still proves the server holds the key of the certificate it showed, but an
//! active impostor is not told apart. Database servers on an operator's machine or network
//! mostly have self-signed certificates, which verification would refuse; a secret names its
//! CA file to get verification.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::{Error, Result};

/// A client configuration that verifies the server against the certificates in `ca_file`,
/// or, without one, takes any certificate (see the module's note).
pub fn client_config(ca_file: Option<&Path>) -> Result<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(format!("no TLS configuration: {e}")))?;
    let config = match ca_file {
        Some(path) => {
            let unreadable = || {
                Error::invalid_parameter(format!(
                    "The CA file {} (sslrootcert) holds no readable PEM certificate.",
                    path.display()
                ))
            };
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(path).map_err(|_| unreadable())? {
                roots
                    .add(cert.map_err(|_| unreadable())?)
                    .map_err(|_| unreadable())?;
            }
            if roots.is_empty() {
                return Err(unreadable());
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth(),
    };
    Ok(config)
}

/// Takes the server's certificate without checking who issued it or whom it names; the
/// handshake's signatures are checked as always.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_ca_file_a_configuration_is_made_and_a_bad_ca_file_is_refused() {
        assert!(client_config(None).is_ok());
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate").unwrap();
        let e = client_config(Some(&empty)).unwrap_err();
        assert!(e.message.contains("no readable PEM certificate"), "{e}");
        let e = client_config(Some(&dir.path().join("missing.pem"))).unwrap_err();
        assert!(e.message.contains("sslrootcert"), "{e}");
    }
}
