//! `coffer serve` driven as a user would: boto3 and the AWS CLI (from the test venv that
//! `scripts/test` makes, named by `COFFER_TEST_PYTHON`) against the real server, on a vault
//! and as the `--ephemeral` emulator.

use std::path::{Path, PathBuf};
use std::process::Command;

use coffer_tests::{Server, TestVault, boto3, coffer_bin, test_python};

/// The AWS CLI installed beside the venv's python.
fn aws_cli(python: &Path) -> PathBuf {
    let aws = python.with_file_name("aws");
    assert!(aws.exists(), "no AWS CLI at {}", aws.display());
    aws
}

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python/endpoint_suite.py")
}

/// Runs the boto3 suite; panics with its report when a check fails.
fn run_suite(server: &Server, args: &[&str]) -> String {
    let py = test_python();
    let aws = aws_cli(&py);
    let out = Command::new(&py)
        .arg(suite())
        .args(["--endpoint", &server.url])
        .args(["--aws", aws.to_str().unwrap()])
        .args(args)
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run the boto3 suite");
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "the boto3 suite failed:\n{report}\n{}\n--- server log (tail) ---\n{}",
        String::from_utf8_lossy(&out.stderr),
        server
            .log()
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .join("\n")
    );
    report
}

/// ListSecrets through boto3 with a key pair: the error code, or `none`.
fn list_secrets_error(server: &Server, akid: &str, secret: &str) -> String {
    let script = r#"
import sys, boto3
from botocore.exceptions import ClientError
sm = boto3.client("secretsmanager", endpoint_url=sys.argv[1], region_name="us-east-1",
                  aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
try:
    sm.list_secrets()
    print("none")
except ClientError as e:
    print(e.response["Error"]["Code"])
"#;
    boto3(script, &[&server.url, akid, secret])
}

fn access_key(v: &TestVault, user: &str) -> (String, String) {
    let k = v.json(&["iam", "create-access-key", "--user-name", user]);
    (
        k["AccessKey"]["AccessKeyId"].as_str().unwrap().to_string(),
        k["AccessKey"]["SecretAccessKey"]
            .as_str()
            .unwrap()
            .to_string(),
    )
}

#[test]
fn boto3_and_the_aws_cli_work_against_a_vault() {
    let v = TestVault::init();
    let (akid, secret) = app_user(&v, "app1");
    v.json(&["iam", "create-user", "--user-name", "nopolicy"]);
    let (denied_akid, denied_secret) = access_key(&v, "nopolicy");
    let function = v.json(&[
        "rotation",
        "create-function",
        "--name",
        "pw",
        "--kind",
        "password",
    ]);

    let mut cmd = v.cmd();
    cmd.args(["serve", "--listen", "127.0.0.1:0"]);
    let server = Server::coffer(cmd, v.dir.path().join("serve.log"));
    let report = run_suite(
        &server,
        &[
            "--mode",
            "vault",
            "--account",
            "111122223333",
            "--access-key",
            &akid,
            "--secret-key",
            &secret,
            "--denied-access-key",
            &denied_akid,
            "--denied-secret-key",
            &denied_secret,
            "--rotation-function-arn",
            function["ARN"].as_str().unwrap(),
        ],
    );
    assert!(report.contains(r#""failed": []"#), "{report}");

    // Changes made by the CLI meanwhile are seen at once by the running server.
    assert_eq!(list_secrets_error(&server, &akid, &secret), "none");
    v.json(&[
        "iam",
        "update-access-key",
        "--access-key-id",
        &akid,
        "--status",
        "Inactive",
    ]);
    assert_eq!(
        list_secrets_error(&server, &akid, &secret),
        "UnrecognizedClientException"
    );

    let log = server.log();
    for value in ["cli-value-42", "token-value", &secret, "hunter2"] {
        assert!(!log.contains(value), "the access log holds a value");
    }
    let line = log
        .lines()
        .find(|l| l.contains(r#""operation":"GetSecretValue""#))
        .expect("an access-log line for GetSecretValue");
    let entry: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(entry["principal"], "arn:aws:iam::111122223333:user/app1");
    assert_eq!(entry["status"], 200);
    assert!(entry["latency_ms"].is_number());

    let status = server.terminate();
    assert!(status.success(), "coffer serve exited with {status}");

    // The endpoint's requests are in the audit trail with their source and principal.
    let events = v.json(&["audit", "list", "--limit", "1000"]);
    let events = events["Events"].as_array().unwrap();
    let from_endpoint: Vec<_> = events
        .iter()
        .filter(|e| e["FrontEnd"] == "endpoint")
        .collect();
    assert!(from_endpoint.len() > 900, "{}", from_endpoint.len());
    assert!(
        from_endpoint
            .iter()
            .all(|e| e["SourceIPAddress"] == "127.0.0.1")
    );
    let denied = from_endpoint
        .iter()
        .find(|e| e["ErrorCode"] == "AccessDeniedException")
        .expect("the denial is audited");
    assert_eq!(
        denied["Principal"],
        "arn:aws:iam::111122223333:user/nopolicy"
    );
    assert!(
        !serde_json::to_string(&from_endpoint)
            .unwrap()
            .contains("cli-value-42")
    );
    // CloudTrail records carry each client's user agent.
    let export = v.dir.path().join("trail.json");
    v.json(&["audit", "export", "--out", export.to_str().unwrap()]);
    let trail: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    let agents: Vec<&str> = trail["Records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["userAgent"].as_str())
        .collect();
    assert!(
        agents.iter().any(|a| a.contains("Boto3/")),
        "boto3's user agent"
    );
    assert!(
        agents.iter().any(|a| a.contains("aws-cli/")),
        "the AWS CLI's user agent"
    );
    v.json(&["audit", "verify"]);
}

#[test]
fn the_emulator_needs_no_vault_and_serves_every_region() {
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("no-vault.db");
    let mut cmd = Command::new(coffer_bin());
    cmd.args([
        "serve",
        "--ephemeral",
        "--account-id",
        "210987654321",
        "--listen",
        "127.0.0.1:0",
    ])
    .env("COFFER_VAULT", &absent)
    .env_remove("COFFER_PASSPHRASE")
    .current_dir(dir.path());
    let server = Server::coffer(cmd, dir.path().join("serve.log"));
    let report = run_suite(
        &server,
        &[
            "--mode",
            "ephemeral",
            "--account",
            "210987654321",
            "--access-key",
            "AKIAEMULATOR",
            "--secret-key",
            "any-secret",
        ],
    );
    assert!(report.contains(r#""failed": []"#), "{report}");
    assert!(report.contains("replication between regions"), "{report}");
    let status = server.terminate();
    assert!(status.success(), "coffer serve exited with {status}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n != "serve.log")
        .collect();
    assert!(left.is_empty(), "the emulator wrote {left:?}");
}

/// A user `name` with SecretsManagerReadWrite and an access key, in `v`.
fn app_user(v: &TestVault, name: &str) -> (String, String) {
    v.json(&["iam", "create-user", "--user-name", name]);
    v.json(&[
        "iam",
        "attach-user-policy",
        "--user-name",
        name,
        "--policy-arn",
        "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
    ]);
    access_key(v, name)
}

#[test]
fn serve_answers_a_replica_region_from_the_replica_vault_with_its_keys() {
    let primary = TestVault::init();
    let replica_path = primary.dir.path().join("replica.db");
    let out = primary
        .cmd()
        .args(["replica-region", "add", "--region", "eu-west-1", "--vault"])
        .arg(&replica_path)
        .args(coffer_tests::TEST_KDF)
        .env("COFFER_REPLICA_PASSPHRASE", "replica pass")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replica = TestVault {
        dir: tempfile::tempdir().unwrap(),
        path: replica_path,
        passphrase: "replica pass".into(),
    };
    let (p_akid, p_secret) = app_user(&primary, "app");
    let (r_akid, r_secret) = app_user(&replica, "app");
    let created = primary.json(&[
        "create-secret",
        "--name",
        "app/db",
        "--secret-string",
        "s3cr3t",
    ]);
    primary.json(&[
        "replicate-secret-to-regions",
        "--secret-id",
        "app/db",
        "--add-replica-regions",
        "eu-west-1",
    ]);
    let mut cmd = primary.cmd();
    cmd.args(["serve", "--listen", "127.0.0.1:0"]);
    let server = Server::coffer(cmd, primary.dir.path().join("serve.log"));
    let script = r#"
import json, sys, boto3
from botocore.exceptions import ClientError
url, region, akid, secret = sys.argv[1:5]
sm = boto3.client("secretsmanager", endpoint_url=url, region_name=region,
                  aws_access_key_id=akid, aws_secret_access_key=secret)
out = {}
try:
    v = sm.get_secret_value(SecretId="app/db")
    out["arn"] = v["ARN"]
    out["matches"] = v["SecretString"] == "s3cr3t"
    out["primary"] = sm.describe_secret(SecretId="app/db").get("PrimaryRegion")
    try:
        sm.put_secret_value(SecretId="app/db", SecretString="other")
        out["put"] = "none"
    except ClientError as e:
        out["put"] = e.response["Error"]["Code"]
except ClientError as e:
    out["error"] = e.response["Error"]["Code"]
print(json.dumps(out))
"#;
    let ask = |region: &str, akid: &str, secret: &str| -> serde_json::Value {
        serde_json::from_str(&boto3(script, &[&server.url, region, akid, secret])).unwrap()
    };
    let west = ask("eu-west-1", &r_akid, &r_secret);
    assert_eq!(
        west["arn"].as_str().unwrap(),
        created["ARN"]
            .as_str()
            .unwrap()
            .replace(":us-east-1:", ":eu-west-1:")
    );
    assert_eq!(west["matches"], true);
    assert_eq!(west["primary"], "us-east-1");
    assert_eq!(west["put"], "InvalidParameterException");
    // The replica answers with its own principals: the primary's key is unknown there.
    assert_eq!(
        ask("eu-west-1", &p_akid, &p_secret)["error"],
        "UnrecognizedClientException"
    );
    assert_eq!(ask("us-east-1", &p_akid, &p_secret)["matches"], true);
    assert_eq!(
        ask("ap-south-1", &p_akid, &p_secret)["error"],
        "InvalidRequestException"
    );
}

#[test]
fn serve_refuses_a_wrong_passphrase() {
    let v = TestVault::init();
    let out = v
        .cmd()
        .env("COFFER_PASSPHRASE", "not the passphrase")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("AccessDeniedException"));
}

/// A role `name` under `path` with SecretsManagerReadWrite, and its sessions' access key.
fn app_role(v: &TestVault, name: &str, path: &str) -> (String, String) {
    v.json(&[
        "iam",
        "create-role",
        "--role-name",
        name,
        "--path",
        path,
        "--assume-role-policy-document",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
    ]);
    v.json(&[
        "iam",
        "attach-role-policy",
        "--role-name",
        name,
        "--policy-arn",
        "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
    ]);
    let k = v.json(&["iam", "create-access-key", "--role-name", name]);
    (
        k["AccessKey"]["AccessKeyId"].as_str().unwrap().to_string(),
        k["AccessKey"]["SecretAccessKey"]
            .as_str()
            .unwrap()
            .to_string(),
    )
}

/// GetSecretValue through boto3 with a key pair: `value <SecretString>`, or the error's code
/// and message.
fn get_secret_value(server: &Server, akid: &str, secret: &str, id: &str) -> String {
    let script = r#"
import sys, boto3
from botocore.exceptions import ClientError
sm = boto3.client("secretsmanager", endpoint_url=sys.argv[1], region_name="us-east-1",
                  aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
try:
    print("value " + sm.get_secret_value(SecretId=sys.argv[4])["SecretString"])
except ClientError as e:
    print(e.response["Error"]["Code"] + " " + e.response["Error"]["Message"])
"#;
    boto3(script, &[&server.url, akid, secret, id])
}

/// AWS global condition context keys, `aws:PrincipalArn`: "For IAM roles, the request context
/// returns the ARN of the role, not the ARN of the user that assumed the role." So the guard
/// "deny everyone except role X" lets X's sessions through, and denies another role's.
#[test]
fn deny_all_but_a_role_admits_that_roles_sessions_through_the_endpoint() {
    let v = TestVault::init();
    let (app_akid, app_secret) = app_role(&v, "app", "/team/");
    let (other_akid, other_secret) = app_role(&v, "other", "/");
    let created = v.json(&["create-secret", "--name", "db", "--secret-string", "s3cret"]);
    let arn = created["ARN"].as_str().unwrap();
    let guard = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"secretsmanager:*","Resource":"*","Condition":{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/team/app"}}}]}"#;
    v.json(&[
        "put-resource-policy",
        "--secret-id",
        "db",
        "--resource-policy",
        guard,
    ]);

    let mut cmd = v.cmd();
    cmd.args(["serve", "--listen", "127.0.0.1:0"]);
    let server = Server::coffer(cmd, v.dir.path().join("serve.log"));
    assert_eq!(
        get_secret_value(&server, &app_akid, &app_secret, "db"),
        "value s3cret"
    );
    assert_eq!(
        get_secret_value(&server, &other_akid, &other_secret, "db"),
        format!(
            "AccessDeniedException User: arn:aws:sts::111122223333:assumed-role/other/coffer \
             is not authorized to perform: secretsmanager:GetSecretValue on resource: {arn} \
             with an explicit deny in a resource-based policy"
        )
    );
    let status = server.terminate();
    assert!(status.success(), "coffer serve exited with {status}");
}
