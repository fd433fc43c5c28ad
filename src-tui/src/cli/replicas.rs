//! Replicas from the command line: `replicate-secret-to-regions`,
//! `remove-regions-from-replication` and `stop-replication-to-replica` as in
//! `aws secretsmanager`, and `coffer replica-region ...` for the vault files that hold
//! the replica regions.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use coffer_core::Passphrase;
use coffer_core::api::{
    RemoveRegionsFromReplicationRequest, ReplicaRegionType, ReplicateSecretToRegionsRequest,
    SecretIdRequest,
};
use coffer_core::{Caller, Operation, Vault};

use super::{Outcome, json};

/// How a replica region's or a replica account's vault file is unlocked (or made) when it is
/// registered.
#[derive(Debug, Args)]
pub struct OtherVault {
    /// The other vault's operator to unlock it as (default: its only one; for a new file,
    /// your operator name).
    #[arg(long)]
    replica_operator: Option<String>,
    /// Read the other vault's passphrase from the first line of this file.
    #[arg(long)]
    replica_passphrase_file: Option<PathBuf>,
    /// Argon2id memory in KiB for a new vault (at least 19456; default 65536).
    #[arg(long, hide = true)]
    kdf_memory_kib: Option<u32>,
    /// Argon2id passes for a new vault (at least 2; default 3).
    #[arg(long, hide = true)]
    kdf_iterations: Option<u32>,
}

/// What registering another vault file needs to open it: its operator, its passphrase and
/// the cost of a new file.
type Opening<'a> = (Option<&'a str>, Passphrase, Option<(u32, u32)>);

impl OtherVault {
    /// The operator, the passphrase (asked for as `replica_passphrase` asks) and the cost
    /// of a new file, for the vault file `file`.
    fn unlock(&self, file: &std::path::Path) -> Result<Opening<'_>> {
        Ok((
            self.replica_operator.as_deref(),
            replica_passphrase(self.replica_passphrase_file.as_deref(), file)?,
            crate::kdf_choice(self.kdf_memory_kib, self.kdf_iterations),
        ))
    }
}

#[derive(Debug, Subcommand)]
pub enum ReplicaRegionOp {
    /// Registers a vault file as a replica region: an existing vault (account and region
    /// must match) or a new one created there. Its passphrase: COFFER_REPLICA_PASSPHRASE,
    /// --replica-passphrase-file, or asked on the terminal; propagation never asks again.
    ///
    /// `coffer replica-region add --region R --vault FILE`: here `--vault` names the
    /// replica file, and the primary is COFFER_VAULT (or the default vault); with
    /// --replica-vault FILE, `--vault` names the primary as everywhere else.
    Add {
        #[arg(long)]
        region: String,
        /// The replica vault file (say, on a backup drive).
        #[arg(long, value_name = "FILE")]
        replica_vault: Option<PathBuf>,
        #[command(flatten)]
        unlock: OtherVault,
    },
    /// The replica regions, whether their files are there, and how their secrets stand.
    List,
    /// Forgets a replica region (refused while secrets replicate there).
    Remove {
        #[arg(long)]
        region: String,
    },
    /// Retries what could not reach a replica (changes, and replica deletions).
    Sync,
    /// Promotes a secret's replica in REGION to a standalone secret there, from this side.
    Promote {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        region: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReplicaAccountOp {
    /// Registers another account's vault file (same region as this vault), where this
    /// vault's secrets can have cross-account replicas: an existing vault or a new one
    /// created there. Its passphrase: COFFER_REPLICA_PASSPHRASE, --replica-passphrase-file,
    /// or asked on the terminal; replication never asks again.
    Add {
        /// The other account's id (12 digits).
        #[arg(long)]
        account_id: String,
        /// The other account's vault file.
        #[arg(long, value_name = "FILE")]
        replica_vault: PathBuf,
        #[command(flatten)]
        unlock: OtherVault,
    },
    /// The registered accounts, whether their files are there, and how their replicas stand.
    List,
    /// Forgets an account's vault (refused while a replica there is associated).
    Remove {
        #[arg(long)]
        account_id: String,
    },
}

impl ReplicaAccountOp {
    pub fn operation(&self) -> Operation {
        match self {
            Self::Add { .. } => Operation::AddReplicaAccount,
            Self::List => Operation::ListReplicaAccounts,
            Self::Remove { .. } => Operation::RemoveReplicaAccount,
        }
    }
}

pub fn run_account(vault: &Vault, c: &Caller, op: ReplicaAccountOp) -> Result<Outcome> {
    match op {
        ReplicaAccountOp::Add {
            account_id,
            replica_vault,
            unlock,
        } => {
            let (operator, pass, kdf) = unlock.unlock(&replica_vault)?;
            json(&vault.add_replica_account(c, &account_id, &replica_vault, operator, pass, kdf)?)
        }
        ReplicaAccountOp::List => json(&serde_json::json!({
            "ReplicaAccounts": vault.list_replica_accounts(c)?
        })),
        ReplicaAccountOp::Remove { account_id } => {
            vault.remove_replica_account(c, &account_id)?;
            Ok(Outcome::Json(serde_json::Value::Null))
        }
    }
}

impl ReplicaRegionOp {
    pub fn operation(&self) -> Operation {
        match self {
            Self::Add { .. } => Operation::AddReplicaRegion,
            Self::List => Operation::ListReplicaRegions,
            Self::Remove { .. } => Operation::RemoveReplicaRegion,
            Self::Sync => Operation::SyncReplicas,
            Self::Promote { .. } => Operation::PromoteReplica,
        }
    }
}

/// The replica's passphrase: from the environment, a file, or the terminal (typed twice
/// for a vault that does not exist yet).
fn replica_passphrase(
    file: Option<&std::path::Path>,
    vault: &std::path::Path,
) -> Result<Passphrase> {
    if file.is_none()
        && let Ok(p) = std::env::var("COFFER_REPLICA_PASSPHRASE")
    {
        anyhow::ensure!(!p.is_empty(), "the replica passphrase must not be empty");
        return Ok(Passphrase::new(p));
    }
    if let Some(f) = file {
        return crate::unlock::new_passphrase_from(Some(f));
    }
    if vault.exists() {
        let p = crate::unlock::ask(&format!(
            "Passphrase of the replica vault {}: ",
            vault.display()
        ))?;
        return Ok(p);
    }
    eprintln!(
        "A new replica vault will be created at {}.",
        vault.display()
    );
    crate::unlock::new_passphrase_from(None)
}

pub fn run_region(vault: &Vault, c: &Caller, op: ReplicaRegionOp) -> Result<Outcome> {
    match op {
        ReplicaRegionOp::Add {
            region,
            replica_vault,
            unlock,
        } => {
            let Some(vault_file) = replica_vault else {
                bail!("name the replica vault file: --vault FILE (or --replica-vault FILE)");
            };
            let (operator, pass, kdf) = unlock.unlock(&vault_file)?;
            let view = vault.add_replica_region(c, &region, &vault_file, operator, pass, kdf)?;
            json(&view)
        }
        ReplicaRegionOp::List => json(&serde_json::json!({
            "ReplicaRegions": vault.list_replica_regions(c)?
        })),
        ReplicaRegionOp::Remove { region } => {
            vault.remove_replica_region(c, &region)?;
            Ok(Outcome::Json(serde_json::Value::Null))
        }
        ReplicaRegionOp::Sync => json(&vault.sync_replicas()?),
        ReplicaRegionOp::Promote { secret_id, region } => {
            vault.promote_replica(c, &secret_id, &region)?;
            Ok(Outcome::Json(serde_json::Value::Null))
        }
    }
}

/// `Region=eu-west-1[,KmsKeyId=KEY]` (one per argument), a bare region name, or a JSON
/// list `[{"Region":..,"KmsKeyId":..}]`.
pub fn replica_regions(args: &[String]) -> Result<Vec<ReplicaRegionType>> {
    let mut out = Vec::new();
    for a in args {
        let t = a.trim();
        if t.starts_with('[') {
            out.extend(
                serde_json::from_str::<Vec<ReplicaRegionType>>(t).context(
                    "--add-replica-regions JSON must be [{\"Region\":..,\"KmsKeyId\":..}]",
                )?,
            );
            continue;
        }
        if !t.contains('=') {
            out.push(ReplicaRegionType {
                region: Some(t.to_string()),
                kms_key_id: None,
            });
            continue;
        }
        let mut r = ReplicaRegionType::default();
        for part in t.split(',') {
            match part.split_once('=') {
                Some(("Region", v)) => r.region = Some(v.to_string()),
                Some(("KmsKeyId", v)) => r.kms_key_id = Some(v.to_string()),
                _ => bail!("--add-replica-regions takes Region=REGION[,KmsKeyId=KEY] (got '{t}')"),
            }
        }
        out.push(r);
    }
    Ok(out)
}

pub fn replicate(
    vault: &Vault,
    c: &Caller,
    secret_id: String,
    add: &[String],
    force: bool,
) -> Result<Outcome> {
    json(&vault.replicate_secret_to_regions(
        c,
        ReplicateSecretToRegionsRequest {
            secret_id,
            add_replica_regions: replica_regions(add)?,
            force_overwrite_replica_secret: force,
        },
    )?)
}

pub fn remove(
    vault: &Vault,
    c: &Caller,
    secret_id: String,
    regions: Vec<String>,
) -> Result<Outcome> {
    json(&vault.remove_regions_from_replication(
        c,
        RemoveRegionsFromReplicationRequest {
            secret_id,
            remove_replica_regions: regions,
        },
    )?)
}

pub fn stop(vault: &Vault, c: &Caller, secret_id: String) -> Result<Outcome> {
    json(&vault.stop_replication_to_replica(c, SecretIdRequest { secret_id })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_regions_parse_from_shorthand_bare_names_and_json() {
        let r = replica_regions(&[
            "Region=eu-west-1,KmsKeyId=alias/replica".into(),
            "ap-south-1".into(),
            r#"[{"Region":"us-west-2"}]"#.into(),
        ])
        .unwrap();
        assert_eq!(r[0].region.as_deref(), Some("eu-west-1"));
        assert_eq!(r[0].kms_key_id.as_deref(), Some("alias/replica"));
        assert_eq!(r[1].region.as_deref(), Some("ap-south-1"));
        assert_eq!(r[2].region.as_deref(), Some("us-west-2"));
        assert!(replica_regions(&["Colour=blue".into()]).is_err());
    }
}
