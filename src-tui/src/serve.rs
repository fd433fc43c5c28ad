//! `coffer serve`: the AWS Secrets Manager endpoint on the unlocked vault, or with
//! `--ephemeral` an in-memory emulator (one vault per region, nothing on disk). With
//! `--agent`, the AWS Secrets Manager Agent's local protocol beside it, on the vault.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use coffer_core::background::{BackgroundStatus, Ran, Runner};
use coffer_core::running::{self, Announcement, Running};
use coffer_core::server::{self, AgentOptions, Backend, Limits, Listening, Options, TlsSource};
use coffer_core::{FrontEnd, Vault};

/// `coffer serve`'s flags.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on (loopback unless another is given; port 0 picks one). Off
    /// loopback the endpoint needs TLS, or --insecure-plain-http.
    #[arg(long, default_value = "127.0.0.1:4566")]
    pub listen: SocketAddr,
    /// No vault: one in-memory vault per region, any well-formed SigV4 credentials. Loopback
    /// only; refuses --vault.
    #[arg(long)]
    pub ephemeral: bool,
    /// The emulator's account id [default: 123456789012].
    #[arg(long, requires = "ephemeral")]
    pub account_id: Option<String>,
    /// The most regions the emulator makes on first use; a request for one more is refused.
    #[arg(long, requires = "ephemeral", default_value_t = server::DEFAULT_MAX_REGIONS)]
    pub max_regions: usize,
    /// TLS with this PEM certificate chain (with --tls-key).
    #[arg(long, requires = "tls_key", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// TLS with a certificate made for this run (its key stays in memory), written to FILE
    /// for clients to trust; its SHA-256 fingerprint is printed.
    #[arg(long, value_name = "FILE", conflicts_with = "tls_cert")]
    pub tls_self_signed: Option<PathBuf>,
    /// Another host name or address for the --tls-self-signed certificate (repeatable).
    #[arg(long, value_name = "NAME", requires = "tls_self_signed")]
    pub tls_name: Vec<String>,
    /// Serve plain HTTP on a non-loopback address: values cross the network in clear.
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_self_signed"])]
    pub insecure_plain_http: bool,
    /// Seconds a request's headers may take to arrive (and an idle connection is kept).
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().header_timeout.as_secs())]
    pub header_timeout: u64,
    /// Seconds a request's body may take to arrive after its headers.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().body_timeout.as_secs())]
    pub body_timeout: u64,
    /// Connections open at once, from all clients.
    #[arg(long, default_value_t = Limits::default().max_connections)]
    pub max_connections: usize,
    /// Connections open at once from one source address (all local clients share one).
    #[arg(long, default_value_t = Limits::default().max_connections_per_address)]
    pub max_connections_per_address: usize,
    /// Seconds requests in progress may take to finish after SIGINT or SIGTERM.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().shutdown_grace.as_secs())]
    pub shutdown_grace: u64,
    /// Also answer the AWS Secrets Manager Agent's (and the Lambda extension's) local
    /// protocol on ADDR (loopback only) [default: 127.0.0.1:2773]. Its SSRF token comes
    /// from AWS_TOKEN, AWS_SESSION_TOKEN or AWS_CONTAINER_AUTHORIZATION_TOKEN (the first
    /// set; `file://PATH` reads it from a file).
    #[arg(long, value_name = "ADDR", num_args = 0..=1,
          default_missing_value = server::agent::DEFAULT_LISTEN, conflicts_with = "ephemeral")]
    pub agent: Option<SocketAddr>,
    /// The agent endpoint's path-style prefix (`GET <prefix><secret-id>`).
    #[arg(long, value_name = "PREFIX", default_value = server::agent::DEFAULT_PATH_PREFIX)]
    pub agent_path_prefix: String,
    /// The principal (IAM user or role ARN) the agent endpoint's reads act and are audited
    /// as, held to its policies [default: the operator who unlocked the vault].
    #[arg(long, value_name = "ARN", requires = "agent")]
    pub agent_principal: Option<String>,
    /// Connections the agent endpoint serves at once (1 to 1000, as the agent's
    /// `max_conn`); requests on connections past it are answered 429.
    #[arg(long, value_name = "N", default_value_t = server::agent::DEFAULT_MAX_CONN, requires = "agent")]
    pub agent_max_conn: usize,
}

impl ServeArgs {
    /// The agent endpoint, when asked for, with its token read from the environment.
    fn agent(&self) -> Result<Option<AgentOptions>> {
        let Some(listen) = self.agent else {
            return Ok(None);
        };
        let token =
            server::agent::token_from(|n| std::env::var(n).ok()).map_err(anyhow::Error::msg)?;
        Ok(Some(AgentOptions {
            listen,
            path_prefix: self.agent_path_prefix.clone(),
            principal: self.agent_principal.clone(),
            token,
            max_conn: self.agent_max_conn,
        }))
    }

    fn options(&self) -> Result<Options> {
        let tls = match (&self.tls_cert, &self.tls_key, &self.tls_self_signed) {
            (Some(cert), Some(key), _) => Some(TlsSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            }),
            (_, _, Some(out)) => Some(TlsSource::SelfSigned {
                cert_out: out.clone(),
                names: self.tls_name.clone(),
            }),
            _ => None,
        };
        Ok(Options {
            agent: self.agent()?,
            listen: self.listen,
            tls,
            insecure_plain_http: self.insecure_plain_http,
            limits: Limits {
                header_timeout: Duration::from_secs(self.header_timeout),
                body_timeout: Duration::from_secs(self.body_timeout),
                max_connections: self.max_connections,
                max_connections_per_address: self.max_connections_per_address,
                shutdown_grace: Duration::from_secs(self.shutdown_grace),
            },
        })
    }
}

/// The emulator's account when none is given (the one AWS's documentation uses).
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";
/// The emulator's first region (others are made on first use).
const FIRST_REGION: &str = "us-east-1";

/// Serves until SIGINT or SIGTERM; prints `Listening on http(s)://ADDR` (flushed) once bound,
/// with TLS the certificate's fingerprint and file on the next lines, and with `--agent`
/// `Agent listening on http://ADDR` last.
pub fn serve(args: &ServeArgs, backend: Backend) -> Result<()> {
    let options = args.options()?;
    let listen = options.listen;
    let mode = match &backend {
        Backend::Vault(v) => format!(
            "vault {} (account {}, region {})",
            v.info()
                .path
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            v.info().account_id,
            v.info().region
        ),
        Backend::Ephemeral { account_id, .. } => {
            format!("ephemeral emulator (account {account_id}, regions in memory)")
        }
    };
    if let Some(warning) = options.warning() {
        eprintln!("coffer serve: {warning}");
    }
    let announce_for = match &backend {
        Backend::Vault(v) => v
            .info()
            .path
            .clone()
            .map(|p| (p, v.info().operator.clone())),
        Backend::Ephemeral { .. } => None,
    };
    // Held while serving: the consoles show the endpoints of this vault while they are.
    let mut announced = vec![];
    server::run(options, backend, |listening| {
        if let Some((vault, operator)) = &announce_for {
            announced = announce(vault, operator, listening);
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "Listening on {}", listening.url());
        if let Some((fingerprint, file)) = &listening.tls {
            let _ = writeln!(out, "TLS certificate SHA-256 fingerprint: {fingerprint}");
            let _ = writeln!(
                out,
                "TLS certificate for clients to trust: {}",
                file.display()
            );
        }
        if let Some(agent) = listening.agent {
            let _ = writeln!(out, "Agent listening on http://{agent}");
        }
        let _ = out.flush();
        eprintln!("coffer serve: {mode}; SIGINT or SIGTERM stops it");
    })
    .with_context(|| format!("cannot serve on {listen}"))
}

/// Announces the endpoints `listening` describes as running for `vault` (for the consoles);
/// a runtime directory that cannot be used is said on stderr and changes nothing else.
fn announce(vault: &Path, operator: &str, listening: &Listening) -> Vec<Announcement> {
    let started_ms = jiff::Timestamp::now().as_millisecond();
    let endpoints = std::iter::once((FrontEnd::Endpoint, listening.url()))
        .chain(listening.agent.map(|a| (FrontEnd::Agent, a.to_string())));
    let mut out = vec![];
    for (front_end, address) in endpoints {
        let running = Running {
            front_end,
            pid: std::process::id(),
            address,
            operator: operator.to_string(),
            started_ms,
        };
        match running::announce(vault, &running) {
            Ok(a) => out.push(a),
            Err(e) => eprintln!("coffer serve: the consoles will not see this endpoint: {e}"),
        }
    }
    out
}

/// The endpoint on the vault, with the core's background runner beside it: due, requested
/// and approved rotations, replication retries and purges run while the server does (and
/// stop when the returned runner is dropped). What each pass did is logged as JSON lines.
pub fn vault_backend(vault: Vault) -> (Backend, Runner) {
    let vault = Arc::new(vault);
    let runner = Runner::start(vault.clone(), Box::new(log_pass));
    (Backend::vault(vault), runner)
}

/// A pass of the background runner on stderr: one line per rotation that moved, per failed
/// job, and per purge or replication push that did something.
fn log_pass(ran: &[Ran], status: &BackgroundStatus) {
    for r in ran {
        let line = match r {
            Ran::Rotations(attempts) => {
                for a in attempts {
                    let line = serde_json::json!({
                        "rotation": a.secret_name,
                        "status": a.status,
                        "versionId": a.token,
                        "error": a.error,
                    });
                    eprintln!("{line}");
                }
                continue;
            }
            Ran::Replication(report) if report.synced + report.removed + report.promoted > 0 => {
                serde_json::json!({ "replication": report.sentence() })
            }
            Ran::Purged(n) if *n > 0 => serde_json::json!({ "purged": n }),
            Ran::Replication(_) | Ran::Purged(_) => continue,
        };
        eprintln!("{line}");
    }
    for job in status.jobs.iter().filter(|j| j.last_error.is_some()) {
        eprintln!(
            "{}",
            serde_json::json!({ "background": job.job, "error": job.last_error, "failures": job.failures })
        );
    }
}

pub fn ephemeral_backend(args: &ServeArgs) -> Result<Backend> {
    let account = args
        .account_id
        .clone()
        .unwrap_or_else(|| DEFAULT_ACCOUNT_ID.to_string());
    Backend::ephemeral(&account, FIRST_REGION, args.max_regions).map_err(anyhow::Error::from)
}
