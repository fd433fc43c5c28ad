//! `coffer iam ...`: users, roles, groups, policies, access keys and the policy simulator,
//! named and flagged like `aws iam`.

use anyhow::{Context, Result};
use clap::Subcommand;
use coffer_core::policy::{
    self, ContextEntry, PolicyIdentifier, PolicySource, Simulation, SimulationResults,
};
use coffer_core::vault::iam::{CreateEntity, EntityKind};
use coffer_core::{Caller, Operation, Vault};
use serde_json::{Value, json};

use super::{Outcome, args};

mod shorthand;

#[derive(Debug, Subcommand)]
pub enum IamOp {
    CreateUser {
        #[arg(long)]
        user_name: String,
        #[arg(long)]
        path: Option<String>,
        #[arg(long, num_args = 1..)]
        tags: Vec<String>,
    },
    GetUser {
        #[arg(long)]
        user_name: String,
    },
    ListUsers,
    DeleteUser {
        #[arg(long)]
        user_name: String,
    },
    TagUser {
        #[arg(long)]
        user_name: String,
        #[arg(long, num_args = 1.., required = true)]
        tags: Vec<String>,
    },
    CreateRole {
        #[arg(long)]
        role_name: String,
        /// The trust policy (JSON, or file://PATH).
        #[arg(long)]
        assume_role_policy_document: String,
        #[arg(long)]
        path: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long, num_args = 1..)]
        tags: Vec<String>,
    },
    GetRole {
        #[arg(long)]
        role_name: String,
    },
    ListRoles,
    DeleteRole {
        #[arg(long)]
        role_name: String,
    },
    CreateGroup {
        #[arg(long)]
        group_name: String,
        #[arg(long)]
        path: Option<String>,
    },
    ListGroups,
    DeleteGroup {
        #[arg(long)]
        group_name: String,
    },
    AddUserToGroup {
        #[arg(long)]
        group_name: String,
        #[arg(long)]
        user_name: String,
    },
    RemoveUserFromGroup {
        #[arg(long)]
        group_name: String,
        #[arg(long)]
        user_name: String,
    },
    PutUserPolicy {
        #[arg(long)]
        user_name: String,
        #[arg(long)]
        policy_name: String,
        #[arg(long)]
        policy_document: String,
    },
    PutRolePolicy {
        #[arg(long)]
        role_name: String,
        #[arg(long)]
        policy_name: String,
        #[arg(long)]
        policy_document: String,
    },
    PutGroupPolicy {
        #[arg(long)]
        group_name: String,
        #[arg(long)]
        policy_name: String,
        #[arg(long)]
        policy_document: String,
    },
    DeleteUserPolicy {
        #[arg(long)]
        user_name: String,
        #[arg(long)]
        policy_name: String,
    },
    ListUserPolicies {
        #[arg(long)]
        user_name: String,
    },
    ListAttachedUserPolicies {
        #[arg(long)]
        user_name: String,
    },
    CreatePolicy {
        #[arg(long)]
        policy_name: String,
        #[arg(long)]
        policy_document: String,
        #[arg(long)]
        path: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    ListPolicies,
    AttachUserPolicy {
        #[arg(long)]
        user_name: String,
        #[arg(long)]
        policy_arn: String,
    },
    AttachRolePolicy {
        #[arg(long)]
        role_name: String,
        #[arg(long)]
        policy_arn: String,
    },
    AttachGroupPolicy {
        #[arg(long)]
        group_name: String,
        #[arg(long)]
        policy_arn: String,
    },
    DetachUserPolicy {
        #[arg(long)]
        user_name: String,
        #[arg(long)]
        policy_arn: String,
    },
    /// An access key for an application: a user's, or (with --role-name) a role's sessions'.
    CreateAccessKey {
        #[arg(
            long,
            conflicts_with = "role_name",
            required_unless_present = "role_name"
        )]
        user_name: Option<String>,
        #[arg(long)]
        role_name: Option<String>,
    },
    ListAccessKeys {
        #[arg(
            long,
            conflicts_with = "role_name",
            required_unless_present = "role_name"
        )]
        user_name: Option<String>,
        #[arg(long)]
        role_name: Option<String>,
    },
    /// Activates or deactivates an access key (--status Active|Inactive).
    UpdateAccessKey {
        #[arg(long)]
        access_key_id: String,
        #[arg(long)]
        status: String,
    },
    DeleteAccessKey {
        #[arg(long)]
        access_key_id: String,
    },
    /// Evaluates the given policies for actions on resources (`aws iam simulate-custom-policy`).
    SimulateCustomPolicy {
        #[arg(long, num_args = 1.., required = true)]
        policy_input_list: Vec<String>,
        /// Service control policies, one JSON structure per level from the organization root
        /// down: `{"ServiceControlPolicyInputList": ["{...}"]}`, or a JSON list of them.
        #[arg(long, num_args = 1..)]
        ordered_organization_policy_input_list: Vec<String>,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Evaluates a user's or role's policies for actions on resources
    /// (`aws iam simulate-principal-policy`).
    SimulatePrincipalPolicy {
        #[arg(long)]
        policy_source_arn: String,
        /// More policy documents to include with the principal's own.
        #[arg(long, num_args = 1..)]
        policy_input_list: Vec<String>,
        /// The principal's policies to leave out: PolicyType=inline, PolicyArn=ARN, or JSON
        /// such as {"InlinePolicyIdentifier": {"PolicyName": "p", "AttachmentType": "user",
        /// "AttachmentName": "u"}}.
        #[arg(long, num_args = 1..)]
        policy_exclusion_list: Vec<String>,
        #[command(flatten)]
        sim: SimArgs,
    },
}

/// The flags `simulate-custom-policy` and `simulate-principal-policy` share, as the AWS CLI
/// spells them. Paging is the AWS CLI's: `--max-items`, `--page-size`, `--starting-token`,
/// and `NextToken` in the output when more results remain.
#[derive(Debug, clap::Args)]
pub struct SimArgs {
    #[arg(long, num_args = 1.., required = true)]
    action_names: Vec<String>,
    #[arg(long, num_args = 1..)]
    resource_arns: Vec<String>,
    /// A resource policy (JSON or file://PATH) to include.
    #[arg(long)]
    resource_policy: Option<String>,
    /// The account that owns resources whose ARN names none: arn:aws:iam::ACCOUNT:root.
    #[arg(long)]
    resource_owner: Option<String>,
    #[arg(long)]
    caller_arn: Option<String>,
    /// ContextKeyName=k,ContextKeyValues=[v1,v2],ContextKeyType=stringList (one entry per
    /// argument), or JSON.
    #[arg(long, num_args = 1..)]
    context_entries: Vec<String>,
    /// A permissions boundary policy (JSON or file://PATH).
    #[arg(long, num_args = 1..)]
    permissions_boundary_policy_input_list: Vec<String>,
    /// EC2-VPC-InstanceStore, EC2-VPC-InstanceStore-Subnet, EC2-VPC-EBS or EC2-VPC-EBS-Subnet.
    #[arg(long)]
    resource_handling_option: Option<String>,
    /// The most results to print; a NextToken follows when more remain.
    #[arg(long)]
    max_items: Option<u32>,
    /// Results fetched per call.
    #[arg(long)]
    page_size: Option<u32>,
    /// The NextToken of an earlier call, to continue from.
    #[arg(long)]
    starting_token: Option<String>,
}

impl SimArgs {
    fn simulation(self, policies: Vec<PolicySource>) -> Result<(Simulation, Paging)> {
        let sim = Simulation {
            policies,
            permissions_boundary: self
                .permissions_boundary_policy_input_list
                .iter()
                .map(|p| args::text_param(p))
                .collect::<Result<_>>()?,
            action_names: self.action_names,
            resource_arns: self.resource_arns,
            resource_policy: self
                .resource_policy
                .as_deref()
                .map(args::text_param)
                .transpose()?,
            caller_arn: self.caller_arn,
            resource_owner: self.resource_owner,
            context_entries: context_entries(&self.context_entries)?,
            resource_handling_option: self.resource_handling_option,
            ..Simulation::default()
        };
        let paging = Paging {
            max_items: self.max_items,
            page_size: self.page_size,
            starting_token: self.starting_token,
        };
        Ok((sim, paging))
    }
}

/// The AWS CLI's paging flags.
struct Paging {
    max_items: Option<u32>,
    page_size: Option<u32>,
    starting_token: Option<String>,
}

/// Runs a simulation page by page, as the AWS CLI's paginator does: `--page-size` results per
/// call (the API's `MaxItems`), from `--starting-token` (the API's `Marker`), until
/// `--max-items` results are in; prints `EvaluationResults` and, when results remain, a
/// `NextToken` in place of the API's `IsTruncated`/`Marker`.
fn paged(
    mut sim: Simulation,
    paging: Paging,
    call: impl Fn(&Simulation) -> coffer_core::Result<SimulationResults>,
) -> Result<Outcome> {
    for (flag, value) in [
        ("--max-items", paging.max_items),
        ("--page-size", paging.page_size),
    ] {
        if value == Some(0) {
            anyhow::bail!("{flag} must be at least 1");
        }
    }
    let limit = paging.max_items.map_or(usize::MAX, |n| n as usize);
    let mut results = Vec::new();
    sim.marker = paging.starting_token;
    let next = loop {
        let left = limit - results.len();
        let page = paging.page_size.unwrap_or(1000) as usize;
        sim.max_items = Some(u32::try_from(page.min(left)).unwrap_or(1000));
        let out = call(&sim)?;
        results.extend(out.evaluation_results);
        match out.marker.filter(|_| out.is_truncated) {
            None => break None,
            Some(marker) if results.len() >= limit => break Some(marker),
            Some(marker) => sim.marker = Some(marker),
        }
    };
    let mut out = json!({ "EvaluationResults": serde_json::to_value(results)? });
    if let Some(token) = next {
        out["NextToken"] = Value::String(token);
    }
    Ok(Outcome::Json(out))
}

/// `--context-entries`: each argument a shorthand structure, a JSON object or a JSON list
/// of them (or `file://PATH` holding JSON).
fn context_entries(raw: &[String]) -> Result<Vec<ContextEntry>> {
    let mut out = Vec::new();
    for r in raw {
        let text = args::text_param(r)?;
        let t = text.trim();
        if t.starts_with('[') {
            out.extend(
                serde_json::from_str::<Vec<ContextEntry>>(t).context("--context-entries JSON")?,
            );
            continue;
        }
        if t.starts_with('{') {
            out.push(serde_json::from_str(t).context("--context-entries JSON")?);
            continue;
        }
        let mut entry = serde_json::Map::new();
        for (key, value) in shorthand::parse(t).context("--context-entries")? {
            let value = match (key.as_str(), value) {
                ("ContextKeyName" | "ContextKeyType", shorthand::Value::Scalar(s)) => json!(s),
                ("ContextKeyValues", v) => json!(v.into_list()),
                (other, _) => anyhow::bail!(
                    "--context-entries: unknown member '{other}' (ContextKeyName, \
                     ContextKeyValues, ContextKeyType)"
                ),
            };
            entry.insert(key, value);
        }
        let entry = serde_json::from_value(Value::Object(entry)).context(
            "--context-entries: needs ContextKeyName and a ContextKeyType of string, \
             stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, \
             binaryList, date or dateList",
        )?;
        out.push(entry);
    }
    Ok(out)
}

/// `--policy-exclusion-list`: each argument a JSON `PolicyIdentifier` (or a JSON list of
/// them), or the shorthand `PolicyType=...` / `PolicyArn=...`.
fn policy_exclusions(raw: &[String]) -> Result<Vec<PolicyIdentifier>> {
    let mut out = Vec::new();
    for r in raw {
        let text = args::text_param(r)?;
        let t = text.trim();
        if t.starts_with('[') {
            out.extend(
                serde_json::from_str::<Vec<PolicyIdentifier>>(t)
                    .context("--policy-exclusion-list JSON")?,
            );
            continue;
        }
        if t.starts_with('{') {
            out.push(serde_json::from_str(t).context("--policy-exclusion-list JSON")?);
            continue;
        }
        let members = shorthand::parse(t).context("--policy-exclusion-list")?;
        match &members[..] {
            [(key, shorthand::Value::Scalar(v))] if key == "PolicyType" => {
                out.push(PolicyIdentifier::PolicyType(v.clone()));
            }
            [(key, shorthand::Value::Scalar(v))] if key == "PolicyArn" => {
                out.push(PolicyIdentifier::PolicyArn(v.clone()));
            }
            _ => anyhow::bail!(
                "--policy-exclusion-list takes PolicyType=TYPE, PolicyArn=ARN, or JSON with exactly one of PolicyType, PolicyArn, InlinePolicyIdentifier"
            ),
        }
    }
    Ok(out)
}

/// `--ordered-organization-policy-input-list`: the SCP documents of each level.
fn organization_levels(raw: &[String]) -> Result<Vec<Vec<String>>> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase", deny_unknown_fields)]
    struct Level {
        #[serde(default)]
        service_control_policy_input_list: Vec<String>,
    }
    let mut levels = Vec::new();
    for r in raw {
        let text = args::text_param(r)?;
        let t = text.trim();
        let parsed: Vec<Level> = if t.starts_with('[') {
            serde_json::from_str(t)
        } else {
            serde_json::from_str(t).map(|l| vec![l])
        }
        .context("--ordered-organization-policy-input-list takes JSON: {\"ServiceControlPolicyInputList\": [\"{...}\"]}")?;
        levels.extend(
            parsed
                .into_iter()
                .map(|l| l.service_control_policy_input_list),
        );
    }
    Ok(levels)
}

fn view(v: &impl serde::Serialize, key: &str) -> Result<Outcome> {
    Ok(Outcome::Json(json!({ key: serde_json::to_value(v)? })))
}

fn done() -> Result<Outcome> {
    Ok(Outcome::Json(Value::Null))
}

impl IamOp {
    /// The vault operation a command runs, as its audit event names it.
    pub fn operation(&self) -> Operation {
        match self {
            Self::CreateUser { .. } => Operation::CreateUser,
            Self::CreateRole { .. } => Operation::CreateRole,
            Self::CreateGroup { .. } => Operation::CreateGroup,
            Self::CreatePolicy { .. } => Operation::CreatePolicy,
            Self::GetUser { .. } | Self::GetRole { .. } => Operation::GetEntity,
            Self::ListUsers | Self::ListRoles | Self::ListGroups | Self::ListPolicies => {
                Operation::ListEntities
            }
            Self::DeleteUser { .. } | Self::DeleteRole { .. } | Self::DeleteGroup { .. } => {
                Operation::DeleteEntity
            }
            Self::TagUser { .. } => Operation::TagEntity,
            Self::AddUserToGroup { .. } => Operation::AddUserToGroup,
            Self::RemoveUserFromGroup { .. } => Operation::RemoveUserFromGroup,
            Self::PutUserPolicy { .. } => Operation::PutUserPolicy,
            Self::PutRolePolicy { .. } => Operation::PutRolePolicy,
            Self::PutGroupPolicy { .. } => Operation::PutGroupPolicy,
            Self::DeleteUserPolicy { .. } => Operation::DeleteInlinePolicy,
            Self::ListUserPolicies { .. } | Self::ListAttachedUserPolicies { .. } => {
                Operation::ListPolicies
            }
            Self::AttachUserPolicy { .. }
            | Self::AttachRolePolicy { .. }
            | Self::AttachGroupPolicy { .. } => Operation::AttachPolicy,
            Self::DetachUserPolicy { .. } => Operation::DetachPolicy,
            Self::CreateAccessKey { .. } => Operation::CreateAccessKey,
            Self::ListAccessKeys { .. } => Operation::ListAccessKeys,
            Self::UpdateAccessKey { .. } => Operation::UpdateAccessKey,
            Self::DeleteAccessKey { .. } => Operation::DeleteAccessKey,
            Self::SimulateCustomPolicy { .. } => Operation::SimulateCustomPolicy,
            Self::SimulatePrincipalPolicy { .. } => Operation::SimulatePrincipalPolicy,
        }
    }
}

pub fn run(vault: &Vault, c: &Caller, op: IamOp) -> Result<Outcome> {
    use EntityKind::*;
    let doc = |s: &str| args::text_param(s);
    match op {
        IamOp::CreateUser {
            user_name,
            path,
            tags,
        } => {
            let req = CreateEntity {
                path,
                tags: args::tags(&tags)?,
                ..CreateEntity::new(User, user_name)
            };
            view(&vault.iam_create(c, req)?, "User")
        }
        IamOp::GetUser { user_name } => view(&vault.iam_get(c, User, &user_name)?, "User"),
        IamOp::ListUsers => view(&vault.iam_list(c, User)?, "Users"),
        IamOp::DeleteUser { user_name } => {
            vault.iam_delete(c, User, &user_name)?;
            done()
        }
        IamOp::TagUser { user_name, tags } => {
            vault.iam_tag(c, User, &user_name, args::tags(&tags)?)?;
            done()
        }
        IamOp::CreateRole {
            role_name,
            assume_role_policy_document,
            path,
            description,
            tags,
        } => {
            let req = CreateEntity {
                path,
                document: Some(doc(&assume_role_policy_document)?),
                description,
                tags: args::tags(&tags)?,
                ..CreateEntity::new(Role, role_name)
            };
            view(&vault.iam_create(c, req)?, "Role")
        }
        IamOp::GetRole { role_name } => view(&vault.iam_get(c, Role, &role_name)?, "Role"),
        IamOp::ListRoles => view(&vault.iam_list(c, Role)?, "Roles"),
        IamOp::DeleteRole { role_name } => {
            vault.iam_delete(c, Role, &role_name)?;
            done()
        }
        IamOp::CreateGroup { group_name, path } => view(
            &vault.iam_create(
                c,
                CreateEntity {
                    path,
                    ..CreateEntity::new(Group, group_name)
                },
            )?,
            "Group",
        ),
        IamOp::ListGroups => view(&vault.iam_list(c, Group)?, "Groups"),
        IamOp::DeleteGroup { group_name } => {
            vault.iam_delete(c, Group, &group_name)?;
            done()
        }
        IamOp::AddUserToGroup {
            group_name,
            user_name,
        } => {
            vault.iam_add_user_to_group(c, &group_name, &user_name, true)?;
            done()
        }
        IamOp::RemoveUserFromGroup {
            group_name,
            user_name,
        } => {
            vault.iam_add_user_to_group(c, &group_name, &user_name, false)?;
            done()
        }
        IamOp::PutUserPolicy {
            user_name,
            policy_name,
            policy_document,
        } => {
            vault.iam_put_inline_policy(
                c,
                User,
                &user_name,
                &policy_name,
                &doc(&policy_document)?,
            )?;
            done()
        }
        IamOp::PutRolePolicy {
            role_name,
            policy_name,
            policy_document,
        } => {
            vault.iam_put_inline_policy(
                c,
                Role,
                &role_name,
                &policy_name,
                &doc(&policy_document)?,
            )?;
            done()
        }
        IamOp::PutGroupPolicy {
            group_name,
            policy_name,
            policy_document,
        } => {
            vault.iam_put_inline_policy(
                c,
                Group,
                &group_name,
                &policy_name,
                &doc(&policy_document)?,
            )?;
            done()
        }
        IamOp::DeleteUserPolicy {
            user_name,
            policy_name,
        } => {
            vault.iam_delete_inline_policy(c, User, &user_name, &policy_name)?;
            done()
        }
        IamOp::ListUserPolicies { user_name } => view(
            &vault.iam_policies_of(c, User, &user_name)?.0,
            "PolicyNames",
        ),
        IamOp::ListAttachedUserPolicies { user_name } => {
            let arns = vault.iam_policies_of(c, User, &user_name)?.1;
            let list: Vec<Value> = arns
                .iter()
                .map(|a| json!({ "PolicyName": a.rsplit('/').next().unwrap_or(a), "PolicyArn": a }))
                .collect();
            view(&list, "AttachedPolicies")
        }
        IamOp::CreatePolicy {
            policy_name,
            policy_document,
            path,
            description,
        } => {
            let req = CreateEntity {
                path,
                document: Some(doc(&policy_document)?),
                description,
                ..CreateEntity::new(Policy, policy_name)
            };
            view(&vault.iam_create(c, req)?, "Policy")
        }
        IamOp::ListPolicies => view(&vault.iam_list(c, Policy)?, "Policies"),
        IamOp::AttachUserPolicy {
            user_name,
            policy_arn,
        } => {
            vault.iam_attach_policy(c, User, &user_name, &policy_arn, true)?;
            done()
        }
        IamOp::AttachRolePolicy {
            role_name,
            policy_arn,
        } => {
            vault.iam_attach_policy(c, Role, &role_name, &policy_arn, true)?;
            done()
        }
        IamOp::AttachGroupPolicy {
            group_name,
            policy_arn,
        } => {
            vault.iam_attach_policy(c, Group, &group_name, &policy_arn, true)?;
            done()
        }
        IamOp::DetachUserPolicy {
            user_name,
            policy_arn,
        } => {
            vault.iam_attach_policy(c, User, &user_name, &policy_arn, false)?;
            done()
        }
        IamOp::CreateAccessKey {
            user_name,
            role_name,
        } => {
            let (kind, name) = match (user_name, role_name) {
                (Some(u), _) => (User, u),
                (None, Some(r)) => (Role, r),
                (None, None) => anyhow::bail!("--user-name or --role-name"),
            };
            super::reveal(&vault.iam_create_access_key(c, kind, &name)?)
        }
        IamOp::ListAccessKeys {
            user_name,
            role_name,
        } => {
            let (kind, name) = match (user_name, role_name) {
                (Some(u), _) => (User, u),
                (None, Some(r)) => (Role, r),
                (None, None) => anyhow::bail!("--user-name or --role-name"),
            };
            view(
                &vault.iam_list_access_keys(c, kind, &name)?,
                "AccessKeyMetadata",
            )
        }
        IamOp::UpdateAccessKey {
            access_key_id,
            status,
        } => {
            let active = match status.as_str() {
                "Active" => true,
                "Inactive" => false,
                other => anyhow::bail!("--status is Active or Inactive, not {other}"),
            };
            vault.iam_update_access_key(c, &access_key_id, Some(active))?;
            done()
        }
        IamOp::DeleteAccessKey { access_key_id } => {
            vault.iam_update_access_key(c, &access_key_id, None)?;
            done()
        }
        IamOp::SimulateCustomPolicy {
            policy_input_list,
            ordered_organization_policy_input_list,
            sim,
        } => {
            let docs = policy_input_list
                .iter()
                .map(|p| doc(p))
                .collect::<Result<Vec<_>>>()?;
            let (mut sim, paging) = sim.simulation(policy::input_list(docs))?;
            sim.organization_policies =
                organization_levels(&ordered_organization_policy_input_list)?;
            paged(sim, paging, |s| vault.simulate_custom_policy(c, s.clone()))
        }
        IamOp::SimulatePrincipalPolicy {
            policy_source_arn,
            policy_input_list,
            policy_exclusion_list,
            sim,
        } => {
            let docs = policy_input_list
                .iter()
                .map(|p| doc(p))
                .collect::<Result<Vec<_>>>()?;
            let (mut sim, paging) = sim.simulation(policy::input_list(docs))?;
            sim.policy_exclusion_list = policy_exclusions(&policy_exclusion_list)?;
            paged(sim, paging, |s| {
                vault.simulate_principal_policy(c, &policy_source_arn, s.clone())
            })
        }
    }
}
