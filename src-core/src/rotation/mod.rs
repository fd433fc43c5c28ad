//! Rotation: the engine that changes a credential in the vault and in the system it opens,
//! in AWS's four steps, and the rotation functions that carry the steps out.

use serde::{Deserialize, Serialize};

use crate::vault::{Caller, Vault};

#[cfg(feature = "rotation-db")]
pub mod database;
pub mod engine;
#[cfg(feature = "server")]
mod lambda;
mod password;
pub mod schedule;

pub use engine::Engine;

/// One of the four calls of a rotation function, named as AWS names them in the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Step {
    #[serde(rename = "createSecret")]
    CreateSecret,
    #[serde(rename = "setSecret")]
    SetSecret,
    #[serde(rename = "testSecret")]
    TestSecret,
    #[serde(rename = "finishSecret")]
    FinishSecret,
}

impl Step {
    pub const ALL: [Step; 4] = [
        Step::CreateSecret,
        Step::SetSecret,
        Step::TestSecret,
        Step::FinishSecret,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Step::CreateSecret => "createSecret",
            Step::SetSecret => "setSecret",
            Step::TestSecret => "testSecret",
            Step::FinishSecret => "finishSecret",
        }
    }
}

/// Whose password a database rotation changes, as AWS's RDS templates have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Strategy {
    /// The secret's user changes its own password: between setSecret and finishSecret the
    /// AWSCURRENT value no longer logs in (as in AWS).
    #[serde(rename = "single-user")]
    SingleUser,
    /// Two users, `user` and `user_clone`, take turns: the master secret (`masterarn`) sets
    /// the password of the one not in use, so AWSCURRENT always logs in.
    #[serde(rename = "alternating-users")]
    AlternatingUsers,
}

impl Strategy {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SingleUser => "single-user",
            Self::AlternatingUsers => "alternating-users",
        }
    }
}

/// What a rotation function is given for a step: the Lambda event AWS sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StepEvent {
    pub secret_id: String,
    pub client_request_token: String,
    pub step: Step,
}

/// What a step leaves in the attempt's history: short lines of what it did, never a value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepOutput {
    pub log: Vec<String>,
}

impl StepOutput {
    pub fn note(&mut self, line: impl Into<String>) {
        self.log.push(line.into());
    }
}

/// The Secrets Manager a rotation function calls back into: the vault, as the rotation's
/// principal (whose permissions reach only the rotating secret), so every call is
/// authorized and audited like any other request.
#[derive(Debug)]
pub struct RotationClient<'a> {
    pub vault: &'a Vault,
    pub caller: Caller,
    /// The principal the rotation acts for (who asked for it, or for a scheduled rotation
    /// who configured it): any other secret the rotation uses, such as an alternating-users
    /// master secret, is read as this principal — its identity policies, the secret's
    /// resource policy and `kms:Decrypt` on its key decide, and the read is audited under its
    /// name — never with the function's own permissions. `None`: nobody to act for, so no
    /// other secret is used.
    pub acting_for: Option<Caller>,
}

/// What finishSecret found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    /// The token's version already was AWSCURRENT.
    AlreadyCurrent,
    /// AWSCURRENT moved to the token's version from this one (if any held it).
    Moved { from: Option<String> },
}

impl RotationClient<'_> {
    /// finishSecret as AWS's templates write it: move AWSCURRENT to the token's version,
    /// taking it from the version that held it (which becomes AWSPREVIOUS).
    pub fn finish_secret(&self, event: &StepEvent) -> crate::Result<Finished> {
        use crate::api::{SecretIdRequest, UpdateSecretVersionStageRequest};
        use crate::model::AWSCURRENT;
        let meta = self.vault.describe_secret(
            &self.caller,
            SecretIdRequest {
                secret_id: event.secret_id.clone(),
            },
        )?;
        let current = meta
            .version_ids_to_stages
            .iter()
            .find(|(_, stages)| stages.iter().any(|s| s == AWSCURRENT))
            .map(|(id, _)| id.clone());
        if current.as_deref() == Some(event.client_request_token.as_str()) {
            return Ok(Finished::AlreadyCurrent);
        }
        self.vault.update_secret_version_stage(
            &self.caller,
            UpdateSecretVersionStageRequest {
                secret_id: event.secret_id.clone(),
                version_stage: AWSCURRENT.into(),
                remove_from_version_id: current.clone(),
                move_to_version_id: Some(event.client_request_token.clone()),
            },
        )?;
        Ok(Finished::Moved { from: current })
    }
}

/// When a secret with these settings next rotates: the start of the window after its last
/// rotation (in the past when it is overdue); `None` when rotation is off.
pub fn next_rotation_ms(r: &crate::vault::doc::RotationDoc) -> Option<i64> {
    if !r.enabled {
        return None;
    }
    let schedule = schedule::Schedule::stored(r.rules.as_ref()?).ok()?;
    Some(schedule.window_after(r.anchor_ms)?.start_ms)
}
