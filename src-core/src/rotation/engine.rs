//! The rotation engine: takes due and requested attempts, and runs each one's steps in
//! order, persisting the state before and after every step so that an attempt resumes —
//! with the same token — after a failure or after the process running it is killed.

use std::sync::Arc;
use std::time::Instant;

use super::{RotationClient, Step, StepEvent, StepOutput};
use crate::Result;
use crate::crypto::random;
use crate::vault::rotation::{FunctionKind, RotationAttempt, RotationFunction};
use crate::vault::{Caller, FrontEnd, Vault};

/// How long an attempt's lease lasts without renewal (renewed at every step).
pub const DEFAULT_LEASE_MS: i64 = 5 * 60_000;

/// Runs rotations for one process. Several processes may run engines on the same vault:
/// each attempt runs in exactly one of them at a time (a lease in the database).
#[derive(Debug, Clone)]
pub struct Engine {
    holder: String,
    lease_ms: i64,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An engine whose leases last [`DEFAULT_LEASE_MS`], or `COFFER_ROTATION_LEASE_SECONDS`.
    pub fn new() -> Self {
        let lease_ms = std::env::var("COFFER_ROTATION_LEASE_SECONDS")
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_LEASE_MS, |s| s.saturating_mul(1000));
        Self {
            holder: format!("{}-{}", std::process::id(), random::hex(6)),
            lease_ms,
        }
    }

    /// How long another process waits before taking over an attempt whose runner stopped
    /// answering (for tests and for `coffer rotate-due --lease-seconds`).
    pub fn with_lease_ms(mut self, ms: i64) -> Self {
        self.lease_ms = ms.max(1);
        self
    }

    /// Starts the rotations that schedules make due, then runs every runnable attempt
    /// until it succeeds, fails, or waits. Returns the attempts it ran, as they ended.
    pub fn run_due(&self, vault: &Arc<Vault>) -> Result<Vec<RotationAttempt>> {
        vault.start_scheduled_rotations()?;
        let mut ran = Vec::new();
        while let Some(claimed) = vault.claim_rotation(&self.holder, self.lease_ms)? {
            ran.push(self.run(vault, claimed.attempt, &claimed.function)?);
        }
        Ok(ran)
    }

    fn run(
        &self,
        vault: &Arc<Vault>,
        mut attempt: RotationAttempt,
        function: &RotationFunction,
    ) -> Result<RotationAttempt> {
        use crate::vault::rotation::AttemptStatus;
        while attempt.status == AttemptStatus::Running {
            let Some(step) = attempt.next_step else { break };
            if let Err(e) =
                vault.begin_rotation_step(&self.holder, self.lease_ms, &attempt.id, step)
            {
                let _ = vault.release_rotation(&self.holder, &attempt.id);
                return Err(e);
            }
            let started = Instant::now();
            let outcome = run_function(vault, function, &attempt, step);
            let ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
            attempt = vault.end_rotation_step(
                &self.holder,
                self.lease_ms,
                &attempt.id,
                step,
                outcome,
                ms,
            )?;
        }
        vault.release_rotation(&self.holder, &attempt.id)?;
        Ok(attempt)
    }
}

/// The principal a rotation function acts as, for one step: it may read and write the
/// rotating secret (and move its labels only in finishSecret, so that AWSCURRENT never moves
/// before testSecret passed), make random passwords, and decrypt through Secrets Manager.
/// Nothing else: another secret the rotation uses (an alternating-users master secret) is
/// read as the principal the rotation acts for (see [`RotationClient::acting_for`]).
pub fn step_caller(
    vault: &Vault,
    function: &RotationFunction,
    secret_arn: &str,
    step: Step,
) -> Caller {
    let mut actions = vec![
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:ListSecretVersionIds",
    ];
    if step == Step::FinishSecret {
        actions.push("secretsmanager:UpdateSecretVersionStage");
    }
    let statements = vec![
        serde_json::json!({
            "Sid": "TheRotatingSecret", "Effect": "Allow",
            "Action": actions, "Resource": secret_arn
        }),
        serde_json::json!({
            "Sid": "RandomPasswords", "Effect": "Allow",
            "Action": "secretsmanager:GetRandomPassword", "Resource": "*"
        }),
        serde_json::json!({
            "Sid": "DecryptThroughSecretsManager", "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"
        }),
    ];
    let policy = serde_json::json!({ "Version": "2012-10-17", "Statement": statements });
    let info = vault.info();
    Caller::scoped(
        format!(
            "arn:aws:sts::{}:assumed-role/coffer-rotation/{}",
            info.account_id, function.name
        ),
        FrontEnd::Internal,
        policy.to_string(),
    )
}

fn run_function(
    vault: &Arc<Vault>,
    function: &RotationFunction,
    attempt: &RotationAttempt,
    step: Step,
) -> Result<StepOutput> {
    let event = StepEvent {
        secret_id: attempt.secret_arn.clone(),
        client_request_token: attempt.token.clone(),
        step,
    };
    let client = RotationClient {
        vault,
        caller: step_caller(vault, function, &attempt.secret_arn, step),
        acting_for: attempt.acting_for().map(|arn| {
            Caller::principal(arn, FrontEnd::Internal)
                .with_source(None, Some(format!("coffer-rotation/{}", function.name)))
        }),
    };
    match &function.kind {
        FunctionKind::Password { json_key, options } => {
            super::password::run_step(&client, &event, json_key.as_deref(), options)
        }
        FunctionKind::Postgres { .. } | FunctionKind::Mysql { .. } => {
            database(function, &client, &event)
        }
        FunctionKind::Lambda {
            command,
            timeout_seconds,
        } => lambda(
            vault,
            &client,
            &event,
            &function.name,
            command,
            *timeout_seconds,
        ),
    }
}

#[cfg(feature = "rotation-db")]
fn database(
    function: &RotationFunction,
    client: &RotationClient<'_>,
    event: &StepEvent,
) -> Result<StepOutput> {
    use super::database::{self, DatabaseConfig, Engine, PasswordRules};
    let (engine, strategy) = match function.kind {
        FunctionKind::Postgres { strategy } => (Engine::Postgres, strategy),
        FunctionKind::Mysql { strategy } => (Engine::Mysql, strategy),
        _ => return Err(crate::Error::internal("not a database rotation function")),
    };
    let config = DatabaseConfig {
        engine,
        strategy,
        password: PasswordRules::default(),
    };
    database::run_step(client, event, &config)
}

#[cfg(not(feature = "rotation-db"))]
fn database(
    _function: &RotationFunction,
    _client: &RotationClient<'_>,
    _event: &StepEvent,
) -> Result<StepOutput> {
    Err(crate::Error::invalid_request(
        "This build of Coffer has no database rotators (the rotation-db feature).",
    ))
}

#[cfg(feature = "server")]
fn lambda(
    vault: &Arc<Vault>,
    client: &RotationClient<'_>,
    event: &StepEvent,
    function_name: &str,
    command: &[String],
    timeout_seconds: u64,
) -> Result<StepOutput> {
    super::lambda::run(
        vault,
        &client.caller,
        event,
        function_name,
        command,
        timeout_seconds,
    )
}

#[cfg(not(feature = "server"))]
fn lambda(
    _vault: &Arc<Vault>,
    _client: &RotationClient<'_>,
    _event: &StepEvent,
    _function_name: &str,
    _command: &[String],
    _timeout_seconds: u64,
) -> Result<StepOutput> {
    Err(crate::Error::invalid_request(
        "This build of Coffer cannot run lambda rotation functions (the server feature).",
    ))
}
