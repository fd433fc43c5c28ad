//! The decision for one request, from every policy that applies to it, with its reasons.
//!
//! As IAM decides (SPEC §3):
//! 1. an explicit `Deny` in any policy wins;
//! 2. within one account, an `Allow` in an identity policy or in the resource policy allows;
//!    a resource-policy statement that names only the principal's *account* (its root ARN)
//!    delegates to that account's identity policies, so it allows only together with one;
//! 3. a principal from another account needs an `Allow` in its identity policies *and* in the
//!    resource policy;
//! 4. a KMS key policy must allow (directly, or by delegating to the account) even within the
//!    account — a key's policy is the primary control of the key, as in KMS;
//! 5. otherwise the request is implicitly denied.
//!
//! `Principal`/`NotPrincipal` in an identity policy are ignored (IAM refuses them there), and
//! a resource-side statement without either matches no one.

use super::context::RequestContext;
use super::document::{
    Effect, Element, PolicyDocument, Position, PrincipalId, PrincipalKind, Principals, Statement,
};
use super::matching::{Template, glob, glob_ignore_case, split_arn};
use crate::{Error, Result};

/// What kind of policy a document is, which decides how it takes part in a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// An inline policy of a user.
    User,
    /// An inline policy of a group the user belongs to.
    Group,
    /// An inline policy of a role.
    Role,
    /// A customer managed policy attached to the principal or one of its groups.
    UserManaged,
    /// An AWS managed policy attached to the principal or one of its groups.
    AwsManaged,
    /// An identity policy given to a simulation as text.
    Custom,
    /// The resource policy of a secret.
    Resource,
    /// The key policy of a KMS key.
    KeyPolicy,
}

impl PolicyKind {
    /// Whether the policy is attached to the principal (as opposed to the resource).
    pub const fn is_identity(self) -> bool {
        !matches!(self, Self::Resource | Self::KeyPolicy)
    }

    /// IAM's `SourcePolicyType` for the simulator's `MatchedStatements`.
    pub const fn source_policy_type(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Group => "group",
            Self::Role => "role",
            Self::UserManaged => "user-managed",
            Self::AwsManaged => "aws-managed",
            Self::Custom => "none",
            Self::Resource | Self::KeyPolicy => "resource",
        }
    }
}

/// A policy taking part in a decision: its name or ARN, its kind and its document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: String,
    pub kind: PolicyKind,
    /// Shared: a stored policy is parsed once and reused by every request.
    pub document: std::sync::Arc<PolicyDocument>,
}

/// The outcome of an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

/// Why the decision came out as it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Allowed,
    ExplicitDenyInIdentityPolicy,
    ExplicitDenyInResourcePolicy,
    NoIdentityPolicyAllows,
    NoResourcePolicyAllows,
}

/// A statement that applied to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedStatement {
    pub policy_id: String,
    pub kind: PolicyKind,
    /// The statement's index in its policy's `Statement` list, from 0.
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub start: Position,
    pub end: Position,
}

/// A decision and the statements behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub decision: Decision,
    pub reason: Reason,
    /// Every statement whose principal, action, resource and conditions matched, in order.
    pub matched: Vec<MatchedStatement>,
    pub principal_arn: String,
    pub action: String,
    pub resource: String,
}

impl Evaluation {
    pub fn is_allowed(&self) -> bool {
        self.decision == Decision::Allow
    }

    /// The statements that decided: the matching denies of an explicit deny, the matching
    /// allows of an allow, none for an implicit deny.
    pub fn deciding_statements(&self) -> impl Iterator<Item = &MatchedStatement> {
        let effect = match self.decision {
            Decision::Allow => Some(Effect::Allow),
            Decision::ExplicitDeny => Some(Effect::Deny),
            Decision::ImplicitDeny => None,
        };
        self.matched
            .iter()
            .filter(move |m| Some(m.effect) == effect)
    }

    /// AWS's `AccessDeniedException` message, or `None` when the request is allowed.
    pub fn denial_message(&self) -> Option<String> {
        let action = &self.action;
        let why = match self.reason {
            Reason::Allowed => return None,
            Reason::ExplicitDenyInIdentityPolicy => {
                "with an explicit deny in an identity-based policy".to_owned()
            }
            Reason::ExplicitDenyInResourcePolicy => {
                "with an explicit deny in a resource-based policy".to_owned()
            }
            Reason::NoIdentityPolicyAllows => {
                format!("because no identity-based policy allows the {action} action")
            }
            Reason::NoResourcePolicyAllows => {
                format!("because no resource-based policy allows the {action} action")
            }
        };
        Some(format!(
            "User: {} is not authorized to perform: {action} on resource: {} {why}",
            self.principal_arn, self.resource
        ))
    }

    /// `Ok` when allowed, otherwise `AccessDeniedException` with AWS's message.
    pub fn to_result(&self) -> Result<()> {
        match self.denial_message() {
            None => Ok(()),
            Some(message) => Err(Error::access_denied(message)),
        }
    }
}

/// How a resource-side statement matched the principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// By the principal's own ARN, a wildcard, or `NotPrincipal`.
    Principal,
    /// Only by the root ARN of the principal's account: a delegation to that account.
    Account,
}

/// Decides one request against every policy that applies to it.
pub fn evaluate(policies: &[Policy], ctx: &RequestContext) -> Evaluation {
    let mut matched = Vec::new();
    let mut first_deny = None;
    let mut identity_allows = false;
    let mut resource_allows = None;
    for policy in policies {
        for (index, statement) in policy.document.statements.iter().enumerate() {
            let Some(via) = applies(statement, policy.kind, ctx) else {
                continue;
            };
            matched.push(MatchedStatement {
                policy_id: policy.id.clone(),
                kind: policy.kind,
                index,
                sid: statement.sid.clone(),
                effect: statement.effect,
                start: statement.start,
                end: statement.end,
            });
            match (statement.effect, policy.kind.is_identity()) {
                (Effect::Deny, _) => {
                    first_deny.get_or_insert(policy.kind.is_identity());
                }
                (Effect::Allow, true) => identity_allows = true,
                (Effect::Allow, false) => {
                    if resource_allows != Some(Via::Principal) {
                        resource_allows = Some(via);
                    }
                }
            }
        }
    }
    let key_policy = policies.iter().any(|p| p.kind == PolicyKind::KeyPolicy);
    let same_account = ctx.principal_account == ctx.resource_account;
    let reason = if let Some(identity) = first_deny {
        if identity {
            Reason::ExplicitDenyInIdentityPolicy
        } else {
            Reason::ExplicitDenyInResourcePolicy
        }
    } else if same_account && !key_policy {
        if identity_allows || resource_allows == Some(Via::Principal) {
            Reason::Allowed
        } else {
            Reason::NoIdentityPolicyAllows
        }
    } else {
        match resource_allows {
            Some(Via::Principal) if same_account => Reason::Allowed,
            Some(_) if identity_allows => Reason::Allowed,
            None if identity_allows || same_account => Reason::NoResourcePolicyAllows,
            _ => Reason::NoIdentityPolicyAllows,
        }
    };
    let decision = match reason {
        Reason::Allowed => Decision::Allow,
        Reason::ExplicitDenyInIdentityPolicy | Reason::ExplicitDenyInResourcePolicy => {
            Decision::ExplicitDeny
        }
        Reason::NoIdentityPolicyAllows | Reason::NoResourcePolicyAllows => Decision::ImplicitDeny,
    };
    Evaluation {
        decision,
        reason,
        matched,
        principal_arn: ctx.principal_arn.clone(),
        action: ctx.action.clone(),
        resource: ctx.resource.clone(),
    }
}

/// Whether a statement applies to the request, and how it matched the principal.
fn applies(statement: &Statement, kind: PolicyKind, ctx: &RequestContext) -> Option<Via> {
    let via = if kind.is_identity() {
        Via::Principal
    } else {
        principal_matches(statement.principal.as_ref()?, ctx)?
    };
    let applies = action_matches(&statement.action, &ctx.action)
        && resource_matches(statement, ctx)
        && statement.conditions.iter().all(|c| c.holds(ctx));
    applies.then_some(via)
}

fn action_matches(element: &Element<Vec<String>>, action: &str) -> bool {
    match element {
        Element::Is(actions) => actions.iter().any(|a| glob_ignore_case(a, action)),
        Element::Not(actions) => !actions.iter().any(|a| glob_ignore_case(a, action)),
    }
}

/// `Resource` matches when a value matches; `NotResource` when every value resolves and
/// none matches. A value whose variable cannot be resolved matches nothing.
fn resource_matches(statement: &Statement, ctx: &RequestContext) -> bool {
    let matches = |t: &Template| t.pattern(ctx).map(|p| p.matches(&ctx.resource));
    match &statement.resource {
        Element::Is(values) => values.iter().any(|t| matches(t) == Some(true)),
        Element::Not(values) => values.iter().all(|t| matches(t) == Some(false)),
    }
}

fn principal_matches(element: &Element<Principals>, ctx: &RequestContext) -> Option<Via> {
    match element {
        Element::Is(Principals::Everyone) => Some(Via::Principal),
        Element::Is(Principals::Listed(ids)) => {
            if ids.iter().any(|id| is_principal(id, ctx)) {
                Some(Via::Principal)
            } else if ids.iter().any(|id| is_principals_account(id, ctx)) {
                Some(Via::Account)
            } else {
                None
            }
        }
        Element::Not(Principals::Everyone) => None,
        Element::Not(Principals::Listed(ids)) => {
            (!ids.iter().any(|id| is_principal(id, ctx))).then_some(Via::Principal)
        }
    }
}

fn is_principal(id: &PrincipalId, ctx: &RequestContext) -> bool {
    match id.kind {
        PrincipalKind::Aws => {
            glob(&id.value, &ctx.principal_arn) || is_session_of_role(&id.value, ctx)
        }
        _ => id.value == ctx.principal_arn,
    }
}

/// A role's sessions (`arn:aws:sts::A:assumed-role/R/S`) are matched by a policy that names
/// the role (`arn:aws:iam::A:role/R`, under any path), as in AWS.
fn is_session_of_role(pattern: &str, ctx: &RequestContext) -> bool {
    let Some(c) = split_arn(&ctx.principal_arn) else {
        return false;
    };
    let Some(role) = (c[2] == "sts")
        .then(|| c[5].strip_prefix("assumed-role/"))
        .flatten()
    else {
        return false;
    };
    let Some(role) = role.split('/').next() else {
        return false;
    };
    split_arn(pattern).is_some_and(|p| {
        p[2] == "iam"
            && glob(p[4], c[4])
            && p[5].strip_prefix("role/").is_some_and(|path| {
                glob(path, role) || path.rsplit('/').next().is_some_and(|name| glob(name, role))
            })
    })
}

fn is_principals_account(id: &PrincipalId, ctx: &RequestContext) -> bool {
    id.kind == PrincipalKind::Aws
        && !ctx.principal_account.is_empty()
        && split_arn(&id.value)
            .is_some_and(|c| c[2] == "iam" && c[5] == "root" && glob(c[4], &ctx.principal_account))
}

/// The context keys that statements for this action test (in conditions or as policy
/// variables without a default) but that the request does not carry, in the policies'
/// spelling, each once.
pub(crate) fn missing_context_keys(policies: &[Policy], ctx: &RequestContext) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    for policy in policies {
        for statement in &policy.document.statements {
            let principal_ok = policy.kind.is_identity()
                || statement
                    .principal
                    .as_ref()
                    .is_some_and(|p| principal_matches(p, ctx).is_some());
            if !principal_ok || !action_matches(&statement.action, &ctx.action) {
                continue;
            }
            let resources = match &statement.resource {
                Element::Is(v) | Element::Not(v) => v,
            };
            let variables = resources
                .iter()
                .chain(statement.conditions.iter().flat_map(|c| &c.values))
                .flat_map(|t| t.variables())
                .filter(|(_, has_default)| !has_default)
                .map(|(key, _)| key);
            let keys = statement.conditions.iter().map(|c| c.key.as_str());
            for key in keys.chain(variables) {
                if ctx.values(key).is_none() && !missing.iter().any(|m| m.eq_ignore_ascii_case(key))
                {
                    missing.push(key.to_owned());
                }
            }
        }
    }
    missing
}
