//! The one keymap: key → intent → help text. The key-hint bar and the help screen are both
//! generated from this table, so they cannot disagree with what the keys do.
//!
//! **Why this file is long:** it is one table of every key of every screen (it generates the
//! hint bar and the help screen), with its tests.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Cmd};

/// Where the operator is, for choosing which bindings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// Keys that work on every screen that is not a dialog.
    Global,
    Unlock,
    Secrets,
    Overview,
    Value,
    Versions,
    Rotation,
    Replicas,
    Tags,
    Policy,
    Access,
    Activity,
    Deletions,
    Audit,
    Principals,
    Approvals,
    Health,
    Confirm,
    Input,
    Palette,
    MoveLabel,
    Diff,
    AuditFilters,
    PolicyEditor,
    IamPolicyEditor,
    NewAccessKey,
    Schedule,
    Help,
}

impl Ctx {
    /// Whether typed characters are text (a dialog or a field has the keyboard).
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Self::Unlock
                | Self::Input
                | Self::Palette
                | Self::MoveLabel
                | Self::AuditFilters
                | Self::PolicyEditor
                | Self::IamPolicyEditor
                | Self::Schedule
        )
    }

    /// Whether the global bindings apply underneath.
    pub fn has_globals(self) -> bool {
        matches!(
            self,
            Self::Secrets
                | Self::Overview
                | Self::Value
                | Self::Versions
                | Self::Rotation
                | Self::Replicas
                | Self::Tags
                | Self::Policy
                | Self::Access
                | Self::Activity
                | Self::Deletions
                | Self::Audit
                | Self::Principals
                | Self::Approvals
                | Self::Health
        )
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Everywhere",
            Self::Unlock => "Unlock",
            Self::Secrets => "Secrets",
            Self::Overview => "Secret · Overview",
            Self::Value => "Secret · Value",
            Self::Versions => "Secret · Versions",
            Self::Rotation => "Secret · Rotation",
            Self::Replicas => "Secret · Replicas",
            Self::Tags => "Secret · Tags",
            Self::Policy => "Secret · Policy",
            Self::Access => "Secret · Access",
            Self::Activity => "Secret · Activity",
            Self::Deletions => "Deletion schedule",
            Self::Audit => "Audit log",
            Self::Principals => "Principals",
            Self::Approvals => "Approvals",
            Self::Health => "Health",
            Self::Confirm => "Confirm",
            Self::Input => "Input",
            Self::Palette => "Command palette",
            Self::MoveLabel => "Move label",
            Self::Diff => "Diff",
            Self::AuditFilters => "Audit filters",
            Self::PolicyEditor => "Resource policy editor",
            Self::IamPolicyEditor => "Identity or trust policy editor",
            Self::NewAccessKey => "New access key",
            Self::Schedule => "Rotation schedule",
            Self::Help => "Help",
        }
    }
}

/// One binding: the keys, what they mean, and what the help says.
#[derive(Debug)]
pub struct Binding {
    pub ctx: Ctx,
    pub keys: &'static [Key],
    pub cmd: Cmd,
    pub help: &'static str,
    /// The key-hint bar's short text, for the bindings it shows.
    pub hint: Option<&'static str>,
}

/// A key as written in the keymap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
}

impl Key {
    pub fn label(self) -> String {
        match self {
            Self::Char(' ') => "Space".into(),
            Self::Char(c) => c.to_string(),
            Self::Ctrl(c) => format!("^{}", c.to_ascii_uppercase()),
            Self::Up => "↑".into(),
            Self::Down => "↓".into(),
            Self::Left => "←".into(),
            Self::Right => "→".into(),
            Self::PageUp => "PgUp".into(),
            Self::PageDown => "PgDn".into(),
            Self::Home => "Home".into(),
            Self::End => "End".into(),
            Self::Enter => "Enter".into(),
            Self::Esc => "Esc".into(),
            Self::Tab => "Tab".into(),
            Self::BackTab => "S-Tab".into(),
            Self::Backspace => "Bksp".into(),
            Self::Delete => "Del".into(),
        }
    }

    fn of(ev: &KeyEvent) -> Option<Self> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        Some(match ev.code {
            KeyCode::Char(c) if ctrl => Self::Ctrl(c.to_ascii_lowercase()),
            KeyCode::Char(c) => Self::Char(c),
            KeyCode::Up => Self::Up,
            KeyCode::Down => Self::Down,
            KeyCode::Left => Self::Left,
            KeyCode::Right => Self::Right,
            KeyCode::PageUp => Self::PageUp,
            KeyCode::PageDown => Self::PageDown,
            KeyCode::Home => Self::Home,
            KeyCode::End => Self::End,
            KeyCode::Enter => Self::Enter,
            KeyCode::Esc => Self::Esc,
            KeyCode::Tab => Self::Tab,
            KeyCode::BackTab => Self::BackTab,
            KeyCode::Backspace => Self::Backspace,
            KeyCode::Delete => Self::Delete,
            _ => return None,
        })
    }
}

use Key as K;

const UP: &[Key] = &[K::Up, K::Char('k')];
const DOWN: &[Key] = &[K::Down, K::Char('j')];
const PGUP: &[Key] = &[K::PageUp, K::Ctrl('b')];
const PGDN: &[Key] = &[K::PageDown, K::Ctrl('f')];
const TOP: &[Key] = &[K::Home, K::Char('g')];
const BOTTOM: &[Key] = &[K::End, K::Char('G')];

macro_rules! b {
    ($ctx:ident, $keys:expr, $cmd:ident, $help:expr) => {
        Binding {
            ctx: Ctx::$ctx,
            keys: $keys,
            cmd: Cmd::$cmd,
            help: $help,
            hint: None,
        }
    };
    ($ctx:ident, $keys:expr, $cmd:ident, $help:expr, $hint:expr) => {
        Binding {
            ctx: Ctx::$ctx,
            keys: $keys,
            cmd: Cmd::$cmd,
            help: $help,
            hint: Some($hint),
        }
    };
}

/// Every binding of the console.
pub static KEYMAP: &[Binding] = &[
    // Everywhere (outside dialogs).
    b!(Global, UP, Up, "up"),
    b!(Global, DOWN, Down, "down"),
    b!(Global, PGUP, PageUp, "page up"),
    b!(Global, PGDN, PageDown, "page down"),
    b!(Global, TOP, Top, "first"),
    b!(Global, BOTTOM, Bottom, "last"),
    b!(
        Global,
        &[K::Char('?')],
        Help,
        "help: every key of this screen",
        "help"
    ),
    b!(
        Global,
        &[K::Char(':')],
        Palette,
        "command palette",
        "commands"
    ),
    b!(Global, &[K::Char('1')], GoSecrets, "secrets screen"),
    b!(Global, &[K::Char('2')], GoDeletions, "deletion schedule"),
    b!(Global, &[K::Char('3')], GoAudit, "audit log"),
    b!(
        Global,
        &[K::Char('4')],
        GoPrincipals,
        "principals: operators, users, roles, groups, policies"
    ),
    b!(
        Global,
        &[K::Char('5')],
        GoApprovals,
        "approvals: rotations waiting for an operator"
    ),
    b!(
        Global,
        &[K::Char('6')],
        GoHealth,
        "health: what to fix today, worst first"
    ),
    b!(
        Global,
        &[K::Char('L'), K::Ctrl('l')],
        Lock,
        "lock the vault now"
    ),
    b!(Global, &[K::Char('q'), K::Ctrl('c')], Quit, "quit", "quit"),
    // Unlock.
    b!(Unlock, &[K::Enter], Submit, "unlock", "unlock"),
    b!(
        Unlock,
        &[K::Up, K::Down, K::Tab],
        Toggle,
        "choose the operator",
        "operator"
    ),
    b!(Unlock, &[K::Backspace], Backspace, "erase"),
    b!(Unlock, &[K::Esc, K::Ctrl('c')], Quit, "quit", "quit"),
    // Secrets list.
    b!(
        Secrets,
        &[K::Enter, K::Char('l')],
        Open,
        "open the secret (or fold a group)",
        "open"
    ),
    b!(
        Secrets,
        &[K::Char('/')],
        Filter,
        "filter: words in name, description, tags; !word excludes",
        "filter"
    ),
    b!(Secrets, &[K::Esc], Back, "clear the filter"),
    b!(
        Secrets,
        &[K::Char('s')],
        Sort,
        "sort by the next column",
        "sort"
    ),
    b!(Secrets, &[K::Char('S')], ReverseSort, "reverse the sort"),
    b!(
        Secrets,
        &[K::Char('D')],
        ToggleDeleted,
        "show secrets scheduled for deletion",
        "deleted"
    ),
    b!(
        Secrets,
        &[K::Char('p')],
        Group,
        "group by name prefix",
        "group"
    ),
    b!(Secrets, &[K::Char(' ')], Fold, "fold or unfold the group"),
    b!(Secrets, &[K::Char('n')], Create, "create a secret"),
    b!(
        Secrets,
        &[K::Char('x'), K::Delete],
        ScheduleDeletion,
        "schedule the secret's deletion"
    ),
    b!(
        Secrets,
        &[K::Char('u')],
        Restore,
        "restore a secret scheduled for deletion"
    ),
    // Secret detail, every tab.
    b!(Overview, &[K::Tab], NextTab, "next tab", "tabs"),
    b!(Overview, &[K::BackTab], PrevTab, "previous tab"),
    b!(
        Overview,
        &[K::Esc, K::Char('h')],
        Back,
        "back to the list",
        "back"
    ),
    b!(Overview, &[K::Char('e')], Describe, "edit the description"),
    b!(
        Overview,
        &[K::Char('T')],
        SetType,
        "set the Type (a managed external secret's partner)"
    ),
    b!(
        Overview,
        &[K::Char('P')],
        PutValue,
        "put a new value (becomes AWSCURRENT)"
    ),
    b!(
        Overview,
        &[K::Char('N')],
        PutGenerated,
        "put a generated value (GetRandomPassword; becomes AWSCURRENT)"
    ),
    b!(
        Overview,
        &[K::Char('x'), K::Delete],
        ScheduleDeletion,
        "schedule the deletion"
    ),
    b!(
        Overview,
        &[K::Char('u')],
        Restore,
        "restore (cancel the deletion)"
    ),
    b!(Value, &[K::Tab], NextTab, "next tab"),
    b!(Value, &[K::BackTab], PrevTab, "previous tab"),
    b!(Value, &[K::Esc, K::Char('h')], Back, "back to the list"),
    b!(
        Value,
        &[K::Char('r')],
        Reveal,
        "reveal or hide the value (a reveal is audited)",
        "reveal/hide"
    ),
    b!(
        Value,
        &[K::Char('c')],
        CopyKey,
        "copy the selected key's value",
        "copy key"
    ),
    b!(
        Value,
        &[K::Char('C')],
        CopyAll,
        "copy the whole value",
        "copy all"
    ),
    b!(
        Value,
        &[K::Char('P')],
        PutValue,
        "put a new value (becomes AWSCURRENT)"
    ),
    b!(Versions, &[K::Tab], NextTab, "next tab"),
    b!(Versions, &[K::BackTab], PrevTab, "previous tab"),
    b!(Versions, &[K::Esc, K::Char('h')], Back, "back to the list"),
    b!(
        Versions,
        &[K::Char('r'), K::Enter],
        Reveal,
        "reveal this version's value (audited)"
    ),
    b!(
        Versions,
        &[K::Char('m')],
        MoveLabel,
        "move a label to this version",
        "move label"
    ),
    b!(
        Versions,
        &[K::Char('b')],
        RollBack,
        "roll back: make this version AWSCURRENT",
        "roll back"
    ),
    b!(Versions, &[K::Char(' ')], Mark, "mark for a diff", "mark"),
    b!(
        Versions,
        &[K::Char('=')],
        Diff,
        "diff the marked version with this one",
        "diff"
    ),
    b!(
        Versions,
        &[K::Char('d')],
        Deprecated,
        "show or hide deprecated versions"
    ),
    b!(Replicas, &[K::Tab], NextTab, "next tab"),
    b!(Replicas, &[K::BackTab], PrevTab, "previous tab"),
    b!(
        Replicas,
        &[K::Esc, K::Char('h')],
        Back,
        "back to the list",
        "back"
    ),
    b!(
        Replicas,
        &[K::Char('a')],
        AddReplica,
        "replicate to a replica region (optionally with a KMS key there)",
        "add region"
    ),
    b!(
        Replicas,
        &[K::Char('x'), K::Delete],
        RemoveReplica,
        "remove the selected replica (deletes it in its region; confirmed)",
        "remove"
    ),
    b!(
        Replicas,
        &[K::Char('P')],
        PromoteReplica,
        "promote: the selected replica (or this one, on a replica) becomes standalone",
        "promote"
    ),
    b!(
        Replicas,
        &[K::Char('s')],
        SyncReplicas,
        "retry replication that could not reach a replica now",
        "sync"
    ),
    b!(
        Replicas,
        &[K::Char('c')],
        AssociateCrossAccount,
        "associate a cross-account replica (another account made it naming this secret)",
        "cross-account"
    ),
    b!(
        Replicas,
        &[K::Char('u')],
        DisassociateCrossAccount,
        "disassociate the cross-account replica (it stays there, Detached; confirmed)",
        "disassociate"
    ),
    b!(Rotation, &[K::Tab], NextTab, "next tab"),
    b!(Rotation, &[K::BackTab], PrevTab, "previous tab"),
    b!(
        Rotation,
        &[K::Esc, K::Char('h')],
        Back,
        "back to the list",
        "back"
    ),
    b!(
        Rotation,
        &[K::Char('R')],
        RotateNow,
        "rotate now (confirmed; asks for a function if there is none)",
        "rotate now"
    ),
    b!(
        Rotation,
        &[K::Char('e')],
        EditSchedule,
        "edit the schedule: days, rate() or cron(), window",
        "schedule"
    ),
    b!(
        Rotation,
        &[K::Char('X')],
        CancelRotation,
        "cancel rotation: schedule off, an unfinished attempt abandoned",
        "cancel"
    ),
    b!(
        Rotation,
        &[K::Char('t')],
        RetryRotation,
        "try a failed rotation again now",
        "retry"
    ),
    b!(
        Rotation,
        &[K::Char('a')],
        ToggleApproval,
        "require approval for this secret's rotations on/off",
        "approval"
    ),
    b!(
        Rotation,
        &[K::Char('w')],
        ToggleTwoPerson,
        "two-person rule on/off (the requester may not approve)",
        "two-person"
    ),
    b!(
        Rotation,
        PGDN,
        PageDown,
        "scroll the selected attempt's steps down"
    ),
    b!(
        Rotation,
        PGUP,
        PageUp,
        "scroll the selected attempt's steps up"
    ),
    b!(Tags, &[K::Tab], NextTab, "next tab"),
    b!(Tags, &[K::BackTab], PrevTab, "previous tab"),
    b!(Tags, &[K::Esc, K::Char('h')], Back, "back to the list"),
    b!(Tags, &[K::Char('a')], AddTag, "add a tag", "add"),
    b!(
        Tags,
        &[K::Char('e'), K::Enter],
        EditTag,
        "edit the tag's value",
        "edit"
    ),
    b!(
        Tags,
        &[K::Char('x'), K::Delete],
        RemoveTag,
        "remove the tag",
        "remove"
    ),
    b!(Policy, &[K::Tab], NextTab, "next tab"),
    b!(Policy, &[K::BackTab], PrevTab, "previous tab"),
    b!(
        Policy,
        &[K::Esc, K::Char('h')],
        Back,
        "back to the list",
        "back"
    ),
    b!(
        Policy,
        &[K::Char('e'), K::Enter],
        EditPolicy,
        "edit the resource policy (or write one)",
        "edit"
    ),
    b!(
        Policy,
        &[K::Char('d'), K::Delete],
        DeletePolicy,
        "delete the resource policy",
        "delete"
    ),
    b!(
        Policy,
        &[K::Char('r')],
        Reload,
        "reload the policy and its findings (audited)",
        "reload"
    ),
    b!(Access, &[K::Tab], NextTab, "next tab"),
    b!(Access, &[K::BackTab], PrevTab, "previous tab"),
    b!(
        Access,
        &[K::Esc, K::Char('h')],
        Back,
        "back to the list",
        "back"
    ),
    b!(
        Access,
        &[K::Left],
        Left,
        "move among the principals (↑/↓)",
        "principals"
    ),
    b!(
        Access,
        &[K::Right, K::Enter],
        Right,
        "move among the principal's actions (↑/↓)",
        "actions"
    ),
    b!(
        Access,
        &[K::Char('r')],
        Reload,
        "reload the effective access (audited as GetEffectiveAccess)",
        "reload"
    ),
    b!(Activity, &[K::Tab], NextTab, "next tab"),
    b!(Activity, &[K::BackTab], PrevTab, "previous tab"),
    b!(
        Activity,
        &[K::Esc, K::Char('h')],
        Back,
        "back to the list",
        "back"
    ),
    // Deletion schedule.
    b!(
        Deletions,
        &[K::Char('u')],
        Restore,
        "restore the secret",
        "restore"
    ),
    b!(
        Deletions,
        &[K::Char('X')],
        DeleteNow,
        "delete now, without recovery (type the name)",
        "delete now"
    ),
    b!(Deletions, &[K::Enter], Open, "open the secret"),
    b!(Deletions, &[K::Esc], Back, "back to the secrets"),
    // Audit log.
    b!(
        Audit,
        &[K::Char('f')],
        AuditFilters,
        "filters: secret, principal, event, front end, time",
        "filters"
    ),
    b!(
        Audit,
        &[K::Char('e')],
        ErrorsOnly,
        "only denied or failed requests",
        "errors"
    ),
    b!(
        Audit,
        &[K::Char('F')],
        Follow,
        "follow new events",
        "follow"
    ),
    b!(
        Audit,
        &[K::Char('v')],
        Verify,
        "verify the audit chain",
        "verify chain"
    ),
    b!(
        Audit,
        &[K::Tab],
        SwitchPane,
        "switch between the list and the event"
    ),
    b!(Audit, &[K::Esc], Back, "back to the secrets"),
    // Principals.
    b!(
        Principals,
        &[K::Char('n')],
        Create,
        "new principal of the kind under the cursor",
        "new"
    ),
    b!(
        Principals,
        &[K::Char('K')],
        NewKey,
        "create an access key (its secret is shown once)",
        "new key"
    ),
    b!(
        Principals,
        &[K::Tab],
        SwitchPane,
        "move between the list and the access keys",
        "keys"
    ),
    b!(
        Principals,
        &[K::Char('t')],
        ToggleKey,
        "deactivate or activate the access key",
        "on/off"
    ),
    b!(
        Principals,
        &[K::Char('x'), K::Delete],
        Remove,
        "delete the principal (an operator: remove and re-key)",
        "delete"
    ),
    b!(
        Principals,
        &[K::Char('e')],
        EditPolicy,
        "put an inline policy (in the editor)",
        "inline"
    ),
    b!(
        Principals,
        &[K::Char('a')],
        Attach,
        "attach a managed policy",
        "attach"
    ),
    b!(
        Principals,
        &[K::Char('m')],
        Join,
        "add the user to a group",
        "group"
    ),
    b!(
        Principals,
        &[K::Char('r')],
        Reload,
        "reload the principals (audited)",
        "reload"
    ),
    b!(
        Principals,
        &[K::Char('d')],
        DeletePolicy,
        "delete an inline policy"
    ),
    b!(
        Principals,
        &[K::Char('A')],
        Detach,
        "detach a managed policy"
    ),
    b!(
        Principals,
        &[K::Char('M')],
        Leave,
        "remove the user from a group"
    ),
    b!(
        Principals,
        &[K::Char('X')],
        DeleteKey,
        "delete the access key"
    ),
    b!(
        Principals,
        &[K::Char('P')],
        ChangePassphrase,
        "change your own passphrase (re-keys the vault)"
    ),
    b!(
        Principals,
        &[K::Esc],
        Back,
        "back (from the keys, then to the secrets)"
    ),
    // Approvals.
    b!(
        Approvals,
        &[K::Char('a')],
        Approve,
        "approve the rotation (confirmed; it starts at once)",
        "approve"
    ),
    b!(
        Approvals,
        &[K::Char('x')],
        Reject,
        "reject the rotation, with a reason",
        "reject"
    ),
    b!(
        Approvals,
        &[K::Enter],
        Open,
        "open the secret's Rotation tab",
        "open"
    ),
    b!(Approvals, &[K::Esc], Back, "back to the secrets"),
    // Health.
    b!(
        Health,
        &[K::Enter],
        Open,
        "open the secret or principal the finding is about",
        "open"
    ),
    b!(
        Health,
        &[K::Char('f')],
        Fix,
        "fix: the finding's fix, confirmed first",
        "fix"
    ),
    b!(
        Health,
        &[K::Char('r')],
        Reload,
        "check the vault again",
        "re-check"
    ),
    b!(Health, &[K::Esc], Back, "back to the secrets"),
    // Dialogs.
    b!(Confirm, &[K::Char('y')], Yes, "yes, do it", "yes"),
    b!(
        Confirm,
        &[K::Char('n'), K::Esc],
        No,
        "no (the default)",
        "no"
    ),
    b!(
        Confirm,
        &[K::Enter],
        Submit,
        "answer the highlighted choice"
    ),
    b!(
        Confirm,
        &[K::Tab, K::Char('h'), K::Char('l')],
        Toggle,
        "switch Yes/No"
    ),
    b!(Input, &[K::Enter], Submit, "accept", "accept"),
    b!(Input, &[K::Esc], Cancel, "cancel", "cancel"),
    b!(Input, &[K::Backspace], Backspace, "erase"),
    b!(Input, &[K::Ctrl('r')], Toggle, "show or mask what is typed"),
    b!(Palette, &[K::Enter], Submit, "run", "run"),
    b!(Palette, &[K::Tab], Complete, "complete", "complete"),
    b!(Palette, &[K::Up], Up, "previous suggestion"),
    b!(Palette, &[K::Down], Down, "next suggestion"),
    b!(Palette, &[K::Esc], Cancel, "close", "close"),
    b!(Palette, &[K::Backspace], Backspace, "erase"),
    b!(
        MoveLabel,
        &[K::Up],
        Up,
        "previous existing label",
        "previous label"
    ),
    b!(
        MoveLabel,
        &[K::Down],
        Down,
        "next existing label",
        "next label"
    ),
    b!(
        MoveLabel,
        &[K::Enter],
        Submit,
        "review and confirm",
        "review"
    ),
    b!(MoveLabel, &[K::Esc], Cancel, "cancel", "cancel"),
    b!(MoveLabel, &[K::Backspace], Backspace, "erase"),
    b!(
        Diff,
        &[K::Char('r')],
        Reveal,
        "show or mask the values",
        "show/mask"
    ),
    b!(Diff, UP, Up, "up"),
    b!(Diff, DOWN, Down, "down"),
    b!(Diff, &[K::Esc, K::Char('q')], Cancel, "close", "close"),
    b!(
        AuditFilters,
        &[K::Tab, K::Down],
        Down,
        "next field",
        "next field"
    ),
    b!(AuditFilters, &[K::BackTab, K::Up], Up, "previous field"),
    b!(
        AuditFilters,
        &[K::Ctrl('e')],
        Toggle,
        "errors only on/off",
        "errors only"
    ),
    b!(AuditFilters, &[K::Enter], Submit, "apply", "apply"),
    b!(AuditFilters, &[K::Esc], Cancel, "cancel", "cancel"),
    b!(AuditFilters, &[K::Backspace], Backspace, "erase"),
    b!(
        PolicyEditor,
        &[K::Ctrl('s')],
        Submit,
        "put the policy (PutResourcePolicy)",
        "put"
    ),
    b!(PolicyEditor, &[K::Esc], Cancel, "cancel", "cancel"),
    b!(
        PolicyEditor,
        &[K::Ctrl('b')],
        Toggle,
        "block a public policy on/off (BlockPublicPolicy)",
        "block public"
    ),
    b!(PolicyEditor, &[K::Ctrl('u')], Clear, "erase all the text"),
    b!(PolicyEditor, &[K::Enter], Newline, "new line"),
    b!(PolicyEditor, &[K::Backspace], Backspace, "erase"),
    b!(PolicyEditor, &[K::Up], Up, "cursor up"),
    b!(PolicyEditor, &[K::Down], Down, "cursor down"),
    b!(PolicyEditor, &[K::Left], Left, "cursor left"),
    b!(PolicyEditor, &[K::Right], Right, "cursor right"),
    b!(
        IamPolicyEditor,
        &[K::Ctrl('s')],
        Submit,
        "send: put the inline policy, or create the role or policy",
        "send"
    ),
    b!(IamPolicyEditor, &[K::Esc], Cancel, "cancel", "cancel"),
    b!(
        IamPolicyEditor,
        &[K::Ctrl('u')],
        Clear,
        "erase all the text"
    ),
    b!(IamPolicyEditor, &[K::Enter], Newline, "new line"),
    b!(IamPolicyEditor, &[K::Backspace], Backspace, "erase"),
    b!(IamPolicyEditor, &[K::Up], Up, "cursor up"),
    b!(IamPolicyEditor, &[K::Down], Down, "cursor down"),
    b!(IamPolicyEditor, &[K::Left], Left, "cursor left"),
    b!(IamPolicyEditor, &[K::Right], Right, "cursor right"),
    b!(
        NewAccessKey,
        &[K::Char('c')],
        CopyKey,
        "copy the secret access key (cleared after 30 s)",
        "copy"
    ),
    b!(
        NewAccessKey,
        &[K::Esc, K::Enter],
        Cancel,
        "close and forget the secret",
        "close"
    ),
    b!(
        Schedule,
        &[K::Tab, K::Down],
        Down,
        "next field",
        "next field"
    ),
    b!(Schedule, &[K::BackTab, K::Up], Up, "previous field"),
    b!(
        Schedule,
        &[K::Enter],
        Submit,
        "save the schedule (RotateSecret, not rotating now)",
        "save"
    ),
    b!(Schedule, &[K::Esc], Cancel, "cancel", "cancel"),
    b!(Schedule, &[K::Backspace], Backspace, "erase"),
    b!(
        Help,
        &[K::Esc, K::Char('?'), K::Char('q')],
        Cancel,
        "close",
        "close"
    ),
    b!(Help, UP, Up, "scroll up"),
    b!(Help, DOWN, Down, "scroll down"),
];

fn matching(ctx: Ctx, key: Key) -> Option<Cmd> {
    KEYMAP
        .iter()
        .find(|b| b.ctx == ctx && b.keys.contains(&key))
        .map(|b| b.cmd)
}

/// What a key press means where the operator is.
pub fn action_for(ctx: Ctx, ev: &KeyEvent) -> Option<Action> {
    let key = Key::of(ev)?;
    if let Some(cmd) = matching(ctx, key) {
        return Some(Action::Key(cmd));
    }
    if ctx.takes_text()
        && let Key::Char(c) = key
    {
        return Some(Action::Char(c));
    }
    if ctx.has_globals() {
        return matching(Ctx::Global, key).map(Action::Key);
    }
    None
}

/// The bindings the help screen lists for a context (its own, then the global ones).
pub fn help_for(ctx: Ctx) -> Vec<&'static Binding> {
    let mut out: Vec<&Binding> = KEYMAP.iter().filter(|b| b.ctx == ctx).collect();
    if ctx.has_globals() {
        out.extend(KEYMAP.iter().filter(|b| b.ctx == Ctx::Global));
    }
    out
}

/// The key-hint bar's entries for a context: (key, hint, whether it is a global binding).
pub fn hints_for(ctx: Ctx) -> Vec<(String, &'static str, bool)> {
    help_for(ctx)
        .into_iter()
        .filter_map(|b| Some((b.keys[0].label(), b.hint?, b.ctx == Ctx::Global)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for a in KEYMAP {
            for b in KEYMAP {
                if std::ptr::eq(a, b) || a.ctx != b.ctx {
                    continue;
                }
                for k in a.keys {
                    assert!(!b.keys.contains(k), "{k:?} bound twice in {:?}", a.ctx);
                }
            }
        }
    }

    #[test]
    fn every_hint_is_a_binding_that_works() {
        for ctx in [
            Ctx::Secrets,
            Ctx::Versions,
            Ctx::Audit,
            Ctx::Deletions,
            Ctx::Value,
            Ctx::Policy,
            Ctx::Access,
            Ctx::Principals,
            Ctx::NewAccessKey,
            Ctx::Rotation,
            Ctx::Replicas,
            Ctx::Approvals,
            Ctx::Health,
        ] {
            for b in help_for(ctx).into_iter().filter(|b| b.hint.is_some()) {
                let Key::Char(c) = b.keys[0] else { continue };
                let got = action_for(ctx, &key(KeyCode::Char(c)));
                assert!(
                    matches!(got, Some(Action::Key(cmd)) if cmd == b.cmd),
                    "{c} in {ctx:?}"
                );
            }
        }
    }

    #[test]
    fn dialogs_take_text_and_lists_take_commands() {
        assert!(matches!(
            action_for(Ctx::Input, &key(KeyCode::Char('q'))),
            Some(Action::Char('q'))
        ));
        assert!(matches!(
            action_for(Ctx::Secrets, &key(KeyCode::Char('q'))),
            Some(Action::Key(Cmd::Quit))
        ));
        assert!(matches!(
            action_for(Ctx::Versions, &key(KeyCode::Char('j'))),
            Some(Action::Key(Cmd::Down))
        ));
        assert!(action_for(Ctx::Confirm, &key(KeyCode::Char('q'))).is_none());
    }

    #[test]
    fn hints_are_short() {
        let hints = hints_for(Ctx::Secrets);
        assert!(hints.iter().any(|(k, h, _)| k == "/" && *h == "filter"));
        assert!(hints.iter().any(|(k, _, global)| k == "q" && *global));
    }
}
