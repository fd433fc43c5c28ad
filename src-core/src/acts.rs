//! The vault-wide acts both consoles offer in their command palettes: each one's title, the
//! question its confirmation asks, its operation, and the one door method that carries it
//! out. The terminal console and the desktop app list `Act::ALL` and run `Vault::perform`, so
//! an act added here reaches both palettes without a line of either console
//! (docs/ARCHITECTURE.md, "Adding an operation").

use serde::{Deserialize, Serialize};

use crate::vault::{Caller, Vault};
use crate::{Operation, Result, said};

/// One act on the vault as a whole, run after a confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Act {
    /// Retry replication to every replica region and account now, rather than at the
    /// background runner's next pass.
    SyncReplicas,
    /// Take an anchor of the audit trail now: a MAC of its newest event that a later
    /// verification checks the vault file against (an older copy of it fails).
    AnchorAuditTrail,
}

/// An act as a palette lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ActInfo {
    pub act: Act,
    pub command: String,
    pub title: String,
    pub question: String,
}

impl Act {
    /// Every act, in the palettes' order.
    pub const ALL: [Act; 2] = [Self::SyncReplicas, Self::AnchorAuditTrail];

    /// The act's name in a palette.
    pub const fn title(self) -> &'static str {
        match self {
            Self::SyncReplicas => "Retry replication now",
            Self::AnchorAuditTrail => "Anchor the audit trail now",
        }
    }

    /// The word a typed palette (the terminal console's `:`) runs it by.
    pub const fn command(self) -> &'static str {
        match self {
            Self::SyncReplicas => "replicas-sync",
            Self::AnchorAuditTrail => "audit-anchor",
        }
    }

    /// What its confirmation asks.
    pub const fn question(self) -> &'static str {
        match self {
            Self::SyncReplicas => {
                "Push every secret's changes to its replica regions and accounts now, and carry out pending removals and promotions?"
            }
            Self::AnchorAuditTrail => {
                "Take an anchor of the audit trail now? The vault keeps it as its latest, and copies of the file carry it: verifying against one shows whether this vault was later replaced by an older copy. (`coffer audit anchor` also hands it out, to keep elsewhere.)"
            }
        }
    }

    /// The operation the act is audited as.
    pub const fn operation(self) -> Operation {
        match self {
            Self::SyncReplicas => Operation::SyncReplicas,
            Self::AnchorAuditTrail => Operation::AnchorAuditTrail,
        }
    }

    pub fn info(self) -> ActInfo {
        ActInfo {
            act: self,
            command: self.command().to_string(),
            title: self.title().to_string(),
            question: self.question().to_string(),
        }
    }
}

impl Vault {
    /// Carries out `act` for `caller` through its door method; returns what the consoles say.
    pub fn perform(&self, caller: &Caller, act: Act) -> Result<String> {
        match act {
            Act::SyncReplicas => Ok(self.sync_replicas()?.sentence()),
            Act::AnchorAuditTrail => {
                let a = self.anchor_audit_trail(caller)?;
                Ok(said::anchored(a.sequence, &a.time))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FrontEnd;

    #[test]
    fn anchoring_from_a_palette_takes_the_anchor_a_verification_then_reports() {
        let v = Vault::ephemeral("123456789012", "us-east-1").unwrap();
        let c = Caller::principal(v.administrator_arn(), FrontEnd::Tui);
        let said = v.perform(&c, Act::AnchorAuditTrail).unwrap();
        let anchor = v.verify_audit_trail(&c).unwrap().last_anchor.unwrap();
        assert_eq!(
            said,
            format!(
                "Anchored the audit trail at event #{} ({}).",
                anchor.sequence, anchor.time
            )
        );
    }

    #[test]
    fn every_act_has_a_title_a_question_and_an_operation_of_its_own() {
        let ops: std::collections::HashSet<_> = Act::ALL.iter().map(|a| a.operation()).collect();
        assert_eq!(ops.len(), Act::ALL.len());
        let words: std::collections::HashSet<_> = Act::ALL.iter().map(|a| a.command()).collect();
        assert_eq!(words.len(), Act::ALL.len());
        for a in Act::ALL {
            assert!(!a.title().is_empty(), "{a:?}");
            assert!(a.question().contains('?'), "{a:?}");
        }
    }
}
