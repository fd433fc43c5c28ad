//! `coffer report`: the vault's health findings (see `coffer_core::health`), as JSON or as
//! a table worst first, exiting non-zero under `--fail-on` when a finding is that bad or
//! worse (for CI).

use anyhow::Result;
use clap::Args;
use coffer_core::health::{HealthReport, Severity, Thresholds};
use coffer_core::vault::{Caller, Vault};

use super::Outcome;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Exit with status 1 when a finding of this severity or worse is found.
    #[arg(long, value_parser = ["high", "medium", "low"])]
    pub fail_on: Option<String>,
    /// A secret not read, a grant or an access key not used for this many days.
    #[arg(long, default_value_t = Thresholds::default().unused_days)]
    pub unused_days: u32,
    /// A value not changed for this many days.
    #[arg(long, default_value_t = Thresholds::default().unchanged_days)]
    pub unchanged_days: u32,
    /// A rotation waiting for approval for this many days.
    #[arg(long, default_value_t = Thresholds::default().approval_days)]
    pub approval_days: u32,
    /// An active access key older than this many days.
    #[arg(long, default_value_t = Thresholds::default().key_age_days)]
    pub key_age_days: u32,
    /// A secret whose deletion is due within this many days.
    #[arg(long, default_value_t = Thresholds::default().deletion_days)]
    pub deletion_days: u32,
}

pub fn run(vault: &Vault, caller: &Caller, a: ReportArgs) -> Result<Outcome> {
    let t = Thresholds {
        unused_days: a.unused_days,
        unchanged_days: a.unchanged_days,
        approval_days: a.approval_days,
        key_age_days: a.key_age_days,
        deletion_days: a.deletion_days,
    };
    let report = vault.health_report(caller, &t)?;
    let failed = a
        .fail_on
        .as_deref()
        .and_then(Severity::parse)
        .is_some_and(|s| report.has_at_least(s));
    Ok(Outcome::Report(Box::new(report), failed))
}

/// The report as a table: one line of counts, then one row per finding, worst first.
pub fn table(r: &HealthReport) -> String {
    let head = ["SEVERITY", "KIND", "SUBJECT", "FINDING", "FIX"];
    let rows: Vec<[String; 5]> = r
        .findings
        .iter()
        .map(|f| {
            [
                f.severity.as_str().to_string(),
                f.kind.as_str(),
                f.subject.label().to_string(),
                f.summary.clone(),
                f.fix.as_ref().map(|x| x.label()).unwrap_or("-").to_string(),
            ]
        })
        .collect();
    let mut widths = head.map(str::len);
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = vec![format!(
        "Vault health ({}): {} high, {} medium, {} low in {} secrets and {} principals",
        r.generated_date,
        r.counts.high,
        r.counts.medium,
        r.counts.low,
        r.secrets_checked,
        r.principals_checked
    )];
    if rows.is_empty() {
        out.push("No findings.".into());
        return out.join("\n");
    }
    out.push(line(&head.map(str::to_string)));
    out.extend(rows.iter().map(|r| line(r)));
    out.join("\n")
}
