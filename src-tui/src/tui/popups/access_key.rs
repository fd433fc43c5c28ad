//! A new access key's secret, shown once: copy it (cleared from the clipboard after 30 s)
//! or write it down; it is dropped when the dialog closes and cannot be read again.

use coffer_core::SecretText;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use crate::tui::layout;
use crate::tui::theme::Theme;

/// The one place the secret access key is held (`SecretText` prints as `***`).
#[derive(Debug)]
pub struct NewAccessKey {
    pub user_name: String,
    pub access_key_id: String,
    pub secret: SecretText,
}

impl NewAccessKey {
    pub fn render(&self, t: Theme, area: Rect, buf: &mut Buffer) {
        let width = 72.min(area.width);
        let lines = vec![
            Line::raw(format!("A new access key for {}.", self.user_name)),
            Line::raw(""),
            Line::from(vec![
                Span::styled("Access key id      ", t.label()),
                Span::raw(self.access_key_id.clone()),
            ]),
            Line::from(vec![
                Span::styled("Secret access key  ", t.label()),
                Span::styled(self.secret.expose().to_string(), t.title()),
            ]),
            Line::raw(""),
            Line::styled(
                "This is the only time the secret is shown: copy it (c) or write it down.",
                t.danger(),
            ),
            Line::styled("Esc closes the dialog and forgets it.", t.dim()),
        ];
        let inner = width.saturating_sub(2);
        let h = lines
            .iter()
            .map(|l| (l.width() as u16).div_ceil(inner.max(1)).max(1))
            .sum::<u16>()
            + 2;
        let r = layout::centered(area, width, h);
        Clear.render(r, buf);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(Span::styled(" New access key ", t.title())))
            .render(r, buf);
    }
}
