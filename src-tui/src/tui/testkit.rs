//! A console driven in-process for tests: a real vault in a temporary directory on a
//! stopped clock, the worker's `execute` run synchronously, and random ids scrubbed so
//! that screens can be snapshotted.
//!
//! **Why this file is long:** it builds the demo-like vault every console test starts from
//! (secrets, versions, rotations, replicas, principals) in one place, so each test reads as
//! keys and assertions only.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use coffer_core::Passphrase;
use coffer_core::api::*;
use coffer_core::background::{Background, Job};
use coffer_core::clock::{Clock, ManualClock};
use coffer_core::model::Tag;
use coffer_core::vault::SecretQuery;
use coffer_core::{FrontEnd, InitOptions, SecretBytes, SecretText, Vault};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::action::{Action, Cmd, Effect, FunctionFor, Loaded, Request};
use super::app::App;
use super::theme::Theme;
use super::worker::{execute, reported};

/// A console as `admin` would see it just after unlocking, with no vault behind it (for
/// tests that feed it answers themselves).
pub fn unlocked_app() -> App {
    let mut a = App::new("v.db".into(), None, false, 300_000, Theme { color: false });
    a.sh.session = Some(super::app::Session {
        operator: "admin".into(),
        account: "1".into(),
        region: "us-east-1".into(),
        principal_arn: "arn:aws:iam::1:user/admin".into(),
    });
    a
}

/// The passphrase of [`vault_with_a_second_operator`]'s `admin`.
pub const ADMIN_PASSPHRASE: &str = "test passphrase";

/// A vault file in `dir` with operators `admin` and `bob` and three secrets, unlocked as
/// `admin`: what removing an operator (a re-key) is tried on.
pub fn vault_with_a_second_operator(dir: &std::path::Path) -> Vault {
    let v = Vault::init(
        &dir.join("vault.db"),
        InitOptions {
            account_id: None,
            region: None,
            operator: "admin".into(),
            passphrase: Passphrase::new(ADMIN_PASSPHRASE.into()),
            kdf: Some((19456, 2)),
        },
    )
    .unwrap();
    let c = v.caller(FrontEnd::Tui);
    v.add_operator(
        &c,
        "bob",
        &Passphrase::new("bob's passphrase".into()),
        Some((19456, 2)),
    )
    .unwrap();
    for i in 0..3 {
        v.create_secret(
            &c,
            CreateSecretRequest {
                name: format!("s{i}"),
                secret_string: Some(SecretText::new("value".into())),
                ..Default::default()
            },
        )
        .unwrap();
    }
    v
}

/// Values the fixture stores and no snapshot may show (they are never revealed in one).
pub const HIDDEN_VALUES: &[&str] = &[
    "Xk3!vQ9#mWz2Lp7r",
    "T8$hNq4@Rf6vKe1s",
    "Zp5&Lw2!Jc9dMx3u",
    "sk_live_51Hx9aQ2eZvKYlo2C0demo00000",
    "r3d!s-Pr0d-9xQ",
    "stg-Pw-one-1111",
    "old-service-token",
    "sdk-dev-0000",
];

pub fn token(n: u32) -> String {
    format!("{n:08}-0000-4000-8000-000000000000")
}

const START_MS: i64 = 1_736_935_200_000; // 2025-01-15T10:00:00Z

pub struct Kit {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
    pub vault: Arc<Vault>,
    pub clock: ManualClock,
    pub app: App,
    /// Scrubbed text → real text (ARNs sent back to the vault).
    real: HashMap<String, String>,
    /// Real random text → its stand-in.
    fake: Vec<(String, String)>,
    pub copies: Vec<String>,
    /// The real secret access keys the vault handed out (no screen may show them).
    pub key_secrets: Vec<String>,
    /// The core's background schedule, run synchronously on `RunDue` as the worker's
    /// runner would.
    background: Background,
}

fn ago(clock: &ManualClock, hours: i64) {
    clock.advance(jiff::SignedDuration::from_hours(hours));
}

fn create(v: &Vault, name: &str, desc: &str, value: Option<&str>, tags: &[(&str, &str)], tok: u32) {
    let c = v.caller(FrontEnd::Cli);
    v.create_secret(
        &c,
        CreateSecretRequest {
            name: name.into(),
            description: Some(desc.into()),
            secret_string: value.map(|s| SecretText::new(s.into())),
            client_request_token: value.map(|_| token(tok)),
            tags: tags
                .iter()
                .map(|(k, v)| Tag {
                    key: k.to_string(),
                    value: v.to_string(),
                })
                .collect(),
            ..Default::default()
        },
    )
    .expect("create");
}

fn put(v: &Vault, name: &str, value: &str, tok: u32) {
    let c = v.caller(FrontEnd::Cli);
    v.put_secret_value(
        &c,
        PutSecretValueRequest {
            secret_id: name.into(),
            secret_string: Some(SecretText::new(value.into())),
            client_request_token: Some(token(tok)),
            ..Default::default()
        },
    )
    .expect("put");
}

fn populate(v: &Vault, clock: &ManualClock) {
    let db = |pw: &str| {
        serde_json::json!({"engine": "postgres", "host": "db.prod.internal", "username": "orders_app", "password": pw}).to_string()
    };
    create(
        v,
        "prod/db/main",
        "Primary PostgreSQL",
        Some(&db("Xk3!vQ9#mWz2Lp7r")),
        &[("env", "prod"), ("team", "platform")],
        1,
    );
    ago(clock, 30);
    put(v, "prod/db/main", &db("T8$hNq4@Rf6vKe1s"), 2);
    ago(clock, 30);
    put(v, "prod/db/main", &db("Zp5&Lw2!Jc9dMx3u"), 3);
    create(
        v,
        "prod/api/stripe",
        "Stripe live key",
        Some("sk_live_51Hx9aQ2eZvKYlo2C0demo00000"),
        &[("env", "prod")],
        4,
    );
    create(
        v,
        "prod/cache/redis",
        "Session cache",
        Some(r#"{"host":"redis.prod.internal","password":"r3d!s-Pr0d-9xQ"}"#),
        &[("env", "prod")],
        5,
    );
    create(
        v,
        "staging/db/main",
        "Staging PostgreSQL",
        Some("stg-Pw-one-1111"),
        &[("env", "staging")],
        6,
    );
    create(
        v,
        "dev/feature-flags",
        "SDK keys",
        Some(r#"{"server":"sdk-dev-0000","mobile":"mob-dev-0000"}"#),
        &[("env", "dev")],
        7,
    );
    create(
        v,
        "dev/old-service",
        "Decommissioned",
        Some("old-service-token"),
        &[("env", "dev")],
        8,
    );
    create(
        v,
        "demo/placeholder",
        "Shown revealed in snapshots",
        Some(r#"{"user":"placeholder-user","password":"placeholder-not-a-secret"}"#),
        &[],
        9,
    );
    ago(clock, 1);
    put(
        v,
        "demo/placeholder",
        r#"{"user":"placeholder-user","password":"placeholder-rotated","extra":"placeholder-new"}"#,
        10,
    );
    create(v, "legacy-token", "No prefix", None, &[], 11);
    let c = v.caller(FrontEnd::Cli);
    v.create_secret(
        &c,
        CreateSecretRequest {
            name: "prod/tls/client-key".into(),
            secret_binary: Some(SecretBytes::new(vec![0, 1, 2, 3])),
            client_request_token: Some(token(12)),
            ..Default::default()
        },
    )
    .expect("binary");
    ago(clock, 2);
    v.delete_secret(
        &c,
        DeleteSecretRequest {
            secret_id: "dev/old-service".into(),
            recovery_window_in_days: Some(7),
            ..Default::default()
        },
    )
    .expect("delete");
    for fe in [FrontEnd::Endpoint, FrontEnd::Tui] {
        v.get_secret_value(
            &v.caller(fe),
            GetSecretValueRequest {
                secret_id: "prod/db/main".into(),
                ..Default::default()
            },
        )
        .expect("read");
    }
    let _ = v.get_secret_value(
        &c,
        GetSecretValueRequest {
            secret_id: "prod/db/replica".into(),
            ..Default::default()
        },
    );
    ago(clock, 1);
}

fn rescrub<T: Serialize + DeserializeOwned>(v: T, fake: &[(String, String)]) -> T {
    let mut s = serde_json::to_string(&v).expect("serialize");
    for (real, stand_in) in fake {
        s = s.replace(real.as_str(), stand_in);
    }
    serde_json::from_str(&s).expect("deserialize")
}

/// The resource policy the Access and Policy snapshots show on `prod/db/main`: a deny for
/// the contractor, an allow for the deployer role, and a mistyped action (a finding).
pub const DB_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
{"Sid":"DenyContractor","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:user/contractor"},"Action":"secretsmanager:*","Resource":"*"},
{"Sid":"AllowDeployerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/deployer"},"Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":"*"},
{"Sid":"Typo","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/deployer"},"Action":"secretsmanager:GetSecretValues","Resource":"*"}]}"#;

impl Kit {
    pub fn new(w: u16, h: u16) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vault.db");
        let clock = ManualClock::new(jiff::Timestamp::from_millisecond(START_MS).expect("time"));
        let vault = Vault::init_with_clock(
            &path,
            InitOptions {
                account_id: Some("123456789012".into()),
                region: Some("us-east-1".into()),
                operator: "admin".into(),
                passphrase: Passphrase::new("test passphrase".into()),
                kdf: Some((19456, 2)),
            },
            Arc::new(clock.clone()),
        )
        .expect("init");
        populate(&vault, &clock);
        let vault = Arc::new(vault);
        let mut app = App::new(
            "/vaults/team.db".into(),
            Some("admin".into()),
            false,
            300_000,
            Theme { color: false },
        );
        app.update(Action::Tick {
            now_ms: clock.now().as_millisecond(),
        });
        app.update(Action::Resize(w, h));
        let mut kit = Self {
            _dir: dir,
            path,
            vault,
            clock: clock.clone(),
            app,
            real: HashMap::new(),
            fake: vec![],
            copies: vec![],
            key_secrets: vec![],
            background: Background::new(clock.now().as_millisecond()),
        };
        kit.learn_arns();
        let fx = vec![Effect::Send(Request::Inspect)];
        kit.run(fx);
        kit
    }

    /// Principals with every kind of decision on `prod/db/main`: `app-reader` allowed by an
    /// identity policy, `intern` with no policy (implicitly denied), `contractor` allowed
    /// everything by its identity policy but explicitly denied by the secret's resource
    /// policy, and the role `deployer` allowed by the resource policy.
    pub fn with_principals(&mut self) {
        use coffer_core::vault::iam::{CreateEntity, EntityKind};
        let v = &self.vault;
        let c = v.caller(FrontEnd::Cli);
        for user in ["app-reader", "intern", "contractor"] {
            v.iam_create(&c, CreateEntity::new(EntityKind::User, user))
                .expect("user");
        }
        let mut role = CreateEntity::new(EntityKind::Role, "deployer");
        role.document = Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#.into(),
        );
        v.iam_create(&c, role).expect("role");
        let read = r#"{"Version":"2012-10-17","Statement":[{"Sid":"ReadProdDb","Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db/*"},{"Sid":"Decrypt","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"#;
        v.iam_put_inline_policy(&c, EntityKind::User, "app-reader", "read-prod-db", read)
            .expect("inline");
        let all = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Everything","Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}]}"#;
        v.iam_put_inline_policy(&c, EntityKind::User, "contractor", "broad", all)
            .expect("inline");
        v.put_resource_policy(
            &c,
            coffer_core::vault::policies::PutResourcePolicyRequest {
                secret_id: "prod/db/main".into(),
                resource_policy: DB_POLICY.into(),
                block_public_policy: Some(true),
                policy_name: None,
            },
        )
        .expect("resource policy");
    }

    /// Everything the Principals screen shows: `with_principals`, a second operator, a
    /// group with a member and a customer managed policy attached, an AWS managed policy on
    /// `contractor`, and `app-reader` with one active and one inactive access key.
    pub fn with_iam(&mut self) {
        use coffer_core::vault::iam::{CreateEntity, EntityKind, SECRETS_MANAGER_READ_WRITE};
        self.with_principals();
        let v = &self.vault;
        let c = v.caller(FrontEnd::Cli);
        v.add_operator(
            &c,
            "bob",
            &Passphrase::new("bob's passphrase".into()),
            Some((19456, 2)),
        )
        .expect("operator");
        v.iam_create(&c, CreateEntity::new(EntityKind::Group, "developers"))
            .expect("group");
        v.iam_add_user_to_group(&c, "developers", "app-reader", true)
            .expect("member");
        let mut policy = CreateEntity::new(EntityKind::Policy, "read-dev");
        policy.document = Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/*"}]}"#.into(),
        );
        let policy = v.iam_create(&c, policy).expect("policy");
        v.iam_attach_policy(&c, EntityKind::Group, "developers", &policy.arn, true)
            .expect("attach");
        v.iam_attach_policy(
            &c,
            EntityKind::User,
            "contractor",
            SECRETS_MANAGER_READ_WRITE,
            true,
        )
        .expect("attach");
        for active in [true, false] {
            let k = v
                .iam_create_access_key(&c, EntityKind::User, "app-reader")
                .expect("key");
            if !active {
                v.iam_update_access_key(&c, &k.metadata.access_key_id, Some(false))
                    .expect("deactivate");
            }
        }
    }

    /// Rotation on `prod/db/main` with the `pw` password function: rotated once on demand
    /// (and put on a 30-day schedule); approval and the two-person rule turned on; then, 30
    /// days later, its schedule made it due, so a rotation waits in the approval queue.
    pub fn with_rotation(&mut self) {
        use coffer_core::rotation::Engine;
        use coffer_core::vault::rotation::*;
        let c = self.vault.caller(FrontEnd::Cli);
        self.vault
            .create_rotation_function(
                &c,
                CreateRotationFunctionRequest {
                    name: "pw".into(),
                    description: Some("random passwords".into()),
                    kind: FunctionKind::Password {
                        json_key: None,
                        options: GetRandomPasswordRequest {
                            password_length: Some(24),
                            ..Default::default()
                        },
                    },
                },
            )
            .expect("function");
        let rotate = |rules: Option<RotationRules>, tok: u32| {
            self.vault
                .rotate_secret(
                    &c,
                    RotateSecretRequest {
                        secret_id: "prod/db/main".into(),
                        client_request_token: Some(token(tok)),
                        rotation_lambda_arn: Some(
                            "arn:aws:lambda:us-east-1:123456789012:function:pw".into(),
                        ),
                        rotation_rules: rules,
                        rotate_immediately: Some(true),
                        ..RotateSecretRequest::default()
                    },
                )
                .expect("rotate")
        };
        rotate(
            Some(RotationRules {
                automatically_after_days: Some(30),
                schedule_expression: None,
                duration: None,
            }),
            20,
        );
        let ran = Engine::new().run_due(&self.vault).expect("run");
        assert_eq!(ran.len(), 1);
        ago(&self.clock, 2);
        self.vault
            .put_rotation_approval(
                &c,
                PutRotationApprovalRequest {
                    secret_id: Some("prod/db/main".into()),
                    require_approval: Some(true),
                    two_person_rule: Some(true),
                },
            )
            .expect("approval");
        ago(&self.clock, 24 * 30);
        assert!(Engine::new().run_due(&self.vault).expect("due").is_empty());
        ago(&self.clock, 1);
        // The operator was at the keyboard all along (no idle lock).
        let now_ms = self.clock.now().as_millisecond();
        self.app.sh.last_input_ms = now_ms;
        self.act(Action::Tick { now_ms });
    }

    /// Opens the Principals screen on the principal with this name.
    pub fn principal(&mut self, name: &str) {
        use super::screens::principals::Entry;
        self.key(Cmd::GoPrincipals);
        let p = &self.app.principals;
        let at = p
            .entries()
            .iter()
            .position(|e| matches!(e, Entry::Item(i) if p.rows[*i].name == name))
            .unwrap_or_else(|| panic!("no principal named {name}"));
        self.key(Cmd::Top);
        for _ in 0..at {
            self.key(Cmd::Down);
        }
    }

    /// Unlocks (as the worker would after a correct passphrase).
    pub fn unlocked(w: u16, h: u16) -> Self {
        let mut kit = Self::new(w, h);
        let info = kit.vault.info().clone();
        kit.act(Action::loaded(Loaded::Unlocked(Ok(info))));
        kit
    }

    fn learn_arns(&mut self) {
        let c = self.vault.caller(FrontEnd::Tui);
        let page = self
            .vault
            .query_secrets(
                &c,
                &SecretQuery {
                    include_deleted: true,
                    limit: 1000,
                    ..SecretQuery::default()
                },
            )
            .expect("list");
        for r in page.rows {
            if !self.real.values().any(|x| *x == r.arn) {
                let stand_in = format!("{}-XXXXXX", &r.arn[..r.arn.len() - 7]);
                self.real.insert(stand_in.clone(), r.arn.clone());
                self.fake.push((r.arn, stand_in));
            }
        }
    }

    /// An attempt as a snapshot can show it: stable ARNs and step durations.
    fn scrub_attempt(
        &self,
        a: coffer_core::vault::rotation::RotationAttempt,
    ) -> coffer_core::vault::rotation::RotationAttempt {
        let uid = a.secret_uid.clone();
        let mut a = rescrub(a, &self.fake);
        a.secret_uid = uid;
        if !a.token.ends_with("-0000-4000-8000-000000000000") {
            a.token = "99999999-0000-4000-8000-000000000000".into();
        }
        for s in &mut a.steps {
            s.duration_ms = s.duration_ms.map(|_| 12);
        }
        a
    }

    fn scrub(&mut self, l: Loaded) -> Loaded {
        let f = &self.fake;
        match l {
            Loaded::RotationHistory { seq, history } => Loaded::RotationHistory {
                seq,
                history: history.map(|h| h.into_iter().map(|a| self.scrub_attempt(a)).collect()),
            },
            Loaded::Pending { seq, attempts } => Loaded::Pending {
                seq,
                attempts: attempts
                    .into_iter()
                    .map(|a| self.scrub_attempt(a))
                    .collect(),
            },
            Loaded::RotationsRan(ran) => {
                Loaded::RotationsRan(ran.into_iter().map(|a| self.scrub_attempt(a)).collect())
            }
            Loaded::Secrets { seq, total, rows } => Loaded::Secrets {
                seq,
                total,
                rows: rows.into_iter().map(|(i, r)| (i, rescrub(r, f))).collect(),
            },
            Loaded::Deletions { seq, mut page } => {
                page.rows = page.rows.into_iter().map(|r| rescrub(r, f)).collect();
                Loaded::Deletions { seq, page }
            }
            Loaded::Detail { seq, detail } => Loaded::Detail {
                seq,
                detail: detail.map(|mut d| {
                    d.secret = rescrub(d.secret, f);
                    d
                }),
            },
            Loaded::Activity {
                seq,
                before,
                mut page,
            } => {
                page.events = page
                    .events
                    .into_iter()
                    .map(|e| self.scrub_event(e))
                    .collect();
                Loaded::Activity { seq, before, page }
            }
            Loaded::Audit {
                seq,
                kind,
                mut page,
            } => {
                page.events = page
                    .events
                    .into_iter()
                    .map(|e| self.scrub_event(e))
                    .collect();
                Loaded::Audit { seq, kind, page }
            }
            Loaded::Access { seq, access } => Loaded::Access {
                seq,
                access: access.map(|a| rescrub(a, f)),
            },
            Loaded::Policy { seq, policy } => Loaded::Policy {
                seq,
                policy: policy.map(|mut p| {
                    p.policy = p.policy.map(|t| rescrub(t, f));
                    p.report = p.report.map(|r| rescrub(r, f));
                    p
                }),
            },
            Loaded::Revealed {
                arn,
                version_id,
                purpose,
                value,
            } => Loaded::Revealed {
                arn: self.fake_of(&arn),
                version_id,
                purpose,
                value,
            },
            Loaded::PrincipalDetails {
                kind,
                name,
                details,
            } => Loaded::PrincipalDetails {
                kind,
                name,
                details: details.map(|mut d| {
                    for k in &mut d.access_keys {
                        k.access_key_id = self.fake_key_id(&k.access_key_id);
                    }
                    d
                }),
            },
            Loaded::AccessKeyCreated {
                user_name,
                access_key_id,
                secret,
            } => {
                self.key_secrets.push(secret.expose().to_string());
                Loaded::AccessKeyCreated {
                    user_name,
                    access_key_id: self.fake_key_id(&access_key_id),
                    secret: SecretText::new(format!("{:X<40}", "SCRUBBED")),
                }
            }
            Loaded::Health { seq, report } => Loaded::Health {
                seq,
                report: report.map(|r| rescrub(r, f)),
            },
            Loaded::Done(msg) => Loaded::Done(self.fake.iter().fold(msg, |m, (real, stand_in)| {
                m.replace(real.as_str(), stand_in)
            })),
            other => other,
        }
    }

    /// A stable stand-in for a random access key id (sent back to the vault as the real one).
    fn fake_key_id(&mut self, id: &str) -> String {
        if let Some((_, f)) = self.fake.iter().find(|(r, _)| r == id) {
            return f.clone();
        }
        let n = self
            .fake
            .iter()
            .filter(|(r, _)| r.starts_with("AKIA"))
            .count();
        let stand_in = format!("AKIAXXXXXXXXXXXX{:04}", n + 1);
        self.real.insert(stand_in.clone(), id.to_string());
        self.fake.push((id.to_string(), stand_in.clone()));
        stand_in
    }

    fn scrub_event(
        &self,
        e: coffer_core::vault::AuditEventView,
    ) -> coffer_core::vault::AuditEventView {
        let mut e = rescrub(e, &self.fake);
        e.event.event_id = format!("event-{}", e.sequence);
        e.event.request_id = format!("request-{}", e.sequence);
        e
    }

    fn fake_of(&self, arn: &str) -> String {
        self.fake
            .iter()
            .find(|(r, _)| r == arn)
            .map_or(arn.to_string(), |(_, f)| f.clone())
    }

    fn unscrub(&self, arn: &mut String) {
        if let Some(r) = self.real.get(arn.as_str()) {
            *arn = r.clone();
        }
    }

    fn unscrub_request(&self, req: &mut Request) {
        match req {
            Request::Detail { arn, .. }
            | Request::Activity { arn, .. }
            | Request::Reveal { arn, .. }
            | Request::Put { arn, .. }
            | Request::PutGenerated { arn }
            | Request::Describe { arn, .. }
            | Request::SetType { arn, .. }
            | Request::MoveLabel { arn, .. }
            | Request::Delete { arn, .. }
            | Request::ForceDelete { arn }
            | Request::Restore { arn }
            | Request::Tag { arn, .. }
            | Request::Untag { arn, .. }
            | Request::Policy { arn, .. }
            | Request::Access { arn, .. }
            | Request::PutPolicy { arn, .. }
            | Request::DeletePolicy { arn }
            | Request::RotationHistory { arn, .. }
            | Request::RotationSettings { arn, .. }
            | Request::RotateNow { arn, .. }
            | Request::PutSchedule { arn, .. }
            | Request::CancelRotation { arn }
            | Request::RetryRotation { arn }
            | Request::PutApproval { arn, .. }
            | Request::Approve { arn }
            | Request::Reject { arn, .. }
            | Request::Replicate { arn, .. }
            | Request::RemoveReplica { arn, .. }
            | Request::PromoteReplica { arn, .. }
            | Request::StopReplication { arn }
            | Request::AssociateCrossAccount { arn, .. }
            | Request::DisassociateCrossAccount { arn, .. } => self.unscrub(arn),
            Request::RotationFunctions { then } => match then {
                FunctionFor::RotateNow { arn, .. } | FunctionFor::Schedule { arn, .. } => {
                    self.unscrub(arn)
                }
            },
            Request::UpdateAccessKey { id, .. } => self.unscrub(id),
            Request::Audit { query, .. } => {
                if let Some(s) = query.secret_id.as_mut() {
                    self.unscrub(s);
                }
            }
            _ => {}
        }
    }

    /// Runs effects as the event loop would, answering requests synchronously.
    fn run(&mut self, mut effects: Vec<Effect>) {
        while !effects.is_empty() {
            let mut next = vec![];
            for fx in effects {
                match fx {
                    Effect::Send(Request::Inspect) => {
                        let r = Vault::inspect(&self.path);
                        next.extend(self.app.update(Action::loaded(Loaded::Inspected(r))));
                    }
                    Effect::Send(Request::Lock | Request::Unlock { .. }) => {}
                    Effect::Send(Request::RunDue) => {
                        self.background.kick(Job::Rotations);
                        let ran = self.background.run_due(&self.vault);
                        for loaded in reported(&ran, &self.background.status(true)) {
                            let loaded = self.scrub(loaded);
                            next.extend(self.app.update(Action::loaded(loaded)));
                        }
                    }
                    Effect::Send(mut req) => {
                        self.unscrub_request(&mut req);
                        let loaded = execute(&self.vault, req);
                        self.learn_arns();
                        let loaded = self.scrub(loaded);
                        next.extend(self.app.update(Action::loaded(loaded)));
                    }
                    Effect::Copy { text, .. } => self.copies.push(text.to_string()),
                    Effect::ClearClipboard | Effect::Quit => {}
                }
            }
            effects = next;
        }
    }

    pub fn act(&mut self, a: Action) {
        let fx = self.app.update(a);
        self.run(fx);
    }

    pub fn key(&mut self, c: Cmd) {
        self.act(Action::Key(c));
    }

    pub fn keys(&mut self, cs: &[Cmd]) {
        for c in cs {
            self.key(*c);
        }
    }

    pub fn text(&mut self, s: &str) {
        for c in s.chars() {
            self.act(Action::Char(c));
        }
    }

    /// Selects the secrets-list row with this name (by moving down from the top).
    pub fn select(&mut self, name: &str) {
        self.key(Cmd::Top);
        for _ in 0..self.app.secrets.len() {
            if self
                .app
                .secrets
                .selected_row()
                .is_some_and(|r| r.name == name)
            {
                return;
            }
            self.key(Cmd::Down);
        }
        panic!("no secret named {name} in the list");
    }

    /// Opens a secret from the list.
    pub fn open(&mut self, name: &str) {
        self.select(name);
        self.key(Cmd::Open);
    }

    /// Opens a secret's Rotation tab.
    pub fn open_rotation_of(&mut self, name: &str) {
        self.key(Cmd::GoSecrets);
        self.open(name);
        self.act(Action::Key(Cmd::NextTab));
        self.act(Action::Key(Cmd::NextTab));
        self.act(Action::Key(Cmd::NextTab));
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        let (w, h) = self.app.sh.size;
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| f.render_widget(&self.app, f.area()))
            .expect("draw");
        let buf = t.backend().buffer();
        let mut out = String::new();
        for y in 0..h {
            let mut line = String::new();
            for x in 0..w {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}
