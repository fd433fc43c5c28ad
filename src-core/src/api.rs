//! Request and response types of every operation, with AWS's field names, so that the
//! endpoint, the CLI's JSON output and the desktop IPC reuse them as they are.
//!
//! Requests serialize (for the audit log's `requestParameters`) with every secret field
//! skipped; responses that carry a value serialize only through [`Reveal`](crate::Reveal).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::model::value::{ExposeBytes, ExposeText};
use crate::model::{RevealSerialize, SecretBytes, SecretText, SecretValue, Tag};

/// Dates on the wire are epoch seconds.
pub type Date = f64;

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateSecretRequest {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing)]
    pub secret_string: Option<SecretText>,
    #[serde(default, skip_serializing)]
    pub secret_binary: Option<SecretBytes>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_replica_regions: Vec<ReplicaRegionType>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub force_overwrite_replica_secret: bool,
    /// The partner holding a managed external secret (e.g. `SalesforceClientSecret`).
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub secret_type: Option<String>,
    /// Makes the new secret a cross-account replica of this primary (in another account,
    /// same region): it has no value until the primary's account associates it.
    #[serde(
        rename = "CrossAccountPrimaryARN",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cross_account_primary_arn: Option<String>,
}

/// DescribeSecret's `CrossAccountPrimary`: what a cross-account replica replicates from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(rename_all = "PascalCase")]
pub struct CrossAccountPrimaryType {
    #[serde(rename = "PrimarySecretARN")]
    pub primary_secret_arn: String,
    /// `Pending`, `InProgress`, `InSync`, `Failed` or `Detached`.
    pub replication_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
}

/// One entry of DescribeSecret's `CrossAccountReplicas`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(rename_all = "PascalCase")]
pub struct CrossAccountReplicaEntry {
    #[serde(rename = "ReplicaSecretARN")]
    pub replica_secret_arn: String,
    #[serde(
        rename = "ReplicationRoleARN",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub replication_role_arn: Option<String>,
    /// `InProgress`, `InSync`, `Failed` or `Detached`.
    pub replication_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateCrossAccountReplicaRequest {
    pub secret_id: String,
    #[serde(rename = "CrossAccountReplicaARN")]
    pub cross_account_replica_arn: String,
    /// `SameOrg` (the default) or `NoRestriction`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_restriction: Option<String>,
    #[serde(
        rename = "ReplicationRoleARN",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub replication_role_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateCrossAccountReplicaResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
    #[serde(rename = "CrossAccountReplicaARN")]
    pub cross_account_replica_arn: String,
    pub replication_status: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DisassociateCrossAccountReplicaRequest {
    pub secret_id: String,
    #[serde(rename = "CrossAccountReplicaARN")]
    pub cross_account_replica_arn: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DisassociateCrossAccountReplicaResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
    #[serde(rename = "CrossAccountReplicaARN")]
    pub cross_account_replica_arn: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicaRegionType {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateSecretResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replication_status: Vec<ReplicationStatusType>,
}

/// One replica's state, as DescribeSecret and the replication operations report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(rename_all = "PascalCase")]
pub struct ReplicationStatusType {
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// `InSync`, `InProgress` or `Failed`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_accessed_date: Option<Date>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicateSecretToRegionsRequest {
    pub secret_id: String,
    pub add_replica_regions: Vec<ReplicaRegionType>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub force_overwrite_replica_secret: bool,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemoveRegionsFromReplicationRequest {
    pub secret_id: String,
    pub remove_replica_regions: Vec<String>,
}

/// ReplicateSecretToRegions' and RemoveRegionsFromReplication's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicationResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub replication_status: Vec<ReplicationStatusType>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StopReplicationToReplicaResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetSecretValueRequest {
    pub secret_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_stage: Option<String>,
}

/// Carries a value: no `Serialize`, no `Clone`; use [`Reveal`](crate::Reveal).
#[derive(Debug)]
pub struct GetSecretValueResponse {
    pub arn: String,
    pub name: String,
    pub version_id: String,
    pub value: SecretValue,
    pub version_stages: Vec<String>,
    pub created_date: Date,
}

impl RevealSerialize for GetSecretValueResponse {
    fn reveal<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("GetSecretValueResponse", 6)?;
        st.serialize_field("ARN", &self.arn)?;
        st.serialize_field("Name", &self.name)?;
        st.serialize_field("VersionId", &self.version_id)?;
        match &self.value {
            SecretValue::String(t) => st.serialize_field("SecretString", &ExposeText(t))?,
            SecretValue::Binary(b) => st.serialize_field("SecretBinary", &ExposeBytes(b))?,
        }
        st.serialize_field("VersionStages", &self.version_stages)?;
        st.serialize_field("CreatedDate", &self.created_date)?;
        st.end()
    }
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Filter {
    /// Optional in AWS's model; a filter without one is refused by the vault.
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchGetSecretValueRequest {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secret_id_list: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiErrorEntry {
    pub secret_id: String,
    pub error_code: String,
    pub message: String,
}

#[derive(Debug)]
pub struct BatchGetSecretValueResponse {
    pub secret_values: Vec<GetSecretValueResponse>,
    pub next_token: Option<String>,
    pub errors: Vec<ApiErrorEntry>,
}

impl RevealSerialize for BatchGetSecretValueResponse {
    fn reveal<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Values<'a>(&'a [GetSecretValueResponse]);
        impl Serialize for Values<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeSeq;
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for v in self.0 {
                    seq.serialize_element(&crate::Reveal(v))?;
                }
                seq.end()
            }
        }
        let mut st = s.serialize_struct("BatchGetSecretValueResponse", 3)?;
        st.serialize_field("SecretValues", &Values(&self.secret_values))?;
        if let Some(t) = &self.next_token {
            st.serialize_field("NextToken", t)?;
        }
        st.serialize_field("Errors", &self.errors)?;
        st.end()
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutSecretValueRequest {
    pub secret_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
    #[serde(default, skip_serializing)]
    pub secret_string: Option<SecretText>,
    #[serde(default, skip_serializing)]
    pub secret_binary: Option<SecretBytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_stages: Option<Vec<String>>,
    /// Sensitive in AWS's model (kept out of CloudTrail): never serialized, so never audited.
    #[serde(default, skip_serializing)]
    pub rotation_token: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutSecretValueResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
    pub version_id: String,
    pub version_stages: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateSecretRequest {
    pub secret_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing)]
    pub secret_string: Option<SecretText>,
    #[serde(default, skip_serializing)]
    pub secret_binary: Option<SecretBytes>,
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub secret_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateSecretResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateSecretVersionStageRequest {
    pub secret_id: String,
    pub version_stage: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_from_version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub move_to_version_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ArnAndName {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecretIdRequest {
    pub secret_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(rename_all = "PascalCase")]
pub struct DescribeSecretResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
    /// The partner holding a managed external secret; absent for other secrets.
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub secret_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_enabled: Option<bool>,
    #[serde(rename = "RotationLambdaARN", skip_serializing_if = "Option::is_none")]
    pub rotation_lambda_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_rules: Option<RotationRules>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_rotated_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_rotation_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_changed_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_accessed_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tags: Option<Vec<Tag>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub version_ids_to_stages: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owning_service: Option<String>,
    pub created_date: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_region: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub replication_status: Vec<ReplicationStatusType>,
    /// Present only on a cross-account replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_account_primary: Option<CrossAccountPrimaryType>,
    /// Present only on a secret that has had a cross-account replica associated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub cross_account_replicas: Vec<CrossAccountReplicaEntry>,
}

impl DescribeSecretResponse {
    /// The secret's tags, none when `Tags` is absent.
    pub fn tag_list(&self) -> &[Tag] {
        self.tags.as_deref().unwrap_or(&[])
    }

    /// The primary region, when this secret is a replica of another region's secret (a
    /// primary with replicas names its own region as `PrimaryRegion` and lists them).
    pub fn replica_of(&self) -> Option<&str> {
        self.primary_region
            .as_deref()
            .filter(|_| self.replication_status.is_empty())
    }

    /// The next `n` rotation windows' starts (epoch milliseconds): `NextRotationDate`, then
    /// what the rules give; none while rotation is off.
    pub fn upcoming_windows(&self, n: usize) -> Vec<i64> {
        match (self.next_rotation_date, self.rotation_rules.as_ref()) {
            (Some(next), Some(rules)) => {
                crate::rotation::schedule::Schedule::upcoming((next * 1000.0) as i64, rules, n)
            }
            _ => vec![],
        }
    }
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSecretsRequest {
    #[serde(default, skip_serializing_if = "is_false")]
    pub include_planned_deletion: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    /// `asc` or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<String>,
    /// `created-date` (default), `last-accessed-date`, `last-changed-date` or `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct SecretListEntry {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
    /// The partner holding a managed external secret; absent for other secrets.
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub secret_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_enabled: Option<bool>,
    #[serde(rename = "RotationLambdaARN", skip_serializing_if = "Option::is_none")]
    pub rotation_lambda_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_rules: Option<RotationRules>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_rotated_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_rotation_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_changed_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_accessed_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tags: Option<Vec<Tag>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub secret_versions_to_stages: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owning_service: Option<String>,
    pub created_date: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_region: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replication_status: Vec<ReplicationStatusType>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSecretsResponse {
    pub secret_list: Vec<SecretListEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSecretVersionIdsRequest {
    pub secret_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub include_deprecated: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct SecretVersionsListEntry {
    pub version_id: String,
    /// Left out for a deprecated version (no label), as AWS does (docs/AWS-FIDELITY.md R18).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub version_stages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_accessed_date: Option<Date>,
    pub created_date: Date,
    #[serde(default)]
    pub kms_key_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSecretVersionIdsResponse {
    pub versions: Vec<SecretVersionsListEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteSecretRequest {
    pub secret_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_window_in_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_delete_without_recovery: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteSecretResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
    pub deletion_date: Date,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceRequest {
    pub secret_id: String,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResourceRequest {
    pub secret_id: String,
    pub tag_keys: Vec<String>,
}

/// The empty response of TagResource and UntagResource.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Empty {}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetRandomPasswordRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_length: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_characters: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_numbers: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_punctuation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_uppercase: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_lowercase: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_space: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_each_included_type: Option<bool>,
}

#[derive(Debug)]
pub struct GetRandomPasswordResponse {
    pub random_password: SecretText,
}

impl RevealSerialize for GetRandomPasswordResponse {
    fn reveal<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("GetRandomPasswordResponse", 1)?;
        st.serialize_field("RandomPassword", &ExposeText(&self.random_password))?;
        st.end()
    }
}

// ---- KMS-style keys (the subset of AWS KMS a vault needs) ----

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateKeyRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<KmsTag>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KmsTag {
    #[serde(rename = "TagKey")]
    pub tag_key: String,
    #[serde(rename = "TagValue")]
    pub tag_value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadata {
    pub key_id: String,
    pub arn: String,
    #[serde(rename = "AWSAccountId")]
    pub aws_account_id: String,
    pub creation_date: Date,
    pub description: String,
    pub enabled: bool,
    pub key_state: String,
    /// `AWS` for `aws/secretsmanager`, `CUSTOMER` for keys operators create.
    pub key_manager: String,
    pub key_usage: String,
    pub key_spec: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadataResponse {
    pub key_metadata: KeyMetadata,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyIdRequest {
    pub key_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyListEntry {
    pub key_id: String,
    pub key_arn: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeysResponse {
    pub keys: Vec<KeyListEntry>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateAliasRequest {
    pub alias_name: String,
    pub target_key_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AliasListEntry {
    pub alias_name: String,
    pub alias_arn: String,
    pub target_key_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesResponse {
    pub aliases: Vec<AliasListEntry>,
}

/// When a secret rotates, as AWS writes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct RotationRules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>", optional))]
    pub automatically_after_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub schedule_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub duration: Option<String>,
}

impl RotationRules {
    /// The rules as a console's form gives them: a blank expression or window is none.
    pub fn without_blanks(self) -> Self {
        Self {
            schedule_expression: self.schedule_expression.filter(|e| !e.trim().is_empty()),
            duration: self.duration.filter(|d| !d.trim().is_empty()),
            ..self
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotateSecretRequest {
    pub secret_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
    #[serde(
        rename = "RotationLambdaARN",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub rotation_lambda_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_rules: Option<RotationRules>,
    /// Default true: rotate at once as well as on the schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate_immediately: Option<bool>,
    /// A managed external secret's partner-defined rotation metadata.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_secret_rotation_metadata: Vec<ExternalSecretRotationMetadataItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_secret_rotation_role_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExternalSecretRotationMetadataItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotateSecretResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelRotateSecretResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::RotationRules;

    #[test]
    fn rules_typed_with_a_blank_expression_or_window_have_none() {
        let typed = RotationRules {
            automatically_after_days: Some(30),
            schedule_expression: Some("  ".into()),
            duration: Some(String::new()),
        };
        assert_eq!(
            typed.without_blanks(),
            RotationRules {
                automatically_after_days: Some(30),
                ..Default::default()
            }
        );
    }
}
