//! IAM-style policy documents: parse, evaluate with an explanation, simulate, validate.
//!
//! The module knows nothing of the vault: callers hand it documents and a
//! [`RequestContext`], and get back a [`Decision`] with the statements that made it.
//!
//! Every rule AWS documents is pinned by a test quoting it (`tests/documented.rs`); where
//! AWS's documentation is silent, Coffer's choices and their reasons are in one place,
//! `docs/IAM.md`.
//!
//! ```
//! use coffer_core::policy::{Decision, Policy, PolicyKind, RequestContext, evaluate, parse};
//!
//! let document = parse(r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
//!     "Action": "secretsmanager:GetSecretValue",
//!     "Resource": "arn:aws:secretsmanager:*:*:secret:dev/*"}}"#).unwrap();
//! let policies = [Policy { id: "dev-read".into(), kind: PolicyKind::User, document: std::sync::Arc::new(document) }];
//! let ctx = RequestContext::new(
//!     "arn:aws:iam::111122223333:user/alice",
//!     "secretsmanager:GetSecretValue",
//!     "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf",
//! );
//! let evaluation = evaluate(&policies, &ctx);
//! assert_eq!(evaluation.decision, Decision::ImplicitDeny);
//! assert!(evaluation.denial_message().unwrap().ends_with(
//!     "because no identity-based policy allows the secretsmanager:GetSecretValue action"));
//! ```

mod condition;
mod context;
mod document;
mod evaluate;
mod json;
mod matching;
mod parse;
mod simulate;
mod validate;

pub use condition::{Condition, Operator, SetQualifier, Test};
pub use context::RequestContext;
pub use document::{
    Effect, Element, PolicyDocument, PolicyVersion, Position, PrincipalId, PrincipalKind,
    Principals, Statement,
};
pub use evaluate::{Decision, Evaluation, MatchedStatement, Policy, PolicyKind, Reason, evaluate};
pub use matching::Template;
pub(crate) use parse::parse_stored;
pub use parse::{MAX_POLICY_CHARS, parse};
pub use simulate::{
    ContextEntry, ContextKeyType, EvalDecision, EvaluationResult, InlinePolicyIdentifier,
    OrganizationsDecisionDetail, PermissionsBoundaryDecisionDetail, PolicyIdentifier, PolicySource,
    ResourceSpecificResult, Simulation, SimulationResults, StatementReference, exclude, input_list,
    simulate,
};
pub use validate::{
    ValidationFinding, ValidationReport, check, is_public, validate_resource_policy,
};
// The health report matches actions against Secrets Manager's own.
pub(crate) use {matching::glob_ignore_case, validate::SECRETS_MANAGER_ACTIONS};

#[cfg(test)]
mod tests;
