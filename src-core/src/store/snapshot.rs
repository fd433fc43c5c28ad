//! Whole-file snapshots, for backups: a consistent copy of the vault file taken while other
//! processes keep writing, and a way to read such a copy without touching it.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::Store;
use crate::{Error, Result};

fn utf8(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| Error::invalid_parameter(format!("{} is not a UTF-8 path", path.display())))
}

/// `path` as an SQLite URI path: the characters a URI gives meaning to are escaped.
fn uri_path(path: &Path) -> Result<String> {
    let s = utf8(path)?;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    Ok(out)
}

impl Store {
    /// Writes a consistent copy of the whole file into `path`, which must be an empty file.
    /// `VACUUM INTO` reads in one read transaction: writers in other processes carry on,
    /// and the copy holds exactly the commits made before it began (free pages left out).
    pub fn snapshot_into(&self, path: &Path) -> Result<()> {
        let target = utf8(path)?;
        self.conn.execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }

    /// Opens a snapshot read-only and immutable: no locks, no WAL, no migration, so the
    /// file is read exactly as it is.
    pub fn open_snapshot(path: &Path) -> Result<Self> {
        let conn = Connection::open_with_flags(
            format!("file:{}?immutable=1", uri_path(path)?),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        if !super::holds_vault(&conn) {
            return Err(Error::invalid_parameter(format!(
                "{} does not hold a Coffer vault",
                path.display()
            )));
        }
        Ok(Self {
            conn,
            fsync: true,
            state_log: false,
            group: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_holds_the_committed_rows_and_opens_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("odd ?#% name.db")).unwrap();
        let tx = store.begin().unwrap();
        tx.meta_set("vault_id", b"v1").unwrap();
        tx.state_changes_taken().unwrap();
        tx.commit().unwrap();
        let copy = dir.path().join("copy?#%.db");
        std::fs::File::create(&copy).unwrap();
        store.snapshot_into(&copy).unwrap();
        let mut snap = Store::open_snapshot(&copy).unwrap();
        let tx = snap.read().unwrap();
        assert_eq!(
            tx.meta_get_string("vault_id").unwrap().as_deref(),
            Some("v1")
        );
        assert!(tx.meta_set("vault_id", b"v2").is_err(), "read-only");
        drop(tx);
        assert_eq!(snap.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn a_file_that_is_no_vault_is_not_a_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("junk.db");
        std::fs::write(&p, b"not sqlite at all").unwrap();
        assert!(Store::open_snapshot(&p).is_err());
    }
}
