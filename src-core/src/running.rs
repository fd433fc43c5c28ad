//! Which of a vault's long-running front ends are up: the session agent (`coffer unlock`),
//! the SDK endpoint (`coffer serve`) and the Secrets Manager Agent's endpoint
//! (`coffer serve --agent`). The consoles show them.
//!
//! Each announces itself with a small file in this user's runtime directory
//! (`$XDG_RUNTIME_DIR/coffer/`, or `$TMPDIR/coffer-<uid>/`): 0700, owned by this user, refused
//! otherwise, so no other user can plant, replace or read an announcement (root aside). The
//! file (0600) holds only the front end, its pid, its address and operator — never a token,
//! a key or a value — and the announcing process holds an exclusive `flock` on it for as long
//! as it runs. A reader counts an announcement only while that lock is held: a process that
//! was killed (even with SIGKILL) lets go of it, so a stale file is never shown, and a pid
//! reused by another program cannot make it look alive. The file is written under a name
//! readers skip and renamed into place once locked, so a reader never sees it unlocked while
//! it is being made.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::FrontEnd;

/// One running front end of a vault, as it announced itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Running {
    pub front_end: FrontEnd,
    pub pid: u32,
    /// Where it answers: `127.0.0.1:2773`, or the session's socket.
    pub address: String,
    /// The operator whose unlock it runs on.
    pub operator: String,
    /// When it started (milliseconds since the epoch).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub started_ms: i64,
}

/// This user's private runtime directory (made 0700 when missing and `create`); an error
/// unless it is a directory this user owns that no one else may enter.
pub fn runtime_dir(create: bool) -> std::io::Result<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt};
        let uid = rustix::process::getuid().as_raw();
        let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
            Some(d) => PathBuf::from(d).join("coffer"),
            None => std::env::temp_dir().join(format!("coffer-{uid}")),
        };
        if create {
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        let meta = std::fs::symlink_metadata(&dir)?;
        if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "{} is not a directory only this user (uid {uid}) may open",
                    dir.display()
                ),
            ));
        }
        Ok(dir)
    }
    #[cfg(not(unix))]
    {
        let _ = create;
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "sessions and announcements need a Unix runtime directory",
        ))
    }
}

/// The name a vault file's runtime files share: a digest of its canonical path.
pub fn vault_key(vault: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let canonical = std::fs::canonicalize(vault)?;
    let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
    Ok(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
}

/// The session agent's socket for this vault file (the runtime directory made when `create`).
pub fn session_socket(vault: &Path, create: bool) -> std::io::Result<PathBuf> {
    let key = vault_key(vault)?;
    Ok(runtime_dir(create)?.join(format!("{key}.sock")))
}

/// A front end's announcement: counted while this is alive; dropping it removes the file.
#[derive(Debug)]
pub struct Announcement {
    path: PathBuf,
    /// Holds the exclusive lock readers test.
    _file: File,
}

impl Announcement {
    /// The announcement's file: a process about to `exit` (which runs no destructor) removes
    /// it first, so no console sees the front end while its threads are still ending.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Announcement {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn file_name(key: &str, running: &Running) -> String {
    format!(
        "{key}.{}.{}.running",
        running.front_end.as_str(),
        running.pid
    )
}

/// Announces a running front end of `vault` until the returned value is dropped (or the
/// process ends).
pub fn announce(vault: &Path, running: &Running) -> std::io::Result<Announcement> {
    announce_in(&runtime_dir(true)?, &vault_key(vault)?, running)
}

fn announce_in(dir: &Path, key: &str, running: &Running) -> std::io::Result<Announcement> {
    let path = dir.join(file_name(key, running));
    let making = dir.join(format!(".{}.making", file_name(key, running)));
    let _ = std::fs::remove_file(&making);
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&making)?;
    file.try_lock().map_err(std::io::Error::other)?;
    file.write_all(&serde_json::to_vec(running)?)?;
    std::fs::rename(&making, &path)?;
    Ok(Announcement { path, _file: file })
}

/// The front ends running for `vault` now, oldest first. Files left by processes that ended
/// are removed; anything that is not this user's own private regular file is ignored.
pub fn running(vault: &Path) -> Vec<Running> {
    match (runtime_dir(false), vault_key(vault)) {
        (Ok(dir), Ok(key)) => running_in(&dir, &key),
        _ => vec![],
    }
}

fn running_in(dir: &Path, key: &str) -> Vec<Running> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let prefix = format!("{key}.");
    let mut found: Vec<Running> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".running"))
        })
        .filter_map(|e| read_live(&e.path()))
        .collect();
    // One process may announce two (`coffer serve --agent`): the SDK endpoint first.
    let rank = |f: FrontEnd| match f {
        FrontEnd::Session => 0,
        FrontEnd::Endpoint => 1,
        _ => 2,
    };
    found.sort_by_key(|r| (r.started_ms, r.pid, rank(r.front_end)));
    found
}

/// The announcement in `path`, if its process still holds it.
fn read_live(path: &Path) -> Option<Running> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != rustix::process::getuid().as_raw() || meta.mode() & 0o077 != 0 {
            return None;
        }
    }
    let file = File::open(path).ok()?;
    // The file opened is the one examined (not something put in its place since).
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let opened = file.metadata().ok()?;
        if (opened.dev(), opened.ino()) != (meta.dev(), meta.ino()) {
            return None;
        }
    }
    match file.try_lock_shared() {
        // No one holds it: its process has ended.
        Ok(()) => {
            let _ = std::fs::remove_file(path);
            None
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut text = String::new();
            file.take(64 * 1024).read_to_string(&mut text).ok()?;
            serde_json::from_str(&text).ok()
        }
        Err(std::fs::TryLockError::Error(_)) => None,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn agent(pid: u32) -> Running {
        Running {
            front_end: FrontEnd::Agent,
            pid,
            address: "127.0.0.1:2773".into(),
            operator: "admin".into(),
            started_ms: 1,
        }
    }

    #[test]
    fn an_announcement_counts_while_its_holder_keeps_it_and_goes_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let held = announce_in(dir.path(), "k", &agent(7)).unwrap();
        assert_eq!(running_in(dir.path(), "k"), vec![agent(7)]);
        assert_eq!(running_in(dir.path(), "other"), vec![]);
        let mode = std::fs::metadata(&held.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        drop(held);
        assert_eq!(running_in(dir.path(), "k"), vec![]);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_file_no_process_holds_is_not_running_and_is_cleared() {
        // What a killed front end leaves: the file, with nobody holding its lock.
        let dir = tempfile::tempdir().unwrap();
        let left = dir.path().join("k.agent.7.running");
        std::fs::write(&left, serde_json::to_vec(&agent(7)).unwrap()).unwrap();
        std::fs::set_permissions(&left, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(running_in(dir.path(), "k"), vec![]);
        assert!(!left.exists());
    }

    #[test]
    fn a_link_or_a_file_others_may_write_is_not_believed() {
        let dir = tempfile::tempdir().unwrap();
        let held = announce_in(dir.path(), "real", &agent(7)).unwrap();
        // A link named like an announcement of another vault, to a live one.
        std::os::unix::fs::symlink(&held.path, dir.path().join("k.agent.8.running")).unwrap();
        assert_eq!(running_in(dir.path(), "k"), vec![]);
        // A live announcement whose file others may write.
        let open = announce_in(dir.path(), "k", &agent(9)).unwrap();
        std::fs::set_permissions(&open.path, std::fs::Permissions::from_mode(0o622)).unwrap();
        assert_eq!(running_in(dir.path(), "k"), vec![]);
    }

    #[test]
    fn a_vault_is_named_by_its_canonical_path() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.db");
        std::fs::write(&vault, b"").unwrap();
        let via_dot = dir.path().join(".").join("vault.db");
        assert_eq!(vault_key(&vault).unwrap(), vault_key(&via_dot).unwrap());
        let other = dir.path().join("other.db");
        std::fs::write(&other, b"").unwrap();
        assert_ne!(vault_key(&vault).unwrap(), vault_key(&other).unwrap());
    }
}
