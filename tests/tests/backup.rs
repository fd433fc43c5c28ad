//! `coffer backup` and `coffer restore` end to end: a vault of 10,000 secrets with history
//! comes back answering every read and list as the original did; a damaged or cut-off file
//! is refused and leaves nothing behind; a backup taken while another process writes
//! restores to one consistent moment.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use coffer_core::Passphrase;
use coffer_core::api::*;
use coffer_core::vault::policies::PutResourcePolicyRequest;
use coffer_core::{Caller, FrontEnd, Reveal, SecretText, Vault};
use coffer_tests::{TEST_KDF, TestVault, coffer_bin};
use serde_json::Value;

const SECRETS: usize = 10_000;
const BOB_PASS: &str = "bob's own passphrase";

fn open(path: &Path, operator: &str, pass: &str) -> Vault {
    Vault::open(path, Some(operator), &Passphrase::new(pass.into())).unwrap()
}

fn text(s: impl Into<String>) -> Option<SecretText> {
    Some(SecretText::new(s.into()))
}

/// 10,000 secrets through the core API: descriptions and tags on all, three more versions
/// on every tenth, AWSCURRENT moved back and a custom label on every fiftieth, a resource
/// policy on every five-hundredth. Returns the names of those with history.
fn fill(v: &Vault, c: &Caller) -> Vec<String> {
    let mut with_history = Vec::new();
    for i in 0..SECRETS {
        let name = format!("team{}/service-{i:05}", i % 40);
        let created = v
            .create_secret(
                c,
                CreateSecretRequest {
                    name: name.clone(),
                    description: Some(format!("service {i}")),
                    secret_string: text(format!("{{\"password\":\"pw-{i}-v1\"}}")),
                    tags: vec![coffer_core::model::Tag {
                        key: "env".into(),
                        value: ["prod", "dev", "test"][i % 3].into(),
                    }],
                    ..Default::default()
                },
            )
            .unwrap();
        if i % 10 == 0 {
            with_history.push(name.clone());
            for n in 2..=4 {
                v.put_secret_value(
                    c,
                    PutSecretValueRequest {
                        secret_id: name.clone(),
                        secret_string: text(format!("{{\"password\":\"pw-{i}-v{n}\"}}")),
                        ..Default::default()
                    },
                )
                .unwrap();
            }
        }
        if i % 50 == 0 {
            let current = v
                .describe_secret(
                    c,
                    SecretIdRequest {
                        secret_id: name.clone(),
                    },
                )
                .unwrap()
                .version_ids_to_stages
                .into_iter()
                .find(|(_, s)| s.iter().any(|s| s == "AWSCURRENT"))
                .unwrap()
                .0;
            v.update_secret_version_stage(
                c,
                UpdateSecretVersionStageRequest {
                    secret_id: name.clone(),
                    version_stage: "AWSCURRENT".into(),
                    move_to_version_id: Some(created.version_id.clone().unwrap()),
                    remove_from_version_id: Some(current),
                },
            )
            .unwrap();
            v.update_secret_version_stage(
                c,
                UpdateSecretVersionStageRequest {
                    secret_id: name.clone(),
                    version_stage: "BLUE".into(),
                    move_to_version_id: Some(created.version_id.unwrap()),
                    remove_from_version_id: None,
                },
            )
            .unwrap();
        }
        if i % 500 == 0 {
            v.put_resource_policy(
                c,
                PutResourcePolicyRequest {
                    secret_id: name.clone(),
                    resource_policy: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/app1"},"Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"secretsmanager:VersionStage":"AWSCURRENT"}}}]}"#.to_string(),
                    block_public_policy: Some(true),
                    policy_name: None,
                },
            )
            .unwrap();
        }
    }
    with_history
}

/// The rest of what a vault holds, through the CLI as an operator would: an IAM user with
/// a policy, a second operator, a rotation function and a rotated secret.
fn add_principals_and_rotation(v: &TestVault) {
    v.json(&["iam", "create-user", "--user-name", "app1"]);
    v.json(&[
        "iam",
        "attach-user-policy",
        "--user-name",
        "app1",
        "--policy-arn",
        "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
    ]);
    let f = v.json(&[
        "rotation",
        "create-function",
        "--name",
        "pw",
        "--kind",
        "password",
    ]);
    let arn = f["ARN"].as_str().unwrap().to_string();
    v.json(&[
        "create-secret",
        "--name",
        "rotated/db",
        "--secret-string",
        r#"{"username":"app","password":"old"}"#,
    ]);
    v.json(&[
        "rotate-secret",
        "--secret-id",
        "rotated/db",
        "--rotation-lambda-arn",
        &arn,
        "--rotation-rules",
        "AutomaticallyAfterDays=30",
    ]);
    // Last: from here on, commands name the operator they unlock as.
    let out = v
        .cmd()
        .args(["operator", "add", "bob"])
        .args(TEST_KDF)
        .env("COFFER_NEW_PASSPHRASE", BOB_PASS)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn reveal(r: &GetSecretValueResponse) -> Value {
    serde_json::to_value(Reveal(r)).unwrap()
}

/// Every ListSecrets page, and for each secret DescribeSecret, ListSecretVersionIds (with
/// deprecated versions) and GetSecretValue of every labelled version, equal in both.
fn assert_same_answers(a: &Vault, b: &Vault) -> usize {
    let (ca, cb) = (a.caller(FrontEnd::Cli), b.caller(FrontEnd::Cli));
    let (mut ta, mut tb) = (None, None);
    let mut names = Vec::new();
    loop {
        let req = |t: Option<String>| ListSecretsRequest {
            max_results: Some(100),
            next_token: t,
            include_planned_deletion: true,
            ..Default::default()
        };
        let pa = a.list_secrets(&ca, req(ta)).unwrap();
        let pb = b.list_secrets(&cb, req(tb)).unwrap();
        assert_eq!(
            serde_json::to_value(&pa.secret_list).unwrap(),
            serde_json::to_value(&pb.secret_list).unwrap()
        );
        names.extend(pa.secret_list.iter().map(|e| e.name.clone()));
        assert_eq!(pa.next_token.is_some(), pb.next_token.is_some());
        (ta, tb) = (pa.next_token, pb.next_token);
        if ta.is_none() {
            break;
        }
    }
    let mut values = 0;
    for name in &names {
        let id = || SecretIdRequest {
            secret_id: name.clone(),
        };
        let da = a.describe_secret(&ca, id()).unwrap();
        let db = b.describe_secret(&cb, id()).unwrap();
        assert_eq!(
            serde_json::to_value(&da).unwrap(),
            serde_json::to_value(&db).unwrap()
        );
        let versions = |v: &Vault, c: &Caller| {
            serde_json::to_value(
                v.list_secret_version_ids(
                    c,
                    ListSecretVersionIdsRequest {
                        secret_id: name.clone(),
                        include_deprecated: true,
                        ..Default::default()
                    },
                )
                .unwrap(),
            )
            .unwrap()
        };
        assert_eq!(versions(a, &ca), versions(b, &cb));
        for (vid, stages) in &da.version_ids_to_stages {
            for stage in stages {
                let req = || GetSecretValueRequest {
                    secret_id: name.clone(),
                    version_id: Some(vid.clone()),
                    version_stage: Some(stage.clone()),
                };
                let (ga, gb) = (
                    a.get_secret_value(&ca, req()).unwrap(),
                    b.get_secret_value(&cb, req()).unwrap(),
                );
                assert_eq!(reveal(&ga), reveal(&gb));
                values += 1;
            }
        }
    }
    assert!(names.len() > SECRETS, "{} secrets listed", names.len());
    values
}

fn run_with(pass: &str, args: &[&str]) -> Output {
    std::process::Command::new(coffer_bin())
        .args(args)
        .env("COFFER_PASSPHRASE", pass)
        .env_remove("COFFER_VAULT")
        .env_remove("COFFER_OPERATOR")
        .output()
        .unwrap()
}

fn restore(from: &Path, to: &Path, operator: &str, pass: &str) -> Output {
    run_with(
        pass,
        &[
            "restore",
            "--from",
            from.to_str().unwrap(),
            "--vault",
            to.to_str().unwrap(),
            "--operator",
            operator,
        ],
    )
}

fn verify(path: &Path, pass: &str) -> Value {
    let out = run_with(
        pass,
        &[
            "audit",
            "verify",
            "--vault",
            path.to_str().unwrap(),
            "--operator",
            "admin",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

#[test]
fn a_backup_of_ten_thousand_secrets_restores_a_vault_that_answers_every_read_alike() {
    let v = TestVault::init();
    let started = Instant::now();
    {
        let vault = open(&v.path, "admin", &v.passphrase);
        let c = vault.caller(FrontEnd::Cli);
        assert_eq!(fill(&vault, &c).len(), SECRETS / 10);
    }
    eprintln!("filled {SECRETS} secrets in {:.1?}", started.elapsed());
    add_principals_and_rotation(&v);
    let before = verify(&v.path, &v.passphrase);

    let out = v.dir.path().join("vault.cbk");
    let t = Instant::now();
    let b = v.json(&[
        "backup",
        "--out",
        out.to_str().unwrap(),
        "--operator",
        "admin",
    ]);
    let backup_time = t.elapsed();
    assert_eq!(b["Operators"], serde_json::json!(["admin", "bob"]));
    let size = std::fs::metadata(&out).unwrap().len();
    assert_eq!(b["BackupBytes"], size);

    // Bob's passphrase opens the backup, but bob may not restore (coffer:RestoreVault is
    // decided by the restored vault's policies, where bob has none): nothing is left.
    let to = v.dir.path().join("restored").join("vault.db");
    let denied = restore(&out, &to, "bob", BOB_PASS);
    assert!(
        error_of(&denied).contains("(AccessDeniedException)"),
        "{}",
        error_of(&denied)
    );
    assert!(!to.exists());
    let t = Instant::now();
    let r = restore(&out, &to, "admin", &v.passphrase);
    let restore_time = t.elapsed();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    eprintln!(
        "backup of {SECRETS} secrets: {backup_time:.2?}, {:.1} MiB (snapshot {:.1} MiB); restore: {restore_time:.2?}",
        mib(size),
        mib(b["SnapshotBytes"].as_u64().unwrap()),
    );

    // The restored trail is intact: the original's events up to and including the
    // backup's own, then the restore.
    let after = verify(&to, &v.passphrase);
    assert_eq!(after["Intact"], true);
    assert_eq!(
        after["EventsChecked"].as_i64().unwrap(),
        before["EventsChecked"].as_i64().unwrap() + 3,
        "the original's events, its verify, the backup, the restore (bob's denied one left nothing)"
    );
    assert_eq!(verify(&v.path, &v.passphrase)["Intact"], true);

    // Both operators unlock the restored vault with their own passphrases.
    open(&to, "bob", BOB_PASS);
    let (a, b) = (
        open(&v.path, "admin", &v.passphrase),
        open(&to, "admin", &v.passphrase),
    );
    let t = Instant::now();
    let values = assert_same_answers(&a, &b);
    eprintln!("compared {values} labelled values in {:.1?}", t.elapsed());
    assert!(values > SECRETS + SECRETS / 10);
    // IAM, the rotation function and the rotation settings came along.
    let users = |p: &Path| {
        run_with(
            &v.passphrase,
            &[
                "iam",
                "list-users",
                "--vault",
                p.to_str().unwrap(),
                "--operator",
                "admin",
            ],
        )
        .stdout
    };
    assert_eq!(users(&v.path), users(&to));
    let functions = |p: &Path| {
        run_with(
            &v.passphrase,
            &[
                "rotation",
                "list-functions",
                "--vault",
                p.to_str().unwrap(),
                "--operator",
                "admin",
            ],
        )
        .stdout
    };
    assert_eq!(functions(&v.path), functions(&to));
}

fn error_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn a_damaged_or_cut_off_backup_is_refused_with_a_clear_error_and_leaves_no_vault() {
    let v = TestVault::init();
    v.json(&["create-secret", "--name", "a", "--secret-string", "value-a"]);
    let out = v.dir.path().join("vault.cbk");
    v.json(&["backup", "--out", out.to_str().unwrap()]);
    let good = std::fs::read(&out).unwrap();
    let to = v.dir.path().join("restored.db");
    let bad = v.dir.path().join("bad.cbk");

    let mut flipped = good.clone();
    let at = good.len() * 2 / 3;
    flipped[at] ^= 0x01;
    std::fs::write(&bad, &flipped).unwrap();
    let r = restore(&bad, &to, "admin", &v.passphrase);
    assert_eq!(r.status.code(), Some(254));
    let err = error_of(&r);
    assert!(err.contains("(DecryptionFailure)"), "{err}");
    assert!(err.contains("damaged or was changed"), "{err}");
    assert!(!to.exists());

    std::fs::write(&bad, &good[..good.len() - 100]).unwrap();
    let r = restore(&bad, &to, "admin", &v.passphrase);
    assert_eq!(r.status.code(), Some(254));
    let err = error_of(&r);
    assert!(err.contains("(InvalidParameterException)"), "{err}");
    assert!(err.contains("truncated"), "{err}");
    assert!(!err.contains("value-a"));
    assert!(!to.exists());

    let leftovers: Vec<PathBuf> = std::fs::read_dir(v.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The good file still restores.
    assert!(restore(&out, &to, "admin", &v.passphrase).status.success());
}

#[test]
fn a_backup_taken_while_another_process_writes_restores_one_consistent_moment() {
    let v = Arc::new(TestVault::init());
    {
        let vault = open(&v.path, "admin", &v.passphrase);
        let c = vault.caller(FrontEnd::Cli);
        for i in 0..2000 {
            vault
                .create_secret(
                    &c,
                    CreateSecretRequest {
                        name: format!("bulk/{i}"),
                        secret_string: text(format!("value {i} padded {}", "x".repeat(500))),
                        ..Default::default()
                    },
                )
                .unwrap();
        }
    }
    v.json(&["create-secret", "--name", "busy", "--secret-string", "0"]);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (v, stop) = (v.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let out = v.run(&[
                    "put-secret-value",
                    "--secret-id",
                    "busy",
                    "--secret-string",
                    &n.to_string(),
                ]);
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            n
        })
    };
    // Let the writer get going, then back up three times while it writes.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut backups = Vec::new();
    for k in 0..3 {
        let out = v.dir.path().join(format!("busy-{k}.cbk"));
        v.json(&["backup", "--out", out.to_str().unwrap()]);
        backups.push(out);
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(written > 1, "the writer wrote while the backups ran");

    for (k, b) in backups.iter().enumerate() {
        let to = v.dir.path().join(format!("restored-{k}.db"));
        let r = restore(b, &to, "admin", &v.passphrase);
        assert!(r.status.success(), "{}", error_of(&r));
        assert_eq!(verify(&to, &v.passphrase)["Intact"], true);
        let vault = open(&to, "admin", &v.passphrase);
        let c = vault.caller(FrontEnd::Cli);
        let current: u64 = vault
            .get_secret_value(
                &c,
                GetSecretValueRequest {
                    secret_id: "busy".into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .value
            .text()
            .parse()
            .unwrap();
        // The value and the audit trail are of the same moment: every PutSecretValue the
        // snapshot's trail records took effect, and no other.
        let puts = vault
            .query_audit(
                &c,
                &coffer_core::vault::AuditQuery {
                    secret_id: Some("busy".into()),
                    event_names: vec!["PutSecretValue".into()],
                    limit: 1000,
                    ..Default::default()
                },
            )
            .unwrap()
            .events
            .into_iter()
            .filter(|e| e.error_code.is_none())
            .count() as u64;
        assert_eq!(current, puts, "backup {k}");
        assert!(vault.integrity_check().unwrap() == "ok");
    }
}
