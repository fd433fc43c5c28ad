//! Tests of the policy engine as a whole: the table from IAM's evaluation logic, property
//! tests against a naive reference evaluator, the parser's errors and robustness, the
//! simulator and the validator.

mod documented;
mod parser;
mod properties;
mod reference;
mod simulator;
mod table;
mod validator;

use super::{Policy, PolicyKind, parse};

pub(super) const ACCOUNT: &str = "111122223333";
pub(super) const OTHER_ACCOUNT: &str = "444455556666";

pub(super) fn user(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:user/{name}")
}

pub(super) fn secret(account: &str, name: &str) -> String {
    format!("arn:aws:secretsmanager:us-east-1:{account}:secret:{name}")
}

/// A 2012-10-17 document around the given statements (JSON objects, comma-separated).
pub(super) fn document(statements: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#)
}

pub(super) fn policy(id: &str, kind: PolicyKind, statements: &str) -> Policy {
    let text = document(statements);
    let document = parse(&text).unwrap_or_else(|e| panic!("{id}: {e}\n{text}"));
    Policy {
        id: id.to_owned(),
        kind,
        document: std::sync::Arc::new(document),
    }
}
