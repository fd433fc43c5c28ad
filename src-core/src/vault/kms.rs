//! The KMS-style keys of a vault: create, list, describe, aliases.

use super::keys::KmsDoc;
use super::{Caller, Vault};
use crate::Operation;
use crate::api::*;
use crate::crypto::random;
use crate::model::{epoch_seconds, kms_key_arn};
use crate::{Error, Result};

fn validate_alias(name: &str) -> Result<()> {
    let rest = name.strip_prefix("alias/").ok_or_else(|| {
        Error::validation(format!("The alias name '{name}' must begin with alias/."))
    })?;
    if rest.is_empty()
        || name.len() > 256
        || !rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_-".contains(&b))
    {
        return Err(Error::validation(format!(
            "The alias name '{name}' must be alias/ followed by 1 or more of A-Z a-z 0-9 / _ -"
        )));
    }
    if rest.starts_with("aws/") {
        return Err(Error::invalid_parameter(
            "Alias names beginning with alias/aws/ are reserved.",
        ));
    }
    Ok(())
}

impl Vault {
    fn key_metadata(&self, key_id: &str, doc: &KmsDoc) -> KeyMetadata {
        KeyMetadata {
            key_id: key_id.to_string(),
            arn: kms_key_arn(&self.info.region, &self.info.account_id, key_id),
            aws_account_id: self.info.account_id.clone(),
            creation_date: epoch_seconds(doc.created_ms),
            description: doc.description.clone(),
            enabled: doc.enabled,
            key_state: if doc.enabled { "Enabled" } else { "Disabled" }.into(),
            key_manager: doc.key_manager.clone(),
            key_usage: "ENCRYPT_DECRYPT".into(),
            key_spec: "SYMMETRIC_DEFAULT".into(),
        }
    }

    /// Creates a customer-managed key (AES-256 material, wrapped by the master key).
    pub fn create_key(
        &self,
        caller: &Caller,
        req: CreateKeyRequest,
    ) -> Result<KeyMetadataResponse> {
        self.exec(caller, Operation::CreateKey, &req, |ctx| {
            ctx.authorize("kms:CreateKey", "*")?;
            if req
                .description
                .as_deref()
                .is_some_and(|d| d.chars().count() > 8192)
            {
                return Err(Error::validation(
                    "The key description must be at most 8192 characters.",
                ));
            }
            let key_id = random::uuid();
            let doc = KmsDoc {
                description: req.description.clone().unwrap_or_default(),
                aliases: Vec::new(),
                enabled: true,
                key_manager: "CUSTOMER".into(),
                created_ms: ctx.now_ms,
                policy: None,
            };
            ctx.will_write()?;
            ctx.keys.new_kms_key(ctx.tx, &key_id, &doc)?;
            ctx.kms_changed()?;
            let resp = KeyMetadataResponse {
                key_metadata: self.key_metadata(&key_id, &doc),
            };
            ctx.respond(&resp);
            Ok(resp)
        })
    }

    pub fn list_keys(&self, caller: &Caller) -> Result<ListKeysResponse> {
        self.exec(caller, Operation::ListKeys, &serde_json::json!({}), |ctx| {
            ctx.authorize("kms:ListKeys", "*")?;
            Ok(ListKeysResponse {
                keys: ctx
                    .kms
                    .order
                    .iter()
                    .map(|id| KeyListEntry {
                        key_id: id.clone(),
                        key_arn: kms_key_arn(&ctx.info.region, &ctx.info.account_id, id),
                    })
                    .collect(),
            })
        })
    }

    pub fn describe_key(&self, caller: &Caller, req: KeyIdRequest) -> Result<KeyMetadataResponse> {
        self.exec(caller, Operation::DescribeKey, &req, |ctx| {
            let id = ctx
                .kms
                .resolve(&req.key_id, &ctx.info.region, &ctx.info.account_id)
                .map_err(|_| Error::not_found(format!("Key '{}' does not exist", req.key_id)))?;
            ctx.authorize(
                "kms:DescribeKey",
                &kms_key_arn(&ctx.info.region, &ctx.info.account_id, &id),
            )?;
            let doc = &ctx.kms.keys[&id].doc;
            Ok(KeyMetadataResponse {
                key_metadata: self.key_metadata(&id, doc),
            })
        })
    }

    pub fn create_alias(&self, caller: &Caller, req: CreateAliasRequest) -> Result<Empty> {
        self.exec(caller, Operation::CreateAlias, &req, |ctx| {
            validate_alias(&req.alias_name)?;
            let id = ctx
                .kms
                .resolve(&req.target_key_id, &ctx.info.region, &ctx.info.account_id)
                .map_err(|_| {
                    Error::not_found(format!("Key '{}' does not exist", req.target_key_id))
                })?;
            ctx.authorize(
                "kms:CreateAlias",
                &kms_key_arn(&ctx.info.region, &ctx.info.account_id, &id),
            )?;
            if ctx.kms.aliases.contains_key(&req.alias_name) {
                return Err(Error::exists(format!(
                    "An alias with the name {} already exists",
                    req.alias_name
                )));
            }
            let mut doc = ctx.kms.keys[&id].doc.clone();
            doc.aliases.push(req.alias_name.clone());
            ctx.will_write()?;
            ctx.tx
                .kms_update_doc(&id, &ctx.keys.seal_kms_doc(&id, &doc))?;
            ctx.kms_changed()?;
            Ok(Empty {})
        })
    }

    pub fn list_aliases(&self, caller: &Caller) -> Result<ListAliasesResponse> {
        self.exec(
            caller,
            Operation::ListAliases,
            &serde_json::json!({}),
            |ctx| {
                ctx.authorize("kms:ListAliases", "*")?;
                let mut aliases: Vec<AliasListEntry> = ctx
                    .kms
                    .aliases
                    .iter()
                    .map(|(name, id)| AliasListEntry {
                        alias_name: name.clone(),
                        alias_arn: format!(
                            "arn:aws:kms:{}:{}:{}",
                            ctx.info.region, ctx.info.account_id, name
                        ),
                        target_key_id: id.clone(),
                    })
                    .collect();
                aliases.sort_by(|a, b| a.alias_name.cmp(&b.alias_name));
                Ok(ListAliasesResponse { aliases })
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::validate_alias;

    #[test]
    fn aliases_need_the_prefix_and_avoid_the_reserved_space() {
        assert!(validate_alias("alias/prod-db").is_ok());
        assert!(validate_alias("prod-db").is_err());
        assert!(validate_alias("alias/").is_err());
        assert_eq!(
            validate_alias("alias/aws/x").unwrap_err().code,
            crate::ErrorCode::InvalidParameter
        );
    }
}
