//! The keys of an unlocked vault: the master key, the vault data keys it wraps, and the
//! KMS-style keys (material wrapped by the master key, documents sealed).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use super::doc::SecretDoc;
use crate::audit::AuditKeys;
use crate::crypto::envelope::{unwrap_key, wrap_key};
use crate::crypto::slot::{self, SlotSecret};
use crate::crypto::{self, Aad, Key, KeyedHash};
use crate::model::{DEFAULT_KMS_ALIAS, SecretValue};
use crate::store::Tx;
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

pub(crate) struct VaultKeys {
    pub vault_id: String,
    /// The master key and the re-key epoch it belongs to; changes when an operator is
    /// removed (by this process or another).
    master: Mutex<(i64, Key)>,
    /// The unlocking operator's slot, to follow a re-key made by another process.
    own_slot: Option<(String, SlotSecret)>,
    index: KeyedHash,
    meta: Key,
    pub audit: AuditKeys,
    /// Keys of [`AUDIT_PURPOSES`] the file did not have, made at unlock and still to be
    /// stored (wrapped) by [`VaultKeys::store_new_keys`].
    unsaved: Vec<(&'static str, Vec<u8>)>,
}

fn epoch(tx: &Tx<'_>) -> Result<i64> {
    Ok(tx
        .meta_get_string("master_epoch")?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0))
}

impl VaultKeys {
    /// Fresh keys for a new vault, written (wrapped) into `tx`.
    pub fn generate(tx: &Tx<'_>, vault_id: &str) -> Result<Self> {
        let master = Key::random();
        for p in PURPOSES.into_iter().chain(AUDIT_PURPOSES) {
            tx.vault_key_set(
                p,
                &wrap_key(&master, &vault_key_aad(vault_id, p), &Key::random()),
            )?;
        }
        Self::load(tx, vault_id, master, None)
    }

    /// Unwraps the vault data keys with the master key.
    pub fn load(
        tx: &Tx<'_>,
        vault_id: &str,
        master: Key,
        own_slot: Option<(String, SlotSecret)>,
    ) -> Result<Self> {
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
        };
        Ok(Self {
            vault_id: vault_id.to_string(),
            index: KeyedHash::new(get("index")?),
            meta: get("meta")?,
            audit,
            master: Mutex::new((epoch(tx)?, master)),
            own_slot,
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
                    &self.master().1,
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

    /// Opens the master key sealed to an operator's slot.
    pub fn open_master(
        vault_id: &str,
        operator: &str,
        secret: &SlotSecret,
        sealed: &[u8],
    ) -> Result<Key> {
        Ok(slot::open_from(
            secret,
            &master_aad(vault_id, operator),
            sealed,
        )?)
    }

    fn master(&self) -> MutexGuard<'_, (i64, Key)> {
        self.master.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A key slot for `operator`, whose passphrase derives `kek` with `kdf`.
    pub fn new_slot_row(
        &self,
        operator: &str,
        kek: &Key,
        kdf: String,
        now_ms: i64,
    ) -> crate::store::SlotRow {
        let (public, wrapped_private) = slot::new_slot(kek, &slot_aad(&self.vault_id, operator));
        crate::store::SlotRow {
            operator: operator.to_string(),
            kdf,
            public_key: public.to_vec(),
            public_mac: self.public_mac(operator, &public).to_vec(),
            wrapped_private,
            sealed_master: self.seal_master_to(operator, &public),
            created_ms: now_ms,
        }
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
    fn checked_public(&self, row: &crate::store::SlotRow) -> Result<[u8; 32]> {
        let ok = self.index.verify(
            &[
                b"slot-public-key",
                self.vault_id.as_bytes(),
                row.operator.as_bytes(),
                &row.public_key,
            ],
            &row.public_mac,
        );
        let public: Option<[u8; 32]> = row.public_key.as_slice().try_into().ok();
        match (ok, public) {
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
    pub fn check_slot(&self, row: &crate::store::SlotRow) -> Result<()> {
        self.checked_public(row).map(|_| ())
    }

    /// Seals the master key to a slot's public key.
    pub fn seal_master_to(&self, operator: &str, public: &[u8; 32]) -> Vec<u8> {
        slot::seal_to(
            public,
            &master_aad(&self.vault_id, operator),
            &self.master().1,
        )
    }

    /// The key a backup's chunks are sealed under (salted per backup), provided this
    /// vault's master key is the one that wraps the snapshot's `index` key: a re-key that
    /// landed between this process's last look and the snapshot would make them differ.
    pub fn backup_key(&self, snapshot_index_key: &[u8], salt: &[u8]) -> Result<Key> {
        let m = self.master();
        unwrap_key(
            &m.1,
            &vault_key_aad(&self.vault_id, "index"),
            snapshot_index_key,
        )
        .map_err(|_| {
            Error::invalid_request(
                "The vault was re-keyed (an operator was removed) while the backup was taken; run the backup again.",
            )
        })?;
        Ok(crypto::backup::backup_key(&m.1, salt))
    }

    /// Follows a re-key another process made: reopens the master key from this
    /// operator's slot. An operator removed meanwhile is locked out.
    pub fn follow_rekey(&self, tx: &Tx<'_>) -> Result<()> {
        let current = epoch(tx)?;
        let mut m = self.master();
        if m.0 == current {
            return Ok(());
        }
        let Some((operator, secret)) = &self.own_slot else {
            return Err(Error::internal("the vault was re-keyed by another process"));
        };
        let row = tx.slot_get(operator)?.ok_or_else(|| {
            Error::access_denied(format!(
                "The operator '{operator}' was removed from this vault."
            ))
        })?;
        *m = (
            current,
            Self::open_master(&self.vault_id, operator, secret, &row.sealed_master)?,
        );
        Ok(())
    }

    /// Replaces the master key: re-wraps the vault data keys and the KMS keys, and seals
    /// the new master key to every slot left. Their material is unchanged.
    pub fn rekey(&self, tx: &Tx<'_>) -> Result<()> {
        let new = Key::random();
        let mut m = self.master();
        for (purpose, wrapped) in tx.vault_keys_all()? {
            let aad = vault_key_aad(&self.vault_id, &purpose);
            let k = unwrap_key(&m.1, &aad, &wrapped)?;
            tx.vault_key_set(&purpose, &wrap_key(&new, &aad, &k))?;
        }
        for row in tx.kms_all()? {
            let aad = kms_material_aad(&self.vault_id, &row.key_id);
            let k = unwrap_key(&m.1, &aad, &row.wrapped)?;
            tx.kms_set_wrapped(&row.key_id, &wrap_key(&new, &aad, &k))?;
        }
        for s in tx.slots_all()? {
            let public = self.checked_public(&s)?;
            tx.slot_set_master(
                &s.operator,
                &slot::seal_to(&public, &master_aad(&self.vault_id, &s.operator), &new),
            )?;
        }
        let next = epoch(tx)? + 1;
        tx.meta_set("master_epoch", next.to_string().as_bytes())?;
        *m = (next, new);
        Ok(())
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
    /// the metadata key, which a re-key does not change.
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

    // ---- KMS keys ----

    pub fn new_kms_key(&self, tx: &Tx<'_>, key_id: &str, doc: &KmsDoc) -> Result<()> {
        let material = Key::random();
        tx.kms_insert(&crate::store::KmsRow {
            key_id: key_id.to_string(),
            wrapped: wrap_key(
                &self.master().1,
                &kms_material_aad(&self.vault_id, key_id),
                &material,
            ),
            doc: self.seal_kms_doc(key_id, doc),
            created_ms: doc.created_ms,
        })
    }

    pub fn seal_kms_doc(&self, key_id: &str, doc: &KmsDoc) -> Vec<u8> {
        crypto::seal(
            &self.meta,
            &kms_doc_aad(key_id),
            &serde_json::to_vec(doc).expect("serializes"),
        )
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
                &keys.master().1,
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
