//! The health report's door: gathers what [`crate::health::assess`] looks at from the
//! index, IAM, the rotation attempts, the audit trail's summaries (`store::usage`) and the
//! values' facts, in one audited request.
//!
//! Operators only: the report says who read which secret and how strong every value is,
//! which no Secrets Manager or IAM action covers, so no policy can grant it to another
//! principal.
//!
//! **Fast at size.** Nothing a report needs is computed from the whole trail or from the
//! values when it runs:
//! - a value's facts ([`ValueFacts`]) are derived when it is written, inside the write's
//!   transaction (`Ctx::write_value` calls [`keep_facts`]), so a crash keeps the value and
//!   its facts together or neither; a vault made before this (format 5 and older) or
//!   re-keyed (which changes the keys that seal and name facts) derives them once, on the
//!   next unlock ([`Vault::derive_pending_facts`]). A version that has none anyway (its KMS
//!   key was disabled then) is judged by the report that meets it.
//! - who last read each secret and which actions each principal last used are summaries
//!   that the audit append keeps, in the append's transaction (`store::usage`).
//! - the report's inputs are kept in memory ([`Kept`]) and brought up to date from what
//!   changed since the last report: the audit events after the last one it folded, and
//!   the secrets whose document changed (the index hands out a new `Arc` for each). Only
//!   that runs under the vault's lock; the findings are then made outside it, so requests
//!   of the consoles and the endpoint do not wait for a report.
//!
//! **What is stored, and what it tells an attacker.** Per version: `value_facts` holds,
//! sealed (AES-256-GCM under the vault's metadata key, bound to the secret and version),
//! zxcvbn's score class and the length of each weak field, whether the value is database
//! credentials, and the value's fingerprint: HMAC-SHA-256 under a key derived from the
//! vault's index key. In the clear the row shows only what the `versions` row beside it
//! already does (the secret's uid and the keyed version hash), plus a ciphertext length
//! (which grows with the number of weak fields and their names' lengths). Why not keep the
//! score or the fingerprint in the clear, as metadata: a plain score points an attacker
//! with a copy of the file at the weakest secrets to attack first; a plain fingerprint,
//! even keyed, shows which secrets share a value (so one leaked value leaks the others),
//! and an unkeyed one could be checked against a dictionary offline. Sealed, neither says
//! anything without the vault's keys — and whoever has them can read the values anyway.
//! The fingerprint's key is the vault's own, so two vaults holding the same value do not
//! share a fingerprint, and a re-key replaces it (facts are then derived again). Facts
//! never hold a value, part of one, or zxcvbn's feedback (which can quote the password).
//!
//! **Why this file is long:** over half of it is its tests (each situation built and its exact
//! finding checked, the kept report against a fresh one); the rest is the one bridge between
//! the vault and the pure rules of `health`: facts at write time, kept findings, the report.

use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet};

use super::doc::SecretDoc;
use super::iam::{EntityKind, Iam};
use super::keys::VaultKeys;
use super::{Caller, Ctx, FrontEnd, REPLICATOR_PREFIX, Vault};
use crate::Operation;
use crate::health::{
    self, AttemptInput, HealthReport, Inputs, KeyInput, OperatorInput, PrincipalInput, SecretInput,
    Thresholds, ValueFacts,
};
use crate::model::{AWSCURRENT, SecretValue};
use crate::rotation::schedule::Schedule;
use crate::store::{READ_EVENTS, Tx, UsageEvent};
use crate::{Error, Result};

const DAY_MS: i64 = 86_400_000;

/// From how many secrets to judge on, a report reads every version's facts in one scan
/// rather than looking each up (at 100,000 secrets the lookups took 0.7 s, the scan 0.1 s).
const BULK_FACTS: usize = 1_000;

fn facts_name(uid: &str, vid: &str) -> String {
    format!("value-facts/{uid}/{vid}")
}

/// Derives a version's facts from its value and keeps them, sealed, in `tx`.
pub(super) fn keep_facts(
    tx: &Tx<'_>,
    keys: &VaultKeys,
    doc: &SecretDoc,
    vid: &str,
    value: &SecretValue,
) -> Result<ValueFacts> {
    let f = ValueFacts::of(value, &keys.value_fingerprinter());
    let plain = zeroize::Zeroizing::new(serde_json::to_vec(&f).expect("facts serialize"));
    tx.value_facts_put(
        &doc.uid,
        &keys.vid_hash(&doc.uid, vid),
        &keys.seal_named(&facts_name(&doc.uid, vid), &plain),
    )?;
    Ok(f)
}

fn current_version(doc: &SecretDoc) -> Option<&super::doc::VersionDoc> {
    doc.versions
        .iter()
        .find(|v| v.stages.iter().any(|s| s == AWSCURRENT))
}

/// The version whose value the report judges: the current one, when it has a value and the
/// secret is neither a replica nor on its way out.
fn judged_version(doc: &SecretDoc) -> Option<&super::doc::VersionDoc> {
    current_version(doc).filter(|v| v.has_value && !doc.is_replica() && doc.deletion_ms.is_none())
}

/// Each principal's last successful day per event name, by the audit's keyed hash of the
/// principal's ARN.
type ActionsOf = HashMap<Vec<u8>, HashMap<String, i64>>;

/// The report's inputs as of its last run (see the module's header).
#[derive(Default)]
pub(crate) struct Kept {
    /// Which keys the hashes below were made under (a re-key changes every one).
    keys_tag: Option<[u8; 32]>,
    /// The last event folded in, and its MAC (a restored file has another trail).
    seq: i64,
    mac: Option<Vec<u8>>,
    /// Per secret uid, the day of its last read and the principal hash that read it.
    reads: HashMap<String, (i64, Vec<u8>)>,
    actions: ActionsOf,
    /// Per secret uid, the document its input was made from and the input's place.
    docs: HashMap<String, (Arc<SecretDoc>, usize)>,
    secrets: Vec<SecretInput>,
    /// Secrets whose current value could not be judged (to try again each time).
    unjudged: Vec<String>,
    /// The secrets whose input or last read changed since the findings were last made.
    touched: HashSet<String>,
    /// All of them did (the first report, or who is who changed): `touched` is not kept then.
    all_touched: bool,
    /// Who is who by the audit's keyed hash, as the last reads were named with.
    who: HashMap<Vec<u8>, String>,
    /// The findings, kept.
    findings: health::Assessor,
}

impl Kept {
    /// Folds one event in, as `store::usage` folds it into the summaries on append.
    fn fold(&mut self, e: UsageEvent) {
        if e.error_code.is_some() {
            return;
        }
        let day = e.at_ms - e.at_ms.rem_euclid(DAY_MS);
        if let Some(uid) = e
            .secret_uid
            .filter(|_| READ_EVENTS.contains(&e.event_name.as_str()))
        {
            match self.reads.get_mut(&uid) {
                Some((d, _)) if day < *d => {}
                Some(r) => {
                    if *r != (day, e.principal_hash.clone()) {
                        *r = (day, e.principal_hash.clone());
                        self.touched.insert(uid);
                    }
                }
                None => {
                    self.reads
                        .insert(uid.clone(), (day, e.principal_hash.clone()));
                    self.touched.insert(uid);
                }
            }
        }
        let d = self
            .actions
            .entry(e.principal_hash)
            .or_default()
            .entry(e.event_name)
            .or_insert(day);
        *d = (*d).max(day);
    }
}

impl Vault {
    /// What an operator should fix today (see [`crate::health`]). Audited as one
    /// `GenerateHealthReport` event with the thresholds. Brings the kept inputs up to date
    /// under the vault's lock, then makes the findings outside it.
    pub fn health_report(&self, caller: &Caller, t: &Thresholds) -> Result<HealthReport> {
        let mut kept = super::lock(&self.health);
        let (now_ms, rest) = self.exec(caller, Operation::GenerateHealthReport, t, |ctx| {
            if !ctx.caller.is_operator() {
                return Err(Error::access_denied(
                    "Only the vault's operators can make a health report: it tells who read which secret and how strong each value is.",
                ));
            }
            self.bring_up_to_date(ctx, &mut kept)?;
            Ok((ctx.now_ms, self.health_rest(ctx, &kept)?))
        })?;
        Ok(assess_kept(&mut kept, now_ms, rest, t))
    }

    /// Derives the facts of every version that has none, when the file says some may lack
    /// them (an upgraded or re-keyed vault): once, in one transaction, audited as one
    /// internal `GenerateHealthReport` event. Returns how many it derived.
    pub(crate) fn derive_pending_facts(&self) -> Result<usize> {
        {
            let mut inner = self.inner();
            if !inner.store.read()?.value_facts_pending()? {
                return Ok(0);
            }
        }
        let params = serde_json::json!({ "DeriveValueFacts": true });
        self.exec(
            &self.caller(FrontEnd::Internal),
            Operation::GenerateHealthReport,
            &params,
            |ctx| {
                if !ctx.tx.value_facts_pending()? {
                    return Ok(0);
                }
                ctx.will_write()?;
                let docs: Vec<Arc<SecretDoc>> = ctx.index.all().cloned().collect();
                let mut n = 0;
                for doc in &docs {
                    for v in doc.versions.iter().filter(|v| v.has_value) {
                        let h = ctx.keys.vid_hash(&doc.uid, &v.id);
                        if ctx.tx.value_facts_get(&doc.uid, &h)?.is_some() {
                            continue;
                        }
                        // A value that does not open (its KMS key disabled) is judged by
                        // the report that meets it.
                        if let Ok(value) = ctx.read_value(doc, &v.id) {
                            keep_facts(ctx.tx, ctx.keys, doc, &v.id, &value)?;
                            n += 1;
                        }
                    }
                }
                ctx.tx.value_facts_set_pending(false)?;
                Ok(n)
            },
        )
    }

    /// Folds the events since the last report into `kept` and remakes the inputs of the
    /// secrets that changed; starts over when the keys or the trail are not the ones
    /// `kept` was made from.
    fn bring_up_to_date(&self, ctx: &mut Ctx<'_, '_>, kept: &mut Kept) -> Result<()> {
        let tag = ctx.keys.principal_hash("");
        let same_trail = kept.keys_tag == Some(tag)
            && (kept.seq == 0 || ctx.tx.audit_mac_at(kept.seq)? == kept.mac);
        if !same_trail {
            *kept = Kept {
                keys_tag: Some(tag),
                all_touched: true,
                ..Kept::default()
            };
            let usage = ctx.tx.usage_summary()?;
            kept.reads = usage
                .reads
                .into_iter()
                .map(|(uid, day, h)| (uid, (day, h)))
                .collect();
            for (h, action, day) in usage.actions {
                kept.actions.entry(h).or_default().insert(action, day);
            }
        } else {
            for e in ctx.tx.usage_events_since(kept.seq)? {
                kept.fold(e);
            }
        }
        match ctx.tx.audit_last()? {
            Some((seq, mac)) => {
                kept.seq = seq;
                kept.mac = Some(mac);
            }
            None => {
                kept.seq = 0;
                kept.mac = None;
            }
        }

        // Secrets: a document the index replaced is a new `Arc`.
        let mut retry = std::mem::take(&mut kept.unjudged);
        let docs: Vec<Arc<SecretDoc>> = ctx.index.all().cloned().collect();
        let mut work: Vec<(&Arc<SecretDoc>, Option<usize>)> = Vec::new();
        kept.docs
            .reserve(docs.len().saturating_sub(kept.docs.len()));
        kept.secrets
            .reserve(docs.len().saturating_sub(kept.secrets.len()));
        for doc in &docs {
            let at = match kept.docs.get(&doc.uid) {
                Some((d, i)) if Arc::ptr_eq(d, doc) => {
                    if !retry.contains(&doc.uid) {
                        continue;
                    }
                    Some(*i)
                }
                Some((_, i)) => Some(*i),
                None => None,
            };
            retry.retain(|u| u != &doc.uid);
            work.push((doc, at));
        }
        // Facts from one scan when many secrets are remade (the first report), else a
        // lookup each; the inputs made on every core when they are many.
        let keys = ctx.keys;
        let mut made: Vec<SecretInput> = if work.len() >= BULK_FACTS {
            let all: HashMap<Vec<u8>, Vec<u8>> = ctx.tx.value_facts_all()?.into_iter().collect();
            health::par_map(&work, |(doc, _)| {
                let sealed = judged_version(doc)
                    .and_then(|v| all.get(keys.vid_hash(&doc.uid, &v.id).as_slice()));
                self.input_of(doc, keys, sealed.map(Vec::as_slice))
            })
        } else {
            let mut made = Vec::with_capacity(work.len());
            for (doc, _) in &work {
                let sealed = match judged_version(doc) {
                    Some(v) => ctx
                        .tx
                        .value_facts_get(&doc.uid, &keys.vid_hash(&doc.uid, &v.id))?,
                    None => None,
                };
                made.push(self.input_of(doc, keys, sealed.as_deref()));
            }
            made
        };
        for ((doc, _), input) in work.iter().zip(made.iter_mut()) {
            if input.facts.is_none() && judged_version(doc).is_some() {
                input.facts = self.judge(ctx, doc, &mut kept.unjudged)?;
            }
            if !kept.all_touched {
                kept.touched.insert(doc.uid.clone());
            }
        }
        if kept.secrets.is_empty() {
            // None was kept (so every secret is new): the inputs as made, in their order.
            kept.docs.reserve(work.len());
            for (i, (doc, _)) in work.iter().enumerate() {
                kept.docs.insert(doc.uid.clone(), (Arc::clone(doc), i));
            }
            kept.secrets = made;
        } else {
            for ((doc, at), input) in work.into_iter().zip(made) {
                match at {
                    Some(i) => {
                        kept.secrets[i] = input;
                        kept.docs.insert(doc.uid.clone(), (doc.clone(), i));
                    }
                    None => {
                        kept.docs
                            .insert(doc.uid.clone(), (doc.clone(), kept.secrets.len()));
                        kept.secrets.push(input);
                    }
                }
            }
        }
        if kept.docs.len() != docs.len() {
            // Purged secrets: keep the others, in their order.
            let secrets = std::mem::take(&mut kept.secrets);
            let old = std::mem::take(&mut kept.docs);
            for s in secrets {
                if let Some(d) = ctx.index.get(&s.uid)
                    && let Some((kd, _)) = old.get(&s.uid)
                    && Arc::ptr_eq(d, kd)
                {
                    kept.docs
                        .insert(s.uid.clone(), (d.clone(), kept.secrets.len()));
                    kept.secrets.push(s);
                }
            }
        }
        Ok(())
    }

    /// One secret's input, its last read aside (filled in when the findings are made), with
    /// the facts of its current value opened from `sealed` (none when they were not found:
    /// see [`Vault::judge`]).
    fn input_of(&self, doc: &SecretDoc, keys: &VaultKeys, sealed: Option<&[u8]>) -> SecretInput {
        let judged = judged_version(doc);
        let facts = judged.zip(sealed).and_then(|(v, sealed)| {
            let plain = keys.open_named(&facts_name(&doc.uid, &v.id), sealed).ok()?;
            serde_json::from_slice::<ValueFacts>(&plain).ok()
        });
        let current = current_version(doc);
        let rotation = doc.rotation.as_ref();
        let rotation_due = rotation
            .filter(|r| r.enabled && r.function_arn.is_some())
            .and_then(|r| {
                let s = Schedule::stored(r.rules.as_ref()?).ok()?;
                s.window_after(r.anchor_ms).map(|w| (w.start_ms, w.end_ms))
            });
        SecretInput {
            uid: doc.uid.clone(),
            name: doc.name.clone(),
            arn: self.info.secret_arn(doc),
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
            last_read: None,
        }
    }

    /// Judges a secret's current value that has no facts, keeping them; `unjudged` gets the
    /// secrets whose value does not open (its KMS key disabled), to try again next time.
    fn judge(
        &self,
        ctx: &mut Ctx<'_, '_>,
        doc: &SecretDoc,
        unjudged: &mut Vec<String>,
    ) -> Result<Option<ValueFacts>> {
        let Some(v) = judged_version(doc) else {
            return Ok(None);
        };
        match ctx.read_value(doc, &v.id) {
            Ok(value) => {
                ctx.will_write()?;
                Ok(Some(keep_facts(ctx.tx, ctx.keys, doc, &v.id, &value)?))
            }
            Err(_) => {
                unjudged.push(doc.uid.clone());
                Ok(None)
            }
        }
    }

    /// Everything but the secrets: attempts, principals, keys and operators (few, and read
    /// whole each time), with who is who by the audit's keyed hash of their ARNs.
    fn health_rest(&self, ctx: &mut Ctx<'_, '_>, kept: &Kept) -> Result<Rest> {
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
        let who: HashMap<Vec<u8>, String> = known
            .into_iter()
            .map(|a| (keys.principal_hash(&a).to_vec(), a))
            .collect();
        let last_use = |h: &[u8]| kept.actions.get(h).and_then(|m| m.values().max().copied());

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
                    used: used_by(iam, keys, &kept.actions, &arn, e),
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
                principal_last_used: last_use(&keys.principal_hash(&k.principal_arn)),
            })
            .collect();
        access_keys.sort_by(|a, b| a.access_key_id.cmp(&b.access_key_id));

        let unlocks = ctx.tx.usage_summary_unlocks()?;
        let operators = operators
            .iter()
            .map(|o| {
                let arn = self.info.user_arn(o);
                // Before unlocks were recorded, any request of theirs shows they unlocked.
                let acted = kept
                    .actions
                    .contains_key(keys.principal_hash(&arn).as_slice());
                OperatorInput {
                    name: o.clone(),
                    ever_unlocked: unlocks.iter().any(|(u, _)| u == o) || acted,
                    arn,
                }
            })
            .collect();

        Ok(Rest {
            account_id: account.clone(),
            who,
            attempts,
            principals,
            keys: access_keys,
            operators,
        })
    }
}

impl Vault {
    /// Where what the health report keeps disagrees with what it is derived from: a
    /// version with a value and no facts (unless the file marks facts as still to derive),
    /// or a last read or last use that differs from the trail's own events. Empty when all
    /// agree; never names a value. Crash tests ask it after each kill.
    pub fn health_disagreements(&self) -> Result<Vec<String>> {
        self.catch_up()?;
        let keys = self.keys();
        let mut inner = self.inner();
        let super::Inner { store, index, .. } = &mut *inner;
        let tx = store.read()?;
        let mut out = Vec::new();
        if !tx.value_facts_pending()? {
            for doc in index.all() {
                for v in doc.versions.iter().filter(|v| v.has_value) {
                    if tx
                        .value_facts_get(&doc.uid, &keys.vid_hash(&doc.uid, &v.id))?
                        .is_none()
                    {
                        out.push(format!("version {} of {} has no facts", v.id, doc.name));
                    }
                }
            }
        }
        let mut trail = Kept::default();
        for e in tx.usage_events_since(0)? {
            trail.fold(e);
        }
        let usage = tx.usage_summary()?;
        let reads: HashMap<String, (i64, Vec<u8>)> = usage
            .reads
            .into_iter()
            .map(|(uid, day, h)| (uid, (day, h)))
            .collect();
        if reads != trail.reads {
            out.push("the secrets' last reads differ from the trail's".into());
        }
        let mut actions = ActionsOf::new();
        for (h, action, day) in usage.actions {
            actions.entry(h).or_default().insert(action, day);
        }
        if actions != trail.actions {
            out.push("the principals' last uses differ from the trail's".into());
        }
        Ok(out)
    }
}

/// The inputs that are not kept between reports.
struct Rest {
    account_id: String,
    /// ARNs by the audit's keyed hash.
    who: HashMap<Vec<u8>, String>,
    attempts: Vec<AttemptInput>,
    principals: Vec<PrincipalInput>,
    keys: Vec<KeyInput>,
    operators: Vec<OperatorInput>,
}

/// Makes the findings from the kept secrets (lent to the kept [`health::Assessor`] and
/// taken back), naming who last read the secrets that changed, or all of them when who is
/// who changed.
fn assess_kept(kept: &mut Kept, now_ms: i64, rest: Rest, t: &Thresholds) -> HealthReport {
    let mut secrets = std::mem::take(&mut kept.secrets);
    if rest.who != kept.who {
        kept.all_touched = true;
        kept.who = rest.who;
    }
    let last_read = |uid: &str| {
        kept.reads.get(uid).map(|(day, h)| {
            let who = kept
                .who
                .get(h)
                .map_or("a principal this vault no longer has", String::as_str);
            (*day, who.to_string())
        })
    };
    if kept.all_touched {
        health::par_chunks(&mut secrets, |part| {
            for s in part {
                s.last_read = last_read(&s.uid);
            }
        });
    } else {
        for uid in &kept.touched {
            if let Some((_, i)) = kept.docs.get(uid) {
                secrets[*i].last_read = last_read(uid);
            }
        }
    }
    let inputs = Inputs {
        now_ms,
        account_id: rest.account_id,
        secrets,
        attempts: rest.attempts,
        principals: rest.principals,
        keys: rest.keys,
        operators: rest.operators,
    };
    let changed = (!kept.all_touched).then_some(&kept.touched);
    let report = kept.findings.report(&inputs, changed, t);
    kept.touched.clear();
    kept.all_touched = false;
    kept.secrets = inputs.secrets;
    report
}

/// The Secrets Manager actions a user or role used, with the day each was last used (a
/// role acts through its sessions' ARNs).
fn used_by(
    iam: &Iam,
    keys: &VaultKeys,
    actions_of: &ActionsOf,
    arn: &str,
    e: &super::iam::Entity,
) -> std::collections::HashMap<String, i64> {
    let session = format!(":assumed-role/{}/", e.name);
    let mut arns = vec![arn.to_string()];
    arns.extend(
        iam.keys
            .values()
            .filter(|k| e.kind == EntityKind::Role && k.principal_arn.contains(&session))
            .map(|k| k.principal_arn.clone()),
    );
    let mut used = std::collections::HashMap::new();
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
                actions_of.entry(h).or_default().insert(action, day);
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

    /// The IAM user `app`, allowed GetSecretValue and DeleteSecret on `resource`.
    fn user_app_may_get_and_delete(v: &Vault, resource: &str) {
        let admin = v.caller(FrontEnd::Cli);
        v.iam_create(&admin, CreateEntity::new(EntityKind::User, "app"))
            .unwrap();
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DeleteSecret"],"Resource":"{resource}"}}]}}"#
        );
        v.iam_put_inline_policy(&admin, EntityKind::User, "app", "sm", &policy)
            .unwrap();
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

    fn report(v: &Vault, t: &Thresholds) -> Vec<Arc<Finding>> {
        v.health_report(&v.caller(FrontEnd::Cli), t)
            .unwrap()
            .findings
    }

    fn kinds(findings: &[Arc<Finding>]) -> Vec<(String, FindingKind)> {
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
    fn a_value_shared_by_many_secrets_names_ten_of_the_others_and_counts_them_all() {
        let (v, _) = vault();
        for i in 0..13 {
            create(&v, &format!("app-{i:02}"), S1);
        }
        let f = report(&v, &quiet());
        assert_eq!(f.len(), 13);
        let first = f.iter().find(|f| f.subject.label() == "app-00").unwrap();
        assert_eq!(first.kind, FindingKind::ReusedValue);
        assert_eq!(first.evidence.count, Some(12));
        let named: Vec<String> = (1..=10).map(|i| format!("app-{i:02}")).collect();
        assert_eq!(first.evidence.names, named);
        assert_eq!(
            first.summary,
            format!(
                "Holds the same value as 12 other secret(s): {} and 2 more.",
                named.join(", ")
            )
        );
        let fifth = f.iter().find(|f| f.subject.label() == "app-05").unwrap();
        assert!(!fifth.evidence.names.contains(&"app-05".to_string()));
        assert_eq!(fifth.evidence.names.len(), 10);
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
        create(&v, "app/db", S1);
        user_app_may_get_and_delete(&v, "*");
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

    fn fix_of(f: &[Arc<Finding>], kind: FindingKind) -> Fix {
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
        create(&v, "app/db", S1);
        user_app_may_get_and_delete(&v, "arn:aws:secretsmanager:*:*:secret:app/*");
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

    // ---- fast at size: kept inputs, facts derived at write time ----

    impl Vault {
        /// The report from the kept inputs and one made afresh, from the same transaction.
        fn kept_and_afresh(&self, t: &Thresholds) -> (HealthReport, HealthReport) {
            let mut kept = super::super::lock(&self.health);
            let caller = self.caller(FrontEnd::Cli);
            let (now, rest, mut fresh, fresh_rest) = self
                .exec(&caller, Operation::GenerateHealthReport, t, |ctx| {
                    self.bring_up_to_date(ctx, &mut kept)?;
                    let rest = self.health_rest(ctx, &kept)?;
                    let mut fresh = Kept::default();
                    self.bring_up_to_date(ctx, &mut fresh)?;
                    let fresh_rest = self.health_rest(ctx, &fresh)?;
                    Ok((ctx.now_ms, rest, fresh, fresh_rest))
                })
                .unwrap();
            (
                assess_kept(&mut kept, now, rest, t),
                assess_kept(&mut fresh, now, fresh_rest, t),
            )
        }
    }

    fn put(v: &Vault, name: &str, value: &str) {
        v.put_secret_value(
            &v.caller(FrontEnd::Cli),
            crate::api::PutSecretValueRequest {
                secret_id: name.into(),
                secret_string: Some(SecretText::new(value.into())),
                ..Default::default()
            },
        )
        .unwrap();
    }

    fn same(v: &Vault, step: &str) -> HealthReport {
        let (kept, fresh) = v.kept_and_afresh(&Thresholds::default());
        assert_eq!(kept, fresh, "after {step}");
        kept
    }

    #[test]
    fn the_report_kept_up_to_date_equals_one_made_afresh_after_writes_reads_key_changes_and_deletions()
     {
        let (v, clock) = vault();
        let admin = v.caller(FrontEnd::Cli);
        for (name, value) in [("a", S1), ("b", S2), ("c", S3), ("d", "letmein"), ("e", S1)] {
            create(&v, name, value);
        }
        user_app_may_get_and_delete(&v, "*");
        let key = v
            .iam_create_access_key(&admin, EntityKind::User, "app")
            .unwrap()
            .metadata
            .access_key_id;
        let app = Caller::principal("arn:aws:iam::111122223333:user/app", FrontEnd::Endpoint);
        read(&v, &admin, "a");
        same(&v, "the first report");

        put(&v, "b", S1);
        put(&v, "d", S3);
        same(&v, "new values");
        read(&v, &app, "b");
        days(&clock, 40);
        read(&v, &admin, "b");
        read(&v, &app, "c");
        same(&v, "reads");
        let kms = v
            .create_key(&admin, crate::api::CreateKeyRequest::default())
            .unwrap()
            .key_metadata
            .key_id;
        v.update_secret(
            &admin,
            crate::api::UpdateSecretRequest {
                secret_id: "c".into(),
                kms_key_id: Some(kms),
                ..Default::default()
            },
        )
        .unwrap();
        v.iam_update_access_key(&admin, &key, Some(false)).unwrap();
        v.iam_create_access_key(&admin, EntityKind::User, "app")
            .unwrap();
        same(&v, "a KMS key and access key changes");
        v.delete_secret(
            &app,
            DeleteSecretRequest {
                secret_id: "e".into(),
                recovery_window_in_days: Some(7),
                force_delete_without_recovery: None,
            },
        )
        .unwrap();
        v.delete_secret(
            &admin,
            DeleteSecretRequest {
                secret_id: "a".into(),
                recovery_window_in_days: None,
                force_delete_without_recovery: Some(true),
            },
        )
        .unwrap();
        same(&v, "deletions");
        days(&clock, 100);
        create(&v, "f", S2);
        let r = same(&v, "a purge and time passing");
        let kinds: Vec<FindingKind> = r.findings.iter().map(|f| f.kind).collect();
        for k in [
            FindingKind::ReusedValue,
            FindingKind::NotReadRecently,
            FindingKind::UnusedAccess,
            FindingKind::UnchangedValue,
        ] {
            assert!(kinds.contains(&k), "{k:?} in {kinds:?}");
        }
        // What it found is what the door's own report says.
        assert_eq!(
            report(&v, &Thresholds::default()),
            v.kept_and_afresh(&Thresholds::default()).1.findings
        );
    }

    #[test]
    fn the_kept_findings_follow_the_date_alone_as_thresholds_pass_and_day_counts_move() {
        let (v, clock) = vault();
        let admin = v.caller(FrontEnd::Cli);
        let arn = password_function(&v);
        for (name, value) in [
            ("never", S1),
            ("read", S2),
            ("same-1", S3),
            ("same-2", S3),
            ("same-3", S3),
            ("rotating", "Qw7#pL2!xZ9@mK4$vB8%"),
        ] {
            create(&v, name, value);
        }
        rotate(&v, "rotating", &arn, false);
        read(&v, &admin, "read");
        v.delete_secret(
            &admin,
            DeleteSecretRequest {
                secret_id: "same-2".into(),
                recovery_window_in_days: Some(30),
                force_delete_without_recovery: None,
            },
        )
        .unwrap();
        let mut seen = Vec::new();
        // Only the clock moves: by two days and five hours at a time, so that thresholds
        // and day counts pass at every hour of the day, then back by fifty days.
        for step in 0..62 {
            let hours = if step == 60 { -50 * 24 } else { 53 };
            clock.advance(SignedDuration::from_hours(hours));
            let r = same(&v, &format!("step {step} of the clock"));
            seen.extend(r.findings.iter().map(|f| f.kind));
        }
        for k in [
            FindingKind::NeverRead,
            FindingKind::NotReadRecently,
            FindingKind::UnchangedValue,
            FindingKind::DeletionDue,
            FindingKind::RotationOverdue,
            FindingKind::ReusedValue,
        ] {
            assert!(seen.contains(&k), "{k:?} in {seen:?}");
        }
        // Other thresholds: every finding is remade for them.
        let (kept, fresh) = v.kept_and_afresh(&quiet());
        assert_eq!(kept, fresh);
    }

    fn file_vault(dir: &std::path::Path, pass: &str) -> Vault {
        let mut opts =
            super::super::InitOptions::new("admin", crate::crypto::Passphrase::new(pass.into()));
        opts.kdf = Some((19456, 2));
        Vault::init(&dir.join("v.db"), opts).unwrap()
    }

    fn reopen(dir: &std::path::Path, pass: &str) -> Vault {
        Vault::open(
            &dir.join("v.db"),
            None,
            &crate::crypto::Passphrase::new(pass.into()),
        )
        .unwrap()
    }

    /// How many rows `sql` counts in the vault file, read beside the vault.
    fn count(dir: &std::path::Path, sql: &str) -> i64 {
        rusqlite::Connection::open(dir.join("v.db"))
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_values_facts_are_kept_as_it_is_written_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let v = file_vault(dir.path(), "facts pass");
        create(&v, "weak", "password1");
        create(&v, "one", S1);
        create(&v, "two", S1);
        put(&v, "two", S2);
        put(&v, "two", S1);
        // Every version has its facts before any report ran.
        assert_eq!(count(dir.path(), "SELECT count(*) FROM value_facts"), 5);
        assert!(v.health_disagreements().unwrap().is_empty());
        drop(v);
        let v = reopen(dir.path(), "facts pass");
        assert!(v.health_disagreements().unwrap().is_empty());
        assert_eq!(
            kinds(&report(&v, &quiet())),
            [
                ("one".into(), FindingKind::ReusedValue),
                ("two".into(), FindingKind::ReusedValue),
                ("weak".into(), FindingKind::WeakValue),
            ]
        );
        // Nothing had to be derived on opening: no event but the report's.
        assert_eq!(
            count(
                dir.path(),
                "SELECT count(*) FROM audit WHERE event_name = 'GenerateHealthReport'"
            ),
            1
        );
    }

    #[test]
    fn a_vault_from_before_facts_were_kept_derives_them_once_when_unlocked() {
        let dir = tempfile::tempdir().unwrap();
        let v = file_vault(dir.path(), "upgrade pass");
        create(&v, "weak", "password1");
        create(&v, "strong", S1);
        drop(v);
        // The file as format 5 left it: no facts kept, no mark.
        let c = rusqlite::Connection::open(dir.path().join("v.db")).unwrap();
        c.execute_batch(
            "DELETE FROM value_facts; DELETE FROM vault_meta WHERE key = 'value_facts_pending';
             PRAGMA user_version = 5;",
        )
        .unwrap();
        drop(c);
        let v = reopen(dir.path(), "upgrade pass");
        assert!(v.health_disagreements().unwrap().is_empty());
        assert_eq!(count(dir.path(), "SELECT count(*) FROM value_facts"), 2);
        let derived = "SELECT count(*) FROM audit WHERE event_name = 'GenerateHealthReport' AND front_end = 'internal'";
        assert_eq!(count(dir.path(), derived), 1);
        drop(v);
        let v = reopen(dir.path(), "upgrade pass");
        assert_eq!(count(dir.path(), derived), 1, "derived once");
        assert_eq!(
            kinds(&report(&v, &quiet())),
            [("weak".into(), FindingKind::WeakValue)]
        );
    }

    #[test]
    fn a_rekeyed_vault_derives_its_facts_again_under_the_new_keys() {
        let dir = tempfile::tempdir().unwrap();
        let v = file_vault(dir.path(), "before rekey");
        create(&v, "one", S1);
        create(&v, "two", S1);
        let before = v.kept_and_afresh(&quiet()).0;
        v.change_passphrase(
            &v.caller(FrontEnd::Cli),
            &crate::crypto::Passphrase::new("before rekey".into()),
            &crate::crypto::Passphrase::new("after rekey".into()),
            Some((19456, 2)),
        )
        .unwrap();
        assert!(v.health_disagreements().unwrap().is_empty());
        let (kept, fresh) = v.kept_and_afresh(&quiet());
        assert_eq!(kept, fresh);
        assert_eq!(kept.findings, before.findings);
    }

    /// The sealed facts of `name`'s current version.
    fn facts_of(v: &Vault, name: &str) -> (ValueFacts, Vec<u8>) {
        let keys = v.keys();
        let mut inner = v.inner();
        let doc = inner.index.by_name(name).unwrap().clone();
        let cur = doc
            .versions
            .iter()
            .find(|x| x.stages.iter().any(|s| s == AWSCURRENT))
            .unwrap();
        let tx = inner.store.read().unwrap();
        let sealed = tx
            .value_facts_get(&doc.uid, &keys.vid_hash(&doc.uid, &cur.id))
            .unwrap()
            .unwrap();
        let plain = keys
            .open_named(&facts_name(&doc.uid, &cur.id), &sealed)
            .unwrap();
        (serde_json::from_slice(&plain).unwrap(), sealed)
    }

    #[test]
    fn nothing_kept_for_the_health_report_shows_a_value_and_a_reused_values_hash_is_the_vaults_own()
    {
        let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let a = file_vault(da.path(), "vault a");
        let b = file_vault(db.path(), "vault b");
        let json = format!(r#"{{"username":"zkq9mm","password":"{}"}}"#, PLANTED[2]);
        for v in [&a, &b] {
            create(v, "same", PLANTED[0]);
            create(v, "again", PLANTED[0]);
            create(v, "weak", PLANTED[1]);
            create(v, "db", &json);
        }
        let (fa, sealed_a) = facts_of(&a, "same");
        let (fa2, _) = facts_of(&a, "again");
        let (fb, sealed_b) = facts_of(&b, "same");
        assert_eq!(
            fa.fingerprint, fa2.fingerprint,
            "reuse is found within a vault"
        );
        assert_ne!(fa.fingerprint, fb.fingerprint, "and not across two");
        assert_ne!(sealed_a, sealed_b);
        let facts_json = serde_json::to_string(&facts_of(&a, "db").0).unwrap();
        for p in PLANTED.iter().chain(&["zkq9mm"]) {
            for frag in fragments(p) {
                assert!(!facts_json.contains(&frag), "facts hold {frag:?}");
            }
        }
        drop((a, b));
        // The files: no value, no six characters of one, no fingerprint in the clear.
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(da.path()).unwrap() {
            bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
        }
        let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        for p in PLANTED.iter().chain(&["zkq9mm"]) {
            let chars: Vec<char> = p.chars().collect();
            for w in chars.windows(6) {
                let frag: String = w.iter().collect();
                assert!(!holds(frag.as_bytes()), "the file shows {frag:?}");
            }
        }
        assert!(!holds(&fa.fingerprint), "the file shows a fingerprint");
    }
}
