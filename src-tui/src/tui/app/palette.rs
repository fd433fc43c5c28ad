//! The command palette's commands: every operation by name, run where the operator is. A
//! command can act on any screen, so the `App` runs it; the palette popup only holds what is
//! typed and draws the completions it is given.

use coffer_core::acts::Act;

use super::{App, Screen};
use crate::tui::action::PrincipalKind;
use crate::tui::action::{Cmd, Effect, Request};
use crate::tui::popups::palette::commands;
use crate::tui::popups::{Confirm, Input, InputFor, Popup};
use crate::tui::screens::detail::{DetailState, Tab};
use crate::tui::screens::principals::KINDS;

impl App {
    /// The secret a palette command acts on: the open one, or the one selected in a list.
    fn palette_target(&self) -> Option<(String, String)> {
        match self.sh.screen {
            Screen::Detail => self
                .detail
                .as_ref()
                .map(|d| (d.arn.clone(), d.name.clone())),
            Screen::Deletions => self
                .deletions
                .selected_row()
                .map(|r| (r.arn.clone(), r.name.clone())),
            Screen::Approvals => self
                .approvals
                .selected_row()
                .map(|r| (r.secret_arn.clone(), r.secret_name.clone())),
            _ => self
                .secrets
                .selected_row()
                .map(|r| (r.arn.clone(), r.name.clone())),
        }
    }

    /// Completions for what is typed: (the completed line, its help).
    pub fn suggestions(&self, input: &str) -> Vec<(String, String)> {
        match input.split_once(' ') {
            None => commands()
                .filter(|(n, _, _)| n.starts_with(input))
                .map(|(n, args, help)| (format!("{n} "), format!("{args:<10} {help}")))
                .collect(),
            Some((cmd, arg)) => {
                let options: Vec<String> = match (cmd, self.detail.as_ref()) {
                    (
                        "iam-attach" | "iam-detach" | "iam-join" | "iam-leave"
                        | "iam-inline-delete",
                        _,
                    ) => self.principals.principal_options(cmd),
                    ("move-label", Some(d)) => {
                        let mut l: Vec<String> = d
                            .view
                            .iter()
                            .flat_map(|v| v.versions.iter())
                            .flat_map(|v| v.version_stages.iter().cloned())
                            .collect();
                        l.sort();
                        l.dedup();
                        l
                    }
                    ("untag", Some(d)) => d
                        .view
                        .iter()
                        .flat_map(|v| v.secret.tag_list().iter().map(|t| t.key.clone()))
                        .collect(),
                    _ => vec![],
                };
                options
                    .into_iter()
                    .filter(|o| o.starts_with(arg))
                    .map(|o| (format!("{cmd} {o}"), String::new()))
                    .collect()
            }
        }
    }

    pub(crate) fn palette_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(Popup::Palette(p)) = self.sh.popup.as_ref() else {
            return vec![];
        };
        let (input, sel) = (p.input.clone(), p.selected);
        let n = self.suggestions(&input).len();
        let Some(Popup::Palette(p)) = self.sh.popup.as_mut() else {
            return vec![];
        };
        match cmd {
            Cmd::Up => p.selected = sel.saturating_sub(1),
            Cmd::Down => p.selected = (sel + 1).min(n.saturating_sub(1)),
            Cmd::Backspace => {
                p.input.pop();
                p.selected = 0;
            }
            Cmd::Cancel => self.sh.popup = None,
            Cmd::Complete => {
                if let Some((line, _)) = self.suggestions(&input).into_iter().nth(sel)
                    && let Some(Popup::Palette(p)) = self.sh.popup.as_mut()
                {
                    p.input = line;
                    p.selected = 0;
                }
            }
            Cmd::Submit => {
                self.sh.popup = None;
                return self.run_command(input.trim());
            }
            _ => {}
        }
        vec![]
    }

    /// Runs one palette line.
    pub fn run_command(&mut self, line: &str) -> Vec<Effect> {
        let (word, arg) = line.split_once(' ').unwrap_or((line, ""));
        let arg = arg.trim().to_string();
        let exact = commands().find(|c| c.0 == word).map(|c| c.0);
        let unique = {
            let m: Vec<_> = commands().filter(|c| c.0.starts_with(word)).collect();
            (m.len() == 1 && !word.is_empty()).then(|| m[0].0)
        };
        let Some(name) = exact.or(unique) else {
            self.sh.error(format!(
                "Unknown command '{word}'. Tab completes, ? lists the keys."
            ));
            return vec![];
        };
        if let Some(out) = self.principal_command(name, &arg) {
            return out;
        }
        if let Some(act) = Act::ALL.into_iter().find(|a| a.command() == name) {
            let ask = Confirm::new(act.title(), vec![act.question().into()], Request::Act(act));
            self.sh.popup = Some(Popup::Confirm(ask));
            return vec![];
        }
        let global = matches!(
            name,
            "create"
                | "verify"
                | "filter"
                | "secrets"
                | "deletions"
                | "approvals"
                | "health"
                | "audit"
                | "lock"
                | "help"
                | "quit"
        );
        let target = self.palette_target();
        if !global && target.is_none() {
            self.sh.error(format!(
                "'{name}' acts on a secret: open or select one first."
            ));
            return vec![];
        }
        let (arn, sname) = target.unwrap_or_default();
        match name {
            "create" if arg.is_empty() => {
                self.sh.popup = Some(Popup::Input(Input::new(
                    "Create a secret",
                    vec!["The new secret's name.".into()],
                    "",
                    false,
                    InputFor::CreateName,
                )));
                vec![]
            }
            "create" => {
                let i = Input::new("", vec![], &arg, false, InputFor::CreateName);
                self.sh.popup = Some(Popup::Input(i));
                self.input_key(Cmd::Submit)
            }
            "put" => {
                self.sh.popup = Some(Popup::Input(Input::put_value(arn, sname)));
                vec![]
            }
            "describe" => self.sh.send(Request::Describe {
                arn,
                description: arg,
            }),
            "type" => self.sh.send(Request::SetType {
                arn,
                secret_type: arg,
            }),
            "tag" => match arg.split_once('=') {
                Some((k, v)) => self.sh.send(Request::Tag {
                    arn,
                    key: k.trim().into(),
                    value: v.trim().into(),
                }),
                None => {
                    self.sh.error("Write the tag as KEY=VALUE.");
                    vec![]
                }
            },
            "untag" => self.sh.send(Request::Untag { arn, key: arg }),
            "delete" if arg.is_empty() => {
                self.sh.popup = Some(Popup::Input(Input::recovery_window(arn, sname)));
                vec![]
            }
            "delete" => match arg.parse::<i64>() {
                Ok(d) if coffer_core::model::RECOVERY_WINDOW_DAYS.contains(&d) => {
                    self.confirm_deletion(arn, sname, d);
                    vec![]
                }
                _ => {
                    self.sh.error("The recovery window is 7 to 30 days.");
                    vec![]
                }
            },
            "restore" => self.sh.send(Request::Restore { arn }),
            "approve" if self.sh.screen == Screen::Approvals => {
                self.approvals.key(&mut self.sh, Cmd::Approve)
            }
            "approve" => {
                self.sh.popup = Some(Popup::Confirm(Confirm::new(
                    "Approve a rotation",
                    vec![
                        format!("Approve the rotation of {sname} that waits for approval?"),
                        "It starts at once: a new value is made and tested, then becomes AWSCURRENT."
                            .into(),
                    ],
                    Request::Approve { arn },
                )));
                vec![]
            }
            "reject" if arg.is_empty() => {
                self.approvals.ask_reject_reason(&mut self.sh, arn, sname);
                vec![]
            }
            "reject" => self.sh.send(Request::Reject { arn, reason: arg }),
            "move-label" | "rollback" | "reveal" | "activity" | "policy" | "policy-put"
            | "policy-delete" | "access" | "rotation" | "rotate" | "rotation-schedule"
            | "rotation-cancel" | "rotation-retry" => {
                let mut out = vec![];
                if self.sh.screen != Screen::Detail {
                    out.extend(self.open_detail(arn, sname));
                    self.sh.info(format!(
                        "Opened the secret; run '{name}' again once it has loaded."
                    ));
                    return out;
                }
                match name {
                    "move-label" => {
                        out.extend(self.select_tab(Tab::Versions));
                        if let Some(mut m) = self.detail.as_ref().and_then(DetailState::move_label)
                        {
                            if !arg.is_empty() {
                                m.label = arg;
                            }
                            self.sh.popup = Some(Popup::MoveLabel(m));
                        }
                        out
                    }
                    "rollback" => {
                        out.extend(self.select_tab(Tab::Versions));
                        out.extend(self.detail_key(Cmd::RollBack));
                        out
                    }
                    "reveal" => {
                        out.extend(self.select_tab(Tab::Value));
                        if self.detail.as_ref().is_some_and(|d| d.revealed.is_none()) {
                            out.extend(self.detail_key(Cmd::Reveal));
                        }
                        out
                    }
                    "policy" => self.select_tab(Tab::Policy),
                    "policy-put" | "policy-delete" => {
                        let loaded = self
                            .detail
                            .as_ref()
                            .is_some_and(|d| d.tab == Tab::Policy && d.policy.ready().is_some());
                        if !loaded {
                            out.extend(self.select_tab(Tab::Policy));
                            self.sh.info(format!(
                                "Reading the policy; run '{name}' again once it has loaded."
                            ));
                        } else if name == "policy-put" {
                            self.on_detail(|d, sh| {
                                d.edit_policy(sh);
                                vec![]
                            });
                        } else {
                            self.on_detail(|d, sh| {
                                d.ask_delete_policy(sh);
                                vec![]
                            });
                        }
                        out
                    }
                    "access" => self.select_tab(Tab::Access),
                    "rotation" | "rotate" | "rotation-schedule" | "rotation-cancel"
                    | "rotation-retry" => {
                        out.extend(self.select_tab(Tab::Rotation));
                        let cmd = match name {
                            "rotate" => Cmd::RotateNow,
                            "rotation-schedule" => Cmd::EditSchedule,
                            "rotation-cancel" => Cmd::CancelRotation,
                            "rotation-retry" => Cmd::RetryRotation,
                            _ => return out,
                        };
                        out.extend(self.detail_key(cmd));
                        out
                    }
                    _ => self.select_tab(Tab::Activity),
                }
            }
            "verify" => self.sh.send(Request::Verify),
            "filter" => {
                self.secrets.filter = arg;
                self.sh.screen = Screen::Secrets;
                self.secrets.refresh(&mut self.sh, true)
            }
            "secrets" => self.go(Screen::Secrets),
            "deletions" => self.go(Screen::Deletions),
            "approvals" => self.go(Screen::Approvals),
            "health" => self.go(Screen::Health),
            "audit" => self.audit.show_secret(&mut self.sh, arg),
            "lock" => self.lock("Locked."),
            "help" => {
                self.sh.popup = Some(Popup::Help {
                    ctx: self.ctx(),
                    scroll: 0,
                });
                vec![]
            }
            _ => {
                self.sh.quit = true;
                vec![Effect::Quit]
            }
        }
    }

    /// Runs a palette command of the Principals screen (`None`: not one of them).
    pub(crate) fn principal_command(&mut self, name: &str, arg: &str) -> Option<Vec<Effect>> {
        let create = |kind| match kind {
            PrincipalKind::Operator => "operator-add",
            PrincipalKind::User => "iam-user",
            PrincipalKind::Role => "iam-role",
            PrincipalKind::Group => "iam-group",
            PrincipalKind::Policy => "iam-policy",
        };
        if name == "principals" {
            return Some(self.go(Screen::Principals));
        }
        if name == "operator-passwd" {
            return Some(self.principals.ask_current_passphrase(&mut self.sh));
        }
        if let Some((kind, _)) = KINDS.iter().find(|(k, _)| create(*k) == name) {
            if arg.is_empty() {
                return Some(self.principals.ask_new_principal(&mut self.sh, *kind));
            }
            let req = Request::IamCreate {
                kind: kind.entity(),
                name: String::new(),
                document: None,
            };
            if let Some(out) = self.principals.read_only_refusal(&mut self.sh, req) {
                return Some(out);
            }
            return Some(
                self.principals
                    .new_principal_named(&mut self.sh, *kind, arg.to_string()),
            );
        }
        let acts = [
            "iam-remove",
            "inline-put",
            "inline-delete",
            "iam-attach",
            "iam-detach",
            "iam-join",
            "iam-leave",
            "key-create",
            "key-toggle",
            "key-delete",
            "operator-drop",
        ];
        if !acts.contains(&name) {
            return None;
        }
        if self.sh.screen != Screen::Principals {
            let out = self.go(Screen::Principals);
            self.sh.info(format!(
                "Opened the principals; select one and run '{name}' again."
            ));
            return Some(out);
        }
        let with_arg = |a: &mut App, cmd: Cmd| {
            let out = a.principals.key(&mut a.sh, cmd);
            if arg.is_empty() || !matches!(a.sh.popup, Some(Popup::Input(_))) {
                return out;
            }
            if let Some(Popup::Input(i)) = a.sh.popup.as_mut() {
                i.value = zeroize::Zeroizing::new(arg.to_string());
            }
            a.input_key(Cmd::Submit)
        };
        Some(match name {
            "iam-remove" => self.principals.key(&mut self.sh, Cmd::Remove),
            "operator-drop" => {
                if self.principals.kind() != PrincipalKind::Operator {
                    self.sh.error("'operator-drop': select an operator first.");
                    return Some(vec![]);
                }
                self.principals.key(&mut self.sh, Cmd::Remove)
            }
            "inline-put" => with_arg(self, Cmd::EditPolicy),
            "inline-delete" => with_arg(self, Cmd::DeletePolicy),
            "iam-attach" => with_arg(self, Cmd::Attach),
            "iam-detach" => with_arg(self, Cmd::Detach),
            "iam-join" => with_arg(self, Cmd::Join),
            "iam-leave" => with_arg(self, Cmd::Leave),
            "key-create" => self.principals.key(&mut self.sh, Cmd::NewKey),
            "key-toggle" => self.principals.key(&mut self.sh, Cmd::ToggleKey),
            _ => self.principals.key(&mut self.sh, Cmd::DeleteKey),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;
    use crate::tui::app::Session;
    use crate::tui::popups::Popup;
    use crate::tui::theme::Theme;

    fn app() -> App {
        let mut a = App::new("v".into(), None, false, 1, Theme { color: false });
        a.sh.session = Some(Session {
            operator: "admin".into(),
            account: "1".into(),
            region: "us-east-1".into(),
            principal_arn: "arn:aws:iam::1:user/admin".into(),
        });
        a.update(Action::Key(Cmd::Palette));
        a
    }

    fn typed(a: &mut App, s: &str) {
        for c in s.chars() {
            a.update(Action::Char(c));
        }
    }

    #[test]
    fn tab_completes_the_command() {
        let mut a = app();
        typed(&mut a, "ver");
        a.update(Action::Key(Cmd::Complete));
        assert!(matches!(&a.sh.popup, Some(Popup::Palette(p)) if p.input == "verify "));
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(&fx[..], [Effect::Send(Request::Verify)]));
    }

    #[test]
    fn suggestions_filter_by_prefix_and_arrows_pick() {
        let mut a = app();
        typed(&mut a, "de");
        assert_eq!(a.suggestions("de").len(), 3);
        a.update(Action::Key(Cmd::Down));
        a.update(Action::Key(Cmd::Down));
        a.update(Action::Key(Cmd::Up));
        a.update(Action::Key(Cmd::Complete));
        assert!(matches!(&a.sh.popup, Some(Popup::Palette(p)) if p.input == "delete "));
        a.update(Action::Key(Cmd::Backspace));
        a.update(Action::Key(Cmd::Cancel));
        assert!(a.sh.popup.is_none());
    }

    #[test]
    fn secret_commands_need_a_secret_and_unknown_ones_are_reported() {
        let mut a = app();
        typed(&mut a, "restore");
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        assert!(
            a.sh.status
                .as_ref()
                .unwrap()
                .text
                .contains("open or select")
        );
        assert!(a.run_command("frobnicate").is_empty());
        assert!(a.sh.status.as_ref().unwrap().text.contains("Unknown"));
    }

    #[test]
    fn screens_and_filters_from_the_palette() {
        let mut a = app();
        let fx = a.run_command("filter prod !legacy");
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Secrets { query, .. })] if query.text == "prod !legacy")
        );
        let fx = a.run_command("audit prod/db");
        assert_eq!(a.sh.screen, Screen::Audit);
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Audit { query, .. })] if query.secret_id.as_deref() == Some("prod/db"))
        );
        a.run_command("dele");
        assert_eq!(a.sh.screen, Screen::Audit, "'dele' is ambiguous");
        a.run_command("deletions");
        assert_eq!(a.sh.screen, Screen::Deletions);
        let fx = a.run_command("pri");
        assert_eq!(a.sh.screen, Screen::Principals, "'pri' is unique");
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::Principals { .. })]
        ));
        assert!(matches!(a.run_command("quit")[..], [Effect::Quit]));
    }
}
