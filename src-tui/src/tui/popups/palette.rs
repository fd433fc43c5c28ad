//! The command palette (`:`): every operation by name, with completion.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use coffer_core::acts::Act;

use super::{Confirm, Input, InputFor, MoveLabel, Popup};
use crate::tui::action::{Cmd, Effect, Request};
use crate::tui::app::{App, Screen};
use crate::tui::layout;
use crate::tui::screens::detail::Tab;

/// Name, arguments, help.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (
        "create",
        "NAME",
        "create a secret (asks for its Type and first value)",
    ),
    (
        "put",
        "",
        "put a new value on the secret (becomes AWSCURRENT)",
    ),
    ("describe", "TEXT", "set the secret's description"),
    (
        "type",
        "TYPE",
        "set the secret's Type (a managed external secret's partner)",
    ),
    ("tag", "KEY=VALUE", "tag the secret"),
    ("untag", "KEY", "remove a tag from the secret"),
    (
        "delete",
        "[DAYS]",
        "schedule the secret's deletion (7–30 days, default 30)",
    ),
    ("restore", "", "cancel the secret's scheduled deletion"),
    (
        "move-label",
        "LABEL",
        "move a label to the selected version",
    ),
    ("rollback", "", "make the selected version AWSCURRENT"),
    (
        "rotation",
        "",
        "the secret's rotation: schedule, approval, history",
    ),
    (
        "rotate",
        "",
        "rotate the secret now (RotateSecret, confirmed)",
    ),
    (
        "rotation-schedule",
        "",
        "edit the secret's rotation schedule (checked as typed)",
    ),
    (
        "rotation-cancel",
        "",
        "turn the secret's rotation off (CancelRotateSecret)",
    ),
    (
        "rotation-retry",
        "",
        "try the secret's failed rotation again now",
    ),
    ("approvals", "", "go to the rotations waiting for approval"),
    ("health", "", "go to the health findings: what to fix today"),
    (
        "approve",
        "",
        "approve the secret's waiting rotation (confirmed)",
    ),
    ("reject", "[REASON]", "reject the secret's waiting rotation"),
    ("reveal", "", "reveal the secret's value (audited)"),
    ("activity", "", "the secret's audit events"),
    (
        "policy",
        "",
        "the secret's resource policy and its validation findings",
    ),
    (
        "policy-put",
        "",
        "edit and put the resource policy (PutResourcePolicy)",
    ),
    (
        "policy-delete",
        "",
        "delete the resource policy (DeleteResourcePolicy)",
    ),
    (
        "access",
        "",
        "effective access per principal (GetEffectiveAccess)",
    ),
    (
        "principals",
        "",
        "go to the principals (operators, users, roles, groups)",
    ),
    ("iam-user", "NAME", "create an IAM user (CreateUser)"),
    (
        "iam-role",
        "NAME",
        "create a role; its trust policy in the editor",
    ),
    ("iam-group", "NAME", "create an IAM group (CreateGroup)"),
    (
        "iam-policy",
        "NAME",
        "create a managed policy (document in the editor)",
    ),
    ("iam-remove", "", "delete the selected principal"),
    (
        "inline-put",
        "NAME",
        "put an inline policy on the selected principal",
    ),
    (
        "inline-delete",
        "[NAME]",
        "delete an inline policy of the principal",
    ),
    (
        "iam-attach",
        "[ARN]",
        "attach a managed policy to the principal",
    ),
    ("iam-detach", "[ARN]", "detach a managed policy"),
    ("iam-join", "[GROUP]", "add the selected user to a group"),
    (
        "iam-leave",
        "[GROUP]",
        "remove the selected user from a group",
    ),
    (
        "key-create",
        "",
        "create an access key (its secret is shown once)",
    ),
    (
        "key-toggle",
        "",
        "deactivate or activate the selected access key",
    ),
    ("key-delete", "", "delete the selected access key"),
    (
        "operator-add",
        "NAME",
        "add an operator (passphrase typed twice)",
    ),
    (
        "operator-drop",
        "",
        "remove the selected operator (re-keys the vault)",
    ),
    (
        "operator-passwd",
        "",
        "change your own passphrase (re-keys the vault)",
    ),
    ("verify", "", "verify the audit chain"),
    ("filter", "TEXT", "filter the secrets list"),
    ("secrets", "", "go to the secrets list"),
    ("deletions", "", "go to the deletion schedule"),
    ("audit", "[SECRET]", "go to the audit log (of one secret)"),
    ("lock", "", "lock the vault"),
    ("help", "", "every key of this screen"),
    ("quit", "", "quit"),
];

/// Every command: the console's own, then the core's vault-wide acts (`coffer_core::acts`).
fn commands() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    COMMANDS
        .iter()
        .copied()
        .chain(Act::ALL.iter().map(|a| (a.command(), "", a.title())))
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Palette {
    pub input: String,
    pub selected: usize,
}

impl App {
    /// The secret a palette command acts on: the open one, or the one selected in a list.
    fn palette_target(&self) -> Option<(String, String)> {
        match self.screen {
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
                    ) => self.principal_options(cmd),
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
        let Some(Popup::Palette(p)) = self.popup.as_ref() else {
            return vec![];
        };
        let (input, sel) = (p.input.clone(), p.selected);
        let n = self.suggestions(&input).len();
        let Some(Popup::Palette(p)) = self.popup.as_mut() else {
            return vec![];
        };
        match cmd {
            Cmd::Up => p.selected = sel.saturating_sub(1),
            Cmd::Down => p.selected = (sel + 1).min(n.saturating_sub(1)),
            Cmd::Backspace => {
                p.input.pop();
                p.selected = 0;
            }
            Cmd::Cancel => self.popup = None,
            Cmd::Complete => {
                if let Some((line, _)) = self.suggestions(&input).into_iter().nth(sel)
                    && let Some(Popup::Palette(p)) = self.popup.as_mut()
                {
                    p.input = line;
                    p.selected = 0;
                }
            }
            Cmd::Submit => {
                self.popup = None;
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
            self.error(format!(
                "Unknown command '{word}'. Tab completes, ? lists the keys."
            ));
            return vec![];
        };
        if let Some(out) = self.principal_command(name, &arg) {
            return out;
        }
        if let Some(act) = Act::ALL.into_iter().find(|a| a.command() == name) {
            let ask = Confirm::new(act.title(), vec![act.question().into()], Request::Act(act));
            self.popup = Some(Popup::Confirm(ask));
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
            self.error(format!(
                "'{name}' acts on a secret: open or select one first."
            ));
            return vec![];
        }
        let (arn, sname) = target.unwrap_or_default();
        match name {
            "create" if arg.is_empty() => {
                self.popup = Some(Popup::Input(Input::new(
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
                self.popup = Some(Popup::Input(i));
                self.input_key(Cmd::Submit)
            }
            "put" => {
                self.ask_put_value(arn, sname);
                vec![]
            }
            "describe" => self.send(Request::Describe {
                arn,
                description: arg,
            }),
            "type" => self.send(Request::SetType {
                arn,
                secret_type: arg,
            }),
            "tag" => match arg.split_once('=') {
                Some((k, v)) => self.send(Request::Tag {
                    arn,
                    key: k.trim().into(),
                    value: v.trim().into(),
                }),
                None => {
                    self.error("Write the tag as KEY=VALUE.");
                    vec![]
                }
            },
            "untag" => self.send(Request::Untag { arn, key: arg }),
            "delete" if arg.is_empty() => {
                self.ask_recovery_window(arn, sname);
                vec![]
            }
            "delete" => match arg.parse::<i64>() {
                Ok(d) if coffer_core::model::RECOVERY_WINDOW_DAYS.contains(&d) => {
                    self.confirm_deletion(arn, sname, d);
                    vec![]
                }
                _ => {
                    self.error("The recovery window is 7 to 30 days.");
                    vec![]
                }
            },
            "restore" => self.send(Request::Restore { arn }),
            "approve" if self.screen == Screen::Approvals => self.approvals_key(Cmd::Approve),
            "approve" => {
                self.popup = Some(Popup::Confirm(Confirm::new(
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
                self.ask_reject_reason(arn, sname);
                vec![]
            }
            "reject" => self.send(Request::Reject { arn, reason: arg }),
            "move-label" | "rollback" | "reveal" | "activity" | "policy" | "policy-put"
            | "policy-delete" | "access" | "rotation" | "rotate" | "rotation-schedule"
            | "rotation-cancel" | "rotation-retry" => {
                let mut out = vec![];
                if self.screen != Screen::Detail {
                    out.extend(self.open_detail(arn, sname));
                    self.info(format!(
                        "Opened the secret; run '{name}' again once it has loaded."
                    ));
                    return out;
                }
                match name {
                    "move-label" => {
                        out.extend(self.select_tab(Tab::Versions));
                        if let Some(mut m) = self.detail.as_ref().and_then(MoveLabel::for_detail) {
                            if !arg.is_empty() {
                                m.label = arg;
                            }
                            self.popup = Some(Popup::MoveLabel(m));
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
                            self.info(format!(
                                "Reading the policy; run '{name}' again once it has loaded."
                            ));
                        } else if name == "policy-put" {
                            self.edit_policy();
                        } else {
                            self.ask_delete_policy();
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
            "verify" => self.send(Request::Verify),
            "filter" => {
                self.secrets.filter = arg;
                self.screen = Screen::Secrets;
                self.refresh_secrets(true)
            }
            "secrets" => self.go(Screen::Secrets),
            "deletions" => self.go(Screen::Deletions),
            "approvals" => self.go(Screen::Approvals),
            "health" => self.go(Screen::Health),
            "audit" => self.audit_for_secret(arg),
            "lock" => self.lock("Locked."),
            "help" => {
                self.popup = Some(Popup::Help {
                    ctx: self.ctx(),
                    scroll: 0,
                });
                vec![]
            }
            _ => {
                self.quit = true;
                vec![Effect::Quit]
            }
        }
    }
}

impl Palette {
    pub fn render(&self, app: &App, area: Rect, buf: &mut Buffer) {
        let t = app.theme;
        let sugg = app.suggestions(&self.input);
        let h = (sugg.len() as u16 + 3)
            .min(area.height.saturating_sub(2))
            .max(4);
        let r = layout::centered(area, 76, h);
        let r = Rect::new(r.x, area.y + 2, r.width, r.height);
        Clear.render(r, buf);
        let mut lines = vec![Line::from(vec![
            Span::styled(": ", t.title()),
            Span::raw(self.input.clone()),
            Span::styled("▏", t.title()),
        ])];
        for (i, (line, help)) in sugg.iter().enumerate() {
            let style = if i == self.selected {
                t.selected()
            } else {
                t.base()
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<14}", line.trim_end()), style),
                Span::styled(help.clone(), t.dim()),
            ]));
        }
        Paragraph::new(lines)
            .block(Block::bordered().title(Span::styled(" Command — Tab completes ", t.title())))
            .render(r, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;
    use crate::tui::app::Session;
    use crate::tui::theme::Theme;

    fn app() -> App {
        let mut a = App::new("v".into(), None, false, 1, Theme { color: false });
        a.session = Some(Session {
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
        assert!(matches!(&a.popup, Some(Popup::Palette(p)) if p.input == "verify "));
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
        assert!(matches!(&a.popup, Some(Popup::Palette(p)) if p.input == "delete "));
        a.update(Action::Key(Cmd::Backspace));
        a.update(Action::Key(Cmd::Cancel));
        assert!(a.popup.is_none());
    }

    #[test]
    fn secret_commands_need_a_secret_and_unknown_ones_are_reported() {
        let mut a = app();
        typed(&mut a, "restore");
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        assert!(a.status.as_ref().unwrap().text.contains("open or select"));
        assert!(a.run_command("frobnicate").is_empty());
        assert!(a.status.as_ref().unwrap().text.contains("Unknown"));
    }

    #[test]
    fn screens_and_filters_from_the_palette() {
        let mut a = app();
        let fx = a.run_command("filter prod !legacy");
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Secrets { query, .. })] if query.text == "prod !legacy")
        );
        let fx = a.run_command("audit prod/db");
        assert_eq!(a.screen, Screen::Audit);
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Audit { query, .. })] if query.secret_id.as_deref() == Some("prod/db"))
        );
        a.run_command("dele");
        assert_eq!(a.screen, Screen::Audit, "'dele' is ambiguous");
        a.run_command("deletions");
        assert_eq!(a.screen, Screen::Deletions);
        let fx = a.run_command("pri");
        assert_eq!(a.screen, Screen::Principals, "'pri' is unique");
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::Principals { .. })]
        ));
        assert!(matches!(a.run_command("quit")[..], [Effect::Quit]));
    }
}
