//! Wildcards, policy variables and ARN components.
//!
//! IAM wildcards are `*` (any run of characters, `/` and `:` included) and `?` (any one
//! character). Values may hold policy variables `${key}` or `${key, 'default'}` and the escapes
//! `${*}`, `${?}`, `${$}`, which stand for a literal `*`, `?` and `$`. A variable's value is
//! always literal text, never a wildcard. This is why the module has its own matcher rather
//! than a glob crate: a pattern must be able to hold a literal `*`.

use std::borrow::Cow;

/// Looks up the single value of a context key for a policy variable, case-insensitively.
pub(crate) trait Variables {
    fn variable(&self, key: &str) -> Option<Cow<'_, str>>;
}

/// A policy value as written, with its variables and escapes recognized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    raw: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Text in which `*` and `?` are wildcards where the operator allows them.
    Text(String),
    /// A character from an escape, never a wildcard.
    Escaped(char),
    Variable {
        key: String,
        default: Option<String>,
    },
}

impl Template {
    /// Reads `raw`; with `variables` false (policy version 2008-10-17) `${...}` is plain text.
    pub(crate) fn parse(raw: &str, variables: bool) -> Self {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = raw;
        while variables && let Some(open) = rest.find("${") {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            let inner = &rest[open + 2..close];
            let part = match inner {
                "*" => Some(Part::Escaped('*')),
                "?" => Some(Part::Escaped('?')),
                "$" => Some(Part::Escaped('$')),
                _ => parse_variable(inner),
            };
            text.push_str(&rest[..open]);
            match part {
                Some(part) => {
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(part);
                }
                None => text.push_str(&rest[open..=close]),
            }
            rest = &rest[close + 1..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Self {
            raw: raw.to_owned(),
            parts,
        }
    }

    /// The value exactly as the policy wrote it.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The keys of the variables this value refers to, with whether each has a default.
    pub(crate) fn variables(&self) -> impl Iterator<Item = (&str, bool)> {
        self.parts.iter().filter_map(|p| match p {
            Part::Variable { key, default } => Some((key.as_str(), default.is_some())),
            _ => None,
        })
    }

    /// The value with variables substituted and `*`/`?` taken literally (for equality
    /// operators); `None` when a variable cannot be resolved.
    pub(crate) fn literal(&self, vars: &dyn Variables) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Escaped(c) => out.push(*c),
                Part::Variable { key, default } => out.push_str(&resolve(vars, key, default)?),
            }
        }
        Some(out)
    }

    /// The value as a wildcard pattern; `None` when a variable cannot be resolved.
    pub(crate) fn pattern(&self, vars: &dyn Variables) -> Option<Pattern> {
        let mut tokens = Vec::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => tokens.extend(t.chars().map(Token::wildcard)),
                Part::Escaped(c) => tokens.push(Token::Char(*c)),
                Part::Variable { key, default } => {
                    tokens.extend(resolve(vars, key, default)?.chars().map(Token::Char));
                }
            }
        }
        Some(Pattern(tokens))
    }
}

fn parse_variable(inner: &str) -> Option<Part> {
    let (key, default) = match inner.split_once(',') {
        None => (inner.trim(), None),
        Some((key, default)) => {
            let default = default.trim();
            let quoted = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))?;
            (key.trim(), Some(quoted.to_owned()))
        }
    };
    let valid = !key.is_empty() && !key.contains(char::is_whitespace) && !key.contains('$');
    valid.then(|| Part::Variable {
        key: key.to_owned(),
        default,
    })
}

fn resolve<'a>(
    vars: &'a dyn Variables,
    key: &str,
    default: &'a Option<String>,
) -> Option<Cow<'a, str>> {
    vars.variable(key)
        .or_else(|| default.as_deref().map(Cow::Borrowed))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    Many,
    One,
    Char(char),
}

impl Token {
    fn wildcard(c: char) -> Self {
        match c {
            '*' => Self::Many,
            '?' => Self::One,
            c => Self::Char(c),
        }
    }
}

/// A resolved wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern(Vec<Token>);

impl Pattern {
    /// Whether the whole of `text` matches, case-sensitively.
    pub(crate) fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        match_tokens(&self.0, &text)
    }

    /// ARN matching as the `Arn*` operators do it: each of the six colon-separated
    /// components separately (the last one keeps any further colons).
    pub(crate) fn matches_arn(&self, arn: &str) -> bool {
        let Some(components) = split_arn(arn) else {
            return false;
        };
        let mut pieces = self.0.splitn(6, |t| *t == Token::Char(':'));
        components.iter().all(|component| {
            let chars: Vec<char> = component.chars().collect();
            pieces
                .next()
                .is_some_and(|piece| match_tokens(piece, &chars))
        })
    }
}

/// Whether `text` matches `pattern`, where every `*` and `?` in the pattern is a wildcard.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    Pattern(pattern.chars().map(Token::wildcard).collect()).matches(text)
}

/// [`glob`] ignoring case (actions, service names).
pub(crate) fn glob_ignore_case(pattern: &str, text: &str) -> bool {
    glob(&pattern.to_lowercase(), &text.to_lowercase())
}

/// The six components of an ARN (`arn:partition:service:region:account:resource`).
pub(crate) fn split_arn(arn: &str) -> Option<[&str; 6]> {
    let mut parts = arn.splitn(6, ':');
    let components = [(); 6].map(|()| parts.next());
    if components[0] != Some("arn") {
        return None;
    }
    Some(components.map(|c| c.unwrap_or_default())).filter(|_| components[5].is_some())
}

/// The account component of an ARN, if the text is one.
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    split_arn(arn).map(|c| c[4])
}

/// Whether some text matches both wildcard patterns (used to ask whether a policy's
/// pattern can ever match, say, a secret's ARN).
pub(crate) fn globs_overlap(a: &str, b: &str) -> bool {
    let a: Vec<Token> = a.chars().map(Token::wildcard).collect();
    let b: Vec<Token> = b.chars().map(Token::wildcard).collect();
    // reachable[j] after processing row i: the pair (i, j) can be reached.
    let mut reachable = vec![vec![false; b.len() + 1]; a.len() + 1];
    reachable[0][0] = true;
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            if !reachable[i][j] {
                continue;
            }
            let (x, y) = (a.get(i), b.get(j));
            if x == Some(&Token::Many) {
                reachable[i + 1][j] = true;
                if j < b.len() {
                    reachable[i][j + 1] = true;
                }
            }
            if y == Some(&Token::Many) {
                reachable[i][j + 1] = true;
                if i < a.len() {
                    reachable[i + 1][j] = true;
                }
            }
            if let (Some(x), Some(y)) = (x, y) {
                let same_char = match (x, y) {
                    (Token::Char(p), Token::Char(q)) => p == q,
                    _ => true,
                };
                if *x != Token::Many && *y != Token::Many && same_char {
                    reachable[i + 1][j + 1] = true;
                }
            }
        }
    }
    reachable[a.len()][b.len()]
}

fn match_tokens(pattern: &[Token], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Token::One) => {
                p += 1;
                t += 1;
            }
            Some(Token::Char(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            Some(Token::Many) => {
                backtrack = Some((p, t));
                p += 1;
            }
            _ => match backtrack {
                Some((star, from)) => {
                    p = star + 1;
                    t = from + 1;
                    backtrack = Some((star, from + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|t| *t == Token::Many)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Vars(HashMap<&'static str, &'static str>);
    impl Variables for Vars {
        fn variable(&self, key: &str) -> Option<Cow<'_, str>> {
            self.0
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| Cow::Borrowed(*v))
        }
    }

    fn vars() -> Vars {
        Vars(HashMap::from([("aws:username", "bob"), ("x:star", "a*")]))
    }

    #[test]
    fn wildcards_cross_slashes_and_colons() {
        assert!(glob(
            "arn:aws:*",
            "arn:aws:secretsmanager:us-east-1:1:secret:a/b"
        ));
        assert!(glob("a?c", "a/c"));
        assert!(glob("a?c", "a:c"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*", ""));
        assert!(glob("*a*b", "xxaxxb"));
        assert!(!glob("*a*b", "xxaxxbx"));
        assert!(!glob("abc", "ABC"));
        assert!(glob_ignore_case(
            "SecretsManager:Get*",
            "secretsmanager:GETSECRETVALUE"
        ));
    }

    #[test]
    fn variables_and_escapes_resolve() {
        let t = Template::parse("home/${aws:username}/${*}${?}${$}", true);
        assert_eq!(t.literal(&vars()).unwrap(), "home/bob/*?$");
        let p = t.pattern(&vars()).unwrap();
        assert!(p.matches("home/bob/*?$"));
        assert!(!p.matches("home/bob/x?$"));
    }

    #[test]
    fn a_variable_value_is_literal_text() {
        let p = Template::parse("${x:star}", true).pattern(&vars()).unwrap();
        assert!(p.matches("a*"));
        assert!(!p.matches("abc"));
    }

    #[test]
    fn unresolved_variables_fail_unless_they_have_a_default() {
        assert_eq!(
            Template::parse("${aws:userid}", true).literal(&vars()),
            None
        );
        let t = Template::parse("${aws:userid, 'nobody'}-${AWS:UserName}", true);
        assert_eq!(t.literal(&vars()).unwrap(), "nobody-bob");
    }

    #[test]
    fn version_2008_and_broken_syntax_keep_the_text() {
        let t = Template::parse("${aws:username}", false);
        assert_eq!(t.literal(&vars()).unwrap(), "${aws:username}");
        for raw in ["${", "${}", "a${b", "${a b}", "${k, nodefault}"] {
            assert_eq!(Template::parse(raw, true).literal(&vars()).unwrap(), raw);
        }
    }

    #[test]
    fn overlapping_globs_share_some_text() {
        let secret = "arn:*:secretsmanager:*:*:secret:*";
        assert!(globs_overlap("*", secret));
        assert!(globs_overlap("arn:aws:secretsmanager:*", secret));
        assert!(globs_overlap(
            "arn:aws:secretsmanager:us-east-1:1:secret:prod/*",
            secret
        ));
        assert!(globs_overlap(
            "arn:aws:secretsmanager:us-?ast-1:1:secret:x",
            secret
        ));
        assert!(!globs_overlap("arn:aws:s3:::bucket/x", secret));
        // Wildcards cross colons, so a trailing * can grow into any ARN.
        assert!(globs_overlap("arn:aws:s3:::bucket/*", secret));
        assert!(!globs_overlap(
            "arn:aws:secretsmanager:us-east-1:1:key/x",
            secret
        ));
        assert!(globs_overlap("a?c", "*b*"));
        assert!(!globs_overlap("a?c", "abcd"));
        assert!(globs_overlap("", "*"));
        assert!(!globs_overlap("", "?"));
    }

    #[test]
    fn arn_components_match_separately() {
        let p = Template::parse("arn:aws:iam::*:user/*", true)
            .pattern(&vars())
            .unwrap();
        assert!(p.matches_arn("arn:aws:iam::123456789012:user/a/b"));
        assert!(!p.matches_arn("arn:aws:iam::123456789012:role/a"));
        let star_region = Template::parse("arn:aws:secretsmanager:*:1:secret:x", true)
            .pattern(&vars())
            .unwrap();
        assert!(!star_region.matches_arn("arn:aws:secretsmanager:us-east-1:2:1:secret:x"));
        assert!(!p.matches_arn("not-an-arn"));
        assert_eq!(arn_account("arn:aws:iam::42:root"), Some("42"));
        assert_eq!(arn_account("arn:aws:iam"), None);
    }
}
