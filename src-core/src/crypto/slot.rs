//! Operator key slots. Each operator has an X25519 key pair: the private key is wrapped by
//! the key Argon2id derives from their passphrase, and the vault's master key is sealed to
//! the public key. So the vault can re-key — seal a new master key to every remaining
//! operator — without knowing anyone's passphrase, and a removed operator's old slot opens
//! only the old master key.

use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::envelope::{unwrap_key, wrap_key};
use super::{Aad, DecryptionFailed, Key, KeyedHash, random};

/// An operator's private slot key, unwrapped. Not printable, not clonable.
pub struct SlotSecret(StaticSecret);

impl std::fmt::Debug for SlotSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SlotSecret(***)")
    }
}

/// A new slot key pair: (public key, the private key wrapped by `kek`).
pub fn new_slot(kek: &Key, aad: &Aad) -> ([u8; 32], Vec<u8>) {
    let mut bytes = Zeroizing::new([0u8; 32]);
    random::fill(&mut bytes[..]);
    let secret = StaticSecret::from(*bytes);
    let public = PublicKey::from(&secret).to_bytes();
    let as_key = Key::from_slice(&secret.to_bytes()).expect("32 bytes");
    (public, wrap_key(kek, aad, &as_key))
}

/// Re-wraps a slot's private key under a new passphrase key.
pub fn rewrap_slot(
    old_kek: &Key,
    new_kek: &Key,
    aad: &Aad,
    wrapped: &[u8],
) -> Result<Vec<u8>, DecryptionFailed> {
    let k = unwrap_key(old_kek, aad, wrapped)?;
    Ok(wrap_key(new_kek, aad, &k))
}

pub fn open_slot(kek: &Key, aad: &Aad, wrapped: &[u8]) -> Result<SlotSecret, DecryptionFailed> {
    let k = unwrap_key(kek, aad, wrapped)?;
    Ok(SlotSecret(StaticSecret::from(*k.expose())))
}

fn transport_key(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> Key {
    let kdf = KeyedHash::new(Key::from_slice(shared).expect("32 bytes"));
    let k = Zeroizing::new(kdf.hash(&[b"coffer/v1 slot transport", ephemeral, recipient]));
    Key::from_slice(&k[..]).expect("32 bytes")
}

/// Seals `key` to a slot's public key: `ephemeral public key (32) || wrapped key`.
pub fn seal_to(recipient: &[u8; 32], aad: &Aad, key: &Key) -> Vec<u8> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    random::fill(&mut bytes[..]);
    let eph = StaticSecret::from(*bytes);
    let eph_pub = PublicKey::from(&eph).to_bytes();
    let shared = Zeroizing::new(eph.diffie_hellman(&PublicKey::from(*recipient)).to_bytes());
    let mut out = eph_pub.to_vec();
    out.extend(wrap_key(
        &transport_key(&shared, &eph_pub, recipient),
        aad,
        key,
    ));
    out
}

/// Opens what [`seal_to`] sealed to this slot.
pub fn open_from(secret: &SlotSecret, aad: &Aad, sealed: &[u8]) -> Result<Key, DecryptionFailed> {
    if sealed.len() < 32 {
        return Err(DecryptionFailed);
    }
    let eph_pub: [u8; 32] = sealed[..32].try_into().map_err(|_| DecryptionFailed)?;
    let recipient = PublicKey::from(&secret.0).to_bytes();
    let shared = Zeroizing::new(
        secret
            .0
            .diffie_hellman(&PublicKey::from(eph_pub))
            .to_bytes(),
    );
    unwrap_key(
        &transport_key(&shared, &eph_pub, &recipient),
        aad,
        &sealed[32..],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_sealed_to_a_slot_opens_with_its_private_key_only() {
        let kek = Key::random();
        let aad = Aad::new("slot").with("alice");
        let (public, wrapped) = new_slot(&kek, &aad);
        let master = Key::random();
        let sealed = seal_to(&public, &Aad::new("master"), &master);
        let secret = open_slot(&kek, &aad, &wrapped).unwrap();
        assert_eq!(
            open_from(&secret, &Aad::new("master"), &sealed)
                .unwrap()
                .expose(),
            master.expose()
        );
        // Another slot, another place, a changed byte: nothing opens.
        let (_, other_wrapped) = new_slot(&kek, &aad);
        let other = open_slot(&kek, &aad, &other_wrapped).unwrap();
        assert!(open_from(&other, &Aad::new("master"), &sealed).is_err());
        assert!(open_from(&secret, &Aad::new("elsewhere"), &sealed).is_err());
        let mut t = sealed.clone();
        t[3] ^= 1;
        assert!(open_from(&secret, &Aad::new("master"), &t).is_err());
        assert!(open_slot(&Key::random(), &aad, &wrapped).is_err());
        assert_eq!(format!("{secret:?}"), "SlotSecret(***)");
    }

    #[test]
    fn a_slot_rewrapped_under_a_new_passphrase_key_keeps_its_private_key() {
        let (old, new) = (Key::random(), Key::random());
        let aad = Aad::new("slot").with("bob");
        let (public, wrapped) = new_slot(&old, &aad);
        let rewrapped = rewrap_slot(&old, &new, &aad, &wrapped).unwrap();
        assert!(open_slot(&old, &aad, &rewrapped).is_err());
        let secret = open_slot(&new, &aad, &rewrapped).unwrap();
        let m = Key::random();
        assert_eq!(
            open_from(&secret, &aad, &seal_to(&public, &aad, &m))
                .unwrap()
                .expose(),
            m.expose()
        );
    }
}
