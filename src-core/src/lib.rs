//! Coffer's core: an offline vault that keeps secrets the way AWS Secrets Manager does.
//!
//! Every request goes through one door — a [`Vault`] method that authorizes, acts and
//! writes its audit event in one SQLite transaction. Front ends only translate.

// Tests inside the crate written as the integration tests are (`coffer_core::...`).
#[cfg(test)]
extern crate self as coffer_core;

mod access;
pub mod acts;
pub mod api;
pub mod audit;
pub mod background;
pub mod clock;
mod crypto;
mod error;
pub mod health;
pub mod model;
pub mod operation;
pub mod policy;
pub mod process;
pub mod rotation;
pub mod running;
pub mod said;
#[cfg(feature = "server")]
pub mod server;
pub mod sigv4;
mod store;
pub mod transfer;
pub mod vault;

pub use crypto::random;
pub use crypto::{KdfParams, Passphrase};
pub use error::{Error, ErrorCode, Result};
pub use model::{Reveal, SecretBytes, SecretText, SecretValue};
pub use operation::Operation;
/// The vault file format this Coffer writes (and the newest it opens).
pub use store::FORMAT as VAULT_FORMAT;
pub use vault::{Caller, FrontEnd, InitOptions, Vault, VaultInfo, VaultSummary};

/// What only tests reach (the `testing` feature, which the end-to-end tests' crate turns on):
/// the TLS client configuration the database rotation engines connect with, so a test's
/// administrative connection trusts what they trust.
#[cfg(feature = "testing")]
pub mod testing {
    pub use crate::crypto::tls::client_config as tls_client_config;
}
