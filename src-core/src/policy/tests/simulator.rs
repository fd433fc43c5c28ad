//! The simulator's inputs and its AWS-shaped output.

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
        }]})
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
    assert_eq!(
        simulate(&sim).unwrap_err().code,
        ErrorCode::InvalidParameter
    );

    let e = simulate(&Simulation::custom(["{".to_owned()])).unwrap_err();
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocument);
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
            ErrorCode::InvalidParameter,
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
