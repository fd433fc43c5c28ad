//! `coffer import` and `coffer export`: secrets from `.env` and JSON files, and secrets
//! out as `.env`, JSON or YAML. The formats live in `coffer_core::transfer`; the reads and
//! writes go through the vault (`import_secrets`, `get_secret_value`), audited there.
//!
//! With `--from-endpoint URL` / `--to-endpoint URL`, secrets are copied from or to another
//! Secrets Manager endpoint (AWS, `coffer serve`, an emulator) by
//! `coffer_core::transfer::remote`: every labelled version with its labels, tags,
//! description and resource policy; running it again changes nothing already equal.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{ArgGroup, Args, ValueEnum};
use coffer_core::api::GetSecretValueRequest;
use coffer_core::transfer::remote::{self, EndpointOptions, Selection};
use coffer_core::transfer::{self, Format};
use coffer_core::{Caller, Vault};
use zeroize::Zeroizing;

use super::{Outcome, args, json};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["from_env", "from_json", "from_endpoint"])))]
pub struct ImportArgs {
    /// A .env file: one secret per variable, named --name-prefix + KEY.
    #[arg(long, value_name = "FILE")]
    from_env: Option<PathBuf>,
    /// A JSON file holding one object: one secret per top-level key.
    #[arg(long, value_name = "FILE")]
    from_json: Option<PathBuf>,
    /// A Secrets Manager endpoint (https://secretsmanager.REGION.amazonaws.com, a coffer
    /// serve, an emulator): copies its secrets with every labelled version, label, tag,
    /// description and resource policy. Signed with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
    /// (and AWS_SESSION_TOKEN) or --profile.
    #[arg(long, value_name = "URL")]
    from_endpoint: Option<String>,
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// With --from-endpoint: only these secrets (names or ARNs at the endpoint).
    #[arg(long = "secret-id", num_args = 1.., requires = "from_endpoint")]
    secret_ids: Vec<String>,
    /// Put before every secret name made from a key (e.g. dev/app/).
    #[arg(long, default_value = "", conflicts_with = "from_endpoint")]
    name_prefix: String,
    /// Import the whole file as this one JSON secret instead.
    #[arg(long, conflicts_with_all = ["name_prefix", "from_endpoint"])]
    as_secret: Option<String>,
    /// Print what would be created, updated or left unchanged (names only); write nothing.
    #[arg(long)]
    dry_run: bool,
}

/// The flags of a copy from or to another endpoint.
#[derive(Debug, Args)]
pub struct EndpointArgs {
    /// The region to sign for (default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// The profile of ~/.aws/credentials (or AWS_SHARED_CREDENTIALS_FILE) to sign with,
    /// instead of the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment.
    #[arg(long)]
    profile: Option<String>,
    /// Which secrets: Key=name,Values=prod/ (a name prefix; also description, tag-key,
    /// tag-value, all — as ListSecrets), repeatable, or JSON.
    #[arg(long, num_args = 1..)]
    filters: Vec<String>,
}

impl EndpointArgs {
    /// Refuses endpoint flags given without the endpoint they go with.
    fn only_with(&self, endpoint_flag: &str) -> Result<()> {
        if self.region.is_some() || self.profile.is_some() || !self.filters.is_empty() {
            bail!("--region, --profile and --filters go with {endpoint_flag}");
        }
        Ok(())
    }

    /// Copies between the vault and the endpoint at `url`: `direction` is
    /// [`remote::import`] or [`remote::export`].
    fn copy(
        &self,
        direction: remote::Direction,
        url: String,
        secret_ids: Vec<String>,
        dry_run: bool,
        vault: &Vault,
        caller: &Caller,
    ) -> Result<Outcome> {
        let client = remote::connect(
            &EndpointOptions {
                url,
                region: self.region.clone(),
                profile: self.profile.clone(),
            },
            &remote::process_env,
        )?;
        let selection = Selection {
            secret_ids,
            filters: args::filters(&self.filters)?,
        };
        json(&direction(vault, caller, &client, &selection, dry_run)?)
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Dotenv,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The secret(s) to export (AWSCURRENT); their variables are merged. With
    /// --to-endpoint: the secrets to copy (default: all, or those --filters select).
    #[arg(long = "secret-id", required_unless_present = "to_endpoint", num_args = 1..)]
    secret_ids: Vec<String>,
    #[arg(
        long,
        value_enum,
        required_unless_present = "to_endpoint",
        conflicts_with = "to_endpoint"
    )]
    format: Option<ExportFormat>,
    /// Print the plaintext on a terminal without asking.
    #[arg(long)]
    yes: bool,
    /// Copy the secrets to this Secrets Manager endpoint instead (AWS, a coffer serve, an
    /// emulator): every labelled version, label, tag, description and resource policy.
    #[arg(long, value_name = "URL")]
    to_endpoint: Option<String>,
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// With --to-endpoint: print what would be created, updated or left unchanged (names
    /// only); write nothing.
    #[arg(long, requires = "to_endpoint")]
    dry_run: bool,
}

pub fn import(vault: &Vault, caller: &Caller, args: ImportArgs) -> Result<Outcome> {
    if let Some(url) = args.from_endpoint {
        return args.endpoint.copy(
            remote::import,
            url,
            args.secret_ids,
            args.dry_run,
            vault,
            caller,
        );
    }
    args.endpoint.only_with("--from-endpoint")?;
    let (path, is_env) = match (args.from_env, args.from_json) {
        (Some(p), _) => (p, true),
        (None, Some(p)) => (p, false),
        (None, None) => bail!("give --from-env FILE, --from-json FILE or --from-endpoint URL"),
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
    if let Some(url) = args.to_endpoint {
        return args.endpoint.copy(
            remote::export,
            url,
            args.secret_ids,
            args.dry_run,
            vault,
            caller,
        );
    }
    args.endpoint.only_with("--to-endpoint")?;
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
    let format = match args
        .format
        .context("give --format (or --to-endpoint URL)")?
    {
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
