//! The secret JSON of AWS's RDS rotation templates: `engine`, `host`, `port`, `username`,
//! `password`, `dbname`, `ssl` (and `masterarn` for alternating users), checked as the
//! templates' `get_secret_dict` checks it, and Coffer's `sslrootcert` (a CA file to verify the
//! server with). Every other key is kept as it is when a new version is made.

use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use super::Engine;
use crate::{Error, Result, SecretText};

/// One version's value, parsed. The whole value is secret: `Debug` prints no part of it and
/// every string in it is zeroized on drop.
pub(crate) struct DbSecret {
    map: Map<String, Value>,
}

impl std::fmt::Debug for DbSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSecret(***)")
    }
}

fn zeroize_value(v: &mut Value) {
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(a) => a.iter_mut().for_each(zeroize_value),
        Value::Object(m) => m.values_mut().for_each(zeroize_value),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

impl Drop for DbSecret {
    fn drop(&mut self) {
        self.map.values_mut().for_each(zeroize_value);
    }
}

/// Whether a login uses TLS, as AWS's templates read the secret's `ssl` key (`get_ssl_config`):
/// `true` (or `"true"`) requires it, `false` (or `"false"`) never uses it, and when the key is
/// absent or neither, TLS is used when the server offers it and the login goes on without
/// it when the server does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsMode {
    Prefer,
    Require,
    Disable,
}

/// How a login uses TLS: the mode, and the CA file that verifies the server (see
/// `crypto::tls` for what is checked without one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tls {
    pub mode: TlsMode,
    pub ca_file: Option<std::path::PathBuf>,
}

/// What it takes to log in.
pub(crate) struct Creds {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: SecretText,
    pub dbname: Option<String>,
    pub tls: Tls,
}

impl std::fmt::Debug for Creds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Creds")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("dbname", &self.dbname)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

const REQUIRED: [&str; 4] = ["host", "username", "password", "engine"];

impl DbSecret {
    /// Parses `text` (the value of `what`, e.g. "the AWSCURRENT version") for `engine`.
    /// Errors name the key at fault, never a value.
    pub(crate) fn parse(text: &str, engine: Engine, what: &str) -> Result<Self> {
        let map = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(mut other) => {
                zeroize_value(&mut other);
                return Err(Error::invalid_parameter(format!(
                    "The value of {what} is not a JSON object with the keys engine, host, username and password."
                )));
            }
            Err(_) => {
                return Err(Error::invalid_parameter(format!(
                    "The value of {what} is not valid JSON."
                )));
            }
        };
        let secret = Self { map };
        for key in REQUIRED {
            match secret.map.get(key) {
                None => {
                    return Err(Error::invalid_parameter(format!(
                        "{key} key is missing from secret JSON ({what})."
                    )));
                }
                Some(Value::String(_)) => {}
                Some(_) => {
                    return Err(Error::invalid_parameter(format!(
                        "{key} in the secret JSON ({what}) must be a string."
                    )));
                }
            }
        }
        if !engine.accepts(secret.str("engine")) {
            return Err(Error::invalid_parameter(format!(
                "Database engine must be set to {} in order to use this rotation function ({what}).",
                engine.accepted_names()
            )));
        }
        secret.port(engine, what)?;
        for key in ["dbname", "masterarn", "sslrootcert"] {
            if secret.map.get(key).is_some_and(|v| !v.is_string()) {
                return Err(Error::invalid_parameter(format!(
                    "{key} in the secret JSON ({what}) must be a string."
                )));
            }
        }
        Ok(secret)
    }

    /// A string key that [`parse`](Self::parse) has checked (empty if absent).
    pub(crate) fn str(&self, key: &str) -> &str {
        self.map.get(key).and_then(Value::as_str).unwrap_or("")
    }

    pub(crate) fn opt(&self, key: &str) -> Option<&str> {
        self.map.get(key).and_then(Value::as_str)
    }

    /// `port` as the templates read it (`int(secret_dict['port'])`: a number or a numeric
    /// string), else the engine's default port.
    fn port(&self, engine: Engine, what: &str) -> Result<u16> {
        let bad = || {
            Error::invalid_parameter(format!(
                "port in the secret JSON ({what}) must be a port number (1-65535)."
            ))
        };
        match self.map.get("port") {
            None | Some(Value::Null) => Ok(engine.default_port()),
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p > 0)
                .ok_or_else(bad),
            Some(Value::String(s)) => s
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(bad),
            Some(_) => Err(bad()),
        }
    }

    /// How this version's logins use TLS.
    fn tls(&self) -> Tls {
        let mode = match self.map.get("ssl") {
            Some(Value::Bool(true)) => TlsMode::Require,
            Some(Value::Bool(false)) => TlsMode::Disable,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => TlsMode::Require,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => TlsMode::Disable,
            _ => TlsMode::Prefer,
        };
        Tls {
            mode,
            ca_file: self.opt("sslrootcert").map(std::path::PathBuf::from),
        }
    }

    /// The login this version describes; `dbname` defaults as the templates default it.
    pub(crate) fn creds(&self, engine: Engine) -> Creds {
        Creds {
            host: self.str("host").to_string(),
            port: self.port(engine, "").unwrap_or(engine.default_port()),
            username: self.str("username").to_string(),
            password: SecretText::new(self.str("password").to_string()),
            dbname: self
                .opt("dbname")
                .map(str::to_string)
                .or_else(|| engine.default_dbname().map(str::to_string)),
            tls: self.tls(),
        }
    }

    /// The same JSON with a new password (and, for alternating users, a new username):
    /// the value of the new version.
    pub(crate) fn with_password(
        &self,
        password: &SecretText,
        username: Option<&str>,
    ) -> Result<SecretText> {
        let mut map = self.map.clone();
        map.insert(
            "password".into(),
            Value::String(password.expose().to_string()),
        );
        if let Some(u) = username {
            map.insert("username".into(), Value::String(u.to_string()));
        }
        let copy = DbSecret { map };
        let text = Zeroizing::new(
            serde_json::to_string(&copy.map)
                .map_err(|_| Error::internal("the new secret JSON could not be written"))?,
        );
        Ok(SecretText::new(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    const PG: &str = r#"{"engine":"postgres","host":"127.0.0.1","port":5432,"username":"app","password":"hunter2","dbname":"appdb","extra":{"k":"v"}}"#;

    #[test]
    fn a_template_shaped_secret_parses_into_its_login() {
        let s = DbSecret::parse(PG, Engine::Postgres, "AWSCURRENT").unwrap();
        let c = s.creds(Engine::Postgres);
        assert_eq!(
            (c.host.as_str(), c.port, c.username.as_str()),
            ("127.0.0.1", 5432, "app")
        );
        assert_eq!(c.password.expose(), "hunter2");
        assert_eq!(c.dbname.as_deref(), Some("appdb"));
    }

    #[test]
    fn port_and_dbname_default_as_the_templates_default_them() {
        let pg = DbSecret::parse(
            r#"{"engine":"aurora-postgresql","host":"h","username":"u","password":"p"}"#,
            Engine::Postgres,
            "AWSCURRENT",
        )
        .unwrap()
        .creds(Engine::Postgres);
        assert_eq!((pg.port, pg.dbname.as_deref()), (5432, Some("postgres")));
        let my = DbSecret::parse(
            r#"{"engine":"mariadb","host":"h","port":"3307","username":"u","password":"p"}"#,
            Engine::Mysql,
            "AWSCURRENT",
        )
        .unwrap()
        .creds(Engine::Mysql);
        assert_eq!((my.port, my.dbname), (3307, None));
    }

    #[test]
    fn a_missing_key_is_named_and_no_value_is_echoed() {
        let e = DbSecret::parse(
            r#"{"engine":"postgres","username":"u","password":"hunter2"}"#,
            Engine::Postgres,
            "AWSCURRENT",
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidParameter);
        assert!(
            e.message.starts_with("host key is missing"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("hunter2"));
    }

    #[test]
    fn the_wrong_engine_for_the_function_is_refused() {
        let e = DbSecret::parse(PG, Engine::Mysql, "AWSCURRENT").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidParameter);
        assert!(e.message.contains("'mysql'"), "{}", e.message);
        assert!(!e.message.contains("hunter2"));
    }

    #[test]
    fn malformed_values_are_refused_without_echoing_them() {
        for (text, needle) in [
            ("hunter2", "not valid JSON"),
            (r#"["hunter2"]"#, "not a JSON object"),
            (
                r#"{"engine":"postgres","host":"h","username":"u","password":7}"#,
                "password in the secret JSON",
            ),
            (
                r#"{"engine":"postgres","host":"h","username":"u","password":"hunter2","port":"x"}"#,
                "port in the secret JSON",
            ),
            (
                r#"{"engine":"postgres","host":"h","username":"u","password":"hunter2","port":70000}"#,
                "port in the secret JSON",
            ),
        ] {
            let e = DbSecret::parse(text, Engine::Postgres, "AWSPENDING").unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidParameter);
            assert!(e.message.contains(needle), "{}", e.message);
            assert!(!e.message.contains("hunter2"));
        }
    }

    #[test]
    fn ssl_reads_as_the_templates_read_it() {
        let tls = |ssl: &str| {
            let text =
                format!(r#"{{"engine":"postgres","host":"h","username":"u","password":"p"{ssl}}}"#);
            DbSecret::parse(&text, Engine::Postgres, "AWSCURRENT")
                .unwrap()
                .creds(Engine::Postgres)
                .tls
        };
        assert_eq!(tls("").mode, TlsMode::Prefer);
        assert_eq!(tls(r#","ssl":true"#).mode, TlsMode::Require);
        assert_eq!(tls(r#","ssl":"TRUE""#).mode, TlsMode::Require);
        assert_eq!(tls(r#","ssl":false"#).mode, TlsMode::Disable);
        assert_eq!(tls(r#","ssl":"false""#).mode, TlsMode::Disable);
        assert_eq!(tls(r#","ssl":"maybe""#).mode, TlsMode::Prefer);
        assert_eq!(tls(r#","ssl":1"#).mode, TlsMode::Prefer);
        let verified = tls(r#","ssl":true,"sslrootcert":"/etc/ca.pem""#);
        assert_eq!(
            verified.ca_file.as_deref(),
            Some(std::path::Path::new("/etc/ca.pem"))
        );
        let e = DbSecret::parse(
            r#"{"engine":"postgres","host":"h","username":"u","password":"p","sslrootcert":7}"#,
            Engine::Postgres,
            "AWSCURRENT",
        )
        .unwrap_err();
        assert!(e.message.contains("sslrootcert"), "{e}");
    }

    #[test]
    fn a_new_version_keeps_every_other_key_and_debug_shows_nothing() {
        let s = DbSecret::parse(PG, Engine::Postgres, "AWSCURRENT").unwrap();
        assert_eq!(format!("{s:?}"), "DbSecret(***)");
        let next = s
            .with_password(&SecretText::new("n3w".into()), Some("app_clone"))
            .unwrap();
        let v: Value = serde_json::from_str(next.expose()).unwrap();
        assert_eq!(v["password"], "n3w");
        assert_eq!(v["username"], "app_clone");
        assert_eq!(v["extra"]["k"], "v");
        assert_eq!(v["port"], 5432);
        let c = s.creds(Engine::Postgres);
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
