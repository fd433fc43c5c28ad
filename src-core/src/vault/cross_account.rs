//! Cross-account replicas (AssociateCrossAccountReplica, DisassociateCrossAccountReplica,
//! CreateSecret's `CrossAccountPrimaryARN`): a primary secret's versions copied into a
//! secret of another account in the same region.
//!
//! The replica's account makes it first (CreateSecret with `CrossAccountPrimaryARN` and a
//! customer managed `KmsKeyId`): a secret with no value, `Pending`, that takes no writes.
//! The primary's account then associates it; the replica must name this very primary, so
//! an association nobody in the replica's account asked for is refused there, in the
//! replica's own transaction (`AcceptCrossAccountReplication`). From then on the replica
//! is one more target of the replica-region machinery (`replicas.rs`): every change of
//! the primary's versions bumps its replication sequence, the whole state is pushed after
//! the commit, the outcome is the replica's status, and the background runner retries.
//! Only versions, values and labels cross: the replica's name, key, description, tags and
//! policy are its account's.
//!
//! Where the other account lives: in the emulator, the (account, region) vault of the same
//! emulator; in a vault file, another vault file registered with
//! `coffer replica-account add` (the registry holds it beside the replica regions).

use super::doc::{CrossAccountLink, ReplicaDoc, ReplicaStatus, SecretDoc};
use super::replicas::names_secret;
use super::{Caller, Vault};
use crate::api::{
    AssociateCrossAccountReplicaRequest, AssociateCrossAccountReplicaResponse,
    CrossAccountPrimaryType, CrossAccountReplicaEntry, DisassociateCrossAccountReplicaRequest,
    DisassociateCrossAccountReplicaResponse,
};
use crate::model::SecretArn;
use crate::{Error, Operation, Result};

/// The model's `SecretARNType` and `RoleARNType`: 20 to 2048 characters.
fn validate_arn_length(field: &str, arn: &str) -> Result<()> {
    let n = arn.chars().count();
    if !(20..=2048).contains(&n) {
        return Err(Error::validation(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length between 20 and 2048"
        )));
    }
    Ok(())
}

/// The account of a secret ARN in `region` and the `aws` partition of another account than
/// `own_account`: the model's "same Region and partition" rule (AssociateCrossAccountReplica
/// and CreateSecret's `CrossAccountPrimaryARN`). The messages are Coffer's.
pub(super) fn other_account_of(
    field: &str,
    arn: &str,
    own_account: &str,
    region: &str,
) -> Result<String> {
    let parsed = SecretArn::parse(arn)
        .filter(|_| arn.starts_with("arn:aws:"))
        .ok_or_else(|| {
            Error::invalid_parameter(format!(
                "{field} must be a secret's ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)."
            ))
        })?;
    if parsed.region != region {
        return Err(Error::invalid_parameter(format!(
            "{field} must name a secret in this secret's Region ({region}) and partition: a cross-account replica and its primary are in the same Region."
        )));
    }
    if parsed.account == own_account {
        return Err(Error::invalid_parameter(format!(
            "{field} must name a secret in another account: use ReplicateSecretToRegions within an account."
        )));
    }
    if parsed.account.len() != 12 || !parsed.account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_parameter(format!(
            "{field} must name an account id of 12 digits."
        )));
    }
    Ok(parsed.account)
}

/// Checks CreateSecret's `CrossAccountPrimaryARN` request: the ARN, then what a replica may
/// not be given (the model: "You can't include SecretString, SecretBinary, Description,
/// AddReplicaRegions, or Type", and "you must specify a customer managed KMS key").
pub(super) fn check_create(
    arn: &str,
    own_account: &str,
    region: &str,
    has_value: bool,
    req: &crate::api::CreateSecretRequest,
) -> Result<()> {
    validate_arn_length("crossAccountPrimaryARN", arn)?;
    if has_value
        || req.description.is_some()
        || !req.add_replica_regions.is_empty()
        || req.secret_type.is_some()
    {
        return Err(Error::invalid_parameter(
            "A cross-account replica takes its value from its primary: you can't include SecretString, SecretBinary, Description, AddReplicaRegions or Type with CrossAccountPrimaryARN.",
        ));
    }
    let customer_managed = req
        .kms_key_id
        .as_deref()
        .is_some_and(|k| !k.ends_with(crate::model::DEFAULT_KMS_ALIAS));
    if !customer_managed {
        return Err(Error::invalid_parameter(
            "A cross-account replica must be encrypted with a customer managed KMS key: give its KmsKeyId (the AWS managed key aws/secretsmanager does not support cross-account access).",
        ));
    }
    other_account_of("CrossAccountPrimaryARN", arn, own_account, region).map(|_| ())
}

/// DescribeSecret's `CrossAccountPrimary` of a cross-account replica.
pub(super) fn primary_of(doc: &SecretDoc) -> Option<CrossAccountPrimaryType> {
    doc.cross_account_primary
        .as_ref()
        .map(|p| CrossAccountPrimaryType {
            primary_secret_arn: p.arn.clone(),
            replication_status: p.status.as_str().into(),
            status_message: p.message.clone(),
        })
}

/// DescribeSecret's `CrossAccountReplicas` of a primary.
pub(super) fn replicas_of(doc: &SecretDoc) -> Vec<CrossAccountReplicaEntry> {
    doc.cross_account_replicas
        .iter()
        .filter_map(|r| {
            let x = r.cross_account.as_ref()?;
            Some(CrossAccountReplicaEntry {
                replica_secret_arn: x.arn.clone(),
                replication_role_arn: x.role_arn.clone(),
                replication_status: r.status.as_str().into(),
                status_message: r.message.clone(),
            })
        })
        .collect()
}

impl Vault {
    /// AssociateCrossAccountReplica: links primary `SecretId` to the replica another
    /// account made for it and pushes it the primary's versions. Idempotent: associating
    /// the same replica again pushes again (AWS: "to repair replication").
    pub fn associate_cross_account_replica(
        &self,
        caller: &Caller,
        req: AssociateCrossAccountReplicaRequest,
    ) -> Result<AssociateCrossAccountReplicaResponse> {
        // The other account's vault is found before the request takes this vault's lock
        // (finding it reads this vault's registry); the request says why it cannot be had
        // in its order of checks.
        let target = self.other_vault(&req.cross_account_replica_arn);
        let resp = self.exec(caller, Operation::AssociateCrossAccountReplica, &req, |ctx| {
            crate::model::validate_secret_id(&req.secret_id)?;
            validate_arn_length("crossAccountReplicaARN", &req.cross_account_replica_arn)?;
            if let Some(r) = &req.replica_restriction
                && r != "SameOrg"
                && r != "NoRestriction"
            {
                return Err(Error::validation(
                    "1 validation error detected: Value at 'replicaRestriction' failed to satisfy constraint: Member must satisfy enum value set: [SameOrg, NoRestriction]",
                ));
            }
            if let Some(role) = &req.replication_role_arn {
                validate_arn_length("replicationRoleARN", role)?;
            }
            let mut doc = ctx.resolve_live(
                &req.secret_id,
                "secretsmanager:AssociateCrossAccountReplica",
            )?;
            // The model: "secretsmanager:GetSecretValue on the primary secret" too.
            ctx.authorize_secret("secretsmanager:GetSecretValue", &doc)?;
            let account = other_account_of(
                "CrossAccountReplicaARN",
                &req.cross_account_replica_arn,
                &ctx.info.account_id,
                &ctx.info.region,
            )?;
            let primary_arn = ctx.arn(&doc);
            let associated = doc
                .cross_account_replicas
                .iter()
                .find(|r| r.status != ReplicaStatus::Detached)
                .and_then(|r| r.cross_account.clone());
            if let Some(x) = &associated
                && !(x.account_id == account && names_secret(&req.cross_account_replica_arn, &x.arn))
            {
                // The model: "A primary secret can have at most one cross-account replica"
                // (its errors include LimitExceededException); the message is Coffer's.
                return Err(Error::limit(format!(
                    "A primary secret can have at most one cross-account replica: {} is associated with {}. Disassociate it first.",
                    primary_arn, x.arn
                )));
            }
            // The replica's account accepts, in its own transaction, or nothing changes
            // here ("If the association fails, Secrets Manager does not modify either the
            // primary or replica secret").
            let (_, target) = target?;
            let (uid, arn) =
                target.accept_cross_account_replication(&req.cross_account_replica_arn, &primary_arn)?;
            ctx.will_write()?;
            doc.cross_account_replicas.clear();
            doc.cross_account_replicas.push(ReplicaDoc {
                region: ctx.info.region.clone(),
                kms_key_id: None,
                status: ReplicaStatus::InProgress,
                message: None,
                last_accessed_day_ms: None,
                synced_seq: 0,
                force_overwrite: false,
                cross_account: Some(CrossAccountLink {
                    account_id: account,
                    arn: arn.clone(),
                    uid,
                    role_arn: req.replication_role_arn.clone(),
                }),
            });
            doc.replication_seq += 1;
            ctx.replicate_after(&doc.uid);
            let resp = AssociateCrossAccountReplicaResponse {
                arn: primary_arn,
                cross_account_replica_arn: arn,
                replication_status: ReplicaStatus::InProgress.as_str().into(),
            };
            ctx.save(doc)?;
            ctx.respond(&resp);
            Ok(resp)
        })?;
        // The push followed the commit: answer the status it left.
        let status = self
            .caught_up(|inner, _| {
                Ok(inner
                    .index
                    .resolve(&resp.arn, &self.info.account_id, &self.info.region)
                    .and_then(|d| d.cross_account_replicas.first().map(|r| r.status)))
            })
            .ok()
            .flatten();
        Ok(AssociateCrossAccountReplicaResponse {
            replication_status: status
                .map(|s| s.as_str().to_string())
                .unwrap_or(resp.replication_status),
            ..resp
        })
    }

    /// DisassociateCrossAccountReplica: the primary stops replicating to the replica, which
    /// stays in its account, `Detached` (still no standalone secret: StopReplicationToReplica
    /// there makes it one).
    pub fn disassociate_cross_account_replica(
        &self,
        caller: &Caller,
        req: DisassociateCrossAccountReplicaRequest,
    ) -> Result<DisassociateCrossAccountReplicaResponse> {
        let target = self.other_vault(&req.cross_account_replica_arn);
        self.exec(
            caller,
            Operation::DisassociateCrossAccountReplica,
            &req,
            |ctx| {
                crate::model::validate_secret_id(&req.secret_id)?;
                validate_arn_length("crossAccountReplicaARN", &req.cross_account_replica_arn)?;
                let mut doc = ctx.resolve_live(
                    &req.secret_id,
                    "secretsmanager:DisassociateCrossAccountReplica",
                )?;
                let Some(link) = doc
                    .cross_account_replicas
                    .iter()
                    .filter_map(|r| r.cross_account.clone())
                    .find(|x| names_secret(&req.cross_account_replica_arn, &x.arn))
                else {
                    return Err(Error::invalid_parameter(format!(
                        "{} is not a cross-account replica of this secret.",
                        req.cross_account_replica_arn
                    )));
                };
                let primary_arn = ctx.arn(&doc);
                // The replica learns first, in its own transaction; a replica deleted in its
                // account has nothing to learn.
                let (_, target) = target?;
                target.detach_cross_account_replica(&link.uid, &primary_arn)?;
                ctx.will_write()?;
                doc.cross_account_replicas.clear();
                let resp = DisassociateCrossAccountReplicaResponse {
                    arn: primary_arn,
                    cross_account_replica_arn: link.arn,
                };
                ctx.save(doc)?;
                ctx.respond(&resp);
                Ok(resp)
            },
        )
    }

    /// The account a replica ARN names, and that account's vault here.
    fn other_vault(&self, replica_arn: &str) -> Result<(String, std::sync::Arc<Vault>)> {
        let account = other_account_of(
            "CrossAccountReplicaARN",
            replica_arn,
            &self.info.account_id,
            &self.info.region,
        )?;
        let vault = self.account_target(&account)?;
        Ok((account, vault))
    }

    /// The replica's side of an association: secret `replica_arn` of this vault must be a
    /// cross-account replica of `primary_arn` (else the association is refused here, and
    /// nothing changes). Returns its uid and full ARN.
    fn accept_cross_account_replication(
        &self,
        replica_arn: &str,
        primary_arn: &str,
    ) -> Result<(String, String)> {
        let request = serde_json::json!({
            "primarySecretArn": primary_arn,
            "crossAccountReplicaArn": replica_arn,
        });
        self.exec(
            &super::replicas::service(),
            Operation::AcceptCrossAccountReplication,
            &request,
            |ctx| {
                let mut doc = ctx.resolve(replica_arn)?;
                if doc.is_scheduled_for_deletion() {
                    return Err(Error::marked_for_deletion());
                }
                let Some(p) = &mut doc.cross_account_primary else {
                    return Err(not_its_replica(replica_arn, primary_arn));
                };
                if !names_secret(&p.arn, primary_arn) {
                    return Err(not_its_replica(replica_arn, primary_arn));
                }
                p.status = ReplicaStatus::InProgress;
                p.message = None;
                let out = (doc.uid.clone(), ctx.arn(&doc));
                ctx.save(doc)?;
                Ok(out)
            },
        )
    }

    /// The replica's side of a disassociation: `Detached`, if it is still this primary's.
    fn detach_cross_account_replica(&self, uid: &str, primary_arn: &str) -> Result<()> {
        let request = serde_json::json!({ "primarySecretArn": primary_arn });
        self.exec(
            &super::replicas::service(),
            Operation::DetachCrossAccountReplica,
            &request,
            |ctx| {
                let Some(mut doc) = ctx.index.get(uid).map(|d| (**d).clone()) else {
                    return Ok(());
                };
                ctx.audit.secret = Some((doc.uid.clone(), ctx.arn(&doc)));
                match &mut doc.cross_account_primary {
                    Some(p) if names_secret(&p.arn, primary_arn) => {
                        p.status = ReplicaStatus::Detached;
                        p.message = None;
                    }
                    _ => return Ok(()),
                }
                ctx.save(doc)
            },
        )
    }
}

/// An association the replica's account did not ask for. The model's text for the ARN:
/// "the replica account owner must have created the replica secret as a cross-account
/// replica of the primary secret"; the message is Coffer's.
fn not_its_replica(replica_arn: &str, primary_arn: &str) -> Error {
    Error::invalid_parameter(format!(
        "{replica_arn} is not a cross-account replica of {primary_arn}: the replica's account must create it with CreateSecret and CrossAccountPrimaryARN naming this primary."
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::api::{CreateSecretRequest, GetSecretValueRequest, SecretIdRequest};
    use crate::model::SecretText;
    use crate::vault::FrontEnd;
    use crate::vault::iam::{CreateEntity, EntityKind};

    /// Two accounts' vaults in one region that find each other, as the emulator's do.
    fn accounts() -> (Arc<Vault>, Arc<Vault>) {
        let a = Arc::new(Vault::ephemeral("111111111111", "us-east-1").unwrap());
        let b = Arc::new(Vault::ephemeral("222222222222", "us-east-1").unwrap());
        for v in [&a, &b] {
            let (wa, wb) = (Arc::downgrade(&a), Arc::downgrade(&b));
            v.set_region_source(Arc::new(move |account: &str, _region: &str| {
                let w = if account == "111111111111" { &wa } else { &wb };
                w.upgrade()
                    .ok_or_else(|| Error::not_found("no such account"))
            }));
        }
        (a, b)
    }

    fn admin(v: &Vault) -> Caller {
        Caller::principal(v.administrator_arn(), FrontEnd::Endpoint)
    }

    fn primary(a: &Vault) -> String {
        a.create_secret(
            &admin(a),
            CreateSecretRequest {
                name: "prod/db".into(),
                secret_string: Some(SecretText::new("the value".into())),
                ..Default::default()
            },
        )
        .unwrap()
        .arn
    }

    fn replica_of(b: &Vault, name: &str, primary_arn: &str) -> String {
        b.create_secret(
            &admin(b),
            CreateSecretRequest {
                name: name.into(),
                kms_key_id: Some("alias/mine".into()),
                cross_account_primary_arn: Some(primary_arn.into()),
                ..Default::default()
            },
        )
        .unwrap()
        .arn
    }

    fn status_in_replica(b: &Vault, id: &str) -> Option<String> {
        b.describe_secret(
            &admin(b),
            SecretIdRequest {
                secret_id: id.into(),
            },
        )
        .unwrap()
        .cross_account_primary
        .map(|p| p.replication_status)
    }

    fn associate(arn: &str) -> AssociateCrossAccountReplicaRequest {
        AssociateCrossAccountReplicaRequest {
            secret_id: "prod/db".into(),
            cross_account_replica_arn: arn.into(),
            ..Default::default()
        }
    }

    #[test]
    fn associating_needs_get_secret_value_on_the_primary_as_the_model_says() {
        let (a, b) = accounts();
        let arn = primary(&a);
        let replica = replica_of(&b, "mirror", &arn);
        a.iam_create(&admin(&a), CreateEntity::new(EntityKind::User, "linker"))
            .unwrap();
        a.iam_put_inline_policy(
            &admin(&a),
            EntityKind::User,
            "linker",
            "link",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:AssociateCrossAccountReplica"],"Resource":"*"}]}"#,
        )
        .unwrap();
        let linker = Caller::principal("arn:aws:iam::111111111111:user/linker", FrontEnd::Endpoint);
        let e = a
            .associate_cross_account_replica(&linker, associate(&replica))
            .unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::AccessDenied, "{e:?}");
        assert!(
            e.message.contains("secretsmanager:GetSecretValue"),
            "{}",
            e.message
        );
        assert_eq!(status_in_replica(&b, "mirror").as_deref(), Some("Pending"));
    }

    #[test]
    fn a_replica_naming_another_primary_is_not_fed_by_this_one() {
        let (a, b) = accounts();
        let arn = primary(&a);
        // A secret of account B that names some other primary of A's account: A's owner
        // cannot push A's value into it, and it is left as it was.
        let bait = replica_of(
            &b,
            "bait",
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:other-AbCdEf",
        );
        let e = a
            .associate_cross_account_replica(&admin(&a), associate(&bait))
            .unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidParameter, "{e:?}");
        assert_eq!(status_in_replica(&b, "bait").as_deref(), Some("Pending"));
        let d = a
            .describe_secret(&admin(&a), SecretIdRequest { secret_id: arn })
            .unwrap();
        assert!(d.cross_account_replicas.is_empty());
    }

    #[test]
    fn a_replica_account_cannot_associate_itself_with_a_primary_it_may_not_read() {
        let (a, b) = accounts();
        let arn = primary(&a);
        let replica = replica_of(&b, "mirror", &arn);
        // B names A's secret as its primary, but only A's account can start replication:
        // from B's side A's secret is not there, and B's replica stays without a value.
        let mut req = associate(&replica);
        req.secret_id = arn.clone();
        let e = b
            .associate_cross_account_replica(&admin(&b), req)
            .unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::ResourceNotFound, "{e:?}");
        let e = b
            .get_secret_value(
                &admin(&b),
                GetSecretValueRequest {
                    secret_id: replica,
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::ResourceNotFound, "{e:?}");
    }

    #[test]
    fn arns_name_a_secret_in_full_or_without_its_suffix_only() {
        let full = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf";
        assert!(names_secret(full, full));
        assert!(names_secret(
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db",
            full
        ));
        assert!(!names_secret(
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod",
            full
        ));
        assert!(!names_secret(
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEg",
            full
        ));
    }
}
