//! `coffer inject`: a template's CloudFormation dynamic references
//! (`{{resolve:secretsmanager:secret-id:SecretString:json-key:version-stage:version-id}}`,
//! every part after the id optional, the id a name or a full ARN) resolved into an
//! owner-only file written whole; a reference that does not resolve is an error naming it.

use std::io::Write;
use std::process::Stdio;

use coffer_tests::TestVault;

const PASSWORD: &str = "pw-MARKER-2b7e";

fn vault() -> (TestVault, String, String) {
    let v = TestVault::init();
    let made = v.json(&[
        "create-secret",
        "--name",
        "prod/db",
        "--secret-string",
        r#"{"username":"app","password":"old-pw","port":5432}"#,
    ]);
    let first = made["VersionId"].as_str().unwrap().to_string();
    let arn = made["ARN"].as_str().unwrap().to_string();
    v.json(&[
        "put-secret-value",
        "--secret-id",
        "prod/db",
        "--secret-string",
        &format!(r#"{{"username":"app","password":"{PASSWORD}","port":5432}}"#),
    ]);
    v.json(&[
        "create-secret",
        "--name",
        "api/token",
        "--secret-string",
        "tok-1",
    ]);
    (v, first, arn)
}

#[test]
fn inject_resolves_every_reference_form_into_an_owner_only_file() {
    let (v, first, arn) = vault();
    let template = format!(
        "whole: {{{{resolve:secretsmanager:api/token}}}}\n\
         kind: {{{{resolve:secretsmanager:api/token:SecretString}}}}\n\
         key: {{{{resolve:secretsmanager:prod/db:SecretString:password}}}}\n\
         key-no-kind: {{{{resolve:secretsmanager:prod/db::password}}}}\n\
         number: {{{{resolve:secretsmanager:prod/db:SecretString:port}}}}\n\
         stage: {{{{resolve:secretsmanager:prod/db:SecretString:password:AWSPREVIOUS}}}}\n\
         stage-whole: {{{{resolve:secretsmanager:api/token:SecretString::AWSCURRENT}}}}\n\
         version: {{{{resolve:secretsmanager:prod/db:SecretString:password::{first}}}}}\n\
         arn: {{{{resolve:secretsmanager:{arn}:SecretString:username}}}}\n\
         arn-whole: {{{{resolve:secretsmanager:{arn}}}}}\n\
         untouched: {{{{not a reference}}}} ${{HOME}}\n"
    );
    let input = v.dir.path().join("app.yaml.tpl");
    std::fs::write(&input, &template).unwrap();
    let output = v.dir.path().join("app.yaml");
    let out = v.run(&[
        "inject",
        "-i",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    assert!(!String::from_utf8_lossy(&out.stderr).contains(PASSWORD));
    let current = format!(r#"{{"username":"app","password":"{PASSWORD}","port":5432}}"#);
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        format!(
            "whole: tok-1\n\
             kind: tok-1\n\
             key: {PASSWORD}\n\
             key-no-kind: {PASSWORD}\n\
             number: 5432\n\
             stage: old-pw\n\
             stage-whole: tok-1\n\
             version: old-pw\n\
             arn: app\n\
             arn-whole: {current}\n\
             untouched: {{{{not a reference}}}} ${{HOME}}\n"
        )
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&output).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");

    // From stdin to stdout.
    let mut child = v
        .cmd()
        .arg("inject")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"t={{resolve:secretsmanager:api/token}}")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, b"t=tok-1");
}

#[test]
fn a_reference_that_does_not_resolve_is_an_error_naming_it_and_writes_nothing() {
    let (v, _, _) = vault();
    let output = v.dir.path().join("out.env");
    std::fs::write(&output, "previous").unwrap();
    for (reference, why) in [
        (
            "{{resolve:secretsmanager:prod/db:SecretString:nokey}}",
            "no JSON key 'nokey'",
        ),
        (
            "{{resolve:secretsmanager:missing/secret}}",
            "ResourceNotFoundException",
        ),
        (
            "{{resolve:secretsmanager:prod/db:SecretString:password:NOSUCHSTAGE}}",
            "ResourceNotFoundException",
        ),
        (
            "{{resolve:secretsmanager:prod/db:SecretBinary}}",
            "SecretString is the only one",
        ),
        (
            "{{resolve:ssm:/app/param}}",
            "secretsmanager references only",
        ),
    ] {
        let input = v.dir.path().join("t.tpl");
        std::fs::write(
            &input,
            format!("ok={{{{resolve:secretsmanager:api/token}}}}\nx={reference}\n"),
        )
        .unwrap();
        let out = v.run(&[
            "inject",
            "-i",
            input.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{reference}");
        assert!(err.contains(reference), "{reference}: {err}");
        assert!(err.contains(why), "{reference}: {err}");
        assert!(!err.contains(PASSWORD));
        assert_eq!(std::fs::read_to_string(&output).unwrap(), "previous");
    }
    // Nothing half-written was left beside it.
    let names: Vec<String> = std::fs::read_dir(v.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".coffer-inject")),
        "{names:?}"
    );
}

/// A secret's author writes a reference into its value, hoping the template's reader gets
/// another secret's value through it: resolution is one pass over the template, so the value
/// lands as written.
#[test]
fn a_reference_inside_a_secrets_value_is_not_resolved() {
    let (v, _, _) = vault();
    v.json(&[
        "create-secret",
        "--name",
        "shared/notes",
        "--secret-string",
        "see {{resolve:secretsmanager:prod/db:SecretString:password}}",
    ]);
    let input = v.dir.path().join("notes.tpl");
    std::fs::write(&input, "notes: {{resolve:secretsmanager:shared/notes}}\n").unwrap();
    let output = v.dir.path().join("notes.txt");
    let out = v.run(&[
        "inject",
        "-i",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&output).unwrap();
    assert_eq!(
        written,
        "notes: see {{resolve:secretsmanager:prod/db:SecretString:password}}\n"
    );
    assert!(!written.contains(PASSWORD));
}
