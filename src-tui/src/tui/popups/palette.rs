//! The command palette (`:`): every operation by name, with completion.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use coffer_core::acts::Act;

use crate::tui::layout;
use crate::tui::theme::Theme;

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
pub fn commands() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
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

impl Palette {
    pub fn render(&self, t: Theme, sugg: &[(String, String)], area: Rect, buf: &mut Buffer) {
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
