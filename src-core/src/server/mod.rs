//! The AWS-compatible endpoint: AWS Secrets Manager's JSON 1.1 protocol (`POST /` with
//! `X-Amz-Target: secretsmanager.<Operation>`) with SigV4 authentication, over a [`Vault`].
//!
//! Two back ends: an unlocked vault, whose access keys sign requests and whose principals
//! go through the policy evaluator and the audit trail like any front end; and the emulator,
//! one in-memory vault per region, created on first use (up to a cap), accepting any
//! well-formed SigV4 credentials as the account's administrator, on loopback only.
//!
//! A hostile client gets bounded time, connections and turns ([`limits`]); off loopback the
//! endpoint speaks TLS ([`tls`]) unless plain HTTP is explicitly accepted as insecure.

mod accept;
pub mod agent;
pub mod fair;
pub mod limits;
mod options;
pub mod router;
pub mod sigv4;
pub mod tls;

pub use agent::AgentOptions;
pub use limits::Limits;
pub use options::{Listening, Options};
pub use tls::TlsSource;

use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::crypto::random;
use crate::{Caller, Error, ErrorCode, FrontEnd, Vault};

/// The largest request body accepted (AWS's own limit for Secrets Manager is near this).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The SigV4 service name of Secrets Manager.
pub const SERVICE: &str = "secretsmanager";

/// A failed request as the wire shows it: HTTP status, `__type` and `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn unknown_operation(target: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "UnknownOperationException",
            format!("The operation '{target}' is not one this endpoint answers."),
        )
    }
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "SerializationException", message)
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::Validation.as_str(),
            message,
        )
    }
    pub fn missing_authentication() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )
    }
    pub fn incomplete_signature(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "IncompleteSignatureException",
            message,
        )
    }
    pub fn invalid_signature(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "InvalidSignatureException", message)
    }
    pub fn unrecognized_client() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    }
    fn body_timeout(timeout: Duration) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "RequestTimeoutException",
            format!(
                "The request body did not arrive within {} s.",
                timeout.as_secs_f64()
            ),
        )
    }
    fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "SerializationException",
            format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
        )
    }
    fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalServiceError.as_str(),
            message,
        )
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let status = if e.code.is_server_fault() {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        };
        Self::new(status, e.code.as_str(), e.message)
    }
}

/// The paths of the emulator's reset ([`Backend`]'s `Ephemeral` only).
pub const RESET_PATHS: [&str; 2] = ["/moto-api/reset", "/_coffer/reset"];

/// What answers the requests.
pub enum Backend {
    /// An unlocked vault: requests signed with its access keys, for its home region; a
    /// request signed for one of its replica regions is answered by that replica vault,
    /// with that vault's access keys.
    Vault(Arc<Vault>),
    /// The emulator: an in-memory vault per account and region, any well-formed credentials.
    Ephemeral {
        account_id: String,
        regions: Arc<Regions>,
    },
}

/// The emulator's regions, each its own in-memory vault per account, made on first use, at
/// most `max` of them (every name a request signs for would otherwise cost a vault). Each
/// can replicate to every other region of its account, and to the same region of another
/// account (cross-account replicas).
pub struct Regions {
    vaults: Mutex<HashMap<(String, String), Arc<Vault>>>,
    max: usize,
}

/// How many regions the emulator makes unless told.
pub const DEFAULT_MAX_REGIONS: usize = 32;

impl Regions {
    pub fn new(max: usize) -> Self {
        Self {
            vaults: Mutex::default(),
            max,
        }
    }

    /// Forgets every region and everything in it (the emulator's reset): the next request
    /// for a region makes it anew, empty.
    fn reset(&self) {
        self.vaults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The vault of `region`, made now if it is new and the cap allows. Past the cap the
    /// answer is `InvalidRequestException`, as the vault endpoint answers for a region it
    /// does not serve: the request is well-formed and its credentials are fine (so not
    /// `UnrecognizedClientException`, which would send the client checking its keys), it
    /// only asks for something this endpoint will not do, and SDKs do not retry it.
    fn get(self: &Arc<Self>, account_id: &str, region: &str) -> crate::Result<Arc<Vault>> {
        let mut map = self.vaults.lock().unwrap_or_else(|e| e.into_inner());
        let key = (account_id.to_string(), region.to_string());
        if let Some(v) = map.get(&key) {
            return Ok(v.clone());
        }
        if map.len() >= self.max {
            return Err(Error::invalid_request(format!(
                "The emulator serves at most {} regions and has made them all; '{region}' would be one more.",
                self.max
            )));
        }
        let v = Arc::new(Vault::ephemeral(account_id, region)?);
        let regions = Arc::downgrade(self);
        v.set_region_source(Arc::new(move |account: &str, r: &str| {
            regions
                .upgrade()
                .ok_or_else(|| crate::Error::internal("the emulator is shutting down"))?
                .get(account, r)
        }));
        map.insert(key, v.clone());
        Ok(v)
    }
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Vault(v) => f.debug_tuple("Vault").field(&v.info().vault_id).finish(),
            Self::Ephemeral { account_id, .. } => f
                .debug_struct("Ephemeral")
                .field("account_id", account_id)
                .finish_non_exhaustive(),
        }
    }
}

/// Who a signed request is from: the vault that answers it, the principal, and the
/// session policy of temporary credentials.
type Authenticated = (Arc<Vault>, String, Option<Arc<str>>);

impl Backend {
    pub fn vault(vault: Arc<Vault>) -> Self {
        Self::Vault(vault)
    }

    /// The emulator for `account_id`, making at most `max_regions` regions; its first
    /// region's vault is made at once, so that a bad account id fails here rather than on
    /// the first request.
    pub fn ephemeral(
        account_id: &str,
        first_region: &str,
        max_regions: usize,
    ) -> crate::Result<Self> {
        if max_regions == 0 {
            return Err(Error::validation("The emulator needs at least one region."));
        }
        let regions = Arc::new(Regions::new(max_regions));
        regions.get(account_id, first_region)?;
        Ok(Self::Ephemeral {
            account_id: account_id.to_string(),
            regions,
        })
    }

    /// The emulator's reset, as test suites call it between tests: `POST /moto-api/reset`
    /// (moto's contract: moto's `mock_aws` posts it, unsigned and with an empty body, when
    /// a test starts and ends, and LocalStack answers it too) or `POST /_coffer/reset`.
    /// Every region and everything in it is forgotten; the answer is moto's,
    /// `{"status": "ok"}`. `None` for any other request, and always for a vault: its
    /// endpoint has no such path.
    fn emulator_reset(&self, method: &Method, path: &str) -> Option<Vec<u8>> {
        let Self::Ephemeral { regions, .. } = self else {
            return None;
        };
        if method != Method::POST || !RESET_PATHS.contains(&path) {
            return None;
        }
        regions.reset();
        Some(br#"{"status": "ok"}"#.to_vec())
    }

    /// Authenticates a signed request: the vault that answers it and the caller.
    fn authenticate(
        &self,
        signed: &sigv4::Signed,
        derived: &sigv4::SigningKeys,
        moto_account: Option<&str>,
    ) -> Result<Authenticated, ApiError> {
        signed.check_service(SERVICE)?;
        match self {
            Self::Vault(primary) => {
                signed.check_time(primary.now())?;
                let home = &primary.info().region;
                let vault = if &signed.region == home {
                    primary.clone()
                } else {
                    primary.replica_vault(&signed.region)?.ok_or_else(|| {
                        ApiError::new(
                            StatusCode::BAD_REQUEST,
                            ErrorCode::InvalidRequest.as_str(),
                            format!(
                                "The region '{}' is not served by this vault; its home region is '{home}' and it has no replica there.",
                                signed.region
                            ),
                        )
                    })?
                };
                let key = vault
                    .signing_key(&signed.access_key_id)?
                    .filter(|k| k.active)
                    .ok_or_else(ApiError::unrecognized_client)?;
                derived.verify(signed, key.secret.expose())?;
                Ok((vault, key.principal_arn, key.session_policy))
            }
            Self::Ephemeral {
                account_id,
                regions,
            } => {
                let account =
                    emulator_account(moto_account, &signed.access_key_id).unwrap_or(account_id);
                let vault = regions.get(account, &signed.region)?;
                let arn = vault.administrator_arn();
                Ok((vault, arn, None))
            }
        }
    }
}

/// Which account an emulator request is in, when it names one: moto's `x-moto-account-id`
/// header (moto 5.2.5, `moto/core/responses.py`, `get_current_account`: the header is
/// checked before the access key), else an access key id of 12 digits, which LocalStack
/// takes as the account id (docs.localstack.cloud, "Credentials": "You can specify a
/// 12-digit number which will be taken by LocalStack as the account ID"). Anything else is
/// the emulator's own account.
fn emulator_account<'a>(moto_header: Option<&'a str>, access_key_id: &'a str) -> Option<&'a str> {
    let account = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    moto_header
        .filter(|h| account(h))
        .or_else(|| Some(access_key_id).filter(|k| account(k)))
}

struct AppState {
    backend: Backend,
    signing_keys: sigv4::SigningKeys,
    executor: fair::Executor,
    body_timeout: Duration,
}

/// One access-log line's facts (never a value, never a signature).
struct Access {
    request_id: String,
    operation: Option<&'static str>,
    principal: Option<String>,
    region: Option<String>,
    peer: SocketAddr,
    error: Option<&'static str>,
    /// How many other requests ran while this one waited for its turn.
    queued_behind: Option<u64>,
}

fn json_response(
    status: StatusCode,
    request_id: &str,
    body: Vec<u8>,
    error_code: Option<&str>,
) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static(crate::sigv4::JSON_1_1),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-requestid", v);
    }
    if let Some(code) = error_code.and_then(|c| HeaderValue::from_str(c).ok()) {
        h.insert("x-amzn-errortype", code);
    }
    r
}

fn error_body(e: &ApiError) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "__type": e.code, "message": e.message }))
        .expect("errors serialize")
}

async fn handle(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let mut access = Access {
        request_id: random::uuid(),
        operation: None,
        principal: None,
        region: None,
        peer,
        error: None,
        queued_behind: None,
    };
    let result = process(&app, &mut access, method, uri, headers, body).await;
    let response = match result {
        Ok(body) => json_response(StatusCode::OK, &access.request_id, body, None),
        Err(e) => {
            access.error = Some(e.code);
            let mut r = json_response(e.status, &access.request_id, error_body(&e), Some(e.code));
            if e.status == StatusCode::REQUEST_TIMEOUT {
                // What is left of a body that stopped arriving is not waited for.
                r.headers_mut()
                    .insert("connection", HeaderValue::from_static("close"));
            }
            r
        }
    };
    log_access(&access, response.status(), started);
    response
}

async fn process(
    app: &Arc<AppState>,
    access: &mut Access,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Vec<u8>, ApiError> {
    let body = tokio::time::timeout(app.body_timeout, axum::body::to_bytes(body, MAX_BODY_BYTES))
        .await
        .map_err(|_| ApiError::body_timeout(app.body_timeout))?
        .map_err(|_| ApiError::too_large())?;
    if let Some(answer) = app.backend.emulator_reset(&method, uri.path()) {
        return Ok(answer);
    }
    if !sigv4::has_authorization(&headers) {
        return Err(ApiError::missing_authentication());
    }
    let parts = sigv4::RequestParts {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        headers: &headers,
        body: &body,
    };
    // The emulator accepts any well-formed credentials: it checks their form but builds
    // no string to sign (README, "The emulator for test suites").
    let signed = match app.backend {
        Backend::Vault(_) => sigv4::parse(&parts)?,
        Backend::Ephemeral { .. } => sigv4::parse_unverified(&parts)?,
    };
    access.region = Some(signed.region.clone());
    if method != Method::POST || uri.path() != "/" {
        return Err(ApiError::unknown_operation(&format!(
            "{method} {}",
            uri.path()
        )));
    }
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    let op = router::operation(target)?;
    access.operation = Some(op.as_str());
    let user_agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let moto_account = headers
        .get("x-moto-account-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let state = app.clone();
    let peer_ip = access.peer.ip().to_string();
    let job = move || {
        let app = state;
        let (vault, principal, session_policy) =
            match app
                .backend
                .authenticate(&signed, &app.signing_keys, moto_account.as_deref())
            {
                Ok(x) => x,
                Err(e) => return (None, Err(e)),
            };
        let caller = match session_policy {
            None => Caller::principal(principal.clone(), FrontEnd::Endpoint),
            Some(p) => Caller::scoped(principal.clone(), FrontEnd::Endpoint, p),
        }
        .with_source(Some(peer_ip), user_agent);
        (
            Some(principal),
            router::dispatch(&vault, &caller, op, &body),
        )
    };
    // A vault's reads share commits (see `fair`): their audit events reach the file
    // together, and each answer waits for that commit.
    let grouped =
        matches!(app.backend, Backend::Vault(_)) && op.read_only() && !op.waits_for_fsync();
    let ((principal, result), waited) =
        app.executor
            .run_as(access.peer.ip(), grouped, job)
            .await
            .map_err(|_| ApiError::internal("The request failed inside the server."))?;
    access.principal = principal;
    access.queued_behind = Some(waited);
    result
}

/// An access-log line, serialized straight from the request's facts (building a
/// `serde_json::Value` map for it was a twentieth of the emulator's time per request). The
/// fields are in alphabetical order, the order the line has always had.
#[derive(serde::Serialize)]
struct AccessLine<'a> {
    error: Option<&'a str>,
    latency_ms: f64,
    operation: Option<&'a str>,
    peer: std::net::IpAddr,
    principal: Option<&'a str>,
    queued_behind: Option<u64>,
    region: Option<&'a str>,
    request_id: &'a str,
    status: u16,
    #[serde(serialize_with = "as_text")]
    time: jiff::Timestamp,
}

/// A timestamp as its RFC 3339 text, written straight into the line.
fn as_text<S: serde::Serializer>(t: &jiff::Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(t)
}

fn log_access(a: &Access, status: StatusCode, started: Instant) {
    let line = AccessLine {
        error: a.error,
        latency_ms: (started.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
        operation: a.operation,
        peer: a.peer.ip(),
        principal: a.principal.as_deref(),
        queued_behind: a.queued_behind,
        region: a.region.as_deref(),
        request_id: &a.request_id,
        status: status.as_u16(),
        time: jiff::Timestamp::now(),
    };
    // One write per line: stderr is unbuffered, and serializing into it would cost a
    // system call per JSON token.
    let mut bytes = Vec::with_capacity(256);
    if serde_json::to_writer(&mut bytes, &line).is_ok() {
        bytes.push(b'\n');
        let _ = std::io::stderr().lock().write_all(&bytes);
    }
}

/// A connection refused by a cap, for the access log.
fn log_refused(peer: SocketAddr, why: limits::Refused) {
    let mut line = serde_json::json!({
        "time": jiff::Timestamp::now().to_string(),
        "peer": peer.ip().to_string(),
        "refused": why.as_str(),
    })
    .to_string();
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// A vault's reads sharing one commit on the request thread ([`fair::Group`]).
struct VaultGroup(Arc<Vault>);

impl fair::Group for VaultGroup {
    fn begin(&self) -> bool {
        self.0.begin_group().is_ok()
    }
    fn commit(&self) -> bool {
        match self.0.commit_group() {
            Ok(()) => true,
            Err(e) => {
                eprintln!(
                    "coffer serve: a group of reads failed to commit: {}: {}",
                    e.code.as_str(),
                    e.message
                );
                false
            }
        }
    }
}

/// The endpoint's routes over `backend` (one handler: everything is `POST /`), with the
/// thread that carries out its requests.
pub fn router(backend: Backend, limits: &Limits) -> std::io::Result<Router> {
    let group: Option<Box<dyn fair::Group>> = match &backend {
        Backend::Vault(vault) => Some(Box::new(VaultGroup(vault.clone()))),
        Backend::Ephemeral { .. } => None,
    };
    Ok(Router::new()
        .fallback(handle)
        .with_state(Arc::new(AppState {
            backend,
            signing_keys: sigv4::SigningKeys::default(),
            executor: fair::Executor::start_grouping(group)?,
            body_timeout: limits.body_timeout,
        })))
}

/// Serves `backend` on `listener` in plain HTTP with the default limits until `shutdown`
/// resolves, then finishes the requests in progress (within the grace period) and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    backend: Backend,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    serve_with(listener, None, backend, Limits::default(), shutdown).await
}

/// [`serve`] over TLS when `tls` is given, within `limits`.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    backend: Backend,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let app = router(backend, &limits)?;
    accept::serve(listener, tls, app, limits, shutdown).await
}

/// The runtime an endpoint runs on: its workers parse and answer HTTP; the requests are
/// carried out on one thread of their own ([`fair::Executor`]). The vault answers one
/// request at a time anyway (behind its lock); on several threads the requests would take
/// turns putting each other to sleep and waking each other up, which cost a third of the
/// server's time. On one thread they queue and the thread never sleeps under load
/// (GetSecretValue went from 12,500/s to 19,000/s). The one blocking thread left is for
/// the background work (replication retries).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(1)
        .enable_all()
        .build()
}

/// How often a server retries replication that could not reach a replica.
const REPLICATION_RETRY: std::time::Duration = std::time::Duration::from_secs(10);

/// Retries queued replication (a replica file that was out of reach) while the server runs.
async fn retry_replication(vault: Arc<Vault>) {
    let mut tick = tokio::time::interval(REPLICATION_RETRY);
    loop {
        tick.tick().await;
        let v = vault.clone();
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || v.sync_replicas()).await {
            eprintln!(
                "coffer serve: replication retry: {}: {}",
                e.code.as_str(),
                e.message
            );
        }
    }
}

/// Resolves on SIGINT or SIGTERM (Ctrl-C elsewhere).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("install the SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Checks `options` for `backend`, binds, calls `on_listening` with the address bound (the
/// port chosen, for `:0`) and the TLS identity, and serves `backend` on a multi-threaded
/// runtime until SIGINT or SIGTERM.
pub fn run(
    options: Options,
    backend: Backend,
    on_listening: impl FnOnce(&Listening),
) -> std::io::Result<()> {
    options.check(&backend)?;
    let tls = options
        .tls
        .as_ref()
        .map(|t| t.load(options.listen))
        .transpose()?;
    let rt = runtime()?;
    // Checkpoints run beside the requests instead of inside one in a few hundred; the
    // thread stops (after a last checkpoint) when the server does.
    let _checkpoints = match &backend {
        Backend::Vault(vault) => vault
            .checkpoint_in_background()
            .map_err(|e| std::io::Error::other(e.message))?,
        Backend::Ephemeral { .. } => None,
    };
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.listen).await?;
        let agent = match (&options.agent, &backend) {
            (Some(a), Backend::Vault(vault)) => Some((
                tokio::net::TcpListener::bind(a.listen).await?,
                agent::router(vault.clone(), a)?,
            )),
            _ => None,
        };
        on_listening(&Listening {
            addr: listener.local_addr()?,
            tls: tls
                .as_ref()
                .map(|t| (t.fingerprint.clone(), t.cert_file.clone())),
            agent: agent.as_ref().map(|(l, _)| l.local_addr()).transpose()?,
        });
        if let (Some((agent_listener, app)), Some(a)) = (agent, &options.agent) {
            // Every program on the laptop comes from loopback, so the per-address cap is the
            // whole cap; the agent's own `max_conn` answers 429 below it, and the cap is
            // kept above it (with `/ping`'s two more) so that a full agent still answers.
            let cap = options.limits.max_connections.max(a.max_conn + 2);
            let limits = Limits {
                max_connections: cap,
                max_connections_per_address: cap,
                ..options.limits.clone()
            };
            tokio::spawn(accept::serve(
                agent_listener,
                None,
                app,
                limits,
                shutdown_signal(),
            ));
        }
        if let Backend::Vault(vault) = &backend {
            tokio::spawn(retry_replication(vault.clone()));
        }
        let acceptor = tls.map(|t| t.acceptor);
        serve_with(
            listener,
            acceptor,
            backend,
            options.limits,
            shutdown_signal(),
        )
        .await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The emulator's vault for a region (made on first use), as a request for it gets it.
    fn emulator_region(backend: &Backend, region: &str) -> crate::Result<Arc<Vault>> {
        let Backend::Ephemeral {
            account_id,
            regions,
        } = backend
        else {
            panic!("an emulator backend");
        };
        regions.get(account_id, region)
    }

    fn create_with_key(v: &Vault, name: &str, key: &str) -> crate::Result<()> {
        let caller = Caller::principal(v.administrator_arn(), FrontEnd::Endpoint);
        v.create_secret(
            &caller,
            crate::api::CreateSecretRequest {
                name: name.into(),
                secret_string: Some(crate::SecretText::new("v".into())),
                kms_key_id: Some(key.into()),
                ..Default::default()
            },
        )
        .map(drop)
    }

    /// moto 5.2.5 test_describe_secret_with_KmsKeyId and test_update_secret_with_KmsKeyId
    /// name keys no one made ("dummy_arn", "foo_arn"): the emulator makes a key on first use
    /// and shows the name given; a vault refuses an unknown key as AWS does.
    #[test]
    fn the_emulator_makes_an_unknown_kms_key_on_first_use_and_a_vault_refuses_it() {
        let backend = Backend::ephemeral("123456789012", "us-east-1", 2).unwrap();
        let region = |name: &str| emulator_region(&backend, name);
        let v = region("us-west-2").unwrap();
        let caller = Caller::principal(v.administrator_arn(), FrontEnd::Endpoint);
        for (name, key) in [
            ("a", "dummy_arn"),
            ("b", "dummy_arn"),
            ("c", "alias/made-here"),
        ] {
            create_with_key(&v, name, key).unwrap();
            let d = v
                .describe_secret(
                    &caller,
                    crate::api::SecretIdRequest {
                        secret_id: name.into(),
                    },
                )
                .unwrap();
            assert_eq!(d.kms_key_id.as_deref(), Some(key));
        }
        let plain = Vault::ephemeral("123456789012", "us-east-1").unwrap();
        let e = create_with_key(&plain, "a", "dummy_arn").unwrap_err();
        assert_eq!(e.code, ErrorCode::EncryptionFailure);
    }

    #[test]
    fn the_emulator_makes_regions_up_to_its_cap_and_refuses_one_more() {
        let backend = Backend::ephemeral("123456789012", "us-east-1", 2).unwrap();
        let region = |name: &str| emulator_region(&backend, name);
        region("eu-west-1").unwrap();
        let e = region("ap-south-1").err().unwrap();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert!(e.message.contains("at most 2 regions"), "{}", e.message);
        // The regions made are still served.
        region("us-east-1").unwrap();
        region("eu-west-1").unwrap();
        let e = ApiError::from(e);
        assert_eq!(
            (e.status.as_u16(), e.code),
            (400, "InvalidRequestException")
        );
        assert!(Backend::ephemeral("123456789012", "us-east-1", 0).is_err());
    }
}
