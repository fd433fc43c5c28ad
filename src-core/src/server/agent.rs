//! The AWS Secrets Manager Agent's local protocol, as the agent
//! (github.com/aws/aws-secretsmanager-agent, `aws_secretsmanager_agent/src/server.rs`,
//! `parse.rs`, `utils.rs`, `config.rs`) and the Parameters and Secrets Lambda Extension
//! answer it on `localhost:2773`:
//!
//! - `GET /ping` → `healthy` (no token needed);
//! - `GET /secretsmanager/get?secretId=ID[&versionId=V|&versionStage=S][&refreshNow=B]`;
//! - `GET <prefix><ID>[?versionId=V|versionStage=S][&refreshNow=B]` (prefix `/v1/` unless
//!   configured), the id taken from the path as it arrives (not percent-decoded);
//! - at most `max_conn` connections open (800 unless configured, 1 to 1000): a connection
//!   admitted while that many were open answers each request with 429 `Connection limit
//!   exceeded`, `/ping` being allowed two connections more — checked first;
//! - the SSRF token in `X-Aws-Parameters-Secrets-Token` or `X-Vault-Token`; a request with
//!   `X-Forwarded-For` is refused before the token is looked at; then only GET.
//!
//! Answers are the agent's byte for byte: the GetSecretValue JSON of its caching library
//! (`ARN`, `Name`, `VersionId`, `SecretString` or `SecretBinary`, `VersionStages`,
//! `CreatedDate` as a string of seconds), service errors as
//! `{"__type":"CODE", "message":"MESSAGE"}` with the service's status, and its own plain
//! text errors (`Bad Token`, `Forwarded`, `Not allowed`, `Not found`, ...). No content
//! type, as the agent sends none.
//!
//! Unlike the agent there is no cache: every read is a GetSecretValue on the vault
//! (authorized, carried out and audited in one transaction, front end `agent`), so a write
//! or a rotation is seen by the next read, and `refreshNow` (accepted and checked as the
//! agent checks it) changes nothing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Extension, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use base64::Engine;
use serde::Serialize;

use super::accept::OpenAtAdmission;
use super::{ApiError, fair};
use crate::api::GetSecretValueRequest;
use crate::{Caller, FrontEnd, SecretValue, Vault};

/// Where the agent listens (its `http_port` default, on loopback).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:2773";
/// The agent's default `path_prefix`.
pub const DEFAULT_PATH_PREFIX: &str = "/v1/";
/// The agent's default `max_conn` (`DEFAULT_MAX_CONNECTIONS`).
pub const DEFAULT_MAX_CONN: usize = 800;
/// The agent's bounds on `max_conn` (`config.rs`, `parse_num(.., 1, 1000)`).
pub const MAX_CONN_RANGE: std::ops::RangeInclusive<usize> = 1..=1000;
/// The headers that may carry the SSRF token, in the agent's order (`ssrf_headers`).
pub const SSRF_HEADERS: [&str; 2] = ["X-Aws-Parameters-Secrets-Token", "X-Vault-Token"];
/// The variables the token is read from, the first one set winning (`ssrf_env_variables`).
pub const SSRF_ENV_VARIABLES: [&str; 3] = [
    "AWS_TOKEN",
    "AWS_SESSION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
];

/// How the agent endpoint is served.
#[derive(Clone, PartialEq, Eq)]
pub struct AgentOptions {
    /// A loopback address: the agent answers local programs only.
    pub listen: SocketAddr,
    /// The path-style prefix; must start with `/`.
    pub path_prefix: String,
    /// The principal whose permissions and name the reads carry; `None` for the operator
    /// who unlocked the vault.
    pub principal: Option<String>,
    /// The SSRF token every request but `/ping` must carry.
    pub token: String,
    /// Connections open at once past which requests are answered 429, as the agent's
    /// `max_conn`.
    pub max_conn: usize,
}

impl std::fmt::Debug for AgentOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentOptions")
            .field("listen", &self.listen)
            .field("path_prefix", &self.path_prefix)
            .field("principal", &self.principal)
            .field("max_conn", &self.max_conn)
            .finish_non_exhaustive()
    }
}

impl AgentOptions {
    /// Refuses what the agent would not serve: a prefix without a leading `/` (its
    /// `BAD_PREFIX_MSG`), an empty token, an address off loopback.
    pub fn check(&self) -> Result<(), String> {
        if !self.path_prefix.starts_with('/') {
            return Err(
                "The path prefix specified in the configuration file must begin with /.".into(),
            );
        }
        if !MAX_CONN_RANGE.contains(&self.max_conn) {
            // The agent's BAD_MAX_CONN_MSG.
            return Err("The maximum number of connections specified in the configuration file isn't valid. The maximum number of connections must be in the range 1 to 1000.".into());
        }
        if self.token.is_empty() {
            return Err(format!(
                "the agent endpoint's SSRF token is empty (set one of {})",
                SSRF_ENV_VARIABLES.join(", ")
            ));
        }
        if !self.listen.ip().is_loopback() {
            return Err(format!(
                "the agent endpoint answers local programs only: {} is not a loopback address",
                self.listen
            ));
        }
        Ok(())
    }
}

/// The SSRF token as the agent finds it (`get_token`): the value of the first of
/// [`SSRF_ENV_VARIABLES`] that is set; a value `file://PATH` names a file holding the token
/// (surrounding white space trimmed).
pub fn token_from(var: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let (name, value) = SSRF_ENV_VARIABLES
        .iter()
        .find_map(|n| var(n).map(|v| (*n, v)))
        .ok_or_else(|| {
            format!(
                "the agent endpoint needs an SSRF token: set {} (a value file://PATH reads it from a file)",
                SSRF_ENV_VARIABLES.join(", or ")
            )
        })?;
    match value.strip_prefix("file://") {
        None => Ok(value),
        Some(path) => std::fs::read_to_string(path)
            .map(|t| t.trim().to_string())
            .map_err(|e| format!("cannot read the SSRF token file {path} named by {name}: {e}")),
    }
}

/// What a GetSecretValue request through the agent asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    secret_id: String,
    version_id: Option<String>,
    version_stage: Option<String>,
}

/// An answer: status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reply(StatusCode, Vec<u8>);

impl Reply {
    fn text(status: u16, text: impl Into<String>) -> Self {
        Self(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            text.into().into_bytes(),
        )
    }

    /// A service error as the agent writes it (`err_response`): not JSON-escaped, with a
    /// space after the comma, and `InternalFailure` alone when there is no message.
    fn service(e: &ApiError) -> Self {
        let body = if e.message.is_empty() || e.code == "InternalFailure" {
            "{\"__type\":\"InternalFailure\"}".to_string()
        } else {
            format!(
                "{{\"__type\":\"{}\", \"message\":\"{}\"}}",
                e.code, e.message
            )
        };
        Self(e.status, body.into_bytes())
    }
}

/// The agent's `refreshNow` values.
fn refresh_now(v: &str) -> Result<(), Reply> {
    match v.to_lowercase().as_str() {
        "true" | "1" | "false" | "0" => Ok(()),
        _ => Err(Reply::text(400, "invalid refreshNow value")),
    }
}

/// Parses a query string as the agent does (`try_from_query` / `try_from_path_query`):
/// the last of repeated parameters wins, an unknown one is refused; `secret_id` is the id
/// from the path for the path style, where `secretId` is unknown.
fn parse_query(query: &str, path_id: Option<&str>) -> Result<Query, Reply> {
    let mut q = Query {
        secret_id: path_id.unwrap_or_default().to_string(),
        version_id: None,
        version_stage: None,
    };
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "secretId" if path_id.is_none() => q.secret_id = v.into_owned(),
            "versionId" => q.version_id = Some(v.into_owned()),
            "versionStage" => q.version_stage = Some(v.into_owned()),
            "refreshNow" => refresh_now(&v)?,
            p => return Err(Reply::text(400, format!("unknown parameter: {p}"))),
        }
    }
    if path_id.is_none() && q.secret_id.is_empty() {
        return Err(Reply::text(400, "missing parameter secretId"));
    }
    Ok(q)
}

/// The agent's GetSecretValue JSON (its caching library's `GetSecretValueOutputDef`).
#[derive(Serialize)]
struct AgentValue<'a> {
    #[serde(rename = "ARN")]
    arn: &'a str,
    #[serde(rename = "Name")]
    name: &'a str,
    #[serde(rename = "VersionId")]
    version_id: &'a str,
    #[serde(rename = "SecretString", skip_serializing_if = "Option::is_none")]
    secret_string: Option<&'a str>,
    #[serde(rename = "SecretBinary", skip_serializing_if = "Option::is_none")]
    secret_binary: Option<&'a str>,
    #[serde(rename = "VersionStages")]
    version_stages: &'a [String],
    /// serde_with's `TimestampSecondsWithFrac<String>`: `as_secs_f64().to_string()`.
    #[serde(rename = "CreatedDate")]
    created_date: String,
}

fn read(vault: &Vault, caller: &Caller, q: Query) -> Reply {
    let got = match vault.get_secret_value(
        caller,
        GetSecretValueRequest {
            secret_id: q.secret_id,
            version_id: q.version_id,
            version_stage: q.version_stage,
        },
    ) {
        Ok(got) => got,
        Err(e) => return Reply::service(&ApiError::from(e)),
    };
    let encoded = match &got.value {
        SecretValue::Binary(b) => Some(zeroize::Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(b.expose()),
        )),
        SecretValue::String(_) => None,
    };
    let secret_string = match &got.value {
        SecretValue::String(t) => Some(t.expose()),
        SecretValue::Binary(_) => None,
    };
    let secret_binary = encoded.as_deref().map(String::as_str);
    let body = serde_json::to_vec(&AgentValue {
        arn: &got.arn,
        name: &got.name,
        version_id: &got.version_id,
        secret_string,
        secret_binary,
        version_stages: &got.version_stages,
        created_date: got.created_date.to_string(),
    })
    .expect("responses serialize");
    Reply(StatusCode::OK, body)
}

struct AgentState {
    vault: Arc<Vault>,
    principal: Option<String>,
    token: String,
    path_prefix: String,
    max_conn: usize,
    executor: fair::Executor,
}

impl AgentState {
    fn caller(&self, peer: SocketAddr, headers: &HeaderMap) -> Caller {
        let c = match &self.principal {
            Some(arn) => Caller::principal(arn.clone(), FrontEnd::Agent),
            None => self.vault.caller(FrontEnd::Agent),
        };
        let user_agent = headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        c.with_source(Some(peer.ip().to_string()), user_agent)
    }

    /// The agent's `validate_max_conn`: a request on a connection admitted while `open`
    /// connections (itself included) were open is refused past `max_conn`, past two more
    /// for `/ping`, so that health checks still answer when the agent is full.
    fn check_connections(&self, path: &str, open: usize) -> Result<(), Reply> {
        let limit = if path == "/ping" {
            self.max_conn + 2
        } else {
            self.max_conn
        };
        if open <= limit {
            Ok(())
        } else {
            Err(Reply::text(429, "Connection limit exceeded"))
        }
    }

    /// The agent's `validate_token`: `/ping` needs none; `X-Forwarded-For` is refused;
    /// then any of the SSRF headers holding exactly the token lets the request in.
    fn check_token(&self, path: &str, headers: &HeaderMap) -> Result<(), Reply> {
        if path == "/ping" {
            return Ok(());
        }
        if headers.contains_key("x-forwarded-for") {
            return Err(Reply::text(400, "Forwarded"));
        }
        let ok = SSRF_HEADERS.iter().any(|h| {
            headers
                .get(*h)
                .is_some_and(|v| crate::crypto::same_secret(v.as_bytes(), self.token.as_bytes()))
        });
        if ok {
            Ok(())
        } else {
            Err(Reply::text(403, "Bad Token"))
        }
    }

    /// The request as the agent routes it; the query to run, if it is a read.
    fn route(
        &self,
        open: usize,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<Query, Reply> {
        let path = uri.path();
        self.check_connections(path, open)?;
        self.check_token(path, headers)?;
        if method != Method::GET {
            return Err(Reply::text(405, "Not allowed"));
        }
        let query = uri.query().unwrap_or("");
        match path {
            "/ping" => Err(Reply(StatusCode::OK, b"healthy".to_vec())),
            "/secretsmanager/get" => parse_query(query, None),
            p if p.starts_with(self.path_prefix.as_str()) => {
                match p.get(self.path_prefix.len()..) {
                    Some(id) if !id.is_empty() => parse_query(query, Some(id)),
                    _ => Err(Reply::text(400, "missing secret ID")),
                }
            }
            _ => Err(Reply::text(404, "Not found")),
        }
    }
}

async fn handle(
    State(state): State<Arc<AgentState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(OpenAtAdmission(open)): Extension<OpenAtAdmission>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let started = Instant::now();
    let caller = state.caller(peer, &headers);
    let principal = caller.principal_arn.clone();
    let reply = match state.route(open, &method, &uri, &headers) {
        Err(reply) => reply,
        Ok(q) => {
            let app = state.clone();
            state
                .executor
                .run(peer.ip(), move || read(&app.vault, &caller, q))
                .await
                .map(|(reply, _)| reply)
                .unwrap_or_else(|_| Reply::service(&ApiError::internal("")))
        }
    };
    log_access(peer, &principal, reply.0, started);
    let mut response = Response::new(Body::from(reply.1));
    *response.status_mut() = reply.0;
    response
}

/// One access-log line, like the SDK endpoint's (never an id or a value).
fn log_access(peer: SocketAddr, principal: &str, status: StatusCode, started: Instant) {
    use std::io::Write;
    let mut line = serde_json::json!({
        "time": jiff::Timestamp::now().to_string(),
        "front_end": FrontEnd::Agent.as_str(),
        "peer": peer.ip().to_string(),
        "principal": principal,
        "status": status.as_u16(),
        "latency_ms": (started.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
    })
    .to_string();
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// The agent endpoint's routes over `vault`, with the thread that carries out its reads.
pub fn router(vault: Arc<Vault>, options: &AgentOptions) -> std::io::Result<Router> {
    Ok(Router::new()
        .fallback(handle)
        .with_state(Arc::new(AgentState {
            vault,
            principal: options.principal.clone(),
            token: options.token.clone(),
            path_prefix: options.path_prefix.clone(),
            max_conn: options.max_conn,
            executor: fair::Executor::start()?,
        })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::CreateSecretRequest;

    fn state(prefix: &str) -> AgentState {
        let vault = Arc::new(Vault::ephemeral("123456789012", "us-east-1").unwrap());
        AgentState {
            vault,
            principal: None,
            token: "tok".into(),
            path_prefix: prefix.into(),
            max_conn: 2,
            executor: fair::Executor::start().unwrap(),
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    fn route(s: &AgentState, method: Method, uri: &str, h: &HeaderMap) -> Result<Query, Reply> {
        s.route(1, &method, &uri.parse().unwrap(), h)
    }

    fn text(r: Result<Query, Reply>) -> (u16, String) {
        let r = r.unwrap_err();
        (r.0.as_u16(), String::from_utf8(r.1).unwrap())
    }

    #[test]
    fn token_forwarding_and_method_are_checked_in_the_agents_order() {
        let s = state(DEFAULT_PATH_PREFIX);
        let get = "/secretsmanager/get?secretId=a";
        let none = headers(&[]);
        assert_eq!(
            text(route(&s, Method::GET, get, &none)),
            (403, "Bad Token".into())
        );
        let wrong = headers(&[("x-aws-parameters-secrets-token", "nope")]);
        assert_eq!(
            text(route(&s, Method::GET, get, &wrong)),
            (403, "Bad Token".into())
        );
        let forwarded = headers(&[
            ("x-aws-parameters-secrets-token", "tok"),
            ("x-forwarded-for", "10.0.0.1"),
        ]);
        assert_eq!(
            text(route(&s, Method::GET, get, &forwarded)),
            (400, "Forwarded".into())
        );
        // The token is checked before the method: a POST without it is a bad token.
        assert_eq!(
            text(route(&s, Method::POST, get, &none)),
            (403, "Bad Token".into())
        );
        let vault_token = headers(&[("x-vault-token", "tok")]);
        assert_eq!(
            text(route(&s, Method::POST, get, &vault_token)),
            (405, "Not allowed".into())
        );
        assert!(route(&s, Method::GET, get, &vault_token).is_ok());
        // /ping needs no token, but only GET.
        assert_eq!(
            text(route(&s, Method::GET, "/ping", &none)),
            (200, "healthy".into())
        );
        assert_eq!(
            text(route(&s, Method::PUT, "/ping", &none)),
            (405, "Not allowed".into())
        );
        assert_eq!(
            text(route(&s, Method::GET, "/elsewhere", &vault_token)),
            (404, "Not found".into())
        );
    }

    #[test]
    fn requests_past_the_connection_limit_get_429_before_the_token_is_looked_at_and_ping_has_two_more()
     {
        // max_conn 2 (see `state`).
        let s = state(DEFAULT_PATH_PREFIX);
        let get: Uri = "/secretsmanager/get?secretId=a".parse().unwrap();
        let ping: Uri = "/ping".parse().unwrap();
        let token = headers(&[("x-aws-parameters-secrets-token", "tok")]);
        let none = headers(&[]);
        assert!(s.route(2, &Method::GET, &get, &token).is_ok());
        for h in [&token, &none] {
            assert_eq!(
                text(s.route(3, &Method::GET, &get, h)),
                (429, "Connection limit exceeded".into())
            );
        }
        assert_eq!(
            text(s.route(4, &Method::GET, &ping, &none)),
            (200, "healthy".into())
        );
        assert_eq!(
            text(s.route(5, &Method::GET, &ping, &none)),
            (429, "Connection limit exceeded".into())
        );
    }

    #[test]
    fn queries_and_paths_parse_as_the_agent_parses_them() {
        let s = state("/v1/");
        let h = headers(&[("x-aws-parameters-secrets-token", "tok")]);
        assert_eq!(
            route(
                &s,
                Method::GET,
                "/secretsmanager/get?secretId=prod%2Fdb&versionStage=AWSPREVIOUS&refreshNow=TRUE",
                &h
            )
            .unwrap(),
            Query {
                secret_id: "prod/db".into(),
                version_id: None,
                version_stage: Some("AWSPREVIOUS".into())
            }
        );
        assert_eq!(
            text(route(
                &s,
                Method::GET,
                "/secretsmanager/get?versionId=x",
                &h
            )),
            (400, "missing parameter secretId".into())
        );
        assert_eq!(
            text(route(
                &s,
                Method::GET,
                "/secretsmanager/get?secretId=a&color=red",
                &h
            )),
            (400, "unknown parameter: color".into())
        );
        assert_eq!(
            text(route(
                &s,
                Method::GET,
                "/secretsmanager/get?secretId=a&refreshNow=yes",
                &h
            )),
            (400, "invalid refreshNow value".into())
        );
        let q = route(&s, Method::GET, "/v1/prod/db?versionId=v1", &h).unwrap();
        assert_eq!(q.secret_id, "prod/db");
        assert_eq!(q.version_id.as_deref(), Some("v1"));
        // The path style takes no secretId parameter, and needs an id after the prefix.
        assert_eq!(
            text(route(&s, Method::GET, "/v1/a?secretId=b", &h)),
            (400, "unknown parameter: secretId".into())
        );
        assert_eq!(
            text(route(&s, Method::GET, "/v1/", &h)),
            (400, "missing secret ID".into())
        );
        let custom = state("/secrets/");
        assert_eq!(
            route(&custom, Method::GET, "/secrets/app", &h)
                .unwrap()
                .secret_id,
            "app"
        );
    }

    #[test]
    fn reads_answer_the_agents_json_and_its_error_bodies() {
        let s = state(DEFAULT_PATH_PREFIX);
        let caller = s.vault.caller(FrontEnd::Cli);
        let made = s
            .vault
            .create_secret(
                &caller,
                CreateSecretRequest {
                    name: "app/db".into(),
                    secret_string: Some(crate::SecretText::new("hunter2".into())),
                    ..Default::default()
                },
            )
            .unwrap();
        let q = |id: &str| Query {
            secret_id: id.into(),
            version_id: None,
            version_stage: None,
        };
        let Reply(status, body) = read(&s.vault, &caller, q("app/db"));
        assert_eq!(status, StatusCode::OK);
        let text = String::from_utf8(body).unwrap();
        let created = serde_json::from_str::<serde_json::Value>(&text).unwrap()["CreatedDate"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(created.parse::<f64>().is_ok(), "{created}");
        assert_eq!(
            text,
            format!(
                r#"{{"ARN":"{}","Name":"app/db","VersionId":"{}","SecretString":"hunter2","VersionStages":["AWSCURRENT"],"CreatedDate":"{created}"}}"#,
                made.arn,
                made.version_id.unwrap()
            )
        );
        let Reply(status, body) = read(&s.vault, &caller, q("nope"));
        assert_eq!(status.as_u16(), 400);
        let body = String::from_utf8(body).unwrap();
        assert!(
            body.starts_with(r#"{"__type":"ResourceNotFoundException", "message":""#),
            "{body}"
        );
        assert_eq!(
            Reply::service(&ApiError::internal("")).1,
            br#"{"__type":"InternalFailure"}"#
        );
    }

    #[test]
    fn the_token_comes_from_the_first_variable_set_or_the_file_it_names() {
        let env = |pairs: Vec<(&'static str, String)>| {
            move |n: &str| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone())
        };
        assert_eq!(
            token_from(env(vec![
                ("AWS_SESSION_TOKEN", "second".into()),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "third".into()),
            ]))
            .unwrap(),
            "second"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "  from-file\n").unwrap();
        assert_eq!(
            token_from(env(vec![
                ("AWS_TOKEN", format!("file://{}", file.display())),
                ("AWS_SESSION_TOKEN", "second".into()),
            ]))
            .unwrap(),
            "from-file"
        );
        assert!(token_from(env(vec![])).unwrap_err().contains("AWS_TOKEN"));
        assert!(
            token_from(env(vec![("AWS_TOKEN", "file:///no/such/file".into())]))
                .unwrap_err()
                .contains("/no/such/file")
        );
    }

    #[test]
    fn options_refuse_a_prefix_without_a_slash_an_empty_token_and_other_hosts() {
        let ok = AgentOptions {
            listen: DEFAULT_LISTEN.parse().unwrap(),
            path_prefix: DEFAULT_PATH_PREFIX.into(),
            principal: None,
            token: "t".into(),
            max_conn: DEFAULT_MAX_CONN,
        };
        ok.check().unwrap();
        assert!(!format!("{ok:?}").contains("\"t\""));
        let mut bad = ok.clone();
        bad.path_prefix = "v1/".into();
        assert!(bad.check().unwrap_err().contains("must begin with /"));
        let mut bad = ok.clone();
        bad.token.clear();
        assert!(bad.check().is_err());
        for max_conn in [0, 1001] {
            let mut bad = ok.clone();
            bad.max_conn = max_conn;
            assert!(bad.check().unwrap_err().contains("range 1 to 1000"));
        }
        let mut bad = ok;
        bad.listen = "0.0.0.0:2773".parse().unwrap();
        assert!(bad.check().unwrap_err().contains("loopback"));
    }
}
