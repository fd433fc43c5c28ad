//! `.env` files: a parser for what people write, and a writer whose output the parser (and
//! the common dotenv readers) reads back exactly.
//!
//! Read: blank lines and `#` comments are skipped; `export KEY=value` is `KEY=value`;
//! spaces around `=` are ignored. A value is
//! - unquoted: up to a ` #` comment or the end of the line, trimmed, taken as it is;
//! - single-quoted: everything up to the next `'`, newlines included, with no escapes;
//! - double-quoted: up to the next unescaped `"`, newlines included, where `\n`, `\r`,
//!   `\t`, `\"`, `\\` and `\$` stand for their characters (any other `\x` stays as written).
//!
//! After a quoted value only spaces and a `#` comment may follow. A key may appear again;
//! the last one wins. Errors name the line, never a value.
//!
//! Written: a value of only letters, digits and `_-./:@+,%` stays bare; any other is
//! double-quoted, escaping `\`, `"`, `$` (so no reader expands it), newline, carriage
//! return and tab.

use zeroize::Zeroizing;

use crate::{Error, Result};

/// A variable name a `.env` file can hold: a letter or `_`, then letters, digits, `_`,
/// `.` or `-`.
pub fn is_key(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// Parses a `.env` file's text into its variables, in file order (a repeated key keeps its
/// first place and its last value).
pub fn parse(text: &str) -> Result<Vec<(String, Zeroizing<String>)>> {
    let mut out: Vec<(String, Zeroizing<String>)> = Vec::new();
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
        line: 1,
    };
    while let Some((key, value)) = p.next_entry()? {
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => out.push((key, value)),
        }
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    line: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> Error {
        Error::invalid_parameter(format!("line {}: {what}", self.line))
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    /// Skips the rest of a line that may hold only spaces and a comment.
    fn end_of_line(&mut self) -> Result<()> {
        self.skip_spaces();
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.i += 1;
                self.line += 1;
                Ok(())
            }
            Some(b'\r') if self.s.get(self.i + 1) == Some(&b'\n') => {
                self.i += 2;
                self.line += 1;
                Ok(())
            }
            Some(b'#') => {
                self.skip_line();
                Ok(())
            }
            Some(_) => Err(self.error("unexpected text after the closing quote")),
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == b'\n' {
                self.line += 1;
                return;
            }
        }
    }

    fn next_entry(&mut self) -> Result<Option<(String, Zeroizing<String>)>> {
        loop {
            self.skip_spaces();
            match self.peek() {
                None => return Ok(None),
                Some(b'\n') => {
                    self.i += 1;
                    self.line += 1;
                }
                Some(b'\r') if self.s.get(self.i + 1) == Some(&b'\n') => {
                    self.i += 2;
                    self.line += 1;
                }
                Some(b'#') => self.skip_line(),
                Some(_) => break,
            }
        }
        if self.text[self.i..].starts_with("export ") || self.text[self.i..].starts_with("export\t")
        {
            self.i += "export".len();
            self.skip_spaces();
        }
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
        {
            self.i += 1;
        }
        let key = &self.text[start..self.i];
        if !is_key(key) {
            return Err(self.error(
                "expected KEY=value (a key is a letter or _, then letters, digits, _ . -)",
            ));
        }
        self.skip_spaces();
        if self.peek() != Some(b'=') {
            return Err(self.error(&format!("expected = after {key}")));
        }
        self.i += 1;
        self.skip_spaces();
        let value = match self.peek() {
            Some(b'\'') => {
                self.i += 1;
                let v = self.single_quoted()?;
                self.end_of_line()?;
                v
            }
            Some(b'"') => {
                self.i += 1;
                let v = self.double_quoted()?;
                self.end_of_line()?;
                v
            }
            _ => self.unquoted(),
        };
        Ok(Some((key.to_string(), value)))
    }

    fn single_quoted(&mut self) -> Result<Zeroizing<String>> {
        let start_line = self.line;
        let start = self.i;
        while let Some(c) = self.peek() {
            if c == b'\'' {
                let v = Zeroizing::new(self.text[start..self.i].to_string());
                self.i += 1;
                return Ok(v);
            }
            if c == b'\n' {
                self.line += 1;
            }
            self.i += 1;
        }
        self.line = start_line;
        Err(self.error("a single-quoted value is never closed"))
    }

    fn double_quoted(&mut self) -> Result<Zeroizing<String>> {
        let start_line = self.line;
        let mut v = Zeroizing::new(String::new());
        let mut run = self.i;
        while let Some(c) = self.peek() {
            match c {
                b'"' => {
                    v.push_str(&self.text[run..self.i]);
                    self.i += 1;
                    return Ok(v);
                }
                b'\\' => {
                    v.push_str(&self.text[run..self.i]);
                    let escaped = match self.s.get(self.i + 1) {
                        Some(b'n') => Some('\n'),
                        Some(b'r') => Some('\r'),
                        Some(b't') => Some('\t'),
                        Some(b'"') => Some('"'),
                        Some(b'\\') => Some('\\'),
                        Some(b'$') => Some('$'),
                        _ => None,
                    };
                    match escaped {
                        Some(e) => {
                            v.push(e);
                            self.i += 2;
                        }
                        None => {
                            v.push('\\');
                            self.i += 1;
                        }
                    }
                    run = self.i;
                }
                b'\n' => {
                    self.line += 1;
                    self.i += 1;
                }
                _ => self.i += 1,
            }
        }
        self.line = start_line;
        Err(self.error("a double-quoted value is never closed"))
    }

    fn unquoted(&mut self) -> Zeroizing<String> {
        let start = self.i;
        let mut end = self.i;
        while let Some(c) = self.peek() {
            if c == b'\n' {
                break;
            }
            if c == b'#' && (self.i == start || matches!(self.s[self.i - 1], b' ' | b'\t')) {
                self.skip_line();
                return Zeroizing::new(self.text[start..end].trim().to_string());
            }
            self.i += 1;
            end = self.i;
        }
        let v = Zeroizing::new(self.text[start..end].trim().to_string());
        if self.peek() == Some(b'\n') {
            self.i += 1;
            self.line += 1;
        }
        v
    }
}

fn bare(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_-./:@+,%".contains(&c))
}

/// One `KEY=value` line (with its newline), quoted so that [`parse`] reads `value` back.
pub fn line(key: &str, value: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(key.len() + value.len() + 4));
    out.push_str(key);
    out.push('=');
    if bare(value) {
        out.push_str(value);
    } else {
        out.push('"');
        for c in value.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '$' => out.push_str("\\$"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push('\n');
    out
}

/// A whole `.env` file for `vars`, in their order.
pub fn write(vars: &[(String, Zeroizing<String>)]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    for (k, v) in vars {
        out.push_str(&line(k, v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plain(text: &str) -> Vec<(String, String)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect()
    }

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_what_people_write_in_env_files() {
        let text = "# database\n\
                    export DB_HOST = db.local  # the host\n\
                    DB_PASS='it is'\n\
                    EMPTY=\n\
                    URL=postgres://u:p@h/db?x=1#frag\n\
                    \n\
                    MULTI=\"line one\nline two\"\n\
                    ESC=\"tab\\there \\\"q\\\" \\$HOME \\\\ \\x\" # note\n\
                    SINGLE='no \\n escapes # here'\r\n\
                    DB_HOST=again\n";
        assert_eq!(
            plain(text),
            kv(&[
                ("DB_HOST", "again"),
                ("DB_PASS", "it is"),
                ("EMPTY", ""),
                ("URL", "postgres://u:p@h/db?x=1#frag"),
                ("MULTI", "line one\nline two"),
                ("ESC", "tab\there \"q\" $HOME \\ \\x"),
                ("SINGLE", "no \\n escapes # here"),
            ])
        );
    }

    #[test]
    fn errors_name_the_line_and_never_the_value() {
        for (text, line) in [
            ("A=1\nnot a line\n", 2),
            ("A=1\nB=\"secret-value never closed\n", 2),
            ("A='secret-value\n", 1),
            ("A=\"x\" secret-value\n", 1),
            ("1A=x\n", 1),
        ] {
            let e = parse(text).unwrap_err();
            assert!(
                e.message.starts_with(&format!("line {line}:")),
                "{}",
                e.message
            );
            assert!(!e.message.contains("secret-value"), "{}", e.message);
        }
    }

    #[test]
    fn values_needing_quotes_are_written_quoted() {
        assert_eq!(line("A", "plain-value_1.2").as_str(), "A=plain-value_1.2\n");
        assert_eq!(line("A", "").as_str(), "A=\"\"\n");
        assert_eq!(
            line("A", "a b#c=d\"e'$f\\g\nh").as_str(),
            "A=\"a b#c=d\\\"e'\\$f\\\\g\\nh\"\n"
        );
    }

    proptest! {
        #[test]
        fn written_files_parse_back_to_the_same_variables(
            vars in proptest::collection::btree_map(
                "[A-Za-z_][A-Za-z0-9_.-]{0,12}",
                prop_oneof![
                    any::<String>(),
                    "[ a-z#=\"'\\\\$\n\r\t]{0,20}",
                ],
                0..8,
            )
        ) {
            let vars: Vec<(String, Zeroizing<String>)> = vars
                .into_iter()
                .map(|(k, v)| (k, Zeroizing::new(v)))
                .collect();
            let back = parse(&write(&vars)).unwrap();
            prop_assert_eq!(
                back.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>(),
                vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>()
            );
        }
    }
}
