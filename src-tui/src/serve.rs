//! `coffer serve`: the AWS Secrets Manager endpoint on the unlocked vault, or with
//! `--ephemeral` an in-memory emulator (one vault per region, nothing on disk).

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use coffer_core::Vault;
use coffer_core::server::{self, Backend};

/// The emulator's account when none is given (the one AWS's documentation uses).
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";
/// The emulator's first region (others are made on first use).
const FIRST_REGION: &str = "us-east-1";

/// Serves until SIGINT or SIGTERM; prints `Listening on http://ADDR` (flushed) once bound.
pub fn serve(listen: SocketAddr, backend: Backend) -> Result<()> {
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
            format!("ephemeral emulator (account {account_id}, every region in memory)")
        }
    };
    server::run(listen, backend, |addr| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "Listening on http://{addr}");
        let _ = out.flush();
        eprintln!("coffer serve: {mode}; SIGINT or SIGTERM stops it");
    })
    .with_context(|| format!("cannot serve on {listen}"))
}

/// The endpoint on the vault, with the rotation scheduler running beside it: due,
/// requested and approved rotations run while the server does.
pub fn vault_backend(vault: Vault) -> Backend {
    let vault = Arc::new(vault);
    spawn_scheduler(vault.clone());
    Backend::vault(vault)
}

/// How often the scheduler looks for due rotations.
const SCHEDULER_PERIOD: std::time::Duration = std::time::Duration::from_secs(5);

fn spawn_scheduler(vault: Arc<Vault>) {
    let engine = coffer_core::rotation::Engine::new();
    std::thread::spawn(move || {
        loop {
            match engine.run_due(&vault) {
                Ok(ran) => {
                    for a in ran {
                        let line = serde_json::json!({
                            "rotation": a.secret_name,
                            "status": a.status,
                            "versionId": a.token,
                            "error": a.error,
                        });
                        eprintln!("{line}");
                    }
                }
                Err(e) => eprintln!(
                    "{}",
                    serde_json::json!({"rotation": null, "error": format!("{}: {}", e.code.as_str(), e.message)})
                ),
            }
            std::thread::sleep(SCHEDULER_PERIOD);
        }
    });
}

pub fn ephemeral_backend(account_id: Option<String>) -> Result<Backend> {
    let account = account_id.unwrap_or_else(|| DEFAULT_ACCOUNT_ID.to_string());
    Backend::ephemeral(&account, FIRST_REGION).map_err(anyhow::Error::from)
}
