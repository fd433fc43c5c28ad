//! `coffer serve --ephemeral` serves test suites as moto and LocalStack do (issue #17 item 2):
//! `POST /moto-api/reset` and `POST /_coffer/reset` forget every region; requests signed
//! with a clock frozen years ago are answered. The vault's endpoint has neither.

use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;

use coffer_tests::raw_http::{Client, Reply, address, signed_request_at};
use coffer_tests::{Server, TestVault, coffer_bin};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn emulator(dir: &std::path::Path) -> Server {
    let mut cmd = Command::new(coffer_bin());
    cmd.args(["serve", "--ephemeral", "--listen", "127.0.0.1:0"])
        .env("COFFER_VAULT", dir.join("no-vault.db"))
        .env_remove("COFFER_PASSPHRASE")
        .current_dir(dir);
    Server::coffer(cmd, dir.join("serve.log"))
}

/// `POST path` with an empty body and no signature, as moto's `mock_aws` sends its reset.
fn unsigned_post(client: &mut Client, server: &Server, path: &str) -> Reply {
    let host = address(&server.url);
    let request = format!("POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n");
    client.send(request.as_bytes()).expect("reply")
}

/// A call signed for `region` at moto's frozen test date, 2023-05-20.
fn call_frozen(client: &mut Client, server: &Server, op: &str, body: &str, region: &str) -> Reply {
    let at: jiff::Timestamp = "2023-05-20T00:00:00Z".parse().unwrap();
    let request = signed_request_at(address(&server.url), op, body, region, at);
    client.send(&request).expect("reply")
}

fn names(client: &mut Client, server: &Server, region: &str) -> Vec<String> {
    let r = call_frozen(client, server, "ListSecrets", "{}", region);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["SecretList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_emulators_reset_forgets_every_region_and_old_signatures_are_answered() {
    let dir = tempfile::tempdir().unwrap();
    let server = emulator(dir.path());
    let mut c = Client::connect(LOOPBACK, address(&server.url));
    for path in ["/moto-api/reset", "/_coffer/reset"] {
        for (name, region) in [("kept-east", "us-east-1"), ("kept-west", "us-west-2")] {
            let body = format!(r#"{{"Name":"{name}","SecretString":"v"}}"#);
            let r = call_frozen(&mut c, &server, "CreateSecret", &body, region);
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        }
        // A secret scheduled for deletion is forgotten too: its name is free afterwards.
        let r = call_frozen(
            &mut c,
            &server,
            "DeleteSecret",
            r#"{"SecretId":"kept-east"}"#,
            "us-east-1",
        );
        assert_eq!(r.status, 200);
        assert_eq!(names(&mut c, &server, "us-west-2"), ["kept-west"]);

        let reset = unsigned_post(&mut c, &server, path);
        assert_eq!(reset.status, 200, "{path}");
        assert_eq!(reset.json(), serde_json::json!({"status": "ok"}));
        assert!(names(&mut c, &server, "us-east-1").is_empty(), "{path}");
        assert!(names(&mut c, &server, "us-west-2").is_empty(), "{path}");
    }
}

#[test]
fn the_vault_endpoint_has_no_reset() {
    let v = TestVault::init();
    let mut cmd = v.cmd();
    cmd.args(["serve", "--listen", "127.0.0.1:0"]);
    let server = Server::coffer(cmd, v.dir.path().join("serve.log"));
    let mut c = Client::connect(LOOPBACK, address(&server.url));
    for path in ["/moto-api/reset", "/_coffer/reset"] {
        let r = unsigned_post(&mut c, &server, path);
        assert_eq!(r.status, 403, "{path}");
        assert_eq!(r.json()["__type"], "MissingAuthenticationTokenException");
    }
}

/// boto3 drives the whole cross-account flow against the emulator, each account chosen as
/// test suites choose it: an access key id of 12 digits (LocalStack's convention) or moto's
/// `x-moto-account-id` header; any other key is the emulator's own account.
const CROSS_ACCOUNT_FLOW: &str = r#"
import sys, boto3
from botocore.exceptions import ClientError
url = sys.argv[1]
def client(akid, header=None):
    c = boto3.client("secretsmanager", endpoint_url=url, region_name="us-east-1",
                     aws_access_key_id=akid, aws_secret_access_key="x")
    if header:
        def add(request, **kw):
            request.headers["x-moto-account-id"] = header
        c.meta.events.register("before-sign.secrets-manager.*", add)
    return c
def code(f, **kw):
    try:
        f(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError("no error")
a, b = client("AKIAPRIMARYTESTS"), client("210987654321")
primary = a.create_secret(Name="prod/db", SecretString="first")["ARN"]
assert ":123456789012:" in primary, primary
replica = b.create_secret(Name="mirror/db", CrossAccountPrimaryARN=primary,
                          KmsKeyId="alias/mirror")["ARN"]
assert ":210987654321:" in replica, replica
assert b.describe_secret(SecretId=replica)["CrossAccountPrimary"] == \
    {"PrimarySecretARN": primary, "ReplicationStatus": "Pending"}
r = a.associate_cross_account_replica(SecretId="prod/db", CrossAccountReplicaARN=replica)
assert r["ReplicationStatus"] == "InSync" and r["CrossAccountReplicaARN"] == replica, r
assert a.describe_secret(SecretId="prod/db")["CrossAccountReplicas"] == \
    [{"ReplicaSecretARN": replica, "ReplicationStatus": "InSync"}]
assert b.get_secret_value(SecretId="mirror/db")["SecretString"] == "first"
a.put_secret_value(SecretId="prod/db", SecretString="second")
assert b.get_secret_value(SecretId="mirror/db")["SecretString"] == "second"
assert code(b.put_secret_value, SecretId="mirror/db", SecretString="x") == "InvalidParameterException"
assert code(a.delete_secret, SecretId="prod/db") == "InvalidParameterException"
a.disassociate_cross_account_replica(SecretId="prod/db", CrossAccountReplicaARN=replica)
assert b.describe_secret(SecretId="mirror/db")["CrossAccountPrimary"]["ReplicationStatus"] == "Detached"
assert "CrossAccountReplicas" not in a.describe_secret(SecretId="prod/db")
b.stop_replication_to_replica(SecretId="mirror/db")
assert "CrossAccountPrimary" not in b.describe_secret(SecretId="mirror/db")
b.put_secret_value(SecretId="mirror/db", SecretString="its own")
a.delete_secret(SecretId="prod/db", ForceDeleteWithoutRecovery=True)
c = client("AKIAPRIMARYTESTS", header="333333333333")
third = c.create_secret(Name="elsewhere", SecretString="v")["ARN"]
assert ":333333333333:" in third, third
assert [s["Name"] for s in a.list_secrets()["SecretList"]] == []
print("ok")
"#;

#[test]
fn boto3_replicates_across_accounts_chosen_by_access_key_or_moto_header() {
    let dir = tempfile::tempdir().unwrap();
    let server = emulator(dir.path());
    assert_eq!(
        coffer_tests::boto3(CROSS_ACCOUNT_FLOW, &[&server.url]),
        "ok"
    );
}
