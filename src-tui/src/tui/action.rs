//! What a key, a click, a tick or a finished job means to the console, and what the
//! console asks of the world in return.

use coffer_core::Passphrase;
use coffer_core::acts::Act;
use coffer_core::api::RotationRules;
use coffer_core::audit::VerifyReport;
use coffer_core::vault::iam::EntityKind;
use coffer_core::vault::policies::EffectiveAccess;
use coffer_core::vault::rotation::{RotationApprovalSettings, RotationAttempt, RotationFunction};
use coffer_core::vault::{
    AuditPage, AuditQuery, RekeyStatus, SecretPage, SecretQuery, SecretSummary, SecretView,
};
use coffer_core::{Error, Operation, SecretText, SecretValue, VaultInfo, VaultSummary};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// An operator's intent, independent of the key that expressed it (see the keymap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextTab,
    PrevTab,
    Open,
    Back,
    Quit,
    Help,
    Palette,
    Lock,
    GoSecrets,
    GoDeletions,
    GoAudit,
    Filter,
    ToggleDeleted,
    Sort,
    ReverseSort,
    Group,
    Fold,
    Reveal,
    CopyKey,
    CopyAll,
    Deprecated,
    Mark,
    Diff,
    MoveLabel,
    RollBack,
    AddTag,
    EditTag,
    RemoveTag,
    ScheduleDeletion,
    Restore,
    DeleteNow,
    PutValue,
    PutGenerated,
    Describe,
    SetType,
    Create,
    AuditFilters,
    Follow,
    Verify,
    ErrorsOnly,
    SwitchPane,
    Submit,
    Cancel,
    Complete,
    Backspace,
    Yes,
    No,
    Toggle,
    Left,
    Right,
    Reload,
    EditPolicy,
    DeletePolicy,
    Newline,
    Clear,
    GoPrincipals,
    Remove,
    Attach,
    Detach,
    Join,
    Leave,
    NewKey,
    ToggleKey,
    DeleteKey,
    ChangePassphrase,
    GoApprovals,
    GoHealth,
    Fix,
    RotateNow,
    EditSchedule,
    CancelRotation,
    RetryRotation,
    ToggleApproval,
    ToggleTwoPerson,
    Approve,
    Reject,
    AddReplica,
    RemoveReplica,
    PromoteReplica,
    SyncReplicas,
    AssociateCrossAccount,
    DisassociateCrossAccount,
}

/// Everything that changes the console's state goes through `App::update` as one of these.
#[derive(Debug)]
pub enum Action {
    Key(Cmd),
    Char(char),
    Click {
        column: u16,
        row: u16,
    },
    Wheel {
        down: bool,
        column: u16,
        row: u16,
    },
    Resize(u16, u16),
    /// The clock moved (about four times a second): idle lock, clipboard countdown.
    Tick {
        now_ms: i64,
    },
    Loaded(Box<Loaded>),
}

impl Action {
    pub fn loaded(l: Loaded) -> Self {
        Self::Loaded(Box::new(l))
    }
}

pub use coffer_core::vault::policies::PolicyView;

pub use coffer_core::vault::principals::PrincipalKind;

/// One row of the Principals screen with everything its detail pane shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub name: String,
    pub arn: String,
    pub created: f64,
    pub tags: Vec<coffer_core::model::Tag>,
    pub description: Option<String>,
    /// A role's trust policy.
    pub document: Option<String>,
    /// An operator's key-derivation cost (memory KiB, iterations).
    pub kdf: Option<(u32, u32)>,
    /// Whether the policies and keys below have been read (each principal's are read when
    /// it is first selected, not with the list).
    pub detailed: bool,
    pub inline: Vec<String>,
    pub attached: Vec<String>,
    /// Active keys first, then the oldest (never a key's secret).
    pub keys: Vec<AccessKeyMetadata>,
}

pub use coffer_core::vault::iam::AccessKeyMetadata;
pub use coffer_core::vault::principals::PrincipalPolicies;

/// A run of the name-sorted list: a prefix group (`prod/`) or one secret without a prefix.
pub use coffer_core::vault::PrefixRun as Run;

/// Which page of the audit log a query fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageKind {
    /// The newest page: a new filter, follow mode, a refresh.
    Replace,
    /// The page below the window (older events).
    Older,
    /// The page above the window (newer events).
    Newer,
}

/// Why a value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RevealFor {
    Value,
    DiffOld,
    DiffNew,
}

/// A job for the worker thread that holds the vault (or, through the user's session, for
/// the session agent: `wire`).
#[derive(Debug, Serialize, Deserialize)]
pub enum Request {
    Inspect,
    #[serde(skip)]
    Unlock {
        operator: Option<String>,
        passphrase: Passphrase,
    },
    /// Open through the user's session agent for this vault (`coffer unlock`), as this
    /// operator when one was named.
    #[serde(skip)]
    Attach {
        operator: Option<String>,
    },
    Lock,
    Secrets {
        seq: u64,
        query: SecretQuery,
        ranges: Vec<(usize, usize)>,
    },
    Groups {
        seq: u64,
        query: SecretQuery,
    },
    Detail {
        seq: u64,
        arn: String,
    },
    Activity {
        seq: u64,
        arn: String,
        before: Option<i64>,
    },
    Audit {
        seq: u64,
        query: AuditQuery,
        kind: PageKind,
    },
    Deletions {
        seq: u64,
        offset: usize,
        limit: usize,
    },
    Reveal {
        arn: String,
        version_id: String,
        purpose: RevealFor,
    },
    Put {
        arn: String,
        #[serde(with = "super::wire::secret_text")]
        value: SecretText,
    },
    /// A generated value (GetRandomPassword) as the new AWSCURRENT.
    PutGenerated {
        arn: String,
    },
    Create {
        name: String,
        #[serde(with = "super::wire::option_secret_text")]
        value: Option<SecretText>,
        /// A managed external secret's `Type`.
        secret_type: Option<String>,
    },
    Describe {
        arn: String,
        description: String,
    },
    /// Sets a secret's `Type` (UpdateSecret).
    SetType {
        arn: String,
        secret_type: String,
    },
    MoveLabel {
        arn: String,
        label: String,
        to: String,
        from: Option<String>,
    },
    Delete {
        arn: String,
        days: i64,
    },
    ForceDelete {
        arn: String,
    },
    Restore {
        arn: String,
    },
    Tag {
        arn: String,
        key: String,
        value: String,
    },
    Untag {
        arn: String,
        key: String,
    },
    /// GetResourcePolicy, then ValidateResourcePolicy on what it returns.
    Policy {
        seq: u64,
        arn: String,
    },
    Access {
        seq: u64,
        arn: String,
    },
    PutPolicy {
        arn: String,
        policy: String,
        block_public: bool,
    },
    DeletePolicy {
        arn: String,
    },
    Verify,
    /// Operators, users, roles, groups and managed policies, each with its policies and keys.
    Principals {
        seq: u64,
    },
    /// One principal's policies and access keys.
    PrincipalDetails {
        kind: PrincipalKind,
        name: String,
    },
    IamCreate {
        kind: EntityKind,
        name: String,
        document: Option<String>,
    },
    IamDelete {
        kind: EntityKind,
        name: String,
    },
    PutInlinePolicy {
        kind: EntityKind,
        name: String,
        policy_name: String,
        document: String,
    },
    DeleteInlinePolicy {
        kind: EntityKind,
        name: String,
        policy_name: String,
    },
    AttachPolicy {
        kind: EntityKind,
        name: String,
        policy_arn: String,
        attach: bool,
    },
    GroupMember {
        group: String,
        user: String,
        add: bool,
    },
    CreateAccessKey {
        kind: EntityKind,
        name: String,
    },
    /// `Some(active)` (de)activates, `None` deletes.
    UpdateAccessKey {
        id: String,
        active: Option<bool>,
    },
    #[serde(skip)]
    AddOperator {
        name: String,
        passphrase: Passphrase,
    },
    RemoveOperator {
        name: String,
    },
    /// The unlocked operator's own passphrase (the vault is re-keyed).
    #[serde(skip)]
    ChangePassphrase {
        old: Passphrase,
        new: Passphrase,
    },
    /// A secret's rotation attempts, newest first (not audited: re-read on every change).
    RotationHistory {
        seq: u64,
        arn: String,
    },
    /// The approval settings in force for a secret (audited as GetRotationApproval).
    RotationSettings {
        seq: u64,
        arn: String,
    },
    /// The rotation functions, to choose one for a secret that has none yet.
    RotationFunctions {
        then: FunctionFor,
    },
    /// RotateSecret with RotateImmediately (and the function, when the secret has none).
    RotateNow {
        arn: String,
        function_arn: Option<String>,
    },
    /// RotateSecret with new rules and RotateImmediately=false.
    PutSchedule {
        arn: String,
        function_arn: Option<String>,
        rules: RotationRules,
    },
    CancelRotation {
        arn: String,
    },
    RetryRotation {
        arn: String,
    },
    PutApproval {
        arn: String,
        require_approval: Option<bool>,
        two_person_rule: Option<bool>,
    },
    /// The approval queue (not audited: re-read on every change, for the badge).
    Pending {
        seq: u64,
    },
    Approve {
        arn: String,
    },
    Reject {
        arn: String,
        reason: String,
    },
    /// Runs the rotations that are due or approved (the console's scheduler), and retries
    /// queued replication.
    RunDue,
    /// The vault's replica regions (not audited: re-read when the Replicas tab opens).
    ReplicaRegions {
        seq: u64,
    },
    Replicate {
        arn: String,
        region: String,
        kms_key_id: Option<String>,
    },
    RemoveReplica {
        arn: String,
        region: String,
    },
    /// Promotes the replica in `region` from this (the primary's) side.
    PromoteReplica {
        arn: String,
        region: String,
    },
    /// StopReplicationToReplica on a replica in this vault.
    StopReplication {
        arn: String,
    },
    /// AssociateCrossAccountReplica: `arn`'s replica in another account.
    AssociateCrossAccount {
        arn: String,
        replica_arn: String,
    },
    /// DisassociateCrossAccountReplica.
    DisassociateCrossAccount {
        arn: String,
        replica_arn: String,
    },
    /// One of the core's vault-wide acts (`coffer_core::acts`), as a palette runs it.
    Act(Act),
    /// The health report (audited; run on a thread of its own).
    Health {
        seq: u64,
    },
    /// An unused-access finding's least-privilege policy, as the operator confirmed it.
    ApplyLeastPrivilege {
        principal_arn: String,
        proposed: String,
    },
}

/// What a chosen rotation function is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FunctionFor {
    RotateNow { arn: String, name: String },
    Schedule { arn: String, name: String },
}

impl Request {
    /// The vault operation a request is, for status lines.
    pub fn operation(&self) -> Operation {
        match self {
            Self::Inspect | Self::Unlock { .. } | Self::Attach { .. } | Self::Lock => {
                Operation::Unlock
            }
            Self::Secrets { .. } | Self::Groups { .. } | Self::Deletions { .. } => {
                Operation::ListSecrets
            }
            Self::Detail { .. } => Operation::DescribeSecret,
            Self::Activity { .. } | Self::Audit { .. } => Operation::LookupEvents,
            Self::Reveal { .. } => Operation::GetSecretValue,
            Self::Put { .. } | Self::PutGenerated { .. } => Operation::PutSecretValue,
            Self::Create { .. } => Operation::CreateSecret,
            Self::Describe { .. } | Self::SetType { .. } => Operation::UpdateSecret,
            Self::MoveLabel { .. } => Operation::UpdateSecretVersionStage,
            Self::Delete { .. } | Self::ForceDelete { .. } => Operation::DeleteSecret,
            Self::Restore { .. } => Operation::RestoreSecret,
            Self::Tag { .. } => Operation::TagResource,
            Self::Untag { .. } => Operation::UntagResource,
            Self::Verify => Operation::VerifyAuditTrail,
            Self::Policy { .. } => Operation::GetResourcePolicy,
            Self::Access { .. } => Operation::GetEffectiveAccess,
            Self::PutPolicy { .. } => Operation::PutResourcePolicy,
            Self::DeletePolicy { .. } => Operation::DeleteResourcePolicy,
            Self::Principals { .. } => Operation::ListPrincipals,
            Self::PrincipalDetails { .. } => Operation::ListPolicies,
            Self::IamCreate { kind, .. } => match kind {
                EntityKind::User => Operation::CreateUser,
                EntityKind::Role => Operation::CreateRole,
                EntityKind::Group => Operation::CreateGroup,
                EntityKind::Policy => Operation::CreatePolicy,
            },
            Self::IamDelete { .. } => Operation::DeleteEntity,
            Self::PutInlinePolicy { kind, .. } => match kind {
                EntityKind::User => Operation::PutUserPolicy,
                EntityKind::Role => Operation::PutRolePolicy,
                _ => Operation::PutGroupPolicy,
            },
            Self::DeleteInlinePolicy { .. } => Operation::DeleteInlinePolicy,
            Self::AttachPolicy { attach: true, .. } => Operation::AttachPolicy,
            Self::AttachPolicy { .. } => Operation::DetachPolicy,
            Self::GroupMember { add: true, .. } => Operation::AddUserToGroup,
            Self::GroupMember { .. } => Operation::RemoveUserFromGroup,
            Self::CreateAccessKey { .. } => Operation::CreateAccessKey,
            Self::UpdateAccessKey {
                active: Some(_), ..
            } => Operation::UpdateAccessKey,
            Self::UpdateAccessKey { .. } => Operation::DeleteAccessKey,
            Self::AddOperator { .. } => Operation::AddOperator,
            Self::RemoveOperator { .. } => Operation::RemoveOperator,
            Self::ChangePassphrase { .. } => Operation::ChangeOperatorPassphrase,
            Self::RotationHistory { .. } => Operation::RotationHistory,
            Self::RotationSettings { .. } => Operation::GetRotationApproval,
            Self::RotationFunctions { .. } => Operation::ListRotationFunctions,
            Self::RotateNow { .. } | Self::PutSchedule { .. } => Operation::RotateSecret,
            Self::CancelRotation { .. } => Operation::CancelRotateSecret,
            Self::RetryRotation { .. } => Operation::RetryRotation,
            Self::PutApproval { .. } => Operation::PutRotationApproval,
            Self::Pending { .. } => Operation::ListPendingRotations,
            Self::Approve { .. } => Operation::ApproveRotation,
            Self::Reject { .. } => Operation::RejectRotation,
            Self::RunDue => Operation::RotateDue,
            Self::ReplicaRegions { .. } => Operation::ListReplicaRegions,
            Self::Replicate { .. } => Operation::ReplicateSecretToRegions,
            Self::RemoveReplica { .. } => Operation::RemoveRegionsFromReplication,
            Self::PromoteReplica { .. } => Operation::PromoteReplica,
            Self::StopReplication { .. } => Operation::StopReplicationToReplica,
            Self::AssociateCrossAccount { .. } => Operation::AssociateCrossAccountReplica,
            Self::DisassociateCrossAccount { .. } => Operation::DisassociateCrossAccountReplica,
            Self::Act(act) => act.operation(),
            Self::Health { .. } => Operation::GenerateHealthReport,
            Self::ApplyLeastPrivilege { .. } => Operation::ApplyLeastPrivilegePolicy,
        }
    }

    /// Whether the request changes the vault (refused by a read-only console).
    pub fn is_write(&self) -> bool {
        !self.operation().read_only()
    }
}

/// What the worker sends back.
#[derive(Debug, Serialize, Deserialize)]
pub enum Loaded {
    Inspected(#[serde(with = "super::wire::result")] Result<VaultSummary, Error>),
    #[serde(skip)]
    Unlocked(Result<VaultInfo, Error>),
    /// Opened through the session agent (or why not).
    #[serde(skip)]
    Attached(Result<VaultInfo, Error>),
    /// The session the console runs through ended: the console locks, saying this.
    #[serde(skip)]
    SessionEnded(String),
    /// The vault's session agent and endpoints running now.
    #[serde(skip)]
    Running(Vec<coffer_core::running::Running>),
    Secrets {
        seq: u64,
        total: usize,
        rows: Vec<(usize, SecretSummary)>,
    },
    Groups {
        seq: u64,
        runs: Vec<Run>,
    },
    Detail {
        seq: u64,
        #[serde(with = "super::wire::result")]
        detail: Result<Box<SecretView>, Error>,
    },
    Policy {
        seq: u64,
        #[serde(with = "super::wire::result")]
        policy: Result<PolicyView, Error>,
    },
    Access {
        seq: u64,
        #[serde(with = "super::wire::result")]
        access: Result<EffectiveAccess, Error>,
    },
    Activity {
        seq: u64,
        before: Option<i64>,
        page: AuditPage,
    },
    Audit {
        seq: u64,
        kind: PageKind,
        page: AuditPage,
    },
    Deletions {
        seq: u64,
        page: SecretPage,
    },
    Revealed {
        arn: String,
        version_id: String,
        purpose: RevealFor,
        #[serde(with = "super::wire::secret_value")]
        value: SecretValue,
    },
    Principals {
        seq: u64,
        #[serde(with = "super::wire::result")]
        principals: Result<Vec<Principal>, Error>,
    },
    PrincipalDetails {
        kind: PrincipalKind,
        name: String,
        #[serde(with = "super::wire::result")]
        details: Result<PrincipalPolicies, Error>,
    },
    /// A new access key: its secret is shown once, in a dialog, then dropped.
    AccessKeyCreated {
        user_name: String,
        access_key_id: String,
        #[serde(with = "super::wire::secret_text")]
        secret: SecretText,
    },
    /// An act succeeded; the message says what happened.
    Done(String),
    /// How far the re-key under way has come (removing an operator, changing a passphrase).
    Rekeying(RekeyStatus),
    Verified(VerifyReport),
    Failed {
        operation: Operation,
        #[serde(with = "super::wire::error")]
        error: Error,
    },
    /// Another process changed the vault.
    Changed,
    RotationHistory {
        seq: u64,
        #[serde(with = "super::wire::result")]
        history: Result<Vec<RotationAttempt>, Error>,
    },
    ReplicaRegions {
        seq: u64,
        #[serde(with = "super::wire::result")]
        regions: Result<Vec<coffer_core::vault::ReplicaRegionView>, Error>,
    },
    RotationSettings {
        seq: u64,
        #[serde(with = "super::wire::result")]
        settings: Result<RotationApprovalSettings, Error>,
    },
    RotationFunctions {
        then: FunctionFor,
        functions: Vec<RotationFunction>,
    },
    Pending {
        seq: u64,
        attempts: Vec<RotationAttempt>,
    },
    /// The background runner ran these attempts (as they ended).
    RotationsRan(Vec<RotationAttempt>),
    /// The background runner's jobs after a pass.
    #[serde(skip)]
    Background(coffer_core::background::BackgroundStatus),
    Health {
        seq: u64,
        #[serde(with = "super::wire::result")]
        report: Result<coffer_core::health::HealthReport, Error>,
    },
}

/// What `update` asks the event loop to do.
#[derive(Debug)]
pub enum Effect {
    Send(Request),
    Copy {
        text: Zeroizing<String>,
        what: String,
    },
    ClearClipboard,
    Quit,
}
