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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
