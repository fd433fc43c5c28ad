//! Shared set-up for the vault's integration tests: a real vault file in a temporary
//! directory, unlocked, with a clock the test moves.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use coffer_core::Passphrase;
use coffer_core::api::*;
use coffer_core::clock::ManualClock;
use coffer_core::{Caller, ErrorCode, FrontEnd, InitOptions, Reveal, SecretText, Vault};

pub const PASS: &str = "test passphrase";

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub clock: ManualClock,
    pub vault: Vault,
    pub caller: Caller,
}

pub fn start() -> jiff::Timestamp {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let clock = ManualClock::new(start());
    let vault = Vault::init_with_clock(
        &path,
        InitOptions {
            account_id: Some("111122223333".into()),
            region: Some("us-east-1".into()),
            operator: "admin".into(),
            passphrase: Passphrase::new(PASS.into()),
            kdf: Some((19456, 2)),
        },
        Arc::new(clock.clone()),
    )
    .unwrap();
    let caller = vault.caller(FrontEnd::Cli);
    Fixture {
        dir,
        path,
        clock,
        vault,
        caller,
    }
}

impl Fixture {
    /// Another unlocked handle on the same file (its own connection and index).
    pub fn reopen(&self) -> Vault {
        Vault::open_with_clock(
            &self.path,
            Some("admin"),
            &Passphrase::new(PASS.into()),
            Arc::new(self.clock.clone()),
        )
        .unwrap()
    }

    pub fn create(&self, name: &str, value: Option<&str>) -> CreateSecretResponse {
        self.vault
            .create_secret(
                &self.caller,
                CreateSecretRequest {
                    name: name.into(),
                    secret_string: value.map(|v| SecretText::new(v.into())),
                    ..Default::default()
                },
            )
            .unwrap()
    }

    pub fn put(&self, id: &str, value: &str, stages: Option<&[&str]>) -> PutSecretValueResponse {
        self.vault
            .put_secret_value(
                &self.caller,
                PutSecretValueRequest {
                    secret_id: id.into(),
                    secret_string: Some(SecretText::new(value.into())),
                    version_stages: stages.map(|s| s.iter().map(|x| x.to_string()).collect()),
                    ..Default::default()
                },
            )
            .unwrap()
    }

    pub fn get(&self, id: &str) -> String {
        self.get_at(id, None, None).unwrap()
    }

    pub fn get_at(
        &self,
        id: &str,
        vid: Option<&str>,
        stage: Option<&str>,
    ) -> coffer_core::Result<String> {
        let r = self.vault.get_secret_value(
            &self.caller,
            GetSecretValueRequest {
                secret_id: id.into(),
                version_id: vid.map(str::to_string),
                version_stage: stage.map(str::to_string),
            },
        )?;
        match r.value {
            coffer_core::SecretValue::String(s) => Ok(s.expose().to_string()),
            coffer_core::SecretValue::Binary(b) => Ok(format!("binary:{}", b.expose().len())),
        }
    }

    pub fn stages(&self, id: &str) -> std::collections::BTreeMap<String, Vec<String>> {
        self.vault
            .describe_secret(
                &self.caller,
                SecretIdRequest {
                    secret_id: id.into(),
                },
            )
            .unwrap()
            .version_ids_to_stages
    }

    pub fn holder(&self, id: &str, stage: &str) -> Option<String> {
        self.stages(id)
            .into_iter()
            .find(|(_, s)| s.iter().any(|x| x == stage))
            .map(|(v, _)| v)
    }
}

/// The AWS error code of a failed call.
pub fn code<T: std::fmt::Debug>(r: coffer_core::Result<T>) -> ErrorCode {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.code,
    }
}

pub fn reveal_json<T: coffer_core::model::RevealSerialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(Reveal(v)).unwrap()
}
