//! AES-256-GCM sealing with additional authenticated data that names where a ciphertext
//! belongs. Wire format (pinned by a test): `version(1) = 1 || nonce(12) || ciphertext || tag(16)`.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use zeroize::Zeroizing;

use super::{DecryptionFailed, Key, random};

const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Bytes a sealed message adds to its plaintext.
pub const OVERHEAD: usize = 1 + NONCE_LEN + TAG_LEN;

/// Where a ciphertext belongs: a purpose and the ids of its place, length-prefixed so that
/// no two places share an encoding. Moving a ciphertext anywhere else makes it fail to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aad(Vec<u8>);

impl Aad {
    pub fn new(purpose: &str) -> Self {
        // Room for a purpose and a few names (a vault id, a secret's uid and a version's)
        // without growing.
        let mut a = Self(Vec::with_capacity(256));
        a.0.extend_from_slice(b"coffer/v1");
        a.push(purpose.as_bytes());
        a
    }
    pub fn with(mut self, part: impl AsRef<[u8]>) -> Self {
        self.push(part.as_ref());
        self
    }
    fn push(&mut self, part: &[u8]) {
        self.0.extend_from_slice(&(part.len() as u32).to_be_bytes());
        self.0.extend_from_slice(part);
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

fn cipher(key: &Key) -> Aes256Gcm {
    Aes256Gcm::new(key.expose().into())
}

/// Encrypts `plaintext` under `key`, bound to `aad`, with a fresh random nonce.
pub fn seal(key: &Key, aad: &Aad, plaintext: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    random::fill(&mut nonce);
    let ct = cipher(key)
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: plaintext,
                aad: aad.as_bytes(),
            },
        )
        .expect("AES-GCM encrypts any message under 64 GiB");
    let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
    out.push(FORMAT_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

/// Decrypts what [`seal`] made with the same key and AAD; anything else is
/// [`DecryptionFailed`], never other plaintext.
pub fn open(key: &Key, aad: &Aad, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, DecryptionFailed> {
    if sealed.len() < OVERHEAD || sealed[0] != FORMAT_V1 {
        return Err(DecryptionFailed);
    }
    let nonce: [u8; NONCE_LEN] = sealed[1..1 + NONCE_LEN]
        .try_into()
        .map_err(|_| DecryptionFailed)?;
    cipher(key)
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &sealed[1 + NONCE_LEN..],
                aad: aad.as_bytes(),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| DecryptionFailed)
}

/// Wraps one key under another (a key is just a 32-byte message).
pub fn wrap_key(kek: &Key, aad: &Aad, key: &Key) -> Vec<u8> {
    seal(kek, aad, key.expose())
}

pub fn unwrap_key(kek: &Key, aad: &Aad, wrapped: &[u8]) -> Result<Key, DecryptionFailed> {
    let bytes = open(kek, aad, wrapped)?;
    Key::from_slice(&bytes).ok_or(DecryptionFailed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes_gcm::aead::AeadInOut;

    fn key(b: u8) -> Key {
        Key::from_slice(&[b; 32]).unwrap()
    }

    #[test]
    fn seal_then_open_round_trips() {
        let k = key(1);
        let aad = Aad::new("value").with("s1").with("v1");
        let sealed = seal(&k, &aad, b"hello");
        assert_eq!(&open(&k, &aad, &sealed).unwrap()[..], b"hello");
        assert_eq!(sealed.len(), 5 + OVERHEAD);
    }

    #[test]
    fn nonces_are_fresh_for_every_seal() {
        let k = key(1);
        let aad = Aad::new("x");
        assert_ne!(seal(&k, &aad, b"same"), seal(&k, &aad, b"same"));
    }

    #[test]
    fn wire_format_is_pinned_by_a_known_answer() {
        // version byte, then nonce, then AES-256-GCM(key=0x01*32, nonce=0x02*12) of "coffer".
        let k = key(1);
        let aad = Aad::new("kat");
        let nonce = [2u8; 12];
        let mut body = b"coffer".to_vec();
        cipher(&k)
            .encrypt_in_place(&Nonce::from(nonce), aad.as_bytes(), &mut body)
            .unwrap();
        let mut sealed = vec![1u8];
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&body);
        assert_eq!(&open(&k, &aad, &sealed).unwrap()[..], b"coffer");
        // The AAD encoding itself is part of the format.
        assert_eq!(
            Aad::new("kat").with("a").as_bytes(),
            b"coffer/v1\x00\x00\x00\x03kat\x00\x00\x00\x01a"
        );
    }

    #[test]
    fn flipping_any_byte_fails_to_open() {
        let k = key(3);
        let aad = Aad::new("value").with("s").with("v");
        let sealed = seal(&k, &aad, b"a secret value of some length");
        for i in 0..sealed.len() {
            for bit in [0x01u8, 0x80] {
                let mut t = sealed.clone();
                t[i] ^= bit;
                assert_eq!(
                    open(&k, &aad, &t),
                    Err(DecryptionFailed),
                    "byte {i} bit {bit}"
                );
            }
        }
        assert_eq!(
            open(&k, &aad, &sealed[..sealed.len() - 1]),
            Err(DecryptionFailed)
        );
        assert_eq!(open(&k, &aad, &[]), Err(DecryptionFailed));
    }

    #[test]
    fn a_ciphertext_moved_to_another_place_or_key_fails() {
        let k = key(3);
        let sealed = seal(&k, &Aad::new("value").with("s1").with("v1"), b"x");
        assert!(open(&k, &Aad::new("value").with("s1").with("v2"), &sealed).is_err());
        assert!(open(&k, &Aad::new("value").with("s2").with("v1"), &sealed).is_err());
        assert!(open(&k, &Aad::new("doc").with("s1").with("v1"), &sealed).is_err());
        assert!(open(&key(4), &Aad::new("value").with("s1").with("v1"), &sealed).is_err());
    }

    #[test]
    fn wrapped_keys_unwrap_only_in_place() {
        let kek = key(9);
        let inner = Key::random();
        let aad = Aad::new("kms").with("k1");
        let w = wrap_key(&kek, &aad, &inner);
        assert_eq!(unwrap_key(&kek, &aad, &w).unwrap().expose(), inner.expose());
        assert!(unwrap_key(&kek, &Aad::new("kms").with("k2"), &w).is_err());
        let mut t = w.clone();
        t[20] ^= 1;
        assert!(unwrap_key(&kek, &aad, &t).is_err());
    }
}
