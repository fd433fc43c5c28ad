//! Where the client's region and access key come from, as the AWS CLI looks for them:
//! `--profile P` reads profile `P` of the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`
//! or `~/.aws/credentials`); otherwise `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
//! `AWS_SESSION_TOKEN`; otherwise the profile `AWS_PROFILE` names, or `default`. The region is
//! `--region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`.
//!
//! Errors name the file, the profile and the missing key — never a key's value.

use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::sigv4::Credentials;
use crate::{Error, Result, SecretText};

pub const DEFAULT_REGION: &str = "us-east-1";

/// The region to sign for: the flag, `AWS_REGION`, `AWS_DEFAULT_REGION`, the default; an
/// empty one counts as not given.
pub fn region(flag: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> String {
    let given = |r: &String| !r.trim().is_empty();
    flag.map(str::to_string)
        .filter(given)
        .or_else(|| env("AWS_REGION").filter(given))
        .or_else(|| env("AWS_DEFAULT_REGION").filter(given))
        .unwrap_or_else(|| DEFAULT_REGION.to_string())
}

fn credentials_file(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(p) = env("AWS_SHARED_CREDENTIALS_FILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    env("HOME")
        .or_else(|| env("USERPROFILE"))
        .map(|h| PathBuf::from(h).join(".aws").join("credentials"))
}

/// The credentials to sign with (see the module's order).
pub fn resolve(profile: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> Result<Credentials> {
    let from_file = |name: &str, explicit: bool| -> Result<Credentials> {
        let path = credentials_file(env).ok_or_else(|| {
            Error::invalid_parameter("No credentials: there is no home directory to find ~/.aws/credentials in; set AWS_SHARED_CREDENTIALS_FILE")
        })?;
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => Zeroizing::new(t),
            Err(e) => {
                return Err(Error::invalid_parameter(if explicit {
                    format!(
                        "Cannot read the credentials file {} for profile '{name}': {e}",
                        path.display()
                    )
                } else {
                    format!(
                        "No credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile (no credentials file at {})",
                        path.display()
                    )
                }));
            }
        };
        profile_credentials(&text, name).map_err(|m| {
            Error::invalid_parameter(if explicit {
                format!("{m} (in {})", path.display())
            } else {
                format!(
                    "No credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile ({m}: {})",
                    path.display()
                )
            })
        })
    };
    if let Some(p) = profile {
        return from_file(p, true);
    }
    let key = env("AWS_ACCESS_KEY_ID").filter(|k| !k.is_empty());
    let secret = env("AWS_SECRET_ACCESS_KEY").filter(|k| !k.is_empty());
    match (key, secret) {
        (Some(access_key_id), Some(secret)) => Ok(Credentials {
            access_key_id,
            secret_access_key: SecretText::new(secret),
            session_token: env("AWS_SESSION_TOKEN")
                .filter(|t| !t.is_empty())
                .map(SecretText::new),
        }),
        (Some(_), None) => Err(Error::invalid_parameter(
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
        )),
        (None, Some(_)) => Err(Error::invalid_parameter(
            "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
        )),
        (None, None) => match env("AWS_PROFILE").filter(|p| !p.is_empty()) {
            Some(p) => from_file(&p, true),
            None => from_file("default", false),
        },
    }
}

/// The keys of profile `name` in a shared credentials file's text (INI: `[name]` sections,
/// `key = value` lines, `#` and `;` comments). The message of an error names what is
/// missing, never a value.
pub fn profile_credentials(text: &str, name: &str) -> std::result::Result<Credentials, String> {
    let mut in_profile = false;
    let mut found = false;
    let (mut key, mut secret, mut token) = (None, None, None);
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.trim();
            // ~/.aws/config spells sections `[profile NAME]`; accept that here too.
            let section = section
                .strip_prefix("profile ")
                .map(str::trim)
                .unwrap_or(section);
            in_profile = section == name;
            found |= in_profile;
            continue;
        }
        if !in_profile {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim().to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "aws_access_key_id" => key = Some(v),
            "aws_secret_access_key" => secret = Some(SecretText::new(v)),
            "aws_session_token" => token = Some(SecretText::new(v)),
            _ => drop(Zeroizing::new(v)),
        }
    }
    if !found {
        return Err(format!(
            "The profile '{name}' is not in the credentials file"
        ));
    }
    let access_key_id = key
        .filter(|k| !k.is_empty())
        .ok_or_else(|| format!("The profile '{name}' has no aws_access_key_id"))?;
    let secret_access_key = secret
        .filter(|s| !s.expose().is_empty())
        .ok_or_else(|| format!("The profile '{name}' has no aws_secret_access_key"))?;
    Ok(Credentials {
        access_key_id,
        secret_access_key,
        session_token: token.filter(|t| !t.expose().is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const FILE: &str = "\
# shared credentials
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = default/secret+key

[work]
; temporary ones
aws_access_key_id=AKIAWORK
aws_secret_access_key =  work-secret  
aws_session_token = work-token
region = eu-west-1

[broken]
aws_access_key_id = AKIABROKEN
";

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn profiles_are_read_from_ini_sections() {
        let d = profile_credentials(FILE, "default").unwrap();
        assert_eq!(d.access_key_id, "AKIADEFAULT");
        assert_eq!(d.secret_access_key.expose(), "default/secret+key");
        assert!(d.session_token.is_none());
        let w = profile_credentials(FILE, "work").unwrap();
        assert_eq!(w.access_key_id, "AKIAWORK");
        assert_eq!(w.secret_access_key.expose(), "work-secret");
        assert_eq!(w.session_token.unwrap().expose(), "work-token");
        let w = profile_credentials(
            "[profile work]\naws_access_key_id=A\naws_secret_access_key=S\n",
            "work",
        )
        .unwrap();
        assert_eq!(w.access_key_id, "A");
    }

    #[test]
    fn a_missing_profile_or_key_is_named_and_no_value_is_shown() {
        let e = profile_credentials(FILE, "nope").unwrap_err();
        assert!(e.contains("'nope' is not in"), "{e}");
        let e = profile_credentials(FILE, "broken").unwrap_err();
        assert!(e.contains("no aws_secret_access_key"), "{e}");
        assert!(!e.contains("AKIABROKEN"));
    }

    #[test]
    fn the_environment_comes_before_the_default_profile_and_a_flag_before_both() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("credentials");
        std::fs::write(&file, FILE).unwrap();
        let f = file.to_str().unwrap();
        let keys = env(&[
            ("AWS_SHARED_CREDENTIALS_FILE", f),
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret"),
            ("AWS_SESSION_TOKEN", "env-token"),
        ]);
        let c = resolve(None, &keys).unwrap();
        assert_eq!(c.access_key_id, "AKIAENV");
        assert_eq!(c.session_token.unwrap().expose(), "env-token");
        assert_eq!(
            resolve(Some("work"), &keys).unwrap().access_key_id,
            "AKIAWORK"
        );
        let file_only = env(&[("AWS_SHARED_CREDENTIALS_FILE", f)]);
        assert_eq!(
            resolve(None, &file_only).unwrap().access_key_id,
            "AKIADEFAULT"
        );
        let named = env(&[("AWS_SHARED_CREDENTIALS_FILE", f), ("AWS_PROFILE", "work")]);
        assert_eq!(resolve(None, &named).unwrap().access_key_id, "AKIAWORK");
        let e = resolve(Some("broken"), &keys).unwrap_err();
        assert!(e.message.contains("broken") && !e.message.contains("env-secret"));
        let nothing = env(&[("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")]);
        let e = resolve(None, &nothing).unwrap_err();
        assert!(e.message.starts_with("No credentials"), "{}", e.message);
        let half = env(&[("AWS_ACCESS_KEY_ID", "AKIAENV")]);
        assert!(resolve(None, &half).is_err());
    }

    #[test]
    fn the_region_is_the_flag_then_the_environment_then_us_east_1() {
        let e = env(&[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_DEFAULT_REGION", "ap-south-1"),
        ]);
        assert_eq!(region(Some("us-west-2"), &e), "us-west-2");
        assert_eq!(region(None, &e), "eu-west-1");
        assert_eq!(
            region(None, &env(&[("AWS_DEFAULT_REGION", "ap-south-1")])),
            "ap-south-1"
        );
        assert_eq!(region(None, &env(&[])), "us-east-1");
    }

    #[test]
    fn an_empty_region_counts_as_not_given() {
        let e = env(&[("AWS_REGION", ""), ("AWS_DEFAULT_REGION", "ap-south-1")]);
        assert_eq!(region(Some(" "), &e), "ap-south-1");
    }
}
