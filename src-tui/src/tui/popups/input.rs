//! A one-line text dialog (masked for values) and what its answer is for.

use coffer_core::vault::iam::EntityKind;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};
use zeroize::Zeroizing;

use crate::tui::action::{FunctionFor, PrincipalKind};
use crate::tui::layout;
use crate::tui::theme::Theme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputFor {
    RecoveryWindow {
        arn: String,
        name: String,
    },
    ConfirmName {
        arn: String,
        name: String,
    },
    AddTag {
        arn: String,
    },
    EditTag {
        arn: String,
        key: String,
    },
    PutValue {
        arn: String,
    },
    CreateName,
    /// The `Type` of a managed external secret (empty: an ordinary secret).
    CreateType {
        name: String,
    },
    CreateValue {
        name: String,
        secret_type: Option<String>,
    },
    Description {
        arn: String,
    },
    /// A secret's `Type` (managed external secrets); empty leaves it as it is.
    SecretType {
        arn: String,
    },
    /// `REGION` or `REGION KMS-KEY`.
    AddReplica {
        arn: String,
    },
    /// The ARN of a cross-account replica of `arn`.
    AssociateCrossAccount {
        arn: String,
    },
    NewPrincipal {
        kind: PrincipalKind,
    },
    OperatorPassphrase {
        name: String,
    },
    OperatorPassphraseAgain {
        name: String,
        first: Typed,
    },
    CurrentPassphrase,
    NewPassphrase {
        old: Typed,
    },
    NewPassphraseAgain {
        old: Typed,
        new: Typed,
    },
    InlinePolicyName {
        kind: EntityKind,
        name: String,
    },
    DeleteInline {
        kind: EntityKind,
        name: String,
        options: Vec<String>,
    },
    Attach {
        kind: EntityKind,
        name: String,
        options: Vec<String>,
        attach: bool,
    },
    Group {
        user: String,
        options: Vec<String>,
        add: bool,
    },
    /// A rotation function for a secret that has none: (name, ARN) options.
    ChooseFunction {
        then: FunctionFor,
        options: Vec<(String, String)>,
    },
    RejectReason {
        arn: String,
        name: String,
    },
}

pub struct Input {
    pub title: String,
    pub lines: Vec<String>,
    pub value: Zeroizing<String>,
    pub masked: bool,
    pub purpose: InputFor,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input")
            .field("title", &self.title)
            .field("purpose", &self.purpose)
            .finish_non_exhaustive()
    }
}

/// A passphrase typed into a dialog, kept until it is typed a second time.
#[derive(Clone, PartialEq, Eq)]
pub struct Typed(pub zeroize::Zeroizing<String>);

impl std::fmt::Debug for Typed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl Input {
    /// Asks for the recovery window of a deletion.
    pub fn recovery_window(arn: String, name: String) -> Self {
        Self::new(
            "Schedule a deletion",
            vec![
                format!("Delete {name} after a recovery window of how many days (7–30)?"),
                "Until then it can be restored; after it, every version is destroyed.".into(),
            ],
            "30",
            false,
            InputFor::RecoveryWindow { arn, name },
        )
    }

    /// Asks for a secret's new value (masked).
    pub fn put_value(arn: String, name: String) -> Self {
        Self::new(
            "Put a new value",
            vec![
                format!(
                    "The new value of {name}. It becomes AWSCURRENT; the current value becomes AWSPREVIOUS."
                ),
                "Typing is masked (Ctrl-R shows it).".into(),
            ],
            "",
            true,
            InputFor::PutValue { arn },
        )
    }

    pub fn new(
        title: &str,
        lines: Vec<String>,
        value: &str,
        masked: bool,
        purpose: InputFor,
    ) -> Self {
        Self {
            title: title.into(),
            lines,
            value: Zeroizing::new(value.to_string()),
            masked,
            purpose,
        }
    }

    pub fn render(&self, t: Theme, area: Rect, buf: &mut Buffer) {
        let width = 72.min(area.width);
        let r = layout::centered(
            area,
            width,
            layout::wrapped_rows(&self.lines, width.saturating_sub(2)) + 4,
        );
        Clear.render(r, buf);
        let mut lines: Vec<Line> = self.lines.iter().map(|l| Line::raw(l.clone())).collect();
        lines.push(Line::raw(""));
        let shown = if self.masked {
            "•".repeat(self.value.chars().count())
        } else {
            self.value.to_string()
        };
        lines.push(Line::from(vec![
            Span::styled("> ", t.title()),
            Span::raw(shown),
            Span::styled("▏", t.title()),
        ]));
        let danger = matches!(
            self.purpose,
            InputFor::ConfirmName { .. }
                | InputFor::RecoveryWindow { .. }
                | InputFor::RejectReason { .. }
        );
        let style = if danger { t.danger() } else { t.title() };
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(Span::styled(format!(" {} ", self.title), style)))
            .render(r, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;
    use crate::tui::action::{Cmd, Effect, Request};
    use crate::tui::app::App;
    use crate::tui::popups::Popup;
    use crate::tui::theme::Theme;

    fn app(purpose: InputFor, value: &str) -> App {
        let mut a = App::new("v.db".into(), None, false, 1, Theme { color: false });
        a.sh.popup = Some(Popup::Input(Input::new("t", vec![], value, false, purpose)));
        a
    }

    #[test]
    fn the_recovery_window_is_checked_then_confirmed() {
        let rw = || InputFor::RecoveryWindow {
            arn: "a".into(),
            name: "n".into(),
        };
        let mut a = app(rw(), "6");
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        assert!(a.sh.status.as_ref().unwrap().error);
        let mut a = app(rw(), "3");
        a.update(Action::Char('0'));
        a.update(Action::Key(Cmd::Submit));
        let Some(Popup::Confirm(c)) = &a.sh.popup else {
            panic!()
        };
        assert!(matches!(c.request, Some(Request::Delete { days: 30, .. })));
        assert!(!c.yes);
    }

    #[test]
    fn delete_now_needs_the_exact_name() {
        let cn = || InputFor::ConfirmName {
            arn: "a".into(),
            name: "prod/db".into(),
        };
        let mut a = app(cn(), "prod/d");
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        let mut a = app(cn(), "prod/d");
        a.update(Action::Char('b'));
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::ForceDelete { .. })]
        ));
    }

    #[test]
    fn tags_values_and_names() {
        let mut a = app(InputFor::AddTag { arn: "a".into() }, "env=prod");
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Tag { key, value, .. })] if key == "env" && value == "prod")
        );
        let mut a = app(InputFor::AddTag { arn: "a".into() }, "oops");
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        let mut a = app(
            InputFor::EditTag {
                arn: "a".into(),
                key: "k".into(),
            },
            "v2",
        );
        assert_eq!(a.update(Action::Key(Cmd::Submit)).len(), 1);
        let mut a = app(InputFor::PutValue { arn: "a".into() }, "");
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        a.sh.popup = Some(Popup::Input(Input::new(
            "t",
            vec![],
            "s3cr3t",
            true,
            InputFor::PutValue { arn: "a".into() },
        )));
        a.update(Action::Key(Cmd::Toggle));
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(&fx[..], [Effect::Send(Request::Put { .. })]));
        let mut a = app(InputFor::CreateName, "new/one");
        a.update(Action::Key(Cmd::Submit));
        a.update(Action::Key(Cmd::Submit));
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::Create {
                value: None,
                secret_type: None,
                ..
            })]
        ));
        let mut a = app(InputFor::Description { arn: "a".into() }, "d");
        assert_eq!(a.update(Action::Key(Cmd::Submit)).len(), 1);
        let mut a = app(InputFor::SecretType { arn: "a".into() }, "");
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        let mut a = app(InputFor::Description { arn: "a".into() }, "d");
        a.update(Action::Key(Cmd::Backspace));
        a.update(Action::Key(Cmd::Cancel));
        assert!(a.sh.popup.is_none());
    }

    #[test]
    fn a_new_secret_and_an_existing_one_take_a_type() {
        let mut a = app(InputFor::CreateName, "crm/oauth");
        a.update(Action::Key(Cmd::Submit));
        let Some(Popup::Input(i)) = &a.sh.popup else {
            panic!("the Type is asked for next")
        };
        assert_eq!(
            i.purpose,
            InputFor::CreateType {
                name: "crm/oauth".into()
            }
        );
        for c in "SalesforceClientSecret".chars() {
            a.update(Action::Char(c));
        }
        a.update(Action::Key(Cmd::Submit));
        for c in "s3cr3t".chars() {
            a.update(Action::Char(c));
        }
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::Create { name, value: Some(_), secret_type: Some(t) })]
                if name == "crm/oauth" && t == "SalesforceClientSecret"
        ));
        let mut a = app(
            InputFor::SecretType { arn: "a".into() },
            "SalesforceClientSecret",
        );
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::SetType { arn, secret_type })]
                if arn == "a" && secret_type == "SalesforceClientSecret"
        ));
    }
}
