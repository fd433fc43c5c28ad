//! The cryptography of a backup file: a backup key derived from the vault's master key with
//! HKDF-SHA256 (RFC 5869), and a stream of AES-256-GCM chunks whose additional data binds
//! the file's header, the chunk's position and whether it is the last one — so that a
//! changed byte, a reordered or dropped chunk, a cut-off file or a swapped header fails to
//! open. The file's layout around these pieces is `vault::backup`'s business.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::envelope::{open, seal};
use super::{Aad, DecryptionFailed, Key};

/// HKDF-SHA256 with one block of output: extract with `salt`, expand with `info`.
fn hkdf_sha256(ikm: &[u8], salt: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut extract =
        <Hmac<Sha256> as KeyInit>::new_from_slice(salt).expect("HMAC takes any key length");
    extract.update(ikm);
    let prk = Zeroizing::new(<[u8; 32]>::from(extract.finalize().into_bytes()));
    let mut expand =
        <Hmac<Sha256> as KeyInit>::new_from_slice(&prk[..]).expect("HMAC takes any key length");
    expand.update(info);
    expand.update(&[1]);
    Zeroizing::new(expand.finalize().into_bytes().into())
}

/// The key one backup's chunks are sealed under: HKDF-SHA256 of the master key, salted with
/// the backup's own random salt, so that no two backups share a key.
pub fn backup_key(master: &Key, salt: &[u8]) -> Key {
    let okm = hkdf_sha256(master.expose(), salt, b"coffer/v1 backup key");
    Key::from_slice(&okm[..]).expect("32 bytes")
}

/// SHA-256 of the header bytes: a checksum that names accidental damage before any key is
/// derived, and the digest every chunk's additional data binds.
pub fn header_digest(header: &[u8]) -> [u8; 32] {
    Sha256::digest(header).into()
}

fn chunk_aad(header: &[u8; 32], index: u64, last: bool) -> Aad {
    Aad::new("backup-chunk")
        .with(header)
        .with(index.to_be_bytes())
        .with([u8::from(last)])
}

/// Seals a backup's chunks in order.
pub struct ChunkSealer {
    key: Key,
    header: [u8; 32],
    next: u64,
}

impl ChunkSealer {
    pub fn new(key: Key, header: [u8; 32]) -> Self {
        Self {
            key,
            header,
            next: 0,
        }
    }

    /// Seals the next chunk; `last` marks the end of the stream.
    pub fn seal(&mut self, plaintext: &[u8], last: bool) -> Vec<u8> {
        let sealed = seal(
            &self.key,
            &chunk_aad(&self.header, self.next, last),
            plaintext,
        );
        self.next += 1;
        sealed
    }
}

/// Opens a backup's chunks in the order they were sealed.
pub struct ChunkOpener {
    key: Key,
    header: [u8; 32],
    next: u64,
}

impl ChunkOpener {
    pub fn new(key: Key, header: [u8; 32]) -> Self {
        Self {
            key,
            header,
            next: 0,
        }
    }

    /// The index of the chunk [`ChunkOpener::open`] expects next.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// Opens the next chunk, which the file says is (or is not) the last one.
    pub fn open(
        &mut self,
        sealed: &[u8],
        last: bool,
    ) -> Result<Zeroizing<Vec<u8>>, DecryptionFailed> {
        let plain = open(&self.key, &chunk_aad(&self.header, self.next, last), sealed)?;
        self.next += 1;
        Ok(plain)
    }
}

impl std::fmt::Debug for ChunkSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChunkSealer(***)")
    }
}

impl std::fmt::Debug for ChunkOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChunkOpener(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn hkdf_matches_rfc_5869_test_case_1() {
        let ikm = [0x0bu8; 22];
        let salt = hex("000102030405060708090a0b0c");
        let info = hex("f0f1f2f3f4f5f6f7f8f9");
        let okm = hkdf_sha256(&ikm, &salt, &info);
        // The first 32 of the RFC's 42 output bytes.
        assert_eq!(
            okm[..].to_vec(),
            hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf")
        );
    }

    #[test]
    fn each_salt_gives_its_own_backup_key() {
        let master = Key::from_slice(&[5u8; 32]).unwrap();
        let a = backup_key(&master, b"salt-a");
        assert_eq!(a.expose(), backup_key(&master, b"salt-a").expose());
        assert_ne!(a.expose(), backup_key(&master, b"salt-b").expose());
        assert_ne!(&a.expose()[..], &[5u8; 32][..]);
    }

    fn sealed_stream(header: [u8; 32]) -> Vec<(Vec<u8>, bool)> {
        let mut s = ChunkSealer::new(Key::from_slice(&[1u8; 32]).unwrap(), header);
        vec![
            (s.seal(b"first", false), false),
            (s.seal(b"second", false), false),
            (s.seal(b"third", true), true),
        ]
    }

    fn opener(header: [u8; 32]) -> ChunkOpener {
        ChunkOpener::new(Key::from_slice(&[1u8; 32]).unwrap(), header)
    }

    #[test]
    fn chunks_open_in_order_under_the_same_header() {
        let h = header_digest(b"header");
        let mut o = opener(h);
        let plain: Vec<Vec<u8>> = sealed_stream(h)
            .iter()
            .map(|(c, last)| o.open(c, *last).unwrap().to_vec())
            .collect();
        assert_eq!(
            plain,
            vec![b"first".to_vec(), b"second".to_vec(), b"third".to_vec()]
        );
        assert_eq!(o.position(), 3);
    }

    #[test]
    fn reordered_dropped_early_final_or_reheadered_chunks_fail() {
        let h = header_digest(b"header");
        let s = sealed_stream(h);
        // Reordered: the second chunk where the first belongs.
        assert!(opener(h).open(&s[1].0, false).is_err());
        // Dropped: the third chunk right after the first.
        let mut o = opener(h);
        o.open(&s[0].0, false).unwrap();
        assert!(o.open(&s[2].0, true).is_err());
        // A middle chunk passed off as the last one (a cut-off file).
        let mut o = opener(h);
        o.open(&s[0].0, false).unwrap();
        assert!(o.open(&s[1].0, true).is_err());
        // The chunks of one header under another.
        assert!(
            opener(header_digest(b"other"))
                .open(&s[0].0, false)
                .is_err()
        );
        // A flipped byte.
        let mut t = s[0].0.clone();
        t[20] ^= 1;
        assert!(opener(h).open(&t, false).is_err());
    }

    #[test]
    fn chunk_keys_never_print() {
        let h = header_digest(b"x");
        assert_eq!(format!("{:?}", opener(h)), "ChunkOpener(***)");
        assert_eq!(
            format!("{:?}", ChunkSealer::new(Key::random(), h)),
            "ChunkSealer(***)"
        );
    }
}
