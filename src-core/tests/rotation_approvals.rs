//! Rotation approvals hold for people: a secret's own setting cannot switch off the vault's
//! requirement, and under the two-person rule an operator cannot approve their own request by
//! making it (or deciding) under another ARN — an application's access key or a role's that
//! they created — nor can a principal no operator stands behind be the second person.

mod common;

use coffer_core::Passphrase;
use coffer_core::api::*;
use coffer_core::rotation::Engine;
use coffer_core::vault::iam::{CreateEntity, EntityKind};
use coffer_core::vault::rotation::*;
use coffer_core::{Caller, ErrorCode, FrontEnd, Vault};
use common::*;
use jiff::SignedDuration;

const ADMIN: &str = "arn:aws:iam::111122223333:user/admin";
const BOB: &str = "arn:aws:iam::111122223333:user/bob";
const APP: &str = "arn:aws:iam::111122223333:user/app1";

const APPROVER: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["coffer:ApproveRotation","secretsmanager:DescribeSecret"],"Resource":"*"}]}"#;
const ROTATOR: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:RotateSecret","secretsmanager:DescribeSecret"],"Resource":"*"}]}"#;

struct Rig {
    f: Fixture,
    function_arn: String,
}

/// A vault whose rotations all need approval under the two-person rule, with a secret `s`,
/// a password rotation function, and a second operator, bob, who may approve.
fn rig() -> Rig {
    let f = fixture();
    let admin = f.caller.clone();
    f.create("s", Some("v1"));
    let function_arn = f
        .vault
        .create_rotation_function(
            &admin,
            CreateRotationFunctionRequest {
                name: "pw".into(),
                description: None,
                kind: FunctionKind::Password {
                    json_key: None,
                    options: GetRandomPasswordRequest::default(),
                },
            },
        )
        .unwrap()
        .arn;
    f.vault
        .put_rotation_approval(
            &admin,
            PutRotationApprovalRequest {
                secret_id: None,
                require_approval: Some(true),
                two_person_rule: Some(true),
            },
        )
        .unwrap();
    f.vault
        .add_operator(
            &admin,
            "bob",
            &Passphrase::new("bob's passphrase".into()),
            Some((19456, 2)),
        )
        .unwrap();
    allow(&f.vault, EntityKind::User, "bob", APPROVER);
    Rig { f, function_arn }
}

fn allow(vault: &Vault, kind: EntityKind, name: &str, policy: &str) {
    let admin = vault.caller(FrontEnd::Cli);
    vault
        .iam_put_inline_policy(&admin, kind, name, "p", policy)
        .unwrap();
}

/// An IAM user or role with `policy` and an access key that admin (an operator) creates.
fn principal_with_key(vault: &Vault, kind: EntityKind, name: &str, policy: &str) -> String {
    let admin = vault.caller(FrontEnd::Cli);
    let mut req = CreateEntity::new(kind, name);
    if kind == EntityKind::Role {
        req.document = Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#.into(),
        );
    }
    vault.iam_create(&admin, req).unwrap();
    allow(vault, kind, name, policy);
    vault
        .iam_create_access_key(&admin, kind, name)
        .unwrap()
        .principal_arn
}

fn endpoint(arn: &str) -> Caller {
    Caller::principal(arn, FrontEnd::Endpoint)
}

impl Rig {
    fn vault(&self) -> &Vault {
        &self.f.vault
    }

    fn rotate(&self, c: &Caller, now: bool, rules: Option<RotationRules>) -> RotateSecretResponse {
        self.vault()
            .rotate_secret(
                c,
                RotateSecretRequest {
                    secret_id: "s".into(),
                    rotation_lambda_arn: Some(self.function_arn.clone()),
                    rotation_rules: rules,
                    rotate_immediately: Some(now),
                    ..Default::default()
                },
            )
            .unwrap()
    }

    fn approve(&self, c: &Caller) -> coffer_core::Result<RotationAttempt> {
        self.vault().approve_rotation(
            c,
            DecideRotationRequest {
                secret_id: "s".into(),
                reason: None,
            },
        )
    }

    fn waiting(&self) -> RotationAttempt {
        let mut pending = self
            .vault()
            .list_pending_rotations(&self.f.caller)
            .unwrap()
            .attempts;
        assert_eq!(pending.len(), 1);
        pending.remove(0)
    }
}

fn refusal(r: coffer_core::Result<RotationAttempt>) -> String {
    match r {
        Ok(a) => panic!("the decision was taken: {a:?}"),
        Err(e) => {
            assert_eq!(e.code, ErrorCode::AccessDenied, "{e}");
            e.message
        }
    }
}

#[test]
fn a_secrets_own_setting_cannot_switch_off_the_vaults_approval_or_two_person_rule() {
    let f = fixture();
    let admin = f.caller.clone();
    f.create("s", Some("v1"));
    let put = |secret: Option<&str>, require: Option<bool>, two: Option<bool>| {
        f.vault.put_rotation_approval(
            &admin,
            PutRotationApprovalRequest {
                secret_id: secret.map(str::to_string),
                require_approval: require,
                two_person_rule: two,
            },
        )
    };
    // Set to "off" on the secret while the vault requires nothing, then the vault requires both.
    put(Some("s"), Some(false), Some(false)).unwrap();
    put(None, Some(true), Some(true)).unwrap();
    let in_force = f.vault.rotation_approval(&admin, Some("s")).unwrap();
    assert!(in_force.require_approval && in_force.two_person_rule);
    // Switching them off on the secret now is refused, and changes nothing.
    for (require, two) in [(Some(false), None), (None, Some(false))] {
        let e = put(Some("s"), require, two).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest, "{e}");
        assert!(e.message.contains("a secret cannot turn it off"), "{e}");
    }
    assert_eq!(
        f.vault.rotation_approval(&admin, Some("s")).unwrap(),
        in_force
    );
    // A rotation of the secret waits for a second person.
    let function = f
        .vault
        .create_rotation_function(
            &admin,
            CreateRotationFunctionRequest {
                name: "pw".into(),
                description: None,
                kind: FunctionKind::Password {
                    json_key: None,
                    options: GetRandomPasswordRequest::default(),
                },
            },
        )
        .unwrap();
    f.vault
        .rotate_secret(
            &admin,
            RotateSecretRequest {
                secret_id: "s".into(),
                rotation_lambda_arn: Some(function.arn),
                ..Default::default()
            },
        )
        .unwrap();
    let a = f
        .vault
        .list_pending_rotations(&admin)
        .unwrap()
        .attempts
        .remove(0);
    assert_eq!(a.status, AttemptStatus::AwaitingApproval);
    assert!(a.two_person_rule);
    // A secret can still add a requirement the vault does not have.
    put(None, Some(false), Some(false)).unwrap();
    put(Some("s"), Some(true), None).unwrap();
    let added = f.vault.rotation_approval(&admin, Some("s")).unwrap();
    assert!(added.require_approval && !added.two_person_rule);
}

#[test]
fn an_operator_cannot_approve_what_they_asked_for_through_an_apps_access_key() {
    let r = rig();
    let app = principal_with_key(r.vault(), EntityKind::User, "app1", ROTATOR);
    assert_eq!(app, APP);
    r.rotate(&endpoint(APP), true, None);
    let a = r.waiting();
    assert_eq!(a.requested_by, APP);
    let on_behalf = a.on_behalf_of.clone().unwrap();
    assert_eq!(on_behalf.principal_arn, APP);
    assert_eq!(on_behalf.people, vec![ADMIN.to_string()]);
    // admin created app1's key: the request is as much admin's as app1's.
    assert!(!a.may_decide(ADMIN));
    assert!(a.may_decide(BOB));
    let why = refusal(r.approve(&r.f.caller));
    assert!(why.contains("two-person rule"), "{why}");
    let approved = r.approve(&endpoint(BOB)).unwrap();
    assert_eq!(approved.status, AttemptStatus::Running);
    assert_eq!(approved.decision.unwrap().by, BOB);
}

#[test]
fn an_operator_cannot_approve_their_console_request_through_a_roles_access_key() {
    let r = rig();
    let role = principal_with_key(r.vault(), EntityKind::Role, "deployer", APPROVER);
    assert!(role.contains(":assumed-role/deployer/"), "{role}");
    r.rotate(&r.f.caller, true, None);
    let a = r.waiting();
    assert_eq!(a.on_behalf_of.as_ref().unwrap().people, vec![ADMIN]);
    // The role's key is admin's (admin created it): admin deciding through it is refused.
    let why = refusal(r.approve(&endpoint(&role)));
    assert!(why.contains("two-person rule"), "{why}");
    // A principal nobody is known to stand behind cannot be the second person either.
    r.vault()
        .iam_create(&r.f.caller, CreateEntity::new(EntityKind::User, "carol"))
        .unwrap();
    allow(r.vault(), EntityKind::User, "carol", APPROVER);
    let why = refusal(r.approve(&endpoint("arn:aws:iam::111122223333:user/carol")));
    assert!(why.contains("not an operator the vault knows"), "{why}");
    assert_eq!(r.waiting().status, AttemptStatus::AwaitingApproval);
    r.approve(&endpoint(BOB)).unwrap();
}

#[test]
fn a_scheduled_rotation_acts_for_whoever_configured_it_and_needs_a_person_to_approve_it() {
    let r = rig();
    principal_with_key(r.vault(), EntityKind::User, "app1", ROTATOR);
    r.rotate(
        &endpoint(APP),
        false,
        Some(RotationRules {
            automatically_after_days: Some(1),
            ..Default::default()
        }),
    );
    r.f.clock.advance(SignedDuration::from_hours(13));
    assert!(
        Engine::new()
            .run_due(&std::sync::Arc::new(r.f.reopen()))
            .unwrap()
            .is_empty()
    );
    let a = r.waiting();
    assert_eq!(a.trigger, "Schedule");
    assert_eq!(a.requested_by, "secretsmanager.amazonaws.com");
    assert_eq!(a.acting_for(), Some(APP));
    assert_eq!(a.on_behalf_of.as_ref().unwrap().people, vec![ADMIN]);
    // The schedule asked, not a person: the configurer may decide, a principal no operator
    // stands behind may not.
    assert!(a.may_decide(ADMIN));
    r.vault()
        .iam_create(&r.f.caller, CreateEntity::new(EntityKind::User, "carol"))
        .unwrap();
    allow(r.vault(), EntityKind::User, "carol", APPROVER);
    let why = refusal(r.approve(&endpoint("arn:aws:iam::111122223333:user/carol")));
    assert!(why.contains("not an operator the vault knows"), "{why}");
    r.approve(&r.f.caller).unwrap();
}
