//! moto 5.2.5's own Secrets Manager test suite, in moto's server mode, against
//! `coffer serve --ephemeral` (issue #17): the 147 tests moto's own server passes here, and
//! the 29 raw-HTTP tests of `test_server.py` sent as signed HTTP by the project's adapter
//! (`tests/python/moto_server_mode.py`), 176 in all. Every one must pass; the tests set
//! aside are in [`DESELECTED`], each with its reason (the README lists them too).
//!
//! moto's sources come from its sdist, unpacked by `scripts/test` into the folder named by
//! `COFFER_MOTO_SRC` (default `~/.cache/coffer-moto-5.2.5/moto-5.2.5`); pytest, moto 5.2.5
//! and the rest from the test venv (`COFFER_TEST_PYTHON`). Without them this test fails,
//! never skips. How moto's server mode drives a foreign endpoint: moto's `mock_aws` posts
//! `/moto-api/reset` when each test starts and ends, and signs with any credentials, for the
//! test's region, sometimes with a frozen clock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use coffer_tests::{Server, coffer_bin, test_python};

/// The moto release whose suite runs (pinned in `scripts/test`).
const MOTO_VERSION: &str = "5.2.5";
/// Tests moto's own server passes outside `test_server.py`, and with its 29 raw tests.
const SUITE: usize = 147;
const WITH_RAW: usize = 176;
const RAW_MODULE: &str = "tests/test_secretsmanager/test_server.py";

/// Why a test is set aside.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Aside {
    /// Outside the 147/176: moto skips it in server mode, or it needs Lambda, IAM, DynamoDB
    /// or Docker on the same endpoint, or moto's in-process internals, or sends no request.
    Outside,
    /// Among the 147/176, but AWS itself would fail it: the reason carries the evidence.
    AwsWouldFail,
}

/// Every test set aside, with its reason and evidence: the one list (the README repeats it).
/// A test function's name stands for all its parametrized cases.
const DESELECTED: [(&str, Aside, &str); 29] = [
    (
        "test_server.py::test_rotate_secret_lambda_invocations",
        Aside::Outside,
        "creates a Lambda function in Docker through moto's IAM, Logs and Lambda",
    ),
    (
        "test_server.py::test_data_api",
        Aside::Outside,
        "reads moto's in-process /moto-api/data.json",
    ),
    (
        "test_rotate_simple_lambda.py::test_simple_lambda_is_invoked",
        Aside::Outside,
        "skipped by moto in server mode: patches moto's in-process Lambda backend",
    ),
    (
        "test_rotate_simple_lambda.py::test_simple_lambda_is_invoked__do_not_rotate_immediately",
        Aside::Outside,
        "skipped by moto in server mode: patches moto's in-process Lambda backend",
    ),
    (
        "test_secretsmanager.py::test_create_secret_custom_id",
        Aside::Outside,
        "skipped by moto in server mode: sets the id through moto's in-process id manager",
    ),
    (
        "test_secretsmanager.py::test_aws_managed_secret",
        Aside::Outside,
        "skipped by moto in server mode: writes into moto's in-process backend",
    ),
    (
        "test_secretsmanager.py::test_rotate_secret_using_lambda",
        Aside::Outside,
        "needs Lambda, IAM and DynamoDB on the same endpoint, and Docker",
    ),
    (
        "test_secretsmanager.py::test_rotate_secret_using_lambda_dont_rotate_immediately",
        Aside::Outside,
        "needs Lambda, IAM and DynamoDB on the same endpoint, and Docker",
    ),
    (
        "test_secretsmanager.py::test_cancel_rotate_secret",
        Aside::Outside,
        "needs Lambda, IAM and DynamoDB on the same endpoint, and Docker (and calls http://localhost:5000)",
    ),
    (
        "test_list_secrets.py::test_word_splitter",
        Aside::Outside,
        "8 unit tests of moto's own word splitter: they send no request",
    ),
    // RotateSecret without a rotation function: AWS answers InvalidRequestException "No Lambda
    // rotation function ARN is associated with this secret." (recorded from AWS in
    // getmoto/moto pull request #3912, which says moto is lenient here; moto's own
    // test_rotate_secret_without_secretstring says "AWS will always require a Lambda ARN").
    (
        "test_secretsmanager.py::test_rotate_secret",
        Aside::AwsWouldFail,
        "RotateSecret without a rotation function succeeds only in moto (AWS: getmoto/moto#3912)",
    ),
    (
        "test_secretsmanager.py::test_rotate_secret_without_secretstring",
        Aside::AwsWouldFail,
        "RotateSecret without a rotation function; the test itself says AWS always requires one",
    ),
    (
        "test_secretsmanager.py::test_rotate_secret_enable_rotation",
        Aside::AwsWouldFail,
        "RotateSecret without a rotation function succeeds only in moto (AWS: getmoto/moto#3912)",
    ),
    (
        "test_secretsmanager.py::test_get_secret_version_stage_mismatch",
        Aside::AwsWouldFail,
        "starts with RotateSecret without a rotation function (AWS: getmoto/moto#3912)",
    ),
    (
        "test_server.py::test_rotate_secret",
        Aside::AwsWouldFail,
        "RotateSecret without a rotation function succeeds only in moto (AWS: getmoto/moto#3912)",
    ),
    (
        "test_server.py::test_rotate_secret_that_is_still_rotating",
        Aside::AwsWouldFail,
        "RotateSecret without a rotation function, then reads DescribeSecret's SecretVersionsToStages, a member AWS's model has not (botocore secretsmanager 2017-10-17 DescribeSecretResponse: VersionIdsToStages)",
    ),
    // DescribeSecret has no SecretVersionsToStages in AWS's model (botocore's
    // secretsmanager/2017-10-17/service-2.json, DescribeSecretResponse lists VersionIdsToStages).
    (
        "test_server.py::test_update_secret_version_stage",
        Aside::AwsWouldFail,
        "reads DescribeSecret's SecretVersionsToStages, a moto-only member (AWS's model: VersionIdsToStages)",
    ),
    (
        "test_server.py::test_update_secret_version_stage_currentversion_handling",
        Aside::AwsWouldFail,
        "reads DescribeSecret's SecretVersionsToStages, a moto-only member (AWS's model: VersionIdsToStages)",
    ),
    // ResourceNotFoundException is HTTP 400: botocore's model gives it no httpStatusCode
    // (so 400, as every Secrets Manager error), and AWS's JSON 1.1 errors carry it in __type.
    (
        "test_server.py::test_update_secret_version_stage_validation",
        Aside::AwsWouldFail,
        "expects HTTP 404 for ResourceNotFoundException; AWS answers 400 (botocore's model gives the error no other status)",
    ),
    (
        "test_server.py::test_rotate_secret_with_incorrect_lambda_arn",
        Aside::AwsWouldFail,
        "expects HTTP 404 for ResourceNotFoundException; AWS answers 400 (botocore's model gives the error no other status)",
    ),
    (
        "test_list_secrets.py::test_with_invalid_filter_key",
        Aside::AwsWouldFail,
        "expects the enum set [all, name, tag-key, description, tag-value]; AWS's model now has seven keys (botocore FilterNameStringType adds primary-region and owning-service), which AWS's message lists",
    ),
    (
        "test_policy.py::test_delete_resource_policy",
        Aside::AwsWouldFail,
        "puts the policy 'some policy'; AWS's API Reference, PutResourcePolicy: ResourcePolicy is 'a JSON-formatted string' and the call throws MalformedPolicyDocumentException, 'The resource policy has syntax errors.'",
    ),
    (
        "test_policy.py::test_policies_for_unknown_secrets",
        Aside::AwsWouldFail,
        "expects ResourceNotFoundException for the SecretId 'unknown secret'; a space is not a name's character, and AWS answers ValidationException, 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!' before looking (recorded from AWS in anomalyco/sst#3795 and hashicorp/terraform-provider-aws#39406; LocalStack's AWS-validated provider answers the policy operations so)",
    ),
    (
        "test_secrets_duplication.py::test_list_replica_secret_with_filters",
        Aside::AwsWouldFail,
        "tags a secret with the key aws:secretsmanager:owningService ('coercing' the owning-service filter, says the test); AWS's TagResource reference: the aws: prefix is reserved for AWS use",
    ),
    (
        "test_secrets_duplication.py::test_replicate_secret__existing_secret",
        Aside::AwsWouldFail,
        "expects the status message to name a secret 'simple' when it replicates the secret 'dup' (moto's message has the name written in)",
    ),
    (
        "test_secretsmanager.py::test_batch_get_secret_value_for_secret_id_list_with_deleted_secret",
        Aside::AwsWouldFail,
        "expects 'currently marked deleted' in the error; AWS answers a secret scheduled for deletion with \"You can't perform this operation on the secret because it was marked for deletion.\" (recorded from AWS in external-secrets/kubernetes-external-secrets#114 and external-secrets/external-secrets#4560)",
    ),
    (
        "test_secretsmanager.py::test_update_secret_without_value",
        Aside::AwsWouldFail,
        "expects no LastAccessedDate after GetSecretValue; the test itself says 'AWS also includes LastAccessedDate' (and AWS's API Reference, DescribeSecret: omitted only until the secret is accessed)",
    ),
    (
        "test_secretsmanager.py::test_get_random_include_space_true",
        Aside::AwsWouldFail,
        "expects a space in a 4-character password that must also hold a lowercase and an uppercase letter, a number and a punctuation character (AWS's API Reference, GetRandomPassword RequireEachIncludedType, default true): no room is left for it",
    ),
    (
        "test_secretsmanager.py::test_create_secret_with_tag_custom_id",
        Aside::AwsWouldFail,
        "expects the tag _custom_id_ to choose the ARN's suffix, a moto feature; AWS's user guide: Secrets Manager adds a hyphen and six random characters to the name in the ARN",
    ),
];

/// The unpacked moto sdist, or a failure that says how to get it.
fn moto_sources() -> PathBuf {
    let dir = std::env::var_os("COFFER_MOTO_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            Path::new(&home).join(format!(
                ".cache/coffer-moto-{MOTO_VERSION}/moto-{MOTO_VERSION}"
            ))
        });
    assert!(
        dir.join("tests/test_secretsmanager/test_server.py")
            .is_file(),
        "moto {MOTO_VERSION}'s test suite is not at {} (COFFER_MOTO_SRC): run scripts/test, which downloads and unpacks moto's sdist",
        dir.display()
    );
    dir
}

/// Fails unless the venv has moto 5.2.5 and the test runner's packages.
fn check_venv(python: &Path) {
    let out = Command::new(python)
        .args([
            "-c",
            "import moto, pytest, pytest_timeout, freezegun, flask; print(moto.__version__)",
        ])
        .output()
        .expect("run the test python");
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success() && version == MOTO_VERSION,
        "the test venv ({}) needs moto[server]=={MOTO_VERSION}, pytest, pytest-timeout and freezegun (found moto {version:?}): run scripts/test. {}",
        python.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn node_id(short: &str) -> String {
    format!("tests/test_secretsmanager/{short}")
}

#[test]
fn motos_secrets_manager_suite_passes_against_the_emulator() {
    let sources = moto_sources();
    let python = test_python();
    check_venv(&python);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut serve = Command::new(coffer_bin());
    serve
        .args(["serve", "--ephemeral", "--listen", "127.0.0.1:0"])
        .env("COFFER_VAULT", dir.path().join("no-vault.db"))
        .env_remove("COFFER_PASSPHRASE")
        .current_dir(dir.path());
    let server = Server::coffer(serve, dir.path().join("serve.log"));

    let report = dir.path().join("report.json");
    let deselect: Vec<String> = DESELECTED.iter().map(|(t, _, _)| node_id(t)).collect();
    let adapter = Path::new(env!("CARGO_MANIFEST_DIR")).join("python");
    let mut pytest = Command::new(&python);
    pytest
        .args([
            "-m",
            "pytest",
            "-p",
            "moto_server_mode",
            "-p",
            "no:cacheprovider",
        ])
        .args([
            "-o",
            "addopts=",
            "--timeout",
            "60",
            "-q",
            "-rfE",
            "--color=no",
        ])
        .arg("tests/test_secretsmanager")
        .current_dir(&sources)
        .env("PYTHONPATH", &adapter)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("TEST_SERVER_MODE", "true")
        .env("TEST_SERVER_MODE_ENDPOINT", &server.url)
        .env("COFFER_MOTO_REPORT", &report)
        .env(
            "COFFER_MOTO_DESELECT",
            serde_json::to_string(&deselect).expect("json"),
        )
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    // Nothing of this machine's may leak in: no proxy, profile, endpoint or region.
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_ENDPOINT_URL")
            || k.eq_ignore_ascii_case("http_proxy")
            || k.eq_ignore_ascii_case("https_proxy")
            || k.eq_ignore_ascii_case("all_proxy")
        {
            pytest.env_remove(&k);
        }
    }
    for k in [
        "MOTO_CALL_RESET_API",
        "MOTO_TEST_ALLOW_AWS_REQUEST",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CA_BUNDLE",
        "REQUESTS_CA_BUNDLE",
    ] {
        pytest.env_remove(k);
    }
    let out = pytest.output().expect("run pytest");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&report)
            .unwrap_or_else(|e| panic!("pytest wrote no report ({e}):\n{printed}")),
    )
    .expect("report json");
    let outcomes: BTreeMap<String, String> =
        serde_json::from_value(report["outcomes"].clone()).expect("outcomes");
    let deselected: Vec<String> =
        serde_json::from_value(report["deselected"].clone()).expect("deselected");
    // The deselected tests that count among the 147/176 (AWS would fail them).
    let aws_would_fail = |raw: bool| {
        deselected
            .iter()
            .filter(|id| id.starts_with(RAW_MODULE) == raw)
            .filter(|id| {
                DESELECTED.iter().any(|(t, aside, _)| {
                    *aside == Aside::AwsWouldFail && id.split('[').next() == Some(&node_id(t))
                })
            })
            .count()
    };
    let passed = |raw: bool| {
        outcomes
            .iter()
            .filter(|(id, o)| id.starts_with(RAW_MODULE) == raw && *o == "passed")
            .count()
    };
    let (suite_passed, raw_passed) = (passed(false), passed(true));
    let (suite_aside, raw_aside) = (aws_would_fail(false), aws_would_fail(true));
    let not_passed: Vec<String> = outcomes
        .iter()
        .filter(|(_, o)| *o != "passed")
        .map(|(id, o)| format!("{o}: {id}"))
        .collect();
    let suite_ran = outcomes
        .keys()
        .filter(|id| !id.starts_with(RAW_MODULE))
        .count();
    println!(
        "moto suite: {suite_passed} of {SUITE} passed ({} failed, {suite_aside} deselected as AWS would fail them); {} of {WITH_RAW} with test_server.py raw tests ({} failed, {} deselected as AWS would fail them); {} more deselected outside the count",
        suite_ran - suite_passed,
        suite_passed + raw_passed,
        not_passed.len(),
        suite_aside + raw_aside,
        deselected.len() - suite_aside - raw_aside,
    );
    for (test, aside, why) in DESELECTED {
        let kind = match aside {
            Aside::Outside => "outside the count",
            Aside::AwsWouldFail => "AWS would fail it",
        };
        println!("  deselected ({kind}) {test}: {why}");
    }
    assert!(
        not_passed.is_empty(),
        "tests of moto's suite did not pass against coffer serve --ephemeral:\n  {}\n\npytest said:\n{printed}\n\nserver log (tail):\n{}",
        not_passed.join("\n  "),
        tail(&server.log(), 40)
    );
    assert_eq!(
        (
            suite_ran + suite_aside,
            outcomes.len() + suite_aside + raw_aside
        ),
        (SUITE, WITH_RAW),
        "the suite ran other tests than the 147 + 29 counted:\n{printed}"
    );
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
