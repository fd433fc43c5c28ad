//! The Principals screen: operators, users, roles, groups and managed policies, grouped by
//! kind, with a detail pane (policies, access keys). Its lists are audited requests, so they
//! load when the screen opens, on `r` and after the operator's own acts — never on a live
//! refresh (two consoles would keep re-triggering each other through their audit commits).
//!
//! Here: the list, its loading and its keys; `principals_acts`: the dialogs the acts open and
//! what their answers send; `principals_view`: the drawing; `principals_tests.rs`: the tests.

use coffer_core::SecretText;
use coffer_core::vault::iam::EntityKind;

use crate::tui::action::{Cmd, Effect, Principal, PrincipalKind, PrincipalPolicies, Request};
pub use crate::tui::popups::Typed;
use crate::tui::popups::{NewAccessKey, Popup};
use crate::tui::shell::{Nav, Screen, Shell};

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
pub(super) fn numbered(question: String, options: &[String]) -> Vec<String> {
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

impl PrincipalsState {
    /// Reads every principal (audited): on opening, on `r` and after an act.
    pub(crate) fn load(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let seq = sh.next_seq();
        self.want = seq;
        vec![Effect::Send(Request::Principals { seq })]
    }

    pub(crate) fn loaded(
        &mut self,
        sh: &mut Shell,
        seq: u64,
        principals: coffer_core::Result<Vec<Principal>>,
    ) -> Vec<Effect> {
        if seq != self.want {
            return vec![];
        }
        match principals {
            Ok(rows) => {
                let p = &mut *self;
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
                sh.error(format!(
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
        match self.principal() {
            Some(r) if !r.detailed => vec![Effect::Send(Request::PrincipalDetails {
                kind: r.kind,
                name: r.name.clone(),
            })],
            _ => vec![],
        }
    }

    pub(crate) fn details_loaded(
        &mut self,
        sh: &mut Shell,
        kind: PrincipalKind,
        name: &str,
        details: coffer_core::Result<PrincipalPolicies>,
    ) -> Vec<Effect> {
        match details {
            Ok(d) => {
                if let Some(r) = self
                    .rows
                    .iter_mut()
                    .find(|r| r.kind == kind && r.name == name)
                {
                    r.detailed = true;
                    r.inline = d.inline;
                    r.attached = d.attached;
                    r.keys = d.access_keys;
                }
                let p = &mut *self;
                let n = p.principal().map_or(0, |r| r.keys.len());
                p.key_sel = p.key_sel.min(n.saturating_sub(1));
                p.key_focus &= n > 0;
                vec![]
            }
            Err(error) => {
                sh.error(format!(
                    "ListPolicies of {name} failed: {}: {}",
                    error.code.as_str(),
                    error.message
                ));
                vec![]
            }
        }
    }

    /// After a click or a key moved the selection.
    pub(crate) fn select(&mut self, at: usize) -> Vec<Effect> {
        let p = &mut *self;
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
        sh: &mut Shell,
        user_name: String,
        access_key_id: String,
        secret: SecretText,
    ) -> Vec<Effect> {
        sh.busy = None;
        sh.info(format!(
            "Created the access key {access_key_id} for {user_name}."
        ));
        sh.popup = Some(Popup::NewAccessKey(NewAccessKey {
            user_name,
            access_key_id,
            secret,
        }));
        if sh.screen == Screen::Principals {
            self.load(sh)
        } else {
            vec![]
        }
    }

    /// Refuses a write up front on a read-only console (before any dialog asks for more).
    pub(crate) fn read_only_refusal(
        &mut self,
        sh: &mut Shell,
        req: Request,
    ) -> Option<Vec<Effect>> {
        sh.read_only.then(|| sh.send(req))
    }

    pub(crate) fn key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let n = self.entries().len();
        let keys = self.principal().map_or(0, |r| r.keys.len());
        let p = &mut *self;
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
            return self.select(sel);
        }
        match cmd {
            Cmd::Reload => self.load(sh),
            Cmd::SwitchPane => {
                if keys > 0 {
                    p.key_focus = !p.key_focus;
                } else {
                    p.key_focus = false;
                    sh.info("This principal has no access key (K creates one).");
                }
                vec![]
            }
            Cmd::Back if p.key_focus => {
                p.key_focus = false;
                vec![]
            }
            Cmd::Back => sh.go(Nav::Go(Screen::Secrets)),
            Cmd::Create => self.ask_new_principal(sh, self.kind()),
            Cmd::Remove => self.ask_remove_principal(sh),
            Cmd::EditPolicy => self.ask_inline_policy_name(sh),
            Cmd::DeletePolicy => self.ask_delete_inline_policy(sh),
            Cmd::Attach => self.ask_attach(sh, true),
            Cmd::Detach => self.ask_attach(sh, false),
            Cmd::Join => self.ask_group(sh, true),
            Cmd::Leave => self.ask_group(sh, false),
            Cmd::NewKey => self.create_access_key(sh),
            Cmd::ToggleKey => self.toggle_access_key(sh),
            Cmd::DeleteKey => self.ask_delete_access_key(sh),
            Cmd::ChangePassphrase => self.ask_current_passphrase(sh),
            _ => vec![],
        }
    }

    /// The selected principal, or an explanation in the status line.
    pub(super) fn target(
        &mut self,
        sh: &mut Shell,
        what: &str,
        kinds: &[PrincipalKind],
    ) -> Option<(PrincipalKind, String)> {
        let got = self
            .principal()
            .filter(|r| kinds.contains(&r.kind))
            .map(|r| (r.kind, r.name.clone()));
        if got.is_none() {
            let names: Vec<&str> = kinds.iter().map(|k| k.word()).collect();
            sh.error(format!("{what}: select a {} first.", names.join(" or ")));
        }
        got
    }
}

#[cfg(test)]
#[path = "principals_tests.rs"]
mod tests;
