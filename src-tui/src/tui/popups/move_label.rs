//! Moving a staging label: pick or type the label, see before → after, then confirm.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use coffer_core::model::labels::{LabelMove, VersionLabels};

use crate::tui::format::short_id;
use crate::tui::layout;
use crate::tui::theme::Theme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveLabel {
    pub arn: String,
    pub name: String,
    pub target: String,
    pub label: String,
    /// The labels on other versions, AWSCURRENT first.
    pub choices: Vec<String>,
    pub choice: usize,
    /// Every version id with its labels.
    pub versions: Vec<VersionLabels>,
}

impl MoveLabel {
    /// The core's plan for moving the typed label to the target version.
    pub fn plan(&self) -> LabelMove {
        LabelMove::plan(&self.versions, self.label.trim(), &self.target)
    }

    /// Before → after, one line per label that moves.
    pub fn preview(&self) -> Vec<String> {
        let label = self.label.trim();
        if label.is_empty() {
            return vec!["Type a label or pick one with ↑/↓.".into()];
        }
        let plan = self.plan();
        if plan.steps.is_empty() {
            return vec![format!("{label} is already on {}.", short_id(&self.target))];
        }
        plan.steps
            .iter()
            .map(|s| {
                let from = s.from.as_deref().map_or("(nowhere)", short_id);
                format!("{:<12} {from} → {}", s.label, short_id(&s.to))
            })
            .collect()
    }

    pub fn render(&self, t: Theme, area: Rect, buf: &mut Buffer) {
        let r = layout::centered(area, 72, 11);
        Clear.render(r, buf);
        let mut lines = vec![
            Line::raw(format!(
                "Move a label of {} to version {}.",
                self.name,
                short_id(&self.target)
            )),
            Line::raw(""),
            Line::from(vec![
                Span::styled("Label > ", t.title()),
                Span::styled(self.label.clone(), t.label()),
                Span::styled("▏", t.title()),
            ]),
            Line::raw(""),
            Line::styled("Before → after:", t.dim()),
        ];
        lines.extend(
            self.preview()
                .into_iter()
                .map(|l| Line::raw(format!("  {l}"))),
        );
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(Span::styled(" Move label ", t.title())))
            .render(r, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;
    use crate::tui::action::{Cmd, Request};
    use crate::tui::app::App;
    use crate::tui::popups::Popup;
    use crate::tui::theme::Theme;

    fn popup() -> MoveLabel {
        MoveLabel {
            arn: "a".into(),
            name: "n".into(),
            target: "33333333-v3".into(),
            label: "AWSCURRENT".into(),
            choices: vec!["AWSCURRENT".into(), "AWSPREVIOUS".into()],
            choice: 0,
            versions: [
                ("11111111-v1", vec!["AWSCURRENT".into()]),
                ("22222222-v2", vec!["AWSPREVIOUS".into()]),
                ("33333333-v3", vec![]),
            ]
            .into_iter()
            .map(|(id, stages)| VersionLabels {
                version_id: id.into(),
                stages,
            })
            .collect(),
        }
    }

    #[test]
    fn moving_awscurrent_shows_awsprevious_following() {
        let p = popup().preview();
        assert_eq!(p[0], "AWSCURRENT   11111111 → 33333333");
        assert_eq!(p[1], "AWSPREVIOUS  22222222 → 11111111");
    }

    #[test]
    fn submit_asks_to_confirm_with_the_holder_to_remove_from() {
        let mut a = App::new("v".into(), None, false, 1, Theme { color: false });
        a.sh.popup = Some(Popup::MoveLabel(popup()));
        a.update(Action::Key(Cmd::Down));
        let Some(Popup::MoveLabel(m)) = &a.sh.popup else {
            panic!()
        };
        assert_eq!(m.label, "AWSPREVIOUS");
        a.update(Action::Key(Cmd::Backspace));
        a.update(Action::Char('S'));
        a.update(Action::Key(Cmd::Submit));
        let Some(Popup::Confirm(c)) = &a.sh.popup else {
            panic!()
        };
        assert!(
            matches!(&c.request, Some(Request::MoveLabel { label, from: Some(f), .. }) if label == "AWSPREVIOUS" && f == "22222222-v2")
        );
        a.update(Action::Key(Cmd::Cancel));
        assert!(a.sh.popup.is_none());
    }

    #[test]
    fn a_new_label_comes_from_nowhere() {
        let mut p = popup();
        p.label = "CANARY".into();
        assert_eq!(p.preview()[0], "CANARY       (nowhere) → 33333333");
    }
}
