//! One subcommand per operation, named and flagged like `aws secretsmanager`, printing the
//! AWS response JSON. Each only translates flags into a request for `coffer-core`.
//!
//! **Why this file is long:** the clap definition of every subcommand, named and flagged like
//! the AWS CLI, in one enum; the handlers are in the sibling modules.

pub mod args;
pub mod backup;
pub mod health;
pub mod iam;
pub mod output;
pub(crate) mod rekey;
pub mod replicas;
pub mod rotation;
pub mod transfer;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use coffer_core::api::*;
use coffer_core::vault::AuditQuery;
use coffer_core::{Caller, FrontEnd, Operation, Reveal, SecretBytes, SecretText, Vault};
use serde::Serialize;
use serde_json::Value;

use output::OutputFormat;

/// The operations (and the AWS CLI-style flags of each).
#[derive(Debug, Subcommand)]
pub enum Op {
    /// Creates a secret, optionally with its first value (which becomes AWSCURRENT).
    CreateSecret {
        #[arg(long)]
        name: String,
        #[arg(long)]
        client_request_token: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// A KMS key id, key ARN, alias name or alias ARN (default: aws/secretsmanager).
        #[arg(long)]
        kms_key_id: Option<String>,
        #[command(flatten)]
        value: ValueArgs,
        /// Key=KEY,Value=VALUE (repeatable) or a JSON list.
        #[arg(long, num_args = 1..)]
        tags: Vec<String>,
        /// The partner holding a managed external secret (e.g. SalesforceClientSecret).
        #[arg(long = "type")]
        secret_type: Option<String>,
        /// Makes a cross-account replica of this primary secret (another account, same
        /// region): no value, and a customer managed --kms-key-id.
        #[arg(long = "cross-account-primary-arn")]
        cross_account_primary_arn: Option<String>,
    },
    /// Reads a version's value (default: AWSCURRENT).
    GetSecretValue {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        version_id: Option<String>,
        #[arg(long)]
        version_stage: Option<String>,
    },
    /// Reads the AWSCURRENT values of up to 20 secrets, or of those a filter selects.
    BatchGetSecretValue {
        #[arg(long, num_args = 1..)]
        secret_id_list: Vec<String>,
        /// Key=name|description|tag-key|tag-value|...,Values=V1,V2 (repeatable) or JSON.
        #[arg(long, num_args = 1..)]
        filters: Vec<String>,
        #[arg(long)]
        max_results: Option<i64>,
        #[arg(long)]
        next_token: Option<String>,
    },
    /// Stores a new version (default label: AWSCURRENT).
    PutSecretValue {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        client_request_token: Option<String>,
        #[command(flatten)]
        value: ValueArgs,
        #[arg(long, num_args = 1..)]
        version_stages: Vec<String>,
        /// The token a rotation function received (36-256 of A-Za-z0-9-).
        #[arg(long)]
        rotation_token: Option<String>,
    },
    /// Changes a secret's description, KMS key or type, or stores a new AWSCURRENT value.
    UpdateSecret {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        client_request_token: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        kms_key_id: Option<String>,
        #[command(flatten)]
        value: ValueArgs,
        /// The partner holding a managed external secret.
        #[arg(long = "type")]
        secret_type: Option<String>,
    },
    /// Moves a staging label between versions (or removes it).
    UpdateSecretVersionStage {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        version_stage: String,
        #[arg(long)]
        remove_from_version_id: Option<String>,
        #[arg(long)]
        move_to_version_id: Option<String>,
    },
    /// Shows a secret's details (never its value).
    DescribeSecret {
        #[arg(long)]
        secret_id: String,
    },
    /// Lists secrets; every page unless --max-results or --next-token is given.
    ListSecrets {
        #[arg(long)]
        include_planned_deletion: bool,
        #[arg(long)]
        max_results: Option<i64>,
        #[arg(long)]
        next_token: Option<String>,
        #[arg(long, num_args = 1..)]
        filters: Vec<String>,
        /// asc or desc.
        #[arg(long)]
        sort_order: Option<String>,
        /// created-date, last-accessed-date, last-changed-date or name.
        #[arg(long)]
        sort_by: Option<String>,
    },
    /// Lists a secret's versions (deprecated ones with --include-deprecated).
    ListSecretVersionIds {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        max_results: Option<i64>,
        #[arg(long)]
        next_token: Option<String>,
        #[arg(long)]
        include_deprecated: bool,
    },
    /// Schedules a secret's deletion after a recovery window (7–30 days, default 30).
    DeleteSecret {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        recovery_window_in_days: Option<i64>,
        /// Deletes at once, with no way back.
        #[arg(long)]
        force_delete_without_recovery: bool,
    },
    /// Cancels a scheduled deletion.
    RestoreSecret {
        #[arg(long)]
        secret_id: String,
    },
    /// Adds or replaces tags.
    TagResource {
        #[arg(long)]
        secret_id: String,
        #[arg(long, num_args = 1.., required = true)]
        tags: Vec<String>,
    },
    /// Removes tags by key.
    UntagResource {
        #[arg(long)]
        secret_id: String,
        #[arg(long, num_args = 1.., required = true)]
        tag_keys: Vec<String>,
    },
    /// What to fix today: secrets nobody reads, rotations off, overdue or failing, weak or
    /// reused values, unused access, broad resource policies, old keys, deletions due and
    /// failed replicas — shown without any value (operators only).
    Report(health::ReportArgs),
    /// Generates a random password from the OS CSPRNG.
    GetRandomPassword {
        #[arg(long)]
        password_length: Option<i64>,
        #[arg(long)]
        exclude_characters: Option<String>,
        #[arg(long)]
        exclude_numbers: bool,
        #[arg(long)]
        exclude_punctuation: bool,
        #[arg(long)]
        exclude_uppercase: bool,
        #[arg(long)]
        exclude_lowercase: bool,
        #[arg(long)]
        include_space: bool,
        /// Do not require at least one character of each included type.
        #[arg(long)]
        no_require_each_included_type: bool,
    },
    /// Sets a secret's rotation function and schedule and (unless
    /// --no-rotate-immediately) rotates it now; waits for the rotation unless --no-wait.
    RotateSecret {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        client_request_token: Option<String>,
        /// The rotation function's ARN (see `coffer rotation create-function`).
        #[arg(long = "rotation-lambda-arn")]
        rotation_lambda_arn: Option<String>,
        /// AutomaticallyAfterDays=N, or ScheduleExpression="rate(...)|cron(...)"[,Duration=Nh], or JSON.
        #[arg(long)]
        rotation_rules: Option<String>,
        #[arg(long, overrides_with = "no_rotate_immediately")]
        rotate_immediately: bool,
        #[arg(long)]
        no_rotate_immediately: bool,
        /// Return once the rotation is requested, without running it here.
        #[arg(long)]
        no_wait: bool,
        /// A managed external secret's rotation metadata: Key=KEY,Value=VALUE (repeatable)
        /// or a JSON list.
        #[arg(long, num_args = 1..)]
        external_secret_rotation_metadata: Vec<String>,
        #[arg(long)]
        external_secret_rotation_role_arn: Option<String>,
    },
    /// Turns a secret's rotation off (an unfinished rotation is abandoned).
    CancelRotateSecret {
        #[arg(long)]
        secret_id: String,
    },
    /// Runs the rotations that are due or approved (for cron or a systemd timer).
    RotateDue {
        /// How long before another process may take over an attempt this one stopped
        /// answering for [default: 300].
        #[arg(long)]
        lease_seconds: Option<i64>,
    },
    /// Rotation functions, the approval queue and rotation history.
    #[command(subcommand)]
    Rotation(rotation::RotationOp),
    /// Replicates a secret to replica regions (Region=REGION[,KmsKeyId=KEY], repeatable).
    ReplicateSecretToRegions {
        #[arg(long)]
        secret_id: String,
        #[arg(long, num_args = 1.., required = true)]
        add_replica_regions: Vec<String>,
        /// Replace a secret of the same name in the replica region.
        #[arg(long)]
        force_overwrite_replica_secret: bool,
    },
    /// Deletes a secret's replicas in these regions.
    RemoveRegionsFromReplication {
        #[arg(long)]
        secret_id: String,
        #[arg(long, num_args = 1.., required = true)]
        remove_replica_regions: Vec<String>,
    },
    /// Promotes a replica (in this, the replica's vault) to a standalone secret.
    StopReplicationToReplica {
        #[arg(long)]
        secret_id: String,
    },
    /// The vault files that hold replica regions.
    #[command(subcommand)]
    ReplicaRegion(replicas::ReplicaRegionOp),
    /// Links a primary secret to the cross-account replica another account made for it,
    /// and replicates to it.
    AssociateCrossAccountReplica {
        #[arg(long)]
        secret_id: String,
        #[arg(long = "cross-account-replica-arn")]
        cross_account_replica_arn: String,
        /// SameOrg (the default) or NoRestriction.
        #[arg(long)]
        replica_restriction: Option<String>,
        #[arg(long = "replication-role-arn")]
        replication_role_arn: Option<String>,
    },
    /// Stops replicating a primary secret to its cross-account replica (left Detached).
    DisassociateCrossAccountReplica {
        #[arg(long)]
        secret_id: String,
        #[arg(long = "cross-account-replica-arn")]
        cross_account_replica_arn: String,
    },
    /// The other accounts' vault files that hold cross-account replicas.
    #[command(subcommand)]
    ReplicaAccount(replicas::ReplicaAccountOp),
    /// KMS-style keys that protect secrets.
    #[command(subcommand)]
    Kms(KmsOp),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditOp),
    /// The people who unlock this vault, each with a passphrase of their own.
    #[command(subcommand)]
    Operator(OperatorOp),
    /// Users, roles, groups, identity policies, access keys, and the policy simulator.
    #[command(subcommand)]
    Iam(iam::IamOp),
    /// Attaches a resource policy to a secret (--block-public-policy refuses broad access).
    PutResourcePolicy {
        #[arg(long)]
        secret_id: String,
        /// The policy (JSON, or file://PATH).
        #[arg(long)]
        resource_policy: String,
        #[arg(long)]
        block_public_policy: bool,
        /// The policy's name: `default`, the only one a secret can have.
        #[arg(long)]
        policy_name: Option<String>,
    },
    GetResourcePolicy {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        policy_name: Option<String>,
    },
    DeleteResourcePolicy {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        policy_name: Option<String>,
    },
    /// The names of a secret's resource policies (`default`, when it has one).
    ListResourcePolicies {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        max_results: Option<i64>,
        #[arg(long)]
        next_token: Option<String>,
    },
    /// Checks a resource policy and lists what is wrong with it.
    ValidateResourcePolicy {
        #[arg(long)]
        secret_id: Option<String>,
        #[arg(long)]
        resource_policy: String,
    },
    /// For each user and role: may it do each secretsmanager action on this secret, and why.
    GetEffectiveAccess {
        #[arg(long)]
        secret_id: String,
    },
    /// Writes one encrypted file holding the whole vault (every version, label, policy,
    /// principal, rotation setting and the audit trail); other processes may keep using
    /// the vault meanwhile. Any operator's passphrase restores it (`coffer restore`).
    Backup {
        /// The backup file to write (never replaces an existing file).
        #[arg(long)]
        out: PathBuf,
    },
    /// Creates or updates secrets from a .env or JSON file; a value already current is
    /// left alone, so importing twice changes nothing the second time.
    Import(transfer::ImportArgs),
    /// Prints secrets' current values as .env, JSON or YAML (plaintext: asks first on a
    /// terminal). A JSON secret gives its keys; any other string secret one variable named
    /// after the last segment of its name.
    Export(transfer::ExportArgs),
}

#[derive(Debug, Subcommand)]
pub enum OperatorOp {
    /// Gives someone a key slot (their passphrase: COFFER_NEW_PASSPHRASE,
    /// --new-passphrase-file, or typed twice).
    Add {
        name: String,
        #[command(flatten)]
        new: NewPassphraseArgs,
    },
    /// Changes the passphrase of the operator you unlock as.
    Passwd {
        #[command(flatten)]
        new: NewPassphraseArgs,
    },
    /// Removes an operator's key slot and re-keys the vault.
    Remove {
        name: String,
    },
    List,
}

#[derive(Debug, Args)]
pub struct NewPassphraseArgs {
    /// Read the new passphrase from the first line of this file.
    #[arg(long)]
    new_passphrase_file: Option<PathBuf>,
    /// Argon2id memory in KiB for the new slot (at least 19456; default 65536).
    #[arg(long, hide = true)]
    kdf_memory_kib: Option<u32>,
    /// Argon2id passes for the new slot (at least 2; default 3).
    #[arg(long, hide = true)]
    kdf_iterations: Option<u32>,
}

impl NewPassphraseArgs {
    fn passphrase(&self) -> Result<coffer_core::Passphrase> {
        if self.new_passphrase_file.is_none()
            && let Ok(p) = std::env::var("COFFER_NEW_PASSPHRASE")
        {
            anyhow::ensure!(!p.is_empty(), "the new passphrase must not be empty");
            return Ok(coffer_core::Passphrase::new(p));
        }
        crate::unlock::new_passphrase_from(self.new_passphrase_file.as_deref())
    }

    fn kdf(&self) -> Option<(u32, u32)> {
        crate::kdf_choice(self.kdf_memory_kib, self.kdf_iterations)
    }
}

#[derive(Debug, Args)]
pub struct ValueArgs {
    /// The value as text (file://PATH reads a file).
    #[arg(long, conflicts_with = "secret_binary")]
    secret_string: Option<String>,
    /// The value as bytes: fileb://PATH, or base64.
    #[arg(long)]
    secret_binary: Option<String>,
}

impl ValueArgs {
    fn take(&self) -> Result<(Option<SecretText>, Option<SecretBytes>)> {
        let s = self
            .secret_string
            .as_deref()
            .map(args::text_param)
            .transpose()?
            .map(SecretText::new);
        let b = self
            .secret_binary
            .as_deref()
            .map(args::blob_param)
            .transpose()?
            .map(SecretBytes::new);
        Ok((s, b))
    }
}

#[derive(Debug, Subcommand)]
pub enum KmsOp {
    /// Creates a customer-managed key.
    CreateKey {
        #[arg(long)]
        description: Option<String>,
    },
    ListKeys,
    DescribeKey {
        #[arg(long)]
        key_id: String,
    },
    /// Names a key: --alias-name alias/NAME --target-key-id KEY.
    CreateAlias {
        #[arg(long)]
        alias_name: String,
        #[arg(long)]
        target_key_id: String,
    },
    ListAliases,
    /// Replaces a key's policy (--policy-name default).
    PutKeyPolicy {
        #[arg(long)]
        key_id: String,
        #[arg(long, default_value = "default")]
        policy_name: String,
        /// The policy (JSON, or file://PATH).
        #[arg(long)]
        policy: String,
    },
    GetKeyPolicy {
        #[arg(long)]
        key_id: String,
        #[arg(long, default_value = "default")]
        policy_name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditOp {
    /// Lists events, newest first.
    List(AuditFilterArgs),
    /// Checks the whole chain and names the first event that was edited, deleted,
    /// reordered or cut off, and any state row put back, edited or deleted outside Coffer.
    Verify {
        /// Also check that this vault holds what an anchor saw (an older copy of the
        /// vault file does not): an anchor from `coffer audit anchor`, or a vault file — a
        /// replica (it keeps its primary's latest anchor) or a copy — whose anchors to use.
        #[arg(long = "anchor", value_name = "FILE")]
        anchors: Vec<PathBuf>,
    },
    /// Writes a small signed statement of the trail's newest event (sequence, digest,
    /// time) to keep outside the vault; `audit verify --anchor` checks the vault against it.
    Anchor {
        /// Write to this file instead of standard output (it holds no secret).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Writes events as CloudTrail JSON records.
    Export {
        #[command(flatten)]
        filter: AuditFilterArgs,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct AuditFilterArgs {
    /// A secret's name or ARN.
    #[arg(long)]
    secret_id: Option<String>,
    /// A principal's ARN or an operator's name.
    #[arg(long)]
    principal: Option<String>,
    #[arg(long = "event-name", num_args = 1..)]
    event_names: Vec<String>,
    /// cli, tui, desktop, endpoint or internal.
    #[arg(long)]
    front_end: Option<String>,
    /// Only denied or failed requests.
    #[arg(long)]
    errors_only: bool,
    /// Events at or after this time (RFC 3339, or e.g. 24h, 7d ago).
    #[arg(long)]
    since: Option<String>,
    /// Events at or before this time (RFC 3339).
    #[arg(long)]
    until: Option<String>,
    #[arg(long, default_value_t = 100)]
    limit: usize,
}

fn when(s: &str, now: jiff::Timestamp) -> Result<i64> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .with_context(|| format!("'{s}' is not a time (RFC 3339, or like 24h / 7d / 30m)"))?;
    let ms = match unit.trim() {
        "m" | "min" => n * 60_000,
        "h" => n * 3_600_000,
        "d" => n * 86_400_000,
        _ => anyhow::bail!("'{s}' is not a time (RFC 3339, or like 24h / 7d / 30m)"),
    };
    Ok(now.as_millisecond() - ms)
}

impl AuditFilterArgs {
    fn query(&self, now: jiff::Timestamp) -> Result<AuditQuery> {
        Ok(AuditQuery {
            secret_id: self.secret_id.clone(),
            principal: self.principal.clone(),
            event_names: self.event_names.clone(),
            front_end: self.front_end.clone(),
            errors_only: self.errors_only,
            from_ms: self.since.as_deref().map(|s| when(s, now)).transpose()?,
            to_ms: self.until.as_deref().map(|s| when(s, now)).transpose()?,
            limit: self.limit,
            ..AuditQuery::default()
        })
    }
}

impl Op {
    /// Whether the session agent may run this command for the CLI. Not those that ask on
    /// the terminal or need a passphrase: a new operator's or a replica's passphrase, the
    /// passphrase being changed, and export's "print plaintext on a terminal?" question.
    pub fn runs_in_session(&self) -> bool {
        !matches!(
            self,
            Op::Operator(OperatorOp::Add { .. } | OperatorOp::Passwd { .. })
                | Op::ReplicaRegion(_)
                | Op::ReplicaAccount(_)
                | Op::Export(_)
        )
    }

    /// The vault operation a command is, for error messages.
    pub fn operation(&self) -> Operation {
        match self {
            Op::CreateSecret { .. } => Operation::CreateSecret,
            Op::GetSecretValue { .. } => Operation::GetSecretValue,
            Op::BatchGetSecretValue { .. } => Operation::BatchGetSecretValue,
            Op::PutSecretValue { .. } => Operation::PutSecretValue,
            Op::UpdateSecret { .. } => Operation::UpdateSecret,
            Op::UpdateSecretVersionStage { .. } => Operation::UpdateSecretVersionStage,
            Op::DescribeSecret { .. } => Operation::DescribeSecret,
            Op::ListSecrets { .. } => Operation::ListSecrets,
            Op::ListSecretVersionIds { .. } => Operation::ListSecretVersionIds,
            Op::DeleteSecret { .. } => Operation::DeleteSecret,
            Op::RestoreSecret { .. } => Operation::RestoreSecret,
            Op::TagResource { .. } => Operation::TagResource,
            Op::UntagResource { .. } => Operation::UntagResource,
            Op::GetRandomPassword { .. } => Operation::GetRandomPassword,
            Op::Report(_) => Operation::GenerateHealthReport,
            Op::Kms(KmsOp::CreateKey { .. }) => Operation::CreateKey,
            Op::Kms(KmsOp::ListKeys) => Operation::ListKeys,
            Op::Kms(KmsOp::DescribeKey { .. }) => Operation::DescribeKey,
            Op::Kms(KmsOp::CreateAlias { .. }) => Operation::CreateAlias,
            Op::Kms(KmsOp::ListAliases) => Operation::ListAliases,
            Op::Audit(AuditOp::List(_)) => Operation::LookupEvents,
            Op::Audit(AuditOp::Verify { .. }) => Operation::VerifyAuditTrail,
            Op::Audit(AuditOp::Anchor { .. }) => Operation::AnchorAuditTrail,
            Op::Audit(AuditOp::Export { .. }) => Operation::ExportAuditTrail,
            Op::Operator(OperatorOp::Add { .. }) => Operation::AddOperator,
            Op::Operator(OperatorOp::Passwd { .. }) => Operation::ChangeOperatorPassphrase,
            Op::Operator(OperatorOp::Remove { .. }) => Operation::RemoveOperator,
            Op::Operator(OperatorOp::List) => Operation::ListOperators,
            Op::Iam(op) => op.operation(),
            Op::RotateSecret { .. } => Operation::RotateSecret,
            Op::CancelRotateSecret { .. } => Operation::CancelRotateSecret,
            Op::RotateDue { .. } => Operation::RotateDue,
            Op::ReplicateSecretToRegions { .. } => Operation::ReplicateSecretToRegions,
            Op::RemoveRegionsFromReplication { .. } => Operation::RemoveRegionsFromReplication,
            Op::StopReplicationToReplica { .. } => Operation::StopReplicationToReplica,
            Op::ReplicaRegion(r) => r.operation(),
            Op::ReplicaAccount(r) => r.operation(),
            Op::AssociateCrossAccountReplica { .. } => Operation::AssociateCrossAccountReplica,
            Op::DisassociateCrossAccountReplica { .. } => {
                Operation::DisassociateCrossAccountReplica
            }
            Op::Rotation(r) => match r {
                rotation::RotationOp::CreateFunction { .. } => Operation::CreateRotationFunction,
                rotation::RotationOp::ListFunctions => Operation::ListRotationFunctions,
                rotation::RotationOp::DeleteFunction { .. } => Operation::DeleteRotationFunction,
                rotation::RotationOp::ListPending => Operation::ListPendingRotations,
                rotation::RotationOp::Approve { .. } => Operation::ApproveRotation,
                rotation::RotationOp::Reject { .. } => Operation::RejectRotation,
                rotation::RotationOp::Retry { .. } => Operation::RetryRotation,
                rotation::RotationOp::History { .. } => Operation::RotationHistory,
                rotation::RotationOp::SetApproval { .. } => Operation::PutRotationApproval,
            },
            Op::PutResourcePolicy { .. } => Operation::PutResourcePolicy,
            Op::GetResourcePolicy { .. } => Operation::GetResourcePolicy,
            Op::DeleteResourcePolicy { .. } => Operation::DeleteResourcePolicy,
            Op::ListResourcePolicies { .. } => Operation::ListResourcePolicies,
            Op::ValidateResourcePolicy { .. } => Operation::ValidateResourcePolicy,
            Op::GetEffectiveAccess { .. } => Operation::GetEffectiveAccess,
            Op::Backup { .. } => Operation::BackupVault,
            Op::Import(_) => Operation::ImportSecrets,
            Op::Export(_) => Operation::GetSecretValue,
            Op::Kms(KmsOp::PutKeyPolicy { .. }) => Operation::PutKeyPolicy,
            Op::Kms(KmsOp::GetKeyPolicy { .. }) => Operation::GetKeyPolicy,
        }
    }
}

/// What a command produced: JSON to print, or an error from the vault.
pub enum Outcome {
    Json(Value),
    /// JSON that carries a secret value; printed once, then zeroized.
    Secret(zeroize::Zeroizing<String>),
    /// The audit chain is broken: print the report and exit non-zero.
    Broken(Value),
    /// A health report, and whether `--fail-on` found a finding that bad (exit non-zero).
    Report(Box<coffer_core::health::HealthReport>, bool),
}

pub(crate) fn json<T: Serialize>(v: &T) -> Result<Outcome> {
    Ok(Outcome::Json(serde_json::to_value(v)?))
}

pub(crate) fn reveal<T: coffer_core::model::RevealSerialize>(v: &T) -> Result<Outcome> {
    Ok(Outcome::Secret(zeroize::Zeroizing::new(
        serde_json::to_string(&Reveal(v))?,
    )))
}

/// Runs one operation; vault errors come back as `coffer_core::Error` inside anyhow.
/// `unlocked_with` is the passphrase the vault was unlocked with (`operator passwd` needs it;
/// the session agent keeps none, so it never runs that one: see [`Op::runs_in_session`]).
/// `front_end` is the CLI's own, or the session agent's when it runs a forwarded command.
/// `rekey` is told the progress of a re-key (`operator remove`, `operator passwd`).
pub fn run(
    vault: &std::sync::Arc<Vault>,
    op: Op,
    unlocked_with: Option<&coffer_core::Passphrase>,
    front_end: FrontEnd,
    rekey: coffer_core::vault::RekeyProgress<'_>,
) -> Result<Outcome> {
    let c: Caller = vault.caller(front_end);
    let none_if_empty = |v: Vec<String>| if v.is_empty() { None } else { Some(v) };
    match op {
        Op::CreateSecret {
            name,
            client_request_token,
            description,
            kms_key_id,
            value,
            tags,
            secret_type,
            cross_account_primary_arn,
        } => {
            let (secret_string, secret_binary) = value.take()?;
            json(&vault.create_secret(
                &c,
                CreateSecretRequest {
                    name,
                    client_request_token,
                    description,
                    kms_key_id,
                    secret_string,
                    secret_binary,
                    tags: args::tags(&tags)?,
                    secret_type,
                    cross_account_primary_arn,
                    ..CreateSecretRequest::default()
                },
            )?)
        }
        Op::GetSecretValue {
            secret_id,
            version_id,
            version_stage,
        } => reveal(&vault.get_secret_value(
            &c,
            GetSecretValueRequest {
                secret_id,
                version_id,
                version_stage,
            },
        )?),
        Op::BatchGetSecretValue {
            secret_id_list,
            filters,
            max_results,
            next_token,
        } => reveal(&vault.batch_get_secret_value(
            &c,
            BatchGetSecretValueRequest {
                secret_id_list,
                filters: args::filters(&filters)?,
                max_results,
                next_token,
            },
        )?),
        Op::PutSecretValue {
            secret_id,
            client_request_token,
            value,
            version_stages,
            rotation_token,
        } => {
            let (secret_string, secret_binary) = value.take()?;
            json(&vault.put_secret_value(
                &c,
                PutSecretValueRequest {
                    secret_id,
                    client_request_token,
                    secret_string,
                    secret_binary,
                    version_stages: none_if_empty(version_stages),
                    rotation_token,
                },
            )?)
        }
        Op::UpdateSecret {
            secret_id,
            client_request_token,
            description,
            kms_key_id,
            value,
            secret_type,
        } => {
            let (secret_string, secret_binary) = value.take()?;
            json(&vault.update_secret(
                &c,
                UpdateSecretRequest {
                    secret_id,
                    client_request_token,
                    description,
                    kms_key_id,
                    secret_string,
                    secret_binary,
                    secret_type,
                },
            )?)
        }
        Op::UpdateSecretVersionStage {
            secret_id,
            version_stage,
            remove_from_version_id,
            move_to_version_id,
        } => json(&vault.update_secret_version_stage(
            &c,
            UpdateSecretVersionStageRequest {
                secret_id,
                version_stage,
                remove_from_version_id,
                move_to_version_id,
            },
        )?),
        Op::DescribeSecret { secret_id } => {
            json(&vault.describe_secret(&c, SecretIdRequest { secret_id })?)
        }
        Op::ListSecrets {
            include_planned_deletion,
            max_results,
            next_token,
            filters,
            sort_order,
            sort_by,
        } => {
            let all_pages = max_results.is_none() && next_token.is_none();
            let mut req = ListSecretsRequest {
                include_planned_deletion,
                max_results,
                next_token,
                filters: args::filters(&filters)?,
                sort_order,
                sort_by,
            };
            let mut resp = vault.list_secrets(&c, req.clone())?;
            while all_pages && let Some(t) = resp.next_token.take() {
                req.next_token = Some(t);
                let more = vault.list_secrets(&c, req.clone())?;
                resp.secret_list.extend(more.secret_list);
                resp.next_token = more.next_token;
            }
            json(&resp)
        }
        Op::ListSecretVersionIds {
            secret_id,
            max_results,
            next_token,
            include_deprecated,
        } => json(&vault.list_secret_version_ids(
            &c,
            ListSecretVersionIdsRequest {
                secret_id,
                max_results,
                next_token,
                include_deprecated,
            },
        )?),
        Op::DeleteSecret {
            secret_id,
            recovery_window_in_days,
            force_delete_without_recovery,
        } => json(&vault.delete_secret(
            &c,
            DeleteSecretRequest {
                secret_id,
                recovery_window_in_days,
                force_delete_without_recovery: force_delete_without_recovery.then_some(true),
            },
        )?),
        Op::RestoreSecret { secret_id } => {
            json(&vault.restore_secret(&c, SecretIdRequest { secret_id })?)
        }
        Op::TagResource { secret_id, tags } => {
            vault.tag_resource(
                &c,
                TagResourceRequest {
                    secret_id,
                    tags: args::tags(&tags)?,
                },
            )?;
            Ok(Outcome::Json(Value::Null))
        }
        Op::UntagResource {
            secret_id,
            tag_keys,
        } => {
            vault.untag_resource(
                &c,
                UntagResourceRequest {
                    secret_id,
                    tag_keys,
                },
            )?;
            Ok(Outcome::Json(Value::Null))
        }
        Op::Report(a) => health::run(vault, &c, a),
        Op::GetRandomPassword {
            password_length,
            exclude_characters,
            exclude_numbers,
            exclude_punctuation,
            exclude_uppercase,
            exclude_lowercase,
            include_space,
            no_require_each_included_type,
        } => reveal(&vault.get_random_password(
            &c,
            GetRandomPasswordRequest {
                password_length,
                exclude_characters,
                exclude_numbers: Some(exclude_numbers),
                exclude_punctuation: Some(exclude_punctuation),
                exclude_uppercase: Some(exclude_uppercase),
                exclude_lowercase: Some(exclude_lowercase),
                include_space: Some(include_space),
                require_each_included_type: Some(!no_require_each_included_type),
            },
        )?),
        Op::Kms(k) => match k {
            KmsOp::CreateKey { description } => json(&vault.create_key(
                &c,
                CreateKeyRequest {
                    description,
                    tags: vec![],
                },
            )?),
            KmsOp::ListKeys => json(&vault.list_keys(&c)?),
            KmsOp::DescribeKey { key_id } => {
                json(&vault.describe_key(&c, KeyIdRequest { key_id })?)
            }
            KmsOp::CreateAlias {
                alias_name,
                target_key_id,
            } => {
                vault.create_alias(
                    &c,
                    CreateAliasRequest {
                        alias_name,
                        target_key_id,
                    },
                )?;
                Ok(Outcome::Json(Value::Null))
            }
            KmsOp::ListAliases => json(&vault.list_aliases(&c)?),
            KmsOp::PutKeyPolicy {
                key_id,
                policy_name,
                policy,
            } => {
                anyhow::ensure!(
                    policy_name == "default",
                    "the only key policy is named default"
                );
                vault.put_key_policy(&c, &key_id, &args::text_param(&policy)?)?;
                Ok(Outcome::Json(Value::Null))
            }
            KmsOp::GetKeyPolicy {
                key_id,
                policy_name,
            } => {
                anyhow::ensure!(
                    policy_name == "default",
                    "the only key policy is named default"
                );
                Ok(Outcome::Json(
                    serde_json::json!({ "Policy": vault.get_key_policy(&c, &key_id)?, "PolicyName": "default" }),
                ))
            }
        },
        Op::Operator(o) => match o {
            OperatorOp::Add { name, new } => {
                json(&vault.add_operator(&c, &name, &new.passphrase()?, new.kdf())?)
            }
            OperatorOp::Passwd { new } => {
                let unlocked_with = unlocked_with
                    .context("changing the passphrase needs it typed, not a session")?;
                vault.change_passphrase_reporting(
                    &c,
                    unlocked_with,
                    &new.passphrase()?,
                    new.kdf(),
                    rekey,
                )?;
                Ok(Outcome::Json(Value::Null))
            }
            OperatorOp::Remove { name } => {
                vault.remove_operator_reporting(&c, &name, rekey)?;
                Ok(Outcome::Json(Value::Null))
            }
            OperatorOp::List => json(&vault.list_operators(&c)?),
        },
        Op::Iam(i) => iam::run(vault, &c, i),
        Op::RotateSecret {
            secret_id,
            client_request_token,
            rotation_lambda_arn,
            rotation_rules,
            rotate_immediately: _,
            no_rotate_immediately,
            no_wait,
            external_secret_rotation_metadata,
            external_secret_rotation_role_arn,
        } => rotation::rotate_secret(
            vault,
            &c,
            RotateSecretRequest {
                secret_id,
                client_request_token,
                rotation_lambda_arn,
                rotation_rules: rotation_rules
                    .as_deref()
                    .map(rotation::rotation_rules)
                    .transpose()?,
                rotate_immediately: Some(!no_rotate_immediately),
                external_secret_rotation_metadata: args::tags(&external_secret_rotation_metadata)?
                    .into_iter()
                    .map(|t| ExternalSecretRotationMetadataItem {
                        key: Some(t.key),
                        value: Some(t.value),
                    })
                    .collect(),
                external_secret_rotation_role_arn,
            },
            !no_wait,
        ),
        Op::CancelRotateSecret { secret_id } => {
            rotation::cancel_rotate_secret(vault, &c, secret_id)
        }
        Op::RotateDue { lease_seconds } => rotation::rotate_due(vault, lease_seconds),
        Op::Rotation(r) => rotation::run(vault, &c, r),
        Op::ReplicateSecretToRegions {
            secret_id,
            add_replica_regions,
            force_overwrite_replica_secret,
        } => replicas::replicate(
            vault,
            &c,
            secret_id,
            &add_replica_regions,
            force_overwrite_replica_secret,
        ),
        Op::RemoveRegionsFromReplication {
            secret_id,
            remove_replica_regions,
        } => replicas::remove(vault, &c, secret_id, remove_replica_regions),
        Op::StopReplicationToReplica { secret_id } => replicas::stop(vault, &c, secret_id),
        Op::ReplicaRegion(r) => replicas::run_region(vault, &c, r),
        Op::ReplicaAccount(r) => replicas::run_account(vault, &c, r),
        Op::AssociateCrossAccountReplica {
            secret_id,
            cross_account_replica_arn,
            replica_restriction,
            replication_role_arn,
        } => json(&vault.associate_cross_account_replica(
            &c,
            coffer_core::api::AssociateCrossAccountReplicaRequest {
                secret_id,
                cross_account_replica_arn,
                replica_restriction,
                replication_role_arn,
            },
        )?),
        Op::DisassociateCrossAccountReplica {
            secret_id,
            cross_account_replica_arn,
        } => json(&vault.disassociate_cross_account_replica(
            &c,
            coffer_core::api::DisassociateCrossAccountReplicaRequest {
                secret_id,
                cross_account_replica_arn,
            },
        )?),
        Op::PutResourcePolicy {
            secret_id,
            resource_policy,
            block_public_policy,
            policy_name,
        } => json(&vault.put_resource_policy(
            &c,
            coffer_core::vault::policies::PutResourcePolicyRequest {
                secret_id,
                resource_policy: args::text_param(&resource_policy)?,
                block_public_policy: Some(block_public_policy),
                policy_name,
            },
        )?),
        Op::GetResourcePolicy {
            secret_id,
            policy_name,
        } => json(&vault.get_resource_policy(
            &c,
            coffer_core::vault::policies::ResourcePolicyRequest {
                secret_id,
                policy_name,
            },
        )?),
        Op::DeleteResourcePolicy {
            secret_id,
            policy_name,
        } => json(&vault.delete_resource_policy(
            &c,
            coffer_core::vault::policies::ResourcePolicyRequest {
                secret_id,
                policy_name,
            },
        )?),
        Op::ListResourcePolicies {
            secret_id,
            max_results,
            next_token,
        } => json(&vault.list_resource_policies(
            &c,
            coffer_core::vault::policies::ListResourcePoliciesRequest {
                secret_id,
                max_results,
                next_token,
            },
        )?),
        Op::ValidateResourcePolicy {
            secret_id,
            resource_policy,
        } => json(&vault.validate_resource_policy(
            &c,
            coffer_core::vault::policies::ValidateResourcePolicyRequest {
                secret_id,
                resource_policy: args::text_param(&resource_policy)?,
            },
        )?),
        Op::GetEffectiveAccess { secret_id } => {
            json(&vault.get_effective_access(&c, SecretIdRequest { secret_id })?)
        }
        Op::Backup { out } => backup::backup(vault, &c, &out),
        Op::Import(args) => transfer::import(vault, &c, args),
        Op::Export(args) => transfer::export(vault, &c, args),
        Op::Audit(a) => match a {
            AuditOp::List(f) => {
                let page = vault.query_audit(&c, &f.query(vault.now())?)?;
                let events: Vec<Value> = page
                    .events
                    .into_iter()
                    .map(|e| {
                        serde_json::json!({
                            "Sequence": e.sequence,
                            "EventTime": e.event.event_time,
                            "EventName": e.event_name,
                            "Principal": e.principal_arn,
                            "FrontEnd": e.front_end,
                            "SourceIPAddress": e.source_ip,
                            "SecretARN": e.secret_arn,
                            "VersionIds": e.version_ids,
                            "VersionStages": e.version_stages,
                            "ErrorCode": e.error_code,
                            "ErrorMessage": e.error_message,
                            "RequestParameters": e.event.request_parameters,
                        })
                    })
                    .collect();
                Ok(Outcome::Json(
                    serde_json::json!({ "Events": events, "NextBeforeSequence": page.next_before_sequence }),
                ))
            }
            AuditOp::Verify { anchors } => {
                let mut found = Vec::new();
                for path in &anchors {
                    found.extend(coffer_core::audit::anchor::read_file(path)?);
                }
                if !anchors.is_empty() && found.is_empty() {
                    anyhow::bail!("the files given with --anchor carry no anchor");
                }
                let report = vault.verify_audit_trail_against(&c, &found)?;
                let v = serde_json::to_value(&report)?;
                Ok(if report.intact {
                    Outcome::Json(v)
                } else {
                    Outcome::Broken(v)
                })
            }
            AuditOp::Anchor { out } => {
                let anchor = serde_json::to_value(vault.anchor_audit_trail(&c)?)?;
                match out {
                    Some(path) => {
                        std::fs::write(&path, serde_json::to_vec_pretty(&anchor)?)
                            .with_context(|| format!("cannot write {}", path.display()))?;
                        Ok(Outcome::Json(serde_json::json!({
                            "Sequence": anchor["Sequence"],
                            "Time": anchor["Time"],
                            "File": path.display().to_string()
                        })))
                    }
                    None => Ok(Outcome::Json(anchor)),
                }
            }
            AuditOp::Export { filter, out } => {
                let records = vault.export_audit_trail(&c, &filter.query(vault.now())?)?;
                match out {
                    Some(path) => {
                        std::fs::write(&path, serde_json::to_vec_pretty(&records)?)
                            .with_context(|| format!("cannot write {}", path.display()))?;
                        Ok(Outcome::Json(serde_json::json!({
                            "Records": records["Records"].as_array().map_or(0, Vec::len),
                            "File": path.display().to_string()
                        })))
                    }
                    None => Ok(Outcome::Json(records)),
                }
            }
        },
    }
}

/// Renders and prints an outcome; returns the exit code.
pub fn print(outcome: Outcome, format: OutputFormat, query: Option<&str>) -> Result<i32> {
    let (value, code) = match outcome {
        Outcome::Json(Value::Null) => return Ok(0),
        Outcome::Json(v) => (v, 0),
        Outcome::Broken(v) => (v, 1),
        Outcome::Report(r, failed) => {
            let code = i32::from(failed);
            if format == OutputFormat::Table && query.is_none() {
                println!("{}", health::table(&r));
                return Ok(code);
            }
            (serde_json::to_value(&*r)?, code)
        }
        Outcome::Secret(s) => {
            let v: Value = serde_json::from_str(&s)?;
            let rendered = zeroize::Zeroizing::new(output::render(v, format, query)?);
            println!("{}", rendered.as_str());
            return Ok(0);
        }
    };
    println!("{}", output::render(value, format, query)?);
    Ok(code)
}
