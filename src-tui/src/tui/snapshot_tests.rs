//! Every screen and dialog, drawn with `TestBackend` at 80×24 and 160×48 from a real vault
//! on a stopped clock, compared with the reviewed snapshots in `snapshots/`.
//!
//! **Why this file is long:** one test per screen and dialog, each a few lines of keys over the
//! shared kit; the snapshots they compare with are in snapshots/.

use super::action::{Action, Cmd, Effect, Loaded, Request};
use super::testkit::{HIDDEN_VALUES, Kit};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn both(name: &str, setup: impl Fn(&mut Kit)) {
    for (w, h) in SIZES {
        let mut kit = Kit::unlocked(w, h);
        setup(&mut kit);
        let screen = kit.screen();
        for v in HIDDEN_VALUES {
            assert!(
                !screen.contains(v),
                "{name} at {w}x{h} shows a secret value"
            );
        }
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

#[test]
fn unlock_screen() {
    for (w, h) in SIZES {
        let mut kit = Kit::new(w, h);
        kit.text("secret");
        let screen = kit.screen();
        assert!(!screen.contains("secret"), "the passphrase is masked");
        insta::assert_snapshot!(format!("unlock_{w}x{h}"), screen);
    }
}

#[test]
fn health() {
    both("health", |k| k.key(Cmd::GoHealth));
}

/// Every four characters in a row of a value.
fn fragments(value: &str) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    chars.windows(4).map(|w| w.iter().collect()).collect()
}

#[test]
fn the_health_screen_shows_no_value_nor_a_fragment_of_one_on_any_finding() {
    for (w, h) in SIZES {
        let mut kit = Kit::unlocked(w, h);
        kit.key(Cmd::GoHealth);
        let n = kit.app.health.count();
        assert!(n > 0, "the fixture has findings");
        // Secret names are names, not values (`dev/old-service` shares `old-` with a value).
        let names: Vec<String> = kit
            .vault
            .query_secrets(
                &kit.vault.caller(coffer_core::FrontEnd::Tui),
                &coffer_core::vault::SecretQuery {
                    include_deleted: true,
                    limit: 1000,
                    ..Default::default()
                },
            )
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.name)
            .collect();
        for _ in 0..n {
            let mut screen = kit.screen();
            for name in &names {
                screen = screen.replace(name.as_str(), "");
            }
            for v in HIDDEN_VALUES {
                for frag in fragments(v) {
                    assert!(
                        !screen.contains(&frag),
                        "the Health screen at {w}x{h} shows {frag:?} of a value:\n{screen}"
                    );
                }
            }
            kit.key(Cmd::Down);
        }
    }
}

#[test]
fn secrets_list() {
    both("secrets", |_| {});
}

#[test]
fn secrets_filtered_with_negation() {
    both("secrets_filtered", |k| {
        k.key(Cmd::Filter);
        k.text("prod !cache");
    });
}

#[test]
fn secrets_with_deletions_sorted_by_name_descending() {
    // (The core orders ties of a date column arbitrarily, so a name order keeps this stable.)
    both("secrets_deleted_sorted", |k| {
        k.keys(&[Cmd::ToggleDeleted, Cmd::ReverseSort]);
    });
}

#[test]
fn secrets_grouped_with_a_folded_group() {
    both("secrets_grouped", |k| {
        k.key(Cmd::Group);
        k.keys(&[Cmd::Down, Cmd::Down]);
        k.key(Cmd::Fold);
    });
}

#[test]
fn detail_overview() {
    both("detail_overview", |k| k.open("prod/db/main"));
}

#[test]
fn detail_value_masked() {
    both("detail_value_masked", |k| {
        k.open("demo/placeholder");
        k.key(Cmd::NextTab);
        assert!(
            !k.screen().contains("placeholder-"),
            "no value before a reveal"
        );
    });
}

#[test]
fn detail_value_revealed() {
    both("detail_value_revealed", |k| {
        k.open("demo/placeholder");
        k.keys(&[Cmd::NextTab, Cmd::Reveal, Cmd::Down]);
    });
}

#[test]
fn detail_versions_with_deprecated() {
    both("detail_versions", |k| {
        k.open("prod/db/main");
        k.keys(&[
            Cmd::NextTab,
            Cmd::NextTab,
            Cmd::Deprecated,
            Cmd::Down,
            Cmd::Mark,
        ]);
    });
}

#[test]
fn move_label_dialog() {
    both("move_label", |k| {
        k.open("prod/db/main");
        k.keys(&[
            Cmd::NextTab,
            Cmd::NextTab,
            Cmd::Deprecated,
            Cmd::Bottom,
            Cmd::MoveLabel,
        ]);
    });
}

#[test]
fn move_label_confirmation() {
    both("move_label_confirm", |k| {
        k.open("prod/db/main");
        k.keys(&[
            Cmd::NextTab,
            Cmd::NextTab,
            Cmd::Deprecated,
            Cmd::Bottom,
            Cmd::MoveLabel,
        ]);
        k.text("-X");
        k.key(Cmd::Submit);
    });
}

#[test]
fn roll_back_confirmation() {
    both("rollback_confirm", |k| {
        k.open("prod/db/main");
        k.keys(&[Cmd::NextTab, Cmd::NextTab, Cmd::Down, Cmd::RollBack]);
    });
}

#[test]
fn diff_of_two_versions() {
    both("diff", |k| {
        k.open("demo/placeholder");
        k.keys(&[Cmd::NextTab, Cmd::NextTab, Cmd::Mark, Cmd::Down, Cmd::Diff]);
    });
}

#[test]
fn tags_tab() {
    both("tags", |k| {
        k.open("prod/db/main");
        k.keys(&[
            Cmd::NextTab,
            Cmd::NextTab,
            Cmd::NextTab,
            Cmd::NextTab,
            Cmd::NextTab,
            Cmd::Down,
        ]);
    });
}

/// Opens `prod/db/main`'s Rotation tab (after Overview, Value, Versions).
fn rotation_tab(k: &mut Kit) {
    k.open("prod/db/main");
    k.keys(&[Cmd::NextTab, Cmd::NextTab, Cmd::NextTab]);
}

#[test]
fn rotation_tab_with_a_waiting_attempt_and_a_finished_one_step_by_step() {
    both("rotation", |k| {
        k.with_rotation();
        rotation_tab(k);
        k.key(Cmd::Down);
    });
}

#[test]
fn rotation_schedule_dialog_previews_the_next_runs() {
    both("rotation_schedule", |k| {
        k.with_rotation();
        rotation_tab(k);
        k.key(Cmd::EditSchedule);
        for _ in 0..2 {
            k.key(Cmd::Backspace);
        }
        k.text("rate(10 days)");
    });
}

#[test]
fn approvals_screen_with_a_rotation_under_the_two_person_rule() {
    both("approvals", |k| {
        k.with_rotation();
        k.key(Cmd::GoApprovals);
    });
}

#[test]
fn reject_reason_dialog() {
    both("reject_reason", |k| {
        k.with_rotation();
        k.key(Cmd::GoApprovals);
        k.key(Cmd::Reject);
        k.text("change freeze until Monday");
    });
}

#[test]
fn the_pending_count_shows_on_every_screen_and_follows_the_queue() {
    let mut k = Kit::unlocked(120, 30);
    assert!(!k.screen().contains("Approvals (1)"));
    k.with_rotation();
    k.act(Action::loaded(super::action::Loaded::Changed));
    assert_eq!(k.app.approvals.rows.len(), 1);
    assert!(
        k.screen()
            .lines()
            .next()
            .unwrap()
            .contains("5 Approvals (1)")
    );
    k.key(Cmd::GoDeletions);
    assert!(
        k.screen()
            .lines()
            .next()
            .unwrap()
            .contains("5 Approvals (1)")
    );
}

#[test]
fn the_two_person_rule_refuses_the_requester_in_the_status_line() {
    let mut k = Kit::unlocked(120, 30);
    k.with_rotation();
    k.open_rotation_of("staging/db/main");
    k.keys(&[Cmd::ToggleApproval, Cmd::ToggleTwoPerson]);
    assert!(k.screen().contains("required · two-person rule on"));
    k.keys(&[Cmd::RotateNow, Cmd::Submit, Cmd::Yes]);
    assert_eq!(k.app.approvals.rows.len(), 2);
    assert!(k.screen().contains("awaiting-approval"));
    k.key(Cmd::GoApprovals);
    k.key(Cmd::Bottom);
    assert_eq!(
        k.app.approvals.selected_row().unwrap().secret_name,
        "staging/db/main"
    );
    assert!(k.screen().contains("you (admin) asked for it"));
    k.keys(&[Cmd::Approve, Cmd::Yes]);
    let s = k.app.sh.status.clone().unwrap();
    assert!(s.error);
    assert!(
        s.text
            .starts_with("ApproveRotation failed: AccessDeniedException"),
        "{}",
        s.text
    );
    assert_eq!(k.app.approvals.rows.len(), 2, "it still waits");
}

#[test]
fn approving_runs_the_rotation_and_the_status_line_reports_it() {
    let mut k = Kit::unlocked(120, 30);
    k.with_rotation();
    k.key(Cmd::GoApprovals);
    k.keys(&[Cmd::Approve, Cmd::Yes]);
    let s = k.app.sh.status.clone().unwrap();
    assert!(!s.error, "{}", s.text);
    assert!(
        s.text.starts_with("Rotation of prod/db/main succeeded"),
        "{}",
        s.text
    );
    assert!(k.app.approvals.rows.is_empty());
    assert!(k.screen().lines().next().unwrap().contains("5 Approvals "));
    k.open_rotation_of("prod/db/main");
    let d = k.app.detail.as_ref().unwrap();
    assert_eq!(d.attempts()[0].status.as_str(), "succeeded");
    assert!(k.screen().contains("approved by admin"));
}

#[test]
fn a_rejection_needs_a_reason_and_then_leaves_the_queue() {
    let mut k = Kit::unlocked(120, 30);
    k.with_rotation();
    k.key(Cmd::GoApprovals);
    k.key(Cmd::Open);
    let tab = k.app.detail.as_ref().map(|d| d.tab);
    assert_eq!(tab, Some(super::screens::detail::Tab::Rotation));
    k.key(Cmd::GoApprovals);
    k.key(Cmd::Reject);
    k.key(Cmd::Submit);
    assert!(k.app.sh.status.as_ref().unwrap().error);
    assert!(
        matches!(k.app.sh.popup, Some(super::popups::Popup::Input(_))),
        "the dialog asks again"
    );
    k.text("change freeze");
    k.key(Cmd::Submit);
    assert!(k.app.approvals.rows.is_empty());
    assert!(k.screen().contains("No rotation is waiting for approval."));
    k.open_rotation_of("prod/db/main");
    let d = k.app.detail.as_ref().unwrap();
    assert_eq!(d.attempts()[0].status.as_str(), "rejected");
    assert!(k.screen().contains("rejected by admin: change freeze"));
}

#[test]
fn rotate_now_asks_for_a_function_confirms_and_the_scheduler_reports_success() {
    let mut k = Kit::unlocked(120, 30);
    k.with_rotation();
    k.open_rotation_of("staging/db/main");
    k.key(Cmd::RotateNow);
    let Some(super::popups::Popup::Input(i)) = &k.app.sh.popup else {
        panic!("a secret without a function asks for one")
    };
    assert!(i.lines.iter().any(|l| l.contains("1. pw — password")));
    k.key(Cmd::Submit);
    assert!(matches!(
        k.app.sh.popup,
        Some(super::popups::Popup::Confirm(_))
    ));
    k.key(Cmd::Yes);
    let s = k.app.sh.status.clone().unwrap();
    assert!(!s.error, "{}", s.text);
    assert!(
        s.text.starts_with("Rotation of staging/db/main succeeded"),
        "{}",
        s.text
    );
    let d = k.app.detail.as_ref().unwrap();
    assert_eq!(d.attempts()[0].status.as_str(), "succeeded");
    assert_eq!(d.attempts()[0].steps.len(), 4);
    for v in HIDDEN_VALUES {
        assert!(!s.text.contains(v));
    }
}

#[test]
fn saving_a_schedule_turns_rotation_on_without_rotating_now() {
    let mut k = Kit::unlocked(120, 30);
    k.with_rotation();
    k.open_rotation_of("staging/db/main");
    k.key(Cmd::EditSchedule);
    k.key(Cmd::Submit);
    assert!(matches!(
        k.app.sh.popup,
        Some(super::popups::Popup::Schedule(_))
    ));
    k.keys(&[Cmd::Backspace, Cmd::Backspace]);
    k.text("rate(1 hours)");
    k.key(Cmd::Submit);
    assert!(k.app.sh.status.as_ref().unwrap().error, "refused as typed");
    for _ in 0.."rate(1 hours)".len() {
        k.key(Cmd::Backspace);
    }
    k.text("rate(12 hours)");
    k.key(Cmd::Submit);
    let d = k.app.detail.as_ref().unwrap();
    let s = &d.view.as_ref().unwrap().secret;
    assert_eq!(s.rotation_enabled, Some(true));
    assert_eq!(
        s.rotation_rules
            .as_ref()
            .unwrap()
            .schedule_expression
            .as_deref(),
        Some("rate(12 hours)")
    );
    assert!(d.attempts().is_empty(), "nothing rotated");
    assert_eq!(d.next_windows(3).len(), 3);
}

#[test]
fn cancel_and_the_approval_toggles_reach_the_vault() {
    let mut k = Kit::unlocked(120, 30);
    k.with_rotation();
    k.open_rotation_of("prod/db/main");
    k.key(Cmd::ToggleTwoPerson);
    let c = k.vault.caller(coffer_core::FrontEnd::Cli);
    let got = k.vault.rotation_approval(&c, Some("prod/db/main")).unwrap();
    assert!(got.require_approval && !got.two_person_rule);
    k.key(Cmd::CancelRotation);
    k.key(Cmd::Yes);
    let d = k.app.detail.as_ref().unwrap();
    assert_eq!(d.attempts()[0].status.as_str(), "cancelled");
    assert!(!d.rotation_enabled());
    assert!(k.app.approvals.rows.is_empty());
}

#[test]
fn policy_tab_with_findings() {
    both("policy", |k| {
        k.with_principals();
        k.open("prod/db/main");
        k.keys(&[Cmd::PrevTab, Cmd::PrevTab, Cmd::PrevTab]);
    });
}

#[test]
fn policy_tab_without_a_policy() {
    both("policy_none", |k| {
        k.open("staging/db/main");
        k.keys(&[Cmd::PrevTab, Cmd::PrevTab, Cmd::PrevTab]);
    });
}

#[test]
fn policy_editor_dialog() {
    both("policy_editor", |k| {
        k.with_principals();
        k.open("prod/db/main");
        k.keys(&[Cmd::PrevTab, Cmd::PrevTab, Cmd::PrevTab, Cmd::EditPolicy]);
        k.keys(&[Cmd::Down, Cmd::Down, Cmd::Down, Cmd::Right, Cmd::Right]);
    });
}

#[test]
fn policy_put_refused_with_its_code() {
    both("policy_put_public", |k| {
        k.open("staging/db/main");
        k.keys(&[Cmd::PrevTab, Cmd::PrevTab, Cmd::PrevTab, Cmd::EditPolicy]);
        k.key(Cmd::Clear);
        k.text(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#);
        k.key(Cmd::Submit);
    });
}

#[test]
fn policy_delete_confirmation() {
    both("policy_delete", |k| {
        k.with_principals();
        k.open("prod/db/main");
        k.keys(&[Cmd::PrevTab, Cmd::PrevTab, Cmd::PrevTab, Cmd::DeletePolicy]);
    });
}

#[test]
fn access_tab_explains_an_explicit_deny() {
    both("access", |k| {
        k.with_principals();
        k.open("prod/db/main");
        k.keys(&[Cmd::PrevTab, Cmd::PrevTab]);
        // admin, app-reader, contractor, intern, then the role.
        k.keys(&[Cmd::Down, Cmd::Down, Cmd::Right]);
    });
}

#[test]
fn access_tab_explains_an_allow_and_an_implicit_deny() {
    both("access_allowed", |k| {
        k.with_principals();
        k.open("prod/db/main");
        k.keys(&[Cmd::PrevTab, Cmd::PrevTab, Cmd::Down, Cmd::Right]);
    });
    both("access_implicit", |k| {
        k.with_principals();
        k.open("prod/db/main");
        k.keys(&[Cmd::PrevTab, Cmd::PrevTab, Cmd::Bottom, Cmd::Up, Cmd::Right]);
    });
}

#[test]
fn policy_acts_reach_the_vault_and_its_audit_trail() {
    let mut k = Kit::unlocked(80, 24);
    k.with_principals();
    k.open("prod/db/main");
    k.keys(&[Cmd::PrevTab, Cmd::PrevTab]);
    let d = k.app.detail.as_ref().unwrap();
    let admin = d
        .access_principals()
        .iter()
        .find(|p| p.principal_arn.ends_with(":user/admin"))
        .expect("the operator is a principal");
    assert!(admin.decisions.iter().all(|x| x.decision == "allowed"));
    k.key(Cmd::PrevTab);
    k.key(Cmd::EditPolicy);
    k.key(Cmd::Clear);
    k.text(r#"{"Version":"2012-10-17","Statement":[{"Sid":"OnlyDeny","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:user/intern"},"Action":"secretsmanager:*","Resource":"*"}]}"#);
    k.key(Cmd::Submit);
    assert!(
        k.app.sh.popup.is_none(),
        "the editor closes once the put is done"
    );
    let stored = k
        .vault
        .get_resource_policy(
            &k.vault.caller(coffer_core::FrontEnd::Cli),
            coffer_core::api::SecretIdRequest {
                secret_id: "prod/db/main".into(),
            },
        )
        .unwrap()
        .resource_policy
        .unwrap();
    assert!(stored.contains("OnlyDeny"));
    let d = k.app.detail.as_ref().unwrap();
    let p = d.policy.ready().expect("reloaded after the put");
    assert!(p.policy.as_deref().unwrap().contains("OnlyDeny"));
    k.keys(&[Cmd::DeletePolicy, Cmd::Yes]);
    let d = k.app.detail.as_ref().unwrap();
    assert!(d.policy.ready().unwrap().policy.is_none());
    k.keys(&[Cmd::Back, Cmd::GoAudit]);
    let names: Vec<&str> = k
        .app
        .audit
        .events
        .iter()
        .map(|e| e.event_name.as_str())
        .collect();
    for n in [
        "GetEffectiveAccess",
        "GetResourcePolicy",
        "ValidateResourcePolicy",
        "PutResourcePolicy",
        "DeleteResourcePolicy",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
}

#[test]
fn activity_tab() {
    both("activity", |k| {
        k.open("prod/db/main");
        k.key(Cmd::PrevTab);
    });
}

#[test]
fn deletion_schedule() {
    both("deletions", |k| k.key(Cmd::GoDeletions));
}

#[test]
fn delete_now_asks_for_the_name() {
    both("delete_now", |k| {
        k.keys(&[Cmd::GoDeletions, Cmd::DeleteNow]);
        k.text("dev/old");
    });
}

#[test]
fn schedule_deletion_asks_for_the_window_then_confirms() {
    both("schedule_window", |k| {
        k.select("staging/db/main");
        k.key(Cmd::ScheduleDeletion);
    });
    both("schedule_confirm", |k| {
        k.select("staging/db/main");
        k.keys(&[Cmd::ScheduleDeletion, Cmd::Submit]);
    });
}

#[test]
fn audit_log() {
    both("audit", |k| {
        k.key(Cmd::GoAudit);
        k.key(Cmd::Down);
    });
}

#[test]
fn audit_log_verified_and_filtered_to_errors() {
    both("audit_errors_verified", |k| {
        k.keys(&[Cmd::GoAudit, Cmd::ErrorsOnly, Cmd::Verify]);
    });
}

#[test]
fn audit_filters_dialog() {
    both("audit_filters", |k| {
        k.keys(&[Cmd::GoAudit, Cmd::AuditFilters]);
        k.text("prod/db/main");
    });
}

#[test]
fn help_lists_the_keys_of_the_screen() {
    both("help_versions", |k| {
        k.open("prod/db/main");
        k.keys(&[Cmd::NextTab, Cmd::NextTab, Cmd::Help]);
    });
}

#[test]
fn command_palette() {
    both("palette", |k| {
        k.key(Cmd::Palette);
        k.text("re");
    });
}

#[test]
fn a_vault_wide_act_from_the_core_runs_from_the_palette_after_its_question() {
    let mut k = Kit::unlocked(120, 30);
    k.key(Cmd::Palette);
    k.text("audit-anchor");
    k.key(Cmd::Submit);
    let screen = k.screen();
    assert!(screen.contains("Anchor the audit trail now"), "{screen}");
    assert!(
        screen.contains("Take an anchor of the audit trail now?"),
        "{screen}"
    );
    k.key(Cmd::Yes);
    let said = k.screen();
    assert!(
        said.contains("Anchored the audit trail at event #"),
        "{said}"
    );
    let caller = k.vault.caller(coffer_core::FrontEnd::Cli);
    let report = k.vault.verify_audit_trail(&caller).unwrap();
    assert!(report.intact);
    assert!(report.last_anchor.is_some(), "the act took an anchor");
}

#[test]
fn read_only_refusal() {
    both("read_only", |k| {
        k.app.sh.read_only = true;
        k.select("staging/db/main");
        k.keys(&[Cmd::ScheduleDeletion, Cmd::Submit, Cmd::Yes]);
    });
}

#[test]
fn an_error_shows_its_aws_code() {
    both("error_status", |k| {
        k.key(Cmd::Create);
        k.text("bad name!");
        // Name, Type (none), value (none).
        k.keys(&[Cmd::Submit, Cmd::Submit, Cmd::Submit]);
    });
}

#[test]
fn the_acts_reach_the_vault_and_its_audit_trail() {
    let mut k = Kit::unlocked(80, 24);
    k.open("prod/db/main");
    k.keys(&[
        Cmd::NextTab,
        Cmd::NextTab,
        Cmd::Down,
        Cmd::RollBack,
        Cmd::Yes,
    ]);
    let s = k.app.sh.status.clone().unwrap();
    assert!(s.text.contains("Moved AWSCURRENT"), "{}", s.text);
    let d = k.app.detail.as_ref().unwrap();
    assert_eq!(
        d.holder("AWSCURRENT").unwrap().version_id,
        super::testkit::token(2)
    );
    k.keys(&[Cmd::NextTab, Cmd::NextTab, Cmd::NextTab, Cmd::AddTag]);
    k.text("owner=ops");
    k.key(Cmd::Submit);
    let tags = k
        .app
        .detail
        .as_ref()
        .unwrap()
        .view
        .as_ref()
        .unwrap()
        .secret
        .tag_list()
        .to_vec();
    assert!(tags.iter().any(|t| t.key == "owner" && t.value == "ops"));
    k.keys(&[
        Cmd::PrevTab,
        Cmd::PrevTab,
        Cmd::PrevTab,
        Cmd::Reveal,
        Cmd::CopyKey,
    ]);
    assert_eq!(k.copies.len(), 1);
    k.act(Action::Tick {
        now_ms: k.app.sh.now_ms + 30_000,
    });
    assert!(k.app.sh.copied.is_none());
    k.keys(&[Cmd::Back, Cmd::GoAudit]);
    let names: Vec<&str> = k
        .app
        .audit
        .events
        .iter()
        .map(|e| e.event_name.as_str())
        .collect();
    for n in ["UpdateSecretVersionStage", "TagResource", "GetSecretValue"] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
}

#[test]
fn principals_screen() {
    both("principals", |k| {
        k.with_iam();
        k.principal("app-reader");
    });
}

#[test]
fn principals_role_with_its_trust_policy() {
    both("principals_role", |k| {
        k.with_iam();
        k.principal("deployer");
    });
}

#[test]
fn principals_keys_focused() {
    both("principals_keys", |k| {
        k.with_iam();
        k.principal("app-reader");
        k.keys(&[Cmd::SwitchPane, Cmd::Down]);
    });
}

#[test]
fn principals_help() {
    both("principals_help", |k| {
        k.principal("admin");
        k.key(Cmd::Help);
    });
}

#[test]
fn principal_new_user_dialog() {
    both("principal_new_user", |k| {
        k.with_iam();
        k.principal("intern");
        k.key(Cmd::Create);
        k.text("app2");
    });
}

#[test]
fn operator_passphrase_dialog() {
    both("operator_passphrase", |k| {
        k.principal("admin");
        k.key(Cmd::Create);
        k.text("carol");
        k.key(Cmd::Submit);
        k.text("hunter2 hunter2");
        assert!(!k.screen().contains("hunter2"), "the passphrase is masked");
    });
}

#[test]
fn operator_remove_confirmation() {
    both("operator_remove", |k| {
        k.with_iam();
        k.principal("bob");
        k.key(Cmd::Remove);
    });
}

#[test]
fn principal_delete_confirmation() {
    both("principal_delete", |k| {
        k.with_iam();
        k.principal("intern");
        k.key(Cmd::Remove);
    });
}

#[test]
fn inline_policy_editor() {
    both("inline_policy_editor", |k| {
        k.with_iam();
        k.principal("intern");
        k.key(Cmd::EditPolicy);
        k.text("read-dev-db");
        k.key(Cmd::Submit);
    });
}

#[test]
fn trust_policy_editor() {
    both("trust_policy_editor", |k| {
        k.with_iam();
        k.principal("deployer");
        k.key(Cmd::Create);
        k.text("ci-runner");
        k.key(Cmd::Submit);
    });
}

#[test]
fn attach_policy_dialog() {
    both("attach_policy", |k| {
        k.with_iam();
        k.principal("intern");
        k.key(Cmd::Attach);
    });
}

#[test]
fn group_dialog() {
    both("group_member", |k| {
        k.with_iam();
        k.principal("intern");
        k.key(Cmd::Join);
    });
}

#[test]
fn new_access_key_dialog() {
    both("new_access_key", |k| {
        k.with_iam();
        k.principal("intern");
        k.key(Cmd::NewKey);
        let screen = k.screen();
        assert_eq!(k.key_secrets.len(), 1);
        assert!(!screen.contains(k.key_secrets[0].as_str()));
    });
}

#[test]
fn delete_access_key_confirmation() {
    both("delete_access_key", |k| {
        k.with_iam();
        k.principal("app-reader");
        k.keys(&[Cmd::SwitchPane, Cmd::Down, Cmd::DeleteKey]);
    });
}

#[test]
fn principals_palette() {
    both("principals_palette", |k| {
        k.principal("admin");
        k.key(Cmd::Palette);
        k.text("iam-");
    });
}

#[test]
fn principal_acts_reach_the_vault_and_its_audit_trail() {
    let mut k = Kit::unlocked(80, 24);
    k.with_iam();
    k.principal("intern");
    k.key(Cmd::Create);
    k.text("app2");
    k.key(Cmd::Submit);
    assert_eq!(
        k.app.principals.principal().unwrap().name,
        "app2",
        "the new user is selected"
    );
    k.key(Cmd::NewKey);
    assert_eq!(k.key_secrets.len(), 1);
    k.key(Cmd::CopyKey);
    assert_eq!(k.copies.len(), 1, "the secret (scrubbed here) was copied");
    assert!(k.app.sh.copied.is_some(), "and is cleared in 30 s");
    k.key(Cmd::Cancel);
    assert!(k.app.sh.popup.is_none());
    let keys = &k.app.principals.principal().unwrap().keys;
    assert_eq!(keys.len(), 1);
    assert!(keys[0].is_active());
    k.keys(&[Cmd::SwitchPane, Cmd::ToggleKey]);
    assert!(!k.app.principals.principal().unwrap().keys[0].is_active());
    k.key(Cmd::EditPolicy);
    k.text("read");
    k.keys(&[Cmd::Submit, Cmd::Submit]);
    assert_eq!(k.app.principals.principal().unwrap().inline, ["read"]);
    k.key(Cmd::Attach);
    k.text("1");
    k.key(Cmd::Submit);
    k.key(Cmd::Join);
    k.text("developers");
    k.key(Cmd::Submit);
    k.principal("developers");
    k.keys(&[Cmd::Remove, Cmd::Yes]);
    let s = k.app.sh.status.clone().unwrap();
    assert!(s.text.contains("DeleteConflict"), "{}", s.text);
    k.principal("admin");
    k.keys(&[Cmd::Remove, Cmd::Yes]);
    let s = k.app.sh.status.clone().unwrap();
    assert!(
        s.error && s.text.contains("RemoveOperator failed"),
        "{}",
        s.text
    );
    k.principal("bob");
    k.keys(&[Cmd::Remove, Cmd::Yes]);
    let bob = k.app.principals.rows.iter().find(|r| r.name == "bob");
    assert_eq!(
        bob.map(|r| r.kind),
        Some(super::action::PrincipalKind::User),
        "bob has no key slot any more; the IAM user stays"
    );
    k.key(Cmd::GoAudit);
    let names: Vec<&str> = k
        .app
        .audit
        .events
        .iter()
        .map(|e| e.event_name.as_str())
        .collect();
    for n in [
        "CreateUser",
        "CreateAccessKey",
        "UpdateAccessKey",
        "AttachPolicy",
        "AddUserToGroup",
        "RemoveOperator",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
}

#[test]
fn no_snapshot_contains_an_access_key_secret() {
    let mut k = Kit::unlocked(160, 48);
    k.with_iam();
    k.principal("intern");
    k.key(Cmd::NewKey);
    let real = k.key_secrets[0].clone();
    assert!(!k.screen().contains(real.as_str()));
    assert!(!format!("{:?}", k.app.sh.popup).contains(real.as_str()));
    let alphabet = |c: char| c.is_ascii_alphanumeric() || c == '+' || c == '/';
    let stand_in = format!("{:X<40}", "SCRUBBED");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui/snapshots");
    for entry in std::fs::read_dir(&dir).expect("the snapshots directory") {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(real.as_str()));
        // Anything shaped like a secret access key (40 characters of its alphabet).
        for word in text.split(|c: char| !alphabet(c)) {
            assert!(
                word.len() != 40 || word == stand_in,
                "{} holds something shaped like a secret access key",
                path.display()
            );
        }
    }
}

#[test]
fn no_snapshot_contains_a_secret_value() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui/snapshots");
    let tmp = tempfile::tempdir().unwrap();
    let mut values: Vec<String> = HIDDEN_VALUES.iter().map(|s| s.to_string()).collect();
    values.extend(demo_values(tmp.path()));
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("the snapshots directory") {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        files += 1;
        for v in &values {
            assert!(
                !text.contains(v.as_str()),
                "{} contains a secret value",
                path.display()
            );
        }
    }
    assert!(
        files >= 40,
        "every screen is snapshotted at two sizes ({files} files)"
    );
}

/// Every value of every version of the real demo vault (`coffer demo`).
fn demo_values(dir: &std::path::Path) -> Vec<String> {
    use coffer_core::api::{GetSecretValueRequest, SecretIdRequest};
    use coffer_core::vault::SecretQuery;
    use coffer_core::{FrontEnd, SecretValue, Vault};
    let demo = crate::demo::create(Some(dir)).expect("demo vault");
    let pass = coffer_core::Passphrase::new(demo.passphrase_text.to_string());
    let v = Vault::open(&demo.path, Some("admin"), &pass).expect("open demo");
    let c = v.caller(FrontEnd::Cli);
    let q = SecretQuery {
        include_deleted: true,
        limit: 1000,
        ..SecretQuery::default()
    };
    let mut out = vec![];
    for s in v.query_secrets(&c, &q).unwrap().rows {
        if s.deletion_date.is_some() {
            v.restore_secret(
                &c,
                SecretIdRequest {
                    secret_id: s.arn.clone(),
                },
            )
            .unwrap();
        }
        // A failed rotation's AWSPENDING version has no value to leak.
        for ver in v
            .secret_view(&c, &s.arn)
            .unwrap()
            .versions
            .into_iter()
            .filter(|v| v.has_value)
        {
            let r = v
                .get_secret_value(
                    &c,
                    GetSecretValueRequest {
                        secret_id: s.arn.clone(),
                        version_id: Some(ver.version_id),
                        version_stage: None,
                    },
                )
                .unwrap();
            if let SecretValue::String(t) = &r.value {
                match r.value.json_fields() {
                    Some(fields) => out.extend(
                        fields
                            .iter()
                            .filter(|(k, _)| {
                                k.contains("password")
                                    || k.contains("secret")
                                    || k.contains("server")
                            })
                            .map(|(_, v)| v.to_string()),
                    ),
                    None => out.push(t.expose().to_string()),
                }
            }
        }
    }
    assert!(out.len() > 10);
    out
}

/// Opens `prod/db/main`'s Replicas tab (after Overview, Value, Versions, Rotation).
fn replicas_tab(k: &mut Kit) {
    k.open("prod/db/main");
    k.keys(&[Cmd::NextTab, Cmd::NextTab, Cmd::NextTab, Cmd::NextTab]);
}

#[test]
fn replicas_tab_without_replica_regions() {
    both("replicas_none", replicas_tab);
}

#[test]
fn replicas_tab_adds_a_region_shows_its_status_and_removes_it() {
    let mut k = Kit::unlocked(100, 30);
    let dir = tempfile::tempdir().unwrap();
    let replica = dir.path().join("replica.db");
    k.vault
        .add_replica_region(
            &k.vault.caller(coffer_core::FrontEnd::Cli),
            "eu-west-1",
            &replica,
            None,
            coffer_core::Passphrase::new("replica passphrase".into()),
            Some((19456, 2)),
        )
        .unwrap();
    replicas_tab(&mut k);
    let screen = k.screen();
    assert!(screen.contains("Not replicated"), "{screen}");
    assert!(
        screen.contains("eu-west-1") && screen.contains("reachable"),
        "{screen}"
    );

    k.key(Cmd::AddReplica);
    assert!(k.screen().contains("Regions: eu-west-1"), "{}", k.screen());
    k.text("eu-west-1");
    k.key(Cmd::Submit);
    let status = k.app.sh.status.clone().unwrap();
    assert!(
        status.text.contains("Replicating to eu-west-1"),
        "{}",
        status.text
    );
    let screen = k.screen();
    assert!(screen.contains("InSync"), "{screen}");
    assert!(
        screen.contains("Replicated to 1 region(s), 1 in sync"),
        "{screen}"
    );

    k.keys(&[Cmd::RemoveReplica, Cmd::Yes]);
    let status = k.app.sh.status.clone().unwrap();
    assert!(
        status.text.contains("Removed the replica in eu-west-1"),
        "{}",
        status.text
    );
    assert!(k.screen().contains("Not replicated"), "{}", k.screen());
}

#[test]
fn replicas_tab_associates_a_cross_account_replica_shows_its_status_and_disassociates_it() {
    use coffer_core::Passphrase;
    use coffer_core::api::{CreateKeyRequest, CreateSecretRequest};
    let mut k = Kit::unlocked(160, 40);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partner.db");
    let pass = || Passphrase::new("partner passphrase".into());
    k.vault
        .add_replica_account(
            &k.vault.caller(coffer_core::FrontEnd::Cli),
            "444455556666",
            &path,
            None,
            pass(),
            Some((19456, 2)),
        )
        .unwrap();
    let partner = coffer_core::Vault::open(&path, None, &pass()).unwrap();
    let pc = partner.caller(coffer_core::FrontEnd::Cli);
    let key = partner
        .create_key(&pc, CreateKeyRequest::default())
        .unwrap()
        .key_metadata
        .key_id;
    replicas_tab(&mut k);
    // The console shows ARNs with their random suffix scrubbed: the vault's own, here.
    let primary = k
        .vault
        .describe_secret(
            &k.vault.caller(coffer_core::FrontEnd::Cli),
            coffer_core::api::SecretIdRequest {
                secret_id: "prod/db/main".into(),
            },
        )
        .unwrap()
        .arn;
    let replica = partner
        .create_secret(
            &pc,
            CreateSecretRequest {
                name: "mirror/main".into(),
                kms_key_id: Some(key),
                cross_account_primary_arn: Some(primary),
                ..Default::default()
            },
        )
        .unwrap()
        .arn;
    assert!(k.screen().contains("c associates one"), "{}", k.screen());
    k.key(Cmd::AssociateCrossAccount);
    k.text(&replica);
    k.key(Cmd::Submit);
    let status = k.app.sh.status.clone().unwrap();
    assert!(status.text.contains(": InSync."), "{}", status.text);
    let screen = k.screen();
    assert!(
        screen.contains("mirror/main") && screen.contains("InSync"),
        "{screen}"
    );

    k.keys(&[Cmd::DisassociateCrossAccount, Cmd::Yes]);
    let status = k.app.sh.status.clone().unwrap();
    assert!(status.text.contains("Detached"), "{}", status.text);
    assert!(k.screen().contains("c associates one"), "{}", k.screen());
}

#[test]
fn the_re_keys_progress_shows_on_the_status_line() {
    use coffer_core::vault::{RekeyPhase, RekeyStatus};
    both("rekey_progress", |k| {
        k.with_iam();
        k.principal("bob");
        k.app.update(Action::Key(Cmd::Remove));
        let sent = k.app.update(Action::Key(Cmd::Yes));
        assert!(matches!(
            &sent[..],
            [Effect::Send(Request::RemoveOperator { .. })]
        ));
        k.app
            .update(Action::loaded(Loaded::Rekeying(RekeyStatus::new(
                RekeyPhase::Secrets,
                420,
                1000,
            ))));
    });
}

#[test]
fn an_operator_changes_their_passphrase_typed_twice_and_the_vault_is_re_keyed() {
    let mut k = Kit::unlocked(160, 48);
    k.with_iam();
    k.principal("admin");
    // P, then the current passphrase and the new one twice, each ended with Enter.
    let change = |k: &mut Kit, typed: [&str; 3]| {
        k.key(Cmd::ChangePassphrase);
        for t in typed {
            k.text(t);
            assert!(!k.screen().contains(t), "typing is masked");
            k.key(Cmd::Submit);
        }
        k.app.sh.status.clone().unwrap()
    };
    let s = change(
        &mut k,
        ["test passphrase", "a new passphrase", "a new passphrasE"],
    );
    assert!(s.error && s.text.contains("do not match"), "{}", s.text);
    let s = change(
        &mut k,
        ["not the passphrase", "a new passphrase", "a new passphrase"],
    );
    assert!(
        s.error
            && s.text
                .contains("ChangeOperatorPassphrase failed: AccessDeniedException"),
        "{}",
        s.text
    );
    let s = change(
        &mut k,
        ["test passphrase", "a new passphrase", "a new passphrase"],
    );
    assert_eq!(s.text, "Changed your passphrase; the vault was re-keyed.");
    let pass = |p: &str| coffer_core::Passphrase::new(p.into());
    assert!(coffer_core::Vault::open(&k.path, Some("admin"), &pass("test passphrase")).is_err());
    coffer_core::Vault::open(&k.path, Some("admin"), &pass("a new passphrase"))
        .expect("the new one opens");
}

#[test]
fn putting_a_generated_value_on_a_secret_says_so_in_the_status_line_without_the_value() {
    let mut k = Kit::unlocked(120, 30);
    k.open("prod/db/main");
    k.key(Cmd::PutGenerated);
    let s = k.app.sh.status.clone().unwrap();
    assert!(!s.error, "{}", s.text);
    assert!(
        s.text
            .starts_with("Put a generated value on prod/db/main (version "),
        "{}",
        s.text
    );
    assert!(s.text.ends_with(", now AWSCURRENT)."), "{}", s.text);
}
