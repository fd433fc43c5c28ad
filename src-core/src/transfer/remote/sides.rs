//! The two kinds of [`Secrets`]: a local vault, driven through its public service methods
//! as the operator's [`Caller`] (so every step is authorized and audited), and another
//! endpoint, driven through its API with the AWS field names of `crate::api`.

use serde::{Deserialize, Serialize};

use super::client::Client;
use super::copy::{Page, SecretMeta, Secrets, VersionLabels};
use crate::Operation;
use crate::api::{
    CreateSecretRequest, Filter, GetSecretValueRequest, ListSecretVersionIdsRequest,
    ListSecretsRequest, PutSecretValueRequest, SecretIdRequest, TagResourceRequest,
    UntagResourceRequest, UpdateSecretRequest, UpdateSecretVersionStageRequest,
};
use crate::model::value::{ExposeBytes, ExposeText};
use crate::model::{SecretBytes, SecretText, SecretValue, Tag};
use crate::vault::policies::PutResourcePolicyRequest;
use crate::{Caller, Error, ErrorCode, Result, Vault};

/// A local vault as one side of a copy.
pub struct VaultSide<'a> {
    pub vault: &'a Vault,
    pub caller: &'a Caller,
    /// The page size of the listings (`None`: the service's default); tests make it small
    /// to walk many pages.
    pub page_size: Option<i64>,
}

fn not_found_is_none<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.code == ErrorCode::ResourceNotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn split(value: SecretValue) -> (Option<SecretText>, Option<SecretBytes>) {
    match value {
        SecretValue::String(s) => (Some(s), None),
        SecretValue::Binary(b) => (None, Some(b)),
    }
}

impl Secrets for VaultSide<'_> {
    fn list_names(&self, filters: &[Filter], next_token: Option<String>) -> Result<Page<String>> {
        let page = self.vault.list_secrets(
            self.caller,
            ListSecretsRequest {
                filters: filters.to_vec(),
                next_token,
                max_results: self.page_size,
                ..Default::default()
            },
        )?;
        Ok((
            page.secret_list
                .into_iter()
                .filter(|e| e.deleted_date.is_none())
                .map(|e| e.name)
                .collect(),
            page.next_token,
        ))
    }

    fn describe(&self, secret_id: &str) -> Result<Option<SecretMeta>> {
        let d = not_found_is_none(self.vault.describe_secret(
            self.caller,
            SecretIdRequest {
                secret_id: secret_id.to_string(),
            },
        ))?;
        Ok(d.map(|d| SecretMeta {
            name: d.name,
            description: d.description,
            tags: d.tags.unwrap_or_default(),
            deleted: d.deleted_date.is_some(),
        }))
    }

    fn versions(
        &self,
        name: &str,
        include_deprecated: bool,
        next_token: Option<String>,
    ) -> Result<Page<VersionLabels>> {
        let page = self.vault.list_secret_version_ids(
            self.caller,
            ListSecretVersionIdsRequest {
                secret_id: name.to_string(),
                max_results: self.page_size,
                next_token,
                include_deprecated,
            },
        )?;
        Ok((
            page.versions
                .into_iter()
                .map(|v| VersionLabels {
                    version_id: v.version_id,
                    stages: v.version_stages,
                })
                .collect(),
            page.next_token,
        ))
    }

    fn value(&self, name: &str, version_id: &str) -> Result<SecretValue> {
        Ok(self
            .vault
            .get_secret_value(
                self.caller,
                GetSecretValueRequest {
                    secret_id: name.to_string(),
                    version_id: Some(version_id.to_string()),
                    version_stage: None,
                },
            )?
            .value)
    }

    fn policy(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .vault
            .get_resource_policy(
                self.caller,
                SecretIdRequest {
                    secret_id: name.to_string(),
                },
            )?
            .resource_policy)
    }

    fn create(
        &self,
        meta: &SecretMeta,
        version_id: Option<&str>,
        value: Option<SecretValue>,
    ) -> Result<()> {
        let (secret_string, secret_binary) = match value {
            Some(v) => split(v),
            None => (None, None),
        };
        self.vault.create_secret(
            self.caller,
            CreateSecretRequest {
                name: meta.name.clone(),
                client_request_token: version_id.map(str::to_string),
                description: meta.description.clone(),
                tags: meta.tags.clone(),
                secret_string,
                secret_binary,
                ..Default::default()
            },
        )?;
        Ok(())
    }

    fn put_value(
        &self,
        name: &str,
        version_id: &str,
        value: SecretValue,
        stages: &[String],
    ) -> Result<()> {
        let (secret_string, secret_binary) = split(value);
        self.vault.put_secret_value(
            self.caller,
            PutSecretValueRequest {
                secret_id: name.to_string(),
                client_request_token: Some(version_id.to_string()),
                secret_string,
                secret_binary,
                version_stages: Some(stages.to_vec()),
                rotation_token: None,
            },
        )?;
        Ok(())
    }

    fn move_label(&self, request: UpdateSecretVersionStageRequest) -> Result<()> {
        self.vault
            .update_secret_version_stage(self.caller, request)
            .map(drop)
    }

    fn set_description(&self, request: UpdateSecretRequest) -> Result<()> {
        self.vault.update_secret(self.caller, request).map(drop)
    }

    fn tag(&self, request: TagResourceRequest) -> Result<()> {
        self.vault.tag_resource(self.caller, request).map(drop)
    }

    fn untag(&self, request: UntagResourceRequest) -> Result<()> {
        self.vault.untag_resource(self.caller, request).map(drop)
    }

    fn put_policy(&self, request: PutResourcePolicyRequest) -> Result<()> {
        self.vault
            .put_resource_policy(self.caller, request)
            .map(drop)
    }

    fn delete_policy(&self, request: SecretIdRequest) -> Result<()> {
        self.vault
            .delete_resource_policy(self.caller, request)
            .map(drop)
    }
}

/// Another Secrets Manager endpoint as one side of a copy.
pub struct RemoteSide<'a> {
    pub client: &'a Client,
}

/// The answers' shapes, read leniently: emulators leave out or null what AWS always sends.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListSecretsAnswer {
    #[serde(default)]
    secret_list: Option<Vec<ListEntry>>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListEntry {
    name: String,
    #[serde(default)]
    deleted_date: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeAnswer {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    tags: Option<Vec<Tag>>,
    #[serde(default)]
    deleted_date: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VersionsAnswer {
    #[serde(default)]
    versions: Option<Vec<VersionEntry>>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VersionEntry {
    version_id: String,
    #[serde(default)]
    version_stages: Option<Vec<String>>,
}

/// GetSecretValue's answer: only the value is read (into zeroizing types).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ValueAnswer {
    #[serde(default)]
    secret_string: Option<SecretText>,
    #[serde(default)]
    secret_binary: Option<SecretBytes>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyAnswer {
    #[serde(default)]
    resource_policy: Option<String>,
}

#[derive(Deserialize)]
struct Ignored {}

/// CreateSecret's and PutSecretValue's body, the one place a value is serialized.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WithValue<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_request_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "<[Tag]>::is_empty")]
    tags: &'a [Tag],
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_string: Option<ExposeText<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_binary: Option<ExposeBytes<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_stages: Option<&'a [String]>,
}

impl<'a> WithValue<'a> {
    fn new(value: Option<&'a SecretValue>) -> Self {
        Self {
            name: None,
            secret_id: None,
            client_request_token: None,
            description: None,
            tags: &[],
            secret_string: match value {
                Some(SecretValue::String(s)) => Some(ExposeText(s)),
                _ => None,
            },
            secret_binary: match value {
                Some(SecretValue::Binary(b)) => Some(ExposeBytes(b)),
                _ => None,
            },
            version_stages: None,
        }
    }

    /// The body in a zeroizing buffer, sized up front so that it is not copied as it grows.
    fn send(&self, client: &Client, operation: Operation, value_len: usize) -> Result<()> {
        let mut body = zeroize::Zeroizing::new(Vec::with_capacity(value_len * 2 + 4096));
        serde_json::to_writer(&mut *body, self).expect("requests serialize");
        let answer = client.call(operation, &body)?;
        super::client::parse_answer::<Ignored>(operation.as_str(), client.url(), &answer)?;
        Ok(())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListSecretsCall<'a> {
    #[serde(skip_serializing_if = "<[Filter]>::is_empty")]
    filters: &'a [Filter],
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    max_results: i64,
}

impl Secrets for RemoteSide<'_> {
    fn list_names(&self, filters: &[Filter], next_token: Option<String>) -> Result<Page<String>> {
        let a: ListSecretsAnswer = self.client.call_json(
            Operation::ListSecrets,
            &ListSecretsCall {
                filters,
                next_token,
                max_results: 100,
            },
        )?;
        Ok((
            a.secret_list
                .unwrap_or_default()
                .into_iter()
                .filter(|e| e.deleted_date.as_ref().is_none_or(|d| d.is_null()))
                .map(|e| e.name)
                .collect(),
            a.next_token.filter(|t| !t.is_empty()),
        ))
    }

    fn describe(&self, secret_id: &str) -> Result<Option<SecretMeta>> {
        let a = not_found_is_none(self.client.call_json::<DescribeAnswer>(
            Operation::DescribeSecret,
            &SecretIdRequest {
                secret_id: secret_id.to_string(),
            },
        ))?;
        Ok(a.map(|a| SecretMeta {
            name: a.name,
            description: a.description,
            tags: a.tags.unwrap_or_default(),
            deleted: a.deleted_date.is_some_and(|d| !d.is_null()),
        }))
    }

    fn versions(
        &self,
        name: &str,
        include_deprecated: bool,
        next_token: Option<String>,
    ) -> Result<Page<VersionLabels>> {
        let a: VersionsAnswer = self.client.call_json(
            Operation::ListSecretVersionIds,
            &ListSecretVersionIdsRequest {
                secret_id: name.to_string(),
                max_results: Some(100),
                next_token,
                include_deprecated,
            },
        )?;
        Ok((
            a.versions
                .unwrap_or_default()
                .into_iter()
                .map(|v| VersionLabels {
                    version_id: v.version_id,
                    stages: v.version_stages.unwrap_or_default(),
                })
                .collect(),
            a.next_token.filter(|t| !t.is_empty()),
        ))
    }

    fn value(&self, name: &str, version_id: &str) -> Result<SecretValue> {
        let a: ValueAnswer = self.client.call_json(
            Operation::GetSecretValue,
            &GetSecretValueRequest {
                secret_id: name.to_string(),
                version_id: Some(version_id.to_string()),
                version_stage: None,
            },
        )?;
        match (a.secret_string, a.secret_binary) {
            (Some(s), _) => Ok(SecretValue::String(s)),
            (None, Some(b)) => Ok(SecretValue::Binary(b)),
            (None, None) => Err(Error::internal(format!(
                "{} returned no value for version {version_id} of {name}.",
                self.client.url()
            ))),
        }
    }

    fn policy(&self, name: &str) -> Result<Option<String>> {
        let a: PolicyAnswer = self.client.call_json(
            Operation::GetResourcePolicy,
            &SecretIdRequest {
                secret_id: name.to_string(),
            },
        )?;
        Ok(a.resource_policy.filter(|p| !p.trim().is_empty()))
    }

    fn create(
        &self,
        meta: &SecretMeta,
        version_id: Option<&str>,
        value: Option<SecretValue>,
    ) -> Result<()> {
        let len = value.as_ref().map_or(0, SecretValue::len);
        WithValue {
            name: Some(&meta.name),
            client_request_token: version_id,
            description: meta.description.as_deref(),
            tags: &meta.tags,
            ..WithValue::new(value.as_ref())
        }
        .send(self.client, Operation::CreateSecret, len)
    }

    fn put_value(
        &self,
        name: &str,
        version_id: &str,
        value: SecretValue,
        stages: &[String],
    ) -> Result<()> {
        WithValue {
            secret_id: Some(name),
            client_request_token: Some(version_id),
            version_stages: Some(stages),
            ..WithValue::new(Some(&value))
        }
        .send(self.client, Operation::PutSecretValue, value.len())
    }

    fn move_label(&self, request: UpdateSecretVersionStageRequest) -> Result<()> {
        self.client
            .call_json::<Ignored>(Operation::UpdateSecretVersionStage, &request)
            .map(drop)
    }

    fn set_description(&self, request: UpdateSecretRequest) -> Result<()> {
        self.client
            .call_json::<Ignored>(Operation::UpdateSecret, &request)
            .map(drop)
    }

    fn tag(&self, request: TagResourceRequest) -> Result<()> {
        self.client
            .call_json::<Ignored>(Operation::TagResource, &request)
            .map(drop)
    }

    fn untag(&self, request: UntagResourceRequest) -> Result<()> {
        self.client
            .call_json::<Ignored>(Operation::UntagResource, &request)
            .map(drop)
    }

    fn put_policy(&self, request: PutResourcePolicyRequest) -> Result<()> {
        self.client
            .call_json::<Ignored>(Operation::PutResourcePolicy, &request)
            .map(drop)
    }

    fn delete_policy(&self, request: SecretIdRequest) -> Result<()> {
        self.client
            .call_json::<Ignored>(Operation::DeleteResourcePolicy, &request)
            .map(drop)
    }
}
