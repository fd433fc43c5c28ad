//! The database rotation functions against real servers: PostgreSQL and MariaDB on loopback,
//! which `scripts/test` starts and names in `COFFER_TEST_POSTGRES` and `COFFER_TEST_MYSQL`
//! (an admin login, used as the master user), and which take logins over TLS only. A test
//! whose server setting is missing fails: none of these tests skips.
//!
//! Most tests call the steps directly, each rotation starting at createSecret, whose
//! PutSecretValue with the token creates the version; the `through_the_engine` tests run a
//! stored function from RotateSecret, where the engine creates the token's AWSPENDING version
//! (no value) before createSecret, as AWS does. Each test makes its own users.
//!
//! **Why this file is long:** one scenario per database engine and step, sharing the server
//! fixtures at the top; split by engine, the two halves would each need the whole fixture.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use coffer_core::api::{
    CreateSecretRequest, GetSecretValueRequest, PutSecretValueRequest, SecretIdRequest,
};
use coffer_core::rotation::database::{DatabaseConfig, Engine, PasswordRules, Strategy, run_step};
use coffer_core::rotation::{RotationClient, Step, StepEvent, StepOutput};
use coffer_core::{Caller, ErrorCode, FrontEnd, SecretText, SecretValue, Vault};
use coffer_core::{Passphrase, random};
use coffer_tests::TestVault;
use serde_json::{Value, json};
use tokio::runtime::Runtime;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A login on one of the test servers.
#[derive(Clone)]
struct Login {
    engine: Engine,
    host: String,
    port: u16,
    user: String,
    password: String,
    dbname: Option<String>,
}

impl Login {
    /// The login a secret's JSON describes.
    fn from_secret(engine: Engine, v: &Value) -> Self {
        Self {
            engine,
            host: v["host"].as_str().unwrap().into(),
            port: v["port"].as_u64().unwrap() as u16,
            user: v["username"].as_str().unwrap().into(),
            password: v["password"].as_str().unwrap().into(),
            dbname: v["dbname"].as_str().map(str::to_string),
        }
    }

    /// Logs in over TLS and runs `sql` (one statement, no rows needed).
    fn run(&self, rt: &Runtime, sql: &str) -> Result<(), String> {
        self.run_over(rt, sql, true)
    }

    /// Logs in, over TLS or without it, and runs `sql`.
    fn run_over(&self, rt: &Runtime, sql: &str, tls: bool) -> Result<(), String> {
        rt.block_on(async {
            match self.engine {
                Engine::Postgres => {
                    let mut cfg = tokio_postgres::Config::new();
                    cfg.host(&self.host)
                        .port(self.port)
                        .user(&self.user)
                        .password(&self.password)
                        .connect_timeout(Duration::from_secs(5))
                        .ssl_mode(if tls {
                            tokio_postgres::config::SslMode::Require
                        } else {
                            tokio_postgres::config::SslMode::Disable
                        });
                    if let Some(db) = &self.dbname {
                        cfg.dbname(db);
                    }
                    let config =
                        coffer_core::testing::tls_client_config(None).map_err(|e| e.to_string())?;
                    let (client, conn) = cfg
                        .connect(tokio_postgres_rustls::MakeRustlsConnect::new(config))
                        .await
                        .map_err(|e| e.to_string())?;
                    let task = tokio::spawn(conn);
                    let r = client.batch_execute(sql).await.map_err(|e| e.to_string());
                    drop(client);
                    let _ = task.await;
                    r
                }
                Engine::Mysql => {
                    use mysql_async::prelude::Queryable;
                    let opts = mysql_async::OptsBuilder::default()
                        .ip_or_hostname(self.host.as_str())
                        .tcp_port(self.port)
                        .user(Some(self.user.as_str()))
                        .pass(Some(self.password.as_str()))
                        .db_name(self.dbname.as_deref())
                        .prefer_socket(false)
                        .ssl_opts(tls.then(|| {
                            mysql_async::SslOpts::default().with_danger_accept_invalid_certs(true)
                        }));
                    let mut conn = mysql_async::Conn::new(opts)
                        .await
                        .map_err(|e| e.to_string())?;
                    let r = conn.query_drop(sql).await.map_err(|e| e.to_string());
                    let _ = conn.disconnect().await;
                    r
                }
            }
        })
    }

    fn logs_in(&self, rt: &Runtime) -> Result<(), String> {
        self.run(rt, "SELECT 1")
    }
}

/// The server named by the test environment, or a loud failure.
fn admin(engine: Engine) -> Login {
    let var = match engine {
        Engine::Postgres => "COFFER_TEST_POSTGRES",
        Engine::Mysql => "COFFER_TEST_MYSQL",
    };
    let url = std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: the database rotation tests need a real server \
             (scripts/test starts PostgreSQL and MariaDB on loopback and sets it)"
        )
    });
    match engine {
        Engine::Postgres => {
            let cfg: tokio_postgres::Config = url.parse().expect("COFFER_TEST_POSTGRES URL");
            let host = match &cfg.get_hosts()[0] {
                tokio_postgres::config::Host::Tcp(h) => h.clone(),
                other => panic!("COFFER_TEST_POSTGRES must name a TCP host, not {other:?}"),
            };
            Login {
                engine,
                host,
                port: cfg.get_ports().first().copied().unwrap_or(5432),
                user: cfg
                    .get_user()
                    .expect("a user in COFFER_TEST_POSTGRES")
                    .into(),
                password: String::from_utf8(cfg.get_password().expect("a password").to_vec())
                    .unwrap(),
                dbname: Some(cfg.get_dbname().unwrap_or("postgres").into()),
            }
        }
        Engine::Mysql => {
            let opts = mysql_async::Opts::from_url(&url).expect("COFFER_TEST_MYSQL URL");
            Login {
                engine,
                host: opts.ip_or_hostname().into(),
                port: opts.tcp_port(),
                user: opts.user().expect("a user in COFFER_TEST_MYSQL").into(),
                password: opts.pass().expect("a password in COFFER_TEST_MYSQL").into(),
                dbname: None,
            }
        }
    }
}

/// A vault, a database user with a table it can read, and its secret; the user (and its
/// clone) and the table are dropped at the end.
struct Fixture {
    engine: Engine,
    admin: Login,
    rt: Runtime,
    user: String,
    table: String,
    dbname: String,
    _dir: TestVault,
    vault: Arc<Vault>,
    caller: Caller,
    name: String,
}

const FIRST_PASSWORD: &str = "Initial-Pa55word";

impl Fixture {
    fn new(engine: Engine, tag: &str) -> Self {
        let admin = admin(engine);
        let rt = runtime();
        // Unique per test and per run: tests run in parallel against the same servers.
        let user = format!("c_{tag}_{}", random::hex(4));
        let (table, dbname) = match engine {
            Engine::Postgres => (format!("\"{user}_t\""), admin.dbname.clone().unwrap()),
            Engine::Mysql => ("t".to_string(), format!("{user}_db")),
        };
        let setup: Vec<String> = match engine {
            Engine::Postgres => vec![
                format!("CREATE ROLE \"{user}\" LOGIN PASSWORD '{FIRST_PASSWORD}'"),
                format!("CREATE TABLE {table} (x int)"),
                format!("GRANT SELECT ON {table} TO \"{user}\""),
            ],
            Engine::Mysql => vec![
                format!("CREATE USER '{user}'@'%' IDENTIFIED BY '{FIRST_PASSWORD}'"),
                format!("CREATE DATABASE `{dbname}`"),
                format!("CREATE TABLE `{dbname}`.t (x int)"),
                format!("GRANT SELECT ON `{dbname}`.* TO '{user}'@'%'"),
            ],
        };
        for sql in &setup {
            admin
                .run(&rt, sql)
                .unwrap_or_else(|e| panic!("test setup `{sql}` failed: {e}"));
        }
        let dir = TestVault::init();
        let vault = Vault::open(&dir.path, None, &Passphrase::new(dir.passphrase.clone()))
            .expect("open the test vault");
        let caller = vault.caller(FrontEnd::Internal);
        let secret_engine = match engine {
            Engine::Postgres => "postgres",
            Engine::Mysql => "mariadb",
        };
        let master = create_secret(
            &vault,
            &caller,
            &format!("{user}/master"),
            json!({
                "engine": secret_engine, "host": admin.host, "port": admin.port,
                "username": admin.user, "password": admin.password,
            }),
        );
        let name = format!("{user}/app");
        create_secret(
            &vault,
            &caller,
            &name,
            json!({
                "engine": secret_engine, "host": admin.host, "port": admin.port,
                "username": user, "password": FIRST_PASSWORD, "dbname": dbname,
                "masterarn": master,
            }),
        );
        Self {
            engine,
            admin,
            rt,
            user,
            table,
            dbname,
            _dir: dir,
            vault: Arc::new(vault),
            caller,
            name,
        }
    }

    fn client(&self) -> RotationClient<'_> {
        RotationClient {
            vault: &self.vault,
            caller: self.caller.clone(),
            acting_for: Some(self.caller.clone()),
        }
    }

    fn config(&self, strategy: Strategy) -> DatabaseConfig {
        DatabaseConfig {
            engine: self.engine,
            strategy,
            password: PasswordRules::default(),
        }
    }

    fn step(&self, token: &str, step: Step, config: &DatabaseConfig) -> StepOutput {
        let event = StepEvent {
            secret_id: self.name.clone(),
            client_request_token: token.to_string(),
            step,
        };
        run_step(&self.client(), &event, config)
            .unwrap_or_else(|e| panic!("{} failed: {e}", step.as_str()))
    }

    /// (version id, value) of the version with `stage` (and `version_id`, if given).
    fn value(&self, stage: &str, version_id: Option<&str>) -> (String, Value) {
        read_value(&self.vault, &self.caller, &self.name, stage, version_id)
    }

    /// Puts `value` as the AWSPENDING version under the token `t`, as createSecret would.
    fn put_pending(&self, t: &str, value: &Value) {
        self.vault
            .put_secret_value(
                &self.caller,
                PutSecretValueRequest {
                    secret_id: self.name.clone(),
                    client_request_token: Some(t.to_string()),
                    secret_string: Some(SecretText::new(value.to_string())),
                    secret_binary: None,
                    version_stages: Some(vec!["AWSPENDING".into()]),
                    rotation_token: None,
                },
            )
            .unwrap();
    }

    fn login(&self, stage: &str) -> Login {
        Login::from_secret(self.engine, &self.value(stage, None).1)
    }

    /// What `login` can read: the table the original user was granted.
    fn reads_table(&self, login: &Login) -> Result<(), String> {
        login.run(&self.rt, &format!("SELECT count(*) FROM {}", self.table))
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let user = &self.user;
        let cleanup: Vec<String> = match self.engine {
            Engine::Postgres => vec![
                format!("DROP TABLE IF EXISTS {}", self.table),
                format!("DROP ROLE IF EXISTS \"{user}_clone\""),
                format!("DROP ROLE IF EXISTS \"{user}\""),
            ],
            Engine::Mysql => vec![
                format!("DROP USER IF EXISTS '{user}'@'%', '{user}_clone'@'%'"),
                format!("DROP DATABASE IF EXISTS `{}`", self.dbname),
            ],
        };
        for sql in &cleanup {
            let _ = self.admin.run(&self.rt, sql);
        }
    }
}

fn create_secret(vault: &Vault, caller: &Caller, name: &str, value: Value) -> String {
    vault
        .create_secret(
            caller,
            CreateSecretRequest {
                name: name.into(),
                secret_string: Some(SecretText::new(value.to_string())),
                ..Default::default()
            },
        )
        .expect("create secret")
        .arn
}

fn read_value(
    vault: &Vault,
    caller: &Caller,
    name: &str,
    stage: &str,
    version_id: Option<&str>,
) -> (String, Value) {
    let r = vault
        .get_secret_value(
            caller,
            GetSecretValueRequest {
                secret_id: name.into(),
                version_id: version_id.map(str::to_string),
                version_stage: Some(stage.into()),
            },
        )
        .unwrap_or_else(|e| panic!("get {stage}: {e}"));
    let SecretValue::String(text) = &r.value else {
        panic!("binary value")
    };
    (
        r.version_id.clone(),
        serde_json::from_str(text.expose()).unwrap(),
    )
}

fn token() -> String {
    random::uuid()
}

/// No step writes a password into the attempt's history.
fn assert_no_password(out: &StepOutput, passwords: &[&str]) {
    for line in &out.log {
        for p in passwords {
            assert!(!line.contains(p), "a step's log holds a password: {line}");
        }
    }
}

fn log_says(out: &StepOutput, needle: &str) -> bool {
    out.log.iter().any(|l| l.contains(needle))
}

/// Single user: each step run twice (a retry changes nothing), then a second rotation
/// straight through, whose window between setSecret and finishSecret is measured while a
/// reader keeps logging in with AWSCURRENT.
fn single_user(engine: Engine, tag: &str) {
    let f = Fixture::new(engine, tag);
    let config = f.config(Strategy::SingleUser);
    let (first_id, first) = f.value("AWSCURRENT", None);

    let t1 = token();
    let created = f.step(&t1, Step::CreateSecret, &config);
    let (pending_id, pending) = f.value("AWSPENDING", Some(&t1));
    assert_eq!(pending_id, t1, "the new version's id is the token");
    assert_eq!(pending["username"], first["username"]);
    let new_password = pending["password"].as_str().unwrap().to_string();
    assert_eq!(new_password.len(), 32);
    assert!(!new_password.contains(['/', '@', '"', '\'', '\\']));
    let again = f.step(&t1, Step::CreateSecret, &config);
    assert!(log_says(&again, "nothing to do"), "{:?}", again.log);
    assert_eq!(
        f.value("AWSPENDING", Some(&t1)).1["password"],
        new_password,
        "a retried createSecret keeps the value"
    );

    let set = f.step(&t1, Step::SetSecret, &config);
    assert!(log_says(&set, "set the user's password"), "{:?}", set.log);
    let set_again = f.step(&t1, Step::SetSecret, &config);
    assert!(
        log_says(&set_again, "already logs in"),
        "a retried setSecret changes no password: {:?}",
        set_again.log
    );
    let tested = f.step(&t1, Step::TestSecret, &config);
    f.step(&t1, Step::TestSecret, &config);
    let finished = f.step(&t1, Step::FinishSecret, &config);
    let finished_again = f.step(&t1, Step::FinishSecret, &config);
    assert!(log_says(&finished_again, "already AWSCURRENT"));
    for out in [&created, &again, &set, &set_again, &tested, &finished] {
        assert_no_password(out, &[FIRST_PASSWORD, &new_password]);
    }

    let (current_id, current) = f.value("AWSCURRENT", None);
    assert_eq!(current_id, t1);
    assert_eq!(current["password"], new_password);
    let (previous_id, previous) = f.value("AWSPREVIOUS", None);
    assert_eq!(previous_id, first_id);
    assert_eq!(previous, first, "AWSPREVIOUS holds the previous value");
    f.login("AWSCURRENT")
        .logs_in(&f.rt)
        .expect("AWSCURRENT logs in");
    assert!(
        f.login("AWSPREVIOUS").logs_in(&f.rt).is_err(),
        "the old password no longer logs in"
    );

    // A second rotation, straight through, with a reader on AWSCURRENT.
    let t2 = token();
    let stop = AtomicBool::new(false);
    let (reads, failures, window) = std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let rt = runtime();
            let (mut reads, mut failures) = (0usize, 0usize);
            while !stop.load(Ordering::Relaxed) {
                let login = Login::from_secret(engine, &f.value("AWSCURRENT", None).1);
                reads += 1;
                if login.logs_in(&rt).is_err() {
                    failures += 1;
                }
            }
            (reads, failures)
        });
        f.step(&t2, Step::CreateSecret, &config);
        let before_set = Instant::now();
        f.step(&t2, Step::SetSecret, &config);
        let after_set = Instant::now();
        f.step(&t2, Step::TestSecret, &config);
        f.step(&t2, Step::FinishSecret, &config);
        let after_finish = Instant::now();
        std::thread::sleep(Duration::from_millis(50));
        stop.store(true, Ordering::Relaxed);
        let (reads, failures) = reader.join().unwrap();
        (
            reads,
            failures,
            (after_finish - after_set, after_finish - before_set),
        )
    });
    println!(
        "{} single-user window: {:.1} ms from setSecret's password change to finishSecret's \
         AWSCURRENT move (at most {:.1} ms counting all of setSecret); a reader saw {failures} \
         failing AWSCURRENT logins in {reads}",
        engine.as_str(),
        window.0.as_secs_f64() * 1e3,
        window.1.as_secs_f64() * 1e3,
    );
    assert_eq!(f.value("AWSCURRENT", None).0, t2);
    assert_eq!(f.value("AWSPREVIOUS", None).0, t1);
    f.login("AWSCURRENT")
        .logs_in(&f.rt)
        .expect("AWSCURRENT logs in after the second rotation");
    assert!(f.login("AWSPREVIOUS").logs_in(&f.rt).is_err());
}

/// Alternating users: two rotations (user → user_clone → user), each step run twice, while
/// a reader keeps logging in with AWSCURRENT and must never fail.
fn alternating_users(engine: Engine, tag: &str) {
    let f = Fixture::new(engine, tag);
    let config = f.config(Strategy::AlternatingUsers);
    let stop = AtomicBool::new(false);
    let reads = AtomicUsize::new(0);
    // Waits until the reader has logged in at least once more: every phase of the
    // rotation is seen by the reader.
    let read_once_more = || {
        let n = reads.load(Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(20);
        while reads.load(Ordering::SeqCst) <= n {
            assert!(Instant::now() < deadline, "the reader stalled");
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let rt = runtime();
            let mut failures = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let (vid, v) = f.value("AWSCURRENT", None);
                let login = Login::from_secret(engine, &v);
                if let Err(e) = login.logs_in(&rt) {
                    failures.push(format!("{vid} ({}): {e}", login.user));
                }
                reads.fetch_add(1, Ordering::SeqCst);
            }
            failures
        });
        read_once_more();
        let users = [format!("{}_clone", f.user), f.user.clone()];
        let mut previous_id = f.value("AWSCURRENT", None).0;
        for expected_user in &users {
            let t = token();
            let mut pending_password = None;
            for step in Step::ALL {
                let out = f.step(&t, step, &config);
                read_once_more();
                let p = pending_password.get_or_insert_with(|| {
                    let (_, pending) = f.value("AWSPENDING", Some(&t));
                    pending["password"].as_str().unwrap().to_string()
                });
                let retry = f.step(&t, step, &config);
                read_once_more();
                assert!(
                    log_says(&retry, "nothing to do") || step == Step::TestSecret,
                    "a retried {} did nothing more: {:?}",
                    step.as_str(),
                    retry.log
                );
                assert_no_password(&out, &[FIRST_PASSWORD, p]);
                assert_no_password(&retry, &[FIRST_PASSWORD, p]);
            }
            let (current_id, current) = f.value("AWSCURRENT", None);
            assert_eq!(current_id, t);
            assert_eq!(current["username"], expected_user.as_str());
            assert_eq!(f.value("AWSPREVIOUS", None).0, previous_id);
            let current_login = f.login("AWSCURRENT");
            current_login.logs_in(&f.rt).expect("AWSCURRENT logs in");
            f.reads_table(&current_login)
                .expect("the other user has the user's grants");
            f.login("AWSPREVIOUS")
                .logs_in(&f.rt)
                .expect("with alternating users AWSPREVIOUS still logs in");
            previous_id = t;
        }
        // The first password of the original user was replaced by the second rotation.
        let mut old = f.login("AWSCURRENT");
        old.password = FIRST_PASSWORD.into();
        assert!(old.logs_in(&f.rt).is_err(), "the first password is retired");
        stop.store(true, Ordering::SeqCst);
        let failures = reader.join().unwrap();
        let n = reads.load(Ordering::SeqCst);
        println!(
            "{} alternating users: {n} AWSCURRENT logins during two rotations, {} failed",
            engine.as_str(),
            failures.len()
        );
        assert!(
            failures.is_empty(),
            "a reader got an AWSCURRENT credential that failed: {failures:?}"
        );
    });
}

/// A pending password with quotes, backslashes and dollar-quoting reaches the server literally.
fn awkward_password(engine: Engine, tag: &str) {
    let f = Fixture::new(engine, tag);
    let config = f.config(Strategy::SingleUser);
    let t = token();
    let (_, mut value) = f.value("AWSCURRENT", None);
    let awkward = r#"it's a "q" \ back\\slash \' $$;-- `x` ünï"#;
    value["password"] = awkward.into();
    f.put_pending(&t, &value);
    for step in Step::ALL {
        let out = f.step(&t, step, &config);
        assert_no_password(&out, &[awkward]);
    }
    let login = f.login("AWSCURRENT");
    assert_eq!(login.password, awkward);
    login
        .logs_in(&f.rt)
        .expect("the awkward password was set exactly");
}

/// The servers take TLS logins only, so every test here shows the rotators use TLS; the
/// same login (a pending version with the current password) is refused by them with
/// `"ssl": false` and taken with `"ssl": true`.
fn tls_only(engine: Engine, tag: &str) {
    let f = Fixture::new(engine, tag);
    f.admin.logs_in(&f.rt).expect("a TLS login");
    let plain = f.admin.run_over(&f.rt, "SELECT 1", false);
    assert!(
        plain.is_err(),
        "the test server took a login without TLS: run scripts/test to set it up"
    );
    let config = f.config(Strategy::SingleUser);
    let (_, mut value) = f.value("AWSCURRENT", None);
    for (ssl, logs_in) in [(false, false), (true, true)] {
        value["ssl"] = ssl.into();
        let t = token();
        f.put_pending(&t, &value);
        let event = StepEvent {
            secret_id: f.name.clone(),
            client_request_token: t,
            step: Step::TestSecret,
        };
        match run_step(&f.client(), &event, &config) {
            Ok(_) => assert!(logs_in, "a login with \"ssl\": {ssl} was taken"),
            Err(e) => {
                assert!(!logs_in, "a login with \"ssl\": {ssl} failed: {e}");
                assert!(e.message.contains("Unable to log into"), "{e}");
                assert!(!e.message.contains(FIRST_PASSWORD));
            }
        }
    }
}

#[test]
fn postgres_takes_only_tls_logins_and_the_rotator_follows_the_secrets_ssl() {
    tls_only(Engine::Postgres, "pt");
}

#[test]
fn mariadb_takes_only_tls_logins_and_the_rotator_follows_the_secrets_ssl() {
    tls_only(Engine::Mysql, "mt");
}

#[test]
fn postgres_single_user_rotation_moves_awscurrent_and_retires_the_old_password() {
    single_user(Engine::Postgres, "ps");
}

#[test]
fn mariadb_single_user_rotation_moves_awscurrent_and_retires_the_old_password() {
    single_user(Engine::Mysql, "ms");
}

#[test]
fn postgres_alternating_users_never_hand_a_reader_a_failing_credential() {
    alternating_users(Engine::Postgres, "pa");
}

#[test]
fn mariadb_alternating_users_never_hand_a_reader_a_failing_credential() {
    alternating_users(Engine::Mysql, "ma");
}

#[test]
fn postgres_takes_a_password_with_quotes_and_backslashes_literally() {
    awkward_password(Engine::Postgres, "pq");
}

#[test]
fn mariadb_takes_a_password_with_quotes_and_backslashes_literally() {
    awkward_password(Engine::Mysql, "mq");
}

#[test]
fn a_secret_for_another_engine_is_refused_without_echoing_its_password() {
    let dir = TestVault::init();
    let vault = Vault::open(&dir.path, None, &Passphrase::new(dir.passphrase.clone())).unwrap();
    let caller = vault.caller(FrontEnd::Internal);
    create_secret(
        &vault,
        &caller,
        "pg/app",
        json!({"engine": "postgres", "host": "127.0.0.1", "username": "app", "password": "Zq9-secret"}),
    );
    create_secret(
        &vault,
        &caller,
        "pg/partial",
        json!({"engine": "mysql", "host": "127.0.0.1", "password": "Zq9-secret"}),
    );
    let client = RotationClient {
        vault: &vault,
        caller,
        acting_for: None,
    };
    let mysql = DatabaseConfig {
        engine: Engine::Mysql,
        strategy: Strategy::SingleUser,
        password: PasswordRules::default(),
    };
    for (secret, needle) in [
        ("pg/app", "Database engine must be set to"),
        ("pg/partial", "username key is missing"),
    ] {
        let event = StepEvent {
            secret_id: secret.into(),
            client_request_token: token(),
            step: Step::CreateSecret,
        };
        let e = run_step(&client, &event, &mysql).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidParameter, "{e}");
        assert!(e.message.contains(needle), "{e}");
        assert!(!e.to_string().contains("Zq9-secret"));
        // Nothing was created.
        let versions = vault
            .describe_secret(
                &client.caller,
                SecretIdRequest {
                    secret_id: secret.into(),
                },
            )
            .unwrap()
            .version_ids_to_stages;
        assert_eq!(versions.len(), 1);
    }
}

/// `coffer serve` calls steps from inside its runtime: the step's own runtime runs beside it.
#[test]
fn a_step_called_inside_a_tokio_runtime_runs_beside_it() {
    let f = Fixture::new(Engine::Postgres, "pr");
    let config = f.config(Strategy::SingleUser);
    let t = token();
    runtime().block_on(async {
        for step in Step::ALL {
            f.step(&t, step, &config);
        }
    });
    assert_eq!(f.value("AWSCURRENT", None).0, t);
    f.login("AWSCURRENT")
        .logs_in(&f.rt)
        .expect("AWSCURRENT logs in");
}

/// Through the engine: a stored database function, RotateSecret, and the engine's runner,
/// which creates the AWSPENDING version with no value before createSecret, as AWS does.
fn through_the_engine(engine: Engine, tag: &str) {
    use coffer_core::api::{RotateSecretRequest, RotationRules};
    use coffer_core::vault::rotation::{
        AttemptStatus, CreateRotationFunctionRequest, FunctionKind, Strategy as Kind,
    };
    let f = Fixture::new(engine, tag);
    let (first_id, _) = f.value("AWSCURRENT", None);
    let kind = match engine {
        Engine::Postgres => FunctionKind::Postgres {
            strategy: Kind::AlternatingUsers,
        },
        Engine::Mysql => FunctionKind::Mysql {
            strategy: Kind::AlternatingUsers,
        },
    };
    let function = f
        .vault
        .create_rotation_function(
            &f.caller,
            CreateRotationFunctionRequest {
                name: format!("{}-rotator", f.user),
                description: None,
                kind,
            },
        )
        .expect("create the rotation function");
    f.vault
        .rotate_secret(
            &f.caller,
            RotateSecretRequest {
                secret_id: f.name.clone(),
                client_request_token: None,
                rotation_lambda_arn: Some(function.arn.clone()),
                rotation_rules: Some(RotationRules {
                    automatically_after_days: Some(30),
                    ..Default::default()
                }),
                rotate_immediately: None,
                ..Default::default()
            },
        )
        .expect("RotateSecret");
    let ran = coffer_core::rotation::Engine::new()
        .run_due(&f.vault)
        .expect("run the due rotation");
    assert_eq!(ran.len(), 1);
    let attempt = &ran[0];
    assert_eq!(
        attempt.status,
        AttemptStatus::Succeeded,
        "the attempt failed: {:?}",
        attempt.error
    );
    let (current_id, current) = f.value("AWSCURRENT", None);
    assert_eq!(current_id, attempt.token);
    assert_eq!(current["username"], format!("{}_clone", f.user));
    assert_eq!(f.value("AWSPREVIOUS", None).0, first_id);
    f.login("AWSCURRENT")
        .logs_in(&f.rt)
        .expect("AWSCURRENT logs in");
    f.login("AWSPREVIOUS")
        .logs_in(&f.rt)
        .expect("AWSPREVIOUS still logs in");
}

#[test]
fn postgres_rotates_through_the_engine_from_the_version_it_precreates() {
    through_the_engine(Engine::Postgres, "pe");
}

#[test]
fn mariadb_rotates_through_the_engine_from_the_version_it_precreates() {
    through_the_engine(Engine::Mysql, "me");
}
