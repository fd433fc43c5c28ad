//! The progress line `coffer operator remove` and `coffer operator passwd` show on a terminal
//! while the vault is re-keyed (every secret and audit event is rewritten), in this process
//! or, through the session, in the session agent's.

use std::io::{IsTerminal, Write};

use coffer_core::vault::{RekeyMeter, RekeyPhase, RekeyStatus};

/// The core's `Re-keying <phase>: NN% (done of all)` line on standard error, redrawn when
/// the percentage changes; silent when standard error is not a terminal.
pub(crate) struct RekeyLine {
    meter: RekeyMeter,
    on: bool,
}

impl RekeyLine {
    pub(crate) fn new() -> Self {
        Self {
            meter: RekeyMeter::default(),
            on: std::io::stderr().is_terminal(),
        }
    }

    pub(crate) fn update(&mut self, phase: RekeyPhase, done: u64, total: u64) {
        if let Some(status) = self.meter.step(phase, done, total) {
            self.show(&status);
        }
    }

    /// Draws a step the meter already chose (the session agent's, sent over its socket).
    pub(crate) fn show(&self, status: &RekeyStatus) {
        if !self.on {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{}", status.line());
        if status.phase_done() {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}
