//! The Health screen: the core's health report (`Vault::health_report`), its findings
//! grouped by severity, worst first, the selected one's evidence below, Enter opening the
//! secret or principal it is about and `f` offering its fix through the operation that
//! carries it out, confirmed first.
//!
//! The report is an audited request that reads every value's facts, so it runs on a thread
//! of its own (the worker and the keyboard never wait for it) and, like the Principals
//! lists, is re-run on unlock, on opening the screen, on `r` and after the operator's own
//! acts — never on another process's change (two consoles would keep re-triggering each
//! other through their audit commits).

use std::collections::HashMap;
use std::sync::Arc;

use coffer_core::health::{DiffKind, Evidence, Finding, Fix, HealthReport, Severity, Subject};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::detail::Tab;
use crate::tui::action::{Cmd, Effect, PrincipalKind, Request};
use crate::tui::layout;
use crate::tui::popups::{Confirm, Input, Popup};
use crate::tui::shell::{Nav, Screen, Shell};
use crate::tui::theme::Theme;

#[derive(Debug, Default)]
pub struct HealthState {
    pub report: Option<HealthReport>,
    /// Index into the report's findings.
    pub selected: usize,
    /// The report asked for last, and whether it is under way.
    pub want: u64,
    pub running: bool,
    /// Asked for again while one was under way: run once more when it ends.
    pub again: bool,
    /// The worst severity of each secret's findings, by ARN (the secrets list's column).
    pub worst: HashMap<String, Severity>,
}

/// A line of the list: a severity's head or a finding (an index into the findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Head(Severity, usize),
    Item(usize),
}

impl HealthState {
    pub fn findings(&self) -> &[Arc<Finding>] {
        self.report.as_ref().map_or(&[], |r| &r.findings[..])
    }

    pub fn finding(&self) -> Option<&Finding> {
        self.findings().get(self.selected).map(|f| &**f)
    }

    /// Severity heads and findings, in the order drawn (the report is worst first).
    pub fn entries(&self) -> Vec<Entry> {
        let f = self.findings();
        let mut out = Vec::with_capacity(f.len() + 3);
        for sev in [Severity::High, Severity::Medium, Severity::Low] {
            let of: Vec<usize> = (0..f.len()).filter(|i| f[*i].severity == sev).collect();
            if of.is_empty() {
                continue;
            }
            out.push(Entry::Head(sev, of.len()));
            out.extend(of.into_iter().map(Entry::Item));
        }
        out
    }

    /// The worst severity of the findings about the secret with this ARN.
    pub fn worst_for_secret(&self, arn: &str) -> Option<Severity> {
        self.worst.get(arn).copied()
    }

    fn set_report(&mut self, r: HealthReport) {
        self.worst.clear();
        for f in &r.findings {
            if let Subject::Secret { arn, .. } = &f.subject {
                let w = self.worst.entry(arn.clone()).or_insert(f.severity);
                *w = (*w).max(f.severity);
            }
        }
        self.report = Some(r);
    }

    /// Findings in all (the header's badge).
    pub fn count(&self) -> usize {
        self.findings().len()
    }
}

pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
    }
}

/// A severity in a narrow column.
pub fn severity_short(s: Severity) -> &'static str {
    match s {
        Severity::High => "high",
        Severity::Medium => "med",
        Severity::Low => "low",
    }
}

pub fn severity_style(t: Theme, s: Severity) -> Style {
    match s {
        Severity::High => t.danger(),
        Severity::Medium => t.label(),
        Severity::Low => t.dim(),
    }
}

/// The principal a finding's subject names, as the Principals screen lists it.
pub fn principal_of(subject: &Subject) -> Option<(PrincipalKind, String)> {
    let from_arn = |arn: &str| {
        let (_, path) = arn.rsplit_once(':')?;
        let (head, rest) = path.split_once('/')?;
        Some(match head {
            "user" => (PrincipalKind::User, rest.rsplit('/').next()?.to_string()),
            "role" => (PrincipalKind::Role, rest.rsplit('/').next()?.to_string()),
            // A role's session: `assumed-role/<role>/<session>`.
            "assumed-role" => (PrincipalKind::Role, rest.split('/').next()?.to_string()),
            _ => return None,
        })
    };
    match subject {
        Subject::Secret { .. } => None,
        Subject::Operator { name, .. } => Some((PrincipalKind::Operator, name.clone())),
        Subject::Principal { arn } => from_arn(arn),
        Subject::AccessKey {
            principal_arn,
            user_name,
            ..
        } => from_arn(principal_arn).or_else(|| Some((PrincipalKind::User, user_name.clone()))),
    }
}

/// The evidence as `label: value` pairs, in a fixed order.
pub fn evidence_pairs(e: &Evidence) -> Vec<(&'static str, String)> {
    let mut out = vec![];
    let mut opt = |label, v: &Option<String>| {
        if let Some(v) = v {
            out.push((label, v.clone()));
        }
    };
    opt("Created", &e.created_date);
    opt("Last read", &e.last_read_date);
    opt("Last read by", &e.last_read_by);
    opt("Last used", &e.last_used_date);
    opt("Last changed", &e.last_changed_date);
    opt("Due", &e.due_date);
    opt("Requested", &e.requested_date);
    opt("Requested by", &e.requested_by);
    opt("Step", &e.step);
    opt("Error", &e.error);
    opt("Field", &e.field);
    opt("Region", &e.region);
    opt("Status", &e.status);
    if let Some(d) = e.days {
        out.push(("Days", d.to_string()));
    }
    if let Some(t) = e.tries {
        out.push(("Tries", t.to_string()));
    }
    if let Some(s) = e.score {
        out.push(("zxcvbn score", format!("{s} of 4")));
    }
    if let Some(l) = e.length {
        out.push(("Length", format!("{l} characters")));
    }
    if let Some(c) = e.count {
        out.push(("Count", c.to_string()));
    }
    if !e.names.is_empty() {
        out.push(("Names", e.names.join(", ")));
    }
    if !e.used_actions.is_empty() {
        out.push(("Used", e.used_actions.join(", ")));
    }
    out
}

impl HealthState {
    /// Asks for the report (on its own thread; a second ask while one runs waits for it).
    pub(crate) fn load(&mut self, sh: &mut Shell) -> Vec<Effect> {
        if sh.session.is_none() {
            return vec![];
        }
        if self.running {
            self.again = true;
            return vec![];
        }
        let seq = sh.next_seq();
        self.want = seq;
        self.running = true;
        vec![Effect::Send(Request::Health { seq })]
    }

    pub(crate) fn loaded(
        &mut self,
        sh: &mut Shell,
        seq: u64,
        report: coffer_core::Result<HealthReport>,
    ) -> Vec<Effect> {
        if seq != self.want {
            return vec![];
        }
        self.running = false;
        match report {
            Ok(r) => {
                let h = &mut *self;
                let keep = h.finding().map(|f| (f.kind, f.subject.clone()));
                h.set_report(r);
                h.selected = keep
                    .and_then(|(k, s)| {
                        h.findings()
                            .iter()
                            .position(|f| f.kind == k && f.subject == s)
                    })
                    .unwrap_or(h.selected)
                    .min(h.count().saturating_sub(1));
            }
            Err(e) => sh.error(format!(
                "GenerateHealthReport failed: {}: {}",
                e.code.as_str(),
                e.message
            )),
        }
        if std::mem::take(&mut self.again) {
            return self.load(sh);
        }
        vec![]
    }

    pub(crate) fn key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let page = layout::table_rows(sh.body()).max(1);
        let h = &mut *self;
        let last = h.count().saturating_sub(1);
        match cmd {
            Cmd::Up => h.selected = h.selected.saturating_sub(1),
            Cmd::Down => h.selected = (h.selected + 1).min(last),
            Cmd::PageUp => h.selected = h.selected.saturating_sub(page),
            Cmd::PageDown => h.selected = (h.selected + page).min(last),
            Cmd::Top => h.selected = 0,
            Cmd::Bottom => h.selected = last,
            Cmd::Reload => return self.load(sh),
            Cmd::Back => return sh.go(Nav::Go(Screen::Secrets)),
            Cmd::Open => return self.open_finding(sh),
            Cmd::Fix => return self.offer_fix(sh),
            _ => {}
        }
        vec![]
    }

    /// Opens what the selected finding is about: the secret's detail, or the principal on
    /// the Principals screen.
    fn open_finding(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let Some(f) = self.finding().cloned() else {
            sh.info("No finding is selected.");
            return vec![];
        };
        if let Subject::Secret { name, arn } = &f.subject {
            sh.go(Nav::OpenDetail {
                arn: arn.clone(),
                name: name.clone(),
            });
            let tab = match f.kind.as_str().as_str() {
                k if k.starts_with("rotation") => Some(Tab::Rotation),
                k if k.starts_with("replica") => Some(Tab::Replicas),
                k if k.ends_with("resource-policy") => Some(Tab::Policy),
                "never-read" | "not-read-recently" => Some(Tab::Activity),
                _ => None,
            };
            if let Some(tab) = tab {
                sh.go(Nav::Tab(tab));
            }
            return vec![];
        }
        match principal_of(&f.subject) {
            Some((kind, name)) => sh.go(Nav::Principal { kind, name }),
            None => {
                sh.info(format!(
                    "{} is not on the Principals screen.",
                    f.subject.label()
                ));
                vec![]
            }
        }
    }

    /// The selected finding's fix, through the operation that carries it out, confirmed
    /// in the dialog that operation has everywhere else in the console.
    fn offer_fix(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let Some(f) = self.finding().cloned() else {
            return vec![];
        };
        let name = f.subject.label().to_string();
        match f.fix {
            None => {
                sh.info("This finding has no fix from here: open it (Enter) to act on it.");
                vec![]
            }
            Some(Fix::RotateNow { secret_id }) => {
                sh.popup = Some(Popup::Confirm(Confirm::new(
                    "Rotate now",
                    vec![
                        format!("Rotate {name} now with its rotation function?"),
                        "A new version is made (AWSPENDING) and tested; only then does AWSCURRENT move to it, and the old value becomes AWSPREVIOUS.".into(),
                    ],
                    Request::RotateNow {
                        arn: secret_id,
                        function_arn: None,
                    },
                )));
                vec![]
            }
            Some(Fix::TurnRotationOn { secret_id }) => {
                // Rotation needs a function and a schedule: the Rotation tab asks for both.
                sh.go(Nav::OpenDetail {
                    arn: secret_id,
                    name,
                });
                sh.go(Nav::Tab(Tab::Rotation));
                sh.go(Nav::Key(Cmd::EditSchedule))
            }
            Some(Fix::ScheduleDeletion { secret_id }) => {
                sh.popup = Some(Popup::Input(Input::recovery_window(secret_id, name)));
                vec![]
            }
            Some(Fix::DeactivateKey { access_key_id, .. }) => {
                sh.popup = Some(Popup::Confirm(Confirm::new(
                    "Deactivate an access key",
                    vec![
                        format!("Deactivate the access key {access_key_id}?"),
                        "Requests signed with it are refused until it is activated again (Principals, t).".into(),
                    ],
                    Request::UpdateAccessKey {
                        id: access_key_id,
                        active: Some(false),
                    },
                )));
                vec![]
            }
            Some(Fix::ApplyLeastPrivilegePolicy {
                principal_arn,
                proposed,
                diff,
                ..
            }) => {
                let mut lines = vec![format!(
                    "Replace the identity policies of {principal_arn} with one that grants only the Secrets Manager actions it used (- now, + proposed):"
                )];
                lines.extend(diff.iter().filter_map(|l| match l.kind {
                    DiffKind::Same => None,
                    DiffKind::Removed => Some(format!("- {}", l.text.trim())),
                    DiffKind::Added => Some(format!("+ {}", l.text.trim())),
                }));
                lines.push(
                    "The vault checks it with the policy simulator before it is put in place."
                        .into(),
                );
                sh.popup = Some(Popup::Confirm(Confirm::new(
                    "Apply a least-privilege policy",
                    lines,
                    Request::ApplyLeastPrivilege {
                        principal_arn,
                        proposed,
                    },
                )));
                vec![]
            }
        }
    }
}

/// The list's first line: the selected finding's line must be visible.
fn list_top(h: &HealthState, height: u16) -> usize {
    let at = h
        .entries()
        .iter()
        .position(|e| *e == Entry::Item(h.selected))
        .unwrap_or(0);
    layout::scroll_to(at, height)
}

impl HealthState {
    /// A click on the list selects the finding drawn on that line.
    pub(crate) fn click(&mut self, sh: &mut Shell, row: u16) -> Vec<Effect> {
        let (_, list, _) = layout::health(sh.body());
        if !layout::hit(list, list.x, row) {
            return vec![];
        }
        let h = &mut *self;
        let i = list_top(h, list.height) + (row - list.y) as usize;
        if let Some(Entry::Item(f)) = h.entries().get(i) {
            h.selected = *f;
        }
        vec![]
    }
}

impl HealthState {
    pub fn render(&self, sh: &Shell, area: Rect, buf: &mut Buffer) {
        let t = sh.theme;
        let h = self;
        let (info, list, side) = layout::health(area);
        let mut head = vec![Span::styled(" Health ", t.title())];
        match &h.report {
            Some(r) => {
                head.push(Span::styled(
                    format!("{} high", r.counts.high),
                    severity_style(t, Severity::High),
                ));
                head.push(Span::raw(" · "));
                head.push(Span::styled(
                    format!("{} medium", r.counts.medium),
                    severity_style(t, Severity::Medium),
                ));
                head.push(Span::raw(" · "));
                head.push(Span::raw(format!("{} low", r.counts.low)));
                head.push(Span::styled(
                    format!(
                        " — {} secrets and {} principals checked, {}",
                        r.secrets_checked,
                        r.principals_checked,
                        r.generated_date.get(..16).unwrap_or(&r.generated_date)
                    ),
                    t.dim(),
                ));
            }
            None => head.push(Span::styled("no report yet", t.dim())),
        }
        if h.running {
            head.push(Span::styled(" · checking…", t.label()));
        }
        Paragraph::new(Line::from(head)).render(info, buf);

        let findings = h.findings();
        if findings.is_empty() {
            let msg = if h.report.is_some() {
                " Nothing to fix: no finding at these thresholds."
            } else {
                " Checking the vault…"
            };
            Paragraph::new(Line::styled(msg, t.dim()))
                .render(Rect::new(list.x, list.y, list.width, 1), buf);
            return;
        }
        let entries = h.entries();
        let top = list_top(h, list.height);
        let subject_w = 30usize;
        let lines: Vec<Line> = entries
            .iter()
            .skip(top)
            .take(list.height as usize)
            .map(|e| match *e {
                Entry::Head(sev, n) => Line::styled(
                    format!(" {} ({n})", severity_word(sev)),
                    severity_style(t, sev).patch(t.header()),
                ),
                Entry::Item(i) => {
                    let f = &findings[i];
                    let mut subject: String =
                        list_label(&f.subject).chars().take(subject_w).collect();
                    let pad = subject_w.saturating_sub(subject.chars().count());
                    subject.push_str(&" ".repeat(pad));
                    let style = if i == h.selected {
                        t.selected()
                    } else {
                        t.base()
                    };
                    Line::from(vec![
                        Span::styled(if i == h.selected { " ▶ " } else { "   " }, style),
                        Span::styled(format!("{:<29} ", f.kind.as_str()), style),
                        Span::styled(format!("{subject} "), style),
                        Span::styled(f.summary.clone(), style),
                    ])
                }
            })
            .collect();
        Paragraph::new(lines).render(list, buf);

        let Some(f) = h.finding() else { return };
        let mut lines = vec![Line::from(vec![
            Span::styled(
                format!(" {} ", severity_word(f.severity)),
                severity_style(t, f.severity),
            ),
            Span::styled(f.subject.label().to_string(), t.title()),
            Span::styled(format!("  {}", f.kind.as_str()), t.dim()),
        ])];
        lines.push(Line::raw(format!(" {}", f.summary)));
        let pairs: Vec<String> = evidence_pairs(&f.evidence)
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        if !pairs.is_empty() {
            lines.push(Line::styled(format!(" {}", pairs.join(" · ")), t.dim()));
        }
        let open = match &f.subject {
            Subject::Secret { .. } => "Enter opens the secret",
            _ => "Enter opens the principal",
        };
        match &f.fix {
            Some(fix) => {
                lines.push(Line::from(vec![
                    Span::styled(format!(" {open} · "), t.dim()),
                    Span::styled(" f ", t.key()),
                    Span::raw(format!(" {}", fix.label())),
                ]));
                if let Fix::ApplyLeastPrivilegePolicy { proposed, .. } = fix {
                    lines.push(Line::from(vec![
                        Span::styled(" proposed: ", t.label()),
                        Span::raw(compact(proposed)),
                    ]));
                }
            }
            None => lines.push(Line::styled(format!(" {open}"), t.dim())),
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(side, buf);
    }
}

/// How a subject reads in the list: a principal's ARN without its `arn:aws:iam::ACCOUNT:`
/// (the evidence pane below shows it whole).
fn list_label(s: &Subject) -> &str {
    match s {
        Subject::Principal { arn } => arn.rsplit_once(':').map_or(arn.as_str(), |(_, p)| p),
        other => other.label(),
    }
}

/// A JSON document on one line.
fn compact(doc: &str) -> String {
    serde_json::from_str::<serde_json::Value>(doc)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| doc.to_string())
}

#[cfg(test)]
mod tests {
    use coffer_core::health::{FindingKind, SeverityCounts, Thresholds};

    use super::*;
    use crate::tui::action::{Action, Loaded};
    use crate::tui::app::App;
    use crate::tui::keymap::Ctx;

    fn app() -> App {
        let mut a = crate::tui::testkit::unlocked_app();
        a.update(Action::Tick { now_ms: 1_000 });
        a
    }

    fn finding(
        kind: FindingKind,
        severity: Severity,
        subject: Subject,
        fix: Option<Fix>,
    ) -> Arc<Finding> {
        Arc::new(Finding {
            kind,
            severity,
            subject,
            summary: "s".into(),
            evidence: Evidence::default(),
            fix,
        })
    }

    fn report() -> HealthReport {
        let key = Subject::AccessKey {
            access_key_id: "AKIA1".into(),
            user_name: "ci".into(),
            principal_arn: "arn:aws:iam::1:user/ci".into(),
        };
        HealthReport {
            generated_date: "2026-01-01T00:00:00Z".into(),
            thresholds: Thresholds::default(),
            secrets_checked: 1,
            principals_checked: 1,
            counts: SeverityCounts {
                high: 1,
                medium: 1,
                low: 1,
            },
            findings: vec![
                finding(
                    FindingKind::WeakValue,
                    Severity::High,
                    Subject::Secret {
                        name: "db".into(),
                        arn: "arn:db".into(),
                    },
                    Some(Fix::RotateNow {
                        secret_id: "arn:db".into(),
                    }),
                ),
                finding(
                    FindingKind::AccessKeyOld,
                    Severity::Medium,
                    key,
                    Some(Fix::DeactivateKey {
                        user_name: "ci".into(),
                        access_key_id: "AKIA1".into(),
                    }),
                ),
                finding(
                    FindingKind::UnusedAccess,
                    Severity::Low,
                    Subject::Principal {
                        arn: "arn:aws:sts::1:assumed-role/deployer/run-7".into(),
                    },
                    None,
                ),
            ],
        }
    }

    fn on_health(a: &mut App) {
        let fx = a.update(Action::Key(Cmd::GoHealth));
        assert!(matches!(fx[..], [Effect::Send(Request::Health { .. })]));
        let seq = a.health.want;
        a.update(Action::loaded(Loaded::Health {
            seq,
            report: Ok(report()),
        }));
        assert_eq!(a.ctx(), Ctx::Health);
    }

    #[test]
    fn the_findings_are_grouped_by_severity_and_each_secret_gets_its_worst() {
        let mut a = app();
        on_health(&mut a);
        assert_eq!(
            a.health.entries(),
            [
                Entry::Head(Severity::High, 1),
                Entry::Item(0),
                Entry::Head(Severity::Medium, 1),
                Entry::Item(1),
                Entry::Head(Severity::Low, 1),
                Entry::Item(2),
            ]
        );
        assert_eq!(a.health.worst_for_secret("arn:db"), Some(Severity::High));
        assert_eq!(a.health.worst_for_secret("arn:other"), None);
    }

    #[test]
    fn deactivating_a_key_waits_for_the_confirmation() {
        let mut a = app();
        on_health(&mut a);
        a.update(Action::Key(Cmd::Down));
        let fx = a.update(Action::Key(Cmd::Fix));
        assert!(fx.is_empty(), "nothing is sent before the confirmation");
        let Some(Popup::Confirm(c)) = &a.sh.popup else {
            panic!("{:?}", a.sh.popup)
        };
        assert!(matches!(
            &c.request,
            Some(Request::UpdateAccessKey { id, active: Some(false) }) if id == "AKIA1"
        ));
    }

    #[test]
    fn rotating_now_waits_for_the_confirmation() {
        let mut a = app();
        on_health(&mut a);
        assert!(a.update(Action::Key(Cmd::Fix)).is_empty());
        let Some(Popup::Confirm(c)) = &a.sh.popup else {
            panic!("{:?}", a.sh.popup)
        };
        assert!(matches!(
            &c.request,
            Some(Request::RotateNow { arn, function_arn: None }) if arn == "arn:db"
        ));
    }

    #[test]
    fn a_finding_opens_its_secret_or_its_principal() {
        let mut a = app();
        on_health(&mut a);
        let fx = a.update(Action::Key(Cmd::Open));
        assert_eq!(a.sh.screen, Screen::Detail);
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::Send(Request::Detail { arn, .. }) if arn == "arn:db"))
        );
        a.update(Action::Key(Cmd::GoHealth));
        a.update(Action::Key(Cmd::Bottom));
        let fx = a.update(Action::Key(Cmd::Open));
        assert_eq!(a.sh.screen, Screen::Principals);
        assert_eq!(
            a.principals.select_next,
            Some((PrincipalKind::Role, "deployer".into()))
        );
        assert!(matches!(fx[..], [Effect::Send(Request::Principals { .. })]));
    }

    #[test]
    fn a_report_asked_for_while_one_runs_runs_once_more_after_it() {
        let mut a = app();
        let fx = a.health.load(&mut a.sh);
        assert_eq!(fx.len(), 1);
        assert!(a.health.load(&mut a.sh).is_empty(), "one at a time");
        let seq = a.health.want;
        let fx = a.update(Action::loaded(Loaded::Health {
            seq,
            report: Ok(report()),
        }));
        assert!(matches!(fx[..], [Effect::Send(Request::Health { .. })]));
    }
}
