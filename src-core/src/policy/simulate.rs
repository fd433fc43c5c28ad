//! The policy simulator behind `coffer iam simulate-custom-policy` and
//! `simulate-principal-policy`, with IAM's request and result shapes.

use serde::{Deserialize, Serialize};

use super::condition::Test;
use super::context::RequestContext;
use super::document::Position;
use super::evaluate::{Decision, Policy, PolicyKind, evaluate, missing_context_keys};
use super::parse::parse;
use crate::{Error, Result};

/// One `--context-entries` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContextEntry {
    pub context_key_name: String,
    #[serde(default)]
    pub context_key_values: Vec<String>,
    pub context_key_type: ContextKeyType,
}

/// IAM's `ContextKeyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ContextKeyType {
    String,
    StringList,
    Numeric,
    NumericList,
    Boolean,
    BooleanList,
    Ip,
    IpList,
    Binary,
    BinaryList,
    Date,
    DateList,
}

impl ContextKeyType {
    fn is_list(self) -> bool {
        matches!(
            self,
            Self::StringList
                | Self::NumericList
                | Self::BooleanList
                | Self::IpList
                | Self::BinaryList
                | Self::DateList
        )
    }

    /// The operator whose value syntax this type shares.
    fn syntax(self) -> Test {
        match self {
            Self::String | Self::StringList => Test::StringEquals,
            Self::Numeric | Self::NumericList => Test::NumericEquals,
            Self::Boolean | Self::BooleanList => Test::Bool,
            Self::Ip | Self::IpList => Test::IpAddress,
            Self::Binary | Self::BinaryList => Test::BinaryEquals,
            Self::Date | Self::DateList => Test::DateEquals,
        }
    }
}

/// An identity policy given to the simulator as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    /// `SourcePolicyId` in the results: `PolicyInputList.1`, a policy name or ARN.
    pub id: String,
    pub kind: PolicyKind,
    pub document: String,
}

/// A simulation request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Simulation {
    /// The caller's identity policies.
    pub policies: Vec<PolicySource>,
    /// The resource policy (`--resource-policy`); needs `caller_arn`.
    pub resource_policy: Option<String>,
    pub action_names: Vec<String>,
    /// Resource ARNs; none means `*`.
    pub resource_arns: Vec<String>,
    pub caller_arn: Option<String>,
    /// The account that owns the resources, when their ARNs do not say.
    pub resource_owner: Option<String>,
    pub context_entries: Vec<ContextEntry>,
}

impl Simulation {
    /// A `simulate-custom-policy` request: the policies are named `PolicyInputList.1`, ...
    pub fn custom(policy_input_list: impl IntoIterator<Item = String>) -> Self {
        let policies = policy_input_list
            .into_iter()
            .enumerate()
            .map(|(i, document)| PolicySource {
                id: format!("PolicyInputList.{}", i + 1),
                kind: PolicyKind::Custom,
                document,
            })
            .collect();
        Self {
            policies,
            ..Self::default()
        }
    }
}

/// The simulator's response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SimulationResults {
    pub evaluation_results: Vec<EvaluationResult>,
}

/// The result for one action on one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EvaluationResult {
    pub eval_action_name: String,
    pub eval_resource_name: String,
    pub eval_decision: EvalDecision,
    pub matched_statements: Vec<StatementReference>,
    pub missing_context_values: Vec<String>,
}

/// IAM's `EvalDecision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EvalDecision {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
}

impl From<Decision> for EvalDecision {
    fn from(d: Decision) -> Self {
        match d {
            Decision::Allow => Self::Allowed,
            Decision::ExplicitDeny => Self::ExplicitDeny,
            Decision::ImplicitDeny => Self::ImplicitDeny,
        }
    }
}

/// A statement that decided a result (IAM's `Statement` type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StatementReference {
    pub source_policy_id: String,
    pub source_policy_type: String,
    pub start_position: Position,
    pub end_position: Position,
}

/// Simulates every action on every resource. Fails with `MalformedPolicyDocumentException`
/// naming the policy when one does not parse, and `InvalidParameterException` for a bad
/// context entry or a resource policy without a caller.
pub fn simulate(sim: &Simulation) -> Result<SimulationResults> {
    let mut policies = Vec::with_capacity(sim.policies.len() + 1);
    for source in &sim.policies {
        policies.push(parsed(&source.id, source.kind, &source.document)?);
    }
    if let Some(text) = &sim.resource_policy {
        if sim.caller_arn.is_none() {
            return Err(Error::invalid_parameter(
                "CallerArn is required when a ResourcePolicy is given",
            ));
        }
        policies.push(parsed("ResourcePolicy", PolicyKind::Resource, text)?);
    }
    for entry in &sim.context_entries {
        check_entry(entry)?;
    }
    let star = ["*".to_owned()];
    let resources = if sim.resource_arns.is_empty() {
        &star[..]
    } else {
        &sim.resource_arns[..]
    };
    let mut results = Vec::new();
    for action in &sim.action_names {
        for resource in resources {
            let ctx = context(sim, action, resource);
            let evaluation = evaluate(&policies, &ctx);
            results.push(EvaluationResult {
                eval_action_name: action.clone(),
                eval_resource_name: resource.clone(),
                eval_decision: evaluation.decision.into(),
                matched_statements: evaluation
                    .deciding_statements()
                    .map(|m| StatementReference {
                        source_policy_id: m.policy_id.clone(),
                        source_policy_type: m.kind.source_policy_type().to_owned(),
                        start_position: m.start,
                        end_position: m.end,
                    })
                    .collect(),
                missing_context_values: missing_context_keys(&policies, &ctx),
            });
        }
    }
    Ok(SimulationResults {
        evaluation_results: results,
    })
}

fn parsed(id: &str, kind: PolicyKind, text: &str) -> Result<Policy> {
    let document = parse(text).map_err(|e| Error::new(e.code, format!("{id}: {}", e.message)))?;
    Ok(Policy {
        id: id.to_owned(),
        kind,
        document: std::sync::Arc::new(document),
    })
}

fn check_entry(entry: &ContextEntry) -> Result<()> {
    let name = &entry.context_key_name;
    let count = entry.context_key_values.len();
    if !entry.context_key_type.is_list() && count != 1 {
        return Err(Error::invalid_parameter(format!(
            "context key {name} has type {:?} and needs exactly one value, not {count}",
            entry.context_key_type
        )));
    }
    let syntax = entry.context_key_type.syntax();
    for value in &entry.context_key_values {
        syntax
            .check_value(value)
            .map_err(|why| Error::invalid_parameter(format!("context key {name}: {why}")))?;
    }
    Ok(())
}

fn context(sim: &Simulation, action: &str, resource: &str) -> RequestContext {
    let mut ctx = RequestContext::new(sim.caller_arn.clone().unwrap_or_default(), action, resource);
    if let Some(owner) = &sim.resource_owner {
        ctx.resource_account.clone_from(owner);
    }
    if sim.caller_arn.is_none() {
        // Without a caller, the simulator acts as a principal of the resource's account.
        ctx.principal_account.clone_from(&ctx.resource_account);
    }
    for entry in &sim.context_entries {
        ctx.set_key(
            &entry.context_key_name,
            entry.context_key_values.iter().cloned(),
        );
    }
    ctx
}
