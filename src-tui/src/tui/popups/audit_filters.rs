//! The audit log's filters, one field a line.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::Popup;
use crate::tui::action::{Cmd, Effect};
use crate::tui::app::App;
use crate::tui::layout;
use crate::tui::screens::audit::AuditFilter;
use crate::tui::theme::Theme;

const FIELDS: [&str; 6] = [
    "Secret (name or ARN)",
    "Principal (ARN or operator)",
    "Event names (comma-separated)",
    "Front end (cli tui desktop endpoint agent session internal)",
    "From (24h, 7d, 30m or RFC 3339)",
    "To (RFC 3339, empty: now)",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFilterForm {
    pub filter: AuditFilter,
    pub focus: usize,
}

impl AuditFilterForm {
    pub fn new(filter: AuditFilter) -> Self {
        Self { filter, focus: 0 }
    }

    pub fn field_mut(&mut self) -> &mut String {
        let f = &mut self.filter;
        match self.focus {
            0 => &mut f.secret,
            1 => &mut f.principal,
            2 => &mut f.events,
            3 => &mut f.front_end,
            4 => &mut f.since,
            _ => &mut f.until,
        }
    }

    fn field(&self, i: usize) -> &str {
        let f = &self.filter;
        [
            &f.secret,
            &f.principal,
            &f.events,
            &f.front_end,
            &f.since,
            &f.until,
        ][i]
    }

    pub fn render(&self, t: Theme, area: Rect, buf: &mut Buffer) {
        let r = layout::centered(area, 76, 11);
        Clear.render(r, buf);
        let mut lines = vec![];
        for (i, label) in FIELDS.iter().enumerate() {
            let style = if i == self.focus {
                t.selected()
            } else {
                t.base()
            };
            let cursor = if i == self.focus { "▏" } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{label:<46}"), style),
                Span::raw(format!(" {}{cursor}", self.field(i))),
            ]));
        }
        lines.push(Line::raw(""));
        lines.push(Line::raw(format!(
            "Errors only (denied or failed): {}   (Ctrl-E)",
            if self.filter.errors_only { "yes" } else { "no" }
        )));
        Paragraph::new(lines)
            .block(Block::bordered().title(Span::styled(" Audit filters ", t.title())))
            .render(r, buf);
    }
}

impl App {
    pub(crate) fn audit_filters_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(Popup::AuditFilters(f)) = self.popup.as_mut() else {
            return vec![];
        };
        match cmd {
            Cmd::Down => f.focus = (f.focus + 1) % FIELDS.len(),
            Cmd::Up => f.focus = (f.focus + FIELDS.len() - 1) % FIELDS.len(),
            Cmd::Backspace => {
                f.field_mut().pop();
            }
            Cmd::Toggle => f.filter.errors_only = !f.filter.errors_only,
            Cmd::Cancel => self.popup = None,
            Cmd::Submit => {
                self.audit.filter = f.filter.clone();
                self.popup = None;
                return self.refresh_audit(false);
            }
            _ => {}
        }
        vec![]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{Action, Request};
    use crate::tui::theme::Theme;

    #[test]
    fn fields_edit_and_apply() {
        let mut a = App::new("v".into(), None, false, 1, Theme { color: false });
        a.popup = Some(Popup::AuditFilters(AuditFilterForm::new(
            AuditFilter::default(),
        )));
        a.update(Action::Char('p'));
        a.update(Action::Key(Cmd::Down));
        a.update(Action::Key(Cmd::Up));
        a.update(Action::Key(Cmd::Up));
        a.update(Action::Key(Cmd::Backspace));
        a.update(Action::Key(Cmd::Toggle));
        let fx = a.update(Action::Key(Cmd::Submit));
        assert_eq!(a.audit.filter.secret, "p");
        assert_eq!(a.audit.filter.until, "");
        assert!(a.audit.filter.errors_only);
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Audit { query, .. })] if query.secret_id.as_deref() == Some("p"))
        );
    }
}
