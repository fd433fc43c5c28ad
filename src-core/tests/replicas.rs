//! Replica regions with two real vault files: propagation, an unreachable replica that
//! catches up, promotion, refusals, and what the replica file holds at rest.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use coffer_core::Passphrase;
use coffer_core::api::*;
use coffer_core::vault::AuditQuery;
use coffer_core::{Caller, ErrorCode, FrontEnd, SecretText, Vault};
use common::{Fixture, code, fixture};

const REPLICA_PASS: &str = "the replica's own passphrase";

fn replica_path(f: &Fixture) -> PathBuf {
    f.dir.path().join("backup/replica.db")
}

/// The fixture's vault with eu-west-1 registered at a new file.
fn with_region() -> (Fixture, PathBuf) {
    let f = fixture();
    let path = replica_path(&f);
    let view = f
        .vault
        .add_replica_region(
            &f.caller,
            "eu-west-1",
            &path,
            None,
            Passphrase::new(REPLICA_PASS.into()),
            Some((19456, 2)),
        )
        .unwrap();
    assert_eq!(view.region, "eu-west-1");
    assert!(view.reachable);
    (f, path)
}

/// The replica file unlocked by its own operator, as `coffer --vault replica.db` does.
fn open_replica(f: &Fixture, path: &Path) -> (Vault, Caller) {
    let v = Vault::open_with_clock(
        path,
        None,
        &Passphrase::new(REPLICA_PASS.into()),
        Arc::new(f.clock.clone()),
    )
    .unwrap();
    let c = v.caller(FrontEnd::Cli);
    (v, c)
}

fn get(v: &Vault, c: &Caller, id: &str) -> coffer_core::Result<String> {
    let r = v.get_secret_value(
        c,
        GetSecretValueRequest {
            secret_id: id.into(),
            ..Default::default()
        },
    )?;
    match r.value {
        coffer_core::SecretValue::String(s) => Ok(s.expose().to_string()),
        coffer_core::SecretValue::Binary(_) => panic!("a string secret"),
    }
}

fn describe(v: &Vault, c: &Caller, id: &str) -> DescribeSecretResponse {
    v.describe_secret(
        c,
        SecretIdRequest {
            secret_id: id.into(),
        },
    )
    .unwrap()
}

fn replicate(f: &Fixture, id: &str, region: &str, force: bool) -> ReplicationResponse {
    f.vault
        .replicate_secret_to_regions(
            &f.caller,
            ReplicateSecretToRegionsRequest {
                secret_id: id.into(),
                add_replica_regions: vec![ReplicaRegionType {
                    region: Some(region.into()),
                    kms_key_id: None,
                }],
                force_overwrite_replica_secret: force,
            },
        )
        .unwrap()
}

fn status(f: &Fixture, id: &str) -> (String, Option<String>) {
    let d = describe(&f.vault, &f.caller, id);
    let r = &d.replication_status[0];
    (r.status.clone(), r.status_message.clone())
}

fn events(v: &Vault, c: &Caller, name: &str) -> usize {
    v.query_audit(
        c,
        &AuditQuery {
            event_names: vec![name.into()],
            ..Default::default()
        },
    )
    .unwrap()
    .events
    .len()
}

/// moto 5.2.5 test_filter_with_primary_region: `primary-region` matches the PrimaryRegion
/// that DescribeSecret shows, and a secret never replicated shows none, so it is not
/// matched. moto 5.2.5 test_replicate_secret__in_same_region: replicating to the secret's
/// own region is an InvalidParameterException, "Invalid replica region.".
#[test]
fn the_primary_region_filter_skips_secrets_never_replicated_and_the_own_region_is_refused() {
    let (f, _path) = with_region();
    f.create("prod/db", Some("v1"));
    f.create("local/only", Some("v1"));
    replicate(&f, "prod/db", "eu-west-1", false);
    let names = |value: &str| -> Vec<String> {
        f.vault
            .list_secrets(
                &f.caller,
                ListSecretsRequest {
                    filters: vec![Filter {
                        key: "primary-region".into(),
                        values: vec![value.into()],
                    }],
                    ..Default::default()
                },
            )
            .unwrap()
            .secret_list
            .into_iter()
            .map(|s| s.name)
            .collect()
    };
    assert_eq!(names("us-east-1"), ["prod/db"]);
    assert!(names("eu-west-1").is_empty());
    assert!(
        describe(&f.vault, &f.caller, "local/only")
            .primary_region
            .is_none()
    );
    let e = f
        .vault
        .replicate_secret_to_regions(
            &f.caller,
            ReplicateSecretToRegionsRequest {
                secret_id: "local/only".into(),
                add_replica_regions: vec![ReplicaRegionType {
                    region: Some("us-east-1".into()),
                    kms_key_id: None,
                }],
                force_overwrite_replica_secret: false,
            },
        )
        .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::InvalidParameter, "Invalid replica region.")
    );
}

#[test]
fn writes_to_a_replicated_secret_reach_the_replica_with_the_primary_arn_in_its_region() {
    let (f, path) = with_region();
    let created = f.create("prod/db", Some("v1"));
    f.vault
        .tag_resource(
            &f.caller,
            TagResourceRequest {
                secret_id: "prod/db".into(),
                tags: vec![coffer_core::model::Tag {
                    key: "team".into(),
                    value: "data".into(),
                }],
            },
        )
        .unwrap();
    let resp = replicate(&f, "prod/db", "eu-west-1", false);
    assert_eq!(resp.replication_status[0].region, "eu-west-1");
    // The answer follows the synchronous push: moto 5.2.5,
    // test_secrets_duplication.py::test_replicate_secret, `Status == "InSync"`.
    assert_eq!(resp.replication_status[0].status, "InSync");
    assert_eq!(
        resp.replication_status[0].status_message.as_deref(),
        Some("Replication succeeded")
    );
    assert_eq!(status(&f, "prod/db").0, "InSync");
    let put = f.put("prod/db", "v2", None);

    let (r, rc) = open_replica(&f, &path);
    let d = describe(&r, &rc, "prod/db");
    assert_eq!(
        d.arn,
        created.arn.replace(":us-east-1:", ":eu-west-1:"),
        "only the region differs"
    );
    assert_eq!(d.primary_region.as_deref(), Some("us-east-1"));
    assert_eq!(d.tag_list()[0].key, "team");
    assert_eq!(get(&r, &rc, "prod/db").unwrap(), "v2");
    assert_eq!(d.version_ids_to_stages, f.stages("prod/db"));
    assert_eq!(
        d.version_ids_to_stages[&put.version_id],
        vec!["AWSCURRENT".to_string()]
    );

    // The primary says where its replicas are, and filters by primary region.
    let p = describe(&f.vault, &f.caller, "prod/db");
    assert_eq!(p.primary_region.as_deref(), Some("us-east-1"));
    assert_eq!(p.replication_status[0].status, "InSync");
    let listed = r
        .list_secrets(
            &rc,
            ListSecretsRequest {
                filters: vec![Filter {
                    key: "primary-region".into(),
                    values: vec!["us-east-1".into()],
                }],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(listed.secret_list.len(), 1);
    assert_eq!(
        listed.secret_list[0].primary_region.as_deref(),
        Some("us-east-1")
    );

    // Both sides audit, and both chains verify.
    assert!(events(&f.vault, &f.caller, "ReplicationSucceeded") >= 2);
    assert!(events(&r, &rc, "SyncReplicaSecret") >= 2);
    assert!(f.vault.verify_audit_trail(&f.caller).unwrap().intact);
    assert!(r.verify_audit_trail(&rc).unwrap().intact);
}

#[test]
fn a_replica_refuses_writes_and_the_primary_refuses_deletion_while_replicas_exist() {
    let (f, path) = with_region();
    f.create("app/key", Some("k1"));
    replicate(&f, "app/key", "eu-west-1", false);
    let (r, rc) = open_replica(&f, &path);
    let put = r.put_secret_value(
        &rc,
        PutSecretValueRequest {
            secret_id: "app/key".into(),
            secret_string: Some(SecretText::new("mine".into())),
            ..Default::default()
        },
    );
    // moto 5.2.5, test_secrets_duplication.py::test_update_replica: InvalidParameterException,
    // "Operation not permitted on a replica secret. Call must be made in primary secret's region."
    let e = put.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidParameter);
    assert_eq!(
        e.message,
        "Operation not permitted on a replica secret. Call must be made in primary secret's region."
    );
    // The same test asks the replica for its resource policy and restores it: the same
    // refusal.
    let id = || SecretIdRequest {
        secret_id: "app/key".into(),
    };
    for e in [
        r.get_resource_policy(&rc, id()).map(drop).unwrap_err(),
        r.restore_secret(&rc, id()).map(drop).unwrap_err(),
    ] {
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                ErrorCode::InvalidParameter,
                "Operation not permitted on a replica secret. Call must be made in primary secret's region."
            )
        );
    }
    let del = r.delete_secret(
        &rc,
        DeleteSecretRequest {
            secret_id: "app/key".into(),
            ..Default::default()
        },
    );
    assert_eq!(code(del), ErrorCode::InvalidParameter);
    assert_eq!(get(&r, &rc, "app/key").unwrap(), "k1");

    let del = f.vault.delete_secret(
        &f.caller,
        DeleteSecretRequest {
            secret_id: "app/key".into(),
            ..Default::default()
        },
    );
    // moto 5.2.5, test_secrets_duplication.py::test_delete_while_duplication_exist.
    let e = del.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidParameter);
    assert!(
        e.message
            .starts_with("You can't delete secret arn:aws:secretsmanager:")
            && e.message
                .ends_with(" that still has replica regions [eu-west-1]"),
        "{}",
        e.message
    );

    // Removing the region deletes the replica there; then the primary can go.
    let resp = f
        .vault
        .remove_regions_from_replication(
            &f.caller,
            RemoveRegionsFromReplicationRequest {
                secret_id: "app/key".into(),
                remove_replica_regions: vec!["eu-west-1".into()],
            },
        )
        .unwrap();
    assert!(resp.replication_status.is_empty());
    assert_eq!(code(get(&r, &rc, "app/key")), ErrorCode::ResourceNotFound);
    // Removing it again is no error: "Removing region is idempotent - invoking it again does
    // not result in any errors" (moto 5.2.5, test_remove_regions_from_replication).
    let again = f
        .vault
        .remove_regions_from_replication(
            &f.caller,
            RemoveRegionsFromReplicationRequest {
                secret_id: "app/key".into(),
                remove_replica_regions: vec!["eu-west-1".into()],
            },
        )
        .unwrap();
    assert!(again.replication_status.is_empty());
    f.vault
        .delete_secret(
            &f.caller,
            DeleteSecretRequest {
                secret_id: "app/key".into(),
                ..Default::default()
            },
        )
        .unwrap();
}

#[test]
fn an_unreachable_replica_is_marked_failed_and_catches_up_when_back() {
    let (f, path) = with_region();
    f.create("svc/token", Some("t1"));
    replicate(&f, "svc/token", "eu-west-1", false);
    let away = path.with_file_name("unplugged.db");
    std::fs::rename(&path, &away).unwrap();

    // A region the push cannot reach is not reported `InSync` in the answer.
    f.create("svc/other", Some("o1"));
    let resp = replicate(&f, "svc/other", "eu-west-1", false);
    assert_eq!(resp.replication_status[0].status, "Failed");

    f.put("svc/token", "t2", None);
    let (st, msg) = status(&f, "svc/token");
    assert_eq!(st, "Failed");
    assert!(
        msg.unwrap().contains("queued"),
        "the status says the change waits"
    );
    let regions = f.vault.list_replica_regions(&f.caller).unwrap();
    assert!(!regions[0].reachable);
    assert_eq!(regions[0].failed, 2);
    // Retrying while it is still away changes nothing and writes no new event.
    let failed_events = events(&f.vault, &f.caller, "ReplicationFailed");
    f.vault.sync_replicas().unwrap();
    assert_eq!(
        events(&f.vault, &f.caller, "ReplicationFailed"),
        failed_events
    );

    std::fs::rename(&away, &path).unwrap();
    let report = f.vault.sync_replicas().unwrap();
    assert_eq!(report.synced, 2);
    assert_eq!(status(&f, "svc/token").0, "InSync");
    let (r, rc) = open_replica(&f, &path);
    assert_eq!(get(&r, &rc, "svc/token").unwrap(), "t2");
}

#[test]
fn a_change_queued_before_a_crash_is_pushed_by_the_next_process() {
    let (f, path) = with_region();
    f.create("q/one", Some("a"));
    replicate(&f, "q/one", "eu-west-1", false);
    let away = path.with_file_name("away.db");
    std::fs::rename(&path, &away).unwrap();
    f.put("q/one", "b", None);
    std::fs::rename(&away, &path).unwrap();
    // Another process (its own connection and memory) finds the queue in the file.
    let again = f.reopen();
    let report = again.sync_replicas().unwrap();
    assert_eq!(report.synced, 1);
    let (r, rc) = open_replica(&f, &path);
    assert_eq!(get(&r, &rc, "q/one").unwrap(), "b");
}

#[test]
fn promotion_makes_the_replica_writable_and_independent() {
    let (f, path) = with_region();
    f.create("promo/s", Some("p1"));
    replicate(&f, "promo/s", "eu-west-1", false);
    let (r, rc) = open_replica(&f, &path);
    let stop = r
        .stop_replication_to_replica(
            &rc,
            SecretIdRequest {
                secret_id: "promo/s".into(),
            },
        )
        .unwrap();
    assert!(stop.arn.contains(":eu-west-1:"));
    r.put_secret_value(
        &rc,
        PutSecretValueRequest {
            secret_id: "promo/s".into(),
            secret_string: Some(SecretText::new("local".into())),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(describe(&r, &rc, "promo/s").primary_region.is_none());

    // The primary's next write finds the replica promoted and drops the region; the
    // promoted secret keeps its own value.
    f.put("promo/s", "p2", None);
    assert!(
        describe(&f.vault, &f.caller, "promo/s")
            .replication_status
            .is_empty()
    );
    assert_eq!(get(&r, &rc, "promo/s").unwrap(), "local");
    assert_eq!(events(&f.vault, &f.caller, "ReplicaPromoted"), 1);
    // A promoted secret is not a replica any more: a second stop is refused.
    let again = r.stop_replication_to_replica(
        &rc,
        SecretIdRequest {
            secret_id: "promo/s".into(),
        },
    );
    assert_eq!(code(again), ErrorCode::InvalidRequest);
}

#[test]
fn the_primary_can_promote_a_replica_from_its_side() {
    let (f, path) = with_region();
    f.create("promo/p", Some("x"));
    replicate(&f, "promo/p", "eu-west-1", false);
    f.vault
        .promote_replica(&f.caller, "promo/p", "eu-west-1")
        .unwrap();
    assert!(
        describe(&f.vault, &f.caller, "promo/p")
            .replication_status
            .is_empty()
    );
    let (r, rc) = open_replica(&f, &path);
    assert!(describe(&r, &rc, "promo/p").primary_region.is_none());
}

#[test]
fn the_replica_file_holds_no_plaintext_and_opens_only_with_its_own_passphrase() {
    let (f, path) = with_region();
    let value = "correct-horse-battery-staple-0xC0FFEE";
    f.create("plaintext/probe-name", Some(value));
    replicate(&f, "plaintext/probe-name", "eu-west-1", false);
    drop(open_replica(&f, &path));
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    for needle in [value, "plaintext/probe-name"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} is readable in the replica file"
        );
    }
    let wrong = Vault::open(&path, None, &Passphrase::new(common::PASS.into()));
    assert_eq!(code(wrong), ErrorCode::AccessDenied);
}

#[test]
fn a_name_taken_in_the_replica_region_fails_until_overwrite_is_forced() {
    let (f, path) = with_region();
    {
        let (r, rc) = open_replica(&f, &path);
        r.create_secret(
            &rc,
            CreateSecretRequest {
                name: "shared/name".into(),
                secret_string: Some(SecretText::new("theirs".into())),
                ..Default::default()
            },
        )
        .unwrap();
    }
    f.create("shared/name", Some("ours"));
    replicate(&f, "shared/name", "eu-west-1", false);
    let (st, msg) = status(&f, "shared/name");
    assert_eq!(st, "Failed");
    assert!(msg.unwrap().contains("ForceOverwriteReplicaSecret"));
    let (r, rc) = open_replica(&f, &path);
    assert_eq!(get(&r, &rc, "shared/name").unwrap(), "theirs");

    f.vault
        .remove_regions_from_replication(
            &f.caller,
            RemoveRegionsFromReplicationRequest {
                secret_id: "shared/name".into(),
                remove_replica_regions: vec!["eu-west-1".into()],
            },
        )
        .unwrap();
    // The standalone secret there was not the replica: removal leaves it alone.
    assert_eq!(get(&r, &rc, "shared/name").unwrap(), "theirs");
    replicate(&f, "shared/name", "eu-west-1", true);
    assert_eq!(status(&f, "shared/name").0, "InSync");
    assert_eq!(get(&r, &rc, "shared/name").unwrap(), "ours");
}

#[test]
fn a_replica_is_sealed_under_the_kms_key_named_for_its_region() {
    let (f, path) = with_region();
    {
        let (r, rc) = open_replica(&f, &path);
        r.create_key(
            &rc,
            CreateKeyRequest {
                description: Some("replica key".into()),
                ..Default::default()
            },
        )
        .and_then(|k| {
            r.create_alias(
                &rc,
                CreateAliasRequest {
                    alias_name: "alias/replica".into(),
                    target_key_id: k.key_metadata.key_id,
                },
            )
        })
        .unwrap();
    }
    f.create("kms/s", Some("sealed"));
    f.vault
        .replicate_secret_to_regions(
            &f.caller,
            ReplicateSecretToRegionsRequest {
                secret_id: "kms/s".into(),
                add_replica_regions: vec![ReplicaRegionType {
                    region: Some("eu-west-1".into()),
                    kms_key_id: Some("alias/replica".into()),
                }],
                force_overwrite_replica_secret: false,
            },
        )
        .unwrap();
    let p = describe(&f.vault, &f.caller, "kms/s");
    assert_eq!(
        p.replication_status[0].kms_key_id.as_deref(),
        Some("alias/replica")
    );
    let (r, rc) = open_replica(&f, &path);
    assert_eq!(
        describe(&r, &rc, "kms/s").kms_key_id.as_deref(),
        Some("alias/replica")
    );
    assert_eq!(get(&r, &rc, "kms/s").unwrap(), "sealed");

    // A key the replica region does not have fails there, with the reason.
    f.create("kms/t", Some("x"));
    f.vault
        .replicate_secret_to_regions(
            &f.caller,
            ReplicateSecretToRegionsRequest {
                secret_id: "kms/t".into(),
                add_replica_regions: vec![ReplicaRegionType {
                    region: Some("eu-west-1".into()),
                    kms_key_id: Some("alias/nowhere".into()),
                }],
                force_overwrite_replica_secret: false,
            },
        )
        .unwrap();
    assert_eq!(status(&f, "kms/t").0, "Failed");
}

#[test]
fn regions_are_checked_and_a_region_in_use_cannot_be_removed() {
    let (f, _path) = with_region();
    f.create("r/s", Some("x"));
    let bad = |region: &str| {
        f.vault.replicate_secret_to_regions(
            &f.caller,
            ReplicateSecretToRegionsRequest {
                secret_id: "r/s".into(),
                add_replica_regions: vec![ReplicaRegionType {
                    region: Some(region.into()),
                    kms_key_id: None,
                }],
                force_overwrite_replica_secret: false,
            },
        )
    };
    assert_eq!(code(bad("ap-south-9")), ErrorCode::InvalidParameter);
    assert_eq!(code(bad("us-east-1")), ErrorCode::InvalidParameter);
    assert_eq!(code(bad("Not A Region")), ErrorCode::Validation);
    replicate(&f, "r/s", "eu-west-1", false);
    assert_eq!(code(bad("eu-west-1")), ErrorCode::InvalidParameter);
    assert_eq!(
        code(f.vault.remove_replica_region(&f.caller, "eu-west-1")),
        ErrorCode::InvalidRequest
    );
    // A replica vault in another account is refused at registration.
    let other = f.dir.path().join("other.db");
    drop(
        Vault::init(
            &other,
            coffer_core::InitOptions {
                account_id: Some("999999999999".into()),
                region: Some("eu-central-1".into()),
                kdf: Some((19456, 2)),
                ..coffer_core::InitOptions::new("admin", Passphrase::new("p".into()))
            },
        )
        .unwrap(),
    );
    let e = f.vault.add_replica_region(
        &f.caller,
        "eu-central-1",
        &other,
        None,
        Passphrase::new("p".into()),
        None,
    );
    assert_eq!(code(e), ErrorCode::InvalidParameter);
}
