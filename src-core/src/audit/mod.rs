//! The audit trail: one event per request, sealed at rest and chained — each event's MAC
//! covers its own fields and the previous event's MAC, and a MAC'd head records the last
//! one — so that `verify` names the first event that was edited, deleted, reordered or cut.

use serde::{Deserialize, Serialize};

use crate::crypto::{self, Aad, Key, KeyedHash};
use crate::store::{AuditRow, Tx};
use crate::{Error, Result};

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
    tag: String,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn head_tag(keys: &AuditKeys, seq: i64, mac: &[u8]) -> String {
    hex(&keys.mac.hash(&[b"audit-head", &seq.to_be_bytes(), mac]))
}

/// Appends one event in the caller's transaction; returns its sequence number.
pub(crate) fn append(
    tx: &Tx<'_>,
    keys: &AuditKeys,
    meta: RowMeta<'_>,
    event: &mut AuditEvent,
) -> Result<i64> {
    let (prev_seq, prev_mac) = tx.audit_last()?.unwrap_or((0, GENESIS.to_vec()));
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
    let head = Head {
        seq,
        mac: hex(&row.mac),
        tag: head_tag(keys, seq, &row.mac),
    };
    tx.meta_set(
        "audit_head",
        &serde_json::to_vec(&head).expect("head serializes"),
    )?;
    Ok(seq)
}

/// Opens one stored event.
pub(crate) fn decode(keys: &AuditKeys, row: &AuditRow) -> Result<AuditEvent> {
    let plain = crypto::open(&keys.enc, &body_aad(row.seq), &row.body)?;
    serde_json::from_slice(&plain)
        .map_err(|e| Error::internal(format!("audit event {}: {e}", row.seq)))
}

/// The outcome of `coffer audit verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyReport {
    pub events_checked: i64,
    pub intact: bool,
    /// The first event that fails, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_broken_sequence: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Walks the whole chain.
pub(crate) fn verify(tx: &Tx<'_>, keys: &AuditKeys) -> Result<VerifyReport> {
    let mut expected = 1i64;
    let mut prev = GENESIS.to_vec();
    let mut checked = 0i64;
    let mut broken: Option<(i64, String)> = None;
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
    if broken.is_none() {
        let last = expected - 1;
        match tx.meta_get("audit_head")? {
            None if last == 0 => {}
            None => broken = Some((last, "the chain's head record is missing".into())),
            Some(h) => {
                let head: Option<Head> = serde_json::from_slice(&h).ok();
                match head {
                    Some(h) if h.tag == head_tag(keys, h.seq, &unhex(&h.mac)) => {
                        if h.seq > last {
                            broken = Some((
                                last + 1,
                                format!(
                                    "truncated: the chain ends at event {last} but its head records event {}",
                                    h.seq
                                ),
                            ));
                        } else if h.seq < last || unhex(&h.mac) != prev {
                            broken = Some((
                                h.seq,
                                format!(
                                    "the chain's head records event {} but the chain ends at {last}",
                                    h.seq
                                ),
                            ));
                        }
                    }
                    _ => broken = Some((last, "the chain's head record does not verify".into())),
                }
            }
        }
    }
    Ok(VerifyReport {
        events_checked: checked,
        intact: broken.is_none(),
        first_broken_sequence: broken.as_ref().map(|b| b.0),
        problem: broken.map(|b| b.1),
    })
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
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
    if after > 0 {
        let head = Head {
            seq: after,
            mac: hex(&prev),
            tag: head_tag(new, after, &prev),
        };
        tx.meta_set(
            "audit_head",
            &serde_json::to_vec(&head).expect("head serializes"),
        )?;
    }
    Ok(())
}
