//! The request context: who asks to do what to which resource, and the condition keys.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::matching::{Variables, arn_account, split_arn};

/// Everything a policy can look at in one request.
///
/// Condition keys are multi-valued and their names are case-insensitive. The keys
/// `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:username` and `aws:PrincipalTag/<tag>`
/// are derived from the fields below unless set explicitly with [`RequestContext::with_key`];
/// for a role session, `aws:PrincipalArn` is its role's ARN while [`Self::principal_arn`]
/// (what a policy's `Principal` and AWS's denial message see) stays the session's;
/// every other key (`aws:CurrentTime`, `aws:SourceIp`, `secretsmanager:Name`, ...) is whatever
/// the caller sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// The caller's ARN: a user's, an account root's, or a role session's
    /// (`arn:aws:sts::A:assumed-role/R/S`).
    pub principal_arn: String,
    /// For a role session, the role's ARN (`arn:aws:iam::A:role/R`, with its path when
    /// known): the value of `aws:PrincipalArn`.
    pub role_arn: Option<String>,
    pub principal_account: String,
    pub principal_tags: BTreeMap<String, String>,
    /// `aws:username`: present for IAM users only.
    pub username: Option<String>,
    /// `service:Action`, e.g. `secretsmanager:GetSecretValue`.
    pub action: String,
    /// The resource's ARN, or `*` for actions on no particular resource.
    pub resource: String,
    /// The account that owns the resource; decides same-account versus cross-account.
    pub resource_account: String,
    keys: BTreeMap<String, Vec<String>>,
}

impl RequestContext {
    /// A context whose principal account and user name come from the principal's ARN and
    /// whose resource account comes from the resource's ARN (the principal's account when
    /// the resource is not an ARN, such as `*`).
    pub fn new(
        principal_arn: impl Into<String>,
        action: impl Into<String>,
        resource: impl Into<String>,
    ) -> Self {
        let principal_arn = principal_arn.into();
        let resource = resource.into();
        let principal_account = arn_account(&principal_arn).unwrap_or_default().to_owned();
        let username = split_arn(&principal_arn)
            .filter(|c| c[2] == "iam")
            .and_then(|c| c[5].strip_prefix("user/"))
            .and_then(|path| path.rsplit('/').next())
            .map(str::to_owned);
        let role_arn = split_arn(&principal_arn)
            .filter(|c| c[2] == "sts")
            .and_then(|c| {
                let role = c[5].strip_prefix("assumed-role/")?.split('/').next()?;
                Some(format!("arn:{}:iam::{}:role/{role}", c[1], c[4]))
            });
        let resource_account = arn_account(&resource)
            .filter(|a| !a.is_empty())
            .unwrap_or(&principal_account)
            .to_owned();
        Self {
            principal_arn,
            role_arn,
            principal_account,
            principal_tags: BTreeMap::new(),
            username,
            action: action.into(),
            resource,
            resource_account,
            keys: BTreeMap::new(),
        }
    }

    /// Sets a condition key (replacing any earlier values, whatever their case).
    pub fn with_key<V: Into<String>>(
        mut self,
        key: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.set_key(key, values);
        self
    }

    /// Sets a condition key in place.
    pub fn set_key<V: Into<String>>(&mut self, key: &str, values: impl IntoIterator<Item = V>) {
        self.keys.insert(
            key.to_lowercase(),
            values.into_iter().map(Into::into).collect(),
        );
    }

    /// Adds a principal tag (`aws:PrincipalTag/<key>`).
    pub fn with_principal_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.principal_tags.insert(key.into(), value.into());
        self
    }

    /// Sets the ARN of a role session's role, for a role whose path is not `/`.
    pub fn with_role_arn(mut self, arn: impl Into<String>) -> Self {
        self.role_arn = Some(arn.into());
        self
    }

    /// Sets `aws:CurrentTime` and `aws:EpochTime`.
    pub fn with_time(self, now: jiff::Timestamp) -> Self {
        self.with_key("aws:CurrentTime", [now.to_string()])
            .with_key("aws:EpochTime", [now.as_second().to_string()])
    }

    /// The values of a condition key, or `None` when the request does not carry it.
    pub fn values(&self, key: &str) -> Option<Cow<'_, [String]>> {
        let key = key.to_lowercase();
        if let Some(values) = self.keys.get(&key) {
            return Some(Cow::Borrowed(values));
        }
        let one = |v: &str| Some(Cow::Owned(vec![v.to_owned()]));
        match key.as_str() {
            "aws:principalarn" if !self.principal_arn.is_empty() => {
                one(self.role_arn.as_deref().unwrap_or(&self.principal_arn))
            }
            "aws:principalaccount" if !self.principal_account.is_empty() => {
                one(&self.principal_account)
            }
            "aws:username" => self.username.as_deref().and_then(one),
            _ => {
                let tag = key.strip_prefix("aws:principaltag/")?;
                self.principal_tags
                    .iter()
                    .find(|(k, _)| k.to_lowercase() == tag)
                    .and_then(|(_, v)| one(v))
            }
        }
    }
}

impl Variables for RequestContext {
    /// A variable resolves only to a key with exactly one value.
    fn variable(&self, key: &str) -> Option<Cow<'_, str>> {
        match self.values(key)? {
            Cow::Borrowed([one]) => Some(Cow::Borrowed(one.as_str())),
            Cow::Owned(mut v) if v.len() == 1 => v.pop().map(Cow::Owned),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_account_username_and_global_keys_from_arns() {
        let ctx = RequestContext::new(
            "arn:aws:iam::111122223333:user/team/alice",
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:us-east-1:444455556666:secret:x-AbCdEf",
        )
        .with_principal_tag("Team", "blue");
        assert_eq!(ctx.principal_account, "111122223333");
        assert_eq!(ctx.resource_account, "444455556666");
        assert_eq!(ctx.username.as_deref(), Some("alice"));
        assert_eq!(
            ctx.values("AWS:USERNAME").unwrap()[..],
            ["alice".to_owned()]
        );
        assert_eq!(
            ctx.values("aws:principaltag/team").unwrap()[..],
            ["blue".to_owned()]
        );
        assert_eq!(
            ctx.values("aws:PrincipalArn").unwrap()[..],
            ["arn:aws:iam::111122223333:user/team/alice".to_owned()]
        );
        assert!(ctx.values("aws:SourceIp").is_none());
    }

    #[test]
    fn roles_have_no_username_and_star_resources_belong_to_the_caller() {
        let ctx = RequestContext::new("arn:aws:iam::1:role/r", "secretsmanager:ListSecrets", "*");
        assert_eq!(ctx.username, None);
        assert_eq!(ctx.resource_account, "1");
    }

    /// AWS global condition context keys, `aws:PrincipalArn`: "For IAM roles, the request
    /// context returns the ARN of the role, not the ARN of the user that assumed the role."
    /// and "Do not specify the assumed role session ARN as a value for this condition key."
    #[test]
    fn a_role_sessions_principal_arn_key_is_its_roles_arn_not_the_sessions() {
        let session = "arn:aws:sts::111122223333:assumed-role/app/sess1";
        let ctx = RequestContext::new(session, "secretsmanager:GetSecretValue", "*");
        assert_eq!(
            ctx.values("aws:PrincipalArn").unwrap()[..],
            ["arn:aws:iam::111122223333:role/app".to_owned()]
        );
        assert_eq!(ctx.principal_arn, session);
        assert_eq!(ctx.principal_account, "111122223333");
        assert_eq!(ctx.values("aws:username"), None);
        let ctx = ctx.with_role_arn("arn:aws:iam::111122223333:role/team/app");
        assert_eq!(
            ctx.values("aws:principalarn").unwrap()[..],
            ["arn:aws:iam::111122223333:role/team/app".to_owned()]
        );
        let user = RequestContext::new("arn:aws:iam::1:user/u", "a:b", "*");
        assert_eq!(user.role_arn, None);
    }

    #[test]
    fn explicit_keys_are_case_insensitive_and_multi_valued() {
        let ctx = RequestContext::new("arn:aws:iam::1:user/u", "a:b", "*")
            .with_key("aws:TagKeys", ["a", "b"])
            .with_key("AWS:TAGKEYS", ["c"]);
        assert_eq!(ctx.values("aws:tagkeys").unwrap()[..], ["c".to_owned()]);
        let ctx = ctx.with_time(jiff::Timestamp::from_second(86_400).unwrap());
        assert_eq!(
            ctx.values("aws:CurrentTime").unwrap()[..],
            ["1970-01-02T00:00:00Z".to_owned()]
        );
        assert_eq!(
            ctx.values("aws:EpochTime").unwrap()[..],
            ["86400".to_owned()]
        );
    }
}
