//! Operators: adding one, changing a passphrase, and removing one — which re-keys the vault
//! so that the removed operator's passphrase, and even their old slot put back into the
//! file, open nothing.

mod common;

use coffer_core::Passphrase;
use coffer_core::{ErrorCode, FrontEnd, Vault};
use common::*;

const KDF: Option<(u32, u32)> = Some((19456, 2));

fn pass(s: &str) -> Passphrase {
    Passphrase::new(s.into())
}

#[test]
fn an_added_operator_unlocks_with_their_own_passphrase() {
    let f = fixture();
    f.create("s", Some("v"));
    let entry = f
        .vault
        .add_operator(&f.caller, "bob", &pass("bob's words"), KDF)
        .unwrap();
    assert_eq!(entry.arn, "arn:aws:iam::111122223333:user/bob");
    let bob = Vault::open(&f.path, Some("bob"), &pass("bob's words")).unwrap();
    let c = bob.caller(FrontEnd::Cli);
    let read = || {
        bob.get_secret_value(
            &c,
            coffer_core::api::GetSecretValueRequest {
                secret_id: "s".into(),
                ..Default::default()
            },
        )
    };
    // A new operator is a user with no permissions until an administrator grants some.
    assert_eq!(code(read()), ErrorCode::AccessDenied);
    f.vault
        .iam_attach_policy(
            &f.caller,
            coffer_core::vault::iam::EntityKind::User,
            "bob",
            coffer_core::vault::iam::SECRETS_MANAGER_READ_WRITE,
            true,
        )
        .unwrap();
    let v = read().unwrap();
    assert!(matches!(v.value, coffer_core::SecretValue::String(ref s) if s.expose() == "v"));
    assert_eq!(
        code(Vault::open(&f.path, Some("bob"), &pass(PASS))),
        ErrorCode::AccessDenied
    );
    let names: Vec<String> = f
        .vault
        .list_operators(&f.caller)
        .unwrap()
        .operators
        .into_iter()
        .map(|o| o.operator_name)
        .collect();
    assert_eq!(names, vec!["admin", "bob"]);
    assert_eq!(
        code(f.vault.add_operator(&f.caller, "bob", &pass("x"), KDF)),
        ErrorCode::ResourceExists
    );
    assert_eq!(
        code(f.vault.add_operator(&f.caller, "bad name", &pass("x"), KDF)),
        ErrorCode::Validation
    );
}

#[test]
fn a_changed_passphrase_replaces_the_old_one() {
    let f = fixture();
    assert_eq!(
        code(
            f.vault
                .change_passphrase(&f.caller, &pass("wrong"), &pass("new words"), KDF)
        ),
        ErrorCode::AccessDenied
    );
    f.vault
        .change_passphrase(&f.caller, &pass(PASS), &pass("new words"), KDF)
        .unwrap();
    assert_eq!(
        code(Vault::open(&f.path, Some("admin"), &pass(PASS))),
        ErrorCode::AccessDenied
    );
    Vault::open(&f.path, Some("admin"), &pass("new words")).unwrap();
}

#[test]
fn with_several_operators_and_none_named_the_passphrase_picks_the_one_whose_slot_it_opens() {
    let f = fixture();
    f.vault
        .add_operator(&f.caller, "bob", &pass("bob's words"), KDF)
        .unwrap();
    let as_whom = |p: &str| Vault::open(&f.path, None, &pass(p)).map(|v| v.info().operator.clone());
    assert_eq!(as_whom(PASS).unwrap(), "admin");
    assert_eq!(as_whom("bob's words").unwrap(), "bob");
    assert_eq!(code(as_whom("nobody's words")), ErrorCode::AccessDenied);
    // Two operators who share a passphrase: say which.
    f.vault
        .add_operator(&f.caller, "carol", &pass("bob's words"), KDF)
        .unwrap();
    assert_eq!(code(as_whom("bob's words")), ErrorCode::InvalidParameter);
    assert_eq!(
        Vault::open(&f.path, Some("carol"), &pass("bob's words"))
            .unwrap()
            .info()
            .operator,
        "carol"
    );
}

#[test]
fn removing_an_operator_rekeys_so_their_passphrase_and_old_slot_open_nothing() {
    let f = fixture();
    f.create("s", Some("before"));
    f.vault
        .add_operator(&f.caller, "bob", &pass("bob pass"), KDF)
        .unwrap();
    // Keep bob's slot as it was, as a copy of the file would.
    let raw = rusqlite::Connection::open(&f.path).unwrap();
    let old_slot: (String, Vec<u8>, Vec<u8>, Vec<u8>, i64, Vec<u8>) = raw
        .query_row(
            "SELECT kdf, public_key, wrapped_private, sealed_master, created_ms, public_mac FROM key_slots WHERE operator = 'bob'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    // Another process holds the vault open as admin while bob is removed.
    let other = f.reopen();
    assert_eq!(
        code(f.vault.remove_operator(&f.caller, "admin")),
        ErrorCode::InvalidRequest,
        "not yourself"
    );
    assert_eq!(
        code(f.vault.remove_operator(&f.caller, "carol")),
        ErrorCode::ResourceNotFound
    );
    f.vault.remove_operator(&f.caller, "bob").unwrap();
    assert_eq!(
        code(Vault::open(&f.path, Some("bob"), &pass("bob pass"))),
        ErrorCode::ResourceNotFound
    );
    // Everything still works for those who remain, here and in the other process.
    f.put("s", "after", None);
    assert_eq!(f.get("s"), "after");
    assert!(other.catch_up().unwrap());
    let c = other.caller(FrontEnd::Cli);
    other
        .create_secret(
            &c,
            coffer_core::api::CreateSecretRequest {
                name: "made-after".into(),
                secret_string: Some(coffer_core::SecretText::new("x".into())),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(f.get("made-after"), "x");
    let reopened = Vault::open(&f.path, Some("admin"), &pass(PASS)).unwrap();
    drop(reopened);
    // Bob puts his old slot back into the file: it opens the old master key, which opens
    // nothing the vault now holds.
    raw.execute(
        "INSERT INTO key_slots(operator, kdf, public_key, wrapped_private, sealed_master, created_ms, public_mac) VALUES ('bob', ?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![old_slot.0, old_slot.1, old_slot.2, old_slot.3, old_slot.4, old_slot.5],
    )
    .unwrap();
    let e = Vault::open(&f.path, Some("bob"), &pass("bob pass")).unwrap_err();
    assert_eq!(e.code, ErrorCode::DecryptionFailure, "{e}");
    // The removal is in the audit trail; the slot put back fails verify, which names it,
    // and the trail verifies once it is gone again.
    let ev = f
        .vault
        .query_audit(
            &f.caller,
            &coffer_core::vault::AuditQuery {
                event_names: vec!["RemoveOperator".into()],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        ev.events.iter().filter(|e| e.error_code.is_none()).count(),
        1
    );
    let r = f.vault.verify_audit_trail(&f.caller).unwrap();
    assert!(!r.intact && r.problem.unwrap().contains("key_slots"));
    raw.execute("DELETE FROM key_slots WHERE operator = 'bob'", [])
        .unwrap();
    assert!(f.vault.verify_audit_trail(&f.caller).unwrap().intact);
}

#[test]
fn a_rekey_refuses_to_seal_the_master_key_to_a_swapped_public_key() {
    let f = fixture();
    f.vault
        .add_operator(&f.caller, "bob", &pass("bob pass"), KDF)
        .unwrap();
    f.vault
        .add_operator(&f.caller, "carol", &pass("carol pass"), KDF)
        .unwrap();
    // Someone with write access to the file but no passphrase swaps in their own key.
    let raw = rusqlite::Connection::open(&f.path).unwrap();
    raw.execute(
        "UPDATE key_slots SET public_key = zeroblob(32) WHERE operator = 'bob'",
        [],
    )
    .unwrap();
    let e = f.vault.remove_operator(&f.caller, "carol").unwrap_err();
    assert_eq!(e.code, ErrorCode::DecryptionFailure);
    assert!(e.message.contains("tampered"), "{}", e.message);
    // Nothing changed: carol still unlocks.
    Vault::open(&f.path, Some("carol"), &pass("carol pass")).unwrap();
}

#[test]
fn conditions_see_each_operations_keys_name_tags_and_stages() {
    use coffer_core::api::*;
    use coffer_core::model::Tag;
    use coffer_core::vault::iam::EntityKind;
    let f = fixture();
    f.vault
        .add_operator(&f.caller, "tess", &pass("tess pass"), KDF)
        .unwrap();
    // Tess may create secrets only under team/ and only tagged team=blue, read only
    // AWSCURRENT, and never schedule a deletion shorter than 14 days.
    let policy = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"secretsmanager:CreateSecret","Resource":"*",
         "Condition":{"StringLike":{"secretsmanager:Name":"team/*"},"StringEquals":{"aws:RequestTag/team":"blue"}}},
        {"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*",
         "Condition":{"StringEquals":{"secretsmanager:VersionStage":"AWSCURRENT"}}},
        {"Effect":"Allow","Action":"secretsmanager:DeleteSecret","Resource":"*",
         "Condition":{"NumericGreaterThanEquals":{"secretsmanager:RecoveryWindowInDays":"14"}}}]}"#;
    f.vault
        .iam_put_inline_policy(&f.caller, EntityKind::User, "tess", "scoped", policy)
        .unwrap();
    let tess = Vault::open(&f.path, Some("tess"), &pass("tess pass")).unwrap();
    let c = tess.caller(FrontEnd::Cli);
    let create = |name: &str, team: &str| {
        tess.create_secret(
            &c,
            CreateSecretRequest {
                name: name.into(),
                secret_string: Some(coffer_core::SecretText::new("v".into())),
                tags: vec![Tag {
                    key: "team".into(),
                    value: team.into(),
                }],
                ..Default::default()
            },
        )
    };
    assert_eq!(code(create("other/x", "blue")), ErrorCode::AccessDenied);
    assert_eq!(code(create("team/x", "red")), ErrorCode::AccessDenied);
    create("team/x", "blue").unwrap();
    let get = |stage: &str| {
        tess.get_secret_value(
            &c,
            GetSecretValueRequest {
                secret_id: "team/x".into(),
                version_stage: Some(stage.into()),
                ..Default::default()
            },
        )
    };
    get("AWSCURRENT").unwrap();
    assert_eq!(code(get("AWSPREVIOUS")), ErrorCode::AccessDenied);
    let delete = |days: i64| {
        tess.delete_secret(
            &c,
            DeleteSecretRequest {
                secret_id: "team/x".into(),
                recovery_window_in_days: Some(days),
                ..Default::default()
            },
        )
    };
    assert_eq!(code(delete(7)), ErrorCode::AccessDenied);
    delete(14).unwrap();
}

#[test]
fn console_views_see_the_same_secret_condition_keys_as_requests() {
    use coffer_core::vault::iam::EntityKind;
    let f = fixture();
    f.create("team/a", Some("v"));
    f.create("other/b", Some("v"));
    f.vault
        .add_operator(&f.caller, "vic", &pass("vic pass"), KDF)
        .unwrap();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:DescribeSecret","Resource":"*",
        "Condition":{"StringLike":{"secretsmanager:Name":"team/*"}}}]}"#;
    f.vault
        .iam_put_inline_policy(&f.caller, EntityKind::User, "vic", "team-only", policy)
        .unwrap();
    let vic = Vault::open(&f.path, Some("vic"), &pass("vic pass")).unwrap();
    let c = vic.caller(FrontEnd::Tui);
    let describe = |id: &str| {
        vic.describe_secret(
            &c,
            coffer_core::api::SecretIdRequest {
                secret_id: id.into(),
            },
        )
    };
    describe("team/a").unwrap();
    assert_eq!(code(describe("other/b")), ErrorCode::AccessDenied);
    // The console's detail view decides exactly as DescribeSecret does.
    vic.secret_view(&c, "team/a").unwrap();
    assert_eq!(
        code(vic.secret_view(&c, "other/b")),
        ErrorCode::AccessDenied
    );
}
