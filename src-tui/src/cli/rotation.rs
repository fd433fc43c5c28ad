//! Rotation from the command line: `rotate-secret` and `cancel-rotate-secret` as in
//! `aws secretsmanager`, `rotate-due` for cron or systemd timers, and `coffer rotation ...`
//! for rotation functions, the approval queue and the history.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use coffer_core::api::{
    GetRandomPasswordRequest, RotateSecretRequest, RotationRules, SecretIdRequest,
};
use coffer_core::rotation::Engine;
use coffer_core::vault::rotation::*;
use coffer_core::{Caller, Vault};
use serde_json::{Value, json};

use super::{Outcome, json};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    Password,
    Postgres,
    Mysql,
    Lambda,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StrategyArg {
    SingleUser,
    AlternatingUsers,
}

#[derive(Debug, Subcommand)]
pub enum RotationOp {
    /// Registers a rotation function; RotateSecret names it by the ARN printed.
    CreateFunction {
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        kind: Kind,
        /// postgres and mysql: single-user or alternating-users (masterarn in the secret).
        #[arg(long, value_enum)]
        strategy: Option<StrategyArg>,
        /// password: the JSON key to put the new password in [default: password].
        #[arg(long)]
        json_key: Option<String>,
        /// password: GetRandomPassword's length [default: 32].
        #[arg(long)]
        password_length: Option<i64>,
        /// password: characters the new password must not contain.
        #[arg(long)]
        exclude_characters: Option<String>,
        /// password: no punctuation in the new password.
        #[arg(long)]
        exclude_punctuation: bool,
        /// lambda: seconds a step may take before it is stopped [default: 60].
        #[arg(long, default_value_t = 60)]
        timeout_seconds: u64,
        #[arg(long)]
        description: Option<String>,
        /// lambda: the program and its arguments, after `--`; it gets the Lambda event on
        /// stdin and SECRETS_MANAGER_ENDPOINT, AWS credentials and AWS_REGION in its
        /// environment.
        #[arg(last = true, value_name = "CMD")]
        command: Vec<String>,
    },
    ListFunctions,
    DeleteFunction {
        #[arg(long)]
        name: String,
    },
    /// Rotations waiting for an operator's approval.
    ListPending,
    /// Approves the rotation waiting on a secret; it runs at once unless --no-wait.
    Approve {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        no_wait: bool,
    },
    /// Rejects the rotation waiting on a secret, with a reason.
    Reject {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        reason: String,
    },
    /// Tries a failed rotation again now, with the same version id.
    Retry {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        no_wait: bool,
    },
    /// Every attempt on a secret: who asked and approved, each step's outcome and duration.
    History {
        #[arg(long)]
        secret_id: String,
        #[arg(long)]
        max_results: Option<i64>,
        #[arg(long)]
        next_token: Option<String>,
    },
    /// Whether rotations wait for approval (and must be approved by someone other than the
    /// requester): for one secret, or the vault's default without --secret-id.
    SetApproval {
        #[arg(long)]
        secret_id: Option<String>,
        #[arg(long)]
        require_approval: Option<bool>,
        #[arg(long)]
        two_person_rule: Option<bool>,
    },
}

/// `--rotation-rules`: JSON, or the AWS CLI's shorthand
/// `AutomaticallyAfterDays=30` / `ScheduleExpression="rate(10 days)",Duration=2h`.
pub fn rotation_rules(s: &str) -> Result<RotationRules> {
    let s = super::args::text_param(s)?;
    let t = s.trim();
    if t.starts_with('{') {
        return serde_json::from_str(t).context("--rotation-rules is not valid JSON");
    }
    let mut rules = RotationRules::default();
    for part in split_shorthand(t) {
        let (k, v) = part
            .split_once('=')
            .with_context(|| format!("--rotation-rules: '{part}' is not Key=Value"))?;
        let v = v.trim().trim_matches('"').trim_matches('\'').to_string();
        match k.trim() {
            "AutomaticallyAfterDays" => {
                rules.automatically_after_days = Some(
                    v.parse()
                        .with_context(|| format!("AutomaticallyAfterDays '{v}' is not a number"))?,
                )
            }
            "ScheduleExpression" => rules.schedule_expression = Some(v),
            "Duration" => rules.duration = Some(v),
            other => bail!(
                "--rotation-rules: unknown key '{other}' (AutomaticallyAfterDays, ScheduleExpression, Duration)"
            ),
        }
    }
    Ok(rules)
}

/// Splits on commas outside quotes and parentheses (cron expressions have commas).
fn split_shorthand(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quote) = (Vec::new(), String::new(), 0i32, None);
    for ch in s.chars() {
        match (ch, quote) {
            ('"' | '\'', None) => quote = Some(ch),
            (c, Some(q)) if c == q => quote = None,
            ('(', None) => depth += 1,
            (')', None) => depth -= 1,
            (',', None) if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// Runs what is due and says on stderr how each attempt ended (the API call itself
/// succeeded either way, as with AWS, where rotation runs after RotateSecret returns).
pub fn run_engine(vault: &Arc<Vault>, engine: &Engine) -> Result<Vec<RotationAttempt>> {
    let ran = engine.run_due(vault)?;
    for a in &ran {
        match a.status {
            AttemptStatus::Succeeded => eprintln!(
                "Rotation of {} succeeded: version {} is AWSCURRENT.",
                a.secret_name, a.token
            ),
            AttemptStatus::Failed => eprintln!(
                "Rotation of {} failed ({}); the old value is still AWSCURRENT. It is tried again with the same version id{}.",
                a.secret_name,
                a.error.as_deref().unwrap_or("no reason given"),
                if a.retry_ms.is_some() {
                    " later, or now with `coffer rotation retry`"
                } else {
                    ""
                }
            ),
            _ => {}
        }
    }
    Ok(ran)
}

pub fn rotate_secret(
    vault: &Arc<Vault>,
    c: &Caller,
    req: RotateSecretRequest,
    wait: bool,
) -> Result<Outcome> {
    let resp = vault.rotate_secret(c, req)?;
    if wait {
        run_engine(vault, &Engine::new())?;
    }
    json(&resp)
}

pub fn cancel_rotate_secret(vault: &Vault, c: &Caller, secret_id: String) -> Result<Outcome> {
    json(&vault.cancel_rotate_secret(c, SecretIdRequest { secret_id })?)
}

pub fn rotate_due(vault: &Arc<Vault>, lease_seconds: Option<i64>) -> Result<Outcome> {
    let mut engine = Engine::new();
    if let Some(s) = lease_seconds {
        engine = engine.with_lease_ms(s.saturating_mul(1000));
    }
    let ran = run_engine(vault, &engine)?;
    json(&json!({ "Attempts": ran }))
}

pub fn run(vault: &Arc<Vault>, c: &Caller, op: RotationOp) -> Result<Outcome> {
    match op {
        RotationOp::CreateFunction {
            name,
            kind,
            strategy,
            json_key,
            password_length,
            exclude_characters,
            exclude_punctuation,
            timeout_seconds,
            description,
            command,
        } => {
            let strategy = || -> Result<Strategy> {
                match strategy {
                    Some(StrategyArg::SingleUser) => Ok(Strategy::SingleUser),
                    Some(StrategyArg::AlternatingUsers) => Ok(Strategy::AlternatingUsers),
                    None => bail!(
                        "--strategy single-user|alternating-users is required for a database function"
                    ),
                }
            };
            let kind = match kind {
                Kind::Password => FunctionKind::Password {
                    json_key,
                    options: GetRandomPasswordRequest {
                        password_length,
                        exclude_characters,
                        exclude_punctuation: exclude_punctuation.then_some(true),
                        ..Default::default()
                    },
                },
                Kind::Postgres => FunctionKind::Postgres {
                    strategy: strategy()?,
                },
                Kind::Mysql => FunctionKind::Mysql {
                    strategy: strategy()?,
                },
                Kind::Lambda => {
                    if command.is_empty() {
                        bail!("a lambda function needs its program after `--`");
                    }
                    FunctionKind::Lambda {
                        command,
                        timeout_seconds,
                    }
                }
            };
            json(&vault.create_rotation_function(
                c,
                CreateRotationFunctionRequest {
                    name,
                    description,
                    kind,
                },
            )?)
        }
        RotationOp::ListFunctions => json(&vault.list_rotation_functions(c)?),
        RotationOp::DeleteFunction { name } => {
            vault.delete_rotation_function(c, FunctionNameRequest { name })?;
            Ok(Outcome::Json(Value::Null))
        }
        RotationOp::ListPending => json(&vault.list_pending_rotations(c)?),
        RotationOp::Approve {
            secret_id,
            reason,
            no_wait,
        } => {
            let a = vault.approve_rotation(c, DecideRotationRequest { secret_id, reason })?;
            if !no_wait {
                run_engine(vault, &Engine::new())?;
            }
            json(&a)
        }
        RotationOp::Reject { secret_id, reason } => json(&vault.reject_rotation(
            c,
            DecideRotationRequest {
                secret_id,
                reason: Some(reason),
            },
        )?),
        RotationOp::Retry { secret_id, no_wait } => {
            let a = vault.retry_rotation(c, SecretIdRequest { secret_id })?;
            if !no_wait {
                run_engine(vault, &Engine::new())?;
            }
            json(&a)
        }
        RotationOp::History {
            secret_id,
            max_results,
            next_token,
        } => json(&vault.rotation_history(
            c,
            &RotationHistoryRequest {
                secret_id,
                max_results,
                next_token,
            },
        )?),
        RotationOp::SetApproval {
            secret_id,
            require_approval,
            two_person_rule,
        } => json(&vault.put_rotation_approval(
            c,
            PutRotationApprovalRequest {
                secret_id,
                require_approval,
                two_person_rule,
            },
        )?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_rules_take_json_and_the_aws_cli_shorthand_with_cron_commas() {
        let r = rotation_rules("AutomaticallyAfterDays=30").unwrap();
        assert_eq!(r.automatically_after_days, Some(30));
        let r =
            rotation_rules(r#"ScheduleExpression="cron(0 16 1,15 * ? *)",Duration="2h""#).unwrap();
        assert_eq!(
            r.schedule_expression.as_deref(),
            Some("cron(0 16 1,15 * ? *)")
        );
        assert_eq!(r.duration.as_deref(), Some("2h"));
        let r = rotation_rules(r#"{"ScheduleExpression":"rate(10 days)"}"#).unwrap();
        assert_eq!(r.schedule_expression.as_deref(), Some("rate(10 days)"));
        assert!(rotation_rules("Every=3").is_err());
    }
}
