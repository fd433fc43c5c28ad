//! The in-memory index of decrypted secret documents: names and tags are ciphertext in the
//! file, so lookups, filters, sorts and pages happen here, refreshed from changed rows.
//!
//! **Why this file is long:** about 40% of it is its tests; the index's lookups, filters, sorts
//! and pages share one set of structures.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};

use super::doc::SecretDoc;
use crate::api::Filter;
use crate::model::SecretArn;
use crate::{Error, Result};

/// The orders secrets can be listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SortBy {
    #[default]
    #[serde(rename = "created-date")]
    Created,
    #[serde(rename = "last-accessed-date")]
    LastAccessed,
    #[serde(rename = "last-changed-date")]
    LastChanged,
    #[serde(rename = "name")]
    Name,
    /// Consoles only (AWS's ListSecrets has no such order).
    #[serde(rename = "deletion-date")]
    Deletion,
    /// Consoles only: by description, case-insensitively (secrets without one last).
    #[serde(rename = "description")]
    Description,
    /// Consoles only: by tags written `key=value`, sorted, case-insensitively.
    #[serde(rename = "tags")]
    Tags,
}

impl SortBy {
    /// The orders AWS's ListSecrets accepts in `SortBy`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "created-date" => Ok(Self::Created),
            "last-accessed-date" => Ok(Self::LastAccessed),
            "last-changed-date" => Ok(Self::LastChanged),
            "name" => Ok(Self::Name),
            other => Err(Error::validation(format!(
                "1 validation error detected: Value '{other}' at 'sortBy' failed to satisfy constraint: \
                 Member must satisfy enum value set: [created-date, last-accessed-date, last-changed-date, name]"
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
enum SortKey {
    Num(i64),
    Text(String),
}

fn sort_key(doc: &SecretDoc, by: SortBy) -> SortKey {
    match by {
        SortBy::Created => SortKey::Num(doc.created_ms),
        SortBy::LastAccessed => SortKey::Num(doc.last_accessed_day_ms.unwrap_or(i64::MIN)),
        SortBy::LastChanged => SortKey::Num(doc.last_changed_ms),
        SortBy::Name => SortKey::Text(doc.name.clone()),
        SortBy::Deletion => SortKey::Num(doc.deletion_ms.unwrap_or(i64::MAX)),
        // "\u{10FFFF}" sorts secrets without a description after every one with.
        SortBy::Description => SortKey::Text(
            doc.description
                .as_deref()
                .map_or_else(|| "\u{10FFFF}".into(), str::to_lowercase),
        ),
        SortBy::Tags => {
            let mut tags: Vec<String> = doc
                .tags
                .iter()
                .map(|t| format!("{}={}", t.key, t.value).to_lowercase())
                .collect();
            tags.sort();
            SortKey::Text(if tags.is_empty() {
                "\u{10FFFF}".into()
            } else {
                tags.join(" ")
            })
        }
    }
}

/// Where a page ends, so the next starts after it whatever was added or removed meanwhile.
#[derive(Debug, Serialize, Deserialize)]
struct PageToken {
    by: SortBy,
    desc: bool,
    key: SortKey,
    #[serde(default)]
    name: String,
    uid: String,
}

/// The full order: the sort key, then the name (so equal dates list alphabetically), then
/// the uid (so the order is total).
fn position(d: &SecretDoc, by: SortBy) -> (SortKey, String, String) {
    (sort_key(d, by), d.name.clone(), d.uid.clone())
}

fn encode_token(t: &PageToken) -> String {
    B64.encode(serde_json::to_vec(t).expect("token serializes"))
}

fn decode_token(s: &str) -> Result<PageToken> {
    B64.decode(s)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| {
            Error::new(
                crate::ErrorCode::InvalidNextToken,
                "The NextToken value is invalid.",
            )
        })
}

#[derive(Default)]
pub(crate) struct Index {
    docs: HashMap<String, Arc<SecretDoc>>,
    by_name: HashMap<String, String>,
    /// Secrets scheduled for deletion, by deletion date, so that a request knows without
    /// SQL whether a purge is due.
    deletions: std::collections::BTreeSet<(i64, String)>,
    /// Secrets with a rotation setting, so that the scheduler looks at these only.
    rotating: std::collections::BTreeSet<String>,
    sorted: HashMap<SortBy, Arc<Vec<Arc<SecretDoc>>>>,
    /// The latest creation date of any secret this index has seen.
    latest_created_ms: i64,
    /// The vault change counter this index reflects.
    pub rev: i64,
    /// The connection's `PRAGMA data_version` when the index was last brought up to date.
    pub data_version: i64,
}

impl Index {
    /// An index that has read nothing yet: the first refresh loads everything.
    pub fn unloaded() -> Self {
        Self {
            data_version: i64::MIN,
            ..Self::default()
        }
    }

    pub fn get(&self, uid: &str) -> Option<&Arc<SecretDoc>> {
        self.docs.get(uid)
    }

    pub fn by_name(&self, name: &str) -> Option<&Arc<SecretDoc>> {
        self.by_name.get(name).and_then(|u| self.docs.get(u))
    }

    /// Every secret with rotation settings.
    pub fn rotating(&self) -> impl Iterator<Item = &Arc<SecretDoc>> {
        self.rotating.iter().filter_map(|u| self.docs.get(u))
    }

    /// The creation date of a secret created at `now_ms`: `now_ms`, or one millisecond after
    /// the latest secret's when that one was created in the same millisecond or (by another
    /// process's clock) later. Secrets listed by creation date are then listed in the order
    /// they were created, as AWS and moto list them, even when a test suite creates several
    /// within one millisecond (where the name would otherwise decide).
    pub fn creation_date(&self, now_ms: i64) -> i64 {
        now_ms.max(self.latest_created_ms.saturating_add(1))
    }

    /// The soonest deletion date of any secret scheduled for deletion.
    pub fn earliest_deletion(&self) -> Option<i64> {
        self.deletions.first().map(|(t, _)| *t)
    }

    pub fn upsert(&mut self, mut doc: SecretDoc) {
        doc.build_haystack();
        self.latest_created_ms = self.latest_created_ms.max(doc.created_ms);
        if let Some(old) = self.docs.get(&doc.uid) {
            if old.name != doc.name && self.by_name.get(&old.name) == Some(&doc.uid) {
                self.by_name.remove(&old.name);
            }
            if let Some(t) = old.deletion_ms {
                self.deletions.remove(&(t, old.uid.clone()));
            }
        }
        if let Some(t) = doc.deletion_ms {
            self.deletions.insert((t, doc.uid.clone()));
        }
        if doc.rotation.is_some() {
            self.rotating.insert(doc.uid.clone());
        } else {
            self.rotating.remove(&doc.uid);
        }
        self.by_name.insert(doc.name.clone(), doc.uid.clone());
        self.docs.insert(doc.uid.clone(), Arc::new(doc));
        self.sorted.clear();
    }

    pub fn remove(&mut self, uid: &str) {
        self.rotating.remove(uid);
        if let Some(old) = self.docs.remove(uid) {
            // The name may already be another secret's (one purged and one created under
            // its name in the same change, read back in either order).
            if self.by_name.get(&old.name).is_some_and(|u| u == uid) {
                self.by_name.remove(&old.name);
            }
            if let Some(t) = old.deletion_ms {
                self.deletions.remove(&(t, old.uid.clone()));
            }
        }
        self.sorted.clear();
    }

    /// Finds the secret a `SecretId` names: a name, a full ARN, or an ARN without its suffix.
    pub fn resolve(&self, id: &str, account: &str, region: &str) -> Option<&Arc<SecretDoc>> {
        if id.starts_with("arn:") {
            let parsed = SecretArn::parse(id)?;
            if parsed.account != account || parsed.region != region {
                return None;
            }
            if let Some(full) = &parsed.full
                && let Some(doc) = self.by_name(&full.name)
                && doc.suffix == full.suffix
            {
                return Some(doc);
            }
            return self.by_name(&parsed.partial_name);
        }
        self.by_name(id)
    }

    /// All documents in `by` order (ascending), cached until the next change.
    pub fn sorted(&mut self, by: SortBy) -> Arc<Vec<Arc<SecretDoc>>> {
        if let Some(s) = self.sorted.get(&by) {
            return s.clone();
        }
        let mut v: Vec<(SortKey, Arc<SecretDoc>)> = self
            .docs
            .values()
            .map(|d| (sort_key(d, by), d.clone()))
            .collect();
        v.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| a.1.name.cmp(&b.1.name))
                .then_with(|| a.1.uid.cmp(&b.1.uid))
        });
        let v = Arc::new(v.into_iter().map(|(_, d)| d).collect::<Vec<_>>());
        self.sorted.insert(by, v.clone());
        v
    }

    /// One page in token order: up to `limit` documents that `keep` accepts, after `token`.
    pub fn page(
        &mut self,
        by: SortBy,
        desc: bool,
        token: Option<&str>,
        limit: usize,
        mut keep: impl FnMut(&SecretDoc) -> bool,
    ) -> Result<(Vec<Arc<SecretDoc>>, Option<String>)> {
        let all = self.sorted(by);
        let start = match token {
            None => 0,
            Some(t) => {
                let t = decode_token(t)?;
                if t.by != by || t.desc != desc {
                    return Err(Error::new(
                        crate::ErrorCode::InvalidNextToken,
                        "The NextToken was issued for a different sort order.",
                    ));
                }
                let pos = (t.key, t.name, t.uid);
                if desc {
                    // Descending: continue with the items before `pos` in ascending order.
                    let p = all.partition_point(|d| position(d, by) < pos);
                    all.len() - p
                } else {
                    all.partition_point(|d| position(d, by) <= pos)
                }
            }
        };
        let iter: Box<dyn Iterator<Item = &Arc<SecretDoc>>> = if desc {
            Box::new(all.iter().rev().skip(start))
        } else {
            Box::new(all.iter().skip(start))
        };
        let mut out = Vec::with_capacity(limit.min(128));
        let mut more = false;
        for d in iter {
            if !keep(d) {
                continue;
            }
            if out.len() == limit {
                more = true;
                break;
            }
            out.push(d.clone());
        }
        let next = if more {
            out.last().map(|d| {
                encode_token(&PageToken {
                    by,
                    desc,
                    key: sort_key(d, by),
                    name: d.name.clone(),
                    uid: d.uid.clone(),
                })
            })
        } else {
            None
        };
        Ok((out, next))
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<SecretDoc>> {
        self.docs.values()
    }
}

/// A compiled ListSecrets filter set: every filter must match; within one, any value.
pub(crate) struct FilterSet {
    filters: Vec<(FilterKey, Vec<(bool, String)>)>,
    /// The vault's region: the primary region of every secret that is not a replica.
    home: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FilterKey {
    Name,
    Description,
    TagKey,
    TagValue,
    PrimaryRegion,
    OwningService,
    All,
}

fn valid_filter_value(v: &str) -> bool {
    let n = v.chars().count();
    (1..=512).contains(&n)
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || " :_@/+=.-!".contains(c))
}

impl FilterSet {
    pub fn compile(filters: &[Filter], home_region: &str) -> Result<Self> {
        if filters.len() > 10 {
            return Err(Error::validation(
                "1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 10",
            ));
        }
        let mut out = Vec::new();
        for (i, f) in filters.iter().enumerate() {
            let key = match f.key.as_str() {
                "name" => FilterKey::Name,
                "description" => FilterKey::Description,
                "tag-key" => FilterKey::TagKey,
                "tag-value" => FilterKey::TagValue,
                "primary-region" => FilterKey::PrimaryRegion,
                "owning-service" => FilterKey::OwningService,
                "all" => FilterKey::All,
                // moto 5.2.5 test_with_no_filter_key: a filter without a key.
                "" => return Err(Error::invalid_parameter("Invalid filter key")),
                other => {
                    return Err(Error::validation(format!(
                        "1 validation error detected: Value '{other}' at 'filters.{}.member.key' failed to satisfy constraint: \
                         Member must satisfy enum value set: [all, name, tag-key, description, tag-value, primary-region, owning-service]",
                        i + 1
                    )));
                }
            };
            // moto 5.2.5 test_with_no_filter_values: a key without values.
            if f.values.is_empty() {
                return Err(Error::invalid_parameter(format!(
                    "Invalid filter values for key: {}",
                    f.key
                )));
            }
            if f.values.len() > 10 {
                return Err(Error::validation(format!(
                    "1 validation error detected: Value at 'filters.{}.member.values' failed to satisfy constraint: Member must have length between 1 and 10",
                    i + 1
                )));
            }
            let mut values = Vec::new();
            for v in &f.values {
                if !valid_filter_value(v) {
                    return Err(Error::validation(format!(
                        "1 validation error detected: Value '{v}' at 'filters.member.values' failed to satisfy constraint: \
                         Member must have length between 1 and 512 and match [a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]+"
                    )));
                }
                let (neg, body) = match v.strip_prefix('!') {
                    Some(rest) => (true, rest.to_string()),
                    None => (false, v.clone()),
                };
                values.push((neg, body));
            }
            out.push((key, values));
        }
        Ok(Self {
            filters: out,
            home: home_region.to_string(),
        })
    }

    pub fn matches(&self, d: &SecretDoc) -> bool {
        self.filters.iter().all(|(key, values)| {
            values.iter().any(|(neg, v)| {
                let hit = match key {
                    FilterKey::Name => d.name.starts_with(v.as_str()),
                    FilterKey::Description => {
                        d.description.as_deref().is_some_and(|x| words_match(v, x))
                    }
                    FilterKey::TagKey => d.tags.iter().any(|t| t.key.starts_with(v.as_str())),
                    FilterKey::TagValue => d.tags.iter().any(|t| t.value.starts_with(v.as_str())),
                    // The PrimaryRegion DescribeSecret shows: a replica's primary, a
                    // replicated primary's own region; a secret never replicated has none
                    // (moto 5.2.5 test_filter_with_primary_region).
                    FilterKey::PrimaryRegion => d
                        .primary_region
                        .as_deref()
                        .or((!d.replicas.is_empty()).then_some(self.home.as_str()))
                        .is_some_and(|r| r.starts_with(v.as_str())),
                    FilterKey::OwningService => d
                        .owning_service
                        .as_deref()
                        .is_some_and(|r| r.starts_with(v.as_str())),
                    FilterKey::All => all_words_match(d, v),
                };
                hit != *neg
            })
        })
    }
}

/// `all`: the value's words match within one attribute: the name, the description, a tag
/// key or a tag value.
fn all_words_match(d: &SecretDoc, value: &str) -> bool {
    words_match(value, &d.name)
        || d.description
            .as_deref()
            .is_some_and(|x| words_match(value, x))
        || d.tags
            .iter()
            .any(|t| words_match(value, &t.key) || words_match(value, &t.value))
}

/// AWS's word search (the `all` and `description` filters): every word of `query` begins
/// some word of `text`, ignoring case; a query with no words matches nothing. Verified
/// against AWS by moto 5.2.5's `@aws_verified` tests `test_with_all_filter`,
/// `test_with_all_filter_special_characters` and
/// `test_with_filter_with_value_with_multiple_words` (tests/test_secretsmanager/test_list_secrets.py).
fn words_match(query: &str, text: &str) -> bool {
    let mut any = false;
    let missing = any_word(query, |w| {
        any = true;
        !any_word(text, |t| {
            t.len() >= w.len() && t.as_bytes()[..w.len()].eq_ignore_ascii_case(w.as_bytes())
        })
    });
    any && !missing
}

/// Calls `f` on each word of `s` until it returns true; says whether it did. Words break at
/// every character that is neither a letter nor a digit, and before a character that is not a
/// lower-case letter but starts a run of them: `prod/AppBeta` is `prod`, `App`, `Beta`, and
/// `COMPANYthings` is `COMPAN`, `Ythings` (AWS finds the latter by `Ythings` but not by
/// `things`, `pany` or `N`: moto's `test_with_all_filter_special_characters`).
fn any_word(s: &str, mut f: impl FnMut(&str) -> bool) -> bool {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|part| !part.is_empty())
        .any(|part| {
            let mut start = 0;
            let mut chars = part.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                let starts_run = !c.is_ascii_lowercase()
                    && chars.peek().is_some_and(|&(_, n)| n.is_ascii_lowercase());
                if !starts_run {
                    continue;
                }
                if start < i && f(&part[start..i]) {
                    return true;
                }
                let mut end = part.len();
                while let Some(&(j, n)) = chars.peek() {
                    if !n.is_ascii_lowercase() {
                        end = j;
                        break;
                    }
                    chars.next();
                }
                if f(&part[i..end]) {
                    return true;
                }
                start = end;
            }
            start < part.len() && f(&part[start..])
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tag;

    fn doc(uid: &str, name: &str, created: i64) -> SecretDoc {
        SecretDoc {
            uid: uid.into(),
            name: name.into(),
            suffix: "abcdef".into(),
            description: Some(format!("Description of {name}")),
            kms_key_input: None,
            kms_key_id: "k".into(),
            tags: vec![Tag {
                key: "env".into(),
                value: name.split('/').next().unwrap().into(),
            }],
            tagged: true,
            policy: None,
            created_ms: created,
            last_changed_ms: created,
            last_accessed_day_ms: None,
            deleted_ms: None,
            deletion_ms: None,
            owning_service: None,
            secret_type: None,
            primary_region: None,
            replicas: Vec::new(),
            cross_account_replicas: Vec::new(),
            cross_account_primary: None,
            replication_seq: 0,
            haystack: String::new(),
            rotation: None,
            versions: vec![],
        }
    }

    #[test]
    fn secrets_created_in_one_millisecond_list_by_creation_in_the_order_they_were_made() {
        let mut ix = Index::default();
        for name in ["prod@b", "prod-b", "prod+b"] {
            let created = ix.creation_date(1_000);
            ix.upsert(doc(name, name, created));
        }
        let listed: Vec<String> = ix
            .sorted(SortBy::Created)
            .iter()
            .map(|d| d.name.clone())
            .collect();
        assert_eq!(listed, ["prod@b", "prod-b", "prod+b"]);
        assert_eq!(
            ix.creation_date(5_000),
            5_000,
            "a later clock is taken as it is"
        );
    }

    fn index(n: usize) -> Index {
        let mut ix = Index::default();
        for i in 0..n {
            let env = ["prod", "dev", "staging"][i % 3];
            // Equal creation times in pairs, so ties are broken by uid.
            ix.upsert(doc(
                &format!("u{i:04}"),
                &format!("{env}/s{i}"),
                (i / 2) as i64,
            ));
        }
        ix
    }

    fn filter(key: &str, vals: &[&str]) -> Filter {
        Filter {
            key: key.into(),
            values: vals.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn paging_returns_every_secret_exactly_once_in_both_orders() {
        let mut ix = index(257);
        for desc in [false, true] {
            for by in [SortBy::Created, SortBy::Name] {
                let mut seen = Vec::new();
                let mut token: Option<String> = None;
                loop {
                    let (page, next) = ix.page(by, desc, token.as_deref(), 10, |_| true).unwrap();
                    seen.extend(page.iter().map(|d| d.uid.clone()));
                    match next {
                        Some(t) => token = Some(t),
                        None => break,
                    }
                }
                let mut uniq = seen.clone();
                uniq.sort();
                uniq.dedup();
                assert_eq!(uniq.len(), 257, "{by:?} desc={desc}");
                assert_eq!(seen.len(), 257);
            }
        }
    }

    #[test]
    fn paging_survives_inserts_and_removals_between_pages() {
        let mut ix = index(50);
        let (first, next) = ix.page(SortBy::Created, false, None, 20, |_| true).unwrap();
        ix.remove(&first[0].uid);
        ix.remove("u0049");
        ix.upsert(doc("u9999", "prod/new", 1_000));
        let mut rest = Vec::new();
        let mut token = next;
        while let Some(t) = token {
            let (p, n) = ix
                .page(SortBy::Created, false, Some(&t), 20, |_| true)
                .unwrap();
            rest.extend(p.iter().map(|d| d.uid.clone()));
            token = n;
        }
        // Nothing from the first page comes again; the survivors and the newcomer all do.
        assert!(first.iter().all(|d| !rest.contains(&d.uid)));
        assert!(rest.contains(&"u9999".to_string()));
        assert!(!rest.contains(&"u0049".to_string()));
        assert_eq!(rest.len(), 50 - 20 - 1 + 1);
    }

    #[test]
    fn console_orders_sort_by_description_and_tags_and_aws_rejects_them() {
        let mut ix = index(6);
        let mut no_desc = doc("u9000", "zzz/none", 0);
        no_desc.description = None;
        no_desc.tags.clear();
        ix.upsert(no_desc);
        for by in [SortBy::Description, SortBy::Tags] {
            let all = ix.sorted(by);
            assert_eq!(
                all.last().unwrap().uid,
                "u9000",
                "{by:?}: the secret without one comes last"
            );
        }
        let tags = ix.sorted(SortBy::Tags);
        assert!(tags[0].tags[0].value <= tags[1].tags[0].value);
        assert_eq!(
            SortBy::parse("description").unwrap_err().code,
            crate::ErrorCode::Validation
        );
        assert_eq!(
            SortBy::parse("deletion-date").unwrap_err().code,
            crate::ErrorCode::Validation
        );
        assert_eq!(SortBy::parse("name").unwrap(), SortBy::Name);
    }

    #[test]
    fn a_garbled_token_is_invalid_next_token() {
        let mut ix = index(3);
        let e = ix
            .page(SortBy::Created, false, Some("garbage!"), 10, |_| true)
            .unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidNextToken);
    }

    /// Names of `docs` (in order) that `filters` select.
    fn selected(docs: &[SecretDoc], filters: &[Filter]) -> Vec<String> {
        let set = FilterSet::compile(filters, "us-east-1").unwrap();
        docs.iter()
            .filter(|d| set.matches(d))
            .map(|d| d.name.clone())
            .collect()
    }

    fn described(name: &str, description: Option<&str>, tags: &[(&str, &str)]) -> SecretDoc {
        let mut d = doc(name, name, 0);
        d.description = description.map(str::to_string);
        d.tags = tags
            .iter()
            .map(|(k, v)| Tag {
                key: k.to_string(),
                value: v.to_string(),
            })
            .collect();
        d
    }

    /// moto 5.2.5 `test_list_secrets.py::test_with_all_filter` (`@aws_verified`): "The 'all'
    /// filter will match a secret that contains ANY field with the criteria".
    #[test]
    fn the_all_filter_matches_word_prefixes_in_any_attribute_ignoring_case() {
        let docs = [
            described("SecretOne42", None, &[]),
            described("SecretTwo42", Some("DescTwo"), &[]),
            described("Thirdsecret42", None, &[]),
            described("SecretFTag42", None, &[("1", "foo")]),
            described("SecretFValue42", None, &[("foo", "v")]),
            described("none42", None, &[]),
        ];
        let all = |v: &str| selected(&docs, &[filter("all", &[v])]);
        let secret_words = [
            "SecretOne42",
            "SecretTwo42",
            "SecretFTag42",
            "SecretFValue42",
        ];
        assert_eq!(all("SecretOne"), ["SecretOne42"]);
        assert_eq!(all("foo"), ["SecretFTag42", "SecretFValue42"]);
        assert_eq!(all("Secret"), secret_words);
        assert_eq!(all("secret"), secret_words);
        assert!(all("ret").is_empty(), "a word's middle is not a prefix");
        assert_eq!(all("sec"), secret_words);
        assert!(all("SomeSecret").is_empty());
        assert_eq!(all("d"), ["SecretTwo42"]);
        assert_eq!(
            all("d t"),
            ["SecretTwo42"],
            "several words: all of them match"
        );
        assert_eq!(all("t"), ["SecretTwo42", "Thirdsecret42", "SecretFTag42"]);
    }

    /// moto 5.2.5 `test_list_secrets.py::test_with_all_filter_special_characters`
    /// (`@aws_verified`): AWS splits names at punctuation and where a capital starts a word.
    #[test]
    fn the_all_filter_splits_words_at_punctuation_and_capitals() {
        let punctuated: Vec<String> = ["/", "_", "+", "=", ".", "@", "-"]
            .iter()
            .map(|sep| format!("prod{sep}AppBeta{sep}42"))
            .collect();
        let mut docs: Vec<SecretDoc> = punctuated.iter().map(|n| described(n, None, &[])).collect();
        docs.push(described("uat/COMPANY/42", None, &[]));
        docs.push(described("uat/COMPANYthings/42", None, &[]));
        let all = |v: &[&str]| selected(&docs, &[filter("all", v)]);
        assert_eq!(all(&["AppBeta"]), punctuated);
        assert_eq!(all(&["Beta"]), punctuated);
        assert_eq!(all(&["AppBeta", "prod"]), punctuated);
        assert!(all(&["+"]).is_empty(), "a separator alone is no word");
        assert_eq!(all(&["42"]).len(), 9);
        assert_eq!(all(&["company"]), ["uat/COMPANY/42"]);
        assert!(
            all(&["things"]).is_empty(),
            "COMPANYthings is COMPAN + Ythings"
        );
        assert_eq!(all(&["Ythings"]), ["uat/COMPANYthings/42"]);
        assert!(all(&["N"]).is_empty());
        assert!(all(&["pany"]).is_empty());
    }

    /// moto 5.2.5 `test_list_secrets.py::test_with_filter_with_value_with_multiple_words` and
    /// `test_with_duplicate_filter_keys` (both `@aws_verified`): a description value is
    /// searched word by word, and two filters with the same key must both match.
    #[test]
    fn description_values_match_word_by_word_and_repeated_keys_and_together() {
        let docs = [
            described("foo", Some("one two"), &[]),
            described("bar", Some("one and two"), &[]),
            described("baz", Some("one"), &[]),
            described("qux", Some("two"), &[]),
            described("none", Some("unrelated"), &[]),
        ];
        let desc = |v: &str| selected(&docs, &[filter("description", &[v])]);
        assert_eq!(desc("one two"), ["foo", "bar"]);
        assert_eq!(desc("o t"), ["foo", "bar"]);
        assert_eq!(desc("t"), ["foo", "bar", "qux"]);
        assert_eq!(
            selected(
                &docs,
                &[
                    filter("description", &["one"]),
                    filter("description", &["two"])
                ]
            ),
            ["foo", "bar"]
        );
    }

    #[test]
    fn filters_match_prefixes_negate_with_bang_and_and_together() {
        let ix = index(9);
        let count = |fs: &[Filter]| {
            let set = FilterSet::compile(fs, "us-east-1").unwrap();
            ix.all().filter(|d| set.matches(d)).count()
        };
        assert_eq!(count(&[filter("name", &["prod/"])]), 3);
        assert_eq!(count(&[filter("name", &["!prod/"])]), 6);
        assert_eq!(count(&[filter("name", &["prod/", "dev/"])]), 6);
        assert_eq!(
            count(&[filter("tag-key", &["env"]), filter("tag-value", &["dev"])]),
            3
        );
        assert_eq!(count(&[filter("description", &["DESCRIPTION OF PROD"])]), 3);
        assert_eq!(count(&[filter("all", &["staging"])]), 3);
        assert_eq!(
            count(&[filter("name", &["Prod/"])]),
            0,
            "name is case-sensitive"
        );
    }

    #[test]
    fn malformed_filters_are_validation_errors() {
        let code = |f: Filter| FilterSet::compile(&[f], "us-east-1").err().unwrap().code;
        assert_eq!(code(filter("colour", &["x"])), crate::ErrorCode::Validation);
        assert_eq!(
            code(filter("name", &["bad\u{7}"])),
            crate::ErrorCode::Validation
        );
    }

    /// moto 5.2.5's test_list_secrets.py (test_with_no_filter_key, test_with_no_filter_values,
    /// test_with_invalid_filter_key): a filter without a key or without values is an
    /// InvalidParameterException in these words; an unknown key is a ValidationException that
    /// names the filter's position from 1 (botocore's model leaves Key and Values optional,
    /// so the service checks them itself).
    #[test]
    fn a_filter_without_key_or_values_is_an_invalid_parameter_and_positions_count_from_one() {
        let err = |fs: &[Filter]| FilterSet::compile(fs, "us-east-1").err().unwrap();
        let e = err(&[filter("", &["foo"])]);
        assert_eq!(
            (e.code, e.message.as_str()),
            (crate::ErrorCode::InvalidParameter, "Invalid filter key")
        );
        let e = err(&[filter("description", &[])]);
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                crate::ErrorCode::InvalidParameter,
                "Invalid filter values for key: description"
            )
        );
        let e = err(&[filter("name", &["a"]), filter("invalid", &["foo"])]);
        assert_eq!(e.code, crate::ErrorCode::Validation);
        assert!(
            e.message
                .starts_with("1 validation error detected: Value 'invalid' at 'filters.2.member.key' failed to satisfy constraint: Member must satisfy enum value set: [all, name, tag-key, description, tag-value"),
            "{}",
            e.message
        );
    }

    #[test]
    fn resolve_accepts_name_full_arn_and_partial_arn() {
        let mut ix = Index::default();
        ix.upsert(doc("u1", "prod/db", 1));
        let full = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-abcdef";
        let partial = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db";
        assert!(ix.resolve("prod/db", "111122223333", "us-east-1").is_some());
        assert!(ix.resolve(full, "111122223333", "us-east-1").is_some());
        assert!(ix.resolve(partial, "111122223333", "us-east-1").is_some());
        assert!(ix.resolve(full, "999999999999", "us-east-1").is_none());
        assert!(
            ix.resolve(
                &full.replace("abcdef", "zzzzzz"),
                "111122223333",
                "us-east-1"
            )
            .is_none()
        );
    }
}
