//! Where the vault is and how a command gets its passphrase: `--passphrase-file`, then
//! `COFFER_PASSPHRASE`, then a prompt on the terminal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use coffer_core::Passphrase;
use zeroize::Zeroizing;

/// `$XDG_DATA_HOME/coffer/vault.db` (or the platform's data directory).
pub fn default_vault_path() -> PathBuf {
    directories::BaseDirs::new()
        .map(|d| d.data_dir().join("coffer").join("vault.db"))
        .unwrap_or_else(|| PathBuf::from("coffer-vault.db"))
}

/// The passphrase given without a terminal, if any.
pub fn given_passphrase(file: Option<&Path>) -> Result<Option<Passphrase>> {
    Ok(given_text(file)?.map(|t| Passphrase::new(t.to_string())))
}

fn given_text(file: Option<&Path>) -> Result<Option<Zeroizing<String>>> {
    if let Some(path) = file {
        let s = Zeroizing::new(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        );
        let line = s.lines().next().unwrap_or("").to_string();
        return Ok(Some(Zeroizing::new(line)));
    }
    Ok(std::env::var("COFFER_PASSPHRASE").ok().map(Zeroizing::new))
}

/// The passphrase to unlock with: given, or asked on the terminal.
pub fn passphrase(file: Option<&Path>, vault: &Path) -> Result<Passphrase> {
    Ok(Passphrase::new(passphrase_text(file, vault)?.to_string()))
}

/// The passphrase's text, for handing to the session agent through a pipe
/// (`coffer unlock`): given, or asked on the terminal.
pub fn passphrase_text(file: Option<&Path>, vault: &Path) -> Result<Zeroizing<String>> {
    if let Some(p) = given_text(file)? {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "no passphrase: set COFFER_PASSPHRASE or pass --passphrase-file (no terminal to ask on)"
        );
    }
    Ok(Zeroizing::new(rpassword::prompt_password(format!(
        "Passphrase for {}: ",
        vault.display()
    ))?))
}

/// A new passphrase: given, or typed twice on the terminal.
pub fn new_passphrase(file: Option<&Path>) -> Result<Passphrase> {
    if let Some(p) = given_passphrase(file)? {
        if p.is_empty() {
            bail!("the passphrase must not be empty");
        }
        return Ok(p);
    }
    ask_twice()
}

/// A new passphrase from a file, or typed twice on the terminal.
pub fn new_passphrase_from(file: Option<&Path>) -> Result<Passphrase> {
    if let Some(path) = file {
        let p = given_passphrase(Some(path))?.expect("a file was given");
        if p.is_empty() {
            bail!("the passphrase must not be empty");
        }
        return Ok(p);
    }
    ask_twice()
}

/// A passphrase typed once on the terminal.
pub fn ask(prompt: &str) -> Result<Passphrase> {
    if !std::io::stdin().is_terminal() {
        bail!("no passphrase given and no terminal to ask on");
    }
    Ok(Passphrase::new(rpassword::prompt_password(prompt)?))
}

fn ask_twice() -> Result<Passphrase> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "no passphrase: set COFFER_PASSPHRASE or pass --passphrase-file (no terminal to ask on)"
        );
    }
    let a = Passphrase::new(rpassword::prompt_password("New passphrase: ")?);
    if a.is_empty() {
        bail!("the passphrase must not be empty");
    }
    let b = Passphrase::new(rpassword::prompt_password("Repeat it: ")?);
    if !a.matches(&b) {
        bail!("the two passphrases differ; nothing was created");
    }
    Ok(a)
}
