//! `lambda` rotation functions: an external program given the Lambda event, as an unmodified
//! AWS rotation function expects — the event on stdin (and in `COFFER_ROTATION_EVENT`), a
//! loopback Secrets Manager endpoint in `SECRETS_MANAGER_ENDPOINT`, credentials that can do
//! only what this step of this rotation needs, and the region. Nothing else of Coffer's
//! environment reaches it (see [`program_env`]); at its timeout its whole process group is
//! killed and its credentials revoked; what it printed is redacted (see [`redact`]) before
//! it is cut to size and kept in the attempt's history.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::{StepEvent, StepOutput};
use crate::api::GetSecretValueRequest;
use crate::model::{AWSCURRENT, AWSPENDING, AWSPREVIOUS, MAX_VALUE_BYTES, SecretValue};
use crate::server::{Backend, serve};
use crate::vault::{Caller, Vault};
use crate::{Error, Result};

/// The most of a function's output kept in the attempt's history.
const OUTPUT_CAP: usize = 16 * 1024;

/// The most read of each of its streams: enough past [`OUTPUT_CAP`] that a value's longest
/// redacted form (hex: two characters a byte) starting inside the kept part is read whole,
/// so it is found before the output is cut.
const CAPTURE_CAP: usize = OUTPUT_CAP + 2 * MAX_VALUE_BYTES;

/// The `PATH` a rotation program gets: fixed, never Coffer's own, so that the environment
/// Coffer was started in does not choose which programs the function runs.
const PROGRAM_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// What one step gives its program besides the event.
struct StepEnv<'a> {
    endpoint: String,
    access_key_id: &'a str,
    secret_access_key: &'a str,
    region: &'a str,
    function_name: &'a str,
    event_json: &'a str,
    home: &'a Path,
}

/// The whole environment of a rotation program — Coffer's own is not passed on, so no
/// unlock material (`COFFER_PASSPHRASE`, `COFFER_REPLICA_PASSPHRASE`,
/// `COFFER_NEW_PASSPHRASE`), no AWS profile or credentials of the operator, and no variable
/// that changes how programs load (`LD_PRELOAD`, `PYTHONPATH`, …) ever reaches it. What it
/// gets, and why:
///
/// - `AWS_REGION`, `AWS_DEFAULT_REGION`: the vault's region, as Lambda sets them (SDKs
///   need a region).
/// - `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`: this step's temporary key, as Lambda
///   gives a function its role's credentials; it is revoked when the step ends. No
///   `AWS_SESSION_TOKEN`: the key needs none.
/// - `AWS_LAMBDA_FUNCTION_NAME`: the function's name, as Lambda sets it.
/// - `SECRETS_MANAGER_ENDPOINT`: the loopback endpoint, the variable AWS's rotation
///   templates read.
/// - `AWS_ENDPOINT_URL_SECRETS_MANAGER`: the same endpoint, for SDK clients made without
///   one (they would otherwise send the key to AWS).
/// - `COFFER_ROTATION_EVENT`: the event (also on stdin), for programs that are not
///   Lambda handlers.
/// - `PATH`: [`PROGRAM_PATH`].
/// - `HOME`: a new empty directory, removed after the step: nothing of the operator's
///   home (`~/.aws`, shell start-up files) is read, nothing written there persists.
/// - `LANG=C.UTF-8`, `TZ=UTC`: Lambda's locale and time zone.
fn program_env(step: &StepEnv<'_>) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_REGION", step.region.to_string()),
        ("AWS_DEFAULT_REGION", step.region.to_string()),
        ("AWS_ACCESS_KEY_ID", step.access_key_id.to_string()),
        ("AWS_SECRET_ACCESS_KEY", step.secret_access_key.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", step.function_name.to_string()),
        ("SECRETS_MANAGER_ENDPOINT", step.endpoint.clone()),
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", step.endpoint.clone()),
        ("COFFER_ROTATION_EVENT", step.event_json.to_string()),
        ("PATH", PROGRAM_PATH.to_string()),
        ("HOME", step.home.display().to_string()),
        ("LANG", "C.UTF-8".to_string()),
        ("TZ", "UTC".to_string()),
    ]
}

/// Runs one step: starts the loopback endpoint, runs the program, revokes the credentials
/// the moment it ends (or is ended), and stops the endpoint.
pub(crate) fn run(
    vault: &Arc<Vault>,
    caller: &Caller,
    event: &StepEvent,
    function_name: &str,
    command: &[String],
    timeout_seconds: u64,
) -> Result<StepOutput> {
    let (key_id, key_secret) = vault.issue_session_key(caller);
    let mut revoke = Revoke {
        vault,
        key_id: &key_id,
        reason: "the step ended",
    };
    let cannot =
        |e: std::io::Error| Error::internal(format!("cannot start the rotation endpoint: {e}"));
    let rt = crate::server::runtime().map_err(cannot)?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .map_err(cannot)?;
    let addr = listener.local_addr().map_err(cannot)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = rt.spawn(serve(listener, Backend::vault(vault.clone()), async move {
        let _ = stopped.await;
    }));
    let home = tempfile::Builder::new()
        .prefix("coffer-rotation-")
        .tempdir()
        .map_err(|e| Error::internal(format!("cannot make the rotation function's HOME: {e}")))?;
    let event_json = serde_json::to_string(event).expect("an event serializes");
    let env = program_env(&StepEnv {
        endpoint: format!("http://{addr}"),
        access_key_id: &key_id,
        secret_access_key: key_secret.expose(),
        region: &vault.info().region,
        function_name,
        event_json: &event_json,
        home: home.path(),
    });
    let result = run_program(
        command,
        &event_json,
        &env,
        Duration::from_secs(timeout_seconds),
    );
    if matches!(result, Ok(Ran { status: None, .. })) {
        revoke.reason = "the step timed out";
    }
    drop(revoke);
    // Requests under way get a moment to finish; a connection held open by a process that
    // left the group does not hold the step up (its key no longer signs anyway).
    let _ = stop.send(());
    let _ = rt.block_on(async { tokio::time::timeout(Duration::from_secs(1), server).await });
    rt.shutdown_background();
    drop(home);
    let ran = result?;
    // The values are read (audited) only when there is output to redact.
    let output = if ran.is_empty() {
        String::new()
    } else {
        let mut values = known_values(vault, caller, event);
        values.push(key_secret.expose().to_string());
        ran.redacted(&values)
    };
    let mut out = StepOutput::default();
    for line in output.lines().filter(|l| !l.trim().is_empty()) {
        out.note(line.to_string());
    }
    match ran.status {
        Some(0) => Ok(out),
        Some(code) => Err(Error::invalid_request(format!(
            "The rotation function exited with status {code} in {}{}",
            event.step.as_str(),
            output_tail(&out)
        ))),
        None => Err(Error::invalid_request(format!(
            "The rotation function timed out in {}: it did not finish within {timeout_seconds} s, and its process group was killed and its credentials revoked{}",
            event.step.as_str(),
            output_tail(&out)
        ))),
    }
}

/// The end of what the program printed (redacted), for the step's error: its last lines,
/// up to 2,000 characters, so that the history says why the step failed.
fn output_tail(out: &StepOutput) -> String {
    const MAX: usize = 2000;
    let mut tail: Vec<&str> = Vec::new();
    let mut len = 0;
    for line in out.log.iter().rev() {
        let l = line.trim();
        if len + l.len() > MAX {
            if tail.is_empty() {
                tail.push(
                    &l[l.len() - l.chars().rev().take(300).map(char::len_utf8).sum::<usize>()..],
                );
            }
            break;
        }
        len += l.len() + 3;
        tail.push(l);
    }
    if tail.is_empty() {
        return String::new();
    }
    tail.reverse();
    format!(": {}", tail.join(" | "))
}

/// Revokes the step's key when dropped, however the step ends.
struct Revoke<'a> {
    vault: &'a Vault,
    key_id: &'a str,
    reason: &'static str,
}

impl Drop for Revoke<'_> {
    fn drop(&mut self) {
        // The key is gone whatever happens to the audit event.
        let _ = self.vault.revoke_session_key(self.key_id, self.reason);
    }
}

/// What a program did: its exit code (`None`: ended at its timeout) and what it printed.
struct Ran {
    status: Option<i32>,
    stdout: Capture,
    stderr: Capture,
}

/// One output stream, read up to [`CAPTURE_CAP`] bytes.
#[derive(Default, Clone)]
struct Capture {
    bytes: Vec<u8>,
    /// The stream had more than was read.
    cut: bool,
}

impl Capture {
    /// The text with every form of `values` replaced, then (when the stream was cut) its
    /// last bytes that may hold the start of a value the cut split, so no part of one is
    /// left.
    fn redacted(&self, values: &[String]) -> String {
        let text = redact(&String::from_utf8_lossy(&self.bytes), values);
        if !self.cut {
            return text;
        }
        let longest = forms(values).first().map_or(0, String::len);
        let keep = text.len().saturating_sub(longest);
        text[..text.floor_char_boundary(keep)].to_string()
    }
}

impl Ran {
    fn is_empty(&self) -> bool {
        self.stdout.bytes.trim_ascii().is_empty() && self.stderr.bytes.trim_ascii().is_empty()
    }

    /// Stdout then stderr, redacted, then cut to [`OUTPUT_CAP`].
    fn redacted(&self, values: &[String]) -> String {
        let mut text = self.stdout.redacted(values);
        let err = self.stderr.redacted(values);
        if !err.is_empty() {
            text.push('\n');
            text.push_str(&err);
        }
        text.truncate(text.floor_char_boundary(OUTPUT_CAP));
        text
    }
}

/// Reads `r` into a shared capture on its own thread (so that a process that keeps the
/// stream open past the timeout holds up nothing), and says on `done` when it closed.
fn capture(r: Option<impl Read + Send + 'static>, done: mpsc::Sender<()>) -> Arc<Mutex<Capture>> {
    let shared = Arc::new(Mutex::new(Capture::default()));
    let into = shared.clone();
    std::thread::spawn(move || {
        if let Some(mut r) = r {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = r.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                let mut c = into.lock().unwrap_or_else(|p| p.into_inner());
                let room = CAPTURE_CAP - c.bytes.len();
                c.cut |= n > room;
                c.bytes.extend_from_slice(&chunk[..n.min(room)]);
            }
        }
        let _ = done.send(());
    });
    shared
}

/// Ends the program's whole process group (what it left running included) and reaps it.
fn end(child: &mut Child) {
    #[cfg(unix)]
    let _ = crate::process::kill_group(child.id());
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs the program in its own process group with exactly `env` and the event on stdin.
/// It is done when it has exited and closed its output (a child it left holding stdout
/// keeps it running); at `timeout` its group is killed and it returns at once.
fn run_program(
    command: &[String],
    stdin: &str,
    env: &[(&str, String)],
    timeout: Duration,
) -> Result<Ran> {
    let mut cmd = Command::new(&command[0]);
    cmd.args(&command[1..])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let deadline = Instant::now() + timeout;
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
    let (done, closed) = mpsc::channel();
    let out = capture(child.stdout.take(), done.clone());
    let err = capture(child.stderr.take(), done);
    let mut open_streams = 2;
    let mut status = None;
    let finished = loop {
        if status.is_none() {
            match child.try_wait() {
                Ok(Some(s)) => status = Some(s.code().unwrap_or(-1)),
                Ok(None) => {}
                Err(e) => {
                    end(&mut child);
                    return Err(Error::internal(format!(
                        "cannot wait for the rotation function: {e}"
                    )));
                }
            }
        }
        if status.is_some() && open_streams == 0 {
            break true;
        }
        let now = Instant::now();
        if now >= deadline {
            break false;
        }
        // Wakes when a stream closes; the exit is looked at every few milliseconds.
        match closed.recv_timeout((deadline - now).min(Duration::from_millis(20))) {
            Ok(()) => open_streams -= 1,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => open_streams = 0,
        }
    };
    // Whatever it left behind (a daemon, a sleeping child) ends with it.
    end(&mut child);
    let snapshot = |c: &Arc<Mutex<Capture>>| c.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Ok(Ran {
        status: if finished { status } else { None },
        stdout: snapshot(&out),
        stderr: snapshot(&err),
    })
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

/// What is looked for of each value: a program's output reaches the history only through
/// this. Covered: the value as is; reversed; JSON-escaped (a program printing JSON); hex
/// (either case); base64 and base64url at each of the three offsets a value can sit at
/// inside a longer encoded string (the part of the encoding that does not depend on its
/// neighbours). Not covered: any other transformation (rot13, a character at a time, XOR);
/// a program that reads a value can always hide it, which is why it gets no unlock material
/// and a key for its own secret only.
fn forms(values: &[String]) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let mut out = Vec::new();
    for v in values.iter().filter(|v| v.len() >= 4) {
        out.push(v.clone());
        out.push(v.chars().rev().collect());
        let json = serde_json::to_string(v).expect("a string serializes");
        out.push(json[1..json.len() - 1].to_string());
        let hex = crate::sigv4::hex(v.as_bytes());
        out.push(hex.to_ascii_uppercase());
        out.push(hex);
        for offset in 0..3 {
            let rest = v.as_bytes().get(offset..).unwrap_or_default();
            let whole = &rest[..rest.len() / 3 * 3];
            if whole.len() >= 6 {
                out.push(STANDARD_NO_PAD.encode(whole));
                out.push(URL_SAFE_NO_PAD.encode(whole));
            }
        }
    }
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    out.dedup();
    out
}

/// `text` with every form of every value replaced by `***`, longest first.
fn redact(text: &str, values: &[String]) -> String {
    let mut t = text.to_string();
    for f in forms(values) {
        if t.contains(f.as_str()) {
            t = t.replace(f.as_str(), "***");
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: (&str, &str) = ("PATH", PROGRAM_PATH);

    fn env(vars: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        vars.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    fn stdout(ran: &Ran) -> String {
        String::from_utf8_lossy(&ran.stdout.bytes).into_owned()
    }

    #[test]
    fn redact_replaces_every_known_value_longest_first() {
        let values = vec!["s3cret-password".to_string(), "s3cret".to_string()];
        assert_eq!(
            redact("got s3cret-password and s3cret", &values),
            "got *** and ***"
        );
    }

    #[test]
    fn a_value_printed_reversed_escaped_in_hex_or_in_base64_at_any_offset_is_redacted() {
        use base64::Engine;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE};
        let value = "pa\"ss/wo+rd?>-value-42";
        let values = vec![value.to_string()];
        let reversed: String = value.chars().rev().collect();
        let hex = crate::sigv4::hex(value.as_bytes());
        let mut printed = vec![
            value.to_string(),
            reversed.clone(),
            serde_json::json!({ "v": value }).to_string(),
            hex.clone(),
            hex.to_ascii_uppercase(),
        ];
        for prefix in ["", "x", "xy"] {
            let bytes = format!("{prefix}{value}!");
            printed.push(STANDARD.encode(&bytes));
            printed.push(URL_SAFE.encode(&bytes));
        }
        for p in printed {
            let out = redact(&format!("before {p} after"), &values);
            assert!(
                out.starts_with("before ") && out.contains("***"),
                "{p} -> {out}"
            );
            // What is left around the mark is at most the encoding's edges (a few characters).
            assert!(
                out.len() <= "before *** after".len() + 8,
                "{p} left too much: {out}"
            );
            assert!(
                !out.contains("value-42") && !out.contains("24-eulav"),
                "{out}"
            );
        }
    }

    #[test]
    fn a_value_the_capture_cut_split_leaves_no_part_behind() {
        let value = "split-secret-value-0123456789";
        let mut bytes = "log line\n".repeat(100).into_bytes();
        bytes.extend_from_slice(&value.as_bytes()[..15]);
        let cut = Capture { bytes, cut: true };
        let text = cut.redacted(&[value.to_string()]);
        assert!(!text.contains("split-"), "{text}");
        assert!(text.starts_with("log line\n"), "what comes before is kept");
        // A stream read whole keeps its end.
        let whole = Capture {
            bytes: b"done: split-se".to_vec(),
            cut: false,
        };
        assert_eq!(whole.redacted(&[value.to_string()]), "done: split-se");
    }

    #[test]
    fn output_is_redacted_before_it_is_cut_to_size() {
        let value = "x".repeat(40) + "-the-secret";
        // The value straddles the history's size limit.
        let mut out = "a".repeat(OUTPUT_CAP - 20);
        out.push_str(&value);
        let ran = Ran {
            status: Some(0),
            stdout: Capture {
                bytes: out.into_bytes(),
                cut: false,
            },
            stderr: Capture::default(),
        };
        let text = ran.redacted(std::slice::from_ref(&value));
        assert!(text.ends_with("***"), "{}", &text[text.len() - 30..]);
        assert!(!text.contains("xxxx"));
    }

    #[test]
    fn a_program_gets_exactly_the_environment_it_is_given() {
        let ran = run_program(
            &sh("env"),
            "",
            &env(&[PATH, ("ONLY", "this")]),
            Duration::from_secs(30),
        )
        .unwrap();
        let mut names: Vec<String> = stdout(&ran)
            .lines()
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.to_string()))
            .collect();
        names.sort();
        // `sh` adds its working directory (PWD), nothing else.
        names.retain(|n| n != "PWD");
        assert_eq!(names, ["ONLY", "PATH"], "{}", stdout(&ran));
    }

    #[test]
    fn a_rotation_program_is_given_no_unlock_material_and_a_fixed_path() {
        let home = tempfile::tempdir().unwrap();
        let vars = program_env(&StepEnv {
            endpoint: "http://127.0.0.1:1".into(),
            access_key_id: "ASIAEXAMPLE",
            secret_access_key: "temporary",
            region: "us-east-1",
            function_name: "f",
            event_json: "{}",
            home: home.path(),
        });
        let names: Vec<&str> = vars.iter().map(|(k, _)| *k).collect();
        assert!(
            names
                .iter()
                .all(|n| !n.starts_with("COFFER_") || *n == "COFFER_ROTATION_EVENT"),
            "{names:?}"
        );
        let get = |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("PATH"), Some(PROGRAM_PATH));
        assert_eq!(get("HOME"), home.path().to_str());
        assert_eq!(get("AWS_SESSION_TOKEN"), None);
    }

    #[test]
    fn a_program_that_runs_too_long_is_stopped_at_its_timeout() {
        let ran = run_program(
            &["sleep".into(), "30".into()],
            "",
            &env(&[PATH]),
            Duration::from_millis(200),
        )
        .unwrap();
        assert_eq!(ran.status, None);
    }

    #[test]
    fn a_program_that_leaves_a_child_holding_its_output_is_ended_with_it_at_the_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let started = Instant::now();
        let ran = run_program(
            &sh(&format!(
                "sleep 600 & echo $! > '{}'; echo started",
                pid_file.display()
            )),
            "",
            &env(&[PATH]),
            Duration::from_secs(1),
        )
        .unwrap();
        // The leader exited at once, but its child kept stdout open: not finished.
        assert_eq!(ran.status, None);
        assert!(stdout(&ran).contains("started"), "{}", stdout(&ran));
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "took {:?}",
            started.elapsed()
        );
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        crate::process::tests::wait_until_dead(pid.trim().parse().unwrap());
    }

    #[test]
    fn a_program_gets_the_event_on_stdin_and_its_output_is_kept() {
        let ran = run_program(
            &sh("cat; echo; echo \"$X\" >&2; exit 3"),
            "{\"Step\":\"createSecret\"}",
            &env(&[PATH, ("X", "from-env")]),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(ran.status, Some(3));
        let out = ran.redacted(&[]);
        assert!(out.contains("{\"Step\":\"createSecret\"}"), "{out}");
        assert!(out.contains("from-env"), "{out}");
    }
}
