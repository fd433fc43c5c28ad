//! The health report's summaries of the audit trail (last read per secret and by whom, last
//! success per principal and event, last unlock per operator) and its sealed facts about
//! values. Derived data, not state (see `state`): the trail or the values rebuild them.
//!
//! The trail's summaries are kept at day precision, so that an append writes a page only
//! when a day or a last reader changes: on any other request each upsert is one lookup
//! that finds nothing to change.

use rusqlite::params;

use super::Tx;
use crate::Result;

const DAY_MS: i64 = 86_400_000;

/// Events that read a secret's value.
pub const READ_EVENTS: [&str; 2] = ["GetSecretValue", "BatchGetSecretValue"];

/// What the summaries are made of, from one audit row's plain columns.
#[derive(Debug, Clone)]
pub struct UsageEvent {
    pub at_ms: i64,
    pub event_name: String,
    pub error_code: Option<String>,
    pub principal_hash: Vec<u8>,
    pub secret_uid: Option<String>,
}

/// The `vault_meta` key that says some versions have no facts yet (a vault made before
/// facts were kept at write time, or re-keyed): the next unlock derives them.
pub const FACTS_PENDING: &str = "value_facts_pending";

/// What the trail's summaries hold (the unlocks aside: `usage_summary_unlocks`).
#[derive(Debug, Default)]
pub struct UsageSummary {
    /// (secret uid, day, principal hash) of each secret's last read.
    pub reads: Vec<(String, i64, Vec<u8>)>,
    /// (principal hash, event name, day) of each principal's last success per event.
    pub actions: Vec<(Vec<u8>, String, i64)>,
}

impl Tx<'_> {
    /// Folds one appended event into the summaries (a failed request is no use of access).
    pub(super) fn usage_note(
        &self,
        at_ms: i64,
        event_name: &str,
        error_code: Option<&str>,
        principal_hash: &[u8],
        secret_uid: Option<&str>,
    ) -> Result<()> {
        if error_code.is_some() {
            return Ok(());
        }
        let day = at_ms - at_ms.rem_euclid(DAY_MS);
        self.tx
            .prepare_cached(
                "INSERT INTO usage_actions (principal_hash, action, day_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (principal_hash, action) DO UPDATE SET day_ms = excluded.day_ms
                 WHERE excluded.day_ms > usage_actions.day_ms",
            )?
            .execute(params![principal_hash, event_name, day])?;
        if let Some(uid) = secret_uid.filter(|_| READ_EVENTS.contains(&event_name)) {
            self.tx
                .prepare_cached(
                    "INSERT INTO usage_reads (secret_uid, day_ms, principal_hash) VALUES (?1, ?2, ?3)
                     ON CONFLICT (secret_uid) DO UPDATE
                       SET day_ms = excluded.day_ms, principal_hash = excluded.principal_hash
                     WHERE excluded.day_ms > usage_reads.day_ms
                        OR (excluded.day_ms = usage_reads.day_ms
                            AND excluded.principal_hash <> usage_reads.principal_hash)",
                )?
                .execute(params![uid, day, principal_hash])?;
        }
        Ok(())
    }

    /// Records that `operator` unlocked the vault on the day of `at_ms`; writes only on a
    /// new day.
    pub fn usage_unlocked(&self, operator: &str, at_ms: i64) -> Result<()> {
        let day = at_ms - at_ms.rem_euclid(DAY_MS);
        self.tx
            .prepare_cached(
                "INSERT INTO usage_unlocks (operator, day_ms) VALUES (?1, ?2)
                 ON CONFLICT (operator) DO UPDATE SET day_ms = excluded.day_ms
                 WHERE excluded.day_ms > usage_unlocks.day_ms",
            )?
            .execute(params![operator, day])?;
        Ok(())
    }

    /// Whether `operator`'s unlock on the day of `at_ms` is already recorded (so that
    /// unlocking needs no write transaction).
    pub fn usage_unlock_recorded(&self, operator: &str, at_ms: i64) -> Result<bool> {
        let day = at_ms - at_ms.rem_euclid(DAY_MS);
        let n: i64 = self.tx.query_row(
            "SELECT count(*) FROM usage_unlocks WHERE operator = ?1 AND day_ms >= ?2",
            params![operator, day],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// Rebuilds the trail's summaries from the audit rows (after a re-key changed every
    /// principal hash).
    pub fn usage_rebuild(&self) -> Result<()> {
        self.tx.execute_batch(super::schema::USAGE_REBUILD)?;
        Ok(())
    }

    pub fn usage_summary(&self) -> Result<UsageSummary> {
        let mut s = UsageSummary::default();
        let mut st = self
            .tx
            .prepare("SELECT secret_uid, day_ms, principal_hash FROM usage_reads")?;
        s.reads = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = self
            .tx
            .prepare("SELECT principal_hash, action, day_ms FROM usage_actions")?;
        s.actions = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(s)
    }

    /// The plain columns of the events after `seq`, oldest first: what a report kept up to
    /// date folds in (see `vault::health`).
    pub fn usage_events_since(&self, seq: i64) -> Result<Vec<UsageEvent>> {
        let mut st = self.tx.prepare_cached(
            "SELECT at_ms, event_name, error_code, principal_hash, secret_uid
             FROM audit WHERE seq > ?1 ORDER BY seq",
        )?;
        let rows = st
            .query_map([seq], |r| {
                Ok(UsageEvent {
                    at_ms: r.get(0)?,
                    event_name: r.get(1)?,
                    error_code: r.get(2)?,
                    principal_hash: r.get(3)?,
                    secret_uid: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The MAC of the event at `seq`, if there is one: whether the trail a report folded is
    /// still the file's (a restored backup replaces it).
    pub fn audit_mac_at(&self, seq: i64) -> Result<Option<Vec<u8>>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .tx
            .prepare_cached("SELECT mac FROM audit WHERE seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?)
    }

    /// One version's sealed facts.
    pub fn value_facts_get(&self, secret_uid: &str, vid_hash: &[u8]) -> Result<Option<Vec<u8>>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .tx
            .prepare_cached(
                "SELECT facts FROM value_facts WHERE secret_uid = ?1 AND vid_hash = ?2",
            )?
            .query_row(params![secret_uid, vid_hash], |r| r.get(0))
            .optional()?)
    }

    /// Every version's sealed facts by its keyed version hash (unique across secrets: it
    /// binds the secret's uid): one scan, for a report that judges most secrets at once,
    /// where a lookup each would cost a B-tree descent each.
    pub fn value_facts_all(&self) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT vid_hash, facts FROM value_facts")?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn value_facts_delete(&self, secret_uid: &str, vid_hash: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM value_facts WHERE secret_uid = ?1 AND vid_hash = ?2")?
            .execute(params![secret_uid, vid_hash])?;
        Ok(())
    }

    /// Whether some versions may have no facts (see [`FACTS_PENDING`]).
    pub fn value_facts_pending(&self) -> Result<bool> {
        Ok(self.meta_get(FACTS_PENDING)?.is_some())
    }

    /// Marks (or clears the mark) that versions may have no facts.
    pub fn value_facts_set_pending(&self, pending: bool) -> Result<()> {
        if pending {
            self.meta_set(FACTS_PENDING, b"1")
        } else {
            self.tx
                .execute("DELETE FROM vault_meta WHERE key = ?1", [FACTS_PENDING])?;
            Ok(())
        }
    }

    /// (operator, day) of each operator's last unlock.
    pub fn usage_summary_unlocks(&self) -> Result<Vec<(String, i64)>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT operator, day_ms FROM usage_unlocks")?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn value_facts_put(&self, secret_uid: &str, vid_hash: &[u8], facts: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO value_facts (secret_uid, vid_hash, facts) VALUES (?1, ?2, ?3)
                 ON CONFLICT (secret_uid, vid_hash) DO UPDATE SET facts = excluded.facts",
            )?
            .execute(params![secret_uid, vid_hash, facts])?;
        Ok(())
    }

    /// Drops every version's facts (a re-key changed the keys that seal and name them) and
    /// marks them for the next unlock to derive again.
    pub fn value_facts_clear(&self) -> Result<()> {
        self.tx.execute("DELETE FROM value_facts", [])?;
        self.value_facts_set_pending(true)
    }
}
