//! `coffer backup --out FILE` and `coffer restore --from FILE --vault NEW`: thin wrappers
//! over `Vault::backup` and `Vault::restore`, with a percentage line on a terminal.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Result;
use coffer_core::Passphrase;
use coffer_core::{Caller, FrontEnd, Vault};

use super::{Outcome, json};

/// A `label: NN%` line on standard error, redrawn when the percentage changes; silent when
/// standard error is not a terminal (scripts, tests, pipes).
struct ProgressLine {
    label: &'static str,
    shown: Option<u64>,
    on: bool,
}

impl ProgressLine {
    fn new(label: &'static str) -> Self {
        Self {
            label,
            shown: None,
            on: std::io::stderr().is_terminal(),
        }
    }

    fn update(&mut self, done: u64, total: u64) {
        if !self.on {
            return;
        }
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        if self.shown == Some(pct) {
            return;
        }
        self.shown = Some(pct);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{}: {pct:>3}% ({:.1} of {:.1} MiB)",
            self.label,
            done as f64 / 1_048_576.0,
            total as f64 / 1_048_576.0
        );
        if done >= total {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

pub fn backup(vault: &Vault, caller: &Caller, out: &Path) -> Result<Outcome> {
    let mut line = ProgressLine::new("Backing up");
    json(&vault.backup(caller, out, &mut |d, t| line.update(d, t))?)
}

pub fn restore(
    from: &Path,
    to: &Path,
    operator: Option<&str>,
    passphrase: &Passphrase,
) -> Result<Outcome> {
    let mut line = ProgressLine::new("Restoring");
    json(&Vault::restore(
        from,
        to,
        operator,
        passphrase,
        FrontEnd::Cli,
        &mut |d, t| line.update(d, t),
    )?)
}
