//! The worker thread that holds the unlocked vault: every query and act runs here, off the
//! input path, and it polls the vault for other processes' changes four times a second.
//!
//! **Why this file is long:** it is the TUI's one translation of `Request` into core calls, an
//! arm per request; each arm is a line or a few.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use coffer_core::api::*;
use coffer_core::background::{BackgroundStatus, Job, Ran, Runner};
use coffer_core::running::Running;
use coffer_core::vault::iam::CreateEntity;
use coffer_core::vault::policies::PutResourcePolicyRequest;
use coffer_core::vault::rotation::{
    DecideRotationRequest, PutRotationApprovalRequest, RotationHistoryRequest,
};
use coffer_core::vault::{RekeyMeter, RekeyProgress, SecretQuery, SortBy};
use coffer_core::{FrontEnd, Operation, Vault, said};

use crate::session;

use super::action::{Action, Loaded, Principal, PrincipalKind, Request};

const POLL: Duration = Duration::from_millis(250);

/// The audit query of a secret's Activity tab.
pub fn activity_query(arn: &str, before: Option<i64>) -> coffer_core::vault::AuditQuery {
    coffer_core::vault::AuditQuery {
        secret_id: Some(arn.to_string()),
        before_sequence: before,
        limit: 200,
        ..coffer_core::vault::AuditQuery::default()
    }
}

/// Starts the worker; requests go in, results come back as actions.
pub fn spawn(path: PathBuf, out: Sender<Action>) -> Sender<Request> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("coffer-worker".into())
        .spawn(move || run(&path, &rx, &out))
        .expect("spawn the worker thread");
    tx
}

fn same_kind(a: &Request, b: &Request) -> bool {
    use Request::*;
    matches!(
        (a, b),
        (Secrets { .. }, Secrets { .. })
            | (Groups { .. }, Groups { .. })
            | (Detail { .. }, Detail { .. })
            | (Activity { .. }, Activity { .. })
            | (Audit { .. }, Audit { .. })
            | (Deletions { .. }, Deletions { .. })
            | (Policy { .. }, Policy { .. })
            | (Access { .. }, Access { .. })
            | (Principals { .. }, Principals { .. })
            | (PrincipalDetails { .. }, PrincipalDetails { .. })
            | (RotationHistory { .. }, RotationHistory { .. })
            | (RotationSettings { .. }, RotationSettings { .. })
            | (Pending { .. }, Pending { .. })
            | (Health { .. }, Health { .. })
            | (RunDue, RunDue)
    )
}

/// Drops queries that a later query of the same kind supersedes (typing a filter quickly
/// asks for many lists; only the last one matters).
pub fn coalesce(batch: Vec<Request>) -> Vec<Request> {
    let mut out: Vec<Request> = Vec::with_capacity(batch.len());
    for r in batch {
        out.retain(|o| !same_kind(o, &r));
        out.push(r);
    }
    out
}

/// What a pass of the core's background runner tells the console: the rotations that
/// moved (for the status line) and every job's state (for the Approvals screen).
pub fn reported(ran: &[Ran], status: &BackgroundStatus) -> Vec<Loaded> {
    let attempts: Vec<_> = ran
        .iter()
        .filter_map(|r| match r {
            Ran::Rotations(a) => Some(a.iter().cloned()),
            _ => None,
        })
        .flatten()
        .collect();
    let mut out = vec![Loaded::Background(status.clone())];
    if !attempts.is_empty() {
        out.push(Loaded::RotationsRan(attempts));
    }
    out
}

/// The core's background runner on `vault`, reporting each pass to the console.
fn start_background(vault: &Arc<Vault>, out: &Sender<Action>) -> Runner {
    let out = out.clone();
    Runner::start(
        Arc::clone(vault),
        Box::new(move |ran, status| {
            for l in reported(ran, status) {
                let _ = out.send(Action::loaded(l));
            }
        }),
    )
}

/// How often the worker looks for the vault's session agent and endpoints coming and going.
const LOOK_AROUND: Duration = Duration::from_secs(1);

fn run(path: &Path, rx: &Receiver<Request>, out: &Sender<Action>) {
    let mut vault: Option<Arc<Vault>> = None;
    // Opened through the user's session agent: requests run there, no key here.
    let mut attached = false;
    let mut revision: Option<i64> = None;
    let mut last_sync = Instant::now();
    let mut last_look: Option<Instant> = None;
    let mut seen: Option<Vec<Running>> = None;
    let mut background: Option<Runner> = None;
    loop {
        let mut batch = vec![];
        match rx.recv_timeout(POLL) {
            Ok(r) => batch.push(r),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        batch.extend(rx.try_iter());
        for req in coalesce(batch) {
            let reply = match req {
                Request::Inspect => Some(Loaded::Inspected(Vault::inspect(path))),
                Request::Lock => {
                    background = None;
                    vault = None;
                    attached = false;
                    None
                }
                Request::Unlock {
                    operator,
                    passphrase,
                } => match Vault::open(path, operator.as_deref(), &passphrase) {
                    Ok(v) => {
                        let info = v.info().clone();
                        background = None;
                        attached = false;
                        vault = Some(Arc::new(v));
                        Some(Loaded::Unlocked(Ok(info)))
                    }
                    Err(e) => Some(Loaded::Unlocked(Err(e))),
                },
                Request::Attach { operator } => match session::attach(path, operator.as_deref()) {
                    Ok(info) => {
                        background = None;
                        vault = None;
                        attached = true;
                        revision = None;
                        Some(Loaded::Attached(Ok(info)))
                    }
                    Err(e) => Some(Loaded::Attached(Err(e))),
                },
                r if attached => match through_session(path, r, out) {
                    Ok(reply) => reply,
                    Err(ended) => {
                        attached = false;
                        Some(*ended)
                    }
                },
                Request::Verify => {
                    if let Some(v) = vault.clone() {
                        let out = out.clone();
                        std::thread::spawn(move || {
                            let _ = out.send(Action::loaded(execute(&v, Request::Verify)));
                        });
                    }
                    None
                }
                // The report judges values it has not judged before: a thread of its own,
                // so the lists and acts behind it do not wait.
                req @ Request::Health { .. } => {
                    if let Some(v) = vault.clone() {
                        let out = out.clone();
                        std::thread::spawn(move || {
                            let _ = out.send(Action::loaded(execute(&v, req)));
                        });
                    }
                    None
                }
                Request::RunDue => {
                    match (&background, &vault) {
                        (Some(r), _) => r.kick(Job::Rotations),
                        (None, Some(v)) => background = Some(start_background(v, out)),
                        (None, None) => {}
                    }
                    None
                }
                r @ (Request::RemoveOperator { .. } | Request::ChangePassphrase { .. }) => {
                    vault.as_deref().map(|v| rekeying(v, r, out))
                }
                other => vault.as_deref().map(|v| execute(v, other)),
            };
            if let Some(r) = reply
                && out.send(Action::loaded(r)).is_err()
            {
                return;
            }
        }
        if last_sync.elapsed() >= POLL {
            last_sync = Instant::now();
            let changed = if attached {
                match session::revision(path) {
                    Ok(now) => {
                        let changed = revision.is_some_and(|r| r != now);
                        revision = Some(now);
                        Ok(changed)
                    }
                    Err(e) => Err(e),
                }
            } else {
                Ok(vault
                    .as_ref()
                    .is_some_and(|v| matches!(v.catch_up(), Ok(true))))
            };
            let news = match changed {
                Ok(true) => Some(Loaded::Changed),
                Ok(false) => None,
                Err(e) => {
                    attached = false;
                    Some(session_ended(&e))
                }
            };
            if let Some(n) = news
                && out.send(Action::loaded(n)).is_err()
            {
                return;
            }
        }
        if last_look.is_none_or(|t| t.elapsed() >= LOOK_AROUND) {
            last_look = Some(Instant::now());
            let now = coffer_core::running::running(path);
            if seen.as_ref() != Some(&now) {
                seen = Some(now.clone());
                if out.send(Action::loaded(Loaded::Running(now))).is_err() {
                    return;
                }
            }
        }
    }
}

/// What the console shows when the session it runs through has ended (locked, timed out,
/// the vault file replaced).
fn session_ended(e: &anyhow::Error) -> Loaded {
    Loaded::SessionEnded(format!(
        "The session ended ({e:#}); unlock with the passphrase, or run coffer unlock."
    ))
}

/// Runs a request in the user's session agent. `Err`: the session is gone (what to tell the
/// console, boxed: it is rare and large).
fn through_session(
    path: &Path,
    req: Request,
    out: &Sender<Action>,
) -> Result<Option<Loaded>, Box<Loaded>> {
    let op = req.operation();
    match req {
        // A passphrase is typed for these and never sent to the session agent.
        Request::AddOperator { .. } | Request::ChangePassphrase { .. } => {
            Ok(Some(Loaded::Failed {
                operation: op,
                error: coffer_core::Error::invalid_request(
                    "Opened through the session: adding an operator or changing a passphrase needs \
                 the console unlocked with your passphrase (lock with Ctrl-L, then unlock).",
                ),
            }))
        }
        Request::Verify => {
            let path = path.to_path_buf();
            let out = out.clone();
            std::thread::spawn(move || {
                let reply = session::console(&path, Request::Verify, &mut |_| {})
                    .unwrap_or_else(|e| session_ended(&e));
                let _ = out.send(Action::loaded(reply));
            });
            Ok(None)
        }
        Request::RunDue => session::console(path, Request::RunDue, &mut |_| {})
            .map(|_| None)
            .map_err(|e| Box::new(session_ended(&e))),
        // Removing an operator re-keys the vault in the agent: its progress comes back as
        // the agent makes it, as it would from this process.
        other => session::console(path, other, &mut |status| {
            let _ = out.send(Action::loaded(Loaded::Rekeying(status)));
        })
        .map(Some)
        .map_err(|e| Box::new(session_ended(&e))),
    }
}

/// Runs a request that re-keys the vault, sending its progress as it goes.
fn rekeying(vault: &Vault, req: Request, out: &Sender<Action>) -> Loaded {
    let mut meter = RekeyMeter::default();
    let mut report = |phase, done, total| {
        if let Some(status) = meter.step(phase, done, total) {
            let _ = out.send(Action::loaded(Loaded::Rekeying(status)));
        }
    };
    execute_reporting(vault, req, FrontEnd::Tui, &mut report)
}

/// Runs one request against the vault (views and acts; unlocking is the loop's).
pub fn execute(vault: &Vault, req: Request) -> Loaded {
    execute_as(vault, req, FrontEnd::Tui)
}

/// Runs one request as it came through `front_end` (the session agent runs a console's
/// requests as `session`).
pub fn execute_as(vault: &Vault, req: Request, front_end: FrontEnd) -> Loaded {
    execute_reporting(vault, req, front_end, &mut |_, _, _| {})
}

/// Runs one request as it came through `front_end`, telling `progress` how a re-key it
/// makes goes.
pub fn execute_reporting(
    vault: &Vault,
    req: Request,
    front_end: FrontEnd,
    progress: RekeyProgress<'_>,
) -> Loaded {
    let c = vault.caller(front_end);
    let op = req.operation();
    let failed = |error| Loaded::Failed {
        operation: op,
        error,
    };
    match req {
        Request::Secrets { seq, query, ranges } => {
            let mut rows = vec![];
            let mut total = 0;
            for (offset, limit) in ranges {
                let q = SecretQuery {
                    offset,
                    limit,
                    ..query.clone()
                };
                match vault.query_secrets(&c, &q) {
                    Ok(p) => {
                        total = p.total;
                        rows.extend(p.rows.into_iter().enumerate().map(|(i, r)| (offset + i, r)));
                    }
                    Err(e) => return failed(e),
                }
            }
            Loaded::Secrets { seq, total, rows }
        }
        Request::Groups { seq, query } => match vault.query_prefix_runs(&c, &query) {
            Ok(runs) => Loaded::Groups { seq, runs },
            Err(e) => failed(e),
        },
        Request::Detail { seq, arn } => Loaded::Detail {
            seq,
            detail: vault.secret_view(&c, &arn).map(Box::new),
        },
        Request::Policy { seq, arn } => Loaded::Policy {
            seq,
            policy: vault.policy_view(&c, &arn),
        },
        Request::Access { seq, arn } => Loaded::Access {
            seq,
            access: vault.get_effective_access(&c, SecretIdRequest { secret_id: arn }),
        },
        Request::PutPolicy {
            arn,
            policy,
            block_public,
        } => done(
            vault.put_resource_policy(
                &c,
                PutResourcePolicyRequest {
                    secret_id: arn,
                    resource_policy: policy,
                    block_public_policy: Some(block_public),
                    policy_name: None,
                },
            ),
            op,
            |r| said::saved_resource_policy(&r.name),
        ),
        Request::DeletePolicy { arn } => done(
            vault.delete_resource_policy(&c, SecretIdRequest { secret_id: arn }),
            op,
            |r| said::deleted_resource_policy(&r.name),
        ),
        Request::Activity { seq, arn, before } => {
            match vault.query_audit(&c, &activity_query(&arn, before)) {
                Ok(page) => Loaded::Activity { seq, before, page },
                Err(e) => failed(e),
            }
        }
        Request::Audit { seq, query, kind } => match vault.query_audit(&c, &query) {
            Ok(page) => Loaded::Audit { seq, kind, page },
            Err(e) => failed(e),
        },
        Request::Deletions { seq, offset, limit } => {
            let q = SecretQuery {
                sort_by: SortBy::Deletion,
                only_deleted: true,
                offset,
                limit,
                ..SecretQuery::default()
            };
            match vault.query_secrets(&c, &q) {
                Ok(page) => Loaded::Deletions { seq, page },
                Err(e) => failed(e),
            }
        }
        Request::Reveal {
            arn,
            version_id,
            purpose,
        } => match vault.get_secret_value(
            &c,
            GetSecretValueRequest {
                secret_id: arn.clone(),
                version_id: Some(version_id),
                version_stage: None,
            },
        ) {
            Ok(r) => Loaded::Revealed {
                arn,
                version_id: r.version_id,
                purpose,
                value: r.value,
            },
            Err(e) => failed(e),
        },
        Request::Put { arn, value } => done(
            vault.put_secret_value(
                &c,
                PutSecretValueRequest {
                    secret_id: arn,
                    secret_string: Some(value),
                    ..Default::default()
                },
            ),
            op,
            |r| said::put_value(&r.name, &r.version_id),
        ),
        Request::Create {
            name,
            value,
            secret_type,
        } => done(
            vault.create_secret(
                &c,
                CreateSecretRequest {
                    name,
                    secret_string: value,
                    secret_type,
                    ..Default::default()
                },
            ),
            op,
            |r| said::created(&r.name),
        ),
        Request::Describe { arn, description } => done(
            vault.update_secret(
                &c,
                UpdateSecretRequest {
                    secret_id: arn,
                    description: Some(description),
                    ..Default::default()
                },
            ),
            op,
            |r| said::updated_description(&r.name),
        ),
        Request::SetType { arn, secret_type } => done(
            vault.update_secret(
                &c,
                UpdateSecretRequest {
                    secret_id: arn,
                    secret_type: Some(secret_type),
                    ..Default::default()
                },
            ),
            op,
            |r| said::updated_type(&r.name),
        ),
        Request::MoveLabel {
            arn,
            label,
            to,
            from,
        } => done(
            vault.update_secret_version_stage(
                &c,
                UpdateSecretVersionStageRequest {
                    secret_id: arn,
                    version_stage: label.clone(),
                    remove_from_version_id: from,
                    move_to_version_id: Some(to.clone()),
                },
            ),
            op,
            |r| said::moved_label(&label, &r.name, &to),
        ),
        Request::Delete { arn, days } => done(
            vault.delete_secret(
                &c,
                DeleteSecretRequest {
                    secret_id: arn,
                    recovery_window_in_days: Some(days),
                    force_delete_without_recovery: None,
                },
            ),
            op,
            |r| {
                format!(
                    "{} is scheduled for deletion on {} UTC.",
                    r.name,
                    super::format::minute(r.deletion_date)
                )
            },
        ),
        Request::ForceDelete { arn } => done(
            vault.delete_secret(
                &c,
                DeleteSecretRequest {
                    secret_id: arn,
                    recovery_window_in_days: None,
                    force_delete_without_recovery: Some(true),
                },
            ),
            op,
            |r| said::deleted_for_good(&r.name),
        ),
        Request::PutGenerated { arn } => {
            done(vault.put_generated_value(&c, &arn), op, String::clone)
        }
        Request::Restore { arn } => done(
            vault.restore_secret(&c, SecretIdRequest { secret_id: arn }),
            op,
            |r| said::restored(&r.name),
        ),
        Request::Tag { arn, key, value } => done(
            vault.tag_resource(
                &c,
                TagResourceRequest {
                    secret_id: arn,
                    tags: vec![coffer_core::model::Tag {
                        key: key.clone(),
                        value,
                    }],
                },
            ),
            op,
            |_| said::tagged(&key),
        ),
        Request::Untag { arn, key } => done(
            vault.untag_resource(
                &c,
                UntagResourceRequest {
                    secret_id: arn,
                    tag_keys: vec![key.clone()],
                },
            ),
            op,
            |_| format!("Removed tag {key}."),
        ),
        Request::Verify => match vault.verify_audit_trail(&c) {
            Ok(r) => Loaded::Verified(r),
            Err(e) => failed(e),
        },
        Request::Principals { seq } => Loaded::Principals {
            seq,
            principals: principals(vault, &c),
        },
        Request::PrincipalDetails { kind, name } => Loaded::PrincipalDetails {
            details: vault.principal_policies(&c, kind.entity(), &name),
            kind,
            name,
        },
        Request::IamCreate {
            kind,
            name,
            document,
        } => {
            let mut e = CreateEntity::new(kind, name);
            e.document = document;
            done(vault.iam_create(&c, e), op, |v| said::created(&v.arn))
        }
        Request::IamDelete { kind, name } => done(vault.iam_delete(&c, kind, &name), op, |_| {
            format!("Deleted the {} {name}.", kind.as_str())
        }),
        Request::PutInlinePolicy {
            kind,
            name,
            policy_name,
            document,
        } => done(
            vault.iam_put_inline_policy(&c, kind, &name, &policy_name, &document),
            op,
            |_| format!("Put the inline policy {policy_name} on {name}."),
        ),
        Request::DeleteInlinePolicy {
            kind,
            name,
            policy_name,
        } => done(
            vault.iam_delete_inline_policy(&c, kind, &name, &policy_name),
            op,
            |_| said::deleted_inline_policy(&policy_name, &name),
        ),
        Request::AttachPolicy {
            kind,
            name,
            policy_arn,
            attach,
        } => done(
            vault.iam_attach_policy(&c, kind, &name, &policy_arn, attach),
            op,
            |_| said::attached(&policy_arn, &name, attach),
        ),
        Request::GroupMember { group, user, add } => done(
            vault.iam_add_user_to_group(&c, &group, &user, add),
            op,
            |_| {
                if add {
                    format!("Added {user} to the group {group}.")
                } else {
                    format!("Removed {user} from the group {group}.")
                }
            },
        ),
        Request::CreateAccessKey { kind, name } => {
            match vault.iam_create_access_key(&c, kind, &name) {
                Ok(r) => Loaded::AccessKeyCreated {
                    user_name: r.metadata.user_name,
                    access_key_id: r.metadata.access_key_id,
                    secret: r.secret_access_key,
                },
                Err(e) => failed(e),
            }
        }
        Request::UpdateAccessKey { id, active } => {
            done(vault.iam_update_access_key(&c, &id, active), op, |_| {
                said::access_key(&id, active)
            })
        }
        Request::AddOperator { name, passphrase } => {
            done(vault.add_operator(&c, &name, &passphrase, None), op, |o| {
                said::added_operator(&o.operator_name)
            })
        }
        Request::RemoveOperator { name } => done(
            vault.remove_operator_reporting(&c, &name, progress),
            op,
            |_| said::removed_operator(&name),
        ),
        Request::ChangePassphrase { old, new } => done(
            vault.change_passphrase_reporting(&c, &old, &new, None, progress),
            op,
            |_| "Changed your passphrase; the vault was re-keyed.".to_string(),
        ),
        Request::ReplicaRegions { seq } => Loaded::ReplicaRegions {
            seq,
            regions: vault.list_replica_regions(&c),
        },
        Request::Replicate {
            arn,
            region,
            kms_key_id,
        } => done(
            vault.replicate_secret_to_regions(
                &c,
                ReplicateSecretToRegionsRequest {
                    secret_id: arn,
                    add_replica_regions: vec![ReplicaRegionType {
                        region: Some(region.clone()),
                        kms_key_id,
                    }],
                    force_overwrite_replica_secret: false,
                },
            ),
            op,
            |r| {
                let st = r.replication_status.iter().find(|s| s.region == region);
                said::replicating(&region, st.map(|s| s.status.as_str()))
            },
        ),
        Request::RemoveReplica { arn, region } => done(
            vault.remove_regions_from_replication(
                &c,
                RemoveRegionsFromReplicationRequest {
                    secret_id: arn,
                    remove_replica_regions: vec![region.clone()],
                },
            ),
            op,
            |_| said::removed_replica(&region),
        ),
        Request::PromoteReplica { arn, region } => {
            done(vault.promote_replica(&c, &arn, &region), op, |_| {
                said::promoted_replica(Some(&region))
            })
        }
        Request::StopReplication { arn } => done(
            vault.stop_replication_to_replica(&c, SecretIdRequest { secret_id: arn }),
            op,
            |_| said::promoted_replica(None),
        ),
        Request::Act(act) => done(vault.perform(&c, act), op, String::clone),
        Request::AssociateCrossAccount { arn, replica_arn } => done(
            vault.associate_cross_account_replica(
                &c,
                coffer_core::api::AssociateCrossAccountReplicaRequest {
                    secret_id: arn,
                    cross_account_replica_arn: replica_arn,
                    ..Default::default()
                },
            ),
            op,
            |r| said::associated_cross_account(&r.cross_account_replica_arn, &r.replication_status),
        ),
        Request::DisassociateCrossAccount { arn, replica_arn } => done(
            vault.disassociate_cross_account_replica(
                &c,
                coffer_core::api::DisassociateCrossAccountReplicaRequest {
                    secret_id: arn,
                    cross_account_replica_arn: replica_arn,
                },
            ),
            op,
            |r| said::disassociated_cross_account(&r.cross_account_replica_arn),
        ),
        Request::RotationHistory { seq, arn } => Loaded::RotationHistory {
            seq,
            history: vault
                .rotation_history(
                    &c,
                    &RotationHistoryRequest {
                        secret_id: arn,
                        max_results: Some(100),
                        next_token: None,
                    },
                )
                .map(|r| r.attempts),
        },
        Request::RotationSettings { seq, arn } => Loaded::RotationSettings {
            seq,
            settings: vault.rotation_approval(&c, Some(&arn)),
        },
        Request::RotationFunctions { then } => match vault.list_rotation_functions(&c) {
            Ok(r) => Loaded::RotationFunctions {
                then,
                functions: r.functions,
            },
            Err(e) => failed(e),
        },
        Request::RotateNow { arn, function_arn } => done(
            vault.rotate_secret(
                &c,
                RotateSecretRequest {
                    secret_id: arn,
                    rotation_lambda_arn: function_arn,
                    rotate_immediately: Some(true),
                    ..Default::default()
                },
            ),
            op,
            |r| {
                let waits = vault
                    .rotation_approval(&c, Some(&r.arn))
                    .is_ok_and(|a| a.require_approval);
                said::rotation_requested(&r.name, r.version_id.as_deref(), waits)
            },
        ),
        Request::PutSchedule {
            arn,
            function_arn,
            rules,
        } => done(
            vault.rotate_secret(
                &c,
                RotateSecretRequest {
                    secret_id: arn,
                    rotation_lambda_arn: function_arn,
                    rotation_rules: Some(rules),
                    rotate_immediately: Some(false),
                    ..Default::default()
                },
            ),
            op,
            |r| said::saved_rotation_schedule(&r.name),
        ),
        Request::CancelRotation { arn } => done(
            vault.cancel_rotate_secret(&c, SecretIdRequest { secret_id: arn }),
            op,
            |r| said::rotation_off(&r.name, r.version_id.as_deref()),
        ),
        Request::RetryRotation { arn } => done(
            vault.retry_rotation(&c, SecretIdRequest { secret_id: arn }),
            op,
            |a| {
                format!(
                    "The failed rotation of {} will be tried again now.",
                    a.secret_name
                )
            },
        ),
        Request::PutApproval {
            arn,
            require_approval,
            two_person_rule,
        } => done(
            vault.put_rotation_approval(
                &c,
                PutRotationApprovalRequest {
                    secret_id: Some(arn),
                    require_approval,
                    two_person_rule,
                },
            ),
            op,
            |s| s.sentence(),
        ),
        Request::Pending { seq } => match vault.list_pending_rotations(&c) {
            Ok(r) => Loaded::Pending {
                seq,
                attempts: r.attempts,
            },
            Err(e) => failed(e),
        },
        Request::Approve { arn } => done(
            vault.approve_rotation(
                &c,
                DecideRotationRequest {
                    secret_id: arn,
                    reason: None,
                },
            ),
            op,
            |a| said::approved_rotation(&a.secret_name),
        ),
        Request::Reject { arn, reason } => done(
            vault.reject_rotation(
                &c,
                DecideRotationRequest {
                    secret_id: arn,
                    reason: Some(reason),
                },
            ),
            op,
            |a| said::rejected_rotation(&a.secret_name),
        ),
        Request::ApplyLeastPrivilege {
            principal_arn,
            proposed,
        } => done(
            vault.apply_least_privilege_policy(
                &c,
                &principal_arn,
                &proposed,
                &coffer_core::health::Thresholds::default(),
            ),
            op,
            |a| said::least_privilege_applied(&a.principal_arn, &a.policy_name),
        ),
        Request::Health { seq } => Loaded::Health {
            seq,
            report: vault.health_report(&c, &coffer_core::health::Thresholds::default()),
        },
        Request::Inspect
        | Request::Unlock { .. }
        | Request::Attach { .. }
        | Request::Lock
        | Request::RunDue => failed(coffer_core::Error::invalid_request(
            "the worker loop handles unlocking and rotations",
        )),
    }
}

/// The stored resource policy and, when there is one, its validation findings.
/// Every principal (each list is an audited request, so this runs when the screen opens,
/// on reload and after an act — not on a live refresh).
fn principals(vault: &Vault, c: &coffer_core::Caller) -> coffer_core::Result<Vec<Principal>> {
    let rows = vault.list_principals(c)?.rows();
    Ok(rows
        .into_iter()
        .map(|r| Principal {
            kind: r.kind,
            name: r.name,
            arn: r.arn,
            created: r.created_date,
            tags: r.tags,
            description: r.description,
            document: r.document,
            kdf: r.kdf,
            detailed: r.kind == PrincipalKind::Policy,
            inline: vec![],
            attached: vec![],
            keys: vec![],
        })
        .collect())
}

fn done<T>(
    r: coffer_core::Result<T>,
    operation: Operation,
    msg: impl FnOnce(&T) -> String,
) -> Loaded {
    match r {
        Ok(v) => Loaded::Done(msg(&v)),
        Err(error) => Loaded::Failed { operation, error },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::PageKind;

    #[test]
    fn later_queries_replace_earlier_ones_of_the_same_kind() {
        let q = |seq| Request::Secrets {
            seq,
            query: SecretQuery::default(),
            ranges: vec![],
        };
        let batch = vec![
            q(1),
            Request::Restore { arn: "a".into() },
            q(2),
            Request::Audit {
                seq: 3,
                query: Default::default(),
                kind: PageKind::Replace,
            },
            q(4),
        ];
        let out = coalesce(batch);
        assert_eq!(out.len(), 3);
        assert!(matches!(out[0], Request::Restore { .. }));
        assert!(matches!(out[2], Request::Secrets { seq: 4, .. }));
    }

    #[test]
    fn removing_an_operator_sends_the_re_keys_progress_before_its_result() {
        use crate::tui::testkit::{ADMIN_PASSPHRASE, vault_with_a_second_operator};
        use coffer_core::Passphrase;
        let dir = tempfile::tempdir().unwrap();
        drop(vault_with_a_second_operator(dir.path()));
        let path = dir.path().join("vault.db");
        let pass = || Passphrase::new(ADMIN_PASSPHRASE.into());
        let (out, actions) = std::sync::mpsc::channel();
        let worker = spawn(path, out);
        worker
            .send(Request::Unlock {
                operator: Some("admin".into()),
                passphrase: pass(),
            })
            .unwrap();
        worker
            .send(Request::RemoveOperator { name: "bob".into() })
            .unwrap();
        let mut lines = vec![];
        let done = loop {
            let Action::Loaded(l) = actions.recv_timeout(Duration::from_secs(60)).unwrap() else {
                continue;
            };
            match *l {
                Loaded::Rekeying(s) => lines.push(s.line()),
                Loaded::Done(msg) => break msg,
                Loaded::Failed { error, .. } => panic!("{error:?}"),
                _ => {}
            }
        };
        assert_eq!(done, "Removed the operator bob; the vault was re-keyed.");
        assert!(
            lines.contains(&"Re-keying secrets: 100% (3 of 3)".to_string()),
            "{lines:?}"
        );
        assert_eq!(
            lines.first().map(String::as_str),
            Some("Re-keying keys: 0% (0 of 1)")
        );
    }
}
