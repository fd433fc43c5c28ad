//! What the AWS-compatible endpoint needs from a vault beyond the operations: the access
//! keys its SigV4 verification checks signatures against, and in-memory vaults for the
//! emulator mode.

use std::sync::Arc;

use super::{Caller, FrontEnd, Vault, VaultInfo, lock, seed, valid_account, valid_region};
use crate::Operation;
use crate::clock::{Clock, SystemClock};
use crate::crypto::random;
use crate::model::SecretText;
use crate::store::Store;
use crate::{Error, Result};

/// Temporary credentials held in memory (a rotation function's); only the endpoint reads
/// them back, so a build without it (the policy fuzzer's) never does.
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub(crate) struct SessionKey {
    secret: SecretText,
    caller: Caller,
}

/// The operator (an administrator) of an ephemeral vault; emulator requests act as it.
pub const EPHEMERAL_OPERATOR: &str = "admin";

/// An access key as SigV4 verification needs it. The secret never prints, and never leaves
/// the core: only the endpoint, inside this crate, verifies a signature with it.
#[cfg(feature = "server")]
pub(crate) struct SigningKey {
    pub(crate) secret: SecretText,
    pub(crate) principal_arn: String,
    pub(crate) active: bool,
    /// For a session key: the policy that is all its holder may do.
    pub(crate) session_policy: Option<Arc<str>>,
}

#[cfg(feature = "server")]
impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("principal_arn", &self.principal_arn)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// The access key `access_key_id`, as the vault holds it now (keys created, deactivated
    /// or deleted by another process are seen at once). `None` when there is no such key.
    #[cfg(feature = "server")]
    pub(crate) fn signing_key(&self, access_key_id: &str) -> Result<Option<SigningKey>> {
        if let Some(k) = lock(&self.sessions).get(access_key_id) {
            return Ok(Some(SigningKey {
                secret: k.secret.duplicate(),
                principal_arn: k.caller.principal_arn.clone(),
                active: true,
                session_policy: k.caller.session_policy.clone(),
            }));
        }
        self.caught_up(|inner, _| {
            Ok(inner.iam.keys.get(access_key_id).map(|k| SigningKey {
                secret: k.secret.duplicate(),
                principal_arn: k.principal_arn.clone(),
                active: k.active,
                session_policy: None,
            }))
        })
    }

    /// Issues temporary credentials that act as `caller` (its session policy included)
    /// until [`Vault::revoke_session_key`]; they live in this process only, never in the
    /// file. Returns the access key id and the secret.
    pub fn issue_session_key(&self, caller: &Caller) -> (String, SecretText) {
        let (id, secret) = super::iam::new_access_key("ASIA");
        let secret = SecretText::new(secret);
        lock(&self.sessions).insert(
            id.clone(),
            SessionKey {
                secret: secret.duplicate(),
                caller: caller.clone(),
            },
        );
        (id, secret)
    }

    /// Ends temporary credentials at once: from this moment they sign nothing. Audited as
    /// `RevokeRotationCredentials` by the rotation service, with the key id and `reason`;
    /// the key is gone even when the audit event cannot be written (the error says so).
    pub fn revoke_session_key(&self, access_key_id: &str, reason: &str) -> Result<()> {
        lock(&self.sessions).remove(access_key_id);
        self.exec(
            &super::rotation::service_caller(),
            Operation::RevokeRotationCredentials,
            &serde_json::json!({ "accessKeyId": access_key_id, "reason": reason }),
            |_| Ok(()),
        )
    }

    /// An in-memory vault with no passphrase and nothing on disk: the emulator's. It has
    /// the default KMS key and one operator, [`EPHEMERAL_OPERATOR`], an administrator.
    pub fn ephemeral(account_id: &str, region: &str) -> Result<Self> {
        Self::ephemeral_with_clock(account_id, region, Arc::new(SystemClock))
    }

    pub fn ephemeral_with_clock(
        account_id: &str,
        region: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        if !valid_account(account_id) {
            return Err(Error::validation(format!(
                "The account id '{account_id}' must be 12 digits."
            )));
        }
        if !valid_region(region) {
            return Err(Error::validation(format!(
                "'{region}' is not a region name (like us-east-1)."
            )));
        }
        let mut store = Store::memory()?;
        let vault_id = random::uuid();
        let now = clock.now().as_millisecond();
        let keys = {
            let tx = store.begin()?;
            // A slot key of its own that no file holds: it only seals, never unlocks.
            let kek = crate::crypto::Key::random();
            let (secret, _) = crate::crypto::slot::new_slot(
                &kek,
                &super::keys::slot_aad(&vault_id, EPHEMERAL_OPERATOR),
                &[],
            );
            let member = super::Member {
                operator: EPHEMERAL_OPERATOR.to_string(),
                secret,
                kek: Arc::new(kek),
            };
            let keys = seed(&tx, &vault_id, account_id, region, now, member)?;
            crate::audit::fold(&tx, &keys.audit)?;
            tx.commit()?;
            keys
        };
        let info = VaultInfo {
            path: None,
            vault_id,
            account_id: account_id.to_string(),
            region: region.to_string(),
            operator: EPHEMERAL_OPERATOR.to_string(),
        };
        let v = Self::assemble(store, info, keys, clock)?;
        v.make_administrator(FrontEnd::Endpoint, EPHEMERAL_OPERATOR)?;
        Ok(v)
    }

    /// The ARN of the administrator an ephemeral vault's requests act as.
    pub fn administrator_arn(&self) -> String {
        self.info.user_arn(&self.info.operator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{CreateSecretRequest, GetSecretValueRequest};
    use crate::vault::Caller;

    #[test]
    fn an_ephemeral_vault_serves_its_region_and_its_administrator() {
        let v = Vault::ephemeral("123456789012", "eu-west-2").unwrap();
        assert!(v.info().path.is_none());
        let caller = Caller::principal(v.administrator_arn(), FrontEnd::Endpoint);
        let made = v
            .create_secret(
                &caller,
                CreateSecretRequest {
                    name: "app/db".into(),
                    secret_string: Some(SecretText::new("s3cr3t".into())),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(
            made.arn
                .starts_with("arn:aws:secretsmanager:eu-west-2:123456789012:secret:app/db-")
        );
        let got = v
            .get_secret_value(
                &caller,
                GetSecretValueRequest {
                    secret_id: "app/db".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(got.value.len(), 6);
        assert!(Vault::ephemeral("12", "eu-west-2").is_err());
        assert!(Vault::ephemeral("123456789012", "nowhere").is_err());
    }

    #[cfg(feature = "server")]
    #[test]
    fn signing_keys_are_found_by_id_and_unknown_ids_are_not() {
        use crate::vault::iam;
        let v = Vault::ephemeral("123456789012", "us-east-1").unwrap();
        let op = v.caller(FrontEnd::Cli);
        v.iam_create(&op, iam::CreateEntity::new(iam::EntityKind::User, "app1"))
            .unwrap();
        let made = v
            .iam_create_access_key(&op, iam::EntityKind::User, "app1")
            .unwrap();
        let k = v
            .signing_key(&made.metadata.access_key_id)
            .unwrap()
            .expect("the key exists");
        assert!(k.active);
        assert_eq!(k.principal_arn, "arn:aws:iam::123456789012:user/app1");
        assert_eq!(k.secret.expose(), made.secret_access_key.expose());
        assert!(!format!("{k:?}").contains(made.secret_access_key.expose()));
        assert!(v.signing_key("AKIANOSUCHKEY").unwrap().is_none());
    }
}
