//! MySQL and MariaDB: the statements of AWS's SecretsManagerRDSMySQLRotation and
//! SecretsManagerRDSMariaDBRotation templates. Accounts are written as the templates write
//! them (`'user'`, i.e. `'user'@'%'`). `SET PASSWORD` takes `PASSWORD(...)` on MariaDB and
//! MySQL before 8 and a plain literal on MySQL 8 and later, as the templates'
//! `get_password_option` intends (it tests for a leading "8", which MySQL 9 would fail).
//!
//! Logins use TLS as the secret's `ssl` says (see `secret::TlsMode`), through mysql_async's
//! rustls; the server's certificate is verified against the secret's `sslrootcert` when it
//! names one and taken as it is otherwise, as `crypto::tls` explains.

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, DriverError, OptsBuilder, SslOpts};
use zeroize::Zeroizing;

use super::quote::mysql_literal;
use super::secret::{Creds, Tls, TlsMode};
use super::{CONNECT_TIMEOUT, CloneChange, Driver};
use crate::{Error, Result};

pub(super) struct Mysql;

/// A failed statement that carried a password: only its error code and SQLSTATE, since a
/// server message (a syntax error's "near ...") could quote the statement.
fn password_statement_error(what: &str, e: &mysql_async::Error) -> Error {
    Error::invalid_request(match e {
        mysql_async::Error::Server(s) => format!(
            "The database refused {what} (error {}, SQLSTATE {}).",
            s.code, s.state
        ),
        _ => format!("The database connection failed during {what}."),
    })
}

fn statement_error(what: &str, e: &mysql_async::Error) -> Error {
    Error::invalid_request(format!("The database refused {what}: {e}."))
}

/// The server's version (for the `PASSWORD()` choice) and whether it reads `\` as an escape.
async fn server_facts(conn: &mut Conn) -> Result<(bool, bool)> {
    let row: Option<(String, String)> = conn
        .query_first("SELECT VERSION(), @@SESSION.sql_mode")
        .await
        .map_err(|e| statement_error("SELECT VERSION()", &e))?;
    let (version, sql_mode) = row.unwrap_or_default();
    let password_function = takes_password_function(&version);
    let backslash_escapes = !sql_mode
        .split(',')
        .any(|m| m.eq_ignore_ascii_case("NO_BACKSLASH_ESCAPES"));
    Ok((password_function, backslash_escapes))
}

/// Whether `SET PASSWORD` wants `PASSWORD('...')` (MariaDB, MySQL 5.x) rather than the
/// literal itself (MySQL 8 and later, which dropped `PASSWORD()`).
fn takes_password_function(version: &str) -> bool {
    if version.contains("MariaDB") {
        return true;
    }
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok())
        .unwrap_or(0);
    major < 8
}

/// The right-hand side of `SET PASSWORD ... =`.
fn password_value(
    password: &str,
    password_function: bool,
    backslash_escapes: bool,
) -> Result<Zeroizing<String>> {
    let literal = mysql_literal(password, backslash_escapes)?;
    Ok(if password_function {
        Zeroizing::new(format!("PASSWORD({})", *literal))
    } else {
        literal
    })
}

/// Why a login failed.
enum Login {
    TimedOut,
    Refused(mysql_async::Error),
}

/// One login, with TLS when `ssl` is given.
async fn login(c: &Creds, ssl: Option<SslOpts>) -> std::result::Result<Conn, Login> {
    let opts = OptsBuilder::default()
        .ip_or_hostname(c.host.as_str())
        .tcp_port(c.port)
        .user(Some(c.username.as_str()))
        .pass(Some(c.password.expose()))
        .db_name(c.dbname.as_deref())
        .prefer_socket(false)
        .ssl_opts(ssl);
    match tokio::time::timeout(CONNECT_TIMEOUT, Conn::new(opts)).await {
        Err(_) => Err(Login::TimedOut),
        Ok(r) => r.map_err(Login::Refused),
    }
}

/// mysql_async's TLS settings for `tls`: verified against its CA file only.
fn ssl_opts(tls: &Tls) -> SslOpts {
    match &tls.ca_file {
        Some(ca) => SslOpts::default()
            .with_root_certs(vec![ca.clone().into()])
            .with_disable_built_in_roots(true),
        None => SslOpts::default().with_danger_accept_invalid_certs(true),
    }
}

impl Driver for Mysql {
    type Conn = Conn;

    async fn connect(c: &Creds) -> std::result::Result<Conn, String> {
        let result = match c.tls.mode {
            TlsMode::Disable => login(c, None).await,
            TlsMode::Require => login(c, Some(ssl_opts(&c.tls))).await,
            // As PostgreSQL's `sslmode=prefer`: without TLS only when the server offers none.
            TlsMode::Prefer => match login(c, Some(ssl_opts(&c.tls))).await {
                Err(Login::Refused(mysql_async::Error::Driver(
                    DriverError::NoClientSslFlagFromServer,
                ))) => login(c, None).await,
                other => other,
            },
        };
        match result {
            Err(Login::TimedOut) => Err("the connection timed out".into()),
            Err(Login::Refused(mysql_async::Error::Server(s))) => Err(s.message),
            Err(Login::Refused(e)) => Err(e.to_string()),
            Ok(conn) => Ok(conn),
        }
    }

    async fn close(conn: Conn) {
        let _ = conn.disconnect().await;
    }

    async fn select_now(conn: &mut Conn) -> Result<()> {
        conn.query_drop("SELECT NOW()")
            .await
            .map_err(|e| statement_error("SELECT NOW()", &e))
    }

    async fn set_own_password(conn: &mut Conn, pending: &Creds) -> Result<()> {
        let (password_function, backslash_escapes) = server_facts(conn).await?;
        let value = password_value(
            pending.password.expose(),
            password_function,
            backslash_escapes,
        )?;
        let sql = Zeroizing::new(format!("SET PASSWORD = {}", *value));
        conn.query_drop(sql.as_str())
            .await
            .map_err(|e| password_statement_error("SET PASSWORD", &e))
    }

    async fn set_clone_password(
        conn: &mut Conn,
        current_user: &str,
        pending: &Creds,
    ) -> Result<CloneChange> {
        let (password_function, backslash_escapes) = server_facts(conn).await?;
        let pending_account = mysql_literal(&pending.username, backslash_escapes)?;
        let current_account = mysql_literal(current_user, backslash_escapes)?;
        let existing: Vec<String> = conn
            .exec(
                "SELECT User FROM mysql.user WHERE User = ?",
                (pending.username.as_str(),),
            )
            .await
            .map_err(|e| statement_error("the user lookup", &e))?;
        let change = if existing.is_empty() {
            let password = mysql_literal(pending.password.expose(), backslash_escapes)?;
            let sql = Zeroizing::new(format!(
                "CREATE USER {} IDENTIFIED BY {}",
                *pending_account, *password
            ));
            conn.query_drop(sql.as_str())
                .await
                .map_err(|e| password_statement_error("CREATE USER", &e))?;
            CloneChange::Created
        } else {
            CloneChange::PasswordSet
        };
        // The current user's grants, each given to the other user (the templates keep what
        // comes before " TO ").
        let grants: Vec<String> = conn
            .query(format!("SHOW GRANTS FOR {}", *current_account))
            .await
            .map_err(|e| statement_error("SHOW GRANTS", &e))?;
        for grant in &grants {
            let head = grant.split(" TO ").next().unwrap_or_default();
            conn.query_drop(format!("{head} TO {}", *pending_account))
                .await
                .map_err(|e| statement_error("GRANT", &e))?;
        }
        let value = password_value(
            pending.password.expose(),
            password_function,
            backslash_escapes,
        )?;
        let sql = Zeroizing::new(format!(
            "SET PASSWORD FOR {} = {}",
            *pending_account, *value
        ));
        conn.query_drop(sql.as_str())
            .await
            .map_err(|e| password_statement_error("SET PASSWORD", &e))?;
        Ok(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_password_uses_the_password_function_where_the_server_has_it() {
        assert!(takes_password_function("10.11.6-MariaDB-0+deb12u1"));
        assert!(takes_password_function("11.4.2-MariaDB"));
        assert!(takes_password_function("5.7.44-log"));
        assert!(!takes_password_function("8.0.36"));
        assert!(!takes_password_function("9.1.0"));
        assert_eq!(
            *password_value(r"a'b\c", true, true).unwrap(),
            r"PASSWORD('a''b\\c')"
        );
        assert_eq!(*password_value("x", false, true).unwrap(), "'x'");
    }
}
