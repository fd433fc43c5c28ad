//! All of Coffer's cryptography, and nothing else: Argon2id key slots ([`kdf`]), AES-256-GCM
//! envelopes bound to where they belong ([`envelope`]), the key types that hold key material
//! ([`keys`]), the operating system's CSPRNG ([`random`]), the backup file's key and
//! chunk stream ([`backup`]), and the database rotators' TLS client configuration (`tls`).

//!
//! Only what a front end needs to unlock a vault (a [`Passphrase`], [`KdfParams`]), the
//! CSPRNG's helpers and the TLS configuration are public: keys, envelopes, slots and backup
//! streams stay inside the core, so no front end can seal, open or hold a key but through
//! the vault's door.

pub(crate) mod backup;
pub(crate) mod envelope;
mod kdf;
pub(crate) mod keys;
pub mod random;
pub(crate) mod slot;
#[cfg(feature = "rotation-db")]
pub mod tls;

pub(crate) use envelope::{Aad, open, seal};
pub use kdf::{KdfParams, Passphrase};
pub(crate) use keys::{Key, KeyedHash};

/// Whether a presented secret (a token, a password) is the expected one, in time that does
/// not depend on where they first differ: a caller timing the answers learns nothing of it.
#[cfg(feature = "server")]
pub fn same_secret(presented: &[u8], expected: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    presented.ct_eq(expected).into()
}

/// Decryption failed: wrong key, wrong place, or a changed byte. Deliberately says no more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("decryption failed")]
pub struct DecryptionFailed;

impl From<DecryptionFailed> for crate::Error {
    fn from(_: DecryptionFailed) -> Self {
        crate::Error::decryption()
    }
}

#[cfg(all(test, feature = "server"))]
mod tests {
    #[test]
    fn same_secret_holds_only_for_the_same_bytes() {
        assert!(super::same_secret(b"token-1", b"token-1"));
        assert!(!super::same_secret(b"token-2", b"token-1"));
        assert!(!super::same_secret(b"token", b"token-1"));
        assert!(!super::same_secret(b"", b"token-1"));
    }
}
