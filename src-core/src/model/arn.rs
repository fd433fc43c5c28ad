use std::fmt;

/// `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random alphanumerics>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretArn {
    pub region: String,
    pub account: String,
    pub name: String,
    pub suffix: String,
}

impl SecretArn {
    /// The ARN a `SecretId` written as an ARN refers to. The last `-XXXXXX` is taken as the
    /// random suffix when it has that shape; `partial` is the reading without a suffix.
    pub fn parse(s: &str) -> Option<ParsedSecretArn> {
        let rest = s.strip_prefix("arn:")?;
        let mut parts = rest.splitn(6, ':');
        let partition = parts.next()?;
        let service = parts.next()?;
        let region = parts.next()?;
        let account = parts.next()?;
        let kind = parts.next()?;
        let name_part = parts.next()?;
        if partition.is_empty() || service != "secretsmanager" || kind != "secret" {
            return None;
        }
        if name_part.is_empty() {
            return None;
        }
        let full = match name_part.rsplit_once('-') {
            Some((name, suffix))
                if !name.is_empty()
                    && suffix.len() == 6
                    && suffix.bytes().all(|b| b.is_ascii_alphanumeric()) =>
            {
                Some(SecretArn {
                    region: region.into(),
                    account: account.into(),
                    name: name.into(),
                    suffix: suffix.into(),
                })
            }
            _ => None,
        };
        Some(ParsedSecretArn {
            region: region.into(),
            account: account.into(),
            full,
            partial_name: name_part.into(),
        })
    }
}

/// A `SecretId` that is an ARN: it may be complete, or partial (no random suffix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSecretArn {
    pub region: String,
    pub account: String,
    pub full: Option<SecretArn>,
    pub partial_name: String,
}

impl fmt::Display for SecretArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&secret_arn(
            &self.region,
            &self.account,
            &self.name,
            &self.suffix,
        ))
    }
}

/// `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>`, made in one
/// allocation: every answer about a secret names it, and the first health report makes
/// 100,000.
pub fn secret_arn(region: &str, account: &str, name: &str, suffix: &str) -> String {
    const PREFIX: &str = "arn:aws:secretsmanager:";
    let parts = [region, ":", account, ":secret:", name, "-", suffix];
    let mut arn =
        String::with_capacity(PREFIX.len() + parts.iter().map(|p| p.len()).sum::<usize>());
    arn.push_str(PREFIX);
    for p in parts {
        arn.push_str(p);
    }
    arn
}

/// `arn:aws:kms:<region>:<account>:key/<id>`.
pub fn kms_key_arn(region: &str, account: &str, key_id: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:key/{key_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_arn_parses_into_name_and_suffix() {
        let p =
            SecretArn::parse("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123")
                .unwrap();
        let full = p.full.unwrap();
        assert_eq!(full.name, "prod/db");
        assert_eq!(full.suffix, "AbC123");
        assert_eq!(p.partial_name, "prod/db-AbC123");
        assert_eq!(
            full.to_string(),
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123"
        );
    }

    #[test]
    fn partial_arn_has_no_full_reading_when_the_suffix_has_the_wrong_shape() {
        let p = SecretArn::parse("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db")
            .unwrap();
        assert!(p.full.is_none());
        assert_eq!(p.partial_name, "prod/db");
        let p = SecretArn::parse("arn:aws:secretsmanager:r:1:secret:a-b_c").unwrap();
        assert!(p.full.is_none());
    }

    #[test]
    fn other_services_and_shapes_are_not_secret_arns() {
        assert!(SecretArn::parse("arn:aws:kms:us-east-1:1:key/x").is_none());
        assert!(SecretArn::parse("prod/db").is_none());
        assert!(SecretArn::parse("arn:aws:secretsmanager:us-east-1:1:secret:").is_none());
    }
}
