//! The unlock screen: choose the operator, type the passphrase (masked).

use coffer_core::Passphrase;
use coffer_core::{Error, VaultInfo, VaultSummary};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};
use zeroize::Zeroizing;

use crate::tui::action::{Cmd, Effect, Request};
use crate::tui::layout;
use crate::tui::shell::{Nav, Screen, Session, Shell};

#[derive(Default)]
pub struct UnlockState {
    pub operators: Vec<String>,
    pub selected: usize,
    /// The operator asked for on the command line, until the vault's list arrives.
    pub wanted: Option<String>,
    pub passphrase: Zeroizing<String>,
    pub busy: bool,
}

impl UnlockState {
    pub fn new(operator: Option<String>) -> Self {
        Self {
            wanted: operator,
            ..Self::default()
        }
    }

    /// The operator the unlock will use.
    pub fn chosen(&self) -> Option<String> {
        self.operators
            .get(self.selected)
            .cloned()
            .or_else(|| self.wanted.clone())
    }

    pub fn inspected(&mut self, r: Result<VaultSummary, Error>) {
        if let Ok(s) = r {
            self.operators = s.operators;
            self.selected = self
                .wanted
                .as_ref()
                .and_then(|w| self.operators.iter().position(|o| o == w))
                .unwrap_or(0);
        }
    }
}

impl UnlockState {
    pub(crate) fn key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        if self.busy && cmd != Cmd::Quit {
            return vec![];
        }
        match cmd {
            Cmd::Quit => {
                sh.quit = true;
                vec![Effect::Quit]
            }
            Cmd::Toggle => {
                if !self.operators.is_empty() {
                    self.selected = (self.selected + 1) % self.operators.len();
                }
                vec![]
            }
            Cmd::Backspace => {
                self.passphrase.pop();
                vec![]
            }
            Cmd::Submit => {
                if self.passphrase.is_empty() {
                    sh.error("Type the passphrase first.");
                    return vec![];
                }
                let pass = std::mem::take(&mut *self.passphrase);
                self.start(sh, Passphrase::new(pass))
            }
            _ => vec![],
        }
    }

    /// Unlocks with a passphrase (typed, or given by COFFER_PASSPHRASE).
    pub fn start(&mut self, sh: &mut Shell, passphrase: Passphrase) -> Vec<Effect> {
        self.busy = true;
        sh.busy = Some(("Unlocking (deriving the key)".into(), sh.now_ms));
        vec![Effect::Send(Request::Unlock {
            operator: self.chosen(),
            passphrase,
        })]
    }

    /// Opens through the user's session agent for this vault (`coffer unlock`), without
    /// the passphrase: every request then runs in the agent.
    pub fn attach(&mut self, sh: &mut Shell) -> Vec<Effect> {
        self.busy = true;
        sh.busy = Some(("Opening through the session".into(), sh.now_ms));
        vec![Effect::Send(Request::Attach {
            operator: self.chosen(),
        })]
    }

    pub(crate) fn unlocked(&mut self, sh: &mut Shell, r: Result<VaultInfo, Error>) -> Vec<Effect> {
        sh.busy = None;
        self.busy = false;
        match r {
            Ok(info) => {
                sh.info(format!(
                    "Unlocked as {} ({} {}).",
                    info.operator, info.account_id, info.region
                ));
                sh.session = Some(Session {
                    principal_arn: info.user_arn(&info.operator),
                    operator: info.operator,
                    account: info.account_id,
                    region: info.region,
                });
                sh.last_input_ms = sh.now_ms;
                sh.go(Nav::Go(Screen::Secrets))
            }
            Err(e) => {
                sh.error(format!("{}: {}", e.code.as_str(), e.message));
                vec![]
            }
        }
    }
}

impl UnlockState {
    pub fn render(&self, sh: &Shell, area: Rect, buf: &mut Buffer) {
        let t = sh.theme;
        let u = self;
        let box_area = layout::centered(area, 64, 11);
        let mut lines = vec![
            Line::from(vec![
                Span::styled("Vault  ", t.dim()),
                Span::raw(sh.vault_path.clone()),
            ]),
            Line::raw(""),
        ];
        let mut ops = vec![Span::styled("Operator  ", t.title())];
        if u.operators.is_empty() {
            ops.push(Span::raw(
                u.wanted.clone().unwrap_or_else(|| "(the only one)".into()),
            ));
        }
        for (i, o) in u.operators.iter().enumerate() {
            let style = if i == u.selected {
                t.selected()
            } else {
                t.base()
            };
            ops.push(Span::styled(format!(" {o} "), style));
            ops.push(Span::raw(" "));
        }
        lines.push(Line::from(ops));
        let mask: String = "•".repeat(u.passphrase.chars().count());
        lines.push(Line::from(vec![
            Span::styled("Passphrase  ", t.title()),
            Span::raw(mask),
            Span::styled("▏", t.dim()),
        ]));
        lines.push(Line::raw(""));
        if u.busy {
            lines.push(Line::styled("Unlocking…", t.title()));
        } else {
            lines.push(Line::styled(
                "Enter unlocks · Tab chooses the operator · Esc quits",
                t.dim(),
            ));
        }
        if sh.read_only {
            lines.push(Line::styled(
                "Read-only: every write will be refused.",
                t.dim(),
            ));
        }
        let block = Block::bordered().title(Span::styled(" Coffer — unlock the vault ", t.title()));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block)
            .render(box_area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{Action, Loaded};
    use crate::tui::app::App;
    use crate::tui::theme::Theme;

    fn app() -> App {
        let mut a = App::new(
            "v.db".into(),
            Some("bob".into()),
            false,
            300_000,
            Theme { color: false },
        );
        a.update(Action::loaded(Loaded::Inspected(Ok(VaultSummary {
            vault_id: "v".into(),
            account_id: "1".into(),
            region: "us-east-1".into(),
            operators: vec!["admin".into(), "bob".into()],
        }))));
        a
    }

    #[test]
    fn the_operator_from_the_command_line_is_preselected_and_tab_cycles() {
        let mut a = app();
        assert_eq!(a.unlock.chosen().as_deref(), Some("bob"));
        a.update(Action::Key(Cmd::Toggle));
        assert_eq!(a.unlock.chosen().as_deref(), Some("admin"));
    }

    #[test]
    fn typing_is_masked_and_enter_sends_the_unlock() {
        let mut a = app();
        for c in "pw".chars() {
            a.update(Action::Char(c));
        }
        a.update(Action::Key(Cmd::Backspace));
        a.update(Action::Char('x'));
        assert_eq!(a.unlock.passphrase.as_str(), "px");
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(
            matches!(&fx[..], [Effect::Send(Request::Unlock { operator: Some(o), .. })] if o == "bob")
        );
        assert!(a.unlock.passphrase.is_empty());
        assert!(a.unlock.busy);
    }

    #[test]
    fn an_empty_passphrase_is_not_sent_and_a_wrong_one_is_reported() {
        let mut a = app();
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        a.update(Action::loaded(Loaded::Unlocked(Err(Error::access_denied(
            "wrong",
        )))));
        assert!(
            a.sh.status
                .as_ref()
                .unwrap()
                .text
                .starts_with("AccessDeniedException")
        );
        assert!(a.sh.session.is_none());
    }

    #[test]
    fn a_successful_unlock_opens_the_secrets_and_reads_the_approvals_and_the_health_report() {
        let mut a = app();
        let fx = a.update(Action::loaded(Loaded::Unlocked(Ok(VaultInfo {
            path: None,
            vault_id: "v".into(),
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            operator: "bob".into(),
        }))));
        assert!(a.sh.session.is_some());
        assert_eq!(a.sh.screen, Screen::Secrets);
        assert!(matches!(
            &fx[..],
            [
                Effect::Send(Request::Secrets { .. }),
                Effect::Send(Request::RunDue),
                Effect::Send(Request::Pending { .. }),
                Effect::Send(Request::Health { .. })
            ]
        ));
        assert!(a.sh.background_on, "the background runner starts");
    }
}
