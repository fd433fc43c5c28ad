//! The Secrets Manager operations on secrets, versions, labels and tags.
//!
//! **Why this file is long:** it holds every Secrets Manager operation on secrets, versions,
//! labels and tags, each a door method of a few dozen lines in the order of the API reference;
//! the replica, rotation and policy operations live in their own files.

use std::collections::BTreeMap;

use super::doc::{SecretDoc, VersionDoc};
use super::index::{FilterSet, SortBy};
use super::{Caller, Ctx, Vault};
use crate::Operation;
use crate::api::*;
use crate::crypto::random;
use crate::model::{
    self, AWSCURRENT, SecretValue, Tag, day_start, epoch_seconds, validate_description,
    validate_kms_key_id, validate_name, validate_rotation_token, validate_secret_type,
    validate_stage, validate_stages, validate_tag_key, validate_tags, validate_value_len,
    validate_version_id,
};
use crate::{Error, Result};

/// Exactly one of `SecretString` / `SecretBinary`, or neither; never both.
fn take_value(
    s: Option<model::SecretText>,
    b: Option<model::SecretBytes>,
) -> Result<Option<SecretValue>> {
    match (s, b) {
        (Some(_), Some(_)) => Err(Error::invalid_parameter(
            "You can't specify both a binary secret value and a string secret value in the same secret.",
        )),
        (Some(s), None) => {
            validate_value_len("secretString", s.expose().len())?;
            Ok(Some(SecretValue::String(s)))
        }
        (None, Some(b)) => {
            validate_value_len("secretBinary", b.expose().len())?;
            Ok(Some(SecretValue::Binary(b)))
        }
        (None, None) => Ok(None),
    }
}

fn random_suffix() -> String {
    let alphabet: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        .chars()
        .collect();
    random::string_from(&alphabet, 6)
}

/// DeleteSecret with `ForceDeleteWithoutRecovery` on a `SecretId` that names no secret
/// succeeds, naming it: moto 5.2.5's `test_delete_secret_force_no_such_secret` expects
/// `Name == SecretId`, and moto answers with a fresh ARN for that name and today as the
/// `DeletionDate` (`models.py`, `delete_secret`). A `SecretId` written as an ARN is answered
/// with that ARN and the name it holds.
fn forget_missing(ctx: &mut Ctx<'_, '_>, secret_id: &str) -> Result<DeleteSecretResponse> {
    let (arn, name) = match model::SecretArn::parse(secret_id) {
        Some(parsed) => (secret_id.to_string(), parsed.partial_name),
        None => (
            model::SecretArn {
                region: ctx.info.region.clone(),
                account: ctx.info.account_id.clone(),
                name: secret_id.to_string(),
                suffix: random_suffix(),
            }
            .to_string(),
            secret_id.to_string(),
        ),
    };
    ctx.authorize_with_request_keys("secretsmanager:DeleteSecret", &arn)?;
    let resp = DeleteSecretResponse {
        arn,
        name,
        deletion_date: date(ctx.now_ms),
    };
    ctx.respond(&resp);
    Ok(resp)
}

fn date(ms: i64) -> f64 {
    epoch_seconds(ms)
}

/// A `ClientRequestToken` that already names a version of the secret with another value.
/// AWS's words, from moto 5.2.5's `@aws_verified` tests `test_create_different_secret_with_same_token`,
/// `test_put_different_secret_value_with_same_token` and
/// `test_update_different_secret_value_with_same_token` (tests/test_secretsmanager/test_secretsmanager.py).
fn token_in_use(token: &str, arn: &str) -> Error {
    Error::exists(format!(
        "You can't use ClientRequestToken {token} because that value is already in use for a version of secret {arn}."
    ))
}

/// What happened to a requested new version.
enum NewVersion {
    Created(String),
    /// The same token and the same value: an idempotent retry.
    Existing(String),
}

impl Ctx<'_, '_> {
    /// Adds a version with `stages` (moving them, AWSPREVIOUS following AWSCURRENT), or
    /// recognises a retry of the same token and value.
    fn add_version(
        &mut self,
        doc: &mut SecretDoc,
        token: Option<String>,
        value: &SecretValue,
        stages: &[String],
    ) -> Result<NewVersion> {
        let vid = match token {
            Some(t) => {
                validate_version_id("clientRequestToken", &t)?;
                t
            }
            None => random::uuid(),
        };
        if let Some(existing) = doc.version(&vid) {
            if existing.has_value && self.read_value(doc, &vid)?.same_as(value) {
                return Ok(NewVersion::Existing(vid));
            }
            if existing.has_value {
                return Err(token_in_use(&vid, &self.arn(doc)));
            }
            // A version made with labels but no value (rotation's AWSPENDING): fill it in.
            self.write_value(doc, &vid, value)?;
            let v = doc
                .versions
                .iter_mut()
                .find(|v| v.id == vid)
                .expect("exists");
            v.has_value = true;
            v.kms_key_id = doc.kms_key_id.clone();
        } else {
            for removed in doc.make_room(self.now_ms)? {
                self.delete_value(doc, &removed)?;
            }
            self.write_value(doc, &vid, value)?;
            doc.versions.push(VersionDoc {
                id: vid.clone(),
                stages: Vec::new(),
                created_ms: self.now_ms,
                last_accessed_day_ms: None,
                kms_key_id: doc.kms_key_id.clone(),
                has_value: true,
            });
        }
        for s in stages {
            doc.attach(s, &vid)?;
        }
        // As in AWS: the first version of a secret gets AWSCURRENT whatever labels it asked for.
        let mut stages = stages.to_vec();
        if doc.holder(AWSCURRENT).is_none() {
            doc.attach(AWSCURRENT, &vid)?;
            stages.push(AWSCURRENT.into());
        }
        doc.last_changed_ms = self.now_ms;
        self.audit.version_ids.push(vid.clone());
        self.audit.version_stages.extend(stages.iter().cloned());
        Ok(NewVersion::Created(vid))
    }

    fn resolve_kms(&mut self, input: Option<&str>) -> Result<(Option<String>, String)> {
        match input {
            None => Ok((None, self.kms.default_key_id()?.to_string())),
            Some(k) => {
                validate_kms_key_id(k)?;
                let id = match self
                    .kms
                    .resolve(k, &self.info.region, &self.info.account_id)
                {
                    Err(e) if self.emulator => self.emulator_kms_key(k).map_err(|_| e)?,
                    other => other?,
                };
                Ok((Some(k.to_string()), id))
            }
        }
    }

    /// The emulator makes a KMS key it does not know on first use, as moto and LocalStack
    /// do and test suites expect (moto 5.2.5 test_describe_secret_with_KmsKeyId passes
    /// `KmsKeyId="dummy_arn"`): an alias gets a new key under that alias, a key id or key
    /// ARN of this region a key with that id. A vault refuses unknown keys as AWS does.
    fn emulator_kms_key(&mut self, input: &str) -> Result<String> {
        let arn_prefix = format!("arn:aws:kms:{}:{}:", self.info.region, self.info.account_id);
        let local = input.strip_prefix(&arn_prefix).unwrap_or(input);
        let (key_id, aliases) = match local.strip_prefix("key/") {
            Some(id) => (id.to_string(), Vec::new()),
            None if local.starts_with("alias/") => (random::uuid(), vec![local.to_string()]),
            None if local.starts_with("arn:") => {
                return Err(Error::invalid_parameter("not a key of this region"));
            }
            None => (local.to_string(), Vec::new()),
        };
        let doc = super::keys::KmsDoc {
            description: String::new(),
            aliases,
            enabled: true,
            key_manager: "CUSTOMER".into(),
            created_ms: self.now_ms,
            policy: None,
        };
        self.will_write()?;
        let material = self.keys.new_kms_key(self.tx, &key_id, &doc)?;
        self.kms.insert(&key_id, material, doc);
        self.kms_changed()?;
        Ok(key_id)
    }

    fn describe(&self, doc: &SecretDoc) -> DescribeSecretResponse {
        describe(self.info, doc)
    }

    pub(super) fn list_entry(&self, doc: &SecretDoc) -> SecretListEntry {
        let d = self.describe(doc);
        SecretListEntry {
            arn: d.arn,
            name: d.name,
            secret_type: d.secret_type,
            description: d.description,
            kms_key_id: d.kms_key_id,
            rotation_enabled: d.rotation_enabled,
            rotation_lambda_arn: d.rotation_lambda_arn,
            rotation_rules: d.rotation_rules,
            last_rotated_date: d.last_rotated_date,
            next_rotation_date: d.next_rotation_date,
            last_changed_date: d.last_changed_date,
            last_accessed_date: d.last_accessed_date,
            deleted_date: d.deleted_date,
            tags: d.tags,
            secret_versions_to_stages: d.version_ids_to_stages,
            owning_service: d.owning_service,
            created_date: d.created_date,
            primary_region: d.primary_region,
            replication_status: d.replication_status,
        }
    }

    /// Reads one version's value and records the access (day precision).
    fn get_value(
        &mut self,
        doc: std::sync::Arc<SecretDoc>,
        version_id: Option<&str>,
        stage: Option<&str>,
    ) -> Result<GetSecretValueResponse> {
        if let Some(v) = version_id {
            validate_version_id("versionId", v)?;
        }
        if let Some(s) = stage {
            validate_stage("versionStage", s)?;
        }
        let version = match (version_id, stage) {
            (Some(id), Some(st)) => doc
                .version(id)
                .filter(|v| v.stages.iter().any(|s| s == st))
                .ok_or_else(|| Error::not_found(format!(
                    "Secrets Manager can't find the specified secret value for VersionId: {id} and staging label: {st}"
                )))?,
            (Some(id), None) => doc.version(id).ok_or_else(|| {
                Error::not_found(format!("Secrets Manager can't find the specified secret value for VersionId: {id}"))
            })?,
            (None, st) => {
                let st = st.unwrap_or(AWSCURRENT);
                doc.holder(st).ok_or_else(|| {
                    Error::not_found(format!("Secrets Manager can't find the specified secret value for staging label: {st}"))
                })?
            }
        }
        .clone();
        if !version.has_value {
            return Err(Error::not_found(format!(
                "Secrets Manager can't find the specified secret value for VersionId: {}",
                version.id
            )));
        }
        self.authorize_decrypt(&version.kms_key_id)?;
        let value = self.read_value(&doc, &version.id)?;
        self.audit.version_ids.push(version.id.clone());
        self.audit
            .version_stages
            .extend(version.stages.iter().cloned());
        let response = GetSecretValueResponse {
            arn: self.arn(&doc),
            name: doc.name.clone(),
            version_id: version.id.clone(),
            value,
            version_stages: version.stages.clone(),
            created_date: date(version.created_ms),
        };
        // LastAccessedDate has day precision: the document is rewritten once a day at most.
        let today = day_start(self.now_ms);
        if doc.last_accessed_day_ms != Some(today) || version.last_accessed_day_ms != Some(today) {
            let mut doc = (*doc).clone();
            doc.last_accessed_day_ms = Some(today);
            if let Some(v) = doc.versions.iter_mut().find(|v| v.id == version.id) {
                v.last_accessed_day_ms = Some(today);
            }
            self.save(doc)?;
        }
        Ok(response)
    }
}

/// DescribeSecret's answer for a document (the console's detail view shows the same).
pub(super) fn describe(info: &super::VaultInfo, doc: &SecretDoc) -> DescribeSecretResponse {
    DescribeSecretResponse {
        arn: info.secret_arn(doc),
        name: doc.name.clone(),
        secret_type: doc.secret_type.clone(),
        // A vault written before empty descriptions were dropped may hold one.
        description: doc.description.clone().filter(|d| !d.is_empty()),
        kms_key_id: doc.kms_key_input.clone(),
        rotation_enabled: doc.rotation.as_ref().map(|r| r.enabled),
        rotation_lambda_arn: doc.rotation.as_ref().and_then(|r| r.function_arn.clone()),
        rotation_rules: doc.rotation.as_ref().and_then(|r| r.rules.clone()),
        last_rotated_date: doc
            .rotation
            .as_ref()
            .and_then(|r| r.last_rotated_ms)
            .map(date),
        next_rotation_date: doc
            .rotation
            .as_ref()
            .and_then(crate::rotation::next_rotation_ms)
            .map(date),
        last_changed_date: Some(date(doc.last_changed_ms)),
        last_accessed_date: doc.last_accessed_day_ms.map(date),
        deleted_date: doc.deleted_ms.map(date),
        tags: doc.shown_tags(),
        version_ids_to_stages: stages_map(doc),
        owning_service: doc.owning_service.clone(),
        created_date: date(doc.created_ms),
        primary_region: doc
            .primary_region
            .clone()
            .or_else(|| (!doc.replicas.is_empty()).then(|| info.region.clone())),
        replication_status: super::replicas::statuses(doc),
        cross_account_primary: super::cross_account::primary_of(doc),
        cross_account_replicas: super::cross_account::replicas_of(doc),
    }
}

fn stages_map(doc: &SecretDoc) -> BTreeMap<String, Vec<String>> {
    doc.versions
        .iter()
        .filter(|v| !v.stages.is_empty())
        .map(|v| (v.id.clone(), v.stages.clone()))
        .collect()
}

fn page_size(max: Option<i64>, field: &str) -> Result<usize> {
    match max {
        None => Ok(100),
        Some(n) if (1..=100).contains(&n) => Ok(n as usize),
        Some(_) => Err(Error::validation(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have value between 1 and 100"
        ))),
    }
}

impl Vault {
    pub fn create_secret(
        &self,
        caller: &Caller,
        req: CreateSecretRequest,
    ) -> Result<CreateSecretResponse> {
        let mut req = req;
        let (secret_string, secret_binary) = (req.secret_string.take(), req.secret_binary.take());
        self.exec(caller, Operation::CreateSecret, &req, |ctx| {
            validate_name(&req.name)?;
            if let Some(d) = &req.description {
                validate_description(d)?;
            }
            validate_tags(&req.tags)?;
            if let Some(t) = &req.secret_type {
                validate_secret_type(t)?;
            }
            let partial_arn = format!(
                "arn:aws:secretsmanager:{}:{}:secret:{}",
                ctx.info.region, ctx.info.account_id, req.name
            );
            ctx.request_keys.push(("secretsmanager:Name".into(), vec![req.name.clone()]));
            if let Some(d) = &req.description {
                ctx.request_keys.push(("secretsmanager:Description".into(), vec![d.clone()]));
            }
            if let Some(k) = &req.kms_key_id {
                ctx.request_keys.push(("secretsmanager:KmsKeyId".into(), vec![k.clone()]));
            }
            ctx.push_request_tags(&req.tags);
            ctx.authorize_with_request_keys("secretsmanager:CreateSecret", &partial_arn)?;
            let value = take_value(secret_string, secret_binary)?;
            if let Some(primary) = &req.cross_account_primary_arn {
                super::cross_account::check_create(
                    primary,
                    &ctx.info.account_id,
                    &ctx.info.region,
                    value.is_some(),
                    &req,
                )?;
            }
            if let Some(existing) = ctx.index.by_name(&req.name).map(|d| (**d).clone()) {
                ctx.audit.secret = Some((existing.uid.clone(), ctx.arn(&existing)));
                if existing.is_scheduled_for_deletion() {
                    return Err(Error::invalid_request(
                        "You can't create this secret because a secret with this name is already scheduled for deletion.",
                    ));
                }
                // A retry of the same request (same token, same value) is not an error; the
                // same token with another value names the version it already made.
                if let (Some(token), Some(v)) = (&req.client_request_token, &value)
                    && existing.version(token).is_some_and(|x| x.has_value)
                {
                    if !ctx.read_value(&existing, token)?.same_as(v) {
                        return Err(token_in_use(token, &ctx.arn(&existing)));
                    }
                    return Ok(CreateSecretResponse {
                        arn: ctx.arn(&existing),
                        name: existing.name.clone(),
                        version_id: Some(token.clone()),
                        replication_status: super::replicas::statuses(&existing),
                    });
                }
                return Err(Error::exists(format!(
                    "The operation failed because the secret {} already exists.",
                    req.name
                )));
            }
            let (kms_key_input, kms_key_id) = ctx.resolve_kms(req.kms_key_id.as_deref())?;
            if req.cross_account_primary_arn.is_some() && kms_key_id == ctx.kms.default_key_id()? {
                return Err(Error::invalid_parameter(
                    "A cross-account replica must be encrypted with a customer managed KMS key: give its KmsKeyId (the AWS managed key aws/secretsmanager does not support cross-account access).",
                ));
            }
            let mut doc = SecretDoc {
                uid: random::hex(16),
                name: req.name.clone(),
                suffix: random_suffix(),
                // An empty description is none: AWS's answers leave it out (docs/AWS-FIDELITY.md R15).
                description: req.description.clone().filter(|d| !d.is_empty()),
                kms_key_input,
                kms_key_id,
                tags: req.tags.clone(),
                tagged: !req.tags.is_empty(),
                policy: None,
                created_ms: ctx.index.creation_date(ctx.now_ms),
                last_changed_ms: ctx.now_ms,
                last_accessed_day_ms: None,
                deleted_ms: None,
                deletion_ms: None,
                owning_service: None,
                secret_type: req.secret_type.clone().filter(|t| !t.is_empty()),
                primary_region: None,
                replicas: Vec::new(),
                cross_account_replicas: Vec::new(),
                // A replica made here waits for its primary's account to associate it.
                cross_account_primary: req.cross_account_primary_arn.clone().map(|arn| {
                    super::doc::CrossAccountPrimaryDoc {
                        arn,
                        status: super::doc::ReplicaStatus::Pending,
                        message: None,
                    }
                }),
                replication_seq: 0,
                rotation: None,
                versions: Vec::new(),
                haystack: String::new(),
            };
            ctx.audit.secret = Some((doc.uid.clone(), ctx.arn(&doc)));
            let version_id = match &value {
                Some(v) => match ctx.add_version(&mut doc, req.client_request_token.clone(), v, &[AWSCURRENT.into()])? {
                    NewVersion::Created(id) | NewVersion::Existing(id) => Some(id),
                },
                None => {
                    if let Some(t) = &req.client_request_token {
                        validate_version_id("clientRequestToken", t)?;
                    }
                    None
                }
            };
            if !req.add_replica_regions.is_empty() {
                self.add_replicas(ctx, &mut doc, &req.add_replica_regions, req.force_overwrite_replica_secret)?;
            }
            let resp = CreateSecretResponse {
                arn: ctx.arn(&doc),
                name: doc.name.clone(),
                version_id,
                replication_status: super::replicas::statuses(&doc),
            };
            ctx.save(doc)?;
            ctx.respond(&resp);
            Ok(resp)
        })
        .map(|mut resp| {
            resp.replication_status = self.statuses_after_push(&resp.arn, resp.replication_status);
            resp
        })
    }

    pub fn get_secret_value(
        &self,
        caller: &Caller,
        req: GetSecretValueRequest,
    ) -> Result<GetSecretValueResponse> {
        self.exec(caller, Operation::GetSecretValue, &req, |ctx| {
            if let Some(v) = &req.version_id {
                ctx.request_keys
                    .push(("secretsmanager:VersionId".into(), vec![v.clone()]));
            }
            ctx.request_keys.push((
                "secretsmanager:VersionStage".into(),
                vec![
                    req.version_stage
                        .clone()
                        .unwrap_or_else(|| AWSCURRENT.into()),
                ],
            ));
            // The request is validated before the secret is looked for (AWS's order).
            crate::model::validate_secret_id(&req.secret_id)?;
            if let Some(v) = &req.version_id {
                validate_version_id("versionId", v)?;
            }
            if let Some(s) = &req.version_stage {
                validate_stage("versionStage", s)?;
            }
            let doc = ctx.resolve_live_shared(&req.secret_id, "secretsmanager:GetSecretValue")?;
            ctx.get_value(doc, req.version_id.as_deref(), req.version_stage.as_deref())
        })
    }

    pub fn batch_get_secret_value(
        &self,
        caller: &Caller,
        req: BatchGetSecretValueRequest,
    ) -> Result<BatchGetSecretValueResponse> {
        self.exec(caller, Operation::BatchGetSecretValue, &req, |ctx| {
            // moto 5.2.5 `test_batch_get_secret_value_with_both_secret_id_list_and_filters` and
            // `test_batch_get_secret_value_with_max_results_and_no_filters` (messages from its
            // `models.py` `batch_get_secret_value`, checked in this order).
            if req.secret_id_list.is_empty() == req.filters.is_empty() {
                return Err(Error::invalid_parameter(
                    "Either 'SecretIdList' or 'Filters' must be provided, but not both.",
                ));
            }
            if req.max_results.is_some() && req.filters.is_empty() {
                return Err(Error::invalid_parameter(
                    "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
                ));
            }
            if req.secret_id_list.len() > 20 {
                return Err(Error::validation(
                    "1 validation error detected: Value at 'secretIdList' failed to satisfy constraint: Member must have length less than or equal to 20",
                ));
            }
            if !req.secret_id_list.is_empty() && req.next_token.is_some() {
                return Err(Error::invalid_parameter(
                    "MaxResults and NextToken can be used only with Filters.",
                ));
            }
            let ids: Vec<String>;
            let mut next_token = None;
            if req.filters.is_empty() {
                ids = req.secret_id_list.clone();
            } else {
                let limit = match req.max_results {
                    None => 20,
                    Some(n) if (1..=20).contains(&n) => n as usize,
                    Some(_) => {
                        return Err(Error::validation(
                            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 20",
                        ));
                    }
                };
                let set = FilterSet::compile(&req.filters, &ctx.info.region)?;
                let (docs, next) = ctx.index.page(SortBy::Created, false, req.next_token.as_deref(), limit, |d| {
                    !d.is_scheduled_for_deletion() && set.matches(d)
                })?;
                next_token = next;
                ids = docs.iter().map(|d| ctx.arn(d)).collect();
            }
            let mut values = Vec::new();
            let mut errors = Vec::new();
            for id in ids {
                // A secret with no value fails the whole call: moto 5.2.5
                // `test_batch_get_secret_value_missing_value` expects ResourceNotFoundException
                // (its `batch_get_secret_value` lets GetSecretValue's error through).
                let r = match ctx.resolve_live_shared(&id, "secretsmanager:GetSecretValue") {
                    Ok(doc) => Ok(ctx.get_value(doc, None, None)?),
                    Err(e) => Err(e),
                };
                match r {
                    Ok(v) => values.push(v),
                    Err(e) => errors.push(ApiErrorEntry {
                        secret_id: id,
                        error_code: e.code.as_str().into(),
                        message: e.message,
                    }),
                }
            }
            // One request, many secrets: the event names none in particular.
            ctx.audit.secret = None;
            Ok(BatchGetSecretValueResponse { secret_values: values, next_token, errors })
        })
    }

    pub fn put_secret_value(
        &self,
        caller: &Caller,
        req: PutSecretValueRequest,
    ) -> Result<PutSecretValueResponse> {
        let mut req = req;
        let (secret_string, secret_binary) = (req.secret_string.take(), req.secret_binary.take());
        self.exec(caller, Operation::PutSecretValue, &req, |ctx| {
            // The request is checked before the secret is looked for; no value at all is an
            // InvalidRequestException (moto 5.2.5
            // test_put_secret_binary_requires_either_string_or_binary, on a missing secret).
            // A modelled constraint: checked before the service's own rules.
            if let Some(t) = &req.rotation_token {
                validate_rotation_token(t)?;
            }
            let value = take_value(secret_string, secret_binary)?.ok_or_else(|| {
                Error::invalid_request("You must provide either SecretString or SecretBinary.")
            })?;
            let mut doc = ctx.resolve_live(&req.secret_id, "secretsmanager:PutSecretValue")?;
            let stages = req
                .version_stages
                .clone()
                .unwrap_or_else(|| vec![AWSCURRENT.into()]);
            validate_stages(&stages)?;
            let vid = match ctx.add_version(
                &mut doc,
                req.client_request_token.clone(),
                &value,
                &stages,
            )? {
                NewVersion::Existing(vid) => {
                    let stages = doc
                        .version(&vid)
                        .map(|v| v.stages.clone())
                        .unwrap_or_default();
                    return Ok(PutSecretValueResponse {
                        arn: ctx.arn(&doc),
                        name: doc.name.clone(),
                        version_id: vid,
                        version_stages: stages,
                    });
                }
                NewVersion::Created(vid) => vid,
            };
            let resp = PutSecretValueResponse {
                arn: ctx.arn(&doc),
                name: doc.name.clone(),
                version_stages: doc
                    .version(&vid)
                    .map(|v| v.stages.clone())
                    .unwrap_or_default(),
                version_id: vid,
            };
            ctx.save(doc)?;
            ctx.respond(&resp);
            Ok(resp)
        })
    }

    pub fn update_secret(
        &self,
        caller: &Caller,
        req: UpdateSecretRequest,
    ) -> Result<UpdateSecretResponse> {
        let mut req = req;
        let (secret_string, secret_binary) = (req.secret_string.take(), req.secret_binary.take());
        self.exec(caller, Operation::UpdateSecret, &req, |ctx| {
            if let Some(d) = &req.description {
                ctx.request_keys
                    .push(("secretsmanager:Description".into(), vec![d.clone()]));
            }
            if let Some(k) = &req.kms_key_id {
                ctx.request_keys
                    .push(("secretsmanager:KmsKeyId".into(), vec![k.clone()]));
            }
            let mut doc = ctx.resolve_live(&req.secret_id, "secretsmanager:UpdateSecret")?;
            if let Some(d) = &req.description {
                validate_description(d)?;
            }
            if let Some(t) = &req.secret_type {
                validate_secret_type(t)?;
            }
            let value = take_value(secret_string, secret_binary)?;
            let mut changed = false;
            if let Some(t) = &req.secret_type {
                doc.secret_type = Some(t.clone()).filter(|t| !t.is_empty());
                changed = true;
            }
            if let Some(d) = &req.description {
                doc.description = Some(d.clone()).filter(|d| !d.is_empty());
                changed = true;
            }
            if let Some(k) = &req.kms_key_id {
                let (input, id) = ctx.resolve_kms(Some(k))?;
                if id != doc.kms_key_id {
                    // The labelled versions move to the new key (their data keys are re-wrapped).
                    for v in doc
                        .versions
                        .iter_mut()
                        .filter(|v| v.has_value && !v.stages.is_empty())
                    {
                        v.kms_key_id = id.clone();
                    }
                    let labelled: Vec<String> = doc
                        .versions
                        .iter()
                        .filter(|v| v.has_value && !v.stages.is_empty())
                        .map(|v| v.id.clone())
                        .collect();
                    for vid in labelled {
                        ctx.rewrap_value(&doc, &vid, &id)?;
                    }
                    doc.kms_key_id = id;
                }
                doc.kms_key_input = input
                    .filter(|k| k != crate::model::DEFAULT_KMS_ALIAS && k != "aws/secretsmanager");
                changed = true;
            }
            let mut version_id = None;
            if let Some(v) = &value {
                match ctx.add_version(
                    &mut doc,
                    req.client_request_token.clone(),
                    v,
                    &[AWSCURRENT.into()],
                )? {
                    NewVersion::Created(id) => {
                        version_id = Some(id);
                        changed = true;
                    }
                    NewVersion::Existing(id) => version_id = Some(id),
                }
            }
            if changed {
                doc.last_changed_ms = ctx.now_ms;
            }
            let resp = UpdateSecretResponse {
                arn: ctx.arn(&doc),
                name: doc.name.clone(),
                version_id,
            };
            if changed {
                ctx.save(doc)?;
            }
            ctx.respond(&resp);
            Ok(resp)
        })
    }

    pub fn update_secret_version_stage(
        &self,
        caller: &Caller,
        req: UpdateSecretVersionStageRequest,
    ) -> Result<ArnAndName> {
        self.exec(caller, Operation::UpdateSecretVersionStage, &req, |ctx| {
            let mut doc = ctx.resolve_live(&req.secret_id, "secretsmanager:UpdateSecretVersionStage")?;
            validate_stage("versionStage", &req.version_stage)?;
            if let Some(v) = &req.remove_from_version_id {
                validate_version_id("removeFromVersionId", v)?;
            }
            if let Some(v) = &req.move_to_version_id {
                validate_version_id("moveToVersionId", v)?;
            }
            let stage = req.version_stage.as_str();
            let holder = doc.holder(stage).map(|v| v.id.clone());
            ctx.audit.version_stages.push(stage.to_string());
            if let Some(from) = &req.remove_from_version_id {
                if doc.version(from).is_none() {
                    return Err(Error::not_found(format!("Secrets Manager can't find the specified secret version: {from}")));
                }
                if holder.as_deref() != Some(from.as_str()) {
                    return Err(Error::invalid_parameter(format!(
                        "The staging label {stage} is not attached to version {from}{}.",
                        holder.as_ref().map(|h| format!("; it is attached to version {h}")).unwrap_or_default()
                    )));
                }
                ctx.audit.version_ids.push(from.clone());
            }
            match &req.move_to_version_id {
                None => {
                    let Some(from) = &req.remove_from_version_id else {
                        return Err(Error::invalid_parameter(
                            "You must specify MoveToVersionId, RemoveFromVersionId, or both.",
                        ));
                    };
                    if stage == AWSCURRENT {
                        return Err(Error::invalid_parameter(
                            "You can't remove the staging label AWSCURRENT from a version: move it to another version instead.",
                        ));
                    }
                    doc.detach(stage, from);
                }
                Some(to) => {
                    let target = doc.version(to).ok_or_else(|| {
                        Error::not_found(format!("Secrets Manager can't find the specified secret version: {to}"))
                    })?;
                    if stage == AWSCURRENT && !target.has_value {
                        return Err(Error::invalid_parameter(format!(
                            "Version {to} has no value yet, so AWSCURRENT can't move to it."
                        )));
                    }
                    ctx.audit.version_ids.push(to.clone());
                    if let Some(h) = &holder
                        && h != to
                        && req.remove_from_version_id.is_none()
                    {
                        // AWS's words for AWSCURRENT, from moto 5.2.5's `@aws_verified` test
                        // `test_update_secret_version_stage_dont_specify_current_stage`; other
                        // labels follow the same template with their own name.
                        return Err(Error::invalid_parameter(format!(
                            "The parameter RemoveFromVersionId can't be empty. Staging label {stage} is currently \
                             attached to version {h}, so you must explicitly reference that version in RemoveFromVersionId."
                        )));
                    }
                    doc.attach(stage, to)?;
                }
            }
            doc.last_changed_ms = ctx.now_ms;
            let resp = ArnAndName { arn: ctx.arn(&doc), name: doc.name.clone() };
            ctx.save(doc)?;
            ctx.respond(&resp);
            Ok(resp)
        })
    }

    pub fn describe_secret(
        &self,
        caller: &Caller,
        req: SecretIdRequest,
    ) -> Result<DescribeSecretResponse> {
        self.exec(caller, Operation::DescribeSecret, &req, |ctx| {
            let doc = ctx.resolve_shared(&req.secret_id)?;
            ctx.authorize_secret("secretsmanager:DescribeSecret", &doc)?;
            Ok(ctx.describe(&doc))
        })
    }

    pub fn list_secrets(
        &self,
        caller: &Caller,
        req: ListSecretsRequest,
    ) -> Result<ListSecretsResponse> {
        self.exec(caller, Operation::ListSecrets, &req, |ctx| {
            ctx.authorize("secretsmanager:ListSecrets", "*")?;
            let limit = page_size(req.max_results, "maxResults")?;
            let desc = match req.sort_order.as_deref() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(Error::validation(format!(
                        "1 validation error detected: Value '{other}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]"
                    )));
                }
            };
            let by = match req.sort_by.as_deref() {
                None => SortBy::Created,
                Some(s) => SortBy::parse(s)?,
            };
            let set = FilterSet::compile(&req.filters, &ctx.info.region)?;
            let include_deleted = req.include_planned_deletion;
            let (docs, next_token) = ctx.index.page(by, desc, req.next_token.as_deref(), limit, |d| {
                (include_deleted || !d.is_scheduled_for_deletion()) && set.matches(d)
            })?;
            Ok(ListSecretsResponse { secret_list: docs.iter().map(|d| ctx.list_entry(d)).collect(), next_token })
        })
    }

    pub fn list_secret_version_ids(
        &self,
        caller: &Caller,
        req: ListSecretVersionIdsRequest,
    ) -> Result<ListSecretVersionIdsResponse> {
        self.exec(caller, Operation::ListSecretVersionIds, &req, |ctx| {
            let doc = ctx.resolve_shared(&req.secret_id)?;
            ctx.authorize_secret("secretsmanager:ListSecretVersionIds", &doc)?;
            let limit = page_size(req.max_results, "maxResults")?;
            let mut versions: Vec<&VersionDoc> = doc
                .versions
                .iter()
                .filter(|v| req.include_deprecated || !v.stages.is_empty())
                .collect();
            versions.sort_by(|a, b| {
                b.created_ms
                    .cmp(&a.created_ms)
                    .then_with(|| a.id.cmp(&b.id))
            });
            let start = match &req.next_token {
                None => 0,
                Some(t) => versions.iter().position(|v| &v.id == t).ok_or_else(|| {
                    Error::new(
                        crate::ErrorCode::InvalidNextToken,
                        "The NextToken value is invalid.",
                    )
                })?,
            };
            let default_key = ctx.kms.default_key_id()?.to_string();
            let page: Vec<SecretVersionsListEntry> = versions
                .iter()
                .skip(start)
                .take(limit)
                .map(|v| SecretVersionsListEntry {
                    version_id: v.id.clone(),
                    version_stages: v.stages.clone(),
                    last_accessed_date: v.last_accessed_day_ms.map(date),
                    created_date: date(v.created_ms),
                    kms_key_ids: vec![if v.kms_key_id == default_key {
                        "DefaultEncryptionKey".into()
                    } else {
                        crate::model::kms_key_arn(
                            &ctx.info.region,
                            &ctx.info.account_id,
                            &v.kms_key_id,
                        )
                    }],
                })
                .collect();
            let next_token = versions.get(start + limit).map(|v| v.id.clone());
            Ok(ListSecretVersionIdsResponse {
                versions: page,
                next_token,
                arn: ctx.arn(&doc),
                name: doc.name.clone(),
            })
        })
    }

    pub fn delete_secret(
        &self,
        caller: &Caller,
        req: DeleteSecretRequest,
    ) -> Result<DeleteSecretResponse> {
        self.exec(caller, Operation::DeleteSecret, &req, |ctx| {
            // The window is checked before the secret is looked up: moto 5.2.5's
            // `test_delete_secret_force_no_such_secret_with_invalid_recovery_window` expects
            // InvalidParameterException for a name that does not exist.
            let force = req.force_delete_without_recovery.unwrap_or(false);
            let days = req.recovery_window_in_days.unwrap_or(30);
            if !model::RECOVERY_WINDOW_DAYS.contains(&days) {
                return Err(Error::invalid_parameter(
                    "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
                ));
            }
            if force && req.recovery_window_in_days.is_some() {
                return Err(Error::invalid_parameter(
                    "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
                ));
            }
            if let Some(days) = req.recovery_window_in_days {
                ctx.request_keys.push(("secretsmanager:RecoveryWindowInDays".into(), vec![days.to_string()]));
            }
            ctx.request_keys.push((
                "secretsmanager:ForceDeleteWithoutRecovery".into(),
                vec![force.to_string()],
            ));
            let mut doc = match ctx.resolve(&req.secret_id) {
                Ok(doc) => doc,
                Err(e) if force && e.code == crate::ErrorCode::ResourceNotFound => {
                    return forget_missing(ctx, &req.secret_id);
                }
                Err(e) => return Err(e),
            };
            ctx.authorize_secret("secretsmanager:DeleteSecret", &doc)?;
            super::refuse_replica(&doc)?;
            if !doc.replicas.is_empty() {
                let regions: Vec<&str> = doc.replicas.iter().map(|r| r.region.as_str()).collect();
                // moto 5.2.5 (`delete_secret`, test_delete_while_duplication_exist):
                // InvalidParameterException, "You can't delete secret {arn} that still has
                // replica regions [{region}]". AWS's own answer (gruntwork-io/cloud-nuke#435)
                // names the ARN and separates regions with ", ".
                return Err(Error::invalid_parameter(format!(
                    "You can't delete secret {} that still has replica regions [{}]",
                    ctx.arn(&doc),
                    regions.join(", ")
                )));
            }
            if doc.has_associated_cross_account_replica() {
                // The model (DeleteSecret): "You can't delete a cross-account primary secret
                // that is associated with a cross-account replica secret"; the code is R13's,
                // the message Coffer's.
                let replicas: Vec<String> = super::cross_account::replicas_of(&doc)
                    .into_iter()
                    .filter(|r| r.replication_status != "Detached")
                    .map(|r| r.replica_secret_arn)
                    .collect();
                return Err(Error::invalid_parameter(format!(
                    "You can't delete secret {} that still has a cross-account replica associated [{}]: call DisassociateCrossAccountReplica first.",
                    ctx.arn(&doc),
                    replicas.join(", ")
                )));
            }
            let resp_base = ArnAndName { arn: ctx.arn(&doc), name: doc.name.clone() };
            if force {
                ctx.purge(&doc.uid)?;
                let resp = DeleteSecretResponse { arn: resp_base.arn, name: resp_base.name, deletion_date: date(ctx.now_ms) };
                ctx.respond(&resp);
                return Ok(resp);
            }
            if doc.is_scheduled_for_deletion() {
                return Err(Error::invalid_request(
                    "You can't perform this operation on the secret because it was already scheduled for deletion.",
                ));
            }
            let deletion = ctx.now_ms + days * 86_400_000;
            doc.deleted_ms = Some(ctx.now_ms);
            doc.deletion_ms = Some(deletion);
            ctx.save(doc)?;
            let resp = DeleteSecretResponse { arn: resp_base.arn, name: resp_base.name, deletion_date: date(deletion) };
            ctx.respond(&resp);
            Ok(resp)
        })
    }

    pub fn restore_secret(&self, caller: &Caller, req: SecretIdRequest) -> Result<ArnAndName> {
        self.exec(caller, Operation::RestoreSecret, &req, |ctx| {
            let mut doc = ctx.resolve(&req.secret_id)?;
            ctx.authorize_secret("secretsmanager:RestoreSecret", &doc)?;
            // A replica follows its primary (moto 5.2.5 test_update_replica).
            super::refuse_replica(&doc)?;
            let resp = ArnAndName {
                arn: ctx.arn(&doc),
                name: doc.name.clone(),
            };
            if doc.is_scheduled_for_deletion() {
                doc.deleted_ms = None;
                doc.deletion_ms = None;
                doc.last_changed_ms = ctx.now_ms;
                ctx.save(doc)?;
            }
            ctx.respond(&resp);
            Ok(resp)
        })
    }

    pub fn tag_resource(&self, caller: &Caller, req: TagResourceRequest) -> Result<Empty> {
        self.exec(caller, Operation::TagResource, &req, |ctx| {
            ctx.push_request_tags(&req.tags);
            let mut doc = ctx.resolve_live(&req.secret_id, "secretsmanager:TagResource")?;
            validate_tags(&req.tags)?;
            for t in &req.tags {
                match doc.tags.iter_mut().find(|x| x.key == t.key) {
                    Some(x) => x.value = t.value.clone(),
                    None => doc.tags.push(Tag {
                        key: t.key.clone(),
                        value: t.value.clone(),
                    }),
                }
            }
            doc.tagged = true;
            if doc.tags.len() > 50 {
                return Err(Error::invalid_parameter(
                    "A secret can have at most 50 tags; this request would give it more.",
                ));
            }
            doc.last_changed_ms = ctx.now_ms;
            ctx.save(doc)?;
            Ok(Empty {})
        })
    }

    pub fn untag_resource(&self, caller: &Caller, req: UntagResourceRequest) -> Result<Empty> {
        self.exec(caller, Operation::UntagResource, &req, |ctx| {
            ctx.request_keys
                .push(("aws:TagKeys".into(), req.tag_keys.clone()));
            let mut doc = ctx.resolve_live(&req.secret_id, "secretsmanager:UntagResource")?;
            for k in &req.tag_keys {
                validate_tag_key(k).or_else(|e| {
                    if k.starts_with("aws:") {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })?;
            }
            doc.tags.retain(|t| !req.tag_keys.contains(&t.key));
            doc.last_changed_ms = ctx.now_ms;
            ctx.save(doc)?;
            Ok(Empty {})
        })
    }

    pub fn get_random_password(
        &self,
        caller: &Caller,
        req: GetRandomPasswordRequest,
    ) -> Result<GetRandomPasswordResponse> {
        self.exec(caller, Operation::GetRandomPassword, &req, |ctx| {
            ctx.authorize("secretsmanager:GetRandomPassword", "*")?;
            super::password::generate(&req)
        })
    }

    /// A console's "new generated value": GetRandomPassword with AWS's defaults (32
    /// characters of every kind), then PutSecretValue of it as the new AWSCURRENT — each
    /// authorized and audited as itself, as the AWS console's two calls would be. Answers what
    /// the consoles say; the value is never in it (reveal the version to see it).
    pub fn put_generated_value(&self, caller: &Caller, secret_id: &str) -> Result<String> {
        let generated = self.get_random_password(caller, GetRandomPasswordRequest::default())?;
        let put = self.put_secret_value(
            caller,
            PutSecretValueRequest {
                secret_id: secret_id.to_string(),
                secret_string: Some(generated.random_password),
                ..Default::default()
            },
        )?;
        Ok(crate::said::put_generated_value(&put.name, &put.version_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FrontEnd;

    #[test]
    fn a_generated_value_is_a_new_current_version_of_32_characters_and_two_audited_requests() {
        let v = Vault::ephemeral("123456789012", "us-east-1").unwrap();
        let c = Caller::principal(v.administrator_arn(), FrontEnd::Tui);
        let made = v
            .create_secret(
                &c,
                CreateSecretRequest {
                    name: "app/token".into(),
                    secret_string: Some(crate::SecretText::new("first".into())),
                    ..Default::default()
                },
            )
            .unwrap();
        let said = v.put_generated_value(&c, "app/token").unwrap();
        let current = v
            .get_secret_value(
                &c,
                GetSecretValueRequest {
                    secret_id: made.arn.clone(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_ne!(current.version_id, made.version_id.unwrap());
        let value = current.value.text();
        assert_eq!(value.chars().count(), 32);
        assert_eq!(
            said,
            format!(
                "Put a generated value on app/token (version {}, now AWSCURRENT).",
                crate::said::short_id(&current.version_id)
            )
        );
        assert!(!said.contains(value.as_str()));
        let page = v
            .query_audit(
                &c,
                &crate::vault::AuditQuery {
                    limit: 10,
                    ..Default::default()
                },
            )
            .unwrap();
        let names: Vec<_> = page.events.iter().map(|e| e.event_name.as_str()).collect();
        assert!(
            names.starts_with(&["GetSecretValue", "PutSecretValue", "GetRandomPassword"]),
            "{names:?}"
        );
    }
}
