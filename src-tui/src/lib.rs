//! `coffer`: the terminal console (no subcommand), an AWS Secrets Manager-style CLI, and
//! the tools around a Coffer vault. The binary (`src/main.rs`) is [`main`]; the console's
//! benchmark drives [`tui`] through this library.

mod cli;
mod demo;
mod inject;
mod launch;
mod refs;
mod run;
mod serve;
mod session;
pub mod tui;
mod unlock;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use coffer_core::{InitOptions, Operation, Vault};

use cli::output::OutputFormat;

/// An offline secrets vault that behaves like AWS Secrets Manager.
///
/// With no subcommand, opens the terminal console on the vault. The operation subcommands
/// are named and flagged like `aws secretsmanager` and print the AWS response JSON.
#[derive(Debug, Parser)]
#[command(
    name = "coffer",
    version = env!("COFFER_VERSION"),
    propagate_version = true,
    max_term_width = 100
)]
struct Cli {
    /// The vault file [default: $XDG_DATA_HOME/coffer/vault.db].
    #[arg(long, env = "COFFER_VAULT", global = true)]
    vault: Option<PathBuf>,
    /// The operator to unlock as (needed when the vault has several).
    #[arg(long, env = "COFFER_OPERATOR", global = true)]
    operator: Option<String>,
    /// Read the passphrase from the first line of this file (COFFER_PASSPHRASE works too).
    #[arg(long, global = true)]
    passphrase_file: Option<PathBuf>,
    /// Output format of operation results.
    #[arg(long, value_enum, default_value = "json", global = true)]
    output: OutputFormat,
    /// A JMESPath expression applied to the result, as in the AWS CLI.
    #[arg(long, global = true)]
    query: Option<String>,
    /// Console only: refuse every write.
    #[arg(long, global = true)]
    read_only: bool,
    /// Console only: lock after this many idle seconds.
    #[arg(long, default_value_t = 300, global = true)]
    idle_lock_seconds: u64,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Creates a vault file and its first operator (an administrator).
    Init {
        /// 12 digits [default: random].
        #[arg(long)]
        account_id: Option<String>,
        #[arg(long, default_value = "us-east-1")]
        region: String,
        /// Argon2id memory in KiB (at least 19456; default 65536).
        #[arg(long, hide = true)]
        kdf_memory_kib: Option<u32>,
        /// Argon2id passes (at least 2; default 3).
        #[arg(long, hide = true)]
        kdf_iterations: Option<u32>,
    },
    /// Creates a throwaway demo vault with realistic content and opens the console on it.
    Demo {
        /// Where to put it [default: a new temporary directory].
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Only create it and print its path and passphrase.
        #[arg(long)]
        no_tui: bool,
    },
    /// Prints a shell completion script.
    Completion { shell: clap_complete::Shell },
    /// Writes the man pages (coffer.1 and one per subcommand) into a directory, for packages.
    #[command(hide = true)]
    Manpages { dir: PathBuf },
    /// Serves the AWS Secrets Manager API (JSON 1.1, SigV4) for boto3, the AWS CLI and the
    /// SDKs: on the vault, or with --ephemeral as an in-memory emulator.
    Serve(serve::ServeArgs),
    /// Runs a command with secrets in its environment (values are never printed).
    Run {
        /// A secret to read: a JSON object's keys become variables (never PATH, LD_*,
        /// PYTHON*... unless named here); a plain string one variable named after the
        /// secret; `ID=VAR` names the variable, `ID#KEY=VAR` takes one JSON key.
        #[arg(long = "secret-id", value_name = "ID[#KEY][=VAR]")]
        secret_ids: Vec<String>,
        /// A file of `VAR=secret-id` or `VAR=secret-id#json-key` lines.
        #[arg(long)]
        env_file: Option<PathBuf>,
        /// Put before the variable names made from a secret.
        #[arg(long, default_value = "")]
        prefix: String,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<String>,
        /// Pass the program's output on as it is: values it prints are not concealed.
        #[arg(long)]
        no_masking: bool,
    },
    /// Writes a template with its {{resolve:secretsmanager:ID:SecretString:KEY:STAGE:VERSION}}
    /// references (CloudFormation's dynamic references) resolved.
    Inject {
        /// The template [default: stdin].
        #[arg(short = 'i', long = "in-file", value_name = "FILE")]
        in_file: Option<PathBuf>,
        /// Where to write it, owner-only (0600) and atomically [default: stdout].
        #[arg(short = 'o', long = "out-file", value_name = "FILE")]
        out_file: Option<PathBuf>,
    },
    /// Rebuilds a vault from a `coffer backup` file as a new vault file (--vault, which
    /// must not exist), unlocked with one of its operators' passphrases.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
    /// Unlocks the vault once for this user's session: later commands take no passphrase
    /// until `coffer lock`, the idle time or the hard limit (a session already running is
    /// reused). Prints the session.
    Unlock {
        /// Lock after this long without a command (90s, 15m, 12h, 1d).
        #[arg(long, default_value = "15m", value_parser = session::parse_duration)]
        idle: Duration,
        /// Lock this long after unlocking, however busy.
        #[arg(long, default_value = "12h", value_parser = session::parse_duration)]
        max_age: Duration,
    },
    /// Ends the vault's session (`coffer unlock`): the next command asks for the passphrase.
    Lock,
    /// Lists what runs on the vault, as the consoles show it: its session agent
    /// (`coffer unlock`), SDK endpoint (`coffer serve`) and agent endpoint (`--agent`).
    Running,
    /// The session agent `coffer unlock` starts (reads the passphrase on stdin).
    #[command(hide = true)]
    SessionAgent {
        #[arg(long)]
        idle_seconds: u64,
        #[arg(long)]
        max_age_seconds: u64,
    },
    #[command(flatten)]
    Op(cli::Op),
}

impl Cli {
    /// `coffer replica-region add --region R --vault FILE`, as the replica's docs write it:
    /// there `--vault` on the command line is the replica file (unless --replica-vault is
    /// given) and the primary is COFFER_VAULT or the default vault.
    fn vault_names_the_replica_in_replica_region_add(&mut self, vault_on_command_line: bool) {
        if let Some(Command::Op(cli::Op::ReplicaRegion(cli::replicas::ReplicaRegionOp::Add {
            replica_vault: replica @ None,
            ..
        }))) = &mut self.command
            && vault_on_command_line
        {
            *replica = self.vault.take();
            self.vault = std::env::var_os("COFFER_VAULT").map(PathBuf::from);
        }
    }
}

/// The `coffer` command: parses its command line and runs it; the process's exit code.
pub fn main() -> ExitCode {
    // Before anything is unlocked: no core file, no debugger attaching.
    if let Err(e) = coffer_core::process::harden() {
        eprintln!("coffer: cannot protect this process's memory: {e}");
        return ExitCode::from(255);
    }
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let args = match parsed {
        Ok((mut cli, matches)) => {
            let vault_given = matches.value_source("vault") == Some(ValueSource::CommandLine);
            if vault_given && matches!(&cli.command, Some(Command::Serve(s)) if s.ephemeral) {
                // The emulator keeps nothing on disk: a vault named for it is a mistake to
                // say, not to ignore (COFFER_VAULT in the environment is not a request).
                let _ = Cli::command()
                    .error(
                        clap::error::ErrorKind::ArgumentConflict,
                        "--ephemeral serves in-memory vaults and cannot be used with --vault",
                    )
                    .print();
                return ExitCode::from(252);
            }
            cli.vault_names_the_replica_in_replica_region_add(vault_given);
            cli
        }
        Err(e) => {
            let _ = e.print();
            // The AWS CLI exits 252 when the command line itself is wrong.
            return ExitCode::from(if e.use_stderr() { 252 } else { 0 });
        }
    };
    match run(args) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => match e.downcast_ref::<Failure>() {
            Some(f) => {
                eprintln!("{f}");
                ExitCode::from(f.exit_code())
            }
            None => {
                eprintln!("coffer: {e:#}");
                ExitCode::from(255)
            }
        },
    }
}

/// A vault error with the operation it happened in, shown as the AWS CLI shows errors.
#[derive(Debug)]
struct Failure {
    operation: Operation,
    error: coffer_core::Error,
    unlocking: bool,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.unlocking {
            return write!(
                f,
                "coffer: cannot unlock the vault ({}): {}",
                self.error.code, self.error.message
            );
        }
        write!(
            f,
            "\nAn error occurred ({}) when calling the {} operation: {}",
            self.error.code, self.operation, self.error.message
        )
    }
}

impl std::error::Error for Failure {}

impl Failure {
    /// The AWS CLI's exit codes: 254 for a service error, 253 for bad configuration.
    fn exit_code(&self) -> u8 {
        if self.unlocking { 253 } else { 254 }
    }
}

fn vault_error(operation: Operation, unlocking: bool) -> impl Fn(anyhow::Error) -> anyhow::Error {
    move |e| match e.downcast::<coffer_core::Error>() {
        Ok(error) => Failure {
            operation,
            error,
            unlocking,
        }
        .into(),
        Err(e) => e,
    }
}

/// Argon2id settings given on the command line (for tests and slow machines).
pub fn kdf_choice(memory_kib: Option<u32>, iterations: Option<u32>) -> Option<(u32, u32)> {
    match (memory_kib, iterations) {
        (None, None) => None,
        (m, t) => Some((
            m.unwrap_or(coffer_core::KdfParams::DEFAULT_MEMORY_KIB),
            t.unwrap_or(coffer_core::KdfParams::DEFAULT_ITERATIONS),
        )),
    }
}

/// Runs `f` with where `coffer run` and `coffer inject` read values: the vault's session
/// when one answers, else the vault unlocked here with the passphrase.
fn with_reader<T>(
    path: &std::path::Path,
    operator: Option<&str>,
    passphrase_file: Option<&std::path::Path>,
    f: impl FnOnce(&refs::Reader) -> Result<T>,
) -> Result<T> {
    if session::is_running(path) {
        return f(&refs::Reader::Session {
            vault: path,
            operator,
        });
    }
    let pass = unlock::passphrase(passphrase_file, path)?;
    let vault = Vault::open(path, operator, &pass)
        .map_err(anyhow::Error::from)
        .map_err(vault_error(Operation::Unlock, true))?;
    f(&refs::Reader::Vault {
        caller: vault.caller(coffer_core::FrontEnd::Cli),
        vault: &vault,
    })
}

fn run(args: Cli) -> Result<i32> {
    let Cli {
        vault,
        operator,
        passphrase_file,
        output,
        query,
        read_only,
        idle_lock_seconds,
        command,
    } = args;
    let path = vault.unwrap_or_else(unlock::default_vault_path);
    let idle_lock = Duration::from_secs(idle_lock_seconds.max(1));
    match command {
        None => {
            tui::run(launch::Launch {
                vault_path: path,
                operator,
                passphrase: unlock::given_passphrase(passphrase_file.as_deref())?,
                read_only,
                idle_lock,
            })?;
            Ok(0)
        }
        Some(Command::Init {
            account_id,
            region,
            kdf_memory_kib,
            kdf_iterations,
        }) => {
            let pass = unlock::new_passphrase(passphrase_file.as_deref())?;
            let kdf = kdf_choice(kdf_memory_kib, kdf_iterations);
            let vault = Vault::init(
                &path,
                InitOptions {
                    account_id,
                    region: Some(region),
                    operator: operator.unwrap_or_else(|| "admin".into()),
                    passphrase: pass,
                    kdf,
                },
            )
            .map_err(anyhow::Error::from)
            .map_err(vault_error(Operation::InitializeVault, false))?;
            let info = vault.info();
            let v = serde_json::json!({
                "Vault": path.display().to_string(),
                "AccountId": info.account_id,
                "Region": info.region,
                "Operator": info.operator,
            });
            cli::print(cli::Outcome::Json(v), output, query.as_deref())
        }
        Some(Command::Demo { dir, no_tui }) => {
            let made = demo::create(dir.as_deref())?;
            eprintln!("Demo vault: {}", made.path.display());
            eprintln!("Operator:   {}", made.operator);
            eprintln!("Passphrase: {}", made.passphrase_text.as_str());
            if no_tui {
                println!("{}", serde_json::to_string_pretty(&made.summary)?);
                return Ok(0);
            }
            tui::run(launch::Launch {
                vault_path: made.path,
                operator: Some(made.operator),
                // A throwaway vault: the console opens unlocked (its passphrase was printed above).
                passphrase: Some(coffer_core::Passphrase::new(
                    made.passphrase_text.to_string(),
                )),
                read_only,
                idle_lock,
            })?;
            Ok(0)
        }
        Some(Command::Completion { shell }) => {
            clap_complete::generate(shell, &mut Cli::command(), "coffer", &mut std::io::stdout());
            Ok(0)
        }
        Some(Command::Manpages { dir }) => {
            clap_mangen::generate_to(Cli::command(), &dir)?;
            Ok(0)
        }
        Some(Command::Serve(args)) => {
            // The background runner (a vault's rotations, retries, purges) lives as long as
            // the server; the emulator has none.
            let (backend, _background) = if args.ephemeral {
                let backend = serve::ephemeral_backend(&args)
                    .map_err(vault_error(Operation::InitializeVault, false))?;
                (backend, None)
            } else {
                let pass = unlock::passphrase(passphrase_file.as_deref(), &path)?;
                let vault = Vault::open(&path, operator.as_deref(), &pass)
                    .map_err(anyhow::Error::from)
                    .map_err(vault_error(Operation::Unlock, true))?;
                let (backend, runner) = serve::vault_backend(vault);
                (backend, Some(runner))
            };
            serve::serve(&args, backend)?;
            Ok(0)
        }
        Some(Command::Run {
            secret_ids,
            env_file,
            prefix,
            command,
            no_masking,
        }) => {
            let args = run::RunArgs {
                secret_ids,
                env_file,
                prefix,
                command,
                no_masking,
            };
            with_reader(
                &path,
                operator.as_deref(),
                passphrase_file.as_deref(),
                |r| run::run(r, args),
            )
            .map_err(vault_error(Operation::GetSecretValue, false))
        }
        Some(Command::Inject { in_file, out_file }) => {
            with_reader(
                &path,
                operator.as_deref(),
                passphrase_file.as_deref(),
                |r| inject::inject(r, in_file.as_deref(), out_file.as_deref()),
            )
            .map_err(vault_error(Operation::GetSecretValue, false))?;
            Ok(0)
        }
        Some(Command::Restore { from }) => {
            let pass = unlock::passphrase(passphrase_file.as_deref(), &from)?;
            let outcome = cli::backup::restore(&from, &path, operator.as_deref(), &pass)
                .map_err(vault_error(Operation::RestoreVault, false))?;
            cli::print(outcome, output, query.as_deref())
        }
        Some(Command::Unlock { idle, max_age }) => {
            let (status, started) = session::unlock(
                &path,
                operator.as_deref(),
                passphrase_file.as_deref(),
                idle,
                max_age,
            )
            .map_err(vault_error(Operation::Unlock, true))?;
            let mut v = serde_json::to_value(&status)?;
            v["Started"] = started.into();
            cli::print(cli::Outcome::Json(v), output, query.as_deref())
        }
        Some(Command::Lock) => {
            if !session::lock(&path)? {
                eprintln!("coffer: no session for {}", path.display());
            }
            Ok(0)
        }
        Some(Command::Running) => {
            let running: Vec<_> = coffer_core::running::running(&path)
                .into_iter()
                .map(|r| {
                    serde_json::json!({
                        "FrontEnd": r.front_end,
                        "Pid": r.pid,
                        "Address": r.address,
                        "Operator": r.operator,
                        "Started": r.started_ms as f64 / 1000.0,
                    })
                })
                .collect();
            let v = serde_json::json!({ "Running": running });
            cli::print(cli::Outcome::Json(v), output, query.as_deref())
        }
        Some(Command::SessionAgent {
            idle_seconds,
            max_age_seconds,
        }) => session::agent(
            &path,
            operator.as_deref(),
            Duration::from_secs(idle_seconds.max(1)),
            Duration::from_secs(max_age_seconds.max(1)),
        ),
        Some(Command::Op(op)) => {
            let name = op.operation();
            if op.runs_in_session()
                && let Some(outcome) = session::forward(&path, operator.as_deref())
                    .map_err(vault_error(name, false))?
            {
                return cli::print(outcome, output, query.as_deref());
            }
            let pass = unlock::passphrase(passphrase_file.as_deref(), &path)?;
            let vault = Vault::open(&path, operator.as_deref(), &pass)
                .map_err(anyhow::Error::from)
                .map_err(vault_error(Operation::Unlock, true))?;
            let vault = std::sync::Arc::new(vault);
            let mut line = cli::rekey::RekeyLine::new();
            let outcome = cli::run(
                &vault,
                op,
                Some(&pass),
                coffer_core::FrontEnd::Cli,
                &mut |p, d, t| line.update(p, d, t),
            )
            .map_err(vault_error(name, false))?;
            cli::print(outcome, output, query.as_deref())
        }
    }
}
