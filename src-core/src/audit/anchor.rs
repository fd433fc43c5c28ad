//! Anchors: a small statement of the audit trail's head — which vault, which event, a
//! digest of that event, when — that the operator keeps outside the vault file, so that an
//! older copy of the whole file (which verifies on its own: its chain, head and state all
//! agree with each other) is told apart from the vault the operator saw.
//!
//! The digest is a keyed hash of the event's sequence number and decrypted content, not of
//! its ciphertext or chain MAC, so an anchor outlives a re-key that re-encrypts and re-MACs
//! every event. The statement is MAC'd with the vault's `audit-anchor` key, a key of its
//! own that a re-key re-wraps but keeps: whoever holds the vault can check an anchor and
//! nobody else can make one. A public-key signature would add a verifier who lacks the
//! vault, but checking an anchor needs the vault's events anyway.
//!
//! The vault keeps its latest anchor (`vault_meta` key `audit_anchor`), so a copy of the
//! file (a replica's, a backup's) carries the anchor of when it was made.

use serde::{Deserialize, Serialize};

use super::{AuditKeys, decode_plain, hex, unhex};
use crate::store::Tx;
use crate::{Error, Result};

const META_KEY: &str = "audit_anchor";
/// Where a replica keeps its primary's latest anchor.
const FOREIGN_KEY: &str = "primary_audit_anchor";

/// A statement of the audit trail's head, as `coffer audit anchor` writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct Anchor {
    pub vault_id: String,
    /// The newest event when the anchor was taken.
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub sequence: i64,
    /// A keyed hash of that event's sequence number and content.
    pub digest: String,
    /// When the anchor was taken (RFC 3339).
    pub time: String,
    /// A MAC of the fields above under the vault's anchor key.
    pub mac: String,
}

fn event_digest(keys: &AuditKeys, vault_id: &str, seq: i64, plain: &[u8]) -> String {
    hex(&keys.anchor.hash(&[
        b"anchor-event",
        vault_id.as_bytes(),
        &seq.to_be_bytes(),
        plain,
    ]))
}

fn anchor_mac(keys: &AuditKeys, vault_id: &str, seq: i64, digest: &str, time: &str) -> String {
    hex(&keys.anchor.hash(&[
        b"audit-anchor",
        vault_id.as_bytes(),
        &seq.to_be_bytes(),
        digest.as_bytes(),
        time.as_bytes(),
    ]))
}

/// The content of event `seq`, if it is stored and opens.
fn event_plain(tx: &Tx<'_>, keys: &AuditKeys, seq: i64) -> Result<Option<Vec<u8>>> {
    match tx.audit_get(seq)? {
        Some(row) => Ok(decode_plain(keys, &row).ok().map(|p| p.to_vec())),
        None => Ok(None),
    }
}

/// Takes an anchor of the newest event and keeps it as the vault's latest.
pub(crate) fn take(tx: &Tx<'_>, keys: &AuditKeys, vault_id: &str, time: &str) -> Result<Anchor> {
    let anchor = make(tx, keys, vault_id, time)?;
    tx.meta_set(
        META_KEY,
        &serde_json::to_vec(&anchor).expect("an anchor serializes"),
    )?;
    Ok(anchor)
}

/// An anchor of the newest event.
pub(crate) fn make(tx: &Tx<'_>, keys: &AuditKeys, vault_id: &str, time: &str) -> Result<Anchor> {
    let (seq, _) = tx
        .audit_last()?
        .ok_or_else(|| Error::invalid_request("The audit trail has no events to anchor."))?;
    let plain = event_plain(tx, keys, seq)?.ok_or_else(|| {
        Error::invalid_request(format!(
            "The newest audit event ({seq}) does not open: run `coffer audit verify`."
        ))
    })?;
    let digest = event_digest(keys, vault_id, seq, &plain);
    let anchor = Anchor {
        vault_id: vault_id.to_string(),
        sequence: seq,
        mac: anchor_mac(keys, vault_id, seq, &digest, time),
        digest,
        time: time.to_string(),
    };
    Ok(anchor)
}

/// The vault's latest anchor, as stored (check it with [`check`] before trusting it).
pub(crate) fn last(tx: &Tx<'_>) -> Result<Option<Anchor>> {
    Ok(tx
        .meta_get(META_KEY)?
        .and_then(|b| serde_json::from_slice(&b).ok()))
}

/// Checks this vault against an anchor; returns the sequence number where they part and
/// why, or `None` when the vault holds the anchored event.
pub(crate) fn check(
    tx: &Tx<'_>,
    keys: &AuditKeys,
    vault_id: &str,
    anchor: &Anchor,
) -> Result<Option<(i64, String)>> {
    if anchor.vault_id != vault_id {
        return Ok(Some((
            anchor.sequence,
            format!(
                "the anchor is of another vault ({}), not of this one ({vault_id})",
                anchor.vault_id
            ),
        )));
    }
    let mac = anchor_mac(
        keys,
        vault_id,
        anchor.sequence,
        &anchor.digest,
        &anchor.time,
    );
    if !super::constant_eq(&unhex(&mac), &unhex(&anchor.mac)) {
        return Ok(Some((
            anchor.sequence,
            "the anchor does not verify with this vault's keys: it was edited, or this copy of the vault is older than the key that made it".into(),
        )));
    }
    let last = tx.audit_last()?.map_or(0, |(s, _)| s);
    if last < anchor.sequence {
        return Ok(Some((
            last + 1,
            format!(
                "this vault is older than what you saw on {}: its trail ends at event {last}, but the anchor taken then records event {}",
                anchor.time, anchor.sequence
            ),
        )));
    }
    let same = event_plain(tx, keys, anchor.sequence)?
        .is_some_and(|p| event_digest(keys, vault_id, anchor.sequence, &p) == anchor.digest);
    Ok((!same).then(|| {
        (
            anchor.sequence,
            format!(
                "this vault differs from what you saw on {}: its event {} is not the one anchored then",
                anchor.time, anchor.sequence
            ),
        )
    }))
}

/// The anchor this vault's primary last sent, if it is a replica.
pub(crate) fn foreign(tx: &Tx<'_>) -> Result<Option<Anchor>> {
    Ok(tx
        .meta_get(FOREIGN_KEY)?
        .and_then(|b| serde_json::from_slice(&b).ok()))
}

/// Keeps an anchor another vault sent (a replica keeps its primary's latest).
pub(crate) fn keep_foreign(tx: &Tx<'_>, anchor: &Anchor) -> Result<()> {
    tx.meta_set(
        FOREIGN_KEY,
        &serde_json::to_vec(anchor).expect("an anchor serializes"),
    )
}

/// The anchors a file holds: an anchor statement (JSON), or a vault file — a copy of a
/// vault, a replica — with its own latest anchor and the one its primary last sent.
pub fn read_file(path: &std::path::Path) -> Result<Vec<Anchor>> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::invalid_parameter(format!("cannot read {}: {e}", path.display())))?;
    if let Ok(a) = serde_json::from_slice::<Anchor>(&bytes) {
        return Ok(vec![a]);
    }
    let mut store = crate::store::Store::open_snapshot(path).map_err(|_| {
        Error::invalid_parameter(format!(
            "{} is neither an anchor (from `coffer audit anchor`) nor a vault file",
            path.display()
        ))
    })?;
    let tx = store.read()?;
    let mut out = Vec::new();
    for key in [META_KEY, FOREIGN_KEY] {
        if let Some(a) = tx
            .meta_get(key)?
            .and_then(|b| serde_json::from_slice(&b).ok())
        {
            out.push(a);
        }
    }
    Ok(out)
}
