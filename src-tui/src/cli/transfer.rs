//! `coffer import` and `coffer export`: secrets from `.env` and JSON files, and secrets
//! out as `.env`, JSON or YAML. The formats live in `coffer_core::transfer`; the reads and
//! writes go through the vault (`import_secrets`, `get_secret_value`), audited there.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{ArgGroup, Args, ValueEnum};
use coffer_core::api::GetSecretValueRequest;
use coffer_core::transfer::{self, Format};
use coffer_core::{Caller, Vault};
use zeroize::Zeroizing;

use super::{Outcome, json};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["from_env", "from_json"])))]
pub struct ImportArgs {
    /// A .env file: one secret per variable, named --name-prefix + KEY.
    #[arg(long, value_name = "FILE")]
    from_env: Option<PathBuf>,
    /// A JSON file holding one object: one secret per top-level key.
    #[arg(long, value_name = "FILE")]
    from_json: Option<PathBuf>,
    /// Put before every secret name made from a key (e.g. dev/app/).
    #[arg(long, default_value = "")]
    name_prefix: String,
    /// Import the whole file as this one JSON secret instead.
    #[arg(long, conflicts_with = "name_prefix")]
    as_secret: Option<String>,
    /// Print what would be created, updated or left unchanged (names only); write nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Dotenv,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The secret(s) to export (AWSCURRENT); their variables are merged.
    #[arg(long = "secret-id", required = true, num_args = 1..)]
    secret_ids: Vec<String>,
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Print the plaintext on a terminal without asking.
    #[arg(long)]
    yes: bool,
}

pub fn import(vault: &Vault, caller: &Caller, args: ImportArgs) -> Result<Outcome> {
    let (path, is_env) = match (args.from_env, args.from_json) {
        (Some(p), _) => (p, true),
        (None, Some(p)) => (p, false),
        (None, None) => bail!("give --from-env FILE or --from-json FILE"),
    };
    let text = Zeroizing::new(
        std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?,
    );
    let parse = if is_env {
        transfer::from_env
    } else {
        transfer::from_json
    };
    let entries = parse(&text, &args.name_prefix, args.as_secret.as_deref()).map_err(|e| {
        coffer_core::Error::new(e.code, format!("{}: {}", path.display(), e.message))
    })?;
    json(&vault.import_secrets(caller, entries, args.dry_run)?)
}

/// Whether plaintext may go to standard output: always when it is not a terminal; on a
/// terminal with --yes, or when the operator answers y.
fn may_print(count: usize, yes: bool) -> Result<()> {
    if yes || !std::io::stdout().is_terminal() {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        bail!("refusing to print secret values on a terminal: pass --yes, or redirect to a file");
    }
    eprint!("This prints the plaintext of {count} secret(s) on your terminal. Continue? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if !matches!(answer.trim(), "y" | "Y" | "yes") {
        bail!("nothing was exported");
    }
    Ok(())
}

pub fn export(vault: &Vault, caller: &Caller, args: ExportArgs) -> Result<Outcome> {
    may_print(args.secret_ids.len(), args.yes)?;
    let mut secrets = Vec::with_capacity(args.secret_ids.len());
    for id in args.secret_ids {
        let got = vault.get_secret_value(
            caller,
            GetSecretValueRequest {
                secret_id: id,
                ..Default::default()
            },
        )?;
        secrets.push((got.name, got.value));
    }
    let format = match args.format {
        ExportFormat::Dotenv => Format::Dotenv,
        ExportFormat::Json => Format::Json,
        ExportFormat::Yaml => Format::Yaml,
    };
    let text = transfer::render(format, &secrets)?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(Outcome::Json(serde_json::Value::Null))
}
