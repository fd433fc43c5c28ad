//! Who may do what: every request's principal, action and resource, with the condition keys
//! of its operation, goes through the policy evaluator — the principal's identity policies
//! (inline, managed, and its groups'), the secret's resource policy, and for a value read the
//! KMS key's key policy.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use crate::policy::{self, Evaluation, Policy, PolicyDocument, PolicyKind, RequestContext};
use crate::vault::Caller;
use crate::vault::iam::{EntityKind, Iam};
use crate::{Error, Result};

/// Stored policies parsed once: every request evaluates the same few documents.
static PARSED: LazyLock<Mutex<HashMap<String, Arc<PolicyDocument>>>> =
    LazyLock::new(Default::default);

/// Parses a stored policy, or takes it from the cache.
fn parsed(text: &str) -> Result<Arc<PolicyDocument>> {
    let mut cache = PARSED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(d) = cache.get(text) {
        return Ok(d.clone());
    }
    let d = Arc::new(policy::parse_stored(text)?);
    if cache.len() >= 4096 {
        cache.clear();
    }
    cache.insert(text.to_string(), d.clone());
    Ok(d)
}

/// The identity policies that apply to a principal, each named for the explanation.
pub(crate) fn identity_policies(iam: &Iam, principal_arn: &str) -> Vec<Policy> {
    let mut out = Vec::new();
    let mut push = |id: String, kind: PolicyKind, text: &str| {
        // Stored documents were validated when written; one that no longer parses grants nothing.
        if let Ok(document) = parsed(text) {
            out.push(Policy { id, kind, document });
        }
    };
    let (kind, name) = match principal_name(principal_arn) {
        Some(x) => x,
        None => return Vec::new(),
    };
    let Some(e) = iam.get(kind, &name) else {
        return Vec::new();
    };
    let inline_kind = if kind == EntityKind::Role {
        PolicyKind::Role
    } else {
        PolicyKind::User
    };
    for (n, text) in &e.inline {
        push(n.clone(), inline_kind, text);
    }
    let mut attached: Vec<&String> = e.attached.iter().collect();
    let groups: Vec<_> = e
        .groups
        .iter()
        .filter_map(|g| iam.get(EntityKind::Group, g))
        .collect();
    for g in &groups {
        for (n, text) in &g.inline {
            push(format!("{}/{n}", g.name), PolicyKind::Group, text);
        }
        attached.extend(g.attached.iter());
    }
    for arn in attached {
        if let Some(text) = iam.managed_document(arn) {
            let k = if arn.starts_with("arn:aws:iam::aws:policy/") {
                PolicyKind::AwsManaged
            } else {
                PolicyKind::UserManaged
            };
            push(arn.clone(), k, &text);
        }
    }
    out
}

/// `arn:aws:iam::<a>:user/<path>/<name>` or `arn:aws:sts::<a>:assumed-role/<role>/<session>`.
pub(crate) fn principal_name(arn: &str) -> Option<(EntityKind, String)> {
    let rest = arn.split(':').nth(5)?;
    if let Some(u) = rest.strip_prefix("user/") {
        return Some((EntityKind::User, u.rsplit('/').next()?.to_string()));
    }
    if let Some(r) = rest.strip_prefix("assumed-role/") {
        return Some((EntityKind::Role, r.split('/').next()?.to_string()));
    }
    if let Some(r) = rest.strip_prefix("role/") {
        return Some((EntityKind::Role, r.rsplit('/').next()?.to_string()));
    }
    None
}

/// A request to decide: the principal's tags and the operation's condition keys included.
pub(crate) fn context(
    iam: &Iam,
    caller: &Caller,
    action: &str,
    resource: &str,
    now: jiff::Timestamp,
) -> RequestContext {
    let mut ctx =
        RequestContext::new(caller.principal_arn.clone(), action, resource).with_time(now);
    if let Some((kind, name)) = principal_name(&caller.principal_arn)
        && let Some(e) = iam.get(kind, &name)
    {
        if kind == EntityKind::Role && ctx.role_arn.is_some() {
            // A session's ARN does not carry its role's path; `aws:PrincipalArn` does.
            let arn = format!(
                "arn:aws:iam::{}:role{}{}",
                ctx.principal_account, e.path, e.name
            );
            ctx = ctx.with_role_arn(arn);
        }
        for t in &e.tags {
            ctx = ctx.with_principal_tag(t.key.clone(), t.value.clone());
        }
    }
    if let Some(ip) = &caller.source_ip {
        ctx.set_key("aws:SourceIp", [ip.clone()]);
    }
    ctx
}

/// A request on a secret: the context above plus the secret's condition keys
/// (`secretsmanager:SecretId`, `secretsmanager:Name`, `secretsmanager:ResourceTag/*`,
/// `aws:ResourceTag/*`).
pub(crate) fn secret_context(
    iam: &Iam,
    caller: &Caller,
    action: &str,
    arn: &str,
    doc: &crate::vault::doc::SecretDoc,
    now: jiff::Timestamp,
) -> RequestContext {
    let mut ctx = context(iam, caller, action, arn, now);
    ctx.set_key("secretsmanager:SecretId", [arn.to_string()]);
    ctx.set_key("secretsmanager:Name", [doc.name.clone()]);
    for t in &doc.tags {
        ctx.set_key(
            &format!("secretsmanager:ResourceTag/{}", t.key),
            [t.value.clone()],
        );
        ctx.set_key(&format!("aws:ResourceTag/{}", t.key), [t.value.clone()]);
    }
    ctx
}

/// Decides `ctx` against the principal's identity policies and `resource_policies`.
pub(crate) fn decide(
    iam: &Iam,
    ctx: &RequestContext,
    resource_policies: Vec<Policy>,
) -> Evaluation {
    let mut policies = identity_policies(iam, &ctx.principal_arn);
    policies.extend(resource_policies);
    policy::evaluate(&policies, ctx)
}

/// Decides a caller's request and turns a denial into `AccessDeniedException` with AWS's
/// message. A caller with a session policy has that policy instead of identity policies.
pub(crate) fn authorize(
    iam: &Iam,
    caller: &Caller,
    ctx: &RequestContext,
    resource_policies: Vec<Policy>,
) -> Result<()> {
    match caller.session_policy() {
        None => decide(iam, ctx, resource_policies).to_result(),
        Some(text) => {
            let mut policies = vec![Policy {
                id: "session".into(),
                kind: PolicyKind::Role,
                document: parsed(text)?,
            }];
            policies.extend(resource_policies);
            policy::evaluate(&policies, ctx).to_result()
        }
    }
}

/// One request's decision, the same whether a request through the door asks it or a
/// console's view of what that request would show: the request context of `action` on
/// `resource` (with the secret's own keys when it is a secret), the operation's condition
/// keys, and the secret's resource policy.
pub(crate) fn authorize_action(
    iam: &Iam,
    caller: &Caller,
    action: &str,
    resource: &str,
    secret: Option<&crate::vault::doc::SecretDoc>,
    request_keys: &[(String, Vec<String>)],
    now: jiff::Timestamp,
) -> Result<()> {
    let mut c = match secret {
        Some(d) => secret_context(iam, caller, action, resource, d, now),
        None => context(iam, caller, action, resource, now),
    };
    for (k, v) in request_keys {
        c.set_key(k, v.iter().cloned());
    }
    let rp = match secret {
        Some(d) => resource_policy(resource, PolicyKind::Resource, d.policy.as_deref())?,
        None => Vec::new(),
    };
    authorize(iam, caller, &c, rp)
}

/// A stored resource or key policy, ready to take part in a decision.
pub(crate) fn resource_policy(
    id: &str,
    kind: PolicyKind,
    text: Option<&str>,
) -> Result<Vec<Policy>> {
    match text {
        None => Ok(Vec::new()),
        Some(t) => Ok(vec![Policy {
            id: id.to_string(),
            kind,
            document: parsed(t).map_err(|e| {
                Error::internal(format!("a stored policy no longer parses: {}", e.message))
            })?,
        }]),
    }
}
