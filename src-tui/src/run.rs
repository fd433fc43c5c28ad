//! `coffer run`: starts a program with secrets in its environment. Each secret is read once
//! with an audited GetSecretValue; values go to the child only, never to coffer's output.
//!
//! - `--secret-id ID`: a JSON object secret gives one variable per top-level key (upper-cased,
//!   other characters than letters and digits turned into `_`, after `--prefix`); any other
//!   string secret gives one variable named after the last segment of its name. Names that
//!   change how the program is loaded or run ([`names::refused`]) are refused: a secret
//!   does not choose them.
//! - `--secret-id ID=VAR`: the whole string value in `VAR`; `--secret-id ID#KEY=VAR`: one
//!   JSON key in `VAR`. The operator names the variable, so any valid name goes.
//! - `--env-file FILE`: lines `VAR=secret-id` or `VAR=secret-id#json-key`; blank lines and
//!   lines starting with `#` are skipped.
//!
//! - A variable of coffer's own environment whose value holds CloudFormation dynamic
//!   references (`DB_PASSWORD='{{resolve:secretsmanager:prod/db:SecretString:password}}'`,
//!   see [`crate::refs`]) reaches the program with them resolved; one that does not
//!   resolve stops the run, naming it. The operator named the variable, so any name goes.
//!
//! The program inherits coffer's environment without any `COFFER_*` variable: no
//! passphrase (`COFFER_PASSPHRASE`, `COFFER_NEW_PASSPHRASE`, `COFFER_REPLICA_PASSPHRASE`)
//! and no vault or operator reaches it.
//!
//! Every injected value the program writes to its stdout or stderr is shown as
//! `<concealed by coffer>` ([`mask`]) unless `--no-masking`. Masking reads the program's
//! output through a pipe, which changes how an interactive program behaves (full-screen
//! programs and line editing need a terminal, and many programs buffer what they write to
//! a pipe): so a stream is masked unless both it and stdin are terminals. A program run
//! interactively in a terminal keeps its terminal; its output in a log, a pipe or CI is
//! masked.

mod mask;
mod names;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, anyhow, bail};
use coffer_core::api::GetSecretValueRequest;
use coffer_core::model::json_text;
use zeroize::Zeroizing;

use crate::refs;

/// What `coffer run` was asked for.
#[derive(Debug, Default)]
pub struct RunArgs {
    pub secret_ids: Vec<String>,
    pub env_file: Option<std::path::PathBuf>,
    pub prefix: String,
    pub command: Vec<String>,
    /// Pass the program's output on as it is, values included.
    pub no_masking: bool,
}

/// One variable to set: from a secret, whole or one JSON key.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    /// Every top-level key of a JSON secret (or the whole string, named after the secret).
    Expand {
        secret_id: String,
    },
    Whole {
        secret_id: String,
        var: String,
    },
    Key {
        secret_id: String,
        key: String,
        var: String,
    },
}

fn valid_var(v: &str) -> bool {
    let mut b = v.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// `Prod/db-password` → `DB_PASSWORD` (after the prefix).
fn var_name(prefix: &str, raw: &str) -> String {
    let mut s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    s.insert_str(0, prefix);
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

fn parse_secret_arg(arg: &str) -> Source {
    match arg.rsplit_once('=') {
        Some((id, var)) if !id.is_empty() && valid_var(var) => match id.split_once('#') {
            Some((id, key)) if !id.is_empty() && !key.is_empty() => Source::Key {
                secret_id: id.to_string(),
                key: key.to_string(),
                var: var.to_string(),
            },
            _ => Source::Whole {
                secret_id: id.to_string(),
                var: var.to_string(),
            },
        },
        _ => Source::Expand {
            secret_id: arg.to_string(),
        },
    }
}

/// A variable named by a secret's JSON key `key` (or, with none, by the secret's name), not
/// by the operator: refused when it is no identifier or one a secret may not choose.
fn chosen_by_secret(secret_id: &str, key: Option<&str>, var: String) -> Result<String> {
    let map = match key {
        Some(k) => format!("--secret-id '{secret_id}#{k}=VAR'"),
        None => format!("--secret-id '{secret_id}=VAR'"),
    };
    if !valid_var(&var) {
        bail!(
            "the secret '{secret_id}' gives a variable name that is not an identifier ('{var}'); \
             name it yourself: {map}"
        );
    }
    if let Some(why) = names::refused(&var) {
        bail!(
            "the secret '{secret_id}' would set {var}, which a secret may not choose ({why}); \
             if you mean it, map it yourself: {}",
            map.replace("=VAR", &format!("={var}"))
        );
    }
    Ok(var)
}

/// Sets `var`, refusing a second source for the same variable (a secret must not replace
/// what the operator or another secret set).
fn set(
    vars: &mut BTreeMap<String, Zeroizing<String>>,
    var: String,
    value: Zeroizing<String>,
) -> Result<()> {
    if vars.contains_key(&var) {
        bail!("{var} would be set twice: give each variable one source");
    }
    vars.insert(var, value);
    Ok(())
}

fn parse_env_file(text: &str, path: &Path) -> Result<Vec<Source>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim();
        let (var, rest) = line
            .split_once('=')
            .filter(|(v, r)| valid_var(v.trim()) && !r.trim().is_empty())
            .ok_or_else(|| {
                anyhow!(
                    "{}:{}: expected VAR=secret-id or VAR=secret-id#json-key",
                    path.display(),
                    n + 1
                )
            })?;
        let (var, rest) = (var.trim().to_string(), rest.trim());
        out.push(match rest.split_once('#') {
            Some((id, key)) => Source::Key {
                secret_id: id.to_string(),
                key: key.to_string(),
                var,
            },
            None => Source::Whole {
                secret_id: rest.to_string(),
                var,
            },
        });
    }
    Ok(out)
}

fn secret_id(s: &Source) -> &str {
    match s {
        Source::Expand { secret_id }
        | Source::Whole { secret_id, .. }
        | Source::Key { secret_id, .. } => secret_id,
    }
}

/// The variables for `sources`, reading each secret once (an audited GetSecretValue).
fn variables(
    reader: &refs::Reader,
    sources: &[Source],
    prefix: &str,
) -> Result<BTreeMap<String, Zeroizing<String>>> {
    let mut values: BTreeMap<String, Zeroizing<String>> = BTreeMap::new();
    for s in sources {
        let id = secret_id(s);
        if values.contains_key(id) {
            continue;
        }
        let Some(text) = reader.secret_string(GetSecretValueRequest {
            secret_id: id.to_string(),
            ..Default::default()
        })?
        else {
            bail!("the secret '{id}' holds a binary value, which cannot be an environment variable")
        };
        values.insert(id.to_string(), text);
    }
    let mut vars = BTreeMap::new();
    for s in sources {
        let text = &values[secret_id(s)];
        match s {
            Source::Whole { var, .. } => set(&mut vars, var.clone(), text.clone())?,
            Source::Key {
                secret_id,
                key,
                var,
            } => {
                let obj: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(text).map_err(|_| {
                        anyhow!("the secret '{secret_id}' is not a JSON object, so it has no key '{key}'")
                    })?;
                let v = obj
                    .get(key)
                    .ok_or_else(|| anyhow!("the secret '{secret_id}' has no JSON key '{key}'"))?;
                set(&mut vars, var.clone(), Zeroizing::new(json_text(v.clone())))?;
            }
            Source::Expand { secret_id } => {
                match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
                    Ok(obj) => {
                        for (k, v) in &obj {
                            let var = chosen_by_secret(secret_id, Some(k), var_name(prefix, k))?;
                            set(&mut vars, var, Zeroizing::new(json_text(v.clone())))?;
                        }
                    }
                    Err(_) => {
                        let last = secret_id.rsplit(['/', ':']).next().unwrap_or(secret_id);
                        let var = chosen_by_secret(secret_id, None, var_name(prefix, last))?;
                        set(&mut vars, var, text.clone())?;
                    }
                }
            }
        }
    }
    Ok(vars)
}

/// The variables of coffer's environment that hold references, resolved (the values
/// handed out are left in `resolver.values`, for masking).
fn environment_references(
    resolver: &mut refs::Resolver<'_>,
) -> Result<BTreeMap<String, Zeroizing<String>>> {
    let mut out = BTreeMap::new();
    for (name, value) in std::env::vars_os() {
        if name.as_encoded_bytes().starts_with(b"COFFER_") {
            continue;
        }
        let Some(value) = value.to_str().filter(|v| refs::mentions_reference(v)) else {
            continue;
        };
        let name = name.to_string_lossy().into_owned();
        let resolved = resolver
            .substitute(value)
            .with_context(|| format!("in the environment variable {name}"))?;
        out.insert(name, resolved);
    }
    Ok(out)
}

/// Whether a stream of the program's is masked: unless masking is off, or the program runs
/// interactively (stdin a terminal) with that stream on a terminal too, which a pipe would
/// take from it.
fn masks(no_masking: bool, stdin_terminal: bool, stream_terminal: bool) -> bool {
    let interactive_terminal = stdin_terminal && stream_terminal;
    !(no_masking || interactive_terminal)
}

/// Reads the secrets, runs the command with them in its environment, and returns its exit
/// code (128 + the signal number when a signal ended it).
pub fn run(reader: &refs::Reader, args: RunArgs) -> Result<i32> {
    let mut sources: Vec<Source> = args
        .secret_ids
        .iter()
        .map(|a| parse_secret_arg(a))
        .collect();
    if let Some(path) = &args.env_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        sources.extend(parse_env_file(&text, path)?);
    }
    let mut resolver = refs::Resolver::new(reader);
    let referenced = environment_references(&mut resolver)?;
    if sources.is_empty() && referenced.is_empty() {
        bail!(
            "nothing to put in the environment: give --secret-id or --env-file, or set a variable to a {{{{resolve:secretsmanager:...}}}} reference"
        );
    }
    let mut vars = if sources.is_empty() {
        BTreeMap::new()
    } else {
        variables(reader, &sources, &args.prefix)?
    };
    for (var, value) in referenced {
        set(&mut vars, var, value)?;
    }
    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| anyhow!("no command given after --"))?;
    let mut cmd = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if name.as_encoded_bytes().starts_with(b"COFFER_") {
            cmd.env_remove(name);
        }
    }
    let interactive = std::io::stdin().is_terminal();
    let mask_out = masks(
        args.no_masking,
        interactive,
        std::io::stdout().is_terminal(),
    );
    let mask_err = masks(
        args.no_masking,
        interactive,
        std::io::stderr().is_terminal(),
    );
    let masker = || {
        mask::Masker::new(
            vars.values()
                .chain(resolver.values.iter())
                .map(|v| v.as_str()),
        )
    };
    let (out_masker, err_masker) = (mask_out.then(masker), mask_err.then(masker));
    if mask_out {
        cmd.stdout(Stdio::piped());
    }
    if mask_err {
        cmd.stderr(Stdio::piped());
    }
    let mut child = cmd
        .args(rest)
        .envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .spawn()
        .with_context(|| format!("cannot start {program}"))?;
    drop(vars);
    drop(resolver);
    let pumps: Vec<std::thread::JoinHandle<std::io::Result<()>>> =
        [
            child.stdout.take().zip(out_masker).map(|(from, m)| {
                std::thread::spawn(move || mask::pump(from, std::io::stdout(), m))
            }),
            child.stderr.take().zip(err_masker).map(|(from, m)| {
                std::thread::spawn(move || mask::pump(from, std::io::stderr(), m))
            }),
        ]
        .into_iter()
        .flatten()
        .collect();
    let status = child
        .wait()
        .with_context(|| format!("waiting for {program}"))?;
    for p in pumps {
        // A reader that went away (`| head`) ends the copy, not the run.
        let _ = p.join();
    }
    if let Some(code) = status.code() {
        return Ok(code);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return Ok(128 + sig);
        }
    }
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_upper_cased_with_underscores_after_the_prefix() {
        assert_eq!(var_name("", "db-password"), "DB_PASSWORD");
        assert_eq!(var_name("APP_", "user.name"), "APP_USER_NAME");
        assert_eq!(var_name("", "2fa"), "_2FA");
    }

    #[test]
    fn a_secret_may_not_choose_a_loader_variable_or_a_name_that_is_no_identifier() {
        let err = chosen_by_secret("s", Some("path"), var_name("", "path")).unwrap_err();
        assert!(
            err.to_string().contains("--secret-id 's#path=PATH'"),
            "{err}"
        );
        let err = chosen_by_secret("app/ld_preload", None, "LD_PRELOAD".into()).unwrap_err();
        assert!(
            err.to_string().contains("'app/ld_preload=LD_PRELOAD'"),
            "{err}"
        );
        assert!(chosen_by_secret("s", Some(""), var_name("", "")).is_err());
        assert_eq!(
            chosen_by_secret("s", Some("path"), var_name("APP_", "path")).unwrap(),
            "APP_PATH"
        );
    }

    #[test]
    fn output_is_masked_unless_turned_off_or_on_an_interactive_terminal() {
        assert!(masks(false, false, false));
        assert!(
            masks(false, false, true),
            "stdin redirected: not interactive"
        );
        assert!(masks(false, true, false), "output to a pipe or file");
        assert!(!masks(false, true, true));
        assert!(!masks(true, false, false));
    }

    #[test]
    fn one_variable_has_one_source() {
        let mut vars = BTreeMap::new();
        set(&mut vars, "A".into(), Zeroizing::new("1".into())).unwrap();
        assert!(set(&mut vars, "A".into(), Zeroizing::new("2".into())).is_err());
        assert_eq!(vars["A"].as_str(), "1");
    }

    #[test]
    fn secret_arguments_and_env_files_parse() {
        assert_eq!(
            parse_secret_arg("prod/db=DB_URL"),
            Source::Whole {
                secret_id: "prod/db".into(),
                var: "DB_URL".into()
            }
        );
        assert_eq!(
            parse_secret_arg("prod/db"),
            Source::Expand {
                secret_id: "prod/db".into()
            }
        );
        assert_eq!(
            parse_secret_arg("prod/env#PATH=PATH"),
            Source::Key {
                secret_id: "prod/env".into(),
                key: "PATH".into(),
                var: "PATH".into()
            }
        );
        let f = parse_env_file(
            "# comment\n\nDB_PASS=prod/db#password\nexport TOKEN = api/token\n",
            Path::new("x.env"),
        )
        .unwrap();
        assert_eq!(
            f,
            vec![
                Source::Key {
                    secret_id: "prod/db".into(),
                    key: "password".into(),
                    var: "DB_PASS".into()
                },
                Source::Whole {
                    secret_id: "api/token".into(),
                    var: "TOKEN".into()
                }
            ]
        );
        assert!(parse_env_file("not a line", Path::new("x.env")).is_err());
    }
}
