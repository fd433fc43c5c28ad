//! Every operation of SPEC §2 against a real vault file: semantics and every error code.
//!
//! **Why this file is long:** one test per operation and error code of SPEC §2, in the SPEC's
//! order.

mod common;

use coffer_core::api::*;
use coffer_core::model::Tag;
use coffer_core::vault::AuditQuery;
use coffer_core::{Caller, ErrorCode, FrontEnd, SecretBytes, SecretText};
use common::*;
use jiff::SignedDuration;

fn req_create(name: &str) -> CreateSecretRequest {
    CreateSecretRequest {
        name: name.into(),
        ..Default::default()
    }
}

fn text(s: &str) -> Option<SecretText> {
    Some(SecretText::new(s.into()))
}

#[test]
fn create_with_a_value_makes_version_one_awscurrent() {
    let f = fixture();
    let r = f.create("prod/db", Some("v1"));
    assert!(
        r.arn
            .starts_with("arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-")
    );
    assert_eq!(
        r.arn.len(),
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-".len() + 6
    );
    let vid = r.version_id.unwrap();
    assert_eq!(f.stages("prod/db")[&vid], vec!["AWSCURRENT"]);
    assert_eq!(f.get("prod/db"), "v1");
}

#[test]
fn create_without_a_value_has_no_versions_and_reads_are_not_found() {
    let f = fixture();
    let r = f.create("empty", None);
    assert!(r.version_id.is_none());
    assert!(f.stages("empty").is_empty());
    assert_eq!(
        code(f.get_at("empty", None, None)),
        ErrorCode::ResourceNotFound
    );
}

#[test]
fn create_rejects_a_taken_name_but_accepts_a_retry_with_the_same_token_and_value() {
    let f = fixture();
    let token = "11111111-2222-3333-4444-555555555555".to_string();
    let mk = |v: &str| CreateSecretRequest {
        name: "app".into(),
        client_request_token: Some(token.clone()),
        secret_string: text(v),
        ..Default::default()
    };
    let first = f.vault.create_secret(&f.caller, mk("x")).unwrap();
    let again = f.vault.create_secret(&f.caller, mk("x")).unwrap();
    assert_eq!(first.arn, again.arn);
    assert_eq!(again.version_id.as_deref(), Some(token.as_str()));
    assert_eq!(
        code(f.vault.create_secret(&f.caller, mk("y"))),
        ErrorCode::ResourceExists
    );
    assert_eq!(
        code(f.vault.create_secret(&f.caller, req_create("app"))),
        ErrorCode::ResourceExists
    );
}

#[test]
fn create_validates_names_descriptions_tags_and_values() {
    let f = fixture();
    let c = |r: CreateSecretRequest| code(f.vault.create_secret(&f.caller, r));
    assert_eq!(c(req_create("")), ErrorCode::Validation);
    assert_eq!(c(req_create("has space")), ErrorCode::Validation);
    assert_eq!(c(req_create(&"a".repeat(513))), ErrorCode::Validation);
    assert_eq!(
        c(CreateSecretRequest {
            description: Some("d".repeat(2049)),
            ..req_create("a")
        }),
        ErrorCode::Validation
    );
    let tag = |k: &str| {
        vec![Tag {
            key: k.into(),
            value: "v".into(),
        }]
    };
    assert_eq!(
        c(CreateSecretRequest {
            tags: tag("aws:x"),
            ..req_create("a")
        }),
        ErrorCode::InvalidParameter
    );
    assert_eq!(
        c(CreateSecretRequest {
            tags: tag(""),
            ..req_create("a")
        }),
        ErrorCode::Validation
    );
    assert_eq!(
        c(CreateSecretRequest {
            secret_string: text("s"),
            secret_binary: Some(SecretBytes::new(vec![1])),
            ..req_create("a")
        }),
        ErrorCode::InvalidParameter
    );
    assert_eq!(
        c(CreateSecretRequest {
            secret_string: text(""),
            ..req_create("a")
        }),
        ErrorCode::Validation
    );
    assert_eq!(
        c(CreateSecretRequest {
            client_request_token: Some("short".into()),
            secret_string: text("x"),
            ..req_create("a")
        }),
        ErrorCode::Validation
    );
    assert_eq!(
        c(CreateSecretRequest {
            kms_key_id: Some("alias/none".into()),
            ..req_create("a")
        }),
        ErrorCode::EncryptionFailure
    );
    assert_eq!(
        c(CreateSecretRequest {
            add_replica_regions: vec![ReplicaRegionType {
                region: Some("eu-west-1".into()),
                kms_key_id: None
            }],
            ..req_create("a")
        }),
        ErrorCode::InvalidParameter
    );
    // None of the refused requests left anything behind.
    let all = f
        .vault
        .list_secrets(&f.caller, ListSecretsRequest::default())
        .unwrap();
    assert!(all.secret_list.is_empty());
}

#[test]
fn values_of_65536_bytes_are_accepted_and_65537_refused() {
    let f = fixture();
    let ok = "x".repeat(65_536);
    f.create("big", Some(&ok));
    assert_eq!(f.get("big").len(), 65_536);
    let too_big = "x".repeat(65_537);
    let r = f.vault.put_secret_value(
        &f.caller,
        PutSecretValueRequest {
            secret_id: "big".into(),
            secret_string: text(&too_big),
            ..Default::default()
        },
    );
    assert_eq!(code(r), ErrorCode::Validation);
    let r = f.vault.put_secret_value(
        &f.caller,
        PutSecretValueRequest {
            secret_id: "big".into(),
            secret_binary: Some(SecretBytes::new(vec![7; 65_537])),
            ..Default::default()
        },
    );
    assert_eq!(code(r), ErrorCode::Validation);
}

#[test]
fn binary_values_round_trip_and_reveal_as_base64() {
    let f = fixture();
    let bytes: Vec<u8> = (0..=255).collect();
    f.vault
        .create_secret(
            &f.caller,
            CreateSecretRequest {
                secret_binary: Some(SecretBytes::new(bytes.clone())),
                ..req_create("bin")
            },
        )
        .unwrap();
    let r = f
        .vault
        .get_secret_value(
            &f.caller,
            GetSecretValueRequest {
                secret_id: "bin".into(),
                ..Default::default()
            },
        )
        .unwrap();
    match &r.value {
        coffer_core::SecretValue::Binary(b) => assert_eq!(b.expose(), &bytes[..]),
        _ => panic!("expected binary"),
    }
    let j = reveal_json(&r);
    assert!(j.get("SecretString").is_none());
    use base64::Engine;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(j["SecretBinary"].as_str().unwrap())
            .unwrap(),
        bytes
    );
}

#[test]
fn awsprevious_follows_awscurrent_and_other_labels_leave_it_alone() {
    let f = fixture();
    let v1 = f.create("s", Some("one")).version_id.unwrap();
    let v2 = f.put("s", "two", None).version_id;
    assert_eq!(f.holder("s", "AWSCURRENT"), Some(v2.clone()));
    assert_eq!(f.holder("s", "AWSPREVIOUS"), Some(v1.clone()));
    let v3 = f.put("s", "three", Some(&["CANARY"])).version_id;
    assert_eq!(
        f.holder("s", "AWSCURRENT"),
        Some(v2.clone()),
        "a put with other labels leaves AWSCURRENT"
    );
    assert_eq!(f.holder("s", "CANARY"), Some(v3.clone()));
    let v4 = f.put("s", "four", None).version_id;
    assert_eq!(f.holder("s", "AWSPREVIOUS"), Some(v2));
    assert_eq!(f.get("s"), "four");
    assert_eq!(f.get_at("s", None, Some("CANARY")).unwrap(), "three");
    assert_eq!(f.get_at("s", Some(&v1), None).unwrap(), "one");
    assert_eq!(f.holder("s", "AWSCURRENT"), Some(v4));
}

#[test]
fn put_with_a_repeated_token_is_a_no_op_for_the_same_value_and_an_error_otherwise() {
    let f = fixture();
    f.create("s", Some("one"));
    let token = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    let put = |v: &str| {
        f.vault.put_secret_value(
            &f.caller,
            PutSecretValueRequest {
                secret_id: "s".into(),
                client_request_token: Some(token.into()),
                secret_string: text(v),
                ..Default::default()
            },
        )
    };
    let a = put("two").unwrap();
    let before = f.stages("s");
    let b = put("two").unwrap();
    assert_eq!(a.version_id, b.version_id);
    assert_eq!(f.stages("s"), before, "a retry changes no label");
    assert_eq!(code(put("three")), ErrorCode::ResourceExists);
    assert_eq!(f.get("s"), "two");
}

#[test]
fn put_needs_a_value_and_a_live_secret() {
    let f = fixture();
    f.create("s", Some("one"));
    let r = f.vault.put_secret_value(
        &f.caller,
        PutSecretValueRequest {
            secret_id: "s".into(),
            ..Default::default()
        },
    );
    assert_eq!(code(r), ErrorCode::InvalidRequest);
    let r = f.vault.put_secret_value(
        &f.caller,
        PutSecretValueRequest {
            secret_id: "missing".into(),
            secret_string: text("x"),
            ..Default::default()
        },
    );
    assert_eq!(code(r), ErrorCode::ResourceNotFound);
    let r = f.vault.put_secret_value(
        &f.caller,
        PutSecretValueRequest {
            secret_id: "s".into(),
            secret_string: text("x"),
            version_stages: Some(vec![]),
            ..Default::default()
        },
    );
    assert_eq!(code(r), ErrorCode::Validation);
}

#[test]
fn get_by_version_id_and_stage_must_name_the_same_version() {
    let f = fixture();
    let v1 = f.create("s", Some("one")).version_id.unwrap();
    f.put("s", "two", None);
    assert_eq!(
        f.get_at("s", Some(&v1), Some("AWSPREVIOUS")).unwrap(),
        "one"
    );
    assert_eq!(
        code(f.get_at("s", Some(&v1), Some("AWSCURRENT"))),
        ErrorCode::ResourceNotFound
    );
    assert_eq!(
        code(f.get_at("s", None, Some("NOPE"))),
        ErrorCode::ResourceNotFound
    );
    assert_eq!(
        code(f.get_at("s", Some("00000000-0000-0000-0000-000000000000"), None)),
        ErrorCode::ResourceNotFound
    );
    assert_eq!(
        code(f.get_at("s", Some("short"), None)),
        ErrorCode::Validation
    );
    assert_eq!(code(f.get_at("", None, None)), ErrorCode::Validation);
}

#[test]
fn secret_id_accepts_name_full_arn_and_partial_arn_only_in_this_account_and_region() {
    let f = fixture();
    let arn = f.create("prod/db", Some("v")).arn;
    let partial = arn[..arn.len() - 7].to_string();
    assert_eq!(f.get(&arn), "v");
    assert_eq!(f.get(&partial), "v");
    let wrong_suffix = format!("{partial}-ZZZZZZ");
    assert_eq!(
        code(f.get_at(&wrong_suffix, None, None)),
        ErrorCode::ResourceNotFound
    );
    assert_eq!(
        code(f.get_at(&arn.replace("us-east-1", "eu-west-1"), None, None)),
        ErrorCode::ResourceNotFound
    );
    assert_eq!(
        code(f.get_at(&arn.replace("111122223333", "999999999999"), None, None)),
        ErrorCode::ResourceNotFound
    );
}

#[test]
fn moving_a_label_needs_its_current_holder_and_awscurrent_cannot_be_removed() {
    let f = fixture();
    let v1 = f.create("s", Some("one")).version_id.unwrap();
    let v2 = f.put("s", "two", None).version_id;
    let mv = |stage: &str, from: Option<&str>, to: Option<&str>| {
        f.vault.update_secret_version_stage(
            &f.caller,
            UpdateSecretVersionStageRequest {
                secret_id: "s".into(),
                version_stage: stage.into(),
                remove_from_version_id: from.map(str::to_string),
                move_to_version_id: to.map(str::to_string),
            },
        )
    };
    assert_eq!(
        code(mv("AWSCURRENT", None, Some(&v1))),
        ErrorCode::InvalidParameter
    );
    assert_eq!(
        code(mv("AWSCURRENT", Some(&v1), Some(&v1))),
        ErrorCode::InvalidParameter,
        "v1 does not hold it"
    );
    assert_eq!(
        code(mv("AWSCURRENT", Some(&v2), None)),
        ErrorCode::InvalidParameter
    );
    assert_eq!(
        code(mv("AWSCURRENT", None, None)),
        ErrorCode::InvalidParameter
    );
    assert_eq!(
        code(mv(
            "AWSCURRENT",
            Some(&v2),
            Some("99999999-9999-9999-9999-999999999999")
        )),
        ErrorCode::ResourceNotFound
    );
    // Roll back: AWSCURRENT to v1, AWSPREVIOUS follows to v2, and the next read sees it.
    mv("AWSCURRENT", Some(&v2), Some(&v1)).unwrap();
    assert_eq!(f.holder("s", "AWSCURRENT"), Some(v1.clone()));
    assert_eq!(f.holder("s", "AWSPREVIOUS"), Some(v2.clone()));
    assert_eq!(f.get("s"), "one");
    // A custom label can be attached, moved and removed.
    mv("BLUE", None, Some(&v2)).unwrap();
    assert_eq!(
        code(mv("BLUE", None, Some(&v1))),
        ErrorCode::InvalidParameter
    );
    mv("BLUE", Some(&v2), Some(&v1)).unwrap();
    mv("BLUE", Some(&v1), None).unwrap();
    assert_eq!(f.holder("s", "BLUE"), None);
}

#[test]
fn list_secrets_pages_return_every_secret_exactly_once() {
    let f = fixture();
    for i in 0..250 {
        f.create(&format!("{}/s{i:03}", ["prod", "dev"][i % 2]), None);
        f.clock.advance(SignedDuration::from_millis(i as i64 % 3));
    }
    for (sort_by, order) in [
        (None, None),
        (Some("name"), Some("desc")),
        (Some("last-changed-date"), Some("asc")),
    ] {
        let mut names = Vec::new();
        let mut token = None;
        loop {
            let page = f
                .vault
                .list_secrets(
                    &f.caller,
                    ListSecretsRequest {
                        max_results: Some(17),
                        next_token: token.clone(),
                        sort_by: sort_by.map(str::to_string),
                        sort_order: order.map(str::to_string),
                        ..Default::default()
                    },
                )
                .unwrap();
            assert!(page.secret_list.len() <= 17);
            names.extend(page.secret_list.into_iter().map(|s| s.name));
            match page.next_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        let mut uniq = names.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!((names.len(), uniq.len()), (250, 250), "{sort_by:?}");
        if sort_by == Some("name") {
            let mut desc = names.clone();
            desc.sort_by(|a, b| b.cmp(a));
            assert_eq!(names, desc);
        }
    }
}

#[test]
fn list_secrets_filters_and_hides_planned_deletions_unless_asked() {
    let f = fixture();
    for name in ["prod/a", "prod/b", "dev/a"] {
        f.vault
            .create_secret(
                &f.caller,
                CreateSecretRequest {
                    tags: vec![Tag {
                        key: "env".into(),
                        value: name.split('/').next().unwrap().into(),
                    }],
                    description: Some(format!("The {name} secret")),
                    ..req_create(name)
                },
            )
            .unwrap();
    }
    f.vault
        .delete_secret(
            &f.caller,
            DeleteSecretRequest {
                secret_id: "prod/b".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let list = |filters: Vec<Filter>, planned: bool| {
        let mut n: Vec<String> = f
            .vault
            .list_secrets(
                &f.caller,
                ListSecretsRequest {
                    filters,
                    include_planned_deletion: planned,
                    ..Default::default()
                },
            )
            .unwrap()
            .secret_list
            .into_iter()
            .map(|s| s.name)
            .collect();
        n.sort();
        n
    };
    let filt = |k: &str, v: &[&str]| Filter {
        key: k.into(),
        values: v.iter().map(|s| s.to_string()).collect(),
    };
    assert_eq!(list(vec![], false), vec!["dev/a", "prod/a"]);
    assert_eq!(list(vec![], true), vec!["dev/a", "prod/a", "prod/b"]);
    assert_eq!(
        list(vec![filt("name", &["prod/"])], true),
        vec!["prod/a", "prod/b"]
    );
    assert_eq!(list(vec![filt("name", &["!prod/"])], true), vec!["dev/a"]);
    assert_eq!(
        list(vec![filt("tag-value", &["dev"])], false),
        vec!["dev/a"]
    );
    assert_eq!(
        list(vec![filt("description", &["the prod"])], false),
        vec!["prod/a"]
    );
    assert_eq!(list(vec![filt("all", &["dev"])], false), vec!["dev/a"]);
    let e = |r: ListSecretsRequest| code(f.vault.list_secrets(&f.caller, r));
    assert_eq!(
        e(ListSecretsRequest {
            max_results: Some(0),
            ..Default::default()
        }),
        ErrorCode::Validation
    );
    assert_eq!(
        e(ListSecretsRequest {
            max_results: Some(101),
            ..Default::default()
        }),
        ErrorCode::Validation
    );
    assert_eq!(
        e(ListSecretsRequest {
            next_token: Some("bogus".into()),
            ..Default::default()
        }),
        ErrorCode::InvalidNextToken
    );
    assert_eq!(
        e(ListSecretsRequest {
            filters: vec![filt("color", &["x"])],
            ..Default::default()
        }),
        ErrorCode::Validation
    );
    assert_eq!(
        e(ListSecretsRequest {
            sort_order: Some("up".into()),
            ..Default::default()
        }),
        ErrorCode::Validation
    );
    assert_eq!(
        e(ListSecretsRequest {
            sort_by: Some("size".into()),
            ..Default::default()
        }),
        ErrorCode::Validation
    );
}

#[test]
fn list_secret_version_ids_shows_deprecated_versions_only_when_asked() {
    let f = fixture();
    f.create("s", Some("1"));
    f.put("s", "2", None);
    f.put("s", "3", None);
    let list = |dep: bool| {
        f.vault
            .list_secret_version_ids(
                &f.caller,
                ListSecretVersionIdsRequest {
                    secret_id: "s".into(),
                    include_deprecated: dep,
                    ..Default::default()
                },
            )
            .unwrap()
    };
    let plain = list(false);
    assert_eq!(plain.versions.len(), 2);
    assert!(
        plain.arn.starts_with("arn:aws:secretsmanager:"),
        "the full ARN, never the name"
    );
    assert_eq!(list(true).versions.len(), 3);
    assert!(
        list(true)
            .versions
            .iter()
            .any(|v| v.version_stages.is_empty())
    );
    let paged = f
        .vault
        .list_secret_version_ids(
            &f.caller,
            ListSecretVersionIdsRequest {
                secret_id: "s".into(),
                include_deprecated: true,
                max_results: Some(2),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(paged.versions.len(), 2);
    let rest = f
        .vault
        .list_secret_version_ids(
            &f.caller,
            ListSecretVersionIdsRequest {
                secret_id: "s".into(),
                include_deprecated: true,
                next_token: paged.next_token,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(rest.versions.len(), 1);
    assert!(rest.next_token.is_none());
}

#[test]
fn a_secret_scheduled_for_deletion_refuses_reads_and_writes_until_restored() {
    let f = fixture();
    f.create("s", Some("v"));
    let del = f
        .vault
        .delete_secret(
            &f.caller,
            DeleteSecretRequest {
                secret_id: "s".into(),
                recovery_window_in_days: Some(7),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        del.deletion_date,
        (start().as_millisecond() + 7 * 86_400_000) as f64 / 1000.0
    );
    assert_eq!(code(f.get_at("s", None, None)), ErrorCode::InvalidRequest);
    let put = f.vault.put_secret_value(
        &f.caller,
        PutSecretValueRequest {
            secret_id: "s".into(),
            secret_string: text("x"),
            ..Default::default()
        },
    );
    assert_eq!(code(put), ErrorCode::InvalidRequest);
    let upd = f.vault.update_secret(
        &f.caller,
        UpdateSecretRequest {
            secret_id: "s".into(),
            description: Some("d".into()),
            ..Default::default()
        },
    );
    assert_eq!(code(upd), ErrorCode::InvalidRequest);
    let tag = f.vault.tag_resource(
        &f.caller,
        TagResourceRequest {
            secret_id: "s".into(),
            tags: vec![Tag {
                key: "k".into(),
                value: "v".into(),
            }],
        },
    );
    assert_eq!(code(tag), ErrorCode::InvalidRequest);
    assert_eq!(
        code(f.vault.create_secret(&f.caller, req_create("s"))),
        ErrorCode::InvalidRequest
    );
    let again = f.vault.delete_secret(
        &f.caller,
        DeleteSecretRequest {
            secret_id: "s".into(),
            ..Default::default()
        },
    );
    assert_eq!(code(again), ErrorCode::InvalidRequest);
    assert!(
        f.vault
            .describe_secret(
                &f.caller,
                SecretIdRequest {
                    secret_id: "s".into()
                }
            )
            .unwrap()
            .deleted_date
            .is_some()
    );
    f.vault
        .restore_secret(
            &f.caller,
            SecretIdRequest {
                secret_id: "s".into(),
            },
        )
        .unwrap();
    assert_eq!(f.get("s"), "v");
}

#[test]
fn delete_checks_its_recovery_window() {
    let f = fixture();
    f.create("s", Some("v"));
    let d = |w: Option<i64>, force: Option<bool>| {
        code(f.vault.delete_secret(
            &f.caller,
            DeleteSecretRequest {
                secret_id: "s".into(),
                recovery_window_in_days: w,
                force_delete_without_recovery: force,
            },
        ))
    };
    assert_eq!(d(Some(6), None), ErrorCode::InvalidParameter);
    assert_eq!(d(Some(31), None), ErrorCode::InvalidParameter);
    assert_eq!(d(Some(7), Some(true)), ErrorCode::InvalidParameter);
    assert_eq!(f.get("s"), "v");
}

#[test]
fn a_secret_is_purged_once_its_deletion_date_passes_and_its_name_is_free_again() {
    let f = fixture();
    f.create("s", Some("v"));
    f.vault
        .delete_secret(
            &f.caller,
            DeleteSecretRequest {
                secret_id: "s".into(),
                recovery_window_in_days: Some(7),
                ..Default::default()
            },
        )
        .unwrap();
    f.clock.advance(SignedDuration::from_hours(7 * 24 - 1));
    assert_eq!(
        code(f.get_at("s", None, None)),
        ErrorCode::InvalidRequest,
        "still in its window"
    );
    f.clock.advance(SignedDuration::from_hours(2));
    assert_eq!(code(f.get_at("s", None, None)), ErrorCode::ResourceNotFound);
    assert_eq!(
        code(f.vault.restore_secret(
            &f.caller,
            SecretIdRequest {
                secret_id: "s".into()
            }
        )),
        ErrorCode::ResourceNotFound
    );
    f.create("s", Some("new"));
    assert_eq!(f.get("s"), "new");
    let events = f
        .vault
        .query_audit(
            &f.caller,
            &AuditQuery {
                event_names: vec!["EndSecretDeletion".into()],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(events.events.len(), 1);
}

/// moto 5.2.5, `test_delete_secret_force_no_such_secret`: force-deleting a name that does not
/// exist succeeds and names it; `test_delete_secret_force_no_such_secret_with_invalid_recovery_window`:
/// the window is checked first ("RecoveryWindowInDays value must be between 7 and 30 days
/// (inclusive)", InvalidParameterException). Without the flag it stays ResourceNotFound
/// (`test_delete_secret_that_does_not_exist`).
/// moto 5.2.5, `test_tag_resource`: `"Tags" not in response` for a secret never tagged;
/// `test_untag_resource`: once its last tag is removed, `"Tags" in response` and
/// `response["Tags"] == []`. ListSecrets shows the same.
#[test]
fn tags_are_absent_until_tagged_and_an_empty_list_after_the_last_is_removed() {
    let f = fixture();
    f.create("s", Some("v"));
    let id = || SecretIdRequest {
        secret_id: "s".into(),
    };
    let tags = || f.vault.describe_secret(&f.caller, id()).unwrap().tags;
    let listed = || {
        f.vault
            .list_secrets(&f.caller, ListSecretsRequest::default())
            .unwrap()
            .secret_list[0]
            .tags
            .clone()
    };
    assert_eq!(tags(), None);
    assert_eq!(listed(), None);
    let tag = Tag {
        key: "k".into(),
        value: "v".into(),
    };
    f.vault
        .tag_resource(
            &f.caller,
            TagResourceRequest {
                secret_id: "s".into(),
                tags: vec![tag.clone()],
            },
        )
        .unwrap();
    assert_eq!(tags(), Some(vec![tag]));
    f.vault
        .untag_resource(
            &f.caller,
            UntagResourceRequest {
                secret_id: "s".into(),
                tag_keys: vec!["k".into()],
            },
        )
        .unwrap();
    assert_eq!(tags(), Some(vec![]));
    assert_eq!(listed(), Some(vec![]));
    let json = serde_json::to_value(f.vault.describe_secret(&f.caller, id()).unwrap()).unwrap();
    assert_eq!(json["Tags"], serde_json::json!([]));
}

#[test]
fn force_deleting_a_missing_name_succeeds_after_the_window_is_checked() {
    let f = fixture();
    let d = |id: &str, w: Option<i64>, force: Option<bool>| {
        f.vault.delete_secret(
            &f.caller,
            DeleteSecretRequest {
                secret_id: id.into(),
                recovery_window_in_days: w,
                force_delete_without_recovery: force,
            },
        )
    };
    let r = d("i-dont-exist", None, Some(true)).unwrap();
    assert_eq!(r.name, "i-dont-exist");
    assert!(
        r.arn
            .starts_with("arn:aws:secretsmanager:us-east-1:111122223333:secret:i-dont-exist-")
    );
    let err = d("i-dont-exist", Some(6), Some(true)).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidParameter);
    assert_eq!(
        err.message,
        "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
    );
    assert_eq!(
        code(d("i-dont-exist", None, None)),
        ErrorCode::ResourceNotFound
    );
}

#[test]
fn force_delete_purges_at_once() {
    let f = fixture();
    f.create("s", Some("v"));
    f.vault
        .delete_secret(
            &f.caller,
            DeleteSecretRequest {
                secret_id: "s".into(),
                force_delete_without_recovery: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(code(f.get_at("s", None, None)), ErrorCode::ResourceNotFound);
    f.create("s", Some("again"));
    assert_eq!(f.get("s"), "again");
    // A second handle that saw the old secret drops it too.
    let other = f.reopen();
    let c = other.caller(FrontEnd::Cli);
    assert_eq!(
        other
            .list_secrets(&c, ListSecretsRequest::default())
            .unwrap()
            .secret_list
            .len(),
        1
    );
}

#[test]
fn the_hundredth_version_limit_removes_only_old_deprecated_versions() {
    let f = fixture();
    f.create("s", Some("v0"));
    for i in 1..100 {
        f.put("s", &format!("v{i}"), None);
    }
    let r = f.vault.put_secret_value(
        &f.caller,
        PutSecretValueRequest {
            secret_id: "s".into(),
            secret_string: text("v100"),
            ..Default::default()
        },
    );
    assert_eq!(
        code(r),
        ErrorCode::LimitExceeded,
        "every deprecated version is younger than 24 hours"
    );
    f.clock.advance(SignedDuration::from_hours(25));
    f.put("s", "v100", None);
    let all = f
        .vault
        .list_secret_version_ids(
            &f.caller,
            ListSecretVersionIdsRequest {
                secret_id: "s".into(),
                include_deprecated: true,
                max_results: Some(100),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(all.versions.len(), 100);
    assert_eq!(f.get("s"), "v100");
    assert_eq!(f.get_at("s", None, Some("AWSPREVIOUS")).unwrap(), "v99");
}

#[test]
fn last_accessed_date_has_day_precision() {
    let f = fixture();
    f.create("s", Some("v"));
    let d = f
        .vault
        .describe_secret(
            &f.caller,
            SecretIdRequest {
                secret_id: "s".into(),
            },
        )
        .unwrap();
    assert!(d.last_accessed_date.is_none());
    f.get("s");
    let d = f
        .vault
        .describe_secret(
            &f.caller,
            SecretIdRequest {
                secret_id: "s".into(),
            },
        )
        .unwrap();
    let midnight: jiff::Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
    assert_eq!(d.last_accessed_date, Some(midnight.as_second() as f64));
}

#[test]
fn update_secret_changes_description_key_and_value() {
    let f = fixture();
    f.create("s", Some("one"));
    let key = f
        .vault
        .create_key(
            &f.caller,
            CreateKeyRequest {
                description: Some("k".into()),
                tags: vec![],
            },
        )
        .unwrap();
    f.vault
        .create_alias(
            &f.caller,
            CreateAliasRequest {
                alias_name: "alias/team".into(),
                target_key_id: key.key_metadata.key_id.clone(),
            },
        )
        .unwrap();
    let r = f
        .vault
        .update_secret(
            &f.caller,
            UpdateSecretRequest {
                secret_id: "s".into(),
                description: Some("new description".into()),
                kms_key_id: Some("alias/team".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(r.version_id.is_none());
    assert_eq!(
        f.get("s"),
        "one",
        "the value re-wrapped under the new key still opens"
    );
    let d = f
        .vault
        .describe_secret(
            &f.caller,
            SecretIdRequest {
                secret_id: "s".into(),
            },
        )
        .unwrap();
    assert_eq!(d.description.as_deref(), Some("new description"));
    assert_eq!(d.kms_key_id.as_deref(), Some("alias/team"));
    let r = f
        .vault
        .update_secret(
            &f.caller,
            UpdateSecretRequest {
                secret_id: "s".into(),
                secret_string: text("two"),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(r.version_id.is_some());
    assert_eq!(f.get("s"), "two");
    let versions = f
        .vault
        .list_secret_version_ids(
            &f.caller,
            ListSecretVersionIdsRequest {
                secret_id: "s".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        versions
            .versions
            .iter()
            .all(|v| v.kms_key_ids[0].contains(&key.key_metadata.key_id))
    );
    let both = f.vault.update_secret(
        &f.caller,
        UpdateSecretRequest {
            secret_id: "s".into(),
            secret_string: text("a"),
            secret_binary: Some(SecretBytes::new(vec![1])),
            ..Default::default()
        },
    );
    assert_eq!(code(both), ErrorCode::InvalidParameter);
}

#[test]
fn tags_are_merged_replaced_and_removed() {
    let f = fixture();
    f.create("s", None);
    let t = |k: &str, v: &str| Tag {
        key: k.into(),
        value: v.into(),
    };
    f.vault
        .tag_resource(
            &f.caller,
            TagResourceRequest {
                secret_id: "s".into(),
                tags: vec![t("a", "1"), t("b", "2")],
            },
        )
        .unwrap();
    f.vault
        .tag_resource(
            &f.caller,
            TagResourceRequest {
                secret_id: "s".into(),
                tags: vec![t("a", "9")],
            },
        )
        .unwrap();
    f.vault
        .untag_resource(
            &f.caller,
            UntagResourceRequest {
                secret_id: "s".into(),
                tag_keys: vec!["b".into(), "zz".into()],
            },
        )
        .unwrap();
    let d = f
        .vault
        .describe_secret(
            &f.caller,
            SecretIdRequest {
                secret_id: "s".into(),
            },
        )
        .unwrap();
    assert_eq!(d.tags, Some(vec![t("a", "9")]));
    let many: Vec<Tag> = (0..50).map(|i| t(&format!("k{i}"), "v")).collect();
    let r = f.vault.tag_resource(
        &f.caller,
        TagResourceRequest {
            secret_id: "s".into(),
            tags: many,
        },
    );
    assert_eq!(code(r), ErrorCode::InvalidParameter, "51 tags in all");
    let r = f.vault.tag_resource(
        &f.caller,
        TagResourceRequest {
            secret_id: "s".into(),
            tags: vec![t("aws:x", "v")],
        },
    );
    assert_eq!(code(r), ErrorCode::InvalidParameter);
}

#[test]
fn batch_get_reports_missing_secrets_in_errors() {
    let f = fixture();
    f.create("a", Some("1"));
    f.create("b", Some("2"));
    let r = f
        .vault
        .batch_get_secret_value(
            &f.caller,
            BatchGetSecretValueRequest {
                secret_id_list: vec!["a".into(), "b".into(), "missing".into()],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(r.secret_values.len(), 2);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].error_code, "ResourceNotFoundException");
    let j = reveal_json(&r);
    assert_eq!(j["SecretValues"][0]["SecretString"], "1");
    let by_filter = f
        .vault
        .batch_get_secret_value(
            &f.caller,
            BatchGetSecretValueRequest {
                filters: vec![Filter {
                    key: "name".into(),
                    values: vec!["b".into()],
                }],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(by_filter.secret_values.len(), 1);
    let both = f.vault.batch_get_secret_value(
        &f.caller,
        BatchGetSecretValueRequest {
            secret_id_list: vec!["a".into()],
            filters: vec![Filter {
                key: "name".into(),
                values: vec!["a".into()],
            }],
            ..Default::default()
        },
    );
    assert_eq!(code(both), ErrorCode::InvalidParameter);
    let neither = f
        .vault
        .batch_get_secret_value(&f.caller, BatchGetSecretValueRequest::default());
    assert_eq!(code(neither), ErrorCode::InvalidParameter);
}

/// moto 5.2.5: `test_batch_get_secret_value_with_both_secret_id_list_and_filters`,
/// `test_batch_get_secret_value_with_max_results_and_no_filters`,
/// `test_batch_get_secret_value_for_secret_id_list_without_matches` and
/// `test_batch_get_secret_value_missing_value` (a secret with no value fails the call).
#[test]
fn batch_get_answers_in_moto_words_and_fails_on_a_secret_with_no_value() {
    let f = fixture();
    f.create("a", Some("1"));
    let batch = |r: BatchGetSecretValueRequest| f.vault.batch_get_secret_value(&f.caller, r);
    let by_name = |v: &str| Filter {
        key: "name".into(),
        values: vec![v.into()],
    };
    let both = batch(BatchGetSecretValueRequest {
        secret_id_list: vec!["foo".into()],
        filters: vec![by_name("a")],
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(both.code, ErrorCode::InvalidParameter);
    assert_eq!(
        both.message,
        "Either 'SecretIdList' or 'Filters' must be provided, but not both."
    );
    let max = batch(BatchGetSecretValueRequest {
        secret_id_list: vec!["foo".into(), "bar".into()],
        max_results: Some(10),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(max.code, ErrorCode::InvalidParameter);
    assert_eq!(
        max.message,
        "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided."
    );
    let missing = batch(BatchGetSecretValueRequest {
        secret_id_list: vec!["test-secret-b".into()],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(missing.errors[0].secret_id, "test-secret-b");
    assert_eq!(missing.errors[0].error_code, "ResourceNotFoundException");
    assert_eq!(
        missing.errors[0].message,
        "Secrets Manager can't find the specified secret."
    );
    f.create("empty", None);
    let no_value = batch(BatchGetSecretValueRequest {
        filters: vec![by_name("empty")],
        ..Default::default()
    });
    assert_eq!(code(no_value), ErrorCode::ResourceNotFound);
    let no_value = batch(BatchGetSecretValueRequest {
        secret_id_list: vec!["a".into(), "empty".into()],
        ..Default::default()
    });
    assert_eq!(code(no_value), ErrorCode::ResourceNotFound);
}

#[test]
fn kms_keys_are_created_described_and_aliased() {
    let f = fixture();
    let keys = f.vault.list_keys(&f.caller).unwrap();
    assert_eq!(keys.keys.len(), 1, "aws/secretsmanager exists from init");
    let aliases = f.vault.list_aliases(&f.caller).unwrap();
    assert_eq!(aliases.aliases[0].alias_name, "alias/aws/secretsmanager");
    let k = f
        .vault
        .create_key(
            &f.caller,
            CreateKeyRequest {
                description: Some("mine".into()),
                tags: vec![],
            },
        )
        .unwrap();
    assert_eq!(k.key_metadata.key_manager, "CUSTOMER");
    let d = f
        .vault
        .describe_key(
            &f.caller,
            KeyIdRequest {
                key_id: k.key_metadata.arn.clone(),
            },
        )
        .unwrap();
    assert_eq!(d.key_metadata.key_id, k.key_metadata.key_id);
    f.vault
        .create_alias(
            &f.caller,
            CreateAliasRequest {
                alias_name: "alias/mine".into(),
                target_key_id: k.key_metadata.key_id.clone(),
            },
        )
        .unwrap();
    let dup = f.vault.create_alias(
        &f.caller,
        CreateAliasRequest {
            alias_name: "alias/mine".into(),
            target_key_id: k.key_metadata.key_id.clone(),
        },
    );
    assert_eq!(code(dup), ErrorCode::ResourceExists);
    assert_eq!(
        code(f.vault.describe_key(
            &f.caller,
            KeyIdRequest {
                key_id: "nope".into()
            }
        )),
        ErrorCode::ResourceNotFound
    );
    f.vault
        .create_secret(
            &f.caller,
            CreateSecretRequest {
                kms_key_id: Some("alias/mine".into()),
                secret_string: text("x"),
                ..req_create("s")
            },
        )
        .unwrap();
    assert_eq!(f.get("s"), "x");
    // The key survives a reopen (its material is wrapped by the master key).
    let other = f.reopen();
    let c = other.caller(FrontEnd::Cli);
    let r = other
        .get_secret_value(
            &c,
            GetSecretValueRequest {
                secret_id: "s".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(matches!(r.value, coffer_core::SecretValue::String(ref s) if s.expose() == "x"));
}

#[test]
fn get_random_password_follows_its_options() {
    let f = fixture();
    let p = f
        .vault
        .get_random_password(&f.caller, GetRandomPasswordRequest::default())
        .unwrap();
    assert_eq!(p.random_password.expose().len(), 32);
    let r = f.vault.get_random_password(
        &f.caller,
        GetRandomPasswordRequest {
            password_length: Some(5000),
            ..Default::default()
        },
    );
    // moto 5.2.5 `test_get_random_too_long_password`: Code == "InvalidParameterValue".
    assert_eq!(code(r), ErrorCode::InvalidParameterValue);
}

#[test]
fn every_request_writes_one_audit_event_with_its_outcome_and_no_value() {
    let f = fixture();
    let count = || {
        f.vault
            .query_audit(
                &f.caller,
                &AuditQuery {
                    limit: 1000,
                    ..Default::default()
                },
            )
            .unwrap()
            .total_events
    };
    let before = count();
    f.create("s", Some("MARKER-VALUE-1"));
    assert_eq!(count(), before + 1);
    let _ = f.get_at("missing", None, None);
    assert_eq!(count(), before + 2);
    f.get("s");
    assert_eq!(count(), before + 3);
    let page = f
        .vault
        .query_audit(
            &f.caller,
            &AuditQuery {
                limit: 3,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.events[0].event_name, "GetSecretValue");
    assert_eq!(page.events[0].version_stages, vec!["AWSCURRENT"]);
    assert_eq!(
        page.events[1].error_code.as_deref(),
        Some("ResourceNotFoundException")
    );
    assert_eq!(page.events[2].event_name, "CreateSecret");
    let errors = f
        .vault
        .query_audit(
            &f.caller,
            &AuditQuery {
                errors_only: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(errors.events.len(), 1);
    let for_secret = f
        .vault
        .query_audit(
            &f.caller,
            &AuditQuery {
                secret_id: Some("s".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(for_secret.events.len(), 2);
    let by_admin = f
        .vault
        .query_audit(
            &f.caller,
            &AuditQuery {
                principal: Some("admin".into()),
                limit: 1000,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(by_admin.events.len() as i64, count());
    let export = f
        .vault
        .export_audit_trail(&f.caller, &AuditQuery::default())
        .unwrap()
        .to_string();
    assert!(!export.contains("MARKER-VALUE-1"));
    assert!(f.vault.verify_audit_trail(&f.caller).unwrap().intact);
}

#[test]
fn a_principal_that_is_not_an_operator_is_denied_and_the_denial_is_audited() {
    let f = fixture();
    f.create("s", Some("v"));
    let app = Caller::principal("arn:aws:iam::111122223333:user/app1", FrontEnd::Endpoint);
    let e = f
        .vault
        .get_secret_value(
            &app,
            GetSecretValueRequest {
                secret_id: "s".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::AccessDenied);
    assert!(e.message.starts_with("User: arn:aws:iam::111122223333:user/app1 is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:111122223333:secret:s-"));
    let denied = f
        .vault
        .query_audit(
            &f.caller,
            &AuditQuery {
                principal: Some("arn:aws:iam::111122223333:user/app1".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(denied.events.len(), 1);
    assert_eq!(
        denied.events[0].error_code.as_deref(),
        Some("AccessDeniedException")
    );
    assert_eq!(denied.events[0].front_end, "endpoint");
}

#[test]
fn a_wrong_passphrase_is_refused_and_changes_nothing() {
    let f = fixture();
    f.create("s", Some("v"));
    let events = f
        .vault
        .query_audit(&f.caller, &AuditQuery::default())
        .unwrap()
        .total_events;
    let e = coffer_core::Vault::open(
        &f.path,
        Some("admin"),
        &coffer_core::Passphrase::new("wrong".into()),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::AccessDenied);
    let e = coffer_core::Vault::open(
        &f.path,
        Some("nobody"),
        &coffer_core::Passphrase::new(PASS.into()),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::ResourceNotFound);
    assert_eq!(
        f.vault
            .query_audit(&f.caller, &AuditQuery::default())
            .unwrap()
            .total_events,
        events
    );
    let summary = coffer_core::Vault::inspect(&f.path).unwrap();
    assert_eq!(summary.operators, vec!["admin"]);
    assert_eq!(summary.account_id, "111122223333");
}

#[test]
fn two_handles_on_one_file_see_each_others_changes() {
    let f = fixture();
    f.create("s", Some("one"));
    let other = f.reopen();
    let c = other.caller(FrontEnd::Tui);
    assert!(
        !other.catch_up().unwrap(),
        "nothing changed since it opened"
    );
    let v2 = f.put("s", "two", None).version_id;
    assert!(
        other.catch_up().unwrap(),
        "the other handle notices the commit"
    );
    let page = other
        .query_secrets(&c, &coffer_core::vault::SecretQuery::default())
        .unwrap();
    assert_eq!(page.total, 1);
    let r = other
        .get_secret_value(
            &c,
            GetSecretValueRequest {
                secret_id: "s".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(r.version_id, v2);
    // And the other way round: a label move there is read here at once.
    let v1 = f.holder("s", "AWSPREVIOUS").unwrap();
    other
        .update_secret_version_stage(
            &c,
            UpdateSecretVersionStageRequest {
                secret_id: "s".into(),
                version_stage: "AWSCURRENT".into(),
                remove_from_version_id: Some(v2),
                move_to_version_id: Some(v1),
            },
        )
        .unwrap();
    assert_eq!(f.get("s"), "one");
}

#[test]
fn prefix_runs_group_the_name_sorted_matches_and_ignore_the_page_and_order() {
    let f = fixture();
    for name in ["prod/b", "dev/x", "prod/a", "solo", "dev/y", "staging/z"] {
        f.create(name, Some("v"));
    }
    let q = coffer_core::vault::SecretQuery {
        descending: true,
        offset: 3,
        limit: 1,
        ..Default::default()
    };
    let runs = f.vault.query_prefix_runs(&f.caller, &q).unwrap();
    let shape: Vec<(Option<&str>, usize, usize)> = runs
        .iter()
        .map(|r| (r.prefix.as_deref(), r.start, r.count))
        .collect();
    assert_eq!(
        shape,
        [
            (Some("dev/"), 0, 2),
            (Some("prod/"), 2, 2),
            (None, 4, 1),
            (Some("staging/"), 5, 1)
        ]
    );
    let filtered = coffer_core::vault::SecretQuery {
        text: "prod".into(),
        ..Default::default()
    };
    let runs = f.vault.query_prefix_runs(&f.caller, &filtered).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].count, 2);
}

/// A token already used for another value, on CreateSecret, PutSecretValue and UpdateSecret:
/// AWS answers `ResourceExistsException` "You can't use ClientRequestToken {token} because that
/// value is already in use for a version of secret {ARN}." (moto 5.2.5, `@aws_verified`:
/// `test_create_different_secret_with_same_token`, `test_put_different_secret_value_with_same_token`,
/// `test_update_different_secret_value_with_same_token` in tests/test_secretsmanager/test_secretsmanager.py).
#[test]
fn a_token_reused_with_another_value_names_the_token_and_the_secrets_arn() {
    let f = fixture();
    let token = "0b8a8e7c-6d3f-4a4e-9d3e-2f7c1a5b6c7d";
    let arn = f
        .vault
        .create_secret(
            &f.caller,
            CreateSecretRequest {
                name: "app".into(),
                client_request_token: Some(token.into()),
                secret_string: text("Hello"),
                ..Default::default()
            },
        )
        .unwrap()
        .arn;
    let expected = format!(
        "You can't use ClientRequestToken {token} because that value is already in use for a version of secret {arn}."
    );
    let create = f.vault.create_secret(
        &f.caller,
        CreateSecretRequest {
            name: "app".into(),
            client_request_token: Some(token.into()),
            secret_string: text("Hi"),
            ..Default::default()
        },
    );
    let put = f.vault.put_secret_value(
        &f.caller,
        PutSecretValueRequest {
            secret_id: arn.clone(),
            client_request_token: Some(token.into()),
            secret_string: text("Hi"),
            ..Default::default()
        },
    );
    let update = f.vault.update_secret(
        &f.caller,
        UpdateSecretRequest {
            secret_id: arn.clone(),
            client_request_token: Some(token.into()),
            secret_string: text("Hi"),
            ..Default::default()
        },
    );
    for (op, e) in [
        ("CreateSecret", create.err().unwrap()),
        ("PutSecretValue", put.err().unwrap()),
        ("UpdateSecret", update.err().unwrap()),
    ] {
        assert_eq!(e.code, ErrorCode::ResourceExists, "{op}");
        assert_eq!(e.message, expected, "{op}");
    }
    assert_eq!(f.get("app"), "Hello");
}

/// Moving AWSCURRENT without RemoveFromVersionId: AWS answers `InvalidParameterException` "The
/// parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached
/// to version {id}, so you must explicitly reference that version in RemoveFromVersionId."
/// (moto 5.2.5, `@aws_verified`: `test_update_secret_version_stage_dont_specify_current_stage`
/// in tests/test_secretsmanager/test_secretsmanager.py).
#[test]
fn moving_awscurrent_without_remove_from_version_id_names_its_holder() {
    let f = fixture();
    f.create("s", Some("previous"));
    let current = f
        .put("s", "previous_secret", Some(&["AWSCURRENT"]))
        .version_id;
    let pending = f.put("s", "new_secret", Some(&["AWSPENDING"])).version_id;
    let e = f
        .vault
        .update_secret_version_stage(
            &f.caller,
            UpdateSecretVersionStageRequest {
                secret_id: "s".into(),
                version_stage: "AWSCURRENT".into(),
                remove_from_version_id: None,
                move_to_version_id: Some(pending),
            },
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidParameter);
    assert_eq!(
        e.message,
        format!(
            "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version {current}, so you must explicitly reference that version in RemoveFromVersionId."
        )
    );
    assert_eq!(f.holder("s", "AWSCURRENT"), Some(current));
}

/// Validation before existence: PutSecretValue with neither SecretString nor SecretBinary is
/// an InvalidRequestException even when the secret does not exist (moto 5.2.5
/// test_put_secret_binary_requires_either_string_or_binary).
#[test]
fn put_secret_value_without_a_value_is_refused_before_the_secret_is_looked_for() {
    let f = fixture();
    for id in ["missing", "present"] {
        if id == "present" {
            f.create(id, Some("v"));
        }
        let e = f
            .vault
            .put_secret_value(
                &f.caller,
                PutSecretValueRequest {
                    secret_id: id.into(),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                ErrorCode::InvalidRequest,
                "You must provide either SecretString or SecretBinary."
            ),
            "{id}"
        );
    }
}

// ---- What botocore's current model adds (issue #17 item 4) ----
// Sources: botocore 1.44.18 `secretsmanager/2017-10-17/service-2.json` — `Type`
// (`MedeaTypeType`, at most 256 characters) on CreateSecret, UpdateSecret, DescribeSecret
// and `SecretListEntry`, placed after `Name`; `RotationToken` (`RotationTokenType`: 36–256
// characters of `^[a-zA-Z0-9\-]+$`, `sensitive`) on PutSecretValue.

#[test]
fn type_of_a_managed_external_secret_is_stored_described_listed_and_updated() {
    let f = fixture();
    f.vault
        .create_secret(
            &f.caller,
            CreateSecretRequest {
                name: "sf".into(),
                secret_string: text("{}"),
                secret_type: Some("SalesforceClientSecret".into()),
                ..Default::default()
            },
        )
        .unwrap();
    f.create("plain", Some("v"));
    let d = f
        .vault
        .describe_secret(
            &f.caller,
            SecretIdRequest {
                secret_id: "sf".into(),
            },
        )
        .unwrap();
    assert_eq!(d.secret_type.as_deref(), Some("SalesforceClientSecret"));
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["Type"], "SalesforceClientSecret");
    // A secret created without one has no `Type` member at all.
    let plain = f
        .vault
        .describe_secret(
            &f.caller,
            SecretIdRequest {
                secret_id: "plain".into(),
            },
        )
        .unwrap();
    assert!(serde_json::to_value(&plain).unwrap().get("Type").is_none());
    let list = f
        .vault
        .list_secrets(
            &f.caller,
            ListSecretsRequest {
                sort_by: Some("name".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let types: Vec<_> = list
        .secret_list
        .iter()
        .map(|e| (e.name.as_str(), e.secret_type.as_deref()))
        .collect();
    assert_eq!(
        types,
        vec![("plain", None), ("sf", Some("SalesforceClientSecret"))]
    );
    f.vault
        .update_secret(
            &f.caller,
            UpdateSecretRequest {
                secret_id: "plain".into(),
                secret_type: Some("DatadogApiKey".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let plain = f
        .vault
        .describe_secret(
            &f.caller,
            SecretIdRequest {
                secret_id: "plain".into(),
            },
        )
        .unwrap();
    assert_eq!(plain.secret_type.as_deref(), Some("DatadogApiKey"));
}

#[test]
fn a_type_longer_than_256_characters_is_a_validation_error() {
    let f = fixture();
    let e = f
        .vault
        .create_secret(
            &f.caller,
            CreateSecretRequest {
                name: "t".into(),
                secret_type: Some("x".repeat(257)),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    assert_eq!(
        e.message,
        "1 validation error detected: Value at 'type' failed to satisfy constraint: Member must have length less than or equal to 256"
    );
}

#[test]
fn rotating_a_managed_external_secret_is_refused_because_no_partner_is_reachable() {
    let f = fixture();
    f.vault
        .create_secret(
            &f.caller,
            CreateSecretRequest {
                name: "sf".into(),
                secret_string: text("{}"),
                secret_type: Some("SalesforceClientSecret".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let e = f
        .vault
        .rotate_secret(
            &f.caller,
            RotateSecretRequest {
                secret_id: "sf".into(),
                external_secret_rotation_role_arn: Some(
                    "arn:aws:iam::111122223333:role/mes".into(),
                ),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidRequest);
    assert_eq!(
        e.message,
        "Secrets Manager can't rotate the managed external secret sf of type SalesforceClientSecret: the partner integration is not reachable."
    );
    let d = f
        .vault
        .describe_secret(
            &f.caller,
            SecretIdRequest {
                secret_id: "sf".into(),
            },
        )
        .unwrap();
    assert_eq!(d.rotation_enabled, None);
}

#[test]
fn rotation_token_is_validated_as_modelled_and_never_audited() {
    let f = fixture();
    f.create("s", Some("v1"));
    let put = |token: &str| {
        f.vault.put_secret_value(
            &f.caller,
            PutSecretValueRequest {
                secret_id: "s".into(),
                secret_string: text("v2"),
                rotation_token: Some(token.into()),
                ..Default::default()
            },
        )
    };
    let short = put("too-short").unwrap_err();
    assert_eq!(short.code, ErrorCode::Validation);
    assert_eq!(
        short.message,
        "1 validation error detected: Value at 'rotationToken' failed to satisfy constraint: Member must have length between 36 and 256"
    );
    let bad = put(&"_".repeat(40)).unwrap_err();
    assert_eq!(bad.code, ErrorCode::Validation);
    assert_eq!(
        bad.message,
        r"1 validation error detected: Value at 'rotationToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9\-]+$"
    );
    // Checked before the secret is looked for.
    let missing = f
        .vault
        .put_secret_value(
            &f.caller,
            PutSecretValueRequest {
                secret_id: "missing".into(),
                secret_string: text("v"),
                rotation_token: Some("x".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(missing.code, ErrorCode::Validation);
    let token = "ROTATION-TOKEN-MARKER-0123456789abcdef";
    put(token).unwrap();
    let events = f
        .vault
        .query_audit(
            &f.caller,
            &AuditQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .unwrap();
    let put_event = events
        .events
        .iter()
        .find(|e| e.event.event_name == "PutSecretValue" && e.event.error_code.is_none())
        .unwrap();
    assert!(
        put_event
            .event
            .request_parameters
            .get("RotationToken")
            .is_none()
    );
    assert!(
        !serde_json::to_string(&events.events)
            .unwrap()
            .contains("ROTATION-TOKEN-MARKER")
    );
}
