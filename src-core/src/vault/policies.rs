//! Resource policies on secrets, key policies on KMS keys, and the explanations: the policy
//! simulator and each secret's effective access per principal.

use serde::{Deserialize, Serialize};

use super::iam::EntityKind;
use super::{Caller, Vault};
use crate::Operation;
use crate::policy::{self, Decision, PolicyKind, Simulation, SimulationResults, ValidationReport};
use crate::{Error, ErrorCode, Result};

/// The name of a secret's one resource policy. botocore's model (`PolicyName` of
/// PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy): the name defaults to
/// `default`, and `default` is the only policy that can be attached or deleted.
pub const DEFAULT_POLICY_NAME: &str = "default";

fn default_policy_name() -> String {
    DEFAULT_POLICY_NAME.into()
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutResourcePolicyRequest {
    pub secret_id: String,
    pub resource_policy: String,
    #[serde(default)]
    pub block_public_policy: Option<bool>,
    /// `default` when left out, and no other name is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_name: Option<String>,
}

/// GetResourcePolicy's and DeleteResourcePolicy's request: the secret, and the policy's name
/// (`default` when left out).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourcePolicyRequest {
    pub secret_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_name: Option<String>,
}

impl From<crate::api::SecretIdRequest> for ResourcePolicyRequest {
    fn from(r: crate::api::SecretIdRequest) -> Self {
        Self {
            secret_id: r.secret_id,
            policy_name: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetResourcePolicyResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_policy: Option<String>,
    /// The policy's name (older answers, without it, name `default`).
    #[serde(default = "default_policy_name")]
    pub policy_name: String,
}

/// PutResourcePolicy's and DeleteResourcePolicy's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourcePolicyResponse {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
    #[serde(default = "default_policy_name")]
    pub policy_name: String,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourcePoliciesRequest {
    pub secret_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourcePolicySummary {
    pub policy_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourcePoliciesResponse {
    pub resource_policies: Vec<ResourcePolicySummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// A `PolicyName` as botocore's model has it (`ResourcePolicyNameType`: 1 to 64 characters
/// of `[0-9A-Za-z\-\_]`); `default` when left out.
fn policy_name(name: Option<&str>) -> Result<&str> {
    let Some(n) = name else {
        return Ok(DEFAULT_POLICY_NAME);
    };
    let len = n.chars().count();
    if !(1..=64).contains(&len) {
        return Err(Error::validation(
            "1 validation error detected: Value at 'policyName' failed to satisfy constraint: Member must have length between 1 and 64",
        ));
    }
    if !n
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::validation(
            "1 validation error detected: Value at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9A-Za-z\\-\\_]+",
        ));
    }
    Ok(n)
}

/// PutResourcePolicy and DeleteResourcePolicy take `default` only: botocore's model says they
/// answer `InvalidParameterException` for any other name, and gives no message (this one is
/// Coffer's).
fn only_default(name: &str) -> Result<()> {
    if name == DEFAULT_POLICY_NAME {
        return Ok(());
    }
    Err(Error::invalid_parameter(format!(
        "The resource policy {name} can't be changed: a secret's only policy that can be attached or deleted is {DEFAULT_POLICY_NAME}."
    )))
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ValidateResourcePolicyRequest {
    #[serde(default)]
    pub secret_id: Option<String>,
    pub resource_policy: String,
}

/// The secretsmanager actions an effective-access answer covers.
pub const SECRET_ACTIONS: [&str; 14] = [
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
    "secretsmanager:UpdateSecretVersionStage",
    "secretsmanager:RotateSecret",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:DeleteSecret",
    "secretsmanager:RestoreSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(rename_all = "PascalCase")]
pub struct DecidingStatement {
    pub policy_id: String,
    pub policy_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct ActionDecision {
    pub action: String,
    /// `allowed`, `explicitDeny` or `implicitDeny`, as the IAM simulator says.
    pub decision: String,
    pub statements: Vec<DecidingStatement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct PrincipalAccess {
    pub principal_arn: String,
    pub decisions: Vec<ActionDecision>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct EffectiveAccess {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
    pub principals: Vec<PrincipalAccess>,
}

/// What both consoles show of a secret's resource policy: the policy as stored and, when it
/// has one, its validation findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PolicyView {
    pub policy: Option<String>,
    pub report: Option<ValidationReport>,
}

fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allowed",
        Decision::ExplicitDeny => "explicitDeny",
        Decision::ImplicitDeny => "implicitDeny",
    }
}

impl Vault {
    /// A secret's policy with its findings: GetResourcePolicy, then ValidateResourcePolicy
    /// of what it returned (two audited requests, as the consoles made them).
    pub fn policy_view(&self, caller: &Caller, secret_id: &str) -> Result<PolicyView> {
        let got = self.get_resource_policy(
            caller,
            crate::api::SecretIdRequest {
                secret_id: secret_id.to_string(),
            },
        )?;
        let report = match &got.resource_policy {
            Some(text) => Some(self.validate_resource_policy(
                caller,
                ValidateResourcePolicyRequest {
                    secret_id: Some(secret_id.to_string()),
                    resource_policy: text.clone(),
                },
            )?),
            None => None,
        };
        Ok(PolicyView {
            policy: got.resource_policy,
            report,
        })
    }

    pub fn put_resource_policy(
        &self,
        caller: &Caller,
        req: PutResourcePolicyRequest,
    ) -> Result<ResourcePolicyResponse> {
        self.exec(caller, Operation::PutResourcePolicy, &req, |ctx| {
            let name = policy_name(req.policy_name.as_deref())?;
            only_default(name)?;
            let block = req.block_public_policy.unwrap_or(false);
            ctx.request_keys.push(("secretsmanager:BlockPublicPolicy".into(), vec![block.to_string()]));
            let mut doc = ctx.resolve_live(&req.secret_id, "secretsmanager:PutResourcePolicy")?;
            let parsed = policy::parse(&req.resource_policy)?;
            if block && policy::is_public(&parsed) {
                return Err(Error::new(
                    ErrorCode::PublicPolicy,
                    "The BlockPublicPolicy parameter is set to true, and the resource policy grants broad access to the secret.",
                ));
            }
            doc.policy = Some(req.resource_policy.clone());
            doc.last_changed_ms = ctx.now_ms;
            let resp = ResourcePolicyResponse {
                arn: ctx.arn(&doc),
                name: doc.name.clone(),
                policy_name: name.to_string(),
            };
            ctx.save(doc)?;
            ctx.respond(&resp);
            Ok(resp)
        })
    }

    pub fn get_resource_policy(
        &self,
        caller: &Caller,
        req: impl Into<ResourcePolicyRequest>,
    ) -> Result<GetResourcePolicyResponse> {
        let req = req.into();
        self.exec(caller, Operation::GetResourcePolicy, &req, |ctx| {
            let name = policy_name(req.policy_name.as_deref())?;
            let doc = ctx.resolve_shared(&req.secret_id)?;
            ctx.authorize_secret("secretsmanager:GetResourcePolicy", &doc)?;
            // A replica's policy is its primary's, asked for in the primary's region (moto
            // 5.2.5 test_update_replica).
            super::refuse_replica(&doc)?;
            // botocore's model: another name than `default` that no policy has is
            // ResourceNotFoundException (no message given; this one is Coffer's).
            if name != DEFAULT_POLICY_NAME {
                return Err(Error::not_found(format!(
                    "Secrets Manager can't find the resource policy {name} for the specified secret."
                )));
            }
            Ok(GetResourcePolicyResponse {
                arn: ctx.arn(&doc),
                name: doc.name.clone(),
                resource_policy: doc.policy.clone(),
                policy_name: name.to_string(),
            })
        })
    }

    /// The names of a secret's resource policies: `default` when it has one.
    pub fn list_resource_policies(
        &self,
        caller: &Caller,
        req: ListResourcePoliciesRequest,
    ) -> Result<ListResourcePoliciesResponse> {
        self.exec(caller, Operation::ListResourcePolicies, &req, |ctx| {
            if let Some(n) = req.max_results
                && !(1..=100).contains(&n)
            {
                return Err(Error::validation(
                    "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100",
                ));
            }
            let doc = ctx.resolve_shared(&req.secret_id)?;
            ctx.authorize_secret("secretsmanager:ListResourcePolicies", &doc)?;
            super::refuse_replica(&doc)?;
            // Every list fits one page, so no NextToken was ever handed out.
            if req.next_token.is_some() {
                return Err(Error::new(
                    ErrorCode::InvalidNextToken,
                    "The NextToken is not valid.",
                ));
            }
            let resource_policies = doc
                .policy
                .iter()
                .map(|_| ResourcePolicySummary {
                    policy_name: DEFAULT_POLICY_NAME.into(),
                })
                .collect();
            Ok(ListResourcePoliciesResponse {
                resource_policies,
                next_token: None,
            })
        })
    }

    pub fn delete_resource_policy(
        &self,
        caller: &Caller,
        req: impl Into<ResourcePolicyRequest>,
    ) -> Result<ResourcePolicyResponse> {
        let req = req.into();
        self.exec(caller, Operation::DeleteResourcePolicy, &req, |ctx| {
            let name = policy_name(req.policy_name.as_deref())?;
            only_default(name)?;
            let mut doc =
                ctx.resolve_live(&req.secret_id, "secretsmanager:DeleteResourcePolicy")?;
            let resp = ResourcePolicyResponse {
                arn: ctx.arn(&doc),
                name: doc.name.clone(),
                policy_name: name.to_string(),
            };
            if doc.policy.take().is_some() {
                doc.last_changed_ms = ctx.now_ms;
                ctx.save(doc)?;
            }
            ctx.respond(&resp);
            Ok(resp)
        })
    }

    pub fn validate_resource_policy(
        &self,
        caller: &Caller,
        req: ValidateResourcePolicyRequest,
    ) -> Result<ValidationReport> {
        self.exec(caller, Operation::ValidateResourcePolicy, &req, |ctx| {
            match &req.secret_id {
                Some(id) => {
                    let doc = ctx.resolve_shared(id)?;
                    ctx.authorize_secret("secretsmanager:ValidateResourcePolicy", &doc)?;
                }
                None => ctx.authorize("secretsmanager:ValidateResourcePolicy", "*")?,
            }
            if req.resource_policy.is_empty() || req.resource_policy.chars().count() > policy::MAX_POLICY_CHARS {
                return Err(Error::validation(format!(
                    "1 validation error detected: Value at 'resourcePolicy' failed to satisfy constraint: Member must have length between 1 and {}",
                    policy::MAX_POLICY_CHARS
                )));
            }
            Ok(policy::validate_resource_policy(&req.resource_policy))
        })
    }

    /// `kms put-key-policy`: replaces a key's policy (only the `default` policy exists).
    pub fn put_key_policy(&self, caller: &Caller, key_id: &str, policy_text: &str) -> Result<()> {
        self.exec(
            caller,
            Operation::PutKeyPolicy,
            &serde_json::json!({ "KeyId": key_id, "PolicyName": "default", "Policy": policy_text }),
            |ctx| {
                let id = ctx
                    .kms
                    .resolve(key_id, &ctx.info.region, &ctx.info.account_id)
                    .map_err(|_| Error::not_found(format!("Key '{key_id}' does not exist")))?;
                ctx.authorize(
                    "kms:PutKeyPolicy",
                    &crate::model::kms_key_arn(&ctx.info.region, &ctx.info.account_id, &id),
                )?;
                policy::parse(policy_text)?;
                let mut doc = ctx.kms.keys[&id].doc.clone();
                doc.policy = Some(policy_text.to_string());
                ctx.will_write()?;
                ctx.tx
                    .kms_update_doc(&id, &ctx.keys.seal_kms_doc(&id, &doc))?;
                ctx.kms_changed()
            },
        )
    }

    /// `kms get-key-policy`: the policy set, or the default for the key's kind.
    pub fn get_key_policy(&self, caller: &Caller, key_id: &str) -> Result<String> {
        self.exec(
            caller,
            Operation::GetKeyPolicy,
            &serde_json::json!({ "KeyId": key_id, "PolicyName": "default" }),
            |ctx| {
                let id = ctx
                    .kms
                    .resolve(key_id, &ctx.info.region, &ctx.info.account_id)
                    .map_err(|_| Error::not_found(format!("Key '{key_id}' does not exist")))?;
                ctx.authorize(
                    "kms:GetKeyPolicy",
                    &crate::model::kms_key_arn(&ctx.info.region, &ctx.info.account_id, &id),
                )?;
                Ok(ctx
                    .kms
                    .key_policy(&id, &ctx.info.account_id, &ctx.info.region))
            },
        )
    }

    /// `iam simulate-custom-policy`: the given documents only.
    pub fn simulate_custom_policy(
        &self,
        caller: &Caller,
        sim: Simulation,
    ) -> Result<SimulationResults> {
        let params = serde_json::json!({ "ActionNames": sim.action_names, "ResourceArns": sim.resource_arns, "CallerArn": sim.caller_arn });
        self.exec(caller, Operation::SimulateCustomPolicy, &params, |ctx| {
            ctx.authorize("iam:SimulateCustomPolicy", "*")?;
            policy::simulate(&sim)
        })
    }

    /// `iam simulate-principal-policy`: the policies of a user or role of this vault.
    pub fn simulate_principal_policy(
        &self,
        caller: &Caller,
        policy_source_arn: &str,
        mut sim: Simulation,
    ) -> Result<SimulationResults> {
        let params = serde_json::json!({ "PolicySourceArn": policy_source_arn, "ActionNames": sim.action_names, "ResourceArns": sim.resource_arns });
        self.exec(caller, Operation::SimulatePrincipalPolicy, &params, |ctx| {
            ctx.authorize("iam:SimulatePrincipalPolicy", policy_source_arn)?;
            let (kind, name) =
                crate::access::principal_name(policy_source_arn).ok_or_else(|| {
                    Error::invalid_input(format!("{policy_source_arn} is not a user or role ARN."))
                })?;
            if ctx.iam.get(kind, &name).is_none() {
                return Err(Error::new(
                    ErrorCode::NoSuchEntity,
                    format!(
                        "The {} with name {name} cannot be found.",
                        if kind == EntityKind::User {
                            "user"
                        } else {
                            "role"
                        }
                    ),
                ));
            }
            let extra = std::mem::take(&mut sim.policies);
            let own = crate::access::identity_policies(ctx.iam, policy_source_arn)
                .into_iter()
                .filter_map(|p| {
                    let text = stored_text(ctx.iam, &p.id, policy_source_arn)?;
                    Some(policy::PolicySource {
                        id: p.id,
                        kind: p.kind,
                        document: text,
                    })
                })
                .collect();
            let entity = if kind == EntityKind::User {
                "user"
            } else {
                "role"
            };
            sim.policies = policy::exclude(&sim, own, (entity, &name))?;
            sim.policies.extend(extra);
            if sim.caller_arn.is_none() {
                sim.caller_arn = Some(policy_source_arn.to_string());
            }
            policy::simulate(&sim)
        })
    }

    /// For every user and role, the decision on each secretsmanager action on one secret,
    /// with the statements that decided it (and `kms:Decrypt` on its key).
    pub fn get_effective_access(
        &self,
        caller: &Caller,
        req: crate::api::SecretIdRequest,
    ) -> Result<EffectiveAccess> {
        self.exec(caller, Operation::GetEffectiveAccess, &req, |ctx| {
            let doc = ctx.resolve_shared(&req.secret_id)?;
            ctx.authorize_secret("secretsmanager:GetResourcePolicy", &doc)?;
            let arn = ctx.arn(&doc);
            let rp =
                crate::access::resource_policy(&arn, PolicyKind::Resource, doc.policy.as_deref())?;
            let key_arn =
                crate::model::kms_key_arn(&ctx.info.region, &ctx.info.account_id, &doc.kms_key_id);
            let kp_text =
                ctx.kms
                    .key_policy(&doc.kms_key_id, &ctx.info.account_id, &ctx.info.region);
            let kp =
                crate::access::resource_policy(&key_arn, PolicyKind::KeyPolicy, Some(&kp_text))?;
            let now = crate::model::from_epoch_ms(ctx.now_ms);
            let mut principals = Vec::new();
            let mut arns: Vec<String> = ctx
                .iam
                .all(EntityKind::User)
                .map(|u| {
                    format!(
                        "arn:aws:iam::{}:user{}{}",
                        ctx.info.account_id, u.path, u.name
                    )
                })
                .collect();
            arns.extend(ctx.iam.all(EntityKind::Role).map(|r| {
                format!(
                    "arn:aws:sts::{}:assumed-role/{}/coffer",
                    ctx.info.account_id, r.name
                )
            }));
            for p in arns {
                let who = Caller::principal(p.clone(), crate::FrontEnd::Internal);
                let mut decisions = Vec::new();
                let mut checks: Vec<(String, String, Vec<crate::policy::Policy>)> = SECRET_ACTIONS
                    .iter()
                    .map(|a| (a.to_string(), arn.clone(), rp.clone()))
                    .collect();
                checks.push(("kms:Decrypt".into(), key_arn.clone(), kp.clone()));
                for (action, resource, policies) in checks {
                    let mut c =
                        crate::access::secret_context(ctx.iam, &who, &action, &resource, &doc, now);
                    c.set_key("secretsmanager:SecretId", [arn.clone()]);
                    c.set_key(
                        "kms:ViaService",
                        [format!("secretsmanager.{}.amazonaws.com", ctx.info.region)],
                    );
                    c.set_key("kms:CallerAccount", [ctx.info.account_id.clone()]);
                    let e = crate::access::decide(ctx.iam, &c, policies);
                    decisions.push(ActionDecision {
                        action,
                        decision: decision_name(e.decision).into(),
                        statements: e
                            .deciding_statements()
                            .map(|m| DecidingStatement {
                                policy_id: m.policy_id.clone(),
                                policy_type: m.kind.source_policy_type().into(),
                                sid: m.sid.clone(),
                                effect: format!("{:?}", m.effect),
                            })
                            .collect(),
                    });
                }
                principals.push(PrincipalAccess {
                    principal_arn: p,
                    decisions,
                });
            }
            Ok(EffectiveAccess {
                arn,
                name: doc.name.clone(),
                principals,
            })
        })
    }
}

/// The text of an identity policy by the id `identity_policies` gave it.
fn stored_text(iam: &super::iam::Iam, id: &str, principal_arn: &str) -> Option<String> {
    if let Some(t) = iam.managed_document(id) {
        return Some(t);
    }
    let (kind, name) = crate::access::principal_name(principal_arn)?;
    let e = iam.get(kind, &name)?;
    if let Some(t) = e.inline.get(id) {
        return Some(t.clone());
    }
    let (group, policy_name) = id.split_once('/')?;
    iam.get(EntityKind::Group, group)?
        .inline
        .get(policy_name)
        .cloned()
}
