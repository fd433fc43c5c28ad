//! The one door: [`Vault`] has one method per operation, and each authorizes, acts and
//! writes its audit event in one SQLite transaction.
//!
//! **Why this file is long:** it is the door itself: `Vault`, `exec` (catch up, purge,
//! authorize, act, audit, commit, publish) and the request context every operation receives;
//! splitting it would spread one transaction's steps over several files.

mod anchors;
mod backup;
mod checkpoint;
mod cross_account;
pub use checkpoint::Checkpointer;
pub(crate) mod doc;
mod endpoint;
mod health;
pub mod iam;
mod index;
mod keys;
mod kms;
mod operators;
mod password;
mod people;
pub mod policies;
pub mod principals;
mod rekey;
mod replicas;
pub mod rotation;
mod secrets;
mod tabs;
mod transfer;
mod views;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::audit::{self, AdditionalEventData, AuditEvent, Resource, RowMeta, UserIdentity};
use crate::clock::{Clock, SystemClock};
use crate::crypto::slot::SlotSecret;
use crate::crypto::{KdfParams, Passphrase, random};
use crate::model::DEFAULT_KMS_ALIAS;
use crate::store::{Store, Tx};
use crate::{Error, ErrorCode, Operation, Result};

pub use backup::{BackupResponse, Progress, RestoreResponse};
use doc::SecretDoc;
pub use endpoint::EPHEMERAL_OPERATOR;
use index::Index;
pub use index::SortBy;
pub use keys::KmsDoc;
use keys::{KeyCell, KmsRing, Member, VaultKeys};
pub use operators::{ListOperatorsResponse, OperatorEntry};
pub use rekey::{RekeyMeter, RekeyPhase, RekeyProgress, RekeyStatus};
pub use replicas::{REPLICATOR_PREFIX, RegionSource, ReplicaRegionView, SyncReport};
pub use tabs::{ATTEMPTS_SHOWN, AttemptView, FunctionView, RekeyView, ReplicasView, RotationView};
pub use transfer::ImportReport;
pub use views::{
    AuditEventView, AuditPage, AuditQuery, PrefixRun, SecretPage, SecretQuery, SecretSummary,
    SecretView, VersionView,
};

/// Which front end a request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FrontEnd {
    Cli,
    Tui,
    Desktop,
    Endpoint,
    /// The Secrets Manager Agent's local protocol (`coffer serve --agent`).
    Agent,
    /// A command forwarded by `coffer` to the user's session agent (`coffer unlock`).
    Session,
    Internal,
}

impl FrontEnd {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Cli => "cli",
            Self::Tui => "tui",
            Self::Desktop => "desktop",
            Self::Endpoint => "endpoint",
            Self::Agent => "agent",
            Self::Session => "session",
            Self::Internal => "internal",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Cli,
            Self::Tui,
            Self::Desktop,
            Self::Endpoint,
            Self::Agent,
            Self::Session,
            Self::Internal,
        ]
        .into_iter()
        .find(|f| f.as_str() == s)
    }
}

/// Who is asking, from where.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal_arn: String,
    pub user_name: String,
    pub front_end: FrontEnd,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    operator: bool,
    /// A session policy that stands in for the principal's identity policies: what a
    /// rotation function's credentials may do (only the secrets its rotation needs).
    session_policy: Option<std::sync::Arc<str>>,
}

impl Caller {
    /// A principal that is not one of the vault's operators.
    pub fn principal(principal_arn: impl Into<String>, front_end: FrontEnd) -> Self {
        let principal_arn = principal_arn.into();
        let user_name = principal_arn
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        Self {
            principal_arn,
            user_name,
            front_end,
            source_ip: None,
            user_agent: None,
            operator: false,
            session_policy: None,
        }
    }

    /// A principal whose permissions are exactly `policy` (a policy document), whatever
    /// IAM says of it: the credentials a rotation hands its function.
    pub fn scoped(
        principal_arn: impl Into<String>,
        front_end: FrontEnd,
        policy: impl Into<std::sync::Arc<str>>,
    ) -> Self {
        let mut c = Self::principal(principal_arn, front_end);
        c.session_policy = Some(policy.into());
        c
    }

    pub fn session_policy(&self) -> Option<&str> {
        self.session_policy.as_deref()
    }
    pub fn with_source(mut self, ip: Option<String>, user_agent: Option<String>) -> Self {
        self.source_ip = ip;
        self.user_agent = user_agent;
        self
    }
    pub fn is_operator(&self) -> bool {
        self.operator
    }
}

/// What `init` asks for.
#[derive(Debug)]
pub struct InitOptions {
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub operator: String,
    pub passphrase: Passphrase,
    /// Argon2id memory (KiB) and passes; `None` for the defaults.
    pub kdf: Option<(u32, u32)>,
}

impl InitOptions {
    pub fn new(operator: impl Into<String>, passphrase: Passphrase) -> Self {
        Self {
            account_id: None,
            region: None,
            operator: operator.into(),
            passphrase,
            kdf: None,
        }
    }
}

/// What can be read from a vault file without unlocking it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VaultSummary {
    pub vault_id: String,
    pub account_id: String,
    pub region: String,
    pub operators: Vec<String>,
}

/// Facts about an unlocked vault.
#[derive(Debug, Clone)]
pub struct VaultInfo {
    pub path: Option<PathBuf>,
    pub vault_id: String,
    pub account_id: String,
    pub region: String,
    pub operator: String,
}

impl VaultInfo {
    /// A secret's full ARN in this vault's account and region.
    pub fn secret_arn(&self, doc: &SecretDoc) -> String {
        crate::model::secret_arn(&self.region, &self.account_id, &doc.name, &doc.suffix)
    }

    /// An IAM user's ARN in this vault's account (operators are users).
    pub fn user_arn(&self, name: &str) -> String {
        format!("arn:aws:iam::{}:user/{name}", self.account_id)
    }
}

/// An unlocked vault. Dropping it locks: every key it holds is zeroized.
pub struct Vault {
    info: VaultInfo,
    keys: KeyCell,
    clock: Arc<dyn Clock>,
    inner: Mutex<Inner>,
    /// Signalled when a group of requests ([`Vault::begin_group`]) has committed.
    group_done: std::sync::Condvar,
    /// Temporary credentials issued to rotation functions, by access key id.
    sessions: Mutex<std::collections::HashMap<String, endpoint::SessionKey>>,
    /// The replica vaults this process has open.
    links: replicas::Links,
    /// Tells a checkpoint thread, if one runs, that commits happened.
    checkpoints: Arc<checkpoint::Signal>,
    /// The health report's inputs as of its last run, brought up to date by the next.
    health: Mutex<health::Kept>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

struct Inner {
    store: Store,
    index: Index,
    kms: KmsRing,
    iam: iam::Iam,
}

/// The operator to unlock as: the one named, or the only one there is.
pub(crate) fn choose_operator(operator: Option<&str>, operators: &[String]) -> Result<String> {
    // A primary vault's replication slot is not a person to unlock as.
    let operators: Vec<String> = operators
        .iter()
        .filter(|o| !o.starts_with(REPLICATOR_PREFIX))
        .cloned()
        .collect();
    match operator {
        Some(o) => Ok(o.to_string()),
        None if operators.len() == 1 => Ok(operators[0].clone()),
        None => Err(Error::invalid_parameter(format!(
            "This vault has several operators ({}): choose one with --operator or COFFER_OPERATOR.",
            operators.join(", ")
        ))),
    }
}

/// The key an operator's passphrase derives with their slot's Argon2id parameters, which
/// are refused when a (possibly hostile) file asks for unsafe ones.
pub(crate) fn slot_kek(kdf: &str, passphrase: &Passphrase) -> Result<crate::crypto::Key> {
    let params: KdfParams = serde_json::from_str(kdf)
        .map_err(|_| Error::internal("the key slot's Argon2id parameters are unreadable"))?;
    params.check().map_err(|e| {
        Error::invalid_request(format!(
            "The vault file asks for unsafe key-derivation settings: {}",
            e.message
        ))
    })?;
    params.derive(passphrase)
}

/// An operator's private slot key, unwrapped with the key their passphrase derived.
pub(crate) fn open_operator_slot(
    vault_id: &str,
    operator: &str,
    wrapped_private: &[u8],
    kek: &crate::crypto::Key,
) -> Result<SlotSecret> {
    crate::crypto::slot::open_slot(kek, &keys::slot_aad(vault_id, operator), wrapped_private)
        .map_err(|_| {
            Error::access_denied(format!(
                "The passphrase is not correct for operator '{operator}'."
            ))
        })
}

fn valid_account(a: &str) -> bool {
    a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())
}

fn valid_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// IAM user names: 1–64 of `A-Za-z0-9+=,.@_-`.
pub fn validate_operator_name(n: &str) -> Result<()> {
    if n.is_empty()
        || n.len() > 64
        || !n
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
    {
        return Err(Error::validation(format!(
            "The operator name '{n}' must be 1 to 64 characters of A-Z a-z 0-9 + = , . @ _ -"
        )));
    }
    Ok(())
}

fn random_account() -> String {
    let digits: Vec<char> = "0123456789".chars().collect();
    let mut a = random::string_from(&digits, 12);
    if a.starts_with('0') {
        a.replace_range(0..1, "1");
    }
    a
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Vault {
    /// The vault's state, once no other thread's group of requests is open on it.
    fn inner(&self) -> MutexGuard<'_, Inner> {
        let mut inner = lock(&self.inner);
        while inner.store.grouped_elsewhere() {
            inner = self
                .group_done
                .wait(inner)
                .unwrap_or_else(|e| e.into_inner());
        }
        inner
    }

    /// Opens a group: the requests this thread carries out until [`Vault::commit_group`]
    /// share one transaction and its commit (group commit). Each request still authorizes,
    /// acts and appends its audit event, chained, in a savepoint of its own (a failed one
    /// rolls back alone); none of them is on disk before the group's commit, so whoever
    /// answers them waits for it. Other threads wait for the commit before they touch the
    /// vault. Only for changes that do not wait for fsync (reads and their audit events).
    pub fn begin_group(&self) -> Result<()> {
        self.inner().store.begin_group()
    }

    /// Commits the group opened by [`Vault::begin_group`]; on failure none of its requests
    /// reached the file, and the in-memory state they published is reloaded from it.
    pub fn commit_group(&self) -> Result<()> {
        let mut inner = self.inner();
        let committed = inner.store.commit_group();
        match &committed {
            Ok(()) => self.checkpoints.committed(),
            Err(_) => inner.index = Index::unloaded(),
        }
        drop(inner);
        self.group_done.notify_all();
        committed
    }

    /// Creates a vault file and unlocks it as its first operator.
    pub fn init(path: &Path, opts: InitOptions) -> Result<Self> {
        Self::init_with_clock(path, opts, Arc::new(SystemClock))
    }

    pub fn init_with_clock(path: &Path, opts: InitOptions, clock: Arc<dyn Clock>) -> Result<Self> {
        let account = opts.account_id.clone().unwrap_or_else(random_account);
        if !valid_account(&account) {
            return Err(Error::validation(format!(
                "The account id '{account}' must be 12 digits."
            )));
        }
        let region = opts.region.clone().unwrap_or_else(|| "us-east-1".into());
        if !valid_region(&region) {
            return Err(Error::validation(format!(
                "'{region}' is not a region name (like us-east-1)."
            )));
        }
        validate_operator_name(&opts.operator)?;
        if opts.passphrase.is_empty() {
            return Err(Error::invalid_parameter(
                "The passphrase must not be empty.",
            ));
        }
        let params = match opts.kdf {
            Some((m, t)) => KdfParams::new(m, t)?,
            None => KdfParams::default_new(),
        };
        let kek = params.derive(&opts.passphrase)?;
        let mut store = Store::create(path)?;
        let result = (|| {
            let vault_id = random::uuid();
            let now = clock.now().as_millisecond();
            let tx = store.begin()?;
            let (secret, wrapped_private) = crate::crypto::slot::new_slot(
                &kek,
                &keys::slot_aad(&vault_id, &opts.operator),
                &[],
            );
            let member = Member {
                operator: opts.operator.clone(),
                secret,
                kek: Arc::new(kek),
            };
            let keys = seed(&tx, &vault_id, &account, &region, now, member)?;
            tx.slot_insert(&keys.own_slot_row(
                serde_json::to_string(&params).expect("params serialize"),
                wrapped_private,
                now,
            ))?;
            // A new vault has no value without its facts.
            tx.value_facts_set_pending(false)?;
            audit::fold(&tx, &keys.audit)?;
            tx.commit()?;
            let info = VaultInfo {
                path: Some(path.to_path_buf()),
                vault_id,
                account_id: account.clone(),
                region: region.clone(),
                operator: opts.operator.clone(),
            };
            Self::assemble(store, info, keys, clock.clone())
        })();
        match result {
            Ok(v) => {
                v.make_administrator(FrontEnd::Cli, &opts.operator)?;
                Ok(v)
            }
            Err(e) => {
                let _ = std::fs::remove_file(path);
                let _ = std::fs::remove_file(path.with_extension("db-wal"));
                let _ = std::fs::remove_file(path.with_extension("db-shm"));
                Err(e)
            }
        }
    }

    /// Unlocks a vault file with an operator's passphrase. `operator` may be left out: the
    /// vault's only operator, or the one whose key slot the passphrase opens.
    pub fn open(path: &Path, operator: Option<&str>, passphrase: &Passphrase) -> Result<Self> {
        Self::open_with_clock(path, operator, passphrase, Arc::new(SystemClock))
    }

    pub fn open_with_clock(
        path: &Path,
        operator: Option<&str>,
        passphrase: &Passphrase,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        let mut picked = None;
        let operator = match operator {
            Some(o) => Some(o.to_string()),
            None => Self::operator_of_passphrase(path, passphrase)?.map(|(o, opened)| {
                picked = Some((o.clone(), opened));
                o
            }),
        };
        Self::open_unlocking(path, operator.as_deref(), clock, |vault_id, slot| {
            if let Some((_, opened)) = picked.filter(|(o, _)| *o == slot.operator) {
                return Ok(opened);
            }
            let kek = slot_kek(&slot.kdf, passphrase)?;
            let secret = open_operator_slot(vault_id, &slot.operator, &slot.wrapped_private, &kek)?;
            Ok((secret, kek))
        })
    }

    /// With several operators and none named, the passphrase picks: the operator whose key
    /// slot it opens, with what it opened (each slot is tried in turn, as cryptsetup tries
    /// each LUKS key slot). `None` when the vault has one operator (or none): that one is
    /// the choice. Refused when the passphrase opens no slot, or several (operators who
    /// share a passphrase must be named).
    fn operator_of_passphrase(
        path: &Path,
        passphrase: &Passphrase,
    ) -> Result<Option<(String, (SlotSecret, crate::crypto::Key))>> {
        let mut store = Store::open(path)?;
        let tx = store.read()?;
        let vault_id = tx
            .meta_get_string("vault_id")?
            .ok_or_else(|| Error::internal("the vault has no id"))?;
        let slots: Vec<crate::store::SlotRow> = tx
            .slots_all()?
            .into_iter()
            .filter(|s| !s.operator.starts_with(REPLICATOR_PREFIX))
            .collect();
        if slots.len() < 2 {
            return Ok(None);
        }
        let mut opened = Vec::new();
        for slot in &slots {
            let kek = slot_kek(&slot.kdf, passphrase)?;
            if let Ok(secret) =
                open_operator_slot(&vault_id, &slot.operator, &slot.wrapped_private, &kek)
            {
                opened.push((slot.operator.clone(), (secret, kek)));
            }
        }
        let names: Vec<&str> = slots.iter().map(|s| s.operator.as_str()).collect();
        match opened.len() {
            1 => Ok(opened.pop()),
            0 => Err(Error::access_denied(format!(
                "The passphrase is not correct for any of this vault's operators ({}).",
                names.join(", ")
            ))),
            _ => Err(Error::invalid_parameter(format!(
                "This passphrase opens the key slots of several operators ({}): choose one with --operator or COFFER_OPERATOR.",
                opened
                    .iter()
                    .map(|(o, _)| o.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Opens a vault file as `operator` (or its only operator), whose slot `unlock` opens
    /// (returning the slot key and the key that unwrapped it). The master key opens only
    /// if a member this slot trusts sealed it; the slot's pins are then brought up to date
    /// (see [`VaultKeys::pin_own_slot`]).
    pub(crate) fn open_unlocking(
        path: &Path,
        operator: Option<&str>,
        clock: Arc<dyn Clock>,
        unlock: impl FnOnce(&str, &crate::store::SlotRow) -> Result<(SlotSecret, crate::crypto::Key)>,
    ) -> Result<Self> {
        let mut store = Store::open(path)?;
        let tx = store.read()?;
        let vault_id = tx
            .meta_get_string("vault_id")?
            .ok_or_else(|| Error::internal("the vault has no id"))?;
        let account_id = tx.meta_get_string("account_id")?.unwrap_or_default();
        let region = tx.meta_get_string("region")?.unwrap_or_default();
        let operators = tx.slot_operators()?;
        let operator = choose_operator(operator, &operators)?;
        let slot = tx.slot_get(&operator)?.ok_or_else(|| {
            Error::not_found(format!(
                "This vault has no operator named '{operator}' (operators: {}).",
                operators.join(", ")
            ))
        })?;
        let (secret, kek) = unlock(&vault_id, &slot)?;
        let master = keys::open_master(&tx, &vault_id, &operator, &secret, &slot.sealed_master)?;
        let member = Member {
            operator: operator.clone(),
            secret,
            kek: Arc::new(kek),
        };
        let mut keys = VaultKeys::load(&tx, &vault_id, master, Arc::new(member))?;
        keys.check_slot(&slot)?;
        let pin = keys.pin_own_slot(&tx, false)?;
        drop(tx);
        if pin {
            let tx = store.begin()?;
            if keys.pin_own_slot(&tx, true)? {
                let row = tx
                    .slot_get(&operator)?
                    .ok_or_else(|| Error::internal("the key slot vanished while it was pinned"))?;
                audit::fold(&tx, &keys.audit)?;
                tx.commit()?;
                keys = keys.repinned(&row)?;
            }
        }
        // The health report's "never unlocked": at most one write a day per operator.
        let now = clock.now().as_millisecond();
        if !store.read()?.usage_unlock_recorded(&operator, now)? {
            let tx = store.begin()?;
            tx.usage_unlocked(&operator, now)?;
            tx.commit()?;
        }
        let info = VaultInfo {
            path: Some(path.to_path_buf()),
            vault_id,
            account_id,
            region,
            operator,
        };
        let vault = Self::assemble(store, info, keys, clock)?;
        // An upgraded or re-keyed vault derives its values' facts once, here.
        vault.derive_pending_facts()?;
        Ok(vault)
    }

    fn assemble(
        mut store: Store,
        info: VaultInfo,
        mut keys: VaultKeys,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        keys.store_new_keys(&mut store)?;
        let mut index = Index::unloaded();
        let mut kms = KmsRing::default();
        let mut iam = iam::Iam::default();
        let keys = KeyCell::new(keys);
        {
            let tx = store.read()?;
            catch_up_in(&tx, &keys, &mut index, &mut kms, &mut iam)?;
        }
        Ok(Self {
            info,
            keys,
            clock,
            inner: Mutex::new(Inner {
                store,
                index,
                kms,
                iam,
            }),
            group_done: std::sync::Condvar::new(),
            sessions: Mutex::default(),
            links: replicas::Links::default(),
            checkpoints: Arc::default(),
            health: Mutex::default(),
        })
    }

    /// Reads what a vault file says about itself, without a passphrase.
    pub fn inspect(path: &Path) -> Result<VaultSummary> {
        let mut store = Store::open(path)?;
        let tx = store.read()?;
        Ok(VaultSummary {
            vault_id: tx.meta_get_string("vault_id")?.unwrap_or_default(),
            account_id: tx.meta_get_string("account_id")?.unwrap_or_default(),
            region: tx.meta_get_string("region")?.unwrap_or_default(),
            operators: tx.slot_operators()?,
        })
    }

    /// The vault's first principal: an IAM user with AdministratorAccess (audited as
    /// InitializeVault).
    fn make_administrator(&self, front_end: FrontEnd, name: &str) -> Result<()> {
        let caller = self.caller(front_end);
        self.exec(
            &caller,
            Operation::InitializeVault,
            &serde_json::json!({ "operator": name }),
            |ctx| ctx.ensure_user(name, Some(iam::ADMINISTRATOR_ACCESS)),
        )
    }

    pub fn info(&self) -> &VaultInfo {
        &self.info
    }

    /// The vault's keys as this process last saw them.
    fn keys(&self) -> Arc<VaultKeys> {
        self.keys.get()
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// The caller for the operator who unlocked this vault.
    pub fn caller(&self, front_end: FrontEnd) -> Caller {
        Caller {
            principal_arn: self.info.user_arn(&self.info.operator),
            user_name: self.info.operator.clone(),
            front_end,
            source_ip: None,
            user_agent: None,
            operator: true,
            session_policy: None,
        }
    }

    /// Brings the in-memory index up to date if another process committed; returns whether
    /// anything changed. Cheap when nothing did (one `PRAGMA data_version`).
    pub fn catch_up(&self) -> Result<bool> {
        self.caught_up(|_, changed| Ok(changed))
    }

    /// Purges the secrets whose deletion date has passed, as every request does first: for
    /// the background runner, so that a vault nobody asks anything still purges on time.
    /// Returns how many were purged. Cheap when none is due (no write transaction).
    pub fn purge_expired(&self) -> Result<usize> {
        let now_ms = self.clock.now().as_millisecond();
        let due = self.caught_up(|inner, _| {
            Ok(inner.index.earliest_deletion().is_some_and(|d| d <= now_ms))
        })?;
        if !due {
            return Ok(0);
        }
        let mut inner = self.inner();
        let Inner {
            store,
            index,
            kms,
            iam,
        } = &mut *inner;
        let tx = store.begin()?;
        catch_up_in(&tx, &self.keys, index, kms, iam)?;
        let keys = self.keys();
        let (purged, rev) = self.purge_due(&tx, &keys, index, now_ms)?;
        if let Err(e) = tx.commit() {
            *index = Index::unloaded();
            return Err(e);
        }
        self.checkpoints.committed();
        for uid in &purged {
            index.remove(uid);
        }
        if let Some(r) = rev {
            index.rev = r;
        }
        Ok(purged.len())
    }

    /// A number that changes whenever the vault changes, from this process or another.
    pub fn revision(&self) -> Result<i64> {
        self.catch_up()?;
        Ok(self.inner().index.rev)
    }

    /// `PRAGMA integrity_check` of the file.
    pub fn integrity_check(&self) -> Result<String> {
        self.inner().store.integrity_check()
    }

    /// Runs one request: refresh, purge what is due, authorize and act inside a savepoint,
    /// append the audit event (whatever the outcome), commit, then publish to the index.
    /// Then pushes the secrets it changed to their replicas (see `replicas`).
    pub(crate) fn exec<T, R: Serialize + ?Sized>(
        &self,
        caller: &Caller,
        op: Operation,
        request: &R,
        f: impl FnOnce(&mut Ctx<'_, '_>) -> Result<T>,
    ) -> Result<T> {
        let mut replicate = Vec::new();
        let result = self.exec_inner(caller, op, request, &mut replicate, f);
        if !replicate.is_empty() {
            self.propagate(&replicate);
        }
        result
    }

    /// `exec` but the push: fills `push` with the secrets to push once the request has
    /// succeeded and committed.
    fn exec_inner<T, R: Serialize + ?Sized>(
        &self,
        caller: &Caller,
        op: Operation,
        request: &R,
        push: &mut Vec<String>,
        f: impl FnOnce(&mut Ctx<'_, '_>) -> Result<T>,
    ) -> Result<T> {
        let mut inner = self.inner();
        let Inner {
            store,
            index,
            kms,
            iam,
        } = &mut *inner;
        let tx = store.begin_with(op.waits_for_fsync())?;
        catch_up_in(&tx, &self.keys, index, kms, iam)?;
        let keys = self.keys();
        let now_ms = self.clock.now().as_millisecond();
        let (purged, purge_rev) = if index.earliest_deletion().is_some_and(|d| d <= now_ms) {
            self.purge_due(&tx, &keys, index, now_ms)?
        } else {
            (Vec::new(), None)
        };
        for uid in &purged {
            index.remove(uid);
        }
        let emulator = self.is_emulator();
        let mut ctx = Ctx {
            tx: &tx,
            keys: &keys,
            kms,
            index,
            info: &self.info,
            caller,
            now_ms,
            staged: Vec::new(),
            rev: None,
            reload_kms: false,
            reload_iam: false,
            iam: &*iam,
            request_keys: Vec::new(),
            savepoint: false,
            audit: Draft::default(),
            replicate: Vec::new(),
            rekeyed: None,
            emulator,
        };
        let result = f(&mut ctx);
        let Ctx {
            staged,
            audit: draft,
            rev,
            reload_kms,
            reload_iam,
            savepoint,
            replicate,
            rekeyed,
            ..
        } = ctx;
        // A re-key that failed part-way is rolled back with the rest of the request.
        let rekeyed = rekeyed.filter(|_| result.is_ok());
        let staged = match &result {
            Ok(_) => {
                if savepoint {
                    tx.release()?;
                }
                staged
            }
            Err(_) => {
                if savepoint {
                    tx.rollback_to_savepoint()?;
                }
                Vec::new()
            }
        };
        let error = result.as_ref().err();
        // The emulator audits what changes a region (replication carries an anchor of the
        // primary's trail), not its reads: no test suite reads its trail, and a read changes
        // nothing the trail vouches for (README, "The emulator for test suites"). A read that
        // did change something (a secret's last-accessed day) is audited as in a vault.
        let audited = !(emulator && op.read_only()) || tx.state_pending()?;
        let committed = if audited {
            let request_parameters = serde_json::to_value(request)
                .map_err(|e| Error::internal(format!("request parameters: {e}")))?;
            self.write_event(
                &tx,
                rekeyed.as_ref().unwrap_or(&*keys),
                caller,
                op,
                now_ms,
                request_parameters,
                draft,
                error,
            )
        } else {
            Ok(())
        }
        .and_then(|()| tx.commit());
        if let Err(e) = committed {
            // Nothing of this request reached the file: forget what the index was told.
            *index = Index::unloaded();
            return Err(e);
        }
        self.checkpoints.committed();
        if let Some(new) = rekeyed {
            // Every hash and seal changed: the index, KMS keys and principals reload.
            self.keys.set(new);
            *index = Index::unloaded();
            return result;
        }
        for s in staged {
            match s {
                Staged::Upsert(doc) => index.upsert(*doc),
                Staged::Remove(uid) => index.remove(&uid),
            }
        }
        let rev = if result.is_ok() { rev } else { None };
        if let Some(r) = rev.or(purge_rev) {
            index.rev = r;
        }
        if reload_iam && result.is_ok() {
            let tx = store.read()?;
            *iam = iam::Iam::load(&tx, &keys)?;
        }
        // Also after a failure: a key the emulator made for the request is in the ring, and
        // rolled back with the request.
        if reload_kms {
            let tx = store.read()?;
            *kms = KmsRing::load(&tx, &keys)?;
        }
        if result.is_ok() {
            *push = replicate;
        }
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn write_event(
        &self,
        tx: &Tx<'_>,
        keys: &VaultKeys,
        caller: &Caller,
        op: Operation,
        now_ms: i64,
        request_parameters: serde_json::Value,
        draft: Draft,
        error: Option<&Error>,
    ) -> Result<()> {
        let mut event = AuditEvent {
            event_version: "1.08".into(),
            event_time: crate::model::from_epoch_ms(now_ms).to_string(),
            event_source: "secretsmanager.amazonaws.com".into(),
            event_name: op.as_str().into(),
            aws_region: self.info.region.clone(),
            source_ip_address: caller
                .source_ip
                .clone()
                .unwrap_or_else(|| "127.0.0.1".into()),
            user_agent: caller.user_agent.clone().unwrap_or_else(|| {
                format!(
                    "coffer/{} ({})",
                    env!("CARGO_PKG_VERSION"),
                    caller.front_end.as_str()
                )
            }),
            user_identity: UserIdentity {
                kind: if caller.operator || caller.principal_arn.contains(":user/") {
                    "IAMUser"
                } else {
                    "AssumedRole"
                }
                .into(),
                arn: caller.principal_arn.clone(),
                account_id: self.info.account_id.clone(),
                user_name: Some(caller.user_name.clone()),
            },
            request_parameters,
            response_elements: if error.is_none() {
                draft.response
            } else {
                None
            },
            error_code: error.map(|e| e.code.as_str().to_string()),
            error_message: error.map(|e| e.message.clone()),
            request_id: random::uuid(),
            event_id: random::uuid(),
            read_only: op.read_only(),
            event_type: "AwsApiCall".into(),
            resources: draft
                .secret
                .as_ref()
                .map(|(_, arn)| {
                    vec![Resource {
                        arn: arn.clone(),
                        account_id: self.info.account_id.clone(),
                        kind: "AWS::SecretsManager::Secret".into(),
                    }]
                })
                .unwrap_or_default(),
            recipient_account_id: self.info.account_id.clone(),
            additional_event_data: AdditionalEventData {
                front_end: caller.front_end.as_str().into(),
                version_ids: draft.version_ids,
                version_stages: draft.version_stages,
                sequence: None,
            },
        };
        audit::append(
            tx,
            &keys.audit,
            RowMeta {
                at_ms: now_ms,
                event_name: op.as_str(),
                error_code: error.map(|e| e.code.as_str()),
                front_end: caller.front_end.as_str(),
                principal_hash: keys.principal_hash(&caller.principal_arn),
                secret_uid: draft.secret.as_ref().map(|(u, _)| u.as_str()),
            },
            &mut event,
        )
        .map_err(|e| {
            Error::internal(format!(
                "the audit event could not be written, so the request was not carried out: {}",
                e.message
            ))
        })?;
        Ok(())
    }

    /// Purges secrets whose deletion date has passed: every version and its key material.
    fn purge_due(
        &self,
        tx: &Tx<'_>,
        keys: &VaultKeys,
        index: &Index,
        now_ms: i64,
    ) -> Result<(Vec<String>, Option<i64>)> {
        let due = tx.secrets_due_for_purge(now_ms, 64)?;
        if due.is_empty() {
            return Ok((due, None));
        }
        let rev = tx.next_rev()?;
        let service = Caller {
            principal_arn: "secretsmanager.amazonaws.com".into(),
            user_name: "secretsmanager.amazonaws.com".into(),
            front_end: FrontEnd::Internal,
            source_ip: Some("secretsmanager.amazonaws.com".into()),
            user_agent: Some("secretsmanager.amazonaws.com".into()),
            operator: false,
            session_policy: None,
        };
        for uid in &due {
            tx.secret_purge(uid, rev)?;
            let mut draft = Draft::default();
            if let Some(doc) = index.get(uid) {
                draft.secret = Some((uid.clone(), self.arn(doc)));
            }
            self.write_event(
                tx,
                keys,
                &service,
                Operation::EndSecretDeletion,
                now_ms,
                serde_json::json!({}),
                draft,
                None,
            )?;
        }
        Ok((due, Some(rev)))
    }

    fn arn(&self, doc: &SecretDoc) -> String {
        self.info.secret_arn(doc)
    }
}

/// Writes what every new vault starts with: its identity, its keys, and the default
/// `aws/secretsmanager` KMS key.
fn seed(
    tx: &Tx<'_>,
    vault_id: &str,
    account: &str,
    region: &str,
    now: i64,
    member: Member,
) -> Result<VaultKeys> {
    tx.meta_set("format", b"1")?;
    tx.meta_set("vault_id", vault_id.as_bytes())?;
    tx.meta_set("account_id", account.as_bytes())?;
    tx.meta_set("region", region.as_bytes())?;
    tx.meta_set("created_ms", now.to_string().as_bytes())?;
    let keys = VaultKeys::generate(tx, vault_id, member)?;
    keys.new_kms_key(
        tx,
        &random::uuid(),
        &KmsDoc {
            description:
                "Default key that protects my Secrets Manager data when no other key is defined"
                    .into(),
            aliases: vec![DEFAULT_KMS_ALIAS.into()],
            enabled: true,
            key_manager: "AWS".into(),
            created_ms: now,
            policy: None,
        },
    )?;
    Ok(keys)
}

/// Catches `index`, `kms` and `iam` up with the file inside `tx`, if another connection
/// committed. Catching up is the one verb for following other processes: `Vault::catch_up`
/// (for consoles), `Vault::caught_up` (for views) and every request through the door call it.
fn catch_up_in(
    tx: &Tx<'_>,
    cell: &KeyCell,
    index: &mut Index,
    kms: &mut KmsRing,
    iam: &mut iam::Iam,
) -> Result<bool> {
    let dv = tx.data_version()?;
    if dv == index.data_version {
        return Ok(false);
    }
    if let Some(new) = cell.get().catch_up(tx)? {
        // Another process re-keyed: every hash and seal changed, so reload everything.
        cell.set(new);
        *index = Index::unloaded();
    }
    let keys = &*cell.get();
    let changes = tx.changes_since(if index.data_version == i64::MIN {
        -1
    } else {
        index.rev
    })?;
    for row in changes.upserted {
        match keys.open_doc(&row.uid, &row.doc) {
            Ok(doc) => index.upsert(doc),
            // A row that does not decrypt is not a secret of this vault: leave it out.
            Err(_) => index.remove(&row.uid),
        }
    }
    for uid in changes.purged {
        index.remove(&uid);
    }
    index.rev = changes.rev;
    *kms = KmsRing::load(tx, keys)?;
    *iam = iam::Iam::load(tx, keys)?;
    index.data_version = dv;
    Ok(true)
}

enum Staged {
    Upsert(Box<SecretDoc>),
    Remove(String),
}

/// What an operation says about itself for its audit event.
#[derive(Default)]
pub(crate) struct Draft {
    /// (uid, ARN) of the secret acted on.
    pub secret: Option<(String, String)>,
    pub version_ids: Vec<String>,
    pub version_stages: Vec<String>,
    pub response: Option<serde_json::Value>,
}

/// One operation's view of the vault, inside its transaction.
pub(crate) struct Ctx<'a, 'c> {
    pub tx: &'a Tx<'c>,
    pub keys: &'a VaultKeys,
    pub kms: &'a mut KmsRing,
    pub index: &'a mut Index,
    pub info: &'a VaultInfo,
    pub caller: &'a Caller,
    pub now_ms: i64,
    staged: Vec<Staged>,
    rev: Option<i64>,
    reload_kms: bool,
    reload_iam: bool,
    pub iam: &'a iam::Iam,
    /// Condition keys of the operation (`secretsmanager:VersionStage`, ...), set before the
    /// secret is resolved.
    pub request_keys: Vec<(String, Vec<String>)>,
    /// Whether a savepoint guards this request's writes (taken before the first one).
    savepoint: bool,
    pub audit: Draft,
    /// Secrets to push to their replicas once this request has committed.
    replicate: Vec<String>,
    /// The keys a re-key made in this request, which take over when it commits.
    rekeyed: Option<VaultKeys>,
    /// Whether this vault is a region of `coffer serve --ephemeral`, which makes an unknown
    /// KMS key on first use as test suites expect.
    pub emulator: bool,
}

impl Ctx<'_, '_> {
    /// The one decision every authorize method asks (and views too, through
    /// `access::authorize_action`), at the request's time.
    fn decide(
        &self,
        action: &str,
        resource: &str,
        secret: Option<&SecretDoc>,
        request_keys: &[(String, Vec<String>)],
    ) -> Result<()> {
        crate::access::authorize_action(
            self.iam,
            self.caller,
            action,
            resource,
            secret,
            request_keys,
            crate::model::from_epoch_ms(self.now_ms),
        )
    }

    /// Authorizes an action on a resource that is not a secret (or on `*`).
    pub fn authorize(&self, action: &str, resource: &str) -> Result<()> {
        self.decide(action, resource, None, &[])
    }

    /// Authorizes an action on a resource that is not yet a secret (CreateSecret's partial
    /// ARN), with the operation's condition keys.
    pub fn authorize_with_request_keys(&self, action: &str, resource: &str) -> Result<()> {
        self.decide(action, resource, None, &self.request_keys)
    }

    /// `aws:RequestTag/<key>` for each tag and `aws:TagKeys` for their keys.
    pub fn push_request_tags(&mut self, tags: &[crate::model::Tag]) {
        for t in tags {
            self.request_keys
                .push((format!("aws:RequestTag/{}", t.key), vec![t.value.clone()]));
        }
        if !tags.is_empty() {
            self.request_keys.push((
                "aws:TagKeys".into(),
                tags.iter().map(|t| t.key.clone()).collect(),
            ));
        }
    }

    /// Authorizes an action on a secret: its resource policy takes part, and the request
    /// carries the secret's condition keys and the operation's (`request_keys`).
    pub fn authorize_secret(&self, action: &str, doc: &SecretDoc) -> Result<()> {
        self.decide(action, &self.arn(doc), Some(doc), &self.request_keys)
    }

    /// `kms:Decrypt` on the key that protects a value, through Secrets Manager: the
    /// principal's identity policies and the key's key policy decide.
    pub fn authorize_decrypt(&self, key_id: &str) -> Result<()> {
        let arn = crate::model::kms_key_arn(&self.info.region, &self.info.account_id, key_id);
        let now = crate::model::from_epoch_ms(self.now_ms);
        let mut c = crate::access::context(self.iam, self.caller, "kms:Decrypt", &arn, now);
        c.set_key(
            "kms:ViaService",
            [format!("secretsmanager.{}.amazonaws.com", self.info.region)],
        );
        c.set_key("kms:CallerAccount", [self.info.account_id.clone()]);
        let policy = self
            .kms
            .key_policy(key_id, &self.info.account_id, &self.info.region);
        let kp = crate::access::resource_policy(
            &arn,
            crate::policy::PolicyKind::KeyPolicy,
            Some(&policy),
        )?;
        crate::access::authorize(self.iam, self.caller, &c, kp)
    }

    pub fn arn(&self, doc: &SecretDoc) -> String {
        self.info.secret_arn(doc)
    }

    /// The secret a `SecretId` names (scheduled for deletion or not), shared with the index.
    pub fn resolve_shared(&mut self, secret_id: &str) -> Result<Arc<SecretDoc>> {
        crate::model::validate_secret_id(secret_id)?;
        let doc = self
            .index
            .resolve(secret_id, &self.info.account_id, &self.info.region)
            .cloned()
            .ok_or_else(|| Error::not_found("Secrets Manager can't find the specified secret."))?;
        self.audit.secret = Some((doc.uid.clone(), self.arn(&doc)));
        Ok(doc)
    }

    /// Like [`Ctx::resolve_shared`], refusing a secret scheduled for deletion.
    pub fn resolve_live_shared(&mut self, secret_id: &str, action: &str) -> Result<Arc<SecretDoc>> {
        let doc = self.resolve_shared(secret_id)?;
        self.authorize_secret(action, &doc)?;
        if doc.is_scheduled_for_deletion() {
            return Err(Error::marked_for_deletion());
        }
        Ok(doc)
    }

    /// The secret a `SecretId` names, as a copy to change.
    pub fn resolve(&mut self, secret_id: &str) -> Result<SecretDoc> {
        Ok((*self.resolve_shared(secret_id)?).clone())
    }

    /// Like [`Ctx::resolve`], refusing a secret scheduled for deletion, and a replica (the
    /// secret to change is the write's, and a replica takes its primary's writes only).
    pub fn resolve_live(&mut self, secret_id: &str, action: &str) -> Result<SecretDoc> {
        let doc = self.resolve_live_shared(secret_id, action)?;
        refuse_replica(&doc)?;
        Ok((*doc).clone())
    }

    /// Pushes secret `uid` to its replicas after the commit.
    pub fn replicate_after(&mut self, uid: &str) {
        if !self.replicate.iter().any(|u| u == uid) {
            self.replicate.push(uid.to_string());
        }
    }

    /// Takes the savepoint before the request's first write, so that a failure rolls back
    /// its effects and keeps its audit event. Reads never pay for one.
    pub fn will_write(&mut self) -> Result<()> {
        if !self.savepoint {
            self.tx.savepoint()?;
            self.savepoint = true;
        }
        Ok(())
    }

    fn rev(&mut self) -> Result<i64> {
        self.will_write()?;
        if let Some(r) = self.rev {
            return Ok(r);
        }
        let r = self.tx.next_rev()?;
        self.rev = Some(r);
        Ok(r)
    }

    /// Writes a secret's document (sealed) and stages it for the index. A change its
    /// replicas must receive marks them `InProgress`, to push after the commit.
    pub fn save(&mut self, mut doc: SecretDoc) -> Result<()> {
        let live = |r: &doc::ReplicaDoc| r.status != doc::ReplicaStatus::Detached;
        if (doc.replicas.iter().any(live) || doc.cross_account_replicas.iter().any(live))
            && self
                .index
                .get(&doc.uid)
                .is_none_or(|before| before.replica_content_differs(&doc))
        {
            doc.replication_seq += 1;
            for r in doc
                .replicas
                .iter_mut()
                .chain(doc.cross_account_replicas.iter_mut())
                .filter(|r| live(r))
            {
                r.status = doc::ReplicaStatus::InProgress;
                r.message = None;
            }
            self.replicate_after(&doc.uid);
        }
        debug_assert!(
            doc.check_invariants().is_ok(),
            "{:?}",
            doc.check_invariants()
        );
        let rev = self.rev()?;
        self.tx.secret_upsert(
            &crate::store::SecretRow {
                uid: doc.uid.clone(),
                name_hash: self.keys.name_hash(&doc.name).to_vec(),
                doc: self.keys.seal_doc(&doc),
                deletion_ms: doc.deletion_ms,
            },
            rev,
        )?;
        self.staged.push(Staged::Upsert(Box::new(doc)));
        Ok(())
    }

    pub fn purge(&mut self, uid: &str) -> Result<()> {
        let rev = self.rev()?;
        self.tx.secret_purge(uid, rev)?;
        self.staged.push(Staged::Remove(uid.to_string()));
        Ok(())
    }

    /// Marks the vault changed (for consoles watching `revision()`) without a secret write.
    pub fn touch(&mut self) -> Result<()> {
        self.rev().map(|_| ())
    }

    pub fn iam_changed(&mut self) -> Result<()> {
        self.rev()?;
        self.reload_iam = true;
        Ok(())
    }

    pub fn kms_changed(&mut self) -> Result<()> {
        self.rev()?;
        self.reload_kms = true;
        Ok(())
    }

    /// Seals and stores a version's value under the document's current KMS key.
    pub fn write_value(
        &mut self,
        doc: &SecretDoc,
        vid: &str,
        value: &crate::model::SecretValue,
    ) -> Result<()> {
        self.will_write()?;
        let (wrapped_dek, sealed) = self.kms.seal_value(&doc.uid, vid, &doc.kms_key_id, value)?;
        self.tx.version_put(
            &doc.uid,
            &self.keys.vid_hash(&doc.uid, vid),
            &crate::store::VersionRow {
                kms_key_id: doc.kms_key_id.clone(),
                wrapped_dek,
                value: sealed,
            },
        )?;
        // What the health report needs of the value, derived now, in this transaction.
        health::keep_facts(self.tx, self.keys, doc, vid, value).map(drop)
    }

    pub fn read_value(&self, doc: &SecretDoc, vid: &str) -> Result<crate::model::SecretValue> {
        open_value(self.tx, self.keys, self.kms, doc, vid)
    }

    pub fn delete_value(&mut self, doc: &SecretDoc, vid: &str) -> Result<()> {
        self.will_write()?;
        let h = self.keys.vid_hash(&doc.uid, vid);
        self.tx.version_delete(&doc.uid, &h)?;
        self.tx.value_facts_delete(&doc.uid, &h)
    }

    pub fn rewrap_value(&mut self, doc: &SecretDoc, vid: &str, to_key: &str) -> Result<()> {
        self.will_write()?;
        let h = self.keys.vid_hash(&doc.uid, vid);
        if let Some(row) = self.tx.version_get(&doc.uid, &h)? {
            if row.kms_key_id == to_key {
                return Ok(());
            }
            let w = self
                .kms
                .rewrap(&doc.uid, vid, &row.kms_key_id, to_key, &row.wrapped_dek)?;
            self.tx.version_rewrap(&doc.uid, &h, to_key, &w)?;
        }
        Ok(())
    }

    pub fn respond<T: Serialize>(&mut self, resp: &T) {
        self.audit.response = serde_json::to_value(resp).ok();
    }
}

/// A version's value, read from its row and opened with its KMS key.
pub(crate) fn open_value(
    tx: &Tx<'_>,
    keys: &VaultKeys,
    kms: &KmsRing,
    doc: &SecretDoc,
    vid: &str,
) -> Result<crate::model::SecretValue> {
    let row = tx
        .version_get(&doc.uid, &keys.vid_hash(&doc.uid, vid))?
        .ok_or_else(|| {
            Error::not_found(format!(
                "Secrets Manager can't find the specified secret value for VersionId: {vid}"
            ))
        })?;
    kms.open_value(&doc.uid, vid, &row.kms_key_id, &row.wrapped_dek, &row.value)
}

/// What AWS answers a write to a replica: `InvalidParameterException` (moto 5.2.5,
/// `moto/secretsmanager/exceptions.py`, `OperationNotPermittedOnReplica`, and AWS's own
/// answer quoted in gruntwork-io/cloud-nuke#435).
pub const NOT_PERMITTED_ON_REPLICA: &str =
    "Operation not permitted on a replica secret. Call must be made in primary secret's region.";

/// What Coffer answers a write to a cross-account replica. The code is the one AWS answers
/// for a regional replica (above); no source gives AWS's text for a cross-account one, so
/// the message is Coffer's (docs/AWS-FIDELITY.md, "Texts that are Coffer's").
pub const NOT_PERMITTED_ON_CROSS_ACCOUNT_REPLICA: &str = "Operation not permitted on a cross-account replica secret: it takes its versions from its primary secret. Call StopReplicationToReplica on it to make it a standalone secret.";

/// A replica takes writes from its primary only.
pub(crate) fn refuse_replica(doc: &SecretDoc) -> Result<()> {
    if doc.primary_region.is_some() {
        return Err(Error::invalid_parameter(NOT_PERMITTED_ON_REPLICA));
    }
    if doc.is_cross_account_replica() {
        return Err(Error::invalid_parameter(
            NOT_PERMITTED_ON_CROSS_ACCOUNT_REPLICA,
        ));
    }
    Ok(())
}

impl From<ErrorCode> for Error {
    fn from(code: ErrorCode) -> Self {
        Error::new(code, code.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretText;
    use crate::api::{CreateSecretRequest, GetSecretValueRequest};
    use crate::{FrontEnd, InitOptions};

    #[test]
    fn reads_in_a_group_are_each_audited_and_chained_and_reach_the_file_at_its_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        let mut opts = InitOptions::new("admin", Passphrase::new("group test".into()));
        opts.kdf = Some((19456, 2));
        let v = Vault::init(&path, opts).unwrap();
        let c = v.caller(FrontEnd::Endpoint);
        v.create_secret(
            &c,
            CreateSecretRequest {
                name: "app/db".into(),
                secret_string: Some(SecretText::new("s3cr3t".into())),
                ..Default::default()
            },
        )
        .unwrap();
        let read = |id: &str| {
            v.get_secret_value(
                &c,
                GetSecretValueRequest {
                    secret_id: id.into(),
                    ..Default::default()
                },
            )
        };
        // Another connection to the file: what a process that starts after a crash sees.
        let mut probe = Store::open(&path).unwrap();
        let mut on_file = || probe.read().unwrap().audit_count().unwrap();
        let before = on_file();

        v.begin_group().unwrap();
        assert_eq!(read("app/db").unwrap().name, "app/db");
        read("app/db").unwrap();
        // A read that fails is audited too, and rolls back alone.
        assert_eq!(
            read("missing").unwrap_err().code,
            ErrorCode::ResourceNotFound
        );
        assert_eq!(
            on_file(),
            before,
            "nothing reaches the file before the commit"
        );
        v.commit_group().unwrap();

        assert_eq!(on_file(), before + 3);
        let report = v.verify_audit_trail(&c).unwrap();
        assert!(report.intact, "{:?}", report.problem);
        assert_eq!(report.events_checked, before + 3);
        // Outside a group a read commits on its own again.
        let now = on_file();
        read("app/db").unwrap();
        assert_eq!(on_file(), now + 1);
    }
}
