//! Argon2id key slots: a passphrase becomes the key that wraps the vault's master key.
//!
//! Parameters are stored in the vault. A floor keeps a mistaken file from making a weak slot;
//! a ceiling keeps a hostile file from making unlock take hours or exhaust memory.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{Key, random};
use crate::{Error, Result};

/// An operator's passphrase. Not printable, not clonable, zeroized on drop.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    pub fn new(s: String) -> Self {
        Self(Zeroizing::new(s))
    }
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Compares two passphrases (for "type it twice").
    pub fn matches(&self, other: &Passphrase) -> bool {
        self.0.as_bytes() == other.0.as_bytes()
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(***)")
    }
}

/// Argon2id parameters of one key slot, as stored in the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    pub parallelism: u32,
    /// 16 random bytes, hex.
    pub salt: String,
}

impl KdfParams {
    /// The default for new slots: 64 MiB, 3 passes, 1 lane.
    pub const DEFAULT_MEMORY_KIB: u32 = 64 * 1024;
    pub const DEFAULT_ITERATIONS: u32 = 3;
    /// The floor (OWASP's minimum for Argon2id): a file asking for less is refused.
    pub const MIN_MEMORY_KIB: u32 = 19 * 1024;
    pub const MIN_ITERATIONS: u32 = 2;
    /// The ceiling: a file asking for more is refused rather than obeyed.
    pub const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;
    pub const MAX_ITERATIONS: u32 = 64;
    pub const MAX_PARALLELISM: u32 = 16;

    /// Fresh parameters with a new salt.
    pub fn new(memory_kib: u32, iterations: u32) -> Result<Self> {
        let p = Self {
            memory_kib,
            iterations,
            parallelism: 1,
            salt: random::hex(16),
        };
        p.check()?;
        Ok(p)
    }

    pub fn default_new() -> Self {
        Self::new(Self::DEFAULT_MEMORY_KIB, Self::DEFAULT_ITERATIONS)
            .expect("defaults are in range")
    }

    /// Refuses parameters below the floor or above the ceiling.
    pub fn check(&self) -> Result<()> {
        let bad = |what: String| Err(Error::invalid_parameter(what));
        if self.memory_kib < Self::MIN_MEMORY_KIB || self.memory_kib > Self::MAX_MEMORY_KIB {
            return bad(format!(
                "Argon2id memory {} KiB is outside {}..={} KiB",
                self.memory_kib,
                Self::MIN_MEMORY_KIB,
                Self::MAX_MEMORY_KIB
            ));
        }
        if self.iterations < Self::MIN_ITERATIONS || self.iterations > Self::MAX_ITERATIONS {
            return bad(format!(
                "Argon2id iterations {} are outside {}..={}",
                self.iterations,
                Self::MIN_ITERATIONS,
                Self::MAX_ITERATIONS
            ));
        }
        if self.parallelism == 0 || self.parallelism > Self::MAX_PARALLELISM {
            return bad(format!(
                "Argon2id parallelism {} is out of range",
                self.parallelism
            ));
        }
        if self.salt.len() < 32 || !self.salt.bytes().all(|b| b.is_ascii_hexdigit()) {
            return bad("Argon2id salt is malformed".into());
        }
        Ok(())
    }

    /// Derives the key-encryption key of a slot.
    pub fn derive(&self, passphrase: &Passphrase) -> Result<Key> {
        self.check()?;
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|e| Error::invalid_parameter(format!("Argon2id parameters: {e}")))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.as_bytes(), self.salt.as_bytes(), &mut out[..])
            .map_err(|e| Error::internal(format!("Argon2id failed: {e}")))?;
        Ok(Key::from_slice(&out[..]).expect("32 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floor() -> KdfParams {
        KdfParams::new(KdfParams::MIN_MEMORY_KIB, KdfParams::MIN_ITERATIONS).unwrap()
    }

    #[test]
    fn same_passphrase_and_salt_give_the_same_key_and_others_do_not() {
        let p = floor();
        let a = p.derive(&Passphrase::new("correct horse".into())).unwrap();
        let b = p.derive(&Passphrase::new("correct horse".into())).unwrap();
        let c = p.derive(&Passphrase::new("correct horsf".into())).unwrap();
        assert_eq!(a.expose(), b.expose());
        assert_ne!(a.expose(), c.expose());
    }

    #[test]
    fn defaults_are_at_least_64_mib_and_3_passes() {
        let d = KdfParams::default_new();
        assert!(d.memory_kib >= 64 * 1024 && d.iterations >= 3);
    }

    #[test]
    fn parameters_below_the_floor_or_above_the_ceiling_are_refused() {
        let mut p = floor();
        p.memory_kib = 8;
        assert!(p.derive(&Passphrase::new("x".into())).is_err());
        let mut p = floor();
        p.iterations = 1;
        assert!(p.check().is_err());
        let mut p = floor();
        p.memory_kib = u32::MAX;
        assert!(p.check().is_err());
        let mut p = floor();
        p.iterations = 10_000;
        assert!(p.check().is_err());
        let mut p = floor();
        p.parallelism = 1000;
        assert!(p.check().is_err());
    }

    #[test]
    fn passphrases_never_print() {
        assert_eq!(
            format!("{:?}", Passphrase::new("hunter2".into())),
            "Passphrase(***)"
        );
    }
}
