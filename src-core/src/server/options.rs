//! How an endpoint is to be served, and the rules that refuse a dangerous way: secret values
//! in clear off loopback, and the emulator (any credentials are its administrator)
//! anywhere but loopback.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::{AgentOptions, Backend, Limits, TlsSource};

/// Where and how to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub listen: SocketAddr,
    /// TLS, when given; needed off loopback unless `insecure_plain_http`.
    pub tls: Option<TlsSource>,
    /// Serve plain HTTP on a non-loopback address all the same.
    pub insecure_plain_http: bool,
    pub limits: Limits,
    /// The Secrets Manager Agent's protocol on a second address, over the vault.
    pub agent: Option<AgentOptions>,
}

impl Options {
    /// Plain HTTP on `listen` with the default limits.
    pub fn plain(listen: SocketAddr) -> Self {
        Self {
            listen,
            tls: None,
            insecure_plain_http: false,
            limits: Limits::default(),
            agent: None,
        }
    }

    /// Refuses what must not be served: the emulator off loopback, plain HTTP off loopback
    /// unless accepted as insecure, TLS and plain HTTP both asked for, unusable limits.
    pub fn check(&self, backend: &Backend) -> std::io::Result<()> {
        let refuse = |m: String| Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, m));
        let addr = self.listen.ip();
        if let Err(m) = self.limits.check() {
            return refuse(m);
        }
        if let Some(agent) = &self.agent {
            if matches!(backend, Backend::Ephemeral { .. }) {
                return refuse(
                    "the agent endpoint (--agent) reads the vault; the emulator has none".into(),
                );
            }
            agent.check().or_else(refuse)?;
        }
        if matches!(backend, Backend::Ephemeral { .. }) && !addr.is_loopback() {
            return refuse(format!(
                "the emulator (--ephemeral) takes any credentials as its administrator, so it listens on loopback only, not on {addr}"
            ));
        }
        if self.tls.is_some() && self.insecure_plain_http {
            return refuse("TLS and --insecure-plain-http exclude each other".into());
        }
        if !addr.is_loopback() && self.tls.is_none() && !self.insecure_plain_http {
            return refuse(format!(
                "{addr} is not a loopback address: serving secret values there needs TLS (--tls-cert and --tls-key, or --tls-self-signed FILE), or --insecure-plain-http to send them in clear"
            ));
        }
        Ok(())
    }

    /// The warning to print before serving, if any: plain HTTP off loopback.
    pub fn warning(&self) -> Option<String> {
        (self.insecure_plain_http && !self.listen.ip().is_loopback()).then(|| {
            format!(
                "WARNING: serving plain HTTP on {}: secret values, and requests that can be replayed for 15 minutes, cross the network in clear",
                self.listen
            )
        })
    }
}

/// What a started endpoint tells its operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listening {
    /// The address bound (the port chosen, for `:0`).
    pub addr: SocketAddr,
    /// With TLS: the certificate's SHA-256 fingerprint and the file clients can trust.
    pub tls: Option<(String, PathBuf)>,
    /// The agent endpoint's address, when one was asked for.
    pub agent: Option<SocketAddr>,
}

impl Listening {
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault_backend() -> Backend {
        Backend::vault(std::sync::Arc::new(
            crate::Vault::ephemeral("123456789012", "us-east-1").unwrap(),
        ))
    }

    fn emulator() -> Backend {
        Backend::ephemeral("123456789012", "us-east-1", 4).unwrap()
    }

    fn self_signed() -> Option<TlsSource> {
        Some(TlsSource::SelfSigned {
            cert_out: "ca.pem".into(),
            names: vec![],
        })
    }

    #[test]
    fn plain_http_off_loopback_is_refused_unless_accepted_as_insecure() {
        let mut o = Options::plain("0.0.0.0:4566".parse().unwrap());
        let e = o.check(&vault_backend()).unwrap_err().to_string();
        assert!(e.contains("needs TLS"), "{e}");
        o.insecure_plain_http = true;
        o.check(&vault_backend()).unwrap();
        assert!(o.warning().unwrap().contains("in clear"));
        o.insecure_plain_http = false;
        o.tls = self_signed();
        o.check(&vault_backend()).unwrap();
        assert!(o.warning().is_none());
        for loopback in ["127.0.0.1:0", "[::1]:0"] {
            let o = Options::plain(loopback.parse().unwrap());
            o.check(&vault_backend()).unwrap();
            assert!(o.warning().is_none());
        }
    }

    #[test]
    fn the_emulator_is_refused_off_loopback_even_with_tls() {
        let mut o = Options::plain("192.0.2.10:4566".parse().unwrap());
        o.tls = self_signed();
        let e = o.check(&emulator()).unwrap_err().to_string();
        assert!(e.contains("loopback only"), "{e}");
        o.tls = None;
        o.insecure_plain_http = true;
        assert!(o.check(&emulator()).is_err());
        Options::plain("127.0.0.1:0".parse().unwrap())
            .check(&emulator())
            .unwrap();
    }

    #[test]
    fn tls_and_insecure_plain_http_together_are_refused() {
        let mut o = Options::plain("127.0.0.1:0".parse().unwrap());
        o.tls = self_signed();
        o.insecure_plain_http = true;
        assert!(o.check(&vault_backend()).is_err());
    }

    #[test]
    fn the_url_says_https_with_tls() {
        let mut l = Listening {
            addr: "127.0.0.1:4566".parse().unwrap(),
            tls: None,
            agent: None,
        };
        assert_eq!(l.url(), "http://127.0.0.1:4566");
        l.tls = Some(("AB".into(), "ca.pem".into()));
        assert_eq!(l.url(), "https://127.0.0.1:4566");
    }
}
