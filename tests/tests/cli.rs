//! The `coffer` command end to end, as a shell user drives it: AWS CLI flags, JSON out,
//! AWS error lines and exit codes, files, two processes on one vault.

use coffer_tests::{TestVault, coffer_bin};
use serde_json::Value;

#[test]
fn init_makes_a_private_vault_and_refuses_to_overwrite_it() {
    let v = TestVault::init();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&v.path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let out = v
        .cmd()
        .args(["init"])
        .args(coffer_tests::TEST_KDF)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}

#[test]
fn a_wrong_passphrase_is_a_clear_error_with_a_nonzero_exit_and_changes_nothing() {
    let v = TestVault::init();
    v.json(&["create-secret", "--name", "s", "--secret-string", "x"]);
    let before = std::fs::read(&v.path).unwrap();
    let out = v
        .cmd()
        .env("COFFER_PASSPHRASE", "wrong")
        .args(["get-secret-value", "--secret-id", "s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(253));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("passphrase is not correct"), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read(&v.path).unwrap(), before);
}

#[test]
fn the_aws_cli_tour_works_end_to_end() {
    let v = TestVault::init();
    let created = v.json(&[
        "create-secret",
        "--name",
        "prod/db",
        "--secret-string",
        r#"{"username":"app","password":"x"}"#,
        "--tags",
        "Key=env,Value=prod",
        "Key=team,Value=platform",
        "--description",
        "The database",
    ]);
    let v1 = created["VersionId"].as_str().unwrap().to_string();
    assert!(
        created["ARN"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-")
    );
    let out = v.run(&[
        "get-secret-value",
        "--secret-id",
        "prod/db",
        "--query",
        "SecretString",
        "--output",
        "text",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"{"username":"app","password":"x"}"#
    );
    let put = v.json(&[
        "put-secret-value",
        "--secret-id",
        "prod/db",
        "--secret-string",
        "v2",
    ]);
    let v2 = put["VersionId"].as_str().unwrap().to_string();
    let prev = v.json(&[
        "get-secret-value",
        "--secret-id",
        "prod/db",
        "--version-stage",
        "AWSPREVIOUS",
    ]);
    assert_eq!(prev["VersionId"], v1.as_str());
    assert!(
        prev["CreatedDate"].as_str().unwrap().ends_with("+00:00"),
        "dates as the AWS CLI prints them"
    );
    v.json(&[
        "update-secret-version-stage",
        "--secret-id",
        "prod/db",
        "--version-stage",
        "AWSCURRENT",
        "--move-to-version-id",
        &v1,
        "--remove-from-version-id",
        &v2,
    ]);
    let cur = v.json(&["get-secret-value", "--secret-id", "prod/db"]);
    assert_eq!(cur["VersionId"], v1.as_str());
    let listed = v.json(&["list-secrets", "--filters", "Key=name,Values=prod/"]);
    assert_eq!(listed["SecretList"].as_array().unwrap().len(), 1);
    let d = v.json(&["describe-secret", "--secret-id", "prod/db"]);
    assert_eq!(d["Tags"].as_array().unwrap().len(), 2);
    assert_eq!(d["Description"], "The database");
    v.json(&[
        "tag-resource",
        "--secret-id",
        "prod/db",
        "--tags",
        "Key=owner,Value=alice",
    ]);
    v.json(&[
        "untag-resource",
        "--secret-id",
        "prod/db",
        "--tag-keys",
        "team",
    ]);
    let d = v.json(&[
        "describe-secret",
        "--secret-id",
        "prod/db",
        "--query",
        "Tags[].Key",
    ]);
    assert_eq!(d, serde_json::json!(["env", "owner"]));
    let del = v.json(&[
        "delete-secret",
        "--secret-id",
        "prod/db",
        "--recovery-window-in-days",
        "7",
    ]);
    assert!(del["DeletionDate"].is_string());
    assert_eq!(
        v.fails(&["get-secret-value", "--secret-id", "prod/db"]),
        (254, "InvalidRequestException".into())
    );
    let hidden = v.json(&["list-secrets"]);
    assert_eq!(hidden["SecretList"].as_array().unwrap().len(), 0);
    let shown = v.json(&["list-secrets", "--include-planned-deletion"]);
    assert_eq!(shown["SecretList"].as_array().unwrap().len(), 1);
    v.json(&["restore-secret", "--secret-id", "prod/db"]);
    let versions = v.json(&[
        "list-secret-version-ids",
        "--secret-id",
        "prod/db",
        "--include-deprecated",
    ]);
    assert_eq!(versions["Versions"].as_array().unwrap().len(), 2);
}

#[test]
fn errors_print_the_aws_cli_line_and_exit_254() {
    let v = TestVault::init();
    let out = v.run(&["get-secret-value", "--secret-id", "nope"]);
    assert_eq!(out.status.code(), Some(254));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret."),
        "{err}"
    );
    v.json(&["create-secret", "--name", "s", "--secret-string", "x"]);
    assert_eq!(
        v.fails(&["create-secret", "--name", "s"]).1,
        "ResourceExistsException"
    );
    assert_eq!(
        v.fails(&["create-secret", "--name", "bad name"]).1,
        "ValidationException"
    );
    assert_eq!(
        v.fails(&[
            "delete-secret",
            "--secret-id",
            "s",
            "--recovery-window-in-days",
            "3"
        ])
        .1,
        "InvalidParameterException"
    );
    assert_eq!(
        v.fails(&["list-secrets", "--max-results", "0"]).1,
        "ValidationException"
    );
    assert_eq!(
        v.fails(&["list-secrets", "--next-token", "zzz"]).1,
        "InvalidNextTokenException"
    );
    // A command line the parser refuses exits 252, as the AWS CLI does.
    let out = v.run(&["get-secret-value"]);
    assert_eq!(out.status.code(), Some(252));
}

#[test]
fn type_rotation_token_and_sort_flags_reach_the_core_as_the_aws_cli_names_them() {
    let v = TestVault::init();
    v.json(&[
        "create-secret",
        "--name",
        "a/partner",
        "--secret-string",
        "{}",
        "--type",
        "SalesforceClientSecret",
    ]);
    v.json(&["create-secret", "--name", "b/plain", "--secret-string", "x"]);
    v.json(&[
        "update-secret",
        "--secret-id",
        "b/plain",
        "--type",
        "DatadogApiKey",
    ]);
    let listed = v.json(&["list-secrets", "--sort-by", "name", "--sort-order", "desc"]);
    let rows: Vec<(&str, &str)> = listed["SecretList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["Name"].as_str().unwrap(), e["Type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("b/plain", "DatadogApiKey"),
            ("a/partner", "SalesforceClientSecret")
        ]
    );
    let token = "0123456789abcdef0123456789abcdef-ok";
    assert_eq!(
        v.fails(&[
            "put-secret-value",
            "--secret-id",
            "b/plain",
            "--secret-string",
            "y",
            "--rotation-token",
            token
        ])
        .1,
        "ValidationException"
    );
    v.json(&[
        "put-secret-value",
        "--secret-id",
        "b/plain",
        "--secret-string",
        "y",
        "--rotation-token",
        format!("{token}-").as_str(),
    ]);
    assert_eq!(
        v.fails(&["rotate-secret", "--secret-id", "a/partner"]).1,
        "InvalidRequestException"
    );
}

#[test]
fn binary_values_come_from_fileb_and_go_back_as_base64() {
    let v = TestVault::init();
    let key = v.dir.path().join("key.der");
    let bytes: Vec<u8> = (0..=255u8).rev().collect();
    std::fs::write(&key, &bytes).unwrap();
    v.json(&[
        "create-secret",
        "--name",
        "tls/key",
        "--secret-binary",
        &format!("fileb://{}", key.display()),
    ]);
    let got = v.json(&["get-secret-value", "--secret-id", "tls/key"]);
    use base64::Engine;
    let back = base64::engine::general_purpose::STANDARD
        .decode(got["SecretBinary"].as_str().unwrap())
        .unwrap();
    assert_eq!(back, bytes);
    let text_file = v.dir.path().join("value.json");
    std::fs::write(&text_file, "{\"from\":\"file\"}").unwrap();
    v.json(&[
        "put-secret-value",
        "--secret-id",
        "tls/key",
        "--secret-string",
        &format!("file://{}", text_file.display()),
    ]);
    let out = v.run(&[
        "get-secret-value",
        "--secret-id",
        "tls/key",
        "--query",
        "SecretString",
        "--output",
        "text",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "{\"from\":\"file\"}"
    );
}

#[test]
fn a_passphrase_file_unlocks_without_the_environment() {
    let v = TestVault::init();
    let file = v.dir.path().join("pass");
    std::fs::write(&file, format!("{}\n", v.passphrase)).unwrap();
    let out = v
        .cmd()
        .env_remove("COFFER_PASSPHRASE")
        .args(["--passphrase-file", file.to_str().unwrap(), "list-secrets"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = v
        .cmd()
        .env_remove("COFFER_PASSPHRASE")
        .args(["list-secrets"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "no passphrase and no terminal: a clear refusal"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("COFFER_PASSPHRASE"));
}

#[test]
fn audit_list_shows_each_request_and_verify_passes() {
    let v = TestVault::init();
    v.json(&[
        "create-secret",
        "--name",
        "a",
        "--secret-string",
        "MARKER-SECRET",
    ]);
    let _ = v.run(&["get-secret-value", "--secret-id", "a"]);
    let _ = v.run(&["get-secret-value", "--secret-id", "missing"]);
    let events = v.json(&["audit", "list", "--limit", "10"]);
    let names: Vec<&str> = events["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventName"].as_str().unwrap())
        .collect();
    assert_eq!(
        &names[..3],
        &["GetSecretValue", "GetSecretValue", "CreateSecret"]
    );
    let errors = v.json(&["audit", "list", "--errors-only"]);
    assert_eq!(
        errors["Events"][0]["ErrorCode"],
        "ResourceNotFoundException"
    );
    let for_a = v.json(&["audit", "list", "--secret-id", "a"]);
    assert_eq!(for_a["Events"].as_array().unwrap().len(), 2);
    let recent = v.json(&["audit", "list", "--since", "1h"]);
    assert!(recent["Events"].as_array().unwrap().len() >= 3);
    let verify = v.json(&["audit", "verify"]);
    assert_eq!(verify["Intact"], true);
    let file = v.dir.path().join("trail.json");
    v.json(&["audit", "export", "--out", file.to_str().unwrap()]);
    let trail: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let records = trail["Records"].as_array().unwrap();
    assert!(
        records
            .iter()
            .all(|r| r["eventSource"] == "secretsmanager.amazonaws.com")
    );
    assert!(!trail.to_string().contains("MARKER-SECRET"));
}

#[test]
fn output_formats_text_and_table_work() {
    let v = TestVault::init();
    v.json(&["create-secret", "--name", "x", "--secret-string", "y"]);
    let text = v.run(&[
        "describe-secret",
        "--secret-id",
        "x",
        "--query",
        "Name",
        "--output",
        "text",
    ]);
    assert_eq!(String::from_utf8_lossy(&text.stdout).trim(), "x");
    let table = v.run(&["describe-secret", "--secret-id", "x", "--output", "table"]);
    let t = String::from_utf8_lossy(&table.stdout);
    assert!(t.contains("| Name") && t.contains("| x"), "{t}");
}

#[test]
fn kms_keys_and_random_passwords_from_the_cli() {
    let v = TestVault::init();
    let k = v.json(&["kms", "create-key", "--description", "team key"]);
    let id = k["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    v.json(&[
        "kms",
        "create-alias",
        "--alias-name",
        "alias/team",
        "--target-key-id",
        &id,
    ]);
    let aliases = v.json(&["kms", "list-aliases", "--query", "Aliases[].AliasName"]);
    assert_eq!(
        aliases,
        serde_json::json!(["alias/aws/secretsmanager", "alias/team"])
    );
    v.json(&[
        "create-secret",
        "--name",
        "k",
        "--secret-string",
        "v",
        "--kms-key-id",
        "alias/team",
    ]);
    let versions = v.json(&["list-secret-version-ids", "--secret-id", "k"]);
    assert!(
        versions["Versions"][0]["KmsKeyIds"][0]
            .as_str()
            .unwrap()
            .ends_with(&id)
    );
    let pw = v.run(&[
        "get-random-password",
        "--password-length",
        "40",
        "--exclude-punctuation",
        "--query",
        "RandomPassword",
        "--output",
        "text",
    ]);
    let pw = String::from_utf8_lossy(&pw.stdout).trim().to_string();
    assert_eq!(pw.len(), 40);
    assert!(pw.chars().all(|c| c.is_ascii_alphanumeric()));
}

#[test]
fn help_and_completions_are_complete() {
    let out = std::process::Command::new(coffer_bin())
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "create-secret",
        "get-secret-value",
        "batch-get-secret-value",
        "put-secret-value",
        "update-secret",
        "update-secret-version-stage",
        "describe-secret",
        "list-secrets",
        "list-secret-version-ids",
        "delete-secret",
        "restore-secret",
        "tag-resource",
        "untag-resource",
        "get-random-password",
        "init",
        "demo",
        "audit",
        "kms",
        "completion",
    ] {
        assert!(help.contains(cmd), "--help lacks {cmd}");
    }
    let sub = std::process::Command::new(coffer_bin())
        .args(["delete-secret", "--help"])
        .output()
        .unwrap();
    let sub = String::from_utf8_lossy(&sub.stdout);
    assert!(
        sub.contains("--recovery-window-in-days")
            && sub.contains("--force-delete-without-recovery")
    );
    for shell in ["bash", "zsh", "fish"] {
        let out = std::process::Command::new(coffer_bin())
            .args(["completion", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("get-secret-value"),
            "{shell}"
        );
    }
}

#[test]
fn a_cli_write_is_seen_by_a_process_that_holds_the_vault_open() {
    use coffer_core::Passphrase;
    use coffer_core::api::GetSecretValueRequest;
    let v = TestVault::init();
    v.json(&["create-secret", "--name", "s", "--secret-string", "one"]);
    let held =
        coffer_core::Vault::open(&v.path, None, &Passphrase::new(v.passphrase.clone())).unwrap();
    let c = held.caller(coffer_core::FrontEnd::Tui);
    v.json(&[
        "put-secret-value",
        "--secret-id",
        "s",
        "--secret-string",
        "two",
    ]);
    assert!(
        held.catch_up().unwrap(),
        "the holder notices the CLI's commit"
    );
    let r = held
        .get_secret_value(
            &c,
            GetSecretValueRequest {
                secret_id: "s".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(matches!(r.value, coffer_core::SecretValue::String(ref s) if s.expose() == "two"));
    // And the CLI sees what the holder writes.
    held.put_secret_value(
        &c,
        coffer_core::api::PutSecretValueRequest {
            secret_id: "s".into(),
            secret_string: Some(coffer_core::SecretText::new("three".into())),
            ..Default::default()
        },
    )
    .unwrap();
    let out = v.run(&[
        "get-secret-value",
        "--secret-id",
        "s",
        "--query",
        "SecretString",
        "--output",
        "text",
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "three");
}

#[test]
fn the_demo_vault_has_the_promised_content() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(coffer_bin())
        .args(["demo", "--no-tui", "--dir", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let pass = err
        .lines()
        .find_map(|l| l.strip_prefix("Passphrase: "))
        .unwrap()
        .trim()
        .to_string();
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(summary["Secrets"].as_u64().unwrap() >= 12);
    assert_eq!(summary["ScheduledForDeletion"], 2);
    let run = |args: &[&str]| -> Value {
        let o = std::process::Command::new(coffer_bin())
            .args(args)
            .env("COFFER_VAULT", dir.path().join("demo-vault.db"))
            .env("COFFER_PASSPHRASE", &pass)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let list = run(&["list-secrets", "--include-planned-deletion"]);
    let names: Vec<&str> = list["SecretList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Name"].as_str().unwrap())
        .collect();
    for prefix in ["prod/", "staging/", "dev/"] {
        assert!(
            names.iter().filter(|n| n.starts_with(prefix)).count() >= 3,
            "{prefix}"
        );
    }
    let versions = run(&[
        "list-secret-version-ids",
        "--secret-id",
        "prod/db/main",
        "--include-deprecated",
    ]);
    assert!(versions["Versions"].as_array().unwrap().len() >= 3);
    let hmac = run(&[
        "describe-secret",
        "--secret-id",
        "prod/payments/webhook-hmac",
    ]);
    assert!(
        hmac["VersionIdsToStages"].to_string().contains("DEPLOYED"),
        "a custom label"
    );
    let bin = run(&["get-secret-value", "--secret-id", "prod/tls/api-client-key"]);
    assert!(bin["SecretBinary"].is_string());
    let audit = run(&["audit", "list", "--limit", "200"]);
    assert!(audit["Events"].as_array().unwrap().len() > 20);
    // What the Health screens show: a finding of every kind but a replica out of sync (a
    // change waits for its push only until the push, which runs as the change commits and
    // then every few seconds, ends: in sync or failed). These commands name no operator:
    // the passphrase picks the demo's, though it has a second one who never unlocked.
    let report = run(&["report", "--output", "json"]);
    let kinds: Vec<&str> = report["Findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["Kind"].as_str().unwrap())
        .collect();
    for kind in [
        "never-read",
        "not-read-recently",
        "rotation-off",
        "rotation-overdue",
        "rotation-failing",
        "rotation-awaiting-approval",
        "weak-value",
        "reused-value",
        "unchanged-value",
        "unused-access",
        "public-resource-policy",
        "cross-account-resource-policy",
        "access-key-unused",
        "access-key-old",
        "deletion-due",
        "replica-failed",
        "operator-never-unlocked",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
}

#[test]
fn operators_are_added_changed_and_removed_from_the_cli() {
    let v = TestVault::init();
    v.json(&["create-secret", "--name", "s", "--secret-string", "x"]);
    let kdf = ["--kdf-memory-kib", "19456", "--kdf-iterations", "2"];
    let added = v
        .cmd()
        .args(["operator", "add", "bob"])
        .args(kdf)
        .env("COFFER_NEW_PASSPHRASE", "bob words")
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let as_bob = |pass: &str, args: &[&str]| {
        v.cmd()
            .env("COFFER_OPERATOR", "bob")
            .env("COFFER_PASSPHRASE", pass)
            .args(args)
            .output()
            .unwrap()
    };
    // A new operator starts with no permissions; an administrator grants some.
    assert_eq!(
        as_bob("bob words", &["get-secret-value", "--secret-id", "s"])
            .status
            .code(),
        Some(254)
    );
    v.json(&[
        "--operator",
        "admin",
        "iam",
        "attach-user-policy",
        "--user-name",
        "bob",
        "--policy-arn",
        "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
    ]);
    assert!(
        as_bob("bob words", &["get-secret-value", "--secret-id", "s"])
            .status
            .success()
    );
    let changed = as_bob("bob words", &["operator", "passwd"]);
    assert!(
        !changed.status.success(),
        "no new passphrase and no terminal"
    );
    let changed = v
        .cmd()
        .env("COFFER_OPERATOR", "bob")
        .env("COFFER_PASSPHRASE", "bob words")
        .env("COFFER_NEW_PASSPHRASE", "bob new words")
        .args(["operator", "passwd"])
        .args(kdf)
        .output()
        .unwrap();
    assert!(
        changed.status.success(),
        "{}",
        String::from_utf8_lossy(&changed.stderr)
    );
    assert_eq!(
        as_bob("bob words", &["list-secrets"]).status.code(),
        Some(253)
    );
    assert!(as_bob("bob new words", &["list-secrets"]).status.success());
    let list = v
        .cmd()
        .env("COFFER_OPERATOR", "admin")
        .args(["operator", "list", "--query", "Operators[].OperatorName"])
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&list.stdout).unwrap(),
        serde_json::json!(["admin", "bob"])
    );
    let removed = v
        .cmd()
        .env("COFFER_OPERATOR", "admin")
        .args(["operator", "remove", "bob"])
        .output()
        .unwrap();
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    let gone = as_bob("bob new words", &["get-secret-value", "--secret-id", "s"]);
    assert_eq!(
        gone.status.code(),
        Some(253),
        "a removed operator's passphrase fails"
    );
    assert!(
        v.cmd()
            .env("COFFER_OPERATOR", "admin")
            .args(["get-secret-value", "--secret-id", "s"])
            .output()
            .unwrap()
            .status
            .success()
    );
}
