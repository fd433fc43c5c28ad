//! Quoting of identifiers and string literals for the statements that take no bind
//! parameters (`ALTER ROLE ... PASSWORD`, `CREATE USER ... IDENTIFIED BY`, `SET PASSWORD`,
//! `GRANT ... TO`). A value that cannot be quoted safely is refused, never passed through.

use zeroize::Zeroizing;

use crate::{Error, Result};

fn refuse_nul(what: &str, s: &str) -> Result<()> {
    if s.contains('\0') {
        return Err(Error::invalid_parameter(format!(
            "The {what} contains a NUL character, which the database can't store."
        )));
    }
    Ok(())
}

/// A PostgreSQL identifier, always double-quoted (so its case is kept exactly, as
/// `quote_ident` keeps it): `"` doubles.
pub(crate) fn pg_ident(name: &str) -> Result<String> {
    refuse_nul("user name", name)?;
    Ok(format!("\"{}\"", name.replace('"', "\"\"")))
}

/// A PostgreSQL string literal in the escape-string form `E'...'`, whose meaning does not
/// depend on `standard_conforming_strings`: `\` and `'` are escaped.
pub(crate) fn pg_literal(value: &str) -> Result<Zeroizing<String>> {
    refuse_nul("password", value)?;
    let mut out = Zeroizing::new(String::with_capacity(value.len() + 3));
    out.push_str("E'");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("''"),
            c => out.push(c),
        }
    }
    out.push('\'');
    Ok(out)
}

/// A MySQL/MariaDB string literal (also how an account name `'user'` is written). With
/// backslash escapes on (the default `sql_mode`) `\` is escaped; with `NO_BACKSLASH_ESCAPES`
/// it is an ordinary character. `'` doubles in both modes.
pub(crate) fn mysql_literal(value: &str, backslash_escapes: bool) -> Result<Zeroizing<String>> {
    refuse_nul("value", value)?;
    let mut out = Zeroizing::new(String::with_capacity(value.len() + 2));
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' if backslash_escapes => out.push_str("\\\\"),
            '\'' => out.push_str("''"),
            c => out.push(c),
        }
    }
    out.push('\'');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pg_identifiers_are_double_quoted_with_inner_quotes_doubled() {
        assert_eq!(pg_ident("app").unwrap(), r#""app""#);
        assert_eq!(pg_ident("App User").unwrap(), r#""App User""#);
        assert_eq!(pg_ident(r#"a"b"#).unwrap(), r#""a""b""#);
        assert_eq!(pg_ident(r"a\b'c").unwrap(), r#""a\b'c""#);
        assert_eq!(pg_ident(r#"""#).unwrap(), r#""""""#);
    }

    #[test]
    fn pg_literals_escape_quotes_and_backslashes_in_an_escape_string() {
        assert_eq!(*pg_literal("secret").unwrap(), "E'secret'");
        assert_eq!(*pg_literal("it's").unwrap(), "E'it''s'");
        assert_eq!(*pg_literal(r"back\slash").unwrap(), r"E'back\\slash'");
        assert_eq!(*pg_literal(r"\'").unwrap(), r"E'\\'''");
        assert_eq!(*pg_literal(r#""@/"#).unwrap(), r#"E'"@/'"#);
        assert_eq!(*pg_literal("").unwrap(), "E''");
        assert_eq!(*pg_literal("ünï").unwrap(), "E'ünï'");
    }

    #[test]
    fn mysql_literals_escape_backslashes_only_when_the_server_treats_them_as_escapes() {
        assert_eq!(*mysql_literal("secret", true).unwrap(), "'secret'");
        assert_eq!(*mysql_literal("it's", true).unwrap(), "'it''s'");
        assert_eq!(
            *mysql_literal(r"back\slash", true).unwrap(),
            r"'back\\slash'"
        );
        assert_eq!(*mysql_literal(r"\'", true).unwrap(), r"'\\'''");
        assert_eq!(
            *mysql_literal(r"back\slash", false).unwrap(),
            r"'back\slash'"
        );
        assert_eq!(*mysql_literal(r"\'", false).unwrap(), r"'\'''");
        assert_eq!(*mysql_literal("`x`", true).unwrap(), "'`x`'");
    }

    #[test]
    fn nul_characters_are_refused_without_echoing_the_value() {
        let e = pg_literal("xq7\0zz").unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidParameter);
        assert!(!e.message.contains("xq7"));
        assert!(pg_ident("a\0").is_err());
        assert!(mysql_literal("a\0", true).is_err());
    }

    /// Whatever the value, the quoted literal reads back (as the server's lexer reads it) to
    /// exactly the value: a quote never closes the literal early.
    #[test]
    fn quoted_literals_read_back_to_the_value() {
        fn unquote_pg(lit: &str) -> String {
            let body = lit.strip_prefix("E'").unwrap().strip_suffix('\'').unwrap();
            let mut out = String::new();
            let mut it = body.chars().peekable();
            while let Some(c) = it.next() {
                match c {
                    '\\' => out.push(it.next().unwrap()),
                    '\'' => {
                        assert_eq!(it.next(), Some('\''), "a lone quote ends the literal");
                        out.push('\'');
                    }
                    c => out.push(c),
                }
            }
            out
        }
        fn unquote_mysql(lit: &str, backslash: bool) -> String {
            let body = lit.strip_prefix('\'').unwrap().strip_suffix('\'').unwrap();
            let mut out = String::new();
            let mut it = body.chars();
            while let Some(c) = it.next() {
                match c {
                    '\\' if backslash => out.push(it.next().unwrap()),
                    '\'' => {
                        assert_eq!(it.next(), Some('\''), "a lone quote ends the literal");
                        out.push('\'');
                    }
                    c => out.push(c),
                }
            }
            out
        }
        for v in [
            r"plain",
            r"'",
            r"\",
            r"\'",
            r"'\",
            r"''\\''",
            r"end\",
            r#"x'; DROP ROLE postgres; --"#,
            "tab\tnew\nline",
        ] {
            assert_eq!(unquote_pg(&pg_literal(v).unwrap()), v);
            assert_eq!(unquote_mysql(&mysql_literal(v, true).unwrap(), true), v);
            assert_eq!(unquote_mysql(&mysql_literal(v, false).unwrap(), false), v);
        }
    }
}
