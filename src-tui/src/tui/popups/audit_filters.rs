//! The audit log's filters, one field a line.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use crate::tui::layout;
use coffer_core::vault::AuditQuery;

use crate::tui::format;
use crate::tui::theme::Theme;

/// How many events a page of the audit log reads.
pub const PAGE: usize = 200;

/// The filters as the operator typed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFilter {
    pub secret: String,
    pub principal: String,
    pub events: String,
    pub front_end: String,
    pub since: String,
    pub until: String,
    pub errors_only: bool,
}

impl Default for AuditFilter {
    fn default() -> Self {
        Self {
            secret: String::new(),
            principal: String::new(),
            events: String::new(),
            front_end: String::new(),
            since: "24h".into(),
            until: String::new(),
            errors_only: false,
        }
    }
}

impl AuditFilter {
    pub fn query(&self, now_ms: i64) -> Result<AuditQuery, String> {
        let some = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        };
        Ok(AuditQuery {
            secret_id: some(&self.secret),
            principal: some(&self.principal),
            event_names: self
                .events
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            front_end: some(&self.front_end),
            errors_only: self.errors_only,
            from_ms: format::parse_when(&self.since, now_ms)?,
            to_ms: format::parse_when(&self.until, now_ms)?,
            limit: PAGE,
            ..AuditQuery::default()
        })
    }

    /// One line saying what is filtered.
    pub fn describe(&self) -> String {
        let mut parts = vec![];
        if !self.since.is_empty() {
            parts.push(format!("since {}", self.since));
        }
        if !self.until.is_empty() {
            parts.push(format!("until {}", self.until));
        }
        for (k, v) in [
            ("secret", &self.secret),
            ("principal", &self.principal),
            ("event", &self.events),
            ("via", &self.front_end),
        ] {
            if !v.trim().is_empty() {
                parts.push(format!("{k} {}", v.trim()));
            }
        }
        if self.errors_only {
            parts.push("errors only".into());
        }
        if parts.is_empty() {
            "all events".into()
        } else {
            parts.join(" · ")
        }
    }
}

pub const FIELDS: [&str; 6] = [
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{Action, Request};
    use crate::tui::action::{Cmd, Effect};
    use crate::tui::app::App;
    use crate::tui::popups::Popup;
    use crate::tui::theme::Theme;

    #[test]
    fn fields_edit_and_apply() {
        let mut a = App::new("v".into(), None, false, 1, Theme { color: false });
        a.sh.popup = Some(Popup::AuditFilters(AuditFilterForm::new(
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
