//! One unlock a session (`coffer unlock`, `coffer lock`): a per-user agent process holds the
//! unlocked vault in memory and runs the CLI's commands for it over a Unix socket.
//!
//! - Where: `$XDG_RUNTIME_DIR/coffer/` (or `$TMPDIR/coffer-<uid>/` when it is unset), a
//!   directory this user owns with mode 0700; in it one socket (0600) per vault file, named by
//!   a digest of the vault's canonical path. The agent checks every connection's peer uid
//!   (`SO_PEERCRED`) and refuses any other user's, root's included.
//! - What travels: the command line `coffer` was given and its working directory. The agent
//!   parses it with the same parser and runs the same [`crate::cli::run`] through the core as
//!   the unlocked operator, with front end `session`, and answers with what it returned; the
//!   CLI prints that. The vault's keys and the passphrase never leave the agent.
//! - How it ends: `coffer lock`, the idle time, the hard limit, the vault file replaced (its
//!   inode changes), or its socket removed. Every write was the core's own committed
//!   transaction, so killing it loses nothing; the key lives only in its memory (not dumpable,
//!   no core file: [`coffer_core::process::harden`], called by `main` before anything else).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use coffer_core::Passphrase;
use coffer_core::api::GetSecretValueRequest;
use coffer_core::vault::{RekeyMeter, RekeyStatus};
use coffer_core::{ErrorCode, FrontEnd, Vault, VaultInfo};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::{Zeroize, Zeroizing};

use crate::cli::Outcome;
use crate::tui::action::{Loaded as ConsoleAnswer, Request as ConsoleRequest};

/// How long a request may take to arrive once connected.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// `90`, `90s`, `15m`, `12h` or `1d`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let wrong = || format!("`{s}` is not a duration (like 90s, 15m, 12h or 1d)");
    let (number, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = number.parse().map_err(|_| wrong())?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(wrong()),
    };
    match n.checked_mul(scale) {
        Some(0) => Err("a duration must be at least 1s".into()),
        Some(secs) => Ok(Duration::from_secs(secs)),
        None => Err(wrong()),
    }
}

/// What the CLI asks the agent.
#[derive(Serialize, Deserialize)]
enum Request {
    /// Run this command line (as `coffer` was given it) from this directory, as this
    /// operator (when one was named).
    Run {
        argv: Vec<String>,
        cwd: PathBuf,
        operator: Option<String>,
    },
    Status,
    Lock,
    /// A console opens through the session (as this operator, when one was named).
    Attach {
        operator: Option<String>,
    },
    /// One of an attached console's requests.
    Console(Box<ConsoleRequest>),
    /// The vault's revision, for a console watching for changes (not a use of the session:
    /// it does not hold off the idle lock).
    Revision,
    /// One of an attached desktop console's commands, answered with the desktop's own
    /// [`coffer_console::dispatch`] on this vault.
    Desktop(coffer_console::session::Call),
}

/// What the agent answers: one response to a request, after as many [`Response::Progress`]
/// lines as it sends.
#[derive(Serialize, Deserialize)]
enum Response {
    /// How far a re-key the request makes has come (before the answer).
    Progress(RekeyStatus),
    Json(Value),
    /// JSON carrying a secret value (zeroized when dropped).
    Secret(String),
    /// The audit chain is broken: the report.
    Broken(Value),
    /// A health report, and whether `--fail-on` found a finding that bad.
    Report(Box<coffer_core::health::HealthReport>, bool),
    /// The core refused: its error code and message.
    VaultError {
        code: String,
        message: String,
    },
    Error(String),
    /// Not a command for this session: the CLI runs it with the passphrase.
    NotHere(String),
    /// The peer is not this agent's user.
    Refused(String),
    Status(Status),
    Locked,
    /// The vault a console attached to.
    Attached {
        vault_id: String,
        account_id: String,
        region: String,
        operator: String,
    },
    Console(Box<ConsoleAnswer>),
    Revision(i64),
    /// A desktop command's answer (JSON that may carry a value the operator revealed).
    Desktop(Result<Value, coffer_console::dto::IpcError>),
}

impl Drop for Response {
    fn drop(&mut self) {
        match self {
            Response::Secret(s) => s.zeroize(),
            // A desktop's reveal_value or copy_text answer holds the value.
            Response::Desktop(Ok(v)) => zeroize_json(v),
            _ => {}
        }
    }
}

/// A running session, as `coffer unlock` reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Status {
    pub vault: PathBuf,
    pub operator: String,
    pub pid: u32,
    pub socket: PathBuf,
    pub idle_seconds: u64,
    pub max_age_seconds: u64,
}

/// The socket of the session for this vault file (its directory made when `create`).
fn socket_path(vault: &Path, create: bool) -> Result<PathBuf> {
    coffer_core::running::session_socket(vault, create).with_context(|| {
        format!(
            "no session for {}: the vault or this user's runtime directory cannot be used",
            vault.display()
        )
    })
}

/// A file's device and inode: another file at the same path has other ones.
fn identity(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

fn send(mut stream: &UnixStream, message: &impl Serialize) -> Result<()> {
    let mut line = Zeroizing::new(serde_json::to_string(message)?);
    line.push('\n');
    stream.write_all(line.as_bytes())?;
    Ok(())
}

fn receive<T: for<'de> Deserialize<'de>>(stream: &UnixStream) -> Result<T> {
    let mut line = Zeroizing::new(String::new());
    BufReader::new(stream).read_line(&mut line)?;
    if line.is_empty() {
        bail!("the connection closed without an answer");
    }
    Ok(serde_json::from_str(&line)?)
}

fn exchange(stream: UnixStream, request: &Request) -> Result<Response> {
    exchange_reporting(stream, request, &mut |_| {})
}

/// Sends `request` and reads its answer, telling `progress` each re-key step the agent
/// reports before it.
fn exchange_reporting(
    stream: UnixStream,
    request: &Request,
    progress: &mut dyn FnMut(RekeyStatus),
) -> Result<Response> {
    send(&stream, request)?;
    receive_answer(BufReader::new(&stream), progress)
}

fn receive_answer(
    mut reader: impl BufRead,
    progress: &mut dyn FnMut(RekeyStatus),
) -> Result<Response> {
    loop {
        let mut line = Zeroizing::new(String::new());
        reader.read_line(&mut line)?;
        if line.is_empty() {
            bail!("the connection closed without an answer");
        }
        match serde_json::from_str(&line)? {
            Response::Progress(status) => progress(status),
            answer => return Ok(answer),
        }
    }
}

/// What the agent sends a request's re-key progress with: each step its meter keeps.
fn progress_to(stream: &UnixStream) -> impl FnMut(coffer_core::vault::RekeyPhase, u64, u64) {
    let mut meter = RekeyMeter::default();
    move |phase, done, total| {
        if let Some(status) = meter.step(phase, done, total) {
            let _ = send(stream, &Response::Progress(status));
        }
    }
}

/// The session serving this vault, if one answers.
fn connect(vault: &Path) -> Option<UnixStream> {
    UnixStream::connect(socket_path(vault, false).ok()?).ok()
}

/// Runs this process's command line in the vault's session, if there is one that takes it.
/// `None`: no session (or not one for this command): the CLI unlocks the vault itself.
pub fn forward(vault: &Path, operator: Option<&str>) -> Result<Option<Outcome>> {
    let Some(stream) = connect(vault) else {
        return Ok(None);
    };
    let Some(argv) = std::env::args_os()
        .map(|a| a.into_string().ok())
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(None);
    };
    let request = Request::Run {
        argv,
        cwd: std::env::current_dir()?,
        operator: operator.map(str::to_string),
    };
    let line = crate::cli::rekey::RekeyLine::new();
    let mut response = exchange_reporting(stream, &request, &mut |s| line.show(&s))?;
    Ok(Some(match &mut response {
        Response::Json(v) => Outcome::Json(v.take()),
        Response::Secret(s) => Outcome::Secret(Zeroizing::new(std::mem::take(s))),
        Response::Broken(v) => Outcome::Broken(v.take()),
        Response::Report(r, failed) => Outcome::Report(r.clone(), *failed),
        Response::VaultError { code, message } => return Err(vault_error(code, message)),
        Response::Error(message) => bail!("{message}"),
        Response::NotHere(_) => return Ok(None),
        Response::Refused(message) => bail!("the session agent refused: {message}"),
        Response::Status(_)
        | Response::Progress(_)
        | Response::Locked
        | Response::Attached { .. }
        | Response::Console(_)
        | Response::Revision(_)
        | Response::Desktop(_) => bail!("the session agent answered out of turn"),
    }))
}

/// Whether a session for this vault answers (`coffer run` and `coffer inject` then read
/// through it).
pub fn is_running(vault: &Path) -> bool {
    connect(vault).is_some()
}

/// A version's SecretString read through the session, asked as `coffer get-secret-value`
/// would ask it; `None` for a binary value.
pub fn secret_string(
    vault: &Path,
    operator: Option<&str>,
    request: GetSecretValueRequest,
) -> Result<Option<Zeroizing<String>>> {
    let stream = connect(vault).context("the session for this vault has ended: coffer unlock")?;
    let mut argv = vec![
        "coffer".to_string(),
        "get-secret-value".to_string(),
        format!("--secret-id={}", request.secret_id),
    ];
    argv.extend(request.version_id.map(|v| format!("--version-id={v}")));
    argv.extend(
        request
            .version_stage
            .map(|v| format!("--version-stage={v}")),
    );
    let run = Request::Run {
        argv,
        cwd: PathBuf::from("/"),
        operator: operator.map(str::to_string),
    };
    match &exchange(stream, &run)? {
        Response::Secret(json) => {
            let mut got: Value = serde_json::from_str(json)?;
            let text = match got.get_mut("SecretString") {
                Some(Value::String(s)) => Some(Zeroizing::new(std::mem::take(s))),
                _ => None,
            };
            zeroize_json(&mut got);
            Ok(text)
        }
        Response::VaultError { code, message } => Err(vault_error(code, message)),
        Response::Error(m) => bail!("{m}"),
        Response::NotHere(m) => bail!("the session cannot read it: {m}"),
        Response::Refused(m) => bail!("the session agent refused: {m}"),
        _ => bail!("the session agent answered out of turn"),
    }
}

/// Overwrites every string in a parsed answer that may carry a secret value.
fn zeroize_json(v: &mut Value) {
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(a) => a.iter_mut().for_each(zeroize_json),
        Value::Object(o) => o.values_mut().for_each(zeroize_json),
        _ => {}
    }
}

fn vault_error(code: &str, message: &str) -> anyhow::Error {
    match ErrorCode::parse(code) {
        Some(code) => coffer_core::Error::new(code, message).into(),
        None => anyhow!("{code}: {message}"),
    }
}

/// `coffer unlock`: the running session for this vault, or a new one unlocked with the
/// passphrase (given, or asked on the terminal). `true` with a new one.
pub fn unlock(
    vault: &Path,
    operator: Option<&str>,
    passphrase_file: Option<&Path>,
    idle: Duration,
    max_age: Duration,
) -> Result<(Status, bool)> {
    if let Some(stream) = connect(vault) {
        match &exchange(stream, &Request::Status)? {
            Response::Status(s) => return Ok((s.clone(), false)),
            Response::Refused(m) => bail!("the session agent refused: {m}"),
            _ => bail!("the session agent answered out of turn"),
        }
    }
    let canonical =
        std::fs::canonicalize(vault).with_context(|| format!("cannot find {}", vault.display()))?;
    socket_path(&canonical, true)?;
    let passphrase = crate::unlock::passphrase_text(passphrase_file, vault)?;
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command
        .arg("session-agent")
        .arg("--vault")
        .arg(&canonical)
        .arg("--idle-seconds")
        .arg(idle.as_secs().to_string())
        .arg("--max-age-seconds")
        .arg(max_age.as_secs().to_string());
    if let Some(o) = operator {
        command.arg("--operator").arg(o);
    }
    // The passphrase reaches the agent through a pipe, never its environment or arguments.
    for name in [
        "COFFER_PASSPHRASE",
        "COFFER_NEW_PASSPHRASE",
        "COFFER_VAULT",
        "COFFER_OPERATOR",
    ] {
        command.env_remove(name);
    }
    let mut child = command
        .current_dir("/")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("cannot start the session agent")?;
    {
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let mut line = Zeroizing::new(passphrase.to_string());
        line.push('\n');
        stdin.write_all(line.as_bytes())?;
    }
    let mut answer = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped")).read_line(&mut answer)?;
    match &serde_json::from_str::<Response>(&answer) {
        Ok(Response::Status(s)) => Ok((s.clone(), true)),
        Ok(Response::VaultError { code, message }) => Err(vault_error(code, message)),
        Ok(Response::Error(m)) => bail!("{m}"),
        _ => {
            let status = child.wait()?;
            bail!("the session agent did not start ({status})")
        }
    }
}

/// `coffer lock`: ends this vault's session; `false` when there was none.
pub fn lock(vault: &Path) -> Result<bool> {
    let Some(stream) = connect(vault) else {
        return Ok(false);
    };
    match &exchange(stream, &Request::Lock)? {
        Response::Locked => Ok(true),
        Response::Refused(m) => bail!("the session agent refused: {m}"),
        _ => bail!("the session agent answered out of turn"),
    }
}

/// Opens a console through this vault's session: the vault as the session unlocked it.
pub fn attach(vault: &Path, operator: Option<&str>) -> coffer_core::Result<VaultInfo> {
    let unreachable = |e: anyhow::Error| {
        coffer_core::Error::invalid_request(format!("No session to open through: {e:#}."))
    };
    let stream = connect(vault)
        .context("its socket no longer answers")
        .map_err(unreachable)?;
    let request = Request::Attach {
        operator: operator.map(str::to_string),
    };
    let take = std::mem::take::<String>;
    match &mut exchange(stream, &request).map_err(unreachable)? {
        Response::Attached {
            vault_id,
            account_id,
            region,
            operator,
        } => Ok(VaultInfo {
            path: Some(vault.to_path_buf()),
            vault_id: take(vault_id),
            account_id: take(account_id),
            region: take(region),
            operator: take(operator),
        }),
        Response::NotHere(m) | Response::Refused(m) | Response::Error(m) => {
            Err(coffer_core::Error::invalid_request(take(m)))
        }
        Response::VaultError { code, message } => Err(match ErrorCode::parse(code) {
            Some(code) => coffer_core::Error::new(code, take(message)),
            None => coffer_core::Error::internal(format!("{code}: {message}")),
        }),
        _ => Err(coffer_core::Error::internal(
            "the session agent answered out of turn",
        )),
    }
}

/// Runs an attached console's request in the session, telling `progress` how a re-key it
/// makes goes; `Err` when the session is gone.
pub fn console(
    vault: &Path,
    request: ConsoleRequest,
    progress: &mut dyn FnMut(RekeyStatus),
) -> Result<ConsoleAnswer> {
    let stream = connect(vault).context("its socket no longer answers")?;
    match &mut exchange_reporting(stream, &Request::Console(Box::new(request)), progress)? {
        Response::Console(answer) => Ok(std::mem::replace(
            &mut **answer,
            ConsoleAnswer::Done(String::new()),
        )),
        Response::Refused(m) | Response::Error(m) => bail!("{m}"),
        _ => bail!("the session agent answered out of turn"),
    }
}

/// The vault's revision as the session sees it; `Err` when the session is gone.
pub fn revision(vault: &Path) -> Result<i64> {
    let stream = connect(vault).context("its socket no longer answers")?;
    match &exchange(stream, &Request::Revision)? {
        Response::Revision(r) => Ok(*r),
        Response::VaultError { code, message } => Err(vault_error(code, message)),
        Response::Refused(m) | Response::Error(m) => bail!("{m}"),
        _ => bail!("the session agent answered out of turn"),
    }
}

/// Ends the agent: its socket removed (if it is still its own), the process gone with the
/// keys in its memory.
/// Ends the agent: its socket and its announcement go first, so that nothing sees a session
/// whose threads are still ending (the announcement's lock lasts until the last one has).
fn end(socket: &Path, socket_identity: Option<(u64, u64)>, announced: Option<&Path>) -> ! {
    if identity(socket) == socket_identity {
        let _ = std::fs::remove_file(socket);
    }
    if let Some(a) = announced {
        let _ = std::fs::remove_file(a);
    }
    std::process::exit(0)
}

/// The session agent (`coffer session-agent`, started by `coffer unlock`): reads the
/// passphrase from stdin, unlocks, answers its status (or why it could not) on stdout, then
/// serves the socket until it locks.
pub fn agent(
    vault_path: &Path,
    operator: Option<&str>,
    idle: Duration,
    max_age: Duration,
) -> Result<i32> {
    let started = Instant::now();
    // Its own session: the terminal `coffer unlock` ran in may close without ending it.
    let _ = rustix::process::setsid();
    let mut out = std::io::stdout();
    let mut tell = |r: &Response| -> Result<()> {
        writeln!(out, "{}", serde_json::to_string(r)?)?;
        out.flush()?;
        Ok(())
    };
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().read_line(&mut line)?;
    let passphrase = Passphrase::new(line.strip_suffix('\n').unwrap_or(&line).to_string());
    let vault = match Vault::open(vault_path, operator, &passphrase) {
        Ok(v) => Arc::new(v),
        Err(e) => {
            tell(&Response::VaultError {
                code: e.code.as_str().to_string(),
                message: e.message.clone(),
            })?;
            return Ok(253);
        }
    };
    drop(passphrase);
    let vault_identity = identity(vault_path);
    let socket = socket_path(vault_path, true)?;
    if UnixStream::connect(&socket).is_ok() {
        tell(&Response::Error(
            "another session agent already serves this vault".into(),
        ))?;
        return Ok(1);
    }
    // A socket nobody answers was left by an agent that was killed.
    let _ = std::fs::remove_file(&socket);
    let listener = UnixListener::bind(&socket)
        .with_context(|| format!("cannot listen on {}", socket.display()))?;
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))?;
    let socket_identity = identity(&socket);
    let status = Status {
        vault: vault_path.to_path_buf(),
        operator: vault.info().operator.clone(),
        pid: std::process::id(),
        socket: socket.clone(),
        idle_seconds: idle.as_secs(),
        max_age_seconds: max_age.as_secs(),
    };
    // The consoles show the session while this is held (it goes when the process does).
    let announced = coffer_core::running::announce(
        vault_path,
        &coffer_core::running::Running {
            front_end: FrontEnd::Session,
            pid: status.pid,
            address: socket.display().to_string(),
            operator: status.operator.clone(),
            started_ms: jiff::Timestamp::now().as_millisecond(),
        },
    );
    let announced_path = announced.as_ref().ok().map(|a| a.path().to_path_buf());
    tell(&Response::Status(status.clone()))?;

    // Held while a request runs, so the agent never ends in the middle of one.
    let last_request = Arc::new(Mutex::new(Instant::now()));
    {
        let last_request = Arc::clone(&last_request);
        let socket = socket.clone();
        let announced_path = announced_path.clone();
        let vault_path = vault_path.to_path_buf();
        let tick = (idle / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(tick);
                let last = last_request.lock().unwrap_or_else(|e| e.into_inner());
                if last.elapsed() >= idle
                    || started.elapsed() >= max_age
                    || identity(&vault_path) != vault_identity
                    || identity(&socket) != socket_identity
                {
                    end(&socket, socket_identity, announced_path.as_deref());
                }
            }
        });
    }

    let me = rustix::process::getuid();
    // The consoles attached to the session: the terminal console's requests and the desktop's
    // commands run on this vault, and its background runner (started when the first console
    // attaches) is this desktop's.
    let desktop = coffer_console::Desktop::serving(vault_path.to_path_buf(), Arc::clone(&vault));
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        match rustix::net::sockopt::socket_peercred(&stream) {
            Ok(peer) if peer.uid == me => {}
            _ => {
                let _ = send(
                    &stream,
                    &Response::Refused("this session belongs to another user".into()),
                );
                continue;
            }
        }
        let mut last = last_request.lock().unwrap_or_else(|e| e.into_inner());
        let _ = stream.set_read_timeout(Some(REQUEST_TIMEOUT));
        let mut in_use = true;
        let answer = match receive::<Request>(&stream) {
            Ok(Request::Lock) => {
                if identity(&socket) == socket_identity {
                    let _ = std::fs::remove_file(&socket);
                }
                let _ = send(&stream, &Response::Locked);
                end(&socket, socket_identity, announced_path.as_deref());
            }
            Ok(Request::Status) => Response::Status(status.clone()),
            Ok(Request::Run {
                argv,
                cwd,
                operator,
            }) => run(&vault, &status, argv, &cwd, operator, &stream),
            Ok(Request::Attach { operator }) => {
                if operator.is_some_and(|o| o != status.operator) {
                    Response::NotHere(format!("the session is unlocked as {}", status.operator))
                } else {
                    // An attached console runs the vault's due jobs here, as it would in its
                    // own process.
                    desktop.start_background();
                    let info = vault.info();
                    Response::Attached {
                        vault_id: info.vault_id.clone(),
                        account_id: info.account_id.clone(),
                        region: info.region.clone(),
                        operator: info.operator.clone(),
                    }
                }
            }
            Ok(Request::Console(request)) => match *request {
                ConsoleRequest::RunDue => {
                    desktop.kick_rotations();
                    Response::Console(Box::new(ConsoleAnswer::Changed))
                }
                request => console_answer(&vault, request, &stream),
            },
            Ok(Request::Desktop(call)) => desktop_answer(&desktop, call, &stream),
            Ok(Request::Revision) => {
                in_use = false;
                match vault.revision() {
                    Ok(r) => Response::Revision(r),
                    Err(e) => Response::VaultError {
                        code: e.code.as_str().to_string(),
                        message: e.message,
                    },
                }
            }
            Err(e) => Response::Error(format!("a request the session agent cannot read: {e}")),
        };
        let _ = send(&stream, &answer);
        if in_use {
            *last = Instant::now();
        }
    }
    Ok(0)
}

/// Runs an attached console's request as the session's operator, with front end
/// `session`, sending the progress of a re-key it makes on `stream` before the answer.
fn console_answer(vault: &Vault, request: ConsoleRequest, stream: &UnixStream) -> Response {
    Response::Console(Box::new(crate::tui::worker::execute_reporting(
        vault,
        request,
        FrontEnd::Session,
        &mut progress_to(stream),
    )))
}

/// Runs an attached desktop's command as the session's operator, with front end `session`,
/// sending the progress of a re-key it makes on `stream` before the answer.
fn desktop_answer(
    desktop: &coffer_console::Desktop,
    call: coffer_console::session::Call,
    stream: &UnixStream,
) -> Response {
    use coffer_console::session::{PASSPHRASE_COMMANDS, needs_the_passphrase};
    if PASSPHRASE_COMMANDS.contains(&call.command.as_str()) {
        return Response::Desktop(Err(needs_the_passphrase()));
    }
    if let Ok(out) = stream.try_clone() {
        desktop.report_rekeys_to(Some(Box::new(move |status| {
            let _ = send(&out, &Response::Progress(status));
        })));
    }
    let answer = coffer_console::dispatch(desktop, &call.command, call.args);
    desktop.report_rekeys_to(None);
    Response::Desktop(answer)
}

/// Runs a forwarded command line as the session's operator, with front end `session`,
/// sending the progress of a re-key it makes on `stream` before the answer.
fn run(
    vault: &Arc<Vault>,
    status: &Status,
    argv: Vec<String>,
    cwd: &Path,
    operator: Option<String>,
    stream: &UnixStream,
) -> Response {
    use clap::Parser;
    if operator.is_some_and(|o| o != status.operator) {
        return Response::NotHere(format!("the session is unlocked as {}", status.operator));
    }
    let cli = match crate::Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => return Response::Error(e.to_string()),
    };
    let Some(crate::Command::Op(op)) = cli.command else {
        return Response::NotHere("not an operation".into());
    };
    if !op.runs_in_session() {
        return Response::NotHere("this command asks on the terminal".into());
    }
    if let Err(e) = std::env::set_current_dir(cwd) {
        return Response::Error(format!("cannot work in {}: {e}", cwd.display()));
    }
    match crate::cli::run(vault, op, None, FrontEnd::Session, &mut progress_to(stream)) {
        Ok(Outcome::Json(v)) => Response::Json(v),
        Ok(Outcome::Secret(mut s)) => Response::Secret(std::mem::take(&mut *s)),
        Ok(Outcome::Broken(v)) => Response::Broken(v),
        Ok(Outcome::Report(r, failed)) => Response::Report(r, failed),
        Err(e) => match e.downcast::<coffer_core::Error>() {
            Ok(e) => Response::VaultError {
                code: e.code.as_str().to_string(),
                message: e.message,
            },
            Err(e) => Response::Error(format!("{e:#}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testkit::vault_with_a_second_operator;

    #[test]
    fn the_desktops_requests_and_the_answers_it_reads_have_the_agents_shapes() {
        use coffer_console::session::{Call, Incoming, Outgoing};
        let call = || Call {
            command: "secret_detail".into(),
            args: serde_json::json!({ "arn": "arn:x" }),
        };
        fn wire(v: impl Serialize) -> Value {
            serde_json::to_value(v).unwrap()
        }
        let sent = call();
        for (desktop, agent) in [
            (
                wire(Outgoing::Desktop(&sent)),
                wire(Request::Desktop(call())),
            ),
            (
                wire(Outgoing::Attach { operator: None }),
                wire(Request::Attach { operator: None }),
            ),
            (wire(Outgoing::Revision), wire(Request::Revision)),
        ] {
            assert_eq!(desktop, agent);
        }
        let read = |r: Response| -> Incoming {
            serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap()
        };
        assert!(matches!(
            read(Response::Desktop(Ok(serde_json::json!({ "total": 1 })))),
            Incoming::Desktop(Ok(v)) if v["total"] == 1
        ));
        assert!(matches!(
            read(Response::Attached {
                vault_id: "v".into(),
                account_id: "a".into(),
                region: "r".into(),
                operator: "admin".into(),
            }),
            Incoming::Attached { operator, .. } if operator == "admin"
        ));
        assert!(matches!(read(Response::Revision(3)), Incoming::Revision(3)));
        assert!(matches!(
            read(Response::Refused("no".into())),
            Incoming::Refused(m) if m == "no"
        ));
    }

    #[test]
    fn durations_take_seconds_minutes_hours_and_days() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43200)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86400)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("5w").is_err());
        assert!(parse_duration("m").is_err());
    }

    #[test]
    fn a_console_removing_an_operator_through_the_session_sees_the_re_keys_progress_then_its_result()
     {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault_with_a_second_operator(dir.path());
        let (agent_end, console_end) = UnixStream::pair().unwrap();
        let answer = console_answer(
            &vault,
            ConsoleRequest::RemoveOperator { name: "bob".into() },
            &agent_end,
        );
        send(&agent_end, &answer).unwrap();
        let mut steps = vec![];
        let got = receive_answer(BufReader::new(&console_end), &mut |s| steps.push(s)).unwrap();
        let Response::Console(loaded) = &got else {
            panic!("a console answer");
        };
        assert!(matches!(**loaded, ConsoleAnswer::Done(_)), "{loaded:?}");
        let phases: Vec<_> = steps.iter().map(|s| s.phase).collect();
        for phase in [
            coffer_core::vault::RekeyPhase::Keys,
            coffer_core::vault::RekeyPhase::Secrets,
            coffer_core::vault::RekeyPhase::Audit,
        ] {
            assert!(phases.contains(&phase), "{phase:?} in {phases:?}");
        }
        let last = steps.last().unwrap();
        assert!(last.phase_done(), "{last:?}");
        assert!(
            vault
                .list_operators(&vault.caller(FrontEnd::Tui))
                .unwrap()
                .operators
                .iter()
                .all(|o| o.operator_name != "bob")
        );
    }

    #[test]
    fn a_forwarded_operator_removal_reports_its_progress_before_its_answer() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Arc::new(vault_with_a_second_operator(dir.path()));
        let status = Status {
            vault: dir.path().join("vault.db"),
            operator: "admin".into(),
            pid: std::process::id(),
            socket: dir.path().join("socket"),
            idle_seconds: 60,
            max_age_seconds: 60,
        };
        let (agent_end, cli_end) = UnixStream::pair().unwrap();
        let argv = ["coffer", "operator", "remove", "bob"]
            .map(String::from)
            .to_vec();
        let answer = run(&vault, &status, argv, dir.path(), None, &agent_end);
        send(&agent_end, &answer).unwrap();
        let mut steps = vec![];
        let got = receive_answer(BufReader::new(&cli_end), &mut |s| steps.push(s)).unwrap();
        assert!(matches!(got, Response::Json(_)), "the removal's answer");
        assert!(steps.len() >= 3, "{steps:?}");
        assert!(steps.last().unwrap().phase_done());
    }
}
