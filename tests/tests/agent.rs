//! `coffer serve --agent`: the AWS Secrets Manager Agent's local protocol, driven with
//! plain `curl` requests shaped like the agent's README examples
//! (github.com/aws/aws-secretsmanager-agent, "Retrieve secrets with the Secrets Manager
//! Agent": `curl -v -H "X-Aws-Parameters-Secrets-Token: $(</var/run/awssmatoken)"
//! 'http://localhost:2773/secretsmanager/get?secretId=<YOUR_SECRET_ID>'`), and AWS's
//! caching client for Python through the SDK endpoint beside it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use coffer_tests::{Server, TestVault, boto3};
use serde_json::Value;

const TOKEN: &str = "ssrf-token-4f1c";

/// `coffer serve --agent 127.0.0.1:0` with the token in a file named by AWS_TOKEN (as the
/// agent's install script keeps it in /var/run/awssmatoken); returns the server and the
/// agent's base URL.
fn serve(v: &TestVault, extra: &[&str]) -> (Server, String) {
    let token_file = v.dir.path().join("awssmatoken");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let mut cmd = v.cmd();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--agent", "127.0.0.1:0"])
        .args(extra)
        .env("AWS_TOKEN", format!("file://{}", token_file.display()))
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    let server = Server::coffer(cmd, v.dir.path().join("serve.log"));
    let deadline = Instant::now() + Duration::from_secs(60);
    let agent = loop {
        let rest = server.stdout_after_first_line();
        if let Some(url) = rest
            .lines()
            .find_map(|l| l.strip_prefix("Agent listening on "))
        {
            break url.trim().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no agent address printed: {rest}\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    (server, agent)
}

/// `curl -sS` with `args`: (HTTP status, body).
fn curl(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-sS", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("run curl");
    assert!(
        out.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (body, status) = text.rsplit_once('\n').unwrap();
    (status.parse().unwrap(), body.to_string())
}

fn token_header(dir: &Path) -> String {
    let t = std::fs::read_to_string(dir.join("awssmatoken")).unwrap();
    format!("X-Aws-Parameters-Secrets-Token: {}", t.trim())
}

fn get(v: &TestVault, url: &str) -> Value {
    let (status, body) = curl(&["-H", &token_header(v.dir.path()), url]);
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn vault() -> TestVault {
    let v = TestVault::init();
    v.json(&[
        "create-secret",
        "--name",
        "prod/db",
        "--secret-string",
        r#"{"username":"app","password":"first-pw"}"#,
    ]);
    v
}

#[test]
fn curl_requests_shaped_like_the_agents_examples_read_the_right_values() {
    let v = vault();
    let arn = v.json(&["describe-secret", "--secret-id", "prod/db"])["ARN"]
        .as_str()
        .unwrap()
        .to_string();
    let first = v.json(&["get-secret-value", "--secret-id", "prod/db"])["VersionId"]
        .as_str()
        .unwrap()
        .to_string();
    v.json(&[
        "put-secret-value",
        "--secret-id",
        "prod/db",
        "--secret-string",
        r#"{"username":"app","password":"second-pw"}"#,
    ]);
    v.json(&[
        "create-secret",
        "--name",
        "bin",
        "--secret-binary",
        "AAEC/w==",
    ]);
    let (server, agent) = serve(&v, &[]);

    let (status, body) = curl(&[&format!("{agent}/ping")]);
    assert_eq!((status, body.as_str()), (200, "healthy"));

    let got = get(&v, &format!("{agent}/secretsmanager/get?secretId=prod/db"));
    assert_eq!(got["ARN"], arn.as_str());
    assert_eq!(got["Name"], "prod/db");
    assert_eq!(
        got["SecretString"],
        r#"{"username":"app","password":"second-pw"}"#
    );
    assert_eq!(got["VersionStages"], serde_json::json!(["AWSCURRENT"]));
    // The agent's CreatedDate is a string of seconds, not the SDK endpoint's number.
    assert!(
        got["CreatedDate"].as_str().unwrap().parse::<f64>().unwrap() > 1.6e9,
        "{got}"
    );
    let keys: Vec<&String> = got.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 6, "{got}");

    // By ARN, by stage, by version id, and the path style.
    let by_arn = get(
        &v,
        &format!(
            "{agent}/secretsmanager/get?secretId={}",
            arn.replace(':', "%3A")
        ),
    );
    assert_eq!(by_arn["Name"], "prod/db");
    let previous = get(
        &v,
        &format!("{agent}/secretsmanager/get?secretId=prod%2Fdb&versionStage=AWSPREVIOUS"),
    );
    assert_eq!(previous["VersionId"], first.as_str());
    assert!(
        previous["SecretString"]
            .as_str()
            .unwrap()
            .contains("first-pw")
    );
    let by_id = get(
        &v,
        &format!("{agent}/secretsmanager/get?secretId=prod/db&versionId={first}&refreshNow=true"),
    );
    assert_eq!(by_id["VersionStages"], serde_json::json!(["AWSPREVIOUS"]));
    let path_style = get(&v, &format!("{agent}/v1/prod/db"));
    assert!(
        path_style["SecretString"]
            .as_str()
            .unwrap()
            .contains("second-pw")
    );
    let bin = get(&v, &format!("{agent}/v1/bin"));
    assert_eq!(bin["SecretBinary"], "AAEC/w==");
    assert!(bin.get("SecretString").is_none());

    // The Lambda extension's form: X-Vault-Token is the agent's other header.
    let (status, _) = curl(&[
        "-H",
        &format!("X-Vault-Token: {TOKEN}"),
        &format!("{agent}/secretsmanager/get?secretId=prod/db"),
    ]);
    assert_eq!(status, 200);

    // Every read was audited with front end `agent`, as the operator.
    let events = v.json(&["audit", "list", "--limit", "50"]);
    let agent_reads = events["Events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["EventName"] == "GetSecretValue" && e["FrontEnd"] == "agent")
        .count();
    assert_eq!(agent_reads, 7, "{events}");
    // The SDK endpoint is still served beside it.
    assert!(server.url.starts_with("http://127.0.0.1:"));
    let log = server.log();
    assert!(!log.contains("second-pw") && !log.contains(TOKEN), "{log}");
}

#[test]
fn a_write_and_a_rotation_are_seen_by_the_next_agent_read() {
    let v = vault();
    let function = v.json(&[
        "rotation",
        "create-function",
        "--name",
        "pw",
        "--kind",
        "password",
    ]);
    v.json(&[
        "create-secret",
        "--name",
        "app/key",
        "--secret-string",
        "initial-value",
    ]);
    let (_server, agent) = serve(&v, &[]);
    let url = format!("{agent}/secretsmanager/get?secretId=prod/db");
    assert!(
        get(&v, &url)["SecretString"]
            .as_str()
            .unwrap()
            .contains("first-pw")
    );
    // A write by another process (the CLI) is seen by the very next read.
    v.json(&[
        "put-secret-value",
        "--secret-id",
        "prod/db",
        "--secret-string",
        r#"{"username":"app","password":"written-pw"}"#,
    ]);
    assert!(
        get(&v, &url)["SecretString"]
            .as_str()
            .unwrap()
            .contains("written-pw")
    );

    let key_url = format!("{agent}/v1/app/key");
    assert_eq!(get(&v, &key_url)["SecretString"], "initial-value");
    let rotated = v.json(&[
        "rotate-secret",
        "--secret-id",
        "app/key",
        "--rotation-lambda-arn",
        function["ARN"].as_str().unwrap(),
        "--rotation-rules",
        "AutomaticallyAfterDays=30",
    ]);
    let after = get(&v, &key_url);
    assert_eq!(after["VersionId"], rotated["VersionId"]);
    assert_ne!(after["SecretString"], "initial-value");
    assert_eq!(
        get(&v, &format!("{key_url}?versionStage=AWSPREVIOUS"))["SecretString"],
        "initial-value"
    );
}

#[test]
fn a_missing_or_wrong_token_or_a_forwarded_request_gets_the_agents_error() {
    let v = vault();
    let (_server, agent) = serve(&v, &["--agent-path-prefix", "/secrets/"]);
    let url = format!("{agent}/secretsmanager/get?secretId=prod/db");
    // The agent's answers (server.rs, validate_token / validate_method, and its 404).
    assert_eq!(curl(&[&url]), (403, "Bad Token".into()));
    assert_eq!(
        curl(&["-H", "X-Aws-Parameters-Secrets-Token: wrong", &url]),
        (403, "Bad Token".into())
    );
    assert_eq!(
        curl(&[
            "-H",
            &token_header(v.dir.path()),
            "-H",
            "X-Forwarded-For: 198.51.100.7",
            &url
        ]),
        (400, "Forwarded".into())
    );
    assert_eq!(
        curl(&["-X", "POST", "-H", &token_header(v.dir.path()), &url]),
        (405, "Not allowed".into())
    );
    assert_eq!(
        curl(&[
            "-H",
            &token_header(v.dir.path()),
            &format!("{agent}/secretsmanager/get?secretId=prod/db&color=red")
        ]),
        (400, "unknown parameter: color".into())
    );
    // The configured prefix replaces /v1/.
    assert_eq!(
        curl(&[
            "-H",
            &token_header(v.dir.path()),
            &format!("{agent}/v1/prod/db")
        ]),
        (404, "Not found".into())
    );
    assert_eq!(
        get(&v, &format!("{agent}/secrets/prod/db"))["Name"],
        "prod/db"
    );
    // A service error: the agent's JSON 1.1 body, unescaped, with a space after the comma.
    let (status, body) = curl(&[
        "-H",
        &token_header(v.dir.path()),
        &format!("{agent}/secretsmanager/get?secretId=nope"),
    ]);
    assert_eq!(status, 400);
    assert!(
        body.starts_with(r#"{"__type":"ResourceNotFoundException", "message":""#),
        "{body}"
    );
}

/// One request on `conn` (kept alive): (status, body).
fn request_on(conn: &mut std::net::TcpStream, path: &str, token: &str) -> (u16, String) {
    use std::io::{BufRead, BufReader, Read, Write};
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nX-Aws-Parameters-Secrets-Token: {token}\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(conn);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, String::from_utf8(body).unwrap())
}

/// The agent's `max_conn` (server.rs, validate_max_conn; main.rs, max_conn_test and
/// ping_max_conn): a connection opened while the limit's worth are open gets 429
/// "Connection limit exceeded" for every request, token or not, while `/ping` still
/// answers; once a connection closes, a new one is served.
#[test]
fn connections_past_the_agents_limit_get_429_and_ping_still_answers() {
    let v = vault();
    let (_server, agent) = serve(&v, &["--agent-max-conn", "1"]);
    let token = std::fs::read_to_string(v.dir.path().join("awssmatoken")).unwrap();
    let token = token.trim();
    let address = agent.strip_prefix("http://").unwrap();
    let mut held = std::net::TcpStream::connect(address).unwrap();
    let (status, body) = request_on(&mut held, "/secretsmanager/get?secretId=prod/db", token);
    assert_eq!(status, 200, "{body}");
    let url = format!("{agent}/secretsmanager/get?secretId=prod/db");
    assert_eq!(
        curl(&["-H", &token_header(v.dir.path()), &url]),
        (429, "Connection limit exceeded".into())
    );
    // Checked before the token, as the agent does.
    assert_eq!(curl(&[&url]), (429, "Connection limit exceeded".into()));
    assert_eq!(curl(&[&format!("{agent}/ping")]), (200, "healthy".into()));
    // The held connection is still served.
    let (status, _) = request_on(&mut held, "/secretsmanager/get?secretId=prod/db", token);
    assert_eq!(status, 200);
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = curl(&["-H", &token_header(v.dir.path()), &url]);
        if status == 200 {
            break;
        }
        assert_eq!((status, body.as_str()), (429, "Connection limit exceeded"));
        assert!(
            Instant::now() < deadline,
            "the closed connection's place never came free"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = v
        .cmd()
        .args(["serve", "--listen", "127.0.0.1:0", "--agent", "127.0.0.1:0"])
        .args(["--agent-max-conn", "1001"])
        .env("AWS_TOKEN", "t")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("must be in the range 1 to 1000"), "{err}");
}

#[test]
fn the_agent_reads_as_the_principal_it_is_given_and_without_a_token_does_not_start() {
    let v = vault();
    v.json(&["iam", "create-user", "--user-name", "reader"]);
    let arn = "arn:aws:iam::111122223333:user/reader";
    let (_server, agent) = serve(&v, &["--agent-principal", arn]);
    let (status, body) = curl(&[
        "-H",
        &token_header(v.dir.path()),
        &format!("{agent}/secretsmanager/get?secretId=prod/db"),
    ]);
    assert_eq!(status, 400);
    assert!(body.contains("AccessDeniedException"), "{body}");

    let out = v
        .cmd()
        .args(["serve", "--listen", "127.0.0.1:0", "--agent", "127.0.0.1:0"])
        .env_remove("AWS_TOKEN")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("AWS_TOKEN"), "{err}");
}

#[test]
fn the_python_caching_client_reads_through_the_sdk_endpoint() {
    let v = vault();
    v.json(&["iam", "create-user", "--user-name", "app"]);
    v.json(&[
        "iam",
        "attach-user-policy",
        "--user-name",
        "app",
        "--policy-arn",
        "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
    ]);
    let k = v.json(&["iam", "create-access-key", "--user-name", "app"]);
    let akid = k["AccessKey"]["AccessKeyId"].as_str().unwrap().to_string();
    let secret = k["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    let mut cmd = v.cmd();
    cmd.args(["serve", "--listen", "127.0.0.1:0"]);
    let server = Server::coffer(cmd, v.dir.path().join("serve.log"));
    let script = r#"
import json, sys, boto3
from aws_secretsmanager_caching import SecretCache, SecretCacheConfig
client = boto3.client("secretsmanager", endpoint_url=sys.argv[1], region_name="us-east-1",
                      aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
cache = SecretCache(config=SecretCacheConfig(), client=client)
value = json.loads(cache.get_secret_string("prod/db"))
print(value["password"] == "first-pw", len(value["password"]))
"#;
    let out = boto3(script, &[&server.url, &akid, &secret]);
    assert_eq!(out, "True 8");
}
