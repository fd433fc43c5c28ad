//! The parsed form of an IAM JSON policy document.

use serde::Serialize;

use super::condition::Condition;
use super::matching::Template;

/// A policy document: `Version`, `Id` and its statements in order.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    pub version: PolicyVersion,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

/// The policy language version. Policy variables exist only in `2012-10-17`; a document
/// without `Version` is read as `2008-10-17`, as IAM does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyVersion {
    /// `2012-10-17`.
    Current,
    /// `2008-10-17`, or no `Version`.
    Legacy,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    /// `Principal` or `NotPrincipal`; `None` when the statement has neither.
    pub principal: Option<Element<Principals>>,
    /// `Action` or `NotAction`.
    pub action: Element<Vec<String>>,
    /// `Resource` or `NotResource`.
    pub resource: Element<Vec<Template>>,
    /// Every operator/key pair of the `Condition` block; all must hold.
    pub conditions: Vec<Condition>,
    /// Where the statement's text starts and ends, the way IAM's simulator reports it.
    pub start: Position,
    pub end: Position,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// An element and its `Not` form (`Action`/`NotAction` and the like).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element<T> {
    /// The element applies to what its values match.
    Is(T),
    /// The element applies to everything its values do not match.
    Not(T),
}

/// The value of `Principal` / `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principals {
    /// `"*"`: everyone.
    Everyone,
    /// `{"AWS": ..., "Service": ...}`, flattened; an account id is stored as its root ARN.
    Listed(Vec<PrincipalId>),
}

/// One principal named by a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalId {
    pub kind: PrincipalKind,
    pub value: String,
}

/// The key a principal was listed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

impl PrincipalKind {
    /// The JSON key for this kind.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Aws => "AWS",
            Self::Service => "Service",
            Self::Federated => "Federated",
            Self::CanonicalUser => "CanonicalUser",
        }
    }
}

/// A line and column in a policy's text, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Position {
    pub line: usize,
    pub column: usize,
}
