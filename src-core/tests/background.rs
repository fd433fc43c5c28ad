//! The background schedule on a real vault file with a clock the test moves: a rotation
//! runs when it comes due, a replication push that fails is retried with a growing wait,
//! and a secret whose recovery window ends is purged without any request.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use coffer_core::Passphrase;
use coffer_core::api::*;
use coffer_core::background::{Background, Job, Ran};
use coffer_core::vault::rotation::*;
use coffer_core::{FrontEnd, Vault};
use common::*;
use jiff::SignedDuration;

fn secs(n: i64) -> SignedDuration {
    SignedDuration::from_secs(n)
}

fn rotations(ran: &[Ran]) -> Vec<RotationAttempt> {
    ran.iter()
        .filter_map(|r| match r {
            Ran::Rotations(a) => Some(a.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn a_scheduled_rotation_runs_once_it_is_due_and_not_before() {
    let f = fixture();
    let vault = Arc::new(f.reopen());
    let c = vault.caller(FrontEnd::Cli);
    let function = vault
        .create_rotation_function(
            &c,
            CreateRotationFunctionRequest {
                name: "pw".into(),
                description: None,
                kind: FunctionKind::Password {
                    json_key: None,
                    options: GetRandomPasswordRequest::default(),
                },
            },
        )
        .unwrap();
    f.create("app/db", Some("old"));
    vault
        .rotate_secret(
            &c,
            RotateSecretRequest {
                secret_id: "app/db".into(),
                rotation_lambda_arn: Some(function.arn),
                rotation_rules: Some(RotationRules {
                    automatically_after_days: Some(1),
                    ..Default::default()
                }),
                rotate_immediately: Some(false),
                ..Default::default()
            },
        )
        .unwrap();
    let mut b = Background::new(vault.now().as_millisecond());
    assert!(rotations(&b.run_due(&vault)).is_empty(), "not due yet");
    assert_eq!(f.get("app/db"), "old");

    f.clock.advance(SignedDuration::from_hours(48));
    let ran = rotations(&b.run_due(&vault));
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].status, AttemptStatus::Succeeded);
    assert_ne!(f.get("app/db"), "old");
    let status = b.status(true);
    let job = status.job(Job::Rotations).unwrap();
    assert_eq!(job.last_result.as_deref(), Some("1 ran"));
    assert_eq!(job.last_error, None);
}

#[test]
fn a_failed_replication_push_is_retried_with_a_doubling_wait_until_it_lands() {
    let f = fixture();
    let vault = Arc::new(f.reopen());
    let c = vault.caller(FrontEnd::Cli);
    let path: PathBuf = f.dir.path().join("replica.db");
    vault
        .add_replica_region(
            &c,
            "eu-west-1",
            &path,
            None,
            Passphrase::new("the replica's passphrase".into()),
            Some((19456, 2)),
        )
        .unwrap();
    f.create("svc/token", Some("t1"));
    vault
        .replicate_secret_to_regions(
            &c,
            ReplicateSecretToRegionsRequest {
                secret_id: "svc/token".into(),
                add_replica_regions: vec![ReplicaRegionType {
                    region: Some("eu-west-1".into()),
                    kms_key_id: None,
                }],
                force_overwrite_replica_secret: false,
            },
        )
        .unwrap();
    let away = path.with_file_name("unplugged.db");
    std::fs::rename(&path, &away).unwrap();
    f.put("svc/token", "t2", None);

    let mut b = Background::new(vault.now().as_millisecond());
    let start = vault.now().as_second() as f64;
    b.run_due(&vault);
    let failed = b.status(true).job(Job::Replication).unwrap().clone();
    assert_eq!(failed.failures, 1);
    assert!(failed.last_error.unwrap().contains("1 of 1 pushes failed"));
    assert_eq!(failed.next_run_date, start + 20.0, "twice the 10 s period");

    f.clock.advance(secs(10));
    assert!(
        !b.run_due(&vault)
            .iter()
            .any(|r| matches!(r, Ran::Replication(_))),
        "the wait has doubled: no retry at the plain period"
    );
    f.clock.advance(secs(10));
    b.run_due(&vault);
    let again = b.status(true).job(Job::Replication).unwrap().clone();
    assert_eq!(again.failures, 2);
    assert_eq!(again.next_run_date, start + 20.0 + 40.0);

    std::fs::rename(&away, &path).unwrap();
    f.clock.advance(secs(40));
    let ran = b.run_due(&vault);
    assert!(
        ran.iter()
            .any(|r| matches!(r, Ran::Replication(s) if s.synced == 1))
    );
    let landed = b.status(true).job(Job::Replication).unwrap().clone();
    assert_eq!((landed.failures, landed.last_error), (0, None));
    assert_eq!(
        landed.next_run_date,
        start + 70.0,
        "back to the plain period"
    );
    let replica = Vault::open_with_clock(
        &path,
        None,
        &Passphrase::new("the replica's passphrase".into()),
        Arc::new(f.clock.clone()),
    )
    .unwrap();
    let rc = replica.caller(FrontEnd::Cli);
    let got = replica
        .get_secret_value(
            &rc,
            GetSecretValueRequest {
                secret_id: "svc/token".into(),
                version_id: None,
                version_stage: None,
            },
        )
        .unwrap();
    match got.value {
        coffer_core::SecretValue::String(s) => assert_eq!(s.expose(), "t2"),
        coffer_core::SecretValue::Binary(_) => panic!("a string was put"),
    }
}

#[test]
fn a_secret_whose_recovery_window_ends_is_purged_without_any_request() {
    let f = fixture();
    let vault = Arc::new(f.reopen());
    let c = vault.caller(FrontEnd::Cli);
    f.create("old/thing", Some("v"));
    vault
        .delete_secret(
            &c,
            DeleteSecretRequest {
                secret_id: "old/thing".into(),
                recovery_window_in_days: Some(7),
                ..Default::default()
            },
        )
        .unwrap();
    let mut b = Background::new(vault.now().as_millisecond());
    let ran = b.run_due(&vault);
    assert!(ran.iter().any(|r| matches!(r, Ran::Purged(0))));

    f.clock.advance(SignedDuration::from_hours(7 * 24 + 1));
    let ran = b.run_due(&vault);
    assert!(ran.iter().any(|r| matches!(r, Ran::Purged(1))), "{ran:?}");
    let status = b.status(true);
    assert_eq!(
        status.job(Job::Purges).unwrap().last_result.as_deref(),
        Some("1 purged")
    );
    // Another handle on the file sees it gone, and the audit says the service ended it.
    let other = f.reopen();
    let listed = other
        .list_secrets(
            &other.caller(FrontEnd::Cli),
            ListSecretsRequest {
                include_planned_deletion: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(listed.secret_list.is_empty());
    let page = other
        .query_audit(
            &other.caller(FrontEnd::Cli),
            &coffer_core::vault::AuditQuery {
                event_names: vec!["EndSecretDeletion".into()],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.events.len(), 1);
}
