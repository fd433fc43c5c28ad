//! A deliberately naive reference evaluator over a tiny policy model, written straight from
//! IAM's documentation with no shared code: the property tests render the model to JSON,
//! run the real engine on it, and compare.

use serde_json::{Map, Value, json};

/// `Principal` / `NotPrincipal` of a resource-policy statement.
#[derive(Debug, Clone)]
pub(super) enum Who {
    Everyone,
    Aws(Vec<&'static str>),
}

#[derive(Debug, Clone)]
pub(super) struct Cond {
    pub qualifier: &'static str,
    pub op: &'static str,
    pub if_exists: bool,
    pub key: &'static str,
    pub values: Vec<&'static str>,
}

#[derive(Debug, Clone)]
pub(super) struct Stmt {
    pub allow: bool,
    /// `(is NotPrincipal, who)`; only resource policies have one.
    pub principal: Option<(bool, Who)>,
    pub not_action: bool,
    pub actions: Vec<&'static str>,
    pub not_resource: bool,
    pub resources: Vec<&'static str>,
    pub conditions: Vec<Cond>,
}

#[derive(Debug, Clone)]
pub(super) struct Pol {
    pub resource_policy: bool,
    pub statements: Vec<Stmt>,
}

#[derive(Debug, Clone)]
pub(super) struct Req {
    pub principal: &'static str,
    pub action: &'static str,
    pub resource: &'static str,
    pub keys: Vec<(&'static str, Vec<&'static str>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

impl Cond {
    fn operator_name(&self) -> String {
        let suffix = if self.if_exists { "IfExists" } else { "" };
        format!("{}{}{}", self.qualifier, self.op, suffix)
    }
}

/// The policy as JSON text for the real parser.
pub(super) fn render(policy: &Pol) -> String {
    let statements: Vec<Value> = policy.statements.iter().map(render_statement).collect();
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn render_statement(s: &Stmt) -> Value {
    let mut m = Map::new();
    m.insert(
        "Effect".into(),
        json!(if s.allow { "Allow" } else { "Deny" }),
    );
    if let Some((not, who)) = &s.principal {
        let key = if *not { "NotPrincipal" } else { "Principal" };
        let value = match who {
            Who::Everyone => json!("*"),
            Who::Aws(list) => json!({ "AWS": list }),
        };
        m.insert(key.into(), value);
    }
    let key = if s.not_action { "NotAction" } else { "Action" };
    m.insert(key.into(), json!(s.actions));
    let key = if s.not_resource {
        "NotResource"
    } else {
        "Resource"
    };
    m.insert(key.into(), json!(s.resources));
    if !s.conditions.is_empty() {
        let mut block = Map::new();
        for c in &s.conditions {
            let entry = block.entry(c.operator_name()).or_insert_with(|| json!({}));
            entry[c.key] = json!(c.values);
        }
        m.insert("Condition".into(), Value::Object(block));
    }
    Value::Object(m)
}

/// `*` and `?` wildcards, by plain recursion.
fn like(pattern: &[char], text: &[char]) -> bool {
    match pattern.first() {
        None => text.is_empty(),
        Some('*') => (0..=text.len()).any(|i| like(&pattern[1..], &text[i..])),
        Some('?') => !text.is_empty() && like(&pattern[1..], &text[1..]),
        Some(c) => text.first() == Some(c) && like(&pattern[1..], &text[1..]),
    }
}

fn like_str(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    like(&p, &t)
}

/// The account id in `arn:aws:iam::<account>:...`.
fn account_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or("")
}

fn username(req: &Req) -> Option<&str> {
    req.principal.split(":user/").nth(1)
}

/// The role of a role session `arn:aws:sts::<account>:assumed-role/<role>/<session>`, as
/// `arn:aws:iam::<account>:role/<role>`.
fn role_of_session(req: &Req) -> Option<String> {
    let (_, rest) = req.principal.split_once(":assumed-role/")?;
    let role = rest.split('/').next()?;
    Some(format!(
        "arn:aws:iam::{}:role/{role}",
        account_of(req.principal)
    ))
}

/// `aws:PrincipalArn`: "For IAM roles, the request context returns the ARN of the role, not
/// the ARN of the user that assumed the role."
fn principal_arn_key(req: &Req) -> String {
    role_of_session(req).unwrap_or_else(|| req.principal.to_owned())
}

/// The generator's only policy variable is `${aws:username}`.
fn substitute(value: &str, req: &Req) -> Option<String> {
    if value.contains("${aws:username}") {
        Some(value.replace("${aws:username}", username(req)?))
    } else {
        Some(value.to_owned())
    }
}

fn context_values(req: &Req, key: &str) -> Option<Vec<String>> {
    if key.eq_ignore_ascii_case("aws:username") {
        return username(req).map(|u| vec![u.to_owned()]);
    }
    if key.eq_ignore_ascii_case("aws:PrincipalArn") {
        return Some(vec![principal_arn_key(req)]);
    }
    req.keys
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.iter().map(|s| s.to_string()).collect())
}

fn is_negated(op: &str) -> bool {
    op.contains("Not")
}

fn positive(op: &str, policy_value: &str, value: &str) -> bool {
    match op {
        "StringEquals" | "StringNotEquals" => policy_value == value,
        "StringEqualsIgnoreCase" => policy_value.to_lowercase() == value.to_lowercase(),
        "StringLike" | "StringNotLike" => like_str(policy_value, value),
        "NumericEquals" | "NumericLessThan" => {
            match (value.parse::<f64>(), policy_value.parse::<f64>()) {
                (Ok(v), Ok(p)) if op == "NumericEquals" => v == p,
                (Ok(v), Ok(p)) => v < p,
                _ => false,
            }
        }
        "Bool" => {
            let v = value.to_lowercase();
            (v == "true" || v == "false") && v == policy_value.to_lowercase()
        }
        other => panic!("the generator made an unknown operator {other}"),
    }
}

fn condition_holds(c: &Cond, req: &Req) -> bool {
    let values = context_values(req, c.key).unwrap_or_default();
    let missing = values.is_empty();
    if c.op == "Null" {
        return c.values.iter().any(|v| (*v == "true") == missing);
    }
    // A value whose variable has no value is "effectively null. There is no equal or like
    // value": it matches no context value, so it is simply not compared.
    let mut policy_values = Vec::new();
    for v in &c.values {
        if let Some(v) = substitute(v, req) {
            policy_values.push(v);
        }
    }
    if missing {
        if c.if_exists {
            return true;
        }
        return match c.qualifier {
            "ForAllValues:" => true,
            "ForAnyValue:" => false,
            _ => is_negated(c.op),
        };
    }
    let mut results = Vec::new();
    for value in &values {
        let mut any = false;
        for p in &policy_values {
            if positive(c.op, p, value) {
                any = true;
            }
        }
        results.push(if is_negated(c.op) { !any } else { any });
    }
    match c.qualifier {
        "ForAnyValue:" => results.contains(&true),
        "ForAllValues:" => !results.contains(&false),
        _ if is_negated(c.op) => !results.contains(&false),
        _ => results.contains(&true),
    }
}

/// How a resource-policy statement names the principal: 2 directly, 1 by its account's root,
/// 0 not at all.
fn principal_hit(s: &Stmt, req: &Req) -> u8 {
    let Some((not, who)) = &s.principal else {
        return 0;
    };
    let listed: Vec<String> = match who {
        Who::Everyone => vec!["*".to_owned()],
        Who::Aws(list) => list
            .iter()
            .map(|p| {
                if p.len() == 12 && p.chars().all(|c| c.is_ascii_digit()) {
                    format!("arn:aws:iam::{p}:root")
                } else {
                    p.to_string()
                }
            })
            .collect(),
    };
    // A role named as principal stands for its sessions too.
    let role = role_of_session(req);
    let direct = listed
        .iter()
        .any(|p| like_str(p, req.principal) || role.as_ref().is_some_and(|r| like_str(p, r)));
    if *not {
        return if direct { 0 } else { 2 };
    }
    let root = format!("arn:aws:iam::{}:root", account_of(req.principal));
    if direct {
        2
    } else if listed.contains(&root) {
        1
    } else {
        0
    }
}

fn statement_applies(s: &Stmt, req: &Req) -> bool {
    let action_listed = s
        .actions
        .iter()
        .any(|a| like_str(&a.to_lowercase(), &req.action.to_lowercase()));
    let action_ok = action_listed != s.not_action;
    let mut resources = Vec::new();
    for r in &s.resources {
        resources.push(substitute(r, req));
    }
    let resource_ok = if s.not_resource {
        resources
            .iter()
            .all(|r| r.as_ref().is_some_and(|r| !like_str(r, req.resource)))
    } else {
        resources
            .iter()
            .any(|r| r.as_ref().is_some_and(|r| like_str(r, req.resource)))
    };
    let conditions_ok = s.conditions.iter().all(|c| condition_holds(c, req));
    action_ok && resource_ok && conditions_ok
}

/// The decision, by IAM's rules read literally.
pub(super) fn decide(policies: &[Pol], req: &Req) -> Verdict {
    let mut any_deny = false;
    let mut identity_allow = false;
    let mut resource_direct = false;
    let mut resource_by_account = false;
    for policy in policies {
        for s in &policy.statements {
            let hit = if policy.resource_policy {
                principal_hit(s, req)
            } else {
                2
            };
            if hit == 0 || !statement_applies(s, req) {
                continue;
            }
            if !s.allow {
                any_deny = true;
            } else if !policy.resource_policy {
                identity_allow = true;
            } else if hit == 2 {
                resource_direct = true;
            } else {
                resource_by_account = true;
            }
        }
    }
    let same_account = account_of(req.principal) == account_of(req.resource)
        || account_of(req.resource).is_empty();
    let allowed = if same_account {
        identity_allow || resource_direct
    } else {
        identity_allow && (resource_direct || resource_by_account)
    };
    if any_deny {
        Verdict::ExplicitDeny
    } else if allowed {
        Verdict::Allow
    } else {
        Verdict::ImplicitDeny
    }
}
