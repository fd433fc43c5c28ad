//! The audit trail: one event per request, sealed at rest and chained — each event's MAC
//! covers its own fields and the previous event's MAC, and a MAC'd head records the last
//! one — so that `verify` names the first event that was edited, deleted, reordered or cut.
//!
//! A trail cannot be rolled back quietly:
//! - it is never empty: `init` writes `InitializeVault`, so a vault without events was
//!   emptied;
//! - the head is bound to the last event (sequence number and MAC) and to the state of the
//!   whole vault (a digest of every state row, see [`state`]), so an old head put back
//!   with the newer events deleted fails unless every state row was rolled back with it,
//!   and so does any row put back, edited or deleted outside Coffer;
//! - what is left, an older copy of the whole file, is told apart from the vault the
//!   operator saw by an [`anchor`] kept elsewhere.
//!
//! A head written by a Coffer without state digests is taken as it is, and the next event
//! adds the digest.

pub mod anchor;
pub(crate) mod state;

use serde::{Deserialize, Serialize};

use crate::crypto::{self, Aad, Key, KeyedHash};
use crate::store::{AuditRow, Tx};
use crate::{Error, Result};
use state::StateDigest;

/// An event, in CloudTrail's record shape. Never holds a secret value: request parameters
/// come from request types whose secret fields cannot be serialized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub event_version: String,
    pub event_time: String,
    pub event_source: String,
    pub event_name: String,
    pub aws_region: String,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: String,
    pub user_agent: String,
    pub user_identity: UserIdentity,
    pub request_parameters: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_elements: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(rename = "requestID")]
    pub request_id: String,
    #[serde(rename = "eventID")]
    pub event_id: String,
    pub read_only: bool,
    pub event_type: String,
    #[serde(default)]
    pub resources: Vec<Resource>,
    pub recipient_account_id: String,
    pub additional_event_data: AdditionalEventData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    #[serde(rename = "type")]
    pub kind: String,
    pub arn: String,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    #[serde(rename = "ARN")]
    pub arn: String,
    #[serde(rename = "accountId")]
    pub account_id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// What CloudTrail has no field for: which front end, and which versions and labels.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdditionalEventData {
    pub front_end: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub version_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub version_stages: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<i64>,
}

/// The audit keys, unwrapped at unlock.
pub(crate) struct AuditKeys {
    pub enc: Key,
    pub mac: KeyedHash,
    /// MACs state rows (see [`state`]).
    pub state: KeyedHash,
    /// MACs anchors and hashes the events they name (see [`anchor`]).
    pub anchor: KeyedHash,
    /// The last head this process wrote or checked under these keys.
    pub last_head: HeadCache,
}

/// The last head seen, as its stored bytes and what checking them gave. A head whose bytes
/// are the same is the same head, so every request but the first after another process
/// wrote skips parsing it and recomputing its tag (a third of an audited read's head work).
/// Keyed by content, not by transaction: a head cached from a transaction that rolled back
/// is only used if the file holds exactly those bytes, and then it checks the same.
#[derive(Default)]
pub(crate) struct HeadCache(std::sync::Mutex<Option<CheckedHead>>);

#[derive(Clone)]
struct CheckedHead {
    bytes: Vec<u8>,
    seq: i64,
    mac: Vec<u8>,
    /// [`Head::checked_state`]'s answer.
    state: Option<Option<StateDigest>>,
}

impl HeadCache {
    fn get(&self, bytes: &[u8]) -> Option<CheckedHead> {
        let cached = self.0.lock().unwrap_or_else(|e| e.into_inner());
        cached.as_ref().filter(|c| c.bytes == bytes).cloned()
    }
    fn put(&self, head: CheckedHead) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(head);
    }
}

#[cfg(test)]
impl AuditKeys {
    /// Fresh keys for a test's trail.
    pub(crate) fn random() -> Self {
        Self {
            enc: Key::random(),
            mac: KeyedHash::new(Key::random()),
            state: KeyedHash::new(Key::random()),
            anchor: KeyedHash::new(Key::random()),
            last_head: HeadCache::default(),
        }
    }
}

/// The plain columns of a new event (what queries filter on).
pub(crate) struct RowMeta<'a> {
    pub at_ms: i64,
    pub event_name: &'a str,
    pub error_code: Option<&'a str>,
    pub front_end: &'a str,
    pub principal_hash: [u8; 32],
    pub secret_uid: Option<&'a str>,
}

const GENESIS: [u8; 32] = [0u8; 32];

fn body_aad(seq: i64) -> Aad {
    Aad::new("audit-event").with(seq.to_be_bytes())
}

/// The MAC of one row: every column, and the previous row's MAC.
fn full_mac(keys: &AuditKeys, r: &AuditRow, prev: &[u8]) -> [u8; 32] {
    keys.mac.hash(&[
        b"audit-row",
        &r.seq.to_be_bytes(),
        &r.at_ms.to_be_bytes(),
        r.event_name.as_bytes(),
        r.error_code.as_deref().unwrap_or("").as_bytes(),
        r.front_end.as_bytes(),
        &r.principal_hash,
        r.secret_uid.as_deref().unwrap_or("").as_bytes(),
        &r.body,
        prev,
    ])
}

#[derive(Serialize, Deserialize)]
struct Head {
    seq: i64,
    mac: String,
    /// Per state table, the digest of its rows (absent in heads of older Coffers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<std::collections::BTreeMap<String, String>>,
    tag: String,
}

/// Lowercase hex, without a `format!` per byte (the head is written on every request).
fn hex(b: &[u8]) -> String {
    crate::sigv4::hex(b)
}

fn head_tag(keys: &AuditKeys, seq: i64, mac: &[u8], state: Option<&StateDigest>) -> String {
    hex(&match state {
        Some(s) => keys
            .mac
            .hash(&[b"audit-head-state", &seq.to_be_bytes(), mac, &s.canonical()]),
        None => keys.mac.hash(&[b"audit-head", &seq.to_be_bytes(), mac]),
    })
}

impl Head {
    fn read(tx: &Tx<'_>) -> Result<Option<Self>> {
        Ok(tx
            .meta_get("audit_head")?
            .and_then(|h| serde_json::from_slice(&h).ok()))
    }

    /// The state digest, if the head's tag verifies; `Some(None)` for a head of an older
    /// Coffer (no digest), `None` for a head that does not verify.
    fn checked_state(&self, keys: &AuditKeys) -> Option<Option<StateDigest>> {
        let state = match &self.state {
            Some(m) => Some(StateDigest::from_hex(m)?),
            None => None,
        };
        let tag = head_tag(keys, self.seq, &unhex(&self.mac), state.as_ref());
        constant_eq(tag.as_bytes(), self.tag.as_bytes()).then_some(state)
    }
}

/// The state digest as of now: the head's, with the changes this transaction made so far.
/// Without a digest in the head (an older Coffer's), it is computed from the rows. With a
/// head that does not verify, or does not record the chain's end `(seq, mac)` (events or
/// the head changed outside Coffer), it is poisoned so that it never matches again: the
/// next event must not make such tampering disappear.
fn current_state(tx: &Tx<'_>, keys: &AuditKeys, end: (i64, &[u8])) -> Result<StateDigest> {
    let Some(head) = checked_head(tx, keys)? else {
        return if end.0 == 0 {
            StateDigest::scan(tx, keys)
        } else {
            Ok(StateDigest::poisoned())
        };
    };
    match head.state {
        Some(_) if head.seq != end.0 || head.mac != end.1 => Ok(StateDigest::poisoned()),
        Some(Some(mut d)) => {
            d.apply(keys, &tx.state_changes()?);
            Ok(d)
        }
        Some(None) => StateDigest::scan(tx, keys),
        None => Ok(StateDigest::poisoned()),
    }
}

/// The stored head and what checking it gives, from the cache when its bytes are the ones
/// last seen; `None` when there is no head or it does not parse.
fn checked_head(tx: &Tx<'_>, keys: &AuditKeys) -> Result<Option<CheckedHead>> {
    let Some(bytes) = tx.meta_get("audit_head")? else {
        return Ok(None);
    };
    if let Some(c) = keys.last_head.get(&bytes) {
        return Ok(Some(c));
    }
    let Ok(head) = serde_json::from_slice::<Head>(&bytes) else {
        return Ok(None);
    };
    let checked = CheckedHead {
        seq: head.seq,
        mac: unhex(&head.mac),
        state: head.checked_state(keys),
        bytes,
    };
    keys.last_head.put(checked.clone());
    Ok(Some(checked))
}

fn write_head(
    tx: &Tx<'_>,
    keys: &AuditKeys,
    seq: i64,
    mac: &[u8],
    state: &StateDigest,
) -> Result<()> {
    let head = Head {
        seq,
        mac: hex(mac),
        state: Some(state.to_hex()),
        tag: head_tag(keys, seq, mac, Some(state)),
    };
    let bytes = serde_json::to_vec(&head).expect("head serializes");
    tx.meta_set("audit_head", &bytes)?;
    // Its tag is the one just computed over these fields: it checks.
    keys.last_head.put(CheckedHead {
        bytes,
        seq,
        mac: mac.to_vec(),
        state: Some(Some(state.clone())),
    });
    tx.state_changes_taken()
}

/// The chain's last event (sequence number and MAC), or the genesis.
fn chain_end(tx: &Tx<'_>) -> Result<(i64, Vec<u8>)> {
    Ok(tx.audit_last()?.unwrap_or((0, GENESIS.to_vec())))
}

/// Folds the state changes of a transaction that writes no event (creating a vault, adding
/// a key) into the head, which keeps recording the chain's last event.
pub(crate) fn fold(tx: &Tx<'_>, keys: &AuditKeys) -> Result<()> {
    let (seq, mac) = chain_end(tx)?;
    let state = current_state(tx, keys, (seq, &mac))?;
    write_head(tx, keys, seq, &mac, &state)
}

/// Appends one event in the caller's transaction; returns its sequence number.
pub(crate) fn append(
    tx: &Tx<'_>,
    keys: &AuditKeys,
    meta: RowMeta<'_>,
    event: &mut AuditEvent,
) -> Result<i64> {
    let (prev_seq, prev_mac) = chain_end(tx)?;
    let state = current_state(tx, keys, (prev_seq, &prev_mac))?;
    let seq = prev_seq + 1;
    event.additional_event_data.sequence = Some(seq);
    let json = zeroize::Zeroizing::new(
        serde_json::to_vec(event).map_err(|e| Error::internal(format!("audit event: {e}")))?,
    );
    let mut row = AuditRow {
        seq,
        at_ms: meta.at_ms,
        event_name: meta.event_name.to_string(),
        error_code: meta.error_code.map(str::to_string),
        front_end: meta.front_end.to_string(),
        principal_hash: meta.principal_hash.to_vec(),
        secret_uid: meta.secret_uid.map(str::to_string),
        body: crypto::seal(&keys.enc, &body_aad(seq), &json),
        mac: Vec::new(),
    };
    row.mac = full_mac(keys, &row, &prev_mac).to_vec();
    tx.audit_append(&row)?;
    write_head(tx, keys, seq, &row.mac, &state)?;
    Ok(seq)
}

/// The content of one stored event, decrypted.
fn decode_plain(keys: &AuditKeys, row: &AuditRow) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    Ok(crypto::open(&keys.enc, &body_aad(row.seq), &row.body)?)
}

/// Opens one stored event.
pub(crate) fn decode(keys: &AuditKeys, row: &AuditRow) -> Result<AuditEvent> {
    let plain = decode_plain(keys, row)?;
    serde_json::from_slice(&plain)
        .map_err(|e| Error::internal(format!("audit event {}: {e}", row.seq)))
}

/// The outcome of `coffer audit verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(rename_all = "PascalCase")]
pub struct VerifyReport {
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub events_checked: i64,
    pub intact: bool,
    /// The first event that fails, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    pub first_broken_sequence: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The vault's latest anchor (`coffer audit anchor`), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_anchor: Option<anchor::Anchor>,
}

/// Walks the whole chain, checks the head and the state digest against the rows, and,
/// given anchors, checks that this vault holds the events they name.
pub(crate) fn verify(
    tx: &Tx<'_>,
    keys: &AuditKeys,
    vault_id: &str,
    against: &[&anchor::Anchor],
) -> Result<VerifyReport> {
    let (checked, last, prev, mut broken) = walk(tx, keys)?;
    if broken.is_none() {
        broken = check_head(tx, keys, last, &prev)?;
    }
    for a in against {
        if broken.is_some() {
            break;
        }
        broken = anchor::check(tx, keys, vault_id, a)?;
    }
    Ok(VerifyReport {
        events_checked: checked,
        intact: broken.is_none(),
        first_broken_sequence: broken.as_ref().map(|b| b.0),
        problem: broken.map(|b| b.1),
        last_anchor: anchor::last(tx)?,
    })
}

type Broken = Option<(i64, String)>;

/// The chain, oldest first: how many events, the last one's sequence number and MAC, and
/// the first that fails.
fn walk(tx: &Tx<'_>, keys: &AuditKeys) -> Result<(i64, i64, Vec<u8>, Broken)> {
    let mut expected = 1i64;
    let mut prev = GENESIS.to_vec();
    let mut checked = 0i64;
    let mut broken: Broken = None;
    tx.audit_scan(|row| {
        if broken.is_some() {
            return Ok(());
        }
        checked += 1;
        if row.seq != expected {
            broken = Some((
                expected,
                format!(
                    "event {expected} is missing (deleted): the next stored event is {}",
                    row.seq
                ),
            ));
            return Ok(());
        }
        let mac = full_mac(keys, &row, &prev);
        if !constant_eq(&mac, &row.mac) {
            broken = Some((
                row.seq,
                format!(
                    "event {} does not verify: it was edited, reordered or replaced",
                    row.seq
                ),
            ));
            return Ok(());
        }
        if decode(keys, &row).is_err() {
            broken = Some((row.seq, format!("event {} does not decrypt", row.seq)));
            return Ok(());
        }
        prev = row.mac;
        expected += 1;
        Ok(())
    })?;
    Ok((checked, expected - 1, prev, broken))
}

/// The head against the chain's end (`last`, whose MAC is `prev`) and the state rows.
fn check_head(tx: &Tx<'_>, keys: &AuditKeys, last: i64, prev: &[u8]) -> Result<Broken> {
    if last == 0 {
        return Ok(Some((
            1,
            "the trail is empty, but every vault's trail begins with the event that created it (InitializeVault): its events were deleted".into(),
        )));
    }
    let Some(head) = Head::read(tx)? else {
        return Ok(Some((last, "the chain's head record is missing".into())));
    };
    let Some(state) = head.checked_state(keys) else {
        return Ok(Some((
            last,
            "the chain's head record does not verify".into(),
        )));
    };
    if head.seq > last {
        return Ok(Some((
            last + 1,
            format!(
                "truncated: the chain ends at event {last} but its head records event {}",
                head.seq
            ),
        )));
    }
    if head.seq < last || unhex(&head.mac) != prev {
        return Ok(Some((
            head.seq,
            format!(
                "the chain's head records event {} but the chain ends at {last}: the head was put back, or events were added outside Coffer",
                head.seq
            ),
        )));
    }
    let Some(mut expected) = state else {
        return Ok(None);
    };
    expected.apply(keys, &tx.state_changes()?);
    let tables = StateDigest::scan(tx, keys)?.differing(&expected);
    Ok(match tables.as_slice() {
        [] => None,
        t if t.iter().any(|t| t == state::FORGED_HEAD) => Some((
            last,
            "before a later event, the chain's head did not match the chain: the head or events were changed outside Coffer".into(),
        )),
        t => Some((
            last,
            format!(
                "the vault's rows do not match its audit head ({}): rows were put back, edited or deleted outside Coffer, or an older head was put back with the newer events deleted",
                t.join(", ")
            ),
        )),
    })
}

/// The bytes of a hex string; a pair that is not two hex digits is left out (so that a
/// damaged head never verifies).
fn unhex(s: &str) -> Vec<u8> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    s.as_bytes()
        .chunks_exact(2)
        .filter_map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Re-keys the whole chain in place: each event's body re-sealed under `new.enc` with the
/// same plaintext bytes and sequence number, its principal hash recomputed (`principal_hash`
/// of the event's principal ARN), every MAC and the head recomputed under `new.mac`.
/// `progress` gets (events done, events in all).
pub(crate) fn rekey(
    tx: &Tx<'_>,
    old: &AuditKeys,
    new: &AuditKeys,
    principal_hash: impl Fn(&str) -> [u8; 32],
    progress: &mut dyn FnMut(u64, u64),
) -> Result<()> {
    #[derive(Deserialize)]
    struct Principal {
        #[serde(rename = "userIdentity")]
        user_identity: PrincipalArn,
    }
    #[derive(Deserialize)]
    struct PrincipalArn {
        arn: String,
    }
    const PAGE: usize = 1000;
    let total = tx.audit_count()? as u64;
    let mut prev = GENESIS.to_vec();
    let mut after = 0i64;
    let mut done = 0u64;
    loop {
        let page = tx.audit_page(after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for mut row in page {
            let plain = crypto::open(&old.enc, &body_aad(row.seq), &row.body)?;
            let p: Principal = serde_json::from_slice(&plain)
                .map_err(|e| Error::internal(format!("audit event {}: {e}", row.seq)))?;
            row.principal_hash = principal_hash(&p.user_identity.arn).to_vec();
            row.body = crypto::seal(&new.enc, &body_aad(row.seq), &plain);
            row.mac = full_mac(new, &row, &prev).to_vec();
            tx.audit_rekey(row.seq, &row.principal_hash, &row.body, &row.mac)?;
            prev = row.mac;
            done += 1;
        }
        progress(done, total);
    }
    // The state digest is recomputed from the rows under the new state key: every row the
    // re-key rewrote is in it, and the change log it leaves behind is folded away.
    let (seq, mac) = chain_end(tx)?;
    let state = StateDigest::scan(tx, new)?;
    write_head(tx, new, seq, &mac, &state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn event(name: &str) -> AuditEvent {
        AuditEvent {
            event_version: "1.08".into(),
            event_time: "2026-01-01T00:00:00Z".into(),
            event_source: "secretsmanager.amazonaws.com".into(),
            event_name: name.into(),
            aws_region: "us-east-1".into(),
            source_ip_address: "127.0.0.1".into(),
            user_agent: "test".into(),
            user_identity: UserIdentity {
                kind: "IAMUser".into(),
                arn: "arn:aws:iam::111122223333:user/admin".into(),
                account_id: "111122223333".into(),
                user_name: None,
            },
            request_parameters: serde_json::json!({}),
            response_elements: None,
            error_code: None,
            error_message: None,
            request_id: crypto::random::uuid(),
            event_id: crypto::random::uuid(),
            read_only: false,
            event_type: "AwsApiCall".into(),
            resources: Vec::new(),
            recipient_account_id: "111122223333".into(),
            additional_event_data: AdditionalEventData::default(),
        }
    }

    fn append_one(tx: &Tx<'_>, k: &AuditKeys, name: &str) {
        let meta = RowMeta {
            at_ms: 0,
            event_name: name,
            error_code: None,
            front_end: "cli",
            principal_hash: [0; 32],
            secret_uid: None,
        };
        append(tx, k, meta, &mut event(name)).unwrap();
    }

    fn intact(tx: &Tx<'_>, k: &AuditKeys) -> VerifyReport {
        verify(tx, k, "v", &[]).unwrap()
    }

    #[test]
    fn the_head_of_an_older_coffer_verifies_and_gets_a_state_digest_with_the_next_event() {
        let k = AuditKeys::random();
        let mut s = Store::memory().unwrap();
        let tx = s.begin().unwrap();
        tx.access_key_put(b"key", b"doc").unwrap();
        append_one(&tx, &k, "InitializeVault");
        // What an older Coffer wrote: the head without a digest, its tag without one.
        let (seq, mac) = chain_end(&tx).unwrap();
        let old = Head {
            seq,
            mac: hex(&mac),
            state: None,
            tag: head_tag(&k, seq, &mac, None),
        };
        tx.meta_set("audit_head", &serde_json::to_vec(&old).unwrap())
            .unwrap();
        assert!(intact(&tx, &k).intact);
        append_one(&tx, &k, "GetSecretValue");
        assert!(Head::read(&tx).unwrap().unwrap().state.is_some());
        assert!(intact(&tx, &k).intact);
        // From now on a row changed outside the door shows.
        tx.access_key_put(b"key", b"older doc").unwrap();
        tx.state_changes_taken().unwrap();
        let r = intact(&tx, &k);
        assert!(!r.intact);
        assert!(r.problem.unwrap().contains("access_keys"));
    }

    #[test]
    fn a_head_whose_tag_does_not_verify_poisons_every_later_head() {
        let k = AuditKeys::random();
        let mut s = Store::memory().unwrap();
        let tx = s.begin().unwrap();
        append_one(&tx, &k, "InitializeVault");
        let mut head = Head::read(&tx).unwrap().unwrap();
        head.state = Some([("secrets".to_string(), "11".repeat(32))].into());
        tx.meta_set("audit_head", &serde_json::to_vec(&head).unwrap())
            .unwrap();
        assert!(
            intact(&tx, &k)
                .problem
                .unwrap()
                .contains("head record does not verify")
        );
        append_one(&tx, &k, "ListSecrets");
        let r = intact(&tx, &k);
        assert!(!r.intact, "the next event does not launder a forged head");
        assert!(r.problem.unwrap().contains("changed outside Coffer"));
    }

    #[test]
    fn an_initialized_trail_verifies_and_an_empty_one_does_not() {
        let k = AuditKeys::random();
        let mut s = Store::memory().unwrap();
        let tx = s.begin().unwrap();
        fold(&tx, &k).unwrap();
        assert!(
            intact(&tx, &k).problem.unwrap().contains("empty"),
            "a head without events is not a trail"
        );
        append_one(&tx, &k, "InitializeVault");
        assert!(intact(&tx, &k).intact);
        tx.commit().unwrap();
    }
}
