//! What crosses the IPC boundary, with the TypeScript declarations generated from it
//! (`ui/src/bindings.ts`). Every answer the core has a type for reaches the page as the core
//! serializes it: the core's view types derive `ts_rs::TS` under its `ts` feature and are
//! only re-exported here. The structs declared here are what the core has no type for: the
//! IPC error, the vault status and session (the desktop's own state), the page's input form
//! for a new secret, a sentence's envelope, and the three answers that carry a secret (a
//! revealed value, a diff of two values, a new access key's secret), which the core hands out
//! only through `Reveal` and which are built only by the commands that perform the audited
//! read.

pub use coffer_core::api::RotationRules;
pub use coffer_core::audit::{VerifyReport, anchor::Anchor};
pub use coffer_core::model::Tag;
pub use coffer_core::policy::{ValidationFinding, ValidationReport};
pub use coffer_core::vault::iam::AccessKeyMetadata;
pub use coffer_core::vault::policies::{
    ActionDecision, DecidingStatement, EffectiveAccess, PolicyView, PrincipalAccess,
};
pub use coffer_core::vault::principals::{PrincipalKind, PrincipalPolicies, PrincipalRow};
pub use coffer_core::vault::{
    AttemptView, AuditEventView, AuditPage, AuditQuery, FunctionView, PrefixRun, RekeyView,
    ReplicaRegionView, ReplicasView, RotationView, SecretPage, SecretQuery, SecretSummary,
    SecretView, SortBy, VersionView,
};
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

/// The approval queue and what the background runner last did: the core's two answers side
/// by side (the runner belongs to this console, not to the vault).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalsOutput {
    /// Oldest first.
    pub pending: Vec<AttemptView>,
    /// The core's background runner: rotations, replication retries, purges.
    pub background: coffer_core::background::BackgroundStatus,
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
        coffer_core::api::DescribeSecretResponse::decl(),
        coffer_core::api::ReplicationStatusType::decl(),
        coffer_core::api::CrossAccountPrimaryType::decl(),
        coffer_core::api::CrossAccountReplicaEntry::decl(),
        VersionView::decl(),
        SecretView::decl(),
        RevealedValue::decl(),
        coffer_core::model::Change::decl(),
        DiffRow::decl(),
        CopyReceipt::decl(),
        Done::decl(),
        CreateSecretInput::decl(),
        PolicyView::decl(),
        ValidationReport::decl(),
        ValidationFinding::decl(),
        DecidingStatement::decl(),
        ActionDecision::decl(),
        PrincipalAccess::decl(),
        EffectiveAccess::decl(),
        AuditQuery::decl(),
        AuditEventView::decl(),
        AuditPage::decl(),
        Anchor::decl(),
        VerifyReport::decl(),
        PrincipalKind::decl(),
        PrincipalRow::decl(),
        AccessKeyMetadata::decl(),
        PrincipalPolicies::decl(),
        NewAccessKey::decl(),
        RotationRules::decl(),
        coffer_core::rotation::Step::decl(),
        coffer_core::vault::rotation::StepOutcome::decl(),
        coffer_core::vault::rotation::StepRecord::decl(),
        coffer_core::vault::rotation::Decision::decl(),
        coffer_core::vault::rotation::Requester::decl(),
        coffer_core::vault::rotation::AttemptStatus::decl(),
        coffer_core::vault::rotation::RotationAttempt::decl(),
        coffer_core::vault::rotation::RotationApprovalSettings::decl(),
        AttemptView::decl(),
        RotationView::decl(),
        ReplicaRegionView::decl(),
        ReplicasView::decl(),
        FunctionView::decl(),
        ApprovalsOutput::decl(),
        coffer_core::background::Job::decl(),
        coffer_core::background::JobStatus::decl(),
        coffer_core::background::BackgroundStatus::decl(),
        coffer_core::vault::RekeyPhase::decl(),
        coffer_core::vault::RekeyStatus::decl(),
        RekeyView::decl(),
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
