//! The progress line `coffer operator remove` and `coffer operator passwd` show on a terminal
//! while the vault is re-keyed (every secret and audit event is rewritten).

use std::io::{IsTerminal, Write};

use coffer_core::vault::RekeyPhase;

/// A `Re-keying <phase>: NN% (done of all)` line on standard error, redrawn when the
/// percentage changes; silent when standard error is not a terminal.
pub(super) struct RekeyLine {
    shown: Option<(RekeyPhase, u64)>,
    on: bool,
}

impl RekeyLine {
    pub(super) fn new() -> Self {
        Self {
            shown: None,
            on: std::io::stderr().is_terminal(),
        }
    }

    pub(super) fn update(&mut self, phase: RekeyPhase, done: u64, total: u64) {
        if !self.on {
            return;
        }
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        if self.shown == Some((phase, pct)) {
            return;
        }
        self.shown = Some((phase, pct));
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\rRe-keying {}: {pct:>3}% ({done} of {total})",
            phase.as_str()
        );
        if done >= total {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}
