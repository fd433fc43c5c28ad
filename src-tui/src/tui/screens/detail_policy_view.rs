//! Drawing the Policy and Access tabs of the secret detail screen.

use coffer_core::vault::policies::{ActionDecision, DecidingStatement};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget, Wrap};

use super::detail::{DetailState, Load};
use super::detail_policy::{pretty, principal_label, short_action};
use crate::tui::layout;
use crate::tui::theme::Theme;

/// What a tab shows while its request is out or after it failed; `None` once it is ready.
fn not_ready<T>(l: &Load<T>, t: Theme) -> Option<Line<'static>> {
    match l {
        Load::Ready(_) => None,
        Load::Idle | Load::Loading => Some(Line::styled(" Loading…", t.dim())),
        Load::Failed(e) => Some(Line::styled(format!(" {e}"), t.danger())),
    }
}

pub fn policy(d: &DetailState, t: Theme, area: Rect, buf: &mut Buffer) {
    let p = match d.policy.ready() {
        Some(p) => p,
        None => {
            if let Some(l) = not_ready(&d.policy, t) {
                Paragraph::new(l)
                    .wrap(Wrap { trim: false })
                    .render(area, buf);
            }
            return;
        }
    };
    let Some(text) = p.policy.as_deref() else {
        Paragraph::new(vec![
            Line::raw(""),
            Line::raw(
                " No resource policy: identity policies alone decide who may use this secret.",
            ),
            Line::raw(" e writes one, starting from a template."),
        ])
        .render(area, buf);
        return;
    };
    let findings = p.report.as_ref().map_or(0, |r| r.validation_errors.len());
    let want = 2 + 2 * findings as u16;
    let [head, doc, _, found] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(want.min(area.height / 2)),
    ])
    .areas(area);
    Paragraph::new(Line::from(vec![
        Span::styled(" Resource policy", t.title()),
        Span::styled(
            format!("  ({} lines; ↑/↓ scroll)", pretty(text).lines().count()),
            t.dim(),
        ),
    ]))
    .render(head, buf);
    let lines: Vec<Line> = pretty(text)
        .lines()
        .enumerate()
        .skip(d.policy_scroll)
        .map(|(i, l)| {
            Line::from(vec![
                Span::styled(format!("{:>4} ", i + 1), t.dim()),
                Span::raw(l.to_string()),
            ])
        })
        .collect();
    Paragraph::new(lines).render(doc, buf);
    let mut out = vec![];
    match &p.report {
        Some(r) if r.policy_validation_passed => out.push(Line::from(vec![
            Span::styled(" Validation ", t.title()),
            Span::styled("✓ passed", t.ok()),
            Span::styled(" — no findings (ValidateResourcePolicy)", t.dim()),
        ])),
        Some(r) => {
            out.push(Line::from(vec![
                Span::styled(" Validation ", t.title()),
                Span::styled(
                    match r.validation_errors.len() {
                        1 => "✗ 1 finding".to_string(),
                        n => format!("✗ {n} findings"),
                    },
                    t.danger(),
                ),
                Span::styled(" (ValidateResourcePolicy)", t.dim()),
            ]));
            for f in &r.validation_errors {
                out.push(Line::from(vec![
                    Span::raw("  "),
                    Span::styled(f.check_name.clone(), t.danger()),
                    Span::raw(format!("  {}", f.error_message)),
                ]));
            }
        }
        None => out.push(Line::styled(" Validation: not run", t.dim())),
    }
    Paragraph::new(out)
        .wrap(Wrap { trim: false })
        .render(found, buf);
}

/// The mark, word and style of a decision: readable with colour and without.
fn decision_mark(decision: &str, t: Theme) -> (&'static str, &'static str, Style) {
    match decision {
        "allowed" => ("✓", "allowed", t.ok()),
        "explicitDeny" => ("✗", "explicit deny", t.danger()),
        _ => ("·", "implicit deny", t.dim()),
    }
}

/// How a deciding statement's policy is named: (kind, which one).
fn policy_label(s: &DecidingStatement, secret_arn: &str) -> (&'static str, String) {
    let last = |id: &str| id.rsplit(['/', ':']).next().unwrap_or(id).to_string();
    match s.policy_type.as_str() {
        "resource" if s.policy_id == secret_arn => ("resource policy", "this secret".into()),
        "resource" if s.policy_id.contains(":kms:") => {
            ("key policy", format!("key {}", last(&s.policy_id)))
        }
        "resource" => ("resource policy", last(&s.policy_id)),
        "user" => ("inline, user", s.policy_id.clone()),
        "group" => ("inline, group", s.policy_id.clone()),
        "role" => ("inline, role", s.policy_id.clone()),
        "user-managed" => ("managed", last(&s.policy_id)),
        "aws-managed" => ("AWS managed", last(&s.policy_id)),
        _ => ("policy", s.policy_id.clone()),
    }
}

pub fn access(d: &DetailState, t: Theme, area: Rect, buf: &mut Buffer) {
    let Some(a) = d.access.ready() else {
        if let Some(l) = not_ready(&d.access, t) {
            Paragraph::new(l)
                .wrap(Wrap { trim: false })
                .render(area, buf);
        }
        return;
    };
    if a.principals.is_empty() {
        Paragraph::new(" No users or roles in this vault.").render(area, buf);
        return;
    }
    let (left, middle, bottom) = layout::access(area);
    let focus = |on: bool| if on { "▶ " } else { "▷ " };
    let rows = a.principals.iter().map(|p| {
        let (name, kind) = principal_label(&p.principal_arn);
        let allowed = p
            .decisions
            .iter()
            .filter(|x| x.decision == "allowed")
            .count();
        let denied = p
            .decisions
            .iter()
            .filter(|x| x.decision == "explicitDeny")
            .count();
        Row::new(vec![
            Cell::from(name),
            Cell::from(Span::styled(kind, t.dim())),
            Cell::from(Span::styled(
                format!("{allowed:>2}✓"),
                if allowed > 0 { t.ok() } else { t.dim() },
            )),
            Cell::from(if denied > 0 {
                Span::styled(format!("{denied:>2}✗"), t.danger())
            } else {
                Span::styled("  ·", t.dim())
            }),
        ])
    });
    let mut st = TableState::default().with_selected(Some(d.access_principal));
    StatefulWidget::render(
        Table::new(
            rows,
            [
                Constraint::Fill(1),
                Constraint::Length(4),
                Constraint::Length(3),
                Constraint::Length(3),
            ],
        )
        .header(Row::new(vec!["Principal", "", "  ✓", "  ✗"]).style(t.header()))
        .row_highlight_style(t.selected())
        .highlight_symbol(focus(!d.access_on_actions)),
        left,
        buf,
        &mut st,
    );
    let Some(p) = d.selected_principal() else {
        return;
    };
    let (pname, _) = principal_label(&p.principal_arn);
    let rows = p.decisions.iter().map(|x| {
        let (mark, word, style) = decision_mark(&x.decision, t);
        Row::new(vec![
            Cell::from(short_action(&x.action).to_string()),
            Cell::from(Span::styled(format!("{mark} {word}"), style)),
        ])
    });
    let mut st = TableState::default().with_selected(Some(d.access_action));
    let action_header = format!("Action ({pname})");
    StatefulWidget::render(
        Table::new(rows, [Constraint::Length(24), Constraint::Fill(1)])
            .header(Row::new(vec![action_header.as_str(), "Decision"]).style(t.header()))
            .row_highlight_style(t.selected())
            .highlight_symbol(focus(d.access_on_actions)),
        middle,
        buf,
        &mut st,
    );
    if let Some(x) = d.selected_decision() {
        statements(x, &pname, &a.arn, t, bottom, buf);
    }
}

fn statements(
    x: &ActionDecision,
    who: &str,
    secret_arn: &str,
    t: Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let (mark, word, style) = decision_mark(&x.decision, t);
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!(" {} for {who}: ", short_action(&x.action)),
            t.header(),
        ),
        Span::styled(format!("{mark} {word}"), style),
    ])];
    if x.statements.is_empty() {
        lines.push(Line::raw(
            "  No statement allows it, none denies it: denied by default.",
        ));
    }
    let wide = area.width >= 70;
    for s in &x.statements {
        let (kind, id) = policy_label(s, secret_arn);
        let effect_style = if s.effect == "Deny" {
            t.danger()
        } else {
            t.ok()
        };
        let sid = s
            .sid
            .as_deref()
            .map_or("(no Sid)".to_string(), |v| format!("Sid {v}"));
        let mut spans = vec![
            Span::raw("  "),
            Span::styled(format!("{:<5}", s.effect), effect_style),
        ];
        if wide {
            spans.push(Span::styled(format!(" {kind:<16}"), t.dim()));
            spans.push(Span::raw(format!("{id}  ")));
        } else {
            spans.push(Span::raw(format!(" {id} ({kind}) ")));
        }
        spans.push(Span::styled(sid, t.title()));
        lines.push(Line::from(spans));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}
