//! Import: secrets from a file's entries, idempotently. Each entry is the ordinary
//! operations through the one door, each audited on its own: a view to find the secret,
//! GetSecretValue to compare (only when it exists), then CreateSecret or PutSecretValue
//! (a new AWSCURRENT version) — or nothing, when the value is already the current one. A
//! dry run reads and compares the same way and writes nothing.
//!
//! Export needs no method of its own: it is GetSecretValue, audited as the read it is, and
//! `crate::transfer` formats what it returned.

use serde::{Deserialize, Serialize};

use super::{Caller, Vault};
use crate::api::{CreateSecretRequest, GetSecretValueRequest, PutSecretValueRequest};
use crate::model::{AWSCURRENT, validate_name, validate_value_len};
use crate::transfer::{ImportEntry, same_value};
use crate::{Error, ErrorCode, Result};

/// What an import did (or, in a dry run, would do): secret names only, never values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportReport {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    pub dry_run: bool,
}

impl Vault {
    /// Checks every entry, then creates the entries' secrets that do not exist and gives a new AWSCURRENT version to
    /// those whose current value differs; stops at the first failure (what was done stays
    /// done, and running the import again finishes it).
    pub fn import_secrets(
        &self,
        caller: &Caller,
        entries: Vec<ImportEntry>,
        dry_run: bool,
    ) -> Result<ImportReport> {
        // Every entry is checked before the first write, so a bad one imports nothing.
        for e in &entries {
            validate_name(&e.name)?;
            if e.value.expose().is_empty() {
                return Err(Error::invalid_parameter(format!(
                    "Nothing was imported: the value of {} is empty, and a secret's value is 1 to 65,536 bytes.",
                    e.name
                )));
            }
            validate_value_len("secretString", e.value.expose().len())?;
        }
        let mut report = ImportReport {
            dry_run,
            ..ImportReport::default()
        };
        for ImportEntry { name, value } in entries {
            let has_current = match self.secret_view(caller, &name) {
                Ok(view) => view
                    .versions
                    .iter()
                    .any(|v| v.has_value && v.version_stages.iter().any(|s| s == AWSCURRENT)),
                Err(e) if e.code == ErrorCode::ResourceNotFound => {
                    if !dry_run {
                        self.create_secret(
                            caller,
                            CreateSecretRequest {
                                name: name.clone(),
                                secret_string: Some(value),
                                ..Default::default()
                            },
                        )?;
                    }
                    report.created.push(name);
                    continue;
                }
                Err(e) => return Err(e),
            };
            if has_current {
                let current = self.get_secret_value(
                    caller,
                    GetSecretValueRequest {
                        secret_id: name.clone(),
                        ..Default::default()
                    },
                )?;
                if same_value(&current.value, &value) {
                    report.unchanged.push(name);
                    continue;
                }
            }
            if !dry_run {
                self.put_secret_value(
                    caller,
                    PutSecretValueRequest {
                        secret_id: name.clone(),
                        secret_string: Some(value),
                        ..Default::default()
                    },
                )?;
            }
            report.updated.push(name);
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Passphrase;
    use crate::{FrontEnd, InitOptions, SecretText};

    fn entries(pairs: &[(&str, &str)]) -> Vec<ImportEntry> {
        pairs
            .iter()
            .map(|(n, v)| ImportEntry {
                name: n.to_string(),
                value: SecretText::new(v.to_string()),
            })
            .collect()
    }

    #[test]
    fn an_import_creates_updates_and_leaves_alone_and_a_dry_run_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = InitOptions::new("admin", Passphrase::new("p".into()));
        opts.kdf = Some((19456, 2));
        let v = Vault::init(&dir.path().join("v.db"), opts).unwrap();
        let c = v.caller(FrontEnd::Cli);
        let first = v
            .import_secrets(&c, entries(&[("a", "1"), ("b", "2")]), false)
            .unwrap();
        assert_eq!(first.created, vec!["a", "b"]);
        let dry = v
            .import_secrets(
                &c,
                entries(&[("a", "1"), ("b", "changed"), ("c", "3")]),
                true,
            )
            .unwrap();
        assert_eq!(
            (dry.created, dry.updated, dry.unchanged, dry.dry_run),
            (vec!["c".into()], vec!["b".into()], vec!["a".into()], true)
        );
        // A dry run writes nothing (its reads only mark the secrets accessed).
        assert_eq!(v.secret_view(&c, "b").unwrap().versions.len(), 1);
        assert_eq!(
            v.secret_view(&c, "c").unwrap_err().code,
            ErrorCode::ResourceNotFound
        );
        let again = v
            .import_secrets(&c, entries(&[("a", "1"), ("b", "changed")]), false)
            .unwrap();
        assert_eq!(
            (again.updated, again.unchanged),
            (vec!["b".into()], vec!["a".into()])
        );
        let b = v
            .get_secret_value(
                &c,
                GetSecretValueRequest {
                    secret_id: "b".into(),
                    version_stage: Some("AWSPREVIOUS".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(b.value.text().as_str(), "2");
        // Nothing about the values reaches the audit trail.
        let trail = v
            .export_audit_trail(&c, &super::super::AuditQuery::default())
            .unwrap()
            .to_string();
        assert!(!trail.contains("changed") && !trail.contains("\"2\""));
    }
}
