//! What crosses the IPC boundary, with the TypeScript declarations generated from it
//! (`ui/src/bindings.ts`). Where the core has the answer's type, the page receives that type
//! as the core serializes it (it derives `ts_rs::TS` under the core's `ts` feature), and it
//! is only re-exported here; the structs declared here are what the core has no type for
//! (the IPC error, the vault status, the page's input forms) and the desktop shapes still
//! built from core types whose view adds something the core's type has not got yet (a
//! derived field, a sentence, a flattened description).
//!
//! No type here carries a key. Only [`RevealedValue`] and [`DiffRow`] carry secret values,
//! and they are built only by the commands that perform an audited read (the core's
//! `KeyDiff` serializes nothing: a value leaves the core only through `Reveal`).
//!
//! **Why this file is long:** one desktop shape per answer the core has no type for, each
//! beside its conversion, and the list that generates `bindings.ts`.

pub use coffer_core::api::RotationRules;
pub use coffer_core::model::Tag;
use coffer_core::model::epoch_seconds;
pub use coffer_core::policy::{ValidationFinding, ValidationReport};
pub use coffer_core::vault::policies::PolicyView;
use coffer_core::vault::rotation::{RotationAttempt, RotationFunction, StepOutcome};
use coffer_core::vault::{AuditEventView, AuditPage, AuditQuery, SecretView, VersionView};
pub use coffer_core::vault::{PrefixRun, SecretPage, SecretQuery, SecretSummary, SortBy};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Every error that crosses IPC: the AWS error code and a message for a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    pub code: String,
    pub message: String,
}

impl From<coffer_core::Error> for IpcError {
    fn from(e: coffer_core::Error) -> Self {
        Self {
            code: e.code.as_str().to_string(),
            message: e.message,
        }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;

/// The vault file as the unlock screen shows it, and the session when unlocked.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    pub path: String,
    pub exists: bool,
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub operators: Vec<String>,
    pub session: Option<Session>,
    /// The console runs through the session `coffer unlock` started: the session agent
    /// holds the keys and runs every command.
    pub through_session: bool,
    /// Why the console locked when the operator did not lock it (the session ended).
    pub notice: Option<String>,
    pub idle_lock_seconds: u32,
    pub clipboard_clear_seconds: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub operator: String,
    pub principal_arn: String,
    pub account_id: String,
    pub region: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VersionRow {
    pub version_id: String,
    pub stages: Vec<String>,
    pub created_date: f64,
    pub last_accessed_date: Option<f64>,
    pub has_value: bool,
}

impl From<VersionView> for VersionRow {
    fn from(v: VersionView) -> Self {
        Self {
            version_id: v.version_id,
            stages: v.version_stages,
            created_date: v.created_date,
            last_accessed_date: v.last_accessed_date,
            has_value: v.has_value,
        }
    }
}

/// One secret with every version, newest first. Opening it reads no value.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SecretDetail {
    pub arn: String,
    pub name: String,
    /// The partner holding a managed external secret (AWS's `Type`).
    pub secret_type: Option<String>,
    pub description: Option<String>,
    pub kms_key_id: Option<String>,
    pub created_date: f64,
    pub last_changed_date: Option<f64>,
    pub last_accessed_date: Option<f64>,
    pub deleted_date: Option<f64>,
    pub deletion_date: Option<f64>,
    pub primary_region: Option<String>,
    pub rotation_enabled: bool,
    pub last_rotated_date: Option<f64>,
    pub next_rotation_date: Option<f64>,
    pub tags: Vec<Tag>,
    pub versions: Vec<VersionRow>,
}

impl From<SecretView> for SecretDetail {
    fn from(v: SecretView) -> Self {
        let s = v.secret;
        Self {
            tags: s.tag_list().to_vec(),
            arn: s.arn,
            name: s.name,
            secret_type: s.secret_type,
            description: s.description,
            kms_key_id: s.kms_key_id,
            created_date: s.created_date,
            last_changed_date: s.last_changed_date,
            last_accessed_date: s.last_accessed_date,
            deleted_date: s.deleted_date,
            deletion_date: v.deletion_date,
            primary_region: s.primary_region,
            rotation_enabled: s.rotation_enabled == Some(true),
            last_rotated_date: s.last_rotated_date,
            next_rotation_date: s.next_rotation_date,
            versions: v.versions.into_iter().map(VersionRow::from).collect(),
        }
    }
}

/// One replica of a secret (`ReplicationStatus`).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaRow {
    pub region: String,
    pub kms_key_id: Option<String>,
    /// `InSync`, `InProgress` or `Failed`.
    pub status: String,
    pub status_message: Option<String>,
    pub last_accessed_date: Option<f64>,
}

impl From<coffer_core::api::ReplicationStatusType> for ReplicaRow {
    fn from(r: coffer_core::api::ReplicationStatusType) -> Self {
        Self {
            region: r.region,
            kms_key_id: r.kms_key_id,
            status: r.status,
            status_message: r.status_message,
            last_accessed_date: r.last_accessed_date,
        }
    }
}

/// One of the vault's replica regions.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegionRow {
    pub region: String,
    pub vault_path: String,
    pub reachable: bool,
    /// The file there is not the vault registered: nothing is pushed to it.
    pub replaced: bool,
    pub secrets: u32,
    pub in_sync: u32,
    pub in_progress: u32,
    pub failed: u32,
    pub queued_removals: u32,
}

impl From<coffer_core::vault::ReplicaRegionView> for RegionRow {
    fn from(r: coffer_core::vault::ReplicaRegionView) -> Self {
        Self {
            region: r.region,
            vault_path: r.vault_path,
            reachable: r.reachable,
            replaced: r.replaced,
            secrets: r.secrets as u32,
            in_sync: r.in_sync as u32,
            in_progress: r.in_progress as u32,
            failed: r.failed as u32,
            queued_removals: r.queued_removals as u32,
        }
    }
}

/// A cross-account link of a secret: its primary in another account (on a replica), or
/// one of its replicas there (on a primary).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CrossAccountRow {
    /// The other side's secret ARN.
    pub arn: String,
    /// `Pending`, `InProgress`, `InSync`, `Failed` or `Detached`.
    pub status: String,
    pub status_message: Option<String>,
}

/// A secret's Replicas tab.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplicasView {
    /// This vault's region.
    pub home_region: String,
    pub primary_region: Option<String>,
    /// Whether this secret is a replica of another region's secret.
    pub is_replica: bool,
    pub replicas: Vec<ReplicaRow>,
    pub regions: Vec<RegionRow>,
    /// On a cross-account replica: its primary in the other account.
    pub cross_account_primary: Option<CrossAccountRow>,
    /// On a primary: its cross-account replicas.
    pub cross_account_replicas: Vec<CrossAccountRow>,
    /// The other accounts' vaults registered for cross-account replicas.
    pub accounts: Vec<AccountRow>,
}

/// Another account's vault registered for cross-account replicas.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountRow {
    pub account_id: String,
    pub vault_path: String,
    pub reachable: bool,
    pub replaced: bool,
    pub in_sync: u32,
    pub detached: u32,
}

impl From<coffer_core::vault::ReplicaRegionView> for AccountRow {
    fn from(r: coffer_core::vault::ReplicaRegionView) -> Self {
        Self {
            account_id: r.account_id.unwrap_or_default(),
            vault_path: r.vault_path,
            reachable: r.reachable,
            replaced: r.replaced,
            in_sync: r.in_sync as u32,
            detached: r.detached as u32,
        }
    }
}

/// A value the operator revealed (an audited GetSecretValue). A binary value is base64.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RevealedValue {
    pub version_id: String,
    pub stages: Vec<String>,
    pub binary: bool,
    pub text: String,
}

impl std::fmt::Debug for RevealedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevealedValue")
            .field("version_id", &self.version_id)
            .field("text", &"***")
            .finish_non_exhaustive()
    }
}

/// One key of a diff of two versions (a value that is not a JSON object is one key).
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffRow {
    pub key: String,
    pub change: coffer_core::model::Change,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl std::fmt::Debug for DiffRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiffRow")
            .field("key", &self.key)
            .field("change", &self.change)
            .finish_non_exhaustive()
    }
}

/// A copied value: the clipboard is cleared after this many seconds (or at lock).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CopyReceipt {
    pub clears_in_seconds: u32,
}

/// What an act did, in a sentence for the status line.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Done {
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateSecretInput {
    pub name: String,
    pub description: Option<String>,
    pub value: Option<String>,
    pub tags: Vec<Tag>,
    /// AWS's `Type`: set only for a managed external secret.
    pub secret_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatementRef {
    pub policy_id: String,
    pub policy_type: String,
    pub sid: Option<String>,
    pub effect: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActionAccess {
    pub action: String,
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    pub decision: String,
    pub statements: Vec<StatementRef>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalAccessRow {
    pub principal_arn: String,
    pub actions: Vec<ActionAccess>,
}

/// Each principal's access to one secret.
pub fn access_rows(e: coffer_core::vault::policies::EffectiveAccess) -> Vec<PrincipalAccessRow> {
    e.principals
        .into_iter()
        .map(|p| PrincipalAccessRow {
            principal_arn: p.principal_arn,
            actions: p
                .decisions
                .into_iter()
                .map(|d| ActionAccess {
                    action: d.action,
                    decision: d.decision,
                    statements: d
                        .statements
                        .into_iter()
                        .map(|s| StatementRef {
                            policy_id: s.policy_id,
                            policy_type: s.policy_type,
                            sid: s.sid,
                            effect: s.effect,
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

/// The audit log's filters; events come newest first, a page at a time.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditQueryInput {
    pub secret_id: Option<String>,
    pub principal: Option<String>,
    pub event_names: Vec<String>,
    pub front_end: Option<String>,
    pub errors_only: bool,
    #[ts(type = "number | null")]
    pub from_ms: Option<i64>,
    #[ts(type = "number | null")]
    pub before_sequence: Option<i64>,
    pub limit: u32,
}

impl From<&AuditQueryInput> for AuditQuery {
    fn from(q: &AuditQueryInput) -> Self {
        AuditQuery {
            secret_id: q.secret_id.clone(),
            principal: q.principal.clone(),
            event_names: q.event_names.clone(),
            front_end: q.front_end.clone(),
            errors_only: q.errors_only,
            from_ms: q.from_ms,
            before_sequence: q.before_sequence,
            limit: q.limit as usize,
            ..AuditQuery::default()
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventRow {
    #[ts(type = "number")]
    pub sequence: i64,
    #[ts(type = "number")]
    pub time_ms: i64,
    pub event_name: String,
    pub principal_arn: String,
    pub front_end: String,
    pub source_ip: String,
    pub secret_arn: Option<String>,
    pub version_ids: Vec<String>,
    pub version_stages: Vec<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// The whole event as pretty JSON (it never holds a secret value).
    pub detail: String,
}

impl From<AuditEventView> for AuditEventRow {
    fn from(e: AuditEventView) -> Self {
        Self {
            detail: serde_json::to_string_pretty(&e.event).unwrap_or_default(),
            sequence: e.sequence,
            time_ms: e.time_ms,
            event_name: e.event_name,
            principal_arn: e.principal_arn,
            front_end: e.front_end,
            source_ip: e.source_ip,
            secret_arn: e.secret_arn,
            version_ids: e.version_ids,
            version_stages: e.version_stages,
            error_code: e.error_code,
            error_message: e.error_message,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditPageOutput {
    pub events: Vec<AuditEventRow>,
    #[ts(type = "number | null")]
    pub next_before_sequence: Option<i64>,
    #[ts(type = "number")]
    pub total_events: i64,
}

impl From<AuditPage> for AuditPageOutput {
    fn from(p: AuditPage) -> Self {
        Self {
            events: p.events.into_iter().map(AuditEventRow::from).collect(),
            next_before_sequence: p.next_before_sequence,
            total_events: p.total_events,
        }
    }
}

/// The audit chain check, and the vault's latest anchor (its event and when it was taken).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChainStatus {
    #[ts(type = "number")]
    pub events_checked: i64,
    pub intact: bool,
    #[ts(type = "number | null")]
    pub first_broken_sequence: Option<i64>,
    pub problem: Option<String>,
    #[ts(type = "number | null")]
    pub last_anchor_sequence: Option<i64>,
    pub last_anchor_time: Option<String>,
}

pub use coffer_core::vault::principals::{PrincipalKind, PrincipalRow};

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccessKeyRow {
    pub access_key_id: String,
    pub active: bool,
    pub created_date: f64,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalDetail {
    pub inline_policies: Vec<String>,
    pub attached_policies: Vec<String>,
    pub access_keys: Vec<AccessKeyRow>,
}

/// A new access key: its secret is shown once, as IAM's CreateAccessKey returns it.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewAccessKey {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for NewAccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccessKey")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// One run of one step of a rotation (its log lines never carry a secret value).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepRow {
    pub step: String,
    pub try_number: u32,
    pub started_date: f64,
    #[ts(type = "number | null")]
    pub duration_ms: Option<i64>,
    /// `running`, `succeeded`, `failed` or `interrupted`.
    pub outcome: String,
    pub error: Option<String>,
    pub log: Vec<String>,
}

/// An operator's decision on a rotation that waited for approval.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DecisionRow {
    pub approved: bool,
    pub by: String,
    pub date: f64,
    pub reason: Option<String>,
}

/// One rotation attempt, step by step (dates are epoch seconds).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AttemptRow {
    pub id: String,
    pub secret_name: String,
    pub secret_arn: String,
    /// The new version's id.
    pub version_id: String,
    pub function_arn: String,
    /// `RotateSecret` (someone asked) or `Schedule`.
    pub trigger: String,
    pub requested_by: String,
    pub requested_date: f64,
    pub require_approval: bool,
    pub two_person_rule: bool,
    pub decision: Option<DecisionRow>,
    /// `awaiting-approval`, `running`, `failed`, `succeeded`, `rejected` or `cancelled`.
    pub status: String,
    pub next_step: Option<String>,
    pub tries: u32,
    pub steps: Vec<StepRow>,
    pub error: Option<String>,
    pub finished_date: Option<f64>,
    pub retry_date: Option<f64>,
    /// Not ended: waiting for approval, running, or failed and to be tried again.
    pub unfinished: bool,
    /// Whether the two-person rule lets the operator at the keyboard decide on it.
    pub may_decide: bool,
}

impl AttemptRow {
    /// `a` as the operator `operator_arn` sees it.
    pub fn new(a: RotationAttempt, operator_arn: &str) -> Self {
        Self {
            unfinished: a.status.is_unfinished(),
            may_decide: a.may_decide(operator_arn),
            id: a.id,
            secret_name: a.secret_name,
            secret_arn: a.secret_arn,
            version_id: a.token,
            function_arn: a.function_arn,
            trigger: a.trigger,
            requested_by: a.requested_by,
            requested_date: epoch_seconds(a.requested_ms),
            require_approval: a.require_approval,
            two_person_rule: a.two_person_rule,
            decision: a.decision.map(|d| DecisionRow {
                approved: d.approved,
                by: d.by,
                date: epoch_seconds(d.at_ms),
                reason: d.reason,
            }),
            status: a.status.as_str().to_string(),
            next_step: a.next_step.map(|s| s.as_str().to_string()),
            tries: a.tries,
            steps: a
                .steps
                .into_iter()
                .map(|s| StepRow {
                    step: s.step.as_str().to_string(),
                    try_number: s.try_number,
                    started_date: epoch_seconds(s.started_ms),
                    duration_ms: s.duration_ms,
                    outcome: match s.outcome {
                        StepOutcome::Running => "running",
                        StepOutcome::Succeeded => "succeeded",
                        StepOutcome::Failed => "failed",
                        StepOutcome::Interrupted => "interrupted",
                    }
                    .to_string(),
                    error: s.error,
                    log: s.log,
                })
                .collect(),
            error: a.error,
            finished_date: a.finished_ms.map(epoch_seconds),
            retry_date: a.retry_ms.map(epoch_seconds),
        }
    }
}

/// A secret's rotation as its Rotation tab shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RotationStatus {
    pub enabled: bool,
    pub function_arn: Option<String>,
    pub rules: Option<RotationRules>,
    pub last_rotated_date: Option<f64>,
    /// The next window starts: the secret's next rotation date, then the schedule's.
    pub next_windows: Vec<f64>,
    pub require_approval: bool,
    pub two_person_rule: bool,
    /// Newest first.
    pub attempts: Vec<AttemptRow>,
}

/// A registered rotation function.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FunctionRow {
    pub name: String,
    pub arn: String,
    /// `password`, `postgres (single-user)`, `lambda`...
    pub kind: String,
    pub description: Option<String>,
}

impl From<RotationFunction> for FunctionRow {
    fn from(f: RotationFunction) -> Self {
        Self {
            kind: f.kind.label(),
            name: f.name,
            arn: f.arn,
            description: f.description,
        }
    }
}

/// The approval queue and what the background runner last did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalsOutput {
    /// Oldest first.
    pub pending: Vec<AttemptRow>,
    /// The core's background runner: rotations, replication retries, purges.
    pub background: coffer_core::background::BackgroundStatus,
}

/// A re-key under way (removing an operator, changing a passphrase): the core's line and
/// how far it has come, for the page's progress bar.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RekeyProgress {
    pub phase: String,
    pub done: u32,
    pub total: u32,
    pub percent: u32,
    pub line: String,
}

impl From<coffer_core::vault::RekeyStatus> for RekeyProgress {
    fn from(s: coffer_core::vault::RekeyStatus) -> Self {
        let n = |x: u64| u32::try_from(x).unwrap_or(u32::MAX);
        Self {
            phase: s.phase.as_str().to_string(),
            done: n(s.done),
            total: n(s.total),
            percent: n(s.percent),
            line: s.line(),
        }
    }
}

/// The TypeScript declarations of every DTO, as `ui/src/bindings.ts` holds them.
#[cfg(test)]
pub fn typescript() -> String {
    let decls = [
        IpcError::decl(),
        VaultStatus::decl(),
        Session::decl(),
        coffer_core::running::Running::decl(),
        coffer_core::FrontEnd::decl(),
        SecretQuery::decl(),
        SortBy::decl(),
        Tag::decl(),
        SecretSummary::decl(),
        SecretPage::decl(),
        PrefixRun::decl(),
        VersionRow::decl(),
        SecretDetail::decl(),
        RevealedValue::decl(),
        coffer_core::model::Change::decl(),
        DiffRow::decl(),
        CopyReceipt::decl(),
        Done::decl(),
        CreateSecretInput::decl(),
        PolicyView::decl(),
        ValidationReport::decl(),
        ValidationFinding::decl(),
        StatementRef::decl(),
        ActionAccess::decl(),
        PrincipalAccessRow::decl(),
        AuditQueryInput::decl(),
        AuditEventRow::decl(),
        AuditPageOutput::decl(),
        ChainStatus::decl(),
        PrincipalKind::decl(),
        PrincipalRow::decl(),
        AccessKeyRow::decl(),
        PrincipalDetail::decl(),
        NewAccessKey::decl(),
        RotationRules::decl(),
        StepRow::decl(),
        DecisionRow::decl(),
        AttemptRow::decl(),
        RotationStatus::decl(),
        ReplicaRow::decl(),
        RegionRow::decl(),
        CrossAccountRow::decl(),
        AccountRow::decl(),
        ReplicasView::decl(),
        FunctionRow::decl(),
        ApprovalsOutput::decl(),
        coffer_core::background::Job::decl(),
        coffer_core::background::JobStatus::decl(),
        coffer_core::background::BackgroundStatus::decl(),
        RekeyProgress::decl(),
        coffer_core::acts::Act::decl(),
        coffer_core::acts::ActInfo::decl(),
        coffer_core::model::labels::LabelStep::decl(),
        coffer_core::model::labels::VersionLabels::decl(),
        coffer_core::model::labels::LabelMove::decl(),
        coffer_core::health::Severity::decl(),
        coffer_core::health::FindingKind::decl(),
        coffer_core::health::Subject::decl(),
        coffer_core::health::DiffKind::decl(),
        coffer_core::health::DiffLine::decl(),
        coffer_core::health::Fix::decl(),
        coffer_core::health::Evidence::decl(),
        coffer_core::health::Finding::decl(),
        coffer_core::health::Thresholds::decl(),
        coffer_core::health::SeverityCounts::decl(),
        coffer_core::health::HealthReport::decl(),
    ];
    let mut out = String::from(
        "// Generated by ts-rs from the types src-console/src/dto.rs lists; do not edit.\n\
         // Regenerate: COFFER_UPDATE_BINDINGS=1 cargo nextest run --workspace -E 'test(bindings)'\n",
    );
    for d in decls {
        out.push_str("\nexport ");
        out.push_str(&d);
        out.push('\n');
    }
    out
}
