//! The health report's door: gathers what [`crate::health::assess`] looks at from the
//! index, IAM, the rotation attempts, the audit trail's summaries (`store::usage`) and the
//! values' facts, in one audited request.
//!
//! Operators only: the report says who read which secret and how strong every value is,
//! which no Secrets Manager or IAM action covers, so no policy can grant it to another
//! principal.
//!
//! Each current value is judged once (`ValueFacts::of`), and its facts are kept sealed in
//! `value_facts` for the next report: a report reads the values that changed since the
//! last one, and only those.

use std::collections::HashMap;

use super::doc::SecretDoc;
use super::iam::{EntityKind, Iam};
use super::{Caller, Ctx, REPLICATOR_PREFIX, Vault};
use crate::Operation;
use crate::health::{
    self, AttemptInput, HealthReport, Inputs, KeyInput, OperatorInput, PrincipalInput, SecretInput,
    Thresholds, ValueFacts,
};
use crate::model::AWSCURRENT;
use crate::rotation::schedule::Schedule;
use crate::{Error, Result};

fn facts_name(uid: &str, vid: &str) -> String {
    format!("value-facts/{uid}/{vid}")
}

impl Vault {
    /// What an operator should fix today (see [`crate::health`]). Audited as one
    /// `GenerateHealthReport` event with the thresholds; values are read here only, to judge
    /// them, and nothing of them but the facts reaches the report or the file.
    pub fn health_report(&self, caller: &Caller, t: &Thresholds) -> Result<HealthReport> {
        self.exec(caller, Operation::GenerateHealthReport, t, |ctx| {
            if !ctx.caller.is_operator() {
                return Err(Error::access_denied(
                    "Only the vault's operators can make a health report: it tells who read which secret and how strong each value is.",
                ));
            }
            let inputs = self.health_inputs(ctx)?;
            Ok(health::assess(&inputs, t))
        })
    }

    fn health_inputs(&self, ctx: &mut Ctx<'_, '_>) -> Result<Inputs> {
        let usage = ctx.tx.usage_summary()?;
        let keys = ctx.keys;
        let iam: &Iam = ctx.iam;
        let account = &self.info.account_id;
        let mut operators: Vec<String> = ctx
            .tx
            .slot_operators()?
            .into_iter()
            .filter(|o| !o.starts_with(REPLICATOR_PREFIX))
            .collect();
        // An in-memory vault's operator has no key slot.
        if !operators.contains(&self.info.operator) {
            operators.push(self.info.operator.clone());
        }

        // Every principal the vault knows, by the audit's keyed hash of its ARN.
        let mut known: Vec<String> = operators.iter().map(|o| self.info.user_arn(o)).collect();
        for kind in [EntityKind::User, EntityKind::Role] {
            known.extend(iam.all(kind).map(|e| self.entity_arn(e)));
        }
        known.extend(iam.keys.values().map(|k| k.principal_arn.clone()));
        known.push(super::rotation::service_caller().principal_arn);
        // A rotation's steps act as its function's session (see `rotation::engine::step_caller`).
        for doc in ctx.index.rotating() {
            if let Some(name) = doc
                .rotation
                .as_ref()
                .and_then(|r| r.function_arn.as_deref())
                .and_then(|a| a.rsplit_once(":function:"))
                .map(|(_, n)| n)
            {
                known.push(format!(
                    "arn:aws:sts::{account}:assumed-role/coffer-rotation/{name}"
                ));
            }
        }
        let by_hash: HashMap<[u8; 32], &str> = known
            .iter()
            .map(|a| (keys.principal_hash(a), a.as_str()))
            .collect();
        let mut last_use: HashMap<Vec<u8>, i64> = HashMap::new();
        let mut actions_of: HashMap<Vec<u8>, Vec<(String, i64)>> = HashMap::new();
        for (h, action, day) in usage.actions {
            let d = last_use.entry(h.clone()).or_insert(day);
            *d = (*d).max(day);
            actions_of.entry(h).or_default().push((action, day));
        }
        let reads: HashMap<String, (i64, Vec<u8>)> = usage
            .reads
            .into_iter()
            .map(|(uid, day, h)| (uid, (day, h)))
            .collect();

        let secrets = self.secret_inputs(ctx, &reads, &by_hash)?;

        let mut attempts = Vec::new();
        for row in ctx
            .tx
            .attempts_with_status(&["failed", "awaiting-approval"])?
        {
            let a = super::rotation::open_attempt(keys, &row)?;
            let failed_step = a.steps.iter().rev().find(|s| s.error.is_some());
            attempts.push(AttemptInput {
                secret_uid: row.secret_uid.clone(),
                failed: row.status == "failed",
                requested_ms: a.requested_ms,
                requested_by: a.requested_by.clone(),
                tries: a.tries,
                step: failed_step
                    .map(|s| s.step.as_str().to_string())
                    .or(a.next_step.map(|s| s.as_str().to_string())),
                error: failed_step
                    .and_then(|s| s.error.clone())
                    .or(a.error.clone()),
            });
        }

        let operator_arns: Vec<String> = operators.iter().map(|o| self.info.user_arn(o)).collect();
        let mut principals = Vec::new();
        for kind in [EntityKind::User, EntityKind::Role] {
            for e in iam.all(kind) {
                let arn = self.entity_arn(e);
                if operator_arns.contains(&arn) {
                    // An operator is an administrator by design: its grants are not findings.
                    continue;
                }
                // A role acts through its sessions' ARNs.
                let session = format!(":assumed-role/{}/", e.name);
                let mut arns = vec![arn.clone()];
                arns.extend(
                    iam.keys
                        .values()
                        .filter(|k| kind == EntityKind::Role && k.principal_arn.contains(&session))
                        .map(|k| k.principal_arn.clone()),
                );
                let mut used: HashMap<String, i64> = HashMap::new();
                for a in &arns {
                    for (action, day) in actions_of
                        .get(keys.principal_hash(a).as_slice())
                        .into_iter()
                        .flatten()
                    {
                        let d = used.entry(action.clone()).or_insert(*day);
                        *d = (*d).max(*day);
                    }
                }
                principals.push(PrincipalInput {
                    arn,
                    created_ms: e.created_ms,
                    policies: identity_documents(iam, e),
                    used,
                });
            }
        }

        let mut access_keys: Vec<KeyInput> = iam
            .keys
            .values()
            .map(|k| KeyInput {
                access_key_id: k.access_key_id.clone(),
                user_name: k.user_name.clone(),
                principal_arn: k.principal_arn.clone(),
                created_ms: k.created_ms,
                active: k.active,
                principal_last_used: last_use
                    .get(keys.principal_hash(&k.principal_arn).as_slice())
                    .copied(),
            })
            .collect();
        access_keys.sort_by(|a, b| a.access_key_id.cmp(&b.access_key_id));

        let unlocked: Vec<&str> = usage.unlocks.iter().map(|(o, _)| o.as_str()).collect();
        let operators = operators
            .iter()
            .map(|o| {
                let arn = self.info.user_arn(o);
                // Before unlocks were recorded, any request of theirs shows they unlocked.
                let acted = last_use.contains_key(keys.principal_hash(&arn).as_slice());
                OperatorInput {
                    name: o.clone(),
                    ever_unlocked: unlocked.contains(&o.as_str()) || acted,
                    arn,
                }
            })
            .collect();

        Ok(Inputs {
            now_ms: ctx.now_ms,
            account_id: account.clone(),
            secrets,
            attempts,
            principals,
            keys: access_keys,
            operators,
        })
    }

    /// Every secret with its current value's facts (judging, and keeping the facts of,
    /// those not judged before).
    fn secret_inputs(
        &self,
        ctx: &mut Ctx<'_, '_>,
        reads: &HashMap<String, (i64, Vec<u8>)>,
        by_hash: &HashMap<[u8; 32], &str>,
    ) -> Result<Vec<SecretInput>> {
        let keys = ctx.keys;
        let mut stored: HashMap<(String, Vec<u8>), Vec<u8>> = ctx
            .tx
            .value_facts_all()?
            .into_iter()
            .map(|(u, h, f)| ((u, h), f))
            .collect();
        let fingerprinter = keys.value_fingerprinter();
        let docs: Vec<std::sync::Arc<SecretDoc>> = ctx.index.all().cloned().collect();
        let mut out = Vec::with_capacity(docs.len());
        for doc in docs {
            let current = doc
                .versions
                .iter()
                .find(|v| v.stages.iter().any(|s| s == AWSCURRENT));
            let judged = !doc.is_replica() && doc.deletion_ms.is_none();
            let facts = match current.filter(|v| v.has_value && judged) {
                None => None,
                Some(v) => {
                    let name = facts_name(&doc.uid, &v.id);
                    let h = keys.vid_hash(&doc.uid, &v.id).to_vec();
                    let kept = stored
                        .remove(&(doc.uid.clone(), h.clone()))
                        .and_then(|sealed| keys.open_named(&name, &sealed).ok())
                        .and_then(|plain| serde_json::from_slice::<ValueFacts>(&plain).ok());
                    match kept {
                        Some(f) => Some(f),
                        // A value that does not open (its KMS key disabled) is left unjudged.
                        None => match ctx.read_value(&doc, &v.id) {
                            Ok(value) => {
                                let f = ValueFacts::of(&value, &fingerprinter);
                                let plain = zeroize::Zeroizing::new(
                                    serde_json::to_vec(&f).expect("facts serialize"),
                                );
                                ctx.will_write()?;
                                ctx.tx.value_facts_put(
                                    &doc.uid,
                                    &h,
                                    &keys.seal_named(&name, &plain),
                                )?;
                                Some(f)
                            }
                            Err(_) => None,
                        },
                    }
                }
            };
            let rotation = doc.rotation.as_ref();
            let rotation_due = rotation
                .filter(|r| r.enabled && r.function_arn.is_some())
                .and_then(|r| {
                    let s = Schedule::stored(r.rules.as_ref()?).ok()?;
                    s.window_after(r.anchor_ms).map(|w| (w.start_ms, w.end_ms))
                });
            out.push(SecretInput {
                uid: doc.uid.clone(),
                name: doc.name.clone(),
                arn: self.info.secret_arn(&doc),
                created_ms: doc.created_ms,
                current_created_ms: current.filter(|v| v.has_value).map(|v| v.created_ms),
                deletion_ms: doc.deletion_ms,
                is_replica: doc.is_replica(),
                rotation_enabled: rotation.is_some_and(|r| r.enabled),
                rotation_function: rotation.is_some_and(|r| r.function_arn.is_some()),
                rotation_due,
                policy: doc.policy.clone(),
                replicas: doc
                    .replicas
                    .iter()
                    .map(|r| {
                        (
                            r.region.clone(),
                            r.status.as_str().to_string(),
                            !r.pending(doc.replication_seq),
                        )
                    })
                    .collect(),
                facts,
                last_read: reads.get(&doc.uid).map(|(day, h)| {
                    let who = <[u8; 32]>::try_from(h.as_slice())
                        .ok()
                        .and_then(|h| by_hash.get(&h).copied())
                        .unwrap_or("a principal this vault no longer has");
                    (*day, who.to_string())
                }),
            });
        }
        Ok(out)
    }
}

/// The identity policy documents of a user or role: inline, attached, and its groups'.
fn identity_documents(iam: &Iam, e: &super::iam::Entity) -> Vec<String> {
    let mut docs: Vec<String> = e.inline.values().cloned().collect();
    let mut attached: Vec<&String> = e.attached.iter().collect();
    for g in e
        .groups
        .iter()
        .filter_map(|g| iam.get(EntityKind::Group, g))
    {
        docs.extend(g.inline.values().cloned());
        attached.extend(g.attached.iter());
    }
    docs.extend(attached.into_iter().filter_map(|a| iam.managed_document(a)));
    docs
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use jiff::{SignedDuration, Timestamp};

    use super::*;
    use crate::api::{
        CreateSecretRequest, DeleteSecretRequest, GetSecretValueRequest, RotateSecretRequest,
        RotationRules,
    };
    use crate::clock::ManualClock;
    use crate::health::{Finding, FindingKind, Fix, Severity};
    use crate::model::SecretText;
    use crate::vault::FrontEnd;
    use crate::vault::iam::CreateEntity;
    use crate::vault::policies::PutResourcePolicyRequest;
    use crate::vault::rotation::{
        CreateRotationFunctionRequest, FunctionKind, PutRotationApprovalRequest,
    };

    const ACCOUNT: &str = "111122223333";

    fn vault() -> (Vault, ManualClock) {
        let clock = ManualClock::new(Timestamp::from_second(1_780_000_000).unwrap());
        let v = Vault::ephemeral_with_clock(ACCOUNT, "us-east-1", Arc::new(clock.clone())).unwrap();
        (v, clock)
    }

    fn days(clock: &ManualClock, n: i64) {
        clock.advance(SignedDuration::from_hours(24 * n));
    }

    fn create(v: &Vault, name: &str, value: &str) {
        v.create_secret(
            &v.caller(FrontEnd::Cli),
            CreateSecretRequest {
                name: name.into(),
                secret_string: Some(SecretText::new(value.into())),
                ..Default::default()
            },
        )
        .unwrap();
    }

    fn read(v: &Vault, caller: &Caller, name: &str) {
        v.get_secret_value(
            caller,
            GetSecretValueRequest {
                secret_id: name.into(),
                ..Default::default()
            },
        )
        .unwrap();
    }

    /// Thresholds that leave unchanged values out of tests about something else.
    fn quiet() -> Thresholds {
        Thresholds {
            unchanged_days: 10_000,
            ..Thresholds::default()
        }
    }

    fn report(v: &Vault, t: &Thresholds) -> Vec<Finding> {
        v.health_report(&v.caller(FrontEnd::Cli), t)
            .unwrap()
            .findings
    }

    fn kinds(findings: &[Finding]) -> Vec<(String, FindingKind)> {
        let mut k: Vec<_> = findings
            .iter()
            .map(|f| (f.subject.label().to_string(), f.kind))
            .collect();
        k.sort();
        k
    }

    // Strong values, each its own.
    const S1: &str = "vR7#qL9!mZ2@xT4$wK8%";
    const S2: &str = "Hq3^nB6&yU1*cJ5(eP0)";
    const S3: &str = "Lm8!tW2#gZ5$rD9%kS4^";

    #[test]
    fn a_stale_and_a_never_read_secret_are_found_with_who_read_the_stale_one_last() {
        let (v, clock) = vault();
        let admin = v.caller(FrontEnd::Cli);
        create(&v, "stale", S1);
        create(&v, "never", S2);
        create(&v, "fresh", S3);
        read(&v, &admin, "stale");
        days(&clock, 100);
        read(&v, &admin, "fresh");
        let f = report(&v, &quiet());
        assert_eq!(
            kinds(&f),
            [
                ("never".into(), FindingKind::NeverRead),
                ("stale".into(), FindingKind::NotReadRecently),
            ]
        );
        let stale = f
            .iter()
            .find(|f| f.kind == FindingKind::NotReadRecently)
            .unwrap();
        assert_eq!(
            stale.evidence.last_read_by.as_deref(),
            Some("arn:aws:iam::111122223333:user/admin")
        );
        assert_eq!(stale.evidence.days, Some(100));
        assert!(matches!(stale.fix, Some(Fix::ScheduleDeletion { .. })));
    }

    #[test]
    fn a_weak_value_and_a_value_reused_across_two_secrets_are_found() {
        let (v, _) = vault();
        create(&v, "weak", "password1");
        create(&v, "one", S1);
        create(&v, "two", S1);
        create(&v, "own", S2);
        let f = report(&v, &quiet());
        assert_eq!(
            kinds(&f),
            [
                ("one".into(), FindingKind::ReusedValue),
                ("two".into(), FindingKind::ReusedValue),
                ("weak".into(), FindingKind::WeakValue),
            ]
        );
        let one = f.iter().find(|f| f.subject.label() == "one").unwrap();
        assert_eq!(one.evidence.names, ["two"]);
        let weak = f.iter().find(|f| f.kind == FindingKind::WeakValue).unwrap();
        assert_eq!(weak.severity, Severity::High);
        assert_eq!(weak.evidence.length, Some(9));
    }

    #[test]
    fn a_value_unchanged_past_the_threshold_is_found_and_facts_are_kept_for_the_next_report() {
        let (v, clock) = vault();
        let admin = v.caller(FrontEnd::Cli);
        create(&v, "old", S1);
        days(&clock, 100);
        read(&v, &admin, "old");
        let t = Thresholds::default();
        assert_eq!(
            kinds(&report(&v, &t)),
            [("old".into(), FindingKind::UnchangedValue)]
        );
        // The second report reads the sealed facts the first one kept.
        assert_eq!(
            kinds(&report(&v, &t)),
            [("old".into(), FindingKind::UnchangedValue)]
        );
    }

    #[test]
    fn database_credentials_without_rotation_are_found() {
        let (v, _) = vault();
        create(
            &v,
            "db",
            &format!(
                r#"{{"engine":"postgres","host":"db.internal","username":"app","password":"{S1}"}}"#
            ),
        );
        let f = report(&v, &quiet());
        assert_eq!(kinds(&f), [("db".into(), FindingKind::RotationOff)]);
        assert!(matches!(f[0].fix, Some(Fix::TurnRotationOn { .. })));
    }

    fn password_function(v: &Vault) -> String {
        v.create_rotation_function(
            &v.caller(FrontEnd::Cli),
            CreateRotationFunctionRequest {
                name: "pw".into(),
                description: None,
                kind: FunctionKind::Password {
                    json_key: None,
                    options: Default::default(),
                },
            },
        )
        .unwrap()
        .arn
    }

    fn rotate(v: &Vault, name: &str, arn: &str, now: bool) {
        v.rotate_secret(
            &v.caller(FrontEnd::Cli),
            RotateSecretRequest {
                secret_id: name.into(),
                rotation_lambda_arn: Some(arn.into()),
                rotation_rules: Some(RotationRules {
                    automatically_after_days: Some(1),
                    ..Default::default()
                }),
                rotate_immediately: Some(now),
                ..Default::default()
            },
        )
        .unwrap();
    }

    #[test]
    fn a_failing_an_overdue_and_a_long_unapproved_rotation_are_found() {
        let (v, clock) = vault();
        let arn = password_function(&v);
        create(&v, "failing", S1);
        create(&v, "overdue", S2);
        create(&v, "waiting", S3);
        rotate(&v, "failing", &arn, true);
        let claimed = v.claim_rotation("test", 60_000).unwrap().unwrap();
        let id = claimed.attempt.id.clone();
        v.begin_rotation_step("test", 60_000, &id, crate::rotation::Step::CreateSecret)
            .unwrap();
        v.end_rotation_step(
            "test",
            60_000,
            &id,
            crate::rotation::Step::CreateSecret,
            Err(Error::internal("the database refused the connection")),
            5,
        )
        .unwrap();
        v.release_rotation("test", &id).unwrap();
        rotate(&v, "overdue", &arn, false);
        v.put_rotation_approval(
            &v.caller(FrontEnd::Cli),
            PutRotationApprovalRequest {
                secret_id: Some("waiting".into()),
                require_approval: Some(true),
                two_person_rule: None,
            },
        )
        .unwrap();
        rotate(&v, "waiting", &arn, true);
        days(&clock, 4);
        let f = report(&v, &quiet());
        assert_eq!(
            kinds(&f),
            [
                ("failing".into(), FindingKind::RotationFailing),
                ("overdue".into(), FindingKind::RotationOverdue),
                ("waiting".into(), FindingKind::RotationAwaitingApproval),
            ]
        );
        let failing = f
            .iter()
            .find(|f| f.kind == FindingKind::RotationFailing)
            .unwrap();
        assert_eq!(failing.evidence.step.as_deref(), Some("createSecret"));
        assert!(
            failing
                .evidence
                .error
                .as_deref()
                .unwrap()
                .contains("refused the connection")
        );
    }

    #[test]
    fn resource_policies_granting_everyone_or_another_account_are_found() {
        let (v, _) = vault();
        create(&v, "public", S1);
        create(&v, "shared", S2);
        let put = |name: &str, principal: &str| {
            v.put_resource_policy(
                &v.caller(FrontEnd::Cli),
                PutResourcePolicyRequest {
                    secret_id: name.into(),
                    resource_policy: format!(
                        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"secretsmanager:GetSecretValue","Resource":"*"}}]}}"#
                    ),
                    block_public_policy: Some(false),
                    policy_name: None,
                },
            )
            .unwrap();
        };
        put("public", r#""*""#);
        put("shared", r#"{"AWS":"arn:aws:iam::444455556666:root"}"#);
        assert_eq!(
            kinds(&report(&v, &quiet())),
            [
                ("public".into(), FindingKind::PublicResourcePolicy),
                ("shared".into(), FindingKind::CrossAccountResourcePolicy),
            ]
        );
    }

    #[test]
    fn a_grant_unused_for_the_threshold_is_found_with_a_policy_of_what_was_used() {
        let (v, clock) = vault();
        let admin = v.caller(FrontEnd::Cli);
        create(&v, "app/db", S1);
        v.iam_create(&admin, CreateEntity::new(EntityKind::User, "app"))
            .unwrap();
        v.iam_put_inline_policy(
            &admin,
            EntityKind::User,
            "app",
            "sm",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DeleteSecret"],"Resource":"*"}]}"#,
        )
        .unwrap();
        days(&clock, 95);
        let app = Caller::principal("arn:aws:iam::111122223333:user/app", FrontEnd::Endpoint);
        read(&v, &app, "app/db");
        days(&clock, 5);
        let f = report(&v, &quiet());
        assert_eq!(
            kinds(&f),
            [(
                "arn:aws:iam::111122223333:user/app".into(),
                FindingKind::UnusedAccess
            )]
        );
        assert_eq!(f[0].evidence.names, ["secretsmanager:DeleteSecret"]);
        let Some(Fix::ApplyLeastPrivilegePolicy { proposed, .. }) = &f[0].fix else {
            panic!("{:?}", f[0].fix)
        };
        let proposed: serde_json::Value = serde_json::from_str(proposed).unwrap();
        assert_eq!(
            proposed["Statement"][0]["Action"],
            serde_json::json!(["secretsmanager:GetSecretValue"])
        );
    }

    #[test]
    fn an_old_unused_access_key_is_found_with_its_deactivation() {
        let (v, clock) = vault();
        let admin = v.caller(FrontEnd::Cli);
        v.iam_create(&admin, CreateEntity::new(EntityKind::User, "ci"))
            .unwrap();
        let key = v
            .iam_create_access_key(&admin, EntityKind::User, "ci")
            .unwrap()
            .metadata
            .access_key_id;
        days(&clock, 100);
        let f = report(&v, &quiet());
        assert_eq!(
            kinds(&f),
            [
                (key.clone(), FindingKind::AccessKeyUnused),
                (key.clone(), FindingKind::AccessKeyOld),
            ]
        );
        assert!(
            matches!(&f[0].fix, Some(Fix::DeactivateKey { access_key_id, .. }) if *access_key_id == key)
        );
    }

    #[test]
    fn an_operator_who_never_unlocked_is_found_until_they_unlock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let pass = crate::crypto::Passphrase::new("first operator's passphrase".into());
        let mut opts = super::super::InitOptions::new("alice", pass);
        opts.kdf = Some((19456, 2));
        let v = Vault::init(&path, opts).unwrap();
        let bob = crate::crypto::Passphrase::new("second operator's passphrase".into());
        v.add_operator(&v.caller(FrontEnd::Cli), "bob", &bob, Some((19456, 2)))
            .unwrap();
        assert_eq!(
            kinds(&report(&v, &quiet())),
            [("bob".into(), FindingKind::OperatorNeverUnlocked)]
        );
        drop(Vault::open(&path, Some("bob"), &bob).unwrap());
        assert!(report(&v, &quiet()).is_empty());
    }

    #[test]
    fn a_secret_whose_deletion_is_due_within_seven_days_is_found() {
        let (v, _) = vault();
        create(&v, "going", S1);
        create(&v, "later", S2);
        for (name, days) in [("going", 7), ("later", 30)] {
            v.delete_secret(
                &v.caller(FrontEnd::Cli),
                DeleteSecretRequest {
                    secret_id: name.into(),
                    recovery_window_in_days: Some(days),
                    force_delete_without_recovery: None,
                },
            )
            .unwrap();
        }
        assert_eq!(
            kinds(&report(&v, &quiet())),
            [("going".into(), FindingKind::DeletionDue)]
        );
    }

    #[test]
    fn a_failed_and_an_out_of_sync_replica_are_found() {
        // Replicas need a second vault file that fails to answer: `assess` is pure, so its
        // replica rule is pinned on the replica states themselves.
        let uid = "u1".to_string();
        let inputs = |status: &str, in_sync: bool| Inputs {
            now_ms: 0,
            account_id: ACCOUNT.into(),
            secrets: vec![SecretInput {
                uid: uid.clone(),
                name: "replicated".into(),
                arn: "arn".into(),
                created_ms: 0,
                current_created_ms: Some(0),
                deletion_ms: None,
                is_replica: false,
                rotation_enabled: false,
                rotation_function: false,
                rotation_due: None,
                policy: None,
                replicas: vec![("eu-west-1".into(), status.into(), in_sync)],
                facts: None,
                last_read: Some((0, "someone".into())),
            }],
            attempts: vec![],
            principals: vec![],
            keys: vec![],
            operators: vec![],
        };
        let t = quiet();
        let failed = health::assess(&inputs("Failed", false), &t).findings;
        assert_eq!(
            kinds(&failed),
            [("replicated".into(), FindingKind::ReplicaFailed)]
        );
        let behind = health::assess(&inputs("InProgress", false), &t).findings;
        assert_eq!(
            kinds(&behind),
            [("replicated".into(), FindingKind::ReplicaOutOfSync)]
        );
        assert!(
            health::assess(&inputs("InSync", true), &t)
                .findings
                .is_empty()
        );
    }

    /// Values planted to be looked for in the report: none shares four characters in a
    /// row with anything the report says of its own.
    pub(crate) const PLANTED: [&str; 3] = ["Zq8!Pl4nTxXv#1wQ7k", "qwerty123", "hunter2xyz"];

    pub(crate) fn fragments(value: &str) -> Vec<String> {
        let chars: Vec<char> = value.chars().collect();
        chars.windows(4).map(|w| w.iter().collect()).collect()
    }

    #[test]
    fn the_report_holds_no_value_nor_any_fragment_of_one() {
        let (v, clock) = vault();
        let admin = v.caller(FrontEnd::Cli);
        create(&v, "a", PLANTED[0]);
        create(&v, "b", PLANTED[0]);
        create(&v, "c", PLANTED[1]);
        create(
            &v,
            "d",
            &format!(
                r#"{{"engine":"mysql","host":"h77xq","username":"zkq9mm","password":"{}"}}"#,
                PLANTED[2]
            ),
        );
        read(&v, &admin, "a");
        days(&clock, 200);
        let r = v.health_report(&admin, &Thresholds::default()).unwrap();
        let kinds: Vec<FindingKind> = r.findings.iter().map(|f| f.kind).collect();
        for k in [
            FindingKind::WeakValue,
            FindingKind::ReusedValue,
            FindingKind::RotationOff,
            FindingKind::UnchangedValue,
        ] {
            assert!(kinds.contains(&k), "{k:?} in {kinds:?}");
        }
        let json = serde_json::to_string(&r).unwrap();
        for p in PLANTED.iter().chain(&["h77xq", "zkq9mm", "mysql"]) {
            for frag in fragments(p) {
                assert!(
                    !json.contains(&frag),
                    "the report shows {frag:?} of a value"
                );
            }
        }
    }
}
