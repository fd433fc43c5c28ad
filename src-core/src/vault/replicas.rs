//! Replica regions (SPEC §5): one-way copies of secrets in other vault files, with AWS's
//! replication operations and states.
//!
//! **Registering a region.** `add_replica_region` opens (or creates) another vault file with
//! its own passphrase, and the replica gives this vault a key slot of its own
//! (`replicator@<primary vault id>`) whose private key is wrapped under a random key. The
//! primary keeps that key wrapped under its metadata key, with the region's name, path and
//! vault id, in one sealed registry document — so propagation later asks for no passphrase.
//!
//! **Propagation.** A write that changes what a replica holds bumps the secret's
//! `replication_seq` and marks its replicas `InProgress` in the same transaction (so the
//! queue survives a crash). After the commit the primary pushes the secret's whole state —
//! document and the values the replica lacks, re-sealed under the replica's own keys — in
//! one audited transaction in the replica (`SyncReplicaSecret`), then records the outcome in
//! one audited transaction of its own (`ReplicationSucceeded` / `ReplicationFailed`). A
//! replica file that cannot be reached leaves the replica `Failed` with a message saying the
//! change is queued; `sync_replicas` (run by the consoles and `coffer serve` from time to
//! time, and by `coffer replica-region sync`) retries. Pushing the whole state makes every
//! retry idempotent.
//!
//! **Replicas refuse writes** but their primary's; StopReplicationToReplica, called on the
//! replica, promotes it to a standalone secret, and the primary drops the region when it
//! next looks. RemoveRegionsFromReplication queues the replica's deletion in the registry.
//!
//! **Why this file is long:** region replicas and cross-account replicas share registration,
//! the push, the replica side's acceptance and the retry; they are one mechanism with two kinds
//! of target.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::doc::{ReplicaDoc, ReplicaStatus, SecretDoc};
use super::{Caller, FrontEnd, InitOptions, Vault, VaultInfo, keys, lock, valid_region};
use crate::Operation;
use crate::api::{
    RemoveRegionsFromReplicationRequest, ReplicaRegionType, ReplicateSecretToRegionsRequest,
    ReplicationResponse, ReplicationStatusType, SecretIdRequest, StopReplicationToReplicaResponse,
};
use crate::crypto::Key;
use crate::crypto::Passphrase;
use crate::model::{SecretValue, epoch_seconds};
use crate::store::Tx;
use crate::{Error, Result};

/// The name of the key slot a replica vault gives the primary `primary_vault_id`.
pub fn replicator_slot(primary_vault_id: &str) -> String {
    format!("{REPLICATOR_PREFIX}{primary_vault_id}")
}

/// Key slots whose names start with this belong to a primary vault, not to a person.
pub const REPLICATOR_PREFIX: &str = "replicator@";

/// Where the emulator finds the vault of another (account, region).
pub type RegionSource = Arc<dyn Fn(&str, &str) -> Result<Arc<Vault>> + Send + Sync>;

/// The replica vaults this process has open, and (in the emulator) where other regions live.
#[derive(Default)]
pub(crate) struct Links {
    open: Mutex<HashMap<String, Handle>>,
    source: Mutex<Option<RegionSource>>,
    /// The registry as last read, with the vault revision it was read at: every write of
    /// it moves the revision, so the endpoint and each push need not unseal it again.
    registry: Mutex<Option<(i64, Arc<Registry>)>>,
}

struct Handle {
    vault: Arc<Vault>,
    file: FileId,
}

/// Which file a path names now: a replica moved away and another put in its place is
/// noticed, and so is one that is gone (an unplugged drive).
#[derive(Clone, Copy, PartialEq, Eq)]
struct FileId(u64, u64);

fn file_id(path: &Path) -> std::io::Result<FileId> {
    let m = std::fs::metadata(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok(FileId(m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        Ok(FileId(m.len(), 0))
    }
}

const REGISTRY: &str = "replica_regions";

/// The sealed registry: the regions and the replica deletions still to carry out.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Registry {
    #[serde(default)]
    regions: Vec<RegionEntry>,
    #[serde(default)]
    removals: Vec<Removal>,
    /// Other accounts' vaults, for cross-account replicas (their `region` is this vault's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    accounts: Vec<RegionEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RegionEntry {
    region: String,
    /// Set for another account's vault (cross-account replicas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
    path: PathBuf,
    vault_id: String,
    slot: String,
    /// The key that unwraps the slot's private key, wrapped under the metadata key.
    wrapped_key: Vec<u8>,
    /// The slot's public key as registered: the replica's identity to this vault, checked
    /// before every push (absent in registries written before it was pinned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    slot_public: Option<Vec<u8>>,
    added_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Removal {
    region: String,
    uid: String,
    name: String,
}

/// How a region's file and secrets stand.
fn region_view(
    entry: &RegionEntry,
    registry: &Registry,
    index: &super::index::Index,
) -> ReplicaRegionView {
    let mut v = ReplicaRegionView {
        region: entry.region.clone(),
        account_id: entry.account_id.clone(),
        vault_path: entry.path.display().to_string(),
        replica_vault_id: entry.vault_id.clone(),
        added_date: epoch_seconds(entry.added_ms),
        reachable: file_id(&entry.path).is_ok(),
        replaced: false,
        secrets: 0,
        in_sync: 0,
        in_progress: 0,
        failed: 0,
        detached: 0,
        queued_removals: registry
            .removals
            .iter()
            .filter(|r| r.region == entry.region)
            .count(),
    };
    v.replaced = v.reachable && replaced(entry).is_some();
    for d in index.all() {
        let here = |r: &&ReplicaDoc| match &entry.account_id {
            None => r.region == entry.region,
            Some(a) => r.cross_account.as_ref().is_some_and(|x| &x.account_id == a),
        };
        for r in d
            .replicas
            .iter()
            .chain(&d.cross_account_replicas)
            .filter(here)
        {
            v.secrets += 1;
            match r.status {
                ReplicaStatus::InSync if !r.pending(d.replication_seq) => v.in_sync += 1,
                ReplicaStatus::Failed => v.failed += 1,
                ReplicaStatus::Detached => v.detached += 1,
                _ => v.in_progress += 1,
            }
        }
    }
    v
}

fn kept_key_purpose(entry: &RegionEntry) -> String {
    match &entry.account_id {
        None => format!("replica-region/{}", entry.region),
        Some(a) => format!("replica-account/{a}"),
    }
}

/// The key of an entry's open vault in [`Links::open`].
fn link_key(entry: &RegionEntry) -> String {
    match &entry.account_id {
        None => entry.region.clone(),
        Some(a) => format!("account:{a}"),
    }
}

fn load_registry(tx: &Tx<'_>, keys: &keys::VaultKeys) -> Result<Registry> {
    match tx.meta_get(REGISTRY)? {
        None => Ok(Registry::default()),
        Some(sealed) => {
            let json = keys.open_named(REGISTRY, &sealed)?;
            serde_json::from_slice(&json).map_err(|_| Error::decryption())
        }
    }
}

fn save_registry(tx: &Tx<'_>, keys: &keys::VaultKeys, r: &Registry) -> Result<()> {
    let json = zeroize::Zeroizing::new(serde_json::to_vec(r).expect("the registry serializes"));
    tx.meta_set(REGISTRY, &keys.seal_named(REGISTRY, &json))
}

/// Re-keys the registry from `old`'s keys to `new`'s: the replica slot keys it keeps are
/// re-wrapped, and the document re-sealed.
pub(super) fn rekey_registry(
    tx: &Tx<'_>,
    old: &keys::VaultKeys,
    new: &keys::VaultKeys,
) -> Result<()> {
    if tx.meta_get(REGISTRY)?.is_none() {
        return Ok(());
    }
    let mut registry = load_registry(tx, old)?;
    for e in registry
        .regions
        .iter_mut()
        .chain(registry.accounts.iter_mut())
    {
        let purpose = kept_key_purpose(e);
        let k = old.unwrap_kept_key(&purpose, &e.wrapped_key)?;
        e.wrapped_key = new.wrap_kept_key(&purpose, &k);
    }
    save_registry(tx, new, &registry)
}

/// A replica region as the consoles and `coffer replica-region list` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(rename_all = "PascalCase")]
pub struct ReplicaRegionView {
    pub region: String,
    /// Another account's vault (cross-account replicas); `None` for a replica region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub vault_path: String,
    pub replica_vault_id: String,
    pub added_date: f64,
    /// Whether the replica file is there now.
    pub reachable: bool,
    /// Whether the file there is not the vault registered (another vault, something that
    /// is no vault, or one without this vault's replication slot): nothing is pushed to it.
    pub replaced: bool,
    /// Secrets replicated there, and how many of those are in sync, waiting, failed.
    pub secrets: usize,
    pub in_sync: usize,
    pub in_progress: usize,
    pub failed: usize,
    /// Cross-account replicas one side detached.
    #[serde(default)]
    pub detached: usize,
    /// Replica deletions queued until the file can be reached.
    pub queued_removals: usize,
}

/// What one `sync_replicas` pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SyncReport {
    pub synced: usize,
    pub failed: usize,
    pub removed: usize,
    pub promoted: usize,
}

impl SyncReport {
    /// The pass in one sentence, as the consoles say it.
    pub fn sentence(&self) -> String {
        format!(
            "Replication retried: {} synced, {} failed, {} removed, {} promoted.",
            self.synced, self.failed, self.removed, self.promoted
        )
    }
}

/// What a replica did with a secret's state.
enum Applied {
    InSync {
        last_accessed_day_ms: Option<i64>,
    },
    /// The replica was promoted there: the primary drops the region.
    Promoted,
}

/// What the primary sends: its document and the values the replica lacks.
struct Payload {
    doc: SecretDoc,
    values: Vec<(String, SecretValue)>,
    /// An anchor of the primary's audit trail as of the push, which the replica keeps.
    anchor: crate::audit::anchor::Anchor,
    primary_region: String,
    kms_key_id: Option<String>,
    force: bool,
    /// A cross-account push: the replica secret's uid there, and the primary's ARN it
    /// must name.
    into: Option<(String, String)>,
}

/// What a push sends: the document, the values the replica lacks, an anchor.
type Outgoing = (
    SecretDoc,
    Vec<(String, SecretValue)>,
    crate::audit::anchor::Anchor,
);

/// A replica's view of a secret before a push.
pub(super) enum Existing {
    Absent,
    Replica { have: HashSet<String> },
    Promoted,
}

/// `ReplicationStatus` of a document's replicas.
pub(crate) fn statuses(doc: &SecretDoc) -> Vec<ReplicationStatusType> {
    doc.replicas
        .iter()
        .map(|r| ReplicationStatusType {
            region: r.region.clone(),
            kms_key_id: Some(
                r.kms_key_id
                    .clone()
                    .unwrap_or_else(|| crate::model::DEFAULT_KMS_ALIAS.into()),
            ),
            status: r.status.as_str().into(),
            status_message: r.message.clone().or_else(|| {
                (r.status == ReplicaStatus::InSync).then(|| "Replication succeeded".into())
            }),
            last_accessed_date: r.last_accessed_day_ms.map(epoch_seconds),
        })
        .collect()
}

/// Where a promoted replica took its state from.
enum PromotedFrom {
    /// The primary region's vault.
    Region(String),
    /// Another account's primary secret (its ARN).
    Account(String),
}

/// Turns a replica (of another region's secret, or a cross-account one) into a standalone
/// secret; returns the answer, where its primary is, and its uid.
fn promote(
    ctx: &mut super::Ctx<'_, '_>,
    mut doc: SecretDoc,
) -> Result<(StopReplicationToReplicaResponse, PromotedFrom, String)> {
    let primary = match (doc.primary_region.take(), doc.cross_account_primary.take()) {
        (Some(region), _) => PromotedFrom::Region(region),
        (None, Some(x)) => PromotedFrom::Account(x.arn),
        (None, None) => {
            return Err(Error::invalid_request(
                "This secret is not a replica: StopReplicationToReplica is called in a replica's region.",
            ));
        }
    };
    doc.last_changed_ms = ctx.now_ms;
    let resp = StopReplicationToReplicaResponse { arn: ctx.arn(&doc) };
    let uid = doc.uid.clone();
    ctx.save(doc)?;
    ctx.respond(&resp);
    Ok((resp, primary, uid))
}

pub(super) fn service() -> Caller {
    Caller {
        principal_arn: "secretsmanager.amazonaws.com".into(),
        user_name: "secretsmanager.amazonaws.com".into(),
        front_end: FrontEnd::Internal,
        source_ip: Some("secretsmanager.amazonaws.com".into()),
        user_agent: Some("secretsmanager.amazonaws.com".into()),
        operator: false,
        session_policy: None,
    }
}

/// Why the file at a region's path is not the replica registered there, when it is not:
/// another vault (or no vault) in its place, or one without this vault's replication slot.
/// Read without unlocking.
fn replaced(entry: &RegionEntry) -> Option<Error> {
    match Vault::inspect(&entry.path) {
        Err(e) => Some(e),
        Ok(s) if s.vault_id != entry.vault_id => Some(not_the_registered_vault(entry)),
        Ok(s) if !s.operators.contains(&entry.slot) => {
            Some(keys_changed(entry, "its replication key slot was removed"))
        }
        Ok(_) => None,
    }
}

/// A replica file whose vault id is not the registered one: another vault in its place.
fn not_the_registered_vault(entry: &RegionEntry) -> Error {
    Error::invalid_request(format!(
        "The file at {} is not the replica vault registered for {} (its vault id changed): \
         another vault was put in its place. Nothing is pushed to it; register it again if the \
         change was yours.",
        entry.path.display(),
        entry_name(entry)
    ))
}

/// A replica whose replication slot is not the one this vault pinned.
fn keys_changed(entry: &RegionEntry, why: &str) -> Error {
    Error::invalid_request(format!(
        "The replica vault for {} at {} is not the one registered: its keys changed ({why}). \
         Nothing is pushed to it; register it again if the change was yours.",
        entry_name(entry),
        entry.path.display()
    ))
}

/// Whether `given` (an ARN as a caller wrote it: full, or without the random suffix) names
/// the secret whose full ARN is `full`.
pub(super) fn names_secret(given: &str, full: &str) -> bool {
    given == full
        || full
            .strip_prefix(given)
            .is_some_and(|rest| rest.len() == 7 && rest.starts_with('-'))
}

/// What an entry is for, in messages: a region, or an account.
fn entry_name(entry: &RegionEntry) -> String {
    match &entry.account_id {
        None => entry.region.clone(),
        Some(a) => format!("account {a}"),
    }
}

fn not_a_region(region: &str) -> Error {
    Error::invalid_parameter(format!(
        "The region {region} is not a replica region of this vault: register a vault file for it with `coffer replica-region add --region {region} --vault FILE`."
    ))
}

impl Vault {
    /// Lets the emulator answer for every region: replication to `region` goes to the vault
    /// `source` gives.
    pub fn set_region_source(&self, source: RegionSource) {
        *lock(&self.links.source) = Some(source);
    }

    /// Whether this vault is a region of the emulator (its regions come from a source).
    pub(crate) fn is_emulator(&self) -> bool {
        lock(&self.links.source).is_some()
    }

    fn region_source(&self) -> Option<RegionSource> {
        lock(&self.links.source).clone()
    }

    fn registry(&self) -> Result<Arc<Registry>> {
        let rev = self.revision()?;
        if let Some((at, registry)) = lock(&self.links.registry).as_ref()
            && *at == rev
        {
            return Ok(registry.clone());
        }
        let registry = Arc::new(self.read(|tx, _| load_registry(tx, &self.keys()))?);
        *lock(&self.links.registry) = Some((rev, registry.clone()));
        Ok(registry)
    }

    /// The vault that holds region `region`'s replicas, opened with the key this vault
    /// keeps; `None` when `region` is not one of its replica regions.
    pub fn replica_vault(&self, region: &str) -> Result<Option<Arc<Vault>>> {
        if let Some(source) = self.region_source() {
            return source(&self.info.account_id, region).map(Some);
        }
        let registry = self.registry()?;
        match registry.regions.iter().find(|r| r.region == region) {
            None => Ok(None),
            Some(entry) => self.open_entry(entry).map(Some),
        }
    }

    /// The vault of account `account_id` in this vault's region, which holds this vault's
    /// cross-account replicas there; `None` when no such account is registered.
    pub fn account_vault(&self, account_id: &str) -> Result<Option<Arc<Vault>>> {
        if let Some(source) = self.region_source() {
            return source(account_id, &self.info.region).map(Some);
        }
        let registry = self.registry()?;
        match registry
            .accounts
            .iter()
            .find(|r| r.account_id.as_deref() == Some(account_id))
        {
            None => Ok(None),
            Some(entry) => self.open_entry(entry).map(Some),
        }
    }

    /// A registered vault, opened (or reused while the same file is there).
    fn open_entry(&self, entry: &RegionEntry) -> Result<Arc<Vault>> {
        let file = file_id(&entry.path).map_err(|e| {
            Error::invalid_request(format!(
                "The replica vault for {} at {} can't be reached: {e}.",
                entry_name(entry),
                entry.path.display()
            ))
        })?;
        let key = link_key(entry);
        if let Some(h) = lock(&self.links.open).get(&key)
            && h.file == file
        {
            return Ok(h.vault.clone());
        }
        let vault = Arc::new(self.open_replica(entry)?);
        lock(&self.links.open).insert(
            key,
            Handle {
                vault: vault.clone(),
                file,
            },
        );
        Ok(vault)
    }

    /// The anchors of this vault's trail that its replicas carry (those that can be
    /// reached and opened now).
    pub(super) fn anchors_in_replicas(&self) -> Vec<crate::audit::anchor::Anchor> {
        let Ok(registry) = self.registry() else {
            return Vec::new();
        };
        registry
            .regions
            .iter()
            .filter_map(|r| self.open_entry(r).ok())
            .filter_map(|v| {
                v.read(|tx, _| crate::audit::anchor::foreign(tx))
                    .ok()
                    .flatten()
            })
            .filter(|a| a.vault_id == self.info.vault_id)
            .collect()
    }

    fn replica_target(&self, region: &str) -> Result<Arc<Vault>> {
        self.replica_vault(region)?
            .ok_or_else(|| not_a_region(region))
    }

    /// The vault account `account_id`'s secrets (in this region) live in.
    pub(super) fn account_target(&self, account_id: &str) -> Result<Arc<Vault>> {
        self.account_vault(account_id)?.ok_or_else(|| {
            Error::invalid_parameter(format!(
                "Account {account_id} has no vault registered here: register its vault file with `coffer replica-account add --account-id {account_id} --vault FILE`."
            ))
        })
    }

    /// The vault a replica lives in: its region's, or its account's.
    fn target_of(&self, r: &ReplicaDoc) -> Result<Arc<Vault>> {
        match &r.cross_account {
            None => self.replica_target(&r.region),
            Some(x) => self.account_target(&x.account_id),
        }
    }

    fn open_replica(&self, entry: &RegionEntry) -> Result<Vault> {
        let kek = self
            .keys()
            .unwrap_kept_key(&kept_key_purpose(entry), &entry.wrapped_key)?;
        Vault::open_unlocking(
            &entry.path,
            Some(&entry.slot),
            self.clock.clone(),
            |vault_id, slot| {
                if vault_id != entry.vault_id {
                    return Err(not_the_registered_vault(entry));
                }
                if entry
                    .slot_public
                    .as_deref()
                    .is_some_and(|p| p != slot.public_key)
                {
                    return Err(keys_changed(entry, "its replication key slot was replaced"));
                }
                let secret = super::open_operator_slot(
                    vault_id,
                    &slot.operator,
                    &slot.wrapped_private,
                    &kek,
                )
                .map_err(|_| {
                    Error::access_denied(format!(
                        "The replica vault for {} no longer accepts this vault's replication key.",
                        entry_name(entry)
                    ))
                })?;
                Ok((secret, kek))
            },
        )
        .map_err(|e| {
            // A missing slot: say whether another vault was put in the replica's place.
            if e.code == crate::ErrorCode::ResourceNotFound {
                replaced(entry).unwrap_or(e)
            } else {
                e
            }
        })
    }

    /// Registers the vault file at `path` as replica region `region`: an existing vault
    /// (unlocked with its own operator's passphrase) or a new one created there with this
    /// vault's account id, `region` as its home region and `passphrase`.
    pub fn add_replica_region(
        &self,
        caller: &Caller,
        region: &str,
        path: &Path,
        replica_operator: Option<&str>,
        passphrase: Passphrase,
        kdf: Option<(u32, u32)>,
    ) -> Result<ReplicaRegionView> {
        if !valid_region(region) {
            return Err(Error::validation(format!(
                "'{region}' is not a region name (like eu-west-1)."
            )));
        }
        if region == self.info.region {
            return Err(Error::invalid_parameter(format!(
                "{region} is this vault's own region; a replica region must be another."
            )));
        }
        self.register_vault(
            caller,
            region,
            None,
            path,
            replica_operator,
            passphrase,
            kdf,
        )
    }

    /// Registers the vault file at `path` as account `account_id`'s vault in this vault's
    /// region, where this vault's secrets can have cross-account replicas: an existing vault
    /// (unlocked with its own operator's passphrase) or a new one created there with that
    /// account id, this vault's region and `passphrase`.
    pub fn add_replica_account(
        &self,
        caller: &Caller,
        account_id: &str,
        path: &Path,
        replica_operator: Option<&str>,
        passphrase: Passphrase,
        kdf: Option<(u32, u32)>,
    ) -> Result<ReplicaRegionView> {
        if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::validation(format!(
                "'{account_id}' is not an account id (12 digits)."
            )));
        }
        if account_id == self.info.account_id {
            return Err(Error::invalid_parameter(format!(
                "{account_id} is this vault's own account; a replica account must be another."
            )));
        }
        let region = self.info.region.clone();
        self.register_vault(
            caller,
            &region,
            Some(account_id),
            path,
            replica_operator,
            passphrase,
            kdf,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn register_vault(
        &self,
        caller: &Caller,
        region: &str,
        account: Option<&str>,
        path: &Path,
        replica_operator: Option<&str>,
        passphrase: Passphrase,
        kdf: Option<(u32, u32)>,
    ) -> Result<ReplicaRegionView> {
        let account_id = account.unwrap_or(&self.info.account_id).to_string();
        let replica = if path.exists() {
            Vault::open_with_clock(path, replica_operator, &passphrase, self.clock.clone())?
        } else {
            let mut opts =
                InitOptions::new(replica_operator.unwrap_or(&self.info.operator), passphrase);
            opts.account_id = Some(account_id.clone());
            opts.region = Some(region.to_string());
            opts.kdf = kdf;
            Vault::init_with_clock(path, opts, self.clock.clone())?
        };
        let path = std::fs::canonicalize(path).map_err(|e| {
            Error::invalid_parameter(format!("The replica vault at {}: {e}", path.display()))
        })?;
        let r = &replica.info;
        if r.vault_id == self.info.vault_id {
            return Err(Error::invalid_parameter(
                "That file is this vault (or a restored copy of it); a replica must be another vault.",
            ));
        }
        let what = match account {
            None => region.to_string(),
            Some(a) => format!("account {a}"),
        };
        if r.account_id != account_id || r.region != region {
            return Err(Error::invalid_parameter(format!(
                "The vault at {} is account {} in {}; a replica vault for {what} must be account {account_id} in {region} \
                 (create it with `coffer init --account-id {account_id} --region {region}`, or give a path where none exists).",
                path.display(),
                r.account_id,
                r.region,
            )));
        }
        let registry = self.registry()?;
        let same = |e: &&RegionEntry| match account {
            None => e.region == region,
            Some(a) => e.account_id.as_deref() == Some(a),
        };
        let list = if account.is_some() {
            &registry.accounts
        } else {
            &registry.regions
        };
        if let Some(existing) = list.iter().find(same)
            && existing.vault_id != r.vault_id
        {
            return Err(Error::exists(format!(
                "{what} already has a replica vault (the one at {}); remove it first.",
                existing.path.display()
            )));
        }
        let (slot_key, slot_public) = replica.accept_replication(caller, &self.info)?;
        let operation = match account {
            None => Operation::AddReplicaRegion,
            Some(_) => Operation::AddReplicaAccount,
        };
        let request = serde_json::json!({ "region": region, "accountId": account, "replicaVaultId": r.vault_id });
        let entry = RegionEntry {
            region: region.to_string(),
            account_id: account.map(str::to_string),
            path: path.clone(),
            vault_id: r.vault_id.clone(),
            slot: replicator_slot(&self.info.vault_id),
            wrapped_key: Vec::new(),
            slot_public: Some(slot_public.clone()),
            added_ms: 0,
        };
        let view = self.exec(caller, operation, &request, |ctx| {
            ctx.authorize(&format!("coffer:{}", operation.as_str()), "*")?;
            ctx.will_write()?;
            let mut registry = load_registry(ctx.tx, ctx.keys)?;
            let mut entry = entry.clone();
            entry.wrapped_key = ctx.keys.wrap_kept_key(&kept_key_purpose(&entry), &slot_key);
            entry.added_ms = ctx.now_ms;
            let list = if account.is_some() {
                &mut registry.accounts
            } else {
                &mut registry.regions
            };
            list.retain(|e| link_key(e) != link_key(&entry));
            list.push(entry.clone());
            save_registry(ctx.tx, ctx.keys, &registry)?;
            ctx.touch()?;
            Ok(region_view(&entry, &registry, ctx.index))
        })?;
        lock(&self.links.open).remove(&link_key(&entry));
        Ok(view)
    }

    /// The replica's side of registration: a key slot for the primary, replacing any it
    /// had. Returns the key that unwraps the slot's private key, and its public key.
    fn accept_replication(&self, caller: &Caller, primary: &VaultInfo) -> Result<(Key, Vec<u8>)> {
        let slot = replicator_slot(&primary.vault_id);
        let request = serde_json::json!({
            "primaryVaultId": primary.vault_id,
            "primaryRegion": primary.region,
        });
        let caller = Caller {
            operator: true,
            ..self.caller(caller.front_end)
        };
        self.exec(&caller, Operation::AcceptReplication, &request, |ctx| {
            ctx.authorize("coffer:AcceptReplication", "*")?;
            ctx.will_write()?;
            let kek = Key::random();
            ctx.tx.slot_delete(&slot)?;
            let row = ctx.keys.new_slot_row(
                ctx.tx,
                &slot,
                &kek,
                serde_json::json!({ "replicationFrom": primary.region }).to_string(),
                ctx.now_ms,
            )?;
            ctx.tx.slot_insert(&row)?;
            ctx.touch()?;
            Ok((kek, row.public_key))
        })
    }

    /// Forgets replica region `region`; refused while secrets replicate there.
    pub fn remove_replica_region(&self, caller: &Caller, region: &str) -> Result<()> {
        let request = serde_json::json!({ "region": region });
        self.exec(caller, Operation::RemoveReplicaRegion, &request, |ctx| {
            ctx.authorize("coffer:RemoveReplicaRegion", "*")?;
            let mut registry = load_registry(ctx.tx, ctx.keys)?;
            if !registry.regions.iter().any(|e| e.region == region) {
                return Err(Error::not_found(format!(
                    "{region} is not a replica region of this vault."
                )));
            }
            let using = ctx
                .index
                .all()
                .filter(|d| d.replicas.iter().any(|r| r.region == region))
                .count()
                + registry
                    .removals
                    .iter()
                    .filter(|r| r.region == region)
                    .count();
            if using > 0 {
                return Err(Error::invalid_request(format!(
                    "{using} secret(s) still replicate to {region} (or wait for their replica's removal); remove them from replication first."
                )));
            }
            ctx.will_write()?;
            registry.regions.retain(|e| e.region != region);
            save_registry(ctx.tx, ctx.keys, &registry)?;
            ctx.touch()
        })?;
        lock(&self.links.open).remove(region);
        Ok(())
    }

    /// Forgets account `account_id`'s vault; refused while a secret has a cross-account
    /// replica there that is not detached.
    pub fn remove_replica_account(&self, caller: &Caller, account_id: &str) -> Result<()> {
        let request = serde_json::json!({ "accountId": account_id });
        self.exec(caller, Operation::RemoveReplicaAccount, &request, |ctx| {
            ctx.authorize("coffer:RemoveReplicaAccount", "*")?;
            let mut registry = load_registry(ctx.tx, ctx.keys)?;
            if !registry.accounts.iter().any(|e| e.account_id.as_deref() == Some(account_id)) {
                return Err(Error::not_found(format!(
                    "{account_id} is not a replica account of this vault."
                )));
            }
            let using = ctx
                .index
                .all()
                .filter(|d| {
                    d.cross_account_replicas.iter().any(|r| {
                        r.status != ReplicaStatus::Detached
                            && r.cross_account.as_ref().is_some_and(|x| x.account_id == account_id)
                    })
                })
                .count();
            if using > 0 {
                return Err(Error::invalid_request(format!(
                    "{using} secret(s) still have a cross-account replica in account {account_id}; disassociate them first."
                )));
            }
            ctx.will_write()?;
            registry.accounts.retain(|e| e.account_id.as_deref() != Some(account_id));
            save_registry(ctx.tx, ctx.keys, &registry)?;
            ctx.touch()
        })?;
        lock(&self.links.open).remove(&format!("account:{account_id}"));
        Ok(())
    }

    /// The other accounts' vaults registered for cross-account replicas, with how their
    /// replicas stand.
    pub fn list_replica_accounts(&self, caller: &Caller) -> Result<Vec<ReplicaRegionView>> {
        self.registered(caller, "coffer:ListReplicaAccounts", |r| &r.accounts)
    }

    /// The replica regions, with how their secrets stand.
    pub fn list_replica_regions(&self, caller: &Caller) -> Result<Vec<ReplicaRegionView>> {
        self.registered(caller, "coffer:ListReplicaRegions", |r| &r.regions)
    }

    /// One list of the registry (`pick`), as a console shows it, for a caller allowed `action`.
    fn registered(
        &self,
        caller: &Caller,
        action: &str,
        pick: impl Fn(&Registry) -> &Vec<RegionEntry>,
    ) -> Result<Vec<ReplicaRegionView>> {
        self.read(|tx, inner| {
            self.authorize_view(inner.iam, caller, action, None)?;
            let registry = load_registry(tx, &self.keys())?;
            Ok(pick(&registry)
                .iter()
                .map(|e| region_view(e, &registry, inner.index))
                .collect())
        })
    }

    /// Checks the regions a request adds: well-formed, not this one, not twice, and served
    /// (registered, or the emulator's).
    fn check_new_regions(
        &self,
        tx: &Tx<'_>,
        doc: &SecretDoc,
        add: &[ReplicaRegionType],
    ) -> Result<Vec<ReplicaDoc>> {
        let registry = load_registry(tx, &self.keys())?;
        let emulator = self.region_source().is_some();
        let mut out: Vec<ReplicaDoc> = Vec::new();
        for r in add {
            let region = r.region.as_deref().unwrap_or_default();
            if !valid_region(region) {
                return Err(Error::validation(format!(
                    "1 validation error detected: Value '{region}' at 'addReplicaRegions.region' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-)+\\d+$"
                )));
            }
            if let Some(k) = &r.kms_key_id {
                crate::model::validate_kms_key_id(k)?;
            }
            // moto 5.2.5's words (test_replicate_secret__in_same_region).
            if region == self.info.region {
                return Err(Error::invalid_parameter("Invalid replica region."));
            }
            if doc.replicas.iter().any(|x| x.region == region)
                || out.iter().any(|x| x.region == region)
            {
                return Err(Error::invalid_parameter(format!(
                    "The secret is already replicated to {region}."
                )));
            }
            if !emulator && !registry.regions.iter().any(|e| e.region == region) {
                return Err(not_a_region(region));
            }
            out.push(ReplicaDoc {
                region: region.to_string(),
                kms_key_id: r.kms_key_id.clone(),
                status: ReplicaStatus::InProgress,
                message: None,
                last_accessed_day_ms: None,
                synced_seq: 0,
                force_overwrite: false,
                cross_account: None,
            });
        }
        Ok(out)
    }

    /// Adds replicas to a secret (CreateSecret's `AddReplicaRegions` comes here too).
    pub(crate) fn add_replicas(
        &self,
        ctx: &mut super::Ctx<'_, '_>,
        doc: &mut SecretDoc,
        add: &[ReplicaRegionType],
        force: bool,
    ) -> Result<()> {
        let mut new = self.check_new_regions(ctx.tx, doc, add)?;
        for r in &mut new {
            r.force_overwrite = force;
        }
        doc.replicas.extend(new);
        // The new replicas are pending whether or not the content changed.
        doc.replication_seq += 1;
        ctx.replicate_after(&doc.uid);
        Ok(())
    }

    pub fn replicate_secret_to_regions(
        &self,
        caller: &Caller,
        req: ReplicateSecretToRegionsRequest,
    ) -> Result<ReplicationResponse> {
        let mut resp = self.exec(caller, Operation::ReplicateSecretToRegions, &req, |ctx| {
            let mut doc = ctx.resolve_live(&req.secret_id, "secretsmanager:ReplicateSecretToRegions")?;
            if req.add_replica_regions.is_empty() {
                return Err(Error::validation(
                    "1 validation error detected: Value '[]' at 'addReplicaRegions' failed to satisfy constraint: Member must have length greater than or equal to 1",
                ));
            }
            self.add_replicas(ctx, &mut doc, &req.add_replica_regions, req.force_overwrite_replica_secret)?;
            let resp = ReplicationResponse { arn: ctx.arn(&doc), replication_status: statuses(&doc) };
            ctx.save(doc)?;
            ctx.respond(&resp);
            Ok(resp)
        })?;
        resp.replication_status = self.statuses_after_push(&resp.arn, resp.replication_status);
        Ok(resp)
    }

    /// The `ReplicationStatus` of secret `arn` once the request's push is done. An answer is
    /// built inside its transaction, before the synchronous push that follows the commit;
    /// read again afterwards, a replica the push reached is `InSync` and one it could not
    /// reach `Failed`, as AWS-like emulators answer when the call returns (moto 5.2.5,
    /// `ReplicaSecret.__init__`: `self.status = status or "InSync"`).
    pub(crate) fn statuses_after_push(
        &self,
        arn: &str,
        answered: Vec<ReplicationStatusType>,
    ) -> Vec<ReplicationStatusType> {
        if answered.is_empty() {
            return answered;
        }
        self.caught_up(|inner, _| {
            Ok(inner
                .index
                .resolve(arn, &self.info.account_id, &self.info.region)
                .map(|d| statuses(d)))
        })
        .ok()
        .flatten()
        .unwrap_or(answered)
    }

    pub fn remove_regions_from_replication(
        &self,
        caller: &Caller,
        req: RemoveRegionsFromReplicationRequest,
    ) -> Result<ReplicationResponse> {
        self.exec(caller, Operation::RemoveRegionsFromReplication, &req, |ctx| {
            let mut doc = ctx.resolve_live(&req.secret_id, "secretsmanager:RemoveRegionsFromReplication")?;
            if req.remove_replica_regions.is_empty() {
                return Err(Error::validation(
                    "1 validation error detected: Value '[]' at 'removeReplicaRegions' failed to satisfy constraint: Member must have length greater than or equal to 1",
                ));
            }
            // A region the secret is not replicated to is no error: "Removing region is
            // idempotent - invoking it again does not result in any errors" (moto 5.2.5,
            // tests/test_secretsmanager/test_secrets_duplication.py,
            // test_remove_regions_from_replication; moto's `remove_regions_from_replication`
            // removes only the replicas it finds).
            let mut registry = load_registry(ctx.tx, ctx.keys)?;
            for region in req.remove_replica_regions.iter().filter(|region| doc.replicas.iter().any(|r| &r.region == *region)) {
                let removal = Removal { region: region.clone(), uid: doc.uid.clone(), name: doc.name.clone() };
                if !registry.removals.contains(&removal) {
                    registry.removals.push(removal);
                }
            }
            doc.replicas.retain(|r| !req.remove_replica_regions.contains(&r.region));
            ctx.will_write()?;
            save_registry(ctx.tx, ctx.keys, &registry)?;
            ctx.replicate_after(&doc.uid);
            let resp = ReplicationResponse { arn: ctx.arn(&doc), replication_status: statuses(&doc) };
            ctx.save(doc)?;
            ctx.respond(&resp);
            Ok(resp)
        })
    }

    /// Promotes a replica (called on the replica's vault) to a standalone secret.
    pub fn stop_replication_to_replica(
        &self,
        caller: &Caller,
        req: SecretIdRequest,
    ) -> Result<StopReplicationToReplicaResponse> {
        let (resp, primary, uid) =
            self.exec(caller, Operation::StopReplicationToReplica, &req, |ctx| {
                let doc = ctx.resolve(&req.secret_id)?;
                ctx.authorize_secret("secretsmanager:StopReplicationToReplica", &doc)?;
                promote(ctx, doc)
            })?;
        // The emulator's primary learns at once; a vault file's primary when it next syncs.
        if let Some(source) = self.region_source() {
            match primary {
                PromotedFrom::Region(region) => {
                    if let Ok(p) = source(&self.info.account_id, &region) {
                        let _ = p.record(&uid, &self.info.region, 0, Ok(Applied::Promoted));
                    }
                }
                PromotedFrom::Account(arn) => {
                    if let Some(parsed) = crate::model::SecretArn::parse(&arn)
                        && let Ok(p) = source(&parsed.account, &self.info.region)
                    {
                        p.replica_detached(&arn);
                    }
                }
            }
        }
        Ok(resp)
    }

    /// Marks the cross-account replica of primary `arn` (of this vault) `Detached`: its
    /// account made it standalone.
    fn replica_detached(&self, arn: &str) {
        let uid = self.caught_up(|inner, _| {
            Ok(inner
                .index
                .resolve(arn, &self.info.account_id, &self.info.region)
                .map(|d| d.uid.clone()))
        });
        if let Ok(Some(uid)) = uid {
            let _ = self.record(&uid, &self.info.region, 0, Ok(Applied::Promoted));
        }
    }

    /// Promotes the replica of `secret_id` in `region` from the primary's side (the consoles'
    /// "promote"): authorized and audited here (`PromoteReplica`), carried out in the
    /// replica as StopReplicationToReplica by the service; then the primary drops the region.
    pub fn promote_replica(&self, caller: &Caller, secret_id: &str, region: &str) -> Result<()> {
        let request = serde_json::json!({ "secretId": secret_id, "region": region });
        let uid = self.exec(caller, Operation::PromoteReplica, &request, |ctx| {
            let doc =
                ctx.resolve_live_shared(secret_id, "secretsmanager:StopReplicationToReplica")?;
            if !doc.replicas.iter().any(|r| r.region == region) {
                return Err(Error::invalid_parameter(format!(
                    "The secret is not replicated to {region}."
                )));
            }
            Ok(doc.uid.clone())
        })?;
        let replica = self.replica_target(region)?;
        replica.exec(
            &service(),
            Operation::StopReplicationToReplica,
            &request,
            |ctx| {
                let doc = ctx.index.get(&uid).map(|d| (**d).clone()).ok_or_else(|| {
                    Error::not_found("The replica region has no replica of this secret.")
                })?;
                ctx.audit.secret = Some((doc.uid.clone(), ctx.arn(&doc)));
                promote(ctx, doc).map(|_| ())
            },
        )?;
        self.record(&uid, region, 0, Ok(Applied::Promoted))
    }

    /// Retries everything queued: replica deletions, and replicas not in sync.
    pub fn sync_replicas(&self) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let removals = self.registry()?.removals.clone();
        for r in removals {
            if self.carry_out_removal(&r).is_ok() {
                report.removed += 1;
            }
        }
        // Secrets with a change to push, and per region the secrets settled there.
        let (pending, settled, settled_cross) =
            self.caught_up(|inner, _| {
                let mut pending = Vec::new();
                let mut settled: HashMap<String, Vec<String>> = HashMap::new();
                let mut settled_cross = Vec::new();
                let replicated = inner
                    .index
                    .all()
                    .filter(|d| !d.replicas.is_empty() || !d.cross_account_replicas.is_empty());
                for d in replicated {
                    if d.replicas
                        .iter()
                        .chain(&d.cross_account_replicas)
                        .any(|r| r.pending(d.replication_seq))
                    {
                        pending.push(d.uid.clone());
                    }
                    for r in d.cross_account_replicas.iter().filter(|r| {
                        r.status == ReplicaStatus::InSync && !r.pending(d.replication_seq)
                    }) {
                        settled_cross.push((d.uid.clone(), self.info.secret_arn(d), r.clone()));
                    }
                    for r in d.replicas.iter().filter(|r| !r.pending(d.replication_seq)) {
                        settled
                            .entry(r.region.clone())
                            .or_default()
                            .push(d.uid.clone());
                    }
                }
                Ok((pending, settled, settled_cross))
            })?;
        for uid in pending {
            self.sync_secret(&uid, &mut report);
        }
        // A replica promoted in its own region: the primary lets it go. One look at each
        // region's vault, whatever the number of its secrets.
        for (region, uids) in settled {
            let Ok(target) = self.replica_target(&region) else {
                continue;
            };
            for uid in target.promoted(&uids).unwrap_or_default() {
                if self.record(&uid, &region, 0, Ok(Applied::Promoted)).is_ok() {
                    report.promoted += 1;
                }
            }
        }
        // A cross-account replica made standalone in its account: the primary marks it
        // `Detached`.
        for (uid, primary_arn, r) in settled_cross {
            let Some(x) = &r.cross_account else { continue };
            let Ok(target) = self.target_of(&r) else {
                continue;
            };
            if matches!(
                target.existing_cross(&x.uid, &primary_arn),
                Ok(Existing::Promoted)
            ) && self
                .record(&uid, &r.region, 0, Ok(Applied::Promoted))
                .is_ok()
            {
                report.promoted += 1;
            }
        }
        Ok(report)
    }

    /// Pushes the secrets a request changed to their replicas, and carries out their queued
    /// replica deletions. Failures are recorded in the replicas' status, not returned: the
    /// request they follow has committed.
    pub(crate) fn propagate(&self, uids: &[String]) {
        let mut report = SyncReport::default();
        let removals = self
            .registry()
            .map(|r| r.removals.clone())
            .unwrap_or_default();
        for r in removals.iter().filter(|r| uids.contains(&r.uid)) {
            let _ = self.carry_out_removal(r);
        }
        for uid in uids {
            self.sync_secret(uid, &mut report);
        }
    }

    fn carry_out_removal(&self, r: &Removal) -> Result<()> {
        let target = self.replica_target(&r.region)?;
        target.drop_replica(&r.uid, &r.name)?;
        let request = serde_json::json!({ "region": r.region });
        self.exec(&service(), Operation::ReplicaDeleted, &request, |ctx| {
            ctx.audit.secret = Some((
                r.uid.clone(),
                ctx.index
                    .get(&r.uid)
                    .map(|d| ctx.arn(d))
                    .unwrap_or_else(|| r.name.clone()),
            ));
            ctx.will_write()?;
            let mut registry = load_registry(ctx.tx, ctx.keys)?;
            registry.removals.retain(|x| x != r);
            save_registry(ctx.tx, ctx.keys, &registry)?;
            ctx.touch()
        })
    }

    fn sync_secret(&self, uid: &str, report: &mut SyncReport) {
        let Ok(Some(doc)) = self.caught_up(|inner, _| Ok(inner.index.get(uid).cloned())) else {
            return;
        };
        for r in doc
            .replicas
            .iter()
            .chain(&doc.cross_account_replicas)
            .filter(|r| r.pending(doc.replication_seq))
        {
            let outcome = self.push(&doc, r);
            match &outcome {
                Ok(Applied::InSync { .. }) => report.synced += 1,
                Ok(Applied::Promoted) => report.promoted += 1,
                Err(_) => report.failed += 1,
            }
            let _ = self.record(uid, &r.region, doc.replication_seq, outcome);
        }
    }

    /// Sends a secret's state to one replica.
    fn push(&self, doc: &SecretDoc, r: &ReplicaDoc) -> Result<Applied> {
        let target = self.target_of(r).map_err(|e| {
            Error::new(
                e.code,
                format!(
                    "{} The change is queued and retried when the replica can be reached.",
                    e.message
                ),
            )
        })?;
        let primary_arn = self.info.secret_arn(doc);
        let existing = match &r.cross_account {
            None => target.existing(&doc.uid)?,
            Some(x) => target.existing_cross(&x.uid, &primary_arn)?,
        };
        let have = match existing {
            Existing::Promoted => return Ok(Applied::Promoted),
            Existing::Absent => HashSet::new(),
            Existing::Replica { have } => have,
        };
        let (current, values, anchor) = self.payload(&doc.uid, &have)?;
        if current.replication_seq != doc.replication_seq {
            return Err(Error::invalid_request(
                "The secret changed while it was replicated; the newer change follows.",
            ));
        }
        target.apply(Payload {
            doc: current,
            values,
            anchor,
            primary_region: self.info.region.clone(),
            kms_key_id: r.kms_key_id.clone(),
            force: r.force_overwrite,
            into: r
                .cross_account
                .as_ref()
                .map(|x| (x.uid.clone(), primary_arn)),
        })
    }

    /// The secret's document, the values of its versions not in `have`, and an anchor of
    /// this vault's audit trail.
    fn payload(&self, uid: &str, have: &HashSet<String>) -> Result<Outgoing> {
        let time = crate::model::from_epoch_ms(self.clock.now().as_millisecond()).to_string();
        self.read(|tx, inner| {
            let anchor =
                crate::audit::anchor::make(tx, &self.keys().audit, &self.info.vault_id, &time)?;
            let doc = inner.index.get(uid).map(|d| (**d).clone()).ok_or_else(|| {
                Error::not_found("The secret was deleted while it was replicated.")
            })?;
            let values = doc
                .versions
                .iter()
                .filter(|v| v.has_value && !have.contains(&v.id))
                .map(|v| {
                    Ok((
                        v.id.clone(),
                        super::open_value(tx, &self.keys(), inner.kms, &doc, &v.id)?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok((doc, values, anchor))
        })
    }

    /// Records how a push went, if that changes anything.
    fn record(&self, uid: &str, region: &str, seq: u64, outcome: Result<Applied>) -> Result<()> {
        let message = outcome.as_ref().err().map(|e| e.message.clone());
        let unchanged = self.caught_up(|inner, _| {
            Ok(inner.index.get(uid).is_some_and(|d| {
                d.replicas.iter().chain(&d.cross_account_replicas).any(|r| {
                    r.region == region
                        && message.is_some()
                        && r.status == ReplicaStatus::Failed
                        && r.message == message
                })
            }))
        })?;
        if unchanged {
            return Ok(());
        }
        let event = match &outcome {
            Ok(Applied::InSync { .. }) => Operation::ReplicationSucceeded,
            Ok(Applied::Promoted) => Operation::ReplicaPromoted,
            Err(_) => Operation::ReplicationFailed,
        };
        let request = serde_json::json!({ "region": region, "statusMessage": message });
        self.exec(&service(), event, &request, |ctx| {
            let Some(mut doc) = ctx.index.get(uid).map(|d| (**d).clone()) else {
                return Ok(());
            };
            ctx.audit.secret = Some((doc.uid.clone(), ctx.arn(&doc)));
            // A cross-account replica's `region` is this vault's, which no replica region is.
            let cross = region == ctx.info.region;
            match outcome {
                Ok(Applied::Promoted) if cross => {
                    for r in &mut doc.cross_account_replicas {
                        r.status = ReplicaStatus::Detached;
                        r.message = None;
                    }
                }
                Ok(Applied::Promoted) => doc.replicas.retain(|r| r.region != region),
                Ok(Applied::InSync {
                    last_accessed_day_ms,
                }) => {
                    let now_seq = doc.replication_seq;
                    if let Some(r) = doc
                        .replicas
                        .iter_mut()
                        .chain(doc.cross_account_replicas.iter_mut())
                        .find(|r| r.region == region && r.status != ReplicaStatus::Detached)
                    {
                        r.last_accessed_day_ms = last_accessed_day_ms;
                        r.synced_seq = r.synced_seq.max(seq);
                        r.force_overwrite = false;
                        if now_seq == seq {
                            r.status = ReplicaStatus::InSync;
                            r.message = None;
                        }
                    }
                }
                Err(e) => {
                    if let Some(r) = doc
                        .replicas
                        .iter_mut()
                        .chain(doc.cross_account_replicas.iter_mut())
                        .find(|r| r.region == region && r.status != ReplicaStatus::Detached)
                    {
                        r.status = ReplicaStatus::Failed;
                        r.message = Some(e.message);
                    }
                }
            }
            ctx.save(doc)
        })
    }

    // ---- the replica's side ----

    /// What this (replica) vault holds of secret `uid`.
    /// Which of `uids` this replica vault holds as secrets of its own now (promoted here).
    fn promoted(&self, uids: &[String]) -> Result<Vec<String>> {
        self.caught_up(|inner, _| {
            Ok(uids
                .iter()
                .filter(|u| inner.index.get(u.as_str()).is_some_and(|d| !d.is_replica()))
                .cloned()
                .collect())
        })
    }

    fn existing(&self, uid: &str) -> Result<Existing> {
        self.caught_up(|inner, _| {
            Ok(match inner.index.get(uid) {
                None => Existing::Absent,
                Some(d) if !d.is_replica() => Existing::Promoted,
                Some(d) => Existing::Replica {
                    have: d
                        .versions
                        .iter()
                        .filter(|v| v.has_value)
                        .map(|v| v.id.clone())
                        .collect(),
                },
            })
        })
    }

    /// What this vault holds of cross-account replica `uid` of primary `primary_arn`:
    /// `Promoted` when it no longer takes that primary's versions (made standalone,
    /// detached, or gone).
    pub(super) fn existing_cross(&self, uid: &str, primary_arn: &str) -> Result<Existing> {
        self.caught_up(|inner, _| {
            // A replica deleted in its account (made standalone first) takes nothing more.
            let Some(d) = inner.index.get(uid) else {
                return Ok(Existing::Promoted);
            };
            Ok(match &d.cross_account_primary {
                Some(p)
                    if names_secret(&p.arn, primary_arn) && p.status != ReplicaStatus::Detached =>
                {
                    Existing::Replica {
                        have: d
                            .versions
                            .iter()
                            .filter(|v| v.has_value)
                            .map(|v| v.id.clone())
                            .collect(),
                    }
                }
                _ => Existing::Promoted,
            })
        })
    }

    /// Makes cross-account replica `uid`'s versions what its primary sent, in one audited
    /// transaction; its name, key, description, tags and policy stay its own.
    fn apply_cross(&self, uid: &str, primary_arn: &str, p: &Payload) -> Result<Applied> {
        let request = serde_json::json!({
            "primarySecretArn": primary_arn,
            "versionIds": p.doc.versions.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
        });
        self.exec(&service(), Operation::SyncReplicaSecret, &request, |ctx| {
            let old = ctx.index.get(uid).map(|d| (**d).clone()).ok_or_else(|| {
                Error::not_found("The cross-account replica was deleted in its account.")
            })?;
            ctx.audit.secret = Some((old.uid.clone(), ctx.arn(&old)));
            match &old.cross_account_primary {
                Some(x) if names_secret(&x.arn, primary_arn) && x.status != ReplicaStatus::Detached => {}
                _ => return Ok(Applied::Promoted),
            }
            let mut doc = old.clone();
            doc.versions = p.doc.versions.clone();
            for v in &mut doc.versions {
                match old.version(&v.id) {
                    Some(o) if o.has_value => {
                        v.kms_key_id = o.kms_key_id.clone();
                        v.last_accessed_day_ms = o.last_accessed_day_ms;
                    }
                    _ => {
                        v.kms_key_id = doc.kms_key_id.clone();
                        v.last_accessed_day_ms = None;
                        if v.has_value && !p.values.iter().any(|(id, _)| id == &v.id) {
                            return Err(Error::invalid_request(
                                "The secret changed while it was replicated; the newer change follows.",
                            ));
                        }
                    }
                }
            }
            ctx.will_write()?;
            for v in old.versions.iter().filter(|v| v.has_value) {
                if !doc.version(&v.id).is_some_and(|n| n.has_value) {
                    ctx.delete_value(&old, &v.id)?;
                }
            }
            for (vid, value) in &p.values {
                if doc.version(vid).is_some_and(|v| v.has_value) {
                    ctx.write_value(&doc, vid, value)?;
                }
            }
            if let Some(x) = &mut doc.cross_account_primary {
                x.status = ReplicaStatus::InSync;
                x.message = None;
            }
            if doc.versions != old.versions {
                doc.last_changed_ms = ctx.now_ms;
            }
            let last_accessed_day_ms = doc.last_accessed_day_ms;
            ctx.save(doc)?;
            Ok(Applied::InSync { last_accessed_day_ms })
        })
    }

    /// Makes this vault's replica of a secret what the primary sent, in one audited
    /// transaction.
    fn apply(&self, p: Payload) -> Result<Applied> {
        if let Some((uid, primary_arn)) = &p.into {
            return self.apply_cross(uid, primary_arn, &p);
        }
        let request = serde_json::json!({
            "primaryRegion": p.primary_region,
            "versionIds": p.doc.versions.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
        });
        self.exec(&service(), Operation::SyncReplicaSecret, &request, |ctx| {
            let existing = ctx.index.get(&p.doc.uid).map(|d| (**d).clone());
            ctx.audit.secret = Some((p.doc.uid.clone(), ctx.arn(&p.doc)));
            if existing.as_ref().is_some_and(|e| !e.is_replica()) {
                return Ok(Applied::Promoted);
            }
            if existing.is_none()
                && let Some(other) = ctx.index.by_name(&p.doc.name).map(|d| d.uid.clone())
            {
                if !p.force {
                    return Err(Error::exists(format!(
                        "A secret named {} already exists in {}; replicate with ForceOverwriteReplicaSecret to replace it.",
                        p.doc.name, ctx.info.region
                    )));
                }
                ctx.purge(&other)?;
            }
            let kms_key_id = match &p.kms_key_id {
                None => ctx.kms.default_key_id()?.to_string(),
                Some(k) => ctx.kms.resolve(k, &ctx.info.region, &ctx.info.account_id)?,
            };
            let mut doc = p.doc.clone();
            doc.primary_region = Some(p.primary_region.clone());
            doc.replicas = Vec::new();
            doc.cross_account_replicas = Vec::new();
            doc.cross_account_primary = None;
            doc.replication_seq = 0;
            doc.rotation = None;
            doc.kms_key_input = p.kms_key_id.clone();
            doc.kms_key_id = kms_key_id.clone();
            doc.last_accessed_day_ms = existing.as_ref().and_then(|e| e.last_accessed_day_ms);
            for v in &mut doc.versions {
                match existing.as_ref().and_then(|e| e.version(&v.id)) {
                    Some(old) if old.has_value => {
                        v.kms_key_id = old.kms_key_id.clone();
                        v.last_accessed_day_ms = old.last_accessed_day_ms;
                    }
                    _ => {
                        v.kms_key_id = kms_key_id.clone();
                        v.last_accessed_day_ms = None;
                        if v.has_value && !p.values.iter().any(|(id, _)| id == &v.id) {
                            return Err(Error::invalid_request(
                                "The secret changed while it was replicated; the newer change follows.",
                            ));
                        }
                    }
                }
            }
            ctx.will_write()?;
            if let Some(old) = &existing {
                for v in old.versions.iter().filter(|v| v.has_value) {
                    if !doc.version(&v.id).is_some_and(|n| n.has_value) {
                        ctx.delete_value(old, &v.id)?;
                    }
                }
            }
            for (vid, value) in &p.values {
                if doc.version(vid).is_some_and(|v| v.has_value) {
                    ctx.write_value(&doc, vid, value)?;
                }
            }
            crate::audit::anchor::keep_foreign(ctx.tx, &p.anchor)?;
            let last_accessed_day_ms = doc.last_accessed_day_ms;
            ctx.save(doc)?;
            Ok(Applied::InSync { last_accessed_day_ms })
        })
    }

    /// Deletes this vault's replica of secret `uid`, if it is still a replica.
    fn drop_replica(&self, uid: &str, name: &str) -> Result<()> {
        let request = serde_json::json!({ "name": name });
        self.exec(
            &service(),
            Operation::DeleteReplicaSecret,
            &request,
            |ctx| {
                let Some(doc) = ctx.index.get(uid).cloned() else {
                    return Ok(());
                };
                ctx.audit.secret = Some((doc.uid.clone(), ctx.arn(&doc)));
                if doc.is_replica() {
                    ctx.purge(uid)?;
                }
                Ok(())
            },
        )
    }
}
