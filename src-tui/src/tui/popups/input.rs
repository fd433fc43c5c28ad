//! A one-line text dialog (masked for values) and what its answer is for.

use coffer_core::Passphrase;
use coffer_core::SecretText;
use coffer_core::vault::iam::EntityKind;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};
use zeroize::Zeroizing;

use super::{Confirm, Popup};
use crate::tui::action::{Cmd, Effect, FunctionFor, PrincipalKind, Request};
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::layout;
use crate::tui::screens::principals::Typed;
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

impl Input {
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

impl App {
    pub(crate) fn input_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(Popup::Input(i)) = self.popup.as_mut() else {
            return vec![];
        };
        match cmd {
            Cmd::Backspace => {
                i.value.pop();
                vec![]
            }
            Cmd::Toggle => {
                if matches!(
                    i.purpose,
                    InputFor::PutValue { .. }
                        | InputFor::CreateValue { .. }
                        | InputFor::OperatorPassphrase { .. }
                        | InputFor::OperatorPassphraseAgain { .. }
                        | InputFor::CurrentPassphrase
                        | InputFor::NewPassphrase { .. }
                        | InputFor::NewPassphraseAgain { .. }
                ) {
                    i.masked = !i.masked;
                }
                vec![]
            }
            Cmd::Cancel => {
                self.popup = None;
                self.info("Cancelled; nothing was changed.");
                vec![]
            }
            Cmd::Submit => {
                let Some(Popup::Input(i)) = self.popup.take() else {
                    return vec![];
                };
                self.input_done(i)
            }
            _ => vec![],
        }
    }

    fn input_done(&mut self, i: Input) -> Vec<Effect> {
        let text = i.value.trim().to_string();
        match i.purpose {
            InputFor::RecoveryWindow { arn, name } => match text.parse::<i64>() {
                Ok(days) if coffer_core::model::RECOVERY_WINDOW_DAYS.contains(&days) => {
                    self.confirm_deletion(arn, name, days);
                    vec![]
                }
                _ => {
                    self.error("The recovery window is 7 to 30 days; nothing was scheduled.");
                    vec![]
                }
            },
            InputFor::ConfirmName { arn, name } => {
                if i.value.as_str() == name {
                    self.send(Request::ForceDelete { arn })
                } else {
                    self.error("The name typed does not match; nothing was deleted.");
                    vec![]
                }
            }
            InputFor::AddTag { arn } => match text.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => self.send(Request::Tag {
                    arn,
                    key: k.trim().into(),
                    value: v.trim().into(),
                }),
                _ => {
                    self.error("Write the tag as KEY=VALUE.");
                    vec![]
                }
            },
            InputFor::EditTag { arn, key } => self.send(Request::Tag {
                arn,
                key,
                value: text,
            }),
            InputFor::PutValue { arn } => {
                if i.value.is_empty() {
                    self.error("A value is 1 to 65,536 bytes; nothing was put.");
                    return vec![];
                }
                let value = SecretText::new(i.value.to_string());
                self.send(Request::Put { arn, value })
            }
            InputFor::CreateName => {
                if text.is_empty() {
                    self.error("A secret needs a name.");
                    return vec![];
                }
                self.popup = Some(Popup::Input(Input::new(
                    "Create a secret",
                    vec![
                        format!(
                            "The Type of {text} if it is a managed external secret, the partner holding it (e.g. SalesforceClientSecret)."
                        ),
                        "Empty: an ordinary secret.".into(),
                    ],
                    "",
                    false,
                    InputFor::CreateType { name: text },
                )));
                vec![]
            }
            InputFor::CreateType { name } => {
                let secret_type = (!text.is_empty()).then_some(text);
                if self.read_only {
                    return self.send(Request::Create {
                        name,
                        value: None,
                        secret_type,
                    });
                }
                self.popup = Some(Popup::Input(Input::new(
                    "Create a secret",
                    vec![
                        format!("The first value of {name} (empty: create it without a value)."),
                        "Typing is masked (Ctrl-R shows it).".into(),
                    ],
                    "",
                    true,
                    InputFor::CreateValue { name, secret_type },
                )));
                vec![]
            }
            InputFor::CreateValue { name, secret_type } => {
                let value = (!i.value.is_empty()).then(|| SecretText::new(i.value.to_string()));
                self.send(Request::Create {
                    name,
                    value,
                    secret_type,
                })
            }
            InputFor::Description { arn } => self.send(Request::Describe {
                arn,
                description: text,
            }),
            InputFor::SecretType { arn } => {
                if text.is_empty() {
                    self.info("No Type given; the secret's Type is unchanged.");
                    return vec![];
                }
                self.send(Request::SetType {
                    arn,
                    secret_type: text,
                })
            }
            InputFor::AddReplica { arn } => self.replica_region_typed(arn, &text),
            InputFor::AssociateCrossAccount { arn } => self.send(Request::AssociateCrossAccount {
                arn,
                replica_arn: text.trim().to_string(),
            }),
            InputFor::NewPrincipal { kind } => self.new_principal_named(kind, text),
            InputFor::OperatorPassphrase { name } => {
                if i.value.is_empty() {
                    self.error("The passphrase must not be empty; no operator was added.");
                    return vec![];
                }
                self.popup = Some(Popup::Input(Input::new(
                    "Add an operator",
                    vec![format!(
                        "{name}'s passphrase again, to be sure it is the one meant."
                    )],
                    "",
                    true,
                    InputFor::OperatorPassphraseAgain {
                        name,
                        first: Typed(i.value.clone()),
                    },
                )));
                vec![]
            }
            InputFor::OperatorPassphraseAgain { name, first } => {
                if first.0 != i.value {
                    self.error("The two passphrases do not match; no operator was added.");
                    return vec![];
                }
                self.send(Request::AddOperator {
                    name,
                    passphrase: Passphrase::new(first.0.to_string()),
                })
            }
            step @ (InputFor::CurrentPassphrase
            | InputFor::NewPassphrase { .. }
            | InputFor::NewPassphraseAgain { .. }) => {
                self.passphrase_typed(step, Typed(i.value.clone()))
            }
            InputFor::ChooseFunction { then, options } => {
                self.function_chosen(then, &options, &text)
            }
            InputFor::RejectReason { arn, name } => {
                if text.is_empty() {
                    self.error("A rejection needs a reason; nothing was rejected.");
                    self.ask_reject_reason(arn, name);
                    return vec![];
                }
                self.send(Request::Reject { arn, reason: text })
            }
            purpose @ (InputFor::InlinePolicyName { .. }
            | InputFor::DeleteInline { .. }
            | InputFor::Attach { .. }
            | InputFor::Group { .. }) => self.principal_choice(purpose, &text),
        }
    }

    /// The confirmation of a scheduled deletion, with its date.
    pub fn confirm_deletion(&mut self, arn: String, name: String, days: i64) {
        let when = format::minute((self.now_ms + days * 86_400_000) as f64 / 1000.0);
        self.popup = Some(Popup::Confirm(Confirm::new(
            "Schedule a deletion",
            vec![
                format!("Delete {name} in {days} days (on {when} UTC)?"),
                "From now on it refuses every read and write: applications using it fail.".into(),
                "It can be restored until that date; after it every version is destroyed.".into(),
            ],
            Request::Delete { arn, days },
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;
    use crate::tui::theme::Theme;

    fn app(purpose: InputFor, value: &str) -> App {
        let mut a = App::new("v.db".into(), None, false, 1, Theme { color: false });
        a.popup = Some(Popup::Input(Input::new("t", vec![], value, false, purpose)));
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
        assert!(a.status.as_ref().unwrap().error);
        let mut a = app(rw(), "3");
        a.update(Action::Char('0'));
        a.update(Action::Key(Cmd::Submit));
        let Some(Popup::Confirm(c)) = &a.popup else {
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
        a.popup = Some(Popup::Input(Input::new(
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
        assert!(a.popup.is_none());
    }

    #[test]
    fn a_new_secret_and_an_existing_one_take_a_type() {
        let mut a = app(InputFor::CreateName, "crm/oauth");
        a.update(Action::Key(Cmd::Submit));
        let Some(Popup::Input(i)) = &a.popup else {
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
