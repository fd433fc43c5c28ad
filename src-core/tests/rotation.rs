//! Rotation through the one door with the built-in password function: RotateSecret and
//! CancelRotateSecret, the engine's label choreography, approvals and the two-person rule,
//! schedules that start exactly once, the rotation principal's scope, and what the file shows.

mod common;

use std::sync::Arc;

use coffer_core::api::*;
use coffer_core::rotation::engine::step_caller;
use coffer_core::rotation::{Engine, Step};
use coffer_core::vault::iam::EntityKind;
use coffer_core::vault::rotation::*;
use coffer_core::{Caller, ErrorCode, FrontEnd, SecretText, Vault};
use common::*;
use jiff::SignedDuration;

struct Rig {
    f: Fixture,
    vault: Arc<Vault>,
}

fn rig() -> Rig {
    let f = fixture();
    let vault = Arc::new(f.reopen());
    Rig { f, vault }
}

impl Rig {
    fn caller(&self) -> Caller {
        self.vault.caller(FrontEnd::Cli)
    }

    fn password_function(&self, name: &str) -> RotationFunction {
        self.vault
            .create_rotation_function(
                &self.caller(),
                CreateRotationFunctionRequest {
                    name: name.into(),
                    description: None,
                    kind: FunctionKind::Password {
                        json_key: None,
                        options: GetRandomPasswordRequest {
                            password_length: Some(24),
                            ..Default::default()
                        },
                    },
                },
            )
            .unwrap()
    }

    fn create(&self, name: &str, value: &str) {
        self.vault
            .create_secret(
                &self.caller(),
                CreateSecretRequest {
                    name: name.into(),
                    secret_string: Some(SecretText::new(value.into())),
                    ..Default::default()
                },
            )
            .unwrap();
    }

    fn rotate(
        &self,
        id: &str,
        arn: Option<&str>,
        rules: Option<RotationRules>,
        now: bool,
    ) -> coffer_core::Result<RotateSecretResponse> {
        self.vault.rotate_secret(
            &self.caller(),
            RotateSecretRequest {
                secret_id: id.into(),
                rotation_lambda_arn: arn.map(str::to_string),
                rotation_rules: rules,
                rotate_immediately: Some(now),
                ..Default::default()
            },
        )
    }

    fn value(&self, id: &str, stage: &str) -> Option<String> {
        match self.vault.get_secret_value(
            &self.caller(),
            GetSecretValueRequest {
                secret_id: id.into(),
                version_id: None,
                version_stage: Some(stage.into()),
            },
        ) {
            Ok(r) => match r.value {
                coffer_core::SecretValue::String(s) => Some(s.expose().to_string()),
                coffer_core::SecretValue::Binary(_) => None,
            },
            Err(_) => None,
        }
    }

    /// Rotations of `secret` (or, with `None`, of every secret) wait for approval.
    fn require_approval(&self, secret: Option<&str>, two_person: bool) {
        self.vault
            .put_rotation_approval(
                &self.caller(),
                PutRotationApprovalRequest {
                    secret_id: secret.map(str::to_string),
                    require_approval: Some(true),
                    two_person_rule: two_person.then_some(true),
                },
            )
            .unwrap();
    }

    fn history(&self, id: &str) -> Vec<RotationAttempt> {
        self.vault
            .rotation_history(
                &self.caller(),
                &RotationHistoryRequest {
                    secret_id: id.into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .attempts
    }

    fn describe(&self, id: &str) -> DescribeSecretResponse {
        self.vault
            .describe_secret(
                &self.caller(),
                SecretIdRequest {
                    secret_id: id.into(),
                },
            )
            .unwrap()
    }
}

fn days(n: i64) -> Option<RotationRules> {
    Some(RotationRules {
        automatically_after_days: Some(n),
        ..Default::default()
    })
}

#[test]
fn a_password_rotation_moves_awscurrent_to_a_new_password_and_keeps_the_old_as_awsprevious() {
    let r = rig();
    let f = r.password_function("pw");
    r.create("app/db", r#"{"username":"app","password":"old-password"}"#);
    let resp = r.rotate("app/db", Some(&f.arn), days(30), true).unwrap();
    let token = resp.version_id.clone().unwrap();
    // Before the engine runs, the new version exists with AWSPENDING and no value.
    let stages = r.describe("app/db").version_ids_to_stages;
    assert_eq!(stages[&token], vec!["AWSPENDING".to_string()]);
    assert_eq!(r.value("app/db", "AWSPENDING"), None);

    let ran = Engine::new().run_due(&r.vault).unwrap();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].status, AttemptStatus::Succeeded);
    assert_eq!(ran[0].token, token);

    let current: serde_json::Value =
        serde_json::from_str(&r.value("app/db", "AWSCURRENT").unwrap()).unwrap();
    assert_eq!(current["username"], "app");
    let new_password = current["password"].as_str().unwrap();
    assert_eq!(new_password.len(), 24);
    assert_ne!(new_password, "old-password");
    assert!(
        r.value("app/db", "AWSPREVIOUS")
            .unwrap()
            .contains("old-password")
    );
    let d = r.describe("app/db");
    assert_eq!(
        d.version_ids_to_stages[&token],
        vec!["AWSCURRENT".to_string()]
    );
    assert_eq!(d.rotation_enabled, Some(true));
    assert_eq!(d.rotation_lambda_arn.as_deref(), Some(f.arn.as_str()));
    assert_eq!(d.rotation_rules, days(30));
    let last = d.last_rotated_date.unwrap();
    let next = d.next_rotation_date.unwrap();
    assert!(next > last + 29.0 * 86_400.0, "{last} {next}");

    let h = r.history("app/db");
    assert_eq!(h.len(), 1);
    let steps: Vec<Step> = h[0].steps.iter().map(|s| s.step).collect();
    assert_eq!(steps, Step::ALL.to_vec());
    assert!(
        h[0].steps
            .iter()
            .all(|s| s.outcome == StepOutcome::Succeeded && s.duration_ms.is_some())
    );
    assert_eq!(h[0].requested_by, r.caller().principal_arn);
    let log = serde_json::to_string(&h).unwrap();
    assert!(!log.contains(new_password) && !log.contains("old-password"));
}

#[test]
fn a_plain_string_secret_gets_a_whole_new_password() {
    let r = rig();
    let f = r.password_function("pw");
    r.create("api/token", "plain-old-token");
    r.rotate("api/token", Some(&f.arn), None, true).unwrap();
    Engine::new().run_due(&r.vault).unwrap();
    let v = r.value("api/token", "AWSCURRENT").unwrap();
    assert_eq!(v.len(), 24);
    assert_eq!(
        r.value("api/token", "AWSPREVIOUS").unwrap(),
        "plain-old-token"
    );
    // Without rules it rotated once and nothing is scheduled.
    let d = r.describe("api/token");
    assert_eq!(d.rotation_enabled, Some(true));
    assert_eq!(d.next_rotation_date, None);
}

#[test]
fn rotate_secret_refuses_bad_rules_a_missing_function_and_a_rotation_in_progress() {
    let r = rig();
    r.create("s", "v");
    assert_eq!(
        code(r.rotate("s", None, days(3), true)),
        ErrorCode::InvalidRequest
    );
    let missing = "arn:aws:lambda:us-east-1:111122223333:function:nope";
    assert_eq!(
        code(r.rotate("s", Some(missing), days(3), true)),
        ErrorCode::InvalidRequest
    );
    let f = r.password_function("pw");
    assert_eq!(
        code(r.rotate("s", Some(&f.arn), days(0), true)),
        ErrorCode::InvalidParameter
    );
    r.rotate("s", Some(&f.arn), days(3), true).unwrap();
    let e = r.rotate("s", None, None, true).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidRequest);
    assert!(
        e.message.contains("previous rotation isn't complete"),
        "{}",
        e.message
    );
    assert_eq!(
        code(
            r.vault
                .delete_rotation_function(&r.caller(), FunctionNameRequest { name: "pw".into() })
        ),
        ErrorCode::InvalidRequest
    );
}

#[test]
fn approval_holds_a_rotation_until_an_operator_approves_it() {
    let r = rig();
    let f = r.password_function("pw");
    r.create("s", "v1");
    r.require_approval(Some("s"), false);
    let token = r
        .rotate("s", Some(&f.arn), None, true)
        .unwrap()
        .version_id
        .unwrap();
    // Waiting: no AWSPENDING yet, and the engine leaves it alone.
    assert!(!r.describe("s").version_ids_to_stages.contains_key(&token));
    assert!(Engine::new().run_due(&r.vault).unwrap().is_empty());
    let pending = r
        .vault
        .list_pending_rotations(&r.caller())
        .unwrap()
        .attempts;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].secret_name, "s");
    assert_eq!(pending[0].status, AttemptStatus::AwaitingApproval);

    let a = r
        .vault
        .approve_rotation(
            &r.caller(),
            DecideRotationRequest {
                secret_id: "s".into(),
                reason: None,
            },
        )
        .unwrap();
    assert_eq!(a.status, AttemptStatus::Running);
    assert!(
        r.vault
            .list_pending_rotations(&r.caller())
            .unwrap()
            .attempts
            .is_empty()
    );
    let ran = Engine::new().run_due(&r.vault).unwrap();
    assert_eq!(ran[0].status, AttemptStatus::Succeeded);
    assert_eq!(r.value("s", "AWSPREVIOUS").unwrap(), "v1");
    let h = r.history("s");
    assert!(h[0].decision.as_ref().unwrap().approved);
}

#[test]
fn a_rejection_needs_a_reason_ends_the_attempt_and_leaves_the_value_alone() {
    let r = rig();
    let f = r.password_function("pw");
    r.create("s", "v1");
    r.require_approval(None, false);
    r.rotate("s", Some(&f.arn), None, true).unwrap();
    let decide = |reason: Option<&str>| {
        r.vault.reject_rotation(
            &r.caller(),
            DecideRotationRequest {
                secret_id: "s".into(),
                reason: reason.map(str::to_string),
            },
        )
    };
    assert_eq!(code(decide(None)), ErrorCode::InvalidParameter);
    let a = decide(Some("not during the release freeze")).unwrap();
    assert_eq!(a.status, AttemptStatus::Rejected);
    assert_eq!(r.value("s", "AWSCURRENT").unwrap(), "v1");
    assert!(Engine::new().run_due(&r.vault).unwrap().is_empty());
    // A new request is allowed once the rejected one ended.
    r.f.clock.advance(SignedDuration::from_secs(1));
    r.rotate("s", None, None, true).unwrap();
    let h = r.history("s");
    assert_eq!(h.len(), 2);
    assert_eq!(
        h[1].decision.as_ref().unwrap().reason.as_deref(),
        Some("not during the release freeze")
    );
}

#[test]
fn the_two_person_rule_refuses_the_requester_and_takes_another_operator_with_permission() {
    let r = rig();
    let f = r.password_function("pw");
    r.create("s", "v1");
    r.require_approval(Some("s"), true);
    r.rotate("s", Some(&f.arn), None, true).unwrap();
    let approve = |c: &Caller| {
        r.vault.approve_rotation(
            c,
            DecideRotationRequest {
                secret_id: "s".into(),
                reason: None,
            },
        )
    };
    assert_eq!(code(approve(&r.caller())), ErrorCode::AccessDenied);
    // Bob, another operator, may describe secrets but not approve: denied by policy.
    r.vault
        .add_operator(
            &r.caller(),
            "bob",
            &coffer_core::Passphrase::new("bob's passphrase".into()),
            Some((19456, 2)),
        )
        .unwrap();
    r.vault
        .iam_put_inline_policy(
            &r.caller(),
            EntityKind::User,
            "bob",
            "read",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:DescribeSecret","Resource":"*"}]}"#,
        )
        .unwrap();
    let bob = Caller::principal("arn:aws:iam::111122223333:user/bob", FrontEnd::Cli);
    assert_eq!(code(approve(&bob)), ErrorCode::AccessDenied);
    r.vault
        .iam_put_inline_policy(
            &r.caller(),
            EntityKind::User,
            "bob",
            "approve",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"coffer:ApproveRotation","Resource":"*"}]}"#,
        )
        .unwrap();
    let a = approve(&bob).unwrap();
    assert_eq!(a.decision.unwrap().by, bob.principal_arn);
}

#[test]
fn a_schedule_starts_one_rotation_in_its_window_even_with_two_processes_running_engines() {
    let r = rig();
    let other = Arc::new(r.f.reopen());
    let f = r.password_function("pw");
    r.create("s", "v1");
    r.rotate("s", Some(&f.arn), days(1), false).unwrap();
    assert!(Engine::new().run_due(&r.vault).unwrap().is_empty());
    let next = r.describe("s").next_rotation_date.unwrap();
    // Into the window (the next UTC day).
    r.f.clock.advance(SignedDuration::from_hours(13));
    let now = r.vault.now().as_millisecond() as f64 / 1000.0;
    assert!(now >= next, "{now} {next}");
    let a = Engine::new();
    let b = Engine::new();
    let ran_b = b.run_due(&other).unwrap();
    let ran_a = a.run_due(&r.vault).unwrap();
    assert_eq!(ran_a.len() + ran_b.len(), 1);
    assert_eq!(r.history("s").len(), 1);
    assert_eq!(r.history("s")[0].trigger, "Schedule");
    // Nothing more in the same window.
    r.f.clock.advance(SignedDuration::from_hours(2));
    assert!(a.run_due(&r.vault).unwrap().is_empty());
    assert!(b.run_due(&other).unwrap().is_empty());
    assert_eq!(r.value("s", "AWSPREVIOUS").unwrap(), "v1");
}

#[test]
fn the_secrets_list_shows_when_a_rotating_secret_rotates_next_and_nothing_once_cancelled() {
    let r = rig();
    let f = r.password_function("pw");
    r.create("rotating", "v1");
    r.create("still", "v1");
    r.rotate("rotating", Some(&f.arn), days(30), false).unwrap();
    let rows = || {
        r.vault
            .query_secrets(
                &r.caller(),
                &coffer_core::vault::SecretQuery {
                    limit: 10,
                    ..Default::default()
                },
            )
            .unwrap()
            .rows
    };
    let next = |name: &str| {
        rows()
            .into_iter()
            .find(|row| row.name == name)
            .unwrap()
            .next_rotation_date
    };
    let described = r.describe("rotating").next_rotation_date.unwrap();
    assert_eq!(next("rotating"), Some(described));
    assert_eq!(next("still"), None);
    r.vault
        .cancel_rotate_secret(
            &r.caller(),
            SecretIdRequest {
                secret_id: "rotating".into(),
            },
        )
        .unwrap();
    assert_eq!(next("rotating"), None);
}

#[test]
fn cancel_rotate_secret_turns_rotation_off_and_abandons_a_waiting_attempt() {
    let r = rig();
    let f = r.password_function("pw");
    r.create("s", "v1");
    r.require_approval(Some("s"), false);
    r.rotate("s", Some(&f.arn), days(7), true).unwrap();
    let resp = r
        .vault
        .cancel_rotate_secret(
            &r.caller(),
            SecretIdRequest {
                secret_id: "s".into(),
            },
        )
        .unwrap();
    assert!(resp.version_id.is_some());
    let d = r.describe("s");
    assert_eq!(d.rotation_enabled, Some(false));
    assert_eq!(d.next_rotation_date, None);
    assert_eq!(r.history("s")[0].status, AttemptStatus::Cancelled);
    assert!(
        r.vault
            .list_pending_rotations(&r.caller())
            .unwrap()
            .attempts
            .is_empty()
    );
    assert_eq!(
        code(r.vault.cancel_rotate_secret(
            &r.caller(),
            SecretIdRequest {
                secret_id: "never".into()
            }
        )),
        ErrorCode::ResourceNotFound
    );
}

#[test]
fn a_rotation_function_reaches_only_its_secret_and_moves_labels_only_in_finish_secret() {
    let r = rig();
    let f = r.password_function("pw");
    r.create("mine", "v1");
    r.create("other", "x");
    let arn = r.describe("mine").arn;
    let get = |c: &Caller, id: &str| {
        r.vault.get_secret_value(
            c,
            GetSecretValueRequest {
                secret_id: id.into(),
                ..Default::default()
            },
        )
    };
    let c = step_caller(&r.vault, &f, &arn, Step::SetSecret);
    assert!(get(&c, &arn).is_ok());
    assert_eq!(code(get(&c, "other")), ErrorCode::AccessDenied);
    let v1 = r
        .describe("mine")
        .version_ids_to_stages
        .into_keys()
        .next()
        .unwrap();
    let put = r
        .vault
        .put_secret_value(
            &c,
            PutSecretValueRequest {
                secret_id: arn.clone(),
                secret_string: Some(SecretText::new("v2".into())),
                version_stages: Some(vec!["AWSPENDING".into()]),
                ..Default::default()
            },
        )
        .unwrap();
    let mv = |c: &Caller| {
        r.vault.update_secret_version_stage(
            c,
            UpdateSecretVersionStageRequest {
                secret_id: arn.clone(),
                version_stage: "AWSCURRENT".into(),
                move_to_version_id: Some(put.version_id.clone()),
                remove_from_version_id: Some(v1.clone()),
            },
        )
    };
    assert_eq!(code(mv(&c)), ErrorCode::AccessDenied);
    let finish = step_caller(&r.vault, &f, &arn, Step::FinishSecret);
    mv(&finish).unwrap();
}

#[test]
fn rotation_functions_and_attempts_are_sealed_in_the_file() {
    let r = rig();
    let f = r.password_function("very-distinctive-function");
    r.create("s", "v1");
    r.rotate("s", Some(&f.arn), None, true).unwrap();
    Engine::new().run_due(&r.vault).unwrap();
    let listed = r
        .vault
        .list_rotation_functions(&r.caller())
        .unwrap()
        .functions;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].arn, f.arn);
    drop(r.vault);
    let bytes = std::fs::read(&r.f.path).unwrap();
    let wal = std::fs::read(r.f.path.with_extension("db-wal")).unwrap_or_default();
    for hay in [&bytes, &wal] {
        let text = String::from_utf8_lossy(hay);
        assert!(!text.contains("very-distinctive-function"));
        assert!(!text.contains("createSecret"));
    }
}

#[test]
fn a_due_rotation_under_approval_waits_in_the_queue_until_approved_then_runs() {
    let r = rig();
    let f = r.password_function("pw");
    r.create("s", "v1");
    r.require_approval(None, false);
    r.rotate(
        "s",
        Some(&f.arn),
        Some(RotationRules {
            schedule_expression: Some("cron(0 16 1,15 * ? *)".into()),
            duration: Some("2h".into()),
            ..Default::default()
        }),
        false,
    )
    .unwrap();
    // 2026-03-01 12:00 → the window opens on 2026-03-01 at 16:00.
    r.f.clock.advance(SignedDuration::from_hours(3));
    assert!(Engine::new().run_due(&r.vault).unwrap().is_empty());
    assert!(
        r.vault
            .list_pending_rotations(&r.caller())
            .unwrap()
            .attempts
            .is_empty()
    );
    r.f.clock.advance(SignedDuration::from_mins(90));
    assert!(Engine::new().run_due(&r.vault).unwrap().is_empty());
    let pending = r
        .vault
        .list_pending_rotations(&r.caller())
        .unwrap()
        .attempts;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].trigger, "Schedule");
    r.vault
        .approve_rotation(
            &r.caller(),
            DecideRotationRequest {
                secret_id: "s".into(),
                reason: Some("change window CHG-1".into()),
            },
        )
        .unwrap();
    let ran = Engine::new().run_due(&r.vault).unwrap();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].status, AttemptStatus::Succeeded);
    assert_eq!(r.value("s", "AWSPREVIOUS").unwrap(), "v1");
    // The next window is the 15th.
    let next = r.describe("s").next_rotation_date.unwrap();
    let want = "2026-03-15T16:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second() as f64;
    assert_eq!(next, want);
}

/// RotateSecret checks its request before it looks for the secret, in moto 5.2.5's words and
/// codes (test_rotate_secret_client_request_token_too_short/_too_long,
/// test_rotate_secret_rotation_lambda_arn_too_long, test_rotate_secret_rotation_period_validation):
/// the answers are the same for a secret that does not exist.
#[test]
fn rotate_secret_validates_token_function_arn_and_days_before_looking_for_the_secret() {
    let r = rig();
    r.f.create("exists", Some("v"));
    let cases: [(RotateSecretRequest, &str); 5] = [
        (
            RotateSecretRequest {
                client_request_token: Some("TOO-SHORT".into()),
                ..Default::default()
            },
            "ClientRequestToken must be 32-64 characters long.",
        ),
        (
            RotateSecretRequest {
                client_request_token: Some("x".repeat(65)),
                ..Default::default()
            },
            "ClientRequestToken must be 32-64 characters long.",
        ),
        (
            RotateSecretRequest {
                rotation_lambda_arn: Some("85B7-446A-B7E4".repeat(147)),
                ..Default::default()
            },
            "RotationLambdaARN must <= 2048 characters long.",
        ),
        (
            RotateSecretRequest {
                rotation_rules: Some(RotationRules {
                    automatically_after_days: Some(0),
                    ..Default::default()
                }),
                ..Default::default()
            },
            "RotationRules.AutomaticallyAfterDays must be within 1-1000.",
        ),
        (
            RotateSecretRequest {
                rotation_rules: Some(RotationRules {
                    automatically_after_days: Some(1001),
                    ..Default::default()
                }),
                ..Default::default()
            },
            "RotationRules.AutomaticallyAfterDays must be within 1-1000.",
        ),
    ];
    for (req, message) in cases {
        for id in ["exists", "missing"] {
            let e = r
                .vault
                .rotate_secret(
                    &r.caller(),
                    RotateSecretRequest {
                        secret_id: id.into(),
                        ..req.clone()
                    },
                )
                .unwrap_err();
            assert_eq!(
                (e.code, e.message.as_str()),
                (ErrorCode::InvalidParameter, message),
                "{id}"
            );
        }
    }
}
