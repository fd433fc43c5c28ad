//! A YAML mapping of strings to strings, every key and value double-quoted, so that no
//! value is read back as a number, a boolean, `null`, an anchor or a comment.

use zeroize::Zeroizing;

/// `s` as a YAML double-quoted scalar.
fn quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Control characters, DEL, the C1 range, and the Unicode line and paragraph
            // separators YAML treats as line breaks.
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A YAML document mapping each key to its value, in order.
pub fn write(vars: &[(String, Zeroizing<String>)]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    if vars.is_empty() {
        out.push_str("{}\n");
    }
    for (k, v) in vars {
        quoted(&mut out, k);
        out.push_str(": ");
        quoted(&mut out, v);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scalar_is_double_quoted_with_escapes() {
        let vars = vec![
            ("PORT".to_string(), Zeroizing::new("5432".to_string())),
            ("ON".to_string(), Zeroizing::new("yes".to_string())),
            (
                "TEXT".to_string(),
                Zeroizing::new("a \"b\" \\ # c: d\n\u{7}\u{2028}é".to_string()),
            ),
        ];
        assert_eq!(
            write(&vars).as_str(),
            "\"PORT\": \"5432\"\n\"ON\": \"yes\"\n\"TEXT\": \"a \\\"b\\\" \\\\ # c: d\\n\\u0007\\u2028é\"\n"
        );
        assert_eq!(write(&[]).as_str(), "{}\n");
    }
}
