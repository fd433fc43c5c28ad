//! Attacks on the alternating-users rotation, against a fake PostgreSQL server on loopback
//! that records every login it is sent (user, password, whether TLS was asked for) and takes
//! the ones it is told to: a rotation must never hand it a master secret's password unless
//! the principal the rotation acts for may read that master secret, and then only when the
//! master's server is the user's own (host *and* port). Also: a secret with `"ssl": true`
//! never logs in to a server that offers no TLS. No real database is needed.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use coffer_core::api::{
    CreateSecretRequest, PutSecretValueRequest, RotateSecretRequest, SecretIdRequest,
};
use coffer_core::rotation::database::{DatabaseConfig, Engine, PasswordRules, Strategy, run_step};
use coffer_core::rotation::{RotationClient, Step, StepEvent};
use coffer_core::vault::AuditQuery;
use coffer_core::vault::iam::{CreateEntity, EntityKind};
use coffer_core::vault::rotation::{
    AttemptStatus, CreateRotationFunctionRequest, FunctionKind, RotationAttempt,
};
use coffer_core::{Caller, FrontEnd, SecretText, Vault};
use coffer_core::{Passphrase, random};
use coffer_tests::TestVault;
use serde_json::{Value, json};

const MASTER_PASSWORD: &str = "Master-Pa55word-never-leaves";
const APP_PASSWORD: &str = "App-Pa55word";

/// One login the fake server was sent.
#[derive(Debug, Clone, Default)]
struct Login {
    asked_for_tls: bool,
    user: Option<String>,
    password: Option<String>,
}

/// A PostgreSQL server that asks every client for its password in clear text (as a server
/// may), records it, and lets in the users it was given; it offers no TLS and runs no
/// statement.
struct FakePostgres {
    port: u16,
    logins: Arc<Mutex<Vec<Login>>>,
}

impl FakePostgres {
    fn start(let_in: &[&str]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        let logins = Arc::new(Mutex::new(Vec::new()));
        let let_in: Vec<String> = let_in.iter().map(|u| u.to_string()).collect();
        let record = logins.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (record, let_in) = (record.clone(), let_in.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &record, &let_in);
                });
            }
        });
        Self { port, logins }
    }

    fn logins(&self) -> Vec<Login> {
        self.logins.lock().unwrap().clone()
    }

    /// Whether any login it was sent carried `password`.
    fn saw_password(&self, password: &str) -> bool {
        self.logins()
            .iter()
            .any(|l| l.password.as_deref() == Some(password))
    }

    fn saw_user(&self, user: &str) -> bool {
        self.logins()
            .iter()
            .any(|l| l.user.as_deref() == Some(user))
    }
}

fn read_i32(s: &mut TcpStream) -> std::io::Result<i32> {
    let mut b = [0u8; 4];
    s.read_exact(&mut b)?;
    Ok(i32::from_be_bytes(b))
}

fn read_body(s: &mut TcpStream, len: i32) -> std::io::Result<Vec<u8>> {
    let mut body = vec![0u8; usize::try_from(len - 4).unwrap_or(0)];
    s.read_exact(&mut body)?;
    Ok(body)
}

fn message(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(&(i32::try_from(body.len()).unwrap() + 4).to_be_bytes());
    m.extend_from_slice(body);
    m
}

fn error_response(code: &str, text: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, value) in [(b'S', "FATAL"), (b'V', "FATAL"), (b'C', code), (b'M', text)] {
        body.push(field);
        body.extend_from_slice(value.as_bytes());
        body.push(0);
    }
    body.push(0);
    message(b'E', &body)
}

fn serve(mut s: TcpStream, record: &Mutex<Vec<Login>>, let_in: &[String]) -> std::io::Result<()> {
    let mut login = Login::default();
    // Where this connection's record is, once it has one.
    let mut at = None;
    // SSLRequest (refused: no TLS here), then the startup message.
    let startup = loop {
        let len = read_i32(&mut s)?;
        let body = read_body(&mut s, len)?;
        if body[..4] == 80_877_103i32.to_be_bytes() {
            login.asked_for_tls = true;
            let mut logins = record.lock().unwrap();
            logins.push(login.clone());
            at = Some(logins.len() - 1);
            drop(logins);
            s.write_all(b"N")?;
            continue;
        }
        break body;
    };
    let params: Vec<String> = startup[4..]
        .split(|b| *b == 0)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    login.user = params
        .iter()
        .position(|p| p == "user")
        .and_then(|i| params.get(i + 1).cloned());
    // AuthenticationCleartextPassword, then the client's PasswordMessage.
    s.write_all(&message(b'R', &3i32.to_be_bytes()))?;
    let mut kind = [0u8; 1];
    s.read_exact(&mut kind)?;
    let len = read_i32(&mut s)?;
    let body = read_body(&mut s, len)?;
    login.password =
        Some(String::from_utf8_lossy(body.strip_suffix(&[0]).unwrap_or(&body)).into_owned());
    let admitted = login.user.as_ref().is_some_and(|u| let_in.contains(u));
    {
        let mut logins = record.lock().unwrap();
        match at {
            Some(i) => logins[i] = login,
            None => logins.push(login),
        }
    }
    if !admitted {
        s.write_all(&error_response("28P01", "password authentication failed"))?;
        return Ok(());
    }
    s.write_all(&message(b'R', &0i32.to_be_bytes()))?;
    s.write_all(&message(b'Z', b"I"))?;
    loop {
        let mut kind = [0u8; 1];
        if s.read_exact(&mut kind).is_err() || kind[0] == b'X' {
            return Ok(());
        }
        let len = read_i32(&mut s)?;
        read_body(&mut s, len)?;
        if matches!(kind[0], b'Q' | b'S') {
            s.write_all(&error_response("0A000", "this server runs no statement"))?;
            s.write_all(&message(b'Z', b"I"))?;
        }
    }
}

/// A vault with its operator, a stored alternating-users PostgreSQL function, a master
/// secret and an application's secret on the given fake servers.
struct Rig {
    _dir: TestVault,
    vault: Arc<Vault>,
    operator: Caller,
    function_arn: String,
    master_arn: String,
    app_arn: String,
}

fn db_secret(port: u16, user: &str, password: &str) -> Value {
    json!({
        "engine": "postgres", "host": "127.0.0.1", "port": port,
        "username": user, "password": password, "dbname": "postgres",
    })
}

fn rig(master_port: u16, app_port: u16) -> Rig {
    let dir = TestVault::init();
    let vault = Vault::open(&dir.path, None, &Passphrase::new(dir.passphrase.clone()))
        .expect("open the test vault");
    let operator = vault.caller(FrontEnd::Cli);
    let create = |name: &str, value: Value| {
        vault
            .create_secret(
                &operator,
                CreateSecretRequest {
                    name: name.into(),
                    secret_string: Some(SecretText::new(value.to_string())),
                    ..Default::default()
                },
            )
            .unwrap()
            .arn
    };
    let master_arn = create(
        "db/master",
        db_secret(master_port, "admin", MASTER_PASSWORD),
    );
    let app_arn = create("db/app", db_secret(app_port, "app", APP_PASSWORD));
    let function_arn = vault
        .create_rotation_function(
            &operator,
            CreateRotationFunctionRequest {
                name: format!("pg-{}", random::hex(4)),
                description: None,
                kind: FunctionKind::Postgres {
                    strategy: Strategy::AlternatingUsers,
                },
            },
        )
        .unwrap()
        .arn;
    Rig {
        _dir: dir,
        vault: Arc::new(vault),
        operator,
        function_arn,
        master_arn,
        app_arn,
    }
}

impl Rig {
    /// `who` writes the app's secret naming `masterarn`, asks for its rotation, and the
    /// engine runs it.
    fn rotate_as(&self, who: &Caller, masterarn: &str, port: u16) -> RotationAttempt {
        let mut value = db_secret(port, "app", APP_PASSWORD);
        value["masterarn"] = masterarn.into();
        self.vault
            .put_secret_value(
                who,
                PutSecretValueRequest {
                    secret_id: self.app_arn.clone(),
                    secret_string: Some(SecretText::new(value.to_string())),
                    ..Default::default()
                },
            )
            .expect("write the app's secret");
        self.vault
            .rotate_secret(
                who,
                RotateSecretRequest {
                    secret_id: self.app_arn.clone(),
                    rotation_lambda_arn: Some(self.function_arn.clone()),
                    ..Default::default()
                },
            )
            .expect("RotateSecret");
        let mut ran = coffer_core::rotation::Engine::new()
            .run_due(&self.vault)
            .expect("run the rotation");
        assert_eq!(ran.len(), 1);
        ran.remove(0)
    }

    /// GetSecretValue events on the master secret.
    fn master_reads(&self) -> Vec<coffer_core::vault::AuditEventView> {
        self.vault
            .query_audit(
                &self.operator,
                &AuditQuery {
                    secret_id: Some(self.master_arn.clone()),
                    event_names: vec!["GetSecretValue".into()],
                    limit: 100,
                    ..Default::default()
                },
            )
            .unwrap()
            .events
    }
}

#[test]
fn a_rotation_naming_a_master_the_requester_cannot_read_is_refused_audited_and_never_logs_in() {
    let server = FakePostgres::start(&["app"]);
    let r = rig(server.port, server.port);
    // Mallory may write and rotate the app's secret, and nothing of the master's.
    r.vault
        .iam_create(&r.operator, CreateEntity::new(EntityKind::User, "mallory"))
        .unwrap();
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Resource": r.app_arn, "Action": [
            "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
            "secretsmanager:DescribeSecret", "secretsmanager:RotateSecret"]},
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}
    ]});
    r.vault
        .iam_put_inline_policy(
            &r.operator,
            EntityKind::User,
            "mallory",
            "app-only",
            &policy.to_string(),
        )
        .unwrap();
    let mallory = Caller::principal("arn:aws:iam::111122223333:user/mallory", FrontEnd::Endpoint);

    // The attack: name the master (by name: no ARN needed) in a secret Mallory may write.
    let attempt = r.rotate_as(&mallory, "db/master", server.port);

    assert_eq!(attempt.status, AttemptStatus::Failed);
    let error = attempt.error.clone().unwrap();
    assert!(error.starts_with("setSecret failed"), "{error}");
    assert!(
        error.contains("secretsmanager:GetSecretValue") && error.contains("mallory"),
        "{error}"
    );
    // The rotation got as far as the vault lets it: the app's own logins reached the server.
    assert!(server.saw_user("app"), "{:?}", server.logins());
    // The master's login never did.
    assert!(!server.saw_password(MASTER_PASSWORD));
    assert!(!server.saw_user("admin"));
    // The refusal is in the audit log, under Mallory's name, and nobody read the master.
    let reads = r.master_reads();
    assert!(
        reads
            .iter()
            .any(|e| e.principal_arn == mallory.principal_arn
                && e.error_code.as_deref() == Some("AccessDeniedException")),
        "{reads:#?}"
    );
    assert!(reads.iter().all(|e| e.error_code.is_some()), "{reads:#?}");
    // Mallory cannot get at it by retrying either.
    let again = r
        .vault
        .retry_rotation(
            &mallory,
            SecretIdRequest {
                secret_id: r.app_arn.clone(),
            },
        )
        .unwrap();
    assert_eq!(again.status, AttemptStatus::Failed);
    coffer_core::rotation::Engine::new()
        .run_due(&r.vault)
        .unwrap();
    assert!(!server.saw_password(MASTER_PASSWORD));
}

#[test]
fn a_master_the_requester_may_read_is_read_as_the_requester_and_logs_in_to_its_server() {
    let server = FakePostgres::start(&["app", "admin"]);
    let r = rig(server.port, server.port);
    let attempt = r.rotate_as(&r.operator, &r.master_arn, server.port);
    // The fake server runs no statement, so the attempt fails after the master logged in.
    assert_eq!(attempt.status, AttemptStatus::Failed);
    assert!(
        server.saw_password(MASTER_PASSWORD),
        "{:?}",
        server.logins()
    );
    let reads = r.master_reads();
    assert_eq!(reads.len(), 1, "{reads:#?}");
    assert_eq!(reads[0].principal_arn, r.operator.principal_arn);
    assert_eq!(reads[0].error_code, None);
    let agent = &reads[0].event.user_agent;
    assert!(agent.starts_with("coffer-rotation/pg-"), "{agent}");
}

#[test]
fn a_master_on_the_same_host_but_another_port_is_refused_before_it_logs_in() {
    let app_server = FakePostgres::start(&["app", "admin"]);
    let master_server = FakePostgres::start(&["admin"]);
    let r = rig(master_server.port, app_server.port);
    let attempt = r.rotate_as(&r.operator, &r.master_arn, app_server.port);
    assert_eq!(attempt.status, AttemptStatus::Failed);
    let error = attempt.error.unwrap();
    assert!(error.contains("is not the master secret's"), "{error}");
    assert!(
        error.contains(&format!("127.0.0.1:{}", master_server.port)),
        "{error}"
    );
    assert!(!app_server.saw_password(MASTER_PASSWORD));
    assert!(!app_server.saw_user("admin"));
    assert!(master_server.logins().is_empty());
}

#[test]
fn ssl_true_never_logs_in_to_a_server_without_tls_and_no_ssl_setting_falls_back() {
    let server = FakePostgres::start(&["app"]);
    let r = rig(server.port, server.port);
    let client = RotationClient {
        vault: &r.vault,
        caller: r.operator.clone(),
        acting_for: None,
    };
    let config = DatabaseConfig {
        engine: Engine::Postgres,
        strategy: Strategy::SingleUser,
        password: PasswordRules::default(),
    };
    // testSecret logs in with the AWSPENDING value: one per `ssl` setting.
    let test_with = |ssl: Option<bool>, password: &str| {
        let mut value = db_secret(server.port, "app", password);
        if let Some(ssl) = ssl {
            value["ssl"] = ssl.into();
        }
        let token = random::uuid();
        r.vault
            .put_secret_value(
                &r.operator,
                PutSecretValueRequest {
                    secret_id: r.app_arn.clone(),
                    client_request_token: Some(token.clone()),
                    secret_string: Some(SecretText::new(value.to_string())),
                    secret_binary: None,
                    version_stages: Some(vec!["AWSPENDING".into()]),
                    rotation_token: None,
                },
            )
            .unwrap();
        let event = StepEvent {
            secret_id: r.app_arn.clone(),
            client_request_token: token,
            step: Step::TestSecret,
        };
        // The fake server runs no statement: the step fails either way; what it was sent
        // is the point.
        let e = run_step(&client, &event, &config).unwrap_err();
        assert!(!e.to_string().contains(password), "{e}");
        let logins = server.logins();
        logins.last().cloned().unwrap()
    };
    let required = test_with(Some(true), "Required-Pa55");
    assert!(required.asked_for_tls);
    assert_eq!(required.password, None, "a password went out without TLS");
    let preferred = test_with(None, "Preferred-Pa55");
    assert!(preferred.asked_for_tls);
    assert_eq!(preferred.password.as_deref(), Some("Preferred-Pa55"));
    let disabled = test_with(Some(false), "Disabled-Pa55");
    assert!(!disabled.asked_for_tls);
    assert_eq!(disabled.password.as_deref(), Some("Disabled-Pa55"));
    assert!(!server.saw_password("Required-Pa55"));
}
