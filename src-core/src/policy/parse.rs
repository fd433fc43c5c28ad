//! Reading a policy document, with errors that say where (a JSON path, line and column)
//! and why.

use std::collections::HashSet;

use super::condition::{Condition, Operator};
use super::document::{
    Effect, Element, PolicyDocument, PolicyVersion, Position, PrincipalId, PrincipalKind,
    Principals, Statement,
};
use super::json::{self, Member, Node, Value};
use super::matching::Template;
use crate::{Error, ErrorCode, Result};

/// The longest policy accepted, in characters: Secrets Manager's limit for a resource policy.
pub const MAX_POLICY_CHARS: usize = 20_480;

/// Parses an IAM JSON policy document.
///
/// A document longer than [`MAX_POLICY_CHARS`] (or empty) fails the request parameter's length
/// constraint, which AWS reports as `ValidationException`; anything else that is wrong is
/// `MalformedPolicyDocumentException` with a message naming the place, e.g.
/// `Statement[1].Condition.StringEquals: unknown condition operator 'StringEqual' (line 9,
/// column 7)`.
pub fn parse(text: &str) -> Result<PolicyDocument> {
    read(text, true)
}

/// Parses a policy the vault already holds. It was checked by [`parse`] when it was written,
/// but an older Coffer accepted principals with a wildcard inside (`user/*`), which IAM
/// refuses and [`parse`] now does: such a stored principal keeps the meaning it had (a
/// wildcard match), so a vault's existing policies neither stop working nor lose a `Deny`.
pub(crate) fn parse_stored(text: &str) -> Result<PolicyDocument> {
    read(text, false)
}

fn read(text: &str, refuse_principal_wildcards: bool) -> Result<PolicyDocument> {
    let chars = text.chars().count();
    if chars == 0 || chars > MAX_POLICY_CHARS {
        return Err(Error::validation(format!(
            "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: \
             Member must have length between 1 and {MAX_POLICY_CHARS} (it has {chars} characters)"
        )));
    }
    let root = json::parse(text).map_err(|e| {
        let (line, column) = json::line_column(text, e.offset);
        Error::new(
            ErrorCode::MalformedPolicyDocument,
            format!(
                "Syntax error at line {line}, column {column}: {}",
                e.message
            ),
        )
    })?;
    Reader {
        text,
        refuse_principal_wildcards,
    }
    .document(&root)
}

struct Reader<'a> {
    text: &'a str,
    refuse_principal_wildcards: bool,
}

type Members<'n> = &'n [Member];

impl Reader<'_> {
    fn error(&self, path: &str, offset: usize, why: impl std::fmt::Display) -> Error {
        let (line, column) = json::line_column(self.text, offset);
        Error::new(
            ErrorCode::MalformedPolicyDocument,
            format!("{path}: {why} (line {line}, column {column})"),
        )
    }

    fn position(&self, offset: usize) -> Position {
        let (line, column) = json::line_column(self.text, offset);
        Position { line, column }
    }

    /// The members of an object, refusing duplicate keys.
    fn object<'n>(&self, node: &'n Node, path: &str, what: &str) -> Result<Members<'n>> {
        let Value::Object(members) = &node.value else {
            return Err(self.error(path, node.start, format!("{what} must be a JSON object")));
        };
        let mut seen = HashSet::new();
        for m in members {
            if !seen.insert(m.key.as_str()) {
                return Err(self.error(path, m.key_start, format!("duplicate key '{}'", m.key)));
            }
        }
        Ok(members)
    }

    fn string<'n>(&self, node: &'n Node, path: &str) -> Result<&'n str> {
        match &node.value {
            Value::String(s) => Ok(s),
            _ => Err(self.error(path, node.start, "must be a string")),
        }
    }

    /// A string or a non-empty array of non-empty strings, with each string's offset.
    fn strings<'n>(&self, node: &'n Node, path: &str) -> Result<Vec<(&'n str, usize)>> {
        let items: Vec<&Node> = match &node.value {
            Value::Array(items) if items.is_empty() => {
                return Err(self.error(path, node.start, "must not be an empty list"));
            }
            Value::Array(items) => items.iter().collect(),
            _ => vec![node],
        };
        items
            .into_iter()
            .map(|item| match &item.value {
                Value::String(s) if s.is_empty() => {
                    Err(self.error(path, item.start, "must not be an empty string"))
                }
                Value::String(s) => Ok((s.as_str(), item.start)),
                _ => Err(self.error(path, item.start, "must be a string or a list of strings")),
            })
            .collect()
    }

    fn document(&self, root: &Node) -> Result<PolicyDocument> {
        let members = self.object(root, "Policy", "a policy document")?;
        let mut version = PolicyVersion::Legacy;
        let mut id = None;
        let mut statements = None;
        for m in members {
            match m.key.as_str() {
                "Version" => {
                    version = match self.string(&m.value, "Version")? {
                        "2012-10-17" => PolicyVersion::Current,
                        "2008-10-17" => PolicyVersion::Legacy,
                        other => {
                            return Err(self.error(
                                "Version",
                                m.value.start,
                                format!(
                                    "unsupported version '{other}' (use 2012-10-17 or 2008-10-17)"
                                ),
                            ));
                        }
                    }
                }
                "Id" => id = Some(self.string(&m.value, "Id")?.to_owned()),
                "Statement" => statements = Some(&m.value),
                other => {
                    return Err(self.error(
                        "Policy",
                        m.key_start,
                        format!("unknown element '{other}'"),
                    ));
                }
            }
        }
        let Some(node) = statements else {
            return Err(self.error("Policy", root.start, "missing Statement"));
        };
        let nodes: Vec<(String, &Node)> = match &node.value {
            Value::Array(items) if items.is_empty() => {
                return Err(self.error("Statement", node.start, "must not be an empty list"));
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, n)| (format!("Statement[{i}]"), n))
                .collect(),
            _ => vec![("Statement".to_owned(), node)],
        };
        let mut sids = HashSet::new();
        let mut out = Vec::with_capacity(nodes.len());
        for (path, node) in nodes {
            let statement = self.statement(node, &path, version)?;
            if let Some(sid) = &statement.sid
                && !sids.insert(sid.clone())
            {
                return Err(self.error(&path, node.start, format!("duplicate Sid '{sid}'")));
            }
            out.push(statement);
        }
        Ok(PolicyDocument {
            version,
            id,
            statements: out,
        })
    }

    fn statement(&self, node: &Node, path: &str, version: PolicyVersion) -> Result<Statement> {
        let members = self.object(node, path, "a statement")?;
        let variables = version == PolicyVersion::Current;
        let mut sid = None;
        let mut effect = None;
        let mut principal = None;
        let mut action = None;
        let mut resource = None;
        let mut conditions = Vec::new();
        let both = |a: &str, b: &str, m: &Member| {
            self.error(
                path,
                m.key_start,
                format!("a statement cannot have both {a} and {b}"),
            )
        };
        for m in members {
            let here = format!("{path}.{}", m.key);
            match m.key.as_str() {
                "Sid" => sid = Some(self.string(&m.value, &here)?.to_owned()),
                "Effect" => {
                    effect = Some(match self.string(&m.value, &here)? {
                        "Allow" => Effect::Allow,
                        "Deny" => Effect::Deny,
                        other => {
                            return Err(self.error(
                                &here,
                                m.value.start,
                                format!("Effect must be Allow or Deny, not '{other}'"),
                            ));
                        }
                    });
                }
                "Principal" | "NotPrincipal" => {
                    if principal.is_some() {
                        return Err(both("Principal", "NotPrincipal", m));
                    }
                    let p = self.principals(&m.value, &here)?;
                    principal = Some(if m.key == "Principal" {
                        Element::Is(p)
                    } else {
                        Element::Not(p)
                    });
                }
                "Action" | "NotAction" => {
                    if action.is_some() {
                        return Err(both("Action", "NotAction", m));
                    }
                    let a = self.actions(&m.value, &here)?;
                    action = Some(if m.key == "Action" {
                        Element::Is(a)
                    } else {
                        Element::Not(a)
                    });
                }
                "Resource" | "NotResource" => {
                    if resource.is_some() {
                        return Err(both("Resource", "NotResource", m));
                    }
                    let r = self.resources(&m.value, &here, variables)?;
                    resource = Some(if m.key == "Resource" {
                        Element::Is(r)
                    } else {
                        Element::Not(r)
                    });
                }
                "Condition" => conditions = self.conditions(&m.value, &here, variables)?,
                other => {
                    return Err(self.error(
                        path,
                        m.key_start,
                        format!("unknown element '{other}'"),
                    ));
                }
            }
        }
        let missing = |what: &str| self.error(path, node.start, format!("missing {what}"));
        Ok(Statement {
            sid,
            effect: effect.ok_or_else(|| missing("Effect"))?,
            principal,
            action: action.ok_or_else(|| missing("Action or NotAction"))?,
            resource: resource.ok_or_else(|| missing("Resource or NotResource"))?,
            conditions,
            start: self.position(node.start + 1),
            end: self.position(node.end),
        })
    }

    fn actions(&self, node: &Node, path: &str) -> Result<Vec<String>> {
        self.strings(node, path)?
            .into_iter()
            .map(|(action, offset)| {
                let valid = action == "*"
                    || action.split_once(':').is_some_and(|(vendor, name)| {
                        !vendor.is_empty()
                            && vendor
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                            && !name.is_empty()
                    });
                if valid {
                    Ok(action.to_owned())
                } else {
                    Err(self.error(
                        path,
                        offset,
                        format!("'{action}' is not an action: write '*' or 'service:Action'"),
                    ))
                }
            })
            .collect()
    }

    fn resources(&self, node: &Node, path: &str, variables: bool) -> Result<Vec<Template>> {
        self.strings(node, path)?
            .into_iter()
            .map(|(resource, offset)| {
                if resource == "*" || resource.starts_with("arn:") {
                    Ok(Template::parse(resource, variables))
                } else {
                    Err(self.error(
                        path,
                        offset,
                        format!("'{resource}' is not a resource: write '*' or an ARN"),
                    ))
                }
            })
            .collect()
    }

    fn principals(&self, node: &Node, path: &str) -> Result<Principals> {
        if let Value::String(s) = &node.value {
            return if s == "*" {
                Ok(Principals::Everyone)
            } else {
                Err(self.error(
                    path,
                    node.start,
                    "must be \"*\" or an object such as {\"AWS\": \"arn:...\"}",
                ))
            };
        }
        let members = self.object(node, path, "a principal")?;
        if members.is_empty() {
            return Err(self.error(path, node.start, "must name at least one principal"));
        }
        let mut ids = Vec::new();
        for m in members {
            let here = format!("{path}.{}", m.key);
            let kind = match m.key.as_str() {
                "AWS" => PrincipalKind::Aws,
                "Service" => PrincipalKind::Service,
                "Federated" => PrincipalKind::Federated,
                "CanonicalUser" => PrincipalKind::CanonicalUser,
                other => {
                    return Err(self.error(
                        path,
                        m.key_start,
                        format!("unknown principal type '{other}'"),
                    ));
                }
            };
            for (value, offset) in self.strings(&m.value, &here)? {
                // IAM User Guide, "IAM JSON policy elements: Principal": "You cannot use a
                // wildcard to match part of a principal name or ARN." The words are Access
                // Analyzer's "Error – Unsupported wildcard in principal".
                if self.refuse_principal_wildcards && value != "*" && value.contains(['*', '?']) {
                    return Err(self.error(
                        &here,
                        offset,
                        format!(
                            "Unsupported wildcard in principal '{value}': Wildcards (*, ?) are not supported with the principal key {}. Replace the wildcard with a valid principal value.",
                            m.key
                        ),
                    ));
                }
                let value = if kind != PrincipalKind::Aws || value == "*" {
                    value.to_owned()
                } else if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
                    format!("arn:aws:iam::{value}:root")
                } else if value.starts_with("arn:") {
                    value.to_owned()
                } else {
                    return Err(self.error(
                        &here,
                        offset,
                        format!(
                            "invalid principal '{value}': write an ARN or a 12-digit account id"
                        ),
                    ));
                };
                ids.push(PrincipalId { kind, value });
            }
        }
        Ok(Principals::Listed(ids))
    }

    fn conditions(&self, node: &Node, path: &str, variables: bool) -> Result<Vec<Condition>> {
        let mut out = Vec::new();
        for op in self.object(node, path, "Condition")? {
            let operator =
                Operator::parse(&op.key).map_err(|why| self.error(path, op.key_start, why))?;
            let op_path = format!("{path}.{}", op.key);
            for entry in self.object(&op.value, &op_path, "a condition operator's value")? {
                let key_ok = entry
                    .key
                    .split_once(':')
                    .is_some_and(|(vendor, name)| !vendor.is_empty() && !name.is_empty());
                if !key_ok {
                    return Err(self.error(
                        &op_path,
                        entry.key_start,
                        format!(
                            "condition key '{}' must have a service prefix, such as aws:username",
                            entry.key
                        ),
                    ));
                }
                let key_path = format!("{op_path}.{}", entry.key);
                let values = self.condition_values(&entry.value, &key_path)?;
                let mut templates = Vec::with_capacity(values.len());
                for (value, offset) in values {
                    operator
                        .test
                        .check_value(&value)
                        .map_err(|why| self.error(&key_path, offset, why))?;
                    let variables = variables && operator.test.takes_variables();
                    templates.push(Template::parse(&value, variables));
                }
                out.push(Condition {
                    operator,
                    key: entry.key.clone(),
                    values: templates,
                });
            }
        }
        Ok(out)
    }

    /// A condition value: a string, number or boolean, or a non-empty list of them.
    fn condition_values(&self, node: &Node, path: &str) -> Result<Vec<(String, usize)>> {
        let items: Vec<&Node> = match &node.value {
            Value::Array(items) if items.is_empty() => {
                return Err(self.error(path, node.start, "must not be an empty list"));
            }
            Value::Array(items) => items.iter().collect(),
            _ => vec![node],
        };
        items
            .into_iter()
            .map(|item| match &item.value {
                Value::String(s) | Value::Number(s) => Ok((s.clone(), item.start)),
                Value::Bool(b) => Ok((b.to_string(), item.start)),
                _ => Err(self.error(
                    path,
                    item.start,
                    "a condition value must be a string, number or boolean, or a list of them",
                )),
            })
            .collect()
    }
}
