//! The evaluation table, row by row from IAM's "policy evaluation logic" and "condition
//! operators" documentation. Each row is named for the rule it pins down.
//!
//! **Why this file is long:** a table, one row per documented rule; rows stay together so that
//! the rules' order follows IAM's documentation.

use super::{ACCOUNT, OTHER_ACCOUNT, policy, secret, user};
use crate::policy::{Decision, Effect, Policy, PolicyKind, Reason, RequestContext, evaluate};

const GET: &str = "secretsmanager:GetSecretValue";
const ALLOW_ALL: &str = r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#;

fn identity(statements: &str) -> Policy {
    policy("alice-inline", PolicyKind::User, statements)
}

fn resource_policy(statements: &str) -> Policy {
    policy("secret-policy", PolicyKind::Resource, statements)
}

fn key_policy(statements: &str) -> Policy {
    policy("key-policy", PolicyKind::KeyPolicy, statements)
}

fn alice() -> String {
    user(ACCOUNT, "alice")
}

fn get(principal: &str, resource: &str) -> RequestContext {
    RequestContext::new(principal, GET, resource)
}

fn dev_db() -> String {
    secret(ACCOUNT, "dev/db-AbCdEf")
}

struct Case {
    name: &'static str,
    policies: Vec<Policy>,
    ctx: RequestContext,
    expect: Decision,
}

fn check(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in &cases {
        let got = evaluate(&case.policies, &case.ctx);
        if got.decision != case.expect {
            failures.push(format!(
                "{}: expected {:?}, got {:?} (matched {:?})",
                case.name, case.expect, got.decision, got.matched
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn decisions_follow_iams_evaluation_logic() {
    use Decision::{Allow, ExplicitDeny, ImplicitDeny};
    let bob_other = user(OTHER_ACCOUNT, "bob");
    let allow_get_for = |principal: &str| {
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "{principal}"}}, "Action": "{GET}", "Resource": "*"}}"#
        )
    };
    let cases = vec![
        Case {
            name: "no policies at all is an implicit deny",
            policies: vec![],
            ctx: get(&alice(), &dev_db()),
            expect: ImplicitDeny,
        },
        Case {
            name: "a statement for another action is an implicit deny",
            policies: vec![identity(
                r#"{"Effect": "Allow", "Action": "secretsmanager:DescribeSecret", "Resource": "*"}"#,
            )],
            ctx: get(&alice(), &dev_db()),
            expect: ImplicitDeny,
        },
        Case {
            name: "same-account allow from an identity policy",
            policies: vec![identity(ALLOW_ALL)],
            ctx: get(&alice(), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "explicit deny in an identity policy beats an allow",
            policies: vec![identity(&format!(
                r#"{ALLOW_ALL}, {{"Effect": "Deny", "Action": "{GET}", "Resource": "*"}}"#
            ))],
            ctx: get(&alice(), &dev_db()),
            expect: ExplicitDeny,
        },
        Case {
            name: "explicit deny in the resource policy beats an identity allow",
            policies: vec![
                identity(ALLOW_ALL),
                resource_policy(
                    r#"{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}"#,
                ),
            ],
            ctx: get(&alice(), &dev_db()),
            expect: ExplicitDeny,
        },
        Case {
            name: "same-account allow from a resource policy naming the user",
            policies: vec![resource_policy(&allow_get_for(&alice()))],
            ctx: get(&alice(), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "a resource policy for another user does not allow",
            policies: vec![resource_policy(&allow_get_for(&user(ACCOUNT, "carol")))],
            ctx: get(&alice(), &dev_db()),
            expect: ImplicitDeny,
        },
        Case {
            name: "Principal * in a resource policy allows a same-account user",
            policies: vec![resource_policy(&allow_get_for("*"))],
            ctx: get(&alice(), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "a resource policy naming the account root only delegates to identity policies",
            policies: vec![resource_policy(&allow_get_for(ACCOUNT))],
            ctx: get(&alice(), &dev_db()),
            expect: ImplicitDeny,
        },
        Case {
            name: "a resource policy naming the account root allows the root user itself",
            policies: vec![resource_policy(&allow_get_for(ACCOUNT))],
            ctx: get(&format!("arn:aws:iam::{ACCOUNT}:root"), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "a resource-policy statement without Principal matches no one",
            policies: vec![resource_policy(ALLOW_ALL)],
            ctx: get(&alice(), &dev_db()),
            expect: ImplicitDeny,
        },
        Case {
            name: "cross-account: an identity allow alone is not enough",
            policies: vec![identity(ALLOW_ALL)],
            ctx: get(&bob_other, &dev_db()),
            expect: ImplicitDeny,
        },
        Case {
            name: "cross-account: a resource-policy allow alone is not enough",
            policies: vec![resource_policy(&allow_get_for(&bob_other))],
            ctx: get(&bob_other, &dev_db()),
            expect: ImplicitDeny,
        },
        Case {
            name: "cross-account: an allow in both the identity and the resource policy allows",
            policies: vec![
                identity(ALLOW_ALL),
                resource_policy(&allow_get_for(&bob_other)),
            ],
            ctx: get(&bob_other, &dev_db()),
            expect: Allow,
        },
        Case {
            name: "cross-account: a resource policy naming the other account plus an identity allow",
            policies: vec![
                identity(ALLOW_ALL),
                resource_policy(&allow_get_for(OTHER_ACCOUNT)),
            ],
            ctx: get(&bob_other, &dev_db()),
            expect: Allow,
        },
        Case {
            name: "cross-account: a deny anywhere still wins",
            policies: vec![
                identity(&format!(
                    r#"{ALLOW_ALL}, {{"Effect": "Deny", "Action": "*", "Resource": "*"}}"#
                )),
                resource_policy(&allow_get_for(&bob_other)),
            ],
            ctx: get(&bob_other, &dev_db()),
            expect: ExplicitDeny,
        },
        Case {
            name: "NotAction allows every other action",
            policies: vec![identity(
                r#"{"Effect": "Allow", "NotAction": "secretsmanager:DeleteSecret", "Resource": "*"}"#,
            )],
            ctx: get(&alice(), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "NotAction does not allow the action it names",
            policies: vec![identity(
                r#"{"Effect": "Allow", "NotAction": "secretsmanager:DeleteSecret", "Resource": "*"}"#,
            )],
            ctx: RequestContext::new(alice(), "secretsmanager:DeleteSecret", dev_db()),
            expect: ImplicitDeny,
        },
        Case {
            name: "Deny with NotResource denies every resource outside the list",
            policies: vec![identity(&format!(
                r#"{ALLOW_ALL}, {{"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:secretsmanager:*:*:secret:dev/*"}}"#
            ))],
            ctx: get(&alice(), &secret(ACCOUNT, "prod/db-AbCdEf")),
            expect: ExplicitDeny,
        },
        Case {
            name: "Deny with NotResource leaves the listed resources alone",
            policies: vec![identity(&format!(
                r#"{ALLOW_ALL}, {{"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:secretsmanager:*:*:secret:dev/*"}}"#
            ))],
            ctx: get(&alice(), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "Deny with NotPrincipal denies everyone else",
            policies: vec![
                identity(ALLOW_ALL),
                resource_policy(&format!(
                    r#"{{"Effect": "Deny", "NotPrincipal": {{"AWS": "{}"}}, "Action": "*", "Resource": "*"}}"#,
                    user(ACCOUNT, "carol")
                )),
            ],
            ctx: get(&alice(), &dev_db()),
            expect: ExplicitDeny,
        },
        Case {
            name: "Deny with NotPrincipal spares the principals it names",
            policies: vec![
                identity(ALLOW_ALL),
                resource_policy(&format!(
                    r#"{{"Effect": "Deny", "NotPrincipal": {{"AWS": ["{}"]}}, "Action": "*", "Resource": "*"}}"#,
                    alice()
                )),
            ],
            ctx: get(&alice(), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "* in Resource crosses : and /",
            policies: vec![identity(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:*db-*"}}"#
            ))],
            ctx: get(&alice(), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "? in Resource matches a /",
            policies: vec![identity(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:dev?db-AbCdEf"}}"#
            ))],
            ctx: get(&alice(), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "? in Resource matches a :",
            policies: vec![identity(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:us-east-1?{ACCOUNT}:secret:dev/db-AbCdEf"}}"#
            ))],
            ctx: get(&alice(), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "? matches exactly one character",
            policies: vec![identity(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:dev?db-AbCdE"}}"#
            ))],
            ctx: get(&alice(), &dev_db()),
            expect: ImplicitDeny,
        },
        Case {
            name: "wildcards in Action",
            policies: vec![identity(
                r#"{"Effect": "Allow", "Action": "secretsmanager:Get*Val?e", "Resource": "*"}"#,
            )],
            ctx: get(&alice(), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "actions are case-insensitive",
            policies: vec![identity(
                r#"{"Effect": "Allow", "Action": "SecretsManager:getsecretVALUE", "Resource": "*"}"#,
            )],
            ctx: get(&alice(), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "resource ARNs are case-sensitive",
            policies: vec![identity(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:*:*:secret:Dev/*"}}"#
            ))],
            ctx: get(&alice(), &dev_db()),
            expect: ImplicitDeny,
        },
        Case {
            name: "principal ARNs are case-sensitive",
            policies: vec![resource_policy(&allow_get_for(&user(ACCOUNT, "Alice")))],
            ctx: get(&alice(), &dev_db()),
            expect: ImplicitDeny,
        },
        Case {
            name: "a policy variable in Resource resolves to the caller's user name",
            policies: vec![identity(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:*:*:secret:home/${{aws:username}}/*"}}"#
            ))],
            ctx: get(&alice(), &secret(ACCOUNT, "home/alice/token-AbCdEf")),
            expect: Allow,
        },
        Case {
            name: "a policy variable in Resource does not match another user's path",
            policies: vec![identity(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:*:*:secret:home/${{aws:username}}/*"}}"#
            ))],
            ctx: get(&alice(), &secret(ACCOUNT, "home/bob/token-AbCdEf")),
            expect: ImplicitDeny,
        },
        Case {
            name: "an unresolvable variable makes Resource match nothing",
            policies: vec![identity(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:*:*:secret:home/${{aws:username}}/*"}}"#
            ))],
            ctx: get(
                &format!("arn:aws:iam::{ACCOUNT}:role/app"),
                &secret(ACCOUNT, "home//token-AbCdEf"),
            ),
            expect: ImplicitDeny,
        },
        Case {
            name: "an unresolvable variable makes NotResource not match either",
            policies: vec![identity(&format!(
                r#"{ALLOW_ALL}, {{"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:secretsmanager:*:*:secret:home/${{aws:username}}/*"}}"#
            ))],
            ctx: get(&format!("arn:aws:iam::{ACCOUNT}:role/app"), &dev_db()),
            expect: Allow,
        },
        Case {
            name: "a variable with a default resolves to the default",
            policies: vec![identity(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:*:*:secret:${{aws:PrincipalTag/team, 'shared'}}/*"}}"#
            ))],
            ctx: get(&alice(), &secret(ACCOUNT, "shared/x-AbCdEf")),
            expect: Allow,
        },
        Case {
            name: "the ${*} escape is a literal star",
            policies: vec![identity(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:*:*:secret:odd${{*}}name"}}"#
            ))],
            ctx: get(&alice(), &secret(ACCOUNT, "oddXname")),
            expect: ImplicitDeny,
        },
        Case {
            name: "the ${*} escape matches a star",
            policies: vec![identity(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:*:*:secret:odd${{*}}name${{?}}${{$}}"}}"#
            ))],
            ctx: get(&alice(), &secret(ACCOUNT, "odd*name?$")),
            expect: Allow,
        },
        Case {
            name: "version 2008-10-17 has no policy variables",
            policies: vec![policy_2008(&format!(
                r#"{{"Effect": "Allow", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:*:*:secret:${{aws:username}}"}}"#
            ))],
            ctx: get(&alice(), &secret(ACCOUNT, "${aws:username}")),
            expect: Allow,
        },
        Case {
            name: "a KMS key policy must allow even within the account",
            policies: vec![
                identity(ALLOW_ALL),
                key_policy(&allow_get_for(&user(ACCOUNT, "carol"))),
            ],
            ctx: RequestContext::new(
                alice(),
                "kms:Decrypt",
                "arn:aws:kms:us-east-1:111122223333:key/k",
            ),
            expect: ImplicitDeny,
        },
        Case {
            name: "a key policy for the account root enables identity policies",
            policies: vec![
                identity(ALLOW_ALL),
                key_policy(&format!(
                    r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "kms:*", "Resource": "*"}}"#
                )),
            ],
            ctx: RequestContext::new(
                alice(),
                "kms:Decrypt",
                "arn:aws:kms:us-east-1:111122223333:key/k",
            ),
            expect: Allow,
        },
        Case {
            name: "a key policy naming the user allows without an identity policy",
            policies: vec![key_policy(&format!(
                r#"{{"Effect": "Allow", "Principal": {{"AWS": "{}"}}, "Action": "kms:Decrypt", "Resource": "*"}}"#,
                alice()
            ))],
            ctx: RequestContext::new(
                alice(),
                "kms:Decrypt",
                "arn:aws:kms:us-east-1:111122223333:key/k",
            ),
            expect: Allow,
        },
    ];
    check(cases);
}

fn policy_2008(statements: &str) -> Policy {
    let text = format!(r#"{{"Version": "2008-10-17", "Statement": [{statements}]}}"#);
    Policy {
        id: "legacy".into(),
        kind: PolicyKind::User,
        document: std::sync::Arc::new(crate::policy::parse(&text).unwrap()),
    }
}

/// One condition block on an `Allow *` identity statement, against a request by alice
/// (tag `team=blue`) for `dev/db` with the given context keys.
struct ConditionCase {
    name: &'static str,
    condition: &'static str,
    keys: &'static [(&'static str, &'static [&'static str])],
    holds: bool,
}

const fn case(
    name: &'static str,
    condition: &'static str,
    keys: &'static [(&'static str, &'static [&'static str])],
    holds: bool,
) -> ConditionCase {
    ConditionCase {
        name,
        condition,
        keys,
        holds,
    }
}

const NAME_X: &[(&str, &[&str])] = &[("secretsmanager:Name", &["team/a:b"])];
const WINDOW_7: &[(&str, &[&str])] = &[("secretsmanager:RecoveryWindowInDays", &["7"])];
const NOW: &[(&str, &[&str])] = &[("aws:CurrentTime", &["2024-06-01T12:00:00Z"])];
const FORCE_TRUE: &[(&str, &[&str])] = &[("secretsmanager:ForceDeleteWithoutRecovery", &["true"])];
const IP4: &[(&str, &[&str])] = &[("aws:SourceIp", &["203.0.113.7"])];
const IP6: &[(&str, &[&str])] = &[("aws:SourceIp", &["2001:db8::1"])];
const BIN: &[(&str, &[&str])] = &[("x:blob", &["aGVsbG8="])];
const TAGS_TEAM_X: &[(&str, &[&str])] = &[("aws:TagKeys", &["team", "x"])];
const TAGS_TEAM_ENV: &[(&str, &[&str])] = &[("aws:TagKeys", &["team", "env"])];
const TAGS_EMPTY: &[(&str, &[&str])] = &[("aws:TagKeys", &[])];
const NONE: &[(&str, &[&str])] = &[];

#[rustfmt::skip]
const CONDITION_CASES: &[ConditionCase] = &[
    case("StringEquals matches the exact value", r#"{"StringEquals": {"aws:username": "alice"}}"#, NONE, true),
    case("StringEquals values are case-sensitive", r#"{"StringEquals": {"aws:username": "Alice"}}"#, NONE, false),
    case("condition key names are case-insensitive", r#"{"StringEquals": {"AWS:UserName": "alice"}}"#, NONE, true),
    case("StringEquals treats * literally", r#"{"StringEquals": {"aws:username": "a*"}}"#, NONE, false),
    case("StringNotEquals holds for another value", r#"{"StringNotEquals": {"aws:username": "bob"}}"#, NONE, true),
    case("StringNotEquals fails for the value", r#"{"StringNotEquals": {"aws:username": "alice"}}"#, NONE, false),
    case("StringEqualsIgnoreCase ignores case", r#"{"StringEqualsIgnoreCase": {"aws:username": "ALICE"}}"#, NONE, true),
    case("StringNotEqualsIgnoreCase ignores case", r#"{"StringNotEqualsIgnoreCase": {"aws:username": "ALICE"}}"#, NONE, false),
    case("StringLike with *", r#"{"StringLike": {"aws:username": "al*"}}"#, NONE, true),
    case("StringLike with ?", r#"{"StringLike": {"aws:username": "a?ice"}}"#, NONE, true),
    case("StringLike is case-sensitive", r#"{"StringLike": {"aws:username": "AL*"}}"#, NONE, false),
    case("StringLike * crosses / and :", r#"{"StringLike": {"secretsmanager:Name": "team*b"}}"#, NAME_X, true),
    case("StringNotLike holds when no pattern matches", r#"{"StringNotLike": {"aws:username": "b*"}}"#, NONE, true),
    case("StringNotLike fails when a pattern matches", r#"{"StringNotLike": {"aws:username": ["b*", "a*"]}}"#, NONE, false),
    case("several values for one key are OR'd", r#"{"StringEquals": {"aws:username": ["bob", "alice"]}}"#, NONE, true),
    case("several keys are AND'd", r#"{"StringEquals": {"aws:username": "alice", "secretsmanager:Name": "other"}}"#, NAME_X, false),
    case("several operators are AND'd", r#"{"StringEquals": {"aws:username": "alice"}, "StringLike": {"secretsmanager:Name": "x*"}}"#, NAME_X, false),
    case("NumericEquals", r#"{"NumericEquals": {"secretsmanager:RecoveryWindowInDays": "7.0"}}"#, WINDOW_7, true),
    case("NumericEquals takes a JSON number", r#"{"NumericEquals": {"secretsmanager:RecoveryWindowInDays": 7}}"#, WINDOW_7, true),
    case("NumericNotEquals", r#"{"NumericNotEquals": {"secretsmanager:RecoveryWindowInDays": "7"}}"#, WINDOW_7, false),
    case("NumericLessThan", r#"{"NumericLessThan": {"secretsmanager:RecoveryWindowInDays": "10"}}"#, WINDOW_7, true),
    case("NumericLessThan is strict", r#"{"NumericLessThan": {"secretsmanager:RecoveryWindowInDays": "7"}}"#, WINDOW_7, false),
    case("NumericLessThanEquals", r#"{"NumericLessThanEquals": {"secretsmanager:RecoveryWindowInDays": "7"}}"#, WINDOW_7, true),
    case("NumericGreaterThan is strict", r#"{"NumericGreaterThan": {"secretsmanager:RecoveryWindowInDays": "7"}}"#, WINDOW_7, false),
    case("NumericGreaterThanEquals", r#"{"NumericGreaterThanEquals": {"secretsmanager:RecoveryWindowInDays": "7"}}"#, WINDOW_7, true),
    case("a context value that is not a number matches no numeric test", r#"{"NumericLessThan": {"aws:username": "10"}}"#, NONE, false),
    case("DateEquals compares instants across formats", r#"{"DateEquals": {"aws:CurrentTime": "1717243200"}}"#, NOW, true),
    case("DateNotEquals", r#"{"DateNotEquals": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}}"#, NOW, false),
    case("DateLessThan", r#"{"DateLessThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}}"#, NOW, true),
    case("DateLessThanEquals", r#"{"DateLessThanEquals": {"aws:CurrentTime": "2024-06-01T14:00:00+02:00"}}"#, NOW, true),
    case("DateGreaterThan", r#"{"DateGreaterThan": {"aws:CurrentTime": "2024-06-02"}}"#, NOW, false),
    case("DateGreaterThanEquals", r#"{"DateGreaterThanEquals": {"aws:CurrentTime": "2024-06-01"}}"#, NOW, true),
    case("Bool true", r#"{"Bool": {"secretsmanager:ForceDeleteWithoutRecovery": "true"}}"#, FORCE_TRUE, true),
    case("Bool takes a JSON boolean", r#"{"Bool": {"secretsmanager:ForceDeleteWithoutRecovery": true}}"#, FORCE_TRUE, true),
    case("Bool false", r#"{"Bool": {"secretsmanager:ForceDeleteWithoutRecovery": "false"}}"#, FORCE_TRUE, false),
    case("BinaryEquals compares the decoded bytes", r#"{"BinaryEquals": {"x:blob": "aGVsbG8="}}"#, BIN, true),
    case("BinaryEquals with other bytes", r#"{"BinaryEquals": {"x:blob": "aGVsbG9v"}}"#, BIN, false),
    case("IpAddress in an IPv4 block", r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, IP4, true),
    case("IpAddress outside the block", r#"{"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}}"#, IP4, false),
    case("IpAddress in an IPv6 block", r#"{"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}"#, IP6, true),
    case("IpAddress never matches across families", r#"{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}"#, IP6, false),
    case("NotIpAddress", r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, IP4, false),
    case("ArnEquals", r#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/alice"}}"#, NONE, true),
    case("ArnLike with wildcards", r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}"#, NONE, true),
    case("ArnLike matches each of the six components separately", r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:*:user/alice"}}"#, NONE, false),
    case("the same pattern with StringLike crosses colons", r#"{"StringLike": {"aws:PrincipalArn": "arn:aws:*:user/alice"}}"#, NONE, true),
    case("ArnNotEquals", r#"{"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/alice"}}"#, NONE, false),
    case("ArnNotLike", r#"{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}"#, NONE, true),
    case("Null true holds for a missing key", r#"{"Null": {"aws:SourceIp": "true"}}"#, NONE, true),
    case("Null true fails for a present key", r#"{"Null": {"aws:SourceIp": "true"}}"#, IP4, false),
    case("Null false holds for a present key", r#"{"Null": {"aws:SourceIp": "false"}}"#, IP4, true),
    case("Null true holds for an empty multi-valued key", r#"{"Null": {"aws:TagKeys": "true"}}"#, TAGS_EMPTY, true),
    case("a positive operator on a missing key fails", r#"{"StringEquals": {"secretsmanager:Name": "x"}}"#, NONE, false),
    case("a negated operator on a missing key holds", r#"{"StringNotEquals": {"secretsmanager:Name": "x"}}"#, NONE, true),
    case("NotIpAddress on a missing key holds", r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, NONE, true),
    case("IfExists holds for a missing key", r#"{"StringEqualsIfExists": {"secretsmanager:Name": "x"}}"#, NONE, true),
    case("IfExists checks a present key", r#"{"StringEqualsIfExists": {"secretsmanager:Name": "x"}}"#, NAME_X, false),
    case("NumericLessThanIfExists on a missing key", r#"{"NumericLessThanIfExists": {"secretsmanager:RecoveryWindowInDays": "1"}}"#, NONE, true),
    case("DateGreaterThanIfExists checks a present key", r#"{"DateGreaterThanIfExists": {"aws:CurrentTime": "2030-01-01"}}"#, NOW, false),
    case("BoolIfExists on a missing key", r#"{"BoolIfExists": {"secretsmanager:BlockPublicPolicy": "true"}}"#, NONE, true),
    case("IpAddressIfExists checks a present key", r#"{"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}"#, IP4, false),
    case("ArnLikeIfExists on a missing key", r#"{"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:*:*:*:*"}}"#, NONE, true),
    case("an unqualified operator on a multi-valued key matches any value", r#"{"StringEquals": {"aws:TagKeys": "x"}}"#, TAGS_TEAM_X, true),
    case("an unqualified negated operator needs every value to differ", r#"{"StringNotEquals": {"aws:TagKeys": "x"}}"#, TAGS_TEAM_X, false),
    case("ForAnyValue holds when one value matches", r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#, TAGS_TEAM_X, true),
    case("ForAnyValue fails when no value matches", r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "owner"]}}"#, TAGS_TEAM_X, false),
    case("ForAnyValue fails for a missing key", r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}"#, NONE, false),
    case("ForAnyValue fails for an empty key", r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}"#, TAGS_EMPTY, false),
    case("ForAnyValue IfExists holds for a missing key", r#"{"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "team"}}"#, NONE, true),
    case("ForAnyValue with a negated operator: some value is unlisted", r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": "team"}}"#, TAGS_TEAM_X, true),
    case("ForAnyValue:StringLike", r#"{"ForAnyValue:StringLike": {"aws:TagKeys": "t*"}}"#, TAGS_TEAM_X, true),
    case("ForAllValues holds when every value is listed", r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#, TAGS_TEAM_ENV, true),
    case("ForAllValues fails when a value is unlisted", r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#, TAGS_TEAM_X, false),
    case("ForAllValues holds for a missing key", r#"{"ForAllValues:StringEquals": {"aws:TagKeys": "team"}}"#, NONE, true),
    case("ForAllValues holds for an empty key", r#"{"ForAllValues:StringEquals": {"aws:TagKeys": "team"}}"#, TAGS_EMPTY, true),
    case("ForAllValues with a negated operator: no value is listed", r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}"#, TAGS_TEAM_X, true),
    case("ForAllValues:StringNotLike fails when a value matches", r#"{"ForAllValues:StringNotLike": {"aws:TagKeys": "x*"}}"#, TAGS_TEAM_X, false),
    case("a variable in a condition value", r#"{"StringEquals": {"secretsmanager:Name": "${aws:PrincipalTag/team}"}}"#, &[("secretsmanager:Name", &["blue"])], true),
    case("a variable with other text in StringLike", r#"{"StringLike": {"secretsmanager:Name": "${aws:username}/*"}}"#, &[("secretsmanager:Name", &["alice/db"])], true),
    case("a secretsmanager variable", r#"{"StringEquals": {"aws:username": "${secretsmanager:Name}"}}"#, &[("secretsmanager:Name", &["alice"])], true),
    case("an unresolvable variable makes a positive condition fail", r#"{"StringEquals": {"aws:username": "${aws:PrincipalTag/missing}"}}"#, NONE, false),
    case("a negated operator matches a variable with no value", r#"{"StringNotEquals": {"aws:username": "${aws:PrincipalTag/missing}"}}"#, NONE, true),
    case("a value with no variable value is left out, the others still OR'd", r#"{"StringLike": {"aws:username": ["${aws:PrincipalTag/missing}", "a*"]}}"#, NONE, true),
    case("...IfExists on an absent key holds whatever its values", r#"{"StringEqualsIfExists": {"x:absent": "${aws:PrincipalTag/missing}"}}"#, NONE, true),
    case("a multi-valued key cannot be a variable", r#"{"StringEquals": {"aws:username": "${aws:TagKeys}"}}"#, TAGS_TEAM_X, false),
];

#[test]
fn every_condition_operator_behaves_as_documented() {
    let mut failures = Vec::new();
    for c in CONDITION_CASES {
        let statement = format!(
            r#"{{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}}"#,
            c.condition
        );
        let policies = [identity(&statement)];
        let mut ctx = get(&alice(), &dev_db()).with_principal_tag("team", "blue");
        for (key, values) in c.keys {
            ctx.set_key(key, values.iter().copied());
        }
        let allowed = evaluate(&policies, &ctx).is_allowed();
        if allowed != c.holds {
            failures.push(format!("{}: expected {}, got {allowed}", c.name, c.holds));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_operator_has_a_row() {
    for test in crate::policy::Test::ALL {
        assert!(
            CONDITION_CASES
                .iter()
                .any(|c| c.condition.contains(&format!("\"{}\"", test.name()))),
            "no row for {}",
            test.name()
        );
    }
}

#[test]
fn denials_carry_awss_message_shapes() {
    let resource = dev_db();
    let prefix = format!(
        "User: {} is not authorized to perform: {GET} on resource: {resource} ",
        alice()
    );
    let bob = user(OTHER_ACCOUNT, "bob");
    let message = |policies: &[Policy], principal: &str| {
        let e = evaluate(policies, &get(principal, &resource));
        let m = e.denial_message().unwrap();
        let err = e.to_result().unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::AccessDenied);
        assert_eq!(err.message, m);
        m
    };
    assert_eq!(
        message(&[], &alice()),
        format!("{prefix}because no identity-based policy allows the {GET} action")
    );
    assert_eq!(
        message(
            &[identity(
                r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#
            )],
            &alice()
        ),
        format!("{prefix}with an explicit deny in an identity-based policy")
    );
    assert_eq!(
        message(
            &[
                identity(ALLOW_ALL),
                resource_policy(
                    r#"{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}"#
                )
            ],
            &alice()
        ),
        format!("{prefix}with an explicit deny in a resource-based policy")
    );
    assert_eq!(
        message(&[identity(ALLOW_ALL)], &bob),
        format!(
            "User: {bob} is not authorized to perform: {GET} on resource: {resource} because no resource-based policy allows the {GET} action"
        )
    );
    let allowed = evaluate(&[identity(ALLOW_ALL)], &get(&alice(), &resource));
    assert_eq!(allowed.reason, Reason::Allowed);
    assert_eq!(allowed.denial_message(), None);
    assert!(allowed.to_result().is_ok());
}

#[test]
fn the_explanation_names_the_statements_that_matched() {
    let policies = [
        identity(&format!(
            r#"{{"Sid": "ReadAll", "Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}},
               {{"Sid": "Other", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}},
               {{"Sid": "NoProd", "Effect": "Deny", "Action": "{GET}", "Resource": "arn:aws:secretsmanager:*:*:secret:prod/*"}}"#
        )),
        resource_policy(&format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "{}"}}, "Action": "{GET}", "Resource": "*"}}"#,
            alice()
        )),
    ];
    let e = evaluate(
        &policies,
        &get(&alice(), &secret(ACCOUNT, "prod/db-AbCdEf")),
    );
    assert_eq!(e.decision, Decision::ExplicitDeny);
    let summary: Vec<_> = e
        .matched
        .iter()
        .map(|m| {
            (
                m.policy_id.as_str(),
                m.kind,
                m.index,
                m.sid.as_deref(),
                m.effect,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "alice-inline",
                PolicyKind::User,
                0,
                Some("ReadAll"),
                Effect::Allow
            ),
            (
                "alice-inline",
                PolicyKind::User,
                2,
                Some("NoProd"),
                Effect::Deny
            ),
            (
                "secret-policy",
                PolicyKind::Resource,
                0,
                None,
                Effect::Allow
            ),
        ]
    );
    let deciding: Vec<_> = e.deciding_statements().map(|m| m.index).collect();
    assert_eq!(deciding, [2]);
    assert_eq!(e.reason, Reason::ExplicitDenyInIdentityPolicy);
}

#[test]
fn a_role_named_in_a_resource_policy_matches_its_sessions() {
    let session = format!("arn:aws:sts::{ACCOUNT}:assumed-role/deployer/coffer");
    let names_role = |role: &str| {
        resource_policy(&format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "{role}"}}, "Action": "{GET}", "Resource": "*"}}"#
        ))
    };
    let allowed = |p: Policy| evaluate(&[p], &get(&session, &dev_db())).decision;
    assert_eq!(
        allowed(names_role(&format!("arn:aws:iam::{ACCOUNT}:role/deployer"))),
        Decision::Allow
    );
    assert_eq!(
        allowed(names_role(&format!(
            "arn:aws:iam::{ACCOUNT}:role/ci/deployer"
        ))),
        Decision::Allow
    );
    assert_eq!(
        allowed(names_role(&format!("arn:aws:iam::{ACCOUNT}:role/other"))),
        Decision::ImplicitDeny
    );
    assert_eq!(
        allowed(names_role(&format!(
            "arn:aws:iam::{OTHER_ACCOUNT}:role/deployer"
        ))),
        Decision::ImplicitDeny
    );
}

/// "AWS global condition context keys", `aws:PrincipalArn`: "For IAM roles, the request
/// context returns the ARN of the role, not the ARN of the user that assumed the role." and,
/// for an IAM role, "Do not specify the assumed role session ARN as a value for this
/// condition key."
#[test]
fn a_role_sessions_principal_arn_is_its_role_so_deny_all_but_the_role_admits_its_sessions() {
    let role = format!("arn:aws:iam::{ACCOUNT}:role/app");
    let guard = resource_policy(&format!(
        r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "{GET}", "Resource": "*"}},
           {{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
             "Condition": {{"ArnNotEquals": {{"aws:PrincipalArn": "{role}"}}}}}}"#
    ));
    let policies = [identity(ALLOW_ALL), guard];
    let session = |role: &str| format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/sess1");
    let decide = |principal: &str| evaluate(&policies, &get(principal, &dev_db()));
    assert_eq!(decide(&session("app")).decision, Decision::Allow);
    let other = decide(&session("other"));
    assert_eq!(other.decision, Decision::ExplicitDeny);
    assert_eq!(other.reason, Reason::ExplicitDenyInResourcePolicy);
    // AWS's denial message names the session, as the caller signed.
    assert!(
        other
            .denial_message()
            .unwrap()
            .starts_with(&format!("User: {} ", session("other")))
    );
    assert_eq!(decide(&alice()).decision, Decision::ExplicitDeny);
    let names_session = identity(&format!(
        r#"{{"Effect": "Allow", "Action": "*", "Resource": "*",
             "Condition": {{"ArnEquals": {{"aws:PrincipalArn": "{}"}}}}}}"#,
        session("app")
    ));
    assert_eq!(
        evaluate(&[names_session], &get(&session("app"), &dev_db())).decision,
        Decision::ImplicitDeny
    );
}

/// "IAM policy elements: Variables and tags", policy variables with no value: "Inverted
/// condition operators like `StringNotEquals` or `StringNotLike` do match against a null
/// value, as the value of the condition key they are testing against is not equal to or like
/// the effectively null value." Its example: "Access is explicitly denied when
/// `aws:principaltag/Team` is not set."
#[test]
fn a_negated_operator_matches_a_variable_with_no_value_so_awss_deny_fires_without_the_tag() {
    let deny = identity(&format!(
        r#"{ALLOW_ALL}, {{"Effect": "Deny", "Action": "{GET}", "Resource": "*",
             "Condition": {{"StringNotEquals": {{"secretsmanager:ResourceTag/Team": "${{aws:PrincipalTag/Team}}"}}}}}}"#
    ));
    let policies = [deny];
    let decide = |team: Option<&str>| {
        let mut ctx =
            get(&alice(), &dev_db()).with_key("secretsmanager:ResourceTag/Team", ["blue"]);
        if let Some(team) = team {
            ctx = ctx.with_principal_tag("Team", team);
        }
        evaluate(&policies, &ctx).decision
    };
    assert_eq!(decide(None), Decision::ExplicitDeny);
    assert_eq!(decide(Some("red")), Decision::ExplicitDeny);
    assert_eq!(decide(Some("blue")), Decision::Allow);
}

/// "IAM policy elements: Variables and tags", policy variables with no value: "When you use a
/// variable with no value in the condition element of an IAM policy, IAM JSON policy
/// elements: Condition operators like `StringEquals` or `StringLike` do not match, and the
/// policy statement does not take effect." "Conditions with multiple context keys or values":
/// "If a single condition operator includes multiple values for a context key, those values
/// are evaluated using a logical OR." and "If a single negated matching condition operator
/// includes multiple values for a context key, those values are evaluated using a logical
/// NOR." So a value with no variable value matches nothing and the others still count.
#[test]
fn a_value_whose_variable_has_no_value_matches_nothing_and_the_others_are_still_compared() {
    let holds = |condition: &str| {
        let statement = format!(
            r#"{{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {condition}}}"#
        );
        evaluate(&[identity(&statement)], &get(&alice(), &dev_db())).is_allowed()
    };
    let missing = "${aws:PrincipalTag/missing}";
    assert!(!holds(&format!(
        r#"{{"StringEquals": {{"aws:username": "{missing}"}}}}"#
    )));
    assert!(!holds(&format!(
        r#"{{"StringLike": {{"aws:username": "{missing}*"}}}}"#
    )));
    assert!(holds(&format!(
        r#"{{"StringEquals": {{"aws:username": ["{missing}", "alice"]}}}}"#
    )));
    assert!(holds(&format!(
        r#"{{"StringNotLike": {{"aws:username": "{missing}"}}}}"#
    )));
    assert!(holds(&format!(
        r#"{{"StringNotEquals": {{"aws:username": ["{missing}", "bob"]}}}}"#
    )));
    assert!(!holds(&format!(
        r#"{{"StringNotEquals": {{"aws:username": ["{missing}", "alice"]}}}}"#
    )));
    let arn = format!("arn:aws:iam::{ACCOUNT}:user/{missing}");
    assert!(!holds(&format!(
        r#"{{"ArnLike": {{"aws:PrincipalArn": "{arn}"}}}}"#
    )));
    assert!(holds(&format!(
        r#"{{"ArnNotEquals": {{"aws:PrincipalArn": "{arn}"}}}}"#
    )));
    assert!(holds(&format!(
        r#"{{"ForAllValues:StringNotEquals": {{"aws:username": "{missing}"}}}}"#
    )));
    assert!(!holds(&format!(
        r#"{{"ForAnyValue:StringEquals": {{"aws:username": "{missing}"}}}}"#
    )));
}

/// "IAM JSON policy elements: Condition operators": "If the policy condition requires that the
/// key is *not* matched, such as `StringNotLike` or `ArnNotLike`, and the right key is not
/// present, the condition is *true*." and, for `...IfExists`, "If the key is not present,
/// evaluate the condition element as true." Both hold whether or not a value's variable
/// resolves.
#[test]
fn negated_and_if_exists_operators_hold_on_an_absent_key_even_with_a_variable_with_no_value() {
    let holds = |condition: &str| {
        let statement = format!(
            r#"{{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {condition}}}"#
        );
        evaluate(&[identity(&statement)], &get(&alice(), &dev_db())).is_allowed()
    };
    for value in ["x", "${aws:PrincipalTag/missing}"] {
        for op in [
            "StringNotEquals",
            "StringNotLike",
            "ArnNotEquals",
            "ArnNotLike",
        ] {
            assert!(
                holds(&format!(r#"{{"{op}": {{"x:absent": "{value}"}}}}"#)),
                "{op} {value}"
            );
        }
        for op in [
            "StringEqualsIfExists",
            "StringLikeIfExists",
            "ArnEqualsIfExists",
        ] {
            assert!(
                holds(&format!(r#"{{"{op}": {{"x:absent": "{value}"}}}}"#)),
                "{op} {value}"
            );
        }
        assert!(!holds(&format!(
            r#"{{"StringEquals": {{"x:absent": "{value}"}}}}"#
        )));
    }
    assert!(holds(r#"{"NumericNotEquals": {"x:absent": "1"}}"#));
}
