//! What a key, a click, a tick or a finished job means to the console, and what the
//! console asks of the world in return.

use coffer_core::audit::VerifyReport;
use coffer_core::crypto::Passphrase;
use coffer_core::policy::ValidationReport;
use coffer_core::vault::policies::EffectiveAccess;
use coffer_core::vault::{
    AuditPage, AuditQuery, SecretPage, SecretQuery, SecretSummary, SecretView,
};
use coffer_core::{Error, SecretText, SecretValue, VaultInfo, VaultSummary};
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
    Describe,
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

/// A secret's resource policy (as stored) and, when it has one, the validation findings.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyView {
    pub policy: Option<String>,
    pub report: Option<ValidationReport>,
}

/// A run of the name-sorted list: a prefix group (`prod/`) or one secret without a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub prefix: Option<String>,
    pub start: usize,
    pub count: usize,
}

/// Which page of the audit log a query fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// The newest page: a new filter, follow mode, a refresh.
    Replace,
    /// The page below the window (older events).
    Older,
    /// The page above the window (newer events).
    Newer,
}

/// Why a value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevealFor {
    Value,
    DiffOld,
    DiffNew,
}

/// A job for the worker thread that holds the vault.
#[derive(Debug)]
pub enum Request {
    Inspect,
    Unlock {
        operator: Option<String>,
        passphrase: Passphrase,
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
        value: SecretText,
    },
    Create {
        name: String,
        value: Option<SecretText>,
    },
    Describe {
        arn: String,
        description: String,
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
}

impl Request {
    /// The AWS operation a request is, for status lines.
    pub fn operation(&self) -> &'static str {
        match self {
            Self::Inspect | Self::Unlock { .. } | Self::Lock => "Unlock",
            Self::Secrets { .. } | Self::Groups { .. } | Self::Deletions { .. } => "ListSecrets",
            Self::Detail { .. } => "DescribeSecret",
            Self::Activity { .. } | Self::Audit { .. } => "LookupEvents",
            Self::Reveal { .. } => "GetSecretValue",
            Self::Put { .. } => "PutSecretValue",
            Self::Create { .. } => "CreateSecret",
            Self::Describe { .. } => "UpdateSecret",
            Self::MoveLabel { .. } => "UpdateSecretVersionStage",
            Self::Delete { .. } | Self::ForceDelete { .. } => "DeleteSecret",
            Self::Restore { .. } => "RestoreSecret",
            Self::Tag { .. } => "TagResource",
            Self::Untag { .. } => "UntagResource",
            Self::Verify => "VerifyAuditTrail",
            Self::Policy { .. } => "GetResourcePolicy",
            Self::Access { .. } => "GetEffectiveAccess",
            Self::PutPolicy { .. } => "PutResourcePolicy",
            Self::DeletePolicy { .. } => "DeleteResourcePolicy",
        }
    }

    /// Whether the request changes the vault (refused by a read-only console).
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Self::Put { .. }
                | Self::Create { .. }
                | Self::Describe { .. }
                | Self::MoveLabel { .. }
                | Self::Delete { .. }
                | Self::ForceDelete { .. }
                | Self::Restore { .. }
                | Self::Tag { .. }
                | Self::Untag { .. }
                | Self::PutPolicy { .. }
                | Self::DeletePolicy { .. }
        )
    }
}

/// What the worker sends back.
#[derive(Debug)]
pub enum Loaded {
    Inspected(Result<VaultSummary, Error>),
    Unlocked(Result<VaultInfo, Error>),
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
        detail: Result<SecretView, Error>,
    },
    Policy {
        seq: u64,
        policy: Result<PolicyView, Error>,
    },
    Access {
        seq: u64,
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
        value: SecretValue,
    },
    /// An act succeeded; the message says what happened.
    Done(String),
    Verified(VerifyReport),
    Failed {
        operation: &'static str,
        error: Error,
    },
    /// Another process changed the vault.
    Changed,
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
