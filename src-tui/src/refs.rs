//! CloudFormation's dynamic references to Secrets Manager, resolved against the vault, so
//! that the templates and environments written for AWS work unchanged:
//! `{{resolve:secretsmanager:secret-id:SecretString:json-key:version-stage:version-id}}`.
//!
//! As CloudFormation parses them (AWS CloudFormation User Guide, "Get a secret or secret
//! value from Secrets Manager"; Secrets Manager User Guide, "Get an AWS Secrets Manager
//! secret in an AWS CloudFormation resource"): the segments are separated by `:`; the
//! secret id is a name, or a full ARN (`arn:partition:secretsmanager:region:account:
//! secret:name`, its own six colons included); every segment after it is optional and may
//! be left empty; the second is `SecretString`, the only value there is; json-key,
//! version-stage and version-id hold no colon; version-stage and version-id exclude each
//! other; with neither, the `AWSCURRENT` version. A reference to another service
//! (`{{resolve:ssm:...}}`) is not one coffer can answer, so it is an error too: nothing is
//! ever left unresolved or replaced by an empty value.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, anyhow, bail};
use coffer_core::api::GetSecretValueRequest;
use coffer_core::model::json_text;
use coffer_core::{Caller, SecretValue, Vault};
use zeroize::Zeroizing;

const OPEN: &str = "{{resolve:";
const SERVICE: &str = "secretsmanager:";
const CLOSE: &str = "}}";

/// One parsed reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub secret_id: String,
    pub json_key: Option<String>,
    pub version_stage: Option<String>,
    pub version_id: Option<String>,
}

/// Parses what stands between `{{resolve:secretsmanager:` and `}}`; the error says why.
pub fn parse(body: &str) -> Result<Reference, String> {
    let parts: Vec<&str> = body.split(':').collect();
    let id_len = if parts[0] == "arn" { 7 } else { 1 };
    if parts.len() < id_len {
        return Err("an ARN secret id needs all seven of its parts".into());
    }
    let secret_id = parts[..id_len].join(":");
    if secret_id.is_empty() || parts[..id_len].iter().any(|p| p.is_empty()) {
        return Err("the secret id is empty".into());
    }
    let rest = &parts[id_len..];
    if rest.len() > 4 {
        return Err(
            "too many segments: after the secret id come only SecretString, json-key, version-stage and version-id".into(),
        );
    }
    let part = |i: usize| {
        rest.get(i)
            .filter(|s| !s.is_empty())
            .map(|s| (*s).to_string())
    };
    if let Some(kind) = part(0)
        && kind != "SecretString"
    {
        return Err(format!(
            "the segment after the secret id is '{kind}'; SecretString is the only one there is"
        ));
    }
    let r = Reference {
        secret_id,
        json_key: part(1),
        version_stage: part(2),
        version_id: part(3),
    };
    if r.version_stage.is_some() && r.version_id.is_some() {
        return Err("give version-stage or version-id, not both".into());
    }
    Ok(r)
}

/// Whether `text` holds anything that looks like a dynamic reference.
pub fn mentions_reference(text: &str) -> bool {
    text.contains(OPEN)
}

/// Every reference in `text`: its byte range and what it asks for. A reference that does
/// not parse, or names another service, is an error naming it.
pub fn find(text: &str) -> Result<Vec<(std::ops::Range<usize>, Reference)>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(OPEN) {
        let start = from + at;
        let end = text[start..]
            .find(CLOSE)
            .map(|e| start + e + CLOSE.len())
            .ok_or_else(|| {
                anyhow!(
                    "unterminated reference (no closing }}}}): {}",
                    shown(&text[start..])
                )
            })?;
        let whole = &text[start..end];
        let inner = &whole[OPEN.len()..whole.len() - CLOSE.len()];
        let Some(body) = inner.strip_prefix(SERVICE) else {
            bail!("coffer resolves secretsmanager references only: {whole}");
        };
        let r = parse(body).map_err(|why| anyhow!("{whole}: {why}"))?;
        out.push((start..end, r));
        from = end;
    }
    Ok(out)
}

/// The start of an unterminated reference, short enough for a message.
fn shown(s: &str) -> String {
    let line = s.lines().next().unwrap_or_default();
    match line.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &line[..i]),
        None => line.to_string(),
    }
}

/// Where `coffer run` and `coffer inject` read values: the vault unlocked in this process, or
/// the user's session agent (`coffer unlock`), asked with the same `get-secret-value` command
/// line the CLI takes.
pub enum Reader<'a> {
    Vault {
        vault: &'a Vault,
        caller: Caller,
    },
    Session {
        vault: &'a Path,
        operator: Option<&'a str>,
    },
}

impl Reader<'_> {
    /// A version's SecretString (an audited GetSecretValue); `None` for a binary value.
    /// Vault errors come back as `coffer_core::Error` inside anyhow.
    pub fn secret_string(
        &self,
        request: GetSecretValueRequest,
    ) -> Result<Option<Zeroizing<String>>> {
        match self {
            Reader::Vault { vault, caller } => {
                let got = vault.get_secret_value(caller, request)?;
                Ok(match &got.value {
                    SecretValue::String(t) => Some(Zeroizing::new(t.expose().to_string())),
                    SecretValue::Binary(_) => None,
                })
            }
            Reader::Session { vault, operator } => {
                crate::session::secret_string(vault, *operator, request)
            }
        }
    }
}

/// Resolves references, reading each secret version once (an audited GetSecretValue).
pub struct Resolver<'a> {
    reader: &'a Reader<'a>,
    read: BTreeMap<(String, Option<String>, Option<String>), Zeroizing<String>>,
    /// Every value handed out, for masking.
    pub values: Vec<Zeroizing<String>>,
}

impl<'a> Resolver<'a> {
    pub fn new(reader: &'a Reader<'a>) -> Self {
        Self {
            reader,
            read: BTreeMap::new(),
            values: Vec::new(),
        }
    }

    /// The value `r` stands for; `what` is the reference as written, for messages.
    pub fn value(&mut self, r: &Reference, what: &str) -> Result<Zeroizing<String>> {
        let key = (
            r.secret_id.clone(),
            r.version_stage.clone(),
            r.version_id.clone(),
        );
        if !self.read.contains_key(&key) {
            let got = self
                .reader
                .secret_string(GetSecretValueRequest {
                    secret_id: r.secret_id.clone(),
                    version_id: r.version_id.clone(),
                    version_stage: r.version_stage.clone(),
                })
                .map_err(|e| match e.downcast_ref::<coffer_core::Error>() {
                    Some(e) => {
                        anyhow!("cannot resolve {what}: {}: {}", e.code.as_str(), e.message)
                    }
                    None => anyhow!("cannot resolve {what}: {e:#}"),
                })?;
            let Some(text) = got else {
                bail!("cannot resolve {what}: the secret holds a binary value, not a SecretString")
            };
            self.read.insert(key.clone(), text);
        }
        let text = &self.read[&key];
        let value = match &r.json_key {
            None => text.clone(),
            Some(k) => {
                let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
                    .map_err(|_| {
                        anyhow!("cannot resolve {what}: the secret is not a JSON object, so it has no key '{k}'")
                    })?;
                let v = obj.get(k).ok_or_else(|| {
                    anyhow!("cannot resolve {what}: the secret has no JSON key '{k}'")
                })?;
                Zeroizing::new(json_text(v.clone()))
            }
        };
        self.values.push(value.clone());
        Ok(value)
    }

    /// `text` with every reference replaced by its value.
    pub fn substitute(&mut self, text: &str) -> Result<Zeroizing<String>> {
        let found = find(text)?;
        let mut out = Zeroizing::new(String::with_capacity(text.len()));
        let mut at = 0;
        for (range, r) in found {
            out.push_str(&text[at..range.start]);
            out.push_str(&self.value(&r, &text[range.clone()])?);
            at = range.end;
        }
        out.push_str(&text[at..]);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: &str, key: Option<&str>, stage: Option<&str>, vid: Option<&str>) -> Reference {
        Reference {
            secret_id: id.into(),
            json_key: key.map(Into::into),
            version_stage: stage.map(Into::into),
            version_id: vid.map(Into::into),
        }
    }

    #[test]
    fn every_reference_form_parses_as_cloudformation_parses_it() {
        let arn = "arn:aws:secretsmanager:us-west-2:123456789012:secret:MySecret-a1b2c3";
        for (body, want) in [
            ("MySecret", r("MySecret", None, None, None)),
            ("MySecret:SecretString", r("MySecret", None, None, None)),
            (
                "MySecret:SecretString:password",
                r("MySecret", Some("password"), None, None),
            ),
            (
                "MySecret::password",
                r("MySecret", Some("password"), None, None),
            ),
            (
                "MySecret:SecretString:password:AWSPREVIOUS",
                r("MySecret", Some("password"), Some("AWSPREVIOUS"), None),
            ),
            (
                "MySecret:SecretString::AWSPREVIOUS",
                r("MySecret", None, Some("AWSPREVIOUS"), None),
            ),
            (
                "MySecret:SecretString:password::v-1",
                r("MySecret", Some("password"), None, Some("v-1")),
            ),
            (
                "MySecret:SecretString:::v-1",
                r("MySecret", None, None, Some("v-1")),
            ),
            ("prod/db", r("prod/db", None, None, None)),
            (arn, r(arn, None, None, None)),
            (
                &format!("{arn}:SecretString:password:AWSCURRENT"),
                r(arn, Some("password"), Some("AWSCURRENT"), None),
            ),
        ] {
            assert_eq!(parse(body).unwrap(), want, "{body}");
        }
    }

    #[test]
    fn malformed_references_are_refused_with_why() {
        assert!(parse("").unwrap_err().contains("empty"));
        assert!(
            parse("s:SecretBinary")
                .unwrap_err()
                .contains("SecretString")
        );
        assert!(
            parse("s:SecretString:k:AWSCURRENT:v1")
                .unwrap_err()
                .contains("not both")
        );
        assert!(
            parse("s:SecretString:k:st:v:extra")
                .unwrap_err()
                .contains("too many")
        );
        assert!(
            parse("arn:aws:secretsmanager:us-east-1")
                .unwrap_err()
                .contains("ARN")
        );
        let e = find("x {{resolve:ssm:/app/param}} y")
            .unwrap_err()
            .to_string();
        assert!(e.contains("{{resolve:ssm:/app/param}}"), "{e}");
        let e = find("x {{resolve:secretsmanager:a")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unterminated"), "{e}");
    }

    #[test]
    fn references_are_found_among_text() {
        let t = "a={{resolve:secretsmanager:s}} b={{resolve:secretsmanager:t::k}}!";
        let found = find(t).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(&t[found[0].0.clone()], "{{resolve:secretsmanager:s}}");
        assert_eq!(found[1].1, r("t", Some("k"), None, None));
        assert!(find("no references {{here}}").unwrap().is_empty());
    }
}
