//! `lambda` rotation functions: an external program given the Lambda event, as an unmodified
//! AWS rotation function expects — the event on stdin (and in `COFFER_ROTATION_EVENT`), a
//! loopback Secrets Manager endpoint in `SECRETS_MANAGER_ENDPOINT`, credentials that can do
//! only what this step of this rotation needs, and the region.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{StepEvent, StepOutput};
use crate::api::GetSecretValueRequest;
use crate::model::{AWSCURRENT, AWSPENDING, AWSPREVIOUS, SecretValue};
use crate::server::{Backend, serve};
use crate::vault::{Caller, Vault};
use crate::{Error, Result};

/// The most of a function's output kept in the attempt's history.
const OUTPUT_CAP: usize = 16 * 1024;

/// Runs one step: starts the loopback endpoint, runs the program, stops the endpoint and
/// revokes the credentials.
pub(crate) fn run(
    vault: &Arc<Vault>,
    caller: &Caller,
    event: &StepEvent,
    command: &[String],
    timeout_seconds: u64,
) -> Result<StepOutput> {
    let (key_id, key_secret) = vault.issue_session_key(caller);
    let revoke = Revoke(vault, &key_id);
    let rt = crate::server::runtime()
        .map_err(|e| Error::internal(format!("cannot start the rotation endpoint: {e}")))?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .map_err(|e| Error::internal(format!("cannot start the rotation endpoint: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::internal(format!("cannot start the rotation endpoint: {e}")))?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = rt.spawn(serve(listener, Backend::vault(vault.clone()), async move {
        let _ = stopped.await;
    }));
    let event_json = serde_json::to_string(event).expect("an event serializes");
    let region = vault.info().region.clone();
    let result = run_program(
        command,
        &event_json,
        &[
            ("SECRETS_MANAGER_ENDPOINT", format!("http://{addr}")),
            ("AWS_ACCESS_KEY_ID", key_id.clone()),
            ("AWS_SECRET_ACCESS_KEY", key_secret.expose().to_string()),
            ("AWS_REGION", region.clone()),
            ("AWS_DEFAULT_REGION", region),
            ("COFFER_ROTATION_EVENT", event_json.clone()),
        ],
        Duration::from_secs(timeout_seconds),
    );
    let _ = stop.send(());
    let _ = rt.block_on(server);
    drop(revoke);
    let (status, output) = result?;
    // The values are read (audited) only when there is output to redact.
    let output = if output.trim().is_empty() {
        output
    } else {
        redact(&output, &known_values(vault, caller, event))
    };
    let mut out = StepOutput::default();
    for line in output.lines().filter(|l| !l.trim().is_empty()) {
        out.note(line.to_string());
    }
    match status {
        Some(0) => Ok(out),
        Some(code) => Err(Error::invalid_request(format!(
            "The rotation function exited with status {code} in {}{}",
            event.step.as_str(),
            last_line(&out)
        ))),
        None => Err(Error::invalid_request(format!(
            "The rotation function did not finish {} within {timeout_seconds} s and was stopped{}",
            event.step.as_str(),
            last_line(&out)
        ))),
    }
}

fn last_line(out: &StepOutput) -> String {
    out.log
        .last()
        .map(|l| format!(": {}", l.chars().take(300).collect::<String>()))
        .unwrap_or_default()
}

struct Revoke<'a>(&'a Vault, &'a str);

impl Drop for Revoke<'_> {
    fn drop(&mut self) {
        self.0.revoke_session_key(self.1);
    }
}

/// Runs the program with the event on stdin; its exit code (`None`: killed at the timeout)
/// and its stdout and stderr, capped.
fn run_program(
    command: &[String],
    stdin: &str,
    env: &[(&str, String)],
    timeout: Duration,
) -> Result<(Option<i32>, String)> {
    let mut cmd = Command::new(&command[0]);
    cmd.args(&command[1..])
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().map_err(|e| {
        Error::invalid_request(format!(
            "The rotation function's program '{}' cannot start: {e}",
            command[0]
        ))
    })?;
    if let Some(mut i) = child.stdin.take() {
        // A program that does not read its stdin is fine.
        let _ = i.write_all(stdin.as_bytes());
    }
    let capture = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = r.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    if buf.len() < OUTPUT_CAP {
                        buf.extend_from_slice(&chunk[..n.min(OUTPUT_CAP - buf.len())]);
                    }
                }
            }
            buf
        })
    };
    let out = capture(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = capture(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s.code().unwrap_or(-1)),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                return Err(Error::internal(format!(
                    "cannot wait for the rotation function: {e}"
                )));
            }
        }
    };
    let mut text = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    let err = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    if !err.is_empty() {
        text.push('\n');
        text.push_str(&err);
    }
    Ok((status, text))
}

/// The secret's values as the step left them (current, pending, previous), and the string
/// leaves of JSON ones: what must not reach the history if the program printed it.
fn known_values(vault: &Vault, caller: &Caller, event: &StepEvent) -> Vec<String> {
    let mut out = Vec::new();
    for stage in [AWSCURRENT, AWSPENDING, AWSPREVIOUS] {
        let Ok(v) = vault.get_secret_value(
            caller,
            GetSecretValueRequest {
                secret_id: event.secret_id.clone(),
                version_id: None,
                version_stage: Some(stage.into()),
            },
        ) else {
            continue;
        };
        if let SecretValue::String(s) = &v.value {
            out.push(s.expose().to_string());
            if let Ok(j) = serde_json::from_str::<serde_json::Value>(s.expose()) {
                leaves(&j, &mut out);
            }
        }
    }
    out.retain(|s| s.len() >= 4);
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

fn leaves(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| leaves(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| leaves(x, out)),
        _ => {}
    }
}

fn redact(text: &str, values: &[String]) -> String {
    let mut t = text.to_string();
    for v in values {
        if t.contains(v.as_str()) {
            t = t.replace(v.as_str(), "***");
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_replaces_every_known_value_longest_first() {
        let values = vec!["s3cret-password".to_string(), "s3cret".to_string()];
        assert_eq!(
            redact("got s3cret-password and s3cret", &values),
            "got *** and ***"
        );
    }

    #[test]
    fn a_program_that_runs_too_long_is_stopped_at_its_timeout() {
        let (status, _) = run_program(
            &["sleep".into(), "30".into()],
            "",
            &[],
            Duration::from_millis(200),
        )
        .unwrap();
        assert_eq!(status, None);
    }

    #[test]
    fn a_program_gets_the_event_on_stdin_and_its_output_is_kept() {
        let (status, out) = run_program(
            &[
                "sh".into(),
                "-c".into(),
                "cat; echo; echo \"$X\" >&2; exit 3".into(),
            ],
            "{\"Step\":\"createSecret\"}",
            &[("X", "from-env".into())],
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(status, Some(3));
        assert!(out.contains("{\"Step\":\"createSecret\"}"), "{out}");
        assert!(out.contains("from-env"), "{out}");
    }
}
