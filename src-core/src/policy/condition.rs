//! Condition operators and how one `operator: {key: values}` entry is decided.
//!
//! The rules, from IAM's documentation:
//! - several values for one key are OR'd; several keys and operators are AND'd;
//! - a negated operator (`StringNotEquals`, `NotIpAddress`, ...) holds when no context value
//!   matches any policy value, so it holds when the key is missing;
//! - `...IfExists` holds when the key is missing;
//! - `ForAllValues:` holds when every context value passes (so when the key is missing or
//!   empty); `ForAnyValue:` holds when at least one does (so not when missing or empty);
//! - `Null` holds for `true` when the key is missing and for `false` when it is present;
//!   `ForAllValues:Null` always holds and `ForAnyValue:Null` never does (Access Analyzer's
//!   "Null with qualifier");
//! - a value whose policy variable has no value is effectively null: it equals and is like
//!   no context value, so a positive operator does not match it and a negated one does; the
//!   entry's other values are compared as usual.

use std::net::IpAddr;

use base64::Engine;

use super::context::RequestContext;
use super::matching::{Pattern, Template};

/// One key under one operator of a `Condition` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub operator: Operator,
    /// The context key as written (matched case-insensitively).
    pub key: String,
    /// The policy values, OR'd.
    pub values: Vec<Template>,
}

/// A condition operator: an optional set qualifier, a test and the `IfExists` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub qualifier: Option<SetQualifier>,
    pub test: Test,
    pub if_exists: bool,
}

/// `ForAnyValue:` or `ForAllValues:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}

/// The comparison an operator makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl Test {
    /// Every test, in the order IAM documents them.
    pub const ALL: [Test; 27] = [
        Test::StringEquals,
        Test::StringNotEquals,
        Test::StringEqualsIgnoreCase,
        Test::StringNotEqualsIgnoreCase,
        Test::StringLike,
        Test::StringNotLike,
        Test::NumericEquals,
        Test::NumericNotEquals,
        Test::NumericLessThan,
        Test::NumericLessThanEquals,
        Test::NumericGreaterThan,
        Test::NumericGreaterThanEquals,
        Test::DateEquals,
        Test::DateNotEquals,
        Test::DateLessThan,
        Test::DateLessThanEquals,
        Test::DateGreaterThan,
        Test::DateGreaterThanEquals,
        Test::Bool,
        Test::BinaryEquals,
        Test::IpAddress,
        Test::NotIpAddress,
        Test::ArnEquals,
        Test::ArnLike,
        Test::ArnNotEquals,
        Test::ArnNotLike,
        Test::Null,
    ];

    /// The operator's name as written in a policy.
    pub const fn name(self) -> &'static str {
        match self {
            Test::StringEquals => "StringEquals",
            Test::StringNotEquals => "StringNotEquals",
            Test::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            Test::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            Test::StringLike => "StringLike",
            Test::StringNotLike => "StringNotLike",
            Test::NumericEquals => "NumericEquals",
            Test::NumericNotEquals => "NumericNotEquals",
            Test::NumericLessThan => "NumericLessThan",
            Test::NumericLessThanEquals => "NumericLessThanEquals",
            Test::NumericGreaterThan => "NumericGreaterThan",
            Test::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            Test::DateEquals => "DateEquals",
            Test::DateNotEquals => "DateNotEquals",
            Test::DateLessThan => "DateLessThan",
            Test::DateLessThanEquals => "DateLessThanEquals",
            Test::DateGreaterThan => "DateGreaterThan",
            Test::DateGreaterThanEquals => "DateGreaterThanEquals",
            Test::Bool => "Bool",
            Test::BinaryEquals => "BinaryEquals",
            Test::IpAddress => "IpAddress",
            Test::NotIpAddress => "NotIpAddress",
            Test::ArnEquals => "ArnEquals",
            Test::ArnLike => "ArnLike",
            Test::ArnNotEquals => "ArnNotEquals",
            Test::ArnNotLike => "ArnNotLike",
            Test::Null => "Null",
        }
    }

    /// Whether the test is the negation of another (it holds when nothing matches).
    pub const fn is_negated(self) -> bool {
        matches!(
            self,
            Test::StringNotEquals
                | Test::StringNotEqualsIgnoreCase
                | Test::StringNotLike
                | Test::NumericNotEquals
                | Test::DateNotEquals
                | Test::NotIpAddress
                | Test::ArnNotEquals
                | Test::ArnNotLike
        )
    }

    /// Whether values may contain policy variables (string and ARN operators only).
    pub const fn takes_variables(self) -> bool {
        matches!(
            self,
            Test::StringEquals
                | Test::StringNotEquals
                | Test::StringEqualsIgnoreCase
                | Test::StringNotEqualsIgnoreCase
                | Test::StringLike
                | Test::StringNotLike
                | Test::ArnEquals
                | Test::ArnLike
                | Test::ArnNotEquals
                | Test::ArnNotLike
        )
    }

    /// Checks a policy value when the policy is read; the error says why it is unusable.
    pub(crate) fn check_value(self, value: &str) -> Result<(), String> {
        let ok = match self {
            Test::NumericEquals
            | Test::NumericNotEquals
            | Test::NumericLessThan
            | Test::NumericLessThanEquals
            | Test::NumericGreaterThan
            | Test::NumericGreaterThanEquals => parse_number(value).is_some(),
            Test::DateEquals
            | Test::DateNotEquals
            | Test::DateLessThan
            | Test::DateLessThanEquals
            | Test::DateGreaterThan
            | Test::DateGreaterThanEquals => parse_date(value).is_some(),
            Test::Bool | Test::Null => parse_bool(value).is_some(),
            Test::BinaryEquals => parse_binary(value).is_some(),
            Test::IpAddress | Test::NotIpAddress => parse_cidr(value).is_some(),
            _ => true,
        };
        if ok {
            Ok(())
        } else {
            let expected = match self {
                Test::Bool | Test::Null => "true or false",
                Test::BinaryEquals => "base64",
                Test::IpAddress | Test::NotIpAddress => "an IP address or CIDR block",
                t if t.name().starts_with("Date") => "an ISO 8601 date or epoch seconds",
                _ => "a number",
            };
            Err(format!("the value '{value}' is not {expected}"))
        }
    }

    /// The positive form of the test, for one resolved policy value and one context value.
    fn holds(self, policy: &Resolved, value: &str) -> bool {
        match (self, policy) {
            (Test::StringEquals | Test::StringNotEquals, Resolved::Text(p)) => p == value,
            (Test::StringEqualsIgnoreCase | Test::StringNotEqualsIgnoreCase, Resolved::Text(p)) => {
                p.to_lowercase() == value.to_lowercase()
            }
            (Test::StringLike | Test::StringNotLike, Resolved::Pattern(p)) => p.matches(value),
            (_, Resolved::Pattern(p)) => p.matches_arn(value),
            (_, Resolved::Text(p)) => self.holds_typed(p, value),
        }
    }

    fn holds_typed(self, policy: &str, value: &str) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let ordering = match self {
            Test::NumericEquals
            | Test::NumericNotEquals
            | Test::NumericLessThan
            | Test::NumericLessThanEquals
            | Test::NumericGreaterThan
            | Test::NumericGreaterThanEquals => parse_number(value)
                .zip(parse_number(policy))
                .and_then(|(v, p)| v.partial_cmp(&p)),
            Test::DateEquals
            | Test::DateNotEquals
            | Test::DateLessThan
            | Test::DateLessThanEquals
            | Test::DateGreaterThan
            | Test::DateGreaterThanEquals => parse_date(value)
                .zip(parse_date(policy))
                .map(|(v, p)| v.cmp(&p)),
            Test::Bool => {
                return parse_bool(value).is_some_and(|v| Some(v) == parse_bool(policy));
            }
            Test::BinaryEquals => {
                return parse_binary(value).is_some_and(|v| Some(v) == parse_binary(policy));
            }
            Test::IpAddress | Test::NotIpAddress => {
                return value
                    .parse::<IpAddr>()
                    .ok()
                    .zip(parse_cidr(policy))
                    .is_some_and(|(ip, (net, bits))| in_network(ip, net, bits));
            }
            _ => None,
        };
        let Some(ordering) = ordering else {
            return false;
        };
        let name = self.name();
        if name.ends_with("LessThanEquals") {
            ordering != Greater
        } else if name.ends_with("GreaterThanEquals") {
            ordering != Less
        } else if name.ends_with("LessThan") {
            ordering == Less
        } else if name.ends_with("GreaterThan") {
            ordering == Greater
        } else {
            ordering == Equal
        }
    }
}

impl Operator {
    /// Reads an operator name such as `ForAnyValue:StringLikeIfExists`.
    pub(crate) fn parse(name: &str) -> Result<Operator, String> {
        let (qualifier, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else {
            (None, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let test = Test::ALL
            .into_iter()
            .find(|t| t.name() == base)
            .ok_or_else(|| format!("unknown condition operator '{name}'"))?;
        // Access Analyzer's "Error – Null with if exists" refuses `NullIfExists`; a set
        // qualifier on `Null` is only its "Suggestion – Null with qualifier".
        if test == Test::Null && if_exists {
            return Err(format!("the Null operator cannot be written as '{name}'"));
        }
        Ok(Operator {
            qualifier,
            test,
            if_exists,
        })
    }

    /// The operator's name as a policy writes it.
    pub fn name(&self) -> String {
        let prefix = match self.qualifier {
            None => "",
            Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
            Some(SetQualifier::ForAllValues) => "ForAllValues:",
        };
        let suffix = if self.if_exists { "IfExists" } else { "" };
        format!("{prefix}{}{suffix}", self.test.name())
    }
}

/// A policy value ready to compare.
enum Resolved {
    Text(String),
    Pattern(Pattern),
}

impl Condition {
    /// Whether this entry holds for the request.
    pub(crate) fn holds(&self, ctx: &RequestContext) -> bool {
        let Operator {
            qualifier,
            test,
            if_exists,
        } = self.operator;
        let values = ctx.values(&self.key);
        let present = values.as_ref().is_some_and(|v| !v.is_empty());
        // Access Analyzer, "Suggestion – Null with qualifier": "When you use the Null condition
        // operator with ForAllValues, the statement always returns true. When you use the Null
        // condition operator with ForAnyValue, the statement always returns false."
        match (test, qualifier) {
            (Test::Null, Some(SetQualifier::ForAllValues)) => return true,
            (Test::Null, Some(SetQualifier::ForAnyValue)) => return false,
            _ => {}
        }
        if test == Test::Null {
            return self
                .values
                .iter()
                .any(|p| parse_bool(p.raw()) == Some(!present));
        }
        let Some(values) = values.filter(|_| present) else {
            return if_exists
                || match qualifier {
                    Some(SetQualifier::ForAllValues) => true,
                    Some(SetQualifier::ForAnyValue) => false,
                    None => test.is_negated(),
                };
        };
        let policy = self.resolve(ctx);
        let passes = |value: &String| {
            let any = policy.iter().any(|p| test.holds(p, value));
            any != test.is_negated()
        };
        match qualifier {
            Some(SetQualifier::ForAnyValue) => values.iter().any(passes),
            Some(SetQualifier::ForAllValues) => values.iter().all(passes),
            None if test.is_negated() => values.iter().all(passes),
            None => values.iter().any(passes),
        }
    }

    /// The policy values ready to compare, leaving out those whose variable has no value.
    fn resolve(&self, ctx: &RequestContext) -> Vec<Resolved> {
        let test = self.operator.test;
        self.values
            .iter()
            .filter_map(|v| match test {
                Test::StringLike
                | Test::StringNotLike
                | Test::ArnEquals
                | Test::ArnLike
                | Test::ArnNotEquals
                | Test::ArnNotLike => v.pattern(ctx).map(Resolved::Pattern),
                _ => v.literal(ctx).map(Resolved::Text),
            })
            .collect()
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let valid = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    s.parse::<f64>().ok().filter(|n| valid && n.is_finite())
}

/// An ISO 8601 date-time (with or without offset; no offset means UTC), a date, or epoch
/// seconds.
pub(crate) fn parse_date(s: &str) -> Option<jiff::Timestamp> {
    use jiff::civil;
    use jiff::tz::TimeZone;
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts);
    }
    if let Some(secs) = parse_number(s) {
        let d = jiff::SignedDuration::try_from_secs_f64(secs).ok()?;
        return jiff::Timestamp::from_duration(d).ok();
    }
    let civil = s
        .parse::<civil::DateTime>()
        .or_else(|_| s.parse::<civil::Date>().map(civil::DateTime::from))
        .ok()?;
    civil.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp())
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn parse_binary(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

/// An address or CIDR block: the network address and the prefix length.
pub(crate) fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, bits) = match s.split_once('/') {
        Some((addr, bits)) => (addr, Some(bits)),
        None => (s, None),
    };
    let addr: IpAddr = addr.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let bits = match bits {
        None => max,
        Some(b) if !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()) => {
            b.parse::<u8>().ok().filter(|b| *b <= max)?
        }
        Some(_) => return None,
    };
    Some((addr, bits))
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_names_round_trip() {
        for test in Test::ALL {
            for name in [
                test.name().to_owned(),
                format!("ForAnyValue:{}IfExists", test.name()),
                format!("ForAllValues:{}", test.name()),
            ] {
                match Operator::parse(&name) {
                    Ok(op) => assert_eq!(op.name(), name),
                    Err(why) => assert_eq!(name, "ForAnyValue:NullIfExists", "{why}"),
                }
            }
        }
        assert!(Operator::parse("StringEqualz").is_err());
        assert!(Operator::parse("NullIfExists").is_err());
        assert!(Operator::parse("stringequals").is_err());
    }

    #[test]
    fn dates_read_iso_8601_and_epoch_seconds() {
        let t = parse_date("2020-01-01T00:00:00Z").unwrap();
        assert_eq!(parse_date("1577836800"), Some(t));
        assert_eq!(parse_date("2020-01-01"), Some(t));
        assert_eq!(parse_date("2020-01-01T00:00:00"), Some(t));
        assert_eq!(parse_date("2020-01-01T01:00:00+01:00"), Some(t));
        assert!(parse_date("1577836800.5").unwrap() > t);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("1e400"), None);
    }

    #[test]
    fn cidr_blocks_contain_their_addresses() {
        let (net, bits) = parse_cidr("203.0.113.0/24").unwrap();
        assert!(in_network("203.0.113.9".parse().unwrap(), net, bits));
        assert!(!in_network("203.0.114.9".parse().unwrap(), net, bits));
        let (net, bits) = parse_cidr("2001:db8::/32").unwrap();
        assert!(in_network("2001:db8:1::1".parse().unwrap(), net, bits));
        assert!(!in_network("10.0.0.1".parse().unwrap(), net, bits));
        let (net, bits) = parse_cidr("0.0.0.0/0").unwrap();
        assert!(in_network("1.2.3.4".parse().unwrap(), net, bits));
        assert_eq!(
            parse_cidr("10.0.0.1"),
            Some(("10.0.0.1".parse().unwrap(), 32))
        );
        for bad in ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/+8", "nope", "::/129"] {
            assert_eq!(parse_cidr(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_are_decimal_text_only() {
        assert_eq!(parse_number("10"), Some(10.0));
        assert_eq!(parse_number("-1.5e2"), Some(-150.0));
        for bad in ["", "inf", "NaN", "0x10", "1 "] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }
}
