//! The approval queue: rotations waiting for an operator, oldest first, with who asked, when
//! and why; approve (confirmed) or reject with a reason. The two-person rule is spelled out
//! (the requester may not decide). The queue is not an audited read, so it is re-read on
//! every change — the header's badge counts it from every screen.

use coffer_core::vault::rotation::RotationAttempt;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget, Wrap};

use super::detail::Tab;
use super::detail_rotation::function_name;
use crate::tui::action::{Cmd, Effect, Request};
use crate::tui::format;
use crate::tui::layout;
use crate::tui::popups::{Confirm, Input, InputFor, Popup};
use crate::tui::shell::{Nav, Screen, Shell};

#[derive(Debug, Default)]
pub struct ApprovalsState {
    pub rows: Vec<RotationAttempt>,
    pub selected: usize,
    pub want: u64,
}

impl ApprovalsState {
    pub fn selected_row(&self) -> Option<&RotationAttempt> {
        self.rows.get(self.selected)
    }
}

/// Who asked, as a name (`admin`, or the scheduler for a rotation its schedule made due).
pub fn requester(a: &RotationAttempt) -> String {
    if a.trigger == "Schedule" {
        "schedule".into()
    } else {
        format::principal_name(&a.requested_by).to_string()
    }
}

impl ApprovalsState {
    /// Re-reads the queue (on unlock, on every change, after acts).
    pub(crate) fn load(&mut self, sh: &mut Shell) -> Vec<Effect> {
        if sh.session.is_none() {
            return vec![];
        }
        let seq = sh.next_seq();
        self.want = seq;
        vec![Effect::Send(Request::Pending { seq })]
    }

    pub(crate) fn loaded(&mut self, seq: u64, rows: Vec<RotationAttempt>) -> Vec<Effect> {
        let a = &mut *self;
        if seq != a.want {
            return vec![];
        }
        a.rows = rows;
        a.selected = a.selected.min(a.rows.len().saturating_sub(1));
        vec![]
    }

    /// The lines the background runner's jobs take above the queue.
    pub(crate) fn background_lines(&self, sh: &Shell) -> u16 {
        sh.background.as_ref().map_or(0, |b| b.jobs.len() as u16)
    }

    /// Whether the two-person rule keeps the operator at the keyboard from deciding: they
    /// asked for this rotation.
    fn asked_by_me(&self, sh: &Shell, a: &RotationAttempt) -> bool {
        sh.session
            .as_ref()
            .is_some_and(|s| !a.may_decide(&s.principal_arn))
    }

    pub(crate) fn key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let a = &mut *self;
        let last = a.rows.len().saturating_sub(1);
        match cmd {
            Cmd::Up => a.selected = a.selected.saturating_sub(1),
            Cmd::Down => a.selected = (a.selected + 1).min(last),
            Cmd::Top => a.selected = 0,
            Cmd::Bottom => a.selected = last,
            Cmd::Back => return sh.go(Nav::Go(Screen::Secrets)),
            _ => {}
        }
        let Some(row) = self.selected_row().cloned() else {
            if matches!(cmd, Cmd::Approve | Cmd::Reject | Cmd::Open) {
                sh.info("No rotation is waiting for approval.");
            }
            return vec![];
        };
        let (arn, name) = (row.secret_arn.clone(), row.secret_name.clone());
        match cmd {
            Cmd::Approve => {
                let mut lines = vec![
                    format!(
                        "Approve the rotation of {name}, asked for by {} {} ago?",
                        requester(&row),
                        format::span(sh.now_ms - row.requested_ms)
                    ),
                    format!(
                        "It starts at once with {}: a new value is made and tested, then becomes AWSCURRENT.",
                        function_name(&row.function_arn)
                    ),
                ];
                if self.asked_by_me(sh, &row) {
                    lines.push(
                        "You asked for it and the two-person rule is on: the vault will refuse your approval."
                            .into(),
                    );
                }
                sh.popup = Some(Popup::Confirm(Confirm::new(
                    "Approve a rotation",
                    lines,
                    Request::Approve { arn },
                )));
                vec![]
            }
            Cmd::Reject => {
                self.ask_reject_reason(sh, arn, name);
                vec![]
            }
            Cmd::Open => {
                sh.go(Nav::OpenDetail { arn, name });
                sh.go(Nav::Tab(Tab::Rotation))
            }
            _ => vec![],
        }
    }

    pub fn ask_reject_reason(&mut self, sh: &mut Shell, arn: String, name: String) {
        sh.popup = Some(Popup::Input(Input::new(
            "Reject a rotation",
            vec![
                format!("Why is the rotation of {name} rejected? (required; it is audited)"),
                "The value stays as it is; the schedule moves on to its next window.".into(),
            ],
            "",
            false,
            InputFor::RejectReason { arn, name },
        )));
    }
}

/// The first row the queue's table shows (so that a click maps onto the row drawn there).
pub fn approvals_offset(selected: usize, table: Rect) -> usize {
    selected.saturating_sub(layout::table_rows(table).saturating_sub(1))
}

impl ApprovalsState {
    pub fn render(&self, sh: &Shell, area: Rect, buf: &mut Buffer) {
        let t = sh.theme;
        let a = self;
        // The core's background runner, one line per job as the desktop app shows them too.
        let jobs = sh.background.as_ref().map_or(&[][..], |b| &b.jobs[..]);
        let (info, table, side) = layout::approvals(area, self.background_lines(sh));
        let mut lines = vec![Line::from(vec![
            Span::styled(" Approvals ", t.title()),
            Span::styled(
                format!(
                    "{} rotation(s) waiting for approval, oldest first",
                    a.rows.len()
                ),
                t.dim(),
            ),
        ])];
        lines.extend(jobs.iter().map(|j| {
            let style = if j.last_error.is_some() {
                t.danger()
            } else {
                t.dim()
            };
            Line::styled(format!(" {}", j.line), style)
        }));
        Paragraph::new(lines).render(info, buf);
        let rows: Vec<Row> = a
            .rows
            .iter()
            .map(|r| {
                Row::new(vec![
                    Cell::from(r.secret_name.clone()),
                    Cell::from(requester(r)),
                    Cell::from(format::minute_ms(r.requested_ms)),
                    Cell::from(format::span(sh.now_ms - r.requested_ms)),
                    Cell::from(r.trigger.clone()),
                    Cell::from(if r.two_person_rule {
                        Span::styled("yes", t.label())
                    } else {
                        Span::raw("no")
                    }),
                ])
            })
            .collect();
        let empty = rows.is_empty();
        let mut st = TableState::default()
            .with_offset(approvals_offset(a.selected, table))
            .with_selected(Some(a.selected));
        StatefulWidget::render(
            Table::new(
                rows,
                [
                    Constraint::Fill(1),
                    Constraint::Length(12),
                    Constraint::Length(16),
                    Constraint::Length(7),
                    Constraint::Length(12),
                    Constraint::Length(10),
                ],
            )
            .header(
                Row::new(vec![
                    "Secret",
                    "Requested by",
                    "When (UTC)",
                    "Age",
                    "Trigger",
                    "Two-person",
                ])
                .style(t.header()),
            )
            .row_highlight_style(t.selected())
            .highlight_symbol("▶ "),
            table,
            buf,
            &mut st,
        );
        if empty {
            Paragraph::new(Line::styled(
                " No rotation is waiting for approval.",
                t.dim(),
            ))
            .render(Rect::new(table.x, table.y + 1, table.width, 1), buf);
            return;
        }
        let Some(r) = a.selected_row() else { return };
        let who = requester(r);
        let rule = if !r.two_person_rule {
            Line::raw(" Any operator with coffer:ApproveRotation may decide, the requester too.")
        } else if r.trigger == "Schedule" {
            Line::raw(
                " Two-person rule: its schedule asked for it, so anyone with coffer:ApproveRotation may decide.",
            )
        } else if self.asked_by_me(sh, r) {
            Line::styled(
                format!(
                    " Two-person rule: you ({who}) asked for it, so another operator must decide."
                ),
                t.danger(),
            )
        } else {
            Line::raw(format!(
                " Two-person rule: anyone with coffer:ApproveRotation but {who} may decide."
            ))
        };
        Paragraph::new(vec![
            Line::styled(format!(" {}", r.secret_name), t.title()),
            Line::raw(format!(
                " Function {} · new version {} · asked for by {who} ({})",
                function_name(&r.function_arn),
                format::short_id(&r.token),
                r.trigger
            )),
            rule,
        ])
        .wrap(Wrap { trim: false })
        .render(side, buf);
    }
}
