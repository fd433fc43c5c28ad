//! `coffer iam ...`: users, roles, groups, policies, access keys and the policy simulator,
//! named and flagged like `aws iam`.

use anyhow::{Context, Result};
use clap::Subcommand;
use coffer_core::policy::{ContextEntry, Simulation};
use coffer_core::vault::iam::{CreateEntity, EntityKind};
use coffer_core::{Caller, Operation, Vault};
use serde_json::{Value, json};

use super::{Outcome, args};

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
    /// Evaluates the given policies for actions on resources.
    SimulateCustomPolicy {
        #[arg(long, num_args = 1.., required = true)]
        policy_input_list: Vec<String>,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Evaluates a user's or role's policies for actions on resources.
    SimulatePrincipalPolicy {
        #[arg(long)]
        policy_source_arn: String,
        #[command(flatten)]
        sim: SimArgs,
    },
}

#[derive(Debug, clap::Args)]
pub struct SimArgs {
    #[arg(long, num_args = 1.., required = true)]
    action_names: Vec<String>,
    #[arg(long, num_args = 1..)]
    resource_arns: Vec<String>,
    /// A resource policy (JSON or file://PATH) to include.
    #[arg(long)]
    resource_policy: Option<String>,
    #[arg(long)]
    caller_arn: Option<String>,
    #[arg(long)]
    resource_owner: Option<String>,
    /// ContextKeyName=k,ContextKeyValues=v1,ContextKeyType=string, or a JSON list.
    #[arg(long, num_args = 1..)]
    context_entries: Vec<String>,
}

impl SimArgs {
    fn simulation(self, policies: Vec<String>) -> Result<Simulation> {
        let mut sim = Simulation::custom(policies);
        sim.action_names = self.action_names;
        sim.resource_arns = self.resource_arns;
        sim.resource_policy = self
            .resource_policy
            .as_deref()
            .map(args::text_param)
            .transpose()?;
        sim.caller_arn = self.caller_arn;
        sim.resource_owner = self.resource_owner;
        sim.context_entries = context_entries(&self.context_entries)?;
        Ok(sim)
    }
}

fn context_entries(raw: &[String]) -> Result<Vec<ContextEntry>> {
    let mut out = Vec::new();
    for r in raw {
        let t = r.trim();
        if t.starts_with('[') {
            out.extend(
                serde_json::from_str::<Vec<ContextEntry>>(t).context("--context-entries JSON")?,
            );
            continue;
        }
        let name = t
            .split_once("ContextKeyName=")
            .and_then(|(_, r)| r.split(',').next())
            .context("--context-entries needs ContextKeyName=")?;
        let values: Vec<String> = t
            .split_once("ContextKeyValues=")
            .map(|(_, r)| {
                r.split(",ContextKeyType=")
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let kind = t
            .split_once("ContextKeyType=")
            .map(|(_, r)| r.split(',').next().unwrap_or("string"))
            .unwrap_or("string");
        let entry: ContextEntry = serde_json::from_value(json!({
            "ContextKeyName": name, "ContextKeyValues": values, "ContextKeyType": kind
        }))
        .context("--context-entries: unknown ContextKeyType")?;
        out.push(entry);
    }
    Ok(out)
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
            sim,
        } => {
            let docs = policy_input_list
                .iter()
                .map(|p| doc(p))
                .collect::<Result<Vec<_>>>()?;
            super::json(&vault.simulate_custom_policy(c, sim.simulation(docs)?)?)
        }
        IamOp::SimulatePrincipalPolicy {
            policy_source_arn,
            sim,
        } => super::json(&vault.simulate_principal_policy(
            c,
            &policy_source_arn,
            sim.simulation(vec![])?,
        )?),
    }
}
