//! Re-keying (docs/KEYS.md): when an operator is removed or changes their passphrase, every
//! key the vault holds is replaced — master key, index, metadata and audit keys, each KMS
//! key's material — and everything they protect is rewritten in the same transaction: hashes
//! recomputed, documents re-sealed (same plaintext), data keys re-wrapped (same values),
//! audit events re-sealed and re-MAC'd (same plaintext and sequence numbers). A kill at any
//! moment leaves the old vault or the new one, never a mix.

use std::sync::Arc;

use super::keys::{Member, VaultKeys};
use super::{Ctx, iam, replicas, rotation};
use crate::Result;
use crate::store::Tx;

/// What a re-key is doing, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RekeyPhase {
    /// Keys, slots, KMS keys, principals, rotation functions and attempts, replica registry.
    Keys,
    Secrets,
    Audit,
}

impl RekeyPhase {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Keys => "keys",
            Self::Secrets => "secrets",
            Self::Audit => "audit events",
        }
    }
}

/// Reports a re-key's progress: (phase, done, in all).
pub type RekeyProgress<'a> = &'a mut dyn FnMut(RekeyPhase, u64, u64);

/// Where a re-key is, as every front end shows it: the phase and how far through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RekeyStatus {
    pub phase: RekeyPhase,
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub done: u64,
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub total: u64,
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub percent: u64,
}

impl RekeyStatus {
    pub fn new(phase: RekeyPhase, done: u64, total: u64) -> Self {
        Self {
            phase,
            done,
            total,
            percent: (done.min(total) * 100).checked_div(total).unwrap_or(100),
        }
    }

    /// `Re-keying secrets: 42% (420 of 1000)`.
    pub fn line(&self) -> String {
        format!(
            "Re-keying {}: {}% ({} of {})",
            self.phase.as_str(),
            self.percent,
            self.done,
            self.total
        )
    }

    /// Whether this is the last step of its phase.
    pub fn phase_done(&self) -> bool {
        self.done >= self.total
    }
}

/// Turns the re-key's many reports into the few a display needs: one each time the phase
/// or its whole percentage changes.
#[derive(Debug, Default)]
pub struct RekeyMeter {
    shown: Option<(RekeyPhase, u64)>,
}

impl RekeyMeter {
    pub fn step(&mut self, phase: RekeyPhase, done: u64, total: u64) -> Option<RekeyStatus> {
        let status = RekeyStatus::new(phase, done, total);
        let key = Some((phase, status.percent));
        (self.shown != key).then(|| {
            self.shown = key;
            status
        })
    }
}

const PAGE: usize = 1000;

/// Rewrites everything `old` protects under new keys held by `member`; returns them.
fn rekey_all(
    tx: &Tx<'_>,
    old: &VaultKeys,
    member: Arc<Member>,
    progress: RekeyProgress<'_>,
) -> Result<VaultKeys> {
    progress(RekeyPhase::Keys, 0, 1);
    let new = old.successor(tx, member)?;
    new.reseal_slots(tx, old)?;
    let kms = new.rekey_kms(tx, old)?;
    replicas::rekey_registry(tx, old, &new)?;
    iam::rekey(tx, old, &new)?;
    rotation::rekey(tx, old, &new)?;
    progress(RekeyPhase::Keys, 1, 1);
    let total = tx.secret_count()? as u64;
    let mut done = 0u64;
    let mut after = String::new();
    progress(RekeyPhase::Secrets, 0, total);
    loop {
        let page = tx.secrets_page(&after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.uid.clone();
        for row in &page {
            new.rekey_secret(tx, old, &kms, row)?;
        }
        done += page.len() as u64;
        progress(RekeyPhase::Secrets, done, total);
    }
    crate::audit::rekey(
        tx,
        &old.audit,
        &new.audit,
        |arn| new.principal_hash(arn),
        &mut |d, t| progress(RekeyPhase::Audit, d, t),
    )?;
    // The health report's summaries name principals by the hashes just changed, and its
    // facts are sealed and named under the old keys.
    tx.usage_rebuild()?;
    tx.value_facts_clear()?;
    Ok(new)
}

impl Ctx<'_, '_> {
    /// Re-keys the vault in this request's transaction; the new keys take over when it
    /// commits (its own audit event is the first written under them).
    pub fn rekey(&mut self, member: Arc<Member>, progress: RekeyProgress<'_>) -> Result<()> {
        self.will_write()?;
        let new = rekey_all(self.tx, self.keys, member, progress)?;
        self.rekeyed = Some(new);
        self.touch()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meter_reports_each_phase_and_whole_percentage_once() {
        let mut m = RekeyMeter::default();
        let shown: Vec<String> = [
            (RekeyPhase::Keys, 0, 1),
            (RekeyPhase::Keys, 1, 1),
            (RekeyPhase::Secrets, 0, 3000),
            (RekeyPhase::Secrets, 10, 3000),
            (RekeyPhase::Secrets, 1000, 3000),
            (RekeyPhase::Secrets, 1001, 3000),
            (RekeyPhase::Secrets, 3000, 3000),
            (RekeyPhase::Audit, 0, 0),
        ]
        .into_iter()
        .filter_map(|(p, d, t)| m.step(p, d, t))
        .map(|s| s.line())
        .collect();
        assert_eq!(
            shown,
            [
                "Re-keying keys: 0% (0 of 1)",
                "Re-keying keys: 100% (1 of 1)",
                "Re-keying secrets: 0% (0 of 3000)",
                "Re-keying secrets: 33% (1000 of 3000)",
                "Re-keying secrets: 100% (3000 of 3000)",
                "Re-keying audit events: 100% (0 of 0)",
            ]
        );
    }
}
