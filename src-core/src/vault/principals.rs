//! The consoles' view of principals: the operators, then the IAM users (an operator's own user
//! is shown as the operator), roles, groups and customer managed policies; and one principal's
//! policies and access keys. Each list is the audited request it is made of.

use serde::{Deserialize, Serialize};

use super::iam::{AccessKeyMetadata, EntityKind, IamEntityView};
use super::{Caller, OperatorEntry, Vault};
use crate::Result;

/// The kinds of principal the consoles list, in the order they list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum PrincipalKind {
    Operator,
    User,
    Role,
    Group,
    Policy,
}

impl PrincipalKind {
    /// Every kind, in the consoles' order.
    pub const ALL: [PrincipalKind; 5] = [
        Self::Operator,
        Self::User,
        Self::Role,
        Self::Group,
        Self::Policy,
    ];

    /// The IAM entity behind a principal of this kind (an operator is an IAM user with a key
    /// slot).
    pub fn entity(self) -> EntityKind {
        match self {
            Self::Operator | Self::User => EntityKind::User,
            Self::Role => EntityKind::Role,
            Self::Group => EntityKind::Group,
            Self::Policy => EntityKind::Policy,
        }
    }

    /// The kind in a sentence: "operator", "user", "role", "group", "policy".
    pub fn word(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::User => "user",
            Self::Role => "role",
            Self::Group => "group",
            Self::Policy => "policy",
        }
    }
}

impl From<EntityKind> for PrincipalKind {
    fn from(kind: EntityKind) -> Self {
        match kind {
            EntityKind::User => Self::User,
            EntityKind::Role => Self::Role,
            EntityKind::Group => Self::Group,
            EntityKind::Policy => Self::Policy,
        }
    }
}

/// One principal as both consoles list it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PrincipalRow {
    pub kind: PrincipalKind,
    pub name: String,
    pub arn: String,
    pub created_date: f64,
    pub description: Option<String>,
    pub tags: Vec<crate::model::Tag>,
    /// A role's trust policy or a managed policy's document.
    pub document: Option<String>,
    /// An operator's key-derivation cost (memory KiB, iterations).
    pub kdf: Option<(u32, u32)>,
}

/// Every principal, in the order the consoles list them.
#[derive(Debug, Clone, Default)]
pub struct PrincipalList {
    pub operators: Vec<OperatorEntry>,
    /// Users other than the operators' own, then roles, groups and managed policies.
    pub entities: Vec<(EntityKind, IamEntityView)>,
}

/// A user's, role's or group's inline and attached policies and access keys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct PrincipalPolicies {
    pub inline: Vec<String>,
    pub attached: Vec<String>,
    /// Active keys first, then the oldest (a group has none).
    pub access_keys: Vec<AccessKeyMetadata>,
}

impl PrincipalList {
    /// The operators, then the other principals, as rows of one kind.
    pub fn rows(self) -> Vec<PrincipalRow> {
        let operators = self.operators.into_iter().map(|o| PrincipalRow {
            kind: PrincipalKind::Operator,
            name: o.operator_name,
            arn: o.arn,
            created_date: o.created_date,
            description: None,
            tags: vec![],
            document: None,
            kdf: Some((o.kdf_memory_kib, o.kdf_iterations)),
        });
        let entities = self.entities.into_iter().map(|(kind, e)| PrincipalRow {
            kind: kind.into(),
            name: e.name().to_string(),
            arn: e.arn,
            created_date: e.create_date,
            description: e.description,
            tags: e.tags,
            document: e.assume_role_policy_document.or(e.policy_document),
            kdf: None,
        });
        operators.chain(entities).collect()
    }
}

impl IamEntityView {
    /// The user's, role's, group's or policy's name.
    pub fn name(&self) -> &str {
        [
            &self.user_name,
            &self.role_name,
            &self.group_name,
            &self.policy_name,
        ]
        .into_iter()
        .find_map(Option::as_deref)
        .unwrap_or_default()
    }
}

impl AccessKeyMetadata {
    pub fn is_active(&self) -> bool {
        self.status == "Active"
    }
}

impl Vault {
    pub fn list_principals(&self, caller: &Caller) -> Result<PrincipalList> {
        let operators = self.list_operators(caller)?.operators;
        let mut entities = vec![];
        for kind in [
            EntityKind::User,
            EntityKind::Role,
            EntityKind::Group,
            EntityKind::Policy,
        ] {
            for e in self.iam_list(caller, kind)? {
                let operator = kind == EntityKind::User
                    && operators.iter().any(|o| o.operator_name == e.name());
                if !operator {
                    entities.push((kind, e));
                }
            }
        }
        Ok(PrincipalList {
            operators,
            entities,
        })
    }

    /// The policies and access keys of a user (or operator), role or group; a managed
    /// policy has none.
    pub fn principal_policies(
        &self,
        caller: &Caller,
        kind: EntityKind,
        name: &str,
    ) -> Result<PrincipalPolicies> {
        if kind == EntityKind::Policy {
            return Ok(PrincipalPolicies::default());
        }
        let (inline, attached) = self.iam_policies_of(caller, kind, name)?;
        let mut access_keys = if kind == EntityKind::Group {
            vec![]
        } else {
            self.iam_list_access_keys(caller, kind, name)?
        };
        access_keys.sort_by(|a, b| {
            (b.is_active().cmp(&a.is_active()))
                .then(a.create_date.total_cmp(&b.create_date))
                .then(a.access_key_id.cmp(&b.access_key_id))
        });
        Ok(PrincipalPolicies {
            inline,
            attached,
            access_keys,
        })
    }
}
