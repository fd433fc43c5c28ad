//! One row per example or rule stated in the IAM User Guide: the policies, the request, the
//! outcome AWS's documentation gives, the page it comes from and the sentence that states it.
//! Where the documentation is silent, Coffer's choice is written in docs/IAM.md, not here.

use super::{ACCOUNT, OTHER_ACCOUNT, policy, secret, user};
use crate::policy::{Decision, Policy, PolicyKind, RequestContext, evaluate, parse};

const LOGIC: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html";
const CROSS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html";
const OPERATORS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html";
const MULTI: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html";
const SET_OPS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html";
const VARIABLES: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html";
const KEYS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html";
const ACTION: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html";
const NOT_ACTION: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html";
const NOT_RESOURCE: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html";
const NOT_PRINCIPAL: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html";
const CONDITION: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html";
const VERSION: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html";

const GET: &str = "secretsmanager:GetSecretValue";

struct Row {
    page: &'static str,
    sentence: &'static str,
    policies: Vec<Policy>,
    ctx: RequestContext,
    aws_says: Decision,
}

fn identity(statements: &str) -> Policy {
    policy("identity", PolicyKind::User, statements)
}

fn resource(statements: &str) -> Policy {
    policy("resource", PolicyKind::Resource, statements)
}

/// An identity `Allow` of `GetSecretValue` on everything, with the given `Condition` block.
fn allow_if(condition: &str) -> Policy {
    identity(&format!(
        r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "*", "Condition": {condition}}}"#
    ))
}

fn alice() -> String {
    user(ACCOUNT, "alice")
}

fn get() -> RequestContext {
    RequestContext::new(alice(), GET, secret(ACCOUNT, "app/db-AbCdEf"))
}

fn session(role: &str) -> RequestContext {
    RequestContext::new(
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s1"),
        GET,
        secret(ACCOUNT, "app/db-AbCdEf"),
    )
}

#[test]
fn every_documented_rule_decides_as_aws_says() {
    use Decision::{Allow, ExplicitDeny, ImplicitDeny};
    let allow_all = r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#;
    let rows = vec![
        Row {
            page: LOGIC,
            sentence: "By default, all requests are implicitly denied with the exception of the AWS account root user, which has full access.",
            policies: vec![],
            ctx: get(),
            aws_says: ImplicitDeny,
        },
        Row {
            page: LOGIC,
            sentence: "An explicit allow in an identity-based or resource-based policy overrides this default.",
            policies: vec![identity(allow_all)],
            ctx: get(),
            aws_says: Allow,
        },
        Row {
            page: LOGIC,
            sentence: "An explicit allow in an identity-based or resource-based policy overrides this default. (resource-based, naming the user)",
            policies: vec![resource(&format!(
                r#"{{"Effect": "Allow", "Principal": {{"AWS": "{}"}}, "Action": "{GET}", "Resource": "*"}}"#,
                alice()
            ))],
            ctx: get(),
            aws_says: Allow,
        },
        Row {
            page: LOGIC,
            sentence: "An explicit deny in any policy overrides any allows.",
            policies: vec![
                identity(allow_all),
                resource(&format!(
                    r#"{{"Effect": "Deny", "Principal": "*", "Action": "{GET}", "Resource": "*"}}"#
                )),
            ],
            ctx: get(),
            aws_says: ExplicitDeny,
        },
        Row {
            page: CROSS,
            sentence: "the identity-based policy in the trusted account and the resource-based policy in the trusting account must both allow (identity only: denied)",
            policies: vec![identity(allow_all)],
            ctx: RequestContext::new(user(OTHER_ACCOUNT, "bob"), GET, secret(ACCOUNT, "app/db-AbCdEf")),
            aws_says: ImplicitDeny,
        },
        Row {
            page: CROSS,
            sentence: "the identity-based policy in the trusted account and the resource-based policy in the trusting account must both allow (both: allowed)",
            policies: vec![
                identity(allow_all),
                resource(&format!(
                    r#"{{"Effect": "Allow", "Principal": {{"AWS": "{OTHER_ACCOUNT}"}}, "Action": "{GET}", "Resource": "*"}}"#
                )),
            ],
            ctx: RequestContext::new(user(OTHER_ACCOUNT, "bob"), GET, secret(ACCOUNT, "app/db-AbCdEf")),
            aws_says: Allow,
        },
        Row {
            page: ACTION,
            sentence: "The prefix and the action name are case insensitive. For example, iam:ListAccessKeys is the same as IAM:listaccesskeys.",
            policies: vec![identity(r#"{"Effect": "Allow", "Action": "SECRETSMANAGER:getsecretvalue", "Resource": "*"}"#)],
            ctx: get(),
            aws_says: Allow,
        },
        Row {
            page: NOT_ACTION,
            sentence: "NotAction with Allow: the statement allows every action except the ones listed.",
            policies: vec![identity(r#"{"Effect": "Allow", "NotAction": "secretsmanager:DeleteSecret", "Resource": "*"}"#)],
            ctx: get(),
            aws_says: Allow,
        },
        Row {
            page: NOT_RESOURCE,
            sentence: "NotResource with Deny: the statement denies access to every resource except the ones listed.",
            policies: vec![
                identity(allow_all),
                identity(&format!(
                    r#"{{"Effect": "Deny", "Action": "*", "NotResource": "{}"}}"#,
                    secret(ACCOUNT, "public/*")
                )),
            ],
            ctx: get(),
            aws_says: ExplicitDeny,
        },
        Row {
            page: NOT_PRINCIPAL,
            sentence: "NotPrincipal with Deny denies every principal except the ones named (the named one is not denied).",
            policies: vec![
                identity(allow_all),
                resource(&format!(
                    r#"{{"Effect": "Deny", "NotPrincipal": {{"AWS": "{}"}}, "Action": "*", "Resource": "*"}}"#,
                    alice()
                )),
            ],
            ctx: get(),
            aws_says: Allow,
        },
        Row {
            page: NOT_PRINCIPAL,
            sentence: "NotPrincipal with Deny denies every principal except the ones named (anyone else is denied).",
            policies: vec![
                identity(allow_all),
                resource(&format!(
                    r#"{{"Effect": "Deny", "NotPrincipal": {{"AWS": "{}"}}, "Action": "*", "Resource": "*"}}"#,
                    user(ACCOUNT, "carol")
                )),
            ],
            ctx: get(),
            aws_says: ExplicitDeny,
        },
        Row {
            page: OPERATORS,
            sentence: "If the key that you specify in a policy condition is not present in the request context, the values do not match and the condition is false.",
            policies: vec![allow_if(r#"{"StringEquals": {"aws:PrincipalTag/team": "blue"}}"#)],
            ctx: get(),
            aws_says: ImplicitDeny,
        },
        Row {
            page: OPERATORS,
            sentence: "If the policy condition requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not present, the condition is true.",
            policies: vec![allow_if(r#"{"StringNotLike": {"aws:PrincipalTag/team": "red*"}}"#)],
            ctx: get(),
            aws_says: Allow,
        },
        Row {
            page: OPERATORS,
            sentence: "If the key is not present, evaluate the condition element as true. (…IfExists)",
            policies: vec![allow_if(r#"{"StringEqualsIfExists": {"aws:PrincipalTag/team": "blue"}}"#)],
            ctx: get(),
            aws_says: Allow,
        },
        Row {
            page: OPERATORS,
            sentence: "If the policy key is present in the context of the request, process the key as specified in the policy. (…IfExists, key present and different)",
            policies: vec![allow_if(r#"{"StringEqualsIfExists": {"aws:PrincipalTag/team": "blue"}}"#)],
            ctx: get().with_principal_tag("team", "red"),
            aws_says: ImplicitDeny,
        },
        Row {
            page: OPERATORS,
            sentence: "Use a Null condition operator to check if a condition key is absent at the time of authorization. (true: the key doesn't exist)",
            policies: vec![allow_if(r#"{"Null": {"aws:PrincipalTag/team": "true"}}"#)],
            ctx: get(),
            aws_says: Allow,
        },
        Row {
            page: OPERATORS,
            sentence: "StringEquals: Exact matching, case sensitive.",
            policies: vec![allow_if(r#"{"StringEquals": {"aws:PrincipalTag/team": "Blue"}}"#)],
            ctx: get().with_principal_tag("team", "blue"),
            aws_says: ImplicitDeny,
        },
        Row {
            page: OPERATORS,
            sentence: "StringEqualsIgnoreCase: Exact matching, ignoring case.",
            policies: vec![allow_if(r#"{"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "Blue"}}"#)],
            ctx: get().with_principal_tag("team", "blue"),
            aws_says: Allow,
        },
        Row {
            page: OPERATORS,
            sentence: "IpAddress: The specified IP address or range. (203.0.113.0/24 holds 203.0.113.9)",
            policies: vec![allow_if(r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#)],
            ctx: get().with_key("aws:SourceIp", ["203.0.113.9"]),
            aws_says: Allow,
        },
        Row {
            page: OPERATORS,
            sentence: "DateGreaterThan: Matching after a specific date and time.",
            policies: vec![allow_if(r#"{"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}"#)],
            ctx: get().with_key("aws:CurrentTime", ["2019-06-30T00:00:00Z"]),
            aws_says: ImplicitDeny,
        },
        Row {
            page: OPERATORS,
            sentence: "NumericLessThan: Less than matching. (aws:MultiFactorAuthAge under 3600)",
            policies: vec![allow_if(r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}"#)],
            ctx: get().with_key("aws:MultiFactorAuthAge", ["1200"]),
            aws_says: Allow,
        },
        Row {
            page: OPERATORS,
            sentence: "Bool: Boolean matching. (aws:SecureTransport false denies)",
            policies: vec![
                identity(allow_all),
                identity(r#"{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#),
            ],
            ctx: get().with_key("aws:SecureTransport", ["false"]),
            aws_says: ExplicitDeny,
        },
        Row {
            page: MULTI,
            sentence: "If a single condition operator includes multiple values for a context key, those values are evaluated using a logical OR.",
            policies: vec![allow_if(r#"{"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}}"#)],
            ctx: get().with_principal_tag("team", "blue"),
            aws_says: Allow,
        },
        Row {
            page: MULTI,
            sentence: "If your policy has multiple condition operators or multiple context keys, the conditions are evaluated using a logical AND.",
            policies: vec![allow_if(r#"{"StringEquals": {"aws:PrincipalTag/team": "blue", "aws:PrincipalTag/env": "prod"}}"#)],
            ctx: get().with_principal_tag("team", "blue").with_principal_tag("env", "dev"),
            aws_says: ImplicitDeny,
        },
        Row {
            page: MULTI,
            sentence: "a negated matching condition operator with multiple values is evaluated using a logical NOR (no value may match).",
            policies: vec![allow_if(r#"{"StringNotEquals": {"aws:PrincipalTag/team": ["red", "blue"]}}"#)],
            ctx: get().with_principal_tag("team", "blue"),
            aws_says: ImplicitDeny,
        },
        Row {
            page: SET_OPS,
            sentence: "ForAllValues returns true if every context key value in the request matches at least one context key value in the policy. It also returns true if there are no context keys in the request.",
            policies: vec![allow_if(r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#)],
            ctx: get(),
            aws_says: Allow,
        },
        Row {
            page: SET_OPS,
            sentence: "ForAllValues returns true if every context key value in the request matches at least one context key value in the policy. (one value outside the set)",
            policies: vec![allow_if(r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#)],
            ctx: get().with_key("aws:TagKeys", ["env", "owner"]),
            aws_says: ImplicitDeny,
        },
        Row {
            page: SET_OPS,
            sentence: "ForAnyValue returns true if any one of the context key values in the request matches any one of the context key values in the policy. For no matching context key or a null dataset, the condition returns false.",
            policies: vec![allow_if(r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#)],
            ctx: get(),
            aws_says: ImplicitDeny,
        },
        Row {
            page: CONDITION,
            sentence: "Condition key names are not case-sensitive.",
            policies: vec![allow_if(r#"{"StringEquals": {"AWS:PRINCIPALTAG/TEAM": "blue"}}"#)],
            ctx: get().with_principal_tag("team", "blue"),
            aws_says: Allow,
        },
        Row {
            page: VARIABLES,
            sentence: "The variable is replaced with a value from the request itself: ${aws:username} is the user's friendly name.",
            policies: vec![identity(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:*:*:secret:${{aws:username}}/*"}}"#
            ))],
            ctx: RequestContext::new(alice(), GET, secret(ACCOUNT, "alice/token-AbCdEf")),
            aws_says: Allow,
        },
        Row {
            page: VARIABLES,
            sentence: "To add a default value to a variable, surround the default value with single quotes (' '), and separate the variable text and the default value with a comma and space (, ).",
            policies: vec![allow_if(r#"{"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/group, 'blue'}"}}"#)],
            ctx: get().with_principal_tag("team", "blue"),
            aws_says: Allow,
        },
        Row {
            page: VARIABLES,
            sentence: "AWS's example Deny fires when the principal tag is unset: StringNotEquals against a variable with no value matches.",
            policies: vec![
                identity(allow_all),
                identity(r#"{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}"#),
            ],
            ctx: get().with_key("aws:ResourceTag/team", ["blue"]),
            aws_says: ExplicitDeny,
        },
        Row {
            page: VERSION,
            sentence: "If you do not include a Version element, the value defaults to 2008-10-17, and newer features, such as policy variables, will not work: ${aws:username} is a literal string.",
            policies: vec![Policy {
                id: "legacy".into(),
                kind: PolicyKind::User,
                document: std::sync::Arc::new(
                    parse(&format!(
                        r#"{{"Statement": {{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:*:*:secret:${{aws:username}}/*"}}}}"#
                    ))
                    .unwrap(),
                ),
            }],
            ctx: RequestContext::new(alice(), GET, secret(ACCOUNT, "alice/token-AbCdEf")),
            aws_says: ImplicitDeny,
        },
        Row {
            page: KEYS,
            sentence: "aws:PrincipalArn: For IAM roles, the request context returns the ARN of the role, not the ARN of the user that assumed the role.",
            policies: vec![
                identity(allow_all),
                resource(&format!(
                    r#"{{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {{"ArnNotEquals": {{"aws:PrincipalArn": "arn:aws:iam::{ACCOUNT}:role/app"}}}}}}"#
                )),
            ],
            ctx: session("app"),
            aws_says: Allow,
        },
        Row {
            page: KEYS,
            sentence: "aws:PrincipalArn: For IAM roles, the request context returns the ARN of the role (another role's session is denied).",
            policies: vec![
                identity(allow_all),
                resource(&format!(
                    r#"{{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {{"ArnNotEquals": {{"aws:PrincipalArn": "arn:aws:iam::{ACCOUNT}:role/app"}}}}}}"#
                )),
            ],
            ctx: session("other"),
            aws_says: ExplicitDeny,
        },
    ];
    let mut failures = Vec::new();
    for row in &rows {
        let got = evaluate(&row.policies, &row.ctx).decision;
        if got != row.aws_says {
            failures.push(format!(
                "{}\n  \"{}\"\n  AWS: {:?}, Coffer: {got:?}",
                row.page, row.sentence, row.aws_says
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
