//! Rotation end to end through the `coffer` binary: AWS's generic rotation template
//! (Python, boto3) rotating a secret through the engine's loopback endpoint, a function that
//! fails at each step, and the engine killed with SIGKILL inside each step — the old value
//! stays current and the retry finishes with the same version id.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use coffer_tests::{TestVault, test_python};
use serde_json::{Value, json};

fn template_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python/rotation")
}

const STEPS: [&str; 4] = ["createSecret", "setSecret", "testSecret", "finishSecret"];

/// A vault with AWS's template registered as the `lambda` function `template`, whose
/// faults come from `fault` (absent: no fault).
fn vault_with_template(fault: &Path) -> (TestVault, String) {
    let v = TestVault::init();
    let dir = template_dir();
    let f = v.json(&[
        "rotation",
        "create-function",
        "--name",
        "template",
        "--kind",
        "lambda",
        "--timeout-seconds",
        "120",
        "--",
        test_python().to_str().unwrap(),
        dir.join("invoke.py").to_str().unwrap(),
        dir.to_str().unwrap(),
        fault.to_str().unwrap(),
    ]);
    let arn = f["ARN"].as_str().unwrap().to_string();
    assert!(arn.starts_with("arn:aws:lambda:us-east-1:111122223333:function:template"));
    (v, arn)
}

fn value(v: &TestVault, id: &str, stage: &str) -> Value {
    v.json(&[
        "get-secret-value",
        "--secret-id",
        id,
        "--version-stage",
        stage,
    ])
}

fn history(v: &TestVault, id: &str) -> Vec<Value> {
    v.json(&["rotation", "history", "--secret-id", id])["Attempts"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn aws_generic_rotation_template_rotates_a_secret_through_the_loopback_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let (v, arn) = vault_with_template(&dir.path().join("no-fault.json"));
    v.json(&[
        "create-secret",
        "--name",
        "app/key",
        "--secret-string",
        "initial-value",
    ]);
    let r = v.json(&[
        "rotate-secret",
        "--secret-id",
        "app/key",
        "--rotation-lambda-arn",
        &arn,
        "--rotation-rules",
        "AutomaticallyAfterDays=30",
    ]);
    let token = r["VersionId"].as_str().unwrap().to_string();
    let current = value(&v, "app/key", "AWSCURRENT");
    assert_eq!(current["VersionId"], token.as_str());
    let new_value = current["SecretString"].as_str().unwrap().to_string();
    assert_eq!(new_value.len(), 32, "GetRandomPassword's default length");
    assert_eq!(
        value(&v, "app/key", "AWSPREVIOUS")["SecretString"],
        "initial-value"
    );
    let d = v.json(&["describe-secret", "--secret-id", "app/key"]);
    assert_eq!(d["RotationEnabled"], true);
    assert_eq!(d["RotationLambdaARN"], arn.as_str());
    assert!(d["LastRotatedDate"].is_string() && d["NextRotationDate"].is_string());
    assert_eq!(d["VersionIdsToStages"][&token], json!(["AWSCURRENT"]));

    let h = history(&v, "app/key");
    assert_eq!(h.len(), 1);
    assert_eq!(h[0]["Status"], "Succeeded");
    let steps: Vec<&str> = h[0]["Steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, STEPS);
    // The function's own log lines are kept; values never are.
    let text = h[0].to_string();
    assert!(
        text.contains("finishSecret: Successfully set AWSCURRENT"),
        "{text}"
    );
    assert!(!text.contains(&new_value) && !text.contains("initial-value"));

    // The function's calls came through the endpoint as the rotation's principal.
    let events = v.json(&["audit", "list", "--secret-id", "app/key"]);
    let puts: Vec<&Value> = events["Events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["EventName"] == "PutSecretValue")
        .collect();
    assert_eq!(puts.len(), 1, "{events}");
    assert_eq!(
        puts[0]["Principal"],
        "arn:aws:sts::111122223333:assumed-role/coffer-rotation/template"
    );
    assert_eq!(puts[0]["FrontEnd"], "endpoint");
    assert_eq!(puts[0]["SourceIPAddress"], "127.0.0.1");
    assert!(!events.to_string().contains(&new_value));
}

#[test]
fn a_function_failing_at_each_step_leaves_the_old_value_current_and_the_retry_finishes_with_the_same_version()
 {
    let dir = tempfile::tempdir().unwrap();
    let fault = dir.path().join("fault.json");
    let (v, arn) = vault_with_template(&fault);
    for step in STEPS {
        let id = format!("fail/{step}");
        v.json(&[
            "create-secret",
            "--name",
            &id,
            "--secret-string",
            "old-value",
        ]);
        std::fs::write(&fault, json!({"step": step, "mode": "fail"}).to_string()).unwrap();
        let out = v.run(&[
            "rotate-secret",
            "--secret-id",
            &id,
            "--rotation-lambda-arn",
            &arn,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let token = serde_json::from_slice::<Value>(&out.stdout).unwrap()["VersionId"]
            .as_str()
            .unwrap()
            .to_string();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("failed") && err.contains(step), "{err}");
        assert_eq!(
            value(&v, &id, "AWSCURRENT")["SecretString"],
            "old-value",
            "{step}"
        );
        let h = history(&v, &id);
        assert_eq!(h[0]["Status"], "Failed");
        assert_eq!(h[0]["NextStep"], step);
        assert!(h[0]["Error"].as_str().unwrap().contains("injected failure"));
        // A new rotation is refused while this one is unfinished, as in AWS.
        let (_, code) = v.fails(&["rotate-secret", "--secret-id", &id]);
        assert_eq!(code, "InvalidRequestException");

        std::fs::remove_file(&fault).unwrap();
        let a = v.json(&["rotation", "retry", "--secret-id", &id]);
        assert_eq!(a["Token"], token.as_str());
        let h = history(&v, &id);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0]["Status"], "Succeeded", "{step}: {}", h[0]);
        assert_eq!(h[0]["Token"], token.as_str());
        assert_eq!(value(&v, &id, "AWSCURRENT")["VersionId"], token.as_str());
        assert_eq!(value(&v, &id, "AWSPREVIOUS")["SecretString"], "old-value");
    }
}

#[test]
fn the_engine_killed_inside_each_step_resumes_with_the_same_version() {
    let dir = tempfile::tempdir().unwrap();
    let fault = dir.path().join("fault.json");
    let marker = dir.path().join("inside-step");
    let (v, arn) = vault_with_template(&fault);
    for step in STEPS {
        let id = format!("kill/{step}");
        v.json(&[
            "create-secret",
            "--name",
            &id,
            "--secret-string",
            "old-value",
        ]);
        let _ = std::fs::remove_file(&marker);
        std::fs::write(
            &fault,
            json!({"step": step, "mode": "hang", "marker": marker}).to_string(),
        )
        .unwrap();
        let mut child = v
            .cmd()
            .args([
                "rotate-secret",
                "--secret-id",
                &id,
                "--rotation-lambda-arn",
                &arn,
            ])
            .env("COFFER_ROTATION_LEASE_SECONDS", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let started = Instant::now();
        // The function opens the marker file before it writes the token into it.
        let token = loop {
            if let Ok(t) = std::fs::read_to_string(&marker)
                && !t.is_empty()
            {
                break t;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the function never reached {step}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        // SIGKILL the engine and its function, inside the step (after its effect).
        let group = format!("-{}", child.id());
        let killed = std::process::Command::new("kill")
            .args(["-KILL", "--", &group])
            .status()
            .unwrap();
        assert!(killed.success());
        let _ = child.wait();
        if step != "finishSecret" {
            assert_eq!(
                value(&v, &id, "AWSCURRENT")["SecretString"],
                "old-value",
                "{step}"
            );
        }
        let h = history(&v, &id);
        assert_eq!(h[0]["Status"], "Running", "{step}");

        std::fs::remove_file(&fault).unwrap();
        // Once the dead process's lease has run out, another run takes the attempt over.
        std::thread::sleep(Duration::from_millis(1500));
        let out = v
            .cmd()
            .args(["rotate-due"])
            .env("COFFER_ROTATION_LEASE_SECONDS", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ran: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(ran["Attempts"][0]["Status"], "Succeeded", "{step}: {ran}");
        assert_eq!(ran["Attempts"][0]["Token"], token.as_str());
        let h = history(&v, &id);
        assert_eq!(h.len(), 1);
        let outcomes: Vec<&str> = h[0]["Steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Outcome"].as_str().unwrap())
            .collect();
        assert!(outcomes.contains(&"Interrupted"), "{step}: {outcomes:?}");
        assert_eq!(value(&v, &id, "AWSCURRENT")["VersionId"], token.as_str());
        assert_eq!(value(&v, &id, "AWSPREVIOUS")["SecretString"], "old-value");
    }
}
