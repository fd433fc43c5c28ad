//! Everything the vault does on its own, on one schedule: due and approved rotations,
//! retries of replication pushes that did not reach a replica, and purges of secrets whose
//! deletion date has passed. Every long-running front end (the terminal console, the desktop
//! app, `coffer serve`) starts the same [`Runner`] on an unlocked vault; each job has one
//! period and one backoff rule, and its state ([`BackgroundStatus`]) is what both consoles
//! show.
//!
//! [`Background`] is the schedule itself, with no thread: it runs whatever is due by the
//! vault's clock, so tests move a [`crate::clock::ManualClock`] instead of waiting.
//! [`Runner`] is a thread around it that sleeps until the next job is due or it is kicked.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::Serialize;

use crate::Vault;
use crate::model::epoch_seconds;
use crate::rotation::Engine;
use crate::vault::SyncReport;
use crate::vault::rotation::RotationAttempt;

/// One kind of work the runner does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Job {
    /// Due schedules, approved and retried attempts, attempts another process left behind.
    Rotations,
    /// Pushes to replicas that failed or were queued, replica removals, promotions seen.
    Replication,
    /// Secrets whose recovery window has ended.
    Purges,
}

impl Job {
    pub const ALL: [Job; 3] = [Job::Rotations, Job::Replication, Job::Purges];

    /// How long after a successful run the job runs again.
    pub const fn period(self) -> Duration {
        match self {
            Job::Rotations => Duration::from_secs(10),
            Job::Replication => Duration::from_secs(10),
            Job::Purges => Duration::from_secs(60),
        }
    }

    /// The longest wait after failures: each failure in a row doubles the period, up to this.
    pub const fn max_backoff(self) -> Duration {
        Duration::from_secs(300)
    }

    /// The job as the consoles name it.
    pub const fn label(self) -> &'static str {
        match self {
            Job::Rotations => "rotations",
            Job::Replication => "replication",
            Job::Purges => "purges",
        }
    }

    /// When the job runs next after a run at `now_ms` that made it `failures` failures in a
    /// row (0 after a success).
    pub fn next_run_ms(self, now_ms: i64, failures: u32) -> i64 {
        let period = self.period().as_millis() as i64;
        let wait = period
            .saturating_mul(1_i64 << failures.min(16))
            .min(self.max_backoff().as_millis() as i64);
        now_ms.saturating_add(wait)
    }
}

/// What one job's run did, for the front end's log or status line.
#[derive(Debug, Clone)]
pub enum Ran {
    Rotations(Vec<RotationAttempt>),
    Replication(SyncReport),
    Purged(usize),
}

/// One job's state, as both consoles show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    pub job: Job,
    /// Epoch seconds of the last run's end; none before the first.
    pub last_run_date: Option<f64>,
    /// Epoch seconds of the next run (sooner if a console asks).
    pub next_run_date: f64,
    /// What the last run did, in one sentence.
    pub last_result: Option<String>,
    /// Why the last run failed; cleared by a run that succeeds.
    pub last_error: Option<String>,
    /// Failures in a row: each doubles the wait before the next run.
    pub failures: u32,
    /// All of the above in one line, as both consoles show it:
    /// `rotations: last 12:00:05 (2 ran) · next 12:00:15` (UTC).
    pub line: String,
}

impl JobStatus {
    fn line(&self) -> String {
        let time = |s: f64| {
            jiff::Timestamp::from_millisecond((s * 1000.0) as i64)
                .map(|t| t.strftime("%H:%M:%S").to_string())
                .unwrap_or_default()
        };
        let last = match (self.last_run_date, &self.last_error, &self.last_result) {
            (None, _, _) => "not run yet".to_string(),
            (Some(t), Some(e), _) => {
                format!("failed {} ({e}; {} in a row)", time(t), self.failures)
            }
            (Some(t), None, Some(r)) => format!("last {} ({r})", time(t)),
            (Some(t), None, None) => format!("last {}", time(t)),
        };
        format!(
            "{}: {last} · next {}",
            self.job.label(),
            time(self.next_run_date)
        )
    }
}

/// The runner's state: whether it runs, and each job's.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BackgroundStatus {
    pub running: bool,
    pub jobs: Vec<JobStatus>,
}

impl BackgroundStatus {
    pub fn job(&self, job: Job) -> Option<&JobStatus> {
        self.jobs.iter().find(|j| j.job == job)
    }
}

struct Slot {
    job: Job,
    next_ms: i64,
    last_run_ms: Option<i64>,
    last_result: Option<String>,
    last_error: Option<String>,
    failures: u32,
}

/// The schedule: each job's next run, and what its runs did.
pub struct Background {
    engine: Engine,
    slots: Vec<Slot>,
}

impl Background {
    /// Every job is due at `now_ms`.
    pub fn new(now_ms: i64) -> Self {
        Self {
            engine: Engine::new(),
            slots: Job::ALL
                .iter()
                .map(|&job| Slot {
                    job,
                    next_ms: now_ms,
                    last_run_ms: None,
                    last_result: None,
                    last_error: None,
                    failures: 0,
                })
                .collect(),
        }
    }

    /// Makes `job` due now (a console started a rotation or approved one).
    pub fn kick(&mut self, job: Job) {
        if let Some(s) = self.slots.iter_mut().find(|s| s.job == job) {
            s.next_ms = 0;
        }
    }

    /// When the next job is due.
    pub fn next_due_ms(&self) -> i64 {
        self.slots
            .iter()
            .map(|s| s.next_ms)
            .min()
            .unwrap_or(i64::MAX)
    }

    /// Runs every job that is due by the vault's clock, in [`Job::ALL`]'s order.
    pub fn run_due(&mut self, vault: &Arc<Vault>) -> Vec<Ran> {
        let mut ran = Vec::new();
        for i in 0..self.slots.len() {
            if self.slots[i].next_ms > vault.now().as_millisecond() {
                continue;
            }
            let job = self.slots[i].job;
            let outcome = match job {
                Job::Rotations => self.engine.run_due(vault).map(|r| {
                    let result = format!("{} ran", r.len());
                    (Ran::Rotations(r), result, None)
                }),
                Job::Replication => vault.sync_replicas().map(|r| {
                    let error = (r.failed > 0).then(|| {
                        format!(
                            "{} of {} pushes failed; the Replicas tab says why",
                            r.failed,
                            r.failed + r.synced
                        )
                    });
                    let result = format!("{} synced", r.synced);
                    (Ran::Replication(r), result, error)
                }),
                Job::Purges => vault
                    .purge_expired()
                    .map(|n| (Ran::Purged(n), format!("{n} purged"), None)),
            };
            let now_ms = vault.now().as_millisecond();
            let slot = &mut self.slots[i];
            slot.last_run_ms = Some(now_ms);
            let error = match outcome {
                Ok((r, result, error)) => {
                    slot.last_result = Some(result);
                    ran.push(r);
                    error
                }
                Err(e) => Some(format!("{}: {}", e.code.as_str(), e.message)),
            };
            slot.failures = if error.is_some() {
                slot.failures + 1
            } else {
                0
            };
            slot.last_error = error;
            slot.next_ms = job.next_run_ms(now_ms, slot.failures);
        }
        ran
    }

    pub fn status(&self, running: bool) -> BackgroundStatus {
        BackgroundStatus {
            running,
            jobs: self
                .slots
                .iter()
                .map(|s| {
                    let mut job = JobStatus {
                        job: s.job,
                        last_run_date: s.last_run_ms.map(epoch_seconds),
                        next_run_date: epoch_seconds(s.next_ms.max(s.last_run_ms.unwrap_or(0))),
                        last_result: s.last_result.clone(),
                        last_error: s.last_error.clone(),
                        failures: s.failures,
                        line: String::new(),
                    };
                    job.line = job.line();
                    job
                })
                .collect(),
        }
    }
}

/// The longest the runner sleeps without looking at the clock again (the vault's clock may
/// be moved by a test, or the machine may sleep).
const LONGEST_SLEEP: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Signal {
    stop: bool,
    kicked: Vec<Job>,
    /// Passes begun and ended; passes are sequential.
    started: u64,
    finished: u64,
    status: BackgroundStatus,
}

struct Shared {
    signal: Mutex<Signal>,
    wake: Condvar,
}

impl Shared {
    fn signal(&self) -> MutexGuard<'_, Signal> {
        self.signal.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What a front end is told after each pass that ran something: what ran and the state.
pub type Report = Box<dyn Fn(&[Ran], &BackgroundStatus) + Send + 'static>;

/// The background thread of an unlocked vault. Dropping it stops the thread after the pass
/// in progress (not joined, so that locking never waits for a slow database).
pub struct Runner {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Runner {
    /// Starts the thread; every job runs at once, then on its period.
    pub fn start(vault: Arc<Vault>, report: Report) -> Self {
        let background = Background::new(vault.now().as_millisecond());
        let shared = Arc::new(Shared {
            signal: Mutex::new(Signal {
                status: background.status(true),
                ..Signal::default()
            }),
            wake: Condvar::new(),
        });
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("coffer-background".into())
            .spawn(move || run(&vault, background, &for_thread, &report))
            .ok();
        if thread.is_none() {
            shared.signal().status.running = false;
        }
        Self { shared, thread }
    }

    /// Runs `job` now rather than when it is due.
    pub fn kick(&self, job: Job) {
        self.shared.signal().kicked.push(job);
        self.shared.wake.notify_all();
    }

    pub fn status(&self) -> BackgroundStatus {
        self.shared.signal().status.clone()
    }

    /// Makes every job due and waits until a pass that began after this call has ended; for
    /// tests. A pass already under way may have missed a change made just before, so it
    /// does not count.
    pub fn run_now(&self) -> BackgroundStatus {
        let mut s = self.shared.signal();
        s.kicked.extend(Job::ALL);
        let target = s.started + 1;
        self.shared.wake.notify_all();
        while s.finished < target && s.status.running {
            s = self.shared.wake.wait(s).unwrap_or_else(|p| p.into_inner());
        }
        s.status.clone()
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.shared.signal().stop = true;
        self.shared.wake.notify_all();
        drop(self.thread.take());
    }
}

/// Marks the runner stopped when its thread ends, however it ends, so that no one waits
/// for a pass that will never come.
struct Stopped<'a>(&'a Shared);

impl Drop for Stopped<'_> {
    fn drop(&mut self) {
        self.0.signal().status.running = false;
        self.0.wake.notify_all();
    }
}

fn run(vault: &Arc<Vault>, mut background: Background, shared: &Shared, report: &Report) {
    let _stopped = Stopped(shared);
    loop {
        {
            let mut s = shared.signal();
            loop {
                for job in std::mem::take(&mut s.kicked) {
                    background.kick(job);
                }
                if s.stop {
                    return;
                }
                let wait = background
                    .next_due_ms()
                    .saturating_sub(vault.now().as_millisecond());
                if wait <= 0 {
                    break;
                }
                let wait = Duration::from_millis(wait as u64).min(LONGEST_SLEEP);
                s = shared
                    .wake
                    .wait_timeout(s, wait)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            s.started += 1;
        }
        let ran = background.run_due(vault);
        let status = background.status(true);
        let mut s = shared.signal();
        if s.stop {
            return;
        }
        s.finished += 1;
        s.status = status.clone();
        drop(s);
        shared.wake.notify_all();
        report(&ran, &status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn failures_double_the_wait_up_to_the_cap() {
        let job = Job::Replication;
        assert_eq!(job.next_run_ms(0, 0), 10_000);
        assert_eq!(job.next_run_ms(0, 1), 20_000);
        assert_eq!(job.next_run_ms(0, 3), 80_000);
        assert_eq!(job.next_run_ms(0, 40), 300_000);
    }

    #[test]
    fn the_runner_runs_every_job_when_asked_and_reports_each_pass() {
        let vault = Arc::new(Vault::ephemeral("123456789012", "us-east-1").unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        let runner = Runner::start(
            vault,
            Box::new(move |ran, status| {
                let _ = tx.send((ran.len(), status.clone()));
            }),
        );
        let status = runner.run_now();
        assert!(status.running);
        assert!(status.jobs.iter().all(|j| j.last_run_date.is_some()));
        let (ran, reported) = rx.recv().unwrap();
        assert_eq!(ran, 3, "the first pass runs every job");
        assert!(reported.running);
    }

    #[test]
    fn a_job_runs_only_when_due_and_a_kick_makes_it_due() {
        let start = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let clock = ManualClock::new(start);
        let vault = Arc::new(
            Vault::ephemeral_with_clock("123456789012", "us-east-1", Arc::new(clock.clone()))
                .unwrap(),
        );
        let mut b = Background::new(start.as_millisecond());
        assert_eq!(b.run_due(&vault).len(), 3, "every job is due at the start");
        assert!(b.run_due(&vault).is_empty(), "nothing is due again yet");
        b.kick(Job::Rotations);
        assert!(matches!(b.run_due(&vault)[..], [Ran::Rotations(_)]));
        clock.advance(jiff::SignedDuration::from_secs(10));
        let ran = b.run_due(&vault);
        assert!(matches!(ran[..], [Ran::Rotations(_), Ran::Replication(_)]));
        let status = b.status(true);
        let purges = status.job(Job::Purges).unwrap();
        assert_eq!(purges.next_run_date, start.as_second() as f64 + 60.0);
        assert_eq!(purges.last_result.as_deref(), Some("0 purged"));
        assert!(
            purges.line().starts_with("purges: last "),
            "{}",
            purges.line()
        );
    }
}
