//! The AWS CLI's shorthand syntax for a structure argument, as `--context-entries` takes
//! it: `ContextKeyName=aws:CurrentTime,ContextKeyValues=[a,b],ContextKeyType=dateList`.
//!
//! As the AWS CLI reads it (AWS CLI User Guide, "Using shorthand syntax with the AWS CLI"):
//! members are `Key=value` separated by commas; a list is `[a,b]`, or bare values after
//! `Key=` up to the next `Key=` (`ContextKeyValues=a,b,ContextKeyType=stringList`); a value
//! may be quoted with `'` or `"` to hold commas, brackets or `=`; `\` escapes one character
//! of an unquoted value.

use anyhow::{Result, bail};

/// A shorthand value: a scalar or a list of scalars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Scalar(String),
    List(Vec<String>),
}

impl Value {
    /// The value as a list: a scalar is a list of one.
    pub fn into_list(self) -> Vec<String> {
        match self {
            Value::Scalar(s) => vec![s],
            Value::List(l) => l,
        }
    }
}

/// Parses a structure: its members in order.
pub fn parse(text: &str) -> Result<Vec<(String, Value)>> {
    let mut p = Parser {
        chars: text.chars().collect(),
        at: 0,
    };
    let mut members: Vec<(String, Value)> = Vec::new();
    loop {
        p.skip_spaces();
        if p.done() {
            break;
        }
        let key = p.key()?;
        let value = if p.peek() == Some('[') {
            p.at += 1;
            Value::List(p.list()?)
        } else {
            let first = p.scalar(&[','])?;
            let mut more = Vec::new();
            // Bare values after `Key=` up to the next `Key=` make a list.
            while p.peek() == Some(',') && !p.next_is_key() {
                p.at += 1;
                more.push(p.scalar(&[','])?);
            }
            if more.is_empty() {
                Value::Scalar(first)
            } else {
                more.insert(0, first);
                Value::List(more)
            }
        };
        members.push((key, value));
        p.skip_spaces();
        match p.peek() {
            None => break,
            Some(',') => p.at += 1,
            Some(c) => bail!("shorthand: unexpected '{c}' at character {}", p.at + 1),
        }
    }
    if members.is_empty() {
        bail!("shorthand: expected Key=value");
    }
    Ok(members)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn done(&self) -> bool {
        self.at >= self.chars.len()
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn key(&mut self) -> Result<String> {
        let start = self.at;
        while let Some(c) = self.peek() {
            if c == '=' {
                let key: String = self.chars[start..self.at].iter().collect();
                self.at += 1;
                let key = key.trim().to_owned();
                if key.is_empty() {
                    bail!("shorthand: a member needs a name before '='");
                }
                return Ok(key);
            }
            if c == ',' || c == '[' || c == ']' {
                break;
            }
            self.at += 1;
        }
        let seen: String = self.chars[start..self.at].iter().collect();
        bail!("shorthand: expected Key=value, found '{seen}'")
    }

    /// Whether the text after the `,` at the cursor starts a new `Key=`.
    fn next_is_key(&self) -> bool {
        let rest = &self.chars[self.at + 1..];
        for &c in rest {
            match c {
                '=' => return true,
                ',' | '[' | ']' | '\'' | '"' => return false,
                _ => {}
            }
        }
        false
    }

    /// A scalar: quoted, or unquoted up to one of `stops` (or the end).
    fn scalar(&mut self, stops: &[char]) -> Result<String> {
        self.skip_spaces();
        if let Some(q @ ('\'' | '"')) = self.peek() {
            self.at += 1;
            let start = self.at;
            while self.peek().is_some_and(|c| c != q) {
                self.at += 1;
            }
            if self.done() {
                bail!("shorthand: unterminated {q} quote");
            }
            let s: String = self.chars[start..self.at].iter().collect();
            self.at += 1;
            self.skip_spaces();
            return Ok(s);
        }
        let mut s = String::new();
        while let Some(c) = self.peek() {
            if stops.contains(&c) {
                break;
            }
            if c == '\\' {
                self.at += 1;
                if let Some(escaped) = self.peek() {
                    s.push(escaped);
                    self.at += 1;
                }
                continue;
            }
            s.push(c);
            self.at += 1;
        }
        Ok(s.trim().to_owned())
    }

    /// The items of a `[...]` list, the cursor after its `[`.
    fn list(&mut self) -> Result<Vec<String>> {
        let mut items = Vec::new();
        self.skip_spaces();
        if self.peek() == Some(']') {
            self.at += 1;
            return Ok(items);
        }
        loop {
            items.push(self.scalar(&[',', ']'])?);
            match self.peek() {
                Some(',') => self.at += 1,
                Some(']') => {
                    self.at += 1;
                    return Ok(items);
                }
                _ => bail!("shorthand: unterminated '[' list"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| (*s).to_owned()).collect())
    }

    fn scalar(s: &str) -> Value {
        Value::Scalar(s.to_owned())
    }

    #[test]
    fn a_bracketed_list_is_its_items_not_bracketed_strings() {
        let got =
            parse("ContextKeyName=k:k,ContextKeyValues=[a,b],ContextKeyType=stringList").unwrap();
        assert_eq!(
            got,
            [
                ("ContextKeyName".to_owned(), scalar("k:k")),
                ("ContextKeyValues".to_owned(), list(&["a", "b"])),
                ("ContextKeyType".to_owned(), scalar("stringList")),
            ]
        );
    }

    #[test]
    fn bare_values_after_a_key_run_to_the_next_key() {
        let got =
            parse("ContextKeyName=k:k,ContextKeyValues=a,b,ContextKeyType=stringList").unwrap();
        assert_eq!(got[1].1, list(&["a", "b"]));
        assert_eq!(got[2].1, scalar("stringList"));
    }

    /// The AWS CLI reference's own example for `simulate-principal-policy`:
    /// `--context-entries "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date"`.
    #[test]
    fn quoted_values_keep_colons_commas_and_brackets() {
        let got = parse(
            "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date",
        )
        .unwrap();
        assert_eq!(got[0].1, scalar("aws:CurrentTime"));
        assert_eq!(got[1].1, scalar("2019-04-25T11:00:00Z"));
        let got = parse(r#"ContextKeyValues=["a,b", 'c]', d\,e]"#).unwrap();
        assert_eq!(got[0].1, list(&["a,b", "c]", "d,e"]));
        assert_eq!(parse("K=[]").unwrap()[0].1, list(&[]));
    }

    #[test]
    fn malformed_shorthand_is_refused() {
        for bad in ["", "novalue", "K=[a,b", "K='open", "=v"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
