//! The desktop app's rotation scheduler: while the vault is unlocked, a thread of its own
//! runs the rotation engine every [`TICK`] (due schedules, approved and retried attempts,
//! attempts another process left behind), and at once when the operator asks for a rotation
//! or approves one. A database or an external program can take seconds, so the engine never
//! runs on a command's thread. Locking stops the thread after the run in progress.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use coffer_core::Vault;
use coffer_core::model::epoch_seconds;
use coffer_core::rotation::Engine;

use crate::dto::{IpcError, SchedulerStatus};

/// How often the engine looks for due rotations.
pub const TICK: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Signal {
    stop: bool,
    kick: bool,
    /// Runs begun and ended; runs are sequential, so a run numbered above `started` at some
    /// moment began after it.
    started: u64,
    finished: u64,
    status: SchedulerStatus,
}

#[derive(Default)]
struct Shared {
    signal: Mutex<Signal>,
    wake: Condvar,
}

impl Shared {
    fn signal(&self) -> MutexGuard<'_, Signal> {
        self.signal.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running scheduler; dropping it stops the thread (after the run in progress).
pub struct Scheduler {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Scheduler {
    /// Starts the thread for an unlocked vault; the first run is immediate.
    pub fn start(vault: Arc<Vault>) -> Self {
        let shared = Arc::new(Shared {
            signal: Mutex::new(Signal {
                kick: true,
                status: SchedulerStatus {
                    running: true,
                    ..Default::default()
                },
                ..Default::default()
            }),
            wake: Condvar::new(),
        });
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("coffer-rotation".into())
            .spawn(move || run(&vault, &for_thread))
            .ok();
        if thread.is_none() {
            shared.signal().status.running = false;
        }
        Self { shared, thread }
    }

    /// Runs the engine now rather than at the next tick.
    pub fn kick(&self) {
        self.shared.signal().kick = true;
        self.shared.wake.notify_all();
    }

    pub fn status(&self) -> SchedulerStatus {
        self.shared.signal().status.clone()
    }

    /// Waits until a run that began after this call has ended (for tests). A run already
    /// under way when it is called may have missed a change made just before, so it does not
    /// count.
    #[cfg(test)]
    pub fn run_now(&self) -> SchedulerStatus {
        let mut s = self.shared.signal();
        s.kick = true;
        let target = s.started + 1;
        self.shared.wake.notify_all();
        while s.finished < target {
            s = self.shared.wake.wait(s).unwrap_or_else(|p| p.into_inner());
        }
        s.status.clone()
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        self.shared.signal().stop = true;
        self.shared.wake.notify_all();
        // The thread holds the vault until its run ends; it is not joined, so that locking
        // never waits for a slow database.
        drop(self.thread.take());
    }
}

fn run(vault: &Arc<Vault>, shared: &Shared) {
    let engine = Engine::new();
    loop {
        {
            let mut s = shared.signal();
            if !s.kick && !s.stop {
                s = shared
                    .wake
                    .wait_timeout(s, TICK)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            if s.stop {
                s.status.running = false;
                return;
            }
            s.kick = false;
            s.started += 1;
        }
        let outcome = engine.run_due(vault);
        // Replication a replica file could not take is retried on the same tick; a failure
        // stays in the replicas' status, which the Replicas tab shows.
        let _ = vault.sync_replicas();
        let mut s = shared.signal();
        s.finished += 1;
        s.status.last_run_date = Some(epoch_seconds(vault.now().as_millisecond()));
        match outcome {
            Ok(ran) => {
                s.status.last_ran = ran.len() as u32;
                s.status.last_error = None;
            }
            Err(e) => s.status.last_error = Some(IpcError::from(e)),
        }
        drop(s);
        shared.wake.notify_all();
    }
}
