//! What a `lambda` rotation program is given and how it is ended, written as the attacks:
//! a program that prints its whole environment reversed finds no passphrase to print, and a
//! program that leaves a child holding its output is ended with its whole process group at
//! its timeout, its access key refused by the endpoint from then on.

use std::time::{Duration, Instant};

use coffer_core::SecretText;
use coffer_core::sigv4::{Credentials, JsonRequest, sign_json_request};
use coffer_tests::{Server, TestVault};
use serde_json::{Value, json};

fn reversed(s: &str) -> String {
    s.chars().rev().collect()
}

fn lambda_function(v: &TestVault, name: &str, timeout: &str, script: &str) -> String {
    let f = v.json(&[
        "rotation",
        "create-function",
        "--name",
        name,
        "--kind",
        "lambda",
        "--timeout-seconds",
        timeout,
        "--",
        "sh",
        "-c",
        script,
    ]);
    f["ARN"].as_str().unwrap().to_string()
}

fn history(v: &TestVault, id: &str) -> Vec<Value> {
    v.json(&["rotation", "history", "--secret-id", id])["Attempts"]
        .as_array()
        .unwrap()
        .clone()
}

fn audit_events(v: &TestVault) -> Vec<Value> {
    v.json(&["audit", "list", "--limit", "500"])["Events"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_rotation_program_printing_its_whole_environment_reversed_leaves_no_passphrase_behind() {
    let v = TestVault::init();
    v.json(&[
        "create-secret",
        "--name",
        "app/key",
        "--secret-string",
        "initial-value",
    ]);
    let arn = lambda_function(
        &v,
        "envdump",
        "30",
        r#"env | awk '{ r = ""; for (i = length($0); i > 0; i--) r = r substr($0, i, 1); print r }'; exit 1"#,
    );
    let replica = "replica-passphrase-MARKER-3f1d";
    let new = "new-passphrase-MARKER-8a2c";
    let operator_only = "operator-environment-MARKER-77e0";
    let out = v
        .cmd()
        .env("COFFER_REPLICA_PASSPHRASE", replica)
        .env("COFFER_NEW_PASSPHRASE", new)
        .env("OPERATOR_ONLY", operator_only)
        .args([
            "rotate-secret",
            "--secret-id",
            "app/key",
            "--rotation-lambda-arn",
            &arn,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let h = history(&v, "app/key");
    assert_eq!(h[0]["Status"], "Failed", "{}", h[0]);
    let kept = h[0].to_string();
    // The program did print its environment, reversed, and it was kept…
    assert!(
        kept.contains(&reversed("SECRETS_MANAGER_ENDPOINT=http://127.0.0.1:")),
        "{kept}"
    );
    assert!(kept.contains(&reversed("PATH=/usr/local/bin:/usr/bin:/bin")));
    // …but it never had the passphrase, nor anything else of the operator's environment.
    let audit = serde_json::to_string(&audit_events(&v)).unwrap();
    let export = v.dir.path().join("trail.json");
    v.json(&["audit", "export", "--out", export.to_str().unwrap()]);
    let export = std::fs::read_to_string(&export).unwrap();
    for text in [&kept, &audit, &export] {
        for material in [v.passphrase.as_str(), replica, new, operator_only] {
            assert!(!text.contains(material), "{material} reached the records");
            assert!(
                !text.contains(&reversed(material)),
                "{material} reversed reached the records"
            );
        }
        assert!(!text.contains(&reversed("COFFER_PASSPHRASE")));
    }
}

/// A SigV4-signed ListSecrets to `url` with the key pair: the HTTP status and the body.
fn list_secrets(url: &str, key_id: &str, secret: &str) -> (u16, String) {
    let host = url.strip_prefix("http://").unwrap();
    let body = b"{}";
    let headers = sign_json_request(
        &JsonRequest {
            host,
            path: "/",
            target: "secretsmanager.ListSecrets",
            body,
            region: "us-east-1",
            service: "secretsmanager",
            time: jiff::Timestamp::now(),
        },
        &Credentials {
            access_key_id: key_id.to_string(),
            secret_access_key: SecretText::new(secret.to_string()),
            session_token: None,
        },
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut req = agent.post(url);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    let mut resp = req.send(&body[..]).unwrap();
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().unwrap_or_default())
}

/// Whether the process `pid` runs (a zombie waiting for its reaper does not).
fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|(_, r)| r.trim_start().to_string()))
        .is_some_and(|r| !r.starts_with('Z') && !r.starts_with('X'))
}

#[test]
fn a_rotation_program_that_leaves_a_child_holding_stdout_is_ended_at_its_timeout_and_its_key_stops_signing()
 {
    let v = TestVault::init();
    let dir = v.dir.path();
    v.json(&[
        "create-secret",
        "--name",
        "app/key",
        "--secret-string",
        "initial-value",
    ]);
    let creds = dir.join("creds");
    let child = dir.join("child");
    // Keeps its credentials, leaves a child holding stdout, and exits at once.
    let arn = lambda_function(
        &v,
        "lingers",
        "2",
        &format!(
            r#"echo "$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY" > '{creds}.tmp' && mv '{creds}.tmp' '{creds}'; sleep 600 & echo $! > '{child}'; echo started"#,
            creds = creds.display(),
            child = child.display()
        ),
    );
    // An IAM user asks the running server to rotate; its scheduler runs the program, so
    // the program's key is one the server would honour while the step lasts.
    v.json(&["iam", "create-user", "--user-name", "ops"]);
    v.json(&[
        "iam",
        "attach-user-policy",
        "--user-name",
        "ops",
        "--policy-arn",
        "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
    ]);
    let k = v.json(&["iam", "create-access-key", "--user-name", "ops"]);
    let ops_key = k["AccessKey"]["AccessKeyId"].as_str().unwrap().to_string();
    let ops_secret = k["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    let mut cmd = v.cmd();
    cmd.args(["serve", "--listen", "127.0.0.1:0"]);
    let server = Server::coffer(cmd, dir.join("serve.log"));
    // A raw request carries the token the SDKs fill in: AWS refuses a write without one.
    let rotate = json!({
        "SecretId": "app/key",
        "RotationLambdaARN": arn,
        "ClientRequestToken": "4f0b3c9e-rotation-program-timeout-test",
    })
    .to_string();
    let host = server.url.strip_prefix("http://").unwrap().to_string();
    let headers = sign_json_request(
        &JsonRequest {
            host: &host,
            path: "/",
            target: "secretsmanager.RotateSecret",
            body: rotate.as_bytes(),
            region: "us-east-1",
            service: "secretsmanager",
            time: jiff::Timestamp::now(),
        },
        &Credentials {
            access_key_id: ops_key.clone(),
            secret_access_key: SecretText::new(ops_secret.clone()),
            session_token: None,
        },
    );
    let mut req = ureq::post(&server.url);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    req.send(rotate.as_bytes())
        .expect("RotateSecret is accepted");

    // The scheduler runs it within its period; the step ends at the timeout, not when the
    // child that holds stdout ends (in 600 s).
    let started = Instant::now();
    let attempt = loop {
        let h = history(&v, "app/key");
        if h.first().is_some_and(|a| a["Status"] == "Failed") {
            break h[0].clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the attempt did not end: {h:?}\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let step = &attempt["Steps"][0];
    assert_eq!(step["Step"], "createSecret", "{attempt}");
    assert!(
        step["Error"].as_str().unwrap().contains("timed out"),
        "{attempt}"
    );
    let ms = step["DurationMs"].as_i64().unwrap();
    assert!(ms < 3000, "the step took {ms} ms with a 2 s timeout");
    assert!(
        step["Error"].as_str().unwrap().ends_with(": started"),
        "what it printed is in the error: {attempt}"
    );

    // The child it left went with its group.
    let pid = std::fs::read_to_string(&child).unwrap();
    let pid = pid.trim();
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) {
        assert!(
            Instant::now() < deadline,
            "the child {pid} outlived the step"
        );
        std::thread::yield_now();
    }

    // Its key signs nothing any more, on the server that ran it; the same request signed
    // with a live key goes through.
    let leaked = std::fs::read_to_string(&creds).unwrap();
    let (key_id, key_secret) = leaked.trim().split_once(' ').unwrap();
    assert!(key_id.starts_with("ASIA"), "{key_id}");
    let (status, body) = list_secrets(&server.url, key_id, key_secret);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("UnrecognizedClientException"), "{body}");
    let (status, body) = list_secrets(&server.url, &ops_key, &ops_secret);
    assert_eq!(status, 200, "{body}");

    // The revocation is in the audit trail, with why.
    let revoked: Vec<Value> = audit_events(&v)
        .into_iter()
        .filter(|e| e["EventName"] == "RevokeRotationCredentials")
        .collect();
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(revoked[0]["RequestParameters"]["accessKeyId"], key_id);
    assert_eq!(
        revoked[0]["RequestParameters"]["reason"],
        "the step timed out"
    );
    drop(server);
}
