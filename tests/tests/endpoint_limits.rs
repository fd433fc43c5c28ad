//! Hostile clients against the real `coffer serve`: a client trickling its headers or its
//! body, a client holding connections, a client flooding requests, a shutdown with stalled
//! clients attached; and the rules on where the endpoint listens (TLS off loopback, the
//! emulator on loopback only, with a cap on the regions it makes).

use std::io::{BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use coffer_tests::raw_http::{Client, address, connect_from, read_reply};
use coffer_tests::{Server, TestVault, boto3, coffer_bin};

fn local(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

/// `coffer serve --ephemeral` on a free loopback port with `flags`.
fn emulator(dir: &Path, flags: &[&str]) -> Server {
    let mut cmd = Command::new(coffer_bin());
    cmd.args(["serve", "--ephemeral", "--listen", "127.0.0.1:0"])
        .args(flags)
        .env_remove("COFFER_VAULT")
        .env_remove("COFFER_PASSPHRASE");
    Server::coffer(cmd, dir.join("serve.log"))
}

/// The request head a slow client trickles: long enough that sending it at one byte a second
/// would take minutes.
fn long_head(server: SocketAddr) -> Vec<u8> {
    format!(
        "POST / HTTP/1.1\r\nHost: {server}\r\nX-Amz-Target: secretsmanager.ListSecrets\r\nContent-Type: application/x-amz-json-1.1\r\nUser-Agent: a-client-that-sends-one-byte-a-second\r\nContent-Length: 2\r\n\r\n"
    )
    .into_bytes()
}

/// A client that sends `bytes` one a second until the server closes the connection (or it
/// has sent them all). Returns how many it sent before it saw the connection closed.
fn trickle(stream: TcpStream, bytes: Vec<u8>, started: Option<Arc<AtomicBool>>) -> usize {
    let closed = Arc::new(AtomicBool::new(false));
    let mut reader = stream.try_clone().unwrap();
    let seen = closed.clone();
    let watcher = std::thread::spawn(move || {
        // Returns when the server closes the connection (or the read deadline passes).
        let mut sink = Vec::new();
        let _ = reader.read_to_end(&mut sink);
        seen.store(true, Ordering::SeqCst);
    });
    let mut stream = stream;
    let mut sent = 0;
    for b in bytes {
        if closed.load(Ordering::SeqCst) || stream.write_all(&[b]).is_err() {
            break;
        }
        sent += 1;
        if let Some(s) = &started {
            s.store(true, Ordering::SeqCst);
        }
        // The attack itself: one byte a second.
        std::thread::sleep(Duration::from_secs(1));
    }
    watcher.join().unwrap();
    assert!(closed.load(Ordering::SeqCst));
    sent
}

#[test]
fn a_client_sending_one_header_byte_a_second_is_closed_within_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = emulator(dir.path(), &["--header-timeout", "3"]);
    let addr = address(&server.url);
    let head = long_head(addr);
    let sent = trickle(connect_from(local(1), addr), head.clone(), None);
    // Closed after about three bytes (three seconds); the bound is generous for a loaded
    // machine, and far below the head's length.
    assert!(
        sent < 20 && sent < head.len(),
        "{sent} of {} bytes were sent",
        head.len()
    );
    // The server still serves others.
    let mut c = Client::connect(local(1), addr);
    assert_eq!(c.call("ListSecrets", "{}").unwrap().status, 200);
}

#[test]
fn stalled_clients_do_not_delay_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    // Timeouts far longer than the test: only the shutdown itself can end these clients.
    let server = emulator(
        dir.path(),
        &[
            "--header-timeout",
            "600",
            "--body-timeout",
            "600",
            "--shutdown-grace",
            "2",
        ],
    );
    let addr = address(&server.url);
    // One trickles its first request's head; one sent a head and stalls in the body; one
    // is idle after a request.
    let slow_head = connect_from(local(1), addr);
    let started = Arc::new(AtomicBool::new(false));
    let flag = started.clone();
    let head = long_head(addr);
    let head_len = head.len();
    let trickler = std::thread::spawn(move || trickle(slow_head, head, Some(flag)));
    let mut slow_body = connect_from(local(1), addr);
    slow_body
        .write_all(&signed_prefix(addr, "{\"SecretId\":\"x\"}", 5))
        .unwrap();
    let mut idle = Client::connect(local(1), addr);
    // Connections are accepted in order: once the idle one is answered, the two before it
    // are being served.
    assert_eq!(idle.call("ListSecrets", "{}").unwrap().status, 200);
    while !started.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
    // `terminate` allows 30 s for the exit: far less than the clients' 600 s timeouts, so
    // only a shutdown that waits for none of them passes.
    let status = server.terminate();
    assert!(status.success(), "coffer serve exited with {status}");
    let sent = trickler.join().unwrap();
    assert!(sent < head_len, "the trickling client was cut off");
    assert!(idle.is_closed_by_server());
    let mut rest = Vec::new();
    let _ = slow_body.read_to_end(&mut rest);
}

/// A signed request for GetSecretValue whose body is `body`, cut `missing` bytes short.
fn signed_prefix(addr: SocketAddr, body: &str, missing: usize) -> Vec<u8> {
    let mut r = coffer_tests::raw_http::signed_request(addr, "GetSecretValue", body, "us-east-1");
    r.truncate(r.len() - missing);
    r
}

#[test]
fn a_body_that_stops_arriving_is_answered_with_a_timeout_and_the_connection_closed() {
    let dir = tempfile::tempdir().unwrap();
    let server = emulator(dir.path(), &["--body-timeout", "1"]);
    let addr = address(&server.url);
    let mut stream = connect_from(local(1), addr);
    stream
        .write_all(&signed_prefix(addr, "{\"SecretId\":\"app/db\"}", 10))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let reply = read_reply(&mut reader).expect("an answer, not a silent close");
    assert_eq!(reply.status, 408);
    assert_eq!(reply.json()["__type"], "RequestTimeoutException");
    assert_eq!(reply.header("connection"), Some("close"));
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
    assert!(rest.is_empty(), "the connection is closed after the answer");
}

#[test]
fn connections_past_the_caps_are_closed_and_other_addresses_still_get_in() {
    let dir = tempfile::tempdir().unwrap();
    let server = emulator(
        dir.path(),
        &[
            "--max-connections",
            "3",
            "--max-connections-per-address",
            "2",
        ],
    );
    let addr = address(&server.url);
    // One client takes its share: two connections, each answered (so accepted and held).
    let mut held: Vec<Client> = (0..2).map(|_| Client::connect(local(1), addr)).collect();
    for c in &mut held {
        assert_eq!(c.call("ListSecrets", "{}").unwrap().status, 200);
    }
    let mut third = Client::connect(local(1), addr);
    assert!(third.is_closed_by_server(), "a third from one address");
    // Another address still gets in, up to the total.
    let mut other = Client::connect(local(2), addr);
    assert_eq!(other.call("ListSecrets", "{}").unwrap().status, 200);
    let mut over = Client::connect(local(3), addr);
    assert!(over.is_closed_by_server(), "one past the total");
    // A closed connection gives its place back (the server sees the close a little later).
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut again = Client::connect(local(1), addr);
        if let Ok(r) = again.call("ListSecrets", "{}") {
            assert_eq!(r.status, 200);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the freed place was not given again"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = server.log();
    assert!(log.contains("\"refused\":\"connection cap for this address reached\""));
    assert!(log.contains("\"refused\":\"connection cap reached\""));
}

#[test]
fn a_flooding_client_makes_another_wait_for_at_most_one_of_its_requests() {
    let dir = tempfile::tempdir().unwrap();
    let server = emulator(dir.path(), &[]);
    let addr = address(&server.url);
    // Requests that cost the server something: a page of 100 secrets each.
    let mut setup = Client::connect(local(1), addr);
    for i in 0..200 {
        let body = format!("{{\"Name\":\"flood/{i:03}\",\"SecretString\":\"v\"}}");
        assert_eq!(setup.call("CreateSecret", &body).unwrap().status, 200);
    }
    drop(setup);
    let stop = Arc::new(AtomicBool::new(false));
    let flood: Vec<_> = (0..16)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut c = Client::connect(local(1), addr);
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    let r = c.call("ListSecrets", "{\"MaxResults\":100}").unwrap();
                    assert_eq!(r.status, 200);
                    n += 1;
                }
                n
            })
        })
        .collect();
    // The other client: one connection from another address, one request after another.
    let mut other = Client::connect(local(2), addr);
    for _ in 0..30 {
        let r = other
            .call("DescribeSecret", "{\"SecretId\":\"flood/000\"}")
            .unwrap();
        assert_eq!(r.status, 200);
    }
    stop.store(true, Ordering::SeqCst);
    let flooded: usize = flood.into_iter().map(|t| t.join().unwrap()).sum();
    assert!(flooded > 0);
    let lines: Vec<serde_json::Value> = server
        .log()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|l: &serde_json::Value| l["queued_behind"].is_u64())
        .collect();
    let waits = |peer: &str, op: &str| -> Vec<u64> {
        lines
            .iter()
            .filter(|l| l["peer"] == peer && l["operation"] == op)
            .map(|l| l["queued_behind"].as_u64().unwrap())
            .collect()
    };
    let other_waits = waits("127.0.0.2", "DescribeSecret");
    let flood_waits = waits("127.0.0.1", "ListSecrets");
    assert_eq!(other_waits.len(), 30);
    // The flood queued up behind itself (so first come, first served would have made the
    // other client wait behind many)...
    let deepest = flood_waits.iter().copied().max().unwrap_or(0);
    assert!(deepest >= 4, "the flood never queued: {flood_waits:?}");
    // ...but the other address waited for at most one request each time.
    assert!(
        other_waits.iter().all(|w| *w <= 1),
        "the other client waited behind {other_waits:?} (the flood behind up to {deepest})"
    );
}

/// Over TLS: a write and a read with `verify=CA`; then a client that does not trust the
/// certificate, and one that speaks plain HTTP to the TLS port. Prints a JSON report.
const TLS_CLIENTS: &str = r#"
import json, sys, boto3, botocore.exceptions as bx
from botocore.config import Config
url, ca, akid, secret = sys.argv[1:5]
def client(endpoint, verify):
    return boto3.client("secretsmanager", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=akid, aws_secret_access_key=secret, verify=verify,
                        config=Config(retries={"max_attempts": 1}))
out = {}
sm = client(url, ca)
sm.create_secret(Name="tls/db", SecretString="over-tls")
out["value"] = sm.get_secret_value(SecretId="tls/db")["SecretString"]
try:
    client(url, True).list_secrets()
    out["untrusted"] = "accepted"
except bx.SSLError:
    out["untrusted"] = "refused"
try:
    client(url.replace("https://", "http://"), None).list_secrets()
    out["plain"] = "answered"
except Exception as e:
    out["plain"] = type(e).__name__
print(json.dumps(out))
"#;

fn check_tls_clients(url: &str, ca: &Path, akid: &str, secret: &str) {
    let report: serde_json::Value = serde_json::from_str(&boto3(
        TLS_CLIENTS,
        &[url, ca.to_str().unwrap(), akid, secret],
    ))
    .unwrap();
    assert_eq!(report["value"], "over-tls", "{report}");
    assert_eq!(report["untrusted"], "refused", "{report}");
    assert_ne!(report["plain"], "answered", "{report}");
}

/// The SHA-256 fingerprint of the PEM certificate in `file`, as OpenSSL prints it.
fn fingerprint(file: &Path) -> String {
    use base64::Engine;
    use sha2::Digest;
    let pem = std::fs::read_to_string(file).unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    sha2::Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn app_key(v: &TestVault) -> (String, String) {
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
    (
        k["AccessKey"]["AccessKeyId"].as_str().unwrap().into(),
        k["AccessKey"]["SecretAccessKey"].as_str().unwrap().into(),
    )
}

#[test]
fn off_loopback_plain_http_is_refused_unless_insecure_and_tls_serves_boto3() {
    let v = TestVault::init();
    let (akid, secret) = app_key(&v);
    let out = v.run(&["serve", "--listen", "0.0.0.0:0"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing was served");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs TLS"), "{err}");

    // Plain HTTP on every address only when asked for, with a warning.
    let mut cmd = v.cmd();
    cmd.args(["serve", "--listen", "0.0.0.0:0", "--insecure-plain-http"]);
    let server = Server::coffer(cmd, v.dir.path().join("plain.log"));
    assert!(server.url.starts_with("http://0.0.0.0:"), "{}", server.url);
    assert!(server.log().contains("WARNING: serving plain HTTP"));
    let port = address(&server.url).port();
    let mut c = Client::connect(local(1), SocketAddr::new(local(1), port));
    // Any client's request is answered (here refused: its key is not one of the vault's).
    assert_eq!(c.call("ListSecrets", "{}").unwrap().status, 403);
    drop(server);

    // TLS with a certificate made for the run: its fingerprint is printed and its file is
    // what boto3 trusts.
    let ca = v.dir.path().join("coffer-ca.pem");
    let mut cmd = v.cmd();
    cmd.args(["serve", "--listen", "0.0.0.0:0", "--tls-self-signed"])
        .arg(&ca);
    let server = Server::coffer(cmd, v.dir.path().join("tls.log"));
    assert!(server.url.starts_with("https://0.0.0.0:"), "{}", server.url);
    let url = format!("https://127.0.0.1:{}", address(&server.url).port());
    check_tls_clients(&url, &ca, &akid, &secret);
    let printed = server.stdout_after_first_line();
    assert!(
        printed.contains(&format!("SHA-256 fingerprint: {}", fingerprint(&ca))),
        "{printed}"
    );
    assert!(!std::fs::read_to_string(&ca).unwrap().contains("PRIVATE"));
}

#[test]
fn tls_with_the_operators_certificate_serves_boto3_on_loopback() {
    let v = TestVault::init();
    let (akid, secret) = app_key(&v);
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let (cert, key) = (v.dir.path().join("cert.pem"), v.dir.path().join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let mut cmd = v.cmd();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key);
    let server = Server::coffer(cmd, v.dir.path().join("tls.log"));
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    check_tls_clients(&server.url, &cert, &akid, &secret);
    assert!(
        server
            .stdout_after_first_line()
            .contains(&fingerprint(&cert))
    );
    let log = server.log();
    assert!(!log.contains("over-tls"), "the access log holds a value");
}

#[test]
fn the_emulator_refuses_a_vault_and_non_loopback_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.db");
    let out = Command::new(coffer_bin())
        .args(["serve", "--ephemeral", "--listen", "127.0.0.1:0", "--vault"])
        .arg(&vault)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(252));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--vault"));
    assert!(!vault.exists());
    for extra in [&[][..], &["--insecure-plain-http"][..]] {
        let out = Command::new(coffer_bin())
            .args(["serve", "--ephemeral", "--listen", "0.0.0.0:0"])
            .args(extra)
            .env_remove("COFFER_VAULT")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{extra:?}");
        assert!(out.stdout.is_empty(), "{extra:?}: nothing was served");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("loopback only"), "{err}");
    }
}

#[test]
fn the_emulator_makes_regions_up_to_its_cap() {
    let dir = tempfile::tempdir().unwrap();
    let server = emulator(dir.path(), &["--max-regions", "2"]);
    let script = r#"
import json, sys, boto3, botocore.exceptions as bx
out = {}
for region in ["us-east-1", "eu-west-1", "ap-south-1", "us-east-1", "eu-west-1"]:
    sm = boto3.client("secretsmanager", endpoint_url=sys.argv[1], region_name=region,
                      aws_access_key_id="AKIAANY", aws_secret_access_key="any")
    try:
        sm.list_secrets()
        out.setdefault(region, []).append("ok")
    except bx.ClientError as e:
        out.setdefault(region, []).append(e.response["Error"]["Code"])
print(json.dumps(out))
"#;
    let report: serde_json::Value = serde_json::from_str(&boto3(script, &[&server.url])).unwrap();
    assert_eq!(report["us-east-1"], serde_json::json!(["ok", "ok"]));
    assert_eq!(report["eu-west-1"], serde_json::json!(["ok", "ok"]));
    assert_eq!(
        report["ap-south-1"],
        serde_json::json!(["InvalidRequestException"])
    );
}
