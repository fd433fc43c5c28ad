//! `coffer export --to-endpoint` and `coffer import --from-endpoint` end to end, as a user
//! runs them: a vault's secrets go to `coffer serve --ephemeral` and to moto's server, then
//! come back into a fresh vault with every labelled version, label, tag, description and
//! resource policy equal (compared through the `coffer` CLI's JSON on both vaults); a second
//! run changes nothing; a run that finds half the job done finishes it; bad credentials
//! against a vault's `coffer serve` fail with the AWS error code.
//!
//! moto comes from the test venv (`COFFER_TEST_PYTHON`, made by `scripts/test`): without it
//! these tests fail, never skip.

use std::process::Command;

use coffer_tests::{Server, TestVault, coffer_bin};
use serde_json::{Value, json};

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/app1"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
/// Values that must never be printed by a transfer.
const VALUES: [&str; 5] = [
    "first-db-password",
    "second-db-password",
    "third-db-password",
    "staged-db-password",
    "other-token-value",
];
const BINARY: [u8; 6] = [0, 159, 146, 150, 255, 10];

fn ephemeral(dir: &std::path::Path) -> Server {
    let mut cmd = Command::new(coffer_bin());
    cmd.args(["serve", "--ephemeral", "--listen", "127.0.0.1:0"])
        .env("COFFER_VAULT", dir.join("no-vault.db"))
        .env_remove("COFFER_PASSPHRASE")
        .current_dir(dir);
    Server::coffer(cmd, dir.join("serve.log"))
}

/// Runs a transfer (`coffer import|export ...`) with the given credentials in the
/// environment and nothing else AWS-related; returns its output.
fn transfer(v: &TestVault, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = v.cmd();
    for k in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ] {
        cmd.env_remove(k);
    }
    cmd.env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    for (k, val) in env {
        cmd.env(k, val);
    }
    cmd.args(args).output().expect("run coffer")
}

const ANY_KEY: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "AKIATRANSFERTEST"),
    ("AWS_SECRET_ACCESS_KEY", "any-secret-key"),
];

/// A transfer that must succeed: its report, after checking no value was printed.
fn report(v: &TestVault, args: &[&str], env: &[(&str, &str)]) -> Value {
    let out = transfer(v, args, env);
    let printed =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "coffer {args:?} failed: {printed}");
    for value in VALUES {
        assert!(!printed.contains(value), "a value was printed: {printed}");
    }
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {printed}"))
}

fn names(v: &Value) -> Vec<String> {
    let mut n: Vec<String> = v
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

/// A vault with three secrets: `app/db` with versions under AWSCURRENT, AWSPREVIOUS and
/// STAGING (and one unlabelled, which is not copied), a description, tags and a resource
/// policy; `app/cert` binary; `other/token` with a tag.
fn source_vault() -> TestVault {
    let v = TestVault::init();
    v.json(&[
        "create-secret",
        "--name",
        "app/db",
        "--description",
        "the orders database",
        "--secret-string",
        VALUES[0],
        "--tags",
        "Key=env,Value=prod",
        "Key=team,Value=core",
    ]);
    v.json(&[
        "put-secret-value",
        "--secret-id",
        "app/db",
        "--secret-string",
        VALUES[1],
    ]);
    v.json(&[
        "put-secret-value",
        "--secret-id",
        "app/db",
        "--secret-string",
        VALUES[2],
    ]);
    v.json(&[
        "put-secret-value",
        "--secret-id",
        "app/db",
        "--secret-string",
        VALUES[3],
        "--version-stages",
        "STAGING",
    ]);
    v.json(&[
        "put-resource-policy",
        "--secret-id",
        "app/db",
        "--resource-policy",
        POLICY,
    ]);
    let bin = v.dir.path().join("cert.der");
    std::fs::write(&bin, BINARY).unwrap();
    v.json(&[
        "create-secret",
        "--name",
        "app/cert",
        "--secret-binary",
        &format!("fileb://{}", bin.display()),
    ]);
    v.json(&[
        "create-secret",
        "--name",
        "other/token",
        "--secret-string",
        VALUES[4],
        "--tags",
        "Key=owner,Value=ops",
    ]);
    v
}

/// Everything a transfer must carry, read through the CLI: per secret its description,
/// tags, labelled versions (id, labels, value) and resource policy.
fn contents(v: &TestVault) -> Value {
    let list = v.json(&["list-secrets"]);
    let mut out = serde_json::Map::new();
    for s in list["SecretList"].as_array().unwrap() {
        let name = s["Name"].as_str().unwrap();
        let d = v.json(&["describe-secret", "--secret-id", name]);
        let mut tags: Vec<Value> = d["Tags"].as_array().cloned().unwrap_or_default();
        tags.sort_by_key(|t| t["Key"].as_str().unwrap().to_string());
        let ids = v.json(&["list-secret-version-ids", "--secret-id", name]);
        let mut versions: Vec<Value> = ids["Versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ver| {
                let id = ver["VersionId"].as_str().unwrap();
                let got = v.json(&["get-secret-value", "--secret-id", name, "--version-id", id]);
                let mut stages: Vec<String> =
                    serde_json::from_value(ver["VersionStages"].clone()).unwrap();
                stages.sort();
                json!({
                    "VersionId": id,
                    "VersionStages": stages,
                    "SecretString": got["SecretString"],
                    "SecretBinary": got["SecretBinary"],
                })
            })
            .collect();
        versions.sort_by_key(|x| x["VersionId"].as_str().unwrap().to_string());
        let policy = v.json(&["get-resource-policy", "--secret-id", name])["ResourcePolicy"]
            .as_str()
            .map(|p| serde_json::from_str::<Value>(p).unwrap());
        out.insert(
            name.to_string(),
            json!({
                "Description": d["Description"],
                "Tags": tags,
                "Versions": versions,
                "ResourcePolicy": policy,
            }),
        );
    }
    Value::Object(out)
}

/// Per secret: how many versions it has (unlabelled ones too) and when it last changed.
fn write_marks(v: &TestVault) -> Value {
    let list = v.json(&["list-secrets"]);
    let mut out = serde_json::Map::new();
    for s in list["SecretList"].as_array().unwrap() {
        let name = s["Name"].as_str().unwrap();
        let all = v.json(&[
            "list-secret-version-ids",
            "--secret-id",
            name,
            "--include-deprecated",
        ]);
        let d = v.json(&["describe-secret", "--secret-id", name]);
        out.insert(
            name.to_string(),
            json!([
                all["Versions"].as_array().unwrap().len(),
                d["LastChangedDate"]
            ]),
        );
    }
    Value::Object(out)
}

/// Checks the source's shape once, so that the comparisons below compare something.
fn check_source_shape(c: &Value) {
    let db = &c["app/db"]["Versions"];
    let labels: Vec<&Value> = db
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["VersionStages"])
        .collect();
    assert_eq!(labels.len(), 3, "{c}");
    for l in [
        json!(["AWSCURRENT"]),
        json!(["AWSPREVIOUS"]),
        json!(["STAGING"]),
    ] {
        assert!(labels.contains(&&l), "{c}");
    }
    assert_eq!(c["app/db"]["Description"], "the orders database");
    assert!(c["app/db"]["ResourcePolicy"].is_object());
    assert!(c["app/cert"]["Versions"][0]["SecretBinary"].is_string());
}

/// Export to the endpoint, export again (nothing changes), import into a fresh vault,
/// import again (nothing changes), and compare.
fn round_trip(url: &str) {
    let src = source_vault();
    let want = contents(&src);
    check_source_shape(&want);

    let first = report(&src, &["export", "--to-endpoint", url], &ANY_KEY);
    assert_eq!(
        names(&first["Created"]),
        ["app/cert", "app/db", "other/token"],
        "{first}"
    );
    assert_eq!(first["VersionsCopied"], 5, "{first}");
    let again = report(&src, &["export", "--to-endpoint", url], &ANY_KEY);
    assert_eq!(
        names(&again["Unchanged"]),
        ["app/cert", "app/db", "other/token"],
        "{again}"
    );
    assert_eq!(
        (
            again["VersionsCopied"].as_u64(),
            again["LabelsMoved"].as_u64()
        ),
        (Some(0), Some(0))
    );

    let dst = TestVault::init();
    let dry = report(
        &dst,
        &["import", "--from-endpoint", url, "--dry-run"],
        &ANY_KEY,
    );
    assert_eq!(dry["DryRun"], true);
    assert_eq!(
        names(&dry["Created"]),
        ["app/cert", "app/db", "other/token"],
        "{dry}"
    );
    assert!(
        dst.json(&["list-secrets"])["SecretList"]
            .as_array()
            .unwrap()
            .is_empty(),
        "a dry run writes nothing"
    );

    let imported = report(&dst, &["import", "--from-endpoint", url], &ANY_KEY);
    assert_eq!(
        names(&imported["Created"]),
        ["app/cert", "app/db", "other/token"],
        "{imported}"
    );
    assert_eq!(contents(&dst), want);
    let bin = dst.json(&["get-secret-value", "--secret-id", "app/cert"]);
    use base64::Engine;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(bin["SecretBinary"].as_str().unwrap())
            .unwrap(),
        BINARY
    );

    let marks = write_marks(&dst);
    let second = report(&dst, &["import", "--from-endpoint", url], &ANY_KEY);
    assert_eq!(
        names(&second["Unchanged"]),
        ["app/cert", "app/db", "other/token"],
        "{second}"
    );
    assert!(
        second["Created"].as_array().unwrap().is_empty()
            && second["Updated"].as_array().unwrap().is_empty()
    );
    assert_eq!(write_marks(&dst), marks, "a second import writes nothing");
    dst.json(&["audit", "verify"]);
    let trail = String::from_utf8_lossy(&dst.run(&["audit", "export"]).stdout).to_string();
    for value in VALUES {
        assert!(!trail.contains(value), "a value reached the audit trail");
    }
}

#[test]
fn export_to_coffer_emulator_and_import_back_keeps_every_labelled_version_label_tag_description_and_policy()
 {
    let dir = tempfile::tempdir().unwrap();
    let server = ephemeral(dir.path());
    round_trip(&server.url);
}

#[test]
fn export_to_moto_and_import_back_keeps_every_labelled_version_label_tag_description_and_policy() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::moto(dir.path());
    round_trip(&server.url);
    drop(server);
}

#[test]
fn an_import_that_finds_half_the_job_done_finishes_it_and_a_filter_selects_by_name_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let server = ephemeral(dir.path());
    let src = source_vault();
    let want = contents(&src);
    report(
        &src,
        &[
            "export",
            "--to-endpoint",
            &server.url,
            "--region",
            "eu-west-1",
        ],
        &ANY_KEY,
    );

    let dst = TestVault::init();
    let region = [ANY_KEY[0], ANY_KEY[1], ("AWS_REGION", "eu-west-1")];
    // A first run that only got as far as the app/ secrets ...
    let half = report(
        &dst,
        &[
            "import",
            "--from-endpoint",
            &server.url,
            "--filters",
            "Key=name,Values=app/",
        ],
        &region,
    );
    assert_eq!(names(&half["Created"]), ["app/cert", "app/db"], "{half}");
    // ... and another cut short right after creating other/token with its current version.
    let current = &want["other/token"]["Versions"][0];
    dst.json(&[
        "create-secret",
        "--name",
        "other/token",
        "--client-request-token",
        current["VersionId"].as_str().unwrap(),
        "--secret-string",
        current["SecretString"].as_str().unwrap(),
    ]);
    let marks = write_marks(&dst);

    let rest = report(&dst, &["import", "--from-endpoint", &server.url], &region);
    assert_eq!(names(&rest["Unchanged"]), ["app/cert", "app/db"], "{rest}");
    assert_eq!(names(&rest["Updated"]), ["other/token"], "{rest}");
    assert_eq!(rest["Changes"]["other/token"], json!(["tags"]), "{rest}");
    assert_eq!(rest["VersionsCopied"], 0, "{rest}");
    assert_eq!(contents(&dst), want);
    let after = write_marks(&dst);
    for name in ["app/cert", "app/db"] {
        assert_eq!(after[name], marks[name], "{name} was already done");
    }

    // The emulator keeps one vault per region: us-east-1 (the default) has none of them.
    let other = TestVault::init();
    let empty = report(
        &other,
        &["import", "--from-endpoint", &server.url],
        &ANY_KEY,
    );
    assert!(empty["Created"].as_array().unwrap().is_empty(), "{empty}");
}

#[test]
fn bad_credentials_against_coffer_serve_fail_naming_the_aws_error_and_a_profile_signs() {
    let dir = tempfile::tempdir().unwrap();
    let src = source_vault();
    src.json(&["iam", "create-user", "--user-name", "app1"]);
    src.json(&[
        "iam",
        "attach-user-policy",
        "--user-name",
        "app1",
        "--policy-arn",
        "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
    ]);
    let key = src.json(&["iam", "create-access-key", "--user-name", "app1"]);
    let akid = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = key["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    let mut cmd = src.cmd();
    cmd.args(["serve", "--listen", "127.0.0.1:0"]);
    let server = Server::coffer(cmd, dir.path().join("serve.log"));
    let dst = TestVault::init();

    for (env, code) in [
        (
            [
                ("AWS_ACCESS_KEY_ID", "AKIANOSUCHKEY000"),
                ("AWS_SECRET_ACCESS_KEY", "whatever"),
            ],
            "UnrecognizedClientException",
        ),
        (
            [
                ("AWS_ACCESS_KEY_ID", akid.as_str()),
                ("AWS_SECRET_ACCESS_KEY", "not-the-secret"),
            ],
            "InvalidSignatureException",
        ),
    ] {
        let out = transfer(&dst, &["import", "--from-endpoint", &server.url], &env);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "bad credentials were accepted");
        assert!(err.contains(code), "the error does not name {code}: {err}");
        assert!(!err.contains("not-the-secret"), "{err}");
    }
    let out = transfer(&dst, &["import", "--from-endpoint", &server.url], &[]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("No credentials"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        dst.json(&["list-secrets"])["SecretList"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The right key, from a profile of a shared credentials file, signs requests the
    // vault's endpoint verifies.
    let creds = dir.path().join("credentials");
    std::fs::write(
        &creds,
        format!("[default]\naws_access_key_id = AKIAWRONG\naws_secret_access_key = wrong\n\n[coffer]\naws_access_key_id = {akid}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    let mut cmd = dst.cmd();
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
        .args([
            "import",
            "--from-endpoint",
            &server.url,
            "--profile",
            "coffer",
            "--secret-id",
            "app/db",
        ]);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["Created"], json!(["app/db"]));
    assert_eq!(contents(&dst)["app/db"], contents(&src)["app/db"]);
}
