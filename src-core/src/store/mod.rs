//! The only module with SQL: one SQLite file in WAL mode, opened by several processes at
//! once. Writes run in `BEGIN IMMEDIATE` transactions; `PRAGMA data_version` tells a
//! long-running process cheaply that another one committed.
//!
//! **Why this file is long:** it holds the statements on secrets, versions, audit rows and
//! metadata that every transaction shares (the connection, `Tx`, its reads and writes); what
//! has a subject of its own is in the sibling files (schema, state, usage, snapshot, rekey).
//! About a fifth is its tests.

mod rekey;
mod schema;
mod snapshot;
mod state;
mod usage;

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::{Error, Result};

pub use rekey::VoucherRow;
pub use schema::{FORMAT, migrations};
pub use state::StateChange;
pub use usage::{READ_EVENTS, UsageEvent};

/// How long a writer waits for another process's write lock before giving up.
const BUSY_TIMEOUT_MS: u64 = 10_000;

pub struct Store {
    conn: Connection,
    /// Whether commits currently wait for fsync (`synchronous=FULL`).
    fsync: bool,
    /// Whether this connection logs state changes (see `state`): every connection that
    /// writes does.
    state_log: bool,
    /// The thread whose shared transaction is open ([`Store::begin_group`]): each
    /// transaction begun in it is a savepoint of it, made durable by [`Store::commit_group`].
    group: Option<std::thread::ThreadId>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

pub struct SlotRow {
    pub operator: String,
    pub kdf: String,
    pub public_key: Vec<u8>,
    /// A keyed MAC of the public key, so that nobody without the vault's keys can swap in
    /// their own and receive the next master key.
    pub public_mac: Vec<u8>,
    pub wrapped_private: Vec<u8>,
    pub sealed_master: Vec<u8>,
    pub created_ms: i64,
}

pub struct KmsRow {
    pub key_id: String,
    pub wrapped: Vec<u8>,
    pub doc: Vec<u8>,
    pub created_ms: i64,
}

pub struct SecretRow {
    pub uid: String,
    pub name_hash: Vec<u8>,
    pub doc: Vec<u8>,
    pub deletion_ms: Option<i64>,
}

pub struct VersionRow {
    pub kms_key_id: String,
    pub wrapped_dek: Vec<u8>,
    pub value: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct AuditRow {
    pub seq: i64,
    pub at_ms: i64,
    pub event_name: String,
    pub error_code: Option<String>,
    pub front_end: String,
    pub principal_hash: Vec<u8>,
    pub secret_uid: Option<String>,
    pub body: Vec<u8>,
    pub mac: Vec<u8>,
}

/// An IAM entity row: (kind, id hash, sealed document).
pub type IamRow = (String, Vec<u8>, Vec<u8>);

/// What an audit query selects; every field narrows. Rows come newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditSelect {
    pub secret_uid: Option<String>,
    pub principal_hash: Option<Vec<u8>>,
    pub event_names: Vec<String>,
    pub front_end: Option<String>,
    pub errors_only: bool,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Only events older than this sequence number (paging backwards).
    pub before_seq: Option<i64>,
    /// Only events newer than this sequence number (following).
    pub after_seq: Option<i64>,
    pub limit: usize,
}

/// Changes since a revision: secrets written and secrets purged.
pub struct Changes {
    pub rev: i64,
    pub upserted: Vec<SecretRow>,
    pub purged: Vec<String>,
}

fn apply_pragmas(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    // Savepoint and statement journals spill to an unlinked temporary file past 64 KiB.
    // Kept in memory (this build's default), truncating one walks it from its start at
    // the end of every statement, so one request that rewrites the whole vault (a
    // re-key) slowed quadratically: 20,000 secrets in under a minute, 100,000 not in
    // ten. What they hold is pages of this file, as sealed as the file itself.
    conn.pragma_update(None, "temp_store", "FILE")?;
    Ok(())
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(|_| ())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                Error::exists(format!("A vault already exists at {}", path.display()))
            }
            _ => Error::internal(format!("cannot create {}: {e}", path.display())),
        })
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map(|_| ())
        .map_err(|e| Error::internal(format!("cannot create {}: {e}", path.display())))
}

/// A rotation attempt as stored: what the engine selects on in the clear, the rest sealed.
#[derive(Debug, Clone)]
pub struct AttemptRow {
    pub id: String,
    pub secret_uid: String,
    pub status: String,
    pub run_after_ms: Option<i64>,
    pub requested_ms: i64,
    pub lease_holder: Option<String>,
    pub lease_expires_ms: Option<i64>,
    pub doc: Vec<u8>,
}

const ATTEMPT_SELECT: &str = "SELECT id, secret_uid, status, run_after_ms, requested_ms,
    lease_holder, lease_expires_ms, doc FROM rotation_attempts";

fn attempt_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AttemptRow> {
    Ok(AttemptRow {
        id: r.get(0)?,
        secret_uid: r.get(1)?,
        status: r.get(2)?,
        run_after_ms: r.get(3)?,
        requested_ms: r.get(4)?,
        lease_holder: r.get(5)?,
        lease_expires_ms: r.get(6)?,
        doc: r.get(7)?,
    })
}

impl Store {
    /// Creates a new vault file (mode 0600) with the current schema.
    pub fn create(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        create_private_file(path)?;
        let mut conn = Connection::open(path)?;
        apply_pragmas(&conn)?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| Error::internal(format!("cannot create the vault schema: {e}")))?;
        state::install(&conn)?;
        Ok(Self {
            conn,
            fsync: true,
            state_log: true,
            group: None,
        })
    }

    /// Opens an existing vault file and brings its schema up to date: a file in an older
    /// format is migrated, one in a newer format is refused.
    pub fn open(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(Error::not_found(format!(
                "No vault at {} (create one with `coffer init`)",
                path.display()
            )));
        }
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        apply_pragmas(&conn)?;
        if !holds_vault(&conn) {
            return Err(Error::invalid_request(format!(
                "{} is not a Coffer vault",
                path.display()
            )));
        }
        refuse_newer_format(&conn, path)?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| Error::internal(format!("cannot migrate the vault schema: {e}")))?;
        state::install(&conn)?;
        Ok(Self {
            conn,
            fsync: true,
            state_log: true,
            group: None,
        })
    }

    /// An in-memory store (nothing touches disk).
    pub fn memory() -> Result<Self> {
        let mut conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| Error::internal(format!("cannot create the vault schema: {e}")))?;
        state::install(&conn)?;
        Ok(Self {
            conn,
            fsync: true,
            state_log: true,
            group: None,
        })
    }

    /// A second connection to a vault file that only checkpoints its WAL (see
    /// [`Store::checkpoint`]), so that a busy process can move checkpoints off the
    /// connection that answers requests.
    pub fn open_for_checkpoints(path: &Path) -> Result<Self> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))?;
        Ok(Self {
            conn,
            fsync: true,
            state_log: false,
            group: None,
        })
    }

    /// Copies what the WAL holds into the database file without blocking readers or
    /// writers (`PRAGMA wal_checkpoint(PASSIVE)`); frames still in use wait for the next.
    /// Returns the frames in the WAL and how many of them are now in the database file.
    pub fn checkpoint(&self) -> Result<(i64, i64)> {
        Ok(self
            .conn
            .prepare_cached("PRAGMA wal_checkpoint(PASSIVE)")?
            .query_row([], |r| Ok((r.get(1)?, r.get(2)?)))?)
    }

    /// Whether this connection checkpoints the WAL itself when a commit leaves it over
    /// SQLite's default 1,000 pages (it does unless another connection took the job).
    pub fn set_auto_checkpoint(&self, on: bool) -> Result<()> {
        self.conn
            .pragma_update(None, "wal_autocheckpoint", if on { 1000 } else { 0 })?;
        Ok(())
    }

    /// Changes whenever another connection commits: the cheap "did anyone else write?".
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?)
    }

    /// Starts a write transaction (takes the file's write lock at once). With `fsync`, its
    /// commit returns only once the WAL is on disk (survives power loss); without, once the
    /// WAL is in the OS (survives a process crash, and is made durable by the next fsync).
    /// Inside a group ([`Store::begin_group`]) it is a savepoint of the group's transaction,
    /// which commits without waiting for fsync: a transaction that must wait is refused there.
    pub fn begin_with(&mut self, fsync: bool) -> Result<Tx<'_>> {
        if self.group.is_some() {
            if fsync {
                return Err(Error::internal(
                    "a change that waits for fsync cannot share a group's commit",
                ));
            }
            return self.begin();
        }
        self.set_fsync(fsync)?;
        self.begin()
    }

    fn set_fsync(&mut self, fsync: bool) -> Result<()> {
        if fsync != self.fsync {
            self.conn
                .pragma_update(None, "synchronous", if fsync { "FULL" } else { "NORMAL" })?;
            self.fsync = fsync;
        }
        Ok(())
    }

    /// Starts a write transaction whose commit waits for fsync.
    pub fn begin(&mut self) -> Result<Tx<'_>> {
        self.start("BEGIN IMMEDIATE")
    }

    /// Starts a read transaction: one consistent snapshot, no lock held against writers.
    pub fn read(&mut self) -> Result<Tx<'_>> {
        self.start("BEGIN DEFERRED")
    }

    /// A transaction begun with `begin` (prepared once per connection: parsing BEGIN and
    /// COMMIT anew for every request was a twentieth of a read's time), or, inside a group,
    /// a savepoint of the group's transaction.
    fn start(&self, begin: &str) -> Result<Tx<'_>> {
        let nested = self.group.is_some();
        self.conn
            .prepare_cached(if nested { "SAVEPOINT request" } else { begin })?
            .execute([])?;
        Ok(Tx {
            tx: Open {
                conn: &self.conn,
                nested,
                done: false,
            },
            state_log: self.state_log,
        })
    }

    /// Opens a transaction that the transactions begun until [`Store::commit_group`] share
    /// (each is a savepoint of it): several requests' changes reach the file in one commit,
    /// which does not wait for fsync (it survives a process crash, as a read's commit does).
    pub fn begin_group(&mut self) -> Result<()> {
        if self.group.is_some() {
            return Err(Error::internal(
                "a group is already open on this connection",
            ));
        }
        self.set_fsync(false)?;
        self.conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        self.group = Some(std::thread::current().id());
        Ok(())
    }

    /// Whether another thread's group is open: this thread waits for its commit before it
    /// begins anything (its transaction would otherwise be a part of that group's).
    pub fn grouped_elsewhere(&self) -> bool {
        self.group
            .is_some_and(|owner| owner != std::thread::current().id())
    }

    /// Commits the group's transaction; when that fails, every change made in the group is
    /// rolled back.
    pub fn commit_group(&mut self) -> Result<()> {
        if self.group.take().is_none() {
            return Err(Error::internal("no group is open on this connection"));
        }
        let committed = if self.state_log && state::pending(&self.conn)? {
            Err(state::unfolded())
        } else {
            self.conn
                .prepare_cached("COMMIT")?
                .execute([])
                .map(drop)
                .map_err(Error::from)
        };
        if committed.is_err() && !self.conn.is_autocommit() {
            let _ = self
                .conn
                .prepare_cached("ROLLBACK")
                .and_then(|mut s| s.execute([]));
        }
        committed
    }

    /// `PRAGMA integrity_check`, for tests and `coffer doctor`-style checks.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

/// Whether the database on `conn` is a Coffer vault (it has the vault's settings table).
fn holds_vault(conn: &Connection) -> bool {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='vault_meta'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .is_ok_and(|n| n > 0)
}

/// Refuses a vault file whose format is newer than this Coffer's, naming the release that
/// opens it (as the file says, when it says so plainly).
fn refuse_newer_format(conn: &Connection, path: &Path) -> Result<()> {
    let format: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if (0..=i64::from(FORMAT)).contains(&format) {
        return Ok(());
    }
    let reader: Option<String> = conn
        .query_row(
            "SELECT CAST(value AS TEXT) FROM vault_meta WHERE key = ?1",
            [schema::READER_KEY],
            |r| r.get(0),
        )
        .optional()?;
    let plain = |v: &String| {
        (1..=32).contains(&v.len())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c))
    };
    let needs = match reader.filter(plain) {
        Some(release) => format!("Coffer {release} or later"),
        None => "a newer Coffer".to_string(),
    };
    Err(Error::invalid_request(format!(
        "The vault {} is in format {format}, which needs {needs}; this Coffer ({}) opens vault formats up to {FORMAT}.",
        path.display(),
        env!("CARGO_PKG_VERSION"),
    )))
}

/// Makes a directory (and its parents) readable by this user only, if it is missing.
#[cfg(unix)]
pub fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.exists() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::internal(format!("cannot create {}: {e}", dir.display())))
}

#[cfg(not(unix))]
pub fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::internal(format!("cannot create {}: {e}", dir.display())))
}

/// One transaction. Dropping it without [`Tx::commit`] rolls back.
pub struct Tx<'a> {
    tx: Open<'a>,
    state_log: bool,
}

/// The connection while a transaction (or, in a group, a savepoint) is open on it; rolled
/// back when dropped before its commit.
struct Open<'a> {
    conn: &'a Connection,
    nested: bool,
    done: bool,
}

impl std::ops::Deref for Open<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Open<'_> {
    fn commit(&mut self) -> Result<()> {
        let sql = if self.nested {
            "RELEASE request"
        } else {
            "COMMIT"
        };
        self.conn.prepare_cached(sql)?.execute([])?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let run = |sql: &str| {
            self.conn
                .prepare_cached(sql)
                .and_then(|mut s| s.execute([]))
        };
        if self.nested {
            let _ = run("ROLLBACK TO request").and_then(|_| run("RELEASE request"));
        } else if !self.conn.is_autocommit() {
            let _ = run("ROLLBACK");
        }
    }
}

impl Tx<'_> {
    /// Commits (inside a group: releases its savepoint into the group's transaction),
    /// unless a state change made in it was not folded into the audit head.
    pub fn commit(mut self) -> Result<()> {
        if self.state_log && state::pending(&self.tx)? {
            return Err(state::unfolded());
        }
        self.tx.commit()
    }

    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .tx
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?)
    }

    /// Marks a point to roll back to if the operation fails, keeping the audit event.
    pub fn savepoint(&self) -> Result<()> {
        self.tx.prepare_cached("SAVEPOINT op")?.execute([])?;
        Ok(())
    }
    pub fn release(&self) -> Result<()> {
        self.tx.prepare_cached("RELEASE op")?.execute([])?;
        Ok(())
    }
    pub fn rollback_to_savepoint(&self) -> Result<()> {
        self.tx.prepare_cached("ROLLBACK TO op")?.execute([])?;
        self.release()
    }

    // ---- settings ----

    pub fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .tx
            .prepare_cached("SELECT value FROM vault_meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }
    /// Prepared once per connection: every request writes the audit head through it, and
    /// compiling it (with the state log's triggers) was a quarter of a read's time.
    pub fn meta_set(&self, key: &str, value: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO vault_meta(key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
        Ok(())
    }
    pub fn meta_get_string(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .meta_get(key)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Increments and returns the vault's change counter.
    pub fn next_rev(&self) -> Result<i64> {
        let cur = self
            .meta_get_string("rev")?
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0);
        let next = cur + 1;
        self.meta_set("rev", next.to_string().as_bytes())?;
        Ok(next)
    }
    pub fn current_rev(&self) -> Result<i64> {
        Ok(self
            .meta_get_string("rev")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0))
    }

    // ---- key slots and vault keys ----

    pub fn slot_insert(&self, s: &SlotRow) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO key_slots(operator, kdf, public_key, public_mac, wrapped_private, sealed_master, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![s.operator, s.kdf, s.public_key, s.public_mac, s.wrapped_private, s.sealed_master, s.created_ms],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    Error::exists(format!("The operator {} already has a key slot.", s.operator))
                }
                e => e.into(),
            })?;
        Ok(())
    }

    fn slots_where(&self, clause: &str, arg: Option<&str>) -> Result<Vec<SlotRow>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT operator, kdf, public_key, public_mac, wrapped_private, sealed_master, created_ms FROM key_slots {clause}
             ORDER BY created_ms, operator"
        ))?;
        let map = |r: &rusqlite::Row<'_>| {
            Ok(SlotRow {
                operator: r.get(0)?,
                kdf: r.get(1)?,
                public_key: r.get(2)?,
                public_mac: r.get(3)?,
                wrapped_private: r.get(4)?,
                sealed_master: r.get(5)?,
                created_ms: r.get(6)?,
            })
        };
        let rows = match arg {
            Some(a) => st
                .query_map([a], map)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
            None => st
                .query_map([], map)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        };
        Ok(rows)
    }

    pub fn slot_get(&self, operator: &str) -> Result<Option<SlotRow>> {
        Ok(self
            .slots_where("WHERE operator = ?1", Some(operator))?
            .into_iter()
            .next())
    }

    pub fn slots_all(&self) -> Result<Vec<SlotRow>> {
        self.slots_where("", None)
    }

    pub fn slot_operators(&self) -> Result<Vec<String>> {
        Ok(self.slots_all()?.into_iter().map(|s| s.operator).collect())
    }

    /// A new passphrase: new Argon2id parameters and the private key wrapped anew.
    pub fn slot_set_passphrase(
        &self,
        operator: &str,
        kdf: &str,
        wrapped_private: &[u8],
    ) -> Result<()> {
        self.tx.execute(
            "UPDATE key_slots SET kdf = ?2, wrapped_private = ?3 WHERE operator = ?1",
            params![operator, kdf, wrapped_private],
        )?;
        Ok(())
    }

    pub fn slot_delete(&self, operator: &str) -> Result<()> {
        self.tx
            .execute("DELETE FROM key_slots WHERE operator = ?1", [operator])?;
        Ok(())
    }

    pub fn vault_keys_all(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT purpose, wrapped FROM vault_keys")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn kms_set_wrapped(&self, key_id: &str, wrapped: &[u8]) -> Result<()> {
        self.tx.execute(
            "UPDATE kms_keys SET wrapped = ?2 WHERE key_id = ?1",
            params![key_id, wrapped],
        )?;
        Ok(())
    }

    pub fn vault_key_set(&self, purpose: &str, wrapped: &[u8]) -> Result<()> {
        self.tx.execute(
            "INSERT INTO vault_keys(purpose, wrapped) VALUES (?1, ?2)
             ON CONFLICT(purpose) DO UPDATE SET wrapped = excluded.wrapped",
            params![purpose, wrapped],
        )?;
        Ok(())
    }
    pub fn vault_key_get(&self, purpose: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .tx
            .query_row(
                "SELECT wrapped FROM vault_keys WHERE purpose = ?1",
                [purpose],
                |r| r.get(0),
            )
            .optional()?)
    }

    // ---- KMS keys ----

    pub fn kms_insert(&self, k: &KmsRow) -> Result<()> {
        self.tx.execute(
            "INSERT INTO kms_keys(key_id, wrapped, doc, created_ms) VALUES (?1, ?2, ?3, ?4)",
            params![k.key_id, k.wrapped, k.doc, k.created_ms],
        )?;
        Ok(())
    }
    pub fn kms_update_doc(&self, key_id: &str, doc: &[u8]) -> Result<()> {
        self.tx.execute(
            "UPDATE kms_keys SET doc = ?2 WHERE key_id = ?1",
            params![key_id, doc],
        )?;
        Ok(())
    }
    pub fn kms_all(&self) -> Result<Vec<KmsRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT key_id, wrapped, doc, created_ms FROM kms_keys ORDER BY created_ms, key_id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(KmsRow {
                key_id: r.get(0)?,
                wrapped: r.get(1)?,
                doc: r.get(2)?,
                created_ms: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- secrets ----

    pub fn secret_upsert(&self, row: &SecretRow, rev: i64) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO secrets(uid, name_hash, doc, rev, deletion_ms) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(uid) DO UPDATE SET doc = excluded.doc, rev = excluded.rev,
                     deletion_ms = excluded.deletion_ms",
            )?
            .execute(params![row.uid, row.name_hash, row.doc, rev, row.deletion_ms])
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    Error::exists("A secret with this name already exists.")
                }
                e => e.into(),
            })?;
        Ok(())
    }

    /// Removes a secret and every version of it, leaving a tombstone for other processes.
    pub fn secret_purge(&self, uid: &str, rev: i64) -> Result<()> {
        self.tx
            .execute("DELETE FROM versions WHERE secret_uid = ?1", [uid])?;
        self.tx
            .execute("DELETE FROM secrets WHERE uid = ?1", [uid])?;
        self.tx.execute(
            "INSERT INTO tombstones(uid, rev) VALUES (?1, ?2)
             ON CONFLICT(uid) DO UPDATE SET rev = excluded.rev",
            params![uid, rev],
        )?;
        Ok(())
    }

    /// Secrets whose deletion date has passed.
    pub fn secrets_due_for_purge(&self, now_ms: i64, limit: usize) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached(
            "SELECT uid FROM secrets WHERE deletion_ms IS NOT NULL AND deletion_ms <= ?1
             ORDER BY deletion_ms LIMIT ?2",
        )?;
        let rows = st.query_map(params![now_ms, limit as i64], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every secret written after `since`, and every secret purged after it.
    pub fn changes_since(&self, since: i64) -> Result<Changes> {
        let rev = self.current_rev()?;
        let mut st = self.tx.prepare_cached(
            "SELECT uid, name_hash, doc, deletion_ms FROM secrets WHERE rev > ?1",
        )?;
        let upserted = st
            .query_map([since], secret_row)?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = self
            .tx
            .prepare_cached("SELECT uid FROM tombstones WHERE rev > ?1")?;
        let purged = st
            .query_map([since], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Changes {
            rev,
            upserted,
            purged,
        })
    }

    pub fn secret_count(&self) -> Result<i64> {
        Ok(self
            .tx
            .query_row("SELECT count(*) FROM secrets", [], |r| r.get(0))?)
    }

    // ---- versions ----

    pub fn version_put(&self, secret_uid: &str, vid_hash: &[u8], row: &VersionRow) -> Result<()> {
        self.tx.execute(
            "INSERT INTO versions(secret_uid, vid_hash, kms_key_id, wrapped_dek, value)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(secret_uid, vid_hash) DO UPDATE SET kms_key_id = excluded.kms_key_id,
                 wrapped_dek = excluded.wrapped_dek, value = excluded.value",
            params![
                secret_uid,
                vid_hash,
                row.kms_key_id,
                row.wrapped_dek,
                row.value
            ],
        )?;
        Ok(())
    }

    pub fn version_get(&self, secret_uid: &str, vid_hash: &[u8]) -> Result<Option<VersionRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT kms_key_id, wrapped_dek, value FROM versions WHERE secret_uid = ?1 AND vid_hash = ?2",
        )?;
        Ok(st
            .query_row(params![secret_uid, vid_hash], |r| {
                Ok(VersionRow {
                    kms_key_id: r.get(0)?,
                    wrapped_dek: r.get(1)?,
                    value: r.get(2)?,
                })
            })
            .optional()?)
    }

    pub fn version_rewrap(
        &self,
        secret_uid: &str,
        vid_hash: &[u8],
        kms_key_id: &str,
        wrapped_dek: &[u8],
    ) -> Result<()> {
        self.tx.execute(
            "UPDATE versions SET kms_key_id = ?3, wrapped_dek = ?4 WHERE secret_uid = ?1 AND vid_hash = ?2",
            params![secret_uid, vid_hash, kms_key_id, wrapped_dek],
        )?;
        Ok(())
    }

    pub fn version_delete(&self, secret_uid: &str, vid_hash: &[u8]) -> Result<()> {
        self.tx.execute(
            "DELETE FROM versions WHERE secret_uid = ?1 AND vid_hash = ?2",
            params![secret_uid, vid_hash],
        )?;
        Ok(())
    }

    // ---- IAM ----

    /// Every IAM entity as (kind, id hash, sealed document).
    pub fn iam_all(&self) -> Result<Vec<IamRow>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT kind, id_hash, doc FROM iam_entities")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn iam_put(&self, kind: &str, id_hash: &[u8], doc: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO iam_entities(id_hash, kind, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id_hash) DO UPDATE SET doc = excluded.doc",
            )?
            .execute(params![id_hash, kind, doc])?;
        Ok(())
    }

    pub fn iam_delete(&self, id_hash: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM iam_entities WHERE id_hash = ?1")?
            .execute([id_hash])?;
        Ok(())
    }

    pub fn access_keys_all(&self) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT id_hash, doc FROM access_keys")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn access_key_put(&self, id_hash: &[u8], doc: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO access_keys(id_hash, doc) VALUES (?1, ?2)
                 ON CONFLICT(id_hash) DO UPDATE SET doc = excluded.doc",
            )?
            .execute(params![id_hash, doc])?;
        Ok(())
    }

    pub fn access_key_delete(&self, id_hash: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM access_keys WHERE id_hash = ?1")?
            .execute([id_hash])?;
        Ok(())
    }

    // ---- rotation ----

    pub fn function_put(&self, name_hash: &[u8], doc: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO rotation_functions(name_hash, doc) VALUES (?1, ?2)
                 ON CONFLICT(name_hash) DO UPDATE SET doc = excluded.doc",
            )?
            .execute(params![name_hash, doc])?;
        Ok(())
    }

    pub fn function_get(&self, name_hash: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self
            .tx
            .prepare_cached("SELECT doc FROM rotation_functions WHERE name_hash = ?1")?
            .query_row([name_hash], |r| r.get(0))
            .optional()?)
    }

    pub fn functions_all(&self) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT name_hash, doc FROM rotation_functions")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn function_delete(&self, name_hash: &[u8]) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached("DELETE FROM rotation_functions WHERE name_hash = ?1")?
            .execute([name_hash])?
            > 0)
    }

    /// Writes an attempt's state; its lease is left as it is.
    pub fn attempt_put(&self, a: &AttemptRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO rotation_attempts(id, secret_uid, status, run_after_ms, requested_ms, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(id) DO UPDATE SET status = excluded.status,
                   run_after_ms = excluded.run_after_ms, doc = excluded.doc",
            )?
            .execute(params![
                a.id,
                a.secret_uid,
                a.status,
                a.run_after_ms,
                a.requested_ms,
                a.doc
            ])?;
        Ok(())
    }

    pub fn attempt_get(&self, id: &str) -> Result<Option<AttemptRow>> {
        Ok(self
            .tx
            .prepare_cached(&format!("{ATTEMPT_SELECT} WHERE id = ?1"))?
            .query_row([id], attempt_row)
            .optional()?)
    }

    /// A secret's attempts, newest first.
    pub fn attempts_of_secret(&self, secret_uid: &str) -> Result<Vec<AttemptRow>> {
        let mut st = self.tx.prepare_cached(&format!(
            "{ATTEMPT_SELECT} WHERE secret_uid = ?1 ORDER BY requested_ms DESC, id"
        ))?;
        let rows = st.query_map([secret_uid], attempt_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every attempt whose status is one of `statuses`, oldest first.
    pub fn attempts_with_status(&self, statuses: &[&str]) -> Result<Vec<AttemptRow>> {
        let mut out = Vec::new();
        let mut st = self.tx.prepare_cached(&format!(
            "{ATTEMPT_SELECT} WHERE status = ?1 ORDER BY requested_ms, id"
        ))?;
        for s in statuses {
            let rows = st.query_map([s], attempt_row)?;
            out.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
        }
        out.sort_by(|a, b| (a.requested_ms, &a.id).cmp(&(b.requested_ms, &b.id)));
        Ok(out)
    }

    /// The oldest attempt the engine may run now: due (running, or failed and past its retry
    /// time) and not leased by a holder whose lease still runs.
    pub fn attempt_next_runnable(&self, now_ms: i64) -> Result<Option<AttemptRow>> {
        Ok(self
            .tx
            .prepare_cached(&format!(
                "{ATTEMPT_SELECT} WHERE run_after_ms <= ?1
                   AND (lease_holder IS NULL OR lease_expires_ms IS NULL OR lease_expires_ms <= ?1)
                 ORDER BY requested_ms, id LIMIT 1"
            ))?
            .query_row([now_ms], attempt_row)
            .optional()?)
    }

    /// Takes (or renews) the lease on an attempt unless another holder's lease is still
    /// running. Returns whether `holder` has it now.
    pub fn attempt_claim(
        &self,
        id: &str,
        holder: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached(
                "UPDATE rotation_attempts SET lease_holder = ?2, lease_expires_ms = ?4
                 WHERE id = ?1 AND (lease_holder IS NULL OR lease_holder = ?2
                   OR lease_expires_ms IS NULL OR lease_expires_ms <= ?3)",
            )?
            .execute(params![id, holder, now_ms, expires_ms])?
            == 1)
    }

    pub fn attempt_release(&self, id: &str, holder: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE rotation_attempts SET lease_holder = NULL, lease_expires_ms = NULL
                 WHERE id = ?1 AND lease_holder = ?2",
            )?
            .execute(params![id, holder])?;
        Ok(())
    }

    // ---- audit ----

    pub fn audit_last(&self) -> Result<Option<(i64, Vec<u8>)>> {
        Ok(self
            .tx
            .prepare_cached("SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    pub fn audit_get(&self, seq: i64) -> Result<Option<AuditRow>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT seq, at_ms, event_name, error_code, front_end, principal_hash, secret_uid, body, mac
                 FROM audit WHERE seq = ?1",
            )?
            .query_row([seq], audit_row)
            .optional()?)
    }

    pub fn audit_append(&self, a: &AuditRow) -> Result<()> {
        let mut st = self.tx.prepare_cached(
            "INSERT INTO audit(seq, at_ms, event_name, error_code, front_end, principal_hash,
                               secret_uid, body, mac)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        st.execute(params![
            a.seq,
            a.at_ms,
            a.event_name,
            a.error_code,
            a.front_end,
            a.principal_hash,
            a.secret_uid,
            a.body,
            a.mac
        ])?;
        self.usage_note(
            a.at_ms,
            &a.event_name,
            a.error_code.as_deref(),
            &a.principal_hash,
            a.secret_uid.as_deref(),
        )
    }

    /// Every event in order, oldest first, for verification and export.
    pub fn audit_scan(&self, mut f: impl FnMut(AuditRow) -> Result<()>) -> Result<()> {
        let mut st = self.tx.prepare(
            "SELECT seq, at_ms, event_name, error_code, front_end, principal_hash, secret_uid, body, mac
             FROM audit ORDER BY seq",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(audit_row(r)?)?;
        }
        Ok(())
    }

    pub fn audit_count(&self) -> Result<i64> {
        Ok(self
            .tx
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?)
    }

    /// A page of events matching `sel`, newest first (oldest first when following).
    pub fn audit_select(&self, sel: &AuditSelect) -> Result<Vec<AuditRow>> {
        let mut sql = String::from(
            "SELECT seq, at_ms, event_name, error_code, front_end, principal_hash, secret_uid, body, mac
             FROM audit WHERE 1=1",
        );
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut push = |sql: &mut String, clause: &str, v: rusqlite::types::Value| {
            args.push(v);
            sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        if let Some(u) = &sel.secret_uid {
            push(&mut sql, " AND secret_uid = ?", u.clone().into());
        }
        if let Some(p) = &sel.principal_hash {
            push(&mut sql, " AND principal_hash = ?", p.clone().into());
        }
        if let Some(fe) = &sel.front_end {
            push(&mut sql, " AND front_end = ?", fe.clone().into());
        }
        if sel.errors_only {
            sql.push_str(" AND error_code IS NOT NULL");
        }
        if let Some(t) = sel.from_ms {
            push(&mut sql, " AND at_ms >= ?", t.into());
        }
        if let Some(t) = sel.to_ms {
            push(&mut sql, " AND at_ms <= ?", t.into());
        }
        if let Some(s) = sel.before_seq {
            push(&mut sql, " AND seq < ?", s.into());
        }
        if let Some(s) = sel.after_seq {
            push(&mut sql, " AND seq > ?", s.into());
        }
        if !sel.event_names.is_empty() {
            sql.push_str(" AND event_name IN (");
            for (i, n) in sel.event_names.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                push(&mut sql, "?", n.clone().into());
            }
            sql.push(')');
        }
        let order = if sel.after_seq.is_some() {
            "ASC"
        } else {
            "DESC"
        };
        sql.push_str(&format!(" ORDER BY seq {order} LIMIT {}", sel.limit.max(1)));
        let mut st = self.tx.prepare_cached(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args.iter()), audit_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn secret_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SecretRow> {
    Ok(SecretRow {
        uid: r.get(0)?,
        name_hash: r.get(1)?,
        doc: r.get(2)?,
        deletion_ms: r.get(3)?,
    })
}

fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get(0)?,
        at_ms: r.get(1)?,
        event_name: r.get(2)?,
        error_code: r.get(3)?,
        front_end: r.get(4)?,
        principal_hash: r.get(5)?,
        secret_uid: r.get(6)?,
        body: r.get(7)?,
        mac: r.get(8)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journals_spill_to_temporary_files_so_a_whole_vault_rewrite_stays_linear() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        drop(Store::create(&path).unwrap());
        let store = Store::open(&path).unwrap();
        // 1 = FILE. In memory (2), each statement inside a request's savepoint truncated
        // the savepoint journal by walking it from its start: a re-key went quadratic.
        let temp_store: i64 = store
            .conn
            .query_row("PRAGMA temp_store", [], |r| r.get(0))
            .unwrap();
        assert_eq!(temp_store, 1);
    }

    #[test]
    fn a_new_store_is_private_wal_and_refuses_a_second_create() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/vault.db");
        let store = Store::create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let dmode = std::fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(dmode, 0o700);
        }
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(store);
        assert_eq!(
            Store::create(&path).unwrap_err().code,
            crate::ErrorCode::ResourceExists
        );
    }

    #[test]
    fn data_version_changes_when_another_connection_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let mut a = Store::create(&path).unwrap();
        let mut b = Store::open(&path).unwrap();
        let before = a.data_version().unwrap();
        let tx = b.begin().unwrap();
        tx.meta_set("x", b"1").unwrap();
        // No audit head here to fold the change into.
        tx.state_changes_taken().unwrap();
        tx.commit().unwrap();
        assert_ne!(a.data_version().unwrap(), before);
        // Our own commits do not change our own view of it.
        let mine = a.data_version().unwrap();
        let tx = a.begin().unwrap();
        tx.meta_set("y", b"1").unwrap();
        tx.state_changes_taken().unwrap();
        tx.commit().unwrap();
        assert_eq!(a.data_version().unwrap(), mine);
        let _ = b.read().unwrap();
    }

    #[test]
    fn a_second_connection_checkpoints_what_a_connection_without_auto_checkpoints_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let mut a = Store::create(&path).unwrap();
        a.set_auto_checkpoint(false).unwrap();
        let checkpointer = Store::open_for_checkpoints(&path).unwrap();
        for i in 0..300 {
            let tx = a.begin_with(false).unwrap();
            tx.meta_set(&format!("k{i}"), &[7u8; 2000]).unwrap();
            tx.state_changes_taken().unwrap();
            tx.commit().unwrap();
        }
        let (frames, copied) = checkpointer.checkpoint().unwrap();
        assert!(
            frames >= 300,
            "without auto-checkpoints the WAL keeps every commit's pages: {frames}"
        );
        assert_eq!(
            copied, frames,
            "a passive checkpoint with no reader copies every frame"
        );
        let tx = a.read().unwrap();
        assert_eq!(tx.meta_get("k299").unwrap().unwrap(), vec![7u8; 2000]);
        drop(tx);
        let tx = a.begin_with(false).unwrap();
        tx.meta_set("after", b"1").unwrap();
        tx.state_changes_taken().unwrap();
        tx.commit().unwrap();
        let (frames, _) = checkpointer.checkpoint().unwrap();
        assert!(frames < 10, "the WAL started over: {frames}");
    }

    #[test]
    fn opening_a_file_that_is_not_a_vault_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let c = Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE t(x)").unwrap();
        drop(c);
        assert_eq!(
            Store::open(&path).unwrap_err().code,
            crate::ErrorCode::InvalidRequest
        );
        assert_eq!(
            Store::open(&dir.path().join("missing.db"))
                .unwrap_err()
                .code,
            crate::ErrorCode::ResourceNotFound
        );
    }

    #[test]
    fn a_new_vault_file_is_in_the_newest_format_and_says_it_is_a_vault() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        drop(Store::create(&path).unwrap());
        let c = Connection::open(&path).unwrap();
        let pragma = |name| {
            c.pragma_query_value(None, name, |r| r.get::<_, i64>(0))
                .unwrap()
        };
        assert_eq!(pragma("user_version"), i64::from(FORMAT));
        assert_eq!(
            pragma("application_id"),
            i64::from(i32::from_be_bytes(*b"COFR"))
        );
        let reader: String = c
            .query_row(
                "SELECT CAST(value AS TEXT) FROM vault_meta WHERE key = ?1",
                [schema::READER_KEY],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(reader, "0.1.0");
    }

    /// A vault file made by a newer Coffer: its format one past ours, naming `reader`.
    fn newer_vault(reader: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        drop(Store::create(&path).unwrap());
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", FORMAT + 1).unwrap();
        c.execute(
            "UPDATE vault_meta SET value = CAST(?2 AS BLOB) WHERE key = ?1",
            [schema::READER_KEY, reader],
        )
        .unwrap();
        (dir, path)
    }

    #[test]
    fn a_vault_file_in_a_newer_format_is_refused_naming_the_release_it_needs() {
        let (_dir, path) = newer_vault("0.9.0");
        let e = Store::open(&path).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidRequest);
        let newer = FORMAT + 1;
        assert!(
            e.message.contains(&format!(
                "is in format {newer}, which needs Coffer 0.9.0 or later"
            )) && e
                .message
                .contains(&format!("opens vault formats up to {FORMAT}")),
            "{}",
            e.message
        );
        let c = Connection::open(&path).unwrap();
        let format: u32 = c
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(format, newer, "the refused file is left as it was");
    }

    #[test]
    fn a_newer_vault_file_naming_no_plain_release_is_refused_without_repeating_it() {
        let (_dir, path) = newer_vault("\x1b]0;pwned\x07");
        let e = Store::open(&path).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidRequest);
        assert!(
            e.message.contains("which needs a newer Coffer;"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("pwned"), "{}", e.message);
    }

    #[test]
    fn a_state_write_that_is_not_folded_into_the_head_cannot_commit() {
        let mut s = Store::memory().unwrap();
        let tx = s.begin().unwrap();
        tx.access_key_put(b"k", b"doc").unwrap();
        assert_eq!(tx.state_changes().unwrap().len(), 1);
        let e = tx.commit().unwrap_err();
        assert!(e.message.contains("audited door"), "{}", e.message);
        // A savepoint rolled back takes its log entries with it.
        let tx = s.begin().unwrap();
        tx.savepoint().unwrap();
        tx.access_key_put(b"k", b"doc").unwrap();
        tx.rollback_to_savepoint().unwrap();
        assert!(tx.state_changes().unwrap().is_empty());
        tx.commit().unwrap();
    }

    #[test]
    fn the_state_log_records_contents_before_and_after_and_leaves_out_the_head_and_leases() {
        const ONE: &str = "id_hash=X'6B';doc=X'6F6E65';";
        const TWO: &str = "id_hash=X'6B';doc=X'74776F';";
        let mut s = Store::memory().unwrap();
        let tx = s.begin().unwrap();
        tx.access_key_put(b"k", b"one").unwrap();
        tx.access_key_put(b"k", b"two").unwrap();
        tx.access_key_put(b"k", b"two").unwrap();
        tx.access_key_delete(b"k").unwrap();
        tx.meta_set("audit_head", b"h").unwrap();
        let log = tx.state_changes().unwrap();
        let seen: Vec<_> = log
            .iter()
            .map(|c| (c.table.as_str(), c.before.as_deref(), c.after.as_deref()))
            .collect();
        assert_eq!(
            seen,
            [
                ("access_keys", None, Some(ONE)),
                ("access_keys", Some(ONE), Some(TWO)),
                ("access_keys", Some(TWO), None),
            ],
            "an update that changes nothing and the audit head are not logged"
        );
        tx.state_changes_taken().unwrap();
        let mut rows = Vec::new();
        tx.state_scan(|t, c| {
            rows.push((t.to_string(), c.to_string()));
            Ok(())
        })
        .unwrap();
        assert!(rows.is_empty(), "the head is not state: {rows:?}");
        tx.commit().unwrap();
    }

    #[test]
    fn taking_and_releasing_a_rotation_lease_is_not_a_state_change() {
        let mut s = Store::memory().unwrap();
        let tx = s.begin().unwrap();
        let secret = SecretRow {
            uid: "u".into(),
            name_hash: b"n".to_vec(),
            doc: b"d".to_vec(),
            deletion_ms: None,
        };
        tx.secret_upsert(&secret, 1).unwrap();
        tx.attempt_put(&AttemptRow {
            id: "a".into(),
            secret_uid: "u".into(),
            status: "running".into(),
            run_after_ms: Some(0),
            requested_ms: 0,
            lease_holder: None,
            lease_expires_ms: None,
            doc: b"d".to_vec(),
        })
        .unwrap();
        assert_eq!(tx.state_changes().unwrap().len(), 2);
        tx.state_changes_taken().unwrap();
        assert!(tx.attempt_claim("a", "me", 0, 10).unwrap());
        tx.attempt_release("a", "me").unwrap();
        assert!(tx.state_changes().unwrap().is_empty());
        tx.commit().unwrap();
    }

    #[test]
    fn another_connection_writes_nothing_into_this_ones_state_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let mut a = Store::create(&path).unwrap();
        let raw = Connection::open(&path).unwrap();
        raw.execute("INSERT INTO access_keys VALUES (x'01', x'02')", [])
            .unwrap();
        let tx = a.begin().unwrap();
        assert!(tx.state_changes().unwrap().is_empty());
        let mut n = 0;
        tx.state_scan(|_, _| {
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 1, "but a full scan sees the row");
    }
}
