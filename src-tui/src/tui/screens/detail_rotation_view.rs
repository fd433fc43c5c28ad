//! Drawing the Rotation tab: the configuration, the next windows, the history of attempts,
//! and the selected attempt's steps with their outcome, duration, error and log.

use coffer_core::rotation::schedule::Schedule;
use coffer_core::vault::rotation::{AttemptStatus, RotationAttempt, StepOutcome};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget};

use super::approvals::requester;
use super::detail::{DetailState, Load};
use super::detail_rotation::{function_name, rules_text};
use crate::tui::format;
use crate::tui::theme::Theme;

/// The lines the configuration takes at the top of the tab.
const STATUS_LINES: u16 = 7;

/// The Rotation tab's regions: configuration, history, the selected attempt's steps.
pub fn areas(content: Rect, attempts: usize) -> (Rect, Rect, Rect) {
    let history = (attempts as u16 + 1).clamp(2, 6);
    let [status, history, steps] = Layout::vertical([
        Constraint::Length(STATUS_LINES),
        Constraint::Length(history),
        Constraint::Min(1),
    ])
    .areas(content);
    (status, history, steps)
}

/// The first attempt the history shows (so that a click maps onto the row drawn there).
pub fn history_offset(selected: usize, history: Rect) -> usize {
    selected.saturating_sub((history.height as usize).saturating_sub(2))
}

fn status_style(t: Theme, s: AttemptStatus) -> Style {
    match s {
        AttemptStatus::Succeeded => t.ok(),
        AttemptStatus::Failed | AttemptStatus::Rejected => t.danger(),
        AttemptStatus::AwaitingApproval | AttemptStatus::Running => t.label(),
        AttemptStatus::Cancelled => t.dim(),
    }
}

fn decision(a: &RotationAttempt) -> String {
    match &a.decision {
        Some(d) => format!(
            "{} by {}{}",
            if d.approved { "approved" } else { "rejected" },
            format::principal_name(&d.by),
            d.reason
                .as_deref()
                .map_or(String::new(), |r| format!(": {r}"))
        ),
        None if a.status == AttemptStatus::AwaitingApproval => "queued (5)".into(),
        None if a.require_approval => "—".into(),
        None => "not required".into(),
    }
}

/// The core's preview windows on one line of `width` columns: as many as fit, then `…` when
/// some do not.
fn windows_line(windows: &[i64], width: u16) -> String {
    if windows.is_empty() {
        return "—".into();
    }
    // Widths in characters: "·" and "…" are one column but more than one byte.
    let cols = |s: &str| s.chars().count();
    let mut line = String::new();
    for (i, ms) in windows.iter().enumerate() {
        let next = format::minute_ms(*ms);
        let sep = if i == 0 { "" } else { " · " };
        let rest = if i + 1 < windows.len() {
            cols(" …")
        } else {
            0
        };
        if cols(&line) + cols(sep) + cols(&next) + rest > width as usize && i > 0 {
            line.push_str(" …");
            break;
        }
        line.push_str(sep);
        line.push_str(&next);
    }
    line
}

pub fn rotation(d: &DetailState, t: Theme, now_ms: i64, area: Rect, buf: &mut Buffer) {
    let Some(v) = d.view.as_ref() else { return };
    let s = &v.secret;
    let kv = |k: &str, val: Vec<Span<'static>>| {
        let mut spans = vec![Span::styled(format!(" {k:<14}"), t.title())];
        spans.extend(val);
        Line::from(spans)
    };
    let function = d.function_arn().map(function_name);
    let scheduled = s.rotation_rules.is_some();
    let state = match (d.rotation_enabled(), function) {
        (true, Some(f)) if scheduled => vec![
            Span::styled("on", t.ok()),
            Span::raw(format!(" · function {f}")),
        ],
        (true, Some(f)) => vec![
            Span::styled("on demand", t.ok()),
            Span::raw(format!(" · function {f} · no schedule (e sets one)")),
        ],
        (false, Some(f)) => vec![
            Span::styled("off", t.dim()),
            Span::raw(format!(
                " · function {f} · e sets a schedule, R rotates now"
            )),
        ],
        (_, None) => vec![Span::styled(
            "off · no rotation function yet (R or e asks for one)",
            t.dim(),
        )],
    };
    let next = match s.next_rotation_date {
        Some(n) => {
            let ms = (n * 1000.0) as i64;
            let left = if ms > now_ms {
                format!(" (in {})", format::span(ms - now_ms))
            } else {
                " (due now)".into()
            };
            vec![
                Span::raw(format!("{} UTC", format::minute(n))),
                Span::styled(left, t.label()),
            ]
        }
        None => vec![Span::raw("—")],
    };
    let windows = d.next_windows(Schedule::PREVIEW_WINDOWS);
    let approval = match &d.approval {
        Load::Ready(a) => {
            let mut spans = vec![Span::raw(if a.require_approval {
                "required"
            } else {
                "not required"
            })];
            spans.push(Span::raw(if a.two_person_rule {
                " · two-person rule on (the requester may not approve)"
            } else {
                " · two-person rule off"
            }));
            spans
        }
        Load::Failed(e) => vec![Span::styled(e.clone(), t.danger())],
        Load::Idle | Load::Loading => vec![Span::styled("loading…", t.dim())],
    };
    let lines = vec![
        kv("Rotation", state),
        kv(
            "Schedule",
            vec![Span::raw(
                s.rotation_rules.as_ref().map_or("—".into(), rules_text),
            )],
        ),
        kv(
            "Last rotated",
            vec![Span::raw(s.last_rotated_date.map_or("never".into(), |x| {
                format!("{} UTC", format::minute(x))
            }))],
        ),
        kv("Next rotation", next),
        kv(
            "Next windows",
            vec![Span::raw(windows_line(
                &windows,
                area.width.saturating_sub(16),
            ))],
        ),
        kv("Approval", approval),
    ];
    let (status, history, steps) = areas(area, d.attempts().len());
    Paragraph::new(lines).render(status, buf);
    let attempts = match &d.rotation {
        Load::Ready(a) => a,
        Load::Failed(e) => {
            Paragraph::new(Line::styled(format!(" {e}"), t.danger())).render(history, buf);
            return;
        }
        Load::Idle | Load::Loading => {
            Paragraph::new(Line::styled(" Loading the history…", t.dim())).render(history, buf);
            return;
        }
    };
    if attempts.is_empty() {
        Paragraph::new(vec![
            Line::styled(" History", t.header()),
            Line::styled(" This secret has never been rotated.", t.dim()),
        ])
        .render(history, buf);
        return;
    }
    let rows = attempts.iter().map(|a| {
        Row::new(vec![
            Cell::from(format::minute_ms(a.requested_ms)),
            Cell::from(a.trigger.clone()),
            Cell::from(requester(a)),
            Cell::from(Span::styled(a.status.as_str(), status_style(t, a.status))),
            Cell::from(a.tries.to_string()),
            Cell::from(decision(a)),
        ])
    });
    let mut st = TableState::default()
        .with_offset(history_offset(d.attempt_sel, history))
        .with_selected(Some(d.attempt_sel));
    StatefulWidget::render(
        Table::new(
            rows,
            [
                Constraint::Length(16),
                Constraint::Length(12),
                Constraint::Length(10),
                Constraint::Length(17),
                Constraint::Length(5),
                Constraint::Fill(1),
            ],
        )
        .header(
            Row::new(vec![
                "Requested (UTC)",
                "Trigger",
                "By",
                "Status",
                "Tries",
                "Decision",
            ])
            .style(t.header()),
        )
        .row_highlight_style(t.selected())
        .highlight_symbol("▶ "),
        history,
        buf,
        &mut st,
    );
    if let Some(a) = d.selected_attempt() {
        attempt_steps(a, t, d.steps_scroll, steps, buf);
    }
}

/// The selected attempt, step by step.
fn attempt_steps(a: &RotationAttempt, t: Theme, scroll: usize, area: Rect, buf: &mut Buffer) {
    let mut lines = vec![Line::from(vec![
        Span::styled(" Steps ", t.header()),
        Span::styled(
            format!(
                " version {} · function {}",
                format::short_id(&a.token),
                function_name(&a.function_arn)
            ),
            t.dim(),
        ),
    ])];
    if a.steps.is_empty() {
        lines.push(Line::styled(
            match a.status {
                AttemptStatus::AwaitingApproval => "  No step has run: it waits for approval.",
                AttemptStatus::Rejected | AttemptStatus::Cancelled => {
                    "  No step ran: it ended before it started."
                }
                _ => "  No step has run yet.",
            },
            t.dim(),
        ));
    }
    for s in &a.steps {
        let (outcome, style) = match s.outcome {
            StepOutcome::Succeeded => ("succeeded", t.ok()),
            StepOutcome::Failed => ("failed", t.danger()),
            StepOutcome::Running => ("running", t.label()),
            StepOutcome::Interrupted => ("interrupted", t.danger()),
        };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "  {:<13} try {}  {}  {:>8}  ",
                s.step.as_str(),
                s.try_number,
                format::second_ms(s.started_ms),
                s.duration_ms.map_or("—".into(), format::duration_ms)
            )),
            Span::styled(outcome, style),
        ]));
        if let Some(e) = &s.error {
            lines.push(Line::styled(format!("      error: {e}"), t.danger()));
        }
        for l in &s.log {
            lines.push(Line::styled(format!("      {l}"), t.dim()));
        }
    }
    if let Some(e) = &a.error
        && a.steps
            .iter()
            .all(|s| s.error.as_deref() != Some(e.as_str()))
    {
        lines.push(Line::styled(format!("  {e}"), t.danger()));
    }
    if let Some(r) = a.retry_ms {
        lines.push(Line::raw(format!(
            "  Tried again at {} UTC (t tries now).",
            format::minute_ms(r)
        )));
    }
    let skip = scroll.min(lines.len().saturating_sub(1));
    let mut shown: Vec<Line> = lines.drain(..1).collect();
    shown.extend(lines.into_iter().skip(skip));
    Paragraph::new(shown).render(area, buf);
}
