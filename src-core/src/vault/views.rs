//! What consoles show: pages of secrets sized for a screen, one secret with its versions,
//! and pages of audit events. These are views, not requests: they are authorized like the
//! operation they mirror but write no audit event, because a console re-reads them every
//! time the vault changes — auditing a refresh would be a change that triggers a refresh in
//! every other console, for ever. Every act (reveal, put, move, delete...) is a request.

use serde::{Deserialize, Serialize};

use super::doc::SecretDoc;
use super::index::SortBy;
use super::{Caller, Inner, Vault, catch_up_in};
use crate::Operation;
use crate::api::DescribeSecretResponse;
use crate::audit::{self, AuditEvent, VerifyReport};
use crate::model::{Tag, epoch_seconds};
use crate::store::{AuditSelect, Tx};
use crate::{Error, Result};

/// A console's question about the secrets list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase", default)]
pub struct SecretQuery {
    /// Words that must each appear (case-insensitively) in the name, description or a tag;
    /// a word starting with `!` must not.
    pub text: String,
    pub sort_by: SortBy,
    pub descending: bool,
    /// Show secrets scheduled for deletion too.
    pub include_deleted: bool,
    /// Show only secrets scheduled for deletion (the deletion schedule).
    pub only_deleted: bool,
    pub offset: usize,
    pub limit: usize,
}

/// One row of the secrets list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct SecretSummary {
    #[serde(rename = "ARN")]
    pub arn: String,
    pub name: String,
    pub description: Option<String>,
    pub created_date: f64,
    pub last_changed_date: f64,
    pub last_accessed_date: Option<f64>,
    pub deleted_date: Option<f64>,
    pub deletion_date: Option<f64>,
    pub tags: Vec<Tag>,
    pub version_count: usize,
    pub kms_key_id: Option<String>,
    /// While rotation is on: when its next window opens (DescribeSecret's
    /// `NextRotationDate`).
    pub next_rotation_date: Option<f64>,
}

/// A run of the name-sorted list: the secrets sharing a prefix (`prod/`), or one secret whose
/// name has none. `start` is the run's first row in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PrefixRun {
    pub prefix: Option<String>,
    pub start: usize,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct SecretPage {
    /// How many secrets match in all (for the scrollbar).
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<SecretSummary>,
    /// The vault revision the page was read at.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub revision: i64,
}

/// One version as the Versions tab shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct VersionView {
    pub version_id: String,
    pub version_stages: Vec<String>,
    pub created_date: f64,
    pub last_accessed_date: Option<f64>,
    pub kms_key_id: String,
    pub has_value: bool,
}

/// A secret with every version (deprecated ones too), newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct SecretView {
    pub secret: DescribeSecretResponse,
    pub versions: Vec<VersionView>,
    pub deletion_date: Option<f64>,
}

/// A console's question about the audit log. Events come newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase", default)]
pub struct AuditQuery {
    /// A secret's name or ARN.
    pub secret_id: Option<String>,
    /// A principal's ARN, or an operator's name.
    pub principal: Option<String>,
    pub event_names: Vec<String>,
    pub front_end: Option<String>,
    pub errors_only: bool,
    /// Epoch milliseconds, inclusive.
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    pub from_ms: Option<i64>,
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    pub to_ms: Option<i64>,
    /// Only events older than this sequence number (the next page).
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    pub before_sequence: Option<i64>,
    /// Only events newer than this sequence number (follow mode), oldest first.
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    pub after_sequence: Option<i64>,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct AuditEventView {
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub sequence: i64,
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub time_ms: i64,
    pub event_name: String,
    pub principal_arn: String,
    pub front_end: String,
    pub source_ip: String,
    pub secret_arn: Option<String>,
    pub version_ids: Vec<String>,
    pub version_stages: Vec<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub event: AuditEvent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "PascalCase")]
pub struct AuditPage {
    pub events: Vec<AuditEventView>,
    /// Pass as `before_sequence` for the next (older) page.
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>"))]
    pub next_before_sequence: Option<i64>,
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub total_events: i64,
}

fn summary(v: &Vault, doc: &SecretDoc) -> SecretSummary {
    SecretSummary {
        arn: v.arn(doc),
        name: doc.name.clone(),
        description: doc.description.clone(),
        created_date: epoch_seconds(doc.created_ms),
        last_changed_date: epoch_seconds(doc.last_changed_ms),
        last_accessed_date: doc.last_accessed_day_ms.map(epoch_seconds),
        deleted_date: doc.deleted_ms.map(epoch_seconds),
        deletion_date: doc.deletion_ms.map(epoch_seconds),
        tags: doc.tags.clone(),
        version_count: doc.versions.len(),
        kms_key_id: doc.kms_key_input.clone(),
        next_rotation_date: doc
            .rotation
            .as_ref()
            .and_then(crate::rotation::next_rotation_ms)
            .map(epoch_seconds),
    }
}

/// The console's filter: every word must occur in a secret's lowercased name, description
/// and tags (`!word`: must not). Each word is searched with a precompiled `memmem` finder, so
/// one keystroke over 100,000 secrets is one SIMD scan of each haystack per word.
struct TextFilter(Vec<(bool, memchr::memmem::Finder<'static>)>);

impl TextFilter {
    fn new(text: &str) -> Self {
        Self(
            text.split_whitespace()
                .filter_map(|w| match w.strip_prefix('!') {
                    Some("") => None,
                    Some(rest) => Some((true, rest.to_lowercase())),
                    None => Some((false, w.to_lowercase())),
                })
                .map(|(neg, w)| (neg, memchr::memmem::Finder::new(w.as_bytes()).into_owned()))
                .collect(),
        )
    }
    fn matches(&self, d: &SecretDoc) -> bool {
        self.0
            .iter()
            .all(|(neg, f)| f.find(d.haystack.as_bytes()).is_some() != *neg)
    }
}

impl Vault {
    /// The in-memory state (index, IAM, KMS) brought up to date with other processes'
    /// commits, for readers that need no SQL: when nobody else committed, one
    /// `PRAGMA data_version` and no transaction. `f` also learns whether anything changed.
    pub(super) fn caught_up<T>(
        &self,
        f: impl FnOnce(&mut Inner2<'_>, bool) -> Result<T>,
    ) -> Result<T> {
        let mut inner = self.inner();
        let Inner {
            store,
            index,
            kms,
            iam,
        } = &mut *inner;
        let changed = store.data_version()? != index.data_version
            && catch_up_in(&store.read()?, &self.keys, index, kms, iam)?;
        f(&mut Inner2 { index, iam, kms }, changed)
    }

    /// A read transaction on the vault brought up to date with other processes' commits,
    /// for readers that need SQL as well as the in-memory state.
    pub(super) fn read<T>(
        &self,
        f: impl FnOnce(&Tx<'_>, &mut Inner2<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut inner = self.inner();
        let Inner {
            store,
            index,
            kms,
            iam,
        } = &mut *inner;
        let tx = store.read()?;
        catch_up_in(&tx, &self.keys, index, kms, iam)?;
        f(&tx, &mut Inner2 { index, iam, kms })
    }

    /// Authorizes a view exactly as the operation it mirrors is authorized (without
    /// auditing it): the same decision function, with the same condition keys — the
    /// operations views mirror (ListSecrets, DescribeSecret, LookupEvents, ...) carry none
    /// of their own beyond the caller's and the secret's, which the request context adds.
    pub(super) fn authorize_view(
        &self,
        iam: &super::iam::Iam,
        caller: &Caller,
        action: &str,
        doc: Option<&SecretDoc>,
    ) -> Result<()> {
        let resource = doc.map(|d| self.arn(d)).unwrap_or_else(|| "*".into());
        crate::access::authorize_action(iam, caller, action, &resource, doc, &[], self.clock.now())
    }

    /// A page of the secrets list, filtered and sorted for a console.
    pub fn query_secrets(&self, caller: &Caller, q: &SecretQuery) -> Result<SecretPage> {
        let limit = if q.limit == 0 {
            100
        } else {
            q.limit.min(10_000)
        };
        let mut total = 0usize;
        let mut rows = Vec::with_capacity(limit.min(256));
        let revision = self.walk_matching(caller, q, |d| {
            if total >= q.offset && rows.len() < limit {
                rows.push(summary(self, d));
            }
            total += 1;
        })?;
        Ok(SecretPage {
            total,
            offset: q.offset,
            rows,
            revision,
        })
    }

    /// The secrets `q` matches, sorted by name, as runs that share a prefix up to the first
    /// `/` ("group by prefix" in the consoles). One pass over the index; `q`'s order, offset
    /// and limit are not used.
    pub fn query_prefix_runs(&self, caller: &Caller, q: &SecretQuery) -> Result<Vec<PrefixRun>> {
        let by_name = SecretQuery {
            sort_by: SortBy::Name,
            descending: false,
            ..q.clone()
        };
        let mut runs: Vec<PrefixRun> = vec![];
        let mut at = 0usize;
        self.walk_matching(caller, &by_name, |d| {
            let prefix = d.name.find('/').map(|p| &d.name[..=p]);
            match (runs.last_mut(), prefix) {
                (Some(last), Some(p)) if last.prefix.as_deref() == Some(p) => last.count += 1,
                _ => runs.push(PrefixRun {
                    prefix: prefix.map(str::to_string),
                    start: at,
                    count: 1,
                }),
            }
            at += 1;
        })?;
        Ok(runs)
    }

    /// Hands `f` every secret `q`'s text and deletion flags match, in `q`'s order, inside one
    /// read; returns the revision read at.
    fn walk_matching(
        &self,
        caller: &Caller,
        q: &SecretQuery,
        mut f: impl FnMut(&SecretDoc),
    ) -> Result<i64> {
        let now = self.clock.now().as_millisecond();
        self.caught_up(|inner, _| {
            self.authorize_view(inner.iam, caller, "secretsmanager:ListSecrets", None)?;
            let filter = TextFilter::new(&q.text);
            let sorted = inner.index.sorted(q.sort_by);
            let keep = |d: &SecretDoc| {
                let scheduled = d.is_scheduled_for_deletion();
                // A secret past its deletion date is gone, even before the purge runs.
                if d.deletion_ms.is_some_and(|t| t <= now) {
                    return false;
                }
                if q.only_deleted && !scheduled {
                    return false;
                }
                if scheduled && !(q.include_deleted || q.only_deleted) {
                    return false;
                }
                filter.matches(d)
            };
            let iter: Box<dyn Iterator<Item = &std::sync::Arc<SecretDoc>>> = if q.descending {
                Box::new(sorted.iter().rev())
            } else {
                Box::new(sorted.iter())
            };
            for d in iter.filter(|d| keep(d)) {
                f(d);
            }
            Ok(inner.index.rev)
        })
    }

    /// The secret a `SecretId` names, when the caller may describe it (a console's view).
    pub(super) fn view_secret(
        &self,
        inner: &Inner2<'_>,
        caller: &Caller,
        secret_id: &str,
    ) -> Result<std::sync::Arc<SecretDoc>> {
        let doc = inner
            .index
            .resolve(secret_id, &self.info.account_id, &self.info.region)
            .cloned()
            .ok_or_else(|| Error::not_found("Secrets Manager can't find the specified secret."))?;
        self.authorize_view(
            inner.iam,
            caller,
            "secretsmanager:DescribeSecret",
            Some(&doc),
        )?;
        Ok(doc)
    }

    /// One secret with all its versions, for a console's detail screen. Opening a secret
    /// reads no value.
    pub fn secret_view(&self, caller: &Caller, secret_id: &str) -> Result<SecretView> {
        self.caught_up(|inner, _| {
            let doc = self.view_secret(inner, caller, secret_id)?;
            let mut versions: Vec<VersionView> = doc
                .versions
                .iter()
                .map(|v| VersionView {
                    version_id: v.id.clone(),
                    version_stages: v.stages.clone(),
                    created_date: epoch_seconds(v.created_ms),
                    last_accessed_date: v.last_accessed_day_ms.map(epoch_seconds),
                    kms_key_id: v.kms_key_id.clone(),
                    has_value: v.has_value,
                })
                .collect();
            versions.reverse();
            Ok(SecretView {
                secret: super::secrets::describe(&self.info, &doc),
                versions,
                deletion_date: doc.deletion_ms.map(epoch_seconds),
            })
        })
    }

    /// A page of audit events, newest first (oldest first when following).
    pub fn query_audit(&self, caller: &Caller, q: &AuditQuery) -> Result<AuditPage> {
        self.read(|tx, inner| {
            self.authorize_view(inner.iam, caller, "coffer:LookupEvents", None)?;
            let mut sel = AuditSelect {
                event_names: q.event_names.clone(),
                front_end: q.front_end.clone(),
                errors_only: q.errors_only,
                from_ms: q.from_ms,
                to_ms: q.to_ms,
                before_seq: q.before_sequence,
                after_seq: q.after_sequence,
                limit: if q.limit == 0 { 100 } else { q.limit.min(1000) },
                ..AuditSelect::default()
            };
            if let Some(id) = &q.secret_id {
                match inner
                    .index
                    .resolve(id, &self.info.account_id, &self.info.region)
                {
                    Some(d) => sel.secret_uid = Some(d.uid.clone()),
                    None => {
                        return Ok(AuditPage {
                            events: vec![],
                            next_before_sequence: None,
                            total_events: tx.audit_count()?,
                        });
                    }
                }
            }
            if let Some(p) = &q.principal {
                let arn = if p.starts_with("arn:") || p.contains('.') && !p.contains('/') {
                    p.clone()
                } else {
                    self.info.user_arn(p)
                };
                sel.principal_hash = Some(self.keys().principal_hash(&arn).to_vec());
            }
            let rows = tx.audit_select(&sel)?;
            let full = rows.len() == sel.limit;
            let mut events = Vec::with_capacity(rows.len());
            for row in &rows {
                let ev = audit::decode(&self.keys().audit, row)?;
                events.push(AuditEventView {
                    sequence: row.seq,
                    time_ms: row.at_ms,
                    event_name: row.event_name.clone(),
                    principal_arn: ev.user_identity.arn.clone(),
                    front_end: row.front_end.clone(),
                    source_ip: ev.source_ip_address.clone(),
                    secret_arn: ev.resources.first().map(|r| r.arn.clone()),
                    version_ids: ev.additional_event_data.version_ids.clone(),
                    version_stages: ev.additional_event_data.version_stages.clone(),
                    error_code: ev.error_code.clone(),
                    error_message: ev.error_message.clone(),
                    event: ev,
                });
            }
            let next = if full && q.after_sequence.is_none() {
                rows.last().map(|r| r.seq)
            } else {
                None
            };
            Ok(AuditPage {
                events,
                next_before_sequence: next,
                total_events: tx.audit_count()?,
            })
        })
    }

    /// Walks the whole audit chain and checks the state rows against its head, and the
    /// vault against the anchors its replicas carry (an older copy of the file fails
    /// them); an operator's request, so it is itself audited.
    pub fn verify_audit_trail(&self, caller: &Caller) -> Result<VerifyReport> {
        self.verify_audit_trail_against(caller, &[])
    }

    /// Every event matching `q` (all pages), oldest first, as CloudTrail records.
    pub fn export_audit_trail(&self, caller: &Caller, q: &AuditQuery) -> Result<serde_json::Value> {
        let mut records = Vec::new();
        let mut q = q.clone();
        q.limit = 1000;
        q.after_sequence = None;
        loop {
            let page = self.query_audit(caller, &q)?;
            records.extend(page.events.into_iter().map(|e| e.event));
            match page.next_before_sequence {
                Some(s) => q.before_sequence = Some(s),
                None => break,
            }
        }
        records.reverse();
        let count = records.len();
        self.exec(
            caller,
            Operation::ExportAuditTrail,
            &serde_json::json!({ "records": count }),
            |ctx| ctx.authorize("coffer:ExportAuditTrail", "*"),
        )?;
        Ok(serde_json::json!({ "Records": records }))
    }
}

pub(super) struct Inner2<'a> {
    pub(super) index: &'a mut super::index::Index,
    pub(super) iam: &'a super::iam::Iam,
    pub(super) kms: &'a super::keys::KmsRing,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_filter_matches_words_anywhere_and_negates_with_a_bang() {
        let mut d: SecretDoc = serde_json::from_value(serde_json::json!({
            "uid": "u", "name": "Prod/Database", "suffix": "abcdef", "kms_key_id": "k",
            "description": "Orders DB", "tags": [{"Key": "Env", "Value": "Prod"}],
            "created_ms": 0, "last_changed_ms": 0
        }))
        .unwrap();
        d.build_haystack();
        assert!(TextFilter::new("datab").matches(&d));
        assert!(TextFilter::new("ORDERS env=prod").matches(&d));
        assert!(!TextFilter::new("!prod").matches(&d));
        assert!(TextFilter::new("!staging").matches(&d));
        assert!(!TextFilter::new("xyz").matches(&d));
    }
}
