//! A diff of two versions by JSON key, the older on the left, values masked until shown.

use coffer_core::SecretValue;
use coffer_core::model::{Change, KeyDiff, diff_by_key};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{
    Block, Cell, Clear, Paragraph, Row, StatefulWidget, Table, TableState, Widget,
};

use crate::tui::action::RevealFor;
use crate::tui::format::short_id;
use crate::tui::layout;
use crate::tui::theme::Theme;

#[derive(Default)]
pub struct Diff {
    pub name: String,
    pub old_id: String,
    pub new_id: String,
    old: Option<SecretValue>,
    new: Option<SecretValue>,
    pub rows: Vec<KeyDiff>,
    pub shown: bool,
    pub selected: usize,
}

impl std::fmt::Debug for Diff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Diff")
            .field("old_id", &self.old_id)
            .field("new_id", &self.new_id)
            .finish_non_exhaustive()
    }
}

impl Diff {
    pub fn new(name: String, old_id: String, new_id: String) -> Self {
        Self {
            name,
            old_id,
            new_id,
            ..Self::default()
        }
    }

    pub fn arrived(&mut self, purpose: RevealFor, value: SecretValue) {
        match purpose {
            RevealFor::DiffOld => self.old = Some(value),
            RevealFor::DiffNew => self.new = Some(value),
            RevealFor::Value => return,
        }
        if let (Some(o), Some(n)) = (&self.old, &self.new) {
            self.rows = diff_by_key(o, n);
            self.old = None;
            self.new = None;
        }
    }

    pub fn render(&self, t: Theme, area: Rect, buf: &mut Buffer) {
        let r = layout::centered(
            area,
            area.width.saturating_sub(4),
            area.height.saturating_sub(2),
        );
        Clear.render(r, buf);
        let title = format!(
            " Diff {}: {} (old) → {} (new) · r {} ",
            self.name,
            short_id(&self.old_id),
            short_id(&self.new_id),
            if self.shown { "masks" } else { "shows values" }
        );
        let block = Block::bordered().title(Span::styled(title, t.title()));
        let inner = block.inner(r);
        block.render(r, buf);
        if self.rows.is_empty() {
            Paragraph::new(" Reading both versions (two audited reads)…").render(inner, buf);
            return;
        }
        let mask = |v: &Option<zeroize::Zeroizing<String>>| match v {
            None => String::new(),
            Some(_) if !self.shown => "••••••".into(),
            Some(s) => s.to_string(),
        };
        let rows = self.rows.iter().map(|d| {
            let style = match d.change {
                Change::Same => t.dim(),
                Change::Removed => t.danger(),
                _ => t.label(),
            };
            Row::new(vec![
                Cell::from(d.key.clone()),
                Cell::from(Span::styled(d.change.as_str(), style)),
                Cell::from(mask(&d.old)),
                Cell::from(mask(&d.new)),
            ])
        });
        let mut st = TableState::default().with_selected(Some(self.selected));
        StatefulWidget::render(
            Table::new(
                rows,
                [
                    Constraint::Fill(1),
                    Constraint::Length(8),
                    Constraint::Fill(2),
                    Constraint::Fill(2),
                ],
            )
            .header(Row::new(vec!["Key", "", "Old", "New"]).style(t.header()))
            .row_highlight_style(t.selected())
            .highlight_symbol("▶ "),
            inner,
            buf,
            &mut st,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Cmd;
    use crate::tui::app::App;
    use crate::tui::popups::Popup;
    use coffer_core::SecretText;

    fn s(v: &str) -> SecretValue {
        SecretValue::String(SecretText::new(v.into()))
    }

    #[test]
    fn plain_values_are_one_row_and_rows_wait_for_both() {
        let mut d = Diff::new("n".into(), "o".into(), "n".into());
        d.arrived(RevealFor::DiffOld, s("a"));
        assert!(d.rows.is_empty());
        d.arrived(RevealFor::DiffNew, s("b"));
        assert_eq!(d.rows.len(), 1);
        assert_eq!(d.rows[0].change, Change::Changed);
    }

    #[test]
    fn r_shows_and_esc_closes() {
        let mut a = App::new("v".into(), None, false, 1, Theme { color: false });
        a.sh.popup = Some(Popup::Diff(Diff::new("n".into(), "o".into(), "n".into())));
        a.update(crate::tui::action::Action::Key(Cmd::Reveal));
        assert!(matches!(&a.sh.popup, Some(Popup::Diff(d)) if d.shown));
        a.update(crate::tui::action::Action::Key(Cmd::Cancel));
        assert!(a.sh.popup.is_none());
    }
}
