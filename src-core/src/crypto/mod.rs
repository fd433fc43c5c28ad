//! All of Coffer's cryptography, and nothing else: Argon2id key slots ([`kdf`]), AES-256-GCM
//! envelopes bound to where they belong ([`envelope`]), the key types that hold key material
//! ([`keys`]), the operating system's CSPRNG ([`random`]), the backup file's key and
//! chunk stream ([`backup`]), and the database rotators' TLS client configuration (`tls`).

pub mod backup;
pub mod envelope;
pub mod kdf;
pub mod keys;
pub mod random;
pub mod slot;
#[cfg(feature = "rotation-db")]
pub mod tls;

pub use envelope::{Aad, open, seal};
pub use kdf::{KdfParams, Passphrase};
pub use keys::{Key, KeyedHash};

/// Decryption failed: wrong key, wrong place, or a changed byte. Deliberately says no more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("decryption failed")]
pub struct DecryptionFailed;

impl From<DecryptionFailed> for crate::Error {
    fn from(_: DecryptionFailed) -> Self {
        crate::Error::decryption()
    }
}
