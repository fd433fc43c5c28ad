//! `cargo run --release -p coffer-core --example rekey [SECRETS]`: how long removing an
//! operator (a full re-key) takes on a vault of SECRETS secrets (default 100,000). Prints the
//! progress and the time; asserts nothing.
//!
//! The vault is built once through the public API (one audited transaction per secret, so
//! building takes a while) and kept under the target directory
//! (`coffer-bench/rekey-<N>.db`); each run re-keys a copy of it.

use std::path::PathBuf;
use std::time::Instant;

use coffer_core::api::CreateSecretRequest;
use coffer_core::{FrontEnd, InitOptions, SecretText, Vault};
use coffer_core::{KdfParams, Passphrase};

const PASS: &str = "bench passphrase";
const KDF: (u32, u32) = (KdfParams::MIN_MEMORY_KIB, KdfParams::MIN_ITERATIONS);

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("coffer-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = dir.join(format!("rekey-{n}.db"));
    let pass = Passphrase::new(PASS.into());
    if Vault::open(&fixture, Some("admin"), &pass).is_err() {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", fixture.display()));
        }
        eprintln!(
            "building {n} secrets at {} (kept for later runs)",
            fixture.display()
        );
        let mut opts = InitOptions::new("admin", Passphrase::new(PASS.into()));
        opts.kdf = Some(KDF);
        let v = Vault::init(&fixture, opts).unwrap();
        let c = v.caller(FrontEnd::Cli);
        let t = Instant::now();
        for i in 0..n {
            v.create_secret(
                &c,
                CreateSecretRequest {
                    name: format!("service-{i:06}/db"),
                    description: Some(format!("Database credentials of service {i}")),
                    secret_string: Some(SecretText::new(format!("password-{i}"))),
                    ..Default::default()
                },
            )
            .unwrap();
            if i % 10_000 == 9_999 {
                eprintln!("  built {} in {:.1?}", i + 1, t.elapsed());
            }
        }
    }
    let copy = dir.join(format!("rekey-{n}-run.db"));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", copy.display()));
    }
    rusqlite::Connection::open(&fixture)
        .unwrap()
        .execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
        .unwrap();
    let v = Vault::open(&copy, Some("admin"), &pass).unwrap();
    let c = v.caller(FrontEnd::Cli);
    v.add_operator(
        &c,
        "leaver",
        &Passphrase::new("leaver's words".into()),
        Some(KDF),
    )
    .unwrap();
    let t = Instant::now();
    let mut last = None;
    v.remove_operator_reporting(&c, "leaver", &mut |phase, done, total| {
        if last != Some(phase) || done == total || done % 20_000 == 0 {
            eprintln!("  {:>8.1?} {} {done}/{total}", t.elapsed(), phase.as_str());
            last = Some(phase);
        }
    })
    .unwrap();
    println!(
        "re-keyed {n} secrets (remove-operator, one transaction) in {:.2?}",
        t.elapsed()
    );
}
