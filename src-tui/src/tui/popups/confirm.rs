//! "Are you sure?" with the danger spelled out; the default answer is No.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use crate::tui::action::Request;
use crate::tui::layout;
use crate::tui::theme::Theme;

#[derive(Debug)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    /// Whether Yes is highlighted (No is, at first).
    pub yes: bool,
    pub request: Option<Request>,
}

impl Confirm {
    pub fn new(title: &str, lines: Vec<String>, request: Request) -> Self {
        Self {
            title: title.into(),
            lines,
            yes: false,
            request: Some(request),
        }
    }

    pub fn render(&self, t: Theme, area: Rect, buf: &mut Buffer) {
        let width = 72.min(area.width);
        let h = layout::wrapped_rows(&self.lines, width.saturating_sub(2)) + 4;
        let r = layout::centered(area, width, h);
        Clear.render(r, buf);
        let mut lines: Vec<Line> = self.lines.iter().map(|l| Line::raw(l.clone())).collect();
        lines.push(Line::raw(""));
        let (y, n) = if self.yes {
            (t.danger().patch(t.selected()), t.base())
        } else {
            (t.base(), t.selected())
        };
        lines.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(" Yes (y) ", y),
            Span::raw("   "),
            Span::styled(" No (n) ", n),
        ]));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(Span::styled(format!(" {} ", self.title), t.danger())))
            .render(r, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;
    use crate::tui::action::Cmd;
    use crate::tui::app::App;
    use crate::tui::popups::Popup;
    use crate::tui::theme::Theme;

    fn app() -> App {
        let mut a = App::new("v.db".into(), None, false, 1, Theme { color: false });
        a.sh.popup = Some(Popup::Confirm(Confirm::new(
            "Danger",
            vec!["It goes away".into()],
            Request::Restore { arn: "a".into() },
        )));
        a
    }

    #[test]
    fn enter_answers_no_by_default() {
        let mut a = app();
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        assert!(a.sh.popup.is_none());
    }

    #[test]
    fn y_or_toggled_enter_sends() {
        let mut a = app();
        assert_eq!(a.update(Action::Key(Cmd::Yes)).len(), 1);
        let mut a = app();
        a.update(Action::Key(Cmd::Toggle));
        assert_eq!(a.update(Action::Key(Cmd::Submit)).len(), 1);
        let mut a = app();
        assert!(a.update(Action::Key(Cmd::No)).is_empty());
    }
}
