//! The Principals screen: operators, users, roles, groups and managed policies, grouped by
//! kind, with a detail pane (policies, access keys). Its lists are audited requests, so they
//! load when the screen opens, on `r` and after the operator's own acts — never on a live
//! refresh (two consoles would keep re-triggering each other through their audit commits).
//!
//! **Why this file is long:** about a third of it is its tests; the screen drives five kinds of
//! principal and their policies and keys, which share one list and detail pane.

use coffer_core::Passphrase;
use coffer_core::SecretText;
use coffer_core::vault::iam::{ADMINISTRATOR_ACCESS, EntityKind, SECRETS_MANAGER_READ_WRITE};

use crate::tui::action::{Cmd, Effect, Principal, PrincipalDetails, PrincipalKind, Request};
use crate::tui::app::{App, Screen};
use crate::tui::popups::{Confirm, EditorFor, Input, InputFor, NewAccessKey, PolicyEditor, Popup};

/// The kinds in the order the list shows them, with their section titles.
pub const KINDS: [(PrincipalKind, &str); 5] = [
    (PrincipalKind::Operator, "Operators"),
    (PrincipalKind::User, "Users"),
    (PrincipalKind::Role, "Roles"),
    (PrincipalKind::Group, "Groups"),
    (PrincipalKind::Policy, "Policies"),
];

/// The trust policy a new role starts with: EC2 may assume it (edit before Ctrl-S).
pub const TRUST_TEMPLATE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": { "Service": "ec2.amazonaws.com" },
      "Action": "sts:AssumeRole"
    }
  ]
}"#;

/// The identity policy an inline or managed policy starts with.
pub const POLICY_TEMPLATE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret"
      ],
      "Resource": "*"
    }
  ]
}"#;

/// A line of the list: a section head or a principal (an index into `rows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Head(PrincipalKind),
    Item(usize),
}

#[derive(Debug, Default)]
pub struct PrincipalsState {
    pub rows: Vec<Principal>,
    /// Index into `entries()`.
    pub selected: usize,
    /// Whether ↑/↓ move among the selected principal's access keys.
    pub key_focus: bool,
    pub key_sel: usize,
    pub want: u64,
    pub loaded: bool,
    /// A principal being created, to select once the list has it.
    pub select_next: Option<(PrincipalKind, String)>,
}

impl PrincipalsState {
    /// Section heads and principals, in the order drawn.
    pub fn entries(&self) -> Vec<Entry> {
        let mut out = vec![];
        for (kind, _) in KINDS {
            out.push(Entry::Head(kind));
            out.extend(
                self.rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.kind == kind)
                    .map(|(i, _)| Entry::Item(i)),
            );
        }
        out
    }

    pub fn entry(&self) -> Entry {
        let e = self.entries();
        e[self.selected.min(e.len() - 1)]
    }

    pub fn principal(&self) -> Option<&Principal> {
        match self.entry() {
            Entry::Item(i) => self.rows.get(i),
            Entry::Head(_) => None,
        }
    }

    /// The kind under the cursor (a head's or a principal's).
    pub fn kind(&self) -> PrincipalKind {
        match self.entry() {
            Entry::Head(k) => k,
            Entry::Item(i) => self.rows[i].kind,
        }
    }

    /// Remembers a principal a request creates, to select it when the list comes back.
    pub fn created(&mut self, req: &Request) {
        self.select_next = match req {
            Request::IamCreate { kind, name, .. } => Some((
                match kind {
                    EntityKind::User => PrincipalKind::User,
                    EntityKind::Role => PrincipalKind::Role,
                    EntityKind::Group => PrincipalKind::Group,
                    EntityKind::Policy => PrincipalKind::Policy,
                },
                name.clone(),
            )),
            Request::AddOperator { name, .. } => Some((PrincipalKind::Operator, name.clone())),
            _ => return,
        };
    }

    fn select_named(&mut self, kind: PrincipalKind, name: &str) -> bool {
        let at = self.entries().iter().position(|e| {
            matches!(e, Entry::Item(i) if self.rows[*i].kind == kind && self.rows[*i].name == name)
        });
        if let Some(at) = at {
            self.selected = at;
        }
        at.is_some()
    }
}

/// A question, then the options it picks from, numbered from 1 (answered by number or name).
fn numbered(question: String, options: &[String]) -> Vec<String> {
    std::iter::once(question)
        .chain(
            options
                .iter()
                .enumerate()
                .map(|(i, o)| format!("  {} {o}", i + 1)),
        )
        .collect()
}

/// Reads a choice typed as a list number (1-based) or as the text of an option.
pub fn choice(typed: &str, options: &[String]) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    match typed.parse::<usize>() {
        Ok(n) if (1..=options.len()).contains(&n) => Some(options[n - 1].clone()),
        _ => Some(typed.to_string()),
    }
}

/// A passphrase typed into a dialog, kept until it is typed a second time.
#[derive(Clone, PartialEq, Eq)]
pub struct Typed(pub zeroize::Zeroizing<String>);

impl std::fmt::Debug for Typed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl App {
    /// Reads every principal (audited): on opening, on `r` and after an act.
    pub(crate) fn load_principals(&mut self) -> Vec<Effect> {
        let seq = self.next_seq();
        self.principals.want = seq;
        vec![Effect::Send(Request::Principals { seq })]
    }

    pub(crate) fn principals_loaded(
        &mut self,
        seq: u64,
        principals: coffer_core::Result<Vec<Principal>>,
    ) -> Vec<Effect> {
        if seq != self.principals.want {
            return vec![];
        }
        match principals {
            Ok(rows) => {
                let p = &mut self.principals;
                let keep = p.principal().map(|r| (r.kind, r.name.clone()));
                let head = p.kind();
                p.rows = rows;
                p.loaded = true;
                p.selected = p
                    .entries()
                    .iter()
                    .position(|e| *e == Entry::Head(head))
                    .unwrap_or(0);
                let new = p.select_next.take();
                let found = new.is_some_and(|(kind, name)| p.select_named(kind, &name));
                if !found && let Some((kind, name)) = &keep {
                    p.select_named(*kind, name);
                }
                let now = p.principal().map(|r| (r.kind, r.name.clone()));
                if now != keep {
                    p.key_focus = false;
                    p.key_sel = 0;
                }
                self.load_details()
            }
            Err(error) => {
                self.error(format!(
                    "ListPrincipals failed: {}: {}",
                    error.code.as_str(),
                    error.message
                ));
                vec![]
            }
        }
    }

    /// Reads the selected principal's policies and keys the first time it is selected.
    fn load_details(&mut self) -> Vec<Effect> {
        match self.principals.principal() {
            Some(r) if !r.detailed => vec![Effect::Send(Request::PrincipalDetails {
                kind: r.kind,
                name: r.name.clone(),
            })],
            _ => vec![],
        }
    }

    pub(crate) fn principal_details_loaded(
        &mut self,
        kind: PrincipalKind,
        name: &str,
        details: coffer_core::Result<PrincipalDetails>,
    ) -> Vec<Effect> {
        match details {
            Ok(d) => {
                if let Some(r) = self
                    .principals
                    .rows
                    .iter_mut()
                    .find(|r| r.kind == kind && r.name == name)
                {
                    r.detailed = true;
                    r.inline = d.inline;
                    r.attached = d.attached;
                    r.keys = d.keys;
                }
                let p = &mut self.principals;
                let n = p.principal().map_or(0, |r| r.keys.len());
                p.key_sel = p.key_sel.min(n.saturating_sub(1));
                p.key_focus &= n > 0;
                vec![]
            }
            Err(error) => {
                self.error(format!(
                    "ListPolicies of {name} failed: {}: {}",
                    error.code.as_str(),
                    error.message
                ));
                vec![]
            }
        }
    }

    /// After a click or a key moved the selection.
    pub(crate) fn principal_selected(&mut self, at: usize) -> Vec<Effect> {
        let p = &mut self.principals;
        if at != p.selected {
            p.key_sel = 0;
            p.key_focus = false;
        }
        p.selected = at;
        self.load_details()
    }

    /// A new access key: its secret goes into a dialog, shown once.
    pub(crate) fn access_key_created(
        &mut self,
        user_name: String,
        access_key_id: String,
        secret: SecretText,
    ) -> Vec<Effect> {
        self.busy = None;
        self.info(format!(
            "Created the access key {access_key_id} for {user_name}."
        ));
        self.popup = Some(Popup::NewAccessKey(NewAccessKey {
            user_name,
            access_key_id,
            secret,
        }));
        if self.screen == Screen::Principals {
            self.load_principals()
        } else {
            vec![]
        }
    }

    /// Refuses a write up front on a read-only console (before any dialog asks for more).
    fn read_only_refusal(&mut self, req: Request) -> Option<Vec<Effect>> {
        self.read_only.then(|| self.send(req))
    }

    pub(crate) fn principals_key(&mut self, cmd: Cmd) -> Vec<Effect> {
        let n = self.principals.entries().len();
        let keys = self.principals.principal().map_or(0, |r| r.keys.len());
        let p = &mut self.principals;
        if p.key_focus {
            let moved = match cmd {
                Cmd::Up => Some(p.key_sel.saturating_sub(1)),
                Cmd::Down => Some((p.key_sel + 1).min(keys.saturating_sub(1))),
                Cmd::Top => Some(0),
                Cmd::Bottom => Some(keys.saturating_sub(1)),
                _ => None,
            };
            if let Some(k) = moved {
                p.key_sel = k;
                return vec![];
            }
        }
        let moved = match cmd {
            Cmd::Up => Some(p.selected.saturating_sub(1)),
            Cmd::Down => Some((p.selected + 1).min(n - 1)),
            Cmd::PageUp => Some(p.selected.saturating_sub(10)),
            Cmd::PageDown => Some((p.selected + 10).min(n - 1)),
            Cmd::Top => Some(0),
            Cmd::Bottom => Some(n - 1),
            _ => None,
        };
        if let Some(sel) = moved {
            return self.principal_selected(sel);
        }
        match cmd {
            Cmd::Reload => self.load_principals(),
            Cmd::SwitchPane => {
                if keys > 0 {
                    p.key_focus = !p.key_focus;
                } else {
                    p.key_focus = false;
                    self.info("This principal has no access key (K creates one).");
                }
                vec![]
            }
            Cmd::Back if p.key_focus => {
                p.key_focus = false;
                vec![]
            }
            Cmd::Back => self.go(Screen::Secrets),
            Cmd::Create => self.ask_new_principal(self.principals.kind()),
            Cmd::Remove => self.ask_remove_principal(),
            Cmd::EditPolicy => self.ask_inline_policy_name(),
            Cmd::DeletePolicy => self.ask_delete_inline_policy(),
            Cmd::Attach => self.ask_attach(true),
            Cmd::Detach => self.ask_attach(false),
            Cmd::Join => self.ask_group(true),
            Cmd::Leave => self.ask_group(false),
            Cmd::NewKey => self.create_access_key(),
            Cmd::ToggleKey => self.toggle_access_key(),
            Cmd::DeleteKey => self.ask_delete_access_key(),
            Cmd::ChangePassphrase => self.ask_current_passphrase(),
            _ => vec![],
        }
    }

    /// The selected principal, or an explanation in the status line.
    fn target(&mut self, what: &str, kinds: &[PrincipalKind]) -> Option<(PrincipalKind, String)> {
        let got = self
            .principals
            .principal()
            .filter(|r| kinds.contains(&r.kind))
            .map(|r| (r.kind, r.name.clone()));
        if got.is_none() {
            let names: Vec<&str> = kinds.iter().map(|k| k.word()).collect();
            self.error(format!("{what}: select a {} first.", names.join(" or ")));
        }
        got
    }

    pub(crate) fn ask_new_principal(&mut self, kind: PrincipalKind) -> Vec<Effect> {
        let req = match kind {
            PrincipalKind::Operator => Request::AddOperator {
                name: String::new(),
                passphrase: Passphrase::new(String::new()),
            },
            k => Request::IamCreate {
                kind: k.entity(),
                name: String::new(),
                document: None,
            },
        };
        if let Some(out) = self.read_only_refusal(req) {
            return out;
        }
        let (title, line) = match kind {
            PrincipalKind::Operator => (
                "Add an operator",
                "The new operator's name (they unlock with a passphrase of their own).",
            ),
            PrincipalKind::User => (
                "Create a user",
                "The new user's name (an application signs with its access keys).",
            ),
            PrincipalKind::Role => (
                "Create a role",
                "The new role's name (its trust policy is edited next).",
            ),
            PrincipalKind::Group => ("Create a group", "The new group's name."),
            PrincipalKind::Policy => (
                "Create a managed policy",
                "The new policy's name (its document is edited next).",
            ),
        };
        self.popup = Some(Popup::Input(Input::new(
            title,
            vec![line.into()],
            "",
            false,
            InputFor::NewPrincipal { kind },
        )));
        vec![]
    }

    /// After the name of a new principal: create it, or ask for what it still needs.
    pub(crate) fn new_principal_named(&mut self, kind: PrincipalKind, name: String) -> Vec<Effect> {
        if name.is_empty() {
            self.error(format!("A {} needs a name.", kind.word()));
            return vec![];
        }
        match kind {
            PrincipalKind::Operator => {
                self.popup = Some(Popup::Input(Input::new(
                    "Add an operator",
                    vec![
                        format!("{name}'s passphrase (masked; Ctrl-R shows it)."),
                        "Tell it to them in person: it opens the whole vault.".into(),
                    ],
                    "",
                    true,
                    InputFor::OperatorPassphrase { name },
                )));
                vec![]
            }
            PrincipalKind::Role | PrincipalKind::Policy => {
                let (target, text) = if kind == PrincipalKind::Role {
                    (EditorFor::Trust, TRUST_TEMPLATE)
                } else {
                    (EditorFor::Managed, POLICY_TEMPLATE)
                };
                self.popup = Some(Popup::PolicyEditor(PolicyEditor::for_iam(
                    target, name, text,
                )));
                vec![]
            }
            k => self.send(Request::IamCreate {
                kind: k.entity(),
                name,
                document: None,
            }),
        }
    }

    /// Changing the unlocked operator's own passphrase: the current one, then the new one
    /// twice; the vault is re-keyed with the progress on the status line.
    pub(crate) fn ask_current_passphrase(&mut self) -> Vec<Effect> {
        let req = Request::ChangePassphrase {
            old: Passphrase::new(String::new()),
            new: Passphrase::new(String::new()),
        };
        if let Some(out) = self.read_only_refusal(req) {
            return out;
        }
        let me = self
            .session
            .as_ref()
            .map(|s| s.operator.clone())
            .unwrap_or_default();
        self.popup = Some(Popup::Input(Input::new(
            "Change your passphrase",
            vec![
                format!("{me}'s current passphrase (masked; Ctrl-R shows it)."),
                "The vault is re-keyed: every secret and audit event is sealed anew.".into(),
            ],
            "",
            true,
            InputFor::CurrentPassphrase,
        )));
        vec![]
    }

    /// After the current passphrase: the new one, typed twice.
    pub(crate) fn passphrase_typed(&mut self, step: InputFor, typed: Typed) -> Vec<Effect> {
        match step {
            InputFor::CurrentPassphrase => {
                self.popup = Some(Popup::Input(Input::new(
                    "Change your passphrase",
                    vec!["The new passphrase.".into()],
                    "",
                    true,
                    InputFor::NewPassphrase { old: typed },
                )));
                vec![]
            }
            InputFor::NewPassphrase { old } => {
                if typed.0.is_empty() {
                    self.error("The passphrase must not be empty; it was not changed.");
                    return vec![];
                }
                self.popup = Some(Popup::Input(Input::new(
                    "Change your passphrase",
                    vec!["The new passphrase again, to be sure it is the one meant.".into()],
                    "",
                    true,
                    InputFor::NewPassphraseAgain { old, new: typed },
                )));
                vec![]
            }
            InputFor::NewPassphraseAgain { old, new } => {
                if new.0 != typed.0 {
                    self.error("The two new passphrases do not match; it was not changed.");
                    return vec![];
                }
                self.send(Request::ChangePassphrase {
                    old: Passphrase::new(old.0.to_string()),
                    new: Passphrase::new(new.0.to_string()),
                })
            }
            _ => vec![],
        }
    }

    fn ask_remove_principal(&mut self) -> Vec<Effect> {
        let Some((kind, name)) = self.target(
            "Delete",
            &[
                PrincipalKind::Operator,
                PrincipalKind::User,
                PrincipalKind::Role,
                PrincipalKind::Group,
                PrincipalKind::Policy,
            ],
        ) else {
            return vec![];
        };
        let (title, lines, req) = if kind == PrincipalKind::Operator {
            (
                "Remove an operator",
                vec![
                    format!("Remove the operator {name}?"),
                    "The vault is re-keyed: a new master key is sealed to every other operator."
                        .into(),
                    format!(
                        "{name}'s passphrase stops working, for this vault and every copy made from now on."
                    ),
                ],
                Request::RemoveOperator { name },
            )
        } else {
            (
                "Delete a principal",
                vec![
                    format!("Delete the {} {name}?", kind.word()),
                    "Whatever signs or acts as it is denied from now on; its access keys go too."
                        .into(),
                    "IAM refuses while policies are attached (DeleteConflict): detach them first."
                        .into(),
                ],
                Request::IamDelete {
                    kind: kind.entity(),
                    name,
                },
            )
        };
        if self.read_only {
            return self.send(req);
        }
        self.popup = Some(Popup::Confirm(Confirm::new(title, lines, req)));
        vec![]
    }

    const WITH_POLICIES: [PrincipalKind; 4] = [
        PrincipalKind::Operator,
        PrincipalKind::User,
        PrincipalKind::Role,
        PrincipalKind::Group,
    ];

    fn ask_inline_policy_name(&mut self) -> Vec<Effect> {
        let Some((kind, name)) = self.target("Put an inline policy", &Self::WITH_POLICIES) else {
            return vec![];
        };
        let req = Request::PutInlinePolicy {
            kind: kind.entity(),
            name: name.clone(),
            policy_name: String::new(),
            document: String::new(),
        };
        if let Some(out) = self.read_only_refusal(req) {
            return out;
        }
        let existing = self
            .principals
            .principal()
            .map(|r| r.inline.clone())
            .unwrap_or_default();
        let mut lines = vec![format!(
            "The inline policy's name on {name} (an existing name replaces it)."
        )];
        if !existing.is_empty() {
            lines.push(format!("It has: {}", existing.join(", ")));
        }
        self.popup = Some(Popup::Input(Input::new(
            "Put an inline policy",
            lines,
            "",
            false,
            InputFor::InlinePolicyName {
                kind: kind.entity(),
                name,
            },
        )));
        vec![]
    }

    fn ask_delete_inline_policy(&mut self) -> Vec<Effect> {
        let Some((kind, name)) = self.target("Delete an inline policy", &Self::WITH_POLICIES)
        else {
            return vec![];
        };
        let options = self
            .principals
            .principal()
            .map(|r| r.inline.clone())
            .unwrap_or_default();
        if options.is_empty() {
            self.error(format!("{name} has no inline policy."));
            return vec![];
        }
        let req = Request::DeleteInlinePolicy {
            kind: kind.entity(),
            name: name.clone(),
            policy_name: String::new(),
        };
        if let Some(out) = self.read_only_refusal(req) {
            return out;
        }
        let lines = numbered(
            format!("Which inline policy of {name}? (its number or name)"),
            &options,
        );
        let first = if options.len() == 1 { "1" } else { "" };
        self.popup = Some(Popup::Input(Input::new(
            "Delete an inline policy",
            lines,
            first,
            false,
            InputFor::DeleteInline {
                kind: kind.entity(),
                name,
                options,
            },
        )));
        vec![]
    }

    fn ask_attach(&mut self, attach: bool) -> Vec<Effect> {
        let what = if attach {
            "Attach a policy"
        } else {
            "Detach a policy"
        };
        let Some((kind, name)) = self.target(what, &Self::WITH_POLICIES) else {
            return vec![];
        };
        let attached = self
            .principals
            .principal()
            .map(|r| r.attached.clone())
            .unwrap_or_default();
        let options: Vec<String> = if attach {
            let mut o = vec![
                ADMINISTRATOR_ACCESS.to_string(),
                SECRETS_MANAGER_READ_WRITE.to_string(),
            ];
            o.extend(
                self.principals
                    .rows
                    .iter()
                    .filter(|r| r.kind == PrincipalKind::Policy)
                    .map(|r| r.arn.clone()),
            );
            o.retain(|a| !attached.contains(a));
            o
        } else {
            attached
        };
        if !attach && options.is_empty() {
            self.error(format!("{name} has no attached policy."));
            return vec![];
        }
        let req = Request::AttachPolicy {
            kind: kind.entity(),
            name: name.clone(),
            policy_arn: String::new(),
            attach,
        };
        if let Some(out) = self.read_only_refusal(req) {
            return out;
        }
        let lines = numbered(
            if attach {
                format!("Attach which managed policy to {name}? (its number or ARN)")
            } else {
                format!("Detach which policy from {name}? (its number or ARN)")
            },
            &options,
        );
        self.popup = Some(Popup::Input(Input::new(
            what,
            lines,
            "",
            false,
            InputFor::Attach {
                kind: kind.entity(),
                name,
                options,
                attach,
            },
        )));
        vec![]
    }

    fn ask_group(&mut self, add: bool) -> Vec<Effect> {
        let what = if add {
            "Add to a group"
        } else {
            "Remove from a group"
        };
        let Some((_, user)) = self.target(what, &[PrincipalKind::Operator, PrincipalKind::User])
        else {
            return vec![];
        };
        let options: Vec<String> = self
            .principals
            .rows
            .iter()
            .filter(|r| r.kind == PrincipalKind::Group)
            .map(|r| r.name.clone())
            .collect();
        if options.is_empty() {
            self.error("There is no group yet (n on Groups creates one).");
            return vec![];
        }
        let req = Request::GroupMember {
            group: String::new(),
            user: user.clone(),
            add,
        };
        if let Some(out) = self.read_only_refusal(req) {
            return out;
        }
        let lines = numbered(
            if add {
                format!("Add {user} to which group? (its number or name)")
            } else {
                format!("Remove {user} from which group? (its number or name)")
            },
            &options,
        );
        self.popup = Some(Popup::Input(Input::new(
            what,
            lines,
            "",
            false,
            InputFor::Group { user, options, add },
        )));
        vec![]
    }

    fn create_access_key(&mut self) -> Vec<Effect> {
        let Some((kind, name)) = self.target(
            "Create an access key",
            &[
                PrincipalKind::Operator,
                PrincipalKind::User,
                PrincipalKind::Role,
            ],
        ) else {
            return vec![];
        };
        self.send(Request::CreateAccessKey {
            kind: kind.entity(),
            name,
        })
    }

    fn selected_key(&mut self) -> Option<(String, bool)> {
        let p = &self.principals;
        let got = p
            .principal()
            .and_then(|r| r.keys.get(p.key_sel))
            .map(|k| (k.id.clone(), k.active));
        if got.is_none() {
            self.error("Select an access key first (Tab moves to the keys).");
        }
        got
    }

    fn toggle_access_key(&mut self) -> Vec<Effect> {
        let Some((id, active)) = self.selected_key() else {
            return vec![];
        };
        self.send(Request::UpdateAccessKey {
            id,
            active: Some(!active),
        })
    }

    fn ask_delete_access_key(&mut self) -> Vec<Effect> {
        let Some((id, _)) = self.selected_key() else {
            return vec![];
        };
        let req = Request::UpdateAccessKey {
            id: id.clone(),
            active: None,
        };
        if let Some(out) = self.read_only_refusal(req) {
            return out;
        }
        self.popup = Some(Popup::Confirm(Confirm::new(
            "Delete an access key",
            vec![
                format!("Delete the access key {id}?"),
                "Every application signing with it is refused from now on; it cannot be restored."
                    .into(),
                "Deactivating it (t) instead can be undone.".into(),
            ],
            Request::UpdateAccessKey { id, active: None },
        )));
        vec![]
    }

    /// What a palette command's argument may be.
    pub(crate) fn principal_options(&self, cmd: &str) -> Vec<String> {
        let p = &self.principals;
        let sel = p.principal();
        match cmd {
            "iam-attach" => {
                let mut o = vec![
                    ADMINISTRATOR_ACCESS.to_string(),
                    SECRETS_MANAGER_READ_WRITE.to_string(),
                ];
                o.extend(
                    p.rows
                        .iter()
                        .filter(|r| r.kind == PrincipalKind::Policy)
                        .map(|r| r.arn.clone()),
                );
                o
            }
            "iam-detach" => sel.map(|r| r.attached.clone()).unwrap_or_default(),
            "inline-delete" => sel.map(|r| r.inline.clone()).unwrap_or_default(),
            _ => p
                .rows
                .iter()
                .filter(|r| r.kind == PrincipalKind::Group)
                .map(|r| r.name.clone())
                .collect(),
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
            return Some(self.ask_current_passphrase());
        }
        if let Some((kind, _)) = KINDS.iter().find(|(k, _)| create(*k) == name) {
            if arg.is_empty() {
                return Some(self.ask_new_principal(*kind));
            }
            let req = Request::IamCreate {
                kind: kind.entity(),
                name: String::new(),
                document: None,
            };
            if let Some(out) = self.read_only_refusal(req) {
                return Some(out);
            }
            return Some(self.new_principal_named(*kind, arg.to_string()));
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
        if self.screen != Screen::Principals {
            let out = self.go(Screen::Principals);
            self.info(format!(
                "Opened the principals; select one and run '{name}' again."
            ));
            return Some(out);
        }
        let with_arg = |a: &mut App, cmd: Cmd| {
            let out = a.principals_key(cmd);
            if arg.is_empty() || !matches!(a.popup, Some(Popup::Input(_))) {
                return out;
            }
            if let Some(Popup::Input(i)) = a.popup.as_mut() {
                i.value = zeroize::Zeroizing::new(arg.to_string());
            }
            a.input_key(Cmd::Submit)
        };
        Some(match name {
            "iam-remove" => self.principals_key(Cmd::Remove),
            "operator-drop" => {
                if self.principals.kind() != PrincipalKind::Operator {
                    self.error("'operator-drop': select an operator first.");
                    return Some(vec![]);
                }
                self.principals_key(Cmd::Remove)
            }
            "inline-put" => with_arg(self, Cmd::EditPolicy),
            "inline-delete" => with_arg(self, Cmd::DeletePolicy),
            "iam-attach" => with_arg(self, Cmd::Attach),
            "iam-detach" => with_arg(self, Cmd::Detach),
            "iam-join" => with_arg(self, Cmd::Join),
            "iam-leave" => with_arg(self, Cmd::Leave),
            "key-create" => self.principals_key(Cmd::NewKey),
            "key-toggle" => self.principals_key(Cmd::ToggleKey),
            _ => self.principals_key(Cmd::DeleteKey),
        })
    }

    /// A typed choice answered in a dialog (policy, group, inline policy).
    pub(crate) fn principal_choice(&mut self, purpose: InputFor, typed: &str) -> Vec<Effect> {
        match purpose {
            InputFor::InlinePolicyName { kind, name } => {
                if typed.trim().is_empty() {
                    self.error("An inline policy needs a name.");
                    return vec![];
                }
                self.popup = Some(Popup::PolicyEditor(PolicyEditor::for_iam(
                    EditorFor::Inline {
                        kind,
                        policy_name: typed.trim().to_string(),
                    },
                    name,
                    POLICY_TEMPLATE,
                )));
                vec![]
            }
            InputFor::DeleteInline {
                kind,
                name,
                options,
            } => match choice(typed, &options) {
                Some(policy_name) => {
                    self.popup = Some(Popup::Confirm(Confirm::new(
                        "Delete an inline policy",
                        vec![
                            format!("Delete the inline policy {policy_name} of {name}?"),
                            "What it allows is denied from now on (unless another policy allows it)."
                                .into(),
                        ],
                        Request::DeleteInlinePolicy {
                            kind,
                            name,
                            policy_name,
                        },
                    )));
                    vec![]
                }
                None => {
                    self.error("Nothing chosen; nothing was changed.");
                    vec![]
                }
            },
            InputFor::Attach {
                kind,
                name,
                options,
                attach,
            } => match choice(typed, &options) {
                Some(policy_arn) => self.send(Request::AttachPolicy {
                    kind,
                    name,
                    policy_arn,
                    attach,
                }),
                None => {
                    self.error("Nothing chosen; nothing was changed.");
                    vec![]
                }
            },
            InputFor::Group { user, options, add } => match choice(typed, &options) {
                Some(group) => self.send(Request::GroupMember { group, user, add }),
                None => {
                    self.error("Nothing chosen; nothing was changed.");
                    vec![]
                }
            },
            _ => vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{AccessKeyRow, Action, Loaded};
    use crate::tui::keymap::Ctx;
    use coffer_core::Operation;

    fn principal(kind: PrincipalKind, name: &str) -> Principal {
        Principal {
            kind,
            name: name.into(),
            arn: format!("arn:aws:iam::1:{}/{name}", kind.word()),
            created: 0.0,
            tags: vec![],
            description: None,
            document: None,
            kdf: None,
            detailed: true,
            inline: vec![],
            attached: vec![],
            keys: vec![],
        }
    }

    fn app() -> App {
        let mut a = crate::tui::testkit::unlocked_app();
        let fx = a.update(Action::Key(Cmd::GoPrincipals));
        let Some(Effect::Send(Request::Principals { seq })) = fx.first() else {
            panic!("{fx:?}")
        };
        let mut app1 = principal(PrincipalKind::User, "app1");
        app1.inline = vec!["read".into()];
        app1.attached = vec![SECRETS_MANAGER_READ_WRITE.into()];
        app1.keys = vec![
            AccessKeyRow {
                id: "AKIA1".into(),
                active: true,
                created: 0.0,
            },
            AccessKeyRow {
                id: "AKIA2".into(),
                active: false,
                created: 0.0,
            },
        ];
        a.update(Action::loaded(Loaded::Principals {
            seq: *seq,
            principals: Ok(vec![
                principal(PrincipalKind::Operator, "admin"),
                app1,
                principal(PrincipalKind::Role, "deployer"),
                principal(PrincipalKind::Group, "devs"),
                principal(PrincipalKind::Policy, "read-dev"),
            ]),
        }));
        a
    }

    /// Moves to the principal with this name.
    fn select(a: &mut App, name: &str) {
        let at = a
            .principals
            .entries()
            .iter()
            .position(|e| matches!(e, Entry::Item(i) if a.principals.rows[*i].name == name))
            .unwrap();
        a.principals.selected = at;
    }

    fn typed(a: &mut App, s: &str) {
        for c in s.chars() {
            a.update(Action::Char(c));
        }
    }

    #[test]
    fn opening_loads_once_and_live_changes_reread_only_the_approval_queue() {
        let mut a = app();
        assert_eq!(a.ctx(), Ctx::Principals);
        assert_eq!(a.principals.entries().len(), 10);
        let fx = a.update(Action::loaded(Loaded::Changed));
        assert!(matches!(fx[..], [Effect::Send(Request::Pending { .. })]));
        let fx = a.update(Action::Key(Cmd::Reload));
        assert!(matches!(fx[..], [Effect::Send(Request::Principals { .. })]));
        let fx = a.update(Action::loaded(Loaded::Done("Created.".into())));
        assert!(matches!(
            fx[..],
            [
                Effect::Send(Request::Pending { .. }),
                Effect::Send(Request::Principals { .. }),
                Effect::Send(Request::Health { .. })
            ]
        ));
    }

    #[test]
    fn a_reload_keeps_the_selection_and_stale_lists_are_dropped() {
        let mut a = app();
        select(&mut a, "deployer");
        let fx = a.update(Action::Key(Cmd::Reload));
        let Some(Effect::Send(Request::Principals { seq })) = fx.first() else {
            panic!()
        };
        let seq = *seq;
        a.update(Action::loaded(Loaded::Principals {
            seq: seq - 1,
            principals: Ok(vec![]),
        }));
        assert_eq!(a.principals.rows.len(), 5, "a stale answer is ignored");
        a.update(Action::loaded(Loaded::Principals {
            seq,
            principals: Ok(vec![
                principal(PrincipalKind::User, "new"),
                principal(PrincipalKind::Role, "deployer"),
            ]),
        }));
        assert_eq!(a.principals.principal().unwrap().name, "deployer");
        let fx = a.update(Action::Key(Cmd::Reload));
        let Some(Effect::Send(Request::Principals { seq })) = fx.first() else {
            panic!()
        };
        a.update(Action::loaded(Loaded::Principals {
            seq: *seq,
            principals: Err(coffer_core::Error::access_denied("no iam:List*")),
        }));
        assert!(
            a.status
                .as_ref()
                .unwrap()
                .text
                .contains("AccessDeniedException")
        );
    }

    #[test]
    fn new_creates_the_kind_under_the_cursor() {
        let mut a = app();
        select(&mut a, "app1");
        a.update(Action::Key(Cmd::Create));
        typed(&mut a, "app2");
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::IamCreate { kind: EntityKind::User, name, document: None })] if name == "app2"
        ));
        a.principals.selected = a
            .principals
            .entries()
            .iter()
            .position(|e| *e == Entry::Head(PrincipalKind::Group))
            .unwrap();
        a.update(Action::Key(Cmd::Create));
        typed(&mut a, "ops");
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::IamCreate {
                kind: EntityKind::Group,
                ..
            })]
        ));
        let mut a = app();
        select(&mut a, "app1");
        a.update(Action::Key(Cmd::Create));
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        assert!(a.status.as_ref().unwrap().error);
    }

    #[test]
    fn a_role_gets_a_trust_policy_from_the_editor() {
        let mut a = app();
        select(&mut a, "deployer");
        a.update(Action::Key(Cmd::Create));
        typed(&mut a, "ci");
        a.update(Action::Key(Cmd::Submit));
        assert_eq!(a.ctx(), Ctx::IamPolicyEditor);
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::IamCreate { kind: EntityKind::Role, name, document: Some(d) })]
                if name == "ci" && d.contains("sts:AssumeRole")
        ));
        a.update(Action::loaded(Loaded::Done("Created.".into())));
        assert!(a.popup.is_none());
        select(&mut a, "read-dev");
        a.update(Action::Key(Cmd::Create));
        typed(&mut a, "p2");
        a.update(Action::Key(Cmd::Submit));
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::IamCreate {
                kind: EntityKind::Policy,
                document: Some(_),
                ..
            })]
        ));
    }

    #[test]
    fn an_operator_needs_the_passphrase_twice() {
        let mut a = app();
        select(&mut a, "admin");
        a.update(Action::Key(Cmd::Create));
        typed(&mut a, "bob");
        a.update(Action::Key(Cmd::Submit));
        assert!(matches!(&a.popup, Some(Popup::Input(i)) if i.masked));
        typed(&mut a, "pass one");
        a.update(Action::Key(Cmd::Submit));
        typed(&mut a, "pass two");
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        assert!(a.status.as_ref().unwrap().text.contains("do not match"));
        assert!(a.popup.is_none());
        a.update(Action::Key(Cmd::Create));
        typed(&mut a, "bob");
        a.update(Action::Key(Cmd::Submit));
        typed(&mut a, "pass one");
        a.update(Action::Key(Cmd::Submit));
        let shown = format!("{:?}", a.popup);
        assert!(!shown.contains("pass one"), "{shown}");
        typed(&mut a, "pass one");
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(
            matches!(&fx[..], [Effect::Send(Request::AddOperator { name, .. })] if name == "bob")
        );
        assert!(!format!("{fx:?}").contains("pass one"));
    }

    #[test]
    fn removing_an_operator_confirms_the_re_key_default_no() {
        let mut a = app();
        select(&mut a, "admin");
        assert!(a.update(Action::Key(Cmd::Remove)).is_empty());
        let Some(Popup::Confirm(c)) = &a.popup else {
            panic!()
        };
        assert!(c.lines.iter().any(|l| l.contains("re-keyed")));
        assert!(
            a.update(Action::Key(Cmd::Submit)).is_empty(),
            "No by default"
        );
        a.update(Action::Key(Cmd::Remove));
        let fx = a.update(Action::Key(Cmd::Yes));
        assert!(
            matches!(&fx[..], [Effect::Send(Request::RemoveOperator { name })] if name == "admin")
        );
        a.update(Action::loaded(Loaded::Failed {
            operation: Operation::RemoveOperator,
            error: coffer_core::Error::invalid_request(
                "You can't remove the operator you unlocked the vault as",
            ),
        }));
        assert!(
            a.status
                .as_ref()
                .unwrap()
                .text
                .contains("InvalidRequestException")
        );
        select(&mut a, "devs");
        a.update(Action::Key(Cmd::Remove));
        let fx = a.update(Action::Key(Cmd::Yes));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::IamDelete {
                kind: EntityKind::Group,
                ..
            })]
        ));
    }

    #[test]
    fn inline_policies_are_put_from_the_editor_and_deleted_after_a_confirm() {
        let mut a = app();
        select(&mut a, "app1");
        a.update(Action::Key(Cmd::EditPolicy));
        typed(&mut a, "more");
        a.update(Action::Key(Cmd::Submit));
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::PutInlinePolicy { name, policy_name, .. })] if name == "app1" && policy_name == "more"
        ));
        a.update(Action::loaded(Loaded::Done("Put.".into())));
        a.update(Action::Key(Cmd::DeletePolicy));
        assert!(matches!(&a.popup, Some(Popup::Input(i)) if i.value.as_str() == "1"));
        a.update(Action::Key(Cmd::Submit));
        let fx = a.update(Action::Key(Cmd::Yes));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::DeleteInlinePolicy { policy_name, .. })] if policy_name == "read"
        ));
        select(&mut a, "devs");
        assert!(a.update(Action::Key(Cmd::DeletePolicy)).is_empty());
        assert!(a.status.as_ref().unwrap().text.contains("no inline policy"));
    }

    #[test]
    fn attach_offers_aws_and_vault_policies_and_detach_what_is_attached() {
        let mut a = app();
        select(&mut a, "app1");
        a.update(Action::Key(Cmd::Attach));
        let Some(Popup::Input(i)) = &a.popup else {
            panic!()
        };
        let InputFor::Attach { options, .. } = &i.purpose else {
            panic!()
        };
        assert_eq!(options[0], ADMINISTRATOR_ACCESS);
        assert!(
            !options.contains(&SECRETS_MANAGER_READ_WRITE.to_string()),
            "already attached"
        );
        assert!(options.iter().any(|o| o.ends_with("policy/read-dev")));
        typed(&mut a, "2");
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::AttachPolicy { attach: true, policy_arn, .. })] if policy_arn.ends_with("read-dev")
        ));
        a.update(Action::Key(Cmd::Detach));
        typed(&mut a, "1");
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::AttachPolicy { attach: false, policy_arn, .. })] if policy_arn == SECRETS_MANAGER_READ_WRITE
        ));
    }

    #[test]
    fn users_join_and_leave_groups() {
        let mut a = app();
        select(&mut a, "app1");
        a.update(Action::Key(Cmd::Join));
        typed(&mut a, "1");
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::GroupMember { group, user, add: true })] if group == "devs" && user == "app1"
        ));
        a.update(Action::Key(Cmd::Leave));
        typed(&mut a, "devs");
        let fx = a.update(Action::Key(Cmd::Submit));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::GroupMember { add: false, .. })]
        ));
        select(&mut a, "deployer");
        assert!(a.update(Action::Key(Cmd::Join)).is_empty());
        assert!(a.status.as_ref().unwrap().error);
    }

    #[test]
    fn access_keys_are_created_toggled_and_deleted() {
        let mut a = app();
        select(&mut a, "app1");
        let fx = a.update(Action::Key(Cmd::NewKey));
        assert!(
            matches!(&fx[..], [Effect::Send(Request::CreateAccessKey { name, .. })] if name == "app1")
        );
        a.update(Action::Key(Cmd::SwitchPane));
        a.update(Action::Key(Cmd::Down));
        assert_eq!(a.principals.key_sel, 1);
        let fx = a.update(Action::Key(Cmd::ToggleKey));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::UpdateAccessKey { id, active: Some(true) })] if id == "AKIA2"
        ));
        a.update(Action::Key(Cmd::Up));
        let fx = a.update(Action::Key(Cmd::ToggleKey));
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::UpdateAccessKey {
                active: Some(false),
                ..
            })]
        ));
        a.update(Action::Key(Cmd::DeleteKey));
        assert!(a.update(Action::Key(Cmd::No)).is_empty());
        a.update(Action::Key(Cmd::DeleteKey));
        let fx = a.update(Action::Key(Cmd::Yes));
        assert!(
            matches!(&fx[..], [Effect::Send(Request::UpdateAccessKey { id, active: None })] if id == "AKIA1")
        );
        a.update(Action::Key(Cmd::Back));
        assert!(!a.principals.key_focus);
        assert_eq!(a.screen, Screen::Principals);
        select(&mut a, "devs");
        a.update(Action::Key(Cmd::SwitchPane));
        assert!(!a.principals.key_focus, "a group has no keys");
        assert!(a.update(Action::Key(Cmd::NewKey)).is_empty());
        a.update(Action::Key(Cmd::Back));
        assert_eq!(a.screen, Screen::Secrets);
    }

    #[test]
    fn the_new_secret_is_shown_once_copied_and_dropped() {
        let mut a = app();
        let fx = a.update(Action::loaded(Loaded::AccessKeyCreated {
            user_name: "app1".into(),
            access_key_id: "AKIA3".into(),
            secret: SecretText::new("wJalrXUtnFEMI/K7MDENG".into()),
        }));
        assert!(matches!(fx[..], [Effect::Send(Request::Principals { .. })]));
        assert_eq!(a.ctx(), Ctx::NewAccessKey);
        assert!(!format!("{:?}", a.popup).contains("wJalr"));
        let fx = a.update(Action::Key(Cmd::CopyKey));
        assert!(
            matches!(&fx[..], [Effect::Copy { text, .. }] if text.as_str() == "wJalrXUtnFEMI/K7MDENG")
        );
        assert!(a.copied.is_some());
        a.update(Action::Key(Cmd::Cancel));
        assert!(a.popup.is_none());
    }

    #[test]
    fn read_only_refuses_every_act_before_a_dialog() {
        let mut a = app();
        a.read_only = true;
        select(&mut a, "app1");
        for cmd in [
            Cmd::Create,
            Cmd::Remove,
            Cmd::EditPolicy,
            Cmd::DeletePolicy,
            Cmd::Attach,
            Cmd::Detach,
            Cmd::Join,
            Cmd::NewKey,
            Cmd::ToggleKey,
            Cmd::DeleteKey,
        ] {
            a.status = None;
            assert!(a.update(Action::Key(cmd)).is_empty(), "{cmd:?}");
            assert!(a.popup.is_none(), "{cmd:?}");
            assert!(
                a.status.as_ref().unwrap().text.contains("Read-only"),
                "{cmd:?}"
            );
        }
    }

    #[test]
    fn the_palette_drives_the_acts() {
        let mut a = app();
        let fx = a.run_command("iam-user app9");
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::IamCreate { kind: EntityKind::User, name, .. })] if name == "app9"
        ));
        a.run_command("iam-role ci");
        assert_eq!(a.ctx(), Ctx::IamPolicyEditor);
        a.popup = None;
        a.run_command("operator-add bob");
        assert!(matches!(&a.popup, Some(Popup::Input(i)) if i.masked));
        a.popup = None;
        select(&mut a, "app1");
        assert!(
            a.suggestions("iam-attach arn:aws:iam::aws:")
                .iter()
                .any(|(l, _)| l.ends_with("AdministratorAccess"))
        );
        let fx = a.run_command("iam-attach 1");
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::AttachPolicy { policy_arn, attach: true, .. })] if policy_arn == ADMINISTRATOR_ACCESS
        ));
        let fx = a.run_command("iam-join devs");
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::GroupMember { add: true, .. })]
        ));
        let fx = a.run_command("key-create");
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::CreateAccessKey { .. })]
        ));
        a.run_command("operator-drop");
        assert!(a.status.as_ref().unwrap().error);
        a.screen = Screen::Secrets;
        let fx = a.run_command("key-toggle");
        assert_eq!(a.screen, Screen::Principals);
        assert!(matches!(
            &fx[..],
            [Effect::Send(Request::Principals { .. })]
        ));
    }

    #[test]
    fn choices_are_numbers_or_text() {
        let o = vec!["a".to_string(), "b".to_string()];
        assert_eq!(choice("2", &o).as_deref(), Some("b"));
        assert_eq!(choice(" x ", &o).as_deref(), Some("x"));
        assert_eq!(choice("3", &o).as_deref(), Some("3"));
        assert_eq!(choice("", &o), None);
    }
}
