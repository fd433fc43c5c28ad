//! Replica regions driven with the `coffer` command as an operator would: a second vault
//! file registered as eu-west-1, writes that reach it, an unplugged replica that catches up,
//! refusals on both sides, and promotion.

use std::path::PathBuf;

use coffer_tests::{TEST_KDF, TestVault};
use serde_json::Value;

const REPLICA_PASS: &str = "replica drive passphrase";

/// The primary, and the replica file registered as eu-west-1 (created by `add`).
fn setup() -> (TestVault, TestVault) {
    register(
        "drive/replica.db",
        &["replica-region", "add", "--region", "eu-west-1", "--vault"],
        ("Region", "eu-west-1"),
    )
}

/// A new primary, and the vault file at `file` (under its directory) registered by `add`
/// (which ends with the flag naming the file); `shown` is a field the registration answers.
fn register(file: &str, add: &[&str], shown: (&str, &str)) -> (TestVault, TestVault) {
    let primary = TestVault::init();
    let path = primary.dir.path().join(file);
    let mut cmd = primary.cmd();
    cmd.args(add)
        .arg(&path)
        .args(TEST_KDF)
        .env("COFFER_REPLICA_PASSPHRASE", REPLICA_PASS);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        add.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    let view: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view[shown.0], shown.1);
    assert_eq!(view["Reachable"], true);
    let other = TestVault {
        dir: tempfile::tempdir().unwrap(),
        path,
        passphrase: REPLICA_PASS.into(),
    };
    (primary, other)
}

fn value(v: &TestVault, id: &str) -> String {
    v.json(&["get-secret-value", "--secret-id", id])["SecretString"]
        .as_str()
        .unwrap()
        .to_string()
}

fn replication(v: &TestVault, id: &str) -> Vec<Value> {
    v.json(&["describe-secret", "--secret-id", id])["ReplicationStatus"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn cli_replicates_to_a_second_vault_file_which_reads_with_its_own_passphrase() {
    let (primary, replica) = setup();
    let created = primary.json(&[
        "create-secret",
        "--name",
        "prod/api",
        "--secret-string",
        "first",
    ]);
    let resp = primary.json(&[
        "replicate-secret-to-regions",
        "--secret-id",
        "prod/api",
        "--add-replica-regions",
        "Region=eu-west-1",
    ]);
    assert_eq!(resp["ReplicationStatus"][0]["Region"], "eu-west-1");
    primary.json(&[
        "put-secret-value",
        "--secret-id",
        "prod/api",
        "--secret-string",
        "second",
    ]);
    assert_eq!(replication(&primary, "prod/api")[0]["Status"], "InSync");

    assert_eq!(value(&replica, "prod/api"), "second");
    let d = replica.json(&["describe-secret", "--secret-id", "prod/api"]);
    assert_eq!(
        d["ARN"].as_str().unwrap(),
        created["ARN"]
            .as_str()
            .unwrap()
            .replace(":us-east-1:", ":eu-west-1:")
    );
    assert_eq!(d["PrimaryRegion"], "us-east-1");
    // The primary's passphrase does not open the replica.
    let mut wrong = replica.cmd();
    wrong.env("COFFER_PASSPHRASE", &primary.passphrase);
    let out = wrong
        .args(["get-secret-value", "--secret-id", "prod/api"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("AccessDenied"));

    // Writes to the replica and deleting the primary are refused.
    let (_, code) = replica.fails(&[
        "put-secret-value",
        "--secret-id",
        "prod/api",
        "--secret-string",
        "mine",
    ]);
    assert_eq!(code, "InvalidParameterException");
    let (_, code) = primary.fails(&["delete-secret", "--secret-id", "prod/api"]);
    assert_eq!(code, "InvalidParameterException");

    // Both audit trails hold their side and verify.
    let primary_events = primary.json(&["audit", "list", "--event-name", "ReplicationSucceeded"]);
    assert!(!primary_events["Events"].as_array().unwrap().is_empty());
    let replica_events = replica.json(&["audit", "list", "--event-name", "SyncReplicaSecret"]);
    assert!(!replica_events["Events"].as_array().unwrap().is_empty());
    assert_eq!(replica.json(&["audit", "verify"])["Intact"], true);
}

#[test]
fn cli_an_unplugged_replica_is_failed_then_catches_up_with_replica_region_sync() {
    let (primary, replica) = setup();
    primary.json(&["create-secret", "--name", "db/pw", "--secret-string", "a"]);
    primary.json(&[
        "replicate-secret-to-regions",
        "--secret-id",
        "db/pw",
        "--add-replica-regions",
        "eu-west-1",
    ]);
    let away: PathBuf = replica.path.with_file_name("elsewhere.db");
    std::fs::rename(&replica.path, &away).unwrap();
    primary.json(&[
        "put-secret-value",
        "--secret-id",
        "db/pw",
        "--secret-string",
        "b",
    ]);
    let st = &replication(&primary, "db/pw")[0];
    assert_eq!(st["Status"], "Failed");
    assert!(st["StatusMessage"].as_str().unwrap().contains("queued"));
    let list = primary.json(&["replica-region", "list"]);
    assert_eq!(list["ReplicaRegions"][0]["Reachable"], false);

    std::fs::rename(&away, &replica.path).unwrap();
    let report = primary.json(&["replica-region", "sync"]);
    assert_eq!(report["Synced"], 1);
    assert_eq!(replication(&primary, "db/pw")[0]["Status"], "InSync");
    assert_eq!(value(&replica, "db/pw"), "b");
}

#[test]
fn cli_promotion_on_the_replica_makes_it_standalone_and_the_primary_lets_go() {
    let (primary, replica) = setup();
    primary.json(&["create-secret", "--name", "svc/key", "--secret-string", "k"]);
    primary.json(&[
        "replicate-secret-to-regions",
        "--secret-id",
        "svc/key",
        "--add-replica-regions",
        "eu-west-1",
    ]);
    let stop = replica.json(&["stop-replication-to-replica", "--secret-id", "svc/key"]);
    assert!(stop["ARN"].as_str().unwrap().contains(":eu-west-1:"));
    replica.json(&[
        "put-secret-value",
        "--secret-id",
        "svc/key",
        "--secret-string",
        "own",
    ]);
    // The primary learns of the promotion when it next syncs, and lets the replica go.
    let report = primary.json(&["replica-region", "sync"]);
    assert_eq!(report["Promoted"], 1);
    assert!(replication(&primary, "svc/key").is_empty());
    primary.json(&[
        "put-secret-value",
        "--secret-id",
        "svc/key",
        "--secret-string",
        "k2",
    ]);
    assert_eq!(value(&replica, "svc/key"), "own");
    primary.json(&[
        "delete-secret",
        "--secret-id",
        "svc/key",
        "--force-delete-without-recovery",
    ]);
}

/// The primary, and another account's vault file registered with `replica-account add`
/// (created by it, account 444455556666 in the primary's region).
fn setup_account() -> (TestVault, TestVault) {
    register(
        "partner/partner.db",
        &[
            "replica-account",
            "add",
            "--account-id",
            "444455556666",
            "--replica-vault",
        ],
        ("AccountId", "444455556666"),
    )
}

fn cross_primary(v: &TestVault, id: &str) -> Value {
    v.json(&["describe-secret", "--secret-id", id])["CrossAccountPrimary"].clone()
}

#[test]
fn cli_a_cross_account_replica_in_another_vault_file_follows_its_primary_until_detached() {
    let (primary, other) = setup_account();
    let arn = primary.json(&[
        "create-secret",
        "--name",
        "prod/db",
        "--secret-string",
        "first",
    ])["ARN"]
        .as_str()
        .unwrap()
        .to_string();
    // The other account makes the replica, under a key of its own.
    let key = other.json(&["kms", "create-key", "--description", "replica key"]);
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap();
    let replica = other.json(&[
        "create-secret",
        "--name",
        "mirror/db",
        "--cross-account-primary-arn",
        &arn,
        "--kms-key-id",
        key_id,
    ])["ARN"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        replica.contains(":444455556666:secret:mirror/db-"),
        "{replica}"
    );
    assert_eq!(
        cross_primary(&other, "mirror/db")["ReplicationStatus"],
        "Pending"
    );

    let linked = primary.json(&[
        "associate-cross-account-replica",
        "--secret-id",
        "prod/db",
        "--cross-account-replica-arn",
        &replica,
    ]);
    assert_eq!(linked["ReplicationStatus"], "InSync");
    assert_eq!(value(&other, "mirror/db"), "first");
    primary.json(&[
        "put-secret-value",
        "--secret-id",
        "prod/db",
        "--secret-string",
        "second",
    ]);
    assert_eq!(value(&other, "mirror/db"), "second");
    let d = primary.json(&["describe-secret", "--secret-id", "prod/db"]);
    assert_eq!(
        d["CrossAccountReplicas"][0]["ReplicaSecretARN"],
        replica.as_str()
    );
    assert_eq!(d["CrossAccountReplicas"][0]["ReplicationStatus"], "InSync");
    let accounts = primary.json(&["replica-account", "list"]);
    assert_eq!(accounts["ReplicaAccounts"][0]["InSync"], 1);

    // Neither side may do what the link forbids.
    let (code, err) = primary.fails(&["delete-secret", "--secret-id", "prod/db"]);
    assert_eq!(code, 254);
    assert!(err.contains("InvalidParameterException"), "{err}");
    let (_, err) = other.fails(&[
        "put-secret-value",
        "--secret-id",
        "mirror/db",
        "--secret-string",
        "mine",
    ]);
    assert!(err.contains("InvalidParameterException"), "{err}");
    let (_, err) = primary.fails(&["replica-account", "remove", "--account-id", "444455556666"]);
    assert!(err.contains("InvalidRequestException"), "{err}");

    primary.json(&[
        "disassociate-cross-account-replica",
        "--secret-id",
        "prod/db",
        "--cross-account-replica-arn",
        &replica,
    ]);
    assert_eq!(
        cross_primary(&other, "mirror/db")["ReplicationStatus"],
        "Detached"
    );
    primary.json(&[
        "put-secret-value",
        "--secret-id",
        "prod/db",
        "--secret-string",
        "third",
    ]);
    assert_eq!(value(&other, "mirror/db"), "second");
    other.json(&["stop-replication-to-replica", "--secret-id", "mirror/db"]);
    assert!(cross_primary(&other, "mirror/db").is_null());
    other.json(&[
        "put-secret-value",
        "--secret-id",
        "mirror/db",
        "--secret-string",
        "mine",
    ]);
    primary.json(&[
        "delete-secret",
        "--secret-id",
        "prod/db",
        "--force-delete-without-recovery",
    ]);
    primary.json(&["replica-account", "remove", "--account-id", "444455556666"]);
}

#[test]
fn cli_a_cross_account_replica_made_standalone_is_detached_at_the_primarys_next_sync() {
    let (primary, other) = setup_account();
    let arn = primary.json(&["create-secret", "--name", "svc/key", "--secret-string", "k"])["ARN"]
        .as_str()
        .unwrap()
        .to_string();
    let key = other.json(&["kms", "create-key"]);
    let replica = other.json(&[
        "create-secret",
        "--name",
        "svc/key",
        "--cross-account-primary-arn",
        &arn,
        "--kms-key-id",
        key["KeyMetadata"]["KeyId"].as_str().unwrap(),
    ])["ARN"]
        .as_str()
        .unwrap()
        .to_string();
    primary.json(&[
        "associate-cross-account-replica",
        "--secret-id",
        "svc/key",
        "--cross-account-replica-arn",
        &replica,
    ]);
    other.json(&["stop-replication-to-replica", "--secret-id", "svc/key"]);
    let report = primary.json(&["replica-region", "sync"]);
    assert_eq!(report["Promoted"], 1);
    let d = primary.json(&["describe-secret", "--secret-id", "svc/key"]);
    assert_eq!(
        d["CrossAccountReplicas"][0]["ReplicationStatus"],
        "Detached"
    );
    primary.json(&[
        "delete-secret",
        "--secret-id",
        "svc/key",
        "--force-delete-without-recovery",
    ]);
}
