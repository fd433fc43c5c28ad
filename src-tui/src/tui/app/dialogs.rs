//! What a dialog's answer does: the `App` routes a key to the open dialog and carries out
//! what the operator answered (send a request, open the next dialog, hand a typed value to
//! the screen that asked for it). The dialogs themselves (`popups`) are plain state and
//! drawing; they know neither the `App` nor the screens.

use coffer_core::vault::iam::EntityKind;
use coffer_core::{Passphrase, SecretText};
use zeroize::Zeroizing;

use super::App;
use crate::tui::action::{Cmd, Effect, Request};
use crate::tui::format;
use crate::tui::keymap::Ctx;
use crate::tui::popups::{
    Confirm, EditorFor, Input, InputFor, Popup, Typed, audit_filters::FIELDS,
};
use crate::tui::screens::detail::DetailState;

impl App {
    pub(crate) fn popup_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        match self.sh.popup.as_ref().map(Popup::ctx) {
            Some(Ctx::Confirm) => self.confirm_key(cmd),
            Some(Ctx::Input) => self.input_key(cmd),
            Some(Ctx::Palette) => self.palette_key(cmd),
            Some(Ctx::MoveLabel) => self.move_label_key(cmd),
            Some(Ctx::Diff) => self.diff_key(cmd),
            Some(Ctx::AuditFilters) => self.audit_filters_key(cmd),
            Some(Ctx::PolicyEditor | Ctx::IamPolicyEditor) => self.policy_editor_key(cmd),
            Some(Ctx::NewAccessKey) => self.new_access_key_key(cmd),
            Some(Ctx::Schedule) => self.schedule_key(cmd),
            Some(_) => {
                if let Some(Popup::Help { scroll, .. }) = self.sh.popup.as_mut() {
                    match cmd {
                        Cmd::Up => *scroll = scroll.saturating_sub(1),
                        Cmd::Down => *scroll += 1,
                        _ => self.sh.popup = None,
                    }
                }
                vec![]
            }
            None => vec![],
        }
    }

    pub(crate) fn popup_char(&mut self, c: char) -> Vec<Effect> {
        match self.sh.popup.as_mut() {
            Some(Popup::Input(i)) => i.value.push(c),
            Some(Popup::Palette(p)) => {
                p.input.push(c);
                p.selected = 0;
            }
            Some(Popup::MoveLabel(m)) => m.label.push(c),
            Some(Popup::AuditFilters(f)) => f.field_mut().push(c),
            Some(Popup::PolicyEditor(e)) => e.insert(c),
            Some(Popup::Schedule(f)) => f.push(c),
            _ => {}
        }
        vec![]
    }

    // The confirm dialog.
    pub(crate) fn confirm_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(super::Popup::Confirm(c)) = self.sh.popup.as_mut() else {
            return vec![];
        };
        let yes = match cmd {
            Cmd::Toggle => {
                c.yes = !c.yes;
                return vec![];
            }
            Cmd::Yes => true,
            Cmd::Submit => c.yes,
            _ => false,
        };
        let req = c.request.take();
        self.sh.popup = None;
        match (yes, req) {
            (true, Some(r)) => self.sh.send(r),
            _ => {
                self.sh.info("Cancelled; nothing was changed.");
                vec![]
            }
        }
    }

    // The input dialog.
    pub(crate) fn input_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(Popup::Input(i)) = self.sh.popup.as_mut() else {
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
                self.sh.popup = None;
                self.sh.info("Cancelled; nothing was changed.");
                vec![]
            }
            Cmd::Submit => {
                let Some(Popup::Input(i)) = self.sh.popup.take() else {
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
                    self.sh
                        .error("The recovery window is 7 to 30 days; nothing was scheduled.");
                    vec![]
                }
            },
            InputFor::ConfirmName { arn, name } => {
                if i.value.as_str() == name {
                    self.sh.send(Request::ForceDelete { arn })
                } else {
                    self.sh
                        .error("The name typed does not match; nothing was deleted.");
                    vec![]
                }
            }
            InputFor::AddTag { arn } => match text.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => self.sh.send(Request::Tag {
                    arn,
                    key: k.trim().into(),
                    value: v.trim().into(),
                }),
                _ => {
                    self.sh.error("Write the tag as KEY=VALUE.");
                    vec![]
                }
            },
            InputFor::EditTag { arn, key } => self.sh.send(Request::Tag {
                arn,
                key,
                value: text,
            }),
            InputFor::PutValue { arn } => {
                if i.value.is_empty() {
                    self.sh
                        .error("A value is 1 to 65,536 bytes; nothing was put.");
                    return vec![];
                }
                let value = SecretText::new(i.value.to_string());
                self.sh.send(Request::Put { arn, value })
            }
            InputFor::CreateName => {
                if text.is_empty() {
                    self.sh.error("A secret needs a name.");
                    return vec![];
                }
                self.sh.popup = Some(Popup::Input(Input::new(
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
                if self.sh.read_only {
                    return self.sh.send(Request::Create {
                        name,
                        value: None,
                        secret_type,
                    });
                }
                self.sh.popup = Some(Popup::Input(Input::new(
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
                self.sh.send(Request::Create {
                    name,
                    value,
                    secret_type,
                })
            }
            InputFor::Description { arn } => self.sh.send(Request::Describe {
                arn,
                description: text,
            }),
            InputFor::SecretType { arn } => {
                if text.is_empty() {
                    self.sh
                        .info("No Type given; the secret's Type is unchanged.");
                    return vec![];
                }
                self.sh.send(Request::SetType {
                    arn,
                    secret_type: text,
                })
            }
            InputFor::AddReplica { arn } => {
                DetailState::replica_region_typed(&mut self.sh, arn, &text)
            }
            InputFor::AssociateCrossAccount { arn } => {
                self.sh.send(Request::AssociateCrossAccount {
                    arn,
                    replica_arn: text.trim().to_string(),
                })
            }
            InputFor::NewPrincipal { kind } => {
                self.principals
                    .new_principal_named(&mut self.sh, kind, text)
            }
            InputFor::OperatorPassphrase { name } => {
                if i.value.is_empty() {
                    self.sh
                        .error("The passphrase must not be empty; no operator was added.");
                    return vec![];
                }
                self.sh.popup = Some(Popup::Input(Input::new(
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
                    self.sh
                        .error("The two passphrases do not match; no operator was added.");
                    return vec![];
                }
                self.sh.send(Request::AddOperator {
                    name,
                    passphrase: Passphrase::new(first.0.to_string()),
                })
            }
            step @ (InputFor::CurrentPassphrase
            | InputFor::NewPassphrase { .. }
            | InputFor::NewPassphraseAgain { .. }) => {
                self.principals
                    .passphrase_typed(&mut self.sh, step, Typed(i.value.clone()))
            }
            InputFor::ChooseFunction { then, options } => DetailState::function_chosen(
                self.detail.as_ref(),
                &mut self.sh,
                then,
                &options,
                &text,
            ),
            InputFor::RejectReason { arn, name } => {
                if text.is_empty() {
                    self.sh
                        .error("A rejection needs a reason; nothing was rejected.");
                    self.approvals.ask_reject_reason(&mut self.sh, arn, name);
                    return vec![];
                }
                self.sh.send(Request::Reject { arn, reason: text })
            }
            purpose @ (InputFor::InlinePolicyName { .. }
            | InputFor::DeleteInline { .. }
            | InputFor::Attach { .. }
            | InputFor::Group { .. }) => {
                self.principals
                    .principal_choice(&mut self.sh, purpose, &text)
            }
        }
    }

    /// The confirmation of a scheduled deletion, with its date.
    pub fn confirm_deletion(&mut self, arn: String, name: String, days: i64) {
        let when = format::minute((self.sh.now_ms + days * 86_400_000) as f64 / 1000.0);
        self.sh.popup = Some(Popup::Confirm(Confirm::new(
            "Schedule a deletion",
            vec![
                format!("Delete {name} in {days} days (on {when} UTC)?"),
                "From now on it refuses every read and write: applications using it fail.".into(),
                "It can be restored until that date; after it every version is destroyed.".into(),
            ],
            Request::Delete { arn, days },
        )));
    }

    // The access key dialog.
    pub(crate) fn new_access_key_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        match cmd {
            Cmd::CopyKey => {
                let Some(Popup::NewAccessKey(k)) = &self.sh.popup else {
                    return vec![];
                };
                let text = Zeroizing::new(k.secret.expose().to_string());
                let what = format!("the secret access key of {}", k.access_key_id);
                self.sh.copy(text, what)
            }
            Cmd::Cancel => {
                self.sh.popup = None;
                self.sh
                    .info("The secret access key was forgotten; it cannot be shown again.");
                vec![]
            }
            _ => vec![],
        }
    }

    // The audit filters dialog.
    pub(crate) fn audit_filters_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(Popup::AuditFilters(f)) = self.sh.popup.as_mut() else {
            return vec![];
        };
        match cmd {
            Cmd::Down => f.focus = (f.focus + 1) % FIELDS.len(),
            Cmd::Up => f.focus = (f.focus + FIELDS.len() - 1) % FIELDS.len(),
            Cmd::Backspace => {
                f.field_mut().pop();
            }
            Cmd::Toggle => f.filter.errors_only = !f.filter.errors_only,
            Cmd::Cancel => self.sh.popup = None,
            Cmd::Submit => {
                self.audit.filter = f.filter.clone();
                self.sh.popup = None;
                return self.audit.refresh(&mut self.sh, false);
            }
            _ => {}
        }
        vec![]
    }

    // The diff dialog.
    pub(crate) fn diff_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(Popup::Diff(d)) = self.sh.popup.as_mut() else {
            return vec![];
        };
        match cmd {
            Cmd::Up => d.selected = d.selected.saturating_sub(1),
            Cmd::Down => d.selected = (d.selected + 1).min(d.rows.len().saturating_sub(1)),
            Cmd::Reveal => d.shown = !d.shown,
            _ => self.sh.popup = None,
        }
        vec![]
    }

    // The move label dialog.
    pub(crate) fn move_label_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(Popup::MoveLabel(m)) = self.sh.popup.as_mut() else {
            return vec![];
        };
        let n = m.choices.len();
        match cmd {
            Cmd::Up | Cmd::Down if n > 0 => {
                m.choice = if cmd == Cmd::Down {
                    (m.choice + 1) % n
                } else {
                    (m.choice + n - 1) % n
                };
                m.label = m.choices[m.choice].clone();
            }
            Cmd::Backspace => {
                m.label.pop();
            }
            Cmd::Cancel => {
                self.sh.popup = None;
                self.sh.info("Cancelled; nothing was changed.");
            }
            Cmd::Submit => {
                let label = m.label.trim().to_string();
                let plan = m.plan();
                if label.is_empty() || plan.steps.is_empty() {
                    return vec![];
                }
                let holder = plan.from().map(str::to_string);
                let mut lines = vec![format!("Move {label} on {}:", m.name)];
                lines.extend(m.preview().into_iter().map(|l| format!("  {l}")));
                lines.push(String::new());
                lines.push(format!(
                    "Every application that reads {label} gets this version's value from now on."
                ));
                let req = Request::MoveLabel {
                    arn: m.arn.clone(),
                    label,
                    to: m.target.clone(),
                    from: holder,
                };
                self.sh.popup = Some(Popup::Confirm(Confirm::new("Move label", lines, req)));
            }
            _ => {}
        }
        vec![]
    }

    // The policy editor dialog.
    pub(crate) fn policy_editor_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(Popup::PolicyEditor(e)) = self.sh.popup.as_mut() else {
            return vec![];
        };
        match cmd {
            Cmd::Up | Cmd::Down | Cmd::Left | Cmd::Right => e.cursor(cmd),
            Cmd::Newline => e.newline(),
            Cmd::Backspace => e.backspace(),
            Cmd::Clear => e.clear(),
            Cmd::Toggle if matches!(e.target, EditorFor::Resource { .. }) => {
                e.block_public = !e.block_public;
            }
            Cmd::Cancel => {
                self.sh.popup = None;
                self.sh.info("Cancelled; nothing was changed.");
            }
            Cmd::Submit => {
                let text = e.text();
                if text.trim().is_empty() {
                    self.sh
                        .error("Write a policy document first (d on the tab deletes the policy).");
                    return vec![];
                }
                let name = e.name.clone();
                let req = match &e.target {
                    EditorFor::Resource { arn } => Request::PutPolicy {
                        arn: arn.clone(),
                        policy: text,
                        block_public: e.block_public,
                    },
                    EditorFor::Inline { kind, policy_name } => Request::PutInlinePolicy {
                        kind: *kind,
                        name,
                        policy_name: policy_name.clone(),
                        document: text,
                    },
                    EditorFor::Trust => Request::IamCreate {
                        kind: EntityKind::Role,
                        name,
                        document: Some(text),
                    },
                    EditorFor::Managed => Request::IamCreate {
                        kind: EntityKind::Policy,
                        name,
                        document: Some(text),
                    },
                };
                // The editor stays open until the put succeeds, so a refused document can
                // be fixed rather than typed again.
                return self.sh.send(req);
            }
            _ => {}
        }
        vec![]
    }

    // The schedule dialog.
    pub(crate) fn schedule_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(Popup::Schedule(f)) = self.sh.popup.as_mut() else {
            return vec![];
        };
        match cmd {
            Cmd::Down | Cmd::Up => f.field = 1 - f.field,
            Cmd::Backspace => {
                f.field_mut().pop();
            }
            Cmd::Cancel => {
                self.sh.popup = None;
                self.sh.info("Cancelled; nothing was changed.");
            }
            Cmd::Submit => {
                if let Err(e) = f.check(self.sh.now_ms) {
                    self.sh.error(format!("The schedule is not valid: {e}"));
                    return vec![];
                }
                let Some(Popup::Schedule(f)) = self.sh.popup.take() else {
                    return vec![];
                };
                let rules = f.rules();
                return self.sh.send(Request::PutSchedule {
                    arn: f.arn,
                    function_arn: f.function_arn,
                    rules,
                });
            }
            _ => {}
        }
        vec![]
    }
}
