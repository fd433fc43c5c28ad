//! The modelled limits of AWS's API (length, range, pattern → `ValidationException`) and
//! the service's own rules (well-formed but unacceptable → `InvalidParameterException`).

use super::{MAX_LABELS_PER_VERSION, MAX_VALUE_BYTES, Tag};
use crate::{Error, Result};

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/_+=.@-".contains(c)
}

/// A secret name: 1–512 characters of `A-Za-z0-9/_+=.@-`.
pub fn validate_name(name: &str) -> Result<()> {
    let n = name.chars().count();
    if n == 0 || n > 512 {
        return Err(Error::validation(format!(
            "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length between 1 and 512 (got {n})"
        )));
    }
    if !name.chars().all(name_char) {
        return Err(Error::validation(INVALID_NAME));
    }
    Ok(())
}

/// AWS's answer to a name (or a `SecretId` that is not an ARN) with a character outside
/// `A-Za-z0-9/_+=.@-`, on every operation that takes one (recorded from AWS on
/// GetSecretValue in anomalyco/sst#3795 and on RotateSecret in
/// hashicorp/terraform-provider-aws#39406; LocalStack's AWS-validated provider checks every
/// operation's `SecretId` so). The `!` is in AWS's text, though AWS refuses it in a name.
pub const INVALID_NAME: &str = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!";

/// A `SecretId`: a name or an ARN, 1–2048 characters; one that is not an ARN (`arn:...`,
/// full or partial) is held to a name's characters.
pub fn validate_secret_id(id: &str) -> Result<()> {
    let n = id.chars().count();
    if n == 0 || n > 2048 {
        return Err(Error::validation(
            "1 validation error detected: Value at 'secretId' failed to satisfy constraint: Member must have length between 1 and 2048",
        ));
    }
    if !id.starts_with("arn:") && !id.chars().all(name_char) {
        return Err(Error::validation(INVALID_NAME));
    }
    Ok(())
}

pub fn validate_description(d: &str) -> Result<()> {
    if d.chars().count() > 2048 {
        return Err(Error::validation(
            "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 2048",
        ));
    }
    Ok(())
}

/// A managed external secret's `Type` (`MedeaTypeType` in botocore's model: at most 256
/// characters, any partner name; AWS documents the partners' names but the model lists none).
pub fn validate_secret_type(t: &str) -> Result<()> {
    if t.chars().count() > 256 {
        return Err(Error::validation(
            "1 validation error detected: Value at 'type' failed to satisfy constraint: Member must have length less than or equal to 256",
        ));
    }
    Ok(())
}

/// PutSecretValue's `RotationToken` (`RotationTokenType` in botocore's model: 36–256
/// characters matching `^[a-zA-Z0-9\-]+$`, sensitive). The model marks it sensitive, so the
/// messages, like AWS's for sensitive members, never echo the value.
pub fn validate_rotation_token(t: &str) -> Result<()> {
    let n = t.chars().count();
    if !(36..=256).contains(&n) {
        return Err(Error::validation(
            "1 validation error detected: Value at 'rotationToken' failed to satisfy constraint: Member must have length between 36 and 256",
        ));
    }
    if !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Error::validation(
            "1 validation error detected: Value at 'rotationToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9\\-]+$",
        ));
    }
    Ok(())
}

/// A version id (`ClientRequestToken`): 32–64 characters.
pub fn validate_version_id(field: &str, v: &str) -> Result<()> {
    let n = v.chars().count();
    if !(32..=64).contains(&n) {
        return Err(Error::validation(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length between 32 and 64"
        )));
    }
    Ok(())
}

/// A staging label: 1–256 characters.
pub fn validate_stage(field: &str, s: &str) -> Result<()> {
    let n = s.chars().count();
    if n == 0 || n > 256 {
        return Err(Error::validation(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length between 1 and 256"
        )));
    }
    Ok(())
}

pub fn validate_stages(stages: &[String]) -> Result<()> {
    if stages.is_empty() || stages.len() > MAX_LABELS_PER_VERSION {
        return Err(Error::validation(format!(
            "1 validation error detected: Value at 'versionStages' failed to satisfy constraint: Member must have length between 1 and {MAX_LABELS_PER_VERSION}"
        )));
    }
    for s in stages {
        validate_stage("versionStages", s)?;
    }
    let mut seen = std::collections::HashSet::new();
    for s in stages {
        if !seen.insert(s.as_str()) {
            return Err(Error::invalid_parameter(format!(
                "The staging label {s} appears more than once in the request."
            )));
        }
    }
    Ok(())
}

/// A value: 1–65,536 bytes.
pub fn validate_value_len(field: &str, len: usize) -> Result<()> {
    if len == 0 || len > MAX_VALUE_BYTES {
        return Err(Error::validation(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length between 1 and {MAX_VALUE_BYTES}"
        )));
    }
    Ok(())
}

pub fn validate_tag_key(k: &str) -> Result<()> {
    let n = k.chars().count();
    if n == 0 || n > 128 {
        return Err(Error::validation(
            "1 validation error detected: Value at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128",
        ));
    }
    if k.to_ascii_lowercase().starts_with("aws:") {
        return Err(Error::invalid_parameter(
            "Tag keys beginning with 'aws:' are reserved for AWS use.",
        ));
    }
    Ok(())
}

/// Tags of one request: at most 50; key 1–128, value 0–256; no `aws:` prefix; no key twice.
pub fn validate_tags(tags: &[Tag]) -> Result<()> {
    if tags.len() > 50 {
        return Err(Error::validation(
            "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for t in tags {
        validate_tag_key(&t.key)?;
        if t.value.chars().count() > 256 {
            return Err(Error::validation(
                "1 validation error detected: Value at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256",
            ));
        }
        if !seen.insert(t.key.as_str()) {
            return Err(Error::invalid_parameter(format!(
                "The tag key {} appears more than once in the request.",
                t.key
            )));
        }
    }
    Ok(())
}

pub fn validate_kms_key_id(k: &str) -> Result<()> {
    let n = k.chars().count();
    if n == 0 || n > 2048 {
        return Err(Error::validation(
            "1 validation error detected: Value at 'kmsKeyId' failed to satisfy constraint: Member must have length between 0 and 2048",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn code<T: std::fmt::Debug>(r: Result<T>) -> ErrorCode {
        r.unwrap_err().code
    }

    #[test]
    fn names_follow_awss_pattern_and_length() {
        assert!(validate_name("prod/db_main+x=y.z@w-1").is_ok());
        assert!(validate_name(&"a".repeat(512)).is_ok());
        assert_eq!(code(validate_name("")), ErrorCode::Validation);
        assert_eq!(code(validate_name(&"a".repeat(513))), ErrorCode::Validation);
        assert_eq!(code(validate_name("has space")), ErrorCode::Validation);
        assert_eq!(code(validate_name("bang!")), ErrorCode::Validation);
    }

    #[test]
    fn a_secret_id_is_an_arn_or_held_to_a_names_characters() {
        assert!(validate_secret_id("prod/db_main+x=y.z@w-1").is_ok());
        assert!(
            validate_secret_id("arn:aws:secretsmanager:us-east-1:123456789012:secret:a b").is_ok()
        );
        let e = validate_secret_id("has space").unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::Validation, INVALID_NAME)
        );
        assert_eq!(code(validate_secret_id("")), ErrorCode::Validation);
        assert_eq!(
            code(validate_secret_id(&"a".repeat(2049))),
            ErrorCode::Validation
        );
    }

    #[test]
    fn version_ids_are_32_to_64_characters() {
        assert!(validate_version_id("clientRequestToken", &"a".repeat(32)).is_ok());
        assert!(validate_version_id("clientRequestToken", &"a".repeat(64)).is_ok());
        assert_eq!(
            code(validate_version_id("x", &"a".repeat(31))),
            ErrorCode::Validation
        );
        assert_eq!(
            code(validate_version_id("x", &"a".repeat(65))),
            ErrorCode::Validation
        );
    }

    #[test]
    fn tags_have_limits_and_a_reserved_prefix() {
        let t = |k: &str, v: &str| Tag {
            key: k.into(),
            value: v.into(),
        };
        assert!(validate_tags(&[t("env", "prod"), t("team", "")]).is_ok());
        assert_eq!(code(validate_tags(&[t("", "x")])), ErrorCode::Validation);
        assert_eq!(
            code(validate_tags(&[t(&"k".repeat(129), "x")])),
            ErrorCode::Validation
        );
        assert_eq!(
            code(validate_tags(&[t("k", &"v".repeat(257))])),
            ErrorCode::Validation
        );
        assert_eq!(
            code(validate_tags(&[t("aws:owner", "x")])),
            ErrorCode::InvalidParameter
        );
        assert_eq!(
            code(validate_tags(&[t("a", "1"), t("a", "2")])),
            ErrorCode::InvalidParameter
        );
        let many: Vec<Tag> = (0..51).map(|i| t(&format!("k{i}"), "v")).collect();
        assert_eq!(code(validate_tags(&many)), ErrorCode::Validation);
    }

    #[test]
    fn stages_are_1_to_20_labels_of_1_to_256_characters() {
        assert!(validate_stages(&["AWSCURRENT".into()]).is_ok());
        assert_eq!(code(validate_stages(&[])), ErrorCode::Validation);
        assert_eq!(code(validate_stages(&["".into()])), ErrorCode::Validation);
        let many: Vec<String> = (0..21).map(|i| format!("L{i}")).collect();
        assert_eq!(code(validate_stages(&many)), ErrorCode::Validation);
        assert_eq!(
            code(validate_stages(&["A".into(), "A".into()])),
            ErrorCode::InvalidParameter
        );
    }

    #[test]
    fn values_are_1_to_65536_bytes() {
        assert!(validate_value_len("secretString", 65_536).is_ok());
        assert_eq!(
            code(validate_value_len("secretString", 65_537)),
            ErrorCode::Validation
        );
        assert_eq!(
            code(validate_value_len("secretString", 0)),
            ErrorCode::Validation
        );
    }
}
