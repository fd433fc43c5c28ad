//! The AWS CLI's argument conventions: `file://` and `fileb://`, shorthand
//! (`Key=env,Value=prod`) or JSON for structures.

use anyhow::{Context, Result, bail};
use coffer_core::api::Filter;
use coffer_core::model::Tag;

/// A string parameter, read from a file when written `file://PATH`.
pub fn text_param(s: &str) -> Result<String> {
    match s.strip_prefix("file://") {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("cannot read {path}")),
        None => Ok(s.to_string()),
    }
}

/// A blob parameter: `fileb://PATH` reads bytes; anything else is base64, as in AWS CLI v2.
pub fn blob_param(s: &str) -> Result<Vec<u8>> {
    use base64::Engine;
    match s.strip_prefix("fileb://") {
        Some(path) => std::fs::read(path).with_context(|| format!("cannot read {path}")),
        None => base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .context("--secret-binary takes fileb://PATH or base64"),
    }
}

/// `Key=k,Value=v` (one per argument) or a JSON list `[{"Key":..,"Value":..}]`.
pub fn tags(args: &[String]) -> Result<Vec<Tag>> {
    let mut out = Vec::new();
    for a in args {
        let a = text_param(a)?;
        let t = a.trim();
        if t.starts_with('[') {
            out.extend(
                serde_json::from_str::<Vec<Tag>>(t)
                    .context("--tags JSON must be [{\"Key\":..,\"Value\":..}]")?,
            );
            continue;
        }
        let (mut key, mut value) = (None, String::new());
        for part in split_shorthand(t) {
            match part.split_once('=') {
                Some(("Key", k)) => key = Some(k.to_string()),
                Some(("Value", v)) => value = v.to_string(),
                _ => bail!("--tags takes Key=KEY,Value=VALUE (got '{t}')"),
            }
        }
        let key = key.with_context(|| format!("--tags entry '{t}' has no Key="))?;
        out.push(Tag { key, value });
    }
    Ok(out)
}

/// `Key=name,Values=a,b` (one per argument) or a JSON list `[{"Key":..,"Values":[..]}]`.
pub fn filters(args: &[String]) -> Result<Vec<Filter>> {
    let mut out = Vec::new();
    for a in args {
        let t = a.trim();
        if t.starts_with('[') {
            out.extend(
                serde_json::from_str::<Vec<Filter>>(t)
                    .context("--filters JSON must be [{\"Key\":..,\"Values\":[..]}]")?,
            );
            continue;
        }
        let rest = t
            .strip_prefix("Key=")
            .with_context(|| format!("--filters takes Key=KEY,Values=V1,V2 (got '{t}')"))?;
        let (key, values) = rest
            .split_once(",Values=")
            .with_context(|| format!("--filters takes Key=KEY,Values=V1,V2 (got '{t}')"))?;
        out.push(Filter {
            key: key.to_string(),
            values: values.split(',').map(str::to_string).collect(),
        });
    }
    Ok(out)
}

/// Splits `a=1,b=2` on commas that start a new `Name=`.
fn split_shorthand(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == ',' {
            let next = &s[i + 1..];
            let starts_field = next.split_once('=').is_some_and(|(name, _)| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric())
            });
            if starts_field {
                parts.push(&s[start..i]);
                start = i + 1;
            }
        }
    }
    parts.push(&s[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_from_shorthand_and_json() {
        let t = tags(&["Key=env,Value=prod".into(), "Key=team,Value=a,b".into()]).unwrap();
        assert_eq!(t[0].key, "env");
        assert_eq!(t[0].value, "prod");
        assert_eq!(t[1].value, "a,b");
        let t = tags(&[r#"[{"Key":"k","Value":"v"}]"#.into()]).unwrap();
        assert_eq!(t[0].key, "k");
        assert!(tags(&["nonsense".into()]).is_err());
    }

    #[test]
    fn filters_parse_values_lists() {
        let f = filters(&["Key=name,Values=prod/,dev/".into()]).unwrap();
        assert_eq!(f[0].key, "name");
        assert_eq!(f[0].values, vec!["prod/", "dev/"]);
        let f = filters(&[r#"[{"Key":"tag-key","Values":["env"]}]"#.into()]).unwrap();
        assert_eq!(f[0].key, "tag-key");
    }

    #[test]
    fn blob_param_reads_files_or_base64() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.der");
        std::fs::write(&p, [0u8, 1, 2]).unwrap();
        assert_eq!(
            blob_param(&format!("fileb://{}", p.display())).unwrap(),
            vec![0, 1, 2]
        );
        assert_eq!(blob_param("AAEC").unwrap(), vec![0, 1, 2]);
    }
}
