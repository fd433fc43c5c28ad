//! The help screen: every key of where the operator is, straight from the keymap.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use crate::tui::keymap::{Ctx, help_for};
use crate::tui::layout;
use crate::tui::theme::Theme;

pub fn render(t: Theme, ctx: Ctx, scroll: u16, area: Rect, buf: &mut Buffer) {
    let r = layout::centered(area, 78, area.height.saturating_sub(2));
    Clear.render(r, buf);
    let mut lines = vec![];
    let mut last = None;
    for b in help_for(ctx) {
        if last != Some(b.ctx) {
            if last.is_some() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(b.ctx.title(), t.header()));
            last = Some(b.ctx);
        }
        let keys = b
            .keys
            .iter()
            .map(|k| k.label())
            .collect::<Vec<_>>()
            .join(" ");
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<14}"), t.title()),
            Span::raw(b.help),
        ]));
    }
    Paragraph::new(lines)
        .scroll((scroll, 0))
        .block(Block::bordered().title(Span::styled(" Help — Esc closes ", t.title())))
        .render(r, buf);
}
