//! Writing a policy document: a multi-line JSON editor (typing and pasting both work, since
//! a pasted newline arrives as Enter). A secret's resource policy is put with
//! `BlockPublicPolicy` on unless the operator turns it off; the same editor writes a
//! principal's inline policy, a new role's trust policy and a new managed policy.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use coffer_core::vault::iam::EntityKind;

use crate::tui::action::Cmd;
use crate::tui::layout;
use crate::tui::theme::Theme;

/// What the document is, and so what Ctrl-S sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditorFor {
    /// A secret's resource policy (PutResourcePolicy).
    Resource { arn: String },
    /// An inline policy of the principal `name` (Put{User,Role,Group}Policy).
    Inline {
        kind: EntityKind,
        policy_name: String,
    },
    /// The trust policy of a new role `name` (CreateRole).
    Trust,
    /// The document of a new managed policy `name` (CreatePolicy).
    Managed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyEditor {
    pub target: EditorFor,
    /// The secret's or the principal's name.
    pub name: String,
    pub lines: Vec<String>,
    pub row: usize,
    /// The cursor's column, in characters.
    pub col: usize,
    /// `BlockPublicPolicy` on the put (on unless turned off).
    pub block_public: bool,
}

/// Where the `col`-th character of a line starts, in bytes.
fn byte_at(line: &str, col: usize) -> usize {
    line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
}

impl PolicyEditor {
    /// An editor holding `text`, with the cursor at its start.
    pub fn new(arn: String, name: String, text: &str) -> Self {
        Self::for_iam(EditorFor::Resource { arn }, name, text)
    }

    /// An editor for `target`, holding `text`.
    pub fn for_iam(target: EditorFor, name: String, text: &str) -> Self {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        Self {
            target,
            name,
            lines,
            row: 0,
            col: 0,
            block_public: true,
        }
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    fn len(&self, row: usize) -> usize {
        self.lines[row].chars().count()
    }

    pub fn insert(&mut self, c: char) {
        let line = &mut self.lines[self.row];
        line.insert(byte_at(line, self.col), c);
        self.col += 1;
    }

    pub fn newline(&mut self) {
        let line = &mut self.lines[self.row];
        let rest = line.split_off(byte_at(line, self.col));
        self.row += 1;
        self.lines.insert(self.row, rest);
        self.col = 0;
    }

    pub fn backspace(&mut self) {
        if self.col > 0 {
            let line = &mut self.lines[self.row];
            line.remove(byte_at(line, self.col - 1));
            self.col -= 1;
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.len(self.row);
            self.lines[self.row].push_str(&line);
        }
    }

    pub fn clear(&mut self) {
        self.lines = vec![String::new()];
        self.row = 0;
        self.col = 0;
    }

    /// Moves the cursor: ↑/↓ keep the column where the line allows, ←/→ cross lines.
    pub fn cursor(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Up if self.row > 0 => {
                self.row -= 1;
                self.col = self.col.min(self.len(self.row));
            }
            Cmd::Down if self.row + 1 < self.lines.len() => {
                self.row += 1;
                self.col = self.col.min(self.len(self.row));
            }
            Cmd::Left if self.col > 0 => self.col -= 1,
            Cmd::Left if self.row > 0 => {
                self.row -= 1;
                self.col = self.len(self.row);
            }
            Cmd::Right if self.col < self.len(self.row) => self.col += 1,
            Cmd::Right if self.row + 1 < self.lines.len() => {
                self.row += 1;
                self.col = 0;
            }
            _ => {}
        }
    }

    pub fn render(&self, t: Theme, area: Rect, buf: &mut Buffer) {
        let r = layout::centered(area, 100, area.height);
        Clear.render(r, buf);
        let (title, info) = match &self.target {
            EditorFor::Resource { .. } => (
                format!(" Resource policy of {} ", self.name),
                "JSON policy document; it replaces the secret's current policy.".to_string(),
            ),
            EditorFor::Inline { policy_name, .. } => (
                format!(" Inline policy {policy_name} of {} ", self.name),
                "JSON identity policy; it replaces an inline policy of the same name.".into(),
            ),
            EditorFor::Trust => (
                format!(" Trust policy of the new role {} ", self.name),
                "Who may assume the role (sts:AssumeRole); Ctrl-S creates the role.".into(),
            ),
            EditorFor::Managed => (
                format!(" New managed policy {} ", self.name),
                "JSON identity policy; Ctrl-S creates the policy, ready to attach.".into(),
            ),
        };
        let block = Block::bordered().title(Span::styled(title, t.title()));
        let inner = block.inner(r);
        block.render(r, buf);
        let [info_area, text, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        Paragraph::new(Line::styled(info, t.dim())).render(info_area, buf);
        let gutter = 4usize;
        let width = (text.width as usize).saturating_sub(gutter).max(1);
        let height = text.height.max(1) as usize;
        let top = self.row.saturating_sub(height - 1);
        let left = self.col.saturating_sub(width - 1);
        let lines: Vec<Line> = self
            .lines
            .iter()
            .enumerate()
            .skip(top)
            .take(height)
            .map(|(i, l)| {
                let mut spans = vec![Span::styled(format!("{:>3} ", i + 1), t.dim())];
                let shown: Vec<char> = l.chars().skip(left).take(width).collect();
                if i == self.row {
                    let at = self.col - left;
                    let before: String = shown.iter().take(at).collect();
                    let under = shown.get(at).map_or(" ".to_string(), |c| c.to_string());
                    let after: String = shown.iter().skip(at + 1).collect();
                    spans.push(Span::raw(before));
                    spans.push(Span::styled(under, t.selected()));
                    spans.push(Span::raw(after));
                } else {
                    spans.push(Span::raw(shown.into_iter().collect::<String>()));
                }
                Line::from(spans)
            })
            .collect();
        Paragraph::new(lines).render(text, buf);
        let foot = if !matches!(self.target, EditorFor::Resource { .. }) {
            Line::styled("Ctrl-S sends it · Esc cancels · Ctrl-U erases all", t.dim())
        } else if self.block_public {
            Line::from(vec![
                Span::styled("BlockPublicPolicy on", t.ok()),
                Span::raw(": a policy that opens the secret to everyone is refused."),
            ])
        } else {
            Line::from(vec![
                Span::styled("BlockPublicPolicy OFF", t.danger()),
                Span::raw(": a policy that opens the secret to everyone is accepted."),
            ])
        };
        Paragraph::new(foot).render(footer, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{Action, Loaded};
    use crate::tui::action::{Effect, Request};
    use crate::tui::app::App;
    use crate::tui::popups::Popup;
    use crate::tui::theme::Theme;
    use coffer_core::Operation;

    fn app(text: &str) -> App {
        let mut a = App::new("v.db".into(), None, false, 1, Theme { color: false });
        a.sh.popup = Some(Popup::PolicyEditor(PolicyEditor::new(
            "arn".into(),
            "prod/db".into(),
            text,
        )));
        a
    }

    fn editor(a: &App) -> &PolicyEditor {
        match &a.sh.popup {
            Some(Popup::PolicyEditor(e)) => e,
            other => panic!("not the editor: {other:?}"),
        }
    }

    #[test]
    fn typing_splitting_and_joining_lines() {
        let mut a = app("{}");
        a.update(Action::Key(Cmd::Right));
        a.update(Action::Key(Cmd::Newline));
        for c in "\"a\":1".chars() {
            a.update(Action::Char(c));
        }
        a.update(Action::Key(Cmd::Newline));
        assert_eq!(editor(&a).text(), "{\n\"a\":1\n}");
        assert_eq!((editor(&a).row, editor(&a).col), (2, 0));
        a.update(Action::Key(Cmd::Backspace));
        assert_eq!(editor(&a).text(), "{\n\"a\":1}");
        a.update(Action::Key(Cmd::Up));
        assert_eq!((editor(&a).row, editor(&a).col), (0, 1));
        a.update(Action::Key(Cmd::Left));
        a.update(Action::Key(Cmd::Left));
        assert_eq!(
            (editor(&a).row, editor(&a).col),
            (0, 0),
            "stops at the start"
        );
        a.update(Action::Key(Cmd::Down));
        a.update(Action::Key(Cmd::Down));
        assert_eq!(editor(&a).row, 1, "stops at the last line");
        a.update(Action::Char('é'));
        a.update(Action::Key(Cmd::Backspace));
        a.update(Action::Key(Cmd::Clear));
        assert_eq!(editor(&a).text(), "");
    }

    #[test]
    fn ctrl_s_puts_with_block_public_policy_and_keeps_the_editor_until_done() {
        let mut a = app("{\"Version\":\"2012-10-17\"}");
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::PutPolicy { block_public: true, policy, .. })] if policy.contains("2012-10-17")
        ));
        assert!(a.sh.popup.is_some());
        a.update(Action::loaded(Loaded::Failed {
            operation: Operation::PutResourcePolicy,
            error: coffer_core::Error::new(
                coffer_core::ErrorCode::MalformedPolicyDocument,
                "no Statement",
            ),
        }));
        assert!(a.sh.popup.is_some(), "a refused document stays to be fixed");
        assert!(
            a.sh.status
                .as_ref()
                .unwrap()
                .text
                .contains("MalformedPolicyDocumentException")
        );
        a.update(Action::Key(Cmd::Toggle));
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::PutPolicy {
                block_public: false,
                ..
            })]
        ));
        a.update(Action::loaded(Loaded::Done("Put.".into())));
        assert!(a.sh.popup.is_none());
    }

    #[test]
    fn empty_text_cancel_and_read_only_send_nothing() {
        let mut a = app("");
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        assert!(a.sh.status.as_ref().unwrap().error);
        a.update(Action::Key(Cmd::Cancel));
        assert!(a.sh.popup.is_none());
        let mut a = app("{}");
        a.sh.read_only = true;
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        assert!(
            a.sh.status
                .as_ref()
                .unwrap()
                .text
                .contains("Read-only console")
        );
    }
}
