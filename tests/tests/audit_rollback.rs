//! Rolling the audit trail back, as an attacker with the vault file would: with SQLite
//! directly on the file between `coffer` runs, then `coffer audit verify` (exit 1 and the
//! reason when it finds the tampering). An emptied, truncated, head-replayed or
//! row-replayed trail fails on its own; an older copy of the whole file fails against an
//! anchor kept elsewhere, or one that a replica carries.

use std::path::{Path, PathBuf};

use coffer_tests::{TEST_KDF, TestVault};
use rusqlite::Connection;
use serde_json::Value;

/// `coffer audit verify ARGS`: (exit code, report).
fn verify(v: &TestVault, args: &[&str]) -> (i32, Value) {
    let out = v
        .cmd()
        .args(["audit", "verify"])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "audit verify printed no report ({e}): {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

fn assert_broken(v: &TestVault, args: &[&str], says: &str) -> Value {
    let (code, report) = verify(v, args);
    assert_eq!(code, 1, "verify must fail: {report}");
    assert_eq!(report["Intact"], false, "{report}");
    let problem = report["Problem"].as_str().unwrap_or_default();
    assert!(problem.contains(says), "{problem:?} should say {says:?}");
    report
}

fn assert_intact(v: &TestVault) {
    let (code, report) = verify(v, &[]);
    assert_eq!(
        (code, &report["Intact"]),
        (0, &Value::Bool(true)),
        "{report}"
    );
}

fn sql(v: &TestVault) -> Connection {
    Connection::open(&v.path).unwrap()
}

fn last_seq(c: &Connection) -> i64 {
    c.query_row("SELECT max(seq) FROM audit", [], |r| r.get(0))
        .unwrap()
}

fn head(c: &Connection) -> Vec<u8> {
    c.query_row(
        "SELECT value FROM vault_meta WHERE key = 'audit_head'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

fn secret(v: &TestVault, name: &str) {
    v.json(&["create-secret", "--name", name, "--secret-string", "v"]);
}

#[test]
fn a_trail_emptied_of_every_event_fails_verify_with_or_without_its_head() {
    let v = TestVault::init();
    secret(&v, "a");
    assert_intact(&v);
    sql(&v).execute("DELETE FROM audit", []).unwrap();
    assert_broken(&v, &[], "empty");
    let c = sql(&v);
    c.execute("DELETE FROM audit", []).unwrap();
    c.execute("DELETE FROM vault_meta WHERE key = 'audit_head'", [])
        .unwrap();
    drop(c);
    assert_broken(&v, &[], "empty");
}

#[test]
fn a_trail_cut_short_under_its_head_fails_verify() {
    let v = TestVault::init();
    secret(&v, "a");
    secret(&v, "b");
    let c = sql(&v);
    let last = last_seq(&c);
    c.execute("DELETE FROM audit WHERE seq > ?1", [last - 2])
        .unwrap();
    drop(c);
    assert_broken(&v, &[], "truncated");
}

#[test]
fn an_older_head_put_back_over_deleted_newer_events_fails_verify() {
    let v = TestVault::init();
    secret(&v, "a");
    let c = sql(&v);
    let (old_head, old_last) = (head(&c), last_seq(&c));
    drop(c);
    secret(&v, "b");
    assert_intact(&v);
    // The attack: forget that "b" was created, and everything since.
    let c = sql(&v);
    c.execute("DELETE FROM audit WHERE seq > ?1", [old_last])
        .unwrap();
    c.execute(
        "UPDATE vault_meta SET value = ?1 WHERE key = 'audit_head'",
        [&old_head],
    )
    .unwrap();
    drop(c);
    let report = assert_broken(&v, &[], "do not match its audit head");
    let problem = report["Problem"].as_str().unwrap();
    assert!(problem.contains("secrets"), "names the table: {problem}");
}

#[test]
fn events_added_beyond_the_head_fail_verify() {
    let v = TestVault::init();
    secret(&v, "a");
    let c = sql(&v);
    let old_head = head(&c);
    drop(c);
    v.json(&["list-secrets"]);
    let c = sql(&v);
    c.execute(
        "UPDATE vault_meta SET value = ?1 WHERE key = 'audit_head'",
        [&old_head],
    )
    .unwrap();
    drop(c);
    assert_broken(&v, &[], "head records event");
}

#[test]
fn a_deleted_access_key_put_back_fails_verify_naming_access_keys() {
    let v = TestVault::init();
    v.json(&["iam", "create-user", "--user-name", "app"]);
    let key = v.json(&["iam", "create-access-key", "--user-name", "app"]);
    let id = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let c = sql(&v);
    let rows: Vec<(Vec<u8>, Vec<u8>)> = c
        .prepare("SELECT id_hash, doc FROM access_keys")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(c);
    assert_eq!(rows.len(), 1);
    v.json(&["iam", "delete-access-key", "--access-key-id", &id]);
    assert_intact(&v);
    let c = sql(&v);
    c.execute(
        "INSERT INTO access_keys(id_hash, doc) VALUES (?1, ?2)",
        (&rows[0].0, &rows[0].1),
    )
    .unwrap();
    drop(c);
    assert_broken(&v, &[], "access_keys");
}

#[test]
fn an_older_row_of_a_secret_and_its_versions_put_back_fails_verify() {
    let v = TestVault::init();
    secret(&v, "db");
    let c = sql(&v);
    let doc: Vec<u8> = c
        .query_row("SELECT doc FROM secrets", [], |r| r.get(0))
        .unwrap();
    drop(c);
    v.json(&[
        "put-secret-value",
        "--secret-id",
        "db",
        "--secret-string",
        "new",
    ]);
    assert_intact(&v);
    // The old document (AWSCURRENT on the old version) put back over the new one.
    sql(&v)
        .execute("UPDATE secrets SET doc = ?1", [&doc])
        .unwrap();
    assert_broken(&v, &[], "secrets");
}

/// Copies the vault file (and its WAL, if a process left one) aside.
fn copy_vault(from: &Path, to: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let (f, t) = (
            PathBuf::from(format!("{}{ext}", from.display())),
            PathBuf::from(format!("{}{ext}", to.display())),
        );
        let _ = std::fs::remove_file(&t);
        if f.exists() {
            std::fs::copy(&f, &t).unwrap();
        }
    }
}

#[test]
fn an_older_copy_of_the_whole_file_verifies_alone_but_fails_against_an_anchor() {
    let v = TestVault::init();
    secret(&v, "a");
    let old = v.dir.path().join("old.db");
    copy_vault(&v.path, &old);
    secret(&v, "b");
    let anchor_file = v.dir.path().join("anchor.json");
    let taken = v.json(&["audit", "anchor", "--out", anchor_file.to_str().unwrap()]);
    let anchor: Value = serde_json::from_slice(&std::fs::read(&anchor_file).unwrap()).unwrap();
    assert_eq!(taken["Sequence"], anchor["Sequence"]);
    let on = anchor["Time"].as_str().unwrap().to_string();
    assert_intact(&v);
    let (code, report) = verify(&v, &["--anchor", anchor_file.to_str().unwrap()]);
    assert_eq!(code, 0, "the vault holds what its anchor saw: {report}");
    assert_eq!(report["LastAnchor"]["Sequence"], anchor["Sequence"]);

    // The attack: the whole file swapped for the older copy.
    copy_vault(&old, &v.path);
    assert_intact(&v);
    let report = assert_broken(
        &v,
        &["--anchor", anchor_file.to_str().unwrap()],
        // Older, or (once the copy took new events, as the plain verify above did) different.
        &format!("what you saw on {on}"),
    );
    assert!(report["FirstBrokenSequence"].as_i64().is_some());
}

#[test]
fn an_edited_or_foreign_anchor_is_refused() {
    let v = TestVault::init();
    secret(&v, "a");
    let file = v.dir.path().join("anchor.json");
    v.json(&["audit", "anchor", "--out", file.to_str().unwrap()]);
    let mut anchor: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    anchor["Sequence"] = Value::from(anchor["Sequence"].as_i64().unwrap() - 1);
    std::fs::write(&file, anchor.to_string()).unwrap();
    assert_broken(&v, &["--anchor", file.to_str().unwrap()], "does not verify");
    let other = TestVault::init();
    let theirs = other.dir.path().join("theirs.json");
    other.json(&["audit", "anchor", "--out", theirs.to_str().unwrap()]);
    assert_broken(&v, &["--anchor", theirs.to_str().unwrap()], "another vault");
}

#[test]
fn a_replica_carries_its_primarys_anchor_and_catches_a_rolled_back_primary() {
    let primary = TestVault::init();
    let replica = primary.dir.path().join("drive/replica.db");
    let mut add = primary.cmd();
    add.args(["replica-region", "add", "--region", "eu-west-1", "--vault"])
        .arg(&replica)
        .args(TEST_KDF)
        .env("COFFER_REPLICA_PASSPHRASE", "replica drive passphrase");
    assert!(add.output().unwrap().status.success());
    secret(&primary, "a");
    let old = primary.dir.path().join("old.db");
    copy_vault(&primary.path, &old);
    primary.json(&[
        "replicate-secret-to-regions",
        "--secret-id",
        "a",
        "--add-replica-regions",
        "Region=eu-west-1",
    ]);
    assert_intact(&primary);

    // The primary rolled back to before the push: its own replica says so.
    copy_vault(&old, &primary.path);
    assert_broken(
        &primary,
        &["--anchor", replica.to_str().unwrap()],
        "this vault is older than what you saw on",
    );
    // A plain verify opens the registered replica itself and checks the anchor it carries
    // (the check above was audited, so the copy now differs rather than ends early).
    assert_broken(&primary, &[], "what you saw on");
}
