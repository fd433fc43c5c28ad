//! Operators: the people who unlock the vault, each with their own key slot. Removing one
//! re-keys the vault, so that their old slot opens nothing the vault now holds.

use serde::{Deserialize, Serialize};

use super::{Caller, Vault};
use crate::crypto::slot;
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
        self.exec(caller, "ListOperators", &serde_json::json!({}), |ctx| {
            ctx.audit.read_only = true;
            ctx.authorize("coffer:ListOperators", "*")?;
            Ok(ListOperatorsResponse {
                operators: ctx.tx.slots_all()?.iter().map(|r| self.entry(r)).collect(),
            })
        })
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
            "AddOperator",
            &OperatorRequest {
                operator_name: name,
            },
            |ctx| {
                ctx.authorize("coffer:AddOperator", &self.operator_arn(name))?;
                ctx.will_write()?;
                let row = ctx.keys.new_slot_row(
                    name,
                    &kek,
                    serde_json::to_string(&params).expect("serializes"),
                    ctx.now_ms,
                );
                ctx.tx.slot_insert(&row)?;
                ctx.ensure_user(name, None)?;
                let entry = self.entry(&row);
                ctx.respond(&entry);
                Ok(entry)
            },
        )
    }

    /// Changes the passphrase of the operator who unlocked this vault.
    pub fn change_passphrase(
        &self,
        caller: &Caller,
        old: &Passphrase,
        new: &Passphrase,
        kdf: Option<(u32, u32)>,
    ) -> Result<()> {
        if new.is_empty() {
            return Err(Error::invalid_parameter(
                "The passphrase must not be empty.",
            ));
        }
        let name = self.info.operator.clone();
        let row = {
            let mut inner = super::lock(&self.inner);
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
            "ChangeOperatorPassphrase",
            &OperatorRequest {
                operator_name: &name,
            },
            |ctx| {
                // Proving the current passphrase is the permission: no policy needed for your own.
                let row = ctx
                    .tx
                    .slot_get(&name)?
                    .ok_or_else(|| Error::not_found(format!("No operator named '{name}'.")))?;
                let aad = super::keys::slot_aad(&ctx.keys.vault_id, &name);
                let wrapped = slot::rewrap_slot(&old_kek, &new_kek, &aad, &row.wrapped_private)
                    .map_err(|_| {
                        Error::access_denied(format!(
                            "The current passphrase is not correct for operator '{name}'."
                        ))
                    })?;
                ctx.will_write()?;
                ctx.tx.slot_set_passphrase(
                    &name,
                    &serde_json::to_string(&params).expect("serializes"),
                    &wrapped,
                )
            },
        )
    }

    /// Removes an operator's key slot and re-keys the vault: a new master key wraps the
    /// vault's keys and is sealed to every remaining operator.
    pub fn remove_operator(&self, caller: &Caller, name: &str) -> Result<()> {
        self.exec(caller, "RemoveOperator", &OperatorRequest { operator_name: name }, |ctx| {
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
            ctx.keys.rekey(ctx.tx)
        })
    }
}
