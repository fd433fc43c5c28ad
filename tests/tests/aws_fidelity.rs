//! AWS's exact answers (issue #17 item 3): one test per rule of `docs/AWS-FIDELITY.md`, each
//! sending raw signed HTTP (no SDK fills anything in) and pinning the bytes of the answer —
//! the error's `__type` and `message`, the fields present and absent — with the source that
//! says AWS answers so written beside it. A rule whose message no source gives is pinned to
//! its code only, and the table says the text is Coffer's.
//!
//! **Why this file is long:** one test per rule R1–R32 of docs/AWS-FIDELITY.md, in the table's
//! order, so a rule and its test are found by number.

use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;

use coffer_core::SecretText;
use coffer_core::sigv4::{Credentials, JsonRequest, sign_json_request};
use coffer_tests::raw_http::{Client, Reply, address};
use coffer_tests::{Server, TestVault, coffer_bin};
use serde_json::{Value, json};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const TOKEN: &str = "00000000-0000-4000-8000-000000000001";
const OTHER_TOKEN: &str = "00000000-0000-4000-8000-000000000002";
const NOT_FOUND: &str = "Secrets Manager can't find the specified secret.";
const INVALID_NAME: &str = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!";

/// An endpoint under test and a keep-alive connection to it, signing as `creds`.
struct Endpoint {
    _dir: Option<tempfile::TempDir>,
    _vault: Option<TestVault>,
    server: Server,
    client: Client,
    creds: Credentials,
}

impl Endpoint {
    /// `coffer serve --ephemeral`, as test suites drive it.
    fn emulator() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(coffer_bin());
        cmd.args(["serve", "--ephemeral", "--listen", "127.0.0.1:0"])
            .env("COFFER_VAULT", dir.path().join("no-vault.db"))
            .env_remove("COFFER_PASSPHRASE")
            .current_dir(dir.path());
        let server = Server::coffer(cmd, dir.path().join("serve.log"));
        let client = Client::connect(LOOPBACK, address(&server.url));
        Self {
            _dir: Some(dir),
            _vault: None,
            server,
            client,
            creds: creds("AKIATESTCLIENT", "test-secret"),
        }
    }

    /// `coffer serve` on a vault, signing with the access key of a user allowed
    /// SecretsManagerReadWrite.
    fn vault() -> Self {
        let v = TestVault::init();
        v.json(&["iam", "create-user", "--user-name", "app"]);
        v.json(&[
            "iam",
            "attach-user-policy",
            "--user-name",
            "app",
            "--policy-arn",
            "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
        ]);
        let k = v.json(&["iam", "create-access-key", "--user-name", "app"]);
        let mut cmd = v.cmd();
        cmd.args(["serve", "--listen", "127.0.0.1:0"]);
        let server = Server::coffer(cmd, v.dir.path().join("serve.log"));
        let client = Client::connect(LOOPBACK, address(&server.url));
        Self {
            _dir: None,
            creds: creds(
                k["AccessKey"]["AccessKeyId"].as_str().unwrap(),
                k["AccessKey"]["SecretAccessKey"].as_str().unwrap(),
            ),
            _vault: Some(v),
            server,
            client,
        }
    }

    /// `operation` with `body` exactly as given, signed for `region`.
    fn raw_in(&mut self, region: &str, operation: &str, body: &str) -> Reply {
        let host = address(&self.server.url).to_string();
        let target = format!("secretsmanager.{operation}");
        let headers = sign_json_request(
            &JsonRequest {
                host: &host,
                path: "/",
                target: &target,
                body: body.as_bytes(),
                region,
                service: "secretsmanager",
                time: jiff::Timestamp::now(),
            },
            &self.creds,
        );
        let mut request = format!("POST / HTTP/1.1\r\nHost: {host}\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        self.client.send(request.as_bytes()).expect("a reply")
    }

    /// Signs from now on as account `account` of the emulator: an access key id of 12 digits
    /// is the account (README, "where it differs from AWS").
    fn as_account(&mut self, account: &str) {
        self.creds = creds(account, "test-secret");
    }

    fn call(&mut self, operation: &str, body: Value) -> Reply {
        self.raw_in("us-east-1", operation, &body.to_string())
    }

    /// `operation`, expected to succeed: its JSON answer.
    fn ok(&mut self, operation: &str, body: Value) -> Value {
        let r = self.call(operation, body);
        assert_eq!(
            r.status,
            200,
            "{operation}: {}",
            String::from_utf8_lossy(&r.body)
        );
        r.json()
    }

    /// A secret named `name` with one value, made with a token as an SDK would send it.
    fn secret(&mut self, name: &str) -> Value {
        self.ok(
            "CreateSecret",
            json!({"Name": name, "SecretString": "v1", "ClientRequestToken": TOKEN}),
        )
    }
}

fn creds(akid: &str, secret: &str) -> Credentials {
    Credentials {
        access_key_id: akid.into(),
        secret_access_key: SecretText::new(secret.into()),
        session_token: None,
    }
}

/// The answer is AWS's error, byte for byte: HTTP 400, `application/x-amz-json-1.1`, and the
/// body `{"__type":CODE,"message":MESSAGE}` with nothing else in it.
#[track_caller]
fn assert_error(r: &Reply, code: &str, message: &str) {
    let expected = format!(
        r#"{{"__type":"{code}","message":{}}}"#,
        serde_json::to_string(message).unwrap()
    );
    assert_eq!(String::from_utf8_lossy(&r.body), expected);
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
}

/// The answer is an error of `code` (for rules whose message no source gives: the text is
/// Coffer's and is not pinned).
#[track_caller]
fn assert_code(r: &Reply, code: &str) {
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    let body = r.json();
    assert_eq!(body["__type"], code, "{body}");
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["__type", "message"], "{body}");
}

/// Every operation of botocore's model that takes a `SecretId`, with the other members it
/// requires (valid), so that only the secret's identity decides the answer.
fn secret_id_operations(id: &str) -> Vec<(&'static str, Value)> {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
    vec![
        ("DescribeSecret", json!({"SecretId": id})),
        ("GetSecretValue", json!({"SecretId": id})),
        (
            "PutSecretValue",
            json!({"SecretId": id, "SecretString": "v", "ClientRequestToken": TOKEN}),
        ),
        (
            "UpdateSecret",
            json!({"SecretId": id, "Description": "d", "ClientRequestToken": TOKEN}),
        ),
        (
            "UpdateSecretVersionStage",
            json!({"SecretId": id, "VersionStage": "STAGE", "MoveToVersionId": TOKEN}),
        ),
        ("ListSecretVersionIds", json!({"SecretId": id})),
        ("DeleteSecret", json!({"SecretId": id})),
        ("RestoreSecret", json!({"SecretId": id})),
        (
            "TagResource",
            json!({"SecretId": id, "Tags": [{"Key": "k", "Value": "v"}]}),
        ),
        ("UntagResource", json!({"SecretId": id, "TagKeys": ["k"]})),
        (
            "PutResourcePolicy",
            json!({"SecretId": id, "ResourcePolicy": policy}),
        ),
        ("GetResourcePolicy", json!({"SecretId": id})),
        ("DeleteResourcePolicy", json!({"SecretId": id})),
        ("ListResourcePolicies", json!({"SecretId": id})),
        (
            "RotateSecret",
            json!({"SecretId": id, "ClientRequestToken": TOKEN}),
        ),
        ("CancelRotateSecret", json!({"SecretId": id})),
        (
            "ReplicateSecretToRegions",
            json!({"SecretId": id, "AddReplicaRegions": [{"Region": "eu-west-1"}]}),
        ),
        (
            "RemoveRegionsFromReplication",
            json!({"SecretId": id, "RemoveReplicaRegions": ["eu-west-1"]}),
        ),
        ("StopReplicationToReplica", json!({"SecretId": id})),
        (
            "AssociateCrossAccountReplica",
            json!({"SecretId": id, "CrossAccountReplicaARN": OTHER_ACCOUNT_REPLICA}),
        ),
        (
            "DisassociateCrossAccountReplica",
            json!({"SecretId": id, "CrossAccountReplicaARN": OTHER_ACCOUNT_REPLICA}),
        ),
    ]
}

/// A secret ARN in another account of the emulator, in the test's region.
const OTHER_ACCOUNT_REPLICA: &str =
    "arn:aws:secretsmanager:us-east-1:210987654321:secret:replica-AbCdEf";

// R1. Source: AWS's own Secrets Manager Agent (github.com/aws/aws-secretsmanager-agent, its
// client tests) replays Secrets Manager's errors as {"__type":..., "message":...}; botocore's
// model gives no error an HTTP status of its own, so every one is 400 (awsJson1_1); AWS's
// answer carries `x-amzn-requestid` and `application/x-amz-json-1.1` (aws/aws-sdk-js-v3#1215).
#[test]
fn errors_are_type_and_lowercase_message_with_status_400() {
    let mut e = Endpoint::emulator();
    let r = e.call("GetSecretValue", json!({"SecretId": "nowhere"}));
    assert_error(&r, "ResourceNotFoundException", NOT_FOUND);
    assert!(r.header("x-amzn-requestid").is_some());
}

// R2. Source: aws/aws-sdk-kotlin#1469, AWS's answer to GetSecretValue without SecretId.
#[test]
fn a_missing_required_member_is_value_null() {
    let mut e = Endpoint::emulator();
    let r = e.call("GetSecretValue", json!({}));
    assert_error(
        &r,
        "ValidationException",
        "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
    );
}

// R3. Source: AWS's message for an unknown secret, recorded in aws/aws-secretsmanager-agent's
// tests, digitalis-io/vals-operator#44, lgallard/terraform-aws-secrets-manager#24.
#[test]
fn an_unknown_secret_is_resource_not_found_on_every_operation_that_takes_one() {
    let mut e = Endpoint::emulator();
    for (op, body) in secret_id_operations("nowhere") {
        let r = e.call(op, body);
        assert_error(&r, "ResourceNotFoundException", NOT_FOUND);
    }
}

// R4. Source: AWS's answer to a SecretId with characters a name cannot have — GetSecretValue
// (anomalyco/sst#3795) and RotateSecret (hashicorp/terraform-provider-aws#39406); LocalStack's
// AWS-validated provider checks every operation's SecretId so, and lets an ARN through.
#[test]
fn a_secret_id_outside_a_names_characters_is_invalid_name_on_every_operation() {
    let mut e = Endpoint::emulator();
    for (op, body) in secret_id_operations("my secret") {
        let r = e.call(op, body);
        assert_error(&r, "ValidationException", INVALID_NAME);
    }
    // An ARN (full or partial) has colons and is looked up instead.
    let r = e.call(
        "DescribeSecret",
        json!({"SecretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:nowhere"}),
    );
    assert_error(&r, "ResourceNotFoundException", NOT_FOUND);
}

// R5. Source: as R4 (the same text for CreateSecret's Name: LocalStack's AWS-validated
// provider; the API Reference's CreateSecret: "The secret name can contain ASCII letters,
// numbers, and the following characters: /_+=.@-").
#[test]
fn a_name_outside_its_characters_is_invalid_name_and_makes_nothing() {
    let mut e = Endpoint::emulator();
    let r = e.call(
        "CreateSecret",
        json!({"Name": "prod db!", "SecretString": "v", "ClientRequestToken": TOKEN}),
    );
    assert_error(&r, "ValidationException", INVALID_NAME);
    assert_eq!(e.ok("ListSecrets", json!({}))["SecretList"], json!([]));
}

// R6. Source: AWS's answer to a raw request without ClientRequestToken — CreateSecret
// (async-aws/aws#1069, paperclipai/paperclip#9970), PutSecretValue (aws/aws-sdk-js-v3#4640);
// UpdateSecret and RotateSecret in LocalStack's AWS-validated provider
// (localstack/localstack#8308). The API Reference: "If you generate a raw HTTP request to the
// Secrets Manager service endpoint, then you must generate a ClientRequestToken".
#[test]
fn a_vault_refuses_a_raw_write_without_a_client_request_token() {
    const MISSING: &str =
        "You must provide a ClientRequestToken value. We recommend a UUID-type value.";
    let mut e = Endpoint::vault();
    let r = e.call(
        "CreateSecret",
        json!({"Name": "app/db", "SecretString": "v"}),
    );
    assert_error(&r, "InvalidRequestException", MISSING);
    assert_eq!(e.ok("ListSecrets", json!({}))["SecretList"], json!([]));
    // A secret without a value makes no version: no token is asked for.
    e.ok("CreateSecret", json!({"Name": "app/db"}));
    let r = e.call(
        "PutSecretValue",
        json!({"SecretId": "app/db", "SecretString": "v"}),
    );
    assert_error(&r, "InvalidRequestException", MISSING);
    let r = e.call(
        "UpdateSecret",
        json!({"SecretId": "app/db", "SecretString": "v"}),
    );
    assert_error(&r, "InvalidRequestException", MISSING);
    let r = e.call("RotateSecret", json!({"SecretId": "app/db"}));
    assert_error(&r, "InvalidRequestException", MISSING);
    // With the token an SDK would have sent, the same write is done.
    e.ok(
        "PutSecretValue",
        json!({"SecretId": "app/db", "SecretString": "v", "ClientRequestToken": TOKEN}),
    );
}

// R6 (the emulator's deliberate difference, README): test suites written for moto send raw
// writes without a token (moto's own test_server.py), and moto makes the version id.
#[test]
fn the_emulator_makes_the_version_id_of_a_raw_write_without_a_token() {
    let mut e = Endpoint::emulator();
    let made = e.ok(
        "CreateSecret",
        json!({"Name": "app/db", "SecretString": "v"}),
    );
    assert_eq!(made["VersionId"].as_str().unwrap().len(), 36, "{made}");
}

// R7. Source: AWS's answer for a secret with no value, boto/boto3#2794 ("...for staging label:
// AWSCURRENT"), aws/aws-sdk-js-v3#7701 (the same for AWSPENDING).
#[test]
fn a_secret_without_a_value_has_no_value_for_its_staging_label() {
    let mut e = Endpoint::emulator();
    e.ok("CreateSecret", json!({"Name": "empty"}));
    let r = e.call("GetSecretValue", json!({"SecretId": "empty"}));
    assert_error(
        &r,
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    );
    e.secret("full");
    let r = e.call(
        "GetSecretValue",
        json!({"SecretId": "full", "VersionStage": "AWSPENDING"}),
    );
    assert_error(
        &r,
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
    );
}

// R8. Source: AWS's answer for a secret scheduled for deletion,
// external-secrets/kubernetes-external-secrets#114 and external-secrets/external-secrets#4560.
#[test]
fn a_secret_scheduled_for_deletion_refuses_reads_and_writes() {
    let mut e = Endpoint::emulator();
    e.secret("gone");
    e.ok("DeleteSecret", json!({"SecretId": "gone"}));
    for (op, body) in [
        ("GetSecretValue", json!({"SecretId": "gone"})),
        (
            "PutSecretValue",
            json!({"SecretId": "gone", "SecretString": "v2", "ClientRequestToken": OTHER_TOKEN}),
        ),
    ] {
        let r = e.call(op, body);
        assert_error(
            &r,
            "InvalidRequestException",
            "You can't perform this operation on the secret because it was marked for deletion.",
        );
    }
}

// R9. Source: LocalStack's AWS-validated provider (its message constant
// AWS_INVALID_REQUEST_MESSAGE_CREATE_WITH_SCHEDULED_DELETION) and AWS's answer in
// aws-controllers-k8s/community#2969.
#[test]
fn a_name_scheduled_for_deletion_cannot_be_created_again() {
    let mut e = Endpoint::emulator();
    e.secret("again");
    e.ok("DeleteSecret", json!({"SecretId": "again"}));
    let r = e.call(
        "CreateSecret",
        json!({"Name": "again", "SecretString": "v", "ClientRequestToken": OTHER_TOKEN}),
    );
    assert_error(
        &r,
        "InvalidRequestException",
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
    );
}

// R10. Source: moto 5.2.5's aws_verified test_create_duplicate_secret_without_specifying_token.
#[test]
fn a_name_in_use_is_resource_exists() {
    let mut e = Endpoint::emulator();
    e.secret("taken");
    let r = e.call(
        "CreateSecret",
        json!({"Name": "taken", "SecretString": "v", "ClientRequestToken": OTHER_TOKEN}),
    );
    assert_error(
        &r,
        "ResourceExistsException",
        "The operation failed because the secret taken already exists.",
    );
}

// R11. Source: moto 5.2.5's aws_verified tests test_create_different_secret_with_same_token,
// test_put_different_secret_value_with_same_token, test_update_different_secret_value_with_same_token.
#[test]
fn a_token_reused_for_another_value_names_the_token_and_the_secrets_arn() {
    let mut e = Endpoint::emulator();
    let arn = e.secret("tok")["ARN"].as_str().unwrap().to_string();
    let message = format!(
        "You can't use ClientRequestToken {TOKEN} because that value is already in use for a version of secret {arn}."
    );
    for (op, body) in [
        (
            "CreateSecret",
            json!({"Name": "tok", "SecretString": "other", "ClientRequestToken": TOKEN}),
        ),
        (
            "PutSecretValue",
            json!({"SecretId": arn, "SecretString": "other", "ClientRequestToken": TOKEN}),
        ),
        (
            "UpdateSecret",
            json!({"SecretId": arn, "SecretString": "other", "ClientRequestToken": TOKEN}),
        ),
    ] {
        let r = e.call(op, body);
        assert_error(&r, "ResourceExistsException", &message);
    }
    // The same token with the same value is the same request: answered again, unchanged.
    let again = e.ok(
        "CreateSecret",
        json!({"Name": "tok", "SecretString": "v1", "ClientRequestToken": TOKEN}),
    );
    assert_eq!(again["VersionId"], TOKEN);
}

// R12. Source: moto 5.2.5's aws_verified test_update_secret_version_stage_dont_specify_current_stage.
#[test]
fn moving_awscurrent_without_remove_from_version_id_names_the_version_holding_it() {
    let mut e = Endpoint::emulator();
    e.secret("stage");
    e.ok(
        "PutSecretValue",
        json!({"SecretId": "stage", "SecretString": "v2", "VersionStages": ["AWSPENDING"],
               "ClientRequestToken": OTHER_TOKEN}),
    );
    let r = e.call(
        "UpdateSecretVersionStage",
        json!({"SecretId": "stage", "VersionStage": "AWSCURRENT", "MoveToVersionId": OTHER_TOKEN}),
    );
    assert_error(
        &r,
        "InvalidParameterException",
        &format!(
            "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version {TOKEN}, so you must explicitly reference that version in RemoveFromVersionId."
        ),
    );
}

// R13, R14. Source: the issue's record of AWS's answers ("You can't delete secret … that still
// has replica regions [...]" — AWS's own in gruntwork-io/cloud-nuke#435 — and "Operation not
// permitted on a replica secret. Call must be made in primary secret's region."), both
// InvalidParameterException as moto 5.2.5's test_secrets_duplication.py asserts.
#[test]
fn a_replicated_secret_is_deleted_in_no_region_and_written_in_its_primarys_only() {
    let mut e = Endpoint::emulator();
    let arn = e.secret("shared")["ARN"].as_str().unwrap().to_string();
    e.ok(
        "ReplicateSecretToRegions",
        json!({"SecretId": "shared", "AddReplicaRegions": [{"Region": "eu-west-1"}]}),
    );
    let r = e.call("DeleteSecret", json!({"SecretId": "shared"}));
    assert_error(
        &r,
        "InvalidParameterException",
        &format!("You can't delete secret {arn} that still has replica regions [eu-west-1]"),
    );
    let r = e.raw_in(
        "eu-west-1",
        "UpdateSecret",
        &json!({"SecretId": "shared", "Description": "d", "ClientRequestToken": OTHER_TOKEN})
            .to_string(),
    );
    assert_error(
        &r,
        "InvalidParameterException",
        "Operation not permitted on a replica secret. Call must be made in primary secret's region.",
    );
}

// R15. Source: LocalStack's AWS-validated provider drops an empty Description from
// DescribeSecret (fake_secret_to_dict); botocore's model omits every member left unset.
#[test]
fn an_empty_description_is_left_out_of_describe_and_list() {
    let mut e = Endpoint::emulator();
    e.ok(
        "CreateSecret",
        json!({"Name": "plain", "Description": "", "SecretString": "v", "ClientRequestToken": TOKEN}),
    );
    let d = e.ok("DescribeSecret", json!({"SecretId": "plain"}));
    assert!(d.get("Description").is_none(), "{d}");
    let listed = e.ok("ListSecrets", json!({}));
    assert!(
        listed["SecretList"][0].get("Description").is_none(),
        "{listed}"
    );
}

// R16. Source: moto 5.2.5's test_untag_resource (DescribeSecret keeps "Tags": [] once the last
// tag is removed); LocalStack's AWS-validated provider drops Tags only when never set.
#[test]
fn tags_stay_an_empty_list_after_the_last_is_removed() {
    let mut e = Endpoint::emulator();
    e.secret("tagged");
    e.ok(
        "TagResource",
        json!({"SecretId": "tagged", "Tags": [{"Key": "env", "Value": "prod"}]}),
    );
    e.ok(
        "UntagResource",
        json!({"SecretId": "tagged", "TagKeys": ["env"]}),
    );
    let d = e.ok("DescribeSecret", json!({"SecretId": "tagged"}));
    assert_eq!(d["Tags"], json!([]), "{d}");
}

// R17. Source: botocore's model, DescribeSecretResponse.LastAccessedDate ("This field is omitted
// if the secret has never been retrieved in the Region") and SecretVersionsListEntry
// ("the resolution of this field is at the date level and does not include the time").
#[test]
fn last_accessed_date_is_absent_until_a_read_and_then_a_whole_day() {
    let mut e = Endpoint::emulator();
    e.secret("read-me");
    let d = e.ok("DescribeSecret", json!({"SecretId": "read-me"}));
    assert!(d.get("LastAccessedDate").is_none(), "{d}");
    e.ok("GetSecretValue", json!({"SecretId": "read-me"}));
    let d = e.ok("DescribeSecret", json!({"SecretId": "read-me"}));
    let day = d["LastAccessedDate"].as_f64().expect("set by the read");
    assert_eq!(day % 86_400.0, 0.0, "{d}");
}

// R18. Source: botocore's model — DescribeSecretResponse.VersionIdsToStages lists "the versions
// of the secret that have staging labels attached", ListSecretVersionIds' IncludeDeprecated
// adds the versions without any; LocalStack's AWS-validated provider leaves VersionStages out
// of a deprecated version's entry.
#[test]
fn a_deprecated_version_has_no_stages_and_is_listed_only_when_asked_for() {
    let mut e = Endpoint::emulator();
    e.secret("versions");
    for (i, token) in [OTHER_TOKEN, "00000000-0000-4000-8000-000000000003"]
        .into_iter()
        .enumerate()
    {
        e.ok(
            "PutSecretValue",
            json!({"SecretId": "versions", "SecretString": format!("v{}", i + 2), "ClientRequestToken": token}),
        );
    }
    let d = e.ok("DescribeSecret", json!({"SecretId": "versions"}));
    let stages = d["VersionIdsToStages"].as_object().unwrap();
    assert!(!stages.contains_key(TOKEN), "{d}");
    let listed = e.ok("ListSecretVersionIds", json!({"SecretId": "versions"}));
    assert_eq!(listed["Versions"].as_array().unwrap().len(), 2, "{listed}");
    let all = e.ok(
        "ListSecretVersionIds",
        json!({"SecretId": "versions", "IncludeDeprecated": true}),
    );
    let deprecated = all["Versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["VersionId"] == TOKEN)
        .expect("listed when asked for");
    assert!(deprecated.get("VersionStages").is_none(), "{deprecated}");
}

// R19. Source: AWS's answer recorded in getmoto/moto#3912.
#[test]
fn rotating_without_a_rotation_function_is_refused() {
    let mut e = Endpoint::emulator();
    e.secret("rot");
    let r = e.call(
        "RotateSecret",
        json!({"SecretId": "rot", "ClientRequestToken": OTHER_TOKEN}),
    );
    assert_error(
        &r,
        "InvalidRequestException",
        "No Lambda rotation function ARN is associated with this secret.",
    );
}

// R20, R21. Source: botocore's model (DeleteSecretRequest: "You can't use both this parameter
// and ForceDeleteWithoutRecovery in the same call", RecoveryWindowInDays "from 7 to 30") gives
// the rules; the texts are moto 5.2.5's (without the "An error occurred ..." prefix moto
// writes into the second), which no AWS record contradicts.
// Both are checked before the secret is looked for (validation, then existence).
#[test]
fn delete_secrets_parameters_are_checked_before_the_secret_is_looked_for() {
    let mut e = Endpoint::emulator();
    let r = e.call(
        "DeleteSecret",
        json!({"SecretId": "nowhere", "RecoveryWindowInDays": 7, "ForceDeleteWithoutRecovery": true}),
    );
    assert_error(
        &r,
        "InvalidParameterException",
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
    let r = e.call(
        "DeleteSecret",
        json!({"SecretId": "nowhere", "RecoveryWindowInDays": 3}),
    );
    assert_error(
        &r,
        "InvalidParameterException",
        "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
    );
}

// R22. Source: botocore's model, DeleteSecretRequest.ForceDeleteWithoutRecovery: "If you
// forcibly delete an already deleted or nonexistent secret, the operation does not return
// ResourceNotFoundException."
#[test]
fn force_deleting_a_name_that_does_not_exist_succeeds() {
    let mut e = Endpoint::emulator();
    let d = e.ok(
        "DeleteSecret",
        json!({"SecretId": "never-was", "ForceDeleteWithoutRecovery": true}),
    );
    assert_eq!(d["Name"], "never-was", "{d}");
    assert!(d["DeletionDate"].is_f64(), "{d}");
}

// R23. Validation before existence, existence before state. Source: AWS's validation layer
// answers before the operation runs (R2, R4 are answered for secrets that do not exist);
// a version id's length (botocore: SecretVersionIdType, 32–64) likewise.
#[test]
fn validation_comes_before_existence_and_existence_before_state() {
    let mut e = Endpoint::emulator();
    let r = e.call(
        "GetSecretValue",
        json!({"SecretId": "nowhere", "VersionId": "short"}),
    );
    assert_code(&r, "ValidationException");
    e.secret("here");
    e.ok("DeleteSecret", json!({"SecretId": "here"}));
    // A version that does not exist of a secret scheduled for deletion: the state answers.
    let r = e.call(
        "GetSecretValue",
        json!({"SecretId": "here", "VersionId": OTHER_TOKEN}),
    );
    assert_code(&r, "InvalidRequestException");
}

// R24. Source: localstack/localstack's AWS-validated PutSecretValue ("You must provide either
// SecretString or SecretBinary."); moto 5.2.5 for both at once (the API Reference: "You must
// include SecretBinary or SecretString, but not both").
#[test]
fn a_put_needs_exactly_one_kind_of_value() {
    let mut e = Endpoint::emulator();
    e.secret("one");
    let r = e.call(
        "PutSecretValue",
        json!({"SecretId": "one", "ClientRequestToken": OTHER_TOKEN}),
    );
    assert_error(
        &r,
        "InvalidRequestException",
        "You must provide either SecretString or SecretBinary.",
    );
    let r = e.call(
        "PutSecretValue",
        json!({"SecretId": "one", "SecretString": "s", "SecretBinary": "AAEC",
               "ClientRequestToken": OTHER_TOKEN}),
    );
    assert_error(
        &r,
        "InvalidParameterException",
        "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
}

// R25. Source: getmoto/moto#7592, the shape of AWS's answer: each secret BatchGetSecretValue
// cannot read is an Errors entry {SecretId, ErrorCode, Message}, beside the values it can.
#[test]
fn batch_get_answers_each_unreadable_secret_in_errors() {
    let mut e = Endpoint::emulator();
    e.secret("there");
    let r = e.call(
        "BatchGetSecretValue",
        json!({"SecretIdList": ["there", "nowhere"]}),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let b = r.json();
    assert_eq!(b["SecretValues"].as_array().unwrap().len(), 1, "{b}");
    assert_eq!(b["SecretValues"][0]["Name"], "there");
    assert_eq!(
        b["Errors"],
        json!([{"SecretId": "nowhere", "ErrorCode": "ResourceNotFoundException", "Message": NOT_FOUND}])
    );
}

// R26. Source: botocore's model, PutResourcePolicy/GetResourcePolicy/DeleteResourcePolicy
// PolicyName (ResourcePolicyNameType: 1–64 of [0-9A-Za-z-_]): `default` when left out and in
// every answer; any other name is InvalidParameterException on Put and Delete and
// ResourceNotFoundException on Get. The model gives no message: those texts are Coffer's.
#[test]
fn resource_policies_are_named_default_and_no_other_name_is_taken() {
    let mut e = Endpoint::emulator();
    e.secret("guarded");
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
    let put = e.ok(
        "PutResourcePolicy",
        json!({"SecretId": "guarded", "ResourcePolicy": policy}),
    );
    assert_eq!(put["PolicyName"], "default", "{put}");
    let got = e.ok("GetResourcePolicy", json!({"SecretId": "guarded"}));
    assert_eq!(got["PolicyName"], "default", "{got}");
    let listed = e.ok("ListResourcePolicies", json!({"SecretId": "guarded"}));
    assert_eq!(
        listed,
        json!({"ResourcePolicies": [{"PolicyName": "default"}]})
    );
    let r = e.call(
        "PutResourcePolicy",
        json!({"SecretId": "guarded", "ResourcePolicy": policy, "PolicyName": "other"}),
    );
    assert_code(&r, "InvalidParameterException");
    let r = e.call(
        "DeleteResourcePolicy",
        json!({"SecretId": "guarded", "PolicyName": "other"}),
    );
    assert_code(&r, "InvalidParameterException");
    let r = e.call(
        "GetResourcePolicy",
        json!({"SecretId": "guarded", "PolicyName": "other"}),
    );
    assert_code(&r, "ResourceNotFoundException");
    let r = e.call(
        "GetResourcePolicy",
        json!({"SecretId": "guarded", "PolicyName": "not allowed"}),
    );
    assert_code(&r, "ValidationException");
    let deleted = e.ok(
        "DeleteResourcePolicy",
        json!({"SecretId": "guarded", "PolicyName": "default"}),
    );
    assert_eq!(deleted["PolicyName"], "default", "{deleted}");
    let listed = e.ok("ListResourcePolicies", json!({"SecretId": "guarded"}));
    assert_eq!(listed, json!({"ResourcePolicies": []}));
}

// ---- Cross-account replicas (R27–R32) ----
//
// Sources: botocore 1.44.18's model (`secretsmanager/2017-10-17`): CreateSecret's
// `CrossAccountPrimaryARN` ("The primary secret must be in the same Amazon Web Services Region
// and partition as the replica, and you must specify a customer managed KMS key in KmsKeyId.
// You can't include SecretString, SecretBinary, Description, AddReplicaRegions, or Type"),
// AssociateCrossAccountReplica ("A primary secret can have at most one cross-account replica.
// This operation is idempotent"; errors include LimitExceededException),
// DisassociateCrossAccountReplica ("its replication status changes to Detached"), DeleteSecret
// ("You can't delete a cross-account primary secret that is associated with a cross-account
// replica secret"), StopReplicationToReplica ("promotes the replica in your account to a
// standalone secret ... updates the primary secret's replication status to Detached"), the
// shapes CrossAccountPrimaryType, CrossAccountReplicaEntry and StatusType; the user guide's
// "Monitor cross-account replication" (docs.aws.amazon.com/secretsmanager/latest/userguide/
// cross-account-replicate-status.html: `Pending` — "Only the replica secret shows this
// status"). No source gives AWS's messages for these refusals: the codes are the model's, the
// texts Coffer's (docs/AWS-FIDELITY.md, "Texts that are Coffer's"), so only codes are pinned.

const PRIMARY_ACCOUNT: &str = "123456789012";
const REPLICA_ACCOUNT: &str = "210987654321";

/// A primary `shared` in the default account and its replica `mirror` made in the other
/// account (Pending): their ARNs.
fn primary_and_replica(e: &mut Endpoint) -> (String, String) {
    e.as_account(PRIMARY_ACCOUNT);
    let primary = e.secret("shared")["ARN"].as_str().unwrap().to_string();
    e.as_account(REPLICA_ACCOUNT);
    let replica = e.ok(
        "CreateSecret",
        json!({"Name": "mirror", "CrossAccountPrimaryARN": primary, "KmsKeyId": "alias/replica-key"}),
    );
    (primary, replica["ARN"].as_str().unwrap().to_string())
}

// R27. A cross-account replica is made with no value, `Pending`, naming its primary; what
// the model forbids beside CrossAccountPrimaryARN is refused and makes nothing.
#[test]
fn a_cross_account_replica_is_made_pending_with_no_value_and_only_as_the_model_allows() {
    let mut e = Endpoint::emulator();
    let (primary, replica) = primary_and_replica(&mut e);
    assert!(replica.starts_with("arn:aws:secretsmanager:us-east-1:210987654321:secret:mirror-"));
    let d = e.ok("DescribeSecret", json!({"SecretId": "mirror"}));
    assert_eq!(
        d["CrossAccountPrimary"],
        json!({"PrimarySecretARN": primary, "ReplicationStatus": "Pending"})
    );
    for absent in [
        "CrossAccountReplicas",
        "ReplicationStatus",
        "PrimaryRegion",
        "VersionIdsToStages",
    ] {
        assert!(d.get(absent).is_none(), "{absent} in {d}");
    }
    let r = e.call("GetSecretValue", json!({"SecretId": "mirror"}));
    assert_error(
        &r,
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    );
    let base =
        json!({"Name": "bad", "CrossAccountPrimaryARN": primary, "KmsKeyId": "alias/replica-key"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let other_region = primary.replace("us-east-1", "eu-west-1");
    for body in [
        with("SecretString", json!("v")),
        with("Description", json!("d")),
        with("Type", json!("SalesforceClientSecret")),
        with("AddReplicaRegions", json!([{"Region": "eu-west-1"}])),
        with("KmsKeyId", json!("alias/aws/secretsmanager")),
        with("CrossAccountPrimaryARN", json!(other_region)),
        with(
            "CrossAccountPrimaryARN",
            json!(primary.replace(PRIMARY_ACCOUNT, REPLICA_ACCOUNT)),
        ),
        with(
            "CrossAccountPrimaryARN",
            json!("not-an-arn-but-long-enough"),
        ),
    ] {
        let r = e.call("CreateSecret", body.clone());
        assert_code(&r, "InvalidParameterException");
    }
    let mut no_key = base.clone();
    no_key.as_object_mut().unwrap().remove("KmsKeyId");
    assert_code(&e.call("CreateSecret", no_key), "InvalidParameterException");
    let r = e.call(
        "CreateSecret",
        with("CrossAccountPrimaryARN", json!("arn:aws:short")),
    );
    assert_code(&r, "ValidationException");
    let r = e.call("DescribeSecret", json!({"SecretId": "bad"}));
    assert_error(&r, "ResourceNotFoundException", NOT_FOUND);
}

// R28. AssociateCrossAccountReplica answers `ARN`, `CrossAccountReplicaARN` and
// `ReplicationStatus` (InSync: the emulator replicates before it answers), is idempotent,
// and DescribeSecret shows `CrossAccountReplicas` on the primary and `CrossAccountPrimary`
// on the replica; the primary's later writes reach the replica.
#[test]
fn associating_replicates_at_once_is_idempotent_and_both_sides_describe_it() {
    let mut e = Endpoint::emulator();
    let (primary, replica) = primary_and_replica(&mut e);
    e.as_account(PRIMARY_ACCOUNT);
    let request = json!({"SecretId": "shared", "CrossAccountReplicaARN": replica});
    let expected =
        json!({"ARN": primary, "CrossAccountReplicaARN": replica, "ReplicationStatus": "InSync"});
    assert_eq!(
        e.ok("AssociateCrossAccountReplica", request.clone()),
        expected
    );
    assert_eq!(e.ok("AssociateCrossAccountReplica", request), expected);
    let d = e.ok("DescribeSecret", json!({"SecretId": "shared"}));
    assert_eq!(
        d["CrossAccountReplicas"],
        json!([{"ReplicaSecretARN": replica, "ReplicationStatus": "InSync"}])
    );
    assert!(
        d.get("CrossAccountPrimary").is_none() && d.get("ReplicationStatus").is_none(),
        "{d}"
    );
    e.ok(
        "PutSecretValue",
        json!({"SecretId": "shared", "SecretString": "v2", "ClientRequestToken": OTHER_TOKEN}),
    );
    e.as_account(REPLICA_ACCOUNT);
    let v = e.ok("GetSecretValue", json!({"SecretId": replica}));
    assert_eq!(v["SecretString"], "v2");
    assert_eq!(v["VersionId"], OTHER_TOKEN);
    let d = e.ok("DescribeSecret", json!({"SecretId": "mirror"}));
    assert_eq!(
        d["CrossAccountPrimary"],
        json!({"PrimarySecretARN": primary, "ReplicationStatus": "InSync"})
    );
    assert!(
        d["KmsKeyId"].as_str().unwrap().contains("replica-key"),
        "{d}"
    );
}

// R29. A primary has at most one cross-account replica: LimitExceededException (the model's
// errors for AssociateCrossAccountReplica); the replica in the same region of another
// account only; a secret that did not name this primary as its CrossAccountPrimaryARN is
// refused in its own account (InvalidParameterException) and left as it was.
#[test]
fn a_primary_has_one_cross_account_replica_in_its_region_that_named_it() {
    let mut e = Endpoint::emulator();
    let (primary, replica) = primary_and_replica(&mut e);
    e.as_account(REPLICA_ACCOUNT);
    let second = e.ok(
        "CreateSecret",
        json!({"Name": "mirror2", "CrossAccountPrimaryARN": primary, "KmsKeyId": "alias/replica-key"}),
    )["ARN"]
        .as_str()
        .unwrap()
        .to_string();
    let plain = e.secret("plain")["ARN"].as_str().unwrap().to_string();
    e.as_account(PRIMARY_ACCOUNT);
    let associate = |arn: &str| json!({"SecretId": "shared", "CrossAccountReplicaARN": arn});
    e.ok("AssociateCrossAccountReplica", associate(&replica));
    assert_code(
        &e.call("AssociateCrossAccountReplica", associate(&second)),
        "LimitExceededException",
    );
    e.ok("DisassociateCrossAccountReplica", associate(&replica));
    // A secret that never named this primary: refused there, nothing changes.
    assert_code(
        &e.call("AssociateCrossAccountReplica", associate(&plain)),
        "InvalidParameterException",
    );
    let other_region = second.replace("us-east-1", "eu-west-1");
    assert_code(
        &e.call("AssociateCrossAccountReplica", associate(&other_region)),
        "InvalidParameterException",
    );
    let own_account = primary.clone();
    assert_code(
        &e.call("AssociateCrossAccountReplica", associate(&own_account)),
        "InvalidParameterException",
    );
    let d = e.ok("DescribeSecret", json!({"SecretId": "shared"}));
    assert!(d.get("CrossAccountReplicas").is_none(), "{d}");
    e.as_account(REPLICA_ACCOUNT);
    let d = e.ok("DescribeSecret", json!({"SecretId": "plain"}));
    assert!(d.get("CrossAccountPrimary").is_none(), "{d}");
    assert_eq!(
        e.ok("GetSecretValue", json!({"SecretId": "plain"}))["SecretString"],
        "v1"
    );
}

// R30. A cross-account replica refuses writes (InvalidParameterException, the code AWS
// answers a regional replica, R14) until StopReplicationToReplica makes it standalone; its
// DeleteSecret too ("you can't delete a cross-account replica secret without first stopping
// replication").
#[test]
fn a_cross_account_replica_refuses_writes_and_deletion() {
    let mut e = Endpoint::emulator();
    let (_, replica) = primary_and_replica(&mut e);
    for (op, body) in [
        (
            "PutSecretValue",
            json!({"SecretId": replica, "SecretString": "x", "ClientRequestToken": OTHER_TOKEN}),
        ),
        (
            "UpdateSecret",
            json!({"SecretId": replica, "Description": "d"}),
        ),
        (
            "RotateSecret",
            json!({"SecretId": replica, "ClientRequestToken": OTHER_TOKEN}),
        ),
        (
            "DeleteSecret",
            json!({"SecretId": replica, "ForceDeleteWithoutRecovery": true}),
        ),
        (
            "ReplicateSecretToRegions",
            json!({"SecretId": replica, "AddReplicaRegions": [{"Region": "eu-west-1"}]}),
        ),
    ] {
        assert_code(&e.call(op, body), "InvalidParameterException");
    }
}

// R31. The primary cannot be deleted while its replica is associated
// (InvalidParameterException, R13's code); DisassociateCrossAccountReplica answers `ARN` and
// `CrossAccountReplicaARN`, leaves the replica `Detached` (not standalone: still no writes),
// and the primary can then be deleted.
#[test]
fn disassociating_detaches_the_replica_and_frees_the_primary_for_deletion() {
    let mut e = Endpoint::emulator();
    let (primary, replica) = primary_and_replica(&mut e);
    e.as_account(PRIMARY_ACCOUNT);
    let link = json!({"SecretId": "shared", "CrossAccountReplicaARN": replica});
    e.ok("AssociateCrossAccountReplica", link.clone());
    let r = e.call(
        "DeleteSecret",
        json!({"SecretId": "shared", "ForceDeleteWithoutRecovery": true}),
    );
    assert_code(&r, "InvalidParameterException");
    assert_eq!(
        e.ok("DisassociateCrossAccountReplica", link.clone()),
        json!({"ARN": primary, "CrossAccountReplicaARN": replica})
    );
    assert_code(
        &e.call("DisassociateCrossAccountReplica", link),
        "InvalidParameterException",
    );
    let d = e.ok("DescribeSecret", json!({"SecretId": "shared"}));
    assert!(d.get("CrossAccountReplicas").is_none(), "{d}");
    e.as_account(REPLICA_ACCOUNT);
    let d = e.ok("DescribeSecret", json!({"SecretId": "mirror"}));
    assert_eq!(
        d["CrossAccountPrimary"],
        json!({"PrimarySecretARN": primary, "ReplicationStatus": "Detached"})
    );
    assert_eq!(
        e.ok("GetSecretValue", json!({"SecretId": "mirror"}))["SecretString"],
        "v1"
    );
    let r = e.call(
        "PutSecretValue",
        json!({"SecretId": "mirror", "SecretString": "x", "ClientRequestToken": OTHER_TOKEN}),
    );
    assert_code(&r, "InvalidParameterException");
    e.as_account(PRIMARY_ACCOUNT);
    e.ok(
        "DeleteSecret",
        json!({"SecretId": "shared", "ForceDeleteWithoutRecovery": true}),
    );
}

// R32. StopReplicationToReplica on a cross-account replica makes it a standalone secret
// (no `CrossAccountPrimary`, writes accepted) and the primary's entry `Detached`, which no
// longer holds up its deletion.
#[test]
fn stopping_replication_on_the_replica_makes_it_standalone_and_the_primary_detached() {
    let mut e = Endpoint::emulator();
    let (primary, replica) = primary_and_replica(&mut e);
    e.as_account(PRIMARY_ACCOUNT);
    e.ok(
        "AssociateCrossAccountReplica",
        json!({"SecretId": "shared", "CrossAccountReplicaARN": replica}),
    );
    e.as_account(REPLICA_ACCOUNT);
    assert_eq!(
        e.ok("StopReplicationToReplica", json!({"SecretId": "mirror"})),
        json!({"ARN": replica})
    );
    let d = e.ok("DescribeSecret", json!({"SecretId": "mirror"}));
    assert!(d.get("CrossAccountPrimary").is_none(), "{d}");
    e.ok(
        "PutSecretValue",
        json!({"SecretId": "mirror", "SecretString": "own", "ClientRequestToken": OTHER_TOKEN}),
    );
    e.as_account(PRIMARY_ACCOUNT);
    let d = e.ok("DescribeSecret", json!({"SecretId": primary}));
    assert_eq!(
        d["CrossAccountReplicas"],
        json!([{"ReplicaSecretARN": replica, "ReplicationStatus": "Detached"}])
    );
    e.ok("PutSecretValue", json!({"SecretId": "shared", "SecretString": "later", "ClientRequestToken": "00000000-0000-4000-8000-000000000003"}));
    e.as_account(REPLICA_ACCOUNT);
    assert_eq!(
        e.ok("GetSecretValue", json!({"SecretId": "mirror"}))["SecretString"],
        "own"
    );
    e.as_account(PRIMARY_ACCOUNT);
    e.ok(
        "DeleteSecret",
        json!({"SecretId": "shared", "ForceDeleteWithoutRecovery": true}),
    );
}
