//! The SQL of key slots' vouchers and of a re-key, which rewrites every ciphertext and keyed
//! hash of the vault in place (in the caller's one transaction).

use rusqlite::params;

use super::{AttemptRow, SecretRow, Tx, VersionRow};
use crate::Result;

/// One voucher: `voucher` says to `recipient` that `member` is a member (all public keys).
pub struct VoucherRow {
    pub member: Vec<u8>,
    pub recipient: Vec<u8>,
    pub voucher: Vec<u8>,
    pub mac: Vec<u8>,
}

impl Tx<'_> {
    pub fn voucher_put(&self, v: &VoucherRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO slot_vouchers(member, recipient, voucher, mac) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(recipient, member, voucher) DO UPDATE SET mac = excluded.mac",
            )?
            .execute(params![v.member, v.recipient, v.voucher, v.mac])?;
        Ok(())
    }

    /// The vouchers made for the slot whose public key is `recipient`.
    pub fn vouchers_for(&self, recipient: &[u8]) -> Result<Vec<VoucherRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT member, recipient, voucher, mac FROM slot_vouchers WHERE recipient = ?1",
        )?;
        let rows = st.query_map([recipient], |r| {
            Ok(VoucherRow {
                member: r.get(0)?,
                recipient: r.get(1)?,
                voucher: r.get(2)?,
                mac: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Drops the vouchers made for `recipient` (which pinned what they said), and those
    /// for slots that are gone.
    pub fn vouchers_prune(&self, recipient: Option<&[u8]>) -> Result<()> {
        self.tx.execute(
            "DELETE FROM slot_vouchers WHERE recipient = ?1
                OR recipient NOT IN (SELECT public_key FROM key_slots)",
            [recipient],
        )?;
        Ok(())
    }

    /// A slot's keys as a re-key or a migration leaves them; its operator and creation time
    /// stay.
    pub fn slot_update(&self, s: &super::SlotRow) -> Result<()> {
        self.tx.execute(
            "UPDATE key_slots SET kdf = ?2, public_key = ?3, public_mac = ?4,
                 wrapped_private = ?5, sealed_master = ?6 WHERE operator = ?1",
            params![
                s.operator,
                s.kdf,
                s.public_key,
                s.public_mac,
                s.wrapped_private,
                s.sealed_master
            ],
        )?;
        Ok(())
    }

    /// Up to `limit` secret rows whose uid sorts after `after`, in uid order, for a re-key.
    pub fn secrets_page(&self, after: &str, limit: usize) -> Result<Vec<SecretRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT uid, name_hash, doc, deletion_ms FROM secrets WHERE uid > ?1
             ORDER BY uid LIMIT ?2",
        )?;
        let rows = st.query_map(params![after, limit as i64], super::secret_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A secret's hash and document replaced in place; its revision stays.
    pub fn secret_rekey(&self, uid: &str, name_hash: &[u8], doc: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE secrets SET name_hash = ?2, doc = ?3 WHERE uid = ?1")?
            .execute(params![uid, name_hash, doc])?;
        Ok(())
    }

    /// A version's hash and wrapped data key replaced; its sealed value stays.
    pub fn version_rekey(
        &self,
        secret_uid: &str,
        old_hash: &[u8],
        new_hash: &[u8],
        wrapped_dek: &[u8],
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE versions SET vid_hash = ?3, wrapped_dek = ?4
                 WHERE secret_uid = ?1 AND vid_hash = ?2",
            )?
            .execute(params![secret_uid, old_hash, new_hash, wrapped_dek])?;
        Ok(())
    }

    /// Every version row of a secret: (vid hash, row).
    pub fn versions_of(&self, secret_uid: &str) -> Result<Vec<(Vec<u8>, VersionRow)>> {
        let mut st = self.tx.prepare_cached(
            "SELECT vid_hash, kms_key_id, wrapped_dek, value FROM versions WHERE secret_uid = ?1",
        )?;
        let rows = st.query_map([secret_uid], |r| {
            Ok((
                r.get(0)?,
                VersionRow {
                    kms_key_id: r.get(1)?,
                    wrapped_dek: r.get(2)?,
                    value: r.get(3)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every rotation attempt, for a re-key.
    pub fn attempts_all(&self) -> Result<Vec<AttemptRow>> {
        let mut st = self
            .tx
            .prepare(&format!("{} ORDER BY id", super::ATTEMPT_SELECT))?;
        let rows = st.query_map([], super::attempt_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn attempt_set_doc(&self, id: &str, doc: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE rotation_attempts SET doc = ?2 WHERE id = ?1")?
            .execute(params![id, doc])?;
        Ok(())
    }

    /// An audit event re-sealed and re-MAC'd under new keys; its sequence, time and plain
    /// columns stay.
    pub fn audit_rekey(
        &self,
        seq: i64,
        principal_hash: &[u8],
        body: &[u8],
        mac: &[u8],
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE audit SET principal_hash = ?2, body = ?3, mac = ?4 WHERE seq = ?1",
            )?
            .execute(params![seq, principal_hash, body, mac])?;
        Ok(())
    }

    /// Up to `limit` events after sequence `after`, oldest first.
    pub fn audit_page(&self, after: i64, limit: usize) -> Result<Vec<super::AuditRow>> {
        self.audit_select(&super::AuditSelect {
            after_seq: Some(after),
            limit,
            ..Default::default()
        })
    }
}
