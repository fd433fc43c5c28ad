//! What every screen shares, and nothing a screen owns: who has the vault open, the clock,
//! the status line, the open dialog, the sequence numbers that match answers to questions,
//! and the one way out to the worker (`send`). Screens take it as `&mut Shell` beside their
//! own state; they ask the `App` to move between screens through `nav` (the component
//! pattern of ratatui's component template: a component returns what it wants done and the
//! app routes it), so no screen knows the `App` or another screen's state.

use ratatui::layout::Rect;
use zeroize::Zeroizing;

use super::action::{Effect, Request};
use super::layout;
use super::popups::Popup;
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

/// A secret's detail tabs. They are named here because other screens open a secret on one
/// (`Nav::Tab`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Value,
    Versions,
    Rotation,
    Replicas,
    Tags,
    Policy,
    Access,
    Activity,
}

pub const TABS: [Tab; 9] = [
    Tab::Overview,
    Tab::Value,
    Tab::Versions,
    Tab::Rotation,
    Tab::Replicas,
    Tab::Tags,
    Tab::Policy,
    Tab::Access,
    Tab::Activity,
];

impl Tab {
    pub fn title(self) -> &'static str {
        match self {
            Self::Overview => "Overview",
            Self::Value => "Value",
            Self::Versions => "Versions",
            Self::Rotation => "Rotation",
            Self::Replicas => "Replicas",
            Self::Tags => "Tags",
            Self::Policy => "Policy",
            Self::Access => "Access",
            Self::Activity => "Activity",
        }
    }
}

/// What a screen asks the `App` to do beyond its own state: another screen's move. The
/// `App` carries these out, in order, after the screen's handler returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nav {
    /// Go to a top-level screen and load it.
    Go(Screen),
    /// Open a secret's detail.
    OpenDetail { arn: String, name: String },
    /// Close the open secret and go back to the list.
    CloseDetail,
    /// Show a tab of the open secret.
    Tab(Tab),
    /// Then press this key where the moves before it left the operator.
    Key(super::action::Cmd),
    /// Open the Audit screen filtered to one secret.
    AuditFor(String),
    /// Open the Principals screen on one principal.
    Principal {
        kind: super::action::PrincipalKind,
        name: String,
    },
    /// Lock, saying why.
    Lock(String),
}

pub struct Shell {
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
    pub screen: Screen,
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
    /// Moves between screens asked for by the handler running now.
    pub nav: Vec<Nav>,
}

impl Shell {
    pub fn new(vault_path: String, read_only: bool, idle_lock_ms: i64, theme: Theme) -> Self {
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
            screen: Screen::Secrets,
            background_on: false,
            background: None,
            rotate_after: false,
            popup: None,
            status: None,
            busy: None,
            copied: None,
            seq: 0,
            quit: false,
            nav: vec![],
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

    /// Asks the `App` for a move to another screen; no effects of its own.
    pub fn go(&mut self, nav: Nav) -> Vec<Effect> {
        self.nav.push(nav);
        vec![]
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
