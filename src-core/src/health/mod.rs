//! Vault health: what an operator should fix today, each finding with its evidence, its
//! severity and the fix it offers — found without revealing a value. Values are read only
//! by [`values::ValueFacts::of`], inside the core, and what it keeps of them is a
//! strength score, a length and a keyed fingerprint (sealed at rest). Findings carry
//! dates, counts, names and ARNs: never a value or a fragment of one, and never zxcvbn's
//! feedback, which can quote the password it judged.
//!
//! `Vault::health_report` gathers what the findings need and calls [`assess`], which is
//! pure: every rule below is a function of its [`Inputs`] and the [`Thresholds`].
//!
//! **Why this file is long:** it is one pure function per finding rule, in the order of the
//! report's kinds, over one set of inputs and thresholds; split by kind, each file would need
//! all of them.

pub mod policies;
pub mod values;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use values::ValueFacts;

const DAY_MS: i64 = 86_400_000;

/// How bad a finding is. Ordered: `Low < Medium < High`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Low, Self::Medium, Self::High]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// What a finding is about.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    NeverRead,
    NotReadRecently,
    RotationOff,
    RotationOverdue,
    RotationFailing,
    RotationAwaitingApproval,
    WeakValue,
    ReusedValue,
    UnchangedValue,
    UnusedAccess,
    PublicResourcePolicy,
    CrossAccountResourcePolicy,
    AccessKeyUnused,
    AccessKeyOld,
    OperatorNeverUnlocked,
    DeletionDue,
    ReplicaFailed,
    ReplicaOutOfSync,
}

impl FindingKind {
    pub const ALL: [FindingKind; 18] = [
        Self::NeverRead,
        Self::NotReadRecently,
        Self::RotationOff,
        Self::RotationOverdue,
        Self::RotationFailing,
        Self::RotationAwaitingApproval,
        Self::WeakValue,
        Self::ReusedValue,
        Self::UnchangedValue,
        Self::UnusedAccess,
        Self::PublicResourcePolicy,
        Self::CrossAccountResourcePolicy,
        Self::AccessKeyUnused,
        Self::AccessKeyOld,
        Self::OperatorNeverUnlocked,
        Self::DeletionDue,
        Self::ReplicaFailed,
        Self::ReplicaOutOfSync,
    ];

    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// Who or what a finding is about: what a console opens from it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "Type")]
pub enum Subject {
    Secret {
        #[serde(rename = "Name")]
        name: String,
        #[serde(rename = "ARN")]
        arn: String,
    },
    Principal {
        #[serde(rename = "ARN")]
        arn: String,
    },
    AccessKey {
        #[serde(rename = "AccessKeyId")]
        access_key_id: String,
        #[serde(rename = "UserName")]
        user_name: String,
        #[serde(rename = "PrincipalARN")]
        principal_arn: String,
    },
    Operator {
        #[serde(rename = "Name")]
        name: String,
        #[serde(rename = "ARN")]
        arn: String,
    },
}

impl Subject {
    /// How the subject reads in a table.
    pub fn label(&self) -> &str {
        match self {
            Self::Secret { name, .. } | Self::Operator { name, .. } => name,
            Self::Principal { arn } => arn,
            Self::AccessKey { access_key_id, .. } => access_key_id,
        }
    }
}

/// The fix a finding offers, as data for a console to carry out (after confirmation).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "Action")]
pub enum Fix {
    /// RotateSecret now (the secret has rotation set up).
    RotateNow {
        #[serde(rename = "SecretId")]
        secret_id: String,
    },
    /// Set up rotation (RotateSecret with a function and a schedule).
    TurnRotationOn {
        #[serde(rename = "SecretId")]
        secret_id: String,
    },
    /// DeleteSecret with a recovery window.
    ScheduleDeletion {
        #[serde(rename = "SecretId")]
        secret_id: String,
    },
    /// UpdateAccessKey to Inactive.
    DeactivateKey {
        #[serde(rename = "UserName")]
        user_name: String,
        #[serde(rename = "AccessKeyId")]
        access_key_id: String,
    },
    /// Replace the principal's identity policies with one that grants what it used.
    ApplyLeastPrivilegePolicy {
        #[serde(rename = "PrincipalARN")]
        principal_arn: String,
        /// The principal's identity policies now, as one document.
        #[serde(rename = "CurrentPolicy")]
        current: String,
        #[serde(rename = "ProposedPolicy")]
        proposed: String,
        /// The proposal against the policies now, line by line, as both consoles show it.
        #[serde(rename = "Diff")]
        diff: Vec<DiffLine>,
    },
}

/// One line of a document compared with another.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DiffLine {
    pub kind: DiffKind,
    pub text: String,
}

/// Whether a line stays, goes or comes.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffKind {
    Same,
    Removed,
    Added,
}

/// A line diff (longest common subsequence) of two documents.
pub fn line_diff(before: &str, after: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let line = |kind, text: &str| DiffLine {
        kind,
        text: text.to_string(),
    };
    let (mut i, mut j) = (0, 0);
    let mut out = vec![];
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(line(DiffKind::Same, a[i]));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(line(DiffKind::Removed, a[i]));
            i += 1;
        } else {
            out.push(line(DiffKind::Added, b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| line(DiffKind::Removed, l)));
    out.extend(b[j..].iter().map(|l| line(DiffKind::Added, l)));
    out
}

impl Fix {
    pub fn label(&self) -> &'static str {
        match self {
            Self::RotateNow { .. } => "rotate now",
            Self::TurnRotationOn { .. } => "turn rotation on",
            Self::ScheduleDeletion { .. } => "schedule deletion",
            Self::DeactivateKey { .. } => "deactivate key",
            Self::ApplyLeastPrivilegePolicy { .. } => "apply least-privilege policy",
        }
    }
}

/// What a finding rests on: dates (ISO 8601), counts, principals, a rotation step and its
/// error. Never a value.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(rename_all = "PascalCase")]
pub struct Evidence {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_read_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_read_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_changed_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    pub days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tries: Option<u32>,
    /// The JSON field a weak value sits in (its name, never its content).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// zxcvbn's score, 0 (guessable) to 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// Other secrets (names) that hold the same value (the first ten by name: `count` says
    /// how many there are); principals or accounts a policy grants; actions granted and not
    /// used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub names: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub used_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "HealthFinding"))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    pub subject: Subject,
    /// One sentence for a table or a list (built from the evidence only).
    pub summary: String,
    pub evidence: Evidence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub fix: Option<Fix>,
}

/// The thresholds of the findings that count days.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Thresholds {
    /// A secret not read, a grant not used, an access key not used for this many days.
    pub unused_days: u32,
    /// A value not changed for this many days.
    pub unchanged_days: u32,
    /// A rotation waiting for approval for this many days.
    pub approval_days: u32,
    /// An active access key older than this many days.
    pub key_age_days: u32,
    /// A secret whose deletion is due within this many days.
    pub deletion_days: u32,
}

impl Default for Thresholds {
    /// 90 days for unused secrets (AWS Security Hub's SecretsManager.3 default), unchanged
    /// values (SecretsManager.4) and old access keys (IAM.3); 90 days of unused access (as
    /// Access Analyzer's unused-access findings default); 3 days waiting for approval; 7 days
    /// to deletion (AWS's shortest recovery window).
    fn default() -> Self {
        Self {
            unused_days: 90,
            unchanged_days: 90,
            approval_days: 3,
            key_age_days: 90,
            deletion_days: 7,
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SeverityCounts {
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

/// The report: findings worst first.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HealthReport {
    pub generated_date: String,
    pub thresholds: Thresholds,
    pub secrets_checked: usize,
    pub principals_checked: usize,
    pub counts: SeverityCounts,
    /// Shared with the findings the vault keeps between reports ([`Assessor`]): a report of
    /// 100,000 findings hands out that many pointers rather than copies.
    #[serde(with = "shared_findings")]
    #[cfg_attr(feature = "ts", ts(as = "Vec<Finding>"))]
    pub findings: Vec<Arc<Finding>>,
}

/// `Vec<Arc<Finding>>` as a list of findings (serde's own would need its `rc` feature for
/// the whole build).
mod shared_findings {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serializer};

    use super::Finding;

    pub fn serialize<S: Serializer>(f: &[Arc<Finding>], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(f.iter().map(|f| &**f))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Arc<Finding>>, D::Error> {
        Ok(Vec::<Finding>::deserialize(d)?
            .into_iter()
            .map(Arc::new)
            .collect())
    }
}

impl HealthReport {
    /// Whether a finding at `at_least` or worse is in the report.
    pub fn has_at_least(&self, at_least: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= at_least)
    }
}

// ---- what `assess` looks at ----

/// A secret as the findings need it.
#[derive(Debug, Clone)]
pub struct SecretInput {
    pub uid: String,
    pub name: String,
    pub arn: String,
    pub created_ms: i64,
    /// When its current value was made.
    pub current_created_ms: Option<i64>,
    pub deletion_ms: Option<i64>,
    pub is_replica: bool,
    /// Rotation: turned on, has a function, the end of its next window.
    pub rotation_enabled: bool,
    pub rotation_function: bool,
    pub rotation_due: Option<(i64, i64)>,
    pub policy: Option<String>,
    /// (region, status, message, in sync with the latest change).
    pub replicas: Vec<(String, String, bool)>,
    /// The current value's facts, if it has a value.
    pub facts: Option<ValueFacts>,
    /// Last read (day, by whom), from the audit summary.
    pub last_read: Option<(i64, String)>,
}

/// An unfinished rotation attempt.
#[derive(Debug, Clone)]
pub struct AttemptInput {
    pub secret_uid: String,
    pub failed: bool,
    pub requested_ms: i64,
    pub requested_by: String,
    pub tries: u32,
    /// The failing step and its error.
    pub step: Option<String>,
    pub error: Option<String>,
}

/// A user or role that is not an operator.
#[derive(Debug, Clone)]
pub struct PrincipalInput {
    pub arn: String,
    pub created_ms: i64,
    /// Its identity policy documents.
    pub policies: Vec<String>,
    /// Secrets Manager actions (without the prefix) by the day of their last success.
    pub used: HashMap<String, i64>,
}

#[derive(Debug, Clone)]
pub struct KeyInput {
    pub access_key_id: String,
    pub user_name: String,
    pub principal_arn: String,
    pub created_ms: i64,
    pub active: bool,
    /// The last day its principal made any successful request.
    pub principal_last_used: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct OperatorInput {
    pub name: String,
    pub arn: String,
    pub ever_unlocked: bool,
}

#[derive(Debug, Clone)]
pub struct Inputs {
    pub now_ms: i64,
    pub account_id: String,
    pub secrets: Vec<SecretInput>,
    pub attempts: Vec<AttemptInput>,
    pub principals: Vec<PrincipalInput>,
    pub keys: Vec<KeyInput>,
    pub operators: Vec<OperatorInput>,
}

/// A day as ISO 8601 (`2026-01-31`).
pub fn day(ms: i64) -> String {
    let t = crate::model::from_epoch_ms(ms);
    t.strftime("%Y-%m-%d").to_string()
}

fn days_between(from_ms: i64, to_ms: i64) -> i64 {
    (to_ms - from_ms).div_euclid(DAY_MS)
}

/// Every finding, worst first.
pub fn assess(inp: &Inputs, t: &Thresholds) -> HealthReport {
    Assessor::default().report(inp, None, t)
}

/// Where a finding stands in the report: worst first, then by kind and by subject; one
/// subject's findings of one kind in the order they were made.
///
/// A secret's places share its label and uid (a first report makes 100,000 of them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    severity: std::cmp::Reverse<Severity>,
    kind: FindingKind,
    /// The subject's label (the secret's name).
    label: Arc<str>,
    /// The secret's uid.
    owner: Arc<str>,
    n: usize,
}

impl Place {
    fn of(f: &Finding, label: &Arc<str>, owner: &Arc<str>, n: usize) -> Self {
        Self {
            severity: std::cmp::Reverse(f.severity),
            kind: f.kind,
            label: label.clone(),
            owner: owner.clone(),
            n,
        }
    }
}

/// A reused value's finding comes after the secret's own findings of that kind (it has none).
const REUSE_N: usize = usize::MAX;

/// How many of the other secrets holding a reused value its finding names (the count says
/// how many there are): each member of a group of a thousand naming the other 999 would
/// make a million names, and a sentence no one reads.
const REUSE_NAMES_SHOWN: usize = 10;

/// What [`Assessor`] holds of one secret.
struct Held {
    subject: Subject,
    /// Where its own findings stand in [`Assessor::sorted`].
    places: Vec<Place>,
    /// They hold from `from` until just before `until` (see [`Until`]).
    from: i64,
    until: i64,
    /// Its value's fingerprint when it takes part in reuse.
    print: Option<[u8; 32]>,
    /// Whether a rotation attempt of it is unfinished (an overdue rotation is not then).
    attempt: bool,
    /// Whether it has a rotation function (its fixes rotate it now rather than set it up).
    rotatable: bool,
}

/// The secrets that hold one value, and the findings that say so.
#[derive(Default)]
struct Group {
    /// Their uids (their names and ARNs are in [`Assessor::held`]).
    members: foldhash::HashSet<String>,
    places: Vec<Place>,
}

/// The findings kept between reports, so that a report remakes only the findings of the
/// secrets that changed, of the reuse groups they left or joined, and of the secrets whose
/// findings the date changed (each secret's findings say until when they hold: the next
/// time a day count they show, or a threshold they test, moves). Attempts, principals, keys
/// and operators are few, and remade each time. What it reports equals [`assess`] on the
/// same inputs.
#[derive(Default)]
pub struct Assessor {
    /// The thresholds and account the findings were made for.
    basis: Option<(Thresholds, String)>,
    held: foldhash::HashMap<String, Held>,
    groups: foldhash::HashMap<[u8; 32], Group>,
    sorted: BTreeMap<Place, Arc<Finding>>,
}

/// From how many items [`par_map`] splits its work between threads.
const PARALLEL_FROM: usize = 2_048;

/// `items.iter().map(f)`, on as many threads as there are cores (up to 8) when the items
/// are many: the first report at 100,000 secrets makes each one's input and findings.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || items.len() < PARALLEL_FROM {
        return items.iter().map(f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(items.len().div_ceil(threads))
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for p in parts {
            out.extend(p.join().expect("a report's worker does not panic"));
        }
        out
    })
}

/// `f` on each of as many parts of `items` as there are cores (up to 8) when the items are
/// many, else on all of them at once.
pub(crate) fn par_chunks<T: Send>(items: &mut [T], f: impl Fn(&mut [T]) + Sync) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || items.len() < PARALLEL_FROM {
        return f(items);
    }
    let size = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        for part in items.chunks_mut(size) {
            scope.spawn(move || f(part));
        }
    });
}

/// One secret's findings made afresh (by [`par_map`]'s workers, with all they allocate),
/// for [`Assessor::redo`] to put in place.
struct Fresh {
    uid: String,
    subject: Subject,
    /// Where `found` go in [`Assessor::sorted`], kept to take them out again.
    places: Vec<Place>,
    found: Vec<(Place, Arc<Finding>)>,
    until: i64,
}

/// What a report remade: findings to put in their places together (into an empty map, on the
/// first report, in one sorted build rather than a tree descent each), and the reuse groups
/// to remake.
#[derive(Default)]
struct Made {
    findings: Vec<(Place, Arc<Finding>)>,
    regroup: Vec<[u8; 32]>,
}

/// The first moment after `now` at which what a secret's findings say may change.
struct Until {
    now: i64,
    until: i64,
}

impl Until {
    /// A count of whole days since `a` that a finding shows from `threshold_ms` on: it
    /// moves at the next whole day after `a` once shown, else when it is first shown.
    fn since(&mut self, a: i64, threshold_ms: i64) {
        let next = if self.now - a >= threshold_ms {
            a + ((self.now - a).div_euclid(DAY_MS) + 1) * DAY_MS
        } else {
            a + threshold_ms
        };
        self.at(next);
    }
    /// A moment something turns true at.
    fn at(&mut self, moment: i64) {
        if moment > self.now {
            self.until = self.until.min(moment);
        }
    }
}

impl Assessor {
    /// The report on `inp`, remaking the findings of the secrets whose uid is in `changed`
    /// (all when `None`) and of those the date changed.
    pub fn report(
        &mut self,
        inp: &Inputs,
        changed: Option<&foldhash::HashSet<String>>,
        t: &Thresholds,
    ) -> HealthReport {
        let now = inp.now_ms;
        let basis = (*t, inp.account_id.clone());
        if self.basis.as_ref() != Some(&basis) {
            *self = Self {
                basis: Some(basis),
                ..Self::default()
            };
        }
        let attempted: HashSet<&str> = inp.attempts.iter().map(|a| a.secret_uid.as_str()).collect();
        let stale: Vec<(&SecretInput, bool)> = inp
            .secrets
            .iter()
            .filter_map(|s| {
                let attempt = attempted.contains(s.uid.as_str());
                let stale = self.held.get(&s.uid).is_none_or(|h| {
                    changed.is_none_or(|c| c.contains(&s.uid))
                        || now < h.from
                        || now >= h.until
                        || h.attempt != attempt
                });
                stale.then_some((s, attempt))
            })
            .collect();
        // A secret's own findings depend on it alone: made on every core when they are many.
        let found = par_map(&stale, |(s, attempt)| {
            let mut until = Until {
                now,
                until: i64::MAX,
            };
            let (label, owner): (Arc<str>, Arc<str>) =
                (s.name.as_str().into(), s.uid.as_str().into());
            let found: Vec<(Place, Arc<Finding>)> =
                secret_findings(s, now, t, &inp.account_id, *attempt, &mut until)
                    .into_iter()
                    .enumerate()
                    .map(|(n, f)| (Place::of(&f, &label, &owner, n), f))
                    .collect();
            Fresh {
                uid: s.uid.clone(),
                subject: Subject::Secret {
                    name: s.name.clone(),
                    arn: s.arn.clone(),
                },
                places: found.iter().map(|(p, _)| p.clone()).collect(),
                found,
                until: until.until,
            }
        });
        let mut made = Made {
            findings: Vec::with_capacity(found.len()),
            regroup: Vec::new(),
        };
        self.held.reserve(found.len());
        self.groups
            .reserve(found.len().saturating_sub(self.groups.len()));
        for ((s, attempt), fresh) in stale.into_iter().zip(found) {
            self.redo(s, now, attempt, fresh, &mut made);
        }
        if self.held.len() != inp.secrets.len() {
            let live: HashSet<&str> = inp.secrets.iter().map(|s| s.uid.as_str()).collect();
            let gone: Vec<String> = self
                .held
                .keys()
                .filter(|u| !live.contains(u.as_str()))
                .cloned()
                .collect();
            for uid in gone {
                if let Some(h) = self.held.remove(&uid) {
                    for p in &h.places {
                        self.sorted.remove(p);
                    }
                    if let Some(print) = h.print {
                        self.leave(&uid, print, &mut made.regroup);
                    }
                }
            }
        }
        if self.sorted.is_empty() {
            // Sorted in parts on every core, the build's own sort then only merges them.
            par_chunks(&mut made.findings, |part| {
                part.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            });
            self.sorted = made.findings.into_iter().collect();
        } else {
            self.sorted.extend(made.findings);
        }
        let mut regroup = made.regroup;
        regroup.sort();
        regroup.dedup();
        for print in regroup {
            self.regroup(print);
        }

        let mut rest = self.rest_findings(inp, t);
        rest.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.kind.cmp(&b.kind))
                .then_with(|| a.subject.label().cmp(b.subject.label()))
        });
        let mut out = Vec::with_capacity(self.sorted.len() + rest.len());
        let mut rest = rest.into_iter().peekable();
        for (p, f) in &self.sorted {
            while let Some(r) = rest.next_if(|r| {
                (std::cmp::Reverse(r.severity), r.kind, r.subject.label())
                    < (p.severity, p.kind, &*p.label)
            }) {
                out.push(Arc::new(r));
            }
            out.push(f.clone());
        }
        out.extend(rest.map(Arc::new));
        let mut counts = SeverityCounts::default();
        for f in &out {
            match f.severity {
                Severity::High => counts.high += 1,
                Severity::Medium => counts.medium += 1,
                Severity::Low => counts.low += 1,
            }
        }
        HealthReport {
            generated_date: crate::model::from_epoch_ms(now).to_string(),
            thresholds: *t,
            secrets_checked: inp.secrets.len(),
            principals_checked: inp.principals.len(),
            counts,
            findings: out,
        }
    }

    /// Puts one secret's remade findings in place of its old ones, and moves it between
    /// reuse groups when its value's fingerprint or its name changed.
    fn redo(&mut self, s: &SecretInput, now: i64, attempt: bool, fresh: Fresh, made: &mut Made) {
        let old = self.held.remove(&s.uid);
        if let Some(h) = &old {
            for p in &h.places {
                self.sorted.remove(p);
            }
        }
        made.findings.extend(fresh.found);
        let print = s
            .facts
            .as_ref()
            .filter(|f| f.length > 0 && s.deletion_ms.is_none() && !s.is_replica)
            .map(|f| f.fingerprint);
        let subject = fresh.subject;
        let rotatable = s.rotation_function;
        let moved = old
            .as_ref()
            .is_none_or(|h| h.print != print || h.subject != subject || h.rotatable != rotatable);
        if moved {
            if let Some(p) = old.as_ref().and_then(|h| h.print) {
                self.leave(&s.uid, p, &mut made.regroup);
            }
            if let Some(p) = print {
                self.groups
                    .entry(p)
                    .or_default()
                    .members
                    .insert(s.uid.clone());
                made.regroup.push(p);
            }
        }
        self.held.insert(
            fresh.uid,
            Held {
                subject,
                places: fresh.places,
                from: now,
                until: fresh.until,
                print,
                attempt,
                rotatable,
            },
        );
    }

    fn leave(&mut self, uid: &str, print: [u8; 32], regroup: &mut Vec<[u8; 32]>) {
        if let Some(g) = self.groups.get_mut(&print) {
            g.members.remove(uid);
        }
        regroup.push(print);
    }

    /// Remakes a reuse group's findings: each member names the others.
    fn regroup(&mut self, print: [u8; 32]) {
        let Some(g) = self.groups.get_mut(&print) else {
            return;
        };
        for p in g.places.drain(..) {
            self.sorted.remove(&p);
        }
        if g.members.is_empty() {
            self.groups.remove(&print);
            return;
        }
        if g.members.len() < 2 {
            return;
        }
        // Each member's name, ARN and whether it has a rotation function, from what is held
        // of it (every member is: a secret leaves its group as it goes).
        let held = &self.held;
        let members: Vec<(&String, &String, &String, bool)> = g
            .members
            .iter()
            .map(|uid| {
                let h = &held[uid];
                let Subject::Secret { name, arn } = &h.subject else {
                    unreachable!("a reuse group's member is a secret");
                };
                (uid, name, arn, h.rotatable)
            })
            .collect();
        let mut all: Vec<(&str, &str)> = members
            .iter()
            .map(|(uid, name, ..)| (name.as_str(), uid.as_str()))
            .collect();
        all.sort();
        let mut places = Vec::with_capacity(members.len());
        for (uid, name, arn, rotatable) in members {
            let count = all.len() - 1;
            let named: Vec<String> = all
                .iter()
                .filter(|(_, u)| u != uid)
                .take(REUSE_NAMES_SHOWN)
                .map(|(n, _)| n.to_string())
                .collect();
            let more = match count - named.len() {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            let f = Finding {
                kind: FindingKind::ReusedValue,
                severity: Severity::High,
                subject: Subject::Secret {
                    name: name.clone(),
                    arn: arn.clone(),
                },
                summary: format!(
                    "Holds the same value as {count} other secret(s): {}{more}.",
                    named.join(", ")
                ),
                evidence: Evidence {
                    count: Some(count),
                    names: named,
                    ..Default::default()
                },
                fix: Some(rotate_fix(rotatable, arn)),
            };
            let p = Place::of(&f, &name.as_str().into(), &uid.as_str().into(), REUSE_N);
            self.sorted.insert(p.clone(), Arc::new(f));
            places.push(p);
        }
        g.places = places;
    }
}
/// The fix of a finding about a value: rotate it now when it can, else set rotation up.
fn rotate_fix(rotatable: bool, arn: &str) -> Fix {
    let secret_id = arn.to_string();
    if rotatable {
        Fix::RotateNow { secret_id }
    } else {
        Fix::TurnRotationOn { secret_id }
    }
}

/// A secret's own findings at `now` (its reuse aside: that is its group's), with `until`
/// brought down to when they may next change.
fn secret_findings(
    s: &SecretInput,
    now: i64,
    t: &Thresholds,
    account_id: &str,
    attempt: bool,
    until: &mut Until,
) -> Vec<Arc<Finding>> {
    let mut out = Vec::new();
    let unused_ms = i64::from(t.unused_days) * DAY_MS;
    let subject = Subject::Secret {
        name: s.name.clone(),
        arn: s.arn.clone(),
    };
    let find = |kind, severity, summary: String, evidence, fix| {
        Arc::new(Finding {
            kind,
            severity,
            subject: subject.clone(),
            summary,
            evidence,
            fix,
        })
    };
    let secret_id = || s.arn.clone();
    if let Some(d) = s.deletion_ms {
        let window = i64::from(t.deletion_days) * DAY_MS;
        // Shown from `d - window` on, counting the days left to `d`.
        until.at(d - window);
        if d <= now + window {
            let left = (d - now).div_euclid(DAY_MS);
            until.at(d - left * DAY_MS + 1);
            out.push(find(
                FindingKind::DeletionDue,
                Severity::Medium,
                format!(
                    "Deleted for good on {} (restore it if it is still needed).",
                    day(d)
                ),
                Evidence {
                    due_date: Some(day(d)),
                    days: Some(days_between(now, d).max(0)),
                    ..Default::default()
                },
                None,
            ));
        }
        // A secret on its way out has no other finding.
        return out;
    }
    for (region, status, in_sync) in &s.replicas {
        if status == "Failed" {
            out.push(find(
                FindingKind::ReplicaFailed,
                Severity::High,
                format!("Its replica in {region} failed."),
                Evidence {
                    region: Some(region.clone()),
                    status: Some(status.clone()),
                    ..Default::default()
                },
                None,
            ));
        } else if !in_sync {
            out.push(find(
                FindingKind::ReplicaOutOfSync,
                Severity::Medium,
                format!("Its replica in {region} has not received the latest change."),
                Evidence {
                    region: Some(region.clone()),
                    status: Some(status.clone()),
                    ..Default::default()
                },
                None,
            ));
        }
    }
    if s.is_replica {
        // A replica's value, rotation and reads are its primary's business.
        return out;
    }
    match &s.last_read {
        None => {
            until.since(s.created_ms, unused_ms);
            if now - s.created_ms >= unused_ms {
                out.push(find(
                    FindingKind::NeverRead,
                    Severity::Low,
                    format!("Never read since it was made on {}.", day(s.created_ms)),
                    Evidence {
                        created_date: Some(day(s.created_ms)),
                        days: Some(days_between(s.created_ms, now)),
                        ..Default::default()
                    },
                    Some(Fix::ScheduleDeletion {
                        secret_id: secret_id(),
                    }),
                ));
            }
        }
        Some((d, by)) => {
            until.since(*d, unused_ms);
            if now - d >= unused_ms {
                out.push(find(
                    FindingKind::NotReadRecently,
                    Severity::Low,
                    format!(
                        "Not read for {} days: last read on {} by {by}.",
                        days_between(*d, now),
                        day(*d)
                    ),
                    Evidence {
                        last_read_date: Some(day(*d)),
                        last_read_by: Some(by.clone()),
                        days: Some(days_between(*d, now)),
                        ..Default::default()
                    },
                    Some(Fix::ScheduleDeletion {
                        secret_id: secret_id(),
                    }),
                ));
            }
        }
    }
    let value_fix = || Some(rotate_fix(s.rotation_function, &s.arn));
    if let Some(f) = &s.facts {
        if f.database_credentials && !s.rotation_enabled {
            out.push(find(
                FindingKind::RotationOff,
                Severity::Medium,
                "Holds database credentials and does not rotate.".into(),
                Evidence::default(),
                Some(Fix::TurnRotationOn {
                    secret_id: secret_id(),
                }),
            ));
        }
        for w in &f.weak {
            let at = w
                .field
                .as_ref()
                .map(|n| format!("Its field \"{n}\" is"))
                .unwrap_or_else(|| "Its value is".into());
            out.push(find(
                FindingKind::WeakValue,
                Severity::High,
                format!(
                    "{at} weak: zxcvbn scores it {} of 4, {} characters.",
                    w.score, w.length
                ),
                Evidence {
                    field: w.field.clone(),
                    score: Some(w.score),
                    length: Some(w.length),
                    ..Default::default()
                },
                value_fix(),
            ));
        }
    }
    if let Some(c) = s.current_created_ms {
        let unchanged_ms = i64::from(t.unchanged_days) * DAY_MS;
        until.since(c, unchanged_ms);
        if now - c >= unchanged_ms {
            out.push(find(
                FindingKind::UnchangedValue,
                Severity::Low,
                format!(
                    "Its value has not changed for {} days (since {}).",
                    days_between(c, now),
                    day(c)
                ),
                Evidence {
                    last_changed_date: Some(day(c)),
                    days: Some(days_between(c, now)),
                    ..Default::default()
                },
                value_fix(),
            ));
        }
    }
    if let Some((start, end)) = s.rotation_due
        && !attempt
    {
        until.at(end + 1);
        if end < now {
            until.since(start, 0);
            out.push(find(
                FindingKind::RotationOverdue,
                Severity::High,
                format!(
                    "Its rotation was due on {} and has not happened.",
                    day(start)
                ),
                Evidence {
                    due_date: Some(day(start)),
                    days: Some(days_between(start, now)),
                    ..Default::default()
                },
                Some(Fix::RotateNow {
                    secret_id: secret_id(),
                }),
            ));
        }
    }
    if let Some(p) = &s.policy {
        out.extend(
            policies::resource_policy_findings(p, account_id, &subject)
                .into_iter()
                .map(Arc::new),
        );
    }
    out
}

impl Assessor {
    /// The findings about attempts, principals, access keys and operators.
    fn rest_findings(&self, inp: &Inputs, t: &Thresholds) -> Vec<Finding> {
        let mut out = Vec::new();
        let now = inp.now_ms;
        let unused_ms = i64::from(t.unused_days) * DAY_MS;
        for a in &inp.attempts {
            let Some(h) = self.held.get(&a.secret_uid) else {
                continue;
            };
            let subject = h.subject.clone();
            let Subject::Secret { arn, .. } = &subject else {
                continue;
            };
            if a.failed {
                let step = a.step.clone().unwrap_or_else(|| "?".into());
                out.push(Finding {
                    kind: FindingKind::RotationFailing,
                    severity: Severity::High,
                    summary: format!(
                        "Its rotation fails at {step} (try {}): {}",
                        a.tries,
                        a.error.as_deref().unwrap_or("no error recorded")
                    ),
                    evidence: Evidence {
                        step: a.step.clone(),
                        error: a.error.clone(),
                        tries: Some(a.tries),
                        requested_date: Some(day(a.requested_ms)),
                        ..Default::default()
                    },
                    fix: Some(Fix::RotateNow {
                        secret_id: arn.clone(),
                    }),
                    subject,
                });
            } else if now - a.requested_ms >= i64::from(t.approval_days) * DAY_MS {
                out.push(Finding {
                    kind: FindingKind::RotationAwaitingApproval,
                    severity: Severity::Medium,
                    subject,
                    summary: format!(
                        "Its rotation, asked for by {} on {}, has waited {} days for approval.",
                        a.requested_by,
                        day(a.requested_ms),
                        days_between(a.requested_ms, now)
                    ),
                    evidence: Evidence {
                        requested_date: Some(day(a.requested_ms)),
                        requested_by: Some(a.requested_by.clone()),
                        days: Some(days_between(a.requested_ms, now)),
                        ..Default::default()
                    },
                    fix: None,
                });
            }
        }
        for p in &inp.principals {
            if now - p.created_ms < unused_ms {
                continue;
            }
            let recent: Vec<String> = p
                .used
                .iter()
                .filter(|(_, d)| now - **d < unused_ms)
                .map(|(a, _)| a.clone())
                .collect();
            if let Some(f) = policies::unused_access(p, &recent, t.unused_days) {
                out.push(f);
            }
        }

        for k in inp.keys.iter().filter(|k| k.active) {
            let subject = Subject::AccessKey {
                access_key_id: k.access_key_id.clone(),
                user_name: k.user_name.clone(),
                principal_arn: k.principal_arn.clone(),
            };
            let fix = Some(Fix::DeactivateKey {
                user_name: k.user_name.clone(),
                access_key_id: k.access_key_id.clone(),
            });
            let unused = now - k.created_ms >= unused_ms
                && k.principal_last_used.is_none_or(|d| now - d >= unused_ms);
            if unused {
                out.push(Finding {
                    kind: FindingKind::AccessKeyUnused,
                    severity: Severity::Medium,
                    subject: subject.clone(),
                    summary: match k.principal_last_used {
                        Some(d) => format!(
                            "Not used for {} days: its principal's last request was on {}.",
                            days_between(d, now),
                            day(d)
                        ),
                        None => "Never used: its principal has made no request.".into(),
                    },
                    evidence: Evidence {
                        created_date: Some(day(k.created_ms)),
                        last_used_date: k.principal_last_used.map(day),
                        ..Default::default()
                    },
                    fix: fix.clone(),
                });
            }
            if now - k.created_ms >= i64::from(t.key_age_days) * DAY_MS {
                out.push(Finding {
                    kind: FindingKind::AccessKeyOld,
                    severity: Severity::Medium,
                    subject,
                    summary: format!(
                        "Active and {} days old (made on {}).",
                        days_between(k.created_ms, now),
                        day(k.created_ms)
                    ),
                    evidence: Evidence {
                        created_date: Some(day(k.created_ms)),
                        days: Some(days_between(k.created_ms, now)),
                        ..Default::default()
                    },
                    fix,
                });
            }
        }

        for o in inp.operators.iter().filter(|o| !o.ever_unlocked) {
            out.push(Finding {
                kind: FindingKind::OperatorNeverUnlocked,
                severity: Severity::Low,
                subject: Subject::Operator {
                    name: o.name.clone(),
                    arn: o.arn.clone(),
                },
                summary: "Has never unlocked the vault: remove the operator if nobody uses it."
                    .into(),
                evidence: Evidence::default(),
                fix: None,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{DiffKind, DiffLine, PARALLEL_FROM, line_diff, par_chunks, par_map};

    #[test]
    fn work_split_between_threads_keeps_every_item_in_its_order() {
        for n in [3, PARALLEL_FROM, 3 * PARALLEL_FROM + 7] {
            let items: Vec<usize> = (0..n).collect();
            let doubled = par_map(&items, |i| i * 2);
            assert_eq!(doubled, (0..n).map(|i| i * 2).collect::<Vec<_>>());

            let mut sorted_in_parts: Vec<usize> = (0..n).rev().collect();
            par_chunks(&mut sorted_in_parts, |part| {
                part.sort_unstable();
                for x in part.iter_mut() {
                    *x += 1;
                }
            });
            sorted_in_parts.sort();
            assert_eq!(sorted_in_parts, (1..=n).collect::<Vec<_>>());
        }
    }

    #[test]
    fn the_line_diff_keeps_common_lines_and_marks_the_rest() {
        let l = |kind, text: &str| DiffLine {
            kind,
            text: text.into(),
        };
        assert_eq!(
            line_diff("a\nb\nc", "a\nc\nd"),
            [
                l(DiffKind::Same, "a"),
                l(DiffKind::Removed, "b"),
                l(DiffKind::Same, "c"),
                l(DiffKind::Added, "d"),
            ]
        );
    }
}
