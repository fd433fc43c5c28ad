//! Moving secrets between Coffer and files: `.env` and JSON files in, `.env`, JSON and YAML
//! out. These are formats only; the reads and writes go through the vault's one door
//! (`Vault::import_secrets`, `Vault::get_secret_value`).
//!
//! **Import.** A `.env` file gives one secret per variable, named `prefix + KEY`; a JSON file
//! (a top-level object) one secret per top-level key, its value the string as it is or any
//! other JSON value as JSON text. With `as_secret`, the whole file becomes one secret whose
//! value is the JSON object (a `.env` file's variables as string members).
//!
//! **Export naming rule.** A secret whose value is a JSON object exports one variable per
//! top-level key, named exactly as the key (strings as they are, anything else as JSON
//! text). Any other string secret exports one variable named after the last `/` segment of
//! its name, every character other than a letter, digit or `_` turned into `_` (and a `_`
//! before a leading digit): `dev/app/DB_PASSWORD` → `DB_PASSWORD`, `prod/db-password` →
//! `db_password`. So `import --from-env F --name-prefix P` then exporting those secrets
//! gives back `F`'s variables. Binary secrets do not export.

pub mod dotenv;
#[cfg(feature = "remote")]
pub mod remote;
pub mod yaml;

use zeroize::Zeroizing;

use crate::model::SecretValue;
use crate::{Error, Result};

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Dotenv,
    Json,
    Yaml,
}

/// The variable a plain string secret exports as (see the module's naming rule).
pub fn variable_for(secret_name: &str) -> String {
    let last = secret_name.rsplit('/').next().unwrap_or(secret_name);
    let mut v: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if v.is_empty() || v.starts_with(|c: char| c.is_ascii_digit()) {
        v.insert(0, '_');
    }
    v
}

fn no_binary(name: &str) -> Error {
    Error::invalid_parameter(format!(
        "The secret '{name}' holds a binary value, which does not export as variables."
    ))
}

/// The variables one secret exports as.
pub fn variables(
    secret_name: &str,
    value: &SecretValue,
) -> Result<Vec<(String, Zeroizing<String>)>> {
    if let Some(fields) = value.json_fields() {
        return Ok(fields);
    }
    match value {
        SecretValue::String(s) => Ok(vec![(
            variable_for(secret_name),
            Zeroizing::new(s.expose().to_string()),
        )]),
        SecretValue::Binary(_) => Err(no_binary(secret_name)),
    }
}

fn merged(secrets: &[(String, SecretValue)]) -> Result<Vec<(String, Zeroizing<String>)>> {
    let mut out: Vec<(String, Zeroizing<String>)> = Vec::new();
    for (name, value) in secrets {
        for (k, v) in variables(name, value)? {
            if out.iter().any(|(o, _)| *o == k) {
                return Err(Error::invalid_parameter(format!(
                    "Two of the secrets export the variable {k}; export them separately."
                )));
            }
            out.push((k, v));
        }
    }
    Ok(out)
}

/// The text of an export of `secrets` (name, value) in `format`.
pub fn render(format: Format, secrets: &[(String, SecretValue)]) -> Result<Zeroizing<String>> {
    match format {
        Format::Dotenv => {
            let vars = merged(secrets)?;
            if let Some((k, _)) = vars.iter().find(|(k, _)| !dotenv::is_key(k)) {
                return Err(Error::invalid_parameter(format!(
                    "The key '{k}' is not a variable name a .env file can hold; export as json or yaml."
                )));
            }
            Ok(dotenv::write(&vars))
        }
        Format::Yaml => Ok(yaml::write(&merged(secrets)?)),
        Format::Json => {
            let mut map = serde_json::Map::new();
            for (name, value) in secrets {
                let fields = match value.json_object() {
                    Some(m) => m,
                    None => match value {
                        SecretValue::String(s) => std::iter::once((
                            variable_for(name),
                            serde_json::Value::String(s.expose().to_string()),
                        ))
                        .collect(),
                        SecretValue::Binary(_) => return Err(no_binary(name)),
                    },
                };
                for (k, v) in fields {
                    if map.contains_key(&k) {
                        return Err(Error::invalid_parameter(format!(
                            "Two of the secrets export the key {k}; export them separately."
                        )));
                    }
                    map.insert(k, v);
                }
            }
            let mut text = Zeroizing::new(
                serde_json::to_string_pretty(&serde_json::Value::Object(map))
                    .expect("a JSON object serializes"),
            );
            text.push('\n');
            Ok(text)
        }
    }
}

/// One secret an import would write.
#[derive(Debug)]
pub struct ImportEntry {
    pub name: String,
    pub value: crate::SecretText,
}

/// The secrets a `.env` file's text imports as: one per variable named `prefix + KEY`, or
/// (with `as_secret`) one JSON secret of them all.
pub fn from_env(text: &str, prefix: &str, as_secret: Option<&str>) -> Result<Vec<ImportEntry>> {
    let vars = dotenv::parse(text)?;
    Ok(match as_secret {
        Some(name) => {
            let map: serde_json::Map<String, serde_json::Value> = vars
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v.to_string())))
                .collect();
            vec![ImportEntry {
                name: name.to_string(),
                value: crate::SecretText::new(serde_json::Value::Object(map).to_string()),
            }]
        }
        None => vars
            .into_iter()
            .map(|(k, v)| ImportEntry {
                name: format!("{prefix}{k}"),
                value: crate::SecretText::new(v.to_string()),
            })
            .collect(),
    })
}

/// The secrets a JSON file's text (a top-level object) imports as: one per key named
/// `prefix + key`, or (with `as_secret`) the whole object as one secret.
pub fn from_json(text: &str, prefix: &str, as_secret: Option<&str>) -> Result<Vec<ImportEntry>> {
    let parsed: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::invalid_parameter(format!(
            "The file is not JSON (line {}, column {}).",
            e.line(),
            e.column()
        ))
    })?;
    let serde_json::Value::Object(map) = parsed else {
        return Err(Error::invalid_parameter(
            "The JSON file must hold one object, whose keys name the secrets.",
        ));
    };
    Ok(match as_secret {
        Some(name) => vec![ImportEntry {
            name: name.to_string(),
            value: crate::SecretText::new(serde_json::Value::Object(map).to_string()),
        }],
        None => map
            .into_iter()
            .map(|(k, v)| ImportEntry {
                name: format!("{prefix}{k}"),
                value: crate::SecretText::new(crate::model::json_text(v)),
            })
            .collect(),
    })
}

/// Whether an imported value is the one already stored: the same text, or the same JSON.
pub fn same_value(stored: &SecretValue, imported: &crate::SecretText) -> bool {
    let new = SecretValue::String(imported.duplicate());
    if stored.same_as(&new) {
        return true;
    }
    match (stored.json_object(), new.json_object()) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretText;

    fn s(v: &str) -> SecretValue {
        SecretValue::String(SecretText::new(v.into()))
    }

    #[test]
    fn plain_secrets_are_named_after_their_last_segment() {
        assert_eq!(variable_for("dev/app/DB_PASSWORD"), "DB_PASSWORD");
        assert_eq!(variable_for("prod/db-password"), "db_password");
        assert_eq!(variable_for("x/1token"), "_1token");
        assert_eq!(variable_for("a@b.c"), "a_b_c");
    }

    #[test]
    fn json_secrets_export_their_keys_and_plain_ones_one_variable() {
        let secrets = vec![
            ("app/config".to_string(), s(r#"{"user":"u","port":5432}"#)),
            ("app/API_KEY".to_string(), s("k 1")),
        ];
        assert_eq!(
            render(Format::Dotenv, &secrets).unwrap().as_str(),
            "port=5432\nuser=u\nAPI_KEY=\"k 1\"\n"
        );
        assert_eq!(
            render(Format::Json, &secrets).unwrap().as_str(),
            "{\n  \"API_KEY\": \"k 1\",\n  \"port\": 5432,\n  \"user\": \"u\"\n}\n"
        );
        let clash = vec![
            ("a/user".to_string(), s("x")),
            ("b/c".to_string(), s(r#"{"user":"y"}"#)),
        ];
        assert!(render(Format::Dotenv, &clash).is_err());
        let bad_key = vec![("a".to_string(), s(r#"{"not a var":"y"}"#))];
        assert!(render(Format::Dotenv, &bad_key).is_err());
        assert!(render(Format::Yaml, &bad_key).is_ok());
        let bin = vec![(
            "b".to_string(),
            SecretValue::Binary(crate::SecretBytes::new(vec![1])),
        )];
        assert!(render(Format::Json, &bin).is_err());
    }

    #[test]
    fn files_import_as_one_secret_per_key_or_as_one_json_secret() {
        let e = from_env("A=1\nB='two'\n", "dev/", None).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].name.as_str(), e[0].value.expose()), ("dev/A", "1"));
        let e = from_env("A=1\nB='two'\n", "", Some("dev/env")).unwrap();
        assert_eq!(e[0].value.expose(), r#"{"A":"1","B":"two"}"#);
        let e = from_json(r#"{"x":"s","n":{"deep":true}}"#, "p/", None).unwrap();
        let got: Vec<(&str, &str)> = e
            .iter()
            .map(|e| (e.name.as_str(), e.value.expose()))
            .collect();
        assert_eq!(got, vec![("p/n", r#"{"deep":true}"#), ("p/x", "s")]);
        assert!(from_json("[1]", "", None).is_err());
        let err = from_json("{\"password\": secret-value", "", None).unwrap_err();
        assert!(!err.message.contains("secret-value"));
    }

    #[test]
    fn the_same_json_in_another_layout_is_the_same_value() {
        assert!(same_value(
            &s(r#"{"a":1, "b":"x"}"#),
            &SecretText::new(r#"{"b":"x","a":1}"#.into())
        ));
        assert!(same_value(&s("text"), &SecretText::new("text".into())));
        assert!(!same_value(&s("text"), &SecretText::new("text ".into())));
        assert!(!same_value(
            &s(r#"{"a":1}"#),
            &SecretText::new(r#"{"a":2}"#.into())
        ));
    }
}
