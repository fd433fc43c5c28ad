//! The policy simulator behind `coffer iam simulate-custom-policy` and
//! `simulate-principal-policy`, with IAM's request and result shapes (botocore's IAM
//! service model, `SimulateCustomPolicyRequest` / `SimulatePolicyResponse`).
//!
//! Every request error is IAM's `InvalidInput`: the model lists only `InvalidInputException`
//! (and the server-side `PolicyEvaluationException`) for `SimulateCustomPolicy`, so a policy
//! that does not parse is reported as `InvalidInput` naming it (`PolicyInputList.1: ...`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::condition::Test;
use super::context::RequestContext;
use super::document::{Effect, Position};
use super::evaluate::{
    Decision, Evaluation, MatchedStatement, Policy, PolicyKind, evaluate, missing_context_keys,
};
use super::matching::{glob, split_arn};
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

/// A simulation request: the members of `SimulateCustomPolicyRequest` /
/// `SimulatePrincipalPolicyRequest` once the principal's own policies are looked up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Simulation {
    /// The caller's identity policies (`PolicyInputList`, and a principal's own).
    pub policies: Vec<PolicySource>,
    /// `PermissionsBoundaryPolicyInputList`: at most one document.
    pub permissions_boundary: Vec<String>,
    /// `OrderedOrganizationPolicyInputList`: the SCPs of each level, from the organization
    /// root down to the account.
    pub organization_policies: Vec<Vec<String>>,
    /// The resource policy (`--resource-policy`); needs `caller_arn`.
    pub resource_policy: Option<String>,
    pub action_names: Vec<String>,
    /// Resource ARNs; none means `*`.
    pub resource_arns: Vec<String>,
    pub caller_arn: Option<String>,
    /// `ResourceOwner`: the account (`arn:aws:iam::ACCOUNT:root`) that owns every resource
    /// whose ARN does not name its owner, and the resource policy.
    pub resource_owner: Option<String>,
    pub context_entries: Vec<ContextEntry>,
    /// `ResourceHandlingOption`: one of IAM's EC2 scenarios, whose resources must be given.
    pub resource_handling_option: Option<String>,
    /// `MaxItems`: results per page, 1 to 1000; 100 when not given.
    pub max_items: Option<u32>,
    /// `Marker`: where the previous page ended.
    pub marker: Option<String>,
    /// `PolicyExclusionList` (`simulate-principal-policy`): the principal's policies to leave
    /// out; see [`exclude`].
    pub policy_exclusion_list: Vec<PolicyIdentifier>,
}

/// One `PolicyExclusionList` entry: IAM's `PolicyIdentifier` union, exactly one of its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyIdentifier {
    /// `inline`, `aws-managed`, `user-managed`, `permission-boundary`, `scp` or `rcp`.
    PolicyType(String),
    /// A managed policy's ARN; at most one `*` (and any `?`) in its name.
    PolicyArn(String),
    InlinePolicyIdentifier(InlinePolicyIdentifier),
}

/// IAM's `InlinePolicyIdentifierType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicyIdentifier {
    pub policy_name: String,
    /// `user`, `group` or `role`.
    pub attachment_type: String,
    /// The entity's name; at most one `*` (and any `?`).
    pub attachment_name: String,
}

const POLICY_TYPES: [&str; 6] = [
    "inline",
    "aws-managed",
    "user-managed",
    "permission-boundary",
    "scp",
    "rcp",
];

/// Checks `PolicyExclusionList`: "Syntactically invalid identifiers, such as malformed ARNs or
/// wildcards in disallowed positions, cause the request to fail with an InvalidInput error."
fn check_exclusions(list: &[PolicyIdentifier]) -> Result<()> {
    let one_star = |s: &str| s.matches('*').count() <= 1;
    for id in list {
        let ok = match id {
            PolicyIdentifier::PolicyType(t) => POLICY_TYPES.contains(&t.as_str()),
            PolicyIdentifier::PolicyArn(arn) => split_arn(arn).is_some_and(|c| {
                c[2] == "iam"
                    && !c[4].contains(['*', '?'])
                    && c[5]
                        .strip_prefix("policy/")
                        .is_some_and(|name| !name.is_empty() && one_star(name))
            }),
            PolicyIdentifier::InlinePolicyIdentifier(i) => {
                ["user", "group", "role"].contains(&i.attachment_type.as_str())
                    && !i.policy_name.is_empty()
                    && !i.policy_name.contains(['*', '?'])
                    && !i.attachment_name.is_empty()
                    && one_star(&i.attachment_name)
            }
        };
        if !ok {
            return Err(Error::invalid_input(format!(
                "Invalid PolicyExclusionList entry: {}",
                serde_json::to_string(id).unwrap_or_default()
            )));
        }
    }
    Ok(())
}

/// The principal's own policies left after `PolicyExclusionList`: "Syntactically valid
/// identifiers that don't match any attached policy are ignored." `principal` is the kind
/// (`user` or `role`) and name of the `PolicySourceArn`; a group's inline policy is named
/// `GROUP/POLICY`, as [`crate::vault`] names it.
pub fn exclude(
    sim: &Simulation,
    sources: Vec<PolicySource>,
    principal: (&str, &str),
) -> Result<Vec<PolicySource>> {
    check_exclusions(&sim.policy_exclusion_list)?;
    Ok(sources
        .into_iter()
        .filter(|source| {
            !sim.policy_exclusion_list
                .iter()
                .any(|id| identifies(id, source, principal))
        })
        .collect())
}

fn identifies(id: &PolicyIdentifier, source: &PolicySource, principal: (&str, &str)) -> bool {
    let inline = matches!(
        source.kind,
        PolicyKind::User | PolicyKind::Group | PolicyKind::Role
    );
    match id {
        PolicyIdentifier::PolicyType(t) => match t.as_str() {
            "inline" => inline,
            "aws-managed" => source.kind == PolicyKind::AwsManaged,
            "user-managed" => source.kind == PolicyKind::UserManaged,
            _ => false,
        },
        PolicyIdentifier::PolicyArn(pattern) => {
            matches!(
                source.kind,
                PolicyKind::AwsManaged | PolicyKind::UserManaged
            ) && glob(pattern, &source.id)
        }
        PolicyIdentifier::InlinePolicyIdentifier(i) => {
            let (kind, entity, name) = match source.kind {
                PolicyKind::Group => match source.id.split_once('/') {
                    Some((group, name)) => ("group", group, name),
                    None => return false,
                },
                PolicyKind::User | PolicyKind::Role => (principal.0, principal.1, &source.id[..]),
                _ => return false,
            };
            i.attachment_type == kind && glob(&i.attachment_name, entity) && i.policy_name == name
        }
    }
}

impl Simulation {
    /// A `simulate-custom-policy` request: the policies are named `PolicyInputList.1`, ...
    pub fn custom(policy_input_list: impl IntoIterator<Item = String>) -> Self {
        Self {
            policies: input_list(policy_input_list),
            ..Self::default()
        }
    }
}

/// Extra documents of `PolicyInputList`, named `PolicyInputList.1`, ... as IAM names them.
pub fn input_list(documents: impl IntoIterator<Item = String>) -> Vec<PolicySource> {
    documents
        .into_iter()
        .enumerate()
        .map(|(i, document)| PolicySource {
            id: format!("PolicyInputList.{}", i + 1),
            kind: PolicyKind::Custom,
            document,
        })
        .collect()
}

/// The simulator's response (`SimulatePolicyResponse`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SimulationResults {
    pub evaluation_results: Vec<EvaluationResult>,
    pub is_truncated: bool,
    /// Present when `is_truncated`: the `Marker` of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
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
    /// Present when service control policies took part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizations_decision_detail: Option<OrganizationsDecisionDetail>,
    /// Present when a permissions boundary took part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_decision_detail: Option<PermissionsBoundaryDecisionDetail>,
    /// Per policy type for a cross-account request; empty within the account for a named
    /// resource; absent within the account for `*` (IAM's `EvaluationResult` reference).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eval_decision_details: Option<BTreeMap<String, EvalDecision>>,
    /// For a named resource, its result (absent for `*`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_specific_results: Vec<ResourceSpecificResult>,
}

/// IAM's `OrganizationsDecisionDetail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrganizationsDecisionDetail {
    pub allowed_by_organizations: bool,
}

/// IAM's `PermissionsBoundaryDecisionDetail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionsBoundaryDecisionDetail {
    pub allowed_by_permissions_boundary: bool,
}

/// IAM's `ResourceSpecificResult`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceSpecificResult {
    pub eval_resource_name: String,
    pub eval_resource_decision: EvalDecision,
    pub matched_statements: Vec<StatementReference>,
    pub missing_context_values: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eval_decision_details: Option<BTreeMap<String, EvalDecision>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_decision_detail: Option<PermissionsBoundaryDecisionDetail>,
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

impl From<&MatchedStatement> for StatementReference {
    fn from(m: &MatchedStatement) -> Self {
        Self {
            source_policy_id: m.policy_id.clone(),
            source_policy_type: m.kind.source_policy_type().to_owned(),
            start_position: m.start,
            end_position: m.end,
        }
    }
}

/// `ResourceHandlingOption`'s scenarios and the resource types each needs (IAM API
/// reference, `SimulateCustomPolicy`).
const SCENARIOS: [(&str, &[&str]); 4] = [
    (
        "EC2-VPC-InstanceStore",
        &["instance", "image", "security-group", "network-interface"],
    ),
    (
        "EC2-VPC-InstanceStore-Subnet",
        &[
            "instance",
            "image",
            "security-group",
            "network-interface",
            "subnet",
        ],
    ),
    (
        "EC2-VPC-EBS",
        &[
            "instance",
            "image",
            "security-group",
            "network-interface",
            "volume",
        ],
    ),
    (
        "EC2-VPC-EBS-Subnet",
        &[
            "instance",
            "image",
            "security-group",
            "network-interface",
            "subnet",
            "volume",
        ],
    ),
];

/// The keys of `EvalDecisionDetails` (IAM leaves their spelling undocumented; docs/IAM.md).
const IDENTITY_DETAIL: &str = "IAM Policy";
const RESOURCE_DETAIL: &str = "Resource Policy";
const BOUNDARY_DETAIL: &str = "Permissions Boundary Policy";

/// The parsed policies of a simulation.
struct Inputs {
    main: Vec<Policy>,
    boundary: Option<Policy>,
    organization: Vec<Vec<Policy>>,
    owner: Option<String>,
}

/// Simulates every action on every resource and returns the page `max_items`/`marker` ask
/// for. Fails with `InvalidInput` for a policy that does not parse (naming it), a bad context
/// entry, a resource policy without a caller, an action with a wildcard, a caller that is a
/// role session, a `ResourceOwner` that is not an account's root ARN, more than one
/// permissions boundary, an unknown `ResourceHandlingOption` or one whose resources are
/// missing, and a `MaxItems` or `Marker` out of range.
pub fn simulate(sim: &Simulation) -> Result<SimulationResults> {
    let inputs = inputs(sim)?;
    let star = ["*".to_owned()];
    let resources = if sim.resource_arns.is_empty() {
        &star[..]
    } else {
        &sim.resource_arns[..]
    };
    let total = sim.action_names.len() * resources.len();
    let max_items = match sim.max_items {
        None => 100,
        Some(n @ 1..=1000) => n as usize,
        Some(n) => {
            return Err(Error::invalid_input(format!(
                "MaxItems must be between 1 and 1000, not {n}"
            )));
        }
    };
    let first = match &sim.marker {
        None => 0,
        Some(m) => m
            .parse::<usize>()
            .ok()
            .filter(|&i| i > 0 && i < total)
            .ok_or_else(|| Error::invalid_input(format!("Invalid Marker: {m}")))?,
    };
    let last = total.min(first + max_items);
    let mut results = Vec::with_capacity(last - first);
    for i in first..last {
        let action = &sim.action_names[i / resources.len()];
        let resource = &resources[i % resources.len()];
        results.push(result(sim, &inputs, action, resource));
    }
    Ok(SimulationResults {
        evaluation_results: results,
        is_truncated: last < total,
        marker: (last < total).then(|| last.to_string()),
    })
}

fn inputs(sim: &Simulation) -> Result<Inputs> {
    for action in &sim.action_names {
        if action.contains(['*', '?']) {
            return Err(Error::invalid_input(format!(
                "Action names may not contain wildcards: {action}"
            )));
        }
        if !action
            .split_once(':')
            .is_some_and(|(s, a)| !s.is_empty() && !a.is_empty())
        {
            return Err(Error::invalid_input(format!(
                "Action name {action} must include the service identifier, such as iam:CreateUser"
            )));
        }
    }
    if let Some(caller) = &sim.caller_arn {
        let is_iam_identity = split_arn(caller).is_some_and(|c| {
            c[2] == "iam"
                && ["user/", "group/", "role/"]
                    .iter()
                    .any(|p| c[5].starts_with(p))
        });
        if !is_iam_identity {
            return Err(Error::invalid_input(format!(
                "CallerArn {caller} is not the ARN of an IAM user, group or role; an assumed \
                 role, federated user or service principal cannot be the simulated caller"
            )));
        }
    }
    let owner = sim
        .resource_owner
        .as_deref()
        .map(|o| {
            split_arn(o)
                .filter(|c| {
                    c[2] == "iam"
                        && c[3].is_empty()
                        && c[5] == "root"
                        && c[4].len() == 12
                        && c[4].bytes().all(|b| b.is_ascii_digit())
                })
                .map(|c| c[4].to_owned())
                .ok_or_else(|| {
                    Error::invalid_input(format!(
                        "ResourceOwner {o} is not an account's ARN (arn:aws:iam::ACCOUNT-ID:root)"
                    ))
                })
        })
        .transpose()?;
    check_exclusions(&sim.policy_exclusion_list)?;
    if sim.permissions_boundary.len() > 1 {
        return Err(Error::invalid_input(
            "PermissionsBoundaryPolicyInputList takes only one permissions boundary",
        ));
    }
    if sim.organization_policies.len() > 7 {
        return Err(Error::invalid_input(
            "OrderedOrganizationPolicyInputList has at most 7 levels",
        ));
    }
    if let Some(option) = &sim.resource_handling_option {
        let (_, needed) = SCENARIOS
            .iter()
            .find(|(name, _)| name == option)
            .ok_or_else(|| {
                Error::invalid_input(format!("Invalid ResourceHandlingOption: {option}"))
            })?;
        for kind in *needed {
            let given = sim.resource_arns.iter().any(|arn| {
                split_arn(arn).is_some_and(|c| {
                    c[2] == "ec2" && c[5].strip_prefix(kind).is_some_and(|r| r.starts_with('/'))
                })
            });
            if !given {
                return Err(Error::invalid_input(format!(
                    "ResourceHandlingOption {option} needs a {kind} resource in ResourceArns"
                )));
            }
        }
    }
    let mut main = Vec::with_capacity(sim.policies.len() + 1);
    for source in &sim.policies {
        main.push(parsed(&source.id, source.kind, &source.document)?);
    }
    if let Some(text) = &sim.resource_policy {
        if sim.caller_arn.is_none() {
            return Err(Error::invalid_input(
                "CallerArn is required when a ResourcePolicy is given",
            ));
        }
        main.push(parsed("ResourcePolicy", PolicyKind::Resource, text)?);
    }
    let boundary = sim
        .permissions_boundary
        .first()
        .map(|text| {
            parsed(
                "PermissionsBoundaryPolicyInputList.1",
                PolicyKind::Custom,
                text,
            )
        })
        .transpose()?;
    let mut organization = Vec::with_capacity(sim.organization_policies.len());
    for (level, documents) in sim.organization_policies.iter().enumerate() {
        let mut scps = Vec::with_capacity(documents.len());
        for (i, text) in documents.iter().enumerate() {
            let id = format!(
                "OrderedOrganizationPolicyInputList.{}.ServiceControlPolicyInputList.{}",
                level + 1,
                i + 1
            );
            scps.push(parsed(&id, PolicyKind::Custom, text)?);
        }
        organization.push(scps);
    }
    for entry in &sim.context_entries {
        check_entry(entry)?;
    }
    Ok(Inputs {
        main,
        boundary,
        organization,
        owner,
    })
}

/// The result of one action on one resource: the identity and resource policies decide,
/// then a permissions boundary and the SCPs can only take an allow away (IAM User Guide,
/// "Policy evaluation logic").
fn result(sim: &Simulation, inputs: &Inputs, action: &str, resource: &str) -> EvaluationResult {
    let ctx = context(sim, inputs.owner.as_deref(), action, resource);
    let main = evaluate(&inputs.main, &ctx);
    let boundary = inputs
        .boundary
        .as_ref()
        .map(|b| evaluate(std::slice::from_ref(b), &ctx));
    let organizations: Vec<Evaluation> = inputs
        .organization
        .iter()
        .map(|level| evaluate(level, &ctx))
        .collect();
    let org_denies = organizations
        .iter()
        .any(|e| e.decision == Decision::ExplicitDeny);
    let org_allows = organizations.iter().all(Evaluation::is_allowed);
    // Within the account, a resource policy that grants an IAM user access is not limited
    // by the user's permissions boundary (User Guide, "Permissions boundaries").
    let caller_is_user = sim
        .caller_arn
        .as_deref()
        .and_then(split_arn)
        .is_some_and(|c| c[5].starts_with("user/"));
    let resource_grants_user = caller_is_user
        && ctx.principal_account == ctx.resource_account
        && main
            .matched
            .iter()
            .any(|m| m.kind == PolicyKind::Resource && m.effect == Effect::Allow);
    let boundary_allows = boundary.as_ref().is_none_or(Evaluation::is_allowed);
    let (decision, statements): (Decision, Vec<&MatchedStatement>) =
        if main.decision == Decision::ExplicitDeny {
            (Decision::ExplicitDeny, main.deciding_statements().collect())
        } else if let Some(b) = boundary
            .as_ref()
            .filter(|b| b.decision == Decision::ExplicitDeny)
        {
            (Decision::ExplicitDeny, b.deciding_statements().collect())
        } else if org_denies {
            (Decision::ExplicitDeny, vec![])
        } else if !org_allows || main.decision != Decision::Allow {
            (Decision::ImplicitDeny, vec![])
        } else if boundary_allows {
            let mut s: Vec<_> = main.deciding_statements().collect();
            s.extend(boundary.iter().flat_map(Evaluation::deciding_statements));
            (Decision::Allow, s)
        } else if resource_grants_user {
            (Decision::Allow, main.deciding_statements().collect())
        } else {
            (Decision::ImplicitDeny, vec![])
        };
    let mut all = inputs.main.clone();
    all.extend(inputs.boundary.iter().cloned());
    let missing = missing_context_keys(&all, &ctx);
    let matched: Vec<StatementReference> = statements.into_iter().map(Into::into).collect();
    let boundary_detail = boundary
        .as_ref()
        .map(|_| PermissionsBoundaryDecisionDetail {
            allowed_by_permissions_boundary: boundary_allows,
        });
    let details = if ctx.principal_account != ctx.resource_account {
        let mut d = BTreeMap::new();
        d.insert(IDENTITY_DETAIL.to_owned(), side(&main, true));
        d.insert(RESOURCE_DETAIL.to_owned(), side(&main, false));
        if let Some(b) = &boundary {
            d.insert(BOUNDARY_DETAIL.to_owned(), b.decision.into());
        }
        Some(d)
    } else if resource != "*" {
        Some(BTreeMap::new())
    } else {
        None
    };
    let details = details.filter(|_| !org_denies);
    let specific = if resource == "*" {
        vec![]
    } else {
        vec![ResourceSpecificResult {
            eval_resource_name: resource.to_owned(),
            eval_resource_decision: decision.into(),
            matched_statements: matched.clone(),
            missing_context_values: missing.clone(),
            eval_decision_details: details.clone(),
            permissions_boundary_decision_detail: boundary_detail,
        }]
    };
    EvaluationResult {
        eval_action_name: action.to_owned(),
        eval_resource_name: resource.to_owned(),
        eval_decision: decision.into(),
        matched_statements: matched,
        missing_context_values: missing,
        organizations_decision_detail: (!inputs.organization.is_empty()).then_some(
            OrganizationsDecisionDetail {
                allowed_by_organizations: org_allows && !org_denies,
            },
        ),
        permissions_boundary_decision_detail: boundary_detail,
        eval_decision_details: details,
        resource_specific_results: specific,
    }
}

/// The decision of one side (identity or resource policies) alone.
fn side(evaluation: &Evaluation, identity: bool) -> EvalDecision {
    let statements = || {
        evaluation
            .matched
            .iter()
            .filter(move |m| m.kind.is_identity() == identity)
    };
    if statements().any(|m| m.effect == Effect::Deny) {
        EvalDecision::ExplicitDeny
    } else if statements().any(|m| m.effect == Effect::Allow) {
        EvalDecision::Allowed
    } else {
        EvalDecision::ImplicitDeny
    }
}

fn parsed(id: &str, kind: PolicyKind, text: &str) -> Result<Policy> {
    let document = parse(text).map_err(|e| Error::invalid_input(format!("{id}: {}", e.message)))?;
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
        return Err(Error::invalid_input(format!(
            "context key {name} has type {:?} and needs exactly one value, not {count}",
            entry.context_key_type
        )));
    }
    let syntax = entry.context_key_type.syntax();
    for value in &entry.context_key_values {
        syntax
            .check_value(value)
            .map_err(|why| Error::invalid_input(format!("context key {name}: {why}")))?;
    }
    Ok(())
}

/// The request context of one simulated request. The resource's account is the one its ARN
/// names; `ResourceOwner` (else the caller's account) only for a resource whose ARN names
/// none (`*`, an S3 bucket).
fn context(sim: &Simulation, owner: Option<&str>, action: &str, resource: &str) -> RequestContext {
    let mut ctx = RequestContext::new(sim.caller_arn.clone().unwrap_or_default(), action, resource);
    let names_owner = split_arn(resource).is_some_and(|c| !c[4].is_empty());
    if let Some(owner) = owner.filter(|_| !names_owner) {
        owner.clone_into(&mut ctx.resource_account);
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
