//! `coffer unlock`: one passphrase a session. The agent answers later commands without it,
//! only for its own user, audited as front end `session`, and ends on `coffer lock`, at its
//! idle time, and when the vault file is replaced.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use coffer_tests::{Server, TestVault, coffer_bin};

/// A session started by `coffer unlock` in a runtime directory of the test's own; killed
/// when the test ends, however it ends.
struct Session<'a> {
    vault: &'a TestVault,
    runtime: tempfile::TempDir,
    pid: u32,
    socket: PathBuf,
}

impl<'a> Session<'a> {
    fn unlock(vault: &'a TestVault, extra: &[&str]) -> Self {
        let runtime = tempfile::tempdir().expect("tempdir");
        let out = vault
            .cmd()
            .arg("unlock")
            .args(extra)
            .env("XDG_RUNTIME_DIR", runtime.path())
            .stdin(Stdio::null())
            .output()
            .expect("run coffer unlock");
        assert!(
            out.status.success(),
            "coffer unlock failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(status["Started"], true, "{status}");
        Self {
            vault,
            runtime,
            pid: status["Pid"].as_u64().unwrap() as u32,
            socket: PathBuf::from(status["Socket"].as_str().unwrap()),
        }
    }

    /// `coffer ARGS` on the vault with no passphrase anywhere: not in the environment, no
    /// file, no terminal to ask on.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(coffer_bin())
            .args(args)
            .env("COFFER_VAULT", &self.vault.path)
            .env("XDG_RUNTIME_DIR", self.runtime.path())
            .env_remove("COFFER_PASSPHRASE")
            .env_remove("COFFER_OPERATOR")
            .stdin(Stdio::null())
            .output()
            .expect("run coffer")
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "coffer {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn agent_is_running(&self) -> bool {
        // Ended but not yet reaped (a zombie) counts as ended.
        std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).is_ok_and(|s| {
            s.rsplit_once(") ")
                .is_some_and(|(_, r)| !r.starts_with('Z'))
        })
    }

    /// Waits for the agent to end by itself; the bound only keeps a broken agent from
    /// hanging the test.
    fn wait_until_ended(&self) {
        let give_up = Instant::now() + Duration::from_secs(120);
        while self.socket.exists() || self.agent_is_running() {
            assert!(
                Instant::now() < give_up,
                "the session agent {} is still running",
                self.pid
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Asserts a command now needs the passphrase again.
    fn asks_for_the_passphrase(&self) {
        let out = self.run(&["list-secrets"]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no passphrase"), "{err}");
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if self.agent_is_running() {
            let _ = Command::new("kill").arg(self.pid.to_string()).status();
        }
    }
}

#[test]
fn two_commands_after_one_unlock_need_no_passphrase_and_are_audited_as_session() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    s.json(&[
        "create-secret",
        "--name",
        "app/db",
        "--secret-string",
        "s3cret-session-value",
    ]);
    let got = s.json(&["get-secret-value", "--secret-id", "app/db"]);
    assert_eq!(got["SecretString"], "s3cret-session-value");

    // A second `coffer unlock` finds the running session and asks for nothing.
    let again = s.json(&["unlock"]);
    assert_eq!(again["Started"], false);
    assert_eq!(again["Pid"], s.pid);

    let audit = v.json(&["audit", "list"]);
    let front_end_of = |name: &str| {
        audit["Events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["EventName"] == name)
            .map(|e| e["FrontEnd"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(front_end_of("CreateSecret"), ["session"], "{audit}");
    assert_eq!(front_end_of("GetSecretValue"), ["session"], "{audit}");
}

#[test]
fn a_failed_operation_in_the_session_reports_the_aws_error() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    let out = s.run(&["describe-secret", "--secret-id", "missing"]);
    assert_eq!(out.status.code(), Some(254));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "An error occurred (ResourceNotFoundException) when calling the DescribeSecret operation"
        ),
        "{err}"
    );
}

#[test]
fn the_agent_holds_no_passphrase_in_its_environment_or_command_line() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    let environ = std::fs::read(format!("/proc/{}/environ", s.pid)).unwrap();
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", s.pid)).unwrap();
    for (what, bytes) in [("environment", environ), ("command line", cmdline)] {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&v.passphrase),
            "the agent's {what} holds the passphrase"
        );
        assert!(
            !text.contains("COFFER_PASSPHRASE"),
            "the agent's {what} names COFFER_PASSPHRASE"
        );
    }
}

#[test]
fn coffer_lock_ends_the_session() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    s.json(&["list-secrets"]);
    let out = s.run(&["lock"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    s.wait_until_ended();
    s.asks_for_the_passphrase();
}

#[test]
fn the_session_ends_at_its_idle_timeout() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &["--idle", "1s"]);
    s.wait_until_ended();
    s.asks_for_the_passphrase();
}

#[test]
fn the_session_ends_when_the_vault_file_is_replaced() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    let copy = v.dir.path().join("copy.db");
    std::fs::copy(&v.path, &copy).unwrap();
    std::fs::rename(&copy, &v.path).unwrap();
    s.wait_until_ended();
    s.asks_for_the_passphrase();
}

/// A client of the session socket run as `user`: sends a GetSecretValue request shaped as
/// the CLI's and prints what came back, or the error connecting.
fn connect_as(user: &str, socket: &Path) -> String {
    let script = r#"
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect failed:", e.__class__.__name__)
    sys.exit(0)
req = {"Run": {"argv": ["coffer", "get-secret-value", "--secret-id", "app/db"], "cwd": "/", "operator": None}}
try:
    s.sendall((json.dumps(req) + "\n").encode())
except OSError:
    pass
print("answer:", s.makefile().readline())
"#;
    let out = Command::new("runuser")
        .args(["-u", user, "--", "/usr/bin/python3", "-c", script])
        .arg(socket)
        .output()
        .expect("run runuser");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The second Unix user the tests act as (made once; the tests run as root to make it).
fn second_user() -> &'static str {
    let uid = std::fs::metadata("/proc/self").map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid()
    });
    assert_eq!(
        uid.unwrap(),
        0,
        "this test makes a second Unix user (useradd) and acts as it: run it as root"
    );
    let user = "coffer-session-test";
    let exists = Command::new("id")
        .arg(user)
        .output()
        .unwrap()
        .status
        .success();
    if !exists {
        let made = Command::new("useradd")
            .args(["--no-create-home", "--shell", "/usr/sbin/nologin", user])
            .output()
            .unwrap();
        // Another test process may have made it meanwhile.
        assert!(
            made.status.success() || Command::new("id").arg(user).status().unwrap().success(),
            "useradd failed: {}",
            String::from_utf8_lossy(&made.stderr)
        );
    }
    user
}

#[test]
fn the_socket_refuses_another_user() {
    let user = second_user();
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    s.json(&[
        "create-secret",
        "--name",
        "app/db",
        "--secret-string",
        "s3cret-not-for-others",
    ]);

    // The runtime directory (0700) keeps the other user from reaching the socket at all.
    let dir = s.socket.parent().unwrap();
    let answer = connect_as(user, &s.socket);
    assert!(answer.contains("connect failed"), "{answer}");

    // With the files opened to everyone, the agent still refuses: the peer is not its user.
    chmod(s.runtime.path(), 0o711);
    chmod(dir, 0o711);
    chmod(&s.socket, 0o666);
    let answer = connect_as(user, &s.socket);
    chmod(&s.socket, 0o600);
    chmod(dir, 0o700);
    chmod(s.runtime.path(), 0o700);
    assert!(answer.contains("Refused"), "{answer}");
    assert!(!answer.contains("s3cret-not-for-others"), "{answer}");

    // Its own user is still served.
    let got = s.json(&["get-secret-value", "--secret-id", "app/db"]);
    assert_eq!(got["SecretString"], "s3cret-not-for-others");
}

#[test]
fn run_and_inject_read_through_the_session_without_a_passphrase() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    s.json(&[
        "create-secret",
        "--name",
        "prod/db",
        "--secret-string",
        r#"{"password":"pw-through-session"}"#,
    ]);

    let template = v.dir.path().join("app.conf.tmpl");
    let rendered = v.dir.path().join("app.conf");
    std::fs::write(
        &template,
        "password={{resolve:secretsmanager:prod/db:SecretString:password}}\n",
    )
    .unwrap();
    let out = s.run(&[
        "inject",
        "-i",
        template.to_str().unwrap(),
        "-o",
        rendered.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&rendered).unwrap(),
        "password=pw-through-session\n"
    );

    let out = s.run(&[
        "run",
        "--secret-id",
        "prod/db",
        "--",
        "sh",
        "-c",
        r#"[ "$PASSWORD" = pw-through-session ] && echo match"#,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "match");

    let audit = v.json(&["audit", "list"]);
    let reads: Vec<_> = audit["Events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["EventName"] == "GetSecretValue")
        .map(|e| e["FrontEnd"].as_str().unwrap())
        .collect();
    assert_eq!(reads, ["session", "session"], "{audit}");
}

#[test]
fn a_wrong_passphrase_starts_no_session() {
    let v = TestVault::init();
    let runtime = tempfile::tempdir().expect("tempdir");
    let out = v
        .cmd()
        .arg("unlock")
        .env("COFFER_PASSPHRASE", "not the passphrase")
        .env("XDG_RUNTIME_DIR", runtime.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(253));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot unlock the vault (AccessDeniedException)"),
        "{err}"
    );
    let sockets = std::fs::read_dir(runtime.path().join("coffer"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(
        sockets, 0,
        "a socket was left for a vault that did not unlock"
    );
}

/// Someone who can write where the sockets go (a shared /tmp) plants the directory first:
/// open to others, or a link to a directory of theirs. `coffer unlock` refuses to put a
/// session there, and starts no agent.
#[test]
fn a_planted_or_open_runtime_directory_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let v = TestVault::init();
    let open = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(open.path().join("coffer")).unwrap();
    std::fs::set_permissions(
        open.path().join("coffer"),
        std::fs::Permissions::from_mode(0o777),
    )
    .unwrap();
    let linked = tempfile::tempdir().expect("tempdir");
    let theirs = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(theirs.path(), linked.path().join("coffer")).unwrap();
    for runtime in [&open, &linked] {
        let out = v
            .cmd()
            .arg("unlock")
            .env("XDG_RUNTIME_DIR", runtime.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "unlock used {:?}", runtime.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is not a directory only this user"), "{err}");
        assert_eq!(
            std::fs::read_dir(theirs.path()).unwrap().count(),
            0,
            "nothing was put in the planted directory"
        );
        assert_eq!(
            std::fs::read_dir(open.path().join("coffer"))
                .unwrap()
                .count(),
            0,
            "nothing was put in the open directory"
        );
    }
}

/// `coffer running` in the session's runtime directory: (front end, pid, address) of each.
fn running(s: &Session) -> Vec<(String, u32, String)> {
    let got = s.json(&["running"]);
    got["Running"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["FrontEnd"].as_str().unwrap().to_string(),
                r["Pid"].as_u64().unwrap() as u32,
                r["Address"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `coffer serve --agent` on the vault, announcing itself in the session's runtime directory;
/// (the server, the agent's address).
fn serve(s: &Session, token: &str) -> (Server, String) {
    let mut cmd = s.vault.cmd();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--agent", "127.0.0.1:0"])
        .env("XDG_RUNTIME_DIR", s.runtime.path())
        .env("AWS_TOKEN", token)
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    let server = Server::coffer(cmd, s.vault.dir.path().join("serve.log"));
    let give_up = Instant::now() + Duration::from_secs(60);
    let agent = loop {
        if let Some(a) = server
            .stdout_after_first_line()
            .lines()
            .find_map(|l| l.strip_prefix("Agent listening on http://"))
        {
            break a.trim().to_string();
        }
        assert!(Instant::now() < give_up, "no agent: {}", server.log());
        std::thread::sleep(Duration::from_millis(50));
    };
    (server, agent)
}

/// Waits until `coffer running` lists only these front ends; the bound only keeps a broken
/// build from hanging the test.
fn wait_for_running(s: &Session, front_ends: &[&str]) -> Vec<(String, u32, String)> {
    let give_up = Instant::now() + Duration::from_secs(60);
    loop {
        let now = running(s);
        if now.iter().map(|r| r.0.as_str()).collect::<Vec<_>>() == front_ends {
            return now;
        }
        assert!(Instant::now() < give_up, "running: {now:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_session_and_the_endpoints_are_seen_while_they_run_and_not_after() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    assert_eq!(
        running(&s),
        [("session".to_string(), s.pid, s.socket.display().to_string())]
    );

    let token = "ssrf-token-never-written-9d2e";
    let (server, agent) = serve(&s, token);
    let now = wait_for_running(&s, &["session", "endpoint", "agent"]);
    assert_eq!(now[1].2, server.url);
    assert_eq!(now[2].2, agent);
    let serve_pid = now[1].1;

    // The announcements are the user's own 0600 files and carry no token.
    let dir = s.socket.parent().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "running") {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", path.display());
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.contains(token), "{text}");
        }
    }

    // Killed outright, the server cannot take its announcement down: it is not believed.
    let killed = Command::new("kill")
        .args(["-KILL", &serve_pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    wait_for_running(&s, &["session"]);
    drop(server);

    s.run(&["lock"]);
    s.wait_until_ended();
    assert_eq!(running(&s), []);
}

#[test]
fn an_announcement_another_user_owns_is_not_believed() {
    use std::os::unix::fs::PermissionsExt;
    let user = second_user();
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    let session_file = std::fs::read_dir(s.socket.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "running"))
        .expect("the session's announcement");
    // A live announcement of an endpoint on the same vault (its lock held, here by the test),
    // in a file that belongs to another user: what a planted one would look like.
    let name = session_file.file_name().unwrap().to_str().unwrap();
    let planted = session_file.with_file_name(name.replace(".session.", ".endpoint."));
    std::fs::write(
        &planted,
        r#"{"frontEnd":"endpoint","pid":1,"address":"http://127.0.0.1:4566","operator":"admin","startedMs":99999999999999}"#,
    )
    .unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o600)).unwrap();
    let held = std::fs::File::open(&planted).unwrap();
    held.lock().unwrap();
    let chown = |owner: &str| {
        let ok = Command::new("chown")
            .arg(owner)
            .arg(&planted)
            .status()
            .unwrap();
        assert!(ok.success());
    };
    chown(user);
    let fronts: Vec<_> = running(&s).into_iter().map(|r| r.0).collect();
    assert_eq!(fronts, ["session"]);
    // The same file as this user's own is believed: only its owner kept it out.
    chown("root");
    let fronts: Vec<_> = running(&s).into_iter().map(|r| r.0).collect();
    assert_eq!(fronts, ["session", "endpoint"]);
    drop(held);
}

/// The desktop console as the desktop app holds it, for `v`'s vault, never unlocked here.
fn desktop_console(v: &TestVault) -> coffer_console::Console {
    coffer_console::Console::new(coffer_console::Desktop::new(v.path.clone(), 300))
}

fn first_page() -> serde_json::Value {
    let query = coffer_console::dto::SecretQuery {
        limit: 50,
        ..Default::default()
    };
    serde_json::json!({ "query": query })
}

#[test]
fn the_desktop_opens_through_the_session_without_a_passphrase_and_its_writes_are_the_sessions() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    s.json(&[
        "create-secret",
        "--name",
        "app/db",
        "--secret-string",
        "first-value",
    ]);
    let console = desktop_console(&v);
    console
        .attach(s.socket.clone())
        .expect("attach to the session");
    let status = console.status();
    assert!(status.through_session, "{status:?}");
    assert_eq!(status.session.as_ref().unwrap().operator, "admin");
    // The keys stayed in the agent: the desktop's own vault was never unlocked.
    assert!(console.local().status().session.is_none());

    let page = console.call("query_secrets", first_page()).unwrap();
    assert_eq!(page["Total"], 1, "{page}");
    let arn = page["Rows"][0]["ARN"].as_str().unwrap().to_string();
    assert_eq!(page["Rows"][0]["Name"], "app/db");

    let done = console
        .call(
            "put_value",
            serde_json::json!({ "arn": arn, "value": "written-by-the-desktop" }),
        )
        .unwrap();
    assert!(
        done["message"].as_str().unwrap().contains("app/db"),
        "{done}"
    );
    let current = s.json(&["get-secret-value", "--secret-id", "app/db"]);
    assert_eq!(current["SecretString"], "written-by-the-desktop");
    // A copy's text comes back to the desktop process, which sets its clipboard.
    let detail = console
        .call("secret_detail", serde_json::json!({ "arn": arn }))
        .unwrap();
    let version = detail["Versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["VersionStages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l == "AWSCURRENT")
        })
        .unwrap()["VersionId"]
        .clone();
    let text = console
        .call(
            "copy_text",
            serde_json::json!({ "arn": arn, "version_id": version, "key": null }),
        )
        .unwrap();
    assert_eq!(text, "written-by-the-desktop");

    let audit = v.json(&["audit", "list"]);
    let puts: Vec<_> = audit["Events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["EventName"] == "PutSecretValue")
        .map(|e| {
            (
                e["FrontEnd"].as_str().unwrap(),
                e["Principal"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(puts.len(), 1, "{audit}");
    assert_eq!(puts[0].0, "session", "{audit}");
    assert!(puts[0].1.ends_with("/admin"), "{audit}");
}

#[test]
fn locking_the_desktop_detaches_it_and_the_session_goes_on() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    let console = desktop_console(&v);
    console.attach(s.socket.clone()).unwrap();
    console.lock();
    let err = console.call("query_secrets", first_page()).unwrap_err();
    assert_eq!(err.message, "The vault is locked.");
    assert!(s.agent_is_running());
    s.json(&["list-secrets"]);
}

#[test]
fn the_session_ending_locks_the_desktop_attached_to_it_and_says_why() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    let console = desktop_console(&v);
    console.attach(s.socket.clone()).unwrap();
    console.call("query_secrets", first_page()).unwrap();
    assert!(s.run(&["lock"]).status.success());
    s.wait_until_ended();

    let err = console.call("query_secrets", first_page()).unwrap_err();
    assert_eq!(err.code, "InvalidRequestException");
    assert_eq!(err.message, coffer_console::session::SESSION_ENDED);
    assert_eq!(console.revision().unwrap(), None);
    let status = console.status();
    assert!(
        status.session.is_none() && !status.through_session,
        "{status:?}"
    );
    assert_eq!(
        status.notice.as_deref(),
        Some(coffer_console::session::SESSION_ENDED)
    );
}

#[test]
fn a_desktop_polling_the_revision_through_the_session_does_not_hold_off_its_idle_lock() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &["--idle", "2s"]);
    let console = desktop_console(&v);
    console.attach(s.socket.clone()).unwrap();
    let give_up = Instant::now() + Duration::from_secs(120);
    while console.revision().unwrap().is_some() {
        assert!(
            Instant::now() < give_up,
            "the polled session never idled out"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    s.wait_until_ended();
    assert!(console.status().notice.is_some());
}

#[test]
fn adding_an_operator_from_a_desktop_through_the_session_is_refused_and_no_passphrase_is_sent() {
    let v = TestVault::init();
    let s = Session::unlock(&v, &[]);
    let console = desktop_console(&v);
    console.attach(s.socket.clone()).unwrap();
    let err = console
        .call(
            "add_operator",
            serde_json::json!({ "name": "bob", "passphrase": "bob's own passphrase" }),
        )
        .unwrap_err();
    assert_eq!(err.code, "InvalidRequestException");
    assert!(
        err.message
            .contains("needs the console unlocked with your passphrase"),
        "{err:?}"
    );
}
