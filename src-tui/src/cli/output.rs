//! Prints responses as the AWS CLI does: JSON (dates as ISO 8601), text or table, after an
//! optional JMESPath `--query`.

use anyhow::{Context, Result};
use clap::ValueEnum;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Json,
    Text,
    Table,
}

/// The AWS CLI shows dates as `2024-05-01T10:20:30.123000+00:00`.
fn iso(secs: f64) -> String {
    let ts = jiff::Timestamp::from_millisecond((secs * 1000.0).round() as i64)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    format!("{}+00:00", ts.strftime("%Y-%m-%dT%H:%M:%S%.6f"))
}

fn dates_to_iso(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if k.ends_with("Date")
                    && let Some(f) = val.as_f64()
                {
                    *val = Value::String(iso(f));
                    continue;
                }
                dates_to_iso(val);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(dates_to_iso),
        _ => {}
    }
}

pub fn render(mut v: Value, format: OutputFormat, query: Option<&str>) -> Result<String> {
    dates_to_iso(&mut v);
    if let Some(q) = query {
        let expr = jmespath::compile(q).with_context(|| format!("invalid --query '{q}'"))?;
        let found = expr
            .search(&v)
            .with_context(|| format!("--query '{q}' failed"))?;
        v = serde_json::to_value(&*found)?;
    }
    Ok(match format {
        OutputFormat::Json => {
            let mut out = Vec::new();
            let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
            serde::Serialize::serialize(&v, &mut ser)?;
            String::from_utf8(out)?
        }
        OutputFormat::Text => text(&v),
        OutputFormat::Table => table(&v),
    })
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// The AWS CLI's text output: scalars bare, an object's scalars tab-separated on one line
/// (its lists and objects below), a list one element per line.
fn text(v: &Value) -> String {
    let mut lines = Vec::new();
    text_into(v, None, &mut lines);
    lines.join("\n")
}

fn text_into(v: &Value, label: Option<&str>, lines: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            // Fields in name order, whatever order the response was built in.
            let mut fields: Vec<(&String, &Value)> = map.iter().collect();
            fields.sort_by(|a, b| a.0.cmp(b.0));
            let scalars: Vec<String> = fields
                .iter()
                .filter(|(_, x)| !x.is_object() && !x.is_array())
                .map(|(_, x)| scalar(x))
                .collect();
            if !scalars.is_empty() {
                let mut line = label.map(|l| vec![l.to_uppercase()]).unwrap_or_default();
                line.extend(scalars);
                lines.push(line.join("\t"));
            }
            for (k, x) in fields {
                if x.is_object() || x.is_array() {
                    text_into(x, Some(k), lines);
                }
            }
        }
        Value::Array(items) => {
            if items.iter().all(|x| !x.is_object() && !x.is_array()) {
                let mut line = label.map(|l| vec![l.to_uppercase()]).unwrap_or_default();
                line.extend(items.iter().map(scalar));
                lines.push(line.join("\t"));
            } else {
                for x in items {
                    text_into(x, label, lines);
                }
            }
        }
        other => lines.push(scalar(other)),
    }
}

/// A simple two-column table of an object's fields (lists one row per element).
fn table(v: &Value) -> String {
    let mut rows: Vec<(String, String)> = Vec::new();
    flatten("", v, &mut rows);
    let w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let vw = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let line = format!("+{}+{}+", "-".repeat(w + 2), "-".repeat(vw + 2));
    let mut out = vec![line.clone()];
    for (k, val) in rows {
        out.push(format!("| {k:<w$} | {val:<vw$} |"));
    }
    out.push(line);
    out.join("\n")
}

fn flatten(prefix: &str, v: &Value, rows: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, rows);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), x, rows);
            }
        }
        other => rows.push((prefix.to_string(), scalar(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_with_text_prints_the_bare_value() {
        let v = json!({"ARN": "a", "SecretString": "s3cr3t", "CreatedDate": 1.5});
        assert_eq!(
            render(v, OutputFormat::Text, Some("SecretString")).unwrap(),
            "s3cr3t"
        );
    }

    #[test]
    fn dates_print_as_iso_8601() {
        let v = json!({"CreatedDate": 1_700_000_000.5});
        let out = render(v, OutputFormat::Json, None).unwrap();
        assert!(
            out.contains("\"2023-11-14T22:13:20.500000+00:00\""),
            "{out}"
        );
    }

    #[test]
    fn json_output_is_indented_like_the_aws_cli() {
        let out = render(json!({"Name": "x"}), OutputFormat::Json, None).unwrap();
        assert_eq!(out, "{\n    \"Name\": \"x\"\n}");
    }

    #[test]
    fn text_output_lists_scalars_and_nested_lists() {
        let v = json!({"SecretList": [{"Name": "a", "ARN": "x"}, {"Name": "b", "ARN": "y"}]});
        assert_eq!(
            render(v, OutputFormat::Text, None).unwrap(),
            "SECRETLIST\tx\ta\nSECRETLIST\ty\tb"
        );
    }

    #[test]
    fn table_output_shows_every_field() {
        let out = render(
            json!({"Name": "x", "Tags": [{"Key": "k"}]}),
            OutputFormat::Table,
            None,
        )
        .unwrap();
        assert!(out.contains("| Name") && out.contains("Tags[0].Key"));
    }
}
