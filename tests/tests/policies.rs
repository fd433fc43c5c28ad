//! Principals and policies through the CLI: an operator confined to dev/*, resource
//! policies, access keys, the simulator and effective access.

use coffer_tests::TestVault;
use serde_json::Value;

const KDF: [&str; 4] = ["--kdf-memory-kib", "19456", "--kdf-iterations", "2"];

fn add_operator(v: &TestVault, name: &str, pass: &str) {
    let out = v
        .cmd()
        .args(["operator", "add", name])
        .args(KDF)
        .env("COFFER_NEW_PASSPHRASE", pass)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn as_op(v: &TestVault, name: &str, pass: &str, args: &[&str]) -> std::process::Output {
    v.cmd()
        .env("COFFER_OPERATOR", name)
        .env("COFFER_PASSPHRASE", pass)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn an_operator_limited_to_dev_cannot_read_prod_and_the_denial_is_audited() {
    let v = TestVault::init();
    v.json(&[
        "create-secret",
        "--name",
        "dev/app",
        "--secret-string",
        "dev-value",
    ]);
    v.json(&[
        "create-secret",
        "--name",
        "prod/app",
        "--secret-string",
        "prod-value",
    ]);
    add_operator(&v, "dana", "dana pass");
    let arn_prefix = "arn:aws:secretsmanager:us-east-1:111122223333:secret:";
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"DevOnly","Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":"{arn_prefix}dev/*"}}]}}"#
    );
    v.json(&[
        "--operator",
        "admin",
        "iam",
        "put-user-policy",
        "--user-name",
        "dana",
        "--policy-name",
        "dev-only",
        "--policy-document",
        &policy,
    ]);
    let dev = as_op(
        &v,
        "dana",
        "dana pass",
        &[
            "get-secret-value",
            "--secret-id",
            "dev/app",
            "--query",
            "SecretString",
            "--output",
            "text",
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&dev.stdout).trim(),
        "dev-value",
        "{}",
        String::from_utf8_lossy(&dev.stderr)
    );
    let prod = as_op(
        &v,
        "dana",
        "dana pass",
        &["get-secret-value", "--secret-id", "prod/app"],
    );
    assert_eq!(prod.status.code(), Some(254));
    let err = String::from_utf8_lossy(&prod.stderr);
    assert!(
        err.contains("An error occurred (AccessDeniedException) when calling the GetSecretValue operation: User: arn:aws:iam::111122223333:user/dana is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/app-"),
        "{err}"
    );
    assert!(
        err.contains(
            "because no identity-based policy allows the secretsmanager:GetSecretValue action"
        ),
        "{err}"
    );
    assert!(!String::from_utf8_lossy(&prod.stdout).contains("prod-value"));
    // The denial is in the audit log, under dana's name.
    let denied = v.json(&[
        "--operator",
        "admin",
        "audit",
        "list",
        "--principal",
        "dana",
        "--errors-only",
    ]);
    let events = denied["Events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["ErrorCode"], "AccessDeniedException");
    assert!(
        events[0]["SecretARN"]
            .as_str()
            .unwrap()
            .contains("prod/app")
    );
    // An explicit deny in the secret's resource policy beats her allow.
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/dana"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
    v.json(&[
        "--operator",
        "admin",
        "put-resource-policy",
        "--secret-id",
        "dev/app",
        "--resource-policy",
        deny,
    ]);
    let now_denied = as_op(
        &v,
        "dana",
        "dana pass",
        &["get-secret-value", "--secret-id", "dev/app"],
    );
    assert!(
        String::from_utf8_lossy(&now_denied.stderr)
            .contains("with an explicit deny in a resource-based policy")
    );
    // Removing her makes her passphrase fail.
    v.json(&["--operator", "admin", "operator", "remove", "dana"]);
    assert_eq!(
        as_op(&v, "dana", "dana pass", &["list-secrets"])
            .status
            .code(),
        Some(253)
    );
}

#[test]
fn resource_policies_are_validated_and_public_ones_can_be_blocked() {
    let v = TestVault::init();
    v.json(&["create-secret", "--name", "s", "--secret-string", "x"]);
    let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
    assert_eq!(
        v.fails(&[
            "put-resource-policy",
            "--secret-id",
            "s",
            "--resource-policy",
            public,
            "--block-public-policy"
        ])
        .1,
        "PublicPolicyException"
    );
    assert_eq!(
        v.fails(&[
            "put-resource-policy",
            "--secret-id",
            "s",
            "--resource-policy",
            "{not json"
        ])
        .1,
        "MalformedPolicyDocumentException"
    );
    let report = v.json(&["validate-resource-policy", "--resource-policy", public]);
    assert_eq!(report["PolicyValidationPassed"], false);
    assert!(!report["ValidationErrors"].as_array().unwrap().is_empty());
    let fine = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
    v.json(&[
        "put-resource-policy",
        "--secret-id",
        "s",
        "--resource-policy",
        fine,
        "--block-public-policy",
    ]);
    let got = v.json(&["get-resource-policy", "--secret-id", "s"]);
    assert_eq!(got["ResourcePolicy"], fine);
    v.json(&["delete-resource-policy", "--secret-id", "s"]);
    assert!(
        v.json(&["get-resource-policy", "--secret-id", "s"])
            .get("ResourcePolicy")
            .is_none()
    );
}

#[test]
fn access_keys_are_created_listed_deactivated_and_deleted() {
    let v = TestVault::init();
    v.json(&[
        "iam",
        "create-user",
        "--user-name",
        "app1",
        "--tags",
        "Key=team,Value=web",
    ]);
    let key = v.json(&["iam", "create-access-key", "--user-name", "app1"]);
    let id = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with("AKIA") && id.len() == 20);
    assert_eq!(
        key["AccessKey"]["SecretAccessKey"].as_str().unwrap().len(),
        40
    );
    let listed = v.json(&["iam", "list-access-keys", "--user-name", "app1"]);
    assert_eq!(listed["AccessKeyMetadata"][0]["Status"], "Active");
    assert!(
        listed.to_string().find("SecretAccessKey").is_none(),
        "the secret shows once, at creation"
    );
    v.json(&[
        "iam",
        "update-access-key",
        "--access-key-id",
        &id,
        "--status",
        "Inactive",
    ]);
    assert_eq!(
        v.json(&["iam", "list-access-keys", "--user-name", "app1"])["AccessKeyMetadata"][0]["Status"],
        "Inactive"
    );
    v.json(&["iam", "delete-access-key", "--access-key-id", &id]);
    assert_eq!(
        v.json(&["iam", "list-access-keys", "--user-name", "app1"])["AccessKeyMetadata"],
        Value::Array(vec![])
    );
    assert_eq!(
        v.fails(&["iam", "delete-access-key", "--access-key-id", &id])
            .1,
        "NoSuchEntity"
    );
    v.json(&["iam", "create-role", "--role-name", "batch", "--assume-role-policy-document", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#]);
    let role_key = v.json(&["iam", "create-access-key", "--role-name", "batch"]);
    assert_eq!(
        role_key["AccessKey"]["PrincipalArn"],
        "arn:aws:sts::111122223333:assumed-role/batch/coffer"
    );
}

#[test]
fn the_simulator_and_effective_access_explain_decisions() {
    let v = TestVault::init();
    v.json(&["create-secret", "--name", "prod/db", "--secret-string", "x"]);
    let allow = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
    let sim = v.json(&[
        "iam",
        "simulate-custom-policy",
        "--policy-input-list",
        allow,
        "--action-names",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DeleteSecret",
    ]);
    let results = sim["EvaluationResults"].as_array().unwrap();
    assert_eq!(results[0]["EvalDecision"], "allowed");
    assert_eq!(
        results[0]["MatchedStatements"][0]["SourcePolicyId"],
        "PolicyInputList.1"
    );
    assert_eq!(results[1]["EvalDecision"], "implicitDeny");
    v.json(&["iam", "create-user", "--user-name", "reader"]);
    v.json(&[
        "iam",
        "put-user-policy",
        "--user-name",
        "reader",
        "--policy-name",
        "read",
        "--policy-document",
        allow,
    ]);
    let p = v.json(&[
        "iam",
        "simulate-principal-policy",
        "--policy-source-arn",
        "arn:aws:iam::111122223333:user/reader",
        "--action-names",
        "secretsmanager:GetSecretValue",
    ]);
    assert_eq!(p["EvaluationResults"][0]["EvalDecision"], "allowed");
    let access = v.json(&["get-effective-access", "--secret-id", "prod/db"]);
    let principals = access["Principals"].as_array().unwrap();
    let reader = principals
        .iter()
        .find(|p| p["PrincipalArn"].as_str().unwrap().ends_with("user/reader"))
        .unwrap();
    let get = reader["Decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["Action"] == "secretsmanager:GetSecretValue")
        .unwrap();
    assert_eq!(get["Decision"], "allowed");
    assert_eq!(get["Statements"][0]["Sid"], "Read");
    let delete = reader["Decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["Action"] == "secretsmanager:DeleteSecret")
        .unwrap();
    assert_eq!(delete["Decision"], "implicitDeny");
    let admin = principals
        .iter()
        .find(|p| p["PrincipalArn"].as_str().unwrap().ends_with("user/admin"))
        .unwrap();
    assert!(
        admin["Decisions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["Decision"] == "allowed")
    );
}

#[test]
fn a_value_read_needs_kms_decrypt_on_a_customer_key_as_well() {
    let v = TestVault::init();
    let key = v.json(&["kms", "create-key", "--description", "team key"]);
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    v.json(&[
        "create-secret",
        "--name",
        "team/db",
        "--secret-string",
        "team-value",
        "--kms-key-id",
        &key_id,
    ]);
    v.json(&[
        "create-secret",
        "--name",
        "team/plain",
        "--secret-string",
        "plain-value",
    ]);
    add_operator(&v, "erin", "erin pass");
    let read_only = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
    v.json(&[
        "--operator",
        "admin",
        "iam",
        "put-user-policy",
        "--user-name",
        "erin",
        "--policy-name",
        "read",
        "--policy-document",
        read_only,
    ]);
    // The default aws/secretsmanager key lets every principal of the account decrypt through
    // Secrets Manager; a customer key leaves it to IAM.
    assert!(
        as_op(
            &v,
            "erin",
            "erin pass",
            &["get-secret-value", "--secret-id", "team/plain"]
        )
        .status
        .success()
    );
    let denied = as_op(
        &v,
        "erin",
        "erin pass",
        &["get-secret-value", "--secret-id", "team/db"],
    );
    let err = String::from_utf8_lossy(&denied.stderr);
    assert!(err.contains("is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/"), "{err}");
    let decrypt = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/{key_id}"}}]}}"#
    );
    v.json(&[
        "--operator",
        "admin",
        "iam",
        "put-user-policy",
        "--user-name",
        "erin",
        "--policy-name",
        "decrypt",
        "--policy-document",
        &decrypt,
    ]);
    let ok = as_op(
        &v,
        "erin",
        "erin pass",
        &[
            "get-secret-value",
            "--secret-id",
            "team/db",
            "--query",
            "SecretString",
            "--output",
            "text",
        ],
    );
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "team-value");
    // A key policy that denies her wins over her identity policy.
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/erin"},"Action":"kms:Decrypt","Resource":"*"}]}"#;
    v.json(&[
        "--operator",
        "admin",
        "kms",
        "put-key-policy",
        "--key-id",
        &key_id,
        "--policy",
        deny,
    ]);
    let denied = as_op(
        &v,
        "erin",
        "erin pass",
        &["get-secret-value", "--secret-id", "team/db"],
    );
    assert!(
        String::from_utf8_lossy(&denied.stderr)
            .contains("with an explicit deny in a resource-based policy")
    );
    let policy = v.json(&[
        "--operator",
        "admin",
        "kms",
        "get-key-policy",
        "--key-id",
        &key_id,
    ]);
    assert!(policy["Policy"].as_str().unwrap().contains("user/erin"));
}

/// `aws iam simulate-custom-policy` as the AWS CLI reference documents it: shorthand context
/// entries (a `[a,b]` list and the reference's quoted example), `--resource-owner` as an
/// account's root ARN, a permissions boundary, and AWS CLI paging (`--max-items`, then
/// `--starting-token` with the `NextToken` it printed).
#[test]
fn simulate_custom_policy_speaks_the_aws_cli() {
    let v = TestVault::init();
    let tagged = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]},"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}"#;
    let sim = |extra: &[&str]| {
        let mut args = vec![
            "iam",
            "simulate-custom-policy",
            "--policy-input-list",
            tagged,
            "--action-names",
            "secretsmanager:GetSecretValue",
            "--context-entries",
            "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date",
        ];
        args.extend_from_slice(extra);
        v.json(&args)
    };
    let allowed =
        sim(&["ContextKeyName=aws:TagKeys,ContextKeyValues=[a,b],ContextKeyType=stringList"]);
    assert_eq!(allowed["EvaluationResults"][0]["EvalDecision"], "allowed");
    assert_eq!(
        allowed["EvaluationResults"][0]["MissingContextValues"],
        serde_json::json!([])
    );
    let denied =
        sim(&["ContextKeyName=aws:TagKeys,ContextKeyValues=[a,c],ContextKeyType=stringList"]);
    assert_eq!(
        denied["EvaluationResults"][0]["EvalDecision"],
        "implicitDeny"
    );

    let allow_all =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
    let boundary = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"secretsmanager:Describe*","Resource":"*"}}"#;
    let out = v.json(&[
        "iam",
        "simulate-custom-policy",
        "--policy-input-list",
        allow_all,
        "--permissions-boundary-policy-input-list",
        boundary,
        "--action-names",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "--caller-arn",
        "arn:aws:iam::111122223333:user/alice",
        "--resource-owner",
        "arn:aws:iam::111122223333:root",
        "--resource-arns",
        "arn:aws:s3:::bucket",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:x",
        "--max-items",
        "3",
    ]);
    let results = out["EvaluationResults"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["EvalDecision"], "allowed");
    assert_eq!(
        results[0]["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        true
    );
    assert_eq!(
        results[0]["MatchedStatements"][1]["SourcePolicyId"],
        "PermissionsBoundaryPolicyInputList.1"
    );
    assert_eq!(results[2]["EvalDecision"], "implicitDeny");
    assert!(out.get("IsTruncated").is_none() && out.get("Marker").is_none());
    let token = out["NextToken"].as_str().unwrap();
    let rest = v.json(&[
        "iam",
        "simulate-custom-policy",
        "--policy-input-list",
        allow_all,
        "--permissions-boundary-policy-input-list",
        boundary,
        "--action-names",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "--caller-arn",
        "arn:aws:iam::111122223333:user/alice",
        "--resource-owner",
        "arn:aws:iam::111122223333:root",
        "--resource-arns",
        "arn:aws:s3:::bucket",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:x",
        "--starting-token",
        token,
        "--page-size",
        "1",
    ]);
    let rest = rest["EvaluationResults"].as_array().unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0]["EvalActionName"], "secretsmanager:GetSecretValue");
    assert_eq!(
        rest[0]["EvalResourceName"],
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:x"
    );
    assert_eq!(rest[0]["EvalDecisionDetails"], serde_json::json!({}));

    let (_, code) = v.fails(&[
        "iam",
        "simulate-custom-policy",
        "--policy-input-list",
        allow_all,
        "--action-names",
        "secretsmanager:GetSecretValue",
        "--resource-owner",
        "111122223333",
    ]);
    assert_eq!(code, "InvalidInput");
    let wildcard_principal = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"*","Resource":"*"}}"#;
    let (_, code) = v.fails(&[
        "iam",
        "simulate-custom-policy",
        "--policy-input-list",
        allow_all,
        "--action-names",
        "secretsmanager:GetSecretValue",
        "--caller-arn",
        "arn:aws:iam::111122223333:user/alice",
        "--resource-policy",
        wildcard_principal,
    ]);
    assert_eq!(code, "InvalidInput");
}

/// `simulate-principal-policy --policy-input-list` adds documents to the principal's own;
/// the result names each source.
#[test]
fn simulate_principal_policy_adds_the_policy_input_list_to_the_principals_policies() {
    let v = TestVault::init();
    v.json(&["iam", "create-user", "--user-name", "reader"]);
    let read = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
    v.json(&[
        "iam",
        "put-user-policy",
        "--user-name",
        "reader",
        "--policy-name",
        "read",
        "--policy-document",
        read,
    ]);
    let deny = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"secretsmanager:GetSecretValue","Resource":"*"}}"#;
    let out = v.json(&[
        "iam",
        "simulate-principal-policy",
        "--policy-source-arn",
        "arn:aws:iam::111122223333:user/reader",
        "--policy-input-list",
        deny,
        "--action-names",
        "secretsmanager:GetSecretValue",
    ]);
    let r = &out["EvaluationResults"][0];
    assert_eq!(r["EvalDecision"], "explicitDeny");
    assert_eq!(
        r["MatchedStatements"][0]["SourcePolicyId"],
        "PolicyInputList.1"
    );
    let out = v.json(&[
        "iam",
        "simulate-principal-policy",
        "--policy-source-arn",
        "arn:aws:iam::111122223333:user/reader",
        "--action-names",
        "secretsmanager:GetSecretValue",
    ]);
    let r = &out["EvaluationResults"][0];
    assert_eq!(r["EvalDecision"], "allowed");
    assert_eq!(r["MatchedStatements"][0]["SourcePolicyId"], "read");
    assert_eq!(r["MatchedStatements"][0]["SourcePolicyType"], "user");
    // `--policy-exclusion-list`: "test what the simulation result would be if a policy were
    // removed" (IAM API reference, SimulatePrincipalPolicy).
    for exclusion in [
        "PolicyType=inline",
        r#"{"InlinePolicyIdentifier": {"PolicyName": "read", "AttachmentType": "user", "AttachmentName": "rea*"}}"#,
    ] {
        let out = v.json(&[
            "iam",
            "simulate-principal-policy",
            "--policy-source-arn",
            "arn:aws:iam::111122223333:user/reader",
            "--action-names",
            "secretsmanager:GetSecretValue",
            "--policy-exclusion-list",
            exclusion,
        ]);
        assert_eq!(
            out["EvaluationResults"][0]["EvalDecision"], "implicitDeny",
            "{exclusion}"
        );
    }
    let (_, code) = v.fails(&[
        "iam",
        "simulate-principal-policy",
        "--policy-source-arn",
        "arn:aws:iam::111122223333:user/reader",
        "--action-names",
        "secretsmanager:GetSecretValue",
        "--policy-exclusion-list",
        "PolicyType=everything",
    ]);
    assert_eq!(code, "InvalidInput");
}

/// The consoles' Access tab reads `get-effective-access`: under a "deny everyone except role
/// app" guard, role app's sessions are allowed by the identity policy and another role's are
/// denied by the guard, which the result names as the deciding statement.
#[test]
fn effective_access_shows_the_guard_admitting_its_roles_sessions_and_denying_another_role() {
    let v = TestVault::init();
    v.json(&["create-secret", "--name", "prod/db", "--secret-string", "x"]);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let read = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
    for role in ["app", "other"] {
        v.json(&[
            "iam",
            "create-role",
            "--role-name",
            role,
            "--assume-role-policy-document",
            trust,
        ]);
        v.json(&[
            "iam",
            "put-role-policy",
            "--role-name",
            role,
            "--policy-name",
            "read",
            "--policy-document",
            read,
        ]);
    }
    let guard = r#"{"Version":"2012-10-17","Statement":[{"Sid":"OnlyApp","Effect":"Deny","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"ArnNotEquals":{"aws:PrincipalArn":["arn:aws:iam::111122223333:role/app","arn:aws:iam::111122223333:user/admin"]}}}]}"#;
    v.json(&[
        "put-resource-policy",
        "--secret-id",
        "prod/db",
        "--resource-policy",
        guard,
    ]);
    let access = v.json(&["get-effective-access", "--secret-id", "prod/db"]);
    let get_of = |role: &str| {
        let p = access["Principals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| {
                p["PrincipalArn"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("assumed-role/{role}/"))
            })
            .unwrap_or_else(|| panic!("{role} missing: {access}"))
            .clone();
        p["Decisions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["Action"] == "secretsmanager:GetSecretValue")
            .unwrap()
            .clone()
    };
    let app = get_of("app");
    assert_eq!(app["Decision"], "allowed", "{app}");
    assert_eq!(app["Statements"][0]["Sid"], "Read");
    let other = get_of("other");
    assert_eq!(other["Decision"], "explicitDeny", "{other}");
    assert_eq!(other["Statements"][0]["Sid"], "OnlyApp");
    assert_eq!(other["Statements"][0]["PolicyType"], "resource");
}
