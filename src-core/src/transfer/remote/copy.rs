//! The copy itself, the same in both directions: from one [`Secrets`] side to another,
//! every labelled version (its value, under its own VersionId), every staging label, the
//! tags, the description and the resource policy of each selected secret.
//!
//! **Idempotent and resumable.** Nothing is written that is already equal: a version whose
//! VersionId the destination has is not sent again (and when it is sent, its VersionId is the
//! ClientRequestToken, so a request repeated after a lost answer is a no-op); labels, tags,
//! description and policy are compared first and only the differences written. A run cut
//! short leaves each step it finished done, and the next run does only what is left.
//!
//! Values are read from the source only for the versions the destination lacks, held in
//! zeroizing types, and never reported: the report lists names and counts.
//!
//! **Why this file is long:** about half of it is its tests; the copy is one algorithm in both
//! directions.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::Result;
use crate::api::{
    Filter, SecretIdRequest, TagResourceRequest, UntagResourceRequest, UpdateSecretRequest,
    UpdateSecretVersionStageRequest,
};
use crate::model::{AWSCURRENT, SecretValue, Tag};
use crate::vault::policies::PutResourcePolicyRequest;

/// What a side says about one secret.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecretMeta {
    pub name: String,
    pub description: Option<String>,
    pub tags: Vec<Tag>,
    pub deleted: bool,
}

/// One version and its staging labels.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionLabels {
    pub version_id: String,
    pub stages: Vec<String>,
}

/// One page of a listing and the token of the next one.
pub type Page<T> = (Vec<T>, Option<String>);

/// A Secrets Manager to copy from or to: a local vault (through its service methods, as
/// its operator) or another endpoint (through its API).
pub trait Secrets {
    /// A page of the names of the secrets that `filters` select (not those scheduled for deletion).
    fn list_names(&self, filters: &[Filter], next_token: Option<String>) -> Result<Page<String>>;
    /// The secret, or `None` when there is none of that name.
    fn describe(&self, secret_id: &str) -> Result<Option<SecretMeta>>;
    /// A page of versions (with the unlabelled ones when `include_deprecated`).
    fn versions(
        &self,
        name: &str,
        include_deprecated: bool,
        next_token: Option<String>,
    ) -> Result<Page<VersionLabels>>;
    fn value(&self, name: &str, version_id: &str) -> Result<SecretValue>;
    fn policy(&self, name: &str) -> Result<Option<String>>;

    fn create(
        &self,
        meta: &SecretMeta,
        version_id: Option<&str>,
        value: Option<SecretValue>,
    ) -> Result<()>;
    fn put_value(
        &self,
        name: &str,
        version_id: &str,
        value: SecretValue,
        stages: &[String],
    ) -> Result<()>;
    fn move_label(&self, request: UpdateSecretVersionStageRequest) -> Result<()>;
    fn set_description(&self, request: UpdateSecretRequest) -> Result<()>;
    fn tag(&self, request: TagResourceRequest) -> Result<()>;
    fn untag(&self, request: UntagResourceRequest) -> Result<()>;
    fn put_policy(&self, request: PutResourcePolicyRequest) -> Result<()>;
    fn delete_policy(&self, request: SecretIdRequest) -> Result<()>;
}

/// Which secrets to copy: these ids, or those the filters select (all when empty).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub secret_ids: Vec<String>,
    pub filters: Vec<Filter>,
}

/// What a copy did (or, in a dry run, would do): names and counts only, never values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransferReport {
    pub source: String,
    pub destination: String,
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    /// For each updated secret, what was written: `versions`, `labels`, `description`,
    /// `tags`, `policy`.
    pub changes: BTreeMap<String, Vec<String>>,
    pub versions_copied: usize,
    /// UpdateSecretVersionStage calls: labels moved to, or taken off, a version.
    pub labels_moved: usize,
    pub dry_run: bool,
}

/// Every page of a listing.
fn all_pages<T>(mut page: impl FnMut(Option<String>) -> Result<Page<T>>) -> Result<Vec<T>> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let (items, next) = page(token.take())?;
        out.extend(items);
        match next.filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

/// Tags that AWS keeps for itself (`aws:...`) are neither copied nor removed.
fn is_user_tag(t: &Tag) -> bool {
    !t.key.starts_with("aws:")
}

fn user_tags(tags: &[Tag]) -> BTreeMap<&str, &str> {
    tags.iter()
        .filter(|t| is_user_tag(t))
        .map(|t| (t.key.as_str(), t.value.as_str()))
        .collect()
}

/// The secret `id` at `src`; not there is an error.
fn described(src: &dyn Secrets, id: &str) -> Result<SecretMeta> {
    src.describe(id)?.ok_or_else(|| {
        crate::Error::not_found(format!(
            "Secrets Manager can't find the specified secret: {id}"
        ))
    })
}

fn same_policy(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

/// UpdateSecretVersionStage: `stage` off `from`, onto `to`.
fn move_label(
    name: &str,
    stage: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> UpdateSecretVersionStageRequest {
    UpdateSecretVersionStageRequest {
        secret_id: name.to_string(),
        version_stage: stage.to_string(),
        remove_from_version_id: from.map(str::to_string),
        move_to_version_id: to.map(str::to_string),
    }
}

/// label → version holding it.
fn holders(versions: &[VersionLabels]) -> BTreeMap<String, String> {
    versions
        .iter()
        .flat_map(|v| v.stages.iter().map(|s| (s.clone(), v.version_id.clone())))
        .collect()
}

/// Copies the selected secrets from `src` to `dst`.
pub fn copy(
    src: &dyn Secrets,
    dst: &dyn Secrets,
    selection: &Selection,
    dry_run: bool,
    (source, destination): (&str, &str),
) -> Result<TransferReport> {
    let mut report = TransferReport {
        source: source.to_string(),
        destination: destination.to_string(),
        dry_run,
        ..TransferReport::default()
    };
    let mut seen = BTreeSet::new();
    if selection.secret_ids.is_empty() {
        for name in all_pages(|t| src.list_names(&selection.filters, t))? {
            if seen.insert(name.clone()) {
                copy_one(src, dst, described(src, &name)?, dry_run, &mut report)?;
            }
        }
    } else {
        // Every id is looked up before anything is written.
        let metas = selection
            .secret_ids
            .iter()
            .map(|id| described(src, id))
            .collect::<Result<Vec<_>>>()?;
        for meta in metas {
            if seen.insert(meta.name.clone()) {
                copy_one(src, dst, meta, dry_run, &mut report)?;
            }
        }
    }
    Ok(report)
}

fn copy_one(
    src: &dyn Secrets,
    dst: &dyn Secrets,
    meta: SecretMeta,
    dry_run: bool,
    report: &mut TransferReport,
) -> Result<()> {
    let name = meta.name.as_str();
    if meta.deleted {
        return Err(crate::Error::invalid_request(format!(
            "The secret {name} is scheduled for deletion at the source; restore it to copy it."
        )));
    }
    let wanted: Vec<VersionLabels> = all_pages(|t| src.versions(name, false, t))?
        .into_iter()
        .filter(|v| !v.stages.is_empty())
        .collect();
    let want_labels = holders(&wanted);
    let policy = src.policy(name)?;
    let mut changes: Vec<&'static str> = Vec::new();
    let mut versions_copied = 0;
    let mut labels_moved = 0;

    let existing = dst.describe(name)?;
    let created = existing.is_none();
    let dst_meta = match existing {
        Some(m) if m.deleted => {
            return Err(crate::Error::invalid_request(format!(
                "The secret {name} is scheduled for deletion at the destination; restore it (or let it be deleted) first."
            )));
        }
        Some(m) => m,
        None if dry_run => {
            report.created.push(name.to_string());
            report.versions_copied += wanted.len();
            return Ok(());
        }
        None => {
            // The secret starts with its AWSCURRENT version (under its own id), its
            // description and its tags; the loop below adds the other versions.
            let first = want_labels.get(AWSCURRENT).cloned();
            let value = match &first {
                Some(vid) => Some(src.value(name, vid)?),
                None => None,
            };
            let create_meta = SecretMeta {
                name: name.to_string(),
                description: meta.description.clone().filter(|d| !d.is_empty()),
                tags: meta
                    .tags
                    .iter()
                    .filter(|t| is_user_tag(t))
                    .cloned()
                    .collect(),
                deleted: false,
            };
            dst.create(&create_meta, first.as_deref(), value)?;
            if first.is_some() {
                versions_copied += 1;
            }
            create_meta
        }
    };

    // Versions the destination lacks, each under its own id.
    let dst_versions = all_pages(|t| dst.versions(name, true, t))?;
    let have: BTreeSet<&str> = dst_versions.iter().map(|v| v.version_id.as_str()).collect();
    let mut put = 0;
    for v in wanted
        .iter()
        .filter(|v| !have.contains(v.version_id.as_str()))
    {
        if !dry_run {
            let value = src.value(name, &v.version_id)?;
            dst.put_value(name, &v.version_id, value, &v.stages)?;
            put += 1;
        }
        versions_copied += 1;
    }
    if versions_copied > 0 {
        changes.push("versions");
    }

    // Labels: AWSCURRENT first (moving it moves AWSPREVIOUS as a side effect), then the
    // others, then those the source does not have. The puts above moved labels; without
    // them (none, or a dry run) the listing above still holds.
    let dst_labels = || -> Result<BTreeMap<String, String>> {
        Ok(holders(&all_pages(|t| dst.versions(name, false, t))?))
    };
    let mut current = if put == 0 {
        holders(&dst_versions)
    } else {
        dst_labels()?
    };
    let mut order: Vec<&String> = want_labels.keys().filter(|l| *l == AWSCURRENT).collect();
    order.extend(want_labels.keys().filter(|l| *l != AWSCURRENT));
    for label in order {
        let to = &want_labels[label];
        let from = current.get(label).cloned();
        if from.as_deref() == Some(to.as_str()) {
            continue;
        }
        if !dry_run {
            dst.move_label(move_label(name, label, from.as_deref(), Some(to)))?;
            if label == AWSCURRENT {
                current = dst_labels()?;
            } else {
                current.insert(label.clone(), to.clone());
            }
        } else {
            current.insert(label.clone(), to.clone());
        }
        labels_moved += 1;
    }
    for (label, from) in current
        .iter()
        .filter(|(l, _)| !want_labels.contains_key(*l))
    {
        if label == AWSCURRENT {
            continue;
        }
        if !dry_run {
            dst.move_label(move_label(name, label, Some(from), None))?;
        }
        labels_moved += 1;
    }
    if labels_moved > 0 {
        changes.push("labels");
    }

    let want_desc = meta.description.as_deref().unwrap_or("");
    if dst_meta.description.as_deref().unwrap_or("") != want_desc {
        if !dry_run {
            dst.set_description(UpdateSecretRequest {
                secret_id: name.to_string(),
                description: Some(want_desc.to_string()),
                ..Default::default()
            })?;
        }
        changes.push("description");
    }

    let want_tags = user_tags(&meta.tags);
    let have_tags = user_tags(&dst_meta.tags);
    let to_tag: Vec<Tag> = want_tags
        .iter()
        .filter(|(k, v)| have_tags.get(*k) != Some(*v))
        .map(|(k, v)| Tag {
            key: k.to_string(),
            value: v.to_string(),
        })
        .collect();
    let to_untag: Vec<String> = have_tags
        .keys()
        .filter(|k| !want_tags.contains_key(*k))
        .map(|k| k.to_string())
        .collect();
    if !to_tag.is_empty() || !to_untag.is_empty() {
        if !dry_run {
            if !to_untag.is_empty() {
                dst.untag(UntagResourceRequest {
                    secret_id: name.to_string(),
                    tag_keys: to_untag,
                })?;
            }
            if !to_tag.is_empty() {
                dst.tag(TagResourceRequest {
                    secret_id: name.to_string(),
                    tags: to_tag,
                })?;
            }
        }
        changes.push("tags");
    }

    let have_policy = if created && !dry_run {
        None
    } else {
        dst.policy(name)?
    };
    match (&policy, &have_policy) {
        (Some(p), Some(h)) if same_policy(p, h) => {}
        (None, None) => {}
        (Some(p), _) => {
            if !dry_run {
                dst.put_policy(PutResourcePolicyRequest {
                    secret_id: name.to_string(),
                    resource_policy: p.clone(),
                    block_public_policy: Some(false),
                    policy_name: None,
                })?;
            }
            changes.push("policy");
        }
        (None, Some(_)) => {
            if !dry_run {
                dst.delete_policy(SecretIdRequest {
                    secret_id: name.to_string(),
                })?;
            }
            changes.push("policy");
        }
    }

    report.versions_copied += versions_copied;
    report.labels_moved += labels_moved;
    if created {
        report.created.push(name.to_string());
    } else if changes.is_empty() {
        report.unchanged.push(name.to_string());
    } else {
        report.updated.push(name.to_string());
        report.changes.insert(
            name.to_string(),
            changes.iter().map(|c| c.to_string()).collect(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::api::{CreateSecretRequest, PutSecretValueRequest, TagResourceRequest};
    use crate::transfer::remote::VaultSide;
    use crate::vault::policies::PutResourcePolicyRequest;
    use crate::{Caller, FrontEnd, SecretBytes, SecretText, Vault};

    const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;

    fn vault() -> (Vault, Caller) {
        let v = Vault::ephemeral("111122223333", "us-east-1").unwrap();
        let c = v.caller(FrontEnd::Cli);
        (v, c)
    }

    fn text(s: &str) -> Option<SecretText> {
        Some(SecretText::new(s.into()))
    }

    /// A source with three secrets: versions under AWSCURRENT, AWSPREVIOUS and a custom
    /// label, an unlabelled version (not copied), tags, a description, a policy, a binary.
    fn source() -> (Vault, Caller) {
        let (v, c) = vault();
        v.create_secret(
            &c,
            CreateSecretRequest {
                name: "app/db".into(),
                description: Some("the database".into()),
                secret_string: text("one"),
                tags: vec![
                    Tag {
                        key: "env".into(),
                        value: "prod".into(),
                    },
                    Tag {
                        key: "team".into(),
                        value: "core".into(),
                    },
                ],
                ..Default::default()
            },
        )
        .unwrap();
        for (value, stages) in [
            ("two", None),
            ("three", None),
            ("staged", Some(vec!["STAGING".to_string()])),
        ] {
            v.put_secret_value(
                &c,
                PutSecretValueRequest {
                    secret_id: "app/db".into(),
                    secret_string: text(value),
                    version_stages: stages,
                    ..Default::default()
                },
            )
            .unwrap();
        }
        v.put_resource_policy(
            &c,
            PutResourcePolicyRequest {
                secret_id: "app/db".into(),
                resource_policy: POLICY.into(),
                block_public_policy: Some(false),
                policy_name: None,
            },
        )
        .unwrap();
        v.create_secret(
            &c,
            CreateSecretRequest {
                name: "app/cert".into(),
                secret_binary: Some(SecretBytes::new(vec![0, 159, 146, 150, 255])),
                ..Default::default()
            },
        )
        .unwrap();
        v.create_secret(
            &c,
            CreateSecretRequest {
                name: "other/token".into(),
                secret_string: text("tok"),
                ..Default::default()
            },
        )
        .unwrap();
        (v, c)
    }

    fn side<'a>(v: &'a Vault, c: &'a Caller) -> VaultSide<'a> {
        // One item a page: every listing walks its NextTokens.
        VaultSide {
            vault: v,
            caller: c,
            page_size: Some(1),
        }
    }

    /// A secret's metadata; its labelled versions (id, labels, value bytes); its policy.
    type Snapshot = (
        SecretMeta,
        Vec<(String, Vec<String>, Vec<u8>)>,
        Option<serde_json::Value>,
    );

    /// Everything a copy must make equal, as one comparable value (values as their bytes).
    fn snapshot(s: &dyn Secrets) -> Vec<Snapshot> {
        let mut names = all_pages(|t| s.list_names(&[], t)).unwrap();
        names.sort();
        names
            .into_iter()
            .map(|n| {
                let mut meta = s.describe(&n).unwrap().unwrap();
                meta.tags.sort_by(|a, b| a.key.cmp(&b.key));
                let mut versions: Vec<_> = all_pages(|t| s.versions(&n, false, t))
                    .unwrap()
                    .into_iter()
                    .map(|mut v| {
                        v.stages.sort();
                        let bytes = match s.value(&n, &v.version_id).unwrap() {
                            SecretValue::String(t) => t.expose().as_bytes().to_vec(),
                            SecretValue::Binary(b) => b.expose().to_vec(),
                        };
                        (v.version_id, v.stages, bytes)
                    })
                    .collect();
                versions.sort();
                let policy = s
                    .policy(&n)
                    .unwrap()
                    .map(|p| serde_json::from_str(&p).unwrap());
                (meta, versions, policy)
            })
            .collect()
    }

    fn all_versions(s: &dyn Secrets, name: &str) -> usize {
        all_pages(|t| s.versions(name, true, t)).unwrap().len()
    }

    #[test]
    fn a_copy_makes_versions_labels_tags_description_and_policy_equal_and_a_second_run_changes_nothing()
     {
        let (sv, sc) = source();
        let (dv, dc) = vault();
        let (src, dst) = (side(&sv, &sc), side(&dv, &dc));
        let first = copy(&src, &dst, &Selection::default(), false, ("a", "b")).unwrap();
        assert_eq!(first.created.len(), 3);
        assert_eq!(first.versions_copied, 3 + 1 + 1);
        let before = snapshot(&src);
        assert_eq!(snapshot(&dst), before);
        let db = &before.iter().find(|s| s.0.name == "app/db").unwrap().1;
        let labels: Vec<&Vec<String>> = db.iter().map(|v| &v.1).collect();
        assert_eq!(
            labels.len(),
            3,
            "the unlabelled first version is not copied"
        );
        assert!(labels.contains(&&vec!["AWSCURRENT".to_string()]));
        assert!(labels.contains(&&vec!["AWSPREVIOUS".to_string()]));
        assert!(labels.contains(&&vec!["STAGING".to_string()]));

        let count = all_versions(&dst, "app/db");
        let second = copy(&src, &dst, &Selection::default(), false, ("a", "b")).unwrap();
        assert_eq!(second.unchanged.len(), 3);
        assert!(second.created.is_empty() && second.updated.is_empty());
        assert_eq!((second.versions_copied, second.labels_moved), (0, 0));
        assert_eq!(all_versions(&dst, "app/db"), count);
        assert_eq!(snapshot(&dst), before);
    }

    #[test]
    fn differences_at_the_destination_are_put_right() {
        let (sv, sc) = source();
        let (dv, dc) = vault();
        let (src, dst) = (side(&sv, &sc), side(&dv, &dc));
        copy(&src, &dst, &Selection::default(), false, ("a", "b")).unwrap();
        // Someone changes the destination: a new current value, a stray label, a changed
        // and an extra tag, another description, no policy.
        dv.put_secret_value(
            &dc,
            PutSecretValueRequest {
                secret_id: "app/db".into(),
                secret_string: text("drifted"),
                version_stages: Some(vec!["AWSCURRENT".into(), "STRAY".into()]),
                ..Default::default()
            },
        )
        .unwrap();
        dv.tag_resource(
            &dc,
            TagResourceRequest {
                secret_id: "app/db".into(),
                tags: vec![
                    Tag {
                        key: "env".into(),
                        value: "dev".into(),
                    },
                    Tag {
                        key: "extra".into(),
                        value: "x".into(),
                    },
                ],
            },
        )
        .unwrap();
        dst.set_description(UpdateSecretRequest {
            secret_id: "app/db".into(),
            description: Some("changed".into()),
            ..Default::default()
        })
        .unwrap();
        dst.delete_policy(SecretIdRequest {
            secret_id: "app/db".into(),
        })
        .unwrap();
        let dry = copy(&src, &dst, &Selection::default(), true, ("a", "b")).unwrap();
        assert_eq!(dry.updated, vec!["app/db"]);
        assert_ne!(snapshot(&dst), snapshot(&src), "a dry run writes nothing");
        let fix = copy(&src, &dst, &Selection::default(), false, ("a", "b")).unwrap();
        assert_eq!(fix.updated, vec!["app/db"]);
        assert_eq!(fix.changes["app/db"], dry.changes["app/db"]);
        assert_eq!(
            fix.changes["app/db"],
            vec!["labels", "description", "tags", "policy"]
        );
        assert_eq!(snapshot(&dst), snapshot(&src));
    }

    #[test]
    fn a_dry_run_reports_what_it_would_create_and_writes_nothing() {
        let (sv, sc) = source();
        let (dv, dc) = vault();
        let (src, dst) = (side(&sv, &sc), side(&dv, &dc));
        let sel = Selection {
            filters: vec![Filter {
                key: "name".into(),
                values: vec!["app/".into()],
            }],
            ..Default::default()
        };
        let dry = copy(&src, &dst, &sel, true, ("a", "b")).unwrap();
        let mut created = dry.created.clone();
        created.sort();
        assert_eq!(created, vec!["app/cert", "app/db"]);
        assert!(dry.dry_run);
        assert!(all_pages(|t| dst.list_names(&[], t)).unwrap().is_empty());
        let by_id = Selection {
            secret_ids: vec!["other/token".into()],
            ..Default::default()
        };
        let one = copy(&src, &dst, &by_id, false, ("a", "b")).unwrap();
        assert_eq!(one.created, vec!["other/token"]);
    }

    /// A destination that fails after a number of writes, like a run cut short.
    struct Interrupted<'a> {
        inner: &'a dyn Secrets,
        writes_left: Cell<usize>,
    }

    impl Interrupted<'_> {
        fn write(&self) -> Result<()> {
            match self.writes_left.get() {
                0 => Err(crate::Error::internal("interrupted")),
                n => {
                    self.writes_left.set(n - 1);
                    Ok(())
                }
            }
        }
    }

    impl Secrets for Interrupted<'_> {
        fn list_names(&self, f: &[Filter], t: Option<String>) -> Result<Page<String>> {
            self.inner.list_names(f, t)
        }
        fn describe(&self, id: &str) -> Result<Option<SecretMeta>> {
            self.inner.describe(id)
        }
        fn versions(&self, n: &str, d: bool, t: Option<String>) -> Result<Page<VersionLabels>> {
            self.inner.versions(n, d, t)
        }
        fn value(&self, n: &str, v: &str) -> Result<SecretValue> {
            self.inner.value(n, v)
        }
        fn policy(&self, n: &str) -> Result<Option<String>> {
            self.inner.policy(n)
        }
        fn create(&self, m: &SecretMeta, v: Option<&str>, x: Option<SecretValue>) -> Result<()> {
            self.write()?;
            self.inner.create(m, v, x)
        }
        fn put_value(&self, n: &str, v: &str, x: SecretValue, s: &[String]) -> Result<()> {
            self.write()?;
            self.inner.put_value(n, v, x, s)
        }
        fn move_label(&self, r: UpdateSecretVersionStageRequest) -> Result<()> {
            self.write()?;
            self.inner.move_label(r)
        }
        fn set_description(&self, r: UpdateSecretRequest) -> Result<()> {
            self.write()?;
            self.inner.set_description(r)
        }
        fn tag(&self, r: TagResourceRequest) -> Result<()> {
            self.write()?;
            self.inner.tag(r)
        }
        fn untag(&self, r: UntagResourceRequest) -> Result<()> {
            self.write()?;
            self.inner.untag(r)
        }
        fn put_policy(&self, r: PutResourcePolicyRequest) -> Result<()> {
            self.write()?;
            self.inner.put_policy(r)
        }
        fn delete_policy(&self, r: SecretIdRequest) -> Result<()> {
            self.write()?;
            self.inner.delete_policy(r)
        }
    }

    #[test]
    fn a_run_cut_short_after_any_write_is_finished_by_the_next() {
        let (sv, sc) = source();
        let src = side(&sv, &sc);
        let want = snapshot(&src);
        for budget in 0..12 {
            let (dv, dc) = vault();
            let dst = side(&dv, &dc);
            let cut = Interrupted {
                inner: &dst,
                writes_left: Cell::new(budget),
            };
            let first = copy(&src, &cut, &Selection::default(), false, ("a", "b"));
            let resumed = copy(&src, &dst, &Selection::default(), false, ("a", "b")).unwrap();
            assert_eq!(snapshot(&dst), want, "cut after {budget} writes");
            if first.is_ok() {
                assert_eq!(resumed.unchanged.len(), 3, "cut after {budget} writes");
            }
        }
    }

    #[test]
    fn a_secret_scheduled_for_deletion_at_the_destination_is_refused_by_name() {
        let (sv, sc) = source();
        let (dv, dc) = vault();
        let (src, dst) = (side(&sv, &sc), side(&dv, &dc));
        dv.create_secret(
            &dc,
            CreateSecretRequest {
                name: "other/token".into(),
                secret_string: text("x"),
                ..Default::default()
            },
        )
        .unwrap();
        dv.delete_secret(
            &dc,
            crate::api::DeleteSecretRequest {
                secret_id: "other/token".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let e = copy(&src, &dst, &Selection::default(), false, ("a", "b")).unwrap_err();
        assert!(
            e.message.contains("other/token") && e.message.contains("deletion"),
            "{}",
            e.message
        );
    }
}
