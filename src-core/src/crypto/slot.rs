//! Operator key slots (see `docs/KEYS.md`). Each operator has an X25519 key pair: the private
//! key is wrapped by the key Argon2id derives from their passphrase, together with the public
//! keys of the members this operator trusts (its *pins*). The vault's master key is sealed to
//! the public key *by a slot holder*: the transport key mixes an ephemeral DH with the static
//! DH between the sealer's and the recipient's slot keys (HPKE's Auth mode), and the sealed
//! blob names the sealer. Only the sealer or the recipient can compute that static DH, so a
//! master key sealed by someone who holds no slot of the vault is recognised as such.
//!
//! A member added after an operator last pinned its members is trusted through a *voucher*:
//! a MAC, under a key from the static DH between the voucher's and the recipient's slot keys,
//! over the new member's public key.

use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::envelope::{open, seal, unwrap_key, wrap_key};
use super::{Aad, DecryptionFailed, Key, KeyedHash, random};

/// A slot's public key.
pub type SlotPublic = [u8; 32];

/// An operator's private slot key and its pins, unwrapped. Not printable, not clonable.
pub struct SlotSecret {
    secret: StaticSecret,
    /// The public keys this slot's owner trusts as sealers; `None` for a slot made before
    /// sealing was authenticated (it trusts on first use, and is pinned at its next unlock).
    pins: Option<Vec<SlotPublic>>,
}

impl std::fmt::Debug for SlotSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SlotSecret(***)")
    }
}

impl SlotSecret {
    pub fn public(&self) -> SlotPublic {
        PublicKey::from(&self.secret).to_bytes()
    }

    /// The members this slot trusts besides itself; `None` for a legacy slot.
    pub fn pins(&self) -> Option<&[SlotPublic]> {
        self.pins.as_deref()
    }

    fn dh(&self, other: &SlotPublic) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(
            self.secret
                .diffie_hellman(&PublicKey::from(*other))
                .to_bytes(),
        )
    }
}

fn fresh_secret() -> StaticSecret {
    let mut bytes = Zeroizing::new([0u8; 32]);
    random::fill(&mut bytes[..]);
    StaticSecret::from(*bytes)
}

/// The slot's private key and pins, wrapped by `kek`: `private (32) || pins (32 each)`.
fn wrap(kek: &Key, aad: &Aad, secret: &StaticSecret, pins: &[SlotPublic]) -> Vec<u8> {
    let own = PublicKey::from(secret).to_bytes();
    let mut plain = Zeroizing::new(secret.to_bytes().to_vec());
    plain.extend(own);
    for p in pins.iter().filter(|p| **p != own) {
        plain.extend(p);
    }
    seal(kek, aad, &plain)
}

/// A new slot key pair that trusts `pins`: (public key, the private key and pins wrapped by
/// `kek`), and the secret itself for sealing with it.
pub fn new_slot(kek: &Key, aad: &Aad, pins: &[SlotPublic]) -> (SlotSecret, Vec<u8>) {
    let secret = fresh_secret();
    let wrapped = wrap(kek, aad, &secret, pins);
    let mut all = vec![PublicKey::from(&secret).to_bytes()];
    all.extend(pins);
    (
        SlotSecret {
            secret,
            pins: Some(all),
        },
        wrapped,
    )
}

/// Wraps an opened slot's private key under `kek`, now trusting `pins`.
pub fn rewrap_slot(kek: &Key, aad: &Aad, slot: &SlotSecret, pins: &[SlotPublic]) -> Vec<u8> {
    wrap(kek, aad, &slot.secret, pins)
}

pub fn open_slot(kek: &Key, aad: &Aad, wrapped: &[u8]) -> Result<SlotSecret, DecryptionFailed> {
    let plain = open(kek, aad, wrapped)?;
    if plain.len() == 32 {
        // A legacy slot: the private key alone.
        let k: [u8; 32] = plain[..].try_into().map_err(|_| DecryptionFailed)?;
        return Ok(SlotSecret {
            secret: StaticSecret::from(k),
            pins: None,
        });
    }
    if plain.len() < 64 || plain.len() % 32 != 0 {
        return Err(DecryptionFailed);
    }
    let k: [u8; 32] = plain[..32].try_into().map_err(|_| DecryptionFailed)?;
    let secret = StaticSecret::from(k);
    let pins: Vec<SlotPublic> = plain[32..]
        .chunks_exact(32)
        .map(|c| c.try_into().expect("32 bytes"))
        .collect();
    if pins[0] != PublicKey::from(&secret).to_bytes() {
        return Err(DecryptionFailed);
    }
    Ok(SlotSecret {
        secret,
        pins: Some(pins),
    })
}

const AUTHENTICATED: u8 = 2;

/// Who sealed a key, as the sealed blob says and the transport key proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealer {
    /// A legacy seal: anyone who knew the recipient's public key could have made it.
    Anonymous,
    /// Sealed by the holder of this slot key (or by the recipient itself).
    Slot(SlotPublic),
}

fn transport_key(
    ephemeral_dh: &[u8; 32],
    static_dh: Option<&[u8; 32]>,
    ephemeral: &[u8; 32],
    sender: Option<&SlotPublic>,
    recipient: &SlotPublic,
) -> Key {
    let kdf = KeyedHash::new(Key::from_slice(ephemeral_dh).expect("32 bytes"));
    let k = Zeroizing::new(match (static_dh, sender) {
        (Some(s), Some(sender)) => kdf.hash(&[
            b"coffer/v2 authenticated slot transport",
            s,
            ephemeral,
            sender,
            recipient,
        ]),
        _ => kdf.hash(&[b"coffer/v1 slot transport", ephemeral, recipient]),
    });
    Key::from_slice(&k[..]).expect("32 bytes")
}

/// Seals `key` to a slot's public key as `sender`:
/// `2 || sender public key (32) || ephemeral public key (32) || wrapped key`.
pub fn seal_to(sender: &SlotSecret, recipient: &SlotPublic, aad: &Aad, key: &Key) -> Vec<u8> {
    let eph = fresh_secret();
    let eph_pub = PublicKey::from(&eph).to_bytes();
    let ephemeral_dh = Zeroizing::new(eph.diffie_hellman(&PublicKey::from(*recipient)).to_bytes());
    let sender_pub = sender.public();
    let static_dh = sender.dh(recipient);
    let mut out = vec![AUTHENTICATED];
    out.extend(sender_pub);
    out.extend(eph_pub);
    out.extend(wrap_key(
        &transport_key(
            &ephemeral_dh,
            Some(&*static_dh),
            &eph_pub,
            Some(&sender_pub),
            recipient,
        ),
        aad,
        key,
    ));
    out
}

/// Opens what [`seal_to`] (or the legacy anonymous seal) sealed to this slot, and says who
/// sealed it. Whether to trust that sealer is the caller's decision.
pub fn open_from(
    secret: &SlotSecret,
    aad: &Aad,
    sealed: &[u8],
) -> Result<(Key, Sealer), DecryptionFailed> {
    let recipient = secret.public();
    // The legacy format, `ephemeral (32) || wrapped key (61)`, is 93 bytes; ours is 126.
    let (sender, rest) = if sealed.len() == 32 + 61 {
        (None, sealed)
    } else if sealed.len() == 1 + 32 + 32 + 61 && sealed[0] == AUTHENTICATED {
        let s: SlotPublic = sealed[1..33].try_into().map_err(|_| DecryptionFailed)?;
        (Some(s), &sealed[33..])
    } else {
        return Err(DecryptionFailed);
    };
    let eph_pub: [u8; 32] = rest[..32].try_into().map_err(|_| DecryptionFailed)?;
    let ephemeral_dh = secret.dh(&eph_pub);
    let static_dh = sender.as_ref().map(|s| secret.dh(s));
    let key = unwrap_key(
        &transport_key(
            &ephemeral_dh,
            static_dh.as_deref(),
            &eph_pub,
            sender.as_ref(),
            &recipient,
        ),
        aad,
        &rest[32..],
    )?;
    Ok((key, sender.map_or(Sealer::Anonymous, Sealer::Slot)))
}

fn keyed(dh: &[u8; 32]) -> KeyedHash {
    KeyedHash::new(Key::from_slice(dh).expect("32 bytes"))
}

/// `voucher` vouches to `recipient` that `member` is a member (`context` names the vault).
pub fn vouch(
    voucher: &SlotSecret,
    member: &SlotPublic,
    recipient: &SlotPublic,
    context: &[u8],
) -> [u8; 32] {
    let v = voucher.public();
    keyed(&voucher.dh(recipient)).hash(&[b"coffer/v2 slot voucher", context, member, &v, recipient])
}

/// Whether `mac` is a voucher for `member` made for this slot by the holder of `voucher`.
pub fn vouched(
    me: &SlotSecret,
    voucher: &SlotPublic,
    member: &SlotPublic,
    context: &[u8],
    mac: &[u8],
) -> bool {
    let r = me.public();
    keyed(&me.dh(voucher)).verify(
        &[b"coffer/v2 slot voucher", context, member, voucher, &r],
        mac,
    )
}

/// A slot and its sealed master key turned back into the form every vault had before
/// sealing was authenticated (the private key alone; an anonymous seal), to test that such
/// vaults still open once, and are pinned then.
#[cfg(test)]
pub(crate) fn legacy_form(
    kek: &Key,
    slot_aad: &Aad,
    wrapped: &[u8],
    master_aad: &Aad,
    sealed: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    let slot = open_slot(kek, slot_aad, wrapped).expect("the slot opens");
    let (master, _) = open_from(&slot, master_aad, sealed).expect("the master opens");
    (
        seal(kek, slot_aad, &slot.secret.to_bytes()),
        tests::seal_anonymous(&slot.public(), master_aad, &master),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(kek: &Key, name: &str) -> (SlotSecret, Vec<u8>) {
        new_slot(kek, &Aad::new("slot").with(name), &[])
    }

    /// The seal every vault made before sealing was authenticated.
    pub(crate) fn seal_anonymous(recipient: &SlotPublic, aad: &Aad, key: &Key) -> Vec<u8> {
        let eph = fresh_secret();
        let eph_pub = PublicKey::from(&eph).to_bytes();
        let dh = Zeroizing::new(eph.diffie_hellman(&PublicKey::from(*recipient)).to_bytes());
        let mut out = eph_pub.to_vec();
        out.extend(wrap_key(
            &transport_key(&dh, None, &eph_pub, None, recipient),
            aad,
            key,
        ));
        out
    }

    #[test]
    fn a_key_sealed_to_a_slot_opens_with_its_private_key_only_and_names_its_sealer() {
        let kek = Key::random();
        let aad = Aad::new("slot").with("alice");
        let (alice, wrapped) = new_slot(&kek, &aad, &[]);
        let (bob, _) = slot(&kek, "bob");
        let master = Key::random();
        let sealed = seal_to(&bob, &alice.public(), &Aad::new("master"), &master);
        let opened = open_slot(&kek, &aad, &wrapped).unwrap();
        let (k, sealer) = open_from(&opened, &Aad::new("master"), &sealed).unwrap();
        assert_eq!(k.expose(), master.expose());
        assert_eq!(sealer, Sealer::Slot(bob.public()));
        // Another slot, another place, a changed byte: nothing opens.
        let (other, _) = slot(&kek, "carol");
        assert!(open_from(&other, &Aad::new("master"), &sealed).is_err());
        assert!(open_from(&opened, &Aad::new("elsewhere"), &sealed).is_err());
        for i in [0, 3, 40, 80, sealed.len() - 1] {
            let mut t = sealed.clone();
            t[i] ^= 1;
            assert!(open_from(&opened, &Aad::new("master"), &t).is_err(), "{i}");
        }
        assert!(open_slot(&Key::random(), &aad, &wrapped).is_err());
        assert_eq!(format!("{opened:?}"), "SlotSecret(***)");
    }

    #[test]
    fn naming_another_sealer_than_the_one_who_sealed_fails_to_open() {
        let kek = Key::random();
        let (alice, _) = slot(&kek, "alice");
        let (bob, _) = slot(&kek, "bob");
        let (mallory, _) = slot(&kek, "mallory");
        let master = Key::random();
        let mut sealed = seal_to(&mallory, &alice.public(), &Aad::new("m"), &master);
        sealed[1..33].copy_from_slice(&bob.public());
        assert!(open_from(&alice, &Aad::new("m"), &sealed).is_err());
    }

    #[test]
    fn a_legacy_anonymous_seal_opens_and_says_so() {
        let kek = Key::random();
        let (alice, _) = slot(&kek, "alice");
        let master = Key::random();
        let sealed = seal_anonymous(&alice.public(), &Aad::new("m"), &master);
        let (k, sealer) = open_from(&alice, &Aad::new("m"), &sealed).unwrap();
        assert_eq!(k.expose(), master.expose());
        assert_eq!(sealer, Sealer::Anonymous);
    }

    #[test]
    fn a_slot_keeps_its_pins_and_a_rewrap_changes_them_and_the_passphrase_key() {
        let (old, new) = (Key::random(), Key::random());
        let aad = Aad::new("slot").with("bob");
        let pins = [[7u8; 32], [9u8; 32]];
        let (bob, wrapped) = new_slot(&old, &aad, &pins);
        let opened = open_slot(&old, &aad, &wrapped).unwrap();
        assert_eq!(opened.pins().unwrap(), &[bob.public(), pins[0], pins[1]]);
        let rewrapped = rewrap_slot(&new, &aad, &opened, &pins[1..]);
        assert!(open_slot(&old, &aad, &rewrapped).is_err());
        let again = open_slot(&new, &aad, &rewrapped).unwrap();
        assert_eq!(again.public(), bob.public());
        assert_eq!(again.pins().unwrap(), &[bob.public(), pins[1]]);
        // A slot made before pins existed: the private key alone.
        let legacy_secret = fresh_secret();
        let legacy = seal(&old, &aad, &legacy_secret.to_bytes());
        let l = open_slot(&old, &aad, &legacy).unwrap();
        assert!(l.pins().is_none());
        assert_eq!(l.public(), PublicKey::from(&legacy_secret).to_bytes());
    }

    #[test]
    fn a_voucher_verifies_only_for_its_recipient_member_voucher_and_vault() {
        let kek = Key::random();
        let (alice, _) = slot(&kek, "alice");
        let (bob, _) = slot(&kek, "bob");
        let (carol, _) = slot(&kek, "carol");
        let mac = vouch(&alice, &bob.public(), &carol.public(), b"vault-1");
        assert!(vouched(
            &carol,
            &alice.public(),
            &bob.public(),
            b"vault-1",
            &mac
        ));
        assert!(!vouched(
            &carol,
            &alice.public(),
            &bob.public(),
            b"vault-2",
            &mac
        ));
        assert!(!vouched(
            &carol,
            &bob.public(),
            &bob.public(),
            b"vault-1",
            &mac
        ));
        assert!(!vouched(
            &carol,
            &alice.public(),
            &carol.public(),
            b"vault-1",
            &mac
        ));
        assert!(!vouched(
            &bob,
            &alice.public(),
            &bob.public(),
            b"vault-1",
            &mac
        ));
    }
}
