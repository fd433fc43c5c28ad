//! Anchors of the audit trail (see `audit::anchor`): taking one, and checking the vault
//! against one kept elsewhere.

use super::{Caller, Vault};
use crate::Operation;
use crate::Result;
use crate::audit::{self, VerifyReport, anchor::Anchor};

impl Vault {
    /// Takes an anchor of the audit trail's newest event, keeps it as the vault's latest
    /// (so copies of the file carry it) and returns it for the operator to keep elsewhere.
    /// Audited as `AnchorAuditTrail`; needs `coffer:AnchorAuditTrail`.
    pub fn anchor_audit_trail(&self, caller: &Caller) -> Result<Anchor> {
        self.exec(
            caller,
            Operation::AnchorAuditTrail,
            &serde_json::json!({}),
            |ctx| {
                ctx.authorize("coffer:AnchorAuditTrail", "*")?;
                ctx.will_write()?;
                let time = crate::model::from_epoch_ms(ctx.now_ms).to_string();
                let a = audit::anchor::take(ctx.tx, &ctx.keys.audit, &self.info.vault_id, &time)?;
                ctx.respond(&serde_json::json!({ "Sequence": a.sequence, "Time": a.time }));
                Ok(a)
            },
        )
    }

    /// Verifies the audit trail like [`Vault::verify_audit_trail`] (the anchors its
    /// replicas carry included), and that this vault holds the event each anchor names: an
    /// older copy of the file does not. Of anchors read from a vault file, those of other
    /// vaults are left out.
    pub fn verify_audit_trail_against(
        &self,
        caller: &Caller,
        anchors: &[Anchor],
    ) -> Result<VerifyReport> {
        let carried = self.anchors_in_replicas();
        let own: Vec<&Anchor> = anchors
            .iter()
            .chain(&carried)
            .filter(|a| a.vault_id == self.info.vault_id)
            .collect();
        // None of this vault: check the first, which says whose it is.
        let checked: Vec<&Anchor> = if own.is_empty() {
            anchors.iter().take(1).collect()
        } else {
            own
        };
        let request = serde_json::json!({
            "AnchorSequences": checked.iter().map(|a| a.sequence).collect::<Vec<_>>(),
        });
        self.exec(caller, Operation::VerifyAuditTrail, &request, |ctx| {
            ctx.authorize("coffer:VerifyAuditTrail", "*")?;
            audit::verify(ctx.tx, &ctx.keys.audit, &self.info.vault_id, &checked)
        })
    }
}
