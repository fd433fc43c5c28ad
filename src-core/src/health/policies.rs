//! The access findings that read policy documents: resource policies that grant another
//! account or everyone, and identity policies that grant Secrets Manager actions their
//! principal has not used (with a least-privilege policy made from what it did use).

use serde_json::{Value, json};

use super::{Evidence, Finding, FindingKind, Fix, PrincipalInput, Severity, Subject};
use crate::policy::{SECRETS_MANAGER_ACTIONS, glob_ignore_case};

fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    }
}

fn statements(doc: &Value) -> Vec<&Value> {
    as_list(doc.get("Statement"))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    as_list(v)
        .into_iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// The AWS principals an `Allow` statement names (`*` for everyone).
fn aws_principals(st: &Value) -> Vec<String> {
    match st.get("Principal") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Object(m)) => strings(m.get("AWS")),
        _ => Vec::new(),
    }
}

/// The account an AWS principal belongs to: a 12-digit id, or the one in its ARN.
fn account_of(p: &str) -> Option<&str> {
    if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        return Some(p);
    }
    p.strip_prefix("arn:")?.split(':').nth(3)
}

/// Findings for a secret's resource policy that grants everyone (`*`) or other accounts.
/// A grant to everyone under a condition is medium (the condition may narrow it), without
/// one high.
pub fn resource_policy_findings(policy: &str, account_id: &str, subject: &Subject) -> Vec<Finding> {
    let Ok(doc) = serde_json::from_str::<Value>(policy) else {
        return Vec::new();
    };
    let mut everyone: Option<bool> = None;
    let mut accounts: Vec<String> = Vec::new();
    for st in statements(&doc) {
        if st.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let conditioned = st.get("Condition").is_some();
        for p in aws_principals(st) {
            if p == "*" {
                everyone = Some(everyone.unwrap_or(false) || !conditioned);
            } else if let Some(a) = account_of(&p).filter(|a| *a != account_id)
                && !accounts.iter().any(|x| x == a)
            {
                accounts.push(a.to_string());
            }
        }
    }
    let mut out = Vec::new();
    if let Some(unconditioned) = everyone {
        out.push(Finding {
            kind: FindingKind::PublicResourcePolicy,
            severity: if unconditioned {
                Severity::High
            } else {
                Severity::Medium
            },
            subject: subject.clone(),
            summary: if unconditioned {
                "Its resource policy grants access to everyone (Principal \"*\").".into()
            } else {
                "Its resource policy grants access to everyone (Principal \"*\") under a condition."
                    .into()
            },
            evidence: Evidence {
                names: vec!["*".into()],
                ..Default::default()
            },
            fix: None,
        });
    }
    if !accounts.is_empty() {
        accounts.sort();
        out.push(Finding {
            kind: FindingKind::CrossAccountResourcePolicy,
            severity: Severity::Medium,
            subject: subject.clone(),
            summary: format!(
                "Its resource policy grants access to another account: {}.",
                accounts.join(", ")
            ),
            evidence: Evidence {
                count: Some(accounts.len()),
                names: accounts,
                ..Default::default()
            },
            fix: None,
        });
    }
    out
}

/// The Secrets Manager actions (without the prefix) that `patterns` allow.
fn matched_actions(patterns: &[String]) -> Vec<&'static str> {
    SECRETS_MANAGER_ACTIONS
        .iter()
        .copied()
        .filter(|a| {
            let full = format!("secretsmanager:{a}");
            patterns.iter().any(|p| glob_ignore_case(p, &full))
        })
        .collect()
}

/// The Secrets Manager actions a principal's identity policies allow.
pub fn granted(docs: &[Value]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for doc in docs {
        for st in statements(doc) {
            if st.get("Effect").and_then(Value::as_str) == Some("Allow") {
                for a in matched_actions(&strings(st.get("Action"))) {
                    if !out.contains(&a) {
                        out.push(a);
                    }
                }
            }
        }
    }
    out.sort_unstable();
    out
}

/// The principal's policies as one document, each `Allow` statement's Secrets Manager
/// actions narrowed to those in `used` (other services' actions are kept as they are, and
/// a statement left with none is dropped); `Deny` statements are kept.
pub fn least_privilege(docs: &[Value], used: &[String]) -> Value {
    let mut out = Vec::new();
    for doc in docs {
        for st in statements(doc) {
            let allow = st.get("Effect").and_then(Value::as_str) == Some("Allow");
            if !allow || st.get("Action").is_none() {
                out.push(st.clone());
                continue;
            }
            let patterns = strings(st.get("Action"));
            let mut actions: Vec<String> = patterns
                .iter()
                .filter(|p| {
                    !p.to_ascii_lowercase().starts_with("secretsmanager:") && p.as_str() != "*"
                })
                .cloned()
                .collect();
            for a in matched_actions(&patterns) {
                if used.iter().any(|u| u == a) {
                    actions.push(format!("secretsmanager:{a}"));
                }
            }
            if actions.is_empty() {
                continue;
            }
            let mut st = st.clone();
            st["Action"] = json!(actions);
            out.push(st);
        }
    }
    json!({ "Version": "2012-10-17", "Statement": out })
}

/// The principal's identity policies as one document (what the proposal is set against).
fn combined(docs: &[Value]) -> Value {
    let all: Vec<Value> = docs
        .iter()
        .flat_map(|d| statements(d).into_iter().cloned())
        .collect();
    json!({ "Version": "2012-10-17", "Statement": all })
}

/// The unused-access finding of a principal: Secrets Manager actions it is granted and has
/// not used (successfully) in the last `days` days; `recent` is what it did use.
pub fn unused_access(p: &PrincipalInput, recent: &[String], days: u32) -> Option<Finding> {
    let docs: Vec<Value> = p
        .policies
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect();
    let unused: Vec<String> = granted(&docs)
        .into_iter()
        .filter(|a| !recent.iter().any(|r| r == a))
        .map(|a| format!("secretsmanager:{a}"))
        .collect();
    if unused.is_empty() {
        return None;
    }
    let mut used: Vec<String> = recent
        .iter()
        .map(|a| format!("secretsmanager:{a}"))
        .collect();
    used.sort();
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    Some(Finding {
        kind: FindingKind::UnusedAccess,
        severity: Severity::Medium,
        subject: Subject::Principal { arn: p.arn.clone() },
        summary: format!(
            "Granted {} Secrets Manager action(s) it has not used in {days} days.",
            unused.len()
        ),
        evidence: Evidence {
            count: Some(unused.len()),
            names: unused,
            used_actions: used,
            days: Some(i64::from(days)),
            ..Default::default()
        },
        fix: Some({
            let current = pretty(&combined(&docs));
            let proposed = pretty(&least_privilege(&docs, recent));
            Fix::ApplyLeastPrivilegePolicy {
                principal_arn: p.arn.clone(),
                diff: super::line_diff(&current, &proposed),
                current,
                proposed,
            }
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Subject {
        Subject::Secret {
            name: "s".into(),
            arn: "arn".into(),
        }
    }

    #[test]
    fn a_resource_policy_for_everyone_or_another_account_is_found_and_ones_own_is_not() {
        let own = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
        assert!(resource_policy_findings(own, "111122223333", &secret()).is_empty());
        let wide = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":["444455556666","arn:aws:iam::777788889999:root"]},"Action":"secretsmanager:*","Resource":"*"}]}"#;
        let f = resource_policy_findings(wide, "111122223333", &secret());
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].kind, FindingKind::PublicResourcePolicy);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[1].kind, FindingKind::CrossAccountResourcePolicy);
        assert_eq!(f[1].evidence.names, ["444455556666", "777788889999"]);
    }

    #[test]
    fn the_least_privilege_policy_keeps_the_used_actions_other_services_and_denies() {
        let docs = vec![
            serde_json::from_str::<Value>(r#"{"Statement":[{"Effect":"Allow","Action":["secretsmanager:*","kms:Decrypt"],"Resource":"arn:aws:secretsmanager:*:*:secret:app/*"},{"Effect":"Allow","Action":"secretsmanager:DeleteSecret","Resource":"*"},{"Effect":"Deny","Action":"secretsmanager:PutResourcePolicy","Resource":"*"}]}"#).unwrap(),
        ];
        let p = least_privilege(&docs, &["GetSecretValue".into(), "DescribeSecret".into()]);
        assert_eq!(
            p,
            json!({"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":["kms:Decrypt","secretsmanager:DescribeSecret","secretsmanager:GetSecretValue"],"Resource":"arn:aws:secretsmanager:*:*:secret:app/*"},
                {"Effect":"Deny","Action":"secretsmanager:PutResourcePolicy","Resource":"*"}
            ]})
        );
    }
}
