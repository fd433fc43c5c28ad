//! ValidateResourcePolicy findings and the public-policy test behind BlockPublicPolicy.

use super::document;
use crate::policy::{check, is_public, parse, validate_resource_policy};

fn checks(statements: &str) -> Vec<String> {
    validate_resource_policy(&document(statements))
        .validation_errors
        .into_iter()
        .map(|f| f.check_name)
        .collect()
}

fn public(statements: &str) -> bool {
    is_public(&parse(&document(statements)).unwrap())
}

const ALICE_READS: &str = r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}"#;

#[test]
fn a_policy_for_one_principal_passes() {
    let report = validate_resource_policy(&document(ALICE_READS));
    assert!(report.policy_validation_passed);
    assert!(report.validation_errors.is_empty());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"PolicyValidationPassed": true, "ValidationErrors": []})
    );
}

#[test]
fn each_problem_has_its_finding() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}"#,
            check::MISSING_PRINCIPAL,
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "*"}"#,
            check::UNSUPPORTED_ACTION,
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "secretsmanager:GetSecretValu", "Resource": "*"}"#,
            check::INVALID_ACTION,
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "secretsmanager:*", "Resource": "arn:aws:s3:::bucket/*"}"#,
            check::UNSUPPORTED_RESOURCE,
        ),
        (
            r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "secretsmanager:*", "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:key/x"}"#,
            check::UNSUPPORTED_RESOURCE,
        ),
        (
            r#"{"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}"#,
            check::BROAD_ACCESS,
        ),
    ];
    for (statement, expected) in cases {
        assert_eq!(checks(statement), [*expected], "{statement}");
    }
}

#[test]
fn resources_that_can_be_secrets_pass() {
    for resource in [
        "*",
        "arn:aws:secretsmanager:*",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/*",
        "arn:aws:secretsmanager:*:*:secret:${aws:username}-??????",
        "arn:*:*:*:*:*",
    ] {
        let statement = format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "111122223333"}}, "Action": ["secretsmanager:Get*", "*"], "Resource": "{resource}"}}"#
        );
        assert!(checks(&statement).is_empty(), "{resource}");
    }
}

#[test]
fn a_malformed_policy_is_one_finding() {
    let report = validate_resource_policy("{\"Statement\": [");
    assert!(!report.policy_validation_passed);
    assert_eq!(report.validation_errors.len(), 1);
    assert_eq!(
        report.validation_errors[0].check_name,
        check::MALFORMED_POLICY
    );
    assert!(report.validation_errors[0].error_message.contains("line 1"));
}

#[test]
fn public_means_everyone_without_a_narrowing_condition() {
    let everyone = |principal: &str, condition: &str| {
        format!(
            r#"{{"Effect": "Allow", "Principal": {principal}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"{condition}}}"#
        )
    };
    let rows: &[(&str, String, bool)] = &[
        ("Principal * is public", everyone(r#""*""#, ""), true),
        ("AWS * is public", everyone(r#"{"AWS": ["arn:aws:iam::1:user/a", "*"]}"#, ""), true),
        ("one account is not public", everyone(r#"{"AWS": "111122223333"}"#, ""), false),
        ("a Deny to everyone is not public", ALICE_READS.replace("Allow", "Deny").replace(r#"{"AWS": "arn:aws:iam::111122223333:user/alice"}"#, r#""*""#), false),
        ("Allow with NotPrincipal is public", r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "*", "Resource": "*"}"#.to_owned(), true),
        ("aws:PrincipalAccount narrows", everyone(r#""*""#, r#", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}"#), false),
        ("aws:PrincipalOrgID narrows", everyone(r#""*""#, r#", "Condition": {"StringEquals": {"AWS:PrincipalOrgId": "o-123"}}"#), false),
        ("aws:SourceArn with ArnEquals narrows", everyone(r#""*""#, r#", "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:lambda:us-east-1:1:function:f"}}"#), false),
        ("a wildcard value does not narrow", everyone(r#""*""#, r#", "Condition": {"StringLike": {"aws:PrincipalAccount": "*"}}"#), true),
        ("a variable does not narrow", everyone(r#""*""#, r#", "Condition": {"StringEquals": {"aws:PrincipalArn": "${aws:username}"}}"#), true),
        ("IfExists does not narrow", everyone(r#""*""#, r#", "Condition": {"StringEqualsIfExists": {"aws:PrincipalAccount": "1"}}"#), true),
        ("a negated operator does not narrow", everyone(r#""*""#, r#", "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "1"}}"#), true),
        ("another key does not narrow", everyone(r#""*""#, r#", "Condition": {"StringEquals": {"secretsmanager:Name": "x"}}"#), true),
        ("a /24 source range narrows", everyone(r#""*""#, r#", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#), false),
        ("a /0 source range does not narrow", everyone(r#""*""#, r#", "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}"#), true),
    ];
    let failures: Vec<_> = rows
        .iter()
        .filter(|(_, statement, expected)| public(statement) != *expected)
        .map(|(name, ..)| *name)
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
}

/// One row per Access Analyzer check that applies to a secret's policy: the statement, the
/// issue code, the `findingDetails` text it must carry, and whether the policy still passes.
/// Source of every code and text: IAM User Guide, "IAM policy validation check reference"
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
#[test]
fn access_analyzers_checks_fire_with_its_codes_and_words() {
    let p = r#""Principal": {"AWS": "111122223333"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*""#;
    let with = |condition: &str| format!(r#"{{"Effect": "Allow", {p}, "Condition": {condition}}}"#);
    let rows: Vec<(&str, String, &str, &str, bool)> = vec![
        (
            "Error – Missing qualifier",
            with(r#"{"StringEquals": {"aws:TagKeys": "a"}}"#),
            check::MISSING_QUALIFIER,
            "The request context key aws:TagKeys has multiple values. Use the ForAllValues or ForAnyValue condition key qualifiers in your policy.",
            false,
        ),
        (
            "Security Warning – Allow with NotPrincipal",
            r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}}"#.to_owned(),
            check::ALLOW_WITH_NOT_PRINCIPAL,
            "Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.",
            false,
        ),
        (
            "Security Warning – ForAllValues with single valued key (it holds when the key is absent)",
            with(r#"{"ForAllValues:StringEquals": {"aws:PrincipalTag/team": "blue"}}"#),
            check::FORALLVALUES_WITH_SINGLE_VALUED_KEY,
            "Using ForAllValues qualifier with the single-valued condition key aws:PrincipalTag/team can be overly permissive. We recommend that you remove ForAllValues:.",
            false,
        ),
        (
            "General Warning – Wildcard without like operator",
            with(r#"{"StringEquals": {"aws:PrincipalTag/job": "admin-*"}}"#),
            check::WILDCARD_WITHOUT_LIKE_OPERATOR,
            "Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like.",
            true,
        ),
        (
            "Suggestion – Null with qualifier",
            with(r#"{"ForAllValues:Null": {"aws:TagKeys": "true"}}"#),
            check::NULL_WITH_QUALIFIER,
            "Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers because they always return a true or false respectively.",
            true,
        ),
        (
            "Suggestion – Redundant statement",
            format!(r#"{{"Sid": "A", "Effect": "Allow", {p}}}, {{"Sid": "B", "Effect": "Allow", {p}}}"#),
            check::REDUNDANT_STATEMENT,
            "The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement.",
            true,
        ),
    ];
    for (rule, statements, code, text, passes) in rows {
        let report = validate_resource_policy(&document(&statements));
        let found: Vec<_> = report
            .validation_errors
            .iter()
            .map(|f| f.check_name.as_str())
            .collect();
        assert_eq!(found, [code], "{rule}");
        assert!(
            report.validation_errors[0].error_message.contains(text),
            "{rule}: {}",
            report.validation_errors[0].error_message
        );
        assert_eq!(report.policy_validation_passed, passes, "{rule}");
    }
    let without_version = format!(r#"{{"Statement": {{"Effect": "Allow", {p}}}}}"#);
    let report = validate_resource_policy(&without_version);
    assert_eq!(
        report.validation_errors[0].check_name,
        check::MISSING_VERSION
    );
    assert!(report.policy_validation_passed);
}

/// The right way to write each of the above raises nothing: a qualifier on a multivalued key,
/// no qualifier on a single-valued one, `StringLike` for a wildcard, keys of other services
/// left alone.
#[test]
fn the_documented_fixes_raise_no_finding() {
    let p = r#""Principal": {"AWS": "111122223333"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*""#;
    for condition in [
        r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}}"#,
        r#"{"ForAllValues:StringEquals": {"secretsmanager:AddReplicas": "us-east-1"}}"#,
        r#"{"StringEquals": {"aws:PrincipalTag/team": "blue"}}"#,
        r#"{"StringLike": {"aws:PrincipalTag/job": "admin-*"}}"#,
        r#"{"StringEquals": {"aws:PrincipalTag/job": "${aws:username}"}}"#,
        r#"{"ForAllValues:StringEquals": {"ec2:ResourceTag/team": "blue"}}"#,
        r#"{"Null": {"aws:TagKeys": "true"}}"#,
    ] {
        let statement = format!(r#"{{"Effect": "Allow", {p}, "Condition": {condition}}}"#);
        assert!(
            checks(&statement).is_empty(),
            "{condition}: {:?}",
            checks(&statement)
        );
    }
}
