//! Rotation through the one door: RotateSecret and CancelRotateSecret, rotation functions,
//! the approval queue, the history, and the engine's own transitions of an attempt (each a
//! transaction that is audited like any request).
//!
//! **Why this file is long:** RotateSecret, CancelRotateSecret, the rotation functions, the
//! approval queue, the history and the engine's own transitions all read and write the same
//! attempt record; kept together so the attempt's life is read in one place.

use serde::{Deserialize, Serialize};

use super::doc::{RotationDoc, SecretDoc, VersionDoc};
use super::{Caller, Ctx, FrontEnd, Vault};
use crate::Operation;
use crate::api::{
    CancelRotateSecretResponse, GetRandomPasswordRequest, RotateSecretRequest,
    RotateSecretResponse, SecretIdRequest,
};
use crate::crypto::{self, Aad, random};
use crate::model::{AWSCURRENT, AWSPENDING};
use crate::rotation::schedule::Schedule;
use crate::rotation::{Step, StepOutput};
use crate::store::AttemptRow;
use crate::{Error, Result};

/// Where an attempt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AttemptStatus {
    AwaitingApproval,
    Running,
    Failed,
    Succeeded,
    Rejected,
    Cancelled,
}

impl AttemptStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingApproval => "awaiting-approval",
            Self::Running => "running",
            Self::Failed => "failed",
            Self::Succeeded => "succeeded",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the attempt still holds the secret's rotation (a new one is refused).
    pub const fn is_unfinished(self) -> bool {
        matches!(self, Self::AwaitingApproval | Self::Running | Self::Failed)
    }

    const UNFINISHED: [&'static str; 3] = ["awaiting-approval", "running", "failed"];
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum StepOutcome {
    /// Started and not yet ended (or the process running it died; see `Interrupted`).
    Running,
    Succeeded,
    Failed,
    /// The process running it stopped before it ended; the step runs again.
    Interrupted,
}

/// One run of one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(rename_all = "PascalCase")]
pub struct StepRecord {
    pub step: Step,
    /// Which try of the attempt this run belongs to (1 for the first).
    pub try_number: u32,
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub started_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    pub duration_ms: Option<i64>,
    pub outcome: StepOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub log: Vec<String>,
}

/// An operator's decision on an attempt that waited for approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(rename_all = "PascalCase")]
pub struct Decision {
    pub approved: bool,
    pub by: String,
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One rotation attempt: a persisted state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(rename_all = "PascalCase")]
pub struct RotationAttempt {
    pub id: String,
    #[serde(skip)]
    pub secret_uid: String,
    /// The secret's name and ARN as they are now (filled in when read).
    #[serde(default)]
    pub secret_name: String,
    #[serde(default, rename = "SecretARN")]
    pub secret_arn: String,
    /// The new version's id (`ClientRequestToken` of every step).
    pub token: String,
    #[serde(rename = "RotationLambdaARN")]
    pub function_arn: String,
    /// `RotateSecret` (someone asked) or `Schedule`.
    pub trigger: String,
    pub requested_by: String,
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub requested_ms: i64,
    pub require_approval: bool,
    pub two_person_rule: bool,
    /// Who the attempt acts for: the requester, or for a scheduled rotation whoever
    /// configured it (`None` for attempts made before Coffer recorded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<Requester>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    pub status: AttemptStatus,
    /// The step to run next (`None` once the attempt has ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<Step>,
    pub tries: u32,
    #[serde(default)]
    pub steps: Vec<StepRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    pub finished_ms: Option<i64>,
    /// When a failed attempt is tried again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    pub retry_ms: Option<i64>,
}

impl RotationAttempt {
    /// Whether the operator `principal_arn` (a console's caller) may approve or reject this
    /// attempt as far as the two-person rule goes: not when they asked for it, under any of
    /// the principals they can act as. (Permission is the policy's to answer; the vault
    /// checks every person behind the decider, see `waiting`.)
    pub fn may_decide(&self, principal_arn: &str) -> bool {
        !(self.two_person_rule && self.asked_by(&[principal_arn.to_string()]))
    }

    /// Whether one of `people` (user ARNs of operators) asked for this attempt.
    fn asked_by(&self, people: &[String]) -> bool {
        people.iter().any(|p| {
            *p == self.requested_by
                || self
                    .asker()
                    .is_some_and(|r| r.principal_arn == *p || r.people.contains(p))
        })
    }

    /// Who asked for the attempt, as the two-person rule sees it: the requester with the
    /// people behind them. A scheduled attempt was asked for by its schedule, not by a
    /// person: whoever configured it may decide on it (it still acts for them).
    fn asker(&self) -> Option<&Requester> {
        self.on_behalf_of
            .as_ref()
            .filter(|_| self.trigger != "Schedule")
    }

    /// The principal whose permissions bound what the attempt uses besides the rotating
    /// secret: who it acts for, or for an attempt from before that was recorded, the
    /// principal who asked with RotateSecret (a scheduled one has nobody to act for).
    pub fn acting_for(&self) -> Option<&str> {
        match &self.on_behalf_of {
            Some(r) => Some(&r.principal_arn),
            None if self.trigger == "RotateSecret" && self.requested_by != SERVICE => {
                Some(&self.requested_by)
            }
            None => None,
        }
    }
}

/// Who a rotation acts for: the principal whose permissions bound what it uses besides the
/// rotating secret (an alternating-users master secret), and the people behind that
/// principal, whom the two-person rule keeps from deciding on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct Requester {
    pub principal_arn: String,
    /// The IAM user ARNs of the operators who can act as the principal (see `people`).
    #[serde(default)]
    pub people: Vec<String>,
}

pub use crate::rotation::Strategy;

/// What a rotation function does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "Kind")]
pub enum FunctionKind {
    /// A new random password in the secret's JSON `password` key (or `JsonKey`), or the
    /// whole value when the secret is a plain string.
    #[serde(rename = "password")]
    Password {
        #[serde(default, rename = "JsonKey", skip_serializing_if = "Option::is_none")]
        json_key: Option<String>,
        #[serde(default, rename = "PasswordOptions")]
        options: GetRandomPasswordRequest,
    },
    #[serde(rename = "postgres")]
    Postgres {
        #[serde(rename = "Strategy")]
        strategy: Strategy,
    },
    #[serde(rename = "mysql")]
    Mysql {
        #[serde(rename = "Strategy")]
        strategy: Strategy,
    },
    /// An external program given the Lambda event, calling back through a loopback endpoint.
    #[serde(rename = "lambda")]
    Lambda {
        #[serde(rename = "Command")]
        command: Vec<String>,
        #[serde(rename = "TimeoutSeconds", default = "default_timeout")]
        timeout_seconds: u64,
    },
}

fn default_timeout() -> u64 {
    60
}

impl FunctionKind {
    pub fn label(&self) -> String {
        match self {
            Self::Password { .. } => "password".into(),
            Self::Postgres { strategy } => format!("postgres ({})", strategy.as_str()),
            Self::Mysql { strategy } => format!("mysql ({})", strategy.as_str()),
            Self::Lambda { .. } => "lambda".into(),
        }
    }
}

/// A rotation function, as `coffer rotation create-function` registers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationFunction {
    pub name: String,
    #[serde(default, rename = "ARN")]
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub kind: FunctionKind,
    pub created_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateRotationFunctionRequest {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub kind: FunctionKind,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FunctionNameRequest {
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRotationFunctionsResponse {
    pub functions: Vec<RotationFunction>,
}

/// Approval settings of one secret (`SecretId`) or, without one, the vault's defaults.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRotationApprovalRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_approval: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_person_rule: Option<bool>,
}

/// The approval settings in force: the vault's defaults and, for a secret, its own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct RotationApprovalSettings {
    pub require_approval: bool,
    pub two_person_rule: bool,
}

impl RotationApprovalSettings {
    /// The settings in a sentence, as the consoles confirm a change to them.
    pub fn sentence(&self) -> String {
        format!(
            "Rotations {} approval{}.",
            if self.require_approval {
                "need"
            } else {
                "do not need"
            },
            if self.two_person_rule {
                " (two-person rule: the requester may not approve)"
            } else {
                ""
            }
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecideRotationRequest {
    pub secret_id: String,
    /// Required when rejecting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationHistoryRequest {
    pub secret_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationAttemptsResponse {
    pub attempts: Vec<RotationAttempt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// An attempt the engine holds the lease on, with what it needs to run it.
#[derive(Debug, Clone)]
pub struct ClaimedAttempt {
    pub attempt: RotationAttempt,
    pub function: RotationFunction,
}

/// The service principal the engine records its own transitions under.
const SERVICE: &str = "secretsmanager.amazonaws.com";
const VAULT_REQUIRE_APPROVAL: &str = "rotation.require_approval";
const VAULT_TWO_PERSON: &str = "rotation.two_person_rule";
/// Failed attempts are tried again after 1, 2, 4, ... minutes, at most an hour apart.
const RETRY_BASE_MS: i64 = 60_000;
const RETRY_MAX_MS: i64 = 3_600_000;

pub fn function_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:lambda:{region}:{account}:function:{name}")
}

fn function_name_of(arn: &str) -> Option<&str> {
    let name = arn.strip_prefix("arn:aws:lambda:")?.split(':').nth(3)?;
    (arn.split(':').nth(5) == Some("function")).then_some(name)
}

fn validate_function_name(n: &str) -> Result<()> {
    if n.is_empty()
        || n.len() > 64
        || !n
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::validation(format!(
            "The function name '{n}' must be 1 to 64 characters of A-Z a-z 0-9 - _"
        )));
    }
    Ok(())
}

fn function_aad(h: &[u8]) -> Aad {
    Aad::new("rotation-function").with(h)
}

fn attempt_aad(id: &str) -> Aad {
    Aad::new("rotation-attempt").with(id)
}

/// Re-keys every rotation function (stored under a keyed hash of its name) and attempt
/// from `old`'s keys to `new`'s.
pub(crate) fn rekey(
    tx: &crate::store::Tx<'_>,
    old: &super::keys::VaultKeys,
    new: &super::keys::VaultKeys,
) -> Result<()> {
    for (h, sealed) in tx.functions_all()? {
        let plain = crypto::open(old.meta_key(), &function_aad(&h), &sealed)?;
        let f: RotationFunction =
            serde_json::from_slice(&plain).map_err(|_| Error::decryption())?;
        let nh = new.iam_hash("rotation-function", &f.name);
        tx.function_delete(&h)?;
        tx.function_put(
            &nh,
            &crypto::seal(new.meta_key(), &function_aad(&nh), &plain),
        )?;
    }
    for a in tx.attempts_all()? {
        tx.attempt_set_doc(&a.id, &new.reseal_meta(old, &attempt_aad(&a.id), &a.doc)?)?;
    }
    Ok(())
}

/// Opens a stored attempt.
pub(super) fn open_attempt(
    keys: &super::keys::VaultKeys,
    row: &AttemptRow,
) -> Result<RotationAttempt> {
    let plain = crypto::open(keys.meta_key(), &attempt_aad(&row.id), &row.doc)?;
    let mut a: RotationAttempt = serde_json::from_slice(&plain).map_err(|_| Error::decryption())?;
    a.secret_uid = row.secret_uid.clone();
    Ok(a)
}

/// Opens a stored attempt of `doc`, named as the secret is named now.
fn open_attempt_of(
    keys: &super::keys::VaultKeys,
    info: &super::VaultInfo,
    row: &AttemptRow,
    doc: &SecretDoc,
) -> Result<RotationAttempt> {
    let mut a = open_attempt(keys, row)?;
    a.secret_name = doc.name.clone();
    a.secret_arn = info.secret_arn(doc);
    Ok(a)
}

/// Opens a stored rotation function (stored under the keyed hash `h` of its name).
fn open_function(
    keys: &super::keys::VaultKeys,
    info: &super::VaultInfo,
    h: &[u8],
    sealed: &[u8],
) -> Result<RotationFunction> {
    let plain = crypto::open(keys.meta_key(), &function_aad(h), sealed)?;
    let mut f: RotationFunction =
        serde_json::from_slice(&plain).map_err(|_| Error::decryption())?;
    f.arn = function_arn(&info.region, &info.account_id, &f.name);
    Ok(f)
}

/// The vault's default approval settings.
fn vault_approval(tx: &crate::store::Tx<'_>) -> Result<RotationApprovalSettings> {
    let flag =
        |key: &str| -> Result<bool> { Ok(tx.meta_get_string(key)?.as_deref() == Some("true")) };
    Ok(RotationApprovalSettings {
        require_approval: flag(VAULT_REQUIRE_APPROVAL)?,
        two_person_rule: flag(VAULT_TWO_PERSON)?,
    })
}

/// The approval settings in force for a secret: the vault's, and what the secret adds to
/// them. A secret's own setting can turn a requirement on, never off: the vault-wide
/// requirement holds for every secret whatever a principal allowed to configure one secret
/// sets on it.
fn approval_for(doc: &SecretDoc, vault: RotationApprovalSettings) -> RotationApprovalSettings {
    let r = doc.rotation.as_ref();
    RotationApprovalSettings {
        require_approval: vault.require_approval
            || r.and_then(|r| r.require_approval).unwrap_or(false),
        two_person_rule: vault.two_person_rule
            || r.and_then(|r| r.two_person_rule).unwrap_or(false),
    }
}

pub(super) fn service_caller() -> Caller {
    let mut c = Caller::principal(SERVICE, FrontEnd::Internal);
    c.user_name = SERVICE.into();
    c.source_ip = Some(SERVICE.into());
    c.user_agent = Some(SERVICE.into());
    c
}

impl Ctx<'_, '_> {
    fn function_hash(&self, name: &str) -> Vec<u8> {
        self.keys.iam_hash("rotation-function", name).to_vec()
    }

    fn load_function(&self, name: &str) -> Result<Option<RotationFunction>> {
        let h = self.function_hash(name);
        self.tx
            .function_get(&h)?
            .map(|sealed| open_function(self.keys, self.info, &h, &sealed))
            .transpose()
    }

    fn function_by_arn(&self, arn: &str) -> Result<RotationFunction> {
        let missing = || {
            Error::invalid_request(format!(
                "The rotation function {arn} doesn't exist: create it with `coffer rotation create-function`."
            ))
        };
        let name = function_name_of(arn).ok_or_else(missing)?;
        let f = self.load_function(name)?.ok_or_else(missing)?;
        if f.arn != arn {
            return Err(missing());
        }
        Ok(f)
    }

    fn save_attempt(&mut self, a: &RotationAttempt) -> Result<()> {
        self.will_write()?;
        // Bump the vault's change counter so that consoles see the attempt move.
        self.touch()?;
        let json = zeroize::Zeroizing::new(serde_json::to_vec(a).expect("an attempt serializes"));
        let run_after_ms = match a.status {
            AttemptStatus::Running => Some(a.requested_ms.min(self.now_ms)),
            AttemptStatus::Failed => a.retry_ms,
            _ => None,
        };
        self.tx.attempt_put(&AttemptRow {
            id: a.id.clone(),
            secret_uid: a.secret_uid.clone(),
            status: a.status.as_str().into(),
            run_after_ms,
            requested_ms: a.requested_ms,
            lease_holder: None,
            lease_expires_ms: None,
            doc: crypto::seal(self.keys.meta_key(), &attempt_aad(&a.id), &json),
        })
    }

    fn unfinished_attempt(&self, secret_uid: &str) -> Result<Option<RotationAttempt>> {
        for row in self.tx.attempts_of_secret(secret_uid)? {
            if AttemptStatus::UNFINISHED.contains(&row.status.as_str()) {
                return Ok(Some(open_attempt(self.keys, &row)?));
            }
        }
        Ok(None)
    }

    fn attempt(&self, id: &str) -> Result<RotationAttempt> {
        let row = self
            .tx
            .attempt_get(id)?
            .ok_or_else(|| Error::not_found(format!("There is no rotation attempt {id}.")))?;
        open_attempt(self.keys, &row)
    }

    fn approval_settings(&self, doc: &SecretDoc) -> Result<RotationApprovalSettings> {
        Ok(approval_for(doc, vault_approval(self.tx)?))
    }

    /// The version the attempt will fill in: created now with AWSPENDING and no value (as
    /// AWS does before createSecret), or the one an earlier try of this attempt created.
    fn prepare_pending(&mut self, doc: &mut SecretDoc, token: &str) -> Result<()> {
        if doc.version(token).is_none() {
            for removed in doc.make_room(self.now_ms)? {
                self.delete_value(doc, &removed)?;
            }
            doc.versions.push(VersionDoc {
                id: token.to_string(),
                stages: Vec::new(),
                created_ms: self.now_ms,
                last_accessed_day_ms: None,
                kms_key_id: doc.kms_key_id.clone(),
                has_value: false,
            });
        }
        if doc
            .version(token)
            .is_some_and(|v| !v.stages.iter().any(|s| s == AWSPENDING))
        {
            doc.attach(AWSPENDING, token)?;
        }
        self.audit.version_ids.push(token.to_string());
        self.audit.version_stages.push(AWSPENDING.into());
        Ok(())
    }

    /// Who the caller is, as a rotation remembers it.
    fn requester(&self) -> Result<Requester> {
        Ok(Requester {
            principal_arn: self.caller.principal_arn.clone(),
            people: self.people(self.caller)?,
        })
    }

    /// A new attempt on `doc` (saved by the caller): waiting for approval, or running with
    /// its AWSPENDING version in place. It acts for the caller, or when the schedule starts
    /// it, for whoever configured the rotation.
    fn new_attempt(
        &mut self,
        doc: &mut SecretDoc,
        token: String,
        function_arn: String,
        trigger: &str,
    ) -> Result<RotationAttempt> {
        let settings = self.approval_settings(doc)?;
        let on_behalf_of = if trigger == "Schedule" {
            doc.rotation.as_ref().and_then(|r| r.configured_by.clone())
        } else {
            Some(self.requester()?)
        };
        let mut a = RotationAttempt {
            id: random::uuid(),
            secret_uid: doc.uid.clone(),
            secret_name: doc.name.clone(),
            secret_arn: self.arn(doc),
            token: token.clone(),
            function_arn,
            trigger: trigger.into(),
            requested_by: self.caller.principal_arn.clone(),
            requested_ms: self.now_ms,
            require_approval: settings.require_approval,
            two_person_rule: settings.two_person_rule,
            on_behalf_of,
            decision: None,
            status: AttemptStatus::AwaitingApproval,
            next_step: Some(Step::CreateSecret),
            tries: 0,
            steps: Vec::new(),
            error: None,
            finished_ms: None,
            retry_ms: None,
        };
        if !settings.require_approval {
            a.status = AttemptStatus::Running;
            self.prepare_pending(doc, &token)?;
        }
        self.save_attempt(&a)?;
        Ok(a)
    }

    /// Ends an attempt that will not finish: takes AWSPENDING off its version when that
    /// version never got a value, and moves the schedule on so it is not retried at once.
    fn abandon(&mut self, doc: &mut SecretDoc, a: &mut RotationAttempt, status: AttemptStatus) {
        a.status = status;
        a.next_step = None;
        a.finished_ms = Some(self.now_ms);
        a.retry_ms = None;
        if let Some(v) = doc.version(&a.token)
            && !v.stages.iter().any(|s| s == AWSCURRENT)
        {
            doc.detach(AWSPENDING, &a.token);
        }
        if let Some(r) = doc.rotation.as_mut() {
            r.anchor_ms = self.now_ms;
        }
    }
}

impl Vault {
    pub fn create_rotation_function(
        &self,
        caller: &Caller,
        req: CreateRotationFunctionRequest,
    ) -> Result<RotationFunction> {
        self.exec(caller, Operation::CreateRotationFunction, &req, |ctx| {
            validate_function_name(&req.name)?;
            let arn = function_arn(&ctx.info.region, &ctx.info.account_id, &req.name);
            ctx.authorize("coffer:CreateRotationFunction", &arn)?;
            match &req.kind {
                FunctionKind::Lambda {
                    command,
                    timeout_seconds,
                } => {
                    if command.is_empty() || command[0].is_empty() {
                        return Err(Error::invalid_parameter(
                            "A lambda rotation function needs a command to run.",
                        ));
                    }
                    if !(1..=900).contains(timeout_seconds) {
                        return Err(Error::invalid_parameter(
                            "TimeoutSeconds must be between 1 and 900, as a Lambda function's.",
                        ));
                    }
                }
                FunctionKind::Password { options, .. } => {
                    super::password::generate(options)?;
                }
                FunctionKind::Postgres { .. } | FunctionKind::Mysql { .. } => {}
            }
            if ctx.load_function(&req.name)?.is_some() {
                return Err(Error::exists(format!(
                    "The rotation function {} already exists.",
                    req.name
                )));
            }
            let f = RotationFunction {
                name: req.name.clone(),
                arn,
                description: req.description.clone(),
                kind: req.kind.clone(),
                created_ms: ctx.now_ms,
            };
            ctx.will_write()?;
            let h = ctx.function_hash(&f.name);
            let json = serde_json::to_vec(&f).expect("a function serializes");
            ctx.tx.function_put(
                &h,
                &crypto::seal(ctx.keys.meta_key(), &function_aad(&h), &json),
            )?;
            ctx.touch()?;
            ctx.respond(&f);
            Ok(f)
        })
    }

    pub fn list_rotation_functions(
        &self,
        caller: &Caller,
    ) -> Result<ListRotationFunctionsResponse> {
        self.exec(
            caller,
            Operation::ListRotationFunctions,
            &crate::api::Empty {},
            |ctx| {
                ctx.authorize("coffer:ListRotationFunctions", "*")?;
                let mut functions = Vec::new();
                for (h, sealed) in ctx.tx.functions_all()? {
                    functions.push(open_function(ctx.keys, ctx.info, &h, &sealed)?);
                }
                functions.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(ListRotationFunctionsResponse { functions })
            },
        )
    }

    /// Deletes a rotation function no secret's rotation uses.
    pub fn delete_rotation_function(
        &self,
        caller: &Caller,
        req: FunctionNameRequest,
    ) -> Result<()> {
        self.exec(caller, Operation::DeleteRotationFunction, &req, |ctx| {
            validate_function_name(&req.name)?;
            let arn = function_arn(&ctx.info.region, &ctx.info.account_id, &req.name);
            ctx.authorize("coffer:DeleteRotationFunction", &arn)?;
            let users: Vec<String> = ctx
                .index
                .rotating()
                .filter(|d| {
                    d.rotation
                        .as_ref()
                        .is_some_and(|r| r.enabled && r.function_arn.as_deref() == Some(&arn))
                })
                .map(|d| d.name.clone())
                .collect();
            if !users.is_empty() {
                return Err(Error::invalid_request(format!(
                    "The rotation function {} rotates {} secret(s) ({}): cancel their rotation first.",
                    req.name,
                    users.len(),
                    users.join(", ")
                )));
            }
            ctx.will_write()?;
            if !ctx.tx.function_delete(&ctx.function_hash(&req.name))? {
                return Err(Error::not_found(format!(
                    "The rotation function {} doesn't exist.",
                    req.name
                )));
            }
            ctx.touch()?;
            Ok(())
        })
    }

    /// RotateSecret: sets the rotation function and rules, and (unless `RotateImmediately`
    /// is false) asks for a rotation now — which the engine runs, after approval when the
    /// secret requires it. The response's `VersionId` is the new version's.
    pub fn rotate_secret(
        &self,
        caller: &Caller,
        req: RotateSecretRequest,
    ) -> Result<RotateSecretResponse> {
        self.exec(caller, Operation::RotateSecret, &req, |ctx| {
            check_rotate_request(&req)?;
            let mut doc = ctx.resolve_live(&req.secret_id, "secretsmanager:RotateSecret")?;
            // A managed external secret rotates through its partner, which an offline vault
            // cannot reach. AWS's answer for an unreachable partner is not published; the
            // modelled InvalidRequestException ("not valid for the current state of the
            // resource") is chosen, before the Lambda checks that do not apply to such a secret.
            if let Some(t) = &doc.secret_type {
                return Err(Error::invalid_request(format!(
                    "Secrets Manager can't rotate the managed external secret {} of type {t}: the partner integration is not reachable.",
                    doc.name
                )));
            }
            let existing = doc.rotation.clone();
            let function_arn = match (&req.rotation_lambda_arn, &existing) {
                (Some(a), _) => a.clone(),
                (None, Some(RotationDoc { function_arn: Some(a), .. })) => a.clone(),
                _ => {
                    return Err(Error::invalid_request(
                        "No Lambda rotation function ARN is associated with this secret.",
                    ));
                }
            };
            ctx.function_by_arn(&function_arn)?;
            if ctx.unfinished_attempt(&doc.uid)?.is_some() {
                return Err(Error::invalid_request(
                    "A previous rotation isn't complete. That rotation will be reattempted.",
                ));
            }
            let rules = req
                .rotation_rules
                .clone()
                .or_else(|| existing.as_ref().and_then(|r| r.rules.clone()));
            let rules_changed = req.rotation_rules.is_some()
                && existing.as_ref().and_then(|r| r.rules.as_ref()) != req.rotation_rules.as_ref();
            let was_enabled = existing.as_ref().is_some_and(|r| r.enabled);
            doc.rotation = Some(RotationDoc {
                enabled: true,
                function_arn: Some(function_arn.clone()),
                anchor_ms: match &existing {
                    Some(r) if was_enabled && !rules_changed => r.anchor_ms,
                    _ => ctx.now_ms,
                },
                rules,
                last_rotated_ms: existing.as_ref().and_then(|r| r.last_rotated_ms),
                require_approval: existing.as_ref().and_then(|r| r.require_approval),
                two_person_rule: existing.as_ref().and_then(|r| r.two_person_rule),
                configured_by: Some(ctx.requester()?),
            });
            let mut version_id = None;
            if req.rotate_immediately.unwrap_or(true) {
                let token = req.client_request_token.clone().unwrap_or_else(random::uuid);
                if doc.version(&token).is_some_and(|v| v.has_value) {
                    return Err(Error::exists(format!(
                        "A resource with the ID you requested already exists: version {token}."
                    )));
                }
                ctx.new_attempt(&mut doc, token.clone(), function_arn, "RotateSecret")?;
                version_id = Some(token);
            } else if doc.rotation.as_ref().is_some_and(|r| r.rules.is_none()) {
                return Err(Error::invalid_parameter(
                    "RotateImmediately is false and there are no RotationRules: nothing would rotate.",
                ));
            }
            let resp = RotateSecretResponse {
                arn: ctx.arn(&doc),
                name: doc.name.clone(),
                version_id,
            };
            ctx.save(doc)?;
            ctx.respond(&resp);
            Ok(resp)
        })
    }

    /// CancelRotateSecret: turns the schedule off; an attempt that has not finished is
    /// abandoned (AWSPENDING comes off a version that never got a value).
    pub fn cancel_rotate_secret(
        &self,
        caller: &Caller,
        req: SecretIdRequest,
    ) -> Result<CancelRotateSecretResponse> {
        self.exec(caller, Operation::CancelRotateSecret, &req, |ctx| {
            let mut doc = ctx.resolve_live(&req.secret_id, "secretsmanager:CancelRotateSecret")?;
            let Some(r) = doc.rotation.as_mut() else {
                return Err(Error::invalid_request(
                    "Secrets Manager can't cancel rotation for a secret that isn't configured for rotation.",
                ));
            };
            r.enabled = false;
            let mut version_id = None;
            if let Some(mut a) = ctx.unfinished_attempt(&doc.uid)? {
                version_id = Some(a.token.clone());
                ctx.abandon(&mut doc, &mut a, AttemptStatus::Cancelled);
                a.error = Some(format!("cancelled by {}", ctx.caller.principal_arn));
                ctx.save_attempt(&a)?;
            }
            let resp = CancelRotateSecretResponse {
                arn: ctx.arn(&doc),
                name: doc.name.clone(),
                version_id,
            };
            doc.last_changed_ms = ctx.now_ms;
            ctx.save(doc)?;
            ctx.respond(&resp);
            Ok(resp)
        })
    }

    /// Sets whether rotations wait for approval (and the two-person rule), for one secret
    /// or, without `SecretId`, as the vault's default.
    pub fn put_rotation_approval(
        &self,
        caller: &Caller,
        req: PutRotationApprovalRequest,
    ) -> Result<RotationApprovalSettings> {
        self.exec(
            caller,
            Operation::PutRotationApproval,
            &req,
            |ctx| match &req.secret_id {
                Some(id) => {
                    let mut doc = ctx.resolve_live(id, "coffer:PutRotationApproval")?;
                    refuse_weakening(&req, &vault_approval(ctx.tx)?)?;
                    let now = ctx.now_ms;
                    let r = doc.rotation.get_or_insert(RotationDoc {
                        enabled: false,
                        function_arn: None,
                        rules: None,
                        last_rotated_ms: None,
                        anchor_ms: now,
                        require_approval: None,
                        two_person_rule: None,
                        configured_by: None,
                    });
                    if req.require_approval.is_some() {
                        r.require_approval = req.require_approval;
                    }
                    if req.two_person_rule.is_some() {
                        r.two_person_rule = req.two_person_rule;
                    }
                    let settings = ctx.approval_settings(&doc)?;
                    ctx.save(doc)?;
                    Ok(settings)
                }
                None => {
                    ctx.authorize("coffer:PutRotationApproval", "*")?;
                    ctx.will_write()?;
                    if let Some(v) = req.require_approval {
                        ctx.tx
                            .meta_set(VAULT_REQUIRE_APPROVAL, v.to_string().as_bytes())?;
                    }
                    if let Some(v) = req.two_person_rule {
                        ctx.tx
                            .meta_set(VAULT_TWO_PERSON, v.to_string().as_bytes())?;
                    }
                    ctx.touch()?;
                    vault_approval(ctx.tx)
                }
            },
        )
    }

    /// The approval settings in force for a secret, or the vault's defaults.
    pub fn rotation_approval(
        &self,
        caller: &Caller,
        secret_id: Option<&str>,
    ) -> Result<RotationApprovalSettings> {
        // A console's view: authorized like DescribeSecret, not audited.
        self.read(|tx, inner| {
            let defaults = vault_approval(tx)?;
            let Some(id) = secret_id else {
                self.authorize_view(inner.iam, caller, "secretsmanager:ListSecrets", None)?;
                return Ok(defaults);
            };
            let doc = self.view_secret(inner, caller, id)?;
            Ok(approval_for(&doc, defaults))
        })
    }

    /// Approves the rotation of a secret that waits for approval: it starts.
    pub fn approve_rotation(
        &self,
        caller: &Caller,
        req: DecideRotationRequest,
    ) -> Result<RotationAttempt> {
        self.exec(caller, Operation::ApproveRotation, &req, |ctx| {
            let (mut doc, mut a) = waiting(ctx, &req.secret_id)?;
            a.decision = Some(Decision {
                approved: true,
                by: ctx.caller.principal_arn.clone(),
                at_ms: ctx.now_ms,
                reason: req.reason.clone(),
            });
            a.status = AttemptStatus::Running;
            let token = a.token.clone();
            ctx.prepare_pending(&mut doc, &token)?;
            ctx.save_attempt(&a)?;
            ctx.save(doc)?;
            a.secret_arn = ctx.audit.secret.clone().map(|s| s.1).unwrap_or_default();
            Ok(a)
        })
    }

    /// Rejects the rotation of a secret that waits for approval, with a reason.
    pub fn reject_rotation(
        &self,
        caller: &Caller,
        req: DecideRotationRequest,
    ) -> Result<RotationAttempt> {
        self.exec(caller, Operation::RejectRotation, &req, |ctx| {
            let reason = req
                .reason
                .clone()
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| {
                    Error::invalid_parameter("A rejection needs a reason (--reason).")
                })?;
            if reason.len() > 1024 {
                return Err(Error::invalid_parameter(
                    "The reason must be at most 1024 characters.",
                ));
            }
            let (mut doc, mut a) = waiting(ctx, &req.secret_id)?;
            a.decision = Some(Decision {
                approved: false,
                by: ctx.caller.principal_arn.clone(),
                at_ms: ctx.now_ms,
                reason: Some(reason),
            });
            ctx.abandon(&mut doc, &mut a, AttemptStatus::Rejected);
            ctx.save_attempt(&a)?;
            ctx.save(doc)?;
            Ok(a)
        })
    }

    /// Tries a failed attempt again now, with the same token.
    pub fn retry_rotation(&self, caller: &Caller, req: SecretIdRequest) -> Result<RotationAttempt> {
        self.exec(caller, Operation::RetryRotation, &req, |ctx| {
            let doc = ctx.resolve_live(&req.secret_id, "secretsmanager:RotateSecret")?;
            let mut a = ctx
                .unfinished_attempt(&doc.uid)?
                .filter(|a| a.status == AttemptStatus::Failed)
                .ok_or_else(|| {
                    Error::invalid_request("This secret has no failed rotation to try again.")
                })?;
            a.retry_ms = Some(ctx.now_ms);
            ctx.save_attempt(&a)?;
            Ok(a)
        })
    }

    /// Rotations waiting for approval that the caller may see, oldest first.
    pub fn list_pending_rotations(&self, caller: &Caller) -> Result<RotationAttemptsResponse> {
        self.read_attempts(caller, |tx| {
            tx.attempts_with_status(&[AttemptStatus::AwaitingApproval.as_str()])
        })
    }

    fn read_attempts(
        &self,
        caller: &Caller,
        rows: impl FnOnce(&crate::store::Tx<'_>) -> Result<Vec<AttemptRow>>,
    ) -> Result<RotationAttemptsResponse> {
        self.read(|tx, inner| {
            let mut attempts = Vec::new();
            for row in rows(tx)? {
                let Some(doc) = inner.index.get(&row.secret_uid).cloned() else {
                    continue;
                };
                if self
                    .authorize_view(
                        inner.iam,
                        caller,
                        "secretsmanager:DescribeSecret",
                        Some(&doc),
                    )
                    .is_err()
                {
                    continue;
                }
                attempts.push(open_attempt_of(&self.keys(), &self.info, &row, &doc)?);
            }
            Ok(RotationAttemptsResponse {
                attempts,
                next_token: None,
            })
        })
    }

    /// A secret's rotation attempts, newest first, a page at a time (a console's view:
    /// authorized like DescribeSecret, not audited).
    pub fn rotation_history(
        &self,
        caller: &Caller,
        req: &RotationHistoryRequest,
    ) -> Result<RotationAttemptsResponse> {
        let max = req.max_results.unwrap_or(50).clamp(1, 100) as usize;
        let start: usize = match &req.next_token {
            None => 0,
            Some(t) => t
                .parse()
                .map_err(|_| Error::invalid_parameter("The NextToken is not valid."))?,
        };
        self.read(|tx, inner| {
            let doc = self.view_secret(inner, caller, &req.secret_id)?;
            let rows = tx.attempts_of_secret(&doc.uid)?;
            let total = rows.len();
            let mut attempts = Vec::new();
            for row in rows.iter().skip(start).take(max) {
                attempts.push(open_attempt_of(&self.keys(), &self.info, row, &doc)?);
            }
            Ok(RotationAttemptsResponse {
                attempts,
                next_token: (start + max < total).then(|| (start + max).to_string()),
            })
        })
    }

    // ---- the engine's transitions ----

    /// Starts the attempts that schedules make due now (one per secret whose window is open
    /// and that has no unfinished attempt). Exactly once across processes: each is created
    /// inside a write transaction that checks again. Returns how many started.
    pub(crate) fn start_scheduled_rotations(&self) -> Result<usize> {
        let now = self.clock.now().as_millisecond();
        let due: Vec<String> = {
            let inner = self.inner();
            inner
                .index
                .rotating()
                .filter(|d| !d.is_scheduled_for_deletion() && schedule_due(d, now))
                .map(|d| d.uid.clone())
                .collect()
        };
        let mut started = 0;
        for uid in due {
            let service = service_caller();
            let made = self.exec(
                &service,
                Operation::RotationScheduled,
                &serde_json::json!({ "secretUid": uid }),
                |ctx| {
                    let Some(doc) = ctx.index.get(&uid).cloned() else {
                        return Ok(false);
                    };
                    ctx.audit.secret = Some((doc.uid.clone(), ctx.arn(&doc)));
                    if !schedule_due(&doc, ctx.now_ms) || ctx.unfinished_attempt(&uid)?.is_some() {
                        return Ok(false);
                    }
                    let mut doc = (*doc).clone();
                    let arn = doc
                        .rotation
                        .as_ref()
                        .and_then(|r| r.function_arn.clone())
                        .unwrap_or_default();
                    ctx.new_attempt(&mut doc, random::uuid(), arn, "Schedule")?;
                    ctx.save(doc)?;
                    Ok(true)
                },
            )?;
            started += usize::from(made);
        }
        Ok(started)
    }

    /// Takes the lease on the next runnable attempt (running, or failed and due for a retry,
    /// and not leased by a live holder), marking a step that a dead process left running as
    /// interrupted. Audited as RotationStarted or RotationResumed; when nothing is runnable it
    /// is one read and writes nothing, so an idle scheduler leaves the vault alone.
    pub(crate) fn claim_rotation(
        &self,
        holder: &str,
        lease_ms: i64,
    ) -> Result<Option<ClaimedAttempt>> {
        let now = self.clock.now().as_millisecond();
        let Some(candidate) = self.read(|tx, _| tx.attempt_next_runnable(now))? else {
            return Ok(None);
        };
        let (id, resumed) = (
            candidate.id,
            candidate.status == "failed" || candidate.lease_holder.is_some(),
        );
        let service = service_caller();
        let event = if resumed {
            Operation::RotationResumed
        } else {
            Operation::RotationStarted
        };
        self.exec(
            &service,
            event,
            &serde_json::json!({ "attemptId": id }),
            |ctx| {
                let row = ctx.tx.attempt_get(&id)?.ok_or_else(|| {
                    Error::not_found(format!("There is no rotation attempt {id}."))
                })?;
                if !runnable(&row, ctx.now_ms) {
                    return Ok(None);
                }
                ctx.will_write()?;
                if !ctx
                    .tx
                    .attempt_claim(&id, holder, ctx.now_ms, ctx.now_ms + lease_ms)?
                {
                    return Ok(None);
                }
                let mut a = open_attempt(ctx.keys, &row)?;
                let doc = ctx.index.get(&a.secret_uid).cloned().ok_or_else(|| {
                    Error::not_found("Secrets Manager can't find the specified secret.")
                })?;
                ctx.audit.secret = Some((doc.uid.clone(), ctx.arn(&doc)));
                ctx.audit.version_ids.push(a.token.clone());
                for s in &mut a.steps {
                    if s.outcome == StepOutcome::Running {
                        s.outcome = StepOutcome::Interrupted;
                        s.error = Some("the process running this step stopped".into());
                    }
                }
                if a.status == AttemptStatus::Failed || a.tries == 0 || resumed {
                    a.tries += 1;
                }
                a.status = AttemptStatus::Running;
                a.retry_ms = None;
                a.error = None;
                a.secret_name = doc.name.clone();
                a.secret_arn = ctx.arn(&doc);
                let function = ctx.function_by_arn(&a.function_arn)?;
                ctx.save_attempt(&a)?;
                // save_attempt leaves the lease alone; take it again in case the row was new.
                ctx.tx
                    .attempt_claim(&id, holder, ctx.now_ms, ctx.now_ms + lease_ms)?;
                Ok(Some(ClaimedAttempt {
                    attempt: a,
                    function,
                }))
            },
        )
    }

    /// Records that a step starts (so that a crash inside it is seen) and renews the lease.
    /// Fails when another holder has taken the attempt.
    pub(crate) fn begin_rotation_step(
        &self,
        holder: &str,
        lease_ms: i64,
        attempt_id: &str,
        step: Step,
    ) -> Result<()> {
        let service = service_caller();
        self.exec(
            &service,
            Operation::RotationStepStarted,
            &serde_json::json!({ "attemptId": attempt_id, "step": step }),
            |ctx| {
                ctx.will_write()?;
                if !ctx
                    .tx
                    .attempt_claim(attempt_id, holder, ctx.now_ms, ctx.now_ms + lease_ms)?
                {
                    return Err(Error::invalid_request(
                        "Another process has taken over this rotation.",
                    ));
                }
                let mut a = ctx.attempt(attempt_id)?;
                if let Some(doc) = ctx.index.get(&a.secret_uid).cloned() {
                    ctx.audit.secret = Some((doc.uid.clone(), ctx.arn(&doc)));
                }
                ctx.audit.version_ids.push(a.token.clone());
                a.next_step = Some(step);
                a.steps.push(StepRecord {
                    step,
                    try_number: a.tries,
                    started_ms: ctx.now_ms,
                    duration_ms: None,
                    outcome: StepOutcome::Running,
                    error: None,
                    log: Vec::new(),
                });
                ctx.save_attempt(&a)?;
                Ok(())
            },
        )
    }

    /// Records how a step ended. After finishSecret the attempt succeeds only when AWSCURRENT
    /// is on its version (AWSPENDING then comes off it, the schedule moves on); a failure
    /// leaves the old value current and schedules a retry with the same token. Audited as
    /// RotationStep, RotationSucceeded or RotationFailed.
    pub(crate) fn end_rotation_step(
        &self,
        holder: &str,
        lease_ms: i64,
        attempt_id: &str,
        step: Step,
        outcome: std::result::Result<StepOutput, Error>,
        duration_ms: i64,
    ) -> Result<RotationAttempt> {
        let service = service_caller();
        let event = match (&outcome, step) {
            (Err(_), _) => Operation::RotationFailed,
            (Ok(_), Step::FinishSecret) => Operation::RotationSucceeded,
            (Ok(_), _) => Operation::RotationStep,
        };
        self.exec(
            &service,
            event,
            &serde_json::json!({ "attemptId": attempt_id, "step": step }),
            |ctx| {
                ctx.will_write()?;
                let mut a = ctx.attempt(attempt_id)?;
                let mut doc = ctx
                    .index
                    .get(&a.secret_uid)
                    .map(|d| (**d).clone())
                    .ok_or_else(|| {
                        Error::not_found("Secrets Manager can't find the specified secret.")
                    })?;
                ctx.audit.secret = Some((doc.uid.clone(), ctx.arn(&doc)));
                ctx.audit.version_ids.push(a.token.clone());
                let mut result = outcome;
                if result.is_ok()
                    && step == Step::FinishSecret
                    && doc.holder(AWSCURRENT).map(|v| v.id.as_str()) != Some(a.token.as_str())
                {
                    result = Err(Error::invalid_request(
                        "finishSecret ended without moving AWSCURRENT to the new version.",
                    ));
                }
                let record = a
                    .steps
                    .iter_mut()
                    .rev()
                    .find(|s| s.step == step && s.outcome == StepOutcome::Running);
                let record = match record {
                    Some(r) => r,
                    None => {
                        a.steps.push(StepRecord {
                            step,
                            try_number: a.tries,
                            started_ms: ctx.now_ms - duration_ms,
                            duration_ms: None,
                            outcome: StepOutcome::Running,
                            error: None,
                            log: Vec::new(),
                        });
                        a.steps.last_mut().expect("just pushed")
                    }
                };
                record.duration_ms = Some(duration_ms);
                match &result {
                    Ok(out) => {
                        record.outcome = StepOutcome::Succeeded;
                        record.log = cap_log(&out.log);
                    }
                    Err(e) => {
                        record.outcome = StepOutcome::Failed;
                        record.error = Some(format!("{}: {}", e.code.as_str(), e.message));
                    }
                }
                match &result {
                    Ok(_) if step == Step::FinishSecret => {
                        a.status = AttemptStatus::Succeeded;
                        a.next_step = None;
                        a.finished_ms = Some(ctx.now_ms);
                        doc.detach(AWSPENDING, &a.token);
                        if let Some(r) = doc.rotation.as_mut() {
                            r.last_rotated_ms = Some(ctx.now_ms);
                            r.anchor_ms = ctx.now_ms;
                        }
                        ctx.audit.version_stages.push(AWSCURRENT.into());
                        ctx.save(doc)?;
                    }
                    Ok(_) => {
                        a.next_step = Step::ALL.iter().skip_while(|s| **s != step).nth(1).copied();
                    }
                    Err(e) => {
                        a.status = AttemptStatus::Failed;
                        a.next_step = Some(step);
                        a.error = Some(format!("{} failed: {}", step.as_str(), e.message));
                        let backoff =
                            (RETRY_BASE_MS << a.tries.saturating_sub(1).min(10)).min(RETRY_MAX_MS);
                        a.retry_ms = Some(ctx.now_ms + backoff);
                    }
                }
                ctx.save_attempt(&a)?;
                ctx.tx.attempt_release(attempt_id, holder)?;
                if a.status == AttemptStatus::Running {
                    // Keep holding it between steps.
                    ctx.tx
                        .attempt_claim(attempt_id, holder, ctx.now_ms, ctx.now_ms + lease_ms)?;
                }
                Ok(a)
            },
        )
    }

    /// Gives up the lease on an attempt (the engine stopping between steps).
    pub(crate) fn release_rotation(&self, holder: &str, attempt_id: &str) -> Result<()> {
        let mut inner = self.inner();
        let tx = inner.store.begin()?;
        tx.attempt_release(attempt_id, holder)?;
        tx.commit()
    }
}

/// A secret's setting cannot switch off what the vault requires of every secret.
fn refuse_weakening(
    req: &PutRotationApprovalRequest,
    vault: &RotationApprovalSettings,
) -> Result<()> {
    if vault.require_approval && req.require_approval == Some(false) {
        return Err(Error::invalid_request(
            "The vault requires approval for every rotation: a secret cannot turn it off.",
        ));
    }
    if vault.two_person_rule && req.two_person_rule == Some(false) {
        return Err(Error::invalid_request(
            "The vault applies the two-person rule to every rotation: a secret cannot turn it off.",
        ));
    }
    Ok(())
}

/// Keeps a step's log short: at most 50 lines of 500 characters.
fn cap_log(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = lines
        .iter()
        .take(50)
        .map(|l| l.chars().take(500).collect())
        .collect();
    if lines.len() > 50 {
        out.push(format!("… {} more lines", lines.len() - 50));
    }
    out
}

fn runnable(r: &AttemptRow, now_ms: i64) -> bool {
    r.run_after_ms.is_some_and(|t| t <= now_ms)
        && (r.lease_holder.is_none() || r.lease_expires_ms.is_none_or(|e| e <= now_ms))
}

/// Whether a secret's schedule has a window open now that it has not rotated in.
fn schedule_due(doc: &SecretDoc, now_ms: i64) -> bool {
    let Some(r) = doc.rotation.as_ref().filter(|r| r.enabled) else {
        return false;
    };
    if r.function_arn.is_none() {
        return false;
    }
    let Some(rules) = &r.rules else { return false };
    let Ok(s) = Schedule::stored(rules) else {
        return false;
    };
    s.next_window(r.anchor_ms, now_ms)
        .is_some_and(|w| w.contains(now_ms))
}

/// The two-person rule: the decider is a person (an operator, or a principal whose
/// operators the vault knows) and none of the people behind the request. A request that
/// nobody is known to stand behind (made with an access key from before Coffer recorded who
/// creates keys) cannot be told apart from the decider's own, so it is refused too: cancel it
/// and ask again from a console or with a key made since. A scheduled rotation has no
/// requester but its schedule.
fn two_person_check(ctx: &Ctx<'_, '_>, a: &RotationAttempt) -> Result<()> {
    let decider = ctx.people(ctx.caller)?;
    let requester = match (a.asker(), a.trigger.as_str()) {
        (Some(r), _) => Some(r.clone()),
        (None, "Schedule") => None,
        // An attempt from before the people were recorded: find them now.
        (None, _) => a
            .acting_for()
            .map(|arn| -> Result<Requester> {
                Ok(Requester {
                    principal_arn: arn.to_string(),
                    people: ctx.people(&Caller::principal(arn, FrontEnd::Internal))?,
                })
            })
            .transpose()?,
    };
    let asked = a.requested_by == ctx.caller.principal_arn
        || decider.contains(&a.requested_by)
        || requester.as_ref().is_some_and(|r| {
            r.principal_arn == ctx.caller.principal_arn
                || r.people.iter().any(|p| decider.contains(p))
        });
    if asked {
        return Err(Error::access_denied(format!(
            "The two-person rule is on for this secret: {} asked for this rotation, so someone else must decide on it.",
            a.requested_by
        )));
    }
    if decider.is_empty() {
        return Err(Error::access_denied(format!(
            "The two-person rule is on for this secret: {} is not an operator the vault knows, so it cannot be the second person.",
            ctx.caller.principal_arn
        )));
    }
    if let Some(r) = requester.filter(|r| r.people.is_empty()) {
        return Err(Error::access_denied(format!(
            "The two-person rule is on for this secret, and the vault does not know which operator stands behind {} (its access keys predate Coffer recording who creates keys): cancel the rotation and ask again from a console or with a new key.",
            r.principal_arn
        )));
    }
    Ok(())
}

/// The secret and its attempt waiting for approval, checking the caller may decide and the
/// two-person rule.
fn waiting(ctx: &mut Ctx<'_, '_>, secret_id: &str) -> Result<(SecretDoc, RotationAttempt)> {
    let doc = ctx.resolve_live(secret_id, "coffer:ApproveRotation")?;
    let a = ctx
        .unfinished_attempt(&doc.uid)?
        .filter(|a| a.status == AttemptStatus::AwaitingApproval)
        .ok_or_else(|| {
            Error::invalid_request("This secret has no rotation waiting for approval.")
        })?;
    if a.two_person_rule {
        two_person_check(ctx, &a)?;
    }
    ctx.audit.version_ids.push(a.token.clone());
    Ok((doc, a))
}

/// RotateSecret's request is checked before the secret is looked for, in moto 5.2.5's words
/// (test_rotate_secret_client_request_token_too_short and _too_long,
/// test_rotate_secret_rotation_lambda_arn_too_long, test_rotate_secret_rotation_period_validation):
/// the token's length, then the function ARN's, then the rules.
fn check_rotate_request(req: &RotateSecretRequest) -> Result<()> {
    if req
        .client_request_token
        .as_ref()
        .is_some_and(|t| !(32..=64).contains(&t.chars().count()))
    {
        return Err(Error::invalid_parameter(
            "ClientRequestToken must be 32-64 characters long.",
        ));
    }
    if req
        .rotation_lambda_arn
        .as_ref()
        .is_some_and(|a| a.chars().count() > 2048)
    {
        return Err(Error::invalid_parameter(
            "RotationLambdaARN must <= 2048 characters long.",
        ));
    }
    if let Some(rules) = &req.rotation_rules {
        Schedule::parse(rules)?;
    }
    Ok(())
}
