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
const READ_EVENTS: [&str; 2] = ["GetSecretValue", "BatchGetSecretValue"];

/// A version's sealed facts: (secret uid, version id hash, sealed facts).
pub type FactsRow = (String, Vec<u8>, Vec<u8>);

/// What the summaries hold.
#[derive(Debug, Default)]
pub struct UsageSummary {
    /// (secret uid, day, principal hash) of each secret's last read.
    pub reads: Vec<(String, i64, Vec<u8>)>,
    /// (principal hash, event name, day) of each principal's last success per event.
    pub actions: Vec<(Vec<u8>, String, i64)>,
    /// (operator, day) of each operator's last unlock.
    pub unlocks: Vec<(String, i64)>,
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
        let mut st = self
            .tx
            .prepare("SELECT operator, day_ms FROM usage_unlocks")?;
        s.unlocks = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(s)
    }

    /// Every version's sealed facts.
    pub fn value_facts_all(&self) -> Result<Vec<FactsRow>> {
        let mut st = self
            .tx
            .prepare("SELECT secret_uid, vid_hash, facts FROM value_facts")?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
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

    /// Drops every version's facts (a re-key changed the keys that seal and name them).
    pub fn value_facts_clear(&self) -> Result<()> {
        self.tx.execute("DELETE FROM value_facts", [])?;
        Ok(())
    }
}
