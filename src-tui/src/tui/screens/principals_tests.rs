//! The Principals screen's tests, driven through the console as an operator would.

use super::*;
use crate::tui::action::{AccessKeyMetadata, Action, Loaded};
use crate::tui::app::App;
use crate::tui::keymap::Ctx;
use crate::tui::popups::InputFor;
use coffer_core::Operation;
use coffer_core::vault::iam::{ADMINISTRATOR_ACCESS, SECRETS_MANAGER_READ_WRITE};

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
        AccessKeyMetadata {
            user_name: "app1".into(),
            access_key_id: "AKIA1".into(),
            status: "Active".into(),
            create_date: 0.0,
        },
        AccessKeyMetadata {
            user_name: "app1".into(),
            access_key_id: "AKIA2".into(),
            status: "Inactive".into(),
            create_date: 0.0,
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
        a.sh.status
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
    assert!(a.sh.status.as_ref().unwrap().error);
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
    assert!(a.sh.popup.is_none());
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
    assert!(matches!(&a.sh.popup, Some(Popup::Input(i)) if i.masked));
    typed(&mut a, "pass one");
    a.update(Action::Key(Cmd::Submit));
    typed(&mut a, "pass two");
    assert!(a.update(Action::Key(Cmd::Submit)).is_empty());
    assert!(a.sh.status.as_ref().unwrap().text.contains("do not match"));
    assert!(a.sh.popup.is_none());
    a.update(Action::Key(Cmd::Create));
    typed(&mut a, "bob");
    a.update(Action::Key(Cmd::Submit));
    typed(&mut a, "pass one");
    a.update(Action::Key(Cmd::Submit));
    let shown = format!("{:?}", a.sh.popup);
    assert!(!shown.contains("pass one"), "{shown}");
    typed(&mut a, "pass one");
    let fx = a.update(Action::Key(Cmd::Submit));
    assert!(matches!(&fx[..], [Effect::Send(Request::AddOperator { name, .. })] if name == "bob"));
    assert!(!format!("{fx:?}").contains("pass one"));
}

#[test]
fn removing_an_operator_confirms_the_re_key_default_no() {
    let mut a = app();
    select(&mut a, "admin");
    assert!(a.update(Action::Key(Cmd::Remove)).is_empty());
    let Some(Popup::Confirm(c)) = &a.sh.popup else {
        panic!()
    };
    assert!(c.lines.iter().any(|l| l.contains("re-keyed")));
    assert!(
        a.update(Action::Key(Cmd::Submit)).is_empty(),
        "No by default"
    );
    a.update(Action::Key(Cmd::Remove));
    let fx = a.update(Action::Key(Cmd::Yes));
    assert!(matches!(&fx[..], [Effect::Send(Request::RemoveOperator { name })] if name == "admin"));
    a.update(Action::loaded(Loaded::Failed {
        operation: Operation::RemoveOperator,
        error: coffer_core::Error::invalid_request(
            "You can't remove the operator you unlocked the vault as",
        ),
    }));
    assert!(
        a.sh.status
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
    assert!(matches!(&a.sh.popup, Some(Popup::Input(i)) if i.value.as_str() == "1"));
    a.update(Action::Key(Cmd::Submit));
    let fx = a.update(Action::Key(Cmd::Yes));
    assert!(matches!(
        &fx[..],
        [Effect::Send(Request::DeleteInlinePolicy { policy_name, .. })] if policy_name == "read"
    ));
    select(&mut a, "devs");
    assert!(a.update(Action::Key(Cmd::DeletePolicy)).is_empty());
    assert!(
        a.sh.status
            .as_ref()
            .unwrap()
            .text
            .contains("no inline policy")
    );
}

#[test]
fn attach_offers_aws_and_vault_policies_and_detach_what_is_attached() {
    let mut a = app();
    select(&mut a, "app1");
    a.update(Action::Key(Cmd::Attach));
    let Some(Popup::Input(i)) = &a.sh.popup else {
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
    assert!(a.sh.status.as_ref().unwrap().error);
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
    assert_eq!(a.sh.screen, Screen::Principals);
    select(&mut a, "devs");
    a.update(Action::Key(Cmd::SwitchPane));
    assert!(!a.principals.key_focus, "a group has no keys");
    assert!(a.update(Action::Key(Cmd::NewKey)).is_empty());
    a.update(Action::Key(Cmd::Back));
    assert_eq!(a.sh.screen, Screen::Secrets);
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
    assert!(!format!("{:?}", a.sh.popup).contains("wJalr"));
    let fx = a.update(Action::Key(Cmd::CopyKey));
    assert!(
        matches!(&fx[..], [Effect::Copy { text, .. }] if text.as_str() == "wJalrXUtnFEMI/K7MDENG")
    );
    assert!(a.sh.copied.is_some());
    a.update(Action::Key(Cmd::Cancel));
    assert!(a.sh.popup.is_none());
}

#[test]
fn read_only_refuses_every_act_before_a_dialog() {
    let mut a = app();
    a.sh.read_only = true;
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
        a.sh.status = None;
        assert!(a.update(Action::Key(cmd)).is_empty(), "{cmd:?}");
        assert!(a.sh.popup.is_none(), "{cmd:?}");
        assert!(
            a.sh.status.as_ref().unwrap().text.contains("Read-only"),
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
    a.sh.popup = None;
    a.run_command("operator-add bob");
    assert!(matches!(&a.sh.popup, Some(Popup::Input(i)) if i.masked));
    a.sh.popup = None;
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
    assert!(a.sh.status.as_ref().unwrap().error);
    a.sh.screen = Screen::Secrets;
    let fx = a.run_command("key-toggle");
    assert_eq!(a.sh.screen, Screen::Principals);
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
