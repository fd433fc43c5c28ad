//! PostgreSQL: the statements of AWS's SecretsManagerRDSPostgreSQLRotation templates.
//!
//! A password reaches the server as a SCRAM-SHA-256 verifier computed here (as psql's
//! `\password` does), in a quoted literal: the server stores it as it is, so the clear
//! password is in neither the statement nor the server's log, and logins work whatever
//! `password_encryption` says (PostgreSQL 10 and later).
//!
//! Logins use TLS as the secret's `ssl` says (see `secret::TlsMode`), through rustls; with
//! TLS, SCRAM binds the login to the TLS channel (SCRAM-SHA-256-PLUS) where the server
//! offers it.

use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;
use zeroize::Zeroizing;

use super::quote::{pg_ident, pg_literal};
use super::secret::{Creds, TlsMode};
use super::{CONNECT_TIMEOUT, CloneChange, Driver};
use crate::{Error, Result};

pub(super) struct Postgres;

pub(super) struct PgConn {
    client: tokio_postgres::Client,
    connection: tokio::task::JoinHandle<()>,
}

/// A failed statement that carried a password: only its SQLSTATE, since a server message
/// (a syntax error's "at or near ...") could quote the statement.
fn password_statement_error(what: &str, e: &tokio_postgres::Error) -> Error {
    Error::invalid_request(match e.code() {
        Some(code) => format!("PostgreSQL refused {what} (SQLSTATE {}).", code.code()),
        None => format!("PostgreSQL connection failed during {what}."),
    })
}

fn statement_error(what: &str, e: &tokio_postgres::Error) -> Error {
    Error::invalid_request(match e.as_db_error() {
        Some(db) => format!(
            "PostgreSQL refused {what}: {} (SQLSTATE {}).",
            db.message(),
            db.code().code()
        ),
        None => format!("PostgreSQL connection failed during {what}: {e}."),
    })
}

/// `ALTER USER "name" WITH PASSWORD '<verifier>'` (and `CREATE ROLE` alike).
fn password_clause(password: &str) -> Result<Zeroizing<String>> {
    let verifier = Zeroizing::new(postgres_protocol::password::scram_sha_256(
        password.as_bytes(),
    ));
    let literal = pg_literal(&verifier)?;
    Ok(Zeroizing::new(format!("PASSWORD {}", *literal)))
}

impl Driver for Postgres {
    type Conn = PgConn;

    async fn connect(c: &Creds) -> std::result::Result<PgConn, String> {
        let mut cfg = tokio_postgres::Config::new();
        cfg.host(&c.host)
            .port(c.port)
            .user(&c.username)
            .password(c.password.expose())
            .connect_timeout(CONNECT_TIMEOUT)
            .application_name("coffer-rotation")
            .ssl_mode(match c.tls.mode {
                TlsMode::Prefer => SslMode::Prefer,
                TlsMode::Require => SslMode::Require,
                TlsMode::Disable => SslMode::Disable,
            });
        if let Some(db) = &c.dbname {
            cfg.dbname(db);
        }
        let tls = crate::crypto::tls::client_config(c.tls.ca_file.as_deref())
            .map(MakeRustlsConnect::new)
            .map_err(|e| e.message)?;
        let (client, connection) =
            match tokio::time::timeout(CONNECT_TIMEOUT, cfg.connect(tls)).await {
                Err(_) => return Err("the connection timed out".into()),
                Ok(Err(e)) => {
                    return Err(match e.as_db_error() {
                        Some(db) => db.message().to_string(),
                        None => e.to_string(),
                    });
                }
                Ok(Ok(pair)) => pair,
            };
        let connection = tokio::spawn(async move {
            // The connection's end (or failure) shows in the client's next call.
            let _ = connection.await;
        });
        Ok(PgConn { client, connection })
    }

    async fn close(conn: PgConn) {
        drop(conn.client);
        let _ = conn.connection.await;
    }

    async fn select_now(conn: &mut PgConn) -> Result<()> {
        conn.client
            .simple_query("SELECT NOW()")
            .await
            .map(drop)
            .map_err(|e| statement_error("SELECT NOW()", &e))
    }

    async fn set_own_password(conn: &mut PgConn, pending: &Creds) -> Result<()> {
        let sql = Zeroizing::new(format!(
            "ALTER USER {} WITH {}",
            pg_ident(&pending.username)?,
            *password_clause(pending.password.expose())?
        ));
        conn.client
            .batch_execute(&sql)
            .await
            .map_err(|e| password_statement_error("ALTER USER", &e))
    }

    async fn set_clone_password(
        conn: &mut PgConn,
        current_user: &str,
        pending: &Creds,
    ) -> Result<CloneChange> {
        let pending_ident = pg_ident(&pending.username)?;
        let current_ident = pg_ident(current_user)?;
        let clause = password_clause(pending.password.expose())?;
        let tx = conn
            .client
            .transaction()
            .await
            .map_err(|e| statement_error("BEGIN", &e))?;
        let exists = tx
            .query_opt(
                "SELECT 1 FROM pg_roles WHERE rolname = $1",
                &[&pending.username],
            )
            .await
            .map_err(|e| statement_error("the role lookup", &e))?
            .is_some();
        let change = if exists {
            let sql = Zeroizing::new(format!("ALTER USER {pending_ident} WITH {}", *clause));
            tx.batch_execute(&sql)
                .await
                .map_err(|e| password_statement_error("ALTER USER", &e))?;
            CloneChange::PasswordSet
        } else {
            let sql = Zeroizing::new(format!(
                "CREATE ROLE {pending_ident} WITH LOGIN {}",
                *clause
            ));
            tx.batch_execute(&sql)
                .await
                .map_err(|e| password_statement_error("CREATE ROLE", &e))?;
            tx.batch_execute(&format!("GRANT {current_ident} TO {pending_ident}"))
                .await
                .map_err(|e| statement_error("GRANT", &e))?;
            CloneChange::Created
        };
        tx.commit()
            .await
            .map_err(|e| statement_error("COMMIT", &e))?;
        Ok(change)
    }
}
