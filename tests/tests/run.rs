//! `coffer run`: secrets reach the child's environment and nowhere else — not coffer's
//! output, not the audit trail — and the child's exit code comes back.

use coffer_tests::TestVault;

const PASSWORD: &str = "pw-MARKER-7f3a";
const TOKEN: &str = "tok-MARKER-91bc";

fn vault() -> TestVault {
    let v = TestVault::init();
    let json = format!(r#"{{"user":"app","password":"{PASSWORD}","port":5432}}"#);
    v.json(&[
        "create-secret",
        "--name",
        "prod/app-db",
        "--secret-string",
        &json,
    ]);
    v.json(&[
        "create-secret",
        "--name",
        "api/token",
        "--secret-string",
        TOKEN,
    ]);
    v
}

/// A shell child that reports, without printing any value, whether each variable holds
/// what it should (by length and by comparison with a file the test wrote), then exits 7.
fn child_script(checks: &[(&str, &str)], dir: &std::path::Path) -> String {
    let mut s = String::new();
    for (var, expected) in checks {
        let f = dir.join(format!("{var}.expected"));
        std::fs::write(&f, expected).unwrap();
        s.push_str(&format!(
            r#"if [ "${{{var}}}" = "$(cat '{}')" ]; then echo "{var}=match len=${{#{var}}}"; else echo "{var}=differs"; fi; "#,
            f.display()
        ));
    }
    s.push_str("exit 7");
    s
}

fn no_values(text: &str) {
    assert!(!text.contains(PASSWORD), "a value leaked: {text}");
    assert!(!text.contains(TOKEN), "a value leaked: {text}");
}

#[test]
fn secrets_reach_the_child_only_and_its_exit_code_comes_back() {
    let v = vault();
    let script = child_script(
        &[
            ("APP_PASSWORD", PASSWORD),
            ("APP_USER", "app"),
            ("APP_PORT", "5432"),
            ("APP_TOKEN", TOKEN),
            ("MY_TOKEN", TOKEN),
        ],
        v.dir.path(),
    );
    let out = v.run(&[
        "run",
        "--secret-id",
        "prod/app-db",
        "--secret-id",
        "api/token",
        "--secret-id",
        "api/token=MY_TOKEN",
        "--prefix",
        "APP_",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(7), "{stdout}\n{stderr}");
    for line in [
        "APP_PASSWORD=match len=14",
        "APP_USER=match len=3",
        "APP_PORT=match len=4",
        "APP_TOKEN=match len=15",
        "MY_TOKEN=match len=15",
    ] {
        assert!(stdout.contains(line), "{line} missing from {stdout}");
    }
    no_values(&stdout);
    no_values(&stderr);

    // Each read is an audited GetSecretValue from the CLI, with no value in its details.
    let events = v.json(&["audit", "list", "--limit", "20"]);
    let reads: Vec<_> = events["Events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["EventName"] == "GetSecretValue")
        .collect();
    assert_eq!(reads.len(), 2, "one read per secret");
    assert!(reads.iter().all(|e| e["FrontEnd"] == "cli"));
    no_values(&events.to_string());
    let export = v.dir.path().join("trail.json");
    v.json(&["audit", "export", "--out", export.to_str().unwrap()]);
    no_values(&std::fs::read_to_string(&export).unwrap());
}

#[test]
fn env_files_pick_json_keys_and_whole_values() {
    let v = vault();
    let env = v.dir.path().join("app.env");
    std::fs::write(
        &env,
        "# for the app\nDB_PASS=prod/app-db#password\n\nexport API_TOKEN=api/token\n",
    )
    .unwrap();
    let script = child_script(&[("DB_PASS", PASSWORD), ("API_TOKEN", TOKEN)], v.dir.path());
    let out = v.run(&[
        "run",
        "--env-file",
        env.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        &script,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(7));
    assert!(stdout.contains("DB_PASS=match"), "{stdout}");
    assert!(stdout.contains("API_TOKEN=match"), "{stdout}");
    no_values(&stdout);
    no_values(&String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_missing_secret_or_key_stops_before_the_command_runs() {
    let v = vault();
    let marker = v.dir.path().join("ran");
    let touch = format!("touch '{}'", marker.display());
    let (code, err) = v.fails(&["run", "--secret-id", "nope", "--", "sh", "-c", &touch]);
    assert_eq!((code, err.as_str()), (254, "ResourceNotFoundException"));
    let env = v.dir.path().join("bad.env");
    std::fs::write(&env, "X=prod/app-db#nokey\n").unwrap();
    let out = v.run(&[
        "run",
        "--env-file",
        env.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        &touch,
    ]);
    assert!(!out.status.success());
    no_values(&String::from_utf8_lossy(&out.stderr));
    assert!(!marker.exists(), "the command ran");
    let out = v.run(&[
        "run",
        "--secret-id",
        "api/token",
        "--",
        "sh",
        "-c",
        "exit 0",
    ]);
    assert_eq!(out.status.code(), Some(0));
}

/// The names of the variables a `coffer run` child saw, from `env`'s output.
fn names(env_output: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(env_output)
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.to_string()))
        .collect()
}

#[test]
fn coffer_run_env_shows_no_coffer_variable_and_no_unlock_material() {
    let v = vault();
    let replica = "replica-passphrase-MARKER-51d0";
    let new = "new-passphrase-MARKER-0c9e";
    let out = v
        .cmd()
        .env("COFFER_REPLICA_PASSPHRASE", replica)
        .env("COFFER_NEW_PASSPHRASE", new)
        .args(["run", "--secret-id", "api/token", "--", "env"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = names(&out.stdout);
    assert!(
        seen.iter().any(|n| n == "TOKEN"),
        "the secret is there: {seen:?}"
    );
    assert!(
        seen.iter().all(|n| !n.starts_with("COFFER_")),
        "a COFFER_ variable reached the program: {seen:?}"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for material in [v.passphrase.as_str(), replica, new] {
        assert!(
            !text.contains(material),
            "unlock material reached the program"
        );
    }

    // Unlocked from a file instead: neither the passphrase nor the file's path is passed on.
    let file = v.dir.path().join("passphrase-file-MARKER");
    std::fs::write(&file, &v.passphrase).unwrap();
    let out = v
        .cmd()
        .env_remove("COFFER_PASSPHRASE")
        .arg("--passphrase-file")
        .arg(&file)
        .args(["run", "--secret-id", "api/token", "--", "env"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(&v.passphrase) && !text.contains("passphrase-file-MARKER"));
    assert!(names(&out.stdout).iter().all(|n| !n.starts_with("COFFER_")));
}

#[test]
fn a_secret_with_a_path_or_ld_preload_key_is_refused_unless_the_operator_maps_it() {
    let v = vault();
    // The attack: a PATH whose `sh` is the attacker's, an LD_PRELOAD of the attacker's library.
    let evil = v.dir.path().join("evil");
    std::fs::create_dir(&evil).unwrap();
    let pwned = v.dir.path().join("pwned");
    let fake_sh = evil.join("sh");
    std::fs::write(
        &fake_sh,
        format!("#!/bin/sh\ntouch '{}'\n", pwned.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake_sh, std::fs::Permissions::from_mode(0o755)).unwrap();
    let evil_path = evil.to_str().unwrap().to_string();
    v.json(&[
        "create-secret",
        "--name",
        "shared/path",
        "--secret-string",
        &serde_json::json!({ "PATH": evil_path, "user": "app" }).to_string(),
    ]);
    v.json(&[
        "create-secret",
        "--name",
        "shared/preload",
        "--secret-string",
        r#"{"LD_PRELOAD":"/nonexistent/evil.so"}"#,
    ]);
    let ran = v.dir.path().join("ran");
    let touch = format!("touch '{}'", ran.display());
    for secret in ["shared/path", "shared/preload"] {
        let out = v.run(&["run", "--secret-id", secret, "--", "sh", "-c", &touch]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{secret} was accepted");
        assert!(
            err.contains("may not choose") && err.contains(&format!("--secret-id '{secret}#")),
            "{err}"
        );
        assert!(!err.contains(&evil_path), "the value is not printed: {err}");
        assert!(
            !ran.exists() && !pwned.exists(),
            "a program ran for {secret}"
        );
    }
    // `--prefix` keeps such keys out of harm's way, so they are accepted then.
    let out = v.run(&[
        "run",
        "--secret-id",
        "shared/path",
        "--prefix",
        "APP_",
        "--",
        "sh",
        "-c",
        "exit 0",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!pwned.exists());

    // Mapped by the operator, the same keys go through (printed unmasked, to be compared).
    let out = v.run(&[
        "run",
        "--no-masking",
        "--secret-id",
        "shared/path#PATH=PATH",
        "--secret-id",
        "shared/preload#LD_PRELOAD=LD_PRELOAD",
        "--",
        "/bin/sh",
        "-c",
        "echo \"PATH=$PATH\"; echo \"LD_PRELOAD=$LD_PRELOAD\"",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("PATH={evil_path}\n")), "{stdout}");
    assert!(
        stdout.contains("LD_PRELOAD=/nonexistent/evil.so\n"),
        "{stdout}"
    );
}

#[test]
fn references_in_the_environment_reach_the_program_resolved() {
    let v = vault();
    let script = child_script(
        &[
            ("DB_PASSWORD", PASSWORD),
            ("DB_URL", &format!("postgres://app:{PASSWORD}@db/app")),
            ("API_TOKEN", TOKEN),
        ],
        v.dir.path(),
    );
    let out = v
        .cmd()
        .env(
            "DB_PASSWORD",
            "{{resolve:secretsmanager:prod/app-db:SecretString:password}}",
        )
        .env(
            "DB_URL",
            "postgres://app:{{resolve:secretsmanager:prod/app-db::password}}@db/app",
        )
        .env("API_TOKEN", "{{resolve:secretsmanager:api/token}}")
        .args(["run", "--", "sh", "-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(7), "{stdout}");
    for var in ["DB_PASSWORD", "DB_URL", "API_TOKEN"] {
        assert!(stdout.contains(&format!("{var}=match")), "{stdout}");
    }
    no_values(&stdout);

    // One that does not resolve stops the run before the program starts, naming it.
    let marker = v.dir.path().join("ran");
    let out = v
        .cmd()
        .env(
            "DB_PASSWORD",
            "{{resolve:secretsmanager:prod/app-db:SecretString:nokey}}",
        )
        .args(["run", "--", "touch", marker.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("DB_PASSWORD")
            && err.contains("{{resolve:secretsmanager:prod/app-db:SecretString:nokey}}"),
        "{err}"
    );
    assert!(!marker.exists(), "the program ran");
}

#[test]
fn a_program_that_prints_its_injected_password_shows_it_concealed() {
    let v = vault();
    let print = r#"echo "pw=$DB_PASSWORD"; echo "on stderr: $DB_PASSWORD" >&2"#;
    let out = v.run(&[
        "run",
        "--secret-id",
        "prod/app-db#password=DB_PASSWORD",
        "--",
        "sh",
        "-c",
        print,
    ]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "pw=<concealed by coffer>\n"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("on stderr: <concealed by coffer>\n"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Written in two pieces, with a pause between so that they arrive as two reads.
    let split = r#"half=${DB_PASSWORD%??????}; printf '%s' "pw=$half"; sleep 0.3; printf '%s\n' "${DB_PASSWORD#"$half"}""#;
    let out = v.run(&[
        "run",
        "--secret-id",
        "prod/app-db#password=DB_PASSWORD",
        "--",
        "sh",
        "-c",
        split,
    ]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "pw=<concealed by coffer>\n"
    );

    // --no-masking passes the program's output on as it is.
    let out = v.run(&[
        "run",
        "--no-masking",
        "--secret-id",
        "prod/app-db#password=DB_PASSWORD",
        "--",
        "sh",
        "-c",
        print,
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("pw={PASSWORD}\n")
    );
}
