//! The state log: every change to a state row, as the row's contents before and after,
//! so that the audit head can carry a keyed digest of the whole vault state (see
//! `audit::state`).
//!
//! Every table but `audit` (which the chain covers) is a state table, found from the
//! schema when a connection opens — a table a later migration adds is covered without a
//! change here. Temporary triggers, installed on each of Coffer's own connections, write
//! each insert, update and delete into a temporary `state_changes` table of this
//! connection (rolled back with the transaction or savepoint that made it; it holds rows
//! as the vault file does, sealed, and spills to an unlinked temporary file when large).
//! The door folds it into the head before its commit, and [`Tx::commit`] refuses to
//! commit while it holds anything: a write path that forgets to fold cannot commit.
//! Another program's connection (an attacker's `sqlite3`) has no triggers, so what it
//! writes is never folded in and shows up as a mismatch.
//!
//! Not state: what is derived and rebuilt from the trail or the values (the health report's
//! `usage_*` summaries and `value_facts`, and the `vault_meta` key `value_facts_pending`
//! that says facts are to be derived again, see `store::usage`), the audit head itself
//! (`vault_meta` key `audit_head`), the release a newer
//! format needs (key `reader`, which only words a refusal: see `schema`), and a rotation
//! attempt's lease (`lease_holder`, `lease_expires_ms`), which says which process runs it
//! and is taken and released outside audited requests.

use rusqlite::{Connection, OptionalExtension};

use super::Tx;
use crate::{Error, Result};

/// Columns whose changes are not state, by table.
const NOT_STATE: [(&str, &str); 2] = [
    ("rotation_attempts", "lease_holder"),
    ("rotation_attempts", "lease_expires_ms"),
];

/// Rows that are not state, by table: an SQL condition on the row (`{r}.` stands for it).
fn row_filter(table: &str) -> Option<&'static str> {
    (table == "vault_meta")
        .then_some("{r}.key NOT IN ('audit_head', 'reader', 'value_facts_pending')")
}

/// One change to a state row: its contents before (`None` for an insert) and after
/// (`None` for a delete).
pub struct StateChange {
    pub table: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The state tables and, for each, its state columns in schema order.
fn state_tables(conn: &Connection) -> Result<Vec<(String, Vec<String>)>> {
    let mut st = conn.prepare(
        "SELECT name FROM main.sqlite_master WHERE type = 'table'
           AND name NOT LIKE 'sqlite_%' AND name <> 'audit'
           AND name NOT IN ('usage_reads', 'usage_actions', 'usage_unlocks', 'value_facts')
           ORDER BY name",
    )?;
    let names: Vec<String> = st
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for t in names {
        let mut st = conn.prepare(&format!("PRAGMA main.table_info(\"{t}\")"))?;
        let cols: Vec<String> = st
            .query_map([], |r| r.get::<_, String>(1))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|c| !NOT_STATE.contains(&(t.as_str(), c.as_str())))
            .collect();
        out.push((t, cols));
    }
    Ok(out)
}

/// `name=literal;` for each column that is not NULL, so that a nullable column a migration
/// adds leaves every row's contents as they were.
fn contents(cols: &[String], row: &str) -> String {
    let parts: Vec<String> = cols
        .iter()
        .map(|c| {
            format!(
                "CASE WHEN {row}\"{c}\" IS NULL THEN '' ELSE '{c}=' || quote({row}\"{c}\") || ';' END"
            )
        })
        .collect();
    parts.join(" || ")
}

fn filter(table: &str, row: &str) -> String {
    row_filter(table)
        .map(|f| f.replace("{r}.", row))
        .unwrap_or_else(|| "1".into())
}

/// Installs the state log on one of Coffer's connections (after its migrations ran).
pub(super) fn install(conn: &Connection) -> Result<()> {
    let mut sql = String::from(
        "CREATE TEMP TABLE IF NOT EXISTS state_changes (
             tbl TEXT NOT NULL, before TEXT, after TEXT);",
    );
    for (t, cols) in state_tables(conn)? {
        let (old, new) = (contents(&cols, "OLD."), contents(&cols, "NEW."));
        let (fold, fnew) = (filter(&t, "OLD."), filter(&t, "NEW."));
        sql.push_str(&format!(
            "CREATE TEMP TRIGGER IF NOT EXISTS state_ins_{t} AFTER INSERT ON main.\"{t}\"
               WHEN {fnew} BEGIN
               INSERT INTO state_changes VALUES ('{t}', NULL, {new}); END;
             CREATE TEMP TRIGGER IF NOT EXISTS state_upd_{t} AFTER UPDATE ON main.\"{t}\"
               WHEN ({fold} OR {fnew}) AND ({old}) IS NOT ({new}) BEGIN
               INSERT INTO state_changes VALUES ('{t}',
                 CASE WHEN {fold} THEN {old} END, CASE WHEN {fnew} THEN {new} END); END;
             CREATE TEMP TRIGGER IF NOT EXISTS state_del_{t} AFTER DELETE ON main.\"{t}\"
               WHEN {fold} BEGIN
               INSERT INTO state_changes VALUES ('{t}', {old}, NULL); END;"
        ));
    }
    conn.execute_batch(&sql)?;
    Ok(())
}

/// Whether this connection's state log holds changes not yet folded into the head.
pub(super) fn pending(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM temp.state_changes LIMIT 1")?
        .query_row([], |_| Ok(()))
        .optional()?
        .is_some())
}

impl Tx<'_> {
    /// Whether this transaction changed state that is not yet folded into the audit head
    /// (its commit would be refused until an audit event takes it).
    pub fn state_pending(&self) -> Result<bool> {
        pending(&self.tx)
    }

    /// The changes this connection made since the head last took them, oldest first.
    pub fn state_changes(&self) -> Result<Vec<StateChange>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT tbl, before, after FROM temp.state_changes ORDER BY rowid")?;
        let rows = st.query_map([], |r| {
            Ok(StateChange {
                table: r.get(0)?,
                before: r.get(1)?,
                after: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Empties the state log: its changes are in the head written in this transaction.
    pub fn state_changes_taken(&self) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM temp.state_changes")?
            .execute([])?;
        Ok(())
    }

    /// Every state row of every state table, as (table, contents).
    pub fn state_scan(&self, mut f: impl FnMut(&str, &str) -> Result<()>) -> Result<()> {
        for (t, cols) in state_tables(&self.tx)? {
            let mut st = self.tx.prepare(&format!(
                "SELECT {} FROM main.\"{t}\" AS r WHERE {}",
                contents(&cols, "r."),
                filter(&t, "r.")
            ))?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                f(&t, &r.get::<_, String>(0)?)?;
            }
        }
        Ok(())
    }
}

/// The error a commit with unfolded state changes gets.
pub(super) fn unfolded() -> Error {
    Error::internal(
        "a write reached the vault without going through the audited door (its state change was not folded into the audit head)",
    )
}
