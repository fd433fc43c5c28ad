//! The vault file's format end to end: a vault made by Coffer 0.1.0 in format 3 (kept as a
//! fixture) opens in the current format with its secrets, labels, tags and audit chain; a
//! vault in a format newer than this Coffer's is refused, naming the release it needs, and
//! left as it was; the migrated vault derives its values' facts for the health report once.

use std::path::{Path, PathBuf};

use coffer_core::VAULT_FORMAT as FORMAT;
use coffer_tests::TestVault;
use rusqlite::Connection;

/// A copy of the format-3 fixture in a temporary directory (tests/fixtures/README.md).
fn fixture_copy() -> TestVault {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/vault-format-3.db");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vault.db");
    std::fs::copy(&fixture, &path).expect("copy the fixture vault");
    TestVault {
        dir,
        path,
        passphrase: "fixture passphrase: format 3".into(),
    }
}

fn format_of(path: &PathBuf) -> u32 {
    Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

fn value(v: &TestVault, stage: &str, id: &str) -> String {
    v.json(&[
        "get-secret-value",
        "--secret-id",
        id,
        "--version-stage",
        stage,
    ])["SecretString"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_format_3_vault_is_migrated_on_open_and_keeps_its_secrets_labels_tags_and_audit_chain() {
    let v = fixture_copy();
    assert_eq!(format_of(&v.path), 3);
    assert_eq!(
        value(&v, "AWSCURRENT", "app/db"),
        r#"{"user":"app","password":"second"}"#
    );
    assert_eq!(format_of(&v.path), FORMAT, "opening migrated the file");
    assert_eq!(
        value(&v, "AWSPREVIOUS", "app/db"),
        r#"{"user":"app","password":"first"}"#
    );
    assert_eq!(value(&v, "AWSCURRENT", "plain"), "hello");
    let described = v.json(&["describe-secret", "--secret-id", "app/db"]);
    assert_eq!(
        described["Tags"],
        serde_json::json!([{"Key": "env", "Value": "prod"}])
    );
    assert_eq!(
        described["Description"],
        "made by coffer 0.1.0 (vault format 3)"
    );
    let verify = v.json(&["audit", "verify"]);
    assert_eq!(verify["Intact"], true, "{verify}");
    // The migrated vault takes writes, and its chain still verifies after them.
    v.json(&[
        "put-secret-value",
        "--secret-id",
        "plain",
        "--secret-string",
        "again",
    ]);
    assert_eq!(value(&v, "AWSCURRENT", "plain"), "again");
    let verify = v.json(&["audit", "verify"]);
    assert_eq!(verify["Intact"], true, "{verify}");
}

#[test]
fn a_vault_in_a_newer_format_is_refused_naming_the_release_it_needs_and_left_as_it_was() {
    let v = fixture_copy();
    v.json(&["list-secrets"]);
    // What a later Coffer (0.4.0, say) would leave: a format past ours, naming itself.
    let c = Connection::open(&v.path).unwrap();
    c.pragma_update(None, "user_version", FORMAT + 1).unwrap();
    c.execute(
        "UPDATE vault_meta SET value = CAST('0.4.0' AS BLOB) WHERE key = 'reader'",
        [],
    )
    .unwrap();
    drop(c);
    let before = std::fs::read(&v.path).unwrap();
    let out = v.run(&["list-secrets"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let newer = FORMAT + 1;
    assert!(
        err.contains("(InvalidRequestException)")
            && err.contains(&format!(
                "is in format {newer}, which needs Coffer 0.4.0 or later; this Coffer ({}) opens vault formats up to {FORMAT}.",
                env!("CARGO_PKG_VERSION")
            )),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&v.path).unwrap(),
        before,
        "the file is untouched"
    );
}

#[test]
fn a_format_3_vault_derives_its_values_facts_once_on_its_first_unlock() {
    let v = fixture_copy();
    let weak = |report: &serde_json::Value| -> Vec<String> {
        let mut names: Vec<String> = report["Findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["Kind"] == "weak-value")
            .map(|f| f["Subject"]["Name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    // Both values of the fixture are guessable ("second" in app/db's password, "hello").
    let first = v.json(&["report", "--output", "json"]);
    assert_eq!(weak(&first), ["app/db", "plain"], "{first}");
    let second = v.json(&["report", "--output", "json"]);
    assert_eq!(weak(&second), weak(&first));
    let derived: i64 = Connection::open(&v.path)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM audit WHERE event_name = 'GenerateHealthReport' AND front_end = 'internal'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(derived, 1, "the facts are derived by the first unlock only");
}
