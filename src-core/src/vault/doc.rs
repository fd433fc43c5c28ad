//! A secret's sealed document — everything about it but its values — and the staging-label
//! rules that act on it.

use serde::{Deserialize, Serialize};

use crate::model::{AWSCURRENT, MAX_LABELS_PER_VERSION, MAX_VERSIONS, Tag, labels};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretDoc {
    pub uid: String,
    pub name: String,
    /// The six random characters at the end of the ARN.
    pub suffix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The key as the caller named it (`None`: the default `aws/secretsmanager`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_input: Option<String>,
    /// The resolved key id new versions are sealed under.
    pub kms_key_id: String,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// The secret has had tags. From then on AWS shows `Tags`, as `[]` once the last is
    /// removed; a secret never tagged has no `Tags` at all.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tagged: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    pub created_ms: i64,
    pub last_changed_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed_day_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owning_service: Option<String>,
    /// CreateSecret's `Type`: the partner holding a managed external secret. Documents
    /// written before it existed read as `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<RotationDoc>,
    /// The regions this (primary) secret is replicated to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<ReplicaDoc>,
    /// Its cross-account replica (AssociateCrossAccountReplica; at most one is associated,
    /// and a `Detached` one stays listed until the primary disassociates it). Pushed and
    /// retried as the regions' replicas are: `region` is this secret's own region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cross_account_replicas: Vec<ReplicaDoc>,
    /// When this secret is a cross-account replica (CreateSecret's `CrossAccountPrimaryARN`):
    /// the primary it takes its versions from, and how replication from it stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_account_primary: Option<CrossAccountPrimaryDoc>,
    /// Counts the changes its replicas must receive: bumped by every write that changes
    /// what a replica holds (values, labels, description, tags, policy).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub replication_seq: u64,
    /// Oldest first.
    #[serde(default)]
    pub versions: Vec<VersionDoc>,
    /// Name, description and tags in lower case, one per line: what a console's filter
    /// searches. Built by the index, never stored.
    #[serde(skip)]
    pub haystack: String,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// `ReplicationStatus`'s `Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplicaStatus {
    InSync,
    InProgress,
    Failed,
    /// A cross-account replica created but not yet associated (the replica's side only).
    Pending,
    /// A cross-account link one of the two sides stopped: nothing more is pushed.
    Detached,
}

impl ReplicaStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InSync => "InSync",
            Self::InProgress => "InProgress",
            Self::Failed => "Failed",
            Self::Pending => "Pending",
            Self::Detached => "Detached",
        }
    }
}

/// One replica of a primary secret, as the primary keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicaDoc {
    pub region: String,
    /// The KMS key the replica's values are sealed under there, as the caller named it
    /// (`None`: the replica vault's `aws/secretsmanager`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    pub status: ReplicaStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When the replica was last read there (day precision), as last seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed_day_ms: Option<i64>,
    /// The primary's `replication_seq` the replica last received.
    #[serde(default)]
    pub synced_seq: u64,
    /// Replace a secret of the same name there (ForceOverwriteReplicaSecret).
    #[serde(default)]
    pub force_overwrite: bool,
    /// For a cross-account replica: which secret of which account it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_account: Option<CrossAccountLink>,
}

/// A cross-account replica as its primary knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossAccountLink {
    pub account_id: String,
    /// The replica's ARN there, as AssociateCrossAccountReplica named it (resolved).
    pub arn: String,
    /// The replica's uid in its account's vault.
    pub uid: String,
    /// AssociateCrossAccountReplica's `ReplicationRoleARN`, shown as given (a vault assumes
    /// no role to replicate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
}

/// What a cross-account replica knows of its primary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossAccountPrimaryDoc {
    /// The primary's ARN, as CreateSecret's `CrossAccountPrimaryARN` named it.
    pub arn: String,
    pub status: ReplicaStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ReplicaDoc {
    /// Whether the replica still has to receive a change (or a retry).
    pub fn pending(&self, seq: u64) -> bool {
        self.status != ReplicaStatus::Detached
            && (self.status != ReplicaStatus::InSync || self.synced_seq < seq)
    }
}

/// A secret's rotation settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RotationDoc {
    /// Whether the schedule runs (CancelRotateSecret turns it off, keeping the rest).
    pub enabled: bool,
    /// The rotation function's ARN (`arn:aws:lambda:<region>:<account>:function:<name>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<crate::api::RotationRules>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotated_ms: Option<i64>,
    /// Where the schedule counts from: the last rotation, or when rotation was turned on.
    pub anchor_ms: i64,
    /// Whether rotations wait for an operator's approval (`None`: the vault's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_approval: Option<bool>,
    /// Whether the approver must be someone other than the requester (`None`: the vault's
    /// default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_person_rule: Option<bool>,
    /// Who last configured rotation with RotateSecret: a scheduled rotation acts for them
    /// (`None` for rotations configured before Coffer recorded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configured_by: Option<super::rotation::Requester>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionDoc {
    pub id: String,
    #[serde(default)]
    pub stages: Vec<String>,
    pub created_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed_day_ms: Option<i64>,
    pub kms_key_id: String,
    /// False for a version made with labels but no value yet (rotation's AWSPENDING).
    pub has_value: bool,
}

impl SecretDoc {
    /// `Tags` as DescribeSecret and ListSecrets answer it. moto 5.2.5's `test_tag_resource`:
    /// `"Tags" not in describe_secret(...)` before any tag; `test_untag_resource`: after the
    /// last tag is removed, `"Tags" in response` and `response["Tags"] == []`.
    pub fn shown_tags(&self) -> Option<Vec<Tag>> {
        (self.tagged || !self.tags.is_empty()).then(|| self.tags.clone())
    }

    /// Builds [`SecretDoc::haystack`].
    pub fn build_haystack(&mut self) {
        let mut h = self.name.to_lowercase();
        if let Some(d) = &self.description {
            h.push('\n');
            h.push_str(&d.to_lowercase());
        }
        for t in &self.tags {
            h.push('\n');
            h.push_str(&t.key.to_lowercase());
            h.push('=');
            h.push_str(&t.value.to_lowercase());
        }
        self.haystack = h;
    }

    /// Whether this secret is a replica of another region's primary: it takes no writes
    /// but its primary's (and promotion).
    pub fn is_replica(&self) -> bool {
        self.primary_region.is_some()
    }

    /// Whether this secret is another account's cross-account replica (`Detached` or not):
    /// it takes no writes until StopReplicationToReplica makes it standalone.
    pub fn is_cross_account_replica(&self) -> bool {
        self.cross_account_primary.is_some()
    }

    /// Whether a cross-account replica is still associated (not `Detached`): DeleteSecret
    /// refuses the primary while one is.
    pub fn has_associated_cross_account_replica(&self) -> bool {
        self.cross_account_replicas
            .iter()
            .any(|r| r.status != ReplicaStatus::Detached)
    }

    /// Whether `other` holds different content for a replica: values, labels, description,
    /// tags or policy (access dates and replication bookkeeping do not count).
    pub fn replica_content_differs(&self, other: &SecretDoc) -> bool {
        let same_version = |(a, b): (&VersionDoc, &VersionDoc)| {
            a.id == b.id
                && a.stages == b.stages
                && a.has_value == b.has_value
                && a.created_ms == b.created_ms
        };
        self.name != other.name
            || self.description != other.description
            || self.tags != other.tags
            || self.policy != other.policy
            || self.deletion_ms != other.deletion_ms
            || self.versions.len() != other.versions.len()
            || !self.versions.iter().zip(&other.versions).all(same_version)
    }

    pub fn is_scheduled_for_deletion(&self) -> bool {
        self.deletion_ms.is_some()
    }

    pub fn version(&self, id: &str) -> Option<&VersionDoc> {
        self.versions.iter().find(|v| v.id == id)
    }

    fn version_mut(&mut self, id: &str) -> Option<&mut VersionDoc> {
        self.versions.iter_mut().find(|v| v.id == id)
    }

    /// The version a label is on, if any.
    pub fn holder(&self, stage: &str) -> Option<&VersionDoc> {
        self.versions
            .iter()
            .find(|v| v.stages.iter().any(|s| s == stage))
    }

    /// Puts `stage` on `vid`, taking it from wherever it was. When AWSCURRENT moves, the
    /// version that held it gets AWSPREVIOUS (taken from wherever that was): the steps of
    /// `model::labels`, which the consoles preview.
    pub fn attach(&mut self, stage: &str, vid: &str) -> Result<()> {
        let steps = labels::steps(|l| self.holder(l).map(|v| v.id.as_str()), stage, vid);
        if steps.is_empty() {
            return Ok(());
        }
        if self.version(vid).is_none() {
            return Err(Error::not_found(format!(
                "Secrets Manager can't find the specified secret version: {vid}"
            )));
        }
        for step in steps {
            if let Some(from) = &step.from {
                self.detach(&step.label, from);
            }
            let target = self
                .version_mut(&step.to)
                .expect("checked or just held a label");
            if target.stages.len() >= MAX_LABELS_PER_VERSION {
                return Err(Error::limit(format!(
                    "A version can have at most {MAX_LABELS_PER_VERSION} staging labels."
                )));
            }
            target.stages.push(step.label);
        }
        Ok(())
    }

    /// Takes `stage` off `vid` (no AWSPREVIOUS bookkeeping).
    pub fn detach(&mut self, stage: &str, vid: &str) {
        if let Some(v) = self.version_mut(vid) {
            v.stages.retain(|s| s != stage);
        }
    }

    /// Makes room for one more version: removes the oldest deprecated versions created at
    /// least 24 hours ago. Returns the ids removed, or `LimitExceededException`.
    pub fn make_room(&mut self, now_ms: i64) -> Result<Vec<String>> {
        if self.versions.len() < MAX_VERSIONS {
            return Ok(Vec::new());
        }
        let need = self.versions.len() + 1 - MAX_VERSIONS;
        let day_ago = now_ms - 86_400_000;
        let mut candidates: Vec<(i64, String)> = self
            .versions
            .iter()
            .filter(|v| v.stages.is_empty() && v.created_ms <= day_ago)
            .map(|v| (v.created_ms, v.id.clone()))
            .collect();
        if candidates.len() < need {
            return Err(Error::limit(format!(
                "The secret already has {MAX_VERSIONS} versions and none that can be removed: \
                 a version is removed only when it has no staging label and is at least 24 hours old."
            )));
        }
        candidates.sort();
        let removed: Vec<String> = candidates
            .into_iter()
            .take(need)
            .map(|(_, id)| id)
            .collect();
        self.versions.retain(|v| !removed.contains(&v.id));
        Ok(removed)
    }

    /// Checks the label invariants (used by tests and after every change in debug builds).
    pub fn check_invariants(&self) -> std::result::Result<(), String> {
        let mut seen = std::collections::HashMap::new();
        for v in &self.versions {
            for s in &v.stages {
                if let Some(other) = seen.insert(s.as_str(), v.id.as_str()) {
                    return Err(format!("label {s} is on {other} and {}", v.id));
                }
            }
            if v.stages.len() > MAX_LABELS_PER_VERSION {
                return Err(format!("version {} has too many labels", v.id));
            }
        }
        let has_value = self.versions.iter().any(|v| v.has_value);
        if has_value && !seen.contains_key(AWSCURRENT) {
            return Err("a secret with a value has no AWSCURRENT".into());
        }
        if self.versions.len() > MAX_VERSIONS {
            return Err("more than 100 versions".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AWSPREVIOUS;

    #[test]
    fn documents_written_before_type_existed_read_without_one_and_type_round_trips() {
        let mut json = serde_json::to_value(doc_with(&[])).unwrap();
        assert!(json.get("secret_type").is_none());
        let old: SecretDoc = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(old.secret_type, None);
        json["secret_type"] = "SnowflakePat".into();
        let typed: SecretDoc = serde_json::from_value(json).unwrap();
        assert_eq!(typed.secret_type.as_deref(), Some("SnowflakePat"));
    }

    fn doc_with(versions: &[&str]) -> SecretDoc {
        SecretDoc {
            uid: "u".into(),
            name: "n".into(),
            suffix: "AAAAAA".into(),
            description: None,
            kms_key_input: None,
            kms_key_id: "k".into(),
            tags: vec![],
            tagged: false,
            policy: None,
            created_ms: 0,
            last_changed_ms: 0,
            last_accessed_day_ms: None,
            deleted_ms: None,
            deletion_ms: None,
            owning_service: None,
            secret_type: None,
            primary_region: None,
            replicas: Vec::new(),
            cross_account_replicas: Vec::new(),
            cross_account_primary: None,
            replication_seq: 0,
            haystack: String::new(),
            rotation: None,
            versions: versions
                .iter()
                .enumerate()
                .map(|(i, id)| VersionDoc {
                    id: id.to_string(),
                    stages: vec![],
                    created_ms: i as i64,
                    last_accessed_day_ms: None,
                    kms_key_id: "k".into(),
                    has_value: true,
                })
                .collect(),
        }
    }

    #[test]
    fn moving_awscurrent_gives_the_old_holder_awsprevious() {
        let mut d = doc_with(&["v1", "v2", "v3"]);
        d.attach(AWSCURRENT, "v1").unwrap();
        d.attach(AWSCURRENT, "v2").unwrap();
        assert_eq!(d.holder(AWSCURRENT).unwrap().id, "v2");
        assert_eq!(d.holder(AWSPREVIOUS).unwrap().id, "v1");
        d.attach(AWSCURRENT, "v3").unwrap();
        assert_eq!(d.holder(AWSPREVIOUS).unwrap().id, "v2");
        assert!(d.version("v1").unwrap().stages.is_empty());
        d.check_invariants().unwrap();
    }

    #[test]
    fn attaching_a_label_where_it_already_is_changes_nothing() {
        let mut d = doc_with(&["v1", "v2"]);
        d.attach(AWSCURRENT, "v1").unwrap();
        d.attach(AWSCURRENT, "v1").unwrap();
        assert!(d.holder(AWSPREVIOUS).is_none());
    }

    #[test]
    fn make_room_removes_only_old_deprecated_versions() {
        let ids: Vec<String> = (0..100).map(|i| format!("v{i:03}")).collect();
        let refs: Vec<&str> = ids.iter().map(|s| s.as_str()).collect();
        let mut d = doc_with(&refs);
        d.attach(AWSCURRENT, "v099").unwrap();
        // Everything was created at ms 0..100: "now" one day later makes them old enough.
        let removed = d.make_room(86_400_000 + 100).unwrap();
        assert_eq!(removed, vec!["v000".to_string()]);
        assert_eq!(d.versions.len(), 99);
        // Young versions are never removed.
        let mut d = doc_with(&refs);
        d.attach(AWSCURRENT, "v099").unwrap();
        assert_eq!(
            d.make_room(1000).unwrap_err().code,
            crate::ErrorCode::LimitExceeded
        );
    }

    #[test]
    fn a_version_takes_at_most_twenty_labels() {
        let mut d = doc_with(&["v1"]);
        for i in 0..20 {
            d.attach(&format!("L{i}"), "v1").unwrap();
        }
        assert_eq!(
            d.attach("L20", "v1").unwrap_err().code,
            crate::ErrorCode::LimitExceeded
        );
    }
}
