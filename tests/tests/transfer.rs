//! `coffer import` and `coffer export` end to end: `.env` and JSON files round-trip through
//! the vault, importing twice changes nothing the second time, a dry run writes nothing,
//! and no value reaches the output of import, an error or the audit trail.

use coffer_tests::TestVault;
use serde_json::{Value, json};

/// Values that need quoting: spaces, quotes, `#`, `=`, `$`, backslashes and newlines.
const ENV: &str = r#"# app settings
export DB_HOST=db.internal
DB_PASSWORD="p@ss word #1 = \"quoted\" \$HOME \\ end"
API_TOKEN='tok=abc#def'
MULTI_LINE="-----BEGIN KEY-----
line two
-----END KEY-----"
"#;

fn stdout(v: &TestVault, args: &[&str]) -> String {
    let out = v.run(args);
    assert!(
        out.status.success(),
        "coffer {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn parse_env(text: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = coffer_core::transfer::dotenv::parse(text)
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn an_env_file_imported_per_key_exports_back_to_the_same_variables() {
    let v = TestVault::init();
    let file = v.dir.path().join("app.env");
    std::fs::write(&file, ENV).unwrap();
    let f = file.to_str().unwrap();

    let dry = v.json(&[
        "import",
        "--from-env",
        f,
        "--name-prefix",
        "dev/app/",
        "--dry-run",
    ]);
    assert_eq!(dry["DryRun"], true);
    assert_eq!(dry["Created"].as_array().unwrap().len(), 4);
    let listed = v.json(&["list-secrets"]);
    assert!(
        listed["SecretList"].as_array().unwrap().is_empty(),
        "a dry run writes nothing"
    );

    let out = v.run(&["import", "--from-env", f, "--name-prefix", "dev/app/"]);
    assert!(out.status.success());
    let printed =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !printed.contains("p@ss") && !printed.contains("tok=abc"),
        "{printed}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["Created"],
        json!([
            "dev/app/DB_HOST",
            "dev/app/DB_PASSWORD",
            "dev/app/API_TOKEN",
            "dev/app/MULTI_LINE"
        ])
    );

    let ids = [
        "dev/app/DB_HOST",
        "dev/app/DB_PASSWORD",
        "dev/app/API_TOKEN",
        "dev/app/MULTI_LINE",
    ];
    let mut args = vec!["export", "--format", "dotenv", "--secret-id"];
    args.extend(ids);
    let exported = stdout(&v, &args);
    assert_eq!(parse_env(&exported), parse_env(ENV));

    // Importing again changes nothing: no new versions.
    let again = v.json(&["import", "--from-env", f, "--name-prefix", "dev/app/"]);
    assert_eq!(again["Unchanged"].as_array().unwrap().len(), 4);
    assert!(again["Created"].as_array().unwrap().is_empty());
    assert!(again["Updated"].as_array().unwrap().is_empty());
    let versions = v.json(&[
        "list-secret-version-ids",
        "--secret-id",
        "dev/app/DB_PASSWORD",
        "--include-deprecated",
    ]);
    assert_eq!(versions["Versions"].as_array().unwrap().len(), 1);

    // A changed value becomes the new AWSCURRENT version.
    std::fs::write(&file, ENV.replace("db.internal", "db2.internal")).unwrap();
    let dry = v.json(&[
        "import",
        "--from-env",
        f,
        "--name-prefix",
        "dev/app/",
        "--dry-run",
    ]);
    assert_eq!(dry["Updated"], json!(["dev/app/DB_HOST"]));
    let changed = v.json(&["import", "--from-env", f, "--name-prefix", "dev/app/"]);
    assert_eq!(changed["Updated"], json!(["dev/app/DB_HOST"]));
    let cur = v.json(&["get-secret-value", "--secret-id", "dev/app/DB_HOST"]);
    assert_eq!(cur["SecretString"], "db2.internal");
    let prev = v.json(&[
        "get-secret-value",
        "--secret-id",
        "dev/app/DB_HOST",
        "--version-stage",
        "AWSPREVIOUS",
    ]);
    assert_eq!(prev["SecretString"], "db.internal");

    // No value in the audit trail; the export was audited as reads.
    let trail = stdout(&v, &["audit", "export"]);
    assert!(!trail.contains("p@ss") && !trail.contains("tok=abc") && !trail.contains("BEGIN KEY"));
    let reads = v.json(&[
        "audit",
        "list",
        "--event-name",
        "GetSecretValue",
        "--secret-id",
        "dev/app/DB_PASSWORD",
    ]);
    assert!(!reads["Events"].as_array().unwrap().is_empty());
}

#[test]
fn an_env_file_imported_as_one_json_secret_exports_back_as_dotenv_json_and_yaml() {
    let v = TestVault::init();
    let file = v.dir.path().join("app.env");
    std::fs::write(&file, ENV).unwrap();
    let f = file.to_str().unwrap();
    let r = v.json(&["import", "--from-env", f, "--as-secret", "dev/app/env"]);
    assert_eq!(r["Created"], json!(["dev/app/env"]));
    let exported = stdout(
        &v,
        &["export", "--secret-id", "dev/app/env", "--format", "dotenv"],
    );
    assert_eq!(parse_env(&exported), parse_env(ENV));
    let as_json: Value = serde_json::from_str(&stdout(
        &v,
        &["export", "--secret-id", "dev/app/env", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(
        as_json["DB_PASSWORD"],
        r#"p@ss word #1 = "quoted" $HOME \ end"#
    );
    let yaml = stdout(
        &v,
        &["export", "--secret-id", "dev/app/env", "--format", "yaml"],
    );
    assert!(
        yaml.contains(r#""MULTI_LINE": "-----BEGIN KEY-----\nline two\n-----END KEY-----""#),
        "{yaml}"
    );
    let again = v.json(&["import", "--from-env", f, "--as-secret", "dev/app/env"]);
    assert_eq!(again["Unchanged"], json!(["dev/app/env"]));
}

#[test]
fn a_json_file_round_trips_per_key_and_as_one_secret() {
    let v = TestVault::init();
    let doc = json!({
        "username": "app",
        "password": "p w\"#=\n",
        "port": 5432,
        "options": {"ssl": true}
    });
    let file = v.dir.path().join("db.json");
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let f = file.to_str().unwrap();

    let whole = v.json(&["import", "--from-json", f, "--as-secret", "prod/db"]);
    assert_eq!(whole["Created"], json!(["prod/db"]));
    let back: Value = serde_json::from_str(&stdout(
        &v,
        &["export", "--secret-id", "prod/db", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(back, doc);
    // The same object written another way is the same value.
    std::fs::write(&file, doc.to_string()).unwrap();
    let again = v.json(&["import", "--from-json", f, "--as-secret", "prod/db"]);
    assert_eq!(again["Unchanged"], json!(["prod/db"]));

    let per_key = v.json(&["import", "--from-json", f, "--name-prefix", "prod/db/"]);
    assert_eq!(per_key["Created"].as_array().unwrap().len(), 4);
    let pass = v.json(&["get-secret-value", "--secret-id", "prod/db/password"]);
    assert_eq!(pass["SecretString"], "p w\"#=\n");
    let opts = v.json(&["get-secret-value", "--secret-id", "prod/db/options"]);
    assert_eq!(opts["SecretString"], r#"{"ssl":true}"#);
    let back: Value = serde_json::from_str(&stdout(
        &v,
        &[
            "export",
            "--format",
            "json",
            "--secret-id",
            "prod/db/username",
            "prod/db/password",
        ],
    ))
    .unwrap();
    assert_eq!(back, json!({"username": "app", "password": "p w\"#=\n"}));
    let again = v.json(&["import", "--from-json", f, "--name-prefix", "prod/db/"]);
    assert_eq!(again["Unchanged"].as_array().unwrap().len(), 4);
}

#[test]
fn a_malformed_file_is_refused_naming_the_line_and_never_the_value() {
    let v = TestVault::init();
    let file = v.dir.path().join("bad.env");
    std::fs::write(&file, "A=1\nB=\"hunter2-secret never closed\n").unwrap();
    let (code, err) = v.fails(&["import", "--from-env", file.to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (254, "InvalidParameterException"));
    let out = v.run(&["import", "--from-env", file.to_str().unwrap()]);
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("line 2") && !msg.contains("hunter2"), "{msg}");
    let no_secrets = || {
        v.json(&["list-secrets"])["SecretList"]
            .as_array()
            .unwrap()
            .is_empty()
    };
    assert!(no_secrets());
    // An empty value (Secrets Manager stores 1 to 65,536 bytes) is refused before any write.
    std::fs::write(&file, "A=1\nEMPTY=\n").unwrap();
    let out = v.run(&["import", "--from-env", file.to_str().unwrap()]);
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(
        msg.contains("Nothing was imported") && msg.contains("EMPTY"),
        "{msg}"
    );
    assert!(no_secrets());
}
