//! The secret detail's Policy tab (the resource policy, its validation findings, edit and
//! delete) and Access tab (effective access per principal and the statements that decided
//! it). Both are audited requests, so they are read when the tab is opened, when the
//! operator reloads, and after the operator's own acts — not on every live refresh.

use coffer_core::Error;
use coffer_core::vault::policies::{ActionDecision, EffectiveAccess, PrincipalAccess};

use super::detail::{DetailState, Load, Tab};
use crate::tui::action::{Cmd, Effect, PolicyView, Request};
use crate::tui::popups::{Confirm, PolicyEditor, Popup};
use crate::tui::shell::{Screen, Shell};

/// `secretsmanager:GetSecretValue` → `GetSecretValue`; other services keep their prefix.
pub fn short_action(action: &str) -> &str {
    action.strip_prefix("secretsmanager:").unwrap_or(action)
}

/// A principal's name and kind from its ARN (`user/ops/alice` → `ops/alice`, user;
/// `assumed-role/deployer/coffer` → `deployer`, role).
pub fn principal_label(arn: &str) -> (String, &'static str) {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    if let Some(rest) = resource.strip_prefix("assumed-role/") {
        return (rest.split('/').next().unwrap_or(rest).to_string(), "role");
    }
    if let Some(rest) = resource.strip_prefix("role/") {
        return (rest.to_string(), "role");
    }
    match resource.strip_prefix("user/") {
        Some(rest) => (rest.to_string(), "user"),
        None => (resource.to_string(), ""),
    }
}

/// The policy pretty-printed in its own key order (as stored when it is not JSON).
pub fn pretty(policy: &str) -> String {
    if serde_json::from_str::<serde_json::Value>(policy).is_err() {
        return policy.to_string();
    }
    let mut out = String::with_capacity(policy.len() * 2);
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = policy.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.extend(chars.next());
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// What the editor starts with when the secret has no policy yet.
pub fn template(account: &str) -> String {
    format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Sid": "AllowAppToRead",
      "Effect": "Allow",
      "Principal": {{ "AWS": "arn:aws:iam::{account}:role/app" }},
      "Action": "secretsmanager:GetSecretValue",
      "Resource": "*"
    }}
  ]
}}"#
    )
}

impl DetailState {
    pub fn access_principals(&self) -> &[PrincipalAccess] {
        self.access.ready().map_or(&[], |a| a.principals.as_slice())
    }

    pub fn selected_principal(&self) -> Option<&PrincipalAccess> {
        self.access_principals().get(self.access_principal)
    }

    pub fn selected_decision(&self) -> Option<&ActionDecision> {
        self.selected_principal()?.decisions.get(self.access_action)
    }

    /// The lines of the Policy tab's document.
    pub fn policy_lines(&self) -> usize {
        self.policy
            .ready()
            .and_then(|p| p.policy.as_deref())
            .map_or(0, |p| pretty(p).lines().count())
    }
}

impl DetailState {
    pub(crate) fn load_policy(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let seq = sh.next_seq();
        let d = &mut *self;
        d.want_policy = seq;
        if d.policy.ready().is_none() {
            d.policy = Load::Loading;
        }
        vec![Effect::Send(Request::Policy {
            seq,
            arn: d.arn.clone(),
        })]
    }

    pub(crate) fn load_access(&mut self, sh: &mut Shell) -> Vec<Effect> {
        let seq = sh.next_seq();
        let d = &mut *self;
        d.want_access = seq;
        if d.access.ready().is_none() {
            d.access = Load::Loading;
        }
        vec![Effect::Send(Request::Access {
            seq,
            arn: d.arn.clone(),
        })]
    }

    pub(crate) fn policy_loaded(
        &mut self,
        seq: u64,
        policy: Result<PolicyView, Error>,
    ) -> Vec<Effect> {
        if self.want_policy != seq {
            return vec![];
        }
        let d = &mut *self;
        d.policy = match policy {
            Ok(p) => Load::Ready(p),
            Err(e) => Load::Failed(format!("{}: {}", e.code.as_str(), e.message)),
        };
        d.policy_scroll = d.policy_scroll.min(d.policy_lines().saturating_sub(1));
        vec![]
    }

    pub(crate) fn access_loaded(
        &mut self,
        seq: u64,
        access: Result<EffectiveAccess, Error>,
    ) -> Vec<Effect> {
        if self.want_access != seq {
            return vec![];
        }
        let d = &mut *self;
        d.access = match access {
            Ok(a) => Load::Ready(a),
            Err(e) => Load::Failed(format!("{}: {}", e.code.as_str(), e.message)),
        };
        let n = d.access_principals().len();
        d.access_principal = d.access_principal.min(n.saturating_sub(1));
        let m = d.selected_principal().map_or(0, |p| p.decisions.len());
        d.access_action = d.access_action.min(m.saturating_sub(1));
        vec![]
    }

    /// After the operator's own act: re-read the audited tab on screen (another process's
    /// change does not, or two consoles would keep re-reading each other's audit events).
    pub(crate) fn reload_after_act(&mut self, sh: &mut Shell) -> Vec<Effect> {
        match Some(self.tab) {
            Some(Tab::Policy) if sh.screen == Screen::Detail => self.load_policy(sh),
            Some(Tab::Access) if sh.screen == Screen::Detail => self.load_access(sh),
            Some(Tab::Rotation) if sh.screen == Screen::Detail => self.load_approval(sh),
            _ => vec![],
        }
    }

    pub(crate) fn policy_key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let d = &mut *self;
        let n = d.policy_lines();
        match cmd {
            Cmd::Up => d.policy_scroll = d.policy_scroll.saturating_sub(1),
            Cmd::Down => d.policy_scroll = (d.policy_scroll + 1).min(n.saturating_sub(1)),
            Cmd::PageUp => d.policy_scroll = d.policy_scroll.saturating_sub(10),
            Cmd::PageDown => d.policy_scroll = (d.policy_scroll + 10).min(n.saturating_sub(1)),
            Cmd::Top => d.policy_scroll = 0,
            Cmd::Bottom => d.policy_scroll = n.saturating_sub(1),
            Cmd::Reload => return self.load_policy(sh),
            Cmd::EditPolicy => self.edit_policy(sh),
            Cmd::DeletePolicy => self.ask_delete_policy(sh),
            _ => {}
        }
        vec![]
    }

    /// Opens the editor on the policy as loaded (or on a template when there is none).
    pub(crate) fn edit_policy(&mut self, sh: &mut Shell) {
        let d = &*self;
        let Some(p) = d.policy.ready() else {
            sh.info("The policy has not loaded yet (r reloads it).");
            return;
        };
        let text = match &p.policy {
            Some(text) => pretty(text),
            None => template(sh.session.as_ref().map_or("", |s| s.account.as_str())),
        };
        let editor = PolicyEditor::new(d.arn.clone(), d.name.clone(), &text);
        sh.popup = Some(Popup::PolicyEditor(editor));
    }

    pub(crate) fn ask_delete_policy(&mut self, sh: &mut Shell) {
        let d = &*self;
        if d.policy.ready().is_some_and(|p| p.policy.is_none()) {
            sh.info("This secret has no resource policy.");
            return;
        }
        let lines = vec![
            format!("Delete the resource policy of {}?", d.name),
            "Whoever it allows (another account; a role with no identity policy of its own) loses that access at once.".into(),
            "Whoever it denies is no longer denied by it: their identity policies alone decide.".into(),
        ];
        let arn = d.arn.clone();
        sh.popup = Some(Popup::Confirm(Confirm::new(
            "Delete the resource policy",
            lines,
            Request::DeletePolicy { arn },
        )));
    }

    pub(crate) fn access_key(&mut self, sh: &mut Shell, cmd: Cmd) -> Vec<Effect> {
        let d = &mut *self;
        let principals = d.access_principals().len();
        let actions = d.selected_principal().map_or(0, |p| p.decisions.len());
        let (sel, n) = if d.access_on_actions {
            (&mut d.access_action, actions)
        } else {
            (&mut d.access_principal, principals)
        };
        match cmd {
            Cmd::Up => *sel = sel.saturating_sub(1),
            Cmd::Down => *sel = (*sel + 1).min(n.saturating_sub(1)),
            Cmd::PageUp => *sel = sel.saturating_sub(10),
            Cmd::PageDown => *sel = (*sel + 10).min(n.saturating_sub(1)),
            Cmd::Top => *sel = 0,
            Cmd::Bottom => *sel = n.saturating_sub(1),
            Cmd::Left => d.access_on_actions = false,
            Cmd::Right => d.access_on_actions = true,
            Cmd::Reload => return self.load_access(sh),
            _ => {}
        }
        vec![]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{Action, Loaded};
    use crate::tui::app::{App, Screen, Session};
    use crate::tui::theme::Theme;
    use coffer_core::policy::{ValidationFinding, ValidationReport};
    use coffer_core::vault::policies::DecidingStatement;

    fn app(tab: Tab) -> (App, Vec<Effect>) {
        let mut a = App::new("v".into(), None, false, 300_000, Theme { color: false });
        a.sh.session = Some(Session {
            operator: "admin".into(),
            account: "123456789012".into(),
            region: "us-east-1".into(),
            principal_arn: "arn:aws:iam::123456789012:user/admin".into(),
        });
        a.detail = Some(DetailState::new("arn:s".into(), "prod/db".into()));
        a.sh.screen = Screen::Detail;
        let fx = a.select_tab(tab);
        (a, fx)
    }

    fn seq_of(fx: &[Effect]) -> u64 {
        match fx {
            [Effect::Send(Request::Policy { seq, .. } | Request::Access { seq, .. })] => *seq,
            other => panic!("expected one load, got {other:?}"),
        }
    }

    fn decision(action: &str, decision: &str) -> ActionDecision {
        ActionDecision {
            action: action.into(),
            decision: decision.into(),
            statements: vec![DecidingStatement {
                policy_id: "p".into(),
                policy_type: "IAM Policy".into(),
                sid: Some("S".into()),
                effect: "Allow".into(),
            }],
        }
    }

    fn access() -> EffectiveAccess {
        let p = |name: &str| PrincipalAccess {
            principal_arn: format!("arn:aws:iam::1:user/{name}"),
            decisions: vec![
                decision("secretsmanager:GetSecretValue", "allowed"),
                decision("secretsmanager:DescribeSecret", "implicitDeny"),
                decision("kms:Decrypt", "explicitDeny"),
            ],
        };
        EffectiveAccess {
            arn: "arn:s".into(),
            name: "prod/db".into(),
            principals: vec![p("admin"), p("app"), p("intern")],
        }
    }

    #[test]
    fn opening_the_policy_tab_loads_it_and_a_stale_answer_is_dropped() {
        let (mut a, fx) = app(Tab::Policy);
        let seq = seq_of(&fx);
        assert_eq!(a.ctx(), crate::tui::keymap::Ctx::Policy);
        assert!(matches!(a.detail.as_ref().unwrap().policy, Load::Loading));
        let view = PolicyView {
            policy: Some(r#"{"Version":"2012-10-17","Statement":[]}"#.into()),
            report: Some(ValidationReport {
                policy_validation_passed: false,
                validation_errors: vec![ValidationFinding {
                    check_name: "C".into(),
                    error_message: "m".into(),
                }],
            }),
        };
        a.update(Action::loaded(Loaded::Policy {
            seq: seq + 99,
            policy: Ok(view.clone()),
        }));
        assert!(matches!(a.detail.as_ref().unwrap().policy, Load::Loading));
        a.update(Action::loaded(Loaded::Policy {
            seq,
            policy: Ok(view),
        }));
        let d = a.detail.as_ref().unwrap();
        assert_eq!(d.policy_lines(), 4);
        a.update(Action::Key(Cmd::Down));
        a.update(Action::Key(Cmd::Bottom));
        assert_eq!(a.detail.as_ref().unwrap().policy_scroll, 3);
        let fx = a.update(Action::Key(Cmd::Reload));
        assert!(matches!(&fx[..], [Effect::Send(Request::Policy { .. })]));
    }

    #[test]
    fn a_failed_load_is_shown_in_the_tab() {
        let (mut a, fx) = app(Tab::Access);
        a.update(Action::loaded(Loaded::Access {
            seq: seq_of(&fx),
            access: Err(Error::new(
                coffer_core::ErrorCode::AccessDenied,
                "not authorized",
            )),
        }));
        assert!(
            matches!(&a.detail.as_ref().unwrap().access, Load::Failed(m) if m.starts_with("AccessDeniedException"))
        );
    }

    #[test]
    fn live_refreshes_do_not_reload_but_own_acts_do() {
        let (mut a, _) = app(Tab::Access);
        let fx = a.update(Action::loaded(Loaded::Changed));
        assert!(
            !fx.iter()
                .any(|e| matches!(e, Effect::Send(Request::Access { .. })))
        );
        let fx = a.update(Action::loaded(Loaded::Done("Tagged.".into())));
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::Send(Request::Access { .. })))
        );
    }

    #[test]
    fn edit_opens_the_stored_policy_or_a_template() {
        let (mut a, fx) = app(Tab::Policy);
        a.update(Action::Key(Cmd::EditPolicy));
        assert!(a.sh.popup.is_none(), "not before the policy has loaded");
        a.update(Action::loaded(Loaded::Policy {
            seq: seq_of(&fx),
            policy: Ok(PolicyView {
                policy: None,
                report: None,
            }),
        }));
        a.update(Action::Key(Cmd::DeletePolicy));
        assert!(a.sh.popup.is_none(), "nothing to delete");
        a.update(Action::Key(Cmd::EditPolicy));
        let Some(Popup::PolicyEditor(e)) = &a.sh.popup else {
            panic!("the editor")
        };
        assert!(e.text().contains("arn:aws:iam::123456789012:role/app"));
        assert!(e.block_public);
        let (mut a, fx) = app(Tab::Policy);
        a.update(Action::loaded(Loaded::Policy {
            seq: seq_of(&fx),
            policy: Ok(PolicyView {
                policy: Some(r#"{"Version":"2012-10-17"}"#.into()),
                report: None,
            }),
        }));
        a.update(Action::Key(Cmd::EditPolicy));
        let Some(Popup::PolicyEditor(e)) = &a.sh.popup else {
            panic!("the editor")
        };
        assert_eq!(e.text(), "{\n  \"Version\": \"2012-10-17\"\n}");
    }

    #[test]
    fn pretty_printing_keeps_the_key_order_and_strings() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Sid":"a, b: {c}","Action":[],"Principal":{ }}]}"#;
        assert_eq!(
            pretty(text),
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"a, b: {c}\",\n      \"Action\": [],\n      \"Principal\": {}\n    }\n  ]\n}"
        );
        assert_eq!(
            pretty(r#"{"q":"say \"hi\", {x}"}"#),
            "{\n  \"q\": \"say \\\"hi\\\", {x}\"\n}"
        );
        assert_eq!(pretty("not json"), "not json");
    }

    #[test]
    fn delete_confirms_with_no_by_default() {
        let (mut a, fx) = app(Tab::Policy);
        a.update(Action::loaded(Loaded::Policy {
            seq: seq_of(&fx),
            policy: Ok(PolicyView {
                policy: Some("{}".into()),
                report: None,
            }),
        }));
        a.update(Action::Key(Cmd::DeletePolicy));
        let Some(Popup::Confirm(c)) = &a.sh.popup else {
            panic!("a confirmation")
        };
        assert!(!c.yes);
        assert!(matches!(c.request, Some(Request::DeletePolicy { .. })));
        assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
        a.update(Action::Key(Cmd::DeletePolicy));
        let fx = a.update(Action::Key(Cmd::Yes));
        assert!(matches!(&fx[..], [Effect::Send(Request::DeletePolicy { arn })] if arn == "arn:s"));
        a.sh.read_only = true;
        a.update(Action::Key(Cmd::DeletePolicy));
        assert!(a.update(Action::Key(Cmd::Yes)).is_empty());
        assert!(
            a.sh.status
                .as_ref()
                .unwrap()
                .text
                .contains("DeleteResourcePolicy")
        );
    }

    #[test]
    fn arrows_move_through_principals_then_actions() {
        let (mut a, fx) = app(Tab::Access);
        a.update(Action::loaded(Loaded::Access {
            seq: seq_of(&fx),
            access: Ok(access()),
        }));
        a.update(Action::Key(Cmd::Down));
        a.update(Action::Key(Cmd::Down));
        a.update(Action::Key(Cmd::Down));
        let d = a.detail.as_ref().unwrap();
        assert_eq!((d.access_principal, d.access_action), (2, 0));
        a.update(Action::Key(Cmd::Right));
        a.update(Action::Key(Cmd::Bottom));
        let d = a.detail.as_ref().unwrap();
        assert_eq!(d.access_action, 2);
        assert_eq!(d.selected_decision().unwrap().decision, "explicitDeny");
        a.update(Action::Key(Cmd::Left));
        a.update(Action::Key(Cmd::Top));
        let d = a.detail.as_ref().unwrap();
        assert_eq!((d.access_principal, d.access_action), (0, 2));
    }

    #[test]
    fn clicks_pick_the_tab_a_principal_and_an_action() {
        let (mut a, _) = app(Tab::Overview);
        a.update(Action::Resize(80, 24));
        let tabs = crate::tui::layout::detail(a.sh.body()).1;
        let (_, x0, _) = crate::tui::screens::detail_view::tab_spans(tabs)
            .into_iter()
            .find(|(t, _, _)| *t == Tab::Access)
            .unwrap();
        let fx = a.update(Action::Click {
            column: x0 + 1,
            row: tabs.y,
        });
        assert_eq!(a.detail.as_ref().unwrap().tab, Tab::Access);
        a.update(Action::loaded(Loaded::Access {
            seq: seq_of(&fx),
            access: Ok(access()),
        }));
        let content = crate::tui::layout::detail(a.sh.body()).2;
        let (principals, actions, _) = crate::tui::layout::access(content);
        a.update(Action::Click {
            column: principals.x + 2,
            row: principals.y + 3,
        });
        a.update(Action::Click {
            column: actions.x + 2,
            row: actions.y + 2,
        });
        let d = a.detail.as_ref().unwrap();
        assert_eq!((d.access_principal, d.access_action), (2, 1));
        assert!(d.access_on_actions);
        a.update(Action::Click {
            column: principals.x + 2,
            row: principals.y + 1,
        });
        let d = a.detail.as_ref().unwrap();
        assert_eq!((d.access_principal, d.access_on_actions), (0, false));
    }

    #[test]
    fn the_palette_opens_the_tabs_and_their_acts() {
        let (mut a, _) = app(Tab::Overview);
        let fx = a.run_command("access");
        assert!(matches!(&fx[..], [Effect::Send(Request::Access { .. })]));
        assert_eq!(a.detail.as_ref().unwrap().tab, Tab::Access);
        let fx = a.run_command("policy-put");
        assert!(a.sh.popup.is_none());
        assert!(a.sh.status.as_ref().unwrap().text.contains("again once"));
        a.update(Action::loaded(Loaded::Policy {
            seq: seq_of(&fx),
            policy: Ok(PolicyView {
                policy: Some("{}".into()),
                report: None,
            }),
        }));
        a.run_command("policy-put");
        assert!(matches!(a.sh.popup, Some(Popup::PolicyEditor(_))));
        a.sh.popup = None;
        a.run_command("policy-delete");
        assert!(matches!(a.sh.popup, Some(Popup::Confirm(_))));
        a.sh.popup = None;
        let fx = a.run_command("policy");
        assert!(matches!(&fx[..], [Effect::Send(Request::Policy { .. })]));
    }

    #[test]
    fn names_and_actions_shorten() {
        assert_eq!(
            short_action("secretsmanager:GetSecretValue"),
            "GetSecretValue"
        );
        assert_eq!(short_action("kms:Decrypt"), "kms:Decrypt");
        assert_eq!(
            principal_label("arn:aws:iam::1:user/ops/alice"),
            ("ops/alice".into(), "user")
        );
        assert_eq!(
            principal_label("arn:aws:sts::1:assumed-role/deployer/coffer"),
            ("deployer".into(), "role")
        );
    }
}
