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
        let mut actions_of: ActionsOf = HashMap::new();
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
                principals.push(PrincipalInput {
                    used: used_by(iam, keys, &actions_of, &arn, e),
                    arn,
                    created_ms: e.created_ms,
                    policies: identity_documents(iam, e),
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

/// Each principal's successful actions with the day of the last, by the audit's keyed hash
/// of the principal's ARN.
type ActionsOf = HashMap<Vec<u8>, Vec<(String, i64)>>;

/// The Secrets Manager actions a user or role used, with the day each was last used (a
/// role acts through its sessions' ARNs).
fn used_by(
    iam: &Iam,
    keys: &super::keys::VaultKeys,
    actions_of: &ActionsOf,
    arn: &str,
    e: &super::iam::Entity,
) -> HashMap<String, i64> {
    let session = format!(":assumed-role/{}/", e.name);
    let mut arns = vec![arn.to_string()];
    arns.extend(
        iam.keys
            .values()
            .filter(|k| e.kind == EntityKind::Role && k.principal_arn.contains(&session))
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
    used
}

/// The name of the inline policy a least-privilege proposal is put in place as.
pub const LEAST_PRIVILEGE_POLICY: &str = "coffer-least-privilege";

/// What putting a least-privilege policy in place did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LeastPrivilegeApplied {
    pub principal_arn: String,
    /// The inline policy it now has, alone.
    pub policy_name: String,
    /// The inline policies it replaced and the managed policies it detached.
    pub removed_inline: Vec<String>,
    pub detached: Vec<String>,
}

impl Vault {
    /// Puts the unused-access finding's proposal in place: the user or role keeps one inline
    /// policy, [`LEAST_PRIVILEGE_POLICY`], granting the Secrets Manager actions it used in the
    /// last `t.unused_days` days, in place of its inline and attached policies. One audited
    /// request, operators only (the proposal is made from the audit trail).
    ///
    /// `proposed` is the document the operator confirmed: the core makes the proposal again
    /// from the trail and refuses when it differs (the principal acted since), then checks it
    /// with the policy simulator — every action it used is still allowed where it was, and
    /// every action it did not use is no longer allowed anywhere — before writing it.
    pub fn apply_least_privilege_policy(
        &self,
        caller: &Caller,
        principal_arn: &str,
        proposed: &str,
        t: &Thresholds,
    ) -> Result<LeastPrivilegeApplied> {
        let params =
            serde_json::json!({ "PrincipalArn": principal_arn, "UnusedDays": t.unused_days });
        self.exec(caller, Operation::ApplyLeastPrivilegePolicy, &params, |ctx| {
            if !ctx.caller.is_operator() {
                return Err(Error::access_denied(
                    "Only the vault's operators can apply a least-privilege policy: it is made from the audit trail.",
                ));
            }
            let mut e = [EntityKind::User, EntityKind::Role]
                .into_iter()
                .flat_map(|k| ctx.iam.all(k))
                .find(|e| self.entity_arn(e) == principal_arn)
                .cloned()
                .ok_or_else(|| {
                    super::iam::no_such("user or role", principal_arn.rsplit('/').next().unwrap_or(principal_arn))
                })?;
            let (put, name) = match e.kind {
                EntityKind::Role => ("iam:PutRolePolicy", e.name.clone()),
                _ => ("iam:PutUserPolicy", e.name.clone()),
            };
            ctx.authorize(put, principal_arn)?;
            ctx.authorize("iam:Delete*Policy", principal_arn)?;
            ctx.authorize("iam:DetachPolicy", principal_arn)?;
            let granting_groups: Vec<&str> = e
                .groups
                .iter()
                .filter_map(|g| ctx.iam.get(EntityKind::Group, g))
                .filter(|g| !g.inline.is_empty() || !g.attached.is_empty())
                .map(|g| g.name.as_str())
                .collect();
            if !granting_groups.is_empty() {
                return Err(Error::invalid_request(format!(
                    "{name} is in groups with policies of their own ({}): narrow those or take {name} out of them first; a policy on {name} cannot take back what a group grants.",
                    granting_groups.join(", ")
                )));
            }
            let usage = ctx.tx.usage_summary()?;
            let mut actions_of: ActionsOf = HashMap::new();
            for (h, action, day) in usage.actions {
                actions_of.entry(h).or_default().push((action, day));
            }
            let unused_ms = i64::from(t.unused_days) * 86_400_000;
            let mut recent: Vec<String> = used_by(ctx.iam, ctx.keys, &actions_of, principal_arn, &e)
                .into_iter()
                .filter(|(_, d)| ctx.now_ms - d < unused_ms)
                .map(|(a, _)| a)
                .collect();
            recent.sort();
            let docs: Vec<serde_json::Value> = identity_documents(ctx.iam, &e)
                .iter()
                .filter_map(|d| serde_json::from_str(d).ok())
                .collect();
            let remade = serde_json::to_string_pretty(&health::policies::least_privilege(&docs, &recent))
                .expect("serializes");
            if remade != proposed {
                return Err(Error::invalid_request(format!(
                    "The proposed policy for {name} is out of date: what it did has changed since the report was made. Make the report again."
                )));
            }
            check_proposal(&docs, proposed, &recent)?;
            let removed_inline: Vec<String> = e.inline.keys().cloned().collect();
            let detached = std::mem::take(&mut e.attached);
            e.inline.clear();
            e.inline.insert(LEAST_PRIVILEGE_POLICY.to_string(), proposed.to_string());
            ctx.save_entity(&e)?;
            Ok(LeastPrivilegeApplied {
                principal_arn: principal_arn.to_string(),
                policy_name: LEAST_PRIVILEGE_POLICY.to_string(),
                removed_inline,
                detached,
            })
        })
    }
}

/// Checks a least-privilege proposal with the policy simulator, on every resource the
/// principal's policies name: each action it used stays allowed where it was allowed, and
/// each Secrets Manager action it was granted and did not use is allowed nowhere.
fn check_proposal(docs: &[serde_json::Value], proposed: &str, used: &[String]) -> Result<()> {
    crate::policy::parse(proposed)?;
    let mut resources: Vec<String> = docs
        .iter()
        .flat_map(|d| d.get("Statement").map(statements).unwrap_or_default())
        .flat_map(|st| match st.get("Resource") {
            Some(serde_json::Value::String(r)) => vec![r.clone()],
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect(),
            _ => vec![],
        })
        .collect();
    resources.sort();
    resources.dedup();
    if resources.is_empty() {
        resources.push("*".into());
    }
    let actions: Vec<String> = health::policies::granted(docs)
        .into_iter()
        .map(|a| format!("secretsmanager:{a}"))
        .collect();
    let decide = |documents: Vec<String>| -> Result<HashMap<(String, String), bool>> {
        let sim = crate::policy::Simulation {
            policies: crate::policy::input_list(documents),
            action_names: actions.clone(),
            resource_arns: resources.clone(),
            max_items: Some(1000),
            ..Default::default()
        };
        let r = crate::policy::simulate(&sim)?;
        Ok(r.evaluation_results
            .into_iter()
            .map(|e| {
                (
                    (e.eval_action_name, e.eval_resource_name),
                    e.eval_decision == crate::policy::EvalDecision::Allowed,
                )
            })
            .collect())
    };
    let before = decide(docs.iter().map(|d| d.to_string()).collect())?;
    let after = decide(vec![proposed.to_string()])?;
    for ((action, resource), was) in &before {
        let is = after
            .get(&(action.clone(), resource.clone()))
            .copied()
            .unwrap_or(false);
        let short = action.trim_start_matches("secretsmanager:");
        let wanted = *was && used.iter().any(|u| u == short);
        if is != wanted {
            return Err(Error::internal(format!(
                "The least-privilege policy would {} {action} on {resource}: it was not put in place.",
                if is { "allow" } else { "deny" }
            )));
        }
    }
    Ok(())
}

fn statements(v: &serde_json::Value) -> Vec<&serde_json::Value> {
    match v {
        serde_json::Value::Array(a) => a.iter().collect(),
        other => vec![other],
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

    // ---- fixes: each carried out through the operation it names, as the consoles do ----

    fn fix_of(f: &[Finding], kind: FindingKind) -> Fix {
        f.iter()
            .find(|f| f.kind == kind)
            .and_then(|f| f.fix.clone())
            .unwrap_or_else(|| panic!("no fix for {kind:?} in {f:?}"))
    }

    #[test]
    fn rotating_now_from_a_weak_value_finding_replaces_the_value_and_clears_it() {
        let (v, _) = vault();
        let v = Arc::new(v);
        let function = password_function(&v);
        create(&v, "weak", "password1");
        rotate(&v, "weak", &function, false);
        let f = report(&v, &quiet());
        let Fix::RotateNow { secret_id } = fix_of(&f, FindingKind::WeakValue) else {
            panic!("{f:?}")
        };
        v.rotate_secret(
            &v.caller(FrontEnd::Cli),
            RotateSecretRequest {
                secret_id,
                rotate_immediately: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
        crate::rotation::Engine::new().run_due(&v).unwrap();
        assert!(report(&v, &quiet()).is_empty());
    }

    #[test]
    fn turning_rotation_on_from_a_rotation_off_finding_clears_it() {
        let (v, _) = vault();
        let function = password_function(&v);
        create(
            &v,
            "db",
            &format!(r#"{{"engine":"postgres","host":"h","username":"app","password":"{S1}"}}"#),
        );
        let f = report(&v, &quiet());
        let Fix::TurnRotationOn { secret_id } = fix_of(&f, FindingKind::RotationOff) else {
            panic!("{f:?}")
        };
        rotate(&v, &secret_id, &function, false);
        assert!(report(&v, &quiet()).is_empty());
    }

    #[test]
    fn scheduling_deletion_from_a_never_read_finding_clears_it() {
        let (v, clock) = vault();
        create(&v, "never", S1);
        days(&clock, 100);
        let f = report(&v, &quiet());
        let Fix::ScheduleDeletion { secret_id } = fix_of(&f, FindingKind::NeverRead) else {
            panic!("{f:?}")
        };
        v.delete_secret(
            &v.caller(FrontEnd::Cli),
            DeleteSecretRequest {
                secret_id,
                recovery_window_in_days: Some(30),
                force_delete_without_recovery: None,
            },
        )
        .unwrap();
        assert!(report(&v, &quiet()).is_empty());
    }

    #[test]
    fn deactivating_an_old_unused_key_from_its_finding_clears_both_of_its_findings() {
        let (v, clock) = vault();
        let admin = v.caller(FrontEnd::Cli);
        v.iam_create(&admin, CreateEntity::new(EntityKind::User, "ci"))
            .unwrap();
        v.iam_create_access_key(&admin, EntityKind::User, "ci")
            .unwrap();
        days(&clock, 100);
        let f = report(&v, &quiet());
        let Fix::DeactivateKey { access_key_id, .. } = fix_of(&f, FindingKind::AccessKeyOld) else {
            panic!("{f:?}")
        };
        v.iam_update_access_key(&admin, &access_key_id, Some(false))
            .unwrap();
        assert!(report(&v, &quiet()).is_empty());
    }

    /// A user `app` granted GetSecretValue and DeleteSecret, who read `app/db` 5 days ago
    /// and never deleted anything: its unused-access finding's proposal.
    fn over_granted() -> (Vault, Caller, String) {
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
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DeleteSecret"],"Resource":"arn:aws:secretsmanager:*:*:secret:app/*"}]}"#,
        )
        .unwrap();
        days(&clock, 95);
        let app = Caller::principal("arn:aws:iam::111122223333:user/app", FrontEnd::Endpoint);
        read(&v, &app, "app/db");
        days(&clock, 5);
        let f = report(&v, &quiet());
        let Fix::ApplyLeastPrivilegePolicy { proposed, .. } = fix_of(&f, FindingKind::UnusedAccess)
        else {
            panic!("{f:?}")
        };
        (v, app, proposed)
    }

    #[test]
    fn applying_the_least_privilege_proposal_keeps_what_was_used_and_takes_back_the_rest() {
        let (v, app, proposed) = over_granted();
        let admin = v.caller(FrontEnd::Cli);
        let done = v
            .apply_least_privilege_policy(
                &admin,
                "arn:aws:iam::111122223333:user/app",
                &proposed,
                &quiet(),
            )
            .unwrap();
        assert_eq!(done.removed_inline, ["sm"]);
        assert!(report(&v, &quiet()).is_empty());
        read(&v, &app, "app/db");
        let refused = v
            .delete_secret(
                &app,
                DeleteSecretRequest {
                    secret_id: "app/db".into(),
                    recovery_window_in_days: Some(7),
                    force_delete_without_recovery: None,
                },
            )
            .unwrap_err();
        assert_eq!(refused.code.as_str(), "AccessDeniedException");
    }

    #[test]
    fn a_least_privilege_proposal_the_trail_has_moved_past_is_refused() {
        let (v, app, proposed) = over_granted();
        create(&v, "app/old", S2);
        v.delete_secret(
            &app,
            DeleteSecretRequest {
                secret_id: "app/old".into(),
                recovery_window_in_days: Some(7),
                force_delete_without_recovery: None,
            },
        )
        .unwrap();
        let e = v
            .apply_least_privilege_policy(
                &v.caller(FrontEnd::Cli),
                "arn:aws:iam::111122223333:user/app",
                &proposed,
                &quiet(),
            )
            .unwrap_err();
        assert!(e.message.contains("out of date"), "{}", e.message);
        // Nothing changed: the user still has its own policy.
        read(&v, &app, "app/db");
        assert!(
            report(&v, &quiet())
                .iter()
                .all(|f| f.kind != FindingKind::UnusedAccess)
        );
    }

    #[test]
    fn only_an_operator_applies_a_least_privilege_policy() {
        let (v, app, proposed) = over_granted();
        let e = v
            .apply_least_privilege_policy(
                &app,
                "arn:aws:iam::111122223333:user/app",
                &proposed,
                &quiet(),
            )
            .unwrap_err();
        assert_eq!(e.code.as_str(), "AccessDeniedException");
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
