//! The console's state (plain data) and `update`, the one place it changes: it routes keys,
//! answers and moves between screens (`dialogs`: what a dialog's answer does; `palette`: the
//! command palette's commands; `mouse`: clicks and the wheel; `ui`: the drawing).

mod dialogs;
mod mouse;
mod palette;
mod ui;

use super::action::{Action, Cmd, Effect, Loaded, Request, RevealFor};
use super::keymap::Ctx;
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

pub use super::shell::{CLIPBOARD_MS, Copied, Nav, Screen, Session, Shell, Status};

/// The console: what every screen shares, and each screen's own state. It routes keys,
/// answers and moves between the screens; the screens themselves know nothing of it.
pub struct App {
    pub sh: Shell,
    pub unlock: UnlockState,
    pub secrets: SecretsState,
    pub detail: Option<DetailState>,
    pub deletions: DeletionsState,
    pub audit: AuditState,
    pub principals: PrincipalsState,
    pub approvals: ApprovalsState,
    pub health: HealthState,
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
            sh: Shell::new(vault_path, read_only, idle_lock_ms, theme),
            unlock: UnlockState::new(operator),
            secrets: SecretsState::default(),
            detail: None,
            deletions: DeletionsState::default(),
            audit: AuditState::default(),
            principals: PrincipalsState::default(),
            approvals: ApprovalsState::default(),
            health: HealthState::default(),
        }
    }

    /// Where the keyboard is, for the keymap.
    pub fn ctx(&self) -> Ctx {
        if let Some(p) = &self.sh.popup {
            return p.ctx();
        }
        if self.sh.session.is_none() {
            return Ctx::Unlock;
        }
        match self.sh.screen {
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

    /// The one door for change.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let mut out = match action {
            Action::Tick { now_ms } => self.tick(now_ms),
            Action::Resize(w, h) => {
                self.sh.size = (w, h);
                self.refill()
            }
            Action::Loaded(l) => self.loaded(*l),
            Action::Key(cmd) => {
                self.sh.last_input_ms = self.sh.now_ms;
                self.key(cmd)
            }
            Action::Char(c) => {
                self.sh.last_input_ms = self.sh.now_ms;
                self.char(c)
            }
            Action::Click { column, row } => {
                self.sh.last_input_ms = self.sh.now_ms;
                self.click(column, row)
            }
            Action::Wheel { down, column, row } => {
                self.sh.last_input_ms = self.sh.now_ms;
                self.wheel(down, column, row)
            }
        };
        out.extend(self.follow_nav());
        for fx in &out {
            if let Effect::Send(req) = fx {
                self.principals.created(req);
            }
        }
        out
    }

    /// Carries out the moves between screens that the screens asked for, in order.
    fn follow_nav(&mut self) -> Vec<Effect> {
        let mut out = vec![];
        while !self.sh.nav.is_empty() {
            for nav in std::mem::take(&mut self.sh.nav) {
                out.extend(match nav {
                    Nav::Go(screen) => self.go(screen),
                    Nav::OpenDetail { arn, name } => self.open_detail(arn, name),
                    Nav::CloseDetail => {
                        self.detail = None;
                        self.go(Screen::Secrets)
                    }
                    Nav::Tab(tab) => self.select_tab(tab),
                    Nav::Key(cmd) => self.key(cmd),
                    Nav::AuditFor(secret) => self.audit.show_secret(&mut self.sh, secret),
                    Nav::Principal { kind, name } => {
                        self.principals.select_next = Some((kind, name));
                        self.go(Screen::Principals)
                    }
                    Nav::Lock(why) => self.lock(&why),
                });
            }
        }
        out
    }

    fn tick(&mut self, now_ms: i64) -> Vec<Effect> {
        if self.sh.now_ms == 0 {
            self.sh.last_input_ms = now_ms;
        }
        self.sh.now_ms = now_ms;
        let mut out = vec![];
        if let Some(c) = &self.sh.copied
            && now_ms >= c.clear_at_ms
        {
            self.sh.copied = None;
            self.sh.info("Clipboard cleared.");
            out.push(Effect::ClearClipboard);
        }
        if self.sh.session.is_some() && now_ms - self.sh.last_input_ms >= self.sh.idle_lock_ms {
            out.extend(self.lock("Locked after being idle."));
        }
        out
    }

    /// Asks the worker to have the core's background runner run the due and approved
    /// rotations now (the first time, to start it; it keeps its own time after that).
    fn run_rotations(&mut self) -> Vec<Effect> {
        if !self.sh.background_on {
            return vec![];
        }
        vec![Effect::Send(Request::RunDue)]
    }

    /// Locks: forgets everything read from the vault, clears a copied value, drops the vault.
    pub fn lock(&mut self, why: &str) -> Vec<Effect> {
        let mut out = vec![];
        if self.sh.copied.take().is_some() {
            out.push(Effect::ClearClipboard);
        }
        let operator = self.sh.session.take().map(|s| s.operator);
        self.sh.via_session = false;
        self.unlock = UnlockState::new(operator.or(self.unlock.chosen()));
        self.unlock.busy = false;
        self.sh.screen = Screen::Secrets;
        self.secrets = SecretsState::default();
        self.detail = None;
        self.deletions = DeletionsState::default();
        self.audit = AuditState::default();
        self.principals = PrincipalsState::default();
        self.approvals = ApprovalsState::default();
        self.health = HealthState::default();
        self.sh.background_on = false;
        self.sh.background = None;
        self.sh.rotate_after = false;
        self.sh.popup = None;
        self.sh.busy = None;
        self.sh.info(why);
        out.push(Effect::Send(Request::Lock));
        out.push(Effect::Send(Request::Inspect));
        out
    }

    fn key(&mut self, cmd: Cmd) -> Vec<Effect> {
        if self.sh.popup.is_some() {
            return self.popup_key(cmd);
        }
        if self.sh.session.is_none() {
            return self.unlock.key(&mut self.sh, cmd);
        }
        if self.ctx().has_globals() {
            match cmd {
                Cmd::Quit => {
                    self.sh.quit = true;
                    return vec![Effect::Quit];
                }
                Cmd::Help => {
                    self.sh.popup = Some(Popup::Help {
                        ctx: self.ctx(),
                        scroll: 0,
                    });
                    return vec![];
                }
                Cmd::Palette => {
                    self.sh.popup = Some(Popup::Palette(Default::default()));
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
        match self.sh.screen {
            Screen::Secrets => self.secrets.key(&mut self.sh, cmd),
            Screen::Detail => self.detail_key(cmd),
            Screen::Deletions => self.deletions.key(&mut self.sh, cmd),
            Screen::Audit => self.audit.key(&mut self.sh, cmd),
            Screen::Principals => self.principals.key(&mut self.sh, cmd),
            Screen::Approvals => self.approvals.key(&mut self.sh, cmd),
            Screen::Health => self.health.key(&mut self.sh, cmd),
        }
    }

    fn char(&mut self, c: char) -> Vec<Effect> {
        if self.sh.popup.is_some() {
            return self.popup_char(c);
        }
        if self.sh.session.is_none() {
            self.unlock.passphrase.push(c);
            return vec![];
        }
        if self.sh.screen == Screen::Secrets && self.secrets.editing {
            self.secrets.filter.push(c);
            return self.secrets.refresh(&mut self.sh, true);
        }
        vec![]
    }

    /// Goes to a top-level screen and loads it.
    pub fn go(&mut self, screen: Screen) -> Vec<Effect> {
        self.sh.screen = screen;
        match screen {
            Screen::Secrets => self.secrets.refresh(&mut self.sh, false),
            Screen::Deletions => self.deletions.refresh(&mut self.sh),
            Screen::Audit => self.audit.refresh(&mut self.sh, false),
            Screen::Principals => {
                self.principals.key_focus = false;
                self.principals.load(&mut self.sh)
            }
            Screen::Approvals => self.approvals.load(&mut self.sh),
            Screen::Health => self.health.load(&mut self.sh),
            Screen::Detail => vec![],
        }
    }

    /// After a resize: load what the bigger window shows.
    fn refill(&mut self) -> Vec<Effect> {
        if self.sh.session.is_none() {
            return vec![];
        }
        match self.sh.screen {
            Screen::Secrets => self.secrets.fetch(&mut self.sh, false),
            Screen::Deletions => self.deletions.refresh(&mut self.sh),
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
        match self.sh.screen {
            Screen::Secrets => self.secrets.refresh(&mut self.sh, false),
            Screen::Deletions => self.deletions.refresh(&mut self.sh),
            Screen::Audit => self.audit.changed(&mut self.sh),
            Screen::Detail => self.on_detail(|d, sh| d.refresh(sh)),
            Screen::Health => self.health.load(&mut self.sh),
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
                let mut out = self.unlock.unlocked(&mut self.sh, r);
                out.extend(self.follow_nav());
                if self.sh.session.is_some() {
                    if !self.sh.read_only {
                        self.sh.background_on = true;
                        out.extend(self.run_rotations());
                    }
                    out.extend(self.approvals.load(&mut self.sh));
                    out.extend(self.health.load(&mut self.sh));
                }
                out
            }
            Loaded::Secrets { seq, total, rows } => {
                self.secrets.loaded(&mut self.sh, seq, total, rows)
            }
            Loaded::Groups { seq, runs } => self.secrets.groups_loaded(&mut self.sh, seq, runs),
            Loaded::Detail { seq, detail } => {
                self.on_detail(|d, sh| d.loaded(sh, seq, detail.map(|v| *v)))
            }
            Loaded::Policy { seq, policy } => self.on_detail(|d, _| d.policy_loaded(seq, policy)),
            Loaded::Access { seq, access } => self.on_detail(|d, _| d.access_loaded(seq, access)),
            Loaded::Activity { seq, before, page } => {
                self.on_detail(|d, _| d.activity_loaded(seq, before, page))
            }
            Loaded::Audit { seq, kind, page } => self.audit.loaded(&self.sh, seq, kind, page),
            Loaded::Deletions { seq, page } => self.deletions.loaded(seq, page),
            Loaded::Revealed {
                arn,
                version_id,
                purpose,
                value,
            } => {
                self.sh.busy = None;
                if purpose != RevealFor::Value {
                    if let Some(Popup::Diff(diff)) = self.sh.popup.as_mut() {
                        diff.arrived(purpose, value);
                    }
                    return vec![];
                }
                self.on_detail(|d, sh| {
                    d.revealed(sh, arn, version_id, value);
                    vec![]
                })
            }
            Loaded::Rekeying(status) => {
                let since = self.sh.busy.as_ref().map_or(self.sh.now_ms, |b| b.1);
                self.sh.busy = Some((status.line(), since));
                vec![]
            }
            Loaded::Done(msg) => {
                self.sh.busy = None;
                self.sh.info(msg);
                if matches!(self.sh.popup, Some(Popup::PolicyEditor(_))) {
                    self.sh.popup = None;
                }
                let mut out = self.refresh();
                out.extend(self.on_detail(|d, sh| d.reload_after_act(sh)));
                out.extend(self.approvals.load(&mut self.sh));
                if self.sh.screen == Screen::Principals {
                    out.extend(self.principals.load(&mut self.sh));
                }
                if std::mem::take(&mut self.sh.rotate_after) {
                    out.extend(self.run_rotations());
                }
                // The operator's own act may have fixed a finding (or made one); on the
                // Health screen `refresh` asked already.
                if self.sh.screen != Screen::Health {
                    out.extend(self.health.load(&mut self.sh));
                }
                out
            }
            Loaded::Principals { seq, principals } => {
                self.principals.loaded(&mut self.sh, seq, principals)
            }
            Loaded::PrincipalDetails {
                kind,
                name,
                details,
            } => self
                .principals
                .details_loaded(&mut self.sh, kind, &name, details),
            Loaded::AccessKeyCreated {
                user_name,
                access_key_id,
                secret,
            } => self
                .principals
                .access_key_created(&mut self.sh, user_name, access_key_id, secret),
            Loaded::Verified(report) => {
                self.sh.busy = None;
                self.audit.verified(&mut self.sh, report);
                vec![]
            }
            Loaded::Failed { operation, error } => {
                self.sh.busy = None;
                self.sh.rotate_after = false;
                self.unlock.busy = false;
                self.sh.error(format!(
                    "{} failed: {}: {}",
                    operation,
                    error.code.as_str(),
                    error.message
                ));
                vec![]
            }
            Loaded::Attached(r) => {
                let out = self.loaded(Loaded::Unlocked(r));
                if let Some(s) = &self.sh.session {
                    self.sh.via_session = true;
                    let text = format!(
                        "Opened through the session agent as {} (coffer unlock): no key in this console.",
                        s.operator
                    );
                    self.sh.info(text);
                }
                out
            }
            Loaded::SessionEnded(why) => {
                if self.sh.session.is_some() {
                    self.lock(&why)
                } else {
                    vec![]
                }
            }
            Loaded::Running(now) => {
                self.sh.running = now;
                vec![]
            }
            Loaded::Changed => {
                if self.sh.session.is_some() {
                    let mut out = self.approvals.load(&mut self.sh);
                    out.extend(self.refresh());
                    out
                } else {
                    vec![]
                }
            }
            Loaded::RotationHistory { seq, history } => {
                self.on_detail(|d, _| d.rotation_loaded(seq, history))
            }
            Loaded::ReplicaRegions { seq, regions } => {
                self.on_detail(|d, _| d.regions_loaded(seq, regions))
            }
            Loaded::RotationSettings { seq, settings } => {
                self.on_detail(|d, _| d.approval_loaded(seq, settings))
            }
            Loaded::RotationFunctions { then, functions } => {
                DetailState::functions_loaded(&mut self.sh, then, functions)
            }
            Loaded::Pending { seq, attempts } => self.approvals.loaded(seq, attempts),
            Loaded::RotationsRan(ran) => self.rotations_ran(ran),
            Loaded::Background(status) => {
                self.sh.background = Some(status);
                vec![]
            }
            Loaded::Health { seq, report } => self.health.loaded(&mut self.sh, seq, report),
        }
    }

    /// What the scheduler ran, in the status line (never a value: errors are the engine's).
    fn rotations_ran(
        &mut self,
        ran: Vec<coffer_core::vault::rotation::RotationAttempt>,
    ) -> Vec<Effect> {
        if ran.is_empty() {
            return vec![];
        }
        let failed = ran
            .iter()
            .any(|a| a.status != coffer_core::vault::rotation::AttemptStatus::Succeeded);
        let text = ran
            .iter()
            .map(|a| match a.status {
                coffer_core::vault::rotation::AttemptStatus::Succeeded => format!(
                    "Rotation of {} succeeded (version {} is AWSCURRENT).",
                    a.secret_name,
                    super::format::short_id(&a.token)
                ),
                coffer_core::vault::rotation::AttemptStatus::Failed => format!(
                    "Rotation of {} failed: {}{}",
                    a.secret_name,
                    a.error.as_deref().unwrap_or("no error recorded"),
                    a.retry_ms.map_or(String::new(), |t| format!(
                        " (tried again at {} UTC)",
                        super::format::minute_ms(t)
                    ))
                ),
                other => format!("Rotation of {} is {}.", a.secret_name, other.as_str()),
            })
            .collect::<Vec<_>>()
            .join(" ");
        if failed {
            self.sh.error(text);
        } else {
            self.sh.info(text);
        }
        let mut out = self.refresh();
        out.extend(self.approvals.load(&mut self.sh));
        out
    }

    /// Opens a secret's detail and loads it.
    pub fn open_detail(&mut self, arn: String, name: String) -> Vec<Effect> {
        self.sh.screen = Screen::Detail;
        self.detail
            .insert(DetailState::new(arn, name))
            .refresh(&mut self.sh)
    }

    /// Runs `f` on the open secret's detail (nothing when none is open).
    fn on_detail(
        &mut self,
        f: impl FnOnce(&mut DetailState, &mut Shell) -> Vec<Effect>,
    ) -> Vec<Effect> {
        match self.detail.as_mut() {
            Some(d) => f(d, &mut self.sh),
            None => vec![],
        }
    }

    pub fn select_tab(&mut self, tab: Tab) -> Vec<Effect> {
        self.on_detail(|d, sh| d.select_tab(sh, tab))
    }

    fn detail_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        match self.detail.as_mut() {
            Some(d) => d.key(&mut self.sh, cmd),
            None => self.go(Screen::Secrets),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coffer_core::Operation;
    use zeroize::Zeroizing;

    fn app() -> App {
        let mut a = App::new("v.db".into(), None, false, 300_000, Theme { color: false });
        a.sh.session = Some(Session {
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
        a.sh.copied = Some(Copied {
            what: "x".into(),
            clear_at_ms: 999_999,
        });
        let fx = a.update(Action::Tick {
            now_ms: 1_000 + 299_999,
        });
        assert!(fx.is_empty());
        assert!(a.sh.session.is_some());
        let fx = a.update(Action::Tick {
            now_ms: 1_000 + 300_000,
        });
        assert!(a.sh.session.is_none());
        assert!(a.sh.copied.is_none());
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
        assert!(a.sh.session.is_some());
    }

    #[test]
    fn the_clipboard_clears_after_thirty_seconds() {
        let mut a = app();
        let fx = a.sh.copy(Zeroizing::new("v".into()), "the value".into());
        assert!(matches!(fx[0], Effect::Copy { .. }));
        assert!(a.update(Action::Tick { now_ms: 30_999 }).is_empty());
        let fx = a.update(Action::Tick { now_ms: 31_000 });
        assert!(matches!(fx[..], [Effect::ClearClipboard]));
        assert!(a.sh.copied.is_none());
    }

    #[test]
    fn read_only_refuses_writes_before_sending() {
        let mut a = app();
        a.sh.read_only = true;
        let fx = a.sh.send(Request::Restore { arn: "a".into() });
        assert!(fx.is_empty());
        assert!(a.sh.status.as_ref().unwrap().error);
        assert!(a.sh.status.as_ref().unwrap().text.contains("RestoreSecret"));
        let fx = a.sh.send(Request::Verify);
        assert_eq!(fx.len(), 1);
    }

    #[test]
    fn lock_key_locks_and_quit_quits() {
        let mut a = app();
        let fx = a.update(Action::Key(Cmd::Lock));
        assert!(a.sh.session.is_none());
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::Send(Request::Inspect)))
        );
        let mut a = app();
        let fx = a.update(Action::Key(Cmd::Quit));
        assert!(a.sh.quit);
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
        assert_eq!(a.sh.screen, Screen::Audit);
        assert!(matches!(fx[..], [Effect::Send(Request::Audit { .. })]));
        let fx = a.update(Action::Key(Cmd::GoDeletions));
        assert_eq!(a.sh.screen, Screen::Deletions);
        assert!(matches!(fx[..], [Effect::Send(Request::Deletions { .. })]));
        let fx = a.update(Action::Key(Cmd::GoPrincipals));
        assert_eq!(a.sh.screen, Screen::Principals);
        assert!(matches!(fx[..], [Effect::Send(Request::Principals { .. })]));
    }

    #[test]
    fn the_background_runner_starts_on_unlock_keeps_its_own_time_and_never_runs_read_only() {
        let mut a = app();
        assert!(a.update(Action::Tick { now_ms: 50_000 }).is_empty(), "off");
        a.sh.background_on = true;
        assert!(
            a.update(Action::Tick { now_ms: 60_000 }).is_empty(),
            "ticks never run it: the core's runner keeps its own time"
        );
        a.sh.send(Request::RunDue);
        assert!(a.sh.busy.is_none(), "no spinner for the background run");
        a.update(Action::Key(Cmd::Lock));
        assert!(!a.sh.background_on, "locking stops it");
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
        assert!(!ro.sh.background_on, "a read-only console does not rotate");
    }

    #[test]
    fn rotate_now_and_approve_run_the_scheduler_once_they_are_done() {
        let mut a = app();
        a.sh.background_on = true;
        a.sh.send(Request::Approve { arn: "a".into() });
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
        a.sh.send(Request::RotateNow {
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
        let s = a.sh.status.unwrap();
        assert!(s.error);
        assert!(s.text.contains("InvalidRequestException"));
    }
}
