//! Key material. A [`Key`] cannot be cloned, printed or serialized, and is zeroized on drop.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::random;

/// A 256-bit symmetric key.
pub struct Key(Zeroizing<[u8; 32]>);

impl Key {
    pub const LEN: usize = 32;

    /// A fresh key from the OS CSPRNG.
    pub fn random() -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        random::fill(&mut k[..]);
        Self(k)
    }

    /// Takes key bytes that were just unwrapped; the source buffer is the caller's to zeroize.
    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(Self(Zeroizing::new(arr)))
    }

    pub(crate) fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(***)")
    }
}

/// HMAC-SHA256 under a vault key: lookups by name without storing the name, and the audit
/// chain's MACs.
pub struct KeyedHash(Key);

impl KeyedHash {
    pub fn new(key: Key) -> Self {
        Self(key)
    }

    /// The MAC of `parts`, each length-prefixed so that no two different lists collide.
    pub fn hash(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.expose())
            .expect("HMAC takes any key length");
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    }

    /// A keyed hash under a key of its own for `purpose`, derived from this one (HMAC of
    /// the purpose): hashes made for one purpose say nothing of another's.
    pub fn derive(&self, purpose: &str) -> KeyedHash {
        let k = self.hash(&[b"derived-key", purpose.as_bytes()]);
        KeyedHash(Key(Zeroizing::new(k)))
    }

    /// Constant-time check of a MAC computed by [`KeyedHash::hash`].
    pub fn verify(&self, parts: &[&[u8]], expected: &[u8]) -> bool {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.expose())
            .expect("HMAC takes any key length");
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p);
        }
        mac.verify_slice(expected).is_ok()
    }
}

impl std::fmt::Debug for KeyedHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyedHash(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_print_as_stars() {
        let k = Key::random();
        assert_eq!(format!("{k:?}"), "Key(***)");
        assert_eq!(
            format!("{:?}", KeyedHash::new(Key::random())),
            "KeyedHash(***)"
        );
    }

    #[test]
    fn keyed_hash_is_length_prefixed_and_keyed() {
        let h = KeyedHash::new(Key::from_slice(&[7u8; 32]).unwrap());
        assert_ne!(h.hash(&[b"ab", b"c"]), h.hash(&[b"a", b"bc"]));
        let other = KeyedHash::new(Key::from_slice(&[8u8; 32]).unwrap());
        assert_ne!(h.hash(&[b"abc"]), other.hash(&[b"abc"]));
        let mac = h.hash(&[b"x"]);
        assert!(h.verify(&[b"x"], &mac));
        assert!(!h.verify(&[b"y"], &mac));
    }
}
