//! The keys of an unlocked vault: the master key, the vault data keys it wraps, and the
//! KMS-style keys (material wrapped by the master key, documents sealed).
//!
//! **Why this file is long:** the master key, the data keys it wraps and the KMS-style keys are
//! opened, wrapped and re-keyed together; their invariants are easier to check in one file.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use super::doc::SecretDoc;
use crate::audit::AuditKeys;
use crate::crypto::envelope::{unwrap_key, wrap_key};
use crate::crypto::slot::{self, Sealer, SlotPublic, SlotSecret};
use crate::crypto::{self, Aad, Key, KeyedHash};
use crate::model::{DEFAULT_KMS_ALIAS, SecretValue};
use crate::store::{SlotRow, Tx, VoucherRow};
use crate::{Error, Result};

const PURPOSES: [&str; 4] = ["index", "meta", "audit-enc", "audit-mac"];
/// The keys that MAC state rows and anchors (see `audit`): a vault made by an older
/// Coffer gets them when it is next unlocked.
const AUDIT_PURPOSES: [&str; 2] = ["state-mac", "audit-anchor"];

/// Binds an operator's wrapped private slot key to the vault and the operator.
pub(crate) fn slot_aad(vault_id: &str, operator: &str) -> Aad {
    Aad::new("key-slot").with(vault_id).with(operator)
}

/// Binds the master key sealed to an operator's slot.
pub(crate) fn master_aad(vault_id: &str, operator: &str) -> Aad {
    Aad::new("master-key").with(vault_id).with(operator)
}

fn vault_key_aad(vault_id: &str, purpose: &str) -> Aad {
    Aad::new("vault-key").with(vault_id).with(purpose)
}

fn kms_material_aad(vault_id: &str, key_id: &str) -> Aad {
    Aad::new("kms-key").with(vault_id).with(key_id)
}

fn kms_doc_aad(key_id: &str) -> Aad {
    Aad::new("kms-doc").with(key_id)
}

fn named_aad(vault_id: &str, name: &str) -> Aad {
    Aad::new("vault-doc").with(vault_id).with(name)
}

fn kept_key_aad(vault_id: &str, purpose: &str) -> Aad {
    Aad::new("kept-key").with(vault_id).with(purpose)
}

fn doc_aad(uid: &str) -> Aad {
    Aad::new("secret-doc").with(uid)
}

fn value_aad(uid: &str, vid: &str) -> Aad {
    Aad::new("secret-value").with(uid).with(vid)
}

fn dek_aad(uid: &str, vid: &str, kms_key_id: &str) -> Aad {
    Aad::new("data-key").with(uid).with(vid).with(kms_key_id)
}

/// What every member's slot key vouches with: the vault's identity.
fn voucher_context(vault_id: &str) -> Vec<u8> {
    Aad::new("slot-voucher").with(vault_id).as_bytes().to_vec()
}

/// The slot this process unlocked with: the operator, their private slot key, and the key
/// that unwraps it (their passphrase's, or a replica slot's kept key), so that the slot's
/// pins can be read again when they change.
pub(crate) struct Member {
    pub operator: String,
    pub secret: SlotSecret,
    pub kek: Arc<Key>,
}

impl Member {
    /// The member as its slot row says now: its pins re-read.
    fn reopen(&self, vault_id: &str, row: &SlotRow) -> Result<Member> {
        let secret = slot::open_slot(
            &self.kek,
            &slot_aad(vault_id, &self.operator),
            &row.wrapped_private,
        )
        .map_err(|_| {
            Error::access_denied(format!(
                "The passphrase of operator '{}' was changed; unlock the vault again.",
                self.operator
            ))
        })?;
        Ok(Member {
            operator: self.operator.clone(),
            secret,
            kek: self.kek.clone(),
        })
    }
}

pub(crate) struct VaultKeys {
    pub vault_id: String,
    /// The re-key epoch these keys belong to; every re-key (an operator removed, a
    /// passphrase changed) moves it and replaces every key below.
    epoch: i64,
    master: Key,
    /// The unlocking operator's slot: it seals (and vouches) as this member, and follows a
    /// re-key made by another process.
    member: Arc<Member>,
    index: KeyedHash,
    meta: Key,
    pub audit: AuditKeys,
    /// Keys of [`AUDIT_PURPOSES`] the file did not have, made at unlock and still to be
    /// stored (wrapped) by [`VaultKeys::store_new_keys`].
    unsaved: Vec<(&'static str, Vec<u8>)>,
}

/// The vault's current keys, replaced as a whole when the vault is re-keyed (by this
/// process, after the commit, or by another, when this one notices).
pub(crate) struct KeyCell(RwLock<Arc<VaultKeys>>);

impl KeyCell {
    pub fn new(keys: VaultKeys) -> Self {
        Self(RwLock::new(Arc::new(keys)))
    }
    pub fn get(&self) -> Arc<VaultKeys> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
    pub fn set(&self, keys: VaultKeys) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
    }
}

fn epoch(tx: &Tx<'_>) -> Result<i64> {
    Ok(tx
        .meta_get_string("master_epoch")?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0))
}

fn not_genuine() -> Error {
    Error::new(
        crate::ErrorCode::DecryptionFailure,
        "This vault file is not genuine: its master key was not sealed by a member of the vault \
         (someone who could write the file replaced its keys). It was not opened; restore it \
         from a backup you trust.",
    )
}

fn removed(operator: &str) -> Error {
    Error::access_denied(format!(
        "The operator '{operator}' was removed from this vault."
    ))
}

fn as_public(bytes: &[u8]) -> Option<SlotPublic> {
    bytes.try_into().ok()
}

/// The public keys `me` trusts as sealers: its pins, and whoever a trusted key vouched for
/// to it (followed transitively). `None` for a legacy slot, which has no pins yet.
pub(crate) fn trusted(
    tx: &Tx<'_>,
    vault_id: &str,
    me: &SlotSecret,
) -> Result<Option<Vec<SlotPublic>>> {
    let Some(pins) = me.pins() else {
        return Ok(None);
    };
    let mut set: Vec<SlotPublic> = pins.to_vec();
    let vouchers = tx.vouchers_for(&me.public())?;
    let context = voucher_context(vault_id);
    loop {
        let before = set.len();
        for v in &vouchers {
            let (Some(member), Some(voucher)) = (as_public(&v.member), as_public(&v.voucher))
            else {
                continue;
            };
            if !set.contains(&member)
                && set.contains(&voucher)
                && slot::vouched(me, &voucher, &member, &context, &v.mac)
            {
                set.push(member);
            }
        }
        if set.len() == before {
            return Ok(Some(set));
        }
    }
}

/// Opens the master key sealed to an operator's slot, provided a member this slot trusts
/// sealed it. A legacy slot (made before sealing was authenticated) trusts on first use.
pub(crate) fn open_master(
    tx: &Tx<'_>,
    vault_id: &str,
    operator: &str,
    me: &SlotSecret,
    sealed: &[u8],
) -> Result<Key> {
    let (key, sealer) = slot::open_from(me, &master_aad(vault_id, operator), sealed)?;
    match (sealer, trusted(tx, vault_id, me)?) {
        (_, None) => Ok(key),
        (Sealer::Slot(s), Some(t)) if t.contains(&s) => Ok(key),
        _ => Err(not_genuine()),
    }
}

/// Opens the master key sealed to a backup header's slot without judging its sealer: the
/// key it gives only decrypts the backup's chunks, and the restored file is then opened with
/// [`open_master`], which judges it, before it is put in place.
pub(crate) fn open_backup_master(
    vault_id: &str,
    operator: &str,
    me: &SlotSecret,
    sealed: &[u8],
) -> Result<Key> {
    Ok(slot::open_from(me, &master_aad(vault_id, operator), sealed)?.0)
}

impl VaultKeys {
    /// Fresh keys for a new vault, written (wrapped) into `tx`; `member` is its first slot.
    pub fn generate(tx: &Tx<'_>, vault_id: &str, member: Member) -> Result<Self> {
        let master = Key::random();
        for p in PURPOSES.into_iter().chain(AUDIT_PURPOSES) {
            tx.vault_key_set(
                p,
                &wrap_key(&master, &vault_key_aad(vault_id, p), &Key::random()),
            )?;
        }
        Self::load(tx, vault_id, master, Arc::new(member))
    }

    /// Unwraps the vault data keys with the master key.
    pub fn load(tx: &Tx<'_>, vault_id: &str, master: Key, member: Arc<Member>) -> Result<Self> {
        let get = |p: &str| -> Result<Key> {
            let w = tx
                .vault_key_get(p)?
                .ok_or_else(|| Error::internal(format!("the vault has no {p} key")))?;
            Ok(unwrap_key(&master, &vault_key_aad(vault_id, p), &w)?)
        };
        let mut unsaved = Vec::new();
        let mut get_or_make = |p: &'static str| -> Result<KeyedHash> {
            if tx.vault_key_get(p)?.is_some() {
                return get(p).map(KeyedHash::new);
            }
            let k = Key::random();
            unsaved.push((p, wrap_key(&master, &vault_key_aad(vault_id, p), &k)));
            Ok(KeyedHash::new(k))
        };
        let audit = AuditKeys {
            enc: get("audit-enc")?,
            mac: KeyedHash::new(get("audit-mac")?),
            state: get_or_make(AUDIT_PURPOSES[0])?,
            anchor: get_or_make(AUDIT_PURPOSES[1])?,
            last_head: Default::default(),
        };
        Ok(Self {
            vault_id: vault_id.to_string(),
            index: KeyedHash::new(get("index")?),
            meta: get("meta")?,
            audit,
            epoch: epoch(tx)?,
            master,
            member,
            unsaved,
        })
    }

    /// Stores the audit keys made at unlock for a vault of an older Coffer, and folds them
    /// into the audit head. Another process may have stored its own meanwhile: then those
    /// are the vault's, and this process takes them.
    pub fn store_new_keys(&mut self, store: &mut crate::store::Store) -> Result<()> {
        if self.unsaved.is_empty() {
            return Ok(());
        }
        let tx = store.begin()?;
        for (p, wrapped) in std::mem::take(&mut self.unsaved) {
            let key = match tx.vault_key_get(p)? {
                Some(theirs) => KeyedHash::new(unwrap_key(
                    &self.master,
                    &vault_key_aad(&self.vault_id, p),
                    &theirs,
                )?),
                None => {
                    tx.vault_key_set(p, &wrapped)?;
                    continue;
                }
            };
            if p == AUDIT_PURPOSES[0] {
                self.audit.state = key;
            } else {
                self.audit.anchor = key;
            }
        }
        crate::audit::fold(&tx, &self.audit)?;
        tx.commit()
    }

    pub fn member(&self) -> &Arc<Member> {
        &self.member
    }

    /// The same keys, with this member's pins re-read from its slot row.
    pub fn repinned(mut self, row: &SlotRow) -> Result<Self> {
        self.member = Arc::new(self.member.reopen(&self.vault_id, row)?);
        Ok(self)
    }

    /// The slot row of this process's own member, for the vault's first operator.
    pub fn own_slot_row(&self, kdf: String, wrapped_private: Vec<u8>, now_ms: i64) -> SlotRow {
        let public = self.member.secret.public();
        SlotRow {
            operator: self.member.operator.clone(),
            kdf,
            public_key: public.to_vec(),
            public_mac: self.public_mac(&self.member.operator, &public).to_vec(),
            wrapped_private,
            sealed_master: self.seal_master_to(&self.member.operator, &public),
            created_ms: now_ms,
        }
    }

    /// A key slot for `operator`, whose passphrase derives `kek` with `kdf`. It pins every
    /// current member this process trusts, and this member vouches for it to every slot.
    pub fn new_slot_row(
        &self,
        tx: &Tx<'_>,
        operator: &str,
        kek: &Key,
        kdf: String,
        now_ms: i64,
    ) -> Result<SlotRow> {
        let pins = self.trusted_members(tx)?;
        let (secret, wrapped_private) =
            slot::new_slot(kek, &slot_aad(&self.vault_id, operator), &pins);
        let public = secret.public();
        let context = voucher_context(&self.vault_id);
        for r in &pins {
            self.put_voucher(tx, &self.member.secret, &public, r, &context)?;
        }
        Ok(SlotRow {
            operator: operator.to_string(),
            kdf,
            public_key: public.to_vec(),
            public_mac: self.public_mac(operator, &public).to_vec(),
            wrapped_private,
            sealed_master: self.seal_master_to(operator, &public),
            created_ms: now_ms,
        })
    }

    /// The public keys of the vault's slots, each of which this member must trust: a slot
    /// nobody trusted vouched for was written by someone who holds no slot.
    fn trusted_members(&self, tx: &Tx<'_>) -> Result<Vec<SlotPublic>> {
        // The pins as the slot holds them now: another process of this operator may have
        // re-pinned it (and dropped the vouchers it pinned) since this one unlocked.
        let operator = &self.member.operator;
        let row = tx.slot_get(operator)?.ok_or_else(|| removed(operator))?;
        let me = self.member.reopen(&self.vault_id, &row)?;
        let trusted = trusted(tx, &self.vault_id, &me.secret)?;
        tx.slots_all()?
            .iter()
            .map(|row| {
                let public = self.checked_public(row)?;
                match &trusted {
                    Some(t) if !t.contains(&public) => Err(Error::new(
                        crate::ErrorCode::DecryptionFailure,
                        format!(
                            "The key slot of operator '{}' was not vouched for by a member you trust: \
                             someone who holds no slot wrote it. Remove it before sealing keys to it.",
                            row.operator
                        ),
                    )),
                    _ => Ok(public),
                }
            })
            .collect()
    }

    fn public_mac(&self, operator: &str, public: &[u8]) -> [u8; 32] {
        self.index.hash(&[
            b"slot-public-key",
            self.vault_id.as_bytes(),
            operator.as_bytes(),
            public,
        ])
    }

    /// A slot's public key, if its MAC shows nobody swapped it.
    fn checked_public(&self, row: &SlotRow) -> Result<SlotPublic> {
        let ok = self.index.verify(
            &[
                b"slot-public-key",
                self.vault_id.as_bytes(),
                row.operator.as_bytes(),
                &row.public_key,
            ],
            &row.public_mac,
        );
        match (ok, as_public(&row.public_key)) {
            (true, Some(p)) => Ok(p),
            _ => Err(Error::new(
                crate::ErrorCode::DecryptionFailure,
                format!(
                    "The key slot of operator '{}' has been tampered with.",
                    row.operator
                ),
            )),
        }
    }

    /// Checks the unlocking operator's own slot: its public key is authentic.
    pub fn check_slot(&self, row: &SlotRow) -> Result<()> {
        self.checked_public(row).map(|_| ())
    }

    /// Seals the master key to a slot's public key, as this member.
    pub fn seal_master_to(&self, operator: &str, public: &SlotPublic) -> Vec<u8> {
        slot::seal_to(
            &self.member.secret,
            public,
            &master_aad(&self.vault_id, operator),
            &self.master,
        )
    }

    /// Pins this member's slot to the members it trusts now (dropping removed ones, and the
    /// vouchers made for it, whose word the pins now hold), and seals its own master key as
    /// itself: what the first unlock of a slot made before sealing was authenticated does,
    /// and every unlock after membership changed. Returns whether the slot needs (`write`
    /// false) or got (`write` true) new pins; nothing changes if another process re-keyed.
    pub fn pin_own_slot(&self, tx: &Tx<'_>, write: bool) -> Result<bool> {
        let operator = &self.member.operator;
        let Some(mut row) = tx.slot_get(operator)? else {
            return Ok(false);
        };
        if epoch(tx)? != self.epoch {
            return Ok(false);
        }
        let (_, sealer) = slot::open_from(
            &self.member.secret,
            &master_aad(&self.vault_id, operator),
            &row.sealed_master,
        )?;
        let trusted = trusted(tx, &self.vault_id, &self.member.secret)?;
        let current: Vec<SlotPublic> = tx
            .slots_all()?
            .iter()
            .filter_map(|r| self.checked_public(r).ok())
            .filter(|p| trusted.as_ref().is_none_or(|t| t.contains(p)))
            .collect();
        let mut pinned: Vec<SlotPublic> = self.member.secret.pins().unwrap_or_default().to_vec();
        let mut wanted = current.clone();
        pinned.sort_unstable();
        wanted.sort_unstable();
        let own = self.member.secret.public();
        if pinned == wanted && sealer != Sealer::Anonymous && tx.vouchers_for(&own)?.is_empty() {
            return Ok(false);
        }
        if !write {
            return Ok(true);
        }
        row.wrapped_private = slot::rewrap_slot(
            &self.member.kek,
            &slot_aad(&self.vault_id, operator),
            &self.member.secret,
            &current,
        );
        row.sealed_master = self.seal_master_to(operator, &own);
        tx.slot_update(&row)?;
        tx.vouchers_prune(Some(&own))?;
        Ok(true)
    }

    /// The key a backup's chunks are sealed under (salted per backup), provided this
    /// vault's master key is the one that wraps the snapshot's `index` key: a re-key that
    /// landed between this process's last look and the snapshot would make them differ.
    pub fn backup_key(&self, snapshot_index_key: &[u8], salt: &[u8]) -> Result<Key> {
        unwrap_key(
            &self.master,
            &vault_key_aad(&self.vault_id, "index"),
            snapshot_index_key,
        )
        .map_err(|_| {
            Error::invalid_request(
                "The vault was re-keyed (an operator was removed) while the backup was taken; run the backup again.",
            )
        })?;
        Ok(crypto::backup::backup_key(&self.master, salt))
    }

    /// The keys after a re-key another process made, if it made one: reopens the master
    /// key from this member's slot. An operator removed meanwhile is locked out.
    pub fn catch_up(&self, tx: &Tx<'_>) -> Result<Option<VaultKeys>> {
        if epoch(tx)? == self.epoch {
            return Ok(None);
        }
        let operator = &self.member.operator;
        let row = tx.slot_get(operator)?.ok_or_else(|| removed(operator))?;
        let member = self.member.reopen(&self.vault_id, &row)?;
        let master = open_master(
            tx,
            &self.vault_id,
            operator,
            &member.secret,
            &row.sealed_master,
        )?;
        Ok(Some(Self::load(
            tx,
            &self.vault_id,
            master,
            Arc::new(member),
        )?))
    }

    /// New keys for a re-key: a new master key and new index, metadata, audit and state keys,
    /// written (wrapped) into `tx`; other vault keys (kept by purposes this code does not
    /// rotate) are re-wrapped. `member` is who holds them now (a changed passphrase gives
    /// the operator a new slot key). The caller rewrites everything they protect.
    pub fn successor(&self, tx: &Tx<'_>, member: Arc<Member>) -> Result<VaultKeys> {
        let master = Key::random();
        for (purpose, wrapped) in tx.vault_keys_all()? {
            let aad = vault_key_aad(&self.vault_id, &purpose);
            // The state-MAC key is replaced with the audit keys (the audit re-key rescans the
            // rows under it); the anchor key is kept so that anchors taken before still check.
            let k = if PURPOSES.contains(&purpose.as_str()) || purpose == AUDIT_PURPOSES[0] {
                Key::random()
            } else {
                unwrap_key(&self.master, &aad, &wrapped)?
            };
            tx.vault_key_set(&purpose, &wrap_key(&master, &aad, &k))?;
        }
        tx.meta_set("master_epoch", (epoch(tx)? + 1).to_string().as_bytes())?;
        Self::load(tx, &self.vault_id, master, member)
    }

    /// After a re-key: seals the new master key to every slot left, as this member, with
    /// their public keys MAC'd under the new index key, and replaces every voucher with this
    /// member's word for every slot to every other. `previous` checks the slots as they were.
    pub fn reseal_slots(&self, tx: &Tx<'_>, previous: &VaultKeys) -> Result<()> {
        previous.trusted_members(tx)?;
        let me = &self.member.secret;
        let own = me.public();
        let mut members = Vec::new();
        for mut row in tx.slots_all()? {
            let public = if row.operator == self.member.operator {
                own
            } else {
                previous.checked_public(&row)?
            };
            row.public_key = public.to_vec();
            row.public_mac = self.public_mac(&row.operator, &public).to_vec();
            row.sealed_master = self.seal_master_to(&row.operator, &public);
            tx.slot_update(&row)?;
            members.push(public);
        }
        tx.vouchers_prune(None)?;
        let context = voucher_context(&self.vault_id);
        let before = &previous.member.secret;
        for r in &members {
            // A new slot key (a changed passphrase) is vouched for by the one it replaces,
            // whom the others already trust; then it vouches for every member to each.
            if before.public() != own {
                self.put_voucher(tx, before, &own, r, &context)?;
            }
            for m in members.iter().filter(|m| *m != r) {
                self.put_voucher(tx, me, m, r, &context)?;
            }
        }
        Ok(())
    }

    fn put_voucher(
        &self,
        tx: &Tx<'_>,
        voucher: &SlotSecret,
        member: &SlotPublic,
        recipient: &SlotPublic,
        context: &[u8],
    ) -> Result<()> {
        tx.voucher_put(&VoucherRow {
            member: member.to_vec(),
            recipient: recipient.to_vec(),
            voucher: voucher.public().to_vec(),
            mac: slot::vouch(voucher, member, recipient, context).to_vec(),
        })
    }

    /// A new slot key pair for this member's operator, wrapped by `kek` and pinned to the
    /// members this one trusts: what a passphrase change gives, so that the old passphrase
    /// (and a copy of the file it opens) opens nothing sealed from now on.
    pub fn renewed_member(&self, tx: &Tx<'_>, kek: Key) -> Result<(Member, Vec<u8>)> {
        let old = self.member.secret.public();
        let pins: Vec<SlotPublic> = self
            .trusted_members(tx)?
            .into_iter()
            .filter(|p| *p != old)
            .collect();
        let operator = self.member.operator.clone();
        let (secret, wrapped) = slot::new_slot(&kek, &slot_aad(&self.vault_id, &operator), &pins);
        let kek = Arc::new(kek);
        Ok((
            Member {
                operator,
                secret,
                kek,
            },
            wrapped,
        ))
    }

    pub fn name_hash(&self, name: &str) -> [u8; 32] {
        self.index.hash(&[b"secret-name", name.as_bytes()])
    }

    pub fn vid_hash(&self, uid: &str, vid: &str) -> [u8; 32] {
        self.index
            .hash(&[b"version-id", uid.as_bytes(), vid.as_bytes()])
    }

    pub fn iam_hash(&self, kind: &str, name: &str) -> [u8; 32] {
        self.index.hash(&[b"iam", kind.as_bytes(), name.as_bytes()])
    }

    /// The key that seals metadata documents.
    pub fn meta_key(&self) -> &Key {
        &self.meta
    }

    /// The keyed hash that finds a value reused across secrets (the health report's), under
    /// a key of its own.
    pub fn value_fingerprinter(&self) -> KeyedHash {
        self.index.derive("value-fingerprint")
    }

    pub fn principal_hash(&self, arn: &str) -> [u8; 32] {
        self.index.hash(&[b"principal", arn.as_bytes()])
    }

    pub fn seal_doc(&self, doc: &SecretDoc) -> Vec<u8> {
        let json = zeroize::Zeroizing::new(serde_json::to_vec(doc).expect("a document serializes"));
        crypto::seal(&self.meta, &doc_aad(&doc.uid), &json)
    }

    pub fn open_doc(&self, uid: &str, sealed: &[u8]) -> Result<SecretDoc> {
        let json = crypto::open(&self.meta, &doc_aad(uid), sealed)?;
        let doc: SecretDoc = serde_json::from_slice(&json).map_err(|_| Error::decryption())?;
        if doc.uid != uid {
            return Err(Error::decryption());
        }
        Ok(doc)
    }

    /// Seals a vault-wide document (`name` says which) under the metadata key.
    pub fn seal_named(&self, name: &str, plaintext: &[u8]) -> Vec<u8> {
        crypto::seal(&self.meta, &named_aad(&self.vault_id, name), plaintext)
    }

    pub fn open_named(&self, name: &str, sealed: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        Ok(crypto::open(
            &self.meta,
            &named_aad(&self.vault_id, name),
            sealed,
        )?)
    }

    /// Wraps a key the vault keeps for `purpose` (say, a replica region's slot key) under
    /// the metadata key (a re-key re-wraps it).
    pub fn wrap_kept_key(&self, purpose: &str, key: &Key) -> Vec<u8> {
        wrap_key(&self.meta, &kept_key_aad(&self.vault_id, purpose), key)
    }

    pub fn unwrap_kept_key(&self, purpose: &str, wrapped: &[u8]) -> Result<Key> {
        Ok(unwrap_key(
            &self.meta,
            &kept_key_aad(&self.vault_id, purpose),
            wrapped,
        )?)
    }

    // ---- re-keying what these keys protect (see `super::rekey`) ----

    /// Opens what `old` sealed under its metadata key at `aad` and seals the same bytes
    /// under this one's.
    pub fn reseal_meta(&self, old: &VaultKeys, aad: &Aad, sealed: &[u8]) -> Result<Vec<u8>> {
        let plain = crypto::open(&old.meta, aad, sealed)?;
        Ok(crypto::seal(&self.meta, aad, &plain))
    }

    /// A secret's row re-keyed from `old`: its name hash and document, and each version's
    /// hash and data key (re-wrapped under the KMS key's new material; the value stays).
    pub fn rekey_secret(
        &self,
        tx: &Tx<'_>,
        old: &VaultKeys,
        kms: &KmsRekey,
        row: &crate::store::SecretRow,
    ) -> Result<()> {
        let doc = old.open_doc(&row.uid, &row.doc)?;
        let sealed = self.reseal_meta(old, &doc_aad(&row.uid), &row.doc)?;
        tx.secret_rekey(&row.uid, &self.name_hash(&doc.name), &sealed)?;
        let by_hash: HashMap<[u8; 32], &str> = doc
            .versions
            .iter()
            .map(|v| (old.vid_hash(&row.uid, &v.id), v.id.as_str()))
            .collect();
        for (h, v) in tx.versions_of(&row.uid)? {
            let Some(vid) = as_public(&h).and_then(|h| by_hash.get(&h)) else {
                continue;
            };
            let wrapped = kms.rewrap(&row.uid, vid, &v.kms_key_id, &v.wrapped_dek)?;
            tx.version_rekey(&row.uid, &h, &self.vid_hash(&row.uid, vid), &wrapped)?;
        }
        Ok(())
    }

    /// New material for every KMS key (old versions' data keys are re-wrapped under it by
    /// [`VaultKeys::rekey_secret`]), and their documents re-sealed.
    pub fn rekey_kms(&self, tx: &Tx<'_>, old: &VaultKeys) -> Result<KmsRekey> {
        let mut map = HashMap::new();
        for row in tx.kms_all()? {
            let aad = kms_material_aad(&self.vault_id, &row.key_id);
            let before = unwrap_key(&old.master, &aad, &row.wrapped)?;
            let after = Key::random();
            tx.kms_set_wrapped(&row.key_id, &wrap_key(&self.master, &aad, &after))?;
            tx.kms_update_doc(
                &row.key_id,
                &self.reseal_meta(old, &kms_doc_aad(&row.key_id), &row.doc)?,
            )?;
            map.insert(row.key_id, (before, after));
        }
        Ok(KmsRekey(map))
    }

    // ---- KMS keys ----

    /// Makes and stores a KMS key; its material, for a ring that must know it before the
    /// request commits.
    pub fn new_kms_key(&self, tx: &Tx<'_>, key_id: &str, doc: &KmsDoc) -> Result<Key> {
        let material = Key::random();
        tx.kms_insert(&crate::store::KmsRow {
            key_id: key_id.to_string(),
            wrapped: wrap_key(
                &self.master,
                &kms_material_aad(&self.vault_id, key_id),
                &material,
            ),
            doc: self.seal_kms_doc(key_id, doc),
            created_ms: doc.created_ms,
        })?;
        Ok(material)
    }

    pub fn seal_kms_doc(&self, key_id: &str, doc: &KmsDoc) -> Vec<u8> {
        crypto::seal(
            &self.meta,
            &kms_doc_aad(key_id),
            &serde_json::to_vec(doc).expect("serializes"),
        )
    }
}

/// Each KMS key's material before and after a re-key.
pub(crate) struct KmsRekey(HashMap<String, (Key, Key)>);

impl KmsRekey {
    /// A version's data key re-wrapped from its KMS key's old material to its new.
    fn rewrap(&self, uid: &str, vid: &str, key_id: &str, wrapped: &[u8]) -> Result<Vec<u8>> {
        let (before, after) = self.0.get(key_id).ok_or_else(Error::decryption)?;
        let aad = dek_aad(uid, vid, key_id);
        Ok(wrap_key(after, &aad, &unwrap_key(before, &aad, wrapped)?))
    }
}

/// What the vault keeps about a KMS key besides its material.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmsDoc {
    pub description: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub enabled: bool,
    /// `AWS` or `CUSTOMER`.
    pub key_manager: String,
    pub created_ms: i64,
    /// The key policy, when an operator set one (otherwise the default for its kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

pub(crate) struct KmsEntry {
    material: Key,
    pub doc: KmsDoc,
}

/// The vault's KMS keys, unwrapped.
#[derive(Default)]
pub(crate) struct KmsRing {
    pub keys: HashMap<String, KmsEntry>,
    /// Key ids in creation order.
    pub order: Vec<String>,
    pub aliases: HashMap<String, String>,
}

impl KmsRing {
    pub fn load(tx: &Tx<'_>, keys: &VaultKeys) -> Result<Self> {
        let mut ring = Self::default();
        for row in tx.kms_all()? {
            let material = unwrap_key(
                &keys.master,
                &kms_material_aad(&keys.vault_id, &row.key_id),
                &row.wrapped,
            )?;
            let doc_json = crypto::open(&keys.meta, &kms_doc_aad(&row.key_id), &row.doc)?;
            let doc: KmsDoc = serde_json::from_slice(&doc_json).map_err(|_| Error::decryption())?;
            for a in &doc.aliases {
                ring.aliases.insert(a.clone(), row.key_id.clone());
            }
            ring.order.push(row.key_id.clone());
            ring.keys.insert(row.key_id, KmsEntry { material, doc });
        }
        Ok(ring)
    }

    /// A key's policy: the one set, or KMS's default — for `aws/secretsmanager`, use through
    /// Secrets Manager by every principal of the account; for a customer key, the account's
    /// IAM policies decide.
    pub fn key_policy(&self, key_id: &str, account: &str, region: &str) -> String {
        let entry = self.keys.get(key_id);
        if let Some(p) = entry.and_then(|e| e.doc.policy.clone()) {
            return p;
        }
        if entry.is_some_and(|e| e.doc.key_manager == "AWS") {
            return format!(
                r#"{{"Version":"2012-10-17","Id":"auto-secretsmanager-2","Statement":[{{"Sid":"Allow access through AWS Secrets Manager for all principals in the account that are authorized to use AWS Secrets Manager","Effect":"Allow","Principal":{{"AWS":"*"}},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:CreateGrant","kms:DescribeKey"],"Resource":"*","Condition":{{"StringEquals":{{"kms:CallerAccount":"{account}","kms:ViaService":"secretsmanager.{region}.amazonaws.com"}}}}}}]}}"#
            );
        }
        format!(
            r#"{{"Version":"2012-10-17","Id":"key-default-1","Statement":[{{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"kms:*","Resource":"*"}}]}}"#
        )
    }

    /// A key made in the request under way (the ring is reloaded after it either way).
    pub fn insert(&mut self, key_id: &str, material: Key, doc: KmsDoc) {
        for a in &doc.aliases {
            self.aliases.insert(a.clone(), key_id.to_string());
        }
        self.order.push(key_id.to_string());
        self.keys
            .insert(key_id.to_string(), KmsEntry { material, doc });
    }

    pub fn default_key_id(&self) -> Result<&str> {
        self.aliases
            .get(DEFAULT_KMS_ALIAS)
            .map(String::as_str)
            .ok_or_else(|| Error::internal("the vault has no aws/secretsmanager key"))
    }

    /// A key id, key ARN, alias name or alias ARN → the key id.
    pub fn resolve(&self, input: &str, region: &str, account: &str) -> Result<String> {
        let not_found = || {
            Error::new(
                crate::ErrorCode::EncryptionFailure,
                format!(
                    "Secrets Manager can't encrypt with the KMS key {input}: no such key or alias in this vault."
                ),
            )
        };
        let arn_prefix = format!("arn:aws:kms:{region}:{account}:");
        let local = match input.strip_prefix(&arn_prefix) {
            Some(rest) => rest,
            None if input.starts_with("arn:") => return Err(not_found()),
            None => input,
        };
        if let Some(key_id) = local.strip_prefix("key/") {
            return self
                .keys
                .contains_key(key_id)
                .then(|| key_id.to_string())
                .ok_or_else(not_found);
        }
        if local.starts_with("alias/") {
            return self.aliases.get(local).cloned().ok_or_else(not_found);
        }
        self.keys
            .contains_key(local)
            .then(|| local.to_string())
            .ok_or_else(not_found)
    }

    fn material(&self, key_id: &str) -> Result<&Key> {
        let e = self.keys.get(key_id).ok_or_else(Error::decryption)?;
        if !e.doc.enabled {
            return Err(Error::new(
                crate::ErrorCode::DecryptionFailure,
                format!("The KMS key {key_id} is disabled."),
            ));
        }
        Ok(&e.material)
    }

    /// Seals a version's value under a fresh data key wrapped by `key_id`.
    pub fn seal_value(
        &self,
        uid: &str,
        vid: &str,
        key_id: &str,
        value: &SecretValue,
    ) -> Result<(Vec<u8>, Vec<u8>)> {
        let kek = self.material(key_id)?;
        let dek = Key::random();
        let sealed = crypto::seal(&dek, &value_aad(uid, vid), &value.encode());
        let wrapped = wrap_key(kek, &dek_aad(uid, vid, key_id), &dek);
        Ok((wrapped, sealed))
    }

    pub fn open_value(
        &self,
        uid: &str,
        vid: &str,
        key_id: &str,
        wrapped: &[u8],
        sealed: &[u8],
    ) -> Result<SecretValue> {
        let kek = self.material(key_id)?;
        let dek = unwrap_key(kek, &dek_aad(uid, vid, key_id), wrapped)?;
        let plain = crypto::open(&dek, &value_aad(uid, vid), sealed)?;
        SecretValue::decode(&plain).ok_or_else(Error::decryption)
    }

    /// Re-wraps a version's data key under another KMS key (the value is not re-sealed).
    pub fn rewrap(
        &self,
        uid: &str,
        vid: &str,
        from: &str,
        to: &str,
        wrapped: &[u8],
    ) -> Result<Vec<u8>> {
        let dek = unwrap_key(self.material(from)?, &dek_aad(uid, vid, from), wrapped)?;
        Ok(wrap_key(self.material(to)?, &dek_aad(uid, vid, to), &dek))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Passphrase;
    use crate::store::Store;
    use crate::{FrontEnd, InitOptions, Vault};

    const PASS: &str = "keys test passphrase";

    fn init(path: &std::path::Path) -> Vault {
        let mut opts = InitOptions::new("admin", Passphrase::new(PASS.into()));
        opts.kdf = Some((19456, 2));
        Vault::init(path, opts).unwrap()
    }

    fn admin_row(path: &std::path::Path) -> SlotRow {
        let mut store = Store::open(path).unwrap();
        let tx = store.read().unwrap();
        tx.slot_get("admin").unwrap().unwrap()
    }

    /// Writes a slot row: as Coffer would (folded into the audit head under `audit`), or
    /// from outside its door (`None`: an attacker's write, left out of the head).
    fn write_row(path: &std::path::Path, row: &SlotRow, audit: Option<&AuditKeys>) {
        let mut store = Store::open(path).unwrap();
        let tx = store.begin().unwrap();
        tx.slot_update(row).unwrap();
        match audit {
            Some(keys) => crate::audit::fold(&tx, keys).unwrap(),
            None => tx.state_changes_taken().unwrap(),
        }
        tx.commit().unwrap();
    }

    #[test]
    fn a_vault_made_before_sealing_was_authenticated_opens_once_and_is_pinned_then() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        let first = init(&path);
        let vault_id = first.info().vault_id.clone();
        let mut row = admin_row(&path);
        let kek = super::super::slot_kek(&row.kdf, &Passphrase::new(PASS.into())).unwrap();
        let (wrapped, sealed) = slot::legacy_form(
            &kek,
            &slot_aad(&vault_id, "admin"),
            &row.wrapped_private,
            &master_aad(&vault_id, "admin"),
            &row.sealed_master,
        );
        let anonymous = sealed.clone();
        (row.wrapped_private, row.sealed_master) = (wrapped, sealed);
        // The slot as an older Coffer wrote it, through its door.
        write_row(&path, &row, Some(&first.keys.get().audit));
        drop(first);

        let v = Vault::open(&path, Some("admin"), &Passphrase::new(PASS.into())).unwrap();
        let c = v.caller(FrontEnd::Cli);
        assert!(v.verify_audit_trail(&c).unwrap().intact);
        drop(v);
        // The first unlock pinned the slot and sealed the master key as itself…
        let mut row = admin_row(&path);
        let opened =
            slot::open_slot(&kek, &slot_aad(&vault_id, "admin"), &row.wrapped_private).unwrap();
        assert_eq!(opened.pins().unwrap(), &[opened.public()]);
        let (_, sealer) =
            slot::open_from(&opened, &master_aad(&vault_id, "admin"), &row.sealed_master).unwrap();
        assert_eq!(sealer, Sealer::Slot(opened.public()));
        // …so an anonymous seal is refused from now on.
        row.sealed_master = anonymous;
        write_row(&path, &row, None);
        let e = Vault::open(&path, Some("admin"), &Passphrase::new(PASS.into())).unwrap_err();
        assert!(e.message.contains("not genuine"), "{}", e.message);
    }
}

#[cfg(test)]
#[path = "keys_attacks.rs"]
mod attacks;
