//! The simulator's inputs and its AWS-shaped output. The shapes and rules are botocore's IAM
//! service model (`SimulateCustomPolicyRequest`, `SimulatePolicyResponse`, `EvaluationResult`)
//! and the IAM API reference of `SimulateCustomPolicy` / `SimulatePrincipalPolicy`.

use serde_json::json;

use super::{ACCOUNT, OTHER_ACCOUNT, secret, user};
use crate::ErrorCode;
use crate::policy::{
    ContextEntry, ContextKeyType, EvalDecision, PolicyKind, PolicySource, Simulation, simulate,
};

const DYNAMO_POLICY: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}"#;

fn at(time: &str) -> ContextEntry {
    ContextEntry {
        context_key_name: "aws:CurrentTime".into(),
        context_key_values: vec![time.into()],
        context_key_type: ContextKeyType::Date,
    }
}

#[test]
fn reproduces_the_aws_cli_simulate_custom_policy_example() {
    let sim = Simulation {
        action_names: vec!["dynamodb:CreateBackup".into()],
        context_entries: vec![at("2019-04-25T11:00:00Z")],
        ..Simulation::custom([DYNAMO_POLICY.to_owned()])
    };
    let out = serde_json::to_value(simulate(&sim).unwrap()).unwrap();
    assert_eq!(
        out,
        json!({"EvaluationResults": [{
            "EvalActionName": "dynamodb:CreateBackup",
            "EvalResourceName": "*",
            "EvalDecision": "allowed",
            "MatchedStatements": [{
                "SourcePolicyId": "PolicyInputList.1",
                "SourcePolicyType": "none",
                "StartPosition": {"Line": 1, "Column": 38},
                "EndPosition": {"Line": 1, "Column": 167}
            }],
            "MissingContextValues": []
        }], "IsTruncated": false})
    );
}

#[test]
fn a_condition_that_fails_is_an_implicit_deny_without_statements() {
    let sim = Simulation {
        action_names: vec!["dynamodb:CreateBackup".into()],
        context_entries: vec![at("2014-04-25T11:00:00Z")],
        ..Simulation::custom([DYNAMO_POLICY.to_owned()])
    };
    let result = &simulate(&sim).unwrap().evaluation_results[0];
    assert_eq!(result.eval_decision, EvalDecision::ImplicitDeny);
    assert!(result.matched_statements.is_empty());
}

#[test]
fn missing_context_values_are_listed() {
    let sim = Simulation {
        action_names: vec!["dynamodb:CreateBackup".into(), "s3:GetObject".into()],
        ..Simulation::custom([DYNAMO_POLICY.to_owned()])
    };
    let results = simulate(&sim).unwrap().evaluation_results;
    assert_eq!(results[0].missing_context_values, ["aws:CurrentTime"]);
    assert!(
        results[1].missing_context_values.is_empty(),
        "s3 is not in the policy"
    );
}

#[test]
fn every_action_is_simulated_on_every_resource_with_the_resource_policy() {
    let caller = user(ACCOUNT, "alice");
    let dev = secret(ACCOUNT, "dev/a");
    let prod = secret(ACCOUNT, "prod/a");
    let sim = Simulation {
        policies: vec![PolicySource {
            id: "dev-only".into(),
            kind: PolicyKind::UserManaged,
            document: r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"},
                {"Sid": "NoProd", "Effect": "Deny", "Action": "secretsmanager:GetSecretValue",
                 "Resource": "arn:aws:secretsmanager:*:*:secret:prod/*"}]}"#
                .into(),
        }],
        resource_policy: Some(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*",
                "Action": "secretsmanager:DeleteSecret", "Resource": "*"}}"#
                .into(),
        ),
        action_names: vec![
            "secretsmanager:GetSecretValue".into(),
            "secretsmanager:DeleteSecret".into(),
        ],
        resource_arns: vec![dev.clone(), prod.clone()],
        caller_arn: Some(caller),
        ..Simulation::default()
    };
    let results = simulate(&sim).unwrap().evaluation_results;
    let summary: Vec<_> = results
        .iter()
        .map(|r| {
            let sources: Vec<_> = r
                .matched_statements
                .iter()
                .map(|m| (m.source_policy_id.as_str(), m.source_policy_type.as_str()))
                .collect();
            (r.eval_resource_name.as_str(), r.eval_decision, sources)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                dev.as_str(),
                EvalDecision::Allowed,
                vec![("dev-only", "user-managed")]
            ),
            (
                prod.as_str(),
                EvalDecision::ExplicitDeny,
                vec![("dev-only", "user-managed")]
            ),
            (
                dev.as_str(),
                EvalDecision::ExplicitDeny,
                vec![("ResourcePolicy", "resource")]
            ),
            (
                prod.as_str(),
                EvalDecision::ExplicitDeny,
                vec![("ResourcePolicy", "resource")]
            ),
        ]
    );
    assert_eq!(results[1].matched_statements[0].start_position.line, 3);
}

#[test]
fn a_caller_from_another_account_needs_the_resource_policy() {
    let policy = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
    let sim = Simulation {
        action_names: vec!["secretsmanager:GetSecretValue".into()],
        resource_arns: vec![secret(ACCOUNT, "x")],
        caller_arn: Some(user(OTHER_ACCOUNT, "bob")),
        ..Simulation::custom([policy.to_owned()])
    };
    let result = &simulate(&sim).unwrap().evaluation_results[0];
    assert_eq!(result.eval_decision, EvalDecision::ImplicitDeny);
}

#[test]
fn bad_input_is_refused() {
    let sim = Simulation {
        resource_policy: Some("{}".into()),
        ..Simulation::default()
    };
    assert_eq!(simulate(&sim).unwrap_err().code, ErrorCode::InvalidInput);

    let e = simulate(&Simulation::custom(["{".to_owned()])).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(
        e.message.starts_with("PolicyInputList.1: Syntax error"),
        "{}",
        e.message
    );

    for (values, kind) in [
        (vec!["a", "b"], ContextKeyType::String),
        (vec!["soon"], ContextKeyType::Date),
        (vec!["x"], ContextKeyType::NumericList),
        (vec!["300.1.1.1"], ContextKeyType::Ip),
    ] {
        let sim = Simulation {
            context_entries: vec![ContextEntry {
                context_key_name: "k:k".into(),
                context_key_values: values.iter().map(|v| v.to_string()).collect(),
                context_key_type: kind,
            }],
            ..Simulation::default()
        };
        assert_eq!(
            simulate(&sim).unwrap_err().code,
            ErrorCode::InvalidInput,
            "{values:?}"
        );
    }
}

#[test]
fn context_entries_read_the_aws_cli_json_shape() {
    let entries: Vec<ContextEntry> = serde_json::from_value(json!([
        {"ContextKeyName": "aws:TagKeys", "ContextKeyValues": ["a", "b"], "ContextKeyType": "stringList"},
        {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.1"], "ContextKeyType": "ip"}
    ]))
    .unwrap();
    assert_eq!(entries[0].context_key_type, ContextKeyType::StringList);
    assert_eq!(entries[1].context_key_values, ["10.0.0.1"]);
}

fn get_on(resources: &[String]) -> Simulation {
    Simulation {
        action_names: vec!["secretsmanager:GetSecretValue".into()],
        resource_arns: resources.to_vec(),
        ..Simulation::custom([ALLOW_ALL.to_owned()])
    }
}

const ALLOW_ALL: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;

/// `ResourceOwner`: "An ARN representing the Amazon Web Services account ID that specifies the
/// owner of any simulated resource that does not identify its owner in the resource ARN ...
/// The ARN for an account uses the following syntax: arn:aws:iam::AWS-account-ID:root."
#[test]
fn resource_owner_is_an_accounts_root_arn_and_only_owns_resources_whose_arn_names_none() {
    let bucket = "arn:aws:s3:::bucket".to_owned();
    let own_secret = secret(ACCOUNT, "x");
    let sim = Simulation {
        caller_arn: Some(user(ACCOUNT, "alice")),
        resource_owner: Some(format!("arn:aws:iam::{ACCOUNT}:root")),
        ..get_on(&[bucket.clone(), own_secret.clone()])
    };
    let results = simulate(&sim).unwrap().evaluation_results;
    assert!(
        results
            .iter()
            .all(|r| r.eval_decision == EvalDecision::Allowed),
        "the root ARN names the caller's own account: {results:?}"
    );
    let sim = Simulation {
        resource_owner: Some(format!("arn:aws:iam::{OTHER_ACCOUNT}:root")),
        ..sim
    };
    let results = simulate(&sim).unwrap().evaluation_results;
    assert_eq!(
        results[0].eval_decision,
        EvalDecision::ImplicitDeny,
        "the bucket belongs to the other account: cross-account without a resource policy"
    );
    assert_eq!(
        results[1].eval_decision,
        EvalDecision::Allowed,
        "the secret's ARN names its owner, so ResourceOwner does not apply to it"
    );
    for bad in [
        ACCOUNT.to_owned(),
        user(ACCOUNT, "alice"),
        "arn:aws:iam::*:root".into(),
    ] {
        let sim = Simulation {
            resource_owner: Some(bad.clone()),
            ..get_on(&[])
        };
        assert_eq!(
            simulate(&sim).unwrap_err().code,
            ErrorCode::InvalidInput,
            "{bad}"
        );
    }
}

/// `EvalDecisionDetails`: "populated for only cross-account simulations ... If the simulation
/// evaluates policies within the same account and includes a resource ARN, then the parameter
/// is present but the response is empty. If the simulation evaluates policies within the same
/// account and specifies all resources (*), then the parameter is not returned."
/// `MissingContextValues`: "If you include a list of resources, then any missing context
/// values are instead included under the ResourceSpecificResults section."
#[test]
fn decision_details_and_resource_specific_results_appear_as_iam_documents() {
    let out = serde_json::to_value(simulate(&get_on(&[])).unwrap()).unwrap();
    let star = &out["EvaluationResults"][0];
    assert!(star.get("EvalDecisionDetails").is_none());
    assert!(star.get("ResourceSpecificResults").is_none());

    let own = secret(ACCOUNT, "x");
    let sim = Simulation {
        caller_arn: Some(user(ACCOUNT, "alice")),
        ..get_on(std::slice::from_ref(&own))
    };
    let out = serde_json::to_value(simulate(&sim).unwrap()).unwrap();
    let r = &out["EvaluationResults"][0];
    assert_eq!(r["EvalDecisionDetails"], json!({}));
    assert_eq!(r["ResourceSpecificResults"][0]["EvalResourceName"], own);
    assert_eq!(
        r["ResourceSpecificResults"][0]["EvalResourceDecision"],
        "allowed"
    );
    assert_eq!(
        r["ResourceSpecificResults"][0]["MatchedStatements"],
        r["MatchedStatements"]
    );

    let sim = Simulation {
        caller_arn: Some(user(OTHER_ACCOUNT, "bob")),
        resource_policy: Some(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
                "Principal": {"AWS": "444455556666"}, "Action": "*", "Resource": "*"}}"#
                .into(),
        ),
        ..get_on(std::slice::from_ref(&own))
    };
    let out = serde_json::to_value(simulate(&sim).unwrap()).unwrap();
    let r = &out["EvaluationResults"][0];
    assert_eq!(r["EvalDecision"], "allowed");
    assert_eq!(
        r["EvalDecisionDetails"],
        json!({"IAM Policy": "allowed", "Resource Policy": "allowed"})
    );
}

/// `PermissionsBoundaryPolicyInputList`: "The permissions boundary sets the maximum
/// permissions that an IAM entity can have. You can input only one permissions boundary".
#[test]
fn a_permissions_boundary_caps_the_identity_policies() {
    let boundary = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "secretsmanager:Describe*", "Resource": "*"},
        {"Effect": "Deny", "Action": "secretsmanager:DeleteSecret", "Resource": "*"}]}"#;
    let sim = Simulation {
        action_names: vec![
            "secretsmanager:DescribeSecret".into(),
            "secretsmanager:GetSecretValue".into(),
            "secretsmanager:DeleteSecret".into(),
        ],
        permissions_boundary: vec![boundary.into()],
        ..get_on(&[])
    };
    let results = simulate(&sim).unwrap().evaluation_results;
    let got: Vec<_> = results
        .iter()
        .map(|r| {
            (
                r.eval_decision,
                r.permissions_boundary_decision_detail
                    .map(|d| d.allowed_by_permissions_boundary),
                r.matched_statements
                    .iter()
                    .map(|m| m.source_policy_id.as_str())
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                EvalDecision::Allowed,
                Some(true),
                vec!["PolicyInputList.1", "PermissionsBoundaryPolicyInputList.1"]
            ),
            (EvalDecision::ImplicitDeny, Some(false), vec![]),
            (
                EvalDecision::ExplicitDeny,
                Some(false),
                vec!["PermissionsBoundaryPolicyInputList.1"]
            ),
        ]
    );
    let two = Simulation {
        permissions_boundary: vec![boundary.into(), boundary.into()],
        ..get_on(&[])
    };
    assert_eq!(simulate(&two).unwrap_err().code, ErrorCode::InvalidInput);
}

/// `OrderedOrganizationPolicyInputList`: every level from the root down must allow; SCP
/// statements are not listed ("This field doesn't include statements from service control
/// policies (SCPs)").
#[test]
fn service_control_policies_must_allow_at_every_level() {
    let allow_sm = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}}"#;
    let allow_all = ALLOW_ALL.to_owned();
    let sim = Simulation {
        action_names: vec![
            "secretsmanager:GetSecretValue".into(),
            "s3:GetObject".into(),
        ],
        organization_policies: vec![vec![allow_all], vec![allow_sm.into()]],
        ..get_on(&[])
    };
    let results = simulate(&sim).unwrap().evaluation_results;
    assert_eq!(results[0].eval_decision, EvalDecision::Allowed);
    assert_eq!(results[0].matched_statements.len(), 1);
    assert!(
        results[0]
            .organizations_decision_detail
            .unwrap()
            .allowed_by_organizations
    );
    assert_eq!(results[1].eval_decision, EvalDecision::ImplicitDeny);
    assert!(
        !results[1]
            .organizations_decision_detail
            .unwrap()
            .allowed_by_organizations
    );
}

/// `MaxItems` ("If additional items exist beyond the maximum you specify, the IsTruncated
/// response element is true") and `Marker` ("the value of the Marker element in the response
/// that you received").
#[test]
fn results_page_with_max_items_and_marker() {
    let actions: Vec<String> = ["A", "B", "C"]
        .iter()
        .map(|a| format!("secretsmanager:{a}"))
        .collect();
    let resources = [secret(ACCOUNT, "x"), secret(ACCOUNT, "y")];
    let mut sim = Simulation {
        action_names: actions,
        max_items: Some(4),
        ..get_on(&resources)
    };
    let first = simulate(&sim).unwrap();
    assert!(first.is_truncated);
    let names: Vec<_> = first
        .evaluation_results
        .iter()
        .map(|r| (r.eval_action_name.as_str(), r.eval_resource_name.as_str()))
        .collect();
    assert_eq!(names.len(), 4);
    assert_eq!(names[2], ("secretsmanager:B", resources[0].as_str()));
    sim.marker = first.marker.clone();
    let second = simulate(&sim).unwrap();
    assert!(!second.is_truncated);
    assert_eq!(second.marker, None);
    assert_eq!(second.evaluation_results.len(), 2);
    assert_eq!(
        second.evaluation_results[1].eval_action_name,
        "secretsmanager:C"
    );
    for (max_items, marker) in [
        (Some(0), None),
        (Some(1001), None),
        (None, Some("x")),
        (None, Some("99")),
    ] {
        let bad = Simulation {
            max_items,
            marker: marker.map(str::to_owned),
            ..sim.clone()
        };
        assert_eq!(
            simulate(&bad).unwrap_err().code,
            ErrorCode::InvalidInput,
            "{max_items:?} {marker:?}"
        );
    }
}

/// `ActionNames`: "This operation does not support using wildcards (*) in an action name."
/// `CallerArn`: "You cannot specify the ARN of an assumed role, federated user, or a service
/// principal." `ResourceHandlingOption`: "the policy simulator [enforces] the presence of the
/// required resources" of each EC2 scenario.
#[test]
fn wildcard_actions_session_callers_and_incomplete_scenarios_are_invalid_input() {
    let wildcard = Simulation {
        action_names: vec!["secretsmanager:Get*".into()],
        ..get_on(&[])
    };
    let session = Simulation {
        caller_arn: Some(format!("arn:aws:sts::{ACCOUNT}:assumed-role/app/s1")),
        ..get_on(&[])
    };
    let unknown = Simulation {
        resource_handling_option: Some("EC2-Classic-EBS".into()),
        ..get_on(&[])
    };
    let ec2 = |kind: &str| format!("arn:aws:ec2:us-east-1:{ACCOUNT}:{kind}/x");
    let partial = Simulation {
        resource_handling_option: Some("EC2-VPC-EBS".into()),
        ..get_on(&[
            ec2("instance"),
            ec2("image"),
            ec2("security-group"),
            ec2("network-interface"),
        ])
    };
    for sim in [wildcard, session, unknown, partial.clone()] {
        assert_eq!(
            simulate(&sim).unwrap_err().code,
            ErrorCode::InvalidInput,
            "{sim:?}"
        );
    }
    let complete = Simulation {
        resource_arns: [&partial.resource_arns[..], &[ec2("volume")]].concat(),
        ..partial
    };
    assert_eq!(simulate(&complete).unwrap().evaluation_results.len(), 5);
    let role = Simulation {
        caller_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/app")),
        ..get_on(&[])
    };
    assert!(simulate(&role).is_ok(), "a role's ARN may be the caller");
}

/// `PolicyExclusionList`: "Each entry is a PolicyIdentifier that identifies one or more policies
/// to exclude by policy type, by Amazon Resource Name (ARN), or by the name of an inline policy
/// and the entity it is attached to. Syntactically invalid identifiers, such as malformed ARNs
/// or wildcards in disallowed positions, cause the request to fail with an InvalidInput error.
/// Syntactically valid identifiers that don't match any attached policy are ignored."
#[test]
fn the_exclusion_list_leaves_out_what_it_identifies() {
    use crate::policy::{InlinePolicyIdentifier, PolicyIdentifier, exclude};
    let source = |id: &str, kind: PolicyKind| PolicySource {
        id: id.into(),
        kind,
        document: String::new(),
    };
    let sources = vec![
        source("own", PolicyKind::User),
        source("devs/read", PolicyKind::Group),
        source(
            "arn:aws:iam::111122223333:policy/team-a",
            PolicyKind::UserManaged,
        ),
        source("arn:aws:iam::aws:policy/ReadOnly", PolicyKind::AwsManaged),
    ];
    let kept = |list: Vec<PolicyIdentifier>| {
        let sim = Simulation {
            policy_exclusion_list: list,
            ..Simulation::default()
        };
        exclude(&sim, sources.clone(), ("user", "alice"))
            .map(|v| v.into_iter().map(|s| s.id).collect::<Vec<_>>())
    };
    let inline = |name: &str, kind: &str, entity: &str| {
        PolicyIdentifier::InlinePolicyIdentifier(InlinePolicyIdentifier {
            policy_name: name.into(),
            attachment_type: kind.into(),
            attachment_name: entity.into(),
        })
    };
    assert_eq!(
        kept(vec![PolicyIdentifier::PolicyType("inline".into())]).unwrap(),
        [
            "arn:aws:iam::111122223333:policy/team-a",
            "arn:aws:iam::aws:policy/ReadOnly"
        ]
    );
    assert_eq!(
        kept(vec![
            PolicyIdentifier::PolicyArn("arn:aws:iam::111122223333:policy/team-*".into()),
            inline("read", "group", "dev?"),
            PolicyIdentifier::PolicyType("scp".into()),
        ])
        .unwrap(),
        ["own", "arn:aws:iam::aws:policy/ReadOnly"]
    );
    assert_eq!(
        kept(vec![inline("own", "role", "alice")]).unwrap().len(),
        4,
        "alice is a user: a role's inline policy identifies nothing here"
    );
    for bad in [
        PolicyIdentifier::PolicyType("all".into()),
        PolicyIdentifier::PolicyArn("arn:aws:iam::*:policy/x".into()),
        PolicyIdentifier::PolicyArn("arn:aws:iam::1:policy/*a*".into()),
        inline("p", "computer", "x"),
    ] {
        assert_eq!(
            kept(vec![bad.clone()]).unwrap_err().code,
            ErrorCode::InvalidInput,
            "{bad:?}"
        );
    }
}
