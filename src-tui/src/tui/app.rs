//! The console's state (plain data) and `update`, the one place it changes.

use ratatui::layout::Rect;
use zeroize::Zeroizing;

use super::action::{Action, Cmd, Effect, Loaded, Request};
use super::keymap::Ctx;
use super::layout;
use super::popups::Popup;
use super::screens::approvals::ApprovalsState;
use super::screens::audit::AuditState;
use super::screens::deletions::DeletionsState;
use super::screens::detail::{DetailState, Tab};
use super::screens::health::HealthState;
use super::screens::principals::PrincipalsState;
use super::screens::secrets::SecretsState;
use super::screens::unlock::UnlockState;
use super::theme::Theme;

/// How long a copied value stays on the clipboard.
pub const CLIPBOARD_MS: i64 = 30_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Secrets,
    Detail,
    Deletions,
    Audit,
    Principals,
    Approvals,
    Health,
}

/// Who has the vault open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub operator: String,
    /// The operator's IAM user, as rotation attempts and audit events name it.
    pub principal_arn: String,
    pub account: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// A copied value waiting to be cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub what: String,
    pub clear_at_ms: i64,
}

pub struct App {
    pub theme: Theme,
    pub read_only: bool,
    pub idle_lock_ms: i64,
    pub vault_path: String,
    pub size: (u16, u16),
    pub now_ms: i64,
    pub last_input_ms: i64,
    /// `None` while locked.
    pub session: Option<Session>,
    /// Opened through the user's session agent (`coffer unlock`): no key in this process.
    pub via_session: bool,
    /// The vault's session agent and endpoints running now (for the header).
    pub running: Vec<coffer_core::running::Running>,
    pub unlock: UnlockState,
    pub screen: Screen,
    pub secrets: SecretsState,
    pub detail: Option<DetailState>,
    pub deletions: DeletionsState,
    pub audit: AuditState,
    pub principals: PrincipalsState,
    pub approvals: ApprovalsState,
    pub health: HealthState,
    /// Whether the core's background runner works for this console (unlocked, not
    /// read-only): the worker starts it on the first `RunDue`.
    pub background_on: bool,
    /// The background runner's jobs as it last reported them.
    pub background: Option<coffer_core::background::BackgroundStatus>,
    /// Whether the act under way (rotate now, approve, retry) asks the background runner
    /// to run the rotations as soon as it is done.
    pub rotate_after: bool,
    pub popup: Option<Popup>,
    pub status: Option<Status>,
    /// A long job under way, and when it started (for the progress line).
    pub busy: Option<(String, i64)>,
    pub copied: Option<Copied>,
    pub seq: u64,
    pub quit: bool,
}

impl App {
    pub fn new(
        vault_path: String,
        operator: Option<String>,
        read_only: bool,
        idle_lock_ms: i64,
        theme: Theme,
    ) -> Self {
        Self {
            theme,
            read_only,
            idle_lock_ms,
            vault_path,
            size: (80, 24),
            now_ms: 0,
            last_input_ms: 0,
            session: None,
            via_session: false,
            running: vec![],
            unlock: UnlockState::new(operator),
            screen: Screen::Secrets,
            secrets: SecretsState::default(),
            detail: None,
            deletions: DeletionsState::default(),
            audit: AuditState::default(),
            principals: PrincipalsState::default(),
            approvals: ApprovalsState::default(),
            health: HealthState::default(),
            background_on: false,
            background: None,
            rotate_after: false,
            popup: None,
            status: None,
            busy: None,
            copied: None,
            seq: 0,
            quit: false,
        }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn area(&self) -> Rect {
        Rect::new(0, 0, self.size.0, self.size.1)
    }

    pub fn body(&self) -> Rect {
        layout::areas(self.area()).body
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    /// Where the keyboard is, for the keymap.
    pub fn ctx(&self) -> Ctx {
        if let Some(p) = &self.popup {
            return p.ctx();
        }
        if self.session.is_none() {
            return Ctx::Unlock;
        }
        match self.screen {
            Screen::Secrets if self.secrets.editing => Ctx::Input,
            Screen::Secrets => Ctx::Secrets,
            Screen::Deletions => Ctx::Deletions,
            Screen::Audit => Ctx::Audit,
            Screen::Principals => Ctx::Principals,
            Screen::Approvals => Ctx::Approvals,
            Screen::Health => Ctx::Health,
            Screen::Detail => match self.detail.as_ref().map(|d| d.tab) {
                Some(Tab::Value) => Ctx::Value,
                Some(Tab::Versions) => Ctx::Versions,
                Some(Tab::Rotation) => Ctx::Rotation,
                Some(Tab::Replicas) => Ctx::Replicas,
                Some(Tab::Tags) => Ctx::Tags,
                Some(Tab::Policy) => Ctx::Policy,
                Some(Tab::Access) => Ctx::Access,
                Some(Tab::Activity) => Ctx::Activity,
                _ => Ctx::Overview,
            },
        }
    }

    /// Sends a request to the worker — unless it writes and the console is read-only.
    pub fn send(&mut self, req: Request) -> Vec<Effect> {
        if req.is_write() && self.read_only {
            self.error(format!(
                "Read-only console (--read-only): {} was not sent.",
                req.operation()
            ));
            return vec![];
        }
        self.principals.created(&req);
        if matches!(
            req,
            Request::RotateNow { .. } | Request::Approve { .. } | Request::RetryRotation { .. }
        ) {
            self.rotate_after = true;
        }
        if matches!(req, Request::Verify) {
            self.busy = Some(("Verifying the audit chain".into(), self.now_ms));
        } else if req.is_write() && !matches!(req, Request::RunDue) {
            self.busy = Some((format!("{}…", req.operation()), self.now_ms));
        }
        vec![Effect::Send(req)]
    }

    /// The one door for change.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Tick { now_ms } => self.tick(now_ms),
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.refill()
            }
            Action::Loaded(l) => self.loaded(*l),
            Action::Key(cmd) => {
                self.last_input_ms = self.now_ms;
                self.key(cmd)
            }
            Action::Char(c) => {
                self.last_input_ms = self.now_ms;
                self.char(c)
            }
            Action::Click { column, row } => {
                self.last_input_ms = self.now_ms;
                self.click(column, row)
            }
            Action::Wheel { down, column, row } => {
                self.last_input_ms = self.now_ms;
                self.wheel(down, column, row)
            }
        }
    }

    fn tick(&mut self, now_ms: i64) -> Vec<Effect> {
        if self.now_ms == 0 {
            self.last_input_ms = now_ms;
        }
        self.now_ms = now_ms;
        let mut out = vec![];
        if let Some(c) = &self.copied
            && now_ms >= c.clear_at_ms
        {
            self.copied = None;
            self.info("Clipboard cleared.");
            out.push(Effect::ClearClipboard);
        }
        if self.session.is_some() && now_ms - self.last_input_ms >= self.idle_lock_ms {
            out.extend(self.lock("Locked after being idle."));
        }
        out
    }

    /// Asks the worker to have the core's background runner run the due and approved
    /// rotations now (the first time, to start it; it keeps its own time after that).
    fn run_rotations(&mut self) -> Vec<Effect> {
        if !self.background_on {
            return vec![];
        }
        vec![Effect::Send(Request::RunDue)]
    }

    /// Locks: forgets everything read from the vault, clears a copied value, drops the vault.
    pub fn lock(&mut self, why: &str) -> Vec<Effect> {
        let mut out = vec![];
        if self.copied.take().is_some() {
            out.push(Effect::ClearClipboard);
        }
        let operator = self.session.take().map(|s| s.operator);
        self.via_session = false;
        self.unlock = UnlockState::new(operator.or(self.unlock.chosen()));
        self.unlock.busy = false;
        self.screen = Screen::Secrets;
        self.secrets = SecretsState::default();
        self.detail = None;
        self.deletions = DeletionsState::default();
        self.audit = AuditState::default();
        self.principals = PrincipalsState::default();
        self.approvals = ApprovalsState::default();
        self.health = HealthState::default();
        self.background_on = false;
        self.background = None;
        self.rotate_after = false;
        self.popup = None;
        self.busy = None;
        self.info(why);
        out.push(Effect::Send(Request::Lock));
        out.push(Effect::Send(Request::Inspect));
        out
    }

    fn key(&mut self, cmd: Cmd) -> Vec<Effect> {
        if self.popup.is_some() {
            return self.popup_key(cmd);
        }
        if self.session.is_none() {
            return self.unlock_key(cmd);
        }
        if self.ctx().has_globals() {
            match cmd {
                Cmd::Quit => {
                    self.quit = true;
                    return vec![Effect::Quit];
                }
                Cmd::Help => {
                    self.popup = Some(Popup::Help {
                        ctx: self.ctx(),
                        scroll: 0,
                    });
                    return vec![];
                }
                Cmd::Palette => {
                    self.popup = Some(Popup::Palette(Default::default()));
                    return vec![];
                }
                Cmd::Lock => return self.lock("Locked."),
                Cmd::GoSecrets => return self.go(Screen::Secrets),
                Cmd::GoDeletions => return self.go(Screen::Deletions),
                Cmd::GoAudit => return self.go(Screen::Audit),
                Cmd::GoPrincipals => return self.go(Screen::Principals),
                Cmd::GoApprovals => return self.go(Screen::Approvals),
                Cmd::GoHealth => return self.go(Screen::Health),
                _ => {}
            }
        }
        match self.screen {
            Screen::Secrets => self.secrets_key(cmd),
            Screen::Detail => self.detail_key(cmd),
            Screen::Deletions => self.deletions_key(cmd),
            Screen::Audit => self.audit_key(cmd),
            Screen::Principals => self.principals_key(cmd),
            Screen::Approvals => self.approvals_key(cmd),
            Screen::Health => self.health_key(cmd),
        }
    }

    fn char(&mut self, c: char) -> Vec<Effect> {
        if self.popup.is_some() {
            return self.popup_char(c);
        }
        if self.session.is_none() {
            self.unlock.passphrase.push(c);
            return vec![];
        }
        if self.screen == Screen::Secrets && self.secrets.editing {
            self.secrets.filter.push(c);
            return self.refresh_secrets(true);
        }
        vec![]
    }

    /// Goes to a top-level screen and loads it.
    pub fn go(&mut self, screen: Screen) -> Vec<Effect> {
        self.screen = screen;
        match screen {
            Screen::Secrets => self.refresh_secrets(false),
            Screen::Deletions => self.refresh_deletions(),
            Screen::Audit => self.refresh_audit(false),
            Screen::Principals => {
                self.principals.key_focus = false;
                self.load_principals()
            }
            Screen::Approvals => self.load_pending(),
            Screen::Health => self.load_health(),
            Screen::Detail => vec![],
        }
    }

    /// After a resize: load what the bigger window shows.
    fn refill(&mut self) -> Vec<Effect> {
        if self.session.is_none() {
            return vec![];
        }
        match self.screen {
            Screen::Secrets => self.fetch_secrets(false),
            Screen::Deletions => self.refresh_deletions(),
            _ => vec![],
        }
    }

    /// Re-reads what is on screen (after our own act or another process's change),
    /// keeping the operator's place. The principals are not re-read here: their lists are
    /// audited requests, re-read only after the operator's own acts (see `Loaded::Done`).
    /// The Health screen is: its report is audited too, but the core keeps its inputs and
    /// brings them up to date from what changed, so it stays current as the vault changes
    /// (one report at a time, the last one shown while the next is made).
    pub fn refresh(&mut self) -> Vec<Effect> {
        match self.screen {
            Screen::Secrets => self.refresh_secrets(false),
            Screen::Deletions => self.refresh_deletions(),
            Screen::Audit => self.audit_changed(),
            Screen::Detail => self.refresh_detail(),
            Screen::Health => self.load_health(),
            Screen::Principals | Screen::Approvals => vec![],
        }
    }

    fn loaded(&mut self, l: Loaded) -> Vec<Effect> {
        match l {
            Loaded::Inspected(r) => {
                self.unlock.inspected(r);
                vec![]
            }
            Loaded::Unlocked(r) => {
                let mut out = self.unlocked(r);
                if self.session.is_some() {
                    if !self.read_only {
                        self.background_on = true;
                        out.extend(self.run_rotations());
                    }
                    out.extend(self.load_pending());
                    out.extend(self.load_health());
                }
                out
            }
            Loaded::Secrets { seq, total, rows } => self.secrets_loaded(seq, total, rows),
            Loaded::Groups { seq, runs } => self.groups_loaded(seq, runs),
            Loaded::Detail { seq, detail } => self.detail_loaded(seq, detail.map(|d| *d)),
            Loaded::Policy { seq, policy } => self.policy_loaded(seq, policy),
            Loaded::Access { seq, access } => self.access_loaded(seq, access),
            Loaded::Activity { seq, before, page } => self.activity_loaded(seq, before, page),
            Loaded::Audit { seq, kind, page } => self.audit_loaded(seq, kind, page),
            Loaded::Deletions { seq, page } => self.deletions_loaded(seq, page),
            Loaded::Revealed {
                arn,
                version_id,
                purpose,
                value,
            } => {
                self.busy = None;
                self.revealed(arn, version_id, purpose, value);
                vec![]
            }
            Loaded::Rekeying(status) => {
                let since = self.busy.as_ref().map_or(self.now_ms, |b| b.1);
                self.busy = Some((status.line(), since));
                vec![]
            }
            Loaded::Done(msg) => {
                self.busy = None;
                self.info(msg);
                if matches!(self.popup, Some(Popup::PolicyEditor(_))) {
                    self.popup = None;
                }
                let mut out = self.refresh();
                out.extend(self.reload_after_act());
                out.extend(self.load_pending());
                if self.screen == Screen::Principals {
                    out.extend(self.load_principals());
                }
                if std::mem::take(&mut self.rotate_after) {
                    out.extend(self.run_rotations());
                }
                // The operator's own act may have fixed a finding (or made one); on the
                // Health screen `refresh` asked already.
                if self.screen != Screen::Health {
                    out.extend(self.load_health());
                }
                out
            }
            Loaded::Principals { seq, principals } => self.principals_loaded(seq, principals),
            Loaded::PrincipalDetails {
                kind,
                name,
                details,
            } => self.principal_details_loaded(kind, &name, details),
            Loaded::AccessKeyCreated {
                user_name,
                access_key_id,
                secret,
            } => self.access_key_created(user_name, access_key_id, secret),
            Loaded::Verified(report) => {
                self.busy = None;
                self.verified(report);
                vec![]
            }
            Loaded::Failed { operation, error } => {
                self.busy = None;
                self.rotate_after = false;
                self.unlock.busy = false;
                self.error(format!(
                    "{} failed: {}: {}",
                    operation,
                    error.code.as_str(),
                    error.message
                ));
                vec![]
            }
            Loaded::Attached(r) => {
                let out = self.loaded(Loaded::Unlocked(r));
                if let Some(s) = &self.session {
                    self.via_session = true;
                    let text = format!(
                        "Opened through the session agent as {} (coffer unlock): no key in this console.",
                        s.operator
                    );
                    self.info(text);
                }
                out
            }
            Loaded::SessionEnded(why) => {
                if self.session.is_some() {
                    self.lock(&why)
                } else {
                    vec![]
                }
            }
            Loaded::Running(now) => {
                self.running = now;
                vec![]
            }
            Loaded::Changed => {
                if self.session.is_some() {
                    let mut out = self.load_pending();
                    out.extend(self.refresh());
                    out
                } else {
                    vec![]
                }
            }
            Loaded::RotationHistory { seq, history } => self.rotation_loaded(seq, history),
            Loaded::ReplicaRegions { seq, regions } => self.regions_loaded(seq, regions),
            Loaded::RotationSettings { seq, settings } => self.approval_loaded(seq, settings),
            Loaded::RotationFunctions { then, functions } => self.functions_loaded(then, functions),
            Loaded::Pending { seq, attempts } => self.pending_loaded(seq, attempts),
            Loaded::RotationsRan(ran) => self.rotations_ran(ran),
            Loaded::Background(status) => {
                self.background = Some(status);
                vec![]
            }
            Loaded::Health { seq, report } => self.health_loaded(seq, report),
        }
    }

    /// Copies a value to the clipboard, to be cleared in 30 s.
    pub fn copy(&mut self, text: Zeroizing<String>, what: String) -> Vec<Effect> {
        self.copied = Some(Copied {
            what: what.clone(),
            clear_at_ms: self.now_ms + CLIPBOARD_MS,
        });
        self.info(format!("Copied {what}."));
        vec![Effect::Copy { text, what }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coffer_core::Operation;

    fn app() -> App {
        let mut a = App::new("v.db".into(), None, false, 300_000, Theme { color: false });
        a.session = Some(Session {
            operator: "admin".into(),
            account: "123456789012".into(),
            region: "us-east-1".into(),
            principal_arn: "arn:aws:iam::123456789012:user/admin".into(),
        });
        a.update(Action::Tick { now_ms: 1_000 });
        a
    }

    #[test]
    fn idle_time_locks_and_clears_the_clipboard() {
        let mut a = app();
        a.copied = Some(Copied {
            what: "x".into(),
            clear_at_ms: 999_999,
        });
        let fx = a.update(Action::Tick {
            now_ms: 1_000 + 299_999,
        });
        assert!(fx.is_empty());
        assert!(a.session.is_some());
        let fx = a.update(Action::Tick {
            now_ms: 1_000 + 300_000,
        });
        assert!(a.session.is_none());
        assert!(a.copied.is_none());
        assert!(fx.iter().any(|e| matches!(e, Effect::ClearClipboard)));
        assert!(fx.iter().any(|e| matches!(e, Effect::Send(Request::Lock))));
        assert_eq!(a.ctx(), Ctx::Unlock);
    }

    #[test]
    fn a_key_resets_the_idle_clock() {
        let mut a = app();
        a.update(Action::Tick { now_ms: 200_000 });
        a.update(Action::Key(Cmd::Down));
        a.update(Action::Tick { now_ms: 400_000 });
        assert!(a.session.is_some());
    }

    #[test]
    fn the_clipboard_clears_after_thirty_seconds() {
        let mut a = app();
        let fx = a.copy(Zeroizing::new("v".into()), "the value".into());
        assert!(matches!(fx[0], Effect::Copy { .. }));
        assert!(a.update(Action::Tick { now_ms: 30_999 }).is_empty());
        let fx = a.update(Action::Tick { now_ms: 31_000 });
        assert!(matches!(fx[..], [Effect::ClearClipboard]));
        assert!(a.copied.is_none());
    }

    #[test]
    fn read_only_refuses_writes_before_sending() {
        let mut a = app();
        a.read_only = true;
        let fx = a.send(Request::Restore { arn: "a".into() });
        assert!(fx.is_empty());
        assert!(a.status.as_ref().unwrap().error);
        assert!(a.status.as_ref().unwrap().text.contains("RestoreSecret"));
        let fx = a.send(Request::Verify);
        assert_eq!(fx.len(), 1);
    }

    #[test]
    fn lock_key_locks_and_quit_quits() {
        let mut a = app();
        let fx = a.update(Action::Key(Cmd::Lock));
        assert!(a.session.is_none());
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::Send(Request::Inspect)))
        );
        let mut a = app();
        let fx = a.update(Action::Key(Cmd::Quit));
        assert!(a.quit);
        assert!(matches!(fx[..], [Effect::Quit]));
    }

    #[test]
    fn help_and_palette_open_over_any_screen() {
        let mut a = app();
        a.update(Action::Key(Cmd::Help));
        assert_eq!(a.ctx(), Ctx::Help);
        a.update(Action::Key(Cmd::Cancel));
        assert_eq!(a.ctx(), Ctx::Secrets);
        a.update(Action::Key(Cmd::Palette));
        assert_eq!(a.ctx(), Ctx::Palette);
    }

    #[test]
    fn screens_switch_and_load() {
        let mut a = app();
        let fx = a.update(Action::Key(Cmd::GoAudit));
        assert_eq!(a.screen, Screen::Audit);
        assert!(matches!(fx[..], [Effect::Send(Request::Audit { .. })]));
        let fx = a.update(Action::Key(Cmd::GoDeletions));
        assert_eq!(a.screen, Screen::Deletions);
        assert!(matches!(fx[..], [Effect::Send(Request::Deletions { .. })]));
        let fx = a.update(Action::Key(Cmd::GoPrincipals));
        assert_eq!(a.screen, Screen::Principals);
        assert!(matches!(fx[..], [Effect::Send(Request::Principals { .. })]));
    }

    #[test]
    fn the_background_runner_starts_on_unlock_keeps_its_own_time_and_never_runs_read_only() {
        let mut a = app();
        assert!(a.update(Action::Tick { now_ms: 50_000 }).is_empty(), "off");
        a.background_on = true;
        assert!(
            a.update(Action::Tick { now_ms: 60_000 }).is_empty(),
            "ticks never run it: the core's runner keeps its own time"
        );
        a.send(Request::RunDue);
        assert!(a.busy.is_none(), "no spinner for the background run");
        a.update(Action::Key(Cmd::Lock));
        assert!(!a.background_on, "locking stops it");
        let mut ro = App::new("v.db".into(), None, true, 300_000, Theme { color: false });
        ro.update(Action::Tick { now_ms: 1_000 });
        ro.update(Action::loaded(Loaded::Unlocked(Ok(
            coffer_core::VaultInfo {
                path: None,
                vault_id: "v".into(),
                account_id: "1".into(),
                region: "us-east-1".into(),
                operator: "admin".into(),
            },
        ))));
        assert!(!ro.background_on, "a read-only console does not rotate");
    }

    #[test]
    fn rotate_now_and_approve_run_the_scheduler_once_they_are_done() {
        let mut a = app();
        a.background_on = true;
        a.send(Request::Approve { arn: "a".into() });
        let fx = a.update(Action::loaded(Loaded::Done("Approved.".into())));
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::Send(Request::RunDue)))
        );
        let fx = a.update(Action::loaded(Loaded::Done("Tagged.".into())));
        assert!(
            !fx.iter()
                .any(|e| matches!(e, Effect::Send(Request::RunDue)))
        );
        a.send(Request::RotateNow {
            arn: "a".into(),
            function_arn: None,
        });
        a.update(Action::loaded(Loaded::Failed {
            operation: Operation::RotateSecret,
            error: coffer_core::Error::invalid_request("nope"),
        }));
        let fx = a.update(Action::loaded(Loaded::Done("Tagged.".into())));
        assert!(
            !fx.iter()
                .any(|e| matches!(e, Effect::Send(Request::RunDue)))
        );
    }

    #[test]
    fn failures_show_their_aws_code() {
        let mut a = app();
        a.update(Action::loaded(Loaded::Failed {
            operation: Operation::DeleteSecret,
            error: coffer_core::Error::invalid_request("nope"),
        }));
        let s = a.status.unwrap();
        assert!(s.error);
        assert!(s.text.contains("InvalidRequestException"));
    }
}
