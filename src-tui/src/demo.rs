//! `coffer demo`: a throwaway vault with content that looks like a real team's.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use coffer_core::api::*;
use coffer_core::clock::ManualClock;
use coffer_core::model::Tag;
use coffer_core::rotation::Engine;
use coffer_core::vault::rotation::{
    CreateRotationFunctionRequest, FunctionKind, PutRotationApprovalRequest,
};
use coffer_core::{FrontEnd, InitOptions, SecretBytes, SecretText, Vault};
use coffer_core::{KdfParams, Passphrase, random};
use serde_json::json;
use zeroize::Zeroizing;

pub struct Demo {
    pub path: PathBuf,
    pub operator: String,
    pub passphrase_text: Zeroizing<String>,
    pub summary: serde_json::Value,
}

fn tags(pairs: &[(&str, &str)]) -> Vec<Tag> {
    pairs
        .iter()
        .map(|(k, v)| Tag {
            key: k.to_string(),
            value: v.to_string(),
        })
        .collect()
}

fn text(s: &str) -> Option<SecretText> {
    Some(SecretText::new(s.to_string()))
}

/// Creates the demo vault in `dir` (or a new temporary directory).
pub fn create(dir: Option<&Path>) -> Result<Demo> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => std::env::temp_dir().join(format!("coffer-demo-{}", random::hex(4))),
    };
    let path = dir.join("demo-vault.db");
    let words: Vec<char> = "abcdefghijkmnopqrstuvwxyz23456789".chars().collect();
    let passphrase_text = Zeroizing::new(format!(
        "demo-{}-{}-{}",
        random::string_from(&words, 4),
        random::string_from(&words, 4),
        random::string_from(&words, 4)
    ));
    let operator = "admin".to_string();
    // The demo's history spans the last four months (so that its Health screen has stale
    // secrets, old keys and overdue rotations); the file is then used on the real clock.
    let now = jiff::Timestamp::now();
    let clock = ManualClock::new(now - jiff::SignedDuration::from_hours(24 * HISTORY_DAYS));
    let vault = Vault::init_with_clock(
        &path,
        InitOptions {
            account_id: Some("123456789012".into()),
            region: Some("us-east-1".into()),
            operator: operator.clone(),
            passphrase: Passphrase::new(passphrase_text.to_string()),
            kdf: None,
        },
        Arc::new(clock.clone()),
    )
    .with_context(|| format!("cannot create the demo vault at {}", path.display()))?;
    populate(&vault)?;
    // Read once, four months ago, and never since.
    vault.get_secret_value(
        &vault.caller(FrontEnd::Tui),
        GetSecretValueRequest {
            secret_id: "staging/api/sendgrid".into(),
            ..Default::default()
        },
    )?;
    let vault = Arc::new(vault);
    rotation(&vault)?;
    principals(&vault)?;
    clock.set(now - jiff::SignedDuration::from_hours(24 * 20));
    health(&vault)?;
    clock.set(now);
    recent(&vault)?;
    let passphrase = Passphrase::new(passphrase_text.to_string());
    unplugged_replica(&vault, &path, &operator, &passphrase, &clock)?;
    // Someone given a key slot who has never unlocked. Commands that name no operator still
    // open the demo: the passphrase picks the operator whose slot it opens.
    vault.add_operator(
        &vault.caller(FrontEnd::Cli),
        "oncall",
        &Passphrase::new(random::hex(16)),
        Some((KdfParams::MIN_MEMORY_KIB, KdfParams::MIN_ITERATIONS)),
    )?;
    let c = vault.caller(FrontEnd::Cli);
    let all = vault.list_secrets(
        &c,
        ListSecretsRequest {
            include_planned_deletion: true,
            ..Default::default()
        },
    )?;
    let deleting = all
        .secret_list
        .iter()
        .filter(|s| s.deleted_date.is_some())
        .count();
    let summary = json!({
        "Vault": path.display().to_string(),
        "Operator": operator,
        "Secrets": all.secret_list.len(),
        "ScheduledForDeletion": deleting,
        "RotationsAwaitingApproval": vault.list_pending_rotations(&c)?.attempts.len(),
        "HealthFindings": vault
            .health_report(&c, &coffer_core::health::Thresholds::default())?
            .counts,
    });
    Ok(Demo {
        path,
        operator,
        passphrase_text,
        summary,
    })
}

fn put(vault: &Vault, id: &str, value: &str, stages: Option<Vec<String>>) -> Result<String> {
    let c = vault.caller(FrontEnd::Cli);
    Ok(vault
        .put_secret_value(
            &c,
            PutSecretValueRequest {
                secret_id: id.into(),
                secret_string: text(value),
                version_stages: stages,
                ..Default::default()
            },
        )?
        .version_id)
}

fn create_secret(
    vault: &Vault,
    name: &str,
    description: &str,
    value: &str,
    t: &[(&str, &str)],
    kms: Option<&str>,
) -> Result<String> {
    let c = vault.caller(FrontEnd::Cli);
    Ok(vault
        .create_secret(
            &c,
            CreateSecretRequest {
                name: name.into(),
                description: Some(description.into()),
                secret_string: text(value),
                tags: tags(t),
                kms_key_id: kms.map(str::to_string),
                ..Default::default()
            },
        )?
        .version_id
        .unwrap_or_default())
}

fn db(engine: &str, host: &str, user: &str, password: &str, dbname: &str) -> String {
    let port = if engine == "postgres" { 5432 } else { 3306 };
    json!({"engine": engine, "host": host, "port": port, "username": user, "password": password, "dbname": dbname}).to_string()
}

/// Rotation: a `password` function; `dev/db/main` on a 30-day schedule and rotated once (so
/// its Rotation tab has history, and by today it is overdue); `staging/db/main` rotated by a
/// function that fails; `prod/cache/redis` requiring approval, with a rotation asked for and
/// waiting in the approval queue.
fn rotation(vault: &Arc<Vault>) -> Result<()> {
    let c = vault.caller(FrontEnd::Cli);
    let function = vault.create_rotation_function(
        &c,
        CreateRotationFunctionRequest {
            name: "password".into(),
            description: Some("a new random password in the secret's password key".into()),
            kind: FunctionKind::Password {
                json_key: None,
                options: GetRandomPasswordRequest {
                    password_length: Some(32),
                    ..Default::default()
                },
            },
        },
    )?;
    let rotate = |id: &str, days: i64, duration: Option<&str>| {
        vault.rotate_secret(
            &c,
            RotateSecretRequest {
                secret_id: id.into(),
                rotation_lambda_arn: Some(function.arn.clone()),
                rotation_rules: Some(RotationRules {
                    automatically_after_days: Some(days),
                    schedule_expression: None,
                    duration: duration.map(str::to_string),
                }),
                rotate_immediately: Some(true),
                ..Default::default()
            },
        )
    };
    rotate("dev/db/main", 30, Some("4h"))?;
    // A failing rotation: its function cannot reach the database.
    let failing = vault.create_rotation_function(
        &c,
        CreateRotationFunctionRequest {
            name: "orders-db-rotator".into(),
            description: Some("rotates the orders database user (its host is unreachable)".into()),
            kind: FunctionKind::Lambda {
                command: vec![
                    "sh".into(),
                    "-c".into(),
                    "echo 'could not connect to db.staging.internal:5432' >&2; exit 1".into(),
                ],
                timeout_seconds: 10,
            },
        },
    )?;
    vault.rotate_secret(
        &c,
        RotateSecretRequest {
            secret_id: "staging/db/main".into(),
            rotation_lambda_arn: Some(failing.arn),
            rotation_rules: Some(RotationRules {
                automatically_after_days: Some(30),
                schedule_expression: None,
                duration: None,
            }),
            rotate_immediately: Some(true),
            ..Default::default()
        },
    )?;
    Engine::new().run_due(vault)?;
    vault.put_rotation_approval(
        &c,
        PutRotationApprovalRequest {
            secret_id: Some("prod/cache/redis".into()),
            require_approval: Some(true),
            two_person_rule: Some(false),
        },
    )?;
    rotate("prod/cache/redis", 7, None)?;
    Ok(())
}

fn populate(vault: &Vault) -> Result<()> {
    let c = vault.caller(FrontEnd::Cli);
    let key = vault.create_key(
        &c,
        CreateKeyRequest {
            description: Some("Production secrets".into()),
            tags: vec![],
        },
    )?;
    vault.create_alias(
        &c,
        CreateAliasRequest {
            alias_name: "alias/prod-secrets".into(),
            target_key_id: key.key_metadata.key_id,
        },
    )?;

    let prod = [("env", "prod"), ("team", "platform")];
    create_secret(
        vault,
        "prod/db/main",
        "Primary PostgreSQL for the orders service",
        &db(
            "postgres",
            "db.prod.internal",
            "orders_app",
            "Xk3!vQ9#mWz2Lp7r",
            "orders",
        ),
        &prod,
        Some("alias/prod-secrets"),
    )?;
    put(
        vault,
        "prod/db/main",
        &db(
            "postgres",
            "db.prod.internal",
            "orders_app",
            "T8$hNq4@Rf6vKe1s",
            "orders",
        ),
        None,
    )?;
    put(
        vault,
        "prod/db/main",
        &db(
            "postgres",
            "db.prod.internal",
            "orders_app",
            "Zp5&Lw2!Jc9dMx3u",
            "orders",
        ),
        None,
    )?;
    put(
        vault,
        "prod/db/main",
        &db(
            "postgres",
            "db.prod.internal",
            "orders_app",
            "Bh7^Gs1%Yt4nQa8e",
            "orders",
        ),
        None,
    )?;

    create_secret(
        vault,
        "prod/api/stripe",
        "Stripe live secret key",
        "sk_live_51Hx9aQ2eZvKYlo2C0demo00000",
        &[("env", "prod"), ("team", "payments")],
        None,
    )?;
    put(
        vault,
        "prod/api/stripe",
        "sk_live_51Hx9aQ2eZvKYlo2C1demo11111",
        None,
    )?;
    put(
        vault,
        "prod/api/stripe",
        "sk_live_51Hx9aQ2eZvKYlo2C2demo22222",
        None,
    )?;

    let c2 = vault.caller(FrontEnd::Cli);
    vault.create_secret(
        &c2,
        CreateSecretRequest {
            name: "prod/tls/api-client-key".into(),
            description: Some("DER-encoded client key for mTLS to the bank".into()),
            secret_binary: Some(SecretBytes::new(
                (0u8..=255).cycle().skip(48).take(121).collect(),
            )),
            tags: tags(&[("env", "prod"), ("team", "payments"), ("format", "der")]),
            ..Default::default()
        },
    )?;

    let v1 = create_secret(
        vault,
        "prod/payments/webhook-hmac",
        "HMAC secret for payment webhooks",
        &json!({"key_id": "whk_01", "secret": "c2VjcmV0LW9uZQ"}).to_string(),
        &[("env", "prod"), ("team", "payments")],
        None,
    )?;
    put(
        vault,
        "prod/payments/webhook-hmac",
        &json!({"key_id": "whk_02", "secret": "c2VjcmV0LXR3bw"}).to_string(),
        None,
    )?;
    put(
        vault,
        "prod/payments/webhook-hmac",
        &json!({"key_id": "whk_03", "secret": "c2VjcmV0LXRocmVl"}).to_string(),
        Some(vec!["CANARY".into()]),
    )?;
    // The version the load balancers still verify with carries a custom label.
    vault.update_secret_version_stage(
        &c,
        UpdateSecretVersionStageRequest {
            secret_id: "prod/payments/webhook-hmac".into(),
            version_stage: "DEPLOYED".into(),
            move_to_version_id: Some(v1),
            remove_from_version_id: None,
        },
    )?;

    create_secret(
        vault,
        "prod/cache/redis",
        "Redis AUTH for the session cache",
        &json!({"host": "redis.prod.internal", "port": 6379, "password": "r3d!s-Pr0d-9xQ"})
            .to_string(),
        &prod,
        Some("alias/prod-secrets"),
    )?;

    let s1 = create_secret(
        vault,
        "staging/db/main",
        "Staging PostgreSQL",
        &db(
            "postgres",
            "db.staging.internal",
            "orders_app",
            "stg-Pw-one-1111",
            "orders",
        ),
        &[("env", "staging"), ("team", "platform")],
        None,
    )?;
    let s2 = put(
        vault,
        "staging/db/main",
        &db(
            "postgres",
            "db.staging.internal",
            "orders_app",
            "stg-Pw-two-2222",
            "orders",
        ),
        None,
    )?;
    put(
        vault,
        "staging/db/main",
        &db(
            "postgres",
            "db.staging.internal",
            "orders_app",
            "stg-Pw-three-3333",
            "orders",
        ),
        None,
    )?;
    let _ = s1;
    // A roll back: AWSCURRENT moved back to the second version.
    let current = vault
        .describe_secret(
            &c,
            SecretIdRequest {
                secret_id: "staging/db/main".into(),
            },
        )?
        .version_ids_to_stages
        .into_iter()
        .find(|(_, st)| st.iter().any(|s| s == "AWSCURRENT"))
        .map(|(id, _)| id)
        .unwrap_or_default();
    vault.update_secret_version_stage(
        &c,
        UpdateSecretVersionStageRequest {
            secret_id: "staging/db/main".into(),
            version_stage: "AWSCURRENT".into(),
            move_to_version_id: Some(s2),
            remove_from_version_id: Some(current),
        },
    )?;

    create_secret(
        vault,
        "staging/api/sendgrid",
        "SendGrid key for staging mail",
        "SG.staging.demo-key-0000",
        &[("env", "staging"), ("team", "growth")],
        None,
    )?;
    create_secret(
        vault,
        "staging/oauth/github",
        "GitHub OAuth app (staging)",
        &json!({"client_id": "Iv1.0a1b2c3d4e5f", "client_secret": "ghs_stagingdemo000"})
            .to_string(),
        &[("env", "staging"), ("team", "identity")],
        None,
    )?;
    create_secret(
        vault,
        "staging/legacy-ldap",
        "Bind account of the retired LDAP bridge",
        &json!({"bind_dn": "cn=bridge,dc=corp", "password": "ldap-legacy-7"}).to_string(),
        &[("env", "staging")],
        None,
    )?;

    create_secret(
        vault,
        "dev/db/main",
        "Local development database",
        &db("mysql", "127.0.0.1", "dev", "dev-password", "orders_dev"),
        &[("env", "dev")],
        None,
    )?;
    create_secret(
        vault,
        "dev/api/openai",
        "OpenAI key for the dev sandbox",
        "sk-dev-demo-000000000000",
        &[("env", "dev"), ("team", "ml")],
        None,
    )?;
    create_secret(
        vault,
        "dev/feature-flags",
        "LaunchDarkly SDK keys",
        &json!({"server": "sdk-dev-0000", "mobile": "mob-dev-0000"}).to_string(),
        &[("env", "dev")],
        None,
    )?;
    put(
        vault,
        "dev/feature-flags",
        &json!({"server": "sdk-dev-1111", "mobile": "mob-dev-1111"}).to_string(),
        None,
    )?;
    put(
        vault,
        "dev/feature-flags",
        &json!({"server": "sdk-dev-2222", "mobile": "mob-dev-2222", "client": "cli-dev-2222"})
            .to_string(),
        None,
    )?;
    create_secret(
        vault,
        "dev/old-service",
        "Credentials of a decommissioned service",
        "old-service-token",
        &[("env", "dev")],
        None,
    )?;

    Ok(())
}

/// How far back the demo's history goes.
const HISTORY_DAYS: i64 = 120;

/// What the Health screen should find (with the rest of the demo: a stale and a never-read
/// secret, database credentials without rotation, overdue, failing and unapproved
/// rotations, a deletion due): a weak and a reused value, a public and a cross-account
/// resource policy, a principal with unused grants (see `principals`), old and unused access
/// keys. Runs 20 days ago. (A failed replica and an operator who never unlocked are made
/// last, in `create`.)
fn health(vault: &Arc<Vault>) -> Result<()> {
    let c = vault.caller(FrontEnd::Cli);
    create_secret(
        vault,
        "dev/admin-panel",
        "Admin login of the dev back office",
        &json!({"username": "admin", "password": "admin123"}).to_string(),
        &[("env", "dev")],
        None,
    )?;
    // The same key pasted into a second secret.
    create_secret(
        vault,
        "dev/api/sendgrid",
        "SendGrid key copied from staging",
        "SG.staging.demo-key-0000",
        &[("env", "dev"), ("team", "growth")],
        None,
    )?;
    let policy = |secret: &str, principal: serde_json::Value| {
        vault.put_resource_policy(
            &c,
            coffer_core::vault::policies::PutResourcePolicyRequest {
                secret_id: secret.into(),
                resource_policy: json!({
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": principal,
                        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]
                })
                .to_string(),
                block_public_policy: Some(false),
                policy_name: None,
            },
        )
    };
    policy("staging/oauth/github", json!("*"))?;
    policy(
        "prod/api/stripe",
        json!({"AWS": "arn:aws:iam::210987654321:root"}),
    )?;
    let deployer = coffer_core::Caller::principal(
        "arn:aws:iam::123456789012:user/ci-deployer",
        FrontEnd::Endpoint,
    );
    vault.get_secret_value(
        &deployer,
        GetSecretValueRequest {
            secret_id: "prod/db/main".into(),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// IAM, four months ago: a deployer with broad access (that will only ever read) and a
/// reporting user, each with an access key.
fn principals(vault: &Vault) -> Result<()> {
    use coffer_core::vault::iam::{CreateEntity, EntityKind};
    let c = vault.caller(FrontEnd::Cli);
    for user in ["ci-deployer", "reporting"] {
        vault.iam_create(&c, CreateEntity::new(EntityKind::User, user))?;
        vault.iam_create_access_key(&c, EntityKind::User, user)?;
    }
    vault.iam_attach_policy(
        &c,
        EntityKind::User,
        "ci-deployer",
        coffer_core::vault::iam::SECRETS_MANAGER_READ_WRITE,
        true,
    )?;
    Ok(())
}

/// The region the demo's failed replica is in. The desktop tour registers eu-west-1 and
/// replicates `prod/cache/redis` to the first region its Replicas tab offers, which leaves
/// out the regions the secret already replicates to: so the failed replica is that secret's.
const UNPLUGGED_REGION: &str = "ap-southeast-2";

/// A failed replica: `prod/cache/redis` was replicated to a region on a removable drive,
/// which is unplugged now; its next change cannot be pushed there, and the replica is
/// `Failed` (the change stays queued, retried when the drive is back). The region is
/// registered and replicated to from a handle of its own, closed before the drive goes, so
/// that `vault` meets the missing file as a later process would.
fn unplugged_replica(
    vault: &Vault,
    path: &Path,
    operator: &str,
    passphrase: &Passphrase,
    clock: &ManualClock,
) -> Result<()> {
    let drive = path.with_file_name("unplugged-drive");
    std::fs::create_dir_all(&drive)
        .with_context(|| format!("cannot create {}", drive.display()))?;
    {
        let other =
            Vault::open_with_clock(path, Some(operator), passphrase, Arc::new(clock.clone()))?;
        let c = other.caller(FrontEnd::Cli);
        other.add_replica_region(
            &c,
            UNPLUGGED_REGION,
            &drive.join("replica.db"),
            None,
            Passphrase::new(random::hex(16)),
            Some((KdfParams::MIN_MEMORY_KIB, KdfParams::MIN_ITERATIONS)),
        )?;
        other.replicate_secret_to_regions(
            &c,
            ReplicateSecretToRegionsRequest {
                secret_id: "prod/cache/redis".into(),
                add_replica_regions: vec![ReplicaRegionType {
                    region: Some(UNPLUGGED_REGION.into()),
                    kms_key_id: None,
                }],
                force_overwrite_replica_secret: false,
            },
        )?;
    }
    std::fs::remove_dir_all(&drive)
        .with_context(|| format!("cannot remove {}", drive.display()))?;
    vault.update_secret(
        &vault.caller(FrontEnd::Cli),
        UpdateSecretRequest {
            secret_id: "prod/cache/redis".into(),
            description: Some(format!(
                "Redis AUTH for the session cache (replicated to {UNPLUGGED_REGION}, on a drive that is unplugged now)"
            )),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// Today: deletions scheduled, and some reads.
fn recent(vault: &Vault) -> Result<()> {
    let c = vault.caller(FrontEnd::Cli);
    // Two deletions scheduled, with different recovery windows.
    vault.delete_secret(
        &c,
        DeleteSecretRequest {
            secret_id: "dev/old-service".into(),
            recovery_window_in_days: Some(7),
            ..Default::default()
        },
    )?;
    vault.delete_secret(
        &c,
        DeleteSecretRequest {
            secret_id: "staging/legacy-ldap".into(),
            recovery_window_in_days: Some(30),
            ..Default::default()
        },
    )?;

    // Some history: reads from the console and the endpoint, and a failed request.
    for (id, fe) in [
        ("prod/db/main", FrontEnd::Endpoint),
        ("prod/api/stripe", FrontEnd::Endpoint),
        ("staging/db/main", FrontEnd::Tui),
    ] {
        let caller = vault.caller(fe);
        vault.get_secret_value(
            &caller,
            GetSecretValueRequest {
                secret_id: id.into(),
                ..Default::default()
            },
        )?;
    }
    let _ = vault.get_secret_value(
        &c,
        GetSecretValueRequest {
            secret_id: "prod/db/replica".into(),
            ..Default::default()
        },
    );
    Ok(())
}
