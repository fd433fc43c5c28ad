//! The desktop console's commands as plain methods on [`Desktop`], one call into
//! `coffer-core` each, so that they run in tests without a window. [`crate::dispatch`] calls
//! them by name; the desktop app's `ipc.rs` exposes them to the page.
//!
//! **Why this file is long:** about 40% of it is its tests; the rest is the desktop's one-line
//! translations of commands into core calls.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use coffer_core::Passphrase;
use coffer_core::acts::Act;
use coffer_core::api::{
    CreateSecretRequest, DeleteSecretRequest, GetSecretValueRequest, PutSecretValueRequest,
    SecretIdRequest, TagResourceRequest, UntagResourceRequest, UpdateSecretRequest,
    UpdateSecretVersionStageRequest,
};
use coffer_core::background::{Job, Runner};
use coffer_core::model::Tag;
use coffer_core::vault::iam::CreateEntity;
use coffer_core::vault::policies::{PutResourcePolicyRequest, ValidateResourcePolicyRequest};
use coffer_core::vault::{RekeyMeter, RekeyStatus};
use coffer_core::{Caller, Error, FrontEnd, SecretText, SecretValue, Vault, said};
use zeroize::Zeroizing;

use crate::dto::*;

/// Seconds a copied value stays on the clipboard.
pub const CLIPBOARD_CLEAR_SECONDS: u32 = 30;

/// The app state: the vault file, and the vault once unlocked.
pub struct Desktop {
    path: PathBuf,
    idle_lock_seconds: u32,
    vault: Mutex<Option<Arc<Vault>>>,
    /// Who the audit says asked: `desktop` in the app, `session` in the session agent.
    front_end: FrontEnd,
    /// The core's background runner (rotations, replication retries, purges) while unlocked.
    background: Mutex<Option<Runner>>,
    /// The re-key under way (removing an operator, changing a passphrase), for the page's
    /// progress bar.
    rekey: Mutex<Option<RekeyStatus>>,
    /// Where else a re-key's steps go: in the session agent, to the desktop that asked.
    rekey_sink: Mutex<Option<RekeySink>>,
}

/// Something told each step of a re-key.
pub type RekeySink = Box<dyn FnMut(RekeyStatus) + Send>;

/// `$XDG_DATA_HOME/coffer/vault.db` (or the platform's data directory), as `coffer` uses.
pub fn default_vault_path() -> PathBuf {
    directories::BaseDirs::new()
        .map(|d| d.data_dir().join("coffer").join("vault.db"))
        .unwrap_or_else(|| PathBuf::from("coffer-vault.db"))
}

fn locked() -> IpcError {
    Error::invalid_request("The vault is locked.").into()
}

pub(crate) fn done(message: String) -> Done {
    Done { message }
}

/// The value of a version as text, or one key of a JSON object value.
fn value_text(value: &SecretValue, key: Option<&str>) -> Result<Zeroizing<String>, Error> {
    let Some(key) = key else {
        return Ok(value.text());
    };
    value
        .json_fields()
        .and_then(|f| f.into_iter().find(|(k, _)| k == key).map(|(_, v)| v))
        .ok_or_else(|| Error::invalid_parameter(format!("The value has no JSON key {key}.")))
}

/// Compares two values key by key, keys sorted, as the page shows it.
pub fn diff_rows(old: &SecretValue, new: &SecretValue) -> Vec<DiffRow> {
    coffer_core::model::diff_by_key(old, new)
        .into_iter()
        .map(|d| DiffRow {
            key: d.key,
            change: d.change,
            old: d.old.map(|v| v.to_string()),
            new: d.new.map(|v| v.to_string()),
        })
        .collect()
}

impl Desktop {
    pub fn new(path: PathBuf, idle_lock_seconds: u32) -> Self {
        Self {
            path,
            idle_lock_seconds,
            vault: Mutex::new(None),
            front_end: FrontEnd::Desktop,
            background: Mutex::new(None),
            rekey: Mutex::new(None),
            rekey_sink: Mutex::new(None),
        }
    }

    /// The session agent's desktop: the vault it unlocked, every command run as its
    /// operator with front end `session`. Its background runner starts when a console
    /// attaches ([`Desktop::start_background`]).
    pub fn serving(path: PathBuf, vault: Arc<Vault>) -> Self {
        Self {
            vault: Mutex::new(Some(vault)),
            front_end: FrontEnd::Session,
            ..Self::new(path, 0)
        }
    }

    /// Starts the core's background runner on the unlocked vault, unless one runs.
    pub fn start_background(&self) {
        let Some(v) = self.slot().clone() else { return };
        // Each pass's outcome is in the runner's status, which the Approvals screen polls.
        self.background()
            .get_or_insert_with(|| Runner::start(v, Box::new(|_, _| {})));
    }

    fn slot(&self) -> MutexGuard<'_, Option<Arc<Vault>>> {
        self.vault.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn background(&self) -> MutexGuard<'_, Option<Runner>> {
        self.background.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Tells `sink` (or, with `None`, no longer anything but the progress bar) each step of
    /// a re-key.
    pub fn report_rekeys_to(&self, sink: Option<RekeySink>) {
        *self.rekey_sink.lock().unwrap_or_else(|p| p.into_inner()) = sink;
    }

    /// Runs the rotations now (after a rotation was asked for or approved).
    pub fn kick_rotations(&self) {
        if let Some(r) = self.background().as_ref() {
            r.kick(Job::Rotations);
        }
    }

    /// The unlocked vault and the operator as a desktop caller.
    pub(crate) fn open(&self) -> IpcResult<(Arc<Vault>, Caller)> {
        let v = self.slot().clone().ok_or_else(locked)?;
        let c = v.caller(self.front_end);
        Ok((v, c))
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub fn status(&self) -> VaultStatus {
        let summary = Vault::inspect(&self.path).ok();
        let session = self.slot().as_ref().map(|v| {
            let i = v.info();
            Session {
                operator: i.operator.clone(),
                principal_arn: v.caller(self.front_end).principal_arn,
                account_id: i.account_id.clone(),
                region: i.region.clone(),
            }
        });
        VaultStatus {
            path: self.path.display().to_string(),
            exists: self.path.exists(),
            account_id: summary.as_ref().map(|s| s.account_id.clone()),
            region: summary.as_ref().map(|s| s.region.clone()),
            operators: summary.map(|s| s.operators).unwrap_or_default(),
            session,
            through_session: false,
            notice: None,
            idle_lock_seconds: self.idle_lock_seconds,
            clipboard_clear_seconds: CLIPBOARD_CLEAR_SECONDS,
        }
    }

    /// The vault's session agent and endpoints running now (for the header), wherever the
    /// desktop stands (locked or not).
    pub fn running(&self) -> Vec<coffer_core::running::Running> {
        coffer_core::running::running(&self.path)
    }

    pub fn unlock(
        &self,
        operator: Option<String>,
        passphrase: Passphrase,
    ) -> IpcResult<VaultStatus> {
        let operator = operator.filter(|o| !o.trim().is_empty());
        let v = Arc::new(Vault::open(&self.path, operator.as_deref(), &passphrase)?);
        *self.slot() = Some(v);
        self.start_background();
        Ok(self.status())
    }

    /// Forgets the vault (the app clears a value it copied).
    pub fn lock(&self) {
        *self.background() = None;
        *self.slot() = None;
    }

    /// The vault's revision (it changes whenever any process changes the vault), or null
    /// when locked.
    pub fn revision(&self) -> IpcResult<Option<i64>> {
        let v = self.slot().clone();
        match v {
            Some(v) => Ok(Some(v.revision()?)),
            None => Ok(None),
        }
    }

    pub fn query_secrets(&self, q: &SecretQuery) -> IpcResult<SecretPage> {
        let (v, c) = self.open()?;
        Ok(v.query_secrets(&c, q)?)
    }

    /// The name-sorted list as runs of rows sharing a prefix (for "group by prefix").
    pub fn secret_groups(&self, q: &SecretQuery) -> IpcResult<Vec<PrefixRun>> {
        let (v, c) = self.open()?;
        Ok(v.query_prefix_runs(&c, q)?)
    }

    /// A secret and its versions: a view, not a read of any value.
    pub fn secret_detail(&self, arn: &str) -> IpcResult<SecretView> {
        let (v, c) = self.open()?;
        Ok(v.secret_view(&c, arn)?)
    }

    fn read_value(&self, arn: &str, version_id: &str) -> IpcResult<(Vec<String>, SecretValue)> {
        let (v, c) = self.open()?;
        let r = v.get_secret_value(
            &c,
            GetSecretValueRequest {
                secret_id: arn.to_string(),
                version_id: Some(version_id.to_string()),
                version_stage: None,
            },
        )?;
        Ok((r.version_stages, r.value))
    }

    /// The operator reveals a version's value: an audited GetSecretValue.
    pub fn reveal_value(&self, arn: &str, version_id: &str) -> IpcResult<RevealedValue> {
        let (stages, value) = self.read_value(arn, version_id)?;
        Ok(RevealedValue {
            version_id: version_id.to_string(),
            stages,
            binary: matches!(value, SecretValue::Binary(_)),
            text: value_text(&value, None)?.to_string(),
        })
    }

    /// A version's value (or one JSON key of it) for the app to put on its clipboard, never
    /// on the page; an audited read. The app clears it after [`CLIPBOARD_CLEAR_SECONDS`] if
    /// the clipboard still holds it, and at lock.
    pub fn copy_text(
        &self,
        arn: &str,
        version_id: &str,
        key: Option<&str>,
    ) -> IpcResult<Zeroizing<String>> {
        let (_, value) = self.read_value(arn, version_id)?;
        Ok(value_text(&value, key)?)
    }

    /// Both versions' values compared key by key (two audited reads).
    pub fn diff_versions(&self, arn: &str, old: &str, new: &str) -> IpcResult<Vec<DiffRow>> {
        let (_, a) = self.read_value(arn, old)?;
        let (_, b) = self.read_value(arn, new)?;
        Ok(diff_rows(&a, &b))
    }

    pub fn create_secret(&self, input: CreateSecretInput) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.create_secret(
            &c,
            CreateSecretRequest {
                name: input.name,
                description: input.description.filter(|d| !d.is_empty()),
                secret_string: input.value.map(SecretText::new),
                tags: input.tags,
                secret_type: input.secret_type.filter(|t| !t.is_empty()),
                ..Default::default()
            },
        )?;
        Ok(done(said::created(&r.name)))
    }

    /// A new value, which becomes AWSCURRENT.
    pub fn put_value(&self, arn: &str, value: String) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.put_secret_value(
            &c,
            PutSecretValueRequest {
                secret_id: arn.to_string(),
                secret_string: Some(SecretText::new(value)),
                ..Default::default()
            },
        )?;
        Ok(done(said::put_value(&r.name, &r.version_id)))
    }

    /// A generated value (GetRandomPassword), put as the new AWSCURRENT.
    pub fn put_generated_value(&self, arn: &str) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        Ok(done(v.put_generated_value(&c, arn)?))
    }

    pub fn update_description(&self, arn: &str, description: String) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.update_secret(
            &c,
            UpdateSecretRequest {
                secret_id: arn.to_string(),
                description: Some(description),
                ..Default::default()
            },
        )?;
        Ok(done(said::updated_description(&r.name)))
    }

    /// Sets the `Type` of a managed external secret (the partner holding it).
    pub fn update_type(&self, arn: &str, secret_type: String) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.update_secret(
            &c,
            UpdateSecretRequest {
                secret_id: arn.to_string(),
                secret_type: Some(secret_type),
                ..Default::default()
            },
        )?;
        Ok(done(said::updated_type(&r.name)))
    }

    /// Moves a staging label to a version (`from` names its current holder, if any). Rolling
    /// back is moving AWSCURRENT to the AWSPREVIOUS version.
    pub fn move_label(
        &self,
        arn: &str,
        label: &str,
        to: &str,
        from: Option<String>,
    ) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.update_secret_version_stage(
            &c,
            UpdateSecretVersionStageRequest {
                secret_id: arn.to_string(),
                version_stage: label.to_string(),
                remove_from_version_id: from,
                move_to_version_id: Some(to.to_string()),
            },
        )?;
        Ok(done(said::moved_label(label, &r.name, to)))
    }

    /// One of the core's vault-wide acts, confirmed in the palette.
    pub fn perform(&self, act: Act) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        Ok(done(v.perform(&c, act)?))
    }

    pub fn schedule_deletion(&self, arn: &str, days: i64) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.delete_secret(
            &c,
            DeleteSecretRequest {
                secret_id: arn.to_string(),
                recovery_window_in_days: Some(days),
                force_delete_without_recovery: None,
            },
        )?;
        Ok(done(format!(
            "{} is scheduled for deletion in {days} days.",
            r.name
        )))
    }

    /// Deletes at once, without recovery; the page asks for the name typed first, and so
    /// does this: `typed_name` must be the secret's name.
    pub fn delete_now(&self, arn: &str, typed_name: &str) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let name = v.secret_view(&c, arn)?.secret.name;
        if name != typed_name {
            return Err(Error::invalid_parameter(
                "The typed name does not match the secret's name.",
            )
            .into());
        }
        let r = v.delete_secret(
            &c,
            DeleteSecretRequest {
                secret_id: arn.to_string(),
                recovery_window_in_days: None,
                force_delete_without_recovery: Some(true),
            },
        )?;
        Ok(done(said::deleted_for_good(&r.name)))
    }

    pub fn restore_secret(&self, arn: &str) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.restore_secret(
            &c,
            SecretIdRequest {
                secret_id: arn.to_string(),
            },
        )?;
        Ok(done(said::restored(&r.name)))
    }

    pub fn tag_secret(&self, arn: &str, key: String, value: String) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        v.tag_resource(
            &c,
            TagResourceRequest {
                secret_id: arn.to_string(),
                tags: vec![Tag {
                    key: key.clone(),
                    value,
                }],
            },
        )?;
        Ok(done(said::tagged(&key)))
    }

    pub fn untag_secret(&self, arn: &str, key: String) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        v.untag_resource(
            &c,
            UntagResourceRequest {
                secret_id: arn.to_string(),
                tag_keys: vec![key.clone()],
            },
        )?;
        Ok(done(format!("Removed the tag {key}.")))
    }

    pub fn get_policy(&self, arn: &str) -> IpcResult<PolicyView> {
        let (v, c) = self.open()?;
        Ok(v.policy_view(&c, arn)?)
    }

    pub fn validate_policy(&self, arn: &str, policy: String) -> IpcResult<ValidationReport> {
        let (v, c) = self.open()?;
        Ok(v.validate_resource_policy(
            &c,
            ValidateResourcePolicyRequest {
                secret_id: Some(arn.to_string()),
                resource_policy: policy,
            },
        )?)
    }

    pub fn put_policy(&self, arn: &str, policy: String, block_public: bool) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.put_resource_policy(
            &c,
            PutResourcePolicyRequest {
                secret_id: arn.to_string(),
                resource_policy: policy,
                block_public_policy: Some(block_public),
                policy_name: None,
            },
        )?;
        Ok(done(said::saved_resource_policy(&r.name)))
    }

    pub fn delete_policy(&self, arn: &str) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.delete_resource_policy(
            &c,
            SecretIdRequest {
                secret_id: arn.to_string(),
            },
        )?;
        Ok(done(said::deleted_resource_policy(&r.name)))
    }

    pub fn effective_access(&self, arn: &str) -> IpcResult<EffectiveAccess> {
        let (v, c) = self.open()?;
        Ok(v.get_effective_access(
            &c,
            SecretIdRequest {
                secret_id: arn.to_string(),
            },
        )?)
    }

    pub fn query_audit(&self, q: &AuditQuery) -> IpcResult<AuditPage> {
        let (v, c) = self.open()?;
        Ok(v.query_audit(&c, q)?)
    }

    /// The audit chain check, with the vault's latest anchor.
    pub fn verify_audit(&self) -> IpcResult<VerifyReport> {
        let (v, c) = self.open()?;
        Ok(v.verify_audit_trail(&c)?)
    }

    /// Operators, then users, roles, groups and customer managed policies.
    pub fn principals(&self) -> IpcResult<Vec<PrincipalRow>> {
        let (v, c) = self.open()?;
        Ok(v.list_principals(&c)?.rows())
    }

    /// Creates a user, role (with its trust policy), group or managed policy (with its document).
    pub fn create_principal(
        &self,
        kind: PrincipalKind,
        name: String,
        document: Option<String>,
    ) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let mut e = CreateEntity::new(kind.entity(), name);
        e.document = document.filter(|d| !d.trim().is_empty());
        let made = v.iam_create(&c, e)?;
        Ok(done(said::created(&made.arn)))
    }

    pub fn delete_principal(&self, kind: PrincipalKind, name: &str) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        v.iam_delete(&c, kind.entity(), name)?;
        Ok(done(format!("Deleted {name}.")))
    }

    /// Attaches (or detaches) a managed policy to a user, operator, role or group.
    pub fn attach_policy(
        &self,
        kind: PrincipalKind,
        name: &str,
        policy_arn: &str,
        attach: bool,
    ) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        v.iam_attach_policy(&c, kind.entity(), name, policy_arn, attach)?;
        Ok(done(said::attached(policy_arn, name, attach)))
    }

    /// A new access key for a user, operator or role; its secret crosses this once.
    pub fn create_access_key(&self, kind: PrincipalKind, name: &str) -> IpcResult<NewAccessKey> {
        let (v, c) = self.open()?;
        let r = v.iam_create_access_key(&c, kind.entity(), name)?;
        Ok(NewAccessKey {
            access_key_id: r.metadata.access_key_id,
            secret_access_key: r.secret_access_key.expose().to_string(),
        })
    }

    /// Activates (`Some(true)`), deactivates (`Some(false)`) or deletes (`None`) an access key.
    pub fn update_access_key(&self, id: &str, active: Option<bool>) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        v.iam_update_access_key(&c, id, active)?;
        Ok(done(said::access_key(id, active)))
    }

    /// A principal's inline and attached policies and access keys (active first).
    pub fn principal_detail(
        &self,
        kind: PrincipalKind,
        name: &str,
    ) -> IpcResult<PrincipalPolicies> {
        let (v, c) = self.open()?;
        Ok(v.principal_policies(&c, kind.entity(), name)?)
    }

    /// Gives another person a key slot of their own (their passphrase, their IAM user).
    pub fn add_operator(&self, name: &str, passphrase: Passphrase) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let o = v.add_operator(&c, name, &passphrase, None)?;
        Ok(done(said::added_operator(&o.operator_name)))
    }

    /// Removes an operator's key slot; the vault is re-keyed without anyone's passphrase.
    pub fn remove_operator(&self, name: &str) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        self.rekeying(|progress| v.remove_operator_reporting(&c, name, progress))?;
        Ok(done(said::removed_operator(name)))
    }

    /// Changes the unlocked operator's own passphrase; the vault is re-keyed.
    pub fn change_passphrase(&self, old: Passphrase, new: Passphrase) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        self.rekeying(|progress| v.change_passphrase_reporting(&c, &old, &new, None, progress))?;
        Ok(done(
            "Changed your passphrase; the vault was re-keyed.".to_string(),
        ))
    }

    /// Where the re-key under way is (`None`: none is).
    pub fn rekey_progress(&self) -> Option<RekeyView> {
        self.rekey
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(RekeyView::from)
    }

    /// Runs a re-keying act, keeping its progress where `rekey_progress` reads it.
    fn rekeying(
        &self,
        act: impl FnOnce(coffer_core::vault::RekeyProgress<'_>) -> coffer_core::Result<()>,
    ) -> coffer_core::Result<()> {
        let mut meter = RekeyMeter::default();
        let mut report = |phase, d, t| {
            if let Some(s) = meter.step(phase, d, t) {
                *self.rekey.lock().unwrap_or_else(|p| p.into_inner()) = Some(s);
                if let Some(sink) = self
                    .rekey_sink
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .as_mut()
                {
                    sink(s);
                }
            }
        };
        let r = act(&mut report);
        *self.rekey.lock().unwrap_or_else(|p| p.into_inner()) = None;
        r
    }

    /// An inline policy's document.
    pub fn inline_policy(
        &self,
        kind: PrincipalKind,
        name: &str,
        policy_name: &str,
    ) -> IpcResult<String> {
        let (v, c) = self.open()?;
        Ok(v.iam_get_inline_policy(&c, kind.entity(), name, policy_name)?)
    }

    /// Puts (creates or replaces) an inline policy on a user, operator, role or group.
    pub fn put_inline_policy(
        &self,
        kind: PrincipalKind,
        name: &str,
        policy_name: &str,
        document: &str,
    ) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        v.iam_put_inline_policy(&c, kind.entity(), name, policy_name, document)?;
        Ok(done(format!(
            "Saved the inline policy {policy_name} of {name}."
        )))
    }

    pub fn delete_inline_policy(
        &self,
        kind: PrincipalKind,
        name: &str,
        policy_name: &str,
    ) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        v.iam_delete_inline_policy(&c, kind.entity(), name, policy_name)?;
        Ok(done(said::deleted_inline_policy(policy_name, name)))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use coffer_core::InitOptions;
    use coffer_core::KdfParams;

    use coffer_core::model::Change;
    pub(crate) const PASS: &str = "correct horse battery staple";

    /// A vault with a few secrets, made with the cheapest KDF the core accepts.
    pub(crate) fn desktop() -> (tempfile::TempDir, Desktop) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        let mut opts = InitOptions::new("admin", Passphrase::new(PASS.into()));
        opts.kdf = Some((KdfParams::MIN_MEMORY_KIB, KdfParams::MIN_ITERATIONS));
        let v = Vault::init(&path, opts).unwrap();
        let c = v.caller(FrontEnd::Cli);
        for (name, value) in [
            ("prod/db", r#"{"user":"app","password":"one"}"#),
            ("prod/api", "token-1"),
            ("dev/db", r#"{"user":"dev","password":"x"}"#),
        ] {
            v.create_secret(
                &c,
                CreateSecretRequest {
                    name: name.into(),
                    description: Some(format!("the {name} secret")),
                    secret_string: Some(SecretText::new(value.into())),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        drop(v);
        let d = Desktop::new(path, 300);
        (dir, d)
    }

    pub(crate) fn unlocked() -> (tempfile::TempDir, Desktop) {
        let (dir, d) = desktop();
        d.unlock(None, Passphrase::new(PASS.into())).unwrap();
        (dir, d)
    }

    pub(crate) fn arn_of(d: &Desktop, name: &str) -> String {
        let page = d
            .query_secrets(&SecretQuery {
                text: name.into(),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        page.rows.into_iter().find(|r| r.name == name).unwrap().arn
    }

    pub(crate) fn events(d: &Desktop, arn: &str) -> Vec<String> {
        d.query_audit(&AuditQuery {
            secret_id: Some(arn.into()),
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .events
        .into_iter()
        .map(|e| e.event_name)
        .collect()
    }

    #[test]
    fn every_command_refuses_with_an_aws_code_while_locked() {
        let (_dir, d) = desktop();
        let e = d.query_secrets(&SecretQuery::default()).unwrap_err();
        assert_eq!(e.code, "InvalidRequestException");
        assert_eq!(d.revision().unwrap(), None);
        assert!(d.status().session.is_none());
        assert_eq!(d.status().operators, vec!["admin".to_string()]);
    }

    #[test]
    fn a_wrong_passphrase_is_an_error_with_a_code_and_no_session() {
        let (_dir, d) = desktop();
        let e = d
            .unlock(None, Passphrase::new("wrong passphrase".into()))
            .unwrap_err();
        assert!(!e.code.is_empty());
        assert!(!e.message.contains("wrong passphrase"));
        assert!(d.status().session.is_none());
    }

    #[test]
    fn the_table_gets_one_filtered_sorted_page_and_the_total() {
        let (_dir, d) = unlocked();
        let page = d
            .query_secrets(&SecretQuery {
                text: "prod".into(),
                sort_by: SortBy::Name,
                offset: 0,
                limit: 1,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.total, 2);
        assert_eq!(page.rows.len(), 1);
        assert_eq!(page.rows[0].name, "prod/api");
        let desc = d
            .query_secrets(&SecretQuery {
                sort_by: SortBy::Name,
                descending: true,
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        let names: Vec<_> = desc.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["prod/db", "prod/api", "dev/db"]);
    }

    #[test]
    fn groups_are_runs_of_the_name_sorted_list_by_prefix() {
        let (_dir, d) = unlocked();
        let runs = d.secret_groups(&SecretQuery::default()).unwrap();
        assert_eq!(
            runs,
            vec![
                PrefixRun {
                    prefix: Some("dev/".into()),
                    start: 0,
                    count: 1
                },
                PrefixRun {
                    prefix: Some("prod/".into()),
                    start: 1,
                    count: 2
                },
            ]
        );
    }

    #[test]
    fn opening_a_secret_reads_no_value_and_revealing_one_is_an_audited_read() {
        let (_dir, d) = unlocked();
        let arn = arn_of(&d, "prod/db");
        let detail = d.secret_detail(&arn).unwrap();
        assert_eq!(detail.versions.len(), 1);
        assert!(!events(&d, &arn).contains(&"GetSecretValue".to_string()));
        let vid = detail.versions[0].version_id.clone();
        let shown = d.reveal_value(&arn, &vid).unwrap();
        assert_eq!(shown.text, r#"{"user":"app","password":"one"}"#);
        assert!(!format!("{shown:?}").contains("one\""));
        assert_eq!(events(&d, &arn)[0], "GetSecretValue");
    }

    #[test]
    fn moving_a_label_then_rolling_back_puts_awscurrent_on_the_previous_version() {
        let (_dir, d) = unlocked();
        let arn = arn_of(&d, "prod/db");
        d.put_value(&arn, r#"{"user":"app","password":"two"}"#.into())
            .unwrap();
        let det = d.secret_detail(&arn).unwrap();
        let holder = |det: &SecretView, l: &str| {
            det.versions
                .iter()
                .find(|v| v.version_stages.iter().any(|s| s == l))
                .map(|v| v.version_id.clone())
                .unwrap()
        };
        let (cur, prev) = (holder(&det, "AWSCURRENT"), holder(&det, "AWSPREVIOUS"));
        let diff = d.diff_versions(&arn, &prev, &cur).unwrap();
        let pw = diff.iter().find(|r| r.key == "password").unwrap();
        assert_eq!(pw.change, Change::Changed);
        assert_eq!(
            (pw.old.as_deref(), pw.new.as_deref()),
            (Some("one"), Some("two"))
        );
        d.move_label(&arn, "AWSCURRENT", &prev, Some(cur.clone()))
            .unwrap();
        let after = d.secret_detail(&arn).unwrap();
        assert_eq!(holder(&after, "AWSCURRENT"), prev);
        assert_eq!(holder(&after, "AWSPREVIOUS"), cur);
        assert_eq!(events(&d, &arn)[0], "UpdateSecretVersionStage");
    }

    #[test]
    fn a_scheduled_deletion_shows_on_the_schedule_and_restoring_it_brings_it_back() {
        let (_dir, d) = unlocked();
        let arn = arn_of(&d, "dev/db");
        d.schedule_deletion(&arn, 7).unwrap();
        let scheduled = d
            .query_secrets(&SecretQuery {
                only_deleted: true,
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(scheduled.total, 1);
        assert!(scheduled.rows[0].deletion_date.is_some());
        let visible = d.query_secrets(&SecretQuery::default()).unwrap();
        assert_eq!(visible.total, 2);
        d.restore_secret(&arn).unwrap();
        assert_eq!(d.query_secrets(&SecretQuery::default()).unwrap().total, 3);
    }

    #[test]
    fn delete_now_needs_the_secrets_name_typed() {
        let (_dir, d) = unlocked();
        let arn = arn_of(&d, "dev/db");
        let e = d.delete_now(&arn, "dev/d").unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        d.delete_now(&arn, "dev/db").unwrap();
        assert_eq!(
            d.secret_detail(&arn).unwrap_err().code,
            "ResourceNotFoundException"
        );
    }

    #[test]
    fn tags_and_descriptions_change_through_the_commands() {
        let (_dir, d) = unlocked();
        let arn = arn_of(&d, "prod/api");
        d.tag_secret(&arn, "team".into(), "payments".into())
            .unwrap();
        d.update_description(&arn, "the API token".into()).unwrap();
        d.update_type(&arn, "SalesforceClientSecret".into())
            .unwrap();
        assert_eq!(
            d.secret_detail(&arn).unwrap().secret.secret_type.as_deref(),
            Some("SalesforceClientSecret")
        );
        let det = d.secret_detail(&arn).unwrap();
        assert_eq!(det.secret.description.as_deref(), Some("the API token"));
        assert_eq!(det.secret.tag_list()[0].key, "team");
        d.untag_secret(&arn, "team".into()).unwrap();
        assert!(d.secret_detail(&arn).unwrap().secret.tag_list().is_empty());
        let e = d
            .tag_secret(&arn, "aws:reserved".into(), "x".into())
            .unwrap_err();
        assert!(e.code.ends_with("Exception"), "{e:?}");
    }

    #[test]
    fn a_policy_is_validated_saved_and_deleted() {
        let (_dir, d) = unlocked();
        let arn = arn_of(&d, "prod/db");
        assert!(d.get_policy(&arn).unwrap().policy.is_none());
        let bad = d.validate_policy(&arn, "{".into());
        assert!(bad.is_err() || !bad.unwrap().policy_validation_passed);
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"secretsmanager:DeleteSecret","Resource":"*"}]}"#;
        assert!(
            d.validate_policy(&arn, policy.into())
                .unwrap()
                .policy_validation_passed
        );
        d.put_policy(&arn, policy.into(), true).unwrap();
        assert_eq!(d.get_policy(&arn).unwrap().policy.as_deref(), Some(policy));
        let access = d.effective_access(&arn).unwrap();
        let admin = access
            .principals
            .iter()
            .find(|p| p.principal_arn.ends_with("user/admin"))
            .unwrap();
        let delete = admin
            .decisions
            .iter()
            .find(|a| a.action == "secretsmanager:DeleteSecret")
            .unwrap();
        assert_eq!(delete.decision, "explicitDeny");
        assert!(delete.statements.iter().any(|s| s.effect == "Deny"));
        d.delete_policy(&arn).unwrap();
        assert!(d.get_policy(&arn).unwrap().policy.is_none());
    }

    #[test]
    fn the_audit_log_pages_and_its_chain_verifies() {
        let (_dir, d) = unlocked();
        let page = d
            .query_audit(&AuditQuery {
                limit: 2,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.events.len(), 2);
        assert!(page.total_events >= 3);
        assert!(page.events[0].sequence > page.events[1].sequence);
        let chain = d.verify_audit().unwrap();
        assert!(chain.intact);
        assert!(chain.events_checked >= 3);
    }

    #[test]
    fn principals_list_the_operator_with_its_policies() {
        let (_dir, d) = unlocked();
        let all = d.principals().unwrap();
        let admin = all
            .iter()
            .find(|p| p.kind == PrincipalKind::Operator)
            .unwrap();
        assert_eq!(admin.name, "admin");
        let detail = d
            .principal_detail(PrincipalKind::Operator, "admin")
            .unwrap();
        assert!(
            detail
                .attached
                .iter()
                .any(|p| p.ends_with("AdministratorAccess"))
        );
    }

    #[test]
    fn a_user_gets_a_policy_and_an_access_key_that_can_be_deactivated_and_deleted() {
        let (_dir, d) = unlocked();
        d.create_principal(PrincipalKind::User, "app1".into(), None)
            .unwrap();
        let arn = "arn:aws:iam::aws:policy/SecretsManagerReadWrite";
        d.attach_policy(PrincipalKind::User, "app1", arn, true)
            .unwrap();
        let key = d.create_access_key(PrincipalKind::User, "app1").unwrap();
        assert!(!key.secret_access_key.is_empty());
        assert!(!format!("{key:?}").contains(&key.secret_access_key));
        let detail = d.principal_detail(PrincipalKind::User, "app1").unwrap();
        assert_eq!(detail.attached, vec![arn.to_string()]);
        assert!(detail.access_keys[0].is_active());
        d.update_access_key(&key.access_key_id, Some(false))
            .unwrap();
        let detail = d.principal_detail(PrincipalKind::User, "app1").unwrap();
        assert!(!detail.access_keys[0].is_active());
        d.update_access_key(&key.access_key_id, None).unwrap();
        d.attach_policy(PrincipalKind::User, "app1", arn, false)
            .unwrap();
        d.delete_principal(PrincipalKind::User, "app1").unwrap();
        assert!(!d.principals().unwrap().iter().any(|p| p.name == "app1"));
        let e = d
            .delete_principal(PrincipalKind::User, "admin")
            .unwrap_err();
        assert!(!e.code.is_empty());
    }

    #[test]
    fn another_process_writing_changes_the_revision() {
        let (_dir, d) = unlocked();
        let before = d.revision().unwrap().unwrap();
        let other =
            Vault::open(d.path(), None, &Passphrase::new(PASS.into())).expect("second opener");
        other
            .create_secret(
                &other.caller(FrontEnd::Cli),
                CreateSecretRequest {
                    name: "from/elsewhere".into(),
                    secret_string: Some(SecretText::new("v".into())),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_ne!(d.revision().unwrap().unwrap(), before);
        assert_eq!(d.query_secrets(&SecretQuery::default()).unwrap().total, 4);
    }

    #[test]
    fn locking_forgets_the_vault() {
        let (_dir, d) = unlocked();
        d.lock();
        assert!(d.status().session.is_none());
        assert_eq!(
            d.secret_detail("prod/db").unwrap_err().code,
            "InvalidRequestException"
        );
    }

    #[test]
    fn a_created_secret_has_its_value_description_and_tags() {
        let (_dir, d) = unlocked();
        d.create_secret(CreateSecretInput {
            name: "new/one".into(),
            description: Some("fresh".into()),
            value: Some("s3cret".into()),
            tags: vec![Tag {
                key: "env".into(),
                value: "test".into(),
            }],
            secret_type: Some("DatadogApiKey".into()),
        })
        .unwrap();
        let arn = arn_of(&d, "new/one");
        let det = d.secret_detail(&arn).unwrap();
        assert_eq!(det.secret.description.as_deref(), Some("fresh"));
        assert_eq!(det.secret.secret_type.as_deref(), Some("DatadogApiKey"));
        assert_eq!(det.secret.tag_list().len(), 1);
        assert_eq!(
            det.versions[0].version_stages,
            vec!["AWSCURRENT".to_string()]
        );
        let dup = d
            .create_secret(CreateSecretInput {
                name: "new/one".into(),
                description: None,
                value: None,
                tags: vec![],
                secret_type: None,
            })
            .unwrap_err();
        assert_eq!(dup.code, "ResourceExistsException");
    }

    #[test]
    fn an_error_crosses_ipc_as_code_and_message() {
        let e: IpcError = Error::invalid_parameter("bad").into();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "InvalidParameterException", "message": "bad"})
        );
    }

    #[test]
    fn an_operator_added_here_unlocks_with_their_own_passphrase_and_can_be_removed() {
        let (_dir, d) = unlocked();
        d.add_operator("bob", Passphrase::new("bob's long passphrase".into()))
            .unwrap();
        assert!(
            d.principals()
                .unwrap()
                .iter()
                .any(|p| p.kind == PrincipalKind::Operator && p.name == "bob")
        );
        d.lock();
        let s = d
            .unlock(
                Some("bob".into()),
                Passphrase::new("bob's long passphrase".into()),
            )
            .unwrap();
        assert_eq!(s.session.unwrap().operator, "bob");
        d.lock();
        d.unlock(Some("admin".into()), Passphrase::new(PASS.into()))
            .unwrap();
        d.remove_operator("bob").unwrap();
        assert_eq!(d.status().operators, vec!["admin".to_string()]);
        let e = d.remove_operator("admin").unwrap_err();
        assert!(e.code.ends_with("Exception"), "{e:?}");
    }

    #[test]
    fn an_inline_policy_is_put_read_back_and_deleted() {
        let (_dir, d) = unlocked();
        d.create_principal(PrincipalKind::User, "ci".into(), None)
            .unwrap();
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
        let e = d
            .put_inline_policy(PrincipalKind::User, "ci", "read", "{")
            .unwrap_err();
        assert!(e.code.ends_with("Exception"), "{e:?}");
        d.put_inline_policy(PrincipalKind::User, "ci", "read", doc)
            .unwrap();
        let detail = d.principal_detail(PrincipalKind::User, "ci").unwrap();
        assert_eq!(detail.inline, vec!["read".to_string()]);
        assert_eq!(
            d.inline_policy(PrincipalKind::User, "ci", "read").unwrap(),
            doc
        );
        d.delete_inline_policy(PrincipalKind::User, "ci", "read")
            .unwrap();
        let e = d
            .inline_policy(PrincipalKind::User, "ci", "read")
            .unwrap_err();
        assert_eq!(e.code, "NoSuchEntity");
    }

    #[test]
    fn the_committed_typescript_bindings_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
        let fresh = crate::dto::typescript();
        if std::env::var_os("COFFER_UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/bindings.ts is stale: run COFFER_UPDATE_BINDINGS=1 cargo nextest run --workspace -E 'test(bindings)'"
        );
    }
}
