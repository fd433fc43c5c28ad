//! WAL checkpoints off the request path. SQLite checkpoints on the connection whose commit
//! leaves the WAL over 1,000 pages, so one request in a few hundred waits for the copy and
//! its fsync. A long-running process (`coffer serve`) hands the job to a thread with its
//! own connection: it checkpoints passively (never blocking a reader or a writer) every
//! [`EVERY`] commits and after a quiet [`IDLE`].
//!
//! SQLite starts the WAL over only when a commit begins with every frame copied, and under
//! steady load a commit always lands during the copy. So when a WAL of more than
//! [`CATCH_UP`] frames has been copied, the thread copies the few frames written meanwhile
//! again while holding the vault's lock (a pause of a few milliseconds, once per thousand
//! commits or so), and the next commit starts the WAL over.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{Vault, lock};
use crate::store::Store;
use crate::{Error, Result};

/// Commits between checkpoints (a read's commit writes about four pages).
const EVERY: u32 = 256;
/// How long after the last kick leftover frames wait.
const IDLE: Duration = Duration::from_secs(1);
/// WAL frames (pages) above which a checkpoint catches up under the vault's lock.
const CATCH_UP: i64 = 4096;

/// What a vault's commits tell its checkpoint thread.
#[derive(Default)]
pub(super) struct Signal {
    attached: AtomicBool,
    commits: AtomicU32,
    /// Checkpoints the thread has run.
    runs: AtomicU32,
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Default)]
struct State {
    kick: bool,
    stop: bool,
}

impl Signal {
    /// Counts one commit; every [`EVERY`]th wakes the thread, if there is one.
    pub(super) fn committed(&self) {
        if self.attached.load(Ordering::Relaxed)
            && self.commits.fetch_add(1, Ordering::Relaxed) + 1 >= EVERY
        {
            self.commits.store(0, Ordering::Relaxed);
            lock(&self.state).kick = true;
            self.wake.notify_one();
        }
    }
}

/// A running checkpoint thread. Dropping it checkpoints once more, stops the thread and
/// gives checkpoints back to the vault's own connection.
pub struct Checkpointer {
    vault: Weak<Vault>,
    signal: Arc<Signal>,
    thread: Option<JoinHandle<()>>,
}

impl Vault {
    /// Moves this vault's WAL checkpoints to a thread of their own (see the module). `None`
    /// for a vault in memory, which has no WAL.
    pub fn checkpoint_in_background(self: &Arc<Self>) -> Result<Option<Checkpointer>> {
        let Some(path) = self.info.path.clone() else {
            return Ok(None);
        };
        let store = Store::open_for_checkpoints(&path)?;
        let signal = self.checkpoints.clone();
        *lock(&signal.state) = State::default();
        let for_thread = signal.clone();
        let vault = Arc::downgrade(self);
        let thread = std::thread::Builder::new()
            .name("coffer-checkpoint".into())
            .spawn(move || run(&store, &for_thread, &vault))
            .map_err(|e| Error::internal(format!("cannot start the checkpoint thread: {e}")))?;
        self.inner().store.set_auto_checkpoint(false)?;
        signal.attached.store(true, Ordering::Relaxed);
        Ok(Some(Checkpointer {
            vault: Arc::downgrade(self),
            signal,
            thread: Some(thread),
        }))
    }
}

fn run(store: &Store, signal: &Signal, vault: &Weak<Vault>) {
    loop {
        let stop = {
            let mut s = lock(&signal.state);
            if !s.kick && !s.stop {
                s = signal
                    .wake
                    .wait_timeout(s, IDLE)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            s.kick = false;
            s.stop
        };
        checkpoint(store, vault);
        signal.runs.fetch_add(1, Ordering::Relaxed);
        if stop {
            return;
        }
    }
}

/// One checkpoint, caught up under the vault's lock when the WAL is long. A checkpoint
/// that fails (the file busy past the timeout) is retried next time; the frames stay
/// safely in the WAL meanwhile.
fn checkpoint(store: &Store, vault: &Weak<Vault>) {
    if let Ok((frames, _)) = store.checkpoint()
        && frames > CATCH_UP
        && let Some(v) = vault.upgrade()
    {
        let _held = v.inner();
        let _ = store.checkpoint();
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.signal.attached.store(false, Ordering::Relaxed);
        if let Some(v) = self.vault.upgrade() {
            let _ = v.inner().store.set_auto_checkpoint(true);
        }
        lock(&self.signal.state).stop = true;
        self.signal.wake.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{CreateSecretRequest, GetSecretValueRequest};
    use crate::crypto::Passphrase;
    use crate::{FrontEnd, InitOptions, SecretText};

    fn vault(dir: &std::path::Path) -> Arc<Vault> {
        let mut opts = InitOptions::new("admin", Passphrase::new("checkpoint test".into()));
        opts.kdf = Some((19456, 2));
        let v = Vault::init(&dir.join("vault.db"), opts).unwrap();
        v.create_secret(
            &v.caller(FrontEnd::Cli),
            CreateSecretRequest {
                name: "app/db".into(),
                secret_string: Some(SecretText::new("s3cr3t".into())),
                ..Default::default()
            },
        )
        .unwrap();
        Arc::new(v)
    }

    fn read(v: &Vault, times: usize) {
        let c = v.caller(FrontEnd::Endpoint);
        for _ in 0..times {
            v.get_secret_value(
                &c,
                GetSecretValueRequest {
                    secret_id: "app/db".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        }
    }

    #[test]
    fn a_long_wal_is_caught_up_under_the_lock_so_the_next_commit_starts_it_over() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        v.inner().store.set_auto_checkpoint(false).unwrap();
        let store = Store::open_for_checkpoints(&dir.path().join("vault.db")).unwrap();
        read(&v, 1200);
        let (frames, _) = store.checkpoint().unwrap();
        assert!(
            frames > CATCH_UP,
            "1,200 audited reads leave {frames} frames"
        );
        checkpoint(&store, &Arc::downgrade(&v));
        read(&v, 1);
        let (frames, copied) = store.checkpoint().unwrap();
        assert!(frames < 64, "the WAL started over: {frames} frames");
        assert_eq!(copied, frames);
    }

    #[test]
    fn the_thread_checkpoints_as_reads_commit_and_hands_the_job_back_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let ck = v.checkpoint_in_background().unwrap().expect("a file vault");
        let first = v.checkpoints.runs.load(Ordering::Relaxed);
        read(&v, 2 * EVERY as usize);
        // Kicked twice; waits for the thread however slow the machine (no time asserted).
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while v.checkpoints.runs.load(Ordering::Relaxed) < first + 2
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(v.checkpoints.runs.load(Ordering::Relaxed) >= first + 2);
        drop(ck);
        assert!(!v.checkpoints.attached.load(Ordering::Relaxed));
        // The vault's own connection checkpoints again: 400 reads (about 2,000 frames)
        // leave no more than SQLite's 1,000-page threshold in the WAL.
        read(&v, 400);
        let store = Store::open_for_checkpoints(&dir.path().join("vault.db")).unwrap();
        let (frames, _) = store.checkpoint().unwrap();
        assert!(frames < 1100, "{frames} frames");
        assert!(
            Vault::ephemeral("123456789012", "us-east-1")
                .map(Arc::new)
                .unwrap()
                .checkpoint_in_background()
                .unwrap()
                .is_none()
        );
    }
}
