//! The progress line `coffer operator remove` and `coffer operator passwd` show on a terminal
//! while the vault is re-keyed (every secret and audit event is rewritten).

use std::io::{IsTerminal, Write};

use coffer_core::vault::{RekeyMeter, RekeyPhase};

/// The core's `Re-keying <phase>: NN% (done of all)` line on standard error, redrawn when
/// the percentage changes; silent when standard error is not a terminal.
pub(super) struct RekeyLine {
    meter: RekeyMeter,
    on: bool,
}

impl RekeyLine {
    pub(super) fn new() -> Self {
        Self {
            meter: RekeyMeter::default(),
            on: std::io::stderr().is_terminal(),
        }
    }

    pub(super) fn update(&mut self, phase: RekeyPhase, done: u64, total: u64) {
        if !self.on {
            return;
        }
        let Some(status) = self.meter.step(phase, done, total) else {
            return;
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{}", status.line());
        if status.phase_done() {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}
