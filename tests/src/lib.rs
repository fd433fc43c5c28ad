//! Helpers for the end-to-end tests: find the built programs, make vaults to drive.

pub mod raw_http;
pub mod server;
pub mod webdriver;

pub use server::Server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The target directory (`<target>/debug/deps/this-test` → `<target>`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.ancestors()
        .nth(3)
        .expect("target directory")
        .to_path_buf()
}

/// The built `coffer` binary (next to this test executable's `deps/` directory).
pub fn coffer_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target profile directory");
    let bin = dir.join(format!("coffer{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "the coffer binary is not built at {} (run the tests with `cargo nextest run --workspace`)",
        bin.display()
    );
    bin
}

/// The test venv's python, with boto3 and the AWS CLI (made by `scripts/test`, named by
/// `COFFER_TEST_PYTHON`): the tests that need it fail, never skip, when it is missing.
pub fn test_python() -> PathBuf {
    let p = std::env::var_os("COFFER_TEST_PYTHON").map(PathBuf::from).expect(
        "COFFER_TEST_PYTHON is not set: run scripts/test, which makes the venv with boto3 and the AWS CLI",
    );
    assert!(
        p.exists(),
        "COFFER_TEST_PYTHON={} does not exist",
        p.display()
    );
    p
}

/// Runs a Python script (boto3) with `args` and no AWS configuration of this machine's;
/// returns what it printed, trimmed. A script that fails fails the test.
pub fn boto3(script: &str, args: &[&str]) -> String {
    let out = Command::new(test_python())
        .args(["-c", script])
        .args(args)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_CA_BUNDLE")
        .env_remove("REQUESTS_CA_BUNDLE")
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Argon2id at its floor, so that tests unlock quickly (the floor is still enforced).
pub const TEST_KDF: [&str; 4] = ["--kdf-memory-kib", "19456", "--kdf-iterations", "2"];

/// A vault made with `coffer init` in a temporary directory.
pub struct TestVault {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub passphrase: String,
}

impl TestVault {
    pub fn init() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vault.db");
        let passphrase = "correct horse battery staple".to_string();
        let out = Command::new(coffer_bin())
            .args(["init", "--account-id", "111122223333"])
            .args(TEST_KDF)
            .env("COFFER_VAULT", &path)
            .env("COFFER_PASSPHRASE", &passphrase)
            .env_remove("COFFER_OPERATOR")
            .output()
            .expect("run coffer init");
        assert!(
            out.status.success(),
            "init failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Self {
            dir,
            path,
            passphrase,
        }
    }

    /// A `coffer` command with this vault and passphrase in its environment.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(coffer_bin());
        c.env("COFFER_VAULT", &self.path)
            .env("COFFER_PASSPHRASE", &self.passphrase)
            .env_remove("COFFER_OPERATOR")
            .env("NO_COLOR", "1");
        c
    }

    /// Runs `coffer ARGS` and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run coffer")
    }

    /// Runs `coffer ARGS`, expects success, and parses the JSON it printed.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "coffer {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        if out.stdout.is_empty() {
            return serde_json::Value::Null;
        }
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "coffer {args:?} printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Runs `coffer ARGS`, expects failure, and returns (exit code, AWS error code).
    pub fn fails(&self, args: &[&str]) -> (i32, String) {
        let out = self.run(args);
        assert!(!out.status.success(), "coffer {args:?} should have failed");
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        let code = err
            .split_once("An error occurred (")
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(c, _)| c.to_string())
            .or_else(|| {
                err.split_once("vault (")
                    .and_then(|(_, r)| r.split_once(')'))
                    .map(|(c, _)| c.to_string())
            })
            .unwrap_or_default();
        (out.status.code().unwrap_or(-1), code)
    }
}
