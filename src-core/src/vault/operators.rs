//! Operators: the people who unlock the vault, each with their own key slot. Removing one,
//! or changing a passphrase, re-keys the vault (see `rekey` and docs/KEYS.md): nothing
//! written afterwards can be read or forged with anything the old slot ever held.

use serde::{Deserialize, Serialize};

use super::{Caller, RekeyProgress, Vault};
use crate::Operation;
use crate::crypto::{KdfParams, Passphrase};
use crate::model::epoch_seconds;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OperatorEntry {
    pub operator_name: String,
    pub arn: String,
    pub created_date: f64,
    #[serde(rename = "KdfMemoryKiB")]
    pub kdf_memory_kib: u32,
    pub kdf_iterations: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListOperatorsResponse {
    pub operators: Vec<OperatorEntry>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct OperatorRequest<'a> {
    operator_name: &'a str,
}

fn params_for(kdf: Option<(u32, u32)>) -> Result<KdfParams> {
    match kdf {
        Some((m, t)) => KdfParams::new(m, t),
        None => Ok(KdfParams::default_new()),
    }
}

impl Vault {
    fn operator_arn(&self, name: &str) -> String {
        self.info.user_arn(name)
    }

    fn entry(&self, row: &crate::store::SlotRow) -> OperatorEntry {
        let kdf: Option<KdfParams> = serde_json::from_str(&row.kdf).ok();
        OperatorEntry {
            operator_name: row.operator.clone(),
            arn: self.operator_arn(&row.operator),
            created_date: epoch_seconds(row.created_ms),
            kdf_memory_kib: kdf.as_ref().map_or(0, |k| k.memory_kib),
            kdf_iterations: kdf.as_ref().map_or(0, |k| k.iterations),
        }
    }

    pub fn list_operators(&self, caller: &Caller) -> Result<ListOperatorsResponse> {
        self.exec(
            caller,
            Operation::ListOperators,
            &serde_json::json!({}),
            |ctx| {
                ctx.authorize("coffer:ListOperators", "*")?;
                Ok(ListOperatorsResponse {
                    operators: ctx.tx.slots_all()?.iter().map(|r| self.entry(r)).collect(),
                })
            },
        )
    }

    /// Gives another person a key slot of their own.
    pub fn add_operator(
        &self,
        caller: &Caller,
        name: &str,
        passphrase: &Passphrase,
        kdf: Option<(u32, u32)>,
    ) -> Result<OperatorEntry> {
        super::validate_operator_name(name)?;
        if passphrase.is_empty() {
            return Err(Error::invalid_parameter(
                "The passphrase must not be empty.",
            ));
        }
        let params = params_for(kdf)?;
        let kek = params.derive(passphrase)?;
        self.exec(
            caller,
            Operation::AddOperator,
            &OperatorRequest {
                operator_name: name,
            },
            |ctx| {
                ctx.authorize("coffer:AddOperator", &self.operator_arn(name))?;
                ctx.will_write()?;
                let row = ctx.keys.new_slot_row(
                    ctx.tx,
                    name,
                    &kek,
                    serde_json::to_string(&params).expect("serializes"),
                    ctx.now_ms,
                )?;
                ctx.tx.slot_insert(&row)?;
                ctx.ensure_user(name, None)?;
                let entry = self.entry(&row);
                ctx.respond(&entry);
                Ok(entry)
            },
        )
    }

    /// Changes the passphrase of the operator who unlocked this vault, and re-keys it.
    pub fn change_passphrase(
        &self,
        caller: &Caller,
        old: &Passphrase,
        new: &Passphrase,
        kdf: Option<(u32, u32)>,
    ) -> Result<()> {
        self.change_passphrase_reporting(caller, old, new, kdf, &mut |_, _, _| {})
    }

    /// [`Vault::change_passphrase`], reporting the re-key's progress. The operator gets a
    /// new slot key pair, so the old passphrase (with an old copy of the file) opens nothing
    /// sealed from now on.
    pub fn change_passphrase_reporting(
        &self,
        caller: &Caller,
        old: &Passphrase,
        new: &Passphrase,
        kdf: Option<(u32, u32)>,
        progress: RekeyProgress<'_>,
    ) -> Result<()> {
        if new.is_empty() {
            return Err(Error::invalid_parameter(
                "The passphrase must not be empty.",
            ));
        }
        let name = self.info.operator.clone();
        let row = {
            let mut inner = self.inner();
            let tx = inner.store.read()?;
            tx.slot_get(&name)?
                .ok_or_else(|| Error::not_found(format!("No operator named '{name}'.")))?
        };
        let old_params: KdfParams = serde_json::from_str(&row.kdf)
            .map_err(|_| Error::internal("the key slot's Argon2id parameters are unreadable"))?;
        let old_kek = old_params.derive(old)?;
        let params = params_for(kdf)?;
        let new_kek = params.derive(new)?;
        self.exec(
            caller,
            Operation::ChangeOperatorPassphrase,
            &OperatorRequest {
                operator_name: &name,
            },
            |ctx| {
                // Proving the current passphrase is the permission: no policy needed for your own.
                let row = ctx
                    .tx
                    .slot_get(&name)?
                    .ok_or_else(|| Error::not_found(format!("No operator named '{name}'.")))?;
                super::open_operator_slot(
                    &ctx.keys.vault_id,
                    &name,
                    &row.wrapped_private,
                    &old_kek,
                )
                .map_err(|_| {
                    Error::access_denied(format!(
                        "The current passphrase is not correct for operator '{name}'."
                    ))
                })?;
                ctx.will_write()?;
                let (member, wrapped) = ctx.keys.renewed_member(ctx.tx, new_kek)?;
                ctx.rekey(std::sync::Arc::new(member), progress)?;
                ctx.tx.slot_set_passphrase(
                    &name,
                    &serde_json::to_string(&params).expect("serializes"),
                    &wrapped,
                )
            },
        )?;
        // The re-key dropped the values' facts (sealed and named under the old keys).
        self.derive_pending_facts().map(drop)
    }

    /// Removes an operator's key slot and re-keys the vault: new keys for everything,
    /// sealed to every remaining operator.
    pub fn remove_operator(&self, caller: &Caller, name: &str) -> Result<()> {
        self.remove_operator_reporting(caller, name, &mut |_, _, _| {})
    }

    /// [`Vault::remove_operator`], reporting the re-key's progress.
    pub fn remove_operator_reporting(
        &self,
        caller: &Caller,
        name: &str,
        progress: RekeyProgress<'_>,
    ) -> Result<()> {
        self.exec(caller, Operation::RemoveOperator, &OperatorRequest { operator_name: name }, |ctx| {
            ctx.authorize("coffer:RemoveOperator", &self.operator_arn(name))?;
            if name == self.info.operator {
                return Err(Error::invalid_request(
                    "You can't remove the operator you unlocked the vault as; unlock as another operator.",
                ));
            }
            let all = ctx.tx.slot_operators()?;
            if !all.iter().any(|o| o == name) {
                return Err(Error::not_found(format!("This vault has no operator named '{name}'.")));
            }
            ctx.will_write()?;
            ctx.tx.slot_delete(name)?;
            ctx.rekey(ctx.keys.member().clone(), progress)
        })?;
        // The re-key dropped the values' facts (sealed and named under the old keys).
        self.derive_pending_facts().map(drop)
    }
}
