//! The deletion schedule: every secret pending deletion, soonest first, with restore and a
//! delete-now that needs the secret's name typed.

use coffer_core::vault::{SecretPage, SecretSummary};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget};

use crate::tui::action::{Cmd, Effect, Request};
use crate::tui::format;
use crate::tui::layout;
use crate::tui::popups::{Input, InputFor, Popup};
use crate::tui::shell::{Nav, Screen, Shell};

#[derive(Debug, Default)]
pub struct DeletionsState {
    pub total: usize,
    /// The offset of `rows[0]` in the schedule.
    pub start: usize,
    pub rows: Vec<SecretSummary>,
    pub selected: usize,
    pub scroll: usize,
    pub want: u64,
}

impl DeletionsState {
    pub fn selected_row(&self) -> Option<&SecretSummary> {
        self.rows.get(self.selected.checked_sub(self.start)?)
    }
}

impl DeletionsState {
    fn rows(sh: &Shell) -> usize {
        let (_, table) = layout::info_and_table(sh.body());
        layout::table_rows(table)
    }

    pub fn refresh(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let rows = Self::rows(sh);
        let seq = sh.next_seq();
        self.want = seq;
        let offset = self.scroll.saturating_sub(rows);
        vec![Effect::Send(Request::Deletions {
            seq,
            offset,
            limit: rows * 3,
        })]
    }

    pub fn loaded(&mut self, seq: u64, page: SecretPage) -> Vec<Effect> {
        if seq != self.want {
            return vec![];
        }
        self.total = page.total;
        self.start = page.offset;
        self.rows = page.rows;
        self.selected = self.selected.min(self.total.saturating_sub(1));
        vec![]
    }

    pub fn key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let rows = Self::rows(sh);
        let d = &mut *self;
        let last = d.total.saturating_sub(1);
        let moved = match cmd {
            Cmd::Up => Some(d.selected.saturating_sub(1)),
            Cmd::Down => Some((d.selected + 1).min(last)),
            Cmd::PageUp => Some(d.selected.saturating_sub(rows)),
            Cmd::PageDown => Some((d.selected + rows).min(last)),
            Cmd::Top => Some(0),
            Cmd::Bottom => Some(last),
            _ => None,
        };
        if let Some(sel) = moved {
            d.selected = sel;
            if sel < d.scroll {
                d.scroll = sel;
            } else if sel >= d.scroll + rows {
                d.scroll = sel + 1 - rows;
            }
            let loaded = sel >= d.start && sel < d.start + d.rows.len();
            return if loaded { vec![] } else { self.refresh(sh) };
        }
        let Some(r) = d.selected_row() else {
            return if cmd == Cmd::Back {
                sh.go(Nav::Go(Screen::Secrets))
            } else {
                vec![]
            };
        };
        let (arn, name) = (r.arn.clone(), r.name.clone());
        match cmd {
            Cmd::Restore => sh.send(Request::Restore { arn }),
            Cmd::DeleteNow => {
                if sh.read_only {
                    return sh.send(Request::ForceDelete { arn });
                }
                sh.popup = Some(Popup::Input(Input::new(
                    "Delete now — no recovery",
                    vec![
                        format!("This destroys {name} and every version of it now."),
                        "It cannot be restored. Type the secret's name to confirm.".into(),
                    ],
                    "",
                    false,
                    InputFor::ConfirmName { arn, name },
                )));
                vec![]
            }
            Cmd::Open => sh.go(Nav::OpenDetail { arn, name }),
            Cmd::Back => sh.go(Nav::Go(Screen::Secrets)),
            _ => vec![],
        }
    }

    pub fn render(&self, sh: &Shell, area: Rect, buf: &mut Buffer) {
        let t = sh.theme;
        let d = self;
        let (info, table) = layout::info_and_table(area);
        Paragraph::new(Line::from(vec![
            Span::styled(" Deletion schedule ", t.title()),
            Span::styled(
                format!("{} secret(s) pending deletion, soonest first", d.total),
                t.dim(),
            ),
        ]))
        .render(info, buf);
        let n = layout::table_rows(table);
        let rows = (d.scroll..(d.scroll + n).min(d.total)).map(|i| {
            match i.checked_sub(d.start).and_then(|j| d.rows.get(j)) {
                Some(r) => {
                    let left = r
                        .deletion_date
                        .map_or(0, |x| format::days_left(x, sh.now_ms));
                    Row::new(vec![
                        Cell::from(r.name.clone()),
                        Cell::from(r.deletion_date.map_or(String::new(), format::minute)),
                        Cell::from(Span::styled(format!("{left} days"), t.danger())),
                        Cell::from(format::day(r.deleted_date)),
                    ])
                }
                None => Row::new(vec![Cell::from("…")]),
            }
        });
        let rows: Vec<Row> = rows.collect();
        let empty = rows.is_empty();
        let mut st = TableState::default().with_selected(Some(d.selected.saturating_sub(d.scroll)));
        StatefulWidget::render(
            Table::new(
                rows,
                [
                    Constraint::Fill(1),
                    Constraint::Length(16),
                    Constraint::Length(9),
                    Constraint::Length(10),
                ],
            )
            .header(Row::new(vec!["Name", "Deletion (UTC)", "Left", "Requested"]).style(t.header()))
            .row_highlight_style(t.selected())
            .highlight_symbol("▶ "),
            table,
            buf,
            &mut st,
        );
        if empty {
            Paragraph::new(Line::styled(
                " No secret is scheduled for deletion.",
                t.dim(),
            ))
            .render(Rect::new(table.x, table.y + 1, table.width, 1), buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{Action, Loaded};
    use crate::tui::app::App;

    fn summary(name: &str) -> SecretSummary {
        SecretSummary {
            arn: format!("arn:x:{name}"),
            name: name.into(),
            description: None,
            created_date: 0.0,
            last_changed_date: 0.0,
            last_accessed_date: None,
            deleted_date: Some(0.0),
            deletion_date: Some(86_400.0 * 7.0),
            tags: vec![],
            version_count: 1,
            kms_key_id: None,
            next_rotation_date: None,
        }
    }

    fn app() -> App {
        let mut a = crate::tui::testkit::unlocked_app();
        let fx = a.update(Action::Key(Cmd::GoDeletions));
        let Some(Effect::Send(Request::Deletions { seq, .. })) = fx.first() else {
            panic!()
        };
        a.update(Action::loaded(Loaded::Deletions {
            seq: *seq,
            page: SecretPage {
                total: 2,
                offset: 0,
                rows: vec![summary("a"), summary("b")],
                revision: 1,
            },
        }));
        a
    }

    #[test]
    fn restore_sends_and_delete_now_asks_for_the_name() {
        let mut a = app();
        a.update(Action::Key(Cmd::Down));
        let fx = a.update(Action::Key(Cmd::Restore));
        assert!(matches!(&fx[..], [Effect::Send(Request::Restore { arn })] if arn == "arn:x:b"));
        let fx = a.update(Action::Key(Cmd::DeleteNow));
        assert!(fx.is_empty());
        assert!(
            matches!(&a.sh.popup, Some(Popup::Input(i)) if matches!(&i.purpose, InputFor::ConfirmName { name, .. } if name == "b"))
        );
    }

    #[test]
    fn enter_opens_and_esc_goes_back() {
        let mut a = app();
        a.update(Action::Key(Cmd::Open));
        assert_eq!(a.sh.screen, Screen::Detail);
        let mut a = app();
        a.update(Action::Key(Cmd::Back));
        assert_eq!(a.sh.screen, Screen::Secrets);
    }
}
