//! The built-in database rotation functions: PostgreSQL and MySQL/MariaDB, single user and
//! alternating users, carrying out exactly the logic of AWS's RDS rotation templates
//! (SecretsManagerRDSPostgreSQLRotationSingleUser / MultiUser, SecretsManagerRDSMySQL... and
//! SecretsManagerRDSMariaDB...), with the same secret JSON: `engine`, `host`, `port`,
//! `username`, `password`, `dbname`, and `masterarn` for alternating users.
//!
//! Every call into the vault goes through the [`RotationClient`] (authorized and audited);
//! the master secret is read as the principal the rotation acts for, never with the
//! function's own permissions, and its login goes only to the user's host *and port*. The
//! database drivers are async and run on a small current-thread runtime inside the step; they
//! use TLS as each secret's `ssl` says (each login as its own secret says: the master's login
//! as the master secret does). No value ever reaches a [`StepOutput`], an error or a `Debug`
//! print.

mod mysql;
mod postgres;
mod quote;
mod secret;

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use super::Strategy;
use super::{Finished, RotationClient, Step, StepEvent, StepOutput};
use crate::api::{
    GetRandomPasswordRequest, GetSecretValueRequest, PutSecretValueRequest, SecretIdRequest,
};
use crate::model::{AWSCURRENT, AWSPENDING, SecretValue};
use crate::{Error, ErrorCode, Result};
use secret::{Creds, DbSecret};

/// How long a login may take before it counts as failed (the templates use 5 seconds).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one step may spend talking to the database in all.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(60);
const AWSPREVIOUS: &str = "AWSPREVIOUS";
const CLONE_SUFFIX: &str = "_clone";

/// Which database the function rotates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// PostgreSQL (secret `engine`: `postgres` or `aurora-postgresql`).
    Postgres,
    /// MySQL or MariaDB (secret `engine`: `mysql`, `aurora-mysql` or `mariadb`).
    Mysql,
}

impl Engine {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::Mysql => "mysql",
        }
    }

    fn accepts(self, secret_engine: &str) -> bool {
        match self {
            Self::Postgres => matches!(secret_engine, "postgres" | "aurora-postgresql"),
            Self::Mysql => matches!(secret_engine, "mysql" | "aurora-mysql" | "mariadb"),
        }
    }

    fn accepted_names(self) -> &'static str {
        match self {
            Self::Postgres => "'postgres' or 'aurora-postgresql'",
            Self::Mysql => "'mysql', 'aurora-mysql' or 'mariadb'",
        }
    }

    const fn default_port(self) -> u16 {
        match self {
            Self::Postgres => 5432,
            Self::Mysql => 3306,
        }
    }

    const fn default_dbname(self) -> Option<&'static str> {
        match self {
            Self::Postgres => Some("postgres"),
            Self::Mysql => None,
        }
    }

    /// The longest user name the server takes: PostgreSQL's 63 bytes, MySQL's 32 characters,
    /// MariaDB's 80.
    fn max_username(self, secret_engine: &str) -> usize {
        match (self, secret_engine) {
            (Self::Postgres, _) => 63,
            (Self::Mysql, "mariadb") => 80,
            (Self::Mysql, _) => 32,
        }
    }
}

/// The new password's GetRandomPassword options, as AWS's templates take them from their
/// environment (`PASSWORD_LENGTH`, `EXCLUDE_CHARACTERS`, `EXCLUDE_NUMBERS`, ...), with the
/// templates' defaults: 32 characters, none of `/@"'\` (characters that break connection
/// strings and shell quoting), every type of character required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PasswordRules {
    pub password_length: i64,
    pub exclude_characters: String,
    pub exclude_numbers: bool,
    pub exclude_punctuation: bool,
    pub exclude_uppercase: bool,
    pub exclude_lowercase: bool,
    pub require_each_included_type: bool,
}

impl Default for PasswordRules {
    fn default() -> Self {
        Self {
            password_length: 32,
            exclude_characters: r#"/@"'\"#.into(),
            exclude_numbers: false,
            exclude_punctuation: false,
            exclude_uppercase: false,
            exclude_lowercase: false,
            require_each_included_type: true,
        }
    }
}

impl PasswordRules {
    fn request(&self) -> GetRandomPasswordRequest {
        GetRandomPasswordRequest {
            password_length: Some(self.password_length),
            exclude_characters: Some(self.exclude_characters.clone()),
            exclude_numbers: Some(self.exclude_numbers),
            exclude_punctuation: Some(self.exclude_punctuation),
            exclude_uppercase: Some(self.exclude_uppercase),
            exclude_lowercase: Some(self.exclude_lowercase),
            include_space: Some(false),
            require_each_included_type: Some(self.require_each_included_type),
        }
    }
}

/// A database rotation function: what the engine stores with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DatabaseConfig {
    pub engine: Engine,
    pub strategy: Strategy,
    #[serde(default)]
    pub password: PasswordRules,
}

/// What setSecret did in the alternating-users strategy.
enum CloneChange {
    Created,
    PasswordSet,
}

/// One database's statements, as its template runs them.
trait Driver {
    type Conn;
    /// Logs in; the error is the reason, without the password.
    async fn connect(c: &Creds) -> std::result::Result<Self::Conn, String>;
    async fn close(conn: Self::Conn);
    /// testSecret's trivial query.
    async fn select_now(conn: &mut Self::Conn) -> Result<()>;
    /// Single user: the logged-in user sets `pending`'s password (its own).
    async fn set_own_password(conn: &mut Self::Conn, pending: &Creds) -> Result<()>;
    /// Alternating users, logged in as the master: creates `pending`'s user if missing with
    /// `current_user`'s grants, and sets its password.
    async fn set_clone_password(
        conn: &mut Self::Conn,
        current_user: &str,
        pending: &Creds,
    ) -> Result<CloneChange>;
}

/// Runs one step of a database rotation function for `event`, calling back into the vault
/// through `client`.
///
/// Synchronous: the database work runs on a current-thread runtime of its own; called from
/// inside a tokio runtime, the step runs on a thread beside it. A step may be retried: each
/// one first checks whether its work is already done, as AWS's templates do.
pub fn run_step(
    client: &RotationClient<'_>,
    event: &StepEvent,
    config: &DatabaseConfig,
) -> Result<StepOutput> {
    if tokio::runtime::Handle::try_current().is_ok() {
        // A runtime can neither start nor be dropped inside another one.
        return std::thread::scope(|s| {
            s.spawn(|| run_here(client, event, config))
                .join()
                .unwrap_or_else(|_| Err(Error::internal("the database rotation step panicked")))
        });
    }
    run_here(client, event, config)
}

fn run_here(
    client: &RotationClient<'_>,
    event: &StepEvent,
    config: &DatabaseConfig,
) -> Result<StepOutput> {
    let mut rotation = Rotation {
        client,
        event,
        config,
        out: StepOutput::default(),
        runtime: None,
    };
    match config.engine {
        Engine::Postgres => rotation.run::<postgres::Postgres>()?,
        Engine::Mysql => rotation.run::<mysql::Mysql>()?,
    }
    Ok(rotation.out)
}

struct Rotation<'a, 'v> {
    client: &'a RotationClient<'v>,
    event: &'a StepEvent,
    config: &'a DatabaseConfig,
    out: StepOutput,
    runtime: Option<tokio::runtime::Runtime>,
}

/// Whether a version's stages say the step still has work to do (the templates'
/// `lambda_handler` checks, run before every step).
enum Preflight {
    Go,
    AlreadyCurrent,
}

impl Rotation<'_, '_> {
    fn note(&mut self, line: impl Into<String>) {
        let line = format!("{}: {}", self.event.step.as_str(), line.into());
        self.out.note(line);
    }

    fn token(&self) -> &str {
        &self.event.client_request_token
    }

    fn run<D: Driver>(&mut self) -> Result<()> {
        if let Preflight::AlreadyCurrent = self.preflight()? {
            self.note("the version is already AWSCURRENT; nothing to do");
            return Ok(());
        }
        match (self.event.step, self.config.strategy) {
            (Step::CreateSecret, _) => self.create_secret(),
            (Step::SetSecret, Strategy::SingleUser) => self.set_secret_single::<D>(),
            (Step::SetSecret, Strategy::AlternatingUsers) => self.set_secret_alternating::<D>(),
            (Step::TestSecret, _) => self.test_secret::<D>(),
            (Step::FinishSecret, _) => self.finish_secret(),
        }
    }

    /// The templates' `lambda_handler`: rotation on, and the token's version is AWSPENDING
    /// (or already AWSCURRENT, when the step is a retry after the rotation finished).
    ///
    /// The engine creates the token's version (AWSPENDING, no value) before createSecret; a
    /// createSecret whose version does not exist yet creates it with the value, as a
    /// PutSecretValue with that token does.
    fn preflight(&self) -> Result<Preflight> {
        let meta = self.client.vault.describe_secret(
            &self.client.caller,
            SecretIdRequest {
                secret_id: self.event.secret_id.clone(),
            },
        )?;
        if meta.rotation_enabled == Some(false) {
            return Err(Error::invalid_request(format!(
                "Secret {} is not enabled for rotation.",
                meta.arn
            )));
        }
        let token = self.token();
        match meta.version_ids_to_stages.get(token) {
            None if self.event.step == Step::CreateSecret => Ok(Preflight::Go),
            None => Err(Error::invalid_request(format!(
                "Secret version {token} has no stage for rotation of secret {}.",
                meta.arn
            ))),
            Some(stages) if stages.iter().any(|s| s == AWSCURRENT) => Ok(Preflight::AlreadyCurrent),
            Some(stages) if !stages.iter().any(|s| s == AWSPENDING) => {
                Err(Error::invalid_request(format!(
                    "Secret version {token} not set as AWSPENDING for rotation of secret {}.",
                    meta.arn
                )))
            }
            Some(_) => Ok(Preflight::Go),
        }
    }

    /// The templates' `get_secret_dict`: one version's value, checked for this engine.
    fn get_secret(
        &self,
        secret_id: &str,
        stage: &str,
        version_id: Option<&str>,
        what: &str,
    ) -> Result<DbSecret> {
        self.get_secret_as(&self.client.caller, secret_id, stage, version_id, what)
    }

    fn get_secret_as(
        &self,
        caller: &crate::Caller,
        secret_id: &str,
        stage: &str,
        version_id: Option<&str>,
        what: &str,
    ) -> Result<DbSecret> {
        let resp = self.client.vault.get_secret_value(
            caller,
            GetSecretValueRequest {
                secret_id: secret_id.to_string(),
                version_id: version_id.map(str::to_string),
                version_stage: Some(stage.to_string()),
            },
        )?;
        match &resp.value {
            SecretValue::String(text) => DbSecret::parse(text.expose(), self.config.engine, what),
            SecretValue::Binary(_) => Err(Error::invalid_parameter(format!(
                "The value of {what} is binary; a database secret is a JSON SecretString."
            ))),
        }
    }

    fn current(&self) -> Result<DbSecret> {
        self.get_secret(
            &self.event.secret_id,
            AWSCURRENT,
            None,
            "the AWSCURRENT version",
        )
    }

    fn pending(&self) -> Result<DbSecret> {
        self.get_secret(
            &self.event.secret_id,
            AWSPENDING,
            Some(self.token()),
            "the AWSPENDING version",
        )
    }

    /// Runs database work on this step's runtime, within [`DATABASE_TIMEOUT`].
    fn block_on<T>(&mut self, work: impl Future<Output = Result<T>>) -> Result<T> {
        if self.runtime.is_none() {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .enable_time()
                .build()
                .map_err(|e| Error::internal(format!("no runtime for the database driver: {e}")))?;
            self.runtime = Some(rt);
        }
        let rt = self.runtime.as_ref().expect("just made");
        rt.block_on(async {
            tokio::time::timeout(DATABASE_TIMEOUT, work)
                .await
                .unwrap_or_else(|_| {
                    Err(Error::invalid_request(format!(
                        "The database did not finish the {} step within {} seconds.",
                        self.event.step.as_str(),
                        DATABASE_TIMEOUT.as_secs()
                    )))
                })
        })
    }

    fn create_secret(&mut self) -> Result<()> {
        let current = self.current()?;
        match self.pending() {
            Ok(_) => {
                self.note("the version already has its AWSPENDING value; nothing to do");
                return Ok(());
            }
            Err(e) if e.code == ErrorCode::ResourceNotFound => {}
            Err(e) => return Err(e),
        }
        let username = match self.config.strategy {
            Strategy::SingleUser => None,
            Strategy::AlternatingUsers => Some(alternate_username(
                current.str("username"),
                self.config.engine,
                current.str("engine"),
            )?),
        };
        let caller = &self.client.caller;
        let password = self
            .client
            .vault
            .get_random_password(caller, self.config.password.request())?
            .random_password;
        let value = current.with_password(&password, username.as_deref())?;
        let put = self.client.vault.put_secret_value(
            caller,
            PutSecretValueRequest {
                secret_id: self.event.secret_id.clone(),
                client_request_token: Some(self.token().to_string()),
                secret_string: Some(value),
                secret_binary: None,
                version_stages: Some(vec![AWSPENDING.into()]),
                rotation_token: None,
            },
        )?;
        self.note(format!(
            "put a new password{} into version {} as AWSPENDING",
            if username.is_some() {
                " for the other user"
            } else {
                ""
            },
            put.version_id
        ));
        Ok(())
    }

    fn set_secret_single<D: Driver>(&mut self) -> Result<()> {
        let previous = match self.get_secret(
            &self.event.secret_id,
            AWSPREVIOUS,
            None,
            "the AWSPREVIOUS version",
        ) {
            Ok(p) => Some(p),
            Err(e)
                if matches!(
                    e.code,
                    ErrorCode::ResourceNotFound | ErrorCode::InvalidParameter
                ) =>
            {
                None
            }
            Err(e) => return Err(e),
        };
        let current = self.current()?;
        let pending = self.pending()?;
        let engine = self.config.engine;
        let (current, pending) = (current.creds(engine), pending.creds(engine));
        let previous = previous.map(|p| p.creds(engine));
        let arn = self.event.secret_id.clone();
        let done = self.block_on(async {
            if let Ok(conn) = D::connect(&pending).await {
                D::close(conn).await;
                return Ok(false);
            }
            same_login_target(&current, &pending, "current")?;
            let mut reasons = Vec::new();
            let mut conn = match D::connect(&current).await {
                Ok(c) => Some(c),
                Err(r) => {
                    reasons.push(format!("AWSCURRENT: {r}"));
                    None
                }
            };
            if conn.is_none()
                && let Some(previous) = &previous
            {
                match D::connect(previous).await {
                    Ok(c) => conn = Some(c),
                    Err(r) => reasons.push(format!("AWSPREVIOUS: {r}")),
                }
                if let Err(e) = same_login_target(previous, &pending, "previous") {
                    if let Some(c) = conn {
                        D::close(c).await;
                    }
                    return Err(e);
                }
            }
            let Some(mut conn) = conn else {
                return Err(Error::invalid_request(format!(
                    "Unable to log into the database with the previous, current, or pending secret of secret {arn} ({}).",
                    reasons.join("; ")
                )));
            };
            let changed = D::set_own_password(&mut conn, &pending).await;
            D::close(conn).await;
            changed.map(|()| true)
        })?;
        self.note(if done {
            "set the user's password to the AWSPENDING value"
        } else {
            "the AWSPENDING value already logs in; nothing to do"
        });
        Ok(())
    }

    fn set_secret_alternating<D: Driver>(&mut self) -> Result<()> {
        let current_secret = self.current()?;
        let pending_secret = self.pending()?;
        let engine = self.config.engine;
        let current = current_secret.creds(engine);
        let pending = pending_secret.creds(engine);
        let alternate =
            alternate_username(&current.username, engine, current_secret.str("engine"))?;
        let arn = self.event.secret_id.clone();
        let pending_logs_in = self.block_on(async {
            if let Ok(conn) = D::connect(&pending).await {
                D::close(conn).await;
                return Ok(true);
            }
            if alternate != pending.username {
                return Err(Error::invalid_parameter(format!(
                    "Attempting to modify user {} other than the current user's alternate {alternate}.",
                    pending.username
                )));
            }
            if !same_target(&current, &pending) {
                return Err(Error::invalid_parameter(format!(
                    "Attempting to modify user for host {} other than current host {}.",
                    target(&pending),
                    target(&current)
                )));
            }
            match D::connect(&current).await {
                Ok(conn) => {
                    D::close(conn).await;
                    Ok(false)
                }
                Err(r) => Err(Error::invalid_request(format!(
                    "Unable to log into the database using the current credentials of secret {arn} ({r})."
                ))),
            }
        })?;
        if pending_logs_in {
            self.note("the AWSPENDING value already logs in; nothing to do");
            return Ok(());
        }
        let master_arn = current_secret.opt("masterarn").ok_or_else(|| {
            Error::invalid_parameter(
                "masterarn key is missing from secret JSON (the AWSCURRENT version): alternating users need the master secret.",
            )
        })?;
        // The secret names its master itself: whoever may write the secret could name any
        // secret, so the master is read as the principal the rotation acts for — refused (and
        // audited as refused) unless that principal may read it.
        let acting_for = self.client.acting_for.as_ref().ok_or_else(|| {
            Error::access_denied(format!(
                "This rotation acts for nobody who could be allowed to read the master secret {master_arn}: \
                 it was configured before Coffer recorded who configures rotations. Configure it again \
                 with RotateSecret."
            ))
        })?;
        let master_secret = self.get_secret_as(
            acting_for,
            master_arn,
            AWSCURRENT,
            None,
            "the master secret's AWSCURRENT version",
        )?;
        let mut master = master_secret.creds(engine);
        // As the templates do: the master logs into the user's database.
        master.dbname.clone_from(&current.dbname);
        // The master's login goes to its own server only: the same host and port.
        if !same_target(&master, &current) {
            return Err(Error::invalid_parameter(format!(
                "The current database {} is not the master secret's {}: the master logs in only to its own server.",
                target(&current),
                target(&master)
            )));
        }
        let change = self.block_on(async {
            let mut conn = D::connect(&master).await.map_err(|r| {
                Error::invalid_request(format!(
                    "Unable to log into the database with the master secret of secret {arn} ({r})."
                ))
            })?;
            let change = D::set_clone_password(&mut conn, &current.username, &pending).await;
            D::close(conn).await;
            change
        })?;
        self.note(match change {
            CloneChange::Created => {
                "created the other user with the current user's grants and the AWSPENDING password"
            }
            CloneChange::PasswordSet => "set the other user's password to the AWSPENDING value",
        });
        Ok(())
    }

    fn test_secret<D: Driver>(&mut self) -> Result<()> {
        let pending = self.pending()?.creds(self.config.engine);
        let arn = self.event.secret_id.clone();
        self.block_on(async {
            let mut conn = D::connect(&pending).await.map_err(|r| {
                Error::invalid_request(format!(
                    "Unable to log into the database with the pending secret of secret {arn} ({r})."
                ))
            })?;
            let ran = D::select_now(&mut conn).await;
            D::close(conn).await;
            ran
        })?;
        self.note("the AWSPENDING value logs in and runs SELECT NOW()");
        Ok(())
    }

    fn finish_secret(&mut self) -> Result<()> {
        match self.client.finish_secret(self.event)? {
            Finished::AlreadyCurrent => {
                self.note("the version is already AWSCURRENT; nothing to do")
            }
            Finished::Moved { from } => self.note(format!(
                "moved AWSCURRENT to version {}{}",
                self.token(),
                from.map(|c| format!(" from version {c}"))
                    .unwrap_or_default()
            )),
        }
        Ok(())
    }
}

/// Whether two logins go to the same server: the host and the port (each port defaulting to
/// the engine's). AWS's templates compare only the host, which lets a server on another port
/// of the same host receive a login meant for the real one.
fn same_target(a: &Creds, b: &Creds) -> bool {
    a.host == b.host && a.port == b.port
}

/// `host:port`, for messages.
fn target(c: &Creds) -> String {
    format!("{}:{}", c.host, c.port)
}

/// Single user: the pending value must be the same user on the same server as `other`.
fn same_login_target(other: &Creds, pending: &Creds, label: &str) -> Result<()> {
    if other.username != pending.username {
        return Err(Error::invalid_parameter(format!(
            "Attempting to modify user {} other than {label} user {}.",
            pending.username, other.username
        )));
    }
    if !same_target(other, pending) {
        return Err(Error::invalid_parameter(format!(
            "Attempting to modify user for host {} other than {label} host {}.",
            target(pending),
            target(other)
        )));
    }
    Ok(())
}

/// The templates' `get_alt_username`: `user` ↔ `user_clone`, refused if the clone's name
/// would be longer than the server takes.
fn alternate_username(current: &str, engine: Engine, secret_engine: &str) -> Result<String> {
    if let Some(base) = current.strip_suffix(CLONE_SUFFIX) {
        return Ok(base.to_string());
    }
    let clone = format!("{current}{CLONE_SUFFIX}");
    let max = engine.max_username(secret_engine);
    // PostgreSQL counts bytes, MySQL and MariaDB characters.
    let len = match engine {
        Engine::Postgres => clone.len(),
        Engine::Mysql => clone.chars().count(),
    };
    if len > max {
        return Err(Error::invalid_parameter(format!(
            "Unable to clone user, username length with {CLONE_SUFFIX} appended would exceed {max} characters."
        )));
    }
    Ok(clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alternate_user_toggles_between_user_and_user_clone() {
        let alt = |u: &str| alternate_username(u, Engine::Mysql, "mysql");
        assert_eq!(alt("app").unwrap(), "app_clone");
        assert_eq!(alt("app_clone").unwrap(), "app");
        assert_eq!(alt(&"u".repeat(26)).unwrap().len(), 32);
        let e = alt(&"u".repeat(27)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidParameter);
    }

    #[test]
    fn the_clone_name_limit_follows_the_server() {
        let u = "u".repeat(40);
        assert!(alternate_username(&u, Engine::Mysql, "mysql").is_err());
        assert!(alternate_username(&u, Engine::Mysql, "mariadb").is_ok());
        assert!(alternate_username(&u, Engine::Postgres, "postgres").is_ok());
        // PostgreSQL's 63 counts bytes: 28 two-byte characters and _clone are 62 bytes.
        assert!(alternate_username(&"é".repeat(28), Engine::Postgres, "postgres").is_ok());
        assert!(alternate_username(&"é".repeat(29), Engine::Postgres, "postgres").is_err());
        assert!(alternate_username(&"é".repeat(29), Engine::Mysql, "mariadb").is_ok());
    }

    #[test]
    fn config_round_trips_with_the_templates_password_defaults() {
        let c: DatabaseConfig =
            serde_json::from_str(r#"{"Engine":"mysql","Strategy":"alternating-users"}"#).unwrap();
        assert_eq!(c.engine, Engine::Mysql);
        assert_eq!(c.strategy, Strategy::AlternatingUsers);
        assert_eq!(c.password.password_length, 32);
        assert_eq!(c.password.exclude_characters, "/@\"'\\");
        assert!(c.password.require_each_included_type);
        let back: DatabaseConfig =
            serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        let custom: DatabaseConfig = serde_json::from_str(
            r#"{"Engine":"postgres","Strategy":"single-user","Password":{"PasswordLength":20,"ExcludePunctuation":true}}"#,
        )
        .unwrap();
        assert_eq!(custom.password.password_length, 20);
        assert!(custom.password.exclude_punctuation);
        assert_eq!(custom.password.exclude_characters, "/@\"'\\");
    }
}
