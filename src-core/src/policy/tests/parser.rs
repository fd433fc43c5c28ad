//! The parser: what it reads, what it refuses (saying where and why), and that no input
//! makes it panic.

use proptest::prelude::*;

use super::document;
use crate::ErrorCode;
use crate::policy::{
    Effect, Element, MAX_POLICY_CHARS, PolicyVersion, Position, PrincipalKind, Principals, Test,
    parse,
};

#[test]
fn reads_every_element() {
    let text = r#"{
  "Version": "2012-10-17",
  "Id": "policy-1",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Principal": {"AWS": ["123456789012", "arn:aws:iam::111122223333:user/a", "*"], "Service": "rotation.coffer.local"},
      "Action": ["secretsmanager:GetSecretValue", "secretsmanager:Describe*"],
      "Resource": "*",
      "Condition": {
        "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b"]},
        "NumericLessThan": {"secretsmanager:RecoveryWindowInDays": 10},
        "Bool": {"secretsmanager:ForceDeleteWithoutRecovery": false}
      }
    },
    {"Effect": "Deny", "NotPrincipal": "*", "NotAction": "kms:*", "NotResource": ["arn:aws:kms:*"]}
  ]
}"#;
    let doc = parse(text).unwrap();
    assert_eq!(doc.version, PolicyVersion::Current);
    assert_eq!(doc.id.as_deref(), Some("policy-1"));
    let [first, second] = &doc.statements[..] else {
        panic!("two statements expected")
    };
    assert_eq!(first.sid.as_deref(), Some("Read"));
    assert_eq!(first.effect, Effect::Allow);
    let Some(Element::Is(Principals::Listed(ids))) = &first.principal else {
        panic!("listed principals expected")
    };
    let ids: Vec<_> = ids.iter().map(|i| (i.kind, i.value.as_str())).collect();
    assert_eq!(
        ids,
        [
            (PrincipalKind::Aws, "arn:aws:iam::123456789012:root"),
            (PrincipalKind::Aws, "arn:aws:iam::111122223333:user/a"),
            (PrincipalKind::Aws, "*"),
            (PrincipalKind::Service, "rotation.coffer.local"),
        ]
    );
    assert_eq!(
        first.action,
        Element::Is(vec![
            "secretsmanager:GetSecretValue".to_owned(),
            "secretsmanager:Describe*".to_owned()
        ])
    );
    let ops: Vec<_> = first
        .conditions
        .iter()
        .map(|c| (c.operator.name(), c.key.as_str(), c.values.len()))
        .collect();
    assert_eq!(
        ops,
        [
            (
                "ForAnyValue:StringLikeIfExists".to_owned(),
                "aws:TagKeys",
                2
            ),
            (
                "NumericLessThan".to_owned(),
                "secretsmanager:RecoveryWindowInDays",
                1
            ),
            (
                "Bool".to_owned(),
                "secretsmanager:ForceDeleteWithoutRecovery",
                1
            ),
        ]
    );
    assert_eq!(first.conditions[1].values[0].raw(), "10");
    assert_eq!(first.conditions[2].values[0].raw(), "false");
    assert_eq!(first.conditions[1].operator.test, Test::NumericLessThan);
    assert_eq!(second.principal, Some(Element::Not(Principals::Everyone)));
    assert!(matches!(second.action, Element::Not(_)));
    assert!(matches!(second.resource, Element::Not(_)));
    assert_eq!(first.start, Position { line: 5, column: 6 });
    assert_eq!(
        first.end,
        Position {
            line: 16,
            column: 6
        }
    );
}

#[test]
fn a_single_statement_object_and_a_missing_version_are_accepted() {
    let doc =
        parse(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#).unwrap();
    assert_eq!(doc.version, PolicyVersion::Legacy);
    assert_eq!(doc.statements.len(), 1);
}

#[test]
fn statement_positions_follow_iams_simulator() {
    // The AWS CLI's simulate-custom-policy example reports this statement at columns 38-167.
    let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}"#;
    let doc = parse(text).unwrap();
    assert_eq!(
        doc.statements[0].start,
        Position {
            line: 1,
            column: 38
        }
    );
    assert_eq!(
        doc.statements[0].end,
        Position {
            line: 1,
            column: 167
        }
    );
}

/// A malformed document, the start of the message it must give, and its line and column.
const MALFORMED: &[(&str, &str, &str)] = &[
    (
        "not json",
        "Syntax error at line 1, column 1: expected a value",
        "",
    ),
    (
        "{\"Statement\": [}",
        "Syntax error at line 1, column 16: expected a value",
        "",
    ),
    (
        "[]",
        "Policy: a policy document must be a JSON object",
        "(line 1, column 1)",
    ),
    (
        "{\"Version\": \"2012-10-17\"}",
        "Policy: missing Statement",
        "(line 1, column 1)",
    ),
    (
        "{\"Statement\": [], \"Version\": \"2012-10-17\"}",
        "Statement: must not be an empty list",
        "(line 1, column 15)",
    ),
    (
        "{\"Version\": \"2020-01-01\", \"Statement\": []}",
        "Version: unsupported version '2020-01-01'",
        "(line 1, column 13)",
    ),
    (
        "{\"Statement\": [], \"Extra\": 1}",
        "Policy: unknown element 'Extra'",
        "(line 1, column 19)",
    ),
    (
        "{\"Id\": 5, \"Statement\": []}",
        "Id: must be a string",
        "(line 1, column 8)",
    ),
    (
        "{\"Statement\": 5}",
        "Statement: a statement must be a JSON object",
        "(line 1, column 15)",
    ),
    (
        r#"{"Statement": [{"Action": "*", "Resource": "*"}]}"#,
        "Statement[0]: missing Effect",
        "(line 1, column 16)",
    ),
    (
        r#"{"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}"#,
        "Statement[0].Effect: Effect must be Allow or Deny, not 'allow'",
        "(line 1, column 27)",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Resource": "*"}]}"#,
        "Statement[0]: missing Action or NotAction",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*"}]}"#,
        "Statement[0]: missing Resource or NotResource",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "*", "Resource": "*"}]}"#,
        "Statement[0]: a statement cannot have both Action and NotAction",
        "(line 1, column 51)",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*"}]}"#,
        "Statement[0]: a statement cannot have both Resource and NotResource",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "NotPrincipal": "*", "Action": "*", "Resource": "*"}]}"#,
        "Statement[0]: a statement cannot have both Principal and NotPrincipal",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Actions": "*", "Resource": "*"}]}"#,
        "Statement[0]: unknown element 'Actions'",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}"#,
        "Statement[0].Action: must not be an empty list",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "GetSecretValue", "Resource": "*"}]}"#,
        "Statement[0].Action: 'GetSecretValue' is not an action",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": ["s:a", 5], "Resource": "*"}]}"#,
        "Statement[0].Action: must be a string or a list of strings",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "secret/x"}]}"#,
        "Statement[0].Resource: 'secret/x' is not a resource",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Principal": "bob", "Action": "*", "Resource": "*"}]}"#,
        "Statement[0].Principal: must be \"*\" or an object",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"IAM": "x"}, "Action": "*", "Resource": "*"}]}"#,
        "Statement[0].Principal: unknown principal type 'IAM'",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "bob"}, "Action": "*", "Resource": "*"}]}"#,
        "Statement[0].Principal.AWS: invalid principal 'bob'",
        "",
    ),
    // IAM User Guide, "IAM JSON policy elements: Principal"
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):
    // "You cannot use a wildcard to match part of a principal name or ARN."
    (
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/*"}, "Action": "*", "Resource": "*"}]}"#,
        "Statement[0].Principal.AWS: Unsupported wildcard in principal 'arn:aws:iam::111122223333:user/*'",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::*:root"]}, "Action": "*", "Resource": "*"}]}"#,
        "Statement[0].Principal.AWS: Unsupported wildcard in principal 'arn:aws:iam::*:root'",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "*.amazonaws.com"}, "Action": "*", "Resource": "*"}]}"#,
        "Statement[0].Principal.Service: Unsupported wildcard in principal",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Principal": {}, "Action": "*", "Resource": "*"}]}"#,
        "Statement[0].Principal: must name at least one principal",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqual": {"aws:username": "a"}}}]}"#,
        "Statement[0].Condition: unknown condition operator 'StringEqual'",
        "(line 1, column 82)",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"username": "a"}}}]}"#,
        "Statement[0].Condition.StringEquals: condition key 'username' must have a service prefix",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": "a"}}]}"#,
        "Statement[0].Condition.StringEquals: a condition operator's value must be a JSON object",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": {"a": 1}}}}]}"#,
        "Statement[0].Condition.StringEquals.aws:username: a condition value must be a string, number or boolean",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"aws:EpochTime": "soon"}}}]}"#,
        "Statement[0].Condition.NumericLessThan.aws:EpochTime: the value 'soon' is not a number",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "soon"}}}]}"#,
        "Statement[0].Condition.DateLessThan.aws:CurrentTime: the value 'soon' is not an ISO 8601 date or epoch seconds",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/40"}}}]}"#,
        "Statement[0].Condition.IpAddress.aws:SourceIp: the value '10.0.0.0/40' is not an IP address or CIDR block",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}]}"#,
        "Statement[0].Condition.Bool.aws:SecureTransport: the value 'yes' is not true or false",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NullIfExists": {"aws:SourceIp": "true"}}}]}"#,
        "Statement[0].Condition: the Null operator cannot be written as 'NullIfExists'",
        "",
    ),
    (
        r#"{"Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}]}"#,
        "Statement[0]: duplicate key 'Effect'",
        "(line 1, column 36)",
    ),
    (
        r#"{"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"}, {"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
        "Statement[1]: duplicate Sid 'A'",
        "",
    ),
];

#[test]
fn malformed_documents_say_where_and_why() {
    let mut failures = Vec::new();
    for (text, message, place) in MALFORMED {
        match parse(text) {
            Ok(_) => failures.push(format!("{text}: parsed")),
            Err(e) => {
                let ok = e.code == ErrorCode::MalformedPolicyDocument
                    && e.message.starts_with(message)
                    && e.message.ends_with(place);
                if !ok {
                    failures.push(format!(
                        "{text}:\n  got  {:?} {}\n  want {message} … {place}",
                        e.code, e.message
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn errors_point_at_the_right_line_of_a_pretty_printed_document() {
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\",\n     \"Condition\": {\"StringEquals\": {\"aws:username\": null}}}\n  ]\n}";
    let e = parse(text).unwrap_err();
    assert_eq!(
        e.message,
        "Statement[1].Condition.StringEquals.aws:username: a condition value must be a string, \
         number or boolean, or a list of them (line 6, column 53)"
    );
}

#[test]
fn size_limits_are_the_request_parameters_constraint() {
    let padding = " ".repeat(MAX_POLICY_CHARS);
    let text = format!(
        "{}{padding}",
        document(r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#)
    );
    assert_eq!(parse(&text).unwrap_err().code, ErrorCode::Validation);
    assert_eq!(parse("").unwrap_err().code, ErrorCode::Validation);
    let exactly = format!("{text:.MAX_POLICY_CHARS$}");
    assert!(parse(&exactly).is_ok());
    // Characters count, not bytes.
    let wide = document(&format!(
        r#"{{"Sid": "{}", "Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
        "é".repeat(15_000)
    ));
    assert!(wide.len() > MAX_POLICY_CHARS && wide.chars().count() <= MAX_POLICY_CHARS);
    assert!(parse(&wide).is_ok());
}

const VALID: &str = r#"{"Version": "2012-10-17", "Id": "x", "Statement": [
  {"Sid": "A", "Effect": "Allow", "Principal": {"AWS": ["123456789012", "*"]},
   "Action": ["secretsmanager:Get*", "kms:Decrypt"], "Resource": "arn:aws:secretsmanager:*:*:secret:${aws:username}/*",
   "Condition": {"ForAllValues:StringLikeIfExists": {"aws:TagKeys": ["a", "b*"]},
                 "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "::1"]},
                 "DateLessThan": {"aws:CurrentTime": 1700000000},
                 "Null": {"aws:username": false}}},
  {"Effect": "Deny", "NotPrincipal": {"Service": "x.amazonaws.com"}, "NotAction": "*", "NotResource": ["*"]}
]}"#;

/// Bytes that make mutations likely to stay near-JSON.
const ALPHABET: &[u8] = b"{}[]\":,\\ *?$u0123456789aeflnrstu-/.\n\xc3\xa9";

fn never_panics(text: &str) {
    if let Err(e) = parse(text) {
        assert!(
            matches!(
                e.code,
                ErrorCode::MalformedPolicyDocument | ErrorCode::Validation
            ),
            "{e}"
        );
        assert!(!e.message.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        never_panics(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_json_like_text_never_panics(
        picks in prop::collection::vec(prop::sample::select(ALPHABET), 0..200)
    ) {
        never_panics(&String::from_utf8_lossy(&picks));
    }

    #[test]
    fn mutated_valid_documents_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, prop::sample::select(ALPHABET)), 1..6)
    ) {
        let mut bytes = VALID.as_bytes().to_vec();
        for (at, kind, byte) in edits {
            let i = at.index(bytes.len().max(1));
            match kind {
                0 if !bytes.is_empty() => { bytes.remove(i); }
                1 => bytes.insert(i.min(bytes.len()), byte),
                _ if !bytes.is_empty() => bytes[i] = byte,
                _ => {}
            }
        }
        never_panics(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn the_valid_seed_document_parses() {
    assert_eq!(parse(VALID).unwrap().statements.len(), 2);
}

/// A vault written by an older Coffer may hold a resource policy with a wildcard inside a
/// principal, which `parse` now refuses. Read back from the store it keeps its old meaning, so
/// its `Deny` still denies (dropping it would open the secret) and requests are still decided.
#[test]
fn a_stored_policy_with_a_wildcard_principal_keeps_its_deny() {
    use crate::policy::{Decision, Policy, PolicyKind, RequestContext, evaluate, parse_stored};
    let text = r#"{"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/app-*"}, "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:user/app-contractor-*"}, "Action": "*", "Resource": "*"}
    ]}"#;
    assert!(parse(text).is_err(), "a new policy like this is refused");
    let policies = [Policy {
        id: "secret-policy".into(),
        kind: PolicyKind::Resource,
        document: std::sync::Arc::new(parse_stored(text).expect("a stored policy still reads")),
    }];
    let secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf";
    let get = |user: &str| {
        RequestContext::new(
            format!("arn:aws:iam::111122223333:user/{user}"),
            "secretsmanager:GetSecretValue",
            secret,
        )
    };
    assert_eq!(
        evaluate(&policies, &get("app-contractor-eve")).decision,
        Decision::ExplicitDeny
    );
    assert_eq!(
        evaluate(&policies, &get("app-orders")).decision,
        Decision::Allow
    );
}
