//! IAM-style principals: users, roles and groups with paths and tags, inline and managed
//! identity policies, and access keys for applications. Field names follow AWS IAM's API.
//!
//! **Why this file is long:** IAM's API is some twenty operations over the same four entity
//! kinds; each is a short door method and they share the entity lookups, so one file reads as
//! IAM's API reference does.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{Caller, Ctx, Vault};
use crate::Operation;
use crate::crypto::{self, Aad, random};
use crate::model::{SecretText, Tag, epoch_seconds};
use crate::{Error, ErrorCode, Result};

/// The AWS managed policies a vault knows without storing them.
pub const ADMINISTRATOR_ACCESS: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
pub const SECRETS_MANAGER_READ_WRITE: &str = "arn:aws:iam::aws:policy/SecretsManagerReadWrite";

pub(crate) fn aws_managed_policy(arn: &str) -> Option<&'static str> {
    match arn {
        ADMINISTRATOR_ACCESS => Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        ),
        SECRETS_MANAGER_READ_WRITE => Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:*","kms:Decrypt","kms:DescribeKey","kms:ListAliases","kms:ListKeys"],"Resource":"*"}]}"#,
        ),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntityKind {
    User,
    Role,
    Group,
    Policy,
}

impl EntityKind {
    /// `user`, `role`, `group` or `policy`, as ARNs and messages name them.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Role => "role",
            Self::Group => "group",
            Self::Policy => "policy",
        }
    }
    fn id_prefix(self) -> &'static str {
        match self {
            Self::User => "AIDA",
            Self::Role => "AROA",
            Self::Group => "AGPA",
            Self::Policy => "ANPA",
        }
    }
}

/// A user, role, group or customer managed policy as stored (sealed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub kind: EntityKind,
    pub name: String,
    pub path: String,
    pub id: String,
    pub created_ms: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Inline policies by name (users, roles, groups).
    #[serde(default)]
    pub inline: BTreeMap<String, String>,
    /// Attached managed policy ARNs (users, roles, groups).
    #[serde(default)]
    pub attached: Vec<String>,
    /// The groups a user is in.
    #[serde(default)]
    pub groups: Vec<String>,
    /// A role's trust policy, or a managed policy's document.
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// An access key as stored (sealed, the secret included).
#[derive(Serialize, Deserialize)]
struct StoredKey {
    access_key_id: String,
    secret: String,
    principal_arn: String,
    user_name: String,
    status: String,
    created_ms: i64,
    /// The people (operators' user ARNs) who created the key, and so hold its secret.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    created_by: Vec<String>,
}

/// An access key, unwrapped. The secret never prints.
pub struct AccessKey {
    pub access_key_id: String,
    pub secret: SecretText,
    pub principal_arn: String,
    pub user_name: String,
    pub active: bool,
    pub created_ms: i64,
    /// The people (operators' user ARNs) who created the key; empty for keys made before
    /// Coffer recorded it.
    pub created_by: Vec<String>,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("access_key_id", &self.access_key_id)
            .field("principal_arn", &self.principal_arn)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// Every principal and key of the vault, decrypted at unlock and on change.
#[derive(Default)]
pub(crate) struct Iam {
    pub entities: BTreeMap<(EntityKindKey, String), Entity>,
    pub keys: HashMap<String, AccessKey>,
}

/// Orders entities by kind then name.
pub(crate) type EntityKindKey = u8;

fn kind_key(k: EntityKind) -> EntityKindKey {
    k as u8
}

fn doc_aad(id_hash: &[u8]) -> Aad {
    Aad::new("iam-entity").with(id_hash)
}

fn key_aad(id_hash: &[u8]) -> Aad {
    Aad::new("access-key").with(id_hash)
}

/// Re-keys every entity and access key from `old`'s keys to `new`'s: each is stored under a
/// keyed hash of its name, which changes with the index key.
pub(crate) fn rekey(
    tx: &crate::store::Tx<'_>,
    old: &super::keys::VaultKeys,
    new: &super::keys::VaultKeys,
) -> Result<()> {
    for (kind, h, sealed) in tx.iam_all()? {
        let plain = crypto::open(old.meta_key(), &doc_aad(&h), &sealed)?;
        let e: Entity = serde_json::from_slice(&plain).map_err(|_| Error::decryption())?;
        let nh = new.iam_hash(e.kind.as_str(), &e.name);
        tx.iam_delete(&h)?;
        tx.iam_put(
            &kind,
            &nh,
            &crypto::seal(new.meta_key(), &doc_aad(&nh), &plain),
        )?;
    }
    for (h, sealed) in tx.access_keys_all()? {
        let plain = crypto::open(old.meta_key(), &key_aad(&h), &sealed)?;
        let k: StoredKey = serde_json::from_slice(&plain).map_err(|_| Error::decryption())?;
        let nh = new.iam_hash("access-key", &k.access_key_id);
        tx.access_key_delete(&h)?;
        tx.access_key_put(&nh, &crypto::seal(new.meta_key(), &key_aad(&nh), &plain))?;
    }
    Ok(())
}

impl Iam {
    pub fn load(tx: &crate::store::Tx<'_>, keys: &super::keys::VaultKeys) -> Result<Self> {
        let mut iam = Iam::default();
        for (_, id_hash, sealed) in tx.iam_all()? {
            let plain = crypto::open(keys.meta_key(), &doc_aad(&id_hash), &sealed)?;
            let e: Entity = serde_json::from_slice(&plain).map_err(|_| Error::decryption())?;
            iam.entities.insert((kind_key(e.kind), e.name.clone()), e);
        }
        for (id_hash, sealed) in tx.access_keys_all()? {
            let plain = crypto::open(keys.meta_key(), &key_aad(&id_hash), &sealed)?;
            let k: StoredKey = serde_json::from_slice(&plain).map_err(|_| Error::decryption())?;
            iam.keys.insert(
                k.access_key_id.clone(),
                AccessKey {
                    access_key_id: k.access_key_id,
                    secret: SecretText::new(k.secret),
                    principal_arn: k.principal_arn,
                    user_name: k.user_name,
                    active: k.status == "Active",
                    created_ms: k.created_ms,
                    created_by: k.created_by,
                },
            );
        }
        Ok(iam)
    }

    pub fn get(&self, kind: EntityKind, name: &str) -> Option<&Entity> {
        self.entities.get(&(kind_key(kind), name.to_string()))
    }

    pub fn all(&self, kind: EntityKind) -> impl Iterator<Item = &Entity> {
        self.entities.values().filter(move |e| e.kind == kind)
    }

    /// The managed policy document behind an ARN (AWS managed or the vault's own).
    pub fn managed_document(&self, arn: &str) -> Option<String> {
        if let Some(d) = aws_managed_policy(arn) {
            return Some(d.to_string());
        }
        self.all(EntityKind::Policy)
            .find(|p| p.arn_in(arn))
            .and_then(|p| p.document.clone())
    }
}

impl Entity {
    fn arn_in(&self, arn: &str) -> bool {
        arn.ends_with(&format!(":policy{}{}", self.path, self.name))
    }
}

// ---- request and response shapes (AWS IAM's names) ----

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IamEntityView {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,
    pub arn: String,
    pub create_date: f64,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tags: Vec<Tag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assume_role_policy_document: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_version_id: Option<String>,
    /// A customer managed policy's document (what GetPolicyVersion returns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_document: Option<String>,
    /// The groups a user is in (what ListGroupsForUser returns).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub group_names: Vec<String>,
}

/// What `iam_create` makes: `document` is a role's trust policy or a managed policy's text.
#[derive(Debug, Clone)]
pub struct CreateEntity {
    pub kind: EntityKind,
    pub name: String,
    pub path: Option<String>,
    pub document: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<Tag>,
}

impl CreateEntity {
    pub fn new(kind: EntityKind, name: impl Into<String>) -> Self {
        Self {
            kind,
            name: name.into(),
            path: None,
            document: None,
            description: None,
            tags: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct AccessKeyMetadata {
    pub user_name: String,
    pub access_key_id: String,
    pub status: String,
    pub create_date: f64,
}

/// The one response that carries an access key's secret.
#[derive(Debug)]
pub struct CreateAccessKeyResponse {
    pub metadata: AccessKeyMetadata,
    pub principal_arn: String,
    pub secret_access_key: SecretText,
}

impl crate::model::RevealSerialize for CreateAccessKeyResponse {
    fn reveal<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Inner<'a>(&'a CreateAccessKeyResponse);
        impl Serialize for Inner<'_> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                let mut st = s.serialize_struct("AccessKey", 6)?;
                st.serialize_field("UserName", &self.0.metadata.user_name)?;
                st.serialize_field("AccessKeyId", &self.0.metadata.access_key_id)?;
                st.serialize_field("Status", &self.0.metadata.status)?;
                st.serialize_field("SecretAccessKey", self.0.secret_access_key.expose())?;
                st.serialize_field("CreateDate", &self.0.metadata.create_date)?;
                st.serialize_field("PrincipalArn", &self.0.principal_arn)?;
                st.end()
            }
        }
        let mut st = s.serialize_struct("CreateAccessKeyResponse", 1)?;
        st.serialize_field("AccessKey", &Inner(self))?;
        st.end()
    }
}

fn validate_entity_name(what: &str, n: &str, max: usize) -> Result<()> {
    if n.is_empty()
        || n.len() > max
        || !n
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
    {
        return Err(Error::validation(format!(
            "The {what} name '{n}' must be 1 to {max} characters of A-Z a-z 0-9 + = , . @ _ -"
        )));
    }
    Ok(())
}

fn validate_path(p: &str) -> Result<()> {
    if !(p.starts_with('/') && p.ends_with('/')) || p.len() > 512 || p.contains("//") {
        return Err(Error::validation(format!(
            "The path '{p}' must begin and end with /."
        )));
    }
    Ok(())
}

pub(super) fn no_such(what: &str, name: &str) -> Error {
    Error::new(
        ErrorCode::NoSuchEntity,
        format!("The {what} with name {name} cannot be found."),
    )
}

impl Ctx<'_, '_> {
    fn entity_hash(&self, kind: EntityKind, name: &str) -> [u8; 32] {
        self.keys.iam_hash(kind.as_str(), name)
    }

    /// Writes (seals) an entity.
    pub(super) fn save_entity(&mut self, e: &Entity) -> Result<()> {
        self.will_write()?;
        let h = self.entity_hash(e.kind, &e.name);
        let json = zeroize::Zeroizing::new(serde_json::to_vec(e).expect("serializes"));
        self.tx.iam_put(
            e.kind.as_str(),
            &h,
            &crypto::seal(self.keys.meta_key(), &doc_aad(&h), &json),
        )?;
        self.iam_changed()
    }

    fn delete_entity(&mut self, kind: EntityKind, name: &str) -> Result<()> {
        self.will_write()?;
        let h = self.entity_hash(kind, name);
        self.tx.iam_delete(&h)?;
        self.iam_changed()
    }

    fn entity(&self, kind: EntityKind, name: &str) -> Result<Entity> {
        self.iam
            .get(kind, name)
            .cloned()
            .ok_or_else(|| no_such(kind.as_str(), name))
    }
}

impl Vault {
    pub(super) fn entity_arn(&self, e: &Entity) -> String {
        let a = &self.info.account_id;
        match e.kind {
            EntityKind::User => format!("arn:aws:iam::{a}:user{}{}", e.path, e.name),
            EntityKind::Role => format!("arn:aws:iam::{a}:role{}{}", e.path, e.name),
            EntityKind::Group => format!("arn:aws:iam::{a}:group{}{}", e.path, e.name),
            EntityKind::Policy => format!("arn:aws:iam::{a}:policy{}{}", e.path, e.name),
        }
    }

    pub(crate) fn entity_view(&self, e: &Entity) -> IamEntityView {
        let mut v = IamEntityView {
            path: e.path.clone(),
            arn: self.entity_arn(e),
            create_date: epoch_seconds(e.created_ms),
            tags: e.tags.clone(),
            description: e.description.clone(),
            ..IamEntityView::default()
        };
        match e.kind {
            EntityKind::User => {
                (v.user_name, v.user_id) = (Some(e.name.clone()), Some(e.id.clone()));
                v.group_names = e.groups.clone();
            }
            EntityKind::Role => {
                (v.role_name, v.role_id) = (Some(e.name.clone()), Some(e.id.clone()));
                v.assume_role_policy_document = e.document.clone();
            }
            EntityKind::Group => {
                (v.group_name, v.group_id) = (Some(e.name.clone()), Some(e.id.clone()))
            }
            EntityKind::Policy => {
                (v.policy_name, v.policy_id) = (Some(e.name.clone()), Some(e.id.clone()));
                v.default_version_id = Some("v1".into());
                v.policy_document = e.document.clone();
            }
        }
        v
    }

    /// Creates a user, role, group or customer managed policy.
    pub fn iam_create(&self, caller: &Caller, req: CreateEntity) -> Result<IamEntityView> {
        let CreateEntity {
            kind,
            name,
            path,
            document,
            description,
            tags,
        } = req;
        let (name, path, document, description) = (
            name.as_str(),
            path.as_deref(),
            document.as_deref(),
            description.as_deref(),
        );
        let event = match kind {
            EntityKind::User => Operation::CreateUser,
            EntityKind::Role => Operation::CreateRole,
            EntityKind::Group => Operation::CreateGroup,
            EntityKind::Policy => Operation::CreatePolicy,
        };
        let params = serde_json::json!({ "Name": name, "Path": path, "Tags": tags });
        self.exec(caller, event, &params, |ctx| {
            let max = if kind == EntityKind::User { 64 } else { 128 };
            validate_entity_name(kind.as_str(), name, max)?;
            let path = path.unwrap_or("/");
            validate_path(path)?;
            crate::model::validate_tags(&tags)?;
            match (kind, document) {
                // A trust policy names no Resource: it only has to be a JSON policy document.
                (EntityKind::Role, Some(d)) => {
                    serde_json::from_str::<serde_json::Value>(d).map_err(|e| {
                        Error::new(
                            ErrorCode::MalformedPolicyDocument,
                            format!("The trust policy is not JSON: {e}"),
                        )
                    })?;
                }
                (_, Some(d)) => {
                    crate::policy::parse(d)?;
                }
                (_, None) => {}
            }
            if kind == EntityKind::Role && document.is_none() {
                return Err(Error::validation(
                    "A role needs an AssumeRolePolicyDocument.",
                ));
            }
            if kind == EntityKind::Policy && document.is_none() {
                return Err(Error::validation("A policy needs a PolicyDocument."));
            }
            let e = Entity {
                kind,
                name: name.to_string(),
                path: path.to_string(),
                id: format!("{}{}", kind.id_prefix(), random::hex(8).to_uppercase()),
                created_ms: ctx.now_ms,
                tags: tags.clone(),
                inline: BTreeMap::new(),
                attached: Vec::new(),
                groups: Vec::new(),
                document: document.map(str::to_string),
                description: description.map(str::to_string),
            };
            let arn = self.entity_arn(&e);
            ctx.authorize(&format!("iam:{event}"), &arn)?;
            if ctx.iam.get(kind, name).is_some() {
                return Err(Error::new(
                    ErrorCode::EntityAlreadyExists,
                    format!("The {} with name {name} already exists.", kind.as_str()),
                ));
            }
            ctx.save_entity(&e)?;
            let view = self.entity_view(&e);
            ctx.respond(&view);
            Ok(view)
        })
    }

    pub fn iam_get(&self, caller: &Caller, kind: EntityKind, name: &str) -> Result<IamEntityView> {
        self.exec(
            caller,
            Operation::GetEntity,
            &serde_json::json!({ "Kind": kind, "Name": name }),
            |ctx| {
                let e = ctx.entity(kind, name)?;
                ctx.authorize("iam:Get*", &self.entity_arn(&e))?;
                Ok(self.entity_view(&e))
            },
        )
    }

    pub fn iam_list(&self, caller: &Caller, kind: EntityKind) -> Result<Vec<IamEntityView>> {
        self.exec(
            caller,
            Operation::ListEntities,
            &serde_json::json!({ "Kind": kind }),
            |ctx| {
                ctx.authorize("iam:List*", "*")?;
                Ok(ctx.iam.all(kind).map(|e| self.entity_view(e)).collect())
            },
        )
    }

    pub fn iam_delete(&self, caller: &Caller, kind: EntityKind, name: &str) -> Result<()> {
        self.exec(caller, Operation::DeleteEntity, &serde_json::json!({ "Kind": kind, "Name": name }), |ctx| {
            let e = ctx.entity(kind, name)?;
            ctx.authorize("iam:Delete*", &self.entity_arn(&e))?;
            if kind == EntityKind::User && ctx.tx.slot_get(name)?.is_some() {
                return Err(Error::new(
                    ErrorCode::DeleteConflict,
                    format!("The user {name} is an operator of this vault: remove the operator first."),
                ));
            }
            if kind == EntityKind::Group && ctx.iam.all(EntityKind::User).any(|u| u.groups.contains(&e.name)) {
                return Err(Error::new(ErrorCode::DeleteConflict, format!("The group {name} still has members.")));
            }
            let arn = self.entity_arn(&e);
            if kind == EntityKind::Policy
                && ctx.iam.entities.values().any(|x| x.attached.contains(&arn))
            {
                return Err(Error::new(ErrorCode::DeleteConflict, format!("The policy {name} is still attached.")));
            }
            let keys: Vec<String> =
                ctx.iam.keys.values().filter(|k| k.principal_arn_is(&arn)).map(|k| k.access_key_id.clone()).collect();
            for k in keys {
                let h = ctx.keys.iam_hash("access-key", &k);
                ctx.will_write()?;
                ctx.tx.access_key_delete(&h)?;
            }
            ctx.delete_entity(kind, name)
        })
    }

    /// Adds or replaces tags on a user or role.
    pub fn iam_tag(
        &self,
        caller: &Caller,
        kind: EntityKind,
        name: &str,
        tags: Vec<Tag>,
    ) -> Result<()> {
        self.exec(
            caller,
            Operation::TagEntity,
            &serde_json::json!({ "Kind": kind, "Name": name, "Tags": tags }),
            |ctx| {
                let mut e = ctx.entity(kind, name)?;
                ctx.authorize("iam:Tag*", &self.entity_arn(&e))?;
                crate::model::validate_tags(&tags)?;
                for t in tags {
                    match e.tags.iter_mut().find(|x| x.key == t.key) {
                        Some(x) => x.value = t.value,
                        None => e.tags.push(t),
                    }
                }
                ctx.save_entity(&e)
            },
        )
    }

    /// Puts an inline policy on a user, role or group.
    pub fn iam_put_inline_policy(
        &self,
        caller: &Caller,
        kind: EntityKind,
        name: &str,
        policy_name: &str,
        document: &str,
    ) -> Result<()> {
        let event = match kind {
            EntityKind::User => Operation::PutUserPolicy,
            EntityKind::Role => Operation::PutRolePolicy,
            _ => Operation::PutGroupPolicy,
        };
        self.exec(caller, event, &serde_json::json!({ "Name": name, "PolicyName": policy_name, "PolicyDocument": document }), |ctx| {
            let mut e = ctx.entity(kind, name)?;
            ctx.authorize(&format!("iam:{event}"), &self.entity_arn(&e))?;
            validate_entity_name("policy", policy_name, 128)?;
            crate::policy::parse(document)?;
            e.inline.insert(policy_name.to_string(), document.to_string());
            ctx.save_entity(&e)
        })
    }

    /// An inline policy's document (GetUserPolicy, GetRolePolicy, GetGroupPolicy).
    pub fn iam_get_inline_policy(
        &self,
        caller: &Caller,
        kind: EntityKind,
        name: &str,
        policy_name: &str,
    ) -> Result<String> {
        let event = match kind {
            EntityKind::User => Operation::GetUserPolicy,
            EntityKind::Role => Operation::GetRolePolicy,
            _ => Operation::GetGroupPolicy,
        };
        self.exec(
            caller,
            event,
            &serde_json::json!({ "Name": name, "PolicyName": policy_name }),
            |ctx| {
                let e = ctx.entity(kind, name)?;
                ctx.authorize(&format!("iam:{event}"), &self.entity_arn(&e))?;
                e.inline
                    .get(policy_name)
                    .cloned()
                    .ok_or_else(|| no_such("policy", policy_name))
            },
        )
    }

    pub fn iam_delete_inline_policy(
        &self,
        caller: &Caller,
        kind: EntityKind,
        name: &str,
        policy_name: &str,
    ) -> Result<()> {
        self.exec(
            caller,
            Operation::DeleteInlinePolicy,
            &serde_json::json!({ "Name": name, "PolicyName": policy_name }),
            |ctx| {
                let mut e = ctx.entity(kind, name)?;
                ctx.authorize("iam:Delete*Policy", &self.entity_arn(&e))?;
                if e.inline.remove(policy_name).is_none() {
                    return Err(no_such("policy", policy_name));
                }
                ctx.save_entity(&e)
            },
        )
    }

    /// Attaches (or detaches) a managed policy to a user, role or group.
    pub fn iam_attach_policy(
        &self,
        caller: &Caller,
        kind: EntityKind,
        name: &str,
        policy_arn: &str,
        attach: bool,
    ) -> Result<()> {
        let event = if attach {
            Operation::AttachPolicy
        } else {
            Operation::DetachPolicy
        };
        self.exec(
            caller,
            event,
            &serde_json::json!({ "Name": name, "PolicyArn": policy_arn }),
            |ctx| {
                let mut e = ctx.entity(kind, name)?;
                ctx.authorize(&format!("iam:{event}"), &self.entity_arn(&e))?;
                if ctx.iam.managed_document(policy_arn).is_none() {
                    return Err(Error::new(
                        ErrorCode::NoSuchEntity,
                        format!("Policy {policy_arn} does not exist."),
                    ));
                }
                if attach {
                    if !e.attached.iter().any(|a| a == policy_arn) {
                        e.attached.push(policy_arn.to_string());
                    }
                } else if let Some(i) = e.attached.iter().position(|a| a == policy_arn) {
                    e.attached.remove(i);
                } else {
                    return Err(Error::new(
                        ErrorCode::NoSuchEntity,
                        format!("Policy {policy_arn} is not attached to {name}."),
                    ));
                }
                ctx.save_entity(&e)
            },
        )
    }

    pub fn iam_add_user_to_group(
        &self,
        caller: &Caller,
        group: &str,
        user: &str,
        add: bool,
    ) -> Result<()> {
        let event = if add {
            Operation::AddUserToGroup
        } else {
            Operation::RemoveUserFromGroup
        };
        self.exec(
            caller,
            event,
            &serde_json::json!({ "GroupName": group, "UserName": user }),
            |ctx| {
                let g = ctx.entity(EntityKind::Group, group)?;
                let mut u = ctx.entity(EntityKind::User, user)?;
                ctx.authorize(&format!("iam:{event}"), &self.entity_arn(&g))?;
                if add {
                    if !u.groups.contains(&g.name) {
                        u.groups.push(g.name.clone());
                    }
                } else {
                    u.groups.retain(|x| x != &g.name);
                }
                ctx.save_entity(&u)
            },
        )
    }

    /// The inline policy names and attached policy ARNs of a user, role or group.
    pub fn iam_policies_of(
        &self,
        caller: &Caller,
        kind: EntityKind,
        name: &str,
    ) -> Result<(Vec<String>, Vec<String>)> {
        self.exec(
            caller,
            Operation::ListPolicies,
            &serde_json::json!({ "Kind": kind, "Name": name }),
            |ctx| {
                let e = ctx.entity(kind, name)?;
                ctx.authorize("iam:List*", &self.entity_arn(&e))?;
                Ok((e.inline.keys().cloned().collect(), e.attached.clone()))
            },
        )
    }

    /// An access key for a user, or for a role's sessions (`arn:aws:sts::<account>:assumed-role/<role>/coffer`).
    pub fn iam_create_access_key(
        &self,
        caller: &Caller,
        kind: EntityKind,
        name: &str,
    ) -> Result<CreateAccessKeyResponse> {
        self.exec(
            caller,
            Operation::CreateAccessKey,
            &serde_json::json!({ "Kind": kind, "Name": name }),
            |ctx| {
                let e = ctx.entity(kind, name)?;
                ctx.authorize("iam:CreateAccessKey", &self.entity_arn(&e))?;
                let principal_arn = match kind {
                    EntityKind::User => self.entity_arn(&e),
                    EntityKind::Role => format!(
                        "arn:aws:sts::{}:assumed-role/{}/coffer",
                        self.info.account_id, e.name
                    ),
                    _ => {
                        return Err(Error::invalid_parameter(
                            "Access keys belong to users or roles.",
                        ));
                    }
                };
                if ctx
                    .iam
                    .keys
                    .values()
                    .filter(|k| k.principal_arn == principal_arn)
                    .count()
                    >= 2
                {
                    return Err(Error::limit(format!(
                        "{name} already has the maximum of 2 access keys."
                    )));
                }
                let (id, secret) = new_access_key("AKIA");
                let stored = StoredKey {
                    access_key_id: id.clone(),
                    secret,
                    principal_arn: principal_arn.clone(),
                    user_name: e.name.clone(),
                    status: "Active".into(),
                    created_ms: ctx.now_ms,
                    created_by: ctx.people(ctx.caller)?,
                };
                ctx.write_key(&stored)?;
                let metadata = AccessKeyMetadata {
                    user_name: e.name.clone(),
                    access_key_id: id,
                    status: "Active".into(),
                    create_date: epoch_seconds(ctx.now_ms),
                };
                ctx.respond(&metadata);
                Ok(CreateAccessKeyResponse {
                    metadata,
                    principal_arn,
                    secret_access_key: SecretText::new(stored.secret.clone()),
                })
            },
        )
    }

    pub fn iam_list_access_keys(
        &self,
        caller: &Caller,
        kind: EntityKind,
        name: &str,
    ) -> Result<Vec<AccessKeyMetadata>> {
        self.exec(
            caller,
            Operation::ListAccessKeys,
            &serde_json::json!({ "Kind": kind, "Name": name }),
            |ctx| {
                let e = ctx.entity(kind, name)?;
                ctx.authorize("iam:ListAccessKeys", &self.entity_arn(&e))?;
                let mut keys: Vec<AccessKeyMetadata> = ctx
                    .iam
                    .keys
                    .values()
                    .filter(|k| k.user_name == e.name && k.principal_arn_kind() == kind)
                    .map(|k| AccessKeyMetadata {
                        user_name: k.user_name.clone(),
                        access_key_id: k.access_key_id.clone(),
                        status: if k.active { "Active" } else { "Inactive" }.into(),
                        create_date: epoch_seconds(k.created_ms),
                    })
                    .collect();
                keys.sort_by(|a, b| a.access_key_id.cmp(&b.access_key_id));
                Ok(keys)
            },
        )
    }

    /// Deactivates, reactivates (`active`) or deletes (`None`) an access key.
    pub fn iam_update_access_key(
        &self,
        caller: &Caller,
        access_key_id: &str,
        active: Option<bool>,
    ) -> Result<()> {
        let event = if active.is_some() {
            Operation::UpdateAccessKey
        } else {
            Operation::DeleteAccessKey
        };
        self.exec(
            caller,
            event,
            &serde_json::json!({ "AccessKeyId": access_key_id, "Active": active }),
            |ctx| {
                let k = ctx.iam.keys.get(access_key_id).ok_or_else(|| {
                    Error::new(
                        ErrorCode::NoSuchEntity,
                        format!("The Access Key with id {access_key_id} cannot be found."),
                    )
                })?;
                ctx.authorize(&format!("iam:{event}"), &k.principal_arn)?;
                let h = ctx.keys.iam_hash("access-key", access_key_id);
                match active {
                    None => {
                        ctx.will_write()?;
                        ctx.tx.access_key_delete(&h)?;
                        ctx.iam_changed()
                    }
                    Some(a) => {
                        let stored = StoredKey {
                            access_key_id: k.access_key_id.clone(),
                            secret: k.secret.expose().to_string(),
                            principal_arn: k.principal_arn.clone(),
                            user_name: k.user_name.clone(),
                            status: if a { "Active" } else { "Inactive" }.into(),
                            created_ms: k.created_ms,
                            created_by: k.created_by.clone(),
                        };
                        ctx.write_key(&stored)
                    }
                }
            },
        )
    }
}

impl AccessKey {
    fn principal_arn_is(&self, entity_arn: &str) -> bool {
        self.principal_arn == entity_arn
            || entity_arn.contains(":role")
                && self
                    .principal_arn
                    .contains(&format!(":assumed-role/{}/", self.user_name))
                && entity_arn.ends_with(&format!("/{}", self.user_name))
    }

    fn principal_arn_kind(&self) -> EntityKind {
        if self.principal_arn.contains(":assumed-role/") {
            EntityKind::Role
        } else {
            EntityKind::User
        }
    }
}

impl Ctx<'_, '_> {
    /// Makes sure an operator has an IAM user (an existing one keeps its policies).
    pub(crate) fn ensure_user(&mut self, name: &str, attach: Option<&str>) -> Result<()> {
        if self.iam.get(EntityKind::User, name).is_some() {
            return Ok(());
        }
        let e = Entity {
            kind: EntityKind::User,
            name: name.to_string(),
            path: "/".into(),
            id: format!("AIDA{}", random::hex(8).to_uppercase()),
            created_ms: self.now_ms,
            tags: vec![Tag {
                key: "coffer:operator".into(),
                value: "true".into(),
            }],
            inline: BTreeMap::new(),
            attached: attach.map(|a| vec![a.to_string()]).unwrap_or_default(),
            groups: Vec::new(),
            document: None,
            description: None,
        };
        self.save_entity(&e)
    }

    fn write_key(&mut self, k: &StoredKey) -> Result<()> {
        self.will_write()?;
        let h = self.keys.iam_hash("access-key", &k.access_key_id);
        let json = zeroize::Zeroizing::new(serde_json::to_vec(k).expect("serializes"));
        self.tx
            .access_key_put(&h, &crypto::seal(self.keys.meta_key(), &key_aad(&h), &json))?;
        self.iam_changed()
    }
}

/// A fresh access key id (`prefix`: `AKIA` for a long-term key, `ASIA` for temporary
/// credentials) and its 40-character secret, shaped as AWS's.
pub(crate) fn new_access_key(prefix: &str) -> (String, String) {
    let upper: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".chars().collect();
    let secret_chars: Vec<char> =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            .chars()
            .collect();
    (
        format!("{prefix}{}", random::string_from(&upper, 16)),
        random::string_from(&secret_chars, 40),
    )
}
