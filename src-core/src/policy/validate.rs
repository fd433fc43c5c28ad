//! Checks for a secret's resource policy (`ValidateResourcePolicy`) and IAM's notion of a
//! public policy (`BlockPublicPolicy`).

use serde::{Deserialize, Serialize};

use super::condition::{Condition, SetQualifier, Test, parse_cidr};
use super::document::{
    Effect, Element, PolicyDocument, PolicyVersion, PrincipalKind, Principals, Statement,
};
use super::matching::{glob_ignore_case, globs_overlap, split_arn};
use super::parse::parse;

/// The `CheckName`s this validator reports.
pub mod check {
    /// The document does not parse (syntax, unknown elements, bad values, size).
    pub const MALFORMED_POLICY: &str = "MALFORMED_POLICY";
    /// A statement of a resource policy has neither `Principal` nor `NotPrincipal`.
    pub const MISSING_PRINCIPAL: &str = "MISSING_PRINCIPAL";
    /// An action of another service: it can never apply to a secret.
    pub const UNSUPPORTED_ACTION: &str = "UNSUPPORTED_ACTION";
    /// A `secretsmanager:` action pattern that matches no Secrets Manager action.
    pub const INVALID_ACTION: &str = "INVALID_ACTION";
    /// A resource that can never be a secret's ARN.
    pub const UNSUPPORTED_RESOURCE: &str = "UNSUPPORTED_RESOURCE";
    /// The policy grants access to everyone (see [`super::is_public`]).
    pub const BROAD_ACCESS: &str = "BROAD_ACCESS";

    // IAM Access Analyzer's policy checks that apply to a secret's policy, under Access
    // Analyzer's issue codes and with its `findingDetails` text (IAM User Guide, "IAM policy
    // validation check reference",
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).

    /// Error – Missing qualifier: a multivalued key without `ForAllValues`/`ForAnyValue`.
    pub const MISSING_QUALIFIER: &str = "MISSING_QUALIFIER";
    /// Security Warning – Allow with NotPrincipal.
    pub const ALLOW_WITH_NOT_PRINCIPAL: &str = "ALLOW_WITH_NOT_PRINCIPAL";
    /// Security Warning – ForAllValues with single valued key.
    pub const FORALLVALUES_WITH_SINGLE_VALUED_KEY: &str = "FORALLVALUES_WITH_SINGLE_VALUED_KEY";
    /// General Warning – Missing version.
    pub const MISSING_VERSION: &str = "MISSING_VERSION";
    /// General Warning – Wildcard without like operator.
    pub const WILDCARD_WITHOUT_LIKE_OPERATOR: &str = "WILDCARD_WITHOUT_LIKE_OPERATOR";
    /// Suggestion – Null with qualifier.
    pub const NULL_WITH_QUALIFIER: &str = "NULL_WITH_QUALIFIER";
    /// Suggestion – Redundant statement.
    pub const REDUNDANT_STATEMENT: &str = "REDUNDANT_STATEMENT";

    /// Findings that only advise: the policy still passes validation with them (Access
    /// Analyzer's general warnings and suggestions; docs/IAM.md).
    pub const ADVISORY: [&str; 4] = [
        MISSING_VERSION,
        WILDCARD_WITHOUT_LIKE_OPERATOR,
        NULL_WITH_QUALIFIER,
        REDUNDANT_STATEMENT,
    ];
}

/// Secrets Manager's `ValidateResourcePolicy` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct ValidationReport {
    pub policy_validation_passed: bool,
    pub validation_errors: Vec<ValidationFinding>,
}

/// One `ValidationErrors` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct ValidationFinding {
    pub check_name: String,
    pub error_message: String,
}

/// Every action Secrets Manager has, for telling a mistyped action from a real one.
pub(crate) const SECRETS_MANAGER_ACTIONS: [&str; 24] = [
    "BatchGetSecretValue",
    "CancelRotateSecret",
    "CreateSecret",
    "DeleteResourcePolicy",
    "DeleteSecret",
    "DescribeSecret",
    "GetRandomPassword",
    "GetResourcePolicy",
    "GetSecretValue",
    "ListResourcePolicies",
    "ListSecretVersionIds",
    "ListSecrets",
    "PutResourcePolicy",
    "PutSecretValue",
    "RemoveRegionsFromReplication",
    "ReplicateSecretToRegions",
    "RestoreSecret",
    "RotateSecret",
    "StopReplicationToReplica",
    "TagResource",
    "UntagResource",
    "UpdateSecret",
    "UpdateSecretVersionStage",
    "ValidateResourcePolicy",
];

/// Validates a secret's resource policy: it must parse, every statement must name a
/// principal, its actions must be Secrets Manager's, its resources must be able to match a
/// secret, it must not grant public access, and Access Analyzer's errors and security
/// warnings that apply to it must not fire. Its general warnings and suggestions are listed
/// too but do not fail validation ([`check::ADVISORY`]).
pub fn validate_resource_policy(text: &str) -> ValidationReport {
    let findings = match parse(text) {
        Err(e) => vec![finding(check::MALFORMED_POLICY, e.message)],
        Ok(document) => findings(&document),
    };
    ValidationReport {
        policy_validation_passed: findings
            .iter()
            .all(|f| check::ADVISORY.contains(&f.check_name.as_str())),
        validation_errors: findings,
    }
}

/// Condition keys that can have several values in one request (IAM User Guide, "AWS global
/// condition context keys", value type "Multivalued"; Service Authorization Reference for
/// AWS Secrets Manager, type `ArrayOfString`).
const MULTIVALUED_KEYS: [&str; 7] = [
    "aws:tagkeys",
    "aws:principalorgpaths",
    "aws:principalservicenameslist",
    "aws:calledvia",
    "aws:resourceorgpaths",
    "aws:sourceorgpaths",
    "secretsmanager:addreplicas",
];

fn is_multivalued(key: &str) -> bool {
    MULTIVALUED_KEYS.contains(&key.to_lowercase().as_str())
}

/// Whether the key is one Coffer knows to be single-valued: any other `aws:` or
/// `secretsmanager:` key. Keys of other services are left alone.
fn is_single_valued(key: &str) -> bool {
    let lower = key.to_lowercase();
    (lower.starts_with("aws:") || lower.starts_with("secretsmanager:")) && !is_multivalued(key)
}

/// Access Analyzer's checks on one statement's conditions and principal.
fn access_analyzer_findings(at: &str, statement: &Statement, out: &mut Vec<ValidationFinding>) {
    if statement.effect == Effect::Allow && matches!(statement.principal, Some(Element::Not(_))) {
        out.push(finding(
            check::ALLOW_WITH_NOT_PRINCIPAL,
            format!("{at}: Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead."),
        ));
    }
    for c in &statement.conditions {
        let key = &c.key;
        let op = c.operator;
        if op.test == Test::Null {
            if op.qualifier.is_some() {
                out.push(finding(
                    check::NULL_WITH_QUALIFIER,
                    format!("{at}: Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers because they always return a true or false respectively."),
                ));
            }
            continue;
        }
        match op.qualifier {
            None if is_multivalued(key) => out.push(finding(
                check::MISSING_QUALIFIER,
                format!("{at}: The request context key {key} has multiple values. Use the ForAllValues or ForAnyValue condition key qualifiers in your policy."),
            )),
            Some(SetQualifier::ForAllValues) if is_single_valued(key) => out.push(finding(
                check::FORALLVALUES_WITH_SINGLE_VALUED_KEY,
                format!("{at}: Using ForAllValues qualifier with the single-valued condition key {key} can be overly permissive. We recommend that you remove ForAllValues:."),
            )),
            _ => {}
        }
        let equals = matches!(
            op.test,
            Test::StringEquals
                | Test::StringNotEquals
                | Test::StringEqualsIgnoreCase
                | Test::StringNotEqualsIgnoreCase
        );
        let wildcard = c.values.iter().any(|v| {
            let raw = v.raw();
            // A variable's `${...}` and its default are not wildcards.
            let mut rest = raw;
            let mut plain = String::new();
            while let Some(open) = rest.find("${") {
                plain.push_str(&rest[..open]);
                rest = rest[open..]
                    .find('}')
                    .map_or("", |close| &rest[open + close + 1..]);
            }
            plain.push_str(rest);
            plain.contains(['*', '?'])
        });
        if equals && wildcard {
            out.push(finding(
                check::WILDCARD_WITHOUT_LIKE_OPERATOR,
                format!("{at}: Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like."),
            ));
        }
    }
}

/// A statement's permissions, leaving out its `Sid` and where it sits in the text.
fn same_permissions(a: &Statement, b: &Statement) -> bool {
    a.effect == b.effect
        && a.principal == b.principal
        && a.action == b.action
        && a.resource == b.resource
        && a.conditions == b.conditions
}

fn finding(check: &str, message: impl Into<String>) -> ValidationFinding {
    ValidationFinding {
        check_name: check.to_owned(),
        error_message: message.into(),
    }
}

fn findings(document: &PolicyDocument) -> Vec<ValidationFinding> {
    let mut out = Vec::new();
    if document.version == PolicyVersion::Legacy {
        out.push(finding(
            check::MISSING_VERSION,
            "We recommend that you specify the Version element to help you with debugging permission issues.",
        ));
    }
    for (i, statement) in document.statements.iter().enumerate() {
        let at = format!("Statement[{i}]");
        access_analyzer_findings(&at, statement, &mut out);
        let earlier = &document.statements[..i];
        if let Some(j) = earlier.iter().position(|e| same_permissions(e, statement)) {
            out.push(finding(
                check::REDUNDANT_STATEMENT,
                format!("{at}: The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement. (Statement[{j}] is the same.)"),
            ));
        }
        if statement.principal.is_none() {
            out.push(finding(
                check::MISSING_PRINCIPAL,
                format!("{at}: a resource policy statement must have a Principal or NotPrincipal"),
            ));
        }
        if let Element::Is(actions) = &statement.action {
            for action in actions {
                if !globs_overlap(&action.to_lowercase(), "secretsmanager:*") {
                    out.push(finding(
                        check::UNSUPPORTED_ACTION,
                        format!("{at}: the action '{action}' does not apply to secrets; a secret's policy can only grant secretsmanager actions"),
                    ));
                } else if !SECRETS_MANAGER_ACTIONS
                    .iter()
                    .any(|a| glob_ignore_case(action, &format!("secretsmanager:{a}")))
                {
                    out.push(finding(
                        check::INVALID_ACTION,
                        format!("{at}: the action '{action}' matches no Secrets Manager action"),
                    ));
                }
            }
        }
        if let Element::Is(resources) = &statement.resource {
            for resource in resources {
                if !could_be_secret(resource.raw()) {
                    out.push(finding(
                        check::UNSUPPORTED_RESOURCE,
                        format!(
                            "{at}: the resource '{}' can never match a secret's ARN",
                            resource.raw()
                        ),
                    ));
                }
            }
        }
    }
    if is_public(document) {
        out.push(finding(
            check::BROAD_ACCESS,
            "the policy grants access to every principal (\"*\") without a condition that limits it to an account, organization, principal ARN, VPC or source IP range",
        ));
    }
    out
}

/// Whether a `Resource` value can match some secret ARN
/// (`arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`).
fn could_be_secret(raw: &str) -> bool {
    // A variable may resolve to anything: treat it as a wildcard.
    let mut pattern = String::new();
    let mut rest = raw;
    while let Some(open) = rest.find("${") {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        pattern.push_str(&rest[..open]);
        pattern.push('*');
        rest = &rest[open + close + 1..];
    }
    pattern.push_str(rest);
    match split_arn(&pattern) {
        Some(c) => globs_overlap(c[2], "secretsmanager") && globs_overlap(c[5], "secret:*"),
        None => globs_overlap(&pattern, "arn:*:secretsmanager:*:*:secret:*"),
    }
}

/// Whether a resource policy is public in IAM's sense: an `Allow` to every principal
/// (`"*"`, `{"AWS": "*"}`, or `NotPrincipal`) that no condition narrows
/// to fixed values of `aws:SourceAccount`, `aws:SourceOwner`, `aws:SourceArn`,
/// `aws:SourceVpc`, `aws:SourceVpce`, `aws:PrincipalAccount`, `aws:PrincipalArn`,
/// `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:userid` or a `/8`-or-narrower
/// (`/32` for IPv6) `aws:SourceIp` range.
pub fn is_public(document: &PolicyDocument) -> bool {
    document.statements.iter().any(|s| {
        s.effect == Effect::Allow && grants_everyone(s) && !s.conditions.iter().any(narrows)
    })
}

fn grants_everyone(statement: &Statement) -> bool {
    match &statement.principal {
        None => false,
        Some(Element::Not(_) | Element::Is(Principals::Everyone)) => true,
        Some(Element::Is(Principals::Listed(ids))) => ids
            .iter()
            .any(|id| id.kind == PrincipalKind::Aws && id.value == "*"),
    }
}

const NARROWING_KEYS: [&str; 11] = [
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:userid",
    "aws:sourceip",
];

fn narrows(condition: &Condition) -> bool {
    let op = condition.operator;
    let positive = matches!(
        op.test,
        Test::StringEquals
            | Test::StringEqualsIgnoreCase
            | Test::StringLike
            | Test::ArnEquals
            | Test::ArnLike
            | Test::IpAddress
    );
    let fixed = condition.values.iter().all(|v| {
        let raw = v.raw();
        match op.test {
            Test::IpAddress => {
                parse_cidr(raw).is_some_and(|(ip, bits)| bits >= if ip.is_ipv4() { 8 } else { 32 })
            }
            _ => !raw.contains(['*', '?']) && !raw.contains("${"),
        }
    });
    NARROWING_KEYS.contains(&condition.key.to_lowercase().as_str())
        && positive
        && fixed
        && !op.if_exists
        && op.qualifier != Some(SetQualifier::ForAllValues)
}
