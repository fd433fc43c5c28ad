//! The Principals screen's acts: the dialogs each opens (new principal, remove, inline and
//! attached policies, groups, access keys, an operator's passphrase) and what their answers
//! send.

use coffer_core::Passphrase;
use coffer_core::vault::iam::{ADMINISTRATOR_ACCESS, SECRETS_MANAGER_READ_WRITE};

use super::principals::{
    POLICY_TEMPLATE, PrincipalsState, TRUST_TEMPLATE, Typed, choice, numbered,
};
use crate::tui::action::{Effect, PrincipalKind, Request};
use crate::tui::popups::{Confirm, EditorFor, Input, InputFor, PolicyEditor, Popup};
use crate::tui::shell::Shell;

impl PrincipalsState {
    pub(crate) fn ask_new_principal(&mut self, sh: &mut Shell, kind: PrincipalKind) -> Vec<Effect> {
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
        if let Some(out) = self.read_only_refusal(sh, req) {
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
        sh.popup = Some(Popup::Input(Input::new(
            title,
            vec![line.into()],
            "",
            false,
            InputFor::NewPrincipal { kind },
        )));
        vec![]
    }

    /// After the name of a new principal: create it, or ask for what it still needs.
    pub(crate) fn new_principal_named(
        &mut self,
        sh: &mut Shell,
        kind: PrincipalKind,
        name: String,
    ) -> Vec<Effect> {
        if name.is_empty() {
            sh.error(format!("A {} needs a name.", kind.word()));
            return vec![];
        }
        match kind {
            PrincipalKind::Operator => {
                sh.popup = Some(Popup::Input(Input::new(
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
                sh.popup = Some(Popup::PolicyEditor(PolicyEditor::for_iam(
                    target, name, text,
                )));
                vec![]
            }
            k => sh.send(Request::IamCreate {
                kind: k.entity(),
                name,
                document: None,
            }),
        }
    }

    /// Changing the unlocked operator's own passphrase: the current one, then the new one
    /// twice; the vault is re-keyed with the progress on the status line.
    pub(crate) fn ask_current_passphrase(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let req = Request::ChangePassphrase {
            old: Passphrase::new(String::new()),
            new: Passphrase::new(String::new()),
        };
        if let Some(out) = self.read_only_refusal(sh, req) {
            return out;
        }
        let me = sh
            .session
            .as_ref()
            .map(|s| s.operator.clone())
            .unwrap_or_default();
        sh.popup = Some(Popup::Input(Input::new(
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
    pub(crate) fn passphrase_typed(
        &mut self,
        sh: &mut Shell,
        step: InputFor,
        typed: Typed,
    ) -> Vec<Effect> {
        match step {
            InputFor::CurrentPassphrase => {
                sh.popup = Some(Popup::Input(Input::new(
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
                    sh.error("The passphrase must not be empty; it was not changed.");
                    return vec![];
                }
                sh.popup = Some(Popup::Input(Input::new(
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
                    sh.error("The two new passphrases do not match; it was not changed.");
                    return vec![];
                }
                sh.send(Request::ChangePassphrase {
                    old: Passphrase::new(old.0.to_string()),
                    new: Passphrase::new(new.0.to_string()),
                })
            }
            _ => vec![],
        }
    }

    pub(super) fn ask_remove_principal(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let Some((kind, name)) = self.target(
            sh,
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
        if sh.read_only {
            return sh.send(req);
        }
        sh.popup = Some(Popup::Confirm(Confirm::new(title, lines, req)));
        vec![]
    }

    const WITH_POLICIES: [PrincipalKind; 4] = [
        PrincipalKind::Operator,
        PrincipalKind::User,
        PrincipalKind::Role,
        PrincipalKind::Group,
    ];

    pub(super) fn ask_inline_policy_name(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let Some((kind, name)) = self.target(sh, "Put an inline policy", &Self::WITH_POLICIES)
        else {
            return vec![];
        };
        let req = Request::PutInlinePolicy {
            kind: kind.entity(),
            name: name.clone(),
            policy_name: String::new(),
            document: String::new(),
        };
        if let Some(out) = self.read_only_refusal(sh, req) {
            return out;
        }
        let existing = self
            .principal()
            .map(|r| r.inline.clone())
            .unwrap_or_default();
        let mut lines = vec![format!(
            "The inline policy's name on {name} (an existing name replaces it)."
        )];
        if !existing.is_empty() {
            lines.push(format!("It has: {}", existing.join(", ")));
        }
        sh.popup = Some(Popup::Input(Input::new(
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

    pub(super) fn ask_delete_inline_policy(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let Some((kind, name)) = self.target(sh, "Delete an inline policy", &Self::WITH_POLICIES)
        else {
            return vec![];
        };
        let options = self
            .principal()
            .map(|r| r.inline.clone())
            .unwrap_or_default();
        if options.is_empty() {
            sh.error(format!("{name} has no inline policy."));
            return vec![];
        }
        let req = Request::DeleteInlinePolicy {
            kind: kind.entity(),
            name: name.clone(),
            policy_name: String::new(),
        };
        if let Some(out) = self.read_only_refusal(sh, req) {
            return out;
        }
        let lines = numbered(
            format!("Which inline policy of {name}? (its number or name)"),
            &options,
        );
        let first = if options.len() == 1 { "1" } else { "" };
        sh.popup = Some(Popup::Input(Input::new(
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

    pub(super) fn ask_attach(&mut self, sh: &mut Shell, attach: bool) -> Vec<Effect> {
        let what = if attach {
            "Attach a policy"
        } else {
            "Detach a policy"
        };
        let Some((kind, name)) = self.target(sh, what, &Self::WITH_POLICIES) else {
            return vec![];
        };
        let attached = self
            .principal()
            .map(|r| r.attached.clone())
            .unwrap_or_default();
        let options: Vec<String> = if attach {
            let mut o = vec![
                ADMINISTRATOR_ACCESS.to_string(),
                SECRETS_MANAGER_READ_WRITE.to_string(),
            ];
            o.extend(
                self.rows
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
            sh.error(format!("{name} has no attached policy."));
            return vec![];
        }
        let req = Request::AttachPolicy {
            kind: kind.entity(),
            name: name.clone(),
            policy_arn: String::new(),
            attach,
        };
        if let Some(out) = self.read_only_refusal(sh, req) {
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
        sh.popup = Some(Popup::Input(Input::new(
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

    pub(super) fn ask_group(&mut self, sh: &mut Shell, add: bool) -> Vec<Effect> {
        let what = if add {
            "Add to a group"
        } else {
            "Remove from a group"
        };
        let Some((_, user)) =
            self.target(sh, what, &[PrincipalKind::Operator, PrincipalKind::User])
        else {
            return vec![];
        };
        let options: Vec<String> = self
            .rows
            .iter()
            .filter(|r| r.kind == PrincipalKind::Group)
            .map(|r| r.name.clone())
            .collect();
        if options.is_empty() {
            sh.error("There is no group yet (n on Groups creates one).");
            return vec![];
        }
        let req = Request::GroupMember {
            group: String::new(),
            user: user.clone(),
            add,
        };
        if let Some(out) = self.read_only_refusal(sh, req) {
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
        sh.popup = Some(Popup::Input(Input::new(
            what,
            lines,
            "",
            false,
            InputFor::Group { user, options, add },
        )));
        vec![]
    }

    pub(super) fn create_access_key(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let Some((kind, name)) = self.target(
            sh,
            "Create an access key",
            &[
                PrincipalKind::Operator,
                PrincipalKind::User,
                PrincipalKind::Role,
            ],
        ) else {
            return vec![];
        };
        sh.send(Request::CreateAccessKey {
            kind: kind.entity(),
            name,
        })
    }

    pub(super) fn selected_key(&mut self, sh: &mut Shell) -> Option<(String, bool)> {
        let p = &*self;
        let got = p
            .principal()
            .and_then(|r| r.keys.get(p.key_sel))
            .map(|k| (k.access_key_id.clone(), k.is_active()));
        if got.is_none() {
            sh.error("Select an access key first (Tab moves to the keys).");
        }
        got
    }

    pub(super) fn toggle_access_key(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let Some((id, active)) = self.selected_key(sh) else {
            return vec![];
        };
        sh.send(Request::UpdateAccessKey {
            id,
            active: Some(!active),
        })
    }

    pub(super) fn ask_delete_access_key(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let Some((id, _)) = self.selected_key(sh) else {
            return vec![];
        };
        let req = Request::UpdateAccessKey {
            id: id.clone(),
            active: None,
        };
        if let Some(out) = self.read_only_refusal(sh, req) {
            return out;
        }
        sh.popup = Some(Popup::Confirm(Confirm::new(
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
        let p = self;
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

    /// A typed choice answered in a dialog (policy, group, inline policy).
    pub(crate) fn principal_choice(
        &mut self,
        sh: &mut Shell,
        purpose: InputFor,
        typed: &str,
    ) -> Vec<Effect> {
        match purpose {
            InputFor::InlinePolicyName { kind, name } => {
                if typed.trim().is_empty() {
                    sh.error("An inline policy needs a name.");
                    return vec![];
                }
                sh.popup = Some(Popup::PolicyEditor(PolicyEditor::for_iam(
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
                    sh.popup = Some(Popup::Confirm(Confirm::new(
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
                    sh.error("Nothing chosen; nothing was changed.");
                    vec![]
                }
            },
            InputFor::Attach {
                kind,
                name,
                options,
                attach,
            } => match choice(typed, &options) {
                Some(policy_arn) => sh.send(Request::AttachPolicy {
                    kind,
                    name,
                    policy_arn,
                    attach,
                }),
                None => {
                    sh.error("Nothing chosen; nothing was changed.");
                    vec![]
                }
            },
            InputFor::Group { user, options, add } => match choice(typed, &options) {
                Some(group) => sh.send(Request::GroupMember { group, user, add }),
                None => {
                    sh.error("Nothing chosen; nothing was changed.");
                    vec![]
                }
            },
            _ => vec![],
        }
    }
}
